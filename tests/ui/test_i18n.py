"""Both languages say the same things: every entry of the app's words and of the findings'
catalogs has Chinese and English with the same placeholders, and every rule has a name."""
from __future__ import annotations

import string

import pytest

from flows.lint import LintFinding
from roles.engines.powers import PowerFinding
from roles.engines.rules import RULES, Finding
from ui.i18n import WORDS


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("catalog", [WORDS, Finding.CATALOG, LintFinding.CATALOG, PowerFinding.CATALOG],
                         ids=["app", "check", "lint", "powers"])
def test_each_entry_has_both_languages_with_the_same_placeholders(catalog):
    for key, (zh, en) in catalog.items():
        assert zh.strip() and en.strip(), key
        assert fields(zh) == fields(en), key


def test_every_rule_has_a_name_in_the_app():
    assert all(f"rule.{r}" in WORDS for r in RULES)


def test_every_step_kind_has_words():
    from flows.model import STEP_KINDS
    from ui.i18n import WORDS
    assert [k for k in STEP_KINDS if f"step_kind.{k}" not in WORDS] == []


def _refusals(engine, tmp_path):
    """Problems the readers report for broken and hostile files of every format."""
    import json

    from flows.errors import BadInput
    from ..conftest import load_file
    from ..roles.test_workbook_import import BASE, CASES
    files = [("wb.yaml", BASE.replace(old, new, 1)) for _, (old, new), _ in CASES]
    files += [("wb.json", '{"version": 1, "people": [{"id": "p 1", "name": "\\u0007", "section": 5}], "x": []}'),
              ("wb.json", '{"version": 1, "people": [}'), ("wb.txt", "version: 1"),
              ("wb.yaml", "version: 1\na: &a [1]\nb: *a\n"),
              ("wb.yaml", json.dumps({"version": 1, "people": [{"id": "p1", "name": "x" * 5000, "section": "s"}]}))]
    for i, (name, text) in enumerate(files):
        path = tmp_path / f"{i}-{name}"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(BadInput) as info:
            load_file(engine, path)
        yield from info.value.problems


def test_every_import_problem_is_said_in_chinese(engine, tmp_path):
    """Each problem the readers report on broken files is in the phrasebook: its sentence, its
    entry and its place all in Chinese, the user's values carried over."""
    import re

    from ui.problem_words import message_zh, place_zh, problem_text
    seen = 0
    for p in _refusals(engine, tmp_path):
        seen += 1
        assert message_zh(p.message) is not None, p.message
        for place in (p.entry, p.where or ""):
            assert not place or place_zh(place) is not None, place
        text = re.sub(r"字段 '[^']*'", "", problem_text(p, "zh"))  # the field is the file's own key
        assert not re.search(r"\b(?:must|field|line|is no|not among|the file|which|draws|person|process|step|day)\b", text), text
    assert seen >= 30
    from flows.errors import Problem
    assert problem_text(Problem("wb.yaml", "process fgw-p1, after, step s1", "line 28", "a",
                                "no person 'p009' in the workbook or the database"), "zh") == \
        "wb.yaml：流程 fgw-p1，改革后，环节 s1（第 28 行），字段 'a'：工作簿和数据库中都没有人员 'p009'"


@pytest.mark.parametrize("english,chinese", [
    ("too many failed sign-ins for h from this address: try again in 2 minute(s)", "账号 h 在此地址登录失败次数过多，请 2 分钟后再试"),
    ("too many failed sign-ins from this address (203.0.113.9): try again in 1 minute(s)", "此地址（203.0.113.9）"),
    ("s1: may not publish the processes of section bb-zh (the office, or that section's head, may)", "s1：无权发布流程"),
    ("s1: only the reform office may import a workbook", "s1：只有编办可以导入工作簿"),
    ("handover 3 was changed by someone else meanwhile (revision 4, not 3); read it again", "交接单 3 已被他人修改"),
    ("'a\u202eb' holds U+202E, which reorders or breaks the text around it: remove it", "含有 U+202E"),
])
def test_refusals_and_locks_are_said_in_chinese(english, chinese):
    from ui.problem_words import message_zh
    assert chinese in (message_zh(english) or "")
