"""Hand-built facts and card checks shared by the rule tests (no Flask, no FHIR parsing)."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from typing import Any

from cds_service.logic.engine import run_rules
from cds_service.logic.facts import Certainty
from cds_service.logic.facts import Evidence
from cds_service.logic.facts import Facts
from cds_service.logic.facts import Finding
from cds_service.logic.facts import Order
from cds_service.logic.facts import OrderKind
from cds_service.logic.facts import Priority
from cds_service.logic.facts import Region
from cds_service.logic.facts import Side
from tests.fhir_validation import assert_valid_r4
from tests.support import FIXTURE_NOW

NOW = FIXTURE_NOW
PATIENT = "p1"
INDICATORS = {"info", "warning", "critical"}
# fhir.resources checks structure, not required bindings: check the request codes here.
REQUEST_STATUS = {
    "draft",
    "active",
    "on-hold",
    "revoked",
    "completed",
    "entered-in-error",
    "unknown",
}
REQUEST_INTENT = {"proposal", "plan", "directive", "order", "original-order", "reflex-order"}
REQUEST_PRIORITY = {"routine", "urgent", "asap", "stat"}


def found(
    ref: str,
    label: str = "",
    *,
    certainty: Certainty | None = Certainty.CONFIRMED,
    tags: tuple[str, ...] = (),
    side: Side | None = None,
    days_ago: float | None = None,
) -> Finding:
    """A one-resource finding."""
    when = NOW - timedelta(days=days_ago) if days_ago is not None else None
    return Finding((Evidence(ref, label or ref, certainty, side, when, frozenset(tags)),))


METASTASIS = found(
    "Condition/met",
    "Metastatic malignant neoplasm to vertebral column (SNOMED CT 94602001)",
    tags=("malignant", "metastasis", "vertebral"),
)
SCHWANNOMA = found(
    "Condition/schw", "Schwannoma (SNOMED CT 189948006)", tags=("benign-intradural",)
)
CORD = found("Condition/cc", "Spinal cord compression (SNOMED CT 71286001)")
BACK_PAIN = found("Condition/bp", "Low back pain (SNOMED CT 279039007)", certainty=None)
RADICULAR = found("Condition/rad", "Lumbar radiculopathy (SNOMED CT 128196005)", side=Side.LEFT)
WEAKNESS = found("Condition/weak", "Muscle weakness of limb (SNOMED CT 713514005)", side=Side.LEFT)


def metastatic(**overrides: Any) -> Facts:
    """A patient with a vertebral metastasis (context and metastatic suspicion)."""
    base: dict[str, Any] = {
        "spine_mass": METASTASIS,
        "cancer": METASTASIS,
        "metastatic_suspicion": METASTASIS,
        "metastasis_or_unknown_primary": METASTASIS,
        "vertebral_malignancy": METASTASIS,
        "sins_recorded": True,
    }
    return make(**(base | overrides))


def benign(**overrides: Any) -> Facts:
    """A patient with a confirmed intradural schwannoma only (no cancer)."""
    base: dict[str, Any] = {"spine_mass": SCHWANNOMA, "benign_intradural": SCHWANNOMA}
    return make(**(base | overrides))


def make(**kw: Any) -> Facts:
    base: dict[str, Any] = {"hook": "patient-view", "patient_id": PATIENT, "now": NOW}
    return Facts(**(base | kw))


def order(
    kind: OrderKind,
    rid: str,
    *,
    priority: Priority | None = None,
    region: Region | None = None,
    in_draft: bool = True,
    selected: bool = False,
    code: tuple[str, str] = ("http://loinc.org", "24967-2"),
) -> Order:
    """A pending order with a real FHIR ServiceRequest behind it."""
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": rid,
        "status": "draft" if in_draft else "active",
        "intent": "order",
        "code": {"coding": [{"system": code[0], "code": code[1]}]},
        "subject": {"reference": f"Patient/{PATIENT}"},
    }
    if priority is not None:
        resource["priority"] = priority.code
    return Order(
        ref=f"ServiceRequest/{rid}",
        kind=kind,
        label=f"{kind.value} {rid}",
        priority=priority,
        region=region,
        in_draft=in_draft,
        selected=selected,
        resource=resource,
    )


def run(facts: Facts) -> list[dict[str, Any]]:
    """Run the rules and return card JSON, after checking every CDS Hooks invariant."""
    counter = itertools.count()
    cards = [c.to_json() for c in run_rules(facts, new_uuid=lambda: f"uuid-{next(counter)}")]
    uuids = [c["uuid"] for c in cards] + [
        s["uuid"] for c in cards for s in c.get("suggestions", [])
    ]
    assert len(uuids) == len(set(uuids)), "uuids must be unique"
    for card in cards:
        check_card(card, facts.patient_id)
    return cards


def topics(cards: list[dict[str, Any]]) -> list[str]:
    return [c["source"]["topic"]["code"] for c in cards]


def card(cards: list[dict[str, Any]], topic: str) -> dict[str, Any]:
    matching = [c for c in cards if c["source"]["topic"]["code"] == topic]
    assert len(matching) == 1, f"{topic}: {topics(cards)}"
    return matching[0]


def actions(card_json: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for s in card_json.get("suggestions", []) for a in s["actions"]]


def check_card(c: dict[str, Any], patient_id: str) -> None:
    """CDS Hooks 2.0 card invariants plus the project's (§2 'every card')."""
    assert_no_empty(c)
    assert c["uuid"] and 0 < len(c["summary"]) < 140
    assert c["indicator"] in INDICATORS
    src = c["source"]
    assert src["label"] == "Spine Mass CDS" and src["url"].startswith("http")
    assert src["topic"]["system"] and src["topic"]["code"] and src["topic"]["display"]
    assert not re.search(r"(?<!\\)<[A-Za-z/!]", c["detail"]), "raw HTML in detail"
    assert_concise(c)
    assert all(r["display"] and r["code"] and r["system"] for r in c["overrideReasons"])
    suggestions = c.get("suggestions", [])
    assert ("selectionBehavior" in c) == bool(suggestions)
    if suggestions:
        assert c["selectionBehavior"] == "at-most-one"
    assert sum(1 for s in suggestions if s.get("isRecommended") is True) <= 1
    for s in suggestions:
        assert s["uuid"] and s["label"] and s["actions"]
        for a in s["actions"]:
            check_action(a, patient_id)


