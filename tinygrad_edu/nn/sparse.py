"""Embedding: ``F.embedding`` and ``nn.Embedding``, a lookup table of learnt vectors.

``embedding(idx, weight)`` is ``weight[idx]``: indexing by an integer tensor of any shape,
whose backward adds each looked-up row's gradient back into its row (repeated indices add
up). The result has shape ``idx.shape + (embedding_dim,)``. The row ``padding_idx`` is read
as any other but gets no gradient, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops as _ops
from ..tensor import Tensor, no_grad
from . import init
from .functional import _check_int
from .module import Module, Parameter, _check_device, _float_dtype

__all__ = ["embedding", "Embedding"]


def _indices(op: str, input: Any, num_embeddings: int) -> np.ndarray:
    if isinstance(input, Tensor):
        idx = input.data
    elif isinstance(input, np.ndarray):
        idx = input
    else:
        raise TypeError(f"{op}: input must be a Tensor of indices, got {type(input).__name__}")
    if idx.dtype.kind not in "iu":
        raise RuntimeError(
            f"{op}: Expected tensor for argument #1 'indices' to have one of the following "
            f"scalar types: Long, Int; but got a tensor of dtype {idx.dtype} instead"
        )
    if idx.size and (idx.min() < 0 or idx.max() >= num_embeddings):
        bad = idx[(idx < 0) | (idx >= num_embeddings)].ravel()[0]
        raise IndexError(
            f"{op}: index out of range in self (index {int(bad)} for a weight of "
            f"{num_embeddings} rows)"
        )
    return idx


def _padding_idx(op: str, padding_idx: int | None, num_embeddings: int) -> int | None:
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise AssertionError(
            f"{op}: Padding_idx must be within num_embeddings (got padding_idx={padding_idx} "
            f"for num_embeddings={num_embeddings})"
        )
    return padding_idx + num_embeddings if padding_idx < 0 else padding_idx


def embedding(input: Any, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` (``(num_embeddings, embedding_dim)``) picked by the integer tensor
    ``input`` of any shape: ``weight[input]``, of shape ``input.shape + (embedding_dim,)``.

    The row ``padding_idx`` (negative counts from the end) is looked up as any other but
    receives no gradient. ``max_norm``, ``scale_grad_by_freq`` and ``sparse`` are not
    supported (they raise).
    """
    op = "embedding"
    if not isinstance(weight, Tensor):
        raise TypeError(f"{op}: weight must be a Tensor, got {type(weight).__name__}")
    if weight.ndim != 2:
        raise RuntimeError(f"{op}: 'weight' must be 2-D, got shape {tuple(weight.shape)}")
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError(
            f"{op}: max_norm, scale_grad_by_freq and sparse are not supported by tinygrad_edu"
        )
    n = weight.shape[0]
    idx = _indices(op, input, n)
    pad = _padding_idx(op, padding_idx, n)
    rows = weight[Tensor(idx.astype(np.int64, copy=False), dtype=np.int64)]
    if pad is None or not (idx == pad).any():
        return rows
    # The padding rows keep their values but take them from a detached copy, so no
    # gradient reaches weight[padding_idx].
    at_pad = np.broadcast_to((idx == pad)[..., None], rows.shape)
    return _ops.Where.apply(np.ascontiguousarray(at_pad), rows.detach(), rows)


class Embedding(Module):
    """A lookup table: ``forward(idx)`` is ``weight[idx]`` (``F.embedding``).

    ``weight`` has PyTorch's shape ``(num_embeddings, embedding_dim)`` and starts N(0, 1),
    drawn as PyTorch draws it (after ``manual_seed(s)`` it is ``torch.nn.Embedding``'s after
    ``torch.manual_seed(s)``), with the row ``padding_idx`` then set to zero; that row gets no
    gradient. ``_weight`` gives the table itself (shared, not copied, as PyTorch does) and
    ``_freeze=True`` makes it not require grad; ``Embedding.from_pretrained`` uses both.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0,
                 scale_grad_by_freq: bool = False, sparse: bool = False,
                 _weight: Tensor | None = None, _freeze: bool = False,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        _check_device(device, "Embedding")
        if max_norm is not None or scale_grad_by_freq or sparse:
            raise NotImplementedError(
                "Embedding: max_norm, scale_grad_by_freq and sparse are not supported by "
                "tinygrad_edu"
            )
        for what, n in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            _check_int("Embedding", what, n)
            if n < 0:
                raise ValueError(f"Embedding: {what} must not be negative, got {n}")
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = _padding_idx("Embedding", padding_idx, num_embeddings)
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            d = _float_dtype(dtype if dtype is not None else np.float64, "Embedding")
            self.weight = Parameter(np.empty((num_embeddings, embedding_dim), d),
                                    requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise AssertionError(
                    f"Embedding: Shape of weight {tuple(_weight.shape)} does not match "
                    f"num_embeddings and embedding_dim ({num_embeddings}, {embedding_dim})"
                )
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        """Draw the weight from N(0, 1) as PyTorch does, then zero the padding row."""
        init.normal_(self.weight)
        self._fill_padding_idx_with_zero()

    def _fill_padding_idx_with_zero(self) -> None:
        if self.padding_idx is not None:
            with no_grad():
                self.weight.data[self.padding_idx] = 0
                self.weight._bump_version()

    def forward(self, input: Any) -> Tensor:
        return embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        return s

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True,
                        padding_idx: int | None = None, max_norm: float | None = None,
                        norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> Embedding:
        """An ``Embedding`` whose table is ``embeddings`` (2-D, shared, not copied);
        ``freeze=True`` (the default) keeps it from learning."""
        if not isinstance(embeddings, Tensor):
            raise TypeError(
                f"Embedding.from_pretrained: embeddings must be a Tensor, got "
                f"{type(embeddings).__name__}"
            )
        if embeddings.ndim != 2:
            raise AssertionError(
                f"Embeddings parameter is expected to be 2-dimensional, got shape "
                f"{tuple(embeddings.shape)}"
            )
        rows, cols = embeddings.shape
        return cls(rows, cols, _weight=embeddings, _freeze=freeze, padding_idx=padding_idx,
                   max_norm=max_norm, norm_type=norm_type,
                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)
