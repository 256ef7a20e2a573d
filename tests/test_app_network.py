"""The Network page, headless (Streamlit's AppTest): the graph, its switches,
filters, the ego network of a searched person, the downloads, and safety."""

from __future__ import annotations

from netmap.draw.frame import unsandboxed

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from netmap import Store, import_files, import_paths
from netmap.cli import sample_files
from netmap.draw.legend import FEELING_COLORS

from .conftest import ROOT, drop_database, new_database_url, open_app

EVIL = '<img src=x onerror=alert(1)>'
HOSTILE_PEOPLE = (
    "First Name,Last Name,Email,Associated Company,Contact owner,Lifecycle Stage\n"
    f'"{EVIL}","</script><script>alert(2)</script>",evil@example.com,"[x](javascript:alert(3))",Kim Evil,customer\n'
)
HOSTILE_TIES = "Person A,Person B,Relationship,Strength\nevil@example.com,bryan.rahman@emberpay.com.sg,knows,3\n"


@pytest.fixture(scope="module")
def db_url(tmp_path_factory):
    """The sample company plus one person with a hostile name, imported once for the module."""
    url = new_database_url(tmp_path_factory.mktemp("net"), "app")
    store = Store(url)
    import_paths(store, sample_files())
    import_files(store, [("hostile.csv", HOSTILE_PEOPLE.encode()), ("hostile-ties.csv", HOSTILE_TIES.encode())])
    store.close()
    yield url
    drop_database(url)


@pytest.fixture
def at(db_url, monkeypatch):
    return open_app(monkeypatch, db_url, "pages/network.py")


def srcdoc(at) -> str:
    frames = at.get("iframe")
    assert len(frames) == 1
    return unsandboxed(frames[0].proto.srcdoc)


