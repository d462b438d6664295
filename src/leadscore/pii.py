"""Find personal data (e-mail addresses, phone numbers, known names) in text.

Used by tests and checks that logs, outputs and MLflow artifacts carry no raw personal data:
``find_pii(text, known_values)`` returns every e-mail address and phone number found by
pattern, and every value of ``known_values`` (for example the names and e-mails of the
contacts just processed) that occurs in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# International or grouped phone numbers: +44 20 7946 0958, (555) 123-4567, 555.123.4567.
PHONE = re.compile(
    r"(?<![\w.])(?:\+\d{1,3}[\s.\-]?)?(?:\(\d{1,4}\)[\s.\-]?)?\d{2,4}(?:[\s.\-]\d{2,4}){2,4}(?![\w.:])"
)
_DATE = re.compile(r"\d{4}[.\-]\d{1,2}[.\-]\d{1,2}|\d{1,2}[.\-]\d{1,2}[.\-]\d{4}")
MIN_KNOWN_LENGTH = 4  # shorter known values ("Li", "Bo") match too much ordinary text


def find_pii(text: str | bytes, known_values: Iterable[str] = ()) -> list[str]:
    """Personal data found in ``text``: pattern matches first, then known values present.

    Args:
        text: the text to scan (bytes are decoded as UTF-8, bad bytes replaced).
        known_values: exact strings that must not appear (case-insensitive), such as the
            names of the contacts in a file; values shorter than 4 characters are skipped.

    Returns:
        The distinct values found, in order of first appearance.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    found: list[str] = []
    for pattern in (EMAIL, PHONE):
        for match in pattern.finditer(text):
            value = match.group(0).strip()
            if pattern is PHONE and (_DATE.fullmatch(value) or sum(map(str.isdigit, value)) < 7):
                continue
            found.append(value)
    folded = text.casefold()
    for value in known_values:
        value = str(value).strip()
        if len(value) >= MIN_KNOWN_LENGTH and value.casefold() in folded:
            found.append(value)
    return list(dict.fromkeys(found))
