"""Terminology as data: value sets with per-code provenance and a fast matcher.

``match(system, code)`` returns the :class:`VS` names a code belongs to; ICD-10-CM codes
are normalised (``G95.20`` == ``G9520``) and also match documented prefixes. Call
:func:`check_valuesets` at start-up: a bad table must stop the service.
"""

from __future__ import annotations

from ..provenance import Provenance
from .catalog import VS
from .index import CODE_INDEX
from .index import PREFIX_INDEX
from .index import VALUESETS
from .index import check_valuesets
from .index import display_of
from .index import match
from .index import system_name
from .model import CPT
from .model import ICD10CM
from .model import LOINC
from .model import RADELEMENT
from .model import RXNORM
from .model import SNOMED
from .model import V3_INTERPRETATION
from .model import IcdPrefix
from .model import Term
from .model import ValueSet
from .model import normalise_code

__all__ = [
    "CODE_INDEX",
    "CPT",
    "ICD10CM",
    "LOINC",
    "PREFIX_INDEX",
    "RADELEMENT",
    "RXNORM",
    "SNOMED",
    "V3_INTERPRETATION",
    "VALUESETS",
    "VS",
    "IcdPrefix",
    "Provenance",
    "Term",
    "ValueSet",
    "check_valuesets",
    "display_of",
    "match",
    "normalise_code",
    "system_name",
]
