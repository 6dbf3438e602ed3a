"""Build :class:`~cds_service.logic.facts.Facts` from FHIR R4 JSON (placeholder)."""

from __future__ import annotations

from .facts import Facts
from .inputs import HookInput


def build_facts(inp: HookInput) -> Facts:
    """Return the facts of one hook input."""
    return Facts(hook=inp.hook, patient_id=inp.patient_id, now=inp.now, profile=inp.profile)
