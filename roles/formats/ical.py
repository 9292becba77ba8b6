"""iCalendar both ways: a person's duties as a feed their phone calendar subscribes to, and
absences read from the .ics files leave systems export.

The feed has one all-day, free-time event per workday with something to do: the steps they hold,
whom they cover for (the cover days), the gaps they are asked to stand in for, and who acts for
them while they are away. UIDs are stable, so a re-exported feed updates events in place.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from icalendar import Calendar, Event

from roles.engines.person_days import PersonDay
from roles import clock
from roles.model import Absence, Workbook, half_at
from flows import limits
from flows.errors import BadInput, Problem, Problems

PRODID = "-//abflow//A-B duty roster//ZH"


@dataclass(frozen=True)
class Words:
    """The feed's text in the reader's language; the UI layer fills it from its word list."""

    holds: str
    covers: str
    stands_in: str
    away: str
    gap: str
    for_whom: str


def _line(d, extra: str = "") -> str:
    return f"{d.process_name} · {d.step} {d.step_name}{extra}"


def duty_feed(wb: Workbook, person: str, days: list[PersonDay], words: Words) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    name = wb.person_by_id[person].name
    cal.add("x-wr-calname", f"{name} A/B")
    stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    who = lambda pid: wb.person_by_id[pid].name if pid in wb.person_by_id else (pid or words.gap)  # noqa: E731
    for day in days:
        if not day.workday:
            continue
        if day.away:
            if not day.covered:
                continue
            summary = words.away.format(n=len(day.covered))
            lines = [_line(d, f" → {who(d.acting)}") for d in day.covered]
            kind = "away"
        else:
            parts = [words.holds.format(n=len(day.holds))] if day.holds else []
            if day.covers:
                parts.append(words.covers.format(n=len(day.covers)))
            if day.stands_in:
                parts.append(words.stands_in.format(n=len(day.stands_in)))
            if not parts:
                continue
            summary = " · ".join(parts)
            lines = ([_line(d) for d in day.holds]
                     + [_line(d, " (" + words.for_whom.format(who=who(d.a)) + ")") for d in day.covers]
                     + [_line(d, f" ({words.stands_in.format(n=1)})") for d in day.stands_in])
            kind = "duty"
        ev = Event()
        ev.add("uid", f"{person}-{day.date.isoformat()}-{kind}@abflow")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", day.date)
        ev.add("dtend", day.date + dt.timedelta(days=1))
        ev.add("summary", summary)
        ev.add("description", "\n".join(lines))
        ev.add("transp", "TRANSPARENT")
        ev.add("categories", ["cover" if day.covers or day.stands_in else kind])
        cal.add_component(ev)
    return cal.to_ical()


#: Words in a leave system's event title or category that tell the reason.
_REASON_WORDS = (("sick", ("病假", "sick")), ("trip", ("出差", "trip", "travel")),
                 ("training", ("培训", "学习", "training")), ("leave", ("假", "leave", "vacation", "休")))


def _reason(text: str) -> str:
    low = text.lower()
    for reason, words in _REASON_WORDS:
        if any(w in low for w in words):
            return reason
    return "other"


def _categories(ev) -> str:
    found = ev.get("categories")
    items = found if isinstance(found, list) else [found] if found is not None else []
    return " ".join(str(c) for item in items for c in getattr(item, "cats", [item]))


def _person_of(wb: Workbook, ev) -> str | None:
    """The person an event is about: an X-ABFLOW-PERSON id, else an attendee or organizer whose
    name or e-mail user is a person's id or unique name, else a title that starts with one."""
    by_name: dict[str, list[str]] = {}
    for p in wb.people:
        by_name.setdefault(p.name, []).append(p.id)

    def match(text: str) -> str | None:
        text = text.strip()
        if text in wb.person_by_id:
            return text
        ids = by_name.get(text, [])
        return ids[0] if len(ids) == 1 else None

    if ev.get("x-abflow-person"):
        return match(str(ev.get("x-abflow-person")))
    attendees = ev.get("attendee") or []
    if not isinstance(attendees, list):
        attendees = [attendees]
    for who in [*attendees, ev.get("organizer")]:
        if who is None:
            continue
        cn = who.params.get("CN") if hasattr(who, "params") else None
        for text in (cn, str(who).split(":", 1)[-1].split("@")[0]):
            if text and (found := match(text)):
                return found
    summary = str(ev.get("summary") or "")
    for sep in (" ", "：", ":", "-", "（", "("):
        head = summary.split(sep, 1)[0]
        if head and (found := match(head)):
            return found
    return None


#: At most this many days a repeating leave may expand to, and this far ahead of its first day.
MAX_REPEATS = 366
REPEAT_HORIZON = dt.timedelta(days=2 * 366)


