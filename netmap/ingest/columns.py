"""What kind of export a table is, and which column holds which field.

Help desks' ticket exports (Zendesk, Freshdesk, Intercom, HubSpot tickets: ``tests/data/tickets/``)
are the kind ``tickets``; CRMs' task and activity exports (HubSpot tasks, Salesforce tasks and
events: ``tests/data/activities/``) the kind ``activities``, the nurture log's imported actions.

Headers are compared by :func:`~netmap.ingest.tabular.header_key` (case, spaces and
punctuation ignored), so ``Email``, `` EMAIL `` and ``e-mail`` are one header.
The alias lists are the headers real exports use (examples under
``tests/data/``): HubSpot, Salesforce, Pipedrive, Zoho, SurveyMonkey, Qualtrics, Typeform,
Delighted-style and hand-made sheets. For every field the aliases are in order
of preference: when two headers could fill the same field, the earlier alias
wins (Typeform's ``Submit Date (UTC)`` beats its ``Start Date (UTC)``).

A user can always say better: ``kind=`` overrides detection and
``overrides={"email": "Work address"}`` maps a field to a column by its header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import Problem
from .tabular import Table, header_key

KINDS = ("people", "referrals", "relationships", "interactions", "feedback", "tickets", "activities")


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
            "Id", "Contact Id", "hs_object_id", "VID", "user_id", "User ID", "member_id", "Member ID",
            "EmployeeID", "Employee ID", "Attendee ID", "Participant ID", "People ID", "uid", "Client ID",
        ),
        "first_name": _k(
            "First Name", "Firstname", "Given Name", "Person - First name", "Personne - Prénom", "First",
            "Attendee First Name",
        ),
        "last_name": _k(
            "Last Name", "Lastname", "Surname", "Family Name", "Person - Last name", "Personne - Nom de famille", "Last",
            "Attendee Last Name",
        ),
        "name": _k(
            "Name", "Full Name", "Contact Name", "Person Name", "Person - Name", "Personne - Nom", "Customer Name",
            "Contact", "Display Name", "Attendee Name", "Label", "Nodes", "Node",
        ),
        "email": _k(
            "Email", "E-mail", "Email Address", "Work Email", "Primary Email", "Person - Email - Work",
            "Person - Email", "Personne - E-mail - Travail", "Personne - E-mail", "Business Email", "Email 1",
            "E-mail 1 - Value", "Email 1 Value", "Primary Email Address", "Attendee Email", "Email Address 1",
            # second choices: used when the row's first email cell is empty (Mapping.fallbacks)
            "Person - Email - Home", "Person - Email - Other", "Personne - E-mail - Domicile", "Home Email",
            "Personal Email", "Other Email", "E-mail 2 - Value", "E-mail 2 Address", "Email 2", "Secondary Email",
        ),
        "company": _k(
            "Company", "Company Name", "Associated Company", "Account Name", "Account", "Organization",
            "Organisation", "Person - Organization", "Organization - Name", "Personne - Organisation",
            "Employer", "Customer", "Organization 1 - Name", "Organization Name", "Current Company",
        ),
        #: a profile address: LinkedIn's URL is the one id of a connection whose email is hidden
        "url": _k("URL", "Profile URL", "LinkedIn URL", "LinkedIn Profile", "LinkedIn Profile URL", "Profile"),
        #: when the exporting team member connected with the row's person (LinkedIn)
        "connected_on": _k("Connected On", "Connection Date", "Connected"),
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
        "reports_to": _k(
            "ReportsToId", "Reports To.id", "Reports To ID", "manager_id", "Manager ID", "Supervisor ID",
            "parent_id", "Reporting To.id", "Reports To", "ReportsTo", "Reporting To", "Manager", "Manager's Name",
            "Reports To: Full Name", "Reports To Email", "Manager Email", "Supervisor",
        ),
    },
    "referrals": {
        # only what a header calls a referral (edge lists' From/To and Source/Target are relationships)
        "referrer_email": _k("Referrer Email", "Advocate Email", "Referred By Email", "Referrer E-mail", "Invited By Email"),
        "referrer_id": _k("Referrer ID", "Advocate ID", "Referrer Contact ID", "referrer_id", "Invited By ID", "Referred By ID"),
        "referrer": _k("Referrer", "Referrer Name", "Referred By", "Advocate", "Advocate Name", "Invited By"),
        "referred_email": _k(
            "Referred Email", "Referee Email", "Friend Email", "Invitee Email", "Referred Contact Email",
            "Referral Email", "Referred E-mail",
        ),
        "referred_id": _k("Referred ID", "Referee ID", "Referred Contact ID", "referred_id", "Invitee ID"),
        "referred": _k("Referred", "Referee", "Referred Name", "Referee Name", "Friend", "Friend Name", "Invitee", "Referral"),
        "date": _k("Date", "Referral Date", "Referred Date", "Created", "Created At", "Created Date", "Date Referred"),
        "status": _k("Status", "Outcome", "Referral Status", "Stage", "Result"),
        "value": _k("Value", "Amount", "Deal Value", "Revenue", "Deal Amount"),
    },
    "relationships": {
        "a_email": _k("Person A Email", "Email A", "From Email", "Contact Email", "Source Email", "Person 1 Email"),
        "a": _k(
            "Person A", "Person 1", "From", "Source", "Contact", "Person", "internal_person_id",
            "Internal Person ID", "Contact A", "Person A ID", "ContactId", "Contact ID", "node1", "Node 1",
            "from_id", "source_id", "Vertex 1", "V1", "Ego",
        ),
        "b_email": _k("Person B Email", "Email B", "To Email", "Related Contact Email", "Target Email", "Person 2 Email"),
        "b": _k(
            "Person B", "Person 2", "To", "Target", "Related Contact", "Related Person", "external_person_id",
            "External Person ID", "Contact B", "Person B ID", "Knows", "node2", "Node 2", "to_id", "target_id",
            "Vertex 2", "V2", "Alter",
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
            "Attendee E-mail", "Recipient email", "Attendee emails", "Participant emails", "Guest emails",
            "Associated Contact Email", "Associated Contact Emails", "Contact emails", "Invitee emails",
        ),
        "participant_id": _k(
            "ContactId", "Contact ID", "Attendee ID", "Participant ID", "Person ID", "Attendee IDs",
            "Participant IDs", "Associated Contact IDs", "Associated Contact ID", "Contact IDs", "user_id",
        ),
        "participant": _k(
            "Attendee", "Participant", "Contact", "Person", "Attendee name", "Participant name", "Guest", "Contact name",
            "Attendees", "Participants", "Guests", "Invitees", "Associated Contact", "Associated Contacts", "Contacts",
            "People", "Members",
        ),
        "participant_first_name": _k("First Name", "Attendee First Name", "Firstname"),
        "participant_last_name": _k("Last Name", "Attendee Last Name", "Lastname", "Surname"),
        "participant_company": _k("Company", "Attendee Company", "Company Name", "Organization"),
        "kind": _k("Interaction Type", "Activity Type", "Type", "Kind", "Engagement Type"),
    },
    "feedback": {
        "response_id": _k("Respondent ID", "ResponseId", "Response ID", "#", "Survey Response ID", "Token", "Response"),
        "person_id": _k(
            "ExternalReference", "External Reference", "ExternalDataReference", "Customer ID", "Contact ID", "CRM ID",
            "Record ID", "Person ID", "user_id", "User ID", "member_id", "Member ID", "uid", "Client ID",
        ),
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

#: A help desk's ticket export (Zendesk ticket CSV export, Freshdesk ticket export, Intercom
#: conversations export, HubSpot tickets view export; the layouts of ``tests/data/tickets/``).
#: The requester is a customer; the agent / assignee / ticket owner a member of the team.
ALIASES["tickets"] = {
    "ticket_id": _k("Ticket ID", "Ticket Id", "Conversation ID", "Ticket Number", "Ticket #", "Id", "ID"),
    "subject": _k("Subject", "Ticket name", "Ticket Subject", "Title", "Conversation title"),
    "status": _k("Status", "Ticket status", "Conversation state", "State", "Ticket state"),
    "requester_email": _k("Requester email", "Requester e-mail", "User email", "Contact email", "Customer email",
                          "Email"),
    "requester_id": _k("Requester id", "User id", "Associated Contact IDs", "Associated Contact ID", "Contact ID",
                       "Requester external id", "Customer ID"),
    "requester": _k("Requester", "Requester name", "User name", "Associated Contact", "Contact name", "Contact",
                    "Customer name"),
    "company": _k("Organization", "Organisation", "Customer", "Company name", "Associated Company", "Company",
                  "Organization name"),
    "agent": _k("Assignee", "Agent", "Teammate assigned", "Ticket owner", "Assignee name", "Agent name",
                "Assigned to", "Owner"),
    "created": _k("Created at", "Created Time", "Conversation started at", "Create date", "Created", "Created date",
                  "Opened at"),
    "solved": _k("Solved at", "Resolved Time", "Resolved at", "Conversation last closed at", "Close date",
                 "Closed at", "Closed Time", "Closed date"),
    "rating": _k("Satisfaction Score", "Satisfaction", "Satisfaction rating", "Survey Result", "Conversation rating",
                 "CSAT", "CSAT rating", "Customer satisfaction rating"),
    "rating_comment": _k("Conversation rating remark", "Satisfaction Comment", "Satisfaction rating comment",
                         "Survey comment", "CSAT comment"),
}

#: A CRM's tasks / activities export (HubSpot tasks, Salesforce Task and Event exports, by label or
#: API name; the layouts of ``tests/data/activities/``): each completed activity is a nurture
#: action for its contact (netmap/nurture_log.py maps its subject and type to an action).
ALIASES["activities"] = {
    "activity_id": _k("Task ID", "Activity ID", "Engagement ID", "Event ID", "Record ID", "Id", "ID"),
    "subject": _k("Task Title", "Subject", "Activity Subject", "Task Subject", "Title"),
    "type": _k("Task Type", "Activity Type", "Type", "TaskSubtype", "Event Subtype", "Task Subtype"),
    "completed": _k("Completed At", "Completed Date", "Completed Date/Time", "CompletedDateTime", "Date Completed",
                    "Task Completed Date"),
    "date": _k("ActivityDate", "Activity Date", "Due Date", "Task Due Date", "StartDateTime", "Start Date Time",
               "Activity Date/Time"),
    "status": _k("Task Status", "Status", "Activity Status"),
    "contact_email": _k("Associated Contact Email", "Who.Email", "Contact Email", "Name.Email", "Email"),
    "contact_id": _k("Associated Contact IDs", "Associated Contact ID", "WhoId", "Who ID", "Name ID", "Contact ID"),
    "contact": _k("Associated Contact", "Who.Name", "Contact Name", "Contact", "Name"),
    "note": _k("Notes", "Body", "Task Notes", "Description", "Comments", "Full Comments"),
    "owner": _k("Task Owner", "Assigned to", "Activity Owner", "Owner.Name", "Assigned", "Owner Name", "OwnerId",
                "Activity owner"),
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
        # contact managers (Google, Outlook, LinkedIn)
        "Position", "Organization 1 - Title", "Organization Title", "Organization 1 - Type", "Organization Department",
        "Organization 1 - Department", "E-mail 1 - Type", "E-mail 1 - Label", "E-mail 2 - Type", "E-mail 2 - Label",
        "E-mail 3 - Type", "E-mail 3 - Label", "E-mail 3 - Value", "E-mail 3 Address", "E-mail Type", "E-mail Display Name", "E-mail 2 Type", "E-mail 2 Display Name",
        "E-mail 3 Type", "E-mail 3 Display Name", "Phone 1 - Type", "Phone 1 - Label", "Phone 1 - Value",
        "Phone 2 - Type", "Phone 2 - Label", "Phone 2 - Value", "Middle Name", "Additional Name", "Suffix",
        "Nickname", "Name Prefix", "Name Suffix", "Yomi Name", "Given Name Yomi", "Family Name Yomi",
        "Additional Name Yomi", "Phonetic First Name", "Phonetic Middle Name", "Phonetic Last Name", "File As",
        "Birthday", "Labels", "Group Membership", "Photo", "Business Phone", "Home Phone", "Mobile Phone",
        "Business Fax", "Home Fax", "Business Street", "Business City", "Business State", "Business Postal Code",
        "Business Country/Region", "Home Street", "Home City", "Home State", "Home Postal Code",
        "Home Country/Region", "Other Phone", "Categories", "Web Page", "Assistant's Name",
        # Salesforce API names and deals
        "AccountId", "OwnerId", "ConvertedContactId", "ConvertedAccountId", "IsConverted", "MailingStreet",
        "MailingCity", "MailingState", "MailingPostalCode", "MailingCountry", "MobilePhone", "Description",
        "LastModifiedDate", "SystemModstamp", "IsDeleted", "MasterRecordId", "CreatedById", "LastModifiedById",
        "Deal Stage", "Pipeline", "Deal owner", "Deal Type", "Amount", "Associated Company", "Associated Company IDs",
        "Associated Company ID", "Last Activity Date", "Next Activity Date",
        # event registrations
        "Order #", "Order Date", "Quantity", "Ticket Type", "Attendee #", "Attendee Status", "Order ID",
        "Total Paid", "Eventbrite Fees", "Payment Type", "Event Start Date", "Event End Date", "Checked In",
        # Northwind-style employee tables
        "TitleOfCourtesy", "BirthDate", "HireDate", "Address", "PostalCode", "HomePhone", "Extension", "PhotoPath",
        "Photo",
        # help desk ticket exports (Zendesk, Freshdesk, Intercom, HubSpot)
        "Summation column", "Requester domain", "Submitter", "Group", "Priority", "Via", "Ticket type",
        "Updated at", "Assigned at", "Due date", "Initially assigned at", "Resolution time", "Group stations",
        "Assignee stations", "Reopens", "Replies", "Source", "Due by Time", "Team assigned", "Pipeline",
        "Requester external id",
    )
)

#: Every header key netmap knows (of any kind, used or not): a row holding one of them can be a
#: header row below a preamble (:func:`netmap.ingest.tabular.find_header`).
KNOWN_HEADERS = frozenset(KNOWN_UNUSED | {a for fields in ALIASES.values() for aliases in fields.values() for a in aliases})

#: Which fields must be present (any one of each group) for a kind.
REQUIRED: dict[str, list[tuple[str, ...]]] = {
    "people": [("crm_id", "email", "name", "first_name", "last_name")],
    "referrals": [("referrer", "referrer_email", "referrer_id"), ("referred", "referred_email", "referred_id")],
    "relationships": [("a", "a_email"), ("b", "b_email")],
    "interactions": [("interaction_id", "interaction_name"), ("participant", "participant_email", "participant_id")],
    "feedback": [("score",), ("response_id", "person_id", "email", "name", "first_name", "last_name")],
    "tickets": [("ticket_id",), ("status",), ("requester", "requester_email", "requester_id")],
    "activities": [("activity_id",), ("contact", "contact_email", "contact_id"), ("completed", "date")],
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
    #: what netmap took the table for, in words ("people export (LinkedIn connections), from 7 of 7 columns")
    reading: str = ""
    #: field -> further columns for it, read when the row's cell in the first is empty (a work email, else
    #: the home one: Pipedrive, Google and Outlook export several)
    fallbacks: dict[str, list[int]] = field(default_factory=dict)
    #: the vendor layout recognised (:data:`LAYOUTS`: "LinkedIn connections", "HubSpot deals" ...), if any
    layout: str | None = None

    def header_of(self, field_name: str) -> str:
        return self.headers[self.columns[field_name]]

    def as_dict(self) -> dict[str, str]:
        """``{field: header}`` for reports and the import log."""
        return {f: self.headers[i] for f, i in sorted(self.columns.items(), key=lambda kv: kv[1])}


#: aliases that hold only beside other headers: (kind, field) -> [(alias, headers one of which is there)].
#: A HubSpot deals export's own id is its ``Record ID``, which in a contacts export is the person's.
IN_CONTEXT: dict[tuple[str, str], list[tuple[str, frozenset[str]]]] = {
    ("interactions", "interaction_id"): [("recordid", frozenset({"dealname", "dealstage", "pipeline"}))],
}


def _aliases(kind: str, keys: list[str]) -> dict[str, tuple[str, ...]]:
    present = set(keys)
    out = dict(ALIASES[kind])
    for (k, fname), extra in IN_CONTEXT.items():
        if k == kind:
            out[fname] = out[fname] + tuple(a for a, beside in extra if present & beside)
    return out


def _match(headers: list[str], descriptions: list[str], kind: str) -> tuple[dict[str, int], str]:
    keys = [_key(h) for h in headers]
    taken: dict[int, str] = {}
    columns: dict[str, int] = {}
    scale = "nps"
    aliases = _aliases(kind, keys)
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


#: fields a row may fill from a second column when its first is empty
FALLBACK_FIELDS = ("email",)


def _fallbacks(headers: list[str], columns: dict[str, int], kind: str) -> dict[str, list[int]]:
    """For :data:`FALLBACK_FIELDS`: the other columns whose headers name the same field
    (in order of preference) and that fill no other field."""
    used = set(columns.values())
    out: dict[str, list[int]] = {}
    for fname in FALLBACK_FIELDS:
        aliases = ALIASES[kind].get(fname, ())
        if fname not in columns:
            continue
        more = sorted((aliases.index(k), i) for i, h in enumerate(headers)
                      if i not in used and (k := _key(h)) in aliases)
        if more:
            out[fname] = [i for _, i in more]
    return out


def _satisfies(columns: dict[str, int], kind: str) -> bool:
    return all(any(f in columns for f in group) for group in REQUIRED[kind])


#: how each kind is named to a user ("read as: people export")
KIND_LABELS = {
    "people": "people export", "referrals": "referrals", "relationships": "relationships (person to person)",
    "interactions": "shared interactions (meetings, events, deals)", "feedback": "survey answers",
    "tickets": "support tickets", "activities": "CRM activities (nurture actions)",
}
#: the fields of a people export that only a CRM writes (a survey or an edge list has none of them)
CRM_FIELDS = ("company", "owner", "stage", "segment", "created", "crm_id")


def _owners() -> dict[str, set[str]]:
    """Header key -> the kinds that name it. The activities kind (the newest) claims only the
    headers no other kind names: its generic ones (``Id``, ``Subject``, ``Type``, ``Status``,
    ``Email``, ``Name``) leave the other kinds' evidence as it was."""
    owners: dict[str, set[str]] = {}
    for kind, fields in ALIASES.items():
        if kind == "activities":
            continue
        for aliases in fields.values():
            for a in aliases:
                owners.setdefault(a, set()).add(kind)
    for aliases in ALIASES["activities"].values():
        for a in aliases:
            owners.setdefault(a, {"activities"})
    return owners


