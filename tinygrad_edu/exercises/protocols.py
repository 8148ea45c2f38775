"""How a learner's entry is called, by name: the part of an exercise that runs in the
learner's process.

An exercise names its protocol (``Exercise.protocol``) and the protocol's parameters
(``Exercise.protocol_args``, plain JSON); ``run(protocol, args, entry, entry_name,
quantities, inputs)`` calls the learner's entry on one case's inputs and returns the named
quantities (``{quantity: array}``, in the learner's own dtype). Nothing here knows an expected
value or a solution, so the learner's process needs this module and the engine, never the
catalogue (the grader copies this file alone next to the engine).

Every protocol hands the learner a copy of the inputs and compares it afterwards with a
private one: an answer that changes its inputs in place (or, for a ``Function``, the
``grad_output`` it received, or its own forward output) fails the case with that named,
because the caller's values are corrupted. An answer that works in place on copies it made
itself is not affected.

The protocols:

- ``call``: ``entry(**inputs)``. ``in_place_ok``: inputs the document's own code updates in
  place (``weights[j] -= ...``), which the answer may change.
- ``function``: ``entry`` is a ``Function`` subclass, run inside the engine:
  ``entry.apply(*tensors)``, then ``backward(grad)``; the quantities are ``forward`` and
  ``grad_<input>`` for each of ``inputs``.
- ``raw-backward``: as ``function``, but the gradients are what ``entry.backward`` returns,
  before the engine would reduce a broadcast shape or refuse a wrong one.
- ``class-partials``: ``entry`` is a class; an instance gets the ``params`` input as
  attributes, then ``instance.<method>(*args)`` gives the quantities.
- ``step-and-curve``: ``entry(*args)`` gives one training step's quantities; the step is
  then repeated from the case's weights (``w -= w_step``) and the loss recorded after each of
  ``curve_at`` steps (quantity ``curve``). A step of the wrong shape fails the curve only.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..tensor import Tensor
from .i18n import Msg

__all__ = ["PROTOCOLS", "AnswerError", "Outcome", "name_each", "name_results", "run"]

Values = dict[str, np.ndarray]


class AnswerError(Exception):
    """The learner's answer cannot be checked on this case; ``message`` says why (a Msg)."""

    def __init__(self, message: Msg) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass
class Outcome:
    """What a protocol got from the learner's entry on one case: the values, and for a
    quantity that could not be computed (a step of the wrong shape), why (``errors``)."""

    values: Values
    errors: dict[str, Msg] = field(default_factory=dict)


# ----------------------------------------------------------------------------- naming

_NONE = Msg("None (a missing `return`?)", "None（是不是漏了 `return`？）")
_ELLIPSIS = Msg("still `...`, the starter's placeholder: write your formula there",
                "还是起始文件里的占位符 `...`：请在那里写出你的公式")
_TYPE = Msg("a value of type {t}", "一个 {t} 类型的值")


def _describe(v: Any) -> Msg:
    if v is None:
        return _NONE
    if v is Ellipsis:
        return _ELLIPSIS
    return _TYPE.format(t=type(v).__name__)


_QUANTITY_IS = Msg("{q} is {what}", "{q} 是{what}")
_NOT_NUMBERS = Msg("{q} is {what}, not an array of numbers", "{q} 是{what}，不是一个数值数组")
_RAGGED = Msg("{q} cannot be made into one array of numbers: its rows have different lengths "
              "or hold other things than numbers ({what}). Return one NumPy array "
              "(np.array(...), or a Tensor's .data)",
              "{q} 无法变成一个数值数组：它的各行长度不同，或者装了数以外的东西（{what}）。"
              "请返回一个 NumPy 数组（np.array(...)，或 Tensor 的 .data）")
