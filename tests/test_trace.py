"""trace_backward: the steps of backward, one per op, that add up to exactly ``.grad``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from tinygrad_edu import Tensor, nn
from tinygrad_edu.documents import NETWORKS
from tinygrad_edu.trace import BackwardStep, trace_backward

# --------------------------------------------------------------------------- helpers


def accumulate(loss: Tensor, steps: list[BackwardStep],
               seed: np.ndarray | None = None) -> dict[Tensor, np.ndarray]:
    """What the traced contributions add up to, per tensor, summed in the order of the steps."""
    total: dict[Tensor, np.ndarray] = {
        loss: np.ones(loss.shape, dtype=loss.dtype) if seed is None else seed}
    for s in steps:
        assert len(s.inputs) == len(s.grad_inputs) == len(s.local), s.op
        for inp, sent in zip(s.inputs, s.grad_inputs, strict=True):
            if sent is None:
                continue
            assert inp is not None, f"{s.op} sent a gradient to a constant"
            assert sent.shape == inp.shape, (s.op, sent.shape, inp.shape)
            total[inp] = total[inp] + sent if inp in total else sent
    return total


def check_trace_matches_backward(loss: Tensor, leaves: dict[str, Tensor],
                                 grad: Any = None) -> list[BackwardStep]:
    """The trace adds up to exactly what backward() stores, and leaves the graph usable."""
    assert all(t.grad is None for t in leaves.values())
    steps = trace_backward(loss, grad)
    assert steps, "no steps traced"
    assert all(t.grad is None for t in leaves.values()), "trace_backward wrote a .grad"
    assert all(s.output.grad is None for s in steps), "trace_backward wrote a .grad"
    seed = None if grad is None else np.asarray(grad, dtype=loss.dtype)
    total = accumulate(loss, steps, seed)

    loss.backward(grad)  # the graph survived the trace
    for name, t in leaves.items():
        if t.requires_grad:
            assert t in total, f"{name} got no traced contribution"
    for t, g in total.items():
        assert t.grad is not None, f"{t.name or t.shape}: backward stored no gradient"
        assert t.grad.dtype == g.dtype
        assert np.array_equal(t.grad.data, g), (
            f"{t.name or t.shape}: backward gives {t.grad.data}, the trace sums to {g}")
    # each op once; the gradient arriving at it is its output's final .grad
    assert len({id(s.output) for s in steps}) == len(steps)
    for s in steps:
        assert s.output.grad is not None
        assert np.array_equal(s.grad_output, s.output.grad.data), s.op
        assert s.grad_output.shape == s.output.shape
    # an op runs only once every use of its output has sent its share
    last_sent: dict[int, int] = {}
    for k, s in enumerate(steps):
        assert last_sent.get(id(s.output), -1) < k, f"step {k} ({s.op}) ran too early"
        for inp, sent in zip(s.inputs, s.grad_inputs, strict=True):
            if sent is not None:
                last_sent[id(inp)] = k
    return steps


# --------------------------------------------------------------------------- graphs


def fan_out() -> tuple[Tensor, dict[str, Tensor]]:
    x = Tensor([0.3, -1.2, 2.0], requires_grad=True, name="x")
    w = Tensor([1.5, -0.5, 0.25], requires_grad=True, name="w")
    y = (x * w + x.sigmoid() + x).sum()  # x used three times
    return y, {"x": x, "w": w}


def broadcasting() -> tuple[Tensor, dict[str, Tensor]]:
    rng = np.random.default_rng(0)
    X = Tensor(rng.standard_normal((5, 3)), name="X")
    W = Tensor(rng.standard_normal((3, 2)), requires_grad=True, name="W")
    b = Tensor(rng.standard_normal(2), requires_grad=True, name="b")  # bias over the batch
    s = Tensor(rng.standard_normal((5, 1)), requires_grad=True, name="s")  # broadcast column
    y = ((X @ W + b).tanh() * s).mean()
    return y, {"W": W, "b": b, "s": s}


def matmul() -> tuple[Tensor, dict[str, Tensor]]:
    rng = np.random.default_rng(1)
    A = Tensor(rng.standard_normal((3, 4)), requires_grad=True, name="A")
    B = Tensor(rng.standard_normal((4, 2)), requires_grad=True, name="B")
    v = Tensor(rng.standard_normal(3), requires_grad=True, name="v")
    y = (v @ (A @ B)).sum() + (A @ A.T).sum()  # 1-D @ 2-D, and A used on both sides
    return y, {"A": A, "B": B, "v": v}


def reductions() -> tuple[Tensor, dict[str, Tensor]]:
    x = Tensor([[1.0, 3.0, 3.0], [-2.0, 0.5, 4.0]], requires_grad=True, name="x")  # tie in max
    y = x.sum(axis=0).max() + x.mean(axis=1, keepdims=True).sum() + x.max(axis=1).sum()
    return y, {"x": x}


def mlp_graph() -> tuple[Tensor, dict[str, Tensor]]:
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU(), nn.Linear(4, 2, rng=1))
    X = Tensor(np.random.default_rng(2).standard_normal((6, 3)), name="X")
    labels = np.array([0, 1, 1, 0, 1, 0])
    loss = nn.CrossEntropyLoss()(model(X), labels)
    return loss, dict(model.named_parameters())


GRAPHS: dict[str, Callable[[], tuple[Tensor, dict[str, Tensor]]]] = {
    "fan_out": fan_out,
    "broadcasting": broadcasting,
    "matmul": matmul,
    "reductions": reductions,
    "mlp": mlp_graph,
}


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_trace_sums_to_exactly_the_accumulated_gradients(name: str) -> None:
    loss, leaves = GRAPHS[name]()
    check_trace_matches_backward(loss, leaves)


def _document_leaves(tensors: dict[str, Tensor]) -> dict[str, Tensor]:
    return {k: t for k, t in tensors.items() if t.requires_grad and t.is_leaf}


@pytest.mark.parametrize("network", sorted(NETWORKS))
def test_trace_of_the_documents_networks(network: str) -> None:
    tensors = NETWORKS[network][0]()
    leaves = _document_leaves(tensors)
    if network != "xor-nn":
        assert leaves, f"{network}: no leaf requires grad"
    steps = check_trace_matches_backward(tensors["loss"], leaves)
    assert steps[0].output is tensors["loss"]
    assert np.array_equal(steps[0].grad_output, np.ones(tensors["loss"].shape))


def test_documents_iamtrask_delta_is_the_grad_output_at_the_sigmoid() -> None:
    # document 001: l2_delta = l2_error * nonlin(l2, deriv=True); the loss is
    # 0.5*sum((y - l2)**2), so d loss/d l2 = -(y - l2) = -l2_error.
    t = NETWORKS["xor"][0]()
    steps = trace_backward(t["loss"])
    sig = [s for s in steps if s.op == "Sigmoid" and s.output is t["l2"]]
    assert len(sig) == 1
    l2 = t["l2"].data
    np.testing.assert_allclose(sig[0].grad_output, -t["l2_error"].data, rtol=0, atol=1e-15)
    np.testing.assert_allclose(sig[0].local[0], l2 * (1 - l2), rtol=1e-15, atol=0)
    l2_delta = t["l2_error"].data * l2 * (1 - l2)
    np.testing.assert_allclose(sig[0].grad_inputs[0], -l2_delta, rtol=1e-14, atol=1e-17)


def test_fan_out_contributions_are_summed() -> None:
    loss, leaves = fan_out()
    x = leaves["x"]
    steps = trace_backward(loss)
    uses = [(s.op, g) for s in steps for i, g in zip(s.inputs, s.grad_inputs, strict=True)
            if i is x and g is not None]
    assert sorted(op for op, _ in uses) == ["Add", "Mul", "Sigmoid"]
    sig = 1 / (1 + np.exp(-x.data))
    parts = {op: g for op, g in uses}
    np.testing.assert_allclose(parts["Mul"], leaves["w"].data, rtol=1e-15)
    np.testing.assert_allclose(parts["Sigmoid"], sig * (1 - sig), rtol=1e-14)
    np.testing.assert_array_equal(parts["Add"], np.ones(3))


def test_broadcast_bias_contribution_is_summed_over_the_batch() -> None:
    loss, leaves = broadcasting()
    b = leaves["b"]
    steps = trace_backward(loss)
    add = [s for s in steps if s.op == "Add" and any(i is b for i in s.inputs)]
    assert len(add) == 1
    s = add[0]
    k = [i for i, t in enumerate(s.inputs) if t is b][0]
    assert s.grad_inputs[k].shape == (2,)
    assert s.grad_output.shape == (5, 2)
    np.testing.assert_allclose(s.grad_inputs[k], (s.grad_output * s.local[k]).sum(axis=0),
                               rtol=1e-14)
    assert s.local[k].shape == (5, 2)  # the local derivative is in the output's shape


def test_trace_with_an_explicit_gradient() -> None:
    a = Tensor([[1.0, 2.0], [3.0, -1.0]], requires_grad=True, name="a")
    y = a.exp() * a
    g = np.array([[1.0, -2.0], [0.5, 3.0]])
    check_trace_matches_backward(y, {"a": a}, grad=g)


# --------------------------------------------------------------------------- local derivatives


def _pos(shape: tuple[int, ...], seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0.5, 2.0, size=shape)


def _signed(shape: tuple[int, ...], seed: int) -> np.ndarray:
    a = np.random.default_rng(seed).uniform(0.2, 2.0, size=shape)
    return a * np.where(np.arange(a.size).reshape(shape) % 2 == 0, 1, -1)


# op name -> (make output from a, b; closed-form local derivatives from (a, b, out))
ELEMENTWISE: dict[str, tuple[Callable[..., Tensor], Callable[..., list[Any]]]] = {
    "Sigmoid": (lambda a, b: a.sigmoid(), lambda a, b, o: [o * (1 - o)]),
    "Tanh": (lambda a, b: a.tanh(), lambda a, b, o: [1 - o**2]),
    "Exp": (lambda a, b: a.exp(), lambda a, b, o: [o]),
    "Log": (lambda a, b: b.log(), lambda a, b, o: [1 / b]),
    "Sqrt": (lambda a, b: b.sqrt(), lambda a, b, o: [0.5 / np.sqrt(b)]),
    "Abs": (lambda a, b: a.abs(), lambda a, b, o: [np.sign(a)]),
    "ReLU": (lambda a, b: a.relu(), lambda a, b, o: [(a > 0).astype(float)]),
    "Neg": (lambda a, b: -a, lambda a, b, o: [-np.ones_like(o)]),
    "Add": (lambda a, b: a + b, lambda a, b, o: [np.ones_like(o), np.ones_like(o)]),
    "Sub": (lambda a, b: a - b, lambda a, b, o: [np.ones_like(o), -np.ones_like(o)]),
    "Mul": (lambda a, b: a * b, lambda a, b, o: [b, a]),
    "Div": (lambda a, b: a / b, lambda a, b, o: [1 / b, -a / b**2]),
    "Pow": (lambda a, b: b**a, lambda a, b, o: [a * b ** (a - 1), o * np.log(b)]),
}


@pytest.mark.parametrize("op", sorted(ELEMENTWISE))
@pytest.mark.parametrize("b_shape", [(2, 3), (3,)], ids=["same", "broadcast"])
def test_local_derivative_of_elementwise_ops_is_the_closed_form(
        op: str, b_shape: tuple[int, ...]) -> None:
    make, closed = ELEMENTWISE[op]
    a_data, b_data = _signed((2, 3), 1), _pos(b_shape, 2)
    a = Tensor(a_data, requires_grad=True, name="a")
    b = Tensor(b_data, requires_grad=True, name="b")
    out = make(a, b)
    weights = Tensor(np.random.default_rng(3).standard_normal(out.shape))  # a real grad_output
    loss = (out * weights).sum()
    steps = trace_backward(loss)
    mine = [s for s in steps if s.output is out]
    assert len(mine) == 1
    s = mine[0]
    assert s.op == op
    np.testing.assert_array_equal(s.grad_output, weights.data)
    expected = closed(a_data, b_data, out.data)
    assert len(s.local) == len(s.inputs)
    # Pow is b**a: its inputs are (b, a); the closed forms are listed in input order
    for inp, local, exp_local, sent in zip(s.inputs, s.local, expected, s.grad_inputs,
                                           strict=True):
        assert local is not None, f"{op}: no local derivative for an input that requires grad"
        assert local.shape == out.shape, (op, local.shape, out.shape)
        np.testing.assert_allclose(local, np.broadcast_to(exp_local, out.shape), rtol=1e-12,
                                   atol=1e-15, err_msg=op)
        # grad_inputs = grad_output * local, summed back to the input's shape
        prod = s.grad_output * local
        while prod.ndim > inp.ndim:
            prod = prod.sum(axis=0)
        np.testing.assert_allclose(sent, prod, rtol=1e-12, atol=1e-15, err_msg=op)


def test_local_derivative_at_the_kinks_is_zero() -> None:
    x = Tensor([-1.0, 0.0, 2.0], requires_grad=True)
    r, m = x.relu(), x.abs()
    steps = trace_backward(r.sum() + m.sum())
    local = {s.op: s.local[0] for s in steps if s.op in ("ReLU", "Abs")}
    np.testing.assert_array_equal(local["ReLU"], [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(local["Abs"], [-1.0, 0.0, 1.0])


def test_pow_with_a_python_exponent_has_local_for_the_base_only() -> None:
    x = Tensor([1.5, -2.0], requires_grad=True)
    y = x**3
    (s,) = [s for s in trace_backward(y.sum()) if s.op == "Pow"]
    np.testing.assert_allclose(s.local[0], 3 * x.data**2, rtol=1e-14)
    assert all(loc is None for inp, loc in zip(s.inputs, s.local, strict=True) if inp is None)


def test_local_is_none_for_an_input_that_needs_no_gradient() -> None:
    # The BackwardStep contract: local is None "for inputs that need no gradient".
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    c = Tensor([3.0, 4.0], name="c")  # a constant tensor
    y = ((x + c) * c - c).sum()
    for s in trace_backward(y):
        for inp, local, sent in zip(s.inputs, s.local, s.grad_inputs, strict=True):
            if inp is c:
                assert sent is None, s.op
                assert local is None, (
                    f"{s.op}: local derivative {local} given for the constant input c")


@pytest.mark.parametrize("make", [
    lambda a, b: a @ b,
    lambda a, b: (a @ b).sum(axis=0),
    lambda a, b: a.mean(axis=1),
    lambda a, b: a.max(axis=0),
    lambda a, b: a.reshape(6),
    lambda a, b: a.transpose(1, 0),
    lambda a, b: a.softmax(axis=1),
], ids=["matmul", "sum", "mean", "max", "reshape", "transpose", "softmax"])
def test_non_elementwise_ops_have_no_local(make: Callable[..., Tensor]) -> None:
    a = Tensor(_signed((2, 3), 4), requires_grad=True)
    b = Tensor(_signed((3, 2), 5), requires_grad=True)
    out = make(a, b)
    (s,) = [s for s in trace_backward((out * out).sum()) if s.output is out]
    assert all(loc is None for loc in s.local), s.op
    assert any(g is not None for g in s.grad_inputs)


def test_matmul_step_sends_the_documents_products() -> None:
    # document 001: syn0 += l0.T.dot(l1_delta): d loss/d syn0 = l0.T @ d loss/d (l0 @ syn0)
    rng = np.random.default_rng(6)
    l0 = Tensor(rng.standard_normal((4, 3)), name="l0")
    syn0 = Tensor(rng.standard_normal((3, 2)), requires_grad=True, name="syn0")
    h = Tensor(rng.standard_normal((4, 3)), requires_grad=True, name="h")
    out = (l0 @ syn0).sigmoid().sum() + (h @ syn0).sum()
    for s in trace_backward(out):
        if s.op != "MatMul":
            continue
        a, b = s.inputs
        assert b is syn0
        np.testing.assert_allclose(s.grad_inputs[1], a.data.T @ s.grad_output, rtol=1e-14)
        if a.requires_grad:
            np.testing.assert_allclose(s.grad_inputs[0], s.grad_output @ b.data.T, rtol=1e-14)
        else:
            assert s.grad_inputs[0] is None


# --------------------------------------------------------------------------- side effects


def test_trace_leaves_existing_grads_untouched_and_backward_still_accumulates() -> None:
    loss, leaves = broadcasting()
    loss.backward(retain_graph=True)
    before = {k: (t.grad, t.grad.data.copy()) for k, t in leaves.items()}
    loss_grad = loss.grad
    steps1 = trace_backward(loss)
    steps2 = trace_backward(loss)  # tracing twice works and gives the same steps
    for k, t in leaves.items():
        assert t.grad is before[k][0], f"{k}: trace_backward replaced .grad"
        np.testing.assert_array_equal(t.grad.data, before[k][1], err_msg=k)
    assert loss.grad is loss_grad
    assert [s.op for s in steps1] == [s.op for s in steps2]
    for s1, s2 in zip(steps1, steps2, strict=True):
        for g1, g2 in zip(s1.grad_inputs, s2.grad_inputs, strict=True):
            assert (g1 is None) == (g2 is None)
            if g1 is not None:
                np.testing.assert_array_equal(g1, g2)
    loss.backward()
    for k, t in leaves.items():
        np.testing.assert_array_equal(t.grad.data, 2 * before[k][1], err_msg=k)


def test_step_fields() -> None:
    loss, leaves = fan_out()
    steps = trace_backward(loss)
    assert [s.index for s in steps] == list(range(len(steps)))
    sig = [s for s in steps if s.op == "Sigmoid"]
    assert len(sig) == 1 and "out*(1-out)" in sig[0].rule
    assert all(isinstance(s.rule, str) for s in steps)


def test_trace_errors() -> None:
    with pytest.raises(TypeError):
        trace_backward(np.ones(2))  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="grad"):
        trace_backward(Tensor([1.0, 2.0]).sum())
    y = Tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="shape"):
        trace_backward(y)  # not one element and no grad given
