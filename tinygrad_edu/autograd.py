"""Reverse-mode differentiation: walk the graph backwards and apply the chain rule.

1. ``topological_order`` lists the graph's nodes so that each comes after everything it
   was computed from, using an explicit stack (no recursion: a chain of a million ops works).
2. ``_backprop`` visits them in reverse. At each node the gradient of the final result with
   respect to that node is complete (every use of it has been visited), so its op's
   ``backward`` can turn it into gradient contributions for the node's inputs. Contributions
   from several uses of one tensor are added: that is the chain rule's sum over paths.
3. A contribution in a broadcast shape is summed back to the input's shape (``_sum_to``),
   the one place where broadcasting is undone.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from .tensor import Context, Tensor, _grad_mode, _to_array

__all__ = ["backward", "grad", "topological_order", "add_hook"]

T = TypeVar("T")


def topological_order(roots: Tensor | Sequence[Tensor]) -> list[Tensor]:
    """Non-leaf tensors the roots depend on, each after everything it was computed from."""
    order: list[Tensor] = []
    visited: set[Tensor] = set()
    for root in [roots] if isinstance(roots, Tensor) else roots:
        if root._ctx is None or root in visited:
            continue
        visited.add(root)
        # Each stack entry is a node and an iterator over its parents still to look at.
        stack = [(root, iter(root._ctx.parents))]
        while stack:
            node, parents = stack[-1]
            for p in parents:
                if p is not None and p._ctx is not None and p not in visited:
                    visited.add(p)
                    stack.append((p, iter(p._ctx.parents)))
                    break
            else:  # every parent is placed: the node can follow them
                stack.pop()
                order.append(node)
    return order


def _sum_to(g: Any, shape: tuple[int, ...], ctx: Context, i: int) -> Any:
    """Sum a gradient of a broadcast shape back to ``shape`` (works on arrays and tensors)."""
    lead = g.ndim - len(shape)
    if lead < 0 or any(n != 1 and n != m for n, m in zip(shape, g.shape[lead:], strict=True)):
        raise RuntimeError(
            f"{ctx.fn.__name__}.backward returned a gradient of shape {tuple(g.shape)} for "
            f"input {i}, whose shape is {shape}"
        )
    axes = tuple(range(lead)) + tuple(
        lead + k for k, n in enumerate(shape) if n == 1 and g.shape[lead + k] != 1
    )
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape) if lead else g


def _as_grads(ctx: Context, result: Any) -> tuple[Any, ...]:
    """A backward's result as one entry per positional input, checked."""
    grads = tuple(result) if isinstance(result, tuple | list) else (result,)
    if len(grads) != len(ctx.parents):
        raise RuntimeError(
            f"{ctx.fn.__name__}.backward returned {len(grads)} gradient(s) but forward took "
            f"{len(ctx.parents)} positional input(s); return one per input (None for a constant)"
        )
    return tuple(grads)


StepHook = Callable[[Tensor, Any, "list[Any]"], None]

# --------------------------------------------------------------------------- tensor hooks
# register_hook's functions, by tensor: id -> (weak reference, hooks). While there is none,
# a backward pass takes the lean loop and pays nothing for them.
_hooked: dict[int, tuple[Any, list[Callable[[Tensor], Any]]]] = {}


class RemovableHandle:
    """What ``register_hook`` returns: ``remove()`` takes the hook off again."""

    def __init__(self, key: int, hook: Callable[[Tensor], Any]) -> None:
        self._key = key
        self._hook = hook

    def remove(self) -> None:
        entry = _hooked.get(self._key)
        if entry is not None and self._hook in entry[1]:
            entry[1].remove(self._hook)
            if not entry[1]:
                del _hooked[self._key]


def add_hook(t: Tensor, hook: Callable[[Tensor], Any]) -> RemovableHandle:
    """Register ``hook`` on ``t`` (``Tensor.register_hook``)."""
    key = id(t)
    entry = _hooked.get(key)
    if entry is None or entry[0]() is not t:

        def forget(_: Any, key: int = key, hooked: dict[int, Any] = _hooked) -> None:
            hooked.pop(key, None)  # the tensor is gone: so are its hooks

        entry = (weakref.ref(t, forget), [])
        _hooked[key] = entry
    entry[1].append(hook)
    return RemovableHandle(key, hook)


