"""What the CLI and the app print on a flowchart: titles, names and today's cover, in the
user's language. Shared so `abflow render` and the app draw the very same picture."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

from flows.diff import Comparison, compare
from flows.metrics import reduction, step_count
from flows.model import Version
from flows.errors import BadInput, Problem
from flows.guide import Guide
from flows.printing import Paper, Part, TitleBlock, approver_problem, print_chart, print_sheet, sheet_page
from flows.render import Labels, sheet_dot
from roles import clock
from roles.engines.lanes import lane_titles
from roles.engines.matters import MatterFigures, drawn
from roles.model import Workbook
from roles.engines.roster import roster
from roles.formats.site import SiteWords

from .i18n import lang, off_day, person_name, section_and_department, t

if TYPE_CHECKING:
    from roles.model import Approval

WORDS = ("A", "named", "B", "up", "gap", "steps", "approval", "none", "start", "end", "continued", "from", "days", "special",
         "deadline", "beside")
LEGEND = ("task", "approval", "gateway", "parallel", "start", "end", "event", "default", "marker", "holders")


def chart_labels(wb: Workbook, process_id: str, which: str, language: str | None = None,
                 day: dt.date | None = None) -> Labels:
    language = language or lang()
    p = wb.process_by_id[process_id]
    # The people of its department (an edit may name any of them) and whoever else holds one of its
    # steps; not the city's, which a site would title again for each of its thousands of charts.
    dept = wb.department_of_section.get(p.section, "")
    named = {h for v in (p.before, p.after) if v for s in v.steps for h in (s.a, s.b) if h}
    people = [x for s in wb.sections_of_department.get(dept, ()) for x in wb.people_by_section.get(s, [])]
    people += [wb.person_by_id[h] for h in sorted(named - {x.id for x in people}) if h in wb.person_by_id]
    labels = Labels(title=f"{p.name}（{t('version.' + which, language)}）",
                    person={person.id: person.name for person in people},
                    lane=lane_titles(people, language),
                    words={k: t("chart." + k, language) for k in WORDS}, holders=which == "after")
    if day is not None and which == "after":
        r = roster(wb, day, section=p.section)
        labels.today_title = (t("chart.today", language, date=day) if r.workday
                              else t("not_workday", language, date=day, why=off_day(r.off, language)))
        labels.today = {d.step: (d.status, person_name(wb, d.acting) if d.acting else
                                 (f"{t('col.suggested', language)} {person_name(wb, d.suggested)}" if d.suggested else None))
                        for d in r.steps if d.process == p.id}
    return labels


def before_after_sheet(wb: Workbook, process_id: str, language: str | None = None,
                       day: dt.date | None = None) -> str:
    """The DOT of a process's before/after sheet: both versions, each captioned with its step
    count, the cut in the caption of the redesigned one. The process must have both versions."""
    language = language or lang()
    p = wb.process_by_id[process_id]
    return sheet_dot(sheet_parts(wb, process_id, language, day), f"{p.name}（{t('chart.sheet', language)}）")


def sheet_parts(wb: Workbook, process_id: str, language: str, day: dt.date | None
                ) -> list[tuple[str, Version, Labels]]:
    """Both versions of a process, each with its caption (step count, and the cut on the redesign)."""
    p = wb.process_by_id[process_id]
    before, after = step_count(p.before), step_count(p.after)
    cut = reduction(before, after)
    return [(t("chart.sheet_before", language, n=before), p.drawn("before"), chart_labels(wb, p.id, "before", language)),
            (t("chart.sheet_after", language, n=after, cut="—" if cut is None else f"{cut:.0%}"), p.drawn("after"),
             chart_labels(wb, p.id, "after", language, day))]


def section_head(wb: Workbook, section_id: str) -> str:
    """The name of a section's head ("" when it has none): who approves its charts by default."""
    return next((x.name for x in wb.people_by_section.get(section_id, ()) if x.post == "head"), "")


