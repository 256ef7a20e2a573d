"""Sign-in (issue 5, point 6), in a real browser against a real server and an OIDC provider.

`streamlit run serve.py` with an ``[auth]`` section in its own secrets file (``--secrets.files``:
no other test's server reads it) signs users in with ``st.login`` through a fake OpenID
Connect provider on loopback (:class:`FakeProvider`: discovery, authorize, token with an
RS256 id_token, JWKS, end-session). The journeys, each checked on what the user sees:

1. not signed in, every page's address shows the sign-in screen and nothing of the data;
2. an admin (listed under ``[netmap] admins``) sees the uploader and Undo, undoes an import
   and erases a person from the page, and the audit log names them (and no one erased);
3. anyone else signed in reads only: the lock notice names the admins, no Erase, no audit row;
4. logging out (through the provider's end-session endpoint) returns to the sign-in screen, and
   the sign-in cookie copied before it signs nobody in afterwards: neither a tab left open
   elsewhere with it nor a new one (issue 16, point 3; ``tests/test_redteam_server.py`` has the rest).
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
import urllib.parse
from base64 import b64decode
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from playwright.sync_api import expect

from netmap import Store, UnknownPerson, import_files

from ..conftest import new_database_url
from .conftest import App, _free_port, click_until, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CLIENT_ID = "netmap-e2e"
CLIENT_SECRET = "e2e-client-secret"
ADMIN = "admin@team.test"
READER = "reader@team.test"
WAIT = 60_000  # ms: a sign-in is several redirects and a server-side token exchange; CI machines are small

#: the company: canaries that must never show before sign-in
CANARY = ("Quenby", "Canarywhistle", "qc@canary-works.example", "Canary Works")
ERASED = ("Erasmo", "Vanishwell", "ev@vanish.example")
LATE = ("Undine", "Latecomer", "ul@late.example")
PEOPLE = (
    "Record ID,First Name,Last Name,Email,Contact owner,Lifecycle Stage,Associated Company\n"
    f"7001,{CANARY[0]},{CANARY[1]},{CANARY[2]},Ann Owner,customer,{CANARY[3]}\n"
    f"7002,{ERASED[0]},{ERASED[1]},{ERASED[2]},Ann Owner,customer,Vanish Ltd\n"
    "7003,Bartholomew,Anchor,ba@anchor.example,Ben Owner,lead,Anchor Ltd\n"
)
TIES = (
    "Person A,Person B,Relationship,Strength\n"
    f"{CANARY[2]},{ERASED[2]},colleague,4\n"
    f"{CANARY[2]},ba@anchor.example,knows,2\n"
)
LATE_PEOPLE = (  # a second import, on its own: the admin undoes it
    "Record ID,First Name,Last Name,Email,Company\n"
    f"7004,{LATE[0]},{LATE[1]},{LATE[2]},Late plc\n"
)


class FakeProvider:
    """A minimal OpenID Connect provider on 127.0.0.1 (the browser may not leave the machine).

    ``email`` is who the next sign-in is: /authorize ties it to a one-time code, /token
    returns an id_token for it signed with this provider's RSA key (published at /jwks).
    ``seen`` lists the requests it answered, ``(path, detail)``."""

    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "e2e-key"})
        self.email: str | None = None
        self.codes: dict[str, tuple[str | None, str | None]] = {}  # code -> (nonce, email)
        self.seen: list[tuple[str, str]] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _send(self, status: int, body: dict | None = None, location: str | None = None):
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                if body is not None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/.well-known/openid-configuration":
                    return self._send(200, provider.metadata())
                if url.path == "/jwks":
                    return self._send(200, {"keys": [provider.key.as_dict(private=False)]})
                if url.path == "/authorize":
                    if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
                        return self._send(400, {"error": "invalid_request"})
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = (query.get("nonce"), provider.email)
                    provider.seen.append(("authorize", str(provider.email)))
                    back = urllib.parse.urlencode({"code": code, "state": query["state"]})
                    return self._send(302, location=f"{query['redirect_uri']}?{back}")
                if url.path == "/logout":
                    provider.seen.append(("logout", query.get("post_logout_redirect_uri", "")))
                    return self._send(302, location=query["post_logout_redirect_uri"])
                return self._send(404, {"error": "not_found"})

            def do_POST(self):
                if urllib.parse.urlsplit(self.path).path != "/token":
                    return self._send(404, {"error": "not_found"})
                form = dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()))
                basic = self.headers.get("Authorization", "")
                client = (b64decode(basic[6:]).decode() if basic.startswith("Basic ") else
                          f"{form.get('client_id')}:{form.get('client_secret')}")
                if urllib.parse.unquote(client) != f"{CLIENT_ID}:{CLIENT_SECRET}":
                    return self._send(401, {"error": "invalid_client"})
                if form.get("grant_type") != "authorization_code" or form.get("code") not in provider.codes:
                    return self._send(400, {"error": "invalid_grant"})
                nonce, email = provider.codes.pop(form["code"])  # a code is good once
                provider.seen.append(("token", str(email)))
                now = int(time.time())
                claims = {"iss": provider.issuer, "sub": f"sub-{email}", "aud": CLIENT_ID, "iat": now,
                          "exp": now + 600, "nonce": nonce, "email": email, "email_verified": True,
                          "name": "E2E Tester"}
                token = jwt.encode({"alg": "RS256", "kid": "e2e-key"}, claims, provider.key)
                return self._send(200, {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                                        "expires_in": 600, "id_token": token})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def metadata(self) -> dict:
        i = self.issuer
        return {"issuer": i, "authorization_endpoint": f"{i}/authorize", "token_endpoint": f"{i}/token",
                "jwks_uri": f"{i}/jwks", "end_session_endpoint": f"{i}/logout",
                "response_types_supported": ["code"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]}

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def idp():
    provider = FakeProvider()
    yield provider
    provider.stop()


@pytest.fixture(scope="module")
def signin_app(idp, tmp_path_factory):
    """The app with sign-in on (``[auth]`` through ``idp``; admin: ``ADMIN``, written in
    another case on purpose) on a small company imported in two imports."""
    where = tmp_path_factory.mktemp("signin")
    url = new_database_url(where, "signin")
    store = Store(url)
    import_files(store, [("contacts.csv", PEOPLE.encode()), ("relationships.csv", TIES.encode())])
    import_files(store, [("late.csv", LATE_PEOPLE.encode())])
    store.close()
    port = _free_port()
    secrets_file = where / "secrets.toml"  # only this server reads it (never .streamlit/ of the repo or ~)
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{idp.issuer}/.well-known/openid-configuration"\n'
        "\n[netmap]\n"
        f'admins = ["{ADMIN.title()}"]\n',
        encoding="utf-8",
    )
    no_proxy = ",".join(x for x in (os.environ.get("NO_PROXY"), "127.0.0.1", "localhost") if x)
    app = App(url, port=port, args=["--secrets.files", str(secrets_file)], env={
        "NETMAP_ADMINS": "",  # the admins are the secrets' alone, whatever the environment says
        "AUTHLIB_INSECURE_TRANSPORT": "1",  # the fake provider speaks plain http (on loopback)
        "NO_PROXY": no_proxy, "no_proxy": no_proxy,  # the server reaches the provider directly
    })
    yield app
    app.stop()


def _person(app: App, who: str) -> int:
    store = Store(app.url_db)
    try:
        return store.find_person(who)
    finally:
        store.close()


def _imports(app: App) -> dict[str, int]:
    """File name -> import id, of the imports in place."""
    store = Store(app.url_db)
    try:
        return {e["file_name"]: e["id"] for e in store.imports() if not e.get("undone_at")}
    finally:
        store.close()


def _audit(app: App) -> list[dict]:
    store = Store(app.url_db)
    try:
        return store.audit()
    finally:
        store.close()


USER_COOKIE = "_streamlit_user"  # Streamlit's signed identity cookie (st.user across sessions)


def _cookies(page) -> set[str]:
    return {c["name"] for c in page.context.cookies()}


def _sign_in_screen(page, names: tuple[str, ...]) -> None:
    """The page shows the sign-in screen and nothing else: no menu, no data, none of ``names``."""
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=WAIT)
    wait_for_app(page, timeout=WAIT)
    expect(page.get_by_text("Sign in with your company account")).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_have_count(0, timeout=WAIT)  # no page menu, no account
    expect(page.locator("[data-testid=stDataFrame], [data-testid=stMetric], iframe")).to_have_count(0, timeout=WAIT)
    shown, html = page.locator("body").inner_text(), page.content()
    for name in names:
        assert name not in shown and name not in html, f"{name!r} shows before sign-in at {page.url}"


def _sign_in(page, app: App, idp: FakeProvider, email: str):
    """Sign in through the provider as ``email``; the sidebar's account line."""
    page.set_default_timeout(WAIT)
    idp.email = email
    page.goto(app.base)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=WAIT)
    wait_for_app(page, timeout=WAIT)
    page.get_by_role("button", name="Sign in").click()
    account = page.get_by_test_id("stSidebar").get_by_text("Signed in as")
    expect(account).to_be_visible(timeout=WAIT)
    wait_for_app(page, timeout=WAIT)
    assert ("token", email) in idp.seen  # really through the provider's code exchange
    return account


