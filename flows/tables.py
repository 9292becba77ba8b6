"""Database tables of process models. Rows carry a `position` so lists export in the order given."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Column, ForeignKeyConstraint
from sqlmodel import Field, SQLModel


class ProcessRow(SQLModel, table=True):
    __tablename__ = "process"
    id: str = Field(primary_key=True)
    section_id: str = Field(foreign_key="section.id", index=True)
    name: str
    position: int = 0


class VersionRow(SQLModel, table=True):
    """One version (before/after) of a process; `revision` grows with every save, so an editor
    that read revision N can tell when someone else saved N+1 in the meantime."""

    __tablename__ = "process_version"
    process_id: str = Field(foreign_key="process.id", primary_key=True)
    version: str = Field(primary_key=True)
    revision: int = 1
    updated_at: dt.datetime | None = None
    updated_by: str | None = None


class StepRow(SQLModel, table=True):
    __tablename__ = "step"
    __table_args__ = (
        ForeignKeyConstraint(["process_id", "version"], ["process_version.process_id", "process_version.version"]),
    )
    process_id: str = Field(primary_key=True)
    version: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    position: int = 0
    name: str | None = None
    kind: str = "task"
    a: str | None = Field(default=None, foreign_key="person.id", index=True)
    b: str | None = Field(default=None, foreign_key="person.id", index=True)
    minutes: float | None = None
    per_month: float | None = None
    skill: str | None = None
    #: The `next` list, in order. Kept in the row: targets are checked by import and editor.
    next: list[str] = Field(default_factory=list, sa_column=Column("next", JSON, nullable=False))
    #: Names and conditions of outgoing flows, [{"to", "name", "condition"}]; null when none.
    branches: list[dict] | None = Field(default=None, sa_column=Column("branches", JSON, nullable=True))
    #: Its place in an imported or drawn BPMN diagram, in `Shape.text()` form; null when we lay it out.
    shape: str | None = None
