"""Big graphs (api.md: "The traversal is iterative: a graph a million nodes deep works").

A chain of 200,000 multiplications backpropagates without RecursionError and with the
closed-form gradient; wide fan-out accumulates every contribution.
"""

from __future__ import annotations

import gc
import sys

import numpy as np

from tinygrad_edu import Tensor

N_DEEP = 200_000
C = 1.00001  # c**N = e**2 (about 7.39): no under- or overflow


def test_deep_chain_of_200k_ops():
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)  # a recursive traversal would die long before the end
    try:
        x = Tensor(np.array([1.5, -0.5]), requires_grad=True)
        y = x
        first = None
        for _ in range(N_DEEP):
            y = y * C
            if first is None:
                first = y
        loss = y.sum()
        loss.backward()
    finally:
        sys.setrecursionlimit(limit)
    # y = x * C**N: every step's gradient is the product of the C's after it.
    expected = np.prod(np.full(N_DEEP, C))
    assert abs(expected - C**N_DEEP) < 1e-9 * expected
    np.testing.assert_allclose(x.grad.data, [expected, expected], rtol=1e-10)
    np.testing.assert_allclose(first.grad.data, np.full(2, expected / C), rtol=1e-10)
    np.testing.assert_allclose(y.grad.data, [1.0, 1.0], rtol=0, atol=0)
    np.testing.assert_allclose(y.data, np.array([1.5, -0.5]) * expected, rtol=1e-10)
    # Freeing the chain must not blow the C stack either.
    del x, y, first, loss
    gc.collect()


def test_deep_chain_of_alternating_ops():
    # sigmoid, *4, -2 repeated: y -> 2*tanh(y/2), whose slope at its fixed point 0 is 1, so
    # neither the value nor the gradient vanishes. Checked against a NumPy loop.
    cycles = 7_000
    x = Tensor(0.8, requires_grad=True)
    y = x
    for _ in range(cycles):
        y = y.sigmoid() * 4.0 - 2.0
    y.backward()
    v, d = 0.8, 1.0
    for _ in range(cycles):
        s = 1.0 / (1.0 + np.exp(-v))
        d *= 4.0 * s * (1.0 - s)
        v = s * 4.0 - 2.0
    assert 1e-6 < d < 1.0 and v > 0.01  # a meaningful gradient, far from underflow
    np.testing.assert_allclose(y.data, v, rtol=1e-9)
    np.testing.assert_allclose(x.grad.data, d, rtol=1e-9)


def test_wide_fan_out_of_a_leaf():
    n = 20_000
    a = np.array([0.5, -1.0, 2.0])
    x = Tensor(a, requires_grad=True)
    cs = np.linspace(-1.0, 1.0, n) + 0.25
    terms = [x * float(c) for c in cs]
    while len(terms) > 1:  # a balanced tree of sums: wide, not deep
        terms = [terms[i] + terms[i + 1] if i + 1 < len(terms) else terms[i]
                 for i in range(0, len(terms), 2)]
    terms[0].sum().backward()
    np.testing.assert_allclose(x.grad.data, np.full(3, cs.sum()), rtol=1e-12)


def test_wide_fan_out_of_an_intermediate():
    n = 10_000
    a = np.array([[0.2, -0.7]])
    x = Tensor(a, requires_grad=True)
    h = x.tanh()
    acc = h * 0.0
    for k in range(1, n + 1):
        acc = acc + h * (1.0 / k)
    acc.sum().backward()
    harmonic = np.sum(1.0 / np.arange(1, n + 1))
    np.testing.assert_allclose(h.grad.data, np.full((1, 2), harmonic), rtol=1e-12)
    np.testing.assert_allclose(x.grad.data, harmonic * (1 - np.tanh(a) ** 2), rtol=1e-12)
