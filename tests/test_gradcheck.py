"""numerical_grad and gradcheck: the checker is checked.

A correct op passes, a custom op with a known, planted error fails with a report that
points at the planted element, and the checker leaves its inputs alone.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

from tinygrad_edu import Function, Tensor, gradcheck, numerical_grad

RNG = np.random.default_rng(99)


def floats_in(text):
    return [float(s) for s in re.findall(r"[-+]?\d+\.\d*(?:e[-+]?\d+)?|[-+]?\d+e[-+]?\d+", text)]


# --------------------------------------------------------------------------- numerical_grad


def test_numerical_grad_known_derivatives():
    a = RNG.standard_normal((2, 3))
    b = RNG.standard_normal((2, 3))
    x = Tensor(a, requires_grad=True)
    y = Tensor(b)
    gx, gy = numerical_grad(lambda x, y: (x * x * y).sum(), x, y)
    assert isinstance(gx, np.ndarray) and isinstance(gy, np.ndarray)
    assert gx.shape == (2, 3) and gy.shape == (2, 3)
    np.testing.assert_allclose(gx, 2 * a * b, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(gy, a * a, rtol=1e-7, atol=1e-9)


def test_numerical_grad_exp_and_log():
    a = np.array([0.5, 1.0, 2.0])
    (g,) = numerical_grad(lambda t: (t.exp() + t.log()).sum(), Tensor(a))
    np.testing.assert_allclose(g, np.exp(a) + 1 / a, rtol=1e-8)


def test_numerical_grad_of_scalar_input():
    (g,) = numerical_grad(lambda t: t * t * t, Tensor(2.0))
    assert g.shape == ()
    np.testing.assert_allclose(g, 12.0, rtol=1e-8)


def test_numerical_grad_keeps_scalar_input_shape():
    x = Tensor(2.0, requires_grad=True)
    numerical_grad(lambda t: t * t, x)
    assert x.shape == () and x.data.shape == ()


def test_numerical_grad_eps_matters():
    a = np.array([1.0])
    (g,) = numerical_grad(lambda t: t.exp().sum(), Tensor(a), eps=0.5)
    # Central difference with a big step: e * sinh(0.5) / 0.5, not e.
    np.testing.assert_allclose(g, np.exp(1.0) * np.sinh(0.5) / 0.5, rtol=1e-12)


def test_numerical_grad_restores_inputs_exactly():
    a = RNG.standard_normal((3, 2))
    x = Tensor(a.copy(), requires_grad=True)
    arr = x.data
    numerical_grad(lambda t: (t * t).sum(), x)
    assert x.data is arr
    assert x.data.tobytes() == a.tobytes()
    assert x.grad is None


def test_numerical_grad_needs_scalar_output():
    with pytest.raises(ValueError):
        numerical_grad(lambda t: t * 2.0, Tensor([1.0, 2.0]))


# --------------------------------------------------------------------------- custom ops


class SquareWithBump(Function):
    """x**2 whose backward adds ``bump`` to element ``index`` of the gradient."""

    bump = 1.0
    index = (2,)

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        g = grad * 2.0 * x
        g = np.array(g, dtype=float)
        g[SquareWithBump.index] += SquareWithBump.bump * grad[SquareWithBump.index]
        return g


class ReversedBackward(Function):
    """y = x * c with a palindromic c, but backward reverses the incoming gradient.

    For the all-ones gradient of ``y.sum()`` that is still right; the Jacobian is not.
    """

    C = np.array([1.0, 2.0, 1.0])

    @staticmethod
    def forward(ctx, x):
        return x * ReversedBackward.C

    @staticmethod
    def backward(ctx, grad):
        return grad[::-1] * ReversedBackward.C


class NaNGrad(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 1.0

    @staticmethod
    def backward(ctx, grad):
        return grad * np.nan


class OffBy(Function):
    """y = 10*x with a backward off by a fixed amount (to test atol and rtol)."""

    delta = 0.0

    @staticmethod
    def forward(ctx, x):
        return 10.0 * x

    @staticmethod
    def backward(ctx, grad):
        return grad * (10.0 + OffBy.delta)


# --------------------------------------------------------------------------- gradcheck


def test_correct_ops_pass():
    a = Tensor(RNG.standard_normal((3, 4)), requires_grad=True)
    b = Tensor(RNG.standard_normal((4, 2)), requires_grad=True)
    report = gradcheck(lambda a, b: ((a @ b).tanh() * (a @ b).sigmoid()).sum(), a, b)
    assert report
    assert report.ok is True and bool(report) is True
    assert 0.0 <= report.max_abs_error < 1e-8
    assert 0.0 <= report.max_rel_error < 1e-6
    assert "passed" in str(report).lower()


def test_mismatch_is_reported_not_raised():
    SquareWithBump.bump, SquareWithBump.index = 1.0, (2,)
    a = np.array([0.5, -1.0, 1.5, 2.0])
    x = Tensor(a, requires_grad=True)
    report = gradcheck(lambda t: SquareWithBump.apply(t).sum(), x)
    assert not report
    assert report.ok is False and bool(report) is False
    np.testing.assert_allclose(report.max_abs_error, 1.0, rtol=1e-6)
    np.testing.assert_allclose(report.max_rel_error, 1.0 / (2 * 1.5), rtol=1e-6)
    text = str(report)
    assert "input 0" in text
    assert "[2]" in text or "(2,)" in text
    nums = floats_in(text)
    assert any(abs(v - 4.0) < 1e-6 for v in nums), text  # analytic: 2*1.5 + 1
    assert any(abs(v - 3.0) < 1e-6 for v in nums), text  # numerical: 2*1.5


def test_report_names_the_worst_input_and_element():
    SquareWithBump.bump, SquareWithBump.index = 0.5, (1, 2)
    a = Tensor(RNG.standard_normal((2, 2)), requires_grad=True)
    bv = np.array([[0.3, -0.2, 0.8], [1.1, 0.4, -0.6]])
    b = Tensor(bv, requires_grad=True, name="w")
    report = gradcheck(lambda a, b: (a * 2.0).sum() + SquareWithBump.apply(b).sum(), a, b)
    assert not report
    text = str(report)
    assert "input 1" in text and "input 0" not in text
    assert "[1, 2]" in text or "(1, 2)" in text
    nums = floats_in(text)
    assert any(abs(v - (2 * -0.6 + 0.5)) < 1e-6 for v in nums), text
    assert any(abs(v - (2 * -0.6)) < 1e-6 for v in nums), text
    np.testing.assert_allclose(report.max_abs_error, 0.5, rtol=1e-6)


def test_non_scalar_output_checks_whole_jacobian():
    x = Tensor(np.array([0.3, -1.2, 0.7]), requires_grad=True)
    # The sum's gradient hides the bug ...
    assert gradcheck(lambda t: ReversedBackward.apply(t).sum(), x)
    # ... the full Jacobian shows it: rows 0 and 2 are swapped.
    report = gradcheck(ReversedBackward.apply, x)
    assert not report
    np.testing.assert_allclose(report.max_abs_error, 1.0, rtol=1e-6)


def test_non_scalar_output_correct_op_passes():
    a = Tensor(RNG.standard_normal((2, 3)), requires_grad=True)
    w = Tensor(RNG.standard_normal((3, 4)), requires_grad=True)
    report = gradcheck(lambda a, w: (a @ w).softmax(axis=1), a, w)
    assert report, str(report)
    report = gradcheck(lambda a: a.T.reshape(3, 2)[1:] * 3.0, a)
    assert report, str(report)


def test_nan_gradient_reported_not_raised():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    report = gradcheck(lambda t: NaNGrad.apply(t).sum(), x)
    assert not report
    assert not report.ok


def test_atol_boundary():
    x = Tensor(np.array([0.1, -0.3]), requires_grad=True)
    OffBy.delta = 2e-5
    try:
        assert not gradcheck(OffBy.apply, x, atol=1e-5, rtol=0.0)
        assert gradcheck(OffBy.apply, x, atol=3e-5, rtol=0.0)
    finally:
        OffBy.delta = 0.0


def test_rtol_boundary():
    x = Tensor(np.array([0.1, -0.3]), requires_grad=True)
    OffBy.delta = 5e-3  # relative error 5e-4 of the derivative 10
    try:
        assert gradcheck(OffBy.apply, x, atol=0.0, rtol=1e-3)
        assert not gradcheck(OffBy.apply, x, atol=0.0, rtol=1e-4)
    finally:
        OffBy.delta = 0.0


def test_large_eps_fails_for_curved_function():
    x = Tensor(np.array([0.2, 1.0]), requires_grad=True)
    assert gradcheck(lambda t: t.exp().sum(), x)
    assert not gradcheck(lambda t: t.exp().sum(), x, eps=0.5)


def test_only_inputs_requiring_grad_are_checked():
    x = Tensor(np.array([0.5, 1.5]), requires_grad=True)
    c = Tensor(np.array([2.0, 3.0]))
    report = gradcheck(lambda x, c: (x * c).exp().sum(), x, c)
    assert report
    assert c.grad is None


def test_warns_on_float32():
    x = Tensor(np.array([0.5, 1.5]), requires_grad=True, dtype=np.float32)
    with pytest.warns(UserWarning, match="float64"):
        gradcheck(lambda t: (t * t).sum(), x, eps=1e-3, atol=1e-2)


def test_no_warning_on_float64():
    x = Tensor(np.array([0.5, 1.5]), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gradcheck(lambda t: (t * t).sum(), x)


def test_inputs_grad_and_data_untouched():
    av = RNG.standard_normal((2, 3))
    bv = RNG.standard_normal(3)
    a = Tensor(av.copy(), requires_grad=True)
    b = Tensor(bv.copy(), requires_grad=True)
    old = Tensor(np.full((2, 3), 7.0))
    a.grad = old
    a_arr, b_arr = a.data, b.data
    report = gradcheck(lambda a, b: ((a + b) * a).tanh(), a, b)
    assert report
    assert a.grad is old
    np.testing.assert_array_equal(a.grad.data, np.full((2, 3), 7.0))
    assert b.grad is None
    assert a.data is a_arr and b.data is b_arr
    assert a.data.tobytes() == av.tobytes() and b.data.tobytes() == bv.tobytes()


def test_scalar_input_keeps_its_shape():
    x = Tensor(1.5, requires_grad=True)
    report = gradcheck(lambda t: (t * t * t).exp(), x)
    assert report
    assert x.shape == () and x.data.shape == ()


def test_non_contiguous_input_keeps_its_data():
    # x.T is a view of x's array (the data is live); gradcheck must not swap it for a copy.
    x = Tensor(RNG.standard_normal((2, 3)))
    xt = x.T.detach().requires_grad_()
    arr = xt.data
    assert not arr.flags.c_contiguous and np.shares_memory(arr, x.data)
    assert gradcheck(lambda t: (t * t).sum(), xt)
    assert xt.data is arr
    assert np.shares_memory(xt.data, x.data)


def test_failing_check_leaves_inputs_untouched():
    SquareWithBump.bump, SquareWithBump.index = 1.0, (0,)
    av = np.array([1.0, 2.0, 3.0])
    x = Tensor(av.copy(), requires_grad=True)
    report = gradcheck(lambda t: SquareWithBump.apply(t).sum(), x)
    assert not report
    assert x.grad is None
    assert x.data.tobytes() == av.tobytes()
