"""The acting-holder API (`abflow api`): a small read-only HTTP JSON service for chat bots, duty
boards and other systems: who acts on a step or for a person on a date, a section's day, the gaps
in a range, the open handovers. Each client has its own token (made by the office: `abflow api
client add`) and reads as that client's account, limited to its department when it has one; the
answers are the cli spec's JSON documents (ui/shapes.py), through the same use cases.

FastAPI gives the OpenAPI description (/openapi.json) and its docs page (/docs, Swagger UI's files
served from the fastapi-offline package, so the page works where no CDN is reached) from the
routes, which is also why this module's annotations are evaluated where they stand (no `from
__future__ import annotations`): FastAPI reads them to know each parameter.

A client may ask ABFLOW_API_RATE questions a minute (a burst of ABFLOW_API_BURST), else 429; at
most ABFLOW_API_CONCURRENT answers are worked on at once, and a question that waits more than
ABFLOW_API_WAIT seconds for its turn gets 503 with Retry-After: one busy client cannot make the
others wait without end. A range of gaps is at most a year.
"""
import asyncio
import datetime as dt
import os
import re
import threading
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BeforeValidator

from roles import actions

from . import answers
from .shapes import gaps_json, handovers_json, matter_json, person_day_json, roster_json, step_json

_bearer = HTTPBearer(auto_error=False, description="The client's token, made by the office (`abflow api client add`).")


def _iso_date(value: object) -> object:
    """Only a date as written, YYYY-MM-DD: pydantic would take 0 (or 1e9) as a day of 1970."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
Day = Annotated[IsoDate, Query(description="A date, YYYY-MM-DD.")]
#: The longest range of gaps a client may ask for.
MAX_RANGE_DAYS = 366
#: What every route may answer besides 200 and 422, for the OpenAPI description.
_ERRORS = {status: {"description": words, "content": {"application/json": {"example": {"detail": words}}}}
           for status, words in ((400, "A question that cannot be answered: a date out of range, a range too long"),
                                 (401, "No token, or an unknown or revoked one"),
                                 (403, "Outside the client's department"),
                                 (404, "No such process, step, person or section"),
                                 (429, "Too many questions: ask again after Retry-After seconds"),
                                 (503, "Busy, or the database is unreachable: ask again after Retry-After seconds"))}


class Admission:
    """Per-client token buckets and a bound on answers worked on at once (one per API process).
    A question waiting for its turn waits on the event loop, holding no worker thread: with more
    waiting than the pool has threads, the answers being worked on found none left to run in, and
    everyone waited out the timeout (50 clients at once on one worker)."""

    def __init__(self) -> None:
        self.rate = float(os.environ.get("ABFLOW_API_RATE", "120")) / 60  # questions a second
        self.burst = float(os.environ.get("ABFLOW_API_BURST", "60"))
        self.wait = float(os.environ.get("ABFLOW_API_WAIT", "10"))
        self.working = asyncio.BoundedSemaphore(int(os.environ.get("ABFLOW_API_CONCURRENT", "4")))
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> None:
        with self._lock:
            now = time.monotonic()
            tokens, at = self._buckets.get(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if tokens < 1:
                self._buckets[client] = (tokens, now)
                later = int((1 - tokens) / self.rate) + 1
                raise HTTPException(429, f"too many questions: ask again in {later} s",
                                    headers={"Retry-After": str(later)})
            self._buckets[client] = (tokens - 1, now)

    async def enter(self) -> None:
        try:
            if not self.working.locked():
                await self.working.acquire()  # free: taken at once
            elif self.wait <= 0:
                raise TimeoutError
            else:
                await asyncio.wait_for(self.working.acquire(), timeout=self.wait)
        except TimeoutError:
            raise HTTPException(503, "busy answering others: ask again shortly", headers={"Retry-After": "5"}) from None

    def leave(self) -> None:
        self.working.release()


def _client(request: Request,
            credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> actions.ApiClient:
    """The client whose token the request bears; 401 for none, an unknown or a revoked one."""
    try:
        return actions.api_client(request.app.state.database, token=credentials.credentials if credentials else "")
    except actions.PermissionDenied:
        raise HTTPException(401, "unknown or revoked API token", headers={"WWW-Authenticate": "Bearer"}) from None


async def _admitted(request: Request,
                    client: Annotated[actions.ApiClient, Depends(_client)]) -> AsyncIterator[actions.ApiClient]:
    """The client, once its rate and a turn allow: held until its answer is made."""
    admission: Admission = request.app.state.admission
    admission.take(client.name)
    await admission.enter()
    try:
        yield client
    finally:
        admission.leave()


Client = Annotated[actions.ApiClient, Depends(_admitted)]


def _database(request: Request) -> actions.Database:
    """The app's database, handed to each route (a test or a second app may bring another)."""
    return request.app.state.database


