"""PyTorch's tensor methods that are compositions of the engine's ops.

``Tensor`` inherits these from ``TensorMethods``. Nothing here has a backward of its own: each
method is written with the operations of ``tensor.py`` and ``ops.py``, so its gradient comes
from theirs and is exact. (``tensor.py`` keeps the core: the data, the graph, the operators
and the primitive ops' methods.)

Conventions, all PyTorch's:

- A reduction takes ``dim=``/``keepdim=`` (PyTorch) or ``axis=``/``keepdims=`` (NumPy);
  giving both spellings of one argument raises ``TypeError``.
- Integer and bool results (``argmax``, ``eq``, ``isnan``, ``long()``) are constant tensors:
  they never require grad.
- Piecewise-constant functions (``sign``, ``floor``, ``round`` ...) keep the graph but pass
  a zero gradient, as PyTorch's do.
"""
# The methods annotate ``self`` as ``Tensor``, the class that inherits them; mypy flags such a
# self type on a mixin ("misc") but then checks the bodies against Tensor, which is the point.
# mypy: disable-error-code="misc"

from __future__ import annotations

import builtins
import math
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor  # noqa: F401

# ops.py imports tensor.py, which imports this module: ops is imported inside the methods
# that use it (``from . import ops``), by which time both modules are loaded.

# Methods named ``bool``, ``int`` and ``float`` shadow the builtins inside the class body,
# annotations included; these names keep the builtins reachable there.
_bool = builtins.bool
_int = builtins.int
_float = builtins.float

_FLOAT_KINDS = "f"


class device:  # noqa: N801 (PyTorch's name)
    """``torch.device``: tinygrad_edu computes on the CPU, so ``"cpu"`` is the only device.

    ``device("cpu")`` and ``device("cpu", 0)`` are accepted (``x.device`` returns one);
    any other device raises ``RuntimeError``.
    """

    __slots__ = ("type", "index")
    type: str
    index: _int | None

    def __init__(self, type: str | device, index: _int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            index = type.index
            type = type.type
        if not isinstance(type, str):
            raise TypeError(f"device: expected a string such as 'cpu', got {type!r}")
        name, _, idx = type.partition(":")
        if name != "cpu":
            raise RuntimeError(_no_device(type))
        if idx:
            if not idx.isdigit():
                raise RuntimeError(f"device: invalid device string {type!r}")
            index = _int(idx)
        if index not in (None, 0):
            raise RuntimeError(f"device: the CPU has index 0 only, got cpu:{index}")
        self.type = "cpu"
        self.index = index

    def __eq__(self, other: object) -> _bool:
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> _int:
        return hash((self.type, self.index))

    def __repr__(self) -> str:
        extra = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{extra})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"


_Device = device  # the class, where a method named ``device`` hides it


def _no_device(what: Any) -> str:
    return (f"tinygrad_edu computes on the CPU with NumPy; device {str(what)!r} is not "
            "available (use 'cpu')")


def check_device(d: Any) -> None:
    """Accept ``None``, ``"cpu"``, ``"cpu:0"`` or ``device("cpu")``; raise for anything else."""
    if d is None or isinstance(d, device):
        return
    if isinstance(d, str):
        device(d)
        return
    raise RuntimeError(_no_device(d))


def as_dtype(dtype: Any, op: str) -> np.dtype:
    """A dtype argument (``torch.float32``, ``np.int64``, Python's ``float``...) as a NumPy dtype.

    As PyTorch: Python's ``float`` means float64, ``int`` int64, ``bool`` bool. Dtypes that
    tensors cannot hold (float16, complex, strings) raise ``TypeError`` naming the call.
    """
    if dtype is builtins.float:
        return np.dtype(np.float64)
    if dtype is builtins.int:
        return np.dtype(np.int64)
    try:
        d = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{op}: {dtype!r} is not a dtype") from None
    if d == np.float16:
        raise TypeError(f"{op}: float16 is not supported; tinygrad_edu computes in float32 or "
                        "float64 (use torch.float32)")
    if d.kind not in "fiub" or (d.kind == "f" and d.itemsize > 8):
        raise TypeError(f"{op}: unsupported dtype {d}; use float32, float64, an integer dtype "
                        "or bool")
    return d


def is_dtype_like(x: Any) -> _bool:
    """True for things that name a dtype: ``np.dtype``s, NumPy scalar types, ``float``..."""
    return isinstance(x, np.dtype) or x is builtins.float or x is builtins.int or \
        x is builtins.bool or (isinstance(x, type) and issubclass(x, np.generic))


def _pick(op: str, name: str, value: Any, np_name: str, np_value: Any) -> Any:
    """PyTorch's spelling of an argument or NumPy's, not both."""
    if np_value is None:
        return value
    if value is not None:
        raise TypeError(f"{op}: got both {name}= and {np_name}=; give one of them "
                        f"({name}= is PyTorch's spelling, {np_name}= NumPy's)")
    return np_value


def _dims(op: str, x: Tensor, dim: Any, axis: Any = None) -> tuple[_int, ...]:
    """``dim``/``axis`` as a sorted tuple of non-negative dims (every dim for ``None``)."""
    from . import ops

    return ops.normalize_axis(op, _pick(op, "dim", dim, "axis", axis), x.ndim)


def _keep(op: str, keepdim: _bool | None, keepdims: _bool | None) -> _bool:
    return _bool(_pick(op, "keepdim", keepdim, "keepdims", keepdims))


def _one_dim(op: str, x: Tensor, dim: Any) -> _int:
    """One dim, negative allowed, checked against ``x`` (IndexError, as PyTorch)."""
    if isinstance(dim, _bool) or not isinstance(dim, _int | np.integer):
        raise TypeError(f"{op}: dim must be an int, got {dim!r}")
    n = builtins.max(x.ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor of shape {x.shape} "
                         f"(expected a dim in [{-n}, {n - 1}])")
    return _int(dim) % n


def _data(x: Any) -> Any:
    """The array of a Tensor; anything else as it is."""
    from .tensor import Tensor

    return x.data if isinstance(x, Tensor) else x


def _require_float(op: str, x: Tensor) -> None:
    if x.data.dtype.kind not in _FLOAT_KINDS:
        raise RuntimeError(f"{op}: needs a floating point tensor, got dtype {x.dtype} "
                           "(convert it with .double() or .float() first)")


def _piecewise_constant(x: Tensor, values: np.ndarray) -> Tensor:
    """``values`` (computed from ``x``) as a result whose gradient with respect to x is 0.

    PyTorch keeps ``sign``, ``floor``, ``round``... in the graph with a zero derivative, so
    ``x.grad`` becomes zeros rather than staying ``None``. ``where`` with an always-true
    condition gives exactly that: the values, and no gradient to ``x``.
    """
    if not x.requires_grad:
        return x._wrap(values)
    from . import ops

    return ops.Where.apply(np.array(True), values, x)


def _exact_values(t: Tensor, exact: np.ndarray) -> Tensor:
    """``t``, its values replaced by NumPy's correctly rounded ``exact`` ones.

    ``log10`` composed as ``log(x)/log(10)`` gives 2.9999999999999996 for 1000; adding the
    constant difference makes it 3.0 while the gradient stays the composition's (the
    difference is at the level of rounding, so the derivative is unchanged).
    """
    with np.errstate(invalid="ignore"):
        diff = np.where(t.data == exact, 0.0, exact - t.data).astype(t.data.dtype, copy=False)
    return t + t._wrap(diff) if diff.any() else t