def read_absences(data: bytes, source: str, wb: Workbook, person: str | None = None) -> list[Absence]:
    """Every VEVENT of the file as absences (a repeating one, RRULE, as one per occurrence), or
    `BadInput` naming each bad event and field. All-day events end the day before DTEND (RFC 5545:
    DTEND is exclusive); an event without DTEND lasts its DURATION, else its first day."""
    if problem := limits.size_problem(len(data)):
        raise BadInput([Problem(source, "calendar", None, None, problem)])
    try:
        cal = Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as e:
        raise BadInput([Problem(source, "calendar", None, None,
                                f"not an iCalendar file: {limits.short(str(e), 120)}")]) from None
    if person is not None and person not in wb.person_by_id:
        raise BadInput([Problem(source, "calendar", None, "person", f"no person {limits.short(person)} in the database")])
    out: list[Absence] = []
    problems = Problems(limits.MAX_PROBLEMS)
    for i, ev in enumerate(cal.walk("VEVENT"), 1):
        entry = f"event {i}" + (f" ({limits.named(ev.get('uid'))})" if ev.get("uid") else "")
        who = person or _person_of(wb, ev)
        if who is None:
            problems.append(Problem(source, entry, None, "attendee",
                                    "names no person of the database (use --person, an attendee CN, "
                                    "or a title starting with the person's name or id)"))
            continue
        try:
            start, end, start_half, end_half = _span(ev)
            days = _repeats(ev, (start, end))
        except _Refused as e:
            problems.append(Problem(source, entry, None, e.field, e.message))
            continue
        reason = _reason(f"{_categories(ev)} {ev.get('summary') or ''}")
        out += [Absence(who, first, last, reason, start_half, end_half) for first, last in days]
    if problems:
        raise problems.error()
    return out


class _Refused(Exception):
    def __init__(self, field: str, message: str):
        self.field, self.message = field, message


def _day(prop, field: str) -> dt.date | dt.datetime:
    try:
        value = prop.dt
    except (ValueError, AttributeError) as e:
        raise _Refused(field, f"no date: {limits.short(str(e), 80)}") from None
    if not isinstance(value, dt.date):  # VALUE=TIME or VALUE=PERIOD: no day of leave
        raise _Refused(field, f"must be a date or a date and time, not {type(value).__name__} "
                              f"{limits.short(str(value), 60)}")
    if problem := limits.date_problem(value.date() if isinstance(value, dt.datetime) else value):
        raise _Refused(field, problem)
    return value


def _local(value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    """A time of day in the office's zone (one with a zone is moved into it; one without is local)."""
    return clock.local(value).replace(tzinfo=None) if isinstance(value, dt.datetime) and value.tzinfo else value


def _span(ev) -> tuple[dt.date, dt.date, str | None, str | None]:
    """The first (or only) occurrence of an event, as its first and last day of absence and its
    halves: a start at noon or later begins in the afternoon ("pm"), an end by noon ends the
    absence at noon ("am")."""
    start_prop, end_prop, duration = ev.get("dtstart"), ev.get("dtend"), ev.get("duration")
    if start_prop is None:
        raise _Refused("dtstart", "missing")
    start_raw = _day(start_prop, "dtstart")
    if end_prop is not None:
        end_raw = _day(end_prop, "dtend")
    elif duration is not None and isinstance(getattr(duration, "dt", None), dt.timedelta):
        if duration.dt < dt.timedelta(0) or duration.dt > REPEAT_HORIZON:
            raise _Refused("duration", f"{limits.short(str(duration.dt), 40)} is no length of leave")
        end_raw = start_raw + duration.dt
    else:
        end_raw, end_prop = start_raw, None
    start_raw, end_raw = _local(start_raw), _local(end_raw)
    start = start_raw.date() if isinstance(start_raw, dt.datetime) else start_raw
    start_half = half_at(start_raw.time(), starts=True) if isinstance(start_raw, dt.datetime) else None
    end_half = None
    if isinstance(end_raw, dt.datetime):
        end = end_raw.date() if end_raw.time() != dt.time(0) or end_raw.date() == start else \
            end_raw.date() - dt.timedelta(days=1)
        if end == end_raw.date():
            end_half = half_at(end_raw.time(), starts=False)
    elif (end_prop is not None or duration is not None) and end_raw > start:
        end = end_raw - dt.timedelta(days=1)
    else:
        end = end_raw
    if end < start:
        raise _Refused("dtend", f"{end} is before the start {start}")
    if problem := limits.date_problem(end):
        raise _Refused("dtend", problem)
    if (wrong := Absence("", start, end, "leave", start_half, end_half).problem()) is not None:
        raise _Refused("dtend", wrong[1])  # from noon to noon of one day
    return start, end, start_half, end_half


def _repeats(ev, first: tuple[dt.date, dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Every occurrence of a repeating event (RRULE, less EXDATE), each as long as the first;
    at most MAX_REPEATS within REPEAT_HORIZON, else refused with the reason."""
    rule = ev.get("rrule")
    if rule is None:
        return [first]
    from dateutil.rrule import rrulestr
    start, end = first
    try:
        dates = rrulestr(rule.to_ical().decode(), dtstart=dt.datetime.combine(start, dt.time()))
    except (ValueError, TypeError) as e:
        raise _Refused("rrule", f"cannot be read: {limits.short(str(e), 80)}") from None
    horizon = dt.datetime.combine(start + REPEAT_HORIZON, dt.time())
    found: list[dt.date] = []
    for when in dates:
        if when > horizon or len(found) > MAX_REPEATS:
            raise _Refused("rrule", f"repeats beyond {MAX_REPEATS} times or {REPEAT_HORIZON.days} days; "
                                    "give COUNT or UNTIL, or enter the leave as separate events")
        found.append(when.date())
    skipped = set()
    exdates = ev.get("exdate") or []
    for ex in exdates if isinstance(exdates, list) else [exdates]:  # one EXDATE line, or several
        for item in getattr(ex, "dts", []):
            skipped.add(item.dt.date() if isinstance(item.dt, dt.datetime) else item.dt)
    length = end - start
    return [(day, day + length) for day in found if day not in skipped]
