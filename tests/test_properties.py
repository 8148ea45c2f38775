"""Property tests: random expression graphs pass gradcheck and agree with PyTorch.

Hypothesis draws a few input arrays of mutually broadcastable shapes, then a short program
(``v3 = mul(v0, v2)``, ``v4 = sum(v3, axis=(1,), keepdims=True)``, ...) over them: unary,
binary, scalar, reduction, shape and matmul steps, each offered only where it is safe for
finite differences (``log``/``sqrt`` of values >= 0.1, ``**`` with positive bases, kinks and
ties of ``relu``/``abs``/``clamp``/``max`` at least 1e-2 away). Every program must pass
``gradcheck`` on its whole Jacobian and, when PyTorch is installed, give the same values and
gradients as PyTorch in float64 to 1e-10.

The last part checks the checker: ``gradcheck`` must fail, and say where, when the backward
is wrong, and at a huge eps on a curved function.

Runs are derandomized and database-free, so CI sees the same examples every time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from helpers import TORCH_TOL, check_against_torch, requires_torch, torch
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays, mutually_broadcastable_shapes

from tinygrad_edu import Function, Tensor, gradcheck, no_grad

PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

MARGIN = 1e-2  # distance kept from kinks, ties and domain edges (eps is 1e-6)
BOUND = 1e3  # largest magnitude an intermediate value may reach
MAX_SIZE = 36  # largest number of elements an intermediate value may have

values = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def array_of(shape: tuple[int, ...], elements: st.SearchStrategy[float] = values) -> Any:
    return arrays(np.float64, shape, elements=elements)


# --------------------------------------------------------------------------- programs


@dataclass
class Step:
    """One op of a program: ``op`` applied to nodes ``args`` with parameters ``params``."""

    op: str
    args: tuple[int, ...]
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Program:
    """Inputs (arrays) and the steps that combine them; the last node is the result."""

    inputs: list[np.ndarray]
    steps: list[Step] = field(default_factory=list)

    def run(self, backend: str, xs: Sequence[Any]) -> Any:
        nodes = list(xs)
        for s in self.steps:
            nodes.append(OPS[s.op].impl(backend)(*[nodes[i] for i in s.args], **s.params))
        return nodes[-1]

    def listing(self) -> str:
        lines = [f"v{i}: input of shape {a.shape}" for i, a in enumerate(self.inputs)]
        n = len(self.inputs)
        for k, s in enumerate(self.steps):
            args = ", ".join(f"v{i}" for i in s.args)
            params = "".join(f", {p}={v!r}" for p, v in s.params.items())
            lines.append(f"v{n + k} = {s.op}({args}{params})")
        return "\n".join(lines)


@dataclass(frozen=True)
class OpSpec:
    """How one op runs on the engine and on torch, and when a program may use it.

    ``draw_params(draw, *arg_values)`` returns the op's parameters, or ``None`` when the
    op is not safe (or not defined) for those values.
    """

    arity: int
    engine: Callable[..., Any]
    torch: Callable[..., Any] | None = None  # default: the engine's lambda
    draw_params: Callable[..., dict[str, Any] | None] = lambda draw, *vals: {}

    def impl(self, backend: str) -> Callable[..., Any]:
        return self.engine if backend == "engine" or self.torch is None else self.torch


def _dims(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    return (axis,) if isinstance(axis, int) else tuple(axis)


def _min_abs(x: np.ndarray) -> float:
    return float(np.min(np.abs(x))) if x.size else math.inf


# ----- parameter drawers (each also decides whether the op is safe here)


def _always(draw: Any, *vals: np.ndarray) -> dict[str, Any]:
    return {}


def _if(cond: Callable[..., bool]) -> Callable[..., dict[str, Any] | None]:
    return lambda draw, *vals: {} if cond(*vals) else None


def _scalar(choices: Sequence[float], cond: Callable[[np.ndarray, float], bool]
            ) -> Callable[..., dict[str, Any] | None]:
    def drawer(draw: Any, x: np.ndarray) -> dict[str, Any] | None:
        c = draw(st.sampled_from(choices))
        return {"c": c} if cond(x, c) else None

    return drawer


def _true(x: np.ndarray, c: float) -> bool:
    return True


def _pow_ok(base: np.ndarray, c: float) -> bool:
    if float(c).is_integer() and c >= 0:
        return True
    if float(c).is_integer():
        return _min_abs(base) > 0.1
    return base.size == 0 or float(base.min()) > 0.1


def _axis_params(draw: Any, x: np.ndarray) -> dict[str, Any]:
    kind = draw(st.sampled_from(["none", "int", "tuple"]) if x.ndim else st.just("none"))
    if kind == "none":
        axis: Any = None
    elif kind == "int":
        axis = draw(st.integers(-x.ndim, x.ndim - 1))
    else:
        picked = draw(st.lists(st.integers(0, x.ndim - 1), min_size=1, unique=True))
        # Sometimes spell an axis the negative way.
        axis = tuple(a - x.ndim if draw(st.booleans()) else a for a in picked)
    return {"axis": axis, "keepdims": draw(st.booleans())}


def _max_params(draw: Any, x: np.ndarray) -> dict[str, Any] | None:
    p = _axis_params(draw, x)
    if x.size == 0:
        return None
    axes = _dims(p["axis"], x.ndim)
    moved = np.moveaxis(x, [a % x.ndim for a in axes] if x.ndim else [], list(range(len(axes))))
    flat = moved.reshape(int(np.prod(moved.shape[: len(axes)], dtype=int)), -1)
    top2 = np.sort(flat, axis=0)[-2:] if flat.shape[0] > 1 else None
    if top2 is not None and float(np.min(top2[1] - top2[0])) <= MARGIN:
        return None  # a tie (or nearly): max is not differentiable there
    return p


def _softmax_params(draw: Any, x: np.ndarray) -> dict[str, Any] | None:
    if x.ndim == 0:
        return None
    return {"axis": draw(st.integers(-x.ndim, x.ndim - 1))}


def _clamp_params(draw: Any, x: np.ndarray) -> dict[str, Any] | None:
    low = draw(st.sampled_from([-1.5, -0.5, 0.0, None]))
    high = draw(st.sampled_from([0.25, 1.0, 1.75, None] if low is not None else [0.25, 1.0]))
    for bound in (low, high):
        if bound is not None and _min_abs(x - bound) <= MARGIN:
            return None
    return {"min": low, "max": high}


def _reshape_params(draw: Any, x: np.ndarray) -> dict[str, Any]:
    targets = [(-1,), tuple(reversed(x.shape)), (1, *x.shape), (*x.shape, 1)]
    if x.size > 1:
        targets.append((x.size, -1))
    return {"shape": draw(st.sampled_from(targets))}


def _transpose_params(draw: Any, x: np.ndarray) -> dict[str, Any] | None:
    if x.ndim < 2:
        return None
    return {"axes": tuple(draw(st.permutations(range(x.ndim))))}


def _swapaxes_params(draw: Any, x: np.ndarray) -> dict[str, Any] | None:
    if x.ndim < 2:
        return None
    a = draw(st.integers(-x.ndim, x.ndim - 1))
    b = draw(st.integers(-x.ndim, x.ndim - 1))
    return {"a": a, "b": b}


def _getitem_params(draw: Any, x: np.ndarray) -> dict[str, Any] | None:
    if x.ndim == 0:
        return None
    n = x.shape[0]
    kind = draw(st.sampled_from(["int", "slice", "array", "array-last"]))
    if kind == "int":
        index: Any = draw(st.integers(-n, n - 1))
    elif kind == "slice":
        start = draw(st.integers(0, n - 1))
        index = slice(start, draw(st.integers(start + 1, n)))
    elif kind == "array":  # repeats allowed: their gradients must add up
        index = np.array(draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=4)))
    else:
        m = x.shape[-1]
        index = (Ellipsis, np.array(draw(st.lists(st.integers(0, m - 1), min_size=1,
                                                  max_size=4))))
    return {"index": index}


def _broadcast_params(draw: Any, x: np.ndarray) -> dict[str, Any] | None:
    lead = draw(st.integers(1, 3))
    shape = (lead, *x.shape)
    return {"shape": shape} if int(np.prod(shape)) <= MAX_SIZE else None


def _binary_ok(a: np.ndarray, b: np.ndarray) -> bool:
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        return False
    return int(np.prod(shape)) <= MAX_SIZE


def _matmul_ok(a: np.ndarray, b: np.ndarray) -> bool:
    if a.ndim == 0 or b.ndim == 0:
        return False
    if a.shape[-1] != (b.shape[0] if b.ndim == 1 else b.shape[-2]):
        return False
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        return False
    return True


def _torch_index(index: Any) -> Any:
    if isinstance(index, tuple):
        return tuple(_torch_index(i) for i in index)
    return torch.as_tensor(index) if isinstance(index, np.ndarray) else index


OPS: dict[str, OpSpec] = {
    # unary, smooth everywhere
    "neg": OpSpec(1, lambda x: -x),
    "tanh": OpSpec(1, lambda x: x.tanh()),
    "sigmoid": OpSpec(1, lambda x: x.sigmoid()),
    "exp": OpSpec(1, lambda x: x.exp(), draw_params=_if(lambda x: x.size == 0 or x.max() < 4)),
    # unary, on a safe domain
    "log": OpSpec(1, lambda x: x.log(), draw_params=_if(lambda x: x.size == 0 or x.min() > 0.1)),
    "sqrt": OpSpec(1, lambda x: x.sqrt(),
                   draw_params=_if(lambda x: x.size == 0 or x.min() > 0.1)),
    "abs": OpSpec(1, lambda x: x.abs(), draw_params=_if(lambda x: _min_abs(x) > MARGIN)),
    "relu": OpSpec(1, lambda x: x.relu(), draw_params=_if(lambda x: _min_abs(x) > MARGIN)),
    "clamp": OpSpec(1, lambda x, min, max: x.clamp(min=min, max=max),  # noqa: A006
                    draw_params=_clamp_params),
    "softmax": OpSpec(1, lambda x, axis: x.softmax(axis=axis),
                      lambda x, axis: x.softmax(dim=axis), _softmax_params),
    "log_softmax": OpSpec(1, lambda x, axis: x.log_softmax(axis=axis),
                          lambda x, axis: x.log_softmax(dim=axis), _softmax_params),
    # with a Python scalar, on either side
    "add_scalar": OpSpec(1, lambda x, c: x + c, draw_params=_scalar([-1.5, 0.5, 2], _true)),
    "rsub_scalar": OpSpec(1, lambda x, c: c - x, draw_params=_scalar([1, -0.5], _true)),
    "mul_scalar": OpSpec(1, lambda x, c: x * c, draw_params=_scalar([-2, 0.5, 3.0], _true)),
    "rdiv_scalar": OpSpec(1, lambda x, c: c / x,
                          draw_params=_scalar([1.0, -2.0], lambda x, c: _min_abs(x) > 0.1)),
    "pow_scalar": OpSpec(1, lambda x, c: x**c,
                         draw_params=_scalar([2, 3, -1, 0.5, 1.5, -0.5], _pow_ok)),
    "rpow_scalar": OpSpec(1, lambda x, c: c**x,
                          draw_params=_scalar([0.5, 2.0, 3], _true)),
    # reductions
    "sum": OpSpec(1, lambda x, axis, keepdims: x.sum(axis=axis, keepdims=keepdims),
                  lambda x, axis, keepdims: x.sum(dim=_dims(axis, x.ndim), keepdim=keepdims),
                  _axis_params),
    "mean": OpSpec(1, lambda x, axis, keepdims: x.mean(axis=axis, keepdims=keepdims),
                   lambda x, axis, keepdims: x.mean(dim=_dims(axis, x.ndim), keepdim=keepdims),
                   _axis_params),
    "max": OpSpec(1, lambda x, axis, keepdims: x.max(axis=axis, keepdims=keepdims),
                  lambda x, axis, keepdims: x.amax(dim=_dims(axis, x.ndim), keepdim=keepdims),
                  _max_params),
    # shapes
    "reshape": OpSpec(1, lambda x, shape: x.reshape(shape), draw_params=_reshape_params),
    "transpose": OpSpec(1, lambda x, axes: x.transpose(axes),
                        lambda x, axes: x.permute(*axes), _transpose_params),
    "T": OpSpec(1, lambda x: x.T, lambda x: x.permute(tuple(reversed(range(x.ndim))))),
    "swapaxes": OpSpec(1, lambda x, a, b: x.swapaxes(a, b), draw_params=_swapaxes_params),
    "getitem": OpSpec(1, lambda x, index: x[index], lambda x, index: x[_torch_index(index)],
                      _getitem_params),
    "broadcast_to": OpSpec(1, lambda x, shape: x.broadcast_to(shape),
                           draw_params=_broadcast_params),
    # binary
    "add": OpSpec(2, lambda a, b: a + b, draw_params=_if(_binary_ok)),
    "sub": OpSpec(2, lambda a, b: a - b, draw_params=_if(_binary_ok)),
    "mul": OpSpec(2, lambda a, b: a * b, draw_params=_if(_binary_ok)),
    "div": OpSpec(2, lambda a, b: a / b,
                  draw_params=_if(lambda a, b: _binary_ok(a, b) and _min_abs(b) > 0.1)),
    "pow": OpSpec(2, lambda a, b: a**b, draw_params=_if(
        lambda a, b: _binary_ok(a, b) and (a.size == 0 or a.min() > 0.1)
        and (b.size == 0 or np.abs(b).max() <= 3))),
    "matmul": OpSpec(2, lambda a, b: a @ b, draw_params=_if(_matmul_ok)),
}

def _evaluate(op: str, args: Sequence[np.ndarray], params: dict[str, Any]) -> np.ndarray | None:
    """The op's value on the engine, or None when it is out of bounds (or not defined)."""
    try:
        with no_grad(), np.errstate(all="ignore"):
            out = OPS[op].engine(*[Tensor(a) for a in args], **params)
    except (ValueError, IndexError):
        return None
    v = out.data
    if v.size > MAX_SIZE or not np.all(np.isfinite(v)) or (v.size and np.abs(v).max() > BOUND):
        return None
    return v


