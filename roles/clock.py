"""What day it is where the office works: Asia/Shanghai unless `ABFLOW_TZ` names another zone, so
a server kept in UTC does not show yesterday's roster until 08:00 Beijing time. Light on purpose:
the CLI asks before it loads anything else."""
from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flows.errors import BadInput

DEFAULT_ZONE = "Asia/Shanghai"


def zone() -> ZoneInfo:
    name = os.environ.get("ABFLOW_TZ") or DEFAULT_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput(f"ABFLOW_TZ: no time zone {name[:64]!r} (e.g. {DEFAULT_ZONE})") from None


def now() -> dt.datetime:
    return dt.datetime.now(zone())


def today() -> dt.date:
    """The office's day; `ABFLOW_TODAY` (YYYY-MM-DD) fixes it, for a demo or a training session run
    as of one day (and the browser tests, which must not depend on the day of the week)."""
    fixed = os.environ.get("ABFLOW_TODAY")
    if fixed:
        try:
            return dt.date.fromisoformat(fixed)
        except ValueError:
            raise BadInput(f"ABFLOW_TODAY: {fixed[:40]!r} is no date (YYYY-MM-DD)") from None
    return now().date()


def local(moment: dt.datetime) -> dt.datetime:
    """A stored moment (UTC) as the office's clock shows it."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)).astimezone(zone())
