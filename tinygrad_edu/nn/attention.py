"""Attention: ``F.scaled_dot_product_attention`` and ``nn.MultiheadAttention``.

Both are composed from tensor operations (matmul, a mask added or filled with -inf, softmax), so
autograd differentiates them exactly and the graph shows each step: the attention weights are an
ordinary tensor in it.

``MultiheadAttention`` has PyTorch's parameters: ``in_proj_weight`` ``(3 * embed_dim,
embed_dim)`` in PyTorch's layout (q, k, v stacked; the step computes ``x @ W.T``) and
``in_proj_bias``, and ``out_proj``, an ``nn.Linear``. Like every ``nn.Linear`` of
tinygrad_edu, ``out_proj.weight`` is ``(in_features, out_features)``, the transpose of PyTorch's:
when moving a ``state_dict`` between the two, transpose ``out_proj.weight`` (and only it).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..tensor import Tensor
from . import functional as F
from . import init
from .linear import Linear
from .module import Module, Parameter, _check_device, _float_dtype

__all__ = ["scaled_dot_product_attention", "MultiheadAttention"]


def _array(x: Any) -> np.ndarray:
    return np.asarray(x.data if isinstance(x, Tensor) else x)


def _additive_mask(op: str, mask: Any, true_blocks: bool, dtype: np.dtype) -> np.ndarray:
    """A mask as an array to add to the scores: a bool mask becomes 0 / -inf (``true_blocks``
    says which of True and False blocks), a float mask is added as it is."""
    m = _array(mask)
    if m.dtype == bool:
        blocked = m if true_blocks else ~m
        return np.where(blocked, -np.inf, 0.0).astype(dtype)
    if m.dtype.kind != "f":
        raise TypeError(f"{op}: a mask must be bool or float, got dtype {m.dtype}")
    return m.astype(dtype)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Any = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """``softmax(query @ key.T * scale + mask) @ value`` over the last two dims, as PyTorch's.

    ``query`` ``(..., L, E)``, ``key`` ``(..., S, E)``, ``value`` ``(..., S, Ev)``; ``scale``
    defaults to ``1 / sqrt(E)``. ``attn_mask`` broadcasts to ``(..., L, S)``: a bool mask says
    where attention is *allowed* (True takes part), a float mask is added to the scores.
    ``is_causal=True`` lets position i see positions <= i only. ``dropout_p`` drops attention
    weights with ``F.dropout`` (always, as PyTorch's: pass 0.0 when evaluating).
    """
    op = "scaled_dot_product_attention"
    for what, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: {what} must be a Tensor, got {type(t).__name__}")
        if t.ndim < 2:
            raise RuntimeError(f"{op}: {what} must have at least 2 dims, got shape "
                               f"{tuple(t.shape)}")
    if enable_gqa:
        raise NotImplementedError(f"{op}: enable_gqa=True is not implemented in tinygrad_edu")
    if query.shape[-1] != key.shape[-1]:
        raise RuntimeError(f"{op}: query {tuple(query.shape)} and key {tuple(key.shape)} must "
                           "have the same last dim")
    if key.shape[-2] != value.shape[-2]:
        raise RuntimeError(f"{op}: key {tuple(key.shape)} and value {tuple(value.shape)} must "
                           "have the same sequence length (dim -2)")
    L, S = query.shape[-2], key.shape[-2]
    factor = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = query @ key.transpose(-2, -1) * factor
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError(f"{op}: Explicit attn_mask should not be set when is_causal=True")
        scores = scores + _additive_mask(op, np.tril(np.ones((L, S), bool)), False, scores.dtype)
    elif attn_mask is not None:
        scores = scores + _additive_mask(op, attn_mask, False, scores.dtype)
    weights = F.softmax(scores, dim=-1)
    if dropout_p > 0.0:
        weights = F.dropout(weights, p=dropout_p, training=True)
    return weights @ value


class MultiheadAttention(Module):
    """Multi-head attention as ``torch.nn.MultiheadAttention`` (parameters, masks, results).

    ``forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
    average_attn_weights=True, is_causal=False)`` takes ``(L, N, E)`` inputs (``(N, L, E)``
    with ``batch_first=True``; unbatched ``(L, E)``) and returns ``(attn_output,
    attn_weights)``: the weights averaged over the heads, ``(N, L, S)``, (per head with
    ``average_attn_weights=False``), or None with ``need_weights=False``. Masks follow
    PyTorch: in ``key_padding_mask`` ``(N, S)`` and ``attn_mask`` ``(L, S)`` or
    ``(N * num_heads, L, S)``, a True entry is *not* attended to; a float mask is added.

    Initial values as PyTorch's: ``out_proj`` draws as an ``nn.Linear`` first, then
    ``in_proj_weight`` is ``xavier_uniform_`` and both biases are zero. ``out_proj.weight`` is
    the transpose of PyTorch's (see ``nn.Linear``).
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False,
                 kdim: int | None = None, vdim: int | None = None, batch_first: bool = False,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        _check_device(device, "MultiheadAttention")
        d = _float_dtype(dtype if dtype is not None else np.float64, "MultiheadAttention")
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"MultiheadAttention: embed_dim and num_heads must be greater "
                             f"than 0, got embed_dim={embed_dim} and num_heads={num_heads}")
        if embed_dim % num_heads != 0:
            raise AssertionError(f"MultiheadAttention: embed_dim must be divisible by "
                                 f"num_heads, got {embed_dim} and {num_heads}")
        for what, val in (("kdim", kdim), ("vdim", vdim)):
            if val is not None and val != embed_dim:
                raise NotImplementedError(f"MultiheadAttention: {what}={val} different from "
                                          "embed_dim is not implemented in tinygrad_edu")
        if add_bias_kv or add_zero_attn:
            raise NotImplementedError("MultiheadAttention: add_bias_kv and add_zero_attn are "
                                      "not implemented in tinygrad_edu")
        self.embed_dim = embed_dim
        self.kdim = embed_dim
        self.vdim = embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        self.in_proj_weight = Parameter(np.empty((3 * embed_dim, embed_dim), d))
        self.in_proj_bias: Parameter | None
        self.register_parameter(
            "in_proj_bias", Parameter(np.empty(3 * embed_dim, d)) if bias else None)
        # Built (and so drawn) before in_proj_weight's draw, as in PyTorch's constructor.
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, dtype=d)
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        init.xavier_uniform_(self.in_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
        if self.out_proj.bias is not None:
            init.constant_(self.out_proj.bias, 0.0)

    def forward(self, query: Tensor, key: Tensor, value: Tensor,
                key_padding_mask: Any = None, need_weights: bool = True, attn_mask: Any = None,
                average_attn_weights: bool = True, is_causal: bool = False
                ) -> tuple[Tensor, Tensor | None]:
        op = "MultiheadAttention"
        for what, t in (("query", query), ("key", key), ("value", value)):
            if not isinstance(t, Tensor):
                raise TypeError(f"{op}: {what} must be a Tensor, got {type(t).__name__}")
        batched = query.ndim == 3
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise AssertionError(f"{op}: query, key and value must all be 3-D (batched) or "
                                 f"2-D (unbatched), got shapes {tuple(query.shape)}, "
                                 f"{tuple(key.shape)}, {tuple(value.shape)}")
        if is_causal and attn_mask is None:
            raise RuntimeError(f"{op}: Need attn_mask if specifying the is_causal hint.")
        q, k, v = query, key, value
        if not batched:
            q, k, v = q.unsqueeze(1), k.unsqueeze(1), v.unsqueeze(1)
        elif self.batch_first:
            q, k, v = q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1)
        L, N, E = q.shape
        S = k.shape[0]
        if self.embed_dim != E or k.shape[2] != E or v.shape[2] != E:
            raise AssertionError(f"{op}: expected inputs with embed_dim {self.embed_dim} in "
                                 f"the last dim, got {tuple(query.shape)}, {tuple(key.shape)}, "
                                 f"{tuple(value.shape)}")
        if tuple(k.shape[:2]) != tuple(v.shape[:2]) or k.shape[1] != N:
            raise AssertionError(f"{op}: key {tuple(key.shape)} and value {tuple(value.shape)} "
                                 f"do not match each other or the query {tuple(query.shape)}")
        H, hd = self.num_heads, self.head_dim
        w_q, w_k, w_v = self.in_proj_weight.chunk(3, 0)
        b = self.in_proj_bias
        b_q, b_k, b_v = b.chunk(3, 0) if b is not None else (None, None, None)

        def heads(x: Tensor, w: Tensor, bias: Tensor | None) -> Tensor:
            y = F.linear(x, w, bias)  # (T, N, E) -> (N, H, T, hd)
            return y.reshape(x.shape[0], N, H, hd).permute(1, 2, 0, 3)

        qh, kh, vh = heads(q, w_q, b_q), heads(k, w_k, b_k), heads(v, w_v, b_v)
        # PyTorch scales q before the product (the same values to round-off).
        scores = (qh * (1.0 / math.sqrt(hd))) @ kh.transpose(-2, -1)  # (N, H, L, S)
        mask = np.zeros((N, H, L, S), scores.dtype)
        if attn_mask is not None:
            m = _additive_mask(op, attn_mask, True, scores.dtype)
            if m.shape == (L, S):
                mask = mask + m
            elif m.shape == (N * H, L, S):
                mask = mask + m.reshape(N, H, L, S)
            else:
                raise RuntimeError(f"{op}: attn_mask of shape {m.shape} should be {(L, S)} or "
                                   f"{(N * H, L, S)}")
        if key_padding_mask is not None:
            m = _additive_mask(op, key_padding_mask, True, scores.dtype)
            if m.shape != ((N, S) if batched else (S,)):
                raise AssertionError(f"{op}: expecting key_padding_mask shape of "
                                     f"{(N, S) if batched else (S,)}, but got {m.shape}")
            mask = mask + m.reshape(N, 1, 1, S)
        if attn_mask is not None or key_padding_mask is not None:
            scores = scores + Tensor(mask)
        weights = F.softmax(scores, dim=-1)
        if self.dropout > 0.0 and self.training:
            weights = F.dropout(weights, p=self.dropout, training=True)
        out = (weights @ vh).permute(2, 0, 1, 3).reshape(L, N, E)
        out = self.out_proj(out)
        if not batched:
            out = out.squeeze(1)
        elif self.batch_first:
            out = out.transpose(0, 1)
        if not need_weights:
            return out, None
        avg = weights.mean(dim=1) if average_attn_weights else weights
        return out, (avg if batched else avg.squeeze(0))

    def extra_repr(self) -> str:
        return ""
