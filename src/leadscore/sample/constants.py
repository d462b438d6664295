"""The numbers and categories of the sample CRM rules (see the package docstring).

Every figure that the rules in ``leadscore.sample``'s docstring and ``docs/sample-data.md``
quote lives here, so tests and docs refer to one place; the free-text word lists (titles,
names, company words, activity details) are in :mod:`leadscore.sample.words`.
"""

from __future__ import annotations

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
