"""The torch namespace (``import tinygrad_edu as torch``) against PyTorch itself.

Factories must give PyTorch's dtypes (PyTorch's default dtype set to float64, as
tinygrad_edu's) and values; random factories PyTorch's numbers for the same seed; free
functions the values and gradients of the methods they stand for.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import TORCH_TOL, make_inputs, requires_torch, torch
from test_tensor_methods import compare

import tinygrad_edu
import tinygrad_edu as tt
from tinygrad_edu import Tensor

# torch's default dtype is float64 in these tests (below): tinygrad_edu draws as such a program.
pytestmark = [requires_torch, pytest.mark.usefixtures("float64_program")]


@pytest.fixture(autouse=True)
def torch_float64():
    """PyTorch's default float dtype as tinygrad_edu's, restored afterwards."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


def same(got, want, exact=True):
    """Same shape, dtype and values (exactly, or to 1e-10)."""
    assert isinstance(got, Tensor), type(got)
    w = want.detach().numpy()
    assert got.shape == w.shape, f"shape {got.shape}, torch gives {w.shape}"
    assert got.dtype == w.dtype, f"dtype {got.dtype}, torch gives {w.dtype}"
    if exact:
        np.testing.assert_array_equal(got.data, w)
    else:
        np.testing.assert_allclose(got.data, w, rtol=TORCH_TOL, atol=TORCH_TOL)


# --------------------------------------------------------------------------- tensor()


@pytest.mark.parametrize("data", [
    [1, 2, 3], [[1, 2], [3, 4]], 7, [1.0, 2.0], 2.5, [1, 2.5], True, [True, False],
    [[True], [False]], [], np.array([1, 2], dtype=np.int32), np.array([1.0], dtype=np.float32),
    np.array([True]), np.array([1, 2], dtype=np.uint8), np.array([1.5, 2.0]),
    np.float32(1.5), np.int64(3), [np.int64(1), 2],
], ids=repr)
def test_tensor_infers_torchs_dtype(data):
    same(tt.tensor(data), torch.tensor(data))


def test_tensor_with_dtype_and_requires_grad():
    same(tt.tensor([1, 2], dtype=tt.float32), torch.tensor([1, 2], dtype=torch.float32))
    same(tt.tensor([1.7, -2.2], dtype=tt.long), torch.tensor([1.7, -2.2], dtype=torch.long))
    x = tt.tensor([1.0, 2.0], requires_grad=True)
    assert x.requires_grad and x.is_leaf
    with pytest.raises(RuntimeError, match="floating point"):
        tt.tensor([1, 2], requires_grad=True)


def test_tensor_copies_and_cuts_the_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = tt.tensor(y)
    assert z.is_leaf and not z.requires_grad
    z.data[0] = 100.0
    assert y.data[0] == 2.0
    a = np.array([1, 2])
    t = tt.tensor(a)
    a[0] = 9
    assert t.data[0] == 1


def test_tensor_rejects_other_data():
    with pytest.raises(TypeError, match="tensor: cannot make a tensor from data"):
        tt.tensor(["a"])
    with pytest.raises(TypeError, match="float16 is not supported"):
        tt.tensor([1.0], dtype=tt.float16)
    with pytest.raises(RuntimeError, match="computes on the CPU with NumPy"):
        tt.tensor([1.0], device="cuda")
    assert tt.tensor([1.0], device="cpu").shape == (1,)


def test_from_numpy_and_as_tensor_share_memory():
    a = np.array([1.0, 2.0])
    t = tt.from_numpy(a)
    a[0] = 5.0
    assert t.data[0] == 5.0 and t.dtype == np.float64
    assert tt.from_numpy(np.array([1, 2], dtype=np.int32)).dtype == np.int32
    u = tt.as_tensor(a)
    a[1] = 7.0
    assert u.data[1] == 7.0
    assert tt.as_tensor(t) is t
    assert tt.as_tensor(a, dtype=tt.float32).dtype == np.float32
    same(tt.as_tensor([1, 2]), torch.as_tensor([1, 2]))
    with pytest.raises(TypeError, match="from_numpy: expected np.ndarray"):
        tt.from_numpy([1.0])


# --------------------------------------------------------------------------- factories


