"""PyTorch's CPU random numbers, bit for bit.

A learner's program that calls ``torch.manual_seed(42)`` and then ``torch.randn(...)``,
``torch.randint``, ``torch.randperm``, ``torch.multinomial``, ``w.uniform_(...)``,
``w.normal_(...)`` or draws a dropout mask prints the same numbers with tinygrad_edu, because this
module reproduces PyTorch's CPU generator and the transforms built on it:

- the engine is the 32-bit Mersenne Twister (mt19937) seeded with the classic ``init_genrand``
  from the low 32 bits of the seed; a 64-bit draw is two 32-bit draws, the first one high;
- a float64 uniform takes the low 53 bits of a 64-bit draw, a float32 uniform the low 24 bits
  of one 32-bit draw (so float32 and float64 draws differ and consume the stream differently);
- ``low + x * (high - low)`` and ``mean + z * std`` are computed as PyTorch's compiled kernels
  compute them: as one fused multiply-add (rounded once), in the tensor's precision;
- a normal tensor of at least 16 elements is filled by Box-Muller on blocks of 16 uniforms
  (for float32, with the AVX2 polynomials of PyTorch's ``avx_mathfun.h``); a smaller one draws
  pairs one element at a time and keeps the second value of a pair for the next call, as
  PyTorch's generator does (``manual_seed`` and ``set_state`` reset or restore that value).

The functions work on NumPy arrays; the torch namespace and the tensor methods wrap them.
``generator=None`` means :data:`default_generator`. The engine runs in NumPy
(``np.random.MT19937``, whose raw 32-bit output is the same Mersenne Twister); the logarithms,
sines and cosines of the float64 transforms go through Python's ``math`` module, which calls the
C library that PyTorch calls, because NumPy's own vectorised ``log`` rounds differently in the
last bit now and then.

Where PyTorch itself differs between machines, this module follows the x86-64 build on a CPU
with AVX2 (any Intel or AMD CPU of the last decade). The documented differences:

- float32 ``normal`` with 16 elements or more: PyTorch on a CPU without AVX2 (and on ARM, e.g.
  Apple silicon) uses ``logf``/``cosf``/``sinf`` instead, so its last bits differ there;
- ``bernoulli`` with a scalar ``p`` (``x.bernoulli_(0.5)``, dropout masks): PyTorch builds with
  MKL may draw these from MKL's own stream on Intel CPUs; this module follows the default
  kernel (the one PyTorch 2.13 uses on this AMD test machine), one float64 uniform per element.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "set_program_default",
    "stream_dtype",
    "Generator",
    "default_generator",
    "DEFAULT_SEED",
    "manual_seed",
    "seed",
    "initial_seed",
    "get_rng_state",
    "set_rng_state",
    "uniform",
    "normal",
    "randint",
    "random",
    "randperm",
    "multinomial",
    "bernoulli",
    "exponential",
    "geometric",
]

#: The seed of a new ``Generator()`` (PyTorch's ``default_rng_seed_val``).
DEFAULT_SEED = 67280421310721

_MT_N = 624  # words of Mersenne Twister state
_U32 = np.uint64(0xFFFFFFFF)
_MASK53 = np.uint64((1 << 53) - 1)
_MASK24 = np.uint64((1 << 24) - 1)
_TWO_PI = 2.0 * math.pi
_F32 = np.float32

# The bytes of PyTorch's ``CPUGeneratorImplState`` (what ``get_rng_state()`` returns), so that a
# state moves between tinygrad_edu and PyTorch unchanged.
_STATE_DTYPE = np.dtype({
    "names": ["initial_seed", "left", "seeded", "next", "state", "normal_x", "normal_y",
              "normal_rho", "normal_is_valid", "float_normal", "float_normal_is_valid"],
    "formats": ["<u8", "<i4", "<i4", "<u8", ("<u8", (_MT_N,)), "<f8", "<f8", "<f8", "<i4",
                "<f4", "u1"],
    "offsets": [0, 8, 12, 16, 24, 5016, 5024, 5032, 5040, 5048, 5052],
    "itemsize": 5056,
})
_STATE_SIZE = _STATE_DTYPE.itemsize

Shape = int | Sequence[int]


# --------------------------------------------------------------------------- which stream
# A PyTorch program computes in float32 unless it calls ``torch.set_default_dtype``; tinygrad_edu
# computes in float64. A float32 draw consumes the stream differently from a float64 one, so to
# print the program's numbers a draw for a tensor of tinygrad_edu's default float64 follows
# PyTorch's float32 stream (and is then widened, exactly) until the program chooses a default
# dtype itself. (A tensor explicitly made float64 in such a program is the one case this rule
# gets wrong.)

_program_default = np.dtype(np.float32)


def set_program_default(dtype: Any) -> None:
    """Record the default dtype a program chose (``torch.set_default_dtype`` calls this)."""
    global _program_default
    _program_default = np.dtype(dtype)


def stream_dtype(dtype: Any) -> np.dtype:
    """The dtype whose stream a draw for a tensor of ``dtype`` follows (see above)."""
    d = np.dtype(dtype)
    if d == np.float64 and _program_default == np.float32:
        return np.dtype(np.float32)
    return d


# --------------------------------------------------------------------------- the generator


def _check_device(device: Any) -> None:
    name = getattr(device, "type", device)
    if not isinstance(name, str) or name.partition(":")[0] != "cpu":
        raise RuntimeError(
            f"Generator(device={device!r}): tinygrad_edu computes on the CPU with NumPy; "
            "the only device is 'cpu'"
        )


def _seed_value(seed: Any, what: str = "manual_seed") -> int:
    if isinstance(seed, float | str) or not isinstance(seed, int | np.integer):
        raise RuntimeError(f"{what} expected a long, but got {type(seed).__name__}")
    value = int(seed)
    if not -(1 << 63) <= value < (1 << 64):
        raise ValueError(
            f"{what}: seed {value} is outside [-2**63, 2**64 - 1] "
            "(PyTorch: Overflow when unpacking long long)"
        )
    return value % (1 << 64)  # negative seeds wrap as PyTorch's two's complement does


def _init_genrand(seed32: int) -> np.ndarray:
    """The classic mt19937 ``init_genrand`` state for a 32-bit seed."""
    key = [0] * _MT_N
    key[0] = x = seed32
    for i in range(1, _MT_N):
        x = (1812433253 * (x ^ (x >> 30)) + i) & 0xFFFFFFFF
        key[i] = x
    return np.array(key, dtype=np.uint32)


class Generator:
    """PyTorch's CPU ``torch.Generator``: an mt19937 stream with PyTorch's seeding and state.

    ``Generator()`` starts from seed 67280421310721 as PyTorch's does;
    ``Generator().manual_seed(2147483647)`` gives makemore's stream. Pass it as ``generator=`` to
    the functions of this module (and to ``torch.randn(..., generator=g)`` and friends).
    """

    def __init__(self, device: Any = "cpu") -> None:
        _check_device(device)
        self._mt = np.random.MT19937(0)
        self._reseed(DEFAULT_SEED)

    def _reseed(self, seed: int) -> None:
        self._initial_seed = seed
        self._set_engine(_init_genrand(seed & 0xFFFFFFFF), pos=_MT_N, torch_next=0)
        self._next_double_normal: float | None = None
        self._next_float_normal: float | None = None

    def _set_engine(self, key: np.ndarray, pos: int, torch_next: int | None) -> None:
        self._mt.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}
        # PyTorch's engine keeps a read index that NumPy's does not when a block of state is
        # used up (0 right after seeding, 624 after 624 draws); remember it until the next draw.
        self._torch_next = torch_next

    def manual_seed(self, seed: int) -> Generator:
        """Seed the stream (only the low 32 bits reach mt19937, as in PyTorch); returns self."""
        self._reseed(_seed_value(seed))
        return self

    def seed(self) -> int:
        """Seed from the operating system's entropy and return the seed used."""
        value = secrets.randbits(64)
        self._reseed(value)
        return value

    def initial_seed(self) -> int:
        """The seed given to the last ``manual_seed``/``seed`` (or read by ``set_state``)."""
        return self._initial_seed

    @property
    def device(self) -> Any:
        """The device of the generator: always the CPU."""
        from .tensor_methods import device  # imported late: tensor_methods imports this module

        return device("cpu")

    def get_state(self) -> np.ndarray:
        """The state as 5056 bytes (``uint8``), laid out as PyTorch's ``get_rng_state()``.

        The bytes equal PyTorch's for the same history, so ``torch.Generator().set_state(
        torch.from_numpy(state))`` continues the same stream in PyTorch, and back.
        """
        st = self._mt.state["state"]
        pos = int(st["pos"])
        rec = np.zeros((), dtype=_STATE_DTYPE)
        rec["initial_seed"] = self._initial_seed
        rec["left"] = _MT_N + 1 - pos
        rec["seeded"] = 1
        rec["next"] = pos if self._torch_next is None else self._torch_next
        rec["state"] = np.asarray(st["key"], dtype=np.uint64)
        if self._next_double_normal is not None:
            rec["normal_is_valid"] = 1
            rec["normal_y"] = self._next_double_normal
        if self._next_float_normal is not None:
            rec["float_normal_is_valid"] = 1
            rec["float_normal"] = self._next_float_normal
        return np.frombuffer(rec.tobytes(), dtype=np.uint8).copy()

    def set_state(self, new_state: Any) -> Generator:
        """Restore a state from :meth:`get_state` or PyTorch's ``get_rng_state()``; returns self."""
        if hasattr(new_state, "numpy") and not isinstance(new_state, np.ndarray):
            new_state = new_state.numpy()
        arr = np.asarray(new_state)
        if arr.dtype != np.uint8:
            raise TypeError(f"RNG state must be a uint8 (byte) array, got dtype {arr.dtype}")
        if arr.size != _STATE_SIZE:
            raise RuntimeError(
                f"Expected a CPUGeneratorImplState of size {_STATE_SIZE} but found the input "
                f"RNG state size to be {arr.size}"
            )
        rec = np.frombuffer(np.ascontiguousarray(arr).tobytes(), dtype=_STATE_DTYPE)[0]
        left, nxt = int(rec["left"]), int(rec["next"])
        if not (rec["seeded"] and 1 <= left <= _MT_N and nxt <= _MT_N):
            raise RuntimeError("Invalid mt19937 state")
        pos = _MT_N + 1 - left
        if left > 1 and nxt != pos:  # PyTorch never writes this; NumPy's engine cannot hold it
            raise RuntimeError(
                f"Invalid mt19937 state: read index {nxt} does not match {left} words left"
            )
        key = (np.asarray(rec["state"], dtype=np.uint64) & _U32).astype(np.uint32)
        self._set_engine(key, pos, nxt if left == 1 else None)
        self._initial_seed = int(rec["initial_seed"])
        self._next_double_normal = float(rec["normal_y"]) if rec["normal_is_valid"] else None
        self._next_float_normal = (
            float(rec["float_normal"]) if rec["float_normal_is_valid"] else None
        )
        return self

    # The raw draws. Every function below takes its numbers from these, in PyTorch's order.

    def _bits32(self, n: int) -> np.ndarray:
        """``n`` 32-bit draws (as uint64)."""
        if n <= 0:
            return np.zeros(0, dtype=np.uint64)
        self._torch_next = None
        return self._mt.random_raw(n)

    def _bits64(self, n: int) -> np.ndarray:
        """``n`` 64-bit draws, each made of two 32-bit draws, the first one high."""
        r = self._bits32(2 * n)
        return (r[0::2] << np.uint64(32)) | r[1::2]

    def _doubles(self, n: int) -> np.ndarray:
        """``n`` float64 uniforms in [0, 1): the low 53 bits of a 64-bit draw."""
        return (self._bits64(n) & _MASK53).astype(np.float64) * (1.0 / (1 << 53))

    def _floats(self, n: int) -> np.ndarray:
        """``n`` float32 uniforms in [0, 1): the low 24 bits of a 32-bit draw."""
        return (self._bits32(n) & _MASK24).astype(np.float32) * _F32(1.0 / (1 << 24))


