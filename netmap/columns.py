"""What kind of export a table is, and which column holds which field.

Headers are compared by :func:`~netmap.tabular.header_key` (case, spaces and
punctuation ignored), so ``Email``, `` EMAIL `` and ``e-mail`` are one header.
The alias lists come from the exports described in ``shared/crm-formats.md``
(HubSpot, Salesforce, Pipedrive, Zoho, SurveyMonkey, Qualtrics, Typeform,
Delighted-style and hand-made sheets). For every field the aliases are in order
of preference: when two headers could fill the same field, the earlier alias
wins (Typeform's ``Submit Date (UTC)`` beats its ``Start Date (UTC)``).

A user can always say better: ``kind=`` overrides detection and
``overrides={"email": "Work address"}`` maps a field to a column by its header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import Problem
from .tabular import Table, header_key

KINDS = ("people", "referrals", "relationships", "interactions", "feedback")


def _key(name: str) -> str:
    """:func:`header_key`, except that an all-punctuation header (Typeform's
    ``#``) stays itself instead of becoming empty."""
    return header_key(name) or name.strip()


def _k(*names: str) -> tuple[str, ...]:
    return tuple(_key(n) for n in names)


#: field -> aliases (normalised), per kind, in order of preference
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "people": {
        "crm_id": _k(
            "Record ID", "Contact ID", "Lead ID", "Person ID", "Customer ID", "CRM ID", "Person - ID",
            "Id", "Contact Id", "hs_object_id", "VID",
        ),
        "first_name": _k("First Name", "Firstname", "Given Name", "Person - First name", "Personne - Prénom", "First"),
        "last_name": _k("Last Name", "Lastname", "Surname", "Family Name", "Person - Last name", "Personne - Nom de famille", "Last"),
        "name": _k("Name", "Full Name", "Contact Name", "Person Name", "Person - Name", "Personne - Nom", "Customer Name", "Contact"),
        "email": _k(
            "Email", "E-mail", "Email Address", "Work Email", "Primary Email", "Person - Email - Work",
            "Person - Email", "Personne - E-mail - Travail", "Personne - E-mail", "Business Email", "Email 1",
        ),
        "company": _k(
            "Company", "Company Name", "Associated Company", "Account Name", "Account", "Organization",
            "Organisation", "Person - Organization", "Organization - Name", "Personne - Organisation",
            "Employer", "Customer",
        ),
        "owner": _k(
            "Owner", "Contact owner", "Account Owner", "Person - Owner", "Personne - Propriétaire",
            "Account Manager", "Lead Owner", "HubSpot Owner", "Sales Rep", "AM",
        ),
        "stage": _k(
            "Lifecycle Stage", "Lifecyclestage", "Stage", "Status", "Customer Status", "Lifecycle",
            "Person - Label", "Personne - Étiquette", "Contact Type", "Type", "Lead Stage",
        ),
        "segment": _k("Segment", "Industry", "Customer Segment", "Vertical", "Tier", "Market Segment", "Person - Segment"),
        "region": _k("Region", "City", "Mailing City", "Territory", "Location", "Country", "Mailing Country", "Office"),
        "created": _k(
            "Create Date", "Created Date", "Created", "Created At", "Date Created", "Created Time",
            "Person - Person created", "Person - Add time", "Signup Date", "Customer Since",
        ),
        "referred_by": _k(
            "Referred by", "Referrer Email", "Referred By (Email)", "Referrer", "Referred By Email",
            "Referred By Name", "Referral Source Person", "Referred_by",
        ),
        "nps": _k("Last NPS survey rating", "NPS", "NPS Score", "Net Promoter Score", "NPS Rating", "Latest NPS"),
        "nps_date": _k("Last NPS survey date", "NPS Date", "NPS Survey Date"),
        "nps_comment": _k("Last NPS survey comment", "NPS Comment", "NPS Feedback", "NPS Reason"),
        "reports_to": _k("Reports To", "Manager", "Reports To: Full Name", "Reports To Email"),
    },
    "referrals": {
        "referrer_email": _k("Referrer Email", "Advocate Email", "Referred By Email", "Referrer E-mail", "From Email"),
        "referrer_id": _k("Referrer ID", "Advocate ID", "Referrer Contact ID"),
        "referrer": _k("Referrer", "Referrer Name", "Referred By", "Advocate", "Advocate Name", "From"),
        "referred_email": _k(
            "Referred Email", "Referee Email", "Friend Email", "Invitee Email", "Referred Contact Email",
            "Referral Email", "To Email", "Referred E-mail",
        ),
        "referred_id": _k("Referred ID", "Referee ID", "Referred Contact ID"),
        "referred": _k("Referred", "Referee", "Referred Name", "Referee Name", "Friend", "Friend Name", "Invitee", "To"),
        "date": _k("Date", "Referral Date", "Referred Date", "Created", "Created At", "Created Date", "Date Referred"),
        "status": _k("Status", "Outcome", "Referral Status", "Stage", "Result"),
        "value": _k("Value", "Amount", "Deal Value", "Revenue", "Deal Amount"),
    },
    "relationships": {
        "a_email": _k("Person A Email", "Email A", "From Email", "Contact Email", "Source Email", "Person 1 Email"),
        "a": _k(
            "Person A", "Person 1", "From", "Source", "Contact", "Person", "internal_person_id",
            "Internal Person ID", "Contact A", "Person A ID", "ContactId", "Contact ID",
        ),
        "b_email": _k("Person B Email", "Email B", "To Email", "Related Contact Email", "Target Email", "Person 2 Email"),
        "b": _k(
            "Person B", "Person 2", "To", "Target", "Related Contact", "Related Person", "external_person_id",
            "External Person ID", "Contact B", "Person B ID", "Knows",
        ),
        "kind": _k("Relationship", "Relationship Type", "Type", "Role", "Relation", "Tie", "Connection Type"),
        "strength": _k("Strength", "Weight", "Relationship Strength", "Tie Strength", "Score", "Closeness"),
        "date": _k("Since", "Date", "Last Contact", "Last Interaction", "Created", "Start Date"),
    },
    "interactions": {
        "interaction_id": _k(
            "Meeting ID", "Event ID", "Deal ID", "Thread ID", "Interaction ID", "Activity ID", "Engagement ID",
            "OpportunityId", "Opportunity ID", "AccountId", "Account ID", "Conversation ID", "Call ID",
        ),
        "interaction_name": _k(
            "Meeting name", "Meeting", "Event name", "Event", "Deal name", "Deal", "Subject", "Thread subject",
            "Title", "Activity", "Opportunity Name", "Account Name", "Conversation",
        ),
        "date": _k(
            "Meeting date", "Event date", "Date", "Start Time", "Activity date", "Close Date", "Deal date",
            "Thread date", "Sent At", "Created",
        ),
        "participant_email": _k(
            "Attendee email", "Participant email", "Contact email", "Email", "Guest email", "Person email",
            "Attendee E-mail", "Recipient email",
        ),
        "participant_id": _k("ContactId", "Contact ID", "Attendee ID", "Participant ID", "Person ID", "Record ID"),
        "participant": _k("Attendee", "Participant", "Contact", "Person", "Attendee name", "Participant name", "Guest", "Contact name"),
        "kind": _k("Interaction Type", "Activity Type", "Type", "Kind", "Engagement Type"),
    },
    "feedback": {
        "response_id": _k("Respondent ID", "ResponseId", "Response ID", "#", "Survey Response ID", "Token", "Response"),
        "person_id": _k("ExternalReference", "External Reference", "ExternalDataReference", "Customer ID", "Contact ID", "CRM ID", "Record ID", "Person ID"),
        "email": _k(
            "Email Address", "Email", "RecipientEmail", "Recipient Email", "Respondent Email", "Customer Email",
            "E-mail", "Person Email",
        ),
        "first_name": _k("First Name", "RecipientFirstName", "Recipient First Name", "Firstname"),
        "last_name": _k("Last Name", "RecipientLastName", "Recipient Last Name", "Lastname"),
        "name": _k("Name", "Respondent Name", "Customer Name", "Full Name", "Person Name"),
        "company": _k("Company", "Company Name", "Account Name", "Organization"),
        "score": _k(
            "NPS", "NPS Score", "Score", "Rating", "Likelihood to recommend", "Recommend", "Net Promoter Score",
            "Q_NPS", "CSAT", "CSAT Score", "Satisfaction",
        ),
        "comment": _k("Comment", "Comments", "Reason", "Feedback", "Why", "Open-Ended Response", "Verbatim", "Text"),
        "date": _k(
            "Created At", "Date", "Submit Date (UTC)", "Submitted At", "RecordedDate", "Recorded Date", "End Date",
            "EndDate", "Response Date", "Completed", "Survey Date", "Start Date (UTC)", "Start Date", "StartDate",
        ),
    },
}

