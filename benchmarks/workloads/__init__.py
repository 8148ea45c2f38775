"""One module per engine, each implementing the same workloads idiomatically for its library.

Every module defines:

- ``xor(init) -> (step, result)``: document 001's 3-4-1 sigmoid net on the four XOR rows.
  ``step()`` is one training step (forward, backward, update); ``result()`` returns the
  current weights as a dict of NumPy arrays, named as in ``init``.
- ``mlp(init) -> (step, result)``: the n_in-hidden-n_out sigmoid MLP with biases, mean
  squared error, one SGD step on one batch.
- ``chain(y0, depth) -> (y, dy_dy0)``: ``y = sigmoid(y*1.01 + 0.01)`` ``depth`` times from a
  one-element input, forward and backward; returns the final value and the gradient as floats.

``init`` comes from ``benchmarks/_data.py`` (fresh copies for each engine). A module may set
``UNSUPPORTED = {"mlp": "reason"}`` for workloads its library cannot reasonably run, and
``setup()`` for process-wide settings (threads).
"""

from __future__ import annotations

# engine name -> (module, label shown in tables, distribution whose version is reported)
ENGINES: dict[str, tuple[str, str, str]] = {
    "numpy": ("workloads.numpy_ref", "NumPy (hand-written)", "numpy"),
    "tinygrad_edu": ("workloads.tinygrad_edu_impl", "tinygrad_edu", "tinygrad_edu"),
    "torch": ("workloads.torch_impl", "PyTorch", "torch"),
    "mygrad": ("workloads.mygrad_impl", "MyGrad", "mygrad"),
    "autograd": ("workloads.autograd_impl", "autograd (HIPS)", "autograd"),
    "micrograd": ("workloads.micrograd_impl", "micrograd", "micrograd"),
}
