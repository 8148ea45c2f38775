"""micrograd (Karpathy's scalar engine, PyPI 0.1.0): one ``Value`` per number.

PyPI's micrograd has no exp, tanh or sigmoid, so this module adds a sigmoid the way
micrograd's own ops are built: a new ``Value`` whose ``_backward`` closure pushes
``s*(1-s)*out.grad`` to its input. micrograd's ``backward()`` sorts the graph with a
recursive function, so a chain deeper than Python's recursion limit raises RecursionError:
the benchmark reports it rather than raising the limit.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from micrograd.engine import Value

Workload = tuple[Callable[[], None], Callable[[], dict[str, np.ndarray]]]

UNSUPPORTED = {
    "mlp": "scalar engine: one Value per number (a 784-256-10 step on 128 rows would build "
           "~50 million)",
}


def sigmoid(v: Value) -> Value:
    s = 1.0 / (1.0 + math.exp(-v.data))
    out = Value(s, (v,), "sigmoid")

    def _backward() -> None:
        v.grad += s * (1.0 - s) * out.grad

    out._backward = _backward
    return out


def _values(a: np.ndarray) -> list[list[Value]]:
    return [[Value(float(x)) for x in row] for row in a]


def xor(init: dict[str, Any]) -> Workload:
    X = init["X"].tolist()
    y = init["y"][:, 0].tolist()
    syn0 = _values(init["syn0"])  # syn0[i][j]: input i -> hidden j
    syn1 = _values(init["syn1"])  # syn1[j][0]: hidden j -> output
    params = [p for row in syn0 + syn1 for p in row]
    lr = init["lr"]
    n_in, n_hidden = len(syn0), len(syn0[0])

    def step() -> None:
        loss: Any = 0.0
        for row, target in zip(X, y, strict=True):
            hidden = [sigmoid(sum((syn0[i][j] * row[i] for i in range(n_in)), Value(0.0)))
                      for j in range(n_hidden)]
            out = sigmoid(sum((syn1[j][0] * hidden[j] for j in range(n_hidden)), Value(0.0)))
            loss = loss + 0.5 * (target - out) ** 2
        for p in params:
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data -= lr * p.grad

    def result() -> dict[str, np.ndarray]:
        return {"syn0": np.array([[p.data for p in row] for row in syn0]),
                "syn1": np.array([[p.data for p in row] for row in syn1])}

    return step, result


def mlp(init: dict[str, Any]) -> Workload:
    raise NotImplementedError(UNSUPPORTED["mlp"])


def chain(y0: float, depth: int, a: float = 1.01, b: float = 0.01) -> tuple[float, float]:
    x = Value(y0)
    y = x
    for _ in range(depth):
        y = sigmoid(y * a + b)
    y.backward()
    return float(y.data), float(x.grad)
