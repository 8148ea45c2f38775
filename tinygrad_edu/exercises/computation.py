"""The reference computation of an exercise, as a small expression graph in its document's
notation: the third oracle, and what the diagnosis edits.

An exercise's ``computation(case)`` returns a ``Computation``: named nodes for the inputs
(``l0``, ``syn0``, ``grad_output``...), the intermediates (``l1``, ``l2_error``...) and the
quantities the learner returns, in order. Evaluated with NumPy it gives the expected values
(a test checks it against the engine's autograd). Rendered, each node reads as the document
writes it: ``l1_error * nonlin(l1, deriv=True)``, ``l0.T.dot(l1_delta)``,
``weight - alpha * weight_delta``.

The node kinds are few on purpose, and each knows what a learner may get wrong about it
(``diagnosis.py`` lists those edits):

- arithmetic (``+ - * /``, unary ``-``), ``exp``/``log``/``tanh``/``sigmoid``;
- products: ``dot``/``@`` (with ``.T``), ``np.outer``; a product that sums over the batch
  says so (``batch=True``), so that "not summed" and "averaged" are edits of it;
- reductions: ``sum``/``mean``/``max`` over an axis, with ``keepdims``;
- a **local derivative** (``slope``): the slope of a function (sigmoid, tanh, exp, log), or
  the factor a product contributes (``linear``), or the loss's own derivative (``loss``). It
  knows where it is taken (``at``) and the function's input and output (``inp``, ``out``),
  so "taken at the pre-activation" or "the sigmoid applied twice" are edits of it;
- leaves: inputs, the incoming gradient (role ``grad_output``), the learning rate (role
  ``lr``, with the document's own value) and constants;
- an update ``weight - lr * grad`` (``step``), whose edit is ``+=`` for ``-=``;
- layout: ``np.concatenate`` of blocks (``concat``: blocks in the wrong order), a
  ``reshape`` to another node's shape, a scatter-add into a table (``scatter_add``:
  ``np.add.at``, whose edit is the buffered ``table[idx] += values``);
- convolution (``pad``, ``window``: every window of a padded input, ``unwindow``: its
  adjoint, the windows added back into the padded shape, ``crop``: the padding cut off,
  ``einsum``, ``flip``), so that a flipped kernel, swapped axes, an ignored stride or a
  padding left on are edits.

Examples:
    >>> import numpy as np
    >>> g = Graph({"out": np.array([0.25, 0.5])})
    >>> out = g.input("out")
    >>> s = slope("sigmoid", at=out, out=out, style="{at}*(1-{at})")
    >>> c = g.computation(slope=s)
    >>> c.render("slope"), c.values()["slope"].tolist()
    ('out*(1-out)', [0.1875, 0.25])
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Computation", "Graph", "Node", "col", "concat", "const", "crop", "einsum", "exp",
           "flip", "log", "outer", "pad", "reshape", "scatter_add", "sigmoid", "slope", "step",
           "tanh", "unwindow", "window"]

# How tightly an expression binds when it is written inside another (for parentheses).
ATOM, CALL, UNARY, PRODUCT, SUM, LOOSE = 100, 90, 70, 60, 50, 0

LEAVES = ("input", "lr", "const")


@dataclass(eq=False)
class Node:
    """One value of the computation: an operation on ``args``, or a leaf.

    ``text`` renders it (``{0}``, ``{1}``: the arguments; a slope uses ``{at}``), ``prec`` is
    how tightly it binds and ``arg_prec`` the least binding each argument may have without
    parentheses. A ``name`` (the document's: ``l1``, ``pred``) is shown wherever the node is
    used; its definition is shown where it is defined.
    """

    op: str
    args: tuple[Node, ...] = ()
    text: str = "{0}"
    prec: int = ATOM
    arg_prec: tuple[int, ...] = ()
    name: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ building

    def named(self, name: str) -> Node:
        """Give the node the document's name for it; returns the node."""
        self.name = name
        return self

    def __add__(self, other: Node | float) -> Node:
        return binary("add", self, lift(other))

    def __radd__(self, other: float) -> Node:
        return binary("add", lift(other), self)

    def __sub__(self, other: Node | float) -> Node:
        return binary("sub", self, lift(other))

    def __rsub__(self, other: float) -> Node:
        return binary("sub", lift(other), self)

    def __mul__(self, other: Node | float) -> Node:
        return binary("mul", self, lift(other))

    def __rmul__(self, other: float) -> Node:
        return binary("mul", lift(other), self)

    def __truediv__(self, other: Node | float) -> Node:
        return binary("div", self, lift(other))

    def __neg__(self) -> Node:
        return Node("neg", (self,), "-{0}", UNARY, (UNARY + 1,))

    def __matmul__(self, other: Node) -> Node:
        return Node("matmul", (self, other), "{0} @ {1}", PRODUCT, (PRODUCT, PRODUCT + 1))

    def dot(self, other: Node, *, np_style: bool = False, batch: bool = False,
            text: str | None = None) -> Node:
        """``self.dot(other)`` (``np.dot(self, other)`` with ``np_style``). ``batch``: the
        product sums over the examples of a batch (``l0.T.dot(l1_delta)``)."""
        if text is not None:
            return Node("dot", (self, other), text, CALL, (LOOSE, LOOSE), attrs={"batch": batch})
        if np_style:
            return Node("dot", (self, other), "np.dot({0}, {1})", CALL, (LOOSE, LOOSE),
                        attrs={"batch": batch})
        return Node("dot", (self, other), "{0}.dot({1})", CALL, (CALL, LOOSE),
                    attrs={"batch": batch})

    @property
    def T(self) -> Node:  # noqa: N802 (NumPy's name)
        """The transpose, written ``x.T``."""
        return Node("T", (self,), "{0}.T", CALL, (CALL,))

    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False, *,
            batch: bool = False) -> Node:
        """``self.sum(axis=..., keepdims=...)``; ``batch``: the sum over the examples."""
        return reduction("sum", self, axis, keepdims, batch)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Node:
        """``self.mean(axis=..., keepdims=...)``."""
        return reduction("mean", self, axis, keepdims, False)

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Node:
        """``self.max(axis=..., keepdims=...)``."""
        return reduction("max", self, axis, keepdims, False)

    # ------------------------------------------------------------------ reading

    @property
    def role(self) -> str:
        """What a leaf stands for: ``input``, ``grad_output``, ``lr`` or ``const``."""
        return str(self.attrs.get("role", self.op))

    def render(self, top: bool = True) -> str:
        """The node in the document's notation: its definition at the top, its name inside."""
        return self._render(top)[0]

    def _render(self, top: bool) -> tuple[str, int]:
        if self.name is not None and (not top or self.op in LEAVES):
            return self.name, ATOM
        if self.op == "slope":
            at, p = self.args[0]._render(False)
            if self.text == "{at}":  # the factor itself (input in delta * input)
                return at, p
            if p < self.attrs["at_prec"]:
                at = f"({at})"
            return self.text.format(at=at), self.prec
        parts = []
        for i, a in enumerate(self.args):
            s, p = a._render(False)
            need = self.arg_prec[i] if i < len(self.arg_prec) else LOOSE
            parts.append(f"({s})" if p < need else s)
        return self.text.format(*parts), self.prec