def _gen(generator: Generator | None) -> Generator:
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(
            f"generator must be a tinygrad_edu Generator (or None), got {type(generator).__name__}"
        )
    return generator


#: The generator used when ``generator=None``. Seeded from the operating system at import, as
#: PyTorch's default CPU generator is; ``manual_seed`` makes it reproducible.
default_generator = Generator()
default_generator.seed()


def manual_seed(seed: Any) -> Generator:
    """``torch.manual_seed``: seed the default generator (``int(seed)`` first) and return it."""
    return default_generator.manual_seed(_seed_value(int(seed)))


def seed() -> int:
    """``torch.seed``: seed the default generator non-deterministically; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """``torch.initial_seed``: the default generator's seed."""
    return default_generator.initial_seed()


def get_rng_state() -> np.ndarray:
    """``torch.get_rng_state``: the default generator's state (5056 ``uint8``)."""
    return default_generator.get_state()


def set_rng_state(new_state: Any) -> None:
    """``torch.set_rng_state``: restore the default generator's state."""
    default_generator.set_state(new_state)


# --------------------------------------------------------------------------- exact arithmetic


def _libm(fn: Any, x: np.ndarray) -> np.ndarray:
    """Apply a ``math`` function elementwise: the C library's rounding, as PyTorch gets it."""
    flat = np.fromiter(map(fn, x.ravel().tolist()), dtype=np.float64, count=x.size)
    return flat.reshape(x.shape)


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    c = 134217729.0 * a  # 2**27 + 1: Veltkamp's split into two 26-bit halves
    hi = c - (c - a)
    return hi, a - hi


