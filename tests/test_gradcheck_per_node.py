"""gradcheck(per_node=True): each op's backward checked alone, the first wrong one named."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu import Function, Tensor, gradcheck, nn
from tinygrad_edu.gradcheck import check_nodes


class SignFlippedSigmoid(Function):
    """Document 004's slope x*(x-1): the sign of the sigmoid's derivative flipped."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        out = 1 / (1 + np.exp(-x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> np.ndarray:
        (out,) = ctx.saved_tensors
        return grad * out * (out - 1)


class RightSigmoid(SignFlippedSigmoid):
    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> np.ndarray:
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)


def mlp(act: type[Function]) -> tuple[Any, list[Tensor]]:
    """A 3-layer net whose middle activation is ``act``, deep inside the graph."""
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(5, 3)))
    w0 = Tensor(rng.normal(size=(3, 4)), requires_grad=True, name="w0")
    w1 = Tensor(rng.normal(size=(4, 4)), requires_grad=True, name="w1")
    w2 = Tensor(rng.normal(size=(4, 1)), requires_grad=True, name="w2")

    def loss(a: Tensor, b: Tensor, c: Tensor) -> Tensor:
        h = (x @ a).tanh()
        h = act.apply(h @ b)
        h.name = "hidden"
        return (((h @ c).sigmoid() - 1.0) ** 2).mean()

    return loss, [w0, w1, w2]


def test_names_a_wrong_custom_function_deep_in_a_network() -> None:
    fn, params = mlp(SignFlippedSigmoid)
    report = gradcheck(fn, *params, per_node=True)
    assert not report.ok and not report
    assert report.node is not None
    assert report.node["op"] == "SignFlippedSigmoid"
    assert report.node["output"] == "'hidden'"
    # the sign is flipped: the op's backward is exactly minus its finite differences
    assert np.isclose(report.node["analytic"], -report.node["numerical"], rtol=1e-6)
    text = str(report)
    assert "first wrong backward rule" in text and "SignFlippedSigmoid" in text


def test_a_right_network_has_no_wrong_node() -> None:
    fn, params = mlp(RightSigmoid)
    report = gradcheck(fn, *params, per_node=True)
    assert report.ok and report.node is None
    assert report.nodes_checked >= 8  # matmul, tanh, matmul, sigmoid, ..., mean


def test_the_first_wrong_node_in_backward_order_is_named() -> None:
    # two wrong ops: the one nearer the loss is visited first by backward
    rng = np.random.default_rng(1)
    w = Tensor(rng.normal(size=(3, 3)), requires_grad=True)

    def fn(a: Tensor) -> Tensor:
        inner = SignFlippedSigmoid.apply(a)
        inner.name = "inner"
        outer = SignFlippedSigmoid.apply(inner * 2.0)
        outer.name = "outer"
        return outer.sum()

    node, total = check_nodes(fn(w))
    assert node is not None and node["output"] == "'outer'"
    assert total == 4  # inner, mul, outer, sum


def test_kinks_are_not_reported() -> None:
    # relu at exactly 0 and max with ties: the one-sided slopes differ, either is right
    x = Tensor(np.array([[-1.0, 0.0, 2.0], [3.0, 3.0, 0.5]]), requires_grad=True)
    node, _ = check_nodes((x.relu() + x.max(axis=1, keepdims=True)).sum())
    assert node is None


def test_per_node_on_nn_modules() -> None:
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.Tanh(), nn.Linear(4, 2, rng=1))
    x = Tensor(np.random.default_rng(2).normal(size=(6, 3)))
    labels = np.array([0, 1, 1, 0, 1, 0])
    w = model[0].weight
    report = gradcheck(lambda p: nn.CrossEntropyLoss()(model(x), labels), w, per_node=True)
    assert report.ok and report.node is None
