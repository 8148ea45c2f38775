"""Every op, forward and backward, checked against NumPy, finite differences and PyTorch.

One table (``CASES``) drives four tests, minitorch style:

- ``test_forward``: the engine's value, shape and dtype equal NumPy's (float64);
- ``test_gradcheck``: ``gradcheck`` passes on the whole Jacobian (float64, default tolerances);
- ``test_matches_torch``: values and gradients equal PyTorch's to 1e-10 (skipped without torch);
- ``test_float32_stays_float32``: float32 inputs keep float32 in the result and in ``.grad``.

After the table come the rules a table cannot show: dtype promotion, the kinks (relu and abs
at 0, tied maxima, clamp's bounds), repeated indices, and comparisons.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from helpers import (
    check_against_torch,
    check_forward,
    check_gradcheck,
    check_op,
    make_inputs,
    requires_torch,
    torch,
)

from tinygrad_edu import Tensor, gradcheck

# --------------------------------------------------------------------------- the table

Range = tuple[float, float]
POS: Range = (0.5, 2.0)  # log, sqrt, divisors, bases of **: away from 0
ANY: Range = (-2.0, 2.0)


@dataclass(frozen=True)
class Case:
    """One op call: the engine's lambda and, where they differ, NumPy's and PyTorch's."""

    fn: Callable[..., Any]
    shapes: tuple[tuple[int, ...], ...]
    np_fn: Callable[..., Any] | None = None  # default: fn (operators NumPy shares)
    torch_fn: Callable[..., Any] | None = None  # default: fn (operators PyTorch shares)
    ranges: Range | tuple[Range, ...] = ANY
    requires_grad: tuple[bool, ...] | None = None
    out_f64: bool = False  # float64 even from float32 inputs (a float64 array joins in, a cast)

    def arrays(self, dtype: Any = np.float64) -> list[np.ndarray]:
        return make_inputs(self.shapes, seed=0, ranges=self.ranges, dtype=dtype)


def case(case_id: str, shapes: Sequence[tuple[int, ...]], fn: Callable[..., Any],
         **kw: Any) -> Any:
    return pytest.param(Case(fn, tuple(shapes), **kw), id=case_id)


def T(a: np.ndarray) -> Any:
    """A NumPy constant as a torch tensor (only called when torch is installed)."""
    return torch.from_numpy(a)


# Constants that meet tensors in reflected and mixed operations (float64 arrays).
_rng = np.random.default_rng(42)
ROW = _rng.uniform(-2, 2, size=(4,))
MAT = _rng.uniform(-2, 2, size=(3, 4))
POS_MAT = _rng.uniform(0.5, 2, size=(3, 4))
W = _rng.uniform(-2, 2, size=(4, 2))


# ----- binary operators, with every way shapes broadcast

BINARY = {
    "add": (lambda a, b: a + b, ANY),
    "sub": (lambda a, b: a - b, ANY),
    "mul": (lambda a, b: a * b, ANY),
    "div": (lambda a, b: a / b, (ANY, POS)),
    "pow": (lambda a, b: a**b, (POS, ANY)),
}

BROADCAST_SHAPES = {
    "same": ((3, 4), (3, 4)),
    "scalar-left": ((), (3, 4)),
    "scalar-right": ((3, 4), ()),
    "row": ((3, 4), (4,)),
    "row-left": ((4,), (3, 4)),
    "column": ((3, 4), (3, 1)),
    "leading-dims": ((2, 3, 4), (3, 4)),
    "leading-ones": ((1, 1, 4), (3, 4)),
    "size-one": ((1,), (2, 3)),
    "both-sides": ((3, 1), (1, 4)),
    "both-sides-3d": ((2, 1, 4), (3, 1)),
}

BINARY_CASES = [
    case(f"{op}-{bname}", shapes, fn, ranges=rng)
    for op, (fn, rng) in BINARY.items()
    for bname, shapes in BROADCAST_SHAPES.items()
]

# ----- Python and NumPy scalars on either side: the reflected operators

