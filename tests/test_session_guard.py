"""Issue 16, point 3, the rules under serve.py's guard (no server here; the server itself is
tested in ``tests/test_redteam_server.py``): reading Streamlit's sign-in cookie as Streamlit
signs it, the sign-in lifetime, logouts kept in the database and shared by every process that
uses it, and the settings."""

from __future__ import annotations

import json
import time

import pytest

from netmap import config
from netmap.access import (
    LOGOUT_KEPT_S, USER_COOKIE, Logouts, SignIn, is_auth_cookie, read_sign_in, refusal, user_key,
)
from netmap.storage.logins import LOGOUT_PREFIX

from .conftest import dump_tables

SECRET = "a-long-random-test-secret-for-the-cookie"
USER = {"email": "Ann@Team.test", "sub": "sub-ann", "name": "Ann", "provider": "default",
        "origin": "http://127.0.0.1:8501", "is_logged_in": True}


def streamlit_cookies(user: dict, secret: str = SECRET) -> dict[str, str]:
    """The cookies Streamlit's callback sets for ``user`` (its own code: signing and chunking)."""
    from streamlit.auth_util import set_cookie_with_chunks
    from streamlit.web.server.starlette.starlette_app_utils import create_signed_value

    jar: dict[str, str] = {}
    set_cookie_with_chunks(lambda name, value: jar.__setitem__(name, create_signed_value(secret, name, value).decode()),
                           lambda name, value: create_signed_value(secret, name, value), USER_COOKIE, user,
                           cookie_attr_size=60)
    return jar


def test_reads_the_cookie_streamlit_signs():
    before = int(time.time())
    found = read_sign_in(streamlit_cookies(USER), SECRET)
    assert found == SignIn(user_key(USER), "ann@team.test", found.issued_at)
    assert before <= found.issued_at <= time.time()  # the signature's own time: when the user signed in


def test_reads_a_cookie_streamlit_split_in_chunks():
    import secrets

    big = {**USER, "groups": [secrets.token_hex(8) for _ in range(400)]}  # past a browser's 4 KB per cookie
    jar = streamlit_cookies(big)
    assert len(jar) > 2 and jar[USER_COOKIE]  # _streamlit_user holds chunks-N, the rest _streamlit_user_1...
    assert read_sign_in(jar, SECRET).email == "ann@team.test"
    del jar[f"{USER_COOKIE}_2"]
    assert read_sign_in(jar, SECRET) is None


def test_a_cookie_signed_with_another_secret_or_altered_is_nobody():
    jar = streamlit_cookies(USER)
    assert read_sign_in(jar, "another-secret") is None
    assert read_sign_in(jar, None) is None and read_sign_in({}, SECRET) is None
    value = jar[USER_COOKIE]
    payload, rest = value.split(".", 1)
    import base64

    forged = base64.urlsafe_b64encode(json.dumps(json.dumps({**USER, "email": "boss@team.test"})).encode()).decode()
    assert read_sign_in({USER_COOKIE: forged.rstrip("=") + "." + rest}, SECRET) is None
    assert read_sign_in({USER_COOKIE: value[:-3] + "abc"}, SECRET) is None
    assert read_sign_in(streamlit_cookies({**USER, "is_logged_in": False}), SECRET) is None
    assert read_sign_in({USER_COOKIE: "not a cookie"}, SECRET) is None


def test_users_are_keyed_by_email_else_by_subject():
    assert user_key({"email": " ANN@team.test "}) == user_key(USER)
    assert user_key({"sub": "s1", "provider": "google"}) != user_key({"sub": "s1", "provider": "okta"})
    assert "ann" not in user_key(USER)  # a hash: the database keeps no address


def test_the_auth_cookies_and_their_chunks():
    for name in ("_streamlit_user", "_streamlit_user_1", "_streamlit_user_12", "_streamlit_user_tokens",
                 "_streamlit_user_tokens_3"):
        assert is_auth_cookie(name), name
    for name in ("_streamlit_xsrf", "_streamlit_session", "_streamlit_user_x", "_streamlit_users", "other"):
        assert not is_auth_cookie(name), name


