"""Neural-network building blocks: ``Module``, layers, activations and losses.

Everything here is built from tensor operations, so autograd differentiates it; no module
has a backward of its own except ``BCELoss``, whose log is clamped as PyTorch clamps it.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import numpy as np

from .tensor import Context, Function, Tensor, _rng, _to_array

__all__ = [
    "Module",
    "Parameter",
    "Linear",
    "Sigmoid",
    "Tanh",
    "ReLU",
    "Softmax",
    "LogSoftmax",
    "Sequential",
    "MSELoss",
    "BCELoss",
    "CrossEntropyLoss",
]


class Parameter(Tensor):
    """A tensor that a ``Module`` registers as learnable: ``requires_grad=True`` by default."""

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True, dtype: Any = None,
                 name: str | None = None) -> None:
        super().__init__(data, requires_grad=requires_grad, dtype=dtype, name=name)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """Base class of layers and models: subclass it and define ``forward``.

    Attributes that are ``Parameter``s or ``Module``s are registered in the order they are
    set, which gives ``parameters()``, ``named_parameters()`` and ``state_dict()`` their order
    and their dotted names (``fc1.weight``).
    """

    _parameters: OrderedDict[str, Parameter]
    _modules: OrderedDict[str, Module]

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())

    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__}: call super().__init__() before assigning attributes"
            )
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        object.__delattr__(self, name)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; subclasses define it and call the module, not ``forward``."""
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        out = self.forward(*args, **kwargs)
        # Remember on the output's graph node which module made it and from which inputs,
        # so draw_graph can box a layer's tensors together. Nothing when no graph is recorded.
        if isinstance(out, Tensor) and out._ctx is not None:
            inputs = tuple(a for a in (*args, *kwargs.values()) if isinstance(a, Tensor))
            if not any(out is a for a in inputs):
                out._ctx.__dict__.setdefault("module_calls", []).append((self, inputs))
        return out

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and every submodule, with dotted names ("" for this one)."""
        yield prefix, self
        for name, m in self._modules.items():
            yield from m.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self) -> Iterator[Module]:
        """This module and every submodule."""
        for _, m in self.named_modules():
            yield m

    def children(self) -> Iterator[Module]:
        """The direct submodules."""
        yield from self._modules.values()

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """``(dotted_name, parameter)`` pairs; a parameter shared by two layers comes once."""
        seen: set[int] = set()
        for mod_name, m in self.named_modules(prefix):
            for name, p in m._parameters.items():
                if id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{mod_name}.{name}" if mod_name else name), p

    def parameters(self) -> Iterator[Parameter]:
        """An iterator over the learnable parameters (as in PyTorch: use it once, or list it)."""
        for _, p in self.named_parameters():
            yield p

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to ``None``."""
        for p in self.parameters():
            p.grad = None

    def state_dict(self) -> dict[str, np.ndarray]:
        """Parameter name -> a copy of its array."""
        return {name: p.data.copy() for name, p in self.named_parameters()}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Copy arrays into the parameters; on any mismatch raise and change nothing.

        ``KeyError`` names missing and unexpected names; ``ValueError`` a shape mismatch.
        """
        params = dict(self.named_parameters())
        missing = [k for k in params if k not in state_dict]
        unexpected = [k for k in state_dict if k not in params]
        if missing or unexpected:
            raise KeyError(
                f"load_state_dict: missing keys {missing}, unexpected keys {unexpected}"
            )
        new = {}
        for name, p in params.items():
            arr = _to_array(state_dict[name], p.data.dtype)
            if arr.shape != p.data.shape:
                raise ValueError(
                    f"load_state_dict: {name} has shape {arr.shape} in the state dict but "
                    f"{p.data.shape} in the model"
                )
            new[name] = arr
        for name, p in params.items():  # all checked: now change
            p.data[...] = new[name]

    def extra_repr(self) -> str:
        """What ``repr`` shows between the parentheses (``Linear(3, 4)``)."""
        return ""

    def __repr__(self) -> str:
        lines = [f"({name}): " + repr(m).replace("\n", "\n  ") for name, m in self._modules.items()]
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"


class Linear(Module):
    """``forward(x) = x @ weight + bias``: the documents' ``l1 = l0.dot(syn0)``.

    ``weight`` has shape ``(in_features, out_features)``, so it is the documents' ``syn0``
    exactly. PyTorch stores the transpose, ``(out_features, in_features)``, and computes
    ``x @ weight.T``: transpose when moving weights between the two. Weights and bias start
    uniform in ``[-1/sqrt(in_features), 1/sqrt(in_features)]``, PyTorch's default.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 rng: np.random.Generator | int | None = None) -> None:
        super().__init__()
        if in_features <= 0 or out_features <= 0:
            raise ValueError(
                f"Linear: in_features and out_features must be positive, "
                f"got {in_features} and {out_features}"
            )
        self.in_features = in_features
        self.out_features = out_features
        gen = _rng(rng)
        bound = 1.0 / math.sqrt(in_features)
        self.weight = Parameter(gen.uniform(-bound, bound, (in_features, out_features)))
        self.bias = Parameter(gen.uniform(-bound, bound, (out_features,))) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        if x.shape[-1:] != (self.in_features,):
            raise ValueError(
                f"Linear({self.in_features}, {self.out_features}): input of shape {x.shape} "
                f"does not end in {self.in_features} features"
            )
        out = x @ self.weight
        return out + self.bias if self.bias is not None else out

    def extra_repr(self) -> str:
        return f"{self.in_features}, {self.out_features}" + ("" if self.bias is not None
                                                           else ", bias=False")


class Sigmoid(Module):
    """Applies ``x.sigmoid()``: the documents' ``nonlin``."""

    def forward(self, x: Tensor) -> Tensor:
        return x.sigmoid()


