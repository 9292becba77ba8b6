"""Process models as plain data: what the workbook, the database and the BPMN files all map to.

Engines (roster, metrics, rendering) take these objects and never a database session, so the same
code serves the CLI, the app, the scheduler and the tests.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Literal, get_args
from dataclasses import dataclass, field

from .errors import NotFound

STEP_KINDS = ("task", "approval", "gateway", "start", "end", "event")
#: Kinds that count as steps of a process (the reform measures these); gateways and events do not.
#: `event` is an intermediate or boundary event of a BPMN file: it passes the flow on, like a gateway.
WORK_KINDS = frozenset({"task", "approval"})
#: What a gateway does with the flows through it (BPMN's gateway types): `exclusive` takes one way
#: out (the default), `parallel` all of them at once (串联改并联, 会签) and waits for all coming in,
#: `inclusive` those whose condition holds, `event` the way whose event comes first, `complex` a rule
#: of its own.
GATEWAY_TYPES = ("exclusive", "parallel", "inclusive", "event", "complex")
#: What kind of work an activity is (BPMN's task types); None is a person's task (userTask), what
#: a section's step is unless a drawing says otherwise. A sub-process (`subprocess`, `transaction`,
#: `adhoc`, and `event_subprocess`, started by its own event, not by a flow) is one step whose inner
#: steps are kept as drawn (`inside`); `call` runs another process; `plain` is BPMN's untyped task.
ACTIVITY_TYPES = ("user", "manual", "service", "send", "receive", "business_rule", "script", "call", "subprocess",
                  "event_subprocess", "transaction", "adhoc", "plain")
SUBPROCESS_TYPES = frozenset({"subprocess", "event_subprocess", "transaction", "adhoc"})
#: An event's definition (BPMN's event definitions): what it waits for or sends. None is a plain
#: event (a start or end with no trigger). `timer` carries its ISO-8601 text in `timer`.
EVENT_TYPES = ("timer", "message", "signal", "error", "escalation", "conditional", "terminate", "compensation",
               "link", "cancel")
#: A process's two versions: as it was before the reform, and as redesigned.
Which = Literal["before", "after"]
VERSIONS: tuple[Which, ...] = get_args(Which)
#: 即办件 (done the day it arrives) and 承诺件 (done within a promised number of workdays).
VERSION_KINDS = ("instant", "promised")


@dataclass(frozen=True)
class Branch:
    """The label of one outgoing flow of a step: a BPMN sequence flow's name and condition
    (typically after a gateway: 通过 / 退回)."""

    to: str
    name: str | None = None
    condition: str | None = None

    def text(self) -> str:
        """`to=name[condition]`, the form the step table edits."""
        return f"{self.to}={self.name or ''}" + (f"[{self.condition}]" if self.condition else "")

    @classmethod
    def parse(cls, text: str) -> "Branch":
        to, _, rest = text.partition("=")
        name, _, cond = rest.partition("[")
        return cls(to.strip(), name.strip() or None, cond.rstrip("]").strip() or None)


@dataclass(frozen=True)
class Shape:
    """Where a step was drawn in the BPMN file it came from (diagram interchange) and the waypoints
    of its outgoing flows: kept so that an export shows the drawing its author made."""

    x: float
    y: float
    w: float
    h: float
    edges: tuple[tuple[str, tuple[tuple[float, float], ...]], ...] = ()  # (to, waypoints)

    def text(self) -> str:
        """`x y width height; to: x y x y …; …`, the one-cell form workbooks and the database carry."""
        parts = [" ".join(_g(v) for v in (self.x, self.y, self.w, self.h))]
        parts += [f"{to}: " + " ".join(f"{_g(x)} {_g(y)}" for x, y in points) for to, points in self.edges]
        return "; ".join(parts)

    @classmethod
    def parse(cls, text: str) -> "Shape":
        """The inverse of `text`; a ValueError says what is wrong."""
        head, *edges = [p.strip() for p in str(text).split(";") if p.strip()] or [""]
        box = _numbers(head, "the box")
        if len(box) != 4 or box[2] <= 0 or box[3] <= 0:
            raise ValueError(f"'{head}': expected 'x y width height', width and height above 0")
        out = []
        for edge in edges:
            to, sep, rest = edge.partition(":")
            points = _numbers(rest, f"the flow to '{to.strip()}'")
            if not sep or not to.strip() or len(points) < 4 or len(points) % 2:
                raise ValueError(f"'{edge}': expected 'next step: x y x y …' with two points or more")
            out.append((to.strip(), tuple(zip(points[::2], points[1::2], strict=True))))
        x, y, w, h = box
        return cls(x, y, w, h, tuple(out))


def _g(v: float) -> str:
    return f"{v:g}"


def _numbers(text: str, what: str) -> list[float]:
    try:
        values = [float(v) for v in text.split()]
    except ValueError:
        raise ValueError(f"{what}: '{text.strip()}' is not a list of numbers") from None
    if not all(math.isfinite(v) for v in values):
        raise ValueError(f"{what}: '{text.strip()}' has a number that is not finite")
    return values


def declare(kind: str, **options) -> dict:
    """A field's declaration, kept in its dataclass metadata: `flows.fields` derives from it the
    table column, the stored form, the workbook key and XLSX column, the BPMN attribute and the
    designer's column. `kind` is one of `flows.fields.KINDS`."""
    return {"abflow": (kind, options)}