_OBJECTS = Msg("{q} is an array of Python objects, not of numbers (a list of Tensors, or of "
               "arrays of different lengths?). Return one NumPy array (np.array(...) of "
               "numbers, or a Tensor's .data)",
               "{q} 是由 Python 对象组成的数组，而不是数值数组（列表里装的是 Tensor，或者是长度"
               "不同的数组？）。请返回一个 NumPy 数组（由数组成的 np.array(...)，或 Tensor 的 "
               ".data）")
_COMPLEX = Msg("{q} is complex ({dtype}): every quantity here is real, so an imaginary part "
               "means a step went wrong (np.sqrt or np.log of a negative number, or a "
               "fractional power of one?); taking .real would only hide it",
               "{q} 是复数（{dtype}）：这里的每个量都是实数，出现虚部说明某一步出了错（对负数"
               "做了 np.sqrt、np.log 或分数次幂？）；取 .real 只会把问题藏起来")


def _as_array(q: str, v: Any) -> np.ndarray:
    """One returned quantity as an array of the learner's float dtype (float16, float32
    and float64 kept; integers, bools and lists of Python numbers become float64)."""
    data = v.data if isinstance(v, Tensor) else v
    if data is None or data is Ellipsis:
        raise AnswerError(_QUANTITY_IS.format(q=q, what=_describe(data)))
    try:
        arr = np.asarray(data)
    except (TypeError, ValueError) as e:  # NumPy refuses a ragged list
        raise AnswerError(_RAGGED.format(q=q, what=str(e).split(".")[0])) from None
    if arr.dtype.kind == "c":
        raise AnswerError(_COMPLEX.format(q=q, dtype=arr.dtype.name))
    if arr.dtype.kind == "O":
        raise AnswerError(_OBJECTS.format(q=q))
    if arr.dtype.kind in "biu":
        return arr.astype(np.float64)
    if arr.dtype.kind == "f":
        # longdouble has no tolerance of its own here: judged as float64
        return arr if arr.dtype.itemsize <= 8 else arr.astype(np.float64)
    raise AnswerError(_NOT_NUMBERS.format(q=q, what=_describe(v)))



def name_each(entry: str, quantities: Sequence[str], result: Any) -> Outcome:
    """As ``name_results``, but a quantity that is no array of numbers (still ``...``, None,
    a string) fails that quantity only: the others are checked, so a learner who has written
    the first gradients of a long backward pass already hears about them."""
    values: Values = {}
    errors: dict[str, Msg] = {}
    for q, v in _returned(entry, quantities, result).items():
        try:
            values[q] = _as_array(q, v)
        except AnswerError as e:
            errors[q] = e.message
    return Outcome(values, errors)


def name_results(entry: str, quantities: Sequence[str], result: Any) -> Values:
    """A learner's return value as ``{quantity: array}``, or an AnswerError saying why not.

    A tuple or list in the order of ``quantities``, a dict with those keys, or a single value
    when there is one quantity; Tensors give their data. Float arrays keep their dtype;
    integers and lists of numbers become float64.
    """
    return {q: _as_array(q, v) for q, v in _returned(entry, quantities, result).items()}


def _returned(entry: str, quantities: Sequence[str], result: Any) -> dict[str, Any]:
    """The learner's return value split into its quantities, or an AnswerError saying why
    it cannot be (None, a wrong count, a dict without a key)."""
    names = ", ".join(quantities)
    if result is None:
        raise AnswerError(Msg("{entry} returned None: did you forget `return`? (expected "
                              "{names})",
                              "{entry} 返回了 None：是不是忘了写 `return`？（应返回 {names}）"
                              ).format(entry=entry, names=names))
    if isinstance(result, Mapping):
        missing = [q for q in quantities if q not in result]
        if missing:
            raise AnswerError(Msg("{entry} returned a dict without {missing} (expected keys: "
                                  "{names})",
                                  "{entry} 返回的 dict 里没有 {missing}（应有的键：{names}）"
                                  ).format(entry=entry, missing=", ".join(missing), names=names))
        values = [result[q] for q in quantities]
    elif len(quantities) == 1 and not isinstance(result, tuple):
        values = [result]
    elif isinstance(result, tuple | list):
        if len(result) != len(quantities):
            raise AnswerError(Msg("{entry} returned {n} values; expected {m}: {names}",
                                  "{entry} 返回了 {n} 个值；应返回 {m} 个：{names}").format(
                entry=entry, n=len(result), m=len(quantities), names=names))
        values = list(result)
    else:
        raise AnswerError(Msg("{entry} returned {what}; expected {names} (a tuple in that "
                              "order, or a dict)",
                              "{entry} 返回了{what}；应按顺序返回 {names}（一个 tuple，或一个 "
                              "dict）").format(entry=entry, what=_describe(result), names=names))
    return dict(zip(quantities, values, strict=True))


