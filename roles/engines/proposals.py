"""Proposed A and B holders for a section's steps, from a CP-SAT model (OR-Tools).

Hard rules: one A and one B per step, A ≠ B, both members of the section, both with the step's
skill, and no pair of posts the pairing rules exclude. Among the assignments that keep them, the
solver prefers, in this order: mutual pairs (互为AB角), the lightest heaviest A workload, the
lightest heaviest B load, the lightest peak of cover while the recorded and planned absences of
the coming months keep people away (who backs whom when it matters), and (when re-balancing) the
fewest changes to today's holders. The proposal says the peak cover load before and after, as
the load engine counts it.

A proposal is only a proposal: nothing is stored until the section head accepts it.
"""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

from flows.errors import AbflowError
from flows.metrics import step_minutes
from flows.model import Process, Step, Version
from flows.wording import Stage, values

from roles.model import Person, Workbook
from roles.engines.pairing import pair_allowed, processes_of, section_steps

MODES = ("fill", "rebalance")


@dataclass(frozen=True)
class SolverStage(Stage):
    """Where the solver is: one goal after another, each solving, then its best value."""

    key: str
    params: tuple[tuple[str, object], ...] = ()

    CATALOG = {"solving": ("{goal_zh}：求解中（{seconds} 秒）", "{goal}: solving ({seconds} s)"),
               "solved": ("{goal_zh}：{best}（{how_zh}）", "{goal}: {best} ({how})")}


#: The goals, in the order they are solved, in both languages.
GOALS = {"one-way pairs": "单向AB角对数", "heaviest A": "最重主办负担", "heaviest B": "最重备岗负担",
         "peak cover": "请假期间代岗负荷峰值", "changes": "变更数"}
#: How far ahead of the day asked the recorded and planned absences count for the peak cover.
HORIZON = dt.timedelta(days=92)


class Unassignable(AbflowError):
    """The section cannot satisfy the hard rules (e.g. a skill fewer than two members have)."""


@dataclass(frozen=True)
class Assignment:
    process: str
    step: str
    a: str
    b: str
    was_a: str | None
    was_b: str | None

    @property
    def changed(self) -> bool:
        return (self.a, self.b) != (self.was_a, self.was_b)


@dataclass(frozen=True)
class Proposal:
    section: str
    mode: str
    status: Literal["optimal", "feasible"]
    seconds: float
    assignments: tuple[Assignment, ...]
    #: person → (A minutes, B minutes) a month under the proposal
    loads: dict[str, tuple[float, float]] = field(default_factory=dict)
    one_way_pairs: int = 0
    #: the highest day's cover load of a member (1.0: a working day) over the absences ahead, with
    #: today's holders and with the proposal's; None when nobody of the section is to be away
    peak_cover: tuple[float, float] | None = None

    @property
    def changes(self) -> tuple[Assignment, ...]:
        return tuple(x for x in self.assignments if x.changed)


