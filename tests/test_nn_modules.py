"""nn's modules against torch.nn (float64, 1e-10): the Module machinery (train/eval, apply,
traversal, buffers, state_dict, hooks, dtype conversion, repr), the containers, Linear,
Bilinear, Flatten/Unflatten, and every activation as module and as F function, values and
gradients, kinks and bounds included."""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
import pytest
from helpers import (
    assert_close,
    check_against_torch,
    check_gradcheck,
    requires_torch,
    torch,
)

import tinygrad_edu.nn.functional as F
from tinygrad_edu import Tensor, nn, no_grad
from tinygrad_edu import random as trandom

# These tests compare float64 draws with torch's float64 ones: as a program that set that
# default (without it a float64 tensor draws PyTorch's float32 stream; see test_random).
pytestmark = pytest.mark.usefixtures("float64_program")

RNG = np.random.default_rng(7)


def tnp(t):
    return t.detach().numpy()


# --------------------------------------------------------------------------- activations

# The points where an activation's formula or derivative changes, so each test also checks
# which side a kink's derivative takes (PyTorch's choice).
SPECIAL = np.array([0.0, -0.0, 1.0, -1.0, 3.0, -3.0, 6.0, 0.5, -0.5, 20.0, -20.0, 25.0,
                    -25.0, 1e-8, -1e-8, 0.01, 2.0, -2.0])


def inputs(shape):
    """Random values times 4, with the special points written into the first elements."""
    a = RNG.standard_normal(shape) * 4.0
    flat = a.reshape(-1)
    k = min(flat.size, SPECIAL.size)
    flat[:k] = SPECIAL[:k]
    return a


SHAPES = [(1,), (1, 5), (4, 5), (2, 3, 4)]

# name -> (our function, torch's), both taking the input tensor
ACTIVATIONS = {
    "relu": (F.relu, lambda x: torch.nn.functional.relu(x)),
    "relu6": (F.relu6, lambda x: torch.nn.functional.relu6(x)),
    "leaky_relu": (F.leaky_relu, lambda x: torch.nn.functional.leaky_relu(x)),
    "leaky_relu_0.2": (lambda x: F.leaky_relu(x, 0.2),
                       lambda x: torch.nn.functional.leaky_relu(x, 0.2)),
    "elu": (F.elu, lambda x: torch.nn.functional.elu(x)),
    "elu_0.5": (lambda x: F.elu(x, alpha=0.5), lambda x: torch.nn.functional.elu(x, 0.5)),
    "selu": (F.selu, lambda x: torch.nn.functional.selu(x)),
    "celu": (F.celu, lambda x: torch.nn.functional.celu(x)),
    "celu_2": (lambda x: F.celu(x, 2.0), lambda x: torch.nn.functional.celu(x, 2.0)),
    "gelu": (F.gelu, lambda x: torch.nn.functional.gelu(x)),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"),
                  lambda x: torch.nn.functional.gelu(x, approximate="tanh")),
    "silu": (F.silu, lambda x: torch.nn.functional.silu(x)),
    "mish": (F.mish, lambda x: torch.nn.functional.mish(x)),
    "softplus": (F.softplus, lambda x: torch.nn.functional.softplus(x)),
    "softplus_beta": (lambda x: F.softplus(x, beta=2.0, threshold=5.0),
                      lambda x: torch.nn.functional.softplus(x, beta=2.0, threshold=5.0)),
    "softsign": (F.softsign, lambda x: torch.nn.functional.softsign(x)),
    "tanhshrink": (F.tanhshrink, lambda x: torch.nn.functional.tanhshrink(x)),
    "hardtanh": (F.hardtanh, lambda x: torch.nn.functional.hardtanh(x)),
    "hardtanh_range": (lambda x: F.hardtanh(x, -2.0, 3.0),
                       lambda x: torch.nn.functional.hardtanh(x, -2.0, 3.0)),
    "hardswish": (F.hardswish, lambda x: torch.nn.functional.hardswish(x)),
    "sigmoid": (F.sigmoid, lambda x: torch.sigmoid(x)),
    "tanh": (F.tanh, lambda x: torch.tanh(x)),
    "logsigmoid": (F.logsigmoid, lambda x: torch.nn.functional.logsigmoid(x)),
    "threshold": (lambda x: F.threshold(x, 0.5, -2.0),
                  lambda x: torch.nn.functional.threshold(x, 0.5, -2.0)),
    "softmax_-1": (lambda x: F.softmax(x, dim=-1), lambda x: torch.softmax(x, dim=-1)),
    "softmax_0": (lambda x: F.softmax(x, 0), lambda x: torch.softmax(x, 0)),
    "log_softmax_-1": (lambda x: F.log_softmax(x, dim=-1),
                       lambda x: torch.log_softmax(x, dim=-1)),
    "softmin_0": (lambda x: F.softmin(x, dim=0),
                  lambda x: torch.nn.functional.softmin(x, dim=0)),
}


