"""Long work the app starts and its pages watch (publishing a city's charts takes minutes): run in
a thread of the server, one at a time per key, so the page that started it, and every other page,
stays usable, and a second click joins the run under way instead of starting another."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from flows.errors import AbflowError
from flows.wording import Stage

log = logging.getLogger("abflow.background")


@dataclass
class Job:
    stage: Stage | None = None
    result: object = None
    error: str | None = None
    done: bool = False
    finished: threading.Event = field(default_factory=threading.Event)

    def report(self, stage: Stage) -> None:
        self.stage = stage

    @property
    def share(self) -> float:
        return float(getattr(self.stage, "share", 0.0))


_jobs: dict[str, Job] = {}
_lock = threading.Lock()


def start(key: str, work: Callable[[Callable[[Stage], None]], object]) -> Job:
    """Run `work(progress)` in the background, unless a job of that key is still running."""
    with _lock:
        job = _jobs.get(key)
        if job is not None and not job.done:
            return job
        job = _jobs[key] = Job()

    def run() -> None:
        try:
            job.result = work(job.report)
        except AbflowError as e:
            job.error = str(e)
        except Exception:  # the server log has the details, the user a plain message
            log.exception("background job %s failed", key)
            job.error = "failed: see the server's log"
        finally:
            job.done = True
            job.finished.set()

    threading.Thread(target=run, name=f"abflow-{key}", daemon=True).start()
    return job


def get(key: str) -> Job | None:
    return _jobs.get(key)


def forget(key: str) -> None:
    """Drop a finished job (its result has been taken)."""
    with _lock:
        if (job := _jobs.get(key)) is not None and job.done:
            del _jobs[key]
