"""The ``torch`` namespace: PyTorch's free functions, factories and dtypes.

``import tinygrad_edu as torch`` gives these names at the package's top level (see
``__init__.py``), so a learner's PyTorch program runs with its import line changed:
``torch.tensor([1, 2])``, ``torch.zeros(3, dtype=torch.long)``, ``torch.cat([a, b], dim=1)``,
``torch.randn(4, 3, generator=g)``.

Everything here is built on ``Tensor`` and its methods: a free function ``torch.f(x, ...)``
is ``x.f(...)``, a factory makes a leaf tensor. Nothing here defines a gradient.

Dtypes are NumPy dtypes (``torch.float32 == np.float32``). As in PyTorch, Python ints give
int64 tensors and bools bool tensors; floats give the default dtype, which is float64 here
(gradient checks need it) and can be changed with ``set_default_dtype``.
"""

from __future__ import annotations

import builtins
import math
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import random as _random

# _fma32/_fma64: a fused multiply-add (one rounding), as PyTorch's compiled kernels compute
from .random import Generator, _fma32, _fma64, default_generator
from .tensor import Size, Tensor, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .tensor_methods import SortResult, TopKResult, as_dtype, check_device, device

# This module defines functions named sum, max, min, abs, pow, round, all and any, which hide
# Python's builtins here: the code below reaches those through ``builtins``.

__all__ = [
    # dtypes
    "float32", "float64", "double", "int64", "long", "int32", "int16", "short", "int8",
    "uint8", "float16", "half", "get_default_dtype", "set_default_dtype", "finfo", "iinfo",
    "pi", "e", "inf", "nan",
    # making tensors
    "Tensor", "tensor", "as_tensor", "from_numpy", "is_tensor", "is_floating_point", "numel",
    "zeros", "ones", "full", "empty", "zeros_like", "ones_like", "full_like", "empty_like",
    "eye", "arange", "linspace", "logspace",
    # random numbers
    "rand", "randn", "randint", "randperm", "rand_like", "randn_like", "randint_like",
    "normal", "multinomial", "bernoulli", "manual_seed", "seed", "initial_seed",
    "get_rng_state", "set_rng_state", "Generator", "default_generator",
    # joining and selecting
    "cat", "concat", "concatenate", "stack", "hstack", "vstack", "where",
    # grad mode, devices
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode",
    "device", "cuda", "backends", "Size", "SortResult", "TopKResult",
    # functions
    "pow", "dot", "softmax", "log_softmax",
]

# --------------------------------------------------------------------------- dtypes

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
double = float64
int64 = np.dtype(np.int64)
long = int64
int32 = np.dtype(np.int32)
int16 = np.dtype(np.int16)
short = int16
int8 = np.dtype(np.int8)
uint8 = np.dtype(np.uint8)
#: Named so that programs that mention it import; any tensor of it raises ``TypeError``.
float16 = np.dtype(np.float16)
half = float16
bool_ = np.dtype(np.bool_)  # ``torch.bool`` (set in __init__.py, which may shadow ``bool``)

finfo = np.finfo
iinfo = np.iinfo
pi = math.pi
e = math.e
inf = math.inf
nan = math.nan

# The engine's module: its DEFAULT_DTYPE is read at each use, so set_default_dtype sets it there.
# (Looked up by module name: the package's attribute ``tensor`` is the function below.)
_core: Any = sys.modules[Tensor.__module__]

# What a tensor can hold (the core's dtypes).
_SUPPORTED = (float32, float64, int64, int32, int16, int8, uint8, bool_)



def _dtype(dtype: Any, op: str) -> np.dtype:
    d = as_dtype(dtype, op)
    if d not in _SUPPORTED:
        raise TypeError(f"{op}: unsupported dtype {d}; use float32, float64, int64, int32, "
                        "int16, int8, uint8 or bool")
    return d


def get_default_dtype() -> np.dtype:
    """The dtype of tensors made from Python floats (float64 unless changed)."""
    return _core.DEFAULT_DTYPE


def set_default_dtype(d: Any) -> None:
    """Make ``d`` (float32 or float64) the dtype of tensors made from Python floats."""
    dt = as_dtype(d, "set_default_dtype")
    if dt not in (float32, float64):
        raise TypeError(f"set_default_dtype: only float32 and float64 can be the default, "
                        f"got {dt}")
    _core.DEFAULT_DTYPE = dt
    _random.set_program_default(dt)


def _float_dtype(dtype: Any, op: str) -> np.dtype:
    d = get_default_dtype() if dtype is None else _dtype(dtype, op)
    if d.kind != "f":
        raise TypeError(f"{op}: needs a floating point dtype, got {d}")
    return d


# --------------------------------------------------------------------------- making tensors


def _leaf(arr: np.ndarray, requires_grad: builtins.bool) -> Tensor:
    """A leaf tensor holding ``arr`` (copied) in ``arr``'s dtype."""
    return Tensor(arr, dtype=arr.dtype, requires_grad=requires_grad)


