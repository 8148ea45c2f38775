"""The data every engine trains on: built here once, handed to each engine as fresh copies.

All arrays are float64. Each workload module receives these arrays and builds its own
tensors from them, so every engine starts from exactly the same numbers and its result can
be compared with hand-written NumPy's element by element.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# Document 001 ("A neural network in 11 lines of Python"): four rows, three inputs, the
# third always 1; the label is the XOR of the first two.
XOR_X = [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]
XOR_Y = [[0], [1], [1], [0]]

# The chain: y -> sigmoid(y * CHAIN_A + CHAIN_B), DEPTH times, from y = CHAIN_Y0.
CHAIN_Y0 = 0.5
CHAIN_A = 1.01
CHAIN_B = 0.01

# MNIST-shaped MLP: 784 inputs, 10 outputs.
MLP_IN = 784
MLP_OUT = 10


def xor_init() -> dict[str, Any]:
    """Document 001's 3-layer net: syn0 (3, 4) and syn1 (4, 1) drawn as the document draws
    them (``np.random.seed(1)``, ``2*np.random.random(shape) - 1``); learning rate 1."""
    rs = np.random.RandomState(1)
    syn0 = 2 * rs.random_sample((3, 4)) - 1
    syn1 = 2 * rs.random_sample((4, 1)) - 1
    return {
        "X": np.array(XOR_X, dtype=np.float64),
        "y": np.array(XOR_Y, dtype=np.float64),
        "syn0": syn0,
        "syn1": syn1,
        "lr": 1.0,
    }


def mlp_init(batch: int = 128, hidden: int = 256, n_in: int = MLP_IN, n_out: int = MLP_OUT,
             seed: int = 0, lr: float = 0.1) -> dict[str, Any]:
    """A sigmoid MLP n_in-hidden-n_out with biases, one fixed batch, one-hot targets.

    Inputs are uniform in [0, 1) (pixel-like); weights and biases uniform in
    [-1/sqrt(fan_in), 1/sqrt(fan_in)] (PyTorch's default for nn.Linear). Weights are stored
    as (in, out), so a layer is ``x @ W + b``.
    """
    rng = np.random.default_rng(seed)
    X = rng.random((batch, n_in))
    labels = rng.integers(0, n_out, batch)
    Y = np.zeros((batch, n_out))
    Y[np.arange(batch), labels] = 1.0
    b1 = 1.0 / np.sqrt(n_in)
    b2 = 1.0 / np.sqrt(hidden)
    return {
        "X": X,
        "Y": Y,
        "W1": rng.uniform(-b1, b1, (n_in, hidden)),
        "b1": rng.uniform(-b1, b1, hidden),
        "W2": rng.uniform(-b2, b2, (hidden, n_out)),
        "b2": rng.uniform(-b2, b2, n_out),
        "lr": lr,
    }


# The "MLP-small" of the memory-flatness check: cheap enough for 10,000 steps everywhere.
MLP_SMALL = {"batch": 16, "hidden": 32, "n_in": 64}
