"""Drawing a computation graph with Graphviz.

One box per tensor (its name or a short id, its shape, and, when small, its values and
gradient) and one ellipse per operation, with edges in the direction data flows:
input tensor -> op -> output tensor. ``.source`` of the result is DOT text and needs no
Graphviz program; ``.render()`` and SVG output need the ``dot`` program.
"""

from __future__ import annotations

import html
from typing import Any

import graphviz
import numpy as np

from .tensor import Tensor

__all__ = ["draw_graph"]


def _collect(root: Tensor, max_nodes: int) -> list[Tensor]:
    """Every tensor the root was computed from, root first (iterative, no recursion)."""
    seen = {root}
    order = [root]
    stack = [root]
    while stack:
        t = stack.pop()
        if t._ctx is None:
            continue
        for p in t._ctx.parents:
            if p is not None and p not in seen:
                seen.add(p)
                order.append(p)
                stack.append(p)
                if len(order) > max_nodes:
                    raise ValueError(
                        f"draw_graph: the graph has more than max_nodes={max_nodes} tensors; "
                        "pass a larger max_nodes to draw it anyway"
                    )
    return order


def _fmt(arr: np.ndarray) -> str:
    return np.array2string(np.asarray(arr), precision=4, suppress_small=True, separator=", ",
                           max_line_width=60)


def _tensor_label(t: Tensor, tid: str, show_data: bool, show_grad: bool, max_elements: int
                  ) -> str:
    rows = [f"<b>{html.escape(t.name or tid)}</b>"]
    shape = "scalar" if t.ndim == 0 else "×".join(map(str, t.shape))
    dtype = "" if t.dtype == np.float64 else f" {t.dtype}"
    rows.append(f"{shape}{dtype}")
    small = t.size <= max_elements
    if show_data and small:
        rows.append("data " + html.escape(_fmt(t.data)).replace("\n", "<br/>"))
    if show_grad and small and t.grad is not None:
        rows.append("grad " + html.escape(_fmt(t.grad.data)).replace("\n", "<br/>"))
    return "<" + "<br/>".join(rows) + ">"


def draw_graph(
    root: Tensor,
    show_data: bool = True,
    show_grad: bool = True,
    rankdir: str = "LR",
    max_elements: int = 16,
    max_nodes: int = 5000,
) -> graphviz.Digraph:
    """The graph that computed ``root``, as a ``graphviz.Digraph``.

    Tensors are boxes (leaves that require grad are filled, constants dashed), operations
    are ellipses, and edges follow the data: input -> op -> output. Values and gradients
    are shown for tensors with at most ``max_elements`` elements. ``rankdir`` is Graphviz's
    layout direction (``"LR"``, ``"TB"``, ...).
    """
    if not isinstance(root, Tensor):
        raise TypeError(f"draw_graph: root must be a Tensor, got {type(root).__name__}")
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"draw_graph: rankdir must be LR, RL, TB or BT, got {rankdir!r}")
    tensors = _collect(root, max_nodes)
    ids = {t: f"t{i}" for i, t in enumerate(reversed(tensors))}  # inputs get small numbers
    dot = graphviz.Digraph("graph", graph_attr={"rankdir": rankdir},
                           node_attr={"fontname": "Helvetica", "fontsize": "11"})
    for t in tensors:
        tid = ids[t]
        attrs: dict[str, Any] = {"shape": "box"}
        if t._ctx is None and t.requires_grad:
            attrs.update(style="filled,rounded", fillcolor="#dbe9f6")
        elif t._ctx is None:
            attrs.update(style="dashed,rounded")
        else:
            attrs.update(style="rounded")
        dot.node(tid, _tensor_label(t, tid, show_data, show_grad, max_elements), **attrs)
        if t._ctx is not None:
            oid = f"{tid}_op"
            dot.node(oid, t._ctx.fn.__name__, shape="ellipse", style="filled",
                     fillcolor="#f6e7c8")
            for p in t._ctx.parents:
                if p is not None:
                    dot.edge(ids[p], oid)
            dot.edge(oid, tid)
    return dot