def test_not_signed_in_every_address_shows_only_the_sign_in_screen(signin_app, page):
    page.set_default_timeout(WAIT)
    pid = _person(signin_app, CANARY[2])
    names = (*CANARY, *ERASED[:2], *LATE[:2], "Bartholomew")
    for path in ("/", "/network", f"/person?id={pid}", "/import_data", "/bridges", "/nurture", "/paths"):
        page.goto(signin_app.base + path)
        _sign_in_screen(page, names)


def test_admin_imports_undoes_and_erases_and_the_audit_log_names_them(signin_app, idp, page):
    account = _sign_in(page, signin_app, idp, ADMIN)
    expect(account).to_have_text(f"Signed in as {ADMIN} · admin")
    base, before = signin_app.base, len(_audit(signin_app))

    # Import: the uploader, an Undo per import, the audit log; no lock notice
    page.goto(f"{base}/import_data")
    wait_for_app(page, timeout=WAIT)
    expect(page.get_by_text("Import log")).to_be_visible()
    expect(page.get_by_test_id("stFileUploader")).to_be_visible()
    imports = _imports(signin_app)
    expect(page.get_by_role("button", name="Undo")).to_have_count(len(imports))  # one per import (file)
    expect(page.get_by_text("Audit log: who changed the data")).to_be_visible()
    expect(page.get_by_text("is not available to you")).to_have_count(0)
    late = imports["late.csv"]
    page.locator(f".st-key-undo_{late}").get_by_role("button", name="Undo").click()
    expect(page.get_by_text(f"Undo import #{late} (late.csv)? It removes")).to_be_visible(timeout=WAIT)  # asks first
    page.locator(f".st-key-undo_yes_{late}").get_by_role("button").click()
    expect(page.get_by_text(f"Import #{late} (late.csv) undone")).to_be_visible(timeout=WAIT)
    wait_for_app(page, timeout=WAIT)

    # Person: the erasure, end to end
    pid = _person(signin_app, ERASED[2])
    page.goto(f"{base}/person?id={pid}")
    wait_for_app(page, timeout=WAIT)
    expect(page.get_by_role("heading", name=f"{ERASED[0]} {ERASED[1]}")).to_be_visible()
    page.get_by_text("Erase this person").click()
    erase = page.get_by_role("button", name="Erase", exact=True)
    expect(erase).to_be_disabled()  # until the confirmation is ticked
    page.locator("[data-testid=stCheckbox] label").filter(has_text="Yes, erase").click()
    expect(erase).to_be_enabled()
    wait_for_app(page, timeout=WAIT)  # the tick's rerun over: a click during it can be lost on a busy machine
    click_until(page, erase, page.get_by_text(f"{ERASED[0]} {ERASED[1]} was erased"))
    wait_for_app(page, timeout=WAIT)
    with pytest.raises(UnknownPerson):
        _person(signin_app, ERASED[2])

    # the audit log: one row per change, by the admin's email, naming rows by number only
    log = _audit(signin_app)  # newest first
    new = log[: len(log) - before]
    assert [(e["actor"], e["action"], e["target"]) for e in new] == [
        (ADMIN, "erase", f"person #{pid}"), (ADMIN, "undo", f"import #{late}"),
    ]
    text = json.dumps(new, default=str)
    for name in (*ERASED, *LATE):
        assert name not in text

    # and the app shows it to the admin
    page.goto(f"{base}/import_data")
    wait_for_app(page, timeout=WAIT)
    page.get_by_text("Audit log: who changed the data").click()
    expect(page.get_by_test_id("stDataFrame").filter(has=page.locator("canvas")).last).to_be_visible()