def _run_hooks(t: Tensor, g: Any) -> Any:
    """``g`` after ``t``'s hooks: each sees the gradient as a tensor and may replace it."""
    entry = _hooked.get(id(t))
    if entry is None or entry[0]() is not t:
        return g
    is_array = type(g) is np.ndarray
    gt = Tensor._wrap(g) if is_array else g
    for hook in list(entry[1]):
        new = hook(gt)
        if new is not None:
            if not isinstance(new, Tensor):
                new = Tensor._wrap(np.asarray(new, dtype=t.data.dtype))
            if new.shape != t.shape:
                raise RuntimeError(f"hook: a hook returned a gradient of shape {new.shape} for a "
                                   f"tensor of shape {t.shape}")
            gt = new
    return gt.data if is_array else gt


# Python's cycle collector is paused for the length of a backward pass: the pass allocates
# many short-lived objects while the whole graph is alive, and each collection they trigger
# would walk that graph again, adding to the cost per op of a deep chain the deeper it gets
# (about a fifth of backward's cost at depth 100,000). The pass makes no reference cycles.
# (A plain try/finally: a context manager here would cost more than it saves on a small
# graph.)


def _in_pass(create_graph: bool, work: Callable[[], T]) -> T:
    """Run ``work`` (a pass and what is done with its gradients) as every pass runs: with the
    cycle collector paused (see the note above) and recording only when ``create_graph``.
    (The grad mode is set directly, as ``no_grad``/``enable_grad`` would, for the same reason.)
    """
    collecting = gc.isenabled()
    gc.disable()
    mode = _grad_mode.enabled
    _grad_mode.enabled = create_graph
    try:
        return work()
    finally:
        _grad_mode.enabled = mode
        if collecting:
            gc.enable()


def _backprop(
    roots: Sequence[Tensor],
    root_grads: Sequence[Any],
    retain_graph: bool,
    create_graph: bool,
    on_step: StepHook | None = None,
) -> dict[Tensor, Any]:
    """Run the chain rule from ``roots``; return the gradient of every tensor reached.

    Gradients are arrays, or tensors carrying their own graph when ``create_graph``.
    ``on_step(node, grad, sent)``, if given, sees each op as it is visited: the gradient
    arriving at its output and the contribution sent to each input (None where none is).
    """
    grads: dict[Tensor, Any] = {}
    for r, g in zip(roots, root_grads, strict=True):
        grads[r] = grads[r] + g if r in grads else g
    order = topological_order(roots)
    if not create_graph and on_step is None and not _hooked:
        _backprop_arrays(order, grads, retain_graph)
        return grads

    for node in reversed(order):
        g = grads.get(node)
        if g is None:  # no root depends on this node through a differentiable path
            continue
        if _hooked:  # its gradient is complete: the hooks may change what flows on
            g = grads[node] = _run_hooks(node, g)
        ctx = node._ctx
        assert ctx is not None
        parents = ctx.parents
        if create_graph:
            ctx.graph_output = node
            try:
                result = ctx.fn.backward(ctx, g)
            finally:
                ctx.graph_output = None
        else:
            result = ctx.fn.backward(ctx, g)
        if type(result) is not tuple:  # one input: a bare gradient (checked by _as_grads)
            result = (result,) if type(result) is np.ndarray and len(parents) == 1 else \
                _as_grads(ctx, result)
        elif len(result) != len(parents):
            result = _as_grads(ctx, result)
        sent: list[Any] | None = [] if on_step is not None else None
        for p, gi in zip(parents, result, strict=True):
            if p is None or gi is None or not p._requires_grad:
                if sent is not None:
                    sent.append(None)
                continue
            if type(gi) is not np.ndarray:
                gi = _as_gradient(gi, p, create_graph, ctx)
            pdata = p.data
            if gi.shape != pdata.shape:  # undo broadcasting: the one place it is done
                gi = _sum_to(gi, pdata.shape, ctx, _position(parents, p))
            if gi.dtype != pdata.dtype:
                gi = _cast_gradient(gi, pdata, ctx)
            prev = grads.get(p)
            # Out of place: a contribution may be the very array another tensor holds.
            grads[p] = gi if prev is None else prev + gi
            if sent is not None:
                sent.append(gi)
        if on_step is not None:
            assert sent is not None
            on_step(node, g, sent)
        if not retain_graph and ctx.saved:
            ctx.saved = None
    if _hooked:  # the leaves' gradients are complete now
        for t, g in grads.items():
            if t._ctx is None:
                grads[t] = _run_hooks(t, g)
    return grads