SCALAR_CASES = [
    case("x+2", [(3, 4)], lambda x: x + 2),
    case("2+x", [(3, 4)], lambda x: 2 + x),
    case("x+0.5", [(3, 4)], lambda x: x + 0.5),
    case("x-2.5", [(3, 4)], lambda x: x - 2.5),
    case("2.5-x", [(3, 4)], lambda x: 2.5 - x),
    case("x*-3", [(3, 4)], lambda x: x * -3),
    case("-3.0*x", [(3, 4)], lambda x: -3.0 * x),
    case("x/4", [(3, 4)], lambda x: x / 4),
    case("4/x", [(3, 4)], lambda x: 4 / x, ranges=POS),
    case("x**2", [(3, 4)], lambda x: x**2),
    case("x**2.0", [(3, 4)], lambda x: x**2.0),
    case("x**3", [(3, 4)], lambda x: x**3),
    case("x**-1", [(3, 4)], lambda x: x**-1, ranges=POS),
    case("x**-2.5", [(3, 4)], lambda x: x**-2.5, ranges=POS),
    case("x**0.5", [(3, 4)], lambda x: x**0.5, ranges=POS),
    case("x**1.5", [(3, 4)], lambda x: x**1.5, ranges=POS),
    case("x**0", [(3, 4)], lambda x: x**0),
    case("x**1", [(3, 4)], lambda x: x**1),
    case("2**x", [(3, 4)], lambda x: 2**x),
    case("0.5**x", [(3, 4)], lambda x: 0.5**x),
    case("np.float64*x", [(3, 4)], lambda x: np.float64(2.5) * x,
         torch_fn=lambda x: 2.5 * x),
    case("x*np.float64", [(3, 4)], lambda x: x * np.float64(2.5),
         torch_fn=lambda x: x * 2.5),
    case("x/np.float32", [(3, 4)], lambda x: x / np.float32(4.0),
         torch_fn=lambda x: x / 4.0),
    case("np.int64-x", [(3, 4)], lambda x: np.int64(3) - x, torch_fn=lambda x: 3 - x),
    case("x**np.int64", [(3, 4)], lambda x: x ** np.int64(3), torch_fn=lambda x: x**3),
    case("0-d", [()], lambda x: 3.0 * x - 1),
]

# ----- NumPy arrays (and lists) on either side; the array may be the bigger operand

ARRAY_CASES = [
    case("x+row", [(3, 4)], lambda x: x + ROW, torch_fn=lambda x: x + T(ROW), out_f64=True),
    case("row+x", [(3, 4)], lambda x: ROW + x, torch_fn=lambda x: T(ROW) + x, out_f64=True),
    case("mat-x", [(3, 4)], lambda x: MAT - x, torch_fn=lambda x: T(MAT) - x, out_f64=True),
    case("x-mat", [(4,)], lambda x: x - MAT, torch_fn=lambda x: x - T(MAT), out_f64=True),
    case("mat*x", [(4,)], lambda x: MAT * x, torch_fn=lambda x: T(MAT) * x, out_f64=True),
    case("x*row", [(3, 1)], lambda x: x * ROW, torch_fn=lambda x: x * T(ROW), out_f64=True),
    case("mat/x", [(3, 4)], lambda x: MAT / x, torch_fn=lambda x: T(MAT) / x, ranges=POS,
         out_f64=True),
    case("x/pos-mat", [(3, 4)], lambda x: x / POS_MAT, torch_fn=lambda x: x / T(POS_MAT),
         out_f64=True),
    case("pos-mat**x", [(4,)], lambda x: POS_MAT**x, torch_fn=lambda x: T(POS_MAT) ** x,
         out_f64=True),
    case("x**mat", [(3, 4)], lambda x: x**MAT, torch_fn=lambda x: x ** T(MAT), ranges=POS,
         out_f64=True),
    case("x+list", [(3, 4)], lambda x: x + [1.0, -2.0, 0.5, 3.0],
         np_fn=lambda x: x + np.array([1.0, -2.0, 0.5, 3.0]),
         torch_fn=lambda x: x + T(np.array([1.0, -2.0, 0.5, 3.0])), out_f64=True),
    case("list*x", [(3, 4)], lambda x: [1.0, -2.0, 0.5, 3.0] * x,
         np_fn=lambda x: np.array([1.0, -2.0, 0.5, 3.0]) * x,
         torch_fn=lambda x: T(np.array([1.0, -2.0, 0.5, 3.0])) * x, out_f64=True),
]

# ----- unary ops

def _np_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _np_log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    s = x - x.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


UNARY_CASES = [
    case("neg", [(3, 4)], lambda x: -x),
    case("neg-0d", [()], lambda x: -x),
    case("exp", [(3, 4)], lambda x: x.exp(), np_fn=np.exp),
    case("exp-0d", [()], lambda x: x.exp(), np_fn=np.exp),
    case("log", [(3, 4)], lambda x: x.log(), np_fn=np.log, ranges=POS),
    case("sqrt", [(3, 4)], lambda x: x.sqrt(), np_fn=np.sqrt, ranges=POS),
    case("abs", [(3, 4)], lambda x: x.abs(), np_fn=np.abs),
    case("sigmoid", [(3, 4)], lambda x: x.sigmoid(), np_fn=lambda x: 1 / (1 + np.exp(-x))),
    case("sigmoid-wide", [(2, 5)], lambda x: x.sigmoid(), np_fn=lambda x: 1 / (1 + np.exp(-x)),
         ranges=(-30.0, 30.0)),
    case("tanh", [(3, 4)], lambda x: x.tanh(), np_fn=np.tanh),
    case("relu", [(3, 4)], lambda x: x.relu(), np_fn=lambda x: np.maximum(x, 0.0)),
    case("clamp-both", [(3, 4)], lambda x: x.clamp(min=-0.5, max=0.7),
         np_fn=lambda x: np.clip(x, -0.5, 0.7)),
    case("clamp-min", [(3, 4)], lambda x: x.clamp(min=0.1), np_fn=lambda x: np.clip(x, 0.1, None)),
    case("clamp-max", [(3, 4)], lambda x: x.clamp(max=0.3), np_fn=lambda x: np.clip(x, None, 0.3)),
    case("clip", [(3, 4)], lambda x: x.clip(-1.0, 1.0), np_fn=lambda x: np.clip(x, -1.0, 1.0),
         torch_fn=lambda x: x.clip(-1.0, 1.0)),
]