@pytest.mark.parametrize("name", ["zeros", "ones", "empty"])
def test_filled_factories(name):
    f, tf = getattr(tt, name), getattr(torch, name)
    for args in ((2, 3), ((2, 3),), ([4],), (torch.Size([1, 2]),), (0,)):
        targs = args
        if name == "empty":
            got, want = f(*args), tf(*targs)
            assert got.shape == tuple(want.shape) and got.dtype == want.numpy().dtype
        else:
            same(f(*args), tf(*targs))
    for dtype in ("int64", "float32", "bool", "int32", "uint8"):
        got = f(3, dtype=getattr(tt, dtype))
        want = tf(3, dtype=getattr(torch, dtype))
        assert got.dtype == want.numpy().dtype
    x = f(2, requires_grad=True)
    assert x.requires_grad and x.is_leaf


def test_size_errors():
    with pytest.raises(TypeError, match="zeros: size must be ints"):
        tt.zeros(2.0)
    with pytest.raises(RuntimeError, match="zeros: negative dimension"):
        tt.zeros(-1)


def test_full_infers_dtype_from_the_value():
    for value in (3, 2.5, True, -1):
        same(tt.full((2, 2), value), torch.full((2, 2), value))
    same(tt.full([3], 2, dtype=tt.float32), torch.full([3], 2, dtype=torch.float32))


def test_like_factories_keep_dtype_and_shape():
    for src, tsrc in ((tt.tensor([[1, 2, 3]]), torch.tensor([[1, 2, 3]])),
                      (tt.ones(2, 2, dtype=tt.float32), torch.ones(2, 2, dtype=torch.float32))):
        same(tt.zeros_like(src), torch.zeros_like(tsrc))
        same(tt.ones_like(src), torch.ones_like(tsrc))
        same(tt.full_like(src, 7), torch.full_like(tsrc, 7))
        same(tt.ones_like(src, dtype=tt.float64), torch.ones_like(tsrc, dtype=torch.float64))
        got = tt.empty_like(src)
        assert got.shape == tuple(tsrc.shape) and got.dtype == tsrc.numpy().dtype
    assert tt.zeros_like(tt.ones(2), requires_grad=True).requires_grad
    with pytest.raises(TypeError, match="zeros_like\\(\\): argument 'input' must be Tensor"):
        tt.zeros_like([1.0])


def test_eye():
    same(tt.eye(3), torch.eye(3))
    same(tt.eye(2, 4), torch.eye(2, 4))
    same(tt.eye(3, dtype=tt.long), torch.eye(3, dtype=torch.long))


@pytest.mark.parametrize("args", [
    (5,), (2, 9), (2, 9, 3), (10, 0, -3), (0.0, 1.0, 0.1), (0.1, 1.0, 0.3), (1, 2.5, 0.5),
    (-3.5, 4.0, 0.7), (5.0,), (0, 1, 0.1), (3, 3), (1.0, 0.0, -0.25), (0.0, 10.0, 0.013),
    (-7.3, 100.1, 0.37), (1e3, 0.0, -0.77),
], ids=repr)
def test_arange_matches_torch_exactly(args):
    same(tt.arange(*args), torch.arange(*args))
    same(tt.arange(*args, dtype=tt.float32), torch.arange(*args, dtype=torch.float32))


def test_arange_dtypes_and_errors():
    same(tt.arange(5, dtype=tt.float32), torch.arange(5, dtype=torch.float32))
    same(tt.arange(0.0, 2.0, 0.5, dtype=tt.float32),
         torch.arange(0.0, 2.0, 0.5, dtype=torch.float32))
    same(tt.arange(tt.tensor(4)), torch.arange(torch.tensor(4)))
    with pytest.raises(RuntimeError, match="arange: step must be nonzero"):
        tt.arange(0, 5, 0)
    with pytest.raises(RuntimeError, match="inconsistent with the sign of step"):
        tt.arange(0, 5, -1)


@pytest.mark.parametrize("args", [
    (0, 1, 7), (-2.5, 3.0, 11), (1.0, -1.0, 4), (0, 10, 1), (3, 5, 0), (0.1, 0.9, 100),
    (-1.3, 7.7, 1001), (5, -3, 333),
], ids=repr)
def test_linspace_and_logspace_match_torch_exactly(args):
    same(tt.linspace(*args), torch.linspace(*args))
    for name in ("float32", "int64", "int32"):
        same(tt.linspace(*args, dtype=getattr(tt, name)),
             torch.linspace(*args, dtype=getattr(torch, name)))
    same(tt.logspace(*args), torch.logspace(*args), exact=False)
    same(tt.logspace(*args, base=2.0), torch.logspace(*args, base=2.0), exact=False)


