"""What a check found, and how it is shown: text for a terminal, HTML for a notebook, JSON for
programs.

``CheckResult`` holds every check's status, the first failure (a ``Failure``) and the notes;
``report`` renders it for a person (in the language of ``i18n.get_lang``), ``_repr_html_``
for Jupyter, ``to_json`` for a program (an editor, a grading script).

The report says each thing once: cases whose code raised the same error share one message,
a hint that explains several quantities is written once, and a long message (a traceback
thousands of lines deep) is cut to a few lines of at most ``MAX_LINE`` characters.
"""

from __future__ import annotations

import dataclasses
import html
import json
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .i18n import Msg, and_list, get_lang, tr

__all__ = ["MAX_LINE", "MAX_LINES", "CheckResult", "Failure", "cut_text", "use_color"]

Values = dict[str, np.ndarray]

MAX_LINE = 400  # characters in one line of a report
MAX_LINES = 8  # lines of one message (a traceback) in a report
MAX_NOTES = 8  # "also:" lines in a report (the JSON has them all)

# ----------------------------------------------------------------------------- the words

M = {
    "PASSED": Msg("PASSED", "通过"),
    "FAILED": Msg("FAILED", "未通过"),
    "header": Msg("{name}: {verdict} ({n_pass}/{n} checks, against {oracles})",
                  "{name}：{verdict}（{n} 项检查中 {n_pass} 项通过，对照{oracles}）"),
    "case_row": Msg("  case {case}: ", "  用例 {case}："),
    "file_error": Msg("✗ {name}: your file could not be checked",
                      "✗ {name}：无法检查你的文件"),
    "case_error": Msg("Case {cases} could not be checked: ", "用例 {cases} 无法检查："),
    "cases_error": Msg("Cases {cases} could not be checked: ", "用例 {cases} 都无法检查："),
    "first": Msg("First wrong quantity: {q}", "第一个出错的量：{q}"),
    "first_where": Msg(" (case {case}; the quantities before it are right)",
                       "（用例 {case}；在它之前的量都是对的）"),
    "shape": Msg("  shape: yours {got}, expected {expected}",
                 "  形状：你的是 {got}，应为 {expected}"),
    "element": Msg("element {index}", "元素 {index}"),
    "value": Msg("value", "数值"),
    "values": Msg("  {where}: yours {got}, expected {expected}",
                  "  {where}：你的值 {got}，正确值 {expected}"),
    "ratio": Msg(", ratio {ratio}", "，比值 {ratio}"),
    "hint": Msg("  hint: ", "  提示："),
    "also": Msg("  also: ", "  另外："),
    "in_case": Msg(" (case {case})", "（用例 {case}）"),
    "note_shape": Msg("yours has shape {got}, expected {expected}",
                      "你的形状是 {got}，应为 {expected}"),
    "colon": Msg(": ", "："),
    "consequence": Msg("{quantities} {verb} wrong through the same mistake (computed from "
                       "your {first})",
                       "{quantities} 也因同一个错误而出错（它们由你的 {first} 算出）"),
    "all_right": Msg("  every quantity matches on every case.", "  每个用例的每个量都对。"),
    "numbers_differ": Msg("(as case {case} says it; the other cases differ only in the numbers)",
                           "（这是用例 {case} 的报错，其他用例只是数字不同）"),
    "more_notes": Msg("{n} more wrong quantities with their own hint (all of them are in "
                      "the JSON's also)",
                      "还有 {n} 个出错的量各有提示（JSON 的 also 里列出了全部）"),
    "repeated": Msg(" (the same line {n} times)", "（同一行重复了 {n} 次）"),
    "skipped": Msg("  … {n} lines left out …", "  …… 省略了 {n} 行 ……"),
    # the notebook display
    "case": Msg("case", "用例"),
    "yours": Msg("yours", "你的值"),
    "expected": Msg("expected", "正确值"),
    "ratio_head": Msg("ratio", "比值"),
    "where_head": Msg("where", "位置"),
    "shape_head": Msg("shape", "形状"),
    "graph": Msg("The network, with your values beside the expected ones",
                 "网络图：每个检查的张量上并列着你的值和正确值"),
    "legend": Msg("✓ right · ✗ wrong · ! your code raised an error · – not checked",
                  "✓ 正确 · ✗ 错误 · ! 你的代码出错 · – 未检查"),
}