for _shape, _axes in [((3, 4), (-1, 0, 1)), ((2, 3, 4), (1, -3)), ((5,), (0,)), ((1, 4), (0,))]:
    for _ax in _axes:
        UNARY_CASES += [
            case(f"softmax{list(_shape)}-axis{_ax}", [_shape],
                 lambda x, a=_ax: x.softmax(axis=a),
                 np_fn=lambda x, a=_ax: _np_softmax(x, a),
                 torch_fn=lambda x, a=_ax: x.softmax(dim=a)),
            case(f"log_softmax{list(_shape)}-axis{_ax}", [_shape],
                 lambda x, a=_ax: x.log_softmax(axis=a),
                 np_fn=lambda x, a=_ax: _np_log_softmax(x, a),
                 torch_fn=lambda x, a=_ax: x.log_softmax(dim=a)),
        ]
UNARY_CASES += [
    case("softmax-default-axis", [(3, 4)], lambda x: x.softmax(),
         np_fn=lambda x: _np_softmax(x, -1), torch_fn=lambda x: x.softmax(dim=-1)),
    case("log_softmax-default-axis", [(3, 4)], lambda x: x.log_softmax(),
         np_fn=lambda x: _np_log_softmax(x, -1), torch_fn=lambda x: x.log_softmax(dim=-1)),
    case("softmax-large-logits", [(2, 3)], lambda x: x.softmax(axis=1),
         np_fn=lambda x: _np_softmax(x, 1), torch_fn=lambda x: x.softmax(dim=1),
         ranges=(500.0, 510.0)),
    case("log_softmax-large-logits", [(2, 3)], lambda x: x.log_softmax(axis=1),
         np_fn=lambda x: _np_log_softmax(x, 1), torch_fn=lambda x: x.log_softmax(dim=1),
         ranges=(500.0, 510.0)),
]

# ----- matmul and dot: NumPy's matmul rules, 1-D and batched included

MATMUL_SHAPES = {
    "1d@1d": ((3,), (3,)),
    "1d@2d": ((3,), (3, 4)),
    "2d@1d": ((2, 3), (3,)),
    "2d@2d": ((2, 3), (3, 4)),
    "column@row": ((3, 1), (1, 4)),
    "batched": ((5, 2, 3), (5, 3, 4)),
    "batched@2d": ((5, 2, 3), (3, 4)),
    "2d@batched": ((2, 3), (5, 3, 4)),
    "broadcast-batched": ((2, 1, 2, 3), (4, 3, 5)),
    "1d@batched": ((3,), (2, 3, 4)),
    "batched@1d": ((2, 4, 3), (3,)),
}

MATMUL_CASES = [
    case(f"matmul-{name}", shapes, lambda a, b: a @ b)
    for name, shapes in MATMUL_SHAPES.items()
] + [
    case(f"dot-{name}", shapes, lambda a, b: a.dot(b), np_fn=lambda a, b: a @ b,
         torch_fn=lambda a, b: a @ b)
    for name, shapes in MATMUL_SHAPES.items()
    if name in ("1d@1d", "1d@2d", "2d@1d", "2d@2d", "batched")
] + [
    case("matmul-const-right", [(2, 3), (3, 4)], lambda a, b: a @ b,
         requires_grad=(True, False)),
    case("matmul-const-left", [(2, 3), (3, 4)], lambda a, b: a @ b,
         requires_grad=(False, True)),
    case("x@array", [(3, 4)], lambda x: x @ W, torch_fn=lambda x: x @ T(W), out_f64=True),
    case("array@x", [(4, 2)], lambda x: MAT @ x, torch_fn=lambda x: T(MAT) @ x,
         out_f64=True),
    case("array@x-1d", [(4,)], lambda x: MAT @ x, torch_fn=lambda x: T(MAT) @ x,
         out_f64=True),
    case("x.dot(array)", [(3, 4)], lambda x: x.dot(W), np_fn=lambda x: x.dot(W),
         torch_fn=lambda x: x @ T(W), out_f64=True),
    case("matmul-method", [(2, 3), (3, 4)], lambda a, b: a.matmul(b),
         np_fn=lambda a, b: a @ b),
]

# ----- reductions: every axis (None, each int, negative, tuples) x keepdims


def _dims(axis: Any, ndim: int) -> tuple[int, ...]:
    """PyTorch's dim for NumPy's axis (torch reads dim=() as 'all dims' too, but be explicit)."""
    if axis is None:
        return tuple(range(ndim))
    return (axis,) if isinstance(axis, int) else tuple(axis)


REDUCTION_AXES = {
    (2, 3, 4): [None, 0, 1, 2, -1, -3, (0, 1), (0, 2), (1, 2), (-1, 0), (0, 1, 2)],
    (5,): [None, 0, -1],
    (): [None],
}