# --------------------------------------------------------------------------- dtypes


def test_dtypes_are_numpy_dtypes_with_pytorchs_names():
    assert tt.float32 == np.float32 and tt.float64 == np.float64
    assert tt.float == np.float32  # PyTorch's float is 32-bit
    assert tt.double == np.float64
    assert tt.long == tt.int64 == np.int64
    assert tt.int == np.int32  # and int is 32-bit
    assert tt.bool == np.bool_
    assert tt.uint8 == np.uint8 and tt.int8 == np.int8 and tt.int16 == np.int16
    for name in ("float32", "float64", "int64", "int32", "bool", "uint8", "int16", "int8"):
        assert tt.zeros(1, dtype=getattr(tt, name)).dtype == \
            torch.zeros(1, dtype=getattr(torch, name)).numpy().dtype
    with pytest.raises(TypeError, match="float16 is not supported"):
        tt.zeros(2, dtype=tt.float16)
    with pytest.raises(TypeError, match="float16 is not supported"):
        tt.ones(2, dtype=tt.half)


def test_set_default_dtype_changes_new_float_tensors():
    assert tt.get_default_dtype() == np.float64
    try:
        tt.set_default_dtype(tt.float32)
        torch.set_default_dtype(torch.float32)
        assert tt.get_default_dtype() == np.float32
        for got, want in ((tt.tensor([1.5]), torch.tensor([1.5])), (tt.zeros(2), torch.zeros(2)),
                          (tt.arange(0.0, 1.0, 0.25), torch.arange(0.0, 1.0, 0.25)),
                          (tt.full((1,), 2.5), torch.full((1,), 2.5)),
                          (tt.linspace(0, 1, 5), torch.linspace(0, 1, 5))):
            same(got, want)
        assert Tensor([1, 2]).dtype == np.float32  # the core reads the default at each use
        assert tt.tensor([1, 2]).dtype == np.int64
    finally:
        tt.set_default_dtype(tt.float64)
    assert Tensor([1, 2]).dtype == np.float64
    with pytest.raises(TypeError, match="only float32 and float64"):
        tt.set_default_dtype(tt.int64)


def test_finfo_and_constants():
    assert tt.finfo(tt.float32).eps == torch.finfo(torch.float32).eps
    assert tt.iinfo(tt.int64).max == torch.iinfo(torch.int64).max
    assert tt.pi == torch.pi and tt.e == torch.e and tt.inf == torch.inf
    assert tt.nan != tt.nan


# --------------------------------------------------------------------------- random numbers


def test_random_factories_give_pytorchs_numbers():
    def draws(m):
        m.manual_seed(1234)
        return [
            m.rand(3, 4), m.randn(2, 3), m.randn(20, dtype=m.float32), m.rand((5,)),
            m.randint(0, 10, (6,)), m.randint(5, (2, 2)), m.randint(3, 9, size=(4,)),
            m.randperm(8), m.normal(0.5, 2.0, size=(3,)),
            m.normal(m.zeros(4) + 1.0, m.ones(4) * 0.5),
            m.multinomial(m.tensor([0.1, 0.5, 0.4]), 2),
            m.multinomial(m.tensor([[0.2, 0.8], [0.9, 0.1]]), 3, replacement=True),
            m.bernoulli(m.full((5,), 0.3)),
        ]

    for got, want in zip(draws(tt), draws(torch), strict=True):
        same(got, want)


