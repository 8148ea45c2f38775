"""Pooling: ``F.max_pool1d/2d``, ``F.avg_pool1d/2d``, ``F.adaptive_avg_pool1d/2d`` and modules.

Max and average pooling are the window view of ``F.conv2d`` (``ops.Windows``) followed by a
reduction over each window, so their gradients come from the primitives:

- max: the input is padded with -inf, and each window keeps the element at its first maximum
  (``np.argmax``) through ``Where``; the gradient goes to that one element, as PyTorch's does
  (``Tensor.max`` instead splits a tie evenly);
- average: the sum of each zero-padded window divided by PyTorch's count (``count_include_pad``,
  ``ceil_mode`` windows that hang over the edge, ``divisor_override``);
- adaptive average: window i of ``n`` inputs pooled to ``m`` spans ``floor(i*n/m)`` to
  ``ceil((i+1)*n/m)``; windows of different sizes are a matrix of 1/size entries, so the
  pooling is ``P_h @ x @ P_w.T``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import ops as _ops
from ..tensor import Tensor
from .conv import _tuple
from .module import Module

__all__ = [
    "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
    "adaptive_avg_pool2d", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d",
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d",
]


def _batched(op: str, input: Any, nd: int) -> tuple[Tensor, bool]:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim == nd + 1:
        return input.reshape((1,) + tuple(input.shape)), True
    if input.ndim != nd + 2:
        raise RuntimeError(f"{op}: expected a {nd + 1}D (unbatched) or {nd + 2}D (batched) "
                           f"input, but got an input of shape {tuple(input.shape)}")
    return input, False


def _unbatched(y: Tensor, unbatched: bool) -> Tensor:
    return y.reshape(tuple(y.shape[1:])) if unbatched else y


def _pool_sizes(op: str, shape: tuple[int, ...], k: tuple[int, ...], s: tuple[int, ...],
                p: tuple[int, ...], d: tuple[int, ...], ceil_mode: bool) -> tuple[int, ...]:
    """PyTorch's output sizes; with ceil_mode a last window must start inside the input or
    its left padding."""
    out = []
    for n, kk, ss, pp, dd in zip(shape, k, s, p, d, strict=True):
        if kk <= 0 or ss <= 0 or dd <= 0:
            raise RuntimeError(f"{op}: kernel_size {k}, stride {s} and dilation {d} must be "
                               "positive")
        if pp < 0 or pp > kk // 2:
            raise RuntimeError(f"{op}: pad should be at most half of effective kernel size, "
                               f"but got pad={pp}, kernel_size={kk} and dilation={dd}")
        span = dd * (kk - 1) + 1
        total = n + 2 * pp - span + (ss - 1 if ceil_mode else 0)
        m = total // ss + 1
        if ceil_mode and (m - 1) * ss >= n + pp:
            m -= 1
        if m < 1:
            raise RuntimeError(f"{op}: given input size {shape}, kernel_size {k}, stride {s}, "
                               f"padding {p} and dilation {d}, the output size would be "
                               f"{m}: too small")
        out.append(m)
    return tuple(out)


def _window_padding(shape: tuple[int, ...], out: tuple[int, ...], k: tuple[int, ...],
                    s: tuple[int, ...], p: tuple[int, ...], d: tuple[int, ...]
                    ) -> tuple[tuple[int, int], ...]:
    """(before, after) padding: ``p`` both sides, plus what a ceil_mode window hangs over."""
    pads = []
    for n, m, kk, ss, pp, dd in zip(shape, out, k, s, p, d, strict=True):
        need = (m - 1) * ss + dd * (kk - 1) + 1
        pads.append((pp, max(pp, need - n - pp)))
    return tuple(pads)


def _pool_args(op: str, nd: int, kernel_size: Any, stride: Any, padding: Any, dilation: Any
               ) -> tuple[tuple[int, ...], ...]:
    k = _tuple(op, "kernel_size", kernel_size, nd)
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) \
        else _tuple(op, "stride", stride, nd)
    return k, s, _tuple(op, "padding", padding, nd), _tuple(op, "dilation", dilation, nd)


def _max_pool(op: str, nd: int, input: Any, kernel_size: Any, stride: Any, padding: Any,
              dilation: Any, ceil_mode: bool, return_indices: bool) -> Any:
    x, unbatched = _batched(op, input, nd)
    k, s, p, d = _pool_args(op, nd, kernel_size, stride, padding, dilation)
    shape = tuple(x.shape[2:])
    out = _pool_sizes(op, shape, k, s, p, d, ceil_mode)
    pads = _window_padding(shape, out, k, s, p, d)
    cols = _ops.Windows.apply(x, kernel=k, stride=s, dilation=d, padding=pads,
                              value=-math.inf)
    n, c = x.shape[0], x.shape[1]
    cols = cols.reshape((n, c, math.prod(k)) + out)
    first = np.argmax(cols.data, axis=2)  # the first maximum of each window (NaN wins)
    mask = np.arange(math.prod(k)).reshape((1, 1, -1) + (1,) * nd) == first[:, :, None]
    y = _unbatched(_ops.Where.apply(mask, cols, 0.0).sum(2), unbatched)
    if not return_indices:
        return y
    # PyTorch's indices: the flat position of each maximum in its (unpadded) channel
    offsets = np.unravel_index(first, k)
    flat = np.zeros(first.shape, dtype=np.int64)
    for dim in range(nd):
        grid = np.arange(out[dim]).reshape((1, 1) + tuple(-1 if j == dim else 1
                                                          for j in range(nd)))
        flat = flat * shape[dim] + grid * s[dim] - p[dim] + offsets[dim] * d[dim]
    indices = Tensor(flat[0] if unbatched else flat, dtype=np.int64)
    return y, indices


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """The maximum of each ``kernel_size`` window of ``(N, C, L)`` (stride defaults to
    kernel_size; padding is -inf); the gradient goes to each window's first maximum."""
    return _max_pool("max_pool1d", 1, input, kernel_size, stride, padding, dilation,
                     ceil_mode, return_indices)


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """The maximum of each ``kernel_size`` window of ``(N, C, H, W)``, as PyTorch's.

    ``stride`` defaults to ``kernel_size``; ``padding`` (at most half the kernel) adds -inf;
    ``ceil_mode`` keeps a last, partial window; ``return_indices`` also returns the flat
    position (``h * W + w``) of each maximum. The gradient goes to each window's first
    maximum, and windows that overlap add.
    """
    return _max_pool("max_pool2d", 2, input, kernel_size, stride, padding, dilation,
                     ceil_mode, return_indices)