STEP_OPS = sorted(OPS) + ["matmul_new_weight"]


def _draw_step(draw: Any, prog: Program, vals: list[np.ndarray], op: str
               ) -> tuple[Program, list[np.ndarray], Step, np.ndarray] | None:
    """One step applying ``op`` to drawn nodes, or None when ``op`` is not safe there."""
    # Favour the newest node so programs grow deep, but let old nodes be reused (fan-out).
    last = len(vals) - 1
    a = draw(st.one_of(st.just(last), st.integers(0, last)))
    if op == "matmul_new_weight":
        # x @ W or W @ x with a fresh weight input: a matmul wherever x has a dimension.
        x = vals[a]
        if x.ndim == 0:
            return None
        side = draw(st.sampled_from(["right", "left"]))
        k = x.shape[-1] if side == "right" or x.ndim == 1 else x.shape[-2]
        m = draw(st.integers(1, 3))
        one_d = draw(st.booleans())
        w_shape = (k,) if one_d else ((k, m) if side == "right" else (m, k))
        w = draw(array_of(w_shape))
        fresh = len(vals)  # a placeholder index for w until it becomes an input
        args = (a, fresh) if side == "right" else (fresh, a)
        value = _evaluate("matmul", [vals[i] if i < fresh else w for i in args], {})
        if value is None:
            return None
        prog, vals, args = _add_input(prog, vals, w, args)
        return prog, vals, Step("matmul", args, {}), value
    spec = OPS[op]
    args = (a,) if spec.arity == 1 else (a, draw(st.integers(0, last)))
    params = spec.draw_params(draw, *[vals[i] for i in args])
    if params is None:
        return None
    value = _evaluate(op, [vals[i] for i in args], params)
    if value is None:
        return None
    return prog, vals, Step(op, args, params), value


