"""The Nurture page's "Service queue" section, headless (Streamlit's AppTest): the ranked open
tickets, one account manager's book, the CSV download, and the empty state before any ticket export."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from netmap import Store
from netmap.ingest.importer import import_paths
from netmap.tickets import QUEUE_COLUMNS

from .conftest import load, open_app

DATA = Path(__file__).parent / "data" / "tickets"
PEOPLE = ("Record ID,Name,Email,Company,Contact owner,Lifecycle Stage,NPS\n"
          "1,Mei Chen,mei.chen@brightwater.example,Brightwater Analytics,Dana Kim,customer,9\n"
          "2,Diego Alvarez,diego.alvarez@acme-robotics.example,Acme Robotics,Eli Ross,customer,3\n"
          "3,Priya Nair,priya.nair@acme-robotics.example,Acme Robotics,Eli Ross,customer,10\n")


def rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_the_queue_its_book_and_its_download(database_url, monkeypatch, downloads):
    store = Store(database_url)
    load(store, ("people.csv", PEOPLE))
    import_paths(store, sorted(DATA.glob("*.csv")))
    store.close()
    at = open_app(monkeypatch, database_url, "pages/nurture.py")
    assert not at.exception and not at.error
    assert "Service queue" in [h.value for h in at.subheader]
    queue = at.dataframe(key="nurture_queue").value
    assert len(queue) == 20 and list(queue["rank"]) == list(range(1, 21))
    assert queue["score"].is_monotonic_decreasing and set(queue["status"]) <= {"open", "pending"}
    name, data = downloads["nurture_queue_csv"]
    assert name == "service-queue.csv" and list(rows(data)[0]) == QUEUE_COLUMNS
    assert [r["ticket_id"] for r in rows(data)] == [str(t) for t in queue["ticket_id"]]

    at.selectbox(key="nurture_owner").set_value("Eli Ross").run()
    assert not at.exception
    mine = at.dataframe(key="nurture_queue").value
    assert 0 < len(mine) < len(queue) and set(mine["owner"]) == {"Eli Ross"}
    assert set(mine["requester"]) == {"Diego Alvarez"}  # Priya Nair has no open ticket


def test_before_any_ticket_export_the_section_says_what_to_import(database_url, monkeypatch):
    store = Store(database_url)
    load(store, ("people.csv", PEOPLE))
    store.close()
    at = open_app(monkeypatch, database_url, "pages/nurture.py")
    assert not at.exception
    assert any("Import a ticket export" in i.value for i in at.info)
    assert "nurture_queue_csv" not in {b.key for b in at.get("download_button")}
