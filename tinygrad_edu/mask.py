"""The boolean arrays that comparisons return: NumPy arrays with PyTorch's conversions.

The contract keeps ``t < 0`` a boolean ``np.ndarray`` (indexing and ``np.where`` take it as it
is). PyTorch's programs go on with ``(pred == y).float().mean()``, ``mask.sum().item()`` or
``mask.long()``: ``BoolArray`` is an ``np.ndarray`` that also has these methods, so both habits
work and neither gives a different number.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np


def _tensor(data: np.ndarray) -> Any:
    from .tensor import Tensor

    arr = np.asarray(data)
    return Tensor._wrap(arr if arr.flags.c_contiguous else arr.copy())


def _dim(dim: Any, axis: Any) -> Any:
    if dim is not None and axis is not None:
        raise TypeError("got both dim= and axis=; give one of them")
    return dim if axis is None else axis


class BoolArray(np.ndarray):
    """A boolean ``np.ndarray`` from a comparison, with PyTorch's conversion methods."""

    def float(self) -> Any:
        """The mask as a float32 tensor of 0s and 1s (PyTorch's ``float`` is 32-bit)."""
        return _tensor(np.asarray(self).astype(np.float32))

    def double(self) -> Any:
        """The mask as a float64 tensor."""
        return _tensor(np.asarray(self).astype(np.float64))

    def long(self) -> Any:
        """The mask as an int64 tensor."""
        return _tensor(np.asarray(self).astype(np.int64))

    def int(self) -> Any:
        """The mask as an int32 tensor."""
        return _tensor(np.asarray(self).astype(np.int32))

    def bool(self) -> Any:
        """The mask as a bool tensor."""
        return _tensor(np.asarray(self).copy())

    def to(self, dtype: Any = None, *args: Any, **kwargs: Any) -> Any:
        """The mask as a tensor of ``dtype`` (``"cpu"`` keeps it boolean)."""
        from .tensor import _dtype_arg

        if dtype is None or isinstance(dtype, str):
            return self.bool()
        return _tensor(np.asarray(self).astype(_dtype_arg(dtype, "to")))

    def type(self, dtype: Any) -> Any:
        """As ``to(dtype)``."""
        return self.to(dtype)

    def sum(self, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None,  # type: ignore[override]
            keepdims: builtins.bool | None = None, dtype: Any = None, out: Any = None) -> Any:
        """The number of true elements (along ``dim``): an int64 tensor, as in PyTorch
        (``(pred == y).sum().item()``); with NumPy's ``out=`` an array, as NumPy's."""
        keep = keepdim if keepdims is None else keepdims
        counts = np.asarray(self).sum(axis=_dim(dim, axis), keepdims=keep,
                                      dtype=np.int64 if dtype is None else dtype, out=out)
        return counts if out is not None else _tensor(np.asarray(counts))

    def any(self, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None,  # type: ignore[override]
            keepdims: builtins.bool | None = None, out: Any = None) -> Any:
        """Whether any element (along ``dim``) is true."""
        keep = keepdim if keepdims is None else keepdims
        return np.asarray(self).any(axis=_dim(dim, axis), keepdims=keep, out=out)

    def all(self, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None,  # type: ignore[override]
            keepdims: builtins.bool | None = None, out: Any = None) -> Any:
        """Whether every element (along ``dim``) is true."""
        keep = keepdim if keepdims is None else keepdims
        return np.asarray(self).all(axis=_dim(dim, axis), keepdims=keep, out=out)

    # PyTorch's tensor methods a mask is used with that NumPy arrays lack: the same on the
    # mask as a bool tensor.
    def unsqueeze(self, dim: builtins.int) -> Any:
        """The mask as a bool tensor with a new dim of size 1 (PyTorch's ``unsqueeze``)."""
        return self.bool().unsqueeze(dim)

    def expand(self, *sizes: Any) -> Any:
        """The mask as a bool tensor, repeated along dims of size 1 (PyTorch's ``expand``)."""
        return self.bool().expand(*sizes)

    def expand_as(self, other: Any) -> Any:
        """``expand`` to ``other``'s shape."""
        return self.bool().expand_as(other)

    def t(self) -> Any:
        """The mask as a bool tensor, transposed (PyTorch's ``t``)."""
        return self.bool().t()

    def clone(self) -> Any:
        """A copy, as a bool tensor (PyTorch's ``clone``)."""
        return self.bool()

    def cpu(self) -> Any:
        """The mask as a bool tensor (everything is on the CPU)."""
        return self.bool()

    def count_nonzero(self, dim: Any = None) -> Any:
        """The number of true elements (along ``dim``), as an int64 tensor."""
        return self.bool().count_nonzero(dim)

    @property
    def size(self) -> Any:
        """The element count (NumPy's ``size``) that is also PyTorch's ``size()``/``size(d)``."""
        from .tensor import _SizeInt

        n = _SizeInt(np.ndarray.size.__get__(self))
        n._shape = self.shape
        return n

    def view(self, *args: Any, **kwargs: Any) -> Any:
        """PyTorch's ``view(*shape)`` (a bool tensor of that shape); NumPy's ``view(dtype)``."""
        if args and all(isinstance(a, builtins.int | tuple | list) for a in args):
            return self.bool().view(*args)
        return np.ndarray.view(self, *args, **kwargs)

    def repeat(self, *args: Any, **kwargs: Any) -> Any:
        """NumPy's ``repeat`` with ``axis=``; otherwise ambiguous, so it raises and says what
        to write (NumPy repeats each element, PyTorch tiles the whole mask)."""
        if "axis" in kwargs:
            return np.ndarray.repeat(self, *args, **kwargs)
        raise TypeError(
            "repeat on a comparison's mask is ambiguous: NumPy repeats each element "
            "(mask.repeat(n, axis=d)), PyTorch tiles the mask (mask.bool().repeat(...)); "
            "write one of these"
        )

    def nonzero(self, *args: Any, **kwargs: Any) -> Any:
        """Ambiguous on a comparison's mask, so it raises and says what to write: NumPy's
        ``nonzero`` gives a tuple of index arrays, PyTorch's a (k, ndim) tensor."""
        raise TypeError(
            "nonzero on a comparison's mask is ambiguous: for NumPy's tuple of index arrays "
            "write np.nonzero(mask), for PyTorch's (k, ndim) tensor of indices write "
            "torch.nonzero(mask) or mask.bool().nonzero()"
        )

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if func is np.nonzero:  # NumPy's own np.nonzero(mask) (it calls mask.nonzero())
            return np.nonzero(np.asarray(args[0]))
        return super().__array_function__(func, types, args, kwargs)

    def __repr__(self) -> str:
        """As PyTorch prints a bool tensor: ``tensor([ True, False])``."""
        return repr(self.bool())

    def __str__(self) -> str:
        return repr(self.bool())

    def logical_not(self) -> BoolArray:
        """The negated mask."""
        return as_mask(np.logical_not(self))

    def numel(self) -> builtins.int:
        """The number of elements."""
        return builtins.int(self.size)

    def dim(self) -> builtins.int:
        """The number of dims."""
        return self.ndim


def as_mask(arr: Any) -> BoolArray:
    """A comparison's result as a ``BoolArray`` (a 0-d array for a 0-d comparison)."""
    return np.asarray(arr).view(BoolArray)