def title_block(wb: Workbook, process_id: str, which: str, language: str | None = None, *,
                effective: dt.date | None = None, approver: str | None = None,
                approval: Approval | None = None) -> TitleBlock:
    """The title block of a printed chart: department, section, process, version and revision,
    effective date (default today) and approver: the approval on record, with its date, where
    there is one (a typed one is then refused), else as typed (default the section's head)."""
    language = language or lang()
    p = wb.process_by_id[process_id]
    section, department = section_and_department(wb, p.section)
    if approval is not None:
        if approver is not None and approver.strip() != approval.approver:
            raise BadInput([Problem("print", f"process {process_id}", None, "approver",
                                    f"the approval on record names {approval.approver} ({approval.on}); "
                                    "the title block shows that, not a typed approver")])
        approver = approval.approver
    elif approver is None:
        approver = section_head(wb, p.section)
    elif problem := approver_problem(approver.strip()):
        raise BadInput([Problem("print", f"process {process_id}", None, "approver", problem)])
    else:
        approver = approver.strip()
    version = t("chart.sheet" if which == "sheet" else "version." + which, language)
    revision = p.revisions.get("before" if which == "before" else "after")
    fields = (("unit", department), ("section", section), ("process", p.name),
              ("revision", t("print.revision_value", language, version=version, n=revision) if revision else version),
              ("effective", (effective or clock.today()).isoformat()), ("approver", approver)) + (
        (("approved", str(approval.on)),) if approval is not None and approval.on else ())
    return TitleBlock(tuple((t("print." + k, language), v) for k, v in fields),
                      page=t("print.page", language, n="{n}", total="{total}"),
                      legend=tuple((k, t("print.legend." + k, language)) for k in LEGEND))


def changes_parts(wb: Workbook, process_id: str, draft: Version, language: str) -> list[tuple[str, Version, Labels]]:
    """The live redesign beside its draft, as a review reads them: on the live one the steps the
    draft removes (red, dashed), on the draft the steps it adds (green) and changes (amber)."""
    p = wb.process_by_id[process_id]
    live = p.after or Version()
    c = compare(live, draft)
    marks = c.marks()
    base = chart_labels(wb, process_id, "after", language)
    return [(t("chart.changes_live", language, n=step_count(live), removed=len(c.removed)), live,
             replace(base, marks={x: m for x, m in marks.items() if m == "removed"})),
            (t("chart.changes_draft", language, n=step_count(draft), added=len(c.added), changed=len(c.changed)), draft,
             replace(base, marks={x: m for x, m in marks.items() if m != "removed"}))]


def print_pdf(wb: Workbook, process_id: str, which: str, paper: Paper, language: str | None = None,
              day: dt.date | None = None, effective: dt.date | None = None, approver: str | None = None,
              approval: Approval | None = None, draft: Version | None = None) -> bytes:
    """The print pack of a process: one version (`before`/`after`), the before/after `sheet`, or
    the live redesign beside its `draft` (`changes`), what a reviewer signs."""
    language = language or lang()
    p = wb.process_by_id[process_id]
    block = title_block(wb, process_id, "after" if which == "changes" else which, language, effective=effective,
                        approver=approver, approval=approval)
    if which in ("sheet", "changes"):
        return print_sheet(*_sheet(wb, process_id, which, language, day, draft), block, paper)
    version = p.drawn(which)
    caption = f"{p.name}（{t('version.' + which, language)} · {step_count(version)} {t('chart.steps', language)}）"
    return print_chart(Part(caption, version, chart_labels(wb, process_id, which, language, day)), block, paper)


def turn_the_paper(wb: Workbook, process_id: str, which: str, paper: Paper, language: str | None = None,
                   day: dt.date | None = None, draft: Version | None = None) -> bool:
    """Whether a sheet (`sheet` or `changes`) that spills over pages of `paper` would hold on one
    page turned the other way: what a head is told before printing."""
    if which not in ("sheet", "changes"):
        return False
    parts, title = _sheet(wb, process_id, which, language or lang(), day, draft)
    return sheet_page(parts, title, paper) is None and \
        sheet_page(parts, title, replace(paper, landscape=not paper.landscape)) is not None


def _sheet(wb: Workbook, process_id: str, which: str, language: str, day: dt.date | None,
           draft: Version | None) -> tuple[list[Part], str]:
    """The versions a sheet sets beside each other, and its title."""
    name = wb.process_by_id[process_id].name
    if which == "changes":
        if draft is None:
            raise BadInput([Problem("print", f"process {process_id}", None, "draft", "has no draft to set beside it")])
        parts = changes_parts(wb, process_id, draft, language)
    else:
        parts = sheet_parts(wb, process_id, language, day)
    return [Part(*x) for x in parts], f"{name}（{t('chart.' + which, language)}）"


def svg_image(svg: bytes, alt: str, zoom: float = 1.0, fit: bool = False) -> str:
    """HTML for a chart in a page: drawn at `zoom` times its natural size (1.0 sets its text at the
    size it has on paper), in a box that scrolls both ways, so a long chart is panned rather than
    shrunk to illegible; with `fit`, as wide as its column (a reviewer sees the whole change at
    once). As an <img>: Streamlit's HTML element sanitises inline SVG away, an image data URI it
    keeps."""
    import base64
    import re
    from html import escape
    m = re.search(rb'<svg[^>]*?width="([\d.]+)pt"', svg)
    width = "100%" if fit or not m else f"{float(m.group(1)) * 4 / 3 * zoom:.0f}px"  # points to CSS pixels
    return ('<div style="overflow:auto;max-height:75vh;border:1px solid #E0E0E0;border-radius:4px">'
            f'<img alt="{escape(alt)}" src="data:image/svg+xml;base64,{base64.b64encode(svg).decode()}" '
            f'style="width:{width};max-width:none;height:auto;display:block"/></div>')


