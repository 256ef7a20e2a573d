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

A sign-in is Streamlit's signed identity cookie (:func:`read_sign_in`). netmap refuses
one that is older than the sign-in lifetime or was issued before its user last logged
out (:func:`refusal`); logouts are kept per user in the database (:class:`Logouts`), so a
cookie copied before a log-out no longer signs anyone in (serve.py applies it).

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

import hashlib
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from .config import local_actor
from .errors import NetmapError

__all__ = [
    "AUTH_COOKIES", "Access", "AccessSettings", "Logouts", "NotAllowed", "SignIn", "USER_COOKIE", "admin_set",
    "decide", "log_actor", "login_providers", "logouts", "normalise_email", "read_sign_in", "refusal",
    "settings_from", "user_key",
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


def log_actor(access: Access) -> str | None:
    """Who a nurture action logged now is recorded as (netmap/storage/nurture_log.py), or None
    when the user may not log.

    Logging what you did for a customer changes no one's data: it is an account manager's
    own record. So anyone who may change the data logs under their actor, and with sign-in
    on, every signed-in user whose email is known logs under that email, admin or not. A
    user with no email (their provider shared none) cannot be named in the log, so may not."""
    if access.may_change and access.actor:
        return access.actor
    if access.may_view and access.sign_in and access.email:
        return access.email
    return None


# ------------------------------------------------------------------ sign-in cookies --
#: Streamlit's signed identity cookie (``st.login`` sets it, ``st.user`` is read from it when a
#: browser connects) and the one with the provider's tokens; a large one is split into
#: ``NAME_1``, ``NAME_2``, ... (the main cookie then holds ``chunks-N``)
USER_COOKIE = "_streamlit_user"
AUTH_COOKIES = (USER_COOKIE, "_streamlit_user_tokens")
_CHUNKS = re.compile(r"chunks-(\d+)")
_LOG = logging.getLogger("netmap.access")


@dataclass(frozen=True)
class SignIn:
    """What a sign-in cookie says: who (``key``, see :func:`user_key`; ``email`` when the
    provider shared one) and when it was issued (``issued_at``, Unix seconds: the sign-in)."""

    key: str
    email: str | None
    issued_at: int


def is_auth_cookie(name: str) -> bool:
    """True for Streamlit's sign-in cookies and their chunks (``_streamlit_user``,
    ``_streamlit_user_tokens``, ``_streamlit_user_1``, ...)."""
    return any(name == base or (name.startswith(base + "_") and name[len(base) + 1:].isdigit())
               for base in AUTH_COOKIES)


def user_key(user: Mapping) -> str:
    """Who a sign-in is, as logouts are recorded: the email (trimmed, any case) when the
    provider shared one, else the provider's subject. A hash: the database keeps no address.

    >>> user_key({"email": " Ann@X.com", "sub": "1"}) == user_key({"email": "ann@x.com", "sub": "2"})
    True
    """
    email = user.get("email")
    basis = (f"email:{normalise_email(str(email))}" if email else
             f"sub:{user.get('provider')}:{user.get('iss')}:{user.get('sub')}")
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]


def read_sign_in(cookies: Mapping[str, str], secret: str | None) -> SignIn | None:
    """The sign-in that Streamlit's identity cookie carries, or None (no cookie, a
    signature that does not match ``secret``, or not a sign-in).

    Streamlit signs the cookie with the ``cookie_secret`` of ``[auth]`` (itsdangerous'
    ``URLSafeTimedSerializer``, salted with the cookie's name), and the signature stamps the
    time it was made: when the user signed in. The cookie is never signed again afterwards."""
    if not secret or USER_COOKIE not in cookies:
        return None
    from itsdangerous import BadData, URLSafeTimedSerializer

    def unsign(name: str) -> tuple[str, int] | None:
        raw = cookies.get(name)
        if raw is None:
            return None
        try:
            value, stamp = URLSafeTimedSerializer(secret, salt=name).loads(raw, return_timestamp=True)
        except (BadData, UnicodeError, ValueError):
            return None
        return (value, int(stamp.timestamp())) if isinstance(value, str) else None

    main = unsign(USER_COOKIE)
    if main is None:
        return None
    value, issued = main
    chunked = _CHUNKS.fullmatch(value)
    if chunked:
        parts = [unsign(f"{USER_COOKIE}_{i + 1}") for i in range(int(chunked.group(1)))]
        if any(p is None for p in parts):
            return None
        value = "".join(p[0] for p in parts)
        issued = min([issued, *(p[1] for p in parts)])
    try:
        user = json.loads(value)
    except ValueError:
        return None
    if not isinstance(user, dict) or not user.get("is_logged_in"):
        return None
    email = user.get("email")
    return SignIn(user_key(user), normalise_email(str(email)) if email else None, issued)


