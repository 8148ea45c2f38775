"""Document 001 (iamtrask, "A neural network in 11 lines of Python"): the 2-layer and the
3-layer sigmoid nets.

The document never names a loss. Its deltas are the NEGATIVE gradients of the
sum-of-squares loss ``E = 0.5 * sum((y - l2)**2)``:

    dE/dl2             = -(y - l2)                      = -l2_error
    dE/d(l1 @ syn1)    = -(y - l2) * l2*(1-l2)          = -l2_delta
    dE/dl1             = -l2_delta.dot(syn1.T)          = -l1_error
    dE/d(l0 @ syn0)    = -l1_error * l1*(1-l1)          = -l1_delta
    dE/dsyn1           = -l1.T.dot(l2_delta)
    dE/dsyn0           = -l0.T.dot(l1_delta)

so the document's ``syn1 += l1.T.dot(l2_delta)`` is exactly ``syn1 -= syn1.grad``: plain
gradient descent with learning rate 1 on E. The tests below check each line, then train with
the engine's autograd (``loss.backward()``, no hand deltas) and reproduce the printed numbers.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from helpers import assert_same, grad_of

from tinygrad_edu import Tensor, gradcheck, numerical_grad

# 001: the inputs of both networks, one training example per row.
X = np.array([[0, 0, 1],
              [0, 1, 1],
              [1, 0, 1],
              [1, 1, 1]])
# 001, 2-layer net: the output copies the first input column.
y_2layer = np.array([[0, 0, 1, 1]]).T
# 001, 3-layer net: the output is XOR of the first two columns.
y_3layer = np.array([[0],
                     [1],
                     [1],
                     [0]])


def nonlin(x, deriv=False):
    """001's sigmoid; with deriv=True, x is already a sigmoid output."""
    if deriv:
        return x * (1 - x)
    return 1 / (1 + np.exp(-x))


def initial_weights_2layer():
    np.random.seed(1)  # 001
    syn0 = 2 * np.random.random((3, 1)) - 1
    return syn0


def initial_weights_3layer():
    np.random.seed(1)  # 001
    syn0 = 2 * np.random.random((3, 4)) - 1
    syn1 = 2 * np.random.random((4, 1)) - 1
    return syn0, syn1


def three_layer_in_numpy(iterations, syn0, syn1):
    """001's 3-layer loop, verbatim (xrange -> range); returns the printed errors too."""
    syn0 = syn0.copy()
    syn1 = syn1.copy()
    printed = []
    for j in range(iterations):
        l0 = X
        l1 = nonlin(np.dot(l0, syn0))
        l2 = nonlin(np.dot(l1, syn1))
        l2_error = y_3layer - l2
        if (j % 10000) == 0:
            printed.append(np.mean(np.abs(l2_error)))
        l2_delta = l2_error * nonlin(l2, deriv=True)
        l1_error = l2_delta.dot(syn1.T)
        l1_delta = l1_error * nonlin(l1, deriv=True)
        syn1 += l1.T.dot(l2_delta)
        syn0 += l0.T.dot(l1_delta)
    return printed, syn0, syn1


def three_layer_with_engine(iterations, syn0, syn1):
    """The same training, but the update comes from loss.backward() alone."""
    syn0 = Tensor(syn0, requires_grad=True, name="syn0")
    syn1 = Tensor(syn1, requires_grad=True, name="syn1")
    l0 = Tensor(X, name="l0")
    printed = []
    for j in range(iterations):
        l1 = l0.dot(syn0).sigmoid()
        l2 = l1.dot(syn1).sigmoid()
        l2_error = y_3layer - l2
        if (j % 10000) == 0:
            printed.append(float(np.mean(np.abs(l2_error.data))))
        loss = 0.5 * (l2_error ** 2).sum()
        loss.backward()
        syn1.data -= syn1.grad.data  # the document's syn1 += l1.T.dot(l2_delta)
        syn0.data -= syn0.grad.data  # the document's syn0 += l0.T.dot(l1_delta)
        syn0.grad = None
        syn1.grad = None
    return printed, syn0.data, syn1.data


# --------------------------------------------------------------------------------------
# 1. The hand-derived deltas are the engine's gradients (with the sign flipped)
# --------------------------------------------------------------------------------------