def test_generators_and_likes():
    g, tg = tt.Generator().manual_seed(7), torch.Generator().manual_seed(7)
    same(tt.randn(4, generator=g), torch.randn(4, generator=tg))
    same(tt.rand(2, 2, generator=g), torch.rand(2, 2, generator=tg))
    same(tt.randint(0, 5, (3,), generator=g), torch.randint(0, 5, (3,), generator=tg))
    same(tt.randperm(5, generator=g), torch.randperm(5, generator=tg))
    tt.manual_seed(3)
    torch.manual_seed(3)
    x, tx = tt.ones(2, 3), torch.ones(2, 3)
    same(tt.randn_like(x), torch.randn_like(tx))
    same(tt.rand_like(x), torch.rand_like(tx))
    same(tt.randint_like(x, 10), torch.randint_like(tx, 10))
    same(tt.randint_like(x, 2, 10), torch.randint_like(tx, 2, 10))
    assert tt.initial_seed() == torch.initial_seed() == 3
    state = tt.get_rng_state()
    a = tt.randn(3)
    tt.set_rng_state(state)
    same(tt.randn(3), torch.from_numpy(a.data))
    assert tt.default_generator is tinygrad_edu.random.default_generator
    assert tt.randn(2, requires_grad=True).requires_grad


def test_random_argument_errors():
    with pytest.raises(TypeError, match="randint: give the size"):
        tt.randint(10)
    with pytest.raises(RuntimeError, match="randint: need low < high"):
        tt.randint(5, 5, (2,))
    with pytest.raises(TypeError, match="normal: with a number mean and std give size="):
        tt.normal(0.0, 1.0)
    with pytest.raises(TypeError, match="randn: needs a floating point dtype"):
        tt.randn(2, dtype=tt.long)


# --------------------------------------------------------------------------- joining


def test_cat_and_stack_match_torch():
    a, b, c, d = make_inputs([(2, 3), (4, 3), (2, 3), (4, 2)], seed=4)
    compare(lambda x, y: tt.cat([x, y]), [a, b], lambda x, y: torch.cat([x, y]))
    compare(lambda x, y: tt.cat((x, y.T), dim=1), [a, d],
            lambda x, y: torch.cat((x, y.T), dim=1))
    compare(lambda x, y: tt.concat([x, y], -1), [a, c], lambda x, y: torch.concat([x, y], -1))
    compare(lambda x, y: tt.stack([x, y]), [a, c], lambda x, y: torch.stack([x, y]))
    compare(lambda x, y: tt.stack([x, y], dim=-1), [a, c],
            lambda x, y: torch.stack([x, y], dim=-1))
    compare(lambda x, y: tt.hstack([x, y]), [a, c], lambda x, y: torch.hstack([x, y]))
    compare(lambda x, y: tt.vstack([x, y]), [a, b], lambda x, y: torch.vstack([x, y]))
    compare(lambda x, y: tt.hstack([x[0], y[1]]), [a, c], lambda x, y: torch.hstack([x[0], y[1]]))
    compare(lambda x, y: tt.vstack([x[0], y[1]]), [a, c], lambda x, y: torch.vstack([x[0], y[1]]))
    # the same tensor twice gets both slices of the gradient
    compare(lambda x: tt.cat([x, x * 2]), [a], lambda x: torch.cat([x, x * 2]))


def test_cat_promotes_as_torch_and_skips_legacy_empty():
    i, ti = tt.tensor([1, 2]), torch.tensor([1, 2])
    f, tf = tt.ones(2, dtype=tt.float32), torch.ones(2, dtype=torch.float32)
    same(tt.cat([i, f]), torch.cat([ti, tf]))
    same(tt.cat([i, i]), torch.cat([ti, ti]))
    same(tt.cat([tt.tensor([]), tt.ones(2, 2)]), torch.cat([torch.tensor([]), torch.ones(2, 2)]))


def test_cat_and_stack_errors():
    with pytest.raises(TypeError, match="cat\\(\\): expected a sequence of tensors"):
        tt.cat(tt.ones(2))
    with pytest.raises(TypeError, match="item 1 is a list"):
        tt.cat([tt.ones(2), [1.0]])
    with pytest.raises(RuntimeError, match="non-empty"):
        tt.cat([])
    with pytest.raises(RuntimeError, match="cat: sizes of tensors must match"):  # as PyTorch
        tt.cat([tt.ones(2, 3), tt.ones(2, 4)])
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        tt.stack([tt.ones(2), tt.ones(3)])


