"""Teaching exercises: a learner writes a delta formula or a backward rule; the checker says
exactly which quantity is wrong, where, and most likely why.

From the command line: ``python -m tinygrad_edu exercises list | show NAME | check NAME FILE``.
In a notebook: ``check(NAME, my_function)`` checks the object itself and shows the result as
HTML.

Examples:
    >>> from tinygrad_edu import exercises
    >>> sorted(exercises.EXERCISES)[:2]   # doctest: +SKIP
    >>> result = exercises.check("iamtrask-3layer-deltas", "my_answer.py")  # doctest: +SKIP
    >>> print(result.report())  # doctest: +SKIP
    >>> exercises.check("sigmoid-derivative", lambda out: out * (1 - out)).passed
    True
"""

from __future__ import annotations

import os
from typing import Any

from .core import Case, CheckResult, Exercise, check_values
from .i18n import Msg
from .runner import DEFAULT_TIMEOUT, run_learner

__all__ = ["EXERCISES", "Case", "CheckResult", "Exercise", "check", "graph_svg", "register",
           "write_graph"]

EXERCISES: dict[str, Exercise] = {}


def register(ex: Exercise) -> Exercise:
    """Add an exercise to the catalogue (its name must be new); returns it."""
    if ex.name in EXERCISES:
        raise ValueError(f"exercise {ex.name!r} is registered twice")
    EXERCISES[ex.name] = ex
    return ex


def get(name: str) -> Exercise:
    """The exercise called ``name``; ``KeyError`` with a hint when there is none."""
    try:
        return EXERCISES[name]
    except KeyError:
        raise KeyError(f"no exercise named {name!r}; `exercises list` shows them") from None


def check(name: str, answer: str | os.PathLike[str] | Any, timeout: float = DEFAULT_TIMEOUT
          ) -> CheckResult:
    """Check a learner's answer against exercise ``name``.

    ``answer`` is either the path of the learner's file (a ``str`` or ``os.PathLike``) or the
    answer itself, as a notebook has it: the function, the class or the ``Function``
    subclass the exercise asks for (a module holding it works too).

    A file runs in a separate process with a time limit (``timeout`` seconds); whatever it
    does (a syntax error, an exception, an infinite loop, a wrong return value) comes back
    as a clear message in ``result.error``, never as a traceback from the checker. An object
    runs here, in this process, on every case (interrupt the kernel to stop a loop that
    never ends); an exception it raises is caught per case and reported with the learner's
    own lines of the traceback, as for a file.

    The result shows itself as the text report (``print(result)``) and, in Jupyter, as HTML
    with the grid of checks and the exercise's network.
    """
    from .notebook import case_titles, check_object

    ex = get(name)
    if not isinstance(answer, str | os.PathLike):
        return check_object(ex, answer)
    if isinstance(answer, str) and "\n" in answer and not os.path.exists(answer):
        return CheckResult(ex.name, False, [], error=_SOURCE_NOT_PATH.format(entry=ex.entry))
    run = run_learner(name, answer, timeout)
    if run.error is not None:
        return CheckResult(ex.name, False, [], error=run.error)
    result = check_values(ex, run.values, run.case_errors, run.quantity_errors)
    result.case_titles = case_titles(ex)
    return result


def _graph_parts(name: str, result: CheckResult, learner: dict[str, Any] | None,
                 lang: str | None = None) -> tuple[Any, dict[str, Any]]:
    """The exercise's network for the case of the first failure (or the first case), and
    ``draw_graph``'s options: each checked tensor noted with the expected value and the
    learner's, the first wrong one highlighted."""
    ex = get(name)
    if ex.graph is None:
        raise ValueError(f"exercise {name!r} has no graph to draw")
    cases = {c.label: c for c in ex.cases()}
    f = result.failure
    case = cases[f.case] if f is not None and f.case in cases else next(iter(cases.values()))
    loss, tensors = ex.graph(case)
    expected = ex.expected(case)
    notes: dict[Any, str] = {}
    highlight = []
    status = {c["quantity"]: c["status"] for c in result.checks if c["case"] == case.label}
    for q, t in tensors.items():
        mine = None if learner is None else learner.get(case.label, {}).get(q)
        mark = "✓" if status.get(q) == "pass" else "✗"
        text = _EXPECTED.format(q=q, value=_short(expected[q], lang)).text(lang)
        if mine is not None:
            text = f"{mark} {text}\n" + _YOURS.format(value=_short(mine, lang)).text(lang)
        notes[t] = text
        if f is not None and f.quantity == q:
            highlight.append(t)
    return loss, {"notes": notes, "highlight": highlight}


_SOURCE_NOT_PATH = Msg(
    "a string is the path of your file, and this one looks like code: to check code you "
    "have just run in a notebook, pass the {entry} it defines itself (check(NAME, {entry}))",
    "字符串表示你的文件的路径，而这一个看起来是代码：要检查刚在 notebook 里运行过的代码，"
    "请直接传入它定义的 {entry}（check(NAME, {entry})）")
_EXPECTED = Msg("{q}: expected {value}", "{q}：正确值 {value}")
_YOURS = Msg("yours {value}", "你的值 {value}")
_FIRST = Msg("{shape} array, first {values}", "{shape} 数组，开头是 {values}")
_TITLE = Msg("{name}: where your values differ", "{name}：你的值在哪里不同")


def write_graph(name: str, result: CheckResult, learner: dict[str, Any] | None,
                path: str) -> str:
    """Draw the exercise's network with the learner's value beside the expected one on each
    checked tensor, the first wrong one in red. ``.html`` gives the backward stepper,
    ``.svg``/``.png`` a picture (both need Graphviz's ``dot``), anything else DOT text."""
    from ..draw import draw_graph

    loss, options = _graph_parts(name, result, learner)
    ext = os.path.splitext(path)[1].lower()
    if ext == ".html":
        from ..stepper import render_backward

        return render_backward(loss, path, title=str(_TITLE.format(name=name)), **options)
    loss.backward()
    dot = draw_graph(loss, **options)
    if ext in (".svg", ".png"):
        with open(path, "wb") as fh:
            fh.write(dot.pipe(format=ext[1:]))
    else:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(dot.source)
    return path


def graph_svg(name: str, result: CheckResult, learner: dict[str, Any] | None,
              lang: str | None = None) -> str:
    """The picture ``write_graph`` draws, as SVG text to put inside an HTML page (no XML
    prologue); needs Graphviz's ``dot`` (``graphviz.ExecutableNotFound`` without it)."""
    from ..draw import draw_graph

    loss, options = _graph_parts(name, result, learner, lang)
    loss.backward()
    svg = draw_graph(loss, **options).pipe(format="svg").decode("utf-8")
    return svg[svg.find("<svg"):] if "<svg" in svg else svg


def _short(a: Any, lang: str | None = None) -> str:
    import numpy as np

    arr = np.asarray(a, dtype=float)
    if arr.size > 8:
        first = np.array2string(arr.ravel()[:4], precision=4)
        return _FIRST.format(shape=arr.shape, values=first).text(lang)
    return np.array2string(arr, precision=4, separator=", ").replace("\n", "")


# The catalogue registers itself on import.
from . import catalogue  # noqa: E402,F401