def _backprop_arrays(order: list[Tensor], grads: dict[Tensor, Any], retain_graph: bool) -> None:
    """The loop of ``_backprop`` for the common case: plain arrays, no hook.

    The same steps as the general loop above, without its per-node bookkeeping for
    ``create_graph`` and ``on_step``: every training step runs this, so it is kept lean
    (about a tenth less time per node than the general loop on a chain of 1-element ops).
    """
    for node in reversed(order):
        g = grads.get(node)
        if g is None:  # no root depends on this node through a differentiable path
            continue
        ctx: Context = node._ctx  # type: ignore[assignment]  # (every node in order has one)
        parents = ctx.parents
        result = ctx.fn.backward(ctx, g)
        if type(result) is not tuple:  # one input: a bare gradient (checked by _as_grads)
            result = (result,) if type(result) is np.ndarray and len(parents) == 1 else \
                _as_grads(ctx, result)
        elif len(result) != len(parents):
            result = _as_grads(ctx, result)
        for p, gi in zip(parents, result, strict=True):
            if p is None or gi is None or not p._requires_grad:
                continue
            if type(gi) is not np.ndarray:
                gi = _as_gradient(gi, p, False, ctx)
            pdata = p.data
            if gi.shape != pdata.shape:  # undo broadcasting: the one place it is done
                gi = _sum_to(gi, pdata.shape, ctx, _position(parents, p))
            if gi.dtype is not pdata.dtype and gi.dtype != pdata.dtype:
                gi = _cast_gradient(gi, pdata, ctx)
            prev = grads.get(p)
            grads[p] = gi if prev is None else prev + gi  # out of place, as above
        if not retain_graph and ctx.saved:
            ctx.saved = None


def _cast_gradient(g: Any, data: np.ndarray, ctx: Context) -> Any:
    """A contribution cast to its input's dtype; a complex one is refused (a cast would drop
    its imaginary part)."""
    if g.dtype.kind == "c":
        raise TypeError(f"{ctx.fn.__name__}.backward returned a complex gradient (dtype "
                        f"{g.dtype}) for an input of shape {data.shape}; a gradient holds "
                        "real numbers")
    return g.astype(data.dtype)


def _position(parents: tuple[Tensor | None, ...], p: Tensor) -> int:
    """Which input ``p`` is (by identity: ``==`` on tensors compares their values)."""
    return next(i for i, q in enumerate(parents) if q is p)


def _as_gradient(g: Any, p: Tensor, create_graph: bool, ctx: Context | None = None) -> Any:
    """A contribution that is not a plain array: a Tensor (create_graph), a scalar, a list."""
    arr = np.asarray(g.data if isinstance(g, Tensor) else g)
    if arr.dtype.kind not in "fiub":
        who = "backward" if ctx is None else f"{ctx.fn.__name__}.backward"
        raise TypeError(f"{who} returned a gradient that is a {type(g).__name__} of dtype "
                        f"{arr.dtype} for an input of shape {p.shape}; a gradient holds real "
                        "numbers")
    if create_graph:
        return g if isinstance(g, Tensor) else Tensor._wrap(np.asarray(g, dtype=p.data.dtype))
    return arr