def _inferred(data: Any, op: str) -> np.ndarray:
    """``data`` as an array with PyTorch's dtype: ints int64, bools bool, floats the default.

    An array, a NumPy scalar or a tensor keeps its dtype.
    """
    if isinstance(data, Tensor):
        return data.data
    if isinstance(data, np.ndarray | np.generic):
        arr = np.asarray(data)
        _dtype(arr.dtype, op)
        return arr
    try:
        arr = np.array(data)
    except ValueError as err:
        raise ValueError(f"{op}: cannot make a tensor from the data ({err})") from None
    kind = arr.dtype.kind
    if kind == "b":
        return arr
    if kind in "iu":
        return arr.astype(np.int64)
    if kind == "f":
        return arr.astype(get_default_dtype())
    if arr.size == 0 and kind not in "US":  # [] is an empty float tensor
        return arr.astype(get_default_dtype())
    raise TypeError(f"{op}: cannot make a tensor from data of type {arr.dtype} "
                    "(tensors hold real numbers and booleans)")


def tensor(data: Any, dtype: Any = None, device: Any = None,
           requires_grad: builtins.bool = False, pin_memory: builtins.bool = False) -> Tensor:
    """A new leaf tensor holding a copy of ``data``, as ``torch.tensor``.

    The dtype follows PyTorch: Python ints give int64, bools bool, floats the default
    dtype (float64 here); an array or a tensor keeps its dtype. Only floating point tensors
    can require grad.
    """
    check_device(device)
    arr = _inferred(data, "tensor")
    d = arr.dtype if dtype is None else _dtype(dtype, "tensor")
    return Tensor(arr, dtype=d, requires_grad=requires_grad)


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor that shares memory with ``ndarray`` (writing to one changes the other)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray, got {builtins.type(ndarray).__name__}")
    _dtype(ndarray.dtype, "from_numpy")
    return Tensor._wrap(ndarray)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a tensor, sharing memory when it is already an array or a tensor of the
    requested dtype (else a copy, as ``tensor``)."""
    check_device(device)
    want = None if dtype is None else _dtype(dtype, "as_tensor")
    if isinstance(data, Tensor) and (want is None or want == data.dtype):
        return data
    if isinstance(data, np.ndarray) and (want is None or want == data.dtype):
        return from_numpy(data)
    return tensor(data, dtype=want)


def is_tensor(obj: Any) -> builtins.bool:
    """True when ``obj`` is a ``Tensor``."""
    return isinstance(obj, Tensor)


def _check_input(op: str, x: Any) -> Tensor:
    if isinstance(x, BoolArray):  # a comparison's result: a bool tensor in PyTorch
        return Tensor._wrap(np.asarray(x))
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not "
                        f"{builtins.type(x).__name__}")
    return x


from .mask import BoolArray  # noqa: E402


def is_floating_point(input: Tensor) -> builtins.bool:  # noqa: A002 (PyTorch's name)
    """True for a float32 or float64 tensor."""
    return _check_input("is_floating_point", input).is_floating_point()


def numel(input: Tensor) -> builtins.int:  # noqa: A002
    """The number of elements of ``input``."""
    return _check_input("numel", input).numel()


def _size(op: str, size: tuple[Any, ...]) -> tuple[builtins.int, ...]:
    """``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` and ``f(torch.Size([2, 3]))`` all mean (2, 3)."""
    if len(size) == 1 and isinstance(size[0], tuple | list):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, builtins.bool) or not isinstance(s, builtins.int | np.integer):
            raise TypeError(f"{op}: size must be ints, got {size!r}")
        if s < 0:
            raise RuntimeError(f"{op}: negative dimension {s} in size {size!r}")
        out.append(builtins.int(s))
    return tuple(out)


def _filled(op: str, size: tuple[Any, ...], value: Any, dtype: Any, device: Any,
            requires_grad: builtins.bool) -> Tensor:
    check_device(device)
    d = get_default_dtype() if dtype is None else _dtype(dtype, op)
    return _leaf(np.full(_size(op, size), value, dtype=d), requires_grad)


def zeros(*shape: Any, size: Any = None, dtype: Any = None, device: Any = None,
          requires_grad: builtins.bool = False) -> Tensor:
    """Zeros of ``size`` (ints or one tuple), in the default dtype unless ``dtype`` is given."""
    size = shape if size is None else (size,)  # (PyTorch's size= keyword too)
    return _filled("zeros", size, 0, dtype, device, requires_grad)


def ones(*shape: Any, size: Any = None, dtype: Any = None, device: Any = None,
         requires_grad: builtins.bool = False) -> Tensor:
    """Ones of ``size``, in the default dtype unless ``dtype`` is given."""
    size = shape if size is None else (size,)  # (PyTorch's size= keyword too)
    return _filled("ones", size, 1, dtype, device, requires_grad)


def empty(*shape: Any, size: Any = None, dtype: Any = None, device: Any = None,
          requires_grad: builtins.bool = False) -> Tensor:
    """A tensor of ``size`` whose values are not to be relied on (zeros here, so runs repeat)."""
    size = shape if size is None else (size,)  # (PyTorch's size= keyword too)
    return _filled("empty", size, 0, dtype, device, requires_grad)


def _fill_dtype(value: Any) -> np.dtype:
    """PyTorch's dtype for ``full``: bool for a bool, int64 for an int, else the default."""
    if isinstance(value, builtins.bool | np.bool_):
        return bool_
    if isinstance(value, builtins.int | np.integer):
        return int64
    if isinstance(value, Tensor):
        return value.dtype
    return get_default_dtype()


def full(size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
         requires_grad: builtins.bool = False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value`` (an int fills an int64 tensor, as in
    PyTorch)."""
    _check_fill("full", fill_value)
    d = _fill_dtype(fill_value) if dtype is None else dtype
    value = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
    return _filled("full", (size,), value, d, device, requires_grad)


def _check_fill(op: str, value: Any) -> None:
    if not isinstance(value, Tensor | builtins.int | builtins.float | np.number | np.bool_):
        raise TypeError(f"{op}: fill_value must be a number, got {type(value).__name__} "
                        f"{value!r:.60}")


def _like(op: str, input: Tensor, value: Any, dtype: Any, device: Any,  # noqa: A002
          requires_grad: builtins.bool) -> Tensor:
    x = _check_input(op, input)
    return _filled(op, x.shape, value, x.dtype if dtype is None else dtype, device,
                   requires_grad)


def zeros_like(input: Tensor, *, dtype: Any = None, device: Any = None,  # noqa: A002
               requires_grad: builtins.bool = False) -> Tensor:
    """Zeros of ``input``'s shape and dtype."""
    return _like("zeros_like", input, 0, dtype, device, requires_grad)


def ones_like(input: Tensor, *, dtype: Any = None, device: Any = None,  # noqa: A002
              requires_grad: builtins.bool = False) -> Tensor:
    """Ones of ``input``'s shape and dtype."""
    return _like("ones_like", input, 1, dtype, device, requires_grad)


def empty_like(input: Tensor, *, dtype: Any = None, device: Any = None,  # noqa: A002
               requires_grad: builtins.bool = False) -> Tensor:
    """A tensor of ``input``'s shape and dtype (zeros here)."""
    return _like("empty_like", input, 0, dtype, device, requires_grad)


def full_like(input: Tensor, fill_value: Any, *, dtype: Any = None,  # noqa: A002
              device: Any = None, requires_grad: builtins.bool = False) -> Tensor:
    """``input``'s shape and dtype, filled with ``fill_value``."""
    _check_fill("full_like", fill_value)
    return _like("full_like", input, fill_value, dtype, device, requires_grad)


def eye(n: builtins.int, m: builtins.int | None = None, *, dtype: Any = None,
        device: Any = None, requires_grad: builtins.bool = False) -> Tensor:
    """The ``n`` x ``m`` identity matrix (``m`` defaults to ``n``)."""
    check_device(device)
    d = get_default_dtype() if dtype is None else _dtype(dtype, "eye")
    for what, k in (("n", n), ("m", m)):
        if k is None:
            continue
        if isinstance(k, builtins.bool) or not isinstance(k, builtins.int | np.integer):
            raise TypeError(f"eye: {what} must be an int, got {type(k).__name__} {k!r}")
        if k < 0:
            raise RuntimeError(f"eye: {what} must be greater or equal to 0, got {k}")
    return _leaf(np.eye(n, n if m is None else m, dtype=d), requires_grad)


def _is_float_number(x: Any) -> builtins.bool:
    if isinstance(x, Tensor):
        return x.is_floating_point()
    return isinstance(x, builtins.float | np.floating)


def _number(x: Any) -> Any:
    return x.item() if isinstance(x, Tensor) else x


def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: Any = None,
           device: Any = None, requires_grad: builtins.bool = False) -> Tensor:
    """``start, start + step, ...`` up to (not including) ``end``; ``arange(n)`` is 0..n-1.

    As PyTorch: int64 when every argument is an integer, else the default float dtype; the
    values are ``start + i * step`` computed in float64.
    """
    check_device(device)
    if end is None:
        start, end = 0, start
    for what, v in (("start", start), ("end", end), ("step", step)):
        if isinstance(v, builtins.bool) or not isinstance(
                v, Tensor | builtins.int | builtins.float | np.number):
            raise TypeError(f"arange: {what} must be a number, got {type(v).__name__} {v!r:.60}")
    is_float = builtins.any(_is_float_number(v) for v in (start, end, step))
    start, end, step = _number(start), _number(end), _number(step)
    default = get_default_dtype() if is_float else int64
    d = default if dtype is None else _dtype(dtype, "arange")
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"arange: the bounds start={start}, end={end} are inconsistent with "
                           f"the sign of step={step}")
    if is_float:
        n = builtins.int(math.ceil((end - start) / step))
        return _leaf(_arange_values(builtins.float(start), builtins.float(step), n, d),
                     requires_grad)
    n = -((start - end) // step)  # ceil((end - start) / step), exactly, for ints
    return _leaf((start + np.arange(n, dtype=np.int64) * step).astype(d), requires_grad)


def _arange_values(start: builtins.float, step: builtins.float, n: builtins.int, d: np.dtype
                   ) -> np.ndarray:
    """PyTorch's float ``arange`` values, bit for bit (its x86-64 AVX2 kernel, up to 32768
    elements; past that PyTorch splits the work between threads).

    The kernel works in float64 and fills blocks of two vectors (4 float64 or 8 float32 lanes):
    each vector's first value is ``start + step * i`` and its lanes ``first + j * step``, each a
    fused multiply-add (one rounding); the elements after the last whole block are
    ``start + step * i``. For float32 the vector's first value is rounded to float32 first.
    """
    lanes = 8 if d == float32 else 4
    i = np.arange(n, dtype=np.float64)
    j = i % lanes
    first = _fma64(i - j, step, start)
    if d == float32:
        first = first.astype(np.float32).astype(np.float64)
    in_blocks = np.arange(n) < (n // (2 * lanes)) * 2 * lanes
    values = np.where(in_blocks, _fma64(j, step, first), _fma64(i, step, start))
    return np.asarray(values).astype(d)


def _linspace_values(op: str, start: Any, end: Any, steps: builtins.int, d: np.dtype
                     ) -> np.ndarray:
    # PyTorch's kernel, so the values are its values: the first half counts up from start, the
    # second half down from end, each as one fused multiply-add with the step (so both ends
    # are exact), in the tensor's float precision (float64 for an integer dtype, whose ends
    # are made integers first).
    if isinstance(steps, builtins.bool) or not isinstance(steps, builtins.int | np.integer):
        raise TypeError(f"{op}: steps must be an int, got {type(steps).__name__} {steps!r}")
    if steps < 0:
        raise RuntimeError(f"{op}: number of steps must be non-negative, got {steps}")
    is_int = d.kind != "f"
    work = np.float64 if is_int else d.type
    fma = _fma32 if work is np.float32 else _fma64
    a, b = (work(builtins.int(_number(v))) if is_int else work(_number(v)) for v in (start, end))
    if steps == 1:
        return np.array([a], dtype=work)
    step = (b - a) / work(steps - 1)
    idx = np.arange(steps)
    k = idx.astype(work)
    values = np.where(idx < steps // 2, fma(k, step, a), fma(work(steps - 1) - k, -step, b))
    return np.trunc(values) if is_int else values


def linspace(start: Any, end: Any, steps: builtins.int, *, dtype: Any = None,
             device: Any = None, requires_grad: builtins.bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` (both included)."""
    check_device(device)
    d = get_default_dtype() if dtype is None else _dtype(dtype, "linspace")
    return _leaf(_linspace_values("linspace", start, end, steps, d).astype(d), requires_grad)


def logspace(start: Any, end: Any, steps: builtins.int, base: builtins.float = 10.0, *,
             dtype: Any = None, device: Any = None,
             requires_grad: builtins.bool = False) -> Tensor:
    """``base ** linspace(start, end, steps)``."""
    check_device(device)
    d = get_default_dtype() if dtype is None else _dtype(dtype, "logspace")
    exps = _linspace_values("logspace", start, end, steps, d)
    return _leaf(np.power(exps.dtype.type(base), exps).astype(d), requires_grad)


# --------------------------------------------------------------------------- random numbers
# tinygrad_edu.random reproduces PyTorch's CPU generator bit for bit; these wrap its arrays.


def _draw(asked: Any, dtype: np.dtype) -> np.dtype:
    """The stream to draw from: an asked-for dtype's own, else the program's default's (see
    ``random.stream_dtype``: float32's until the program sets a default)."""
    return dtype if asked is not None else _random.stream_dtype(dtype)


