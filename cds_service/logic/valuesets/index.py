"""Build the value sets and the lookups the extractor uses on every request.

Matching is a dict lookup: ``(system, normalised code) -> value-set names``, plus, for
ICD-10-CM, a lookup of each leading substring of the code in the prefix table. Both
tables are computed once at import.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..systems import CPT
from ..systems import ICD10CM
from ..systems import LOINC
from ..systems import RADELEMENT
from ..systems import RXNORM
from ..systems import SNOMED
from ..systems import V3_INTERPRETATION
from ..text_cache import text_cache
from .catalog import SPECS
from .catalog import VS
from .model import SYSTEM_NAMES
from .model import IcdPrefix
from .model import Term
from .model import ValueSet
from .model import normalise_code
from .terms import PREFIXES
from .terms import TERMS

_EMPTY: frozenset[VS] = frozenset()


def _build_valuesets() -> dict[VS, ValueSet]:
    """Resolve every spec's member references; an unknown reference fails at import."""
    out: dict[VS, ValueSet] = {}
    for name, (description, members) in SPECS.items():
        codes: list[Term] = []
        prefixes: list[IcdPrefix] = []
        for ref in members:
            if ref.endswith("*"):
                prefixes.append(PREFIXES[ref[len("icd:") : -1]])
            else:
                codes.append(TERMS[ref])
        out[name] = ValueSet(
            str(name), description, tuple(dict.fromkeys(codes)), tuple(dict.fromkeys(prefixes))
        )
    return out


VALUESETS: Mapping[VS, ValueSet] = _build_valuesets()


def _build_indexes() -> tuple[dict[tuple[str, str], frozenset[VS]], dict[str, frozenset[VS]]]:
    codes: dict[tuple[str, str], set[VS]] = {}
    prefixes: dict[str, set[VS]] = {}
    for name, vs in VALUESETS.items():
        for t in vs.codes:
            codes.setdefault(t.key, set()).add(name)
        for p in vs.icd_prefixes:
            prefixes.setdefault(p.key, set()).add(name)
    return (
        {k: frozenset(v) for k, v in codes.items()},
        {k: frozenset(v) for k, v in prefixes.items()},
    )


CODE_INDEX, PREFIX_INDEX = _build_indexes()
_TERM_BY_KEY: Mapping[tuple[str, str], Term] = {t.key: t for t in TERMS.values()}
_MIN_PREFIX = min((len(k) for k in PREFIX_INDEX), default=3)


def match(system: str, code: str) -> frozenset[VS]:
    """Return the names of the value sets that contain ``code`` of ``system``.

    A code of most systems is one dict lookup, cheaper than a cache's; an ICD-10-CM code,
    matched by every prefix too, is cached.
    """
    if system == ICD10CM:
        return _match_icd(code)
    return CODE_INDEX.get((system, code), _EMPTY) or CODE_INDEX.get((system, code.strip()), _EMPTY)


@text_cache(maxsize=8192)
def _match_icd(code: str) -> frozenset[VS]:
    """Match an ICD-10-CM code exactly and by every documented prefix.

    Cached (bounded): a record repeats few distinct codes.
    """
    norm = normalise_code(ICD10CM, code)
    found = set(CODE_INDEX.get((ICD10CM, norm), _EMPTY))
    for n in range(len(norm), _MIN_PREFIX - 1, -1):
        found |= PREFIX_INDEX.get(norm[:n], _EMPTY)
    return frozenset(found) if found else _EMPTY


def display_of(system: str, code: str) -> str | None:
    """Return the display of a known code (used when the resource carries none)."""
    term = _TERM_BY_KEY.get((system, normalise_code(system, code)))
    return term.display if term else None


def system_name(system: str) -> str:
    return SYSTEM_NAMES.get(system, system)


_CODE_SHAPES: Mapping[str, re.Pattern[str]] = {
    SNOMED: re.compile(r"[1-9][0-9]{5,17}"),
    ICD10CM: re.compile(r"[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?"),
    LOINC: re.compile(r"[0-9]{1,7}-[0-9]"),
    RXNORM: re.compile(r"[1-9][0-9]{0,8}"),
    CPT: re.compile(r"[0-9]{4}[0-9A-Z]"),
    RADELEMENT: re.compile(r"RDES[0-9]+"),
    V3_INTERPRETATION: re.compile(r"[A-Z]+"),
}
_PREFIX_SHAPE = re.compile(r"[A-Z][0-9]{2}(\.[0-9A-Z]{1,3})?")


def _problems(vs: ValueSet) -> list[str]:
    errs = [] if vs.codes or vs.icd_prefixes else [f"{vs.name}: empty"]
    for t in vs.codes:
        shape = _CODE_SHAPES.get(t.system)
        if shape is None:
            errs.append(f"{vs.name}: unknown system {t.system}")
        elif not shape.fullmatch(t.code):
            errs.append(f"{vs.name}: malformed {t.system} code {t.code!r}")
        if not t.display.strip():
            errs.append(f"{vs.name}: {t.code} has no display")
    for p in vs.icd_prefixes:
        if not _PREFIX_SHAPE.fullmatch(p.prefix):
            errs.append(f"{vs.name}: malformed ICD-10-CM prefix {p.prefix!r}")
    for prov in vs.groups:
        if not prov.source or not prov.url:
            errs.append(f"{vs.name}: provenance without source or url")
        if not prov.verified and not prov.note:
            errs.append(f"{vs.name}: unverified source {prov.source!r} says nothing of why")
    return errs


def check_valuesets(valuesets: Mapping[VS, ValueSet] | None = None) -> None:
    """Validate the terminology data at start-up; raise ``ValueError`` listing every problem.

    Check that every name the extractor uses (:class:`VS`) has a non-empty value set,
    every code is well formed for a known system, and every source is named with a URL.
    """
    vsets = VALUESETS if valuesets is None else valuesets
    errs = [f"{name}: value set missing" for name in VS if name not in vsets]
    for vs in vsets.values():
        errs.extend(_problems(vs))
    if errs:
        raise ValueError("invalid value sets:\n" + "\n".join(errs))
