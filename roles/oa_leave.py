"""Approved leave from the OA system, so nobody types it in twice: DingTalk's approval instances
of the leave form (`processinstance/listids`, then `processinstance/get`) and WeCom's approvals
(`oa/getapprovalinfo`, then `oa/getapprovaldetail`), through roles.platforms. Each is kept by
the OA's instance id, so a pull repeated changes nothing, and an approval cancelled, refused or
withdrawn there is removed here (roles.storage.absences.sync_pulled).

How the OA's times become half days (workbook "Who covers a step on a date"):
- DingTalk's leave field (DDHolidayField) holds `[start, end, duration, unit, type, label]`, its
  times as `YYYY-MM-DD`, `YYYY-MM-DD 上午|下午` (unit halfDay) or `YYYY-MM-DD HH:MM` (unit hour).
- WeCom's Vacation control holds a `date_range` of `type` halfday (each end at 00:00 for the
  morning, 12:00 for the afternoon half it names), hour (times) or day, in Unix seconds.
A leave beginning at noon or later begins in the afternoon (`start_half: pm`); one whose last
half is a morning, or that ends by noon, ends at noon (`end_half: am`).
"""
from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass

from roles import clock
from roles.model import ABSENCE_REASONS, NOON, half_at
from roles.platforms import Platform, PlatformError, call

#: Words of the OA's leave types for the absence reasons abflow counts (else "leave").
REASON_WORDS = {"sick": ("病",), "trip": ("出差", "公出", "外出"), "training": ("培训", "学习", "进修")}
#: The longest window each platform lists instances for in one call.
WINDOW = {"dingtalk": dt.timedelta(days=120), "wecom": dt.timedelta(days=31)}


@dataclass(frozen=True)
class OaLeave:
    """One leave approval as the OA has it now: `approved` False means cancelled, refused or
    withdrawn (remove it if held)."""

    instance: str           # "dingtalk:ID" | "wecom:SP_NO"
    user: str               # the applicant's user id on that platform
    approved: bool
    start: dt.date | None = None
    end: dt.date | None = None
    start_half: str | None = None
    end_half: str | None = None
    reason: str = "leave"


def configured() -> list[str]:
    """The platforms set up for leave: DingTalk with its leave form's process code, WeCom with
    its leave template id."""
    return [name for name, key in (("dingtalk", "ABFLOW_DINGTALK_LEAVE_PROCESS_CODE"),
                                   ("wecom", "ABFLOW_WECOM_LEAVE_TEMPLATE_ID")) if os.environ.get(key)]


def pull(name: str, since: dt.datetime, until: dt.datetime) -> tuple[list[OaLeave], list[str]]:
    """The leave approvals made on `name` from `since` to `until` (the decided ones), and the
    instances that could not be read, each named with why."""
    found: list[OaLeave] = []
    unreadable: list[str] = []
    read = _dingtalk if name == "dingtalk" else _wecom
    for instance in read(since, until):
        if isinstance(instance, str):
            unreadable.append(instance)
        elif instance is not None:
            found.append(instance)
    return found, unreadable


