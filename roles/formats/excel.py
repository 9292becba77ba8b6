"""Excel workbooks the reform office hands on: the reform report (consolidation per city, batch and
department, the 机构职能变化对比表, step reduction per department, section and process, work
saturation) and the power and responsibility list. Chinese headers, percentages as Excel
percentages, one sheet per level."""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from functools import partial

from pathlib import Path
from typing import BinaryIO

from roles.formats.workbook_files import append_text_row
from roles.model import Workbook
from roles.engines.powers import COLUMNS as POWER_COLUMNS, power_rows
from roles.engines.reform_resilience import before_after
from roles.engines.report import consolidation, saturation
from roles.engines.stats import stats

PCT = "0.0%"
#: The reform's cut, below which a department's or section's figure is marked.
TARGET = 0.30


#: Printed text is never smaller than this, in points: a sheet is fitted to the page's width only
#: where that keeps its 11 pt text at 8 pt or more; a wider one prints across pages.
MIN_PT, FONT_PT = 8.0, 11.0
#: A4 landscape between the margins, in points, and what one unit of a column's width takes.
PRINT_WIDTH_PT, UNIT_PT = 770.0, 7.6  # as LibreOffice prints a unit: measured


def add_sheet(book, title: str, headers: list[str], rows: list[list], pct_columns: Collection[int] = (),
              widths: dict[int, int] | None = None, wrap: bool = False, heading: str = "",
              short_of: dict[int, float] | None = None):
    """A sheet as the office prints it: headers on every page, A4 landscape, wrapped text, a
    header naming the report and the day and a page number at the foot; `short_of` marks, in
    red, the values of a column under their target (the 30 % cut)."""
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    ws = book.create_sheet(title)
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        append_text_row(ws, row)
    for col in range(1, len(headers) + 1):
        letter = get_column_letter(col)
        width = (widths or {}).get(col) or min(40, max(8, *(len(str(c.value or "")) * 2 for c in ws[letter][:200])))
        ws.column_dimensions[letter].width = width
        if col in pct_columns:
            for c in ws[letter][1:]:
                c.number_format = PCT
        if wrap or width >= 20:  # long text wraps in its column instead of running over the next
            for c in ws[letter][1:]:
                c.alignment = Alignment(wrap_text=True, vertical="top")
    for col, target in (short_of or {}).items():
        letter = get_column_letter(col)
        ws.conditional_formatting.add(f"{letter}2:{letter}{ws.max_row}", CellIsRule(
            operator="lessThan", formula=[str(target)], fill=PatternFill("solid", fgColor="FDE2E1"),
            font=Font(color="B71C1C", bold=True)))
    ws.freeze_panes = "A2"
    # Printed (or turned into PDF): A4 landscape, the headers on every page, fitted to the width
    # only while the text stays readable.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = "1:1"
    total = sum(ws.column_dimensions[get_column_letter(c)].width or 8 for c in range(1, len(headers) + 1)) * UNIT_PT
    if total * MIN_PT / FONT_PT <= PRINT_WIDTH_PT:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
    ws.oddHeader.left.text = heading
    ws.oddHeader.center.text = title
    ws.oddHeader.right.text = "&D"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    return ws


def _cut(before, after) -> float | None:
    return None if before in (None, 0) or after is None else round((before - after) / before, 4)


