"""Drawing a computation graph with Graphviz.

One box per tensor (its name or a short id, its shape, and, when small, its values and
gradient) and one ellipse per operation, edges in the direction data flows:
input tensor -> op -> output tensor. Tensors made inside an ``nn.Module``'s forward are
boxed in a labelled cluster per module call (``0: Linear(3, 4)``), so an MLP reads as layers.

``.source`` of the result is DOT text and needs no Graphviz program; ``.render()``, SVG
output and Jupyter's display need the ``dot`` program (Debian's ``graphviz`` package).
"""

from __future__ import annotations

import html
import inspect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import graphviz
import numpy as np

from .nn import Module, Parameter
from .tensor import Function, Tensor

__all__ = ["draw_graph", "collect_tensors", "display_names", "op_rule", "tensor_ids"]

# Fill colours by role: parameters, other leaves that require grad, constants, results.
STYLE = {
    "parameter": {"style": "filled,rounded", "fillcolor": "#d5ecd4"},
    "leaf": {"style": "filled,rounded", "fillcolor": "#dbe9f6"},
    "constant": {"style": "dashed,rounded", "color": "#777777", "fontcolor": "#444444"},
    "intermediate": {"style": "rounded"},
    "op": {"shape": "ellipse", "style": "filled", "fillcolor": "#f6e7c8"},
}


def collect_tensors(root: Tensor, max_nodes: int | None = None) -> list[Tensor]:
    """Every tensor ``root`` was computed from, inputs first (iterative, no recursion)."""
    seen = {root}
    found = [root]
    stack = [root]
    while stack:
        t = stack.pop()
        if t._ctx is None:
            continue
        for p in t._ctx.parents:
            if p is not None and p not in seen:
                seen.add(p)
                found.append(p)
                stack.append(p)
                if max_nodes is not None and len(found) > max_nodes:
                    raise ValueError(
                        f"draw_graph: the graph has more than max_nodes={max_nodes} tensors; "
                        f"pass a larger max_nodes to draw it anyway (e.g. max_nodes="
                        f"{max_nodes * 10})"
                    )
    # Inputs first: a node's parents always come before it.
    from .autograd import topological_order

    made = topological_order(root)
    made_set = set(made)
    return [t for t in reversed(found) if t not in made_set] + made


def tensor_ids(tensors: Iterable[Tensor]) -> dict[Tensor, str]:
    """Short ids ``t0, t1, ...`` in the given order: the same graph always gets the same ids."""
    return {t: f"t{i}" for i, t in enumerate(tensors)}


_RULES: dict[type, str] = {}


def op_rule(fn: type[Function]) -> str:
    """The derivative rule of an op: the comment just above its class (one line per rule)."""
    if fn not in _RULES:
        _RULES[fn] = _read_rule(fn)
    return _RULES[fn]


def _read_rule(fn: type[Function]) -> str:
    try:
        comments = inspect.getcomments(fn) or ""
    except (OSError, TypeError):  # no source available
        comments = ""
    lines = [ln.lstrip("#").strip() for ln in comments.strip().splitlines()]
    rule = " ".join(ln for ln in lines if ln and not ln.startswith("("))
    rule = rule.split("   (")[0]  # drop a trailing note such as "(syn0 += ...)"
    head, sep, tail = rule.partition(": ")
    # "sigmoid: d = out*(1-out)" -> "d = out*(1-out)": the node already shows the op's name.
    if sep and head.replace("_", "").lower() == fn.__name__.replace("_", "").lower():
        rule = tail
    return rule


def _num(x: float) -> str:
    return f"{x + 0.0:.4g}"  # + 0.0: -0.0 reads as 0


def _fmt(arr: np.ndarray) -> str:
    """Compact text of a small array; rows of a matrix on separate lines (``<br/>``)."""
    a = np.asarray(arr)
    if a.ndim == 0:
        return _num(float(a))
    if a.ndim == 1:
        return "[" + ", ".join(map(_num, a.tolist())) + "]"
    if a.ndim == 2:
        rows = ("[" + ", ".join(map(_num, row)) + "]" for row in a.tolist())
        return "[" + ",<br/> ".join(rows) + "]"
    text = np.array2string(a, precision=4, separator=", ", threshold=64)
    return html.escape(text).replace("\n", "<br/>")


def _role(t: Tensor) -> str:
    if t._ctx is not None:
        return "intermediate"
    if isinstance(t, Parameter):
        return "parameter"
    return "leaf" if t.requires_grad else "constant"


# Gradient rows are drawn in this colour; render_backward finds them by it in the SVG.
GRAD_COLOR = "#b00000"
HIGHLIGHT_COLOR = "#e03131"


