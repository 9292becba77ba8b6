"""Findings in the reader's language. A finding keeps a message key and its values; the catalog of
the module that made it holds the words, Chinese and English. `message` is the English text,
stable for scripts (`--json`); `text(lang)` is what people read (Chinese first in the app and CLI).
Domain modules own their words, so the engines stay free of the UI and still speak Chinese."""
from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar


class Worded:
    """Mixin for a frozen dataclass with `key: str` and `params: tuple[tuple[str, object], ...]`."""

    CATALOG: ClassVar[dict[str, tuple[str, str]]] = {}
    key: str
    params: tuple[tuple[str, object], ...]

    def text(self, lang: str = "en") -> str:
        """A value named `x_zh` stands in for `x` in Chinese (a post, a kind: words, not names)."""
        zh, en = self.CATALOG[self.key]
        given = dict(self.params)
        if lang == "zh":
            return zh.format(**given | {k[:-3]: v for k, v in given.items() if k.endswith("_zh")})
        return en.format(**given)

    @property
    def message(self) -> str:
        return self.text("en")

    def as_json(self) -> dict:
        """Its fields for `--json`, with the English message in place of the key and values."""
        return {k: v for k, v in self.__dict__.items() if k not in ("key", "params")} | {"message": self.message}


class Stage(Worded):
    """A stage of a long piece of work, for progress shown in the terminal or the app. Subclasses
    are frozen dataclasses of `key` and `params` with a CATALOG; `str()` gives the English."""

    def __str__(self) -> str:
        return self.message


#: Where a long piece of work reports its stages (the CLI's spinner, the app's progress bar).
Progress = Callable[[Stage], None]


def before_after(pair) -> str:
    """`before → after` of a figure, — where it is unknown."""
    return " → ".join("—" if x is None else f"{x:g}" for x in pair)


def values(**kw) -> tuple[tuple[str, object], ...]:
    """A finding's values, hashable so the finding can stay frozen."""
    return tuple(kw.items())