@requires_torch
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_function_vs_torch(name, shape):
    ours, theirs = ACTIVATIONS[name]
    check_against_torch(ours, theirs, [inputs(shape)])


@requires_torch
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_hardsigmoid_values_vs_torch_and_exact_gradient(shape):
    # PyTorch's float64 hardsigmoid backward multiplies by 1/6 rounded to float32
    # (0.16666667163...), 3e-8 away from the derivative; ours is the exact 1/6. So values
    # are checked against torch, gradients against the derivative and finite differences.
    x = inputs(shape)
    ours = nn.Hardsigmoid()
    assert repr(ours) == repr(torch.nn.Hardsigmoid())
    t = Tensor(x, requires_grad=True)
    out = ours(t)
    assert_close(out.data, tnp(torch.nn.functional.hardsigmoid(torch.tensor(x))))
    assert_close(F.hardsigmoid(Tensor(x)).data, out.data)
    out.sum().backward()
    np.testing.assert_array_equal(t.grad.data, np.where((x > -3) & (x < 3), 1 / 6, 0.0))
    check_gradcheck(F.hardsigmoid, [RNG.uniform(-4, 4, shape)])


def test_gelu_gradcheck_and_second_order():
    # Erf is the one primitive of nn.functional: check its backward by finite differences,
    # and that the backward is itself differentiable.
    from tinygrad_edu import gradgradcheck

    x = RNG.standard_normal((3, 4)) * 2
    check_gradcheck(F.gelu, [x])
    assert gradgradcheck(F.gelu, Tensor(x, requires_grad=True))


@requires_torch
def test_gelu_second_derivative_vs_torch():
    x = inputs((3, 4))
    ours = Tensor(x, requires_grad=True)
    from tinygrad_edu import grad as tgrad

    (g,) = tgrad(F.gelu(ours).sum(), [ours], create_graph=True)
    g.sum().backward()
    theirs = torch.tensor(x, requires_grad=True)
    (tg,) = torch.autograd.grad(torch.nn.functional.gelu(theirs).sum(), [theirs],
                                create_graph=True)
    tg.sum().backward()
    assert_close(g.data, tnp(tg))
    assert_close(ours.grad.data, theirs.grad.numpy())


# module -> (ours, torch's) constructed with the same arguments
MODULES = [
    (lambda: nn.ReLU(), lambda: torch.nn.ReLU()),
    (lambda: nn.ReLU(inplace=True), lambda: torch.nn.ReLU(inplace=True)),
    (lambda: nn.ReLU6(), lambda: torch.nn.ReLU6()),
    (lambda: nn.LeakyReLU(), lambda: torch.nn.LeakyReLU()),
    (lambda: nn.LeakyReLU(0.3, inplace=True), lambda: torch.nn.LeakyReLU(0.3, inplace=True)),
    (lambda: nn.ELU(alpha=0.7), lambda: torch.nn.ELU(alpha=0.7)),
    (lambda: nn.SELU(), lambda: torch.nn.SELU()),
    (lambda: nn.CELU(1.5), lambda: torch.nn.CELU(1.5)),
    (lambda: nn.GELU(), lambda: torch.nn.GELU()),
    (lambda: nn.GELU("tanh"), lambda: torch.nn.GELU("tanh")),
    (lambda: nn.SiLU(), lambda: torch.nn.SiLU()),
    (lambda: nn.Mish(), lambda: torch.nn.Mish()),
    (lambda: nn.Softplus(beta=0.5, threshold=10.0), lambda: torch.nn.Softplus(0.5, 10.0)),
    (lambda: nn.Softsign(), lambda: torch.nn.Softsign()),
    (lambda: nn.Tanhshrink(), lambda: torch.nn.Tanhshrink()),
    (lambda: nn.Hardtanh(-0.5, 2.0), lambda: torch.nn.Hardtanh(-0.5, 2.0)),
    (lambda: nn.Hardswish(), lambda: torch.nn.Hardswish()),
    (lambda: nn.Sigmoid(), lambda: torch.nn.Sigmoid()),
    (lambda: nn.Tanh(), lambda: torch.nn.Tanh()),
    (lambda: nn.LogSigmoid(), lambda: torch.nn.LogSigmoid()),
    (lambda: nn.Threshold(0.1, 20.0), lambda: torch.nn.Threshold(0.1, 20.0)),
    (lambda: nn.Softmax(dim=1), lambda: torch.nn.Softmax(dim=1)),
    (lambda: nn.LogSoftmax(dim=1), lambda: torch.nn.LogSoftmax(dim=1)),
    (lambda: nn.Softmin(dim=-1), lambda: torch.nn.Softmin(dim=-1)),
    (lambda: nn.Identity(54, unused="x"), lambda: torch.nn.Identity(54, unused="x")),
    (lambda: nn.Flatten(), lambda: torch.nn.Flatten()),
    (lambda: nn.Flatten(0, 1), lambda: torch.nn.Flatten(0, 1)),
]


