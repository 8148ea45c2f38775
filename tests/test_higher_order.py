"""Higher-order derivatives: ``grad(..., create_graph=True)``, ``backward(create_graph=True)``
and ``gradgradcheck``.

Each second derivative is compared with its closed form and with central differences of
the first derivative; ``gradgradcheck`` is itself checked by a custom op whose backward is
right to first order but wrong to second order.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tinygrad_edu import Function, Tensor, grad, gradgradcheck

RNG = np.random.default_rng(7)
X = np.array([-1.3, -0.4, 0.2, 0.9, 1.7])
X_POS = np.array([0.3, 0.8, 1.1, 2.5, 4.0])


def close(actual, expected, rtol=1e-10, atol=1e-12):
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, f"shape {actual.shape} != {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


def sig(x):
    return 1.0 / (1.0 + np.exp(-x))


# name -> (engine function, first derivative, second derivative, domain)
CASES = {
    "cube": (lambda t: t**3, lambda x: 3 * x**2, lambda x: 6 * x, X),
    "sigmoid": (lambda t: t.sigmoid(), lambda x: sig(x) * (1 - sig(x)),
                lambda x: sig(x) * (1 - sig(x)) * (1 - 2 * sig(x)), X),
    "tanh": (lambda t: t.tanh(), lambda x: 1 - np.tanh(x) ** 2,
             lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2), X),
    "exp": (lambda t: t.exp(), np.exp, np.exp, X),
    "log": (lambda t: t.log(), lambda x: 1 / x, lambda x: -1 / x**2, X_POS),
    "sqrt": (lambda t: t.sqrt(), lambda x: 0.5 / np.sqrt(x),
             lambda x: -0.25 * x ** -1.5, X_POS),
    "reciprocal": (lambda t: 1.0 / t, lambda x: -1 / x**2, lambda x: 2 / x**3, X_POS),
}


def first_derivative(f, x_np):
    """Elementwise f'(x) from the engine (a plain array)."""
    x = Tensor(x_np, requires_grad=True)
    (g,) = grad(f(x).sum(), x)
    return g.data


