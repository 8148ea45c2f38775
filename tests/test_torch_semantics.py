"""The contract's "Precise semantics" where NumPy's and PyTorch's meanings collide.

transpose with two dims swaps them (PyTorch), size is both NumPy's count and PyTorch's method,
reductions take dim=/keepdim= and axis=/keepdims=, max(dim) gives (values, indices).
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import TORCH_TOL, requires_torch, torch

from tinygrad_edu import Tensor, gradcheck


def _x(*shape: int, seed: int = 0) -> Tensor:
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


class TestTranspose:
    def test_two_dims_swap_on_a_matrix(self):
        m = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        np.testing.assert_array_equal(m.transpose(0, 1).data, m.data.T)
        np.testing.assert_array_equal(m.transpose(1, 0).data, m.data.T)
        np.testing.assert_array_equal(m.transpose(0, 0).data, m.data)

    def test_two_dims_swap_negative_dims(self):
        k = _x(2, 3, 4, 5)
        np.testing.assert_array_equal(k.transpose(-2, -1).data, np.swapaxes(k.data, -2, -1))
        np.testing.assert_array_equal(k.transpose(0, 2).data, np.swapaxes(k.data, 0, 2))

    def test_numpy_permutations_stay(self):
        x = _x(2, 3, 4)
        np.testing.assert_array_equal(x.transpose(2, 0, 1).data, x.data.transpose(2, 0, 1))
        np.testing.assert_array_equal(x.transpose((1, 0, 2)).data, x.data.transpose(1, 0, 2))
        np.testing.assert_array_equal(x.transpose().data, x.data.transpose())

    def test_permute_is_always_a_full_permutation(self):
        m = _x(2, 3)
        np.testing.assert_array_equal(m.permute(0, 1).data, m.data)
        np.testing.assert_array_equal(m.permute(1, 0).data, m.data.T)
        with pytest.raises(ValueError, match="transpose"):
            _x(2, 3, 4).permute(0, 1)

    def test_gradient_of_a_swap(self):
        assert gradcheck(lambda k: k.transpose(-1, 0) * 2.0, _x(2, 3, 4))


class TestSize:
    def test_size_is_the_count_and_the_method(self):
        x = Tensor(np.zeros((2, 3)))
        assert x.size == 6
        assert x.size() == (2, 3)
        assert x.size(0) == 2 and x.size(-1) == 3
        assert x.size().numel() == 6
        with pytest.raises(IndexError, match="out of range"):
            x.size(2)


class TestReductionSpellings:
    @pytest.mark.parametrize("name", ["sum", "mean"])
    def test_dim_keepdim_equal_axis_keepdims(self, name):
        x = _x(2, 3, 4)
        a = getattr(x, name)(dim=1, keepdim=True)
        b = getattr(x, name)(axis=1, keepdims=True)
        c = getattr(x, name)(1, True)
        d = getattr(x, name)(1, keepdims=True)  # makemore's spelling
        ref = getattr(np, name)(x.data, axis=1, keepdims=True)
        for t in (a, b, c, d):
            np.testing.assert_allclose(t.data, ref, rtol=0, atol=1e-14)

    @pytest.mark.parametrize("name", ["sum", "mean", "max", "min"])
    def test_both_spellings_raise(self, name):
        x = _x(2, 3)
        with pytest.raises(TypeError, match="both dim= and axis="):
            getattr(x, name)(dim=1, axis=1)
        with pytest.raises(TypeError, match="both keepdim= and keepdims="):
            getattr(x, name)(1, keepdim=True, keepdims=True)

    def test_max_axis_gives_values_max_dim_gives_values_and_indices(self):
        x = Tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]])
        np.testing.assert_array_equal(x.max(axis=1).data, [5.0, 7.0])
        values, indices = x.max(1)
        np.testing.assert_array_equal(values.data, [5.0, 7.0])
        np.testing.assert_array_equal(indices.data, [1, 0])
        assert indices.dtype == np.int64 and not indices.requires_grad
        r = x.max(dim=1, keepdim=True)
        assert r.values.shape == (2, 1) and r.indices.shape == (2, 1)
        assert x.min(1).indices.tolist() == [0, 1]
        assert x.max().item() == 7.0

    def test_max_dim_tuple_refused(self):
        with pytest.raises(TypeError, match="amax"):
            _x(2, 3).max(dim=(0, 1))


@requires_torch
class TestAgainstTorch:
    @pytest.mark.parametrize("op", ["max", "min"])
    @pytest.mark.parametrize("keepdim", [False, True])
    def test_max_dim_gradient_goes_to_the_index(self, op, keepdim):
        data = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, -1.0]])
        x = Tensor(data, requires_grad=True)
        tx = torch.tensor(data, requires_grad=True)
        values, _ = getattr(x, op)(1, keepdim=keepdim)
        tvalues, tindices = getattr(tx, op)(1, keepdim=keepdim)
        w = np.arange(1.0, 1.0 + values.data.size).reshape(values.shape)
        (values * Tensor(w)).sum().backward()
        (tvalues * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(values.data, tvalues.detach().numpy(), rtol=0, atol=TORCH_TOL)
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=0, atol=TORCH_TOL)

    def test_full_max_splits_ties_as_torch(self):
        data = np.array([[1.0, 3.0], [3.0, 0.0]])
        x = Tensor(data, requires_grad=True)
        tx = torch.tensor(data, requires_grad=True)
        x.max().backward()
        tx.max().backward()
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=0, atol=TORCH_TOL)

    def test_flatten_start_end(self):
        x = _x(2, 3, 4, 5)
        tx = torch.tensor(x.data)
        for args in [(), (1,), (1, 2), (0, -2), (-1,)]:
            assert x.flatten(*args).shape == tuple(tx.flatten(*args).shape)
        assert Tensor(3.0).flatten().shape == tuple(torch.tensor(3.0).flatten().shape)


@requires_torch
class TestPadModes:
    @pytest.mark.parametrize("mode", ["reflect", "replicate", "circular", "constant"])
    @pytest.mark.parametrize(("shape", "pad"), [((2, 3, 5, 6), (2, 1, 3, 0)),
                                                ((2, 3, 5, 6), (1, 1, 1, 1)),
                                                ((1, 2, 5), (1, 2)), ((1, 2, 5), (4, 0))])
    def test_values_and_gradients_as_torch(self, mode, shape, pad):
        import tinygrad_edu.nn.functional as F

        x = _x(*shape)
        tx = torch.tensor(x.data, requires_grad=True)
        out = F.pad(x, pad, mode=mode)
        tout = torch.nn.functional.pad(tx, pad, mode=mode)
        w = np.random.default_rng(1).standard_normal(tout.shape)
        (out * Tensor(w)).sum().backward()
        (tout * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=0, atol=TORCH_TOL)
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=0, atol=TORCH_TOL)

    def test_gradcheck_of_reflect(self):
        import tinygrad_edu.nn.functional as F

        assert gradcheck(lambda x: F.pad(x, (2, 1), mode="reflect") ** 2, _x(1, 2, 4))

    @pytest.mark.parametrize("name, args", [
        ("ZeroPad2d", ((1, 0, 2, 1),)), ("ConstantPad1d", (2, 3.5)), ("ReflectionPad2d", (2,)),
        ("ReplicationPad1d", ((1, 2),)), ("CircularPad2d", (1,)), ("ReflectionPad1d", (3,)),
    ])
    def test_padding_modules_as_torch(self, name, args):
        from tinygrad_edu import nn

        ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
        assert repr(ours) == repr(theirs)
        x = _x(2, 3, 5, 6) if "2d" in name else _x(2, 3, 5)
        np.testing.assert_allclose(ours(x).data, theirs(torch.tensor(x.data)).numpy(),
                                   rtol=0, atol=TORCH_TOL)

    def test_reflect_padding_too_large_says_so(self):
        import tinygrad_edu.nn.functional as F

        with pytest.raises(ValueError, match="reflect"):
            F.pad(_x(1, 1, 3), (3, 0), mode="reflect")


class TestEdgeShapesAndSecondOrder:
    """Issue 13's cases: size-0 dims, a detached copy of an input, a**b at b == 0."""

    @requires_torch
    @pytest.mark.parametrize("shape", [(3, 0), (0, 3), (0,)])
    @pytest.mark.parametrize("op", ["softmax", "log_softmax"])
    def test_softmax_of_an_empty_tensor(self, shape, op):
        got = getattr(Tensor(np.ones(shape)), op)(-1)
        want = getattr(torch.ones(shape, dtype=torch.float64), op)(-1)
        assert got.shape == tuple(want.shape)

    def test_max_over_a_nonempty_dim_of_an_empty_tensor(self):
        assert Tensor(np.ones((3, 0))).max(axis=0).shape == (0,)
        with pytest.raises(ValueError, match="empty"):
            Tensor(np.ones((3, 0))).max(axis=1)

    @requires_torch
    def test_mean_of_nothing_is_nan(self):
        assert np.isnan(Tensor(np.ones((0,))).mean().item())
        x = Tensor(np.ones((0, 3)), requires_grad=True)
        x.mean().backward()
        assert x.grad.shape == (0, 3)

    def test_an_input_and_its_detach_are_different_inputs(self):
        from tinygrad_edu.autograd import grad

        x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
        (g,) = grad((x * x.detach()).sum(), [x], create_graph=True)
        np.testing.assert_array_equal(g.data, [1.0, 2.0, 3.0])  # d/dx of x*c is c
        assert not g.requires_grad  # c is a constant: g does not depend on x
        y = Tensor([1.0, 2.0], requires_grad=True)
        (gy,) = grad((y * y).sum(), [y], create_graph=True)  # the same tensor twice: 2y
        (h,) = grad(gy.sum(), [y])
        np.testing.assert_array_equal(h.data, [2.0, 2.0])

    @pytest.mark.parametrize("a_value", [2.0, 0.5])
    def test_pow_mixed_second_derivative_at_exponent_zero(self, a_value):
        from tinygrad_edu.autograd import grad

        a = Tensor([a_value], requires_grad=True)
        b = Tensor([0.0], requires_grad=True)
        (ga,) = grad(a ** b, [a], create_graph=True)
        (gab,) = grad(ga.sum(), [b])
        (gb,) = grad(a ** b, [b], create_graph=True)
        (gba,) = grad(gb.sum(), [a])
        # d/db (b * a**(b-1)) = a**(b-1) + b a**(b-1) log a = 1/a at b = 0; both orders agree
        np.testing.assert_allclose(gab.data, [1.0 / a_value], rtol=1e-15)
        np.testing.assert_allclose(gba.data, [1.0 / a_value], rtol=1e-15)