@st.composite
def programs(draw: Any, min_steps: int = 2, max_steps: int = 6, first_op: str | None = None,
             elements: st.SearchStrategy[float] = values) -> Program:
    """A random program over 1-3 inputs of mutually broadcastable shapes.

    Each step draws an op (up to four times, until one is safe for the values at hand);
    ``first_op`` forces the first step's op, for tests that must exercise it.
    """
    n_inputs = draw(st.integers(1, 3))
    shapes = draw(mutually_broadcastable_shapes(num_shapes=n_inputs, min_dims=0, max_dims=3,
                                                min_side=1, max_side=3)).input_shapes
    prog = Program([draw(array_of(s, elements)) for s in shapes])
    vals = list(prog.inputs)
    n_steps = draw(st.integers(min_steps, max_steps))
    for k in range(n_steps):
        forced = first_op if k == 0 else None
        result = None
        for _ in range(4):
            result = _draw_step(draw, prog, vals, forced or draw(st.sampled_from(STEP_OPS)))
            if result is not None:
                break
        if result is None:
            assume(forced is None)  # the forced op does not fit these inputs: try others
            step = Step("tanh", (len(vals) - 1,))  # always safe
            value = _evaluate("tanh", [vals[-1]], {})
            assert value is not None
        else:
            prog, vals, step, value = result
        prog.steps.append(step)
        vals.append(value)
    return prog