def guide_dot(wb: Workbook, process_id: str, language: str) -> str:
    """The flowchart a guide shows: top down, to fit a portrait page."""
    from flows.render import to_dot
    version = wb.process_by_id[process_id].after
    return to_dot(version or Version(), chart_labels(wb, process_id, "after", language), "TB")


def guide_document(wb: Workbook, process_id: str, fmt: str, language: str | None = None,
                   chart_png: bytes | None = None) -> bytes:
    """The 办事指南 of a process's redesigned version as `docx` or `pdf` (flows/guide.py); the
    chart is drawn here unless given."""
    from flows.guide import guide_docx, to_pdf
    doc = guide_docx(*guide_content(wb, process_id, language or lang(), chart_png))
    return to_pdf(doc) if fmt == "pdf" else doc


def guide_content(wb: Workbook, process_id: str, language: str, chart_png: bytes | None = None
                  ) -> tuple[Version, Guide]:
    """What the 办事指南 of a process's redesigned version says, in `language`, and its version."""
    from flows.render import render
    from flows.timelimits import longest_route
    p = wb.process_by_id[process_id]
    v = p.after
    if v is None:
        raise ValueError(f"process {process_id} has no redesigned version")
    section, department = section_and_department(wb, p.section)
    rows = (("name", p.name), ("section", f"{section} · {department}"),
            ("kind", t(f"version_kind.{v.kind}", language) if v.kind else "—"),
            ("legal", _days(v.legal_days, language)), ("promised", _days(v.promised_days, language)),
            ("trips", _trips(v.trips, language)), ("steps", str(step_count(v))))
    return v, _guide(language, p.name, rows, v.materials, False, t("guide.path", language, days=f"{longest_route(v).days:g}"),
                     chart_labels(wb, process_id, "after", language).person,
                     chart_png or render(guide_dot(wb, process_id, language), "png"),
                     t("guide.footer", language, department=department, section=section, date=clock.today().isoformat()))


def _days(n: int | None, language: str) -> str:
    return "—" if n is None else t("guide.days", language, n=n)


def _trips(n: int | None, language: str) -> str:
    return "—" if n is None else t("guide.trips_value", language, n=n)


def _guide(language: str, name: str, rows, materials: tuple[str, ...] | None, parts: bool, path: str,
           person: dict[str, str], chart_png: bytes, footer: str) -> Guide:
    """A 办事指南 in `language`: the words every guide has, and what this one says; `parts` heads
    its table for a matter's parts (department, stage) rather than a process's steps (A, B)."""
    columns = ("n", "part", "department", "stage", "days", "note") if parts else ("n", "step", "a", "b", "days", "note")
    return Guide(
        title=t("guide.title", language, name=name), rows=tuple((t(f"guide.{k}", language), value) for k, value in rows),
        materials_title=t("guide.materials", language), materials=materials,
        none_listed=t("guide.no_materials", language),
        steps_title=t("guide.parts_title" if parts else "guide.steps_title", language),
        columns=tuple(t(f"guide.col.{c}", language) for c in columns),
        special=t("guide.special", language), deadline=t("guide.deadline", language), path=path, person=person,
        chart_title=t("guide.chart", language), chart_png=chart_png, footer=footer)


def site_words(language: str) -> SiteWords:
    """What the published site says and draws, in `language`."""
    return SiteWords(
        language=language,
        say=lambda key, **values: t(key, language, **values),
        person=person_name,
        labels=lambda wb, pid, which: chart_labels(wb, pid, which, language),
        sheet=lambda wb, pid: before_after_sheet(wb, pid, language),
        guide_chart=lambda wb, pid: guide_dot(wb, pid, language),
        guide=lambda wb, pid, png: guide_content(wb, pid, language, png),
        matter_chart=lambda wb, figures, which: matter_dot(wb, figures, which, language),
        matter_guide=lambda wb, figures, png: matter_guide(wb, figures, language, png))


