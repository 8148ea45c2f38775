"""Hand-written NumPy: every gradient derived by hand, the baseline all ratios divide by.

Written the way the documents write it (plain expressions, updates in place), not tuned:
it is the code a learner would write without an autograd engine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Workload = tuple[Callable[[], None], Callable[[], dict[str, np.ndarray]]]


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def xor(init: dict[str, Any]) -> Workload:
    """Document 001's training step, verbatim in spirit: l2_delta, l1_delta, syn += ..."""
    X, y = init["X"], init["y"]
    syn0, syn1 = init["syn0"], init["syn1"]
    lr = init["lr"]

    def step() -> None:
        nonlocal syn0, syn1  # updated in place
        l1 = sigmoid(np.dot(X, syn0))
        l2 = sigmoid(np.dot(l1, syn1))
        l2_delta = (y - l2) * (l2 * (1 - l2))
        l1_delta = l2_delta.dot(syn1.T) * (l1 * (1 - l1))
        syn1 += lr * l1.T.dot(l2_delta)
        syn0 += lr * X.T.dot(l1_delta)

    return step, lambda: {"syn0": syn0.copy(), "syn1": syn1.copy()}


def mlp(init: dict[str, Any]) -> Workload:
    """Forward, loss = mean((out - Y)**2), backward by the chain rule, SGD in place."""
    X, Y = init["X"], init["Y"]
    W1, b1, W2, b2 = init["W1"], init["b1"], init["W2"], init["b2"]
    lr = init["lr"]
    state = {"loss": 0.0}

    def step() -> None:
        nonlocal W1, b1, W2, b2  # updated in place
        h = sigmoid(X @ W1 + b1)
        out = sigmoid(h @ W2 + b2)
        diff = out - Y
        state["loss"] = float(np.mean(diff**2))
        d_z2 = (2.0 / diff.size) * diff * out * (1 - out)
        d_h = d_z2 @ W2.T
        d_z1 = d_h * h * (1 - h)
        W2 -= lr * (h.T @ d_z2)
        b2 -= lr * d_z2.sum(axis=0)
        W1 -= lr * (X.T @ d_z1)
        b1 -= lr * d_z1.sum(axis=0)

    return step, lambda: {"W1": W1.copy(), "b1": b1.copy(), "W2": W2.copy(), "b2": b2.copy()}


def chain(y0: float, depth: int, a: float = 1.01, b: float = 0.01) -> tuple[float, float]:
    """Forward keeps every sigmoid output; backward multiplies the local slopes s(1-s)*a."""
    y = np.array([y0])
    outs = []
    for _ in range(depth):
        y = sigmoid(y * a + b)
        outs.append(y)
    g = np.ones(1)
    for s in reversed(outs):
        g = g * (s * (1 - s)) * a
    return float(y[0]), float(g[0])
