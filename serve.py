"""netmap's server: ``python -m streamlit run serve.py`` (the README's first command).

It serves ``app.py``, with

- the start-up work (imports, the data's measures and indexes) done when the
  server starts instead of during the first visit (:mod:`netmap.ui.startup`);
- vis-network's script and stylesheet served once, for a browser to keep, at
  ``{base path}/netmap-assets/`` (:mod:`netmap.network.vis_assets`), so the
  app's drawings link to them instead of carrying 0.69 MB inline each;
- a guard in front of Streamlit's own server (:class:`ServerGuard`): with sign-in on,
  uploads and every data address answer only a current sign-in; every session's
  uploads stay within a budget; a logout is recorded, so a sign-in cookie copied
  before it signs nobody in afterwards; a sign-in lasts ``NETMAP_SESSION_HOURS``.

``streamlit run app.py`` serves the same app, doing that work on the first
visit and drawing every graph self-contained, without the guard: a team server
runs ``serve.py``.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import defaultdict
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.routing import Route

from netmap import config
from netmap.access import decide, is_auth_cookie, logouts, read_sign_in
from netmap.draw import vis_assets

_BASE = "/" + (st.get_option("server.baseUrlPath") or "").strip("/")
#: the URL path the drawings link to (the server's base path kept)
ASSETS_AT = _BASE.rstrip("/") + vis_assets.PATH
#: the app's page icon: the one file of Streamlit's media that answers before sign-in
PAGE_ICON = Path(__file__).resolve().parent / "netmap" / "ui" / "icon.png"
_LOG = logging.getLogger("netmap.serve")


async def graph_asset(request) -> Response:
    found = vis_assets.asset(request.path_params["name"])
    if found is None:
        return Response("not found", status_code=404, media_type="text/plain")
    body, media_type = found
    return Response(body, media_type=media_type,
                    headers={"Cache-Control": vis_assets.CACHE_CONTROL, "X-Content-Type-Options": "nosniff"})


@asynccontextmanager
async def lifespan(app):
    # imported here, once Streamlit's runtime runs: netmap.ui declares cached functions,
    # and declared before the runtime exists Streamlit warns that it has none
    from netmap import ui
    from netmap.ui.startup import lifespan as start_up

    ui.link_graph_assets(ASSETS_AT)
    async with start_up(app):
        yield
    # a logout still being written when the server stops: let it reach the database (other servers read it)
    await asyncio.to_thread(logouts(config.database_url()).wait, 10)


# ------------------------------------------------------------------------ the guard --
#: Streamlit's addresses under ``_stcore/`` that answer anyone: the connection (the sign-in
#: screen comes through it) and the checks the page makes before it connects. Every other one
#: (uploads, components, the agent API, metrics, any added later) needs a sign-in.
OPEN_CORE = frozenset({"stream", "health", "host-config", "script-health-check"})
#: Streamlit's other data addresses: media (downloads, images), components, the app's static files
DATA_PREFIXES = ("/media/", "/component/", "/app/static/")
_UPLOAD = re.compile(r"/_stcore/upload_file/([^/]+)/([^/]+)")
_MAX_AGE = re.compile(rb"(?i)(;\s*max-age=)(\d+)")


class ServerGuard:
    """netmap's guard in front of Streamlit's server (an ASGI app around ``st.App``).

    With sign-in on (an ``[auth]`` section in the secrets; :mod:`netmap.ui.access`):

    - **Data addresses** (Streamlit's media, components, app static files, every ``_stcore``
      address but the connection and its checks) answer only a request whose sign-in cookie
      counts; else 403. The sign-in screen's page icon is the one media file answered before.
    - **Uploads** (``PUT _stcore/upload_file/{session}/{file}``) are accepted only from a
      signed-in admin (the only users with an uploader); else 403, before the body is read.
    - **The connection** (``_stcore/stream``) reaches Streamlit without a sign-in cookie that
      no longer counts (expired, or issued before its user logged out), so ``st.user`` is
      nobody and the app shows the sign-in screen.
    - **Log out** (``auth/logout``) records the time per user in the database (so an older
      cookie is refused, by every server sharing it) and signs that user out of every
      session open on this server; **signing in** (``oauth2callback``) sets the cookie to
      expire with the sign-in lifetime instead of Streamlit's 30 days.

    Always: **each session's uploads** stay within ``upload_budget`` bytes held on the server
    (the files it holds, plus uploads in flight); an upload past it is refused with 413.
    """

    def __init__(self, app, *, lifetime_s: int | None = None, upload_budget: int | None = None):
        self.app = app
        self.lifetime_s = config.session_seconds() if lifetime_s is None else lifetime_s
        self.upload_budget = config.upload_budget_bytes() if upload_budget is None else upload_budget
        self._in_flight: dict[str, int] = defaultdict(int)  # session id -> upload bytes being received
        self._icon: bytes | None = None

    # ------------------------------------------------------------------ dispatch
    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        path = _route_path(scope)
        if path is None:  # not below the base path: none of Streamlit's addresses
            return await self.app(scope, receive, send)
        method = scope.get("method", "GET")
        upload = _UPLOAD.fullmatch(path)
        if upload and method == "PUT":
            return await self._upload(scope, receive, send, *upload.groups())
        if scope["type"] == "websocket":
            return await self.app(await self._without_refused_cookie(scope), receive, send)
        if path == "/auth/logout":
            await self._log_out(scope)
            return await self.app(scope, receive, send)
        if path == "/oauth2callback":
            return await self.app(scope, receive, self._short_cookie(send))
        core = path[len("/_stcore/"):].split("/", 1)[0] if path.startswith("/_stcore/") else None
        guarded = (core is not None and core not in OPEN_CORE and not upload) or path.startswith(DATA_PREFIXES)
        if not guarded or method == "OPTIONS":  # (deleting an upload, unguarded, only frees memory)
            return await self.app(scope, receive, send)
        conf = self._settings()
        if conf is None or conf.sign_in:
            who = await self._viewer(scope, conf)
            if who is None or not who.may_view:
                if path.startswith("/media/") and method == "GET":
                    return await self._icon_only(scope, receive, send)
                return await _refuse(send, 403, "Sign in to netmap first.")
        return await self.app(scope, receive, send)

    # ------------------------------------------------------------------ sign-in
    @staticmethod
    def _settings():
        """The access settings; None when the secrets cannot be read (then everything stays closed)."""
        from netmap.errors import NetmapError
        from netmap.ui.access import settings

        try:
            return settings()
        except NetmapError:
            return None

    @staticmethod
    async def _viewer(scope, conf):
        """What the request's sign-in may do (:func:`netmap.access.decide`); None when it
        carries no sign-in that counts."""
        from netmap.ui.access import checked_sign_in

        if conf is None:
            return None
        cookies = HTTPConnection(scope).cookies
        found, refused = await asyncio.to_thread(checked_sign_in, cookies)
        if found is None or refused:
            return None
        return decide(conf, found.email or "")

    async def _without_refused_cookie(self, scope):
        """The connection's scope without its sign-in cookies when they no longer count."""
        from netmap.access import USER_COOKIE
        from netmap.ui.access import checked_sign_in

        cookies = HTTPConnection(scope).cookies
        if USER_COOKIE not in cookies:
            return scope
        conf = self._settings()
        if conf is not None and not conf.sign_in:
            return scope
        refused = True if conf is None else (await asyncio.to_thread(checked_sign_in, cookies))[1] is not None
        return _strip_auth_cookies(scope) if refused else scope

    async def _log_out(self, scope) -> None:
        """Record the logout of the request's user (whatever the age of their cookie) and
        sign them out of every session open on this server."""
        from netmap.ui.access import cookie_secret

        try:
            secret = cookie_secret()
            found = read_sign_in(HTTPConnection(scope).cookies, secret)
            if found is None:
                return
            logouts(config.database_url()).record(found.key)
            _end_sessions(found.key, secret)
        except Exception as exc:  # noqa: BLE001 -- the log-out itself (Streamlit's) must still happen
            _LOG.warning("netmap: recording a logout failed (%s)", type(exc).__name__)

    def _short_cookie(self, send):
        """``send``, with the sign-in cookies' Max-Age cut to the sign-in lifetime."""
        lifetime = str(self.lifetime_s).encode()

        async def sending(message):
            if message["type"] == "http.response.start":
                headers = []
                for name, value in message.get("headers", []):
                    cookie = value.split(b"=", 1)[0].strip().decode("latin-1")
                    if name.lower() == b"set-cookie" and is_auth_cookie(cookie):
                        value = _MAX_AGE.sub(lambda m: m.group(1) + (lifetime if int(m.group(2)) > self.lifetime_s
                                                                     else m.group(2)), value)
                    headers.append((name, value))
                message = {**message, "headers": headers}
            await send(message)

        return sending

    async def _icon_only(self, scope, receive, send) -> None:
        """A media file for a visitor not signed in: only the page icon (the sign-in screen's)."""
        if self._icon is None:
            self._icon = PAGE_ICON.read_bytes()
        icon, start, body, over = self._icon, None, bytearray(), False

        async def keep(message):
            nonlocal start, over
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body" and not over:
                body.extend(message.get("body", b""))
                if len(body) > len(icon):
                    over = True
                    body.clear()

        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"range"]
        await self.app({**scope, "headers": headers}, receive, keep)
        if start is None or start["status"] != 200 or over or bytes(body) != icon:
            return await _refuse(send, 403, "Sign in to netmap first.")
        await send(start)
        await send({"type": "http.response.body", "body": bytes(body)})

    # ------------------------------------------------------------------ uploads
    async def _upload(self, scope, receive, send, session: str, file_id: str) -> None:
        conf = self._settings()
        if conf is None or conf.sign_in:
            who = await self._viewer(scope, conf)
            if who is None or not who.may_change:
                return await _refuse(send, 403, "Uploads need a signed-in admin.")
        budget, mb = self.upload_budget, self.upload_budget / (1024 * 1024)
        message = (f"This session's uploads would pass its budget of {mb:g} MB (NETMAP_UPLOAD_BUDGET_MB): "
                   "remove files from the uploader, or reload the page (a new session starts empty).")
        declared = _content_length(scope)
        if _held(session, file_id) + self._in_flight.get(session, 0) + declared > budget:
            return await _refuse(send, 413, message)
        reserved = declared
        self._in_flight[session] += reserved
        received = 0

        async def metered():
            nonlocal reserved, received
            msg = await receive()
            if msg["type"] == "http.request":
                received += len(msg.get("body", b""))
                if received > reserved:  # more than the header said (or no header): reserve as it comes
                    more = received - reserved
                    if _held(session, file_id) + self._in_flight.get(session, 0) + more > budget:
                        raise HTTPException(413, message)  # inside Streamlit's handler: its 413 response
                    self._in_flight[session] += more
                    reserved = received
            return msg

        try:
            await self.app(scope, metered, send)
        finally:
            self._in_flight[session] -= reserved
            if self._in_flight[session] <= 0:
                del self._in_flight[session]


