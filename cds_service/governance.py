"""Read the rule modes file (``CDS_RULE_MODES_FILE``) once, at start-up.

The file is checked before the service takes a call: a typo in a topic, hook or mode must
stop the service with one line naming it, not silently leave a rule on (or off). The modes
in force are logged at start-up and printed in the report's header, so nobody has to find
the file to know what clinicians are shown.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import yaml

from .config import Settings
from .logic.modes import ALL_ACTIVE
from .logic.modes import ModesError
from .logic.modes import RuleModes
from .logic.modes import parse_modes

__all__ = ["ModesError", "load_modes", "modes_or_exit"]

log = logging.getLogger("cds_service.governance")


def load_modes(settings: Settings) -> RuleModes:
    """Return the modes of ``RULE_MODES_FILE`` (all active when unset); raise :class:`ModesError`."""
    path = settings.rule_modes_file
    if not path:
        return ALL_ACTIVE
    origin = f"rule modes file {path}"
    try:
        data = yaml.safe_load(Path(str(path)).read_text())
    except OSError as exc:
        raise ModesError(
            f"{origin}: cannot be read ({exc.strerror or type(exc).__name__})"
        ) from None
    except yaml.YAMLError:
        raise ModesError(f"{origin}: not valid YAML") from None
    return parse_modes(data, origin)


def modes_or_exit(settings: Settings) -> RuleModes:
    """:func:`load_modes`, or print the one-line reason and exit non-zero (start-up only)."""
    try:
        return load_modes(settings)
    except ModesError as exc:
        print(f"spine-mass-cds: refusing to start: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None


def log_modes(modes: RuleModes) -> None:
    """The start-up line naming every topic that is not simply active."""
    log.info(
        "rule modes in force",
        extra={"event": "rule_modes", "modes": modes.as_json(), "summary": modes.summary()},
    )