def _tensor_label(t: Tensor, tid: str, show_data: bool, show_grad: bool,
                  max_elements: int, param_names: dict[int, str],
                  grad: np.ndarray | None, note: str | None = None) -> str:
    name = t.name or param_names.get(id(t))
    title = html.escape(name) if name else tid
    shape = "scalar" if t.ndim == 0 else "×".join(map(str, t.shape))
    dtype = "" if t.dtype == np.float64 else f" {t.dtype}"
    rows = [f"<td><b>{title}</b></td>", f"<td>{shape}{dtype}</td>"]
    small = t.size <= max_elements
    left = '<td align="left" balign="left">'
    if show_data and small:
        rows.append(f"{left}data {_fmt(t.data)}</td>")
    if show_grad and small and grad is not None:
        rows.append(f'{left}<font color="{GRAD_COLOR}">grad {_fmt(grad)}</font></td>')
    if note:
        rows.append(f"{left}<i>{html.escape(note).replace(chr(10), '<br/>')}</i></td>")
    return ('<<table border="0" cellborder="0" cellspacing="0" cellpadding="1">'
            + "".join(f"<tr>{r}</tr>" for r in rows) + "</table>>")


# --------------------------------------------------------------------------- module clusters


def display_names(tensors: list[Tensor]) -> dict[Tensor, str]:
    """What ``draw_graph`` titles each tensor: its name, its parameter name, or its short id."""
    ids = tensor_ids(tensors)
    param_names = _module_calls(tensors)[2]
    return {t: t.name or param_names.get(id(t)) or ids[t] for t in tensors}


@dataclass(eq=False)
class _Call:
    module: Module
    output: Tensor
    region: set[Tensor]
    order: int  # inner calls are recorded before the calls that contain them
    parent: _Call | None = None
    children: list[_Call] = field(default_factory=list)
    label: str = ""

    def chain(self) -> list[_Call]:
        """This call and its ancestors, innermost first."""
        out, c = [], self
        while c is not None:
            out.append(c)
            c = c.parent  # type: ignore[assignment]
        return out


def _module_calls(tensors: list[Tensor]
                  ) -> tuple[list[_Call], dict[Tensor, _Call], dict[int, str]]:
    """Each recorded module call and the tensors it made, each tensor's innermost call, and
    the dotted names (``0.weight``) of the parameters of the outermost modules."""
    position = {t: i for i, t in enumerate(tensors)}  # for a deterministic order
    calls: list[_Call] = []
    for t in tensors:
        if t._ctx is None:
            continue
        for module, inputs, *more in t._ctx.__dict__.get("module_calls", ()):
            stop = {id(x) for x in inputs}
            region: set[Tensor] = set()
            stack = [t, *(more[0] if more else ())]  # (a layer's other outputs: one box)
            while stack:  # everything between the call's inputs and its output
                x = stack.pop()
                if id(x) in stop or x in region or x not in position:
                    continue
                region.add(x)
                if x._ctx is not None:
                    stack.extend(p for p in x._ctx.parents if p is not None)
            calls.append(_Call(module, t, region, len(calls)))
    if not calls:
        return [], {}, {}
    size = {id(c): (len(c.region), c.order) for c in calls}
    containing: dict[Tensor, list[_Call]] = {}
    for c in calls:
        for x in c.region:
            containing.setdefault(x, []).append(c)
    # A call sits inside the smallest other call whose region holds its output.
    for c in calls:
        outer = [d for d in containing[c.output] if d is not c and size[id(d)] > size[id(c)]]
        if outer:
            c.parent = min(outer, key=lambda d: size[id(d)])
            c.parent.children.append(c)
    for c in calls:
        c.children.sort(key=lambda d: position[d.output])
    # A tensor belongs to the innermost call holding it; one shared by sibling calls (a
    # weight used twice) to their innermost common ancestor, or to no cluster.
    owner: dict[Tensor, _Call] = {}
    for x, cands in containing.items():
        chains = [c.chain() for c in cands]
        # keep the innermost candidates: drop any that is an ancestor of another
        above = {id(a) for ch in chains for a in ch[1:]}
        chains = [ch for ch in chains if id(ch[0]) not in above]
        common = set.intersection(*(set(map(id, ch)) for ch in chains))
        for c in min(chains, key=len):
            if id(c) in common:
                owner[x] = c
                break
    param_names: dict[int, str] = {}
    for c in calls:
        if c.parent is None:
            _label_calls(c, {id(m): name for name, m in c.module.named_modules()})
            for name, p in c.module.named_parameters():
                param_names.setdefault(id(p), name)
    calls.sort(key=lambda c: position[c.output])
    return calls, owner, param_names


def _label_calls(call: _Call, names: dict[int, str]) -> None:
    stack = [call]
    while stack:
        c = stack.pop()
        name = names.get(id(c.module), "")
        extra = c.module.extra_repr()
        desc = f"{type(c.module).__name__}({extra})" if extra or name else type(c.module).__name__
        c.label = f"{name}: {desc}" if name else desc
        stack.extend(c.children)


# --------------------------------------------------------------------------- draw_graph


