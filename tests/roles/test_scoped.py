"""Questions about one department, section or person read only what they need from the database
(`organisation.load(..., departments=...)`), and answer exactly what the whole database answers, on
generated data with holders lent across departments, on SQLite and PostgreSQL. The questions about
who acts read on the bare driver (`Database.coverage`) and answer as the engines do on the whole
workbook read through SQLAlchemy."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random

import pytest

from bench.city import city_workbook
from roles import actions
from roles.engines import person_days as days_of, roster as rosters
from roles.engines.pairing import b_loads, pairing_issues, processes_of, section_steps
from roles.engines.handover import due, due_over
from roles.engines.leaders import added_by_leave
from roles.engines.overrun import added_by, overrun
from roles.engines.resilience import resilience
from roles.model import Absence
from roles.storage import organisation
from roles.storage.database import Database
from ..conftest import TESTER, save_workbook

DAY = dt.date(2026, 11, 25)
OFFICE = actions.Account("office", "office")


def lent_across_departments(wb, seed: int = 3):
    """The generated city, with one step in five of its B holders a person of another department."""
    rng = random.Random(seed)
    people = list(wb.people)
    dept_of = {p.id: wb.department_of_section[p.section] for p in people}
    processes = []
    for p in wb.processes:
        dept = wb.department_of_section[p.section]
        steps = []
        for s in p.after.steps:
            if s.b and rng.random() < 0.2:
                s = dataclasses.replace(s, b=rng.choice([q.id for q in people if dept_of[q.id] != dept]))
            steps.append(s)
        processes.append(dataclasses.replace(p, after=dataclasses.replace(p.after, steps=tuple(steps))))
    return dataclasses.replace(wb, processes=tuple(processes))


def escalating(wb, seed: int = 5):
    """The city with what changes who acts: B allowed for a few workdays only or not at all, a
    skill a stand-in must have, steps with no A or no B, and A holders lent across departments."""
    rng = random.Random(seed)
    skills = ("审批", "财务", "法务")
    people = tuple(dataclasses.replace(p, skills=tuple(rng.sample(skills, rng.randrange(3)))) for p in wb.people)
    dept_of = {p.id: wb.department_of_section[p.section] for p in people}
    processes = []
    for p in wb.processes:
        steps = []
        for s in p.after.steps:
            if s.is_work:
                s = dataclasses.replace(s, b_max_days=rng.choice((None, None, 1, 2)), b_may_act=rng.random() > 0.1,
                                        skill=rng.choice((None, None, *skills)))
                roll = rng.random()
                if roll < 0.03:
                    s = dataclasses.replace(s, a=None)
                elif roll < 0.06:
                    s = dataclasses.replace(s, b=None)
                elif roll < 0.1:
                    s = dataclasses.replace(s, a=rng.choice([q.id for q in people
                                                            if dept_of[q.id] != wb.department_of_section[p.section]]))
            steps.append(s)
        processes.append(dataclasses.replace(p, after=dataclasses.replace(p.after, steps=tuple(steps))))
    return dataclasses.replace(wb, people=people, processes=tuple(processes))


@pytest.fixture
def city(engine, db_url):
    wb = lent_across_departments(city_workbook(DAY, seed=11, departments=5, processes=60))
    save_workbook(engine, wb, user=TESTER)
    return actions.open_database(db_url), organisation.load(engine, ("after",))


def test_a_department_or_section_is_answered_as_the_whole_database_answers(city):
    db, whole = city
    end = DAY + dt.timedelta(days=20)
    assert len(whole.departments) == 5
    for d in whole.departments:
        part = organisation.load(db.engine, ("after",), frozenset({d.id}))
        assert [x.id for x in part.departments] == [d.id]
        assert len(part.processes) < len(whole.processes)
        assert actions.roster(db, OFFICE, day=DAY, department_id=d.id) == rosters.roster(whole, DAY, d.id)
        assert actions.gaps(db, OFFICE, start=DAY, end=end, department_id=d.id) == rosters.gaps(whole, DAY, end, d.id)
        for sec in d.sections:
            assert actions.roster(db, OFFICE, day=DAY, section_id=sec.id) == rosters.roster(whole, DAY, section=sec.id)
            assert actions.resilience(db, OFFICE, section_id=sec.id) == resilience(whole, sec.id)
            steps = section_steps(processes_of(whole, sec.id))
            got, = actions.pairing(db, OFFICE, section_id=sec.id)
            assert (got.issues, got.loads) == (pairing_issues(steps, whole.person_by_id, whole.sections_with_deputy),
                                               b_loads(steps, whole.people_by_section.get(sec.id, [])))


def test_a_person_is_answered_as_the_whole_database_answers(city):
    db, whole = city
    end = DAY + dt.timedelta(days=20)
    lent = {s.b for p in whole.processes for s in p.after.steps
            if s.b and whole.department_of_section[whole.person_by_id[s.b].section]
            != whole.department_of_section[p.section]}
    assert lent
    for pid in sorted(lent)[:6] + [p.id for p in whole.people[::40]]:
        assert actions.person_days(db, OFFICE, person_id=pid, start=DAY, end=end) == \
            days_of.person_days(whole, pid, DAY, end)
        assert actions.whatif(db, OFFICE, person_id=pid, start=DAY, end=DAY + dt.timedelta(days=6)) == \
            rosters.whatif(whole, pid, DAY, DAY + dt.timedelta(days=6))


def test_the_bare_driver_answers_who_acts_as_the_whole_workbook_does(engine, db_url):
    """Roster, gaps, what-if, overrun and a person's days read on the bare driver, for the whole
    database and each department, equal the engines' answers on everything SQLAlchemy reads."""
    save_workbook(engine, escalating(lent_across_departments(city_workbook(DAY, seed=13, departments=4, processes=80))),
                  user=TESTER)
    db, whole = actions.open_database(db_url), organisation.load(engine)
    end = DAY + dt.timedelta(days=20)
    found = rosters.gaps(whole, DAY, end, statuses=("B", "up", "gap"))
    assert {g.status for g in found} == {"B", "up", "gap"}  # every way of covering is met
    assert any(s.b_may_act is False for p in whole.processes for s in p.after.steps)
    assert Database(db_url).coverage() == db.coverage()  # its own connection, as a command's first read, or the pool's
    for day in (DAY, DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=4)):
        assert actions.roster(db, OFFICE, day=day) == rosters.roster(whole, day)
    assert actions.gaps(db, OFFICE, start=DAY, end=end) == rosters.gaps(whole, DAY, end)
    late = overrun(whole, DAY, end)
    assert any(c.late for p in late.processes for c in p.cases)
    assert actions.overrun(db, OFFICE, start=DAY, end=end) == late
    for d in whole.departments:
        assert actions.gaps(db, OFFICE, start=DAY, end=end, department_id=d.id) == rosters.gaps(whole, DAY, end, d.id)
        assert actions.overrun(db, OFFICE, start=DAY, end=end, department_id=d.id) == overrun(whole, DAY, end, d.id)
    for p in whole.people[::15]:
        assert actions.whatif(db, OFFICE, person_id=p.id, start=DAY, end=DAY + dt.timedelta(days=6)) == \
            rosters.whatif(whole, p.id, DAY, DAY + dt.timedelta(days=6))
        assert actions.person_days(db, OFFICE, person_id=p.id, start=DAY, end=DAY + dt.timedelta(days=3)) == \
            days_of.person_days(whole, p.id, DAY, DAY + dt.timedelta(days=3))
        leave = Absence(p.id, DAY, DAY + dt.timedelta(days=6), "leave")
        assert actions.leave_check(db, OFFICE, person_id=p.id, start=leave.start, end=leave.end) == actions.LeaveCheck(
            rosters.whatif(whole, p.id, leave.start, leave.end), added_by_leave(whole, leave), added_by(whole, leave))
    wanted = due(whole, rosters.calendar_of(whole), DAY)
    dept_of = {q.id: whole.department_of_section[q.section] for q in whole.processes}
    assert any(len({dept_of[h.process] for h in d.steps}) > 1 for d in wanted)  # steps of several parts
    for size in (1, 3):  # read a few departments at a time, as an import's handovers are opened
        with db.in_parts(size) as (everyone, parts):
            assert due_over(parts, everyone.absences, rosters.calendar_of(everyone), DAY) == wanted


