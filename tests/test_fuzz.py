"""A bounded mutation fuzz of service calls and feedback (issue 15): never a 5xx.

Seeded, so a failure reproduces. Envelope mutations may be refused (4xx) but never crash;
mutations of one extra, clinically irrelevant resource must leave the urgent cards exactly
as they were (a broken resource costs nobody a card).
"""

from __future__ import annotations

import copy
import random
from typing import Any

from flask.testing import FlaskClient

from tests.fhir_builders import SNOMED
from tests.fhir_builders import condition
from tests.support import load_fixture

URL = "/cds-services/patient-view"
FIRES = "requests/patient-view/mri-12h--fires--cord-compression-snomed.json"
ODD_VALUES: list[Any] = [
    None,
    0,
    -1,
    5,
    1e308,
    True,
    "",
    " ",
    "\ud800",
    "x\udfffy",
    "\x00",
    "a\x00b",
    [],
    [1],
    [None],
    {},
    {"a": 1},
    {"reference": "Patient/other/_history/1"},
    "9999-12-31T23:59:59-05:00",
    "0001-01-01T00:00:00+01:00",
    "2026-02-30",
    "Patient/other/",
    "urn:uuid:00000000-0000-0000-0000-000000000000",
    "https://fhir.example/fhir/%2e%2e/x",
    "x" * 5000,
]
#: A Condition of the same patient no rule reads (essential hypertension).
DISTRACTOR = condition("cond-htn", SNOMED, "59621000", verification=None, onset="2020-01-01") | {
    "subject": {"reference": "Patient/pt-0001"}  # the fixture's patient
}


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*path, i))
    return out


def _mutate(doc: Any, rng: random.Random) -> Any:
    """Return ``doc`` with one node replaced, deleted or given an odd new key."""
    doc = copy.deepcopy(doc)
    path = rng.choice(_paths(doc)[1:])
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    action = rng.random()
    if action < 0.15 and isinstance(parent, dict):
        del parent[path[-1]]
    elif action < 0.25 and isinstance(parent[path[-1]], dict):
        parent[path[-1]][rng.choice(["\ud800", "id", "resourceType", "entry"])] = rng.choice(
            ODD_VALUES
        )
    else:
        parent[path[-1]] = rng.choice(ODD_VALUES)
    return doc


def _cards(response: Any) -> list[tuple[str, str]]:
    return sorted(
        (c["source"]["topic"]["code"], c["summary"]) for c in response.get_json()["cards"]
    )


def test_mutated_calls_never_5xx_and_a_broken_extra_resource_costs_no_card(
    client: FlaskClient,
) -> None:
    rng = random.Random(15)
    body = load_fixture(FIRES)
    body["prefetch"]["conditions"]["entry"].append({"resource": DISTRACTOR})
    baseline = client.post(URL, json=body)
    assert baseline.status_code == 200
    expected = _cards(baseline)
    assert any(topic == "mri-12h" for topic, _ in expected)
    for _ in range(250):
        mutated = _mutate(body, rng)
        response = client.post(URL, json=mutated)
        assert response.status_code < 500, mutated
    for _ in range(150):
        with_bad = copy.deepcopy(body)
        with_bad["prefetch"]["conditions"]["entry"][-1] = {"resource": _mutate(DISTRACTOR, rng)}
        response = client.post(URL, json=with_bad)
        assert response.status_code == 200, with_bad
        assert _cards(response) == expected, with_bad


def test_mutated_feedback_never_5xx(client: FlaskClient) -> None:
    rng = random.Random(150)
    body = load_fixture("protocol/feedback.json")
    for _ in range(200):
        mutated = _mutate(body, rng)
        response = client.post(f"{URL}/feedback", json=mutated)
        assert response.status_code < 500, mutated
