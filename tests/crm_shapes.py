"""CRM exports shaped like HubSpot's and Salesforce's, made from the sample CRM.

The sample CRM (``leadscore.generate_sample``) supplies the behaviour (who converts, when,
after which activities); this module rewrites it as the two exports a new user would bring:
their headers, their outcome spellings, their id shapes, names in many languages, phones in
many formats, street addresses, and dates and numbers in a chosen convention:

- ``dates``: ``iso`` (2025-01-31 10:22), ``us`` (01/31/2025 10:22 AM), ``dayfirst``
  (31/01/2025 10:22), ``dotted`` (31.01.2025 10:22);
- ``numbers``: ``us`` ($1,200,000), ``eu`` (1.200.000 €, decimal comma), ``plain`` (1200000).

``PEOPLE`` holds the names by language; ``PHONE_FORMATS`` the phone layouts. Every personal
value written is returned by ``personal_values`` so a test can scan outputs for it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import leadscore

# given names and surnames by language (not taken from leadscore's own name lists)
PEOPLE = {
    "German": (
        ["Jürgen", "Gudrun", "Torsten", "Wiebke", "Kai-Uwe", "Hildegard", "Björn"],
        ["Müller", "Weiß", "Großmann", "Schäfer", "Köhler", "Brandtner", "Lindqvist"],
    ),
    "French": (
        ["Chloé", "Loïc", "Gaëlle", "Hervé", "Maëlys", "Benoît", "Solène"],
        ["Lefèvre", "Faure", "Mercier", "Gauthier", "Chevalier", "Rolland", "Perrin"],
    ),
    "Portuguese": (
        ["João", "Conceição", "Gonçalo", "Leonor", "Vasco", "Glória", "Joaquim"],
        ["Gonçalves", "Magalhães", "Assunção", "Brandão", "Falcão", "Simões"],
    ),
    "Spanish": (
        ["Begoña", "Íñigo", "Nuria", "Ignacio", "Montserrat", "Agustín", "Remedios"],
        ["Ibáñez", "Núñez", "Zubizarreta", "Echeverría", "Muñoz", "Castaño"],
    ),
    "Romanian": (
        ["Ștefan", "Ioana", "Răzvan", "Bogdana", "Tudor", "Corina", "Sorin"],
        ["Popescu", "Țurcanu", "Dumitrescu", "Bălan", "Moldovan", "Neagu"],
    ),
    "Polish": (
        ["Wojciech", "Małgorzata", "Grzegorz", "Bożena", "Zbigniew", "Jadwiga"],
        ["Wiśniewski", "Wróbel", "Dąbrowska", "Kaczmarek", "Zając", "Pietrzak"],
    ),
    "Indonesian": (
        ["Wahyu", "Setiawati", "Bambang", "Kartika", "Purnomo", "Lestari"],
        ["Susilo", "Hartono", "Nugroho", "Kusuma", "Wibowo", "Gunawan"],
    ),
    "Russian": (
        ["Дмитрий", "Светлана", "Алексей", "Людмила", "Евгений", "Галина"],
        ["Смирнов", "Кузнецова", "Волков", "Лебедева", "Соловьёв", "Морозова"],
    ),
    "Chinese": (
        ["伟", "秀英", "志强", "丽娟", "建国", "海燕"],
        ["王", "李", "刘", "陈", "杨", "赵"],
    ),
}
CHINESE = "Chinese"  # written family name first, without a space: 王伟

PHONE_FORMATS = (
    "+{cc} {a} {b}",  # +49 173 4150540
    "+{cc} ({a}) {b3}-{b4}",  # +1 (415) 555-0132
    "0{a}/{b}",  # 0173/4150540
    "00{cc}-{a}-{b}",  # 0049-173-4150540
    "({a}) {b3} {b4}",  # (030) 415 0540
    "+{cc}.{a}.{b3}.{b4}",  # +33.612.345.678
    "0{a} {b3} {b4}",  # 0173 415 0540
)
STREETS = ("Hauptstraße {n}", "{n} Rue de la Paix", "Rua Augusta {n}", "Calle Mayor {n}",
           "Via Roma {n}", "Jl. Sudirman No. {n}", "{n} Market Street", "Strada Lipscani {n}")  # fmt: skip
STAGES_OPEN = ("Lead", "Marketing Qualified Lead", "Sales Qualified Lead", "Opportunity")
SF_STAGES_OPEN = ("Prospecting", "Qualification", "Needs Analysis", "Proposal/Price Quote")
ACTIVITY_TYPES = {"email_open": "EMAIL", "email_click": "EMAIL", "page_view": "WEB VISIT",
                  "form_submit": "FORM", "content_download": "FORM", "webinar_attended": "MEETING",
                  "demo_request": "MEETING", "pricing_page": "WEB VISIT"}  # fmt: skip


def _people(n: int, rng: np.random.Generator) -> pd.DataFrame:
    languages = rng.choice(list(PEOPLE), n)
    first, last = [], []
    for lang in languages:
        given, family = PEOPLE[lang]
        first.append(str(rng.choice(given)))
        last.append(str(rng.choice(family)))
    return pd.DataFrame({"language": languages, "first": first, "last": last})


def _phones(n: int, rng: np.random.Generator) -> list[str]:
    out = []
    for i in range(n):
        a, b = rng.integers(100, 999), rng.integers(1_000_000, 9_999_999)
        fmt = PHONE_FORMATS[i % len(PHONE_FORMATS)]
        cc = rng.choice([1, 33, 40, 44, 49, 55, 62])
        b3, b4 = str(b)[:3], str(b)[3:]
        out.append(fmt.format(cc=cc, a=a, b=b, b3=b3, b4=b4))
    return out


def _date(values: pd.Series, style: str, *, time: bool = True) -> pd.Series:
    formats = {"iso": "%Y-%m-%d %H:%M", "us": "%m/%d/%Y %I:%M %p", "dayfirst": "%d/%m/%Y %H:%M",
               "dotted": "%d.%m.%Y %H:%M"}  # fmt: skip
    fmt = formats[style] if time else formats[style].split(" ")[0]
    return pd.to_datetime(values).dt.strftime(fmt).where(values.notna(), None)


def _money(values: pd.Series, style: str) -> pd.Series:
    def one(v: float) -> str | None:
        if pd.isna(v):
            return None
        if style == "us":
            return f"${v:,.0f}"
        if style == "eu":
            return f"{v:,.0f} €".replace(",", ".")
        return f"{v:.0f}"

    return values.map(one)


def _base(
    months: int, per_month: int, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    contacts, activities = leadscore.generate_sample(
        months=months, contacts_per_month=per_month, seed=seed
    )
    rng = np.random.default_rng(seed)
    people = _people(len(contacts), rng)
    people["phone"] = _phones(len(contacts), rng)
    people["street"] = [STREETS[i % len(STREETS)].format(n=rng.integers(1, 250))
                        for i in range(len(contacts))]  # fmt: skip
    full = np.where(people["language"] == CHINESE, people["last"] + people["first"],
                    people["first"] + " " + people["last"])  # fmt: skip
    people["full"] = full
    people["email"] = [f"lead{i}.{rng.integers(10, 99)}@{str(c).split()[0].lower()}.example"
                       for i, c in enumerate(contacts["company"].fillna("mail"))]  # fmt: skip
    return contacts, activities, people


def hubspot(folder: Path, *, months: int = 10, per_month: int = 300, seed: int = 11,
            dates: str = "iso", numbers: str = "us") -> dict[str, Path]:  # fmt: skip
    """A HubSpot-shaped contacts export and engagement log written to ``folder``."""
    c, acts, people = _base(months, per_month, seed)
    rng = np.random.default_rng(seed + 1)
    record_id = pd.Series(rng.choice(np.arange(100_000, 9_999_999), len(c), replace=False))
    stage = c["outcome"].map({"won": "Closed Won", "lost": "Closed Lost"})
    stage = stage.fillna(pd.Series(rng.choice(STAGES_OPEN, len(c)), index=c.index))
    closed = pd.to_datetime(c["closed_at"])
    frame = pd.DataFrame({
        "Record ID": record_id.astype(str),
        "First Name": people["first"], "Last Name": people["last"], "Email": people["email"],
        "Phone Number": people["phone"], "Street Address": people["street"],
        "Company Name": c["company"],
        "Create Date": _date(c["created_at"], dates),
        "Lifecycle Stage": stage,
        "Close Date": _date(c["closed_at"], dates),
        "Lead Status": np.where(c["outcome"].isna(), "Open", "Connected"),
        "Days To Close": (closed - pd.to_datetime(c["created_at"])).dt.days,
        "Job Title": c["job_title"], "Industry": c["industry"],
        "Number of Employees": c["employees"],
        "Annual Revenue": _money(c["annual_revenue"], numbers),
        "Country/Region": c["country"], "Original Source": c["lead_source"],
    })  # fmt: skip
    ids = dict(zip(c["contact_id"], frame["Record ID"], strict=True))
    log = pd.DataFrame({
        "Activity ID": np.arange(1, len(acts) + 1) * 7 + 3_000_000,
        "Associated Contact ID": acts["contact_id"].map(ids),
        "Activity Date": _date(acts["occurred_at"], dates),
        "Activity Type": acts["activity_type"].map(ACTIVITY_TYPES).fillna("NOTE"),
        "Body Preview": acts["detail"],
    })  # fmt: skip
    return _write(folder, frame, log, people)


def _sf_id(prefix: str, n: int, rng: np.random.Generator) -> list[str]:
    chars = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
    return [prefix + "5e00000" + "".join(rng.choice(chars, 8)) for _ in range(n)]


def salesforce(folder: Path, *, months: int = 10, per_month: int = 300, seed: int = 12,
               dates: str = "iso", numbers: str = "plain") -> dict[str, Path]:  # fmt: skip
    """A Salesforce-shaped export (leads with their stage) and task log written to ``folder``."""
    c, acts, people = _base(months, per_month, seed)
    rng = np.random.default_rng(seed + 1)
    ids = _sf_id("00Q", len(c), rng)
    stage = c["outcome"].map({"won": "Closed Won", "lost": "Closed Lost"})
    stage = stage.fillna(pd.Series(rng.choice(SF_STAGES_OPEN, len(c)), index=c.index))
    created = pd.to_datetime(c["created_at"])
    frame = pd.DataFrame({
        "Id": ids, "FirstName": people["first"], "LastName": people["last"],
        "Name": people["full"], "Email": people["email"], "Phone": people["phone"],
        "Street": people["street"], "Company": c["company"],
        "CreatedDate": created.dt.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
        if dates == "iso" else _date(created, dates),
        "StageName": stage,
        "CloseDate": _date(c["closed_at"], dates, time=False),
        "IsWon": np.where(c["outcome"] == "won", "true", "false"),
        "IsClosed": np.where(c["outcome"].notna(), "true", "false"),
        "Title": c["job_title"], "Industry": c["industry"],
        "NumberOfEmployees": c["employees"],
        "AnnualRevenue": _money(c["annual_revenue"], numbers),
        "LeadSource": c["lead_source"], "Country": c["country"],
        "OwnerId": rng.choice(_sf_id("005", 6, rng), len(c)),
    })  # fmt: skip
    who = dict(zip(c["contact_id"], ids, strict=True))
    log = pd.DataFrame({
        "Id": _sf_id("00T", len(acts), rng),
        "WhoId": acts["contact_id"].map(who),
        "ActivityDate": _date(acts["occurred_at"], dates),
        "Type": acts["activity_type"].str.replace("_", " ").str.title(),
        "Subject": acts["detail"], "Status": "Completed",
    })  # fmt: skip
    return _write(folder, frame, log, people)


def _write(folder: Path, frame: pd.DataFrame, log: pd.DataFrame,
           people: pd.DataFrame) -> dict[str, Path]:  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"contacts": folder / "contacts.csv", "activities": folder / "activities.csv"}
    frame.to_csv(paths["contacts"], index=False)
    log.to_csv(paths["activities"], index=False)
    people.to_csv(folder / "people.csv", index=False)  # what a test scans the outputs for
    return paths


def personal_values(folder: Path, companies: pd.Series | None = None) -> list[str]:
    """Every personal value an export of ``folder`` holds: full names, first and last names
    (of 4+ letters, or 2+ in a script without case, so they are not ordinary words),
    e-mails, phones, streets and ``companies``."""
    people = pd.read_csv(folder / "people.csv", dtype=str)
    values = set(people["full"]) | set(people["email"]) | set(people["phone"])
    values |= set(people["street"])
    names = pd.concat([people["first"], people["last"]])
    values |= {v for v in names if len(v) >= 4 or (len(v) >= 2 and v.upper() == v.lower())}
    if companies is not None:
        values |= set(companies.dropna())
    return sorted(values)
