"""``torch.autograd.Function``: a custom op written with tensors, as in PyTorch.

The engine's own ops (``tinygrad_edu.Function``, ``ops.py``) compute on NumPy arrays. PyTorch's
custom functions compute on tensors: ``input.clamp(min=0)`` in ``forward``,
``grad_output.clone()`` in ``backward``. This ``Function`` gives them tensors: each subclass
gets an engine op (``Function.node``) whose forward and backward wrap the arrays as tensors,
call the subclass's own ``forward``/``backward``, and unwrap what they return. ``forward``
runs without recording a graph, as in PyTorch; with ``create_graph=True`` ``backward`` records
one, so it can be differentiated again when it is written with tensor operations.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .tensor import Context, Tensor, no_grad
from .tensor import Function as _EngineFunction

__all__ = ["Function", "FunctionCtx"]


class FunctionCtx:
    """The ``ctx`` a tensor-style ``forward``/``backward`` sees (PyTorch's ``ctx``).

    ``save_for_backward(*tensors)`` and ``saved_tensors``, ``needs_input_grad``, and any
    attribute you set (``ctx.constant = 2``). Saved tensors are checked by the version
    counter: changing one in place before backward makes backward raise.
    """

    def __init__(self, node_ctx: Context) -> None:
        self._node_ctx = node_ctx
        self.needs_input_grad = node_ctx.needs_input_grad
        self.materialize_grads = True

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep tensors (or None) for ``backward``."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward: argument {i} is a {type(t).__name__}; "
                                "only tensors (or None) can be saved, set other values as "
                                "attributes of ctx")
        self._node_ctx.save_for_backward(*(None if t is None else t.data for t in tensors))

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """The tensors ``save_for_backward`` kept."""
        return tuple(v if v is None or isinstance(v, Tensor) else Tensor._wrap(v)
                     for v in self._node_ctx.saved_tensors)

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """Accepted (PyTorch uses it for integer outputs, which never require grad here)."""

    def mark_dirty(self, *tensors: Tensor) -> None:
        """Accepted: an input changed in place in ``forward`` is logged by the version counter."""

    def set_materialize_grads(self, value: bool) -> None:
        """Whether a missing output gradient reaches ``backward`` as zeros (always, here)."""
        self.materialize_grads = bool(value)


def _as_tensor(x: Any) -> Any:
    return Tensor._wrap(x) if isinstance(x, np.ndarray) else x


class Function:
    """Subclass it with static ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)``
    written with tensors, then call ``MyFunction.apply(*args)``, exactly as in PyTorch.

    ``backward`` returns one gradient (a tensor, or None) per argument of ``forward``.
    PyTorch 2's form, ``forward(*args)`` without ctx plus ``setup_context(ctx, inputs, output)``,
    works too. One output per function (a tuple of outputs is not implemented yet).
    """

    node: type[_EngineFunction]

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("define forward(ctx, *args) in your Function subclass")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError("define backward(ctx, grad_output) in your Function subclass")

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Any) -> Any:
        return NotImplemented

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        user = cls
        separate = "setup_context" in cls.__dict__

        def forward(node_ctx: Context, *arrays: Any, **kw: Any) -> Any:
            ctx = FunctionCtx(node_ctx)
            node_ctx.user_ctx = ctx
            inputs = tuple(_as_tensor(a) for a in arrays)
            with no_grad():
                if separate:
                    out = user.forward(*inputs, **kw)
                    user.setup_context(ctx, inputs, out)
                else:
                    out = user.forward(ctx, *inputs, **kw)
            if isinstance(out, tuple | list):
                raise NotImplementedError(
                    f"tinygrad_edu does not implement a Function with several outputs yet "
                    f"({user.__name__}.forward returned {len(out)})"
                )
            if isinstance(out, Tensor):
                for a in arrays:  # an input returned as it is: PyTorch returns a view of it
                    if out.data is a:
                        return a.copy()
                return out.data
            return np.asarray(out)

        def backward(node_ctx: Context, grad: Any) -> Any:
            ctx = node_ctx.user_ctx
            arrays_in = type(grad) is np.ndarray
            result = user.backward(ctx, _as_tensor(grad))
            grads = result if isinstance(result, tuple) else (result,)
            if not arrays_in:  # create_graph: the gradients keep their graph
                return grads
            return tuple(g.data if isinstance(g, Tensor) else g for g in grads)

        cls.node = type(cls.__name__, (_EngineFunction,), {
            "forward": staticmethod(forward),
            "backward": staticmethod(backward),
            "__doc__": cls.__doc__,
            "__module__": cls.__module__,
        })

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Tensor:
        """Run the function on ``args`` and record it in the graph."""
        if cls is Function:
            raise TypeError("Function.apply: subclass Function and call YourFunction.apply")
        return cls.node.apply(*args, **kwargs)
