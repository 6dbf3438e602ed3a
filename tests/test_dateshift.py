"""Moving an example's dates: every full date moves, precision and zone stay as written."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

from cds_service.dateshift import days_since
from cds_service.dateshift import shift_dates


def test_full_dates_move_by_whole_days_and_keep_their_form() -> None:
    doc = {
        "resourceType": "Condition",
        "id": "c1",
        "onsetDateTime": "2026-11-21T08:30:00Z",
        "recordedDate": "2026-11-21",
        "note": [{"time": "2028-02-28T23:59:59.123+01:00"}],
        "abatementString": "2026-11",  # partial date: precision unknown, left as written
        "code": {"text": "since 2026-11-21"},  # prose is not a date value
        "extension": [{"valueDate": "2026-02-30"}],  # not a calendar date: left alone
        "valueInteger": 20261121,
    }
    moved = shift_dates(doc, 8)
    assert moved["onsetDateTime"] == "2026-11-29T08:30:00Z"
    assert moved["recordedDate"] == "2026-11-29"
    assert moved["note"][0]["time"] == "2028-03-07T23:59:59.123+01:00"  # across 29 February
    assert {k: moved[k] for k in ("abatementString", "code", "extension", "valueInteger")} == {
        k: doc[k] for k in ("abatementString", "code", "extension", "valueInteger")
    }
    assert doc["recordedDate"] == "2026-11-21"  # a copy: the example itself is not changed
    assert shift_dates(doc, -3)["recordedDate"] == "2026-11-18"


def test_days_since_rounds_to_the_nearest_day() -> None:
    reference = datetime(2026, 11, 24, 12, tzinfo=UTC)
    assert days_since(reference, datetime(2026, 12, 2, 20, tzinfo=UTC)) == 8
    assert days_since(reference, datetime(2026, 12, 3, 1, tzinfo=UTC)) == 9
    assert days_since(reference, reference) == 0