@requires_torch
@pytest.mark.parametrize("make", MODULES, ids=lambda m: repr(m[0]()))
def test_module_vs_torch_values_grads_and_repr(make):
    ours, theirs = make[0](), make[1]()
    assert repr(ours) == repr(theirs)
    for shape in [(1, 4), (3, 4), (2, 3, 4)]:
        x = inputs(shape)

        def fn(t, m=ours):
            out = m(t)
            return out if out is not t else t * 1.0

        def tfn(t, m=theirs):
            out = m(t.clone()) if getattr(m, "inplace", False) else m(t)
            return out if out is not t else t * 1.0

        check_against_torch(fn, tfn, [x])


def test_inplace_is_accepted_and_computes_out_of_place():
    x = Tensor([-1.0, 2.0], requires_grad=True)
    before = x.data.copy()
    y = nn.ReLU(inplace=True)(x)
    np.testing.assert_array_equal(x.data, before)
    np.testing.assert_array_equal(y.data, [0.0, 2.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0])


@requires_torch
def test_softmax_without_dim_follows_pytorchs_old_rule_and_warns():
    for shape in [(5,), (3, 4), (2, 3, 4), (2, 3, 4, 5)]:
        x = inputs(shape)
        with pytest.warns(UserWarning, match="dim"):
            ours = nn.Softmax()(Tensor(x))
        with pytest.warns(UserWarning):
            theirs = torch.nn.Softmax()(torch.tensor(x))
        assert_close(ours.data, tnp(theirs))


def test_softmax_axis_keyword_still_works():
    x = inputs((2, 3, 4))
    a = nn.Softmax(axis=-1)(Tensor(x))
    b = nn.Softmax(dim=-1)(Tensor(x))
    np.testing.assert_array_equal(a.data, b.data)
    assert nn.LogSoftmax(axis=1).dim == 1 and nn.Softmax(axis=0).axis == 0
    with pytest.raises(ValueError):
        nn.Softmax(dim=0, axis=1)


def test_activation_errors():
    with pytest.raises(ValueError, match="approximate"):
        nn.GELU("fast")
    with pytest.raises(ValueError, match="approximate"):
        F.gelu(Tensor([1.0]), approximate="erf")
    with pytest.raises(ValueError, match="min_val"):
        F.hardtanh(Tensor([1.0]), 2.0, 1.0)


# --------------------------------------------------------------------------- Linear


@requires_torch
@pytest.mark.parametrize("seed", [0, 1, 1234])
@pytest.mark.parametrize("features", [(3, 4), (1, 1), (17, 5), (64, 33)])
def test_linear_default_init_is_torchs_after_the_same_seed(seed, features):
    torch.manual_seed(seed)
    theirs = torch.nn.Linear(*features, dtype=torch.float64)
    trandom.manual_seed(seed)
    ours = nn.Linear(*features)
    np.testing.assert_array_equal(ours.weight.data, tnp(theirs.weight).T)
    np.testing.assert_array_equal(ours.bias.data, tnp(theirs.bias))
    # the next draw continues from the same place
    np.testing.assert_array_equal(trandom.uniform((3,), 0.0, 1.0, np.float64, None),
                                  torch.rand(3, dtype=torch.float64).numpy())


@requires_torch
def test_linear_default_init_float32_and_generator():
    torch.manual_seed(5)
    theirs = torch.nn.Linear(6, 3)  # float32, PyTorch's default dtype
    trandom.manual_seed(5)
    ours = nn.Linear(6, 3, dtype=np.float32)
    assert ours.weight.dtype == np.float32 and ours.bias.dtype == np.float32
    np.testing.assert_array_equal(ours.weight.data, tnp(theirs.weight).T)
    np.testing.assert_array_equal(ours.bias.data, tnp(theirs.bias))
    g, tg = trandom.Generator().manual_seed(9), torch.Generator().manual_seed(9)
    ours = nn.Linear(4, 2, rng=g)
    w = torch.empty(2, 4, dtype=torch.float64)
    torch.nn.init.kaiming_uniform_(w, a=math.sqrt(5), generator=tg)
    np.testing.assert_array_equal(ours.weight.data, w.numpy().T)


def test_linear_numpy_rng_keeps_todays_draws():
    lin = nn.Linear(4, 3, rng=11)
    gen = np.random.default_rng(11)
    bound = 1 / math.sqrt(4)
    np.testing.assert_array_equal(lin.weight.data, gen.uniform(-bound, bound, (4, 3)))
    np.testing.assert_array_equal(lin.bias.data, gen.uniform(-bound, bound, (3,)))
    assert lin.weight._torch_layout_transposed
    with pytest.raises(TypeError):
        nn.Linear(2, 2, rng="seed")


