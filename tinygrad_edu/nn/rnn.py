"""Recurrent layers: ``RNNCell``, ``LSTMCell``, ``GRUCell`` and ``RNN``, ``LSTM``, ``GRU``.

Each is composed from tensor operations (matmul, chunk, sigmoid, tanh, stack, cat), so autograd
differentiates them exactly and the graph shows every gate. The parameters are PyTorch's, with
PyTorch's names, shapes and layout: ``weight_ih_l0`` is ``(gates * hidden_size, input_size)``
and the step computes ``x @ weight_ih_l0.T``. These are not ``Linear`` layers, so unlike
``Linear.weight`` nothing is transposed: a ``state_dict`` maps onto PyTorch's as it is. The gates
are stacked in PyTorch's order: i, f, g, o for the LSTM; r, z, n for the GRU.

Initial values are PyTorch's: every parameter U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), drawn
from ``tinygrad_edu.random``'s default generator in the order of ``parameters()``, so after
``tinygrad_edu.manual_seed(s)`` they equal ``torch.nn.LSTM``'s after ``torch.manual_seed(s)``.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ..tensor import Tensor
from ..torch_api import cat, stack
from . import functional as F
from . import init
from .module import Module, Parameter, _check_device, _float_dtype

__all__ = ["RNNCellBase", "RNNCell", "LSTMCell", "GRUCell", "RNNBase", "RNN", "LSTM", "GRU"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _t(w: Tensor) -> Tensor:
    return w.transpose(0, 1)


def _project(x: Tensor, w: Tensor, b: Tensor | None) -> Tensor:
    """``x @ w.T + b``: PyTorch's ``F.linear`` with its ``(out, in)`` weight."""
    out = x @ _t(w)
    return out + b if b is not None else out


def _rnn_step(gi: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None, relu: bool) -> Tensor:
    pre = gi + _project(h, w_hh, b_hh)
    return pre.relu() if relu else pre.tanh()


