"""Database tables of process models. Rows carry a `position` so lists export in the order given."""
from __future__ import annotations

import datetime as dt
import types

from sqlalchemy import JSON, Column, DateTime, ForeignKeyConstraint
from sqlmodel import Field, SQLModel

from .fields import STEP, FieldSpec


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
    #: The steps in the step table's column form (flows.fields.stored_step).
    steps: list[dict] = Field(default_factory=list, sa_column=Column("steps", JSON, nullable=False))
    base_revision: int = 0        # the live revision the draft started from: publishing checks it
    #: The live steps at `base_revision`, so a refused publish can show what others changed since.
    base: list[dict] = Field(default_factory=list, sa_column=Column("base", JSON, nullable=False))
    revision: int = 1             # grows with every draft save: two heads' draft saves cannot cross
    saved_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    saved_by: str | None = None


def _column(f: FieldSpec) -> tuple[object, object]:
    """A declared step field's column: its annotation and its Field."""
    if f.kind == "id":
        return str, Field(primary_key=True)
    if f.kind == "person":
        return str | None, Field(default=None, foreign_key="person.id", index=True)
    if f.kind == "choice":
        return str, Field(default=f.default)
    if f.kind == "number":
        return float | None, Field(default=None)
    if f.kind == "ids":  # a list kept in the row: targets are checked by import and editor
        return list[str], Field(default_factory=list, sa_column=Column(f.name, JSON, nullable=False))
    if f.kind == "branches":
        return list[dict] | None, Field(default=None, sa_column=Column(f.name, JSON, nullable=True))
    return str | None, Field(default=None)  # text, shape (in Shape.text() form)


def _step_row() -> type[SQLModel]:
    """The `step` table: its key and position, then a column per field declared on `Step`."""
    annotations: dict[str, object] = {"process_id": str, "version": str, "position": int}
    body: dict[str, object] = {
        "__tablename__": "step", "__module__": __name__,
        "__doc__": "A step of a process version; its columns follow the fields declared on flows.model.Step.",
        "__table_args__": (ForeignKeyConstraint(["process_id", "version"],
                                                ["process_version.process_id", "process_version.version"]),),
        "process_id": Field(primary_key=True), "version": Field(primary_key=True), "position": 0}
    for f in STEP:
        annotations[f.name], body[f.name] = _column(f)
    body["__annotations__"] = annotations
    return types.new_class("StepRow", (SQLModel,), {"table": True}, lambda ns: ns.update(body))


StepRow = _step_row()
