"""Who may do what: three roles, checked here for every caller (the CLI, each page, jobs).

The reform office edits everything; a section head edits their own section (its processes, its
proposals, its people's absences); staff see everything and edit only their own absences. A
refusal is a `PermissionDenied` that says who was refused what. An account limited to one
department (an API client's) reads that department only, whatever the use case (`within`).
"""
from __future__ import annotations

import dataclasses
import os
import pwd

from flows.errors import PermissionDenied
from roles.model import Workbook
from roles.actor import Account, LOCAL
from roles.storage.database import Database

# The guards (require_office, …) are the other actions' own, imported by name, not front ends'.
__all__ = ["LOCAL", "WITHHELD", "Account", "cli_account", "is_office", "may_edit_absence", "may_edit_section",
           "may_see_reason"]


def cli_account() -> Account:
    """Whoever runs the CLI acts as the office, named by the operating system's password database
    for the process's user (not by LOGNAME or USER, which anyone can set)."""
    try:
        name = pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:  # a uid with no entry (some containers)
        name = f"uid{os.geteuid()}"
    return Account(f"cli:{name}", "office")


def section_of(wb: Workbook, account: Account) -> str | None:
    p = wb.person_by_id.get(account.person or "")
    return p.section if p else None


def may_edit_section(wb: Workbook, account: Account, section: str) -> bool:
    return account.role == "office" or (account.role == "head" and section_of(wb, account) == section)


def may_edit_absence(wb: Workbook, account: Account, person: str) -> bool:
    if account.role == "office" or account.person == person:
        return True
    p = wb.person_by_id.get(person)
    return account.role == "head" and p is not None and p.section == section_of(wb, account)


def may_see_reason(wb: Workbook, account: Account, person: str) -> bool:
    """Why someone is away (sick leave, say) is personal: the person, their section's head and the
    office may know it; everyone else sees that they are away and who covers."""
    if account.role == "office" or account.person == person:
        return True
    p = wb.person_by_id.get(person)
    return account.role == "head" and p is not None and p.section == section_of(wb, account)


#: What an absence shows in place of a reason its reader may not see.
WITHHELD = "withheld"


def private(wb: Workbook, account: Account) -> Workbook:
    """The workbook as `account` may read it: reasons of others' absences withheld."""
    if account.role == "office":
        return wb
    shown = tuple(a if may_see_reason(wb, account, a.person) else dataclasses.replace(a, reason=WITHHELD)
                  for a in wb.absences)
    return dataclasses.replace(wb, absences=shown) if shown != wb.absences else wb


def is_office(actor: Account) -> bool:
    """Whether `actor` acts as the reform office; an account limited to one department does not."""
    return actor.role == "office" and actor.department is None


def require_office(actor: Account, what: str) -> None:
    """The office's own acts."""
    if not is_office(actor):
        raise PermissionDenied(f"{actor.username}: only the reform office may {what}")


def within(db: Database, actor: Account, *, department_id: str | None = None, section_id: str | None = None,
           person_id: str | None = None) -> str | None:
    """The department a question of `actor` is about: the one it names, or, for an account
    limited to one department, that department, and PermissionDenied when the question names a
    department, section or person outside it. Every use case that reads asks here first, so no
    caller (a new API route, a page) can read across departments by forgetting to."""
    if actor.department is None:
        return department_id
    wb = db.workbook(())
    home = wb.person_by_id[person_id].section if person_id in wb.person_by_id else None
    named = {department_id, wb.department_of_section.get(section_id or ""), wb.department_of_section.get(home or "")}
    outside = {d for d in named if d is not None} - {actor.department}
    if outside or (section_id and section_id not in wb.section_by_id) or (person_id and person_id not in wb.person_by_id):
        raise PermissionDenied(f"{actor.username} may read department {actor.department} only")
    return actor.department


def whole(actor: Account, what: str) -> None:
    """A question about the whole city, which an account limited to one department may not ask."""
    if actor.department is not None:
        raise PermissionDenied(f"{actor.username} may read department {actor.department} only, not {what}")


def require_section(wb: Workbook, actor: Account, section: str, what: str) -> None:
    if not may_edit_section(wb, actor, section):
        raise PermissionDenied(f"{actor.username}: may not {what} of section {section} "
                               "(the office, or that section's head, may)")


def require_absences(wb: Workbook, actor: Account, people) -> None:
    denied = sorted({p for p in people if not may_edit_absence(wb, actor, p)})
    if denied:
        raise PermissionDenied(f"{actor.username}: may not change the absences of {', '.join(denied)} "
                               "(only their own, their head's or the office's)")
