"""Narrow each prefetch search to what a rule reads, derived from the value-set data.

An EHR answers every prefetch template on every chart opening; a whole record (thousands
of Observations) per opening is a cost integration teams refuse. Each resource type the
rules read is described here by *which* value sets its reader matches and *which* statuses
it counts (imported from the readers, so the two cannot drift), and the search is built
from the value-set codes themselves: a code added to a value set flows into the template.

Only CDS Hooks 2.0 template syntax is used (``{{context.patientId}}`` and literal search
parameters). FHIR token search has no prefix match, so:

* ICD-10-CM codes are listed with and without the dot (``G95.20`` and ``G9520``); an
  ICD-10-CM *prefix* of a value set (``C79.5`` matches C79.51) is listed as the prefix
  code itself only. Conditions, where ICD-10-CM prefixes carry the meaning (every cancer
  C00-C96), are therefore never narrowed by code.
* A search longer than :data:`MAX_TEMPLATE` characters after expanding the patient id
  drops the systems (``code=123,456`` matches the code in any system: more results, never
  fewer); still too long, it is narrowed by status only.

A resource type without a :class:`Narrowing` keeps its template as it is: unknown means
fetch everything, never less (a new prefetch key is narrowed once it is described here).
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass

from ..logic.extract.clinical import CURRENT_OBSERVATION
from ..logic.extract.imaging import DONE_STATUSES
from ..logic.extract.orders import GIVEN_STATUSES
from ..logic.extract.orders import KINDS
from ..logic.extract.orders import PENDING
from ..logic.systems import ICD10CM
from ..logic.valuesets import VALUESETS
from ..logic.valuesets import VS

#: CDS Hooks 2.0 recommends keeping a prefetch URL short enough for any server; 2,000
#: characters is the common GET limit of proxies and EHR gateways.
MAX_TEMPLATE = 2000
#: The longest patient id the length check assumes (FHIR ids are at most 64 characters).
PATIENT_ID_CHARS = 64
PATIENT_TOKEN = "{{context.patientId}}"

#: Drug orders are MedicationRequests: a ServiceRequest is never read as dexamethasone.
_SERVICE_REQUEST_SETS = frozenset(vs for vs, _ in KINDS) - {VS.DEXAMETHASONE} | {VS.MRI_SPINE}
_PROCEDURE_SETS = frozenset({VS.MRI_SPINE, VS.PRIOR_RADIOTHERAPY, VS.MRI_CONTRA_PROCEDURE})
#: The value sets the facts take from Observations (``assemble``: SINS, ECOG, deficits and
#: the symptoms). Paraparesis and the symptom regions only qualify Observations that are
#: already in these sets, so their own codes add nothing.
_OBSERVATION_SETS = frozenset(
    {
        VS.SINS,
        VS.ECOG,
        VS.MOTOR_DEFICIT,
        VS.BACK_PAIN,
        VS.RADICULAR_PAIN,
        VS.SPHINCTER,
        VS.WHEELCHAIR,
    }
)


@dataclass(frozen=True)
class Narrowing:
    """How to narrow one resource type's search.

    :param code_param: the token search parameter over the element the reader matches
        (``None``: that element has no search parameter, or a reference hides the code).
    :param value_sets: the value sets whose codes the reader acts on.
    :param statuses: the statuses the reader counts; ``()`` when a missing status still
        counts (a server's ``status=`` search would drop such a resource).
    """

    code_param: str | None
    value_sets: frozenset[VS] = frozenset()
    statuses: tuple[str, ...] = ()


NARROWINGS: Mapping[str, Narrowing] = {
    # Conditions: ICD-10-CM prefixes (C00-C96 ...) cannot be listed, and a missing
    # clinicalStatus still counts: the whole problem list, as before.
    "Condition": Narrowing(None),
    # ``combo-code``: the code or a component's code (an MRC grade recorded as a component
    # of an examination panel is a deficit Observation, CLINICAL-RULES.md §1).
    "Observation": Narrowing("combo-code", _OBSERVATION_SETS, tuple(sorted(CURRENT_OBSERVATION))),
    "Procedure": Narrowing("code", _PROCEDURE_SETS, ("completed",)),
    # Completed spine-MRI requests (mri_done) and pending orders of every known kind.
    "ServiceRequest": Narrowing(
        "code", _SERVICE_REQUEST_SETS, tuple(sorted(PENDING | {"completed"}))
    ),
    # A drug named by a reference to a contained Medication is invisible to ``code``.
    "MedicationRequest": Narrowing(None, statuses=tuple(sorted(PENDING))),
    "DiagnosticReport": Narrowing(
        "code", frozenset({VS.MRI_SPINE}), tuple(sorted(DONE_STATUSES["DiagnosticReport"]))
    ),
    # A Device without a status counts as active: narrowed by type only.
    "Device": Narrowing("type", frozenset({VS.MRI_CONTRA_DEVICE})),
    # ImagingStudy has no search parameter over procedureCode in R4.
    "ImagingStudy": Narrowing(None, statuses=("available",)),
    # Dexamethasone given or taken: the drug may sit in a contained Medication, so by status.
    "MedicationAdministration": Narrowing(
        None, statuses=tuple(sorted(GIVEN_STATUSES["MedicationAdministration"]))
    ),
    "MedicationStatement": Narrowing(
        None, statuses=tuple(sorted(GIVEN_STATUSES["MedicationStatement"]))
    ),
}


def tokens(value_sets: Iterable[VS], *, with_system: bool = True) -> list[str]:
    """The token search values of every code in ``value_sets``, sorted, without repeats.

    ICD-10-CM codes (and prefixes, as codes) come with and without their dot.
    """
    found: set[tuple[str, str]] = set()
    for name in value_sets:
        vs = VALUESETS[name]
        for term in vs.codes:
            found.update((term.system, c) for c in _spellings(term.system, term.code))
        for prefix in vs.icd_prefixes:
            found.update((ICD10CM, c) for c in _spellings(ICD10CM, prefix.prefix))
    if with_system:
        return sorted(f"{system}|{code}" for system, code in found)
    return sorted({code for _, code in found})


def _spellings(system: str, code: str) -> tuple[str, ...]:
    if system != ICD10CM:
        return (code,)
    return tuple(dict.fromkeys((code, code.replace(".", ""))))


def expanded_length(template: str) -> int:
    """The template's length once the patient id (at its longest) is filled in."""
    return len(template.replace(PATIENT_TOKEN, "x" * PATIENT_ID_CHARS))


def narrow(template: str) -> str:
    """Return ``template`` narrowed per :data:`NARROWINGS` (unchanged for other types)."""
    rtype, _, query = template.partition("?")
    rule = NARROWINGS.get(rtype)
    if rule is None or not query:
        return template
    status = f"&status={','.join(rule.statuses)}" if rule.statuses else ""
    if rule.code_param and rule.value_sets:
        for with_system in (True, False):
            codes = ",".join(tokens(rule.value_sets, with_system=with_system))
            candidate = f"{template}&{rule.code_param}={codes}{status}"
            if expanded_length(candidate) < MAX_TEMPLATE:
                return candidate
    return template + status


def narrowed(templates: Mapping[str, str]) -> dict[str, str]:
    """Narrow every template of a prefetch mapping."""
    return {key: narrow(template) for key, template in templates.items()}
