"""Build :class:`~cds_service.logic.facts.Facts` from FHIR R4 JSON (CLINICAL-RULES.md §1).

Modules: :mod:`.fhir` (defensive readers), :mod:`.clinical` (Conditions, Observations),
:mod:`.imaging` (completed imaging, procedures, devices), :mod:`.orders` (pending orders),
:mod:`.build` (the single pass), :mod:`.assemble` and :mod:`.course` (derived facts).
"""

from __future__ import annotations

from .build import build_facts

__all__ = ["build_facts"]