REDUCTION_CASES = [
    case(
        f"{op}{list(shape)}-axis{axis if axis is None or isinstance(axis, int) else list(axis)}"
        f"{'-keepdims' if keep else ''}",
        [shape],
        lambda x, op=op, axis=axis, keep=keep: getattr(x, op)(axis=axis, keepdims=keep),
        np_fn=lambda x, op=op, axis=axis, keep=keep: getattr(np, op)(x, axis=axis,
                                                                     keepdims=keep),
        torch_fn=lambda x, op=op, axis=axis, keep=keep: getattr(
            x, "amax" if op == "max" else op)(dim=_dims(axis, x.ndim), keepdim=keep),
    )
    for op in ("sum", "mean", "max")
    for shape, axes in REDUCTION_AXES.items()
    for axis in axes
    for keep in (False, True)
] + [
    case("sum-default", [(3, 4)], lambda x: x.sum()),
    case("mean-default", [(3, 4)], lambda x: x.mean()),
    case("max-default", [(3, 4)], lambda x: x.max(), torch_fn=lambda x: x.amax(dim=(0, 1))),
    case("sum-positional-axis", [(3, 4)], lambda x: x.sum(1), torch_fn=lambda x: x.sum(dim=1)),
]

# ----- shapes: reshape, transpose/permute, .T, swapaxes, broadcast_to, astype

SHAPE_CASES = [
    case("reshape-ints", [(2, 3, 4)], lambda x: x.reshape(6, 4)),
    case("reshape-tuple", [(2, 3, 4)], lambda x: x.reshape((4, 6))),
    case("reshape-list", [(2, 3, 4)], lambda x: x.reshape([3, 8])),
    case("reshape--1", [(2, 3, 4)], lambda x: x.reshape(-1)),
    case("reshape-2,-1", [(2, 3, 4)], lambda x: x.reshape(2, -1)),
    case("reshape--1,3,2,2", [(2, 3, 4)], lambda x: x.reshape(-1, 3, 2, 2)),
    case("reshape-to-0d", [(1, 1)], lambda x: x.reshape(())),
    case("reshape-from-0d", [()], lambda x: x.reshape(1, 1)),
    case("view", [(2, 6)], lambda x: x.view(3, 4), np_fn=lambda x: x.reshape(3, 4)),
    case("flatten", [(2, 3)], lambda x: x.flatten()),
] + [
    case(f"transpose{p}", [(2, 3, 4)], lambda x, p=p: x.transpose(*p),
         torch_fn=lambda x, p=p: x.permute(*p))
    for p in itertools.permutations(range(3))
] + [
    case(f"permute{p}", [(2, 3, 4)], lambda x, p=p: x.permute(*p),
         np_fn=lambda x, p=p: x.transpose(*p))
    for p in [(1, 2, 0), (2, 0, 1)]
] + [
    case("transpose-none-reverses", [(2, 3, 4)], lambda x: x.transpose(),
         torch_fn=lambda x: x.permute(2, 1, 0)),
    case("transpose-tuple", [(2, 3, 4)], lambda x: x.transpose((2, 0, 1)),
         torch_fn=lambda x: x.permute(2, 0, 1)),
    case("transpose-negative-axes", [(2, 3, 4)], lambda x: x.transpose(-1, 0, 1),
         torch_fn=lambda x: x.permute(-1, 0, 1)),
    case("transpose-2d", [(3, 4)], lambda x: x.transpose(), torch_fn=lambda x: x.t()),
    case(".T-2d", [(3, 4)], lambda x: x.T),
    case(".T-3d-reverses", [(2, 3, 4)], lambda x: x.T, torch_fn=lambda x: x.permute(2, 1, 0)),
    case(".T-1d-is-a-no-op", [(4,)], lambda x: x.T, torch_fn=lambda x: x),
    case(".T-0d", [()], lambda x: x.T, torch_fn=lambda x: x),
    case("swapaxes(0,2)", [(2, 3, 4)], lambda x: x.swapaxes(0, 2)),
    case("swapaxes(-1,-2)", [(2, 3, 4)], lambda x: x.swapaxes(-1, -2)),
    case("swapaxes(1,1)", [(2, 3, 4)], lambda x: x.swapaxes(1, 1)),
    case("broadcast_to-row", [(3,)], lambda x: x.broadcast_to(2, 3),
         np_fn=lambda x: np.broadcast_to(x, (2, 3)), torch_fn=lambda x: x.broadcast_to((2, 3))),
    case("broadcast_to-column", [(3, 1)], lambda x: x.broadcast_to((3, 4)),
         np_fn=lambda x: np.broadcast_to(x, (3, 4))),
    case("broadcast_to-0d", [()], lambda x: x.broadcast_to((2, 3)),
         np_fn=lambda x: np.broadcast_to(x, (2, 3))),
    case("broadcast_to-both", [(2, 1, 4)], lambda x: x.broadcast_to((3, 2, 5, 4)),
         np_fn=lambda x: np.broadcast_to(x, (3, 2, 5, 4))),
    case("broadcast_to-size-one", [(1,)], lambda x: x.broadcast_to((2, 3, 5)),
         np_fn=lambda x: np.broadcast_to(x, (2, 3, 5))),
    case("broadcast_to-same", [(2, 3)], lambda x: x.broadcast_to((2, 3)),
         np_fn=lambda x: np.broadcast_to(x, (2, 3))),
    case("astype-float64", [(2, 3)], lambda x: x.astype(np.float64) * 2.0,
         torch_fn=lambda x: x.to(torch.float64) * 2.0, out_f64=True),
]