def test_where_matches_torch():
    a, b = make_inputs([(3, 4), (4,)], seed=5)
    compare(lambda x, y: tt.where(x > 0, x, y), [a, b], lambda x, y: torch.where(x > 0, x, y))
    compare(lambda x: tt.where(x > 0, x, 0.0), [a], lambda x: torch.where(x > 0, x, 0.0))
    compare(lambda x: tt.where(x.gt(0), 1.5, x), [a], lambda x: torch.where(x.gt(0), 1.5, x))
    m, tm = tt.tensor([True, False, True]), torch.tensor([True, False, True])
    same(tt.where(m, 1.0, 0.0), torch.where(tm, 1.0, 0.0))
    same(tt.where(m, 1, 0), torch.where(tm, 1, 0))
    for got, want in zip(tt.where(m), torch.where(tm), strict=True):
        same(got, want)
    with pytest.raises(TypeError, match="where: the condition must be a bool tensor"):
        tt.where(tt.ones(3), tt.ones(3), tt.zeros(3))


# --------------------------------------------------------------------------- free functions

A = make_inputs([(3, 4)], seed=6)
POS = make_inputs([(3, 4)], seed=7, ranges=(0.2, 3.0))
AB = make_inputs([(3, 4), (3, 4)], seed=8)

FREE = [
    ("exp", A, lambda m, x: m.exp(x)), ("log", POS, lambda m, x: m.log(x)),
    ("log1p", POS, lambda m, x: m.log1p(x)), ("log10", POS, lambda m, x: m.log10(x)),
    ("tanh", A, lambda m, x: m.tanh(x)), ("sigmoid", A, lambda m, x: m.sigmoid(x)),
    ("relu", A, lambda m, x: m.relu(x)), ("abs", A, lambda m, x: m.abs(x)),
    ("sqrt", POS, lambda m, x: m.sqrt(x)), ("rsqrt", POS, lambda m, x: m.rsqrt(x)),
    ("sin", A, lambda m, x: m.sin(x)), ("cos", A, lambda m, x: m.cos(x)),
    ("sign", A, lambda m, x: m.sign(x)), ("square", A, lambda m, x: m.square(x)),
    ("softmax", A, lambda m, x: m.softmax(x, 1)),
    ("softmax_dim_kw", A, lambda m, x: m.softmax(x, dim=0)),
    ("log_softmax", A, lambda m, x: m.log_softmax(x, dim=1)),
    ("sum", A, lambda m, x: m.sum(x)), ("sum_dim", A, lambda m, x: m.sum(x, 1)),
    ("sum_tuple", A, lambda m, x: m.sum(x, dim=(0, 1), keepdim=True)),
    ("mean", A, lambda m, x: m.mean(x, 0)), ("var", A, lambda m, x: m.var(x, 1)),
    ("std", A, lambda m, x: m.std(x, dim=0, unbiased=False)),
    ("max", A, lambda m, x: m.max(x)), ("min", A, lambda m, x: m.min(x)),
    ("max_dim", A, lambda m, x: m.max(x, 1)[0]), ("min_dim", A, lambda m, x: m.min(x, 0).values),
    ("max_binary", AB, lambda m, x, y: m.max(x, y)),
    ("logsumexp", A, lambda m, x: m.logsumexp(x, 1)), ("cumsum", A, lambda m, x: m.cumsum(x, 0)),
    ("prod", A, lambda m, x: m.prod(x, 1)), ("pow", POS, lambda m, x: m.pow(x, 2.5)),
    ("pow_number_base", A, lambda m, x: m.pow(2.0, x)),
    ("clamp", A, lambda m, x: m.clamp(x, min=-0.5, max=0.7)),
    ("clip", A, lambda m, x: m.clip(x, -0.5, 0.7)),
    ("maximum", AB, lambda m, x, y: m.maximum(x, y)),
    ("minimum", AB, lambda m, x, y: m.minimum(x, y)),
    ("matmul", make_inputs([(3, 4), (4, 2)]), lambda m, x, y: m.matmul(x, y)),
    ("mm", make_inputs([(3, 4), (4, 2)]), lambda m, x, y: m.mm(x, y)),
    ("bmm", make_inputs([(2, 3, 4), (2, 4, 2)]), lambda m, x, y: m.bmm(x, y)),
    ("dot", make_inputs([(4,), (4,)]), lambda m, x, y: m.dot(x, y)),
    ("outer", make_inputs([(3,), (4,)]), lambda m, x, y: m.outer(x, y)),
    ("tril", A, lambda m, x: m.tril(x, -1)), ("triu", A, lambda m, x: m.triu(x)),
    ("flatten", make_inputs([(2, 3, 4)]), lambda m, x: m.flatten(x, 1)),
    ("flatten_range", make_inputs([(2, 3, 4, 5)]), lambda m, x: m.flatten(x, 1, 2)),
    ("reshape", A, lambda m, x: m.reshape(x, (2, -1))),
    ("squeeze", make_inputs([(1, 3, 1)]), lambda m, x: m.squeeze(x)),
    ("squeeze_dim", make_inputs([(1, 3, 1)]), lambda m, x: m.squeeze(x, -1)),
    ("unsqueeze", A, lambda m, x: m.unsqueeze(x, 0)),
    ("transpose", make_inputs([(2, 3, 4)]), lambda m, x: m.transpose(x, 0, 2)),
    ("permute", make_inputs([(2, 3, 4)]), lambda m, x: m.permute(x, (2, 0, 1))),
    ("split", A, lambda m, x: m.split(x, 2, dim=1)), ("chunk", A, lambda m, x: m.chunk(x, 2)),
    ("gather", A, lambda m, x: m.gather(x, 1, m.tensor([[0, 0], [3, 1], [2, 2]]))),
    ("index_select", A, lambda m, x: m.index_select(x, 1, m.tensor([3, 0, 3]))),
    ("masked_fill", A, lambda m, x: m.masked_fill(x, x > 0, 0.0)),
    ("topk", A, lambda m, x: m.topk(x, 2).values),
    ("sort", A, lambda m, x: m.sort(x, dim=0, descending=True).values),
    ("add_alpha", AB, lambda m, x, y: m.add(x, y, alpha=3)),
    ("div", [A[0], POS[0]], lambda m, x, y: m.div(x, y)),
    ("norm", A, lambda m, x: m.norm(x, dim=1)),
    ("amax", A, lambda m, x: m.amax(x, 0)),
    ("clone", A, lambda m, x: m.clone(x) * 2),
    ("t", A, lambda m, x: m.t(x)),
    ("diagonal", make_inputs([(2, 3, 3)]), lambda m, x: m.diagonal(x, 0, -2, -1)),
    ("diag", make_inputs([(3,)]), lambda m, x: m.diag(x, 1)),
    ("trace", A, lambda m, x: m.trace(x)),
]


