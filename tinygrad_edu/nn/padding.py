"""Padding layers: ``ZeroPad2d``, ``ConstantPad1d/2d``, ``ReflectionPad1d/2d``,
``ReplicationPad1d/2d``, ``CircularPad1d/2d`` — modules around ``F.pad``."""

from __future__ import annotations

from collections.abc import Sequence

from ..tensor import Tensor
from . import functional as F
from .module import Module

__all__ = ["ZeroPad1d", "ZeroPad2d", "ConstantPad1d", "ConstantPad2d", "ReflectionPad1d",
           "ReflectionPad2d", "ReplicationPad1d", "ReplicationPad2d", "CircularPad1d",
           "CircularPad2d"]


class _Pad(Module):
    mode = "constant"
    dims = 1

    def __init__(self, padding: int | Sequence[int], value: float = 0.0) -> None:
        super().__init__()
        if isinstance(padding, int):
            self.padding: tuple[int, ...] = (padding,) * (2 * self.dims)
        else:
            self.padding = tuple(int(p) for p in padding)
            if len(self.padding) != 2 * self.dims:
                raise ValueError(f"{type(self).__name__}: padding must be an int or "
                                 f"{2 * self.dims} ints, got {padding!r}")
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        if self.mode == "constant":
            return F.pad(input, self.padding, "constant", self.value)
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        if self.mode == "constant" and not type(self).__name__.startswith("Zero"):
            return f"padding={self.padding}, value={self.value}"  # PyTorch's reprs
        return f"{self.padding}"


class ZeroPad1d(_Pad):
    """Pad the last dim with zeros: ``padding`` is an int or (left, right)."""


class ZeroPad2d(_Pad):
    """Pad the last two dims with zeros: ``padding`` is an int or (left, right, top, bottom)."""

    dims = 2


class ConstantPad1d(_Pad):
    """Pad the last dim with ``value``."""

    def __init__(self, padding: int | Sequence[int], value: float) -> None:
        super().__init__(padding, value)


class ConstantPad2d(ConstantPad1d):
    """Pad the last two dims with ``value``."""

    dims = 2


class ReflectionPad1d(_Pad):
    """Pad the last dim with its reflection (the edge not repeated)."""

    mode = "reflect"


class ReflectionPad2d(ReflectionPad1d):
    """Pad the last two dims with their reflection."""

    dims = 2


class ReplicationPad1d(_Pad):
    """Pad the last dim by repeating its edge values."""

    mode = "replicate"


class ReplicationPad2d(ReplicationPad1d):
    """Pad the last two dims by repeating their edge values."""

    dims = 2


class CircularPad1d(_Pad):
    """Pad the last dim by wrapping around."""

    mode = "circular"


class CircularPad2d(CircularPad1d):
    """Pad the last two dims by wrapping around."""

    dims = 2
