"""The database's tables: the organisation (departments, sections before and after, duties, people,
absences, calendar overrides), processes with their versions, steps and drafts, accounts,
sessions, audit, handovers, notices and jobs. Rows carry a `position` so lists export in the order
given. A step's and a version's columns follow the fields declared on flows.model (`_row`)."""
from __future__ import annotations

import datetime as dt

import types

from sqlalchemy import (JSON, Boolean, Column, DateTime, Float, ForeignKey, ForeignKeyConstraint, Integer, LargeBinary,
                        Unicode, UniqueConstraint, false, true)
from sqlmodel import Field, SQLModel

from flows.fields import STEP, VERSION, FieldSpec


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
    before_id: str = Field(foreign_key="section_before.id", primary_key=True, index=True)
    position: int = 0


class FunctionRow(SQLModel, table=True):
    """A duty (职能) from the department's 三定 rules: a `function` of the workbook."""

    __tablename__ = "function"
    id: str = Field(primary_key=True)
    department_id: str = Field(foreign_key="department.id", index=True)
    name: str
    approval: bool = False
    position: int = 0


class SectionFunctionRow(SQLModel, table=True):
    __tablename__ = "section_function"
    section_id: str = Field(foreign_key="section.id", primary_key=True)
    function_id: str = Field(foreign_key="function.id", primary_key=True, index=True)
    position: int = 0


class PersonRow(SQLModel, table=True):
    __tablename__ = "person"
    id: str = Field(primary_key=True)
    section_id: str = Field(foreign_key="section.id", index=True)
    name: str
    post: str = "staff"
    skills: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    section_before_id: str | None = None
    position: int = 0


class AbsenceRow(SQLModel, table=True):
    __tablename__ = "absence"
    __table_args__ = (UniqueConstraint("external_id", name="uq_absence_external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(foreign_key="person.id", index=True)
    start: dt.date = Field(index=True)
    end: dt.date = Field(index=True)
    reason: str = "leave"
    start_half: str | None = None  # "pm": begins at noon
    end_half: str | None = None    # "am": ends at noon
    # the OA's approval it came from ("dingtalk:ID", "wecom:SP_NO"): a pull again finds it
    external_id: str | None = None


class PowerChangeRow(SQLModel, table=True):
    """A change to the power list (roles.model.PowerChange); by power id, no foreign key, since a
    cancelled power's row is gone. `was` keeps the power as it stood before the change."""

    __tablename__ = "power_change"
    id: int | None = Field(default=None, primary_key=True)
    power_id: str = Field(index=True)
    name: str
    kind: str
    document: str
    date: dt.date = Field(index=True)
    note: str = ""
    was: dict | None = Field(default=None, sa_column=Column(JSON))
    recorded_by: str
    recorded_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    #: "submitted" (waiting for review: the list as it was), "approved" (on the list) or "returned"
    state: str = "approved"
    decider: str | None = None
    decided_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    decision: str | None = None    # the reviewer's note


class StandInRow(SQLModel, table=True):
    """A named stand-in (roles.model.StandIn) and who named it when; people by id, no foreign key
    (a workbook import replaces a department's people)."""

    __tablename__ = "standin"
    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(index=True)
    standin_id: str = Field(index=True)
    start: dt.date
    end: dt.date
    steps: list[str] = Field(default_factory=list, sa_column=Column("steps", JSON, nullable=False))
    state: str = "asked"
    named_by: str
    named_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    decided_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))


class DutyViewRow(SQLModel, table=True):
    """What a person was last known to act on over the next workdays (roles.engines.duty_changes):
    the days looked at (ISO dates) and an entry per step and day; by person id, no foreign key."""

    __tablename__ = "duty_view"
    person_id: str = Field(primary_key=True)
    days: list[str] = Field(default_factory=list, sa_column=Column("days", JSON, nullable=False))
    entries: list[list[str]] = Field(default_factory=list, sa_column=Column("entries", JSON, nullable=False))
    updated: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class CalendarRow(SQLModel, table=True):
    __tablename__ = "calendar_day"
    date: dt.date = Field(primary_key=True)
    workday: bool
    note: str | None = None


class CalendarYearRow(SQLModel, table=True):
    """A year whose State Council schedule the office loaded as calendar overrides: its calendar is
    official, not estimated, even before the national calendar library knows it."""

    __tablename__ = "calendar_year"
    year: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    loaded_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    loaded_by: str
    source: str  # the file it came from


class DataVersionRow(SQLModel, table=True):
    """One row whose counter every write transaction bumps: readers (the app's cache) compare it
    instead of reloading the whole workbook on each click."""

    __tablename__ = "data_version"
    id: int = Field(default=1, primary_key=True)
    n: int = 0


