"""Convolution: ``F.conv1d``, ``F.conv2d``, ``F.unfold`` and the modules ``Conv1d``, ``Conv2d``.

A convolution is a window view of the input followed by a matmul (im2col). The view
(``ops.Windows``) copies every window of the padded input into an array of shape
``(N, C, *kernel, *out)``; reshaped to ``(N, C*K, L)`` (``L`` output positions) it is
``F.unfold``'s result, and ``weight.reshape(O, C*K) @ windows`` is the convolution. The
gradients of input, weight and bias then come from ``Windows``, ``Reshape`` and ``MatMul``:
nothing here has a backward of its own.

Parameters have PyTorch's names and shapes: ``weight`` is ``(out_channels, in_channels //
groups, *kernel_size)`` (no transpose, unlike ``Linear``), so a ``state_dict`` moves across as
it is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import ops as _ops
from ..tensor import Tensor
from . import init
from .module import Module, Parameter, _check_device, _float_dtype

__all__ = ["conv1d", "conv2d", "unfold", "Conv1d", "Conv2d"]


def _tuple(op: str, name: str, value: Any, n: int) -> tuple[int, ...]:
    """An int or a sequence of n ints as a tuple of n ints (PyTorch's ``_pair``)."""
    if isinstance(value, int | np.integer):
        return (int(value),) * n
    if not isinstance(value, tuple | list):  # a float, say: the wrong type, as in PyTorch
        raise TypeError(f"{op}: {name} must be an int or {n} ints, got "
                        f"{type(value).__name__} {value!r:.60}")
    values = tuple(value)
    if len(values) == 1 and n > 1:
        values = values * n
    if not all(isinstance(v, int | np.integer) for v in values):
        raise TypeError(f"{op}: {name} must be an int or {n} ints, got {value!r}")
    if len(values) != n:
        raise ValueError(f"{op}: {name} must be an int or {n} ints, got {value!r}")
    return tuple(int(v) for v in values)


def _padding(op: str, padding: Any, kernel: tuple[int, ...], stride: tuple[int, ...],
             dilation: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    """(before, after) per spatial dim from an int, a tuple, 'valid' or 'same'."""
    n = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * n
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(f"{op}: padding='same' is not supported for strided "
                                 f"convolutions (stride={stride})")
            # PyTorch puts the odd one of an even total on the right
            totals = [d * (k - 1) for k, d in zip(kernel, dilation, strict=True)]
            return tuple((t // 2, t - t // 2) for t in totals)
        raise ValueError(f"{op}: invalid padding string {padding!r}, should be one of "
                         "'valid' or 'same'")
    pads = _tuple(op, "padding", padding, n)
    if any(p < 0 for p in pads):
        raise RuntimeError(f"{op}: negative padding {pads} is not supported")
    return tuple((p, p) for p in pads)


def _check_input(op: str, input: Any, nd: int) -> tuple[Tensor, bool]:
    """The input with a batch dim (and whether one was added: PyTorch's unbatched input)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim == nd + 1:
        return input.reshape((1,) + tuple(input.shape)), True
    if input.ndim != nd + 2:
        raise RuntimeError(f"{op}: expected a {nd + 1}D (unbatched) or {nd + 2}D (batched) "
                           f"input, but got an input of shape {tuple(input.shape)}")
    return input, False


def _windows(input: Tensor, kernel: tuple[int, ...], stride: tuple[int, ...],
             dilation: tuple[int, ...], padding: tuple[tuple[int, int], ...],
             value: float = 0.0) -> Tensor:
    """``ops.Windows``: shape (N, C, *kernel, *out)."""
    return _ops.Windows.apply(input, kernel=kernel, stride=stride, dilation=dilation,
                              padding=padding, value=value)


def _out_size(op: str, shape: tuple[int, ...], kernel: tuple[int, ...],
              stride: tuple[int, ...], dilation: tuple[int, ...],
              padding: tuple[tuple[int, int], ...]) -> tuple[int, ...]:
    out = []
    for n, k, s, d, (a, b) in zip(shape, kernel, stride, dilation, padding, strict=True):
        span = d * (k - 1) + 1
        if n + a + b < span:
            raise RuntimeError(f"{op}: the padded input's size {n + a + b} (input {n}, padding "
                               f"{a}+{b}) is smaller than the kernel's span {span} (kernel "
                               f"{k}, dilation {d})")
        out.append((n + a + b - span) // s + 1)
    return tuple(out)


def _convnd(op: str, nd: int, input: Any, weight: Tensor, bias: Tensor | None, stride: Any,
            padding: Any, dilation: Any, groups: int) -> Tensor:
    x, unbatched = _check_input(op, input, nd)
    if not isinstance(weight, Tensor) or weight.ndim != nd + 2:
        raise RuntimeError(f"{op}: weight must be a {nd + 2}D tensor (out_channels, "
                           f"in_channels/groups, *kernel), got shape "
                           f"{tuple(getattr(weight, 'shape', ()))}")
    s = _tuple(op, "stride", stride, nd)
    d = _tuple(op, "dilation", dilation, nd)
    if any(v <= 0 for v in s) or any(v <= 0 for v in d):
        raise RuntimeError(f"{op}: stride {s} and dilation {d} must be positive")
    if any(k <= 0 for k in weight.shape[2:]):  # NumPy would slide an empty window: garbage
        raise RuntimeError(f"{op}: kernel size must be greater than zero, got the weight's "
                           f"kernel {tuple(weight.shape[2:])} (weight of shape {weight.shape})")
    o, cg = weight.shape[0], weight.shape[1]
    k = tuple(weight.shape[2:])
    n, c = x.shape[0], x.shape[1]
    if groups <= 0 or o % groups:
        raise RuntimeError(f"{op}: out_channels ({o}) must be divisible by groups ({groups})")
    if c != cg * groups:
        raise RuntimeError(f"{op}: weight of shape {tuple(weight.shape)} with groups={groups} "
                           f"expects input with {cg * groups} channels, but got input of "
                           f"shape {tuple(x.shape)} ({c} channels)")
    pads = _padding(op, padding, k, s, d)
    out = _out_size(op, tuple(x.shape[2:]), k, s, d, pads)
    cols = _windows(x, k, s, d, pads)  # (N, C, *k, *out)
    positions = math.prod(out)
    if groups == 1:
        y = weight.reshape(o, c * math.prod(k)) @ cols.reshape(n, c * math.prod(k), positions)
    else:
        cols = cols.reshape(n, groups, cg * math.prod(k), positions)
        y = weight.reshape(groups, o // groups, cg * math.prod(k)) @ cols
    y = y.reshape((n, o) + out)
    if bias is not None:
        if tuple(bias.shape) != (o,):
            raise RuntimeError(f"{op}: bias of shape {tuple(bias.shape)} does not match the "
                               f"{o} output channels")
        y = y + bias.reshape((o,) + (1,) * nd)
    return y.reshape(tuple(y.shape[1:])) if unbatched else y


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-d convolution (PyTorch's cross-correlation) of ``(N, C, L)`` with ``(O, C/groups, k)``.

    ``padding`` is an int, a 1-tuple, ``'valid'`` (0) or ``'same'`` (output length = input's).
    """
    return _convnd("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-d convolution of ``(N, C, H, W)`` with ``(O, C/groups, kh, kw)``: ``(N, O, oh, ow)``.

    As PyTorch's: no kernel flip (a cross-correlation), ``oh = (H + 2*padding - dilation*(kh-1)
    - 1) // stride + 1``; ``padding`` is an int, a pair, ``'valid'`` or ``'same'``; with
    ``groups=g`` channel group i of the input meets only output group i's filters.
    """
    return _convnd("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
           stride: Any = 1) -> Tensor:
    """im2col: every ``kernel_size`` window of ``(N, C, H, W)`` as a column, ``(N, C*kh*kw, L)``.

    Column j holds window j (row-major over the output positions), channel-major then kernel
    row, kernel column; ``conv2d`` is ``weight.reshape(O, -1) @ unfold(x, ...)``.
    """
    op = "unfold"
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim not in (3, 4):
        raise RuntimeError(f"{op}: expected a 3D (unbatched) or 4D (batched) input, but got "
                           f"an input of shape {tuple(input.shape)}")
    x = input.reshape((1,) + tuple(input.shape)) if input.ndim == 3 else input
    k = _tuple(op, "kernel_size", kernel_size, 2)
    d = _tuple(op, "dilation", dilation, 2)
    s = _tuple(op, "stride", stride, 2)
    pads = tuple((p, p) for p in _tuple(op, "padding", padding, 2))
    out = _out_size(op, tuple(x.shape[2:]), k, s, d, pads)
    n, c = x.shape[0], x.shape[1]
    cols = _windows(x, k, s, d, pads).reshape(n, c * k[0] * k[1], out[0] * out[1])
    return cols.reshape(tuple(cols.shape[1:])) if input.ndim == 3 else cols


class _ConvNd(Module):
    _nd = 0
    _name = ""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        name, nd = self._name, self._nd
        _check_device(device, name)
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups:
            raise ValueError("out_channels must be divisible by groups")
        if padding_mode != "zeros":
            raise NotImplementedError(f"tinygrad_edu does not implement {name} padding_mode "
                                      f"{padding_mode!r} yet (only 'zeros')")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _tuple(name, "kernel_size", kernel_size, nd)
        self.stride = _tuple(name, "stride", stride, nd)
        self.dilation = _tuple(name, "dilation", dilation, nd)
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 "['valid', 'same']")
            if padding == "same" and any(v != 1 for v in self.stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
            self.padding: Any = padding
        else:
            self.padding = _tuple(name, "padding", padding, nd)
        self.output_padding = (0,) * nd
        self.transposed = False
        self.groups = groups
        self.padding_mode = padding_mode
        d = _float_dtype(dtype if dtype is not None else np.float64, name)
        self.weight = Parameter(np.empty((out_channels, in_channels // groups)
                                         + self.kernel_size, d))
        self.bias: Parameter | None
        self.register_parameter("bias", Parameter(np.empty(out_channels, d)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw weight and bias as PyTorch does: ``kaiming_uniform_(a=sqrt(5))`` for the
        weight, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the bias (fan_in = in/groups * k)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def _conv(self, input: Tensor) -> Tensor:
        return _convnd(self._name.lower(), self._nd, input, self.weight, self.bias,
                       self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input: Tensor) -> Tensor:
        return self._conv(input)

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * self._nd:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self._nd:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    """``F.conv1d`` with a learned ``weight`` ``(out, in/groups, k)`` and ``bias`` ``(out,)``.

    Arguments and initial values as PyTorch's: after ``tinygrad_edu.manual_seed(s)`` the
    weights equal ``torch.nn.Conv1d``'s after ``torch.manual_seed(s)``.
    """

    _nd = 1
    _name = "Conv1d"

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | Sequence[int],
                 stride: Any = 1, padding: Any = 0, dilation: Any = 1, groups: int = 1,
                 bias: bool = True, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)


class Conv2d(_ConvNd):
    """``F.conv2d`` with a learned ``weight`` ``(out, in/groups, kh, kw)`` and ``bias`` ``(out,)``.

    Arguments and initial values as PyTorch's: after ``tinygrad_edu.manual_seed(s)`` the
    weights equal ``torch.nn.Conv2d``'s after ``torch.manual_seed(s)``.
    """

    _nd = 2
    _name = "Conv2d"

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | Sequence[int],
                 stride: Any = 1, padding: Any = 0, dilation: Any = 1, groups: int = 1,
                 bias: bool = True, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)