class TestDataMustStayAnArray:
    """``t.data = [1., 2.]`` (or a Tensor) would make ``t * 2`` list arithmetic: the first op
    that meets it says so instead."""

    @pytest.mark.parametrize("value", [[1.0, 2.0], "tensor"])
    def test_first_op_names_the_problem(self, value):
        t = Tensor([1.0, 2.0])
        t.data = Tensor([1.0, 2.0]) if value == "tensor" else value
        with pytest.raises(TypeError, match=r"mul: an input's \.data is a"):
            t * 2


@requires_torch
@pytest.mark.parametrize("values", [[1.0, 3.0, 2.0], [1.0, np.nan, 2.0], [3.0, 1.0, 3.0]])
@pytest.mark.parametrize("upstream", [2.0, np.nan, np.inf])
@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min_backward_gives_exact_zeros_off_the_extremum_as_torch(values, upstream, op):
    # a nan or inf upstream gradient reaches only the selected elements (0 * nan would be nan
    # everywhere); a nan extremum is reached at the nan, as torch's
    ours = Tensor(np.array(values), requires_grad=True)
    (getattr(ours, op)() * upstream).backward()
    theirs = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    (getattr(theirs, op)() * upstream).backward()
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())
    hand = np.zeros(3)
    v = np.array(values)
    pick = np.isnan(v) if np.isnan(v).any() else v == (v.max() if op == "max" else v.min())
    hand[pick] = upstream / pick.sum()
    np.testing.assert_array_equal(ours.grad, hand)


