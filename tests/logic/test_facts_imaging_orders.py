"""MRI contraindications, MRI done, and pending orders from the record and draftOrders."""

from __future__ import annotations

from typing import Any

import pytest

from cds_service.logic.extract import build_facts
from cds_service.logic.facts import Facts
from cds_service.logic.facts import OrderKind
from cds_service.logic.facts import Priority
from cds_service.logic.facts import Region
from tests.fhir_builders import CPT
from tests.fhir_builders import ICD
from tests.fhir_builders import LOINC
from tests.fhir_builders import SNOMED
from tests.fhir_builders import ago
from tests.fhir_builders import condition
from tests.fhir_builders import device
from tests.fhir_builders import diagnostic_report
from tests.fhir_builders import hook_input
from tests.fhir_builders import imaging_study
from tests.fhir_builders import medication_request
from tests.fhir_builders import observation
from tests.fhir_builders import procedure
from tests.fhir_builders import service_request

MRI_WHOLE = "30855-1"


def facts(*resources: Any, **kw: Any) -> Facts:
    return build_facts(hook_input(*resources, **kw))


@pytest.mark.parametrize(
    "res",
    [
        condition("pm", SNOMED, "441509002"),
        condition("pm", ICD, "Z95.0"),
        condition("pm", ICD, "Z95.810"),
        device("pm", "424921004"),
        device("pm", "72506001", status="active"),
        procedure("pm", SNOMED, "359612003"),
    ],
    ids=["sct-condition", "icd-pacemaker", "icd-aicd", "device", "icd-device", "cochlear"],
)
def test_mri_contraindications(res: dict[str, Any]) -> None:
    f = facts(res)
    assert f.mri_contraindication.refs == (f"{res['resourceType']}/pm",)


def test_inactive_device_or_resolved_condition_is_no_contraindication() -> None:
    f = facts(
        device("d", "424921004", status="inactive"),
        condition("c", SNOMED, "441509002", clinical="resolved"),
    )
    assert not f.mri_contraindication


MRI_DONE_RESOURCES = [
    service_request("x", LOINC, MRI_WHOLE, status="completed", occurrenceDateTime=ago(2)),
    service_request(
        "x", LOINC, MRI_WHOLE, status="completed", occurrencePeriod={"start": ago(3), "end": ago(2)}
    ),
    service_request("x", CPT, "72148", status="completed", authoredOn=ago(2)),
    procedure("x", LOINC, MRI_WHOLE, performedDateTime=ago(2)),
    procedure("x", LOINC, MRI_WHOLE, performedPeriod={"start": ago(3), "end": ago(2)}),
    diagnostic_report("x", MRI_WHOLE, effectiveDateTime=ago(2)),
    diagnostic_report("x", MRI_WHOLE, status="amended", issued=ago(2)),
    imaging_study("x", MRI_WHOLE, started=ago(2)),
]
IDS = ["sr-occurrence", "sr-period", "sr-authored", "proc", "proc-period", "dr", "dr-issued", "is"]


@pytest.mark.parametrize("res", MRI_DONE_RESOURCES, ids=IDS)
def test_mri_after_onset_is_done(res: dict[str, Any]) -> None:
    f = facts(res, condition("w", SNOMED, "713514005", onset=ago(5)))
    assert f.mri_done.refs == (f"{res['resourceType']}/x",)
    assert f.mri_done.evidence[0].when is not None


@pytest.mark.parametrize("res", MRI_DONE_RESOURCES, ids=IDS)
def test_mri_before_newest_onset_is_not_done(res: dict[str, Any]) -> None:
    f = facts(
        res,
        condition("old", SNOMED, "161891005", onset=ago(30)),
        condition("new", SNOMED, "713514005", onset=ago(1)),
    )
    assert not f.mri_done


