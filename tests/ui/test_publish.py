"""`abflow publish`: a static site per release, earlier releases kept, changes listed since the last."""
from __future__ import annotations

import dataclasses
import json

import pytest

from flows.bpmn import read
from roles.storage import organisation
from roles.storage import processes as process_store

from ..conftest import BIANBAN, TESTER, save_workbook, stored



def test_publish_twice_keeps_the_first_and_lists_what_changed(bianban, cli, tmp_path):
    site = tmp_path / "site"
    assert cli("publish", "--out", str(site)).exit_code == 0
    r1 = site / "r1"
    page = (r1 / "p-bb-p2.html").read_text("utf-8")
    svg = (r1 / "svg" / "bb-p2.svg").read_text("utf-8")
    assert "<svg" in svg and "审核审批" in svg and "改革前后对照" in page
    assert 'src="svg/bb-p2.svg"' in page and 'src="svg/bb-p2.before.svg"' in page and "<svg" not in page
    assert (r1 / "pdf" / "bb-p2.pdf").read_bytes().startswith(b"%PDF")
    assert (r1 / "sheet" / "bb-p2.pdf").read_bytes().startswith(b"%PDF") and "sheet/bb-p2.pdf" in page
    assert len(read((r1 / "bpmn" / "bb-p2.bpmn").read_bytes(), "p.bpmn").version.work_steps) == 4
    assert "bb-jg" in (r1 / "d-bb.html").read_text("utf-8") and "AB角表" in (r1 / "d-bb.html").read_text("utf-8")
    assert json.loads((r1 / "manifest.json").read_text("utf-8"))["release"] == 1
    root = (r1 / "index.html").read_text("utf-8")
    assert "第 1 版，" in root and "发布。1 个部门，科室 6 → 3（压减 50.0%），环节 14 → 8" in root
    dept = (r1 / "d-bb.html").read_text("utf-8")
    assert "<nav><b>科室</b>：" in dept and 'href="#bb-jg"' in dept                  # a section index
    assert 'href="d-bb.html">' in page                                           # the department in the crumbs

    # A head re-assigns a B holder; publishing again keeps release 1 and says what changed.
    wb = organisation.load(bianban)
    p = wb.process_by_id["bb-p2"]
    s4 = p.after.step("s4")
    steps = tuple(dataclasses.replace(s, b="bb08") if s.id == "s4" else s for s in p.after.steps)
    stored(bianban, process_store.save_version, "bb-p2", "after", dataclasses.replace(p.after, steps=steps), "test",
                       expected_revision=p.revisions["after"], user=TESTER)
    assert cli("publish", "--out", str(site)).exit_code == 0
    assert (r1 / "p-bb-p2.html").read_text("utf-8") == page  # the first release is kept as it was
    again = (site / "r2" / "p-bb-p2.html").read_text("utf-8")
    assert "与第 1 版相比的变化" in again and "调整AB角" in again
    assert f"{s4.id} {s4.name}" in again
    assert "无变化" in (site / "r2" / "p-bb-p1.html").read_text("utf-8")
    index = (site / "index.html").read_text("utf-8")
    assert index.index("r2/index.html") < index.index("r1/index.html")  # newest first
    assert "第 2 版</a> · 20" in index                                      # with the day each was published