def _add_input(prog: Program, vals: list[np.ndarray], w: np.ndarray, args: tuple[int, ...]
               ) -> tuple[Program, list[np.ndarray], tuple[int, ...]]:
    """Insert ``w`` as a new input: every node index at or after it shifts by one."""
    n = len(prog.inputs)
    fresh = len(vals)  # the placeholder index the caller used for w

    def shift(i: int) -> int:
        return n if i == fresh else (i + 1 if i >= n else i)

    steps = [Step(s.op, tuple(shift(i) for i in s.args), s.params) for s in prog.steps]
    new = Program([*prog.inputs, w], steps)
    new_vals = [*vals[:n], w, *vals[n:]]
    return new, new_vals, tuple(shift(i) for i in args)


def _inputs(prog: Program) -> list[Tensor]:
    return [Tensor(a.copy(), requires_grad=True, name=f"v{i}") for i, a in enumerate(prog.inputs)]


# --------------------------------------------------------------------------- properties


@PROPERTY_SETTINGS
@given(prog=programs())
def test_random_programs_pass_gradcheck(prog: Program) -> None:
    note(prog.listing())
    report = gradcheck(lambda *xs: prog.run("engine", xs), *_inputs(prog))
    assert report, str(report)


@requires_torch
@PROPERTY_SETTINGS
@given(prog=programs())
def test_random_programs_match_torch(prog: Program) -> None:
    note(prog.listing())
    check_against_torch(lambda *xs: prog.run("engine", xs),
                        lambda *ts: prog.run("torch", ts),
                        [a.copy() for a in prog.inputs], tol=TORCH_TOL)


