"""Gradient checking: compare what ``backward`` computes with finite differences.

``numerical_grad`` nudges every element of every input by ``±eps`` and measures how the
(scalar) result moves: ``(f(x+eps) - f(x-eps)) / (2*eps)``. ``gradcheck`` does that for
every element of the result too, so the whole Jacobian is compared, and reports the worst
element instead of raising. ``gradgradcheck`` checks second derivatives the same way.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .autograd import grad
from .tensor import Tensor, no_grad, set_grad_enabled

__all__ = ["numerical_grad", "gradcheck", "gradgradcheck", "check_nodes", "GradcheckReport",
           "GradcheckError", "torch_gradcheck", "torch_gradgradcheck",
           "GradcheckWarning"]


class GradcheckWarning(UserWarning):
    """A gradient check that cannot be trusted (float32 inputs)."""


def _outputs(fn: Callable[..., Any], inputs: Sequence[Tensor], who: str) -> list[Tensor]:
    out = fn(*inputs)
    outs = list(out) if isinstance(out, tuple | list) else [out]
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            raise TypeError(f"{who}: fn must return a Tensor (or a tuple of them); "
                            f"output {i} is a {type(o).__name__}")
    return outs


def _check_inputs(who: str, inputs: Sequence[Any]) -> None:
    for i, x in enumerate(inputs):
        if not isinstance(x, Tensor):
            raise TypeError(f"{who}: input {i} is a {type(x).__name__}, not a Tensor")


def _flat_outputs(fn: Callable[..., Any], inputs: Sequence[Tensor], record: bool
                  ) -> np.ndarray:
    with set_grad_enabled(record):
        outs = _outputs(fn, inputs, "gradcheck")
    return np.concatenate([o.data.astype(np.float64).ravel() for o in outs])


def _numerical_jacobian(fn: Callable[..., Any], inputs: Sequence[Tensor], x: Tensor,
                        eps: float, record: bool = False) -> np.ndarray:
    """Columns: d(all outputs, flattened)/d(one element of x), by central differences."""
    data = x.data  # nudged in place, element by element, and restored exactly
    cols = []
    for j in range(data.size):
        idx = np.unravel_index(j, data.shape)
        orig = data[idx]
        data[idx] = orig + eps
        plus = _flat_outputs(fn, inputs, record)
        data[idx] = orig - eps
        minus = _flat_outputs(fn, inputs, record)
        data[idx] = orig
        cols.append((plus - minus) / (2 * eps))
    return np.stack(cols, axis=1) if cols else np.zeros((0, 0))


def numerical_grad(fn: Callable[..., Tensor], *inputs: Tensor, eps: float = 1e-6
                   ) -> list[np.ndarray]:
    """Central-difference gradient of a scalar-valued ``fn`` with respect to each input.

    Returns one array per input, of the input's shape. The inputs are restored exactly.
    """
    _check_inputs("numerical_grad", inputs)
    with no_grad():
        out = _outputs(fn, inputs, "numerical_grad")
    if len(out) != 1 or out[0].size != 1:
        raise ValueError(
            f"numerical_grad: fn must return a one-element tensor, got shape "
            f"{out[0].shape if len(out) == 1 else f'{len(out)} outputs'}"
        )
    return [_numerical_jacobian(fn, inputs, x, eps).reshape(x.shape) for x in inputs]


@dataclass
class GradcheckReport:
    """The result of ``gradcheck``: truthy exactly when every element is within tolerance.

    ``analytic`` and ``numerical`` hold, for each input (``None`` for one that does not
    require grad), the Jacobian of all outputs (flattened, rows) with respect to that input
    (flattened, columns).
    """

    ok: bool
    max_abs_error: float
    max_rel_error: float
    atol: float
    rtol: float
    analytic: list[np.ndarray | None] = field(repr=False)
    numerical: list[np.ndarray | None] = field(repr=False)
    worst: dict[str, Any] | None = None
    n_checked: int = 0
    node: dict[str, Any] | None = None  # per_node: the first op whose own backward is wrong
    nodes_checked: int = 0

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        head = (
            f"gradcheck {'passed' if self.ok else 'FAILED'}: {self.n_checked} Jacobian "
            f"element(s) checked, max abs error {self.max_abs_error:.3g}, max rel error "
            f"{self.max_rel_error:.3g} (atol={self.atol:g}, rtol={self.rtol:g})"
        )
        if self.node is not None:
            n = self.node
            head += (
                f"\nfirst wrong backward rule, in backward order (op {n['step']} of "
                f"{self.nodes_checked}): {n['op']} making {n['output']}, its input {n['input']}"
                f"{list(n['input_index'])}:\n"
                f"  {n['op']}.backward = {n['analytic']!r}\n"
                f"  finite differences of {n['op']} alone = {n['numerical']!r}"
            )
        w = self.worst
        if w is None:
            return head
        label = f"input {w['input']}" + (f" ({w['name']!r})" if w["name"] else "")
        return (
            f"{head}\n{'largest error' if self.ok else 'worst mismatch'}: d(output {w['output']}"
            f"{list(w['output_index'])})/d({label}{list(w['input_index'])})\n"
            f"  analytic (backward)     = {w['analytic']!r}\n"
            f"  numerical (finite diff) = {w['numerical']!r}"
        )


def gradcheck(
    fn: Callable[..., Any],
    *inputs: Tensor,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    per_node: bool = False,
) -> GradcheckReport:
    """Compare ``backward``'s gradients with finite differences for every input needing grad.

    ``fn`` may return a tensor of any shape, or a tuple of tensors: the whole Jacobian is
    checked, one backward pass per output element. An element passes when
    ``|analytic - numerical| <= atol + rtol * |numerical|``. Never raises for a mismatch:
    the returned report says where the worst one is. Warns on float32 inputs.

    ``per_node=True`` also checks every operation of the graph on its own: its ``backward``
    against finite differences of its ``forward`` alone, in backward order, and reports the
    first op whose rule is wrong (``report.node``), so a faulty custom ``Function`` deep
    inside a network is named, not just its effect on the inputs.
    """
    report = _gradcheck(fn, inputs, eps, atol, rtol, record=False)
    if per_node:
        report.node, report.nodes_checked = check_nodes(fn(*inputs), eps=eps, atol=atol,
                                                        rtol=rtol)
        report.ok = report.ok and report.node is None
    return report


def _gradcheck(fn: Callable[..., Any], inputs: Sequence[Tensor], eps: float, atol: float,
               rtol: float, record: bool) -> GradcheckReport:
    """``record``: evaluate ``fn`` with the graph on for finite differences (it calls grad)."""
    _check_inputs("gradcheck", inputs)
    if not any(x.requires_grad for x in inputs):
        raise ValueError("gradcheck: no input requires grad, so there is nothing to check")
    if any(x.dtype != np.float64 for x in inputs):
        warnings.warn(
            "gradcheck: float32 inputs; finite differences need float64 to be trusted "
            "(Tensor(..., dtype=np.float64))",
            GradcheckWarning,
            stacklevel=3,
        )
    outs = _outputs(fn, inputs, "gradcheck")
    diff = [i for i, x in enumerate(inputs) if x.requires_grad]
    n_out = sum(o.size for o in outs)
    analytic: list[np.ndarray | None] = [None] * len(inputs)
    numerical: list[np.ndarray | None] = [None] * len(inputs)
    for i in diff:
        analytic[i] = np.zeros((n_out, inputs[i].size))
    # Row r of each Jacobian: backward from a one-hot gradient on output element r.
    live = [(k, o) for k, o in enumerate(outs) if o.requires_grad]
    offsets = np.cumsum([0] + [o.size for o in outs])
    for k, o in live:
        for r in range(o.size):
            onehot = np.zeros(o.size, dtype=o.dtype)
            onehot[r] = 1.0
            gs = grad(o, [inputs[i] for i in diff], grad_outputs=onehot.reshape(o.shape),
                      retain_graph=True, allow_unused=True)
            for i, g in zip(diff, gs, strict=True):
                if g is not None:
                    analytic[i][offsets[k] + r] = g.data.ravel()  # type: ignore[index]
    for i in diff:
        numerical[i] = _numerical_jacobian(fn, inputs, inputs[i], eps, record)

    ok = True
    max_abs = max_rel = 0.0
    # The element to show: the worst violation when one fails, else the largest error.
    worst: dict[str, Any] | None = None
    worst_key = (False, -np.inf)
    for i in diff:
        a, n = analytic[i], numerical[i]
        assert a is not None and n is not None
        if a.size == 0:
            continue
        with np.errstate(invalid="ignore"):
            err = np.where(a == n, 0.0, np.abs(a - n))  # equal infinities agree
            err = np.where(np.isnan(err), np.inf, err)
            rel = np.where(err == 0, 0.0, err / np.maximum(np.abs(n), np.finfo(float).tiny))
            excess = err - (atol + rtol * np.abs(n))
        bad = bool(np.any(excess > 0))
        ok = ok and not bad
        max_abs = max(max_abs, float(err.max()))
        max_rel = max(max_rel, float(rel.max()))
        score = excess if bad else err
        r, c = (int(v) for v in np.unravel_index(int(np.argmax(score)), score.shape))
        key = (bad, float(score[r, c]))
        if key > worst_key:
            worst_key = key
            k = int(np.searchsorted(offsets, r, side="right") - 1)
            worst = {
                "input": i,
                "name": inputs[i].name,
                "input_index": tuple(int(v) for v in np.unravel_index(c, inputs[i].shape)),
                "output": k,
                "output_index": tuple(int(v) for v in
                                      np.unravel_index(r - offsets[k], outs[k].shape)),
                "analytic": float(a[r, c]),
                "numerical": float(n[r, c]),
            }
    return GradcheckReport(
        ok=ok, max_abs_error=max_abs, max_rel_error=max_rel, atol=atol, rtol=rtol,
        analytic=analytic, numerical=numerical, worst=worst,
        n_checked=sum(a.size for a in analytic if a is not None),
    )


def _display(t: Tensor, ids: dict[Tensor, int]) -> str:
    return repr(t.name) if t.name else f"t{ids[t]}"


def check_nodes(
    outputs: Tensor | Sequence[Tensor],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
) -> tuple[dict[str, Any] | None, int]:
    """Check each op of the graph alone; return the first wrong one (backward order) and a count.

    For an op ``out = f(x1, x2, ...)`` and a random ``v`` of out's shape, ``f.backward(v)``
    must equal the finite differences of ``sum(v * f(x...))`` in each ``x``. Where the
    one-sided differences disagree (a kink such as relu at 0), the element is skipped.
    """
    from .autograd import _as_grads, _sum_to, topological_order

    outs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    order = topological_order(outs)
    ids = {t: i for i, t in enumerate(order)}
    rng = np.random.default_rng(seed)
    for step, node in enumerate(reversed(order), start=1):
        ctx = node._ctx
        assert ctx is not None
        fn, args = ctx.fn, ctx.args
        v = rng.standard_normal(node.shape)
        base = [a.data.astype(np.float64) if isinstance(a, Tensor) else a for a in args]
        _, c = _run_op(ctx, [b.copy() if isinstance(b, np.ndarray) else b for b in base])
        with no_grad():
            analytic = _as_grads(c, fn.backward(c, v))
        for i, a in enumerate(args):
            if not isinstance(a, Tensor) or analytic[i] is None:
                continue
            ga = np.asarray(analytic[i], dtype=np.float64)
            if ga.shape != a.shape:
                ga = _sum_to(ga, a.shape, c, i)
            x = base[i].copy()
            for j in range(x.size):
                idx = np.unravel_index(j, x.shape)
                orig = x[idx]
                vals = []
                for delta in (eps, 0.0, -eps):
                    x[idx] = orig + delta
                    arrays = list(base)
                    arrays[i] = x
                    vals.append(float(np.sum(v * _run_op(ctx, arrays)[0])))
                x[idx] = orig
                forward_d = (vals[0] - vals[1]) / eps
                backward_d = (vals[1] - vals[2]) / eps
                if abs(forward_d - backward_d) > 1e3 * max(atol, eps) * (1 + abs(forward_d)):
                    continue  # not differentiable here: either side is a right answer
                numerical = (vals[0] - vals[2]) / (2 * eps)
                if not abs(ga[idx] - numerical) <= atol + rtol * abs(numerical):
                    return {
                        "step": step, "op": fn.__name__, "output": _display(node, ids),
                        "tensor": node, "input": i,
                        "input_index": tuple(int(k) for k in idx),
                        "analytic": float(ga[idx]), "numerical": numerical,
                    }, len(order)
    return None, len(order)


def _run_op(ctx: Any, arrays: list[Any]) -> tuple[np.ndarray, Any]:
    """Run the op of ``ctx`` alone on ``arrays``, with a fresh context for its backward."""
    from .tensor import Context

    c = Context(ctx.fn, ctx.parents, tuple(p is not None for p in ctx.parents), ctx.args,
                ctx.kwargs)
    with no_grad():
        out = ctx.fn.forward(c, *arrays, **ctx.kwargs)
    return np.asarray(out, dtype=np.float64), c


def gradgradcheck(
    fn: Callable[..., Any],
    *inputs: Tensor,
    grad_outputs: Sequence[Any] | None = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
) -> GradcheckReport:
    """Check second derivatives: gradcheck of the vector-Jacobian product of ``fn``.

    With ``v`` a fixed gradient for each output (random, from ``seed``, unless
    ``grad_outputs`` is given), the first derivatives ``grad(fn(x), x, v, create_graph=True)``
    are themselves differentiated by ``backward`` and compared with finite differences,
    with respect to the inputs and to ``v``.
    """
    _check_inputs("gradgradcheck", inputs)
    outs = _outputs(fn, inputs, "gradgradcheck")
    rng = np.random.default_rng(seed)
    if grad_outputs is None:
        vs = [Tensor(rng.standard_normal(o.shape), dtype=o.dtype, requires_grad=True)
              for o in outs]
    else:
        vs = [v if isinstance(v, Tensor) else Tensor(v) for v in grad_outputs]
    n = len(inputs)

    def first_derivatives(*args: Tensor) -> tuple[Tensor, ...]:
        xs, v = args[:n], args[n:]
        diff = [x for x in xs if x.requires_grad]
        gs = grad(_outputs(fn, xs, "gradgradcheck"), diff, grad_outputs=list(v),
                  create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None and g.requires_grad)

    return _gradcheck(first_derivatives, [*inputs, *vs], eps, atol, rtol, record=True)


class GradcheckError(RuntimeError):
    """Raised by ``torch.autograd.gradcheck``'s form when a gradient is wrong."""