def _route_path(scope) -> str | None:
    """The request's path below the server's base path (``/media/x``), None when outside it."""
    path, root = scope["path"], scope.get("root_path", "")
    if root and path.startswith(root + "/"):
        path = path[len(root):]
    base = "/" + (st.get_option("server.baseUrlPath") or "").strip("/")
    if base == "/":
        return path
    return path[len(base):] if path.startswith(base + "/") else None


def _strip_auth_cookies(scope):
    headers = []
    for name, value in scope["headers"]:
        if name.lower() == b"cookie":
            kept = [c for c in value.split(b";")
                    if c.strip() and not is_auth_cookie(c.split(b"=", 1)[0].strip().decode("latin-1"))]
            if not kept:
                continue
            value = b";".join(kept).strip()
        headers.append((name, value))
    return {**scope, "headers": headers}


def _content_length(scope) -> int:
    for name, value in scope["headers"]:
        if name.lower() == b"content-length":
            try:
                return max(0, int(value))
            except ValueError:
                return 0
    return 0


def _held(session: str, but: str) -> int:
    """Bytes of uploaded files the session holds on the server (Streamlit's memory store), but file ``but``."""
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return 0
    files = getattr(Runtime.instance().uploaded_file_mgr, "file_storage", {}).get(session) or {}
    return sum(len(rec.data) for fid, rec in list(files.items()) if fid != but)


def _end_sessions(key: str, secret: str | None) -> None:
    """Sign user ``key`` out of every session open on this server: each shows the sign-in screen."""
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return
    runtime = Runtime.instance()
    sessions = getattr(runtime, "_session_mgr", None)  # private: may go away; pages then refuse at their next run
    if sessions is None:
        return
    for info in list(sessions.list_active_sessions()):
        context = getattr(info.client, "client_context", None)
        found = read_sign_in(context.cookies if context is not None else {}, secret)
        if found is not None and found.key == key:
            runtime.clear_user_info_for_session(info.session.id)
            info.session.request_rerun(None)


async def _refuse(send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff")]})
    await send({"type": "http.response.body", "body": body})


app = st.App("app.py", lifespan=lifespan,
             routes=[Route(ASSETS_AT + "/{name}", graph_asset, methods=["GET"])])
# what uvicorn serves (``serve:app``): the app behind the guard, outermost, so it sees every
# request before Streamlit's own middleware and routes do
app = ServerGuard(app)