def draw_graph(
    root: Tensor,
    show_data: bool = True,
    show_grad: bool = True,
    rankdir: str = "LR",
    *,
    max_elements: int = 16,
    max_nodes: int = 5000,
    show_rules: bool = False,
    show_modules: bool = True,
    grads: Mapping[Tensor, np.ndarray] | None = None,
    notes: Mapping[Tensor, str] | None = None,
    highlight: Iterable[Tensor] = (),
) -> graphviz.Digraph:
    """The graph that computed ``root``, as a ``graphviz.Digraph``.

    - Tensors are boxes titled by their ``name`` (or a short id ``t0, t1, ...``, stable for
      the same graph) with their shape, their dtype when not float64, and, for tensors of at
      most ``max_elements`` elements, their values (``show_data``) and gradient (``show_grad``).
      Parameters (green), other leaves that require grad (blue), constants (dashed) and
      intermediate results (plain) are styled apart.
    - Operations are ellipses named after the op; ``show_rules=True`` adds each op's
      derivative rule (``sigmoid: d = out*(1-out)``).
    - Tensors computed inside an ``nn.Module``'s forward are boxed per module call
      (``show_modules``), nested as the modules are.
    - ``rankdir``: Graphviz's layout direction, ``"LR"``, ``"TB"``, ``"RL"`` or ``"BT"``.
    - A graph of more than ``max_nodes`` tensors is refused with a ``ValueError``.
    - ``grads`` shows these gradients instead of the tensors' ``.grad``; ``notes`` adds a
      line of text to the given tensors; ``highlight`` draws the given tensors in red.
    """
    if not isinstance(root, Tensor):
        raise TypeError(f"draw_graph: root must be a Tensor, got {type(root).__name__}")
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"draw_graph: rankdir must be 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}")
    if max_nodes < 1:
        raise ValueError(f"draw_graph: max_nodes must be positive, got {max_nodes}")
    tensors = collect_tensors(root, max_nodes)
    ids = tensor_ids(tensors)
    if grads is None:
        grads = {t: t.grad.data for t in tensors if t.grad is not None}
    marked = set(highlight)
    calls, owner, param_names = _module_calls(tensors) if show_modules else ([], {}, {})
    cluster_of = {id(c): f"cluster_{i}" for i, c in enumerate(calls)}

    # Lines of DOT per cluster (None: top level), written directly: it keeps a graph of
    # 10,000 tensors well under a second.
    body: dict[int | None, list[str]] = {None: []}
    for c in calls:
        body[id(c)] = []
    edges: list[str] = []
    q = graphviz.quoting.quote
    for t in tensors:
        tid = ids[t]
        where = body[id(owner[t])] if t in owner else body[None]
        attrs = {"shape": "box", **STYLE[_role(t)]}
        if t is root:
            attrs["penwidth"] = "2"
        if t in marked:
            attrs.update(color=HIGHLIGHT_COLOR, penwidth="3")
        label = _tensor_label(t, tid, show_data, show_grad, max_elements, param_names,
                              grads.get(t), notes.get(t) if notes else None)
        where.append(_node(tid, label, attrs))
        if t._ctx is not None:
            oid = f"{tid}_op"
            name = _op_title(t._ctx)
            label = f"{name}\\n{op_rule(t._ctx.fn)}" if show_rules else name
            where.append(_node(oid, q(label), STYLE["op"]))
            for p in t._ctx.parents:
                if p is not None:
                    edges.append(f"\t{ids[p]} -> {oid}")
            edges.append(f"\t{oid} -> {tid}")

    dot = graphviz.Digraph(
        "graph",
        graph_attr={"rankdir": rankdir},
        node_attr={"fontname": "Helvetica", "fontsize": "11"},
        edge_attr={"color": "#555555"},
    )
    dot.body.extend(body[None])
    for c in calls:
        if c.parent is None:
            dot.body.extend(_cluster_lines(c, body, cluster_of))
    dot.body.extend(line + "\n" for line in edges)
    return dot


def _op_title(ctx: Any) -> str:
    """The op's name, with its constant arguments: ``Mul(0.5, ·)``, ``Pow(·, 2)``."""
    name: str = ctx.fn.__name__
    if all(isinstance(a, Tensor) for a in ctx.args):
        return name
    shown = ["·" if isinstance(a, Tensor) else f"{a:.4g}" if isinstance(a, float) else repr(a)
             for a in ctx.args]
    return f"{name}({', '.join(shown)})"


def _node(nid: str, label: str, attrs: dict[str, str]) -> str:
    q = graphviz.quoting.quote
    extra = " ".join(f"{k}={q(v)}" for k, v in attrs.items())
    return f"\t{nid} [label={label} {extra}]\n"


def _cluster_lines(call: _Call, body: dict[int | None, list[str]], cluster_of: dict[int, str]
                   ) -> list[str]:
    q = graphviz.quoting.quote
    out = [
        f"\tsubgraph {cluster_of[id(call)]} {{\n",
        f"\t\tlabel={q(call.label)} style=\"rounded,dashed\" color=\"#7a9cc6\" "
        "fontname=Helvetica fontsize=11\n",
        *body[id(call)],
    ]
    for child in call.children:
        out.extend(_cluster_lines(child, body, cluster_of))
    out.append("\t}\n")
    return out