AWAY_FROM_ZERO = st.floats(0.2, 2.0) | st.floats(-2.0, -0.2)
POSITIVE = st.floats(0.2, 2.0)


@pytest.mark.parametrize("op", STEP_OPS)
@settings(PROPERTY_SETTINGS, max_examples=6)  # x32 ops
@given(data=st.data())
def test_every_op_starts_some_random_programs(op: str, data: Any) -> None:
    """The same two checks with each op forced first, so none is left to chance."""
    elements = POSITIVE if op in ("log", "sqrt", "pow") else AWAY_FROM_ZERO
    prog = data.draw(programs(min_steps=1, max_steps=3, first_op=op, elements=elements))
    note(prog.listing())
    assert prog.steps[0].op == ("matmul" if op == "matmul_new_weight" else op)
    report = gradcheck(lambda *xs: prog.run("engine", xs), *_inputs(prog))
    assert report, str(report)
    if torch is not None:
        check_against_torch(lambda *xs: prog.run("engine", xs),
                            lambda *ts: prog.run("torch", ts),
                            [a.copy() for a in prog.inputs], tol=TORCH_TOL)


@PROPERTY_SETTINGS
@given(prog=programs(min_steps=1, max_steps=4))
def test_backward_accumulates_and_shapes_match(prog: Program) -> None:
    """``.grad`` has each input's shape and dtype, and two backward() calls add up."""
    note(prog.listing())
    xs = _inputs(prog)
    out = prog.run("engine", xs)
    g = np.random.default_rng(0).standard_normal(out.shape)
    out.backward(g, retain_graph=True)
    first = [None if x.grad is None else x.grad.data.copy() for x in xs]
    out.backward(g)
    for x, g1 in zip(xs, first, strict=True):
        if g1 is None:
            assert x.grad is None
            continue
        assert x.grad.shape == x.shape and x.grad.dtype == x.dtype
        np.testing.assert_allclose(x.grad.data, 2 * g1, rtol=1e-15, atol=0)


