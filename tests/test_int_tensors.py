"""Integer and bool tensors against PyTorch: construction, dtypes of mixed arithmetic
(PyTorch's promotion), values, indexing and labels, and that they never require grad.

Dtype tables run with both libraries' default dtype set alike (float64, tinygrad_edu's own
default, and float32, PyTorch's): where an integer meets a Python float the result takes the
default float dtype in PyTorch. Tests marked ``xfail(strict=True)`` are bugs found while
writing them; the reason says what PyTorch does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from helpers import TORCH_TOL, requires_torch, torch

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Tensor

pytestmark = requires_torch


def _dtype(x: Any) -> str:
    return str(x.dtype).replace("torch.", "").replace("bool_", "bool")


def _np(x: Any) -> Any:
    if isinstance(x, Tensor):
        return np.asarray(x.data)
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    return np.asarray(x)


def _same_tensor(ours: Any, theirs: Any) -> None:
    """Same dtype, shape and values (exactly for integers and bools)."""
    assert _dtype(ours) == _dtype(theirs), f"dtype {_dtype(ours)}, torch {_dtype(theirs)}"
    a, e = _np(ours), _np(theirs)
    assert a.shape == e.shape, f"shape {a.shape}, torch {e.shape}"
    if e.dtype.kind in "biu":
        np.testing.assert_array_equal(a, e)
    else:
        np.testing.assert_allclose(a, e, rtol=TORCH_TOL, atol=TORCH_TOL)


def _same_tensors_on_both(prog: Callable[[Any], tuple[Any, ...]]) -> None:
    """``prog``'s tensors with tinygrad_edu and with torch: ``_same_tensor`` pair by pair."""
    for ours, theirs in zip(prog(tg), prog(torch), strict=True):
        _same_tensor(ours, theirs)


