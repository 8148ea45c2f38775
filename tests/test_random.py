"""tinygrad_edu.random against PyTorch's CPU generator: the same bits, the same stream.

Every comparison is exact (bit for bit, dtype and shape included): the point of the module is
that a learner's seeded program prints PyTorch's numbers. The fused multiply-add emulations are
checked against exact rational arithmetic.
"""

from __future__ import annotations

import math
import random as pyrandom
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from helpers import requires_torch, torch

from tinygrad_edu import random as R

SEEDS = [0, 42, 2147483647]
SIZES = [1, 7, 15, 16, 17, 100, 1000]
DTYPES = [np.float64, np.float32]


def tdtype(dt: Any) -> Any:
    return {np.dtype(np.float64): torch.float64, np.dtype(np.float32): torch.float32,
            np.dtype(np.int64): torch.int64, np.dtype(np.int32): torch.int32,
            np.dtype(np.int16): torch.int16, np.dtype(np.uint8): torch.uint8,
            np.dtype(np.bool_): torch.bool}[np.dtype(dt)]


def assert_bits(ours: np.ndarray, theirs: Any, what: str = "") -> None:
    """Same shape, same dtype, same bits (so -0.0 != 0.0 and every last bit counts)."""
    expected = theirs.numpy() if hasattr(theirs, "numpy") else np.asarray(theirs)
    assert isinstance(ours, np.ndarray), f"{what}: got {type(ours).__name__}, not an ndarray"
    assert ours.shape == expected.shape, f"{what}: shape {ours.shape} != torch's {expected.shape}"
    assert ours.dtype == expected.dtype, f"{what}: dtype {ours.dtype} != torch's {expected.dtype}"
    ours_b = np.ascontiguousarray(ours).reshape(-1).view(np.uint8)
    theirs_b = np.ascontiguousarray(expected).reshape(-1).view(np.uint8)
    if not np.array_equal(ours_b, theirs_b):
        bad = np.flatnonzero(ours_b != theirs_b)
        i = bad[0] // ours.dtype.itemsize
        raise AssertionError(
            f"{what}: {len(bad)} bytes differ; first at element {i}: "
            f"{ours.ravel()[i]!r} != torch's {expected.ravel()[i]!r}"
        )


def pair(seed: int) -> tuple[R.Generator, Any]:
    return R.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)


def assert_same_state(g: R.Generator, tg: Any) -> None:
    assert_bits(g.get_state(), tg.get_state(), "generator state")


# --------------------------------------------------------------------------- the generator


@requires_torch
def test_new_generator_has_pytorchs_default_seed() -> None:
    g = R.Generator()
    assert g.initial_seed() == R.DEFAULT_SEED == torch.Generator().initial_seed()
    assert_same_state(g, torch.Generator())
    assert_bits(R.uniform(5, generator=g), torch.rand(5, dtype=torch.float64,
                                                      generator=torch.Generator()))
    assert g.device.type == "cpu"


def test_generator_on_another_device_is_refused() -> None:
    with pytest.raises(RuntimeError, match="CPU"):
        R.Generator("cuda")


@requires_torch
@pytest.mark.parametrize("seed", [0, 1, 42, 2**32 + 5, 2**64 - 1, -1, -(2**63), 2147483647])
def test_manual_seed_states_match_torch(seed: int) -> None:
    g, tg = pair(seed)
    assert g.initial_seed() == tg.initial_seed()
    assert_same_state(g, tg)
    assert_bits(R.randint(0, 1000, (50,), generator=g),
                torch.randint(0, 1000, (50,), generator=tg))
    assert_same_state(g, tg)


def test_manual_seed_returns_the_generator_and_rejects_bad_seeds() -> None:
    g = R.Generator()
    assert g.manual_seed(3) is g
    with pytest.raises(ValueError, match="outside"):
        g.manual_seed(2**64)
    with pytest.raises(ValueError, match="outside"):
        g.manual_seed(-(2**63) - 1)
    with pytest.raises(RuntimeError, match="expected a long, but got float"):
        g.manual_seed(1.5)  # type: ignore[arg-type]


