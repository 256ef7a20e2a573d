"""Time the app's pages headless: ``python benchmarks/app_pages.py DB_URL OUT.json PAGE...``.

Run by ``python -m benchmarks.bench`` (its ``page X`` rows) as a process of its own.
It lives here, not in ``netmap/``, because it drives Streamlit (its AppTest) and
the library stays free of the UI.

Each page (a file name in ``pages/`` without ``.py``; ``profile`` is the Person
page on the best-connected person, ego graph drawn) is run twice on a database
whose measures are stored: the first visit in a fresh app (in-memory caches
empty), then again. Writes ``{page: [first s, again s]}`` to OUT.json.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def best_connected(url: str) -> int:
    """The person whose profile the ``profile`` rows open: the most ties, then the lowest id
    (the stored measures of the database at ``url``)."""
    from netmap.analysis import measures
    from netmap.storage.store import Store

    store = Store(url)
    try:
        people = measures(store).people
    finally:
        store.close()
    return int(people.sort_values(["degree", "person_id"], ascending=[False, True])["person_id"].iloc[0])


def main(argv: list[str]) -> int:
    url, out, pages = argv[0], argv[1], argv[2:]
    os.environ["NETMAP_DATABASE_URL"] = url
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()  # starts Streamlit and opens the Overview: not a page answer
    hub = best_connected(url)
    times = {}
    for page in pages:
        laps = []
        for _ in range(2):
            if page == "profile":
                at.query_params["id"] = str(hub)
            t0 = time.perf_counter()
            at.switch_page(f"pages/{'person' if page == 'profile' else page}.py").run()
            laps.append(time.perf_counter() - t0)
            if at.exception:
                raise SystemExit(f"page {page}: {at.exception[0].message}")
        times[page] = laps
    Path(out).write_text(json.dumps(times))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
