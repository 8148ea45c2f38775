"""``Linear`` (with ``Identity`` and ``Bilinear``): the layers that multiply by a weight.

``nn.Linear.weight`` has shape ``(in_features, out_features)`` and ``forward(x) = x @ weight +
bias``: exactly the documents' ``l1 = l0.dot(syn0)``. PyTorch stores the transpose,
``(out_features, in_features)``, and computes ``x @ weight.T + bias`` (``F.linear``);
transpose when moving weights between the two.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..tensor import Tensor, _rng
from . import functional as F
from . import init
from .module import Module, Parameter, _check_device, _float_dtype

__all__ = ["Identity", "Linear", "Bilinear"]


class Identity(Module):
    """Returns its input unchanged (any constructor arguments are ignored, as in PyTorch)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Any) -> Any:
        return input


def _is_torch_generator(rng: Any) -> bool:
    from .. import random  # a tinygrad_edu.random.Generator draws as PyTorch's does

    gen = getattr(random, "Generator", None)
    return gen is not None and isinstance(rng, gen)


class Linear(Module):
    """``forward(x) = x @ weight + bias``: the documents' ``l1 = l0.dot(syn0)``.

    ``weight`` has shape ``(in_features, out_features)``, so it is the documents' ``syn0``
    exactly. PyTorch stores the transpose, ``(out_features, in_features)``, and computes
    ``x @ weight.T``: transpose when moving weights between the two.

    Initial values: with ``rng=None`` (the default) they are PyTorch's, drawn from
    ``tinygrad_edu.random``'s default generator exactly as ``torch.nn.Linear`` draws them
    (``kaiming_uniform_(a=sqrt(5))`` on the ``(out, in)`` weight, that is U(-1/sqrt(in),
    1/sqrt(in)), then the bias from the same range): after ``tinygrad_edu.manual_seed(0)``
    the weight is ``torch.nn.Linear``'s after ``torch.manual_seed(0)``, transposed. A
    ``tinygrad_edu.random.Generator`` as ``rng`` draws the same way from it. A
    ``numpy.random.Generator`` or an int seed as ``rng`` draws U(-1/sqrt(in), 1/sqrt(in))
    from NumPy instead, the weight first, in its own ``(in, out)`` layout.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 rng: np.random.Generator | int | Any | None = None, dtype: Any = None,
                 *, device: Any = None) -> None:
        super().__init__()
        _check_device(device, "Linear")
        for what, n in (("in_features", in_features), ("out_features", out_features)):
            if isinstance(n, bool) or not isinstance(n, int | np.integer):
                raise TypeError(f"Linear: {what} must be an int, got {type(n).__name__} {n!r}")
        if in_features <= 0 or out_features <= 0:
            raise ValueError(
                f"Linear: in_features and out_features must be positive, "
                f"got {in_features} and {out_features}"
            )
        self.in_features = in_features
        self.out_features = out_features
        d = _float_dtype(dtype if dtype is not None else np.float64, "Linear")
        weight = Parameter(np.empty((in_features, out_features), d))
        # nn.init treats this weight as PyTorch's (out, in) tensor: see Parameter.
        weight._torch_layout_transposed = True
        self.weight = weight
        self.bias: Parameter | None
        self.register_parameter("bias", Parameter(np.empty(out_features, d)) if bias else None)
        if rng is None:
            self._reset(None)
        elif not isinstance(rng, np.random.Generator | int | np.integer) \
                and _is_torch_generator(rng):
            self._reset(rng)
        else:
            gen = _rng(rng)
            bound = 1.0 / math.sqrt(in_features)
            weight.data[...] = gen.uniform(-bound, bound, (in_features, out_features))
            if self.bias is not None:
                self.bias.data[...] = gen.uniform(-bound, bound, (out_features,))

    def _reset(self, generator: Any) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), generator=generator)
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound, generator=generator)

    def reset_parameters(self) -> None:
        """Draw the weight and bias again as PyTorch does, from the default generator."""
        self._reset(None)

    def forward(self, input: Tensor) -> Tensor:
        if input.shape[-1:] != (self.in_features,):
            raise ValueError(
                f"Linear({self.in_features}, {self.out_features}): input of shape {input.shape} "
                f"does not end in {self.in_features} features"
            )
        out = input @ self.weight
        return out + self.bias if self.bias is not None else out

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Bilinear(Module):
    """``y = x1^T A x2 + b`` for each output: ``F.bilinear``.

    ``weight`` has PyTorch's shape ``(out_features, in1_features, in2_features)``; weight
    and bias start U(-1/sqrt(in1_features), 1/sqrt(in1_features)), drawn as PyTorch draws them.
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int,
                 bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        _check_device(device, "Bilinear")
        d = _float_dtype(dtype if dtype is not None else np.float64, "Bilinear")
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(np.empty((out_features, in1_features, in2_features), d))
        self.bias: Parameter | None
        self.register_parameter("bias", Parameter(np.empty(out_features, d)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw weight and bias from U(-1/sqrt(in1_features), 1/sqrt(in1_features))."""
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