#: Headers netmap recognises but does not need: no "unused column" warning for them.
KNOWN_UNUSED = set(
    _k(
        "Lead Status", "Original Source", "Original Source Drill-Down 1", "Original Source Drill-Down 2",
        "Became an Evangelist Date", "Associated Deal", "Associated Company IDs", "Primary Associated Company ID",
        "Lead Source", "Account ID", "Account Name.id", "Phone", "Mobile", "Mobile Phone", "Phone Number",
        "Person - Phone - Mobile", "Person - Phone - Work", "Person - Phone", "Person - Job title", "Job Title",
        "Title", "Person - Notes", "Notes", "Mailing Street", "Mailing State", "Mailing Zip", "Mailing Postal Code",
        "Collector ID", "IP Address", "Custom Data 1", "Custom Data 2", "Status", "Finished", "Progress",
        "Duration (in seconds)", "Network ID", "Tags", "Response Type", "DistributionChannel", "UserLanguage",
        "LocationLatitude", "LocationLongitude", "IPAddress", "Reward", "Last Modified Date", "Modified Time",
        "Contact Owner.id", "Owner ID", "Start Date", "End Date", "StartDate", "Start Date (UTC)", "IsPrimary",
        "Is Primary", "Salutation", "Department", "Website", "Twitter", "LinkedIn", "Lead Status Reason",
    )
)