def _safe_root(s: Tensor, root: Any) -> Tensor:
    """``root(s)`` (a power below 1 of ``s >= 0``) with gradient 0 where ``s == 0``.

    The derivative of sqrt is infinite at 0, and infinity times a zero gradient is NaN; PyTorch
    defines the gradient of ``std`` and ``norm`` at 0 as 0, and so does this: the root sees 1
    where ``s`` is 0, and ``where`` puts the 0 back.
    """
    zero = s.data == 0
    if not zero.any():
        return root(s)
    from . import ops

    return ops.Where.apply(zero, 0.0, root(ops.Where.apply(zero, 1.0, s)))


def _index_tensor(op: str, index: Any) -> np.ndarray:
    """An index argument (int tensor, array or list) as an integer array."""
    arr = np.asarray(_data(index))
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{op}: the index must be an integer tensor (e.g. torch.long), got "
                        f"dtype {arr.dtype}")
    return arr


def _along(index: np.ndarray, axis: _int, shape: tuple[_int, ...]) -> tuple[np.ndarray, ...]:
    """The integer-array index that picks ``index[..., i, ...]`` along ``axis`` (``gather``)."""
    return tuple(index if i == axis else
                 np.arange(n).reshape([-1 if j == i else 1 for j in range(len(shape))])
                 for i, n in enumerate(index.shape))


def _sizes(op: str, sizes: tuple[Any, ...]) -> tuple[_int, ...]:
    """``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])`` all mean the sizes (2, 3)."""
    if len(sizes) == 1 and isinstance(sizes[0], tuple | list):
        sizes = tuple(sizes[0])
    out = []
    for s in sizes:
        if isinstance(s, _bool) or not isinstance(s, _int | np.integer):
            raise TypeError(f"{op}: sizes must be ints, got {sizes!r}")
        out.append(_int(s))
    return tuple(out)


class SortResult(NamedTuple):
    """What ``sort`` returns: ``(values, indices)``, as PyTorch's named tuple."""

    values: Tensor
    indices: Tensor


class TopKResult(NamedTuple):
    """What ``topk`` returns: ``(values, indices)``, as PyTorch's named tuple."""

    values: Tensor
    indices: Tensor


_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "int64": "LongTensor",
               "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor",
               "uint8": "ByteTensor", "bool": "BoolTensor"}


