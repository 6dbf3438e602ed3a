"""Validate FHIR R4 resources in tests with the ``fhir.resources`` R4B models.

Only tests use this: parsing with pydantic costs ~100 µs a resource, far too slow for the
request path (performance anchors), but it is the independent check that what we emit and
what our fixtures send is real FHIR.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fhir.resources.R4B import get_fhir_model_class


def assert_valid_r4(resource: Mapping[str, Any]) -> None:
    """Fail with the resource's type/id and the model's complaint when it is not valid FHIR."""
    rtype = resource.get("resourceType")
    assert isinstance(rtype, str), f"not a FHIR resource (no resourceType): {sorted(resource)}"
    try:
        get_fhir_model_class(rtype).model_validate(dict(resource))
    except Exception as exc:  # pydantic ValidationError, or KeyError for an unknown type
        raise AssertionError(f"{rtype}/{resource.get('id')} is not valid FHIR R4: {exc}") from exc
