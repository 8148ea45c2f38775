"""Normalisation layers: ``F.layer_norm``, ``F.batch_norm``, ``nn.LayerNorm``,
``nn.BatchNorm1d``, ``nn.BatchNorm2d``.

Both normalise ``x`` to ``(x - mean) / sqrt(var + eps)`` with the biased variance (divided by
the count, as PyTorch), then scale by ``weight`` and shift by ``bias``. ``layer_norm`` takes
the statistics over the last dimensions of each sample; ``batch_norm`` over every dimension
but the channel one (dim 1), across the batch. Both are written with ``mean``, subtraction,
multiplication and ``sqrt``, so the gradient (through the statistics too) is exact.

BatchNorm keeps running statistics as buffers (``running_mean``, ``running_var``,
``num_batches_tracked``, in ``state_dict`` under PyTorch's keys). In training mode it
normalises with the batch's statistics and updates the running ones,
``running = (1 - momentum) * running + momentum * batch``, with the *unbiased* batch variance
(divided by count - 1), as PyTorch; ``momentum=None`` averages every batch so far equally. In
evaluation mode it normalises with the running statistics.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..tensor import Tensor, no_grad
from . import init
from .module import Module, Parameter, _check_device, _float_dtype

__all__ = ["layer_norm", "batch_norm", "LayerNorm", "BatchNorm1d", "BatchNorm2d"]


def _normalized_shape(shape: int | Sequence[int]) -> tuple[int, ...]:
    return (int(shape),) if isinstance(shape, int | np.integer) else tuple(int(s) for s in shape)


def layer_norm(input: Tensor, normalized_shape: int | Sequence[int],
               weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalise over the last ``len(normalized_shape)`` dims of ``input`` (whose trailing
    shape must equal ``normalized_shape``), then ``* weight + bias`` (each of that shape)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"layer_norm: input must be a Tensor, got {type(input).__name__}")
    shape = _normalized_shape(normalized_shape)
    k = len(shape)
    if k == 0 or tuple(input.shape[input.ndim - k:]) != shape or input.ndim < k:
        raise RuntimeError(
            f"layer_norm: Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size {tuple(input.shape)}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(
                f"layer_norm: {name} of shape {tuple(t.shape)} does not match "
                f"normalized_shape {shape}"
            )
    dims = tuple(range(input.ndim - k, input.ndim))
    mean = input.mean(dims, keepdim=True)
    centred = input - mean
    var = (centred * centred).mean(dims, keepdim=True)  # biased, as PyTorch
    out = centred / (var + eps).sqrt()
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def _channel_shape(input: Tensor) -> tuple[int, ...]:
    """``(1, C, 1, ...)``: a per-channel vector's shape broadcast against ``input``."""
    return (1, input.shape[1]) + (1,) * (input.ndim - 2)


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1) of an ``(N, C, *)`` input.

    ``training=True``: with the batch's mean and biased variance over every dim but 1; the
    running statistics, when given, are updated in place (``momentum``, unbiased variance).
    ``training=False``: with ``running_mean`` and ``running_var``, which are then required.
    A batch with one value per channel cannot be normalised in training: ``ValueError``.
    """
    op = "batch_norm"
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim < 2:
        raise ValueError(f"{op}: expected an input of shape (N, C, *), got {tuple(input.shape)}")
    c = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != c:
            raise RuntimeError(
                f"{op}: {name} should contain {c} elements not {t.numel()} "
                f"(input of shape {tuple(input.shape)})"
            )
    cshape = _channel_shape(input)
    dims = (0,) + tuple(range(2, input.ndim))
    if training:
        count = input.numel() // c
        if count == 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size "
                f"{input.shape}"
            )
        mean = input.mean(dims, keepdim=True)
        centred = input - mean
        var = (centred * centred).mean(dims, keepdim=True)  # biased: used to normalise
        out = centred / (var + eps).sqrt()
        with no_grad():
            m = float(momentum)
            if running_mean is not None:
                batch_mean = mean.data.reshape(c)
                running_mean.data[...] = m * batch_mean + (1 - m) * running_mean.data
                running_mean._bump_version()
            if running_var is not None:
                unbiased = var.data.reshape(c) * (count / (count - 1))
                running_var.data[...] = m * unbiased + (1 - m) * running_var.data
                running_var._bump_version()
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError(f"{op}: running_mean and running_var must be defined in "
                               "evaluation mode")
        rm = Tensor(running_mean.data.reshape(cshape).astype(input.dtype))
        rv = Tensor(running_var.data.reshape(cshape).astype(input.dtype))
        out = (input - rm) / (rv + eps).sqrt()
    if weight is not None:
        out = out * weight.reshape(cshape)
    if bias is not None:
        out = out + bias.reshape(cshape)
    return out


class LayerNorm(Module):
    """``F.layer_norm`` over the last dims ``normalized_shape``; ``weight`` starts at ones and
    ``bias`` at zeros, both of shape ``normalized_shape`` (``elementwise_affine=False``: none;
    ``bias=False``: no bias)."""

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        _check_device(device, "LayerNorm")
        d = _float_dtype(dtype if dtype is not None else np.float64, "LayerNorm")
        self.normalized_shape = _normalized_shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        self.weight: Parameter | None
        self.bias: Parameter | None
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, d))
            self.register_parameter(
                "bias", Parameter(np.zeros(self.normalized_shape, d)) if bias else None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        """Weight back to ones, bias to zeros."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class _BatchNorm(Module):
    _dims: tuple[int, ...] = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 device: Any = None, dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        name = type(self).__name__
        _check_device(device, name)
        d = _float_dtype(dtype if dtype is not None else np.float64, name)
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        self.weight: Parameter | None
        self.bias: Parameter | None
        if affine:
            self.weight = Parameter(np.ones(num_features, d))
            self.register_parameter("bias", Parameter(np.zeros(num_features, d)) if bias else None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.running_mean: Tensor | None
        self.running_var: Tensor | None
        self.num_batches_tracked: Tensor | None
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features, d)))
            self.register_buffer("running_var", Tensor(np.ones(num_features, d)))
            self.register_buffer("num_batches_tracked",
                                 Tensor(np.array(0, dtype=np.int64), dtype=np.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        """Running mean to zeros, running variance to ones, the batch count to 0."""
        if self.track_running_stats:
            assert self.running_mean is not None and self.running_var is not None
            assert self.num_batches_tracked is not None
            for t, v in ((self.running_mean, 0), (self.running_var, 1),
                         (self.num_batches_tracked, 0)):
                t.data[...] = v
                t._bump_version()

    def reset_parameters(self) -> None:
        """``reset_running_stats()``, then weight to ones and bias to zeros."""
        self.reset_running_stats()
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def _check_input_dim(self, input: Tensor) -> None:
        if not isinstance(input, Tensor):
            raise TypeError(f"{type(self).__name__}: input must be a Tensor, got "
                            f"{type(input).__name__}")
        if input.ndim not in self._dims:
            want = " or ".join(f"{n}D" for n in self._dims)
            raise ValueError(f"{type(self).__name__}: expected {want} input (got {input.ndim}D "
                             f"input of shape {tuple(input.shape)})")
        if input.shape[1] != self.num_features:
            raise ValueError(
                f"{type(self).__name__}({self.num_features}): input of shape "
                f"{tuple(input.shape)} has {input.shape[1]} channels in dim 1"
            )

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.data[...] += 1
            self.num_batches_tracked._bump_version()
            if self.momentum is None:  # a cumulative average of every batch so far
                factor = 1.0 / float(self.num_batches_tracked.data)
        # Batch statistics in training, and in evaluation too when no running ones are kept.
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        keep = not self.training or self.track_running_stats
        return batch_norm(input, self.running_mean if keep else None,
                          self.running_var if keep else None, self.weight, self.bias,
                          use_batch, factor, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of ``(N, C)`` or ``(N, C, L)`` inputs, per channel ``C``
    (``F.batch_norm``); ``weight`` starts at ones, ``bias`` at zeros, ``running_mean`` at
    zeros and ``running_var`` at ones, as PyTorch (``affine=False``: no weight or bias;
    ``bias=False``: no bias)."""

    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of ``(N, C, H, W)`` inputs, per channel ``C`` (``F.batch_norm``);
    parameters and buffers as ``BatchNorm1d``."""

    _dims = (4,)

