"""Checking an answer that lives in this process: a function, a class or a ``Function``
subclass defined in a notebook cell (``check("sigmoid-derivative", my_fn)``).

The answer runs on every case through ``Exercise.call``, as the child process runs a file's
entry; what it raises is caught per case and reported with the learner's own lines of the
traceback (the frames outside this package, NumPy and the standard library). The values then
go through the same ``check_values`` as a file's, so the result, its report and its HTML are
the same.
"""

from __future__ import annotations

import os
import sysconfig
import traceback
import types
import warnings
from typing import Any

import numpy as np

from .core import AnswerError, CheckResult, Exercise, check_values
from .i18n import Msg

__all__ = ["case_titles", "check_object", "learner_lines"]

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # tinygrad_edu/
# where the frames that are not the learner's live: this package, the standard library and
# the installed packages (NumPy), so a traceback keeps the learner's cells and modules
_NOT_THE_LEARNERS = tuple(dict.fromkeys(
    os.path.abspath(p) for p in (
        _PACKAGE, *(sysconfig.get_paths().get(k) for k in ("stdlib", "platstdlib", "purelib",
                                                             "platlib")))
    if p))

RAISED = Msg("your code raised an error:\n", "你的代码出错了：\n")
NOT_AN_ANSWER = Msg(
    "check({name!r}, ...): the answer must be the path of your file, or the {entry} you "
    "wrote (a function or a class); got {got}",
    "check({name!r}, ...)：答案应当是你的文件的路径，或者你写的 {entry}（一个函数或类）；"
    "收到的是 {got}")
NO_ENTRY = Msg(
    "check({name!r}, ...): the module {module} does not define {entry}",
    "check({name!r}, ...)：模块 {module} 里没有定义 {entry}")


def _is_learners(filename: str) -> bool:
    path = os.path.abspath(filename)
    return not any(path == root or path.startswith(root + os.sep)
                   for root in _NOT_THE_LEARNERS)


def learner_lines(exc: BaseException) -> str:
    """The traceback lines in the learner's code (a notebook cell, their own module), then
    the error itself: ``line 2, in slope: return out * (1 - out[9])``."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if _is_learners(f.filename)]
    lines = [f"  line {f.lineno}, in {f.name}" + (f": {f.line.strip()}" if f.line else "")
             for f in frames]
    return "\n".join([*lines, f"{type(exc).__name__}: {exc}"])


def _entry_of(ex: Exercise, answer: Any) -> Any:
    """The object to call: ``answer`` itself, or the entry a module defines."""
    if isinstance(answer, types.ModuleType):
        entry = getattr(answer, ex.entry, None)
        if entry is None:
            raise AttributeError(str(NO_ENTRY.format(name=ex.name, module=answer.__name__,
                                                     entry=ex.entry)))
        return entry
    if not callable(answer):
        raise TypeError(str(NOT_AN_ANSWER.format(name=ex.name, entry=ex.entry,
                                                 got=f"{type(answer).__name__} {answer!r:.80}")))
    return answer


def check_object(ex: Exercise, answer: Any) -> CheckResult:
    """Run ``answer`` (the learner's function, class or ``Function`` subclass, or a module
    defining it) on every case of ``ex`` in this process and compare its values.

    ``TypeError`` when ``answer`` is neither callable nor a module; an error raised by the
    learner's code is the error of that case, the other cases are still checked.
    """
    entry = _entry_of(ex, answer)
    values: dict[str, dict[str, np.ndarray]] = {}
    errors: dict[str, Msg | str] = {}
    quantity_errors: dict[str, dict[str, Any]] = {}
    for case in ex.cases():
        try:
            # NumPy's overflow warnings from the saturation cases are not shown, as a file's
            # are not: the values themselves are judged
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                values[case.label], quantity_errors[case.label] = ex.call_each(entry, case)
        except AnswerError as e:
            errors[case.label] = e.args[0] if e.args and isinstance(e.args[0], Msg) else str(e)
        except (Exception, SystemExit) as e:  # not KeyboardInterrupt: that is the learner's
            errors[case.label] = RAISED + learner_lines(e)
    result = check_values(ex, values, {label: str(m) for label, m in errors.items()},
                          quantity_errors)
    result.case_errors.update(errors)  # the messages in both languages, whatever core kept
    result.case_titles = case_titles(ex)
    return result


def case_titles(ex: Exercise) -> dict[str, Msg]:
    """Each case's label in both languages (``Case.label_zh`` where the catalogue gives
    one), for the reports."""
    return {c.label: Msg(c.label, getattr(c, "label_zh", "") or c.label) for c in ex.cases()}
