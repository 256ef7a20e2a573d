"""Issue 16, point 3: the real server (`streamlit run serve.py`) guards itself, without a browser.

The red team filled the server's memory from the sign-in screen (Streamlit's upload address
took 5 × 150 MB from a visitor who had not signed in), and a sign-in cookie copied before a
log-out still signed in afterwards, for 30 days. Here a real server with sign-in on (the fake
OpenID Connect provider of ``tests/e2e/test_sign_in.py``; users sign in through its real code
exchange) is attacked the same way, over HTTP and Streamlit's own WebSocket protocol
(:class:`Visit`: what a browser tab does, minus the drawing):

1. a visitor not signed in: every upload refused before its body is read, nothing held; every
   data address refused; the sign-in screen and its checks still answer;
2. a signed-in admin: uploads accepted up to the session's budget, then refused (413), with or
   without a Content-Length; a signed-in reader may not upload at all;
3. log out: the cookie copied before it signs nobody in (new tab, upload, data address), and
   the tab left open is signed out too; signing in again works;
4. the sign-in lifetime: the cookie expires with it, and an older cookie is refused.

The last test prints the figures (``unsigned uploads: 0 of N accepted; ...``).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
import urllib.parse

import httpx
import pytest

from netmap import Store, import_files
from netmap.access import USER_COOKIE, user_key
from netmap.storage.logins import LOGOUT_PREFIX

from .conftest import ROOT, dump_tables, new_database_url
from .e2e.conftest import App, _free_port
from .e2e.test_sign_in import CLIENT_ID, CLIENT_SECRET, PEOPLE, TIES, FakeProvider

pytestmark = pytest.mark.slow

ADMIN = "admin@team.test"
READER = "reader@team.test"
BUDGET_MB = 3  # the server's NETMAP_UPLOAD_BUDGET_MB here (the default is 400): small files, same rule
HOURS = 12  # the default sign-in lifetime (NETMAP_SESSION_HOURS unset)
SIGN_IN_TEXT = b"Sign in with your company account"
ATTACK = (5, 20)  # uploads × MB each, from a visitor not signed in (the red team: 5 × 150 MB)
FIGURES: dict[str, str] = {}


# ------------------------------------------------------------------ the server --
@pytest.fixture(scope="module")
def idp():
    provider = FakeProvider()
    yield provider
    provider.stop()


@pytest.fixture(scope="module")
def server(idp, tmp_path_factory):
    """`streamlit run serve.py` with sign-in on through ``idp`` (admin: ``ADMIN``) and an upload
    budget of ``BUDGET_MB``, on a small company."""
    where = tmp_path_factory.mktemp("redteam")
    url = new_database_url(where, "redteam")
    store = Store(url)
    import_files(store, [("contacts.csv", PEOPLE.encode()), ("relationships.csv", TIES.encode())])
    store.close()
    port = _free_port()
    secret = secrets.token_hex(32)
    secrets_file = where / "secrets.toml"  # only this server reads it
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secret}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{idp.issuer}/.well-known/openid-configuration"\n'
        f'\n[netmap]\nadmins = ["{ADMIN}"]\n',
        encoding="utf-8",
    )
    no_proxy = ",".join(x for x in (os.environ.get("NO_PROXY"), "127.0.0.1", "localhost") if x)
    env = {"NETMAP_ADMINS": "", "AUTHLIB_INSECURE_TRANSPORT": "1", "NO_PROXY": no_proxy, "no_proxy": no_proxy,
           "NETMAP_UPLOAD_BUDGET_MB": str(BUDGET_MB), "NETMAP_SESSION_HOURS": ""}
    app = App(url, port=port, args=["--secrets.files", str(secrets_file)], env=env)
    app.secret = secret
    app.idp = idp
    yield app
    app.stop()


# ------------------------------------------------------------------ a client --
def sign_in(server, email: str) -> tuple[dict[str, str], httpx.Response]:
    """Sign in as ``email`` the way a browser does (``st.login``'s address, the provider's
    authorize and code exchange, the callback); the cookies it ends with and the callback's answer."""
    from joserfc import jwt
    from joserfc.jwk import OctKey

    server.idp.email = email
    # what st.login() sends the browser to: /auth/login with a provider token signed with the cookie secret
    token = jwt.encode({"alg": "HS256"}, {"provider": "default", "exp": int(time.time()) + 120},
                       OctKey.import_key(server.secret))
    with httpx.Client(trust_env=False, timeout=30) as client:
        answer = client.get(f"{server.base}/auth/login", params={"provider": token})
        callback = None
        for _ in range(6):
            if answer.status_code != 302:
                break
            where = urllib.parse.urljoin(str(answer.url), answer.headers["location"])
            answer = client.get(where)
            if urllib.parse.urlsplit(where).path == "/oauth2callback":
                callback = answer
        cookies = {c.name: c.value for c in client.cookies.jar}
    assert callback is not None and USER_COOKIE in cookies, f"the sign-in did not complete: {answer}"
    assert ("token", email) in server.idp.seen
    return {k: v for k, v in cookies.items() if k.startswith("_streamlit_user")}, callback


