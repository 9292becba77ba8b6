"""The docs say what the commands are: docs/cli.md's reference is made from them, the README
shows each in use, and each one's --help runs (datasette holds its docs to its code the same way)."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from ui.cli import main
from ui.cli_reference import DOC, commands, with_reference

from ..conftest import ROOT

COMMANDS = dict(commands())


def test_the_command_reference_in_docs_is_made_from_the_commands():
    text = DOC.read_text(encoding="utf-8")
    assert with_reference(text) == text, "docs/cli.md's command reference is out of date: run `make docs`"


def test_the_reference_lists_the_commands_a_user_knows():
    assert {"roster", "bpmn import", "accounts add", "api", "api client add", "audit", "audit verify"} <= set(COMMANDS)
    assert len(COMMANDS) >= 50


def test_the_readme_shows_every_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert [w for w in COMMANDS if f"abflow {w}" not in readme] == []


@pytest.mark.parametrize("words", COMMANDS)
def test_each_command_explains_itself(words):
    result = CliRunner().invoke(main, [*words.split(), "--help"], prog_name="abflow")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: abflow {words}")
    assert COMMANDS[words].help and COMMANDS[words].help.split()[0] in result.output
