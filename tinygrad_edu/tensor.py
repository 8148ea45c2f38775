"""The engine's core: ``Tensor``, ``Function`` (one graph node per op call) and grad mode.

A ``Tensor`` wraps a NumPy array. Every operation on tensors is a ``Function`` subclass
(see ``ops.py``) whose ``forward`` computes on plain arrays and whose ``backward`` turns the
gradient of the output into gradients of the inputs. When any input requires grad, the
output remembers the call in ``_ctx`` (a ``Context``): that chain of contexts *is* the
computation graph that ``backward()`` walks in reverse (see ``autograd.py``).

Dependencies flow one way: this module and ``ops``/``autograd`` know nothing of ``nn``,
drawing or exercises.
"""

from __future__ import annotations

import functools
import math
import operator
import re
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar, Union

import numpy as np

from . import printing as _printing
from .inplace import InplaceMethods
from .inplace import update as _inplace_update
from .mask import as_mask
from .tensor_methods import TensorMethods

__all__ = [
    "Tensor",
    "Function",
    "Context",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
]

# The float dtype of tensors made from Python numbers, lists and integer data. A module global
# read at each use, so ``set_default_dtype`` can change it.
DEFAULT_DTYPE = np.dtype(np.float64)
_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
# Integer and bool tensors (labels, indices, masks) exist when asked for; they never require grad.
_OTHER_DTYPES = tuple(np.dtype(t) for t in (np.int64, np.int32, np.int16, np.int8, np.uint8,
                                            np.bool_))

# What a user may pass where a tensor is expected.
TensorLike = Union["Tensor", np.ndarray, float, int, Sequence[Any]]
F = TypeVar("F", bound=Callable[..., Any])


# --------------------------------------------------------------------------- grad mode


class _GradMode(threading.local):
    """Per-thread switch: does an op record the graph? (``no_grad`` is thread-local.)"""

    enabled: bool = True

    def __init__(self) -> None:
        self.stack: list[bool] = []


_grad_mode = _GradMode()


def is_grad_enabled() -> bool:
    """True when operations in this thread record the graph."""
    return _grad_mode.enabled


class set_grad_enabled:
    """Context manager and decorator that turns graph recording on or off in this thread.

    The previous mode is restored on exit, even when the body raises. One instance may be
    entered in several threads or nested: the previous modes live on a per-thread stack.
    """

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)

    def __enter__(self) -> None:
        _grad_mode.stack.append(_grad_mode.enabled)
        _grad_mode.enabled = self.mode

    def __exit__(self, *exc_info: object) -> None:
        _grad_mode.enabled = _grad_mode.stack.pop()

    def __call__(self, fn: F) -> F:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(set_grad_enabled):
    """``with no_grad():`` (or ``@no_grad()``, or ``@no_grad``): nothing inside records a graph.

    Results computed inside have ``requires_grad=False`` and ``is_leaf=True``. Use it for
    evaluation and for updating weights in place, as the documents do with ``syn0 += ...``.
    """

    def __new__(cls, fn: Callable[..., Any] | None = None) -> Any:
        if fn is not None:  # used bare, as @no_grad, as PyTorch allows
            return cls()(fn)
        return object.__new__(cls)

    def __init__(self, fn: Callable[..., Any] | None = None) -> None:
        self.mode = False  # (set directly: a training loop enters this on every step)


class enable_grad(set_grad_enabled):
    """``with enable_grad():`` records the graph again inside a ``no_grad`` block."""

    def __new__(cls, fn: Callable[..., Any] | None = None) -> Any:
        if fn is not None:
            return cls()(fn)
        return object.__new__(cls)

    def __init__(self, fn: Callable[..., Any] | None = None) -> None:
        self.mode = True  # (set directly: a training loop enters this on every step)


# --------------------------------------------------------------------------- version counter
# PyTorch's version counter, kept per array memory: a change in place (an in-place method, an
# optimizer step, ``t[i] = v``) is logged against the array that owns the memory, so a tensor,
# its ``detach()`` and its views share it. Each change is an "epoch". An op that saves values
# for backward notes the epoch; its backward checks the log only when some change happened
# since, so a training step without in-place changes pays one comparison per saving op.


# (Module globals, not class attributes: CPython reads and writes them faster, and an
# optimizer step changes every parameter.)
_epoch = 0
# id(owner array) -> [weak reference to it, epoch of its last change, number of changes]
_changed: dict[int, list[Any]] = {}
_prune_at = 64


def _owner(arr: np.ndarray) -> np.ndarray:
    """The array that owns ``arr``'s memory (``arr`` itself unless it is a view)."""
    while isinstance(arr.base, np.ndarray):
        arr = arr.base
    return arr


def bump_version(arr: np.ndarray) -> None:
    """Log an in-place change of ``arr``'s memory (see the version counter above)."""
    global _epoch, _changed, _prune_at
    _epoch += 1
    owner = arr if arr.base is None else _owner(arr)
    entry = _changed.get(id(owner))
    if entry is not None and entry[0]() is owner:
        entry[1] = _epoch
        entry[2] += 1
        return
    _changed[id(owner)] = [weakref.ref(owner), _epoch, 1]
    if len(_changed) > _prune_at:  # forget arrays that no longer exist
        _changed = {k: e for k, e in _changed.items() if e[0]() is not None}
        _prune_at = 2 * len(_changed) + 64


# Arrays whose memory a view op (reshape, transpose, basic indexing) shared with its result:
# id(owner) -> weak reference. A recorded in-place change of such memory would change another
# tensor's values behind its place in the graph, so it is refused (see inplace.update).
_viewed: dict[int, Any] = {}


def note_view(arr: np.ndarray) -> None:
    """Record that a tensor now shares ``arr``'s memory (a view op made one)."""
    owner = _owner(arr)
    ref = _viewed.get(id(owner))
    if ref is None or ref() is not owner:
        if len(_viewed) > 256:  # forget arrays that no longer exist
            for k in [k for k, r in _viewed.items() if r() is None]:
                del _viewed[k]
        _viewed[id(owner)] = weakref.ref(owner)


def has_views(arr: np.ndarray) -> bool:
    """Whether a view op shared ``arr``'s memory with another tensor."""
    owner = _owner(arr)
    ref = _viewed.get(id(owner))
    return ref is not None and ref() is owner


def current_epoch() -> int:
    """The version counter's count of in-place changes so far, all arrays together."""
    return _epoch


def version_of(arr: np.ndarray) -> int:
    """How many in-place changes ``arr``'s memory has had (PyTorch's ``_version``)."""
    owner = _owner(arr)
    entry = _changed.get(id(owner))
    return entry[2] if entry is not None and entry[0]() is owner else 0


def _changed_since(arr: Any, epoch: int) -> bool:
    if not isinstance(arr, np.ndarray):
        return False
    owner = _owner(arr)
    entry = _changed.get(id(owner))
    return entry is not None and entry[0]() is owner and entry[1] > epoch


# --------------------------------------------------------------------------- Function