def test_follow_up_record_of_a_known_symptom_keeps_mri_done() -> None:
    f = facts(
        diagnostic_report("x", MRI_WHOLE, effectiveDateTime=ago(3)),
        observation("s1", SNOMED, "713514005", when=ago(6), valueInteger=4),
        observation("s2", SNOMED, "713514005", when=ago(1), valueInteger=4),
    )
    assert f.mri_done.refs == ("DiagnosticReport/x",)


def test_new_symptom_after_the_mri_makes_it_not_done() -> None:
    f = facts(
        diagnostic_report("x", MRI_WHOLE, effectiveDateTime=ago(3)),
        observation("s1", SNOMED, "713514005", when=ago(6), valueInteger=4),
        observation("u", SNOMED, "267064002", when=ago(1)),
    )
    assert not f.mri_done


@pytest.mark.parametrize("res", MRI_DONE_RESOURCES, ids=IDS)
def test_mri_within_14_days_is_done_when_no_onset_known(res: dict[str, Any]) -> None:
    assert facts(res, condition("w", SNOMED, "713514005")).mri_done


def test_mri_older_than_14_days_without_onset_is_not_done() -> None:
    f = facts(diagnostic_report("x", MRI_WHOLE, effectiveDateTime=ago(15)))
    assert not f.mri_done


@pytest.mark.parametrize(
    "res",
    [
        service_request("x", LOINC, MRI_WHOLE, status="active", occurrenceDateTime=ago(1)),
        procedure("x", LOINC, MRI_WHOLE, status="in-progress", performedDateTime=ago(1)),
        diagnostic_report("x", MRI_WHOLE, status="preliminary", effectiveDateTime=ago(1)),
        imaging_study("x", MRI_WHOLE, status="registered", started=ago(1)),
        diagnostic_report("x", "24972-2", effectiveDateTime=ago(1)),  # an X-ray is no MRI
    ],
)
def test_unfinished_or_non_mri_imaging_is_not_done(res: dict[str, Any]) -> None:
    assert not facts(res).mri_done


def test_completed_mri_without_date_is_not_done_and_noted() -> None:
    f = facts(imaging_study("x", MRI_WHOLE))
    assert not f.mri_done
    assert f.skipped == ("ImagingStudy/x: completed MRI has no date, cannot be placed in time",)


@pytest.mark.parametrize(
    ("system", "code", "kind", "region"),
    [
        (LOINC, "30855-1", OrderKind.MRI_SPINE, Region.WHOLE),
        (LOINC, "36400-0", OrderKind.MRI_SPINE, Region.UNSPECIFIED),
        (LOINC, "24968-0", OrderKind.MRI_SPINE, Region.LUMBAR),
        (CPT, "72141", OrderKind.MRI_SPINE, Region.CERVICAL),
        (CPT, "72157", OrderKind.MRI_SPINE, Region.THORACIC),
        (LOINC, "47985-7", OrderKind.CT_MYELOGRAPHY, Region.UNSPECIFIED),
        (LOINC, "24965-6", OrderKind.CT_MYELOGRAPHY, Region.LUMBAR),
        (LOINC, "24946-6", OrderKind.XRAY_SPINE, Region.CERVICAL),
        (CPT, "72100", OrderKind.XRAY_SPINE, Region.LUMBAR),
        (SNOMED, "308482002", OrderKind.REFERRAL_NEUROSURGERY, None),
        (SNOMED, "306256000", OrderKind.REFERRAL_RADIOTHERAPY, None),
        (LOINC, "24986-2", OrderKind.SPINE_BIOPSY, None),
    ],
)
def test_pending_service_request_kinds_and_regions(
    system: str, code: str, kind: OrderKind, region: Region | None
) -> None:
    f = facts(service_request("o", system, code))
    (order,) = f.orders
    assert (order.ref, order.kind, order.region) == ("ServiceRequest/o", kind, region)
    assert not order.in_draft and not order.selected
    assert order.priority is None and order.effective_priority is Priority.ROUTINE


@pytest.mark.parametrize("status", ["active", "draft"])
def test_pending_statuses(status: str) -> None:
    assert facts(medication_request("m", "197582", status=status)).pending(OrderKind.DEXAMETHASONE)


