"""How tensors print, and what their graph nodes are called: PyTorch's text, character for
character, so a learner's ``print(x)``, ``print(w.grad)`` and ``print(loss)`` show the numbers
and the ``grad_fn=<MulBackward0>`` a PyTorch program shows.

The rules, all PyTorch's (``torch/_tensor_str.py``):

- One formatter per tensor decides how every element looks. A float tensor whose finite nonzero
  values are all whole prints them as ``1.``; scientific notation (``1.0000e+09``) is used when
  the largest finite nonzero magnitude is over 1000 times the smallest, over 1e8, or the
  smallest is under 1e-4; otherwise ``precision`` (4) decimals. Every element is padded to the
  widest, so columns line up. ``nan`` and ``inf`` never decide the width.
- More than ``threshold`` (1000) elements: only ``edgeitems`` (3) rows/values at each end of
  each dim are shown, with ``...`` between.
- Rows wrap at ``linewidth`` (80) characters; nested dims get nested brackets, indented one more
  space per level, with a blank line between blocks of 3-d and higher tensors.
- After the values: ``dtype=torch.float32`` when the dtype is not the default float dtype nor
  int64 nor bool, then ``grad_fn=<...>`` for a tensor made by a recorded op, or
  ``requires_grad=True`` for a leaf that requires grad.

tinygrad_edu's default float dtype is float64 where PyTorch's is float32. The dtype suffix
follows tinygrad_edu's default at the time of printing (``torch.set_default_dtype`` changes
it): a float64 tensor prints no suffix by default, exactly as PyTorch prints a program whose
default dtype is float64.

``set_printoptions``/``get_printoptions`` change only this printing, never NumPy's.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .tensor import Context, Tensor

__all__ = [
    "format_tensor",
    "format_tensor_spec",
    "node_name",
    "set_printoptions",
    "get_printoptions",
    "printoptions",
]


@dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_OPTS = _PrintOptions()

_PROFILES: dict[str, dict[str, float]] = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


def set_printoptions(precision: int | None = None, threshold: float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """Set how tensors print, as ``torch.set_printoptions``.

    Args:
        precision: digits after the decimal point (default 4).
        threshold: more elements than this are summarized with ``...`` (default 1000).
        edgeitems: values kept at each end of each dim when summarized (default 3).
        linewidth: characters per line before wrapping (default 80).
        profile: ``"default"``, ``"short"`` (precision 2, edgeitems 2) or ``"full"`` (never
            summarize), applied first; the other arguments then override it.
        sci_mode: True or False forces scientific notation on or off; None (the default, and
            what every call without it sets again, as in PyTorch) lets each tensor decide.
    """
    if profile is not None and profile in _PROFILES:  # PyTorch ignores an unknown profile
        for key, value in _PROFILES[profile].items():
            setattr(_OPTS, key, value)
    if precision is not None:
        _OPTS.precision = precision
    if threshold is not None:
        _OPTS.threshold = threshold
    if edgeitems is not None:
        _OPTS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTS.linewidth = linewidth
    _OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current print options, a dict that ``set_printoptions(**d)`` accepts."""
    return asdict(_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Change the print options inside a ``with`` block only, as PyTorch's
    ``torch._tensor_str.printoptions``."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


# --------------------------------------------------------------------------- values


class _Formatter:
    """Decides, from all the values that will be shown, how each one is written and how wide."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if not self.floating:
            for v in flat.tolist():
                self.max_width = max(self.max_width, len(f"{v}"))
            return
        shown = flat[np.isfinite(flat) & (flat != 0)]
        if shown.size == 0:  # only zeros, nan and inf: nothing to size the columns by
            return
        # PyTorch measures in float64: the ratio of float32 extremes must not overflow
        magnitudes = np.abs(shown).astype(np.float64)
        smallest, largest = float(magnitudes.min()), float(magnitudes.max())
        self.int_mode = bool(np.all(shown == np.ceil(shown)))
        if _OPTS.sci_mode is None:
            self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        else:
            self.sci_mode = bool(_OPTS.sci_mode)
        p = _OPTS.precision
        numbers = shown.astype(np.float64).tolist()
        if self.sci_mode:
            self.max_width = max(len(f"{v:.{p}e}") for v in numbers)
        elif self.int_mode:  # room for the "." that marks a float
            self.max_width = max(len(f"{v:.0f}") + 1 for v in numbers)
        else:
            self.max_width = max(len(f"{v:.{p}f}") for v in numbers)

    def format(self, value: Any) -> str:
        """One element (a Python number), right-aligned to the common width."""
        if self.floating:
            if self.sci_mode:
                text = f"{value:{self.max_width}.{_OPTS.precision}e}"
            elif self.int_mode:
                text = f"{value:.0f}"
                if math.isfinite(value):
                    text += "."
            else:
                text = f"{value:.{_OPTS.precision}f}"
        else:
            text = f"{value}"
        return " " * (self.max_width - len(text)) + text


def _summarized(arr: np.ndarray) -> np.ndarray:
    """The values a summarized print shows (flattened), which alone size the columns."""
    edge = _OPTS.edgeitems
    if arr.ndim == 0:
        return arr.reshape(-1)
    if arr.ndim == 1:
        # With edgeitems 0 this is arr[:0] and arr[-0:], the whole row, as PyTorch slices it.
        return np.concatenate((arr[:edge], arr[-edge:])) if arr.shape[0] > 2 * edge else arr
    if not edge:
        return arr.reshape(-1)[:0]
    n = arr.shape[0]
    rows = [*range(edge), *range(n - edge, n)] if n > 2 * edge else range(n)
    return np.concatenate([_summarized(arr[i]) for i in rows])


def _vector_str(arr: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    edge = _OPTS.edgeitems
    per_line = max(1, math.floor((_OPTS.linewidth - indent) / (fmt.max_width + 2)))
    if summarize and not edge:
        items = ["..."]
    elif summarize and arr.shape[0] > 2 * edge:
        items = ([fmt.format(v) for v in arr[:edge].tolist()] + [" ..."]
                 + [fmt.format(v) for v in arr[-edge:].tolist()])
    else:
        items = [fmt.format(v) for v in arr.tolist()]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(arr: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if arr.ndim == 0:
        return fmt.format(arr.item())
    if arr.ndim == 1:
        return _vector_str(arr, indent, summarize, fmt)
    edge = _OPTS.edgeitems
    n = arr.shape[0]
    if summarize and n > 2 * edge:
        parts = ([_nested_str(arr[i], indent + 1, summarize, fmt) for i in range(edge)] + ["..."]
                 + [_nested_str(arr[i], indent + 1, summarize, fmt) for i in range(n - edge, n)])
    else:
        parts = [_nested_str(arr[i], indent + 1, summarize, fmt) for i in range(n)]
    # a blank line between the blocks of a 3-d tensor, two between those of a 4-d one ...
    return "[" + ("," + "\n" * (arr.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _values_str(arr: np.ndarray, indent: int) -> str:
    summarize = arr.size > _OPTS.threshold
    fmt = _Formatter(_summarized(arr) if summarize else arr)
    return _nested_str(arr, indent, summarize, fmt)


def _with_suffixes(text: str, suffixes: Sequence[str], indent: int) -> str:
    """``text`` + ``, suffix`` for each suffix, each on a new line when the line would pass
    the line width, + ``)``."""
    out = [text]
    # (PyTorch's count: the last line's length plus 2)
    line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if line + len(suffix) + 2 > _OPTS.linewidth:
            out.append(",\n" + " " * indent + suffix)
            line = indent + len(suffix)
        else:
            out.append(", " + suffix)
            line += len(suffix) + 2
    out.append(")")
    return "".join(out)


def _torch_dtype(dtype: np.dtype) -> str:
    return f"torch.{np.dtype(dtype).name}"


def format_tensor(t: Tensor) -> str:
    """``repr(t)`` as PyTorch writes it: ``tensor([0.4963, 0.7682], grad_fn=<MulBackward0>)``.

    Values follow the print options (``set_printoptions``); a dtype suffix appears for dtypes
    other than the current default float dtype, int64 and bool (and for every dtype but the
    default float one when the tensor is empty); then ``grad_fn=<...>`` (see ``node_name``) or
    ``requires_grad=True``.
    """
    # Read at each call (set_default_dtype changes it); imported here because tensor.py
    # imports this module. (``from . import tensor`` would get torch.tensor, the function.)
    from .tensor import DEFAULT_DTYPE

    arr = t.data
    prefix = "tensor("
    indent = len(prefix)
    default = np.dtype(DEFAULT_DTYPE)
    suffixes = []
    if arr.size == 0:
        if arr.ndim != 1:  # as NumPy: the shape of an empty tensor shows unless it is (0,)
            suffixes.append(f"size={tuple(arr.shape)}")
        if arr.dtype != default:  # no value shows whether it is an integer tensor
            suffixes.append(f"dtype={_torch_dtype(arr.dtype)}")
        body = "[]"
    else:
        if not _OPTS.edgeitems:
            suffixes.append(f"size={tuple(arr.shape)}")
        if arr.dtype not in (default, np.dtype(np.int64), np.dtype(np.bool_)):
            suffixes.append(f"dtype={_torch_dtype(arr.dtype)}")
        body = _values_str(arr, indent)
    ctx = t.grad_fn
    if ctx is not None:
        suffixes.append(f"grad_fn=<{node_name(ctx)}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _with_suffixes(prefix + body, suffixes, indent)


def format_tensor_spec(t: Tensor, spec: str) -> str:
    """``format(t, spec)``, as PyTorch's ``Tensor.__format__``: a 0-d tensor formats its value
    (``f"{loss:.4f}"``); any other tensor formats as ``str(t)`` with an empty spec and raises
    ``TypeError`` with any other spec (PyTorch does the same, one-element tensors included)."""
    from .tensor import Tensor

    if t.data.ndim == 0 and type(t) is Tensor:
        return format(t.data.item(), spec)
    return object.__format__(t, spec)


# --------------------------------------------------------------------------- node names

# The engine's ops whose PyTorch node name depends on nothing but the op.
_FIXED = {
    "Add": "AddBackward0",
    "Neg": "NegBackward0",
    "Mul": "MulBackward0",
    "Exp": "ExpBackward0",
    "Log": "LogBackward0",
    "Sqrt": "SqrtBackward0",
    "Abs": "AbsBackward0",
    "Sigmoid": "SigmoidBackward0",
    "Tanh": "TanhBackward0",
    "ReLU": "ReluBackward0",
    "Clamp": "ClampBackward1",  # clamp(min=), clamp(max=) and clamp(a, b) with numbers
    "Cast": "ToCopyBackward0",  # .float(), .double(), .to(dtype)
    "Softmax": "SoftmaxBackward0",
    "LogSoftmax": "LogSoftmaxBackward0",
    "Where": "WhereBackward0",
    "Cat": "CatBackward0",
    "CumSum": "CumsumBackward0",
    "Sin": "SinBackward0",
    "Cos": "CosBackward0",
}

# Engine Functions outside ops.py that are PyTorch ops too (a user's Function is not).
_OTHER_BUILTINS = {
    ("tinygrad_edu.nn.functional", "Erf"): "ErfBackward0",
    ("tinygrad_edu.nn.functional", "_BinaryCrossEntropy"): "BinaryCrossEntropyBackward0",
}


def node_name(ctx: Context) -> str:
    """The class name PyTorch gives the node that ``ctx`` stands for (``MulBackward0``).

    The name is derived from the op and what its context knows (its inputs, their shapes and
    dtypes, the op's arguments): ``x @ w`` of two matrices is ``MmBackward0``, of a matrix and
    a vector ``MvBackward0``; ``x.sum()`` is ``SumBackward0`` and ``x.sum(1)`` ``SumBackward1``;
    ``x ** 2`` is ``PowBackward0``, ``x ** y`` ``PowBackward1``; ``1 - x`` is ``RsubBackward1``.
    A ``Function`` of the user's (``torch.autograd.Function`` or the engine's) is
    ``<ClassName>Backward``, as in PyTorch.

    Where a PyTorch operation is built here from several of the engine's ops, the tensor's node
    is the last of them and its name is that op's: ``F.mse_loss`` ends in a mean
    (``MeanBackward0`` where PyTorch says ``MseLossBackward0``), ``x.min()`` in a negation
    (``NegBackward0``, not ``MinBackward1``), ``x.max(1).values`` in an index and a reshape,
    ``x.repeat(...)`` in a reshape, ``torch.stack`` in a ``cat``, ``masked_fill`` is a
    ``where``. Where PyTorch's name depends on which method was called and the engine records
    the same op for all of them, the most common call wins: a reshape that only adds a dim of
    size 1 is ``UnsqueezeBackward0``, one that only drops dims of size 1 ``SqueezeBackward0``
    or ``1`` (``x.view(3, 1, 4)`` says unsqueeze where PyTorch says view); a swap of the two
    dims of a matrix is ``PermuteBackward0`` (``x.T``; PyTorch names ``x.t()`` ``TBackward0``
    and ``x.transpose(0, 1)`` ``TransposeBackward0``); ``a.bmm(b)`` is named as ``a @ b``.

    Code that knows better may set ``ctx.torch_name`` on the node; that name is returned as it
    is.
    """
    given = getattr(ctx, "torch_name", None)
    if given is not None:
        return str(given)
    fn = ctx.fn
    name = fn.__name__
    if fn.__module__ != "tinygrad_edu.ops":
        builtin = _OTHER_BUILTINS.get((fn.__module__, name))
        return builtin if builtin is not None else f"{name}Backward"
    fixed = _FIXED.get(name)
    if fixed is not None:
        return fixed
    rule = _RULES.get(name)
    if rule is None:  # an op added to ops.py after this table: its own name, PyTorch's style
        return f"{name}Backward0"
    return rule(ctx)


def _arg(ctx: Context, i: int) -> Any:
    """The ``i``-th positional argument of the op call: a Tensor or a constant."""
    args = ctx.args
    return args[i] if i < len(args) else None


def _is_tensor(ctx: Context, i: int) -> bool:
    parents = ctx.parents
    return i < len(parents) and parents[i] is not None


def _array(x: Any) -> np.ndarray:
    return np.asarray(x.data if hasattr(x, "data") and isinstance(x.data, np.ndarray) else x)


def _in_shape(ctx: Context) -> tuple[int, ...]:
    shape = getattr(ctx, "in_shape", None)
    return tuple(shape) if shape is not None else _array(_arg(ctx, 0)).shape


def _kwarg(ctx: Context, key: str, default: Any = None) -> Any:
    return ctx.kwargs.get(key, default) if ctx.kwargs else default


def _sub(ctx: Context) -> str:
    return "SubBackward0" if _is_tensor(ctx, 0) else "RsubBackward1"  # 1 - x


def _div(ctx: Context) -> str:
    # PyTorch computes number / x as x.reciprocal() * number
    return "DivBackward0" if _is_tensor(ctx, 0) else "MulBackward0"


def _pow(ctx: Context) -> str:
    if not _is_tensor(ctx, 1):
        return "PowBackward0"  # x ** 2
    return "PowBackward1" if _is_tensor(ctx, 0) else "PowBackward2"  # x ** y, 2 ** x


def _all_axes(ctx: Context) -> bool:
    """A reduction over every dim without keepdim: PyTorch's overload without ``dim``."""
    axis = getattr(ctx, "axis", _kwarg(ctx, "axis"))
    keep = getattr(ctx, "keepdims", _kwarg(ctx, "keepdims", False))
    ndim = len(_in_shape(ctx))
    return not keep and (axis is None or len(tuple(axis)) == ndim)


