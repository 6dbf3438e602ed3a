"""The app starts from the factory and answers discovery and an empty call."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_discovery_lists_three_services(client: FlaskClient) -> None:
    response = client.get("/cds-services")
    assert response.status_code == 200
    ids = {s["id"]: s["hook"] for s in response.get_json()["services"]}
    assert ids == {
        "patient-view": "patient-view",
        "order-select": "order-select",
        "order-sign": "order-sign",
    }
