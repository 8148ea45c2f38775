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