#: header key -> the kinds whose vocabulary has it (a header of one kind only is stronger evidence)
_OWNERS = _owners()


@dataclass(frozen=True)
class Reading:
    """One way to read a table: as ``kind``, filling ``columns``, with the
    weight of evidence ``score`` (2 per recognised column that only this kind
    names, 1 per column several kinds name)."""

    kind: str
    columns: dict[str, int]
    scale: str
    score: int
    layout: str | None = None

    def describe(self, headers: list[str]) -> str:
        """``people export (LinkedIn connections), from 6 of 7 columns``."""
        what = KIND_LABELS[self.kind] + (f" ({self.layout})" if self.layout else "")
        return f"{what}, from {len(self.columns)} of {len(headers)} columns"


#: vendor layouts recognised by their signature headers: (name, kind, header keys that must all be
#: there, raw headers of which one must be there exactly as written, or None)
LAYOUTS: tuple[tuple[str, str, frozenset[str], frozenset[str] | None], ...] = (
    ("LinkedIn connections", "people", frozenset({"firstname", "lastname", "url", "connectedon"}), None),
    ("Google Contacts", "people", frozenset({"email1value"}), None),
    ("Outlook contacts", "people", frozenset({"emailaddress", "email2address"}), None),
    ("Outlook contacts", "people", frozenset({"firstname", "lastname", "emailaddress", "jobtitle", "middlename"}), None),
    ("Salesforce API names", "people", frozenset({"id"}),
     frozenset({"AccountId", "OwnerId", "ReportsToId", "LastName", "FirstName", "CreatedDate", "ConvertedContactId"})),
    ("Zoho CRM", "people", frozenset({"recordid", "accountnameid"}), None),  # before the Salesforce report, whose labels Zoho shares
    ("Salesforce report", "people", frozenset({"contactowner"}), frozenset({"Account Name", "Lead Source"})),
    ("HubSpot contacts", "people", frozenset({"recordid", "lifecyclestage"}), None),
    ("HubSpot contacts", "people", frozenset({"recordid", "contactowner"}), None),
    ("HubSpot deals", "interactions", frozenset({"dealname", "dealstage"}), None),
    ("Pipedrive", "people", frozenset({"personname"}), None),
    ("Eventbrite attendees", "interactions", frozenset({"eventname", "tickettype"}), None),
    ("edge list", "relationships", frozenset({"source", "target"}), None),
    ("edge list", "relationships", frozenset({"from", "to"}), None),
    ("edge list", "relationships", frozenset({"node1", "node2"}), None),
    ("Qualtrics", "feedback", frozenset({"responseid", "recordeddate"}), None),
    ("SurveyMonkey", "feedback", frozenset({"respondentid", "collectorid"}), None),
    ("Zendesk", "tickets", frozenset({"id", "requester", "assignee", "status"}), None),
    ("Freshdesk", "tickets", frozenset({"ticketid", "requester", "agent", "status"}), None),
    ("Intercom", "tickets", frozenset({"conversationid", "conversationstate"}), None),
    ("HubSpot", "tickets", frozenset({"ticketid", "ticketstatus"}), None),
    ("HubSpot tasks", "activities", frozenset({"tasktitle"}), None),
    ("HubSpot tasks", "activities", frozenset({"tasktype"}), None),
    ("Salesforce activities", "activities", frozenset({"activitydate"}), None),
    ("Salesforce activities", "activities", frozenset({"whoid"}), None),
)


