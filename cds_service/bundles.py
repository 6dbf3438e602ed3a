"""Turn a patient's FHIR Bundle, or a CDS Hooks request, into what the service evaluates.

The CLI, the preview page and the tests all start from files people already have: a
``$everything`` searchset, a Synthea-style transaction, a hand-made collection, or a
recorded CDS Hooks request. This module reads any of them into one :class:`Record` and
turns that into either a :class:`~cds_service.logic.inputs.HookInput` (evaluate offline) or
a complete CDS Hooks request (every prefetch key present, so the service never needs a FHIR
callback). It performs no I/O beyond what its caller hands it.

Draft orders: in a Bundle, a ``ServiceRequest`` or ``MedicationRequest`` with ``status``
``draft`` is an order being written in this session. For ``order-select``/``order-sign`` it
becomes a ``context.draftOrders`` entry (and, for ``order-select``, a selection); for
``patient-view`` it stays in the record, where a draft counts as a pending order (§1).

Resource types the service's prefetch templates do not ask for (Encounter, Claim, ... in a
Synthea export) are dropped on reading, so the offline result is the one the service gives.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import hook_input
from .errors import InvalidRequest
from .errors import Issue
from .fhir_json import resources_of
from .hooks.prefetch_templates import RECORD_PREFETCH
from .logic.inputs import HOOKS
from .logic.inputs import HookInput

Resource = dict[str, Any]
ORDER_TYPES = ("ServiceRequest", "MedicationRequest")
#: Prefetch key of each resource type of RECORD_PREFETCH (the ``patient`` key is special).
_KEY_OF_TYPE = {
    template.split("?", 1)[0]: key for key, template in RECORD_PREFETCH.items() if "?" in template
}

#: Resource types a CDS Hooks call of this service can carry (Patient + the search keys).
RECORD_TYPES = frozenset({"Patient", *_KEY_OF_TYPE})


@dataclass(frozen=True)
class Record:
    """One patient's record, the orders being drafted, and the hook a request named."""

    patient_id: str
    resources: tuple[Resource, ...]
    drafts: tuple[Resource, ...] = ()
    selections: tuple[str, ...] | None = None  # None: every draft is selected
    hook: str | None = None  # the hook of a CDS Hooks request; None for a Bundle

    def hook_input(self, hook: str, *, now: datetime, profile: str) -> HookInput:
        """Return the logic's input for ``hook`` (see the module docstring for drafts).

        Built by :func:`cds_service.hook_input.build`, as the service builds it: duplicates
        count once and another patient's resources are dropped.
        """
        order_hook = hook != "patient-view"
        return hook_input.build(
            hook,
            self.patient_id,
            record=self.resources if order_hook else self.resources + self.drafts,
            drafts=self.drafts,
            selections=self._selected(),
            now=now,
            profile=profile,
        )

    def cds_request(self, hook: str, *, hook_instance: str) -> dict[str, Any]:
        """Return a CDS Hooks 2.0 request for ``hook`` with every prefetch key filled."""
        order_hook = hook != "patient-view"
        record = self.resources if order_hook else self.resources + self.drafts
        context: dict[str, Any] = {"userId": "Practitioner/preview", "patientId": self.patient_id}
        if order_hook:
            context["draftOrders"] = _bundle("collection", self.drafts)
        if hook == "order-select":
            context["selections"] = list(self._selected())
        return {
            "hook": hook,
            "hookInstance": hook_instance,
            "context": context,
            "prefetch": _prefetch(record),
        }

    def _selected(self) -> tuple[str, ...]:
        if self.selections is not None:
            return self.selections
        return tuple(_ref(r) for r in self.drafts)


def check_hook(hook: str) -> str:
    """Return ``hook`` if it is one this service answers, else raise InvalidRequest."""
    if hook not in HOOKS:
        raise InvalidRequest([Issue(f"Unknown hook '{hook}'; one of {', '.join(HOOKS)}.", "hook")])
    return hook


def read(doc: Any) -> Record:
    """Read a Bundle or a CDS Hooks request; raise :class:`InvalidRequest` for anything else."""
    if isinstance(doc, Mapping) and doc.get("resourceType") == "Bundle":
        return _from_bundle(doc)
    if isinstance(doc, Mapping) and "hook" in doc and isinstance(doc.get("context"), Mapping):
        return _from_request(doc)
    raise InvalidRequest([Issue("Expected a FHIR Bundle or a CDS Hooks request.", "$")])


def _from_bundle(bundle: Mapping[str, Any]) -> Record:
    # Only what the service's prefetch can carry, so offline and served results agree.
    resources = [r for r in resources_of(bundle) if r.get("resourceType") in RECORD_TYPES]
    patients = [r for r in resources if r.get("resourceType") == "Patient"]
    if len(patients) != 1:
        raise InvalidRequest(
            [Issue(f"Bundle must hold exactly one Patient, found {len(patients)}.", "$.entry")]
        )
    drafts = tuple(r for r in resources if _is_draft(r))
    record = tuple(r for r in resources if not _is_draft(r))
    return Record(patient_id=str(patients[0].get("id", "")), resources=record, drafts=drafts)


def _from_request(body: Mapping[str, Any]) -> Record:
    context = body["context"]
    prefetch = body.get("prefetch") or {}
    resources = tuple(r for value in prefetch.values() for r in resources_of(value))
    selections = context.get("selections")
    return Record(
        patient_id=str(context.get("patientId", "")),
        resources=resources,
        drafts=tuple(resources_of(context.get("draftOrders"))),
        selections=tuple(s for s in selections if isinstance(s, str)) if selections else None,
        hook=str(body["hook"]),
    )


def _is_draft(resource: Mapping[str, Any]) -> bool:
    return resource.get("resourceType") in ORDER_TYPES and resource.get("status") == "draft"


def _ref(resource: Mapping[str, Any]) -> str:
    return f"{resource.get('resourceType')}/{resource.get('id')}"


def _bundle(kind: str, resources: tuple[Resource, ...] | list[Resource]) -> dict[str, Any]:
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": kind}
    if kind == "searchset":
        bundle["total"] = len(resources)
    if resources:  # FHIR forbids empty arrays
        bundle["entry"] = [{"fullUrl": _ref(r), "resource": r} for r in resources]
    return bundle


def _prefetch(record: tuple[Resource, ...]) -> dict[str, Any]:
    """Sort the record into the RECORD_PREFETCH keys; an empty search is an empty searchset."""
    by_key: dict[str, list[Resource]] = {key: [] for key in _KEY_OF_TYPE.values()}
    patient: Resource | None = None
    for resource in record:
        rtype = resource.get("resourceType")
        if rtype == "Patient":
            patient = resource
        elif rtype in _KEY_OF_TYPE:
            by_key[_KEY_OF_TYPE[rtype]].append(resource)
    prefetch: dict[str, Any] = {"patient": patient}
    prefetch.update({key: _bundle("searchset", rs) for key, rs in by_key.items()})
    return prefetch
