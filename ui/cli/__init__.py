"""The `abflow` command line (docs/cli.md). It only parses options, calls the use cases the app
calls, and prints: human tables by default, one JSON document with `--json`. Progress and logs go
to stderr. Exit: 0 done, 1 problems found, 2 bad input, 3 database unreachable or not migratable.

The root command and what commands share are in `base`; the commands, by what they are about,
in `data`, `coverage`, `reform`, `processes` and `admin`, each adding its own to the root."""
from __future__ import annotations

from . import admin, coverage, data, processes, reform, review, standin  # noqa: F401 - importing them adds their commands
from .base import main

__all__ = ["main"]