#: layouts of somebody's own address book or connections: whose export it is ties its people to them
CONTACT_LAYOUTS = frozenset({"LinkedIn connections", "Google Contacts", "Outlook contacts"})


def _layout(headers: list[str], kind: str) -> str | None:
    keys = {_key(h) for h in headers}
    raw = set(headers)
    for name, k, needed, exact in LAYOUTS:
        if k == kind and needed <= keys and (exact is None or raw & exact):
            return name
    return None


def readings(table: Table) -> list[Reading]:
    """Every kind the table can be read as (its required columns are there),
    the strongest evidence first; equal evidence in the order of :data:`KINDS`."""
    out = []
    for kind in KINDS:
        columns, scale = _match(table.headers, table.descriptions, kind)
        if not _satisfies(columns, kind):
            continue
        keys = [_key(table.headers[i]) for i in columns.values()]
        score = sum(2 if _OWNERS.get(k) == {kind} else 1 for k in keys)
        out.append(Reading(kind, columns, scale, score, _layout(table.headers, kind)))
    return sorted(out, key=lambda r: -r.score)


def choose_reading(table: Table) -> tuple[Reading | None, list[Reading]]:
    """The reading netmap takes, and the close ones it could not rule out.

    The evidence is weighed, not the first match: the reading with the most
    recognised columns (a column only one kind names counts double) wins. A
    reading within one point of it is close; of two close readings:

    * a people export with two or more CRM-only fields (:data:`CRM_FIELDS`)
      stays a people export, whatever else it holds (HubSpot's NPS columns,
      Salesforce's ``AccountId``);
    * otherwise a survey, interaction, relationship or referral file beats a
      people reading that has no more than names and emails (``Email, NPS`` is
      a survey);
    * two close readings that neither rule settles are both returned as
      rivals: the file is refused with both, and the flag for each.

    A help desk's ticket export recognised by its signature headers
    (:data:`LAYOUTS`) is read as tickets whenever that reading is close: its
    ``Id``, ``Status``, ``Organization`` and ``Created at`` would otherwise
    make it look like a CRM's people export.
    """
    found = readings(table)
    if not found:
        return None, []
    best = found[0]
    close = [r for r in found[1:] if r.score >= best.score - 1]
    ticket = next((r for r in (best, *close) if r.kind in ("tickets", "activities") and r.layout), None)
    if ticket is not None:
        return ticket, []
    for rival in close:
        if best.kind == rival.kind:
            continue
        pair = {best.kind, rival.kind}
        if "people" in pair:
            people = best if best.kind == "people" else rival
            other = rival if people is best else best
            crm = sum(f in people.columns for f in CRM_FIELDS)
            winner = people if crm >= 2 else other
            if winner is not best:
                best = winner
            continue
        return best, [r for r in close if r.kind not in ("people", best.kind)]
    return best, []


