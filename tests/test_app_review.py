"""The Duplicates page (pages/review.py), headless: likely duplicates side by side, merged or
kept apart, and undone; reached by a link from the Overview and the Import page."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from netmap import Store

from .conftest import ADMIN, READER, load, signed_app

PAGE = "pages/review.py"
PEOPLE = (
    "Record ID,First Name,Last Name,Email,Company,Lifecycle Stage,Contact owner\n"
    "1,Ann,Lee,ann@acme.com,Acme,customer,\n"
    "2,Bo,Chen,bo@acme.com,Acme,customer,\n"
    "3,Ann,Lee,ann.lee@acme.com,Acme,,Maria\n"
)
RELS = "Person A,Person B,Relationship\nann.lee@acme.com,bo@acme.com,knows\n"


@pytest.fixture
def db(database_url, monkeypatch):
    monkeypatch.setenv("NETMAP_DATABASE_URL", database_url)
    monkeypatch.delenv("NETMAP_ADMINS", raising=False)
    s = Store(database_url)
    load(s, ("people.csv", PEOPLE), ("rels.csv", RELS))
    ids = {e: s.find_person(e) for e in ("ann@acme.com", "ann.lee@acme.com", "bo@acme.com")}
    s.close()
    return database_url, ids


def open_app(page: str | None = PAGE, *, user: dict | None = None) -> AppTest:
    return signed_app(page, user=user)


def shown(at: AppTest, kind: str) -> list[str]:
    """Texts as the page shows them (Markdown escapes and invisible joiners removed)."""
    return [e.value.replace("\\", "").replace("\u2060", "") for e in at.get(kind)]


def people(url: str) -> int:
    s = Store(url)
    try:
        return s.summary()["people"]
    finally:
        s.close()


def test_the_page_lists_a_pair_side_by_side_merges_it_then_undoes_it(db):
    url, ids = db
    first, second = sorted((ids["ann@acme.com"], ids["ann.lee@acme.com"]))
    at = open_app()
    assert "1 pair to review." in shown(at, "markdown")
    [sides] = [d.value for d in at.dataframe if f"#{first} (kept)" in d.value.columns]
    by_field = {row[""]: (row[f"#{first} (kept)"], row[f"#{second}"]) for row in sides.to_dict(orient="records")}
    assert by_field["name"] == ("Ann Lee", "Ann Lee")
    assert by_field["email"] == ("ann@acme.com", "ann.lee@acme.com")
    assert by_field["owner"] == ("", "Maria") and by_field["stage"] == ("customer", "")
    assert by_field["ties"][1] != "0" and "crm: 3" in by_field["ids and emails"][1]
    assert any("same name and company" in t for t in shown(at, "markdown"))

    at.button(key=f"merge_{first}_{second}").click().run()
    assert not at.exception
    [done] = shown(at, "success")
    assert done.startswith(f"Merged Ann Lee (#{second}) into Ann Lee (#{first})")
    assert people(url) == 2 and not [d for d in at.dataframe if f"#{first} (kept)" in d.value.columns]
    assert any(t.startswith("None to review") for t in shown(at, "markdown"))
    assert f"Ann Lee (#{second}) merged into Ann Lee (#{first})" in shown(at, "text")

    # undo asks first, in plain words, then puts both people back
    [undo] = [b for b in at.button if b.key and b.key.startswith("undo_decision_")]
    merge_id = undo.key.rsplit("_", 1)[1]
    undo.click().run()
    [question] = shown(at, "warning")
    assert question.startswith(f"Undo merge #{merge_id}? It brings back Ann Lee (#{second}) as a separate person")
    assert people(url) == 2  # nothing undone before the answer
    at.button(key=f"undo_yes_{merge_id}").click().run()
    assert not at.exception
    assert shown(at, "success")[0].startswith(f"Merge #{merge_id} undone: brought back Ann Lee (#{second})")
    assert people(url) == 3 and "1 pair to review." in shown(at, "markdown")


def test_keep_apart_closes_the_pair_for_good(db):
    url, ids = db
    first, second = sorted((ids["ann@acme.com"], ids["ann.lee@acme.com"]))
    at = open_app()
    at.button(key=f"apart_{first}_{second}").click().run()
    assert not at.exception
    assert shown(at, "success")[0].startswith(f"Kept Ann Lee (#{first}) and Ann Lee (#{second}) apart")
    assert people(url) == 3 and any(t.startswith("None to review") for t in shown(at, "markdown"))
    s = Store(url)
    try:
        assert s.reviews() == [] and s.audit()[0]["action"] == "keep-apart"
    finally:
        s.close()


def test_the_overview_and_the_import_page_link_here(db):
    at = open_app(None)
    [link] = [e.proto for e in at.get("page_link") if "likely duplicate" in e.proto.label]
    assert link.label.startswith("1 likely duplicate") and link.page.endswith("review")
    at.switch_page("pages/import_data.py").run()
    assert [e.proto.label for e in at.get("page_link") if e.proto.page.endswith("review")]


def test_a_reader_sees_the_pairs_but_cannot_decide(db):
    at = open_app(user={"is_logged_in": True, "email": READER, "name": "Reader"})
    assert [d for d in at.dataframe if any(str(c).endswith("(kept)") for c in d.value.columns)]
    assert not [b for b in at.button if b.key and b.key.startswith(("merge_", "apart_", "undo_"))]
    assert any("is not available to you" in t for t in shown(at, "info"))
    at = open_app(user={"is_logged_in": True, "email": ADMIN, "name": "Admin"})
    assert [b for b in at.button if b.key and b.key.startswith("merge_")]
