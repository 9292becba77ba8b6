"""A process's flowchart as a section head publishes it: swimlanes by A holder, holders on every
step, today's cover on request, before beside after; downloads in SVG, PNG, PDF and BPMN."""
from __future__ import annotations


import streamlit as st

from roles import clock

from flows.bpmn import write as bpmn_xml
from flows.metrics import handoffs, reduction, step_count
from flows.render import sheet_dot, to_dot
from roles.engines.lanes import lane_titles
from flows.printing import PAPERS, Paper
from ui.charts import (before_after_sheet, changes_parts, chart_labels, guide_document, print_pdf, section_head, svg_image,
                       turn_the_paper)
from ui.i18n import process_label, t
from roles import actions
from ui.state import account, choose_scoped, db, department_workbook, drawn, page, plain

lg, index = page("page.flowchart", versions=())  # names for the list; the chosen process's department below

c1, c2, c3, c4 = st.columns([3, 1, 1, 1])
names = {p.id: process_label(index, p.id) for p in index.processes}
pid = choose_scoped(c1, t("col.process", lg), names, "process", index, {p.id: p.section for p in index.processes})
wb = department_workbook(index, pid)
process = wb.process_by_id[pid]
versions = [v for v in ("after", "before") if process.version(v)]
if len(versions) == 2:
    versions.append("sheet")  # both versions side by side, the sheet a section pins on the wall
draft = actions.load_draft(db(), account(), process_id=pid, which="after")
if draft is not None and process.after is not None:
    versions.append("changes")  # the draft beside the live redesign, what it adds, removes and changes
which = c2.radio(t("chart.version", lg), versions, key="which",
                 format_func=lambda v: t(f"chart.{v}", lg) if v in ("sheet", "changes") else t("version." + v, lg))
direction = c3.radio(t("chart.direction", lg), ["LR", "TB"], key="direction", disabled=which == "sheet",
                     format_func=lambda d: t("chart." + d, lg))
show_day = c4.toggle(t("chart.show_today", lg), value=False, key="show_today", disabled=which == "before")  # a wall chart: standing A/B
day = st.date_input(t("col.date", lg), clock.today(), key="chart_day") if show_day and which != "before" else None

version = process.drawn("after" if which in ("sheet", "changes") else which)
m = st.columns(4)
before, after = step_count(process.before), step_count(process.after)
m[0].metric(t("col.before", lg), "—" if before is None else before)
m[1].metric(t("col.after", lg), "—" if after is None else after,
            None if before is None or after is None else after - before, delta_color="inverse")
r = reduction(before, after)
m[2].metric(t("col.reduction", lg), "—" if r is None else f"{r:.1%}")
h = handoffs(process.after)
m[3].metric(t("col.handoffs", lg), "—" if h is None else h)


if which == "changes" and draft is not None:
    dot = sheet_dot(changes_parts(wb, pid, draft.version, lg), f"{process.name}（{t('chart.changes', lg)}）")
else:
    dot = before_after_sheet(wb, pid, lg, day) if which == "sheet" else \
        to_dot(version, chart_labels(wb, pid, which, lg, day), direction)
with st.spinner(t("chart.drawing", lg)):
    svg = drawn(dot, "svg")
# As wide as the page at first (the whole chart in view, on a phone too); then larger, panned by scrolling.
zoom = st.select_slider(t("chart.zoom", lg), [0.0, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0], 0.0, key="zoom",
                        format_func=lambda z: t("chart.fit", lg) if z == 0 else f"{z:.0%}")
st.html(svg_image(svg, process.name, zoom or 1.0, fit=zoom == 0))
approval = actions.approvals(db(), account()).get((pid, "after" if which in ("sheet", "changes") else which))
if approval is not None:
    st.caption(plain(t("print.on_record", lg, approver=approval.approver, on=approval.on, revision=approval.revision)))
d = st.columns(4)
stem = f"{pid}-{which}"
# PNG, PDF and BPMN are made when their button is clicked (on a thread of their own), not on every run.
d[0].download_button("SVG", svg, f"{stem}.svg", "image/svg+xml", key="dl_svg")
d[1].download_button("PNG", lambda: drawn(dot, "png"), f"{stem}.png", "image/png", key="dl_png")
d[2].download_button("PDF", lambda: drawn(dot, "pdf"), f"{stem}.pdf", "application/pdf", key="dl_pdf")
d[3].download_button("BPMN", lambda: bpmn_xml(version, pid, process.name, lane_titles(wb.people, lg)),
                     f"{pid}-{'after' if which in ('sheet', 'changes') else which}.bpmn", "application/xml", key="dl_bpmn")

st.subheader(t("print.title", lg))
p = st.columns([1, 1, 1, 2])
size = p[0].radio(t("print.paper", lg), list(PAPERS), horizontal=True, key="paper")
landscape = p[1].radio(t("print.paper", lg), [True, False], horizontal=True, key="landscape",
                       label_visibility="hidden", format_func=lambda x: t("print.landscape" if x else "print.portrait", lg))
effective = p[2].date_input(t("print.effective", lg), clock.today(), key="effective")
approver: str | None
if approval is None:
    approver = p[3].text_input(t("print.approver", lg), section_head(wb, process.section), key="approver")
else:  # the record says who approved it: nobody types it over
    approver = None
    p[3].text_input(t("print.approver", lg), approval.approver, key="approver_on_record", disabled=True,
                    help=t("print.on_record", lg, approver=approval.approver, on=approval.on, revision=approval.revision))
paper = Paper(size, landscape)
if turn_the_paper(wb, pid, which, paper, lg, day, draft.version if draft else None):
    st.info(plain(t("print.turn", lg, paper=size, now=t("print.landscape" if landscape else "print.portrait", lg),
                    other=t("print.portrait" if landscape else "print.landscape", lg))))
st.download_button(t("print.download", lg, paper=f"{size} {t('print.landscape' if landscape else 'print.portrait', lg)}"),
                   lambda: print_pdf(wb, pid, which, paper, lg, day, effective, approver, approval,
                                     draft.version if draft else None),
                   f"{stem}-{size}.pdf", "application/pdf", key="dl_print", icon=":material/print:")

if process.after is not None:  # the 办事指南 of the redesigned process, made when clicked
    g = st.columns([1, 1, 3])
    g[0].download_button(t("guide.download", lg, fmt="Word"), lambda: guide_document(wb, pid, "docx", lg),
                         f"{pid}-guide.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                         key="dl_guide_docx", icon=":material/description:")
    g[1].download_button(t("guide.download", lg, fmt="PDF"), lambda: guide_document(wb, pid, "pdf", lg),
                         f"{pid}-guide.pdf", "application/pdf", key="dl_guide_pdf")
