"""Contacts of the sample CRM: their true attributes, synthetic PII and the exported frame.

:func:`draw_contacts` draws one month's contacts as integer codes and numbers (the first draws
of the month's generator); :func:`contacts_frame` turns the concatenated codes of all months
into the exported contacts table, with messy titles, PII strings and values blanked at random.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from leadscore.sample._arrow import join, lpad, seconds_to_datetime, str_series, take
from leadscore.sample._draw import shares
from leadscore.sample.constants import (
    COUNTRIES,
    EMPLOYEES_LOG10_MEAN,
    EMPLOYEES_LOG10_SD,
    EMPLOYEES_MAX,
    INDUSTRIES,
    INDUSTRY_WEIGHTS,
    LEAD_SOURCE_WEIGHTS,
    LEAD_SOURCES,
    MISSING_RATES,
    REVENUE_PER_EMPLOYEE,
    SENIORITY_LEVELS,
    SENIORITY_WEIGHTS,
    SMALL_COMPANY_OWNER_SHARE,
    TITLE_CASING,
)
from leadscore.sample.words import (
    COMPANY_SUFFIXES,
    COMPANY_WORDS_A,
    COMPANY_WORDS_B,
    FIRST_NAMES,
    LAST_NAMES,
    TITLES_BY_SENIORITY,
)

# A concatenated per-month array by key (see leadscore.sample.export.generate_crm).
Concat = Callable[[str], np.ndarray]

_SENIORITY_CODE = {name: i for i, name in enumerate(SENIORITY_LEVELS)}
_TITLE_VOCAB: list[str] = [t for lvl in SENIORITY_LEVELS for t in TITLES_BY_SENIORITY[lvl]]
_TITLE_COUNT = np.array([len(TITLES_BY_SENIORITY[lvl]) for lvl in SENIORITY_LEVELS])
_TITLE_OFFSET = np.concatenate([[0], np.cumsum(_TITLE_COUNT)[:-1]])
_COUNTRY_P = np.array([c[1] for c in COUNTRIES]) / sum(c[1] for c in COUNTRIES)


def draw_contacts(rng: np.random.Generator, n: int, t0: int, t1: int) -> dict[str, np.ndarray]:
    """Draw ``n`` contacts created in ``[t0, t1)`` (int64 epoch seconds), true values.

    The draw order is part of the output: changing it changes every later draw of the month.
    Returns codes into the vocabularies, numbers, the hidden ``seniority`` and one
    ``miss_<column>`` mask per ``MISSING_RATES`` column.
    """
    created = t0 + np.sort(rng.integers(0, t1 - t0, size=n))
    industry = rng.choice(len(INDUSTRIES), size=n, p=shares(INDUSTRY_WEIGHTS))
    log_emp = rng.normal(EMPLOYEES_LOG10_MEAN, EMPLOYEES_LOG10_SD, n)
    employees = np.clip(np.rint(10.0**log_emp), 1, EMPLOYEES_MAX)
    rev_per_emp = 10.0 ** rng.normal(np.log10(REVENUE_PER_EMPLOYEE), 0.25, n)
    revenue = np.maximum(np.round(employees * rev_per_emp, -3), 1_000.0)
    seniority = rng.choice(len(SENIORITY_LEVELS), size=n, p=shares(SENIORITY_WEIGHTS))
    owner = (employees <= 10) & (rng.random(n) < SMALL_COMPANY_OWNER_SHARE)
    seniority[owner] = _SENIORITY_CODE["c_level"]
    title = _TITLE_OFFSET[seniority] + (rng.random(n) * _TITLE_COUNT[seniority]).astype(np.int64)
    casing = rng.random(n)
    source = rng.choice(len(LEAD_SOURCES), size=n, p=shares(LEAD_SOURCE_WEIGHTS))
    country = rng.choice(len(COUNTRIES), size=n, p=_COUNTRY_P)
    pii = {
        "first": rng.integers(0, len(FIRST_NAMES), n),
        "last": rng.integers(0, len(LAST_NAMES), n),
        "comp_a": rng.integers(0, len(COMPANY_WORDS_A), n),
        "comp_b": rng.integers(0, len(COMPANY_WORDS_B), n),
        "comp_s": rng.integers(0, len(COMPANY_SUFFIXES), n),
        "phone_a": rng.integers(0, 10_000, n),
        "phone_b": rng.integers(0, 1_000, n),
    }
    budget = 10.0 ** (4.2 + 0.4 * (np.log10(employees) - 2.0) + rng.normal(0.0, 0.55, n))
    budget = np.maximum(np.round(budget / 500.0) * 500.0, 500.0)
    miss = {f"miss_{col}": rng.random(n) < rate for col, rate in MISSING_RATES.items()}
    return {
        "created": created,
        "industry": industry,
        "employees": employees,
        "revenue": revenue,
        "seniority": seniority,
        "title": title,
        "casing": casing,
        "source": source,
        "country": country,
        **pii,
        "budget": budget,
        **miss,
    }


def _pii_columns(cat: Concat) -> dict[str, pa.Array]:
    """Build names, company, email and phone strings from the drawn word codes."""
    first = take(FIRST_NAMES, cat("first"))
    last = take(LAST_NAMES, cat("last"))
    comp_a = take(COMPANY_WORDS_A, cat("comp_a"))
    comp_b = take(COMPANY_WORDS_B, cat("comp_b"))
    company = join(comp_a, comp_b, take(COMPANY_SUFFIXES, cat("comp_s")))
    local = pc.replace_substring_regex(pc.utf8_lower(join(first, ".", last)), r"[' ]", "")
    domain = pc.utf8_lower(pc.replace_substring(join(comp_a, comp_b), " ", "-"))
    email = join(local, "@", domain, ".example")
    calling = np.array([c[2] for c in COUNTRIES])[cat("country")]
    phone = join(
        "+", pc.cast(pa.array(calling), pa.string()), "-555-",
        lpad(cat("phone_a"), 4), "-", lpad(cat("phone_b"), 3),
    )  # fmt: skip
    return {
        "first_name": first,
        "last_name": last,
        "email": email,
        "phone": phone,
        "company": company,
    }


def _messy_titles(cat: Concat) -> pa.Array:
    """Look up job titles (null where blanked) and apply the ``TITLE_CASING`` variants."""
    title = take(_TITLE_VOCAB, cat("title"), missing=cat("miss_job_title"))
    casing = cat("casing")
    cut_lower = TITLE_CASING["as_is"]
    cut_upper = cut_lower + TITLE_CASING["lower"]
    cut_pad = cut_upper + TITLE_CASING["upper"]
    title = pc.if_else(pa.array(casing >= cut_pad), join(" ", title, " "), title)
    title = pc.if_else(
        pa.array((casing >= cut_upper) & (casing < cut_pad)), pc.utf8_upper(title), title
    )
    return pc.if_else(
        pa.array((casing >= cut_lower) & (casing < cut_upper)), pc.utf8_lower(title), title
    )


def contacts_frame(
    cat: Concat, months: int, n: int, outcome: pa.Array, closed_at: np.ndarray
) -> pd.DataFrame:
    """Assemble the exported contacts (``CONTACT_COLUMNS``) from the concatenated months.

    ``outcome`` and ``closed_at`` are the outcome columns as seen at the export end.
    """
    month_no = np.repeat(np.arange(months), n)
    contact_id = join("C", lpad(month_no, 3), lpad(np.tile(np.arange(n), months), 6))
    return pd.DataFrame(
        {
            "contact_id": str_series(contact_id),
            "created_at": seconds_to_datetime(cat("created")),
            **{col: str_series(values) for col, values in _pii_columns(cat).items()},
            "industry": str_series(take(INDUSTRIES, cat("industry"), missing=cat("miss_industry"))),
            "employees": np.where(cat("miss_employees"), np.nan, cat("employees")),
            "annual_revenue": np.where(cat("miss_annual_revenue"), np.nan, cat("revenue")),
            "country": str_series(take([c[0] for c in COUNTRIES], cat("country"))),
            "job_title": str_series(_messy_titles(cat)),
            "lead_source": str_series(take(LEAD_SOURCES, cat("source"))),
            "budget": np.where(cat("miss_budget"), np.nan, cat("budget")),
            "outcome": str_series(outcome),
            "closed_at": closed_at,
        }
    )
