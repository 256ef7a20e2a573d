"""The Person page, headless (Streamlit's AppTest)."""

from __future__ import annotations

from netmap.draw.frame import unsandboxed

import re

import pytest
from streamlit.testing.v1 import AppTest

from netmap import Store

from .conftest import ROOT, load

PAGE = "pages/person.py"
PEOPLE = (
    "Record ID,First Name,Last Name,Email,Company,Contact owner,Lifecycle Stage\n"
    "1,Ann,Lee,ann@acme.com,Acme,Dana,customer\n"
    "2,Bo,Chen,bo@acme.com,Acme,Dana,customer\n"
    "3,Cy,Diaz,cy@beta.io,Beta,Sam,customer\n"
    '4,<img src=x onerror=alert(1)>,[x](javascript:alert(1)),evil@x.com,"=HYPERLINK(""http://e"")",Sam,customer\n'
)
REFERRALS = "Referrer Email,Referred Email,Date,Status\nann@acme.com,cy@beta.io,2024-01-10,converted\n"
RELATIONSHIPS = "Person A,Person B,Relationship\nann@acme.com,evil@x.com,knows\ncy@beta.io,evil@x.com,knows\n"
SURVEY = (
    "Response ID,Email,Score,Date,Comment\n"
    "r1,ann@acme.com,6,2024-01-01,<script>alert(1)</script>\n"
    "r2,ann@acme.com,9,2024-06-01,Much better\n"
)


@pytest.fixture
def db(database_url, monkeypatch):
    url = database_url
    monkeypatch.setenv("NETMAP_DATABASE_URL", url)
    s = Store(url)
    load(s, ("people.csv", PEOPLE), ("referrals.csv", REFERRALS), ("relationships.csv", RELATIONSHIPS),
         ("survey.csv", SURVEY))
    ids = {e: s.find_person(e) for e in ("ann@acme.com", "bo@acme.com", "cy@beta.io", "evil@x.com")}
    s.close()
    return url, ids


