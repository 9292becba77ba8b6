"""The acting-holder API (`abflow api`): a small read-only HTTP JSON service for chat bots, duty
boards and other systems: who acts on a step or for a person on a date, a section's day, the gaps
in a range, the open handovers. Each client has its own token (made by the office: `abflow api
client add`) and reads as that client's account, limited to its department when it has one; the
answers are the cli spec's JSON documents (ui/shapes.py), through the same use cases.

FastAPI gives the OpenAPI description (/openapi.json) and its docs page (/docs) from the routes,
which is also why this module's annotations are evaluated where they stand (no `from __future__
import annotations`): FastAPI reads them to know each parameter.
"""
import datetime as dt
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from roles import actions

from .shapes import gaps_json, handovers_json, person_day_json, roster_json, step_json

_bearer = HTTPBearer(auto_error=False, description="The client's token, made by the office (`abflow api client add`).")
Day = Annotated[dt.date, Query(description="A date, YYYY-MM-DD.")]


def _client(request: Request,
            credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> actions.ApiClient:
    """The client whose token the request bears; 401 for none, an unknown or a revoked one."""
    try:
        return actions.api_client(request.app.state.database, token=credentials.credentials if credentials else "")
    except actions.PermissionDenied:
        raise HTTPException(401, "unknown or revoked API token", headers={"WWW-Authenticate": "Bearer"}) from None


Client = Annotated[actions.ApiClient, Depends(_client)]


def create_app(url: str | None = None) -> FastAPI:
    """The API on the database at `url` (else ABFLOW_DB, else the user's own)."""
    app = FastAPI(title="abflow", version="1",
                  summary="Who acts on each step of the redesigned processes: read-only, per-client tokens.")
    database = app.state.database = actions.open_database(url)

    for error, status in ((actions.BadInput, 400), (actions.PermissionDenied, 403), (actions.NotFound, 404),
                          (actions.DatabaseUnavailable, 503)):
        app.add_exception_handler(error, _answer(status))

    @app.get("/v1/roster", summary="Who acts on each redesigned step on a date (as `abflow roster --json`)")
    def roster(c: Client, date: Day, department: str | None = None) -> dict:
        dept = actions.in_scope(database, c, department_id=department)
        return roster_json(actions.roster(database, c.account, day=date, department_id=dept), date)

    @app.get("/v1/gaps", summary="Every workday and step in a range that nobody covers (as `abflow gaps --json`)")
    def gaps(c: Client, start: Annotated[dt.date, Query(alias="from")], end: Annotated[dt.date, Query(alias="to")],
             department: str | None = None) -> dict:
        dept = actions.in_scope(database, c, department_id=department)
        found = actions.gaps(database, c.account, start=start, end=end, department_id=dept)
        return gaps_json(found, start, end, actions.calendar(database, c.account, start=start, end=end))

    @app.get("/v1/steps/{process}/{step}", summary="Who acts on one step on a date (its roster entry)")
    def step(c: Client, process: str, step: str, date: Day) -> dict:
        dept = actions.in_scope(database, c)
        r = actions.roster(database, c.account, day=date, department_id=dept)
        found = next((d for d in r.steps if (d.process, d.step) == (process, step)), None)
        if found is None:
            raise actions.NotFound("redesigned step", f"{process}/{step}" if r.workday else
                                   f"{process}/{step} on {date}, no workday")
        return {"date": date.isoformat(), **step_json(found)}

    @app.get("/v1/people/{person}", summary="A person's day: what they hold, whom they cover, who acts for them")
    def person(c: Client, person: str, date: Day) -> dict:
        actions.in_scope(database, c, person_id=person)
        day, = actions.person_days(database, c.account, person_id=person, start=date, end=date)
        return {"person": person, **person_day_json(day)}

    @app.get("/v1/sections/{section}/day", summary="A section's day: its steps and who acts on each")
    def section_day(c: Client, section: str, date: Day) -> dict:
        actions.in_scope(database, c, section_id=section)
        return roster_json(actions.roster(database, c.account, day=date, section_id=section), date)

    @app.get("/v1/handovers", summary="Handovers (交接单), newest first (as `abflow handovers --json`)")
    def handovers(c: Client, open: bool = False, department: str | None = None) -> dict:
        dept = actions.in_scope(database, c, department_id=department)
        return handovers_json(actions.handovers(database, c.account, open_only=open, department_id=dept))

    return app


def _answer(status: int):
    async def handler(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=status)
    return handler
