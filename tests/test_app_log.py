"""The nurture log in the app, headless (Streamlit's AppTest): "Log what you did" on the Person
and Nurture pages, and Trends' "What we did, and what followed" (the log and the outcomes)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from netmap import Store
from netmap.access import Access, log_actor
from netmap.ingest.importer import import_paths
from netmap.outcomes_report import OUTCOME_COLUMNS

from .conftest import load, open_app

TICKETS = Path(__file__).parent / "data" / "tickets"
PEOPLE = ("Record ID,Name,Email,Company,Contact owner,Lifecycle Stage\n"
          "1,Mei Chen,mei.chen@brightwater.example,Brightwater Analytics,Dana Kim,customer\n"
          "2,Diego Alvarez,diego.alvarez@acme-robotics.example,Acme Robotics,Eli Ross,customer\n"
          "3,Priya Nair,priya.nair@acme-robotics.example,Acme Robotics,Eli Ross,customer\n")
SURVEY = ("Response ID,Email,Score,Date\n"
          "r1,mei.chen@brightwater.example,6,2024-01-10\nr2,mei.chen@brightwater.example,9,2024-04-10\n"
          "r3,diego.alvarez@acme-robotics.example,3,2024-01-12\nr4,diego.alvarez@acme-robotics.example,7,2024-04-12\n"
          "r5,priya.nair@acme-robotics.example,8,2024-01-15\nr6,priya.nair@acme-robotics.example,8,2024-04-15\n")


def submit(at, label: str = "Log it"):
    [button] = [b for b in at.button if b.label == label]
    return button.click().run()


def people(url: str, *files) -> dict[str, int]:
    store = Store(url)
    load(store, ("people.csv", PEOPLE), *files)
    ids = {p.name: p.id for p in store.load_dataset().people}
    store.close()
    return ids


def test_log_what_you_did_from_the_person_page(database_url, monkeypatch):
    ids = people(database_url)
    at = open_app(monkeypatch, database_url)
    at.query_params["id"] = str(ids["Diego Alvarez"])
    at.switch_page("pages/person.py").run()
    assert not at.exception
    assert "What we did for them" in [h.value for h in at.subheader]
    assert "Nothing logged yet." in [m.value for m in at.markdown]
    at.selectbox(key="log_person_action").set_value("fixed_issue")
    at.text_input(key="log_person_note").set_value("replaced the broken unit")
    submit(at)
    assert not at.exception and not at.error
    assert any("Logged: fixed an issue for Diego Alvarez" in s.value for s in at.success)
    [shown] = [d.value for d in at.dataframe if "logged_by" in d.value.columns]
    assert list(shown["action"]) == ["fixed an issue"] and list(shown["note"]) == ["replaced the broken unit"]
    store = Store(database_url)
    [row] = store.nurture_log()
    assert (row["person_id"], row["action"], row["done_on"]) == (ids["Diego Alvarez"], "fixed_issue", date.today())
    assert row["logged_by"].startswith("local:")
    assert store.audit(action="log")[0]["target"] == f"person #{ids['Diego Alvarez']}"
    store.close()


def test_log_someone_from_the_queue_on_the_nurture_page(database_url, monkeypatch):
    ids = people(database_url)
    store = Store(database_url)
    import_paths(store, sorted(TICKETS.glob("*.csv")))
    store.close()
    at = open_app(monkeypatch, database_url, "pages/nurture.py")
    assert "Log what you did" in [h.value for h in at.subheader]
    who = at.selectbox(key="log_nurture_who")
    first = at.dataframe(key="nurture_queue").value.iloc[0]
    assert who.value == int(first["person_id"]) and "· ticket " in who.format_func(who.value)
    at.selectbox(key="log_nurture_action").set_value("called")
    at.date_input(key="log_nurture_on").set_value(date.today() - timedelta(days=2))
    submit(at)
    assert not at.exception and not at.error
    store = Store(database_url)
    [row] = store.nurture_log()
    assert (row["person_id"], row["action"], row["done_on"]) == (int(first["person_id"]), "called",
                                                                 date.today() - timedelta(days=2))
    store.close()


def test_trends_shows_the_log_and_what_followed(database_url, monkeypatch, downloads):
    ids = people(database_url, ("survey.csv", SURVEY))
    store = Store(database_url)
    store.log_action(ids["Diego Alvarez"], "fixed_issue", on=date(2024, 2, 1), note="sorted the invoice")
    store.log_action(ids["Mei Chen"], "called", on=date(2024, 2, 3))
    store.close()
    at = open_app(monkeypatch, database_url, "pages/trends.py")
    assert not at.exception and not at.error
    assert "What we did, and what followed" in [h.value for h in at.subheader]
    [outcomes] = [d.value for d in at.dataframe if "verdict" in d.value.columns]
    assert list(outcomes["action"]) == ["called", "fixed_issue"]
    assert set(outcomes["verdict"]) == {"too few to tell"}  # two people: the honest answer
    name, data = downloads["tr_outcomes_csv"]
    assert name == "netmap-outcomes.csv" and data.decode().splitlines()[0].split(",") == OUTCOME_COLUMNS
    log = at.dataframe(key="tr_log").value
    assert list(log["name"]) == ["Mei Chen", "Diego Alvarez"] and list(log["action"]) == ["called them",
                                                                                          "fixed an issue"]


def test_trends_before_anything_is_logged_says_how_to_log(database_url, monkeypatch):
    people(database_url, ("survey.csv", SURVEY))
    at = open_app(monkeypatch, database_url, "pages/trends.py")
    assert not at.exception
    assert any("Nothing is logged yet" in i.value for i in at.info)


def test_who_may_log():
    """Logging is an account manager's own record: with sign-in on, a signed-in reader logs under
    their email; an admin (or the local user) under their actor; nobody unnamed logs."""
    assert log_actor(Access(True, True, "local:dana")) == "local:dana"
    assert log_actor(Access(True, True, "boss@us.example", email="boss@us.example", sign_in=True)) == "boss@us.example"
    reader = Access(True, False, None, "read-only", email="eli@us.example", sign_in=True)
    assert log_actor(reader) == "eli@us.example"
    assert log_actor(Access(True, False, None, "no email", email=None, sign_in=True)) is None
    assert log_actor(Access(False, False, None, "sign in", sign_in=True)) is None
