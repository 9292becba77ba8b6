"""Use cases that build a city's or a province's worth of objects at once (a roster, gaps, an
import) run with Python's cycle collector paused.

What they build (steps, rows, answers) holds no reference cycles, so reference counting frees it
all; but the collector, woken by every 700 allocations, walks every object alive again and again:
half of a province's roster (a million objects) went to it. Paused for the call, resumed after
(by the last of several threads to finish), it changes nothing else.
"""
from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

_lock = threading.Lock()
_running = 0
_was_enabled = True


def many_objects(fn: Callable[P, T]) -> Callable[P, T]:
    """Run `fn` with the cycle collector paused."""
    @functools.wraps(fn)
    def run(*args: P.args, **kw: P.kwargs) -> T:
        global _running, _was_enabled
        with _lock:
            if _running == 0:
                _was_enabled = gc.isenabled()
                gc.disable()
            _running += 1
        try:
            return fn(*args, **kw)
        finally:
            with _lock:
                _running -= 1
                if _running == 0 and _was_enabled:
                    gc.enable()
    return run
