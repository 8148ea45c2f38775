"""Adagrad: each coordinate's step divided by the root of the sum of its squared gradients."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .optimizer import Optimizer, ParamsT, _check_nonnegative, _evaluate, _no_differentiable

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011), PyTorch's ``torch.optim.Adagrad``.

    For each parameter with a gradient ``g``, at its step ``t``::

        g = g + weight_decay * p
        clr = lr / (1 + (t - 1) * lr_decay)
        s = s + g * g                      (s starts at initial_accumulator_value)
        p = p - clr * g / (sqrt(s) + eps)

    Args: ``lr`` (default 1e-2), ``lr_decay`` (0), ``weight_decay`` (0),
    ``initial_accumulator_value`` (0), ``eps`` (1e-10), ``maximize``; ``foreach``, ``fused``
    accepted; ``differentiable`` only False.
    State per parameter: ``step`` and ``sum``, made for every parameter when the optimizer
    is built (as PyTorch does), so ``state_dict()`` lists them all from the start.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        _no_differentiable("Adagrad", differentiable)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p].update(self._fresh_state(p.data, group))

    def _check_group(self, group: Mapping[str, Any]) -> None:
        _check_nonnegative("Adagrad", group, "lr", "lr_decay", "weight_decay",
                           "initial_accumulator_value", "eps")

    def _fresh_state(self, data: np.ndarray, group: Mapping[str, Any]) -> dict[str, Any]:
        # made in __init__; here too for a group added after construction
        return {"step": 0.0, "sum": np.full_like(data, group["initial_accumulator_value"])}

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One Adagrad step on every parameter that has a gradient."""
        loss = None if closure is None else _evaluate(closure)
        for group in self.param_groups:
            lr, lr_decay, eps = group["lr"], group["lr_decay"], group["eps"]
            for p, g, state in self._with_grads(group):
                clr = lr / (1 + (state["step"] - 1) * lr_decay)
                state["sum"] += g * g
                std = np.sqrt(state["sum"]) + eps
                p.data += -clr * (g / std)
                p._bump_version()
        return loss