def test_an_on_hold_order_is_held_and_addresses_nothing() -> None:
    f = facts(medication_request("m", "197582", status="on-hold"))
    assert not f.pending(OrderKind.DEXAMETHASONE)
    assert [o.ref for o in f.blocked(OrderKind.DEXAMETHASONE)] == ["MedicationRequest/m"]


@pytest.mark.parametrize("status", ["completed", "cancelled", "revoked", "entered-in-error"])
def test_finished_orders_are_not_pending(status: str) -> None:
    assert not facts(service_request("o", LOINC, MRI_WHOLE, status=status)).orders


@pytest.mark.parametrize("code", ["3264", "197582", "1116927"])
def test_dexamethasone_oral_and_injectable(code: str) -> None:
    (order,) = facts(medication_request("m", code)).orders
    assert order.kind is OrderKind.DEXAMETHASONE


def test_dexamethasone_via_contained_medication() -> None:
    med = medication_request("m", "197582")
    med["contained"] = [
        {"resourceType": "Medication", "id": "med", "code": med.pop("medicationCodeableConcept")}
    ]
    med["medicationReference"] = {"reference": "#med"}
    assert facts(med).pending(OrderKind.DEXAMETHASONE)


@pytest.mark.parametrize("priority", list(Priority))
def test_priority_is_read(priority: Priority) -> None:
    (order,) = facts(service_request("o", LOINC, MRI_WHOLE, priority=priority.code)).orders
    assert order.priority is priority


def test_unknown_priority_reads_as_none() -> None:
    (order,) = facts(service_request("o", LOINC, MRI_WHOLE, priority="whenever")).orders
    assert order.priority is None


def test_draft_orders_are_in_draft_and_selected_by_selections() -> None:
    drafts = (
        service_request("xr", LOINC, "24972-2", status="draft"),
        service_request("mri", LOINC, MRI_WHOLE, status="draft", priority="stat"),
    )
    f = facts(draft_orders=drafts, selections=("ServiceRequest/xr",), hook="order-select")
    by_ref = {o.ref: o for o in f.orders}
    assert by_ref["ServiceRequest/xr"].selected and by_ref["ServiceRequest/xr"].in_draft
    assert not by_ref["ServiceRequest/mri"].selected
    assert by_ref["ServiceRequest/mri"].resource is drafts[1]


def test_draft_wins_over_its_record_twin() -> None:
    record = service_request("o", LOINC, MRI_WHOLE, priority="routine")
    draft = service_request("o", LOINC, MRI_WHOLE, status="draft", priority="stat")
    f = facts(record, draft_orders=(draft,), hook="order-sign")
    (order,) = f.orders
    assert order.in_draft and order.priority is Priority.STAT


def test_sandbox_draft_with_empty_coding_is_ignored_with_a_note() -> None:
    draft = service_request("sandbox", LOINC, MRI_WHOLE, status="draft", intent="plan")
    draft["code"] = {"coding": [{}]}
    good = service_request("mri", LOINC, MRI_WHOLE, status="draft", intent="plan")
    f = facts(draft_orders=(draft, good), hook="order-sign")
    assert [o.ref for o in f.orders] == ["ServiceRequest/mri"]
    assert f.skipped == ("ServiceRequest/sandbox: draft order has no usable code, ignored",)


def test_sandbox_medication_request_with_category_object() -> None:
    med = medication_request("m", "197582", status="draft", category={"text": "inpatient"})
    f = facts(draft_orders=(med,), hook="order-sign")
    assert f.pending(OrderKind.DEXAMETHASONE)[0].in_draft


def test_orders_of_no_known_kind_are_left_out() -> None:
    neurologist = service_request("o", SNOMED, "308474002")
    plain_ct = service_request("ct", LOINC, "28566-8", status="draft")
    f = facts(neurologist, draft_orders=(plain_ct,))
    assert f.orders == ()