# ----- __getitem__: basic and integer-array indexing (repeated indices add up)


def _torch_index(index: Any) -> Any:
    if isinstance(index, tuple):
        return tuple(_torch_index(i) for i in index)
    if isinstance(index, list | np.ndarray):
        return torch.as_tensor(np.asarray(index))
    return index


def index_case(case_id: str, shape: tuple[int, ...], index: Any, **kw: Any) -> Any:
    kw.setdefault("torch_fn", lambda x: x[_torch_index(index)])
    return case(f"getitem-{case_id}", [shape], lambda x: x[index], **kw)


INDEX_CASES = [
    index_case("int", (4, 5), 1),
    index_case("negative-int", (4, 5), -1),
    index_case("int-pair-0d", (4, 5), (1, 2)),
    index_case("slice", (4, 5), slice(1, 3)),
    index_case("step", (4, 5), (slice(None), slice(None, None, 2))),
    index_case("negative-step", (4, 5), slice(None, None, -1),
               torch_fn=lambda x: x.flip(0)),
    index_case("ellipsis", (2, 3, 4), (Ellipsis, 1)),
    index_case("newaxis", (4, 5), (None, slice(1, 3))),
    index_case("int-and-slice", (2, 3, 4), (1, slice(0, 2), -1)),
    index_case("int-array", (4, 5), np.array([0, 2, 3])),
    index_case("int-list-repeats", (4, 5), [0, 2, 0, 0]),
    index_case("negative-int-array", (4, 5), np.array([-1, -1, 0])),
    index_case("int-array-2d", (4, 5), np.array([[0, 1], [1, 1]])),
    index_case("array-pairs-repeats", (4, 5), (np.array([0, 1, 1]), np.array([2, 2, 2]))),
    index_case("column-array-repeats", (4, 5), (slice(None), [1, 1, 3])),
    index_case("array-then-slice", (4, 5), (np.array([3, 3]), slice(1, 4))),
    index_case("array-middle", (2, 3, 4), (slice(None), np.array([2, 0, 2]), slice(None))),
    index_case("bool-mask", (4, 5), np.array([True, False, True, True])),
]

CASES = (BINARY_CASES + SCALAR_CASES + ARRAY_CASES + UNARY_CASES + MATMUL_CASES
         + REDUCTION_CASES + SHAPE_CASES + INDEX_CASES)


# --------------------------------------------------------------------------- table-driven


@pytest.mark.parametrize("c", CASES)
def test_forward(c: Case) -> None:
    check_forward(c.fn, c.np_fn or c.fn, c.arrays())


@pytest.mark.parametrize("c", CASES)
def test_gradcheck(c: Case) -> None:
    check_gradcheck(c.fn, c.arrays(), c.requires_grad)


@requires_torch
@pytest.mark.parametrize("c", CASES)
def test_matches_torch(c: Case) -> None:
    check_against_torch(c.fn, c.torch_fn or c.fn, c.arrays(), c.requires_grad)


@pytest.mark.parametrize("c", CASES)
def test_float32_stays_float32(c: Case) -> None:
    """float32 in, float32 out (unless the case says otherwise), and float32 gradients."""
    flags = c.requires_grad or (True,) * len(c.shapes)
    a32 = c.arrays(np.float32)
    xs = [Tensor(a, requires_grad=f) for a, f in zip(a32, flags, strict=True)]
    assert all(x.dtype == np.float32 for x in xs)
    out = c.fn(*xs)
    assert out.dtype == (np.float64 if c.out_f64 else np.float32), out.dtype
    out.backward(np.ones(out.shape))
    # The same op in float64 on the same (float32-representable) values.
    xs64 = [Tensor(a.astype(np.float64), requires_grad=f) for a, f in zip(a32, flags, strict=True)]
    out64 = c.fn(*xs64)
    out64.backward(np.ones(out64.shape))
    np.testing.assert_allclose(out.data, out64.data, rtol=1e-5, atol=1e-5)
    for x, x64 in zip(xs, xs64, strict=True):
        if not x.requires_grad:
            continue
        assert x.grad is not None
        assert x.grad.dtype == np.float32, x.grad.dtype
        assert x.grad.data.dtype == np.float32
        assert x.grad.shape == x.shape
        np.testing.assert_allclose(x.grad.data, x64.grad.data, rtol=1e-5, atol=1e-5)


def test_table_covers_every_op() -> None:
    """A guard against the table losing an op: each public op name appears in some id."""
    ids = " ".join(p.id for p in CASES)
    for name in ["add", "sub", "mul", "div", "pow", "neg", "matmul", "dot", "sum", "mean",
                 "max", "reshape", "transpose", "permute", ".T", "exp", "log", "sqrt", "abs",
                 "sigmoid", "tanh", "relu", "softmax", "log_softmax", "getitem", "clamp",
                 "broadcast_to", "swapaxes", "astype", "x**2", "2**x", "row+x"]:
        assert name in ids, name