def test_publishing_again_draws_only_the_charts_that_changed(bianban, tmp_path, caplog):
    """Unchanged charts are reused by the hash of their source; one re-assigned B holder redraws
    that process's charts alone; the release's files are links to the kept drawings."""
    import logging
    from roles.formats.site import publish
    from ui.charts import site_words
    site = tmp_path / "site"
    counts = []

    def published():
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="abflow.publish"):
            publish(organisation.load(bianban), site, site_words("zh"))
        line, = [r.getMessage() for r in caplog.records if "charts drawn" in r.getMessage()]
        counts.append(tuple(int(w) for w in line.replace(",", "").split() if w.isdigit()))  # drawn, reused

    published()
    published()
    wb = organisation.load(bianban)
    p = wb.process_by_id["bb-p2"]
    steps = tuple(dataclasses.replace(s, b="bb08") if s.id == "s4" else s for s in p.after.steps)
    stored(bianban, process_store.save_version, "bb-p2", "after", dataclasses.replace(p.after, steps=steps), "test",
                       expected_revision=p.revisions["after"], user=TESTER)
    published()
    total = sum(counts[0])
    assert counts[0] == (total, 0) and counts[1] == (0, total)      # first all drawn, then all reused
    assert counts[2] == (4, total - 3)   # bb-p2: after SVG and PDF, its sheet, and the drawing of its change
    assert (site / "r3" / "pdf" / "bb-p2.pdf").read_bytes() != (site / "r2" / "pdf" / "bb-p2.pdf").read_bytes()
    assert (site / "r3" / "pdf" / "bb-p1.pdf").stat().st_nlink >= 2  # a link to the kept drawing, not a copy
    kept = {f.name for f in (site / ".charts").iterdir()}
    assert len(kept) == total + 1                                     # the drawings r2 alone used are dropped


def test_a_release_left_half_written_is_skipped_and_later_publishes_work(bianban, cli, tmp_path, caplog):
    """An older version's crash left r1 without its manifest; every later publish used to fail."""
    site = tmp_path / "site"
    (site / "r1").mkdir(parents=True)
    (site / "r1" / "index.html").write_text("half", "utf-8")
    result = cli("publish", "--out", str(site))
    assert result.exit_code == 0, result.output
    assert any("r1 is an incomplete release" in r.getMessage() for r in caplog.records)
    assert json.loads((site / "r2" / "manifest.json").read_text("utf-8"))["release"] == 2
    index = (site / "index.html").read_text("utf-8")
    assert "r2/index.html" in index and "r1/index.html" not in index
    assert not [p.name for p in site.iterdir() if p.name.startswith(".r")]  # no building folder left


def test_two_publishes_at_once_do_not_interleave(bianban, cli, tmp_path):
    import fcntl
    site = tmp_path / "site"
    site.mkdir()
    with open(site / ".publish.lock", "w") as held:  # another publish is under way
        fcntl.flock(held, fcntl.LOCK_EX)
        result = cli("publish", "--out", str(site))
    assert result.exit_code == 1 and "another publish is running" in result.stderr
    assert not list(site.glob("r*")) and not list(site.glob(".r*"))
    assert cli("publish", "--out", str(site)).exit_code == 0 and (site / "r1" / "manifest.json").is_file()


def test_processes_whose_ids_look_alike_keep_their_own_files(cli, tmp_path):
    """`X-sheet` used to overwrite the before/after sheet of `X`."""
    text = BIANBAN.read_text(encoding="utf-8")
    twin = text[text.index("  - id: bb-p2\n"):text.index("  - id: bb-p3\n")].replace("id: bb-p2", "id: bb-p2-sheet")
    path = tmp_path / "twins.yaml"
    path.write_text(text.replace("  - id: bb-p3\n", twin + "  - id: bb-p3\n", 1), encoding="utf-8")
    assert cli("import", str(path)).exit_code == 0
    site = tmp_path / "site"
    done = cli("publish", "--out", str(site))
    assert done.exit_code == 0, done.output
    r1 = site / "r1"
    assert {f.name for f in (r1 / "sheet").iterdir()} >= {"bb-p2.pdf", "bb-p2-sheet.pdf"}
    assert (r1 / "p-bb-p2-sheet.html").is_file() and (r1 / "p-bb-p2.html").is_file()