def _sum(ctx: Context) -> str:
    return "SumBackward0" if _all_axes(ctx) else "SumBackward1"


def _mean(ctx: Context) -> str:
    return "MeanBackward0" if _all_axes(ctx) else "MeanBackward1"


def _max(ctx: Context) -> str:
    return "MaxBackward1" if _all_axes(ctx) else "AmaxBackward0"  # x.max(), x.amax(dim)


def _prod(ctx: Context) -> str:
    # x.prod() is composed as x.reshape(-1) then a product along dim 0
    parent = ctx.parents[0] if ctx.parents else None
    pctx = getattr(parent, "grad_fn", None)
    if pctx is not None and pctx.fn.__name__ == "Reshape" and \
            tuple(_kwarg(pctx, "shape", ())) == (-1,):
        return "ProdBackward0"
    return "ProdBackward1"


def _matmul(ctx: Context) -> str:
    a, b = _torch_layout(_arg(ctx, 0), 0), _torch_layout(_arg(ctx, 1), 0)
    need = ctx.needs_input_grad
    return _matmul_name(a.shape, b.shape, a.strides, b.strides,
                        bool(need and need[0]), bool(len(need) > 1 and need[1]))


def _matmul_name(sa: tuple[int, ...], sb: tuple[int, ...], stra: tuple[int, ...],
                 strb: tuple[int, ...], grad_a: bool, grad_b: bool) -> str:
    """The node ``torch.matmul`` leaves for operands of these shapes (torch 2.13's dispatch:
    dot, mv, mm, a fold of the batch dims into one matrix product, or a batched product)."""
    da, db = len(sa), len(sb)
    if da == 1 and db == 1:
        return "DotBackward0"
    if da == 2 and db == 1:
        return "MvBackward0"
    if da == 1 and db == 2:
        return "SqueezeBackward4"  # a row matrix times b, then the row dim squeezed away
    if da == 2 and db == 2:
        return "MmBackward0"
    if _folds(sa, sb, stra, strb, grad_a, grad_b):
        transpose = db > da
        if transpose and da == 2:  # computed as (b^T a^T)^T, then made contiguous
            # (contiguous already when one of the two matrix dims is 1: no copy is made)
            return "TransposeBackward0" if 1 in (sb[-1], sa[0]) else "CloneBackward0"
        return "UnsafeViewBackward0"
    if da == 3 and db == 3 and sa[0] != sb[0]:
        # a batch of one is squeezed away first when it needs a gradient
        if sa[0] == 1 and grad_a:
            return _matmul_name(sa[1:], sb, stra[1:], strb, grad_a, grad_b)
        if sb[0] == 1 and grad_b:
            return _matmul_name(sa, sb[1:], stra, strb[1:], grad_a, grad_b)
    return "UnsafeViewBackward0"


