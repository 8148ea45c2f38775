"""Shared test helpers: check an op against a reference in one line.

In the style of early tinygrad's op-vs-oracle helper::

    from helpers import check_op
    check_op([(3, 4), (4,)], lambda a, b: a * b)          # numpy and torch run the same lambda
    check_op([(3, 4)], lambda x: x.sum(axis=1), np_fn=lambda x: x.sum(axis=1),
             torch_fn=lambda x: x.sum(dim=1))

The public API is small:

- ``torch``: the ``torch`` module, or ``None`` when PyTorch is not installed.
- ``requires_torch``: a ``pytest.mark.skipif`` marker for tests that need PyTorch.
- ``torch_or_skip()``: ``pytest.importorskip("torch")``, for use inside a test body.
- ``make_inputs(shapes, seed, ranges, dtype)``: seeded random arrays, one per shape.
- ``check_forward``, ``check_gradcheck``, ``check_against_torch``: the three checks.
- ``check_op(...)``: all three checks at once.
- Programs written once against a module ``m`` (``tinygrad_edu`` or ``torch``): ``T(m, values)``
  makes a float64 tensor; ``both(prog)`` runs ``prog`` on each side; ``check_both(prog)``
  asserts the results are the same (``check_same``); ``same_error(prog)`` asserts both raise,
  with tinygrad_edu's error of PyTorch's type.

Import it as ``from helpers import ...`` (pytest puts ``tests/`` on ``sys.path``).
Tolerances are tight on purpose: forward values to 1e-12 of NumPy, gradients to
``gradcheck``'s defaults (atol=1e-5, rtol=1e-3, float64), values and gradients to 1e-10 of
PyTorch in float64. Do not loosen them to make a test pass: find out which side is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu import Tensor, gradcheck

try:
    import torch
except ImportError:  # the oracle is optional: tests that need it skip cleanly
    torch = None

__all__ = [
    "torch",
    "requires_torch",
    "torch_or_skip",
    "make_inputs",
    "check_forward",
    "check_gradcheck",
    "check_against_torch",
    "check_op",
    "FORWARD_TOL",
    "TORCH_TOL",
    "T",
    "to_numpy",
    "check_same",
    "both",
    "check_both",
    "same_error",
    "assert_close",
]

#: Forward values against NumPy: the same maths, maybe computed in another order.
FORWARD_TOL = 1e-12
#: Values and gradients against PyTorch (float64).
TORCH_TOL = 1e-10

requires_torch = pytest.mark.skipif(
    torch is None, reason="PyTorch is not installed (pip install torch==2.13.0)"
)

Range = tuple[float, float]


def torch_or_skip() -> Any:
    """The ``torch`` module, or skip the calling test when it is not installed."""
    return pytest.importorskip("torch")


def _ranges(ranges: Range | Sequence[Range], n: int) -> list[Range]:
    if len(ranges) == 2 and all(isinstance(r, int | float) for r in ranges):
        return [tuple(ranges)] * n  # type: ignore[list-item]
    out = list(ranges)
    if len(out) != n:
        raise ValueError(f"{n} shapes but {len(out)} value ranges")
    return out  # type: ignore[return-value]


def make_inputs(
    shapes: Sequence[tuple[int, ...]],
    seed: int = 0,
    ranges: Range | Sequence[Range] = (-2.0, 2.0),
    dtype: Any = np.float64,
) -> list[np.ndarray]:
    """One seeded uniform random array per shape.

    ``ranges`` is one ``(low, high)`` for every array, or a list of pairs, one per shape
    (e.g. a positive range for the argument of ``log`` or the base of ``**``).
    """
    rng = np.random.default_rng(seed)
    return [
        rng.uniform(lo, hi, size=shape).astype(dtype)
        for shape, (lo, hi) in zip(shapes, _ranges(ranges, len(shapes)), strict=True)
    ]


def check_forward(
    engine_fn: Callable[..., Tensor],
    np_fn: Callable[..., Any],
    arrays: Sequence[np.ndarray],
    tol: float = FORWARD_TOL,
) -> Tensor:
    """The engine's value equals NumPy's: same shape, same dtype, same numbers."""
    out = engine_fn(*[Tensor(a) for a in arrays])
    assert isinstance(out, Tensor), f"the engine returned a {type(out).__name__}, not a Tensor"
    expected = np.asarray(np_fn(*[a.copy() for a in arrays]))
    assert out.shape == expected.shape, f"shape {out.shape}, NumPy gives {expected.shape}"
    assert out.dtype == expected.dtype, f"dtype {out.dtype}, NumPy gives {expected.dtype}"
    np.testing.assert_allclose(out.data, expected, rtol=tol, atol=tol)
    return out


def check_gradcheck(
    engine_fn: Callable[..., Tensor],
    arrays: Sequence[np.ndarray],
    requires_grad: Sequence[bool] | None = None,
    **gradcheck_kwargs: Any,
) -> None:
    """``gradcheck`` passes on the whole Jacobian (float64, default tolerances)."""
    flags = [True] * len(arrays) if requires_grad is None else list(requires_grad)
    inputs = [
        Tensor(a, requires_grad=f, name=f"x{i}")
        for i, (a, f) in enumerate(zip(arrays, flags, strict=True))
    ]
    report = gradcheck(engine_fn, *inputs, **gradcheck_kwargs)
    assert report, str(report)


def check_against_torch(
    engine_fn: Callable[..., Tensor],
    torch_fn: Callable[..., Any],
    arrays: Sequence[np.ndarray],
    requires_grad: Sequence[bool] | None = None,
    seed: int = 1,
    tol: float = TORCH_TOL,
) -> None:
    """Values and ``backward()`` gradients equal PyTorch's (float64) to ``tol``.

    The result is back-propagated with the same random upstream gradient on both sides, so
    a gradient wrong by a factor or summed over the wrong axis cannot hide behind ones.
    Also checks that every ``.grad`` has its tensor's shape and dtype.
    """
    if torch is None:
        pytest.skip("PyTorch is not installed")
    flags = [True] * len(arrays) if requires_grad is None else list(requires_grad)
    xs = [Tensor(a, requires_grad=f) for a, f in zip(arrays, flags, strict=True)]
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=f)
          for a, f in zip(arrays, flags, strict=True)]
    out = engine_fn(*xs)
    t_out = torch_fn(*ts)
    t_val = t_out.detach().numpy()
    assert out.shape == t_val.shape, f"shape {out.shape}, torch gives {t_val.shape}"
    np.testing.assert_allclose(out.data, t_val, rtol=tol, atol=tol, err_msg="forward")
    if not any(flags):
        return
    upstream = np.random.default_rng(seed).standard_normal(out.shape)
    out.backward(upstream)
    t_out.backward(torch.from_numpy(upstream))
    for i, (x, t) in enumerate(zip(xs, ts, strict=True)):
        if not x.requires_grad:
            assert x.grad is None, f"input {i} does not require grad but got one"
            continue
        if t.grad is None:  # the result does not depend on it: both leave .grad unset
            assert x.grad is None, f"input {i}: torch leaves .grad unset, the engine set it"
            continue
        expected = t.grad.numpy()
        assert x.grad is not None, f"input {i}: backward() left .grad unset"
        assert x.grad.shape == x.shape, f"input {i}: .grad shape {x.grad.shape} != {x.shape}"
        assert x.grad.dtype == x.dtype, f"input {i}: .grad dtype {x.grad.dtype} != {x.dtype}"
        np.testing.assert_allclose(x.grad.data, expected, rtol=tol, atol=tol,
                                   err_msg=f"gradient of input {i}")


def check_op(
    shapes: Sequence[tuple[int, ...]],
    engine_fn: Callable[..., Tensor],
    np_fn: Callable[..., Any] | None = None,
    torch_fn: Callable[..., Any] | None = None,
    *,
    ranges: Range | Sequence[Range] = (-2.0, 2.0),
    requires_grad: Sequence[bool] | None = None,
    seed: int = 0,
) -> None:
    """Check one op on seeded float64 inputs of ``shapes`` against every oracle available.

    ``np_fn`` (default: ``engine_fn`` itself, which works when it uses only operators and
    methods NumPy shares) gives the expected forward value from arrays. ``torch_fn``
    (default: ``engine_fn`` itself) is run on float64 torch tensors when PyTorch is
    installed. Gradients always go through ``gradcheck``. ``ranges`` is one ``(low, high)``
    for every input or one per input.
    """
    arrays = make_inputs(shapes, seed=seed, ranges=ranges)
    check_forward(engine_fn, np_fn or engine_fn, arrays)
    check_gradcheck(engine_fn, arrays, requires_grad)
    if torch is not None:
        check_against_torch(engine_fn, torch_fn or engine_fn, arrays, requires_grad)


# --------------------------------------------------------------------------- documents' tests


def assert_same(actual, expected, rtol=1e-12):
    """Equal up to rounding: the same maths computed in another order."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, f"shape {actual.shape} != {expected.shape}"
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale)


