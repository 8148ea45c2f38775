"""The Adam family: ``Adam``, ``AdamW`` (decoupled weight decay), ``Adamax`` (the infinity
norm) and ``NAdam`` (Nesterov momentum), with PyTorch's arguments, defaults and maths.

Each keeps, per parameter, running averages of the gradient (``exp_avg``) and of its square
(``exp_avg_sq``), corrected for their start at zero by ``1 - beta**step``; ``state[p]['step']``
counts the steps on which ``p`` had a gradient, so a parameter that sits out a step does not
advance its own correction.
"""

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
    _lerp_,
    _no_differentiable,
    _zeros,
)

__all__ = ["Adam", "AdamW", "Adamax", "NAdam"]


def _check_adam_group(opt: str, group: Mapping[str, Any]) -> None:
    """The hyper-parameters the whole family shares, checked in PyTorch's order."""
    _check_nonnegative(opt, group, "lr", "eps")
    betas = group["betas"]
    if not (isinstance(betas, tuple | list) and len(betas) == 2):
        raise ValueError(f"{opt}: betas must be a pair (beta1, beta2), got {betas!r}")
    for i, b in enumerate(betas):
        _check_range(opt, f"beta parameter at index {i}", f"betas[{i}]", b, 0.0, 1.0)
    _check_nonnegative(opt, group, "weight_decay")