class Context:
    """What one op call remembers for its backward: the ``ctx`` of ``forward``/``backward``.

    ``parents`` has one entry per positional argument of ``apply`` (the input ``Tensor``, or
    ``None`` for a constant), so ``backward`` returns one gradient per positional argument,
    exactly as ``torch.autograd.Function`` does. Ops may set other attributes on it freely.
    """

    __slots__ = ("fn", "parents", "needs_input_grad", "saved", "graph_output", "args", "kwargs",
                 "epoch", "__dict__")

    def __init__(self, fn: type[Function], parents: tuple[Tensor | None, ...] = (),
                 needs_input_grad: tuple[bool, ...] = (), args: tuple[Any, ...] = (),
                 kwargs: Mapping[str, Any] | None = None) -> None:
        # Function.apply fills these same fields inline (it runs for every op): a field added
        # here must be added there too (tests/test_autograd.py checks that both set every slot).
        self.fn = fn
        self.parents = parents
        self.needs_input_grad = needs_input_grad
        self.saved: tuple[Any, ...] | None = ()
        # Set by autograd only while a create_graph backward runs this node (see saved_tensors).
        self.graph_output: Tensor | None = None
        # The call itself, so a checker can run this op alone again (gradcheck per_node).
        self.args = args
        self.kwargs = kwargs if kwargs else _NO_KWARGS
        # The version counter's epoch when values were saved (apply leaves it to
        # save_for_backward: only a context that saves something reads it).
        self.epoch = _epoch

    # No __getattr__ (for a message naming the op when an attribute was never set): defining
    # one turns off CPython's fast path for every attribute read on a context, which cost 5%
    # of the XOR training step's instructions. A missing attribute raises Python's own
    # AttributeError, which names it.

    if TYPE_CHECKING:  # ops set and read any attribute; tell the type checker so (only it)

        def __setattr__(self, name: str, value: Any) -> None: ...

        def __getattr__(self, name: str) -> Any: ...

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """PyTorch's edges to the inputs' nodes: ``(node, 0)`` per input, where the node is
        the input's own context, an ``AccumulateGrad`` for a leaf that requires grad, or None."""
        return tuple((None if p is None or not p._requires_grad else
                      p._ctx if p._ctx is not None else AccumulateGrad(p), 0)
                     for p in self.parents)

    def name(self) -> str:
        """The node's name, as PyTorch's grad_fn is named (``MulBackward0``)."""
        return _printing.node_name(self)

    def __repr__(self) -> str:
        return f"<{self.name()} object at {hex(id(self))}>"

    def save_for_backward(self, *values: Any) -> None:
        """Keep values (arrays, usually inputs or the output) for ``backward``.

        Save only the op's inputs, its output, or values that are piecewise constant in the
        inputs (masks, signs): when ``create_graph=True`` inputs and output come back as graph
        tensors so the backward itself can be differentiated; anything else comes back as a
        constant.
        """
        self.saved = values
        self.epoch = _epoch

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """What ``save_for_backward`` kept: arrays, or ``Tensor``s during ``create_graph``."""
        saved = self.saved
        if saved is None:
            raise RuntimeError(
                f"{self.fn.__name__}: trying to backward through the graph a second time: "
                "the values it saved for backward were released after the first backward(). "
                "Call backward(retain_graph=True) the first time if you need to go through "
                "the graph again."
            )
        if saved and self.epoch != _epoch:
            self._check_versions(saved)
        out = self.graph_output
        if out is None:
            return saved
        return tuple(self._as_graph_tensor(v, out) for v in saved)

    def _check_versions(self, saved: tuple[Any, ...]) -> None:
        """Raise if a value saved for backward was changed in place after it was saved."""
        used = self.fn.saved_used(self)
        for k, v in enumerate(saved):
            if (used is None or used[k]) and _changed_since(v, self.epoch):
                what = "a value"
                for i, p in enumerate(self.parents):
                    if p is not None and _owner(p.data) is _owner(v):
                        label = f" {p.name!r}" if p.name else ""
                        what = f"its input {i}{label} (shape {p.shape}, dtype {p.dtype})"
                        break
                else:
                    what = f"a value of shape {v.shape} (its output or an input)"
                op = self.fn.__name__.lower()
                raise RuntimeError(
                    f"{op}: one of the values needed for its gradient has been modified by an "
                    f"in-place operation: {what} was changed (now at version "
                    f"{version_of(v)}) after {op} saved it for backward. Change a copy "
                    "(.clone()) instead, or make the in-place change after backward()."
                )

    def _as_graph_tensor(self, value: Any, out: Tensor) -> Any:
        if not isinstance(value, np.ndarray):
            return value
        if value is out.data:
            return out
        for p in self.parents:
            if p is not None and value is p.data:
                return p
        return Tensor._wrap(value)


class AccumulateGrad:
    """A leaf's place in ``next_functions``, as in PyTorch: ``.variable`` is the leaf."""

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable
        self.next_functions: tuple[Any, ...] = ()

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {hex(id(self))}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AccumulateGrad) and other.variable is self.variable

    def __hash__(self) -> int:
        return id(self.variable)


