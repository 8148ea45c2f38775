"""The checker's two languages: every message is written once in English and once in Chinese.

A message is a ``Msg``: both texts side by side, formatted with the same fields, shown in the
language of the moment (``set_lang``; by default the locale's: ``zh`` when ``LANGUAGE``,
``LC_ALL``, ``LC_MESSAGES`` or ``LANG`` starts with ``zh``, else ``en``). ``str(msg)`` is the
current language's text, so a ``Msg`` can go wherever a string went. ``and_list`` joins
names as each language does (``a, b and c``, ``a、b 和 c``), so no message needs a plural.

Examples:
    >>> m = Msg("{q} has the wrong shape", "{q} 的形状不对").format(q="l1_delta")
    >>> m.text("en"), m.text("zh")
    ('l1_delta has the wrong shape', 'l1_delta 的形状不对')
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["LANGS", "Msg", "and_list", "get_lang", "lang_from_env", "set_lang", "tr"]

LANGS = ("en", "zh")

_lang: str | None = None  # None: follow the environment


def lang_from_env(environ: Mapping[str, str] | None = None) -> str:
    """``zh`` when the locale asks for Chinese, else ``en`` (the first variable set decides)."""
    env = os.environ if environ is None else environ
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def get_lang() -> str:
    """The language messages are shown in now."""
    return _lang if _lang is not None else lang_from_env()


def set_lang(lang: str | None) -> None:
    """Show messages in ``lang`` (``"en"`` or ``"zh"``); ``None`` follows the locale again."""
    global _lang
    if lang is not None and lang not in LANGS:
        raise ValueError(f"set_lang: language must be one of {', '.join(LANGS)} (or None), "
                         f"got {lang!r}")
    _lang = lang


@dataclass(frozen=True)
class Msg:
    """One message in both languages. ``format`` fills both; ``str`` gives the current one."""

    en: str
    zh: str

    def text(self, lang: str | None = None) -> str:
        return self.zh if (lang or get_lang()) == "zh" else self.en

    def format(self, **fields: Any) -> Msg:
        """Both texts with ``fields`` filled in; a field that is a Msg is filled per language."""
        en = {k: v.en if isinstance(v, Msg) else v for k, v in fields.items()}
        zh = {k: v.zh if isinstance(v, Msg) else v for k, v in fields.items()}
        return Msg(self.en.format(**en), self.zh.format(**zh))

    def __add__(self, other: Msg | str) -> Msg:
        if isinstance(other, Msg):
            return Msg(self.en + other.en, self.zh + other.zh)
        return Msg(self.en + other, self.zh + other)

    def __str__(self) -> str:
        return self.text()

    # Read like the string it replaces (``"syntax error" in result.error``,
    # ``hint.lower()``, ``error.splitlines()``), in the current language: code written when
    # these were strings keeps working. Equality stays a Msg's own (both texts); any other
    # string operation goes through ``str(msg)``.
    def __contains__(self, part: str) -> bool:
        return part in self.text()

    def __len__(self) -> int:
        return len(self.text())

    def __bool__(self) -> bool:  # not the current language's emptiness: either text counts
        return bool(self.en or self.zh)

    def lower(self) -> str:
        return self.text().lower()

    def splitlines(self, keepends: bool = False) -> list[str]:
        return self.text().splitlines(keepends)

    def startswith(self, prefix: str | tuple[str, ...]) -> bool:
        return self.text().startswith(prefix)

    def endswith(self, suffix: str | tuple[str, ...]) -> bool:
        return self.text().endswith(suffix)

    @staticmethod
    def of(message: Msg | str) -> Msg:
        """``message`` as a Msg: a plain string (a learner's error, a number) is the same in
        both languages."""
        return message if isinstance(message, Msg) else Msg(message, message)


def tr(message: Msg | str | None, lang: str | None = None) -> str | None:
    """The text of ``message`` in ``lang`` (a plain string is returned as it is)."""
    if message is None or isinstance(message, str):
        return message
    return message.text(lang)


def and_list(items: Sequence[Msg | str]) -> Msg:
    """The items as one phrase: ``a, b and c`` in English, ``a、b 和 c`` in Chinese.

    >>> and_list(["l1_delta", "syn0_update", "syn1_update"]).text("zh")
    'l1_delta、syn0_update 和 syn1_update'
    """
    parts = [Msg.of(item) for item in items]
    if not parts:
        return Msg("", "")
    if len(parts) == 1:
        return parts[0]
    en = ", ".join(p.en for p in parts[:-1]) + " and " + parts[-1].en
    zh = _zh_join("、".join(p.zh for p in parts[:-1]), "和", parts[-1].zh)
    return Msg(en, zh)


def _zh_join(left: str, word: str, right: str) -> str:
    """``left word right`` with a space only beside Latin letters and digits, as Chinese
    typesetting has it: ``l1_delta 和 l1_error`` but ``自动求导和有限差分``."""
    def space(ch: str) -> str:
        return " " if ch and ord(ch) < 0x2E80 and not ch.isspace() else ""

    return left + space(left[-1:]) + word + space(right[:1]) + right
