"""Sign-in, who may change the data, and the audit log, in the app.

The rules are :mod:`netmap.access` (no Streamlit); this module reads their
inputs (Streamlit's secrets, ``NETMAP_ADMINS``, ``st.user``) and draws the
pieces: the sign-in screen, the account in the sidebar, the explanation that
replaces a change control a user may not use, and the audit log.

Off by default: without an ``[auth]`` section in the secrets there is no
sign-in and the one local user may do everything.

A sign-in counts while its cookie is younger than the sign-in lifetime
(``NETMAP_SESSION_HOURS``) and was issued after its user's last logout
(:func:`checked_sign_in`): serve.py applies it to every connection and data
address, and :func:`current_email` to every page run.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import streamlit as st

from ..access import (
    USER_COOKIE, Access, AccessSettings, NotAllowed, SignIn, decide, log_actor, login_providers, logouts, read_sign_in,
    refusal,
    settings_from,
)
from ..storage.audit import describe_counts
from ..config import database_url, session_seconds
from ..errors import NetmapError

__all__ = [
    "account_sidebar", "actor", "audit_log", "checked_sign_in", "cookie_secret", "current_email", "may_change",
    "settings", "sign_in_screen", "viewer",
]

AUDIT_ROWS = 200  # entries shown in the app (the CLI/library read them all)
_LOG = logging.getLogger("netmap.access")


class SecretsUnreadable(NetmapError):
    """A secrets file exists but Streamlit could not read it: the app stays closed."""


def _secrets() -> dict:
    """Streamlit's secrets as a plain dict ({} when there is no secrets file).

    A secrets file that exists but cannot be read (a TOML error) raises:
    it may hold an ``[auth]`` section, and netmap must not open personal data
    because a sign-in setting was mistyped.
    """
    secrets = st.secrets
    if secrets.load_if_toml_exists():
        return secrets.to_dict()
    from streamlit import config as st_config

    present = [p for p in st_config.get_option("secrets.files") or [] if Path(p).expanduser().exists()]
    if present:
        raise SecretsUnreadable(
            f"netmap cannot read the secrets file ({', '.join(present)}); it stays closed until the file is fixed"
        )
    return {}


def settings() -> AccessSettings:
    """Sign-in on/off and the admin emails, from the secrets and ``NETMAP_ADMINS``."""
    return settings_from(_secrets(), os.environ)


def cookie_secret() -> str | None:
    """The secret Streamlit signs its sign-in cookie with (``[auth] cookie_secret``, else
    ``server.cookieSecret``)."""
    auth = _secrets().get("auth")
    secret = auth.get("cookie_secret") if isinstance(auth, Mapping) else None
    return str(secret) if secret else st.get_option("server.cookieSecret")


def checked_sign_in(cookies: Mapping[str, str]) -> tuple[SignIn | None, str | None]:
    """The sign-in the ``cookies`` carry (None: none, or forged), and why it no longer counts
    (None: it does): "expired" past the sign-in lifetime, "logged out" when issued before its
    user's last logout, "unverifiable" when the logouts could not be read (the database is
    unreachable: refused rather than trusted). Reads the database: call it off the event loop."""
    found = read_sign_in(cookies, cookie_secret())
    if found is None:
        return None, None
    try:
        out = logouts(database_url()).at(found.key)
    except Exception as exc:  # noqa: BLE001 -- e.g. the database is down: refuse, say why by kind only
        _LOG.warning("netmap: the logouts could not be read (%s); a sign-in is refused meanwhile", type(exc).__name__)
        return found, "unverifiable"
    return found, refusal(found, now=time.time(), lifetime_s=session_seconds(), logged_out_at=out)


def _cookie_refused() -> bool:
    """True when this page run's connection brought a sign-in cookie that no longer counts
    (expired during a long session, or its user logged out since)."""
    try:
        cookies = st.context.cookies
    except Exception:  # noqa: BLE001 -- no connection (AppTest): the user is what the test set
        return False
    if USER_COOKIE not in cookies:
        return False  # a user from AppTest or trusted headers: nothing to check here
    return checked_sign_in(cookies)[1] is not None


def current_email() -> str | None:
    """The signed-in user's email; None when nobody is signed in (or the sign-in expired,
    or its user logged out since), "" when the provider shared none. (Tests set the user
    through ``AppTest.user``.)"""
    user = st.user.to_dict()
    if not user.get("is_logged_in") or _cookie_refused():
        return None
    email = user.get("email")
    return str(email).strip() if email else ""


def viewer() -> Access:
    """What the current user may do (see :func:`netmap.access.decide`)."""
    conf = settings()
    return decide(conf, current_email() if conf.sign_in else None)


def may_change(what: str) -> bool:
    """True when the current user may import, undo or erase. Otherwise says
    why in place of the control (``what``: e.g. "Importing") and returns False."""
    who = viewer()
    if who.may_change:
        return True
    from . import md

    st.info(f"{md(what)} is not available to you. {md(who.reason)}", icon=":material/lock:")
    return False


def actor() -> str:
    """The name the audit log records for a change made now; raises
    :class:`netmap.access.NotAllowed` when the current user may not change
    the data (a last check behind the hidden controls)."""
    who = viewer()
    if not who.may_change or who.actor is None:
        raise NotAllowed(who.reason or "you may not change the data")
    return who.actor


def may_log() -> str | None:
    """Who a nurture action logged now is recorded as (:func:`netmap.access.log_actor`: anyone
    who may change the data, and every signed-in user with an email); None, with the reason
    said in place of the form, when the current user may not log."""
    who = viewer()
    logger = log_actor(who)
    if logger is None:
        st.info("Logging what you did is not available to you: netmap cannot tell who you are "
                "(sign in with an account that shares your email).", icon=":material/lock:")
    return logger


def sign_in_screen() -> None:
    """The only page a visitor sees before signing in: no data at all."""
    st.title("netmap")
    st.write("This netmap holds personal data about customers and the people around them. "
             "Sign in with your company account to see it.")
    auth = (_secrets().get("auth") or {})
    for provider in login_providers(auth if isinstance(auth, Mapping) else {}):
        label = "Sign in" if provider is None else f"Sign in with {provider}"
        if st.button(label, type="primary", key=f"sign_in_{provider or 'default'}", icon=":material/login:"):
            try:
                st.login(provider) if provider else st.login()
            except Exception as exc:  # misconfigured [auth] or Authlib missing: say so, show nothing else
                why = " ".join(str(exc).split()).rstrip(".")
                st.error(f"Sign-in is not working ({type(exc).__name__}: {why}). Ask whoever runs netmap to check "
                         "the [auth] section of .streamlit/secrets.toml (README: Sign-in and audit).")


def account_sidebar(who: Access) -> None:
    """Who is signed in, their rights, and a log-out button (only when sign-in is on)."""
    if not who.sign_in or not who.may_view:
        return
    from . import md

    with st.sidebar:
        st.caption(f"Signed in as {md(who.email or 'a user without an email')} · "
                   + ("admin" if who.may_change else "read-only"))
        # st.logout as the click's callback: the browser is then sent to /auth/logout, which deletes the
        # sign-in cookie and ends the provider's session (calling it then st.rerun() lost that redirect,
        # so a reload signed the user straight back in)
        st.button("Log out", key="log_out", icon=":material/logout:", on_click=st.logout)


def audit_frame(entries: list[dict]) -> pd.DataFrame:
    """The audit log as a table: when (UTC), who, what, on which rows, how much."""
    return pd.DataFrame(
        [{"when (UTC)": e["at"].strftime("%Y-%m-%d %H:%M:%S") if e["at"] else "", "who": e["actor"],
          "action": e["action"], "target": e["target"], "counts": describe_counts(e["counts"])}
         for e in entries],
        columns=["when (UTC)", "who", "action", "target", "counts"],
    )


def audit_log(store) -> None:
    """An expander with the newest audit entries (admins, and the local user, only)."""
    if not viewer().may_change:
        return
    entries = store.audit(limit=AUDIT_ROWS)
    with st.expander(f"Audit log: who changed the data ({len(entries)}{'+' if len(entries) == AUDIT_ROWS else ''} "
                     "entries)", icon=":material/history:"):
        st.caption("Every import, undo and erasure, with who did it and how many rows it touched. "
                   "Append-only: the database refuses to change or delete an entry. Rows are named by number, "
                   "never by a person's name or email.")
        if entries:
            st.dataframe(audit_frame(entries), hide_index=True, width="stretch", key="audit_log")
        else:
            st.write("No changes recorded yet.")