# ----------------------------------------------------------------------------- in place

_IN_PLACE = Msg(
    "your code changed its input `{name}` in place ({name} -= ..., {name} *= ... or "
    "{name}[...] = ...): the caller's values are corrupted; work on a copy "
    "({name} = {name} - ..., or {name} = {name}.copy() first)",
    "你的代码原地修改了输入 `{name}`（{name} -= ...、{name} *= ... 或 {name}[...] = ...）"
    "：调用者手里的值被改坏了；请在副本上计算（写成 {name} = {name} - ...，"
    "或先 {name} = {name}.copy()）")
_IN_PLACE_OUT = Msg(
    "your backward changed the forward's output in place (out *= ... on the saved output): "
    "the value the caller holds is corrupted; compute into a new array "
    "(slope = 1 - out * out)",
    "你的 backward 原地修改了 forward 的输出（对保存下来的输出做 out *= ...）："
    "调用者手里的值被改坏了；请把结果算进一个新数组（slope = 1 - out * out）")
def _changed(before: Any, after: Any) -> bool:
    """Whether ``after`` differs from the private copy ``before`` (nan equal to nan)."""
    if isinstance(before, np.ndarray):
        a = np.asarray(after.data if isinstance(after, Tensor) else after)
        if a.shape != before.shape:
            return True
        if before.dtype.kind in "fc" and a.dtype.kind in "fc":
            return not bool(np.all((before == a) | np.isnan(before) & np.isnan(a)))
        return not bool(np.all(before == a))
    if isinstance(before, list | tuple | dict):
        if type(after) is not type(before) or len(after) != len(before):
            return True
        if isinstance(before, dict):
            return set(before) != set(after) or any(_changed(before[k], after[k])
                                                    for k in before)
        return any(_changed(b, a) for b, a in zip(before, after, strict=True))
    if isinstance(before, float) and before != before:
        return not (isinstance(after, float) and after != after)
    try:
        return bool(before != after)  # a number replaced inside a list or a dict
    except (TypeError, ValueError):
        return True


def _check_inputs(originals: Mapping[str, Any], working: Mapping[str, Any],
                  allowed: Sequence[str] = ()) -> None:
    for name, before in originals.items():
        if name in allowed:
            continue
        if _changed(before, working[name]):
            raise AnswerError(_IN_PLACE.format(name=name))


