"""Problems carry a stable code and neutral words; the command line and the app word the remedy.

The library (the import pipeline) says what is wrong and, through
:data:`netmap.errors.CODES`, what would fix it, without naming a command-line flag
or a widget. ``netmap.cli.REMEDIES`` names the flags, ``netmap.ui.remedies.REMEDIES``
the Import page's boxes; both look the remedy up by code, never by message text.
"""

from __future__ import annotations

import ast
import re

import pytest
from streamlit.testing.v1 import AppTest

from netmap import ImportRefused, Store, import_files
from netmap.cli import REMEDIES as CLI_REMEDIES
from netmap.cli import main as cli_main
from netmap.cli import problem_line
from netmap.errors import CODES, Problem
from netmap.ui.remedies import DATE_ORDER_CODE
from netmap.ui.remedies import REMEDIES as APP_REMEDIES

from .conftest import ROOT

FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
AMBIGUOUS = "Record ID,Email,Create Date\n1,ann@acme.com,01/02/2024\n2,bo@acme.com,03/04/2024\n"
#: the library's modules whose messages must stay neutral
NEUTRAL = [ROOT / "netmap" / "errors.py", *sorted((ROOT / "netmap" / "ingest").glob("*.py"))]


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def _codes_used() -> dict[str, str]:
    """Every literal code given to a Problem or a CellError anywhere in netmap: code -> where."""
    used = {}
    for path in sorted((ROOT / "netmap").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            values = [k.value for k in node.keywords if k.arg == "code"]
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name == "CellError" and len(node.args) > 1:
                values.append(node.args[1])
            for v in values:
                if isinstance(v, ast.Constant) and isinstance(v.value, str):
                    used[v.value] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return used


def test_every_code_used_is_documented_and_worded_by_the_cli_and_the_app():
    used = _codes_used()
    assert used, "no code found: the scan is broken"
    assert {c: where for c, where in used.items() if c not in CODES} == {}
    assert set(CLI_REMEDIES) == set(CODES) == set(APP_REMEDIES)
    assert DATE_ORDER_CODE in CODES


def test_codes_and_neutral_fixes_name_no_flag():
    for code, fix in CODES.items():
        assert re.fullmatch(r"[a-z_]+", code)
        assert fix and not FLAG.search(fix), code
    for code, remedy in APP_REMEDIES.items():
        assert not FLAG.search(remedy), code


def test_no_message_in_the_import_pipeline_names_a_cli_flag():
    offenders = []
    for path in NEUTRAL:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
                if FLAG.search(node.value):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    assert offenders == []


@pytest.mark.parametrize("name, body, options", [
    ("dates.csv", AMBIGUOUS, {}),
    ("odd.csv", "Foo,Bar\n1,2\n", {}),
    ("odd.csv", "Foo,Bar\n1,2\n", {"kind": "nonsense"}),
    ("people.csv", "Record ID,Name\n1,Ann\n", {"kind": "people", "mapping": {"nope": "Name", "email": "Nowhere"}}),
    ("two.csv", "Meeting ID,Attendee,Person A,Person B\nm1,Ana,Ana,Bo\n", {}),
    ("refs.csv", "Referrer Email,Referred Email\na@b.co,c@d.co\n", {"from_person": "Ann"}),
    ("people.csv", "Record ID,Name\n1,Ann\n", {"sheet": "People"}),
])
def test_problems_raised_by_the_library_name_no_flag_and_carry_known_codes(store, name, body, options):
    from netmap import ImportOptions

    with pytest.raises(ImportRefused) as refused:
        import_files(store, [(name, body.encode())], ImportOptions(**options))
    problems = [*refused.value.problems, *refused.value.warnings]
    assert any(p.code for p in problems)
    for p in problems:
        assert p.code is None or p.code in CODES
        assert not FLAG.search(p.message) and not FLAG.search(str(p)), str(p)
    assert not FLAG.search(str(refused.value))
    assert any(FLAG.search(problem_line(p)) for p in problems if p.code)  # the command line names its flag


def test_a_problem_reads_file_row_column_message_and_neutral_fix():
    p = Problem("d.csv", 2, "Create Date", "'01/02/2024' is ambiguous (day/month or month/day?)", code="ambiguous_dates")
    assert str(p) == ("d.csv:2:Create Date: '01/02/2024' is ambiguous (day/month or month/day?); "
                      "say which order the dates are in (day first or month first)")
    assert problem_line(p) == ("d.csv:2:Create Date: '01/02/2024' is ambiguous (day/month or month/day?); "
                               "pass --date-order dmy (day first) or --date-order mdy (month first)")
    assert p == Problem("d.csv", 2, "Create Date", p.message)  # the code is not part of a problem's identity
    assert Problem("d.csv", None, None, "bad").fix == ""


def test_the_cli_names_the_date_order_flag_for_ambiguous_dates(database_url, tmp_path, capsys):
    path = tmp_path / "dates.csv"
    path.write_text(AMBIGUOUS, encoding="utf-8")
    assert cli_main(["--db", database_url, "import", str(path)]) == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("dates.csv:2:Create Date:")]
    assert lines and "ambiguous" in lines[0] and "--date-order dmy" in lines[0] and "--date-order mdy" in lines[0]
    assert cli_main(["--db", database_url, "import", str(path), "--date-order", "dmy"]) == 0


def test_the_import_page_offers_the_date_order_for_ambiguous_dates(database_url, monkeypatch):
    monkeypatch.setenv("NETMAP_DATABASE_URL", database_url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("pages/import_data.py").run()
    at.file_uploader[0].set_value([("people.csv", AMBIGUOUS.encode(), "text/csv")])
    at.run()
    assert not at.exception
    problems = next(d.value for d in at.dataframe if list(d.value.columns) == ["file", "row", "column", "problem"])
    words = problems["problem"].tolist()
    assert words and all(APP_REMEDIES[DATE_ORDER_CODE] in w and not FLAG.search(w) for w in words)
    order = at.radio(key="date_order")  # chosen by the problems' code
    assert order.value is None and any(o.startswith("Day first") for o in order.options)
    order.set_value("mdy").run()
    assert not at.exception and not at.button(key="import").disabled
    at.button(key="import").click().run()
    s = Store(database_url)
    try:
        created = s.load_dataset().people[0].created
    finally:
        s.close()
    assert (created.month, created.day) == (1, 2)