def cookie_at(server, email: str, issued_at: float) -> dict[str, str]:
    """A sign-in cookie as Streamlit signs it, as if issued at ``issued_at`` (what a browser that
    signed in then would hold)."""
    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    class Then(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(issued_at)

    parts = urllib.parse.urlsplit(server.base)
    user = {"email": email, "sub": f"sub-{email}", "origin": f"{parts.scheme}://{parts.netloc}", "is_logged_in": True,
            "provider": "default"}
    signer = URLSafeTimedSerializer(server.secret, salt=USER_COOKIE, signer=Then)
    return {USER_COOKIE: signer.dumps(json.dumps(user))}


class Visit:
    """One browser tab's Streamlit session, over Streamlit's WebSocket protocol: connects with
    ``cookies`` (and an XSRF token, as the page does), runs the app once; ``session_id`` and
    ``text`` (every message of the run, raw: the page's words are in it)."""

    def __init__(self, server, cookies: dict[str, str] | None = None):
        from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string
        from websockets.sync.client import connect

        self.server = server
        parts = urllib.parse.urlsplit(server.base)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.xsrf = generate_xsrf_token_string()
        self.cookies = {**(cookies or {}), "_streamlit_xsrf": self.xsrf}
        ws_url = server.base.replace("http://", "ws://") + "/_stcore/stream"
        self.ws = connect(ws_url, subprotocols=["streamlit", self.xsrf], open_timeout=30,
                          additional_headers={"Origin": self.origin, "Cookie": self.header()},
                          max_size=None).__enter__()
        self.session_id = ""
        self.text = self.run()

    def header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def run(self, *, send: bool = True, timeout: float = 60) -> bytes:
        """Ask for a run of the home page (or, ``send=False``, wait for one the server starts) and
        return its messages until it finishes."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if send:
            msg = BackMsg()
            msg.rerun_script.query_string = ""
            msg.rerun_script.page_script_hash = ""
            self.ws.send(msg.SerializeToString())
        seen = b""
        deadline = time.monotonic() + timeout
        while True:
            raw = self.ws.recv(timeout=max(0.1, deadline - time.monotonic()))
            fwd = ForwardMsg.FromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "new_session" and fwd.new_session.initialize.session_id:
                self.session_id = fwd.new_session.initialize.session_id
            seen += raw
            if kind == "script_finished":
                return seen

    def signed_in(self, text: bytes | None = None) -> bool:
        text = self.text if text is None else text
        if b"Signed in as" in text and SIGN_IN_TEXT not in text:
            return True
        assert SIGN_IN_TEXT in text, "the run showed neither the sign-in screen nor a signed-in page"
        return False

    def upload(self, size: int, *, name: str = "contacts.csv", chunked: bool = False) -> int | None:
        """PUT a file of ``size`` bytes to this session's upload address as the page does; the
        status, or None when the server closed the connection before answering."""
        file_id = secrets.token_hex(8)
        body = b"Email\n" + b"x" * max(0, size - 6)
        url = f"{self.server.base}/_stcore/upload_file/{self.session_id}/{file_id}"
        boundary = "netmapredteam"
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                "Content-Type: text/csv\r\n\r\n").encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        headers = {"X-Xsrftoken": self.xsrf, "Cookie": self.header(), "Origin": self.origin,
                   "Content-Type": f"multipart/form-data; boundary={boundary}"}

        def pieces():
            yield head
            for i in range(0, len(body), 256 * 1024):
                yield body[i:i + 256 * 1024]
            yield tail

        content = pieces() if chunked else head + body + tail  # a generator: no Content-Length
        try:
            with httpx.Client(trust_env=False, timeout=60) as client:
                answer = client.put(url, content=content, headers=headers)
        except httpx.TransportError:  # refused before the body was read: the server closed the connection
            return None
        self.last_file = file_id
        return answer.status_code

    def delete(self, file_id: str) -> int:
        url = f"{self.server.base}/_stcore/upload_file/{self.session_id}/{file_id}"
        with httpx.Client(trust_env=False, timeout=30) as client:
            return client.delete(url, headers={"X-Xsrftoken": self.xsrf, "Cookie": self.header()}).status_code

    def close(self) -> None:
        self.ws.__exit__(None, None, None)


def get(server, path: str, cookies: dict[str, str] | None = None) -> httpx.Response:
    with httpx.Client(trust_env=False, timeout=30) as client:
        return client.get(server.base + path, headers={"Cookie": "; ".join(f"{k}={v}" for k, v in
                                                                         (cookies or {}).items())})


#: Streamlit's metrics keep their memory figures this long (s): wait it out before reading them again
METRICS_TTL = 5.5


def held_upload_bytes(server, admin: dict[str, str]) -> int:
    """The bytes of uploaded files the server holds (Streamlit's metrics; an admin may read them)."""
    answer = get(server, "/_stcore/metrics", admin)
    assert answer.status_code == 200, answer.status_code
    found = re.findall(r'cache_memory_bytes\{[^}]*cache_type="UploadedFileManager"[^}]*\}\s+(\d+)', answer.text)
    return sum(int(n) for n in found)


@pytest.fixture(scope="module")
def admin(server):
    cookies, _ = sign_in(server, ADMIN)
    return cookies


# ------------------------------------------------------------------ 1. not signed in --
def test_a_visitor_not_signed_in_can_upload_nothing(server, admin):
    visit = Visit(server)
    assert visit.session_id and not visit.signed_in()  # the sign-in screen's own session
    before = held_upload_bytes(server, admin)
    count, mb = ATTACK
    statuses = [visit.upload(mb * 1024 * 1024) for _ in range(count)]
    statuses += [visit.upload(64 * 1024), visit.upload(3 * 1024 * 1024, chunked=True)]  # small; no Content-Length
    accepted = sum(s == 204 for s in statuses)
    time.sleep(METRICS_TTL)
    held = held_upload_bytes(server, admin) - before
    assert accepted == 0 and held == 0, statuses
    assert statuses[count] == 403  # a small one is answered, not just cut off
    FIGURES["unsigned"] = (f"unsigned uploads: {accepted} of {len(statuses)} accepted ({count} × {mb} MB and 2 more), "
                           f"{held} bytes held")
    visit.close()


def test_a_visitor_not_signed_in_gets_no_data_address(server):
    for path in ("/_stcore/metrics", "/media/0123456789abcdef.csv", "/component/x/index.html",
                 "/_stcore/bidi-components/x/y.js", "/_stcore/agent/openapi.json", "/_stcore/new-in-a-later-streamlit"):
        assert get(server, path).status_code == 403, path
    for path in ("/_stcore/health", "/_stcore/host-config", "/", "/person?id=1"):  # the sign-in screen needs these
        assert get(server, path).status_code == 200, path
    assert get(server, "/netmap-assets/nothing-here.js").status_code == 404  # serve.py's own: answered, not refused


def test_the_sign_in_screen_keeps_its_page_icon(server):
    """The one media file a visitor not signed in may fetch: the page icon, as the sign-in screen links it."""
    visit = Visit(server)
    icons = sorted(set(re.findall(rb"/media/[0-9a-f]+\.png", visit.text)))
    visit.close()
    assert icons, "the sign-in screen set no page icon"
    answer = get(server, icons[0].decode())
    assert answer.status_code == 200 and answer.content == (ROOT / "netmap" / "ui" / "icon.png").read_bytes()


# ------------------------------------------------------------------ 2. the budget --
def test_an_admin_uploads_within_the_session_budget(server, admin):
    visit = Visit(server, admin)
    assert visit.signed_in()
    one = 1024 * 1024
    time.sleep(METRICS_TTL)
    before = held_upload_bytes(server, admin)
    first, second = visit.upload(one), visit.upload(one)
    kept = visit.last_file
    time.sleep(METRICS_TTL)
    assert held_upload_bytes(server, admin) - before >= 2 * one  # (what the figure above reads: it counts)
    third = visit.upload(int(1.5 * one))  # 3.5 MB in all: past the 3 MB budget
    chunked = visit.upload(int(1.5 * one), chunked=True)  # no Content-Length: counted as it arrives
    assert (first, second) == (204, 204) and third in (413, None) and chunked in (413, None)
    assert visit.delete(kept) == 204  # a file removed from the uploader frees its share
    assert visit.upload(int(1.5 * one)) == 204
    assert visit.upload(one // 2) == 413  # a small one past the budget is answered 413
    FIGURES["budget"] = f"upload budget: {BUDGET_MB} MB per session (an admin's 3rd MB-sized file refused)"
    visit.close()


def test_a_signed_in_reader_may_not_upload(server):
    cookies, _ = sign_in(server, READER)
    visit = Visit(server, cookies)
    assert visit.signed_in()  # reads everything
    assert visit.upload(64 * 1024) == 403
    assert get(server, "/_stcore/metrics", cookies).status_code == 200  # a data address: any signed-in user
    visit.close()


# ------------------------------------------------------------------ 3. log out --
def test_log_out_refuses_the_cookie_copied_before_it(server):
    copied, _ = sign_in(server, READER)
    other_tab = Visit(server, copied)
    assert other_tab.signed_in()
    time.sleep(1.1)  # the logout is recorded in whole seconds, after the sign-in's second

    answer = get(server, "/auth/logout", copied)  # where the Log out button sends the browser
    assert answer.status_code == 302 and "/logout" in answer.headers["location"]  # on to the provider's end-session

    # the copied cookie: a new tab shows the sign-in screen; uploads and data addresses refuse it
    again = Visit(server, copied)
    refused = not again.signed_in()
    assert refused
    again.close()
    assert get(server, "/_stcore/metrics", copied).status_code == 403
    # the tab left open is signed out too: the server ran it again, on the sign-in screen
    assert not other_tab.signed_in(other_tab.run(send=False, timeout=30))
    other_tab.close()
    # recorded in the database (a hash of the user, never the email), so every server sharing it refuses too
    deadline = time.monotonic() + 30
    while True:
        rows = {k: v for k, v in dump_tables(server.url_db)["meta"] if k.startswith(LOGOUT_PREFIX)}
        if LOGOUT_PREFIX + user_key({"email": READER}) in rows or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert LOGOUT_PREFIX + user_key({"email": READER}) in rows
    assert READER not in json.dumps(rows)
    # signing in again works: a new cookie, issued after the logout
    time.sleep(1.1)
    fresh, _ = sign_in(server, READER)
    assert Visit(server, fresh).signed_in()
    FIGURES["logout"] = f"copied cookie after logout: {'refused' if refused else 'ACCEPTED'} (open tab signed out too)"


# ------------------------------------------------------------------ 4. the lifetime --
def test_a_sign_in_lasts_the_configured_lifetime(server):
    _, callback = sign_in(server, READER)
    ages = {int(m) for h in callback.headers.get_list("set-cookie") if h.startswith(USER_COOKIE)
            for m in re.findall(r"(?i)max-age=(\d+)", h)}
    assert ages == {HOURS * 3600}, ages  # the browser forgets it then (Streamlit's own: 30 days)
    now = time.time()
    old = Visit(server, cookie_at(server, READER, now - HOURS * 3600 - 60))
    assert not old.signed_in()  # a cookie kept past the lifetime signs nobody in
    old.close()
    young = Visit(server, cookie_at(server, "young@team.test", now - HOURS * 3600 + 600))
    assert young.signed_in()  # (not READER: they logged out above, after this cookie's time)
    young.close()
    assert get(server, "/_stcore/metrics", cookie_at(server, ADMIN, now - HOURS * 3600 - 60)).status_code == 403
    forged = {USER_COOKIE: cookie_at(server, ADMIN, now)[USER_COOKIE][:-4] + "AAAA"}
    assert get(server, "/_stcore/metrics", forged).status_code == 403
    FIGURES["lifetime"] = f"sign-in lifetime: {HOURS} h (cookie Max-Age {HOURS * 3600} s; older cookies refused)"


def test_behind_a_base_path_too_and_a_tab_open_past_the_lifetime(server, tmp_path):
    """A server under ``server.baseUrlPath`` (a reverse proxy's prefix) guards the same addresses
    there; with a lifetime of seconds, a tab signed in before it ends shows the sign-in screen at
    its next run after it."""
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text(f'[auth]\nredirect_uri = "http://127.0.0.1:1/team/oauth2callback"\n'
                            f'cookie_secret = "{server.secret}"\nclient_id = "x"\nclient_secret = "y"\n'
                            f'server_metadata_url = "{server.idp.issuer}/.well-known/openid-configuration"\n')
    lifetime = 8  # seconds
    app = App(server.url_db, args=["--secrets.files", str(secrets_file)], base_path="team",
              env={"NETMAP_ADMINS": "", "NETMAP_SESSION_HOURS": str(lifetime / 3600)})
    app.secret, app.url_db = server.secret, None  # (the database is the module's: not dropped here)
    try:
        visit = Visit(app)
        assert not visit.signed_in()
        assert visit.upload(64 * 1024) == 403
        visit.close()
        issued = time.time()
        tab = Visit(app, cookie_at(app, "late@team.test", issued))
        assert tab.signed_in()
        time.sleep(max(0.0, issued + lifetime + 1.5 - time.time()))
        assert not tab.signed_in(tab.run())  # the same tab, its next run: the sign-in screen
        tab.close()
        for path in ("/_stcore/metrics", "/media/0123456789abcdef.csv", "/component/x/index.html"):
            assert get(app, path).status_code == 403, path
        assert get(app, "/_stcore/health").status_code == 200
    finally:
        app.proc.terminate()
        app.proc.wait(30)


def test_figures(capsys):
    """The figures line, from the tests above (run with them)."""
    wanted = ("unsigned", "logout", "budget", "lifetime")
    if not all(k in FIGURES for k in wanted):
        pytest.skip("run with the tests above")
    with capsys.disabled():
        print("\n" + "; ".join(FIGURES[k] for k in wanted))