#: Which fields must be present (any one of each group) for a kind.
REQUIRED: dict[str, list[tuple[str, ...]]] = {
    "people": [("crm_id", "email", "name", "first_name", "last_name")],
    "referrals": [("referrer", "referrer_email", "referrer_id"), ("referred", "referred_email", "referred_id")],
    "relationships": [("a", "a_email"), ("b", "b_email")],
    "interactions": [("interaction_id", "interaction_name"), ("participant", "participant_email", "participant_id")],
    "feedback": [("score",), ("response_id", "person_id", "email", "name", "first_name", "last_name")],
}

_NPS_QUESTION = re.compile(r"(how likely|likelihood).*recommend|recommend.*(friend|colleague)|net promoter", re.I)
_CSAT_QUESTION = re.compile(r"how satisfied|satisfaction|\bcsat\b", re.I)
_COMMENT_QUESTION = re.compile(
    r"main reason|reason for your score|\bwhy\b|tell us|what could we|comment|anything else|open-ended", re.I
)


@dataclass
class Mapping:
    """The kind of a table and the column index of each field it fills."""

    kind: str
    columns: dict[str, int]
    headers: list[str]
    unused: list[str] = field(default_factory=list)
    scale: str = "nps"  # for the feedback score / people NPS column

    def header_of(self, field_name: str) -> str:
        return self.headers[self.columns[field_name]]

    def as_dict(self) -> dict[str, str]:
        """``{field: header}`` for reports and the import log."""
        return {f: self.headers[i] for f, i in sorted(self.columns.items(), key=lambda kv: kv[1])}


def _match(headers: list[str], descriptions: list[str], kind: str) -> tuple[dict[str, int], str]:
    keys = [_key(h) for h in headers]
    taken: dict[int, str] = {}
    columns: dict[str, int] = {}
    scale = "nps"
    aliases = ALIASES[kind]
    # question-text columns of survey exports (the header or the extra row is the question)
    if kind in ("feedback", "people"):
        texts = [f"{h} {descriptions[i] if i < len(descriptions) else ''}" for i, h in enumerate(headers)]
        if kind == "feedback":
            for i, t in enumerate(texts):
                if "score" not in columns and _NPS_QUESTION.search(t):
                    columns["score"], taken[i] = i, "score"
            if "score" not in columns:
                for i, t in enumerate(texts):
                    if _CSAT_QUESTION.search(t):
                        columns["score"], taken[i], scale = i, "score", "csat"
                        break
            for i, t in enumerate(texts):
                if i not in taken and "comment" not in columns and _COMMENT_QUESTION.search(t):
                    columns["comment"], taken[i] = i, "comment"
    for fname, alias_list in aliases.items():
        if fname in columns:
            continue
        best: tuple[int, int] | None = None
        for i, key in enumerate(keys):
            if i in taken or key not in alias_list:
                continue
            rank = alias_list.index(key)
            if best is None or rank < best[0]:
                best = (rank, i)
        if best is not None:
            columns[fname] = best[1]
            taken[best[1]] = fname
    if kind == "feedback" and "score" in columns:
        if _CSAT_QUESTION.search(headers[columns["score"]]):
            scale = "csat"
    return columns, scale


def _satisfies(columns: dict[str, int], kind: str) -> bool:
    return all(any(f in columns for f in group) for group in REQUIRED[kind])


def detect_kind(table: Table) -> str | None:
    """The kind of export this table is, or ``None`` when the headers fit none.

    A table needs both ends of a tie to be referrals or relationships, an
    interaction and a participant to be interactions, a score without CRM
    fields (company, owner, lifecycle stage) to be a survey; anything naming
    people is a people export.
    """
    matched = {k: _match(table.headers, table.descriptions, k)[0] for k in KINDS}
    if _satisfies(matched["referrals"], "referrals"):
        return "referrals"
    if _satisfies(matched["relationships"], "relationships") and not _looks_like_people(matched["people"]):
        return "relationships"
    if _satisfies(matched["interactions"], "interactions") and not _looks_like_people(matched["people"]):
        return "interactions"
    if _satisfies(matched["feedback"], "feedback") and not _looks_like_people(matched["people"]):
        return "feedback"
    if _satisfies(matched["people"], "people"):
        return "people"
    return None


