"""Request bodies are parsed by orjson, and still accepted exactly as before."""

from __future__ import annotations

import json
import math

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import load_fixture

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
