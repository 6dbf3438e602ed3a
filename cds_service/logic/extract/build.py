"""One pass over the hook input: dispatch each resource to its reader, then assemble Facts.

A resource that cannot be read is skipped with a note (``"Observation/x: reason"``), never
an exception: one malformed resource must not cost the patient the facts the others give.
A resource without a usable ``id`` is referred to by its position, ``"Condition/#3"``
(record) or ``"ServiceRequest/#draft-0"`` (draftOrders); ``#`` cannot occur in a FHIR id.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from functools import partial
from typing import Any

from ..facts import Facts
from ..inputs import HookInput
from .assemble import assemble
from .clinical import read_birth_date
from .clinical import read_condition
from .clinical import read_observation
from .fhir import Malformed
from .imaging import read_device
from .imaging import read_done_request_or_report
from .imaging import read_imaging_study
from .imaging import read_procedure
from .orders import read_medication_use
from .orders import read_order
from .records import Collected

Reader = Callable[[Any, str, Collected], None]


def _service_request(res: Any, ref: str, acc: Collected) -> None:
    read_done_request_or_report(res, ref, acc)
    read_order(res, ref, acc, draft=False, selected=False)


def _medication_request(res: Any, ref: str, acc: Collected) -> None:
    read_order(res, ref, acc, draft=False, selected=False)


READERS: dict[str, Reader] = {
    "Condition": read_condition,
    "Observation": read_observation,
    "Procedure": read_procedure,
    "Device": read_device,
    "ServiceRequest": _service_request,
    "MedicationRequest": _medication_request,
    "DiagnosticReport": read_done_request_or_report,
    "ImagingStudy": read_imaging_study,
    "MedicationAdministration": read_medication_use,
    "MedicationStatement": read_medication_use,
}


def ref_of(res: Any, position: str) -> str:
    """Return ``Type/id``, or ``Type/#<position>`` when the resource has no usable id."""
    rtype, rid = res.get("resourceType"), res.get("id")
    if not isinstance(rtype, str) or not rtype:
        rtype = "Resource"
    if isinstance(rid, str) and rid.strip():
        return f"{rtype}/{rid}"
    return f"{rtype}/#{position}"


def _reads(inp: HookInput, acc: Collected) -> Iterator[tuple[Reader, Any, str]]:
    """Each resource of the record, then of ``draftOrders``, with its reader and reference."""

    def read_patient(res: Any, ref: str, acc: Collected) -> None:
        read_birth_date(res, res.get("id") == inp.patient_id, acc)

    for i, res in enumerate(inp.resources):
        if not isinstance(res, dict):
            acc.note(f"resources[{i}]", "not a JSON object")
            continue
        rtype = res.get("resourceType")
        read = read_patient if rtype == "Patient" else READERS.get(rtype)  # type: ignore[arg-type]
        if read is None:
            continue
        rid = res.get("id")  # ref_of's usual case inline: one call fewer per resource
        ref = f"{rtype}/{rid}" if isinstance(rid, str) and rid.strip() else ref_of(res, str(i))
        yield read, res, ref
    selections = set(inp.selections)
    for i, res in enumerate(inp.draft_orders):
        if not isinstance(res, dict):
            acc.note(f"draftOrders[{i}]", "not a JSON object")
            continue
        ref = ref_of(res, f"draft-{i}")
        if res.get("resourceType") in ("ServiceRequest", "MedicationRequest"):
            yield partial(read_order, draft=True, selected=ref in selections), res, ref


def build_facts(inp: HookInput) -> Facts:
    """Return the facts of one hook input (CLINICAL-RULES.md §1).

    Each reader's failure becomes a ``skipped`` note naming the resource only. Besides
    :class:`Malformed`, wrong JSON types deep inside a resource surface as
    ``TypeError``/``AttributeError``/``ValueError``/``KeyError``; they are data errors here.
    """
    acc = Collected(now=inp.now)
    for read, res, ref in _reads(inp, acc):
        try:
            read(res, ref, acc)
        except Malformed as exc:
            acc.note(ref, str(exc))
        except (TypeError, AttributeError, ValueError, KeyError):
            acc.note(ref, "unreadable resource")
    return assemble(acc, inp)
