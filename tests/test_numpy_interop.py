"""NumPy meets a tensor: ``__array_ufunc__`` (``array + t``, ``np.exp(t)``, ``p.data -= lr *
p.grad``), comparisons returning ``BoolArray`` (an ``np.ndarray`` with PyTorch's conversion
methods), and the ``.data`` update idioms of PyTorch programs.

Values and gradients are compared with PyTorch (float64, 1e-10) computing the same thing with
its own operations. Tests marked ``xfail(strict=True)`` are bugs found while writing them;
the reason says what PyTorch does.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from helpers import TORCH_TOL, requires_torch, torch

import tinygrad_edu as tg
from tinygrad_edu import Tensor, no_grad

pytestmark = requires_torch

X = np.array([[0.5, -1.25, 2.0], [1.5, 0.75, -0.5]])
ARR = np.array([[2.0, 3.0, -1.0], [0.5, -4.0, 1.5]])
UP = np.random.default_rng(0).standard_normal((2, 3))  # an upstream gradient


def _ours_and_theirs(ours_fn: Callable[[Tensor], Any], theirs_fn: Callable[[Any], Any],
                     x: np.ndarray = X) -> None:
    """Value and gradient of ``ours_fn`` (NumPy spelling) equal PyTorch's (its own ops)."""
    t = Tensor(x, requires_grad=True)
    tt = torch.tensor(x, requires_grad=True)
    out, t_out = ours_fn(t), theirs_fn(tt)
    assert isinstance(out, Tensor), f"a {type(out).__name__}, not a Tensor"
    assert out.requires_grad, "the graph was lost"
    np.testing.assert_allclose(out.data, t_out.detach().numpy(), rtol=TORCH_TOL, atol=TORCH_TOL)
    up = UP if out.shape == (2, 3) else np.ones(out.shape)
    out.backward(up)
    t_out.backward(torch.from_numpy(up))
    assert t.grad is not None and tt.grad is not None
    np.testing.assert_allclose(t.grad.data, tt.grad.numpy(), rtol=TORCH_TOL, atol=TORCH_TOL)


# --------------------------------------------------------------------------- array (op) tensor

REFLECTED: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "**": lambda a, t: a ** t,
}


class TestArrayOperatorTensor:
    @pytest.mark.parametrize("op", list(REFLECTED))
    def test_array_on_the_left_keeps_the_graph(self, op):
        f = REFLECTED[op]
        base = np.abs(ARR) + 0.5  # a positive base for **
        _ours_and_theirs(lambda t: f(base, t), lambda t: f(torch.from_numpy(base), t))

    @pytest.mark.parametrize("op", list(REFLECTED))
    def test_array_on_the_right(self, op):
        f = REFLECTED[op]
        x = np.abs(X) + 0.5
        _ours_and_theirs(lambda t: f(t, ARR), lambda t: f(t, torch.from_numpy(ARR)), x)

    def test_matmul_with_an_array_on_either_side(self):
        w = np.arange(6.0).reshape(3, 2) / 5
        _ours_and_theirs(lambda t: (t @ w) @ ARR[:, :2].T @ ARR,
                         lambda t: (t @ torch.from_numpy(w)) @ torch.from_numpy(ARR[:, :2].T)
                         @ torch.from_numpy(ARR))
        _ours_and_theirs(lambda t: ARR.T @ t, lambda t: torch.from_numpy(ARR.T) @ t)

    def test_broadcasting_array(self):
        row = np.array([1.0, -2.0, 0.5])
        _ours_and_theirs(lambda t: row * t + row, lambda t: torch.from_numpy(row) * t
                         + torch.from_numpy(row))

    @pytest.mark.parametrize("scalar", [np.float64(2.5), np.float32(2.5), np.int64(3)])
    def test_numpy_scalars_are_weak_as_torch(self, scalar):
        for dtype, t_dtype in ((np.float32, torch.float32), (np.float64, torch.float64)):
            ours = scalar * Tensor(X, dtype=dtype) + scalar
            theirs = scalar * torch.tensor(X, dtype=t_dtype) + scalar
            assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
            np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6)

    def test_float64_array_with_float32_tensor(self):
        ours = ARR * Tensor(X, dtype=np.float32)
        assert ours.dtype == np.float64  # the contract: NumPy's promotion for arrays


# --------------------------------------------------------------------------- ufuncs

