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
