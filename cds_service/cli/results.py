"""What evaluating one file gave; shared by the evaluate command and its two reports."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any


def card_topic(card: dict[str, Any]) -> str:
    """Return the ``source.topic.code`` of a rendered card ('' when it has none)."""
    return str(((card.get("source") or {}).get("topic") or {}).get("code", ""))


@dataclass(frozen=True)
class FileResult:
    """What one file gave: its cards as CDS Hooks JSON, or why it was skipped."""

    file: str
    patient_id: str = ""
    hook: str = ""
    cards: list[dict[str, Any]] = field(default_factory=list)
    skipped: str | None = None
    other: bool = False  # skipped because it is no patient record (``expectations.json``)

    @property
    def topics(self) -> list[str]:
        return [card_topic(c) for c in self.cards]

    def to_json(self) -> dict[str, Any]:
        if self.skipped is not None:
            return {"file": self.file, "skipped": self.skipped}
        return {
            "file": self.file,
            "patientId": self.patient_id,
            "hook": self.hook,
            "cards": self.cards,
        }
