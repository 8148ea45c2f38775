"""Optimizers: they read each parameter's ``.grad`` and update ``.data`` in place.

An update is the documents' ``syn0 -= alpha * gradient`` step: it is not part of any graph,
so it runs on the arrays directly.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .tensor import Tensor

__all__ = ["Optimizer", "SGD", "Adam"]

# ``p -= lr * g`` written plainly makes a temporary the size of ``p`` (1.6 MB for a 784x256
# weight) on every step: it raises a step's peak memory by that much and, allocated afresh each
# time, costs page faults. ``_sub_scaled`` does the same arithmetic a block at a time through
# one small buffer; the result is identical, element for element.
_BLOCK = 8192  # elements (64 KiB of float64)


def _sub_scaled(p: np.ndarray, lr: float, g: np.ndarray) -> None:
    """``p -= lr * g`` in place, without a temporary the size of ``p``."""
    if p.size <= _BLOCK or not (p.flags.c_contiguous and g.flags.c_contiguous) \
            or g.shape != p.shape:
        p -= lr * g
        return
    flat_p = p.reshape(-1)
    flat_g = g.reshape(-1)
    buf = np.empty(_BLOCK, dtype=np.result_type(lr, g))
    for start in range(0, flat_p.size, _BLOCK):
        part_g = flat_g[start:start + _BLOCK]
        scaled = buf[:part_g.size]
        np.multiply(lr, part_g, out=scaled)
        part_p = flat_p[start:start + _BLOCK]
        np.subtract(part_p, scaled, out=part_p, casting="same_kind")


class Optimizer:
    """Base class: holds the parameters, ``zero_grad()`` clears their gradients."""

    def __init__(self, params: Iterable[Tensor], lr: float) -> None:
        name = type(self).__name__
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{name}: got an empty parameter list")
        for i, p in enumerate(self.params):
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: parameter {i} is a {type(p).__name__}, not a Tensor")
            if not p.is_leaf:
                raise ValueError(f"{name}: parameter {i} is not a leaf tensor (it has a grad_fn)")
            if not p.requires_grad:
                raise ValueError(f"{name}: parameter {i} does not require grad")
        if not (isinstance(lr, int | float) and np.isfinite(lr) and lr > 0):
            raise ValueError(f"{name}: lr must be a positive number, got {lr!r}")
        self.lr = float(lr)

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to ``None``."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """Update every parameter that has a gradient, in place."""
        raise NotImplementedError


class SGD(Optimizer):
    """Gradient descent: ``p -= lr * grad``; with momentum, ``v = momentum*v + grad; p -= lr*v``.

    The momentum form is PyTorch's (dampening 0, no Nesterov).
    """

    def __init__(self, params: Iterable[Tensor], lr: float, momentum: float = 0.0) -> None:
        super().__init__(params, lr)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"SGD: momentum must be in [0, 1), got {momentum!r}")
        self.momentum = float(momentum)
        self.velocity: list[np.ndarray | None] = [None] * len(self.params)

    def step(self) -> None:
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            g = p.grad.data
            if self.momentum:
                v = self.velocity[i]
                if v is None:
                    v = self.velocity[i] = g.copy()
                else:  # v = momentum*v + g, in the buffer v already owns
                    v *= self.momentum
                    v += g
                g = v
            _sub_scaled(p.data, self.lr, g)


class Adam(Optimizer):
    """Adam (Kingma & Ba), with PyTorch's defaults and bias correction."""

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> None:
        super().__init__(params, lr)
        b1, b2 = betas
        if not (0.0 <= b1 < 1.0 and 0.0 <= b2 < 1.0):
            raise ValueError(f"Adam: betas must be in [0, 1), got {betas!r}")
        if not eps >= 0.0:
            raise ValueError(f"Adam: eps must be non-negative, got {eps!r}")
        self.betas = (float(b1), float(b2))
        self.eps = float(eps)
        # One step count per parameter, as in PyTorch: a parameter without a gradient on
        # some step is not updated, and its bias correction must not count that step.
        self.steps = [0] * len(self.params)
        self.m = [np.zeros_like(p.data) for p in self.params]
        self.v = [np.zeros_like(p.data) for p in self.params]

    def step(self) -> None:
        b1, b2 = self.betas
        for i, (p, m, v) in enumerate(zip(self.params, self.m, self.v, strict=True)):
            if p.grad is None:
                continue
            self.steps[i] += 1
            c1 = 1.0 - b1 ** self.steps[i]
            c2 = 1.0 - b2 ** self.steps[i]
            g = p.grad.data
            m *= b1
            m += (1.0 - b1) * g
            v *= b2
            v += (1.0 - b2) * g * g
            p.data -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)
