"""In-place changes of tensors: PyTorch's ``add_``, ``zero_``, ``t[i] = v`` and the rest.

``Tensor`` inherits these methods from ``InplaceMethods``. Each computes its result with the
ordinary, out-of-place operations and then writes it into the tensor's own array, so every
other holder of that array (a ``detach()``, a view, ``.data``) sees the change, as in PyTorch.
Each change is logged in the version counter (``tensor.bump_version``), so an op that saved
the old values for backward raises instead of differentiating with the wrong ones.

When the change itself must be recorded (the tensor is in a graph, or the new value requires
grad), the tensor takes the result's place in the graph and its previous value moves to a new
tensor, ``old``; every op that already used the tensor is pointed at ``old``, since that is the
value it used. This is PyTorch's "rebase" of the history. (Finding those ops needs a search of
the live objects, ``gc.get_referrers``: it costs a few milliseconds, and only this path pays.)
"""

# The methods annotate ``self`` as ``Tensor``, the class that inherits them; mypy flags such a
# self type on a mixin ("misc") but then checks the bodies against Tensor, which is the point.
# mypy: disable-error-code="misc"

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor


def _tensor_module() -> Any:
    # (by its full name: the package's own ``tensor`` attribute is the torch.tensor factory)
    return sys.modules[__name__.rpartition(".")[0] + ".tensor"]


def _requires_grad(x: Any) -> bool:
    return bool(getattr(x, "_requires_grad", False))


def update(t: Tensor, name: str, compute: Callable[[Tensor], Tensor], *others: Any) -> Tensor:
    """Write ``compute(t)`` into ``t`` in place; record the change when the graph needs it.

    ``others`` are the operands besides ``t`` (to see whether the result requires grad).
    """
    core = _tensor_module()
    recording = core.is_grad_enabled() and (t._requires_grad or any(map(_requires_grad, others)))
    if not recording:
        with core.no_grad():
            result = compute(t)
        _write(t, name, result)
        return t
    if t._ctx is None and t._requires_grad:
        raise RuntimeError(
            f"{name}: a leaf tensor that requires grad cannot be changed in place while the graph "
            "is recorded (its gradient would lose its meaning); change it inside "
            "`with torch.no_grad():` (or through .data), as an optimizer does"
        )
    if t.data.base is not None or core.has_views(t.data):
        # Its memory is shared with another tensor (a view, or viewed): that tensor's values
        # would change too, but not its place in the graph.
        raise NotImplementedError(
            f"tinygrad_edu does not implement {name} inside a recorded graph on a tensor that "
            f"shares its memory with another one (a view such as x.view(...), x.t() or "
            f"x[0], or a tensor viewed that way) yet (shape {t.shape}); compute out of place "
            "instead (y = y + 1), assign with x[index] = value, or .clone() first"
        )
    old = core.Tensor._wrap(t.data.copy())
    old._ctx = t._ctx
    old._requires_grad = t._requires_grad
    old.name = t.name
    result = compute(old)
    # Every op that used t so far, including those compute just recorded when t is its own
    # operand (h.add_(h)), used its previous value: point them at old.
    _rewire_uses(t, old, saved_from=result._ctx)
    _write(t, name, result)
    ctx = result._ctx
    t._ctx = ctx
    t._requires_grad = result._requires_grad
    if ctx is not None:
        if ctx.saved:  # the result's own array is now t's: what its backward reads
            ctx.saved = tuple(t.data if v is result.data else v for v in ctx.saved)
            ctx.epoch = core.current_epoch()  # it saw the new values
        if not hasattr(ctx, "inplace"):
            ctx.inplace = name  # shown when the graph is drawn
    return t


def _write(t: Tensor, name: str, result: Tensor) -> None:
    """Copy the result's values into ``t``'s array and log the change."""
    value = result.data
    if value.shape != t.data.shape:
        raise RuntimeError(
            f"{name}: the result has shape {value.shape} but the tensor changed in place has "
            f"shape {t.shape}; an in-place operation cannot change a tensor's shape"
        )
    if value.dtype.kind == "f" and t.data.dtype.kind != "f":
        raise RuntimeError(
            f"{name}: result type {value.dtype} can't be cast to the desired output type "
            f"{t.dtype} (the tensor changed in place keeps its dtype)"
        )
    np.copyto(t.data, value, casting="unsafe")
    _tensor_module().bump_version(t.data)


