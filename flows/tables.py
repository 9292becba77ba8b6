"""Database tables of process models. Rows carry a `position` so lists export in the order given."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Column, DateTime, ForeignKeyConstraint
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


class DraftRow(SQLModel, table=True):
    """A section head's unpublished edit of one version: kept apart from the live steps (the roster
    and the published charts never see it) until it is published. No foreign key to the process, so
    a department re-import that keeps the process keeps the draft; the import drops the others."""

    __tablename__ = "process_draft"
    process_id: str = Field(primary_key=True)
    version: str = Field(primary_key=True)
    #: The steps in the step table's column form (see flows.store.step_fields).
    steps: list[dict] = Field(default_factory=list, sa_column=Column("steps", JSON, nullable=False))
    base_revision: int = 0        # the live revision the draft started from: publishing checks it
    #: The live steps at `base_revision`, so a refused publish can show what others changed since.
    base: list[dict] = Field(default_factory=list, sa_column=Column("base", JSON, nullable=False))
    revision: int = 1             # grows with every draft save: two heads' draft saves cannot cross
    saved_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    saved_by: str | None = None


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