def lift(x: Node | float) -> Node:
    """A number as a constant node; a node as it is."""
    return x if isinstance(x, Node) else const(x)


def const(value: float, text: str | None = None) -> Node:
    """A constant (the same in every case), written ``text`` (by default its value)."""
    shown = text if text is not None else (repr(int(value)) if float(value).is_integer()
                                           else repr(float(value)))
    return Node("const", (), shown, ATOM if not shown.startswith("-") else UNARY,
                name=shown, attrs={"value": float(value)})


_BINARY = {"add": ("{0} + {1}", SUM), "sub": ("{0} - {1}", SUM),
           "mul": ("{0} * {1}", PRODUCT), "div": ("{0} / {1}", PRODUCT)}


def binary(op: str, a: Node, b: Node, text: str | None = None) -> Node:
    """``a op b`` for ``op`` in add, sub, mul, div (``text``: the document's own spelling,
    such as ``ele_mult_vector({0}, {1})``)."""
    if text is not None:
        return Node(op, (a, b), text, CALL, (LOOSE, LOOSE))
    template, prec = _BINARY[op]
    return Node(op, (a, b), template, prec, (prec, prec + 1))


def reduction(op: str, x: Node, axis: int | tuple[int, ...] | None, keepdims: bool,
              batch: bool) -> Node:
    """``x.op(axis=..., keepdims=...)`` for op in sum, mean, max."""
    bits = [] if axis is None else [f"axis={axis}"]
    if keepdims:
        bits.append("keepdims=True")
    return Node(op, (x,), "{0}." + op + "(" + ", ".join(bits) + ")", CALL, (CALL,),
                attrs={"axis": axis, "keepdims": keepdims, "batch": batch})