# The oracles core.py names, in both languages (a name not listed is shown as it is).
ORACLES = {
    "the engine's autograd": Msg("the engine's autograd", "引擎的自动求导"),
    "autograd": Msg("autograd", "自动求导"),
    "finite differences": Msg("finite differences", "有限差分"),
}

_NUMBER = re.compile(r"[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?")

SYMBOLS = {"pass": "✓", "fail": "✗", "error": "!"}


# ----------------------------------------------------------------------------- cutting


def cut_line(line: str, limit: int = MAX_LINE) -> str:
    """``line`` cut to ``limit`` characters, ending in … when cut."""
    return line if len(line) <= limit else line[:limit - 1] + "…"


def cut_text(text: str, max_lines: int = MAX_LINES, limit: int = MAX_LINE,
             lang: str | None = None) -> str:
    """A message short enough to read: runs of the same line (a recursion's frames) become
    one line with their count, then at most ``max_lines`` lines are kept (the first ones and
    the last two, where the error itself is), each at most ``limit`` characters."""
    runs: list[list[Any]] = []
    for line in text.splitlines():
        if runs and runs[-1][0] == line:
            runs[-1][1] += 1
        else:
            runs.append([line, 1])
    lines = [ln if n == 1 else ln + M["repeated"].format(n=n).text(lang) for ln, n in runs]
    if len(lines) > max_lines:
        head, tail = lines[:max(max_lines - 3, 1)], lines[-2:]
        left_out = len(lines) - len(head) - len(tail)
        lines = [*head, M["skipped"].format(n=left_out).text(lang), *tail]
    return "\n".join(cut_line(ln, limit) for ln in lines)


# ----------------------------------------------------------------------------- results


@dataclass
class Failure:
    """The first wrong quantity: where, what, and why we think so.

    ``hint`` is the explanation (a ``Msg`` in both languages, or a plain string);
    ``diagnosis`` the structured finding behind it, when the diagnosis made one (the edit of
    the computation that reproduces the learner's values)."""

    case: str
    quantity: str
    index: tuple[int, ...] | None
    got: float | None
    expected: float | None
    got_shape: tuple[int, ...]
    expected_shape: tuple[int, ...]
    hint: Msg | str | None
    diagnosis: dict[str, Any] | None = None

    @property
    def ratio(self) -> float | None:
        """``got / expected`` at the first differing element (None without one, or for 0)."""
        if self.got is None or self.expected is None or self.expected == 0:
            return None
        return self.got / self.expected + 0.0  # + 0.0: no "-0"


def _explanation(item: Mapping[str, Any] | Failure) -> Msg | str | None:
    """The hint of a failed check (a dict of ``checks``) or of a Failure: its ``hint``, else
    the ``hint`` (or ``message``) of its ``diagnosis``; None when there is none."""
    get = item.get if isinstance(item, Mapping) else lambda key: getattr(item, key, None)
    hint = get("hint")
    if isinstance(hint, Msg | str) and str(hint):
        return hint
    diagnosis = get("diagnosis")
    if isinstance(diagnosis, Msg | str) and str(diagnosis):
        return diagnosis
    for key in ("hint", "message"):
        value = (diagnosis.get(key) if isinstance(diagnosis, Mapping)
                 else getattr(diagnosis, key, None))
        if isinstance(value, Msg | str) and str(value):
            return value
    return None


def _text(message: Any, lang: str | None) -> str:
    """A message (a Msg, a str, or anything a caller stored) as text in ``lang``."""
    if message is None:
        return ""
    return message.text(lang) if isinstance(message, Msg) else str(message)