# --------------------------------------------------------------------------- dtypes

MIXED_OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "matmul": lambda a, b: a @ b.T,
}


@pytest.mark.parametrize("order", ["f32-op-f64", "f64-op-f32"])
@pytest.mark.parametrize("op", list(MIXED_OPS), ids=list(MIXED_OPS))
def test_float32_with_float64_gives_float64(op: str, order: str) -> None:
    a, b = make_inputs([(3, 4), (3, 4)], ranges=POS)
    d1, d2 = (np.float32, np.float64) if order == "f32-op-f64" else (np.float64, np.float32)
    x = Tensor(a, dtype=d1, requires_grad=True)
    y = Tensor(b, dtype=d2, requires_grad=True)
    out = MIXED_OPS[op](x, y)
    assert out.dtype == np.float64
    out.sum().backward()
    assert x.grad.dtype == d1 and y.grad.dtype == d2  # a gradient has its tensor's dtype


def test_float32_with_float64_array_gives_float64() -> None:
    x = Tensor(np.ones(4, dtype=np.float32), requires_grad=True)
    out = x * np.full(4, 2.0)
    assert out.dtype == np.float64
    out.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.data, np.full(4, 2.0, dtype=np.float32))


SCALARS = {
    "int": 3,
    "float": 2.5,
    "np.float64": np.float64(2.5),
    "np.float32": np.float32(2.5),
    "np.int64": np.int64(3),
}

SCALAR_OPS = {
    "x+c": lambda x, c: x + c,
    "c+x": lambda x, c: c + x,
    "x-c": lambda x, c: x - c,
    "c-x": lambda x, c: c - x,
    "x*c": lambda x, c: x * c,
    "c*x": lambda x, c: c * x,
    "x/c": lambda x, c: x / c,
    "c/x": lambda x, c: c / x,
    "x**c": lambda x, c: x**c,
    "c**x": lambda x, c: c**x,
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("scalar", list(SCALARS.values()), ids=list(SCALARS))
@pytest.mark.parametrize("op", list(SCALAR_OPS.values()), ids=list(SCALAR_OPS))
def test_scalars_never_change_dtype(op: Callable[..., Any], scalar: Any, dtype: Any) -> None:
    """A Python or NumPy scalar is weakly typed: the tensor's dtype wins, in both directions."""
    x = Tensor([0.5, 1.0, 2.0], dtype=dtype, requires_grad=True)
    out = op(x, scalar)
    assert isinstance(out, Tensor)
    assert out.dtype == dtype
    expected = op(x.data.astype(np.float64), float(scalar))
    np.testing.assert_allclose(out.data, expected, rtol=1e-6 if dtype == np.float32 else 1e-15)
    out.sum().backward()
    assert x.grad.dtype == dtype


def test_astype_casts_forward_and_casts_the_gradient_back() -> None:
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.astype(np.float32)
    assert y.dtype == np.float32 and y.requires_grad
    (y * Tensor([1.0, 2.0, 3.0], dtype=np.float32)).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad.data, [1.0, 2.0, 3.0])

    x32 = Tensor([1.0, 2.0], dtype=np.float32, requires_grad=True)
    y64 = x32.astype(np.float64)
    assert y64.dtype == np.float64
    (y64 * Tensor([0.1, 0.2])).sum().backward()
    assert x32.grad.dtype == np.float32
    np.testing.assert_array_equal(x32.grad.data, np.array([0.1, 0.2], dtype=np.float32))


def test_astype_to_the_same_dtype_is_the_tensor_itself() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    assert x.astype(np.float64) is x


# --------------------------------------------------------------------------- kinks


def grads_of(fn: Callable[[Tensor], Tensor], values: Any) -> np.ndarray:
    x = Tensor(values, requires_grad=True)
    fn(x).sum().backward()
    assert x.grad is not None
    return x.grad.data


def test_relu_derivative_at_zero_is_zero() -> None:
    np.testing.assert_array_equal(grads_of(lambda x: x.relu(), [-1.0, 0.0, 2.0]), [0, 0, 1])


def test_abs_derivative_at_zero_is_zero() -> None:
    np.testing.assert_array_equal(grads_of(lambda x: x.abs(), [-1.0, 0.0, 2.0]), [-1, 0, 1])


def test_max_splits_the_gradient_among_ties() -> None:
    np.testing.assert_array_equal(grads_of(lambda x: x.max(), [1.0, 3.0, 3.0]), [0, 0.5, 0.5])
    np.testing.assert_allclose(grads_of(lambda x: x.max(), [2.0, 2.0, 2.0]), [1 / 3] * 3,
                               rtol=1e-15)


