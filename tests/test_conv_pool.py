"""Convolution and pooling against PyTorch (float64, values and gradients to 1e-10).

``F.conv1d/conv2d/unfold``, ``F.max_pool1d/2d``, ``F.avg_pool1d/2d``,
``F.adaptive_avg_pool1d/2d`` and their modules; finite differences (first and second order) of
the window primitive (``ops.Windows``, whose backward is ``ops.AddWindows``) and of conv2d;
a LeNet forward+backward with the weights copied from torch's.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from helpers import requires_torch, torch

import tinygrad_edu
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Tensor, gradcheck, gradgradcheck, nn
from tinygrad_edu import random as trandom
from tinygrad_edu.ops import AddWindows, Windows

TOL = 1e-10


def _np(t: Any) -> np.ndarray:
    return t.detach().numpy()


def _both(*arrays: np.ndarray) -> tuple[list[Tensor], list[Any]]:
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    return ours, theirs


def _compare(ours: list[Tensor], theirs: list[Any], y: Tensor, ty: Any, seed: int = 1) -> None:
    """Values of y, then the gradients of every input for one random output gradient."""
    assert tuple(y.shape) == tuple(ty.shape)
    np.testing.assert_allclose(y.data, _np(ty), rtol=TOL, atol=TOL)
    g = np.random.default_rng(seed).standard_normal(tuple(ty.shape))
    (y * Tensor(g)).sum().backward()
    ty.backward(torch.tensor(g))
    for a, b in zip(ours, theirs, strict=True):
        assert a.grad is not None
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=TOL, atol=TOL)


# ------------------------------------------------------------------------ conv


CONV2D_CASES = [
    # x shape, weight shape, keyword arguments
    ((2, 3, 8, 8), (4, 3, 3, 3), {}),
    ((1, 1, 28, 28), (6, 1, 5, 5), {}),                          # a batch of one, LeNet's first
    ((2, 3, 9, 7), (5, 3, 3, 2), {"stride": 2, "padding": 1}),   # odd sizes, non-square kernel
    ((2, 2, 10, 11), (3, 2, 3, 3), {"stride": (2, 3), "padding": (2, 0)}),
    ((2, 2, 11, 9), (4, 2, 3, 2), {"dilation": (2, 3), "padding": 2}),
    ((2, 4, 7, 7), (6, 2, 3, 3), {"groups": 2, "padding": 1}),
    ((1, 6, 6, 5), (6, 1, 3, 3), {"groups": 6, "stride": 2}),    # depthwise
    ((2, 3, 7, 8), (4, 3, 4, 3), {"padding": "same"}),           # an even kernel: odd pad right
    ((2, 3, 7, 8), (4, 3, 3, 3), {"padding": "same", "dilation": 2}),
    ((2, 3, 7, 8), (4, 3, 3, 3), {"padding": "valid", "stride": 3}),
    ((3, 5, 5), (2, 3, 2, 2), {}),                               # unbatched (C, H, W)
]


@requires_torch
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")  # torch's, not ours
@pytest.mark.parametrize(("xs", "ws", "kw"), CONV2D_CASES)
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d_values_and_gradients_match_torch(xs, ws, kw, bias):
    rng = np.random.default_rng(0)
    if len(xs) == 3:
        xs = (ws[1],) + xs[1:]
    arrays = [rng.standard_normal(xs), rng.standard_normal(ws)]
    if bias:
        arrays.append(rng.standard_normal(ws[0]))
    ours, theirs = _both(*arrays)
    _compare(ours, theirs, F.conv2d(*ours, **kw), torch.nn.functional.conv2d(*theirs, **kw))


@requires_torch
@pytest.mark.parametrize(("xs", "ws", "kw"), [
    ((2, 3, 10), (4, 3, 3), {}),
    ((1, 2, 9), (4, 1, 2), {"groups": 2, "stride": 2, "padding": 1, "dilation": 2}),
    ((2, 3, 8), (2, 3, 4), {"padding": "same"}),
    ((3, 7), (2, 3, 3), {"padding": 1}),                      # unbatched (C, L)
])
def test_conv1d_values_and_gradients_match_torch(xs, ws, kw):
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])]
    ours, theirs = _both(*arrays)
    _compare(ours, theirs, F.conv1d(*ours, **kw), torch.nn.functional.conv1d(*theirs, **kw))


@requires_torch
@pytest.mark.parametrize(("xs", "kw"), [
    ((2, 3, 6, 7), {"kernel_size": 3}),
    ((1, 2, 7, 6), {"kernel_size": (2, 3), "stride": 2, "padding": 1, "dilation": (2, 1)}),
    ((2, 5, 5), {"kernel_size": 2}),
])
def test_unfold_matches_torch(xs, kw):
    ours, theirs = _both(np.random.default_rng(2).standard_normal(xs))
    _compare(ours, theirs, F.unfold(*ours, **kw), torch.nn.functional.unfold(*theirs, **kw))


def test_conv2d_errors_name_the_operation_and_shapes():
    x = Tensor(np.zeros((1, 3, 5, 5)))
    with pytest.raises(RuntimeError, match=r"conv2d: weight of shape \(2, 2, 3, 3\).*3 channels"):
        F.conv2d(x, Tensor(np.zeros((2, 2, 3, 3))))
    with pytest.raises(RuntimeError, match="conv2d: the padded input's size 5 .* kernel's span 7"):
        F.conv2d(x, Tensor(np.zeros((2, 3, 7, 7))))
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        F.conv2d(x, Tensor(np.zeros((2, 3, 3, 3))), stride=2, padding="same")
    with pytest.raises(RuntimeError, match="expected a 3D .* or 4D"):
        F.conv2d(Tensor(np.zeros((5, 5))), Tensor(np.zeros((2, 3, 3, 3))))
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)


# ------------------------------------------------------------------ finite differences


def test_conv2d_with_no_input_channel_gives_the_bias_over_every_output_channel():
    # an empty sum over the input channels is 0, so each output channel is its bias; torch
    # 2.13 returns (N, 0, H, W) here instead (the fuzzer skips this case, this test keeps ours)
    rng = np.random.default_rng(3)
    x = Tensor(rng.standard_normal((2, 0, 5, 4)), requires_grad=True)
    w = Tensor(rng.standard_normal((3, 0, 3, 3)), requires_grad=True)
    b = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    out = F.conv2d(x, w, b, stride=1, padding=1)
    assert out.shape == (2, 3, 5, 4)
    bias_everywhere = np.broadcast_to(b.data.reshape(1, 3, 1, 1), (2, 3, 5, 4))
    np.testing.assert_array_equal(out.data, bias_everywhere)
    up = rng.standard_normal((2, 3, 5, 4))
    (out * Tensor(up)).sum().backward()
    np.testing.assert_array_equal(b.grad, up.sum(axis=(0, 2, 3)))  # d out / d b = 1 everywhere
    assert x.grad.shape == (2, 0, 5, 4) and w.grad.shape == (3, 0, 3, 3)


def test_window_primitive_gradcheck_and_second_order():
    rng = np.random.default_rng(3)
    x = Tensor(rng.standard_normal((1, 2, 5, 4)), requires_grad=True)
    params = {"kernel": (2, 3), "stride": (2, 1), "dilation": (1, 1), "padding": ((1, 0), (1, 1))}
    assert gradcheck(lambda t: Windows.apply(t, **params), x)
    assert gradgradcheck(lambda t: Windows.apply(t, **params) ** 2, x)
    g = Tensor(rng.standard_normal(Windows.apply(x, **params).shape), requires_grad=True)
    assert gradcheck(lambda t: AddWindows.apply(t, shape=(1, 2, 5, 4), **params), g)
    assert gradgradcheck(lambda t: AddWindows.apply(t, shape=(1, 2, 5, 4), **params) ** 2, g)


def test_conv2d_gradcheck_and_second_order():
    rng = np.random.default_rng(4)
    x = Tensor(rng.standard_normal((2, 2, 5, 5)), requires_grad=True)
    w = Tensor(rng.standard_normal((2, 1, 2, 3)), requires_grad=True)
    b = Tensor(rng.standard_normal(2), requires_grad=True)

    def conv(x: Tensor, w: Tensor, b: Tensor) -> Tensor:
        return F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2), groups=2)

    assert gradcheck(conv, x, w, b)
    assert gradgradcheck(conv, x, w, b)


@requires_torch
def test_conv2d_second_derivative_matches_torch():
    rng = np.random.default_rng(5)
    arrays = [rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3))]
    (x, w), (tx, tw) = _both(*arrays)
    y = (F.conv2d(x, w, padding=1) ** 2).sum()
    (gx,) = tinygrad_edu.autograd.grad(y, [x], create_graph=True)
    (gx ** 2).sum().backward()
    ty = (torch.nn.functional.conv2d(tx, tw, padding=1) ** 2).sum()
    (tgx,) = torch.autograd.grad(ty, [tx], create_graph=True)
    (tgx ** 2).sum().backward()
    np.testing.assert_allclose(gx.data, _np(tgx), rtol=TOL, atol=TOL)
    np.testing.assert_allclose(w.grad.data, tw.grad.numpy(), rtol=TOL, atol=TOL)


# ------------------------------------------------------------------------ pooling


POOL_CASES = [
    ("max_pool2d", (2, 3, 8, 8), {"kernel_size": 2}),
    ("max_pool2d", (2, 3, 7, 9), {"kernel_size": 3, "stride": 2, "padding": 1}),
    ("max_pool2d", (1, 2, 9, 8), {"kernel_size": (3, 2), "stride": (2, 1), "dilation": 2}),
    ("max_pool2d", (2, 2, 7, 8), {"kernel_size": 3, "stride": 2, "ceil_mode": True}),
    ("max_pool2d", (2, 2, 7, 8), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
    ("max_pool2d", (3, 7, 7), {"kernel_size": 2}),                # unbatched
    ("max_pool1d", (2, 3, 11), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
    ("avg_pool2d", (2, 3, 8, 8), {"kernel_size": 2}),
    ("avg_pool2d", (2, 3, 7, 9), {"kernel_size": 3, "stride": 2, "padding": 1}),
    ("avg_pool2d", (2, 3, 7, 9), {"kernel_size": 3, "stride": 2, "padding": 1,
                                  "count_include_pad": False}),
    ("avg_pool2d", (2, 2, 7, 8), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
    ("avg_pool2d", (2, 2, 7, 8), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True,
                                  "count_include_pad": False}),
    ("avg_pool2d", (2, 2, 7, 8), {"kernel_size": (3, 2), "divisor_override": 5}),
    ("avg_pool1d", (2, 3, 10), {"kernel_size": 4, "stride": 3, "padding": 2, "ceil_mode": True}),
    ("adaptive_avg_pool2d", (2, 3, 7, 10), {"output_size": (3, 4)}),
    ("adaptive_avg_pool2d", (2, 3, 8, 8), {"output_size": (None, 3)}),
    ("adaptive_avg_pool2d", (3, 5, 6), {"output_size": 1}),
    ("adaptive_avg_pool1d", (2, 3, 7), {"output_size": 3}),
]


@requires_torch
@pytest.mark.parametrize(("name", "xs", "kw"), POOL_CASES)
def test_pooling_values_and_gradients_match_torch(name, xs, kw):
    ours, theirs = _both(np.random.default_rng(6).standard_normal(xs))
    _compare(ours, theirs, getattr(F, name)(*ours, **kw),
             getattr(torch.nn.functional, name)(*theirs, **kw))


@requires_torch
@pytest.mark.parametrize(("xs", "kw"), [
    ((2, 2, 6, 6), {"kernel_size": 2}),
    ((1, 2, 6, 7), {"kernel_size": 3, "stride": 1}),                  # overlapping windows
    ((1, 2, 6, 7), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
])
def test_max_pool_ties_send_the_gradient_to_the_first_maximum_as_torch(xs, kw):
    x = np.random.default_rng(7).integers(0, 2, xs).astype(np.float64)  # many ties
    ours, theirs = _both(x)
    (y, idx), (ty, tidx) = (F.max_pool2d(*ours, **kw, return_indices=True),
                            torch.nn.functional.max_pool2d(*theirs, **kw, return_indices=True))
    assert idx.dtype == np.int64
    np.testing.assert_array_equal(idx.data, tidx.numpy())
    _compare(ours, theirs, y, ty)


@requires_torch
def test_max_pool1d_return_indices_match_torch():
    x = np.random.default_rng(8).standard_normal((2, 3, 11))
    _, idx = F.max_pool1d(Tensor(x), 3, 2, 1, 1, True, True)
    _, tidx = torch.nn.functional.max_pool1d(torch.tensor(x), 3, 2, 1, 1, True, True)
    np.testing.assert_array_equal(idx.data, tidx.numpy())


def test_max_pool_gradcheck():
    x = Tensor(np.random.default_rng(9).standard_normal((1, 2, 5, 6)), requires_grad=True)
    assert gradcheck(lambda t: F.max_pool2d(t, 3, 2, padding=1, ceil_mode=True), x)
    assert gradcheck(lambda t: F.avg_pool2d(t, 3, 2, padding=1, count_include_pad=False), x)
    assert gradcheck(lambda t: F.adaptive_avg_pool2d(t, (2, 4)), x)


def test_pool_padding_over_half_the_kernel_is_refused():
    with pytest.raises(RuntimeError, match="max_pool2d: pad should be at most half"):
        F.max_pool2d(Tensor(np.zeros((1, 1, 5, 5))), 2, padding=2)


# ------------------------------------------------------------------------ modules


@requires_torch
@pytest.mark.parametrize("seed", [0, 7])
@pytest.mark.parametrize(("cls", "args", "kw"), [
    ("Conv2d", (1, 6, 5), {}),
    ("Conv2d", (4, 6, (3, 2)), {"stride": 2, "padding": 1, "dilation": 2, "groups": 2}),
    ("Conv2d", (3, 2, 3), {"bias": False, "padding": "same"}),
    ("Conv1d", (3, 4, 3), {"padding": 1}),
])
def test_conv_modules_init_repr_and_state_dict_are_torchs(seed, cls, args, kw):
    torch.manual_seed(seed)
    theirs = getattr(torch.nn, cls)(*args, **kw)  # float32, PyTorch's default dtype
    trandom.manual_seed(seed)
    ours = getattr(nn, cls)(*args, **kw, dtype=np.float32)
    assert repr(ours) == repr(theirs)
    sd, tsd = ours.state_dict(), theirs.state_dict()
    assert list(sd) == list(tsd)
    for k in sd:
        assert tuple(sd[k].shape) == tuple(tsd[k].shape)
        np.testing.assert_array_equal(sd[k].data, tsd[k].numpy())


@requires_torch
def test_conv_module_float64_init_is_torchs(float64_program):
    torch.manual_seed(3)
    theirs = torch.nn.Conv2d(2, 4, 3, dtype=torch.float64)
    trandom.manual_seed(3)
    ours = nn.Conv2d(2, 4, 3)
    np.testing.assert_array_equal(ours.weight.data, _np(theirs.weight))
    np.testing.assert_array_equal(ours.bias.data, _np(theirs.bias))


@requires_torch
@pytest.mark.parametrize(("ours", "theirs"), [
    ("MaxPool2d(2)", "MaxPool2d(2)"),
    ("MaxPool2d((2, 3), 1, 1)", "MaxPool2d((2, 3), 1, 1)"),
    ("MaxPool1d(3, ceil_mode=True)", "MaxPool1d(3, ceil_mode=True)"),
    ("AvgPool2d(3, 2, 1)", "AvgPool2d(3, 2, 1)"),
    ("AvgPool1d(2)", "AvgPool1d(2)"),
    ("AdaptiveAvgPool2d((2, None))", "AdaptiveAvgPool2d((2, None))"),
    ("AdaptiveAvgPool1d(4)", "AdaptiveAvgPool1d(4)"),
])
def test_pool_modules_repr_and_results_are_torchs(ours, theirs):
    m, tm = eval(f"nn.{ours}"), eval(f"torch.nn.{theirs}")
    assert repr(m) == repr(tm)
    x = np.random.default_rng(10).standard_normal((2, 3, 8) if "1d" in ours else (2, 3, 8, 9))
    (a,), (ta,) = _both(x)
    _compare([a], [ta], m(a), tm(ta))
    assert list(m.state_dict()) == list(tm.state_dict()) == []


@requires_torch
def test_max_pool2d_module_returns_indices():
    x = np.random.default_rng(11).standard_normal((1, 2, 6, 6))
    y, idx = nn.MaxPool2d(2, return_indices=True)(Tensor(x))
    ty, tidx = torch.nn.MaxPool2d(2, return_indices=True)(torch.tensor(x))
    np.testing.assert_array_equal(idx.data, tidx.numpy())
    np.testing.assert_allclose(y.data, ty.numpy(), rtol=TOL, atol=TOL)


# ------------------------------------------------------------------------ LeNet


class _LeNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x: Tensor) -> Tensor:
        x = self.pool(F.relu(self.conv1(x)))
        x = F.max_pool2d(F.relu(self.conv2(x)), (2, 2))
        x = x.flatten(1)
        return self.fc2(F.relu(self.fc1(x)))


@requires_torch
def test_lenet_forward_and_backward_match_torch():
    tnn = torch.nn

    class TorchLeNet(tnn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = tnn.Conv2d(1, 6, 5, padding=2, dtype=torch.float64)
            self.pool = tnn.MaxPool2d(2)
            self.conv2 = tnn.Conv2d(6, 16, 5, dtype=torch.float64)
            self.fc1 = tnn.Linear(16 * 5 * 5, 32, dtype=torch.float64)
            self.fc2 = tnn.Linear(32, 10, dtype=torch.float64)

        def forward(self, x: Any) -> Any:
            x = self.pool(torch.relu(self.conv1(x)))
            x = torch.nn.functional.max_pool2d(torch.relu(self.conv2(x)), (2, 2))
            x = torch.flatten(x, 1)
            return self.fc2(torch.relu(self.fc1(x)))

    torch.manual_seed(0)
    theirs, ours = TorchLeNet(), _LeNet()
    for name, p in theirs.named_parameters():  # Linear's weight is the transpose of torch's
        value = p.detach().numpy()
        target = dict(ours.named_parameters())[name]
        target.data[...] = value.T if name.startswith("fc") and name.endswith("weight") else value
    x = np.random.default_rng(12).standard_normal((4, 1, 28, 28))
    labels = np.array([3, 1, 4, 1])
    loss = F.cross_entropy(ours(Tensor(x)), Tensor(labels, dtype=np.int64))
    tloss = torch.nn.functional.cross_entropy(theirs(torch.tensor(x)), torch.tensor(labels))
    loss.backward()
    tloss.backward()
    assert math.isclose(loss.item(), tloss.item(), rel_tol=TOL, abs_tol=TOL)
    mine = dict(ours.named_parameters())
    for name, p in theirs.named_parameters():
        g = mine[name].grad.data
        g = g.T if name.startswith("fc") and name.endswith("weight") else g
        np.testing.assert_allclose(g, p.grad.numpy(), rtol=TOL, atol=TOL, err_msg=name)
