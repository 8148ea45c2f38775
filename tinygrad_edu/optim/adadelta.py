"""Adadelta: Adagrad's steps with running averages instead of sums, and no learning rate to
tune (``lr`` only scales the result)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .optimizer import (
    Optimizer,
    ParamsT,
    _average_square_,
    _check_nonnegative,
    _check_range,
    _evaluate,
    _no_differentiable,
    _zeros,
)

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), PyTorch's ``torch.optim.Adadelta``.

    For each parameter with a gradient ``g``::

        g = g + weight_decay * p
        v = rho * v + (1 - rho) * g * g
        delta = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        p = p - lr * delta

    Args: ``lr`` (default 1.0), ``rho`` (0.9), ``eps`` (1e-6), ``weight_decay`` (0),
    ``maximize``; ``foreach``, ``capturable`` accepted; ``differentiable`` only False.
    State per parameter: ``step``, ``square_avg`` (v), ``acc_delta`` (u).
    """

    def __init__(self, params: ParamsT, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _no_differentiable("Adadelta", differentiable)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _check_group(self, group: Mapping[str, Any]) -> None:
        _check_nonnegative("Adadelta", group, "lr")
        _check_range("Adadelta", "rho value", "rho", group["rho"], 0.0, 1.0, high_open=False)
        _check_nonnegative("Adadelta", group, "eps", "weight_decay")

    def _fresh_state(self, data: np.ndarray, group: Mapping[str, Any]) -> dict[str, Any]:
        return _zeros(data, "square_avg", "acc_delta")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One Adadelta step on every parameter that has a gradient."""
        loss = None if closure is None else _evaluate(closure)
        for group in self.param_groups:
            lr, rho, eps = group["lr"], group["rho"], group["eps"]
            for p, g, state in self._with_grads(group):
                square_avg, acc_delta = state["square_avg"], state["acc_delta"]
                _average_square_(square_avg, g, rho)
                delta = np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * g
                _average_square_(acc_delta, delta, rho)
                p.data += -lr * delta
                p._bump_version()
        return loss
