"""RMSprop: each coordinate's step divided by a running root-mean-square of its gradients."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .optimizer import (
    Optimizer,
    ParamsT,
    _average_square_,
    _check_nonnegative,
    _evaluate,
    _lerp_,
    _no_differentiable,
    _zeros,
)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture 6e), PyTorch's ``torch.optim.RMSprop``.

    For each parameter with a gradient ``g``::

        g = g + weight_decay * p
        v = alpha * v + (1 - alpha) * g * g
        avg = sqrt(v - gbar * gbar) + eps, with gbar = alpha * gbar + (1 - alpha) * g
                                             (centered: the variance instead of the mean square)
        avg = sqrt(v) + eps                  (otherwise)
        buf = momentum * buf + g / avg;  p = p - lr * buf      (momentum > 0)
        p = p - lr * g / avg                                    (otherwise)

    Args: ``lr`` (default 1e-2), ``alpha`` (0.99), ``eps`` (1e-8), ``weight_decay`` (0),
    ``momentum`` (0), ``centered`` (False), ``maximize``; ``capturable``, ``foreach``
    accepted; ``differentiable`` only False.
    State per parameter: ``step``, ``square_avg`` (and ``momentum_buffer``, ``grad_avg``).
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _no_differentiable("RMSprop", differentiable)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay,
                    "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _check_group(self, group: Mapping[str, Any]) -> None:
        _check_nonnegative("RMSprop", group, "lr", "eps", "momentum", "weight_decay", "alpha")

    def _fresh_state(self, data: np.ndarray, group: Mapping[str, Any]) -> dict[str, Any]:
        names = (("square_avg",) + (("momentum_buffer",) if group["momentum"] > 0 else ())
                 + (("grad_avg",) if group["centered"] else ()))
        return _zeros(data, *names)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One RMSprop step on every parameter that has a gradient."""
        loss = None if closure is None else _evaluate(closure)
        for group in self.param_groups:
            lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
            momentum, centered = group["momentum"], group["centered"]
            for p, g, state in self._with_grads(group):
                square_avg = state["square_avg"]
                _average_square_(square_avg, g, alpha)
                if centered:
                    grad_avg = state["grad_avg"]
                    _lerp_(grad_avg, g, 1 - alpha)
                    avg = np.sqrt(square_avg - grad_avg * grad_avg)
                else:
                    avg = np.sqrt(square_avg)
                avg += eps
                if momentum > 0:
                    buf = state["momentum_buffer"]
                    buf *= momentum
                    buf += g / avg
                    p.data += -lr * buf
                else:
                    p.data += -lr * (g / avg)
                p._bump_version()
        return loss