def person_page(pid=None, *, session=None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if pid is not None:
        at.query_params["id"] = str(pid)
    if session is not None:
        at.session_state["person_id"] = session
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def texts(at: AppTest, kind: str) -> list[str]:
    return [e.value for e in getattr(at, kind)]


def frame_with(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_profile_shows_details_feelings_ties_referrals_and_position(db):
    _, ids = db
    ann = ids["ann@acme.com"]
    at = person_page(ann)
    assert texts(at, "header") == ["Ann Lee"]
    assert {"Details", "Position in the network", "Their network", "Feelings over time", "Ties",
            "Referrals made", "Referrals received"} <= set(texts(at, "subheader"))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Feeling"] == "Promoter" and metrics["Ties"] == "3"

    details = dict(frame_with(at, "field").values.tolist())
    assert details["Email"] == "ann@acme.com" and details["Company"] == "Acme" and details["CRM ids"] == "1"
    assert details["Owner"] == "Dana" and details["Stage"] == "customer"

    feedback = frame_with(at, "comment")
    assert list(feedback["score"]) == [9, 6]  # newest first in the table
    assert "<script>alert(1)</script>" in list(feedback["comment"])  # a comment is data, shown as text
    assert len(at.get("vega_lite_chart")) == 1

    ties = frame_with(at, "strength")
    assert set(ties["person_id"]) == {ids["bo@acme.com"], ids["cy@beta.io"], ids["evil@x.com"]}
    assert ties["strength"].between(0, 1, inclusive="right").all()
    made = frame_with(at, "referred_on")
    assert list(made["name"]) == ["Cy Diaz"]

    position = next(t for t in texts(at, "markdown") if "word of mouth" in t)
    assert "reach" in position and "Bridge score" in position

    iframe = unsandboxed(at.get("iframe")[0].proto.srcdoc)
    assert "mynetwork" in iframe
    assert not re.search(r"<(script|link)\b[^>]*(src|href)\s*=\s*[\"']?https?://", iframe, re.I)  # offline


def test_the_ego_graph_links_vis_network_only_where_the_server_serves_it(db):
    """``streamlit run app.py`` has no route for vis-network's files: its drawings stay
    self-contained. Under serve.py (which calls ``link_graph_assets``) they link to them."""
    import netmap.ui as ui

    _, ids = db
    inline = unsandboxed(person_page(ids["ann@acme.com"]).get("iframe")[0].proto.srcdoc)
    assert "/netmap-assets/" not in inline and len(inline) > 690_000
    ui.link_graph_assets("/base/netmap-assets")
    try:
        linked = unsandboxed(person_page(ids["ann@acme.com"]).get("iframe")[0].proto.srcdoc)
    finally:
        ui.link_graph_assets(None)
    assert '<script src="/base/netmap-assets/vis-network-' in linked and len(linked) < len(inline) - 680_000
    assert "mynetwork" in linked


def test_a_drawing_that_cannot_be_linked_is_shown_inline_not_as_an_error(db, monkeypatch):
    import netmap.ui as ui
    from netmap.draw import vis_assets

    def other_template(page, prefix):
        raise RuntimeError("the drawing does not inline vis-network exactly once")

    _, ids = db
    monkeypatch.setattr(vis_assets, "linked", other_template)
    ui.link_graph_assets("/netmap-assets")
    try:
        at = person_page(ids["ann@acme.com"])
    finally:
        ui.link_graph_assets(None)
    frame = unsandboxed(at.get("iframe")[0].proto.srcdoc)
    assert "mynetwork" in frame and "/netmap-assets/" not in frame and not at.error


def test_session_state_opens_the_person_without_a_query_parameter(db):
    _, ids = db
    at = person_page(session=ids["cy@beta.io"])
    assert texts(at, "header") == ["Cy Diaz"]
    received = next(d.value for d in at.dataframe if "referred_on" in d.value.columns)
    assert list(received["name"]) == ["Ann Lee"]


@pytest.mark.parametrize("bad", ["999999", "abc", "<script>"])
def test_unknown_person_is_a_message_with_a_search(db, bad):
    at = person_page(bad)
    assert not at.exception
    assert any("person" in e.lower() for e in texts(at, "error"))
    assert at.text_input(key="person_query") is not None


def test_search_then_results_lead_to_profiles(db):
    _, ids = db
    at = person_page()
    assert not texts(at, "header")
    at.text_input(key="person_query").input("acme").run()
    assert not at.exception
    found = at.dataframe[0].value
    assert set(found["name"]) == {"Ann Lee", "Bo Chen"}
    at.text_input(key="person_query").input("1").run()  # the CRM id (also a substring of nobody's name)
    assert not at.exception
    at.text_input(key="person_query").input("nobody-at-all").run()
    assert any("Nobody matches “nobody-at-all”" in re.sub(r"\\(.)", r"\1", i) for i in texts(at, "info"))


def test_hostile_name_is_text_everywhere(db):
    _, ids = db
    at = person_page(ids["evil@x.com"])
    header = texts(at, "header")[0]
    assert "\\<img" in header and "\\[x\\]\\(javascript" in header
    for kind in ("markdown", "caption", "header", "subheader", "success", "error", "info"):
        for t in texts(at, kind):
            assert "<img" not in t.replace("\\<img", "") and "](javascript" not in t
    details = dict(frame_with(at, "field").values.tolist())
    assert details["Name"] == "<img src=x onerror=alert(1)> [x](javascript:alert(1))"
    srcdoc = unsandboxed(at.get("iframe")[0].proto.srcdoc)
    assert "<img src=x" not in srcdoc


def test_erase_needs_a_confirmation(db):
    url, ids = db
    ann = ids["ann@acme.com"]
    at = person_page(ann)
    erase = at.button(key="erase")
    assert erase.disabled
    at.checkbox(key=f"erase_ok_{ann}").check().run()
    assert not at.button(key="erase").disabled
    at.button(key="erase").click().run()
    assert not at.exception
    assert any("was erased" in t for t in texts(at, "success"))
    assert not texts(at, "header")  # back to the search
    s = Store(url)
    try:
        summary = s.summary()
    finally:
        s.close()
    assert summary["people"] == 3 and summary["feedback"] == 0 and summary["referrals"] == 0


def test_empty_database_says_so(database_url, monkeypatch):
    monkeypatch.setenv("NETMAP_DATABASE_URL", database_url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert any("no data yet" in i for i in texts(at, "info"))
