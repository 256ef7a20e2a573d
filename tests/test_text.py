"""netmap.text: dates and times as people read them."""

from datetime import date, datetime, timedelta, timezone

from netmap.text import day, when


def test_a_day_is_said_not_coded():
    assert day(date(2023, 3, 16)) == "16 Mar 2023"
    assert day("2023-03-16") == day(datetime(2023, 3, 16, 9, 30)) == "16 Mar 2023"
    assert day(None) == day("") == ""
    assert day("not a date") == "not a date"


def test_a_moment_is_said_in_utc():
    assert when("2026-12-02T11:36:15+00:00") == "2 Dec 2026, 11:36 UTC"
    paris = datetime(2026, 12, 2, 12, 36, tzinfo=timezone(timedelta(hours=1)))
    assert when(paris) == "2 Dec 2026, 11:36 UTC"
    assert when(None) == ""