@requires_torch
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(1, 3), (5, 3), (2, 4, 3), (3,)], ids=str)
def test_linear_and_f_linear_vs_torch(shape, bias):
    lin = nn.Linear(3, 4, bias=bias, rng=0)
    tl = torch.nn.Linear(3, 4, bias=bias, dtype=torch.float64)
    with torch.no_grad():
        tl.weight.copy_(torch.tensor(lin.weight.data.T))
        if bias:
            tl.bias.copy_(torch.tensor(lin.bias.data))
    x = inputs(shape)
    check_against_torch(lin, tl, [x])
    out = lin(Tensor(x))
    out.backward(np.ones(out.shape))
    tout = tl(torch.tensor(x))
    tout.backward(torch.ones(tout.shape, dtype=torch.float64))
    assert_close(lin.weight.grad.data, tl.weight.grad.numpy().T)
    if bias:
        assert_close(lin.bias.grad.data, tl.bias.grad.numpy())
    w, b = RNG.standard_normal((4, 3)), RNG.standard_normal(4)
    check_against_torch(lambda a, ww, bb: F.linear(a, ww, bb if bias else None),
                        lambda a, ww, bb: torch.nn.functional.linear(a, ww, bb if bias else None),
                        [x, w, b], requires_grad=[True, True, bias])


def test_linear_repr_and_errors():
    assert repr(nn.Linear(3, 4, rng=0)) == "Linear(in_features=3, out_features=4, bias=True)"
    assert repr(nn.Linear(3, 4, bias=False, rng=0)) == \
        "Linear(in_features=3, out_features=4, bias=False)"
    with pytest.raises(ValueError, match="linear"):
        F.linear(Tensor(np.ones((2, 3))), Tensor(np.ones((3, 4))))
    with pytest.raises(RuntimeError, match="CPU"):
        nn.Linear(2, 2, device="cuda")
    nn.Linear(2, 2, device="cpu")


@requires_torch
def test_bilinear_init_values_and_grads_vs_torch():
    torch.manual_seed(3)
    tb = torch.nn.Bilinear(3, 4, 2, dtype=torch.float64)
    trandom.manual_seed(3)
    ours = nn.Bilinear(3, 4, 2)
    np.testing.assert_array_equal(ours.weight.data, tnp(tb.weight))
    np.testing.assert_array_equal(ours.bias.data, tnp(tb.bias))
    assert repr(ours) == repr(tb)
    for lead in [(1,), (5,), (2, 3), ()]:
        x1, x2 = RNG.standard_normal((*lead, 3)), RNG.standard_normal((*lead, 4))
        check_against_torch(lambda a, b: ours(a, b), lambda a, b: tb(a, b), [x1, x2])
        ours.zero_grad()
        tb.zero_grad()
        out = ours(Tensor(x1), Tensor(x2))
        out.backward(np.ones(out.shape))
        tout = tb(torch.tensor(x1), torch.tensor(x2))
        tout.backward(torch.ones(tout.shape, dtype=torch.float64))
        assert_close(ours.weight.grad.data, tb.weight.grad.numpy())
        assert_close(ours.bias.grad.data, tb.bias.grad.numpy())


# --------------------------------------------------------------------------- shape layers


@requires_torch
@pytest.mark.parametrize("args,shape", [((), (2, 3, 4)), ((0, -1), (2, 3, 4)),
                                        ((1, 2), (2, 3, 4, 5)), ((-3, -2), (2, 3, 4, 5)),
                                        ((), (1, 7))])
def test_flatten_vs_torch(args, shape):
    check_against_torch(nn.Flatten(*args), torch.nn.Flatten(*args), [inputs(shape)])


@requires_torch
@pytest.mark.parametrize("dim,sizes,shape", [(1, (3, 4), (2, 12)), (-1, (2, -1), (2, 3, 6)),
                                             (0, (1, 2), (2, 5))])
def test_unflatten_vs_torch(dim, sizes, shape):
    ours, theirs = nn.Unflatten(dim, sizes), torch.nn.Unflatten(dim, sizes)
    assert repr(ours) == repr(theirs)
    check_against_torch(ours, theirs, [inputs(shape)])


def test_flatten_unflatten_errors():
    with pytest.raises(ValueError, match="Unflatten"):
        nn.Unflatten(1, (5, 2))(Tensor(np.ones((2, 12))))
    with pytest.raises(IndexError):
        nn.Flatten()(Tensor(np.ones(3)))


# --------------------------------------------------------------------------- Module machinery


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(3, 4, rng=0), nn.Tanh())
        self.head = nn.Linear(4, 2, rng=1)
        self.register_buffer("running", Tensor(np.arange(2.0)))
        self.register_buffer("scratch", Tensor(np.zeros(3)), persistent=False)
        self.scale = nn.Parameter(np.ones(1))

    def forward(self, x):
        return self.head(self.body(x)) * self.scale + self.running


class TorchNet(torch.nn.Module if torch is not None else object):  # type: ignore[misc]
    def __init__(self):
        super().__init__()
        self.body = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh())
        self.head = torch.nn.Linear(4, 2)
        self.register_buffer("running", torch.arange(2.0))
        self.register_buffer("scratch", torch.zeros(3), persistent=False)
        self.scale = torch.nn.Parameter(torch.ones(1))


