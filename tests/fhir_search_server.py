"""A small FHIR R4 search server for tests: the search parameters our templates use.

It answers ``GET <Type>?patient=..&code=..&type=..&status=..`` and ``GET Patient/<id>`` over
a pool of resources, as a FHIR server would: token search is exact (``system|code`` or a
bare code in any system; no prefix match), comma means OR, ``patient`` matches the
resource's ``subject`` or ``patient`` reference, a resource without a status never matches
a ``status`` search, and an unknown parameter is refused (400) rather than ignored, so a
template the server cannot honour shows up as a failed key, not as silent over-fetching.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from urllib.parse import parse_qs

from pytest_httpserver import HTTPServer
from werkzeug import Request
from werkzeug import Response

#: The element a ``code`` (or ``type``) search matches, per resource type (FHIR R4).
CODE_ELEMENTS = {
    "MedicationRequest": {"code": "medicationCodeableConcept"},
    "Device": {"type": "type"},
}
KNOWN_PARAMS = {"patient", "code", "combo-code", "type", "status", "category"}


@dataclass
class SearchServer:
    """Serve ``pool`` under ``base_path``; counts what it sent (resources, bytes) per type."""

    pool: list[dict[str, Any]] = field(default_factory=list)
    base_path: str = "/fhir"
    sent: dict[str, tuple[int, int]] = field(default_factory=dict)

    def handle(self, request: Request) -> Response:
        path = request.path.removeprefix(self.base_path).strip("/")
        rtype, _, rid = path.partition("/")
        if rid:
            found = [r for r in self.pool if r.get("resourceType") == rtype and r.get("id") == rid]
            if not found:
                return Response(status=404)
            return self._json(rtype, found[0], 1)
        params = {k: ",".join(v) for k, v in parse_qs(request.query_string.decode()).items()}
        if set(params) - KNOWN_PARAMS:
            return Response(status=400)
        hits = [r for r in self.pool if r.get("resourceType") == rtype and _matches(r, params)]
        bundle = {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(hits),
            "entry": [{"resource": r} for r in hits],
        }
        return self._json(rtype, bundle, len(hits))

    def _json(self, rtype: str, body: Any, count: int) -> Response:
        data = json.dumps(body)
        n, size = self.sent.get(rtype, (0, 0))
        self.sent[rtype] = (n + count, size + len(data))
        return Response(data, content_type="application/fhir+json")


def _matches(res: dict[str, Any], params: dict[str, str]) -> bool:
    for name, value in params.items():
        wanted = value.split(",")
        if name == "patient":
            if not any(_refers_to(res.get(e), value) for e in ("subject", "patient")):
                return False
        elif name == "status":
            if res.get("status") not in wanted:
                return False
        elif name == "category":
            if not _any_coding(_as_list(res.get("category")), wanted):
                return False
        elif name == "combo-code":  # Observation: the code or any component's code
            components = [c.get("code") for c in _as_list(res.get("component")) if c]
            if not _any_coding([res.get("code"), *components], wanted):
                return False
        else:
            element = CODE_ELEMENTS.get(res["resourceType"], {}).get(name, name)
            if not _any_coding([res.get(element)], wanted):
                return False
    return True


def _refers_to(ref: Any, patient_id: str) -> bool:
    reference = ref.get("reference") if isinstance(ref, dict) else None
    return isinstance(reference, str) and (
        reference == f"Patient/{patient_id}" or reference.endswith(f"/Patient/{patient_id}")
    )


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _any_coding(concepts: Iterable[Any], tokens: list[str]) -> bool:
    for concept in concepts:
        codings = concept.get("coding") if isinstance(concept, dict) else None
        for coding in codings if isinstance(codings, list) else ():
            if not isinstance(coding, dict):
                continue
            for token in tokens:
                system, bar, code = token.rpartition("|")
                if coding.get("code") == code and (not bar or coding.get("system") == system):
                    return True
    return False


@contextmanager
def running(search: SearchServer) -> Iterator[HTTPServer]:
    """Serve ``search`` on an OS-chosen loopback port under ``/fhir``."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.expect_request(re.compile(r"^/fhir/.*")).respond_with_handler(search.handle)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def fallback_settings(server: HTTPServer, database_url: str) -> dict[str, Any]:
    """App settings that fetch every key from ``server`` with time to spare on a busy host."""
    return {
        "TESTING": True,
        "AUTH_MODE": "off",
        "DATABASE_URL": database_url,
        "FHIR_ALLOWED_SERVERS": [server.url_for("/fhir")],
        "FHIR_ALLOW_LOOPBACK_HTTP": True,
        # A whole record of pages, searched in-process while the suite shares 2 cores with
        # other work, took over 5 s to answer (a 412, not a card difference): these tests
        # are about the cards, not the timeouts (tests/test_prefetch.py has those).
        "FHIR_CONNECT_TIMEOUT_S": 30.0,
        "FHIR_READ_TIMEOUT_S": 30.0,
        "FHIR_DEADLINE_S": 60.0,
    }
