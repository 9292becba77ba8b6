"""The print pack read back from its PDF with pdfminer (not our code): page sizes, text sizes on
paper, the title block on every page, and long processes wrapped onto pages that point at each
other."""
from __future__ import annotations

import io

import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTPage

from flows.errors import BadInput
from flows.model import Branch, Step, Version
from flows.printing import MIN_PT, PAPERS, Paper, Part, TitleBlock, print_chart, print_sheet, sheet_page
from flows.render import Labels

PEOPLE = {f"p{i}": name for i, name in enumerate(["张伟", "李娜", "王芳", "刘洋", "陈静"])}
LABELS = Labels(person=PEOPLE, lane={k: f"{v}（工作人员）" for k, v in PEOPLE.items()})
BLOCK = TitleBlock((("单位", "市人力资源和社会保障局"), ("科室", "综合科"), ("流程", "公文办理"),
                    ("版本", "改革后 · 第 3 次修订"), ("生效日期", "2026-12-01"), ("审核人", "张伟")),
                   page="第 {n}/{total} 页", legend=(("task", "环节"), ("approval", "审批环节"), ("holders", "主办/备岗")))


def chain(n: int) -> Version:
    """n steps in a row over five holders, a gateway sending step 10 back to step 3."""
    steps = [Step("start", kind="start", next=("s1",))]
    for i in range(1, n + 1):
        nxt = ("g1",) if i == 10 else ((f"s{i + 1}",) if i < n else ("end",))
        steps.append(Step(f"s{i}", f"办理事项第{i}步", "approval" if i % 5 == 0 else "task", next=nxt,
                          a=f"p{i % 5}", b=f"p{(i + 1) % 5}"))
        if i == 10:
            steps.append(Step("g1", "材料齐全？", "gateway", next=(f"s{i + 1}", "s3"),
                              branches=(Branch(f"s{i + 1}", "是"), Branch("s3", "否", "退回补正"))))
    steps.append(Step("end", kind="end"))
    return Version(tuple(steps))


def pages(pdf: bytes) -> list[tuple[tuple[float, float], list[LTChar], str]]:
    """Each page's size, characters and text."""
    out = []
    for page in extract_pages(io.BytesIO(pdf)):
        assert isinstance(page, LTPage)
        chars: list[LTChar] = []
        stack = [page]
        while stack:  # depth first, in reading order
            o = stack.pop()
            chars += [o] if isinstance(o, LTChar) else []
            stack += reversed(getattr(o, "_objs", None) or ())
        out.append(((page.width, page.height), chars, "".join(c.get_text() for c in chars)))
    return out


@pytest.mark.parametrize("paper", [Paper("A4", True), Paper("A4", False), Paper("A3", True)])
def test_every_page_is_the_paper_with_text_at_8_pt_or_more_and_the_title_block(paper):
    read = pages(print_chart(Part("公文办理（改革后 · 20 环节）", chain(20), LABELS), BLOCK, paper))
    assert len(read) >= 2, "twenty steps do not fit one page at 8 pt"
    for n, (size, chars, text) in enumerate(read, 1):
        assert size == pytest.approx(paper.points, abs=0.5)
        assert min(c.size for c in chars) >= MIN_PT - 0.01
        for label, value in BLOCK.fields:
            assert label in text and value.replace(" ", "") in text.replace(" ", "")
        assert f"第{n}/{len(read)}页" in text.replace(" ", "")
        assert "审批环节" in text  # the legend


def test_a_long_process_is_wrapped_in_order_every_step_once_and_the_pages_point_at_each_other():
    read = pages(print_chart(Part("公文办理", chain(20), LABELS), BLOCK, Paper("A4", True)))
    texts = [text.replace(" ", "") for _, _, text in read]
    # Each step's box on exactly one page (markers name a step on another page, with "续第"/"接第").
    boxes = {i: [p for p, text in enumerate(texts) if text.count(f"{i}.办理事项第{i}步") >
                 text.count(f"页：{i}.办理事项第{i}步")] for i in range(1, 21)}
    assert all(len(where) == 1 for where in boxes.values()), boxes
    order = [boxes[i][0] for i in range(1, 21)]
    assert order == sorted(order) and order[-1] == len(read) - 1
    # The last step of page 1 continues on page 2, and page 2 says where it came from.
    last = max(i for i in range(1, 21) if boxes[i] == [0])
    assert f"续第2页：{last + 1}.办理事项第{last + 1}步" in texts[0]
    assert f"接第1页：{last}.办理事项第{last}步" in texts[1]
    # The gateway's way back to step 3 is marked on the gateway's page, pointing at step 3's page.
    back = boxes[10][0]
    assert f"续第{boxes[3][0] + 1}页：3.办理事项第3步" in texts[back] or boxes[3] == [back]