def _call(op: str, x: Node, text: str) -> Node:
    return Node(op, (x,), text, CALL, (LOOSE,))


def sigmoid(x: Node, text: str = "sigmoid({0})") -> Node:
    """``sigmoid(x)`` (``text``: the document's spelling, such as ``nonlin({0})``)."""
    return _call("sigmoid", x, text)


def exp(x: Node, text: str = "np.exp({0})") -> Node:
    """``np.exp(x)``."""
    return _call("exp", x, text)


def log(x: Node, text: str = "np.log({0})") -> Node:
    """``np.log(x)``."""
    return _call("log", x, text)


def tanh(x: Node, text: str = "np.tanh({0})") -> Node:
    """``np.tanh(x)``."""
    return _call("tanh", x, text)


def outer(a: Node, b: Node, text: str = "np.outer({0}, {1})") -> Node:
    """The outer product ``np.outer(a, b)``: ``[j][k] = a[j] * b[k]``."""
    return Node("outer", (a, b), text, CALL, (LOOSE, LOOSE))


def col(x: Node) -> Node:
    """``x[:, None]``: a vector as a column, to broadcast against a row."""
    return Node("col", (x,), "{0}[:, None]", CALL, (CALL,))


def concat(blocks: list[Node], axis: int = 1,
           text: str = "np.concatenate([{blocks}], axis={axis})") -> Node:
    """``np.concatenate([a, b, ...], axis=axis)``: blocks side by side (an LSTM's four gates)."""
    shown = ", ".join("{" + str(k) + "}" for k in range(len(blocks)))
    return Node("concat", tuple(blocks), text.format(blocks=shown, axis=axis), CALL,
                (LOOSE,) * len(blocks), attrs={"axis": axis})


def reshape(x: Node, like: Node, text: str = "{0}.reshape({1}.shape)") -> Node:
    """``x.reshape(like.shape)``: ``x``'s values in ``like``'s shape."""
    return Node("reshape", (x, like), text, CALL, (CALL, CALL))


def scatter_add(values: Node, idx: Node, table: Node, name: str,
                text: str = "np.add.at({name}, {1}, {0})") -> Node:
    """The gradient of ``table[idx]``: ``values`` added into a zero table of ``table``'s
    shape at the rows ``idx``, every repeated index adding again (``np.add.at``); ``name``
    is the gradient's (``dC``), which the document's statement writes into."""
    return Node("scatter_add", (values, idx, table), text.replace("{name}", name), CALL,
                (LOOSE, LOOSE, LOOSE), attrs={"table_name": name})


def pad(x: Node, p: Node,
        text: str = "np.pad({0}, ((0, 0), (0, 0), ({1}, {1}), ({1}, {1})))") -> Node:
    """``x`` (N, C, H, W) with ``p`` zeros on each side of its two spatial axes."""
    return Node("pad", (x, p), text, CALL, (LOOSE, LOOSE))