def _fma64(a: Any, b: Any, c: Any) -> np.ndarray:
    """``a * b + c`` rounded once to float64, as the fused multiply-add of compiled C++.

    Boldo and Melquiond's emulation: the exact product and sum as pairs of doubles, the low
    parts added with rounding to odd, and one final rounding to nearest.
    """
    a, b, c = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(b, np.float64),
                                  np.asarray(c, np.float64))
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    p_err = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    th, tl = _two_sum(c, p)
    s, e = _two_sum(tl, p_err)
    even = (s.view(np.int64) & 1) == 0
    s = np.where((e != 0) & even, np.nextafter(s, np.where(e > 0, np.inf, -np.inf)), s)
    return th + s


def _mul_add64(a: np.ndarray, b: float, c: float) -> np.ndarray:
    """``_fma64`` with a number ``b`` and ``c``; a zero ``c`` needs no emulation."""
    if c == 0.0:  # a*b + (+-0) rounds once, as the fused operation does
        return a * b + c
    return _fma64(a, b, c)


def _fma32(a: Any, b: Any, c: Any) -> np.ndarray:
    """``a * b + c`` rounded once to float32 (the AVX2 ``vfmadd`` of PyTorch's float kernels)."""
    p = np.asarray(a, np.float32).astype(np.float64) * np.asarray(b, np.float32)  # exact
    s, err = _two_sum(p, np.asarray(c, np.float32).astype(np.float64))
    r = s.astype(np.float32)
    # r is the nearest float32 to the exact sum unless s fell exactly halfway between two
    # float32 values while the true sum lies to one side: then step towards the true sum.
    diff = s - r
    toward = np.nextafter(r, np.where(diff > 0, _F32(np.inf), _F32(-np.inf)))
    half = (toward.astype(np.float64) - r) / 2
    fix = (diff != 0) & (diff == half) & (err != 0) & ((err > 0) == (diff > 0))
    return np.where(fix, toward, r)