def rand(*shape: Any, size: Any = None, generator: Any = None, dtype: Any = None,
         device: Any = None, requires_grad: builtins.bool = False) -> Tensor:
    """Uniform samples from [0, 1) of ``size``: PyTorch's numbers for the same seed."""
    size = shape if size is None else (size,)  # (PyTorch's size= keyword too)
    check_device(device)
    d = _float_dtype(dtype, "rand")
    arr = _random.uniform(_size("rand", size), 0.0, 1.0, dtype=_draw(dtype, d),
                          generator=generator)
    return _leaf(np.asarray(arr, dtype=d), requires_grad)


def randn(*shape: Any, size: Any = None, generator: Any = None, dtype: Any = None,
          device: Any = None, requires_grad: builtins.bool = False) -> Tensor:
    """Standard normal samples of ``size``: PyTorch's numbers for the same seed."""
    size = shape if size is None else (size,)  # (PyTorch's size= keyword too)
    check_device(device)
    d = _float_dtype(dtype, "randn")
    arr = _random.normal(_size("randn", size), 0.0, 1.0, dtype=_draw(dtype, d),
                         generator=generator)
    return _leaf(np.asarray(arr, dtype=d), requires_grad)


def randint(*args: Any, size: Any = None, generator: Any = None, dtype: Any = None,
            device: Any = None, requires_grad: builtins.bool = False) -> Tensor:
    """Random integers in [low, high): ``randint(high, size)`` or ``randint(low, high, size)``;
    int64 unless ``dtype`` is given."""
    check_device(device)
    if size is None:
        if len(args) < 2:
            raise TypeError("randint: give the size, e.g. randint(10, (3,)) or "
                            "randint(0, 10, (3,))")
        *args_, size = args
        args = tuple(args_)
    if len(args) == 1:
        low, high = 0, args[0]
    elif len(args) == 2:
        low, high = args
    else:
        raise TypeError(f"randint: expected (high, size) or (low, high, size), got {args!r}")
    if not high > low:
        raise RuntimeError(f"randint: need low < high, got low={low}, high={high}")
    shape = _size("randint", (size,))
    arr = np.asarray(_random.randint(builtins.int(low), builtins.int(high), shape,
                                     generator=generator))
    d = int64 if dtype is None else _dtype(dtype, "randint")
    return _leaf(arr.astype(d), requires_grad)