def _rewire_uses(t: Tensor, old: Tensor, saved_from: Any = None) -> None:
    """Point every recorded op that used ``t`` at ``old`` (they used its previous value).

    ``saved_from``: the context of the change itself, whose saved copy of ``t``'s values
    (when ``t`` was also its operand) is ``old``'s array from now on.
    """
    core = _tensor_module()
    tuples = [r for r in gc.get_referrers(t) if type(r) is tuple]
    if tuples:
        ids = {id(r) for r in tuples}
        for obj in gc.get_referrers(*tuples):
            if type(obj) is not core.Context:
                continue
            same = obj.args is obj.parents
            if id(obj.parents) in ids:
                obj.parents = tuple(old if p is t else p for p in obj.parents)
            if same:
                obj.args = obj.parents
            elif id(obj.args) in ids:
                obj.args = tuple(old if a is t else a for a in obj.args)
    if saved_from is not None and saved_from.saved:
        saved_from.saved = tuple(old.data if v is t.data else v for v in saved_from.saved)


class InplaceMethods:
    """Mixin of ``Tensor``: PyTorch's in-place methods (see the module docstring)."""

    __slots__ = ()

    def zero_(self: Tensor) -> Tensor:
        """Fill with zeros, in place."""
        return self.fill_(0)

    def fill_(self: Tensor, value: Any) -> Tensor:
        """Fill with ``value`` (a number or a one-element tensor), in place."""
        core = _tensor_module()
        if isinstance(value, core.Tensor):
            if value.data.size != 1:
                raise RuntimeError(f"fill_: only a one-element tensor can fill, got shape "
                                   f"{value.shape}")
            return update(self, "fill_",
                          lambda t: value.reshape(()).astype(t.dtype).broadcast_to(t.shape), value)
        def filled(t: Tensor) -> Tensor:
            full = core.Tensor._wrap(np.full(t.shape, value, dtype=t.dtype))
            if not t._requires_grad:
                return full
            # Recorded: still a node of the graph, passing a gradient of 0 to the old value.
            from . import ops

            return ops.Where.apply(np.ones(t.shape, dtype=bool), full, t)

        return update(self, "fill_", filled)

    def add_(self: Tensor, other: Any, alpha: float = 1) -> Tensor:
        """``self += alpha * other``, in place."""
        return update(self, "add_", lambda t: t + (other if alpha == 1 else other * alpha), other)

    def sub_(self: Tensor, other: Any, alpha: float = 1) -> Tensor:
        """``self -= alpha * other``, in place."""
        return update(self, "sub_", lambda t: t - (other if alpha == 1 else other * alpha), other)

    def mul_(self: Tensor, other: Any) -> Tensor:
        """``self *= other``, in place."""
        return update(self, "mul_", lambda t: t * other, other)

    def div_(self: Tensor, other: Any, rounding_mode: str | None = None
             ) -> Tensor:
        """``self /= other``, in place (``rounding_mode`` as ``div``)."""
        if rounding_mode is None:
            return update(self, "div_", lambda t: t / other, other)
        return update(self, "div_", lambda t: t.div(other, rounding_mode=rounding_mode), other)

    def pow_(self: Tensor, exponent: Any) -> Tensor:
        """``self **= exponent``, in place."""
        return update(self, "pow_", lambda t: t ** exponent, exponent)

    def neg_(self: Tensor) -> Tensor:
        """Negate, in place."""
        return update(self, "neg_", lambda t: -t)

    def clamp_(self: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """Limit to [min, max], in place."""
        return update(self, "clamp_", lambda t: t.clamp(min, max))

    clip_ = clamp_

    def clamp_min_(self: Tensor, min: Any) -> Tensor:  # noqa: A002
        """Limit from below, in place."""
        return update(self, "clamp_min_", lambda t: t.clamp(min, None))

    def clamp_max_(self: Tensor, max: Any) -> Tensor:  # noqa: A002
        """Limit from above, in place."""
        return update(self, "clamp_max_", lambda t: t.clamp(None, max))

    def copy_(self: Tensor, src: Any) -> Tensor:
        """Copy ``src``'s values (broadcast to this shape) into this tensor, in place.

        The gradient flows to ``src``, as in PyTorch.
        """
        core = _tensor_module()
        s = src if isinstance(src, core.Tensor) else core.Tensor(np.asarray(src),
                                                                  dtype=np.asarray(src).dtype)
        if s.data.dtype != self.data.dtype:
            if self.data.dtype.kind != "f" or s.data.dtype.kind != "f":
                with core.no_grad():
                    s = core.Tensor._wrap(s.data.astype(self.data.dtype))
            else:
                s = s.astype(self.data.dtype)
        try:
            np.broadcast_shapes(s.shape, self.shape)
        except ValueError:
            raise RuntimeError(f"copy_: the source of shape {s.shape} does not broadcast to "
                               f"the tensor's shape {self.shape}") from None
        return update(self, "copy_", lambda t: s.broadcast_to(t.shape), s)

    def masked_fill_(self: Tensor, mask: Any, value: Any) -> Tensor:
        """Set the elements where ``mask`` is true to ``value``, in place."""
        return update(self, "masked_fill_", lambda t: t.masked_fill(mask, value), value)

    def exp_(self: Tensor) -> Tensor:
        """e**x, in place."""
        return update(self, "exp_", lambda t: t.exp())

    def log_(self: Tensor) -> Tensor:
        """Natural logarithm, in place."""
        return update(self, "log_", lambda t: t.log())

    def sqrt_(self: Tensor) -> Tensor:
        """Square root, in place."""
        return update(self, "sqrt_", lambda t: t.sqrt())

    def abs_(self: Tensor) -> Tensor:
        """Absolute value, in place."""
        return update(self, "abs_", lambda t: t.abs())

    def relu_(self: Tensor) -> Tensor:
        """max(x, 0), in place."""
        return update(self, "relu_", lambda t: t.relu())

    def sigmoid_(self: Tensor) -> Tensor:
        """The sigmoid, in place."""
        return update(self, "sigmoid_", lambda t: t.sigmoid())

    def tanh_(self: Tensor) -> Tensor:
        """tanh, in place."""
        return update(self, "tanh_", lambda t: t.tanh())

    def _random_fill(self: Tensor, name: str, values: np.ndarray) -> Tensor:
        if self.data.dtype.kind != "f":
            raise TypeError(f"{name}: expects a floating point tensor, got dtype {self.dtype}")
        core = _tensor_module()
        if core.is_grad_enabled() and self._requires_grad:
            raise RuntimeError(
                f"{name}: a leaf tensor that requires grad cannot be changed in place while the "
                "graph is recorded; fill it inside `with torch.no_grad():`"
            )
        self.data[...] = values
        core.bump_version(self.data)
        return self

    def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *,
                generator: Any = None) -> Tensor:
        """Fill with samples of N(mean, std**2) from PyTorch's generator, in place (the stream
        of ``random.stream_dtype``: a float64 tensor draws PyTorch's float32 numbers until the
        program sets a default dtype)."""
        from . import random

        draw = random.stream_dtype(self.data.dtype)
        return self._random_fill("normal_", random.normal(self.shape, mean, std, draw, generator))

    def uniform_(self: Tensor, a: float = 0.0, b: float = 1.0, *,
                 generator: Any = None) -> Tensor:
        """Fill with samples of U[a, b) from PyTorch's generator, in place."""
        from . import random

        draw = random.stream_dtype(self.data.dtype)
        return self._random_fill("uniform_", random.uniform(self.shape, a, b, draw, generator))

    def __setitem__(self: Tensor, index: Any, value: Any) -> None:
        """``t[index] = value``, in place, as in PyTorch (recorded when the graph needs it)."""
        core = _tensor_module()
        from . import ops

        idx = ops.normalize_index(index)
        if not (core.is_grad_enabled() and (self._requires_grad or _requires_grad(value))):
            v = value.data if isinstance(value, core.Tensor) else value
            try:
                self.data[idx] = v
            except (ValueError, IndexError) as e:
                raise type(e)(f"setitem: {e} (tensor shape {self.shape})") from None
            core.bump_version(self.data)
            return
        # Recorded: t with the selected elements replaced is where(mask, scatter(value), t).
        picked = np.zeros(self.shape, dtype=np.intp)
        np.add.at(picked, idx, 1)
        if picked.max(initial=0) > 1:
            raise NotImplementedError(
                "tinygrad_edu does not implement assigning to an element picked twice by one "
                "index inside a recorded graph yet; use unique indices"
            )
        mask = picked.astype(bool)
        v = value if isinstance(value, core.Tensor) else core.Tensor(np.asarray(value),
                                                                      dtype=self.data.dtype)
        target = self.data[idx].shape
        if v.shape != target:
            try:
                v = v.broadcast_to(target)
            except ValueError:
                raise ValueError(f"setitem: a value of shape {v.shape} cannot be assigned to "
                                 f"{target} elements of a tensor of shape {self.shape}") from None
        if v.data.dtype != self.data.dtype:
            v = v.astype(self.data.dtype)

        def compute(t: Tensor) -> Tensor:
            scattered = ops.IndexAdd.apply(v, shape=self.shape, index=idx)
            return ops.Where.apply(mask, scattered, t)

        update(self, "setitem", compute, v)
