"""``nn``: PyTorch's ``torch.nn`` for tinygrad_edu: ``Module``, layers, activations, losses.

Everything here is built from tensor operations, so autograd differentiates it. The
submodules, each importing only the engine and the ones above it:

- ``module``: ``Module`` (the base class) and ``Parameter``;
- ``containers``: ``Sequential``, ``ModuleList``, ``ModuleDict``, ``ParameterList``,
  ``ParameterDict``;
- ``linear``: ``Identity``, ``Linear``, ``Bilinear``; ``flatten``: ``Flatten``, ``Unflatten``;
- ``activation``: ``ReLU``, ``GELU``, ``Softmax``, ...; ``loss``: ``MSELoss``,
  ``CrossEntropyLoss``, ...;
- ``functional`` (``import tinygrad_edu.nn.functional as F``): the same as functions;
- ``init``: ``nn.init.xavier_uniform_`` and PyTorch's other initialisers;
- ``utils``: ``clip_grad_norm_``, ``clip_grad_value_``, ``parameters_to_vector``, ...

The one layout difference from PyTorch: ``Linear.weight`` is ``(in_features, out_features)``
(see ``Linear``). A name of ``torch.nn`` that tinygrad_edu lacks raises an ``AttributeError``
saying so.
"""

from __future__ import annotations

from typing import Any

from . import functional, init, utils
from .activation import (
    CELU,
    ELU,
    GELU,
    SELU,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    Mish,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softmin,
    Softplus,
    Softsign,
    Tanh,
    Tanhshrink,
    Threshold,
)
from .attention import MultiheadAttention
from .containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .conv import Conv1d, Conv2d
from .dropout import Dropout, Dropout1d, Dropout2d
from .flatten import Flatten, Unflatten
from .linear import Bilinear, Identity, Linear
from .loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CosineEmbeddingLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MarginRankingLoss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from .module import Module, Parameter
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from .padding import (
    CircularPad1d,
    CircularPad2d,
    ConstantPad1d,
    ConstantPad2d,
    ReflectionPad1d,
    ReflectionPad2d,
    ReplicationPad1d,
    ReplicationPad2d,
    ZeroPad1d,
    ZeroPad2d,
)
from .pooling import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
)
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
from .sparse import Embedding

__all__ = [
    "functional", "init", "utils",
    "Module", "Parameter",
    "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
    "Identity", "Linear", "Bilinear", "Flatten", "Unflatten",
    "ZeroPad1d", "ZeroPad2d", "ConstantPad1d", "ConstantPad2d", "ReflectionPad1d",
    "ReflectionPad2d", "ReplicationPad1d", "ReplicationPad2d", "CircularPad1d", "CircularPad2d",
    "Sigmoid", "Tanh", "ReLU", "ReLU6", "LeakyReLU", "ELU", "SELU", "CELU", "GELU", "SiLU",
    "Mish", "Softplus", "Softsign", "Tanhshrink", "Hardtanh", "Hardswish", "Hardsigmoid",
    "LogSigmoid", "Threshold", "Softmax", "LogSoftmax", "Softmin",
    "MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss",
    "NLLLoss", "CrossEntropyLoss", "KLDivLoss", "CosineEmbeddingLoss", "MarginRankingLoss",
    "Dropout", "Dropout1d", "Dropout2d", "LayerNorm", "BatchNorm1d", "BatchNorm2d", "Embedding",
    "Conv1d", "Conv2d", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell", "RNNBase", "RNN", "LSTM", "GRU",
    "MultiheadAttention",
]


def __getattr__(name: str) -> Any:
    # PEP 562: Python calls this only for a name the module lacks; torch_names.py says whether
    # it is a PyTorch name not implemented yet or a typo (with a hint).
    from ..torch_names import missing_attribute

    raise missing_attribute(__name__, name)
