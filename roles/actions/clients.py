"""API clients (issue 17): the office makes a client for each program that reads who acts (a chat
bot, a duty board), with its own token, the role it reads as and, if given, the one department
it may ask about; and revokes it. The API turns a token into the client here, and asks every
question through the same use cases as the CLI and the app, as that client's account.
"""
from __future__ import annotations

from flows import limits
from flows.errors import BadInput, PermissionDenied
from roles.storage import clients as store
from roles.actor import ROLES
from roles.storage.clients import ApiClient
from roles.storage.database import Database

from .access import Account, require_office
from .coverage import department as known_department, person as known_person

__all__ = ["ApiClient", "add_api_client", "api_client", "api_clients", "revoke_api_client"]


def add_api_client(db: Database, actor: Account, *, name: str, role: str = "office", person_id: str | None = None,
                   department_id: str | None = None) -> str:
    """Make a client; returns its token, which is shown this once and stored only as a hash."""
    require_office(actor, "make API clients")
    if problem := limits.id_problem(name):
        raise BadInput(f"name: {problem}")
    if role not in ROLES:
        raise BadInput(f"role: must be one of {', '.join(ROLES)}, not {limits.short(role)}")
    wb = db.workbook(())
    if person_id is not None:
        known_person(wb, person_id)
    elif role != "office":
        raise BadInput(f"person: a {role} client reads as a person; name them")
    known_department(wb, department_id)
    return store.add(db.engine, name, role, person_id, department_id, actor)


def revoke_api_client(db: Database, actor: Account, *, name: str) -> None:
    require_office(actor, "revoke API clients")
    store.revoke(db.engine, name, actor)


def api_clients(db: Database, actor: Account) -> list[ApiClient]:
    require_office(actor, "list API clients")
    return store.clients(db.engine)


def api_client(db: Database, *, token: str) -> ApiClient:
    """The client a token belongs to; PermissionDenied for an unknown or revoked token."""
    found = store.client_for(db.engine, token or "")
    if found is None:
        raise PermissionDenied("unknown or revoked API token")
    return found
