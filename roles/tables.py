"""Database tables of the organisation: departments, sections before and after, duties, people,
absences, calendar overrides. Rows carry a `position` so lists export in the order given."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class DepartmentRow(SQLModel, table=True):
    __tablename__ = "department"
    id: str = Field(primary_key=True)
    name: str
    batch: int | None = None
    position: int = 0


class SectionBeforeRow(SQLModel, table=True):
    __tablename__ = "section_before"
    id: str = Field(primary_key=True)
    department_id: str = Field(foreign_key="department.id", index=True)
    name: str
    staff: int | None = None
    position: int = 0


class SectionRow(SQLModel, table=True):
    __tablename__ = "section"
    id: str = Field(primary_key=True)
    department_id: str = Field(foreign_key="department.id", index=True)
    name: str
    kind: str = "business"
    staffing: int | None = None
    leader_posts: int | None = None
    counterparts: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    position: int = 0


class SectionMergeRow(SQLModel, table=True):
    """Which pre-reform sections a big section was merged from."""

    __tablename__ = "section_merge"
    section_id: str = Field(foreign_key="section.id", primary_key=True)
    before_id: str = Field(foreign_key="section_before.id", primary_key=True)
    position: int = 0


class DutyRow(SQLModel, table=True):
    """A duty (职能) from the department's 三定 rules; the workbook calls these `functions`."""

    __tablename__ = "duty"
    id: str = Field(primary_key=True)
    department_id: str = Field(foreign_key="department.id", index=True)
    name: str
    approval: bool = False
    position: int = 0


class SectionDutyRow(SQLModel, table=True):
    __tablename__ = "section_duty"
    section_id: str = Field(foreign_key="section.id", primary_key=True)
    duty_id: str = Field(foreign_key="duty.id", primary_key=True)
    position: int = 0


class PersonRow(SQLModel, table=True):
    __tablename__ = "person"
    id: str = Field(primary_key=True)
    section_id: str = Field(foreign_key="section.id", index=True)
    name: str
    post: str = "staff"
    skills: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    position: int = 0


class AbsenceRow(SQLModel, table=True):
    __tablename__ = "absence"
    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(foreign_key="person.id", index=True)
    start: dt.date = Field(index=True)
    end: dt.date = Field(index=True)
    reason: str = "leave"


class CalendarRow(SQLModel, table=True):
    __tablename__ = "calendar_day"
    date: dt.date = Field(primary_key=True)
    workday: bool
    note: str | None = None


class DataVersionRow(SQLModel, table=True):
    """One row whose counter every write transaction bumps: readers (the app's cache) compare it
    instead of reloading the whole workbook on each click."""

    __tablename__ = "data_version"
    id: int = Field(default=1, primary_key=True)
    n: int = 0
