"""Free-text vocabularies of the sample CRM: job titles, PII words and activity details.

Each list is sampled uniformly (see the package docstring); the numeric rules are in
:mod:`leadscore.sample.constants`.
"""

from __future__ import annotations

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
