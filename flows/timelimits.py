"""Time along a process version (workbook spec, "Time limits and 四减"): the longest route from
start to end in workdays, special steps (公示, 专家评审 …) not counted, and the version's time
against which the reform compares before and after.

The route visits no step twice. Rework loops make that a longest *simple* path, which is hard in
general; process graphs are nearly acyclic, so the search remembers each step's best remainder,
keyed by the steps of its own loop (strongly connected component) already on the route: a step
outside any loop is solved once, a loop of k steps costs at most 2^k. A graph whose loops would
need more than `BUDGET` expansions is refused with ValueError rather than left to run.
"""
from __future__ import annotations

from dataclasses import dataclass

import re

from .graph import entry_steps, is_terminal
from .model import Step, Version

#: Search steps before a version's loops are called too tangled to measure.
BUDGET = 200_000


def step_days(step: Step) -> float:
    """Workdays a step counts against a time limit: a work step's `days`, none for a special step,
    a gateway or an event."""
    return 0.0 if step.special or not step.is_work else float(step.days or 0)


@dataclass(frozen=True)
class Route:
    steps: tuple[str, ...]   # step ids from start to end, gateways included
    days: float              # the sum of their counted days


def longest_route(version: Version) -> Route:
    """The version's longest route from a start to an end in counted workdays (ties: the first
    found, in step-table order), visiting no step twice."""
    by_id = {s.id: s for s in version.steps}
    if not by_id:
        return Route((), 0.0)
    # the route of a case as planned: an exception path (from a boundary event) is no part of it
    succ = {s.id: [t for t in s.next if t in by_id] for s in version.steps}
    component = _components(succ)
    memo: dict[tuple[str, frozenset[str]], tuple[float, tuple[str, ...]] | None] = {}
    budget = [BUDGET]

    def best(root: str) -> tuple[float, tuple[str, ...]] | None:
        """The longest way from `root` to an end; None where every way is blocked. A search with
        its own stack of frames (step, steps on the route before it, next successor to try, best
        so far), so that a chain of thousands of steps needs no deep recursion."""
        result: tuple[float, tuple[str, ...]] | None = None
        frames: list[list] = [[root, frozenset(), 0, None, False]]
        while frames:
            frame = frames[-1]
            u, on_route = frame[0], frame[1]
            if not frame[4]:  # first visit: a remembered answer, or a fresh search from here
                key = (u, on_route & component[u])
                if key in memo:
                    frames.pop()
                    result = memo[key]
                    if frames:
                        _offer(frames[-1], result)
                    continue
                budget[0] -= 1
                if budget[0] < 0:
                    raise ValueError(f"its loops have too many routes to measure (more than {BUDGET:,} searched)")
                frame[3] = (0.0, ()) if is_terminal(by_id[u]) else None
                frame[4] = True
            nexts = succ[u] if by_id[u].kind != "end" else []
            inside = on_route | {u}
            while frame[2] < len(nexts) and nexts[frame[2]] in inside:
                frame[2] += 1
            if frame[2] < len(nexts):
                v = nexts[frame[2]]
                frame[2] += 1
                frames.append([v, inside, 0, None, False])
                continue
            frames.pop()
            here = step_days(by_id[u])
            rest = frame[3]
            result = None if rest is None else (here + rest[0], (u, *rest[1]))
            memo[(u, on_route & component[u])] = result
            if frames:
                _offer(frames[-1], result)
        return result

    starts = entry_steps(version) or [version.steps[0].id]
    routes = [r for s in starts if (r := best(s)) is not None]
    if not routes:
        return Route((), 0.0)
    days, steps = max(routes, key=lambda r: r[0])
    return Route(steps, days)


def _offer(frame: list, found: tuple[float, tuple[str, ...]] | None) -> None:
    """A successor's best way to an end, offered to the frame that asked: kept if it is longer."""
    if found is not None and (frame[3] is None or found[0] > frame[3][0]):
        frame[3] = found


def path_days(version: Version | None) -> float | None:
    return None if version is None else longest_route(version).days