def torch_gradcheck(func: Callable[..., Any], inputs: Any, *, eps: float = 1e-6,
                    atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True,
                    **_: Any) -> bool:
    """PyTorch's ``torch.autograd.gradcheck(func, inputs)``: True, or a ``GradcheckError``
    with ``gradcheck``'s report (False with ``raise_exception=False``)."""
    ins = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    fn, tensors = _tensors_only(func, ins)
    report = gradcheck(fn, *tensors, eps=eps, atol=atol, rtol=rtol)
    if not report.ok and raise_exception:
        raise GradcheckError(f"gradcheck: Jacobian mismatch\n{report}")
    return report.ok


def _tensors_only(func: Callable[..., Any], inputs: tuple[Any, ...]
                  ) -> tuple[Callable[..., Any], tuple[Tensor, ...]]:
    """``func`` of the tensors among ``inputs`` alone, the other arguments held fixed (PyTorch's
    gradcheck takes numbers and None among its inputs)."""
    where = [i for i, x in enumerate(inputs) if isinstance(x, Tensor)]

    def fn(*tensors: Tensor) -> Any:
        args = list(inputs)
        for i, t in zip(where, tensors, strict=True):
            args[i] = t
        return func(*args)

    return fn, tuple(inputs[i] for i in where)


def torch_gradgradcheck(func: Callable[..., Any], inputs: Any, grad_outputs: Any = None, *,
                        eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                        raise_exception: bool = True, **_: Any) -> bool:
    """PyTorch's ``torch.autograd.gradgradcheck(func, inputs)``: True, or a
    ``GradcheckError`` (False with ``raise_exception=False``)."""
    ins = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    func, ins = _tensors_only(func, ins)
    gouts = None if grad_outputs is None else (
        [grad_outputs] if isinstance(grad_outputs, Tensor) else list(grad_outputs))
    report = gradgradcheck(func, *ins, grad_outputs=gouts, eps=eps, atol=atol, rtol=rtol)
    if not report.ok and raise_exception:
        raise GradcheckError(f"gradgradcheck: Jacobian mismatch\n{report}")
    return report.ok