def randperm(n: builtins.int, *, generator: Any = None, dtype: Any = None,
             device: Any = None, requires_grad: builtins.bool = False) -> Tensor:
    """A random permutation of 0..n-1 (int64 unless ``dtype`` is given)."""
    check_device(device)
    if isinstance(n, builtins.bool) or not isinstance(n, builtins.int | np.integer):
        raise TypeError(f"randperm: n must be an int, got {type(n).__name__} {n!r}")
    if n < 0:
        raise RuntimeError(f"randperm: n must be non-negative, got {n}")
    arr = np.asarray(_random.randperm(builtins.int(n), generator=generator))
    d = int64 if dtype is None else _dtype(dtype, "randperm")
    return _leaf(arr.astype(d), requires_grad)


def rand_like(input: Tensor, *, generator: Any = None, dtype: Any = None,  # noqa: A002
              device: Any = None, requires_grad: builtins.bool = False) -> Tensor:
    """``rand`` of ``input``'s shape and dtype."""
    x = _check_input("rand_like", input)
    return rand(x.shape, generator=generator, dtype=x.dtype if dtype is None else dtype,
                device=device, requires_grad=requires_grad)


def randn_like(input: Tensor, *, generator: Any = None, dtype: Any = None,  # noqa: A002
               device: Any = None, requires_grad: builtins.bool = False) -> Tensor:
    """``randn`` of ``input``'s shape and dtype."""
    x = _check_input("randn_like", input)
    return randn(x.shape, generator=generator, dtype=x.dtype if dtype is None else dtype,
                 device=device, requires_grad=requires_grad)


