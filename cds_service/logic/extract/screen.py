"""The screen before the facts: can this record give spine-mass context at all?

An EHR calls ``patient-view`` on every chart it opens, and nearly every chart has nothing
to do with a spine mass. No rule fires without spine-mass context (``Facts.context``), and
that context comes only from Conditions coded in :data:`CONTEXT_SETS` (CLINICAL-RULES.md
§1 ``spine_mass``, ``cancer``, ``metastatic_suspicion``, ``cord_compression``; see
:func:`.assemble.assemble`). A record without such a Condition therefore gets no card, and
the service answers it without building the facts.

The screen only ever says "maybe" too often: any Condition with such a code counts, whatever
its status, date or site, so the full path decides every record that could have context.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..valuesets import VS
from .fhir import coded

#: Every value set through which a Condition can give spine-mass context.
CONTEXT_SETS = frozenset(
    {
        VS.SPINE_MASS,
        VS.SPINE_MASS_HISTOLOGY,
        VS.BONE_METASTASIS,
        VS.INTRADURAL_SECONDARY,
        VS.MALIGNANCY,
        VS.CANCER_HISTORY,
        VS.METASTASIS,
        VS.UNKNOWN_PRIMARY,
        VS.CORD_COMPRESSION,
    }
)


def may_have_context(resources: Iterable[Any]) -> bool:
    """False only when no Condition of ``resources`` is coded in :data:`CONTEXT_SETS`."""
    for res in resources:
        if (
            isinstance(res, dict)
            and res.get("resourceType") == "Condition"
            and not CONTEXT_SETS.isdisjoint(coded(res.get("code"))[1])
        ):
            return True
    return False
