"""Request bodies are parsed by orjson, and still accepted exactly as before."""

from __future__ import annotations

import json
import math

from flask import Flask
from flask.testing import FlaskClient

from tests.support import load_fixture

BODY = "requests/patient-view/mri-12h--fires--cauda-equina-syndrome.json"


def test_a_body_with_a_byte_order_mark_or_in_utf16_is_still_a_valid_call(
    client: FlaskClient,
) -> None:
    """Some EHR stacks (.NET) send a BOM; the standard library always accepted it."""
    text = json.dumps(load_fixture(BODY))
    for raw in (b"\xef\xbb\xbf" + text.encode(), text.encode("utf-16")):
        response = client.post(
            "/cds-services/patient-view", data=raw, content_type="application/json"
        )
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["cards"]


def test_what_orjson_refuses_is_decided_by_the_standard_library(app: Flask) -> None:
    assert math.isnan(app.json.loads(b'{"v": NaN}')["v"])
    assert app.json.loads('{"s": "\\ud800"}') == {"s": "\ud800"}
    assert app.json.loads(b'{"a": 1, "b": [true, null]}') == {"a": 1, "b": [True, None]}


def test_responses_are_compact_utf8_json_with_a_newline_and_big_integers_still_work(
    app: Flask,
) -> None:
    with app.app_context():
        body = app.json.response({"summary": "Rückenmark", "n": 1}).get_data()
        assert body == '{"summary":"Rückenmark","n":1}\n'.encode()
        assert json.loads(app.json.response({"n": 2**70}).get_data()) == {"n": 2**70}
        app.debug = True  # readable while developing, as Flask does
        assert app.json.response({"a": 1}).get_data() == b'{\n  "a": 1\n}\n'