@requires_torch
def test_module_manual_seed_converts_like_torch() -> None:
    # torch.manual_seed calls int() first: 1.5 seeds 1, "3" seeds 3
    for s in (1.5, "3", 7):
        assert R.manual_seed(s) is R.default_generator
        torch.manual_seed(s)
        assert R.initial_seed() == torch.initial_seed()
        assert_bits(R.get_rng_state(), torch.get_rng_state())


def test_seed_is_fresh_and_reproducible() -> None:
    g = R.Generator()
    s1, s2 = g.seed(), g.seed()
    assert s1 != s2 and 0 <= s1 < 2**64
    assert g.initial_seed() == s2
    a = R.uniform(4, generator=g.manual_seed(s1))
    b = R.uniform(4, generator=R.Generator().manual_seed(s1))
    assert_bits(a, b)


@requires_torch
def test_state_bytes_match_torch_through_a_history_with_a_cached_normal() -> None:
    g, tg = pair(5)
    assert_bits(R.normal(3, generator=g), torch.randn(3, dtype=torch.float64, generator=tg))
    assert_same_state(g, tg)  # an odd count leaves the second Box-Muller value cached
    assert_bits(R.uniform(624, dtype=np.float32, generator=g),
                torch.rand(624, generator=tg))
    assert_same_state(g, tg)
    assert_bits(R.uniform(1, dtype=np.float32, generator=g), torch.rand(1, generator=tg))
    assert_same_state(g, tg)


@requires_torch
def test_state_moves_between_torch_and_tinygrad_edu() -> None:
    g, tg = pair(11)
    R.normal(5, generator=g)
    torch.randn(5, dtype=torch.float64, generator=tg)
    # ours -> torch: torch continues exactly where we stopped (cached normal included)
    t2 = torch.Generator().set_state(torch.from_numpy(g.get_state()))
    assert_bits(R.normal(7, generator=g), torch.randn(7, dtype=torch.float64, generator=t2))
    # torch -> ours
    g2 = R.Generator().set_state(tg.get_state())
    assert g2.initial_seed() == 11
    assert_bits(R.normal(7, generator=g2), torch.randn(7, dtype=torch.float64, generator=tg))
    # a state restores a generator to an earlier point
    saved = g.get_state()
    first = R.normal((4, 5), generator=g)
    g.set_state(saved)
    assert_bits(R.normal((4, 5), generator=g), first)


@requires_torch
def test_rng_state_functions_use_the_default_generator() -> None:
    R.manual_seed(8)
    torch.manual_seed(8)
    R.normal(1)
    torch.randn(1, dtype=torch.float64)
    saved = R.get_rng_state()
    assert_bits(saved, torch.get_rng_state())
    a = R.normal(9)
    R.set_rng_state(saved)
    assert_bits(R.normal(9), a)
    assert_bits(a, torch.randn(9, dtype=torch.float64))


def test_set_state_errors() -> None:
    g = R.Generator()
    with pytest.raises(RuntimeError, match="size 5056 .* size to be 10"):
        g.set_state(np.zeros(10, dtype=np.uint8))
    with pytest.raises(TypeError, match="uint8"):
        g.set_state(np.zeros(5056, dtype=np.float32))
    with pytest.raises(RuntimeError, match="Invalid mt19937 state"):
        g.set_state(np.zeros(5056, dtype=np.uint8))


def test_a_bad_generator_argument_is_named() -> None:
    with pytest.raises(TypeError, match="generator must be a tinygrad_edu Generator"):
        R.uniform(3, generator=np.random.default_rng(0))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- uniform


