"""Document 004 (a blog post building a 3-4-1 sigmoid network): 001's 3-layer structure,
written with two mistakes.

1. ``Sigmoid(x, deriv=True)`` returns ``x*(x-1)``: the sigmoid's slope is ``x*(1-x)``, so the
   sign is flipped.
2. ``l1_delta = l2_loss * Sigmoid(l2, deriv=True)`` repeats ``l2_delta``; it should be
   ``l1_loss * Sigmoid(l1, deriv=True)``. Its shape is (5, 1), so ``l0.T.dot(l1_delta)`` is
   (3, 1) and ``w0 -= ...`` broadcasts it over the 4 columns of w0.

Here ``l2_loss = l2 - y`` is the gradient of ``E = 0.5 * sum((l2 - y)**2)`` with respect to l2,
so with the flipped slope ``l2_delta = -dE/d(l1 @ w1)`` and ``w1 -= l1.T.dot(l2_delta)`` is
``w1 += w1.grad``: gradient ASCENT. The network climbs the loss.

004 seeds nothing; the tests use np.random.seed(1), as 001 does.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from helpers import assert_same, grad_of

from tinygrad_edu import Tensor, numerical_grad


def Sigmoid(x, deriv=False):  # noqa: N802 (the document's name)
    """004 as printed: the derivative's sign is flipped."""
    if deriv:
        return x * (x - 1)
    return 1 / (1 + np.exp(-x))


def Sigmoid_fixed(x, deriv=False):  # noqa: N802
    if deriv:
        return x * (1 - x)
    return 1 / (1 + np.exp(-x))


def Create_Array():  # noqa: N802
    # 004: 5 examples, 3 features; the last row repeats the first
    x = np.array([
        [0, 0, 1],
        [0, 1, 1],
        [1, 0, 1],
        [1, 1, 1],
        [0, 0, 1],
    ])
    y = np.array([
        [0],
        [1],
        [1],
        [0],
        [0],
    ])
    return x, y


def initial_weights():
    np.random.seed(1)
    w0 = np.random.random((3, 4))
    w1 = np.random.random((4, 1))
    w0 = w0 * 2 - 1
    w1 = w1 * 2 - 1
    return w0, w1


def E_of(w0, w1):
    x, y = Create_Array()
    l2 = Sigmoid(np.dot(Sigmoid(np.dot(x, w0)), w1))
    return 0.5 * np.sum((l2 - y) ** 2)


def engine_gradients(w0_values, w1_values):
    """E = 0.5 * sum((l2 - y)**2) built from engine tensors, after backward()."""
    x, y = Create_Array()
    w0 = Tensor(w0_values, requires_grad=True, name="w0")
    w1 = Tensor(w1_values, requires_grad=True, name="w1")
    l0 = Tensor(x)
    l1_in = l0.dot(w0)
    l1 = l1_in.sigmoid()
    l2_in = l1.dot(w1)
    l2 = l2_in.sigmoid()
    E = 0.5 * ((l2 - y) ** 2).sum()
    E.backward()
    return dict(w0=w0, w1=w1, l1_in=l1_in, l1=l1, l2_in=l2_in, l2=l2, E=E)


def doc_step(w0, w1, fixed_derivative=False, fixed_l1_delta=False):
    """One iteration of 004's Update_Weight loop, with optional corrections."""
    x, y = Create_Array()
    S = Sigmoid_fixed if fixed_derivative else Sigmoid
    l0 = x
    l1 = S(np.dot(l0, w0))
    l2 = S(np.dot(l1, w1))
    l2_loss = l2 - y
    l2_delta = l2_loss * S(l2, deriv=True)
    l1_loss = l2_delta.dot(w1.T)
    l1_delta = l2_loss * S(l2, deriv=True)  # 004 as printed
    if fixed_l1_delta:
        l1_delta = l1_loss * S(l1, deriv=True)
    w1 = w1 - l1.T.dot(l2_delta)
    w0 = w0 - l0.T.dot(l1_delta)  # broadcasts (3, 1) over (3, 4) when l1_delta is (5, 1)
    return w0, w1, dict(l2_loss=l2_loss, l2_delta=l2_delta, l1_loss=l1_loss, l1_delta=l1_delta)