def window(xpad: Node, kernel: Node, stride: Node, out: Node,
           text: str = "{0}[:, :, r:r + kh, s:s + kw]") -> Node:
    """Every window of ``xpad`` a ``kernel``-sized filter reads, ``stride`` apart, one per
    position of ``out`` (N, O, oh, ow): shape (N, C, oh, ow, kh, kw). Written as the window
    at (i, j), ``r, s = i * stride, j * stride``."""
    return Node("window", (xpad, kernel, stride, out), text, CALL, (CALL,))


def unwindow(cols: Node, xpad: Node, stride: Node, name: str,
             text: str = "Σ_ij {name}[:, :, r:r + kh, s:s + kw] += {0}") -> Node:
    """The adjoint of ``window``: each window's values (``cols``, (N, C, oh, ow, kh, kw))
    added back into a zero array of ``xpad``'s shape where the window was read."""
    return Node("unwindow", (cols, xpad, stride), text.replace("{name}", name), LOOSE,
                (LOOSE,), attrs={"name": name})


def crop(x: Node, p: Node, like: Node, text: str = "{0}[:, :, {1}:{1} + h, {1}:{1} + wd]"
         ) -> Node:
    """``x`` with ``p`` rows and columns cut off each side (to ``like``'s spatial shape)."""
    return Node("crop", (x, p, like), text, CALL, (CALL, ATOM))


def einsum(spec: str, a: Node, b: Node, shown: str | None = None,
           text: str = 'np.einsum("{spec}", {0}, {1})', *, kernel: int | None = None,
           batch: bool = False) -> Node:
    """``np.einsum(spec, a, b)``, written with ``shown`` for the spec (the solution's
    per-window one, ``"no,nckl->ockl"``, while ``spec`` sums over the windows too).
    ``kernel``: which operand is a convolution's kernel (0, 1) or -1 for the result (a
    kernel's gradient), so that "flipped" is an edit of it; ``batch``: the product sums
    over the examples."""
    shown = spec if shown is None else shown
    return Node("einsum", (a, b), text.replace("{spec}", shown), CALL, (LOOSE, LOOSE),
                attrs={"spec": spec, "shown": shown, "template": text, "kernel": kernel,
                       "batch": batch})


def flip(x: Node, text: str = "{0}[:, :, ::-1, ::-1]") -> Node:
    """A kernel rotated by 180°: both spatial axes reversed."""
    return Node("flip", (x,), text, CALL, (CALL,))


# The explicit formula of each local derivative, by function and by where it is taken:
# (text, how tightly it binds, how tightly ``{at}`` must bind inside it).
FORMULAS: dict[tuple[str, str], tuple[str, int, int]] = {
    ("sigmoid", "out"): ("{at}*(1-{at})", PRODUCT, CALL),
    ("sigmoid", "in"): ("sigmoid({at})*(1-sigmoid({at}))", PRODUCT, LOOSE),
    ("tanh", "out"): ("(1 - {at}*{at})", ATOM, CALL),
    ("tanh", "in"): ("(1 - np.tanh({at})**2)", ATOM, LOOSE),
    ("exp", "out"): ("{at}", ATOM, LOOSE),
    ("exp", "in"): ("np.exp({at})", CALL, LOOSE),
    ("log", "in"): ("1/{at}", PRODUCT, CALL),
    ("linear", "in"): ("{at}", ATOM, LOOSE),
    ("loss", "in"): ("{at}", ATOM, LOOSE),
}