def test_the_site_shows_four_cuts_and_a_guide_for_each_service_matter(engine, cli, tmp_path):
    """The demo's service matters (those with a kind, limits, materials or trips) each get a 办事指南
    in Word, linked from their page with their 四减; the root shows the city's 四减."""
    import docx
    from roles.demo import demo_workbook
    save_workbook(engine, demo_workbook(), user=TESTER)
    assert cli("publish", "--out", str(tmp_path / "site")).exit_code == 0
    rel = tmp_path / "site" / "r1"
    guides = {p.stem for p in (rel / "guide").iterdir()}
    assert "rsj-p06" in guides and "rsj-p02" not in guides  # 规范性文件审查 has no terms
    page = (rel / "p-rsj-p06.html").read_text("utf-8")
    assert "guide/rsj-p06.docx" in page and "减材料" in page
    doc = docx.Document(str(rel / "guide" / "rsj-p06.docx"))
    assert doc.paragraphs[0].text == "特殊工时制度审批 办事指南" and doc.inline_shapes
    root = (rel / "index.html").read_text("utf-8")
    assert "四减" in root and "减跑动" in root
    # The 权责清单: linked from the front page, a page per power with its basis and its charts.
    assert 'href="powers.html"' in root and "3 项权力事项" in root
    listed = (rel / "powers.html").read_text("utf-8")
    assert 'href="q-scj-q1.html"' in listed and "《中华人民共和国产品质量法》第十五条" in listed
    power = (rel / "q-scj-q1.html").read_text("utf-8")
    assert "《食品生产许可管理办法》第二条" in power and 'href="p-scj-p05.html"' in power
    assert 'src="svg/scj-p05.svg"' in power and (rel / "svg" / "scj-p05.svg").exists()
    assert "行使该事项的环节：受理并审查材料（受理责任）、现场核查（审查责任）、科长审批（决定责任）、发证（送达责任）" in power \
        and "追责情形" in power
    found = json.loads((rel / "search.json").read_text("utf-8"))
    assert {"text": "食品生产许可 · 行政许可 · 食品安全科 · 市市场监督管理局", "href": "q-scj-q1.html"} in found


def test_a_guide_is_made_again_only_when_what_it_says_changed(tmp_path, caplog):
    """A 办事指南 costs a tenth of a second: publishing the same data again links the kept one."""
    import logging
    from roles.demo import demo_workbook
    from roles.formats.site import publish
    from ui.charts import site_words
    wb, site = demo_workbook(), tmp_path / "site"
    publish(wb, site, site_words("zh"))
    with caplog.at_level(logging.INFO, logger="abflow.publish"):
        publish(wb, site, site_words("zh"))
    assert "release 2: 0 charts drawn" in caplog.text
    first, again = site / "r1" / "guide" / "rsj-p06.docx", site / "r2" / "guide" / "rsj-p06.docx"
    assert again.stat().st_nlink >= 2 and again.read_bytes() == first.read_bytes()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # the database's files are the server's
def test_publishing_onto_a_full_disk_is_a_named_refusal_that_leaves_no_half_release(bianban, db_url, tmp_path):
    """A file-size limit stands in for a full disk: writing the site fails part-way, as on a disk
    that has run out."""
    import resource
    import signal
    import subprocess
    from ..browser import ABFLOW

    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (15_000, 15_000))
    out = tmp_path / "site"
    result = subprocess.run([ABFLOW, "--db", db_url, "publish", "--out", str(out)], preexec_fn=small_files,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1 and "the site could not be written" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not [p for p in out.iterdir() if p.name.startswith(("r", ".r"))]  # no release, whole or half


def test_a_chart_names_everyone_an_edit_of_it_may_name(bianban):
    """The designer draws an edited version with its process's labels: whoever of the department
    an edit makes a holder is named on the chart, not shown by id."""
    from ui.charts import chart_labels
    wb = organisation.load(bianban)
    p = wb.process_by_id["bb-p2"]
    department = wb.department_of_section[p.section]
    everyone = {x.id for s in wb.sections_of_department[department] for x in wb.people_by_section.get(s, [])}
    labels = chart_labels(wb, "bb-p2", "after", "zh")
    assert everyone <= set(labels.person) and everyone <= set(labels.lane)
    assert labels.person["bb08"] == wb.person_by_id["bb08"].name
