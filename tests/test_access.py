"""Sign-in and who may change the data: the rules (netmap.access) and the app
with sign-in off (the default) and on (AppTest: ``at.secrets`` for the
``[auth]`` section, ``at.user`` for the signed-in user)."""

from __future__ import annotations

import doctest

import pytest
from streamlit.testing.v1 import AppTest

import netmap.access
from netmap import Store
from netmap.access import AccessSettings, admin_set, decide, login_providers, settings_from
from netmap.config import local_actor

from .conftest import ADMIN, AUTH, READER, load, signed_app

TEAM = AccessSettings(sign_in=True, admins=admin_set([ADMIN]))


# ------------------------------------------------------------- the rules --
def test_off_by_default_the_local_user_may_do_everything():
    who = decide(AccessSettings(), None, local_user="dana")
    assert (who.may_view, who.may_change, who.actor, who.reason) == (True, True, "local:dana", "")
    assert decide(AccessSettings(), "someone@x.com", local_user="dana").actor == "local:dana"  # no sign-in: no email
    assert settings_from(None) == settings_from({}) == AccessSettings()


def test_local_actor_names_the_os_user(monkeypatch):
    import getpass

    monkeypatch.setattr(getpass, "getuser", lambda: "dana")
    assert local_actor() == "local:dana"
    assert decide(AccessSettings(), None).actor == "local:dana"

    def nobody():
        raise OSError("no login name")

    monkeypatch.setattr(getpass, "getuser", nobody)
    assert local_actor() == "local" and local_actor("  ") == "local"


def test_signed_out_sees_nothing():
    who = decide(TEAM, None)
    assert not who.may_view and not who.may_change and who.actor is None
    assert "sign in" in who.reason.lower()


def test_signed_in_reader_reads_only_and_is_told_who_may_change():
    who = decide(TEAM, READER)
    assert who.may_view and not who.may_change and who.actor is None
    assert READER in who.reason and ADMIN in who.reason and "read-only" in who.reason


@pytest.mark.parametrize("email", [ADMIN, "Admin@Team.TEST", f"  {ADMIN.upper()} "])
def test_admins_are_compared_without_case_or_spaces(email):
    who = decide(TEAM, email)
    assert who.may_view and who.may_change and who.actor == ADMIN and who.email == ADMIN


def test_without_admins_or_without_an_email_nobody_changes_anything():
    nobody = AccessSettings(sign_in=True)
    assert not decide(nobody, ADMIN).may_change
    assert "none is configured" in decide(nobody, ADMIN).reason
    no_email = decide(TEAM, "")
    assert no_email.may_view and not no_email.may_change and "did not share your email" in no_email.reason


@pytest.mark.parametrize(
    "secrets, env, expected",
    [
        ({}, {}, AccessSettings()),
        ({"netmap": {"admins": [ADMIN]}}, {}, AccessSettings(False, frozenset({ADMIN}))),  # admins alone: still off
        ({"auth": AUTH}, {}, AccessSettings(True, frozenset())),
        ({"auth": {"redirect_uri": "x"}}, {}, AccessSettings(True, frozenset())),  # half-configured: closed
        ({"auth": {}}, {}, AccessSettings()),
        ({"auth": AUTH, "netmap": {"admins": ["A@x.com", " b@x.com", ""]}},
         {"NETMAP_ADMINS": "C@x.com; d@x.com,e@x.com"},
         AccessSettings(True, frozenset({"a@x.com", "b@x.com", "c@x.com", "d@x.com", "e@x.com"}))),
        ({"auth": AUTH, "netmap": "not a section"}, {"NETMAP_ADMINS": ""}, AccessSettings(True, frozenset())),
    ],
)
def test_settings_from_the_secrets_and_the_environment(secrets, env, expected):
    assert settings_from(secrets, env) == expected


def test_login_providers():
    assert login_providers(AUTH) == [None]
    assert login_providers({"redirect_uri": "u", "cookie_secret": "s", "okta": {"client_id": "x"}}) == ["okta"]
    assert login_providers({}) == [None]