class ContactRow(SQLModel, table=True):
    """Where a person's notices go: an Apprise URL (mailto://, wecombot://, dingtalk://, json://…),
    sealed (`roles.storage.vault`), with its masked form for showing and a keyed fingerprint that
    tells apart two contacts whose masked forms are the same."""

    __tablename__ = "contact"
    __table_args__ = (UniqueConstraint("person_id", "ref", name="uq_contact_ref"),)
    person_id: str = Field(foreign_key="person.id", primary_key=True)
    position: int = Field(default=0, primary_key=True)
    ref: str
    masked: str
    sealed: str


class DispatchRow(SQLModel, table=True):
    """Every notice sent or tried: the unique key is what makes two schedulers never send twice,
    the one that inserts the row first sends it."""

    __tablename__ = "dispatch"
    __table_args__ = (UniqueConstraint("day", "kind", "recipient", "target", name="uq_dispatch_once"),)
    id: int | None = Field(default=None, primary_key=True)
    day: dt.date = Field(index=True)
    kind: str  # "duties" | "gaps"
    recipient: str
    target: str  # the contact: its masked URL and its fingerprint (dispatch.Contact.target)
    title: str
    body: str
    status: str = "sending"  # sending | sent | delivered | read | failed | gave-up
    attempts: int = 0
    error: str | None = None
    receipt: str | None = None  # a work notice's platform reference: what became of it is asked later
    updated: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class SchedulerJobRow(SQLModel, table=True):
    """APScheduler's job store table, declared here so our migrations make it (the store's own
    create-if-missing then finds it) and both processes of a deployment share it."""

    __tablename__ = "apscheduler_jobs"
    id: str = Field(sa_column=Column(Unicode(191), primary_key=True))
    next_run_time: float | None = Field(default=None, sa_column=Column(Float(25), index=True))
    job_state: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class ExemptionRow(SQLModel, table=True):
    __tablename__ = "exemption"
    department_id: str = Field(foreign_key="department.id", primary_key=True)
    position: int = Field(primary_key=True)
    rule: str
    subject: str | None = None
    reason: str


class PowerRow(SQLModel, table=True):
    """An item of the power and responsibility list (权责清单)."""

    __tablename__ = "power"
    id: str = Field(primary_key=True)
    department_id: str = Field(foreign_key="department.id", index=True)
    name: str
    kind: str | None = None
    section_id: str | None = Field(default=None, foreign_key="section.id", index=True)
    processes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    responsibilities: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    accountability: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    basis: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    steps: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    position: int = 0


class MatterRow(SQLModel, table=True):
    """A matter done once (一件事一次办), kept with its lead department: its parts may be processes
    of any department, and are named, not referenced, so that replacing one department's data
    leaves the matters of others whole (a part no longer there is reported, not lost)."""

    __tablename__ = "matter"
    id: str = Field(primary_key=True)
    lead_id: str = Field(foreign_key="department.id", index=True)
    name: str
    stages: list[list[str]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    promised_days: int | None = None
    materials: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    trips: int | None = None
    before_stages: list[list[str]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    before_promised_days: int | None = None
    before_materials: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    before_trips: int | None = None
    position: int = 0


class MatterChangeRow(SQLModel, table=True):
    """A change to a matter done once, proposed for review (roles.actions.one_thing): the matter as
    proposed and as it stood when the change was made (None: a new matter), its author, and who
    approved or returned it, when. A matter has at most one change waiting (`state` submitted)."""

    __tablename__ = "matter_change"
    id: int | None = Field(default=None, primary_key=True)
    matter_id: str = Field(index=True)
    lead_id: str                   # the department whose leader decides: the proposed lead's
    proposed: dict = Field(sa_column=Column(JSON, nullable=False))
    base: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    author: str
    submitted_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    state: str                     # "submitted" | "returned" | "approved"
    decider: str | None = None
    decided_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    note: str | None = None


class AccountRow(SQLModel, table=True):
    """A local sign-in: the password is kept as an scrypt hash, never as itself."""

    __tablename__ = "account"
    username: str = Field(primary_key=True)
    password_hash: str
    role: str  # "office" | "head" | "leader" | "staff"
    person_id: str | None = Field(default=None, foreign_key="person.id", index=True)
    disabled: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    #: The department a leader account is in charge of (分管): whose changes it may approve. No
    #: foreign key: a re-import of the department keeps its id and the leader.
    leads: str | None = None


class SessionRow(SQLModel, table=True):
    """A sign-in kept by the server: the browser holds only a random token, stored here as its
    SHA-256, so signing out, a new password or a switched-off account ends it everywhere."""

    __tablename__ = "signin_session"
    token_hash: str = Field(sa_column=Column(Unicode(64), primary_key=True))
    username: str = Field(sa_column=Column(Unicode, ForeignKey("account.username", ondelete="CASCADE"),
                                           nullable=False, index=True))
    created_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    expires_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class ThrottleRow(SQLModel, table=True):
    """Failed sign-ins of one key (an account tried from one address, or an address), counted and
    checked in one statement (roles.storage.accounts): a lock grows with each lock in a row, and
    attempts refused while locked are counted here, then written to the audit trail as one row."""

    __tablename__ = "signin_throttle"
    key: str = Field(sa_column=Column(Unicode(200), primary_key=True))
    failures: int = 0
    refused: int = 0
    locks: int = 0
    last_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    locked_until: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))