def _folds(sa: tuple[int, ...], sb: tuple[int, ...], stra: tuple[int, ...],
           strb: tuple[int, ...], grad_a: bool, grad_b: bool) -> bool:
    """Whether torch.matmul folds the batch dims of the larger operand into one matrix."""
    a_larger = len(sa) >= len(sb)
    if a_larger:
        shape1, strides1, small_dims, small_grad = sa, stra, len(sb), grad_b
    else:  # the larger one is b, transposed in its last two dims
        shape1 = sb[:-2] + (sb[-1], sb[-2])
        strides1 = strb[:-2] + (strb[-1], strb[-2])
        small_dims, small_grad = len(sa), grad_a
    if not (len(shape1) >= 3 and small_dims <= 2):
        return False
    if small_grad:
        return True
    if len(sa) == 2:
        return False
    if math.prod(shape1) == 0:
        return True
    return all(strides1[i] == strides1[i + 1] * shape1[i + 1] for i in range(len(shape1) - 2))


def _reshape(ctx: Context) -> str:
    old = _in_shape(ctx)
    asked = tuple(_kwarg(ctx, "shape", ()))
    new = _resolved(asked, old)
    if -1 not in asked and new is not None:
        if len(new) == len(old) + 1 and _drops_ones(new, old):
            return "UnsqueezeBackward0"
        if len(new) < len(old) and _drops_ones(old, new):
            dropped = len(old) - len(new)
            if dropped == sum(1 for n in old if n == 1):
                return "SqueezeBackward0"  # x.squeeze()
            return "SqueezeBackward1" if dropped == 1 else "SqueezeBackward2"
    arr = _torch_layout(_arg(ctx, 0), 0)
    if new is None or arr.shape != old or arr.size == 0:
        return "ViewBackward0"
    # PyTorch views when the memory layout allows it and copies otherwise; NumPy's reshape
    # follows the same rule on the same layout.
    if not np.may_share_memory(arr.reshape(new), arr):
        return "UnsafeViewBackward0"
    return "ViewBackward0" if arr.flags.c_contiguous else "ReshapeAliasBackward0"