BINARY_DOMAINS = {
    "add": (values, values),
    "sub": (values, values),
    "mul": (values, values),
    "div": (values, st.floats(0.25, 2.0)),
    "pow": (st.floats(0.25, 2.0), values),
}


@pytest.mark.parametrize("op", list(BINARY_DOMAINS))
@settings(PROPERTY_SETTINGS, max_examples=30)  # x5 ops
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3),
       data=st.data())
def test_binary_ops_undo_broadcasting(op: str, shapes: Any, data: Any) -> None:
    """Whatever the two shapes, each gradient has its input's shape and passes gradcheck."""
    ea, eb = BINARY_DOMAINS[op]
    sa, sb = shapes.input_shapes
    a = Tensor(data.draw(array_of(sa, ea)), requires_grad=True)
    b = Tensor(data.draw(array_of(sb, eb)), requires_grad=True)
    fn = OPS[op].engine
    out = fn(a, b)
    assert out.shape == shapes.result_shape
    out.backward(np.ones(out.shape))
    assert a.grad.shape == sa and b.grad.shape == sb
    report = gradcheck(fn, Tensor(a.data, requires_grad=True), Tensor(b.data, requires_grad=True))
    assert report, str(report)


@PROPERTY_SETTINGS
@given(shapes=mutually_broadcastable_shapes(signature=np.matmul.signature, max_dims=3,
                                            max_side=3),
       data=st.data())
def test_matmul_any_shapes(shapes: Any, data: Any) -> None:
    """NumPy's matmul shapes (1-D, batched, broadcast batch dims): value and gradcheck."""
    sa, sb = shapes.input_shapes
    a = data.draw(array_of(sa))
    b = data.draw(array_of(sb))
    x, y = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    out = x @ y
    expected = np.matmul(a, b)
    assert out.shape == expected.shape == shapes.result_shape
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)
    report = gradcheck(lambda p, q: p @ q, x, y)
    assert report, str(report)


@PROPERTY_SETTINGS
@given(big=st.lists(st.integers(1, 3), min_size=0, max_size=4).map(tuple), data=st.data())
def test_broadcast_to_gradient_counts_copies(big: tuple[int, ...], data: Any) -> None:
    """broadcast_to(x, S).sum(): each element's gradient is the number of its copies."""
    lead = data.draw(st.integers(0, len(big)))
    small = tuple(1 if data.draw(st.booleans()) else n for n in big[lead:])
    x = Tensor(data.draw(array_of(small)), requires_grad=True)
    x.broadcast_to(big).sum().backward()
    copies = int(np.prod(big, dtype=int)) // int(np.prod(small, dtype=int))
    np.testing.assert_array_equal(x.grad.data, np.full(small, float(copies)))


