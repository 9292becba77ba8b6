"""Import problems that name the file, the entry, where it is, and the field."""
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
        place = f" ({self.where})" if self.where else ""
        fld = f", field '{self.field}'" if self.field else ""
        return f"{self.file}: {self.entry}{place}{fld}: {self.message}"


class WorkbookError(Exception):
    """Raised with every problem found, so a user fixes a file in one pass rather than one by one."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
