"""The flowchart site (`abflow publish --out DIR`): the notice a department posts for its staff.

Each run writes a new release `DIR/rN/` (department → section → process: every flowchart as an
SVG the page shows, with its PDF and BPMN to download, the before/after sheet side by side, each section's A/B
table, the step figures; and the 权责清单, a page per power with the charts of its processes) and keeps the earlier ones; `DIR/index.html` lists the releases, newest
first. A release's `manifest.json` keeps what was published, so the next release's process pages
say what changed since (steps added, removed, renamed and re-assigned) and its front page lists
the approvals the last one did not show; each process page shows its approval on record.

Flowcharts are drawn by `dot` in a pool as wide as the machine, since each is its own process,
and only when they changed: each drawing is kept by the hash of its Graphviz source, format and
Graphviz version (`DIR/.charts`), so publishing again after one process changed draws that
process's charts alone; a release's files are hard links to the kept drawings where the file
system allows, and drawings no release of the newest run uses are dropped.

A release is built in a hidden folder and renamed into place when its pages are complete, under
a lock, so a failed or concurrent publish never leaves a half release that later ones trip over.
Its documents to download (each PDF, before/after sheet and 办事指南: most of a first publish's
time) are drawn once it is live, and its process pages written again to link them; a publish
that fails there takes its release back, so the site is as it was. A release folder without its
manifest (left by an older version's crash) is skipped and reported. Files
are named by kind and id (`p-ID.html`, `pdf/ID.pdf`, `sheet/ID.pdf`, `bpmn/ID.bpmn`), and ids
are safe names, so no two processes' files can collide (`svg/ID.svg`, `svg/ID.before.svg`).

What the site says, and how its charts are labelled, comes from the front end in one language
(`SiteWords`), so the generator holds no words of its own.
"""
from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Mapping, Set as AbstractSet
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import cast

from flows import bpmn
from roles import clock
from flows.errors import CannotWrite, Conflict
from flows.fields import has_terms, step_from_stored, stored_step
from flows.guide import Guide, guide_docx
from flows.limits import ID
from flows.diff import compare, diff
from flows.model import Version
from flows.render import Labels, diff_dot, render_many, to_dot
from flows.wording import Progress, Stage, before_after, values
from roles.engines.lanes import lane_titles
from roles.model import Approval, FiledList, Workbook
from roles.engines.matters import MatterFigures, all_figures
from roles.engines.powers import exercising
from roles.formats import matter_bpmn
from roles.engines.stats import stats

log = logging.getLogger("abflow.publish")


@functools.cache
def _guide_code() -> str:
    """What makes a guide besides its content: the code that writes it (a kept document made by
    other code is made again). Read at the first guide, not when the app imports this module."""
    return hashlib.sha256(Path(guide_docx.__code__.co_filename).read_bytes()).hexdigest()


@dataclass(frozen=True)
class SiteWords:
    """The site's words and chart labels in one language, made by the front end."""

    language: str
    #: say(key, **values): a sentence of the site's catalogue (publish.*, col.*, version.*, …)
    say: Callable[..., str]
    #: a person as pages name them
    person: Callable[[Workbook, str | None], str]
    #: labels(wb, process, which): a chart's step labels, with its A and B holders
    labels: Callable[[Workbook, str, str], Labels]
    #: sheet(wb, process): the Graphviz source of the before/after sheet to print
    sheet: Callable[[Workbook, str], str]
    #: guide_chart(wb, process): the Graphviz source of the chart in a 办事指南
    guide_chart: Callable[[Workbook, str], str]
    #: guide(wb, process, chart_png): what the 办事指南 says, and the version it is of
    guide: Callable[[Workbook, str, bytes], tuple[Version, Guide]]
    #: matter_chart(wb, figures, which): the Graphviz source of a matter's chart, a lane per department
    matter_chart: Callable[[Workbook, MatterFigures, str], str]
    #: matter_guide(wb, figures, chart_png): what a matter's 办事指南 says, and its version drawn as steps
    matter_guide: Callable[[Workbook, MatterFigures, bytes | None], tuple[Version, Guide]]


@dataclass(frozen=True)
class Drawing(Stage):
    """How far the drawing of the charts is: `n` of `total`, so a bar can show it."""

    key: str = "drawing"
    params: tuple[tuple[str, object], ...] = ()

    CATALOG = {"drawing": ("正在绘制流程图 {n}/{total}", "Drawing charts {n}/{total}"),
               "documents": ("已上线；正在生成 PDF、对照图与办事指南 {n}/{total}",
                             "Live; drawing the PDFs, sheets and service guides {n}/{total}")}

    @property
    def share(self) -> float:
        given = dict(self.params)
        return cast(int, given["n"]) / cast(int, given["total"])  # Drawing(params=values(n=…, total=…))


