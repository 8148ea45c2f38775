"""iamtrask's "A neural network in 11 lines of Python" (document 001), trained by the engine.

The document trains two sigmoid networks with hand-written deltas::

    l1_delta = l1_error * nonlin(l1, True)          # 2-layer
    syn0 += np.dot(l0.T, l1_delta)

    l2_delta = l2_error * nonlin(l2, deriv=True)    # 3-layer
    l1_delta = l2_delta.dot(syn1.T) * nonlin(l1, deriv=True)
    syn1 += l1.T.dot(l2_delta);  syn0 += l0.T.dot(l1_delta)

Those deltas are minus the gradients of ``E = 0.5 * sum((y - output)**2)``, so each update is
``syn -= syn.grad`` (gradient descent, learning rate 1). Here ``E.backward()`` supplies the
gradients and nothing is derived by hand. With the document's ``np.random.seed(1)`` (here
``np.random.RandomState(1)``, the same numbers) the engine prints the document's numbers.

    python examples/iamtrask.py           # 10000 + 60000 iterations, as the document runs
    python examples/iamtrask.py --quick   # 3-layer net to j = 10000: its first two "Error:" lines
"""

from __future__ import annotations

import argparse
import sys
import time

import _common
import numpy as np

from tinygrad_edu import Tensor

X = [[0, 0, 1],
     [0, 1, 1],
     [1, 0, 1],
     [1, 1, 1]]
Y_2LAYER = [[0], [0], [1], [1]]   # 001: y = np.array([[0,0,1,1]]).T, the first column
Y_3LAYER = [[0], [1], [1], [0]]   # 001: XOR of the first two columns

# 001, 2-layer: "Output After Training:" (8 decimals).
PRINTED_OUTPUT = [0.00966449, 0.00786506, 0.99358898, 0.99211957]
# 001, 3-layer: "Error:" at j = 0, 10000, ..., 50000 (Python 2's str(): 12 digits).
PRINTED_ERRORS = [0.496410031903, 0.00858452565325, 0.00578945986251, 0.00462917677677,
                  0.00395876528027, 0.00351012256786]


def two_layer(check: _common.Checker, iterations: int) -> None:
    _common.section(f"2-layer network, {iterations} iterations: l1 = sigmoid(l0 . syn0)")
    rs = np.random.RandomState(1)  # np.random.seed(1) then np.random.random(...)
    syn0 = Tensor(2 * rs.random_sample((3, 1)) - 1, requires_grad=True, name="syn0")
    l0 = Tensor(X, name="l0")
    y = Tensor(Y_2LAYER, name="y")
    start = time.perf_counter()
    for _ in range(iterations):
        l1 = l0.dot(syn0).sigmoid()
        l1_error = y - l1
        E = 0.5 * (l1_error**2).sum()
        E.backward()
        syn0.data -= syn0.grad.data  # 001: syn0 += np.dot(l0.T, l1_delta)
        syn0.grad = None
    print(f"       {iterations} iterations in {time.perf_counter() - start:.1f} s")
    print("       Output After Training:")
    for row in l1.numpy():
        print(f"       [{row[0]:.8f}]")
    if iterations == 10000:
        check.compare("Output After Training (8 decimals)", PRINTED_OUTPUT,
                      np.round(l1.numpy()[:, 0], 8), rtol=0)
    else:
        print("       (the document prints the output after 10000 iterations: run without "
              "--quick to compare)")


def three_layer(check: _common.Checker, iterations: int) -> None:
    _common.section(f"3-layer network on XOR, {iterations} iterations: "
                    "l2 = sigmoid(sigmoid(l0 . syn0) . syn1)")
    rs = np.random.RandomState(1)
    syn0 = Tensor(2 * rs.random_sample((3, 4)) - 1, requires_grad=True, name="syn0")
    syn1 = Tensor(2 * rs.random_sample((4, 1)) - 1, requires_grad=True, name="syn1")
    l0 = Tensor(X, name="l0")
    y = Tensor(Y_3LAYER, name="y")
    start = time.perf_counter()
    for j in range(iterations):
        l1 = l0.dot(syn0).sigmoid()
        l2 = l1.dot(syn1).sigmoid()
        l2_error = y - l2
        if j % 10000 == 0:
            error = float(np.mean(np.abs(l2_error.numpy())))
            printed = PRINTED_ERRORS[j // 10000]
            # Python 2 printed 12 significant digits; ours must round to the same digits
            check.compare(f"j={j:5d} Error:", printed, float(f"{error:.12g}"), rtol=0)
        E = 0.5 * (l2_error**2).sum()
        E.backward()
        syn1.data -= syn1.grad.data  # 001: syn1 += l1.T.dot(l2_delta)
        syn0.data -= syn0.grad.data  # 001: syn0 += l0.T.dot(l1_delta)
        syn0.grad = None
        syn1.grad = None
    print(f"       {iterations} iterations in {time.perf_counter() - start:.1f} s")
    print(f"       output after training: {np.round(l2.numpy()[:, 0], 4).tolist()} "
          f"(target {[r[0] for r in Y_3LAYER]})")

    # The hand-written deltas, evaluated once at the final weights, are minus the gradients.
    l1 = l0.dot(syn0).sigmoid()
    l2 = l1.dot(syn1).sigmoid()
    (0.5 * ((y - l2) ** 2).sum()).backward()
    a1, a2, yy = l1.numpy(), l2.numpy(), y.numpy()
    l2_delta = (yy - a2) * (a2 * (1 - a2))
    l1_delta = l2_delta.dot(syn1.numpy().T) * (a1 * (1 - a1))
    check.compare("001's l1.T.dot(l2_delta) = -syn1.grad", a1.T.dot(l2_delta),
                  -syn1.grad.numpy())
    check.compare("001's l0.T.dot(l1_delta) = -syn0.grad", l0.numpy().T.dot(l1_delta),
                  -syn0.grad.numpy())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="skip the 2-layer net and stop the 3-layer net after j = 10000")
    args = parser.parse_args(argv)
    check = _common.Checker()
    if not args.quick:
        two_layer(check, 10000)
    three_layer(check, 10001 if args.quick else 60000)
    return check.finish()


if __name__ == "__main__":
    sys.exit(main())
