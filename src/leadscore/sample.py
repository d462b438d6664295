"""Seeded generator of a realistic synthetic B2B CRM export (contacts + activities).

The generator stands in for a real CRM export: it has PII columns, free-text job titles,
missing values, inconsistent country spellings and a conversion process that depends on
firmographic fit and on behaviour the way sales literature describes it, with noise.
``docs/sample-data.md`` repeats these rules with a worked overview; the constants below are
the single source of truth and tests refer to them.

How a history is generated
--------------------------
Month ``m`` (0-based, starting at ``start``) gets ``contacts_per_month`` contacts. Everything
about them -- attributes, latent scores, outcome, close time and every activity over their
whole lifecycle (up to ``HORIZON_DAYS`` days) -- is drawn from ``np.random.default_rng([seed,
m])`` only, in a fixed order that does not depend on ``months``. The export at
``end = start + months`` then truncates that history: contacts with ``created_at < end`` (all
of them), activities with ``occurred_at < end``, and ``outcome``/``closed_at`` blanked where
``closed_at >= end``. Hence a later export (more ``months``, same ``seed``,
``contacts_per_month`` and ``start``) continues the same history: earlier contacts keep their
attributes, earlier activities are unchanged, earlier closes keep outcome and time, and
contacts open at the earlier export may have closed by the later one.

Rules (the numbers live in the module constants named in double backticks)
-------------------------------------------------------------------------
Attributes (true values; the export then blanks some at random, ``MISSING_RATES``: industry
5 %, employees 15 %, annual_revenue 25 %, job_title 5 %, budget 40 %):

* ``created_at`` uniform over the month, whole seconds; contact ids
  ``C<month:03d><index:06d>`` follow creation order.
* ``industry`` from ``INDUSTRIES`` with ``INDUSTRY_WEIGHTS``.
* employees = clip(round(10 ** N(2.0, 0.9)), 1, 50,000) (median ~100).
* annual_revenue = employees * 10 ** N(log10(150,000), 0.25), rounded to 1,000 USD (at
  least 1,000), so log revenue and log employees are strongly correlated.
* hidden seniority from ``SENIORITY_WEIGHTS`` (c_level 8 %, vp 10 %, director 15 %, manager
  25 %, individual_contributor 35 %, intern_student 7 %); at companies with at most 10
  employees a further 40 % are made c_level (owners, founders). ``job_title`` is drawn
  uniformly from ``TITLES_BY_SENIORITY[seniority]`` and then made messy (``TITLE_CASING``):
  72 % kept, 18 % lower-cased, 4 % upper-cased, 6 % padded with a space on both sides.
* ``lead_source`` from ``LEAD_SOURCES``/``LEAD_SOURCE_WEIGHTS``; ``country`` from
  ``COUNTRIES`` (US 45 % as "United States", "USA" or "US"; UK as "United Kingdom" or "UK").
* budget = 10 ** (4.2 + 0.4 * (log10(employees) - 2) + N(0, 0.55)), rounded to 500 USD (at
  least 500); the exported (stated) budget is this value for the 60 % not blanked.
* ``first_name``/``last_name``/``company``/``email``/``phone`` are synthetic PII drawn
  independently per contact; email is ``first.last@<company-words>.example`` (lower case,
  apostrophes and spaces removed), phone ``+<calling code of country>-555-NNNN-NNN``.

Latent scores (never exported):

* fit = 0.3 [true industry in ``ICP_INDUSTRIES``] - 0.8 [true employees 1-10] + 0.3
  [200-5,000] + 0.2 [over 5,000] + 0.2 [stated budget >= 50,000] + 1.0 [ICP industry *and*
  200-5,000 employees] + 1.2 [decision-maker seniority *and* stated budget >= 50,000] (the
  "AND" rules of ICP and BANT: a linear model cannot express them, trees can) + ``SENIORITY_FIT`` (c_level
  +0.9, vp +0.8, director +0.6, manager +0.1, individual_contributor -0.3, intern_student
  -2.0) + ``LEAD_SOURCE_FIT`` (Referral +0.8, Partner +0.6, Webinar +0.4, Trade Show +0.2,
  Organic Search +0.1, Paid Search 0, Content Download 0, Social -0.2, Cold Outbound -0.7).
  The scalar terms are ``FIT_COEFFICIENTS``; fit has mean ~0.7 and sd ~1.05.
* intent = 0.5 * (fit - 0.7) + N(0, 1) (``INTENT_FIT_WEIGHT``, ``FIT_CENTER``).

Outcome and close (``WIN_MODEL``, ``CLOSE_RULES``):

* won ~ Bernoulli(sigmoid(-4.3 + 1.0 * fit + 1.0 * intent + N(0, 0.5))): about 5.9 % show as
  won in the default 18-month export (recent winners are still open at export time).
* Winners close clip(70 * 10 ** (0.15 * (log10(employees) - 2)) * exp(N(0, 0.5)), 20, 200)
  days after creation (bigger companies take longer). Non-winners are lost with probability
  0.85 at uniform(30, 300) days after creation; the other 15 % never close.
* A contact is active from ``created_at`` until its close (exclusive), for at most
  ``HORIZON_DAYS`` = 425 days: no activity before ``created_at`` or at/after ``closed_at``.

Activities (times are whole seconds; ``activity_type`` is one of ``ACTIVITY_TYPES``):

* First touch at exactly ``created_at`` for inbound sources (``FIRST_TOUCH``): form_submit
  for Organic Search, Paid Search and Social, content_download for Content Download,
  webinar_attended for Webinar; none for Referral, Partner, Trade Show and Cold Outbound.
* Engagement (``ENGAGEMENT``, per type: expected count N over the full 425 days at intent 0,
  intent elasticity a, decay tau days): a contact active for L days gets
  Poisson(N * exp(a * intent) * (1 - exp(-L / tau)) / (1 - exp(-425 / tau))) events at times
  with density proportional to exp(-t / tau) on [0, L). (N, a, tau): email_open (7, 0.4,
  150), email_click (1.6, 0.6, 120), web_visit (6, 0.5, 60), pricing_page_view (0.5, 0.8,
  45), content_download (0.7, 0.5, 60), webinar_attended (0.3, 0.5, 90), form_submit (0.3,
  0.5, 45).
* High intent of winners (``HIGH_INTENT``): a demo_request with probability 0.85 at
  uniform(5, 60) days before the win, a quote_request with probability 0.55 at uniform(3, 40)
  days before, 1 + Poisson(1.2) meetings and Poisson(2) extra pricing_page_views each at
  uniform(1, 60) days before. A lead time longer than the sales cycle is cut to 0.95 times
  the cycle, so these events always fall between creation and the win.
* High intent of non-winners: a demo_request with probability sigmoid(-3.3 + 0.8 * intent)
  (about 4.5 % of non-winners) at a uniform time in the first min(120, L) days, then
  Poisson(0.8) meetings at uniform(1, 30) days after the demo, a quote_request with
  probability 0.2 at uniform(3, 40) days after it and Poisson(1) pricing_page_views at
  uniform(0, 30) days after it; follow-ups falling at or after the close are dropped.
* ``detail`` is drawn uniformly from ``ACTIVITY_DETAILS[activity_type]`` (page paths,
  campaign, content and webinar names, meeting kinds); ``None`` entries there give blank
  (NaN) details.
* Activities are sorted by ``occurred_at`` then ``contact_id`` (stable, so exact ties keep
  their generation order and later exports keep the same row order).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "ACTIVITY_COLUMNS",
    "ACTIVITY_DETAILS",
    "ACTIVITY_TYPES",
    "CLOSE_RULES",
    "CONTACT_COLUMNS",
    "COUNTRIES",
    "DECISION_MAKER_LEVELS",
    "ENGAGEMENT",
    "FIRST_TOUCH",
    "FIT_CENTER",
    "FIT_COEFFICIENTS",
    "HIGH_INTENT",
    "HORIZON_DAYS",
    "ICP_INDUSTRIES",
    "INDUSTRIES",
    "INDUSTRY_WEIGHTS",
    "INTENT_FIT_WEIGHT",
    "LEAD_SOURCE_FIT",
    "LEAD_SOURCES",
    "MISSING_RATES",
    "PII_COLUMNS",
    "SENIORITY_FIT",
    "SENIORITY_LEVELS",
    "SENIORITY_WEIGHTS",
    "TITLES_BY_SENIORITY",
    "WIN_MODEL",
    "generate_crm",
    "write_crm",
]

# --------------------------------------------------------------------------- columns

CONTACT_COLUMNS: tuple[str, ...] = (
    "contact_id",
    "created_at",
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "industry",
    "employees",
    "annual_revenue",
    "country",
    "job_title",
    "lead_source",
    "budget",
    "outcome",
    "closed_at",
)
ACTIVITY_COLUMNS: tuple[str, ...] = ("contact_id", "occurred_at", "activity_type", "detail")
PII_COLUMNS: tuple[str, ...] = ("first_name", "last_name", "email", "phone", "company")

# --------------------------------------------------------------------------- attributes

INDUSTRIES: tuple[str, ...] = (
    "Software",
    "Financial Services",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Education",
    "Government",
    "Media",
    "Logistics",
    "Non-profit",
)
INDUSTRY_WEIGHTS: tuple[float, ...] = (0.18, 0.12, 0.11, 0.13, 0.10, 0.08, 0.05, 0.07, 0.08, 0.08)
ICP_INDUSTRIES: frozenset[str] = frozenset({"Software", "Financial Services", "Healthcare"})

EMPLOYEES_LOG10_MEAN = 2.0
EMPLOYEES_LOG10_SD = 0.9
EMPLOYEES_MAX = 50_000
REVENUE_PER_EMPLOYEE = 150_000.0

SENIORITY_LEVELS: tuple[str, ...] = (
    "c_level",
    "vp",
    "director",
    "manager",
    "individual_contributor",
    "intern_student",
)
SENIORITY_WEIGHTS: tuple[float, ...] = (0.08, 0.10, 0.15, 0.25, 0.35, 0.07)
DECISION_MAKER_LEVELS: frozenset[str] = frozenset({"c_level", "vp", "director"})
SMALL_COMPANY_OWNER_SHARE = 0.4

TITLES_BY_SENIORITY: dict[str, tuple[str, ...]] = {
    "c_level": (
        "Chief Executive Officer",
        "CEO",
        "Founder & CEO",
        "Co-Founder",
        "Owner",
        "President",
        "Chief Technology Officer",
        "CTO",
        "Chief Financial Officer",
        "CFO",
        "Chief Operating Officer",
        "COO",
        "Chief Marketing Officer",
        "Chief Revenue Officer",
        "Chief Information Officer",
        "CIO",
        "Managing Director",
    ),
    "vp": (
        "VP of Sales",
        "vp sales",
        "Vice President, Marketing",
        "VP Engineering",
        "SVP Operations",
        "VP, IT",
        "Vice President of Finance",
        "EVP Business Development",
        "VP Procurement",
        "AVP, Technology",
    ),
    "director": (
        "Director, IT",
        "Director of Marketing",
        "Head of Procurement",
        "Head of Sales",
        "Head of Data",
        "Sales Director",
        "IT Director",
        "Dir. Operations",
        "Director of Engineering",
        "Head of Growth",
        "Senior Director, Finance",
        "Head of IT",
    ),
    "manager": (
        "Operations Manager",
        "IT Manager",
        "Marketing Manager",
        "Sales Manager",
        "Procurement Manager",
        "Engineering Manager",
        "Office Manager",
        "Mgr, Customer Success",
        "Product Manager",
        "Finance Manager",
        "Project Manager",
        "Team Lead",
    ),
    "individual_contributor": (
        "Sr. Software Engineer",
        "Software Engineer",
        "Data Analyst",
        "Procurement Specialist",
        "Accountant",
        "Sales Representative",
        "Account Executive",
        "Marketing Specialist",
        "Business Analyst",
        "SDR",
        "Consultant",
        "Developer",
        "Systems Administrator",
        "Sr Data Scientist",
        "Buyer",
        "Executive Assistant",
    ),
    "intern_student": (
        "Marketing Intern",
        "Intern",
        "Student",
        "Sales Intern",
        "Software Engineering Intern",
        "Graduate Student",
        "MBA Candidate",
        "PhD Student",
        "Working Student",
    ),
}
# Shares of titles kept as written, lower-cased, upper-cased, padded with stray spaces.
TITLE_CASING: dict[str, float] = {"as_is": 0.72, "lower": 0.18, "upper": 0.04, "padded": 0.06}

LEAD_SOURCES: tuple[str, ...] = (
    "Organic Search",
    "Paid Search",
    "Referral",
    "Partner",
    "Trade Show",
    "Webinar",
    "Content Download",
    "Cold Outbound",
    "Social",
)
LEAD_SOURCE_WEIGHTS: tuple[float, ...] = (0.22, 0.15, 0.07, 0.06, 0.07, 0.08, 0.14, 0.13, 0.08)

# (spelling as exported, share, calling code)
COUNTRIES: tuple[tuple[str, float, int], ...] = (
    ("United States", 0.25, 1),
    ("USA", 0.12, 1),
    ("US", 0.08, 1),
    ("Canada", 0.08, 1),
    ("United Kingdom", 0.07, 44),
    ("UK", 0.02, 44),
    ("Germany", 0.08, 49),
    ("France", 0.04, 33),
    ("Netherlands", 0.03, 31),
    ("Australia", 0.04, 61),
    ("India", 0.06, 91),
    ("Brazil", 0.03, 55),
    ("Singapore", 0.02, 65),
    ("Spain", 0.02, 34),
    ("Sweden", 0.02, 46),
    ("Japan", 0.04, 81),
)

MISSING_RATES: dict[str, float] = {
    "industry": 0.05,
    "employees": 0.15,
    "annual_revenue": 0.25,
    "job_title": 0.05,
    "budget": 0.40,
}

FIRST_NAMES: tuple[str, ...] = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
    "Sarah", "Carlos", "Karen", "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Sandra",
    "Mark", "Ashley", "Priya", "Emily", "Wei", "Aisha", "Kenji", "Sofia", "Lukas", "Emma",
    "Mohammed", "Olivia", "Raj", "Chloe", "Mateo", "Hannah", "Ivan", "Fatima", "Noah", "Mia",
    "Liam", "Ana", "Oliver", "Yuki", "Lars", "Ingrid", "Pierre", "Camille", "Diego", "Lucia",
    "Arjun", "Mei", "Tom", "Grace",
)  # fmt: skip
LAST_NAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore",
    "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker",
    "Patel", "Singh", "Kim", "Nguyen", "Chen", "Wang", "Mueller", "Schmidt", "Rossi",
    "Dubois", "Silva", "Santos", "Tanaka", "Sato", "Johansson", "Andersson", "Novak",
    "Kowalski", "O'Brien", "O'Neil", "Murphy", "Kelly", "Cohen", "Khan", "Ali", "Fischer",
    "Van Dijk", "De Vries", "Moreau", "Fernandez", "Gupta", "Sharma", "Okafor", "Mensah",
)  # fmt: skip
COMPANY_WORDS_A: tuple[str, ...] = (
    "North", "Blue", "Bright", "Silver", "Iron", "Red", "Green", "Summit", "Cedar", "Pine",
    "Harbor", "Granite", "Swift", "Clear", "Golden", "Polar", "Prime", "True", "Apex", "Nova",
    "Vertex", "Atlas", "Pioneer", "Crescent", "Evergreen", "Falcon", "Lumen", "Orbit",
    "Quantum", "Riverside",
)  # fmt: skip
COMPANY_WORDS_B: tuple[str, ...] = (
    "wind", "stone", "field", "bridge", "point", "wave", "peak", "path", "works", "line",
    "gate", "forge", "light", "view", "port", "leaf", "core", "mark", "shore", "ridge",
    " Analytics", " Systems", " Labs", " Health", " Logistics", " Capital", " Dynamics",
    " Solutions", " Media", " Robotics",
)  # fmt: skip
COMPANY_SUFFIXES: tuple[str, ...] = ("", "", " Inc", " LLC", " Ltd", " GmbH", " Group", " Co")

# --------------------------------------------------------------------------- latent model

FIT_COEFFICIENTS: dict[str, float] = {
    "icp_industry": 0.3,  # true industry in ICP_INDUSTRIES
    "employees_1_10": -0.8,  # true employees
    "employees_200_5000": 0.3,
    "employees_over_5000": 0.2,
    "budget_50k_plus": 0.2,  # stated (non-missing) budget >= 50,000 USD
    # Interactions ("AND" rules of the sales literature): the ideal customer profile is an
    # ICP industry *and* a mid-size company; BANT needs budget *and* authority together.
    "icp_industry_and_200_5000": 1.0,
    "decision_maker_and_budget_50k_plus": 1.2,
}
SENIORITY_FIT: dict[str, float] = {
    "c_level": 0.9,
    "vp": 0.8,
    "director": 0.6,
    "manager": 0.1,
    "individual_contributor": -0.3,
    "intern_student": -2.0,
}
LEAD_SOURCE_FIT: dict[str, float] = {
    "Organic Search": 0.1,
    "Paid Search": 0.0,
    "Referral": 0.8,
    "Partner": 0.6,
    "Trade Show": 0.2,
    "Webinar": 0.4,
    "Content Download": 0.0,
    "Cold Outbound": -0.7,
    "Social": -0.2,
}
FIT_CENTER = 0.7  # approximate population mean of fit; centres intent
INTENT_FIT_WEIGHT = 0.5  # intent = 0.5 * (fit - FIT_CENTER) + N(0, 1)

WIN_MODEL: dict[str, float] = {
    "intercept": -4.3,
    "fit_weight": 1.0,
    "intent_weight": 1.0,
    "noise_sd": 0.5,
}

HORIZON_DAYS = 425  # a contact's activity lasts at most ~14 months
CLOSE_RULES: dict[str, float] = {
    "won_median_days": 70.0,
    "won_size_elasticity": 0.15,  # per decade of employees above 100
    "won_sd_log": 0.5,
    "won_min_days": 20.0,
    "won_max_days": 200.0,
    "p_lost": 0.85,
    "lost_min_days": 30.0,
    "lost_max_days": 300.0,
}

# --------------------------------------------------------------------------- activities

ACTIVITY_TYPES: tuple[str, ...] = (
    "web_visit",
    "pricing_page_view",
    "email_open",
    "email_click",
    "form_submit",
    "content_download",
    "webinar_attended",
    "demo_request",
    "quote_request",
    "meeting",
)
# type -> (expected count over the full horizon at intent 0, intent elasticity, decay days)
ENGAGEMENT: dict[str, tuple[float, float, float]] = {
    "email_open": (7.0, 0.4, 150.0),
    "email_click": (1.6, 0.6, 120.0),
    "web_visit": (6.0, 0.5, 60.0),
    "pricing_page_view": (0.5, 0.8, 45.0),
    "content_download": (0.7, 0.5, 60.0),
    "webinar_attended": (0.3, 0.5, 90.0),
    "form_submit": (0.3, 0.5, 45.0),
}
# lead source -> activity at created_at (inbound sources only)
FIRST_TOUCH: dict[str, str] = {
    "Organic Search": "form_submit",
    "Paid Search": "form_submit",
    "Social": "form_submit",
    "Content Download": "content_download",
    "Webinar": "webinar_attended",
}
HIGH_INTENT: dict[str, float | tuple[float, float]] = {
    "won_p_demo": 0.85,
    "won_demo_days_before": (5.0, 60.0),
    "won_p_quote": 0.55,
    "won_quote_days_before": (3.0, 40.0),
    "won_meetings_extra_mean": 1.2,  # 1 + Poisson(1.2) meetings
    "won_pricing_views_mean": 2.0,
    "won_events_days_before": (1.0, 60.0),  # meetings and extra pricing views
    "lost_demo_intercept": -3.3,
    "lost_demo_intent": 0.8,
    "lost_demo_window_days": 120.0,
    "lost_meetings_mean": 0.8,
    "lost_meeting_days_after": (1.0, 30.0),
    "lost_p_quote": 0.2,
    "lost_quote_days_after": (3.0, 40.0),
    "lost_pricing_views_mean": 1.0,
    "lost_pricing_days_after": (0.0, 30.0),
}
ACTIVITY_DETAILS: dict[str, tuple[str | None, ...]] = {
    "web_visit": (
        "/", "/product", "/features", "/integrations", "/customers", "/blog/lead-scoring-101",
        "/blog/crm-hygiene", "/docs/getting-started", "/about", "/careers", "/security", None,
    ),
    "pricing_page_view": ("/pricing", "/pricing", "/pricing/enterprise", "/pricing/compare"),
    "email_open": (
        "Monthly Newsletter", "Product Update", "Case Study: Logistics", "Webinar Invite",
        "Nurture 1 - Welcome", "Nurture 2 - ROI", "Nurture 3 - Demo Offer", "Event Follow-up",
        None,
    ),
    "email_click": (
        "Monthly Newsletter", "Product Update", "Case Study: Logistics", "Webinar Invite",
        "Nurture 1 - Welcome", "Nurture 2 - ROI", "Nurture 3 - Demo Offer", "Event Follow-up",
    ),
    "form_submit": ("/contact", "/signup", "/newsletter", "/trial"),
    "content_download": (
        "Whitepaper: State of B2B Sales 2025", "Ebook: Pipeline Playbook",
        "Checklist: CRM Data Quality", "Report: Buyer Benchmarks",
    ),
    "webinar_attended": (
        "Webinar: Forecasting with Confidence", "Webinar: Product Tour",
        "Webinar: RevOps Roundtable",
    ),
    "demo_request": ("/demo", "/demo", "/contact-sales"),
    "quote_request": ("Standard plan", "Enterprise plan", None),
    "meeting": (
        "Discovery call", "Product demo", "Technical review", "Pricing discussion", "Negotiation",
    ),
}  # fmt: skip

# --------------------------------------------------------------------------- internals

_DAY = 86_400
_OPEN = np.iinfo(np.int64).max  # close offset of contacts that never close
_TYPE_CODE = {name: i for i, name in enumerate(ACTIVITY_TYPES)}
_SENIORITY_CODE = {name: i for i, name in enumerate(SENIORITY_LEVELS)}

_TITLE_VOCAB: list[str] = [t for lvl in SENIORITY_LEVELS for t in TITLES_BY_SENIORITY[lvl]]
_TITLE_COUNT = np.array([len(TITLES_BY_SENIORITY[lvl]) for lvl in SENIORITY_LEVELS])
_TITLE_OFFSET = np.concatenate([[0], np.cumsum(_TITLE_COUNT)[:-1]])

_DETAIL_RAW: list[str | None] = [d for t in ACTIVITY_TYPES for d in ACTIVITY_DETAILS[t]]
_DETAIL_COUNT = np.array([len(ACTIVITY_DETAILS[t]) for t in ACTIVITY_TYPES])
_DETAIL_OFFSET = np.concatenate([[0], np.cumsum(_DETAIL_COUNT)[:-1]])
_DETAIL_VOCAB: list[str] = sorted({d for d in _DETAIL_RAW if d is not None})
# raw detail slot -> index into _DETAIL_VOCAB (-1 = blank)
_DETAIL_SLOT = np.array([-1 if d is None else _DETAIL_VOCAB.index(d) for d in _DETAIL_RAW])

_SENIORITY_COEF = np.array([SENIORITY_FIT[lvl] for lvl in SENIORITY_LEVELS])
_SOURCE_COEF = np.array([LEAD_SOURCE_FIT[s] for s in LEAD_SOURCES])
_DECISION_MAKER = np.array([lvl in DECISION_MAKER_LEVELS for lvl in SENIORITY_LEVELS])
_ICP_MASK = np.array([i in ICP_INDUSTRIES for i in INDUSTRIES])
_FIRST_TOUCH_CODE = np.array([_TYPE_CODE.get(FIRST_TOUCH.get(s, ""), -1) for s in LEAD_SOURCES])
_COUNTRY_P = np.array([c[1] for c in COUNTRIES]) / sum(c[1] for c in COUNTRIES)


def _p(weights: tuple[float, ...]) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.sum()


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _uniform(
    rng: np.random.Generator, bounds: float | tuple[float, float], size: int
) -> np.ndarray:
    low, high = bounds  # type: ignore[misc]
    return rng.uniform(low, high, size)


def _month_bounds(start: pd.Timestamp, months: int) -> np.ndarray:
    """Return the months + 1 month boundaries as int64 seconds since the epoch."""
    stamps = [start + pd.DateOffset(months=m) for m in range(months + 1)]
    return np.array([(s - pd.Timestamp(0)) // pd.Timedelta(seconds=1) for s in stamps])


def _generate_month(rng: np.random.Generator, n: int, t0: int, t1: int) -> dict[str, np.ndarray]:
    """Draw one month's contacts and their whole lifecycle from ``rng`` (fixed draw order).

    Times are int64 seconds since the epoch; activity times are offsets from ``created``.
    """
    ar = np.arange(n)
    created = t0 + np.sort(rng.integers(0, t1 - t0, size=n))

    # ---- attributes (true values)
    industry = rng.choice(len(INDUSTRIES), size=n, p=_p(INDUSTRY_WEIGHTS))
    log_emp = rng.normal(EMPLOYEES_LOG10_MEAN, EMPLOYEES_LOG10_SD, n)
    employees = np.clip(np.rint(10.0**log_emp), 1, EMPLOYEES_MAX)
    rev_per_emp = 10.0 ** rng.normal(np.log10(REVENUE_PER_EMPLOYEE), 0.25, n)
    revenue = np.maximum(np.round(employees * rev_per_emp, -3), 1_000.0)
    seniority = rng.choice(len(SENIORITY_LEVELS), size=n, p=_p(SENIORITY_WEIGHTS))
    owner = (employees <= 10) & (rng.random(n) < SMALL_COMPANY_OWNER_SHARE)
    seniority[owner] = _SENIORITY_CODE["c_level"]
    title = _TITLE_OFFSET[seniority] + (rng.random(n) * _TITLE_COUNT[seniority]).astype(np.int64)
    casing = rng.random(n)
    source = rng.choice(len(LEAD_SOURCES), size=n, p=_p(LEAD_SOURCE_WEIGHTS))
    country = rng.choice(len(COUNTRIES), size=n, p=_COUNTRY_P)
    first = rng.integers(0, len(FIRST_NAMES), n)
    last = rng.integers(0, len(LAST_NAMES), n)
    comp_a = rng.integers(0, len(COMPANY_WORDS_A), n)
    comp_b = rng.integers(0, len(COMPANY_WORDS_B), n)
    comp_s = rng.integers(0, len(COMPANY_SUFFIXES), n)
    phone_a = rng.integers(0, 10_000, n)
    phone_b = rng.integers(0, 1_000, n)
    budget = 10.0 ** (4.2 + 0.4 * (np.log10(employees) - 2.0) + rng.normal(0.0, 0.55, n))
    budget = np.maximum(np.round(budget / 500.0) * 500.0, 500.0)
    miss = {col: rng.random(n) < rate for col, rate in MISSING_RATES.items()}
    budget_stated = ~miss["budget"]

    # ---- latent fit, intent, outcome
    fc = FIT_COEFFICIENTS
    fit = (
        fc["icp_industry"] * _ICP_MASK[industry]
        + fc["employees_1_10"] * (employees <= 10)
        + fc["employees_200_5000"] * ((employees >= 200) & (employees <= 5_000))
        + fc["employees_over_5000"] * (employees > 5_000)
        + fc["budget_50k_plus"] * (budget_stated & (budget >= 50_000))
        + fc["icp_industry_and_200_5000"]
        * (_ICP_MASK[industry] & (employees >= 200) & (employees <= 5_000))
        + fc["decision_maker_and_budget_50k_plus"]
        * (_DECISION_MAKER[seniority] & budget_stated & (budget >= 50_000))
        + _SENIORITY_COEF[seniority]
        + _SOURCE_COEF[source]
    )
    intent = INTENT_FIT_WEIGHT * (fit - FIT_CENTER) + rng.normal(0.0, 1.0, n)
    wm = WIN_MODEL
    logit = (
        wm["intercept"]
        + wm["fit_weight"] * fit
        + wm["intent_weight"] * intent
        + rng.normal(0.0, wm["noise_sd"], n)
    )
    won = rng.random(n) < _sigmoid(logit)

    cr = CLOSE_RULES
    won_days = cr["won_median_days"] * 10.0 ** (
        cr["won_size_elasticity"] * (np.log10(employees) - 2.0)
    )
    won_days = np.clip(
        won_days * np.exp(rng.normal(0.0, cr["won_sd_log"], n)),
        cr["won_min_days"],
        cr["won_max_days"],
    )
    lost = ~won & (rng.random(n) < cr["p_lost"])
    lost_days = rng.uniform(cr["lost_min_days"], cr["lost_max_days"], n)
    close_days = np.where(won, won_days, np.where(lost, lost_days, np.inf))
    is_open = ~(won | lost)
    close_off = np.rint(np.where(is_open, 0.0, close_days) * _DAY).astype(np.int64)
    close_off[is_open] = _OPEN
    active_days = np.minimum(close_days, HORIZON_DAYS)  # activity window [0, active_days)
    active_off = np.minimum(close_off, HORIZON_DAYS * _DAY)

    idx_parts: list[np.ndarray] = []
    day_parts: list[np.ndarray] = []
    type_parts: list[np.ndarray] = []

    def add(idx: np.ndarray, days: np.ndarray, kind: str) -> None:
        keep = days < active_days[idx]
        idx_parts.append(idx[keep])
        day_parts.append(days[keep])
        type_parts.append(np.full(int(keep.sum()), _TYPE_CODE[kind], dtype=np.int8))

    # ---- first touch at created_at
    ft = _FIRST_TOUCH_CODE[source]
    for code in np.unique(ft[ft >= 0]):
        idx = ar[ft == code]
        add(idx, np.zeros(idx.size), ACTIVITY_TYPES[code])

    # ---- engagement: Poisson counts, truncated-exponential times over the active window
    for kind, (base, elasticity, tau) in ENGAGEMENT.items():
        window = -np.expm1(-active_days / tau)
        mu = base * np.exp(elasticity * intent) * window / -np.expm1(-HORIZON_DAYS / tau)
        idx = np.repeat(ar, rng.poisson(mu))
        u = rng.random(idx.size)
        add(idx, -tau * np.log1p(-u * window[idx]), kind)

    # ---- high-intent events of winners, in the days before the win
    hi = HIGH_INTENT

    def before_close(idx: np.ndarray, days_before: np.ndarray) -> np.ndarray:
        return close_days[idx] - np.minimum(days_before, 0.95 * close_days[idx])

    demo = won & (rng.random(n) < hi["won_p_demo"])
    before = _uniform(rng, hi["won_demo_days_before"], n)
    add(ar[demo], before_close(ar[demo], before[demo]), "demo_request")
    quote = won & (rng.random(n) < hi["won_p_quote"])
    before = _uniform(rng, hi["won_quote_days_before"], n)
    add(ar[quote], before_close(ar[quote], before[quote]), "quote_request")
    k = np.where(won, 1 + rng.poisson(hi["won_meetings_extra_mean"], n), 0)
    idx = np.repeat(ar, k)
    add(idx, before_close(idx, _uniform(rng, hi["won_events_days_before"], idx.size)), "meeting")
    k = np.where(won, rng.poisson(hi["won_pricing_views_mean"], n), 0)
    idx = np.repeat(ar, k)
    before = _uniform(rng, hi["won_events_days_before"], idx.size)
    add(idx, before_close(idx, before), "pricing_page_view")

    # ---- some non-winners show high intent too
    p_demo = _sigmoid(hi["lost_demo_intercept"] + hi["lost_demo_intent"] * intent)
    demo = ~won & (rng.random(n) < p_demo)
    demo_day = rng.random(n) * np.minimum(active_days, hi["lost_demo_window_days"])
    add(ar[demo], demo_day[demo], "demo_request")
    idx = np.repeat(ar, np.where(demo, rng.poisson(hi["lost_meetings_mean"], n), 0))
    add(idx, demo_day[idx] + _uniform(rng, hi["lost_meeting_days_after"], idx.size), "meeting")
    quote = demo & (rng.random(n) < hi["lost_p_quote"])
    after = _uniform(rng, hi["lost_quote_days_after"], n)
    add(ar[quote], demo_day[quote] + after[quote], "quote_request")
    idx = np.repeat(ar, np.where(demo, rng.poisson(hi["lost_pricing_views_mean"], n), 0))
    after = _uniform(rng, hi["lost_pricing_days_after"], idx.size)
    add(idx, demo_day[idx] + after, "pricing_page_view")

    # ---- assemble; offsets in whole seconds inside [0, active_off)
    act_idx = np.concatenate(idx_parts)
    act_type = np.concatenate(type_parts)
    offset = np.floor(np.concatenate(day_parts) * _DAY).astype(np.int64)
    offset = np.clip(offset, 0, active_off[act_idx] - 1)
    slot = _DETAIL_OFFSET[act_type] + (rng.random(act_idx.size) * _DETAIL_COUNT[act_type]).astype(
        np.int64
    )

    return {
        "created": created,
        "industry": industry,
        "employees": employees,
        "revenue": revenue,
        "title": title,
        "casing": casing,
        "source": source,
        "country": country,
        "first": first,
        "last": last,
        "comp_a": comp_a,
        "comp_b": comp_b,
        "comp_s": comp_s,
        "phone_a": phone_a,
        "phone_b": phone_b,
        "budget": budget,
        **{f"miss_{col}": m for col, m in miss.items()},
        "won": won,
        "closed": np.where(is_open, _OPEN, created + np.where(is_open, 0, close_off)),
        "act_idx": act_idx.astype(np.int32),
        "act_time": created[act_idx] + offset,
        "act_type": act_type,
        "act_detail": _DETAIL_SLOT[slot].astype(np.int16),
    }


def _str_series(values: pa.Array) -> pd.Series:
    return pd.Series(values, dtype="str")


def _take(
    vocab: tuple[str, ...] | list[str], codes: np.ndarray, missing: np.ndarray | None = None
) -> pa.Array:
    indices = pa.array(codes, mask=missing) if missing is not None else pa.array(codes)
    return pa.array(vocab, type=pa.string()).take(indices)


def _lpad(values: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(pc.cast(pa.array(values), pa.string()), width, padding="0")


def _join(*parts: object) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _seconds_to_datetime(seconds: np.ndarray) -> np.ndarray:
    return seconds.astype("datetime64[s]").astype("datetime64[us]")


# --------------------------------------------------------------------------- public API


def generate_crm(
    months: int = 18,
    contacts_per_month: int = 1100,
    seed: int = 42,
    start: str = "2025-01-01",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Generate a synthetic B2B CRM export as it looks at ``start + months``.

    The history is generated month by month from ``np.random.default_rng([seed, m])``, so an
    export with more ``months`` (same ``seed``, ``contacts_per_month`` and ``start``) continues
    the same history; see the module docstring and ``docs/sample-data.md`` for the rules.

    Args:
        months: Number of calendar months of contacts; the export is taken at the end of the
            last one. 1 to 999.
        contacts_per_month: Contacts created in each month. 1 to 999,999.
        seed: Non-negative integer seed.
        start: Start of the first month (any date pandas parses, timezone-naive).

    Returns:
        ``(contacts, activities)``. ``contacts`` has the columns ``CONTACT_COLUMNS`` sorted by
        ``contact_id`` (= creation order); ``activities`` has ``ACTIVITY_COLUMNS`` sorted by
        ``occurred_at`` then ``contact_id``. Text columns are pandas ``str`` with NaN for
        missing; time columns are ``datetime64[us]`` with NaT for missing.

    Raises:
        ValueError: If an argument is out of range or ``start`` is not a naive timestamp.
    """
    if not 1 <= int(months) <= 999:
        raise ValueError(f"months must be between 1 and 999, got {months}")
    if not 1 <= int(contacts_per_month) <= 999_999:
        raise ValueError(
            f"contacts_per_month must be between 1 and 999,999, got {contacts_per_month}"
        )
    if int(seed) < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    start_ts = pd.Timestamp(start)
    if start_ts.tzinfo is not None:
        raise ValueError(f"start must be timezone-naive, got {start!r}")
    months, n, seed = int(months), int(contacts_per_month), int(seed)

    bounds = _month_bounds(start_ts, months)
    end = int(bounds[-1])
    parts = []
    for m in range(months):
        part = _generate_month(
            np.random.default_rng([seed, m]), n, int(bounds[m]), int(bounds[m + 1])
        )
        keep = part["act_time"] < end
        for key in ("act_idx", "act_time", "act_type", "act_detail"):
            part[key] = part[key][keep]
        part["act_idx"] = part["act_idx"].astype(np.int64) + m * n  # row in contacts
        parts.append(part)

    def cat(key: str) -> np.ndarray:
        return np.concatenate([p[key] for p in parts])

    contacts = _build_contacts(cat, months, n, end)
    act_idx, act_time = cat("act_idx"), cat("act_time")
    act_type, act_detail = cat("act_type"), cat("act_detail")
    parts.clear()
    order = np.lexsort((act_idx, act_time))  # stable: ties keep generation order
    ids = pa.array(contacts["contact_id"].array)
    activities = pd.DataFrame(
        {
            "contact_id": _str_series(ids.take(pa.array(act_idx[order]))),
            "occurred_at": _seconds_to_datetime(act_time[order]),
            "activity_type": _str_series(_take(ACTIVITY_TYPES, act_type[order])),
            "detail": _str_series(
                _take(_DETAIL_VOCAB, act_detail[order], missing=act_detail[order] < 0)
            ),
        }
    )
    return contacts, activities


