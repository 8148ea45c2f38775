"""Recurrent layers and attention against PyTorch in float64 (values and gradients, 1e-10).

Models are built on both sides after the same ``manual_seed``: tinygrad_edu's float64 parameters
draw PyTorch's float32 stream (see random.py), so they equal torch's float32 model made
``.double()``; that equality is itself tested. Gradients of the input, of the initial states and
of every parameter are compared by name.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from helpers import requires_torch, torch

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as TF
from tinygrad_edu import Tensor, gradcheck, nn, optim

pytestmark = requires_torch

TOL = 1e-10


def close(ours: Any, theirs: Any) -> None:
    a = np.asarray(ours.data if isinstance(ours, Tensor) else ours)
    b = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=TOL, atol=TOL)


def pair(ctor: str, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
    """The same module built on both sides after the same seed (torch's made float64)."""
    tg.manual_seed(0)
    ours = getattr(nn, ctor)(*args, **kwargs)
    torch.manual_seed(0)
    theirs = getattr(torch.nn, ctor)(*args, **kwargs).double()
    return ours, theirs


def inputs(shape: tuple[int, ...], seed: int) -> tuple[Tensor, Any]:
    arr = np.random.default_rng(seed).standard_normal(shape)
    return Tensor(arr.copy(), requires_grad=True), torch.tensor(arr, requires_grad=True)


def check_params_equal(ours: Any, theirs: Any) -> None:
    """Same names, shapes (Linear's transposed) and values."""
    o = dict(ours.named_parameters())
    t = dict(theirs.named_parameters())
    assert list(o) == list(t)
    for name, p in o.items():
        arr = p.data.T if getattr(p, "_torch_layout_transposed", False) else p.data
        assert arr.shape == tuple(t[name].shape), name
        np.testing.assert_array_equal(arr, t[name].detach().numpy(), err_msg=name)


def check_grads(ours: Any, theirs: Any) -> None:
    t = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        g = p.grad.data.T if getattr(p, "_torch_layout_transposed", False) else p.grad.data
        assert t[name].grad is not None, name
        np.testing.assert_allclose(g, t[name].grad.numpy(), rtol=TOL, atol=TOL, err_msg=name)


def weighted_sum(ts: list[Any], seed: int, lib: Any) -> Any:
    """sum_i sum(t_i * r_i) with fixed random r_i: every output element gets its own weight."""
    rng = np.random.default_rng(seed)
    total = None
    for t in ts:
        r = rng.standard_normal(tuple(t.shape))
        term = (t * (lib.tensor(r) if lib is torch else Tensor(r))).sum()
        total = term if total is None else total + term
    return total


# --------------------------------------------------------------------------- recurrent layers

LAYERS = [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("LSTM", {}), ("GRU", {})]


@pytest.mark.parametrize("ctor,extra", LAYERS, ids=["rnn_tanh", "rnn_relu", "lstm", "gru"])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("layers,bidir", [(1, False), (2, False), (2, True)])
@pytest.mark.parametrize("batch,given", [(1, False), (3, True), (3, False), (0, True)],
                         ids=["b1", "b3_h0", "b3", "unbatched_h0"])
def test_recurrent_layer_matches_torch(ctor: str, extra: dict[str, Any], batch_first: bool,
                                       layers: int, bidir: bool, batch: int,
                                       given: bool) -> None:
    ours, theirs = pair(ctor, 3, 4, num_layers=layers, batch_first=batch_first,
                        bidirectional=bidir, **extra)
    check_params_equal(ours, theirs)
    T, D = 5, 2 if bidir else 1
    shape: tuple[int, ...]
    hshape: tuple[int, ...]
    if batch == 0:  # unbatched: (T, input) and states (layers * D, hidden)
        shape, hshape = (T, 3), (layers * D, 4)
    else:
        shape = (batch, T, 3) if batch_first else (T, batch, 3)
        hshape = (layers * D, batch, 4)
    x, tx = inputs(shape, 1)
    states = [inputs(hshape, 2 + i) for i in range(2 if ctor == "LSTM" else 1)] if given else []
    if ctor == "LSTM":
        hx: Any = tuple(s[0] for s in states) if given else None
        thx: Any = tuple(s[1] for s in states) if given else None
    else:
        hx = states[0][0] if given else None
        thx = states[0][1] if given else None
    out, h = ours(x, hx)
    tout, th = theirs(tx, thx)
    flat = [out, *(h if isinstance(h, tuple) else (h,))]
    tflat = [tout, *(th if isinstance(th, tuple) else (th,))]
    for a, b in zip(flat, tflat, strict=True):
        close(a, b)
    weighted_sum(flat, 7, tg).backward()
    weighted_sum(tflat, 7, torch).backward()
    close(x.grad, tx.grad)
    for s in states:
        close(s[0].grad, s[1].grad)
    check_grads(ours, theirs)


@pytest.mark.parametrize("ctor", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("batch,given", [(1, True), (4, False), (4, True), (0, True), (0, False)])
@pytest.mark.parametrize("bias", [True, False])
def test_cell_matches_torch(ctor: str, batch: int, given: bool, bias: bool) -> None:
    ours, theirs = pair(ctor, 3, 5, bias=bias)
    check_params_equal(ours, theirs)
    xs = (batch, 3) if batch else (3,)
    hs = (batch, 5) if batch else (5,)
    x, tx = inputs(xs, 1)
    states = [inputs(hs, 2 + i) for i in range(2 if ctor == "LSTMCell" else 1)] if given else []
    if ctor == "LSTMCell":
        hx: Any = tuple(s[0] for s in states) if given else None
        thx: Any = tuple(s[1] for s in states) if given else None
    else:
        hx = states[0][0] if given else None
        thx = states[0][1] if given else None
    # Two steps, so the state's own path is exercised too.
    r1, r2 = ours(x, hx), theirs(tx, thx)
    r1, r2 = ours(x, r1), theirs(tx, r2)
    flat = list(r1) if isinstance(r1, tuple) else [r1]
    tflat = list(r2) if isinstance(r2, tuple) else [r2]
    for a, b in zip(flat, tflat, strict=True):
        close(a, b)
    weighted_sum(flat, 3, tg).backward()
    weighted_sum(tflat, 3, torch).backward()
    close(x.grad, tx.grad)
    for s in states:
        close(s[0].grad, s[1].grad)
    check_grads(ours, theirs)


@pytest.mark.parametrize("ctor,kwargs", [
    ("LSTM", {"num_layers": 3, "bidirectional": True}),
    ("GRU", {"num_layers": 2, "bias": False}),
    ("RNN", {"nonlinearity": "relu"}),
    ("LSTMCell", {}),
])
def test_state_dict_keys_and_shapes_equal_torch(ctor: str, kwargs: dict[str, Any]) -> None:
    ours, theirs = pair(ctor, 6, 7, **kwargs)
    sd, tsd = ours.state_dict(), theirs.state_dict()
    assert list(sd) == list(tsd)
    assert [v.shape for v in sd.values()] == [tuple(v.shape) for v in tsd.values()]
    # A torch state_dict loads as it is (no transposes: these are not Linear layers).
    ours.load_state_dict({k: v.numpy() * 2 for k, v in tsd.items()})
    for k, v in tsd.items():
        np.testing.assert_array_equal(ours.state_dict()[k], v.numpy() * 2)


def test_weights_equal_torch_float64_stream(float64_program: None) -> None:
    """With set_default_dtype(float64) on both sides, the float64 draws match too."""
    tg.manual_seed(3)
    ours = nn.LSTM(2, 3, num_layers=2)
    torch.manual_seed(3)
    theirs = torch.nn.LSTM(2, 3, num_layers=2, dtype=torch.float64)
    check_params_equal(ours, theirs)


def test_lstmcell_gradcheck() -> None:
    tg.manual_seed(0)
    cell = nn.LSTMCell(2, 3)
    rng = np.random.default_rng(0)
    x, h, c = (Tensor(rng.standard_normal(s), requires_grad=True) for s in [(2, 2), (2, 3), (2, 3)])
    params = list(cell.parameters())

    def fn(x: Tensor, h: Tensor, c: Tensor, *ps: Tensor) -> tuple[Tensor, Tensor]:
        return cell(x, (h, c))

    report = gradcheck(fn, x, h, c, *params, per_node=True)
    assert report.ok, report


def test_recurrent_errors() -> None:
    lstm = nn.LSTM(3, 4, num_layers=2)
    with pytest.raises(RuntimeError, match="input_size. Expected 3, got 5"):
        lstm(Tensor(np.zeros((2, 1, 5))))
    with pytest.raises(ValueError, match="2D or 3D, got 4D"):
        lstm(Tensor(np.zeros((2, 1, 1, 3))))
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(2, 1, 4\)"):
        lstm(Tensor(np.zeros((2, 1, 3))), (Tensor(np.zeros((1, 1, 4))),) * 2)
    with pytest.raises(RuntimeError, match="should also be 3-D but got 2-D"):
        lstm(Tensor(np.zeros((2, 1, 3))), (Tensor(np.zeros((2, 4))),) * 2)
    with pytest.raises(ValueError, match="Unknown nonlinearity"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="dropout should be a number in range"):
        nn.GRU(3, 4, num_layers=2, dropout=1.5)
    with pytest.raises(NotImplementedError, match="proj_size"):
        nn.LSTM(3, 4, proj_size=2)
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        nn.LSTM(3, 4, dropout=0.5)
    with pytest.raises(RuntimeError, match="inconsistent input_size: got 2 expected 3"):
        nn.GRUCell(3, 4)(Tensor(np.zeros((1, 2))))


def test_all_weights_and_flatten_parameters() -> None:
    ours, theirs = pair("LSTM", 2, 3, num_layers=2, bidirectional=True)
    ours.flatten_parameters()
    theirs.flatten_parameters()
    shapes = [[p.shape for p in group] for group in ours.all_weights]
    assert shapes == [[tuple(p.shape) for p in group] for group in theirs.all_weights]


def test_repr_as_torch() -> None:
    cases: list[tuple[tuple[int, ...], dict[str, Any]]] = [
        ((3, 4), {}), ((3, 4, 2), {"batch_first": True, "bidirectional": True}),
        ((3, 4), {"bias": False, "dropout": 0.0})]
    for args, kwargs in cases:
        for ctor in ["LSTM", "GRU", "RNN"]:
            assert repr(getattr(nn, ctor)(*args, **kwargs)) == \
                repr(getattr(torch.nn, ctor)(*args, **kwargs))
    for ctor in ["LSTMCell", "GRUCell", "RNNCell"]:
        assert repr(getattr(nn, ctor)(3, 4, bias=False)) == \
            repr(getattr(torch.nn, ctor)(3, 4, bias=False))
    for relu in (nn.RNN(2, 3, nonlinearity="relu"), nn.RNNCell(2, 3, nonlinearity="relu")):
        assert repr(relu) == repr(getattr(torch.nn, type(relu).__name__)(2, 3, nonlinearity="relu"))


# --------------------------------------------------------------------------- learner programs


def lstm_tagger_program(torch: Any, nn: Any, F: Any, optim: Any) -> list[float]:
    """The PyTorch tutorial's LSTM tagger, one-hot words instead of an Embedding."""
    training_data = [
        (["The", "dog", "ate", "the", "apple"], ["DET", "NN", "V", "DET", "NN"]),
        (["Everybody", "read", "that", "book"], ["NN", "V", "DET", "NN"]),
    ]
    word_to_ix: dict[str, int] = {}
    for sent, _ in training_data:
        for word in sent:
            word_to_ix.setdefault(word, len(word_to_ix))
    tag_to_ix = {"DET": 0, "NN": 1, "V": 2}

    class LSTMTagger(nn.Module):
        def __init__(self, vocab_size: int, hidden_dim: int, tagset_size: int) -> None:
            super().__init__()
            self.vocab_size = vocab_size
            self.lstm = nn.LSTM(vocab_size, hidden_dim)
            self.hidden2tag = nn.Linear(hidden_dim, tagset_size)

        def forward(self, sentence: Any) -> Any:
            one_hot = torch.eye(self.vocab_size, dtype=torch.float64)[sentence]
            lstm_out, _ = self.lstm(one_hot.view(len(sentence), 1, -1))
            tag_space = self.hidden2tag(lstm_out.view(len(sentence), -1))
            return F.log_softmax(tag_space, dim=1)

    torch.manual_seed(1)
    model = LSTMTagger(len(word_to_ix), 6, len(tag_to_ix)).double()
    loss_function = nn.NLLLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(3):
        for sentence, tags in training_data:
            model.zero_grad()
            sentence_in = torch.tensor([word_to_ix[w] for w in sentence], dtype=torch.long)
            targets = torch.tensor([tag_to_ix[t] for t in tags], dtype=torch.long)
            loss = loss_function(model(sentence_in), targets)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    with torch.no_grad():
        sentence_in = torch.tensor([word_to_ix[w] for w in training_data[0][0]])
        losses.extend(model(sentence_in).flatten().tolist())
        losses.extend(p.sum().item() for p in model.parameters())
    return losses


def test_lstm_tagger_trains_as_torch() -> None:
    ours = lstm_tagger_program(tg, nn, TF, optim)
    theirs = lstm_tagger_program(torch, torch.nn, torch.nn.functional, torch.optim)
    np.testing.assert_allclose(ours, theirs, rtol=TOL, atol=TOL)


def gpt_block_program(torch: Any, nn: Any, F: Any) -> dict[str, Any]:
    """The GPT lecture's block: heads with a ``tril`` buffer and ``masked_fill``, a feed-forward
    layer, residual connections; forward and backward on a fixed batch."""
    n_embd, block_size, n_head = 8, 6, 2

    class Head(nn.Module):
        def __init__(self, head_size: int) -> None:
            super().__init__()
            self.key = nn.Linear(n_embd, head_size, bias=False)
            self.query = nn.Linear(n_embd, head_size, bias=False)
            self.value = nn.Linear(n_embd, head_size, bias=False)
            self.register_buffer("tril", torch.tril(torch.ones(block_size, block_size)))

        def forward(self, x: Any) -> Any:
            B, T, C = x.shape
            k = self.key(x)
            q = self.query(x)
            wei = q @ k.transpose(-2, -1) * C**-0.5
            wei = wei.masked_fill(self.tril[:T, :T] == 0, float("-inf"))
            wei = F.softmax(wei, dim=-1)
            v = self.value(x)
            return wei @ v

    class MultiHeadAttention(nn.Module):
        def __init__(self, num_heads: int, head_size: int) -> None:
            super().__init__()
            self.heads = nn.ModuleList([Head(head_size) for _ in range(num_heads)])
            self.proj = nn.Linear(n_embd, n_embd)

        def forward(self, x: Any) -> Any:
            return self.proj(torch.cat([h(x) for h in self.heads], dim=-1))

    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.sa = MultiHeadAttention(n_head, n_embd // n_head)
            self.ffwd = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.ReLU(),
                                      nn.Linear(4 * n_embd, n_embd))

        def forward(self, x: Any) -> Any:
            x = x + self.sa(x)
            return x + self.ffwd(x)

    torch.manual_seed(1337)
    block = Block().double()
    x = torch.randn(3, 5, n_embd, dtype=torch.float64, requires_grad=True)
    out = block(x)
    (out * out).sum().backward()
    result = {"out": out, "x.grad": x.grad}
    result.update({k + ".grad": p.grad for k, p in block.named_parameters()})
    result["buffers"] = [k for k, _ in block.named_buffers()]
    return result


def test_gpt_block_matches_torch() -> None:
    ours = gpt_block_program(tg, nn, TF)
    theirs = gpt_block_program(torch, torch.nn, torch.nn.functional)
    assert ours["buffers"] == theirs["buffers"] == ["sa.heads.0.tril", "sa.heads.1.tril"]
    for k in ours:
        if k == "buffers":
            continue
        a = ours[k].data
        if a.ndim == 2 and k.endswith("weight.grad"):  # nn.Linear's weight is transposed
            a = a.T
        np.testing.assert_allclose(a, theirs[k].detach().numpy(), rtol=TOL, atol=TOL,
                                   err_msg=k)


# --------------------------------------------------------------------------- attention


def sdpa_case(lib: Any, F: Any, q: Any, k: Any, v: Any, **kw: Any) -> Any:
    return F.scaled_dot_product_attention(q, k, v, **kw)


@pytest.mark.parametrize("kw", [
    {}, {"is_causal": True}, {"scale": 0.3}, {"attn_mask": "bool"}, {"attn_mask": "float"},
    {"attn_mask": "bool2d"},
], ids=["plain", "causal", "scale", "bool_mask", "float_mask", "bool_mask_2d"])
def test_scaled_dot_product_attention(kw: dict[str, Any]) -> None:
    rng = np.random.default_rng(5)
    L, S = 4, 6
    kw = dict(kw)
    if kw.get("attn_mask") == "bool":
        m = rng.random((2, 3, L, S)) > 0.3
        m[..., 0] = True  # no row fully masked
        kw["attn_mask"] = m
    elif kw.get("attn_mask") == "bool2d":
        kw["attn_mask"] = np.tril(np.ones((L, S), bool), 1)
    elif kw.get("attn_mask") == "float":
        kw["attn_mask"] = rng.standard_normal((L, S))
    causal_square = kw.get("is_causal", False)
    S = L if causal_square else S
    q, tq = inputs((2, 3, L, 5), 1)
    k, tk = inputs((2, 3, S, 5), 2)
    v, tv = inputs((2, 3, S, 7), 3)
    tkw: dict[str, Any] = {key: (torch.tensor(val) if isinstance(val, np.ndarray) else val)
                           for key, val in kw.items()}
    out = TF.scaled_dot_product_attention(q, k, v, **kw)
    tout = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, **tkw)
    close(out, tout)
    weighted_sum([out], 4, tg).backward()
    weighted_sum([tout], 4, torch).backward()
    for a, b in ((q, tq), (k, tk), (v, tv)):
        close(a.grad, b.grad)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("case", ["self", "cross_kpm", "attn_bool", "attn_float_3d", "no_bias",
                                  "per_head", "no_weights", "batch1", "unbatched"])
def test_multihead_attention_matches_torch(batch_first: bool, case: str) -> None:
    E, H, N, L, S = 6, 3, 2, 4, 5
    bias = case != "no_bias"
    ours, theirs = pair("MultiheadAttention", E, H, bias=bias, batch_first=batch_first)
    check_params_equal(ours, theirs)
    if case == "batch1":
        N = 1
    if case in ("self", "attn_bool", "attn_float_3d", "no_weights", "per_head", "batch1"):
        S = L
    rng = np.random.default_rng(9)
    shapes: list[tuple[int, ...]]
    if case == "unbatched":
        shapes = [(L, E), (S, E), (S, E)]
    elif batch_first:
        shapes = [(N, L, E), (N, S, E), (N, S, E)]
    else:
        shapes = [(L, N, E), (S, N, E), (S, N, E)]
    (q, tq), (k, tk), (v, tv) = (inputs(s, i) for i, s in enumerate(shapes))
    kw: dict[str, Any] = {}
    if case == "self":
        k, tk, v, tv = q, tq, q, tq
    if case == "cross_kpm":
        kpm = rng.random((N, S)) > 0.6
        kpm[:, 0] = False
        kw["key_padding_mask"] = kpm
    if case in ("attn_bool", "batch1"):
        kw["attn_mask"] = ~np.tril(np.ones((L, S), bool))
    if case == "attn_float_3d":
        kw["attn_mask"] = rng.standard_normal((N * H, L, S))
    if case == "per_head":
        kw["average_attn_weights"] = False
    if case == "no_weights":
        kw["need_weights"] = False
    tkw: dict[str, Any] = {key: (torch.tensor(val) if isinstance(val, np.ndarray) else val)
                           for key, val in kw.items()}
    out, w = ours(q, k, v, **kw)
    tout, tw = theirs(tq, tk, tv, **tkw)
    close(out, tout)
    outs, touts = [out], [tout]
    if case == "no_weights":
        assert w is None and tw is None
    else:
        close(w, tw)
        outs.append(w)
        touts.append(tw)
    weighted_sum(outs, 4, tg).backward()
    weighted_sum(touts, 4, torch).backward()
    for a, b in ((q, tq), (k, tk), (v, tv)):
        close(a.grad, b.grad)
    check_grads(ours, theirs)


def test_multihead_attention_state_dict_and_errors() -> None:
    ours, theirs = pair("MultiheadAttention", 8, 2)
    sd, tsd = ours.state_dict(), theirs.state_dict()
    assert list(sd) == list(tsd)
    for key in sd:  # out_proj.weight is nn.Linear's: (in, out), PyTorch's transposed
        want = tuple(tsd[key].shape)
        assert sd[key].shape == (want[::-1] if key == "out_proj.weight" else want)
    with pytest.raises(AssertionError, match="divisible by num_heads"):
        nn.MultiheadAttention(7, 2)
    with pytest.raises(RuntimeError, match="Need attn_mask"):
        ours(*(Tensor(np.zeros((2, 1, 8))),) * 3, is_causal=True)
    with pytest.raises(AssertionError, match="key_padding_mask shape"):
        ours(*(Tensor(np.zeros((2, 1, 8))),) * 3, key_padding_mask=np.zeros((2, 2), bool))


# --------------------------------------------------------------------------- dropout


@pytest.fixture
def torch_float64(float64_program: None) -> Iterator[None]:
    """Both sides as a program that called set_default_dtype(float64): the same random stream."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


@pytest.mark.parametrize("ctor", ["LSTM", "GRU", "RNN"])
def test_dropout_between_layers_matches_torch(torch_float64: None, ctor: str) -> None:
    tg.manual_seed(0)
    ours = getattr(nn, ctor)(3, 4, num_layers=3, dropout=0.4)
    torch.manual_seed(0)
    theirs = getattr(torch.nn, ctor)(3, 4, num_layers=3, dropout=0.4)
    check_params_equal(ours, theirs)
    x, tx = inputs((5, 2, 3), 1)
    for train in (False, True):  # eval() drops nothing; the gradients go through the drops
        ours.train(train)
        theirs.train(train)
        out, _ = ours(x)
        tout, _ = theirs(tx)
        close(out, tout)
    weighted_sum([out], 2, tg).backward()
    weighted_sum([tout], 2, torch).backward()
    close(x.grad, tx.grad)
    check_grads(ours, theirs)


def test_attention_dropout_matches_torch(torch_float64: None) -> None:
    tg.manual_seed(0)
    ours = nn.MultiheadAttention(6, 2, dropout=0.3)
    torch.manual_seed(0)
    theirs = torch.nn.MultiheadAttention(6, 2, dropout=0.3)
    x, tx = inputs((5, 2, 6), 1)
    out, w = ours(x, x, x)
    tout, tw = theirs(tx, tx, tx)
    close(out, tout)
    close(w, tw)
    weighted_sum([out, w], 2, tg).backward()
    weighted_sum([tout, tw], 2, torch).backward()
    close(x.grad, tx.grad)
    check_grads(ours, theirs)
    q, tq = inputs((2, 3, 4, 5), 2)
    tg.manual_seed(1)
    torch.manual_seed(1)
    close(TF.scaled_dot_product_attention(q, q, q, dropout_p=0.5),
          torch.nn.functional.scaled_dot_product_attention(tq, tq, tq, dropout_p=0.5))