def randint_like(input: Tensor, *args: Any, generator: Any = None,  # noqa: A002
                 dtype: Any = None, device: Any = None,
                 requires_grad: builtins.bool = False) -> Tensor:
    """``randint(low=0, high)`` of ``input``'s shape and dtype: ``randint_like(x, high)`` or
    ``randint_like(x, low, high)``."""
    x = _check_input("randint_like", input)
    return randint(*args, size=x.shape, generator=generator,
                   dtype=x.dtype if dtype is None else dtype, device=device,
                   requires_grad=requires_grad)


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, *, generator: Any = None,
           dtype: Any = None, device: Any = None,
           requires_grad: builtins.bool = False) -> Tensor:
    """Normal samples: ``normal(mean, std, size)`` with numbers, or elementwise with tensor
    ``mean``/``std`` (their broadcast shape and dtype; drawn as PyTorch draws them)."""
    check_device(device)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        if size is not None:
            raise TypeError("normal: size= is only for a number mean and std")
        m = mean.data if isinstance(mean, Tensor) else mean
        s = std.data if isinstance(std, Tensor) else std
        arr = _random.normal(None, m, s, generator=generator)
        return _leaf(np.asarray(arr), requires_grad)
    if size is None:
        raise TypeError("normal: with a number mean and std give size=, e.g. "
                        "normal(0.0, 1.0, size=(3,))")
    d = _float_dtype(dtype, "normal")
    arr = _random.normal(_size("normal", (size,)), builtins.float(mean), builtins.float(std),
                         dtype=_draw(dtype, d), generator=generator)
    return _leaf(np.asarray(arr, dtype=d), requires_grad)


def multinomial(input: Tensor, num_samples: builtins.int,  # noqa: A002
                replacement: builtins.bool = False, *, generator: Any = None) -> Tensor:
    """Indices drawn from the rows of ``input`` (non-negative weights), as an int64 tensor."""
    x = _check_input("multinomial", input)
    arr = _random.multinomial(x.data, num_samples, replacement, generator=generator)
    return _leaf(np.asarray(arr).astype(np.int64), False)


