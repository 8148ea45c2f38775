"""``nn.utils``: gradient clipping and flattening parameters into one vector, as PyTorch's.

The clipping functions change the parameters' ``.grad`` in place, outside the graph, between
``backward()`` and the optimizer's ``step()``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .. import ops as _ops
from ..tensor import Tensor, no_grad

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_",
           "parameters_to_vector", "vector_to_parameters"]


def _tensors(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def _vector_norm(a: np.ndarray, norm_type: float) -> Any:
    if norm_type == math.inf:
        return np.abs(a).max(initial=0.0)
    if norm_type == -math.inf:
        return np.abs(a).min()
    if norm_type == 2.0:
        return np.sqrt(np.sum(a * a))
    if norm_type == 0:
        return np.asarray(np.count_nonzero(a), a.dtype)
    return np.sum(np.abs(a) ** norm_type) ** (1.0 / norm_type)


def get_total_norm(tensors: Tensor | Iterable[Tensor], norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """The ``norm_type``-norm of all ``tensors`` taken as one vector (the norm of their norms)."""
    ts = _tensors(tensors)
    norm_type = float(norm_type)
    if not ts:
        return Tensor(0.0)
    dtype = ts[0].dtype
    norms = np.array([_vector_norm(t.data, norm_type) for t in ts], dtype=dtype)
    total = np.asarray(_vector_norm(norms, norm_type), dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} for gradients from "
            "`parameters` is non-finite, so it cannot be clipped. To disable this error and "
            "scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`"
        )
    return Tensor(total)


def clip_grads_with_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                          total_norm: Tensor, foreach: bool | None = None) -> None:
    """Multiply every gradient by ``min(1, max_norm / (total_norm + 1e-6))``, in place."""
    grads = [p.grad for p in _tensors(parameters) if p.grad is not None]
    if not grads:
        return
    dtype = grads[0].dtype
    total = np.asarray(total_norm.data if isinstance(total_norm, Tensor) else total_norm, dtype)
    coef = np.minimum(np.asarray(float(max_norm), dtype) / (total + np.asarray(1e-6, dtype)),
                      1.0)
    with no_grad():
        for g in grads:
            g.data *= coef
            _bump(g)


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: bool | None = None) -> Tensor:
    """Scale all gradients together so that their joint norm is at most ``max_norm``.

    The joint norm is the ``norm_type``-norm of the gradients' norms (the norm of all of them
    as one vector); each gradient is multiplied by ``min(1, max_norm / (norm + 1e-6))``.
    Returns the norm before clipping, as a 0-d tensor.
    """
    params = _tensors(parameters)
    grads = [p.grad for p in params if p.grad is not None]
    total = get_total_norm([g for g in grads if g is not None], norm_type, error_if_nonfinite)
    clip_grads_with_norm_(params, max_norm, total)
    return total


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient's elements to ``[-clip_value, clip_value]``, in place."""
    clip_value = float(clip_value)
    with no_grad():
        for p in _tensors(parameters):
            g = p.grad
            if g is not None:
                np.clip(g.data, -clip_value, clip_value, out=g.data)
                _bump(g)


def _bump(t: Tensor) -> None:
    bump: Callable[[], None] | None = getattr(t, "_bump_version", None)
    if bump is not None:
        bump()


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and joined into one 1-D tensor (gradients flow back)."""
    flat = [p.reshape(-1) for p in parameters]
    if not flat:
        raise ValueError("parameters_to_vector: got no parameters")
    return flat[0] if len(flat) == 1 else _ops.Cat.apply(*flat, axis=0)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Give each parameter its slice of the 1-D ``vec`` as its data (a view of ``vec``'s)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected Tensor, but got: {type(vec).__name__}")
    if vec.ndim != 1:
        raise ValueError(f"vector_to_parameters: vec must be 1-D, got shape {vec.shape}")
    pointer = 0
    for p in parameters:
        n = p.data.size
        if pointer + n > vec.shape[0]:
            raise ValueError(f"vector_to_parameters: vec of length {vec.shape[0]} is too short "
                             "for the parameters")
        p.data = vec.data[pointer:pointer + n].reshape(p.shape)
        pointer += n


def __getattr__(name: str) -> Any:
    # PEP 562: Python calls this only for a name the module lacks; torch_names.py says whether
    # it is a PyTorch name not implemented yet or a typo (with a hint).
    from ..torch_names import missing_attribute

    raise missing_attribute(__name__, name)
