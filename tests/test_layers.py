"""The data flows one way: domain packages never import the UI, and flows knows nothing of roles."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imports_of(package: str, depth: int = 1) -> dict[str, set[str]]:
    """Per file of `package`, the modules it imports, cut to their first `depth` parts."""
    out = {}
    for path in (ROOT / package).rglob("*.py"):
        if "node_modules" in path.parts:
            continue
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(".".join(a.name.split(".")[:depth]) for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(".".join(node.module.split(".")[:depth]))
                names.update(f"{node.module}.{a.name}" for a in node.names)  # from roles import store
        out[str(path.relative_to(ROOT))] = names
    return out


#: What only roles/storage speaks: the database's libraries and drivers.
DATABASE = {"sqlalchemy", "sqlmodel", "alembic", "psycopg", "sqlite3"}


@pytest.mark.parametrize("package,forbidden", [
    ("flows", {"roles", "ui", "streamlit", "click", "rich"} | DATABASE),  # models and pure functions, no SQL
    ("roles", {"ui", "streamlit", "click", "rich"}),
])
def test_domain_code_does_not_reach_up(package, forbidden):
    bad = {f: names & forbidden for f, names in imports_of(package).items() if names & forbidden}
    assert bad == {}


def test_only_storage_speaks_sql():
    """One front door: the database's libraries are imported in roles/storage only (its
    migrations included), nowhere else in roles."""
    bad = {f: names & DATABASE for f, names in imports_of("roles").items()
           if names & DATABASE and not f.startswith("roles/storage/")}
    assert bad == {}


def test_storage_reaches_no_reader_engine_use_case_or_notice():
    """Storage keeps rows and hands back plain data: it parses no file, runs no engine and calls
    no use case; the use cases put reading, checking and storing together."""
    above = ("roles.formats", "roles.engines", "roles.actions", "roles.notify", "roles.demo")
    bad = {f: sorted(n for n in names if n.startswith(above))
           for f, names in imports_of("roles/storage", depth=9).items() if any(n.startswith(above) for n in names)}
    assert bad == {}
    # nor in a string (a lazy import, a stored job's name), but for migrations: they rename what is stored
    named = [f"{path.relative_to(ROOT)}: {node.value}" for path in (ROOT / "roles" / "storage").rglob("*.py")
             if "migrations" not in path.parts
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith(above)]
    assert named == []


@pytest.mark.parametrize("package", ["flows", "roles"])
def test_domain_code_names_no_front_end_in_a_string_either(package):
    """A module named in text (a stored job's function, a lazy import) is an import all the same."""
    import re
    named = re.compile(r"(ui|streamlit|click)(\.\w+)+(:\w+)?")
    bad = [f"{path.relative_to(ROOT)}: {node.value}" for path in (ROOT / package).rglob("*.py")
           for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
           if isinstance(node, ast.Constant) and isinstance(node.value, str) and named.fullmatch(node.value)]
    assert bad == []


def test_the_front_ends_reach_the_database_only_through_the_use_cases():
    """The CLI and every page call roles.actions for anything stored: no session, store, table or
    database driver in ui/, so no front end can skip a guard."""
    storage = (*DATABASE, "roles.storage")
    bad = {f: sorted(n for n in names if n.startswith(storage))
           for f, names in imports_of("ui", depth=9).items() if any(n.startswith(storage) for n in names)}
    assert bad == {}


def test_the_use_cases_are_found_where_their_modules_say():
    """roles.actions loads a module when one of its names is first asked for (`_WHERE`): each
    module's __all__ is exactly what `_WHERE` says it holds, and every module is listed there."""
    import importlib

    from roles.actions import _WHERE
    modules = {p.stem for p in (ROOT / "roles" / "actions").glob("*.py") if p.stem != "__init__"}
    assert set(_WHERE) == modules
    for module, names in _WHERE.items():
        assert sorted(names) == sorted(importlib.import_module(f"roles.actions.{module}").__all__), module


def test_the_repository_stands_alone():
    """A user clones this repository only: no code, test, benchmark, Makefile or README command may
    read a folder beside it."""
    files = [p for d in ("flows", "roles", "ui", "tests", "bench", ".ci") for p in (ROOT / d).rglob("*")
             if p.is_file() and p.suffix in (".py", "") and "node_modules" not in p.parts]
    files += [ROOT / "Makefile", ROOT / "README.md", ROOT / "pyproject.toml"]
    beside = "shared"  # spelled apart, so this guard is not itself a hit of the check it makes
    outside = (f"../{beside}", "parents[2]", f'parent / "{beside}"')
    bad = [f"{p.relative_to(ROOT)}: {word}" for p in files for word in outside
           if word in p.read_text(encoding="utf-8", errors="replace") and p != Path(__file__)]
    assert bad == []


def test_the_roster_command_loads_no_library_it_does_not_use(bianban, db_url):
    """`abflow roster|gaps|whatif` start without the solver (and pandas with it), Apprise, the
    scheduler, Excel, BPMN, Graphviz or Streamlit: each use case's module is imported when asked for.
    A roster and gaps read on the bare driver, without SQLAlchemy or SQLModel (half a city roster's
    time was importing them)."""
    import subprocess
    import sys
    probe = ("import sys\nfrom ui.cli import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print(' '.join(sorted(m for m in ('ortools', 'pandas', 'numpy', 'apprise', 'apscheduler', 'openpyxl', "
             "'lxml', 'graphviz', 'streamlit', 'icalendar', 'cryptography', 'sqlalchemy', 'sqlmodel') "
             "if m in sys.modules)), file=sys.stderr)")
    for args in (["roster", "--date", "2026-11-25", "--json"], ["gaps", "--from", "2026-11-25", "--to", "2026-12-08", "--json"],
                 ["whatif", "--person", "bb05", "--from", "2026-11-25", "--to", "2026-11-27", "--json"]):
        done = subprocess.run([sys.executable, "-c", probe, "--db", db_url, *args], capture_output=True, text=True,
                              cwd=ROOT, env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
        assert done.returncode == 0 and '"' in done.stdout, done.stderr
        assert done.stderr.strip().splitlines()[-1:] in ([], [""]), f"{args[0]} loaded {done.stderr.strip()}"