def _shape_text(shape: Any) -> str:
    return str(tuple(shape))


def _number(x: float | None) -> str:
    return "—" if x is None else f"{x:.10g}"


def _diagnosis_of(item: Mapping[str, Any] | Failure) -> Any:
    """The structured finding behind a hint: the item's own ``diagnosis``, or the one its
    hint carries (the diagnosis gives its hints a ``diagnosis`` attribute)."""
    get = item.get if isinstance(item, Mapping) else lambda key: getattr(item, key, None)
    found = get("diagnosis")
    return found if found is not None else getattr(get("hint"), "diagnosis", None)


def _edit_key(item: Mapping[str, Any] | Failure) -> tuple[Any, ...] | None:
    """The single edit a diagnosis found (its kind, where, and what it put there), or None:
    two quantities with the same key are wrong through one mistake."""
    d = _diagnosis_of(item)
    if not isinstance(d, Mapping) or d.get("kind") is None:
        return None
    return (str(d.get("kind")), str(d.get("site")), str(d.get("replacement")))


def _jsonable(value: Any, lang: str) -> Any:
    """``value`` with every Msg in ``lang`` and every NumPy value a plain number or list."""
    if isinstance(value, Msg):
        return value.text(lang)
    if isinstance(value, Mapping):
        out = {str(k): _jsonable(v, lang) for k, v in value.items()}
        if "diagnosis" not in out and getattr(value.get("hint"), "diagnosis", None) is not None:
            out["diagnosis"] = _jsonable(value["hint"].diagnosis, lang)
        return out
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _jsonable({f.name: getattr(value, f.name) for f in dataclasses.fields(value)},
                         lang)
    if isinstance(value, list | tuple):
        return [_jsonable(v, lang) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist(), lang)
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