@requires_torch
@pytest.mark.parametrize("name", ["huber_loss", "smooth_l1_loss"])
def test_huber_and_smooth_l1_slopes_stay_finite_at_an_infinite_difference_as_torch(name):
    # beyond delta (beta) the loss is linear with slope ±delta: an infinite difference keeps
    # that slope; the quadratic side must not turn it into 0 * inf = nan
    import torch.nn.functional as TF

    import tinygrad_edu.nn.functional as F

    values = np.array([-np.inf, 0.2, 3.0, np.inf])
    kw = {"delta": 0.5} if name == "huber_loss" else {"beta": 0.5}
    ours, target = Tensor(values, requires_grad=True), Tensor(np.zeros(4), requires_grad=True)
    getattr(F, name)(ours, target, reduction="sum", **kw).backward()
    theirs = torch.tensor(values, requires_grad=True)
    their_target = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    getattr(TF, name)(theirs, their_target, reduction="sum", **kw).backward()
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())
    np.testing.assert_array_equal(target.grad, their_target.grad.numpy())
    # by hand: huber is z²/2 below 0.5 (slope z) and linear with slope 0.5 beyond;
    # smooth_l1 is z²/(2*0.5) below 0.5 (slope 2z) and linear with slope 1 beyond
    by_hand = [-0.5, 0.2, 0.5, 0.5] if name == "huber_loss" else [-1.0, 0.4, 1.0, 1.0]
    np.testing.assert_array_equal(ours.grad, by_hand)