def time_of(version: Version | None) -> float | None:
    """A version's time: its promised limit where set, else its path; None when neither is known
    (no promised limit and no step gives its days)."""
    if version is None:
        return None
    if version.promised_days is not None:
        return float(version.promised_days)
    if not any(s.days is not None for s in version.work_steps):
        return None
    return path_days(version)


#: An ISO-8601 duration as a timer gives one (P5D, PT48H, P1W, P1DT12H): years and months are no
#: deadline of a step and are not read.
_DURATION = re.compile(r"P(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?"
                       r"(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?")


def duration_days(text: str | None) -> float | None:
    """Workdays of an ISO-8601 duration, as a government time limit counts them: a day is a
    workday, a week five, 24 hours a day; None for anything else (a date, a cycle, an expression)."""
    found = _DURATION.fullmatch((text or "").strip().upper())
    if not found or not any(found.groups()):
        return None
    w, d, h, m, s = (float(x.replace(",", ".")) if x else 0.0 for x in found.groups())
    return round(5 * w + d + (h + m / 60 + s / 3600) / 24, 4)


def deadlines(version: Version) -> dict[str, float]:
    """Each step's own deadline in workdays: the duration of the timer on its border (a boundary
    timer, 超时督办), the earliest where there are several."""
    out: dict[str, float] = {}
    for s in version.steps:
        if s.attached is not None and s.event == "timer" and (days := duration_days(s.timer)) is not None:
            out[s.attached] = min(days, out.get(s.attached, days))
    return out


def serial_days(version: Version) -> float:
    """The version's days were its parallel work done one branch after another (串联): each
    parallel split's branches added up to where they meet again, instead of the longest of them.
    Beside `longest_route(...).days`, what 串联改并联 saves."""
    by_id = {s.id: s for s in version.steps}
    succ = {s.id: [t for t in s.next if t in by_id] for s in version.steps}
    memo: dict[tuple[str, str | None], float] = {}

    def span(u: str, stop: str | None, path: frozenset[str]) -> float:
        """Longest days from `u` up to `stop` (not counted), parallel branches summed."""
        if u == stop or u in path:
            return 0.0
        key = (u, stop)
        if key in memo:
            return memo[key]
        here, inside = step_days(by_id[u]), path | {u}
        nexts = [t for t in succ[u] if t not in inside]
        join = _join(u, succ, by_id) if by_id[u].gateway in ("parallel", "inclusive") and len(nexts) > 1 else None
        if join is not None:
            rest = here + sum(span(t, join, inside) for t in nexts) + span(join, stop, inside)
        else:
            rest = here + max((span(t, stop, inside) for t in nexts), default=0.0)
        memo[key] = rest
        return rest

    starts = entry_steps(version) or [s.id for s in version.steps[:1]]
    return max((span(s, None, frozenset()) for s in starts), default=0.0)


def _join(split: str, succ: dict[str, list[str]], by_id: dict[str, Step]) -> str | None:
    """Where a parallel split's branches meet: the nearest step every branch reaches."""
    reach: list[dict[str, int]] = []
    for first in succ[split]:
        seen, frontier, depth = {first: 0}, [first], 0
        while frontier:
            depth += 1
            frontier = [t for u in frontier for t in succ[u] if t not in seen and t != split]
            for t in frontier:
                seen.setdefault(t, depth)
        reach.append(seen)
    common = set(reach[0]).intersection(*reach[1:])
    return min(common, key=lambda n: (max(r[n] for r in reach), n)) if common else None


def _components(succ: dict[str, list[str]]) -> dict[str, frozenset[str]]:
    """Each step's strongly connected component (Tarjan's, iterative: a long chain must not hit
    Python's recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: dict[str, frozenset[str]] = {}
    counter = 0
    for root in succ:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            if i < len(succ[node]):
                work.append((node, i + 1))
                child = succ[node][i]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if low[node] == index[node]:
                members = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    members.append(w)
                    if w == node:
                        break
                comp = frozenset(members)
                for w in members:
                    out[w] = comp
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return out
