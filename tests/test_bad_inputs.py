"""Bad inputs, one row each: the call, the exception type, and words its message must contain.

Issue 13's rule: an error names the function as the user called it, the offending argument and
its value or shape, and is the right type (TypeError for a wrong type, ValueError for a wrong
value, RuntimeError for autograd misuse; where PyTorch raises IndexError or RuntimeError for the
same call, that type). Each row's words are specific to its case, so a vaguer message, NumPy's
own words or another exception type fails the row. Rows marked ``xfail(strict=True)`` with a
``core:`` reason wait for a fix in the engine core (tensor.py, ops.py, autograd.py); strict, so
the mark must go when the fix lands.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from helpers import requires_torch, torch

import tinygrad_edu as tt
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Function, Tensor, nn, optim
from tinygrad_edu.utils.data import DataLoader, TensorDataset


def _t(*shape: int) -> Tensor:
    return tt.ones(*shape, dtype=tt.float64)


def _param(*shape: int) -> nn.Parameter:
    return nn.Parameter(tt.ones(*shape, dtype=tt.float64))


class _StringGrad(Function):
    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x * 2

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return "abc"


class _ComplexGrad(Function):
    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x * 2

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad * (1 + 1j)


class _HalfForward(Function):
    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x.astype(np.float16)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad


def _set_data_list() -> None:
    t = _t(2)
    t.data = [1.0, 2.0]  # type: ignore[assignment]
    t * 2  # the list is refused where it is used (not silently repeated: [1, 2, 1, 2])


def _backward(f: Callable[[Tensor], Function | Tensor]) -> Callable[[], None]:
    def run() -> None:
        x = Tensor(np.ones(2), requires_grad=True)
        f(x).sum().backward()  # type: ignore[union-attr]
    return run


# PyTorch warns too when it initializes a weight with no elements.
_ZERO_INIT = pytest.mark.filterwarnings("ignore:Initializing zero-element tensors")


def core(reason: str) -> pytest.MarkDecorator:
    """A row whose fix belongs to the engine core: expected to fail until the lead fixes it."""
    return pytest.mark.xfail(strict=True, reason="core: " + reason)


def row(call: Callable[[], Any], exc: type[BaseException] | tuple[type[BaseException], ...],
        *words: str, id: str, marks: Any = ()) -> Any:  # noqa: A002 (pytest's name)
    return pytest.param(call, exc, words, id=id, marks=marks)


ROWS = [
    # ---------------------------------------------------------------- nn.Linear and modules
    row(lambda: nn.Linear(2.5, 3), TypeError, "Linear", "in_features", "2.5", id="Linear(2.5,3)"),
    row(lambda: nn.Linear(2, "a"), TypeError, "Linear", "out_features", "'a'", id="Linear(2,'a')"),
    row(lambda: nn.Linear(-1, 3), ValueError, "Linear", "positive", "-1", id="Linear(-1,3)"),
    row(lambda: nn.Linear(3, 2)(_t(4, 5)), ValueError, "Linear(3, 2)", "(4, 5)", id="Linear-input"),
    row(lambda: F.linear(_t(2, 3), _t(4, 5)), ValueError, "linear", "(2, 3)", "(4, 5)",
        id="F.linear-shapes"),
    row(lambda: nn.Sequential(3), TypeError, "Sequential", "argument 0", "int", id="Sequential(3)"),
    row(lambda: nn.Sequential(nn.ReLU())[5], IndexError, "Sequential", "index 5", "length 1",
        id="Sequential[5]"),
    row(lambda: nn.ModuleList().append(3), TypeError, "int", "Module", id="ModuleList.append(3)"),
    row(lambda: nn.ModuleDict({"a": 3}), TypeError, "int", "Module", id="ModuleDict-int"),
    row(lambda: nn.Module().register_parameter("w", _t(2)), TypeError, "'w'", "Parameter",
        id="register_parameter-tensor"),
    row(lambda: nn.Module().add_module("a.b", nn.ReLU()), KeyError, "a.b", '"."',
        id="add_module-dot"),
    row(lambda: nn.Linear(2, 3).to("cuda"), RuntimeError, "to", "'cuda'", "cpu",
        id="Module.to-cuda"),
    row(lambda: nn.Dropout(1.5), ValueError, "Dropout", "between 0 and 1", "1.5",
        id="Dropout(1.5)"),
    row(lambda: F.dropout(_t(3), p=-0.1), ValueError, "dropout", "-0.1", id="F.dropout-p"),
    row(lambda: nn.Dropout("a"), TypeError, "Dropout", "number", "'a'", id="Dropout('a')"),
    row(lambda: nn.Embedding(-1, 3), ValueError, "Embedding", "num_embeddings", "-1",
        id="Embedding(-1,3)"),
    row(lambda: nn.Embedding(3.5, 2), TypeError, "Embedding", "num_embeddings", "3.5",
        id="Embedding(3.5,2)"),
    row(lambda: nn.LSTM(0, 8), ValueError, "LSTM", "input_size", "positive", "0",
        id="LSTM(0,8)"),
    row(lambda: nn.GRU(2.5, 8), TypeError, "GRU", "input_size", "2.5", id="GRU(2.5,8)"),
    row(lambda: nn.RNN(4, 8, num_layers=0), ValueError, "RNN", "num_layers", "0",
        id="RNN-num_layers-0"),
    row(lambda: nn.BatchNorm1d(3)(_t(4, 5)), ValueError, "BatchNorm1d(3)", "(4, 5)", "5 channels",
        id="BatchNorm1d-channels"),
    row(lambda: nn.LayerNorm(3)(_t(4, 5)), RuntimeError, "layer_norm", "[3]", "(4, 5)",
        id="LayerNorm-shape"),
    # ---------------------------------------------------------------- load_state_dict
    row(lambda: nn.Linear(2, 3).load_state_dict({"weight": "abc", "bias": np.zeros(3)}),
        TypeError, "load_state_dict", "weight", "str", id="load_state_dict-str"),
    row(lambda: nn.Linear(2, 3).load_state_dict({"weight": None, "bias": np.zeros(3)}),
        TypeError, "load_state_dict", "weight", "None", id="load_state_dict-None"),
    row(lambda: nn.Linear(2, 3).load_state_dict({"weight": np.ones((2, 3)) * 1j,
                                                  "bias": np.zeros(3)}),
        TypeError, "load_state_dict", "weight", "complex128", id="load_state_dict-complex"),
    row(lambda: nn.Linear(2, 3).load_state_dict({"weight": [[1.0, 2, 3], [4, 5]],
                                                  "bias": np.zeros(3)}),
        ValueError, "load_state_dict", "weight", "inhomogeneous", id="load_state_dict-ragged-list"),
    row(lambda: nn.Linear(2, 3).load_state_dict({"weight": [[1.0, 2], [3, 4]],
                                                  "bias": np.zeros(3)}),
        ValueError, "load_state_dict", "weight", "(2, 2)", "(2, 3)",
        id="load_state_dict-list-shape"),
    row(lambda: nn.Linear(2, 3).load_state_dict({"weight": np.ones((3, 2)), "bias": np.zeros(3)}),
        ValueError, "load_state_dict", "weight", "(3, 2)", ".T", id="load_state_dict-torch-layout"),
    row(lambda: nn.Linear(2, 3).load_state_dict({"weight": np.ones((2, 3))}), KeyError,
        "load_state_dict", "missing keys ['bias']", id="load_state_dict-missing"),
    row(lambda: nn.Linear(2, 3).load_state_dict({"weight": np.ones((2, 3)), "bias": np.zeros(3),
                                                  "x": 1}),
        KeyError, "unexpected keys ['x']", id="load_state_dict-unexpected"),
    row(lambda: nn.Linear(2, 3).load_state_dict([1, 2]), TypeError, "load_state_dict", "list",
        id="load_state_dict-list"),
    # ---------------------------------------------------------------- losses
    row(lambda: nn.CrossEntropyLoss()(_t(2, 3), Tensor(np.array([0.0, 1e300]))), IndexError,
        "CrossEntropyLoss", "1e+300", id="CrossEntropyLoss-label-1e300"),
    row(lambda: nn.CrossEntropyLoss()(_t(2, 3), tt.tensor([0, 5])), IndexError,
        "CrossEntropyLoss", "target 5", "[0, 3)", id="CrossEntropyLoss-label-5"),
    row(lambda: nn.CrossEntropyLoss()(_t(2, 3), tt.tensor([0, -3])), IndexError,
        "CrossEntropyLoss", "target -3", id="CrossEntropyLoss-label--3"),
    row(lambda: nn.CrossEntropyLoss()(_t(2, 3), Tensor(np.array([0.0, 1.5]))), ValueError,
        "CrossEntropyLoss", "whole numbers", "1.5", id="CrossEntropyLoss-label-1.5"),
    row(lambda: F.cross_entropy(_t(2, 3), tt.tensor([0, 1, 2])), ValueError, "cross_entropy",
        "(2, 3)", "(3,)", id="F.cross_entropy-target-length"),
    row(lambda: F.cross_entropy(_t(3), tt.tensor([[0]])), ValueError, "cross_entropy", "(3,)",
        "(1, 1)", id="F.cross_entropy-unbatched-target"),
    row(lambda: F.cross_entropy(_t(2, 3), tt.tensor([0, 1]), label_smoothing=1.5), ValueError,
        "cross_entropy", "label_smoothing", "1.5", id="F.cross_entropy-label_smoothing"),
    row(lambda: F.cross_entropy(_t(2, 3), tt.tensor([0, 1]), ignore_index="a"), TypeError,
        "cross_entropy", "ignore_index", "'a'", id="F.cross_entropy-ignore_index-str"),
    row(lambda: F.nll_loss(_t(2, 3), tt.tensor([0, 3])), IndexError, "nll_loss", "target 3",
        id="F.nll_loss-label"),
    row(lambda: nn.MSELoss()(_t(2, 3), _t(3, 2)), ValueError, "MSELoss", "(2, 3)", "(3, 2)",
        id="MSELoss-shapes"),
    row(lambda: nn.MSELoss(reduction="avg"), ValueError, "MSELoss", "reduction", "'avg'",
        id="MSELoss-reduction"),
    row(lambda: F.mse_loss(_t(3), _t(3), reduction="avg"), ValueError, "mse_loss", "'avg'",
        id="F.mse_loss-reduction"),
    row(lambda: F.kl_div(_t(2), _t(2), reduction="bogus"), ValueError, "kl_div", "'bogus'",
        id="F.kl_div-reduction"),
    row(lambda: F.huber_loss(_t(2), _t(2), delta=-1), ValueError, "huber_loss", "delta", "-1",
        id="F.huber_loss-delta"),
    row(lambda: nn.BCELoss()(_t(2, 3) * 2, _t(2, 3)), ValueError, "BCELoss", "[0, 1]", "2.0",
        id="BCELoss-above-1"),
    row(lambda: nn.BCELoss()(Tensor(np.array([np.nan, 0.5])), _t(2)), ValueError, "BCELoss",
        "nan", "index 0", id="BCELoss-nan"),
    row(lambda: nn.BCELoss()(Tensor(np.array([0.2, 0.5])), ["a", "b"]), TypeError, "BCELoss",
        "target", id="BCELoss-str-target"),
    row(lambda: nn.BCELoss()(_t(2, 3) * 0.5, _t(3, 2)), ValueError, "BCELoss", "(2, 3)", "(3, 2)",
        id="BCELoss-shapes"),
    row(lambda: nn.BCELoss(weight=_t(3))(Tensor(np.array([0.2, 0.5])), _t(2)), ValueError,
        "BCELoss", "weight", "(3,)", id="BCELoss-weight"),
    row(lambda: nn.BCELoss()(np.array([0.2, 0.5]), _t(2)), TypeError, "BCELoss", "ndarray",
        id="BCELoss-array-input"),
    row(lambda: F.binary_cross_entropy(_t(2) * 2, _t(2)), ValueError, "binary_cross_entropy",
        "[0, 1]", id="F.binary_cross_entropy-range"),
    row(lambda: F.binary_cross_entropy_with_logits(_t(2), _t(3)), ValueError,
        "binary_cross_entropy_with_logits", "(2,)", "(3,)", id="F.bce_with_logits-shapes"),
    # ---------------------------------------------------------------- functional
    row(lambda: F.leaky_relu(_t(2), "a"), TypeError, "leaky_relu", "negative_slope", "'a'",
        id="F.leaky_relu-str"),
    row(lambda: F.normalize(_t(2), p="a"), TypeError, "normalize", "p", "'a'",
        id="F.normalize-p-str"),
    row(lambda: F.softmax(_t(2, 3), dim=5), IndexError, "softmax", "dim 5", id="F.softmax-dim"),
    row(lambda: F.one_hot(tt.tensor([-1, 2])), RuntimeError, "one_hot", "non-negative",
        id="F.one_hot-negative"),
    row(lambda: F.one_hot(_t(2)), RuntimeError, "one_hot", "float64", id="F.one_hot-float"),
    row(lambda: F.one_hot(tt.tensor([3]), num_classes=2), RuntimeError, "one_hot", "(2)", "3",
        id="F.one_hot-num_classes"),
    row(lambda: F.pad(_t(2, 3), (1,)), ValueError, "pad", "length 1", "even", id="F.pad-odd"),
    row(lambda: F.pad(_t(2, 3), (1, 1, 1, 1, 1, 1)), ValueError, "pad", "length 6", "(2, 3)",
        id="F.pad-too-long"),
    row(lambda: F.pad(_t(2, 3), (1, 1), mode="bogus"), ValueError, "pad", "'bogus'",
        id="F.pad-mode"),
    row(lambda: F.pad(_t(2, 3), (-5, 0)), ValueError, "pad", "size 3", "5", id="F.pad-crop"),
    row(lambda: F.pad(_t(1, 2, 3), (3, 3), mode="reflect"), ValueError, "pad", "reflect", "size 3",
        id="F.pad-reflect-too-wide"),
    row(lambda: F.conv2d(_t(1, 1, 5, 5), _t(2, 3)), RuntimeError, "conv2d", "4D", "(2, 3)",
        id="F.conv2d-weight-2d"),
    row(lambda: nn.Conv2d(3, 2, 3)(_t(1, 1, 5, 5)), RuntimeError, "conv2d", "3 channels",
        "(1, 1, 5, 5)", id="Conv2d-channels"),
    row(lambda: nn.Conv2d(1, 2, 7)(_t(1, 1, 5, 5)), RuntimeError, "conv2d", "size 5", "7",
        id="Conv2d-kernel-larger"),
    row(lambda: nn.Conv2d(1, 2, 3)(_t(5, 5)), RuntimeError, "conv2d", "3D", "(5, 5)",
        id="Conv2d-2d-input"),
    row(lambda: nn.Conv2d(1, 2, 0)(_t(1, 1, 4, 4)), RuntimeError, "conv2d", "kernel size",
        "(0, 0)", id="Conv2d(1,2,0)", marks=_ZERO_INIT),
    row(lambda: nn.Conv1d(1, 2, 0)(_t(1, 1, 4)), RuntimeError, "conv1d", "kernel size", "(0,)",
        id="Conv1d(1,2,0)", marks=_ZERO_INIT),
    row(lambda: nn.Conv2d(1, 2, 2.5), TypeError, "Conv2d", "kernel_size", "2.5",
        id="Conv2d(1,2,2.5)"),
    row(lambda: nn.Conv2d(1, 2, (3, 3, 3)), ValueError, "Conv2d", "kernel_size", "(3, 3, 3)",
        id="Conv2d-kernel-3-ints"),
    row(lambda: nn.Conv2d(1, 2, 3, stride=0)(_t(1, 1, 4, 4)), RuntimeError, "conv2d",
        "stride (0, 0)", id="Conv2d-stride-0"),
    row(lambda: nn.Conv2d(1, 2, 3, padding=-1)(_t(1, 1, 4, 4)), RuntimeError, "conv2d",
        "padding (-1, -1)", id="Conv2d-padding--1"),
    row(lambda: nn.MaxPool2d(0)(_t(1, 1, 2, 2)), RuntimeError, "max_pool2d", "kernel_size (0, 0)",
        id="MaxPool2d(0)"),
    row(lambda: F.max_pool2d(_t(1, 1, 4, 4), 1.5), TypeError, "max_pool2d", "kernel_size", "1.5",
        id="F.max_pool2d-kernel-float"),
    row(lambda: nn.Conv2d(1, 2, 3, padding="x"), ValueError, "padding", "'x'",
        id="Conv2d-padding-str"),
    row(lambda: nn.Conv2d(3, 2, 3, groups=2), ValueError, "in_channels", "groups",
        id="Conv2d-groups"),
    row(lambda: F.max_pool2d(_t(1, 1, 2, 2), 3), RuntimeError, "max_pool2d", "(2, 2)",
        "kernel_size (3, 3)", id="F.max_pool2d-kernel-larger"),
    row(lambda: F.max_pool2d(_t(1, 1, 2, 2), 0), RuntimeError, "max_pool2d", "kernel_size (0, 0)",
        "positive", id="F.max_pool2d-kernel-0"),
    row(lambda: F.avg_pool2d(_t(1, 1, 2, 2), 3), RuntimeError, "avg_pool2d", "(2, 2)",
        "kernel_size (3, 3)", id="F.avg_pool2d-kernel-larger"),
    row(lambda: nn.Embedding(5, 3)(tt.tensor([1, 7])), IndexError, "embedding", "index 7",
        "5 rows", id="Embedding-index-7"),
    row(lambda: nn.Embedding(5, 3)(tt.tensor([-1])), IndexError, "embedding", "index -1",
        id="Embedding-index--1"),
    row(lambda: nn.Embedding(5, 3)(_t(2)), RuntimeError, "embedding", "indices", "float64",
        id="Embedding-float-indices"),
    row(lambda: F.embedding(tt.tensor([9]), _t(3, 2)), IndexError, "embedding", "index 9",
        "3 rows", id="F.embedding-index"),
    row(lambda: nn.LSTM(4, 8)(_t(5, 2, 3)), RuntimeError, "LSTM", "input_size", "Expected 4",
        "got 3", id="LSTM-input-size"),
    row(lambda: nn.LSTM(4, 8)(_t(4)), ValueError, "LSTM", "2D or 3D", "1D", id="LSTM-1d"),
    row(lambda: nn.LSTM(4, 8, num_layers=0), ValueError, "LSTM", "num_layers", "0",
        id="LSTM-num_layers-0"),
    row(lambda: nn.LSTM(4, 8)(_t(5, 2, 4), (tt.zeros(1, 2, 7), tt.zeros(1, 2, 8))),
        RuntimeError, "LSTM", "(1, 2, 8)", "[1, 2, 7]", "h_0", id="LSTM-h0-shape"),
    row(lambda: nn.GRU(4, 8)(_t(5, 2, 3)), RuntimeError, "GRU", "Expected 4", "got 3",
        id="GRU-input-size"),
    row(lambda: nn.RNN(4, 8)(_t(5, 2, 3)), RuntimeError, "RNN", "Expected 4", "got 3",
        id="RNN-input-size"),
    # ---------------------------------------------------------------- nn.init
    row(lambda: nn.init.uniform_(_t(2), 1, 0), RuntimeError, "uniform_", "from=1", "to=0",
        id="init.uniform_-range"),
    row(lambda: nn.init.normal_(_t(2), 0, -1), RuntimeError, "normal", "std", "-1",
        id="init.normal_-std"),
    row(lambda: nn.init.kaiming_uniform_(_t(2)), ValueError, "fewer than 2 dimensions",
        id="init.kaiming_uniform_-1d"),
    row(lambda: nn.init.kaiming_uniform_(_t(2, 3), mode="bogus"), ValueError, "bogus", "fan_in",
        id="init.kaiming_uniform_-mode"),
    row(lambda: nn.init.calculate_gain("bogus"), ValueError, "nonlinearity", "bogus",
        id="init.calculate_gain"),
    row(lambda: nn.init.eye_(_t(2, 2, 2)), ValueError, "2 dimensions", id="init.eye_-3d"),
    # ---------------------------------------------------------------- optim and data
    row(lambda: optim.SGD([], lr=1), ValueError, "SGD", "empty parameter list", id="SGD([])"),
    row(lambda: optim.SGD([_param(2)], lr=-1), ValueError, "SGD", "learning rate", "-1",
        id="SGD-lr--1"),
    row(lambda: optim.SGD([_param(2)], lr="a"), TypeError, "SGD", "lr", "'a'", id="SGD-lr-str"),
    row(lambda: optim.SGD([_param(2)], lr=0.1, momentum=-1), ValueError, "SGD", "momentum", "-1",
        id="SGD-momentum"),
    row(lambda: optim.Adam([_param(2)], betas=(0.9, 1.5)), ValueError, "Adam", "index 1", "1.5",
        id="Adam-betas"),
    row(lambda: optim.Adam([_param(2)], eps=-1), ValueError, "Adam", "epsilon", "-1",
        id="Adam-eps"),
    row(lambda: DataLoader(TensorDataset(_t(4, 2)), batch_size=0), ValueError, "batch_size=0",
        id="DataLoader-batch_size-0"),
    row(lambda: TensorDataset(_t(4, 2), _t(3)), AssertionError, "TensorDataset", "(4, 2)", "(3,)",
        id="TensorDataset-lengths"),
    # ---------------------------------------------------------------- torch namespace
    row(lambda: tt.zeros(-1), RuntimeError, "zeros", "-1", id="torch.zeros(-1)"),
    row(lambda: tt.zeros(2.5), TypeError, "zeros", "2.5", id="torch.zeros(2.5)"),
    row(lambda: tt.ones(-1, 3), RuntimeError, "ones", "(-1, 3)", id="torch.ones(-1,3)"),
    row(lambda: tt.empty(-2), RuntimeError, "empty", "-2", id="torch.empty(-2)"),
    row(lambda: tt.full((2,), "a"), TypeError, "full", "fill_value", "'a'", id="torch.full-str"),
    row(lambda: tt.full_like(_t(2), "x"), TypeError, "full_like", "fill_value", "'x'",
        id="torch.full_like-str"),
    row(lambda: tt.zeros_like(3), TypeError, "zeros_like", "int", id="torch.zeros_like(3)"),
    row(lambda: tt.eye(-1), RuntimeError, "eye", "n", "-1", id="torch.eye(-1)"),
    row(lambda: tt.eye(2.5), TypeError, "eye", "n", "2.5", id="torch.eye(2.5)"),
    row(lambda: tt.randn("a"), TypeError, "randn", "'a'", id="torch.randn('a')"),
    row(lambda: tt.randn(-1), RuntimeError, "randn", "-1", id="torch.randn(-1)"),
    row(lambda: tt.rand(2.5), TypeError, "rand", "2.5", id="torch.rand(2.5)"),
    row(lambda: tt.randint(5, 2, (3,)), RuntimeError, "randint", "low=5", "high=2",
        id="torch.randint-bounds"),
    row(lambda: tt.randint(5), TypeError, "randint", "size", id="torch.randint-no-size"),
    row(lambda: tt.randperm(-1), RuntimeError, "randperm", "n", "-1", id="torch.randperm(-1)"),
    row(lambda: tt.randperm(2.5), TypeError, "randperm", "n", "2.5", id="torch.randperm(2.5)"),
    row(lambda: tt.arange(0, 10, 0), RuntimeError, "arange", "step", "nonzero",
        id="torch.arange-step-0"),
    row(lambda: tt.arange(10, 0, 1), RuntimeError, "arange", "start=10", "end=0", "step=1",
        id="torch.arange-sign"),
    row(lambda: tt.arange("a"), TypeError, "arange", "end", "'a'", id="torch.arange('a')"),
    row(lambda: tt.linspace(0, 1, -1), RuntimeError, "linspace", "steps", "-1",
        id="torch.linspace-steps--1"),
    row(lambda: tt.linspace(0, 1, 2.5), TypeError, "linspace", "steps", "2.5",
        id="torch.linspace-steps-2.5"),
    row(lambda: tt.manual_seed("a"), ValueError, "manual_seed", "'a'", id="torch.manual_seed('a')"),
    row(lambda: tt.manual_seed(2**70), ValueError, "manual_seed", str(2**70),
        id="torch.manual_seed-huge"),
    row(lambda: tt.tensor([[1, 2], [3]]), ValueError, "tensor", "inhomogeneous",
        id="torch.tensor-ragged"),
    row(lambda: tt.tensor("abc"), TypeError, "tensor", "<U3", id="torch.tensor-str"),
    row(lambda: tt.tensor([1.0], dtype="bogus"), TypeError, "tensor", "'bogus'", "dtype",
        id="torch.tensor-dtype"),
    row(lambda: tt.from_numpy([1, 2]), TypeError, "from_numpy", "list", id="torch.from_numpy-list"),
    row(lambda: tt.cat([]), RuntimeError, "cat", "non-empty", id="torch.cat([])"),
    row(lambda: tt.cat(_t(2, 3)), TypeError, "cat", "sequence", "Tensor", id="torch.cat-tensor"),
    row(lambda: tt.cat([_t(2, 3), _t(2, 4)]), RuntimeError, "cat", "(2, 4)", "(2, 3)",
        id="torch.cat-shapes"),
    row(lambda: tt.cat([_t(2, 3), _t(2, 3)], dim=2), IndexError, "cat", "dim 2", "[-2, 1]",
        id="torch.cat-dim"),
    row(lambda: tt.cat([_t(2, 3), _t(2, 3)], dim=1.0), TypeError, "cat", "dim", "1.0",
        id="torch.cat-dim-float"),
    row(lambda: tt.stack([_t(2, 3), _t(2, 4)]), RuntimeError, "stack", "[2, 3]", "[2, 4]",
        id="torch.stack-shapes"),
    row(lambda: tt.stack([]), RuntimeError, "stack", "non-empty", id="torch.stack([])"),
    row(lambda: tt.stack([_t(2, 3)], dim=4), IndexError, "stack", "dim 4", "[-3, 2]",
        id="torch.stack-dim"),
    row(lambda: tt.where(_t(2, 3) > 0, _t(4), _t(2, 3)), ValueError, "where", "(2, 3)", "(4,)",
        id="torch.where-shapes"),
    row(lambda: tt.ones(3).to("cuda"), RuntimeError, "'cuda'", "cpu", id="Tensor.to-cuda"),
    # ---------------------------------------------------------------- tensor methods
    row(lambda: _t(2, 3).view(-1, -1), RuntimeError, "view", "[-1, -1]", "size 6",
        id="view(-1,-1)"),
    row(lambda: _t(2, 3).unsqueeze(5), IndexError, "unsqueeze", "dim 5", "(2, 3)",
        id="unsqueeze(5)"),
    row(lambda: _t(2, 3).squeeze(5), IndexError, "squeeze", "dim 5", id="squeeze(5)"),
    row(lambda: _t(2, 3).expand(4, 3), RuntimeError, "expand", "(4)", "(2)", id="expand(4,3)"),
    row(lambda: _t(2, 3).expand(3), RuntimeError, "expand", "(1)", "(2)", id="expand(3)"),
    row(lambda: _t(2, 3).repeat(2), RuntimeError, "repeat", "(1)", "(2)", id="repeat(2)"),
    row(lambda: _t(2, 3).repeat(2, -1), RuntimeError, "repeat", "(2, -1)", id="repeat(2,-1)"),
    row(lambda: _t(2, 3).gather(5, tt.tensor([[0]])), IndexError, "gather", "dim 5",
        id="gather-dim"),
    row(lambda: _t(2, 3).gather(1, _t(2, 1)), TypeError, "gather", "float64",
        id="gather-float-index"),
    row(lambda: _t(2, 3).gather(1, tt.tensor([[5], [0]])), IndexError, "gather", "index 5",
        "size 3", id="gather-index-5"),
    row(lambda: _t(2, 3).index_select(1, tt.tensor([5])), IndexError, "index_select", "index 5",
        id="index_select-index-5"),
    row(lambda: _t(2, 3).index_select(1, tt.tensor([[0]])), IndexError, "index_select", "1-D",
        "(1, 1)", id="index_select-2d-index"),
    row(lambda: _t(2, 3).split(0), RuntimeError, "split", "split_size", "0", id="split(0)"),
    row(lambda: _t(2, 3).chunk(0), RuntimeError, "chunk", "chunks", "0", id="chunk(0)"),
    row(lambda: _t(2, 3).masked_fill(_t(2, 3), 0.0), TypeError, "masked_fill", "bool", "float64",
        id="masked_fill-float-mask"),
    row(lambda: _t(2, 3).var(correction="a"), TypeError, "var", "correction", "'a'",
        id="var-correction-str"),
    row(lambda: _t(3).tril(), RuntimeError, "tril", "(3,)", id="tril-1d"),
    row(lambda: _t(3).type_as(3), TypeError, "type_as", "int", id="type_as(3)"),
    row(lambda: _t(3).maximum(_t(4)), RuntimeError, "maximum", "(3,)", "(4,)",
        id="maximum-shapes"),
    row(lambda: _t(3).minimum(_t(4)), RuntimeError, "minimum", "(3,)", "(4,)",
        id="minimum-shapes"),
    row(lambda: _t(3).clamp(), ValueError, "clamp", "min", "max", id="clamp()"),
    row(lambda: _t(3).argmax(4), IndexError, "argmax", "dim 4", id="argmax(4)"),
    row(lambda: _t(3).cumsum(4), IndexError, "cumsum", "dim 4", id="cumsum(4)"),
    row(lambda: _t(3).prod(4), IndexError, "prod", "dim 4", id="prod(4)"),
    row(lambda: _t(3).logsumexp(4), IndexError, "logsumexp", "dim 4", id="logsumexp(4)"),
    row(lambda: _t(3).item(), RuntimeError, "item", "(3,)", id="item-3"),
    row(lambda: _t(2, 3).flatten(1, 0), ValueError, "flatten", "start_dim 1", "end_dim 0",
        id="flatten(1,0)"),
    row(lambda: _t(2, 3).size(5), IndexError, "size", "dim 5", id="size(5)"),
    row(lambda: _t(2, 3).std(dim=7), IndexError, "std", "dim 7", id="std(dim=7)"),
    row(lambda: _t(3).topk(5), RuntimeError, "topk", "k (5)", "size 3", id="topk(5)"),
    row(lambda: _t(3).sort(dim=3), IndexError, "sort", "dim 3", id="sort(dim=3)"),
    # ---------------------------------------------------------------- the engine core (lead)
    row(lambda: Tensor(10**400), (TypeError, ValueError, OverflowError), "Tensor", "too large",
        id="Tensor(10**400)"),
    row(lambda: Tensor(2**64), (TypeError, ValueError, OverflowError), "Tensor",
        str(2**64), id="Tensor(2**64)"),
    row(lambda: Tensor(None), TypeError, "Tensor", "None", id="Tensor(None)"),
    row(lambda: Tensor({}), TypeError, "Tensor", "dict", id="Tensor({})"),
    row(lambda: Tensor([1.0], dtype="bogus"), TypeError, "Tensor", "'bogus'", "dtype",
        id="Tensor(dtype='bogus')"),
    row(lambda: Tensor.zeros(-1, 3), (ValueError, RuntimeError), "zeros", "-1",
        id="Tensor.zeros(-1,3)"),
    row(lambda: Tensor.randn(3, rng=-1), ValueError, "randn", "rng", "-1",
        id="Tensor.randn(3,rng=-1)"),
    row(lambda: _t(2, 3).sum(axis=1.0), TypeError, "sum", "axis", "1.0", id="sum(axis=1.0)"),
    row(lambda: _t(2, 3).sum(axis=1, keepdims="no"), TypeError, "sum", "keepdim", "'no'",
        id="sum(keepdims='no')"),
    row(lambda: Tensor(np.ones(6)).reshape(4, -1), (ValueError, RuntimeError), "reshape",
        "(4, -1)", "6", id="reshape(4,-1)-of-6"),
    row(lambda: _t(2, 3).view(4, 2), RuntimeError, "view", "[4, 2]", "6", id="view(4,2)-of-6"),
    row(lambda: _t(3).broadcast_to((4,)), ValueError, "broadcast_to", "(3,)", "(4,)",
        id="broadcast_to-doubled-prefix"),
    row(lambda: (Tensor(np.ones(3), requires_grad=True) * 2).backward(grad="a"), TypeError,
        "backward", "grad", "'a'", id="backward(grad='a')"),
    row(lambda: (Tensor(np.ones(3), requires_grad=True) * 2).sum().backward(retain_graph="x"),
        TypeError, "backward", "retain_graph", "'x'", id="backward(retain_graph='x')"),
    row(lambda: Tensor(np.ones(3), requires_grad="no"), TypeError, "requires_grad", "'no'",
        id="Tensor(requires_grad='no')"),
    row(_set_data_list, TypeError, "mul", ".data", "list", id="t.data=list"),
    row(_backward(_StringGrad.apply), TypeError, "_StringGrad.backward", "str",
        id="Function-backward-returns-str"),
    row(_backward(_ComplexGrad.apply), TypeError, "_ComplexGrad.backward", "complex",
        id="Function-backward-complex"),
]


@pytest.mark.parametrize(("call", "exc", "words"), ROWS)
def test_bad_input(call: Callable[[], Any], exc: Any, words: tuple[str, ...]) -> None:
    with pytest.raises(exc) as info:
        call()
    msg = str(info.value.args[0]) if info.value.args else ""
    missing = [w for w in words if w not in msg]
    assert not missing, f"message {msg!r} lacks {missing}"
    # One prefix naming the operation, never two ('broadcastto: broadcast_to: ...').
    assert not re.match(r"^\w+: \w+: ", msg), f"doubled prefix in {msg!r}"


def test_there_are_over_100_rows() -> None:
    assert len(ROWS) >= 100


# ------------------------------------------------------------------ empty batches (values)


@requires_torch
@pytest.mark.parametrize("name", ["MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_elementwise_loss_over_an_empty_batch_is_pytorchs(name: str, reduction: str) -> None:
    p = Tensor(np.full((0, 3), 0.5), requires_grad=True)
    y = Tensor(np.ones((0, 3)))
    ours = getattr(nn, name)(reduction=reduction)(p, y)
    tp = torch.full((0, 3), 0.5, dtype=torch.float64, requires_grad=True)
    theirs = getattr(torch.nn, name)(reduction=reduction)(tp, torch.ones(0, 3, dtype=torch.float64))
    np.testing.assert_array_equal(ours.data, theirs.detach().numpy())  # nan == nan here
    assert ours.shape == tuple(theirs.shape)
    if reduction != "none":
        ours.backward()
        theirs.backward()
        assert p.grad is not None and p.grad.shape == tuple(tp.grad.shape)


@requires_torch
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_over_an_empty_batch_is_pytorchs(reduction: str) -> None:
    ours = nn.CrossEntropyLoss(reduction=reduction)(
        Tensor(np.ones((0, 3))), tt.tensor(np.zeros(0, dtype=np.int64)))
    theirs = torch.nn.CrossEntropyLoss(reduction=reduction)(
        torch.ones(0, 3, dtype=torch.float64), torch.zeros(0, dtype=torch.long))
    np.testing.assert_array_equal(ours.data, theirs.numpy())


@requires_torch
def test_indexing_with_an_empty_list_is_pytorchs() -> None:
    x = Tensor(np.arange(3.0), requires_grad=True)
    out = x[[]]
    tx = torch.arange(3.0, dtype=torch.float64, requires_grad=True)
    theirs = tx[[]]
    assert out.shape == tuple(theirs.shape)
    out.sum().backward()
    theirs.sum().backward()
    np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())


def test_a_float16_forward_result_widens_to_float32() -> None:
    # (float32 holds every float16 exactly; tensors hold float32 or float64)
    out = _HalfForward.apply(Tensor(np.ones(2), requires_grad=True))
    assert out.dtype == np.float32