@dataclass(frozen=True)
class Step:
    """One step of a process version. Its fields are declared here and only here: a new field is
    one line below, its words in ui/i18n.py (`field.<name>`), and an Alembic migration."""

    id: str = field(metadata=declare("id"))
    name: str | None = field(default=None, metadata=declare("text"))
    kind: str = field(default="task", metadata=declare("choice", options=STEP_KINDS))
    next: tuple[str, ...] = field(default=(), metadata=declare("ids"))
    a: str | None = field(default=None, metadata=declare("person"))
    b: str | None = field(default=None, metadata=declare("person"))
    minutes: float | None = field(default=None, metadata=declare("number", bpmn=True))
    per_month: float | None = field(default=None, metadata=declare("number", bpmn=True))
    skill: str | None = field(default=None, metadata=declare("text", bpmn=True))
    #: Names and conditions of some of the `next` flows (each `to` is in `next`).
    branches: tuple[Branch, ...] = field(default=(), metadata=declare("branches"))
    #: Its place in an imported or drawn diagram; None for steps laid out by us.
    shape: Shape | None = field(default=None, metadata=declare("shape", editor=False))
    #: Workdays the step takes; a special step (特殊环节: 公示, 专家评审 …) does not count them
    #: against a time limit (flows/timelimits.py).
    days: float | None = field(default=None, metadata=declare("number", bpmn=True))
    special: bool = field(default=False, metadata=declare("flag", bpmn=True))
    #: How far B may act for an absent A (workbook spec "Escalation and handover"): at most this
    #: many consecutive workdays of one absence, and not at all when `b_may_act` is false; beyond
    #: that the step goes up to the section's head, then a deputy.
    b_max_days: int | None = field(default=None, metadata=declare("count", bpmn=True))
    b_may_act: bool = field(default=True, metadata=declare("flag", bpmn=True))
    #: A gateway's type (BPMN's element says it, not an attribute of ours); None on a gateway is
    #: exclusive, and only a gateway has one.
    gateway: str | None = field(default=None, metadata=declare("choice", options=GATEWAY_TYPES))
    #: The next step taken when no condition of the others holds (BPMN's default flow): one of
    #: `next`, of a gateway or an activity.
    otherwise: str | None = field(default=None, metadata=declare("ref", editor=False))
    #: A work step's kind of work; None is a person's task.
    activity: str | None = field(default=None, metadata=declare("choice", options=ACTIVITY_TYPES))
    #: A start, end or intermediate event's definition, and a timer's ISO-8601 date (2026-12-31),
    #: duration (P5D: the deadline of the step a boundary timer sits on) or cycle (R3/PT1H).
    event: str | None = field(default=None, metadata=declare("choice", options=EVENT_TYPES))
    timer: str | None = field(default=None, metadata=declare("text"))
    #: What a link or conditional event's definition says: a link's name (a link thrown goes on at
    #: the link caught of the same name), a condition's expression.
    definition: str | None = field(default=None, metadata=declare("text", editor=False))
    #: A boundary event: the work step it sits on, whether it stops that step (interrupting, the
    #: default) or runs beside it; `next` is the exception path it starts.
    attached: str | None = field(default=None, metadata=declare("ref", editor=False))
    interrupting: bool = field(default=True, metadata=declare("flag", editor=False))
    #: An intermediate event that waits for its trigger (catch) rather than sends it (throw).
    catches: bool = field(default=False, metadata=declare("flag", editor=False))
    #: A compensation activity: started by a compensation event to undo its step (an association,
    #: not a flow), so no flow enters or leaves it.
    compensates: bool = field(default=False, metadata=declare("flag", editor=False))
    #: What the model does not know, kept as the file had it (BPMN XML) and given back unchanged in
    #: its export: a sub-process's inner elements (abflow plans no holders inside), a multiple
    #: event's definitions (the engines see the first, `event`).
    inside: str | None = field(default=None, metadata=declare("xml", editor=False))
    #: The responsibility item (责任事项) of a power this step carries, by its name (受理责任,
    #: 审查责任, 决定责任 …): the power list (权责清单) answers who does each duty through it.
    duty: str | None = field(default=None, metadata=declare("text", bpmn=True))

    @property
    def is_work(self) -> bool:
        return self.kind in WORK_KINDS

    @property
    def off_the_flow(self) -> bool:
        """No flow leads into it by design: an event sub-process (started by its own event), a
        compensation activity, a boundary event (entered from the step it sits on)."""
        return self.activity == "event_subprocess" or self.compensates or self.attached is not None

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True)
class Version:
    """A process version: its steps, and the terms a service promises (workbook spec, "Time limits
    and 四减"), declared like a step's fields. None is unknown; `materials=()` is none needed."""

    steps: tuple[Step, ...] = ()
    kind: str | None = field(default=None, metadata=declare("choice", options=VERSION_KINDS))
    legal_days: int | None = field(default=None, metadata=declare("count"))
    promised_days: int | None = field(default=None, metadata=declare("count"))
    materials: tuple[str, ...] | None = field(default=None, metadata=declare("names"))
    trips: int | None = field(default=None, metadata=declare("count"))
    #: A `before` version's: the section before the reform that ran it (one of its department's
    #: `sections_before`), whose people could act on its steps then; resilience before vs after
    #: compares them with the big section's.
    section_before: str | None = field(default=None, metadata=declare("ref"))

    def step(self, step_id: str) -> Step:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(step_id)

    @property
    def work_steps(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.is_work)


@dataclass(frozen=True)
class Process:
    id: str
    section: str
    name: str
    before: Version | None = None
    after: Version | None = None
    #: Optimistic-locking counter per version: an edit based on an older revision is refused.
    revisions: dict[str, int] = field(default_factory=dict, compare=False)

    def version(self, which: str) -> Version | None:
        if which not in VERSIONS:
            raise ValueError(f"version must be one of {', '.join(VERSIONS)}, not {which!r}")
        return self.before if which == "before" else self.after

    def drawn(self, which: str) -> Version:
        """The version `which`, where the caller needs it (to draw, print or export it): NotFound,
        naming the process, when it has none."""
        version = self.version(which)
        if version is None:
            raise NotFound("version", which, f"process {self.id}")
        return version


@dataclass(frozen=True)
class Draft:
    """A section head's unpublished edit of one version, kept apart from the live one: the
    version as edited, the live revision and version it started from (publishing checks the one
    and shows what changed since from the other), and its own revision (two saves cannot cross)."""

    version: Version
    base_revision: int
    base: Version
    revision: int
    saved_at: dt.datetime | None
    saved_by: str | None
