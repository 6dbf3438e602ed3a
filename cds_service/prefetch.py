"""Resolve each declared prefetch key into resources, fetching what the client did not send.

Key states per CDS Hooks 2.0 §prefetch (checklist §3.8):

========================================  =========================================
what the client sent for a key            what the service does
========================================  =========================================
a resource or a Bundle                    use it; follow a ``next`` link if present
``null``                                  "no data": use nothing, never re-fetch
an OperationOutcome, or a Bundle with an  the client failed: fetch from fhirServer
  error/fatal OperationOutcome entry
nothing (key absent)                      fetch from fhirServer
========================================  =========================================

A key the client sent under a name of its own (a test harness, a differently configured
EHR) still counts: resources of the declared key's type found under undeclared keys
satisfy it, so nothing needs fetching.

Data that could not be obtained never reads as "nothing found". A *required* key
(``ServiceDescriptor.prefetch_required``: the Conditions, without which nothing can be said)
that can be neither taken from the request nor fetched from an allow-listed ``fhirServer``
makes the call a 412. Any other such key is reported in :attr:`Resolved.unavailable`, and
every card then names what could not be checked: a cord-compression card with a stated gap
serves the patient better than no card at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from urllib.parse import quote

import orjson

from . import events
from . import fhir_client
from .errors import Issue
from .errors import PreconditionFailed
from .fhir_client import JSON_OBJECT
from .registry import ServiceDescriptor

_TOKEN = re.compile(r"\{\{\s*([A-Za-z.]+)\s*\}\}")
_USER_TOKENS = {
    "userPractitionerId": "Practitioner",
    "userPractitionerRoleId": "PractitionerRole",
    "userPatientId": "Patient",
    "userRelatedPersonId": "RelatedPerson",
}


@dataclass
class Resolved:
    """Resources per prefetch key, and where each came from (for the log line)."""

    resources: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    fetched: dict[str, float] = field(default_factory=dict)  # key -> latency ms
    sources: dict[str, str] = field(default_factory=dict)  # key -> prefetch | null | fhir
    unavailable: dict[str, str] = field(default_factory=dict)  # optional key -> why not
    foreign: int = 0  # resources dropped because they name another patient
    extra: list[dict[str, Any]] = field(default_factory=list)  # resources under undeclared keys
    # For the per-key metrics: (resources, bytes) received per key and source, and the keys
    # the client did not send ("missing") or sent as a failure ("failed").
    received: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    absent: dict[str, str] = field(default_factory=dict)


def json_size(value: Any) -> int:
    """Bytes of ``value`` as compact JSON: what a prefetch key cost the EHR to send."""
    try:
        return len(orjson.dumps(value))
    except (TypeError, orjson.JSONEncodeError):
        return 0


def render(template: str, context: Mapping[str, Any]) -> str | None:
    """Fill a template's CDS Hooks 2.0 tokens; ``None`` when one cannot be filled."""
    failed = False

    def value(match: re.Match[str]) -> str:
        nonlocal failed
        name = match.group(1)
        raw: Any = None
        if name.startswith("context."):
            raw = context.get(name.removeprefix("context."))
        elif name in _USER_TOKENS:
            user = context.get("userId")
            kind, _, ident = user.partition("/") if isinstance(user, str) else ("", "", "")
            raw = ident if kind == _USER_TOKENS[name] else None
        if not isinstance(raw, str) or not raw or raw in (".", ".."):
            failed = True
            return ""
        return quote(raw, safe="")

    rendered = _TOKEN.sub(value, template)
    return None if failed or "{{" in rendered else rendered


def _resource_type(template: str) -> str:
    """``Condition?patient=...`` -> ``Condition``; ``Patient/{{...}}`` -> ``Patient``."""
    return template.split("?", 1)[0].split("/", 1)[0]


def _undeclared(service: ServiceDescriptor, given: Any) -> list[dict[str, Any]]:
    """Resources the client sent under keys this service did not declare."""
    if not isinstance(given, JSON_OBJECT):
        return []
    return [
        res
        for key, value in given.items()
        if key not in service.prefetch and isinstance(value, JSON_OBJECT)
        for res in fhir_client.resources_of(value)
    ]