@dataclass(frozen=True)
class Live(Stage):
    """The release's pages are live; its documents follow."""

    key: str = "live"
    params: tuple[tuple[str, object], ...] = ()

    CATALOG = {"live": ("第 {release} 版已上线；正在生成 PDF、对照图与办事指南",
                        "Release {release} is live; drawing its PDFs, sheets and service guides")}


CSS = """body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2rem auto;max-width:1200px;
padding:0 1rem;color:#222}a{color:#1a5fb4}table{border-collapse:collapse;margin:1rem 0;width:100%}
th,td{border:1px solid #ccc;padding:.35rem .6rem;text-align:left;vertical-align:top}th{background:#eef4fb}
.num{text-align:right}.chart{overflow-x:auto;border:1px solid #ddd;padding:.5rem;margin:1rem 0}
.chart img{max-width:none;height:auto}.pair{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
.crumbs{color:#666}.added{color:#2e7d32}.removed{color:#c62828}.reassigned,.renamed{color:#b26a00}"""


#: The release's search: every process and section, found by every word typed (name, section,
#: department), in the reader's browser from `search.json`; no server needed, as the site is files.
SEARCH = """<p><input id="q" type="search" placeholder="{hint}" style="width:100%;padding:.5rem;font-size:1rem"
aria-label="{hint}"></p><ul id="hits"></ul><script>
let index = null;
const q = document.getElementById("q"), hits = document.getElementById("hits");
q.addEventListener("input", async () => {{
  if (index === null) index = await (await fetch("search.json")).json();
  const words = q.value.toLowerCase().split(/\\s+/).filter(Boolean);
  hits.replaceChildren(...(words.length ? index.filter(e => words.every(w => e.text.toLowerCase().includes(w)))
                                            .slice(0, 50) : []).map(e => {{
    const li = document.createElement("li"), a = document.createElement("a");
    a.href = e.href; a.textContent = e.text; li.append(a); return li; }}));
  if (words.length && !hits.children.length) hits.textContent = "{none}";
}});
</script>"""


def _page(title: str, body: str, crumbs: str = "") -> str:
    return (f"<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{escape(title)}</title>"
            f"<meta name=\"viewport\" content=\"width=device-width\"><style>{CSS}</style></head><body>"
            f"<p class=\"crumbs\">{crumbs}</p><h1>{escape(title)}</h1>{body}</body></html>")


def _table(headers: list[str], rows: list[list[str]], numeric: AbstractSet[int] = frozenset()) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td class=\"num\">{c}</td>" if i in numeric else f"<td>{c}</td>"
                                    for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


def _chart(src: str, title: str) -> str:
    """A chart as its own SVG file, fetched when it scrolls into view: a release's pages stay small
    (a city's are a few megabytes, not the half gigabyte of inlined drawings), and a chart that did
    not change is the same file as in the release before."""
    return f"<a href=\"{src}\"><img src=\"{src}\" alt=\"{escape(title)}\" loading=\"lazy\"></a>"


def _numbered(out: Path) -> dict[int, Path]:
    return {int(m.group(1)): p for p in out.glob("r*") if (m := re.fullmatch(r"r(\d+)", p.name)) and p.is_dir()}


def releases(out: Path) -> list[int]:
    """The complete releases (those with their manifest), oldest first."""
    return sorted(n for n, p in _numbered(out).items() if (p / "manifest.json").is_file())


def _slug(ident: str) -> str:
    """An id as a file name: ids are safe names; one stored before they had to be gets a hash."""
    return ident if ID.fullmatch(ident) else "x" + hashlib.sha256(ident.encode()).hexdigest()[:16]


