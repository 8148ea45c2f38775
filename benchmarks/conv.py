"""conv2d forward+backward: tinygrad_edu against PyTorch, one thread, float64.

    python benchmarks/conv.py [--rounds N] [--batch N]

The LeNet-sized workload of issue 12: a batch of 64 1x28x28 images through a conv2d with 6
5x5 filters, then one with 16 5x5 filters (24x24 -> 20x20), the sum of the output, and
backward to the input, both weights and both biases. Both engines get the same data and
weights; their loss and gradients are compared (1e-10) before timing. The rounds are
interleaved (ours, theirs, ours, ...) so a burst of load from elsewhere hits both; the
reported times are medians and the ratio is the median of the per-round ratios.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"  # before NumPy and PyTorch load their BLAS

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

import tinygrad_edu.nn.conv as C  # noqa: E402
from tinygrad_edu import Tensor  # noqa: E402


def _arrays(batch: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((batch, 1, 28, 28)), rng.standard_normal((6, 1, 5, 5)) * 0.2,
            rng.standard_normal(6) * 0.1, rng.standard_normal((16, 6, 5, 5)) * 0.08,
            rng.standard_normal(16) * 0.1]


def ours(arrays: list[np.ndarray]) -> Callable[[], list[np.ndarray]]:
    """One forward+backward of tinygrad_edu; returns the loss and the gradients."""
    def step() -> list[np.ndarray]:
        x, w1, b1, w2, b2 = (Tensor(a, requires_grad=True) for a in arrays)
        loss = C.conv2d(C.conv2d(x, w1, b1), w2, b2).sum()
        loss.backward()
        return [loss.data] + [t.grad.data for t in (x, w1, b1, w2, b2)]  # type: ignore[union-attr]
    return step


def theirs(arrays: list[np.ndarray]) -> Callable[[], list[np.ndarray]]:
    """The same in PyTorch."""
    import torch

    torch.set_num_threads(1)
    conv2d: Any = torch.nn.functional.conv2d

    def step() -> list[np.ndarray]:
        x, w1, b1, w2, b2 = (torch.tensor(a, requires_grad=True) for a in arrays)
        loss = conv2d(conv2d(x, w1, b1), w2, b2).sum()
        loss.backward()
        return [loss.detach().numpy()] + [t.grad.numpy() for t in (x, w1, b1, w2, b2)]  # type: ignore[union-attr]
    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()
    arrays = _arrays(args.batch)
    a, b = ours(arrays), theirs(arrays)
    for mine, ref in zip(a(), b(), strict=True):  # the same numbers first, then the time
        np.testing.assert_allclose(mine, ref, rtol=1e-10, atol=1e-10)
    for _ in range(3):  # warm-up
        a(), b()
    times_a, times_b, ratios = [], [], []
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        a()
        t1 = time.perf_counter()
        b()
        t2 = time.perf_counter()
        times_a.append(t1 - t0)
        times_b.append(t2 - t1)
        ratios.append((t1 - t0) / (t2 - t1))
    ta, tb = statistics.median(times_a), statistics.median(times_b)
    print(f"conv2d forward+backward, batch {args.batch}x1x28x28, 6 then 16 5x5 filters, "
          f"float64, one thread, median of {args.rounds} rounds")
    print(f"  tinygrad_edu  {ta * 1e3:8.2f} ms")
    print(f"  PyTorch       {tb * 1e3:8.2f} ms")
    print(f"  ratio         {statistics.median(ratios):8.2f}x")


if __name__ == "__main__":
    main()
