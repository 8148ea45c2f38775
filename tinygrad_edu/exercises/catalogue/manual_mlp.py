"""Backprop by hand through a 2-layer MLP with BatchNorm, one intermediate at a time.

The network is the character-level MLP of the makemore lectures: an embedding table ``C``
looked up by the context ``Xb``, a linear layer, BatchNorm written out in small steps, tanh,
a second linear layer and the mean cross-entropy. The learner gets the forward pass and
writes the gradient of every intermediate, in the order a backward pass reaches them; the
checker compares them one by one, so the first wrong one names the step that went astray.

One deliberate difference from the lecture: the variance is the biased one (divided by n),
as ``nn.BatchNorm1d`` and ``F.batch_norm`` use in training, so the engine's own layer gives
the same network.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...gradcheck import numerical_grad
from ...nn import functional as F
from ...tensor import Tensor
from .. import register
from ..computation import Computation, Graph, const, reshape, scatter_add, slope
from ..core import Case, Exercise, Values
from ..i18n import Msg
from .common import bilingual, text
from .layers import batch_matmul, labelled, quantities, softmax_rows

EPS = 1e-5

# The gradients the learner writes, in the order the backward pass reaches them.
QUANTITIES = ("dlogits", "dh", "dW2", "db2", "dhpreact", "dbngain", "dbnbias", "dbnraw",
              "dbnvar_inv", "dbnvar", "dbndiff2", "dbndiff", "dbnmeani", "dhprebn", "dembcat",
              "dW1", "demb", "dC")

_LEAVES = ("C", "W1", "bngain", "bnbias", "W2", "b2")


def _cases() -> list[Case]:
    rng = np.random.default_rng(26)
    vocab, block, n_embd, n_hidden = 7, 3, 2, 5

    def case(label: str, n: int = 8, gain: float = 1.0, w2_scale: float = 0.5,
             xb: Any = None) -> Case:
        fan_in = block * n_embd
        inputs = {
            "Xb": (rng.integers(0, vocab, (n, block)) if xb is None
                   else np.array(xb, dtype=np.int64)),
            "Yb": rng.integers(0, vocab, n),
            "C": rng.normal(size=(vocab, n_embd)),
            "W1": rng.normal(size=(fan_in, n_hidden)) / fan_in ** 0.5,
            "bngain": gain * rng.normal(1, 0.2, (1, n_hidden)),
            "bnbias": rng.normal(0, 0.2, (1, n_hidden)),
            "W2": rng.normal(0, w2_scale, (n_hidden, vocab)),
            "b2": rng.normal(0, 0.2, vocab),
        }
        return labelled(label, inputs)

    # The lecture's contexts at the start of words: index 0 ('.') repeated as padding.
    padded = [[0, 0, 0], [0, 0, 4], [0, 4, 1], [4, 1, 1], [0, 0, 0], [0, 0, 2]]
    return [
        case("random"),
        case("batch of two", n=2),
        case("saturated tanh", gain=8.0),
        case("padding contexts (repeated indices)", n=len(padded), xb=padded),
        case("confident logits", w2_scale=12.0),
    ]


def _graph(case: Case) -> tuple[Tensor, dict[str, Tensor]]:
    """The network in the engine, each intermediate named as in the exercise; returns the
    loss and the tensor behind each quantity (its gradient is the quantity)."""
    i = case.inputs
    p = {k: Tensor(np.array(i[k]), requires_grad=True, name=k)
         for k in _LEAVES}
    n = i["Xb"].shape[0]
    t: dict[str, Tensor] = {}

    def keep(name: str, x: Tensor) -> Tensor:
        x.name = name
        x.retain_grad()
        t[name] = x
        return x

    emb = keep("emb", F.embedding(i["Xb"], p["C"]))
    embcat = keep("embcat", emb.reshape(n, -1))
    hprebn = keep("hprebn", embcat @ p["W1"])
    bnmeani = keep("bnmeani", hprebn.mean(0, keepdim=True))
    bndiff = keep("bndiff", hprebn - bnmeani)
    bndiff2 = keep("bndiff2", bndiff ** 2)
    bnvar = keep("bnvar", bndiff2.mean(0, keepdim=True))
    bnvar_inv = keep("bnvar_inv", (bnvar + EPS) ** -0.5)
    bnraw = keep("bnraw", bndiff * bnvar_inv)
    hpreact = keep("hpreact", p["bngain"] * bnraw + p["bnbias"])
    h = keep("h", hpreact.tanh())
    logits = keep("logits", h @ p["W2"] + p["b2"])
    loss = F.cross_entropy(logits, i["Yb"])
    loss.name = "loss"
    t.update(p)
    return loss, {q: t[q[1:]] for q in QUANTITIES}


def _expected(case: Case) -> Values:
    loss, t = _graph(case)
    loss.backward()
    out = {}
    for q, x in t.items():
        assert x.grad is not None, q
        out[q] = x.grad.data
    return out


def _numerical(case: Case) -> Values:
    i = case.inputs

    def loss(c: Tensor, w1: Tensor, gain: Tensor, bias: Tensor, w2: Tensor, b2: Tensor
             ) -> Tensor:
        n = i["Xb"].shape[0]
        hprebn = F.embedding(i["Xb"], c).reshape(n, -1) @ w1
        # the engine's own layer: a second check that the steps above are BatchNorm's
        hpreact = F.batch_norm(hprebn, None, None, gain.reshape(-1), bias.reshape(-1),
                               training=True, eps=EPS)
        return F.cross_entropy(hpreact.tanh() @ w2 + b2, i["Yb"])

    grads = numerical_grad(loss, *(Tensor(i[k]) for k in _LEAVES))
    return {f"d{k}": g for k, g in zip(_LEAVES, grads, strict=True)}


# --------------------------------------------------------------------------- mistakes


def _forward(i: dict[str, Any]) -> dict[str, np.ndarray]:
    n = i["Xb"].shape[0]
    v: dict[str, np.ndarray] = {}
    v["emb"] = i["C"][i["Xb"]]
    v["embcat"] = v["emb"].reshape(n, -1)
    v["hprebn"] = v["embcat"] @ i["W1"]
    v["bndiff"] = v["hprebn"] - v["hprebn"].mean(axis=0, keepdims=True)
    v["bnvar"] = (v["bndiff"] ** 2).mean(axis=0, keepdims=True)
    v["bnvar_inv"] = (v["bnvar"] + EPS) ** -0.5
    v["bnraw"] = v["bndiff"] * v["bnvar_inv"]
    v["hpreact"] = i["bngain"] * v["bnraw"] + i["bnbias"]
    v["h"] = np.tanh(v["hpreact"])
    logits = v["h"] @ i["W2"] + i["b2"]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    v["probs"] = e / e.sum(axis=1, keepdims=True)
    return v


def _computation(case: Case) -> Computation:
    """Every gradient, in the starter's names, down to dC (demb scattered back into C's
    rows, repeated indices adding up)."""
    i = case.inputs
    v = _forward(i)
    g = Graph(i)
    logits = g.input("logits", v["h"] @ i["W2"] + i["b2"])
    onehot = g.input("onehot(Yb)", _onehot(case))
    n = g.input("n", float(i["Xb"].shape[0]))
    h, hpreact = g.input("h", v["h"]), g.input("hpreact", v["hpreact"])
    bnraw, bngain = g.input("bnraw", v["bnraw"]), g.input("bngain")
    bndiff, bnvar_inv = g.input("bndiff", v["bndiff"]), g.input("bnvar_inv", v["bnvar_inv"])
    pow15 = g.input("(bnvar + eps) ** -1.5", (v["bnvar"] + EPS) ** -1.5)
    ones = g.input("np.ones_like(hprebn)", np.ones_like(v["hprebn"]))
    embcat = g.input("embcat", v["embcat"])
    q = {}
    q["dlogits"] = (softmax_rows(logits, "probs") - onehot) / n
    q["dh"] = q["dlogits"] @ g.input("W2").T
    q["dW2"] = batch_matmul(h.T, q["dlogits"])
    q["db2"] = q["dlogits"].sum(axis=0, batch=True)
    q["dhpreact"] = q["dh"] * slope("tanh", h, inp=hpreact, out=h)
    q["dbngain"] = (q["dhpreact"] * bnraw).sum(axis=0, keepdims=True, batch=True)
    q["dbnbias"] = q["dhpreact"].sum(axis=0, keepdims=True, batch=True)
    q["dbnraw"] = q["dhpreact"] * bngain
    q["dbnvar_inv"] = (q["dbnraw"] * bndiff).sum(axis=0, keepdims=True, batch=True)
    q["dbnvar"] = q["dbnvar_inv"] * const(-0.5) * pow15
    q["dbndiff2"] = ones * q["dbnvar"] / n
    q["dbndiff"] = q["dbnraw"] * bnvar_inv + const(2) * bndiff * q["dbndiff2"]
    q["dbnmeani"] = -q["dbndiff"].sum(axis=0, keepdims=True)
    q["dhprebn"] = q["dbndiff"] + ones * q["dbnmeani"] / n
    q["dembcat"] = q["dhprebn"] @ g.input("W1").T
    q["dW1"] = batch_matmul(embcat.T, q["dhprebn"])
    q["demb"] = reshape(q["dembcat"], g.input("emb", v["emb"]))
    q["dC"] = scatter_add(q["demb"], g.input("Xb"), g.input("C"), "dC")
    return quantities(g, **q)


def _onehot(case: Case) -> np.ndarray:
    return np.eye(case.inputs["W2"].shape[1])[case.inputs["Yb"]]


def _dlogits_not_averaged(case: Case) -> Values:
    return {"dlogits": _forward(case.inputs)["probs"] - _onehot(case)}


def _tanh_slope_at_input(case: Case) -> Values:
    v = _forward(case.inputs)
    dh = (v["probs"] - _onehot(case)) / len(case.inputs["Yb"]) @ case.inputs["W2"].T
    return {"dhpreact": dh * (1 - v["hpreact"] ** 2)}


def _bessel(case: Case) -> Values:
    e = _expected(case)
    n = case.inputs["Xb"].shape[0]
    return {"dbndiff2": np.ones((n, 1)) * e["dbnvar"] / (n - 1)}


def _bndiff_one_branch(case: Case) -> Values:
    e = _expected(case)
    return {"dbndiff": e["dbnraw"] * _forward(case.inputs)["bnvar_inv"]}


def _mean_path_forgotten(case: Case) -> Values:
    return {"dhprebn": _expected(case)["dbndiff"]}


def _dc_not_accumulated(case: Case) -> Values:
    i = case.inputs
    dC = np.zeros_like(i["C"])
    dC[i["Xb"]] += _expected(case)["demb"]
    return {"dC": dC}


_FORWARD = '''
        import numpy as np


        def manual_backprop(Xb, Yb, C, W1, bngain, bnbias, W2, b2):
            n = Xb.shape[0]
            eps = 1e-5
            # the forward pass, in small steps
            emb = C[Xb]                                   # (n, block, n_embd)
            embcat = emb.reshape(n, -1)                   # (n, block * n_embd)
            hprebn = embcat @ W1                          # (n, n_hidden): no bias before BN
            bnmeani = hprebn.mean(axis=0, keepdims=True)  # (1, n_hidden)
            bndiff = hprebn - bnmeani
            bndiff2 = bndiff ** 2
            bnvar = bndiff2.mean(axis=0, keepdims=True)   # biased, as nn.BatchNorm1d
            bnvar_inv = (bnvar + eps) ** -0.5
            bnraw = bndiff * bnvar_inv
            hpreact = bngain * bnraw + bnbias
            h = np.tanh(hpreact)
            logits = h @ W2 + b2                          # (n, vocab)
            # loss = mean over the batch of -log softmax(logits)[row, Yb[row]]
'''

_RETURN = '''
            return {"dlogits": dlogits, "dh": dh, "dW2": dW2, "db2": db2,
                    "dhpreact": dhpreact, "dbngain": dbngain, "dbnbias": dbnbias,
                    "dbnraw": dbnraw, "dbnvar_inv": dbnvar_inv, "dbnvar": dbnvar,
                    "dbndiff2": dbndiff2, "dbndiff": dbndiff, "dbnmeani": dbnmeani,
                    "dhprebn": dhprebn, "dembcat": dembcat, "dW1": dW1, "demb": demb,
                    "dC": dC}
'''

_STARTER_BODY = "\n".join(
    f"            {q} = ..." + ("    # your formulas from here on" if q == "dlogits" else "")
    for q in QUANTITIES)

_SOLUTION_BODY = '''
            # backward, one intermediate at a time
            probs = np.exp(logits - logits.max(axis=1, keepdims=True))
            probs /= probs.sum(axis=1, keepdims=True)
            dlogits = probs.copy()
            dlogits[np.arange(n), Yb] -= 1
            dlogits /= n
            dh = dlogits @ W2.T
            dW2 = h.T @ dlogits
            db2 = dlogits.sum(axis=0)
            dhpreact = dh * (1 - h ** 2)
            dbngain = (dhpreact * bnraw).sum(axis=0, keepdims=True)
            dbnbias = dhpreact.sum(axis=0, keepdims=True)
            dbnraw = dhpreact * bngain
            dbnvar_inv = (dbnraw * bndiff).sum(axis=0, keepdims=True)
            dbnvar = dbnvar_inv * -0.5 * (bnvar + eps) ** -1.5
            dbndiff2 = np.ones_like(bndiff2) * dbnvar / n
            dbndiff = dbnraw * bnvar_inv + 2 * bndiff * dbndiff2
            dbnmeani = -dbndiff.sum(axis=0, keepdims=True)
            dhprebn = dbndiff + np.ones_like(hprebn) * dbnmeani / n
            dembcat = dhprebn @ W1.T
            dW1 = embcat.T @ dhprebn
            demb = dembcat.reshape(emb.shape)
            dC = np.zeros_like(C)
            np.add.at(dC, Xb, demb)
'''

MANUAL_MLP = register(Exercise(
    name="manual-mlp-batchnorm",
    title="Backprop by hand through an MLP with BatchNorm, one intermediate at a time",
    title_zh="手动反向传播：带 BatchNorm 的 MLP，逐个检查每个中间量的梯度",
    document="engine",
    statement=text("""
        A character-level MLP, as in the makemore lectures: the context Xb (n, block) picks
        rows of the embedding table C, a linear layer W1 (no bias: BatchNorm's mean would
        remove it), BatchNorm written out in small steps (bnmeani, bndiff, bndiff2, bnvar,
        bnvar_inv, bnraw, then bngain and bnbias), tanh, a second linear layer W2, b2, and the
        cross-entropy of the logits against Yb, averaged over the batch. The starter file has
        the forward pass. Write the gradient of the loss with respect to every intermediate and
        parameter, named by a d in front (dlogits, dh, ...), in the backward order:
          dlogits, dh, dW2, db2, dhpreact, dbngain, dbnbias, dbnraw, dbnvar_inv, dbnvar,
          dbndiff2, dbndiff, dbnmeani, dhprebn, dembcat, dW1, demb, dC
        Each has the shape of its variable (bngain, bnbias, bnmeani, bnvar are (1, n_hidden)).
        An intermediate used twice (bndiff) gets the sum of both gradients. The variance is the
        biased one (divided by n), as nn.BatchNorm1d in training, not the lecture's n-1.
        The checker compares them one by one, in this order, and names the first wrong one.
    """),
    statement_zh=text("""
        一个字符级 MLP，和 makemore 课程里的一样：上下文 Xb (n, block) 从嵌入表 C 中取出若干行，
        接一个线性层 W1（不带偏置：BatchNorm 减去均值时会把它消掉），再是拆成小步骤写出的
        BatchNorm（bnmeani、bndiff、bndiff2、bnvar、bnvar_inv、bnraw，然后是 bngain 和
        bnbias），tanh，第二个线性层 W2、b2，最后是 logits 对 Yb 的交叉熵在批次上的平均。
        初始文件里已经写好了前向传播。请写出损失对每个中间量和每个参数的梯度，名字在变量名
        前加 d（dlogits、dh……），按反向传播的顺序：
          dlogits, dh, dW2, db2, dhpreact, dbngain, dbnbias, dbnraw, dbnvar_inv, dbnvar,
          dbndiff2, dbndiff, dbnmeani, dhprebn, dembcat, dW1, demb, dC
        每个梯度与对应变量同形（bngain、bnbias、bnmeani、bnvar 的形状是 (1, n_hidden)）。
        被用了两次的中间量（bndiff）的梯度是两条路径之和。方差用有偏的（除以 n），与训练时的
        nn.BatchNorm1d 一致，而不是课程里的 n-1。
        检查器按这个顺序逐个比较，并指出第一个出错的量。
    """),
    entry="manual_backprop",
    starter=text(_FORWARD + _STARTER_BODY + "\n" + _RETURN),
    solution=text(_FORWARD + _SOLUTION_BODY + _RETURN),
    quantities=QUANTITIES,
    cases=_cases,
    expected=_expected,
    numerical=_numerical,
    mistakes=bilingual({
        Msg("the mean over the batch is missing: the loss averages over the n rows, so "
            "dlogits = (softmax(logits) - onehot(Yb)) / n",
            "少了对批次求平均：损失是 n 行的平均，所以 "
            "dlogits = (softmax(logits) - onehot(Yb)) / n"):
            _dlogits_not_averaged,
        Msg("tanh's slope taken at its input: dhpreact = dh * (1 - h**2) uses the output "
            "h = tanh(hpreact), not 1 - hpreact**2",
            "tanh 的斜率用了它的输入：dhpreact = dh * (1 - h**2) 用的是输出 h = tanh(hpreact)，"
            "而不是 1 - hpreact**2"):
            _tanh_slope_at_input,
        Msg("divided by n-1 (Bessel's correction, as in the lecture): this bnvar is the mean "
            "of bndiff2, divided by n, so dbndiff2 = dbnvar / n",
            "除以了 n-1（课程里的 Bessel 修正）：这里的 bnvar 是 bndiff2 的平均，除以的是 n，"
            "所以 dbndiff2 = dbnvar / n"):
            _bessel,
        Msg("only one of bndiff's two uses: it feeds bnraw and bndiff2, so "
            "dbndiff = dbnraw * bnvar_inv + 2 * bndiff * dbndiff2",
            "只算了 bndiff 的一条路径：它同时用于 bnraw 和 bndiff2，所以 "
            "dbndiff = dbnraw * bnvar_inv + 2 * bndiff * dbndiff2"):
            _bndiff_one_branch,
        Msg("the mean's path is missing: hprebn also reaches bndiff through bnmeani, so "
            "dhprebn = dbndiff + dbnmeani / n (on every row)",
            "漏了均值那条路径：hprebn 还经由 bnmeani 影响 bndiff，所以 "
            "dhprebn = dbndiff + dbnmeani / n（每一行都加）"):
            _mean_path_forgotten,
        Msg("a repeated index kept only one of its gradients: dC[Xb] += demb writes each row "
            "once; the padding contexts use C[0] many times, accumulate with "
            "np.add.at(dC, Xb, demb)",
            "重复的索引只留下了一份梯度：dC[Xb] += demb 对每一行只写一次；上下文里的填充"
            "多次用到 C[0]，要用 np.add.at(dC, Xb, demb) 累加"):
            _dc_not_accumulated,
    }),
    graph=_graph,
    computation=_computation,
))