@contextmanager
def _locked(out: Path):
    with open(out / ".publish.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Conflict(f"{out}: another publish is running; try again when it has finished") from None
        yield


class Charts:
    """Drawings kept by the hash of what they are drawn from, so an unchanged chart is never drawn twice."""

    def __init__(self, folder: Path):
        import graphviz
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.version = ".".join(map(str, graphviz.version()))
        self.used: set[Path] = set()
        self.drawn = self.reused = 0

    def path(self, dot: str, fmt: str) -> Path:
        key = hashlib.sha256(f"{self.version}\n{fmt}\n{dot}".encode()).hexdigest()
        return self.folder / f"{key}.{fmt}"

    def get_all(self, jobs: list[tuple[str, str]], workers: int, progress: Callable[[int, int], None]) -> list[Path]:
        """The drawing of each (dot, fmt), drawn now only where no earlier publish drew the same
        source: the ones to draw go to `workers` at once in batches, one `dot` run a batch."""
        paths = [self.path(dot, fmt) for dot, fmt in jobs]
        todo: dict[Path, tuple[str, str]] = {}
        for path, job in zip(paths, jobs, strict=True):
            if not path.is_file():
                todo.setdefault(path, job)
        self.reused += len(jobs) - len(todo)
        self.used.update(paths)
        by_format: dict[str, list[tuple[Path, str]]] = {}
        for path, (dot, fmt) in todo.items():
            by_format.setdefault(fmt, []).append((path, dot))
        # Enough batches for every worker to stay busy, each still many charts long.
        size = max(1, min(self.BATCH, -(-len(todo) // (workers * 4)))) if todo else 1
        batches = [(fmt, items[i:i + size]) for fmt, items in by_format.items() for i in range(0, len(items), size)]
        done = 0
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for n in pool.map(lambda batch: self._draw(*batch), batches):
                done += n
                progress(done, len(todo))
        self.drawn += len(todo)
        return paths

    #: The most charts one `dot` run draws.
    BATCH = 50

    def _draw(self, fmt: str, items: list[tuple[Path, str]]) -> int:
        for (path, _), data in zip(items, render_many([dot for _, dot in items], fmt), strict=True):
            _keep(path, data)
        return len(items)

    def guide(self, version: Version, content: Guide) -> Path:
        """The 办事指南 as Word, made only when no earlier publish made the same one (a document
        costs a tenth of a second, most of a publish that changed little)."""
        key = hashlib.sha256(f"{_guide_code()}\n{version!r}\n{content!r}".encode()).hexdigest()
        path = self.folder / f"{key}.docx"
        if path.is_file():
            self.reused += 1
        else:
            _keep(path, guide_docx(version, content))
            self.drawn += 1
        self.used.add(path)
        return path

    def prune(self) -> None:
        """Drop the drawings this publish did not use (the releases keep their own links to them)."""
        for path in self.folder.iterdir():
            if path not in self.used and path.is_file():
                path.unlink(missing_ok=True)


def _keep(path: Path, data: bytes) -> None:
    """Write a kept file whole or not at all: aside under a name of this process and thread, then
    renamed into place, so a publish beside this one never reads half of it."""
    aside = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    aside.write_bytes(data)
    aside.replace(path)


def _place(source: Path, target: Path) -> None:
    """The kept drawing as a release file: a hard link, or a copy where links cannot go."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def publish(wb: Workbook, out: Path, words: SiteWords, progress: Progress = lambda _: None,
            workers: int | None = None, charts: Path | None = None,
            approvals: Mapping[tuple[str, str], Approval] | None = None,
            filed: Mapping[str, FiledList] | None = None) -> Path:
    """Write the next release of the site into `out` and return its folder. Drawings are kept in
    `charts` (default `out/.charts`) for the next publish to reuse. `approvals`, the approval on
    record of each live version, is shown on its page; the release lists those since the last.
    `filed`, each section's last AB filing, is shown under its A/B table with what it changed."""
    try:
        return _publish(wb, out, words, progress, workers, charts, approvals or {}, filed or {})
    except OSError as e:
        raise CannotWrite(f"{out}: the site could not be written ({e.strerror or e}); the releases before it "
                          "are unchanged") from None


def _publish(wb: Workbook, out: Path, words: SiteWords, progress: Progress, workers: int | None,
             charts: Path | None, approvals: Mapping[tuple[str, str], Approval],
             filed: Mapping[str, FiledList]) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    with _locked(out):
        numbered = _numbered(out)
        previous = releases(out)
        for n in sorted(set(numbered) - set(previous)):
            log.warning("%s is an incomplete release (no manifest.json): skipped", numbered[n])
        number = max(numbered, default=0) + 1
        building = Path(tempfile.mkdtemp(prefix=f".r{number}-", dir=out))
        kept = Charts(charts or out / ".charts")
        workers = workers or os.cpu_count() or 2
        try:
            pages = _write_release(wb, building, number, previous, out, words, progress, workers, kept, approvals,
                                   filed)
            rel = out / f"r{number}"
            building.rename(rel)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        pages.rel = rel  # where the pages now are
        _write_index(out, [*previous, number], number, words)
        progress(Live(params=values(release=number)))
        try:
            _write_documents(wb, rel, pages, progress, workers, kept)
        except BaseException:  # taken back whole: the site is as it was before this publish
            rel.rename(building)
            shutil.rmtree(building, ignore_errors=True)
            if previous:
                _write_index(out, previous, previous[-1], words)
            else:
                (out / "index.html").unlink(missing_ok=True)
            raise
        kept.prune()
        log.info("release %d: %d charts drawn, %d reused", number, kept.drawn, kept.reused)
        return rel


class _Pages:
    """A release's process pages: first without their documents (PDF, sheet, 办事指南), which
    the second pass draws, then again with them. `after_dots` keeps each redesigned chart's
    Graphviz source, drawn as SVG for the pages and again as PDF for the documents."""

    def __init__(self, wb: Workbook, rel: Path, words: SiteWords, figures: dict, old: dict, previous: list[int],
                 after_dots: dict[str, str], approvals: Mapping[tuple[str, str], Approval]):
        self.wb, self.rel, self.words, self.old, self.previous = wb, rel, words, old, previous
        self.approvals = approvals
        self.after_dots = after_dots
        self.figures = {r["process"]: r for r in figures["processes"]}
        self.home = f"<a href=\"../index.html\">{escape(words.say('publish.releases'))}</a> › "

    def who(self, person: str | None) -> str:
        return escape(self.words.person(self.wb, person))

    def changed(self, process_id: str) -> bool:
        """Whether this release draws what changed in the process since the release before."""
        return (self.rel / "svg" / f"{_slug(process_id)}.changes.svg").exists()

    def write(self, p, documents: bool) -> None:
        wb, w, slug, who = self.wb, self.words.say, _slug(p.id), self.who
        dept = wb.department_of_section.get(p.section, "")
        sec = wb.section_by_id.get(p.section)
        pf = self.figures[p.id]
        dept_name = next((x.name for x in wb.departments if x.id == dept), dept)
        crumbs = (self.home + f"<a href=\"index.html\">{escape(w('publish.title'))}</a> › "
                  f"<a href=\"d-{_slug(dept)}.html\">{escape(dept_name)}</a> › "
                  f"<a href=\"d-{_slug(dept)}.html#{escape(p.section)}\">{escape(sec.name if sec else p.section)}</a>")
        body = [f"<p>{escape(w('publish.process_steps', before=pf['before'] if pf['before'] is not None else '—', after=pf['after'], cut=_pct(pf['reduction'])))}</p>"]
        if (ok := self.approvals.get((p.id, "after"))) is not None:
            body.append(f"<p class=\"approved\">{escape(w('publish.approved', approver=ok.approver, on=ok.on, revision=ok.revision))}</p>")
        coming = f"<p class=\"crumbs\">{escape(w('publish.documents_coming'))}</p>"
        if has_terms(p.after):
            body.append(_four_table(pf["four"], w) + (
                f"<p><a href=\"guide/{slug}.docx\">{escape(w('guide.download', fmt='Word'))}</a></p>" if documents
                else coming))
        if p.after is not None:
            body.append(f"<p><a href=\"pdf/{slug}.pdf\">PDF</a> · <a href=\"bpmn/{slug}.bpmn\">BPMN 2.0</a></p>"
                        if documents else f"<p><a href=\"bpmn/{slug}.bpmn\">BPMN 2.0</a></p>" + coming)
            after_svg = _chart(f"svg/{slug}.svg", p.name)
            body.append(f"<div class=\"chart\">{after_svg}</div>")
            if p.before is not None:
                before_svg = _chart(f"svg/{slug}.before.svg", f"{p.name} · {w('version.before')}")
                sheet = f"<p><a href=\"sheet/{slug}.pdf\">{escape(w('publish.sheet_pdf'))}</a></p>" if documents else ""
                body.append(f"<h2>{escape(w('publish.before_after'))}</h2>{sheet}"
                            "<div class=\"pair\">"
                            f"<div><h3>{escape(w('version.before'))} · {pf['before']}</h3><div class=\"chart\">{before_svg}</div></div>"
                            f"<div><h3>{escape(w('version.after'))} · {pf['after']}</h3><div class=\"chart\">{after_svg}</div></div></div>")
            if self.previous:
                was = self.old.get(p.id)
                changes = diff(Version(tuple(step_from_stored(s, _ignore) for s in was["steps"])) if was else None,
                               p.after)
                body.append(f"<h2>{escape(w('publish.changes', release=self.previous[-1]))}</h2>")
                if self.changed(p.id):
                    body.append(f"<div class=\"chart\">{_chart(f'svg/{slug}.changes.svg', p.name)}</div>"
                                f"<p class=\"crumbs\">{escape(w('review.legend'))}</p>")
                if not changes:
                    body.append(f"<p>{escape(w('publish.no_changes'))}</p>")
                else:
                    body.append(_table([w("col.step"), w("publish.change"), w("col.a"), w("col.b")], [[
                        escape(f"{c.step} {c.latest.label}"),
                        f"<span class=\"{c.kind}\">{escape(w('publish.' + c.kind))}</span>",
                        (f"{who(c.old.a)} → " if c.old and c.new and c.old.a != c.new.a else "") + who(c.latest.a),
                        (f"{who(c.old.b)} → " if c.old and c.new and c.old.b != c.new.b else "") + who(c.latest.b)]
                        for c in changes]))
        _keep(self.rel / f"p-{slug}.html", _page(p.name, "".join(body), crumbs).encode("utf-8"))


def _write_release(wb: Workbook, rel: Path, number: int, previous: list[int], out: Path, words: SiteWords,
                   progress: Progress, workers: int, charts: Charts,
                   approvals: Mapping[tuple[str, str], Approval], filed: Mapping[str, FiledList]) -> _Pages:
    """Everything a reader browses: the pages, the flowcharts they show (SVG) and the BPMN files.
    The documents to download follow in `_write_documents`, once the release is live."""
    for folder in ("pdf", "sheet", "bpmn", "svg", "guide"):
        (rel / folder).mkdir()
    last = json.loads((out / f"r{previous[-1]}" / "manifest.json").read_text("utf-8")) if previous else {}
    old = last.get("processes", {})
    w = words.say
    lanes = lane_titles(wb.people, words.language)

    # Draw the charts the pages show first, in parallel: SVG of `after` and of `before`, and of
    # what changed in `after` since the release before, where it changed.
    jobs = [(p.id, which, "svg", to_dot(v, words.labels(wb, p.id, which), "LR"))
            for p in wb.processes for which in ("after", "before") if (v := p.version(which)) is not None]
    for p in wb.processes:
        was = _published(old.get(p.id))
        if p.after is not None and was is not None and compare(was, p.after).steps_changed:  # a manifest keeps no terms
            labels = words.labels(wb, p.id, "after")
            labels.title = w("publish.changes_chart", name=p.name, release=previous[-1])
            jobs.append((p.id, "changes", "svg", diff_dot(was, p.after, labels, "LR")))
    matters = all_figures(wb)
    jobs += [(f"m:{f.matter.id}", which, "svg", words.matter_chart(wb, f, which))
             for f in matters for which in ("after", "before") if which == "after" or f.before is not None]
    paths = charts.get_all([(dot, fmt) for _, _, fmt, dot in jobs], workers,
                           lambda n, total: progress(Drawing(params=values(n=n, total=total))))
    drawn = {(pid, which): path for (pid, which, _, _), path in zip(jobs, paths, strict=True)}

    figures = stats(wb)
    sec_fig = {r["section"]: r for r in figures["sections"]}
    pages = _Pages(wb, rel, words, figures, old, previous,
                   {pid: dot for pid, which, _, dot in jobs if which == "after"}, approvals)
    manifest = {}
    dept_rows = []
    for d in wb.departments:
        dfig = next(r for r in figures["departments"] if r["department"] == d.id)
        dept_rows.append([f"<a href=\"d-{_slug(d.id)}.html\">{escape(d.name)}</a>",
                          f"{dfig['sections_before']} → {dfig['sections_after']}", _pct(dfig["section_reduction"]),
                          f"{dfig['before']} → {dfig['after']}", _pct(dfig["reduction"])])
        figures_line = w("publish.dept_figures", sections=f"{dfig['sections_before']} → {dfig['sections_after']}",
                         cut=_pct(dfig["section_reduction"]), steps=f"{dfig['before']} → {dfig['after']}",
                         step_cut=_pct(dfig["reduction"]))
        index = " · ".join(f"<a href=\"#{escape(s.id)}\">{escape(s.name)}</a>" for s in d.sections)
        body = [f"<p>{escape(figures_line)}</p>", f"<nav><b>{escape(w('publish.sections'))}</b>：{index}</nav>"]
        for s in d.sections:
            sf = sec_fig.get(s.id, {})
            procs = [p for p in wb.processes if p.section == s.id]
            body.append(f"<h2 id=\"{escape(s.id)}\">{escape(s.name)}</h2>")
            body.append(f"<p>{escape(w('publish.section_steps', before=sf.get('before', 0), after=sf.get('after', 0), cut=_pct(sf.get('reduction'))))}</p>")
            body.append(_table([w("col.process"), w("col.before"), w("col.after"), w("col.reduction")],
                               [[f"<a href=\"p-{_slug(p.id)}.html\">{escape(p.name)}</a>",
                                 str(pages.figures[p.id]["before"] if pages.figures[p.id]["before"] is not None else "—"),
                                 str(pages.figures[p.id]["after"]), _pct(pages.figures[p.id]["reduction"])] for p in procs],
                               {1, 2, 3}))
            ab = [[escape(p.name), escape(f"{st.id} {st.label}"), pages.who(st.a), pages.who(st.b)]
                  for p in procs if p.after for st in p.after.work_steps]
            body.append(f"<h3>{escape(w('publish.ab_table'))}</h3>" + _table(
                [w("col.process"), w("col.step"), w("col.a"), w("col.b")], ab))
            if (f := filed.get(s.id)) is not None:
                body.append(_filed(wb, f, pages, w))
        (rel / f"d-{_slug(d.id)}.html").write_text(_page(d.name, "".join(body), pages.home + f"<a href=\"index.html\">{escape(w('publish.title'))}</a>"), "utf-8")
    for p in wb.processes:
        if p.after is not None:
            (rel / "bpmn" / f"{_slug(p.id)}.bpmn").write_bytes(bpmn.write(p.after, p.id, p.name, lanes))
            _place(drawn[p.id, "after"], rel / "svg" / f"{_slug(p.id)}.svg")
            manifest[p.id] = {"name": p.name, "steps": [stored_step(s) for s in p.after.steps]}
            if (p.id, "changes") in drawn:
                _place(drawn[p.id, "changes"], rel / "svg" / f"{_slug(p.id)}.changes.svg")
            if p.before is not None:
                _place(drawn[p.id, "before"], rel / "svg" / f"{_slug(p.id)}.before.svg")
        pages.write(p, documents=False)
    sections_before = sum(r["sections_before"] for r in figures["departments"])
    sections_after = sum(r["sections_after"] for r in figures["departments"])
    steps_before = sum(r["before"] or 0 for r in figures["departments"])
    steps_after = sum(r["after"] or 0 for r in figures["departments"])
    summary = w("publish.summary", release=number, date=clock.now().strftime("%Y-%m-%d"), departments=len(wb.departments),
                sections=f"{sections_before:,} → {sections_after:,}",
                section_cut=_pct((sections_before - sections_after) / sections_before if sections_before else None),
                steps=f"{steps_before:,} → {steps_after:,}",
                step_cut=_pct((steps_before - steps_after) / steps_before if steps_before else None))
    _write_powers(wb, rel, pages, w)
    _write_matters(wb, rel, pages, words, matters, drawn)
    entries = [{"text": f"{p.name} · {' · '.join(wb.section_names(p.section))}", "href": f"p-{_slug(p.id)}.html"}
               for p in wb.processes]
    entries += [{"text": f"{q.name} · {q.kind or ''} · {' · '.join(wb.section_names(q.section or ''))}",
                 "href": f"q-{_slug(q.id)}.html"} for q in wb.powers]
    entries += [{"text": f"{f.matter.name} · {' · '.join(wb.department_name(d) for d in f.departments)}",
                 "href": f"m-{_slug(f.matter.id)}.html"} for f in matters]
    entries += [{"text": f"{s.name} · {d.name}", "href": f"d-{_slug(d.id)}.html#{s.id}"}
                for d in wb.departments for s in d.sections]
    (rel / "search.json").write_text(json.dumps(entries, ensure_ascii=False), "utf-8")
    search = SEARCH.format(hint=escape(w("publish.search")), none=escape(w("publish.search_none")))
    (rel / "index.html").write_text(_page(w("publish.title"), search + f"<p>{escape(summary)}</p>" +
                                          _approved_since(wb, approvals, last.get("approved"), previous, w) +
                                          (f"<p><a href=\"powers.html\">{escape(w('publish.powers', n=len(wb.powers)))}</a></p>"
                                           if wb.powers else "") +
                                          (f"<p><a href=\"matters.html\">{escape(w('publish.matters', n=len(matters)))}</a></p>"
                                           if matters else "") +
                                          _four_table(figures["city"]["four"], w) + _table(
        [w("col.department"), w("col.sections"), w("reform.section_cut"), w("reform.steps"), w("reform.step_cut")],
        dept_rows, {1, 2, 3, 4}), pages.home), "utf-8")
    # What was published, for the next release to tell what changed since.
    (rel / "manifest.json").write_text(json.dumps({"release": number, "published": clock.now().isoformat(timespec="seconds"),
                                                   "processes": manifest, "approved": _approved(approvals)},
                                                  ensure_ascii=False, indent=1), "utf-8")
    return pages


def _write_powers(wb: Workbook, rel: Path, pages: _Pages, w: Callable[..., str]) -> None:
    """The power and responsibility list (权责清单): a page listing the powers, and one per power
    with its legal basis, its duties and, for each process that exercises it, that process's
    chart and the steps that do."""
    if not wb.powers:
        return
    crumbs = pages.home + f"<a href=\"index.html\">{escape(w('publish.title'))}</a> › "
    lines = lambda items: "<br>".join(escape(x) for x in items) or "—"  # noqa: E731
    rows = [[f"<a href=\"q-{_slug(q.id)}.html\">{escape(q.name)}</a>", escape(q.kind or ""), lines(q.basis),
             escape(" · ".join(wb.section_names(q.section)) if q.section else "—")] for q in wb.powers]
    (rel / "powers.html").write_text(_page(w("publish.powers_title"), _table(
        [w("col.power"), w("col.power_kind"), w("col.basis"), w("col.section")], rows), crumbs), "utf-8")
    for q in wb.powers:
        body = [_table([w("col.power_kind"), w("col.basis"), w("col.section")],
                       [[escape(q.kind or ""), lines(q.basis),
                         escape(" · ".join(wb.section_names(q.section)) if q.section else "—")]])]
        for process_id in q.processes:
            proc = wb.process_by_id.get(process_id)
            if proc is None or proc.after is None:
                continue
            steps = exercising(wb, q, process_id)
            body.append(f"<h2><a href=\"p-{_slug(proc.id)}.html\">{escape(proc.name)}</a></h2>")
            if steps:
                body.append(f"<p>{escape(w('publish.power_steps', steps='、'.join(steps)))}</p>")
            body.append(_chart(f"svg/{_slug(proc.id)}.svg", proc.name))
        body.append(f"<h2>{escape(w('col.responsibilities'))}</h2><p>{lines(q.responsibilities)}</p>")
        body.append(f"<h2>{escape(w('col.accountability'))}</h2><p>{lines(q.accountability)}</p>")
        (rel / f"q-{_slug(q.id)}.html").write_text(
            _page(q.name, "".join(body), crumbs + f"<a href=\"powers.html\">{escape(w('publish.powers_title'))}</a>"),
            "utf-8")


def _write_matters(wb: Workbook, rel: Path, pages: _Pages, words: SiteWords, matters: list[MatterFigures],
                   drawn: Mapping[tuple[str, str], Path]) -> None:
    """Matters done once (一件事一次办): a page listing them, and one per matter with its parts by
    stage and department (each a link to its process), its 四减, its materials asked once, and its
    charts after and before, a lane per department."""
    if not matters:
        return
    w = words.say
    crumbs = pages.home + f"<a href=\"index.html\">{escape(w('publish.title'))}</a> › "
    rows = [[f"<a href=\"m-{_slug(f.matter.id)}.html\">{escape(f.matter.name)}</a>",
             escape(wb.department_name(f.matter.lead)),
             escape("、".join(wb.department_name(d) for d in f.departments[1:]) or "—"),
             before_after(f.stage_counts), before_after(f.four["steps"]), before_after(f.four["days"])] for f in matters]
    title = w("publish.matters_title")
    (rel / "matters.html").write_text(_page(title, _table(
        [w("matters.col.matter"), w("matters.col.lead"), w("matters.col.departments"), w("matters.col.stages"),
         w("matters.col.steps"), w("matters.col.days")], rows, {3, 4, 5}), crumbs), "utf-8")
    for f in matters:
        slug = _slug(f.matter.id)
        (rel / "bpmn" / f"m-{slug}.bpmn").write_bytes(
            matter_bpmn.write(wb, f.matter, {k: w(f"chart.{k}") for k in ("start", "end")}))
        (rel / "guide" / f"m-{slug}.docx").write_bytes(guide_docx(*words.matter_guide(wb, f, None)))
        body = [f"<p>{escape(w('publish.matter_lead', lead=wb.department_name(f.matter.lead)))} "
                f"<a href=\"bpmn/m-{slug}.bpmn\">BPMN 2.0</a> · "
                f"<a href=\"guide/m-{slug}.docx\">{escape(w('guide.download', fmt='Word'))}</a></p>"]
        for which, run in (("after", f.after), ("before", f.before)):
            if run is None:
                continue
            _place(drawn[f"m:{f.matter.id}", which], rel / "svg" / f"m-{slug}{'' if which == 'after' else '.before'}.svg")
            body.append(f"<h2>{escape(w('version.' + which))}</h2>")
            body.append(_table([w("matters.col.stage"), w("matters.col.process"), w("matters.col.department"),
                                w("matters.col.steps"), w("matters.col.days")],
                               [[str(i) if j == 0 else escape(w("matter.together")),
                                 f"<a href=\"p-{_slug(p.process)}.html\">{escape(p.name)}</a>" if p.section else escape(p.process),
                                 escape(wb.department_name(p.department)), "—" if p.steps is None else str(p.steps),
                                 "—" if p.days is None else f"{p.days:g}"]
                                for i, stage in enumerate(run.stages, 1) for j, p in enumerate(stage)], {3, 4}))
            if run.path is not None:
                said = w("matter.path" if run.promised_days is not None else "matter.path_only", path=f"{run.path:g}",
                         serial=f"{run.serial:g}", promised=run.promised_days)
                body.append(f"<p>{escape(said)}</p>")
            body.append(_chart(f"svg/m-{slug}{'' if which == 'after' else '.before'}.svg", f.matter.name))
        body.insert(1, _four_table(f.four, w))
        if f.after.materials:
            body.insert(2, f"<h3>{escape(w('publish.matter_materials'))}</h3><p>{'、'.join(escape(m) for m in f.after.materials)}</p>")
        (rel / f"m-{slug}.html").write_text(
            _page(f.matter.name, "".join(body), crumbs + f"<a href=\"matters.html\">{escape(title)}</a>"), "utf-8")


def _ignore(field: str, why: str) -> None:
    """A field a release's manifest does not keep (an older release kept fewer) is left at its default."""


def _published(entry: dict | None) -> Version | None:
    """A process as a release before published it, where its manifest kept the whole of each step
    (releases of older versions kept the names and holders only: no drawing of their changes)."""
    if entry is None or not entry["steps"] or "next" not in entry["steps"][0]:
        return None
    return Version(tuple(step_from_stored(s, _ignore) for s in entry["steps"]))


def _filed(wb: Workbook, f: FiledList, pages: _Pages, w) -> str:
    """A section's last AB filing (AB角报备) and the A/B changes it made of the one before."""
    steps = {(p.id, st.id): f"{p.name} · {st.label}" for p in wb.processes if p.after for st in p.after.steps}
    pair = lambda ab: " / ".join(pages.who(x) for x in ab if x) or "—"  # noqa: E731
    said = w("publish.filed_first" if f.first else "publish.filed", date=f.filed, by=f.by, n=len(f.changes))
    head = f"<p class=\"crumbs\">{escape(said)}</p>"
    if not f.changes:
        return head
    return head + _table([w("col.step"), w("publish.filed_was"), w("publish.filed_now")], [
        [escape(steps.get((c.process, c.step), f"{c.process} · {c.step}")), pair(c.was), pair(c.now)]
        for c in f.changes])


def _approved(approvals: Mapping[tuple[str, str], Approval]) -> dict[str, str]:
    """The approvals a release shows, as its manifest keeps them: `process/version` → when."""
    return {f"{pid}/{which}": ok.decided.isoformat() for (pid, which), ok in approvals.items()}


def _approved_since(wb: Workbook, approvals: Mapping[tuple[str, str], Approval], shown: dict[str, str] | None,
                    previous: list[int], w) -> str:
    """The release's list of the approvals the release before did not show (all, for the first)."""
    rows = sorted(((ok.decided, pid, which, ok) for (pid, which), ok in approvals.items()
                   if pid in wb.process_by_id and (shown or {}).get(f"{pid}/{which}") != ok.decided.isoformat()),
                  key=lambda r: r[0])
    title = w("publish.approved_since", release=previous[-1]) if previous else w("publish.approved_all")
    if not rows:
        return f"<h2>{escape(title)}</h2><p>{escape(w('publish.approved_none'))}</p>"
    return f"<h2>{escape(title)}</h2>" + _table([w("col.process"), w("chart.version"), w("col.approver"), w("col.decided")], [
        [f"<a href=\"p-{_slug(pid)}.html\">{escape(wb.process_by_id[pid].name)}</a>", escape(w(f"version.{which}")),
         escape(ok.approver), escape(str(ok.on))] for _, pid, which, ok in rows])


def _write_documents(wb: Workbook, rel: Path, pages: _Pages, progress: Progress, workers: int,
                     charts: Charts) -> None:
    """The live release's documents to download: each process's PDF, its before/after sheet to
    print and its 办事指南 (Word, with its chart), drawn in parallel; then each process page
    again, now linking them. Most of a first publish's time: the pages did not wait for it."""
    words = pages.words
    jobs = []
    for p in wb.processes:
        if p.after is not None:
            jobs.append((p.id, "after", "pdf", pages.after_dots[p.id]))
        if p.before is not None and p.after is not None:  # the before/after sheet to print
            jobs.append((p.id, "sheet", "pdf", words.sheet(wb, p.id)))
        if has_terms(p.after):  # a service matter: its 办事指南 shows the chart top down
            jobs.append((p.id, "guide", "png", words.guide_chart(wb, p.id)))
    matters = all_figures(wb)
    jobs += [(f"m:{f.matter.id}", which, "svg", words.matter_chart(wb, f, which))
             for f in matters for which in ("after", "before") if which == "after" or f.before is not None]
    paths = charts.get_all([(dot, fmt) for _, _, fmt, dot in jobs], workers,
                           lambda n, total: progress(Drawing("documents", values(n=n, total=total))))
    drawn = {(pid, which): path for (pid, which, _, _), path in zip(jobs, paths, strict=True)}
    for p in wb.processes:
        slug = _slug(p.id)
        if has_terms(p.after):
            _place(charts.guide(*words.guide(wb, p.id, drawn[p.id, "guide"].read_bytes())), rel / "guide" / f"{slug}.docx")
        if p.after is not None:
            _place(drawn[p.id, "after"], rel / "pdf" / f"{slug}.pdf")
            if p.before is not None:
                _place(drawn[p.id, "sheet"], rel / "sheet" / f"{slug}.pdf")
        pages.write(p, documents=True)


def _four_table(four: dict, w) -> str:
    """四减 before → after, a row per measure with its cut; measures nobody knows are left out."""
    rows = [[escape(w(f"four.{k}")), f"{b:,g}", f"{a:,g}", _pct(None if not b else (b - a) / b)]
            for k, (b, a) in four.items() if b is not None and a is not None]
    return f"<h3>{escape(w('four.title'))}</h3>" + _table(
        [w("four.measure"), w("version.before"), w("version.after"), w("col.reduction")], rows, {1, 2, 3}) if rows else ""


def _write_index(out: Path, numbers: list[int], latest: int, words: SiteWords) -> None:
    """The list of releases, newest first, replaced whole (written aside, then renamed)."""
    def published(n: int) -> str:
        try:
            return " · " + json.loads((out / f"r{n}" / "manifest.json").read_text("utf-8"))["published"][:10]
        except (OSError, ValueError, KeyError, TypeError):
            return ""
    items = "".join(f"<li><a href=\"r{n}/index.html\">{escape(words.say('publish.release', n=n))}</a>"
                    f"{escape(published(n))}{' · ' + escape(words.say('publish.latest')) if n == latest else ''}</li>"
                    for n in sorted(numbers, reverse=True))
    _keep(out / "index.html", _page(words.say("publish.releases"), f"<ul>{items}</ul>").encode("utf-8"))