@requires_torch
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_uniform_matches_torch(seed: int, dtype: Any) -> None:
    bound = 1 / math.sqrt(30)
    for n in SIZES:
        for low, high in [(0.0, 1.0), (-0.37, 1.9), (-bound, bound), (2.0, 2.0)]:
            g, tg = pair(seed + n)
            ours = R.uniform((n,), low, high, dtype=dtype, generator=g)
            theirs = torch.empty(n, dtype=tdtype(dtype)).uniform_(low, high, generator=tg)
            assert_bits(ours, theirs, f"uniform({n}, {low}, {high}, {np.dtype(dtype)})")
            assert_same_state(g, tg)


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_uniform_needs_the_fused_multiply_add(dtype: Any) -> None:
    """The check can fail: low + x*(high-low) with two roundings differs from torch's."""
    g, tg = pair(3)
    theirs = torch.empty(2000, dtype=tdtype(dtype)).uniform_(-0.37, 1.9, generator=tg).numpy()
    x = R.uniform(2000, dtype=dtype, generator=g)
    lo, hi = np.asarray(-0.37, dtype), np.asarray(1.9, dtype)
    two_roundings = (x * (hi - lo) + lo).astype(dtype)
    assert (two_roundings != theirs).any()


@requires_torch
def test_rand_shapes() -> None:
    g, tg = pair(1)
    assert_bits(R.uniform((2, 3, 4), dtype=np.float32, generator=g),
                torch.rand(2, 3, 4, generator=tg))
    assert_bits(R.uniform((), generator=g), torch.rand((), dtype=torch.float64, generator=tg))
    assert_bits(R.uniform((0, 3), generator=g), torch.rand(0, 3, dtype=torch.float64,
                                                            generator=tg))
    assert_same_state(g, tg)


def test_uniform_errors() -> None:
    with pytest.raises(RuntimeError, match=r"\[from, to\) range, but found from=1 > to=0"):
        R.uniform(3, 1.0, 0.0)
    with pytest.raises(RuntimeError, match="out of bounds for float"):
        R.uniform(3, -1e300, 1e300, dtype=np.float32)
    with pytest.raises(RuntimeError, match="exceed the limit"):
        R.uniform(3, -1.7e308, 1.7e308)
    with pytest.raises(RuntimeError, match="negative dimension -1"):
        R.uniform((2, -1))
    with pytest.raises(NotImplementedError, match="int64"):
        R.uniform(3, dtype=np.int64)


# --------------------------------------------------------------------------- normal


@requires_torch
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_normal_matches_torch(seed: int, dtype: Any) -> None:
    for n in SIZES:
        for mean, std in [(0.0, 1.0), (0.0, 0.02), (0.5, 2.0), (-3.0, 0.1)]:
            g, tg = pair(seed + n)
            ours = R.normal((n,), mean, std, dtype=dtype, generator=g)
            theirs = torch.empty(n, dtype=tdtype(dtype)).normal_(mean, std, generator=tg)
            assert_bits(ours, theirs, f"normal({n}, {mean}, {std}, {np.dtype(dtype)})")
            assert_same_state(g, tg)


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_randn_of_many_elements(dtype: Any) -> None:
    """Enough values that a logarithm or sine rounded differently would show."""
    g, tg = pair(2024)
    assert_bits(R.normal((500, 401), dtype=dtype, generator=g),
                torch.randn(500, 401, dtype=tdtype(dtype), generator=tg))