def write_report(wb: Workbook, path: Path | BinaryIO) -> None:
    from openpyxl import Workbook as Book
    book = Book()
    book.remove(book.active)
    cons = consolidation(wb)
    city = cons["city"]
    level = ["部门数", "改革前科室数", "改革后科室数", "科室压减比例", "最高压减比例", "最低压减比例", "各部门平均压减比例",
             "人数", "最大科室人数", "最小科室人数", "一人科", "两人科", "综合性科室", "核定领导职数", "按规定可设领导职数"]

    def level_row(r):
        return [r["departments"], r["sections_before"], r["sections_after"], r["reduction"], r["highest"], r["lowest"],
                r["mean_of_departments"], r["people"], r["size_largest"], r["size_smallest"], r["one_person"],
                r["two_person"], r["comprehensive"], r["leader_posts"], r["leader_posts_allowed"]]

    from roles import clock
    dept_name = {d.id: d.name for d in wb.departments}
    section_name = {s.id: s.name for d in wb.departments for s in d.sections}
    sheet = partial(add_sheet, heading=f"大科室改革成效报告 · {clock.today().isoformat()}")
    sheet(book, "全市汇总", level, [level_row(city)], {4, 5, 6, 7}, short_of={4: TARGET})
    sheet(book, "分批次", ["批次", *level], [[b["batch"], *level_row(b)] for b in cons["batches"]], {5, 6, 7, 8},
          short_of={5: TARGET})
    sheet(book, "分部门", ["部门", "批次", "改革前科室数", "改革后科室数", "科室压减比例", "人数", "最大科室人数", "最小科室人数",
                          "平均科室人数", "一人科", "两人科", "综合性科室", "综合性科室占比", "核定领导职数", "按规定可设领导职数",
                          "一对多对口", "多对一对口"],
           [[d["name"], d["batch"], d["sections_before"], d["sections_after"], d["reduction"], d["people"],
             d["size_largest"], d["size_smallest"], d["size_average"], d["one_person"], d["two_person"],
             d["comprehensive"], d["comprehensive_share"], d["leader_posts"], d["leader_posts_allowed"],
             "；".join(f"{section_name.get(s, s)}→{'、'.join(o)}" for s, o in d["counterparts_1_to_n"].items()),
             "；".join(f"{o}←{'、'.join(section_name.get(x, x) for x in s)}" for o, s in d["counterparts_n_to_1"].items())]
            for d in cons["departments"]], {5, 13}, short_of={5: TARGET})
    sheet(book, "机构职能变化对比表", ["部门", "改革前科室", "改革后大科室", "承担职能"],
           [[d["name"], "、".join(m["merged_from"]), m["name"], "、".join(m["duties"])]
            for d in cons["departments"] for m in d["duty_map"]], widths={1: 24, 2: 36, 3: 18, 4: 60}, wrap=True)
    st = stats(wb)
    sheet(book, "环节压减（批次）", ["批次", "改革前环节", "改革后环节", "环节压减比例", "改革前科室", "改革后科室", "科室压减比例"],
          [[b["batch"], b["before"], b["after"], b["reduction"], b["sections_before"], b["sections_after"],
            b["section_reduction"]] for b in st["batches"]], {4, 7}, short_of={4: TARGET, 7: TARGET})
    sheet(book, "环节压减（部门）", ["部门", "批次", "改革前环节", "改革后环节", "环节压减比例"],
          [[d["name"], d["batch"], d["before"], d["after"], d["reduction"]] for d in st["departments"]], {5},
          short_of={5: TARGET})
    sheet(book, "环节压减（科室）", ["科室", "部门", "改革前环节", "改革后环节", "环节压减比例"],
          [[s["name"], dept_name.get(s["department"], s["department"]), s["before"], s["after"], s["reduction"]]
           for s in st["sections"]], {5}, short_of={5: TARGET})
    sheet(book, "环节压减（流程）", ["流程", "科室", "部门", "改革前环节", "改革后环节", "环节压减比例", "改革后交接次数"],
          [[p["name"], section_name.get(p["section"], p["section"]), dept_name.get(p["department"], p["department"]),
            p["before"], p["after"], p["reduction"], p["handoffs_after"]] for p in st["processes"]], {6},
          short_of={6: TARGET})
    measures = (("steps", "环节"), ("materials", "材料"), ("days", "时限（工作日）"), ("trips", "跑动"))
    four_head = [h for _, name in measures for h in (f"改革前{name}", f"改革后{name}", f"{name}压减比例")]

    def four_row(r: dict) -> list:
        cut = r.get("four_cut") or {}
        return [v for k, _ in measures for v in (*r["four"][k], cut.get(k))]

    def four_proc(p: dict) -> list:
        return [v for k, _ in measures for v in (*p["four"][k], _cut(*p["four"][k]))]
    pct4 = {c for c in range(1, 13) if c % 3 == 0}
    sheet(book, "四减（全市、批次）", ["范围", *four_head],
           [["全市", *four_row(st["city"])]] + [[f"第 {b['batch']} 批", *four_row(b)] for b in st["batches"]],
           {c + 1 for c in pct4})
    sheet(book, "四减（部门）", ["部门", "批次", *four_head],
           [[d["name"], d["batch"], *four_row(d)] for d in st["departments"]], {c + 2 for c in pct4})
    sheet(book, "四减（流程）", ["流程", "科室", "部门", "办件类型", "法定时限", "承诺时限", *four_head],
           [[p["name"], section_name.get(p["section"], p["section"]), dept_name.get(p["department"], p["department"]), {"instant": "即办件", "promised": "承诺件"}.get(p["kind"] or "", ""),
             p["legal_days"], p["promised_days"], *four_proc(p)] for p in st["processes"]], {c + 6 for c in pct4})
    today = clock.today()
    res = before_after(wb, today - dt.timedelta(days=364), today)
    level_res = ["改革前科室数", "改革后科室数", "改革前两人可办环节占比", "改革后两人可办环节占比",
                 "改革前最弱科室可缺岗人数", "改革后最弱科室可缺岗人数", "改革前平均可缺岗人数", "改革后平均可缺岗人数"]

    def res_row(r: dict) -> list:
        return [(r[v] or {}).get(k) for k in ("sections", "share", "k_min", "k_mean") for v in ("before", "after")]
    sheet(book, "改革前后抗缺岗能力", ["范围", *level_res],
          [["全市（可比部门）", *res_row(res["city"])]] + [[d["name"], *res_row(d)] for d in res["departments"] if d["known"]],
          {4, 5})
    sat = saturation(wb)
    flag = {"over": "超负荷", "under": "不饱和", "ok": "适中", None: "无工时数据"}
    sheet(book, "工作饱和度（科室）", ["科室", "部门", "人数", "月工作量（小时）", "饱和度", "判断"],
           [[s["name"], dept_name.get(s["department"], s["department"]), s["people"], round(s["minutes"] / 60, 1), s["saturation"], flag[s["flag"]]]
            for s in sat["sections"]], {5})
    sheet(book, "工作饱和度（人员）", ["人员", "科室", "主办（小时/月）", "备岗（小时/月）", "预计承担（小时/月）", "饱和度", "判断"],
           [[p["name"], section_name.get(p["section"], p["section"]), round(p["a_minutes"] / 60, 1), round(p["b_minutes"] / 60, 1),
             round(p["expected_minutes"] / 60, 1), p["saturation"], flag[p["flag"]]] for p in sat["people"]], {6})
    book.save(path)


#: The kinds of change as the list's second sheet names them.
CHANGE_WORDS = {"added": "新增", "cancelled": "取消", "devolved": "下放", "changed": "调整"}


def write_powers(wb: Workbook, path: Path | BinaryIO, changes=None) -> None:
    """The list (sheet 权责清单); with `changes` (PowerChange), those too (sheet 动态调整)."""
    from openpyxl import Workbook as Book
    book = Book()
    book.remove(book.active)
    add_sheet(book, "权责清单", list(POWER_COLUMNS), [list(r) for r in power_rows(wb)],
              widths={1: 6, 2: 20, 3: 10, 4: 22, 5: 30, 6: 14, 7: 30, 8: 60, 9: 50}, wrap=True)
    if changes is not None:
        add_sheet(book, "动态调整", ["序号", "权力事项名称", "调整类型", "文件依据", "日期", "说明"],
                  [[i, c.name, CHANGE_WORDS.get(c.kind, c.kind), c.document, c.date.isoformat(), c.note]
                   for i, c in enumerate(changes, 1)], widths={1: 6, 2: 24, 3: 10, 4: 36, 5: 12, 6: 40}, wrap=True)
    book.save(path)