@pytest.mark.parametrize("name,arrays,fn", FREE, ids=[c[0] for c in FREE])
def test_free_function_matches_torch(name, arrays, fn):
    compare(lambda *xs: fn(tt, *xs), arrays, lambda *xs: fn(torch, *xs))


def test_free_functions_on_integers_and_predicates():
    a = np.array([[1.0, -2.0, np.nan], [0.0, 3.0, 3.0]])
    x, t = Tensor(a), torch.tensor(a)
    for name in ("isnan", "isfinite", "isinf", "argmax", "argmin", "all", "any"):
        same(getattr(tt, name)(x), getattr(torch, name)(t))
    same(tt.argmax(tt.tensor([[1, 5], [7, 2]]), dim=1),
         torch.argmax(torch.tensor([[1, 5], [7, 2]]), dim=1))
    same(tt.eq(x, 3.0), torch.eq(t, 3.0))
    b = np.array([1.0, 2.0])
    assert tt.allclose(Tensor(b), Tensor(b + 1e-12)) is True
    assert tt.equal(Tensor(b), Tensor(b)) is True
    same(tt.isclose(Tensor(b), Tensor(b + 1e-3)), torch.isclose(torch.tensor(b),
                                                               torch.tensor(b + 1e-3)))
    assert tt.numel(x) == torch.numel(t) == 6
    assert tt.is_tensor(x) and not tt.is_tensor(a)
    assert tt.is_floating_point(x) and not tt.is_floating_point(tt.tensor([1]))


def test_free_functions_check_their_input():
    with pytest.raises(TypeError, match=r"exp\(\): argument 'input' must be Tensor, not list"):
        tt.exp([1.0])
    with pytest.raises(TypeError, match="pow\\(\\): input or exponent must be a Tensor"):
        tt.pow(2, 3)
    with pytest.raises(RuntimeError, match="dot: 1-D tensors expected"):
        tt.dot(tt.ones(2, 2), tt.ones(2))
    with pytest.raises(RuntimeError, match="dot: tensors of shapes"):
        tt.dot(tt.ones(2), tt.ones(3))


