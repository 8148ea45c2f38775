"""``render_backward``: one self-contained HTML page that steps through a backward pass.

The page holds the graph as inline SVG (drawn by Graphviz's ``dot``), the steps of
``trace_backward`` as JSON, and a little JavaScript: Previous/Next (and the arrow keys) move
through the steps, highlighting the current op and showing each gradient on its tensor from
the step that completes it, with the step's chain-rule product written out in numbers.
No server, no network, no files beside it.
"""

from __future__ import annotations

import html
import json
import os
from importlib import resources
from typing import Any

import graphviz
import numpy as np

from .draw import GRAD_COLOR, collect_tensors, display_names, draw_graph, tensor_ids
from .tensor import Tensor
from .trace import BackwardStep, trace_backward

__all__ = ["render_backward", "stepper_html"]

_MAX_SHOWN = 24  # elements of an array written out in a step; larger ones are summarised


def _arr(a: np.ndarray, indent: int = 4) -> str:
    """An array as text; continuation lines indented to line up under the first."""
    a = np.asarray(a)
    if a.size > _MAX_SHOWN:
        return (f"<{'×'.join(map(str, a.shape))} array, mean {a.mean():.4g}, "
                f"min {a.min():.4g}, max {a.max():.4g}>")
    text = np.array2string(a, separator=", ", max_line_width=70,
                           formatter={"float_kind": lambda v: f"{v:.4g}"})
    return text.replace("\n", "\n" + " " * indent)


def _step_lines(s: BackwardStep, names: dict[Tensor, str], out_name: str
                ) -> list[tuple[str, str]]:
    """The chain-rule products of one step: (text, resulting gradient) pairs."""
    lines = []
    for inp, local, sent in zip(s.inputs, s.local, s.grad_inputs, strict=True):
        if inp is None or sent is None:
            continue
        target = f"d loss/d {names[inp]}"
        a, b = (s.inputs + [None, None])[:2]
        if s.op == "MatMul" and a is not None and b is not None and a.ndim == b.ndim == 2:
            # the documents' l0.T.dot(l1_delta): the product written out with its numbers
            if inp is a and sent is s.grad_inputs[0]:
                text = (f"{target} += d loss/d {out_name} @ {names[b]}.T\n"
                        f"  = {_arr(s.grad_output)}\n  @ {_arr(b.data.T)}\n  = ")
            else:
                text = (f"{target} += {names[a]}.T @ d loss/d {out_name}\n"
                        f"  = {_arr(a.data.T)}\n  @ {_arr(s.grad_output)}\n  = ")
            lines.append((text, _arr(sent)))
        elif local is not None:
            reduced = sent.shape != s.grad_output.shape
            lines.append((
                f"{target} += d loss/d {out_name} × d {out_name}/d {names[inp]}\n"
                f"  = {_arr(s.grad_output)}\n  × {_arr(local)}\n"
                + ("  (summed over the broadcast axes)\n" if reduced else "")
                + "  = ",
                _arr(sent),
            ))
        else:
            lines.append((
                f"{target} += {s.op} backward of d loss/d {out_name}\n"
                f"  d loss/d {out_name} = {_arr(s.grad_output)}\n  sends ",
                _arr(sent),
            ))
    return lines


def stepper_html(loss: Tensor, title: str | None = None, **draw_options: Any) -> str:
    """The HTML text of the stepper page for ``loss`` (see ``render_backward``)."""
    steps = trace_backward(loss)
    tensors = collect_tensors(loss, draw_options.get("max_nodes", 5000))
    ids = tensor_ids(tensors)
    names = display_names(tensors)

    # What backward accumulates, and the step after which each tensor's gradient is complete.
    totals: dict[Tensor, np.ndarray] = {loss: np.ones(loss.shape, dtype=loss.dtype)}
    completes: dict[Tensor, int] = {loss: 0}
    for k, s in enumerate(steps, start=1):
        for inp, sent in zip(s.inputs, s.grad_inputs, strict=True):
            if inp is not None and sent is not None:
                totals[inp] = totals[inp] + sent if inp in totals else sent
                completes[inp] = k

    # Top to bottom at natural size reads best beside the step panel.
    options = {"show_grad": True, "rankdir": "TB", **draw_options}
    dot = draw_graph(loss, grads=totals, **options)
    try:
        svg = dot.pipe(format="svg", encoding="utf-8")
    except graphviz.ExecutableNotFound:
        raise RuntimeError(
            "render_backward: drawing the graph needs Graphviz's `dot` program; install it "
            "(apt-get install graphviz, brew install graphviz, or https://graphviz.org/download/)"
        ) from None
    svg = svg[svg.index("<svg"):]  # drop the XML prologue and doctype: the SVG is inline

    data: list[dict[str, Any]] = [{
        "title": f"Start: d loss/d {names[loss]} = 1",
        "rule": "",
        "op_node": None,
        "touched": [ids[loss]],
        "edges": [],
        "lines": [[f"d loss/d {names[loss]} = ", _arr(totals[loss])]],
        "completes": [ids[t] for t, k in completes.items() if k == 0],
    }]
    for k, s in enumerate(steps, start=1):
        out = ids[s.output]
        op_node = f"{out}_op"
        inputs = [ids[t] for t in s.inputs if t is not None]
        data.append({
            "title": f"Step {k}: {s.op} → {names[s.output]}",
            "rule": f"{s.op.lower()}: {s.rule}",
            "op_node": op_node,
            "touched": [out, *inputs],
            "edges": [f"{op_node}→{out}", *(f"{i}→{op_node}" for i in inputs)],
            "lines": _step_lines(s, names, names[s.output]),
            "completes": [ids[t] for t, c in completes.items() if c == k],
        })
    page = resources.files("tinygrad_edu").joinpath("stepper.html").read_text("utf-8")
    payload = json.dumps(data).replace("</", "<\\/")  # never close the script element early
    text = title or f"Backward pass of {names[loss]}"
    return (page.replace("__TITLE__", html.escape(text))
            .replace("__GRAD_COLOR__", GRAD_COLOR)
            .replace("__DATA__", payload)
            .replace("__SVG__", svg))


def render_backward(loss: Tensor, path: str | os.PathLike[str], title: str | None = None,
                    **draw_options: Any) -> str:
    """Write a self-contained HTML page stepping through ``loss.backward()``; return its path.

    The page shows the graph and moves through backward one operation at a time with
    Previous/Next buttons and the arrow keys: the current op highlighted, each gradient
    appearing on its tensor as it is computed, the step's chain-rule product with its
    numbers. ``.grad`` is left untouched. ``draw_options`` go to ``draw_graph``.
    Needs Graphviz's ``dot`` program to lay the graph out.
    """
    text = stepper_html(loss, title=title, **draw_options)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return os.fspath(path)