# --------------------------------------------------------------------------------------
# Mistake 1: the derivative x*(x-1)
# --------------------------------------------------------------------------------------


def test_mistake_sigmoid_derivative_sign_flipped():
    z = Tensor(np.array([-3.0, -0.5, 0.2, 1.5, 4.0]), requires_grad=True)
    out = z.sigmoid()
    out.sum().backward()
    engine = grad_of(z)
    (numerical,) = numerical_grad(lambda t: t.sigmoid().sum(), Tensor(z.data, requires_grad=True))
    assert (engine > 0).all()
    doc = Sigmoid(out.data, deriv=True)  # 004 as printed
    assert (doc < 0).all()
    assert_same(doc, -engine)  # exactly the opposite: wrong everywhere, not just somewhere
    np.testing.assert_allclose(-doc, numerical, rtol=1e-8)
    assert_same(Sigmoid_fixed(out.data, deriv=True), engine)


def test_with_the_flipped_slope_the_w1_update_is_gradient_ascent():
    w0, w1 = initial_weights()
    g = engine_gradients(w0, w1)
    _, w1_after, deltas = doc_step(w0, w1)
    # l2_loss = l2 - y is dE/dl2; the doc's l2_delta is minus dE/d(l1 @ w1)
    assert_same(deltas["l2_loss"], grad_of(g["l2"]))
    assert_same(deltas["l2_delta"], -grad_of(g["l2_in"]))
    # so w1 -= l1.T.dot(l2_delta) moves w1 UP the gradient
    assert_same(w1_after, w1 + grad_of(g["w1"]))
    # with the slope fixed, the same line is a descent step
    _, w1_fixed, deltas_fixed = doc_step(w0, w1, fixed_derivative=True)
    assert_same(deltas_fixed["l2_delta"], grad_of(g["l2_in"]))
    assert_same(w1_fixed, w1 - grad_of(g["w1"]))


# --------------------------------------------------------------------------------------
# Mistake 2: l1_delta = l2_loss * Sigmoid(l2, deriv=True)
# --------------------------------------------------------------------------------------


def test_mistake_l1_delta_uses_layer_2_instead_of_layer_1():
    w0, w1 = initial_weights()
    g = engine_gradients(w0, w1)
    engine_l1_in = grad_of(g["l1_in"])  # dE/d(l0 @ w0), shape (5, 4)

    _, _, as_printed = doc_step(w0, w1, fixed_derivative=True)
    # the document's l1_delta does not even have l1's shape: it is l2_delta again
    assert as_printed["l1_delta"].shape == (5, 1)
    assert engine_l1_in.shape == (5, 4)
    assert_same(as_printed["l1_delta"], as_printed["l2_delta"])
    # and its w0 update, (3, 1), moves every column of a row of w0 by the same amount
    x, _ = Create_Array()
    update = x.T.dot(as_printed["l1_delta"])
    assert update.shape == (3, 1)
    w0_printed, _, _ = doc_step(w0, w1, fixed_derivative=True)
    assert_same(w0_printed, w0 - np.broadcast_to(update, (3, 4)))
    assert np.ptp(grad_of(g["w0"]), axis=1).min() > 1e-3  # the gradient's columns differ

    # corrected: l1_delta = l1_loss * Sigmoid(l1, deriv=True) (with the slope fixed too)
    w0_fixed, w1_fixed, fixed = doc_step(w0, w1, fixed_derivative=True, fixed_l1_delta=True)
    assert_same(fixed["l1_loss"], grad_of(g["l1"]))
    assert_same(fixed["l1_delta"], engine_l1_in)
    assert_same(w0_fixed, w0 - grad_of(g["w0"]))
    assert_same(w1_fixed, w1 - grad_of(g["w1"]))

    def E_fn(w0_t, w1_t):
        x, y = Create_Array()
        l2 = Tensor(x).dot(w0_t).sigmoid().dot(w1_t).sigmoid()
        return 0.5 * ((l2 - y) ** 2).sum()

    num_w0, num_w1 = numerical_grad(E_fn, Tensor(w0, requires_grad=True),
                                    Tensor(w1, requires_grad=True))
    np.testing.assert_allclose(-x.T.dot(fixed["l1_delta"]), -num_w0, rtol=1e-6, atol=1e-10)
    assert np.abs(x.T.dot(as_printed["l1_delta"]) - num_w0).max() > 0.1 * np.abs(num_w0).max()


