"""The documents' networks, built with the engine and named as the documents name them.

Each builder runs one forward pass and returns the named tensors (``l0``, ``syn0``, ``l1``,
... ``loss``), ready for ``loss.backward()``, ``draw_graph`` or ``render_backward``.
The loss is the one whose gradient the document's hand-written update follows: iamtrask's
``syn0 += l0.T.dot(l1_delta)`` with ``l1_delta = (y - l1)*l1*(1-l1)`` is a step down
``0.5*sum((y - l1)**2)``; victorzhou's is ``(y_true - y_pred)**2``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import nn
from .tensor import Tensor

__all__ = ["NETWORKS", "iamtrask_2layer", "iamtrask_3layer", "victorzhou_network", "xor_nn"]

# The four training examples of document 001 (three inputs, the last always 1).
XOR_INPUTS = [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]


def _named(t: Tensor, name: str) -> Tensor:
    t.name = name
    return t


def iamtrask_2layer(seed: int = 1) -> dict[str, Tensor]:
    """Document 001's 2-layer net: ``l1 = nonlin(np.dot(l0, syn0))``, output = first column."""
    rs = np.random.RandomState(seed)  # the same numbers as np.random.seed(seed)
    l0 = Tensor(XOR_INPUTS, name="l0")
    y = Tensor([[0, 0, 1, 1]], name="y").T
    y.name = "y"
    syn0 = Tensor(2 * rs.random_sample((3, 1)) - 1, requires_grad=True, name="syn0")
    l1 = _named(l0.dot(syn0).sigmoid(), "l1")
    l1_error = _named(y - l1, "l1_error")
    loss = _named(0.5 * (l1_error**2).sum(), "loss")
    return {"l0": l0, "y": y, "syn0": syn0, "l1": l1, "l1_error": l1_error, "loss": loss}


def iamtrask_3layer(seed: int = 1) -> dict[str, Tensor]:
    """Document 001's 3-layer net on XOR.

    ``l1 = nonlin(np.dot(l0, syn0))``, ``l2 = nonlin(np.dot(l1, syn1))``.
    """
    rs = np.random.RandomState(seed)
    l0 = Tensor(XOR_INPUTS, name="l0")
    y = Tensor([[0], [1], [1], [0]], name="y")
    syn0 = Tensor(2 * rs.random_sample((3, 4)) - 1, requires_grad=True, name="syn0")
    syn1 = Tensor(2 * rs.random_sample((4, 1)) - 1, requires_grad=True, name="syn1")
    l1 = _named(l0.dot(syn0).sigmoid(), "l1")
    l2 = _named(l1.dot(syn1).sigmoid(), "l2")
    l2_error = _named(y - l2, "l2_error")
    loss = _named(0.5 * (l2_error**2).sum(), "loss")
    return {"l0": l0, "y": y, "syn0": syn0, "syn1": syn1, "l1": l1, "l2": l2,
            "l2_error": l2_error, "loss": loss}


def victorzhou_network(x: tuple[float, float] = (2.0, 3.0), y_true: float = 1.0
                       ) -> dict[str, Tensor]:
    """Document 003's 2-2-1 network with its example weights (w = 0, 1; b = 0).

    ``feedforward([2, 3])`` gives the document's 0.7216325609518421; the loss is the
    squared error ``(y_true - y_pred)**2`` whose partials the document derives.
    """
    x0 = Tensor(x[0], name="x[0]")
    x1 = Tensor(x[1], name="x[1]")
    p = {n: Tensor(v, requires_grad=True, name=n) for n, v in
         [("w1", 0.0), ("w2", 1.0), ("w3", 0.0), ("w4", 1.0), ("w5", 0.0), ("w6", 1.0),
          ("b1", 0.0), ("b2", 0.0), ("b3", 0.0)]}
    sum_h1 = _named(p["w1"] * x0 + p["w2"] * x1 + p["b1"], "sum_h1")
    h1 = _named(sum_h1.sigmoid(), "h1")
    sum_h2 = _named(p["w3"] * x0 + p["w4"] * x1 + p["b2"], "sum_h2")
    h2 = _named(sum_h2.sigmoid(), "h2")
    sum_o1 = _named(p["w5"] * h1 + p["w6"] * h2 + p["b3"], "sum_o1")
    y_pred = _named(sum_o1.sigmoid(), "y_pred")
    loss = _named((Tensor(y_true, name="y_true") - y_pred) ** 2, "loss")
    return {"x[0]": x0, "x[1]": x1, **p, "sum_h1": sum_h1, "h1": h1, "sum_h2": sum_h2,
            "h2": h2, "sum_o1": sum_o1, "y_pred": y_pred, "loss": loss}


def xor_nn(seed: int = 1) -> dict[str, Tensor]:
    """The 3-layer XOR net written with ``nn`` modules, so the drawing groups it by layer."""
    X = Tensor(XOR_INPUTS, name="X")
    y = Tensor([[0], [1], [1], [0]], name="y")
    rng = np.random.default_rng(seed)
    model = nn.Sequential(nn.Linear(3, 4, rng=rng), nn.Sigmoid(), nn.Linear(4, 1, rng=rng),
                          nn.Sigmoid())
    loss = _named(nn.MSELoss()(model(X), y), "loss")
    return {"X": X, "y": y, "loss": loss}


# name -> (builder, description), for the command line.
NETWORKS: dict[str, tuple[Callable[[], dict[str, Tensor]], str]] = {
    "xor": (iamtrask_3layer, "document 001: the 3-layer sigmoid net on XOR (syn0, syn1)"),
    "xor2": (iamtrask_2layer, "document 001: the 2-layer sigmoid net (syn0)"),
    "victorzhou": (victorzhou_network, "document 003: the 2-2-1 network (w1..w6, b1..b3)"),
    "xor-nn": (xor_nn, "document 001's 3-layer net built from nn.Linear and nn.Sigmoid"),
}
