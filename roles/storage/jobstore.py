"""APScheduler's job table, kept as JSON instead of pickles.

APScheduler's own SQLAlchemy store pickles each job, so whoever may write that one table can make
the scheduler run any code on its host the next time it reads the job. Here a job is plain JSON:
the name of one of the functions we allow, its plain arguments, and its trigger (cron or interval)
by its fields. A row naming anything else is refused and removed, and logged, as APScheduler does
with any row it cannot read; the worst a table writer can do is change a job's time or options.
"""
from __future__ import annotations

import datetime as dt
import json
import numbers

from apscheduler.job import Job
from apscheduler.jobstores.base import ConflictingIdError, JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from apscheduler.util import datetime_to_utc_timestamp
from sqlalchemy.exc import IntegrityError


def _when(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _plain(value, where: str):
    """Arguments must be JSON's own values, so that reading them back runs nothing."""
    if value is None or isinstance(value, (str, bool)) or (isinstance(value, numbers.Real)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v, where) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _plain(v, where) for k, v in value.items()}
    raise ValueError(f"{where}: {type(value).__name__} is not a plain value")


def _trigger_state(trigger) -> dict:
    common = {"timezone": str(trigger.timezone), "start_date": _when(trigger.start_date),
              "end_date": _when(trigger.end_date), "jitter": trigger.jitter}
    if isinstance(trigger, CronTrigger):
        return {"cron": {f.name: str(f) for f in trigger.fields if not f.is_default}} | common
    if isinstance(trigger, IntervalTrigger):
        return {"interval": trigger.interval_length} | common
    raise ValueError(f"{type(trigger).__name__}: only cron and interval triggers are stored")


def _trigger(state: dict):
    options = {"timezone": state["timezone"], "start_date": state["start_date"], "end_date": state["end_date"],
               "jitter": state["jitter"]}
    if "cron" in state:
        fields = state["cron"]
        if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
            raise ValueError("cron fields must be text")
        return CronTrigger(**fields, **options)
    return IntervalTrigger(seconds=float(state["interval"]), **options)


class JsonJobStore(SQLAlchemyJobStore):
    """The job table of `SQLAlchemyJobStore`, with JSON rows and only `allowed` functions."""

    def __init__(self, engine, allowed: frozenset[str], tablename: str = "apscheduler_jobs"):
        super().__init__(engine=engine, tablename=tablename)
        self.allowed = allowed

    def _encode(self, job: Job) -> bytes:
        if job.func_ref not in self.allowed:
            raise ValueError(f"job {job.id}: {job.func_ref} is not a function the scheduler may run")
        state = {"id": job.id, "func": job.func_ref, "trigger": _trigger_state(job.trigger),
                 "executor": job.executor, "args": _plain(list(job.args), job.id),
                 "kwargs": _plain(dict(job.kwargs), job.id), "name": job.name,
                 "misfire_grace_time": job.misfire_grace_time, "coalesce": job.coalesce,
                 "max_instances": job.max_instances, "next_run_time": _when(job.next_run_time)}
        return json.dumps(state, ensure_ascii=False).encode()

    def _row(self, job: Job) -> dict:
        return {"next_run_time": datetime_to_utc_timestamp(job.next_run_time), "job_state": self._encode(job)}

    def add_job(self, job: Job) -> None:
        with self.engine.begin() as conn:
            try:
                conn.execute(self.jobs_t.insert().values(id=job.id, **self._row(job)))
            except IntegrityError:
                raise ConflictingIdError(job.id) from None

    def update_job(self, job: Job) -> None:
        with self.engine.begin() as conn:
            if conn.execute(self.jobs_t.update().values(**self._row(job))
                            .where(self.jobs_t.c.id == job.id)).rowcount == 0:
                raise JobLookupError(job.id)

    def _reconstitute_job(self, job_state: bytes) -> Job:
        state = json.loads(bytes(job_state).decode())  # not a pickle: anything else fails here
        if not isinstance(state, dict) or state.get("func") not in self.allowed:
            raise ValueError(f"stored job names {str(state.get('func') if isinstance(state, dict) else '?')[:80]}, "
                             "which the scheduler may not run")
        if not isinstance(state.get("args"), list) or not isinstance(state.get("kwargs"), dict):
            raise ValueError("a stored job's arguments must be a list and a mapping")
        state |= {"version": 1, "trigger": _trigger(state["trigger"]),
                  "args": tuple(_plain(state["args"], state["id"])),
                  "kwargs": _plain(state["kwargs"], state["id"]),
                  "next_run_time": dt.datetime.fromisoformat(state["next_run_time"])
                  if state["next_run_time"] else None}
        job = Job.__new__(Job)
        job.__setstate__(state)
        job._scheduler = self._scheduler
        job._jobstore_alias = self._alias
        return job
