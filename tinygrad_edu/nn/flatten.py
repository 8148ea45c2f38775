"""``Flatten`` and ``Unflatten``: reshape between a layer's feature dims and one flat dim."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..tensor import Tensor
from .module import Module

__all__ = ["Flatten", "Unflatten"]


def _dim(op: str, dim: int, ndim: int) -> int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor with {ndim} dims")
    return dim % n


class Flatten(Module):
    """Merge dims ``start_dim`` to ``end_dim`` into one: (N, C, H, W) -> (N, C*H*W) by default."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        shape = input.shape
        if not shape:
            return input.reshape(1)
        start = _dim("Flatten", self.start_dim, len(shape))
        end = _dim("Flatten", self.end_dim, len(shape))
        if start > end:
            raise ValueError(f"Flatten: start_dim {self.start_dim} comes after end_dim "
                             f"{self.end_dim} for input of shape {shape}")
        return input.reshape(*shape[:start], math.prod(shape[start:end + 1]), *shape[end + 1:])

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim ``dim`` into ``unflattened_size``: (N, 12) -> (N, 3, 4) with ``(3, 4)``."""

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size) if not isinstance(
            unflattened_size, tuple) else unflattened_size

    def forward(self, input: Tensor) -> Tensor:
        shape = input.shape
        d = _dim("Unflatten", self.dim, len(shape))
        sizes = list(self.unflattened_size)
        if sizes.count(-1) > 1:
            raise ValueError(f"Unflatten: only one size may be -1, got {self.unflattened_size}")
        known = math.prod(s for s in sizes if s != -1)
        if -1 in sizes:
            if known == 0 or shape[d] % known:
                raise ValueError(f"Unflatten: cannot split dim {self.dim} of size {shape[d]} "
                                 f"into {self.unflattened_size}")
            sizes[sizes.index(-1)] = shape[d] // known
        elif known != shape[d]:
            raise ValueError(f"Unflatten: unflattened_size {self.unflattened_size} must multiply "
                             f"to the size of dim {self.dim} of input of shape {shape}, "
                             f"{shape[d]}")
        return input.reshape(*shape[:d], *sizes, *shape[d + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
