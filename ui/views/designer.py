"""The designer: a section head edits a process version as a step table or as a BPMN drawing
(bpmn-js), the two kept in sync through one draft; a live flowchart and the lint findings beside.
The draft can be saved unfinished (the roster never sees it) and is published, once lint finds
nothing, only if nobody published the same version meanwhile; else the other's change is shown."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Literal

import pandas as pd
import streamlit as st
from streamlit.elements.lib.column_types import ColumnConfig

from flows import bpmn
from flows.diff import compare, diff
from flows.graph import faults
from flows.fields import STEP, VERSION, terms_of, with_terms
from flows.model import Step, Version
from flows.render import diff_dot, render, to_dot
from roles import actions, clock
from roles.engines.lanes import lane_titles
from ui import cells
from ui.cells import show_table
from ui.charts import change_rows, chart_labels, svg_image
from ui.i18n import WORDS, person_name, process_label, t
from ui.modeler import modeler
from ui.state import account, choose_scoped, db, department_workbook, page, plain, show_error

lg, index = page("page.designer", versions=())  # names for the list; the chosen process's department below

procs = {p.id: p for p in index.processes}
c1, c2 = st.columns([3, 1])
pid = choose_scoped(c1, t("col.process", lg), {x: process_label(index, x) for x in procs}, "d_process", index,
                    {x: p.section for x, p in procs.items()})
which = c2.radio(t("chart.version", lg), ["after", "before"], key="d_which", horizontal=True,
                 format_func=lambda v: t(f"version.{v}", lg))
wb = department_workbook(index, pid)
proc = wb.process_by_id[pid]
editable = actions.may_edit_section(wb, account(), proc.section)
dept = wb.department_of_section.get(proc.section)
needs_review = actions.review_required(db(), dept)
last_review = actions.latest_review(db(), account(), process_id=pid, which=which)
if last_review is not None and last_review.state == "submitted":  # locked while someone reads it
    editable = False
    st.warning(plain(t("designer.under_review", lg, author=last_review.author,
                       at=f"{clock.local(last_review.submitted):%Y-%m-%d %H:%M}")))
elif not editable:
    st.info(plain(t("readonly", lg)))
elif last_review is not None and last_review.state == "returned":
    said = [c.text for c in last_review.comments if c.at >= (last_review.decided or last_review.submitted)]
    st.warning(plain(t("designer.returned", lg, approver=last_review.approver or "—", said="；".join(said) or "—")))
dept_people = [p.id for p in wb.people if wb.department_of_section.get(p.section) == dept]
#: The step table's columns: every field declared on Step that a head edits in a table.
COLUMNS = tuple(f for f in STEP if f.editor)
#: The version's terms, edited in a form above the table.
TERMS = {f.name: f for f in VERSION}


def rows_of(version: Version | None) -> list[dict]:
    return [{f.name: f.cell(getattr(s, f.name)) for f in COLUMNS} for s in (version.steps if version else ())]


#: What the table has no column for (where a step was drawn, what a boundary event sits on, the
#: default way …): the draft carries it by step id.
KEPT = tuple(f.name for f in STEP if not f.editor)


def kept_of(version: Version | None) -> dict:
    return {s.id: {name: getattr(s, name) for name in KEPT} for s in (version.steps if version else ())}


def version_of(rows: list[dict], kept: dict, terms: dict) -> Version:
    def value(f, raw):
        if f.kind == "flag":
            return bool(raw) if isinstance(raw, bool) else f.from_cell(cells.text(raw), None)
        return f.from_cell(cells.text(raw), cells.number(raw) if f.kind in ("number", "count") else None)
    def step(r: dict) -> Step:
        s = Step(**{f.name: value(f, r.get(f.name)) for f in COLUMNS}, **kept.get(cells.text(r.get("id")), {}))
        # a default way the table no longer links to goes with the link
        return s if s.otherwise is None or s.otherwise in s.next else replace(s, otherwise=None)
    return with_terms(Version(tuple(step(r) for r in rows if cells.text(r.get("id")))), terms)


def column(f) -> ColumnConfig:
    """The data editor's column for a declared step field, labelled in the user's language."""
    label, help_key = t(f"field.{f.name}", lg), f"field.{f.name}.help"
    help_text = t(help_key, lg) if help_key in WORDS else None
    if f.kind in ("choice", "person"):
        # Shown in words (a kind in the user's language, a person by name); the cell keeps the id.
        words = {"kind": "step_kind", "gateway": "gateway_type", "activity": "activity_type",
                 "event": "event_type"}.get(f.name)
        shown = (lambda v: t(f"{words}.{v}", lg)) if f.kind == "choice" else (lambda v: person_name(wb, v))
        return st.column_config.SelectboxColumn(label, options=list(f.options) if f.kind == "choice" else dept_people,
                                                help=help_text, format_func=shown)
    if f.kind in ("number", "count"):
        return st.column_config.NumberColumn(label, min_value=0, step=1 if f.kind == "count" else None, help=help_text)
    if f.kind == "flag":
        return st.column_config.CheckboxColumn(label, help=help_text, default=bool(f.default))
    return st.column_config.TextColumn(label, required=f.kind == "id", help=help_text)


# One draft per process and version: the saved draft if there is one, else the live version, with
# the live revision it started from and the saved draft's own revision (0: none).
draft_key = f"draft:{pid}:{which}"
if draft_key not in st.session_state:
    saved = actions.load_draft(db(), account(), process_id=pid, which=which)
    start = saved.version if saved else proc.version(which)
    st.session_state[draft_key] = {"rows": rows_of(start), "kept": kept_of(start),
                                   "terms": terms_of(start or Version()),
                                   "revision": saved.base_revision if saved else proc.revisions.get(which, 0),
                                   "stored": saved.base if saved else (proc.version(which) or Version()),
                                   "draft_revision": saved.revision if saved else 0,
                                   "saved": (saved.saved_by, saved.saved_at) if saved else None,
                                   "modeler_at": None, "editor": 0,
                                   # what is stored (the draft, or the live version): the page warns
                                   # before a reload or a close would lose what differs from it
                                   "kept_version": version_of(rows_of(start), kept_of(start), terms_of(start or Version()))}
draft = st.session_state[draft_key]
if draft["saved"]:
    by, at = draft["saved"]
    st.info(plain(t("designer.draft_from", lg, who=by or "—", at=f"{clock.local(at):%Y-%m-%d %H:%M}" if at else "—",
              revision=draft["revision"])))
    if draft["revision"] < proc.revisions.get(which, 0):  # published again since the draft began
        st.warning(plain(t("designer.draft_behind", lg, revision=draft["revision"], live=proc.revisions[which])))


def take(xml: bytes, source: str, quiet: bool = False) -> bool:
    """Make a BPMN drawing (the modeler's or an uploaded file) the draft: steps, holders by lane
    for the `after` version, and where each step was drawn. A drawing still being drawn that
    cannot be read yet (`quiet`) is said beside it, and saving waits for it."""
    try:
        version = actions.drawing(db(), account(), data=xml, name=source, section_id=proc.section, which=which).version
    except actions.AbflowError as e:
        if quiet:
            draft["drawn_error"] = str(e)
        else:
            show_error(e)
        return False
    draft["rows"], draft["kept"], draft["editor"] = rows_of(version), kept_of(version), draft["editor"] + 1
    draft["drawn_xml"] = xml.decode("utf-8") if source == "bpmn-js" else None  # shown back as drawn, not redrawn
    draft.pop("drawn_error", None)
    return True


def terms_form() -> None:
    """The version's terms (办件类型, 时限, 材料, 跑动) as a head fills them in; the draft keeps them."""
    terms, key = draft["terms"], f"terms:{pid}:{which}:{draft['editor']}"
    cols = st.columns([1, 1, 1, 1, 3])
    kinds = [None, *TERMS["kind"].options]
    terms["kind"] = cols[0].selectbox(t("terms.kind", lg), kinds, index=kinds.index(terms.get("kind")),
                                      format_func=lambda k: t(f"version_kind.{k}", lg) if k else "—",
                                      key=f"{key}:kind", disabled=not editable)
    for col, name in zip(cols[1:4], ("legal_days", "promised_days", "trips"), strict=True):
        got = col.number_input(t(f"terms.{name}", lg), min_value=0, max_value=10_000, step=1, value=terms.get(name),
                               key=f"{key}:{name}", disabled=not editable)
        terms[name] = None if got is None else int(got)
    materials = TERMS["materials"]
    shown = cols[4].text_input(t("terms.materials", lg), materials.cell(materials.from_stored(terms.get("materials"))),
                               help=t("terms.materials.help", lg), key=f"{key}:materials", disabled=not editable)
    terms["materials"] = materials.stored(materials.from_cell(cells.text(shown), None))


with st.expander(t("designer.terms", lg), expanded=bool(any(v is not None for v in draft["terms"].values()))):
    terms_form()
current = version_of(draft["rows"], draft["kept"], draft["terms"])
tab_table, tab_drawing = st.tabs([t("designer.table", lg), t("designer.drawing", lg)])
rows_mode: Literal["dynamic", "fixed"] = "dynamic" if editable else "fixed"
with tab_table:
    edited = st.data_editor(
        pd.DataFrame(draft["rows"], columns=[f.name for f in COLUMNS]), hide_index=True, width="stretch", placeholder="",
        num_rows=rows_mode, disabled=not editable,  # read-only looks read-only
        key=f"editor:{pid}:{which}:{draft['editor']}",
        column_config={f.name: column(f) for f in COLUMNS})
    rows = edited.to_dict("records")
    if version_of(rows, draft["kept"], draft["terms"]) != current:
        draft["rows"] = rows
        draft.pop("drawn_xml", None)  # the table changed it: the drawing is drawn from the table again
        current = version_of(rows, draft["kept"], draft["terms"])
def faults_of(version: Version) -> list[tuple[str, str]]:
    """What keeps a version from being drawn or saved live: its graph's faults and repeated ids."""
    return faults(version) + [(s.id, t("designer.duplicate", lg)) for i, s in enumerate(version.steps)
                              if any(o.id == s.id for o in version.steps[:i])]


problems = faults_of(current)
changes = compare(proc.version(which), current)  # what this draft changes of the live version
lanes = lane_titles(index.people, lg)  # everyone: a holder typed in may be of another department
taken = False  # whether this run took an edit of the drawing into the draft
with tab_drawing:
    if problems:
        st.info(plain(t("designer.fix_first", lg)))
    else:
        ids = bpmn.element_ids(current, ascii_ids=True)
        xml = draft.get("drawn_xml") or bpmn.write(current, pid, proc.name, lanes, ascii_ids=True).decode("utf-8")
        drawn = modeler(xml, t("designer.apply_hint", lg), key=f"modeler:{pid}:{which}",
                        marks={ids[x]: m for x, m in changes.marks().items() if x in ids},
                        fit=t("designer.fit", lg), lang=lg, unsaved=current != draft["kept_version"] and editable)
        if drawn and drawn.get("at") != draft["modeler_at"] and editable:
            # Every edit of the drawing is the draft at once: the table, the chart and lint follow it,
            # and what a save stores is what the page shows.
            draft["modeler_at"] = drawn["at"]
            taken = take(drawn["xml"].encode("utf-8"), "bpmn-js", quiet=True)
            if taken:
                current = version_of(draft["rows"], draft["kept"], draft["terms"])
                problems = faults_of(current)
                changes = compare(proc.version(which), current)
        if draft.get("drawn_error"):
            st.warning(plain(t("designer.drawn_unread", lg, why=draft["drawn_error"])))

left, right = st.columns([3, 2])
with left:
    if not problems and current.steps:
        labels = chart_labels(index, pid, which, lg)
        live = proc.version(which)
        dot = diff_dot(live, current, labels, "LR") if live is not None and not changes.empty else \
            to_dot(current, labels, "LR")
        st.html(svg_image(render(dot, "svg"), proc.name, fit=True))  # the whole draft in view
        if live is not None and not changes.empty:
            st.caption(plain(t("review.legend", lg)))
with right:
    findings = actions.lint_version(index, proc, which, current)  # as publishing checks it, against everyone
    for sid, message in problems:
        st.error(plain(f"{sid}: {message}"))
    if findings:
        st.warning(plain(t("lint.title", lg, n=len(findings))))
        show_table(st, [{t("col.rule", lg): t(f"lint.kind.{f.code}", lg) if f"lint.kind.{f.code}" in WORDS
                         else f.code, t("col.message", lg): f.text(lg)} for f in findings])
    elif not problems:
        st.success(plain(t("lint.none", lg)))
    if not changes.empty and proc.version(which) is not None:
        st.markdown(f"**{t('designer.changes', lg)}**")
        show_table(st, change_rows(proc.version(which), current, changes, lg))

    if not problems:
        st.download_button(t("designer.download", lg), bpmn.write(current, pid, proc.name, lanes),
                           f"{pid}-{which}.bpmn", mime="application/xml", key="d_download")
    upload = st.file_uploader(t("designer.upload", lg), type=["bpmn", "xml"], key=f"d_upload:{pid}:{which}",
                              disabled=not editable)
    if upload is not None and st.button(t("designer.read_upload", lg), key="d_use_upload"):
        try:  # read first: say what the file holds and what it drops, and replace only when asked
            got = actions.drawing(db(), account(), data=upload.getvalue(), name=upload.name, section_id=proc.section,
                                  which=which)
            st.session_state["d_upload_read"] = (pid, which, upload.name, upload.getvalue(), got)
        except actions.AbflowError as e:
            show_error(e)
    read = st.session_state.get("d_upload_read")
    if read is not None and read[:2] == (pid, which):
        _, _, name, data, got = read
        holds = faults(got.version)
        st.warning(plain(t("designer.upload_holds", lg, file=name, steps=len(got.version.work_steps),
                           all=len(got.version.steps), now=len(current.work_steps),
                           lanes=len(got.lanes_matched), unmatched="、".join(got.lanes_unmatched) or "—")))
        for note in got.notes[:10]:
            st.caption(plain(note))
        for sid, message in holds[:10]:
            st.error(plain(f"{sid}: {message}"))
        u1, u2 = st.columns(2)
        if u1.button(t("designer.use_upload", lg), key="d_upload_yes", disabled=not editable):
            del st.session_state["d_upload_read"]
            if take(data, name):
                st.rerun()
        if u2.button(t("designer.keep_draft", lg), key="d_upload_no"):
            del st.session_state["d_upload_read"]
            st.rerun()

    if needs_review and editable:
        st.text_input(t("designer.submit_comment", lg), key="d_submit_comment", max_chars=2000)
    # Both the disabled buttons and the conditions: a click that reaches a read-only session saves nothing.
    b1, b2, b3 = st.columns(3)
    unread = bool(draft.get("drawn_error"))  # the drawing is not the draft until it can be read
    saving = b1.button(t("designer.save_draft", lg), key="d_draft", disabled=not editable or unread) \
        and editable and not unread
    clean = not problems and not findings and not unread
    publishing = b2.button(t("designer.submit" if needs_review else "designer.publish", lg), key="d_publish",
                           type="primary", disabled=not clean or not editable,
                           help=None if clean else t("designer.publish_when_clean", lg)) and editable and clean
    if saving:
        try:
            draft["draft_revision"] = actions.save_draft(
                db(), account(), process_id=pid, which=which, version=current, base_revision=draft["revision"],
                base=draft["stored"], expected_draft=draft["draft_revision"])
            draft["saved"] = (account().username, dt.datetime.now(dt.timezone.utc))
            draft["kept_version"] = current
            st.session_state["d_flash"] = t("designer.draft_saved", lg)
            st.rerun()  # drawn again as saved: nothing left for a reload to lose
        except actions.Conflict as e:
            st.error(plain(t("designer.draft_conflict", lg) + (t("designer.conflict_by", lg, who=e.by) if e.by else "")))
            draft["stale_draft"] = True
        except actions.AbflowError as e:
            show_error(e)
    if publishing and needs_review:  # kept as the draft, then submitted: it goes live once someone approves it
        try:
            draft["draft_revision"] = actions.save_draft(
                db(), account(), process_id=pid, which=which, version=current, base_revision=draft["revision"],
                base=draft["stored"], expected_draft=draft["draft_revision"])
            actions.submit_review(db(), account(), process_id=pid, which=which,
                                  comment=st.session_state.get("d_submit_comment"))
            del st.session_state[draft_key]
            st.session_state["d_flash"] = t("designer.submitted", lg)
            st.rerun()
        except actions.Conflict as e:
            st.error(plain(t("designer.draft_conflict", lg) + (t("designer.conflict_by", lg, who=e.by) if e.by else "")))
            draft["stale_draft"] = True
        except actions.AbflowError as e:
            show_error(e)
    elif publishing:  # the use case checks the version as it now is, faults and lint
        try:
            revision = actions.publish_draft(db(), account(), process_id=pid, which=which, version=current,
                                             expected_revision=draft["revision"], source="app: designer")
            del st.session_state[draft_key]
            st.session_state["d_flash"] = t("designer.published", lg, revision=revision)
            st.rerun()
        except actions.Conflict as e:
            theirs = actions.process_version(db(), account(), process_id=pid, which=which)[2]
            draft["conflict"] = diff(draft["stored"], theirs)
            draft["conflict_by"] = e.by
        except actions.AbflowError as e:
            show_error(e)
    if draft["draft_revision"] and b3.button(t("designer.discard", lg), key="d_discard", disabled=not editable) \
            and editable:
        actions.discard_draft(db(), account(), process_id=pid, which=which)
        del st.session_state[draft_key]
        st.rerun()
    if draft.get("stale_draft") and st.button(t("designer.reload", lg), key="d_reload_draft"):
        del st.session_state[draft_key]
        st.rerun()
    if "conflict" in draft:
        # Someone saved this version after the draft was read: show their change; nothing was overwritten.
        st.error(plain(t("designer.conflict", lg) + (t("designer.conflict_by", lg, who=draft["conflict_by"])
                                                    if draft.get("conflict_by") else "")))
        if draft["conflict"]:
            show_table(st, [{
                t("col.step", lg): f"{c.step} {(c.new or c.old).label}", t("publish.change", lg): t(f"publish.{c.kind}", lg),
                t("col.a", lg): person_name(index, (c.new or c.old).a), t("col.b", lg): person_name(index, (c.new or c.old).b)}
                for c in draft["conflict"]])
        if st.button(t("designer.reload", lg), key="d_reload"):
            del st.session_state[draft_key]
            st.rerun()
    if flash := st.session_state.pop("d_flash", None):
        st.success(plain(flash))
if taken and not (saving or publishing):  # the table above was drawn before the drawing's edit came in
    st.rerun()
