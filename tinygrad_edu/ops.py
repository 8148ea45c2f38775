"""Every operation of the engine: forward and backward side by side.

Each op is a ``Function``: ``forward`` computes on NumPy arrays, ``backward`` maps the
gradient of the output (``grad``, the documents' "delta" arriving from above) to one
gradient per input. The comment just above each op is its derivative in the documents'
notation; ``draw_graph(show_rules=True)`` shows that same comment on the op's node.

Backward rules are written with operators and methods that ``np.ndarray`` and ``Tensor``
share (``*``, ``@``, ``.sum``, ``.reshape``, ``.swapaxes``) plus the few helpers below
(``_exp``, ``_log``, ``_broadcast``). On the ordinary path they run on plain arrays and cost
no graph; with ``create_graph=True`` the engine hands them tensors, so the very same rule
records a graph and can be differentiated again.

A rule may return a gradient in the broadcast shape of the output: the engine sums it back
to the input's shape in one place (``autograd._sum_to``).
"""

from __future__ import annotations

import collections
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .tensor import Context, Function, Tensor, is_grad_enabled, note_view

# --------------------------------------------------------------------------- helpers
# These dispatch on the type of the gradient: arrays on the first-order path, tensors
# (recording a graph) when create_graph=True.


def _exp(x: Any) -> Any:
    return x.exp() if isinstance(x, Tensor) else np.exp(x)


def _log(x: Any) -> Any:
    return x.log() if isinstance(x, Tensor) else np.log(x)


def _broadcast(g: Any, shape: tuple[int, ...]) -> Any:
    if isinstance(g, Tensor):
        return g.broadcast_to(shape)
    # A fresh array rather than np.broadcast_to's read-only view: it is ~6x cheaper here, and
    # the gradient stored from it needs no copy.
    out = np.empty(shape, dtype=g.dtype)
    out[...] = g
    return out


class DimError(IndexError, ValueError):
    """A dim out of range: PyTorch raises IndexError, NumPy an AxisError (a ValueError)."""


def normalize_axis(op: str, axis: int | Sequence[int] | None, ndim: int) -> tuple[int, ...]:
    """Axes as a sorted tuple of non-negative ints (all axes for ``None``)."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int | np.integer):
        axes: tuple[Any, ...] = (axis,)
    elif isinstance(axis, tuple | list):
        axes = tuple(axis)
    else:
        raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {axis!r}")
    out = []
    n = max(ndim, 1)  # as PyTorch: a 0-d tensor accepts axis 0 and -1
    for a in axes:
        if not isinstance(a, int | np.integer):
            raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {axis!r}")
        if not -n <= a < n:
            raise DimError(f"{op}: dim {a} is out of range for a tensor with {ndim} dims "
                           f"(expected a dim in [{-n}, {n - 1}])")
        out.append(int(a) % n)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {axis!r}")
    return tuple(sorted(out)) if ndim else ()  # a 0-d tensor has no axis to reduce


def _kept_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """The shape of a reduction over ``axes`` with keepdims=True."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def normalize_index(index: Any) -> Any:
    """Turn tensors and lists inside an index into integer or boolean arrays."""
    if isinstance(index, tuple):
        return tuple(_index_part(i) for i in index)
    return _index_part(index)


def _index_part(i: Any) -> Any:
    if isinstance(i, Tensor):
        i = i.data
        if i.dtype.kind == "f":
            if not np.all(np.isfinite(i)) or not np.all(i == np.round(i)):
                raise IndexError("getitem: a tensor used as an index must hold whole numbers")
            return i.astype(np.intp)
    if isinstance(i, list):
        i = np.asarray(i) if i else np.zeros(0, dtype=np.intp)  # x[[]]: no element, as NumPy
        if i.dtype.kind == "f":
            raise IndexError(f"getitem: index arrays must be integers or booleans, got {i.dtype}")
    return i


def _is_basic(index: Any) -> bool:
    """Basic indexing (ints, slices, None, ...) never picks an element twice."""
    parts = index if isinstance(index, tuple) else (index,)
    return not any(isinstance(p, np.ndarray) for p in parts)


# --------------------------------------------------------------------------- elementwise

# Largest argument of exp that does not overflow, by dtype: float64 ('d'), float32 ('f').
# (An integer input's result is float64: the float64 cap.)
_EXP_CAP: dict[str, float] = collections.defaultdict(lambda: 709.0, {"d": 709.0, "f": 88.0})