def test_softmax_with_dtype():
    x = Tensor(np.array([[1.0, 2.0], [0.5, -1.0]], dtype=np.float32))
    t = torch.tensor(x.data)
    same(tt.softmax(x, 1, dtype=tt.float64), torch.softmax(t, 1, dtype=torch.float64),
         exact=False)


# --------------------------------------------------------------------------- grad mode, devices


def test_grad_mode_names():
    x = Tensor([1.0], requires_grad=True)
    with tt.no_grad():
        assert not (x * 2).requires_grad
        with tt.enable_grad():
            assert (x * 2).requires_grad
    with tt.set_grad_enabled(False):
        assert not tt.is_grad_enabled()
    with tt.inference_mode():
        assert not (x * 2).requires_grad
    with tt.inference_mode(False):
        assert (x * 2).requires_grad

    @tt.inference_mode()
    def f(v):
        return v * 2

    @tt.inference_mode
    def g(v):
        return v * 2

    assert not f(x).requires_grad and not g(x).requires_grad
    assert tt.is_grad_enabled()


def test_autograd_module_and_grad():
    x = Tensor([3.0], requires_grad=True)
    (g,) = tt.autograd.grad((x * x).sum(), x)
    assert g.item() == 6.0
    assert tt.autograd is tinygrad_edu.autograd


def test_devices():
    assert tt.device("cpu") == tt.device("cpu:0") or tt.device("cpu").type == "cpu"
    assert tt.device("cpu") == tt.ones(1).device
    assert tt.cuda.is_available() is False and tt.cuda.device_count() == 0
    tt.cuda.manual_seed(0)
    tt.cuda.manual_seed_all(0)
    tt.backends.cudnn.deterministic = True
    assert tt.backends.mps.is_available() is False
    for bad in ("cuda", "cuda:0", "mps"):
        with pytest.raises(RuntimeError, match="tinygrad_edu computes on the CPU with NumPy"):
            tt.device(bad)
    dev = tt.device("cuda" if tt.cuda.is_available() else "cpu")
    assert tt.zeros(2, device=dev).to(dev).shape == (2,)


def test_size():
    s = tt.Size([2, 3, 4])
    assert s == (2, 3, 4) and s.numel() == 24 == torch.Size([2, 3, 4]).numel()
    assert tt.ones(2, 3).size() == tt.Size([2, 3])


# --------------------------------------------------------------------------- the package


def test_existing_exports_remain():
    for name in ("Tensor", "Function", "no_grad", "enable_grad", "set_grad_enabled",
                 "is_grad_enabled", "grad", "gradcheck", "gradgradcheck", "numerical_grad",
                 "GradcheckReport", "draw_graph", "save", "load", "nn", "optim"):
        assert name in tinygrad_edu.__all__
        assert hasattr(tinygrad_edu, name)
    assert callable(tinygrad_edu.tensor)  # the function, not the engine's module
    for name in tinygrad_edu.__all__:
        assert hasattr(tinygrad_edu, name), name


def test_every_public_name_has_a_docstring():
    import types

    for name in tinygrad_edu.torch_api.__all__:
        obj = getattr(tinygrad_edu, name)
        if isinstance(obj, np.dtype | float | int | types.ModuleType) or obj is np.finfo or \
                obj is np.iinfo:
            continue
        assert obj.__doc__, name


def test_missing_torch_names_say_so():
    with pytest.raises(AttributeError, match="tinygrad_edu does not implement torch.einsum yet"):
        tinygrad_edu.einsum  # noqa: B018
    assert not hasattr(tinygrad_edu, "complex64")
    with pytest.raises(ImportError):
        from tinygrad_edu import fft  # noqa: F401
    # submodules still import as usual through the from-import fallback
    from tinygrad_edu import cli

    assert cli.__name__ == "tinygrad_edu.cli"


def test_utils_data_is_reachable_when_present():
    try:
        utils = tinygrad_edu.utils
    except AttributeError:
        pytest.skip("tinygrad_edu.utils is not written yet")
    assert hasattr(utils, "data")
