"""Layers hold: only netmap/storage/ speaks SQL (SQLAlchemy, SQLModel); only the UI
(netmap/ui/, app.py, pages/, serve.py) imports Streamlit; the library stays free of both.

Imports are read with ``ast``, so imports inside functions count too."""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import ROOT

#: Modules outside netmap/storage/ that still run SQL of their own, each to move into
#: netmap/storage/ (issue 14). The list may only shrink: a listed module that no longer
#: imports SQLAlchemy fails the test below until it is taken off.
SQL_NOT_YET_MOVED: set[str] = set()


def _sources() -> list[Path]:
    files = [*(ROOT / "netmap").rglob("*.py"), *(ROOT / "pages").rglob("*.py"), ROOT / "app.py", ROOT / "serve.py"]
    return sorted(p for p in files if p.exists())


def _imports(path: Path) -> set[str]:
    """Top-level package names ``path`` imports (absolute imports, anywhere in the file)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_the_walk_sees_the_code():
    names = {_rel(p) for p in _sources()}
    assert {"app.py", "serve.py", "netmap/cli.py", "netmap/storage/store.py"} <= names
    assert any(n.startswith("pages/") for n in names) and any(n.startswith("netmap/ui/") for n in names)


def test_only_netmap_storage_imports_sqlalchemy_or_sqlmodel():
    speaking = {_rel(p) for p in _sources() if _imports(p) & {"sqlalchemy", "sqlmodel"}}
    outside = {n for n in speaking if not n.startswith("netmap/storage/")}
    assert outside - SQL_NOT_YET_MOVED == set(), "SQL outside netmap/storage/"
    assert SQL_NOT_YET_MOVED - outside == set(), "moved: take it off SQL_NOT_YET_MOVED"


def test_only_netmap_ui_imports_streamlit():
    ui = ("netmap/ui/", "pages/")
    offenders = [n for p in _sources() if "streamlit" in _imports(p)
                 if not ((n := _rel(p)).startswith(ui) or n in ("app.py", "serve.py"))]
    assert offenders == []
