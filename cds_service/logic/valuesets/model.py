"""The shapes of terminology data: provenance, terms, ICD prefixes and value sets.

Every code the logic matches carries where it was seen and whether that source is
authoritative (``verified``), so a reviewer can audit a card back to the code table
(CLINICAL-RULES.md §1, docs/clinical-evidence-and-codes.md §2 and §6).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..provenance import Provenance
from ..systems import CPT
from ..systems import ICD10CM
from ..systems import LOINC
from ..systems import RADELEMENT
from ..systems import RXNORM
from ..systems import SNOMED
from ..systems import V3_INTERPRETATION

#: Short names for Evidence labels, e.g. "Spinal cord compression (SNOMED CT 71286001)".
SYSTEM_NAMES: Mapping[str, str] = {
    SNOMED: "SNOMED CT",
    ICD10CM: "ICD-10-CM",
    LOINC: "LOINC",
    RXNORM: "RxNorm",
    CPT: "CPT",
    RADELEMENT: "RadElement",
    V3_INTERPRETATION: "v3 ObservationInterpretation",
}


def normalise_code(system: str, code: str) -> str:
    """Return ``code`` in its matching form: ICD-10-CM without dot, upper case (G95.20 -> G9520)."""
    code = code.strip()
    if system == ICD10CM:
        return code.replace(".", "").upper()
    return code


@dataclass(frozen=True)
class Term:
    """One code with its display and provenance."""

    system: str
    code: str
    display: str
    provenance: Provenance

    @property
    def key(self) -> tuple[str, str]:
        return (self.system, normalise_code(self.system, self.code))


@dataclass(frozen=True)
class IcdPrefix:
    """An ICD-10-CM category that matches every code below it (``C79.5`` matches C79.51)."""

    prefix: str
    display: str
    provenance: Provenance

    @property
    def key(self) -> str:
        return normalise_code(ICD10CM, self.prefix)


@dataclass(frozen=True)
class ValueSet:
    """A named set of codes the facts are defined on (CLINICAL-RULES.md §1)."""

    name: str
    description: str
    codes: tuple[Term, ...]
    icd_prefixes: tuple[IcdPrefix, ...] = ()

    @property
    def groups(self) -> Mapping[Provenance, tuple[str, ...]]:
        """Return the codes and prefixes of this set grouped by their provenance."""
        out: dict[Provenance, list[str]] = {}
        for t in self.codes:
            out.setdefault(t.provenance, []).append(t.code)
        for p in self.icd_prefixes:
            out.setdefault(p.provenance, []).append(p.prefix + "-")
        return {k: tuple(v) for k, v in out.items()}

    @property
    def verified(self) -> bool:
        """Every code and prefix of the set comes from a verified source."""
        return all(p.verified for p in self.groups)