def test_2layer_l1_delta_is_minus_the_gradient_of_half_sum_of_squares():
    syn0_init = initial_weights_2layer()
    # 001, 2-layer, one iteration by hand:
    l0 = X
    l1 = nonlin(np.dot(l0, syn0_init))
    l1_error = y_2layer - l1
    l1_delta = l1_error * nonlin(l1, True)
    syn0_after = syn0_init + np.dot(l0.T, l1_delta)

    syn0 = Tensor(syn0_init, requires_grad=True)
    l1_in = Tensor(l0).dot(syn0)
    l1_t = l1_in.sigmoid()
    loss = 0.5 * ((y_2layer - l1_t) ** 2).sum()
    loss.backward()

    assert_same(l1_t.data, l1)
    assert_same(grad_of(l1_t), -l1_error)
    assert_same(grad_of(l1_in), -l1_delta)
    assert_same(grad_of(syn0), -np.dot(l0.T, l1_delta))
    # so the document's update is one gradient-descent step with learning rate 1
    assert_same(syn0.data - grad_of(syn0), syn0_after)


def test_3layer_every_delta_is_minus_an_intermediate_gradient():
    syn0_init, syn1_init = initial_weights_3layer()
    # 001, 3-layer, one iteration by hand:
    l0 = X
    l1 = nonlin(np.dot(l0, syn0_init))
    l2 = nonlin(np.dot(l1, syn1_init))
    l2_error = y_3layer - l2
    l2_delta = l2_error * nonlin(l2, deriv=True)
    l1_error = l2_delta.dot(syn1_init.T)
    l1_delta = l1_error * nonlin(l1, deriv=True)

    syn0 = Tensor(syn0_init, requires_grad=True, name="syn0")
    syn1 = Tensor(syn1_init, requires_grad=True, name="syn1")
    l1_in = Tensor(l0).dot(syn0)
    l1_t = l1_in.sigmoid()
    l2_in = l1_t.dot(syn1)
    l2_t = l2_in.sigmoid()
    loss = 0.5 * ((y_3layer - l2_t) ** 2).sum()
    loss.backward()

    assert_same(l2_t.data, l2)
    assert_same(grad_of(l2_t), -l2_error)
    assert_same(grad_of(l2_in), -l2_delta)
    assert_same(grad_of(l1_t), -l1_error)
    assert_same(grad_of(l1_in), -l1_delta)
    assert_same(grad_of(syn1), -l1.T.dot(l2_delta))
    assert_same(grad_of(syn0), -l0.T.dot(l1_delta))


def test_3layer_deltas_hold_away_from_the_initial_weights_too():
    # After 500 of the document's own steps the sigmoids are no longer near 0.5.
    syn0_init, syn1_init = initial_weights_3layer()
    _, syn0_np, syn1_np = three_layer_in_numpy(500, syn0_init, syn1_init)
    l0 = X
    l1 = nonlin(np.dot(l0, syn0_np))
    l2 = nonlin(np.dot(l1, syn1_np))
    l2_delta = (y_3layer - l2) * nonlin(l2, deriv=True)
    l1_delta = l2_delta.dot(syn1_np.T) * nonlin(l1, deriv=True)

    syn0 = Tensor(syn0_np, requires_grad=True)
    syn1 = Tensor(syn1_np, requires_grad=True)
    l2_t = Tensor(l0).dot(syn0).sigmoid().dot(syn1).sigmoid()
    (0.5 * ((y_3layer - l2_t) ** 2).sum()).backward()
    assert_same(grad_of(syn1), -l1.T.dot(l2_delta))
    assert_same(grad_of(syn0), -l0.T.dot(l1_delta))


