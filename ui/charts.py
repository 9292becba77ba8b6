"""What the CLI and the app print on a flowchart: titles, names and today's cover, in the
user's language. Shared so `abflow render` and the app draw the very same picture."""
from __future__ import annotations

import datetime as dt

from flows.metrics import reduction, step_count
from flows.render import Labels, sheet_dot
from roles.engines.lanes import lane_titles
from roles.model import Workbook
from roles.engines.roster import roster

from .i18n import lang, off_day, person_label, t

WORDS = ("A", "B", "gap", "steps", "approval", "none", "start", "end")


def chart_labels(wb: Workbook, process_id: str, which: str, language: str | None = None,
                 day: dt.date | None = None) -> Labels:
    language = language or lang()
    p = wb.process_by_id[process_id]
    labels = Labels(title=f"{p.name}（{t('version.' + which, language)}）",
                    person={pid: person.name for pid, person in wb.person_by_id.items()},
                    lane=lane_titles(wb.people, language),
                    words={k: t("chart." + k, language) for k in WORDS}, holders=which == "after")
    if day is not None and which == "after":
        r = roster(wb, day, section=p.section)
        labels.today_title = (t("chart.today", language, date=day) if r.workday
                              else t("not_workday", language, date=day, why=off_day(r.off, language)))
        labels.today = {d.step: (d.status, person_label(wb, d.acting) if d.acting else
                                 (f"{t('col.suggested', language)} {person_label(wb, d.suggested)}" if d.suggested else None))
                        for d in r.steps if d.process == p.id}
    return labels


def before_after_sheet(wb: Workbook, process_id: str, language: str | None = None,
                       day: dt.date | None = None) -> str:
    """The DOT of a process's before/after sheet: both versions, each captioned with its step
    count, the cut in the caption of the redesigned one. The process must have both versions."""
    language = language or lang()
    p = wb.process_by_id[process_id]
    before, after = step_count(p.before), step_count(p.after)
    cut = reduction(before, after)
    parts = [(t("chart.sheet_before", language, n=before), p.before, chart_labels(wb, p.id, "before", language)),
             (t("chart.sheet_after", language, n=after, cut="—" if cut is None else f"{cut:.0%}"), p.after,
              chart_labels(wb, p.id, "after", language, day))]
    return sheet_dot(parts, f"{p.name}（{t('chart.sheet', language)}）")


def svg_image(svg: bytes, alt: str) -> str:
    """HTML for a chart in a page. As an <img>: Streamlit's HTML element sanitises inline SVG away,
    an image data URI it keeps."""
    import base64
    from html import escape
    return (f'<img alt="{escape(alt)}" src="data:image/svg+xml;base64,{base64.b64encode(svg).decode()}" '
            'style="width:100%;height:auto"/>')