@requires_torch
def test_small_normals_share_the_cached_second_value() -> None:
    g, tg = pair(9)
    steps = [(3, torch.float64), (5, torch.float64), (20, torch.float64), (1, torch.float32),
             (2, torch.float32), (1, torch.float64), (16, torch.float32), (1, torch.float64)]
    for n, tdt in steps:
        dt = np.float32 if tdt == torch.float32 else np.float64
        assert_bits(R.normal(n, dtype=dt, generator=g), torch.randn(n, dtype=tdt, generator=tg),
                    f"randn({n}, {tdt})")
        assert_same_state(g, tg)
    g.manual_seed(9)  # seeding drops the cached value, as in PyTorch
    tg.manual_seed(9)
    assert_same_state(g, tg)


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_normal_with_array_mean_and_std(dtype: Any) -> None:
    rng = np.random.default_rng(0)
    mean = rng.normal(size=(4, 5)).astype(dtype)
    std = rng.uniform(0.1, 2.0, size=(5,)).astype(dtype)
    tmean, tstd = torch.from_numpy(mean), torch.from_numpy(std)
    cases: list[tuple[Any, Any, Any, Any]] = [
        (mean, std, tmean, tstd), (mean, 0.3, tmean, 0.3), (1.5, std, 1.5, tstd)]
    for m, s, tm, ts in cases:
        g, tg = pair(4)
        assert_bits(R.normal(None, m, s, generator=g), torch.normal(tm, ts, generator=tg),
                    f"normal(mean {np.shape(m)}, std {np.shape(s)})")


def test_normal_errors() -> None:
    with pytest.raises(RuntimeError, match="std >= 0.0, but found std -1"):
        R.normal(3, 0.0, -1.0)
    with pytest.raises(RuntimeError, match="std >= 0.0"):
        R.normal(None, np.zeros(3), np.array([1.0, -1.0, 1.0]))
    with pytest.raises(RuntimeError, match="do not broadcast"):
        R.normal(None, np.zeros(3), np.ones(4))
    with pytest.raises(TypeError, match="give a shape"):
        R.normal(None)
    with pytest.raises(NotImplementedError, match="int64"):
        R.normal(3, dtype=np.int64)


# --------------------------------------------------------------------------- integers


@requires_torch
@pytest.mark.parametrize("seed", SEEDS)
def test_randint_matches_torch(seed: int) -> None:
    spans = [(0, 10), (-3, 24), (0, 2**28 - 1), (0, 2**28), (5, 2**31), (-(2**40), 2**40),
             (0, 2**62)]
    for n in SIZES:
        for low, high in spans:
            g, tg = pair(seed)
            assert_bits(R.randint(low, high, (n,), generator=g),
                        torch.randint(low, high, (n,), generator=tg), f"randint({low}, {high})")
            assert_same_state(g, tg)


@requires_torch
@pytest.mark.parametrize("dtype", [np.int32, np.int16, np.uint8, np.float32, np.float64])
def test_randint_dtypes(dtype: Any) -> None:
    g, tg = pair(6)
    assert_bits(R.randint(3, 103, (4, 25), generator=g, dtype=dtype),
                torch.randint(3, 103, (4, 25), generator=tg, dtype=tdtype(dtype)))


def test_randint_errors() -> None:
    with pytest.raises(RuntimeError, match="'from' to be less than 'to', but got from=5 >= to=5"):
        R.randint(5, 5, (3,))
    with pytest.raises(RuntimeError, match="out of bounds for int8"):
        R.randint(0, 1000, (3,), dtype=np.int8)


@requires_torch
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int16, np.uint8, np.bool_,
                                   np.float32, np.float64])
def test_random_without_bounds(dtype: Any) -> None:
    g, tg = pair(0)
    assert_bits(R.random((300,), dtype=dtype, generator=g),
                torch.empty(300, dtype=tdtype(dtype)).random_(generator=tg))
    assert_same_state(g, tg)


@requires_torch
@pytest.mark.parametrize("n", [0, 1, 2, 7, 16, 17, 100, 1000, 70000])
def test_randperm_matches_torch(n: int) -> None:
    for seed in SEEDS:
        g, tg = pair(seed)
        assert_bits(R.randperm(n, generator=g), torch.randperm(n, generator=tg), f"randperm({n})")
        assert_same_state(g, tg)


def test_randperm_errors_and_dtype() -> None:
    with pytest.raises(RuntimeError, match="negative dimension -1"):
        R.randperm(-1)
    assert R.randperm(5, dtype=np.int32).dtype == np.int32
    assert sorted(R.randperm(50).tolist()) == list(range(50))