@pytest.mark.parametrize("name", sorted(CASES))
def test_second_derivative_with_grad(name):
    f, d1, d2, dom = CASES[name]
    x = Tensor(dom.copy(), requires_grad=True)
    (g,) = grad(f(x).sum(), x, create_graph=True)
    assert g.requires_grad, "create_graph=True must give a gradient that carries a graph"
    close(g.data, d1(dom))
    (gg,) = grad(g.sum(), x)
    close(gg.data, d2(dom))
    # Central differences of the engine's own first derivative agree too.
    h = 1e-5
    fd = (first_derivative(f, dom + h) - first_derivative(f, dom - h)) / (2 * h)
    np.testing.assert_allclose(gg.data, fd, rtol=1e-6, atol=1e-8)
    # ... and of the closed-form first derivative.
    fd_exact = (d1(dom + h) - d1(dom - h)) / (2 * h)
    np.testing.assert_allclose(gg.data, fd_exact, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", sorted(CASES))
def test_second_derivative_with_backward(name):
    f, d1, d2, dom = CASES[name]
    x = Tensor(dom.copy(), requires_grad=True)
    f(x).sum().backward(create_graph=True)
    g = x.grad
    assert g.requires_grad
    close(g.data, d1(dom))
    x.grad = None
    g.sum().backward()
    close(x.grad.data, d2(dom))


def test_backward_create_graph_accumulates_like_pytorch():
    # Without clearing x.grad, the second backward adds f'' to the stored f'.
    dom = np.array([0.5, -2.0])
    x = Tensor(dom, requires_grad=True)
    (x**3).sum().backward(create_graph=True)
    x.grad.sum().backward()
    close(x.grad.data, 3 * dom**2 + 6 * dom)


def test_first_backward_leaves_graph_gradients_usable_twice():
    dom = np.array([0.3, 1.2])
    x = Tensor(dom, requires_grad=True)
    (g,) = grad((x.exp() * x).sum(), x, create_graph=True)
    # d/dx (x e^x) = (1+x) e^x;  second: (2+x) e^x
    close(g.data, (1 + dom) * np.exp(dom))
    (gg1,) = grad(g.sum(), x, retain_graph=True)
    (gg2,) = grad(g.sum(), x)
    close(gg1.data, (2 + dom) * np.exp(dom))
    close(gg2.data, gg1.data, rtol=0, atol=0)


def test_third_derivative_of_x4():
    dom = np.array([-1.5, 0.5, 2.0])
    x = Tensor(dom, requires_grad=True)
    y = (x**4).sum()
    (g1,) = grad(y, x, create_graph=True)
    (g2,) = grad(g1.sum(), x, create_graph=True)
    (g3,) = grad(g2.sum(), x, create_graph=True)
    close(g1.data, 4 * dom**3)
    close(g2.data, 12 * dom**2)
    close(g3.data, 24 * dom)
    (g4,) = grad(g3.sum(), x)
    close(g4.data, np.full(3, 24.0))


def test_mixed_partials_x_y2():
    # f(x, y) = x * y**2: f_x = y^2, f_y = 2xy, f_xy = 2y, f_yy = 2x, f_xx = 0
    xv, yv = np.array([1.5, -0.5]), np.array([2.0, 3.0])
    x = Tensor(xv, requires_grad=True)
    y = Tensor(yv, requires_grad=True)
    f = (x * y**2).sum()
    fx, fy = grad(f, [x, y], create_graph=True)
    close(fx.data, yv**2)
    close(fy.data, 2 * xv * yv)
    fxx, fxy = grad(fx.sum(), [x, y], retain_graph=True, allow_unused=True)
    assert fxx is None or np.all(fxx.data == 0)
    close(fxy.data, 2 * yv)
    fyx, fyy = grad(fy.sum(), [x, y])
    close(fyx.data, 2 * yv)  # symmetric: f_yx == f_xy
    close(fyy.data, 2 * xv)


def test_mixed_partials_exp_xy():
    # f = exp(x*y): f_xy = exp(xy) * (1 + xy), f_xx = y^2 exp(xy)
    xv, yv = np.array([0.4, -0.7]), np.array([1.1, 0.6])
    x = Tensor(xv, requires_grad=True)
    y = Tensor(yv, requires_grad=True)
    (fx,) = grad((x * y).exp().sum(), x, create_graph=True)
    fxx, fxy = grad(fx.sum(), [x, y])
    e = np.exp(xv * yv)
    close(fxy.data, e * (1 + xv * yv))
    close(fxx.data, yv**2 * e)


def test_mixed_partials_division():
    # f = x / y: f_xy = -1/y^2, f_yy = 2x/y^3
    xv, yv = np.array([0.8, -1.2]), np.array([1.5, 2.5])
    x = Tensor(xv, requires_grad=True)
    y = Tensor(yv, requires_grad=True)
    fx, fy = grad((x / y).sum(), [x, y], create_graph=True)
    (fxy,) = grad(fx.sum(), y, retain_graph=True)
    fyx, fyy = grad(fy.sum(), [x, y])
    close(fxy.data, -1 / yv**2)
    close(fyx.data, -1 / yv**2)
    close(fyy.data, 2 * xv / yv**3)


# --------------------------------------------------------------------------- HVP


def _mlp_loss(params, X, Y):
    w1, b1, w2, b2 = params
    h = (X @ w1 + b1).tanh()
    out = (h @ w2 + b2).sigmoid()
    d = out - Y
    return (d * d).mean()


def _mlp_grad_np(theta, shapes, X, Y):
    """First derivatives of the MLP loss by hand, in NumPy (for finite differences)."""
    w1, b1, w2, b2 = _unflatten(theta, shapes)
    z1 = X @ w1 + b1
    h = np.tanh(z1)
    out = sig(h @ w2 + b2)
    n = out.size
    d_out = 2 * (out - Y) / n
    d_z2 = d_out * out * (1 - out)
    d_w2 = h.T @ d_z2
    d_b2 = d_z2.sum(axis=0)
    d_h = d_z2 @ w2.T
    d_z1 = d_h * (1 - h**2)
    return np.concatenate([(X.T @ d_z1).ravel(), d_z1.sum(axis=0).ravel(),
                           d_w2.ravel(), d_b2.ravel()])


def _unflatten(theta, shapes):
    out, k = [], 0
    for s in shapes:
        n = int(np.prod(s))
        out.append(theta[k:k + n].reshape(s))
        k += n
    return out


def test_hessian_vector_product_of_mlp():
    X = RNG.standard_normal((5, 3))
    Y = RNG.uniform(0, 1, (5, 2))
    shapes = [(3, 4), (4,), (4, 2), (2,)]
    theta = np.concatenate([RNG.standard_normal(s).ravel() for s in shapes])
    v = RNG.standard_normal(theta.size)

    params = [Tensor(a.copy(), requires_grad=True) for a in _unflatten(theta, shapes)]
    loss = _mlp_loss(params, Tensor(X), Tensor(Y))
    gs = grad(loss, params, create_graph=True)
    # The engine's first derivatives match the hand-written ones.
    close(np.concatenate([g.data.ravel() for g in gs]), _mlp_grad_np(theta, shapes, X, Y))
    vs = _unflatten(v, shapes)
    gv = sum((g * Tensor(vi)).sum() for g, vi in zip(gs, vs, strict=True))
    hvp = np.concatenate([h.data.ravel() for h in grad(gv, params)])

    eps = 1e-5
    fd = (_mlp_grad_np(theta + eps * v, shapes, X, Y)
          - _mlp_grad_np(theta - eps * v, shapes, X, Y)) / (2 * eps)
    np.testing.assert_allclose(hvp, fd, rtol=1e-6, atol=1e-9)
    assert np.abs(hvp).max() > 1e-3  # not trivially zero


def test_full_hessian_is_symmetric_and_matches_closed_form():
    # f(x) = sum(x)^2 * 0.5 + sum(x**3): H = ones + diag(6x)
    xv = np.array([0.5, -1.0, 2.0])
    x = Tensor(xv, requires_grad=True)
    s = x.sum()
    f = s * s * 0.5 + (x**3).sum()
    (g,) = grad(f, x, create_graph=True)
    rows = []
    for i in range(3):
        (hi,) = grad(g[i], x, retain_graph=True)
        rows.append(hi.data)
    H = np.stack(rows)
    close(H, np.ones((3, 3)) + np.diag(6 * xv))


# --------------------------------------------------------------------------- gradgradcheck


GG_CASES = {
    "matmul": (lambda a, b: a @ b, [(3, 4), (4, 2)]),
    "matmul_vec": (lambda a, b: a @ b, [(3, 4), (4,)]),
    "softmax": (lambda a: a.softmax(axis=-1), [(2, 4)]),
    "softmax_axis0": (lambda a: a.softmax(axis=0), [(3, 2)]),
    "log_softmax": (lambda a: a.log_softmax(axis=1), [(2, 4)]),
    "div": (lambda a, b: a / b, [(2, 3), (2, 3)]),
    "pow_tensor_exponent": (lambda a, b: a ** b, [(2, 3), (2, 3)]),
    "pow_scalar": (lambda a: a ** 3, [(4,)]),
    "sum_axis": (lambda a: (a * a).sum(axis=0), [(3, 2)]),
    "mean": (lambda a: (a * a * a).mean(axis=1, keepdims=True), [(2, 3)]),
    "max": (lambda a: (a * a).max(axis=1), [(3, 4)]),
    "getitem": (lambda a: (a * a)[[0, 2, 2], 1:], [(3, 3)]),
    "broadcast": (lambda a, b: (a + b) * (a * b), [(3, 1), (1, 4)]),
    "sigmoid_tanh": (lambda a: a.sigmoid() * a.tanh(), [(2, 3)]),
    "exp_log": (lambda a: (a * a + 1.0).log() * a.exp(), [(2, 2)]),
    "sqrt_abs": (lambda a: (a * a + 0.5).sqrt() + a.abs() * a, [(5,)]),
    "transpose_reshape": (lambda a: (a.transpose(1, 0) * a.T).reshape(6) ** 2, [(2, 3)]),
}


def _inputs(name, shapes):
    rng = np.random.default_rng(sorted(GG_CASES).index(name))
    out = []
    for s in shapes:
        a = rng.standard_normal(s)
        if name in ("div", "pow_tensor_exponent"):
            a = rng.uniform(0.5, 2.0, s)  # keep away from 0 (div) and negative bases (pow)
        if name == "max":
            a = a + np.arange(a.size).reshape(s) * 0.1  # no ties
        out.append(Tensor(a, requires_grad=True))
    return out


@pytest.mark.parametrize("name", sorted(GG_CASES))
def test_gradgradcheck_passes(name):
    fn, shapes = GG_CASES[name]
    inputs = _inputs(name, shapes)
    before = [x.data.copy() for x in inputs]
    report = gradgradcheck(fn, *inputs)
    assert report, str(report)
    assert report.ok and report.max_abs_error < 1e-5
    for x, b in zip(inputs, before, strict=True):
        np.testing.assert_array_equal(x.data, b)
        assert x.grad is None


class CubeSavingDerivative(Function):
    """x**3 whose backward uses 3*x**2 computed in forward.

    First order it is right. But 3*x**2 is neither an input nor the output, so
    ``Context.saved_tensors`` hands it back as a constant under create_graph: the second
    derivative misses the 6*x term.
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(3.0 * x * x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (d,) = ctx.saved_tensors
        return grad * d


class ExpSavingCopy(Function):
    """exp(x) that saves a copy of exp(x): equal values, but not the output array itself."""

    @staticmethod
    def forward(ctx, x):
        e = np.exp(x)
        ctx.save_for_backward(e.copy())
        return e

    @staticmethod
    def backward(ctx, grad):
        (e,) = ctx.saved_tensors
        return grad * e


class CubeSavingInput(Function):
    """The same op written right: it saves its input, so create_graph can follow it."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3.0 * x * x


class ExpSavingOutput(Function):
    @staticmethod
    def forward(ctx, x):
        out = np.exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out


@pytest.mark.parametrize("op", [CubeSavingDerivative, ExpSavingCopy])
def test_gradgradcheck_fails_for_constant_saved_value(op):
    from tinygrad_edu import gradcheck

    x = Tensor(np.array([0.7, -1.1, 1.6]), requires_grad=True)
    assert gradcheck(op.apply, x), "first order is right"
    report = gradgradcheck(op.apply, x)
    assert not report and report.ok is False
    assert report.max_abs_error > 0.1
    assert "input 0" in str(report)


@pytest.mark.parametrize("op", [CubeSavingInput, ExpSavingOutput])
def test_gradgradcheck_passes_for_saved_input_or_output(op):
    x = Tensor(np.array([0.7, -1.1, 1.6]), requires_grad=True)
    report = gradgradcheck(op.apply, x)
    assert report, str(report)


def test_constant_saved_value_gives_wrong_second_derivative():
    xv = np.array([0.7, -1.1])
    x = Tensor(xv, requires_grad=True)
    (g,) = grad(CubeSavingDerivative.apply(x).sum(), x, create_graph=True)
    close(g.data, 3 * xv**2)
    # The saved 3x^2 is a constant: nothing of g depends on x through the graph, so the
    # second derivative (6x) is lost.
    assert not g.requires_grad
    x2 = Tensor(xv, requires_grad=True)
    (g2,) = grad(CubeSavingInput.apply(x2).sum(), x2, create_graph=True)
    (gg2,) = grad(g2.sum(), x2)
    close(gg2.data, 6 * xv)


@pytest.mark.parametrize("name, fn, d2", [
    ("sigmoid", lambda t: t.sigmoid(),
     lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s) * (1 - 2 * s)),
    ("exp", lambda t: t.exp(), np.exp),
    ("tanh", lambda t: t.tanh(), lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)),
    ("sqrt", lambda t: t.sqrt(), lambda x: -0.25 * x ** -1.5),
])
def test_second_derivative_of_a_0d_tensor(name: str, fn: Any, d2: Any) -> None:
    # NumPy returns a scalar for a 0-d result; the saved output must still be the output,
    # or create_graph would treat it as a constant and lose the second derivative.
    x = Tensor(0.7, requires_grad=True)
    (g,) = grad(fn(x), x, create_graph=True)
    assert g is not None and g.requires_grad, name
    (h,) = grad(g, x)
    assert h is not None
    assert abs(h.item() - d2(0.7)) < 1e-12
    assert gradgradcheck(fn, Tensor(0.7, requires_grad=True))
