"""Validate emitted FHIR resources with fhir.resources (R4B: the library's nearest to R4)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fhir.resources.R4B import get_fhir_model_class


def assert_valid_r4(resource: Mapping[str, Any]) -> None:
    """Fail the test unless ``resource`` parses as its FHIR R4(B) resource type."""
    model = get_fhir_model_class(str(resource["resourceType"]))
    model.model_validate(dict(resource))