class Tanh(Module):
    """Applies ``x.tanh()``."""

    def forward(self, x: Tensor) -> Tensor:
        return x.tanh()


class ReLU(Module):
    """Applies ``x.relu()``."""

    def forward(self, x: Tensor) -> Tensor:
        return x.relu()


class Softmax(Module):
    """Applies ``x.softmax(axis)``."""

    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis

    def forward(self, x: Tensor) -> Tensor:
        return x.softmax(self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class LogSoftmax(Softmax):
    """Applies ``x.log_softmax(axis)``."""

    def forward(self, x: Tensor) -> Tensor:
        return x.log_softmax(self.axis)


class Sequential(Module):
    """Modules applied one after another; indexable (``model[0]``) and iterable."""

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(f"Sequential: argument {i} is a {type(m).__name__}, not a Module")
            setattr(self, str(i), m)

    def forward(self, x: Any) -> Any:
        for m in self._modules.values():
            x = m(x)
        return x

    def __getitem__(self, i: int | slice) -> Any:
        mods = list(self._modules.values())
        return Sequential(*mods[i]) if isinstance(i, slice) else mods[i]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> Sequential:
        setattr(self, str(len(self)), module)
        return self


# --------------------------------------------------------------------------- losses


def _check_reduction(name: str, reduction: str) -> str:
    if reduction not in ("mean", "sum"):
        raise ValueError(f"{name}: reduction must be 'mean' or 'sum', got {reduction!r}")
    return reduction


def _target(name: str, pred: Tensor, target: Any) -> Tensor:
    t = target if isinstance(target, Tensor) else Tensor(target, dtype=pred.dtype)
    if t.shape != pred.shape:
        raise ValueError(
            f"{name}: prediction of shape {pred.shape} and target of shape {t.shape} differ "
            "(the loss does not broadcast them: reshape one, e.g. y.reshape(-1, 1))"
        )
    return t


class _Loss(Module):
    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = _check_reduction(type(self).__name__, reduction)

    def _reduce(self, x: Tensor) -> Tensor:
        return x.mean() if self.reduction == "mean" else x.sum()

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """Mean (or sum) of ``(pred - target)**2``; the target gets a gradient when it needs one.

    Its gradient is ``2*(pred - target)/n``: victorzhou's ``d_L_d_ypred = -2*(y_true - y_pred)``.
    """

    def forward(self, pred: Tensor, target: Any) -> Tensor:
        diff = pred - _target("MSELoss", pred, target)
        return self._reduce(diff * diff)


def _clamped_log(x: Any) -> Any:
    """log(x) floored at -100, as PyTorch's BCELoss does, so log(0) stays finite."""
    with np.errstate(divide="ignore"):
        if isinstance(x, Tensor):
            return x.log().clamp(-100.0, None)
        return np.maximum(np.log(x), -100.0)


# bce: L = -(y*log(p) + (1-y)*log(1-p)),
#      dL/dp = (p - y) / (p*(1-p)),  dL/dy = log(1-p) - log(p)
# (logs floored at -100 and p*(1-p) at 1e-12, as in PyTorch, so p = 0 or 1 stays finite)
class _BinaryCrossEntropy(Function):
    @staticmethod
    def forward(ctx: Context, p: Any, y: Any) -> Any:
        if not np.all((p >= 0) & (p <= 1)):
            raise ValueError(
                f"bceloss: predictions must be probabilities in [0, 1], got values from "
                f"{np.nanmin(p)} to {np.nanmax(p)} (apply sigmoid first?)"
            )
        ctx.save_for_backward(p, y)
        return -(y * _clamped_log(p) + (1 - y) * _clamped_log(1 - p))

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        p, y = ctx.saved_tensors
        need_p, need_y = ctx.needs_input_grad
        grad_p = grad * (p - y) / (p * (1.0 - p)).clip(1e-12, None) if need_p else None
        grad_y = grad * (_clamped_log(1.0 - p) - _clamped_log(p)) if need_y else None
        return grad_p, grad_y


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities ``pred`` (e.g. after ``Sigmoid``) and targets."""

    def forward(self, pred: Tensor, target: Any) -> Tensor:
        return self._reduce(_BinaryCrossEntropy.apply(pred, _target("BCELoss", pred, target)))


class CrossEntropyLoss(_Loss):
    """Cross-entropy of logits ``(N, C)`` and integer class labels ``(N,)``.

    ``loss = -log_softmax(logits)[n, label[n]]``, averaged (or summed) over the batch.
    Labels may be an array, a list or a ``Tensor`` of whole numbers in ``[0, C)``.
    """

    def forward(self, logits: Tensor, labels: Any) -> Tensor:
        if logits.ndim != 2:
            raise ValueError(
                f"CrossEntropyLoss: logits must have shape (N, C), got {logits.shape}"
            )
        n, c = logits.shape
        lab = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
        if lab.shape != (n,):
            raise ValueError(
                f"CrossEntropyLoss: labels must have shape ({n},) for logits {logits.shape}, "
                f"got {lab.shape}"
            )
        if lab.dtype.kind == "f":
            if not np.all(lab == np.round(lab)):
                raise ValueError("CrossEntropyLoss: labels must be whole numbers (class indices)")
        elif lab.dtype.kind not in "iu":
            raise TypeError(f"CrossEntropyLoss: labels must be integers, got dtype {lab.dtype}")
        lab = lab.astype(np.intp)
        if n and (lab.min() < 0 or lab.max() >= c):
            raise ValueError(
                f"CrossEntropyLoss: labels must be in [0, {c}), got values from {lab.min()} "
                f"to {lab.max()}"
            )
        picked = logits.log_softmax(axis=1)[np.arange(n), lab]
        return -self._reduce(picked)