def _moments_(state: dict[str, Any], g: np.ndarray, beta1: float,
              beta2: float) -> tuple[np.ndarray, np.ndarray]:
    """Update Adam's running averages of ``g`` and of ``g * g`` in place; return them."""
    exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
    _lerp_(exp_avg, g, 1 - beta1)
    _average_square_(exp_avg_sq, g, beta2)
    return exp_avg, exp_avg_sq


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2014), PyTorch's ``torch.optim.Adam``.

    For each parameter with a gradient ``g``, at its step ``t``::

        g = g + weight_decay * p                     (L2; or, when decoupled,
                                                      p = p * (1 - lr * weight_decay))
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        v_max = max(v_max, v)                        (amsgrad; v_max replaces v below)
        p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    Args:
        params: tensors or parameter-group dicts (see ``Optimizer``).
        lr: learning rate (default 1e-3).
        betas: the averages' coefficients (default (0.9, 0.999)).
        eps: added to the denominator (default 1e-8).
        weight_decay: L2 penalty (default 0).
        amsgrad: use the largest ``v`` so far (Reddi et al., 2018).
        maximize: ascend the objective instead of descending it.
        decoupled_weight_decay: decay the weights directly, as ``AdamW`` does.
        foreach: PyTorch's choice of kernels; accepted, it does not change the maths.
        capturable: accepted likewise (CUDA graphs in PyTorch).
        fused: accepted likewise.
        differentiable: only False.

    State per parameter: ``step``, ``exp_avg``, ``exp_avg_sq`` (and ``max_exp_avg_sq``).
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
        _no_differentiable(type(self).__name__, differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def _check_group(self, group: Mapping[str, Any]) -> None:
        _check_adam_group(type(self).__name__, group)

    def _fresh_state(self, data: np.ndarray, group: Mapping[str, Any]) -> dict[str, Any]:
        amsgrad = ("max_exp_avg_sq",) if group["amsgrad"] else ()
        return _zeros(data, "exp_avg", "exp_avg_sq", *amsgrad)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One Adam step on every parameter that has a gradient."""
        loss = None if closure is None else _evaluate(closure)
        for group in self.param_groups:
            lr = group["lr"]
            beta1, beta2 = group["betas"]
            eps = group["eps"]
            amsgrad = group["amsgrad"]
            for p, g, state in self._with_grads(group):
                step = state["step"]
                exp_avg, exp_avg_sq = _moments_(state, g, beta1, beta2)
                step_size = lr / (1 - beta1**step)
                bias_correction2_sqrt = (1 - beta2**step) ** 0.5
                if amsgrad:
                    np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
                    denom = np.sqrt(state["max_exp_avg_sq"]) / bias_correction2_sqrt + eps
                else:
                    denom = np.sqrt(exp_avg_sq) / bias_correction2_sqrt + eps
                p.data += -step_size * (exp_avg / denom)
                p._bump_version()
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), PyTorch's ``torch.optim.AdamW``.

    The weights shrink by ``lr * weight_decay`` of themselves on each step, outside the
    averages (``p = p * (1 - lr * weight_decay)``), instead of ``weight_decay * p`` being added
    to the gradient as ``Adam``'s L2 penalty is. Same arguments as ``Adam``, except that
    ``weight_decay`` defaults to 1e-2 and the decay is always decoupled.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, section 7.1), PyTorch's ``torch.optim.Adamax``: Adam with the
    second moment replaced by an exponentially weighted infinity norm.

    For each parameter with a gradient ``g``, at its step ``t``::

        g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g
        u = max(beta2 * u, |g| + eps)
        p = p - lr / (1 - beta1**t) * m / u

    Args: ``lr`` (default 2e-3), ``betas`` (0.9, 0.999), ``eps`` (1e-8), ``weight_decay`` (0),
    ``maximize``; ``foreach``, ``capturable`` accepted; ``differentiable`` only False.
    State per parameter: ``step``, ``exp_avg``, ``exp_inf``.
    """

    def __init__(self, params: ParamsT, lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        _no_differentiable("Adamax", differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _check_group(self, group: Mapping[str, Any]) -> None:
        _check_adam_group("Adamax", group)

    def _fresh_state(self, data: np.ndarray, group: Mapping[str, Any]) -> dict[str, Any]:
        return _zeros(data, "exp_avg", "exp_inf")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One Adamax step on every parameter that has a gradient."""
        loss = None if closure is None else _evaluate(closure)
        for group in self.param_groups:
            lr = group["lr"]
            beta1, beta2 = group["betas"]
            eps = group["eps"]
            for p, g, state in self._with_grads(group):
                exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
                _lerp_(exp_avg, g, 1 - beta1)
                exp_inf *= beta2
                np.maximum(exp_inf, np.abs(g) + eps, out=exp_inf)
                clr = lr / (1 - beta1 ** state["step"])
                p.data += -clr * (exp_avg / exp_inf)
                p._bump_version()
        return loss


class NAdam(Optimizer):
    """NAdam (Dozat, 2016), PyTorch's ``torch.optim.NAdam``: Adam with Nesterov momentum,
    whose momentum coefficient warms up over the steps.

    For each parameter with a gradient ``g``, at its step ``t``::

        mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))     (and mu_{t+1} likewise)
        prod_t = mu_1 * ... * mu_t
        m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g
        denom = sqrt(v / (1 - beta2**t)) + eps
        p = p - lr * (1 - mu_t) / (1 - prod_t) * g / denom
              - lr * mu_{t+1} / (1 - prod_t * mu_{t+1}) * m / denom

    Args: ``lr`` (default 2e-3), ``betas`` (0.9, 0.999), ``eps`` (1e-8), ``weight_decay`` (0,
    an L2 penalty unless ``decoupled_weight_decay``, then as ``AdamW``), ``momentum_decay``
    (4e-3), ``maximize``; ``foreach``, ``capturable`` accepted; ``differentiable`` only False.
    State per parameter: ``step``, ``mu_product``, ``exp_avg``, ``exp_avg_sq``.

    ``mu_product`` is a float64 here. PyTorch keeps it in its default dtype, so its results
    match these when ``torch.set_default_dtype(torch.float64)`` is in force.
    """

    def __init__(self, params: ParamsT, lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _no_differentiable("NAdam", differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _check_group(self, group: Mapping[str, Any]) -> None:
        _check_adam_group("NAdam", group)
        _check_nonnegative("NAdam", group, "momentum_decay")

    def _fresh_state(self, data: np.ndarray, group: Mapping[str, Any]) -> dict[str, Any]:
        # keys in PyTorch's order (the spread's "step" keeps its first place)
        return {"step": 0.0, "mu_product": 1.0, **_zeros(data, "exp_avg", "exp_avg_sq")}

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One NAdam step on every parameter that has a gradient."""
        loss = None if closure is None else _evaluate(closure)
        for group in self.param_groups:
            lr = group["lr"]
            beta1, beta2 = group["betas"]
            eps = group["eps"]
            momentum_decay = group["momentum_decay"]
            for p, g, state in self._with_grads(group):
                step = state["step"]
                mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
                mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
                state["mu_product"] *= mu
                mu_product = state["mu_product"]
                exp_avg, exp_avg_sq = _moments_(state, g, beta1, beta2)
                denom = np.sqrt(exp_avg_sq / (1 - beta2**step)) + eps
                p.data += (-lr * (1.0 - mu) / (1.0 - mu_product)) * (g / denom)
                p.data += (-lr * mu_next / (1.0 - mu_product * mu_next)) * (exp_avg / denom)
                p._bump_version()
        return loss