@PROPERTY_SETTINGS
@given(shape=st.lists(st.integers(1, 3), min_size=0, max_size=4).map(tuple), data=st.data())
def test_sum_and_mean_gradients_spread_the_upstream_gradient(shape: tuple[int, ...],
                                                            data: Any) -> None:
    """d sum/dx copies the upstream gradient back along the summed axes; mean divides by n."""
    x = Tensor(data.draw(array_of(shape)), requires_grad=True)
    p = _axis_params(data.draw, x.data)
    axes = tuple(a % max(len(shape), 1) for a in _dims(p["axis"], len(shape)))
    n = int(np.prod([shape[a] for a in axes], dtype=int))
    for op, scale in (("sum", 1.0), ("mean", 1.0 / n)):
        x.grad = None
        out = getattr(x, op)(**p)
        g = data.draw(array_of(out.shape))
        out.backward(g)
        kept = g if p["keepdims"] else np.expand_dims(g, axes)
        np.testing.assert_allclose(x.grad.data, np.broadcast_to(kept * scale, shape),
                                   rtol=1e-15, atol=0)


@PROPERTY_SETTINGS
@given(shape=st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple), data=st.data())
def test_max_splits_the_gradient_evenly_among_ties(shape: tuple[int, ...], data: Any) -> None:
    """Small whole numbers tie often: each tied maximum gets upstream / (number of ties)."""
    x_np = data.draw(array_of(shape, st.integers(0, 2).map(float)))
    x = Tensor(x_np, requires_grad=True)
    p = _axis_params(data.draw, x_np)
    axes = tuple(a % max(len(shape), 1) for a in _dims(p["axis"], len(shape)))
    out = x.max(**p)
    g = data.draw(array_of(out.shape))
    out.backward(g)
    top = x_np.max(axis=axes, keepdims=True)
    hit = x_np == top
    g_kept = g if p["keepdims"] else np.expand_dims(g, axes)
    expected = hit * g_kept / hit.sum(axis=axes, keepdims=True)
    np.testing.assert_allclose(x.grad.data, expected, rtol=1e-15, atol=0)
    if torch is not None:
        t = torch.tensor(x_np, requires_grad=True)
        t.amax(dim=_dims(p["axis"], len(shape)), keepdim=p["keepdims"]).backward(
            torch.from_numpy(np.asarray(g, dtype=np.float64)))
        np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=TORCH_TOL, atol=TORCH_TOL)


# --------------------------------------------------------------------------- checking the checker


class WrongSquare(Function):
    """x**2 with the derivative x instead of 2x: the classic forgotten factor."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> np.ndarray:
        (x,) = ctx.saved_tensors
        return grad * x


class Square(Function):
    """x**2 with the right derivative 2x: the control."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> np.ndarray:
        (x,) = ctx.saved_tensors
        return grad * 2 * x


