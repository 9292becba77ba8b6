"""Resilience figures on hand-made sections, each checked against brute force: every subset of
people away, run through the roster's own status rule."""
from __future__ import annotations

import itertools
import random

import pytest

from flows.model import Process, Step, Version
from roles.model import Department, Person, Section, Workbook
from roles.engines.resilience import resilience
from roles.engines.roster import status_of


def section_workbook(people: list[tuple[str, str, tuple[str, ...]]], steps: list[tuple]) -> Workbook:
    """people: (id, post, skills); steps: (a, b) or (a, b, skill)."""
    sec = Section("s", "科")
    return Workbook(
        departments=(Department("d", "部门", sections=(sec,)),),
        people=tuple(Person(pid, pid, "s", post, skills) for pid, post, skills in people),
        processes=(Process("p", "s", "流程", after=Version(tuple(
            Step(f"t{i}", a=st[0], b=st[1], skill=st[2] if len(st) > 2 else None) for i, st in enumerate(steps)))),))


def brute_force(wb: Workbook):
    """k, critical pairs and lone-risk counts by trying every set of absent people."""
    ids = [p.id for p in wb.people]
    steps = wb.processes[0].after.work_steps

    def breaks(away):
        return any(status_of(s, set(away))[0] == "gap" for s in steps)

    k = -1
    for size in range(len(ids) + 1):
        if any(breaks(c) for c in itertools.combinations(ids, size)):
            break
        k = size
    pairs = {tuple(sorted(c)) for c in itertools.combinations(ids, 2)
             if any(status_of(s, set(c))[0] == "gap" and s.a in c and s.b in c for s in steps)}
    lone = {p: sum(status_of(s, {p})[0] == "gap" and status_of(s, set())[0] != "gap" for s in steps) for p in ids}
    return k, pairs, {p: n for p, n in lone.items() if n}


def test_a_section_where_every_step_has_two_holders():
    wb = section_workbook([("h", "head", ()), ("d", "deputy", ()), ("s1", "staff", ()), ("s2", "staff", ())],
                          [("h", "d"), ("d", "h"), ("s1", "d"), ("s2", "s1"), ("s1", "s2")])
    r, = resilience(wb)
    assert r.k == 1
    assert r.critical_pairs == (("d", "h"), ("d", "s1"), ("s1", "s2"))
    assert r.steps_at_risk == {}
    assert r.exposure == {"d": 2, "s1": 2, "h": 1, "s2": 1}
    # Stand-ins: anyone present may act on a step with no skill, so it takes all four away.
    assert r.k_with_standins == 3
    assert brute_force(wb) == (1, set(r.critical_pairs), {})


def test_a_step_with_one_holder_is_a_single_point_of_failure():
    wb = section_workbook([("h", "head", ()), ("d", "deputy", ()), ("s", "staff", ())],
                          [("h", "d"), ("s", None), ("s", None), ("d", "s")])
    r, = resilience(wb)
    assert r.k == 0
    assert r.steps_at_risk == {"s": 2}
    assert brute_force(wb) == (0, set(r.critical_pairs), {"s": 2})


def test_a_step_nobody_holds_is_uncovered_even_with_everyone_present():
    wb = section_workbook([("h", "head", ()), ("d", "deputy", ()), ("s", "staff", ())], [("h", "d"), (None, None)])
    r, = resilience(wb)
    assert r.k == -1 and r.unheld == ("p/t1",)
    assert brute_force(wb)[0] == -1


def test_skills_narrow_who_may_stand_in():
    wb = section_workbook([("h", "head", ()), ("d", "deputy", ("法规",)), ("s1", "staff", ("法规",)),
                           ("s2", "staff", ())], [("d", "s1", "法规"), ("h", "s2")])
    r, = resilience(wb)
    assert r.k == 1
    assert r.k_with_standins == 1  # only d and s1 know 法规


@pytest.mark.parametrize("seed", range(25))
def test_random_sections_agree_with_brute_force(seed):
    rng = random.Random(seed)
    n = rng.randint(3, 7)
    ids = [f"p{i}" for i in range(n)]
    people = [(pid, "head" if i == 0 else "staff", ()) for i, pid in enumerate(ids)]
    steps = []
    for _ in range(rng.randint(1, 12)):
        a = rng.choice(ids + [None])
        b = rng.choice([x for x in ids if x != a] + [None])
        steps.append((a, b))
    wb = section_workbook(people, steps)
    r, = resilience(wb)
    k, pairs, lone = brute_force(wb)
    assert (r.k, set(r.critical_pairs), r.steps_at_risk) == (k, pairs, lone)


def test_sections_come_most_critical_pairs_first(bianban, cli):
    doc = cli.json("resilience")
    pairs = [len(s["critical_pairs"]) for s in doc["sections"]]
    assert pairs == sorted(pairs, reverse=True)
    jg = next(s for s in doc["sections"] if s["section"] == "bb-jg")
    assert jg["critical_pairs"] == [["bb06", "bb07"], ["bb07", "bb08"], ["bb08", "bb09"]]
    assert all(p == sorted(p) for s in doc["sections"] for p in s["critical_pairs"])
    one = cli.json("resilience", "--section", "bb-jd")
    assert [s["section"] for s in one["sections"]] == ["bb-jd"]
    bad = cli("resilience", "--section", "nope")
    assert bad.exit_code == 2 and "nope" in bad.stderr
