"""Terminology as data: value sets with per-code provenance and a fast matcher.

``match(system, code)`` returns the :class:`VS` names a code belongs to; ICD-10-CM codes
are normalised (``G95.20`` == ``G9520``) and also match documented prefixes. Call
:func:`check_valuesets` at start-up: a bad table must stop the service.
"""

from __future__ import annotations

from .catalog import VS
from .index import CODE_INDEX
from .index import PREFIX_INDEX
from .index import VALUESETS
from .index import check_valuesets
from .index import display_of
from .index import match
from .index import system_name
from .model import IcdPrefix
from .model import Term
from .model import ValueSet
from .model import normalise_code

__all__ = [
    "CODE_INDEX",
    "PREFIX_INDEX",
    "VALUESETS",
    "VS",
    "IcdPrefix",
    "Term",
    "ValueSet",
    "check_valuesets",
    "display_of",
    "match",
    "normalise_code",
    "system_name",
]
