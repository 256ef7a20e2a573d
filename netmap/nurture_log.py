"""The nurture log's vocabulary: what an account manager can log having done for a customer.

Pure: no storage, no clock. The log itself is stored by netmap/storage/nurture_log.py
(``nurture_action`` table, netmap/storage/tables.py ``NurtureAction``); what followed each
action type is measured by netmap/network/outcomes.py.

:data:`ACTIONS` maps each action to the words a person reads ("thanked them"). Every
stored action is one of these keys: :func:`check_action` accepts a key or its label, in
any case, with spaces or dashes for underscores ("Fixed issue", "fixed-issue"), and
refuses anything else with a :class:`netmap.errors.NetmapError` naming the choices.
:func:`action_from_words` maps an activities export's type and subject to an action
by keywords (README, "Nurture log and outcomes").
"""

from __future__ import annotations

import re

from .errors import NetmapError

__all__ = ["ACTIONS", "LOG_COLUMNS", "UnknownAction", "action_from_words", "check_action", "label"]

#: action -> what it says in words
ACTIONS: dict[str, str] = {
    "thanked": "thanked them",
    "fixed_issue": "fixed an issue",
    "called": "called them",
    "asked_intro": "asked for an introduction",
    "sent_gift": "sent a gift",
    "other": "something else",
}

#: the columns of the log as a table (netmap/cli_log.py prints them in this order)
LOG_COLUMNS = ("done_on", "person_id", "name", "owner", "action", "note", "logged_by")


class UnknownAction(NetmapError):
    """An action that is not one of :data:`ACTIONS`."""


def _folded(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


_BY_WORDS = {**{_folded(k): k for k in ACTIONS}, **{_folded(v): k for k, v in ACTIONS.items()},
             "fixed_an_issue": "fixed_issue", "asked_for_an_introduction": "asked_intro", "gift": "sent_gift",
             "call": "called", "thank": "thanked", "thanks": "thanked", "intro": "asked_intro"}


def check_action(action: str) -> str:
    """The action key ``action`` names (a key or its words, any case); raises
    :class:`UnknownAction` naming the known actions otherwise."""
    key = _BY_WORDS.get(_folded(action or ""))
    if key is None:
        raise UnknownAction(f"{action!r} is not an action the nurture log knows: use one of "
                            f"{', '.join(ACTIONS)}")
    return key


def label(action: str) -> str:
    """The words for an action key ("fixed an issue"); an unknown key as it is."""
    return ACTIONS.get(action, action)


#: an activities export's subject or type -> action: the first rule with a keyword that starts a word
#: of the text wins (the subject first, then the type), else "other"
KEYWORD_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sent_gift", ("gift", "swag", "hamper")),
    ("thanked", ("thank",)),
    ("asked_intro", ("intro", "referral", "refer")),
    ("fixed_issue", ("fix", "resolv", "issue", "bug")),
    ("called", ("call", "phone")),
)


def action_from_words(*texts: str | None) -> str:
    """The action an activity's words say: each text in turn (the activity's subject, then its
    type: the subject is the more specific), the first of :data:`KEYWORD_RULES` with a keyword
    that starts a word of it; ``"other"`` when none does. ``action_from_words("Thank-you call",
    "CALL")`` is ``"thanked"`` (a gift before a thank-you before an introduction before a fix
    before a call); ``action_from_words("Quarterly check-in", "CALL")`` is ``"called"``;
    ``action_from_words("Renewal paperwork", "TODO")`` is ``"other"``."""
    for text in texts:
        if not text:
            continue
        words = re.findall(r"[a-z]+", text.lower())
        for action, keys in KEYWORD_RULES:
            if any(w.startswith(k) for w in words for k in keys):
                return action
    return "other"
