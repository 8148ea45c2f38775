"""Watching backward: the backward pass as a list of steps, one per operation.

``trace_backward(loss)`` runs exactly the pass ``loss.backward()`` runs (the same loop in
``autograd``), but records each step instead of storing gradients: which op, the gradient
arriving at its output (the documents' delta from above), its local derivative, and what
it sends to each input. Summing what reaches a tensor gives its ``.grad``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .autograd import _as_grads, _backprop, _in_pass, _root_grad
from .draw import op_rule
from .tensor import Tensor

__all__ = ["BackwardStep", "trace_backward"]


@dataclass(eq=False)
class BackwardStep:
    """One operation's share of the backward pass.

    - ``op``: the op's name (``"Sigmoid"``); ``rule``: its derivative rule as text.
    - ``output``: the tensor the op made; ``inputs``: its inputs (``None`` for constants).
    - ``grad_output``: d(loss)/d(output), complete when the step runs.
    - ``local``: for elementwise ops, d(output)/d(input) element by element, for each input
      (``None`` for other ops, and for inputs that need no gradient).
    - ``grad_inputs``: the contribution sent to each input, in the input's shape; for an
      elementwise op it is ``grad_output * local`` summed over broadcast axes.
    """

    index: int
    op: str
    rule: str
    output: Tensor
    inputs: list[Tensor | None]
    grad_output: np.ndarray
    local: list[np.ndarray | None]
    grad_inputs: list[np.ndarray | None]


def trace_backward(loss: Tensor, grad: Any = None) -> list[BackwardStep]:
    """The steps of ``loss.backward(grad)``, in the order backward visits the ops.

    Leaves ``.grad`` untouched and keeps the graph (as ``retain_graph=True``), so
    ``loss.backward()`` can still run afterwards and will accumulate exactly the sums of
    the traced contributions.
    """
    if not isinstance(loss, Tensor):
        raise TypeError(f"trace_backward: expected a Tensor, got {type(loss).__name__}")
    if not loss.requires_grad:
        raise RuntimeError("trace_backward: the tensor does not require grad: nothing to trace")
    steps: list[BackwardStep] = []

    def record(node: Tensor, g: Any, sent: list[Any]) -> None:
        ctx = node._ctx
        assert ctx is not None
        local: list[np.ndarray | None] = [None] * len(ctx.parents)
        if ctx.fn.elementwise:
            ones = np.ones(node.shape, dtype=node.dtype)
            # backward of a gradient of ones: the local derivative, in the output's shape
            for i, d in enumerate(_as_grads(ctx, ctx.fn.backward(ctx, ones))):
                if d is not None and ctx.needs_input_grad[i]:
                    local[i] = np.broadcast_to(np.asarray(d, dtype=node.dtype), node.shape).copy()
        steps.append(BackwardStep(
            index=len(steps),
            op=ctx.fn.__name__,
            rule=op_rule(ctx.fn),
            output=node,
            inputs=list(ctx.parents),
            grad_output=np.array(g),
            local=local,
            grad_inputs=[None if s is None else np.array(s) for s in sent],
        ))

    g0 = _root_grad(loss, grad, create_graph=False)
    _in_pass(False, lambda: _backprop([loss], [g0], retain_graph=True, create_graph=False,
                                      on_step=record))
    return steps