# --------------------------------------------------------------------------- discrete draws


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("replacement", [False, True])
def test_multinomial_matches_torch(dtype: Any, replacement: bool) -> None:
    for k, n_samples in [(2, 1), (5, 3), (27, 1), (27, 20), (1000, 50)]:
        if not replacement and n_samples > k:
            continue
        probs = torch.rand(3, k, dtype=tdtype(dtype), generator=torch.Generator().manual_seed(k))
        probs[:, 1] = 0  # a category that is never drawn
        for seed in SEEDS:
            g, tg = pair(seed)
            assert_bits(R.multinomial(probs.numpy(), n_samples, replacement, generator=g),
                        torch.multinomial(probs, n_samples, replacement, generator=tg),
                        f"multinomial(3x{k}, {n_samples}, {replacement})")
            assert_bits(R.multinomial(probs[0].numpy(), n_samples, replacement, generator=g),
                        torch.multinomial(probs[0], n_samples, replacement, generator=tg),
                        f"multinomial({k}, {n_samples}, {replacement})")
            assert_same_state(g, tg)


@requires_torch
def test_multinomial_with_replacement_many_samples() -> None:
    probs = torch.tensor([0.1, 0.0, 0.6, 0.3], dtype=torch.float64)
    g, tg = pair(1)
    assert_bits(R.multinomial(probs.numpy(), 5000, True, generator=g),
                torch.multinomial(probs, 5000, True, generator=tg))


@requires_torch
def test_multinomial_errors_match_torch() -> None:
    f = torch.tensor
    cases = [
        (f([1.0, 2.0]), 3, False),
        (f([1, 2]), 1, False),
        (f([1.0, 2.0]), 0, False),
        (f(1.0), 1, False),
        (f([0.0, 0.0]), 1, False),
        (f([0.0, -1.0]), 1, False),
        (f([0.0, 0.0]), 2, True),
        (f([1.0, -1.0]), 2, True),
        (f([1.0, math.inf]), 2, True),
        (f([1.0, math.nan]), 2, True),
    ]
    for probs, n, repl in cases:
        with pytest.raises(RuntimeError) as theirs:
            torch.multinomial(probs, n, repl)
        expected = str(theirs.value).splitlines()[0].split(", got")[0]
        with pytest.raises(RuntimeError) as ours:
            R.multinomial(probs.numpy(), n, repl)
        assert str(ours.value).startswith(expected), (str(ours.value), expected)


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_bernoulli_matches_torch(dtype: Any) -> None:
    for n in SIZES:
        g, tg = pair(n)
        assert_bits(R.bernoulli(0.3, g, shape=(n,), dtype=dtype),
                    torch.empty(n, dtype=tdtype(dtype)).bernoulli_(0.3, generator=tg))
        p = torch.rand(n, 3, dtype=tdtype(dtype), generator=torch.Generator().manual_seed(n))
        assert_bits(R.bernoulli(p.numpy(), g), torch.bernoulli(p, generator=tg))
        assert_bits(R.bernoulli(p[0].numpy(), g, shape=(n, 3)),
                    torch.empty(n, 3, dtype=tdtype(dtype)).bernoulli_(p[0], generator=tg))
        assert_same_state(g, tg)


@requires_torch
def test_bernoulli_gives_torchs_dropout_mask() -> None:
    """F.dropout on the CPU draws ``empty_like(x).bernoulli_(1 - p)`` from the default stream."""
    x = torch.ones(8, 40, dtype=torch.float64)
    torch.manual_seed(13)
    kept = torch.nn.functional.dropout(x, 0.25, training=True).numpy() != 0
    R.manual_seed(13)
    assert_bits(R.bernoulli(0.75, shape=(8, 40), dtype=np.bool_), kept)