def bernoulli(input: Tensor, p: builtins.float | None = None, *,  # noqa: A002
              generator: Any = None) -> Tensor:
    """1 with probability ``input`` (elementwise), else 0, in ``input``'s dtype; with ``p``,
    probability ``p`` for every element of ``input``'s shape."""
    x = _check_input("bernoulli", input)
    if p is None:
        arr = _random.bernoulli(x.data, generator=generator)
    else:
        arr = _random.bernoulli(builtins.float(p), generator=generator, shape=x.shape,
                                dtype=x.dtype)
    return _leaf(np.asarray(arr).astype(x.dtype), False)




def manual_seed(seed: Any) -> Generator:
    """Seed the default generator (PyTorch's ``torch.manual_seed``) and return it."""
    try:
        value = builtins.int(seed)
    except (TypeError, ValueError):
        # PyTorch too converts with int() and lets its ValueError through; name the call.
        raise ValueError(f"manual_seed: seed must be an integer, got {type(seed).__name__} "
                         f"{seed!r:.60}") from None
    return _random.manual_seed(value)
seed = _random.seed
initial_seed = _random.initial_seed
get_rng_state = _random.get_rng_state
set_rng_state = _random.set_rng_state


# --------------------------------------------------------------------------- joining


def _tensors(op: str, tensors: Any) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, Sequence):
        raise TypeError(f"{op}(): expected a sequence of tensors, got "
                        f"{builtins.type(tensors).__name__}")
    out = list(tensors)
    for i, t in enumerate(out):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): expected a sequence of tensors, but item {i} is a "
                            f"{builtins.type(t).__name__}")
    if not out:
        raise RuntimeError(f"{op}(): expected a non-empty sequence of tensors")
    return out


def _promoted(tensors: list[Tensor]) -> list[Tensor]:
    """The tensors in one dtype by PyTorch's rule: the widest float if any is float, else the
    widest integer type (NumPy would widen int64 with float32 to float64)."""
    floats = [t.dtype for t in tensors if t.dtype.kind == "f"]
    target = np.result_type(*floats) if floats else np.result_type(*[t.dtype for t in tensors])
    return [t.to(target) for t in tensors]


def cat(tensors: Sequence[Tensor], dim: builtins.int = 0, *,
        axis: builtins.int | None = None) -> Tensor:
    """The tensors joined along ``dim`` (their other dims must agree); each gets its slice of
    the gradient."""
    from . import ops

    ts = _tensors("cat", tensors)
    if axis is not None:
        if dim != 0:
            raise TypeError("cat: got both dim= and axis=; give one of them")
        dim = axis
    # PyTorch skips 1-D empty tensors (the old way to start a list to concatenate onto)
    kept = [t for t in ts if t.shape != (0,)] or ts[:1]
    # Checked here so the errors are PyTorch's types (IndexError for the dim, RuntimeError for
    # the sizes) and name the call as the user wrote it.
    d = _dim_in_range("cat", dim, kept[0].ndim)
    first = kept[0].shape
    for i, t in enumerate(kept):
        if t.ndim != len(first) or builtins.any(
                a != b for k, (a, b) in enumerate(zip(t.shape, first, strict=False)) if k != d):
            raise RuntimeError(f"cat: sizes of tensors must match except in dim {dim}: tensor "
                               f"{i} has shape {t.shape}, tensor 0 has shape {first}")
    return ops.Cat.apply(*_promoted(kept), axis=d)


def _dim_in_range(op: str, dim: Any, ndim: builtins.int) -> builtins.int:
    """``dim`` as a non-negative index into ``ndim`` dims, or PyTorch's TypeError/IndexError."""
    if isinstance(dim, builtins.bool) or not isinstance(dim, builtins.int | np.integer):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__} {dim!r:.60}")
    lo, hi = -builtins.max(ndim, 1), builtins.max(ndim, 1) - 1
    if not lo <= dim <= hi:
        raise IndexError(f"{op}: dim {dim} is out of range for tensors with {ndim} dims "
                         f"(expected a dim in [{lo}, {hi}])")
    return builtins.int(dim) % builtins.max(ndim, 1)


concat = cat
concatenate = cat


def stack(tensors: Sequence[Tensor], dim: builtins.int = 0) -> Tensor:
    """The tensors (all of one shape) joined along a new dim ``dim``."""
    ts = _tensors("stack", tensors)
    for i, t in enumerate(ts):
        if t.shape != ts[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(ts[0].shape)} at entry 0 and {list(t.shape)} at entry {i}")
    dim = _dim_in_range("stack", dim, ts[0].ndim + 1)
    return cat([t.unsqueeze(dim) for t in ts], dim)


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along dim 1 (along dim 0 for 1-D tensors)."""
    ts = [t.reshape(1) if t.ndim == 0 else t for t in _tensors("hstack", tensors)]
    return cat(ts, 0 if ts[0].ndim == 1 else 1)


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along dim 0, 1-D tensors as rows."""
    ts = [t.reshape(1, -1) if t.ndim < 2 else t for t in _tensors("vstack", tensors)]
    return cat(ts, 0)


