"""The new primitive ops (``ops.Where Cat CumSum Prod Sin Cos``) and the shape/reduction
methods whose PyTorch and NumPy meanings collide (``transpose(d0, d1)``, ``size()``,
``flatten(s, e)``, ``max(dim)``, ``dim=``/``keepdim=`` against ``axis=``/``keepdims=``).

Each primitive is checked three ways over edge shapes (0-d, empty dims, a batch of one,
negative dims, zeros in prod, repeated values): values and gradients against PyTorch
(float64, 1e-10), ``gradcheck`` and ``gradgradcheck``, and second derivatives against
PyTorch's. Tests marked ``xfail(strict=True)`` are bugs found while writing them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from helpers import TORCH_TOL, requires_torch, torch

import tinygrad_edu as tg
from tinygrad_edu import Tensor, gradcheck, gradgradcheck, ops

pytestmark = requires_torch


def _check(ours: Callable[..., Any], theirs: Callable[..., Any], arrays: list[np.ndarray],
           second: bool = True, seed: int = 0, finite_differences: bool = True) -> None:
    """Values, gradients (of a random upstream gradient) and second derivatives against
    PyTorch; gradcheck and gradgradcheck on non-empty inputs (not at kinks such as ties,
    where finite differences have no single answer)."""
    rng = np.random.default_rng(seed)
    xs = [Tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, t_out = ours(*xs), theirs(*ts)
    t_val = t_out.detach().numpy()
    assert out.shape == t_val.shape, f"shape {out.shape}, torch {t_val.shape}"
    assert out.dtype == t_val.dtype
    np.testing.assert_allclose(out.data, t_val, rtol=TORCH_TOL, atol=TORCH_TOL)
    u = rng.standard_normal(out.shape)
    grads = tg.autograd.grad((out * u).sum(), xs, create_graph=second, allow_unused=True)
    t_grads = torch.autograd.grad((t_out * torch.from_numpy(u)).sum(), ts, create_graph=second,
                                  allow_unused=True)
    for g, tgr, x in zip(grads, t_grads, xs, strict=True):
        expected = np.zeros(x.shape) if tgr is None else tgr.detach().numpy()
        actual = np.zeros(x.shape) if g is None else g.data
        np.testing.assert_allclose(actual, expected, rtol=TORCH_TOL, atol=TORCH_TOL,
                                   err_msg="gradient")
    if second:
        pairs = [(g, tgr) for g, tgr in zip(grads, t_grads, strict=True)
                 if g is not None and tgr is not None and tgr.requires_grad]
        if pairs:
            vs = [rng.standard_normal(g.shape) for g, _ in pairs]
            s = sum(((g * v).sum() for (g, _), v in zip(pairs, vs, strict=True)), Tensor(0.0))
            ts_ = torch.zeros((), dtype=torch.float64)
            for (_, tgr), v in zip(pairs, vs, strict=True):
                ts_ = ts_ + (tgr * torch.from_numpy(v)).sum()
            if s.requires_grad:
                hv = tg.autograd.grad(s, xs, allow_unused=True)
                t_hv = torch.autograd.grad(ts_, ts, allow_unused=True)
                for h, th, x in zip(hv, t_hv, xs, strict=True):
                    expected = np.zeros(x.shape) if th is None else th.numpy()
                    actual = np.zeros(x.shape) if h is None else h.data
                    np.testing.assert_allclose(actual, expected, rtol=TORCH_TOL, atol=TORCH_TOL,
                                               err_msg="second derivative")
    if finite_differences and all(a.size for a in arrays):
        report = gradcheck(ours, *[Tensor(a, requires_grad=True) for a in arrays])
        assert report, str(report)
        if second:
            report = gradgradcheck(ours, *[Tensor(a, requires_grad=True) for a in arrays])
            assert report, str(report)


# PyTorch raises IndexError ("Dimension out of range") for a dim out of range.
_VALUE_ERROR = pytest.mark.xfail(strict=True, reason=(
    "a dim out of range raises ValueError here; PyTorch raises IndexError ('Dimension out of "
    "range')"))


def _rand(shape: tuple[int, ...], seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-2.0, 2.0, shape)


SHAPES = [(), (1,), (5,), (2, 3), (1, 1), (1, 4), (3, 1, 2), (0,), (2, 0), (0, 3)]


def _dims(shape: tuple[int, ...]) -> list[int]:
    n = max(len(shape), 1)
    return list(range(-n, n))


def _shape_dim_params() -> list[Any]:
    return [pytest.param(s, d, id=f"{s}-dim{d}") for s in SHAPES for d in _dims(s)]


# --------------------------------------------------------------------------- Sin, Cos


class TestSinCos:
    @pytest.mark.parametrize("shape", SHAPES, ids=str)
    def test_sin(self, shape):
        _check(lambda x: ops.Sin.apply(x), torch.sin, [_rand(shape)])

    @pytest.mark.parametrize("shape", SHAPES, ids=str)
    def test_cos(self, shape):
        _check(lambda x: ops.Cos.apply(x), torch.cos, [_rand(shape)])

    def test_methods_and_torch_functions(self):
        _check(lambda x: x.sin() * tg.cos(x) + tg.sin(x.cos()),
               lambda x: x.sin() * torch.cos(x) + torch.sin(x.cos()), [_rand((3, 2))])

    def test_third_derivative(self):
        x = Tensor([0.3, 1.1], requires_grad=True)
        (g1,) = tg.autograd.grad(x.sin().sum(), x, create_graph=True)
        (g2,) = tg.autograd.grad(g1.sum(), x, create_graph=True)
        (g3,) = tg.autograd.grad(g2.sum(), x)
        np.testing.assert_allclose(g3.data, -np.cos(x.data), rtol=1e-15)

    def test_float32_stays_float32(self):
        x = Tensor([0.5, 1.0], dtype=np.float32, requires_grad=True)
        y = ops.Sin.apply(x) + ops.Cos.apply(x)
        y.sum().backward()
        assert y.dtype == np.float32 and x.grad.dtype == np.float32


# --------------------------------------------------------------------------- CumSum


class TestCumSum:
    @pytest.mark.parametrize("shape, dim", _shape_dim_params())
    def test_op(self, shape, dim):
        _check(lambda x: ops.CumSum.apply(x, axis=dim), lambda x: torch.cumsum(x, dim),
               [_rand(shape)])

    @pytest.mark.parametrize("shape, dim", _shape_dim_params())
    def test_method(self, shape, dim):
        _check(lambda x: x.cumsum(dim), lambda x: x.cumsum(dim), [_rand(shape)])
        _check(lambda x: tg.cumsum(x, dim=dim), lambda x: torch.cumsum(x, dim=dim),
               [_rand(shape)])

    def test_repeated_values(self):
        _check(lambda x: x.cumsum(0), lambda x: x.cumsum(0), [np.full(6, 0.5)])

# --------------------------------------------------------------------------- Prod


def _with_zeros(shape: tuple[int, ...], where: list[int]) -> np.ndarray:
    a = _rand(shape, seed=3)
    for i in where:
        if i < a.size:
            a.flat[i] = 0.0
    return a


class TestProd:
    @pytest.mark.parametrize("shape, dim", _shape_dim_params())
    def test_op(self, shape, dim):
        _check(lambda x: ops.Prod.apply(x, axis=dim), lambda x: torch.prod(x, dim),
               [_rand(shape)])

    @pytest.mark.parametrize("zeros", [[0], [0, 3], [1, 2], [0, 1, 2, 3, 4, 5]],
                             ids=["one zero", "zeros in two rows", "two zeros in a row",
                                  "all zeros"])
    @pytest.mark.parametrize("dim", [0, 1, -1])
    def test_zeros(self, zeros, dim):
        _check(lambda x: ops.Prod.apply(x, axis=dim), lambda x: torch.prod(x, dim),
               [_with_zeros((2, 3), zeros)])

    @pytest.mark.parametrize("shape", SHAPES, ids=str)
    @pytest.mark.parametrize("keepdim", [False, True])
    def test_method_over_every_dim(self, shape, keepdim):
        for dim in _dims(shape):
            _check(lambda x, d=dim: x.prod(d, keepdim=keepdim),
                   lambda x, d=dim: x.prod(d, keepdim=keepdim), [_rand(shape)])

    @pytest.mark.parametrize("shape", SHAPES, ids=str)
    def test_method_of_everything(self, shape):
        _check(lambda x: x.prod(), lambda x: x.prod(), [_rand(shape)])
        _check(lambda x: tg.prod(x), lambda x: torch.prod(x), [_rand(shape)])

    @pytest.mark.parametrize("values", [
        pytest.param([2.0, 2.0, 2.0], id="repeated"),
        pytest.param([-1.0, 2.0, -3.0], id="negative"),
        pytest.param([0.0, 0.0, 5.0], id="two zeros"),
        pytest.param([0.0, 2.0, 5.0], id="one zero"),
        pytest.param([1e-3, 1e3, 7.0], id="scales"),
    ])
    def test_one_row(self, values):
        _check(lambda x: x.prod(), lambda x: x.prod(), [np.array(values)])
        _check(lambda x: x.prod(0, keepdim=True), lambda x: x.prod(0, keepdim=True),
               [np.array(values)])

    def test_keepdims_numpy_spelling(self):
        x = _rand((2, 3))
        out = Tensor(x).prod(axis=1, keepdims=True)
        np.testing.assert_allclose(out.data, np.prod(x, axis=1, keepdims=True), rtol=1e-15)


# --------------------------------------------------------------------------- Where


class TestWhere:
    @pytest.mark.parametrize("cshape, ashape, bshape", [
        ((3,), (3,), (3,)),
        ((2, 3), (3,), (2, 1)),
        ((), (), ()),
        ((2, 3), (), (2, 3)),
        ((1, 3), (2, 1), (1,)),
        ((0, 3), (0, 3), (3,)),
        ((1,), (1,), (1,)),
        ((2, 1, 3), (4, 1), (1, 3)),
    ], ids=str)
    def test_op_broadcasting(self, cshape, ashape, bshape):
        cond = np.asarray(np.random.default_rng(5).standard_normal(cshape) > 0)
        _check(lambda a, b: ops.Where.apply(cond, a, b),
               lambda a, b: torch.where(torch.from_numpy(cond), a, b),
               [_rand(ashape, 6), _rand(bshape, 7)])

    @pytest.mark.parametrize("cond", [np.array([True, True, True]), np.array([False] * 3)],
                             ids=["all true", "all false"])
    def test_one_side_only(self, cond):
        _check(lambda a, b: ops.Where.apply(cond, a, b),
               lambda a, b: torch.where(torch.from_numpy(cond), a, b),
               [_rand((3,), 1), _rand((3,), 2)])

    def test_numbers_on_either_side(self):
        cond = _rand((2, 3)) > 0
        _check(lambda a: ops.Where.apply(cond, a, 0.0) + ops.Where.apply(cond, 1.5, a * 2.0),
               lambda a: torch.where(torch.from_numpy(cond), a, 0.0)
               + torch.where(torch.from_numpy(cond), 1.5, a * 2.0), [_rand((2, 3))])

    def test_torch_namespace_and_method(self):
        def ours(a, b):
            return tg.where(a > b, a, b) + a.where(a < 0, b) + tg.where(b > 0.5, b, 0.5)

        def theirs(a, b):
            return torch.where(a > b, a, b) + a.where(a < 0, b) + torch.where(b > 0.5, b, 0.5)

        _check(ours, theirs, [_rand((2, 3), 1), _rand((2, 3), 2)])

    def test_a_non_boolean_condition_raises(self):
        with pytest.raises(TypeError, match="where"):
            ops.Where.apply(np.array([1.0, 0.0]), Tensor([1.0, 2.0]), Tensor([3.0, 4.0]))

    def test_shapes_that_do_not_broadcast_raise_naming_them(self):
        with pytest.raises(ValueError, match=r"where.*\(2,\).*\(3,\)"):
            ops.Where.apply(np.array([True, False]), Tensor([1.0, 2.0, 3.0]), 0.0)


# --------------------------------------------------------------------------- Cat


class TestCat:
    @pytest.mark.parametrize("shapes, dim", [
        ([(2, 3), (1, 3)], 0),
        ([(2, 3), (2, 1), (2, 2)], 1),
        ([(2, 3), (2, 3)], -1),
        ([(2, 3, 4), (2, 1, 4)], -2),
        ([(3,), (0,)], 0),
        ([(0, 3), (2, 3)], 0),
        ([(2, 0), (2, 3)], 1),
        ([(1,)], 0),
        ([(1, 1), (1, 1), (1, 1)], 0),
    ], ids=str)
    def test_op(self, shapes, dim):
        arrays = [_rand(s, i) for i, s in enumerate(shapes)]
        _check(lambda *xs: ops.Cat.apply(*xs, axis=dim), lambda *ts: torch.cat(ts, dim), arrays)
        _check(lambda *xs: tg.cat(xs, dim), lambda *ts: torch.cat(ts, dim), arrays)
        _check(lambda *xs: tg.cat(list(xs), dim=dim), lambda *ts: torch.cat(list(ts), dim=dim),
               arrays)

    def test_the_same_tensor_twice(self):
        _check(lambda x: tg.cat([x, x * 2.0, x], 0), lambda x: torch.cat([x, x * 2.0, x], 0),
               [_rand((2, 2))])

    def test_with_a_constant(self):
        c = _rand((1, 3), 9)
        _check(lambda x: tg.cat([Tensor(c), x], 0),
               lambda x: torch.cat([torch.from_numpy(c), x], 0), [_rand((2, 3))])

    def test_stack(self):
        _check(lambda a, b: tg.stack([a, b], 1), lambda a, b: torch.stack([a, b], 1),
               [_rand((2, 3), 1), _rand((2, 3), 2)])

    def test_mismatched_shapes_raise_naming_them(self):
        with pytest.raises((ValueError, RuntimeError), match=r"\(1, 2\)"):
            ops.Cat.apply(Tensor(np.ones((2, 3))), Tensor(np.ones((1, 2))), axis=0)

    def test_zero_dim_tensors_raise(self):
        for m in (torch, tg):
            with pytest.raises((ValueError, RuntimeError), match="zero-dim"):
                m.cat([m.tensor(1.0), m.tensor(2.0)])

    def test_dim_out_of_range_raises(self):
        with pytest.raises((ValueError, IndexError), match="dim"):
            ops.Cat.apply(Tensor(np.ones((2, 3))), axis=2)


# --------------------------------------------------------------------------- shapes


class TestTransposeSizeFlatten:
    @pytest.mark.parametrize("d0, d1", [(0, 1), (1, 0), (0, 2), (-1, 0), (-2, -1), (1, 1)])
    def test_transpose_two_dims(self, d0, d1):
        _check(lambda x: x.transpose(d0, d1) * 1.0, lambda x: x.transpose(d0, d1) * 1.0,
               [_rand((2, 3, 4))])

    def test_transpose_of_a_matrix_is_never_the_identity(self):
        _check(lambda x: x.transpose(0, 1) @ x, lambda x: x.transpose(0, 1) @ x,
               [_rand((3, 2))])

    @pytest.mark.parametrize("start, end", [(0, -1), (1, -1), (0, 1), (-2, -1), (1, 1), (2, 2)])
    def test_flatten(self, start, end):
        _check(lambda x: x.flatten(start, end) * 1.0, lambda x: x.flatten(start, end) * 1.0,
               [_rand((2, 3, 4))])
        _check(lambda x: tg.flatten(x, start, end), lambda x: torch.flatten(x, start, end),
               [_rand((2, 3, 4))])

    def test_flatten_of_zero_dim_and_one_dim(self):
        for shape in ((), (4,), (1,)):
            _check(lambda x: x.flatten() * 1.0, lambda x: x.flatten() * 1.0, [_rand(shape)])

    def test_size(self):
        x, tx = Tensor(np.zeros((2, 3, 4))), torch.zeros(2, 3, 4)
        assert tuple(x.size()) == tuple(tx.size()) == (2, 3, 4)
        for d in range(-3, 3):
            assert x.size(d) == tx.size(d)
        assert x.size == 24  # NumPy's size: the element count
        assert x.size() == (2, 3, 4) and x.size().numel() == 24
        assert tuple(Tensor(1.0).size()) == ()

    @pytest.mark.parametrize("call", [
        pytest.param(lambda m: m.zeros(2, 3).size(2), id="size(2)"),
        pytest.param(lambda m: m.zeros(2, 3).unsqueeze(3), id="unsqueeze(3)"),
        pytest.param(lambda m: m.zeros(2, 3).cumsum(2), id="cumsum(2)"),
        pytest.param(lambda m: m.zeros(2, 3).transpose(0, 2), id="transpose(0, 2)",
                     marks=_VALUE_ERROR),
        pytest.param(lambda m: m.zeros(2, 3).sum(2), id="sum(2)"),
        pytest.param(lambda m: m.zeros(2, 3).mean(-3), id="mean(-3)"),
        pytest.param(lambda m: m.zeros(2, 3).max(2), id="max(2)"),
        pytest.param(lambda m: m.zeros(2, 3).softmax(2), id="softmax(2)"),
        pytest.param(lambda m: m.zeros(2, 3).flatten(0, 2), id="flatten(0, 2)"),
    ])
    def test_dim_out_of_range_raises_index_error_as_torch(self, call):
        with pytest.raises(IndexError):
            call(torch)
        with pytest.raises(IndexError, match="2|-3"):
            call(tg)


# --------------------------------------------------------------------------- reductions


_TIES = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [5.0, -1.0, 5.0, 4.0]])


class TestMaxMinWithDim:
    @pytest.mark.parametrize("values", [
        pytest.param(_rand((3, 4)), id="distinct"),
        pytest.param(_TIES, id="ties"),
    ])
    @pytest.mark.parametrize("op", ["max", "min"])
    @pytest.mark.parametrize("dim", [0, 1, -1])
    @pytest.mark.parametrize("keepdim", [False, True])
    def test_values_indices_and_gradient(self, values, op, dim, keepdim):
        ours = getattr(Tensor(values), op)(dim, keepdim=keepdim)
        theirs = getattr(torch.tensor(values), op)(dim, keepdim=keepdim)
        np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())
        assert ours.indices.dtype == np.int64
        vals, idx = ours  # unpacks as PyTorch's named tuple
        assert vals is ours.values and idx is ours.indices
        _check(lambda x: getattr(x, op)(dim=dim, keepdim=keepdim)[0],
               lambda x: getattr(x, op)(dim=dim, keepdim=keepdim)[0], [values], second=False,
               finite_differences=values is not _TIES)

    @pytest.mark.parametrize("op", ["max", "min"])
    def test_all_elements_ties_share_the_gradient(self, op):
        values = np.array([[1.0, 3.0, 3.0], [3.0, -1.0, 1.0]])
        _check(lambda x: getattr(x, op)() * 1.0, lambda x: getattr(x, op)() * 1.0, [values],
               second=False, finite_differences=False)

    def test_numpy_spelling_gives_values_only(self):
        x = _rand((3, 4))
        out = Tensor(x).max(axis=1)
        assert isinstance(out, Tensor)
        np.testing.assert_array_equal(out.data, x.max(axis=1))
        np.testing.assert_array_equal(Tensor(x).max(axis=0, keepdims=True).data,
                                      x.max(axis=0, keepdims=True))

    def test_zero_dim(self):
        v, i = Tensor(2.5).max(0)
        tv, ti = torch.tensor(2.5).max(0)
        assert v.item() == tv.item() and i.item() == ti.item() == 0

    def test_empty_dim_raises_index_error(self):
        for m in (torch, tg):
            with pytest.raises(IndexError):
                m.zeros(0, 3).max(0)
        assert tg.zeros(0, 3).max(1)[0].shape == (0,)


class TestReductionSpellings:
    @pytest.mark.parametrize("op", ["sum", "mean"])
    @pytest.mark.parametrize("dim", [0, 1, -1, (0, 2), [0, 1], (-1, 0)])
    @pytest.mark.parametrize("keepdim", [False, True])
    def test_dim_keepdim_as_torch(self, op, dim, keepdim):
        _check(lambda x: getattr(x, op)(dim=dim, keepdim=keepdim),
               lambda x: getattr(x, op)(dim=dim, keepdim=keepdim), [_rand((2, 3, 4))])
        if isinstance(dim, int):
            _check(lambda x: getattr(x, op)(dim, keepdim),
                   lambda x: getattr(x, op)(dim, keepdim), [_rand((2, 3, 4))])

    @pytest.mark.parametrize("op", ["sum", "mean"])
    def test_axis_keepdims_as_numpy(self, op):
        x = _rand((2, 3, 4))
        for axis in (0, (1, 2), None):
            for keep in (False, True):
                out = getattr(Tensor(x), op)(axis=axis, keepdims=keep)
                np.testing.assert_allclose(out.data, getattr(x, op)(axis=axis, keepdims=keep),
                                           rtol=1e-14)

    @pytest.mark.parametrize("call", [
        pytest.param(lambda t: t.sum(dim=0, axis=1), id="sum(dim=, axis=)"),
        pytest.param(lambda t: t.mean(1, axis=1), id="mean(1, axis=)"),
        pytest.param(lambda t: t.sum(0, keepdim=True, keepdims=False), id="keepdim+keepdims"),
        pytest.param(lambda t: t.max(dim=0, axis=0), id="max(dim=, axis=)"),
        pytest.param(lambda t: t.softmax(dim=0, axis=1), id="softmax(dim=, axis=)"),
    ])
    def test_both_spellings_raise_type_error(self, call):
        with pytest.raises(TypeError, match="give one"):
            call(Tensor(_rand((2, 3))))

    def test_both_spellings_agreeing_still_raise(self):
        with pytest.raises(TypeError):
            Tensor(_rand((2, 3))).sum(dim=1, axis=1)

    def test_zero_dim_accepts_dim_zero_and_minus_one(self):
        for d in (0, -1):
            _check(lambda x, d=d: x.sum(d), lambda x, d=d: x.sum(d), [np.array(1.5)])
            _check(lambda x, d=d: x.mean(d, keepdim=True), lambda x, d=d: x.mean(d, keepdim=True),
                   [np.array(1.5)])

    def test_empty_sum(self):
        _check(lambda x: x.sum(0), lambda x: x.sum(0), [np.zeros((0, 3))])

    def test_repeated_dims_raise(self):
        for m in (torch, tg):
            with pytest.raises((RuntimeError, ValueError), match="(repeated|multiple)"):
                m.zeros(2, 3).sum((1, 1))

    def test_empty_dim_tuple(self):
        _check(lambda x: x.sum(dim=()), lambda x: x.sum(dim=()), [_rand((2, 3))])
        assert Tensor(_rand((2, 3))).sum(axis=()).shape == (2, 3)  # NumPy's axis=(): none

    def test_mean_of_an_empty_dim(self):
        assert np.isnan(tg.zeros(0, 3, dtype=tg.float64).mean(0).data).all()
