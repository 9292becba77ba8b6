"""The data flows one way: domain packages never import the UI, and flows knows nothing of roles."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imports_of(package: str) -> dict[str, set[str]]:
    out = {}
    for path in (ROOT / package).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        out[str(path.relative_to(ROOT))] = names
    return out


@pytest.mark.parametrize("package,forbidden", [
    ("flows", {"roles", "ui", "streamlit", "click", "rich"}),
    ("roles", {"ui", "streamlit", "click", "rich"}),
])
def test_domain_code_does_not_reach_up(package, forbidden):
    bad = {f: names & forbidden for f, names in imports_of(package).items() if names & forbidden}
    assert bad == {}
