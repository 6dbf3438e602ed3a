"""CDS service descriptors; discovery is computed from them, never kept by hand."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any


@dataclass(frozen=True)
class ServiceDescriptor:
    """One CDS service: what discovery says about it and the context it requires.

    :param id: URL segment, ``{base}/cds-services/{id}``.
    :param hook: the CDS hook it answers.
    :param prefetch: prefetch key -> FHIR query template (``{{context.patientId}}`` tokens only).
    :param context_required: context fields the hook definition marks REQUIRED.
    :param prefetch_required: keys without which the service cannot answer (412); any other
        key that cannot be obtained is reported as unavailable instead.
    :param unavailable_means: per optional key, what goes unchecked without it (card text).
    """

    id: str
    hook: str
    title: str
    description: str
    prefetch: Mapping[str, str]
    usage_requirements: str
    context_required: tuple[str, ...]
    prefetch_required: tuple[str, ...] = ()
    unavailable_means: Mapping[str, str] = field(default_factory=dict)

    def discovery_entry(self) -> dict[str, Any]:
        """Render as a CDS Hooks 2.0 discovery service object."""
        return {
            "hook": self.hook,
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "prefetch": dict(self.prefetch),
            "usageRequirements": self.usage_requirements,
        }


class Registry:
    """The services this deployment offers, by id."""

    def __init__(self, services: tuple[ServiceDescriptor, ...]) -> None:
        ids = [s.id for s in services]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate CDS service ids: {ids}")
        self._by_id = {s.id: s for s in services}

    def get(self, service_id: str) -> ServiceDescriptor | None:
        return self._by_id.get(service_id)

    def discovery(self) -> dict[str, Any]:
        """Return the body of ``GET /cds-services``."""
        return {"services": [s.discovery_entry() for s in self._by_id.values()]}
