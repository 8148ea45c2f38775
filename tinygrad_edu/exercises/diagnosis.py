"""Why a quantity is wrong: the single edit of the reference computation that reproduces
the learner's numbers.

The checker knows how each expected quantity is computed (``computation.py``: a graph in
the document's notation). When a learner's quantity is wrong, ``search`` tries the mistakes
people make, as single edits of that graph upstream of the quantity: a local derivative
with its sign flipped, doubled or halved, dropped, or taken at the wrong variable; a matrix
product with an operand transposed, its operands swapped or its result transposed; a sum
over the batch missing, or a mean instead of it; the learning rate missing, applied twice,
hard-coded to the document's value, or added (``+=`` for ``-=``); a variable replaced by a
neighbour in the graph; ``keepdims``; a term of a sum dropped; and, for the layers, blocks
joined in the wrong order, a scatter-add written ``table[idx] += values``, a convolution's
kernel flipped or its gradient's axes swapped, the stride ignored, the padding left on.
The learner's earlier quantities that are right stay as they are (an edit cannot change
them), and an edit of a value they are computed from comes after the others. The edit
whose values reproduce the learner's on every case where they have one is reported, in the
document's notation and in both languages: "your l1_delta equals
l1_error * l0.dot(syn0)*(1-l0.dot(syn0)): the slope is taken at the layer's input ...".

When several edits reproduce the numbers, the first in ``KINDS`` wins (the most specific
first: a learning rate before a slope before a sign before a shape), then the edit closest to
the quantity. An edit that reproduces only some cases is reported as such, and so is an
answer that is right only in some cases (a mean instead of a sum is right for a batch of
one). Values are compared with a tolerance that follows the answer's dtype. An answer with
nan or inf where the value is finite is left to the checker's overflow hint.

``python -m tinygrad_edu.exercises.diagnosis --coverage`` generates every edit of every
exercise as a wrong answer and prints how many get the right hint, per kind of edit.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .computation import Computation, Node, binary, const, flip, reduction, slope, walk
from .i18n import Msg, and_list

__all__ = ["KINDS", "Edit", "Finding", "Hint", "coverage", "edits", "explain", "mutants",
           "search"]

# --------------------------------------------------------------------------- the edits

#: Every kind of edit, most specific first (the order decides between edits that give the
#: same values), with what it means.
KINDS: dict[str, str] = {
    "step_added": "the update adds the step (+= for -=)",
    "lr_missing": "the learning rate is missing",
    "lr_twice": "the learning rate is applied twice",
    "lr_hardcoded": "the learning rate is hard-coded to the document's value",
    "local_at_input": "a slope taken at the layer's input (the pre-activation)",
    "local_at_output": "a slope taken at the output (the function applied twice)",
    "local_at_other": "a slope taken at another variable (another layer's)",
    "grad_output_dropped": "the incoming gradient is missing (no chain rule)",
    "local_dropped": "a local derivative is missing",
    "local_sign": "a local derivative with its sign flipped",
    "sub_swapped": "a subtraction the wrong way round",
    "scatter_assigned": "repeated indices not accumulated (table[idx] += for np.add.at)",
    "blocks_order": "blocks joined in the wrong order",
    "padding_kept": "the padding not cut off the input's gradient",
    "stride_ignored": "the windows read one position apart (the stride ignored)",
    "kernel_flipped": "a convolution's kernel flipped (rotated 180°)",
    "axes_swapped": "two axes of a kernel's gradient swapped",
    "reshape_order": "a reshape reading the axes in the other order",
    "local_double": "a local derivative doubled",
    "local_half": "a local derivative halved",
    "mean_for_sum": "a mean over the batch instead of a sum",
    "batch_not_reduced": "the sum over the batch is missing",
    "keepdims": "keepdims the other way",
    "sum_axis": "a sum over the wrong axis",
    "sum_dropped": "a sum is missing",
    "term_dropped": "a term of a sum is missing",
    "operand_transposed": "an operand of a product transposed",
    "operands_swapped": "the operands of a product swapped",
    "transposed": "the result of a product transposed",
    "neighbour": "a variable replaced by a neighbour in the graph",
    "factor_dropped": "a factor of a product is missing",
}
_ORDER = {kind: i for i, kind in enumerate(KINDS)}

FUNCTIONS = {"sigmoid": "sigmoid({0})", "tanh": "np.tanh({0})", "exp": "np.exp({0})",
             "log": "np.log({0})"}


@dataclass(eq=False)
class Edit:
    """One edit: ``site`` (a node of the computation) replaced by ``new``.

    ``info`` holds what the explanation names (the right slope, the variable used instead).
    """

    kind: str
    site: Node
    new: Node
    info: dict[str, Any] = field(default_factory=dict)

    def apply(self, root: Node, stop: frozenset[Node] = frozenset()) -> Node:
        """``root`` with the site replaced, rebuilt along the way (never below ``stop``)."""
        return substitute(root, self.site, self.new, stop)


def substitute(root: Node, site: Node, new: Node, stop: frozenset[Node] = frozenset()
               ) -> Node:
    """``root`` with ``site`` replaced by ``new``: the nodes between them are copied, every
    other node is shared (so its known value can be reused)."""
    memo: dict[Node, Node] = {}

    def go(n: Node) -> Node:
        if n is site:
            return new
        if n in stop or not n.args:
            return n
        if n not in memo:
            args = tuple(go(a) for a in n.args)
            same = all(x is y for x, y in zip(args, n.args, strict=True))
            memo[n] = n if same else dataclasses.replace(n, args=args)
        return memo[n]

    return go(root)


def _copy(n: Node, **changes: Any) -> Node:
    """A new node like ``n`` (the same name, so the explanation can say which one)."""
    return dataclasses.replace(n, **changes)


def _toggle_t(n: Node) -> Node:
    return n.args[0] if n.op == "T" else n.T


def _dependencies(nodes: Sequence[Node]) -> dict[Node, frozenset[Node]]:
    """For each node (``nodes`` in the order of ``Computation.nodes``, arguments first),
    every node it is computed from."""
    deps: dict[Node, frozenset[Node]] = {}
    for n in nodes:
        mine: set[Node] = set()
        for a in n.args:
            mine.add(a)
            mine |= deps.get(a, frozenset())
        deps[n] = frozenset(mine)
    return deps


def _graph_neighbours(nodes: Sequence[Node], deps: Mapping[Node, frozenset[Node]]
                      ) -> dict[Node, list[Node]]:
    """For each named node, the named nodes near it in the graph: what it is computed from
    (through unnamed steps) and what that is computed from, its siblings (the named
    nodes used together with it) and what is computed from it directly (c for c_prev in
    c = f * c_prev + i * g)."""
    def inputs(n: Node) -> set[Node]:
        found: set[Node] = set()
        todo = list(n.args)
        while todo:
            m = todo.pop()
            if m.name is not None and m.op != "const":
                found.add(m)
            elif m.args:
                todo.extend(m.args)
        return found

    direct = {n: inputs(n) for n in nodes}
    near: dict[Node, set[Node]] = {n: set() for n in nodes if n.name is not None}
    for n in nodes:
        users = direct[n]
        for m in users:  # siblings: used by the same node
            if m in near:
                near[m] |= set(users)
    for n in list(near):
        parents = direct[n]
        near[n] |= parents
        for m in parents:  # n is computed from m
            if m in near:
                near[m].add(n)
        for m in parents:
            near[n] |= direct[m]
        near[n].discard(n)
    order = {n: i for i, n in enumerate(nodes)}
    return {n: sorted(ms, key=lambda m: order.get(m, 0)) for n, ms in near.items()}


def _shape(memo: Mapping[Node, np.ndarray], n: Node) -> tuple[int, ...] | None:
    return tuple(np.shape(memo[n])) if n in memo else None


def edits(comp: Computation, root: Node, stop: frozenset[Node] = frozenset(),
          memo: Mapping[Node, np.ndarray] | None = None) -> list[Edit]:
    """Every single edit of the computation under ``root`` (not below ``stop``).

    ``memo`` (the values of one case) lets the neighbours be chosen by shape.
    """
    memo = memo if memo is not None else comp.memo()
    everything = comp.nodes()
    ctx = _Context(memo, [n for n in everything if n.op == "slope"],
                   [n for n in everything if n.op == "input" and n.role == "input"],
                   _dependencies(everything))
    ctx.near = _graph_neighbours(everything, ctx.deps)
    out: list[Edit] = []
    for n in walk([root], stop):
        if n in stop and n is not root:
            continue
        out.extend(_edits_of(n, ctx))
    return out


@dataclass
class _Context:
    """What the edits of one computation are chosen from."""

    memo: Mapping[Node, np.ndarray]  # one case's values (for shapes)
    slopes: list[Node]
    inputs: list[Node]
    deps: dict[Node, frozenset[Node]]
    near: dict[Node, list[Node]] = field(default_factory=dict)

    def depends_on(self, n: Node, target: Node) -> bool:
        if n in self.deps:
            return target in self.deps[n] or n is target
        return any(m is target for m in walk([n]))


def _neighbours(n: Node, old: Node, ctx: _Context) -> Iterator[Node]:
    """The named nodes near ``old`` that could stand where it stands in ``n``: the same
    shape, and not computed from ``n`` (that would make a loop)."""
    shape = _shape(ctx.memo, old)
    for m in ctx.near.get(old, []):
        if m is old or m.role == "lr" or _shape(ctx.memo, m) != shape or \
                ctx.depends_on(m, n):
            continue
        yield m


def _edits_of(n: Node, ctx: _Context) -> Iterator[Edit]:
    op = n.op
    memo = ctx.memo
    if op == "slope":
        yield from _slope_edits(n, ctx)
    elif op == "lr":
        yield Edit("lr_twice", n, _copy(n * n, name=None), {"lr": n.name})
        document = n.attrs.get("document")
        if document is not None:
            yield Edit("lr_hardcoded", n, const(document),
                       {"lr": n.name, "document": document})
    elif op == "mul":
        for i in (0, 1):
            dropped, kept = n.args[i], n.args[1 - i]
            if dropped.op == "const":
                continue
            # the chain rule: the incoming gradient times a local derivative
            chain = dropped.role == "grad_output" and kept.op == "slope"
            kind = ("lr_missing" if dropped.role == "lr" else
                    "grad_output_dropped" if chain else
                    "local_dropped" if dropped.op == "slope" else "factor_dropped")
            yield Edit(kind, n, kept, {"factor": dropped.render(top=False),
                                       "lr": dropped.render(top=False)})
    elif op == "sub":
        a, b = n.args
        if n.attrs.get("update"):
            text = n.text.replace(" - ", " + ") if n.prec != 50 else None
            yield Edit("step_added", n, _copy(binary("add", a, b, text), name=n.name))
        else:
            yield Edit("sub_swapped", n, _copy(n, args=(b, a)))
    if op in ("add", "sub") and not n.attrs.get("update") and n.text in ("{0} + {1}",
                                                                          "{0} - {1}"):
        a, b = n.args
        sign = "-" if op == "sub" else "+"
        if b.op != "const":
            yield Edit("term_dropped", n, a,
                       {"term": f"{sign} {b.render(top=False)}"})
        if a.op != "const":
            yield Edit("term_dropped", n, b if op == "add" else -b,
                       {"term": a.render(top=False)})
    if op in _LAYOUT_EDITS:
        yield from _LAYOUT_EDITS[op](n, ctx)
    elif op in ("dot", "matmul"):
        a, b = n.args
        for i in (0, 1):
            args = (_toggle_t(a), b) if i == 0 else (a, _toggle_t(b))
            yield Edit("operand_transposed", n, _copy(n, args=args),
                       {"operand": n.args[i].render(top=False)})
        yield Edit("operands_swapped", n, _copy(n, args=(b, a)))
        yield Edit("transposed", n, _copy(n, args=(_toggle_t(b), _toggle_t(a))))
        if n.attrs.get("batch"):
            yield Edit("mean_for_sum", n, _copy(
                n, text=n.text + " / N", prec=60, attrs={**n.attrs, "averaged": True}),
                {"batch": True})
            yield Edit("batch_not_reduced", n, _copy(
                n, text="np.einsum('in,nj->nij', {0}, {1})", attrs={**n.attrs,
                                                                   "per_example": True}))
    elif op == "sum":
        (x,) = n.args
        axis, keepdims, batch = n.attrs["axis"], n.attrs["keepdims"], n.attrs["batch"]
        yield Edit("mean_for_sum", n, _copy(reduction("mean", x, axis, keepdims, batch),
                                            name=n.name), {"batch": batch})
        yield Edit("batch_not_reduced" if batch else "sum_dropped", n, x,
                   {"summand": x.render(top=False)})
        yield Edit("keepdims", n, _copy(reduction("sum", x, axis, not keepdims, batch),
                                        name=n.name))
        ndim = len(_shape(memo, x) or ())
        current = axis if axis is None or isinstance(axis, tuple) else axis % max(ndim, 1)
        fewer: list[int | tuple[int, ...]] = []
        if isinstance(axis, tuple) and len(axis) > 1:  # one of the axes left unsummed
            for b in axis:
                rest = tuple(a for a in axis if a != b)
                partial = rest[0] if len(rest) == 1 else rest
                if batch and b == 0:  # every axis but the examples'
                    yield Edit("batch_not_reduced", n, _copy(
                        reduction("sum", x, partial, keepdims, batch), name=n.name))
                else:
                    fewer.append(partial)
        for other in [None, *range(ndim), *fewer]:
            if other != current and not (other is None and ndim <= 1):
                yield Edit("sum_axis", n, _copy(reduction("sum", x, other, keepdims, batch),
                                                name=n.name), {"axis": other})
    if op in ("mul", "div", "add", "sub", "dot", "matmul", "outer", "col"):
        for i, old in enumerate(n.args):
            if old.name is None or old.op == "const" or old.role == "lr":
                continue
            for m in _neighbours(n, old, ctx):
                swapped = tuple(m if j == i else a for j, a in enumerate(n.args))
                yield Edit("neighbour", n, _copy(n, args=swapped),
                           {"old": old.name, "used": m.name})


def _concat_edits(n: Node, ctx: _Context) -> Iterator[Edit]:
    """Two blocks of the same shape exchanged (an LSTM's gates as i, f, o, g)."""
    blocks = n.args
    for a in range(len(blocks)):
        for b in range(a + 1, len(blocks)):
            if _shape(ctx.memo, blocks[a]) != _shape(ctx.memo, blocks[b]):
                continue
            args = list(blocks)
            args[a], args[b] = args[b], args[a]
            yield Edit("blocks_order", n, _copy(n, args=tuple(args)),
                       {"blocks": f"{blocks[a].render(top=False)}, "
                                  f"{blocks[b].render(top=False)}"})


def _scatter_edits(n: Node, ctx: _Context) -> Iterator[Edit]:
    """``table[idx] += values``: NumPy buffers it, so a repeated index adds once."""
    yield Edit("scatter_assigned", n, _copy(
        n, text=n.attrs["table_name"] + "[{1}] += {0}", prec=0,
        attrs={**n.attrs, "buffered": True}))


def _strided(text: str) -> str:
    return text.replace("r:r + kh", "i:i + kh").replace("s:s + kw", "j:j + kw")


def _window_edits(n: Node, ctx: _Context) -> Iterator[Edit]:
    """The windows read at (i, j) instead of (i * stride, j * stride)."""
    args = list(n.args)
    args[2] = const(1)
    yield Edit("stride_ignored", n, _copy(n, args=tuple(args), text=_strided(n.text)),
               {"stride": f"`{n.args[2].render(top=False)}`"})


def _crop_edits(n: Node, ctx: _Context) -> Iterator[Edit]:
    """The gradient of the padded input returned as the input's."""
    yield Edit("padding_kept", n, n.args[0], {"padded": n.args[0].render(top=False)})


def _einsum_edits(n: Node, ctx: _Context) -> Iterator[Edit]:
    a = n.attrs
    kernel = a.get("kernel")
    if kernel in (0, 1):
        args = list(n.args)
        args[kernel] = flip(args[kernel])
        yield Edit("kernel_flipped", n, _copy(n, args=tuple(args)),
                   {"kernel": n.args[kernel].render(top=False)})
    elif kernel == -1:  # the kernel's gradient, flipped
        yield Edit("kernel_flipped", n, _copy(
            n, text=n.text + "[:, :, ::-1, ::-1]", attrs={**a, "flipped": True}),
            {"kernel": n.name or "the kernel"})
        inputs, out = a["spec"].split("->")
        shown_in, shown_out = a["shown"].split("->")
        shape = _shape(ctx.memo, n) or ()
        for p in range(len(out)):
            for q in range(p + 1, len(out)):
                if len(shape) != len(out) or shape[p] != shape[q]:
                    continue
                table = str.maketrans({out[p]: out[q], out[q]: out[p]})
                spec = f"{inputs}->{out.translate(table)}"
                shown = f"{shown_in}->{shown_out.translate(table)}"
                yield Edit("axes_swapped", n, _copy(
                    n, text=a["template"].replace("{spec}", shown),
                    attrs={**a, "spec": spec, "shown": shown}),
                    {"axes": f"{out[p]}, {out[q]}"})
    if a.get("batch"):
        yield Edit("mean_for_sum", n, _copy(n, text=n.text + " / N", prec=60,
                                            attrs={**a, "averaged": True}), {"batch": True})


def _reshape_edits(n: Node, ctx: _Context) -> Iterator[Edit]:
    """The last two axes filled in the other order (the embeddings of one context read as
    if stored dimension by dimension)."""
    shape = _shape(ctx.memo, n) or ()
    if len(shape) >= 3 and shape[-1] != shape[-2]:
        yield Edit("reshape_order", n, _copy(
            n, text="{0}.reshape({1}.swapaxes(-1, -2).shape).swapaxes(-1, -2)",
            attrs={**n.attrs, "swapped": True}))


_LAYOUT_EDITS = {"concat": _concat_edits, "reshape": _reshape_edits, "scatter_add": _scatter_edits,
                 "window": _window_edits, "unwindow": _window_edits, "crop": _crop_edits,
                 "einsum": _einsum_edits}


def _slope_edits(n: Node, ctx: _Context) -> Iterator[Edit]:
    a = n.attrs
    fn, takes, inp, out, style, scale = (a["fn"], a["takes"], a["inp"], a["out"],
                                         a["style"], a["scale"])
    (at,) = n.args

    def like(at_: Node, *, takes_: str = takes, style_: str | None = style,
             scale_: float = scale) -> Node:
        return _copy(slope(fn, at_, inp=inp, out=out, style=style_, takes=takes_,
                           scale=scale_), name=n.name)

    for kind, factor in (("local_sign", -1.0), ("local_double", 2.0), ("local_half", 0.5)):
        if kind == "local_sign" and fn == "loss":
            continue  # the sign of a difference: its subtraction the wrong way round
        yield Edit(kind, n, like(at, scale_=scale * factor))
    if fn in ("linear", "loss"):
        if fn == "linear" and at.name is not None:
            for m in _neighbours(n, at, ctx):
                yield Edit("neighbour", n, like(m), {"old": at.name, "used": m.name})
        return
    if takes == "out" and inp is not None:
        yield Edit("local_at_input", n, like(inp), {"at": inp, "out": out})
    if takes == "out":
        again = Node(fn, (at,), FUNCTIONS[fn], 90, (0,))
        yield Edit("local_at_output", n, like(again, style_=None),
                   {"again": True, "out": out, "inp": inp})
    elif out is not None:
        yield Edit("local_at_output", n, like(out), {"again": False, "out": out, "inp": inp})
    own = {id(x) for x in (at, inp, out) if x is not None}
    candidates: list[Node] = []
    for m in ctx.slopes:
        if m is not n and m.attrs["fn"] == fn:
            candidates.extend(x for x in (m.attrs["out"], m.attrs["inp"]) if x is not None)
    # an input of the network near the layer (l0 for l1): "the input instead of the
    # hidden activation"
    candidates.extend(m for m in ctx.near.get(out if out is not None else at, [])
                      if m in ctx.inputs)
    seen: set[int] = set()
    at_shape = _shape(ctx.memo, at)
    for m in candidates:
        if id(m) in own or id(m) in seen or ctx.depends_on(m, n):
            continue
        seen.add(id(m))
        shape = _shape(ctx.memo, m)
        try:
            fits = shape is not None and at_shape is not None and \
                np.broadcast_shapes(shape, at_shape) == at_shape
        except ValueError:
            fits = False
        if fits:
            yield Edit("local_at_other", n, like(m), {"at": m, "right_at": at})


# --------------------------------------------------------------------------- comparing


def tolerance(got: np.ndarray) -> float:
    """The relative tolerance for an answer of ``got``'s dtype: float32 gets its own."""
    dtype = got.dtype if np.issubdtype(got.dtype, np.floating) else np.dtype(np.float64)
    return max(1e-6, float(np.sqrt(np.finfo(dtype).eps)))


def same(got: Any, value: Any, reach: float = 0.0) -> bool:
    """Does ``got`` (the learner's) equal ``value``, relative to the value's scale?

    ``reach`` is the largest magnitude in the case (its inputs): a value computed by
    cancelling numbers that large (``1 - out`` with ``out`` near 1) is only known to a few
    roundings of it, so differences below that are not told apart.
    """
    got = np.asarray(got)
    value = np.asarray(value, dtype=np.float64)
    if got.shape != value.shape:
        return False
    rtol = tolerance(got)
    eps = float(np.finfo(got.dtype if np.issubdtype(got.dtype, np.floating)
                         else np.float64).eps)
    with np.errstate(all="ignore"):
        finite = np.abs(value[np.isfinite(value)])
        scale = float(finite.max()) if finite.size else 1.0
        atol = max(rtol * scale, 64 * eps * reach, 1e-300)
        return bool(np.allclose(got.astype(np.float64), value, rtol=rtol, atol=atol,
                                equal_nan=True))


def _reach(env: Mapping[str, Any]) -> float:
    """The largest finite magnitude among a case's inputs."""
    largest = 0.0
    for v in env.values():
        a = np.abs(np.asarray(v, dtype=np.float64))
        a = a[np.isfinite(a)]
        if a.size:
            largest = max(largest, float(a.max()))
    return largest


# --------------------------------------------------------------------------- the search


@dataclass
class Finding:
    """The edit that reproduces a wrong quantity, and on which cases it does."""

    quantity: str
    edit: Edit
    root: Node  # the quantity's computation after the edit
    matched: list[str]  # the cases where it gives the learner's values
    wrong: list[str]  # the cases where the learner's values are wrong
    right: list[str]  # the cases where they are right
    unmatched: list[str]  # wrong cases it does not reproduce
    alternatives: list[Edit] = field(default_factory=list)  # other edits, the same values

    @property
    def complete(self) -> bool:
        """Reproduces the learner's values on every case."""
        return not self.unmatched and set(self.matched) >= set(self.wrong) | set(self.right)


@dataclass
class _Prepared:
    labels: list[str]
    structure: Computation
    comps: dict[str, Computation]
    bases: dict[str, dict[Node, np.ndarray]]
    others: dict[str, dict[str, np.ndarray]]  # expected quantities outside the computation
    titles: dict[str, Msg]  # each case's label in both languages


def _prepare(ex: Any) -> _Prepared:
    """The exercise's computation: one structure, and each case's leaf values and node
    values (the computation is built the same way for every case)."""
    cases = ex.cases()
    built = [ex.computation(c) for c in cases]
    structure = built[0]
    comps = {c.label: Computation(structure.quantities, b.env)
             for c, b in zip(cases, built, strict=True)}
    bases = {label: comp.memo() for label, comp in comps.items()}
    outside = [q for q in ex.quantities if q not in structure.quantities]
    others = {c.label: ({q: np.asarray(v, dtype=np.float64) for q, v in
                         ex.expected(c).items() if q in outside} if outside else {})
              for c in cases}
    titles = {c.label: getattr(c, "title", None) or Msg.of(c.label) for c in cases}
    return _Prepared([c.label for c in cases], structure, comps, bases, others, titles)


# Keyed by the exercise object as well as its name: a test may register a changed copy.
_PREPARED: dict[tuple[str, int], _Prepared] = {}
_FOUND: dict[tuple[str, int, str, str], Finding | None] = {}


def _prepared(ex: Any) -> _Prepared:
    key = (ex.name, id(ex))
    if key not in _PREPARED:
        _PREPARED[key] = _prepare(ex)
    return _PREPARED[key]


def _fingerprint(results: Mapping[str, Mapping[str, Any]], quantities: Sequence[str]) -> str:
    h = hashlib.sha1()
    for label in sorted(results):
        for q in quantities:
            v = results[label].get(q)
            if v is not None:
                a = np.ascontiguousarray(v)
                h.update(f"{label}|{q}|{a.dtype}|{a.shape}|".encode())
                h.update(a.tobytes())
    return h.hexdigest()


def search(ex: Any, results: Mapping[str, Mapping[str, Any]], quantity: str
           ) -> Finding | None:
    """The single edit of ``ex.computation`` that best reproduces the learner's
    ``quantity`` (``results``: ``{case label: {quantity: value}}``), or None.

    Only edits that reproduce the first case where the quantity is wrong are considered:
    that is the case the report explains.
    """
    qs = list(ex.quantities)
    if ex.computation is None or quantity not in qs:
        return None
    key = (ex.name, id(ex), quantity, _fingerprint(results, qs[:qs.index(quantity) + 1]))
    if key not in _FOUND:
        if len(_FOUND) > 256:
            _FOUND.clear()
        _FOUND[key] = _search(_prepared(ex), results, qs, quantity)
    return _FOUND[key]


def _search(p: _Prepared, results: Mapping[str, Mapping[str, Any]], qs: list[str],
            quantity: str) -> Finding | None:
    if quantity not in p.structure.quantities:
        return None
    labels = [lb for lb in p.labels if quantity in results.get(lb, {})]
    got = {lb: np.asarray(results[lb][quantity]) for lb in labels}
    expected = {lb: p.bases[lb][p.structure.quantities[quantity]] for lb in labels}
    reach = {lb: _reach(p.comps[lb].env) for lb in labels}
    wrong = [lb for lb in labels if not same(got[lb], expected[lb], reach[lb])]
    right = [lb for lb in labels if lb not in wrong]
    if not wrong:
        return None
    with np.errstate(all="ignore"):
        overflowed = bool(np.any(~np.isfinite(got[wrong[0]]) & np.isfinite(expected[wrong[0]]))
                          ) if got[wrong[0]].shape == expected[wrong[0]].shape else False
    if overflowed:  # nan or inf where the value is finite: the checker names the overflow
        return None
    # the earlier quantities the learner has right everywhere stay as they are
    pinned = frozenset(p.structure.quantities[q] for q in qs[:qs.index(quantity)]
                       if q in p.structure.quantities and all(
                           q in results.get(lb, {}) and same(results[lb][q], p.bases[lb][
                               p.structure.quantities[q]]) for lb in labels))
    root = p.structure.quantities[quantity]
    # a value an earlier right quantity is computed from was right for the learner: an edit
    # of it (on this quantity's path only) is less likely than one of the path itself
    # (the leaves are given, not computed: an edit of a learning rate is not penalised)
    shared = frozenset(n for n in walk(pinned) if n.args)
    lead = wrong[0]
    # the explained case first: most edits fail there, and need not be tried on the others
    order_of_cases = [lead, *(lb for lb in labels if lb != lead)]
    best: list[tuple[tuple[int, int, int, int], Edit, Node, list[str]]] = []
    for order, edit in enumerate(edits(p.structure, root, pinned, p.bases[lead])):
        new_root = edit.apply(root, pinned)
        matched = []
        for lb in order_of_cases:
            try:
                value = p.comps[lb].evaluate(new_root, {}, p.bases[lb])
            except (ValueError, IndexError, TypeError, FloatingPointError):
                value = None
            if value is not None and same(got[lb], value, reach[lb]):
                matched.append(lb)
            elif lb == lead:
                break
        matched = [lb for lb in labels if lb in matched]
        explained = [lb for lb in matched if lb in wrong]
        if not explained:
            continue
        complete = len(matched) == len(labels)
        rank = (0 if complete else 1, -len(explained), int(edit.site in shared),
                _ORDER[edit.kind] * 10000 + order)
        best.append((rank, edit, new_root, matched))
    if not best:
        return None
    best.sort(key=lambda item: item[0])
    rank, edit, new_root, matched = best[0]
    alternatives = [e for r, e, _, m in best[1:] if r[:2] == rank[:2] and m == matched
                    and e.kind != edit.kind]
    return Finding(quantity, edit, new_root, matched, wrong, right,
                   [lb for lb in wrong if lb not in matched], alternatives)


# --------------------------------------------------------------------------- explaining


@dataclass(frozen=True)
class Hint(Msg):
    """A hint in both languages, with the finding behind it (``diagnosis``: the edit's kind
    id, the edited expression, the cases it reproduces) for JSON and the report."""

    diagnosis: dict[str, Any] | None = field(default=None, compare=False, hash=False)


M = {
    "step_added": Msg(
        "the step goes up the slope (`+=` where the update is `-=`): your {q} equals {expr}; "
        "{right} moves against the gradient.",
        "更新的方向反了（该用 `-=` 的地方用了 `+=`）：你的 {q} 等于 {expr}；{right} 才是"
        "逆着梯度走。"),
    "lr_missing": Msg(
        "the learning rate {lr} is missing: your {q} equals {expr}; the computation is "
        "{owner}.",
        "漏掉了学习率 {lr}：你的 {q} 等于 {expr}；正确的算法是 {owner}。"),
    "lr_twice": Msg(
        "the learning rate {lr} is applied twice: your {q} equals {expr}; the computation is "
        "{owner}.",
        "学习率 {lr} 乘了两次：你的 {q} 等于 {expr}；正确的算法是 {owner}。"),
    "lr_hardcoded": Msg(
        "the learning rate is hard-coded to {document}, the document's value: your {q} "
        "equals {expr}; use the argument {lr} (case {case} sets it to {value}).",
        "学习率被写死成了文档里的 {document}：你的 {q} 等于 {expr}；请使用参数 {lr}"
        "（用例 {case} 里它是 {value}）。"),
    "local_at_input": Msg(
        "derivative of the wrong variable: your {q} equals {expr}: the slope is taken at "
        "the layer's input {at}; {right} takes it at the output {out}.",
        "对错了变量求导：你的 {q} 等于 {expr}：斜率取在了这一层的输入 {at} 上；"
        "{right} 是在输出 {out} 上取的。"),
    "local_at_output_again": Msg(
        "derivative of the wrong variable: your {q} equals {expr}: {out} is already the "
        "output of {fn}, so applying {fn} to it again takes the slope at the wrong place; "
        "the slope is {right}.",
        "对错了变量求导：你的 {q} 等于 {expr}：{out} 已经是 {fn} 的输出了，再套一次 {fn} "
        "就把斜率取错了地方；斜率应为 {right}。"),
    "local_at_output": Msg(
        "derivative of the wrong variable: your {q} equals {expr}: {wrong} is given the "
        "output {out}, not the input {inp}; {right} takes the slope at {inp}.",
        "对错了变量求导：你的 {q} 等于 {expr}：{wrong} 用的是输出 {out}，而不是输入 "
        "{inp}；{right} 是在 {inp} 上取斜率的。"),
    "local_at_other": Msg(
        "derivative of the wrong variable: your {q} equals {expr}: the slope is taken at "
        "{at}; {right} takes it at {right_at}.",
        "对错了变量求导：你的 {q} 等于 {expr}：斜率取在了 {at} 上；{right} 应当在 "
        "{right_at} 上取。"),
    "grad_output_dropped": Msg(
        "the chain rule is missing: your {q} equals {expr}, the local derivative alone; "
        "multiply it by {factor}, the gradient arriving at the output: {right}.",
        "漏掉了链式法则：你的 {q} 等于 {expr}，只有局部导数；还要乘以从输出传回来的梯度 "
        "{factor}：{right}。"),
    "local_dropped": Msg(
        "the local derivative {factor} is missing: your {q} equals {expr}; the computation "
        "is {owner}.",
        "漏掉了局部导数 {factor}：你的 {q} 等于 {expr}；正确的算法是 {owner}。"),
    "local_sign": Msg(
        "sign flipped: your {q} equals {expr}: the local derivative {wrong} is minus {right}.",
        "符号反了：你的 {q} 等于 {expr}：局部导数 {wrong} 恰好是 {right} 的相反数。"),
    "sub_swapped": Msg(
        "sign flipped: your {q} equals {expr}: the subtraction {wrong} is the wrong way "
        "round; the computation has {right}.",
        "符号反了：你的 {q} 等于 {expr}：减法 {wrong} 两边写反了，应为 {right}。"),
    "local_double": Msg(
        "an extra factor of 2: your {q} equals {expr}: {wrong} where the computation has "
        "{right}.",
        "多了一个因子 2：你的 {q} 等于 {expr}：用了 {wrong}，而应当是 {right}。"),
    "local_half": Msg(
        "a missing factor of 2: your {q} equals {expr}: {wrong} where the computation has "
        "{right}.",
        "少了一个因子 2：你的 {q} 等于 {expr}：用了 {wrong}，而应当是 {right}。"),
    "mean_for_sum": Msg(
        "averaged over the batch: your {q} equals {expr}, the sum over the {n} examples "
        "divided by {n} (a ratio of 1/{n}); {right} adds up the contributions of every "
        "example.",
        "对批次取了平均：你的 {q} 等于 {expr}，即对 {n} 个样本求和后又除以了 {n}（比值为 "
        "1/{n}）；{right} 是把每个样本的贡献加起来。"),
    "batch_not_reduced": Msg(
        "not reduced over the batch: your {q} has shape {got_shape}, one value per example "
        "({expr}); {right} sums the examples' contributions, shape {expected_shape}.",
        "没有对批次求和：你的 {q} 形状是 {got_shape}，每个样本各一份（{expr}）；{right} "
        "把所有样本的贡献加起来，形状为 {expected_shape}。"),
    "keepdims": Msg(
        "keepdims the other way: your {q} has shape {got_shape}, expected {expected_shape}: "
        "it equals {expr}; the computation is {right}.",
        "keepdims 用反了：你的 {q} 形状是 {got_shape}，应为 {expected_shape}：它等于 "
        "{expr}；正确的算法是 {right}。"),
    "mean_not_batch": Msg(
        "a mean instead of a sum: your {q} equals {expr}; the computation is {right}.",
        "把求和写成了求平均：你的 {q} 等于 {expr}；正确的算法是 {right}。"),
    "sum_axis": Msg(
        "summed over the wrong axis: your {q} equals {expr}; the computation is {right}.",
        "求和的轴不对：你的 {q} 等于 {expr}；正确的算法是 {right}。"),
    "sum_axis_all": Msg(
        "summed over every axis: your {q} equals {expr}; the computation is {right}.",
        "把所有的轴都求和了：你的 {q} 等于 {expr}；正确的算法是 {right}。"),
    "sum_dropped": Msg(
        "a sum is missing: your {q} equals {expr}: {summand} stands where the computation "
        "has its sum {right}.",
        "漏掉了一个求和：你的 {q} 等于 {expr}：在应当用求和 {right} 的地方直接用了 "
        "{summand}。"),
    "operand_transposed": Msg(
        "transposed operand: your {q} equals {expr}: {operand} is transposed the wrong way "
        "in the product; the computation is {right}.",
        "操作数的转置不对：你的 {q} 等于 {expr}：乘积中的 {operand} 转置用错了；正确的算法"
        "是 {right}。"),
    "operands_swapped": Msg(
        "the operands are swapped: your {q} equals {expr}; the computation is {right} (a "
        "matrix product does not commute).",
        "两个操作数的顺序反了：你的 {q} 等于 {expr}；正确的算法是 {right}（矩阵乘法不能"
        "交换次序）。"),
    "transposed": Msg(
        "transposed: your {got_shape} matrix is the transpose of the expected "
        "{expected_shape} one: your {q} equals {expr}, not {right}.",
        "转置了：你的 {got_shape} 矩阵是正确的 {expected_shape} 矩阵的转置：你的 {q} 等于 "
        "{expr}，而不是 {right}。"),
    "neighbour": Msg(
        "wrong variable: your {q} equals {expr}: it uses {used} where {owner} uses {old}.",
        "用错了变量：你的 {q} 等于 {expr}：在 {owner} 中用 {old} 的地方，你用了 {used}。"),
    "term_dropped": Msg(
        "a term is missing: your {q} equals {expr}: the term {term} of {owner} is left "
        "out.",
        "漏掉了一项：你的 {q} 等于 {expr}：{owner} 中的 {term} 这一项被丢掉了。"),
    "scatter_assigned": Msg(
        "a repeated index kept only one of its gradients: your {q} is what `{expr}` gives; "
        "NumPy's fancy assignment is buffered, so a row looked up several times is written "
        "once. {right} adds every one.",
        "重复的索引只留下了一份梯度：你的 {q} 正是 `{expr}` 的结果；NumPy 的花式索引赋值是"
        "缓冲的，被查了好几次的行只会写入一次。{right} 才会把每一份都加上。"),
    "blocks_order": Msg(
        "the blocks are joined in the wrong order: your {q} equals {expr} ({blocks} "
        "exchanged); the computation is {right}.",
        "拼接各块的顺序不对：你的 {q} 等于 {expr}（{blocks} 互换了位置）；正确的算法是 "
        "{right}。"),
    "padding_kept": Msg(
        "the padding is still there: your {q} has shape {got_shape}, expected "
        "{expected_shape}: it equals {padded}, the gradient of the padded input; cut the "
        "border off: {q} = {right}.",
        "填充的那一圈还在：你的 {q} 形状是 {got_shape}，应为 {expected_shape}：它就是 "
        "{padded}，即补零后输入的梯度；要把四周去掉：{q} = {right}。"),
    "stride_ignored": Msg(
        "the stride is ignored: your {q} equals {expr}: the window of output position "
        "(i, j) is read from row i and column j, but consecutive windows are {stride} "
        "positions apart: it starts at r, s = i * {stride}, j * {stride}: {right}.",
        "忽略了步长：你的 {q} 等于 {expr}：输出位置 (i, j) 的窗口是从第 i 行、第 j 列读的，"
        "但相邻两个窗口相隔 {stride} 个位置：它应当从 r, s = i * {stride}, j * {stride} "
        "开始：{right}。"),
    "kernel_flipped": Msg(
        "the kernel is flipped (rotated 180°): your {q} equals {expr}; conv2d does not flip "
        "its kernel, so {kernel} stays as it is: {owner}.",
        "卷积核被翻转了（旋转了 180°）：你的 {q} 等于 {expr}；conv2d 不翻转卷积核，"
        "{kernel} 要保持原样：{owner}。"),
    "axes_swapped": Msg(
        "two axes are swapped: your {q} equals {expr}: the axes {axes} of the result are "
        "exchanged; {q} has the layout of its variable: {right}.",
        "两个轴对调了：你的 {q} 等于 {expr}：结果中 {axes} 这两个轴互换了；{q} 要与对应的"
        "变量有相同的布局：{right}。"),
    "reshape_order": Msg(
        "the reshape reads the axes in the other order: your {q} equals {expr}; "
        "{right} undoes the forward pass's reshape as it was done.",
        "reshape 时轴的顺序读反了：你的 {q} 等于 {expr}；{right} 才是按前向传播中 reshape "
        "的方式把它还原回去。"),
    "factor_dropped": Msg(
        "a factor is missing: your {q} equals {expr}, without {factor}; the computation is "
        "{owner}.",
        "漏掉了一个因子：你的 {q} 等于 {expr}，少了 {factor}；正确的算法是 {owner}。"),
    # pieces
    "with": Msg("{expr}, with {defs}", "{expr}，其中 {defs}"),
    "partial": Msg(" This reproduces your values in case {matched}, but not in {unmatched}.",
                   "这能重现你在用例 {matched} 中的值，但重现不了 {unmatched} 中的。"),
    "right_only": Msg(" (Right in case {right}, where this mistake changes nothing.)",
                      "（在用例 {right} 中这个错误不影响结果，所以那里是对的。）"),
    "alternative": Msg(" (The same values come from {alt}.)", "（{alt} 也会得出同样的值。）"),
}


def _edited_expression(f: Finding, structure: Computation, root: Node | None = None) -> Msg:
    """``q``'s edited definition, and the edited definitions of the named nodes it uses."""
    root = f.root if root is None else root
    if root.name is not None and root.name != f.quantity and root in structure.nodes():
        main = root.name  # the quantity replaced by a named node of the computation
    else:
        main = root.render(top=True)
    defs = []
    original = set(structure.nodes())
    for n in walk([root]):
        if n is not root and n.name is not None and n not in original and n.op not in (
                "const", "input", "lr"):
            defs.append(f"{n.name} = {n.render(top=True)}")
    if not defs:
        return Msg(main, main)
    return M["with"].format(expr=main, defs=and_list(defs))


def _owner(site: Node, root: Node) -> Node:
    """The named node under ``root`` whose own definition holds ``site`` (the quantity
    itself, or a named intermediate such as d_h2_d_w4): where the explanation points. A
    named site is its own definition (dc_total, when a term of it is dropped)."""
    if site.name is not None and site.args:
        return site
    for n in walk([root]):
        if n.name is None or not n.args:
            continue
        todo, own = list(n.args), set()
        while todo:
            m = todo.pop()
            own.add(m)
            if m.name is None:
                todo.extend(m.args)
        if site in own:
            return n
    return root


def _fields(f: Finding, structure: Computation, got: np.ndarray, expected: np.ndarray
            ) -> dict[str, Any]:
    e = f.edit
    site = e.site
    owner = _owner(site, structure.quantities[f.quantity])
    fields: dict[str, Any] = {
        "owner": f"{owner.name} = {owner.render(top=True)}",
        "q": f.quantity,
        "expr": _edited_expression(f, structure),
        "right": site.render(top=site.op not in ("input", "lr", "const")),
        "wrong": e.new.render(top=True),
        "got_shape": str(tuple(got.shape)),
        "expected_shape": str(tuple(expected.shape)),
    }
    for key, value in e.info.items():
        fields[key] = value.render(top=False) if isinstance(value, Node) else value
    if e.kind == "lr_hardcoded":
        fields["value"] = f"{float(structure.env.get(site.attrs['key'], 0.0)):g}"
    if e.kind in ("local_at_output", "local_at_input"):
        for key in ("out", "inp"):
            node = site.attrs.get(key)
            fields[key] = node.render(top=False) if node is not None else "x"
        fields["fn"] = site.attrs["fn"]
    if e.kind == "mean_for_sum":  # the batch size, from the ratio of the values
        with np.errstate(all="ignore"):
            i = int(np.argmax(np.abs(expected))) if expected.size else 0
            ratio = float(np.ravel(expected)[i] / np.ravel(got)[i]) if got.shape == \
                expected.shape and expected.size else float("nan")
        fields["n"] = str(round(ratio)) if np.isfinite(ratio) and ratio >= 1.5 else "N"
    if e.kind == "local_dropped" and "factor" not in fields:
        fields["factor"] = site.render(top=False)
    return fields


def describe(f: Finding, structure: Computation, got: np.ndarray, expected: np.ndarray,
             titles: Mapping[str, Msg] | None = None, case: str | None = None,
             values: Mapping[Node, Any] | None = None) -> Hint:
    """The finding as a hint in both languages, with its ``diagnosis`` (``titles``: the
    cases' labels in both languages; ``case`` and its node ``values``: the case shown)."""
    def cases(labels: Sequence[str]) -> Msg:
        return and_list([(titles or {}).get(lb) or Msg.of(lb) for lb in labels])

    e = f.edit
    fields = _fields(f, structure, got, expected)
    if e.kind == "lr_hardcoded" and case is not None and values is not None \
            and e.site in values:  # the learning rate of the case shown, not of the first
        fields["value"] = f"{float(np.asarray(values[e.site])):g}"
    fields["case"] = cases([case]) if case is not None else Msg("?", "?")
    key = e.kind
    if key == "local_at_output" and e.info.get("again"):
        key = "local_at_output_again"
    if key == "sum_axis" and e.info.get("axis") is None:
        key = "sum_axis_all"
    if key == "mean_for_sum" and not e.info.get("batch"):
        key = "mean_not_batch"
    msg = M[key].format(**fields)
    if f.unmatched:
        msg = msg + M["partial"].format(matched=cases(f.matched),
                                        unmatched=cases(f.unmatched))
    if f.right:
        msg = msg + M["right_only"].format(q=f.quantity, right=cases(f.right))
    shown = _edited_expression(f, structure).en
    for alt in f.alternatives:  # the first that reads differently from the edit shown
        text = _edited_expression(f, structure, alt.apply(structure.quantities[f.quantity]))
        if text.en != shown:
            msg = msg + M["alternative"].format(
                alt=Msg(f"{f.quantity} = ", f"{f.quantity} = ") + text)
            break
    diagnosis = {
        "kind": e.kind,
        "edit": f"{f.quantity} = {_edited_expression(f, structure).en}",
        "site": fields["right"],
        "replacement": fields["wrong"],
        "cases": list(f.matched),
        "complete": f.complete,
        "alternatives": [a.kind for a in f.alternatives],
    }
    return Hint(msg.en, msg.zh, diagnosis=diagnosis)


def explain(ex: Any, results: Mapping[str, Mapping[str, Any]], quantity: str, case: str,
            variants: Mapping[Any, Any] | None = None) -> Msg | str | None:
    """The hint for the learner's ``quantity`` in ``case``: the edit of the computation that
    reproduces it, followed by the exercise's own words for the same mistake (``variants``:
    hint -> that mistake's value, in this case); without an edit, today's patterns."""
    from .core import diagnose  # core imports this module when it checks

    got = np.asarray(results[case][quantity])
    p = _prepared(ex)
    if quantity in p.structure.quantities:
        expected = p.bases[case][p.structure.quantities[quantity]]
    else:
        expected = p.others[case][quantity]
    finding = search(ex, results, quantity)
    words = [h for h, v in (variants or {}).items() if same(got, v)]
    if finding is None or case not in finding.matched:
        return diagnose(got.astype(np.float64), expected, ex.lr, variants)
    hint = describe(finding, p.structure, got, expected, p.titles, case, p.bases[case])
    for w in words:
        extra = Msg.of(w)
        hint = Hint(hint.en + " " + extra.en, hint.zh + extra.zh, diagnosis=hint.diagnosis)
    return hint


# --------------------------------------------------------------------------- mutants


@dataclass
class Mutant:
    """A wrong answer made by one edit: the values a learner with that mistake returns."""

    exercise: str
    edit: Edit
    quantity: str  # the first quantity the edit changes
    results: dict[str, dict[str, np.ndarray]]
    case_errors: dict[str, str]


def mutants(ex: Any, one_per_kind: bool = False) -> Iterator[Mutant]:
    """Every single edit of the exercise's computation, as a learner's answer (the values
    every case gives), with the first quantity it makes wrong (``one_per_kind``: only the
    first mutant of each kind of edit)."""
    p = _prepared(ex)
    qs = [q for q in ex.quantities if q in p.structure.quantities]
    roots = p.structure.quantities
    seen: set[tuple[str, int, str]] = set()
    kinds: set[str] = set()
    first = p.bases[p.labels[0]]
    for q in qs:
        stop = frozenset(roots[r] for r in qs[:qs.index(q)])
        for edit in edits(p.structure, roots[q], stop, first):
            key = (edit.kind, id(edit.site), edit.new.render())
            if key in seen or (one_per_kind and edit.kind in kinds):
                continue
            seen.add(key)
            mutant = _mutant(ex, p, edit)
            if mutant is not None:
                kinds.add(edit.kind)
                yield mutant


def _mutant(ex: Any, p: _Prepared, edit: Edit) -> Mutant | None:
    results: dict[str, dict[str, np.ndarray]] = {}
    case_errors: dict[str, str] = {}
    for lb in p.labels:
        values: dict[str, np.ndarray] = {}
        for q in ex.quantities:
            if q not in p.structure.quantities:  # outside the computation (a loss curve)
                values[q] = p.others[lb][q]
                continue
            try:
                v = p.comps[lb].evaluate(edit.apply(p.structure.quantities[q]), {},
                                         p.bases[lb])
            except (ValueError, IndexError, TypeError):
                # the learner's code would have raised here: the case is an error
                case_errors[lb] = "the edited computation raised an error"
                v = p.bases[lb][p.structure.quantities[q]]
            if not np.all(np.isfinite(v)):
                return None
            values[q] = np.asarray(v, dtype=np.float64)
        if lb not in case_errors:
            results[lb] = values
    # the first wrong quantity as check_values finds it: case by case, in order
    for lb in p.labels:
        if lb in case_errors:
            continue
        for q in ex.quantities:
            if q in p.structure.quantities and not same(
                    results[lb][q], p.bases[lb][p.structure.quantities[q]]):
                return Mutant(ex.name, edit, q, results, case_errors)
    return None


def hinted_right(ex: Any, mutant: Mutant, hint: Any) -> bool:
    """Does the hint name the mutant's edit, or an edit with the same values everywhere?"""
    diagnosis = getattr(hint, "diagnosis", None)
    if not isinstance(diagnosis, dict):
        return False
    if diagnosis["kind"] == mutant.edit.kind:
        return True
    finding = search(ex, mutant.results, mutant.quantity)
    return finding is not None and finding.complete


def coverage(names: Sequence[str] | None = None, stream: Any = None) -> dict[str, list[int]]:
    """Every exercise's mutants through ``check_values``: per kind of edit, how many were
    generated, how many got a hint naming that edit or one with the same values on every
    case ("hinted right"), and how many named that very kind ("same kind")."""
    from . import EXERCISES
    from .core import check_values

    stream = stream or sys.stdout
    table: dict[str, list[int]] = {kind: [0, 0, 0] for kind in KINDS}
    for name, ex in EXERCISES.items():
        if ex.computation is None or (names and name not in names):
            continue
        for m in mutants(ex):
            result = check_values(ex, m.results, m.case_errors)
            f = result.failure
            right = f is not None and f.quantity == m.quantity and hinted_right(ex, m, f.hint)
            diagnosis = getattr(f.hint, "diagnosis", None) if f is not None else None
            table[m.edit.kind][0] += 1
            table[m.edit.kind][1] += int(right)
            table[m.edit.kind][2] += int(right and isinstance(diagnosis, dict)
                                         and diagnosis["kind"] == m.edit.kind)
    print(f"{'edit kind':<22} {'mutants':>8} {'hinted right':>13} {'same kind':>10}",
          file=stream)
    for kind, (n, ok, exact) in table.items():
        if n:
            print(f"{kind:<22} {n:>8} {ok:>13} {exact:>10}", file=stream)
    total = [sum(row[i] for row in table.values()) for i in range(3)]
    print(f"{'all':<22} {total[0]:>8} {total[1]:>13} {total[2]:>10}", file=stream)
    return table


def main(argv: Sequence[str] | None = None) -> int:
    """``--coverage [NAME ...]``: print the hint coverage table."""
    parser = argparse.ArgumentParser(prog="python -m tinygrad_edu.exercises.diagnosis")
    parser.add_argument("--coverage", action="store_true",
                        help="generate every single-edit mutant and count the right hints")
    parser.add_argument("names", nargs="*", help="only these exercises")
    args = parser.parse_args(argv)
    if not args.coverage:
        parser.print_help()
        return 2
    coverage(args.names)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
