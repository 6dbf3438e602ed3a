"""Validate FHIR R4 resources the service emits, with ``fhir.resources.R4B``.

Pydantic models check structure and datatypes but not required-binding codes, so the
few code elements a request resource must get right (``status``, ``intent``,
``priority``) are checked against their R4 value sets here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

REQUEST_STATUS = {
    "draft",
    "active",
    "on-hold",
    "revoked",
    "completed",
    "entered-in-error",
    "unknown",
}
MEDICATION_REQUEST_STATUS = REQUEST_STATUS | {"cancelled", "stopped"}
REQUEST_INTENT = {
    "proposal",
    "plan",
    "directive",
    "order",
    "original-order",
    "reflex-order",
    "filler-order",
    "instance-order",
    "option",
}
REQUEST_PRIORITY = {"routine", "urgent", "asap", "stat"}


def assert_valid_r4(resource: Mapping[str, Any]) -> None:
    """Fail unless ``resource`` is a valid FHIR R4 resource (structure and key codes)."""
    kind = resource.get("resourceType")
    assert isinstance(kind, str), f"no resourceType in {resource!r}"
    get_fhir_model_class(kind).model_validate(dict(resource))
    if kind in ("ServiceRequest", "MedicationRequest"):
        statuses = REQUEST_STATUS if kind == "ServiceRequest" else MEDICATION_REQUEST_STATUS
        assert resource["status"] in statuses, resource["status"]
        assert resource["intent"] in REQUEST_INTENT, resource["intent"]
        if "priority" in resource:
            assert resource["priority"] in REQUEST_PRIORITY, resource["priority"]
