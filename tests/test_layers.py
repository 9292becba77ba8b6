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


def test_the_repository_stands_alone():
    """A user clones this repository only: no code, test, benchmark, Makefile or README command may
    read a folder beside it."""
    files = [p for d in ("flows", "roles", "ui", "tests", "bench", ".ci") for p in (ROOT / d).rglob("*")
             if p.is_file() and p.suffix in (".py", "") and "node_modules" not in p.parts]
    files += [ROOT / "Makefile", ROOT / "README.md", ROOT / "pyproject.toml"]
    outside = ("../shared", "parents[2]", 'parent / "shared"')
    bad = [f"{p.relative_to(ROOT)}: {word}" for p in files for word in outside
           if word in p.read_text(encoding="utf-8", errors="replace") and p != Path(__file__)]
    assert bad == []
