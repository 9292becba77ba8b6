"""Matters done once (一件事一次办): what each asks of which departments, before and after the
reform, and the cases that absences in any of them would make late. An account limited to one
department sees the matters that department leads or takes part in."""
from __future__ import annotations

import datetime as dt

from flows.errors import NotFound, PermissionDenied
from flows.model import VERSIONS
from roles.engines.matters import MatterFigures, all_figures
from roles.engines.overrun import OverrunReport, matter_overrun as run
from roles.storage.database import Database

from .access import Account
from .coverage import check_overrun_range

__all__ = ["MatterFigures", "matter", "matter_overrun", "matters"]


def matters(db: Database, actor: Account) -> list[MatterFigures]:
    """Every matter with its parts, 四减 and findings, in the order the data gives them."""
    found = db.derived(("matters",), VERSIONS, all_figures)
    return [f for f in found if actor.department is None or actor.department in f.departments]


def matter(db: Database, actor: Account, *, matter_id: str) -> MatterFigures:
    for f in db.derived(("matters",), VERSIONS, all_figures):
        if f.matter.id == matter_id:
            if actor.department is not None and actor.department not in f.departments:
                raise PermissionDenied(f"{actor.username} may read department {actor.department} only, "
                                       f"which takes no part in matter {matter_id}")
            return f
    raise NotFound("matter", matter_id, "the matters done once (一件事)")


def matter_overrun(db: Database, actor: Account, *, matter_id: str, start: dt.date, end: dt.date) -> OverrunReport:
    """Cases of the matter started on each workday from `start` to `end`, its parts in their own
    departments over their own people's absences: which run late against its promise, and by
    whose absence."""
    check_overrun_range(start, end)
    figures = matter(db, actor, matter_id=matter_id)
    return run(db.workbook(("after",)), figures.matter, start, end)
