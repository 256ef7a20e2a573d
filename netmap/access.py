"""Who may see and who may change the data: the rules, without Streamlit.

Off by default: with no sign-in configured, netmap serves one local user who
may do everything, and changes are recorded as ``local:<os user>``.

With sign-in configured (an ``[auth]`` section in Streamlit's secrets, which
``st.login`` reads), the rules are::

    not signed in           sees nothing but the sign-in screen (the data is personal)
    signed in               sees everything, changes nothing (read-only)
    signed in as an admin   sees and changes: import, undo, erase

Admins are emails, compared without regard to case or surrounding spaces,
listed in the secrets (``[netmap] admins = ["a@x.com"]``) and/or in the
environment (``NETMAP_ADMINS="a@x.com, b@x.com"``); both lists count.

The shells (app, CLI) read the settings and the user; :func:`decide` is a pure
function of them. The library records whoever a shell names as the actor of
a change (:func:`local_actor` when it names nobody).

>>> decide(AccessSettings(), None).may_change
True
>>> team = AccessSettings(sign_in=True, admins=admin_set(["Ann@X.com"]))
>>> decide(team, None).may_view
False
>>> decide(team, "bo@x.com").may_change
False
>>> decide(team, " ann@x.COM ").actor
'ann@x.com'
"""

from __future__ import annotations

import getpass
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .errors import NetmapError

__all__ = [
    "Access", "AccessSettings", "NotAllowed", "admin_set", "decide", "local_actor", "login_providers",
    "normalise_email", "settings_from",
]

#: what only an admin may do when sign-in is on
CHANGES = "importing, undoing imports and erasing people"


class NotAllowed(NetmapError):
    """The current user may not make this change (sign-in is on and they are no admin)."""


def normalise_email(email: str) -> str:
    """An email as compared and recorded: trimmed, lower-case."""
    return email.strip().casefold()


def admin_set(emails: Iterable[str] | str | None) -> frozenset[str]:
    """Admin emails from a list, or from one string separated by commas,
    semicolons or whitespace (as ``NETMAP_ADMINS`` holds them)."""
    if emails is None:
        return frozenset()
    if isinstance(emails, str):
        emails = re.split(r"[,;\s]+", emails)
    return frozenset(normalise_email(str(e)) for e in emails if str(e).strip())


@dataclass(frozen=True)
class AccessSettings:
    """``sign_in``: whether sign-in is configured; ``admins``: normalised emails."""

    sign_in: bool = False
    admins: frozenset[str] = frozenset()


def settings_from(secrets: Mapping | None, environ: Mapping[str, str] | None = None) -> AccessSettings:
    """The access settings from Streamlit's secrets (as a plain mapping) and
    the environment.

    Sign-in is on as soon as the secrets have a non-empty ``[auth]`` section
    (the one ``st.login`` uses): a half-configured sign-in keeps the data
    closed rather than open. Admins: ``[netmap] admins`` plus ``NETMAP_ADMINS``.
    """
    secrets = secrets or {}
    auth = secrets.get("auth")
    netmap = secrets.get("netmap") or {}
    admins = admin_set(netmap.get("admins") if isinstance(netmap, Mapping) else None)
    admins |= admin_set((environ or {}).get("NETMAP_ADMINS"))
    return AccessSettings(sign_in=bool(auth), admins=admins)


def login_providers(auth: Mapping | None) -> list[str | None]:
    """The providers to offer a sign-in button for: ``[None]`` (``st.login()``'s
    default) when ``[auth]`` configures one provider itself, else the names of
    its ``[auth.NAME]`` sections (``st.login(NAME)``).

    >>> login_providers({"client_id": "x", "redirect_uri": "u"})
    [None]
    >>> login_providers({"redirect_uri": "u", "google": {"client_id": "x"}, "okta": {"client_id": "y"}})
    ['google', 'okta']
    """
    auth = auth or {}
    named = sorted(k for k, v in auth.items() if isinstance(v, Mapping))
    return [None] if "client_id" in auth or not named else list(named)


@dataclass(frozen=True)
class Access:
    """What the current user may do, and why not.

    ``actor`` is the name recorded in the audit log for their changes (None
    when they may not sign anything); ``reason`` says in plain words why a
    change is not theirs to make (empty when it is).
    """

    may_view: bool
    may_change: bool
    actor: str | None
    reason: str = ""
    email: str | None = None
    sign_in: bool = False
    admins: tuple[str, ...] = ()


def local_actor(user: str | None = None) -> str:
    """The actor for a single local user: ``local:<os user>`` (``local`` when
    the operating system names nobody)."""
    if user is None:
        try:
            user = getpass.getuser()
        except (OSError, KeyError, ImportError):  # no login name, no passwd entry
            user = ""
    user = (user or "").strip()
    return f"local:{user}" if user else "local"


def decide(settings: AccessSettings, email: str | None, *, local_user: str | None = None) -> Access:
    """What a user may do. ``email`` is the signed-in user's email, None when
    nobody is signed in, "" for someone signed in whose provider shared no
    email. Ignored when sign-in is off."""
    admins = tuple(sorted(settings.admins))
    if not settings.sign_in:
        return Access(True, True, local_actor(local_user))
    if email is None:
        return Access(
            False, False, None,
            "Sign in to see this company's network: it holds personal data about customers.",
            sign_in=True, admins=admins,
        )
    who = normalise_email(email)
    if who and who in settings.admins:
        return Access(True, True, who, email=who, sign_in=True, admins=admins)
    if not who:
        why = ("admins, and your sign-in provider did not share your email address, so netmap cannot tell "
               "whether you are one")
    elif not admins:
        why = ("admins, and none is configured yet (list their emails under [netmap] admins in the secrets, "
               "or in NETMAP_ADMINS)")
    else:
        why = f"the admin{'s' if len(admins) > 1 else ''}: {', '.join(admins)}"
    return Access(
        True, False, None,
        f"You are signed in{f' as {who}' if who else ''} with read-only access: {CHANGES} are reserved to {why}.",
        email=who or None, sign_in=True, admins=admins,
    )
