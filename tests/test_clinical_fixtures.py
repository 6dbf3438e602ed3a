"""End-to-end clinical cases: each fixture request gets the cards CLINICAL-RULES.md v1.2 implies.

Fixtures are written from the specification alone (``tests/fixtures/README.md``); the
expected topics of each are in ``expected-topics.json``. A ``--fires--`` file must return
its named topic, a ``--silent--`` file must not, and every other topic listed there must
hold too. Card invariants of §2 that a clinician would notice are checked on every response:
one MRI tier, never two MRIs, valid draft FHIR suggestions for this patient.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cds_service.config import settings_of
from cds_service.hooks.prefetch_templates import RECORD_PREFETCH
from tests.clinical_support import FHIR_SERVER
from tests.clinical_support import FIXTURES
from tests.clinical_support import MANIFEST
from tests.clinical_support import Fixture
from tests.clinical_support import call
from tests.clinical_support import profile_settings
from tests.fhir_validation import assert_valid_r4
from tests.fixtures.requests.cases import CT_MYELOGRAPHY
from tests.fixtures.requests.cases import TIER_PRIORITY
from tests.fixtures.requests.cases import TOPICS as CASE_TOPICS
from tests.logic.rules_support import assert_concise

TIERS = frozenset(TIER_PRIORITY)
TOPICS = frozenset(CASE_TOPICS)  # the 15 card topics of CLINICAL-RULES.md §2
LOINC = "http://loinc.org"
CPT = "http://www.ama-assn.org/go/cpt"
# Spine MRI and CT myelography orderables (clinical-evidence-and-codes.md §2.4).
MRI_LOINC = frozenset(
    "30854-4 91561-1 30855-1 42698-1 36531-2 36256-6 36400-0 36067-7 30667-0 24938-3 24937-5 "
    "24935-9 36532-0 24982-1 24981-3 24980-5 30679-5 30678-7 24967-2 24968-0 89284-4 43456-3 "
    "43457-1 94088-2 91717-9 91715-3 91716-1".split()
)
MRI_CPT = frozenset("72141 72142 72156 72146 72147 72157 72148 72149 72158".split())
CT_MYELOGRAPHY_LOINC = frozenset(CT_MYELOGRAPHY)
XRAY_LOINC = frozenset(
    "28613-8 37879-4 24928-4 24946-6 36669-0 43539-6 24983-9 37905-7 24972-2 36670-8 24970-6 "
    "24984-7".split()
)
KNOWN_CHECKS = {"imaging", "no_new_mri", "detail_contains", "detail_lacks", "no_suggestion"}
#: resourceType -> the prefetch key that holds it.
PREFETCH_KEY = {t.split("?")[0]: key for key, t in RECORD_PREFETCH.items()}


# --- reading requests and responses ----------------------------------------------------------


def entries(bundle: Any) -> list[dict[str, Any]]:
    return [e["resource"] for e in (bundle or {}).get("entry", [])]


def codes(resource: dict[str, Any], system: str) -> set[str]:
    return {
        c.get("code")
        for c in resource.get("code", {}).get("coding", [])
        if c.get("system") == system
    }


def imaging_kind(resource: dict[str, Any]) -> str | None:
    """Return ``mri``, ``ct-myelography``, ``xray`` or None for a ServiceRequest."""
    if resource.get("resourceType") != "ServiceRequest":
        return None
    loinc, cpt = codes(resource, LOINC), codes(resource, CPT)
    if loinc & MRI_LOINC or cpt & MRI_CPT:
        return "mri"
    if loinc & CT_MYELOGRAPHY_LOINC:
        return "ct-myelography"
    if loinc & XRAY_LOINC or any(c.isdigit() and 72020 <= int(c) <= 72120 for c in cpt):
        return "xray"
    return None


def actions(card: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for suggestion in card.get("suggestions", []):
        yield from suggestion.get("actions", [])


def imaging_actions(card: dict[str, Any], kinds: set[str]) -> list[dict[str, Any]]:
    """The create/update actions of ``card`` whose resource is imaging of one of ``kinds``."""
    return [
        a
        for a in actions(card)
        if a.get("type") in ("create", "update") and imaging_kind(a.get("resource") or {}) in kinds
    ]


def topic_of(card: dict[str, Any]) -> str:
    code = card.get("source", {}).get("topic", {}).get("code")
    assert isinstance(code, str), f"card without source.topic.code: {card.get('summary')}"
    return code


@pytest.fixture
def settings(settings: dict[str, Any], rel: str) -> dict[str, Any]:
    return profile_settings(settings, rel)


# --- the fixtures themselves are valid requests ------------------------------------------------


@pytest.mark.parametrize("rel", FIXTURES)
def test_fixture_request_is_valid(rel: str) -> None:
    fixture = Fixture.parse(rel)
    assert fixture.topic in TOPICS, f"{rel}: unknown topic {fixture.topic}"
    body = fixture.body()
    assert body["hook"] == fixture.hook
    assert uuid.UUID(body["hookInstance"])
    assert body["fhirServer"] == FHIR_SERVER
    context, prefetch = body["context"], body["prefetch"]
    pid = context["patientId"]
    assert context["userId"].startswith("Practitioner/")
    assert set(prefetch) == set(RECORD_PREFETCH), "every declared prefetch key is sent"
    assert prefetch["patient"]["resourceType"] == "Patient" and prefetch["patient"]["id"] == pid
    assert_valid_r4(prefetch["patient"])
    for key, value in prefetch.items():
        if key == "patient" or value is None:
            continue
        assert value["resourceType"] == "Bundle" and value["type"] == "searchset"
        assert value["total"] == len(value.get("entry", [])), f"{key}: total != entries"
        assert_valid_r4(value)
        for resource in entries(value):
            assert key == PREFETCH_KEY[resource["resourceType"]], f"{key} holds {resource}"
            assert_for_patient(resource, pid)
    drafts = entries(context.get("draftOrders"))
    if fixture.hook == "patient-view":
        assert "draftOrders" not in context and "selections" not in context
    else:
        assert context["draftOrders"]["type"] == "collection" and drafts
        assert_valid_r4(context["draftOrders"])
        for resource in drafts:
            assert resource["status"] == "draft"
            assert_for_patient(resource, pid)
    record = [r for key, v in prefetch.items() if key != "patient" for r in entries(v)]
    ids = [f"{r['resourceType']}/{r['id']}" for r in record + drafts]
    assert len(ids) == len(set(ids)), "resource ids are unique within a request"
    refs = {f"{r['resourceType']}/{r['id']}" for r in drafts}
    if fixture.hook == "order-select":
        assert context["selections"] and set(context["selections"]) <= refs
    else:
        assert "selections" not in context


def assert_for_patient(resource: dict[str, Any], pid: str) -> None:
    link = resource.get("patient" if resource["resourceType"] == "Device" else "subject")
    assert link == {"reference": f"Patient/{pid}"}, f"{resource['id']} is not about Patient/{pid}"


def test_manifest_covers_every_fixture_and_topic() -> None:
    assert set(MANIFEST) == set(FIXTURES)
    named: dict[str, set[str]] = {"fires": set(), "silent": set()}
    for rel, entry in MANIFEST.items():
        fixture = Fixture.parse(rel)
        fires, silent = set(entry["fires"]), set(entry["silent"])
        assert fires <= TOPICS and silent <= TOPICS and not fires & silent, rel
        assert fixture.topic in (fires if fixture.polarity == "fires" else silent), rel
        assert set(entry.get("checks", {})) <= KNOWN_CHECKS, rel
        named[fixture.polarity].add(fixture.topic)
    assert named["fires"] == TOPICS and named["silent"] == TOPICS, "a fires and a silent case each"


# --- the service answers each fixture as the specification says --------------------------------


@pytest.mark.parametrize("rel", FIXTURES)
def test_fixture_topics(rel: str, client: FlaskClient) -> None:
    fixture = Fixture.parse(rel)
    _, cards = call(client, fixture)
    got = [topic_of(card) for card in cards]
    expected = MANIFEST[rel]
    if fixture.polarity == "fires":
        assert fixture.topic in got, f"{fixture.topic} did not fire; got {got}"
    else:
        assert fixture.topic not in got, f"{fixture.topic} fired; got {got}"
    assert set(expected["fires"]) <= set(got), f"missing {set(expected['fires']) - set(got)}"
    assert not set(expected["silent"]) & set(got), (
        f"unexpected {set(expected['silent']) & set(got)}"
    )


@pytest.mark.parametrize("rel", FIXTURES)
def test_fixture_cards_hold_the_card_rules(rel: str, client: FlaskClient) -> None:
    fixture = Fixture.parse(rel)
    body, cards = call(client, fixture)
    pid = body["context"]["patientId"]
    got = [topic_of(card) for card in cards]
    assert len([t for t in got if t in TIERS]) <= 1, f"only the most urgent tier fires: {got}"
    suggesting_mri = [topic_of(c) for c in cards if imaging_actions(c, {"mri", "ct-myelography"})]
    assert len(suggesting_mri) <= 1, f"one MRI suggested, never two: {suggesting_mri}"
    for card in cards:
        assert_concise(card)
        if card.get("suggestions"):
            assert card.get("selectionBehavior") == "at-most-one", topic_of(card)
        for action in actions(card):
            resource = action.get("resource")
            if resource is None:
                continue
            assert_valid_r4(resource)
            assert resource.get("status") == "draft", f"{topic_of(card)}: suggestion not draft"
            assert resource.get("subject", {}).get("reference") == f"Patient/{pid}"
        for action in imaging_actions(card, {"mri"}):
            assert action["resource"].get("note"), "every MRI suggestion carries the protocol note"
    assert_order_cards(body, cards)
    assert_checks(MANIFEST[rel].get("checks", {}), cards)


def assert_order_cards(body: dict[str, Any], cards: list[dict[str, Any]]) -> None:
    """xray-insufficient replaces the X-ray draft; mri-order-review updates the MRI draft."""
    drafts = entries(body["context"].get("draftOrders"))
    by_kind = {
        kind: {f"ServiceRequest/{r['id']}" for r in drafts if imaging_kind(r) == kind}
        for kind in ("xray", "mri")
    }
    by_topic = {topic_of(c): c for c in cards}
    if "xray-insufficient" in by_topic:
        suggestions = by_topic["xray-insufficient"].get("suggestions", [])
        assert any(replaces(s, by_kind["xray"]) for s in suggestions), "delete X-ray + create MRI"
    if "mri-order-review" in by_topic:
        updated = {
            f"ServiceRequest/{a['resource'].get('id')}"
            for a in actions(by_topic["mri-order-review"])
            if a.get("type") == "update"
        }
        assert updated & by_kind["mri"], f"update of a draft MRI expected, got {updated}"
    if "steroid-lymphoma-caution" in by_topic and "dexamethasone" in by_topic:
        flags = [s.get("isRecommended") for s in by_topic["dexamethasone"].get("suggestions", [])]
        assert all(f is False for f in flags), "dexamethasone not recommended first"


def replaces(suggestion: dict[str, Any], xray_refs: set[str]) -> bool:
    """True when one suggestion deletes a draft X-ray and creates the imaging in its place."""
    acts = suggestion.get("actions", [])
    deleted = {a.get("resourceId") for a in acts if a.get("type") == "delete"}
    return bool(deleted & xray_refs) and any(a.get("type") == "create" for a in acts)


def assert_checks(checks: dict[str, Any], cards: list[dict[str, Any]]) -> None:
    """Apply the manifest's per-fixture checks (imaging kind/priority/code, card detail)."""
    if checks.get("no_new_mri"):
        created = [
            topic_of(c)
            for c in cards
            for a in imaging_actions(c, {"mri", "ct-myelography"})
            if a["type"] == "create"
        ]
        assert not created, f"a pending MRI exists; no new one may be suggested: {created}"
    if "imaging" in checks:
        want = checks["imaging"]
        found = [a["resource"] for c in cards for a in imaging_actions(c, {want["kind"]})]
        assert len(found) == 1, f"exactly one {want['kind']} suggested, got {len(found)}"
        if want["kind"] != "mri":
            assert not [c for c in cards if imaging_actions(c, {"mri"})], (
                "no MRI when contraindicated"
            )
        resource = found[0]
        if want["priority"] is not None:
            assert resource.get("priority") == want["priority"]
        assert codes(resource, LOINC) & set(want["codes"]), (
            f"{codes(resource, LOINC)} not in {want['codes']}"
        )
    for topic, needles in checks.get("detail_contains", {}).items():
        details = [c.get("detail", "").lower() for c in cards if topic_of(c) == topic]
        assert details and all(n.lower() in details[0] for n in needles), (topic, needles)
    for topic, needles in checks.get("detail_lacks", {}).items():
        details = [c.get("detail", "").lower() for c in cards if topic_of(c) == topic]
        assert details and not any(n.lower() in details[0] for n in needles), (topic, needles)
    for topic in checks.get("no_suggestion", []):
        found = [c for c in cards if topic_of(c) == topic]
        assert found and not found[0].get("suggestions"), f"{topic} must carry no suggestion"


@pytest.mark.parametrize("rel", [r for r in FIXTURES if r.startswith("nice/")] + FIXTURES[:1])
def test_fixture_runs_under_its_guideline_profile(rel: str, app: Flask) -> None:
    assert settings_of(app).guideline_profile == Fixture.parse(rel).profile
