"""``nn.functional`` (``import tinygrad_edu.nn.functional as F``): layers and losses as functions.

Every module of ``nn`` that computes something is a thin wrapper over a function here:
``nn.ReLU()(x)`` is ``F.relu(x)``, ``nn.CrossEntropyLoss()(z, y)`` is ``F.cross_entropy(z, y)``.
Each function is written with tensor operations (``where``, ``clamp``, ``exp``, ``log1p``,
``log_softmax``, indexing...), so autograd differentiates it exactly; the one primitive of
its own is ``Erf`` (for ``gelu``), whose backward sits next to its forward.

Names, arguments, defaults and results are PyTorch's. Where a function takes ``inplace``, it
accepts ``inplace=True`` and still computes out of place (tinygrad_edu's graph keeps every
value it needs, so nothing is saved by overwriting the input), returning the result.
Two differences are kept from tinygrad_edu's contract: a loss that compares two tensors
elementwise (``mse_loss``, ``l1_loss``, ...) raises when their shapes differ instead of
broadcasting them (PyTorch only warns), and a target that requires grad gets a gradient.
Class-index targets may be int64 tensors, NumPy arrays or lists (or floats holding whole
numbers); per-class ``weight`` and ``pos_weight`` are constants (no gradient), as in PyTorch.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import ops as _ops
from ..tensor import Context, Function, Tensor

__all__ = [
    # activations
    "relu", "relu6", "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish",
    "softplus", "softsign", "tanhshrink", "hardtanh", "hardswish", "hardsigmoid",
    "sigmoid", "tanh", "logsigmoid", "threshold", "softmax", "log_softmax", "softmin",
    # layers
    "linear", "bilinear", "normalize", "pad", "one_hot",
    # losses
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "nll_loss", "cross_entropy", "kl_div",
    "cosine_embedding_loss", "margin_ranking_loss",
]


# --------------------------------------------------------------------------- helpers


def _mask(x: Any) -> np.ndarray:
    """A boolean array from a comparison's result (an array, or a bool tensor)."""
    return np.asarray(x.data if isinstance(x, Tensor) else x, dtype=bool)


def _where(cond: Any, a: Any, b: Any) -> Tensor:
    """``a`` where ``cond`` holds, else ``b``; the gradient goes to the branch taken."""
    return _ops.Where.apply(_mask(cond), a, b)


def _const(values: np.ndarray, like: Tensor) -> Tensor:
    """A constant tensor of ``like``'s dtype."""
    return Tensor(np.asarray(values, dtype=like.dtype))


def _check_tensor(op: str, x: Any, what: str = "input") -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: {what} must be a Tensor, got {type(x).__name__}")
    return x


def _check_number(op: str, what: str, x: Any) -> None:
    """A TypeError naming the argument unless ``x`` is a real number (as PyTorch's binding)."""
    if isinstance(x, bool) or not isinstance(x, int | float | np.integer | np.floating):
        raise TypeError(f"{op}: {what} must be a number, got {type(x).__name__} {x!r:.60}")


def _check_int(op: str, what: str, x: Any) -> None:
    """A TypeError naming the argument unless ``x`` is an int."""
    if isinstance(x, bool) or not isinstance(x, int | np.integer):
        raise TypeError(f"{op}: {what} must be an int, got {type(x).__name__} {x!r:.60}")


# erf has no NumPy ufunc; math.erf, applied to each element, is exact to the last bit.
_erf_scalar = np.frompyfunc(math.erf, 1, 1)


def _erf_array(x: np.ndarray) -> np.ndarray:
    """erf of each element of an array, in the array's dtype."""
    x = np.asarray(x)
    return np.asarray(_erf_scalar(x), dtype=np.float64).astype(x.dtype, copy=False)


# erf: d = 2/sqrt(pi) * exp(-x**2)
class Erf(Function):
    """The error function, a primitive: no composition of the engine's ops computes it.

    Its forward is ``math.erf`` on each element (exact; NumPy has no erf); its backward is
    written with operations arrays and tensors share, so it can be differentiated again.
    """

    elementwise = True

    @staticmethod
    def forward(ctx: Context, x: Any) -> Any:
        ctx.save_for_backward(x)
        return _erf_array(x)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        e = (-(x * x)).exp() if isinstance(x, Tensor) else np.exp(-(x * x))
        return grad * (2.0 / math.sqrt(math.pi)) * e


def _reduction(op: str, size_average: bool | None, reduce: bool | None, reduction: str,
               allowed: tuple[str, ...] = ("mean", "sum", "none")) -> str:
    """The reduction, from ``reduction`` or PyTorch's deprecated ``size_average``/``reduce``."""
    if size_average is not None or reduce is not None:
        warnings.warn("size_average and reduce args will be deprecated, please use "
                      "reduction='mean', 'sum' or 'none' instead.", stacklevel=3)
        avg = True if size_average is None else size_average
        red = True if reduce is None else reduce
        reduction = "mean" if avg and red else "sum" if red else "none"
    if reduction not in allowed:
        names = ", ".join(repr(a) for a in allowed[:-1]) + f" or {allowed[-1]!r}"
        raise ValueError(f"{op}: reduction must be {names}, got {reduction!r}")
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        # PyTorch's mean of no elements is nan (0/0); NumPy's mean would refuse it.
        return loss.mean() if loss.data.size else loss.sum() * float("nan")
    if reduction == "sum":
        return loss.sum()
    return loss