# --------------------------------------------------------------------------- argument checks


def _shape(shape: Shape) -> tuple[int, ...]:
    dims = (shape,) if isinstance(shape, int | np.integer) else tuple(shape)
    out = tuple(int(d) for d in dims)
    if any(d < 0 for d in out):
        bad = next(d for d in out if d < 0)
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {bad}: {list(out)}"
        )
    return out


def _float_dtype(dtype: Any, op: str) -> np.dtype:
    dt = np.dtype(dtype)
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise NotImplementedError(
            f"{op}: dtype {dt} is not supported; random floats are float32 or float64"
        )
    return dt


# --------------------------------------------------------------------------- uniform


def uniform(
    shape: Shape,
    low: float = 0.0,
    high: float = 1.0,
    dtype: Any = np.float64,
    generator: Generator | None = None,
) -> np.ndarray:
    """``torch.rand`` / ``Tensor.uniform_(low, high)``: samples from U[low, high).

    float64: one 64-bit draw per element; float32: one 32-bit draw per element.
    """
    dims = _shape(shape)
    dt = _float_dtype(dtype, "uniform_")
    low, high = float(low), float(high)
    if dt == np.float32:
        limit = float(np.finfo(np.float32).max)
        for name, v in (("from", low), ("to", high)):
            if not -limit <= v <= limit:
                raise RuntimeError(f"uniform_: {name} is out of bounds for float, got {v}")
    if not low <= high:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={low:g} > to={high:g}"
        )
    if not high - low <= float(np.finfo(dt).max):
        raise RuntimeError(
            f"uniform_ expects to-from <= {np.finfo(dt).max}, but found to={high:g} and "
            f"from={low:g} which result in to-from to exceed the limit"
        )
    g = _gen(generator)
    n = math.prod(dims)
    if dt == np.float32:
        lo32, hi32 = _F32(low), _F32(high)
        x32 = g._floats(n)
        out = x32 if (lo32, hi32) == (0, 1) else _fma32(x32, hi32 - lo32, lo32)
    else:
        x = g._doubles(n)
        out = _mul_add64(x, high - low, low)
    return np.asarray(out, dtype=dt).reshape(dims)


# --------------------------------------------------------------------------- normal


