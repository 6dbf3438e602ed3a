"""The clinical request fixtures as test modules read them: names, bodies, one call each."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

REQUESTS = Path(__file__).parent / "fixtures" / "requests"
MANIFEST: dict[str, dict[str, Any]] = json.loads((REQUESTS / "expected-topics.json").read_text())
FIXTURES = sorted(
    p.relative_to(REQUESTS).as_posix()
    for p in REQUESTS.rglob("*.json")
    if p.name != "expected-topics.json"
)
NAME = re.compile(
    r"^(?P<topic>[a-z0-9]+(?:-[a-z0-9]+)*)--(?P<polarity>fires|silent)--[a-z0-9-]+\.json$"
)
HOOKS = ("patient-view", "order-select", "order-sign")
FHIR_SERVER = "https://ehr.example.org/fhir/R4"


@dataclass(frozen=True)
class Fixture:
    """A fixture file's place in the tree: hook, guideline profile, named topic, polarity."""

    rel: str
    hook: str
    profile: str
    topic: str
    polarity: str

    @classmethod
    def parse(cls, rel: str) -> Fixture:
        parts = rel.split("/")
        profile = "nice" if parts[0] == "nice" else "dutch"
        dirs = parts[1:-1] if profile == "nice" else parts[:-1]
        assert len(dirs) == 1 and dirs[0] in HOOKS, f"{rel}: expected <hook>/ or nice/<hook>/"
        match = NAME.match(parts[-1])
        assert match, f"{rel}: name must be <topic>--fires|silent--<case>.json"
        return cls(rel, dirs[0], profile, match["topic"], match["polarity"])

    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((REQUESTS / self.rel).read_text())
        return data


def call(client: FlaskClient, fixture: Fixture) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    body = fixture.body()
    response = client.post(f"/cds-services/{fixture.hook}", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    cards = response.get_json()["cards"]
    assert isinstance(cards, list)
    return body, cards


def profile_settings(settings: dict[str, Any], rel: str) -> dict[str, Any]:
    """Evaluate ``nice/`` fixtures under the NICE NG234 profile, the rest under the default."""
    return {**settings, "GUIDELINE_PROFILE": Fixture.parse(rel).profile}
