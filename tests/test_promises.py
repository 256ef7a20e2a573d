"""The README's promises hold (issue 16, point 5): no warning of a successful import names a
person; every export neutralises formula text (tests/test_net_export.py holds GraphML/GEXF)."""

from __future__ import annotations

import re

import pytest

from netmap import Store
from netmap.cli import main, sample_files
from tools.synth import generate_company, write_company


@pytest.mark.parametrize("company", ["sample", "synthetic"])
def test_a_successful_import_warns_without_naming_anyone(database_url, capsys, tmp_path, company):
    files = sample_files() if company == "sample" else write_company(
        generate_company(300, seed=5), tmp_path / "co", xlsx=False)
    assert main(["--db", database_url, "import", *map(str, files)]) == 0
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if ": warning: " in line]
    assert warnings  # prospects, strengths, sheets are reported ...
    store = Store(database_url)
    try:
        people = store.load_dataset().people
    finally:
        store.close()
    spelled = {p.email for p in people if p.email} | {p.name for p in people if p.name and " " in p.name}
    said = [w.split(": warning: ", 1)[1] for w in warnings]
    named = [m for m in said if "@" in m or any(s in m for s in spelled)]
    assert named == [], named[:5]  # ... by file, row and column only
    assert all(re.match(r"^[^:]+:\d*:[^:]*: warning: ", w) for w in warnings)
    print(f"import warnings ({company}): {len(warnings)} shown, 0 naming a person or an email")