@requires_torch
def test_traversal_names_and_orders_match_torch():
    ours, theirs = Net(), TorchNet()
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_parameters(prefix="m", recurse=False)] == \
        [n for n, _ in theirs.named_parameters(prefix="m", recurse=False)]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [type(m).__name__ for m in ours.modules()][1:] == \
        [type(m).__name__ for m in theirs.modules()][1:]
    assert [type(m).__name__ for m in ours.children()] == ["Sequential", "Linear"]
    assert len(list(ours.parameters(recurse=False))) == 1
    assert repr(ours).replace("Net", "X") == repr(theirs).replace("TorchNet", "X")


def test_buffers_in_state_dict_and_loaded():
    net = Net()
    sd = net.state_dict()
    assert "running" in sd and "scratch" not in sd  # non-persistent buffers are not saved
    assert [n for n, _ in net.named_buffers()] == ["running", "scratch"]
    assert all(b.requires_grad is False for b in net.buffers())
    sd["running"] = np.array([5.0, 6.0])
    array = net.running.data
    net.load_state_dict(sd)
    assert net.running.data is array  # loaded in place
    np.testing.assert_array_equal(net.running.data, [5.0, 6.0])
    net.running = Tensor([1.0, 1.0])  # assigning to a buffer's name replaces the buffer
    assert net._buffers["running"] is net.running
    with pytest.raises(TypeError):
        net.running = np.zeros(2)
    net.running = None
    assert "running" not in net.state_dict()


def test_load_state_dict_strict_false_returns_missing_and_unexpected():
    net = Net()
    sd = net.state_dict()
    del sd["head.bias"]
    sd["extra"] = np.zeros(1)
    sd["body.0.weight"] = np.full((3, 4), 2.0)
    res = net.load_state_dict(sd, strict=False)
    assert res.missing_keys == ["head.bias"] and res.unexpected_keys == ["extra"]
    missing, unexpected = res
    assert missing == ["head.bias"]
    np.testing.assert_array_equal(net.body[0].weight.data, np.full((3, 4), 2.0))
    assert repr(net.load_state_dict(net.state_dict())) == "<All keys matched successfully>"
    with pytest.raises(KeyError, match="head.bias"):
        net.load_state_dict({k: v for k, v in net.state_dict().items() if k != "head.bias"})
    bad = net.state_dict()
    bad["head.weight"] = np.zeros((2, 4))  # PyTorch's layout
    with pytest.raises(ValueError, match=r"head.weight .*\(2, 4\).*\(4, 2\).*transpose"):
        net.load_state_dict(bad, strict=False)


@requires_torch
def test_load_a_torch_state_dict_after_transposing_linear_weights():
    theirs = TorchNet().double()
    sd = {k: (v.T if k.endswith("weight") and v.ndim == 2 else v)
          for k, v in theirs.state_dict().items()}
    ours = Net()
    ours.load_state_dict(sd)
    x = RNG.standard_normal((5, 3))
    assert_close(ours(Tensor(x)).data, tnp(theirs.head(theirs.body(torch.tensor(x))) * theirs.scale
                                    + theirs.running))


def test_state_dict_keep_vars_and_prefix():
    net = Net()
    sd = net.state_dict(keep_vars=True)
    assert sd["head.weight"] is net.head.weight
    assert list(net.state_dict(prefix="model."))[0] == "model.scale"


def test_train_eval_propagate():
    net = Net()
    assert net.training and net.body[1].training
    assert net.eval() is net
    assert all(not m.training for m in net.modules())
    net.body.train()
    assert net.body.training and net.body[0].training and not net.training
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError):
        net.train("yes")


def test_apply_visits_children_first_then_self_and_initialises():
    net = Net()
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen == ["Linear", "Tanh", "Sequential", "Linear", "Net"]

    def init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.5)
            nn.init.zeros_(m.bias)

    net.apply(init_weights)
    np.testing.assert_array_equal(net.head.weight.data, np.full((4, 2), 0.5))
    np.testing.assert_array_equal(net.body[0].bias.data, np.zeros(4))


def test_registration_rules():
    m = nn.Module()
    m.register_parameter("w", nn.Parameter(np.ones(2)))
    m.add_module("sub", nn.Linear(2, 2, rng=0))
    m.register_module("sub2", nn.ReLU())
    m.register_parameter("nothing", None)
    assert [n for n, _ in m.named_parameters()] == ["w", "sub.weight", "sub.bias"]
    assert m.get_submodule("sub") is m.sub and m.get_submodule("") is m
    assert m.get_parameter("sub.bias") is m.sub.bias
    with pytest.raises(AttributeError, match="has no attribute `nope`"):
        m.get_submodule("sub.nope")
    with pytest.raises(TypeError, match="parameter 'w'"):
        m.w = Tensor([1.0, 2.0])  # a plain tensor where a Parameter is registered
    with pytest.raises(KeyError, match="already exists"):
        m.register_buffer("w", Tensor([1.0]))
    with pytest.raises(KeyError):
        m.register_parameter("a.b", nn.Parameter(np.ones(1)))
    with pytest.raises(TypeError, match="not a Module"):
        m.add_module("x", 3)
    m.w = None
    assert "w" not in dict(m.named_parameters())
    del m.sub
    assert [n for n, _ in m.named_children()] == ["sub2"]
    m.plain = 3  # plain attributes stay plain
    assert m.plain == 3 and "plain" not in m._parameters

    class NoInit(nn.Module):
        def __init__(self):
            self.lin = nn.Linear(1, 1, rng=0)

    with pytest.raises(AttributeError, match="__init__"):
        NoInit()