def test_a_signed_in_non_admin_reads_only(signin_app, idp, page):
    account = _sign_in(page, signin_app, idp, READER)
    expect(account).to_have_text(f"Signed in as {READER} · read-only")
    base, before = signin_app.base, _audit(signin_app)

    # Import: the lock notice naming the admins, instead of the uploader; no Undo, no audit log
    page.goto(f"{base}/import_data")
    wait_for_app(page, timeout=WAIT)
    expect(page.get_by_text("Import log")).to_be_visible()
    lock = page.get_by_test_id("stAlert").filter(has_text="Importing is not available to you")
    expect(lock).to_be_visible()
    expect(lock).to_contain_text(f"signed in as {READER} with read-only access")
    expect(lock).to_contain_text(f"reserved to the admin: {ADMIN}")
    expect(page.get_by_test_id("stFileUploader")).to_have_count(0)
    expect(page.get_by_role("button", name="Undo")).to_have_count(0)
    expect(page.get_by_text("Audit log: who changed the data")).to_have_count(0)

    # Person: the profile reads; the erasure is explained, not offered
    pid = _person(signin_app, CANARY[2])
    page.goto(f"{base}/person?id={pid}")
    wait_for_app(page, timeout=WAIT)
    expect(page.get_by_role("heading", name=f"{CANARY[0]} {CANARY[1]}")).to_be_visible()
    page.get_by_text("Erase this person").click()
    expect(page.get_by_text("Erasing is not available to you")).to_be_visible()
    expect(page.get_by_role("button", name="Erase", exact=True)).to_have_count(0)
    expect(page.locator("[data-testid=stCheckbox]").filter(has_text="Yes, erase")).to_have_count(0)

    assert _audit(signin_app) == before  # nothing changed, nothing logged
    assert _person(signin_app, CANARY[2]) == pid


