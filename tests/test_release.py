"""The lock (requirements/lock.txt) is what runs, and the release says what it is: every dependency pyproject.toml names is pinned in
it, with hashes, at a version its range admits, and this environment (made by `make setup`, as CI
makes it) has each locked package at exactly the locked version."""
from __future__ import annotations

import re
import tomllib
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .conftest import ROOT

LOCK = ROOT / "requirements" / "lock.txt"


def locked() -> dict[str, tuple[str, int]]:
    """name → (version, how many hashes)."""
    out: dict[str, tuple[str, int]] = {}
    for entry in re.split(r"\n(?=[A-Za-z0-9])", LOCK.read_text()):
        m = re.match(r"([A-Za-z0-9_.\-]+)==([^\s\\]+)", entry)
        if m:
            out[canonicalize_name(m.group(1))] = (m.group(2), entry.count("--hash=sha256:"))
    return out


def test_every_dependency_is_locked_with_hashes_within_its_range():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(r) for r in (*project["dependencies"], *project["optional-dependencies"]["dev"])]
    pins = locked()
    assert len(pins) > 50
    for req in wanted:
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not in {LOCK.name}: run make lock"
        version, hashes = pins[name]
        assert hashes >= 1, name
        assert req.specifier.contains(version, prereleases=True), f"{name} {version} is outside {req.specifier}"
    assert all(hashes >= 1 for _, hashes in pins.values())


def test_this_environment_is_the_lock():
    pins = locked()
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    differ = {name: (version, installed.get(name)) for name, (version, _) in pins.items()
              if installed.get(name) != version}
    assert not differ, f"installed differently from the lock (make setup installs it): {differ}"


def test_the_version_is_the_changelogs_newest_release_and_names_its_schema(cli):
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    from roles.storage.migrate import HEAD
    result = cli("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"abflow {version} (database schema {HEAD})"
    newest = re.search(r"^## (\S+) — \S+ \(schema (\d+)\)", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert newest and newest.groups() == (version, HEAD)
