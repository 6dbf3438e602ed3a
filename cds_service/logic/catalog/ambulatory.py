"""``ambulatory-status``: the strongest prognostic factor must be documented.

Sources: Patchell 2005 (outcome depends on ambulation at baseline); NICE NG234 (mobility
at diagnosis is prognostic); evidence file §1.1 row 11.
"""

from __future__ import annotations

from ..cards import Indicator
from ..facts import Ambulatory
from ..facts import Facts
from .base import ALL_HOOKS
from .base import Rule
from .evidence import NICE_NG234
from .evidence import PATCHELL_2005
from .mri import TierDecision
from .plan import Plan
from .render import ambulatory_text


def neurology_present(f: Facts) -> bool:
    """Cord compression, or context with a deficit, sphincter loss or bilateral signs."""
    if f.cord_compression:
        return True
    return f.context and bool(f.motor_deficit or f.sphincter_dysfunction or f.bilateral)


def ambulatory_plan(facts: Facts, _tier: TierDecision) -> list[Plan]:
    """The status card; its variant names a status that is not plain ambulatory."""
    variant = "" if facts.ambulatory is Ambulatory.AMBULATORY else facts.ambulatory.value
    return [Plan(AMBULATORY_STATUS, variant, extra=ambulatory_text(facts))]


AMBULATORY_STATUS = Rule(
    id="ambulatory-status",
    title="Ambulatory status",
    version="1.2.0",
    hooks=ALL_HOOKS,
    requires=frozenset(
        {"cord_compression", "spine_mass", "metastatic_suspicion", "motor_deficit"}
        | {"sphincter_dysfunction", "bilateral", "ambulatory", "ambulatory_evidence"}
    ),
    predicate=neurology_present,
    plan=ambulatory_plan,
    trigger="cord compression, or spine-mass context with a present motor deficit, sphincter dysfunction or bilateral radicular signs",
    indicator=Indicator.INFO,
    summary="Documented ambulatory status: walking; keep it recorded (strongest prognostic factor)",
    variants={
        "not-ambulatory": "Documented ambulatory status: not walking (strongest prognostic factor)",
        "unknown": "Ambulatory status not recorded: document it (strongest prognostic factor)",
    },
    detail=(
        "Ambulatory status before treatment is the strongest predictor of walking after "
        "treatment. {extra}"
    ),
    suggestion="",
    provenance=(PATCHELL_2005, NICE_NG234),
)