def _copies(inputs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A private copy of the inputs to compare with, and the copy the learner gets."""
    return copy.deepcopy(dict(inputs)), copy.deepcopy(dict(inputs))


# ----------------------------------------------------------------------------- protocols


@dataclass
class Call:
    """One call of a protocol: the learner's entry, its name, the quantities, the inputs."""

    entry: Any
    entry_name: str
    quantities: tuple[str, ...]
    inputs: Mapping[str, Any]
    args: Mapping[str, Any]


def _call(c: Call) -> Outcome:
    originals, working = _copies(c.inputs)
    result = c.entry(**working)
    outcome = name_each(c.entry_name, c.quantities, result)
    _check_inputs(originals, working, c.args.get("in_place_ok", ()))
    return outcome


def _function_class(c: Call) -> Any:
    if not (isinstance(c.entry, type) and hasattr(c.entry, "apply")
            and hasattr(c.entry, "backward")):
        raise AnswerError(Msg("{name} should be a Function subclass (class {name}(Function): "
                              "with static forward and backward methods)",
                              "{name} 应当是 Function 的子类（class {name}(Function):，带静态"
                              "方法 forward 和 backward）").format(name=c.entry_name))
    return c.entry


def _watched(cls: Any, seen: dict[str, Msg]) -> Any:
    """``cls`` with a backward that notes a ``grad_output`` changed in place in ``seen``."""
    original = cls.backward

    def backward(ctx: Any, *grads: Any) -> Any:
        before = [np.array(g.data if isinstance(g, Tensor) else g, copy=True) for g in grads]
        result = original(ctx, *grads)
        for b, g in zip(before, grads, strict=True):
            if _changed(b, g):
                seen["grad_output"] = _IN_PLACE.format(name="grad_output")
        for r in result if isinstance(result, tuple | list) else (result,):
            data = r.data if isinstance(r, Tensor) else r
            if isinstance(data, np.ndarray) and data.dtype.kind == "f" and data.itemsize < 8:
                # the engine widens a gradient to its input's float64; the answer's own
                # precision is what it should be judged at
                seen["dtype"] = Msg(str(data.dtype), str(data.dtype))
        return result

    return type(cls.__name__, (cls,), {"backward": staticmethod(backward),
                                       "__module__": cls.__module__,
                                       "__qualname__": cls.__qualname__})


def _forward(c: Call, cls: Any, names: Sequence[str], working: Mapping[str, Any]
             ) -> tuple[list[Tensor], Tensor, np.ndarray]:
    xs = [Tensor(working[n], requires_grad=True) for n in names]
    out = cls.apply(*xs)
    if not isinstance(out, Tensor):
        raise AnswerError(Msg("{name}.apply returned {what}, not a Tensor: subclass Function "
                              "and do not override apply",
                              "{name}.apply 返回了{what}，不是 Tensor：请继承 Function，不要"
                              "重写 apply").format(name=c.entry_name, what=_describe(out)))
    return xs, out, np.array(out.data, copy=True)


def _after_backward(originals: Mapping[str, Any], working: Mapping[str, Any],
                    names: Sequence[str], xs: Sequence[Tensor], out: Tensor,
                    forward: np.ndarray, seen: Mapping[str, Msg]) -> None:
    for n, x in zip(names, xs, strict=True):
        for now in (x.data, working[n]):
            if _changed(originals[n], now):
                raise AnswerError(_IN_PLACE.format(name=n))
    if "grad_output" in seen:
        raise AnswerError(seen["grad_output"])
    if _changed(originals["grad"], working["grad"]):
        raise AnswerError(_IN_PLACE.format(name="grad_output"))
    if _changed(forward, out.data):
        raise AnswerError(_IN_PLACE_OUT)


def _function(c: Call) -> Outcome:
    names = tuple(c.args["inputs"])
    seen: dict[str, Msg] = {}
    cls = _watched(_function_class(c), seen)
    originals, working = _copies(c.inputs)
    xs, out, forward = _forward(c, cls, names, working)
    out.backward(working["grad"])
    _after_backward(originals, working, names, xs, out, forward, seen)
    values: Values = {"forward": _as_array("forward", forward)}
    for n, x in zip(names, xs, strict=True):
        if x.grad is None:
            raise AnswerError(Msg("{op}.backward returned no gradient (None) for {n}: return "
                                  "grad_output times the derivative, one per input",
                                  "{op}.backward 没有给 {n} 返回梯度（None）：请返回 grad_output "
                                  "乘以导数，每个输入一个").format(op=c.entry_name, n=n))
        values[f"grad_{n}"] = _as_array(f"grad_{n}", x.grad.data)
    if "dtype" in seen:  # a float32 backward: its values, widened exactly, go back to float32
        low = np.dtype(seen["dtype"].en)
        values = {q: v.astype(low) if v.dtype.itemsize > low.itemsize else v
                  for q, v in values.items()}
    return Outcome(values)


def _raw_backward(c: Call) -> Outcome:
    """``apply`` sets the context up exactly as the engine does; the gradients are then what
    the learner's ``backward`` returns, before the engine would sum a broadcast shape down
    (hiding a missing reduction) or refuse another wrong shape (hiding a transposed matrix)."""
    names = tuple(c.args["inputs"])
    cls = _function_class(c)
    originals, working = _copies(c.inputs)
    xs, out, forward = _forward(c, cls, names, working)
    ctx = out._ctx
    if ctx is None:
        raise AnswerError(Msg("{name}.apply did not record the call: subclass Function and do "
                              "not override apply",
                              "{name}.apply 没有记录这次调用：请继承 Function，不要重写 apply"
                              ).format(name=c.entry_name))
    grads = ctx.fn.backward(ctx, working["grad"])
    _after_backward(originals, working, names, xs, out, forward, {})
    wanted = ", ".join(f"grad_{n}" for n in names)
    if not isinstance(grads, tuple | list) or len(grads) != len(names):
        got = (Msg("{n} values", "{n} 个值").format(n=len(grads))
               if isinstance(grads, tuple | list)
               else Msg("a {t}", "一个 {t}").format(t=type(grads).__name__))
        raise AnswerError(Msg("{name}.backward returned {got}; return one gradient per input "
                              "of forward, in order: ({wanted})",
                              "{name}.backward 返回了{got}；forward 的每个输入都要有一个梯度，"
                              "按顺序返回：({wanted})").format(name=c.entry_name, got=got,
                                                            wanted=wanted))
    values: Values = {"forward": _as_array("forward", forward)}
    for n, x, g in zip(names, xs, grads, strict=True):
        if g is None:
            raise AnswerError(Msg("{name}.backward returned None for {n}: return its gradient, "
                                  "an array of {n}'s shape {shape}",
                                  "{name}.backward 给 {n} 返回了 None：请返回它的梯度，一个与 "
                                  "{n} 形状相同 {shape} 的数组").format(
                name=c.entry_name, n=n, shape=x.shape))
        values[f"grad_{n}"] = _as_array(f"grad_{n}", g)
    return Outcome(values)


def _class_partials(c: Call) -> Outcome:
    if not isinstance(c.entry, type):
        raise AnswerError(Msg("{name} should be a class (with a {method}(self, {args}) method)",
                              "{name} 应当是一个类（带方法 {method}(self, {args})）").format(
            name=c.entry_name, method=c.args["method"], args=", ".join(c.args["args"])))
    originals, working = _copies(c.inputs)
    instance = c.entry()
    for name, value in working[c.args["params"]].items():
        setattr(instance, name, value)
    method = getattr(instance, c.args["method"], None)
    if method is None:
        raise AnswerError(Msg("{name} has no method {method}", "{name} 没有方法 {method}")
                          .format(name=c.entry_name, method=c.args["method"]))
    result = method(*(working[a] for a in c.args["args"]))
    outcome = name_each(f"{c.entry_name}.{c.args['method']}", c.quantities, result)
    _check_inputs({a: originals[a] for a in c.args["args"]}, working)
    return outcome


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _half_sse_two_sigmoid_layers(data: Sequence[np.ndarray], weights: Sequence[np.ndarray]
                                 ) -> float:
    """0.5 * sum((l2 - y)**2) of l2 = sigmoid(sigmoid(l0.dot(w0)).dot(w1))."""
    (l0, y), (w0, w1) = data, weights
    l2 = _sigmoid(_sigmoid(l0.dot(w0)).dot(w1))
    return float(0.5 * np.sum((l2 - y) ** 2))


LOSSES: dict[str, Callable[[Sequence[np.ndarray], Sequence[np.ndarray]], float]] = {
    "half-sse-two-sigmoid-layers": _half_sse_two_sigmoid_layers,
}

_STEP_SHAPE = Msg(
    "{step} has shape {got}: it cannot be subtracted from {w}, of shape {shape}, so the "
    "training loop cannot repeat your step",
    "{step} 的形状是 {got}：它不能从形状为 {shape} 的 {w} 中减去，所以训练循环无法重复你的这一步")


def _step_and_curve(c: Call) -> Outcome:
    data_names, weight_names = tuple(c.args["data"]), tuple(c.args["weights"])
    step_quantities, curve_q = tuple(c.args["step_quantities"]), c.args["curve"]
    steps = tuple(f"{w}_step" for w in weight_names)
    loss = LOSSES[c.args["loss"]]
    curve_at = tuple(int(n) for n in c.args["curve_at"])

    def call(weights: Sequence[np.ndarray]) -> Values:
        working = {**{n: np.copy(c.inputs[n]) for n in data_names},
                   **{n: np.copy(w) for n, w in zip(weight_names, weights, strict=True)}}
        originals = copy.deepcopy(working)
        result = c.entry(*(working[n] for n in (*data_names, *weight_names)))
        values = name_results(c.entry_name, step_quantities, result)
        _check_inputs(originals, working)
        return values

    start = [np.array(c.inputs[n], dtype=np.float64) for n in weight_names]
    values = call(start)
    data = [c.inputs[n] for n in data_names]
    weights, losses = start, []
    for n in range(curve_at[-1] + 1):
        if n in curve_at:
            losses.append(loss(data, weights))
        if n == curve_at[-1]:
            break
        v = values if n == 0 else call(weights)
        for s, w, name in zip(steps, weights, weight_names, strict=True):
            if not _fits(v[s], w.shape):
                nan_curve = np.full(len(curve_at), np.nan)
                nan_curve[:len(losses)] = losses
                return Outcome({**values, curve_q: nan_curve}, {curve_q: _STEP_SHAPE.format(
                    step=s, got=v[s].shape, w=name, shape=w.shape)})
        weights = [w - v[s] for w, s in zip(weights, steps, strict=True)]
    # the curve repeats the learner's steps: it carries their precision (float32 steps give a
    # float32-accurate curve, judged as such)
    narrow = [v.dtype for v in values.values() if v.dtype.kind == "f" and v.dtype.itemsize < 8]
    curve = np.array(losses)
    if narrow:
        curve = curve.astype(min(narrow, key=lambda d: d.itemsize))
    return Outcome({**values, curve_q: curve})


def _fits(step: np.ndarray, shape: tuple[int, ...]) -> bool:
    """Whether ``w - step`` keeps the weight's shape."""
    try:
        np.broadcast_to(step, shape)
    except ValueError:
        return False
    return True


PROTOCOLS: dict[str, Callable[[Call], Outcome]] = {
    "call": _call,
    "function": _function,
    "raw-backward": _raw_backward,
    "class-partials": _class_partials,
    "step-and-curve": _step_and_curve,
}


def run(protocol: str, args: Mapping[str, Any], entry: Any, entry_name: str,
        quantities: Sequence[str], inputs: Mapping[str, Any]) -> Outcome:
    """Call the learner's ``entry`` on one case's ``inputs`` by the named protocol.

    Raises AnswerError when the answer cannot be checked on this case (it returned the wrong
    thing, or changed its inputs in place); whatever the learner's code raises passes through.
    """
    try:
        how = PROTOCOLS[protocol]
    except KeyError:
        raise ValueError(f"unknown protocol {protocol!r}; known: {', '.join(PROTOCOLS)}"
                         ) from None
    return how(Call(entry, entry_name, tuple(quantities), inputs, dict(args)))