# add: d(a+b)/da = 1, d(a+b)/db = 1
class Add(Function):
    elementwise = True

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        return a + b

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        return grad, grad


# sub: d(a-b)/da = 1, d(a-b)/db = -1   (the documents' l2_error = y - l2)
class Sub(Function):
    elementwise = True

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        return a - b

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        return grad, (-grad if ctx.needs_input_grad[1] else None)


# neg: d(-a)/da = -1
class Neg(Function):
    elementwise = True

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        return -a

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        return -grad


# mul: d(a*b)/da = b, d(a*b)/db = a   (weight_delta = input * delta)
class Mul(Function):
    elementwise = True

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (grad * b if need_a else None), (grad * a if need_b else None)

    @staticmethod
    def saved_used(ctx: Context) -> tuple[bool, ...]:
        need_a, need_b = ctx.needs_input_grad  # a is read for b's gradient, b for a's
        return need_b, need_a


# div: d(a/b)/da = 1/b, d(a/b)/db = -a/b**2 = -out/b
class Div(Function):
    elementwise = True

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        out = a / b
        ctx.save_for_backward(b, out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        b, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        grad_a = grad / b
        return (grad_a if need_a else None), (-grad_a * out if need_b else None)


# pow: d(a**b)/da = b * a**(b-1), d(a**b)/db = out * log(a)
class Pow(Function):
    elementwise = True

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        out = np.power(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        a, b, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        grad_a = grad_b = None
        if need_a:
            if type(b) is float or type(b) is int:  # (apply passes Python numbers through)
                # A number exponent (the loss's **2): the slope b*a**(b-1) costs one array
                # product fewer, and a**1, a**0 none. a**0 is the constant 1: its gradient is
                # an exact 0, even under a nan upstream gradient (as PyTorch's).
                if b == 0:
                    return np.zeros(tuple(a.shape), dtype=a.dtype), None
                slope = 1.0 if b == 1 else b * a if b == 2 else b * a ** (b - 1)
                grad_a = grad * slope
            else:
                # Where b == 0 and a == 0, a**b is the constant 1: its slope is 0, where
                # b * a**(b-1) would be 0 * inf. Raising a to b - 1 + 1 there keeps it finite
                # (only there: elsewhere the guard would change the slope's derivative in b).
                grad_a = grad * b * a ** (b - 1 + ((b == 0) & (a == 0)))
        if need_b:
            # Where a == 0 (and b > 0), out = 0 and the slope in b is 0, not 0 * log(0):
            # log(a + 1) = 0 there.
            grad_b = grad * out * _log(a + (a == 0))
        return grad_a, grad_b


# exp: d = out
class Exp(Function):
    elementwise = True

    @staticmethod
    def forward(ctx: Context, x: Any) -> Any:
        out = np.exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        return grad * out


# log: d = 1/x
class Log(Function):
    elementwise = True

    @staticmethod
    def forward(ctx: Context, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad / x


# sqrt: d = 1/(2*out)
class Sqrt(Function):
    elementwise = True

    @staticmethod
    def forward(ctx: Context, x: Any) -> Any:
        out = np.sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        return grad / (out * 2.0)


# abs: d = sign(x), 0 at x == 0
class Abs(Function):
    elementwise = True

    @staticmethod
    def forward(ctx: Context, x: Any) -> Any:
        ctx.save_for_backward(np.sign(x))
        return np.abs(x)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (sign,) = ctx.saved_tensors
        return grad * sign


# sigmoid: d = out*(1-out), as nonlin(x, deriv=True)
class Sigmoid(Function):
    elementwise = True

    @staticmethod
    def forward(ctx: Context, x: Any) -> Any:
        # The documents' nonlin(x): 1/(1+exp(-x)). exp(-x) would overflow for x < -709
        # (float64); capping -x there changes only results below the smallest normal float,
        # and costs less than silencing the warning with np.errstate.
        out = 1.0 / (1.0 + np.exp(np.minimum(-x, _EXP_CAP[x.dtype.char])))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        return grad * out * (1.0 - out)


# tanh: d = 1 - out**2
class Tanh(Function):
    elementwise = True

    @staticmethod
    def forward(ctx: Context, x: Any) -> Any:
        out = np.tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        return grad * (1.0 - out * out)


# relu: d = 1 where out > 0 (where x > 0), else 0 (0 at the kink)
class ReLU(Function):
    elementwise = True

    @staticmethod
    def forward(ctx: Context, x: Any) -> Any:
        out = np.maximum(x, 0.0).astype(x.dtype, copy=False)
        ctx.save_for_backward(out)  # the output, as PyTorch saves it
        return out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        return _where(out > 0, grad, 0.0)  # an exact 0 where x <= 0, even for a nan grad


# clamp: d = 1 where low <= x <= high, else 0
class Clamp(Function):
    elementwise = True

    @staticmethod
    def forward(ctx: Context, x: Any, low: float | None = None, high: float | None = None) -> Any:
        inside = np.ones(x.shape, dtype=bool)  # where d = 1
        if low is not None:
            inside &= x >= low
        if high is not None:
            inside &= x <= high
        ctx.save_for_backward(inside)
        return np.clip(x, low, high)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (inside,) = ctx.saved_tensors
        return _where(inside, grad, 0.0)  # an exact 0 where clamped, even for a nan grad


# cast: d = 1 (the gradient is cast back to the input's dtype by the engine)
class Cast(Function):
    elementwise = True

    @staticmethod
    def forward(ctx: Context, x: Any, dtype: np.dtype) -> Any:
        return x.astype(dtype)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        return grad


# --------------------------------------------------------------------------- matmul


# matmul: d(a@b)/da = grad @ b.T, d(a@b)/db = a.T @ grad   (syn0 += l0.T.dot(l1_delta))
class MatMul(Function):
    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(
                f"matmul: both operands need at least 1 dimension, got shapes {a.shape} and "
                f"{b.shape} (use * to multiply by a scalar)"
            )
        k_a = a.shape[-1]
        k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
        if k_a != k_b:
            raise ValueError(
                f"matmul: shapes {a.shape} and {b.shape} do not align ({k_a} != {k_b})"
            )
        try:
            return a @ b
        except ValueError:  # the batch dimensions do not broadcast
            raise ValueError(
                f"matmul: batch dimensions of shapes {a.shape} and {b.shape} do not broadcast"
            ) from None

    @staticmethod
    def saved_used(ctx: Context) -> tuple[bool, ...]:
        need_a, need_b = ctx.needs_input_grad  # a is read for b's gradient, b for a's
        return need_b, need_a

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        if a.ndim == 2 and b.ndim == 2:  # two matrices, the documents' np.dot
            return (grad @ b.T if need_a else None), (a.T @ grad if need_b else None)
        if a.ndim == 1 and b.ndim == 1:  # inner product: a scalar out
            return (grad * b if need_a else None), (grad * a if need_b else None)
        # A 1-D operand is a row (left) or a column (right) matrix whose extra axis is dropped
        # from the result, as NumPy does; put that axis back on grad to use the 2-D rule.
        if a.ndim == 1:
            grad = grad[..., None, :]
            a2 = a.reshape(1, -1)
        else:
            a2 = a
        if b.ndim == 1:
            grad = grad[..., None]
            b2 = b.reshape(-1, 1)
        else:
            b2 = b
        grad_a = grad_b = None
        if need_a:
            grad_a = grad @ b2.swapaxes(-1, -2)
            if a.ndim == 1:
                grad_a = grad_a[..., 0, :]
        if need_b:
            grad_b = a2.swapaxes(-1, -2) @ grad
            if b.ndim == 1:
                grad_b = grad_b[..., 0]
        return grad_a, grad_b


# --------------------------------------------------------------------------- reductions


# np.sum's own reduction, without the Python wrapper np.sum puts around it.
_sum: Any = np.add.reduce


# sum: d = 1 for every summed element: grad is copied back along the summed axes
class Sum(Function):
    @staticmethod
    def forward(ctx: Context, x: Any, axis: tuple[int, ...], keepdims: bool) -> Any:
        ctx.in_shape = x.shape
        ctx.axis = axis
        ctx.keepdims = keepdims
        return _sum(x, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        return _broadcast(_with_kept_axes(grad, ctx), ctx.in_shape)


# mean: d = 1/n for each of the n averaged elements
class Mean(Function):
    @staticmethod
    def forward(ctx: Context, x: Any, axis: tuple[int, ...], keepdims: bool) -> Any:
        ctx.in_shape = x.shape
        ctx.axis = axis
        ctx.keepdims = keepdims
        ctx.n = math.prod(x.shape[i] for i in axis)
        if ctx.n == 0:  # the mean of nothing is nan, as in PyTorch (and no gradient flows)
            return np.full(_sum(x, axis=axis, keepdims=keepdims).shape, np.nan, x.dtype)
        # np.mean's own arithmetic (the sum, then one division), without its Python wrapper
        return _sum(x, axis=axis, keepdims=keepdims) / ctx.n

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        if ctx.n == 0:  # an empty input: its gradient is empty too
            return _broadcast(_with_kept_axes(grad, ctx) * 0.0, ctx.in_shape)
        return _broadcast(_with_kept_axes(grad, ctx) / ctx.n, ctx.in_shape)


def _with_kept_axes(grad: Any, ctx: Context) -> Any:
    """A reduction's gradient with the reduced axes put back as 1s, ready to broadcast."""
    if ctx.keepdims or len(ctx.axis) == len(ctx.in_shape):  # kept already, or a 0-d grad
        return grad
    return grad.reshape(_kept_shape(ctx.in_shape, ctx.axis))


# max: d = 1 at the maximum, 0 elsewhere; tied maxima share it evenly (1/count each)
class Max(Function):
    @staticmethod
    def forward(ctx: Context, x: Any, axis: tuple[int, ...], keepdims: bool) -> Any:
        if x.size == 0 and (not axis or any(x.shape[i] == 0 for i in axis)):
            raise ValueError(f"max of an empty selection (shape {x.shape}, dims {axis}): there "
                             "is no largest value")
        m = np.max(x, axis=axis, keepdims=True)
        hit = (x == m) | (np.isnan(x) & np.isnan(m))  # a nan maximum is reached at the nans
        ctx.kept = m.shape
        ctx.save_for_backward((hit / hit.sum(axis=axis, keepdims=True)).astype(x.dtype))
        return m if keepdims else m.reshape([n for i, n in enumerate(x.shape) if i not in axis])

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (share,) = ctx.saved_tensors
        # the other elements (share 0) get an exact 0, even when grad is nan or inf (0 * nan
        # would be nan)
        return _where(share != 0, grad.reshape(ctx.kept) * share, 0.0)


# --------------------------------------------------------------------------- softmax


# softmax: d = out * (grad - sum(grad*out))   along the softmax axis
class Softmax(Function):
    @staticmethod
    def forward(ctx: Context, x: Any, axis: tuple[int, ...]) -> Any:
        if x.size == 0:  # nothing to normalise: an empty result, as PyTorch's
            ctx.axis = axis
            ctx.save_for_backward(x)
            return x.copy()
        e = np.exp(x - np.max(x, axis=axis, keepdims=True))
        out = e / np.sum(e, axis=axis, keepdims=True)
        ctx.axis = axis
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        return out * (grad - (grad * out).sum(axis=ctx.axis, keepdims=True))


# log_softmax: d = grad - softmax * sum(grad),  softmax = exp(out)
class LogSoftmax(Function):
    @staticmethod
    def forward(ctx: Context, x: Any, axis: tuple[int, ...]) -> Any:
        if x.size == 0:  # nothing to normalise: an empty result, as PyTorch's
            ctx.axis = axis
            ctx.save_for_backward(x)
            return x.copy()
        shifted = x - np.max(x, axis=axis, keepdims=True)
        out = shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
        ctx.axis = axis
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        return grad - _exp(out) * grad.sum(axis=ctx.axis, keepdims=True)


# --------------------------------------------------------------------------- shapes


# reshape: d = 1, grad reshaped back
class Reshape(Function):
    @staticmethod
    def forward(ctx: Context, x: Any, shape: tuple[int, ...]) -> Any:
        ctx.in_shape = x.shape
        try:
            out = x.reshape(shape)
        except ValueError:
            raise ValueError(f"reshape: shape {shape} is invalid for a tensor of {x.size} "
                             f"elements (shape {x.shape})") from None
        if out.base is not None:  # a view: x's memory is now shared (see tensor.note_view)
            note_view(x)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        return grad.reshape(ctx.in_shape)


# transpose: d = 1, grad permuted back by the inverse permutation
class Transpose(Function):
    @staticmethod
    def forward(ctx: Context, x: Any, axes: tuple[int, ...]) -> Any:
        if sorted(a % max(x.ndim, 1) for a in axes) != list(range(x.ndim)) or len(axes) != x.ndim:
            raise ValueError(
                f"transpose: axes {axes} are not a permutation of the {x.ndim} axes of shape "
                f"{x.shape}"
            )
        ctx.inverse = tuple(np.argsort([a % x.ndim for a in axes]))
        note_view(x)  # the result is a view of x
        return x.transpose(axes)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        return grad.transpose(ctx.inverse)


# broadcast_to: d = 1 for each copy; the engine sums the copies back
class BroadcastTo(Function):
    @staticmethod
    def forward(ctx: Context, x: Any, shape: tuple[int, ...]) -> Any:
        try:
            return np.broadcast_to(x, shape).copy()
        except ValueError:
            raise ValueError(f"broadcast_to: cannot broadcast shape {x.shape} to {shape}") from None

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        return grad


# getitem: d = 1 for each picked element, added back where it came from
class GetItem(Function):
    @staticmethod
    def forward(ctx: Context, x: Any, index: Any) -> Any:
        ctx.in_shape = x.shape
        ctx.index = index
        out = x[index]
        if not isinstance(out, np.ndarray):
            return np.asarray(out)
        # Basic indexing gives a view, as in PyTorch (x[0].zero_() changes x) unless the graph
        # is recorded (a recorded in-place change of a view is not implemented: a copy there).
        if out.base is not None and not (ctx.needs_input_grad[0] and is_grad_enabled()):
            note_view(x)
            return out
        return out.copy() if out.base is not None else out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        if isinstance(grad, Tensor):
            return IndexAdd.apply(grad, shape=ctx.in_shape, index=ctx.index)
        return IndexAdd.forward(ctx, grad, ctx.in_shape, ctx.index)


# index_add: zeros of `shape` with grad added at index (getitem's backward); d = grad[index]
class IndexAdd(Function):
    @staticmethod
    def forward(ctx: Context, g: Any, shape: tuple[int, ...], index: Any) -> Any:
        ctx.index = index
        out = np.zeros(shape, dtype=g.dtype)
        if _is_basic(index):
            out[index] = g
        else:  # an element picked twice gets both contributions
            np.add.at(out, index, g)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        return grad[ctx.index]


# --------------------------------------------------------------------------- selection and joining
# The four primitives below exist because composition cannot express them (where, cat) or
# would cost too much (cumsum as a product with a triangular matrix is O(n^2); prod as
# exp(sum(log)) fails at zeros and negatives).


def _where(cond: np.ndarray, a: Any, b: Any) -> Any:
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return Where.apply(cond, a, b)
    return np.where(cond, a, b)


# where: d/da = 1 where cond, else 0;  d/db = 0 where cond, else 1   (cond is a constant mask)
class Where(Function):
    elementwise = True

    @staticmethod
    def forward(ctx: Context, cond: Any, a: Any, b: Any) -> Any:
        cond = np.asarray(cond)
        if cond.dtype != np.bool_:
            raise TypeError(f"where: the condition must be boolean, got dtype {cond.dtype}")
        if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and \
                a.dtype.kind != b.dtype.kind:  # an integer side takes the float side's dtype
            if a.dtype.kind == "f":
                b = b.astype(a.dtype)
            elif b.dtype.kind == "f":
                a = a.astype(b.dtype)
        try:
            out = np.where(cond, a, b)
        except ValueError:
            raise ValueError(
                f"where: condition of shape {cond.shape} and values of shapes {np.shape(a)} "
                f"and {np.shape(b)} do not broadcast"
            ) from None
        ctx.cond = cond
        return out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        _, need_a, need_b = ctx.needs_input_grad
        cond = ctx.cond
        return (None, _where(cond, grad, 0.0) if need_a else None,
                _where(cond, 0.0, grad) if need_b else None)


def _slice_along(axis: int, start: int | None, stop: int | None, step: int | None = None
                 ) -> tuple[slice, ...]:
    """The index that takes ``start:stop:step`` along ``axis`` and everything elsewhere."""
    return (slice(None),) * axis + (slice(start, stop, step),)


# cat: d = 1 for each element, so each input gets back its own slice of grad
class Cat(Function):
    @staticmethod
    def forward(ctx: Context, *xs: Any, axis: int) -> Any:
        if not xs:
            raise ValueError("cat: expected a non-empty sequence of tensors")
        arrays = [np.asarray(x) for x in xs]
        ndim = arrays[0].ndim
        if ndim == 0:
            raise ValueError("cat: zero-dimensional tensors cannot be concatenated")
        if not -ndim <= axis < ndim:
            raise ValueError(f"cat: dim {axis} is out of range for tensors with {ndim} dims")
        axis %= ndim
        for i, a in enumerate(arrays):
            if a.ndim != ndim or a.shape[:axis] + a.shape[axis + 1:] != \
                    arrays[0].shape[:axis] + arrays[0].shape[axis + 1:]:
                raise ValueError(
                    f"cat: tensor {i} has shape {a.shape}, which does not match tensor 0's "
                    f"shape {arrays[0].shape} outside dim {axis}"
                )
        ctx.axis = axis
        ctx.bounds = np.cumsum([0] + [a.shape[axis] for a in arrays]).tolist()
        return np.concatenate(arrays, axis=axis)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        b = ctx.bounds
        return tuple(grad[_slice_along(ctx.axis, b[i], b[i + 1])] if need else None
                     for i, need in enumerate(ctx.needs_input_grad))


def _flip(x: Any, axis: int) -> Any:
    return x[_slice_along(axis, None, None, -1)]


def _cumsum(x: Any, axis: int) -> Any:
    return CumSum.apply(x, axis=axis) if isinstance(x, Tensor) else np.cumsum(x, axis=axis)


# cumsum: out[i] = x[0] + ... + x[i], so d out[j]/d x[i] = 1 for j >= i: the gradient of x[i]
# is grad[i] + ... + grad[n-1], a cumulative sum taken from the end
class CumSum(Function):
    @staticmethod
    def forward(ctx: Context, x: Any, axis: int) -> Any:
        n = max(x.ndim, 1)
        if not -n <= axis < n:
            raise ValueError(f"cumsum: dim {axis} is out of range for a tensor with {x.ndim} dims")
        ctx.axis = axis % n if x.ndim else 0
        return np.cumsum(x, axis=ctx.axis).reshape(x.shape) if x.ndim else x.copy()

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        if grad.ndim == 0:
            return grad
        return _flip(_cumsum(_flip(grad, ctx.axis), ctx.axis), ctx.axis)


# prod: d out/d x[i] = the product of the other elements = out / x[i] where no x is 0
class Prod(Function):
    @staticmethod
    def forward(ctx: Context, x: Any, axis: int) -> Any:
        n = max(x.ndim, 1)
        if not -n <= axis < n:
            raise ValueError(f"prod: dim {axis} is out of range for a tensor with {x.ndim} dims")
        axis = axis % n if x.ndim else 0
        out = np.prod(x, axis=axis) if x.ndim else x.copy()
        ctx.axis = axis
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        x, out = ctx.saved_tensors
        if x.ndim == 0:
            return grad
        axis = ctx.axis
        kept = out.shape[:axis] + (1,) + out.shape[axis:]
        if not np.any(_data(x) == 0):  # PyTorch's rule: grad * out / x
            return grad.reshape(kept) * out.reshape(kept) / x
        # A zero: divide nothing. The product of the others, element i, is the product along
        # the axis of x with element i replaced by 1 (an n x n table per row).
        n = x.shape[axis]
        moved = x.swapaxes(axis, -1)
        table = _broadcast(moved.reshape(moved.shape[:-1] + (1, n)), moved.shape + (n,))
        others = _prod_last(_where(np.eye(n, dtype=bool), 1.0, table))
        return grad.reshape(kept) * others.swapaxes(axis, -1)


def _data(x: Any) -> Any:
    return x.data if isinstance(x, Tensor) else x


def _prod_last(x: Any) -> Any:
    return Prod.apply(x, axis=-1) if isinstance(x, Tensor) else np.prod(x, axis=-1)


def _sin(x: Any) -> Any:
    return Sin.apply(x) if isinstance(x, Tensor) else np.sin(x)


def _cos(x: Any) -> Any:
    return Cos.apply(x) if isinstance(x, Tensor) else np.cos(x)


# sin: d = cos(x)
class Sin(Function):
    elementwise = True

    @staticmethod
    def forward(ctx: Context, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * _cos(x)


# cos: d = -sin(x)
class Cos(Function):
    elementwise = True

    @staticmethod
    def forward(ctx: Context, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return -(grad * _sin(x))


# --------------------------------------------------------------------------- windows (im2col)
# Convolution and pooling are this view followed by a matmul or a reduction, so their
# gradients come from the primitives below. Shapes: x is (N, C, *spatial); the windows are
# (N, C, *kernel, *out), out[d] = (spatial[d] + pad_before + pad_after - dilation*(k-1) - 1)
# // stride + 1. Kernel before out: a convolution is then weight (O, C*K) @ windows reshaped
# (N, C*K, out) with no transpose, and F.unfold is a reshape. The backward of the view is a
# scatter-add of each window back into place, and the backward of that scatter-add is the
# view again: with create_graph each is the other's backward, so second derivatives of a
# convolution are graphs too. Padding happens inside the view (zeros for a convolution, -inf
# for max pooling); a padded position is a constant, so its gradient is dropped.


def _window_slices(k: tuple[int, ...], out: tuple[int, ...], stride: tuple[int, ...],
                   dilation: tuple[int, ...]) -> list[tuple[tuple[int, ...], tuple[slice, ...]]]:
    """For each kernel offset, the strided slice of the padded input its windows read."""
    result = []
    for offset in np.ndindex(*k):
        result.append((offset, tuple(slice(o * d, o * d + s * (m - 1) + 1, s)
                                     for o, d, s, m in zip(offset, dilation, stride, out,
                                                           strict=True))))
    return result


# windows: d = 1 for each element of each window; windows that overlap add
class Windows(Function):
    @staticmethod
    def forward(ctx: Context, x: Any, kernel: tuple[int, ...], stride: tuple[int, ...],
                dilation: tuple[int, ...], padding: tuple[tuple[int, int], ...],
                value: float = 0.0) -> Any:
        nd = len(kernel)
        if x.ndim != nd + 2:
            raise ValueError(f"windows: expected an input of {nd + 2} dims (N, C, *spatial) "
                             f"for a {nd}-d kernel, got shape {x.shape}")
        pads = ((0, 0), (0, 0)) + tuple(padding)
        xp = np.pad(x, pads, constant_values=value) if any(p != (0, 0) for p in padding) else x
        extent = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True))
        if any(e > n for e, n in zip(extent, xp.shape[2:], strict=True)):
            raise ValueError(f"windows: kernel {kernel} with dilation {dilation} spans {extent}, "
                             f"larger than the padded input's {xp.shape[2:]} (input {x.shape})")
        axes = tuple(range(2, nd + 2))
        view = np.lib.stride_tricks.sliding_window_view(xp, extent, axis=axes)
        view = view[(slice(None), slice(None)) + tuple(slice(None, None, s) for s in stride)
                    + tuple(slice(None, None, d) for d in dilation)]
        order = (0, 1) + tuple(range(nd + 2, 2 * nd + 2)) + axes  # kernel dims before out dims
        ctx.params = (x.shape, kernel, stride, dilation, padding)
        return np.ascontiguousarray(view.transpose(order))

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        shape, kernel, stride, dilation, padding = ctx.params
        if isinstance(grad, Tensor):
            return AddWindows.apply(grad, shape=shape, kernel=kernel, stride=stride,
                                    dilation=dilation, padding=padding)
        return AddWindows.forward(ctx, grad, shape, kernel, stride, dilation, padding)


# add_windows: windows' backward, each window added back into place; d = grad's windows
class AddWindows(Function):
    @staticmethod
    def forward(ctx: Context, g: Any, shape: tuple[int, ...], kernel: tuple[int, ...],
                stride: tuple[int, ...], dilation: tuple[int, ...],
                padding: tuple[tuple[int, int], ...]) -> Any:
        nd = len(kernel)
        padded = shape[:2] + tuple(n + a + b for n, (a, b) in zip(shape[2:], padding,
                                                                    strict=True))
        out = np.zeros(padded, dtype=g.dtype)
        # One strided add per kernel offset (25 for a 5x5 kernel) instead of np.add.at over
        # every element: the window array is read once, in place, with no index arrays.
        for offset, where in _window_slices(kernel, g.shape[2 + nd:], stride, dilation):
            out[(slice(None), slice(None)) + where] += g[(slice(None), slice(None)) + offset]
        ctx.params = (shape, kernel, stride, dilation, padding)
        crop = tuple(slice(a, a + n) for n, (a, _) in zip(shape[2:], padding, strict=True))
        return out[(slice(None), slice(None)) + crop] if any(p != (0, 0) for p in padding) \
            else out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        _, kernel, stride, dilation, padding = ctx.params
        if isinstance(grad, Tensor):
            return Windows.apply(grad, kernel=kernel, stride=stride, dilation=dilation,
                                 padding=padding)
        return Windows.forward(ctx, grad, kernel, stride, dilation, padding)