def _avg_divisor(shape: tuple[int, ...], out: tuple[int, ...], k: tuple[int, ...],
                 s: tuple[int, ...], p: tuple[int, ...], count_include_pad: bool
                 ) -> np.ndarray:
    """PyTorch's divisor of each window: its size clipped to the padded input (to the input
    itself without count_include_pad); a product of one factor per dim."""
    divisor = np.ones((1,) * len(shape))
    for dim, (n, m, kk, ss, pp) in enumerate(zip(shape, out, k, s, p, strict=True)):
        start = np.arange(m) * ss - pp
        end = np.minimum(start + kk, n + pp)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, n)
        factor = (end - start).astype(np.float64)
        divisor = divisor * factor.reshape(tuple(-1 if j == dim else 1
                                                 for j in range(len(shape))))
    return divisor


def _avg_pool(op: str, nd: int, input: Any, kernel_size: Any, stride: Any, padding: Any,
              ceil_mode: bool, count_include_pad: bool, divisor_override: Any) -> Tensor:
    x, unbatched = _batched(op, input, nd)
    k, s, p, d = _pool_args(op, nd, kernel_size, stride, padding, 1)
    shape = tuple(x.shape[2:])
    out = _pool_sizes(op, shape, k, s, p, d, ceil_mode)
    pads = _window_padding(shape, out, k, s, p, d)
    cols = _ops.Windows.apply(x, kernel=k, stride=s, dilation=d, padding=pads)
    n, c = x.shape[0], x.shape[1]
    total = cols.reshape((n, c, math.prod(k)) + out).sum(2)
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError(f"{op}: divisor must be not zero")
        y = total / float(divisor_override)
    else:
        divisor = _avg_divisor(shape, out, k, s, p, count_include_pad)
        y = total / Tensor(divisor.astype(x.dtype))
    return _unbatched(y, unbatched)


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """The mean of each ``kernel_size`` window of ``(N, C, L)``; see ``avg_pool2d``."""
    return _avg_pool("avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, None)


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """The mean of each ``kernel_size`` window of ``(N, C, H, W)``, as PyTorch's.

    ``stride`` defaults to ``kernel_size``; ``padding`` adds zeros, counted in the divisor
    when ``count_include_pad`` (the default); ``divisor_override`` replaces the divisor.
    """
    return _avg_pool("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


def _adaptive_matrix(n: int, m: int, dtype: Any) -> np.ndarray:
    """(m, n): row i averages inputs floor(i*n/m) .. ceil((i+1)*n/m) - 1."""
    matrix = np.zeros((m, n), dtype=dtype)
    for i in range(m):
        start, end = (i * n) // m, -(-((i + 1) * n) // m)
        matrix[i, start:end] = 1.0 / (end - start)
    return matrix


def _output_size(op: str, output_size: Any, shape: tuple[int, ...]) -> tuple[int, ...]:
    nd = len(shape)
    sizes = (output_size,) * nd if isinstance(output_size, int | np.integer) or \
        output_size is None else tuple(output_size)
    if len(sizes) != nd:
        raise ValueError(f"{op}: output_size must be an int or {nd} ints (or None), got "
                         f"{output_size!r}")
    result = tuple(n if m is None else int(m) for m, n in zip(sizes, shape, strict=True))
    if any(m <= 0 for m in result):
        raise RuntimeError(f"{op}: elements of output_size must be greater than 0, got "
                           f"{output_size!r}")
    return result


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """Average ``(N, C, L)`` down to ``(N, C, output_size)`` with windows as even as fit."""
    op = "adaptive_avg_pool1d"
    x, unbatched = _batched(op, input, 1)
    (m,) = _output_size(op, output_size, tuple(x.shape[2:]))
    pool = _adaptive_matrix(x.shape[2], m, x.dtype)
    return _unbatched(x @ Tensor(pool.T.copy()), unbatched)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average ``(N, C, H, W)`` down to ``(N, C, *output_size)`` (an int, a pair, or None for
    a dim kept): output (i, j) averages rows floor(i*H/oh) .. ceil((i+1)*H/oh) - 1 and the
    same columns, as PyTorch's."""
    op = "adaptive_avg_pool2d"
    x, unbatched = _batched(op, input, 2)
    oh, ow = _output_size(op, output_size, tuple(x.shape[2:]))
    rows = _adaptive_matrix(x.shape[2], oh, x.dtype)
    cols = _adaptive_matrix(x.shape[3], ow, x.dtype)
    return _unbatched(Tensor(rows) @ (x @ Tensor(cols.T.copy())), unbatched)


class MaxPool1d(Module):
    """``F.max_pool1d`` as a module (no parameters)."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 dilation: Any = 1, return_indices: bool = False,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor) -> Any:
        return max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                          self.ceil_mode, self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool2d(MaxPool1d):
    """``F.max_pool2d`` as a module (no parameters): ``MaxPool2d(2)`` halves H and W."""

    def forward(self, input: Tensor) -> Any:
        return max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                          self.ceil_mode, self.return_indices)


class AvgPool1d(Module):
    """``F.avg_pool1d`` as a module (no parameters)."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True) -> None:
        super().__init__()
        self.kernel_size = _tuple("AvgPool1d", "kernel_size", kernel_size, 1)
        self.stride = _tuple("AvgPool1d", "stride", stride if stride is not None
                             else kernel_size, 1)
        self.padding = _tuple("AvgPool1d", "padding", padding, 1)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                          self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(Module):
    """``F.avg_pool2d`` as a module (no parameters)."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                          self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool1d(Module):
    """``F.adaptive_avg_pool1d`` as a module (no parameters)."""

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return adaptive_avg_pool1d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(AdaptiveAvgPool1d):
    """``F.adaptive_avg_pool2d`` as a module: ``AdaptiveAvgPool2d((1, 1))`` averages each
    channel to one value (global average pooling)."""

    def forward(self, input: Tensor) -> Tensor:
        return adaptive_avg_pool2d(input, self.output_size)