def _target(op: str, input: Tensor, target: Any) -> Tensor:
    """The target as a tensor of the input's shape (never broadcast)."""
    _check_tensor(op, input)
    if isinstance(target, Tensor):
        t = target
    else:
        try:
            t = Tensor(target, dtype=input.dtype)
        except (TypeError, ValueError) as e:  # name the loss, not Tensor(), as the user called
            raise type(e)(f"{op}: cannot make the target a tensor: {e}") from None
    if t.shape != input.shape:
        raise ValueError(
            f"{op}: prediction of shape {input.shape} and target of shape {t.shape} differ "
            "(the loss does not broadcast them: reshape one, e.g. y.reshape(-1, 1))"
        )
    return t


def _weighted(op: str, loss: Tensor, weight: Any, reduction: str,
              mean_over_weights: bool = True) -> Tensor:
    """PyTorch's per-element ``weight`` of the regression losses: ``mean`` divides by the sum
    of the weights (``mse_loss``, ``l1_loss``) or by the count (``huber_loss``), as PyTorch."""
    if weight is None:
        return _reduce(loss, reduction)
    w = weight if isinstance(weight, Tensor) else Tensor(weight, dtype=loss.dtype)
    if w.shape != loss.shape:
        raise ValueError(f"{op}: weight of shape {w.shape} and input of shape {loss.shape} "
                         "must have the same shape")
    out = loss * w
    if reduction == "mean" and mean_over_weights:
        return out.sum() / w.sum()
    return _reduce(out, reduction)


def _class_indices(op: str, target: Any) -> np.ndarray:
    """Class labels as an integer array: from int tensors, arrays, lists, whole floats."""
    arr = np.asarray(target.data if isinstance(target, Tensor) else target)
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            raise ValueError(f"{op}: class indices must be whole numbers, got {arr}")
        huge = np.abs(arr) >= 2.0 ** 62  # would wrap around when made integers
        if huge.any():
            raise IndexError(f"{op}: target {arr[huge].flat[0]} is out of bounds: class indices "
                             "must be small non-negative integers")
    elif arr.dtype.kind not in "iu":
        raise TypeError(f"{op}: class indices must be integers, got dtype {arr.dtype}")
    return arr.astype(np.intp)


def _class_weight(op: str, weight: Any, n_classes: int, like: Tensor) -> np.ndarray | None:
    """A per-class weight as a constant array of ``like``'s dtype (or None)."""
    if weight is None:
        return None
    w = np.asarray(weight.data if isinstance(weight, Tensor) else weight, dtype=like.dtype)
    if w.shape != (n_classes,):
        raise ValueError(f"{op}: weight must have shape ({n_classes},), one per class, "
                         f"got {w.shape}")
    return w


# --------------------------------------------------------------------------- activations


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0); the derivative at 0 is 0. ``inplace`` is accepted, computed out of place."""
    return input.relu()


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """x clamped to [min_val, max_val]; the derivative is 0 at and beyond the bounds."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) cannot be greater than max_val "
                         f"({max_val})")
    x = input.data
    # Unlike clamp (whose gradient passes at a bound), hardtanh's is 0 at its bounds.
    inside = (x > min_val) & (x < max_val)
    return _where(inside, input, _const(np.clip(x, min_val, max_val), input))


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6): ``hardtanh(x, 0, 6)``."""
    return hardtanh(input, 0.0, 6.0)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x where x > 0, else negative_slope * x (so the derivative at 0 is the slope)."""
    _check_number("leaky_relu", "negative_slope", negative_slope)
    return _where(input.data > 0, input, input * negative_slope)