GRAPH_UFUNCS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "exp": (np.exp, torch.exp),
    "log": (lambda t: np.log(t * t + 1.0), lambda t: torch.log(t * t + 1.0)),
    "sqrt": (lambda t: np.sqrt(t * t + 1.0), lambda t: torch.sqrt(t * t + 1.0)),
    "tanh": (np.tanh, torch.tanh),
    "sin": (np.sin, torch.sin),
    "cos": (np.cos, torch.cos),
    "abs": (np.abs, torch.abs),
    "square": (np.square, torch.square),
    "negative": (np.negative, torch.negative),
    "positive": (lambda t: np.positive(t) * 2.0, lambda t: torch.positive(t) * 2.0),
    "add": (lambda t: np.add(t, t), lambda t: torch.add(t, t)),
    "multiply": (lambda t: np.multiply(t, ARR), lambda t: t * torch.from_numpy(ARR)),
    "divide": (lambda t: np.divide(ARR, t), lambda t: torch.from_numpy(ARR) / t),
    "subtract": (lambda t: np.subtract(1.0, t), lambda t: 1.0 - t),
    "power": (lambda t: np.power(t, 3), lambda t: t ** 3),
    "matmul": (lambda t: np.matmul(t, ARR.T), lambda t: t @ torch.from_numpy(ARR.T)),
    "maximum (ties)": (lambda t: np.maximum(t, 0.75), lambda t: torch.maximum(
        t, torch.tensor(0.75, dtype=torch.float64))),
    "minimum": (lambda t: np.minimum(t, ARR), lambda t: torch.minimum(t, torch.from_numpy(ARR))),
}


class TestUfuncs:
    @pytest.mark.parametrize("name", list(GRAPH_UFUNCS))
    def test_keeps_the_graph(self, name):
        ours, theirs = GRAPH_UFUNCS[name]
        _ours_and_theirs(ours, theirs)

    @pytest.mark.parametrize("call", [
        pytest.param(np.arctan, id="arctan"),
        pytest.param(np.floor, id="floor"),
        pytest.param(np.sign, id="sign"),
        pytest.param(np.isnan, id="isnan"),
        pytest.param(np.add.reduce, id="add.reduce"),
        pytest.param(lambda t: np.add.accumulate(t, axis=1), id="add.accumulate"),
        pytest.param(lambda t: np.exp(t, dtype=np.float32), id="exp(dtype=)"),
    ])
    def test_others_refuse_a_tensor_that_requires_grad(self, call):
        with pytest.raises(TypeError, match="numpy"):
            call(Tensor(X, requires_grad=True))

    @pytest.mark.parametrize("call, expected", [
        pytest.param(np.arctan, np.arctan(X), id="arctan"),
        pytest.param(np.floor, np.floor(X), id="floor"),
        pytest.param(np.add.reduce, np.add.reduce(X), id="add.reduce"),
    ])
    def test_others_compute_on_a_tensor_without_grad(self, call, expected):
        for t in (Tensor(X), Tensor(X, requires_grad=True).detach()):
            out = call(t)
            np.testing.assert_allclose(np.asarray(out.data if isinstance(out, Tensor) else out),
                                       expected, rtol=0, atol=0)

    def test_under_no_grad_nothing_is_recorded(self):
        t = Tensor(X, requires_grad=True)
        with no_grad():
            out = np.exp(t) + np.arctan(t)
        assert not out.requires_grad
        np.testing.assert_allclose(out.data, np.exp(X) + np.arctan(X), rtol=1e-15)

    def test_boolean_ufunc_result_is_a_mask(self):
        m = np.isnan(Tensor([1.0, np.nan]))
        assert m.tolist() == [False, True]
        assert m.long().dtype == np.int64

    @pytest.mark.parametrize("call", [
        pytest.param(lambda t: np.dot(t, t.T), id="dot"),
        pytest.param(lambda t: np.clip(t, 0.0, 1.0), id="clip"),
        pytest.param(lambda t: np.where(t > 0, t, 0.0), id="where"),
        pytest.param(lambda t: np.concatenate([t, t]), id="concatenate"),
        pytest.param(lambda t: np.transpose(t), id="transpose"),
        pytest.param(lambda t: np.reshape(t, 6), id="reshape"),
        pytest.param(lambda t: np.cumsum(t), id="cumsum"),
    ])
    def test_numpy_functions_do_not_drop_the_graph_silently(self, call):
        t = Tensor(X, requires_grad=True)
        try:
            out = call(t)
        except TypeError:
            return  # refusing is fine
        assert isinstance(out, Tensor) and out.requires_grad, (
            f"returned a {type(out).__name__} without the graph")

    @pytest.mark.parametrize("call", [np.sum, np.mean, np.max])
    def test_numpy_reductions_of_a_tensor(self, call):
        t = Tensor(X)
        try:
            out = call(t)
        except TypeError as e:
            assert "out" not in str(e), str(e)
            return
        np.testing.assert_allclose(np.asarray(getattr(out, "data", out)), call(X))