def _lstm_step(gi: Tensor, h: Tensor, c: Tensor, w_hh: Tensor,
               b_hh: Tensor | None) -> tuple[Tensor, Tensor]:
    i, f, g, o = (gi + _project(h, w_hh, b_hh)).chunk(4, -1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    return o.sigmoid() * c.tanh(), c


def _gru_step(gi: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
    # The hidden side's n-part (with its bias) is multiplied by r before adding the input's:
    # PyTorch's (and cuDNN's) GRU, not the original paper's r * h inside the matmul.
    i_r, i_z, i_n = gi.chunk(3, -1)
    h_r, h_z, h_n = _project(h, w_hh, b_hh).chunk(3, -1)
    r = (i_r + h_r).sigmoid()
    z = (i_z + h_z).sigmoid()
    n = (i_n + r * h_n).tanh()
    return (1 - z) * n + z * h


def _zeros(shape: tuple[int, ...], like: Tensor) -> Tensor:
    return Tensor(np.zeros(shape, dtype=like.dtype))


# --------------------------------------------------------------------------- cells


class RNNCellBase(Module):
    """The parameters shared by the cells: ``weight_ih`` ``(gates * hidden, input)``,
    ``weight_hh`` ``(gates * hidden, hidden)``, ``bias_ih`` and ``bias_hh``
    ``(gates * hidden,)``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        name = type(self).__name__
        _check_device(device, name)
        d = _float_dtype(dtype if dtype is not None else np.float64, name)
        if input_size <= 0 or hidden_size <= 0:
            raise ValueError(f"{name}: input_size and hidden_size must be positive, "
                             f"got {input_size} and {hidden_size}")
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(np.empty((num_chunks * hidden_size, input_size), d))
        self.weight_hh = Parameter(np.empty((num_chunks * hidden_size, hidden_size), d))
        self.bias_ih: Parameter | None
        self.bias_hh: Parameter | None
        self.register_parameter(
            "bias_ih", Parameter(np.empty(num_chunks * hidden_size, d)) if bias else None)
        self.register_parameter(
            "bias_hh", Parameter(np.empty(num_chunks * hidden_size, d)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw every parameter from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) as PyTorch."""
        stdv = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        nonlinearity = getattr(self, "nonlinearity", "tanh")
        if nonlinearity != "tanh":
            s += f", nonlinearity={nonlinearity}"
        return s

    def _prepare(self, input: Tensor, hx: Tensor | None, what: str = "hx"
                 ) -> tuple[Tensor, Tensor, bool]:
        """The input as 2-D, the state (zeros if None) as 2-D, and whether it was batched."""
        name = type(self).__name__
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: input must be a Tensor, got {type(input).__name__}")
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"{name}: input has inconsistent input_size: got "
                               f"{input.shape[-1]} expected {self.input_size}")
        batched = input.ndim == 2
        x = input if batched else input.unsqueeze(0)
        if hx is None:
            return x, _zeros((x.shape[0], self.hidden_size), x), batched
        if hx.ndim != input.ndim:
            raise RuntimeError(f"{name}: {what} must be {input.ndim}-D like the input, "
                               f"got shape {tuple(hx.shape)}")
        h = hx if batched else hx.unsqueeze(0)
        if tuple(h.shape) != (x.shape[0], self.hidden_size):
            raise RuntimeError(f"{name}: {what} of shape {tuple(hx.shape)} does not match input "
                               f"of shape {tuple(input.shape)} and hidden_size "
                               f"{self.hidden_size}")
        return x, h, batched


class RNNCell(RNNCellBase):
    """One Elman step: ``h' = tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)`` (or ReLU).

    ``forward(input, hx=None)``: input ``(batch, input_size)`` or ``(input_size,)``; ``hx`` of
    the matching shape with ``hidden_size`` (zeros when omitted); returns ``h'``.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None, dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: Unknown nonlinearity: {nonlinearity!r} "
                             "(use 'tanh' or 'relu')")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, h, batched = self._prepare(input, hx)
        h = _rnn_step(_project(x, self.weight_ih, self.bias_ih), h, self.weight_hh,
                      self.bias_hh, self.nonlinearity == "relu")
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step with gates i, f, g, o stacked in that order in ``weight_ih``/``weight_hh``.

    ``forward(input, hx=None)``: ``hx`` is ``(h, c)`` (zeros when omitted); returns ``(h', c')``
    with ``c' = f * c + i * g`` and ``h' = o * tanh(c')``.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
                ) -> tuple[Tensor, Tensor]:
        if hx is not None and (not isinstance(hx, tuple | list) or len(hx) != 2):
            raise TypeError("LSTMCell: hx must be a tuple (h_0, c_0)")
        x, h, batched = self._prepare(input, None if hx is None else hx[0], "h_0")
        _, c, _ = self._prepare(input, None if hx is None else hx[1], "c_0")
        h, c = _lstm_step(_project(x, self.weight_ih, self.bias_ih), h, c, self.weight_hh,
                          self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step with gates r, z, n stacked in that order, as PyTorch's:
    ``n = tanh(x W_in.T + b_in + r * (h W_hn.T + b_hn))``, ``h' = (1 - z) * n + z * h``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, h, batched = self._prepare(input, hx)
        h = _gru_step(_project(x, self.weight_ih, self.bias_ih), h, self.weight_hh, self.bias_hh)
        return h if batched else h.squeeze(0)


# --------------------------------------------------------------------------- layers


class RNNBase(Module):
    """What ``RNN``, ``LSTM`` and ``GRU`` share: the stack of layers and directions.

    Parameters per layer ``k`` (suffix ``_reverse`` for the backward direction):
    ``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``, ``bias_hh_l{k}``, in that order.
    ``forward(input, hx=None)``: input ``(seq, batch, input_size)`` (``(batch, seq, ...)`` with
    ``batch_first=True``) or unbatched ``(seq, input_size)``; returns ``(output, h_n)``
    (``(output, (h_n, c_n))`` for the LSTM) with ``output`` ``(seq, batch, D * hidden_size)``
    and ``h_n`` ``(num_layers * D, batch, hidden_size)``, D = 2 if bidirectional else 1.
    ``dropout`` is applied (``F.dropout``) to every layer's output but the last, in training.
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        name = {"RNN_TANH": "RNN", "RNN_RELU": "RNN"}.get(mode, mode)
        _check_device(device, name)
        d = _float_dtype(dtype if dtype is not None else np.float64, name)
        if isinstance(dropout, bool) or not isinstance(dropout, int | float) \
                or not 0 <= dropout <= 1:
            raise ValueError(f"{name}: dropout should be a number in range [0, 1] representing "
                             f"the probability of an element being zeroed, got {dropout!r}")
        if dropout > 0 and num_layers == 1:
            warnings.warn(f"{name}: dropout option adds dropout after all but last recurrent "
                          f"layer, so non-zero dropout expects num_layers greater than 1, but "
                          f"got dropout={dropout} and num_layers={num_layers}", stacklevel=3)
        for what, n in (("input_size", input_size), ("hidden_size", hidden_size),
                        ("num_layers", num_layers)):
            F._check_int(name, what, n)
            if n <= 0:
                raise ValueError(f"{name}: {what} must be a positive int, got {n!r}")
        if proj_size != 0:
            raise NotImplementedError(f"{name}: proj_size={proj_size} is not implemented in "
                                      "tinygrad_edu (only proj_size=0)")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        gates = _GATES[mode] * hidden_size
        directions = 2 if bidirectional else 1
        self._flat_weights_names: list[str] = []
        for layer in range(num_layers):
            layer_in = input_size if layer == 0 else hidden_size * directions
            for direction in range(directions):
                sfx = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                names = [f"weight_ih{sfx}", f"weight_hh{sfx}"]
                self.register_parameter(names[0], Parameter(np.empty((gates, layer_in), d)))
                self.register_parameter(names[1], Parameter(np.empty((gates, hidden_size), d)))
                if bias:
                    names += [f"bias_ih{sfx}", f"bias_hh{sfx}"]
                    self.register_parameter(names[2], Parameter(np.empty(gates, d)))
                    self.register_parameter(names[3], Parameter(np.empty(gates, d)))
                self._flat_weights_names.extend(names)
        self.reset_parameters()

    @property
    def _name(self) -> str:
        return {"RNN_TANH": "RNN", "RNN_RELU": "RNN"}.get(self.mode, self.mode)

    def reset_parameters(self) -> None:
        """Draw every parameter from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) as PyTorch."""
        stdv = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -stdv, stdv)

    def flatten_parameters(self) -> None:
        """Does nothing: PyTorch compacts the weights for cuDNN here; there is no cuDNN."""

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters per layer and direction: ``[[w_ih, w_hh, b_ih, b_hh], ...]``."""
        per = 4 if self.bias else 2
        params = [self._parameters[n] for n in self._flat_weights_names]
        return [[p for p in params[i:i + per] if p is not None]
                for i in range(0, len(params), per)]

    def _weights(self, layer: int, direction: int
                 ) -> tuple[Tensor, Tensor, Tensor | None, Tensor | None]:
        sfx = f"_l{layer}" + ("_reverse" if direction == 1 else "")
        p = self._parameters
        b_ih = p[f"bias_ih{sfx}"] if self.bias else None
        b_hh = p[f"bias_hh{sfx}"] if self.bias else None
        w_ih, w_hh = p[f"weight_ih{sfx}"], p[f"weight_hh{sfx}"]
        assert w_ih is not None and w_hh is not None
        return w_ih, w_hh, b_ih, b_hh

    def _state(self, hx: Any, what: str, batched: bool, batch: int, like: Tensor) -> Tensor:
        """An initial state as 3-D ``(num_layers * D, batch, hidden)``; zeros if None."""
        shape = (self.num_layers * (2 if self.bidirectional else 1), batch, self.hidden_size)
        if hx is None:
            return _zeros(shape, like)
        if not isinstance(hx, Tensor):
            raise TypeError(f"{self._name}: {what} must be a Tensor, got {type(hx).__name__}")
        if hx.ndim != (3 if batched else 2):
            raise RuntimeError(
                f"{self._name}: For {'batched 3' if batched else 'unbatched 2'}-D input, {what} "
                f"should also be {3 if batched else 2}-D but got {hx.ndim}-D tensor")
        h = hx if batched else hx.unsqueeze(1)
        if tuple(h.shape) != shape:
            want = shape if batched else (shape[0], shape[2])
            raise RuntimeError(f"{self._name}: Expected hidden size {want}, got "
                               f"{list(hx.shape)} for {what}")
        return h

    def forward(self, input: Tensor, hx: Any = None) -> tuple[Tensor, Any]:
        name = self._name
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: input must be a Tensor, got {type(input).__name__}")
        if input.ndim not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.ndim}D "
                             "tensor instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"{name}: input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.shape[-1]}")
        batched = input.ndim == 3
        if not batched:
            x = input.unsqueeze(1)
        else:
            x = input.transpose(0, 1) if self.batch_first else input
        seq, batch = x.shape[0], x.shape[1]
        lstm = self.mode == "LSTM"
        if lstm:
            if hx is not None and (not isinstance(hx, tuple | list) or len(hx) != 2):
                raise TypeError("LSTM: hx must be a tuple (h_0, c_0)")
            h0 = self._state(None if hx is None else hx[0], "h_0", batched, batch, x)
            c0 = self._state(None if hx is None else hx[1], "c_0", batched, batch, x)
        else:
            h0 = self._state(hx, "hx", batched, batch, x)
            c0 = h0
        directions = 2 if self.bidirectional else 1
        h_n: list[Tensor] = []
        c_n: list[Tensor] = []
        layer_in = x
        for layer in range(self.num_layers):
            outs_dir = []
            for direction in range(directions):
                w_ih, w_hh, b_ih, b_hh = self._weights(layer, direction)
                # All time steps' input projections in one matmul; only h @ W_hh is sequential.
                gi = _project(layer_in, w_ih, b_ih)
                k = layer * directions + direction
                h, c = h0[k], c0[k]
                outs: list[Tensor] = [h] * seq
                for t in (range(seq) if direction == 0 else reversed(range(seq))):
                    if lstm:
                        h, c = _lstm_step(gi[t], h, c, w_hh, b_hh)
                    elif self.mode == "GRU":
                        h = _gru_step(gi[t], h, w_hh, b_hh)
                    else:
                        h = _rnn_step(gi[t], h, w_hh, b_hh, self.mode == "RNN_RELU")
                    outs[t] = h
                outs_dir.append(stack(outs, 0))
                h_n.append(h)
                c_n.append(c)
            layer_in = outs_dir[0] if directions == 1 else cat(outs_dir, dim=2)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                layer_in = F.dropout(layer_in, p=self.dropout, training=True)
        output = layer_in
        hn = stack(h_n, 0)
        cn = stack(c_n, 0) if lstm else hn
        if not batched:
            output, hn, cn = output.squeeze(1), hn.squeeze(1), cn.squeeze(1)
        elif self.batch_first:
            output = output.transpose(0, 1)
        return (output, (hn, cn)) if lstm else (output, hn)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


class RNN(RNNBase):
    """A stack of Elman layers: ``h_t = tanh(x_t @ W_ih.T + b_ih + h_{t-1} @ W_hh.T + b_hh)``
    (``nonlinearity='relu'`` for ReLU). Arguments and results as ``RNNBase``."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: Unknown nonlinearity {nonlinearity!r}. Select from "
                             "'tanh' or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         0, device, dtype)


class LSTM(RNNBase):
    """A stack of LSTM layers (gates i, f, g, o). ``forward(input, (h_0, c_0)=None)`` returns
    ``(output, (h_n, c_n))``; arguments and shapes as ``RNNBase``."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)


class GRU(RNNBase):
    """A stack of GRU layers (gates r, z, n, as ``GRUCell``). Arguments and results as
    ``RNNBase``."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device: Any = None, dtype: Any = None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, 0, device, dtype)