def test_the_printed_w0_show_the_broadcast_update():
    # 004's printed w0 at i = 10000 and i = 20000: within a row, all four entries moved by
    # the same amount, as a (3, 1) update broadcast over (3, 4) does (the blog glued the
    # numbers together when it printed them; they are split here).
    w0_10000 = np.array([[-0.74974059, 0.62686427, 0.04551225, -0.29705242],
                         [0.40014002, 0.80524073, 0.42280143, 0.0626484],
                         [2.92079498, 3.62308971, 4.56361704, 4.1224446]])
    w0_20000 = np.array([[-0.69432892, 0.68227594, 0.10092392, -0.24164074],
                         [0.45555183, 0.86065254, 0.47821324, 0.11806021],
                         [3.08851435, 3.79080908, 4.73133641, 4.29016397]])
    change = w0_20000 - w0_10000
    assert np.ptp(change, axis=1).max() < 2e-8  # equal up to the 8 printed decimals
    assert change.min() > 0.05


# --------------------------------------------------------------------------------------
# Together: the network as written climbs the loss
# --------------------------------------------------------------------------------------


def test_the_network_as_written_climbs_the_loss_and_the_gradient_descends_it():
    w0, w1 = initial_weights()
    E_start = E_of(w0, w1)

    w0_doc, w1_doc = w0, w1
    for _ in range(1000):
        w0_doc, w1_doc, _ = doc_step(w0_doc, w1_doc)
    E_doc = E_of(w0_doc, w1_doc)
    assert E_doc > E_start + 0.5

    # 004's final picture: outputs near 1 for every row, hence "errors" near 1.0 for the
    # label-0 rows; the labels are not learned.
    x, y = Create_Array()
    l2 = Sigmoid(np.dot(Sigmoid(np.dot(x, w0_doc)), w1_doc))
    assert (np.abs(l2 - y)[y == 0] > 0.99).all()

    # the engine: w -= w.grad, 1000 steps from the same start
    w0_t = Tensor(w0, requires_grad=True)
    w1_t = Tensor(w1, requires_grad=True)
    losses = []
    for _ in range(1000):
        l2_t = Tensor(x).dot(w0_t).sigmoid().dot(w1_t).sigmoid()
        E = 0.5 * ((l2_t - y) ** 2).sum()
        losses.append(E.item())
        E.backward()
        w0_t.data -= w0_t.grad.data
        w1_t.data -= w1_t.grad.data
        w0_t.grad = None
        w1_t.grad = None
    assert_same(losses[0], E_start)
    assert losses[-1] < 0.5 * E_start
    assert all(later <= earlier for earlier, later in pairwise(losses))

    # and 004 with both corrections takes exactly the engine's steps
    w0_fixed, w1_fixed = w0, w1
    for _ in range(1000):
        w0_fixed, w1_fixed, _ = doc_step(w0_fixed, w1_fixed, fixed_derivative=True,
                                         fixed_l1_delta=True)
    assert_same(w0_t.data, w0_fixed, rtol=1e-10)
    assert_same(w1_t.data, w1_fixed, rtol=1e-10)