def _elu(input: Tensor, alpha: float, scale: float = 1.0, input_scale: float = 1.0) -> Tensor:
    """scale * x where x > 0, else alpha * scale * (exp(input_scale * x) - 1)."""
    # exp of the negative part only: the branch not taken must not overflow, or its zero
    # gradient would become 0 * inf = nan.
    neg = input.clamp(max=0.0)
    if input_scale != 1.0:
        neg = neg * input_scale
    pos = input * scale if scale != 1.0 else input
    return _where(input.data > 0, pos, (neg.exp() - 1.0) * (alpha * scale))


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x where x > 0, else alpha * (exp(x) - 1)."""
    return _elu(input, alpha)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha), with the self-normalising alpha ~ 1.6733 and scale ~ 1.0507."""
    return _elu(input, _SELU_ALPHA, _SELU_SCALE)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x where x > 0, else alpha * (exp(x / alpha) - 1)."""
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0 (it divides x)")
    return _elu(input, alpha, 1.0, 1.0 / alpha)


_SQRT1_2 = 0.70710678118654752440  # 1/sqrt(2)
_GELU_BETA = 1.41421356237309504880 * 1.12837916709551257390 * 0.5  # sqrt(2) 2/sqrt(pi) / 2
_GELU_KAPPA = 0.044715


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x), Phi the standard normal CDF: 0.5 * x * (1 + erf(x / sqrt(2))).

    ``approximate="tanh"``: 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x**3))).
    """
    if approximate == "none":
        return input * 0.5 * (Erf.apply(input * _SQRT1_2) + 1.0)
    if approximate == "tanh":
        inner = (input + input * input * input * _GELU_KAPPA) * _GELU_BETA
        return input * 0.5 * (inner.tanh() + 1.0)
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x))."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent."""
    return input.tanh()


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (also called swish)."""
    return input * input.sigmoid()


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta * x)) / beta, and x itself where beta * x > threshold."""
    bx = input * beta if beta != 1.0 else input
    # exp of a capped argument: the branch not taken must not overflow (0 * inf = nan).
    soft = bx.clamp(max=threshold).exp().log1p()
    if beta != 1.0:
        soft = soft / beta
    return _where(bx.data > threshold, input, soft)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    return input * softplus(input).tanh()


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return input / (input.abs() + 1.0)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    return input - input.tanh()


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * min(max(x + 3, 0), 6) / 6: 0 up to -3, x from 3, x * (x + 3) / 6 between.

    As PyTorch's, its derivative is 0 at -3 and 1 at 3 (the outer pieces' slopes).
    """
    x = input.data
    middle = _where(x > -3.0, input * (input + 3.0) / 6.0, 0.0)
    return _where(x >= 3.0, input, middle)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x + 3, 0), 6) / 6; the derivative is 1/6 strictly inside (-3, 3), else 0."""
    x = input.data
    inside = (x > -3.0) & (x < 3.0)
    return _where(inside, (input + 3.0) / 6.0, _const(np.clip(x + 3.0, 0.0, 6.0) / 6.0, input))


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)), computed without overflow: -log1p(exp(-x)) for x >= 0,
    x - log1p(exp(x)) below."""
    pos = -((-input.clamp(min=0.0)).exp().log1p())
    neg = input.clamp(max=0.0)
    neg = neg - neg.exp().log1p()
    return _where(input.data >= 0, pos, neg)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else ``value``."""
    return _where(input.data > threshold, input, value)


def _softmax_dim(op: str, ndim: int, dim: int | None) -> int:
    if dim is not None:
        return dim
    # PyTorch's old rule when no dim is given (it warns too).
    warnings.warn(f"Implicit dimension choice for {op} has been deprecated. Change the call "
                  "to include dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``."""
    x = input.astype(dtype) if dtype is not None else input
    return x.softmax(_softmax_dim("softmax", input.ndim, dim))


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype: Any = None) -> Tensor:
    """x - logsumexp(x) along ``dim``: log(softmax(x)) without forming softmax."""
    x = input.astype(dtype) if dtype is not None else input
    return x.log_softmax(_softmax_dim("log_softmax", input.ndim, dim))


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """softmax(-x) along ``dim``."""
    x = input.astype(dtype) if dtype is not None else input
    return (-x).softmax(_softmax_dim("softmin", input.ndim, dim))