@pytest.mark.parametrize("keepdims", [False, True])
def test_max_splits_ties_per_slice(keepdims: bool) -> None:
    m = [[1.0, 3.0, 3.0], [2.0, 2.0, 0.0], [5.0, 4.0, 4.0]]
    np.testing.assert_array_equal(
        grads_of(lambda x: x.max(axis=1, keepdims=keepdims), m),
        [[0, 0.5, 0.5], [0.5, 0.5, 0], [1, 0, 0]],
    )
    np.testing.assert_array_equal(
        grads_of(lambda x: x.max(axis=0, keepdims=keepdims), m),
        [[0, 0, 0], [0, 0, 0], [1, 1, 1]],
    )
    np.testing.assert_array_equal(
        grads_of(lambda x: x.max(axis=(0, 1), keepdims=keepdims), [[5.0, 1.0], [0.0, 5.0]]),
        [[0.5, 0], [0, 0.5]],
    )


def test_max_tie_gradient_weights_the_upstream_gradient() -> None:
    x = Tensor([[1.0, 3.0, 3.0], [4.0, 4.0, 4.0]], requires_grad=True)
    x.max(axis=1).backward(np.array([2.0, 6.0]))
    np.testing.assert_array_equal(x.grad.data, [[0, 1, 1], [2, 2, 2]])


def test_clamp_gradient_is_one_on_the_bounds() -> None:
    """Values equal to a bound pass the gradient (as PyTorch's clamp does)."""
    g = grads_of(lambda x: x.clamp(-0.5, 0.5), [-1.0, -0.5, 0.0, 0.5, 1.0])
    np.testing.assert_array_equal(g, [0, 1, 1, 1, 0])


def test_pow_zero_exponent_has_zero_gradient_at_zero() -> None:
    g = grads_of(lambda x: x**0, [0.0, 2.0, -1.0])
    np.testing.assert_array_equal(g, [0.0, 0.0, 0.0])