def _build_contacts(
    cat: Callable[[str], np.ndarray], months: int, n: int, end: int
) -> pd.DataFrame:
    """Assemble the contacts frame from the concatenated per-month arrays."""
    month_no = np.repeat(np.arange(months), n)
    contact_id = _join("C", _lpad(month_no, 3), _lpad(np.tile(np.arange(n), months), 6))

    first = _take(FIRST_NAMES, cat("first"))
    last = _take(LAST_NAMES, cat("last"))
    comp_a = _take(COMPANY_WORDS_A, cat("comp_a"))
    comp_b = _take(COMPANY_WORDS_B, cat("comp_b"))
    company = _join(comp_a, comp_b, _take(COMPANY_SUFFIXES, cat("comp_s")))
    local = pc.replace_substring_regex(pc.utf8_lower(_join(first, ".", last)), r"[' ]", "")
    domain = pc.utf8_lower(pc.replace_substring(_join(comp_a, comp_b), " ", "-"))
    email = _join(local, "@", domain, ".example")
    country = cat("country")
    calling = np.array([c[2] for c in COUNTRIES])[country]
    phone = _join(
        "+", pc.cast(pa.array(calling), pa.string()), "-555-",
        _lpad(cat("phone_a"), 4), "-", _lpad(cat("phone_b"), 3),
    )  # fmt: skip

    title = _take(_TITLE_VOCAB, cat("title"), missing=cat("miss_job_title"))
    casing = cat("casing")
    cut_lower = TITLE_CASING["as_is"]
    cut_upper = cut_lower + TITLE_CASING["lower"]
    cut_pad = cut_upper + TITLE_CASING["upper"]
    title = pc.if_else(pa.array(casing >= cut_pad), _join(" ", title, " "), title)
    title = pc.if_else(
        pa.array((casing >= cut_upper) & (casing < cut_pad)), pc.utf8_upper(title), title
    )
    title = pc.if_else(
        pa.array((casing >= cut_lower) & (casing < cut_upper)), pc.utf8_lower(title), title
    )

    won = cat("won")
    closed = cat("closed")
    is_closed = closed < end
    outcome = np.where(won, 0, 1)
    closed_at = _seconds_to_datetime(np.where(is_closed, closed, 0))
    closed_at[~is_closed] = np.datetime64("NaT")

    contacts = pd.DataFrame(
        {
            "contact_id": _str_series(contact_id),
            "created_at": _seconds_to_datetime(cat("created")),
            "first_name": _str_series(first),
            "last_name": _str_series(last),
            "email": _str_series(email),
            "phone": _str_series(phone),
            "company": _str_series(company),
            "industry": _str_series(
                _take(INDUSTRIES, cat("industry"), missing=cat("miss_industry"))
            ),
            "employees": np.where(cat("miss_employees"), np.nan, cat("employees")),
            "annual_revenue": np.where(cat("miss_annual_revenue"), np.nan, cat("revenue")),
            "country": _str_series(_take([c[0] for c in COUNTRIES], country)),
            "job_title": _str_series(title),
            "lead_source": _str_series(_take(LEAD_SOURCES, cat("source"))),
            "budget": np.where(cat("miss_budget"), np.nan, cat("budget")),
            "outcome": _str_series(_take(("won", "lost"), outcome, missing=~is_closed)),
            "closed_at": closed_at,
        }
    )
    return contacts