def _root_grad(root: Tensor, grad: Any, create_graph: bool) -> Any:
    if grad is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"backward: grad can be implicitly created only for a one-element result; "
                f"this result has shape {root.shape}: pass backward(grad) with a gradient of "
                "that shape (e.g. Tensor.ones(*shape))"
            )
        g = np.empty(root.data.shape, dtype=root.data.dtype)
        g.fill(1.0)  # np.ones, without its Python-level wrapper
        return Tensor._wrap(g) if create_graph else g
    if isinstance(grad, Tensor):
        g_t = grad
        garr = grad.data
    else:
        try:
            garr = _to_array(grad, root.data.dtype)
        except (TypeError, ValueError) as e:
            raise TypeError(f"backward: grad must be a Tensor or an array of the result's shape "
                            f"{root.shape}, got {type(grad).__name__} {grad!r} "
                            f"({str(e).removeprefix('Tensor: ')})") from None
        g_t = None
    if garr.shape != root.data.shape:
        raise RuntimeError(
            f"backward: grad has shape {garr.shape} but the result has shape {root.shape}"
        )
    if garr.dtype != root.data.dtype:
        garr = garr.astype(root.data.dtype)
    if create_graph:
        return g_t if g_t is not None and g_t.data is garr else Tensor._wrap(garr.copy())
    return garr.copy() if g_t is not None else garr


def _owned(g: Any, handed: set[int]) -> Tensor:
    """``g`` as a gradient tensor of its own: not a view, not shared with another tensor's.

    Pass-through ops (add, reshape, ...) hand the very same gradient to several tensors.
    """
    if isinstance(g, Tensor):  # create_graph: the gradient keeps its graph
        if id(g) in handed or id(g.data) in handed or g.data.base is not None:
            g = g + 0.0  # a distinct copy that is still differentiable
        handed.update((id(g), id(g.data)))
        return g
    # The engine's own arrays own their memory and are writable; a view (base set) or an
    # array handed out already must be copied.
    if g.base is not None or id(g) in handed:
        g = g.copy()
    handed.add(id(g))
    return Tensor._wrap(g)


def _store(grads: dict[Tensor, Any]) -> None:
    """Accumulate each gradient of a pass into its tensor's ``.grad``.

    Arrays are stored bare and become Tensors when read (see ``Tensor.grad``). An array whose
    memory another stored gradient also uses (a pass-through op such as add or reshape hands
    its output's gradient, or a view of it, to its input) is stored as ``(array,)``: copied
    when read, so no tensor's ``.grad`` can change another's. Adding to an old ``.grad`` is
    out of place, as that old gradient may be shared.
    """
    first: dict[int, Tensor] = {}  # id of the array owning the memory -> first tensor using it
    handed: set[int] = set()
    for t, g in grads.items():
        old = t._grad
        if type(g) is np.ndarray:
            base = g.base
            holder = first.setdefault(id(g) if base is None else id(base), t)
            if holder is not t and type(holder._grad) is np.ndarray:
                holder._grad = (holder._grad,)  # it turns out to be shared: copy it when read
            if old is None:
                t._grad = g if base is None and holder is t else (g,)
            else:
                t._grad = _array_of(old) + g
        elif old is None:  # create_graph: a gradient that carries its own graph
            t._grad = _owned(g, handed)
        else:
            t._grad = t.grad + g


def _array_of(g: Any) -> np.ndarray:
    """The gradient array in what ``Tensor._grad`` holds (a Tensor, an array or ``(array,)``)."""
    if isinstance(g, Tensor):
        return g.data
    return g[0] if type(g) is tuple else g


