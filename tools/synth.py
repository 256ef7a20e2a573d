"""Seeded synthetic company: CRM exports of a B2B software vendor's customer network.

``generate_company(people, seed)`` builds "Northwind Analytics", a vendor whose
customers sit in six regional clusters (Berlin, Lyon, London, Austin, Toronto,
Singapore), each with one or two dominant industries. Accounts (companies) belong to
a region and an industry; people belong to accounts (2-15 per account, heavy-tailed; in the
*dense* shape, ``team_size``, client teams of exactly that many);
account managers own mostly one or two regions. Ties are colleagues at the same
account, meetings and events inside a cluster, referral chains (customer -> customer
-> prospect) and a *few* cross-cluster weak ties (partner relationships, a former
colleague, conference meetings, referrals across regions), so the clusters are
joined by a handful of weak ties and a few people are bridges.

``write_company(company, out_dir)`` writes the exports in the shapes real tools
produce (see ``data/sample/README.md``):

* ``hubspot-contacts.csv``         HubSpot "all contacts" export (UTF-8 with BOM)
* ``relationships.csv``            hand-made person-to-person sheet
* ``meetings.csv``                 meeting attendees, one row per participant
* ``nps-survey-surveymonkey.csv``  SurveyMonkey export with two header rows
* ``nps-survey-qualtrics-2024.csv`` an earlier survey wave (November 2024), a
  Qualtrics export with three header rows, answered by people who answer again later
* ``salesforce-toronto.xlsx``      Salesforce contacts report (sheets "Contacts",
  "Report Info"); when XLSX is off, ``salesforce-toronto.csv`` with the same columns
* ``referrals.csv``                referral-programme export

Everything is drawn from ``numpy.random.default_rng(seed)``: the same seed gives
byte-identical files (the XLSX archive gets fixed timestamps). Generation is
vectorised so the same code serves the benchmarks at 10k-1M people.

Command line::

    python -m tools.synth --people 400 --seed 7 --out data/sample
    python -m tools.synth --people 20000 --team-size 15 --out dense   # the dense shape
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "Company",
    "REGIONS",
    "OWNERS",
    "FILES",
    "NPS_QUESTION",
    "generate_company",
    "write_company",
    "main",
]

VENDOR = "Northwind Analytics"
NPS_QUESTION = (
    f"How likely is it that you would recommend {VENDOR} to a friend or colleague?"
)
REASON_QUESTION = "What is the main reason for your score?"

HUBSPOT_COLUMNS = [
    "Record ID", "First Name", "Last Name", "Email", "Contact owner", "Lifecycle Stage",
    "Lead Status", "Associated Company", "Industry", "City", "Create Date", "Referred by",
    "Last NPS survey rating", "Last NPS survey date", "Last NPS survey comment",
]
RELATIONSHIP_COLUMNS = ["Person A", "Person B", "Relationship", "Strength"]
MEETING_COLUMNS = ["Meeting ID", "Meeting name", "Meeting date", "Attendee email"]
SURVEYMONKEY_COLUMNS = [
    "Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address",
    "Email Address", "First Name", "Last Name", "Custom Data 1", NPS_QUESTION,
    REASON_QUESTION,
]
SURVEYMONKEY_SECOND_ROW = [""] * 9 + ["Response", "Open-Ended Response"]
SALESFORCE_COLUMNS = [
    "Contact ID", "First Name", "Last Name", "Email", "Account Name", "Contact Owner",
    "Lead Source", "Reports To", "Created Date", "Mailing City",
]
REFERRAL_COLUMNS = [
    "Referrer Email", "Referred Email", "Referred Name", "Date", "Status", "Value",
]

#: file name -> kind, in the order ``write_company`` writes them.
FILES = {
    "hubspot-contacts.csv": "people",
    "relationships.csv": "relationships",
    "meetings.csv": "interactions",
    "nps-survey-surveymonkey.csv": "feelings",
    "nps-survey-qualtrics-2024.csv": "feelings",
    "salesforce-toronto.xlsx": "people",
    "referrals.csv": "referrals",
}

START = date(2023, 1, 1)
END = date(2026, 10, 31)
_EPOCH = np.datetime64("1970-01-01", "D")
_FIXED_ZIP_TIME = (2026, 10, 31, 12, 0, 0)
_FIXED_DOC_TIME = "2026-10-31T12:00:00Z"
XLSX_DEFAULT_MAX_PEOPLE = 5000

# ---------------------------------------------------------------------------------
# The world: regions, industries, owners, names
# ---------------------------------------------------------------------------------

INDUSTRIES = ["Fintech", "Retail", "Healthcare", "Logistics", "Manufacturing", "Media"]

INDUSTRY_STEMS = {
    "Fintech": ["Pay", "Ledger", "Capital", "Finance", "Credit", "Wallet", "Clearing"],
    "Retail": ["Market", "Goods", "Stores", "Outfitters", "Supply", "Basket", "Trading"],
    "Healthcare": ["Health", "Care", "Medical", "Clinics", "Pharma", "Bio", "Diagnostics"],
    "Logistics": ["Freight", "Logistics", "Cargo", "Transport", "Shipping", "Express", "Fleet"],
    "Manufacturing": ["Industries", "Machines", "Tooling", "Components", "Fabrication", "Werks", "Robotics"],
    "Media": ["Media", "Studios", "Press", "Publishing", "Broadcast", "Digital", "Pictures"],
}

PREFIXES = [
    "Helix", "Blue", "Silver", "Crescent", "Summit", "Riverside", "Harbor", "Lumen",
    "Apex", "Cobalt", "Meridian", "Orchid", "Granite", "Aurora", "Vektor", "Pioneer",
    "Atlas", "Beacon", "Falcon", "Juniper", "Keystone", "Lighthouse", "Mosaic", "Nimbus",
    "Oakridge", "Pinecrest", "Quarry", "Redwood", "Sable", "Tidal", "Union", "Verde",
    "Willow", "Zenith", "Horizon", "Kite", "Lark", "Northstar", "Ember", "Polaris",
]


@dataclass(frozen=True)
class Region:
    key: str
    city: str
    cities: tuple[str, ...]
    city_weights: tuple[float, ...]
    industries: dict[str, float]
    tld: str
    legal: tuple[str, ...]
    local_prefixes: tuple[str, ...]
    personal_domains: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    share: float


REGIONS: list[Region] = [
    Region(
        "berlin", "Berlin", ("Berlin", "Potsdam"), (0.85, 0.15),
        {"Fintech": 0.5, "Manufacturing": 0.3}, "de", ("GmbH", "GmbH", "AG", "SE"),
        ("Spree", "Brandenburg", "Kiez", "Nordlicht", "Havel"),
        ("gmx.de", "web.de", "gmail.com", "t-online.de"),
        ("Anna", "Lukas", "Leonie", "Maximilian", "Sophie", "Jürgen", "Björn", "Lena",
         "Felix", "Katharina", "Jan", "Sören", "Marie", "Tobias", "Zoë", "Hannah",
         "Matthias", "Jörg", "Franziska", "Moritz", "Annika", "Stefan"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
         "Schäfer", "Köhler", "Hoffmann", "Schröder", "Krüger", "Wolf", "Neumann", "Groß",
         "Braun", "Zimmermann", "Hartmann", "Lehmann", "Vogt", "Jäger"),
        0.18,
    ),
    Region(
        "lyon", "Lyon", ("Lyon", "Villeurbanne", "Vénissieux"), (0.75, 0.18, 0.07),
        {"Healthcare": 0.5, "Manufacturing": 0.3}, "fr", ("SAS", "SA", "SARL"),
        ("Rhône", "Fourvière", "Saône", "Confluence", "Bellecour"),
        ("orange.fr", "free.fr", "gmail.com", "laposte.net"),
        ("Françoise", "Julien", "Camille", "Léa", "Mathis", "Chloé", "Hugo", "Inès",
         "Théo", "Manon", "Jérôme", "Aurélie", "Noémie", "Benoît", "Clément", "Élodie",
         "Marc-Antoine", "Sébastien", "Margaux", "Gaëlle", "Louis", "Anaïs"),
        ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
         "Leroy", "Moreau", "Lefèvre", "Girard", "Faure", "Rousseau", "Mercier",
         "D'Almeida", "Lambert", "Fontaine", "Chevalier", "Bonnet", "Gauthier", "Roux"),
        0.15,
    ),
    Region(
        "london", "London", ("London", "Croydon", "Reading"), (0.8, 0.1, 0.1),
        {"Fintech": 0.45, "Media": 0.35}, "co.uk", ("Ltd", "Ltd", "plc", "LLP"),
        ("Thames", "Camden", "Albion", "Southbank", "Kingsway"),
        ("gmail.com", "outlook.com", "btinternet.com", "yahoo.co.uk"),
        ("Oliver", "Amelia", "Harry", "Isla", "George", "Siobhán", "Freya", "Charlotte",
         "James", "Niamh", "Rhys", "Aoife", "Priya", "Tom", "Zoë", "Imogen", "Alfie",
         "Eleanor", "Callum", "Ruby", "Sean", "Hollie"),
        ("Smith", "Jones", "Taylor", "O'Brien", "Williams", "Davies", "Evans", "Patel",
         "Wright", "Walker", "Hughes", "McAllister", "O'Neill", "Thompson", "Khan",
         "Robinson", "Clarke", "Fletcher", "Ahmed", "Lloyd", "Barnes", "Doyle"),
        0.20,
    ),
    Region(
        "austin", "Austin", ("Austin", "Round Rock", "San Marcos"), (0.8, 0.12, 0.08),
        {"Retail": 0.45, "Healthcare": 0.3}, "com", ("Inc.", "Inc.", "LLC", "Corp."),
        ("Lone Star", "Bluebonnet", "Colorado", "Barton", "Pecan"),
        ("gmail.com", "yahoo.com", "outlook.com", "icloud.com"),
        ("Emily", "Michael", "Sarah", "Jacob", "Madison", "Carlos", "María", "Tyler",
         "Ashley", "DeShawn", "Hannah", "Ethan", "Sofía", "Brandon", "Kayla", "Joshua",
         "Megan", "Austin", "Jasmine", "Caleb", "Lauren", "Andrés"),
        ("Johnson", "Williams", "Garcia", "Martinez", "Rodriguez", "Miller", "Davis",
         "O'Brien", "Nguyen", "Hernández", "Anderson", "Thomas", "Jackson", "White",
         "Lopez", "Brooks", "Reyes", "Walker", "Bennett", "Coleman", "Ramírez", "Foster"),
        0.20,
    ),
    Region(
        "toronto", "Toronto", ("Toronto", "Mississauga", "Markham", "Oakville"),
        (0.7, 0.14, 0.1, 0.06),
        {"Logistics": 0.5, "Fintech": 0.3}, "ca", ("Inc.", "Ltd.", "Corp."),
        ("Ontario", "Lakeshore", "Maple", "Don Valley", "Humber"),
        ("gmail.com", "rogers.com", "sympatico.ca", "outlook.com"),
        ("Liam", "Olivia", "Noah", "Emma", "Étienne", "Chloé", "Mathieu", "Zoë", "Aiden",
         "Ava", "Raj", "Mei", "Connor", "Isabelle", "Hélène", "Marc-André", "Nathan",
         "Simran", "Owen", "Gabrielle", "Dylan", "Amélie"),
        ("Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Smith", "Brown", "MacDonald",
         "Wilson", "O'Connor", "Singh", "Chen", "Martin", "Fraser", "Campbell", "Leblanc",
         "Gill", "Morin", "Stewart", "Pelletier", "Wong", "Bélanger"),
        0.12,
    ),
    Region(
        "singapore", "Singapore", ("Singapore",), (1.0,),
        {"Logistics": 0.45, "Fintech": 0.35}, "com.sg", ("Pte. Ltd.",),
        ("Merlion", "Marina", "Raffles", "Orchard", "Sentosa"),
        ("gmail.com", "yahoo.com.sg", "hotmail.com", "singnet.com.sg"),
        ("Wei Ling", "Jun Jie", "Hui Min", "Siti", "Nur Aisyah", "Arjun", "Priya",
         "Rajesh", "Kavitha", "Darren", "Cheryl", "Marcus", "Jia Hui", "Zhi Hao", "Farah",
         "Hafiz", "Shu Fen", "Kai Xiang", "Deepa", "Irfan", "Rachel", "Bryan"),
        ("Tan", "Lim", "Lee", "Ng", "Wong", "Goh", "Chua", "Teo", "Koh", "Ong", "Rahman",
         "Ismail", "Nair", "Pillai", "Kumar", "Chen", "Yeo", "Low", "Sim", "Tay", "Menon",
         "Abdullah"),
        0.15,
    ),
]
REGION_KEYS = [r.key for r in REGIONS]
TORONTO = REGION_KEYS.index("toronto")

#: account managers: name -> {region: weight}; each owns mostly one or two regions.
OWNERS: dict[str, dict[str, float]] = {
    "Katrin Vogel": {"berlin": 0.7},
    "Jonas Albrecht": {"berlin": 0.3, "lyon": 0.2},
    "Camille Girard": {"lyon": 0.8},
    "Oliver Bennett": {"london": 0.75},
    "Siobhán Kelly": {"london": 0.25, "singapore": 0.15},
    "Marcus Reed": {"austin": 0.7},
    "Dana Whitfield": {"austin": 0.3, "toronto": 0.25},
    "Liam Fraser": {"toronto": 0.75},
    "Mei Lin Tan": {"singapore": 0.85},
}
OWNER_NAMES = list(OWNERS)

CUSTOMER_STAGES = ("customer", "evangelist")
PROSPECT_STAGES = ("opportunity", "salesqualifiedlead", "marketingqualifiedlead", "lead", "subscriber")
PROSPECT_STAGE_P = (0.25, 0.2, 0.2, 0.25, 0.1)
LEAD_STATUS = {
    "opportunity": ("Open deal", "In progress", "Connected"),
    "salesqualifiedlead": ("In progress", "Connected", "Open deal"),
    "marketingqualifiedlead": ("Open", "Attempted to contact", "New"),
    "lead": ("New", "Open", "Attempted to contact", "Unqualified", "Bad timing"),
    "subscriber": ("New", "", ""),
}

NPS_COMMENTS = {
    "promoter": [
        "Great product, and the team really listens.",
        'The "Insights" dashboard saves us hours every week.',
        "{owner} is fantastic, always quick to respond.",
        "Easy to roll out, and our analysts love it.",
        "Onboarding was smooth.\nWould recommend to any {industry} team.",
        "Best vendor we work with, full stop.",
        "+1 on the new forecasting module, great work",
        "Reliable, fast, and support actually knows the product.",
        "Love it <3",
    ],
    "passive": [
        "Good overall, but reporting could be faster.",
        "Solid tool. Pricing is a bit steep for a team our size.",
        'Does the job; the "export to Excel" feature needs work.',
        "Support is fine, though response times vary.",
        "Mostly happy.\nWe still miss a proper API for our {industry} data.",
        "It works, but onboarding new colleagues takes too long.",
        "Fine for now, we'll see at renewal.",
    ],
    "detractor": [
        "Too many outages this quarter, we lost a week of reports.",
        'Renewal price went up 30%, that is "not a partnership".',
        "Support tickets take days to get answered.",
        "Hard to use and the dashboards are slow.\nConsidering alternatives.",
        "Migration was painful, and nobody followed up.",
        "-- expected much more for the price",
        "Data sync breaks every other week, and nobody tells us why.",
    ],
}
LOCAL_COMMENTS = {
    "berlin": {"promoter": "Sehr zufrieden, gerne wieder!", "passive": "Gut, aber die Berichte könnten schneller sein.",
               "detractor": "Zu viele Ausfälle, der Support reagiert kaum."},
    "lyon": {"promoter": "Très bon outil, l'équipe est à l'écoute.", "passive": "Correct, mais l'export est lent.",
             "detractor": "Trop cher pour ce que c'est, déçu."},
    "toronto": {"promoter": "Excellent service, merci à toute l'équipe!", "passive": "Bien, mais l'intégration a pris du temps.",
                "detractor": "Service lent, beaucoup de bogues."},
}

MEETING_COMPANY = [
    "QBR – {company}", "Onboarding – {company}", "Renewal review – {company}",
    "Kick-off: {company} rollout", "Dashboard training ({company})", "Check-in call – {company}",
]
MEETING_REGIONAL = [
    "{city} {industry} Roundtable", "Northwind User Group {city}",
    "Customer Advisory Board – {city}", "{city} customer breakfast", "Webinar: {industry} benchmarks ({city})",
]
MEETING_JOINT = ["Joint QBR – {a} & {b}", "Integration workshop: {a} / {b}", "Intro call {a} <> {b}"]
MEETING_CONFERENCE = [
    "Northwind Summit {year}: {industry} breakout", "Data Leaders Forum {year} – hallway meeting",
    "Northwind Summit {year}: partner dinner",
]
LEAD_SOURCES = ("Web", "Trade Show", "Partner Referral", "Advertisement", "Word of mouth", "Other", "")
LEAD_SOURCE_P = (0.34, 0.2, 0.14, 0.1, 0.1, 0.04, 0.08)
SF_REFERRAL_SOURCES = ("External Referral", "Employee Referral", "Partner Referral")


# ---------------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------------


@dataclass
class Company:
    """One synthetic company: a DataFrame per export plus the ground truth.

    Export frames hold exactly the columns of the file (``salesforce`` keeps
    ``Created Date`` as ``datetime.date`` values so the XLSX gets real date cells).

    Ground truth, for tests and benchmarks:

    * ``people``: one row per person (``person_id`` 0..N-1): names, email, company,
      region, industry, owner, stage (``None`` for referral-only prospects),
      ``source`` (``hubspot`` / ``salesforce`` / ``referral``), ``crm_id``,
      ``nps`` (latest score or <NA>), ``nps_date``, ``bridge``.
    * ``cross_ties``: the deliberate cross-cluster weak ties: ``a``, ``b`` (person
      ids), ``kind`` (partner / former colleague / conference / referral).
    * ``companies``: the accounts (name, domain, region, industry, owner, size ...).
    * ``reports_to``: Salesforce ``Reports To`` pairs (employee id, manager id).
    * ``referral_edges``: every referral (``referrer``, ``referred``, ``date``,
      ``status``, ``value``, ``in_file``, ``in_referred_by``, ``chain``).
    """

    seed: int
    n_people: int
    hubspot: pd.DataFrame
    relationships: pd.DataFrame
    meetings: pd.DataFrame
    surveymonkey: pd.DataFrame
    salesforce: pd.DataFrame
    referrals: pd.DataFrame
    people: pd.DataFrame
    cross_ties: pd.DataFrame
    referral_edges: pd.DataFrame
    companies: pd.DataFrame = field(repr=False)
    #: Salesforce ``Reports To`` pairs as person ids: (employee, manager).
    reports_to: np.ndarray = field(default_factory=lambda: np.empty((0, 2), dtype=np.int64), repr=False)
    #: the earlier survey wave (Qualtrics columns, one row per answer); see :func:`earlier_wave`
    qualtrics: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @property
    def clusters(self) -> dict[str, np.ndarray]:
        """Region key -> sorted person ids of that regional cluster."""
        region = self.people["region"].to_numpy()
        ids = self.people["person_id"].to_numpy()
        return {k: np.sort(ids[region == k]) for k in REGION_KEYS}

    @property
    def bridges(self) -> np.ndarray:
        """Sorted person ids that sit on a deliberate cross-cluster tie."""
        return np.unique(self.cross_ties[["a", "b"]].to_numpy().ravel())

    @property
    def emails(self) -> dict[str, int]:
        """Lower-case email -> person id."""
        return dict(zip(self.people["email"], self.people["person_id"]))


# ---------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def _ascii(text: str, german: bool = False) -> str:
    """Lower-case ASCII fold for email local parts and domains (Müller -> mueller)."""
    if german:
        text = text.translate(_GERMAN)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9-]", "", text.lower())


def _days(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def _to_dates(days: np.ndarray) -> np.ndarray:
    return days.astype("int64").astype("datetime64[D]")


def _fmt_dates(days: np.ndarray) -> np.ndarray:
    """int days since epoch -> 'YYYY-MM-DD' strings."""
    return np.datetime_as_string(_to_dates(days), unit="D")


def _weighted_sample(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """k distinct indices, drawn without replacement with probability ~ weights."""
    k = int(min(k, int((weights > 0).sum())))
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    keys = rng.exponential(size=len(weights)) / np.where(weights > 0, weights, np.nan)
    keys = np.where(np.isnan(keys), np.inf, keys)
    idx = np.argpartition(keys, k - 1)[:k]
    return np.sort(idx)


def _split_counts(total: int, shares: np.ndarray) -> np.ndarray:
    """Largest-remainder split of ``total`` by ``shares``."""
    raw = shares / shares.sum() * total
    out = np.floor(raw).astype(int)
    rest = total - out.sum()
    if rest > 0:
        out[np.argsort(-(raw - out), kind="stable")[:rest]] += 1
    return out


def _dedupe(values: pd.Series, make) -> pd.Series:
    """Make ``values`` unique: the k-th duplicate becomes ``make(value, k+1)``."""
    values = values.copy()
    for _ in range(20):
        dup = values.duplicated(keep="first")
        if not dup.any():
            return values
        clash = values[values.duplicated(keep=False)]
        k = clash.groupby(clash, sort=False).cumcount()
        k = k[k > 0]
        values[k.index] = [make(v, int(n) + 1) for v, n in zip(values[k.index], k)]
    raise RuntimeError("could not make values unique")


def _bump_local(email: str, n: int) -> str:
    local, _, domain = email.partition("@")
    return f"{local}{n}@{domain}"


def _sf_id(prefix: str, n: np.ndarray) -> list[str]:
    """18-character Salesforce-style ids with the real case-safe checksum."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    suffix = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
    out = []
    for v in n.tolist():
        body = []
        for _ in range(15 - len(prefix)):
            v, r = divmod(v, 62)
            body.append(alphabet[r])
        id15 = prefix + "".join(reversed(body))
        check = ""
        for chunk in range(3):
            bits = 0
            for i, c in enumerate(id15[chunk * 5:chunk * 5 + 5]):
                if "A" <= c <= "Z":
                    bits |= 1 << i
            check += suffix[bits]
        out.append(id15 + check)
    return out


