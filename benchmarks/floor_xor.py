"""How fast can a define-by-run Python engine be on document 001's XOR step?

A bare-bones tape, written only to measure that floor: one object per op holding its output,
its inputs and a closure for its backward, a topological sort, and nothing else: no contexts,
no checks of shapes, dtypes or arguments, no broadcasting, no higher order, no error
messages, no hooks for drawing or tracing. It runs the same step as the benchmark's XOR
workload (the same loss, the same arithmetic) and prints its time and tinygrad_edu's, each
as a ratio to the hand-written NumPy step, interleaved in one process.

    .venv/bin/python benchmarks/floor_xor.py [--rounds 11] [--steps 1000]

What it shows: even with every feature stripped, a Python object graph on 4x3 arrays costs
3-4x the hand-written NumPy step, which computes the deltas directly with fewer array
operations (the loss's gradient comes for free there). The gap between this floor and
tinygrad_edu is the price of the engine's features and checks.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_edu import Tensor, no_grad


class Node:
    """One op's output, its inputs and the closure mapping grad to one gradient per input."""

    __slots__ = ("data", "grad", "parents", "back")
    __array_ufunc__ = None  # `array - node` calls Node.__rsub__

    def __init__(self, data: Any, parents: tuple[Node, ...] = (),
                 back: Callable[[Any], tuple[Any, ...]] | None = None) -> None:
        self.data = data
        self.grad: Any = None
        self.parents = parents
        self.back = back

    def __matmul__(self, other: Node) -> Node:
        a, b = self.data, other.data
        return Node(a @ b, (self, other), lambda g: (g @ b.T, a.T @ g))

    def __rsub__(self, y: np.ndarray) -> Node:
        return Node(y - self.data, (self,), lambda g: (-g,))

    def sigmoid(self) -> Node:
        out = 1.0 / (1.0 + np.exp(-self.data))
        return Node(out, (self,), lambda g: (g * out * (1.0 - out),))

    def square(self) -> Node:
        d = self.data
        return Node(d * d, (self,), lambda g: (2.0 * d * g,))

    def sum(self) -> Node:
        shape = self.data.shape
        return Node(self.data.sum(), (self,), lambda g: (np.full(shape, g),))

    def half(self) -> Node:
        return Node(0.5 * self.data, (self,), lambda g: (0.5 * g,))

    def backward(self) -> None:
        order: list[Node] = []
        seen: set[int] = set()
        stack: list[tuple[Node, bool]] = [(self, False)]
        while stack:
            node, placed = stack.pop()
            if placed:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((p, False) for p in node.parents if p.back is not None)
        self.grad = np.ones(())
        for node in reversed(order):
            assert node.back is not None
            for p, g in zip(node.parents, node.back(node.grad), strict=True):
                p.grad = g if p.grad is None else p.grad + g


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--steps", type=int, default=1000)
    args = parser.parse_args()

    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    rng = np.random.RandomState(1)
    syn0 = 2 * rng.random_sample((3, 4)) - 1
    syn1 = 2 * rng.random_sample((4, 1)) - 1

    n0, n1 = syn0.copy(), syn1.copy()

    def numpy_step() -> None:  # as benchmarks/workloads/numpy_ref.py
        nonlocal n0, n1  # updated in place
        l1 = 1 / (1 + np.exp(-(X.dot(n0))))
        l2 = 1 / (1 + np.exp(-(l1.dot(n1))))
        l2_delta = (y - l2) * (l2 * (1 - l2))
        l1_delta = l2_delta.dot(n1.T) * (l1 * (1 - l1))
        n1 += l1.T.dot(l2_delta)
        n0 += X.T.dot(l1_delta)

    w0, w1, xn = Node(syn0.copy()), Node(syn1.copy()), Node(X)

    def floor_step() -> None:
        l2 = ((xn @ w0).sigmoid() @ w1).sigmoid()
        loss = (y - l2).square().sum().half()
        loss.backward()
        w0.data -= w0.grad
        w1.data -= w1.grad
        w0.grad = w1.grad = None

    t0, t1, tx, ty = (Tensor(syn0.copy(), requires_grad=True),
                      Tensor(syn1.copy(), requires_grad=True), Tensor(X), Tensor(y))

    def engine_step() -> None:  # as benchmarks/workloads/tinygrad_edu_impl.py
        l1 = (tx @ t0).sigmoid()
        l2 = (l1 @ t1).sigmoid()
        loss = 0.5 * ((ty - l2) ** 2).sum()
        loss.backward()
        assert t0.grad is not None and t1.grad is not None
        with no_grad():
            t0.__isub__(1.0 * t0.grad)
            t1.__isub__(1.0 * t1.grad)
        t0.grad = None
        t1.grad = None

    steps = {"NumPy (hand-written)": numpy_step, "bare-bones tape": floor_step,
             "tinygrad_edu": engine_step}
    for step in steps.values():
        for _ in range(100):
            step()
    for w in (w0.data, t0.data):  # all three computed the same weights
        np.testing.assert_allclose(w, n0, rtol=1e-12)

    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(args.rounds):
        for name, step in steps.items():
            c0 = time.process_time()
            for _ in range(args.steps):
                step()
            times[name].append((time.process_time() - c0) / args.steps)
    median = {name: sorted(v)[len(v) // 2] for name, v in times.items()}
    base = median["NumPy (hand-written)"]
    for name, t in median.items():
        print(f"{name:22s} {t * 1e6:7.1f} µs per step   {t / base:5.2f}x NumPy")


if __name__ == "__main__":
    main()