def test_bernoulli_errors() -> None:
    with pytest.raises(RuntimeError, match=r"expects p to be in \[0, 1\], but got p=1.5"):
        R.bernoulli(1.5, shape=(3,))
    with pytest.raises(RuntimeError, match=r"in \[0, 1\]"):
        R.bernoulli(np.array([0.5, 1.5]))
    with pytest.raises(TypeError, match="give a shape"):
        R.bernoulli(0.5)


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_exponential_and_geometric_match_torch(dtype: Any) -> None:
    for n in SIZES:
        g, tg = pair(n)
        assert_bits(R.exponential((n,), 2.5, dtype=dtype, generator=g),
                    torch.empty(n, dtype=tdtype(dtype)).exponential_(2.5, generator=tg))
        assert_bits(R.geometric((n,), 0.2, dtype=dtype, generator=g),
                    torch.empty(n, dtype=tdtype(dtype)).geometric_(0.2, generator=tg))
        assert_same_state(g, tg)


def test_exponential_and_geometric_errors() -> None:
    with pytest.raises(RuntimeError, match="lambda > 0.0, but found lambda=0"):
        R.exponential(3, 0.0)
    with pytest.raises(RuntimeError, match=r"p to be in \(0, 1\), but got p=0"):
        R.geometric(3, 0.0)


# --------------------------------------------------------------------------- mixed sequences


@requires_torch
@pytest.mark.parametrize("seed", [42, 2147483647])
def test_a_mixed_program_on_the_default_generator(seed: int) -> None:
    """makemore's order of calls: every step consumes the stream as PyTorch does."""
    R.manual_seed(seed)
    torch.manual_seed(seed)
    d64 = torch.float64
    p = torch.softmax(torch.randn(27, dtype=d64, generator=torch.Generator().manual_seed(1)), 0)
    steps = [
        (lambda: R.normal((27, 10)), lambda: torch.randn(27, 10, dtype=d64)),
        (lambda: R.randint(0, 228146, (32,)), lambda: torch.randint(0, 228146, (32,))),
        (lambda: R.multinomial(p.numpy(), 1, True), lambda: torch.multinomial(p, 1, True)),
        (lambda: R.normal(3, dtype=np.float32), lambda: torch.randn(3)),
        (lambda: R.randperm(10), lambda: torch.randperm(10)),
        (lambda: R.uniform(5, dtype=np.float32), lambda: torch.rand(5)),
        (lambda: R.normal(1), lambda: torch.randn(1, dtype=d64)),
        (lambda: R.normal((30, 200), 0.0, 0.02, dtype=np.float32),
         lambda: torch.empty(30, 200).normal_(0.0, 0.02)),
        (lambda: R.multinomial(p.numpy(), 5), lambda: torch.multinomial(p, 5)),
        (lambda: R.bernoulli(0.9, shape=(33,)), lambda: torch.empty(33, dtype=d64).bernoulli_(0.9)),
        (lambda: R.uniform((7, 3), -0.5, 0.5),
         lambda: torch.empty(7, 3, dtype=d64).uniform_(-0.5, 0.5)),
    ]
    for i, (ours, theirs) in enumerate(steps):
        assert_bits(ours(), theirs(), f"step {i}")
        assert_bits(R.get_rng_state(), torch.get_rng_state(), f"state after step {i}")


# --------------------------------------------------------------------------- exact arithmetic


def _round32(x: Fraction) -> np.float32:
    """The float32 nearest to x (ties to even), by exact comparison."""
    r = np.float32(float(x))
    best = r
    for cand in (np.nextafter(r, np.float32(-np.inf)), r, np.nextafter(r, np.float32(np.inf))):
        d_c, d_b = abs(Fraction(float(cand)) - x), abs(Fraction(float(best)) - x)
        if d_c < d_b or (d_c == d_b and int(cand.view(np.uint32)) % 2 == 0):
            best = cand
    return best