def _torch_layout(x: Any, depth: int) -> np.ndarray:
    """An array with the memory layout PyTorch's tensor would have.

    The engine's arrays have it already (NumPy's elementwise results keep their inputs' layout
    as PyTorch's do; a transpose is a view in both), except for basic indexing, which copies
    here and is a view in PyTorch: redo those views on the source's layout.
    """
    arr = _array(x)
    ctx = getattr(x, "grad_fn", None)
    if ctx is None or depth > 32 or ctx.fn.__name__ != "GetItem" or \
            ctx.fn.__module__ != "tinygrad_edu.ops":
        return arr
    index = _kwarg(ctx, "index", getattr(ctx, "index", None))
    parts = index if isinstance(index, tuple) else (index,)
    if any(_kind(p) == "advanced" for p in parts):  # a copy in PyTorch too
        return arr
    source = _torch_layout(_arg(ctx, 0), depth + 1)
    try:
        view = source[index]
    except (IndexError, TypeError, ValueError):
        return arr
    return view if isinstance(view, np.ndarray) and view.shape == arr.shape else arr


def _resolved(asked: tuple[int, ...], old: tuple[int, ...]) -> tuple[int, ...] | None:
    """The shape a reshape to ``asked`` gives (its -1 filled in), None when it cannot tell."""
    try:
        sizes = tuple(int(n) for n in asked)
    except (TypeError, ValueError):
        return None
    if -1 not in sizes:
        return sizes
    known = math.prod(n for n in sizes if n != -1)
    if known == 0:
        return None
    return tuple(math.prod(old) // known if n == -1 else n for n in sizes)


def _drops_ones(longer: tuple[int, ...], shorter: tuple[int, ...]) -> bool:
    """True when ``shorter`` is ``longer`` without some of its dims of size 1."""
    j = 0
    for n in longer:
        if j < len(shorter) and n == shorter[j]:
            j += 1
        elif n != 1:
            return False
    return j == len(shorter)


def _transpose(ctx: Context) -> str:
    axes = tuple(_kwarg(ctx, "axes", ()))
    ndim = len(axes)
    perm = tuple(a % ndim for a in axes)
    moved = [i for i, a in enumerate(perm) if a != i]
    # x.T (all dims reversed) is a permute in PyTorch, the commonest spelling on matrices;
    # a swap of two dims of a batch (k.transpose(-2, -1)) a transpose
    if len(moved) == 2 and perm != tuple(range(ndim))[::-1]:
        return "TransposeBackward0"
    return "PermuteBackward0"


def _broadcast_to(ctx: Context) -> str:
    same = tuple(_kwarg(ctx, "shape", ())) == _in_shape(ctx)
    return "CloneBackward0" if same else "ExpandBackward0"  # clone() is a same-shape copy


def _getitem(ctx: Context) -> str:
    index = _kwarg(ctx, "index", getattr(ctx, "index", None))
    return _index_name(index, _in_shape(ctx))


def _index_name(index: Any, shape: tuple[int, ...]) -> str:
    """PyTorch's node for ``x[index]``: its indexing applies each part of the index in turn
    (an int selects, a slice slices, None unsqueezes), and the tensor's node is the last one
    recorded; an index with an array, list or tensor in it is one advanced-indexing node."""
    if not isinstance(index, tuple):
        if isinstance(index, slice):
            return "SliceBackward0"  # even x[:] (PyTorch slices a lone slice always)
        index = (index,)
    if any(_kind(p) == "advanced" for p in index):
        return "IndexBackward0"
    consumed = sum(1 for p in index if _kind(p) in ("int", "slice"))
    last = "AliasBackward0"  # nothing recorded: PyTorch returns an alias
    dim = 0
    for part in index:
        kind = _kind(part)
        if kind == "int":
            last, dim = "SelectBackward0", dim + 1
        elif kind == "slice":
            if not _whole(part, shape[dim] if dim < len(shape) else 0):
                last = "SliceBackward0"
            dim += 1
        elif kind == "none":
            last = "UnsqueezeBackward0"
        else:  # Ellipsis: skip the dims the other parts do not consume
            dim += max(len(shape) - consumed, 0)
    return last


def _whole(part: slice, n: int) -> bool:
    """A slice inside a tuple index that PyTorch skips (records nothing): ``:``, ``0:``,
    ``:n`` or beyond, step 1. It compares the bounds as written: ``-n:`` is a slice."""
    start, stop, step = part.start, part.stop, part.step
    return (start is None or start == 0) and (step is None or step == 1) and \
        (stop is None or stop >= n)


def _kind(part: Any) -> str:
    if part is None:
        return "none"
    if part is Ellipsis:
        return "ellipsis"
    if isinstance(part, slice):
        return "slice"
    if isinstance(part, bool | np.bool_):
        return "advanced"
    if isinstance(part, int | np.integer):
        return "int"
    if isinstance(part, np.ndarray) and part.ndim == 0 and part.dtype.kind in "iu":
        return "int"  # x[torch.tensor(1)] selects, as an int does
    return "advanced"


# What PyTorch records for the gradient of x[index] when the backward itself is recorded
# (create_graph=True): the engine's IndexAdd.
_INDEX_BACKWARD = {
    "SelectBackward0": "SelectBackwardBackward0",
    "SliceBackward0": "SliceBackwardBackward0",
    "IndexBackward0": "IndexPutImplBackward0",
    "UnsqueezeBackward0": "SqueezeBackward1",
    "AliasBackward0": "AliasBackward0",
}


def _index_add(ctx: Context) -> str:
    forward = _index_name(_kwarg(ctx, "index", getattr(ctx, "index", None)),
                          tuple(_kwarg(ctx, "shape", ())))
    return _INDEX_BACKWARD[forward]


_RULES: dict[str, Callable[[Context], str]] = {
    "Sub": _sub,
    "Div": _div,
    "Pow": _pow,
    "MatMul": _matmul,
    "Sum": _sum,
    "Mean": _mean,
    "Max": _max,
    "Prod": _prod,
    "Reshape": _reshape,
    "Transpose": _transpose,
    "BroadcastTo": _broadcast_to,
    "GetItem": _getitem,
    "IndexAdd": _index_add,
}
