"""``nn.init``: fill a tensor in place with PyTorch's initialisation schemes.

Each function writes into ``tensor.data`` outside the graph (as under ``no_grad``), tells the
tensor it changed (``_bump_version``), and returns the tensor. Random numbers come from
``tinygrad_edu.random`` (the default generator, or ``generator=``), which reproduces
PyTorch's CPU generator: after the same ``manual_seed`` the numbers are PyTorch's.

The one layout difference: ``nn.Linear.weight`` is ``(in_features, out_features)``, the
transpose of PyTorch's ``(out_features, in_features)``. Such a weight carries the marker
``_torch_layout_transposed`` (``Linear`` sets it), and these functions treat it as the PyTorch
tensor it stands for: fan-in and fan-out come from PyTorch's shape, and random numbers are
drawn in PyTorch's order and then transposed. So ``nn.init.xavier_uniform_(lin.weight)``
gives PyTorch's weight, transposed. A tensor without the marker is taken as it is.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ..tensor import Tensor, no_grad

__all__ = [
    "calculate_gain",
    "uniform_",
    "normal_",
    "trunc_normal_",
    "constant_",
    "ones_",
    "zeros_",
    "eye_",
    "orthogonal_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
]

_LINEAR_FNS = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
               "conv_transpose3d")


def _transposed(tensor: Tensor) -> bool:
    """True for a 2-D weight stored as the transpose of PyTorch's (``nn.Linear.weight``)."""
    return bool(getattr(tensor, "_torch_layout_transposed", False)) and tensor.ndim == 2


def _torch_shape(tensor: Tensor) -> tuple[int, ...]:
    """The shape PyTorch's tensor has: ``(out, in)`` for ``nn.Linear.weight``."""
    return tensor.shape[::-1] if _transposed(tensor) else tensor.shape