def refusal(sign_in: SignIn, *, now: float, lifetime_s: float, logged_out_at: int | None) -> str | None:
    """Why ``sign_in`` no longer signs anyone in (None when it still does): it is older than
    ``lifetime_s``, or its user logged out at ``logged_out_at`` (Unix seconds) or later.

    Both times are whole seconds, so a cookie issued in the second of a logout is refused
    too: a copied cookie never outlives its logout (a user would sign in again).

    >>> s = SignIn("k", None, issued_at=1_000)
    >>> refusal(s, now=1_100, lifetime_s=3_600, logged_out_at=None) is None
    True
    >>> refusal(s, now=5_000, lifetime_s=3_600, logged_out_at=None)
    'expired'
    >>> refusal(s, now=1_100, lifetime_s=3_600, logged_out_at=1_000)
    'logged out'
    >>> refusal(s, now=1_100, lifetime_s=3_600, logged_out_at=999) is None
    True
    """
    if now - sign_in.issued_at > lifetime_s:
        return "expired"
    if logged_out_at is not None and sign_in.issued_at <= logged_out_at:
        return "logged out"
    return None


#: logouts older than this are forgotten (netmap/storage/logins.py keeps them): every cookie
#: issued before them has expired by then (Streamlit itself refuses a sign-in cookie after 31 days, whatever netmap's lifetime)
LOGOUT_KEPT_S = 32 * 24 * 3600


class Logouts:
    """When each user last logged out, kept in the database's ``meta`` table.

    ``store`` makes the :class:`netmap.Store` on first use. :meth:`record` takes effect in this
    process at once; the database write follows in a background thread (it may wait for an
    import's write lock, and a log-out must not). :meth:`at` reads the database at most every
    ``ttl`` seconds per user, so other processes sharing the database see a logout within
    ``ttl`` seconds. A database that cannot be read raises: the caller refuses the sign-in."""

    def __init__(self, store: Callable[[], object], *, ttl: float = 2.0):
        self._make_store = store
        self._store = None
        self._ttl = ttl
        self._lock = threading.Lock()
        self._mine: dict[str, int] = {}  # recorded by this process
        self._read: dict[str, tuple[float, int | None]] = {}  # key -> (read at, value in the database)
        self._writes: list[threading.Thread] = []

    def store(self):
        with self._lock:
            if self._store is None:
                self._store = self._make_store()
            return self._store

    def at(self, key: str) -> int | None:
        """When user ``key`` last logged out (Unix seconds), or None."""
        now = time.monotonic()
        with self._lock:
            cached = self._read.get(key)
            mine = self._mine.get(key)
        if cached is None or now - cached[0] > self._ttl:
            from .storage.logins import last_logout

            found = last_logout(self.store().engine, key)
            cached = (now, found)
            with self._lock:
                self._read[key] = cached
        known = [t for t in (mine, cached[1]) if t is not None]
        return max(known) if known else None

    def record(self, key: str, at: float | None = None, *, wait: bool = False) -> threading.Thread:
        """User ``key`` logged out at ``at`` (default: now). Returns the thread writing it
        to the database (``wait=True``: written before this returns)."""
        when = int(time.time() if at is None else at)
        with self._lock:
            self._mine[key] = max(when, self._mine.get(key, when))
        writer = threading.Thread(target=self._write, args=(key, when), name="netmap-logout", daemon=True)
        writer.start()
        self._writes = [w for w in self._writes if w.is_alive()] + [writer]
        if wait:
            writer.join()
        return writer

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the database writes begun so far (tests, shutdown)."""
        for writer in list(self._writes):
            writer.join(timeout)

    def _write(self, key: str, when: int) -> None:
        from .storage.logins import record_logout

        for attempt in range(3):  # each waits up to the store's busy timeout for an import's lock
            try:
                with self.store().writing() as conn:
                    record_logout(conn, key, when, forget_before=when - LOGOUT_KEPT_S)
                return
            except Exception as exc:  # noqa: BLE001 -- logged, and this process refuses the cookie regardless
                error = exc
        _LOG.warning("netmap: a logout could not be written to the database (%s); this server refuses the "
                     "user's older sign-in until it restarts", type(error).__name__)

    def close(self) -> None:
        self.wait(60)
        with self._lock:
            store, self._store = self._store, None
        if store is not None:
            store.close()


_LOGOUTS: dict[str, Logouts] = {}
_LOGOUTS_LOCK = threading.Lock()


def logouts(url: str) -> Logouts:
    """The logouts of the database at ``url``, one :class:`Logouts` per database in a process
    (the server's guard and the app's pages share it)."""
    with _LOGOUTS_LOCK:
        found = _LOGOUTS.get(url)
        if found is None:
            def make():
                from .storage.store import Store

                return Store(url)

            found = _LOGOUTS[url] = Logouts(make)
        return found