def _windows(name: str, since: dt.datetime, until: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    start = since
    while start < until:
        end = min(until, start + WINDOW[name])
        yield start, end
        start = end


def _dingtalk(since: dt.datetime, until: dt.datetime) -> Iterator[OaLeave | str | None]:
    p = Platform.of("dingtalk")
    code = os.environ["ABFLOW_DINGTALK_LEAVE_PROCESS_CODE"]
    for start, end in _windows("dingtalk", since, until):
        cursor: int | None = 0
        while cursor is not None:
            answer = call(p, "/topapi/processinstance/listids",
                          {"process_code": code, "start_time": int(start.timestamp() * 1000),
                           "end_time": int(end.timestamp() * 1000), "size": 20, "cursor": cursor})
            result = answer.get("result") or {}
            for pid in result.get("list") or []:
                yield _dingtalk_one(p, str(pid))
            cursor = result.get("next_cursor")


def _dingtalk_one(p: Platform, pid: str) -> OaLeave | str | None:
    instance = f"dingtalk:{pid}"
    try:
        doc = call(p, "/topapi/processinstance/get", {"process_instance_id": pid}).get("process_instance") or {}
        status, result, user = doc.get("status"), doc.get("result"), str(doc.get("originator_userid") or "")
        if status in ("NEW", "RUNNING"):
            return None  # not decided yet
        if not (status == "COMPLETED" and result == "agree"):
            return OaLeave(instance, user, False)
        field = next((c for c in doc.get("form_component_values") or []
                      if c.get("component_type") == "DDHolidayField"), None)
        if field is None:
            return f"{instance}: no leave field (DDHolidayField) in the form"
        values = json.loads(field.get("value") or "[]")
        start, start_half = _ding_time(str(values[0]), starts=True)
        end, end_half = _ding_time(str(values[1]), starts=False)
        return OaLeave(instance, user, True, start, end, start_half, end_half,
                       _reason(str(values[4]) if len(values) > 4 else ""))
    except PlatformError as e:
        if not e.final:
            raise
        return f"{instance}: {e}"
    except (ValueError, IndexError, TypeError) as e:
        return f"{instance}: its leave field cannot be read ({e})"


def _ding_time(text: str, starts: bool) -> tuple[dt.date, str | None]:
    """A DingTalk leave time: a day, a day and 上午/下午, or a day and a time."""
    day_text, _, rest = text.strip().partition(" ")
    day = dt.date.fromisoformat(day_text)
    rest = rest.strip()
    if rest in ("上午", "AM", "am"):
        return day, None if starts else "am"
    if rest in ("下午", "PM", "pm"):
        return day, "pm" if starts else None
    if rest:
        at = dt.time.fromisoformat(rest)
        return day, half_at(at, starts)
    return day, None


def _wecom(since: dt.datetime, until: dt.datetime) -> Iterator[OaLeave | str | None]:
    p = Platform.of("wecom", "APPROVAL_SECRET")  # the 审批 application's own, when set
    template = os.environ["ABFLOW_WECOM_LEAVE_TEMPLATE_ID"]
    for start, end in _windows("wecom", since, until):
        cursor = ""
        while True:
            answer = call(p, "/cgi-bin/oa/getapprovalinfo",
                          {"starttime": str(int(start.timestamp())), "endtime": str(int(end.timestamp())),
                           "new_cursor": cursor, "size": 100,
                           "filters": [{"key": "template_id", "value": template}]})
            for sp_no in answer.get("sp_no_list") or []:
                yield _wecom_one(p, str(sp_no))
            cursor = answer.get("new_next_cursor") or ""
            if not cursor:
                break


def _wecom_one(p: Platform, sp_no: str) -> OaLeave | str | None:
    instance = f"wecom:{sp_no}"
    try:
        info = call(p, "/cgi-bin/oa/getapprovaldetail", {"sp_no": sp_no}).get("info") or {}
        status, user = info.get("sp_status"), str((info.get("applyer") or {}).get("userid") or "")
        if status == 1:
            return None  # 审批中
        if status != 2:
            return OaLeave(instance, user, False)  # 已驳回, 已撤销, 通过后撤销, 已删除
        control = next((c for c in (info.get("apply_data") or {}).get("contents") or []
                        if c.get("control") == "Vacation"), None)
        if control is None:
            return f"{instance}: no leave control (Vacation) in the approval"
        vacation = control["value"]["vacation"]
        span = vacation["attendance"]["date_range"]
        begin, end = (clock.local(dt.datetime.fromtimestamp(int(span[k]), dt.timezone.utc)).replace(tzinfo=None)
                      for k in ("new_begin", "new_end"))
        kind = span.get("type")
        options = (vacation.get("selector") or {}).get("options") or [{}]
        words = "".join(v.get("text", "") for v in options[0].get("value") or [])
        if kind == "halfday":
            start_half, end_half = ("pm" if begin.time() >= NOON else None), ("am" if end.time() < NOON else None)
            last = end.date()
        elif kind == "hour":
            start_half, end_half = half_at(begin.time(), True), half_at(end.time(), False)
            last = end.date() - dt.timedelta(days=1) if end.time() == dt.time(0) and end.date() > begin.date() \
                else end.date()
        else:
            start_half, end_half, last = None, None, end.date()
        return OaLeave(instance, user, True, begin.date(), last, start_half, end_half, _reason(words))
    except PlatformError as e:
        if not e.final:
            raise
        return f"{instance}: {e}"
    except (KeyError, ValueError, TypeError, OverflowError) as e:
        return f"{instance}: its leave cannot be read ({type(e).__name__}: {e})"


def _reason(words: str) -> str:
    found = next((reason for reason, keys in REASON_WORDS.items() if any(k in words for k in keys)), "leave")
    return found if found in ABSENCE_REASONS else "leave"
