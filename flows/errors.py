"""The errors abflow reports to its users, in one hierarchy: the CLI turns an `AbflowError` into
its message and exit code in one place, the app into one kind of message, and no front end needs
to know which layer raised it.

Bad input names the file, the entry (and its line or sheet/row where the format has one) and the
field, and lists every problem at once, so a user fixes a file in one pass rather than one by one.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    entry: str  # e.g. "person bb04" or "process bb-p1, version after, step s3"
    where: str | None  # "line 12", "sheet 'people', row 5", or None where the format has none
    field: str | None
    message: str

    def __str__(self) -> str:
        if not (self.file or self.entry):  # a plain message, as `BadInput("…")` makes
            return self.message
        place = f" ({self.where})" if self.where else ""
        fld = f", field '{self.field}'" if self.field else ""
        return f"{self.file}: {self.entry}{place}{fld}: {self.message}"


class AbflowError(Exception):
    """Anything abflow refuses or cannot do, said in words for the user. `exit_code` is the CLI's
    (docs/cli.md): 1 the command ran and found problems, 2 bad input, 3 no database."""

    exit_code = 1


class CannotWrite(AbflowError):
    """A file or folder could not be written (a full disk, no permission); what was half-written
    is gone and what was there before is unchanged."""


class BadInput(AbflowError):
    """A file, an entry or an option that cannot be taken; nothing was changed. Carries every
    problem found (`problems`); a plain message is one problem with no file."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | str, more: int = 0):
        self.problems = [Problem("", "", None, None, problems)] if isinstance(problems, str) else list(problems)
        self.more = more  # problems found beyond those listed (a file can hold millions)
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        out = [str(p) for p in self.problems]
        return out + ([f"… and {self.more:,} more problem(s) not listed"] if self.more else [])


class Problems(list):
    """Problems as a reader finds them: the first `limit` kept, the rest only counted, so a file
    with millions of bad rows costs no more memory than one with a hundred."""

    def __init__(self, limit: int = 100):
        super().__init__()
        self.limit, self.more = limit, 0

    def append(self, problem: Problem) -> None:
        if len(self) < self.limit:
            super().append(problem)
        else:
            self.more += 1

    @property
    def full(self) -> bool:
        """Enough found to refuse the file: a reader may stop looking."""
        return self.more > 0

    def error(self) -> BadInput:
        return BadInput(list(self), self.more)


class NotFound(BadInput):
    """An id that names nothing in the database (a person, a section, a process)."""

    def __init__(self, kind: str, ident: str, where: str = "the database"):
        self.kind, self.ident = kind, ident
        super().__init__(f"no {kind} '{ident}' in {where}")


class Conflict(AbflowError):
    """Someone changed the data after it was read: reload and redo, nothing was lost. `by` names
    who, where the record says (a page tells the user whose change to look at)."""

    def __init__(self, message: str, by: str | None = None):
        super().__init__(message)
        self.by = by


class PermissionDenied(AbflowError):
    """The signed-in account may not do this (its role, or someone else's section)."""

    exit_code = 2


class Unreachable(AbflowError):
    """An outside service (the OA, DingTalk, WeCom) could not be reached or refused the call;
    nothing was changed."""


class DatabaseUnavailable(AbflowError):
    """The database could not be reached or brought to the current schema."""

    exit_code = 3
