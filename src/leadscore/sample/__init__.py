"""Seeded generator of a realistic synthetic B2B CRM export (contacts + activities).

The generator stands in for a real CRM export: it has PII columns, free-text job titles,
missing values, inconsistent country spellings and a conversion process that depends on
firmographic fit and on behaviour the way sales literature describes it, with noise.
This docstring is the single statement of the rules; ``docs/sample-data.md`` repeats them with
a worked overview. Their numbers live in the constants of ``leadscore.sample.constants`` and
the word lists in ``leadscore.sample.words``; both are re-exported here and tests refer to
them. Change a constant, and update this docstring and the page with it.

Modules, by what they generate
------------------------------
``constants`` and ``words`` (the rules' numbers and vocabularies), ``contacts`` (attributes,
PII and the contacts frame), ``outcomes`` (latent fit and intent, outcome, close time),
``activities`` (activities and their frame), ``history`` (one month's whole lifecycle in draw
order) and ``export`` (``generate_crm`` cuts the history at the export end; ``write_crm``).

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

A shifted world (off by default, for monitoring tests): with ``shift_from_month=k`` and
``win_shift=s``, the win model's intercept is ``WIN_MODEL["intercept"] + s`` for the contacts
created in months ``m >= k`` (0-based); ``s = 0`` or no ``k`` gives the documented world, byte
for byte. A shifted month draws the same random numbers in the same order up to the close
times, so its contacts keep their attributes and intent, and those whose outcome is unchanged
keep their close time; its activities depend on who won and are drawn anew. Months before
``k`` are unchanged, and a later export with the same arguments continues the same shifted
history.

Rules (the numbers live in the constants named in double backticks)
------------------------------------------------------------------
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
  won in the default 18-month export (recent winners are still open at export time). In a
  shifted month ``win_shift`` is added to the intercept -4.3.
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

from leadscore.sample.constants import (
    ACTIVITY_COLUMNS,
    ACTIVITY_TYPES,
    CLOSE_RULES,
    CONTACT_COLUMNS,
    COUNTRIES,
    DECISION_MAKER_LEVELS,
    EMPLOYEES_LOG10_MEAN,
    EMPLOYEES_LOG10_SD,
    EMPLOYEES_MAX,
    ENGAGEMENT,
    FIRST_TOUCH,
    FIT_CENTER,
    FIT_COEFFICIENTS,
    HIGH_INTENT,
    HORIZON_DAYS,
    ICP_INDUSTRIES,
    INDUSTRIES,
    INDUSTRY_WEIGHTS,
    INTENT_FIT_WEIGHT,
    LEAD_SOURCE_FIT,
    LEAD_SOURCE_WEIGHTS,
    LEAD_SOURCES,
    MISSING_RATES,
    PII_COLUMNS,
    REVENUE_PER_EMPLOYEE,
    SENIORITY_FIT,
    SENIORITY_LEVELS,
    SENIORITY_WEIGHTS,
    SMALL_COMPANY_OWNER_SHARE,
    TITLE_CASING,
    WIN_MODEL,
)
from leadscore.sample.export import generate_crm, write_crm
from leadscore.sample.words import (
    ACTIVITY_DETAILS,
    COMPANY_SUFFIXES,
    COMPANY_WORDS_A,
    COMPANY_WORDS_B,
    FIRST_NAMES,
    LAST_NAMES,
    TITLES_BY_SENIORITY,
)

__all__ = [
    "ACTIVITY_COLUMNS",
    "ACTIVITY_DETAILS",
    "ACTIVITY_TYPES",
    "CLOSE_RULES",
    "COMPANY_SUFFIXES",
    "COMPANY_WORDS_A",
    "COMPANY_WORDS_B",
    "CONTACT_COLUMNS",
    "COUNTRIES",
    "DECISION_MAKER_LEVELS",
    "EMPLOYEES_LOG10_MEAN",
    "EMPLOYEES_LOG10_SD",
    "EMPLOYEES_MAX",
    "ENGAGEMENT",
    "FIRST_NAMES",
    "FIRST_TOUCH",
    "FIT_CENTER",
    "FIT_COEFFICIENTS",
    "HIGH_INTENT",
    "HORIZON_DAYS",
    "ICP_INDUSTRIES",
    "INDUSTRIES",
    "INDUSTRY_WEIGHTS",
    "INTENT_FIT_WEIGHT",
    "LAST_NAMES",
    "LEAD_SOURCES",
    "LEAD_SOURCE_FIT",
    "LEAD_SOURCE_WEIGHTS",
    "MISSING_RATES",
    "PII_COLUMNS",
    "REVENUE_PER_EMPLOYEE",
    "SENIORITY_FIT",
    "SENIORITY_LEVELS",
    "SENIORITY_WEIGHTS",
    "SMALL_COMPANY_OWNER_SHARE",
    "TITLES_BY_SENIORITY",
    "TITLE_CASING",
    "WIN_MODEL",
    "generate_crm",
    "write_crm",
]