class Function:
    """Base of every operation: subclass it with static ``forward`` and ``backward``.

    ``forward(ctx, *args, **kwargs)`` receives the NumPy arrays of the ``Tensor`` arguments
    (other arguments as given) and returns an array. ``backward(ctx, grad_output)`` returns
    one gradient per positional argument of ``forward`` (``None`` for a constant or an input
    that needs none), each of the input's shape or of a shape it broadcasts to (the engine
    sums the broadcast axes away). Write backward with operators and methods that both
    ``np.ndarray`` and ``Tensor`` have: then ``create_graph=True`` can differentiate it again.

    Use it as ``MyOp.apply(x, y)``, exactly like ``torch.autograd.Function``.

    Set ``elementwise = True`` on an op whose output element i depends only on element i of
    each (broadcast) input: tools that explain backward then show its local derivative.
    """

    elementwise: bool = False

    @staticmethod
    def forward(ctx: Context, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    @staticmethod
    def saved_used(ctx: Context) -> tuple[bool, ...] | None:
        """Which saved values this node's backward will read (None: all of them). A value it
        will not read may change in place before backward, as PyTorch allows."""
        return None

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> Any:
        raise NotImplementedError

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Tensor:
        # This runs for every op, so it is written for speed. For each positional argument:
        # its array (what forward gets), its Tensor or None (the graph's edge), and whether it
        # needs a gradient. Unary and binary ops, nearly every call, build these tuples
        # directly; other arities take the loop.
        n = len(args)
        arrays: tuple[Any, ...]
        parents: tuple[Tensor | None, ...]
        needs: tuple[bool, ...]
        if n == 1:
            a = args[0]
            if isinstance(a, Tensor):
                arrays, parents, needs = (a.data,), args, _NEEDS_1[a._requires_grad]
            else:
                arrays, parents, needs = args, (None,), _NEEDS_1[False]
        elif n == 2:
            a, b = args
            ta = isinstance(a, Tensor)
            tb = isinstance(b, Tensor)
            arrays = (a.data if ta else a, b.data if tb else b)
            if ta and tb:
                if arrays[0].dtype is not arrays[1].dtype:
                    arrays = _promoted(arrays[0], arrays[1])
                elif arrays[0] is arrays[1] and a is not b:
                    # Two tensors over one array (x and x.detach()): the op gets its own copy
                    # for the second, so what it saves maps back to the right input (a saved
                    # array is matched to its input by identity when backward is recorded).
                    arrays = (arrays[0], arrays[1].copy())
            parents = args if ta and tb else (a if ta else None, b if tb else None)
            needs = _NEEDS_2[ta and a._requires_grad][tb and b._requires_grad]
        else:
            parents = tuple(a if isinstance(a, Tensor) else None for a in args)
            arrays = tuple(a if p is None else p.data for a, p in zip(args, parents, strict=True))
            needs = tuple(p is not None and p._requires_grad for p in parents)
        record = _grad_mode.enabled and True in needs
        # Context.__init__ inlined (a Python call costs as much as several of these stores).
        ctx = _new_object(Context)
        ctx.fn = cls
        ctx.parents = parents
        ctx.needs_input_grad = needs
        ctx.saved = ()
        ctx.graph_output = None
        ctx.args = args
        ctx.kwargs = kwargs if kwargs else _NO_KWARGS
        try:
            out = cls.forward(ctx, *arrays, **kwargs) if kwargs else cls.forward(ctx, *arrays)
        except (ValueError, IndexError) as e:
            raise _prefixed(e, cls.__name__.lower()) from e
        if type(out) is not np.ndarray:  # NumPy returns scalars for 0-d results
            raw = out
            out = np.asarray(out) if isinstance(out, np.floating) else \
                _forward_result(cls, out, parents)
            saved = ctx.saved
            if saved:
                for v in saved:
                    if v is raw:  # keep "the saved output is the output" true, for create_graph
                        ctx.saved = tuple(out if v is raw else v for v in saved)
                        break
            if out.dtype.kind != "f":  # an integer or bool result has no gradient
                record = False
        elif out.dtype.char not in "df":  # not float64 or float32: see _forward_result
            out = _forward_result(cls, out, parents)
            if out.dtype.kind != "f":
                record = False
        # Tensor._wrap inlined: this line runs once per op.
        t = _new_object(Tensor)
        t.data = out
        t._grad = None
        t._requires_grad = record
        t._ctx = ctx if record else None
        t.name = None
        return t


_new_object = object.__new__

# What apply would otherwise allocate for every op: a graph keeps one of each per op, and the
# cycle collector walks every one of them (a deep chain's forward pass slows with its depth).
_NEEDS_1 = ((False,), (True,))  # indexed by the input's requires_grad
_NEEDS_2 = (((False, False), (False, True)), ((True, False), (True, True)))
_NO_KWARGS: Mapping[str, Any] = MappingProxyType({})


def _promoted(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two tensors' arrays as PyTorch promotes them: an integer or bool tensor meeting a float
    one takes the float's dtype (NumPy would turn int64 with float32 into float64)."""
    fa, fb = a.dtype.kind == "f", b.dtype.kind == "f"
    if fa and not fb:
        return a, b.astype(a.dtype)
    if fb and not fa:
        return a.astype(b.dtype), b
    return a, b


_NAMED = re.compile(r"^[a-z_][a-z0-9_.]*: ")


def _prefixed(e: Exception, op: str) -> Exception:
    """The same error, its message starting with the op's name (once)."""
    msg = str(e)
    if msg.startswith(op + ":") or _NAMED.match(msg):  # named already (broadcast_to: ...)
        return e
    kind = IndexError if isinstance(e, IndexError) and not isinstance(e, ValueError) else ValueError
    return kind(f"{op}: {msg}")


def _forward_result(cls: type, out: Any, parents: tuple[Tensor | None, ...]) -> np.ndarray:
    """Accept a NumPy scalar or array-like from forward; insist on numeric data.

    Integer or bool results stay so when no input is a float tensor (``labels + 1``); from a
    float input they become floats, so a gradient can flow through them.
    """
    for p in parents:  # (an op's result is not an array when an input's .data is not one)
        if p is not None and type(p.data) is not np.ndarray:
            raise TypeError(
                f"{cls.__name__.lower()}: an input's .data is a {type(p.data).__name__}, not a "
                "NumPy array: .data must stay the tensor's array (write t.data[...] = values, "
                "or t.data = np.asarray(values); for an update, p.data -= lr * p.grad)"
            )
    arr = np.asarray(out.data if isinstance(out, Tensor) else out)
    if arr.dtype.kind in "biu":
        if arr.dtype in _OTHER_DTYPES and not any(
                p is not None and p.data.dtype.kind == "f" for p in parents):
            return arr
        return arr.astype(DEFAULT_DTYPE)
    if arr.dtype.kind != "f":
        raise TypeError(f"{cls.__name__}.forward returned data of dtype {arr.dtype}; "
                        "tensors hold floating point numbers")
    if arr.dtype not in _FLOAT_DTYPES:  # float16 widens exactly to float32, long double narrows
        return arr.astype(np.float32 if arr.dtype.itemsize < 4 else np.float64)
    return arr


# --------------------------------------------------------------------------- Tensor helpers


def _float_dtype(dtype: Any) -> np.dtype:
    d = np.dtype(dtype)
    if d not in _FLOAT_DTYPES:
        raise TypeError(f"Tensor: dtype must be float32 or float64, got {d}")
    return d


def _dtype_arg(dtype: Any, op: str = "Tensor") -> np.dtype:
    """A dtype a tensor may have: float32/float64, or an integer or bool dtype."""
    try:
        d = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{op}: {dtype!r} is not a dtype") from None
    if d not in _FLOAT_DTYPES and d not in _OTHER_DTYPES:
        raise TypeError(f"{op}: unsupported dtype {d}; use float32, float64, an integer "
                        "dtype (int64, int32, int16, int8, uint8) or bool")
    return d


def _check_requires_grad(dtype: np.dtype) -> None:
    if dtype.kind != "f":
        raise RuntimeError(
            f"requires_grad: only tensors of floating point dtype can require gradients, "
            f"this one has dtype {dtype}"
        )


def _to_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Copy ``data`` into an array, following the contract's dtype rules."""
    want = None if dtype is None else _dtype_arg(dtype)
    if isinstance(data, Tensor):
        data = data.data
    if data is None or isinstance(data, dict | set):
        raise TypeError(f"Tensor: data must be a number, a (nested) list, a NumPy array or a "
                        f"Tensor, got {type(data).__name__}")
    try:
        arr = np.array(data)
    except (ValueError, OverflowError) as e:
        raise ValueError(f"Tensor: cannot make an array from the data ({e})") from None
    kind = arr.dtype.kind
    if kind == "O" and _huge_int(data) is not None:
        digits = str(_huge_int(data))
        shown = digits if len(digits) <= 24 else f"{digits[:12]}... ({len(digits)} digits)"
        raise ValueError(f"Tensor: the integer {shown} in the data is too large for int64 or "
                         "float64")
    if kind == "f":
        if want is None:
            if arr.dtype in _FLOAT_DTYPES:
                # Python floats take the default dtype (set_default_dtype), arrays keep theirs.
                if arr.dtype != DEFAULT_DTYPE and not isinstance(data, np.ndarray | np.generic):
                    return arr.astype(DEFAULT_DTYPE)
                return arr
            if arr.dtype.itemsize < 4:  # float16: float32 holds it exactly
                return arr.astype(np.float32)
            raise TypeError(f"Tensor: unsupported dtype {arr.dtype}; use float32 or float64")
        return arr.astype(want, copy=False)
    if kind in "biu":
        return arr.astype(want or DEFAULT_DTYPE)
    raise TypeError(
        f"Tensor: unsupported data of dtype {arr.dtype} "
        f"({'complex' if kind == 'c' else 'strings' if kind in 'US' else 'objects'}); "
        "a tensor holds real numbers (float32 or float64)"
    )


def _operand(x: Any) -> Any:
    """The other side of a binary operator: a Tensor, or a Python number kept weakly typed.

    A Python (or NumPy) scalar stays a plain ``float``/``int`` so it never changes a
    tensor's dtype; arrays and lists become constant tensors.
    """
    if isinstance(x, Tensor):
        return x
    if type(x) is float or type(x) is int:
        return x
    if isinstance(x, _INTS):
        return int(x)
    if isinstance(x, _FLOATS):
        return float(x)
    if isinstance(x, _ARRAYS):
        return Tensor(x)
    return None


_NUMBERS = (float, int)  # exact types: a bool or a NumPy scalar goes through _operand
_INTS = (bool, int, np.integer)
_FLOATS = (float, np.floating)
_ARRAYS = (np.ndarray, list, tuple)


def _shape_arg(op: str, shape: tuple[Any, ...]) -> tuple[int, ...]:
    """``f(2, 3)`` and ``f((2, 3))`` both mean the shape (2, 3)."""
    if len(shape) == 1 and isinstance(shape[0], tuple | list):
        shape = tuple(shape[0])
    try:
        out = tuple(operator.index(s) for s in shape)
    except TypeError:
        raise TypeError(f"{op}: shape must be integers, got {shape!r}") from None
    if op in ("zeros", "ones", "randn", "uniform") and any(n < 0 for n in out):
        raise ValueError(f"{op}: a shape cannot have a negative size, got {out}")
    return out


class Size(tuple[int, ...]):
    """What ``.shape`` and ``size()`` return, as PyTorch's ``torch.Size``: a tuple of ints that
    prints as PyTorch prints it (``torch.Size([2, 3])``) and reads as a tuple, ``(2, 3)``, in
    an f-string such as an error message."""

    def numel(self) -> int:
        """The number of elements of a tensor of this shape."""
        return math.prod(self)

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"  # as PyTorch prints it: print(x.shape)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        # In an f-string (the engine's error messages: "shapes (4, 3) and (4, 1)") a shape
        # reads as the tuple it is; print() and repr() show PyTorch's torch.Size([4, 3]).
        return format(tuple.__repr__(self), spec)


class _SizeInt(int):
    """``t.size``: the element count (NumPy's ``size``) that is also PyTorch's ``size()``.

    ``t.size == 6`` and ``t.size()``, ``t.size(0)`` all hold, so neither habit gives a silently
    wrong result.
    """

    _shape: tuple[int, ...]

    def __call__(self, dim: int | None = None) -> Any:
        if dim is None:
            return Size(self._shape)
        n = len(self._shape)
        if not -max(n, 1) <= dim < max(n, 1) or n == 0:
            raise IndexError(f"size: dim {dim} is out of range for a tensor of shape "
                             f"{self._shape}")
        return self._shape[dim]


class MinMax(tuple[Any, ...]):
    """What ``max(dim)``/``min(dim)`` return: ``(values, indices)``, as PyTorch's named tuple."""

    __slots__ = ()

    @property
    def values(self) -> Tensor:
        return self[0]

    @property
    def indices(self) -> Tensor:
        return self[1]


def _pick(op: str, name: str, value: Any, np_name: str, np_value: Any) -> Any:
    """PyTorch's spelling or NumPy's, not both."""
    if np_value is None:
        return value
    if value is not None and value is not False:
        raise TypeError(f"{op}: got both {name}= and {np_name}=; give one of them")
    return np_value


def _reduce_args(op: str, ndim: int, dim: Any, keepdim: bool, axis: Any,
                 keepdims: bool | None) -> tuple[tuple[int, ...], bool]:
    if axis is not None:
        dim = _pick(op, "dim", dim, "axis", axis)
    if keepdims is not None:
        keepdim = _pick(op, "keepdim", keepdim, "keepdims", keepdims)
    if type(keepdim) is not bool and not isinstance(keepdim, np.bool_):
        raise TypeError(f"{op}: keepdim must be a bool, got {keepdim!r}")
    return _ops.normalize_axis(op, dim, ndim), bool(keepdim)


def _one_dim(op: str, dim: int | None, axis: int | None) -> int:
    d = _pick(op, "dim", dim, "axis", axis)
    return -1 if d is None else d


def along(index: np.ndarray, axis: int, shape: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """An integer-array index that takes ``index[..., i, ...]`` along ``axis``, as ``gather``.

    ``index`` has the tensor's number of dims; elsewhere the index runs over every position.
    """
    return tuple(index if i == axis else
                 np.arange(n).reshape([-1 if j == i else 1 for j in range(len(shape))])
                 for i, n in enumerate(shape))


def _extremum(x: Tensor, op: str, dim: Any, keepdim: bool, axis: Any,
              keepdims: bool | None) -> Any:
    if isinstance(dim, Tensor):  # torch.max(a, b): the elementwise maximum
        return getattr(x, "maximum" if op == "max" else "minimum")(dim)  # (tensor_methods)
    if dim is None or axis is not None:  # the values alone: all, or NumPy's axis=
        axes, keep = _reduce_args(op, x.ndim, dim, keepdim, axis, keepdims)
        if op == "max":
            return _ops.Max.apply(x, axis=axes, keepdims=keep)
        return -_ops.Max.apply(-x, axis=axes, keepdims=keep)
    if not isinstance(dim, int | np.integer):
        raise TypeError(f"{op}: dim must be an int, got {dim!r} (for several dims use amax/amin "
                        f"or {op}(axis=...))")
    if keepdims is not None:
        keepdim = _pick(op, "keepdim", keepdim, "keepdims", keepdims)
    (d,) = _ops.normalize_axis(op, int(dim), x.ndim) if x.ndim else (0,)
    if x.ndim and x.shape[d] == 0:
        raise IndexError(f"{op}: cannot take the {op} of an empty dim {dim} (shape {x.shape})")
    find = np.argmax if op == "max" else np.argmin
    if x.ndim == 0:
        return MinMax((x.reshape(()) if keepdim else x, Tensor._wrap(np.array(0))))
    idx = find(x.data, axis=d, keepdims=True)
    values = x[along(idx, d, x.shape)]
    if not keepdim:
        values = values.reshape(values.shape[:d] + values.shape[d + 1:])
        idx = idx.reshape(idx.shape[:d] + idx.shape[d + 1:])
    return MinMax((values, Tensor._wrap(idx.astype(np.int64))))


def _huge_int(data: Any) -> int | None:
    """A Python int in ``data`` that NumPy could store only as an object, if any."""
    if isinstance(data, int) and not isinstance(data, bool):
        return None if -2**63 <= data < 2**64 else data
    if isinstance(data, list | tuple):
        return next((v for v in map(_huge_int, data) if v is not None), None)
    return None


def _rng(rng: np.random.Generator | int | None, op: str = "rng") -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, int | np.integer):
        if rng is not None and rng < 0:
            raise ValueError(f"{op}: rng, a seed, must be a non-negative int, got {rng}")
        return np.random.default_rng(rng)
    raise TypeError(f"{op}: rng must be a numpy.random.Generator, an int seed or None, got "
                    f"{rng!r}")


# --------------------------------------------------------------------------- Tensor


class Tensor(TensorMethods, InplaceMethods):
    """An n-dimensional array of floats that records the operations made on it.

    Examples:
        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> y = (x * x).sum()
        >>> y.backward()
        >>> x.grad
        tensor([2., 4.])
    """

    __slots__ = ("data", "_grad", "_requires_grad", "_ctx", "name", "__weakref__")

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, out: Any = None,
                        **kwargs: Any) -> Any:
        """What NumPy does with a tensor operand (see ``_numpy_ufunc``)."""
        return _numpy_ufunc(ufunc, method, inputs, out, kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        """A NumPy function (``np.dot``, ``np.sum``...) computes on the arrays; one that would
        silently drop the graph of a tensor that requires grad raises instead."""
        result = func(*_arrays_in(args), **_arrays_in(kwargs))
        if _grad_mode.enabled and _any_requires_grad((args, kwargs)) and \
                isinstance(result, np.ndarray | np.floating) and \
                np.asarray(result).dtype.kind == "f":
            raise TypeError(
                f"numpy.{func.__name__} on a tensor that requires grad would lose its graph: use "
                "the tensor's own methods (or tinygrad_edu's functions, e.g. x @ w for np.dot), "
                "or pass t.detach().numpy()"
            )
        return result

    data: np.ndarray
    # What ``.grad`` reads: None, a Tensor, or (left there by backward) a bare gradient array,
    # or an array in a 1-tuple when it is shared; see the ``grad`` property.
    _grad: Tensor | np.ndarray | tuple[np.ndarray] | None
    _requires_grad: bool
    _ctx: Context | None
    name: str | None

    def __init__(
        self,
        data: TensorLike,
        requires_grad: bool = False,
        dtype: Any = None,
        name: str | None = None,
    ) -> None:
        if type(requires_grad) is int or type(dtype) is int:  # torch.Tensor(3, 4): a shape
            raise TypeError(
                f"Tensor: Tensor(data, requires_grad=False, dtype=None) takes the data; "
                f"Tensor({data!r}, {requires_grad!r}{'' if dtype is None else ', ' + repr(dtype)})"
                " looks like PyTorch's old Tensor(*sizes): write torch.empty(...) or "
                "torch.zeros(...) for a tensor of that shape"
            )
        if type(requires_grad) is not bool and not isinstance(requires_grad, np.bool_):
            raise TypeError(f"Tensor: requires_grad must be a bool, got {requires_grad!r}")
        self.data = _to_array(data, dtype)
        self._grad = None
        if requires_grad:
            _check_requires_grad(self.data.dtype)
        self._requires_grad = bool(requires_grad)
        self._ctx = None
        self.name = name

    @classmethod
    def _wrap(cls, data: np.ndarray) -> Tensor:
        """A constant tensor around an existing float array (no copy, no checks)."""
        t = object.__new__(Tensor)
        t.data = data
        t._grad = None
        t._requires_grad = False
        t._ctx = None
        t.name = None
        return t

    # ----------------------------------------------------------------- attributes

    @property
    def grad(self) -> Tensor | None:
        """The gradient ``backward()`` accumulated here (``None`` before), a Tensor of this shape.

        ``backward`` leaves bare arrays behind and the Tensor is made on first read, so the
        gradients of intermediates nobody looks at cost nothing more. An array that backward
        handed to several tensors (a pass-through op such as add gives its input the very
        gradient of its output) is kept as ``(array,)`` and copied on first read: each tensor's
        ``.grad`` is its own, and no copy is made for a gradient that is never read.
        """
        g = self._grad
        if g is None or isinstance(g, Tensor):
            return g
        t = Tensor._wrap(g[0].copy() if isinstance(g, tuple) else g)
        self._grad = t
        return t

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"grad: assign a Tensor or None, not {type(value).__name__}")
            if value.data.shape != self.data.shape or value.data.dtype != self.data.dtype:
                raise RuntimeError(
                    f"grad: assigned a gradient of shape {value.shape} and dtype "
                    f"{value.dtype} to a tensor of shape {self.shape} and dtype {self.dtype}"
                )
        self._grad = value

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if self._ctx is not None and not flag:
            raise RuntimeError(
                "requires_grad: only a leaf tensor's flag can be changed; "
                "use .detach() to get a tensor without the graph"
            )
        if type(flag) is not bool and not isinstance(flag, np.bool_):
            raise TypeError(f"requires_grad: must be a bool, got {flag!r}")
        if flag:
            _check_requires_grad(self.data.dtype)
        self._requires_grad = bool(flag)

    @property
    def _version(self) -> int:
        """How many times this tensor's memory was changed in place (PyTorch's ``_version``)."""
        return version_of(self.data)

    def _bump_version(self) -> None:
        """Log an in-place change of ``.data`` made outside the tensor's methods (an optimizer
        step), so a backward that saved the old values raises."""
        bump_version(self.data)

    def requires_grad_(self, flag: bool = True) -> Tensor:
        """Set ``requires_grad`` in place and return the tensor."""
        self.requires_grad = flag
        return self

    @property
    def is_leaf(self) -> bool:
        """True unless an op that recorded the graph made this tensor."""
        return self._ctx is None

    @property
    def grad_fn(self) -> Context | None:
        """The graph node that made this tensor (``None`` for a leaf)."""
        return self._ctx

    @property
    def op(self) -> str | None:
        """Name of the operation that made this tensor, e.g. ``"Sigmoid"``."""
        return None if self._ctx is None else self._ctx.fn.__name__

    @property
    def shape(self) -> Size:
        """The array's shape, as a ``Size`` (a tuple that prints as PyTorch's)."""
        return Size(self.data.shape)

    @property
    def ndim(self) -> int:
        """The number of axes."""
        return self.data.ndim

    @property
    def size(self) -> Any:
        """The number of elements (NumPy's ``size``); called, the shape (PyTorch's ``size()``)."""
        n = _SizeInt(self.data.size)
        n._shape = self.data.shape
        return n

    @property
    def dtype(self) -> np.dtype:
        """The NumPy dtype: float64 (the default) or float32."""
        return self.data.dtype

    @property
    def T(self) -> Tensor:  # noqa: N802 (NumPy's and PyTorch's name)
        """The axes reversed; a no-op on 1-D, as in NumPy."""
        return self.transpose()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        arr = self.data if dtype is None else self.data.astype(dtype, copy=False)
        return arr.copy() if copy else arr

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self.data

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number: a float (an int or a bool for
        an integer or bool tensor)."""
        if self.data.size != 1:  # RuntimeError, as PyTorch raises
            raise RuntimeError(
                f"item: only a one-element tensor converts to a Python number, "
                f"got shape {self.shape}"
            )
        return self.data.reshape(()).item()

    def tolist(self) -> Any:
        """The values as nested Python lists."""
        return self.data.tolist()

    def detach(self) -> Tensor:
        """The same data (shared memory) without the graph."""
        return Tensor._wrap(self.data)

    def detach_(self) -> Tensor:
        """Cut this tensor from the graph, in place: it becomes a leaf."""
        self._ctx = None
        self._requires_grad = False
        return self

    def clone(self) -> Tensor:
        """A copy with its own memory; the gradient flows back unchanged (as in PyTorch)."""
        return _ops.BroadcastTo.apply(self, shape=self.data.shape)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> Any:
        """Call ``hook(grad)`` when this tensor's gradient has been computed in a backward pass;
        a tensor it returns replaces the gradient. Returns a handle with ``remove()``."""
        if not self._requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that doesn't "
                               "require gradient")
        return _autograd.add_hook(self, hook)

    def retain_grad(self) -> None:
        """Accepted, as in PyTorch; nothing to do: every tensor that requires grad, an
        intermediate too, gets its ``.grad`` here."""

    @property
    def retains_grad(self) -> bool:
        """True for an intermediate that requires grad (every such tensor keeps its ``.grad``)."""
        return self._requires_grad and self._ctx is not None

    # By identity, so tensors can key dicts and sets although == is elementwise.
    __hash__ = object.__hash__

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(
                f"bool: the truth value of a tensor of shape {self.shape} is ambiguous"
            )
        return bool(self.data.reshape(()))

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        """An integer tensor of one element serves where Python wants an int (``range(n)``)."""
        if self.data.dtype.kind not in "iub":
            raise TypeError(f"only integer tensors of a single element can be converted to an "
                            f"index, this one has dtype {self.dtype}")
        return int(self.item())

    # Logical operators of bool (and integer) tensors: masks, not differentiable.
    def _logical(self, other: Any, ufunc: np.ufunc, op: str) -> Tensor:
        value = other.data if isinstance(other, Tensor) else np.asarray(other)
        for v in (self.data, value):
            if v.dtype.kind not in "biu":
                raise TypeError(f"{op}: only bool and integer tensors have it, got dtype {v.dtype}")
        return Tensor._wrap(np.asarray(ufunc(self.data, value)))

    def __and__(self, other: Any) -> Tensor:
        return self._logical(other, np.bitwise_and, "&")

    __rand__ = __and__

    def __or__(self, other: Any) -> Tensor:
        return self._logical(other, np.bitwise_or, "|")

    __ror__ = __or__

    def __xor__(self, other: Any) -> Tensor:
        return self._logical(other, np.bitwise_xor, "^")

    __rxor__ = __xor__

    def __invert__(self) -> Tensor:
        if self.data.dtype.kind not in "biu":
            raise TypeError(f"~: only bool and integer tensors have it, got dtype {self.dtype}")
        return Tensor._wrap(np.asarray(np.invert(self.data)))

    def __repr__(self) -> str:
        """PyTorch's print-out, character for character: ``tensor([0.4963, 0.7682],
        grad_fn=<MulBackward0>)`` (see ``printing.py``; ``set_printoptions`` changes it)."""
        return _printing.format_tensor(self)

    def __str__(self) -> str:
        return self.__repr__()  # (a subclass's repr too: "Parameter containing:")

    def __format__(self, spec: str) -> str:
        return _printing.format_tensor_spec(self, spec)

    # ----------------------------------------------------------------- factories

    @classmethod
    def zeros(cls, *shape: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
        """A tensor of zeros: ``Tensor.zeros(2, 3)`` or ``Tensor.zeros((2, 3))``."""
        d = _dtype_arg(DEFAULT_DTYPE if dtype is None else dtype, "zeros")
        return cls(np.zeros(_shape_arg("zeros", shape), d), requires_grad=requires_grad)

    @classmethod
    def ones(cls, *shape: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
        """A tensor of ones: ``Tensor.ones(2, 3)`` or ``Tensor.ones((2, 3))``."""
        d = _dtype_arg(DEFAULT_DTYPE if dtype is None else dtype, "ones")
        return cls(np.ones(_shape_arg("ones", shape), d), requires_grad=requires_grad)

    @classmethod
    def randn(
        cls,
        *shape: Any,
        rng: np.random.Generator | int | None = None,
        requires_grad: bool = False,
        dtype: Any = None,
    ) -> Tensor:
        """Standard normal samples; ``rng`` is a ``np.random.Generator`` or an int seed."""
        d = _float_dtype(dtype or DEFAULT_DTYPE)
        data = _rng(rng, "randn").standard_normal(_shape_arg("randn", shape))
        return cls(data.astype(d, copy=False), requires_grad=requires_grad)

    @classmethod
    def uniform(
        cls,
        *shape: Any,
        low: float = -1.0,
        high: float = 1.0,
        rng: np.random.Generator | int | None = None,
        requires_grad: bool = False,
        dtype: Any = None,
    ) -> Tensor:
        """Samples from U[low, high); ``rng`` is a ``np.random.Generator`` or an int seed."""
        if not low < high:
            raise ValueError(f"uniform: need low < high, got low={low}, high={high}")
        d = _float_dtype(dtype or DEFAULT_DTYPE)
        data = _rng(rng, "uniform").uniform(low, high, _shape_arg("uniform", shape))
        return cls(data.astype(d, copy=False), requires_grad=requires_grad)

    # ----------------------------------------------------------------- autograd

    def backward(
        self,
        grad: TensorLike | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        *,
        gradient: TensorLike | None = None,
    ) -> None:
        """Accumulate d(self)/d(t) into ``t.grad`` for every ``t`` that requires grad.

        ``grad`` (PyTorch's keyword: ``gradient``) is the gradient flowing into ``self``
        (defaults to 1 for a one-element tensor). Every tensor that requires grad gets
        ``.grad``, intermediates included. Values saved for backward are released afterwards
        unless ``retain_graph=True``; ``create_graph=True`` makes the gradients themselves
        differentiable.
        """
        if gradient is not None:
            if grad is not None:
                raise TypeError("backward: got both grad= and gradient=; give one of them")
            grad = gradient
        _autograd.backward(self, grad, retain_graph=retain_graph, create_graph=create_graph)

    # ----------------------------------------------------------------- operators
    # Each takes a Tensor or a plain float/int operand as it is (nearly every call), sparing the
    # call to _operand, which converts everything else.

    def __add__(self, other: Any) -> Tensor:
        o = other if isinstance(other, Tensor) or type(other) in _NUMBERS else _operand(other)
        return NotImplemented if o is None else _ops.Add.apply(self, o)

    def __radd__(self, other: Any) -> Tensor:
        o = other if isinstance(other, Tensor) or type(other) in _NUMBERS else _operand(other)
        return NotImplemented if o is None else _ops.Add.apply(o, self)

    def __sub__(self, other: Any) -> Tensor:
        o = other if isinstance(other, Tensor) or type(other) in _NUMBERS else _operand(other)
        return NotImplemented if o is None else _ops.Sub.apply(self, o)

    def __rsub__(self, other: Any) -> Tensor:
        o = other if isinstance(other, Tensor) or type(other) in _NUMBERS else _operand(other)
        return NotImplemented if o is None else _ops.Sub.apply(o, self)

    def __mul__(self, other: Any) -> Tensor:
        o = other if isinstance(other, Tensor) or type(other) in _NUMBERS else _operand(other)
        return NotImplemented if o is None else _ops.Mul.apply(self, o)

    def __rmul__(self, other: Any) -> Tensor:
        o = other if isinstance(other, Tensor) or type(other) in _NUMBERS else _operand(other)
        return NotImplemented if o is None else _ops.Mul.apply(o, self)

    def __truediv__(self, other: Any) -> Tensor:
        o = other if isinstance(other, Tensor) or type(other) in _NUMBERS else _operand(other)
        return NotImplemented if o is None else _ops.Div.apply(self, o)

    def __rtruediv__(self, other: Any) -> Tensor:
        o = other if isinstance(other, Tensor) or type(other) in _NUMBERS else _operand(other)
        return NotImplemented if o is None else _ops.Div.apply(o, self)

    def __pow__(self, other: Any) -> Tensor:
        o = other if isinstance(other, Tensor) or type(other) in _NUMBERS else _operand(other)
        return NotImplemented if o is None else _ops.Pow.apply(self, o)

    def __rpow__(self, other: Any) -> Tensor:
        o = other if isinstance(other, Tensor) or type(other) in _NUMBERS else _operand(other)
        return NotImplemented if o is None else _ops.Pow.apply(o, self)

    def __matmul__(self, other: Any) -> Tensor:
        o = other if isinstance(other, Tensor) or type(other) in _NUMBERS else _operand(other)
        if o is None or not isinstance(o, Tensor):
            return NotImplemented if o is None else self.__matmul__(Tensor(o))
        return _ops.MatMul.apply(self, o)

    def __rmatmul__(self, other: Any) -> Tensor:
        o = other if isinstance(other, Tensor) or type(other) in _NUMBERS else _operand(other)
        if o is None or not isinstance(o, Tensor):
            return NotImplemented if o is None else Tensor(o).__matmul__(self)
        return _ops.MatMul.apply(o, self)

    def __neg__(self) -> Tensor:
        return _ops.Neg.apply(self)

    def __abs__(self) -> Tensor:
        return _ops.Abs.apply(self)

    def __round__(self, ndigits: int | None = None) -> Any:
        if ndigits is not None:
            return self.round(decimals=ndigits)
        return self.round()

    def __pos__(self) -> Tensor:
        return self

    # In-place operators update ``.data`` when no graph is being recorded (the documents'
    # ``syn0 += ...`` inside ``no_grad``); on a leaf that requires grad they would silently
    # detach it from its own gradient, so they refuse, as PyTorch does.
    def _inplace(self, other: Any, op: str, ufunc: np.ufunc, binop: Callable[[Any, Any], Tensor]
                 ) -> Tensor:
        o = other if isinstance(other, Tensor) or type(other) in _NUMBERS else _operand(other)
        if o is None:
            return NotImplemented
        other_rg = isinstance(o, Tensor) and o._requires_grad
        if not _grad_mode.enabled or not (self._requires_grad or other_rg):
            value = o.data if isinstance(o, Tensor) else o
            try:
                ufunc(self.data, value, out=self.data, casting="same_kind")
            except ValueError as e:
                raise ValueError(f"{op}: {e} (tensor shape {self.shape})") from None
            except TypeError:  # NumPy's casting error: a float result into an integer tensor
                raise RuntimeError(
                    f"{op}: result type {ufunc(self.data, value).dtype} can't be cast to the "
                    f"desired output type {self.dtype} (a tensor changed in place keeps its dtype)"
                ) from None
            bump_version(self.data)
            return self
        if self._ctx is None and self._requires_grad:
            raise RuntimeError(
                f"{op}: a leaf tensor that requires grad cannot be changed in place while the "
                "graph is recorded; update it inside `with no_grad():` (or through .data)"
            )
        if has_views(self.data):
            # x[i] += v gives a view here and then assigns it back with x[i] = ...: computing
            # out of place and letting that assignment record the change is right for it.
            return binop(self, o)
        # Recorded: changed in place (every name for this tensor sees the change, as in
        # PyTorch), the graph rewritten as for add_.
        return _inplace_update(self, op, lambda t: binop(t, o), o)

    def __iadd__(self, other: Any) -> Tensor:
        return self._inplace(other, "add_", np.add, operator.add)

    def __isub__(self, other: Any) -> Tensor:
        return self._inplace(other, "sub_", np.subtract, operator.sub)

    def __imul__(self, other: Any) -> Tensor:
        return self._inplace(other, "mul_", np.multiply, operator.mul)

    def __itruediv__(self, other: Any) -> Tensor:
        return self._inplace(other, "div_", np.true_divide, operator.truediv)

    # Comparisons are not differentiable: they return boolean arrays (a 0-d array for a 0-d
    # tensor, where NumPy alone would give a np.bool_ scalar), as BoolArray: an np.ndarray that
    # also has PyTorch's conversions, for ``(pred == y).float().mean()``.
    def _cmp_value(self, other: Any) -> Any:
        return other.data if isinstance(other, Tensor) else other

    def __lt__(self, other: Any) -> np.ndarray:
        return as_mask(self.data < self._cmp_value(other))

    def __le__(self, other: Any) -> np.ndarray:
        return as_mask(self.data <= self._cmp_value(other))

    def __gt__(self, other: Any) -> np.ndarray:
        return as_mask(self.data > self._cmp_value(other))

    def __ge__(self, other: Any) -> np.ndarray:
        return as_mask(self.data >= self._cmp_value(other))

    def __eq__(self, other: Any) -> np.ndarray:  # type: ignore[override]
        return as_mask(self.data == self._cmp_value(other))

    def __ne__(self, other: Any) -> np.ndarray:  # type: ignore[override]
        return as_mask(self.data != self._cmp_value(other))

    def __getitem__(self, index: Any) -> Tensor:
        return _ops.GetItem.apply(self, index=_ops.normalize_index(index))

    # ----------------------------------------------------------------- methods

    def dot(self, other: Any) -> Tensor:
        """Matrix product, same as ``@`` (the documents' ``np.dot``)."""
        return self.__matmul__(other)

    matmul = dot

    # Reductions take PyTorch's spelling (dim=, keepdim=) and NumPy's (axis=, keepdims=);
    # a positional first argument means the same in both. Giving both spellings is an error.

    def sum(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
            keepdims: bool | None = None, dtype: Any = None) -> Tensor:
        """Sum over ``dim`` (an int, a tuple, or ``None`` for all); the gradient is copied back."""
        if axis is None and keepdims is None:  # (the loss's .sum() of every training step)
            if type(dim) is tuple and not dim:  # PyTorch: dim=() sums every dim
                dim = None
            axes, keep = _ops.normalize_axis("sum", dim, self.data.ndim), keepdim
        else:
            axes, keep = _reduce_args("sum", self.ndim, dim, keepdim, axis, keepdims)
        out = _ops.Sum.apply(self, axis=axes, keepdims=keep)
        return out if dtype is None else out.astype(dtype)

    def mean(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
             keepdims: bool | None = None, dtype: Any = None) -> Tensor:
        """Average over ``dim`` (an int, a tuple, or ``None`` for all)."""
        if axis is None and keepdims is None:
            if type(dim) is tuple and not dim:  # PyTorch: dim=() averages every dim
                dim = None
            axes, keep = _ops.normalize_axis("mean", dim, self.data.ndim), keepdim
        else:
            axes, keep = _reduce_args("mean", self.ndim, dim, keepdim, axis, keepdims)
        x = self if dtype is None else self.astype(dtype)
        if x.data.dtype.kind != "f":
            raise RuntimeError(
                f"mean: could not infer output dtype: input dtype {x.dtype} is not floating "
                "point; give dtype= (e.g. x.mean(dtype=torch.float64)) or call x.float() first"
            )
        return _ops.Mean.apply(x, axis=axes, keepdims=keep)

    def max(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
            keepdims: bool | None = None) -> Any:
        """The largest value, or PyTorch's ``(values, indices)`` along ``dim``.

        ``x.max()`` and ``x.max(axis=1)`` (NumPy's spelling) give values; the gradient is split
        evenly among tied maxima. ``x.max(1)`` or ``x.max(dim=1)`` give PyTorch's named tuple
        ``(values, indices)``: the gradient goes to the element at the index. ``x.max(other)``
        with a tensor is the elementwise maximum.
        """
        return _extremum(self, "max", dim, keepdim, axis, keepdims)

    def min(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
            keepdims: bool | None = None) -> Any:
        """The smallest value, or ``(values, indices)`` along ``dim``: as ``max``."""
        return _extremum(self, "min", dim, keepdim, axis, keepdims)

    def reshape(self, *shape: Any) -> Tensor:
        """``reshape(2, 3)`` or ``reshape((2, 3))``; one ``-1`` is inferred."""
        return _ops.Reshape.apply(self, shape=_shape_arg("reshape", shape))

    def view(self, *shape: Any) -> Tensor:
        """PyTorch's ``view``: a reshape (the result shares memory when NumPy can view it)."""
        if len(shape) == 1 and not isinstance(shape[0], int | tuple | list | np.integer):
            raise NotImplementedError(
                f"tinygrad_edu does not implement Tensor.view({shape[0]!r}) yet (a view as "
                "another dtype); use .to(dtype) to convert the values"
            )
        try:
            out = _ops.Reshape.apply(self, shape=_shape_arg("view", shape))
        except ValueError:  # PyTorch's RuntimeError and words
            raise RuntimeError(f"view: shape '{list(_shape_arg('view', shape))}' is invalid for "
                               f"input of size {self.data.size}") from None
        if out._ctx is not None:
            out._ctx.torch_name = "ViewBackward0"  # PyTorch's node name (printing.node_name)
        return out

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge the dims ``start_dim`` to ``end_dim`` into one (all of them by default)."""
        if self.ndim == 0:
            return self.reshape(1)
        s, e = (_ops.normalize_axis("flatten", d, self.ndim)[0] for d in (start_dim, end_dim))
        if s > e:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} "
                             f"for a tensor of shape {self.shape}")
        shape = self.shape
        return self.reshape(shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:])

    def transpose(self, *axes: Any) -> Tensor:
        """Swap two dims (PyTorch: ``k.transpose(-2, -1)``), or permute them (NumPy).

        Two ints swap those two dims, negative ones included: on a matrix ``transpose(0, 1)``
        is its transpose. No argument reverses the axes; one tuple or three or more ints are
        NumPy's full permutation.
        """
        if len(axes) == 2 and all(isinstance(a, int | np.integer) for a in axes):
            return self.swapaxes(int(axes[0]), int(axes[1]))
        perm = _shape_arg("transpose", axes) if axes else tuple(range(self.ndim))[::-1]
        return _ops.Transpose.apply(self, axes=perm)

    def permute(self, *dims: Any) -> Tensor:
        """Reorder the dims: ``permute(2, 0, 1)`` or ``permute((2, 0, 1))``, always a full
        permutation."""
        return _ops.Transpose.apply(self, axes=_shape_arg("permute", dims))

    def swapaxes(self, axis1: int, axis2: int) -> Tensor:
        """Exchange two axes (NumPy's and PyTorch's ``swapaxes``)."""
        perm = list(range(self.ndim))
        try:
            perm[axis1], perm[axis2] = perm[axis2], perm[axis1]
        except IndexError:
            raise ValueError(
                f"transpose: dims {axis1} and {axis2} out of range for shape {self.shape}"
            ) from None
        return _ops.Transpose.apply(self, axes=tuple(perm))

    swapdims = swapaxes

    def t(self) -> Tensor:
        """The transpose of a matrix (a 0-d or 1-d tensor is returned as it is), as PyTorch."""
        if self.ndim > 2:
            raise ValueError(f"t: expects a tensor with <= 2 dims, got shape {self.shape}; "
                             "use transpose(d0, d1) or permute")
        out = self.transpose()
        if out._ctx is not None:
            out._ctx.torch_name = "TBackward0"
        return out

    def broadcast_to(self, *shape: Any) -> Tensor:
        """Repeat along broadcast axes (NumPy's rules); the gradient sums them back."""
        return _ops.BroadcastTo.apply(self, shape=_shape_arg("broadcast_to", shape))

    def astype(self, dtype: Any) -> Tensor:
        """Cast to another dtype; between floats the gradient is cast back, an integer or
        bool result has none (as in PyTorch)."""
        d = _dtype_arg(dtype, "astype")
        if d == self.data.dtype:
            return self
        if d.kind != "f":
            return Tensor._wrap(self.data.astype(d))
        return _ops.Cast.apply(self, dtype=d)

    def exp(self) -> Tensor:
        """e**x, element by element."""
        return _ops.Exp.apply(self)

    def log(self) -> Tensor:
        """Natural logarithm, element by element."""
        return _ops.Log.apply(self)

    def sqrt(self) -> Tensor:
        """Square root, element by element."""
        return _ops.Sqrt.apply(self)

    def abs(self) -> Tensor:
        """Absolute value; its derivative at 0 is taken as 0."""
        return _ops.Abs.apply(self)

    def sigmoid(self) -> Tensor:
        """1/(1+exp(-x)), the documents' ``nonlin``; derivative ``out*(1-out)``."""
        return _ops.Sigmoid.apply(self)

    def tanh(self) -> Tensor:
        """Hyperbolic tangent; derivative ``1 - out**2``."""
        return _ops.Tanh.apply(self)

    def relu(self) -> Tensor:
        """max(x, 0); its derivative at 0 is taken as 0."""
        return _ops.ReLU.apply(self)

    def clamp(self, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
        """Limit values to [min, max]; the gradient is 0 where a bound is active."""
        if min is None and max is None:
            raise ValueError("clamp: give min, max or both")
        return _ops.Clamp.apply(self, low=min, high=max)

    clip = clamp

    def softmax(self, dim: int | None = None, *, axis: int | None = None) -> Tensor:
        """exp(x) normalised to sum to 1 along ``dim`` (default: the last), computed stably."""
        d = _one_dim("softmax", dim, axis)
        return _ops.Softmax.apply(self, axis=_ops.normalize_axis("softmax", d, self.ndim))

    def log_softmax(self, dim: int | None = None, *, axis: int | None = None) -> Tensor:
        """log(softmax(x)) along ``dim`` (default: the last), computed without forming softmax."""
        d = _one_dim("log_softmax", dim, axis)
        return _ops.LogSoftmax.apply(
            self, axis=_ops.normalize_axis("log_softmax", d, self.ndim))

    def draw(self, **options: Any) -> Any:
        """This tensor's graph as a ``graphviz.Digraph`` (see ``draw_graph``)."""
        from .draw import draw_graph

        return draw_graph(self, **options)


# --------------------------------------------------------------------------- NumPy meets a tensor
# ``array + t`` and ``np.exp(t)`` become the tensor's own operations, so the graph is kept;
# ``p.data -= lr * p.grad`` (the update idiom of PyTorch code, where ``.data`` is an array here)
# computes on the arrays and writes into the one given as ``out``.

_UFUNC_OPS: dict[Any, Callable[..., Any]] = {
    np.add: operator.add, np.subtract: operator.sub, np.multiply: operator.mul,
    np.true_divide: operator.truediv, np.power: operator.pow, np.matmul: operator.matmul,
    np.negative: operator.neg, np.positive: operator.pos,
    np.exp: lambda x: x.exp(), np.log: lambda x: x.log(), np.sqrt: lambda x: x.sqrt(),
    np.absolute: lambda x: x.abs(), np.tanh: lambda x: x.tanh(), np.sin: lambda x: x.sin(),
    np.cos: lambda x: x.cos(), np.square: lambda x: x * x,
    np.maximum: lambda a, b: a.maximum(b), np.minimum: lambda a, b: a.minimum(b),
}
def _arrays_in(x: Any) -> Any:
    """``x`` with every tensor in it (in lists, tuples, dicts) replaced by its array."""
    if isinstance(x, Tensor):
        return x.data
    if isinstance(x, list | tuple):
        return type(x)(_arrays_in(v) for v in x)
    if isinstance(x, dict):
        return {k: _arrays_in(v) for k, v in x.items()}
    return x


def _any_requires_grad(x: Any) -> bool:
    if isinstance(x, Tensor):
        return x._requires_grad
    if isinstance(x, list | tuple):
        return any(_any_requires_grad(v) for v in x)
    if isinstance(x, dict):
        return any(_any_requires_grad(v) for v in x.values())
    return False


_COMPARISONS = {np.less, np.less_equal, np.greater, np.greater_equal, np.equal, np.not_equal}


def _numpy_ufunc(ufunc: np.ufunc, method: str, inputs: tuple[Any, ...], out: Any,
                 kwargs: dict[str, Any]) -> Any:
    arrays = tuple(x.data if isinstance(x, Tensor) else x for x in inputs)
    if out is not None:  # an update in place of the array given as out
        outs = tuple(x.data if isinstance(x, Tensor) else x for x in out)
        getattr(ufunc, method)(*arrays, out=outs, **kwargs)
        for o, target in zip(out, outs, strict=True):
            if isinstance(o, Tensor):
                bump_version(target)
        return out[0] if len(out) == 1 else out
    if method == "__call__" and not kwargs:
        if ufunc in _COMPARISONS:
            return as_mask(ufunc(*arrays))
        op = _UFUNC_OPS.get(ufunc)
        if op is not None:
            return op(*(x if isinstance(x, Tensor) else _operand(x) for x in inputs))
    if _grad_mode.enabled and any(isinstance(x, Tensor) and x._requires_grad for x in inputs):
        raise TypeError(
            f"numpy.{ufunc.__name__}{'' if method == '__call__' else '.' + method} on a tensor "
            "that requires grad would lose its graph: use the tensor's own methods (or "
            "tinygrad_edu's functions), or pass t.detach().numpy()"
        )
    result = getattr(ufunc, method)(*arrays, **kwargs)
    if isinstance(result, np.ndarray | np.generic) and np.asarray(result).dtype == np.bool_:
        return as_mask(result)
    return Tensor._wrap(np.asarray(result)) if isinstance(result, np.ndarray) else result


# The op definitions and the backward pass use Tensor, so they are imported after it.
from . import autograd as _autograd  # noqa: E402
from . import ops as _ops  # noqa: E402

# PyTorch's Tensor methods that tinygrad_edu lacks raise "does not implement torch.Tensor.X yet"
# (class attributes, so no __getattr__ slows the engine's attribute reads).
from .torch_names import install_missing_stubs as _install_missing_stubs  # noqa: E402

_install_missing_stubs(Tensor)