def _hard_cases(rng: pyrandom.Random, eps: float, n: int) -> list[tuple[float, float, float]]:
    """a*b + c near halfway points: (1 + i eps)(1 + j eps) + k eps/2, and random ones."""
    cases = []
    for _ in range(n):
        i, j, k = rng.randint(-4, 4), rng.randint(-4, 4), rng.randint(-6, 6)
        cases.append((1 + i * eps, 1 + j * eps, k * eps / 2 + rng.choice([0.0, eps * eps / 4])))
        a, b = rng.uniform(-3, 3), rng.uniform(-3, 3)
        cases.append((a, b, rng.choice([-a * b, rng.uniform(-3, 3), 0.0])))
    return cases


def test_fma64_is_rounded_once() -> None:
    rng = pyrandom.Random(0)
    cases = _hard_cases(rng, 2.0**-52, 2000)
    a, b, c = (np.array(col) for col in zip(*cases, strict=True))
    ours = R._fma64(a, b, c)
    exact = [float(Fraction(x) * Fraction(y) + Fraction(z)) for x, y, z in cases]
    assert_bits(ours, np.array(exact), "fma64")
    assert (a * b + c != np.array(exact)).any()  # the cases can tell one rounding from two


def test_fma32_is_rounded_once() -> None:
    rng = pyrandom.Random(1)
    cases = [(np.float32(x), np.float32(y), np.float32(z))
             for x, y, z in _hard_cases(rng, 2.0**-23, 2000)]
    a, b, c = (np.array(col, dtype=np.float32) for col in zip(*cases, strict=True))
    ours = R._fma32(a, b, c)
    exact = [_round32(Fraction(float(x)) * Fraction(float(y)) + Fraction(float(z)))
             for x, y, z in cases]
    assert_bits(ours, np.array(exact, dtype=np.float32), "fma32")
    assert (a * b + c != np.array(exact, dtype=np.float32)).any()


# --------------------------------------------------------------------------- the program's default
# A PyTorch program runs in float32 unless it sets a default dtype; tinygrad_edu computes in
# float64 but draws a float64 tensor's numbers from PyTorch's float32 stream until then, so the
# program prints PyTorch's numbers (widened exactly to float64).


@pytest.mark.parametrize("size", [(3,), (20,), (27, 27)])
def test_default_draws_follow_pytorchs_float32_stream(size):
    import tinygrad_edu as tt

    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)
    try:
        g, tg = tt.Generator().manual_seed(2147483647), torch.Generator().manual_seed(2147483647)
        for _ in range(2):  # the stream stays in step
            got = tt.randn(size, generator=g)
            want = torch.randn(size, generator=tg)
            assert got.dtype == np.float64
            np.testing.assert_array_equal(got.data, want.numpy().astype(np.float64))
            got_u = tt.rand(size, generator=g)
            np.testing.assert_array_equal(got_u.data, torch.rand(size, generator=tg).numpy())
        tt.manual_seed(0)
        torch.manual_seed(0)
        w = tt.empty(size).uniform_(-0.5, 0.5)
        np.testing.assert_array_equal(w.data, torch.empty(size).uniform_(-0.5, 0.5).numpy())
        w.normal_(0.0, 0.02)
        np.testing.assert_array_equal(w.data, torch.empty(size).normal_(0.0, 0.02).numpy())
    finally:
        torch.set_default_dtype(previous)


def test_set_default_dtype_float64_switches_to_the_float64_stream():
    import tinygrad_edu as tt

    tt.set_default_dtype(tt.float64)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        tt.manual_seed(5)
        torch.manual_seed(5)
        np.testing.assert_array_equal(tt.randn(40).data, torch.randn(40).numpy())
        np.testing.assert_array_equal(tt.rand(7).data, torch.rand(7).numpy())
    finally:
        torch.set_default_dtype(previous)


def test_an_asked_for_dtype_draws_its_own_stream():
    import tinygrad_edu as tt

    tt.manual_seed(1)
    torch.manual_seed(1)
    np.testing.assert_array_equal(tt.randn(17, dtype=tt.float64).data,
                                  torch.randn(17, dtype=torch.float64).numpy())
    np.testing.assert_array_equal(tt.randn(17, dtype=tt.float32).data,
                                  torch.randn(17, dtype=torch.float32).numpy())