def test_a_step_the_bare_path_makes_is_the_step_its_class_makes():
    from flows.model import Step
    from roles.storage import lean
    assert "__post_init__" not in vars(Step)  # else the bare path must make steps through Step(...)
    for p in escalating(city_workbook(DAY, seed=2, departments=2, processes=10)).processes:
        for s in p.after.steps:
            made = lean._made({f.name: getattr(s, f.name) for f in dataclasses.fields(Step)})
            assert made == s and hash(made) == hash(s) and repr(made) == repr(s)
    for text in (None, "[]", '["s1"]', '["s1", "g2"]', '["a\\"b"]', '["\\u6536"]', '["收文"]', '["a,b"]', '[ "s1" ]'):
        assert lean._ids(text) == tuple(json.loads(text) if text else ()), text


def test_unknown_ones_are_named(city):
    db, _ = city
    for call, kw in ((actions.roster, {"day": DAY, "department_id": "nope"}),
                     (actions.roster, {"day": DAY, "section_id": "nope"}),
                     (actions.person_days, {"person_id": "nope", "start": DAY, "end": DAY})):
        with pytest.raises(actions.NotFound, match="nope"):
            call(db, OFFICE, **kw)


def test_an_account_limited_to_a_department_reads_it_through_every_use_case_and_nothing_else(city):
    """The scope is the actor's, kept by the use cases themselves: a caller that names nothing
    gets the department's answer, one that names another department, section or person is
    refused, and what is about the whole city is refused too, whatever the account's role."""
    db, wb = city
    mine, other = wb.departments[0], wb.departments[1]
    limited = actions.Account("api:board", "office", None, mine.id)
    assert actions.roster(db, limited, day=DAY) == rosters.roster(wb, DAY, mine.id)
    end = DAY + dt.timedelta(days=20)
    assert actions.gaps(db, limited, start=DAY, end=end) == rosters.gaps(wb, DAY, end, mine.id)
    outsider = next(p for p in wb.people if wb.department_of_section[p.section] == other.id)
    insider = next(p for p in wb.people if wb.department_of_section[p.section] == mine.id)
    assert actions.person_days(db, limited, person_id=insider.id, start=DAY, end=DAY)
    assert {d.id for d in actions.workbook(db, limited, ("after",)).departments} == {mine.id}
    assert {wb.department_of_section[p.section] for p, _ in actions.lint_processes(db, limited)} <= {mine.id}
    refused = [
        lambda: actions.roster(db, limited, day=DAY, department_id=other.id),
        lambda: actions.roster(db, limited, day=DAY, section_id=other.sections[0].id),
        lambda: actions.person_days(db, limited, person_id=outsider.id, start=DAY, end=DAY),
        lambda: actions.whatif(db, limited, person_id=outsider.id, start=DAY, end=DAY),
        lambda: actions.resilience(db, limited, section_id=other.sections[0].id),
        lambda: actions.process_version(db, limited, process_id=next(
            p.id for p in wb.processes if wb.department_of_section[p.section] == other.id)),
        lambda: actions.workbook(db, limited, ("after",), frozenset({other.id})),
        lambda: actions.check(db, limited, departments=(other.id,)),
        lambda: actions.stats(db, limited),
        lambda: actions.export_workbook(db, limited, name="all.yaml"),
        lambda: actions.handover_shares(db, limited),
        lambda: actions.api_clients(db, limited),  # the office's own acts: not for a limited office
    ]
    for ask in refused:
        with pytest.raises(actions.PermissionDenied):
            ask()
    assert {f.subject for f in actions.check(db, limited)} <= {f.subject for f in actions.check(db, OFFICE)}
