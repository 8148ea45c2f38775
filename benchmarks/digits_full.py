"""Benchmark: the full digits training of examples/digits.py, timed (not a test).

Trains the default network (Linear(64, 128) -> ReLU -> Linear(128, 10), Adam lr 2e-3, batches
of 32, 30 epochs) on scikit-learn's 8x8 digits once per seed and prints the test accuracy and the
wall time of each run, then the worst and the mean. The target is at least 97% test accuracy in
under a minute on two cores. Needs scikit-learn (pip install -e '.[examples]').

    python benchmarks/digits_full.py              # seeds 0 1 2
    python benchmarks/digits_full.py --seeds 0    # one run
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
import _common  # noqa: E402,F401  (puts the checkout on sys.path; one BLAS thread)
import digits  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    data = digits.load_sklearn_digits()
    print(f"data: {len(data.y_train)} training and {len(data.y_test)} test images, loaded in "
          f"{time.perf_counter() - start:.2f} s; {os.cpu_count()} CPUs, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}")
    results = []
    for seed in args.seeds:
        wall = time.perf_counter()
        cpu = time.process_time()
        model = digits.make_model(data.x_train.shape[1], 128, seed)
        history = digits.train(model, data, args.epochs, lr=2e-3, batch_size=32, seed=seed,
                               progress=False, log_epochs=False)
        wall = time.perf_counter() - wall
        cpu = time.process_time() - cpu
        results.append((history.test_acc[-1], wall))
        print(f"seed {seed}: test accuracy {history.test_acc[-1]:.4f} after {args.epochs} "
              f"epochs; wall time {wall:.1f} s (CPU {cpu:.1f} s)")
    accs = [a for a, _ in results]
    walls = [w for _, w in results]
    print(f"worst test accuracy {min(accs):.4f}, mean {sum(accs) / len(accs):.4f}; "
          f"slowest run {max(walls):.1f} s")
    ok = min(accs) >= 0.97 and max(walls) < 60
    print("target (>= 97% in < 60 s):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
