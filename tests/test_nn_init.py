"""nn.init against torch.nn.init: after the same manual_seed the numbers are torch's (for
nn.Linear's (in, out) weight, torch's (out, in) numbers transposed); fans, gains and errors
as torch's; the functions write in place outside the graph."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import requires_torch, torch

from tinygrad_edu import Tensor, nn
from tinygrad_edu import random as trandom

# These tests compare float64 draws with torch's float64 ones: as a program that set that
# default (without it a float64 tensor draws PyTorch's float32 stream; see test_random).
pytestmark = pytest.mark.usefixtures("float64_program")

SHAPES = [(3, 4), (1, 1), (5, 2), (4, 3, 2, 2), (6, 2, 3)]


def same_seed(seed):
    torch.manual_seed(seed)
    trandom.manual_seed(seed)


def pair(shape, dtype=np.float64):
    """A tinygrad_edu tensor and a torch tensor of ``shape``, both zeros."""
    tdtype = torch.float64 if dtype == np.float64 else torch.float32
    return Tensor(np.zeros(shape), dtype=dtype), torch.zeros(shape, dtype=tdtype)


# name -> (call on ours, call on torch's)
RANDOM_INITS = {
    "uniform_": (lambda t: nn.init.uniform_(t), lambda t: torch.nn.init.uniform_(t)),
    "uniform_ab": (lambda t: nn.init.uniform_(t, -2.0, 0.5),
                   lambda t: torch.nn.init.uniform_(t, -2.0, 0.5)),
    "normal_": (lambda t: nn.init.normal_(t), lambda t: torch.nn.init.normal_(t)),
    "normal_ms": (lambda t: nn.init.normal_(t, 1.5, 0.2),
                  lambda t: torch.nn.init.normal_(t, 1.5, 0.2)),
    "xavier_uniform_": (lambda t: nn.init.xavier_uniform_(t),
                        lambda t: torch.nn.init.xavier_uniform_(t)),
    "xavier_uniform_gain": (
        lambda t: nn.init.xavier_uniform_(t, gain=nn.init.calculate_gain("relu")),
        lambda t: torch.nn.init.xavier_uniform_(t, gain=torch.nn.init.calculate_gain("relu"))),
    "xavier_normal_": (lambda t: nn.init.xavier_normal_(t, 0.5),
                       lambda t: torch.nn.init.xavier_normal_(t, 0.5)),
    "kaiming_uniform_": (lambda t: nn.init.kaiming_uniform_(t),
                         lambda t: torch.nn.init.kaiming_uniform_(t)),
    "kaiming_uniform_linear": (lambda t: nn.init.kaiming_uniform_(t, a=math.sqrt(5)),
                               lambda t: torch.nn.init.kaiming_uniform_(t, a=math.sqrt(5))),
    "kaiming_uniform_fan_out": (
        lambda t: nn.init.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu"),
        lambda t: torch.nn.init.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu")),
    "kaiming_normal_": (lambda t: nn.init.kaiming_normal_(t),
                        lambda t: torch.nn.init.kaiming_normal_(t)),
    "kaiming_normal_tanh": (
        lambda t: nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="tanh"),
        lambda t: torch.nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="tanh")),
    "trunc_normal_": (lambda t: nn.init.trunc_normal_(t),
                      lambda t: torch.nn.init.trunc_normal_(t)),
    "trunc_normal_args": (lambda t: nn.init.trunc_normal_(t, 0.5, 0.02, -0.1, 1.0),
                          lambda t: torch.nn.init.trunc_normal_(t, 0.5, 0.02, -0.1, 1.0)),
    # a narrow [a, b]: rejection sampling from a uniform, several rounds
    "trunc_normal_narrow": (lambda t: nn.init.trunc_normal_(t, 0.0, 1.0, 1.0, 3.0),
                            lambda t: torch.nn.init.trunc_normal_(t, 0.0, 1.0, 1.0, 3.0)),
    "orthogonal_": (lambda t: nn.init.orthogonal_(t), lambda t: torch.nn.init.orthogonal_(t)),
    "orthogonal_gain": (lambda t: nn.init.orthogonal_(t, gain=2.0),
                        lambda t: torch.nn.init.orthogonal_(t, gain=2.0)),
}



@requires_torch
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", list(RANDOM_INITS))
def test_random_inits_are_torchs_after_the_same_seed(name, shape):
    ours_fn, theirs_fn = RANDOM_INITS[name]
    ours, theirs = pair(shape)
    same_seed(4)
    assert ours_fn(ours) is ours
    theirs_fn(theirs)
    tol = 1e-12 if name.startswith("orthogonal") else 0.0  # QR: LAPACK, two builds
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=tol, atol=tol)
    # both generators went on from the same place
    np.testing.assert_array_equal(trandom.uniform((2,), 0.0, 1.0, np.float64, None),
                                  torch.rand(2, dtype=torch.float64).numpy())


@requires_torch
@pytest.mark.parametrize("name", [n for n in RANDOM_INITS if not n.startswith("orthogonal")])
def test_random_inits_float32(name):
    ours_fn, theirs_fn = RANDOM_INITS[name]
    ours, theirs = pair((4, 5), np.float32)
    same_seed(8)
    ours_fn(ours)
    theirs_fn(theirs)
    assert ours.dtype == np.float32
    np.testing.assert_array_equal(ours.data, theirs.numpy())


@requires_torch
@pytest.mark.parametrize("name", list(RANDOM_INITS))
def test_linear_weight_gets_torchs_numbers_transposed(name):
    ours_fn, theirs_fn = RANDOM_INITS[name]
    lin = nn.Linear(3, 5, rng=0)  # weight (3, 5): PyTorch's is (5, 3)
    theirs = torch.zeros(5, 3, dtype=torch.float64)
    weight_array = lin.weight.data
    same_seed(12)
    ours_fn(lin.weight)
    theirs_fn(theirs)
    assert lin.weight.data is weight_array  # in place
    tol = 1e-12 if name.startswith("orthogonal") else 0.0
    np.testing.assert_allclose(lin.weight.data, theirs.numpy().T, rtol=tol, atol=tol)


@requires_torch
def test_generator_argument():
    ours, theirs = pair((4, 3))
    g, tg = trandom.Generator().manual_seed(21), torch.Generator().manual_seed(21)
    nn.init.xavier_uniform_(ours, generator=g)
    torch.nn.init.xavier_uniform_(theirs, generator=tg)
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    nn.init.kaiming_normal_(ours, generator=g)
    torch.nn.init.kaiming_normal_(theirs, generator=tg)
    np.testing.assert_array_equal(ours.data, theirs.numpy())


@requires_torch
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_fans_as_torch_and_transposed_for_linear(shape):
    ours, theirs = pair(shape)
    assert nn.init._calculate_fan_in_and_fan_out(ours) == \
        torch.nn.init._calculate_fan_in_and_fan_out(theirs)
    lin = nn.Linear(3, 7, rng=0)
    assert nn.init._calculate_fan_in_and_fan_out(lin.weight) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.nn.Linear(3, 7).weight) == (3, 7)


@requires_torch
def test_calculate_gain_as_torch():
    for nl in ["linear", "conv2d", "sigmoid", "tanh", "relu", "selu", "leaky_relu"]:
        assert nn.init.calculate_gain(nl) == torch.nn.init.calculate_gain(nl)
    assert nn.init.calculate_gain("leaky_relu", 0.2) == \
        torch.nn.init.calculate_gain("leaky_relu", 0.2)
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        nn.init.calculate_gain("swish")
    with pytest.raises(ValueError, match="not a valid number"):
        nn.init.calculate_gain("leaky_relu", True)


@requires_torch
def test_deterministic_inits_as_torch():
    for shape in [(3, 4), (4, 3), (2, 3, 4)]:
        ours, theirs = pair(shape)
        nn.init.constant_(ours, 0.25)
        torch.nn.init.constant_(theirs, 0.25)
        np.testing.assert_array_equal(ours.data, theirs.numpy())
        nn.init.ones_(ours)
        np.testing.assert_array_equal(ours.data, np.ones(shape))
        nn.init.zeros_(ours)
        np.testing.assert_array_equal(ours.data, np.zeros(shape))
    for shape in [(3, 4), (4, 3)]:
        ours, theirs = pair(shape)
        nn.init.eye_(ours)
        torch.nn.init.eye_(theirs)
        np.testing.assert_array_equal(ours.data, theirs.numpy())
    lin = nn.Linear(2, 3, rng=0)
    nn.init.eye_(lin.weight)
    np.testing.assert_array_equal(lin.weight.data, np.eye(3, 2).T)


def test_errors_as_torch():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(Tensor(np.zeros(3)))
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions"):
        nn.init.eye_(Tensor(np.zeros((2, 2, 2))))
    with pytest.raises(ValueError, match="2 or more dimensions"):
        nn.init.orthogonal_(Tensor(np.zeros(3)))
    with pytest.raises(ValueError, match="fan_in"):
        nn.init.kaiming_uniform_(Tensor(np.zeros((2, 2))), mode="fan_middle")
    with pytest.warns(UserWarning, match="zero-element"):
        nn.init.kaiming_uniform_(Tensor(np.zeros((0, 3))))
    with pytest.raises(TypeError):
        nn.init.uniform_(np.zeros(3))


def test_init_writes_outside_the_graph_and_bumps_the_version():
    w = nn.Parameter(np.ones((2, 2)))
    y = w * w  # saves w for backward
    nn.init.normal_(w)
    assert w.is_leaf and w.requires_grad and w.grad is None
    # PyTorch's version counter: a backward through values changed in place raises
    if hasattr(w, "_bump_version"):
        with pytest.raises(RuntimeError):
            y.sum().backward()


@requires_torch
def test_apply_init_fn_as_in_pytorch_code():
    def init_fn(m):
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)

    def tinit_fn(m):
        if isinstance(m, torch.nn.Linear):
            torch.nn.init.xavier_uniform_(m.weight)
            torch.nn.init.zeros_(m.bias)

    same_seed(1)
    ours = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).apply(init_fn)
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4, dtype=torch.float64), torch.nn.ReLU(),
                                 torch.nn.Linear(4, 2, dtype=torch.float64)).apply(tinit_fn)
    for (n, p), (tn, tp) in zip(ours.named_parameters(), theirs.named_parameters(),
                                strict=True):
        assert n == tn
        np.testing.assert_array_equal(p.data, tp.detach().numpy().T)