def where(condition: Any, input: Any = None, other: Any = None) -> Any:  # noqa: A002
    """``input`` where ``condition`` (a bool tensor) holds, else ``other``; each gets the
    gradient of its places. ``input``/``other`` may be numbers. With only the condition:
    the indices where it holds, one int64 tensor per dim."""
    from . import ops

    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if input is None and other is None:
        return tuple(Tensor._wrap(i.astype(np.int64)) for i in np.nonzero(cond))
    if input is None or other is None:
        raise TypeError("where: give both input and other, or neither")
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = tensor(input)  # two numbers: PyTorch's dtype for them
    if cond.dtype != np.bool_:
        raise TypeError(f"where: the condition must be a bool tensor, got dtype {cond.dtype}")
    return ops.Where.apply(cond, input, other)


# --------------------------------------------------------------------------- grad mode


class inference_mode(set_grad_enabled):  # noqa: N801 (PyTorch's name)
    """``with inference_mode():`` records no graph, as ``no_grad`` (``inference_mode(False)``
    changes nothing)."""

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode):  # used bare, as @inference_mode
            return cls()(mode)
        return object.__new__(cls)

    def __init__(self, mode: Any = True) -> None:
        self.mode = not mode and is_grad_enabled()


class _Cuda:
    """``torch.cuda``: there is no GPU here; seeding it does nothing, as PyTorch without one."""

    @staticmethod
    def is_available() -> builtins.bool:
        """False: tinygrad_edu computes on the CPU with NumPy."""
        return False

    @staticmethod
    def device_count() -> builtins.int:
        """0."""
        return 0

    @staticmethod
    def manual_seed(seed: builtins.int) -> None:
        """Does nothing (no GPU)."""

    @staticmethod
    def manual_seed_all(seed: builtins.int) -> None:
        """Does nothing (no GPU)."""

    @staticmethod
    def is_initialized() -> builtins.bool:
        """False."""
        return False


cuda = _Cuda()


class _Switches:
    """A settings object such as ``torch.backends.cudnn`` (its flags have no effect here)."""

    def __init__(self, **flags: Any) -> None:
        self.__dict__.update(flags)

    @staticmethod
    def is_available() -> builtins.bool:
        """False: no accelerator backend is available."""
        return False


class _Backends:
    """``torch.backends``: ``cudnn`` and ``mps`` report that they are not available."""

    def __init__(self) -> None:
        self.cudnn = _Switches(deterministic=False, benchmark=False, enabled=False)
        self.mps = _Switches()
        self.cuda = _Switches()


backends = _Backends()


# --------------------------------------------------------------------------- functions