def _signed_out_in_place(page, names: tuple[str, ...]) -> None:
    """A tab that was signed in now shows the sign-in screen, without a reload: no account, no page
    menu, no data, none of ``names`` (only the sidebar's empty frame may be left)."""
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=WAIT)
    wait_for_app(page, timeout=WAIT)
    expect(page.get_by_text("Sign in with your company account")).to_be_visible()
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Signed in as")).to_have_count(0, timeout=WAIT)
    expect(sidebar.get_by_role("button", name="Log out")).to_have_count(0)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    assert sidebar.count() == 0 or sidebar.inner_text().strip() == ""
    expect(page.locator("[data-testid=stDataFrame], [data-testid=stMetric], iframe")).to_have_count(0, timeout=WAIT)
    shown, html = page.locator("body").inner_text(), page.content()
    for name in names:
        assert name not in shown and name not in html, f"{name!r} still shows after the logout at {page.url}"


def _tab_with(page, cookies: list[dict], url: str):
    """A page in a browser of its own (another machine, say) holding ``cookies``, at ``url``."""
    context = page.context.browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_cookies(cookies)
    tab = context.new_page()
    tab.set_default_timeout(WAIT)
    tab.goto(url)
    return tab


def test_log_out_returns_to_the_sign_in_screen(signin_app, idp, page):
    _sign_in(page, signin_app, idp, READER)
    pid = _person(signin_app, CANARY[2])
    profile = f"{signin_app.base}/person?id={pid}"
    page.goto(profile)
    wait_for_app(page, timeout=WAIT)
    expect(page.get_by_role("heading", name=f"{CANARY[0]} {CANARY[1]}")).to_be_visible()
    assert USER_COOKIE in _cookies(page)
    # the sign-in cookie, copied before logging out, and a tab elsewhere signed in with it
    copied = [c for c in page.context.cookies() if c["name"].startswith(USER_COOKIE)]
    elsewhere = _tab_with(page, copied, profile)
    wait_for_app(elsewhere, timeout=WAIT)
    expect(elsewhere.get_by_role("heading", name=f"{CANARY[0]} {CANARY[1]}")).to_be_visible()
    page.get_by_test_id("stSidebar").get_by_role("button", name="Log out").click()
    # Streamlit forgets the user in this session and sends the browser through /auth/logout (which
    # deletes the sign-in cookie), the provider's end-session endpoint, and back to the home page
    deadline = time.monotonic() + 30  # the redirects take well under a second
    while USER_COOKIE in _cookies(page) and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    assert USER_COOKIE not in _cookies(page), "Log out left the sign-in cookie: a reload signs the user back in"
    page.wait_for_url(f"{signin_app.base}/", timeout=WAIT)
    _sign_in_screen(page, CANARY)
    assert ("logout", f"{signin_app.base}/oauth2callback") in idp.seen  # the provider's session ended too
    # a reload, or a deep link, shows the sign-in screen again
    page.reload()
    _sign_in_screen(page, CANARY)
    page.goto(profile)
    _sign_in_screen(page, CANARY)
    # the copied cookie signs nobody in any more: the tab left open shows the sign-in screen without
    # a reload (Streamlit may leave the sidebar's empty frame there), and a new one opened with it too
    # (the logout is recorded on the server)
    _signed_out_in_place(elsewhere, CANARY)
    elsewhere.context.close()
    again = _tab_with(page, copied, profile)
    _sign_in_screen(again, CANARY)
    again.context.close()