def assert_close(actual: Any, expected: Any, tol: float = TORCH_TOL) -> None:
    """Same shape, and equal to PyTorch's (``expected``) to ``tol``, relative and absolute."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, f"shape {actual.shape} != {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol)


def grad_of(t):
    assert t.grad is not None, "backward() left .grad unset on a tensor that requires grad"
    assert t.grad.shape == t.shape, f".grad has shape {t.grad.shape}, tensor has {t.shape}"
    return np.asarray(t.grad.data, dtype=np.float64)


# ------------------------------------------------------------ one program, two modules


def T(m: Any, values: Any, requires_grad: bool = False) -> Any:  # noqa: N802 (a constructor)
    """A float64 tensor of ``values`` in module ``m`` (``tinygrad_edu`` or ``torch``)."""
    return m.tensor(np.asarray(values, dtype=np.float64), dtype=m.float64,
                    requires_grad=requires_grad)


def to_numpy(x: Any) -> Any:
    """A tinygrad_edu or torch tensor (or a list or tuple of them) as NumPy arrays (a list);
    anything else unchanged."""
    if isinstance(x, list | tuple):
        return [to_numpy(v) for v in x]
    if x is None:
        return None
    if isinstance(x, Tensor):
        return np.asarray(x.data)
    if torch is not None and isinstance(x, torch.Tensor):
        return x.detach().numpy()
    return x


def check_same(actual: Any, expected: Any, what: str = "") -> None:
    """Equal to PyTorch's to ``TORCH_TOL`` (None where PyTorch gives None), shapes included;
    lists compared item by item, other values with ``==``."""
    a, e = to_numpy(actual), to_numpy(expected)
    if isinstance(e, list):
        assert isinstance(a, list) and len(a) == len(e), f"{what}: {a!r} vs torch {e!r}"
        for i, (x, y) in enumerate(zip(a, e, strict=True)):
            check_same(x, y, f"{what}[{i}]")
        return
    if e is None or a is None:
        assert a is None and e is None, f"{what}: {a!r}, torch gives {e!r}"
        return
    if isinstance(e, np.ndarray):
        assert np.shape(a) == e.shape, f"{what}: shape {np.shape(a)}, torch {e.shape}"
        np.testing.assert_allclose(np.asarray(a, dtype=np.float64), e.astype(np.float64),
                                   rtol=TORCH_TOL, atol=TORCH_TOL, err_msg=what)
        return
    assert a == e, f"{what}: {a!r}, torch gives {e!r}"


def both(prog: Callable[[Any], Any]) -> tuple[Any, Any]:
    """``prog(tinygrad_edu)`` and ``prog(torch)``."""
    return prog(tinygrad_edu), prog(torch)


def check_both(prog: Callable[[Any], Any]) -> None:
    """``prog`` gives the same results with tinygrad_edu as with torch (``check_same``)."""
    check_same(*both(prog))


def same_error(prog: Callable[[Any], Any]) -> Exception:
    """``prog`` raises on both sides, and tinygrad_edu's error is of PyTorch's type."""
    with pytest.raises(Exception) as t_err:
        prog(torch)
    with pytest.raises(type(t_err.value)) as err:
        prog(tinygrad_edu)
    return err.value
