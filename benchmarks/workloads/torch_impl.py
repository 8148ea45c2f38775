"""PyTorch (CPU, float64, one thread), written as its tutorials write it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

Workload = tuple[Callable[[], None], Callable[[], dict[str, np.ndarray]]]


def setup() -> None:
    torch.set_num_threads(1)
    with contextlib.suppress(RuntimeError):  # only allowed before any parallel work
        torch.set_num_interop_threads(1)
    torch.set_default_dtype(torch.float64)


def xor(init: dict[str, Any]) -> Workload:
    X = torch.tensor(init["X"])
    y = torch.tensor(init["y"])
    syn0 = torch.tensor(init["syn0"], requires_grad=True)
    syn1 = torch.tensor(init["syn1"], requires_grad=True)
    lr = init["lr"]

    def step() -> None:
        nonlocal syn0, syn1  # updated in place
        l1 = torch.sigmoid(X @ syn0)
        l2 = torch.sigmoid(l1 @ syn1)
        loss = 0.5 * ((y - l2) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            syn0 -= lr * syn0.grad
            syn1 -= lr * syn1.grad
        syn0.grad = None
        syn1.grad = None

    return step, lambda: {"syn0": syn0.detach().numpy().copy(),
                          "syn1": syn1.detach().numpy().copy()}


def mlp(init: dict[str, Any]) -> Workload:
    """nn.Sequential, nn.MSELoss and optim.SGD. nn.Linear stores weight as (out, in)."""
    n_in, hidden = init["W1"].shape
    n_out = init["W2"].shape[1]
    model = torch.nn.Sequential(torch.nn.Linear(n_in, hidden), torch.nn.Sigmoid(),
                                torch.nn.Linear(hidden, n_out), torch.nn.Sigmoid())
    with torch.no_grad():
        model[0].weight.copy_(torch.from_numpy(init["W1"].T))
        model[0].bias.copy_(torch.from_numpy(init["b1"]))
        model[2].weight.copy_(torch.from_numpy(init["W2"].T))
        model[2].bias.copy_(torch.from_numpy(init["b2"]))
    loss_fn = torch.nn.MSELoss()
    opt = torch.optim.SGD(model.parameters(), lr=init["lr"])
    X = torch.tensor(init["X"])
    Y = torch.tensor(init["Y"])

    def step() -> None:
        opt.zero_grad()
        loss = loss_fn(model(X), Y)
        loss.backward()
        opt.step()

    def result() -> dict[str, np.ndarray]:
        def arr(t: torch.Tensor) -> np.ndarray:
            return t.detach().numpy().copy()

        return {"W1": arr(model[0].weight).T, "b1": arr(model[0].bias),
                "W2": arr(model[2].weight).T, "b2": arr(model[2].bias)}

    return step, result


def chain(y0: float, depth: int, a: float = 1.01, b: float = 0.01) -> tuple[float, float]:
    x = torch.tensor([y0], requires_grad=True)
    y = x
    for _ in range(depth):
        y = torch.sigmoid(y * a + b)
    y.backward()
    assert x.grad is not None
    return float(y.detach()[0]), float(x.grad[0])