def nodes(page: str) -> list[dict]:
    return json.loads(re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", page, re.DOTALL).group(1))


def showing(at) -> str:
    """The "Showing N of M" caption as the reader sees it (Markdown escapes undone)."""
    return next(re.sub(r"\\(.)", r"\1", c.value) for c in at.caption if c.value.startswith("Showing"))


def button_group(at, key):
    return next(b for b in at.get("button_group") if b.key == key)


def test_the_drawing_runs_in_a_frame_without_the_apps_origin(at):
    """Streamlit's frame allows scripts and same-origin; the drawing gets a frame of its own
    that allows scripts only (an opaque origin), so an escaping slip could not reach the app.
    The page around it has only netmap's own two scripts (a click opens a profile; the frame
    ends at the window's bottom), with nothing from the data."""
    outer = at.get("iframe")[0].proto.srcdoc
    frames = re.findall(r"<iframe[^>]*>", outer)
    assert len(frames) == 1 and 'sandbox="allow-scripts"' in frames[0]
    assert "allow-same-origin" not in outer and "allow-top-navigation" not in outer
    around = outer.replace(frames[0], "")
    around = re.sub(r'srcdoc="[^"]*"', "", around)
    assert around.count("<script>") == 2 and "open-person" in around and "window.frameElement" in around
    assert "Bryan" not in around and "<script" in unsandboxed(outer)  # the drawing, escaped, inside


def test_the_whole_network_is_drawn_offline_with_legend_and_downloads(at):
    page = srcdoc(at)
    assert "#mynetwork" in page and "vis.Network" in page  # vis-network inlined
    assert not re.search(r"""(src|href)\s*=\s*["']?https?://""", page)  # no CDN asset
    assert '"enabled": false' in page.replace("'", '"')  # physics off: it does not keep moving
    drawn = nodes(page)
    assert len(drawn) == 407 and all("x" in n and "y" in n for n in drawn)  # positions from Python
    assert any(n["shape"] == "diamond" for n in drawn)  # bridge customers marked
    assert 'id="netmap-legend"' in page and "weak tie" in page and "bridge customer" in page
    assert showing(at).startswith("Showing 407 of 407 people")
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download this view (HTML)", "Whole network (GraphML)", "Whole network (GEXF)"]
    assert not at.error


def test_colour_by_feeling_and_size_by_bridge_score(at):
    button_group(at, "net_color").set_value("feeling")
    button_group(at, "net_size").set_value("bridge_score").run()
    assert not at.exception
    page = srcdoc(at)
    colours = {n["color"]["background"] for n in nodes(page)}
    assert colours <= set(FEELING_COLORS.values()) and FEELING_COLORS["promoter"] in colours
    assert "higher bridge score" in page


def test_the_cap_keeps_the_most_relevant_people(at):
    at.select_slider(key="net_max").set_value(100).run()
    assert len(nodes(srcdoc(at))) == 100
    assert showing(at).startswith("Showing 100 of 407 people (those with the highest spread)")


def test_filters_owner_community_feeling_stage_and_strength(at):
    at.multiselect(key="net_owner").set_value(["Katrin Vogel"]).run()
    assert not at.exception
    text = showing(at)
    assert "of the 407 in the network pass the filters" in text
    n_owner = len(nodes(srcdoc(at)))
    assert 0 < n_owner < 407
    at.multiselect(key="net_feeling").set_value(["promoter", "passive"])
    at.slider(key="net_strength").set_value(0.3).run()
    assert not at.exception
    assert len(nodes(srcdoc(at))) < n_owner
    at.multiselect(key="net_owner").set_value([])
    at.multiselect(key="net_feeling").set_value([])
    at.slider(key="net_strength").set_value(0.0)
    at.multiselect(key="net_community").set_value([0]).run()  # community ids, largest first
    assert not at.exception
    colours = {n["color"]["background"] for n in nodes(srcdoc(at))}
    assert len(colours) == 1 and 0 < len(nodes(srcdoc(at))) < 407
    # a combination nobody passes is a message, not a traceback
    at.multiselect(key="net_owner").set_value([])
    at.multiselect(key="net_community").set_value([])
    at.multiselect(key="net_feeling").set_value(["detractor"])
    at.multiselect(key="net_stage").set_value(["subscriber"]).run()
    assert not at.exception
    assert any("nobody passes" in e.value for e in at.error)
    assert not at.get("iframe")


def test_search_focuses_on_the_ego_network_within_1_to_3_steps(at):
    at.text_input(key="net_query").set_value("bryan rahman").run()
    assert not at.exception
    focus = at.selectbox(key="net_focus")
    assert "Bryan Rahman" in focus.options[0]
    hops = at.slider(key="net_hops")
    assert (hops.min, hops.max, hops.value) == (1, 3, 2)
    two = len(nodes(srcdoc(at)))
    assert "within 2 steps of Bryan Rahman" in showing(at) and 1 < two < 407
    hops.set_value(1).run()
    one = nodes(srcdoc(at))
    assert 1 < len(one) < two
    assert any(n["borderWidth"] == 4 for n in one)  # the focus person stands out
    hops.set_value(3).run()
    assert len(nodes(srcdoc(at))) >= two


def test_search_by_company_or_email_lists_the_matches(at):
    at.text_input(key="net_query").set_value("emberpay.com.sg").run()
    assert not at.exception and len(at.selectbox(key="net_focus").options) >= 1


def test_a_crm_id_finds_the_person_as_on_the_other_pages(at):
    at.text_input(key="net_query").set_value("1125").run()  # HubSpot Record ID of Oliver Hughes in the sample
    assert not at.exception
    (only,) = at.selectbox(key="net_focus").options
    assert only.startswith("Oliver Hughes")


def test_nobody_found_is_a_message(at):
    at.text_input(key="net_query").set_value("zzz-nobody-zzz").run()
    assert not at.exception
    assert any("Nobody" in e.value for e in at.error)
    assert len(nodes(srcdoc(at))) == 407  # the whole network stays


def test_a_hostile_name_is_text_everywhere(at):
    page = srcdoc(at)
    assert EVIL not in page and "<script>alert(2)" not in page and "popup.innerHTML" not in page
    at.text_input(key="net_query").set_value("evil@example.com").run()
    assert not at.exception
    option = at.selectbox(key="net_focus").options[0]
    assert EVIL in option  # shown as the text it is in the select box
    page = srcdoc(at)
    assert EVIL not in page and "onerror=alert(1)>" not in page
    assert f"within 2 steps of {EVIL}" in showing(at)  # the reader sees the name as text ...
    raw = next(c.value for c in at.caption if c.value.startswith("Showing"))
    assert re.search(r"(?<!\\)[<>\[\]]", raw) is None  # ... because every markup character is escaped


def test_no_data_says_so(database_url, monkeypatch):
    monkeypatch.setenv("NETMAP_DATABASE_URL", database_url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/network.py").run()
    assert not at.exception
    assert any("no data" in i.value for i in at.info) and not at.get("iframe")


# ------------------------------------------------------------- drawings: issue 13, part 6 --
def test_the_controls_are_in_the_sidebar_and_the_drawing_comes_first(at):
    """Search, colour, size, the cap and the filters sit in the sidebar, so the main column is
    the title, one line and the drawing (above the fold at 1280 x 720: tests/e2e/test_drawings.py)."""
    side = at.sidebar
    assert side.text_input(key="net_query") is not None
    assert side.select_slider(key="net_max") is not None
    assert {b.key for b in side.get("button_group")} >= {"net_color", "net_size"}
    assert side.multiselect(key="net_owner") is not None and side.slider(key="net_strength") is not None
    main = [at.main.children[k] for k in sorted(at.main.children)]
    assert [e.type for e in main[:3]] == ["title", "caption", "iframe"]
    assert main[1].value.startswith("Showing") and "Click a person to open their profile" in main[1].value
    at.text_input(key="net_query").set_value("bryan rahman").run()
    assert at.sidebar.selectbox(key="net_focus") is not None and at.sidebar.slider(key="net_hops") is not None


def test_the_legend_lists_every_community_of_the_sample(at):
    page = srcdoc(at)
    legend = page[page.index('<aside id="netmap-legend"'):page.index("</aside>")]
    labels = {n["id"] for n in nodes(page)}
    assert len(labels) == 407
    assert "more communities" not in legend
    assert legend.count("border-radius:50%") >= 15  # a swatch for each of the sample's communities


def test_importing_two_people_leaves_everyone_else_where_they_were(tmp_path, monkeypatch):
    """The whole network is laid out again when the data change, from the last layout: the
    people drawn before keep their places (relative to the picture) when two people arrive."""
    url = new_database_url(tmp_path, "stable")
    store = Store(url)
    import_paths(store, sample_files())
    try:
        at = open_app(monkeypatch, url, "pages/network.py")
        before = {n["id"]: n for n in nodes(srcdoc(at))}
        people = ("Record ID,First Name,Last Name,Email,Contact owner,Lifecycle Stage,Associated Company\n"
                  "99001,Zed,Quill,zq@quill.example,Ann Owner,customer,Quill Works\n"
                  "99002,Bart,Anchor,ba@anchor.example,Ann Owner,customer,Anchor Ltd\n")
        ties = ("Person A,Person B,Relationship,Strength\n"
                "zq@quill.example,bryan.rahman@emberpay.com.sg,knows,4\nba@anchor.example,zq@quill.example,knows,3\n")
        import_files(store, [("new.csv", people.encode()), ("new-ties.csv", ties.encode())])
        at.run()
        assert not at.exception
        after = {n["id"]: n for n in nodes(srcdoc(at))}
        assert len(after) == len(before) + 2
        def unit(drawn, ids):  # positions relative to the picture (the page scales it with its size)
            xs = [drawn[i]["x"] for i in ids]
            ys = [drawn[i]["y"] for i in ids]
            lo_x, lo_y, span = min(xs), min(ys), max(max(xs) - min(xs), max(ys) - min(ys))
            return {i: ((drawn[i]["x"] - lo_x) / span, (drawn[i]["y"] - lo_y) / span) for i in ids}
        old, new = unit(before, before), unit(after, before)
        moved = max(abs(old[i][0] - new[i][0]) + abs(old[i][1] - new[i][1]) for i in before)
        assert moved < 0.002, moved  # rounding of the page's coordinates only
    finally:
        store.close()
        drop_database(url)
