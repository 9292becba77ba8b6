"""What a value from outside may be, for every reader (workbook files, leave lists, iCalendar,
BPMN, the designer): ids from a safe pattern, text without control characters, finite numbers in
sane bounds, dates within 1900–2100; and the bounds on files themselves. Each check returns the
problem in words, or None; readers name the file, entry and field around it.

Values are quoted in messages cut short, so a hostile value cannot flood a message.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import reprlib
import unicodedata

#: Ids: letters, digits, `_`, `.` and `-`, at most 64 (no spaces, slashes, control or zero-width
#: characters: ids become file names, URL parts and keys).
ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
ID_RULE = "letters, digits, '_', '.' and '-', at most 64"
#: A step's id may be what BPMN makes it, an XML NCName of any script (开始, 受理,
#: Activity_0b1x…): letters, digits, marks, `_`, `.`, `-` and `·`, at most 255; no spaces, colons,
#: control or format characters. Steps are keys within their version, never file names; one that
#: starts with a digit (a table's 1, 2, 3) is written to BPMN with a leading `_`.
STEP_ID = re.compile(r"[\w.\-\u00b7\u0300-\u036f\u203f\u2040]{1,255}")
STEP_ID_RULE = "letters (any script), digits, '_', '.' and '-', at most 255"
#: Names, notes and reasons: at most this many characters.
MAX_TEXT = 500
#: Numbers (minutes, counts per month, staffing, batches): at most this.
MAX_NUMBER = 1_000_000
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
#: How many problems an error lists before it counts the rest.
MAX_PROBLEMS = 100
#: Names in one list (a version's materials): at most this many.
MAX_ITEMS = 200
#: Files: a leave list, calendar or BPMN file at most MAX_FILE_BYTES; a workbook, which may hold a
#: province, at most MAX_WORKBOOK_BYTES. A spreadsheet unpacks to at most MAX_UNPACKED_BYTES, no
#: part of it above RATIO_FLOOR to more than MAX_RATIO times its packed size (real sheets: 5 to
#: 20), and a sheet has at most MAX_ROWS rows (a city's largest, the steps, has some 25,000; a
#: province's data goes as JSON).
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_WORKBOOK_BYTES = 256 * 1024 * 1024
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
RATIO_FLOOR = 10 * 1024 * 1024
MAX_RATIO = 100
MAX_ROWS = 200_000


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother, _REPR.maxlong = 2, 40, 40, 40
_REPR.maxdict = _REPR.maxlist = _REPR.maxtuple = _REPR.maxset = 4


def short(value: object, limit: int = 40) -> str:
    """A value as a message quotes it, cut to about `limit` characters without ever spelling out
    the whole of it (a value can be a structure of gigabytes)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value).bit_length() > 128:
        return f"a number of about {int(abs(value).bit_length() * 0.30103) + 1:,} digits"
    text = _REPR.repr(value)
    return text if len(text) <= limit + 2 else text[:limit] + "…"


def named(value: object) -> str:
    """An id as an entry's label shows it: cut to the longest an id may be, no control characters."""
    text = str(value)[:65]
    if not text.isprintable():  # printable text has no control character (the usual case, at C speed)
        text = "".join(ch if unicodedata.category(ch) not in ("Cc", "Cs") else "?" for ch in text)
    return text if len(text) <= 64 else text[:64] + "…"


def id_problem(value: str) -> str | None:
    if not ID.fullmatch(value):
        return f"{short(value)} is no id: use {ID_RULE}"
    return None


def step_id_problem(value: str) -> str | None:
    if not isinstance(value, str) or not STEP_ID.fullmatch(value):
        return f"{short(value)} is no step id: use {STEP_ID_RULE}"
    if not value.isprintable() and any(unicodedata.category(ch) in ("Cf", "Co", "Cn") for ch in value):
        return f"{short(value)} holds an invisible or unassigned character"
    return None


#: Characters that reorder or break the text around them: the bidirectional embeddings,
#: overrides and isolates (a name could show "exe.txt" for "txt.exe"), the marks, and the line
#: and paragraph separators, which break a line where no reader expects one.
BIDI_AND_BREAKS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")


def text_problem(value: str, limit: int = MAX_TEXT) -> str | None:
    if len(value) > limit:
        return f"is {len(value)} characters long; at most {limit}"
    if value.isprintable():  # no control, surrogate, format or separator character: nothing to look for
        return None
    for ch in value:
        kind = unicodedata.category(ch)
        if kind == "Cc":
            return f"{short(value)} holds a control character ({ch.encode('unicode_escape').decode()})"
        if kind == "Cs":
            return f"{short(value)} holds a lone surrogate, which is no character"
        if ch in BIDI_AND_BREAKS:
            return (f"{short(value)} holds U+{ord(ch):04X}, which reorders or breaks the text around it: "
                    "remove it")
    return None


#: A number as XML Schema writes one (xsd:decimal or xsd:double, INF and NaN included, for the
#: finite check to name): ASCII digits only, no spaces, no `_`, where Python's float() would also
#: take "１", "1_000" and " 1 ".
XML_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN")


def xml_number(text: object) -> float:
    """The number an XML attribute writes; ValueError for anything else."""
    if not isinstance(text, str) or not XML_NUMBER.fullmatch(text):
        raise ValueError(f"{short(text)} is no number as XML writes one")
    return float(text)


def number_problem(value: float) -> str | None:
    if not math.isfinite(value):
        return f"must be a finite number, not {short(value)}"
    if value < 0:
        return f"must be 0 or more, not {short(value)}"
    if value > MAX_NUMBER:
        return f"must be at most {MAX_NUMBER:,}, not {short(value)}"
    return None


def date_problem(day: dt.date) -> str | None:
    if not FIRST_DAY <= day <= LAST_DAY:
        return f"{day} is outside {FIRST_DAY.year}–{LAST_DAY.year}"
    return None


def size_problem(size: int, limit: int = MAX_FILE_BYTES) -> str | None:
    if size > limit:
        return f"is {size / 1_048_576:.1f} MB; at most {limit // 1_048_576} MB"
    return None
