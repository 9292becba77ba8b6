"""The command reference of docs/cli.md, made from the commands themselves, so that it lists every
command with the options it really takes (tests/ui/test_cli_reference.py holds the file to it).

`python -m ui.cli_reference` rewrites that part of docs/cli.md (`make docs`); nothing else in it
is touched."""
from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from .cli import main

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
BEGIN = "<!-- command reference: made by `make docs` from the commands; edit their help, not this -->"
END = "<!-- end of the command reference -->"


def commands(group: click.Group = main, path: tuple[str, ...] = ()) -> Iterator[tuple[str, click.Command]]:
    """Every command a user can run, as `abflow …` words and its click command: each leaf, and a
    group that also runs on its own (`abflow api`, `abflow audit`)."""
    for name in sorted(group.commands):
        command = group.commands[name]
        words = (*path, name)
        if isinstance(command, click.Group):
            if command.invoke_without_command:
                yield " ".join(words), command
            yield from commands(command, words)
        else:
            yield " ".join(words), command


def _first_sentence(text: str | None) -> str:
    text = " ".join((text or "").split("\b")[0].split())
    return re.split(r"(?<=\.)\s(?=[A-Z`(])", text, maxsplit=1)[0].rstrip(":;")


def _option(param: click.Parameter) -> str:
    if not isinstance(param, click.Option):
        return ""
    name = max(param.opts, key=len)
    if param.is_flag:
        return f"`{'/'.join([name, *param.secondary_opts])}`"
    metavar = param.metavar or (param.type.name.upper() if not isinstance(param.type, click.Choice)
                                else "|".join(map(str, param.type.choices)))
    shown = f"{name} {metavar}"
    return f"`{shown}`" + (" …" if param.multiple else "")


def reference() -> str:
    """The reference as Markdown: one row a command, its arguments, options and what it does."""
    rows = ["| command | options | what it does |", "|---|---|---|"]
    for words, command in commands():
        ctx = click.Context(command, info_name=words)
        arguments = " ".join(p.make_metavar(ctx) for p in command.params if isinstance(p, click.Argument))
        options = ", ".join(o for p in command.params if not getattr(p, "hidden", False) and (o := _option(p)))
        call = f"abflow {words}" + (f" {arguments}" if arguments else "")
        row = (f"`{call}`", options or "—", _first_sentence(command.help))
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    return "\n".join(rows) + "\n"


def with_reference(doc: str) -> str:
    """`doc` with the part between the markers made anew (appended, with them, when missing)."""
    block = f"{BEGIN}\n{reference()}{END}"
    if BEGIN in doc and END in doc:
        head, rest = doc.split(BEGIN, 1)
        return head + block + rest.split(END, 1)[1]
    return doc.rstrip("\n") + "\n\n## Every command\n\n" + block + "\n"


if __name__ == "__main__":
    text = DOC.read_text(encoding="utf-8")
    made = with_reference(text)
    if made != text:
        DOC.write_text(made, encoding="utf-8")
    sys.stdout.write(f"{DOC}: {sum(1 for _ in commands())} commands\n")