def test_requires_grad_and_zero_grad():
    net = Net()
    assert net.requires_grad_(False) is net
    assert not any(p.requires_grad for p in net.parameters())
    net.requires_grad_()
    net(Tensor(RNG.standard_normal((2, 3)))).sum().backward()
    grad = net.head.weight.grad
    net.zero_grad(set_to_none=False)
    assert net.head.weight.grad is not None
    np.testing.assert_array_equal(net.head.weight.grad.data, 0.0)
    assert grad is net.head.weight.grad
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_to_float_double_and_devices():
    net = Net()
    opt_params = list(net.parameters())
    net(Tensor(RNG.standard_normal((2, 3)))).sum().backward()
    assert net.float() is net
    assert all(p.dtype == np.float32 for p in net.parameters())
    assert all(p.grad.dtype == np.float32 for p in net.parameters())
    assert net.running.dtype == np.float32
    assert list(net.parameters()) == opt_params  # the same Parameter objects
    out = net(Tensor(RNG.standard_normal((2, 3)), dtype=np.float32))
    assert out.dtype == np.float32
    net.to(np.float64)
    assert all(p.dtype == np.float64 for p in net.parameters())
    net.to("cpu").to(device="cpu", dtype=np.float32).cpu()
    assert net.head.weight.dtype == np.float32
    net.to(Tensor([1.0]))
    assert net.head.weight.dtype == np.float64
    net.double()
    for bad in ["cuda", "cuda:0", 0]:
        with pytest.raises(RuntimeError, match="CPU with NumPy"):
            net.to(bad)
    with pytest.raises(RuntimeError, match="CPU with NumPy"):
        net.cuda()
    with pytest.raises(TypeError):
        net.to(np.int64)


def test_forward_hooks_and_module_calls_annotation():
    lin = nn.Linear(2, 2, rng=0)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda m, args: calls.append("pre") or (args[0] * 2.0,))
    h2 = lin.register_forward_hook(lambda m, args, out: calls.append("post") or out * 0.0)
    x = Tensor(np.ones((1, 2)), requires_grad=True)
    out = lin(x)
    assert calls == ["pre", "post"]
    np.testing.assert_array_equal(out.data, 0.0)
    h1.remove()
    h2.remove()
    out = lin(x)
    np.testing.assert_allclose(out.data, x.data @ lin.weight.data + lin.bias.data)
    # the graph annotation draw_graph uses: which module made the output, from which inputs
    ((module, ins),) = out._ctx.__dict__["module_calls"]
    assert module is lin and ins[0] is x


def test_missing_forward_and_init_args():
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(Tensor([1.0]))
    with pytest.raises(TypeError):
        nn.Module(3)


def test_parameter():
    t = Tensor([1.0, 2.0])
    p = nn.Parameter(t)
    assert p.requires_grad and p.data is t.data  # shares, as PyTorch's
    assert nn.Parameter(np.ones(2), requires_grad=False).requires_grad is False
    assert nn.Parameter().shape == (0,)
    assert repr(p).startswith("Parameter containing:\n")


def test_unimplemented_names_say_so():
    with pytest.raises(AttributeError, match="does not implement torch.nn.Conv3d yet"):
        nn.Conv3d  # noqa: B018
    with pytest.raises(AttributeError, match=r"torch.nn.functional.conv3d yet"):
        F.conv3d  # noqa: B018
    with pytest.raises(AttributeError, match=r"torch.nn.init.dirac_ yet"):
        nn.init.dirac_  # noqa: B018
    assert not hasattr(nn, "_private")
    import tinygrad_edu.nn.functional as F2

    assert F2 is F and nn.functional is F


# --------------------------------------------------------------------------- containers