def detect_kind(table: Table) -> str | None:
    """The kind of export this table is, or ``None`` when the headers fit none
    or two readings are too close to tell (see :func:`choose_reading`)."""
    best, rivals = choose_reading(table)
    return None if best is None or rivals else best.kind


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
        return None, [Problem(label, None, None, f"unknown kind {kind!r}; the kinds are: {', '.join(KINDS)}",
                                code="unknown_kind")], []
    best, rivals = (None, []) if kind else choose_reading(table)
    if rivals:
        assert best is not None
        both = [best, *rivals]
        return None, [
            Problem(
                label, table.header_row, None,
                "two readings of this file are equally likely: "
                + "; ".join(f"{r.describe(table.headers)} (kind: {r.kind})" for r in both),
                code="ambiguous_kind",
            )
        ], []
    chosen = kind or (best.kind if best else None)
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
                    "interactions (Meeting ID, Attendee email), survey responses (Email, Score), "
                    "support tickets (Ticket ID, Status, Requester email) "
                    "or CRM activities (Task ID, Task Title, Associated Contact, Completed At)",
                    code="unrecognised_file",
                )
            ],
            [],
        )
    if best is not None and best.kind == chosen:  # weighed already: its columns, not a second match
        columns, scale = dict(best.columns), best.scale
    else:
        columns, scale = _match(table.headers, table.descriptions, chosen)
    if overrides:
        keys = [_key(h) for h in table.headers]
        for fname, col in overrides.items():
            if fname not in ALIASES[chosen]:
                errors.append(
                    Problem(
                        label, None, col,
                        f"{chosen} files have no field {fname!r}; fields: {', '.join(ALIASES[chosen])}",
                        code="unknown_field",
                    )
                )
                continue
            if col == "":
                columns.pop(fname, None)
                continue
            key = _key(col)
            if key not in keys:
                errors.append(
                    Problem(label, None, col, f"{fname} was mapped to {col!r}: no such column; the columns are: {', '.join(table.headers)}",
                            code="unknown_column")
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
                        f"found: {', '.join(table.headers) or '(none)'}",
                        code="missing_column",
                    )
                )
    fallbacks = _fallbacks(table.headers, columns, chosen)
    used = set(columns.values()) | {i for more in fallbacks.values() for i in more}
    unused = [h for i, h in enumerate(table.headers) if i not in used and _key(h) not in KNOWN_UNUSED]
    if unused:  # listed whole: the one column that mattered must not hide behind "..."
        warnings.append(
            Problem(label, None, None, f"columns not used and not stored: {', '.join(unused)} ({len(unused)})", "warning")
        )
    layout = best.layout if best is not None and best.kind == chosen else _layout(table.headers, chosen)
    reading = Reading(chosen, columns, scale, 0, layout).describe(table.headers)
    if kind:
        reading += " (as you chose)"
    if errors:
        return None, [Problem(e.file, e.row, e.column, f"{e.message} (read as: {reading})", code=e.code) for e in errors], warnings
    return Mapping(chosen, columns, list(table.headers), unused, scale, reading, fallbacks, layout), [], warnings


def _example_header(kind: str, fname: str) -> str:
    examples = {
        "crm_id": "Record ID", "email": "Email", "name": "Name", "first_name": "First Name",
        "last_name": "Last Name", "referrer": "Referrer", "referrer_email": "Referrer Email",
        "referrer_id": "Referrer ID", "referred": "Referred", "referred_email": "Referred Email",
        "referred_id": "Referred ID", "a": "Person A", "a_email": "Person A Email", "b": "Person B",
        "b_email": "Person B Email", "interaction_id": "Meeting ID", "interaction_name": "Meeting name",
        "participant": "Attendee", "participant_email": "Attendee email", "participant_id": "Contact ID",
        "score": "Score (or the NPS question)", "response_id": "Response ID", "person_id": "External Reference",
        "ticket_id": "Ticket ID", "status": "Status", "requester": "Requester", "requester_email": "Requester email",
        "requester_id": "Requester id",
    }
    return f"'{examples.get(fname, fname)}'"
