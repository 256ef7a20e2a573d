"""The library stays free of the UI: only netmap/ui/ imports Streamlit (pages call the library)."""

from __future__ import annotations

import ast

from .conftest import ROOT


def test_only_netmap_ui_imports_streamlit():
    offenders = []
    for path in sorted((ROOT / "netmap").rglob("*.py")):
        if (ROOT / "netmap" / "ui") in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.relative_to(ROOT)}:{node.lineno}" for n in names if n.split(".")[0] == "streamlit"]
    assert offenders == []