def test_the_lifetime_and_the_logout_refuse_a_sign_in():
    signed = SignIn("k", None, issued_at=1_000_000)
    hours = 12 * 3600
    assert refusal(signed, now=1_000_000 + hours, lifetime_s=hours, logged_out_at=None) is None
    assert refusal(signed, now=1_000_001 + hours, lifetime_s=hours, logged_out_at=None) == "expired"
    assert refusal(signed, now=1_000_100, lifetime_s=hours, logged_out_at=1_000_050) == "logged out"
    assert refusal(signed, now=1_000_100, lifetime_s=hours, logged_out_at=1_000_000) == "logged out"  # same second
    assert refusal(signed, now=1_000_100, lifetime_s=hours, logged_out_at=999_999) is None  # signed in again since


def test_logouts_are_kept_in_the_database_for_every_process(database_url):
    from netmap import Store

    one, two = Logouts(lambda: Store(database_url), ttl=0), Logouts(lambda: Store(database_url), ttl=60)
    key = user_key(USER)
    assert one.at(key) is None and two.at(key) is None
    one.record(key, 1_700_000_000, wait=True)
    assert one.at(key) == 1_700_000_000
    assert two.at(key) is None  # read a moment ago: two reads again after its ttl ...
    three = Logouts(lambda: Store(database_url), ttl=0)  # ... and a process starting now sees it at once
    assert three.at(key) == 1_700_000_000
    one.record(key, 1_600_000_000, wait=True)  # an older logout never moves it back
    assert three.at(key) == 1_700_000_000
    rows = {k: v for k, v in dump_tables(database_url)["meta"] if k.startswith(LOGOUT_PREFIX)}
    assert rows == {LOGOUT_PREFIX + key: "1700000000"}  # a hash, a time: no address
    # logouts older than any cookie Streamlit still accepts are dropped at the next one
    one.record("someone-else", 1_700_000_000 + LOGOUT_KEPT_S + 10, wait=True)
    rows = {k for k, v in dump_tables(database_url)["meta"] if k.startswith(LOGOUT_PREFIX)}
    assert rows == {LOGOUT_PREFIX + "someone-else"}
    for logouts in (one, two, three):
        logouts.close()


def test_a_logout_counts_in_the_process_at_once_even_before_it_is_written(database_url):
    from netmap import Store

    gate = []

    def slow_store():  # the database write waits (an import holds the lock, say)
        while not gate:
            time.sleep(0.01)
        return Store(database_url)

    logouts = Logouts(slow_store, ttl=0)
    writer = logouts.record("k", 1_700_000_000)
    assert logouts._mine["k"] == 1_700_000_000 and writer.is_alive()
    gate.append(True)
    writer.join(30)
    assert logouts.at("k") == 1_700_000_000
    logouts.close()


def test_unreadable_logouts_raise_so_the_sign_in_is_refused():
    def broken():
        raise OSError("the database is down")

    with pytest.raises(OSError):
        Logouts(broken, ttl=0).at("k")


def test_the_settings(monkeypatch):
    assert config.session_seconds({}) == 12 * 3600 and config.upload_budget_bytes({}) == 400 * 1024 * 1024
    assert config.session_seconds({"NETMAP_SESSION_HOURS": "0.5"}) == 1800
    assert config.upload_budget_bytes({"NETMAP_UPLOAD_BUDGET_MB": " 50 "}) == 50 * 1024 * 1024
    for bad in ("0", "-1", "nan", "inf", "twelve"):
        with pytest.raises(ValueError, match="NETMAP_SESSION_HOURS"):
            config.session_seconds({"NETMAP_SESSION_HOURS": bad})
    monkeypatch.setenv("NETMAP_UPLOAD_BUDGET_MB", "7")
    assert config.upload_budget_bytes() == 7 * 1024 * 1024