@requires_torch
def test_pow_zero_has_an_exact_zero_gradient_under_a_nan_upstream_as_torch():
    ours = Tensor(np.array([2.0, -1.0]), requires_grad=True)
    (ours.pow(0) * np.nan).sum().backward()
    theirs = torch.tensor([2.0, -1.0], dtype=torch.float64, requires_grad=True)
    (theirs.pow(0) * np.nan).sum().backward()
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())
    np.testing.assert_array_equal(ours.grad, [0.0, 0.0])  # x**0 is the constant 1


def test_std_of_one_element_without_correction_has_zero_derivatives_of_every_order():
    # x.std(correction=0) of one element is 0 whatever x, so its first and second derivatives
    # are 0 (the hand answer; finite differences agree); torch 2.13 gives nan for the second
    from tinygrad_edu import autograd
    from tinygrad_edu.gradcheck import numerical_grad

    x = Tensor(np.array(0.7), requires_grad=True)
    w = Tensor(np.array([1.5, -2.0]))
    (g,) = autograd.grad((x.std(correction=0) * w).sum() + x * 3.0, [x], create_graph=True)
    np.testing.assert_array_equal(g.data, 3.0)
    (g2,) = autograd.grad(g * 1.0, [x], allow_unused=True)
    assert g2 is None or float(np.asarray(g2.data if isinstance(g2, Tensor) else g2)) == 0.0
    fd = numerical_grad(lambda t: (t.std(correction=0) * w).sum(), Tensor(np.array(0.7)))[0]
    np.testing.assert_allclose(fd, 0.0, atol=1e-12)


@requires_torch
@pytest.mark.parametrize("op", ["relu", "clamp"])
@pytest.mark.parametrize("upstream", [np.nan, np.inf])
def test_relu_and_clamp_give_exact_zeros_where_flat_under_a_nan_upstream_as_torch(op, upstream):
    values = [-1.0, 0.05, 0.5, 2.0]
    call = (lambda t: t.relu()) if op == "relu" else (lambda t: t.clamp(0.1, 1.0))
    ours = Tensor(np.array(values), requires_grad=True)
    (call(ours) * upstream).sum().backward()
    theirs = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    (call(theirs) * upstream).sum().backward()
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())
    flat = [True, False, False, False] if op == "relu" else [True, True, False, True]
    np.testing.assert_array_equal(ours.grad, np.where(flat, 0.0, upstream))  # by hand