def change_rows(old: Version | None, new: Version, changes: Comparison, language: str | None = None) -> list[dict]:
    """What a draft changes, a row a step (added, removed, or the fields changed, in words), then
    its terms: the list beside a comparison's chart."""
    from .i18n import WORDS
    language = language or lang()
    steps = {s.id: s for v in (old, new) if v for s in v.steps}
    step, what = t("col.step", language), t("publish.change", language)
    def field(f: str) -> str:  # a step's name is its name here, not "the step"
        key = next((k for k in (f"review.field.{f}", f"field.{f}") if k in WORDS), None)
        return t(key, language) if key else f
    rows = [{step: steps[x].label, what: t("review.was_added", language)} for x in changes.added]
    rows += [{step: steps[x].label, what: t("review.was_removed", language)} for x in changes.removed]
    rows += [{step: steps[x].label, what: "、".join(field(f) for f in fields)} for x, fields in changes.changed]
    if changes.terms:
        rows.append({step: t("review.terms_row", language),
                     what: "、".join(t(f"terms.{f}", language) for f in changes.terms)})
    return rows


def matter_dot(wb: Workbook, figures: MatterFigures, which: str, language: str | None = None) -> str:
    """The Graphviz source of a matter done once (一件事): a lane per department, a box per part
    process with its time, the parts of a stage between a parallel split and join."""
    from flows.render import to_dot
    return to_dot(*_matter_part(wb, figures, which, language or lang()))


def _matter_part(wb: Workbook, figures: MatterFigures, which: str, language: str) -> tuple[Version, Labels]:
    """A matter's version drawn as a process (roles.engines.matters.drawn) and its chart's labels."""
    run = figures.after if which == "after" else figures.before
    if run is None:
        raise BadInput(f"matter {figures.matter.id} does not say how it ran before the reform")
    labels = Labels(title=t("matter.chart_title", language, name=figures.matter.name,
                            version=t("version." + which, language), stages=len(run.stages),
                            steps="—" if run.steps is None else run.steps),
                    lane={d: wb.department_name(d) for d in figures.departments},
                    words={k: t("chart." + k, language) for k in WORDS}, holders=False, count=False)
    return drawn(run), labels


def matter_print(wb: Workbook, figures: MatterFigures, paper: Paper, language: str | None = None,
                 effective: dt.date | None = None) -> bytes:
    """The print pack of a matter: its charts before and after on one sheet where they hold at 8 pt,
    else each on pages of its own, each page with a title block naming the lead department."""
    language = language or lang()
    parts = [Part(labels.title, version, labels) for which in ("before", "after")
             if (figures.before if which == "before" else figures.after) is not None
             for version, labels in (_matter_part(wb, figures, which, language),)]
    fields = (("unit", wb.department_name(figures.matter.lead)),
              ("departments", "、".join(wb.department_name(d) for d in figures.departments[1:]) or "—"),
              ("matter", figures.matter.name), ("effective", (effective or clock.today()).isoformat()))
    block = TitleBlock(tuple((t("print." + k, language), v) for k, v in fields),
                       page=t("print.page", language, n="{n}", total="{total}"),
                       legend=tuple((k, t("print.legend." + k, language)) for k in ("task", "parallel", "start", "end")))
    return print_sheet(parts, figures.matter.name, block, paper)


def matter_guide(wb: Workbook, figures: MatterFigures, language: str, chart_png: bytes | None = None
                 ) -> tuple[Version, Guide]:
    """What the 办事指南 of a matter done once says: its lead and other departments, promise,
    materials asked once and trips; its parts as the steps, each with its department and stage."""
    from flows.render import render
    run = figures.after
    version, _ = _matter_part(wb, figures, "after", language)
    stage_of = {p.process: i for i, stage in enumerate(run.stages, 1) for p in stage}
    version = replace(version, steps=tuple(replace(s, b=f"stage:{stage_of[s.id]}") if s.id in stage_of else s
                                           for s in version.steps))
    lead = wb.department_name(figures.matter.lead)
    rows = (("name", figures.matter.name), ("lead", lead),
            ("departments", "、".join(wb.department_name(d) for d in figures.departments[1:]) or "—"),
            ("promised", _days(run.promised_days, language)), ("trips", _trips(run.trips, language)),
            ("stages", t("guide.stages_value", language, stages=len(run.stages), parts=len(run.parts))))
    person = {d: wb.department_name(d) for d in figures.departments} | {f"stage:{i}": t("guide.stage_value", language, n=i) + (t("guide.together", language) if len(stage) > 1 else "")
                      for i, stage in enumerate(run.stages, 1)}
    path = t("matter.path_only" if run.promised_days is None else "matter.path", language,
             path="—" if run.path is None else f"{run.path:g}", serial="—" if run.serial is None else f"{run.serial:g}",
             promised=run.promised_days)
    return version, _guide(language, figures.matter.name, rows, run.materials, True, path, person,
                           chart_png or render(matter_dot(wb, figures, "after", language), "png"),
                           t("guide.footer_matter", language, department=lead, date=clock.today().isoformat()))
