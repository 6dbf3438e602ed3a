"""The one error tree of the service, and the handler that renders it.

Every failure a client can see is a FHIR ``OperationOutcome`` with a stable code in
``issue[].details.coding`` (system :data:`ERROR_SYSTEM`), so logs and EHR tickets can be
searched by code. CDS Hooks 3.0 asks for an OperationOutcome on every non-2xx answer; it is
harmless under 2.0 and answers ``cds-hooks/docs#14``.

Tree::

    CDSError                 500  exception    CDS-500  unexpected; generic text only
    ├── InvalidRequest       400  invalid      CDS-400  every schema/semantic problem, each with its JSON path
    ├── Unauthorized         401  login        CDS-401  says nothing about which check failed
    ├── NotFound             404  not-found    CDS-404  unknown service or route
    ├── MethodNotAllowed     405  not-supported CDS-405
    ├── PayloadTooLarge      413  too-costly   CDS-413
    ├── PreconditionFailed   412  processing   CDS-412  required FHIR data could not be obtained
    └── ServiceUnavailable   503  transient    CDS-503  the database is down: retry (Retry-After)

Any other HTTP error Flask raises (such as 416 for an unsatisfiable ``Range`` on a static
file) keeps its 4xx status, with issue code ``processing`` and error code ``CDS-<status>``.

Stack traces never reach a response or a log line: unexpected exceptions are logged with
their type and the innermost source location only.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from typing import ClassVar

from flask import Flask
from flask import Response
from flask import json
from werkzeug.exceptions import HTTPException

ERROR_SYSTEM = "https://w3id.org/spine-mass-cds/CodeSystem/error"

log = logging.getLogger("cds_service.errors")


@dataclass(frozen=True)
class Issue:
    """One problem: FHIR issue code, stable error code, message and optional JSON path."""

    message: str
    expression: str | None = None
    code: str | None = None  # stable error code; defaults to the error class's code
    severity: str = "error"


class CDSError(Exception):
    """Base of every error the service answers with; renders as an OperationOutcome."""

    status: ClassVar[int] = 500
    issue_type: ClassVar[str] = "exception"
    error_code: ClassVar[str] = "CDS-500"
    default_message: ClassVar[str] = "Internal error."

    def __init__(self, issues: Sequence[Issue] | str | None = None) -> None:
        if issues is None:
            issues = [Issue(self.default_message)]
        elif isinstance(issues, str):
            issues = [Issue(issues)]
        self.issues: list[Issue] = list(issues)
        super().__init__("; ".join(i.message for i in self.issues))

    def headers(self) -> dict[str, str]:
        """Return extra response headers (e.g. ``WWW-Authenticate``)."""
        return {}

    def to_operation_outcome(self) -> dict[str, Any]:
        """Render as a FHIR R4 OperationOutcome."""
        return operation_outcome(self.issues, self.issue_type, self.error_code)


class InvalidRequest(CDSError):
    """The request body or its context is malformed (every problem listed)."""

    status = 400
    issue_type = "invalid"
    error_code = "CDS-400"
    default_message = "The request is not a valid CDS Hooks request."


class Unauthorized(CDSError):
    """The caller is not a trusted CDS client (the reason goes to the log only)."""

    status = 401
    issue_type = "login"
    error_code = "CDS-401"
    default_message = "Authentication required."

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="cds-services"'}


class NotFound(CDSError):
    """No such CDS service or route."""

    status = 404
    issue_type = "not-found"
    error_code = "CDS-404"
    default_message = "Not found."


class MethodNotAllowed(CDSError):
    """The route exists but not for this HTTP method."""

    status = 405
    issue_type = "not-supported"
    error_code = "CDS-405"
    default_message = "Method not allowed."


class PayloadTooLarge(CDSError):
    """The body exceeds ``MAX_BODY_BYTES``."""

    status = 413
    issue_type = "too-costly"
    error_code = "CDS-413"
    default_message = "Request body too large."


class PreconditionFailed(CDSError):
    """Per CDS Hooks 2.0: required FHIR data could be neither prefetched nor fetched."""

    status = 412
    issue_type = "processing"
    error_code = "CDS-412"
    default_message = "Required FHIR data could not be obtained."


class ServiceUnavailable(CDSError):
    """The database cannot be reached; nothing was stored, so the client should retry."""

    status = 503
    issue_type = "transient"
    error_code = "CDS-503"
    default_message = "The service cannot store this now; retry later."
    retry_after_s: ClassVar[int] = 30

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s)}


def operation_outcome(issues: Sequence[Issue], issue_type: str, error_code: str) -> dict[str, Any]:
    """Build an OperationOutcome dict from issues (no empty values, per CDS Hooks A.2)."""
    rendered = []
    for issue in issues:
        entry: dict[str, Any] = {
            "severity": issue.severity,
            "code": issue_type,
            "details": {
                "coding": [{"system": ERROR_SYSTEM, "code": issue.code or error_code}],
                "text": issue.message,
            },
            "diagnostics": issue.message,
        }
        if issue.expression:
            entry["expression"] = [issue.expression]
        rendered.append(entry)
    return {"resourceType": "OperationOutcome", "issue": rendered}


def error_response(error: CDSError) -> Response:
    """Render an error as an ``application/fhir+json``-compatible JSON response."""
    response = Response(
        json.dumps(error.to_operation_outcome()),
        status=error.status,
        mimetype="application/json",
    )
    for name, value in error.headers().items():
        response.headers[name] = value
    return response


_HTTP_TO_ERROR: dict[int, type[CDSError]] = {
    400: InvalidRequest,
    401: Unauthorized,
    404: NotFound,
    405: MethodNotAllowed,
    412: PreconditionFailed,
    413: PayloadTooLarge,
}


def _where(exc: BaseException) -> str:
    """Return ``file:line`` of the innermost frame: enough to find a bug, no trace."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "unknown"
    last = frames[-1]
    return f"{last.filename.rsplit('/', 1)[-1]}:{last.lineno}"


def _other_http_error(status: int, name: str) -> Response:
    """Keep the status of an HTTP error outside the tree (e.g. 416 for a bad ``Range``).

    Rendering it as :class:`CDSError` would answer a client's mistake with a 500 that
    pages whoever is on call.
    """
    if status >= 500:
        return error_response(CDSError())
    outcome = operation_outcome([Issue(f"{name}.")], "processing", f"CDS-{status}")
    return Response(json.dumps(outcome), status=status, mimetype="application/json")


def register_error_handlers(app: Flask) -> None:
    """Make every error, expected or not, an OperationOutcome response."""

    @app.errorhandler(CDSError)
    def _cds_error(error: CDSError) -> Response:
        return error_response(error)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        status = error.code or 500
        cls = _HTTP_TO_ERROR.get(status)
        if cls is None:
            return _other_http_error(status, error.name)
        response = error_response(cls())
        if status == 405 and error.get_response().headers.get("Allow"):
            response.headers["Allow"] = error.get_response().headers["Allow"]
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.error(
            "unhandled exception",
            extra={"event": "error", "error_type": type(error).__name__, "where": _where(error)},
        )
        return error_response(CDSError())


class ConfigurationError(RuntimeError):
    """A setting or configuration file is unusable: the service refuses to start.

    Not part of the HTTP tree above: it is raised by ``create_app``, never by a request.
    """
