"""Who acts: an account's name, role, person and the one department it may be limited to. Every
use case and every write carries one; where it is stored is roles.storage.accounts' business."""
from __future__ import annotations

from typing import Literal, cast, get_args
from dataclasses import dataclass


#: Who an account is: the reform office, a section head, the leader in charge of a department
#: (分管领导, who approves its changes), or staff.
Role = Literal["office", "head", "leader", "staff"]
ROLES: tuple[Role, ...] = get_args(Role)


def as_role(text: str) -> Role:
    """A stored role, as the type names it: every write checks it (`role_problem`), so anything
    else is a row not written by abflow."""
    if text not in ROLES:
        raise ValueError(f"stored role {text!r} is none of {', '.join(ROLES)}")
    return cast(Role, text)


@dataclass(frozen=True)
class Account:
    username: str
    role: Role
    person: str | None = None
    #: The one department the account may read, where it is limited to one (an API client's):
    #: every use case keeps its questions and answers within it (roles.actions.access.within).
    department: str | None = None
    #: The department a leader is in charge of: whose drafts and A/B changes they approve.
    leads: str | None = None


def approves(actor: Account, department_id: str | None) -> bool:
    """Whether `actor` may approve a change of the department (review): the reform office, or the
    leader in charge of it; never the change's author, which the review's record tells."""
    return (actor.role == "office" and actor.department is None) or (
        actor.role == "leader" and actor.leads is not None and actor.leads == department_id)


#: Who acts when the database has no accounts (a single-user installation).
LOCAL = Account("local", "office")


def username(who: Account | str) -> str:
    """Who acted, as the records name them: an account's user name, or a tool's name ("cli")."""
    return who.username if isinstance(who, Account) else who
