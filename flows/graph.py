"""The shape of a process version as a directed graph: structural checks and traversals.

Kept apart from metrics and rendering because import validation, lint, handoff counting and
layout all need the same few walks, and they must agree on what "reaches an end" means.
"""
from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable

from .model import Step, Version


def successors(version: Version) -> dict[str, tuple[str, ...]]:
    """Where each step leads: its `next`, and for a work step also the boundary events on it (a
    timer or an error there starts the exception path), so every walk sees those paths."""
    on: dict[str, list[str]] = {}
    for s in version.steps:
        if s.attached is not None:
            on.setdefault(s.attached, []).append(s.id)
    return {s.id: s.next + tuple(on.get(s.id, ())) for s in version.steps}


def dangling_edges(version: Version) -> list[tuple[str, str]]:
    """`next` targets that name no step of the same version, as (step, target)."""
    ids = {s.id for s in version.steps}
    return [(s.id, t) for s in version.steps for t in s.next if t not in ids]


def is_terminal(step: Step) -> bool:
    return not step.next or step.kind == "end"


def stuck_steps(version: Version) -> list[str]:
    """Steps from which no end can be reached: they sit on (or only lead into) a closed cycle.

    A loop back for rework is normal in a process; a loop with no way out is a modelling error.
    Dangling targets are ignored here (they are reported on their own).
    """
    preds: dict[str, list[str]] = {s.id: [] for s in version.steps}
    for sid, nexts in successors(version).items():
        for t in nexts:
            if t in preds:
                preds[t].append(sid)
    reach = {s.id for s in version.steps if is_terminal(s)}
    queue = deque(reach)
    while queue:
        for p in preds[queue.popleft()]:
            if p not in reach:
                reach.add(p)
                queue.append(p)
    return [s.id for s in version.steps if s.id not in reach]


def cycle_through(version: Version, members: Iterable[str]) -> list[str]:
    """One cycle among `members`, as a list of step ids, to show the user where the loop is."""
    inside = set(members)
    nxt = {s.id: [t for t in s.next if t in inside] for s in version.steps if s.id in inside}
    for start in nxt:
        path: list[str] = []
        seen: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in seen:
            seen[node] = len(path)
            path.append(node)
            node = nxt[node][0] if nxt[node] else None
        if node is not None:
            return path[seen[node]:] + [node]
    return sorted(inside)


def faults(version: Version) -> list[tuple[str, str]]:
    """What makes a version unusable, as (step id, message) about its `next` links: a link to no
    step, or a loop with no way to an end. The workbook import and the editor's save both ask."""
    found = [(sid, f"'{target}' is no step of this version") for sid, target in dangling_edges(version)]
    found += [(s.id, f"branch '{b.text()}' leads to '{b.to}', which is not among its next steps")
              for s in version.steps for b in s.branches if b.to not in s.next]
    by_id = {s.id: s for s in version.steps}
    found += [(s.id, f"sits on '{s.attached}', which is no task or approval of this version")
              for s in version.steps if s.attached is not None and not (s.attached in by_id and by_id[s.attached].is_work)]
    boundary = {s.id for s in version.steps if s.attached is not None}
    found += [(s.id, f"leads to '{t}', a boundary event, which is entered only from the step it sits on")
              for s in version.steps for t in s.next if t in boundary]
    stuck = stuck_steps(version)
    if stuck:
        loop = " → ".join(cycle_through(version, stuck))
        found.append((stuck[0], f"cycle with no way to an end: {loop} (steps {', '.join(stuck)} can never finish)"))
    if not found and version.steps:
        # Its time limits must be measurable, or nothing could report them. Without a loop, the
        # search takes each step once, within its budget; with loops, it may run over.
        from .timelimits import BUDGET, longest_route
        if len(version.steps) > BUDGET or not _acyclic(version):
            try:
                longest_route(version)
            except ValueError as e:
                found.append((version.steps[0].id, str(e)))
    return found


def _acyclic(version: Version) -> bool:
    """No `next` link leads back to a step already passed (Kahn's walk takes every step)."""
    into = dict.fromkeys((s.id for s in version.steps), 0)
    for s in version.steps:
        for t in s.next:
            if t in into:
                into[t] += 1
    nexts = {s.id: s.next for s in version.steps}
    ready = [sid for sid, n in into.items() if n == 0]
    taken = 0
    while ready:
        taken += 1
        for t in nexts[ready.pop()]:
            if t in into:
                into[t] -= 1
                if into[t] == 0:
                    ready.append(t)
    return taken == len(into)


def flow_order(version: Version) -> tuple[Step, ...]:
    """The steps in the order the work flows: a step comes after every step that leads to it
    (a loop back for rework does not count, a boundary event comes after its step), and ties in
    the order of the table. Numbers on charts, in prints and in the guide follow it, so a step
    moved in a drawing (and so written last in its file) keeps its place in the flow."""
    index = {s.id: i for i, s in enumerate(version.steps)}
    succ = {sid: [t for t in nexts if t in index] for sid, nexts in successors(version).items()}
    # Back edges, found by walking from where work starts (then from anything left), are the loops.
    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}  # 1 on the path, 2 done
    roots = entry_steps(version) + [s.id for s in version.steps]
    for root in roots:
        if root in state:
            continue
        stack = [(root, iter(succ[root]))]
        state[root] = 1
        while stack:
            sid, it = stack[-1]
            t = next(it, None)
            if t is None:
                state[sid] = 2
                stack.pop()
            elif state.get(t) == 1:
                back.add((sid, t))
            elif t not in state:
                state[t] = 1
                stack.append((t, iter(succ[t])))
    into = dict.fromkeys(index, 0)
    for sid, nexts in succ.items():
        for t in nexts:
            if (sid, t) not in back:
                into[t] += 1
    ready = [(index[sid], sid) for sid, n in into.items() if n == 0]
    heapq.heapify(ready)
    by_id, out = {s.id: s for s in version.steps}, []
    while ready:
        _, sid = heapq.heappop(ready)
        out.append(by_id[sid])
        for t in succ[sid]:
            if (sid, t) not in back:
                into[t] -= 1
                if into[t] == 0:
                    heapq.heappush(ready, (index[t], t))
    return tuple(out)


def entry_steps(version: Version) -> list[str]:
    """Steps nothing points to: where the implied start event leads (a boundary event is entered
    from its step)."""
    targets = {t for nexts in successors(version).values() for t in nexts}
    return [s.id for s in version.steps if s.id not in targets and not s.off_the_flow]


def work_successors(version: Version) -> dict[str, set[str]]:
    """For each work step, the work steps that follow it directly, looking through gateways and events."""
    by_id = {s.id: s for s in version.steps}
    succ = successors(version)
    out: dict[str, set[str]] = {}
    for s in version.steps:
        if not s.is_work:
            continue
        found: set[str] = set()
        seen: set[str] = set()
        stack = list(succ[s.id])
        while stack:
            t = stack.pop()
            if t in seen or t not in by_id:
                continue
            seen.add(t)
            if by_id[t].is_work:
                found.add(t)
            else:
                stack.extend(succ[t])
        out[s.id] = found
    return out


def neighbours(version: Version, step_id: str) -> set[str]:
    """Work steps right before or after `step_id` (through gateways): who knows this step's context."""
    succ = work_successors(version)
    near = set(succ.get(step_id, ()))
    near.update(u for u, vs in succ.items() if step_id in vs)
    near.discard(step_id)
    return near