def _weights(steps: list[Step]) -> list[int]:
    """Monthly hours per step, the grain workload is balanced at: minutes a month would ask the
    solver to prove a balance to the minute, which no one needs and which takes it far longer. A
    step with no figures weighs as the median known one (or one hour), so balancing still spreads
    steps when the workbook lacks minutes."""
    known = sorted(step_minutes(s) for s in steps if step_minutes(s) > 0)
    default = known[len(known) // 2] if known else 60
    return [round((step_minutes(s) or default) / 60) for s in steps]


def _away_together(wb: Workbook, ids: list[str], start: dt.date | None) -> list[frozenset[str]]:
    """The different sets of the section's members away together on a workday from `start` to
    HORIZON ahead, by the recorded and planned absences."""
    if start is None:
        return []
    from roles.engines.acting import Absences
    from roles.engines.roster import calendar_of
    members = set(ids)
    mine = [a for a in wb.absences if a.person in members and a.end >= start and a.start <= start + HORIZON]
    if not mine:
        return []
    cal = calendar_of(wb)
    absences = Absences(mine, cal)
    found = {frozenset(absences.away(d)) & members for d in cal.workdays(start, start + HORIZON)}
    return sorted((x for x in found if x), key=sorted)


def peak_cover(wb: Workbook, section: str, start: dt.date) -> float:
    """The highest cover load (1.0: a working day) of a member of `section` on a workday from
    `start` to HORIZON ahead: what covering for the absent costs whoever covers most."""
    from roles.engines.load import DAY_MINUTES, daily_load
    members = {p.id for p in wb.people_by_section.get(section, [])}
    days = daily_load(wb, start, start + HORIZON, wb.department_of_section.get(section))
    return max((x.cover / DAY_MINUTES for d in days for x in d.people if x.person in members), default=0.0)


def suggest(wb: Workbook, section: str, mode: str = "fill", time_limit: float = 5.0, workers: int = 2,
            progress: Callable[[Stage], None] = lambda _: None, absences_from: dt.date | None = None) -> Proposal:
    """`absences_from`: the day from which the recorded and planned absences count for the peak
    cover (none: that goal is left out)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    members: list[Person] = wb.people_by_section.get(section, [])
    ids = [p.id for p in members]
    pairs = section_steps(processes_of(wb, section))
    steps = [s for _, s in pairs]
    if len(members) < 2:
        raise Unassignable(f"section {section} has {len(members)} member(s); A and B need two")
    for proc, s in pairs:
        able = [p for p in members if not s.skill or s.skill in p.skills]
        if len(able) < 2:
            raise Unassignable(f"{proc.id}/{s.id} needs skill '{s.skill}', which {len(able)} member(s) have")
    has_deputy = any(p.post == "deputy" for p in members)
    post = {p.id: p.post for p in members}
    w = _weights(steps)
    total = sum(w)
    from ortools.sat.python import cp_model  # here, not at the top: it brings pandas and numpy along
    m = cp_model.CpModel()
    x = {(i, p): m.new_bool_var(f"a{i}_{p}") for i in range(len(steps)) for p in ids}
    y = {(i, p): m.new_bool_var(f"b{i}_{p}") for i in range(len(steps)) for p in ids}
    for i, s in enumerate(steps):
        m.add_exactly_one(x[i, p] for p in ids)
        m.add_exactly_one(y[i, p] for p in ids)
        for p in ids:
            m.add(x[i, p] + y[i, p] <= 1)
            if s.skill and s.skill not in wb.person_by_id[p].skills:
                m.add(x[i, p] == 0)
                m.add(y[i, p] == 0)
        if mode == "fill" and s.a in post and s.a != s.b:
            m.add(x[i, s.a] == 1)
        if mode == "fill" and s.b in post and s.b != s.a:
            m.add(y[i, s.b] == 1)
        for p in ids:
            for q in ids:
                if p != q and not pair_allowed(post[p], post[q], has_deputy):
                    m.add_bool_or([x[i, p].Not(), y[i, q].Not()])
    # Mutual pairs: used[p,q] is forced on when q backs p somewhere; back[q,p] may be on only when
    # p backs q somewhere. A pair used one way and not the other costs one.
    one_way = []
    for p in ids:
        for q in ids:
            if p == q or not pair_allowed(post[p], post[q], has_deputy):
                continue
            used = m.new_bool_var(f"u{p}_{q}")
            for i in range(len(steps)):
                m.add_bool_or([x[i, p].Not(), y[i, q].Not(), used])
            zs = []
            for i in range(len(steps)):
                z = m.new_bool_var(f"z{i}_{q}_{p}")
                m.add_implication(z, x[i, q])
                m.add_implication(z, y[i, p])
                zs.append(z)
            back = m.new_bool_var(f"r{q}_{p}")
            m.add(back <= sum(zs))
            miss = m.new_bool_var(f"n{p}_{q}")
            m.add(miss >= used - back)
            one_way.append(miss)
    max_a = m.new_int_var(0, total, "max_a")
    max_b = m.new_int_var(0, total, "max_b")
    for p in ids:
        m.add(sum(w[i] * x[i, p] for i in range(len(steps))) <= max_a)
        m.add(sum(w[i] * y[i, p] for i in range(len(steps))) <= max_b)
    # Peak cover: on each set of members away together, B of each step whose A is away carries it.
    covering: dict[tuple[int, str, str], cp_model.IntVar] = {}
    peak = m.new_int_var(0, total, "peak_cover")
    away_sets = _away_together(wb, ids, absences_from)
    for gone in away_sets:
        for p in ids:
            if p in gone:
                continue
            terms = []
            for i in range(len(steps)):
                for q in gone:
                    if (i, q, p) not in covering:
                        both = covering[i, q, p] = m.new_bool_var(f"c{i}_{q}_{p}")
                        m.add_bool_or([x[i, q].Not(), y[i, p].Not(), both])  # both == A q and B p
                        m.add_implication(both, x[i, q])
                        m.add_implication(both, y[i, p])
                    terms.append(w[i] * covering[i, q, p])
            m.add(sum(terms) <= peak)
    changes = []
    if mode == "rebalance":
        for i, s in enumerate(steps):
            if s.a in post:
                changes.append(1 - x[i, s.a])
            if s.b in post:
                changes.append(1 - y[i, s.b])
    # Lexicographic, one stage per term: each stage proves its term's best and fixes it before the
    # next. One weighted sum would ask the solver to prove all terms at once, which takes it minutes
    # where the stages take a second or two.
    # Peak cover comes after the balance: put first, it would take every A step from whoever has
    # leave planned, loading the rest for the whole year to spare them a few days.
    stages = [("one-way pairs", sum(one_way)), ("heaviest A", max_a), ("heaviest B", max_b),
              *([("peak cover", peak)] if away_sets else []), ("changes", sum(changes))]
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    started = time.perf_counter()
    proven = True
    all_vars = list(x.values()) + list(y.values())
    for name, term in stages:
        left = time_limit - (time.perf_counter() - started)
        solver.parameters.max_time_in_seconds = max(left, 0.05)
        m.minimize(term)
        progress(SolverStage("solving", values(goal=name, goal_zh=GOALS[name],
                                               seconds=f"{time.perf_counter() - started:.1f}")))
        status = solver.solve(m)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise Unassignable(f"section {section}: no assignment keeps the rules"
                               + (" (time limit reached before any was found)" if status == cp_model.UNKNOWN else ""))
        proven = proven and status == cp_model.OPTIMAL
        best = int(round(solver.objective_value))
        optimal = status == cp_model.OPTIMAL
        progress(SolverStage("solved", values(goal=name, goal_zh=GOALS[name], best=best,
                                              how="optimal" if optimal else "best found",
                                              how_zh="已证明最优" if optimal else "目前最好")))
        m.add(term <= best)
        m.clear_hints()
        for v in all_vars:
            m.add_hint(v, solver.value(v))
    seconds = time.perf_counter() - started
    out, loads = [], {p: [0.0, 0.0] for p in ids}
    for i, (proc, s) in enumerate(pairs):
        a = next(p for p in ids if solver.value(x[i, p]))
        b = next(p for p in ids if solver.value(y[i, p]))
        loads[a][0] += step_minutes(s)
        loads[b][1] += step_minutes(s)
        out.append(Assignment(proc.id, s.id, a, b, s.a, s.b))
    proposal = Proposal(section, mode, "optimal" if proven else "feasible", seconds, tuple(out),
                        {p: (a, b) for p, (a, b) in loads.items()}, sum(int(solver.value(v)) for v in one_way))
    if away_sets and absences_from is not None:
        changed = {proc.id: v for proc, v in accepted_versions(wb, proposal)}
        proposed = replace(wb, processes=tuple(replace(p, after=changed[p.id]) if p.id in changed else p
                                               for p in wb.processes))
        proposal = replace(proposal, peak_cover=(peak_cover(wb, section, absences_from),
                                                 peak_cover(proposed, section, absences_from)))
    return proposal


def accepted_versions(wb: Workbook, proposal: Proposal) -> list[tuple[Process, Version]]:
    """The new `after` version of each process the proposal changes, for the store to save."""
    by_step = {(x.process, x.step): x for x in proposal.assignments}
    out = []
    for proc in processes_of(wb, proposal.section):
        if proc.after is None or not any(x.process == proc.id and x.changed for x in proposal.assignments):
            continue
        steps = tuple(replace(s, a=by_step[proc.id, s.id].a, b=by_step[proc.id, s.id].b)
                      if (proc.id, s.id) in by_step else s for s in proc.after.steps)
        out.append((proc, replace(proc.after, steps=steps)))
    return out