MAX_DETAIL = 1200
INTERNAL = re.compile(r"not yet verified|secondary source|guideline profile|\b(dutch|nice)\b")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z*`])")


def recommendation(detail: str) -> str:
    """The recommendation: the detail before **Why**, without the under-18 and not-checked
    paragraphs (they are about the record, not the advice)."""
    head = detail.split("**Why**")[0]
    paragraphs = [p.strip() for p in head.split("\n\n") if p.strip()]
    skip = ("**Patient under 18**", "**Not checked**")
    return " ".join(p for p in paragraphs if not p.startswith(skip))


def assert_concise(c: dict[str, Any]) -> None:
    """§2 (1.2): recommendation in <= 3 sentences, then *why* with each fact's
    ``ResourceType/id``; <= 1,200 characters; evidence as ``absolute`` links, one per source;
    nothing internal (guideline profile, verification status) on the card."""
    detail = c["detail"]
    topic = c["source"]["topic"]["code"]
    assert len(detail) <= MAX_DETAIL, f"{topic}: detail is {len(detail)} characters"
    advice = recommendation(detail)
    sentences = [s for s in SENTENCE_END.split(advice) if s.strip()]
    assert len(sentences) in (1, 2, 3), f"{topic}: {len(sentences)} sentences: {advice}"
    assert "**Why**" in detail and re.search(r"`[A-Z][A-Za-z]+/[^`]+`", detail), topic
    assert "**Evidence**" not in detail, f"{topic}: evidence belongs in links"
    assert not INTERNAL.search(detail) and not INTERNAL.search(c["summary"]), topic
    links = c.get("links", [])
    assert links, f"{topic}: evidence links expected"
    urls = [link["url"] for link in links]
    assert len(urls) == len(set(urls)), f"{topic}: one link per source"
    for link in links:
        assert link["type"] == "absolute" and link["label"] and link["url"].startswith("http")


def check_action(a: dict[str, Any], patient_id: str) -> None:
    assert a["type"] in ("create", "update", "delete") and a["description"]
    if a["type"] == "delete":
        assert "resource" not in a and re.fullmatch(r"[A-Za-z]+/[A-Za-z0-9\-.]+", a["resourceId"])
        return
    assert "resourceId" not in a
    resource = a["resource"]
    assert_valid_r4(resource)
    assert resource["status"] in REQUEST_STATUS and resource["intent"] in REQUEST_INTENT
    assert resource.get("priority", "routine") in REQUEST_PRIORITY
    assert resource["subject"] == {"reference": f"Patient/{patient_id}"}
    assert resource["status"] == "draft"
    if a["type"] == "update":
        assert resource["id"], "an update carries the full resource with its id"


def assert_no_empty(value: Any, path: str = "$") -> None:
    """CDS Hooks: no null, empty string, empty list or empty object anywhere."""
    assert value is not None and value != "" and value != [] and value != {}, path
    if isinstance(value, dict):
        for k, v in value.items():
            assert_no_empty(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            assert_no_empty(v, f"{path}[{i}]")


def created(card_json: dict[str, Any]) -> dict[str, Any]:
    """The one resource the card's suggestion creates."""
    made = [a["resource"] for a in actions(card_json) if a["type"] == "create"]
    assert len(made) == 1, made
    return dict(made[0])


def loinc(resource: dict[str, Any]) -> str:
    return str(resource["code"]["coding"][0]["code"])