def _write(tensor: Tensor, values: Any) -> Tensor:
    """Copy ``values`` (in PyTorch's layout) into ``tensor.data`` in place; return ``tensor``."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"nn.init: expected a Tensor, got {type(tensor).__name__}")
    arr = np.asarray(values)
    with no_grad():
        tensor.data[...] = arr.T if _transposed(tensor) else arr
    bump = getattr(tensor, "_bump_version", None)
    if bump is not None:
        bump()
    return tensor


def _random() -> Any:
    from .. import random  # imported on use: nn needs it only to draw numbers

    return random


def _uniform(tensor: Tensor, a: float, b: float, generator: Any) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"nn.init: expected a Tensor, got {type(tensor).__name__}")
    rnd = _random()
    draw = rnd.stream_dtype(tensor.dtype)  # PyTorch's float32 stream by default: see random.py
    return _write(tensor, rnd.uniform(_torch_shape(tensor), a, b, draw, generator))


def _normal(tensor: Tensor, mean: float, std: float, generator: Any) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"nn.init: expected a Tensor, got {type(tensor).__name__}")
    rnd = _random()
    draw = rnd.stream_dtype(tensor.dtype)  # PyTorch's float32 stream by default: see random.py
    return _write(tensor, rnd.normal(_torch_shape(tensor), mean, std, draw, generator))


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (PyTorch's table).

    linear, conv* and sigmoid 1; tanh 5/3; relu sqrt(2); leaky_relu
    sqrt(2 / (1 + negative_slope**2)) with ``param`` the slope (default 0.01); selu 3/4.
    """
    if nonlinearity in _LINEAR_FNS or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, int | float) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of PyTorch's tensor: ``size(1)`` and ``size(0)``, each times the
    product of the remaining dims (a convolution's kernel).

    For ``nn.Linear.weight`` (marked ``_torch_layout_transposed``) these are computed on
    PyTorch's ``(out, in)`` shape, so fan_in is ``in_features`` as in PyTorch.
    """
    shape = _torch_shape(tensor)
    if len(shape) < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
    """Fill with samples from U(a, b)."""
    return _uniform(tensor, a, b, generator)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0,
            generator: Any = None) -> Tensor:
    """Fill with samples from N(mean, std**2)."""
    return _normal(tensor, mean, std, generator)


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator: Any = None) -> Tensor:
    """Fill with N(mean, std**2) samples truncated to [a, b], drawn as PyTorch draws them.

    When [a, b] holds more than 30% of the normal's mass, normal samples outside it are
    drawn again; otherwise uniform samples in [a, b] are kept with probability
    pdf(x) / pdf(mode) (rejection sampling), each round drawing a whole tensor's worth.
    """
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", stacklevel=2)

    def cdf(x: float) -> float:
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    shape, rnd = _torch_shape(tensor), _random()
    dt = rnd.stream_dtype(tensor.dtype)  # PyTorch's float32 stream by default: see random.py
    if cdf((b - mean) / std) - cdf((a - mean) / std) > 0.3:
        lo, hi = dt.type(a), dt.type(b)  # the bounds as the tensor's dtype holds them
        result = np.asarray(rnd.normal(shape, mean, std, dt, generator))
        while True:
            outside = (result < lo) | (result > hi)
            if not outside.any():
                break
            result = np.where(outside, rnd.normal(shape, mean, std, dt, generator), result)
        return _write(tensor, result)

    mode = max(a, min(mean, b))
    log_peak = -0.5 * ((mode - mean) / std) ** 2

    def log_pdf(x: np.ndarray) -> np.ndarray:  # log(pdf(x) / pdf(mode)), up to the constant
        return ((x - mean) / std) ** 2 * -0.5 - log_peak

    def reject(x: np.ndarray) -> np.ndarray:
        return np.log(np.asarray(rnd.uniform(shape, 0.0, 1.0, dt, generator))) > log_pdf(x)

    result = np.asarray(rnd.uniform(shape, a, b, dt, generator))
    pending = reject(result)
    while pending.any():
        candidates = np.asarray(rnd.uniform(shape, a, b, dt, generator))
        result = np.where(pending, candidates, result)
        pending = np.where(pending, reject(candidates), pending)
    return _write(tensor, result)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    return _write(tensor, val)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    return _write(tensor, 1.0)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0."""
    return _write(tensor, 0.0)


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity (ones on the diagonal)."""
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _write(tensor, np.eye(*_torch_shape(tensor), dtype=tensor.dtype))


def orthogonal_(tensor: Tensor, gain: float = 1, generator: Any = None) -> Tensor:
    """Fill with a (semi-)orthogonal matrix: the Q of a QR of normal samples, times ``gain``.

    Dims after the first are flattened; the signs follow R's diagonal, as PyTorch's do.
    """
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.size == 0:
        return tensor
    shape = _torch_shape(tensor)
    rows = shape[0]
    cols = tensor.size // rows
    rnd = _random()
    flat = np.asarray(rnd.normal((rows, cols), 0.0, 1.0, rnd.stream_dtype(tensor.dtype),
                                 generator))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _write(tensor, (q * gain).reshape(shape))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Glorot's uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return _uniform(tensor, -a, a, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Glorot's normal: N(0, std**2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return _normal(tensor, 0.0, std, generator)


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float | None:
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return None
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator: Any = None) -> Tensor:
    """He's uniform: U(-bound, bound) with bound = gain * sqrt(3 / fan).

    ``a`` is the negative slope of a following leaky_relu; ``mode`` picks fan_in (keeps the
    forward pass's variance) or fan_out (the backward pass's). ``nn.Linear``'s default
    initialisation is this with ``a=sqrt(5)``.
    """
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return _uniform(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator: Any = None) -> Tensor:
    """He's normal: N(0, std**2) with std = gain / sqrt(fan)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    return _normal(tensor, 0.0, std, generator)


def __getattr__(name: str) -> Callable[..., Any]:
    # PEP 562: Python calls this only for a name the module lacks; torch_names.py says whether
    # it is a PyTorch name not implemented yet or a typo (with a hint).
    from ..torch_names import missing_attribute

    raise missing_attribute(__name__, name)
