"""The checker: run a learner's answer, compare each quantity in order, explain the first miss.

An ``Exercise`` names the quantities a learner computes (``l2_delta``, ``l1_error``, ...),
in the order the computation produces them. For each test case the checker compares the
learner's values with the ones the engine's autograd gives (and, where the exercise says how,
with finite differences), and reports the first quantity that differs: which element, the
learner's value, the expected one and their ratio, plus a hint. Every quantity of every case
is checked and scored on its own: a wrong shape fails that quantity only.

How close is "equal"
--------------------
A right answer computed in another order (a loop, ``einsum``, Python lists, float32) differs
from the reference by rounding; a wrong one (``exp`` clipped at ±30, an overflow) differs by
more, even where the values are tiny. The tolerance of each element ``i`` of a quantity is::

    tol_i = K·u·(|e_i| + c_i) + 2·u·R

- ``u`` is the machine epsilon of the LEARNER's array: 2.2e-16 for float64 (and for lists,
  ints and bools, which become float64), 1.2e-7 for float32. A float32 answer is judged at
  float32's precision; a float64 one stays strict (a relative error of 1e-5 fails, unless
  the value is itself at the round-off level of the case's largest numbers, see ``R``).
- ``e_i`` is the expected value. ``K = 32`` is the size of the computation: rounding adds
  about one ``u`` of relative error per operation on a value's path (an error bound of
  ``n·u`` for ``n`` operations), and the longest paths in the catalogue (document 003's
  partial derivatives, a backward through two layers) have fewer than 32 operations. It was
  chosen from that count, not tuned on tests.
- ``c_i`` is the element's sensitivity to rounding, measured rather than guessed: the
  reference computation is run again at float32, once on the inputs rounded to float32 and
  once on them moved one float32 step further from zero, and ``c_i = |e_i(float32) - e_i| / u32``
  is how far the element moved per unit of relative rounding (the larger of the two runs).
  Where the computation amplifies rounding (``1 - out`` with ``out`` near 1, a difference of
  nearly equal numbers, 200 steps of gradient descent) ``c_i`` is large and so is the
  tolerance; ``exp`` amplifies nothing, so an ``exp`` clipped at -30 (exp(-30) = 9.4e-14
  where exp(-40) = 4.2e-18 was expected) fails.
- ``R``, the reach of the case, is the largest magnitude among the case's inputs, its
  expected values and the ``c`` of the quantity. The learner's algorithm need not be the
  reference's: ``p - 1`` for a softmax output ``p`` near 1 loses what one rounding of ``p``
  loses, where the reference may compute the same value without that cancellation. A
  difference of numbers no larger than ``R`` is exact to about one rounding of each, hence
  the floor ``2·u·R``. It is small enough that ``exp`` clipped at -30 fails: exp(-30) =
  9.4e-14 where exp(-40) = 4.2e-18 was expected, against a floor of 2·2.2e-16·40 = 1.8e-14.
- An element the float32 run lost (its value moved by half of itself or more: an exact
  zero, a sigmoid slope that float32 rounds to 0) says nothing about its sensitivity at
  float64: its ``c`` is 0 and the floor ``2·u·R`` speaks for it (the slope 7.6e-10 of a
  sigmoid at 21, from ``out*(1 - out)``, is still judged to a relative 5e-6).

``tolerance`` computes these, ``sensitivity`` measures ``c``, ``compare`` applies them.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..tensor import Tensor
from .i18n import Msg
from .result import CheckResult, Failure, use_color  # noqa: F401 (re-exported)

__all__ = ["Case", "Exercise", "Failure", "CheckResult", "compare", "diagnose", "shape_hint",
           "sensitivity", "tolerance"]

#: Rounding steps on the path of one value (see the module docstring): the relative part
#: of the tolerance is K machine epsilons of the answer's dtype.
K = 32
#: The precision the reference is run again at to measure each element's sensitivity.
_LOW = np.float32
_U_LOW = float(np.finfo(_LOW).eps)

Values = dict[str, np.ndarray]


@dataclass
class Case:
    """One set of inputs for the learner's function, with a label saying what it tests
    (``label_zh``: the label in Chinese, when it has words to translate)."""

    label: str
    inputs: dict[str, Any]
    label_zh: str = ""

    @property
    def title(self) -> Msg:
        """The label in both languages."""
        return Msg(self.label, self.label_zh or self.label)


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
        values, errors = self.call_each(entry, case)
        if errors:
            raise AnswerError(next(iter(errors.values())))
        return values

    def call_each(self, entry: Any, case: Case) -> tuple[Values, dict[str, Any]]:
        """As ``call``, but a quantity that could not be computed (still ``...``, a step of
        the wrong shape) is left out with its reason, in the second dict, and the others are
        returned: that quantity alone fails."""
        from . import protocols

        try:
            outcome = protocols.run(self.protocol, self.protocol_args, entry, self.entry,
                                    self.quantities, case.inputs)
        except protocols.AnswerError as e:
            raise AnswerError(e.message) from None
        return outcome.values, dict(outcome.errors)


class AnswerError(Exception):
    """The learner's answer cannot be checked: ``message`` says why, in their terms (a Msg
    in both languages; ``str(error)`` is the current language's text)."""

    def __init__(self, message: Msg | str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def name_results(entry: str, quantities: Sequence[str], result: Any) -> Values:
    """A learner's return value as ``{quantity: array}``, or an AnswerError saying why not.

    The result may be a tuple or list in the order of ``quantities``, a dict, or a single
    value when there is one quantity; Tensors give their data. A float32 (or float16) array
    keeps its dtype, so that it is judged at its own precision; integers, bools and lists of
    numbers become float64. Complex and object arrays are refused with a message saying why.
    (The learner's process does this in ``protocols.name_results``; this is the same, raising
    this module's AnswerError.)
    """
    from . import protocols

    try:
        return protocols.name_results(entry, quantities, result)
    except protocols.AnswerError as e:
        raise AnswerError(e.message) from None


# --------------------------------------------------------------------------- comparing


def _eps(dtype: Any) -> float:
    """The machine epsilon an answer of ``dtype`` is judged at (float64 for non-floats)."""
    dt = np.dtype(dtype)
    return float(np.finfo(dt if dt.kind == "f" and dt.itemsize <= 8 else np.float64).eps)


@dataclass
class Sensitivity:
    """How far each element of a quantity moves per unit of relative rounding (``c``, in
    the quantity's units; 0 where the float32 run lost the element, marked in ``lost``)."""

    c: np.ndarray
    lost: np.ndarray
    reach: float = 0.0  # the largest magnitude among the case's inputs and expected values


def _lowered(value: Any, nudge: bool) -> Any:
    """``value`` at float32; with ``nudge``, every nonzero float one float32 step further
    from zero (a rounding that cannot happen to be exact)."""
    if isinstance(value, Mapping):
        return {k: _lowered(v, nudge) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_lowered(v, nudge) for v in value)
    if isinstance(value, bool | int | np.integer | np.bool_):
        return value
    if isinstance(value, float | np.floating) or (
            isinstance(value, np.ndarray) and value.dtype.kind == "f"):
        low = np.asarray(value, dtype=_LOW)
        if nudge:
            low = np.where(low == 0, low, np.nextafter(low, np.copysign(np.inf, low)))
            low = low.astype(_LOW)
        return low if isinstance(value, np.ndarray) else _LOW(low)
    return copy.deepcopy(value)


def _largest(value: Any) -> float:
    """The largest finite magnitude among the numbers in ``value`` (0 when none)."""
    if isinstance(value, Mapping):
        return max((_largest(v) for v in value.values()), default=0.0)
    if isinstance(value, list | tuple):
        return max((_largest(v) for v in value), default=0.0)
    if isinstance(value, bool | np.bool_):
        return 0.0
    try:
        arr = np.abs(np.asarray(value, dtype=np.float64))
    except (TypeError, ValueError):
        return 0.0
    finite = arr[np.isfinite(arr)]
    return float(finite.max(initial=0.0))


def sensitivity(expected: Callable[[Case], Mapping[str, Any]], case: Case,
                values: Mapping[str, Any] | None = None) -> dict[str, Sensitivity]:
    """Each quantity's sensitivity to rounding, measured by running ``expected`` at float32.

    ``values`` are the float64 expected values (computed here when not given). A quantity
    whose float32 runs all fail (an error, another shape) is missing from the result; the
    tolerance then assumes a relative conditioning of 1.
    """
    base = values if values is not None else expected(case)
    c: dict[str, np.ndarray] = {}
    lost: dict[str, np.ndarray] = {}
    for nudge in (False, True):
        low_case = Case(case.label, _lowered(case.inputs, nudge), case.label_zh)
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                low = expected(low_case)
        except Exception:  # the reference may not run at float32: no measure from it
            continue
        for q, e in base.items():
            e = np.asarray(e, dtype=np.float64)
            if q not in low:
                continue
            try:
                e_low = np.asarray(low[q], dtype=np.float64)
            except (TypeError, ValueError):
                continue
            if e_low.shape != e.shape:
                continue
            with np.errstate(all="ignore"):
                moved = np.abs(e_low - e)
                gone = ~np.isfinite(moved) | (moved >= np.abs(e) / 2)
            moved = np.where(gone, 0.0, moved) / _U_LOW
            c[q] = np.maximum(c[q], moved) if q in c else moved
            lost[q] = (lost[q] | gone) if q in lost else gone
    reach = max(_largest(case.inputs), _largest(dict(base)))
    return {q: Sensitivity(c[q], lost[q], reach) for q in c}


def tolerance(expected: np.ndarray, dtype: Any, sens: Sensitivity | None = None
              ) -> np.ndarray:
    """The largest ``|got - expected|`` accepted at each element, for an answer of ``dtype``.

    ``tol = K·u·(|e| + c) + 2·u·R`` (see the module docstring); without a measured
    sensitivity ``c = |e|`` and ``R`` is the largest ``|e|``. A non-finite expected value
    (a known mistake that overflows) gets 0: only the same inf matches it.
    """
    e = np.abs(np.asarray(expected, dtype=np.float64))
    finite = np.isfinite(e)
    e = np.where(finite, e, 0.0)
    u = _eps(dtype)
    c = sens.c if sens is not None and sens.c.shape == e.shape else e
    scale = float(max(e.max(initial=0.0), c.max(initial=0.0)))
    reach = max(scale, sens.reach if sens is not None else 0.0)
    tol = K * u * e + K * u * c + 2 * u * reach  # scaled first: e + c may overflow
    return np.where(finite, tol, 0.0)


def compare(got: np.ndarray, expected: np.ndarray, tol: np.ndarray | None = None
            ) -> tuple[bool, tuple[int, ...] | None]:
    """Equal within tolerance? If not, the first differing element (row-major).

    ``tol`` is the accepted difference per element (``tolerance``); by default the one of
    the answer's dtype without a measured sensitivity. A shape mismatch has no element.
    """
    got = np.asarray(got)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        return False, None
    if tol is None:
        tol = tolerance(expected, got.dtype)
    with np.errstate(all="ignore"):
        wide = got.astype(np.float64)
        # nan is never equal; inf only to the same inf (tol is 0 there)
        bad = ~((np.abs(wide - expected) <= tol) & np.isfinite(wide - expected)
                | (wide == expected))
    if not bad.any():
        return True, None
    return False, tuple(int(i) for i in np.unravel_index(int(np.argmax(bad)), bad.shape))


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and compare(a, b)[0]


# --------------------------------------------------------------------------- hints

_SIGN = Msg("sign flipped: every element is -1 × the expected value (ratio -1). Check the "
            "order of a subtraction (y - out vs out - y) or a derivative written x*(x-1).",
            "符号反了：每个元素都是正确值的 -1 倍（比值 -1）。检查减法的顺序（y - out 还是 "
            "out - y），或者导数是不是写成了 x*(x-1)。")
_TWICE = Msg("an extra factor of 2: every element is twice the expected value (the 2 of "
             "d(e²)/de where the loss has ½, or a contribution added twice?).",
             "多了一个因子 2：每个元素都是正确值的两倍（损失里带着 ½，却又乘了 d(e²)/de 的 2？"
             "还是同一份贡献加了两次？）。")
_HALF = Msg("a missing factor of 2: every element is half the expected value (d(e²)/de = 2e).",
            "少了一个因子 2：每个元素都是正确值的一半（d(e²)/de = 2e）。")
_LR_TIMES = Msg("multiplied by the learning rate ({lr}) where no learning rate belongs.",
                "在不该有学习率的地方乘了学习率（{lr}）。")
_LR_MISSING = Msg("the learning rate ({lr}) is missing: multiply by it.",
                  "少了学习率（{lr}）：要乘上它。")
_TRANSPOSED = Msg("transposed: your {got} matrix is the transpose of the expected {expected} "
                  "one (a weight's gradient is inputs.T @ delta, shaped like the weight).",
                  "转置了：你的 {got} 矩阵是正确的 {expected} 矩阵的转置（权重的梯度是 "
                  "inputs.T @ delta，形状和权重相同）。")
_TRANSPOSED_SQUARE = Msg("transposed: your matrix is the transpose of the expected one.",
                         "转置了：你的矩阵是正确矩阵的转置。")
_NOT_REDUCED = Msg("not reduced: your {got} array summed over its extra (batch or broadcast) "
                   "axes gives the expected {expected}: a gradient sums the contributions of "
                   "every example.",
                   "没有求和：把你的 {got} 数组在多出来的轴（批次轴或广播轴）上求和，就得到正确的 "
                   "{expected}：梯度要把每个样本的贡献加起来。")
_AVERAGED = Msg("not reduced: averaging your {got} array gives the expected value.",
                "没有归约：把你的 {got} 数组取平均，就得到正确的值。")
_KEEPDIMS = Msg("the right numbers in the wrong shape: yours {got} and the expected "
                "{expected} differ only by axes of length 1 (keepdims=True, [:, None], or a "
                "reshape too many or too few).",
                "数值都对，只是形状不对：你的 {got} 和正确的 {expected} 只差长度为 1 的轴"
                "（keepdims=True、[:, None]，或者多做或少做了一次 reshape）。")
_KEEPDIMS_SHAPE = Msg("your shape {got} differs from the expected {expected} only by axes of "
                      "length 1 (keepdims=True, or [:, None]?); the values differ as well.",
                      "你的形状 {got} 和正确的 {expected} 只差长度为 1 的轴（keepdims=True，"
                      "或 [:, None]？）；数值也不对。")
_TRANSPOSED_SHAPE = Msg("your shape {got} is the transpose of the expected {expected}: check "
                        "the order of the product's operands (a weight's gradient is "
                        "inputs.T @ delta, shaped like the weight); transposed back, the values "
                        "still differ.",
                        "你的形状 {got} 是正确形状 {expected} 的转置：检查乘积中两个操作数的"
                        "顺序（权重的梯度是 inputs.T @ delta，形状和权重相同）；转置回来之后，"
                        "数值仍然不对。")
_UNREDUCED_SHAPE = Msg("your {got} array has axes that the expected {expected} does not (the "
                       "batch?): a gradient of a weight or a bias sums the contributions of "
                       "every example over them; summed, your values still differ.",
                       "你的 {got} 数组比正确的 {expected} 多出了轴（批次轴？）：权重或偏置的"
                       "梯度要在这些轴上把每个样本的贡献加起来；但求和之后，你的数值仍然不对。")


def diagnose(got: np.ndarray, expected: np.ndarray, lr: float | None = None,
             variants: Mapping[str, np.ndarray] | None = None) -> Msg | str | None:
    """A hint from the pattern of the error, or None when nothing fits.

    ``variants`` are an exercise's known mistakes (``hint -> values``), tried first; their
    hints are returned as the exercise wrote them.
    """
    for hint, value in (variants or {}).items():
        if _close(got, np.asarray(value, dtype=np.float64)):
            return hint
    if not np.any(expected):
        return None
    if _close(got, -expected):
        return _SIGN
    if _close(got, 2 * expected):
        return _TWICE
    if _close(got, expected / 2):
        return _HALF
    if lr is not None and lr not in (0.0, 1.0):
        if _close(got, lr * expected):
            return _LR_TIMES.format(lr=lr)
        if _close(got, expected / lr):
            return _LR_MISSING.format(lr=lr)
    if got.ndim >= 2 and got.shape[::-1] == expected.shape and _close(got.T, expected):
        return _TRANSPOSED.format(got=got.shape, expected=expected.shape)
    if got.ndim >= 2 and got.shape == expected.shape and _close(np.swapaxes(got, -1, -2),
                                                                expected):
        return _TRANSPOSED_SQUARE
    reduced = _sum_to_shape(got, expected.shape)
    if reduced is not None and got.shape != expected.shape:
        if _close(reduced, expected):
            return _NOT_REDUCED.format(got=got.shape, expected=expected.shape)
        n = got.size // max(expected.size, 1)
        if n > 1 and _close(reduced / n, expected):
            return _AVERAGED.format(got=got.shape)
    return None


def shape_hint(got: np.ndarray, expected: np.ndarray) -> Msg | None:
    """Why the shape may be wrong (the fallback when no other hint explains the answer):
    transposed, not reduced over the batch, or axes of length 1 kept or dropped."""
    if got.shape == expected.shape:
        return None
    shapes = {"got": got.shape, "expected": expected.shape}
    if got.ndim >= 2 and got.shape[::-1] == expected.shape:  # (1, 4) for (4, 1) too
        if _close(got.T, expected):
            return _TRANSPOSED.format(**shapes)
        return _TRANSPOSED_SHAPE.format(**shapes)
    if got.size == expected.size and got.squeeze().shape == expected.squeeze().shape:
        if _close(got.reshape(expected.shape), expected):
            return _KEEPDIMS.format(**shapes)
        return _KEEPDIMS_SHAPE.format(**shapes)
    reduced = _sum_to_shape(got, expected.shape)
    if reduced is not None:
        if _close(reduced, expected):
            return _NOT_REDUCED.format(**shapes)
        return _UNREDUCED_SHAPE.format(**shapes)
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


# --------------------------------------------------------------------------- checking

_NO_VALUE = Msg("no value for {q} in this case", "这个用例没有得到 {q} 的值")
_NOTE = Msg("{q} (case {case}): ", "{q}（用例 {case}）：")
_ORACLES = ("the engine's autograd", "finite differences")  # result.py words them in both
#: The finite differences' own error (the second oracle is approximate): relative and absolute.
_FD_RTOL, _FD_ATOL = 1e-4, 1e-6


_NOT_FINITE = Msg(
    "your {q} has {what} at element {index} where the expected value, {expected:.6g}, is "
    "finite: a value overflowed on the way (exp of a large number, a division by a sum that "
    "became 0?); rewrite the formula so that no intermediate grows past about 1e308, e.g. "
    "subtract the maximum before exp",
    "你的 {q} 在元素 {index} 处是 {what}，而正确值 {expected:.6g} 是有限的：计算途中某个值溢出了"
    "（对很大的数取 exp，或除以一个变成 0 的和？）；请改写公式，让中间值都不超过约 1e308，"
    "例如先减去最大值再取 exp")


def _not_finite_hint(q: str, got: np.ndarray, exp: np.ndarray) -> Msg | None:
    """A hint for an answer with nan or inf where the expected value is finite (an overflow),
    named at the first such element; None when there is none."""
    with np.errstate(all="ignore"):
        bad = ~np.isfinite(got) & np.isfinite(exp)
    if not bad.any():
        return None
    i = tuple(int(k) for k in np.unravel_index(int(np.argmax(bad)), bad.shape))
    value = float(got[i])
    what = "nan" if np.isnan(value) else ("inf" if value > 0 else "-inf")
    return _NOT_FINITE.format(q=q, what=what, index=list(i), expected=float(exp[i]))


def check_values(ex: Exercise, results: Mapping[str, Values],
                 case_errors: Mapping[str, Any] | None = None,
                 quantity_errors: Mapping[str, Mapping[str, Any]] | None = None
                 ) -> CheckResult:
    """Compare the learner's results (``case label -> values``) with the oracles.

    Every quantity of every case is checked and scored on its own: a wrong shape, or a
    quantity missing from a case, fails that quantity only (``quantity_errors``, ``case
    label -> {quantity: message}``, says why one is missing: a bug-004 step whose shape
    cannot be subtracted from its weight has no loss curve). A case whose code raised
    (``case_errors``) counts as an error for every quantity. The first failure (in the order
    of the cases, then of the quantities) is reported; later failures carry their own hint
    in their check, and known mistakes recognised there are added as notes.
    """
    case_errors = dict(case_errors or {})
    checks: list[dict[str, Any]] = []
    failure: Failure | None = None
    notes: dict[str, Msg | str] = {}
    oracles = _ORACLES if ex.numerical else _ORACLES[:1]
    for case in ex.cases():
        if case.label in case_errors or case.label not in results:
            case_errors.setdefault(case.label, Msg("no result", "没有结果"))
            checks.extend({"case": case.label, "quantity": q, "status": "error"}
                          for q in ex.quantities)
            continue
        got_all = results[case.label]
        # Cases reach overflow and saturation on purpose (|x| up to 1000, sigmoids that
        # round to 0 or 1): NumPy's warnings there are expected, not news for the learner.
        with np.errstate(all="ignore"):
            expected = ex.expected(case)
            numerical = ex.numerical(case) if ex.numerical else {}
            variants_of_case = {hint: make(case) for hint, make in ex.mistakes.items()}
        sens = sensitivity(ex.expected, case, expected)
        for q in ex.quantities:
            exp = np.asarray(expected[q], dtype=np.float64)
            entry: dict[str, Any] = {"case": case.label, "quantity": q}
            checks.append(entry)
            if q not in got_all:
                why = (quantity_errors or {}).get(case.label, {}).get(q) or _NO_VALUE.format(q=q)
                entry.update(status="fail", hint=why)
                if failure is None:
                    # no value, so no shape to compare: the hint says why it is missing
                    failure = Failure(case=case.label, quantity=q, index=None, got=None,
                                      expected=None, got_shape=tuple(exp.shape),
                                      expected_shape=tuple(exp.shape), hint=why)
                    entry["first_failure"] = True
                continue
            got = np.asarray(got_all[q])
            tol = tolerance(exp, got.dtype, sens.get(q)) if got.shape == exp.shape else None
            same, index = compare(got, exp, tol)
            if same and q in numerical:  # the second oracle must agree as well
                num = np.asarray(numerical[q], dtype=np.float64)
                with np.errstate(all="ignore"):
                    same = num.shape == got.shape and bool(np.all(
                        np.abs(got - num) <= np.asarray(tol) + _FD_RTOL * np.abs(num) + _FD_ATOL))
            entry["status"] = "pass" if same else "fail"
            if same:
                continue
            variants = {h: v[q] for h, v in variants_of_case.items() if q in v}
            if ex.computation is not None:  # the edit of the computation that explains it
                from .diagnosis import explain
                hint = explain(ex, results, q, case.label, variants)
            else:
                hint = diagnose(got, exp, ex.lr, variants)
            if hint is None and got.shape != exp.shape:
                hint = shape_hint(got, exp)
            if hint is None and got.shape == exp.shape:
                hint = _not_finite_hint(q, got, exp)
            if got.shape != exp.shape:
                entry.update(got_shape=tuple(got.shape), expected_shape=tuple(exp.shape))
            if hint is not None:
                entry["hint"] = hint
            if failure is None:
                failure = Failure(
                    case=case.label, quantity=q, index=index,
                    got=None if index is None else float(got[index]),
                    expected=None if index is None else float(exp[index]),
                    got_shape=tuple(got.shape), expected_shape=tuple(exp.shape), hint=hint,
                )
                entry["first_failure"] = True
            elif hint and q != failure.quantity and q not in notes and hint in variants:
                notes[q] = _NOTE.format(q=q, case=case.label) + hint
    passed = failure is None and not case_errors
    return CheckResult(ex.name, passed, checks, failure, oracles=oracles,
                       learner=dict(results), case_errors=case_errors,
                       notes=list(notes.values()))