@requires_torch
def test_sequential_like_torch():
    layers = OrderedDict([("fc", nn.Linear(3, 4, rng=0)), ("act", nn.ReLU()),
                          ("out", nn.Linear(4, 1, rng=1))])
    seq = nn.Sequential(layers)
    tseq = torch.nn.Sequential(OrderedDict([("fc", torch.nn.Linear(3, 4)),
                                            ("act", torch.nn.ReLU()),
                                            ("out", torch.nn.Linear(4, 1))]))
    assert repr(seq) == repr(tseq)
    assert [n for n, _ in seq.named_parameters()] == [n for n, _ in tseq.named_parameters()]
    assert seq.fc is layers["fc"] and seq[0] is seq.fc and seq[-1] is seq.out
    sub = seq[1:]
    assert isinstance(sub, nn.Sequential) and list(sub._modules) == ["act", "out"]
    assert len(seq) == 3 and [type(m).__name__ for m in seq] == ["Linear", "ReLU", "Linear"]
    plain = nn.Sequential(nn.Linear(2, 2, rng=0))
    plain.append(nn.Tanh()).extend([nn.ReLU()])
    plain.insert(1, nn.Sigmoid())
    assert [type(m).__name__ for m in plain] == ["Linear", "Sigmoid", "Tanh", "ReLU"]
    assert list(plain._modules) == ["0", "1", "2", "3"]
    del plain[1]
    assert [type(m).__name__ for m in plain] == ["Linear", "Tanh", "ReLU"]
    assert list(plain._modules) == ["0", "1", "2"] and plain[1] is getattr(plain, "1")
    assert isinstance(plain.pop(-1), nn.ReLU) and len(plain) == 2
    plain[1] = nn.Sigmoid()
    assert list(plain._modules) == ["0", "1"] and isinstance(plain[1], nn.Sigmoid)
    with pytest.raises(IndexError):
        plain[5]
    with pytest.raises(TypeError):
        nn.Sequential(nn.ReLU(), "relu")
    x = Tensor(RNG.standard_normal((2, 3)))
    assert_close(seq(x).data, seq.out(seq.act(seq.fc(x))).data)


@requires_torch
def test_module_list_registers_and_behaves_like_a_list():
    class Stack(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 2, rng=i) for i in range(3)])

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    m = Stack()
    names = [n for n, _ in m.named_parameters()]
    assert names[:2] == ["layers.0.weight", "layers.0.bias"] and len(names) == 6
    ml = m.layers
    assert len(ml) == 3 and ml[-1] is ml[2] and isinstance(ml[1:], nn.ModuleList)
    assert len(ml[1:]) == 2 and ml[1:][0] is ml[1]
    ml.append(nn.ReLU())
    ml.extend([nn.Tanh()])
    ml.insert(0, nn.Sigmoid())
    assert [type(x).__name__ for x in ml] == ["Sigmoid", "Linear", "Linear", "Linear", "ReLU",
                                             "Tanh"]
    assert list(ml._modules) == [str(i) for i in range(6)]
    del ml[0]
    assert type(ml[0]).__name__ == "Linear" and len(ml) == 5
    ml += [nn.ReLU()]
    assert len(ml) == 6
    with pytest.raises(NotImplementedError):
        ml(Tensor([1.0]))
    # PyTorch's repr compresses repeated layers
    ours = nn.ModuleList([nn.Linear(2, 2, rng=0), nn.Linear(2, 2, rng=1), nn.ReLU(),
                          nn.Linear(2, 2, rng=2)])
    theirs = torch.nn.ModuleList([torch.nn.Linear(2, 2), torch.nn.Linear(2, 2), torch.nn.ReLU(),
                                  torch.nn.Linear(2, 2)])
    assert repr(ours) == repr(theirs)
    assert repr(nn.ModuleList()) == repr(torch.nn.ModuleList())


@requires_torch
def test_module_dict_parameter_list_and_dict():
    md = nn.ModuleDict({"a": nn.Linear(2, 3, rng=0), "b": nn.ReLU()})
    md["c"] = nn.Tanh()
    assert list(md) == ["a", "b", "c"] and "b" in md and len(md) == 3
    assert [n for n, _ in md.named_parameters()] == ["a.weight", "a.bias"]
    assert isinstance(md.pop("b"), nn.ReLU) and list(md.keys()) == ["a", "c"]
    md.update([("d", nn.Sigmoid())])
    assert [k for k, _ in md.items()] == ["a", "c", "d"]
    tmd = torch.nn.ModuleDict({"a": torch.nn.Linear(2, 3), "c": torch.nn.Tanh(),
                               "d": torch.nn.Sigmoid()})
    assert repr(md) == repr(tmd)

    pl = nn.ParameterList([nn.Parameter(np.ones((2, 3))), Tensor(np.zeros(4))])
    pl.append(np.ones(1))
    assert all(isinstance(p, nn.Parameter) for p in pl) and len(pl) == 3
    assert [n for n, _ in pl.named_parameters()] == ["0", "1", "2"]
    assert pl[-1].shape == (1,)
    tpl = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(2, 3, dtype=torch.float64)),
                                  torch.zeros(4, dtype=torch.float64),
                                  torch.ones(1, dtype=torch.float64)])
    assert repr(pl) == repr(tpl).replace("torch.float64", "float64")

    pd = nn.ParameterDict({"w": Tensor(np.ones(2))})
    pd["b"] = nn.Parameter(np.zeros(1))
    assert [n for n, _ in pd.named_parameters()] == ["w", "b"]
    assert isinstance(pd["w"], nn.Parameter) and "b" in pd and len(pd) == 2
    del pd["w"]
    assert list(pd) == ["b"] and [n for n, _ in pd.named_parameters()] == ["b"]

    class Holder(nn.Module):
        def __init__(self):
            super().__init__()
            self.ps = nn.ParameterList([nn.Parameter(np.ones(2))])

    assert list(Holder().state_dict()) == ["ps.0"]


