"""The start-up check of the rule catalog: a bad rule stops the service, not a patient.

:func:`cds_service.logic.validate_catalog` checks the rules and value sets; here, outside
the sans-IO logic package, one of every resource the cards can suggest is validated as
FHIR R4 with ``fhir.resources.R4B`` (pydantic models). It runs once at start-up; the
request path never parses FHIR models.
"""

from __future__ import annotations

from .logic import validate_catalog
from .logic.catalog import CatalogError
from .logic.catalog.validate import suggestion_samples


def check_catalog() -> None:
    """Raise :class:`CatalogError` when a rule, a value set or a suggested resource is bad."""
    validate_catalog()
    problems = _suggestion_problems()
    if problems:
        raise CatalogError("rule catalog invalid: " + "; ".join(problems))


def _suggestion_problems() -> list[str]:
    from fhir.resources.R4B import get_fhir_model_class
    from pydantic import ValidationError

    problems = []
    for resource in suggestion_samples():
        kind = resource["resourceType"]
        try:
            get_fhir_model_class(kind).model_validate(resource)
        except ValidationError as exc:
            problems.append(f"suggested {kind} is not valid FHIR R4: {exc.error_count()} errors")
    return problems