@pytest.fixture(params=["float64", "float32"])
def default_dtype(request: pytest.FixtureRequest) -> Iterator[str]:
    """Both libraries with the same default float dtype (restored afterwards)."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(getattr(torch, request.param))
    tg.set_default_dtype(getattr(tg, request.param))
    yield request.param
    torch.set_default_dtype(before)


@pytest.fixture
def float64_default() -> Iterator[None]:
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(before)


def _env(m: Any) -> dict[str, Any]:
    return {
        "i": m.tensor([1, -2, 3]),
        "j": m.tensor([4, 5, -6]),
        "i32": m.tensor([1, 2, 3], dtype=m.int32),
        "u8": m.tensor([1, 2, 3], dtype=m.uint8),
        "b": m.tensor([True, False, True]),
        "f32": m.tensor([1.5, 2.0, -3.0], dtype=m.float32),
        "f64": m.tensor([1.5, 2.0, -3.0], dtype=m.float64),
        "s": m.tensor(2),
        "m": m,
    }


def _run(expr: str, m: Any) -> Any:
    env = _env(m)
    return eval(expr, {"m": m}, env)  # noqa: S307 (the test's own expressions)


# Arithmetic whose dtype does not depend on the default float dtype.
EXACT = [
    "i + 1", "i - 1", "1 - i", "2 * i", "i * i", "i + j", "-i", "i ** 2", "2 ** i.abs()",
    "i // 2", "j // i", "i % 2", "j % i", "i.abs()", "i.neg()", "i.sign()",
    "i32 + i", "i32 + 1", "u8 + 1", "u8 + i", "b + 1", "b + b", "b * i", "i + s",
    "f32 + i", "i + f32", "f32 * i", "f32 / i", "f32 * b", "f64 + i", "f64 * i32",
    "f32 + 1.5", "f32 * 2", "i.float()", "i.double()", "i.long()", "i.int()", "b.long()",
    "b.float()", "i.bool()", "i.sum()", "i.sum(0)", "i.prod()", "i.cumsum(0)", "i.max()",
    "i.min()", "i.max(0).indices", "i.argmax()", "f32.argmax()", "i.clamp(-1, 2)",
    "i.relu()", "i.t()", "i.view(3, 1)", "i.flatten()", "i.unsqueeze(0)", "i[1:]",
    "i[m.tensor([2, 0])]", "i.clone()", "i.detach()", "i.maximum(j)", "m.cat([i, j])",
    "m.stack([i, j])", "m.where(b, i, j)", "m.cat([i, f32])", "m.where(b, f32, f32 * 2)",
    "i.float().mean()", "i.double().mean()", "i.mean(dtype=m.float64)", "i == j",
    "i.eq(j)", "i @ j", "m.zeros(3, dtype=m.int64) + i", "m.arange(3)", "m.arange(3) * i",
]

# Arithmetic whose result is the default float dtype in PyTorch.
DEFAULT_FLOAT = [
    "i * 0.5", "i / 2", "i / j", "i.abs() ** 0.5", "2.0 ** i", "i32 * 1.5", "b * 1.5",
    "i.exp()", "i.abs().sqrt()", "i.tanh()", "i.sin()", "i.cos()", "i.sigmoid()",
    "m.where(b, i, 0.5)", "i.clamp(0.5, 2.5)", "i + 0.5", "i - 1.5",
]

# The bugs among them (tinygrad_edu's result differs from PyTorch's).
_DEFAULT = ("an integer tensor meeting a Python float (or an op with a float result) gives "
            "float64 after set_default_dtype(float32); PyTorch gives the default float dtype")
_XFAIL_DEFAULT_FLOAT = {("float32", e): _DEFAULT for e in DEFAULT_FLOAT}


def _exact_params() -> list[Any]:
    return [pytest.param(e, id=e) for e in EXACT]


class TestDtypesAndValues:
    @pytest.mark.parametrize("expr", _exact_params())
    def test_as_torch(self, expr, default_dtype):
        _same_tensor(_run(expr, tg), _run(expr, torch))

    @pytest.mark.parametrize("expr", DEFAULT_FLOAT)
    def test_default_float_results_as_torch(self, expr, default_dtype, request):
        reason = _XFAIL_DEFAULT_FLOAT.get((default_dtype, expr))
        if reason:
            request.applymarker(pytest.mark.xfail(strict=True, reason=reason))
        _same_tensor(_run(expr, tg), _run(expr, torch))

    def test_where_of_float32_and_integer(self):
        _same_tensor(_run("m.where(b, f32, i)", tg), _run("m.where(b, f32, i)", torch))

    @pytest.mark.xfail(strict=True, reason=(
        "an integer power with a negative integer exponent raises NumPy's ValueError "
        "('Integers to negative integer powers are not allowed'); PyTorch gives 0 "
        "(2 ** tensor([1, -2, 3]) == tensor([2, 0, 8]))"))
    def test_integer_power_with_a_negative_exponent(self):
        _same_tensor(_run("2 ** i", tg), _run("2 ** i", torch))

    def test_item_gives_python_int_and_bool(self):
        for m in (tg, torch):
            i, b = m.tensor([7, 8]), m.tensor([True, False])
            assert type(i[0].item()) is int and i[0].item() == 7
            assert type(b[0].item()) is bool and b[0].item() is True
            assert type(i.sum().item()) is int and i.sum().item() == 15
            assert type(m.tensor(2.5).item()) is float

    def test_tolist(self):
        for m in (tg, torch):
            assert m.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
            assert m.tensor([True, False]).tolist() == [True, False]

    def test_mean_of_integers_raises_runtime_error(self):
        for m in (torch, tg):
            with pytest.raises(RuntimeError, match="mean"):
                m.tensor([1, 2, 3]).mean()

    def test_float_in_place_into_integer_raises_runtime_error(self):
        for m in (torch, tg):
            with pytest.raises(RuntimeError):
                m.tensor([1, 2, 3]).mul_(0.5)


class TestConstruction:
    @pytest.mark.parametrize("data, expected", [
        ([1, 2, 3], "int64"),
        ([[1], [2]], "int64"),
        (5, "int64"),
        ([True, False], "bool"),
        (True, "bool"),
        ([1.0, 2], "default"),
        (np.array([1, 2], dtype=np.int32), "int32"),
        (np.array([1, 2], dtype=np.uint8), "uint8"),
        (np.array([1, 2], dtype=np.int64), "int64"),
    ])
    def test_tensor_infers_dtypes_as_torch(self, data, expected, float64_default):
        ours, theirs = tg.tensor(data), torch.tensor(data)
        _same_tensor(ours, theirs)
        if expected != "default":
            assert _dtype(ours) == expected

    def test_explicit_integer_dtype(self):
        t = Tensor([1.0, 2.0, 3.0], dtype=np.int64)
        assert t.dtype == np.int64 and t.data.tolist() == [1, 2, 3]
        assert not t.requires_grad

    def test_contract_tensor_of_integers_is_float(self):
        """``Tensor(ints)`` follows ``torch.Tensor(ints)``: the default float dtype."""
        assert Tensor([1, 2]).dtype == np.float64
        assert str(torch.Tensor([1, 2]).dtype) == "torch.float32"  # (its default)

    @pytest.mark.parametrize("make", [
        pytest.param(lambda m: m.tensor([1, 2], requires_grad=True), id="tensor(ints)"),
        pytest.param(lambda m: m.tensor([True], requires_grad=True), id="tensor(bools)"),
        pytest.param(lambda m: m.tensor([1, 2]).requires_grad_(), id="requires_grad_()"),
        pytest.param(lambda m: m.zeros(2, dtype=m.int64, requires_grad=True), id="zeros"),
    ])
    def test_integer_tensors_never_require_grad(self, make):
        for m in (torch, tg):
            with pytest.raises(RuntimeError):
                make(m)

    def test_results_of_integer_ops_do_not_require_grad(self):
        x = Tensor([1.5, -2.0, 3.0], requires_grad=True)
        for r in (x.argmax(), x.max(0).indices, x.long(), (x > 0).long(), x.int() + 1):
            assert not r.requires_grad and r.grad_fn is None


class TestIndexingAndLabels:
    def test_integer_tensor_indexes_rows_and_the_gradient_adds_up(self):
        rng = np.random.default_rng(0)
        C = rng.standard_normal((5, 2))
        Xb = np.array([[1, 3, 1], [0, 0, 4]])

        def prog(m):
            c = m.tensor(C, dtype=m.float64, requires_grad=True)
            emb = c[m.tensor(Xb)]
            (emb * m.tensor(rng_w, dtype=m.float64)).sum().backward()
            return emb, c.grad

        rng_w = np.random.default_rng(1).standard_normal((2, 3, 2))
        _same_tensors_on_both(prog)

    @pytest.mark.parametrize("index", [
        pytest.param(lambda m: m.tensor(2), id="0-d"),
        pytest.param(lambda m: m.tensor(-1), id="0-d negative"),
        pytest.param(lambda m: m.tensor([0, -1, 0]), id="repeated, negative"),
        pytest.param(lambda m: m.tensor([[0, 1], [2, 0]]), id="2-d"),
        pytest.param(lambda m: m.tensor([True, False, True, False]), id="bool"),
        pytest.param(lambda m: m.tensor([], dtype=m.int64), id="empty"),
        pytest.param(lambda m: (m.tensor([0, 3]), m.tensor([1, 0])), id="pairs"),
        pytest.param(lambda m: (slice(None), m.tensor([2, 2])), id="columns"),
    ])
    def test_index_forms(self, index):
        a = np.arange(12.0).reshape(4, 3)

        def prog(m):
            x = m.tensor(a, dtype=m.float64, requires_grad=True)
            y = x[index(m)]
            (y * 2.0).sum().backward()
            return y, x.grad

        _same_tensors_on_both(prog)

    def test_setitem_with_integer_tensor_labels(self):
        logits = np.random.default_rng(2).standard_normal((4, 5))
        labels = [1, 4, 1, 0]

        def prog(m):
            d = m.tensor(logits, dtype=m.float64)
            d[range(4), m.tensor(labels)] -= 1.0
            d[m.tensor(0), m.tensor(0)] = 9.0
            return d

        _same_tensor(prog(tg), prog(torch))

    @pytest.mark.parametrize("labels", [
        pytest.param(lambda m: m.tensor([1, 4, 1, 0]), id="int64 tensor"),
        pytest.param(lambda m: m.tensor([1, 4, 1, 0], dtype=m.int32).long(), id="long()"),
        pytest.param(lambda m: m.tensor([[0.1, 2.0, 0.3, 0.2, 5.0]] * 4, dtype=m.float64).argmax(1),
                     id="argmax"),
    ])
    def test_labels_of_cross_entropy_and_nll(self, labels):
        logits = np.random.default_rng(3).standard_normal((4, 5))

        def prog(m, functional):
            x = m.tensor(logits, dtype=m.float64, requires_grad=True)
            y = labels(m)
            loss = functional.cross_entropy(x, y) + functional.nll_loss(
                functional.log_softmax(x, 1), y, reduction="sum")
            loss.backward()
            acc = (x.argmax(1) == y).float().mean()
            return loss, x.grad, acc

        ours, theirs = prog(tg, F), prog(torch, torch.nn.functional)
        for a, b in zip(ours, theirs, strict=True):
            _same_tensor(a, b)

    def test_one_hot_of_integer_labels(self):
        y = [2, 0, 1, 2]
        _same_tensor(F.one_hot(tg.tensor(y), 4), torch.nn.functional.one_hot(torch.tensor(y), 4))

    def test_fractional_float_index_raises_index_error(self):
        """(Whole-number float tensors index here, for the documents' float labels; PyTorch
        refuses every float index.)"""
        for m in (torch, tg):
            with pytest.raises(IndexError):
                m.tensor([1.0, 2.0, 3.0])[m.tensor([0.5, 1.0])]

    def test_out_of_range_index_raises_index_error(self):
        for m in (torch, tg):
            with pytest.raises(IndexError):
                m.tensor([1.0, 2.0, 3.0])[m.tensor([3])]


class TestMixedWithGrad:
    def test_float_times_integer_sends_gradient_only_to_the_float(self, float64_default):
        def prog(m):
            x = m.tensor([1.5, -2.0, 3.0], dtype=m.float64, requires_grad=True)
            i = m.tensor([2, 3, 4])
            y = (x * i + i / 2 - x ** i).sum()
            y.backward()
            return y, x.grad

        _same_tensors_on_both(prog)

    def test_float32_weight_with_integer_input_stays_float32(self):
        def prog(m):
            w = m.tensor([0.5, 0.25], dtype=m.float32, requires_grad=True)
            i = m.tensor([[1, 2], [3, 4]])
            y = (i * w).sum()
            y.backward()
            return y, w.grad

        _same_tensors_on_both(prog)

    def test_mask_as_float_weights_the_loss(self):
        def prog(m):
            x = m.tensor([1.5, -2.0, 3.0, 0.5], dtype=m.float64, requires_grad=True)
            mask = (x > 0).double()
            loss = (x * x * mask).sum() / mask.sum()
            loss.backward()
            return loss, x.grad

        _same_tensors_on_both(prog)
