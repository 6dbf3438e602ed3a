"""``stability-assessment``: vertebral malignancy with no stability assessment recorded.

Source: SINS (Fisher 2010, Spine 35:E1221; Fourney 2011), adopted by the Dutch guideline
Wervelmetastasen (module Bepalen stabiliteit wervelkolom). Overlooking instability in
extradural disease is a named pitfall (evidence file §1.1 row 12).
"""

from __future__ import annotations

from ..cards import Indicator
from ..facts import Facts
from .base import ALL_HOOKS
from .base import Rule
from .evidence import CEPO_2012
from .evidence import SINS_FISHER_2010
from .mri import TierDecision
from .plan import Plan


def stability_unassessed(f: Facts) -> bool:
    return bool(f.vertebral_malignancy) and not f.instability and not f.sins_recorded


def stability_plan(facts: Facts, _tier: TierDecision) -> list[Plan]:
    """The card asks for a SINS score: no suggestion, nothing to vary."""
    return [Plan(STABILITY_ASSESSMENT)]


STABILITY_ASSESSMENT = Rule(
    id="stability-assessment",
    title="Record a spinal stability score (SINS)",
    version="1.2.0",
    hooks=ALL_HOOKS,
    requires=frozenset({"vertebral_malignancy", "instability", "sins_recorded"}),
    predicate=stability_unassessed,
    plan=stability_plan,
    trigger="a vertebral metastasis or malignant vertebral mass (including a bone metastasis at a spinal site and presumed MSCC) with no instability fact and no SINS Observation at all",
    indicator=Indicator.INFO,
    summary="Vertebral malignancy without a stability assessment: record a SINS score",
    detail=(
        "Spinal instability is easily overlooked in extradural disease: record the Spinal "
        "Instability Neoplastic Score (SINS, 0-18) from its six components, **location**, "
        "**pain** (mechanical or not), **bone lesion** quality, radiographic **alignment**, "
        "vertebral body **collapse** and **posterolateral** involvement. SINS 0-6 is stable "
        "and 7-12 potentially unstable: **SINS 7 or more warrants surgical consultation**."
    ),
    suggestion="",
    provenance=(SINS_FISHER_2010, CEPO_2012),
)