# --------------------------------------------------------------------------- layers


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` with PyTorch's ``(out_features, in_features)`` weight.

    (``nn.Linear`` stores the transpose and computes ``x @ weight + bias``.)
    """
    if input.shape[-1:] != weight.shape[-1:]:
        raise ValueError(
            f"linear: input of shape {input.shape} and weight of shape {weight.shape} do not "
            f"align: the weight is (out_features, in_features), as in PyTorch"
        )
    out = input @ weight.T
    return out + bias if bias is not None else out


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor,
             bias: Tensor | None = None) -> Tensor:
    """``y[..., o] = sum_ij input1[..., i] * weight[o, i, j] * input2[..., j] + bias[o]``."""
    if weight.ndim != 3 or input1.shape[-1] != weight.shape[1] \
            or input2.shape[-1] != weight.shape[2] or input1.shape[:-1] != input2.shape[:-1]:
        raise ValueError(
            f"bilinear: inputs of shapes {input1.shape} and {input2.shape} do not fit a weight "
            f"of shape {weight.shape} (out_features, in1_features, in2_features)"
        )
    lead = input1.shape[:-1]
    i, j = weight.shape[1], weight.shape[2]
    x1 = input1.reshape(-1, 1, 1, i)  # (n, 1, 1, i) @ (o, i, j) -> (n, o, 1, j)
    x2 = input2.reshape(-1, 1, 1, j)
    y = ((x1 @ weight) * x2).sum(axis=(2, 3))
    y = y.reshape(*lead, weight.shape[0])
    return y + bias if bias is not None else y


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Any = None) -> Tensor:
    """x / max(||x||_p, eps) along ``dim``."""
    if out is not None:
        raise TypeError("normalize: out= is not supported; use the returned tensor")
    _check_number("normalize", "p", p)
    if p == math.inf:
        norm = input.abs().max(axis=dim, keepdims=True)
    else:
        powered = input * input if p == 2 else input.abs() ** p
        s = powered.sum(axis=dim, keepdims=True)
        # The norm of a zero vector: 0, with gradient 0 (not sqrt's infinite slope at 0).
        nonzero = s.data > 0
        safe = _where(nonzero, s, 1.0)
        root = safe.sqrt() if p == 2 else safe ** (1.0 / p)
        norm = _where(nonzero, root, 0.0)
    return input / norm.clamp(min=eps)


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant",
        value: float | None = None) -> Tensor:
    """Pad (or, with negative amounts, crop) the last dims: ``pad = (left, right, top, ...)``.

    ``pad`` lists pairs from the last dim backwards, as PyTorch does. ``mode`` is
    ``"constant"`` (with ``value``), ``"reflect"``, ``"replicate"`` or ``"circular"``; the other
    modes gather each padded dim by an integer index (so the gradient adds back, exactly).
    """
    if mode != "constant":
        return _pad_by_index(input, pad, mode)
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ValueError(f"pad: padding length {len(pad)} must be even and at most twice the "
                         f"number of dims ({input.ndim}) of the input of shape {input.shape}")
    crop: list[slice] = [slice(None)] * input.ndim
    place: list[slice] = [slice(None)] * input.ndim
    shape = list(input.shape)
    for k in range(len(pad) // 2):
        d = input.ndim - 1 - k
        left, right = int(pad[2 * k]), int(pad[2 * k + 1])
        n = shape[d]
        crop[d] = slice(max(-left, 0), n - max(-right, 0))
        kept = n - max(-left, 0) - max(-right, 0)
        if kept < 0:
            raise ValueError(f"pad: cropping dim {d} of size {n} by {-left} and {-right}")
        place[d] = slice(max(left, 0), max(left, 0) + kept)
        shape[d] = kept + max(left, 0) + max(right, 0)
    x = input[tuple(crop)] if any(s != slice(None) for s in crop) else input
    index = tuple(place)
    out = _ops.IndexAdd.apply(x, shape=tuple(shape), index=index)  # x placed in zeros
    if value:
        border = np.full(shape, value, dtype=input.dtype)
        border[index] = 0.0
        out = out + Tensor(border)
    return out


def _pad_by_index(input: Tensor, pad: Sequence[int], mode: str) -> Tensor:
    """reflect, replicate and circular padding: each padded dim gathered by an index array."""
    if mode not in ("reflect", "replicate", "circular"):
        raise ValueError(f"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', "
                         f"got {mode!r}")
    if len(pad) % 2 or len(pad) // 2 > input.ndim - 1:
        raise ValueError(f"pad: {mode} padding of {len(pad) // 2} dims needs an input with more "
                         f"dims (a batch or channel dim first), got shape {input.shape}")
    out = input
    for k in range(len(pad) // 2):
        d = input.ndim - 1 - k
        left, right = int(pad[2 * k]), int(pad[2 * k + 1])
        n = input.shape[d]
        if min(left, right) < 0:
            raise ValueError(f"pad: negative {mode} padding {(left, right)} is not supported")
        i = np.arange(-left, n + right)
        if mode == "reflect":
            if max(left, right) >= n:
                raise ValueError(f"pad: reflect padding {(left, right)} must be less than the "
                                 f"size {n} of dim {d}")
            i = np.abs(i)
            i = np.where(i >= n, 2 * (n - 1) - i, i)
        elif mode == "replicate":
            i = np.clip(i, 0, n - 1)
        else:
            if max(left, right) > n:
                raise ValueError(f"pad: circular padding {(left, right)} is larger than the "
                                 f"size {n} of dim {d}")
            i = i % n
        out = out[(slice(None),) * d + (i,)]
    return out


def one_hot(tensor: Any, num_classes: int = -1) -> Tensor:
    """An int64 tensor with a trailing dim of size ``num_classes``: 1 at each label, else 0."""
    arr = np.asarray(tensor.data if isinstance(tensor, Tensor) else tensor)
    if arr.dtype.kind not in "iu":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor "
                           f"(integers), got dtype {arr.dtype}")
    if arr.size and arr.min() < 0:
        raise RuntimeError("one_hot: Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(arr.max()) + 1 if arr.size else 0
    elif arr.size and arr.max() >= num_classes:
        raise RuntimeError(f"one_hot: Class values must be smaller than num_classes "
                           f"({num_classes}), got {arr.max()}")
    out = (arr[..., None] == np.arange(num_classes)).astype(np.int64)
    return Tensor(out, dtype=np.int64)


# --------------------------------------------------------------------------- losses


def _mse(op: str, input: Tensor, target: Any, reduction: str, weight: Any = None) -> Tensor:
    diff = input - _target(op, input, target)
    return _weighted(op, diff * diff, weight, reduction)


def mse_loss(input: Tensor, target: Any, size_average: bool | None = None,
             reduce: bool | None = None, reduction: str = "mean", weight: Any = None) -> Tensor:
    """Mean (or sum, or each) of ``(input - target)**2``; shapes must match (no broadcasting).

    Its gradient is ``2*(input - target)/n``: victorzhou's ``d_L_d_ypred``.
    """
    return _mse("mse_loss", input, target,
                _reduction("mse_loss", size_average, reduce, reduction), weight)


def _l1(op: str, input: Tensor, target: Any, reduction: str, weight: Any = None) -> Tensor:
    return _weighted(op, (input - _target(op, input, target)).abs(), weight, reduction)


def l1_loss(input: Tensor, target: Any, size_average: bool | None = None,
            reduce: bool | None = None, reduction: str = "mean", weight: Any = None) -> Tensor:
    """Mean (or sum, or each) of ``|input - target|``."""
    return _l1("l1_loss", input, target,
               _reduction("l1_loss", size_average, reduce, reduction), weight)


def _smooth_l1(op: str, input: Tensor, target: Any, reduction: str, beta: float) -> Tensor:
    if beta < 0:
        raise ValueError(f"{op}: beta must not be negative, got {beta}")
    z = (input - _target(op, input, target)).abs()
    if beta == 0:
        return _reduce(z, reduction)
    q = z.clamp(max=beta)  # the quadratic side sees z only below beta: at z = inf its
    loss = _where(z.data < beta, q * 0.5 * q / beta, z - 0.5 * beta)  # slope stays 0, not nan
    return _reduce(loss, reduction)


def smooth_l1_loss(input: Tensor, target: Any, size_average: bool | None = None,
                   reduce: bool | None = None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """0.5 * z**2 / beta where z = |input - target| < beta, else z - 0.5 * beta."""
    return _smooth_l1("smooth_l1_loss", input, target,
                      _reduction("smooth_l1_loss", size_average, reduce, reduction), beta)


def _huber(op: str, input: Tensor, target: Any, reduction: str, delta: float,
           weight: Any = None) -> Tensor:
    if delta <= 0:
        raise ValueError(f"{op}: delta must be positive, got {delta}")
    z = (input - _target(op, input, target)).abs()
    q = z.clamp(max=delta)  # the quadratic side sees z only below delta: at z = inf its
    loss = _where(z.data < delta, q * 0.5 * q, (z - 0.5 * delta) * delta)  # slope stays 0
    return _weighted(op, loss, weight, reduction, mean_over_weights=False)


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0,
               weight: Any = None) -> Tensor:
    """0.5 * z**2 where z = |input - target| < delta, else delta * (z - 0.5 * delta)."""
    return _huber("huber_loss", input, target, _reduction("huber_loss", None, None, reduction),
                  delta, weight)


def _clamped_log(x: Any) -> Any:
    """log(x) floored at -100, as PyTorch's BCELoss does, so log(0) stays finite."""
    with np.errstate(divide="ignore"):
        if isinstance(x, Tensor):
            return x.log().clamp(-100.0, None)
        return np.maximum(np.log(x), -100.0)


# bce: L = -(y*log(p) + (1-y)*log(1-p)),
#      dL/dp = (p - y) / (p*(1-p)),  dL/dy = log(1-p) - log(p) = -log(p/(1-p))
# (as in PyTorch: the loss's logs are floored at -100 and p*(1-p) at 1e-12, so the loss and
# dL/dp stay finite at p = 0 or 1; dL/dy is not floored, and is infinite there)
class _BinaryCrossEntropy(Function):
    # A primitive because PyTorch clamps inside it: the floored logs and the floored
    # denominator of the gradient are not the gradient of any composition.
    @staticmethod
    def forward(ctx: Context, p: Any, y: Any) -> Any:
        ctx.save_for_backward(p, y)
        return -(y * _clamped_log(p) + (1 - y) * _clamped_log(1 - p))

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        p, y = ctx.saved_tensors
        need_p, need_y = ctx.needs_input_grad
        grad_p = grad * (p - y) / (p * (1.0 - p)).clip(1e-12, None) if need_p else None
        if need_y:
            with np.errstate(divide="ignore"):
                ratio = p / (1.0 - p)
                grad_y = -grad * (ratio.log() if isinstance(ratio, Tensor) else np.log(ratio))
        else:
            grad_y = None
        return grad_p, grad_y


def _broadcast_weight(op: str, weight: Any, loss: Tensor, what: str = "weight") -> Tensor:
    """A constant weight that broadcasts to the loss's shape (PyTorch expands it)."""
    w = np.asarray(weight.data if isinstance(weight, Tensor) else weight, dtype=loss.dtype)
    try:
        np.broadcast_shapes(w.shape, loss.shape)
    except ValueError:
        raise ValueError(f"{op}: {what} of shape {w.shape} does not broadcast to the input's "
                         f"shape {loss.shape}") from None
    return Tensor(w)


def _bce(op: str, input: Tensor, target: Any, weight: Any, reduction: str) -> Tensor:
    t = _target(op, input, target)
    p = input.data
    if np.isnan(p).any():
        raise ValueError(f"{op}: predictions must be probabilities in [0, 1], got nan (at "
                         f"flat index {int(np.flatnonzero(np.isnan(p))[0])})")
    if not np.all((p >= 0) & (p <= 1)):
        raise ValueError(
            f"{op}: predictions must be probabilities in [0, 1], got values from "
            f"{np.nanmin(p)} to {np.nanmax(p)} (apply sigmoid first?)"
        )
    loss = _BinaryCrossEntropy.apply(input, t)
    if weight is not None:
        loss = loss * _broadcast_weight(op, weight, loss)
    return _reduce(loss, reduction)


def binary_cross_entropy(input: Tensor, target: Any, weight: Any = None,
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
    """-(y log p + (1 - y) log(1 - p)) of probabilities ``input`` (e.g. after ``sigmoid``)."""
    return _bce("binary_cross_entropy", input, target, weight,
                _reduction("binary_cross_entropy", size_average, reduce, reduction))


def _bce_logits(op: str, input: Tensor, target: Any, weight: Any, reduction: str,
                pos_weight: Any) -> Tensor:
    t = _target(op, input, target)
    log_sig = logsigmoid(input)  # log(sigmoid(x)), stable for any x
    if pos_weight is not None:
        log_sig = log_sig * ((_broadcast_weight(op, pos_weight, input, "pos_weight") - 1.0)
                             * t + 1.0)
    # -(y log s(x) + (1 - y) log(1 - s(x))) = (1 - y) x - log s(x), since log(1 - s(x)) =
    # log s(x) - x; with pos_weight the log s(x) term is weighted.
    loss = (1.0 - t) * input - log_sig
    if weight is not None:
        loss = loss * _broadcast_weight(op, weight, loss)
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Any, weight: Any = None,
                                     size_average: bool | None = None,
                                     reduce: bool | None = None, reduction: str = "mean",
                                     pos_weight: Any = None) -> Tensor:
    """``binary_cross_entropy(sigmoid(input), target)`` computed stably from the logits.

    ``pos_weight`` (per class, broadcast along the last dim) weights the positive examples.
    """
    op = "binary_cross_entropy_with_logits"
    return _bce_logits(op, input, target, weight,
                       _reduction(op, size_average, reduce, reduction), pos_weight)


def _nll(op: str, input: Tensor, target: Any, weight: Any, ignore_index: int,
         reduction: str) -> Tensor:
    """-input[n, target[n], d...] * weight[target[n]], each over (N, C, d1, ...) inputs."""
    _check_tensor(op, input)
    _check_int(op, "ignore_index", ignore_index)
    tgt = _class_indices(op, target)
    if input.ndim == 0:
        raise ValueError(f"{op}: input must have a class dim, got a 0-d tensor")
    unbatched = input.ndim == 1
    expected = () if unbatched else (input.shape[0], *input.shape[2:])
    if tgt.shape != expected:
        raise ValueError(
            f"{op}: for input of shape {input.shape} ((N, C) or (N, C, d1, ...), or (C,)) the "
            f"class indices must have shape {expected}, got {tgt.shape}"
        )
    x = input.reshape(1, -1) if unbatched else input
    if unbatched:
        tgt = tgt.reshape(1)
    n_classes = x.shape[1]
    valid = tgt != ignore_index
    bad = valid & ((tgt < 0) | (tgt >= n_classes))
    if bad.any():
        raise IndexError(
            f"{op}: target {tgt[bad][0]} is out of bounds: class indices must be in "
            f"[0, {n_classes}) (or ignore_index={ignore_index}), got values from "
            f"{tgt[valid].min()} to {tgt[valid].max()}"
        )
    safe = np.where(valid, tgt, 0)
    rest = np.indices(safe.shape)
    index = (rest[0], safe, *rest[1:])
    picked = x[index]  # input[n, target[n, d...], d...]
    w = _class_weight(op, weight, n_classes, x)
    all_valid = bool(valid.all())
    if w is None and all_valid:
        loss = -picked
        total = float(valid.size)
    else:
        wt = (np.ones(safe.shape, x.dtype) if w is None else w[safe]) * valid
        loss = -(_where(valid, picked, 0.0) * _const(wt, x))
        total = wt.sum()
    if unbatched:
        loss = loss.reshape(())
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return _divide(loss.sum(), total)


def _divide(loss: Tensor, total: float) -> Tensor:
    """``loss / total``; nan (PyTorch's 0/0) without NumPy's warning when nothing counted."""
    return loss / float(total) if total != 0 else loss * float("nan")


def nll_loss(input: Tensor, target: Any, weight: Any = None, size_average: bool | None = None,
             ignore_index: int = -100, reduce: bool | None = None,
             reduction: str = "mean") -> Tensor:
    """The negative log likelihood of log-probabilities ``input`` at the class indices.

    ``input`` is (N, C), (N, C, d1, ...) or (C,); ``target`` (N,), (N, d1, ...) or ().
    ``mean`` divides by the summed weights of the counted targets (those not ignore_index).
    """
    return _nll("nll_loss", input, target, weight, ignore_index,
                _reduction("nll_loss", size_average, reduce, reduction))


def _cross_entropy(op: str, input: Tensor, target: Any, weight: Any, ignore_index: int,
                   reduction: str, label_smoothing: float) -> Tensor:
    _check_tensor(op, input)
    _check_int(op, "ignore_index", ignore_index)
    _check_number(op, "label_smoothing", label_smoothing)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be between 0.0 and 1.0, got "
                         f"{label_smoothing}")
    if input.ndim == 0:
        raise ValueError(f"{op}: input must have a class dim, got a 0-d tensor")
    class_dim = 0 if input.ndim == 1 else 1
    n_classes = input.shape[class_dim]
    logp = input.log_softmax(class_dim)
    if np.shape(target.data if isinstance(target, Tensor) else target) == input.shape:
        return _soft_cross_entropy(op, input, logp, target, weight, ignore_index, reduction,
                                   label_smoothing)
    nll = _nll(op, logp, target, weight, ignore_index, reduction)
    if label_smoothing == 0.0:
        return nll
    # Label smoothing: the target is (1 - eps) at the label plus eps/C on every class, so
    # the loss adds eps/C times the sum of -log p over the classes.
    w = _class_weight(op, weight, n_classes, input)
    tgt = _class_indices(op, target)
    valid = tgt != ignore_index
    shape = [1] * input.ndim
    shape[class_dim] = n_classes
    weighted = logp * _const(w.reshape(shape), input) if w is not None else logp
    smooth = -weighted.sum(axis=class_dim)
    if not valid.all():
        smooth = _where(valid, smooth, 0.0)
    if reduction == "mean":
        total = w[np.where(valid, tgt, 0)][valid].sum() if w is not None else valid.sum()
        smooth_red = _divide(smooth.sum(), total)
    else:
        smooth_red = _reduce(smooth, reduction)
    return nll * (1.0 - label_smoothing) + smooth_red * (label_smoothing / n_classes)


def _soft_cross_entropy(op: str, input: Tensor, logp: Tensor, target: Any, weight: Any,
                        ignore_index: int, reduction: str, label_smoothing: float) -> Tensor:
    """Cross-entropy against class probabilities of the input's shape."""
    class_dim = 0 if input.ndim == 1 else 1
    n_classes = input.shape[class_dim]
    t = target if isinstance(target, Tensor) else np.asarray(target)
    dtype = t.dtype
    if dtype.kind != "f":
        expected = () if input.ndim == 1 else (input.shape[0], *input.shape[2:])
        raise ValueError(
            f"{op}: a target of the input's shape {input.shape} holds class probabilities and "
            f"must be floating point, got dtype {dtype}; class indices have shape {expected}"
        )
    if ignore_index >= 0:
        raise ValueError(f"{op}: ignore_index is not supported for class-probability targets")
    tt = t if isinstance(t, Tensor) else Tensor(t, dtype=input.dtype)
    if label_smoothing > 0.0:
        tt = tt * (1.0 - label_smoothing) + label_smoothing / n_classes
    prod = logp * tt
    w = _class_weight(op, weight, n_classes, input)
    if w is not None:
        shape = [1] * input.ndim
        shape[class_dim] = n_classes
        prod = prod * _const(w.reshape(shape), input)
    if reduction == "none":
        return -prod.sum(axis=class_dim)
    if reduction == "sum":
        return -prod.sum()
    return -_divide(prod.sum(), input.size / n_classes if n_classes else 0.0)


def cross_entropy(input: Tensor, target: Any, weight: Any = None,
                  size_average: bool | None = None, ignore_index: int = -100,
                  reduce: bool | None = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """``nll_loss(log_softmax(input, 1), target)``: the loss of logits and class labels.

    ``input`` holds logits, (N, C), (N, C, d1, ...) or (C,). ``target`` is class indices
    ((N,), (N, d1, ...) or ()) or class probabilities of the input's shape. ``weight`` (C,)
    weights the classes; ``ignore_index`` labels are skipped; ``label_smoothing`` mixes the
    target with the uniform distribution.
    """
    return _cross_entropy("cross_entropy", input, target, weight, ignore_index,
                          _reduction("cross_entropy", size_average, reduce, reduction),
                          label_smoothing)


def _kl_div(op: str, input: Tensor, target: Any, reduction: str, log_target: bool) -> Tensor:
    t = _target(op, input, target)
    if log_target:
        loss = t.exp() * (t - input)
    else:
        # xlogy(t, t) = t * log(t), taken as 0 where t == 0
        tlogt = t * _where(t.data == 0, 1.0, t).log()
        loss = tlogt - t * input
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.ndim else loss.sum()
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size. 'batchmean' divides only by the batch size, and aligns "
                      "with the KL div math definition. 'mean' will be changed to behave the "
                      "same as 'batchmean' in the next major release.", stacklevel=3)
    return _reduce(loss, reduction)


def kl_div(input: Tensor, target: Any, size_average: bool | None = None,
           reduce: bool | None = None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """KL(target || exp(input)) pointwise: target * (log(target) - input).

    ``input`` holds log-probabilities; ``target`` probabilities (or log-probabilities with
    ``log_target=True``). ``reduction="batchmean"`` is the KL divergence of each row, averaged.
    """
    allowed = ("mean", "batchmean", "sum", "none")
    return _kl_div("kl_div", input, target,
                   _reduction("kl_div", size_average, reduce, reduction, allowed), log_target)


def _pair_target(op: str, target: Any, shape: tuple[int, ...], like: Tensor) -> Tensor:
    t = target if isinstance(target, Tensor) else Tensor(target, dtype=like.dtype)
    if t.shape != shape:
        raise ValueError(f"{op}: target of shape {t.shape} must have shape {shape}")
    return t


def _cosine_embedding(op: str, input1: Tensor, input2: Tensor, target: Any, margin: float,
                      reduction: str) -> Tensor:
    if input1.shape != input2.shape or input1.ndim not in (1, 2):
        raise ValueError(f"{op}: inputs of shapes {input1.shape} and {input2.shape} must be "
                         "equal, (N, D) or (D,)")
    dim = input1.ndim - 1
    t = _pair_target(op, target, input1.shape[:-1], input1).data
    eps = 1e-12  # keeps a zero vector's cosine finite, as PyTorch's EPSILON
    prod = (input1 * input2).sum(axis=dim)
    mag1 = (input1 * input1).sum(axis=dim) + eps
    mag2 = (input2 * input2).sum(axis=dim) + eps
    cos = prod / (mag1 * mag2).sqrt()
    loss = _where(t == 1, 1.0 - cos, 0.0) + _where(t == -1, (cos - margin).clamp(min=0.0), 0.0)
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Any, margin: float = 0,
                          size_average: bool | None = None, reduce: bool | None = None,
                          reduction: str = "mean") -> Tensor:
    """1 - cos(x1, x2) where target is 1; max(0, cos(x1, x2) - margin) where it is -1."""
    op = "cosine_embedding_loss"
    return _cosine_embedding(op, input1, input2, target, margin,
                             _reduction(op, size_average, reduce, reduction))


def _margin_ranking(op: str, input1: Tensor, input2: Tensor, target: Any, margin: float,
                    reduction: str) -> Tensor:
    if input1.shape != input2.shape:
        raise ValueError(f"{op}: inputs of shapes {input1.shape} and {input2.shape} differ")
    t = _pair_target(op, target, input1.shape, input1)
    loss = (-t * (input1 - input2) + margin).clamp(min=0.0)
    return _reduce(loss, reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Any, margin: float = 0,
                        size_average: bool | None = None, reduce: bool | None = None,
                        reduction: str = "mean") -> Tensor:
    """max(0, -target * (x1 - x2) + margin): x1 should rank above x2 where target is 1."""
    op = "margin_ranking_loss"
    return _margin_ranking(op, input1, input2, target, margin,
                           _reduction(op, size_average, reduce, reduction))


def __getattr__(name: str) -> Callable[..., Any]:
    # PEP 562: Python calls this only for a name the module lacks; torch_names.py says whether
    # it is a PyTorch name not implemented yet or a typo (with a hint).
    from ..torch_names import missing_attribute

    raise missing_attribute(__name__, name)


# Normalisation, dropout and embedding live in their layer files (they import only the engine).
from .dropout import dropout, dropout1d, dropout2d  # noqa: E402
from .normalization import batch_norm, layer_norm  # noqa: E402
from .sparse import embedding  # noqa: E402

__all__ += ["dropout", "dropout1d", "dropout2d", "batch_norm", "layer_norm", "embedding"]

# Attention is composed in its layer file (it imports this module, used only at call time).
from .attention import scaled_dot_product_attention  # noqa: E402

__all__ += ["scaled_dot_product_attention"]

# Convolution and pooling live in their layer files: a window view, then a matmul or a reduction.
from .conv import conv1d, conv2d, unfold  # noqa: E402
from .pooling import (  # noqa: E402
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)

__all__ += ["conv1d", "conv2d", "unfold", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d",
            "adaptive_avg_pool1d", "adaptive_avg_pool2d"]