def write_crm(
    contacts: pd.DataFrame,
    activities: pd.DataFrame,
    out_dir: str | os.PathLike[str],
    fmt: Literal["csv", "parquet"] = "csv",
) -> tuple[Path, Path]:
    """Write ``contacts.<fmt>`` and ``activities.<fmt>`` into ``out_dir``.

    Each file is written to a temporary file in ``out_dir`` and then moved into place with
    ``os.replace``, so a reader never sees a half-written file. CSV files have a header, no
    index, and times as ``YYYY-MM-DD HH:MM:SS``.

    Args:
        contacts: Contacts frame, e.g. from :func:`generate_crm`.
        activities: Activities frame, e.g. from :func:`generate_crm`.
        out_dir: Folder to write to; created if missing.
        fmt: ``"csv"`` or ``"parquet"``.

    Returns:
        The paths of the contacts file and the activities file.

    Raises:
        ValueError: If ``fmt`` is not ``"csv"`` or ``"parquet"``.
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', got {fmt!r}")
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in (("contacts", contacts), ("activities", activities)):
        target = folder / f"{name}.{fmt}"
        tmp = folder / f".{name}.{fmt}.{os.getpid()}.{uuid.uuid4().hex}.tmp"
        try:
            if fmt == "csv":
                frame.to_csv(tmp, index=False, date_format="%Y-%m-%d %H:%M:%S")
            else:
                frame.to_parquet(tmp, index=False, engine="pyarrow")
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        paths.append(target)
    return paths[0], paths[1]
