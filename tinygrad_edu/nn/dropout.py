"""Dropout: ``F.dropout``, ``F.dropout1d``, ``F.dropout2d`` and the modules ``nn.Dropout``,
``nn.Dropout1d``, ``nn.Dropout2d``.

In training, each element (or each channel, for the 1d/2d forms) is kept with probability
``1 - p`` and scaled by ``1 / (1 - p)``, so the expected output equals the input; in
evaluation the input passes unchanged. The output is ``input * mask``, an ordinary
multiplication, so the gradient is the mask times the incoming gradient.

The mask is drawn as PyTorch draws it on the CPU: ``bernoulli_(1 - p)`` on a tensor of the
mask's shape from the default generator, one float64 uniform per element whatever the
tensor's dtype. After ``manual_seed(s)`` on both sides the masks are PyTorch's exactly.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import random as _random
from ..tensor import Tensor
from .module import Module

__all__ = ["dropout", "dropout1d", "dropout2d", "Dropout", "Dropout1d", "Dropout2d"]


def _check_p(op: str, p: Any) -> float:
    if not isinstance(p, int | float | np.integer | np.floating) or isinstance(p, bool):
        raise TypeError(f"{op}: the dropout probability p must be a number between 0 and 1, "
                        f"got {type(p).__name__} {p!r:.60}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: dropout probability has to be between 0 and 1, but got {p}")
    return float(p)


def _check_input(op: str, input: Any) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if input.dtype.kind != "f":
        raise RuntimeError(f"{op}: input must be a float tensor, got dtype {input.dtype}")
    return input


def _masked(input: Tensor, p: float, mask_shape: tuple[int, ...]) -> Tensor:
    """``input * noise`` with PyTorch's noise: 0 or ``1 / (1 - p)``, of ``mask_shape``."""
    if p == 1.0:  # PyTorch multiplies by zero without drawing
        return input * Tensor(np.zeros((), dtype=input.dtype))
    keep = _random.bernoulli(1.0 - p, shape=mask_shape, dtype=input.dtype)
    # PyTorch divides the 0/1 noise by (1 - p) in the input's dtype, then multiplies.
    noise = keep / np.asarray(1.0 - p, dtype=input.dtype)
    return input * Tensor(noise.astype(input.dtype, copy=False))


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``.

    With ``training=False`` (or ``p=0``) the input itself is returned. ``inplace=True`` is
    accepted and computes out of place (see ``nn.functional``).
    """
    p = _check_p("dropout", p)
    input = _check_input("dropout", input)
    if not training or p == 0.0 or input.size == 0:
        return input
    return _masked(input, p, tuple(input.shape))


def _feature_dropout(op: str, input: Tensor, p: float, training: bool,
                     batched_ndim: int) -> Tensor:
    """Zero whole channels: one draw per (sample, channel), the mask broadcast over the rest."""
    p = _check_p(op, p)
    input = _check_input(op, input)
    if input.ndim not in (batched_ndim - 1, batched_ndim):
        raise RuntimeError(
            f"{op}: Expected {batched_ndim - 1}D or {batched_ndim}D input, but received a "
            f"{input.ndim}D input of shape {tuple(input.shape)}"
        )
    if not training or p == 0.0 or input.size == 0:
        return input
    shape = tuple(input.shape)
    # An unbatched input is one sample: its mask is drawn as for a batch of one.
    lead = shape[:2] if input.ndim == batched_ndim else (1, shape[0])
    mask_shape = lead + (1,) * (batched_ndim - 2)
    if input.ndim < batched_ndim:
        mask_shape = mask_shape[1:]
    return _masked(input, p, mask_shape)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of an ``(N, C, L)`` (or unbatched ``(C, L)``) input with
    probability ``p``, scaling the rest by ``1 / (1 - p)``."""
    return _feature_dropout("dropout1d", input, p, training, 3)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of an ``(N, C, H, W)`` input with probability ``p``, scaling the
    rest by ``1 / (1 - p)``: one draw per (sample, channel).

    As in PyTorch, a 3-D input is read as ``(N, C, L)`` (with a warning), and other ranks of
    at least 2 warn that they are deprecated and are treated the same way (``shape[:2]``).
    """
    p = _check_p("dropout2d", p)
    input = _check_input("dropout2d", input)
    if input.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior "
            "and silence this warning, please use dropout instead. Note that dropout2d "
            "exists to provide channel-wise dropout on inputs with 2 spatial dimensions, "
            "a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).",
            stacklevel=2,
        )
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
            "1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
            "is the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    if input.ndim < 2:
        raise RuntimeError(
            f"dropout2d: Feature dropout requires at least 2 dimensions in the input, got "
            f"shape {tuple(input.shape)}"
        )
    if not training or p == 0.0 or input.size == 0:
        return input
    shape = tuple(input.shape)
    return _masked(input, p, shape[:2] + (1,) * (input.ndim - 2))


class _DropoutNd(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        self.p = _check_p(type(self).__name__, p)
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """``F.dropout(input, p, self.training)``: active after ``train()``, the identity after
    ``eval()``; the mask is PyTorch's after the same ``manual_seed``."""

    def forward(self, input: Tensor) -> Tensor:
        return dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """``F.dropout1d``: drops whole channels of ``(N, C, L)`` inputs in training mode."""

    def forward(self, input: Tensor) -> Tensor:
        return dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """``F.dropout2d``: drops whole channels of ``(N, C, H, W)`` inputs in training mode."""

    def forward(self, input: Tensor) -> Tensor:
        return dropout2d(input, self.p, self.training, self.inplace)