def _box_muller_blocks64(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """PyTorch's ``normal_fill_16`` on rows of 16 float64 uniforms."""
    u1 = 1.0 - u[:, :8]  # [0, 1) -> (0, 1] for the logarithm
    u2 = u[:, 8:]
    radius = np.sqrt(-2.0 * _libm(math.log, u1))
    theta = _TWO_PI * u2
    first = _mul_add64(radius * _libm(math.cos, theta), std, mean)
    second = _mul_add64(radius * _libm(math.sin, theta), std, mean)
    return np.concatenate([first, second], axis=1)


def _avx_log(x: np.ndarray) -> np.ndarray:
    """``log256_ps`` of PyTorch's ``avx_mathfun.h`` (Cephes' logf), operation by operation.

    PyTorch's compiler fuses a multiply followed by an add into one FMA; so does this.
    """
    invalid = x <= 0
    x = np.maximum(x, _F32(1.17549435e-38))
    bits = x.view(np.int32)
    e = ((bits >> 23) - 0x7F).astype(np.float32) + _F32(1)
    x = ((bits & ~0x7F800000) | _F32(0.5).view(np.int32)).view(np.float32)  # mantissa in [.5, 1)
    small = x < _F32(0.707106781186547524)
    tmp = np.where(small, x, _F32(0))
    x = x - _F32(1)
    e = e - np.where(small, _F32(1), _F32(0))
    x = x + tmp
    z = x * x
    y = np.full_like(x, _F32(7.0376836292e-2))
    for coef in (-1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
                 -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1):
        y = _fma32(y, x, _F32(coef))
    y = _fma32(y * x, z, e * _F32(-2.12194440e-4))
    y = y - z * _F32(0.5)
    x = _fma32(e, _F32(0.693359375), x + y)
    return np.where(invalid, _F32(np.nan), x)


def _avx_sincos(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``sincos256_ps`` of PyTorch's ``avx_mathfun.h`` (Cephes' sinf/cosf), with fused FMAs."""
    sign_sin = x.view(np.uint32) & np.uint32(0x80000000)
    x = np.abs(x)
    j = (x * _F32(1.27323954473516)).astype(np.int32)  # scale by 4/pi, truncate
    j = (j + 1) & ~1
    y = j.astype(np.float32)
    swap_sin = ((j & 4) << 29).astype(np.uint32)
    use_cos_poly = (j & 2) == 0
    for dp in (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8):
        x = _fma32(y, _F32(dp), x)  # x - j*pi/4 in three parts ("extended precision")
    sign_cos = ((~(j - 2) & 4) << 29).astype(np.uint32)
    sign_sin = sign_sin ^ swap_sin
    z = x * x
    yc = np.full_like(x, _F32(2.443315711809948e-5))
    for coef in (-1.388731625493765e-3, 4.166664568298827e-2):
        yc = _fma32(yc, z, _F32(coef))
    yc = _fma32(yc * z, z, -(z * _F32(0.5)))
    yc = yc + _F32(1)
    ys = np.full_like(x, _F32(-1.9515295891e-4))
    for coef in (8.3321608736e-3, -1.6666654611e-1):
        ys = _fma32(ys, z, _F32(coef))
    ys = _fma32(ys * z, x, x)
    # the select of the C code is arithmetic (and/andnot, then add and subtract): kept so
    # that the signs of zeros come out the same
    ysin2 = np.where(use_cos_poly, ys, _F32(0))
    ysin1 = np.where(use_cos_poly, _F32(0), yc)
    s = ysin1 + ysin2
    c = (yc - ysin1) + (ys - ysin2)
    return ((s.view(np.uint32) ^ sign_sin).view(np.float32),
            (c.view(np.uint32) ^ sign_cos).view(np.float32))


def _box_muller_blocks32(u: np.ndarray, mean: np.float32, std: np.float32) -> np.ndarray:
    """PyTorch's ``normal_fill_16_AVX2`` on rows of 16 float32 uniforms."""
    u1 = _F32(1) - u[:, :8]
    u2 = u[:, 8:]
    radius = np.sqrt(_F32(-2) * _avx_log(u1))
    sin, cos = _avx_sincos(_F32(_TWO_PI) * u2)
    first, second = radius * cos, radius * sin
    if mean == 0:  # a*b + (+-0) rounds once, as the fused operation does
        return np.concatenate([first * std + mean, second * std + mean], axis=1)
    first = _fma32(first, std, mean)
    second = _fma32(second, std, mean)
    return np.concatenate([first, second], axis=1)


def _normal_fill(g: Generator, n: int, mean: float, std: float, dt: np.dtype) -> np.ndarray:
    """A tensor of ``n >= 16`` normals: uniforms for every element, then blocks of 16.

    When ``n`` is not a multiple of 16, the last 16 elements are drawn again and recomputed.
    """
    if dt == np.float32:
        m32, s32 = _F32(mean), _F32(std)
        data = g._floats(n)
        full = n - n % 16
        data[:full] = _box_muller_blocks32(data[:full].reshape(-1, 16), m32, s32).ravel()
        if n % 16:
            data[n - 16:] = _box_muller_blocks32(g._floats(16).reshape(1, 16), m32, s32)[0]
        return data
    data64 = g._doubles(n)
    full = n - n % 16
    data64[:full] = _box_muller_blocks64(data64[:full].reshape(-1, 16), mean, std).ravel()
    if n % 16:
        data64[n - 16:] = _box_muller_blocks64(g._doubles(16).reshape(1, 16), mean, std)[0]
    return data64


def _normal_serial(g: Generator, n: int) -> np.ndarray:
    """``n < 16`` standard normals one at a time, with the generator's cached second value."""
    out = np.empty(n, dtype=np.float64)
    for i in range(n):
        if g._next_double_normal is not None:
            out[i] = g._next_double_normal
            g._next_double_normal = None
            continue
        u1, u2 = g._doubles(2).tolist()
        r = math.sqrt(-2.0 * math.log1p(-u2))
        theta = _TWO_PI * u1
        g._next_double_normal = r * math.sin(theta)
        out[i] = r * math.cos(theta)
    return out


def _normal_scalar(
    dims: tuple[int, ...], mean: float, std: float, dt: np.dtype, g: Generator
) -> np.ndarray:
    if not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    n = math.prod(dims)
    if n >= 16:
        out = _normal_fill(g, n, mean, std, dt)
    else:  # float64 arithmetic whatever the dtype, then one rounding to it
        out = _mul_add64(_normal_serial(g, n), std, mean).astype(dt)
    return np.asarray(out, dtype=dt).reshape(dims)


def normal(
    shape: Shape | None = None,
    mean: Any = 0.0,
    std: Any = 1.0,
    dtype: Any = None,
    generator: Generator | None = None,
) -> np.ndarray:
    """``torch.randn`` / ``Tensor.normal_(mean, std)`` / ``torch.normal(mean, std)``.

    With numbers for ``mean`` and ``std``, ``shape`` is required and ``dtype`` defaults to
    float64. With arrays (``torch.normal(mean_tensor, std_tensor)``), the result has their
    broadcast shape (``shape`` may be omitted; if given it must equal it) and their dtype, and
    is computed as PyTorch does: standard normals, times ``std``, plus ``mean``.
    """
    g = _gen(generator)
    mean_is_array = isinstance(mean, np.ndarray)
    std_is_array = isinstance(std, np.ndarray)
    if not (mean_is_array or std_is_array):
        if shape is None:
            raise TypeError("normal: give a shape when mean and std are numbers")
        dt = _float_dtype(np.float64 if dtype is None else dtype, "normal")
        return _normal_scalar(_shape(shape), float(mean), float(std), dt, g)

    arrays = [a for a in (mean, std) if isinstance(a, np.ndarray)]
    dt = _float_dtype(np.result_type(*arrays) if dtype is None else dtype, "normal")
    try:
        dims = np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        shapes = " and ".join(str(a.shape) for a in arrays)
        raise RuntimeError(f"normal: mean and std of shapes {shapes} do not broadcast") from None
    if shape is not None and _shape(shape) != dims:
        raise RuntimeError(f"normal: shape {_shape(shape)} given, but mean and std give {dims}")
    if std_is_array:
        std_arr = np.asarray(std, dtype=dt)
        if not (std_arr >= 0).all():
            raise RuntimeError("normal expects all elements of std >= 0.0")
        out = _normal_scalar(dims, 0.0, 1.0, dt, g) * std_arr
        return np.asarray(out + np.asarray(mean, dtype=dt), dtype=dt)
    out = _normal_scalar(dims, 0.0, float(std), dt, g)
    return np.asarray(out + np.asarray(mean, dtype=dt), dtype=dt)


# --------------------------------------------------------------------------- integers


_INT_LIMITS_CACHE: dict[np.dtype, tuple[int, int]] = {}


def _representable(dt: np.dtype) -> tuple[int, int]:
    if dt not in _INT_LIMITS_CACHE:
        if dt == np.bool_:
            _INT_LIMITS_CACHE[dt] = (0, 1)
        elif dt.kind in "iu":
            info = np.iinfo(dt)
            _INT_LIMITS_CACHE[dt] = (int(info.min), int(info.max))
        else:  # floats hold every integer up to 2**digits
            digits = np.finfo(dt).nmant + 1
            _INT_LIMITS_CACHE[dt] = (-(1 << digits), 1 << digits)
    return _INT_LIMITS_CACHE[dt]


def randint(
    low: int,
    high: int,
    shape: Shape,
    generator: Generator | None = None,
    dtype: Any = np.int64,
) -> np.ndarray:
    """``torch.randint(low, high, shape)``: integers in [low, high), as ``draw % (high - low)``.

    One 32-bit draw per element while ``high - low < 2**28``, one 64-bit draw from 2**28 on
    (PyTorch 2.13's rule).
    """
    dims = _shape(shape)
    dt = np.dtype(dtype)
    low, high = int(low), int(high)
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    lo_lim, hi_lim = _representable(dt)
    for name, v in (("from", low), ("to - 1", high - 1)):
        if not lo_lim <= v <= hi_lim:
            raise RuntimeError(f"randint: {name} = {v} is out of bounds for {dt}")
    g = _gen(generator)
    n = math.prod(dims)
    span = high - low
    bits = g._bits64(n) if span >= 1 << 28 else g._bits32(n)
    offsets = (bits % np.uint64(span)).astype(np.int64)
    if low >= 0 or (low >= -(1 << 62) and high <= 1 << 62):
        values = offsets + np.int64(low)
        return values.astype(dt).reshape(dims)
    # ranges near int64's ends: add in Python integers to avoid NumPy's overflow
    return np.array([o + low for o in offsets.tolist()], dtype=np.int64).astype(dt).reshape(dims)


def random(
    shape: Shape, dtype: Any = np.int64, generator: Generator | None = None
) -> np.ndarray:
    """``Tensor.random_()`` without bounds: integers in [0, 2**63) for int64, [0, max] for the
    other integer types, [0, 2**24] for float32 and [0, 2**53] for float64.

    DataLoader and RandomSampler draw their seeds this way (one int64, two 32-bit draws).
    """
    dims = _shape(shape)
    dt = np.dtype(dtype)
    g = _gen(generator)
    n = math.prod(dims)
    if dt == np.bool_:
        return (g._bits32(n) & np.uint64(1)).astype(np.bool_).reshape(dims)
    if dt.kind in "iu":
        modulus = int(np.iinfo(dt).max) + 1
    elif dt.kind == "f":
        modulus = (1 << (np.finfo(dt).nmant + 1)) + 1
    else:
        raise NotImplementedError(f"random_: dtype {dt} is not supported")
    bits = g._bits64(n) if dt in (np.dtype(np.int64), np.dtype(np.float64)) else g._bits32(n)
    return (bits % np.uint64(modulus)).astype(dt).reshape(dims)


def randperm(n: int, generator: Generator | None = None, dtype: Any = np.int64) -> np.ndarray:
    """``torch.randperm(n)``: PyTorch's Fisher-Yates shuffle of ``0..n-1``.

    Step ``i`` swaps element ``i`` with element ``i + draw % (n - i)`` (one 32-bit draw per
    step, ``n - 1`` steps). From ``n >= 2**32 // 20`` PyTorch switches to the inside-out
    variant with 64-bit draws; so does this (slowly: it is a Python loop).
    """
    n = int(n)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    g = _gen(generator)
    perm: list[int]
    if n < 0xFFFFFFFF // 20:
        steps = g._bits32(n - 1) % (np.uint64(n) - np.arange(n - 1, dtype=np.uint64))
        perm = list(range(n))
        for i, z in enumerate(steps.tolist()):
            j = i + z
            perm[i], perm[j] = perm[j], perm[i]
    else:
        bits = g._bits64(n) % (np.arange(n, dtype=np.uint64) + np.uint64(1))
        perm = [0] * n
        for i, z in enumerate(bits.tolist()):
            perm[i] = perm[z]
            perm[z] = i
    return np.array(perm, dtype=dtype)


# --------------------------------------------------------------------------- discrete draws


def _exponential64(g: Generator, n: int, lambd: float) -> np.ndarray:
    u = g._doubles(n)
    return (-1.0 / lambd) * _libm(math.log1p, -u)


def exponential(
    shape: Shape,
    lambd: float = 1.0,
    dtype: Any = np.float64,
    generator: Generator | None = None,
) -> np.ndarray:
    """``Tensor.exponential_(lambd)``: ``-log(1 - u) / lambd`` from one float64 uniform each,
    computed in float64 and then rounded to ``dtype``."""
    dims = _shape(shape)
    dt = _float_dtype(dtype, "exponential_")
    lambd = float(lambd)
    if not lambd > 0.0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
    return _exponential64(_gen(generator), math.prod(dims), lambd).astype(dt).reshape(dims)


def geometric(
    shape: Shape,
    p: float,
    dtype: Any = np.float64,
    generator: Generator | None = None,
) -> np.ndarray:
    """``Tensor.geometric_(p)``: the number of Bernoulli(p) trials up to the first success,
    ``ceil(log(u) / log(1 - p))`` from one float64 uniform each."""
    dims = _shape(shape)
    dt = np.dtype(dtype)
    p = float(p)
    if not 0.0 < p < 1.0:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
    u = _gen(generator)._doubles(math.prod(dims))
    values = np.ceil(_libm(math.log, u) / math.log1p(-p))
    return values.astype(dt).reshape(dims)


def bernoulli(
    p: Any,
    generator: Generator | None = None,
    *,
    shape: Shape | None = None,
    dtype: Any = None,
) -> np.ndarray:
    """``torch.bernoulli(p)`` / ``Tensor.bernoulli_(p)``: 1 where a uniform draw is below ``p``.

    ``p`` a number (``x.bernoulli_(0.5)``, dropout masks): ``shape`` is required, one float64
    uniform per element, ``dtype`` defaults to float64. ``p`` an array: ``shape`` defaults to
    ``p.shape`` (``p`` is broadcast to it), a float64 ``p`` is compared with float64 uniforms
    and a float32 ``p`` with float32 uniforms, and ``dtype`` defaults to ``p``'s.

    Difference: on Intel CPUs, PyTorch builds with MKL may draw a scalar ``p`` from MKL's stream
    instead; this follows the default kernel (see the module's docstring).
    """
    g = _gen(generator)
    if not isinstance(p, np.ndarray):
        if shape is None:
            raise TypeError("bernoulli: give a shape when p is a number")
        dims = _shape(shape)
        prob = float(p)
        if not 0.0 <= prob <= 1.0:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={prob:g}")
        dt = np.dtype(np.float64 if dtype is None else dtype)
        return (g._doubles(math.prod(dims)) < prob).astype(dt).reshape(dims)

    if p.dtype.kind != "f":
        raise NotImplementedError(f"bernoulli: p must be a float array, got dtype {p.dtype}")
    dims = p.shape if shape is None else _shape(shape)
    try:
        probs = np.broadcast_to(p, dims)
    except ValueError:
        raise RuntimeError(
            f"bernoulli: p of shape {p.shape} cannot be broadcast to {dims}"
        ) from None
    if not ((probs >= 0) & (probs <= 1)).all():
        raise RuntimeError("bernoulli: every element of p must be in [0, 1]")
    dt = np.dtype(p.dtype if dtype is None else dtype)
    n = math.prod(dims)
    if p.dtype == np.float64:
        hits = g._doubles(n) < probs.ravel()
    else:
        hits = g._floats(n) < probs.ravel().astype(np.float32)
    return hits.astype(dt).reshape(dims)


def multinomial(
    probs: Any,
    num_samples: int,
    replacement: bool = False,
    generator: Generator | None = None,
) -> np.ndarray:
    """``torch.multinomial``: indices drawn with probability proportional to ``probs``' rows.

    ``probs`` is 1-D (categories) or 2-D (one distribution per row), non-negative, of a float
    dtype. Without replacement, or with one sample, PyTorch's path: ``argmax``/top-k of
    ``probs / q`` with ``q`` exponential (one float64 uniform per category). With replacement
    and several samples: a float64 uniform per sample located in the normalised cumulative
    sum (accumulated in ``probs``' dtype). Returns int64 indices.

    Difference: without replacement, when ``num_samples`` exceeds the number of non-zero
    probabilities in a row, the zero-probability categories that fill the rest tie in
    PyTorch's top-k, which orders ties as its C++ library's ``nth_element`` leaves them; here
    they come in increasing index order. Every draw with a non-zero probability is PyTorch's.
    """
    probs = np.asarray(probs)
    if probs.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if probs.dtype.kind != "f":
        raise RuntimeError(
            f"multinomial only supports floating-point dtypes for input, got: {probs.dtype}"
        )
    num_samples = int(num_samples)
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    n_cat = probs.shape[-1]
    if not replacement and num_samples > n_cat:
        raise RuntimeError(
            f"cannot sample n_sample > prob_dist.size(-1) samples without replacement "
            f"(n_sample={num_samples}, {n_cat} categories)"
        )
    if n_cat > 1 << 24:
        raise RuntimeError("number of categories cannot exceed 2^24")
    g = _gen(generator)
    rows = probs.reshape(-1, n_cat)

    if not replacement or num_samples == 1:
        if not (np.isfinite(rows).all() and (rows >= 0).all()):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if (rows.sum(axis=1) == 0).any():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        q = _exponential64(g, rows.size, 1.0).astype(probs.dtype).reshape(rows.shape)
        keys = rows / q
        if num_samples == 1:
            out = np.argmax(keys, axis=1)[:, None]
        else:  # top-k in decreasing order; ties (zero probabilities) to the lower index
            out = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
        return out.astype(np.int64).reshape(probs.shape[:-1] + (num_samples,))

    out = np.empty((rows.shape[0], num_samples), dtype=np.int64)
    for i, row in enumerate(rows):
        if not (row >= 0).all():  # NaN fails this test too, as in PyTorch
            raise RuntimeError(
                "invalid multinomial distribution (encountering probability entry < 0)"
            )
        if not np.isfinite(row).all():
            raise RuntimeError(
                "invalid multinomial distribution "
                "(encountering probability entry = infinity or NaN)"
            )
        cum = np.add.accumulate(row, dtype=row.dtype)  # left to right, in the row's dtype
        if not cum[-1] > 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        cum = cum / cum[-1]
        cum[-1] = 1
        u = g._doubles(num_samples)
        out[i] = np.searchsorted(cum.astype(np.float64), u, side="left")
    return out.reshape(probs.shape[:-1] + (num_samples,))