@dataclass(repr=False)
class CheckResult:
    """What ``check`` found: pass/fail, a score, every check's status, the first failure.

    ``str(result)`` and ``repr(result)`` are the text report; in Jupyter the result shows
    itself as HTML (``_repr_html_``): the verdict, the grid of cases and quantities, the
    first wrong quantity with its hint, and the exercise's network with the learner's values.
    """

    exercise: str
    passed: bool
    checks: list[dict[str, Any]]
    failure: Failure | None = None
    error: Msg | str | None = None
    oracles: tuple[Msg | str, ...] = ("autograd",)
    learner: dict[str, Values] | None = field(default=None, repr=False)  # case -> values
    # case -> what its code raised (a Msg or a str)
    case_errors: dict[str, Any] = field(default_factory=dict)
    notes: list[Msg | str] = field(default_factory=list)  # mistakes recognised after the first
    # case label -> the label in both languages (a Msg), for the reports; a label not here is
    # shown as it is
    case_titles: dict[str, Msg] = field(default_factory=dict)

    @property
    def score(self) -> float:
        """The fraction of the checks that pass (a case whose code raised scores 0 for each of
        its quantities, as in grade mode: an answer that fails is never scored 1)."""
        if not self.checks:
            return 0.0
        return sum(c["status"] == "pass" for c in self.checks) / len(self.checks)

    # ------------------------------------------------------------------ what to say, once

    def _title(self, label: Any, lang: str | None) -> str:
        title = self.case_titles.get(str(label))
        return str(label) if title is None else title.text(lang)

    def _titles(self, labels: list[str], lang: str | None) -> Msg:
        return and_list([self.case_titles.get(label, label) for label in labels])

    def error_groups(self, lang: str | None = None) -> list[tuple[list[str], str]]:
        """The cases whose code raised, grouped by the message (each message once, cut),
        in the order of the cases: ``[(labels, message), ...]``.

        Messages that differ only in their numbers (an index out of bounds for a size that
        depends on the case) share a group; it shows the first case's message, saying so."""
        groups: dict[str, list[tuple[str, str]]] = {}
        for label, message in self.case_errors.items():
            text = cut_text(_text(message, lang), lang=lang)
            groups.setdefault(_NUMBER.sub("#", text), []).append((label, text))
        out = []
        for members in groups.values():
            labels = [label for label, _ in members]
            text = members[0][1]
            if len({t for _, t in members}) > 1:
                which = M["numbers_differ"].format(case=self._title(labels[0], lang))
                text = which.text(lang) + "\n" + text
            out.append((labels, text))
        return out

    def later_notes(self, lang: str | None = None) -> list[str]:
        """What is known about the wrong quantities after the first, each thing once: the
        hints of later failed checks (and their shapes, when wrong), grouped when several
        quantities share one, then the notes; a hint the first failure already gave is not
        repeated."""
        f = self.failure
        first_hint = tr(_explanation(f), lang) if f is not None else None
        given = {t for t in (_text(n, lang) for n in self.notes) if t}
        bodies: dict[str, list[tuple[str, str]]] = {}
        seen: set[tuple[str, str]] = set()  # (quantity, body without its numbers)
        first_edit = _edit_key(f) if f is not None else None
        consequences: list[str] = []  # later quantities the first failure's edit explains
        for c in self.checks:
            if c.get("status") != "fail" or c.get("first_failure"):
                continue
            if f is not None and c.get("quantity") == f.quantity and c.get("case") == f.case:
                continue
            if f is not None and first_edit is not None and _edit_key(c) == first_edit:
                if c["quantity"] != f.quantity and c["quantity"] not in consequences:
                    consequences.append(str(c["quantity"]))
                continue
            hint = tr(_explanation(c), lang)
            got, exp = c.get("got_shape"), c.get("expected_shape")
            shapes = None if got is None or exp is None else (tuple(got), tuple(exp))
            wrong_shape = shapes is not None and shapes[0] != shapes[1]
            if wrong_shape and f is not None and c.get("quantity") == f.quantity and (
                    shapes == (tuple(f.got_shape), tuple(f.expected_shape))):
                wrong_shape = False  # the first failure's lines already say it
            if hint is not None and (hint == first_hint or any(hint in g for g in given)):
                hint = None
            if hint is None and not wrong_shape:
                continue
            parts = []
            if wrong_shape:
                parts.append(M["note_shape"].format(got=_shape_text(got),
                                                    expected=_shape_text(exp)).text(lang))
            if hint is not None:
                parts.append(hint)
            body = M["colon"].text(lang).join(parts)
            key = (str(c["quantity"]), _NUMBER.sub("#", body))
            if key in seen:  # the same quantity, the same words for another case's numbers
                continue
            seen.add(key)
            bodies.setdefault(body, []).append((str(c["quantity"]), str(c["case"])))
        lines = []
        if consequences and f is not None:  # one line, not the same explanation once each
            verb = "is" if len(consequences) == 1 else "are"
            lines.append(M["consequence"].format(quantities=and_list(consequences), verb=verb,
                                                 first=f.quantity).text(lang))
        for body, where in bodies.items():
            cases = {case for _, case in where}
            if len(cases) == 1:
                who = and_list([q for q, _ in where]) + M["in_case"].format(
                    case=self._title(where[0][1], lang))
            else:
                who = and_list([Msg.of(q) + M["in_case"].format(case=self._title(case, lang))
                                for q, case in where])
            lines.append((who + M["colon"]).text(lang) + body)
        lines.extend(dict.fromkeys(t for t in (_text(n, lang) for n in self.notes) if t))
        return [cut_line(ln) for ln in lines]

    def _header(self, lang: str | None, verdict: str) -> str:
        n_pass = sum(c["status"] == "pass" for c in self.checks)
        oracles = and_list([ORACLES.get(o, o) if isinstance(o, str) else o
                            for o in self.oracles])
        return M["header"].format(name=self.exercise, verdict=verdict, n_pass=n_pass,
                                  n=len(self.checks), oracles=oracles).text(lang)

    def _grid(self) -> tuple[list[str], list[str], dict[tuple[str, str], str]]:
        cases = list(dict.fromkeys(str(c["case"]) for c in self.checks))
        quantities = list(dict.fromkeys(str(c["quantity"]) for c in self.checks))
        status = {(str(c["case"]), str(c["quantity"])): str(c["status"]) for c in self.checks}
        return cases, quantities, status

    # ------------------------------------------------------------------ text

    def report(self, color: bool = False, lang: str | None = None) -> str:
        """The human-readable report (ANSI colours when ``color``), in ``lang`` (by default
        the current language, ``i18n.get_lang()``)."""
        lang = lang or get_lang()

        def paint(text: str, code: str) -> str:
            return f"\033[{code}m{text}\033[0m" if color else text

        ok, bad, dim, warm = "32", "31;1", "2", "33;1"
        lines = []
        if self.error is not None:
            lines.append(paint(M["file_error"].format(name=self.exercise).text(lang),
                               bad))
            lines.extend("  " + ln for ln in cut_text(_text(self.error, lang),
                                                      lang=lang).splitlines())
            return self._finish(lines, color)
        verdict = paint(M["PASSED"].text(lang), ok) if self.passed else paint(
            M["FAILED"].text(lang), bad)
        lines.append(self._header(lang, verdict))
        cases, quantities, status = self._grid()
        for case in cases:
            marks = []
            for q in quantities:
                s = status.get((case, q))
                if s is None:
                    continue
                sym = SYMBOLS.get(s, "·")
                marks.append(f"{paint(sym, ok if s == 'pass' else bad)} {q}")
            lines.append(M["case_row"].format(case=self._title(case, lang)).text(lang)
                         + "  ".join(marks))
        for labels, message in self.error_groups(lang):
            lines.append("")
            heading = M["case_error" if len(labels) == 1 else "cases_error"]
            lines.append(paint(heading.format(cases=self._titles(labels, lang)).text(lang), bad)
                         + message.replace("\n", "\n  "))
        f = self.failure
        if f is not None:
            lines.append("")
            lines.append(paint(M["first"].format(q=f.quantity).text(lang), bad)
                         + M["first_where"].format(case=self._title(f.case, lang)).text(lang))
            if tuple(f.got_shape) != tuple(f.expected_shape):
                lines.append(M["shape"].format(got=_shape_text(f.got_shape),
                                               expected=_shape_text(f.expected_shape)
                                               ).text(lang))
            if f.index is not None:
                where = (M["element"].format(index=list(f.index)) if f.index
                         else M["value"]).text(lang)
                ratio = "" if f.ratio is None else M["ratio"].format(
                    ratio=f"{f.ratio:.6g}").text(lang)
                lines.append(M["values"].format(where=where, got=_number(f.got),
                                                expected=_number(f.expected)).text(lang)
                             + ratio)
            hint = tr(_explanation(f), lang)
            if hint:
                lines.append(paint(M["hint"].text(lang), warm) + hint)
        for note in _capped(self.later_notes(lang), lang):
            lines.append(paint(M["also"].text(lang), warm) + note)
        if self.passed:
            lines.append(paint(M["all_right"].text(lang), dim))
        return self._finish(lines, color)

    @staticmethod
    def _finish(lines: list[str], color: bool) -> str:
        out = []
        for text in "\n".join(lines).splitlines():
            cut = cut_line(text)
            out.append(cut + "\033[0m" if color and cut != text else cut)
        return "\n".join(out)

    def __str__(self) -> str:
        return self.report()

    def __repr__(self) -> str:
        return self.report()

    # ------------------------------------------------------------------ JSON

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """The result as plain data, every message in ``lang`` (the JSON's content)."""
        lang = lang or get_lang()
        f = self.failure
        failure = None
        if f is not None:
            failure = {
                "case": f.case, "quantity": f.quantity,
                "index": None if f.index is None else list(f.index),
                "got": f.got, "expected": f.expected, "ratio": f.ratio,
                "got_shape": list(f.got_shape), "expected_shape": list(f.expected_shape),
                "hint": tr(_explanation(f), lang),
            }
            diagnosis = _diagnosis_of(f)
            if diagnosis is not None:
                failure["diagnosis"] = _jsonable(diagnosis, lang)
        error = None if self.error is None else _text(self.error, lang)
        return {
            "exercise": self.exercise,
            "lang": lang,
            "passed": self.passed,
            "score": round(self.score, 4),
            "error": None if error is None else cut_text(error, lang=lang),
            "case_errors": {label: cut_text(_text(m, lang), lang=lang)
                            for label, m in self.case_errors.items()},
            "case_error_groups": [{"cases": labels, "message": message}
                                  for labels, message in self.error_groups(lang)],
            "notes": [_text(n, lang) for n in self.notes],
            "also": self.later_notes(lang),
            "checks": _jsonable(self.checks, lang),
            "case_titles": {label: self._title(label, lang) for label in dict.fromkeys(
                [*(str(c["case"]) for c in self.checks), *self.case_errors])},
            "failure": failure,
            "oracles": [tr(ORACLES.get(o, o) if isinstance(o, str) else o, lang)
                        for o in self.oracles],
        }

    def to_json(self, lang: str | None = None) -> str:
        """The result as JSON text (see ``to_dict``); Chinese stays readable (UTF-8)."""
        return json.dumps(self.to_dict(lang), indent=2, ensure_ascii=False)

    # ------------------------------------------------------------------ HTML (Jupyter)

    def _repr_html_(self) -> str:
        return self.html()

    def html(self, lang: str | None = None, graph: bool = True) -> str:
        """The result as an HTML fragment (what Jupyter shows); with ``graph``, the
        exercise's network as inline SVG when it has one and Graphviz's ``dot`` is there."""
        lang = lang or get_lang()
        e = html.escape
        green, red, amber = "#1a7f37", "#cf222e", "#9a6700"
        parts = [f'<div class="tinygrad-edu-check" lang="{lang}" style="font-family: '
                 'sans-serif; line-height: 1.4">']
        if self.error is not None:
            heading = M["file_error"].format(name=self.exercise).text(lang)
            parts.append(f'<p style="color: {red}; font-weight: bold">{e(heading)}</p>')
            parts.append(f"<pre>{e(cut_text(_text(self.error, lang), lang=lang))}</pre>")
            parts.append("</div>")
            return "\n".join(parts)
        verdict = M["PASSED" if self.passed else "FAILED"].text(lang)
        color = green if self.passed else red
        head, _, rest = self._header(lang, "\x00").partition("\x00")
        parts.append(f"<p>{e(head)}<b style=\"color: {color}\">{e(verdict)}</b>{e(rest)}</p>")
        cases, quantities, status = self._grid()
        f = self.failure
        cell = "padding: 2px 8px; border: 1px solid #d0d7de"
        rows = ['<table style="border-collapse: collapse">',
                f'<thead><tr><th style="{cell}; text-align: left">{e(M["case"].text(lang))}'
                "</th>" + "".join(f'<th style="{cell}"><code>{e(q)}</code></th>'
                                  for q in quantities) + "</tr></thead>", "<tbody>"]
        for case in cases:
            row = [f'<td style="{cell}">{e(self._title(case, lang))}</td>']
            for q in quantities:
                s = status.get((case, q))
                sym = SYMBOLS.get(s or "", "–")
                style = f"{cell}; text-align: center; color: " + (
                    green if s == "pass" else red if s in ("fail", "error") else "#57606a")
                if f is not None and (f.case, f.quantity) == (case, q):
                    style += "; background: #ffebe9; font-weight: bold"
                row.append(f'<td style="{style}" title="{e(str(s))}">{sym}</td>')
            rows.append("<tr>" + "".join(row) + "</tr>")
        rows.append("</tbody></table>")
        parts.extend(rows)
        parts.append(f'<p style="color: #57606a; font-size: smaller">'
                     f'{e(M["legend"].text(lang))}</p>')
        for labels, message in self.error_groups(lang):
            heading = M["case_error" if len(labels) == 1 else "cases_error"].format(
                cases=self._titles(labels, lang)).text(lang)
            parts.append(f'<p style="color: {red}">{e(heading)}</p><pre>{e(message)}</pre>')
        if f is not None:
            first = M["first"].format(q=f.quantity).text(lang)
            where = M["first_where"].format(case=self._title(f.case, lang)).text(lang)
            parts.append(f'<p><b style="color: {red}">{e(first)}</b>{e(where)}</p>')
            detail = ['<table style="border-collapse: collapse"><tr>'
                      + "".join(f'<th style="{cell}">{e(M[k].text(lang))}</th>'
                                for k in ("where_head", "yours", "expected", "ratio_head"))
                      + "</tr>"]
            if tuple(f.got_shape) != tuple(f.expected_shape):
                detail.append(f'<tr><td style="{cell}">{e(M["shape_head"].text(lang))}'
                              f'</td><td style="{cell}">{e(_shape_text(f.got_shape))}</td>'
                              f'<td style="{cell}">{e(_shape_text(f.expected_shape))}</td>'
                              f'<td style="{cell}"></td></tr>')
            if f.index is not None:
                where = (M["element"].format(index=list(f.index)) if f.index
                         else M["value"]).text(lang)
                ratio = "" if f.ratio is None else f"{f.ratio:.6g}"
                detail.append(f'<tr><td style="{cell}">{e(where)}</td>'
                              f'<td style="{cell}">{e(_number(f.got))}</td>'
                              f'<td style="{cell}">{e(_number(f.expected))}</td>'
                              f'<td style="{cell}">{e(ratio)}</td></tr>')
            detail.append("</table>")
            if len(detail) > 2:
                parts.extend(detail)
            hint = tr(_explanation(f), lang)
            if hint:
                parts.append(f'<p><b style="color: {amber}">{e(M["hint"].text(lang).strip())}'
                             f"</b> {e(hint)}</p>")
        notes = _capped(self.later_notes(lang), lang)
        if notes:
            parts.append(f'<p style="margin-bottom: 0"><b style="color: {amber}">'
                         f'{e(M["also"].text(lang).strip())}</b></p><ul style="margin-top: 0">'
                         + "".join(f"<li>{e(n)}</li>" for n in notes) + "</ul>")
        if self.passed:
            parts.append(f'<p style="color: {green}">{e(M["all_right"].text(lang).strip())}'
                         "</p>")
        svg = self._graph_svg(lang) if graph else None
        if svg:
            parts.append(f"<details open><summary>{e(M['graph'].text(lang))}</summary>"
                         f'<div style="max-width: 100%; overflow: auto">{svg}</div></details>')
        parts.append("</div>")
        return "\n".join(parts)

    def _graph_svg(self, lang: str) -> str | None:
        """The exercise's network with the learner's values as SVG text, or None (no such
        exercise or network, no learner's values, or no Graphviz ``dot``)."""
        if self.learner is None:
            return None
        from . import graph_svg  # the catalogue's registry: imported when shown, not before

        try:
            return graph_svg(self.exercise, self, self.learner, lang=lang)
        except Exception:  # a missing `dot`, an exercise built outside the catalogue, ...
            return None


def _capped(notes: list[str], lang: str | None) -> list[str]:
    """At most MAX_NOTES notes, then how many more the JSON's ``also`` has."""
    if len(notes) <= MAX_NOTES:
        return notes
    return [*notes[:MAX_NOTES - 1],
            M["more_notes"].format(n=len(notes) - MAX_NOTES + 1).text(lang)]


def use_color(stream: Any = None) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set."""
    stream = stream or sys.stdout
    return hasattr(stream, "isatty") and stream.isatty() and "NO_COLOR" not in os.environ
