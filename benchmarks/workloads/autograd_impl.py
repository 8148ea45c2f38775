"""HIPS autograd: write the loss as a NumPy function of the parameters, then ``grad`` it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import autograd.numpy as anp
import numpy as np
from autograd import grad, value_and_grad

Workload = tuple[Callable[[], None], Callable[[], dict[str, np.ndarray]]]


def sigmoid(x: Any) -> Any:
    return 1 / (1 + anp.exp(-x))


def xor(init: dict[str, Any]) -> Workload:
    X, y = init["X"], init["y"]
    params = [init["syn0"], init["syn1"]]
    lr = init["lr"]

    def loss(params: list[Any]) -> Any:
        syn0, syn1 = params
        l1 = sigmoid(anp.dot(X, syn0))
        l2 = sigmoid(anp.dot(l1, syn1))
        return 0.5 * anp.sum((y - l2) ** 2)

    loss_grad = grad(loss)

    def step() -> None:
        for p, g in zip(params, loss_grad(params), strict=True):
            p -= lr * g

    return step, lambda: {"syn0": params[0].copy(), "syn1": params[1].copy()}


def mlp(init: dict[str, Any]) -> Workload:
    X, Y = init["X"], init["Y"]
    names = ("W1", "b1", "W2", "b2")
    params = [init[k] for k in names]
    lr = init["lr"]

    def loss(params: list[Any]) -> Any:
        W1, b1, W2, b2 = params
        h = sigmoid(anp.dot(X, W1) + b1)
        out = sigmoid(anp.dot(h, W2) + b2)
        return anp.mean((out - Y) ** 2)

    loss_grad = grad(loss)

    def step() -> None:
        for p, g in zip(params, loss_grad(params), strict=True):
            p -= lr * g

    return step, lambda: {k: p.copy() for k, p in zip(names, params, strict=True)}


def chain(y0: float, depth: int, a: float = 1.01, b: float = 0.01) -> tuple[float, float]:
    def f(y: Any) -> Any:
        for _ in range(depth):
            y = sigmoid(y * a + b)
        return anp.sum(y)  # the one element, as a scalar: grad wants a scalar output

    value, g = value_and_grad(f)(np.array([y0]))
    return float(value), float(g[0])
