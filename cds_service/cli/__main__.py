"""``python -m cds_service.cli``: the same commands as ``spine-mass-cds``."""

from __future__ import annotations

from . import main

main()
