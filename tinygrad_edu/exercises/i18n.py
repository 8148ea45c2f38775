"""The checker's two languages: every message is written once in English and once in Chinese.

A message is a ``Msg``: both texts side by side, formatted with the same fields, shown in the
language of the moment (``set_lang``; by default the locale's: ``zh`` when ``LANGUAGE``,
``LC_ALL``, ``LC_MESSAGES`` or ``LANG`` starts with ``zh``, else ``en``). ``str(msg)`` is the
current language's text, so a ``Msg`` can go wherever a string went.

Examples:
    >>> m = Msg("{q} has the wrong shape", "{q} 的形状不对").format(q="l1_delta")
    >>> m.text("en"), m.text("zh")
    ('l1_delta has the wrong shape', 'l1_delta 的形状不对')
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["LANGS", "Msg", "get_lang", "lang_from_env", "set_lang", "tr"]

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


def tr(message: Msg | str | None, lang: str | None = None) -> str | None:
    """The text of ``message`` in ``lang`` (a plain string is returned as it is)."""
    if message is None or isinstance(message, str):
        return message
    return message.text(lang)
