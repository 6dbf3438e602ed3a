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
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from urllib.parse import quote
from urllib.parse import unquote

import orjson

from . import events
from . import fhir_client
from . import fhir_json
from . import urls
from .config import Settings
from .errors import Issue
from .errors import PreconditionFailed
from .fhir_json import JSON_OBJECT
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
    malformed: dict[str, int] = field(default_factory=dict)  # key -> unreadable resources skipped
    # For the per-key metrics: (resources, bytes) received per key and source, and the keys
    # the client did not send ("missing") or sent as a failure ("failed").
    received: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    absent: dict[str, str] = field(default_factory=dict)

    def record(self) -> list[dict[str, Any]]:
        """Every resource obtained, declared keys first, then those under other keys."""
        return [r for rs in self.resources.values() for r in rs] + self.extra


#: Set by the pipeline on a resource whose text is not valid Unicode (a lone surrogate); the
#: leading space keeps it apart from every FHIR element name.
UNREADABLE = " unreadable"


def well_formed(resource: Mapping[str, Any]) -> bool:
    """Whether ``resource`` can be handled at all: a string type and, if any, a string id.

    Anything else (``"id": {...}``, ``"resourceType": 5``, unreadable text) is skipped and
    named under "Not checked": one broken resource must not cost the others their cards.
    """
    rtype, rid = resource.get("resourceType"), resource.get("id")
    return (
        type(rtype) is str
        and rtype != ""
        and (rid is None or type(rid) is str)
        and UNREADABLE not in resource
    )


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
        for res in fhir_json.resources_of(value)
    ]


def resolve(
    service: ServiceDescriptor,
    body: Mapping[str, Any],
    settings: Settings,
    fetcher: fhir_client.Fetcher,
) -> Resolved:
    """Resolve every prefetch key of ``service``; raise 412 when a required one is missing."""
    given = body.get("prefetch") or {}
    context = body.get("context") or {}
    resolved = Resolved()
    resolved.extra = _keep_usable(resolved, "other keys", _undeclared(service, given), None)
    extra_types = {r.get("resourceType") for r in resolved.extra}
    wanted: dict[str, str] = {}  # key -> relative template URL or absolute next link
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
        elif isinstance(value, JSON_OBJECT) and not (unpacked := fhir_json.unpack(value))[1]:
            resolved.resources[key], resolved.sources[key] = unpacked[0], "prefetch"
            resolved.received[(key, "prefetch")] = (len(unpacked[0]), json_size(value))
            if (nxt := fhir_json.next_link(value)) is not None:
                wanted[key] = nxt
        else:
            resolved.absent[key] = "failed" if given_map and key in given else "missing"
            # Counted here, not from the call's result: a call that ends in 412 has none.
            events.emit("prefetch_key_absent", key=key, reason=resolved.absent[key])
            if (rel := render(template, context)) is not None:
                wanted[key] = rel
            else:
                problems[key] = "its template cannot be filled from the context"
    if wanted:
        _fetch(body, wanted, settings, fetcher, resolved, problems)
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
    aliases = BundleAliases(*given.values()) if given_map else _NO_ALIASES
    _keep_readable_and_own(resolved, context.get("patientId"), aliases)
    return resolved


#: ``urn:uuid:`` fullUrl -> ``Type/id`` of the Bundle entries of one request.
Aliases = Mapping[str, str]
_NO_ALIASES: Aliases = {}


class BundleAliases(Mapping[str, str]):
    """Each ``urn:`` fullUrl of the Bundles in ``values`` -> its entry's ``Type/id``.

    A transaction or collection names its Patient by ``urn:uuid``; resolving it is the
    only way to see that a resource in it is about someone else. Built on first use: most
    requests hold no ``urn:`` reference, and their entries are not walked again.
    """

    def __init__(self, *values: Any) -> None:
        self._values = values
        self._map: dict[str, str] | None = None

    def _aliases(self) -> dict[str, str]:
        if self._map is None:
            self._map = _aliases_of(self._values)
        return self._map

    def __getitem__(self, key: str) -> str:
        return self._aliases()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._aliases())

    def __len__(self) -> int:
        return len(self._aliases())


