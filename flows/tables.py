"""Database tables of process models. Rows carry a `position` so lists export in the order given."""
from __future__ import annotations

import datetime as dt
import types

from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKeyConstraint, false, true
from sqlmodel import Field, SQLModel

from .fields import STEP, VERSION, FieldSpec


class ProcessRow(SQLModel, table=True):
    __tablename__ = "process"
    id: str = Field(primary_key=True)
    section_id: str = Field(foreign_key="section.id", index=True)
    name: str
    position: int = 0


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
    #: The version's terms (flows.fields.terms_of); None for a draft saved before they existed.
    terms: dict | None = Field(default=None, sa_column=Column("terms", JSON, nullable=True))


def _column(f: FieldSpec) -> tuple[object, object]:
    """A declared step field's column: its annotation and its Field."""
    if f.kind == "id":
        return str, Field(primary_key=True)
    if f.kind == "person":
        return str | None, Field(default=None, foreign_key="person.id", index=True)
    if f.kind == "choice":  # a version's kind may be unknown; a step's has a default
        return (str, Field(default=f.default)) if f.default is not None else (str | None, Field(default=None))
    if f.kind == "number":
        return float | None, Field(default=None)
    if f.kind == "count":
        return int | None, Field(default=None)
    if f.kind == "flag":
        return bool, Field(default=bool(f.default), sa_column=Column(f.name, Boolean, nullable=False,
                                                                     server_default=true() if f.default else false()))
    if f.kind == "names":  # None (unknown) apart from [] (none)
        return list[str] | None, Field(default=None, sa_column=Column(f.name, JSON, nullable=True))
    if f.kind == "ids":  # a list kept in the row: targets are checked by import and editor
        return list[str], Field(default_factory=list, sa_column=Column(f.name, JSON, nullable=False))
    if f.kind == "branches":
        return list[dict] | None, Field(default=None, sa_column=Column(f.name, JSON, nullable=True))
    return str | None, Field(default=None)  # text, shape (in Shape.text() form)


def _row(name: str, table: str, doc: str, keys: dict[str, tuple[object, object]], fields, table_args=()
         ) -> type[SQLModel]:
    """A table whose key columns are `keys` (name → annotation, Field) and whose other columns
    follow the declared fields `fields`."""
    annotations: dict[str, object] = {k: a for k, (a, _) in keys.items()}
    body: dict[str, object] = {"__tablename__": table, "__module__": __name__, "__doc__": doc,
                               "__table_args__": table_args, **{k: f for k, (_, f) in keys.items()}}
    for f in fields:
        annotations[f.name], body[f.name] = _column(f)
    body["__annotations__"] = annotations
    return types.new_class(name, (SQLModel,), {"table": True}, lambda ns: ns.update(body))


VersionRow = _row(
    "VersionRow", "process_version",
    "One version (before/after) of a process and its terms (flows.model.Version); `revision` grows with "
    "every save, so an editor that read revision N can tell when someone else saved N+1 in the meantime.",
    {"process_id": (str, Field(foreign_key="process.id", primary_key=True)), "version": (str, Field(primary_key=True)),
     "revision": (int, Field(default=1)), "updated_at": (dt.datetime | None, Field(default=None)),
     "updated_by": (str | None, Field(default=None))},
    VERSION)

StepRow = _row(
    "StepRow", "step",
    "A step of a process version; its columns follow the fields declared on flows.model.Step.",
    {"process_id": (str, Field(primary_key=True)), "version": (str, Field(primary_key=True)),
     "position": (int, Field(default=0))},
    STEP, (ForeignKeyConstraint(["process_id", "version"], ["process_version.process_id", "process_version.version"]),))