def resolve(
    service: ServiceDescriptor, body: Mapping[str, Any], settings: Mapping[str, Any]
) -> Resolved:
    """Resolve every prefetch key of ``service``; raise 412 when a required one is missing."""
    given = body.get("prefetch") or {}
    context = body.get("context") or {}
    resolved = Resolved(extra=_undeclared(service, given))
    extra_types = {r.get("resourceType") for r in resolved.extra}
    urls: dict[str, str] = {}  # key -> relative template URL or absolute next link
    problems: dict[str, str] = {}
    given_map = isinstance(given, JSON_OBJECT)
    for key, template in service.prefetch.items():
        value = given.get(key) if given_map else None
        if given_map and value is None and key in given:
            resolved.resources[key], resolved.sources[key] = [], "null"
        elif (
            extra_types
            and _resource_type(template) in extra_types
            and not isinstance(value, JSON_OBJECT)
        ):
            resolved.sources[key] = "prefetch"  # sent under another key: read from `extra`
        elif isinstance(value, JSON_OBJECT) and not (unpacked := fhir_client.unpack(value))[1]:
            resolved.resources[key], resolved.sources[key] = unpacked[0], "prefetch"
            resolved.received[(key, "prefetch")] = (len(unpacked[0]), json_size(value))
            if (nxt := fhir_client.next_link(value)) is not None:
                urls[key] = nxt
        else:
            resolved.absent[key] = "failed" if given_map and key in given else "missing"
            if (rel := render(template, context)) is not None:
                urls[key] = rel
            else:
                problems[key] = "its template cannot be filled from the context"
    if urls:
        _fetch(body, urls, settings, resolved, problems)
    required = {k: why for k, why in problems.items() if k in service.prefetch_required}
    if required:
        raise PreconditionFailed(
            [
                Issue(f"Prefetch key '{key}' could not be obtained: {why}.", f"prefetch.{key}")
                for key, why in sorted(required.items())
            ]
        )
    for key, why in problems.items():
        resolved.unavailable[key] = why
        resolved.resources.pop(key, None)  # a partial search is no answer: unknown, not empty
    _drop_other_patients(resolved, context.get("patientId"))
    return resolved


_PATIENT_REF = re.compile(r"(?:^|/)Patient/([^/]+)$")


def names_other_patient(resource: Mapping[str, Any], patient_id: Any) -> bool:
    """Return whether ``resource`` is clearly about a patient other than ``patient_id``.

    Wrong-patient data is a classic CDS hazard: a Condition of another patient must never
    fire a card. Only a reference that names another ``Patient/<id>`` (relative or absolute)
    counts; an absent or unverifiable one (``urn:uuid:`` in a transaction) is kept.
    """
    if resource.get("resourceType") == "Patient":
        return resource.get("id") is not None and resource.get("id") != patient_id
    for element in ("subject", "patient"):
        ref = resource.get(element)
        if isinstance(ref, JSON_OBJECT) and isinstance(reference := ref.get("reference"), str):
            if isinstance(patient_id, str) and reference == "Patient/" + patient_id:
                return False  # the usual case, decided without the regex
            match = _PATIENT_REF.search(reference)
            return match is not None and match.group(1) != patient_id
    return False


def _drop_other_patients(resolved: Resolved, patient_id: Any) -> None:
    foreign = 0
    for key, resources in resolved.resources.items():
        kept = [r for r in resources if not names_other_patient(r, patient_id)]
        foreign += len(resources) - len(kept)
        resolved.resources[key] = kept
    kept = [r for r in resolved.extra if not names_other_patient(r, patient_id)]
    resolved.foreign = foreign + len(resolved.extra) - len(kept)
    resolved.extra = kept


def _fetch(
    body: Mapping[str, Any],
    urls: Mapping[str, str],
    settings: Mapping[str, Any],
    resolved: Resolved,
    problems: dict[str, str],
) -> None:
    """Fetch ``urls`` from the request's fhirServer if the service may call it."""
    base = body.get("fhirServer")
    if not isinstance(base, str) or not base:
        problems.update({k: "it was not prefetched and no fhirServer was given" for k in urls})
        return
    base = base.rstrip("/")
    if not fhir_client.is_allowed(base, settings):
        for key in urls:
            problems[key] = "it was not prefetched and fhirServer is not on the allow-list"
            events.emit("fhir_fetch", key=key, status="refused", latency_ms=0.0)
        return
    absolute: dict[str, str] = {}
    for key, url in urls.items():
        if "://" not in url.split("?", 1)[0]:  # relative (a code token's system may hold ://)
            absolute[key] = f"{base}/{url}"
        elif fhir_client.is_under(url, base):
            absolute[key] = url
        else:
            problems[key] = "its next link points outside fhirServer"
    if not absolute:
        return
    auth = body.get("fhirAuthorization")
    token = auth.get("access_token") if isinstance(auth, JSON_OBJECT) else None
    outcomes = fhir_client.fetch_all(
        base,
        absolute,
        token if isinstance(token, str) else None,
        fhir_client.FetchSettings.from_settings(settings),
    )
    for key, outcome in outcomes.items():
        events.emit("fhir_fetch", key=key, status=outcome.status, latency_ms=outcome.latency_ms)
        resolved.fetched[key] = outcome.latency_ms
        if outcome.status != "ok":
            problems[key] = f"the FHIR server fetch failed ({outcome.status}: {outcome.reason})"
            continue
        resolved.resources[key] = resolved.resources.get(key, []) + outcome.resources
        resolved.sources[key] = "fhir"
        resolved.received[(key, "fhir")] = (len(outcome.resources), outcome.bytes)