def _method_function(name: str, doc: str | None = None) -> Callable[..., Any]:
    """``torch.name(input, ...)`` that calls ``input.name(...)``."""

    def fn(input: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A002
        return getattr(_check_input(name, input), name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc or f"``torch.{name}(input, ...)``: the same as ``input.{name}(...)``."
    return fn


# The free functions of PyTorch that are a method of their first argument: torch.f(x, ...)
# is x.f(...). (Those named sum, max, min, abs, round, all, any hide the builtins here.)

# elementwise
exp = _method_function("exp")
log = _method_function("log")
log1p = _method_function("log1p")
log2 = _method_function("log2")
log10 = _method_function("log10")
expm1 = _method_function("expm1")
sqrt = _method_function("sqrt")
rsqrt = _method_function("rsqrt")
abs = _method_function("abs")
absolute = _method_function("absolute")
neg = _method_function("neg")
negative = _method_function("negative")
reciprocal = _method_function("reciprocal")
square = _method_function("square")
sign = _method_function("sign")
floor = _method_function("floor")
ceil = _method_function("ceil")
round = _method_function("round")
trunc = _method_function("trunc")
frac = _method_function("frac")
sin = _method_function("sin")
cos = _method_function("cos")
tan = _method_function("tan")
tanh = _method_function("tanh")
sigmoid = _method_function("sigmoid")
relu = _method_function("relu")
clamp = _method_function("clamp")
clip = _method_function("clip")
clamp_min = _method_function("clamp_min")
clamp_max = _method_function("clamp_max")
maximum = _method_function("maximum")
minimum = _method_function("minimum")
fmax = _method_function("fmax")
fmin = _method_function("fmin")
add = _method_function("add")
sub = _method_function("sub")
subtract = _method_function("subtract")
mul = _method_function("mul")
multiply = _method_function("multiply")
div = _method_function("div")
divide = _method_function("divide")
true_divide = _method_function("true_divide")
floor_divide = _method_function("floor_divide")

# reductions
sum = _method_function("sum")
mean = _method_function("mean")
var = _method_function("var")
std = _method_function("std")
var_mean = _method_function("var_mean")
std_mean = _method_function("std_mean")
max = _method_function("max")
min = _method_function("min")
amax = _method_function("amax")
amin = _method_function("amin")
argmax = _method_function("argmax")
argmin = _method_function("argmin")
logsumexp = _method_function("logsumexp")
cumsum = _method_function("cumsum")
prod = _method_function("prod")
norm = _method_function("norm")
all = _method_function("all")
any = _method_function("any")
count_nonzero = _method_function("count_nonzero")

# shapes
reshape = _method_function("reshape")
flatten = _method_function("flatten")
unflatten = _method_function("unflatten")
squeeze = _method_function("squeeze")
unsqueeze = _method_function("unsqueeze")
transpose = _method_function("transpose")
swapaxes = _method_function("swapaxes")
swapdims = _method_function("swapdims")
permute = _method_function("permute")
t = _method_function("t")
flip = _method_function("flip")
fliplr = _method_function("fliplr")
flipud = _method_function("flipud")
roll = _method_function("roll")
narrow = _method_function("narrow")
select = _method_function("select")
unbind = _method_function("unbind")
split = _method_function("split")
tensor_split = _method_function("tensor_split")
chunk = _method_function("chunk")
tril = _method_function("tril")
diag = _method_function("diag")
diagonal = _method_function("diagonal")
trace = _method_function("trace")
triu = _method_function("triu")
clone = _method_function("clone")
detach = _method_function("detach")

# selection
gather = _method_function("gather")
index_select = _method_function("index_select")
masked_fill = _method_function("masked_fill")
masked_select = _method_function("masked_select")
nonzero = _method_function("nonzero")
sort = _method_function("sort")
argsort = _method_function("argsort")
topk = _method_function("topk")

# products
matmul = _method_function("matmul")
mm = _method_function("mm")
bmm = _method_function("bmm")
mv = _method_function("mv")
outer = _method_function("outer")
ger = _method_function("ger")

# comparisons
eq = _method_function("eq")
ne = _method_function("ne")
lt = _method_function("lt")
le = _method_function("le")
gt = _method_function("gt")
ge = _method_function("ge")
not_equal = _method_function("not_equal")
less = _method_function("less")
less_equal = _method_function("less_equal")
greater = _method_function("greater")
greater_equal = _method_function("greater_equal")
logical_not = _method_function("logical_not")
logical_and = _method_function("logical_and")
logical_or = _method_function("logical_or")
logical_xor = _method_function("logical_xor")
isnan = _method_function("isnan")
isinf = _method_function("isinf")
isfinite = _method_function("isfinite")
isclose = _method_function("isclose")
allclose = _method_function("allclose")
equal = _method_function("equal")

__all__ += [
    "exp", "log", "log1p", "log2", "log10", "expm1", "sqrt", "rsqrt", "abs", "absolute", "neg",
    "negative", "reciprocal", "square", "sign", "floor", "ceil", "round", "trunc", "frac",
    "sin", "cos", "tan", "tanh", "sigmoid", "relu", "clamp", "clip", "clamp_min", "clamp_max",
    "maximum", "minimum", "fmax", "fmin", "add", "sub", "subtract", "mul", "multiply", "div",
    "divide", "true_divide", "floor_divide", "sum", "mean", "var", "std", "var_mean",
    "std_mean", "max", "min", "amax", "amin", "argmax", "argmin", "logsumexp", "cumsum", "prod",
    "norm", "all", "any", "count_nonzero", "reshape", "flatten", "unflatten", "squeeze",
    "unsqueeze", "transpose", "swapaxes", "swapdims", "permute", "t", "flip", "fliplr",
    "flipud", "roll", "narrow", "select", "unbind", "split", "tensor_split", "chunk", "tril",
    "diag", "diagonal", "trace",
    "triu", "clone", "detach", "gather", "index_select", "masked_fill", "masked_select",
    "nonzero", "sort", "argsort", "topk", "matmul", "mm", "bmm", "mv", "outer", "ger", "eq",
    "ne", "lt", "le", "gt", "ge", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "logical_not", "logical_and", "logical_or", "logical_xor", "isnan", "isinf", "isfinite",
    "isclose", "allclose", "equal",
]


def pow(input: Any, exponent: Any) -> Tensor:  # noqa: A001, A002
    """``input ** exponent``; either may be a number (``torch.pow(2, x)``)."""
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError("pow(): input or exponent must be a Tensor")
    return input ** exponent


def dot(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """The inner product of two 1-D tensors."""
    x = _check_input("dot", input)
    if x.ndim != 1 or not isinstance(other, Tensor) or other.ndim != 1:
        raise RuntimeError(f"dot: 1-D tensors expected, got shapes {x.shape} and "
                           f"{getattr(other, 'shape', None)}")
    if x.shape != other.shape:
        raise RuntimeError(f"dot: tensors of shapes {x.shape} and {other.shape} differ in size")
    return x @ other


def softmax(input: Tensor, dim: Any = None, dtype: Any = None) -> Tensor:  # noqa: A002
    """``input.softmax(dim)``, computed in ``dtype`` when given."""
    x = _check_input("softmax", input)
    return (x if dtype is None else x.to(dtype)).softmax(dim)


def log_softmax(input: Tensor, dim: Any = None, dtype: Any = None) -> Tensor:  # noqa: A002
    """``input.log_softmax(dim)``, computed in ``dtype`` when given."""
    x = _check_input("log_softmax", input)
    return (x if dtype is None else x.to(dtype)).log_softmax(dim)
