"""The API's answers as models: the OpenAPI description documents each route's shape from them,
and the tests hold every real answer to them (unknown keys refused). The routes return the cli
spec's documents as ui/shapes.py makes them, unvalidated: a city's roster is 12,000 entries, and
validating each on the way out would cost more than making it."""
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["A", "named", "B", "up", "gap"]


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Entry(_Answer):
    """A redesigned step on the day asked about: its holders, who acts and why."""

    process: str
    step: str
    a: str | None
    b: str | None
    acting: str | None = Field(description="null exactly when status is gap")
    status: Status = Field(description="A acts, the stand-in named for A acts (named), B acts, a head or deputy acts (up), or nobody (gap)")
    suggested: str | None = Field(description="for a gap, a present person of the section who could stand in")
    department: str
    section: str
    name: str | None


class Roster(_Answer):
    date: str = Field(description="YYYY-MM-DD")
    workday: bool
    calendar: Literal["official", "estimated"] = Field(description="whether the day's calendar is the published one")
    steps: list[Entry]


class StepOnDay(Entry):
    date: str = Field(description="YYYY-MM-DD")


class Gap(_Answer):
    date: str = Field(description="YYYY-MM-DD")
    process: str
    step: str
    a: str | None
    b: str | None
    department: str
    section: str
    name: str | None
    suggested: str | None


class Gaps(_Answer):
    start: str = Field(alias="from", description="YYYY-MM-DD")
    end: str = Field(alias="to", description="YYYY-MM-DD")
    calendar: Literal["official", "estimated"]
    gaps: list[Gap]


class PersonDay(_Answer):
    person: str
    date: str = Field(description="YYYY-MM-DD")
    workday: bool
    away: bool
    holds: list[Entry] = Field(description="steps they act on as A")
    covers: list[Entry] = Field(description="steps they act on for someone away")
    covered: list[Entry] = Field(description="their own A steps someone else acts on (or nobody)")
    stands_in: list[Entry] = Field(description="gaps for which they are the suggested stand-in")


class HandoverStep(_Answer):
    process: str
    step: str
    name: str | None
    acting: list[str]


class Handover(_Answer):
    id: int
    person: str
    start: str
    end: str
    state: Literal["open", "reported", "confirmed"]
    acting: list[str]
    steps: list[HandoverStep]
    items: str | None
    report: str | None
    reported_by: str | None
    reported_at: str | None
    confirmed_by: str | None
    confirmed_at: str | None
    opened_at: str | None
    revision: int


class Handovers(_Answer):
    handovers: list[Handover]


class MatterPart(_Answer):
    """A part of a matter done once: a process of some department, in its version's terms."""

    process: str
    name: str
    department: str | None = Field(description="null where no process of that id is in the data")
    section: str | None
    steps: int | None = Field(description="its version's step count; null where it has no such version")
    days: float | None = Field(description="its version's time in workdays: its promise, else its longest route")


class MatterRun(_Answer):
    """A matter as it runs before or after the reform: its stages one after another, the parts of
    a stage together."""

    stages: list[list[MatterPart]]
    promised_days: int | None
    path: float | None = Field(description="workdays end to end, each stage as long as its slowest part")
    serial: float | None = Field(description="workdays were every part done one after another")
    steps: int | None
    materials: list[str] | None
    trips: int | None


class MatterFinding(_Answer):
    rule: str
    error: bool
    message: str
    process: str | None


class Matter(_Answer):
    """A matter done once (一件事一次办) across departments (as `abflow matter M --json`)."""

    matter: str
    name: str
    lead: str = Field(description="the lead department (牵头部门)")
    departments: list[str] = Field(description="the lead first, then the others its parts are in")
    stages: list[int | None] = Field(description="serial stages [before, after]")
    path: list[float | None] = Field(description="workdays end to end [before, after]")
    four: dict[str, list[float | None]] = Field(description="四减: steps, materials, days, trips as [before, after]")
    four_cut: dict[str, float | None]
    before: MatterRun | None
    after: MatterRun
    findings: list[MatterFinding]


class Matters(_Answer):
    matters: list[Matter]