def test_doctests():
    assert doctest.testmod(netmap.access).failed == 0


def test_an_unreadable_secrets_file_keeps_the_app_closed(tmp_path, monkeypatch):
    import streamlit
    from streamlit import config as st_config
    from streamlit.runtime.secrets import Secrets

    from netmap.ui import access as ui_access

    bad = tmp_path / "secrets.toml"
    bad.write_text('[auth\nredirect_uri = "x"\n', encoding="utf-8")
    monkeypatch.setattr(streamlit, "secrets", Secrets())
    old = st_config.get_option("secrets.files")
    st_config.set_option("secrets.files", [str(bad)])
    try:
        with pytest.raises(ui_access.SecretsUnreadable):
            ui_access.settings()
        st_config.set_option("secrets.files", [str(tmp_path / "missing.toml")])
        monkeypatch.setattr(streamlit, "secrets", Secrets())
        assert ui_access.settings() == settings_from({}, {})
    finally:
        st_config.set_option("secrets.files", old)


# --------------------------------------------------------------- the app --
PEOPLE = (
    "Record ID,First Name,Last Name,Email,Company,Lifecycle Stage\n"
    "1,Ann,Lee,ann@acme.com,Acme,customer\n"
    "2,Bo,Chen,bo@acme.com,Acme,customer\n"
    "3,Cy,Diaz,cy@beta.io,Beta,customer\n"
)
RELATIONSHIPS = "Person A,Person B,Relationship\nann@acme.com,bo@acme.com,knows\nbo@acme.com,cy@beta.io,knows\n"
MORE = "Email,Name,Company\ndee@delta.io,Dee Evans,Delta\n"
IMPORT, PERSON = "pages/import_data.py", "pages/person.py"


@pytest.fixture
def db(database_url, monkeypatch):
    monkeypatch.setenv("NETMAP_DATABASE_URL", database_url)
    monkeypatch.delenv("NETMAP_ADMINS", raising=False)
    s = Store(database_url)
    load(s, ("people.csv", PEOPLE), ("relationships.csv", RELATIONSHIPS))
    ids = {e: s.find_person(e) for e in ("ann@acme.com", "bo@acme.com")}
    s.close()
    return database_url, ids


def app(page: str | None = None, *, user: dict | None = None, admins=(ADMIN,), person: int | None = None) -> AppTest:
    """The app with sign-in configured (``user`` given) or not (``user=None``)."""
    return signed_app(page, user=user, admins=admins, person=person)


def signed_in(email: str) -> dict:
    return {"is_logged_in": True, "email": email, "name": "Test User"}


def audit_log(url: str) -> list[dict]:
    s = Store(url)
    try:
        return s.audit()
    finally:
        s.close()


def has(widgets, key: str) -> bool:
    return any(w.key == key for w in widgets)


def plain(texts) -> str:
    return " ".join(t.replace("\\", "") for t in texts)


def test_sign_in_off_everything_as_before(db):
    url, ids = db
    at = app(IMPORT)
    assert len(at.file_uploader) == 1 and has(at.button, "undo_1")
    assert not at.info and not at.sidebar.button  # no lock, no account
    assert any("Audit log" in e.label for e in at.expander)
    at = app(PERSON, person=ids["ann@acme.com"])
    assert has(at.checkbox, f"erase_ok_{ids['ann@acme.com']}") and has(at.button, "erase")


