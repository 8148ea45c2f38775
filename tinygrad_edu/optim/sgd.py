"""Stochastic gradient descent: the documents' ``syn0 -= alpha * gradient``, with PyTorch's
options (momentum, dampening, Nesterov momentum, weight decay, maximize)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .optimizer import Optimizer, ParamsT, _check_range, _evaluate, _no_differentiable

__all__ = ["SGD"]

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


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (PyTorch's ``torch.optim.SGD``).

    For each parameter with a gradient ``g``::

        g = -g                         if maximize
        g = g + weight_decay * p       if weight_decay
        buf = g (first step), else buf = momentum * buf + (1 - dampening) * g
        g = g + momentum * buf         if nesterov, else g = buf   (when momentum != 0)
        p = p - lr * g

    This momentum form is PyTorch's (Sutskever et al.): the velocity is scaled by ``lr`` when
    applied, not when accumulated. ``state[p]['momentum_buffer']`` is ``buf``.

    Args:
        params: tensors or parameter-group dicts (see ``Optimizer``).
        lr: learning rate (default 1e-3); 0 is allowed.
        momentum: momentum factor (default 0).
        dampening: dampening for momentum (default 0).
        weight_decay: L2 penalty (default 0).
        nesterov: Nesterov momentum (needs momentum > 0 and dampening 0).
        maximize: ascend the objective instead of descending it.
        foreach: PyTorch's choice of kernels; accepted, it does not change the maths.
        fused: accepted likewise.
        differentiable: only False (tinygrad_edu's steps are not differentiable).
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        _no_differentiable("SGD", differentiable)
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)

    def _check_group(self, group: Mapping[str, Any]) -> None:
        _check_range("SGD", "learning rate", "lr", group["lr"])
        _check_range("SGD", "momentum value", "momentum", group["momentum"])
        _check_range("SGD", "weight_decay value", "weight_decay", group["weight_decay"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("SGD: Nesterov momentum requires a momentum and zero dampening "
                             f"(got momentum={group['momentum']}, "
                             f"dampening={group['dampening']})")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One step of gradient descent on every parameter that has a gradient."""
        loss = None if closure is None else _evaluate(closure)
        for group in self.param_groups:
            lr = group["lr"]
            momentum = group["momentum"]
            weight_decay = group["weight_decay"]
            maximize = group["maximize"]
            if not (momentum or weight_decay or maximize):
                # The plain step, which the benchmarks and the documents' loops run: no state.
                for p in group["params"]:
                    grad = p.grad
                    if grad is not None:
                        _sub_scaled(p.data, lr, grad.data)
                        p._bump_version()
                continue
            dampening = group["dampening"]
            nesterov = group["nesterov"]
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                g = -grad.data if maximize else grad.data
                if weight_decay:
                    g = g + weight_decay * p.data
                if momentum:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = g.copy()
                    else:  # in the buffer buf already owns: no temporary the size of p
                        buf *= momentum
                        if dampening:
                            buf += (1 - dampening) * g
                        else:
                            buf += g
                    g = g + momentum * buf if nesterov else buf
                _sub_scaled(p.data, lr, g)
                p._bump_version()
        return loss
