"""Find known personal data (e-mails, phones, names) in text, bytes or files.

Used to prove that nothing leadscore writes or logs (model folders, reports, MLflow
artifacts) carries a real contact's e-mail address, phone number or name. The check is by
*known values*: the caller passes the values taken from the input export, and every
occurrence of one of them is reported. Matching ignores case; phone numbers also match on
their digits alone (``+1-555-3655-512`` is found as ``15553655512`` too), so a reformatted
number is still caught.

Compressed files (gzip, zlib as written by ``joblib.dump(compress=...)``) are decompressed
before they are scanned, so a pickled model is searched in its readable form.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterable
from pathlib import Path

MIN_DIGITS = 7  # shorter digit runs (years, counts) would match by chance


_PHONE_RUN = re.compile(r"\+?\(?\d[\d \-.()/]{5,}\d")


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_WORD = re.compile(r"\w+")


def find_pii(data: str | bytes, known_values: Iterable[str]) -> list[str]:
    """The known values that occur in ``data``, sorted.

    Args:
        data: text, or bytes (decoded as UTF-8, undecodable bytes ignored).
        known_values: personal values from the input, e.g. e-mails, phone numbers and
            ``"first last"`` names. Blank values are skipped.

    Returns:
        Each known value found at least once, ignoring case: an e-mail as a whole address,
        a phone number by its digits (at least ``MIN_DIGITS`` of them) in any formatting, a
        name as the same sequence of words (any spacing or punctuation between them), any
        other value as a substring. Linear in the size of ``data`` plus the number of values.
    """
    text = data.decode("utf-8", errors="ignore") if isinstance(data, bytes) else data
    folded = text.casefold()
    emails = set(_EMAIL.findall(folded))
    # digit forms of phone-like runs only, so digits of unrelated numbers never join up
    digits = "|".join(_digits(m.group()) for m in _PHONE_RUN.finditer(text))
    words = _WORD.findall(folded)
    grams: dict[int, set[str]] = {}
    found = set()
    for value in known_values:
        value = str(value).strip()
        if not value:
            continue
        key = value.casefold()
        only_digits = _digits(value)
        if "@" in key and _EMAIL.fullmatch(key):
            hit = key in emails
        elif len(only_digits) >= MIN_DIGITS and not re.search(r"[^\d\s+\-.()/]", value):
            hit = only_digits in digits
        elif (parts := _WORD.findall(key)) and len(parts) <= 4:
            n = len(parts)
            if n not in grams:
                grams[n] = {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}
            hit = " ".join(parts) in grams[n]
        else:
            hit = key in folded
        if hit:
            found.add(value)
    return sorted(found)


def readable_bytes(path: str | Path) -> bytes:
    """A file's bytes, decompressed when it is gzip or zlib compressed."""
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError, zlib.error):
            return raw
    if raw[:1] == b"\x78":
        try:
            return zlib.decompressobj().decompress(raw)
        except zlib.error:
            return raw
    return raw


def scan_folder(folder: str | Path, known_values: Iterable[str]) -> dict[str, list[str]]:
    """Scan every file under ``folder``; return ``{relative path: values found}`` (hits only)."""
    values = [str(v) for v in known_values]
    hits: dict[str, list[str]] = {}
    root = Path(folder)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        found = find_pii(readable_bytes(path), values)
        if found:
            hits[str(path.relative_to(root))] = found
    return hits