def _check_root(root: Tensor) -> None:
    if not root._requires_grad:
        raise RuntimeError(
            "backward: this tensor does not require grad and has no grad_fn, so there is "
            "nothing to differentiate (was it computed inside no_grad(), or from tensors "
            "without requires_grad=True?)"
        )


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
) -> None:
    """``root.backward(grad)``: accumulate gradients into ``.grad`` (see ``Tensor.backward``).

    As ``torch.autograd.backward``, ``tensors`` may be several roots, with one gradient each
    in ``grad_tensors``; their gradients add up.
    """
    if retain_graph is None:
        retain_graph = create_graph
    elif type(retain_graph) is not bool:
        raise TypeError(f"backward: retain_graph must be a bool, got {retain_graph!r}")
    if type(create_graph) is not bool:
        raise TypeError(f"backward: create_graph must be a bool, got {create_graph!r}")
    if isinstance(tensors, Tensor):  # one root, as Tensor.backward calls it (every step)
        roots = [tensors]
        if not tensors._requires_grad:
            _check_root(tensors)
        g0 = [_root_grad(tensors, grad_tensors, create_graph)]
    else:
        roots = list(tensors)
        gouts = [None] * len(roots) if grad_tensors is None else list(grad_tensors)
        if len(gouts) != len(roots):
            raise ValueError(f"backward: {len(roots)} tensors but {len(gouts)} grad_tensors")
        for root in roots:
            _check_root(root)
        g0 = [_root_grad(root, g, create_graph) for root, g in zip(roots, gouts, strict=True)]

    def pass_and_store() -> None:
        _store(_backprop(roots, g0, retain_graph, create_graph))

    _in_pass(create_graph, pass_and_store)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """Gradients of ``outputs`` with respect to ``inputs``, returned instead of stored.

    As ``torch.autograd.grad``: ``.grad`` attributes are left alone. With
    ``create_graph=True`` the returned gradients carry a graph, so they can be
    differentiated again (second derivatives, Hessian-vector products).
    """
    single = isinstance(outputs, Tensor)
    outs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    ins = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    # One output: grad_outputs is its gradient. Several: a sequence, one per output.
    if grad_outputs is None:
        gouts: list[Any] = [None] * len(outs)
    else:
        gouts = [grad_outputs] if single else list(grad_outputs)
    if len(gouts) != len(outs):
        raise ValueError(f"grad: {len(outs)} outputs but {len(gouts)} grad_outputs")
    for i, o in enumerate(outs):
        if not o._requires_grad:
            raise RuntimeError(f"grad: output {i} does not require grad and has no grad_fn")
    for i, t in enumerate(ins):
        if not isinstance(t, Tensor) or not t._requires_grad:
            raise RuntimeError(f"grad: input {i} is not a tensor that requires grad")
    if retain_graph is None:
        retain_graph = create_graph
    g0 = [_root_grad(o, g, create_graph) for o, g in zip(outs, gouts, strict=True)]

    def pass_and_collect() -> tuple[Tensor | None, ...]:
        grads = _backprop(outs, g0, retain_graph, create_graph)
        handed: set[int] = set()
        result: list[Tensor | None] = []
        for i, t in enumerate(ins):
            g = grads.get(t)
            if g is None and not allow_unused:
                raise RuntimeError(
                    f"grad: input {i} (shape {t.shape}) was not used to compute the outputs; "
                    "pass allow_unused=True to get None for it"
                )
            result.append(None if g is None else _owned(g, handed))
        return tuple(result)

    return _in_pass(create_graph, pass_and_collect)


def Variable(data: Any, requires_grad: bool = False) -> Tensor:  # noqa: N802 (PyTorch's name)
    """PyTorch's old ``Variable(t)``: the tensor itself (a copy of other data)."""
    if isinstance(data, Tensor):
        if requires_grad:
            data.requires_grad_(True)
        return data
    return Tensor(data, requires_grad=requires_grad)


# PyTorch's torch.autograd namespace: the tensor-style Function and gradcheck's torch form.
from .function import Function, FunctionCtx  # noqa: E402
from .gradcheck import torch_gradcheck as gradcheck  # noqa: E402
from .gradcheck import torch_gradgradcheck as gradgradcheck  # noqa: E402

__all__ += ["Function", "FunctionCtx", "Variable", "gradcheck", "gradgradcheck"]


# PEP 562: Python calls __getattr__ only for a name the module lacks; torch_names.py says whether
# it is a PyTorch name not implemented yet or a typo (with a hint). Hidden from mypy, for which
# every attribute of the module stays a known one.
from typing import TYPE_CHECKING  # noqa: E402

if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        """A missing PyTorch name says it is not implemented yet; a typo gets a hint."""
        from .torch_names import missing_attribute

        raise missing_attribute(__name__, name)
