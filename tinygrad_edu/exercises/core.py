"""The checker: run a learner's answer, compare each quantity in order, explain the first miss.

An ``Exercise`` names the quantities a learner computes (``l2_delta``, ``l1_error``, ...),
in the order the computation produces them. For each test case the checker compares the
learner's values with the ones the engine's autograd gives (and, where the exercise says how,
with finite differences), and reports the first quantity that differs: which element, the
learner's value, the expected one and their ratio, plus a hint recognised from the pattern
of the error (sign flipped, a factor of 2 or of the learning rate, a transposed matrix, a
derivative of the wrong variable, a gradient not summed over the batch).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..tensor import Tensor
from .result import CheckResult, Failure, use_color  # noqa: F401 (re-exported)

__all__ = ["Case", "Exercise", "Failure", "CheckResult", "compare", "diagnose"]

RTOL = 1e-6
ATOL = 1e-9

Values = dict[str, np.ndarray]


@dataclass
class Case:
    """One set of inputs for the learner's function, with a label saying what it tests."""

    label: str
    inputs: dict[str, Any]


@dataclass
class Exercise:
    """A catalogue entry.

    - ``entry``: the function (or ``Function`` subclass) the learner's file must define.
    - ``quantities``: what the learner returns, in the order the computation produces it.
    - ``cases()``: the inputs to try (random ones and edge cases), deterministic.
    - ``expected(case)``: the right values, computed with the engine's autograd.
    - ``numerical(case)``: the same from finite differences (the second oracle), for the
      quantities where that makes sense.
    - ``mistakes``: known wrong formulas (``hint -> values``), recognised by their values.
    - ``protocol`` and ``protocol_args``: how to call the learner's entry, by name
      (``protocols.py``; by default ``entry(**case.inputs)``).
    """

    name: str
    title: str
    document: str
    statement: str
    statement_zh: str
    entry: str
    starter: str
    solution: str
    quantities: tuple[str, ...]
    cases: Callable[[], list[Case]]
    expected: Callable[[Case], Values]
    numerical: Callable[[Case], Values] | None = None
    mistakes: Mapping[str, Callable[[Case], Values]] = field(default_factory=dict)
    lr: float | None = None
    find_the_bug: bool = False
    graph: Callable[[Case], tuple[Tensor, dict[str, Tensor]]] | None = None
    title_zh: str = ""
    # how the learner's entry is called, by name (exercises/protocols.py), so that the
    # learner's process needs no part of the catalogue (grading mode)
    protocol: str = "call"
    protocol_args: dict[str, Any] = field(default_factory=dict)
    # the reference computation as an editable graph, in the document's notation
    # (exercises/computation.py): the diagnosis searches single edits of it
    computation: Callable[[Case], Any] | None = None

    def call(self, entry: Any, case: Case) -> Values:
        """Run the learner's entry on one case by the exercise's protocol and name its
        results, in the learner's dtype (``protocols.run``). An answer that cannot be checked
        on this case (a wrong return value, an input changed in place) raises AnswerError,
        whose argument is the message in both languages (a ``Msg``)."""
        from . import protocols

        try:
            return protocols.run(self.protocol, self.protocol_args, entry, self.entry,
                                 self.quantities, case.inputs).values
        except protocols.AnswerError as e:
            raise AnswerError(e.message) from None


class AnswerError(Exception):
    """The learner's answer cannot be checked: the message says why, in their terms."""


def _describe(v: Any) -> str:
    if v is None:
        return "None (a missing `return`?)"
    if v is Ellipsis:
        return "still `...`, the starter's placeholder: write your formula there"
    return f"a value of type {type(v).__name__}"


def name_results(entry: str, quantities: Sequence[str], result: Any) -> Values:
    """A learner's return value as ``{quantity: float64 array}``, or a clear AnswerError."""
    if result is None:
        raise AnswerError(f"{entry} returned None: did you forget `return`? (expected "
                          f"{', '.join(quantities)})")
    if isinstance(result, Mapping):
        missing = [q for q in quantities if q not in result]
        if missing:
            raise AnswerError(f"{entry} returned a dict without {', '.join(missing)} "
                              f"(expected keys: {', '.join(quantities)})")
        values = [result[q] for q in quantities]
    elif len(quantities) == 1 and not isinstance(result, tuple):
        values = [result]
    elif isinstance(result, tuple | list):
        if len(result) != len(quantities):
            raise AnswerError(f"{entry} returned {len(result)} values; expected "
                              f"{len(quantities)}: {', '.join(quantities)}")
        values = list(result)
    else:
        raise AnswerError(f"{entry} returned {_describe(result)}; expected "
                          f"{', '.join(quantities)} (a tuple in that order, or a dict)")
    out = {}
    for q, v in zip(quantities, values, strict=True):
        data = v.data if isinstance(v, Tensor) else v
        if data is None or data is Ellipsis:
            raise AnswerError(f"{q} is {_describe(data)}")
        try:
            arr = np.asarray(data, dtype=np.float64)
        except (TypeError, ValueError):
            raise AnswerError(f"{q} is {_describe(v)}, not an array of numbers") from None
        out[q] = arr
    return out


# --------------------------------------------------------------------------- comparing


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL))