class TensorMethods:
    """Mixin of ``Tensor``: PyTorch's composite methods (see the module docstring)."""

    __slots__ = ()

    # ----------------------------------------------------------------- shape and size

    def numel(self: Tensor) -> _int:
        """The number of elements."""
        return _int(self.data.size)

    nelement = numel

    def dim(self: Tensor) -> _int:
        """The number of dims (``ndim``)."""
        return _int(self.data.ndim)

    ndimension = dim

    def element_size(self: Tensor) -> _int:
        """Bytes per element."""
        return _int(self.data.itemsize)

    def view_as(self: Tensor, other: Tensor) -> Tensor:
        """``view(other.shape)``."""
        return self.reshape(tuple(other.shape))

    def reshape_as(self: Tensor, other: Tensor) -> Tensor:
        """``reshape(other.shape)``."""
        return self.reshape(tuple(other.shape))

    def contiguous(self: Tensor) -> Tensor:
        """The tensor itself when its memory is laid out row by row, else a copy that is (as
        in PyTorch: ``x.t().contiguous()`` no longer shares ``x``'s memory)."""
        return self if self.data.flags.c_contiguous else self.clone()

    def unsqueeze(self: Tensor, dim: _int) -> Tensor:
        """A new dim of size 1 at ``dim`` (``-1`` appends one)."""
        n = self.ndim + 1
        if isinstance(dim, _bool) or not isinstance(dim, _int | np.integer):
            raise TypeError(f"unsqueeze: dim must be an int, got {dim!r}")
        if not -n <= dim < n:
            raise IndexError(f"unsqueeze: dim {dim} is out of range for a tensor of shape "
                             f"{self.shape} (expected a dim in [{-n}, {n - 1}])")
        d = _int(dim) % n
        return self.reshape(self.shape[:d] + (1,) + self.shape[d:])

    def squeeze(self: Tensor, dim: _int | Sequence[_int] | None = None) -> Tensor:
        """Drop dims of size 1: all of them, or those among ``dim`` (others stay, as PyTorch)."""
        if dim is None:
            dims = set(range(self.ndim))
        else:
            many = dim if isinstance(dim, tuple | list) else (dim,)
            dims = {_one_dim("squeeze", self, d) for d in many}
        shape = tuple(n for i, n in enumerate(self.shape) if not (i in dims and n == 1))
        return self.reshape(shape)

    def unflatten(self: Tensor, dim: _int, sizes: Sequence[_int]) -> Tensor:
        """Split ``dim`` into the dims ``sizes`` (one may be -1)."""
        d = _one_dim("unflatten", self, dim)
        return self.reshape(self.shape[:d] + tuple(sizes) + self.shape[d + 1:])

    def expand(self: Tensor, *sizes: Any) -> Tensor:
        """Repeat dims of size 1 (and add leading dims) without copying in PyTorch; -1 keeps a
        dim. The gradient sums the copies back."""
        want = _sizes("expand", sizes)
        lead = len(want) - self.ndim
        if lead < 0:
            raise RuntimeError(f"expand: the number of sizes given ({len(want)}) must be at "
                               f"least the number of dims of the tensor ({self.ndim})")
        shape = []
        for i, n in enumerate(want):
            if i < lead:
                if n < 0:
                    raise RuntimeError(f"expand: size {n} is not allowed in a new leading "
                                       f"dim {i} (sizes {want})")
                shape.append(n)
                continue
            old = self.shape[i - lead]
            if n == -1:
                n = old
            elif old != 1 and n != old:
                raise RuntimeError(
                    f"expand: the expanded size of the tensor ({n}) must match the existing "
                    f"size ({old}) at non-singleton dim {i}; target sizes {list(want)}, "
                    f"tensor sizes {list(self.shape)}")
            shape.append(n)
        if tuple(shape) == self.shape:
            return self
        return self.broadcast_to(tuple(shape))

    def expand_as(self: Tensor, other: Tensor) -> Tensor:
        """``expand(other.shape)``."""
        return self.expand(tuple(other.shape))

    def repeat(self: Tensor, *sizes: Any) -> Tensor:
        """Tile the tensor: ``repeat(2, 3)`` copies it twice along dim 0 and thrice along dim 1.

        Composed as reshape (a new dim of 1 before each), broadcast, reshape; the gradient sums
        the copies back.
        """
        reps = _sizes("repeat", sizes)
        if len(reps) < self.ndim:
            raise RuntimeError(f"repeat: the number of repeats ({len(reps)}) cannot be smaller "
                               f"than the number of dims of the tensor ({self.ndim})")
        if builtins.any(r < 0 for r in reps):
            raise RuntimeError(f"repeat: repeats must be non-negative, got {reps}")
        shape = (1,) * (len(reps) - self.ndim) + self.shape
        paired = tuple(v for n in shape for v in (1, n))
        wide = tuple(v for r, n in zip(reps, shape, strict=True) for v in (r, n))
        out = self.reshape(paired).broadcast_to(wide)
        return out.reshape(tuple(r * n for r, n in zip(reps, shape, strict=True)))

    def flip(self: Tensor, *dims: Any) -> Tensor:
        """Reverse the order along ``dims`` (``flip(0)``, ``flip(0, 1)`` or ``flip([0, 1])``)."""
        picked = {_one_dim("flip", self, d) for d in _sizes("flip", dims)}
        if self.ndim == 0:
            return self[...]
        return self[tuple(slice(None, None, -1) if i in picked else slice(None)
                          for i in range(self.ndim))]

    def fliplr(self: Tensor) -> Tensor:
        """``flip(1)``."""
        return self.flip(1)

    def flipud(self: Tensor) -> Tensor:
        """``flip(0)``."""
        return self.flip(0)

    def roll(self: Tensor, shifts: Any, dims: Any = None) -> Tensor:
        """Shift elements circularly by ``shifts`` along ``dims`` (the flattened tensor when
        ``dims`` is None); the gradient is rolled back."""
        if dims is None:
            if isinstance(shifts, tuple | list):
                if len(shifts) != 1:
                    raise RuntimeError("roll: give dims= when shifts has several entries")
                shifts = shifts[0]
            return self.reshape(-1).roll(shifts, 0).reshape(self.shape)
        many_s = tuple(shifts) if isinstance(shifts, tuple | list) else (shifts,)
        many_d = tuple(dims) if isinstance(dims, tuple | list) else (dims,)
        if len(many_s) != len(many_d):
            raise RuntimeError(f"roll: shifts {shifts!r} and dims {dims!r} differ in length")
        out = self
        for s, d in zip(many_s, many_d, strict=True):
            axis = _one_dim("roll", self, d)
            n = self.shape[axis] if self.ndim else 1
            if n == 0 or s % n == 0:
                continue
            idx = (np.arange(n) - _int(s)) % n
            out = out[(slice(None),) * axis + (idx,)]
        return out if out is not self else self[...]

    @property
    def mT(self: Tensor) -> Tensor:  # noqa: N802 (PyTorch's name)
        """The last two dims swapped (a batch of matrices transposed)."""
        if self.ndim < 2:
            raise RuntimeError(f"mT: needs a matrix or a batch of matrices, got a tensor of "
                               f"shape {self.shape}")
        return self.swapaxes(-2, -1)

    # ----------------------------------------------------------------- dtype and device

    @property
    def device(self: Tensor) -> _Device:
        """Always ``device(type='cpu')``: tinygrad_edu computes with NumPy on the CPU."""
        return _CPU

    @property
    def is_cuda(self: Tensor) -> _bool:
        """Always False."""
        return False

    def is_floating_point(self: Tensor) -> _bool:
        """True for float32 and float64 tensors."""
        return _bool(self.data.dtype.kind == "f")

    def is_complex(self: Tensor) -> _bool:
        """Always False: tensors hold real numbers."""
        return False

    def _cast(self: Tensor, d: np.dtype) -> Tensor:
        if d == self.data.dtype:
            return self
        if d.kind == "f" and self.data.dtype.kind == "f":
            from . import ops

            return ops.Cast.apply(self, dtype=d)  # the gradient is cast back
        with np.errstate(invalid="ignore"):  # NaN to an integer, as PyTorch, gives garbage
            return self._wrap(self.data.astype(d))

    def to(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        """PyTorch's ``to``: ``to(dtype)``, ``to("cpu")``, ``to(device, dtype)``, ``to(other)``.

        Returns the tensor itself when nothing changes (unless ``copy=True``); a float-to-float
        conversion keeps the graph. Devices other than the CPU raise ``RuntimeError``.
        """
        from .tensor import Tensor

        dtype: np.dtype | None = None
        copy = _bool(kwargs.pop("copy", False))
        kwargs.pop("non_blocking", None)
        kwargs.pop("memory_format", None)
        if "device" in kwargs:
            check_device(kwargs.pop("device"))
        if "dtype" in kwargs:
            d = kwargs.pop("dtype")
            if d is not None:
                dtype = as_dtype(d, "to")
        if kwargs:
            raise TypeError(f"to: unexpected keyword argument(s) {sorted(kwargs)}")
        flags = []  # positional (non_blocking, copy) after the dtype, device or tensor
        for a in args:
            if isinstance(a, _bool):
                flags.append(a)
            elif isinstance(a, str | _Device):
                check_device(a)
            elif is_dtype_like(a):
                dtype = as_dtype(a, "to")
            elif isinstance(a, Tensor):
                dtype = a.data.dtype
            elif isinstance(a, _int):  # PyTorch reads an int as a CUDA device index
                raise RuntimeError(_no_device(f"cuda:{a}"))
            else:
                raise TypeError(f"to: cannot convert to {a!r}; give a dtype, a device or a "
                                "tensor")
        if len(flags) > 2:
            raise TypeError(f"to: too many positional flags {flags}")
        if len(flags) == 2:
            copy = flags[1]
        out = self if dtype is None else self._cast(dtype)
        return out.clone() if copy and out is self else out

    def cpu(self: Tensor) -> Tensor:
        """The tensor itself: it is on the CPU already."""
        return self

    def cuda(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        """Raises: tinygrad_edu computes on the CPU with NumPy."""
        raise RuntimeError(_no_device("cuda"))

    def type_as(self: Tensor, other: Tensor) -> Tensor:
        """Converted to ``other``'s dtype."""
        from .tensor import Tensor

        if not isinstance(other, Tensor):
            raise TypeError(f"type_as: other must be a Tensor, got {type(other).__name__}")
        return self._cast(other.data.dtype)

    def type(self: Tensor, dtype: Any = None) -> Any:
        """With no argument, PyTorch's type name (``'torch.DoubleTensor'``); else ``to(dtype)``."""
        if dtype is None:
            return "torch." + _TYPE_NAMES.get(self.data.dtype.name, self.data.dtype.name)
        if isinstance(dtype, str):
            names = {"torch." + v: k for k, v in _TYPE_NAMES.items()}
            if dtype not in names:
                raise TypeError(f"type: unknown tensor type {dtype!r}")
            dtype = names[dtype]
        return self._cast(as_dtype(dtype, "type"))

    def float(self: Tensor) -> Tensor:
        """As float32 (PyTorch's ``float`` is 32-bit)."""
        return self._cast(np.dtype(np.float32))

    def double(self: Tensor) -> Tensor:
        """As float64."""
        return self._cast(np.dtype(np.float64))

    def half(self: Tensor) -> Tensor:
        """Raises: float16 is not supported."""
        raise TypeError("half: float16 is not supported; tinygrad_edu computes in float32 or "
                        "float64 (use .float())")

    def long(self: Tensor) -> Tensor:
        """As int64 (no gradient flows through an integer tensor)."""
        return self._cast(np.dtype(np.int64))

    def int(self: Tensor) -> Tensor:
        """As int32 (no gradient flows through an integer tensor)."""
        return self._cast(np.dtype(np.int32))

    def short(self: Tensor) -> Tensor:
        """As int16."""
        return self._cast(np.dtype(np.int16))

    def byte(self: Tensor) -> Tensor:
        """As uint8."""
        return self._cast(np.dtype(np.uint8))

    def bool(self: Tensor) -> Tensor:
        """As bool: True where the value is not zero."""
        return self._cast(np.dtype(np.bool_))

    def new_tensor(self: Tensor, data: Any, dtype: Any = None, device: Any = None,
                   requires_grad: _bool = False) -> Tensor:
        """A new tensor from ``data``, with this tensor's dtype unless ``dtype`` is given."""
        check_device(device)
        d = self.data.dtype if dtype is None else as_dtype(dtype, "new_tensor")
        return self._tensor_of(np.array(_data(data), dtype=d), requires_grad)

    def new_full(self: Tensor, size: Any, fill_value: Any, dtype: Any = None,
                 device: Any = None, requires_grad: _bool = False) -> Tensor:
        """A tensor of ``size`` filled with ``fill_value``, in this tensor's dtype."""
        check_device(device)
        d = self.data.dtype if dtype is None else as_dtype(dtype, "new_full")
        return self._tensor_of(np.full(_sizes("new_full", (size,)), fill_value, d),
                               requires_grad)

    def new_zeros(self: Tensor, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: _bool = False) -> Tensor:
        """Zeros of ``size``, in this tensor's dtype."""
        return self.new_full(_sizes("new_zeros", size), 0, dtype, device, requires_grad)

    def new_ones(self: Tensor, *size: Any, dtype: Any = None, device: Any = None,
                 requires_grad: _bool = False) -> Tensor:
        """Ones of ``size``, in this tensor's dtype."""
        return self.new_full(_sizes("new_ones", size), 1, dtype, device, requires_grad)

    def new_empty(self: Tensor, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: _bool = False) -> Tensor:
        """A tensor of ``size`` in this tensor's dtype (zeros here, so runs are repeatable)."""
        return self.new_full(_sizes("new_empty", size), 0, dtype, device, requires_grad)

    @staticmethod
    def _tensor_of(arr: np.ndarray, requires_grad: _bool) -> Tensor:
        """A leaf tensor around ``arr``, keeping its dtype."""
        from .tensor import Tensor

        return Tensor(arr, dtype=arr.dtype, requires_grad=requires_grad)

    # ----------------------------------------------------------------- reductions

    def _var(self: Tensor, op: str, dim: Any, unbiased: Any, keepdim: Any, correction: Any,
             axis: Any, keepdims: Any, ddof: Any) -> Tensor:
        _require_float(op, self)
        if isinstance(dim, _bool):  # var(False): PyTorch's var(unbiased) overload
            if unbiased is not None:
                raise TypeError(f"{op}: got unbiased twice")
            dim, unbiased = None, dim
        given = [n for n, v in (("unbiased", unbiased), ("correction", correction),
                                ("ddof", ddof)) if v is not None]
        if len(given) > 1:
            raise TypeError(f"{op}: got {' and '.join(n + '=' for n in given)}; give one of them")
        dims = _dims(op, self, dim, axis)
        keep = _keep(op, keepdim, keepdims)
        if axis is not None and not given:
            # NumPy's var(axis=...) divides by n, PyTorch's by n - 1: neither can be assumed.
            raise TypeError(
                f"{op}: with NumPy's axis= the divisor is ambiguous (NumPy divides by n, "
                f"PyTorch by n - 1); write {op}(dim=...) for PyTorch's, or give ddof= or "
                "correction= (0 for n, 1 for n - 1)")
        for arg, v in (("correction", correction), ("ddof", ddof)):
            if v is not None and (isinstance(v, _bool) or not isinstance(v, _int | _float
                                                                        | np.number)):
                raise TypeError(f"{op}: {arg} must be a number, got {type(v).__name__} {v!r}")
        c = 1.0 if not given else (
            (1.0 if unbiased else 0.0) if unbiased is not None
            else _float(correction if correction is not None else ddof))
        from . import ops

        n = math.prod(self.shape[d] for d in dims)
        centred = self - ops.Mean.apply(self, axis=dims, keepdims=True) if n else self
        squares = ops.Sum.apply(centred * centred, axis=dims, keepdims=keep)
        dof = builtins.max(0.0, n - c)
        if dof == 0:
            warnings.warn(f"{op}: degrees of freedom is <= 0 (correction {c:g} for {n} "
                          "elements): the result is nan or inf, as in PyTorch",
                          RuntimeWarning, stacklevel=3)
            with np.errstate(divide="ignore", invalid="ignore"):
                return squares / 0.0
        return squares / dof

    def var(self: Tensor, dim: Any = None, unbiased: _bool | None = None,
            keepdim: _bool | None = None, *, correction: _float | None = None,
            axis: Any = None, keepdims: _bool | None = None, ddof: _float | None = None
            ) -> Tensor:
        """Variance over ``dim`` (all dims for None), dividing by ``n - correction``.

        PyTorch's default is the unbiased ``correction=1`` (``unbiased=False`` or
        ``correction=0`` divides by n). With NumPy's ``axis=`` give ``ddof=`` (or
        ``correction=``), since NumPy's default divisor differs from PyTorch's.
        """
        return self._var("var", dim, unbiased, keepdim, correction, axis, keepdims, ddof)

    def std(self: Tensor, dim: Any = None, unbiased: _bool | None = None,
            keepdim: _bool | None = None, *, correction: _float | None = None,
            axis: Any = None, keepdims: _bool | None = None, ddof: _float | None = None
            ) -> Tensor:
        """Standard deviation: ``sqrt(var(...))`` with the same arguments as ``var``.

        Where the deviation is 0 its gradient is 0, as in PyTorch (sqrt's slope is infinite
        there).
        """
        v = self._var("std", dim, unbiased, keepdim, correction, axis, keepdims, ddof)
        return _safe_root(v, lambda s: s.sqrt())

    def var_mean(self: Tensor, dim: Any = None, unbiased: _bool | None = None,
                 keepdim: _bool | None = None, *, correction: _float | None = None
                 ) -> tuple[Tensor, Tensor]:
        """``(var(...), mean(...))`` over the same dims."""
        v = self.var(dim, unbiased, keepdim, correction=correction)
        from . import ops

        return v, ops.Mean.apply(self, axis=_dims("var_mean", self, dim),
                                 keepdims=_bool(keepdim))

    def std_mean(self: Tensor, dim: Any = None, unbiased: _bool | None = None,
                 keepdim: _bool | None = None, *, correction: _float | None = None
                 ) -> tuple[Tensor, Tensor]:
        """``(std(...), mean(...))`` over the same dims."""
        s = self.std(dim, unbiased, keepdim, correction=correction)
        from . import ops

        return s, ops.Mean.apply(self, axis=_dims("std_mean", self, dim),
                                 keepdims=_bool(keepdim))

    def logsumexp(self: Tensor, dim: Any = None, keepdim: _bool | None = None, *,
                  axis: Any = None, keepdims: _bool | None = None) -> Tensor:
        """``log(sum(exp(x)))`` over ``dim``, computed stably.

        The maximum is subtracted first and added back; it is a constant (detached), which is
        exact because the result does not depend on the shift. Its gradient is the softmax.
        """
        if dim is None and axis is None:
            raise TypeError("logsumexp: give dim= (an int or a tuple of ints)")
        dims = _dims("logsumexp", self, dim, axis)
        keep = _keep("logsumexp", keepdim, keepdims)
        from . import ops

        if self.data.size == 0:
            kept = tuple(1 if i in dims else n for i, n in enumerate(self.shape))
            shift = np.zeros(kept, self.data.dtype)
        else:
            shift = np.max(self.data, axis=dims, keepdims=True)
            shift = np.where(np.isinf(shift), 0.0, shift).astype(self.data.dtype, copy=False)
        c = self._wrap(shift)
        with np.errstate(divide="ignore"):  # log(0) = -inf for an all -inf row, as PyTorch
            out = ops.Sum.apply((self - c).exp(), axis=dims, keepdims=True).log() + c
        return out if keep else out.reshape(tuple(n for i, n in enumerate(out.shape)
                                                  if i not in dims))

    def cumsum(self: Tensor, dim: Any = None, *, axis: Any = None, dtype: Any = None
               ) -> Tensor:
        """Running sums along ``dim``; the gradient is the running sum taken from the end."""
        d = _pick("cumsum", "dim", dim, "axis", axis)
        if d is None:
            raise TypeError("cumsum: give dim= (an int)")
        x = self if dtype is None else self._cast(as_dtype(dtype, "cumsum"))
        from . import ops

        return ops.CumSum.apply(x, axis=_one_dim("cumsum", x, d))

    def prod(self: Tensor, dim: Any = None, keepdim: _bool | None = None, *,
             axis: Any = None, keepdims: _bool | None = None, dtype: Any = None) -> Tensor:
        """Product over ``dim`` (all elements for None); exact gradients with zeros too."""
        d = _pick("prod", "dim", dim, "axis", axis)
        keep = _keep("prod", keepdim, keepdims)
        x = self if dtype is None else self._cast(as_dtype(dtype, "prod"))
        from . import ops

        if d is None:
            out = ops.Prod.apply(x.reshape(-1), axis=0)
            return out.reshape((1,) * x.ndim) if keep else out
        axis_ = _one_dim("prod", x, d)
        out = ops.Prod.apply(x, axis=axis_)
        return out.unsqueeze(axis_) if keep and x.ndim else out

    def _arg(self: Tensor, op: str, dim: Any, keepdim: Any, axis: Any, keepdims: Any
             ) -> Tensor:
        find = np.argmax if op == "argmax" else np.argmin
        d = _pick(op, "dim", dim, "axis", axis)
        keep = _keep(op, keepdim, keepdims)
        if self.data.size == 0 and (d is None or self.ndim == 0
                                    or self.shape[_one_dim(op, self, d)] == 0):
            raise RuntimeError(f"{op}: the selection is empty (shape {self.shape}, dim {d})")
        if d is None or self.ndim == 0:
            if d is not None:
                _one_dim(op, self, d)
            idx = np.asarray(find(self.data))
            if keep:
                idx = idx.reshape((1,) * self.ndim)
        else:
            idx = find(self.data, axis=_one_dim(op, self, d), keepdims=keep)
        return self._wrap(np.asarray(idx, dtype=np.int64))

    def argmax(self: Tensor, dim: Any = None, keepdim: _bool | None = None, *,
               axis: Any = None, keepdims: _bool | None = None) -> Tensor:
        """Index of the largest value (the first among ties), as an int64 tensor.

        With ``dim=None`` the index is into the flattened tensor.
        """
        return self._arg("argmax", dim, keepdim, axis, keepdims)

    def argmin(self: Tensor, dim: Any = None, keepdim: _bool | None = None, *,
               axis: Any = None, keepdims: _bool | None = None) -> Tensor:
        """Index of the smallest value (the first among ties), as an int64 tensor."""
        return self._arg("argmin", dim, keepdim, axis, keepdims)

    def amax(self: Tensor, dim: Any = (), keepdim: _bool | None = None, *,
             axis: Any = None, keepdims: _bool | None = None) -> Tensor:
        """Largest values over ``dim`` (an int or a tuple; all dims by default).

        The gradient is split evenly among tied maxima, as PyTorch's ``amax`` does.
        """
        d = None if isinstance(dim, tuple | list) and not dim else dim
        from . import ops

        return ops.Max.apply(self, axis=_dims("amax", self, d, axis),
                             keepdims=_keep("amax", keepdim, keepdims))

    def amin(self: Tensor, dim: Any = (), keepdim: _bool | None = None, *,
             axis: Any = None, keepdims: _bool | None = None) -> Tensor:
        """Smallest values over ``dim``; ties share the gradient evenly, as in ``amax``."""
        d = None if isinstance(dim, tuple | list) and not dim else dim
        from . import ops

        return -ops.Max.apply(-self, axis=_dims("amin", self, d, axis),
                              keepdims=_keep("amin", keepdim, keepdims))

    def norm(self: Tensor, p: Any = "fro", dim: Any = None, keepdim: _bool = False,
             dtype: Any = None) -> Tensor:
        """The vector p-norm over ``dim`` (all elements for None): 2 (``"fro"``), 1, inf,
        -inf, 0 or any other number.

        The gradient at a zero norm is 0, as in PyTorch.
        """
        x = self if dtype is None else self._cast(as_dtype(dtype, "norm"))
        _require_float("norm", x)
        dims = _dims("norm", x, dim)
        from . import ops

        if p == "fro" or p == 2:
            s = ops.Sum.apply(x * x, axis=dims, keepdims=keepdim)
            return _safe_root(s, lambda t: t.sqrt())
        if isinstance(p, str):
            raise NotImplementedError(f"tinygrad_edu does not implement norm(p={p!r}) yet")
        p = _float(p)
        a = x.abs()
        if p == math.inf:
            return ops.Max.apply(a, axis=dims, keepdims=keepdim)
        if p == -math.inf:
            return -ops.Max.apply(-a, axis=dims, keepdims=keepdim)
        if p == 0:  # the count of nonzero elements: gradient 0
            nonzero = _piecewise_constant(x, (x.data != 0).astype(x.data.dtype))
            return ops.Sum.apply(nonzero, axis=dims, keepdims=keepdim)
        if p == 1:
            return ops.Sum.apply(a, axis=dims, keepdims=keepdim)
        s = ops.Sum.apply(a ** p, axis=dims, keepdims=keepdim)
        return _safe_root(s, lambda t: t ** (1.0 / p))

    def all(self: Tensor, dim: Any = None, keepdim: _bool | None = None, *,
            axis: Any = None, keepdims: _bool | None = None) -> Tensor:
        """True where every element (over ``dim``) is nonzero: a bool tensor."""
        dims = _dims("all", self, dim, axis)
        return self._wrap(np.asarray(np.all(self.data, axis=dims,
                                            keepdims=_keep("all", keepdim, keepdims))))

    def any(self: Tensor, dim: Any = None, keepdim: _bool | None = None, *,
            axis: Any = None, keepdims: _bool | None = None) -> Tensor:
        """True where some element (over ``dim``) is nonzero: a bool tensor."""
        dims = _dims("any", self, dim, axis)
        return self._wrap(np.asarray(np.any(self.data, axis=dims,
                                            keepdims=_keep("any", keepdim, keepdims))))

    # ----------------------------------------------------------------- elementwise

    def log1p(self: Tensor) -> Tensor:
        """``log(1 + x)``, with NumPy's ``log1p`` values (precise for tiny x)."""
        return _exact_values((self + 1.0).log(), np.log1p(self.data))

    def expm1(self: Tensor) -> Tensor:
        """``exp(x) - 1``, with NumPy's ``expm1`` values (precise for tiny x)."""
        return _exact_values(self.exp() - 1.0, np.expm1(self.data))

    def log2(self: Tensor) -> Tensor:
        """Base-2 logarithm."""
        return _exact_values(self.log() * (1.0 / math.log(2.0)), np.log2(self.data))

    def log10(self: Tensor) -> Tensor:
        """Base-10 logarithm."""
        return _exact_values(self.log() * (1.0 / math.log(10.0)), np.log10(self.data))

    def sin(self: Tensor) -> Tensor:
        """Sine; derivative ``cos(x)``."""
        from . import ops

        return ops.Sin.apply(self)

    def cos(self: Tensor) -> Tensor:
        """Cosine; derivative ``-sin(x)``."""
        from . import ops

        return ops.Cos.apply(self)

    def tan(self: Tensor) -> Tensor:
        """Tangent, composed as ``sin / cos`` (values as NumPy's ``tan``)."""
        return _exact_values(self.sin() / self.cos(), np.tan(self.data))

    def rsqrt(self: Tensor) -> Tensor:
        """``1 / sqrt(x)``."""
        return 1.0 / self.sqrt()

    def square(self: Tensor) -> Tensor:
        """``x * x``."""
        return self * self

    def reciprocal(self: Tensor) -> Tensor:
        """``1 / x``."""
        return 1.0 / self

    def neg(self: Tensor) -> Tensor:
        """``-x``."""
        return -self

    negative = neg

    def absolute(self: Tensor) -> Tensor:
        """``abs()``."""
        return self.abs()

    def pow(self: Tensor, exponent: Any) -> Tensor:
        """``x ** exponent`` (a number or a tensor)."""
        return self ** exponent

    def add(self: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
        """``x + alpha * other``."""
        return self + (other if alpha == 1 else other * alpha)

    def sub(self: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
        """``x - alpha * other``."""
        return self - (other if alpha == 1 else other * alpha)

    subtract = sub

    def mul(self: Tensor, other: Any) -> Tensor:
        """``x * other``."""
        return self * other

    multiply = mul

    def div(self: Tensor, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """``x / other``; ``rounding_mode="trunc"`` or ``"floor"`` rounds the quotient (whose
        gradient is then 0, as in PyTorch)."""
        if rounding_mode is None:
            return self / other
        if rounding_mode not in ("trunc", "floor"):
            raise ValueError(f"div: rounding_mode must be None, 'trunc' or 'floor', got "
                             f"{rounding_mode!r}")
        o = _data(other)
        if self.data.dtype.kind in "iub" and np.asarray(o).dtype.kind in "iub":
            with np.errstate(divide="ignore"):
                q = (np.floor_divide(self.data, o) if rounding_mode == "floor"
                     else np.trunc(np.true_divide(self.data, o)).astype(self.data.dtype))
            return self._wrap(np.asarray(q))
        quotient = self / other
        return quotient.floor() if rounding_mode == "floor" else quotient.trunc()

    divide = div

    def true_divide(self: Tensor, other: Any) -> Tensor:
        """``x / other``."""
        return self / other

    def floor_divide(self: Tensor, other: Any) -> Tensor:
        """``div(other, rounding_mode="floor")``."""
        return self.div(other, rounding_mode="floor")

    __floordiv__ = floor_divide

    def __rfloordiv__(self: Tensor, other: Any) -> Tensor:
        return self._wrap(np.asarray(_data(other))).div(self, rounding_mode="floor") \
            if self.data.dtype.kind in "iub" else (other / self).floor()

    def remainder(self: Tensor, other: Any) -> Tensor:
        """``x - floor(x / other) * other`` (Python's ``%``: the sign of ``other``); the
        gradient is 1 for ``x`` and ``-floor(x / other)`` for ``other``, as in PyTorch."""
        return self - self.div(other, rounding_mode="floor") * other

    __mod__ = remainder

    def __rmod__(self: Tensor, other: Any) -> Tensor:
        return other - (other / self).floor() * self

    def _rounded(self: Tensor, values: Any) -> Tensor:
        if self.data.dtype.kind != "f":  # whole numbers already
            return self._wrap(self.data.copy())
        return _piecewise_constant(self, np.asarray(values))

    def sign(self: Tensor) -> Tensor:
        """-1, 0 or 1; its gradient is 0."""
        if self.data.dtype == np.bool_:
            return self._wrap(self.data.copy())
        return _piecewise_constant(self, np.sign(self.data)) if self.data.dtype.kind == "f" \
            else self._wrap(np.sign(self.data))

    def floor(self: Tensor) -> Tensor:
        """Round down; gradient 0."""
        return self._rounded(np.floor(self.data))

    def ceil(self: Tensor) -> Tensor:
        """Round up; gradient 0."""
        return self._rounded(np.ceil(self.data))

    def trunc(self: Tensor) -> Tensor:
        """Round toward zero; gradient 0."""
        return self._rounded(np.trunc(self.data))

    fix = trunc

    def round(self: Tensor, *, decimals: _int = 0) -> Tensor:
        """Round half to even (as PyTorch and NumPy), to ``decimals`` places; gradient 0."""
        return self._rounded(np.round(self.data, decimals))

    def frac(self: Tensor) -> Tensor:
        """``x - trunc(x)``, the fractional part; gradient 1, as PyTorch's."""
        return self - self._wrap(np.trunc(self.data))

    def clamp_min(self: Tensor, min: Any) -> Tensor:  # noqa: A002
        """``clamp(min=min)``."""
        return self.clamp(min=min)

    def clamp_max(self: Tensor, max: Any) -> Tensor:  # noqa: A002
        """``clamp(max=max)``."""
        return self.clamp(max=max)

    def _extreme(self: Tensor, op: str, other: Any) -> Tensor:
        from . import ops
        from .tensor import Tensor

        if not isinstance(other, Tensor | _int | _float):
            other = Tensor(np.asarray(other), dtype=np.asarray(other).dtype)
        a, b = self.data, _data(other)
        try:
            np.broadcast_shapes(np.shape(a), np.shape(b))
        except ValueError:
            raise RuntimeError(f"{op}: shapes {tuple(np.shape(a))} and {tuple(np.shape(b))} do "
                               "not broadcast") from None
        if self.data.dtype.kind != "f" and np.asarray(b).dtype.kind != "f":
            pick = np.maximum if op == "maximum" else np.minimum
            return self._wrap(np.asarray(pick(a, b)))
        with np.errstate(invalid="ignore"):
            first = (a > b) if op == "maximum" else (a < b)
            first = np.asarray(first | np.isnan(a))
            tie = np.asarray(a == b)
        out = ops.Where.apply(first, self, other)
        if tie.any():  # PyTorch splits a tie's gradient evenly between the two
            out = ops.Where.apply(tie, self * 0.5 + other * 0.5, out)
        return out

    def maximum(self: Tensor, other: Any) -> Tensor:
        """Elementwise larger of the two (NaN wins); the gradient is split evenly at ties."""
        return self._extreme("maximum", other)

    def minimum(self: Tensor, other: Any) -> Tensor:
        """Elementwise smaller of the two (NaN wins); the gradient is split evenly at ties."""
        return self._extreme("minimum", other)

    fmax = maximum
    fmin = minimum

    # ----------------------------------------------------------------- products

    def mm(self: Tensor, mat2: Tensor) -> Tensor:
        """Matrix product of two 2-D tensors."""
        if self.ndim != 2 or mat2.ndim != 2:
            raise RuntimeError(f"mm: both operands must be matrices, got shapes {self.shape} "
                               f"and {mat2.shape}")
        return self @ mat2

    def bmm(self: Tensor, mat2: Tensor) -> Tensor:
        """Batched matrix product of (b, n, m) and (b, m, p) tensors."""
        if self.ndim != 3 or mat2.ndim != 3 or self.shape[0] != mat2.shape[0]:
            raise RuntimeError(f"bmm: expects two 3-D tensors with the same batch size, got "
                               f"shapes {self.shape} and {mat2.shape}")
        return self @ mat2

    def mv(self: Tensor, vec: Tensor) -> Tensor:
        """Product of a matrix and a vector."""
        if self.ndim != 2 or vec.ndim != 1:
            raise RuntimeError(f"mv: expects a matrix and a vector, got shapes {self.shape} "
                               f"and {vec.shape}")
        return self @ vec

    def outer(self: Tensor, vec2: Tensor) -> Tensor:
        """Outer product of two vectors: ``out[i, j] = x[i] * vec2[j]``."""
        if self.ndim != 1 or vec2.ndim != 1:
            raise RuntimeError(f"outer: expects two 1-D tensors, got shapes {self.shape} and "
                               f"{vec2.shape}")
        return self.reshape(-1, 1) * vec2.reshape(1, -1)

    ger = outer

    # ----------------------------------------------------------------- selection

    def where(self: Tensor, condition: Any, other: Any) -> Tensor:
        """``torch.where(condition, self, other)``: self where the condition holds."""
        from . import ops

        return ops.Where.apply(_bool_mask("where", condition), self, other)

    def masked_fill(self: Tensor, mask: Any, value: Any) -> Tensor:
        """``value`` where ``mask`` (a bool tensor that broadcasts) is True, else the tensor.

        ``value`` is a number or a 0-d tensor (which then gets the gradient of the filled
        places).
        """
        from .tensor import Tensor

        m = _bool_mask("masked_fill", mask)
        if isinstance(value, Tensor) and value.ndim != 0:
            raise RuntimeError(f"masked_fill: only a 0-d value tensor is supported, got shape "
                               f"{value.shape}")
        from . import ops

        return ops.Where.apply(m, value, self)

    def masked_select(self: Tensor, mask: Any) -> Tensor:
        """The elements where ``mask`` is True, as a 1-D tensor."""
        m = _bool_mask("masked_select", mask)
        shape = np.broadcast_shapes(self.shape, m.shape)
        x = self if shape == self.shape else self.broadcast_to(shape)
        return x[np.broadcast_to(m, shape)]

    def gather(self: Tensor, dim: _int, index: Any) -> Tensor:
        """``out[i][j] = x[i][index[i][j]]`` for ``dim=1`` (and likewise for any dim).

        ``index`` is an integer tensor with the tensor's number of dims. The gradient adds
        back into the gathered places, twice for an index given twice.
        """
        idx = _index_tensor("gather", index)
        if idx.ndim != builtins.max(self.ndim, 1) and not (self.ndim == 0 and idx.ndim == 0):
            raise RuntimeError(f"gather: index has {idx.ndim} dims but the tensor has "
                               f"{self.ndim} (shapes {idx.shape} and {self.shape})")
        if self.ndim == 0:
            return self.reshape(1).gather(0, idx.reshape(1)).reshape(idx.shape)
        d = _one_dim("gather", self, dim)
        for i, (n, m) in enumerate(zip(idx.shape, self.shape, strict=True)):
            if i != d and n > m:
                raise RuntimeError(f"gather: index shape {idx.shape} is larger than the "
                                   f"tensor's {self.shape} at dim {i}")
        _check_bounds("gather", idx, self.shape[d], d)
        return self[_along(idx, d, self.shape)]

    def index_select(self: Tensor, dim: _int, index: Any) -> Tensor:
        """The slices at ``index`` (a 1-D integer tensor) along ``dim``."""
        idx = _index_tensor("index_select", index)
        if idx.ndim > 1:
            raise IndexError(f"index_select: index must be 1-D, got shape {idx.shape}")
        if self.ndim == 0:
            _check_bounds("index_select", idx, 1, 0)
            return self.reshape(1)[idx.reshape(-1)].reshape(())
        d = _one_dim("index_select", self, dim)
        _check_bounds("index_select", idx, self.shape[d], d)
        return self[(slice(None),) * d + (idx.reshape(-1),)]

    def select(self: Tensor, dim: _int, index: _int) -> Tensor:
        """The slice at ``index`` along ``dim``, that dim removed."""
        d = _one_dim("select", self, dim)
        n = self.shape[d]
        if not -n <= index < n:
            raise IndexError(f"select: index {index} is out of range for dim {dim} of size {n}")
        return self[(slice(None),) * d + (_int(index),)]

    def narrow(self: Tensor, dim: _int, start: _int, length: _int) -> Tensor:
        """``length`` elements along ``dim`` from ``start``."""
        d = _one_dim("narrow", self, dim)
        n = self.shape[d]
        if not -n <= start <= n:
            raise IndexError(f"narrow: start {start} is out of range for dim {dim} of size {n}")
        s = start % n if start < 0 else start
        if length < 0 or s + length > n:
            raise RuntimeError(f"narrow: start ({start}) + length ({length}) exceeds dim {dim} "
                               f"of size {n}")
        return self[(slice(None),) * d + (slice(s, s + length),)]

    def split(self: Tensor, split_size_or_sections: Any, dim: _int = 0) -> tuple[Tensor, ...]:
        """Pieces along ``dim``: of ``split_size`` each (the last may be smaller), or of the
        sizes in a list."""
        d = _one_dim("split", self, dim)
        n = self.shape[d]
        s = split_size_or_sections
        if isinstance(s, tuple | list):
            sizes = [_int(v) for v in s]
            if builtins.sum(sizes) != n or builtins.any(v < 0 for v in sizes):
                raise RuntimeError(f"split: sizes {sizes} do not add up to the size {n} of dim "
                                   f"{dim} (shape {self.shape})")
        else:
            if isinstance(s, _bool) or not isinstance(s, _int | np.integer) or s <= 0:
                raise RuntimeError(f"split: split_size must be a positive int, got {s!r}")
            sizes = [builtins.min(_int(s), n - i) for i in range(0, n, _int(s))] if n else [0]
        out = []
        start = 0
        for v in sizes:
            out.append(self[(slice(None),) * d + (slice(start, start + v),)])
            start += v
        return tuple(out)

    def tensor_split(self: Tensor, sections: _int, dim: _int = 0) -> tuple[Tensor, ...]:
        """``sections`` pieces along ``dim`` whose sizes differ by at most one."""
        n = self.shape[_one_dim("tensor_split", self, dim)]
        q, r = divmod(n, sections)
        return self.split([q + 1] * r + [q] * (sections - r), dim)

    def chunk(self: Tensor, chunks: _int, dim: _int = 0) -> tuple[Tensor, ...]:
        """At most ``chunks`` pieces of equal size (``ceil(n / chunks)``; the last may be
        smaller), as PyTorch."""
        if chunks <= 0:
            raise RuntimeError(f"chunk: chunks must be positive, got {chunks}")
        n = self.shape[_one_dim("chunk", self, dim)]
        return self.split(builtins.max(1, -(-n // chunks)), dim)

    def unbind(self: Tensor, dim: _int = 0) -> tuple[Tensor, ...]:
        """The slices along ``dim``, each without that dim."""
        d = _one_dim("unbind", self, dim)
        return tuple(self[(slice(None),) * d + (i,)] for i in range(self.shape[d]))

    def diagonal(self: Tensor, offset: _int = 0, dim1: _int = 0, dim2: _int = 1) -> Tensor:
        """The ``offset``-th diagonal of the matrices in dims ``dim1``, ``dim2``, as the last
        dim (the other dims stay in order, as PyTorch)."""
        if self.ndim < 2:
            raise RuntimeError(f"diagonal: needs a tensor with at least 2 dims, got shape "
                               f"{self.shape}")
        d1, d2 = _one_dim("diagonal", self, dim1), _one_dim("diagonal", self, dim2)
        if d1 == d2:
            raise RuntimeError(f"diagonal: dim1 and dim2 cannot be the same dim ({dim1})")
        rest = tuple(d for d in range(self.ndim) if d not in (d1, d2))
        x = self if rest + (d1, d2) == tuple(range(self.ndim)) else self.permute(rest + (d1, d2))
        n1, n2 = self.shape[d1], self.shape[d2]
        k = builtins.max(0, builtins.min(n1, n2 - offset) if offset >= 0
                         else builtins.min(n1 + offset, n2))
        i = np.arange(k)
        rows, cols = (i, i + offset) if offset >= 0 else (i - offset, i)
        return x[(Ellipsis, rows, cols)]

    def diag(self: Tensor, diagonal: _int = 0) -> Tensor:
        """A 1-D tensor: the square matrix with it on the ``diagonal``-th diagonal. A matrix:
        its ``diagonal``-th diagonal."""
        if self.ndim == 2:
            return self.diagonal(diagonal)
        if self.ndim != 1:
            raise RuntimeError(f"diag: expects a 1-D or 2-D tensor, got shape {self.shape}")
        n = self.shape[0]
        m = n + builtins.abs(diagonal)
        # column j of the matrix holds element j - diagonal (j for a negative one)
        source = np.clip(np.arange(m) - builtins.max(diagonal, 0), 0, builtins.max(n - 1, 0))
        from . import ops

        row = self[source].reshape(1, m) if n else self.reshape(1, 0)
        return ops.Where.apply(np.eye(m, k=diagonal, dtype=bool), row, 0.0)

    def trace(self: Tensor) -> Tensor:
        """The sum of a matrix's diagonal."""
        if self.ndim != 2:
            raise RuntimeError(f"trace: expects a matrix, got shape {self.shape}")
        return self.diagonal().sum()

    def _triangle(self: Tensor, op: str, diagonal: _int) -> Tensor:
        if self.ndim < 2:
            raise RuntimeError(f"{op}: needs a tensor with at least 2 dims, got shape "
                               f"{self.shape}")
        rows, cols = self.shape[-2:]
        keep = np.tril(np.ones((rows, cols), dtype=bool), diagonal) if op == "tril" \
            else np.triu(np.ones((rows, cols), dtype=bool), diagonal)
        if self.data.dtype.kind != "f":
            return self._wrap(np.where(keep, self.data, 0).astype(self.data.dtype))
        from . import ops

        return ops.Where.apply(keep, self, 0.0)

    def tril(self: Tensor, diagonal: _int = 0) -> Tensor:
        """The lower triangle (on and below the ``diagonal``-th diagonal); zeros above."""
        return self._triangle("tril", diagonal)

    def triu(self: Tensor, diagonal: _int = 0) -> Tensor:
        """The upper triangle (on and above the ``diagonal``-th diagonal); zeros below."""
        return self._triangle("triu", diagonal)

    def sort(self: Tensor, dim: _int = -1, descending: _bool = False, *,
             stable: _bool = False) -> SortResult:
        """``(values, indices)`` sorted along ``dim``; ties keep their order, NaN sorts as the
        largest value. The values are gathered, so the gradient goes back to each place."""
        if self.ndim == 0:
            return SortResult(self[...], self._wrap(np.array(0, dtype=np.int64)))
        d = _one_dim("sort", self, dim)
        if descending:
            n = self.shape[d]
            rev = np.flip(self.data, d)
            idx = n - 1 - np.flip(np.argsort(rev, axis=d, kind="stable"), d)
        else:
            idx = np.argsort(self.data, axis=d, kind="stable")
        idx = idx.astype(np.int64)
        return SortResult(self[_along(idx, d, self.shape)], self._wrap(idx))

    def argsort(self: Tensor, dim: _int = -1, descending: _bool = False, *,
                stable: _bool = False) -> Tensor:
        """The indices that sort along ``dim`` (see ``sort``)."""
        return self.sort(dim, descending).indices

    def topk(self: Tensor, k: _int, dim: _int = -1, largest: _bool = True,
             sorted: _bool = True) -> TopKResult:  # noqa: A002
        """The ``k`` largest (or smallest) values along ``dim`` and their indices."""
        if self.ndim == 0:
            if k not in (0, 1):
                raise RuntimeError(f"topk: k ({k}) is out of range for a 0-d tensor")
            return TopKResult(self[...], self._wrap(np.array(0, dtype=np.int64)))
        d = _one_dim("topk", self, dim)
        if not 0 <= k <= self.shape[d]:
            raise RuntimeError(f"topk: k ({k}) is out of range for dim {dim} of size "
                               f"{self.shape[d]}")
        values, indices = self.sort(d, descending=largest)
        part = (slice(None),) * d + (slice(0, k),)
        return TopKResult(values[part], self._wrap(indices.data[part].copy()))

    # ----------------------------------------------------------------- comparisons

    def _compare(self: Tensor, ufunc: Any, other: Any) -> Tensor:
        with np.errstate(invalid="ignore"):
            return self._wrap(np.asarray(ufunc(self.data, _data(other))))

    def eq(self: Tensor, other: Any) -> Tensor:
        """``x == other`` as a bool tensor (the operator gives a NumPy array)."""
        return self._compare(np.equal, other)

    def ne(self: Tensor, other: Any) -> Tensor:
        """``x != other`` as a bool tensor."""
        return self._compare(np.not_equal, other)

    def lt(self: Tensor, other: Any) -> Tensor:
        """``x < other`` as a bool tensor."""
        return self._compare(np.less, other)

    def le(self: Tensor, other: Any) -> Tensor:
        """``x <= other`` as a bool tensor."""
        return self._compare(np.less_equal, other)

    def gt(self: Tensor, other: Any) -> Tensor:
        """``x > other`` as a bool tensor."""
        return self._compare(np.greater, other)

    def ge(self: Tensor, other: Any) -> Tensor:
        """``x >= other`` as a bool tensor."""
        return self._compare(np.greater_equal, other)

    not_equal = ne
    less = lt
    less_equal = le
    greater = gt
    greater_equal = ge

    def logical_not(self: Tensor) -> Tensor:
        """``not x`` elementwise, as a bool tensor."""
        return self._wrap(np.logical_not(self.data))

    def logical_and(self: Tensor, other: Any) -> Tensor:
        """``x and other`` elementwise, as a bool tensor."""
        return self._compare(np.logical_and, other)

    def logical_or(self: Tensor, other: Any) -> Tensor:
        """``x or other`` elementwise, as a bool tensor."""
        return self._compare(np.logical_or, other)

    def logical_xor(self: Tensor, other: Any) -> Tensor:
        """``x xor other`` elementwise, as a bool tensor."""
        return self._compare(np.logical_xor, other)

    def isnan(self: Tensor) -> Tensor:
        """True where the value is NaN."""
        return self._wrap(np.isnan(self.data))

    def isinf(self: Tensor) -> Tensor:
        """True where the value is +inf or -inf."""
        return self._wrap(np.isinf(self.data))

    def isfinite(self: Tensor) -> Tensor:
        """True where the value is neither inf nor NaN."""
        return self._wrap(np.isfinite(self.data))

    def isclose(self: Tensor, other: Any, rtol: _float = 1e-05, atol: _float = 1e-08,
                equal_nan: _bool = False) -> Tensor:
        """``|x - other| <= atol + rtol * |other|`` elementwise, as a bool tensor."""
        return self._wrap(np.asarray(np.isclose(self.data, _data(other), rtol=rtol, atol=atol,
                                                equal_nan=equal_nan)))

    def allclose(self: Tensor, other: Any, rtol: _float = 1e-05, atol: _float = 1e-08,
                 equal_nan: _bool = False) -> _bool:
        """True when ``isclose`` holds everywhere: a Python bool."""
        return _bool(np.allclose(self.data, _data(other), rtol=rtol, atol=atol,
                                 equal_nan=equal_nan))

    def equal(self: Tensor, other: Any) -> _bool:
        """True when both have the same shape and the same values: a Python bool."""
        o = np.asarray(_data(other))
        return self.shape == o.shape and _bool(np.array_equal(self.data, o))

    def nonzero(self: Tensor, *, as_tuple: _bool = False) -> Any:
        """Indices of the nonzero elements: an int64 tensor of shape (count, ndim), or with
        ``as_tuple=True`` one 1-D tensor per dim."""
        if as_tuple:
            return tuple(self._wrap(i.astype(np.int64)) for i in np.nonzero(self.data))
        return self._wrap(np.argwhere(self.data).astype(np.int64))

    def count_nonzero(self: Tensor, dim: Any = None) -> Tensor:
        """How many elements (over ``dim``) are nonzero, as an int64 tensor."""
        dims = _dims("count_nonzero", self, dim)
        return self._wrap(np.asarray(np.count_nonzero(self.data, axis=dims), dtype=np.int64))


_CPU = device("cpu")


def _bool_mask(op: str, mask: Any) -> np.ndarray:
    """A condition or mask argument as a bool array; other dtypes raise, as in PyTorch."""
    m = np.asarray(_data(mask))
    if m.dtype != np.bool_:
        raise TypeError(f"{op}: the mask must be a bool tensor, got dtype {m.dtype} "
                        "(compare first, e.g. x > 0, or convert with .bool())")
    return m


def _check_bounds(op: str, idx: np.ndarray, n: _int, dim: _int) -> None:
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise IndexError(f"{op}: index {bad} is out of bounds for dim {dim} of size {n}")
