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
from roles.model import Absence, Workbook
from flows.errors import Problem, BadInput

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


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


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


def read_absences(data: bytes, source: str, wb: Workbook, person: str | None = None) -> list[Absence]:
    """Every VEVENT of the file as an absence, or `BadInput` naming each bad event and field.
    All-day events end the day before DTEND (RFC 5545: DTEND is exclusive)."""
    try:
        cal = Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as e:
        raise BadInput([Problem(source, "calendar", None, None, f"not an iCalendar file: {e}")]) from None
    if person is not None and person not in wb.person_by_id:
        raise BadInput([Problem(source, "calendar", None, "person", f"no person '{person}' in the database")])
    out, problems = [], []
    for i, ev in enumerate(cal.walk("VEVENT"), 1):
        entry = f"event {i}" + (f" ({ev.get('uid')})" if ev.get("uid") else "")
        who = person or _person_of(wb, ev)
        if who is None:
            problems.append(Problem(source, entry, None, "attendee",
                                    "names no person of the database (use --person, an attendee CN, "
                                    "or a title starting with the person's name or id)"))
            continue
        start_prop, end_prop = ev.get("dtstart"), ev.get("dtend")
        if start_prop is None:
            problems.append(Problem(source, entry, None, "dtstart", "missing"))
            continue
        try:
            start_raw = start_prop.dt
            end_raw = end_prop.dt if end_prop is not None else start_raw
        except (ValueError, AttributeError) as e:
            problems.append(Problem(source, entry, None, "dtend" if start_prop else "dtstart", f"no date: {e}"))
            continue
        start = _as_date(start_raw)
        if isinstance(end_raw, dt.datetime):
            end = end_raw.date() if end_raw.time() != dt.time(0) or end_raw.date() == start else \
                end_raw.date() - dt.timedelta(days=1)
        elif end_prop is not None and end_raw > start:
            end = end_raw - dt.timedelta(days=1)
        else:
            end = end_raw
        if end < start:
            problems.append(Problem(source, entry, None, "dtend", f"{end} is before the start {start}"))
            continue
        out.append(Absence(who, start, end, _reason(f"{_categories(ev)} {ev.get('summary') or ''}")))
    if problems:
        raise BadInput(problems)
    return out