@pytest.mark.parametrize("kind", ["tensor", "array"])
def test_pow_zero_exponent_array_has_zero_gradient_at_zero(kind: str) -> None:
    """As with a scalar 0 exponent (and as PyTorch): d(x**0)/dx = 0 at x = 0, not nan."""
    exponent = np.array([0.0, 1.0, 2.0])
    e = Tensor(exponent) if kind == "tensor" else exponent
    g = grads_of(lambda x: x**e, [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(g, [0.0, 1.0, 0.0])


def test_zero_base_gradient_wrt_exponent_is_zero() -> None:
    """d(0**b)/db = 0 for b > 0 (0**b is constant there), as PyTorch; not 0*log(0) = nan."""
    b = Tensor([1.0, 2.0, 0.5], requires_grad=True)
    (0.0 ** b).sum().backward()
    np.testing.assert_array_equal(b.grad.data, [0.0, 0.0, 0.0])
    b2 = Tensor([2.0, 2.0], requires_grad=True)
    (Tensor([0.0, 3.0]) ** b2).sum().backward()
    np.testing.assert_allclose(b2.grad.data, [0.0, 9.0 * np.log(3.0)], rtol=1e-15)


@pytest.mark.parametrize("method, value", [("softmax", 1.0), ("log_softmax", 0.0)])
def test_softmax_of_a_0d_tensor(method: str, value: float) -> None:
    """PyTorch reads dim=-1 of a 0-d tensor as its only element: softmax is 1, grad 0."""
    x = Tensor(1.5, requires_grad=True)
    out = getattr(x, method)()
    assert out.shape == ()
    assert out.item() == value
    out.backward()
    assert x.grad.item() == 0.0


@requires_torch
@pytest.mark.parametrize(
    "fn, torch_fn, values",
    [
        pytest.param(lambda x: x.relu(), lambda x: x.relu(), [-1.0, 0.0, 2.0], id="relu"),
        pytest.param(lambda x: x.abs(), lambda x: x.abs(), [-1.0, 0.0, 2.0], id="abs"),
        pytest.param(lambda x: x.max(), lambda x: x.amax(), [1.0, 3.0, 3.0], id="max"),
        pytest.param(lambda x: x.max(axis=1), lambda x: x.amax(dim=1),
                     [[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], id="max-axis"),
        pytest.param(lambda x: x.clamp(-0.5, 0.5), lambda x: x.clamp(-0.5, 0.5),
                     [-1.0, -0.5, 0.0, 0.5, 1.0], id="clamp"),
        pytest.param(lambda x: x**0, lambda x: x**0, [0.0, 2.0], id="pow0"),
    ],
)
def test_kinks_match_torch(fn: Any, torch_fn: Any, values: Any) -> None:
    check_against_torch(fn, torch_fn, [np.array(values)])


# --------------------------------------------------------------------------- indexing


def test_repeated_indices_add_up() -> None:
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 0.0, 1.0])


def test_repeated_indices_add_up_weighted() -> None:
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x[np.array([0, 0])] * Tensor([2.0, 5.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [7.0, 0.0, 0.0])


def test_repeated_index_pairs_add_up_in_2d() -> None:
    x = Tensor(np.zeros((2, 3)), requires_grad=True)
    x[[1, 1, 0], [2, 2, 2]].backward(np.array([1.0, 10.0, 100.0]))
    np.testing.assert_array_equal(x.grad.data, [[0, 0, 100], [0, 0, 11]])


def test_index_with_a_tensor_of_whole_numbers() -> None:
    (a,) = make_inputs([(4, 3)])
    idx = Tensor([3.0, 0.0, 3.0])
    check_forward(lambda x: x[idx], lambda x: x[np.array([3, 0, 3])], [a])
    check_gradcheck(lambda x: x[idx], [a])


def test_basic_index_gradient_lands_in_place() -> None:
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    x[1, 1:].backward(np.array([5.0, 7.0]))
    np.testing.assert_array_equal(x.grad.data, [[0, 0, 0], [0, 5, 7]])


# --------------------------------------------------------------------------- comparisons

CMP = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}
OTHERS = {
    "scalar": lambda: 1.0,
    "tensor": lambda: Tensor([[1.0, 0.0, 3.0]]),
    "array": lambda: np.array([1.0, 0.0, 3.0]),
    "column-array": lambda: np.array([[1.0], [2.0]]),
}


@pytest.mark.parametrize("other", list(OTHERS), ids=list(OTHERS))
@pytest.mark.parametrize("op", list(CMP), ids=list(CMP))
def test_comparisons_return_plain_bool_arrays(op: str, other: str) -> None:
    a = np.array([[1.0, 2.0, 3.0], [0.0, 1.0, 5.0]])
    x = Tensor(a, requires_grad=True)
    o = OTHERS[other]()
    result = CMP[op](x, o)
    # An np.ndarray (BoolArray, a subclass that adds PyTorch's .float()/.long()), not a Tensor.
    assert isinstance(result, np.ndarray) and not isinstance(result, Tensor), type(result)
    assert result.dtype == np.bool_
    np.testing.assert_array_equal(result, CMP[op](a, o.data if isinstance(o, Tensor) else o))


def test_comparison_masks_convert_as_pytorch_does() -> None:
    pred = Tensor([0, 2, 1, 1], dtype=np.int64)
    y = Tensor([0, 1, 1, 1], dtype=np.int64)
    hits = pred == y
    accuracy = hits.float().mean()
    assert isinstance(accuracy, Tensor) and accuracy.item() == 0.75
    assert hits.sum().item() == 3 and hits.long().dtype == np.int64
    assert hits.sum(dim=0) == 3 and not hits.all() and hits.any(dim=0)
    np.testing.assert_array_equal(np.where(hits, 1, 0), [1, 0, 1, 1])


@pytest.mark.parametrize("op", list(CMP), ids=list(CMP))
def test_reflected_comparisons_with_arrays(op: str) -> None:
    a = np.array([1.0, 2.0, 3.0])
    b = np.array([2.0, 2.0, 2.0])
    result = CMP[op](b, Tensor(a))
    assert isinstance(result, np.ndarray) and result.dtype == np.bool_
    np.testing.assert_array_equal(result, CMP[op](b, a))


# --------------------------------------------------------------------------- gradcheck itself


def test_gradcheck_sees_every_input_of_a_binary_op() -> None:
    """A sanity check of the machinery above: both inputs' Jacobians are compared."""
    a, b = make_inputs([(2, 3), (3,)])
    x, y = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    report = gradcheck(lambda p, q: p * q, x, y)
    assert report
    assert report.n_checked == 6 * 6 + 6 * 3


def test_check_op_in_one_line() -> None:
    """The shared helper as other test files use it: shapes, the op, and the oracles."""
    check_op([(3, 4), (4,)], lambda a, b: (a * b).sum(axis=0))
    check_op([(2, 3)], lambda x: x.log().mean(axis=1), np_fn=lambda x: np.log(x).mean(axis=1),
             torch_fn=lambda x: x.log().mean(dim=1), ranges=POS)


def test_check_op_catches_a_wrong_reference() -> None:
    """The helper is checked too: a forward that differs from the oracle fails."""
    with pytest.raises(AssertionError):
        check_op([(3,)], lambda x: x * 2.0, np_fn=lambda x: x * 2.0000001)


def test_comparison_masks_take_pytorchs_tensor_methods_and_refuse_ambiguity() -> None:
    lengths = Tensor([2, 3], dtype=np.int64)
    mask = Tensor(np.arange(4), dtype=np.int64)[None, :] < lengths[:, None]
    assert mask.unsqueeze(-1).shape == (2, 4, 1) and mask.expand(2, 2, 4).shape == (2, 2, 4)
    assert mask.size(0) == 2 and mask.size == 8 and mask.view(-1).shape == (8,)
    assert mask.view(np.uint8).dtype == np.uint8  # NumPy's view(dtype) stays
    assert repr(mask[0]) == "tensor([ True,  True, False, False])"  # printed as PyTorch's
    np.testing.assert_array_equal(np.nonzero(mask)[1], [0, 1, 0, 1, 2])  # NumPy's function
    with pytest.raises(TypeError, match="np.nonzero"):
        mask.nonzero()  # NumPy's tuple or PyTorch's (k, 2) tensor: the call must say which
    with pytest.raises(TypeError, match="axis="):
        mask.repeat(2, 1)
    np.testing.assert_array_equal(mask.repeat(2, axis=0).shape, (4, 4))