class WrongAtOneElement(Function):
    """3*x, except that the derivative of element [1, 2] is reported as 4."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        return 3 * x

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> np.ndarray:
        g = grad * 3
        g[1, 2] = grad[1, 2] * 4
        return g


class ReverseForgetsToReverse(Function):
    """x[::-1] whose backward forgets to reverse the gradient.

    Its Jacobian is wrong off the diagonal only; a checker that summed the output first
    (checking the gradient of ``sum(f(x))`` alone) would not notice.
    """

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        return x[::-1].copy()

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> np.ndarray:
        return grad


class WrongSecondInput(Function):
    """a*b whose gradient for b is a+1 instead of a."""

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a, b = ctx.saved_tensors
        return grad * b, grad * (a + 1)


def test_gradcheck_passes_a_correct_custom_function() -> None:
    x = Tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], requires_grad=True)
    report = gradcheck(Square.apply, x)
    assert report and report.ok
    assert "passed" in str(report)
    assert report.max_abs_error < 1e-8


def test_gradcheck_fails_a_wrong_derivative() -> None:
    x = Tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], requires_grad=True, name="w")
    report = gradcheck(WrongSquare.apply, x)  # must report, not raise
    assert not report
    assert report.ok is False
    text = str(report)
    assert "FAILED" in text
    assert "input 0" in text and "'w'" in text
    # The worst element: x against 2x is furthest off where |x| is largest, at [0, 2] (x = 2).
    assert "[0, 2]" in text  # the element, as an index of the input
    assert "analytic" in text and "numerical" in text
    w = report.worst
    assert w is not None and w["analytic"] == 2.0
    np.testing.assert_allclose(w["numerical"], 4.0, rtol=1e-8)
    assert f"{w['analytic']!r}" in text and f"{w['numerical']!r}" in text
    np.testing.assert_allclose(report.max_abs_error, 2.0, rtol=1e-8)


def test_gradcheck_names_the_one_wrong_element() -> None:
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    report = gradcheck(WrongAtOneElement.apply, x)
    assert not report
    text = str(report)
    assert "input 0" in text
    assert "[1, 2]" in text and "[0, 2]" not in text
    w = report.worst
    assert w is not None and w["input_index"] == (1, 2) and w["output_index"] == (1, 2)
    assert w["analytic"] == 4.0
    np.testing.assert_allclose(w["numerical"], 3.0, rtol=1e-8)


def test_gradcheck_checks_the_whole_jacobian() -> None:
    x = Tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    report = gradcheck(ReverseForgetsToReverse.apply, x)
    assert not report, "a wrong off-diagonal Jacobian went unnoticed"
    # The summed output's gradient is right (all ones), so a sum-only check would pass:
    assert gradcheck(lambda t: ReverseForgetsToReverse.apply(t).sum(), x)


def test_gradcheck_names_the_wrong_input() -> None:
    a = Tensor([1.0, 2.0], requires_grad=True, name="a")
    b = Tensor([3.0, -1.0], requires_grad=True, name="b")
    report = gradcheck(WrongSecondInput.apply, a, b)
    assert not report
    assert report.worst is not None and report.worst["input"] == 1
    assert "input 1 ('b')" in str(report)


@PROPERTY_SETTINGS
@given(factor=st.floats(-3.0, 3.0).filter(lambda f: abs(f - 1.0) > 0.01),
       x=array_of((2, 3), st.floats(0.5, 2.0)))
def test_gradcheck_fails_any_scaled_derivative(factor: float, x: np.ndarray) -> None:
    """A backward off by any factor is caught.

    exp's derivative is at least e**0.5 here, so a 1% error (>= 0.016) always exceeds the
    tolerance atol + rtol*|exp(v)| (<= 0.0074 for v <= 2).
    """

    class Scaled(Function):
        @staticmethod
        def forward(ctx: Any, v: np.ndarray) -> np.ndarray:
            out = np.exp(v)
            ctx.save_for_backward(out)
            return out

        @staticmethod
        def backward(ctx: Any, grad: np.ndarray) -> np.ndarray:
            (out,) = ctx.saved_tensors
            return grad * factor * out

    report = gradcheck(Scaled.apply, Tensor(x, requires_grad=True))
    assert not report, str(report)


def test_gradcheck_fails_at_a_huge_eps_on_a_curved_function() -> None:
    """Central differences are exact only to O(eps**2): at eps=1, x**3 is off by 1."""
    x = Tensor([0.5, 1.0, 1.5], requires_grad=True)
    assert gradcheck(lambda t: t**3, x)  # the default eps is fine
    report = gradcheck(lambda t: t**3, x, eps=1.0)
    assert not report
    # ((x+h)**3 - (x-h)**3) / 2h = 3x**2 + h**2: the numerical side is off by exactly h**2.
    np.testing.assert_allclose(report.max_abs_error, 1.0, rtol=1e-9)
    assert gradcheck(lambda t: t.exp().sum(), x, eps=1.0).ok is False


def test_gradcheck_passes_at_a_huge_eps_on_a_straight_line() -> None:
    """The control for the test above: a linear function has no curvature to trip on."""
    x = Tensor([0.5, 1.0, 1.5], requires_grad=True)
    assert gradcheck(lambda t: 3 * t - 1, x, eps=1.0)