def _aliases_of(values: tuple[Any, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        if not isinstance(value, JSON_OBJECT) or not isinstance(value.get("entry"), list):
            continue
        for entry in value["entry"]:
            if not isinstance(entry, JSON_OBJECT):
                continue
            full, res = entry.get("fullUrl"), entry.get("resource")
            if isinstance(full, str) and full.startswith("urn:") and isinstance(res, JSON_OBJECT):
                rtype, rid = res.get("resourceType"), res.get("id")
                if isinstance(rtype, str) and isinstance(rid, str):
                    out[full.strip()] = f"{rtype}/{rid}"
    return out


def patient_named(reference: str, aliases: Aliases = _NO_ALIASES) -> str | None:
    """Return the Patient id ``reference`` names, in any form; ``None`` if it names none.

    Relative (``Patient/p``), absolute (``https://ehr/fhir/Patient/p``), versioned
    (``Patient/p/_history/2``), with a trailing slash, surrounding whitespace or
    percent-encoding, or a ``urn:uuid`` resolved through ``aliases``.
    """
    ref = unquote(reference).strip()
    if ref.startswith("urn:"):
        ref = aliases.get(ref, "")
    parts = ref.split("?", 1)[0].split("#", 1)[0].rstrip("/").split("/")
    if len(parts) >= 4 and parts[-2] == "_history":
        parts = parts[:-2]
    if len(parts) >= 2 and parts[-2].strip() == "Patient" and parts[-1].strip():
        return parts[-1].strip()
    return None


class OtherPatient:
    """Tells whether a resource is clearly about a patient other than ``patient_id``.

    Wrong-patient data is a classic CDS hazard: a Condition of another patient must never
    fire a card. A ``subject`` or ``patient`` reference that names another Patient, in any
    form :func:`patient_named` reads, counts; an absent or unresolvable one (a ``urn:uuid``
    with no entry in its Bundle) is kept. One per call: every resource is checked.
    """

    def __init__(self, patient_id: Any, aliases: Aliases = _NO_ALIASES) -> None:
        self.patient_id, self.aliases = patient_id, aliases
        self.own = "Patient/" + patient_id if isinstance(patient_id, str) else None

    def __call__(self, resource: Mapping[str, Any]) -> bool:
        if resource.get("resourceType") == "Patient":
            return resource.get("id") is not None and resource.get("id") != self.patient_id
        for element in ("subject", "patient"):
            ref = resource.get(element)
            if ref is None:
                continue
            if isinstance(ref, JSON_OBJECT) and isinstance(reference := ref.get("reference"), str):
                if reference == self.own:
                    continue  # the usual case, decided without parsing
                named = patient_named(reference, self.aliases)
                if named is not None and named != self.patient_id:
                    return True
        return False


def _keep_readable_and_own(resolved: Resolved, patient_id: Any, aliases: Aliases) -> None:
    """Skip, per key, resources that cannot be handled and those naming another patient.

    Each is counted: unreadable ones per key (named on every card), the others in all (a
    count on the call's log line).
    """
    other = OtherPatient(patient_id, aliases)
    for key, resources in resolved.resources.items():
        if resources:  # most keys of a chart come back empty
            resolved.resources[key] = _keep_usable(resolved, key, resources, other)
    if resolved.extra:  # already well-formed: only other patients' resources go
        resolved.extra = _keep_usable(resolved, "other keys", resolved.extra, other)


def _keep_usable(
    resolved: Resolved, key: str, resources: list[dict[str, Any]], other: OtherPatient | None
) -> list[dict[str, Any]]:
    """One pass over a key's resources: the unreadable and (with ``other``) the other
    patients' are counted, not kept."""
    kept = []
    for res in resources:
        if not well_formed(res):
            resolved.malformed[key] = resolved.malformed.get(key, 0) + 1
        elif other is not None and other(res):
            resolved.foreign += 1
        else:
            kept.append(res)
    return kept


def _fetch(
    body: Mapping[str, Any],
    wanted: Mapping[str, str],
    settings: Settings,
    fetcher: fhir_client.Fetcher,
    resolved: Resolved,
    problems: dict[str, str],
) -> None:
    """Fetch ``wanted`` from the request's fhirServer if the service may call it."""
    base = body.get("fhirServer")
    if not isinstance(base, str) or not base:
        problems.update({k: "it was not prefetched and no fhirServer was given" for k in wanted})
        return
    allowed = urls.allowed_base(base, settings)
    if allowed is None:
        for key in wanted:
            problems[key] = "it was not prefetched and fhirServer is not on the allow-list"
            events.emit("fhir_fetch", key=key, status="refused", latency_ms=0.0)
        return
    base = allowed
    absolute: dict[str, str] = {}
    for key, url in wanted.items():
        if "://" not in url.split("?", 1)[0]:  # relative (a code token's system may hold ://)
            absolute[key] = f"{base}/{url}"
        elif urls.is_under(url, base) and (checked := urls.normalise(url)) is not None:
            absolute[key] = checked
        else:
            problems[key] = "its next link points outside fhirServer"
    if not absolute:
        return
    auth = body.get("fhirAuthorization")
    token = auth.get("access_token") if isinstance(auth, JSON_OBJECT) else None
    outcomes = fetcher.fetch_all(base, absolute, token if isinstance(token, str) else None)
    for key, outcome in outcomes.items():
        events.emit("fhir_fetch", key=key, status=outcome.status, latency_ms=outcome.latency_ms)
        resolved.fetched[key] = outcome.latency_ms
        if outcome.status != "ok":
            problems[key] = f"the FHIR server fetch failed ({outcome.status}: {outcome.reason})"
            continue
        resolved.resources[key] = resolved.resources.get(key, []) + outcome.resources
        resolved.sources[key] = "fhir"
        resolved.received[(key, "fhir")] = (len(outcome.resources), outcome.bytes)
