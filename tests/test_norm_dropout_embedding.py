"""Dropout, LayerNorm, BatchNorm1d/2d and Embedding against PyTorch (float64, 1e-10).

Values, gradients of the input and of every parameter, running statistics, train()/eval(),
state_dict keys and shapes, the random numbers (dropout masks, Embedding's init) after the
same seed, gradcheck of the norms, and a makemore-style MLP trained a few steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from helpers import requires_torch, torch

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Tensor, gradcheck, nn

pytestmark = requires_torch

TOL = 1e-10


def close(ours: Any, theirs: Any, tol: float = TOL) -> None:
    a = ours.data if isinstance(ours, Tensor) else np.asarray(ours)
    b = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def pair(shape: tuple[int, ...], seed: int = 0, scale: float = 1.0,
         shift: float = 0.0) -> tuple[Tensor, Any]:
    arr = np.random.default_rng(seed).standard_normal(shape) * scale + shift
    return Tensor(arr.copy(), requires_grad=True), torch.tensor(arr, requires_grad=True)


# --------------------------------------------------------------------------- layer norm


@pytest.mark.parametrize("shape,normalized", [
    ((4, 5), (5,)), ((1, 7), (7,)), ((3, 2, 5), (2, 5)), ((2, 3, 1), (1,)), ((6,), (6,)),
])
def test_layer_norm_matches_torch(shape: tuple[int, ...], normalized: tuple[int, ...]) -> None:
    x, tx = pair(shape, 1, 2.0, 0.5)
    ln = nn.LayerNorm(normalized)
    tln = torch.nn.LayerNorm(normalized, dtype=torch.float64)
    w = np.random.default_rng(2).standard_normal(normalized)
    b = np.random.default_rng(3).standard_normal(normalized)
    ln.load_state_dict({"weight": w, "bias": b})
    tln.load_state_dict({"weight": torch.tensor(w), "bias": torch.tensor(b)})
    g = np.random.default_rng(4).standard_normal(shape)
    y, ty = ln(x), tln(tx)
    close(y, ty)
    (y * Tensor(g)).sum().backward()
    (ty * torch.tensor(g)).sum().backward()
    close(x.grad, tx.grad)
    close(ln.weight.grad, tln.weight.grad)
    close(ln.bias.grad, tln.bias.grad)


def test_layer_norm_functional_options_and_repr() -> None:
    x, tx = pair((3, 4), 5)
    close(F.layer_norm(x, (4,), eps=1e-3), torch.nn.functional.layer_norm(tx, (4,), eps=1e-3))
    close(F.layer_norm(x, 4), torch.nn.functional.layer_norm(tx, [4]))
    plain = nn.LayerNorm(4, elementwise_affine=False)
    assert list(plain.state_dict()) == [] and plain.weight is None
    no_bias = nn.LayerNorm(4, bias=False)
    tno_bias = torch.nn.LayerNorm(4, bias=False)
    assert list(no_bias.state_dict()) == list(tno_bias.state_dict())
    assert repr(nn.LayerNorm(4)) == repr(torch.nn.LayerNorm(4))
    assert repr(nn.LayerNorm((2, 3), eps=1e-6)) == repr(torch.nn.LayerNorm((2, 3), eps=1e-6))
    with pytest.raises(RuntimeError, match=r"normalized_shape=\[5\]"):
        F.layer_norm(x, (5,))


def test_layer_norm_gradcheck() -> None:
    rng = np.random.default_rng(6)
    x = Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    w = Tensor(rng.standard_normal(3), requires_grad=True)
    b = Tensor(rng.standard_normal(3), requires_grad=True)
    assert gradcheck(lambda x, w, b: F.layer_norm(x, (3,), w, b), x, w, b, per_node=True).ok


# --------------------------------------------------------------------------- batch norm


def _copy_affine(ours: Any, theirs: Any, seed: int) -> None:
    n = ours.num_features
    rng = np.random.default_rng(seed)
    w, b = rng.standard_normal(n), rng.standard_normal(n)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(w))
        theirs.bias.copy_(torch.tensor(b))
    ours.weight.data[...] = w
    ours.bias.data[...] = b


@pytest.mark.parametrize("cls,shape", [
    ("BatchNorm1d", (4, 3)), ("BatchNorm1d", (5, 3, 7)), ("BatchNorm1d", (1, 3, 5)),
    ("BatchNorm1d", (2, 1)), ("BatchNorm2d", (3, 2, 5, 3)), ("BatchNorm2d", (1, 3, 2, 2)),
])
def test_batch_norm_train_and_eval_match_torch(cls: str, shape: tuple[int, ...]) -> None:
    c = shape[1]
    bn = getattr(nn, cls)(c)
    tbn = getattr(torch.nn, cls)(c, dtype=torch.float64)
    _copy_affine(bn, tbn, 7)
    for step in range(3):  # training: batch statistics, running ones updated
        x, tx = pair(shape, 10 + step, 3.0, 1.5)
        g = np.random.default_rng(20 + step).standard_normal(shape)
        y, ty = bn(x), tbn(tx)
        close(y, ty)
        (y * Tensor(g)).sum().backward()
        (ty * torch.tensor(g)).sum().backward()
        close(x.grad, tx.grad)
    close(bn.weight.grad, tbn.weight.grad)
    close(bn.bias.grad, tbn.bias.grad)
    close(bn.running_mean, tbn.running_mean)
    close(bn.running_var, tbn.running_var)
    assert int(bn.num_batches_tracked.data) == int(tbn.num_batches_tracked) == 3
    bn.eval()
    tbn.eval()
    x, tx = pair(shape, 30, 2.0)
    y, ty = bn(x), tbn(tx)
    close(y, ty)
    y.sum().backward()
    ty.sum().backward()
    close(x.grad, tx.grad)
    close(bn.running_mean, tbn.running_mean)  # evaluation leaves them alone
    assert int(bn.num_batches_tracked.data) == 3


@pytest.mark.parametrize("momentum", [0.1, 0.3, None])
def test_running_statistics_after_ten_steps(momentum: float | None) -> None:
    bn = nn.BatchNorm1d(4, momentum=momentum)
    tbn = torch.nn.BatchNorm1d(4, momentum=momentum, dtype=torch.float64)
    for step in range(10):
        x, tx = pair((6, 4), 40 + step, 1.0 + step, step - 3.0)
        bn(x)
        tbn(tx)
    close(bn.running_mean, tbn.running_mean)
    close(bn.running_var, tbn.running_var)
    assert int(bn.num_batches_tracked.data) == int(tbn.num_batches_tracked) == 10


def test_batch_norm_one_value_per_channel_raises_in_training_only() -> None:
    for shape in [(1, 3), (1, 3, 1), (1, 3, 1, 1)]:
        cls = nn.BatchNorm1d if len(shape) < 4 else nn.BatchNorm2d
        tcls = torch.nn.BatchNorm1d if len(shape) < 4 else torch.nn.BatchNorm2d
        bn, tbn = cls(3), tcls(3, dtype=torch.float64)
        x, tx = pair(shape, 50)
        with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
            tbn(tx)
        with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
            bn(x)
        close(bn.eval()(x), tbn.eval()(tx))


def test_batch_norm_options_and_functional() -> None:
    x, tx = pair((5, 3, 4), 60, 2.0, 1.0)
    # no affine, no running statistics: batch statistics in eval mode too
    bn = nn.BatchNorm1d(3, affine=False, track_running_stats=False).eval()
    tbn = torch.nn.BatchNorm1d(3, affine=False, track_running_stats=False,
                               dtype=torch.float64).eval()
    close(bn(x), tbn(tx))
    assert bn.running_mean is None and list(bn.state_dict()) == list(tbn.state_dict()) == []
    # the functional form updates the running tensors it is given
    rm, rv = Tensor(np.zeros(3)), Tensor(np.ones(3))
    trm, trv = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    w, tw = pair((3,), 61)
    b, tb = pair((3,), 62)
    y = F.batch_norm(x, rm, rv, w, b, training=True, momentum=0.2, eps=1e-3)
    ty = torch.nn.functional.batch_norm(tx, trm, trv, tw, tb, training=True, momentum=0.2,
                                        eps=1e-3)
    close(y, ty)
    close(rm, trm)
    close(rv, trv)
    y.sum().backward()
    ty.sum().backward()
    close(w.grad, tw.grad)
    close(b.grad, tb.grad)
    close(F.batch_norm(x, rm, rv), torch.nn.functional.batch_norm(tx, trm, trv))
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        nn.BatchNorm1d(3)(x.reshape(5, 3, 2, 2))
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(3)(x)


def test_batch_norm_gradcheck_train_mode() -> None:
    rng = np.random.default_rng(70)
    x = Tensor(rng.standard_normal((3, 2, 2)), requires_grad=True)
    w = Tensor(rng.standard_normal(2), requires_grad=True)
    b = Tensor(rng.standard_normal(2), requires_grad=True)
    assert gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                     x, w, b, per_node=True).ok


@pytest.mark.parametrize("make,tmake", [
    (lambda: nn.BatchNorm1d(5), lambda: torch.nn.BatchNorm1d(5)),
    (lambda: nn.BatchNorm2d(3, affine=False), lambda: torch.nn.BatchNorm2d(3, affine=False)),
    (lambda: nn.BatchNorm1d(2, bias=False), lambda: torch.nn.BatchNorm1d(2, bias=False)),
    (lambda: nn.BatchNorm1d(2, momentum=None, track_running_stats=False),
     lambda: torch.nn.BatchNorm1d(2, momentum=None, track_running_stats=False)),
    (lambda: nn.LayerNorm((2, 3)), lambda: torch.nn.LayerNorm((2, 3))),
    (lambda: nn.Embedding(7, 3), lambda: torch.nn.Embedding(7, 3)),
])
def test_state_dict_keys_shapes_and_repr_match_torch(make: Any, tmake: Any) -> None:
    ours, theirs = make().state_dict(), tmake().state_dict()
    assert list(ours) == list(theirs)
    assert [v.shape for v in ours.values()] == [tuple(v.shape) for v in theirs.values()]
    assert repr(make()) == repr(tmake())


def test_batch_norm_state_dict_round_trip_from_torch() -> None:
    tbn = torch.nn.BatchNorm2d(2, dtype=torch.float64)
    for s in range(3):
        tbn(torch.tensor(np.random.default_rng(s).standard_normal((2, 2, 3, 3))))
    bn = nn.BatchNorm2d(2)
    bn.load_state_dict({k: v.numpy() for k, v in tbn.state_dict().items()})
    x, tx = pair((2, 2, 3, 3), 80)
    close(bn.eval()(x), tbn.eval()(tx))
    assert int(bn.num_batches_tracked.data) == 3


# --------------------------------------------------------------------------- dropout


@pytest.mark.parametrize("p", [0.5, 0.2, 0.9])
@pytest.mark.parametrize("shape", [(7,), (4, 9), (3, 50, 11)])
def test_dropout_mask_equals_torch_float32_program(p: float, shape: tuple[int, ...]) -> None:
    # A float32 PyTorch program: torch's float32 tensor, tinygrad_edu's default float64 one.
    arr = np.random.default_rng(90).standard_normal(shape)
    torch.manual_seed(3)
    ty = torch.nn.functional.dropout(torch.tensor(arr, dtype=torch.float32), p)
    tg.manual_seed(3)
    y = F.dropout(Tensor(arr), p)
    np.testing.assert_array_equal(y.data == 0, ty.numpy() == 0)
    np.testing.assert_allclose(y.data, ty.numpy(), rtol=1e-6)
    # the stream moved on by as much as torch's did
    np.testing.assert_array_equal(tg.rand(5).data, torch.rand(5).double().numpy())


@pytest.mark.parametrize("p", [0.3, 0.7])
def test_dropout_of_float32_tensors_is_torch_bit_for_bit(p: float) -> None:
    arr = np.random.default_rng(95).standard_normal((20, 31)).astype(np.float32)
    torch.manual_seed(2)
    ty = torch.nn.functional.dropout(torch.tensor(arr), p)
    tg.manual_seed(2)
    y = F.dropout(Tensor(arr, dtype=np.float32), p)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.data, ty.numpy())


@pytest.mark.usefixtures("float64_program")
def test_dropout_equals_torch_float64_program_with_gradient() -> None:
    x, tx = pair((6, 33), 91)
    torch.manual_seed(11)
    tg.manual_seed(11)
    drop, tdrop = nn.Dropout(0.35), torch.nn.Dropout(0.35)
    y, ty = drop(x), tdrop(tx)
    close(y, ty, 0)  # the same mask and the same scale: bit for bit
    g = np.random.default_rng(92).standard_normal((6, 33))
    (y * Tensor(g)).sum().backward()
    (ty * torch.tensor(g)).sum().backward()
    close(x.grad, tx.grad)
    # a second call draws a new mask, still torch's
    close(drop(x), tdrop(tx), 0)


def test_dropout_train_eval_and_edge_probabilities() -> None:
    x, tx = pair((3, 4), 93)
    drop = nn.Dropout()
    assert drop.training
    drop.eval()
    assert drop(x) is x
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    close(F.dropout(x, 1.0), torch.nn.functional.dropout(tx, 1.0))
    assert repr(nn.Dropout(0.25)) == repr(torch.nn.Dropout(0.25))
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
            torch.nn.Dropout(bad)
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
            nn.Dropout(bad)


@pytest.mark.parametrize("fn,shape", [
    ("dropout1d", (3, 4, 5)), ("dropout1d", (4, 5)), ("dropout2d", (2, 3, 4, 5)),
])
def test_channel_dropout_equals_torch(fn: str, shape: tuple[int, ...]) -> None:
    x, tx = pair(shape, 94)
    torch.manual_seed(5)
    tg.manual_seed(5)
    y = getattr(F, fn)(x, 0.4)
    ty = getattr(torch.nn.functional, fn)(tx, 0.4)
    close(y, ty)
    y.sum().backward()
    ty.sum().backward()
    close(x.grad, tx.grad)


# --------------------------------------------------------------------------- embedding


def test_embedding_init_equals_torch_after_same_seed() -> None:
    torch.manual_seed(7)
    temb = torch.nn.Embedding(11, 5, padding_idx=3)
    tg.manual_seed(7)
    emb = nn.Embedding(11, 5, padding_idx=3)
    np.testing.assert_array_equal(emb.weight.data, temb.weight.detach().double().numpy())
    assert not emb.weight.data[3].any()


@pytest.mark.usefixtures("float64_program")
def test_embedding_init_equals_torch_float64_program() -> None:
    torch.manual_seed(8)
    temb = torch.nn.Embedding(6, 4, dtype=torch.float64)
    tg.manual_seed(8)
    emb = nn.Embedding(6, 4)
    np.testing.assert_array_equal(emb.weight.data, temb.weight.detach().numpy())


@pytest.mark.parametrize("padding_idx", [None, 2, -1])
@pytest.mark.parametrize("idx", [[[0, 2, 4], [2, 2, 1]], [3], 4, [[[1], [4]], [[2], [2]]]])
def test_embedding_lookup_and_gradient_match_torch(padding_idx: int | None, idx: Any) -> None:
    w = np.random.default_rng(100).standard_normal((5, 3))
    emb = nn.Embedding(5, 3, padding_idx=padding_idx)
    temb = torch.nn.Embedding(5, 3, padding_idx=padding_idx, dtype=torch.float64)
    emb.load_state_dict({"weight": w})
    temb.load_state_dict({"weight": torch.tensor(w)})
    y, ty = emb(tg.tensor(idx)), temb(torch.tensor(idx))
    close(y, ty)
    g = np.random.default_rng(101).standard_normal(ty.shape)
    (y * Tensor(g)).sum().backward()
    (ty * torch.tensor(g)).sum().backward()
    close(emb.weight.grad, temb.weight.grad)
    assert emb.padding_idx == temb.padding_idx


def test_embedding_functional_from_pretrained_and_errors() -> None:
    w, tw = pair((4, 2), 102)
    idx = [[3, 0], [1, 1]]
    y = F.embedding(tg.tensor(idx), w, padding_idx=0)
    ty = torch.nn.functional.embedding(torch.tensor(idx), tw, padding_idx=0)
    close(y, ty)
    y.sum().backward()
    ty.sum().backward()
    close(w.grad, tw.grad)
    table = Tensor(np.arange(8.0).reshape(4, 2))
    frozen = nn.Embedding.from_pretrained(table)
    tfrozen = torch.nn.Embedding.from_pretrained(torch.arange(8.0).reshape(4, 2))
    assert frozen.weight.requires_grad is tfrozen.weight.requires_grad is False
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad is True
    close(frozen(tg.tensor([2, 3])), tfrozen(torch.tensor([2, 3])).double())
    assert repr(nn.Embedding(4, 2, padding_idx=1)) == repr(torch.nn.Embedding(4, 2, padding_idx=1))
    with pytest.raises(IndexError, match="index out of range"):
        torch.nn.Embedding(4, 2)(torch.tensor([4]))
    with pytest.raises(IndexError, match="index out of range"):
        nn.Embedding(4, 2)(tg.tensor([4]))
    with pytest.raises(IndexError, match="index out of range"):
        nn.Embedding(4, 2)(tg.tensor([-1]))
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(4, 2, padding_idx=4)
    with pytest.raises(RuntimeError, match="Expected tensor for argument #1 'indices'"):
        nn.Embedding(4, 2)(Tensor([1.0]))


# --------------------------------------------------------------------------- makemore part 3


def _train_makemore(lib: Any, F_: Any, tensor: Any, X: np.ndarray, Y: np.ndarray,
                    init: dict[str, np.ndarray]) -> tuple[list[float], dict[str, np.ndarray]]:
    vocab, n_embd, block, n_hidden = 27, 4, 3, 16
    ours = lib is nn

    class MLP(lib.Module):
        def __init__(self) -> None:
            super().__init__()
            self.emb = lib.Embedding(vocab, n_embd)
            self.l1 = lib.Linear(n_embd * block, n_hidden, bias=False)
            self.bn = lib.BatchNorm1d(n_hidden)
            self.act = lib.Tanh()
            self.l2 = lib.Linear(n_hidden, vocab)

        def forward(self, idx: Any) -> Any:
            e = self.emb(idx)
            h = self.act(self.bn(self.l1(e.view(e.shape[0], -1))))
            return self.l2(h)

    model = MLP()
    state = {k: (v.T if ours and k in ("l1.weight", "l2.weight") else v) for k, v in init.items()}
    model.load_state_dict({k: (v if ours else torch.tensor(v)) for k, v in state.items()})
    losses = []
    for step in range(5):
        xb, yb = X[step * 8:(step + 1) * 8], Y[step * 8:(step + 1) * 8]
        logits = model(tensor(xb))
        loss = F_.cross_entropy(logits, tensor(yb))
        for p in model.parameters():
            p.grad = None
        loss.backward()
        lr = 0.1 if step < 3 else 0.01
        for p in model.parameters():
            p.data += -lr * p.grad.data
        losses.append(loss.item())
    model.eval()
    logits = model(tensor(X[:5]))
    final = {k: (v.T if ours and k in ("l1.weight", "l2.weight") else v)
             for k, v in model.state_dict().items()}
    final["eval_logits"] = logits.data if ours else logits.detach()
    return losses, {k: np.asarray(v) for k, v in final.items()}


def test_makemore_part3_mlp_trains_as_torch() -> None:
    rng = np.random.default_rng(110)
    X = rng.integers(0, 27, size=(40, 3))
    Y = rng.integers(0, 27, size=40)
    torch.set_default_dtype(torch.float64)
    try:
        torch.manual_seed(0)
        tmodel_init = {k: v.numpy().copy() for k, v in
                       _torch_init_state().items()}
        tlosses, tfinal = _train_makemore(torch.nn, torch.nn.functional, torch.tensor, X, Y,
                                          tmodel_init)
    finally:
        torch.set_default_dtype(torch.float32)
    losses, final = _train_makemore(nn, F, tg.tensor, X, Y, tmodel_init)
    np.testing.assert_allclose(losses, tlosses, rtol=TOL, atol=TOL)
    assert list(final) == list(tfinal)
    for k in tfinal:
        np.testing.assert_allclose(final[k], tfinal[k], rtol=TOL, atol=TOL, err_msg=k)


def _torch_init_state() -> dict[str, Any]:
    tnn = torch.nn
    model = tnn.ModuleDict({"emb": tnn.Embedding(27, 4), "l1": tnn.Linear(12, 16, bias=False),
                            "bn": tnn.BatchNorm1d(16), "l2": tnn.Linear(16, 27)})
    with torch.no_grad():
        model["bn"].weight.uniform_(0.5, 1.5)
        model["bn"].bias.uniform_(-0.5, 0.5)
    return {k: v for k, v in model.state_dict().items()}