def compare(got: np.ndarray, expected: np.ndarray) -> tuple[bool, tuple[int, ...] | None]:
    """Equal within tolerance? If not, the first differing element (row-major)."""
    if got.shape != expected.shape:
        return False, None
    bad = ~np.isclose(got, expected, rtol=RTOL, atol=ATOL)
    if not bad.any():
        return True, None
    return False, tuple(int(i) for i in np.unravel_index(int(np.argmax(bad)), bad.shape))


def diagnose(got: np.ndarray, expected: np.ndarray, lr: float | None = None,
             variants: Mapping[str, np.ndarray] | None = None) -> str | None:
    """A hint from the pattern of the error, or None when nothing fits."""
    for hint, value in (variants or {}).items():
        if _close(got, np.asarray(value, dtype=np.float64)):
            return hint
    if not np.any(expected):
        return None
    if _close(got, -expected):
        return ("sign flipped: every element is -1 × the expected value (ratio -1). Check the "
                "order of a subtraction (y - out vs out - y) or a derivative written x*(x-1).")
    if _close(got, 2 * expected):
        return ("an extra factor of 2: every element is twice the expected value (the 2 of "
                "d(e²)/de where the loss has ½, or a contribution added twice?).")
    if _close(got, expected / 2):
        return "a missing factor of 2: every element is half the expected value (d(e²)/de = 2e)."
    if lr is not None and lr not in (0.0, 1.0):
        if _close(got, lr * expected):
            return f"multiplied by the learning rate ({lr}) where no learning rate belongs."
        if _close(got, expected / lr):
            return f"the learning rate ({lr}) is missing: multiply by it."
    if got.ndim >= 2 and got.shape[::-1] == expected.shape and _close(got.T, expected):
        return (f"transposed: your {got.shape} matrix is the transpose of the expected "
                f"{expected.shape} one (a weight's gradient is inputs.T @ delta, shaped "
                "like the weight).")
    if got.ndim >= 2 and got.shape == expected.shape and _close(np.swapaxes(got, -1, -2),
                                                                expected):
        return "transposed: your matrix is the transpose of the expected one."
    reduced = _sum_to_shape(got, expected.shape)
    if reduced is not None and got.shape != expected.shape:
        if _close(reduced, expected):
            return (f"not reduced: your {got.shape} array summed over its extra (batch or "
                    f"broadcast) axes gives the expected {expected.shape}: a gradient sums "
                    "the contributions of every example.")
        n = got.size // max(expected.size, 1)
        if n > 1 and _close(reduced / n, expected):
            return f"not reduced: averaging your {got.shape} array gives the expected value."
    return None


def _sum_to_shape(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray | None:
    """Sum ``a`` down to ``shape`` as broadcasting would have expanded it, if possible."""
    lead = a.ndim - len(shape)
    if lead < 0:
        return None
    if any(n != 1 and n != m for n, m in zip(shape, a.shape[lead:], strict=True)):
        return None
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1)
    return a.sum(axis=axes, keepdims=True).reshape(shape)


def check_values(ex: Exercise, results: Mapping[str, Values],
                 case_errors: Mapping[str, str] | None = None) -> CheckResult:
    """Compare the learner's results (``case label -> values``) with the oracles.

    A case whose code raised (``case_errors``) counts as failed for every quantity. Known
    mistakes recognised in later failures than the first are added as notes.
    """
    case_errors = dict(case_errors or {})
    checks: list[dict[str, Any]] = []
    failure: Failure | None = None
    notes: dict[str, str] = {}
    oracles = ("the engine's autograd", "finite differences") if ex.numerical else (
        "the engine's autograd",)
    for case in ex.cases():
        if case.label in case_errors or case.label not in results:
            case_errors.setdefault(case.label, "no result")
            checks.extend({"case": case.label, "quantity": q, "status": "error"}
                          for q in ex.quantities)
            continue
        got_all = results[case.label]
        expected = ex.expected(case)
        numerical = ex.numerical(case) if ex.numerical else {}
        variants_of_case = {hint: make(case) for hint, make in ex.mistakes.items()}
        for q in ex.quantities:
            got, exp = got_all[q], np.asarray(expected[q], dtype=np.float64)
            same, index = compare(got, exp)
            if same and q in numerical:  # the second oracle must agree as well
                same = bool(np.allclose(got, numerical[q], rtol=1e-4, atol=1e-6))
            entry: dict[str, Any] = {"case": case.label, "quantity": q,
                                     "status": "pass" if same else "fail"}
            checks.append(entry)
            if same:
                continue
            variants = {h: v[q] for h, v in variants_of_case.items() if q in v}
            hint = diagnose(got, exp, ex.lr, variants)
            if failure is None:
                failure = Failure(
                    case=case.label, quantity=q, index=index,
                    got=None if index is None else float(got[index]),
                    expected=None if index is None else float(exp[index]),
                    got_shape=tuple(got.shape), expected_shape=tuple(exp.shape), hint=hint,
                )
                entry["first_failure"] = True
            elif hint and q != failure.quantity and q not in notes and hint in variants:
                notes[q] = f"{q} (case {case.label}): {hint}"
    passed = failure is None and not case_errors
    return CheckResult(ex.name, passed, checks, failure, oracles=oracles,
                       learner=dict(results), case_errors=case_errors,
                       notes=list(notes.values()))