# --------------------------------------------------------------------------- comparisons

CMPS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}


class TestComparisons:
    @pytest.mark.parametrize("op", list(CMPS))
    def test_tensor_with_number_tensor_and_array(self, op):
        f = CMPS[op]
        t, t2 = Tensor(X), Tensor(ARR)
        tt, tt2 = torch.tensor(X), torch.tensor(ARR)
        for ours, theirs in ((f(t, 0.75), f(tt, 0.75)), (f(t, t2), f(tt, tt2)),
                             (f(t, ARR), f(tt, torch.from_numpy(ARR))),
                             (f(ARR, t), f(torch.from_numpy(ARR), tt))):
            assert isinstance(ours, np.ndarray) and ours.dtype == np.bool_
            np.testing.assert_array_equal(ours, theirs.numpy())

    def test_zero_dim_comparison_is_a_zero_dim_mask(self):
        m = Tensor(2.0) > 1.0
        assert isinstance(m, np.ndarray) and m.shape == () and bool(m)
        assert m.float().item() == 1.0

    def test_mask_indexes_arrays_and_tensors(self):
        t = Tensor(X, requires_grad=True)
        m = t > 0
        np.testing.assert_array_equal(X[m], X[X > 0])
        picked = t[m]
        picked.sum().backward()
        np.testing.assert_array_equal(t.grad.data, (X > 0).astype(float))
        np.testing.assert_array_equal(np.where(m, 1, 0), (X > 0).astype(int))

    @pytest.mark.parametrize("conv", [
        pytest.param(lambda m: m.float(), id="float"),
        pytest.param(lambda m: m.double(), id="double"),
        pytest.param(lambda m: m.long(), id="long"),
        pytest.param(lambda m: m.int(), id="int"),
        pytest.param(lambda m: m.bool(), id="bool"),
        pytest.param(lambda m: m.float().mean(), id="float().mean()"),
        pytest.param(lambda m: m.long().sum(), id="long().sum()"),
        pytest.param(lambda m: m.sum(), id="sum()"),
        pytest.param(lambda m: m.sum(dim=1), id="sum(dim=1)"),
        pytest.param(lambda m: m.sum(0), id="sum(0)"),
        pytest.param(lambda m: m.sum(1, keepdim=True), id="sum(1, keepdim=True)"),
        pytest.param(lambda m: m.any(), id="any()"),
        pytest.param(lambda m: m.all(dim=1), id="all(dim=1)"),
        pytest.param(lambda m: m.logical_not(), id="logical_not"),
        pytest.param(lambda m: ~m, id="~"),
        pytest.param(lambda m: m & (m.logical_not()), id="&"),
        pytest.param(lambda m: m.to(torch.float64 if isinstance(m, torch.Tensor)
                                    else tg.float64), id="to(float64)"),
        pytest.param(lambda m: m.type(torch.int64 if isinstance(m, torch.Tensor)
                                      else tg.int64), id="type(int64)"),
    ])
    def test_conversions_as_torch(self, conv):
        ours = conv(Tensor(X) > Tensor(ARR))
        theirs = conv(torch.tensor(X) > torch.tensor(ARR))
        ours_arr = np.asarray(ours.data if isinstance(ours, Tensor) else ours)
        assert str(ours_arr.dtype) == str(theirs.dtype).replace("torch.", "")
        np.testing.assert_array_equal(ours_arr, theirs.numpy())

    def test_numel_and_dim(self):
        m = Tensor(X) > 0
        assert m.numel() == torch.tensor(X).gt(0).numel() == 6
        assert m.dim() == 2

    def test_accuracy_idiom_prints_torch_number(self):
        """``(pred == y).float().mean().item()``: PyTorch's float32 number, digit for digit."""
        pred, y = [1, 2, 3, 0, 2, 2], [1, 0, 3, 0, 1, 2]
        ours = (tg.tensor(pred) == tg.tensor(y)).float().mean().item()
        theirs = (torch.tensor(pred) == torch.tensor(y)).float().mean().item()
        assert ours == theirs

    def test_correct_count_idiom(self):
        pred, y = [1, 2, 3, 0, 2, 2], [1, 0, 3, 0, 1, 2]
        ours = (tg.tensor(pred) == tg.tensor(y)).sum().item()
        theirs = (torch.tensor(pred) == torch.tensor(y)).sum().item()
        assert ours == theirs and type(ours) is type(theirs)

    def test_mask_sum_converts_as_a_tensor(self):
        m = tg.tensor([1, 2, 3]) == tg.tensor([1, 0, 3])
        assert m.sum().float().item() == 2.0

    def test_torch_all_of_a_comparison(self):
        a = Tensor(X)
        assert tg.all(a == a).item() is True
        assert tg.any(a > 100).item() is False