def _looks_like_people(cols: dict[str, int]) -> bool:
    return sum(f in cols for f in ("company", "owner", "stage", "segment", "created", "crm_id")) >= 2


def map_columns(
    table: Table,
    kind: str | None = None,
    overrides: dict[str, str] | None = None,
) -> tuple[Mapping | None, list[Problem], list[Problem]]:
    """Work out the kind and the field -> column mapping of ``table``.

    Returns ``(mapping, errors, warnings)``; ``mapping`` is ``None`` when there
    are errors. ``overrides`` maps field names to header texts (as the user
    typed them: case, spaces and punctuation ignored).
    """
    label = table.label
    errors: list[Problem] = []
    warnings: list[Problem] = []
    if kind is not None and kind not in KINDS:
        return None, [Problem(label, None, None, f"unknown kind {kind!r}; use one of: {', '.join(KINDS)}")], []
    chosen = kind or detect_kind(table)
    if chosen is None:
        found = ", ".join(table.headers[:20]) or "(none)"
        return (
            None,
            [
                Problem(
                    label,
                    1,
                    None,
                    "could not tell what this file holds from its headers "
                    f"(found: {found}); expected e.g. people (Email, First Name, Last Name, Company), "
                    "referrals (Referrer Email, Referred Email), relationships (Person A, Person B), "
                    "interactions (Meeting ID, Attendee email) or survey responses (Email, Score); "
                    "name the kind with --kind or map columns with --map FIELD=COLUMN",
                )
            ],
            [],
        )
    columns, scale = _match(table.headers, table.descriptions, chosen)
    if overrides:
        keys = [_key(h) for h in table.headers]
        for fname, col in overrides.items():
            if fname not in ALIASES[chosen]:
                errors.append(
                    Problem(
                        label, None, col,
                        f"--map: {chosen} files have no field {fname!r}; fields: {', '.join(ALIASES[chosen])}",
                    )
                )
                continue
            if col == "":
                columns.pop(fname, None)
                continue
            key = _key(col)
            if key not in keys:
                errors.append(
                    Problem(label, None, col, f"--map {fname}={col}: no such column; the columns are: {', '.join(table.headers)}")
                )
                continue
            idx = keys.index(key)
            for other, j in list(columns.items()):
                if j == idx:
                    del columns[other]
            columns[fname] = idx
            if fname == "score" and _CSAT_QUESTION.search(table.headers[idx]):
                scale = "csat"
    if not errors:
        for group in REQUIRED[chosen]:
            if not any(f in columns for f in group):
                errors.append(
                    Problem(
                        label,
                        1,
                        None,
                        f"missing a required column for a {chosen} file: expected one of "
                        f"{' / '.join(_example_header(chosen, f) for f in group)}; "
                        f"found: {', '.join(table.headers) or '(none)'}. Rename the column or use --map FIELD=COLUMN",
                    )
                )
    used = set(columns.values())
    unused = [h for i, h in enumerate(table.headers) if i not in used and _key(h) not in KNOWN_UNUSED]
    if unused:
        warnings.append(
            Problem(
                label, 1, None,
                f"{len(unused)} column{'s' if len(unused) != 1 else ''} not used and not stored: "
                + ", ".join(unused[:15]) + (" ..." if len(unused) > 15 else ""),
                "warning",
            )
        )
    if errors:
        return None, errors, warnings
    return Mapping(chosen, columns, list(table.headers), unused, scale), [], warnings


def _example_header(kind: str, fname: str) -> str:
    examples = {
        "crm_id": "Record ID", "email": "Email", "name": "Name", "first_name": "First Name",
        "last_name": "Last Name", "referrer": "Referrer", "referrer_email": "Referrer Email",
        "referrer_id": "Referrer ID", "referred": "Referred", "referred_email": "Referred Email",
        "referred_id": "Referred ID", "a": "Person A", "a_email": "Person A Email", "b": "Person B",
        "b_email": "Person B Email", "interaction_id": "Meeting ID", "interaction_name": "Meeting name",
        "participant": "Attendee", "participant_email": "Attendee email", "participant_id": "Contact ID",
        "score": "Score (or the NPS question)", "response_id": "Response ID", "person_id": "External Reference",
    }
    return f"'{examples.get(fname, fname)}'"