def test_signed_out_sees_the_sign_in_screen_and_no_data(db):
    url, ids = db
    for person in (None, ids["ann@acme.com"]):  # the home page, and a deep link to a profile
        at = app(user={"is_logged_in": False}, person=person)
        assert [b.label for b in at.button] == ["Sign in"]
        assert [t.value for t in at.title] == ["netmap"]
        for kind in ("dataframe", "metric", "table", "file_uploader", "expander", "header", "subheader"):
            assert len(at.get(kind)) == 0, kind
        assert not at.get("iframe")
        shown = plain(e.value for kind in ("markdown", "caption", "text", "info", "error") for e in at.get(kind))
        for name in ("Ann", "Lee", "Acme", "acme.com", "Bo", "Chen"):
            assert name not in shown
        with pytest.raises(ValueError):  # the data pages are not even registered
            at.switch_page(PERSON)
    at.button[0].click().run()  # st.login with test credentials: a message, never a traceback or data
    assert not at.exception and at.error and not at.dataframe


def test_a_reader_sees_the_data_but_cannot_import_undo_or_erase(db):
    url, ids = db
    at = app(user=signed_in(READER))
    assert at.metric and "read-only" in plain(c.value for c in at.sidebar.caption)
    assert READER in plain(c.value for c in at.sidebar.caption)
    assert [b.label for b in at.sidebar.button] == ["Log out"]

    at = app(IMPORT, user=signed_in(READER))
    assert len(at.file_uploader) == 0 and not has(at.button, "import")
    assert not [b for b in at.button if b.key and b.key.startswith("undo_")]
    assert at.dataframe  # the import log itself is readable
    assert not any("Audit log" in e.label for e in at.expander)
    why = plain(i.value for i in at.info)
    assert "Importing is not available" in why and ADMIN in why

    ann = ids["ann@acme.com"]
    at = app(PERSON, user=signed_in(READER), person=ann)
    assert [h.value for h in at.header] == ["Ann Lee"]
    assert not has(at.checkbox, f"erase_ok_{ann}") and not has(at.button, "erase")
    assert "Erasing is not available" in plain(i.value for i in at.info)
    assert audit_log(url)[0]["actor"].startswith("local")  # only the fixture's import


def test_an_admin_imports_undoes_and_erases_and_each_change_names_them(db):
    url, ids = db
    me = signed_in("Admin@Team.test")  # as the provider spells it
    at = app(IMPORT, user=me)
    assert "admin" in plain(c.value for c in at.sidebar.caption)
    at.file_uploader[0].set_value([("more.csv", MORE.encode(), "text/csv")])
    at.run()
    at.button(key="import").click().run()
    assert not at.exception and any("Imported 1 file" in s.value for s in at.success)
    entry = audit_log(url)[0]
    assert (entry["action"], entry["actor"], entry["counts"]["added"]) == ("import", ADMIN, {"people": 1})

    undo = [b for b in at.button if b.key and b.key.startswith("undo_")]
    assert undo
    undo[0].click().run()  # Undo asks first
    at.button(key=undo[0].key.replace("undo_", "undo_yes_")).click().run()
    assert not at.exception
    entry = audit_log(url)[0]
    assert (entry["action"], entry["actor"]) == ("undo", ADMIN)
    log = next(e for e in at.expander if "Audit log" in e.label)
    frame = log.dataframe[0].value
    assert list(frame["who"][:2]) == [ADMIN, ADMIN] and list(frame["action"][:2]) == ["undo", "import"]

    bo = ids["bo@acme.com"]
    at = app(PERSON, user=me, person=bo)
    at.checkbox(key=f"erase_ok_{bo}").check().run()
    at.button(key="erase").click().run()
    assert not at.exception and any("was erased" in s.value for s in at.success)
    entry = audit_log(url)[0]
    assert (entry["action"], entry["actor"], entry["target"]) == ("erase", ADMIN, f"person #{bo}")
    assert "Bo" not in repr(audit_log(url)) and "bo@acme.com" not in repr(audit_log(url))


def test_admins_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("NETMAP_ADMINS", f"other@team.test, {READER}")
    at = app(IMPORT, user=signed_in(READER), admins=())
    assert len(at.file_uploader) == 1 and not at.info


def test_log_out_returns_to_the_sign_in_screen(db):
    at = app(IMPORT, user=signed_in(READER))
    at.sidebar.button(key="log_out").click().run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"] and not at.metric and not at.dataframe
