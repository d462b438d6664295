"""Recognising personal data and identifiers from a column's values: never features.

``recognise`` looks at a sample of a column's values and says, in a sentence for the report,
why the column holds

- **e-mail addresses**;
- **phone numbers** in any common format (``+49 173 4150540``, ``(415) 555-0132``,
  ``0173/4150540``, ``+33 6 12 34 56 78``, ``0049-173-…``), and whole numbers of 9-15 digits
  that are nearly all different and never round (phones or ids stored as numbers);
- **street addresses** (a house number beside a street word in one of many languages);
- **names of companies** (legal forms such as GmbH, Ltd, S.A., PT … Tbk; or a company
  header over name-like values);
- **names of people**, accented or in other scripts: values shaped like names (capitalised
  words, particles such as *van* or *de*, no digits) of which a fair share holds a common given
  name or surname (``personal_words``), or whose header names people, or a long list (over 50
  distinct values) of that shape;
- **identifier-like codes** (letters and digits mixed, many distinct values): not personal,
  but each value names one record, so it is no category either.

The header never decides alone: it only supports a value shape (a header "First Name" over
values such as "Chloé" and "Jürgen"). Recognised columns are excluded by ``ContactFeatures``
(and skipped by the leakage guard), so their values are never in a model file, a drift
reference, a reason or an MLflow artifact. A column can also be declared personal in the
config (``[features] personal``); naming one in ``[features] categorical`` or ``numeric``
overrides a recognition that was wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np
import pandas as pd

from leadscore.features import titles
from leadscore.features.personal_words import (
    COMPANY_HEADER,
    COMPANY_SCRIPT_FORMS,
    GIVEN_NAMES,
    LEGAL_FORMS,
    NAME_PARTICLES,
    NAME_PREFIXES,
    PERSON_HEADER,
    STREET_ENDINGS,
    STREET_WORDS,
    SURNAMES,
    fold,
    header_words,
)

SAMPLE_ROWS = 5000
IDENTIFIERS = "identifier-like codes"
DECLARED = "personal data: declared in the config (features.personal)"
MIN_SHARE = 0.5  # share of values that must look like e-mails, phones or addresses
NAME_SHAPE_SHARE = 0.8  # share of values shaped like names for a names verdict
KNOWN_NAME_SHARE = 0.3  # share of distinct name-shaped values holding a common name
LONG_LIST = 50  # distinct name-shaped values above which the shape alone decides

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", re.IGNORECASE)
_PHONE = re.compile(
    r"(?:tel:|phone:)?\s*\+?\s*(?:\(\s*\d{1,5}\s*\)|\d)[\d\s().\-/]*\d"
    r"(?:\s*(?:x|ext\.?|#)\s*\d{1,6})?",
    re.IGNORECASE,
)
_PHONE_CUE = re.compile(r"^\s*(?:tel:|phone:)?\s*(?:\+|00|\()|\d[\s.\-/()]+\d+[\s.\-/()]+\d")
_NOT_PHONE = re.compile(
    r"\d{1,4}([-/.])\d{1,2}\1\d{1,4}(?:[ T].*)?"  # a date
    r"|\d{5}-\d{4}"  # a US ZIP+4 code
    r"|-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d{1,3}(?:\.\d{3})+(?:,\d+)?"  # 1,234,567
    r"|-?[1-9]\d{0,2}(?:[ \u00a0']\d{3})+(?:[.,]\d+)?|-?\d+[.,]\d+"  # 1 234 567, 12.5
)
_EXTENSION = re.compile(r"\s*(?:x|ext\.?|#)\s*\d{1,6}$", re.IGNORECASE)
_CODE = re.compile(r"(?!\d{4}-\d\d-\d\d)(?=\S*\d)(?=\S*[^\W\d_])[^\W_][\w\-./:#]{4,39}")


class Recognised(NamedTuple):
    """What a column holds (``kind``) and the sentence that says why (``why``)."""

    kind: str
    why: str

    @property
    def personal(self) -> bool:
        """True for personal data (every kind but identifier-like codes)."""
        return self.kind != IDENTIFIERS

    def reason(self) -> str:
        """The exclusion reason the report shows."""
        prefix = "personal data: " if self.personal else ""
        return f"{prefix}{self.kind} ({self.why})"


def _share(mask: pd.Series | np.ndarray) -> float:
    return float(np.mean(mask)) if len(mask) else 0.0


def _text_sample(values: pd.Series) -> pd.Series:
    """Up to ``SAMPLE_ROWS`` present values as stripped text (a seeded sample).

    The rows are those ``values.dropna().sample(SAMPLE_ROWS, random_state=0)`` picks (the
    draw depends only on how many values are present), taken without copying every value."""
    present = np.flatnonzero(values.notna().to_numpy(dtype=bool))
    if len(present) > SAMPLE_ROWS:
        present = pd.Series(present).sample(SAMPLE_ROWS, random_state=0).to_numpy()
    text = values.iloc[present].astype(str).str.strip()
    return text[text != ""]


class _Rows(NamedTuple):
    """A sample's text, each row's code into its distinct values, and those values (in order
    of first appearance, as ``unique`` gives them): a rule written in Python runs once per
    distinct value and a row's result is its value's."""

    text: pd.Series
    codes: np.ndarray
    distinct: pd.Series

    @classmethod
    def of(cls, text: pd.Series) -> _Rows:
        codes, uniques = pd.factorize(text)
        return cls(text, codes, pd.Series(uniques, dtype=text.dtype))

    def share(self, flags: pd.Series) -> float:
        """The share of rows whose distinct value has ``flags`` (one flag per distinct)."""
        return _share(flags.to_numpy(dtype=bool)[self.codes])


def _digit_runs(digits: pd.Series) -> Recognised | None:
    """Whole numbers of 9-15 digits, nearly all different and never round: phones or ids."""
    if len(digits) < 20:
        return None
    lengths = digits.str.len()
    long_share = _share(lengths.between(9, 15))
    round_share = _share(digits.str.endswith("000"))
    distinct = digits.nunique() / len(digits)
    if long_share >= 0.8 and distinct >= 0.9 and round_share <= 0.1:
        why = (
            f"{long_share:.0%} of values are whole numbers of 9-15 digits, {distinct:.0%} distinct"
        )
        return Recognised("phone numbers or identifiers", why)
    return None


def _numbers(values: pd.Series) -> Recognised | None:
    """Numeric columns: only long, distinct whole numbers are recognised."""
    x = values.to_numpy(dtype=float, na_value=np.nan)
    x = x[np.isfinite(x)]  # the present, finite values in order (no copy of the column first)
    if len(x) == 0 or _share(x == np.round(x)) < 0.95 or np.abs(x).max() >= 1e16:
        return None
    whole = np.abs(x[: SAMPLE_ROWS * 2]).astype(np.int64)
    if len(whole) >= 20 and _share((whole >= 10**8) & (whole < 10**15)) < 0.8:
        return None  # under 80 % have 9-15 digits: _digit_runs's verdict, without the text
    return _digit_runs(pd.Series(whole).astype(str))


def is_phone(text: pd.Series) -> pd.Series:
    """Per value: written like a phone number (7-15 digits, a phone's punctuation or prefix)."""
    core = text.str.replace(_EXTENSION, "", regex=True)
    digits = core.str.count(r"\d")
    cue = core.str.contains(_PHONE_CUE, regex=True) | (core.str.startswith("0") & (digits >= 9))
    shaped = text.str.fullmatch(_PHONE) & cue
    return shaped & digits.between(7, 15) & ~core.str.fullmatch(_NOT_PHONE)


def _is_address(value: str) -> bool:
    if not any(c.isdigit() for c in value):
        return False
    tokens = re.findall(r"[^\W\d_]+", fold(value))
    return len(tokens) >= 1 and any(
        t in STREET_WORDS or (t.endswith(STREET_ENDINGS) and t not in STREET_ENDINGS)
        for t in tokens
    )


def _has_legal_form(value: str) -> bool:
    folded = fold(value)
    if any(form in folded for form in COMPANY_SCRIPT_FORMS):
        return True
    tokens = folded.replace(".", "").replace(",", " ").split()
    return len(tokens) >= 2 and (tokens[-1] in LEGAL_FORMS or tokens[0] in ("pt", "cv"))


def _name_token(token: str) -> bool:
    core = token.strip(".").replace("-", "").replace("'", "").replace("\u2019", "")
    if not core.isalpha():
        return False
    if fold(core) in NAME_PARTICLES:
        return True
    first = core[0]
    return first.isupper() or first.upper() == first.lower()  # capitalised, or no case


def name_shaped(value: str) -> bool:
    """Written like a person's name: 1-4 capitalised words (or words of a script without
    case), particles such as *van* or *de* allowed, no digits."""
    tokens = value.replace(",", " ").split()
    return len(value) <= 60 and 1 <= len(tokens) <= 4 and all(map(_name_token, tokens))


def known_name(value: str) -> bool:
    """Holds a common given name or surname (any of the listed languages and scripts)."""
    tokens = [fold(t) for t in re.split(r"[\s,\-]+", value) if t]
    if any(t in GIVEN_NAMES or t in SURNAMES for t in tokens):
        return True
    if fold("".join(tokens)) in SURNAMES:
        return True
    first = tokens[0] if tokens else ""
    uncased = bool(first) and first.upper() == first.lower() and first.isalpha()
    return (
        uncased and len(first) <= 6 and (first[:1] in NAME_PREFIXES or first[:2] in NAME_PREFIXES)
    )


def _companies(rows: _Rows, header: str) -> Recognised | None:
    text, distinct = rows.text, rows.distinct
    legal = _share(distinct.map(_has_legal_form))
    if legal >= 0.2:
        return Recognised(
            "names of companies", f"{legal:.0%} of distinct values end in a legal form"
        )
    if COMPANY_HEADER.fullmatch(header):
        loose = _share(text.str.fullmatch(r"[^\W_][^@]{0,79}") & ~text.str.fullmatch(r"[\d\s.,]+"))
        if loose >= NAME_SHAPE_SHARE:
            return Recognised(
                "names of companies", f"its header says so, {loose:.0%} of values are names"
            )
    return None


def _people(rows: _Rows, header: str) -> Recognised | None:
    distinct = rows.distinct
    shaped_distinct = distinct.map(name_shaped)
    shaped = rows.share(shaped_distinct)
    if shaped < NAME_SHAPE_SHARE or titles.looks_like_titles(distinct):
        return None
    names = distinct[shaped_distinct.to_numpy(dtype=bool)]
    known = _share(names.map(known_name))
    what = f"{shaped:.0%} of values are shaped like names"
    if known >= KNOWN_NAME_SHARE:
        return Recognised("names of people", f"{what}, {known:.0%} of distinct ones common names")
    if PERSON_HEADER.fullmatch(header):
        return Recognised("names of people", f"{what} and its header says so")
    if len(names) > LONG_LIST:
        return Recognised("names of people or companies", f"{what}, {len(names):,} distinct")
    return None


def _identifiers(rows: _Rows) -> Recognised | None:
    text, distinct = rows.text, rows.distinct
    coded = _share(text.str.fullmatch(_CODE))
    if coded >= 0.8 and len(distinct) >= max(20, 0.1 * len(text)):
        unique = len(distinct) / len(text)
        return Recognised(IDENTIFIERS, f"{coded:.0%} of values mix letters and digits, "
                          f"{unique:.0%} of them distinct")  # fmt: skip
    return None


def recognise(values: pd.Series, name: str = "") -> Recognised | None:
    """What personal data (or identifiers) a column holds and why, or None.

    Args:
        values: the column as read.
        name: its header, which may support a value shape (never decides alone).
    """
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
        return None
    if pd.api.types.is_numeric_dtype(values):
        return _numbers(values)
    text = _text_sample(values)
    if len(text) == 0:
        return None
    if (share := _share(text.str.fullmatch(_EMAIL))) >= MIN_SHARE:
        return Recognised("e-mail addresses", f"{share:.0%} of values")
    if (share := _share(is_phone(text))) >= MIN_SHARE:
        return Recognised("phone numbers", f"{share:.0%} of values are written like phones")
    rows = _Rows.of(text)
    if (share := rows.share(rows.distinct.map(_is_address))) >= MIN_SHARE:
        return Recognised("street addresses", f"{share:.0%} of values hold a street and number")
    plain = text.str.fullmatch(r"\+?\d+")
    if _share(plain) >= 0.95 and (found := _digit_runs(text[plain].str.lstrip("+"))):
        return found
    header = header_words(name)
    return _companies(rows, header) or _people(rows, header) or _identifiers(rows)


def personal_columns(
    frame: pd.DataFrame, *, declared: Iterable[str] = (), skip: Iterable[str] = ()
) -> dict[str, str]:
    """The columns of ``frame`` holding personal data, each with the reason: the declared
    ones, then those recognised from their values (columns in ``skip`` are not looked at)."""
    found = {c: DECLARED for c in declared if c in frame}
    skipped = set(skip)
    for col in frame.columns:
        if col in found or col in skipped:
            continue
        hit = recognise(frame[col], str(col))
        if hit is not None and hit.personal:
            found[str(col)] = hit.reason()
    return found
