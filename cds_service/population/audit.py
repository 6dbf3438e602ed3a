"""The NICE NG234 (1.1.1-1.1.2) MSCC audit: how many, and how fast were they imaged and treated.

Who counts: ``mscc`` of CLINICAL-RULES.md §1 (cord compression, suspected or confirmed,
together with cancer or metastatic suspicion), read from the same :class:`Facts` the rules
see, so the audit and the cards can never disagree about a patient.

Per MSCC patient (:class:`AuditFacts`):

- first neurological sign: the earliest dated current motor deficit (incl. paraparesis),
  sphincter dysfunction or radicular pain, or the deficit onset; none dated = unknown;
- completed spine MRI: the earliest MRI that counts as ``mri_done`` (after the newest symptom
  onset, whole spine when metastatic suspicion: §1), so an old MRI never reads as timely;
- dexamethasone started: a dexamethasone order the rules count as active (§1), not held;
- surgical or oncology referral: a neurosurgery or radiotherapy referral in the record,
  not held.

The figures: hours from first sign to MRI (median, 90th percentile by the nearest-rank
method, share within 24 h) over patients with both times known; the shares with
dexamethasone and with a referral over all MSCC patients; the patients still without MRI.
"""

from __future__ import annotations

import html
import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..logic.facts import Facts
from ..logic.facts import OrderKind

DEFINITION = (
    "mscc (CLINICAL-RULES.md §1): cord compression, suspected or confirmed, with cancer or "
    "metastatic suspicion"
)
_REFERRALS = (OrderKind.REFERRAL_NEUROSURGERY, OrderKind.REFERRAL_RADIOTHERAPY)


@dataclass(frozen=True)
class AuditFacts:
    """One MSCC patient's audit data (times are timezone-aware)."""

    patient_id: str
    first_sign: datetime | None
    mri: datetime | None
    dexamethasone: bool
    referral: bool

    @property
    def hours_to_mri(self) -> float | None:
        if self.first_sign is None or self.mri is None:
            return None
        return (self.mri - self.first_sign).total_seconds() / 3600


def audit_facts(facts: Facts) -> AuditFacts | None:
    """Return the audit data of an MSCC patient, ``None`` for anyone else."""
    if not (facts.cord_compression and (facts.cancer or facts.metastatic_suspicion)):
        return None
    signs = facts.motor_deficit | facts.paraparesis | facts.sphincter_dysfunction
    signs = signs | facts.radicular_pain
    times = [e.when for e in signs.evidence if e.when is not None]
    if facts.deficit_onset is not None:
        times.append(facts.deficit_onset)
    mri_times = [e.when for e in facts.mri_done.evidence if e.when is not None]
    active = [o for o in facts.orders if o.resource.get("status") != "on-hold"]
    return AuditFacts(
        patient_id=facts.patient_id,
        first_sign=min(times, default=None),
        mri=min(mri_times, default=None),
        dexamethasone=any(o.kind is OrderKind.DEXAMETHASONE for o in active),
        referral=any(o.kind in _REFERRALS for o in active),
    )


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def nearest_rank(values: list[float], percent: float) -> float:
    """The ``percent`` percentile by the nearest-rank method (a value that occurred)."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(percent / 100 * len(ordered))) - 1]


def audit_report(patients: Iterable[AuditFacts]) -> dict[str, Any]:
    """The audit figures over ``patients`` (MSCC patients only), as ``audit.json`` holds them."""
    cases = sorted(patients, key=lambda p: p.patient_id)
    n = len(cases)
    hours = [h for p in cases if (h := p.hours_to_mri) is not None]
    without = [p.patient_id for p in cases if p.mri is None]
    dex = sum(p.dexamethasone for p in cases)
    referral = sum(p.referral for p in cases)
    return {
        "definition": DEFINITION,
        "mscc_patients": n,
        "first_sign_unknown": sum(1 for p in cases if p.first_sign is None),
        "sign_to_mri_hours": {
            "patients": len(hours),
            "median": round(statistics.median(hours), 2) if hours else None,
            "p90": round(nearest_rank(hours, 90), 2) if hours else None,
            "within_24h": _share(sum(1 for h in hours if h <= 24), len(hours)),
        },
        "dexamethasone_started": {"patients": dex, "share": _share(dex, n)},
        "surgical_or_oncology_referral": {"patients": referral, "share": _share(referral, n)},
        "without_mri": {"patients": len(without), "share": _share(len(without), n)},
        "patients_without_mri": without,
    }


def render_section(audit: dict[str, Any]) -> str:
    """The audit as an HTML section for the self-contained report page."""
    timing = audit["sign_to_mri_hours"]

    def hours(value: float | None) -> str:
        return "unknown" if value is None else f"{value:.1f} h"

    rows = [
        ("MSCC patients", str(audit["mscc_patients"])),
        ("first neurological sign unknown", str(audit["first_sign_unknown"])),
        ("sign to MRI: patients with both times", str(timing["patients"])),
        ("sign to MRI: median", hours(timing["median"])),
        ("sign to MRI: 90th percentile", hours(timing["p90"])),
        ("sign to MRI: within 24 h", f"{timing['within_24h']:.0%}"),
        (
            "dexamethasone started",
            f"{audit['dexamethasone_started']['patients']} "
            f"({audit['dexamethasone_started']['share']:.0%})",
        ),
        (
            "surgical or oncology referral",
            f"{audit['surgical_or_oncology_referral']['patients']} "
            f"({audit['surgical_or_oncology_referral']['share']:.0%})",
        ),
        (
            "still without MRI",
            f"{audit['without_mri']['patients']} ({audit['without_mri']['share']:.0%})",
        ),
    ]
    table = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in rows)
    waiting = ", ".join(html.escape(p) for p in audit["patients_without_mri"]) or "none"
    return (
        '<section id="audit"><h2>NICE NG234 MSCC audit</h2>'
        f"<p>{html.escape(audit['definition'])}.</p><table>{table}</table>"
        f"<p>Patients still without MRI: {waiting}</p></section>"
    )