def test_a_short_process_is_one_page_and_the_sheet_sets_both_versions_on_it():
    before = Version(tuple(Step(f"b{i}", f"旧环节{i}", next=(f"b{i + 1}",) if i < 6 else ()) for i in range(1, 7)))
    after = chain(4)
    one = pages(print_chart(Part("公文办理", after, LABELS), BLOCK, Paper("A4", True)))
    assert len(one) == 1
    sheet = pages(print_sheet([Part("改革前 · 6 个环节", before, Labels(holders=False)),
                               Part("改革后 · 4 个环节", after, LABELS)], "公文办理（改革前后对照）", BLOCK,
                              Paper("A3", True)))
    assert len(sheet) == 1
    text = sheet[0][2].replace(" ", "")
    assert "改革前·6个环节" in text and "改革后4个环节" in text and "旧环节6" in text and "4.办理事项第4步" in text


def test_the_sheet_falls_back_to_pages_per_version_rather_than_shrink():
    before = chain(12)
    read = pages(print_sheet([Part("改革前 · 12 个环节", before, LABELS), Part("改革后 · 20 个环节", chain(20), LABELS)],
                             "对照", BLOCK, Paper("A4", True)))
    assert len(read) > 2
    assert all(min(c.size for c in chars) >= MIN_PT - 0.01 for _, chars, _ in read)
    assert "改革前·12个环节" in read[0][2].replace(" ", "") and "改革后·20个环节" in read[-1][2].replace(" ", "")


def test_paper_and_fit_refusals():
    with pytest.raises(BadInput, match="B5"):
        Paper("B5")
    assert set(PAPERS) == {"A4", "A3"}
    wide = Version((Step("s1", "这是一个名字极其冗长以至于无论如何都无法在一页纸上排下的环节" * 30, a="p0", b="p1"),))
    with pytest.raises(BadInput, match="alone does not fit on A4"):
        print_chart(Part("x", wide, LABELS), BLOCK, Paper("A4", False))


@pytest.mark.parametrize("paper", [Paper("A4", True), Paper("A3", True), Paper("A4", False)])
def test_a_sixty_character_holder_and_approver_are_wrapped_not_refused(paper):
    """A holder's name of 60 characters once made every paper fail while the message advised A3."""
    long = "长" * 60
    people = {**PEOPLE, "p1": long}
    labels = Labels(person=people, lane={k: f"{v}（工作人员）" for k, v in people.items()})
    block = TitleBlock(tuple((k, long if k == "审核人" else v) for k, v in BLOCK.fields), page=BLOCK.page)
    read = pages(print_chart(Part("公文办理", chain(6), labels), block, paper))
    text = "".join(t for _, _, t in read).replace(" ", "")
    assert text.count("长") >= 60 * 3  # in the lane, in a box, in the title block: all of it
    for size, chars, _ in read:
        assert size == pytest.approx(paper.points, abs=0.5) and min(c.size for c in chars) >= MIN_PT - 0.01


def test_graphviz_escapes_in_names_are_printed_as_written():
    """Graphviz expands \\N (the node's id) and \\G even in HTML labels; a name holding them is
    printed as it is written."""
    from flows.render import render, to_dot
    v = Version((Step("s1", r"受理\N审核\G", a="p1", b="p2", next=("s2",)), Step("s2", "办结\\", a="p2", b="p1")))
    svg = render(to_dot(v, LABELS, "LR"), "svg").decode()
    assert "受理\\N审核\\G" in svg and "办结\\" in svg
    assert "受理s1" not in svg


def plain(n: int) -> Version:
    """n steps in a row with no holders: a process as it was before the reform."""
    return Version(tuple(Step(f"b{i}", f"旧环节{i}", next=(f"b{i + 1}",) if i < n else ()) for i in range(1, n + 1)))


def test_a_thirteen_step_sheet_is_one_a3_page_the_versions_one_above_the_other():
    """Thirteen steps beside eight in five lanes do not stand side by side on landscape A3 at 8 pt;
    one above the other they do: one page, not a page or two of each version."""
    read = pages(print_sheet([Part("改革前 · 13 个环节", plain(13), Labels(holders=False)),
                              Part("改革后 · 8 个环节", chain(8), LABELS)], "公文办理（改革前后对照）", BLOCK,
                             Paper("A3", True)))
    assert len(read) == 1
    size, chars, text = read[0]
    assert size == pytest.approx(Paper("A3", True).points, abs=0.5) and min(c.size for c in chars) >= MIN_PT - 0.01
    text = text.replace(" ", "")
    assert "公文办理（改革前后对照）" in text and "改革前·13个环节" in text and "改革后·8个环节" in text
    assert "旧环节13" in text and "8.办理事项第8步" in text
    assert text.index("改革前·13个环节") < text.index("改革后·8个环节")  # before above after


def test_a_sheet_that_fits_only_on_paper_turned_the_other_way():
    parts = [Part("改革前 · 16 个环节", plain(16), Labels(holders=False)), Part("改革后 · 4 个环节", chain(4), LABELS)]
    assert sheet_page(parts, "对照", Paper("A3", True)) is None
    assert sheet_page(parts, "对照", Paper("A3", False)) is not None
    assert len(pages(print_sheet(parts, "对照", BLOCK, Paper("A3", True)))) > 1