def slope(fn: str, at: Node, *, inp: Node | None = None, out: Node | None = None,
          style: str | None = None, takes: str | None = None, scale: float = 1.0) -> Node:
    """A local derivative: the slope of ``fn`` (sigmoid, tanh, exp, log), taken at ``at``.

    ``inp`` and ``out`` are the function's input and output in the graph (the layer's
    pre-activation and its activation); ``takes`` says whether the formula is written with
    the output (``l1*(1-l1)``, nonlin(l1, deriv=True)) or with the input
    (``deriv_sigmoid(sum_h1)``, ``1/x``); by default the output when ``at is out``.
    ``fn="linear"``: the factor a product contributes (``input`` in ``delta * input``);
    ``fn="loss"``: the loss's derivative itself (``pred - goal``), ``at`` being its formula.
    ``style`` writes it as the document does (a call: ``nonlin({at}, deriv=True)``);
    ``scale`` multiplies it (an edit: -1, 2 or 0.5).
    """
    if takes is None:
        takes = "out" if (out is not None and at is out and fn not in ("linear", "loss")) \
            else "in"
    if (fn, takes) not in FORMULAS:
        raise ValueError(f"slope: no formula for {fn!r} taken at its {takes}put")
    text, prec, at_prec = FORMULAS[fn, takes]
    if style is not None:
        text, prec, at_prec = style, CALL, LOOSE
    if scale == -1.0 and (fn, takes) == ("sigmoid", "out") and style is None:
        text = "{at}*({at}-1)"  # document 004's Sigmoid(x, deriv=True)
    elif scale != 1.0:
        if text == "{at}":
            at_prec = PRODUCT + 1
        text = ("-" if scale == -1.0 else f"{scale:g}*") + text
        prec = UNARY if scale == -1.0 else PRODUCT
    return Node("slope", (at,), text, prec, attrs={
        "fn": fn, "takes": takes, "inp": inp, "out": out, "style": style, "scale": scale,
        "at_prec": at_prec})


def step(weight: Node, lr: Node, grad: Node, text: str | None = None) -> Node:
    """The update ``weight - lr * grad`` (gradient descent), marked as an update."""
    node = binary("sub", weight, lr * grad, text)
    node.attrs["update"] = True
    return node


# --------------------------------------------------------------------------- evaluating


def _slope_value(node: Node, at: np.ndarray) -> np.ndarray:
    fn, takes, scale = node.attrs["fn"], node.attrs["takes"], node.attrs["scale"]
    if (fn, takes) == ("sigmoid", "out"):
        v = at * (1 - at)
    elif (fn, takes) == ("sigmoid", "in"):
        s = _sigmoid(at)
        v = s * (1 - s)
    elif (fn, takes) == ("tanh", "out"):
        v = 1 - at * at
    elif (fn, takes) == ("tanh", "in"):
        v = 1 - np.tanh(at) ** 2
    elif (fn, takes) == ("exp", "in"):
        v = np.exp(at)
    elif (fn, takes) == ("log", "in"):
        v = 1 / at
    else:  # exp at its output, linear, loss: the value itself
        v = at
    return v * scale if scale != 1.0 else v


