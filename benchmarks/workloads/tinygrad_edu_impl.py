"""tinygrad_edu, written the way its documentation teaches a user to write it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_edu import Tensor, nn, no_grad, optim

Workload = tuple[Callable[[], None], Callable[[], dict[str, np.ndarray]]]


def xor(init: dict[str, Any]) -> Workload:
    """Document 001's net as tensors: the engine finds l2_delta and l1_delta by itself."""
    X = Tensor(init["X"])
    y = Tensor(init["y"])
    syn0 = Tensor(init["syn0"], requires_grad=True)
    syn1 = Tensor(init["syn1"], requires_grad=True)
    lr = init["lr"]

    def step() -> None:
        nonlocal syn0, syn1  # updated in place
        l1 = (X @ syn0).sigmoid()
        l2 = (l1 @ syn1).sigmoid()
        loss = 0.5 * ((y - l2) ** 2).sum()
        loss.backward()
        with no_grad():
            syn0 -= lr * syn0.grad
            syn1 -= lr * syn1.grad
        syn0.grad = None
        syn1.grad = None

    return step, lambda: {"syn0": syn0.data.copy(), "syn1": syn1.data.copy()}


def mlp(init: dict[str, Any]) -> Workload:
    """nn.Sequential of Linear and Sigmoid, MSELoss and optim.SGD, as the README's loop."""
    n_in, hidden = init["W1"].shape
    n_out = init["W2"].shape[1]
    model = nn.Sequential(nn.Linear(n_in, hidden), nn.Sigmoid(),
                          nn.Linear(hidden, n_out), nn.Sigmoid())
    model.load_state_dict({"0.weight": init["W1"], "0.bias": init["b1"],
                           "2.weight": init["W2"], "2.bias": init["b2"]})
    loss_fn = nn.MSELoss()
    opt = optim.SGD(model.parameters(), lr=init["lr"])
    X = Tensor(init["X"])
    Y = Tensor(init["Y"])

    def step() -> None:
        opt.zero_grad()
        loss = loss_fn(model(X), Y)
        loss.backward()
        opt.step()

    def result() -> dict[str, np.ndarray]:
        sd = model.state_dict()
        return {"W1": sd["0.weight"], "b1": sd["0.bias"], "W2": sd["2.weight"],
                "b2": sd["2.bias"]}

    return step, result


def chain(y0: float, depth: int, a: float = 1.01, b: float = 0.01) -> tuple[float, float]:
    x = Tensor([y0], requires_grad=True)
    y = x
    for _ in range(depth):
        y = (y * a + b).sigmoid()
    y.backward()
    assert x.grad is not None
    return float(y.data[0]), float(x.grad.data[0])
