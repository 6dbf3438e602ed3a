"""Where a recommendation or a code comes from: one record for rules and value sets."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Provenance:
    """A source the service relies on, and how far it was checked.

    :param source: the guideline, trial or code source, e.g. ``"NICE NG234 ..."``,
        ``"IPS SNOMED Free Set 2022-07-31"`` or ``"VSAC <OID>"``.
    :param url: the page or file it was read from.
    :param verified: the source itself was read (an authoritative machine-readable file for
        codes); a secondary summary stays ``False`` until someone reads the original.
    :param citation: what a reviewer should look up (rules).
    :param version: the edition cited (rules).
    :param evidence: what the source says that the rule relies on (rules).
    :param profile: the guideline profile this source defines (``"dutch"``, ``"nice"``), if any.
    :param note: why the source is weak or unverified, when it is (value sets).
    """

    source: str
    url: str
    verified: bool
    citation: str = ""
    version: str = ""
    evidence: str = ""
    profile: str = ""
    note: str = ""
