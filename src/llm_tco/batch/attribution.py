"""The credit the advisory data's licence (CC BY 4.0) asks of anything derived."""

from __future__ import annotations

ADVISORY_ATTRIBUTION = (
    "Contains data from the Python Packaging Advisory Database "
    "(https://github.com/pypa/advisory-database), CC BY 4.0 "
    "(https://creativecommons.org/licenses/by/4.0/); prompts are derived "
    "(trimmed and reformatted) from its records."
)
