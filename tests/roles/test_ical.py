"""The duty feed read back by the iCalendar library, and absences imported from leave files."""
from __future__ import annotations

import datetime as dt

from icalendar import Calendar

from roles.storage import organisation

LEAVE = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//HR//Leave//ZH
BEGIN:VEVENT
UID:lv-1
SUMMARY:\xe5\xad\x99\xe6\x99\x93\xe7\x87\x95 \xe5\xb9\xb4\xe5\x81\x87
DTSTART;VALUE=DATE:20261207
DTEND;VALUE=DATE:20261210
END:VEVENT
BEGIN:VEVENT
UID:lv-2
SUMMARY:Business trip
ATTENDEE;CN=bb04:mailto:someone@example.gov.cn
DTSTART:20261214T090000
DTEND:20261215T180000
END:VEVENT
END:VCALENDAR
"""


def events(data: bytes) -> dict[dt.date, object]:
    return {ev.get("dtstart").dt: ev for ev in Calendar.from_ical(data).walk("VEVENT")}


def test_the_feed_shows_duties_cover_days_and_days_away(bianban, cli, tmp_path):
    out = tmp_path / "bb06.ics"
    assert cli("ical", "bb06", "--from", "2026-11-23", "--to", "2026-11-29", "-o", str(out)).exit_code == 0
    evs = events(out.read_bytes())
    # bb06 backs bb07 on bb-p2/s4, and bb07 is away from 11-24 to 11-26: cover days.
    cover = evs[dt.date(2026, 11, 25)]
    assert "代岗 1 项" in str(cover.get("summary"))
    assert "代 " in str(cover.get("description"))
    assert str(cover.get("uid")) == "bb06-2026-11-25-duty@abflow"
    assert cover.get("dtend").dt == dt.date(2026, 11, 26)
    # The weekend has no events.
    assert dt.date(2026, 11, 28) not in evs and dt.date(2026, 11, 29) not in evs


def test_the_feed_for_someone_away_says_who_acts(bianban, cli):
    result = cli("ical", "bb07", "--from", "2026-11-25", "--to", "2026-11-25")
    ev = events(result.stdout_bytes)[dt.date(2026, 11, 25)]
    assert str(ev.get("summary")).startswith("离岗")
    assert "审核审批 → 吴丽娟" in str(ev.get("description"))  # bb-p2/s4: bb06 acts for bb07


def test_feed_errors(bianban, cli):
    assert cli("ical", "nobody").exit_code == 2
    r = cli("ical", "bb01", "--from", "2026-12-01", "--to", "2026-11-01")
    assert r.exit_code == 2 and "before it starts" in r.stderr


def test_absences_import_from_a_leave_file(bianban, cli, tmp_path):
    f = tmp_path / "leave.ics"
    f.write_bytes(LEAVE)
    doc = cli.json("absences", "import", str(f))
    assert doc["absences"] == [
        {"person": "bb03", "start": "2026-12-07", "end": "2026-12-09", "reason": "leave"},
        {"person": "bb04", "start": "2026-12-14", "end": "2026-12-15", "reason": "trip"}]
    assert doc["added"] == 2
    assert cli.json("absences", "import", str(f))["added"] == 0  # importing again adds nothing
    wb = organisation.load(bianban)
    assert sum(a.person == "bb03" and a.start == dt.date(2026, 12, 7) for a in wb.absences) == 1


def test_a_bad_leave_file_names_the_event_and_changes_nothing(bianban, cli, tmp_path):
    before = organisation.load(bianban).absences
    f = tmp_path / "bad.ics"
    f.write_bytes(LEAVE.replace(b"ATTENDEE;CN=bb04:mailto:someone@example.gov.cn\n", b"")
                  .replace(b"DTEND;VALUE=DATE:20261210", b"DTEND;VALUE=DATE:20261201"))
    r = cli("absences", "import", str(f))
    assert r.exit_code == 2
    assert "bad.ics: event 1 (lv-1), field 'dtend'" in r.stderr
    assert "bad.ics: event 2 (lv-2), field 'attendee'" in r.stderr
    assert organisation.load(bianban).absences == before
    junk = tmp_path / "junk.ics"
    junk.write_text("this is no calendar")
    r = cli("absences", "import", str(junk))
    assert r.exit_code == 2 and "junk.ics" in r.stderr
    r = cli("absences", "import", str(f), "--person", "ghost")
    assert r.exit_code == 2 and "ghost" in r.stderr


def test_a_leave_list_in_a_spreadsheet_imports_like_a_calendar(bianban, cli, tmp_path):
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.title = "absences"
    sheet.append(["person", "start", "end", "reason"])
    sheet.append(["bb03", dt.date(2026, 12, 7), dt.date(2026, 12, 9), "leave"])
    sheet.append(["bb04", "2026-12-14", "2026-12-15", "trip"])
    f = tmp_path / "请假表.xlsx"
    book.save(f)
    doc = cli.json("absences", "import", str(f))
    assert doc["added"] == 2 and doc["absences"][1] == {"person": "bb04", "start": "2026-12-14",
                                                         "end": "2026-12-15", "reason": "trip"}
    assert cli.json("absences", "import", str(f))["added"] == 0

    before = organisation.load(bianban).absences
    sheet.append(["ghost", "2026-12-20", "2026-12-19", "leave"])
    book.save(f)
    r = cli("absences", "import", str(f))
    assert r.exit_code == 2 and "请假表.xlsx" in r.stderr and "row 4" in r.stderr and "ghost" in r.stderr
    assert organisation.load(bianban).absences == before


def test_a_whole_workbook_is_no_leave_list(bianban, cli):
    from ..conftest import BIANBAN
    r = cli("absences", "import", str(BIANBAN))
    assert r.exit_code == 2 and "a leave list holds only absences" in r.stderr
