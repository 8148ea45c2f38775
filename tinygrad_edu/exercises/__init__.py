"""Teaching exercises: a learner writes a delta formula or a backward rule; the checker says
exactly which quantity is wrong, where, and most likely why.

From the command line: ``python -m tinygrad_edu exercises list | show NAME | check NAME FILE``.

Examples:
    >>> from tinygrad_edu import exercises
    >>> sorted(exercises.EXERCISES)[:2]   # doctest: +SKIP
    >>> result = exercises.check("iamtrask-3layer-deltas", "my_answer.py")  # doctest: +SKIP
    >>> print(result.report())  # doctest: +SKIP
"""

from __future__ import annotations

import os
from typing import Any

from .core import Case, CheckResult, Exercise, check_values
from .runner import DEFAULT_TIMEOUT, run_learner

__all__ = ["EXERCISES", "Case", "CheckResult", "Exercise", "check", "register", "write_graph"]

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


def check(name: str, path: str | os.PathLike[str], timeout: float = DEFAULT_TIMEOUT
          ) -> CheckResult:
    """Check the learner's file ``path`` against exercise ``name``.

    The file runs in a separate process with a time limit; whatever it does (a syntax error,
    an exception, an infinite loop, a wrong return value) comes back as a clear message in
    ``result.error``, never as a traceback from the checker.
    """
    ex = get(name)
    run = run_learner(name, path, timeout)
    if run.error is not None:
        return CheckResult(ex.name, False, [], error=run.error)
    return check_values(ex, run.values, run.case_errors)


def write_graph(name: str, result: CheckResult, learner: dict[str, Any] | None,
                path: str) -> str:
    """Draw the exercise's network with the learner's value beside the expected one on each
    checked tensor, the first wrong one in red. ``.html`` gives the backward stepper,
    ``.svg``/``.png`` a picture (both need Graphviz's ``dot``), anything else DOT text."""
    from ..draw import draw_graph

    ex = get(name)
    if ex.graph is None:
        raise ValueError(f"exercise {name!r} has no graph to draw")
    cases = {c.label: c for c in ex.cases()}
    f = result.failure
    case = cases[f.case] if f is not None else next(iter(cases.values()))
    loss, tensors = ex.graph(case)
    expected = ex.expected(case)
    notes: dict[Any, str] = {}
    highlight = []
    status = {c["quantity"]: c["status"] for c in result.checks if c["case"] == case.label}
    for q, t in tensors.items():
        mine = None if learner is None else learner.get(case.label, {}).get(q)
        mark = "✓" if status.get(q) == "pass" else "✗"
        text = f"{q}: expected {_short(expected[q])}"
        if mine is not None:
            text = f"{mark} {text}\nyours {_short(mine)}"
        notes[t] = text
        if f is not None and f.quantity == q:
            highlight.append(t)
    options: dict[Any, Any] = {"notes": notes, "highlight": highlight}
    ext = os.path.splitext(path)[1].lower()
    if ext == ".html":
        from ..stepper import render_backward

        return render_backward(loss, path, title=f"{name}: where your values differ", **options)
    loss.backward()
    dot = draw_graph(loss, **options)
    if ext in (".svg", ".png"):
        with open(path, "wb") as fh:
            fh.write(dot.pipe(format=ext[1:]))
    else:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(dot.source)
    return path


def _short(a: Any) -> str:
    import numpy as np

    arr = np.asarray(a, dtype=float)
    if arr.size > 8:
        return f"{arr.shape} array, first {np.array2string(arr.ravel()[:4], precision=4)}"
    return np.array2string(arr, precision=4, separator=", ").replace("\n", "")


# The catalogue registers itself on import.
from . import catalogue  # noqa: E402,F401
