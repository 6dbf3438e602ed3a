"""Sans-IO decision logic: FHIR JSON in, facts, rules, cards out.

Nothing in this package performs I/O, reads configuration or imports Flask/requests
(``tests/test_architecture.py`` enforces it). The public surface is :func:`evaluate`.
"""

from __future__ import annotations

from .evaluate import Evaluation
from .evaluate import evaluate
from .evaluate import validate_catalog

__all__ = ["Evaluation", "evaluate", "validate_catalog"]