def _sigmoid(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


def _batch_divisor(a: np.ndarray) -> int:
    """The number of examples a batch product sums over: the inner dimension."""
    return int(np.shape(a)[-1]) if np.ndim(a) else 1


def apply_op(node: Node, args: list[np.ndarray]) -> np.ndarray:
    """The value of ``node`` from the values of its arguments."""
    op, at = node.op, node.attrs
    if op == "add":
        return args[0] + args[1]
    if op == "sub":
        return args[0] - args[1]
    if op == "mul":
        return args[0] * args[1]
    if op == "div":
        return args[0] / args[1]
    if op == "neg":
        return -args[0]
    if op in ("dot", "matmul"):
        v = np.dot(args[0], args[1]) if op == "dot" else np.matmul(args[0], args[1])
        if at.get("per_example"):  # the batch's products, one per example, not summed
            a, b = np.asarray(args[0]), np.asarray(args[1])
            v = np.einsum("in,nj->nij", a, b) if a.ndim == 2 and b.ndim == 2 else a * b
        elif at.get("averaged"):
            v = v / _batch_divisor(args[0])
        return np.asarray(v)
    if op == "T":
        return np.asarray(args[0]).T
    if op in ("sum", "mean", "max"):
        return np.asarray(getattr(np, op)(args[0], axis=at["axis"], keepdims=at["keepdims"]))
    if op == "exp":
        with np.errstate(over="ignore"):
            return np.exp(args[0])
    if op == "log":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(args[0])
    if op == "tanh":
        return np.tanh(args[0])
    if op == "sigmoid":
        return _sigmoid(args[0])
    if op == "outer":
        return np.outer(args[0], args[1])
    if op == "col":
        return np.asarray(args[0])[:, None]
    if op == "slope":
        return _slope_value(node, args[0])
    if op in _LAYOUT:
        return _LAYOUT[op](node, args)
    raise ValueError(f"unknown node kind {op!r}")


def _concat(node: Node, args: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(args, axis=node.attrs["axis"])


def _reshape(node: Node, args: list[np.ndarray]) -> np.ndarray:
    if node.attrs.get("swapped"):  # filled in the other order of the last two axes
        return np.swapaxes(np.reshape(args[0], np.shape(np.swapaxes(args[1], -1, -2))), -1, -2)
    return np.reshape(args[0], np.shape(args[1]))


def _index(a: np.ndarray) -> np.ndarray:
    """An index array that went through the float64 leaves, as integers again."""
    idx = np.asarray(a)
    if not np.all(idx == np.round(idx)):
        raise ValueError("an index must hold whole numbers")
    return idx.astype(np.int64)


def _scatter_add(node: Node, args: list[np.ndarray]) -> np.ndarray:
    values, idx, table = args
    out = np.zeros(np.shape(table))
    if node.attrs.get("buffered"):  # table[idx] += values: one write per repeated row
        out[_index(idx)] += values
    else:
        np.add.at(out, _index(idx), values)
    return out


def _pad(node: Node, args: list[np.ndarray]) -> np.ndarray:
    p = int(args[1])
    return np.pad(args[0], ((0, 0), (0, 0), (p, p), (p, p)))


def _window(node: Node, args: list[np.ndarray]) -> np.ndarray:
    xpad, kernel, stride, out = args
    kh, kw = np.shape(kernel)[2:]
    oh, ow = np.shape(out)[2:]
    s = int(stride)
    views = np.lib.stride_tricks.sliding_window_view(xpad, (kh, kw), axis=(2, 3))
    views = views[:, :, :(oh - 1) * s + 1:s, :(ow - 1) * s + 1:s]
    if views.shape[2:4] != (oh, ow):
        raise ValueError("the windows do not fit the padded input")
    return np.ascontiguousarray(views)


def _unwindow(node: Node, args: list[np.ndarray]) -> np.ndarray:
    cols, xpad, stride = args
    s = int(stride)
    padded: tuple[int, ...] = tuple(np.shape(xpad))
    out = np.zeros(padded)
    shape: tuple[int, ...] = tuple(np.shape(cols))
    if len(shape) != 6:
        raise ValueError(f"unwindow: windows of shape {shape}, not (N, C, oh, ow, kh, kw)")
    oh, ow, kh, kw = shape[2:]
    if (oh - 1) * s + kh > padded[2] or (ow - 1) * s + kw > padded[3]:
        raise ValueError("the windows do not fit the padded input")
    for i in range(oh):
        for j in range(ow):
            out[:, :, i * s:i * s + kh, j * s:j * s + kw] += cols[:, :, i, j]
    return out


def _crop(node: Node, args: list[np.ndarray]) -> np.ndarray:
    x, p, like = args
    p_ = int(p)
    h, w = np.shape(like)[2:]
    return np.asarray(x)[:, :, p_:p_ + h, p_:p_ + w]


def _einsum(node: Node, args: list[np.ndarray]) -> np.ndarray:
    v = np.einsum(node.attrs["spec"], args[0], args[1])
    if node.attrs.get("averaged"):
        v = v / np.shape(args[0])[0]
    if node.attrs.get("flipped"):
        v = v[:, :, ::-1, ::-1]
    return np.asarray(v)


def _flip(node: Node, args: list[np.ndarray]) -> np.ndarray:
    return np.asarray(args[0])[:, :, ::-1, ::-1]


_LAYOUT = {"concat": _concat, "reshape": _reshape, "scatter_add": _scatter_add, "pad": _pad,
           "window": _window, "unwindow": _unwindow, "crop": _crop, "einsum": _einsum,
           "flip": _flip}


@dataclass
class Computation:
    """An exercise's reference computation for one case: the quantities' nodes, in the
    order the learner returns them, and the values of the leaves (``env``)."""

    quantities: dict[str, Node]
    env: dict[str, Any]

    def evaluate(self, node: Node, memo: dict[Node, np.ndarray] | None = None,
                 base: Mapping[Node, np.ndarray] | None = None) -> np.ndarray:
        """The value of ``node``. ``memo`` collects values; ``base`` supplies known ones
        (the unedited computation's, when an edit changed only a few nodes)."""
        memo = {} if memo is None else memo
        base = base or {}
        # an explicit stack: deep graphs (a long chain) need no recursion
        stack = [node]
        while stack:
            n = stack[-1]
            if n in memo or n in base:
                stack.pop()
                continue
            if n.op == "const":
                memo[n] = np.asarray(n.attrs["value"], dtype=np.float64)
                stack.pop()
                continue
            if n.op in ("input", "lr"):
                memo[n] = np.asarray(self.env[n.attrs["key"]], dtype=np.float64)
                stack.pop()
                continue
            todo = [a for a in n.args if a not in memo and a not in base]
            if todo:
                stack.extend(todo)
                continue
            with np.errstate(all="ignore"):
                memo[n] = apply_op(n, [memo[a] if a in memo else base[a] for a in n.args])
            stack.pop()
        return memo[node] if node in memo else base[node]

    def values(self) -> dict[str, np.ndarray]:
        """Every quantity's value: the expected answer."""
        memo: dict[Node, np.ndarray] = {}
        return {q: self.evaluate(n, memo) for q, n in self.quantities.items()}

    def memo(self) -> dict[Node, np.ndarray]:
        """The value of every node (for edits that change only a few of them)."""
        memo: dict[Node, np.ndarray] = {}
        for n in self.quantities.values():
            self.evaluate(n, memo)
        return memo

    def nodes(self) -> list[Node]:
        """Every node, in a fixed order (arguments before their users, quantity by
        quantity): positions in it name the same node in every case's computation."""
        return list(walk(self.quantities.values()))

    def render(self, quantity: str) -> str:
        """The quantity's definition in the document's notation."""
        return self.quantities[quantity].render()


def walk(roots: Any, stop: frozenset[Node] = frozenset()) -> Iterator[Node]:
    """The nodes under ``roots``, arguments first, each once; not below a node of ``stop``."""
    seen: set[Node] = set()
    for root in roots:
        stack: list[tuple[Node, bool]] = [(root, False)]
        while stack:
            n, expanded = stack.pop()
            if n in seen:
                continue
            if expanded or n in stop or not n.args:
                seen.add(n)
                yield n
                continue
            stack.append((n, True))
            stack.extend((a, False) for a in reversed(n.args) if a not in seen)


class Graph:
    """Builds a computation for one case: ``input``/``lr``/``grad_output`` leaves read their
    values from the case's inputs, then ``computation(**quantities)`` closes it."""

    def __init__(self, inputs: Mapping[str, Any]) -> None:
        self.inputs = inputs
        self.env: dict[str, Any] = {}

    def input(self, name: str, value: Any = None, *, role: str = "input") -> Node:
        """A leaf named ``name``: ``inputs[name]`` unless ``value`` is given (``x[0]``)."""
        self.env[name] = self.inputs[name] if value is None else value
        return Node("input", (), name=name, attrs={"key": name, "role": role})

    def grad_output(self, name: str = "grad_output", key: str = "grad") -> Node:
        """The gradient arriving at the output (a Function's ``backward`` argument)."""
        self.env[name] = self.inputs[key]
        return Node("input", (), name=name, attrs={"key": name, "role": "grad_output"})

    def lr(self, name: str, document: float, key: str | None = None) -> Node:
        """The learning rate ``name`` (the case's), and the value its ``document`` uses."""
        self.env[name] = self.inputs[key or name]
        return Node("lr", (), name=name, attrs={"key": name, "role": "lr",
                                                 "document": document})

    def computation(self, **quantities: Node) -> Computation:
        """The computation whose quantities are these nodes, in this order."""
        return Computation(dict(quantities), dict(self.env))
