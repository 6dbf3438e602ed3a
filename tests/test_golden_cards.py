"""Golden cards: every clinical fixture's complete response, reviewed and kept in git.

The topic tests say *which* cards fire; these files pin *what the clinician reads*: summary,
indicator, detail, suggestions, override reasons. Card and suggestion uuids are random per
call and are replaced by their order of appearance. After an intended change to card text
regenerate with ``UPDATE_GOLDEN=1 pytest tests/test_golden_cards.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.clinical_support import FIXTURES
from tests.clinical_support import Fixture
from tests.clinical_support import call
from tests.clinical_support import profile_settings
from tests.support import normalise

EXPECTED = Path(__file__).parent / "fixtures" / "expected"


@pytest.fixture
def settings(settings: dict[str, Any], rel: str) -> dict[str, Any]:
    return profile_settings(settings, rel)


@pytest.mark.parametrize("rel", FIXTURES)
def test_cards_match_golden(rel: str, client: FlaskClient) -> None:
    _, cards = call(client, Fixture.parse(rel))
    got = normalise(cards)
    path = EXPECTED / rel.replace(".json", ".cards.json")
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n")
    assert path.exists(), f"no golden file {path}; run with UPDATE_GOLDEN=1 and review it"
    assert got == json.loads(path.read_text())


def test_every_golden_file_has_its_fixture() -> None:
    wanted = {rel.replace(".json", ".cards.json") for rel in FIXTURES}
    present = {p.relative_to(EXPECTED).as_posix() for p in EXPECTED.rglob("*.cards.json")}
    assert present == wanted