# ---------------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------------


def _companies(rng: np.random.Generator, region_counts: np.ndarray, team_size: int | None = None) -> pd.DataFrame:
    """Accounts per region with sizes 2-15 (heavy-tailed) summing to the region count;
    with ``team_size``, every account has exactly that many people (the last of a region
    takes the remainder)."""
    rows = []
    for r, (reg, count) in enumerate(zip(REGIONS, region_counts)):
        if count <= 0:
            continue
        if team_size is None:
            n_draw = count // 2 + 8
            sizes = np.clip(2 + np.floor(rng.lognormal(1.0, 0.8, n_draw)), 2, 15).astype(int)
            while sizes.sum() < count:
                sizes = np.concatenate([sizes, sizes])
        else:
            sizes = np.full(-(-count // team_size), team_size, dtype=int)
        cut = int(np.searchsorted(np.cumsum(sizes), count))
        sizes = sizes[:cut + 1].copy()
        sizes[-1] = count - sizes[:-1].sum()
        if sizes[-1] == 1 and len(sizes) > 1:
            sizes = sizes[:-1].copy()
            sizes[-1] += 1
        n = len(sizes)
        ind_names = list(reg.industries)
        ind_p = np.array([reg.industries.get(i, 0.2 / (len(INDUSTRIES) - len(ind_names))) for i in INDUSTRIES])
        industry = rng.choice(len(INDUSTRIES), size=n, p=ind_p / ind_p.sum())
        owners = [o for o in OWNER_NAMES if reg.key in OWNERS[o]]
        ow_p = np.array([OWNERS[o][reg.key] for o in owners])
        owner = np.array(owners, dtype=object)[rng.choice(len(owners), size=n, p=ow_p / ow_p.sum())]
        prefixes = PREFIXES + list(reg.local_prefixes)
        pre = rng.integers(0, len(prefixes), n)
        pre2 = rng.integers(0, len(prefixes), n)
        stem = rng.integers(0, 7, n)
        legal = rng.integers(0, len(reg.legal), n)
        city = rng.choice(len(reg.cities), size=n, p=np.array(reg.city_weights))
        rows.append(pd.DataFrame({
            "region": reg.key, "region_idx": r,
            "industry": np.array(INDUSTRIES, dtype=object)[industry],
            "owner": owner,
            "p1": np.array(prefixes, dtype=object)[pre],
            "p2": np.array(prefixes, dtype=object)[pre2],
            "stem": [INDUSTRY_STEMS[INDUSTRIES[i]][s] for i, s in zip(industry, stem)],
            "legal": np.array(reg.legal, dtype=object)[legal],
            "tld": reg.tld,
            "city": np.array(reg.cities, dtype=object)[city],
            "size": sizes,
            "customer": rng.random(n) < 0.62,
            "pattern": rng.choice(4, size=n, p=[0.6, 0.2, 0.1, 0.1]),
        }))
    comp = pd.concat(rows, ignore_index=True)
    base = comp["p1"] + " " + comp["stem"]
    dup = base.duplicated(keep="first")
    # a second word for the few clashing names, a number for whatever still clashes
    base = base.where(~dup | (comp["p1"] == comp["p2"]), comp["p1"] + " " + comp["p2"] + " " + comp["stem"])
    base = _dedupe(base, lambda v, k: f"{v} {k}")
    comp["name"] = base + " " + comp["legal"]
    slug = [_ascii(b.replace(" ", "")) for b in base]
    domain = pd.Series([f"{s}.{t}" for s, t in zip(slug, comp["tld"])])
    comp["domain"] = _dedupe(domain, lambda v, k: v.replace(".", f"{k}.", 1)).to_numpy()
    comp["start"] = np.concatenate([[0], np.cumsum(comp["size"].to_numpy())[:-1]])
    return comp


def _name_tables():
    first, last, f_ascii, l_ascii, f_off, l_off = [], [], [], [], [0], [0]
    for reg in REGIONS:
        german = reg.key == "berlin"
        first += reg.first_names
        last += reg.last_names
        f_ascii += [_ascii(n.replace(" ", ""), german) for n in reg.first_names]
        l_ascii += [_ascii(n.replace(" ", ""), german) for n in reg.last_names]
        f_off.append(len(first))
        l_off.append(len(last))
    obj = lambda x: np.array(x, dtype=object)  # noqa: E731
    return obj(first), obj(last), obj(f_ascii), obj(l_ascii), np.array(f_off), np.array(l_off)


FIRST, LAST, FIRST_A, LAST_A, FIRST_OFF, LAST_OFF = _name_tables()


def _draw_names(rng, region_idx: np.ndarray):
    n = len(region_idx)
    f_len = (FIRST_OFF[1:] - FIRST_OFF[:-1])[region_idx]
    l_len = (LAST_OFF[1:] - LAST_OFF[:-1])[region_idx]
    fi = FIRST_OFF[region_idx] + np.floor(rng.random(n) * f_len).astype(int)
    li = LAST_OFF[region_idx] + np.floor(rng.random(n) * l_len).astype(int)
    return fi, li


def _personal_emails(rng, region_idx, fa, la):
    n = len(region_idx)
    dom_pick = rng.integers(0, 4, n)
    num = rng.integers(1, 99, n)
    style = rng.integers(0, 3, n)
    out = []
    for r, d, k, s, f, l in zip(region_idx.tolist(), dom_pick.tolist(), num.tolist(), style.tolist(), fa, la):
        dom = REGIONS[r].personal_domains[d]
        local = f"{f}.{l}{k}" if s == 0 else (f"{f}{l}" if s == 1 else f"{f[0]}{l}{k}")
        out.append(f"{local}@{dom}")
    return out


def generate_company(people: int = 400, seed: int = 7, *, team_size: int | None = None) -> Company:
    """Build the synthetic company: ``people`` persons, every draw from ``seed``.

    ``team_size`` gives the *dense* shape: every account is a client team of exactly
    that many people (e.g. 15) instead of 2-15 heavy-tailed, so, as netmap ties every
    pair of colleagues at a company of at most 30 people, each account is a clique and
    the network has about ``people · (team_size - 1) / 2`` colleague ties: at 20,000
    people in teams of 15, 1,268 accounts, 133,000 colleague ties and 151,000 ties in all
    (teams of 21: 207,000). ``None`` (the default) leaves the company exactly as before.
    """
    if people < 30:
        raise ValueError("people must be at least 30")
    if team_size is not None and not 2 <= team_size <= 30:
        raise ValueError("team_size must be between 2 and 30")
    rng = np.random.default_rng(seed)
    N = int(people)
    n_ref_only = max(2, int(round(0.05 * N)))
    n_contacts = N - n_ref_only
    shares = np.array([r.share for r in REGIONS])
    region_counts = _split_counts(n_contacts, shares)

    # ---- accounts and contacts ------------------------------------------------
    comp = _companies(rng, region_counts, team_size)
    sizes = comp["size"].to_numpy()
    c_of = np.repeat(np.arange(len(comp)), sizes)  # company index of each contact
    p_region = comp["region_idx"].to_numpy()[c_of]
    fi, li = _draw_names(rng, p_region)
    first = FIRST[fi]
    last = LAST[li]
    fa, la = FIRST_A[fi], LAST_A[li]

    cust_company = comp["customer"].to_numpy()[c_of]
    u = rng.random(n_contacts)
    stage = np.empty(n_contacts, dtype=object)
    # customer accounts: 84% customer, 6% evangelist, 10% opportunity (upsell contacts)
    stage[:] = "opportunity"
    stage[cust_company & (u < 0.84)] = "customer"
    stage[cust_company & (u >= 0.84) & (u < 0.90)] = "evangelist"
    pros = ~cust_company
    stage[pros] = np.array(PROSPECT_STAGES, dtype=object)[
        rng.choice(len(PROSPECT_STAGES), size=int(pros.sum()), p=PROSPECT_STAGE_P)]
    is_cust = np.isin(stage, CUSTOMER_STAGES)

    pattern = comp["pattern"].to_numpy()[c_of]
    domain = comp["domain"].to_numpy()[c_of]
    locals_ = [
        f"{f}.{l}" if p == 0 else f"{f[0]}{l}" if p == 1 else f"{f}{l[0]}" if p == 2 else f"{f}_{l}"
        for f, l, p in zip(fa, la, pattern.tolist())
    ]
    email = np.array([f"{a}@{d}" for a, d in zip(locals_, domain)], dtype=object)
    personal = rng.random(n_contacts) < 0.03
    if personal.any():
        email[personal] = _personal_emails(rng, p_region[personal], fa[personal], la[personal])

    # create dates (contacts): 2023-01-01 .. 2025-09-30, office hours
    d0, d1 = _days(START), _days(date(2025, 9, 30))
    create_day = rng.integers(d0, d1 + 1, n_contacts)
    create_min = rng.integers(7 * 60, 19 * 60, n_contacts)

    # ---- referral chains --------------------------------------------------------
    # per region: chains customer -> (customer ->)* prospect; the first chains end in
    # referral-only prospects (not in any contacts export).
    ro_counts = _split_counts(n_ref_only, shares)
    ro_region = np.repeat(np.arange(len(REGIONS)), ro_counts)
    ro_ids = n_contacts + np.arange(n_ref_only)
    ro_next = {r: list(ro_ids[ro_region == r]) for r in range(len(REGIONS))}
    chains: list[list[int]] = []
    chain_region: list[int] = []
    leftover_pros: dict[int, list[int]] = {}
    for r in range(len(REGIONS)):
        in_r = np.flatnonzero(p_region == r)
        cust_pool = rng.permutation(in_r[is_cust[in_r]]).tolist()
        pros_pool = rng.permutation(in_r[~is_cust[in_r]]).tolist()
        n_ro = len(ro_next[r])
        n_chain = n_ro + int(round(0.035 * len(in_r)))
        lengths = rng.choice([1, 2, 3, 4], size=n_chain, p=[0.35, 0.3, 0.22, 0.13]).tolist()
        ci = 0
        pi = 0
        for c in range(n_chain):
            length = lengths[c]
            if ci + length > len(cust_pool):
                length = len(cust_pool) - ci
            if length < 1:
                break
            if c >= n_ro and pi >= len(pros_pool):
                break
            nodes = cust_pool[ci:ci + length]
            ci += length
            if c < n_ro:
                nodes.append(ro_next[r][c])
            else:
                nodes.append(pros_pool[pi])
                pi += 1
            chains.append(nodes)
            chain_region.append(r)
        leftover_pros[r] = pros_pool[pi:]
        if len(ro_next[r]) and c < n_ro - 1:  # pragma: no cover - tiny companies only
            raise ValueError("company too small for its referral-only prospects")
    # a few referrals across regions: the last hop lands on a prospect elsewhere
    n_cross_ref = max(1, int(round(0.004 * N)))
    contact_ending = [i for i, ch in enumerate(chains) if ch[-1] < n_contacts and len(ch) >= 3]
    cross_ref_chains = []
    if contact_ending:
        picks = rng.choice(len(contact_ending), size=min(n_cross_ref, len(contact_ending)), replace=False)
        for pick in sorted(picks.tolist()):
            ci = contact_ending[pick]
            r = chain_region[ci]
            others = [o for o in range(len(REGIONS)) if o != r and leftover_pros[o]]
            if not others:
                continue
            o = others[int(rng.integers(0, len(others)))]
            chains[ci][-1] = leftover_pros[o].pop()
            cross_ref_chains.append(ci)

    ref_a, ref_b, ref_chain, ref_hop = [], [], [], []
    for ci, ch in enumerate(chains):
        for h in range(len(ch) - 1):
            ref_a.append(ch[h])
            ref_b.append(ch[h + 1])
            ref_chain.append(ci)
            ref_hop.append(h)
    ref_a = np.array(ref_a, dtype=np.int64)
    ref_b = np.array(ref_b, dtype=np.int64)
    ref_chain = np.array(ref_chain, dtype=np.int64)
    ref_hop = np.array(ref_hop, dtype=np.int64)
    n_ref = len(ref_a)

    # referral dates hop by hop; a referred contact is created right after the referral
    ref_day = np.zeros(n_ref, dtype=np.int64)
    end_day = _days(END)
    for h in range(int(ref_hop.max()) + 1 if n_ref else 0):
        m = ref_hop == h
        a = ref_a[m]
        gap = rng.integers(14, 181, int(m.sum())) if h == 0 else rng.integers(20, 121, int(m.sum()))
        ref_day[m] = np.minimum(create_day[a] + gap, end_day)
        b = ref_b[m]
        is_contact = b < n_contacts
        create_day[b[is_contact]] = np.minimum(ref_day[m][is_contact] + rng.integers(0, 8, int(is_contact.sum())), end_day)

    # ---- referral-only prospects --------------------------------------------------
    # their region is the region of whoever referred them
    ro_fi, ro_li = _draw_names(rng, ro_region)
    ro_fa, ro_la = FIRST_A[ro_fi], LAST_A[ro_li]
    ro_personal = rng.random(n_ref_only) < 0.5
    ro_email = np.empty(n_ref_only, dtype=object)
    if ro_personal.any():
        ro_email[ro_personal] = _personal_emails(rng, ro_region[ro_personal], ro_fa[ro_personal], ro_la[ro_personal])
    wp = ~ro_personal
    ro_company = np.full(n_ref_only, None, dtype=object)
    if wp.any():
        k = int(wp.sum())
        p1 = rng.integers(0, len(PREFIXES), k)
        ind = rng.integers(0, len(INDUSTRIES), k)
        st = rng.integers(0, 7, k)
        regs = ro_region[wp]
        names = [f"{PREFIXES[a]} {INDUSTRY_STEMS[INDUSTRIES[i]][s]} Group" for a, i, s in zip(p1, ind, st)]
        ro_company[wp] = names
        doms = [f"{_ascii(n.replace(' ', ''))}.{REGIONS[r].tld}" for n, r in zip(names, regs)]
        ro_email[wp] = [f"{f}.{l}@{d}" for f, l, d in zip(ro_fa[wp], ro_la[wp], doms)]

    # ---- the people table -----------------------------------------------------------
    all_email = pd.Series(np.concatenate([email, ro_email]), dtype=object)
    all_email = _dedupe(all_email, _bump_local)
    people_df = pd.DataFrame({
        "person_id": np.arange(N),
        "first_name": np.concatenate([first, FIRST[ro_fi]]),
        "last_name": np.concatenate([last, LAST[ro_li]]),
        "email": all_email.to_numpy(),
        "company": np.concatenate([comp["name"].to_numpy()[c_of], ro_company]),
        "company_idx": np.concatenate([c_of, np.full(n_ref_only, -1)]),
        "region": np.array(REGION_KEYS, dtype=object)[np.concatenate([p_region, ro_region])],
        "industry": np.concatenate([comp["industry"].to_numpy()[c_of], np.full(n_ref_only, None, dtype=object)]),
        "owner": np.concatenate([comp["owner"].to_numpy()[c_of], np.full(n_ref_only, None, dtype=object)]),
        "stage": np.concatenate([stage, np.full(n_ref_only, None, dtype=object)]),
        "source": np.concatenate([
            np.where(p_region == TORONTO, "salesforce", "hubspot").astype(object),
            np.full(n_ref_only, "referral", dtype=object)]),
    })
    people_df["name"] = people_df["first_name"] + " " + people_df["last_name"]
    region_all = np.concatenate([p_region, ro_region])
    in_sf = p_region == TORONTO
    in_hs = ~in_sf
    hs_idx = np.flatnonzero(in_hs)
    sf_idx = np.flatnonzero(in_sf)

    # CRM ids: HubSpot record ids grow with the create date; Salesforce 18-char ids
    crm_id = np.full(N, None, dtype=object)
    order = hs_idx[np.lexsort((create_min[hs_idx], create_day[hs_idx]))]
    rec = 1051 + np.cumsum(rng.integers(1, 60, len(order)))
    crm_id[order] = rec.astype(str).astype(object)
    sf_order = sf_idx[np.lexsort((create_min[sf_idx], create_day[sf_idx]))]
    sf_num = 3_500_000_000 + np.cumsum(rng.integers(1, 5000, len(sf_order)))
    crm_id[sf_order] = _sf_id("0035g0000", sf_num) if len(sf_order) else []
    people_df["crm_id"] = crm_id
    emails = people_df["email"].to_numpy()
    names = people_df["name"].to_numpy()

    # ---- referral records -------------------------------------------------------------
    status = np.empty(n_ref, dtype=object)
    b_cust = np.zeros(n_ref, dtype=bool)
    b_contact = ref_b < n_contacts
    b_cust[b_contact] = is_cust[ref_b[b_contact]]
    status[b_cust] = "converted"
    us = rng.random(n_ref)
    status[~b_cust] = np.where(us[~b_cust] < 0.65, "pending", "declined")
    value = np.where(b_cust, rng.integers(2, 81, n_ref) * 250, 0)
    b_in_hs = b_contact & in_hs[np.minimum(ref_b, n_contacts - 1)]
    u1, u2 = rng.random(n_ref), rng.random(n_ref)
    region_of = np.concatenate([p_region, ro_region])
    in_file = ~b_in_hs | (u1 < 0.7) | (region_of[ref_a] != region_of[ref_b])
    in_refby = b_in_hs & ((u2 < 0.6) | ~in_file)
    referral_edges = pd.DataFrame({
        "referrer": ref_a, "referred": ref_b, "date": _to_dates(ref_day), "status": status,
        "value": pd.Series(value, dtype="Int64").where(b_cust, pd.NA).array,
        "in_file": in_file, "in_referred_by": in_refby, "chain": ref_chain,
    })

    # ---- relationships ------------------------------------------------------------------
    rel_a, rel_b, rel_kind, rel_strength = [], [], [], []

    def add(a, b, kind, lo, hi):
        keep = a != b
        a, b = a[keep], b[keep]
        rel_a.append(a)
        rel_b.append(b)
        rel_kind.append(np.full(len(a), kind, dtype=object))
        rel_strength.append(rng.integers(lo, hi + 1, len(a)))

    starts = comp["start"].to_numpy()
    multi = np.flatnonzero(sizes >= 2)
    # explicit colleagues at ~45% of accounts, about half as many pairs as people
    sel = multi[rng.random(len(multi)) < 0.45]
    n_pairs = np.maximum(1, np.round(sizes[sel] * 0.5 * rng.random(len(sel)) + 0.5).astype(int))
    cc = np.repeat(sel, n_pairs)
    a = starts[cc] + np.floor(rng.random(len(cc)) * sizes[cc]).astype(int)
    b = starts[cc] + np.floor(rng.random(len(cc)) * sizes[cc]).astype(int)
    add(a, b, "colleague", 2, 5)
    # reports to the first person of the account (its manager), non-Toronto accounts
    big = np.flatnonzero((sizes >= 4) & (comp["region_idx"].to_numpy() != TORONTO))
    sel = big[rng.random(len(big)) < 0.35]
    n_rep = np.minimum(sizes[sel] - 1, rng.integers(1, 4, len(sel)))
    cc = np.repeat(sel, n_rep)
    a = starts[cc] + 1 + np.floor(rng.random(len(cc)) * (sizes[cc] - 1)).astype(int)
    add(a, starts[cc], "reports to", 3, 5)
    # knows / former colleague across accounts within a region
    region_members = [np.flatnonzero(p_region == r) for r in range(len(REGIONS))]
    for kind, share, lo, hi in (("knows", 0.22, 1, 4), ("former colleague", 0.04, 2, 4)):
        for r, members in enumerate(region_members):
            k = int(round(share * len(members)))
            if k == 0 or len(members) < 2:
                continue
            a = members[rng.integers(0, len(members), k)]
            b = members[rng.integers(0, len(members), k)]
            ok = c_of[a] != c_of[b]
            add(a[ok], b[ok], kind, lo, hi)
    # cross-cluster weak ties: partners and a former colleague in another region
    n_cross_rel = max(2, int(round(0.008 * N)))
    ra = rng.integers(0, len(REGIONS), n_cross_rel)
    rb = (ra + rng.integers(1, len(REGIONS), n_cross_rel)) % len(REGIONS)
    a = np.array([region_members[r][rng.integers(0, len(region_members[r]))] for r in ra], dtype=np.int64)
    b = np.array([region_members[r][rng.integers(0, len(region_members[r]))] for r in rb], dtype=np.int64)
    cross_kind = np.where(np.arange(n_cross_rel) % 3 == 2, "former colleague", "partner").astype(object)
    rel_a.append(a)
    rel_b.append(b)
    rel_kind.append(cross_kind)
    rel_strength.append(rng.integers(1, 3, n_cross_rel))

    rel = pd.DataFrame({
        "a": np.concatenate(rel_a), "b": np.concatenate(rel_b),
        "kind": np.concatenate(rel_kind), "strength": np.concatenate(rel_strength),
    })
    lo_, hi_ = np.minimum(rel["a"], rel["b"]), np.maximum(rel["a"], rel["b"])
    rel = rel[~pd.DataFrame({"l": lo_, "h": hi_}).duplicated(keep="first").to_numpy()].reset_index(drop=True)
    rel["cross"] = region_all[rel["a"].to_numpy()] != region_all[rel["b"].to_numpy()]
    # shuffle like a sheet several people typed into
    rel = rel.iloc[rng.permutation(len(rel))].reset_index(drop=True)
    strength = pd.array(rel["strength"].to_numpy(), dtype="Int64")
    strength[rng.random(len(rel)) < 0.2] = pd.NA
    # a few hand-typed emails in another case
    ea = emails[rel["a"].to_numpy()].copy()
    eb = emails[rel["b"].to_numpy()].copy()
    caps = rng.random(len(rel)) < 0.03
    ea[caps] = [e.split("@")[0].title() + "@" + e.split("@")[1] for e in ea[caps]]
    relationships = pd.DataFrame({
        "Person A": ea, "Person B": eb, "Relationship": rel["kind"].to_numpy(), "Strength": strength,
    })

    # ---- meetings -----------------------------------------------------------------------
    m_ids, m_kind, m_people, m_region, m_comp = [], [], [], [], []
    # account meetings: 2..5 attendees from one account
    n_cm = int(round(0.12 * N))
    mc = multi[rng.integers(0, len(multi), n_cm)]
    k = np.minimum(sizes[mc], rng.integers(2, 6, n_cm))
    att = starts[np.repeat(mc, k)] + np.floor(rng.random(int(k.sum())) * np.repeat(sizes[mc], k)).astype(int)
    m_people.append(att)
    m_ids.append(np.repeat(np.arange(n_cm), k))
    m_kind.append(np.full(n_cm, 0))
    m_region.append(comp["region_idx"].to_numpy()[mc])
    m_comp.append(np.stack([mc, mc], axis=1))
    base_id = n_cm
    # regional events: 3..8 attendees from several accounts of one region
    n_ev = max(len(REGIONS), int(round(0.03 * N)))
    ev_r = np.arange(n_ev) % len(REGIONS)
    k = rng.integers(3, 9, n_ev)
    att = np.concatenate([
        region_members[r][rng.integers(0, len(region_members[r]), kk)] for r, kk in zip(ev_r, k)])
    m_people.append(att)
    m_ids.append(base_id + np.repeat(np.arange(n_ev), k))
    m_kind.append(np.full(n_ev, 1))
    m_region.append(ev_r)
    m_comp.append(np.full((n_ev, 2), -1))
    base_id += n_ev
    # joint meetings of two accounts in one region (integrations, joint QBRs)
    n_j = int(round(0.02 * N))
    ja = multi[rng.integers(0, len(multi), n_j)]
    jr = comp["region_idx"].to_numpy()[ja]
    jb = np.array([c_of[region_members[r][rng.integers(0, len(region_members[r]))]] for r in jr], dtype=np.int64)
    ka = rng.integers(1, 3, n_j)
    kb = rng.integers(1, 3, n_j)
    att_a = starts[np.repeat(ja, ka)] + np.floor(rng.random(int(ka.sum())) * np.repeat(sizes[ja], ka)).astype(int)
    att_b = starts[np.repeat(jb, kb)] + np.floor(rng.random(int(kb.sum())) * np.repeat(sizes[jb], kb)).astype(int)
    m_people += [att_a, att_b]
    m_ids += [base_id + np.repeat(np.arange(n_j), ka), base_id + np.repeat(np.arange(n_j), kb)]
    m_kind.append(np.full(n_j, 2))
    m_region.append(jr)
    m_comp.append(np.stack([ja, jb], axis=1))
    base_id += n_j
    # a couple of cross-region conference meetings: 2..3 attendees from 2..3 regions
    n_conf = max(2, int(round(N / 200)))
    conf_people = []
    for c in range(n_conf):
        regs = rng.choice(len(REGIONS), size=int(rng.integers(2, 4)), replace=False)
        kk = len(regs)
        conf_people.append(np.array([region_members[r][rng.integers(0, len(region_members[r]))] for r in regs]))
        m_ids.append(np.full(kk, base_id + c))
    m_people += conf_people
    m_kind.append(np.full(n_conf, 3))
    m_region.append(np.full(n_conf, -1))
    m_comp.append(np.full((n_conf, 2), -1))
    n_meet = base_id + n_conf

    att = pd.DataFrame({"m": np.concatenate(m_ids), "p": np.concatenate(m_people)}).drop_duplicates()
    counts = att.groupby("m")["p"].transform("size")
    att = att[counts >= 2]
    # nobody meets before they are in the CRM: move a meeting after its attendees' creation
    first_ok = att.assign(d=create_day[att["p"].to_numpy()]).groupby("m")["d"].max()
    meet_day = rng.integers(d0, end_day + 1, n_meet)
    meet_day[first_ok.index.to_numpy()] = np.maximum(
        meet_day[first_ok.index.to_numpy()], np.minimum(first_ok.to_numpy() + 1, end_day))
    kinds = np.concatenate(m_kind)
    regions_m = np.concatenate(m_region)
    comps_m = np.concatenate(m_comp)
    # meeting ids, names and dates
    meet_num = 48_210_000_000 + np.cumsum(rng.integers(1, 9000, n_meet))
    tpl = rng.integers(0, 60, n_meet)
    ind_pick = rng.integers(0, len(INDUSTRIES), n_meet)
    comp_names = comp["name"].to_numpy()
    short = comp["p1"].to_numpy() + " " + comp["stem"].to_numpy()
    mname = np.empty(n_meet, dtype=object)
    for i in range(n_meet):
        kd = kinds[i]
        if kd == 0:
            mname[i] = MEETING_COMPANY[tpl[i] % len(MEETING_COMPANY)].format(company=comp_names[comps_m[i, 0]])
        elif kd == 1:
            reg = REGIONS[regions_m[i]]
            ind = list(reg.industries)[tpl[i] % len(reg.industries)] if tpl[i] % 3 else INDUSTRIES[ind_pick[i]]
            mname[i] = MEETING_REGIONAL[tpl[i] % len(MEETING_REGIONAL)].format(city=reg.city, industry=ind)
        elif kd == 2:
            mname[i] = MEETING_JOINT[tpl[i] % len(MEETING_JOINT)].format(a=short[comps_m[i, 0]], b=short[comps_m[i, 1]])
        else:
            year = int(str(_to_dates(meet_day[i:i + 1])[0])[:4])
            mname[i] = MEETING_CONFERENCE[tpl[i] % len(MEETING_CONFERENCE)].format(year=year, industry=INDUSTRIES[ind_pick[i]])
    # order meetings by date like an activity export
    date_rank = np.empty(n_meet, dtype=np.int64)
    date_rank[np.lexsort((np.arange(n_meet), meet_day))] = np.arange(n_meet)
    mm = att["m"].to_numpy()
    pp = att["p"].to_numpy()
    o = np.lexsort((pp, date_rank[mm]))
    mm, pp = mm[o], pp[o]
    id_by_rank = np.sort(meet_num)
    meetings = pd.DataFrame({
        "Meeting ID": id_by_rank[date_rank[mm]].astype(str),
        "Meeting name": mname[mm],
        "Meeting date": _fmt_dates(meet_day[mm]),
        "Attendee email": emails[pp],
    })
    # cross-region conference ties (ground truth)
    conf_rows = kinds[mm] == 3
    conf_pairs = []
    cm_, cp_ = mm[conf_rows], pp[conf_rows]
    bounds = np.flatnonzero(np.diff(cm_)) + 1
    for ps in np.split(cp_, bounds) if len(cm_) else []:
        ps = np.sort(ps)
        for i in range(len(ps)):
            for j in range(i + 1, len(ps)):
                if region_all[ps[i]] != region_all[ps[j]]:
                    conf_pairs.append((ps[i], ps[j]))
    # any regional event/joint meeting is within one region by construction

    # ---- NPS --------------------------------------------------------------------------
    w = np.where(is_cust, 3.0, 0.4)
    hs_nps = np.flatnonzero(in_hs)[_weighted_sample(rng, w[in_hs], int(round(0.15 * N)))]
    n_overlap = max(2, int(round(0.015 * N)))
    overlap = np.sort(rng.choice(hs_nps, size=min(n_overlap, len(hs_nps)), replace=False))
    w2 = w.copy()
    w2[hs_nps] = 0
    sm_rest = _weighted_sample(rng, w2, int(round(0.20 * N)) - len(overlap))
    sm_nps = np.sort(np.concatenate([overlap, sm_rest]))

    def draw_scores(n, evangelist):
        cat = rng.choice(3, size=n, p=[0.45, 0.30, 0.25])
        cat = np.where(evangelist & (rng.random(n) < 0.7), 0, cat)
        prom = rng.choice([9, 10], size=n, p=[0.45, 0.55])
        pas = rng.choice([7, 8], size=n)
        det = rng.choice(7, size=n, p=np.array([1, 1, 2, 3, 5, 8, 10]) / 30)
        return np.select([cat == 0, cat == 1], [prom, pas], det)

    owner_first = [o.split(" ")[0] for o in comp["owner"]]
    industry_lower = [i.lower() for i in comp["industry"]]

    def comments(idx, scores):
        cats = np.where(scores >= 9, "promoter", np.where(scores >= 7, "passive", "detractor"))
        pick = rng.integers(0, 1000, len(idx))
        blank = rng.random(len(idx)) < 0.2
        local = rng.random(len(idx)) < 0.15
        out = []
        for i, c, p, bl, lo in zip(idx.tolist(), cats, pick.tolist(), blank, local):
            if bl:
                out.append("")
                continue
            reg = REGION_KEYS[p_region[i]]
            if lo and reg in LOCAL_COMMENTS:
                out.append(LOCAL_COMMENTS[reg][c])
                continue
            t = NPS_COMMENTS[c][p % len(NPS_COMMENTS[c])]
            out.append(t.format(owner=owner_first[c_of[i]], industry=industry_lower[c_of[i]]))
        return out

    hs_score = draw_scores(len(hs_nps), stage[hs_nps] == "evangelist")
    hs_day = rng.integers(_days(date(2023, 6, 1)), _days(date(2025, 12, 31)) + 1, len(hs_nps))
    hs_day = np.maximum(hs_day, create_day[hs_nps] + 30)
    hs_comment = comments(hs_nps, hs_score)
    sm_score = draw_scores(len(sm_nps), stage[sm_nps] == "evangelist")
    sm_day = rng.integers(_days(date(2025, 1, 6)), _days(date(2026, 10, 24)) + 1, len(sm_nps))
    sm_day = np.maximum(sm_day, np.minimum(create_day[sm_nps] + 30, end_day - 1))
    # people surveyed twice answer SurveyMonkey later; about half change their score
    pos = np.searchsorted(sm_nps, overlap)
    hs_pos = np.searchsorted(hs_nps, overlap)
    hs_overlap_day = hs_day[hs_pos]
    sm_day[pos] = np.minimum(hs_overlap_day + rng.integers(60, 301, len(overlap)), end_day - 1)
    keep_score = rng.random(len(overlap)) < 0.5
    sm_score[pos] = np.where(keep_score, hs_score[hs_pos], sm_score[pos])
    sm_comment = comments(sm_nps, sm_score)

    nps_latest = pd.array(np.full(N, 0), dtype="Int64")
    nps_latest[:] = pd.NA
    nps_day = np.full(N, -1, dtype=np.int64)
    nps_latest[hs_nps] = hs_score
    nps_day[hs_nps] = hs_day
    nps_latest[sm_nps] = sm_score
    nps_day[sm_nps] = np.maximum(nps_day[sm_nps], sm_day)
    people_df["nps"] = nps_latest
    people_df["nps_date"] = pd.Series(_to_dates(nps_day)).where(nps_day >= 0)

    # ---- HubSpot contacts ---------------------------------------------------------------
    hs_order = order  # by record id
    hs_pos_of = np.full(N, -1)
    hs_pos_of[hs_nps] = np.arange(len(hs_nps))
    rating = pd.array(np.zeros(len(hs_order), dtype=np.int64), dtype="Int64")
    rating[:] = pd.NA
    nps_date_col = np.full(len(hs_order), "", dtype=object)
    nps_comment_col = np.full(len(hs_order), "", dtype=object)
    has = hs_pos_of[hs_order] >= 0
    src = hs_pos_of[hs_order][has]
    rating[has] = hs_score[src]
    nps_date_col[has] = _fmt_dates(hs_day[src])
    nps_comment_col[has] = np.array(hs_comment, dtype=object)[src] if len(src) else []
    # Referred by: email for most, the referrer's full name for some (when unambiguous)
    refby = np.full(N, "", dtype=object)
    name_counts = pd.Series(names[:n_contacts]).value_counts()
    unique_name = pd.Series(names).map(name_counts).to_numpy() == 1
    rb = referral_edges[referral_edges["in_referred_by"]]
    use_name = (rng.random(len(rb)) < 0.2) & unique_name[rb["referrer"].to_numpy()]
    refby[rb["referred"].to_numpy()] = np.where(
        use_name, names[rb["referrer"].to_numpy()], emails[rb["referrer"].to_numpy()])
    lead_pick = rng.integers(0, 60, N)
    lead_status = np.array([
        "" if s in CUSTOMER_STAGES else LEAD_STATUS[s][k % len(LEAD_STATUS[s])]
        for s, k in zip(stage[hs_order], lead_pick[hs_order])], dtype=object)
    create_str = pd.Series(_fmt_dates(create_day[hs_order])) + " " + pd.Series(
        [f"{m // 60:02d}:{m % 60:02d}" for m in create_min[hs_order].tolist()])
    hubspot = pd.DataFrame({
        "Record ID": crm_id[hs_order],
        "First Name": first[hs_order],
        "Last Name": last[hs_order],
        "Email": emails[hs_order],
        "Contact owner": comp["owner"].to_numpy()[c_of[hs_order]],
        "Lifecycle Stage": stage[hs_order],
        "Lead Status": lead_status,
        "Associated Company": comp_names[c_of[hs_order]],
        "Industry": comp["industry"].to_numpy()[c_of[hs_order]],
        "City": comp["city"].to_numpy()[c_of[hs_order]],
        "Create Date": create_str.to_numpy(),
        "Referred by": refby[hs_order],
        "Last NPS survey rating": rating,
        "Last NPS survey date": nps_date_col,
        "Last NPS survey comment": nps_comment_col,
    })

    # ---- Salesforce (Toronto) ---------------------------------------------------------
    sfo = sf_order
    reports_to = np.full(len(sfo), "", dtype=object)
    sf_comp = c_of[sfo]
    manager = starts[sf_comp]
    has_boss = (sfo != manager) & (sizes[sf_comp] >= 3) & (rng.random(len(sfo)) < 0.6)
    # Salesforce shows the manager by name: only name managers whose name is unique in
    # their account, as in a real org (an ambiguous name is refused by the importer)
    name_in_account = pd.Series(list(zip(names.tolist(), c_of.tolist())))
    unique_in_account = ~name_in_account.duplicated(keep=False).to_numpy()
    has_boss &= unique_in_account[manager]
    reports_to[has_boss] = names[manager[has_boss]]
    lead_src = np.array(LEAD_SOURCES, dtype=object)[rng.choice(len(LEAD_SOURCES), size=len(sfo), p=LEAD_SOURCE_P)]
    referred_set = np.zeros(N, dtype=bool)
    referred_set[ref_b] = True
    rs = referred_set[sfo]
    lead_src[rs] = np.array(SF_REFERRAL_SOURCES, dtype=object)[rng.choice(3, size=int(rs.sum()), p=[0.6, 0.2, 0.2])]
    salesforce = pd.DataFrame({
        "Contact ID": crm_id[sfo],
        "First Name": first[sfo],
        "Last Name": last[sfo],
        "Email": emails[sfo],
        "Account Name": comp_names[sf_comp],
        "Contact Owner": comp["owner"].to_numpy()[sf_comp],
        "Lead Source": lead_src,
        "Reports To": reports_to,
        "Created Date": [date(1970, 1, 1) + timedelta(days=int(d)) for d in create_day[sfo]],
        "Mailing City": comp["city"].to_numpy()[sf_comp],
    })
    boss_pairs = np.stack([sfo[has_boss], manager[has_boss]], axis=1) if has_boss.any() else np.empty((0, 2), int)

    # ---- SurveyMonkey -------------------------------------------------------------------
    so = np.lexsort((sm_nps, sm_day))
    sm_p = sm_nps[so]
    sec = rng.integers(8 * 3600, 21 * 3600, len(sm_p))
    dur = rng.integers(25, 900, len(sm_p))
    start_ts = _to_dates(sm_day[so]).astype("datetime64[s]") + sec
    end_ts = start_ts + dur
    fmt = "%m/%d/%Y %I:%M:%S %p"
    start_s = pd.Series(start_ts).dt.strftime(fmt)
    end_s = pd.Series(end_ts).dt.strftime(fmt)
    resp_id = 114_000_000_000 + np.cumsum(rng.integers(1_000, 400_000, len(sm_p)))
    collector = np.where(rng.random(len(sm_p)) < 0.7, "431829077", "431829512")
    ip_net = np.where(rng.random(len(sm_p)) < 0.5, "192.0.2.", "198.51.100.")
    ip = [f"{a}{b}" for a, b in zip(ip_net, rng.integers(1, 255, len(sm_p)).tolist())]
    no_name = rng.random(len(sm_p)) < 0.1
    custom = np.where(rng.random(len(sm_p)) < 0.75, crm_id[sm_p], "")
    surveymonkey = pd.DataFrame({
        "Respondent ID": resp_id.astype(str),
        "Collector ID": collector,
        "Start Date": start_s.to_numpy(),
        "End Date": end_s.to_numpy(),
        "IP Address": ip,
        "Email Address": emails[sm_p],
        "First Name": np.where(no_name, "", first[sm_p]),
        "Last Name": np.where(no_name, "", last[sm_p]),
        "Custom Data 1": custom,
        NPS_QUESTION: sm_score[so],
        REASON_QUESTION: np.array(sm_comment, dtype=object)[so] if len(so) else [],
    })

    # ---- referrals.csv ------------------------------------------------------------------
    rf = referral_edges[referral_edges["in_file"]].sort_values(["date", "referrer", "referred"], kind="stable")
    referrals = pd.DataFrame({
        "Referrer Email": emails[rf["referrer"].to_numpy()],
        "Referred Email": emails[rf["referred"].to_numpy()],
        "Referred Name": names[rf["referred"].to_numpy()],
        "Date": np.datetime_as_string(rf["date"].to_numpy().astype("datetime64[D]"), unit="D"),
        "Status": rf["status"].to_numpy(),
        "Value": rf["value"].array,
    })

    # ---- ground truth: cross-cluster ties and bridges --------------------------------------
    cr = rel[rel["cross"]]
    ct = [pd.DataFrame({"a": cr["a"].to_numpy(), "b": cr["b"].to_numpy(), "kind": cr["kind"].to_numpy()})]
    if conf_pairs:
        cp = np.array(conf_pairs)
        ct.append(pd.DataFrame({"a": cp[:, 0], "b": cp[:, 1], "kind": "conference"}))
    xr = region_all[ref_a] != region_all[ref_b]
    ct.append(pd.DataFrame({"a": ref_a[xr], "b": ref_b[xr], "kind": "referral"}))
    cross_ties = pd.concat(ct, ignore_index=True)
    cross_ties[["a", "b"]] = cross_ties[["a", "b"]].astype(np.int64)
    bridge = np.zeros(N, dtype=bool)
    bridge[cross_ties["a"].to_numpy()] = True
    bridge[cross_ties["b"].to_numpy()] = True
    people_df["bridge"] = bridge
    people_df["created"] = pd.Series(_to_dates(np.concatenate([create_day, np.full(n_ref_only, -1)]))).where(
        np.arange(N) < n_contacts)
    comp_out = comp[["name", "domain", "region", "industry", "owner", "city", "size", "customer", "start"]].copy()
    company = Company(
        seed=seed, n_people=N, hubspot=hubspot, relationships=relationships, meetings=meetings,
        surveymonkey=surveymonkey, salesforce=salesforce, referrals=referrals, people=people_df,
        cross_ties=cross_ties, referral_edges=referral_edges, companies=comp_out,
        reports_to=boss_pairs,
    )
    company.qualtrics = earlier_wave(people_df, seed)
    return company


#: Qualtrics' export columns (row 1), question texts (row 2) and import ids (row 3)
QUALTRICS_COLUMNS = [
    "StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
    "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
    "ExternalReference", "DistributionChannel", "UserLanguage", "Q1", "Q1_NPS_GROUP", "Q2",
]
QUALTRICS_SECOND_ROW = [
    "Start Date", "End Date", "Response Type", "IP Address", "Progress", "Duration (in seconds)", "Finished",
    "Recorded Date", "Response ID", "Recipient Last Name", "Recipient First Name", "Recipient Email",
    "External Data Reference", "Distribution Channel", "User Language",
    "How likely are you to recommend Northwind Analytics to a friend or colleague?",
    "How likely are you to recommend Northwind Analytics to a friend or colleague? - Group",
    "What is the main reason for your score?",
]
QUALTRICS_THIRD_ROW = [
    '{"ImportId":"startDate","timeZone":"America/Denver"}', '{"ImportId":"endDate","timeZone":"America/Denver"}',
    '{"ImportId":"status"}', '{"ImportId":"ipAddress"}', '{"ImportId":"progress"}', '{"ImportId":"duration"}',
    '{"ImportId":"finished"}', '{"ImportId":"recordedDate","timeZone":"America/Denver"}', '{"ImportId":"_recordId"}',
    '{"ImportId":"recipientLastName"}', '{"ImportId":"recipientFirstName"}', '{"ImportId":"recipientEmail"}',
    '{"ImportId":"externalDataReference"}', '{"ImportId":"distributionChannel"}', '{"ImportId":"userLanguage"}',
    '{"ImportId":"QID1"}', '{"ImportId":"QID1_NPS_GROUP"}', '{"ImportId":"QID2_TEXT"}',
]
#: the earlier wave's field days, and who was asked: people whose latest answer came at least
#: a month after it (so the wave never changes anybody's latest feeling, only their history)
WAVE_START = date(2024, 11, 4)
WAVE_END = date(2024, 11, 22)
WAVE_SHARE = 0.45
#: earlier feeling given the latest one (rows: latest promoter, passive, detractor; columns:
#: earlier promoter, passive, detractor): most people held, some climbed, a few slipped
WAVE_TRANSITIONS = np.array([[0.55, 0.35, 0.10], [0.20, 0.50, 0.30], [0.10, 0.30, 0.60]])
WAVE_COMMENTS = {
    0: ["Reliable and the team answers fast.", "Great onboarding.", "Does what it says."],
    1: ["Fine, a few rough edges.", "OK overall, exports are slow.", ""],
    2: ["Support took a week to answer.", "Too many bugs in the last release.", "Pricing went up again."],
}


def earlier_wave(people: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The November 2024 survey wave, in Qualtrics' columns: an earlier answer for a share
    (:data:`WAVE_SHARE`) of the people whose latest answer came after it, its score drawn
    from :data:`WAVE_TRANSITIONS` given their latest feeling, so that the sample has people
    who moved (detractor to passive is progress, promoter to passive a warning).

    Drawn from its own generator (``default_rng([seed, 2])``), so the other files keep their
    bytes for a seed."""
    rng = np.random.default_rng([seed, 2])
    latest = people["nps"].to_numpy(dtype="float64", na_value=np.nan)
    when = pd.to_datetime(people["nps_date"]).to_numpy()
    eligible = np.flatnonzero(~np.isnan(latest) & (when >= np.datetime64(WAVE_END + timedelta(days=30))))
    chosen = np.sort(eligible[rng.random(len(eligible)) < WAVE_SHARE])
    now = latest[chosen]
    row = np.where(now >= 9, 0, np.where(now >= 7, 1, 2))
    u = rng.random(len(chosen))
    cat = (u[:, None] > np.cumsum(WAVE_TRANSITIONS[row], axis=1)).sum(axis=1)
    score = np.select([cat == 0, cat == 1], [rng.choice([9, 10], len(chosen)), rng.choice([7, 8], len(chosen))],
                      rng.choice(7, len(chosen), p=np.array([1, 1, 2, 3, 5, 8, 10]) / 30))
    days = rng.integers(_days(WAVE_START), _days(WAVE_END) + 1, len(chosen))
    start = _to_dates(days).astype("datetime64[s]") + rng.integers(8 * 3600, 20 * 3600, len(chosen))
    duration = rng.integers(30, 600, len(chosen))
    end = start + duration
    order = np.lexsort((chosen, start))
    fmt = "%Y-%m-%d %H:%M:%S"
    pick = rng.integers(0, 3, len(chosen))
    comment = [WAVE_COMMENTS[c][p] for c, p in zip(cat.tolist(), pick.tolist())]
    by_crm = rng.random(len(chosen)) < 0.8
    crm = people["crm_id"].to_numpy()[chosen]
    letters = np.array(list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))
    ids = ["R_" + "".join(letters[rng.integers(0, len(letters), 15)]) for _ in range(len(chosen))]
    out = pd.DataFrame({
        "StartDate": pd.Series(start).dt.strftime(fmt).to_numpy(),
        "EndDate": pd.Series(end).dt.strftime(fmt).to_numpy(),
        "Status": "0",
        "IPAddress": [f"203.0.113.{n}" for n in rng.integers(1, 255, len(chosen)).tolist()],
        "Progress": "100",
        "Duration (in seconds)": duration.astype(str),
        "Finished": "1",
        "RecordedDate": pd.Series(end + 1).dt.strftime(fmt).to_numpy(),
        "ResponseId": ids,
        "RecipientLastName": people["last_name"].to_numpy()[chosen],
        "RecipientFirstName": people["first_name"].to_numpy()[chosen],
        "RecipientEmail": people["email"].to_numpy()[chosen],
        "ExternalReference": np.where(by_crm, crm.astype(str), ""),
        "DistributionChannel": "email",
        "UserLanguage": "EN",
        "Q1": score.astype(str),
        "Q1_NPS_GROUP": np.array(["3", "2", "1"])[cat],
        "Q2": comment,
    })
    return out.iloc[order].reset_index(drop=True)


# ---------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------


def _csv(df: pd.DataFrame, path: Path, encoding: str = "utf-8", header: bool = True) -> None:
    df.to_csv(path, index=False, encoding=encoding, lineterminator="\n", header=header)


def _write_surveymonkey(df: pd.DataFrame, path: Path) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(SURVEYMONKEY_COLUMNS)
    w.writerow(SURVEYMONKEY_SECOND_ROW)
    df.to_csv(buf, index=False, header=False, lineterminator="\n")
    path.write_bytes(buf.getvalue().encode("utf-8"))


def _write_qualtrics(df: pd.DataFrame, path: Path) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(QUALTRICS_COLUMNS)
    w.writerow(QUALTRICS_SECOND_ROW)
    w.writerow(QUALTRICS_THIRD_ROW)
    df.to_csv(buf, index=False, header=False, lineterminator="\n")
    path.write_bytes(buf.getvalue().encode("utf-8"))


def _write_xlsx(df: pd.DataFrame, path: Path, seed: int, n_people: int) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Contacts")
    ws.append(SALESFORCE_COLUMNS)
    date_col = SALESFORCE_COLUMNS.index("Created Date")
    for row in df.itertuples(index=False, name=None):
        row = list(row)
        cell = WriteOnlyCell(ws, value=row[date_col])
        cell.number_format = "m/d/yyyy"
        row[date_col] = cell
        ws.append(row)
    info = wb.create_sheet("Report Info")
    info.append(["Report", "Toronto Contacts (Liam Fraser's team)"])
    info.append(["Generated", f"{VENDOR} — Salesforce, seed {seed}, {n_people} people"])
    info.append(["Confidential Information - Do Not Distribute"])
    wb.properties.creator = "Salesforce"
    wb.properties.created = datetime(2026, 10, 31, 12, 0, 0)
    buf = io.BytesIO()
    wb.save(buf)
    # openpyxl stamps "now" into docProps/core.xml and every zip entry: pin both
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info_ in src.infolist():
            data = src.read(info_.filename)
            if info_.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + _FIXED_DOC_TIME.encode(), data)
            zi = zipfile.ZipInfo(info_.filename, date_time=_FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, data)
    path.write_bytes(out.getvalue())


def write_company(company: Company, out_dir: str | Path, xlsx: bool | None = None) -> list[Path]:
    """Write the exports into ``out_dir``; return the paths written, in ``FILES`` order.

    ``xlsx=None`` writes the Salesforce report as XLSX up to 5,000 people and as
    ``salesforce-toronto.csv`` (same columns, ``M/D/YYYY`` dates) above that, where
    openpyxl would dominate the run time; ``True``/``False`` force either.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if xlsx is None:
        xlsx = company.n_people <= XLSX_DEFAULT_MAX_PEOPLE
    if xlsx:
        try:
            import openpyxl  # noqa: F401
        except ImportError:  # pragma: no cover - openpyxl is pinned
            xlsx = False
    paths = []
    p = out / "hubspot-contacts.csv"
    _csv(company.hubspot, p, encoding="utf-8-sig")
    paths.append(p)
    p = out / "relationships.csv"
    _csv(company.relationships, p)
    paths.append(p)
    p = out / "meetings.csv"
    _csv(company.meetings, p)
    paths.append(p)
    p = out / "nps-survey-surveymonkey.csv"
    _write_surveymonkey(company.surveymonkey, p)
    paths.append(p)
    p = out / "nps-survey-qualtrics-2024.csv"
    _write_qualtrics(company.qualtrics, p)
    paths.append(p)
    if xlsx:
        p = out / "salesforce-toronto.xlsx"
        _write_xlsx(company.salesforce, p, company.seed, company.n_people)
    else:
        p = out / "salesforce-toronto.csv"
        sf = company.salesforce.copy()
        sf["Created Date"] = [f"{d.month}/{d.day}/{d.year}" for d in sf["Created Date"]]
        _csv(sf, p)
    paths.append(p)
    p = out / "referrals.csv"
    _csv(company.referrals, p)
    paths.append(p)
    return paths


#: the columns of the synthetic Zendesk ticket export (a subset of Zendesk's CSV export,
#: as ``tests/data/tickets/zendesk_tickets.csv`` has them)
TICKET_COLUMNS = ["Id", "Requester", "Requester id", "Requester email", "Assignee", "Subject", "Status",
                  "Created at", "Organization", "Solved at", "Satisfaction Score"]
#: the support team that answers the tickets (team members, not account managers): one desk
#: per region, so a ticket ties a customer to their own region's agent, as regional help
#: desks do (an agent answering every region would stand between the clusters)
SUPPORT_AGENTS = ("Robin Vale", "Sasha Imre", "Jo Okafor", "Kim Lindqvist", "Noor Haddad", "Wen Li")
_TICKET_SUBJECTS = ("Invoice export fails", "Cannot log in", "Bank feed missing transactions", "Report totals off",
                    "Add user permissions", "API rate limit", "Refund for a double charge", "Slow dashboard")


def generate_tickets(company: Company, per_person: float = 0.3) -> pd.DataFrame:
    """A Zendesk ticket export (:data:`TICKET_COLUMNS`) for ``company``: about ``per_person``
    tickets per customer with an email, created in the last 120 days before :data:`END`,
    a third of them still open or pending, the solved ones rated Good / Bad or left
    Offered / Unoffered. Its own random stream (seeded from the company's seed), so the
    company's other exports are the same bytes with or without it."""
    rng = np.random.default_rng([company.seed, 15])
    people = company.people
    customers = people[people["stage"].isin(["customer", "evangelist"]) & people["email"].notna()]
    n = int(round(len(customers) * per_person))
    who = customers.iloc[np.sort(rng.integers(0, len(customers), n))] if n and len(customers) else customers.iloc[:0]
    n = len(who)
    created = rng.integers(_days(END) - 120, _days(END) + 1, n)
    status = rng.choice(np.array(["New", "Open", "Pending", "Hold", "Solved", "Closed"], dtype=object), n,
                        p=[0.08, 0.17, 0.08, 0.02, 0.35, 0.30])
    done = np.isin(status, ["Solved", "Closed"])
    solved = np.minimum(created + rng.integers(0, 10, n), _days(END))
    rating = rng.choice(np.array(["Good", "Bad", "Offered", "Unoffered"], dtype=object), n, p=[0.45, 0.15, 0.2, 0.2])
    return pd.DataFrame({
        "Id": np.arange(100001, 100001 + n),
        "Requester": who["name"].to_numpy(),
        "Requester id": 900000000 + who["person_id"].to_numpy(),
        "Requester email": who["email"].to_numpy(),
        "Assignee": np.array(SUPPORT_AGENTS, dtype=object)[
            [REGION_KEYS.index(r) % len(SUPPORT_AGENTS) for r in who["region"]]],
        "Subject": np.array(_TICKET_SUBJECTS, dtype=object)[rng.integers(0, len(_TICKET_SUBJECTS), n)],
        "Status": status,
        "Created at": [f"{d} 09:00:00" for d in _fmt_dates(created)],
        "Organization": who["company"].to_numpy(),
        "Solved at": np.where(done, [f"{d} 17:00:00" for d in _fmt_dates(solved)], ""),
        "Satisfaction Score": np.where(done, rating, "Unoffered"),
    }, columns=TICKET_COLUMNS)


def _write_export(df: pd.DataFrame, out_dir: str | Path, name: str) -> Path:
    """Write ``df`` as the CSV ``name`` into ``out_dir`` (made if missing); return its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    p = out / name
    _csv(df, p)
    return p


def write_tickets(company: Company, out_dir: str | Path) -> Path:
    """Write :func:`generate_tickets` as ``zendesk-tickets.csv`` into ``out_dir``; return its path."""
    return _write_export(generate_tickets(company), out_dir, "zendesk-tickets.csv")


#: the columns of the synthetic HubSpot tasks export (as ``tests/data/activities/hubspot_tasks.csv``)
TASK_COLUMNS = ["Record ID", "Task Title", "Task Type", "Task Status", "Due Date", "Completed At",
                "Associated Contact", "Associated Contact IDs", "Notes", "Assigned to"]
#: what account managers do for customers: (task title, HubSpot task type, weight); the titles map to
#: the nurture log's actions by netmap/nurture_log.py's keywords (called, thanked, fixed_issue,
#: sent_gift, asked_intro, other)
_TASKS = (
    ("Quarterly check-in call", "CALL", 0.34),
    ("Thank them for the referral", "EMAIL", 0.16),
    ("Resolve their open support issue", "TODO", 0.16),
    ("Send a thank-you gift", "TODO", 0.1),
    ("Ask for an introduction to a peer", "EMAIL", 0.12),
    ("Renewal paperwork", "TODO", 0.12),
)
_TASK_NOTES = ("", "", "Went well.", "They mentioned a colleague at another account.", "Follow up next month.",
               "Shared the new roadmap.")


def generate_activities(company: Company, wave_share: float = 0.7, background: float = 1.5) -> pd.DataFrame:
    """A HubSpot tasks export (:data:`TASK_COLUMNS`) for ``company``: the account managers' nurture
    log. About ``wave_share`` of the people who answered both survey waves (the November 2024
    wave, :func:`earlier_wave`, and their latest answer) got one task between the two, so that
    the outcomes (netmap/network/outcomes.py) have pairs to compare; about ``background`` tasks
    per other customer with an email are spread over 2024-2026. A tenth of the tasks are still
    NOT_STARTED (an import leaves them out). Its own random stream, so the other exports keep
    their bytes."""
    rng = np.random.default_rng([company.seed, 16])
    people = company.people
    customers = people[people["stage"].isin(["customer", "evangelist"]) & people["email"].notna()]
    answered = set(company.qualtrics["RecipientEmail"]) if len(company.qualtrics) else set()
    latest = pd.to_datetime(customers["nps_date"])
    wave = customers[customers["email"].isin(answered) & latest.notna()]
    rows = []  # (person row, day)
    lo = _days(WAVE_END) + 7
    for _, p in wave.iterrows():
        hi = _days(p["nps_date"].date()) - 7
        if hi > lo and rng.random() < wave_share:
            rows.append((p, int(rng.integers(lo, hi + 1))))
    others = customers[~customers["email"].isin(answered)]
    n = int(round(len(others) * background))
    for i in np.sort(rng.integers(0, len(others), n)) if len(others) else []:
        rows.append((others.iloc[int(i)], int(rng.integers(_days(date(2024, 1, 8)), _days(END) - 14))))
    weights = np.array([w for *_, w in _TASKS])
    kind = rng.choice(len(_TASKS), len(rows), p=weights / weights.sum())
    done = rng.random(len(rows)) >= 0.1
    note = rng.integers(0, len(_TASK_NOTES), len(rows))
    hour = rng.integers(9, 18, len(rows))
    out = []
    for j, (p, day) in enumerate(rows):
        title, ttype, _ = _TASKS[kind[j]]
        when = _to_dates(np.array([day]))[0]
        out.append({
            "Record ID": 61000001 + j, "Task Title": title, "Task Type": ttype,
            "Task Status": "COMPLETED" if done[j] else "NOT_STARTED",
            "Due Date": f"{when} 17:00", "Completed At": f"{when} {hour[j]:02d}:15" if done[j] else "",
            "Associated Contact": f"{p['name']} ({p['email']})",
            "Associated Contact IDs": str(p["crm_id"]) if p["source"] == "hubspot" else "",
            "Notes": _TASK_NOTES[note[j]], "Assigned to": p["owner"] or "",
        })
    df = pd.DataFrame(out, columns=TASK_COLUMNS)
    df = df.sort_values(["Due Date", "Record ID"], kind="stable").reset_index(drop=True)
    df["Record ID"] = np.arange(61000001, 61000001 + len(df))  # numbered in the order they were due
    return df


def write_activities(company: Company, out_dir: str | Path) -> Path:
    """Write :func:`generate_activities` as ``hubspot-tasks.csv`` into ``out_dir``; return its path."""
    return _write_export(generate_activities(company), out_dir, "hubspot-tasks.csv")


# ---------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m tools.synth",
        description="Write a seeded synthetic company's CRM exports (HubSpot, Salesforce, "
                    "SurveyMonkey, referrals, relationships, meetings).")
    ap.add_argument("--people", type=int, default=400, help="number of people (default 400)")
    ap.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--xlsx", action=argparse.BooleanOptionalAction, default=None,
                    help="write the Salesforce report as XLSX (default: only up to 5,000 people)")
    ap.add_argument("--team-size", type=int, default=None, metavar="K",
                    help="the dense shape: every account a client team of exactly K people (2-30), "
                         "each a clique in the network (default: 2-15 per account, heavy-tailed)")
    ap.add_argument("--tickets", metavar="DIR",
                    help="also write a Zendesk ticket export (zendesk-tickets.csv) into DIR")
    ap.add_argument("--activities", metavar="DIR",
                    help="also write a HubSpot tasks export, the nurture log (hubspot-tasks.csv), into DIR")
    args = ap.parse_args(argv)
    if args.team_size is not None and not 2 <= args.team_size <= 30:
        ap.error("--team-size must be between 2 and 30")
    t0 = time.perf_counter()
    company = generate_company(args.people, args.seed, team_size=args.team_size)
    paths = write_company(company, args.out, xlsx=args.xlsx)
    if args.tickets:
        paths.append(write_tickets(company, args.tickets))
    if args.activities:
        paths.append(write_activities(company, args.activities))
    dt = time.perf_counter() - t0
    for p in paths:
        print(f"{p}  {p.stat().st_size:,} bytes")
    print(f"{args.people:,} people, seed {args.seed}: {dt:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