def test_no_grad_inside_forward_still_annotates_nothing():
    lin = nn.Linear(2, 2, rng=0)
    with no_grad():
        out = lin(Tensor(np.ones((1, 2))))
    assert out._ctx is None


# --------------------------------------------------------------------------- F's layer functions


@requires_torch
@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("dim", [1, 0, -1])
def test_normalize_vs_torch(p, dim):
    x = inputs((3, 4))
    x[1] = 0.0  # a zero row: the norm is clamped to eps, the gradient stays finite
    check_against_torch(lambda t: F.normalize(t, p=p, dim=dim),
                        lambda t: torch.nn.functional.normalize(t, p=p, dim=dim), [x])


@requires_torch
@pytest.mark.parametrize("pad,value", [((1, 2), 0.0), ((0, 1, 2, 0), 1.5), ((-1, 2), 0.0),
                                       ((1, 1, -1, 0, 2, 1), -3.0)])
def test_pad_constant_vs_torch(pad, value):
    check_against_torch(lambda t: F.pad(t, pad, value=value),
                        lambda t: torch.nn.functional.pad(t, pad, value=value),
                        [inputs((2, 3, 4))])
    with pytest.raises(ValueError, match="mode must be"):
        F.pad(Tensor(np.ones((2, 3))), (1, 1), mode="mirror")  # (the other modes: see
        # tests/test_torch_semantics.py, TestPadModes)


@requires_torch
def test_one_hot_vs_torch():
    y = np.array([[0, 2], [3, 1]])
    for labels in [Tensor(y, dtype=np.int64), y]:
        for n in (-1, 6):
            ours = F.one_hot(labels, n)
            theirs = torch.nn.functional.one_hot(torch.tensor(y), n)
            assert ours.dtype == np.int64 and not ours.requires_grad
            np.testing.assert_array_equal(ours.data, theirs.numpy())
    with pytest.raises(RuntimeError, match="LongTensor"):
        F.one_hot(Tensor([0.0, 1.0]))
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(y, 3)


# --------------------------------------------------------------------------- nn.utils


def _model_pair(seed=0):
    ours = nn.Sequential(nn.Linear(4, 6, rng=seed), nn.Tanh(), nn.Linear(6, 2, rng=seed + 1))
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(),
                                 torch.nn.Linear(6, 2)).double()
    with torch.no_grad():
        for (name, p), tp in zip(ours.named_parameters(), theirs.parameters(), strict=True):
            tp.copy_(torch.tensor(p.data.T if name.endswith("weight") else p.data))
    x = RNG.standard_normal((5, 4)) * 3
    (ours(Tensor(x)) ** 2).sum().backward()
    (theirs(torch.tensor(x)) ** 2).sum().backward()
    return ours, theirs


def _grads_equal(ours, theirs):
    for (name, p), tp in zip(ours.named_parameters(), theirs.parameters(), strict=True):
        assert_close(p.grad.data, tp.grad.numpy().T if name.endswith("weight") else tp.grad.numpy())


@requires_torch
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_vs_torch(max_norm, norm_type):
    ours, theirs = _model_pair()
    total = nn.utils.clip_grad_norm_(ours.parameters(), max_norm, norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(theirs.parameters(), max_norm, norm_type)
    assert_close(total.data, ttotal.numpy())
    _grads_equal(ours, theirs)


@requires_torch
def test_clip_grad_value_and_vector_round_trip_vs_torch():
    ours, theirs = _model_pair(3)
    assert nn.utils.clip_grad_value_(ours.parameters(), 0.3) is None
    torch.nn.utils.clip_grad_value_(theirs.parameters(), 0.3)
    _grads_equal(ours, theirs)
    vec = nn.utils.parameters_to_vector(ours.parameters())
    assert vec.shape == (4 * 6 + 6 + 6 * 2 + 2,)
    vec.sum().backward()  # differentiable, as torch's
    new = Tensor(np.arange(vec.shape[0], dtype=np.float64))
    nn.utils.vector_to_parameters(new, ours.parameters())
    np.testing.assert_array_equal(nn.utils.parameters_to_vector(ours.parameters()).data,
                                  new.data)
    with pytest.raises(AttributeError, match="torch.nn.utils.rnn yet"):
        nn.utils.rnn  # noqa: B018
    with pytest.raises(RuntimeError, match="non-finite"):
        p = nn.Parameter(np.ones(2))
        p.grad = Tensor([np.inf, 1.0])
        nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)
