"""The audit trail, for the reform office: every change, who made it and when (in the office's
time zone), what changed, in words; filtered by kind and person; one entry opened whole."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from roles import actions, clock
from ui.cells import show_table
from ui.i18n import WORDS, subject_name, t
from ui.state import account, db, page, plain, stop

lg, wb = page("page.audit", need_data=False)
if not actions.is_office(account()):
    st.warning(plain(t("audit.office_only", lg)))
    stop()


def kind(action: str) -> str:
    """An action's kind: `process.save (designer)` is a `process.save`."""
    return action.split(" (", 1)[0]


def named(action: str) -> str:
    """An action in words, with where a saved version came from: approved, the designer, a file."""
    key = f"audit.kind.{kind(action)}"
    said = t(key, lg) if key in WORDS else action
    source = action[len(kind(action)) + 2:-1] if action.endswith(")") and " (" in action else ""
    return f"{said}（{source_words(source)}）" if source else said


def source_words(source: str) -> str:
    if source == "review":
        return t("audit.source.review", lg)
    if "designer" in source:
        return t("audit.source.designer", lg)
    if source.lower().endswith((".bpmn", ".xml")):
        return t("audit.source.bpmn", lg, file=source)
    if "suggest" in source:
        return t("audit.source.suggestion", lg)
    return source


def subject_words(subject: str) -> str:
    """What an entry is about, in names: `rsj-p01/after` is 公文办理（改革后）."""
    pid, _, which = subject.partition("/")
    if which in ("before", "after") and pid in wb.process_by_id:
        return f"{wb.process_by_id[pid].name}（{t('version.' + which, lg)}）"
    return subject_name(wb, subject)


def short(value) -> str:
    """A value in a line: a list or a record counted, not printed as JSON (the entry, opened
    below, shows it whole)."""
    if isinstance(value, (list, dict)):
        return t("audit.items", lg, n=len(value))
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def changed(before, after) -> str:
    """What an entry changed, in a line: the fields of a record, the steps of a version (by id),
    or what was there and is not (or the reverse)."""
    if isinstance(before, dict) and isinstance(after, dict):
        keys = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]
        return "; ".join(f"{k}: {short(before.get(k))} → {short(after.get(k))}" for k in keys)
    if isinstance(before, list) and isinstance(after, list) and all(isinstance(x, dict) for x in [*before, *after]):
        was = {str(x.get("id")): x for x in before}
        now = {str(x.get("id")): x for x in after}
        parts = [t("audit.added", lg, ids="、".join(k for k in now if k not in was))] if set(now) - set(was) else []
        parts += [t("audit.removed", lg, ids="、".join(k for k in was if k not in now))] if set(was) - set(now) else []
        edited = [k for k in now if k in was and now[k] != was[k]]
        parts += [t("audit.edited", lg, ids="、".join(edited))] if edited else []
        return "; ".join(parts)
    if before is None and isinstance(after, dict):  # a record made: its plain values in a line
        plain_values = [f"{k}: {short(v)}" for k, v in after.items() if not isinstance(v, (list, dict)) and v is not None]
        return "; ".join(plain_values) or short(after)
    if before is None:
        return short(after) if after is not None else ""
    return t("audit.was", lg, value=short(before)) + ("" if after is None else f" → {short(after)}")


rows = actions.audit_trail(db(), account(), limit=2000)
zone = clock.zone()
f1, f2 = st.columns(2)
kinds = sorted({kind(r.action) for r in rows})
pick = f1.multiselect(t("audit.action", lg), kinds, key="audit_kinds", format_func=named, placeholder=t("pick.any", lg))
users = sorted({r.user for r in rows})
who = f2.multiselect(t("audit.user", lg), users, key="audit_users", placeholder=t("pick.any", lg))
shown = [r for r in rows if (not pick or kind(r.action) in pick) and (not who or r.user in who)]


def local(at: dt.datetime) -> str:
    return (at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def grouped(entries: list) -> list[dict]:
    """The table's rows: a person's entries one by one; the system's many alike in a run (the
    handovers a day opens, hundreds at a city's scale) as one row that counts them."""
    out: list[dict] = []
    run: list = []

    def flush() -> None:
        if len(run) > 1:
            out.append({"#": run[0].id, t("audit.at", lg): local(run[0].at), t("audit.user", lg): run[0].user,
                        t("audit.action", lg): named(run[0].action), t("audit.subject", lg): "",
                        t("audit.change", lg): t("audit.grouped", lg, what=named(run[0].action), n=len(run),
                                                 first=local(run[-1].at), last=local(run[0].at))})
        elif run:
            out.append(row(run[0]))
        run.clear()
    for r in entries:
        if run and not (r.user == run[0].user == actions.SYSTEM and kind(r.action) == kind(run[0].action)):
            flush()
        run.append(r)
    flush()
    return out


def row(r) -> dict:
    return {"#": r.id, t("audit.at", lg): local(r.at), t("audit.user", lg): r.user, t("audit.action", lg): named(r.action),
            t("audit.subject", lg): subject_words(r.subject), t("audit.change", lg): changed(r.before, r.after)}


st.caption(plain(t("audit.zone", lg, zone=zone.key, n=len(shown))))
show_table(st, grouped(shown))

if shown:
    entry = st.selectbox(t("audit.open", lg), [r.id for r in shown], key="audit_entry",
                         format_func=lambda i: next(f"#{r.id} {local(r.at)} {named(r.action)} {subject_words(r.subject)}"
                                                    for r in shown if r.id == i))
    opened = next(r for r in shown if r.id == entry)
    c1, c2 = st.columns(2)
    c1.markdown(f"**{t('audit.before', lg)}**")
    c1.json(opened.before if opened.before is not None else {}, expanded=1)
    c2.markdown(f"**{t('audit.after', lg)}**")
    c2.json(opened.after if opened.after is not None else {}, expanded=1)
