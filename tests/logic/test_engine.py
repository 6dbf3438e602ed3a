"""The engine as a whole: context guard, ordering, hooks, and the start-up catalog check."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from cds_service import uuids
from cds_service.logic import evaluate
from cds_service.logic import suggestions
from cds_service.logic.cards import Indicator
from cds_service.logic.catalog import RULES
from cds_service.logic.catalog import CatalogError
from cds_service.logic.catalog import validate as catalog_validate
from cds_service.logic.catalog.base import reason
from cds_service.logic.catalog.validate import suggestion_samples
from cds_service.logic.engine import validate_catalog
from cds_service.logic.facts import Ambulatory
from cds_service.logic.facts import Certainty
from cds_service.logic.facts import OrderKind
from cds_service.logic.facts import Priority
from cds_service.logic.facts import Region
from cds_service.logic.inputs import HookInput
from cds_service.rules_doc import render
from tests.fhir_validation import assert_valid_r4
from tests.logic.rules_support import BACK_PAIN
from tests.logic.rules_support import CORD
from tests.logic.rules_support import NOW
from tests.logic.rules_support import WEAKNESS
from tests.logic.rules_support import found
from tests.logic.rules_support import make
from tests.logic.rules_support import metastatic
from tests.logic.rules_support import order
from tests.logic.rules_support import run
from tests.logic.rules_support import topics

DOCS = Path(__file__).parents[2] / "docs" / "rules.md"
GOOD = RULES[0]


def everything(hook: str) -> list[dict]:
    """A patient for whom nearly every topic applies, with every kind of draft order."""
    lymphoma = found("Condition/nhl", "Non-Hodgkin lymphoma", certainty=Certainty.SUSPECTED)
    drafts = (
        order(OrderKind.XRAY_SPINE, "xr", selected=True),
        order(
            OrderKind.MRI_SPINE,
            "mr",
            priority=Priority.ROUTINE,
            region=Region.LUMBAR,
            selected=True,
        ),
    )
    return run(
        metastatic(
            hook=hook,
            cord_compression=CORD,
            motor_deficit=WEAKNESS,
            back_pain=BACK_PAIN,
            lymphoma_suspected=lymphoma,
            sins_recorded=False,
            ambulatory=Ambulatory.UNKNOWN,
            age=72,
            orders=drafts if hook != "patient-view" else (),
        )
    )


@pytest.mark.parametrize("hook", ["patient-view", "order-select", "order-sign"])
def test_every_card_is_valid_and_most_urgent_first(hook: str) -> None:
    cards = everything(hook)  # run() checks every CDS Hooks invariant and resource
    ranks = [Indicator(c["indicator"]).rank for c in cards]
    assert ranks == sorted(ranks, reverse=True) and cards


def test_patient_view_returns_every_applicable_card() -> None:
    assert topics(everything("patient-view")) == [
        "mri-12h",
        "surgical-referral",
        "dexamethasone",
        "steroid-lymphoma-caution",
        "tissue-diagnosis",
        "stability-assessment",
        "ambulatory-status",
    ]


def test_order_select_returns_order_cards_and_unaddressed_critical_ones() -> None:
    assert topics(everything("order-select")) == [
        "surgical-referral",
        "xray-insufficient",
        "mri-order-review",
    ]


def test_order_hooks_build_no_draft_resource_for_a_dropped_card(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Suggested resources are built only for the cards returned (order hooks drop most)."""
    built: list[str] = []
    real = suggestions.dexamethasone_request

    def counting(*args: Any, **kwargs: Any) -> dict[str, Any]:
        built.append("dexamethasone")
        return real(*args, **kwargs)

    monkeypatch.setattr(suggestions, "dexamethasone_request", counting)
    assert "dexamethasone" not in topics(everything("order-select")) and not built
    assert "dexamethasone" in topics(everything("patient-view")) and built == ["dexamethasone"]


def test_uuids_come_from_the_injected_source() -> None:
    cards = run(metastatic(cord_compression=CORD))
    assert cards[0]["uuid"] == "uuid-0" and cards[0]["suggestions"][0]["uuid"] == "uuid-1"


def test_no_context_no_cards_through_evaluate() -> None:
    inp = HookInput(hook="patient-view", patient_id="p1", now=NOW)
    assert evaluate(inp, new_uuid=uuids.new_uuid).cards == ()
    assert run(make(motor_deficit=WEAKNESS, back_pain=BACK_PAIN)) == []


def test_rule_ids_are_exactly_the_topic_codes_with_versions() -> None:
    assert [r.id for r in RULES] == [
        "mri-12h", "mri-24h", "mri-48h", "mri-1w", "mri-2w", "mri-contraindicated",
        "dexamethasone", "steroid-lymphoma-caution", "surgical-referral",
        "radiotherapy-referral", "tissue-diagnosis", "stability-assessment",
        "ambulatory-status", "xray-insufficient", "mri-order-review",
    ]  # fmt: skip
    assert all(r.version and r.provenance and r.provenance[0].url for r in RULES)


class TestValidateCatalog:
    def test_the_real_catalog_is_valid(self) -> None:
        validate_catalog()

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (
                {"requires": frozenset({"spine_mass", "tumour_size"})},
                "unknown facts ['tumour_size']",
            ),
            ({"hooks": frozenset({"patient-view", "encounter-start"})}, "unknown hooks"),
            ({"summary": "x" * 140}, "summary must be 1-139"),
            ({"variants": {"escalate": "{window} too long"}}, "escalate must be"),
            ({"provenance": ()}, "has no provenance"),
            (
                {"provenance": (dataclasses.replace(GOOD.provenance[0], url=""),)},
                "lacks a URL",
            ),
            ({"override_reasons": (reason("x", ""),)}, "each with a display"),
            ({"detail": "Window {windw}"}, "detail template is broken"),
            ({"id": "mri-6h"}, "not a card-topic code"),
        ],
    )
    def test_a_broken_rule_stops_start_up(self, change: dict, message: str) -> None:
        broken = dataclasses.replace(GOOD, **change)
        with pytest.raises(CatalogError, match=message.replace("[", r"\[").replace("]", r"\]")):
            validate_catalog((broken, *RULES[1:]))

    def test_duplicate_ids_are_refused(self) -> None:
        with pytest.raises(CatalogError, match="duplicate rule id 'mri-12h'"):
            validate_catalog((*RULES, GOOD))

    def test_a_broken_value_set_stops_start_up(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def check_valuesets() -> None:
            raise CatalogError("value set 'cord-compression' has no provenance")

        monkeypatch.setattr(catalog_validate, "check_valuesets", check_valuesets)
        with pytest.raises(CatalogError, match="cord-compression"):
            validate_catalog()


@pytest.mark.parametrize(
    "resource",
    suggestion_samples(),
    ids=lambda r: r["code" if "code" in r else "medicationCodeableConcept"]["coding"][0]["code"],
)
def test_every_suggestion_template_is_valid_fhir_r4(resource: dict) -> None:
    assert_valid_r4(resource)
    assert resource["status"] == "draft" and resource["subject"]["reference"] == "Patient/sample"


def test_docs_rules_md_is_current() -> None:
    """Regenerate with: python -m cds_service.rules_doc > docs/rules.md"""
    assert DOCS.read_text() == render()
    for rule in RULES:
        assert f"## `{rule.id}`" in DOCS.read_text()