Db = Annotated[actions.Database, Depends(_database)]


def create_app(url: str | None = None) -> FastAPI:
    """The API on the database at `url` (else ABFLOW_DB, else the user's own)."""
    from fastapi_offline import FastAPIOffline
    app = FastAPIOffline(title="abflow", version="1", redoc_url=None, responses=_ERRORS,  # type: ignore[arg-type]
                         summary="Who acts on each step of the redesigned processes: read-only, per-client tokens.")
    app.state.database = actions.open_database(url)
    app.state.admission = Admission()

    for error, status in ((actions.BadInput, 400), (actions.PermissionDenied, 403), (actions.NotFound, 404),
                          (actions.DatabaseUnavailable, 503)):
        app.add_exception_handler(error, _answer(status))
    for failure in actions.DATABASE_ERRORS:  # lost mid-way: said without the driver's words (they name the server)
        app.add_exception_handler(failure, _unavailable)

    @app.get("/v1/roster", summary="Who acts on each redesigned step on a date (as `abflow roster --json`)",
             response_model=None, responses={200: {"model": answers.Roster}})
    def roster(c: Client, database: Db, date: Day, department: str | None = None) -> dict:
        return roster_json(actions.roster(database, c.account, day=date, department_id=department), date)

    @app.get("/v1/gaps", summary="Every workday and step in a range that nobody covers (as `abflow gaps --json`)",
             response_model=None, responses={200: {"model": answers.Gaps}})
    def gaps(c: Client, database: Db, start: Annotated[IsoDate, Query(alias="from")], end: Annotated[IsoDate, Query(alias="to")],
             department: str | None = None) -> dict:
        if (end - start).days >= MAX_RANGE_DAYS:
            raise actions.BadInput(f"the range {start} to {end} is longer than {MAX_RANGE_DAYS} days; ask a year at a time")
        found = actions.gaps(database, c.account, start=start, end=end, department_id=department)
        return gaps_json(found, start, end, actions.calendar(database, c.account, start=start, end=end))

    @app.get("/v1/steps/{process}/{step}", summary="Who acts on one step on a date (its roster entry)",
             response_model=None, responses={200: {"model": answers.StepOnDay}})
    def step(c: Client, database: Db, process: str, step: str, date: Day) -> dict:
        r = actions.roster(database, c.account, day=date)
        found = next((d for d in r.steps if (d.process, d.step) == (process, step)), None)
        if found is None:
            raise actions.NotFound("redesigned step", f"{process}/{step}" if r.workday else
                                   f"{process}/{step} on {date}, no workday")
        return {"date": date.isoformat(), **step_json(found)}

    @app.get("/v1/people/{person}", summary="A person's day: what they hold, whom they cover, who acts for them",
             response_model=None, responses={200: {"model": answers.PersonDay}})
    def person(c: Client, database: Db, person: str, date: Day) -> dict:
        day, = actions.person_days(database, c.account, person_id=person, start=date, end=date)
        return {"person": person, **person_day_json(day)}

    @app.get("/v1/sections/{section}/day", summary="A section's day: its steps and who acts on each",
             response_model=None, responses={200: {"model": answers.Roster}})
    def section_day(c: Client, database: Db, section: str, date: Day) -> dict:
        return roster_json(actions.roster(database, c.account, day=date, section_id=section), date)

    @app.get("/v1/handovers", summary="Handovers (交接单), newest first (as `abflow handovers --json`)",
             response_model=None, responses={200: {"model": answers.Handovers}})
    def handovers(c: Client, database: Db, open: bool = False, department: str | None = None) -> dict:
        return handovers_json(actions.handovers(database, c.account, open_only=open, department_id=department))

    @app.get("/v1/matters", summary="Matters done once across departments (as `abflow matters --json`)",
             response_model=None, responses={200: {"model": answers.Matters}})
    def matters(c: Client, database: Db) -> dict:
        return {"matters": [matter_json(f) for f in actions.matters(database, c.account)]}

    @app.get("/v1/matters/{matter}", summary="One matter done once: its parts by stage and department, its limit "
             "end to end and 四减 (as `abflow matter M --json`)", response_model=None, responses={200: {"model": answers.Matter}})
    def matter(c: Client, database: Db, matter: str) -> dict:
        return matter_json(actions.matter(database, c.account, matter_id=matter))

    return app


def _answer(status: int):
    async def handler(request: Request, exc: Exception) -> JSONResponse:
        said = "the database is unreachable; ask again later" if status == 503 else str(exc)
        return JSONResponse({"detail": said}, status_code=status, headers={"Retry-After": "30"} if status == 503 else None)
    return handler


_unavailable = _answer(503)