def test_3layer_hand_gradients_match_finite_differences():
    # Second, independent oracle: central differences of the same loss.
    syn0_init, syn1_init = initial_weights_3layer()
    l0 = X
    l1 = nonlin(np.dot(l0, syn0_init))
    l2 = nonlin(np.dot(l1, syn1_init))
    l2_delta = (y_3layer - l2) * nonlin(l2, deriv=True)
    l1_delta = l2_delta.dot(syn1_init.T) * nonlin(l1, deriv=True)

    def loss_fn(syn0, syn1):
        l2_t = Tensor(X).dot(syn0).sigmoid().dot(syn1).sigmoid()
        return 0.5 * ((y_3layer - l2_t) ** 2).sum()

    syn0 = Tensor(syn0_init, requires_grad=True)
    syn1 = Tensor(syn1_init, requires_grad=True)
    num_syn0, num_syn1 = numerical_grad(loss_fn, syn0, syn1)
    np.testing.assert_allclose(num_syn0, -l0.T.dot(l1_delta), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(num_syn1, -l1.T.dot(l2_delta), rtol=1e-6, atol=1e-9)

    report = gradcheck(loss_fn, syn0, syn1)
    assert report, str(report)
    # the whole Jacobian of the network output, not only the loss
    report = gradcheck(lambda s0, s1: Tensor(X).dot(s0).sigmoid().dot(s1).sigmoid(), syn0, syn1)
    assert report, str(report)


# --------------------------------------------------------------------------------------
# 2. The published numbers, reproduced by training with the engine's autograd
# --------------------------------------------------------------------------------------

# 001: "Output After Training" of the 2-layer net, printed with 8 decimals.
PRINTED_2LAYER_OUTPUT = np.array([[0.00966449],
                                  [0.00786506],
                                  [0.99358898],
                                  [0.99211957]])

# 001: the 3-layer net prints np.mean(np.abs(l2_error)) at j = 0, 10000, ..., 50000 of its
# 60000 iterations; Python 2's str() of a float64 shows 12 significant digits.
PRINTED_3LAYER_ERRORS = [
    0.496410031903,
    0.00858452565325,
    0.00578945986251,
    0.00462917677677,
    0.00395876528027,
    0.00351012256786,
]


def assert_matches_printed_digits(value, printed, significant=12):
    """``value`` agrees with ``printed`` to within one unit in its last printed digit."""
    unit = 10.0 ** (np.floor(np.log10(abs(printed))) - (significant - 1))
    assert abs(value - printed) <= unit, f"{value!r} does not print as {printed!r}"


def test_2layer_printed_output_numpy_reference():
    syn0 = initial_weights_2layer()
    for _ in range(10000):  # 001, verbatim
        l0 = X
        l1 = nonlin(np.dot(l0, syn0))
        l1_error = y_2layer - l1
        l1_delta = l1_error * nonlin(l1, True)
        syn0 += np.dot(l0.T, l1_delta)
    np.testing.assert_allclose(l1, PRINTED_2LAYER_OUTPUT, rtol=0, atol=0.5e-8)


def test_2layer_printed_output_trained_with_engine_autograd():
    syn0_init = initial_weights_2layer()
    syn0 = Tensor(syn0_init, requires_grad=True, name="syn0")
    l0 = Tensor(X, name="l0")
    for _ in range(10000):
        l1 = l0.dot(syn0).sigmoid()
        loss = 0.5 * ((y_2layer - l1) ** 2).sum()
        loss.backward()
        syn0.data -= syn0.grad.data  # the document's syn0 += np.dot(l0.T, l1_delta)
        syn0.grad = None
    # 001 prints the l1 of the last iteration (computed before that iteration's update)
    np.testing.assert_allclose(l1.data, PRINTED_2LAYER_OUTPUT, rtol=0, atol=0.5e-8)

    syn0_np = syn0_init.copy()
    for _ in range(10000):
        l1_np = nonlin(np.dot(X, syn0_np))
        syn0_np += np.dot(X.T, (y_2layer - l1_np) * nonlin(l1_np, True))
    assert_same(l1.data, l1_np, rtol=1e-10)
    assert_same(syn0.data, syn0_np, rtol=1e-10)


def test_3layer_all_printed_errors_numpy_reference():
    # The README's claim: with np.random.seed(1) today's NumPy prints the same six errors.
    syn0, syn1 = initial_weights_3layer()
    printed, _, _ = three_layer_in_numpy(60000, syn0, syn1)
    assert len(printed) == len(PRINTED_3LAYER_ERRORS)
    for value, expected in zip(printed, PRINTED_3LAYER_ERRORS, strict=True):
        assert_matches_printed_digits(value, expected)


def test_3layer_first_printed_errors_trained_with_engine_autograd():
    # j = 0 and j = 10000 (10001 iterations); the full 60000 are in the slow test below.
    syn0_init, syn1_init = initial_weights_3layer()
    printed, syn0, syn1 = three_layer_with_engine(10001, syn0_init, syn1_init)
    assert len(printed) == 2
    for value, expected in zip(printed, PRINTED_3LAYER_ERRORS[:2], strict=True):
        assert_matches_printed_digits(value, expected)
    _, syn0_np, syn1_np = three_layer_in_numpy(10001, syn0_init, syn1_init)
    assert_same(syn0, syn0_np, rtol=1e-10)
    assert_same(syn1, syn1_np, rtol=1e-10)


@pytest.mark.slow
def test_3layer_all_printed_errors_trained_with_engine_autograd():
    syn0_init, syn1_init = initial_weights_3layer()
    start = time.perf_counter()
    printed, syn0, syn1 = three_layer_with_engine(60000, syn0_init, syn1_init)
    elapsed = time.perf_counter() - start
    print(f"engine: 60000 iterations of 001's 3-layer net in {elapsed:.1f} s")
    assert len(printed) == len(PRINTED_3LAYER_ERRORS)
    for value, expected in zip(printed, PRINTED_3LAYER_ERRORS, strict=True):
        assert_matches_printed_digits(value, expected)
    _, syn0_np, syn1_np = three_layer_in_numpy(60000, syn0_init, syn1_init)
    assert_same(syn0, syn0_np, rtol=1e-10)
    assert_same(syn1, syn1_np, rtol=1e-10)
