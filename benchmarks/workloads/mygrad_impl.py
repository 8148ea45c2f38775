"""MyGrad: NumPy-like functions on mygrad.Tensor; no nn modules, so layers are written out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mygrad as mg
import numpy as np
from mygrad.nnet.activations import sigmoid

Workload = tuple[Callable[[], None], Callable[[], dict[str, np.ndarray]]]


def xor(init: dict[str, Any]) -> Workload:
    X = mg.tensor(init["X"], constant=True)
    y = mg.tensor(init["y"], constant=True)
    syn0 = mg.tensor(init["syn0"])
    syn1 = mg.tensor(init["syn1"])
    lr = init["lr"]

    def step() -> None:
        nonlocal syn0, syn1  # updated in place
        l1 = sigmoid(X @ syn0)
        l2 = sigmoid(l1 @ syn1)
        loss = 0.5 * mg.sum((y - l2) ** 2)
        loss.backward()
        with mg.no_autodiff:
            syn0 -= lr * syn0.grad
            syn1 -= lr * syn1.grad

    return step, lambda: {"syn0": syn0.data.copy(), "syn1": syn1.data.copy()}


def mlp(init: dict[str, Any]) -> Workload:
    X = mg.tensor(init["X"], constant=True)
    Y = mg.tensor(init["Y"], constant=True)
    params = [mg.tensor(init[k]) for k in ("W1", "b1", "W2", "b2")]
    lr = init["lr"]

    def step() -> None:
        W1, b1, W2, b2 = params
        h = sigmoid(X @ W1 + b1)
        out = sigmoid(h @ W2 + b2)
        loss = mg.mean((out - Y) ** 2)
        loss.backward()
        with mg.no_autodiff:
            for p in params:
                p -= lr * p.grad

    return step, lambda: {k: p.data.copy() for k, p in zip(("W1", "b1", "W2", "b2"), params,
                                                             strict=True)}


def chain(y0: float, depth: int, a: float = 1.01, b: float = 0.01) -> tuple[float, float]:
    x = mg.tensor([y0])
    y = x
    for _ in range(depth):
        y = sigmoid(y * a + b)
    y.backward()
    return float(y.data[0]), float(x.grad[0])