class AuditRow(SQLModel, table=True):
    """Every change made through the app or the CLI: who, when, what, and before and after."""

    __tablename__ = "audit"
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=True))
    user: str
    action: str
    subject: str
    before: dict | list | None = Field(default=None, sa_column=Column(JSON))
    after: dict | list | None = Field(default=None, sa_column=Column(JSON))
    #: The hash of the row before, and of this row with it (roles.storage.audit.chain_hash).
    prev_hash: str | None = None
    hash: str | None = None


class HandoverRow(SQLModel, table=True):
    """A handover (交接单) for one absence of a person (engines.handover): the steps others act on,
    the open items the person leaves, the acting person's report (代行情况) on their return, and
    the person's confirmation. No foreign key to the person: a re-import that drops them keeps
    the record. `revision` grows with every change, so two edits cannot cross."""

    __tablename__ = "handover"
    __table_args__ = (UniqueConstraint("person_id", "start", name="uq_handover_absence"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(index=True)
    start: dt.date
    end: dt.date
    #: [{process, step, acting: [person, …]}]: who acts on each of the person's steps
    steps: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    items: str | None = None
    report: str | None = None
    reported_by: str | None = None
    reported_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    confirmed_by: str | None = None
    confirmed_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    opened_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    revision: int = 1


class ApiClientRow(SQLModel, table=True):
    """A program allowed to read the API (roles.storage.clients): its token only as a SHA-256, the
    role (and person) it reads as, the one department it may ask about, if any."""

    __tablename__ = "api_client"
    name: str = Field(primary_key=True)
    token_hash: str = Field(sa_column=Column(Unicode(64), nullable=False, unique=True))
    role: str
    person_id: str | None = None
    department_id: str | None = None
    created_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    created_by: str
    revoked_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))


# --- processes: their versions, steps and drafts --------------------------------------------


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


class ReviewRow(SQLModel, table=True):
    """One submission of a draft for review (roles.actions.review): who submitted it, and who
    approved or returned it, when. A process has at most one under review (`state` submitted);
    the earlier ones stay as its history. `kind` is "holders" when the draft changes only A/B."""

    __tablename__ = "review"
    id: int | None = Field(default=None, primary_key=True)
    process_id: str = Field(index=True)
    version: str
    kind: str                      # "process" | "holders"
    state: str                     # "submitted" | "returned" | "approved"
    author: str
    submitted_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    draft_revision: int            # the draft revision submitted: what the reviewer saw
    approver: str | None = None    # whoever approved or returned it
    decided_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    revision: int | None = None    # the live revision an approval made


class CommentRow(SQLModel, table=True):
    """A comment (征求意见) on a draft, or on one of its steps, open until someone resolves it."""

    __tablename__ = "review_comment"
    id: int | None = Field(default=None, primary_key=True)
    process_id: str = Field(index=True)
    version: str
    step: str | None = None
    author: str
    at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    text: str
    resolved_by: str | None = None
    resolved_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))


class ReviewPolicyRow(SQLModel, table=True):
    """Whether a department's changes need an approval before they go live; a department with no
    row needs one (the default)."""

    __tablename__ = "review_policy"
    department_id: str = Field(primary_key=True)
    required: bool = True


class FilingRow(SQLModel, table=True):
    """A section's AB list as filed (AB角报备): every step's A and B when it was filed, so the next
    filing can list what changed since."""

    __tablename__ = "ab_filing"
    id: int | None = Field(default=None, primary_key=True)
    section_id: str = Field(index=True)
    filed_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    filed_by: str
    entries: list[dict] = Field(default_factory=list, sa_column=Column("entries", JSON, nullable=False))


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