# --------------------------------------------------------------------------- .data idioms


class TestDataUpdateIdioms:
    def _step(self, update: Callable[[Any], None], m: Any) -> Any:
        w = m.tensor(X, dtype=m.float64, requires_grad=True)
        for _ in range(3):
            loss = ((w * m.tensor(ARR, dtype=m.float64)).tanh() ** 2).sum()
            loss.backward()
            update(w)
            w.grad = None
        return w

    @pytest.mark.parametrize("name", ["p.data -= lr * p.grad", "p.data += -lr * p.grad",
                                      "p.data.sub_", "no_grad p -= lr * p.grad"])
    def test_as_torch(self, name):
        def update(m):
            def go(p):
                if name == "p.data -= lr * p.grad":
                    p.data -= 0.1 * p.grad
                elif name == "p.data += -lr * p.grad":
                    p.data += -0.1 * p.grad
                elif name == "p.data.sub_":
                    if m is torch:
                        p.data.sub_(0.1 * p.grad)
                    else:  # .data is an ndarray here: NumPy's in-place form
                        np.subtract(p.data, 0.1 * p.grad, out=p.data)
                else:
                    with m.no_grad():
                        p -= 0.1 * p.grad
            return go

        ours, theirs = self._step(update(tg), tg), self._step(update(torch), torch)
        np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=TORCH_TOL,
                                   atol=TORCH_TOL)
        assert isinstance(ours.data, np.ndarray)

    def test_data_stays_the_same_array(self):
        w = Tensor(X, requires_grad=True)
        arr = w.data
        (w * w).sum().backward()
        w.data -= 0.1 * w.grad
        w.data += -0.1 * w.grad
        assert w.data is arr
        np.testing.assert_allclose(arr, X - 0.4 * X, rtol=1e-15)

    @pytest.mark.xfail(strict=True, reason=(
        "`p.data = p.data - lr * p.grad` stores a Tensor in .data (ndarray - Tensor gives a "
        "Tensor), so .data is no longer an array; PyTorch's .data assignment takes the new "
        "values"))
    def test_assigning_data_from_an_expression_with_grad(self):
        w = Tensor(X, requires_grad=True)
        (w * w).sum().backward()
        w.data = w.data - 0.1 * w.grad
        assert isinstance(w.data, np.ndarray)
        np.testing.assert_allclose(w.data, X - 0.2 * X, rtol=1e-15)

    def test_assigning_an_array_to_data(self):
        def prog(m):
            w = m.tensor(X, dtype=m.float64, requires_grad=True)
            w.data = w.data * 2.0
            (w * w).sum().backward()
            return w.grad

        ours, theirs = prog(tg), prog(torch)
        np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=TORCH_TOL)

    def test_asarray_shares_and_array_copies(self):
        t = Tensor(X.copy())
        a = np.asarray(t)
        b = np.array(t)
        a[0, 0] = 100.0
        assert t.data[0, 0] == 100.0 and b[0, 0] == X[0, 0]

    def test_numpy_of_a_tensor_that_requires_grad(self):
        """PyTorch refuses .numpy() on such a tensor; the contract gives the live array."""
        t = Tensor(X, requires_grad=True)
        assert t.numpy() is t.data
        assert t.detach().numpy() is t.data
