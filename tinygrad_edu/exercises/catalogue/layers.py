"""The layers' backward passes, written by hand in NumPy: cross-entropy, BatchNorm, LayerNorm,
Embedding, conv2d and one LSTM step.

Each exercise gives the layer's inputs and the gradient arriving at its output (``dout``,
``dh``, ...); the learner returns the gradients of the inputs and parameters. The expected
values are the engine's own layers (``nn.functional``, ``nn.LSTMCell``) run forward in float64
and differentiated by autograd; finite differences of the same forward are the second oracle.
The gradients are listed in the order a backward pass produces them, so the first one reported
wrong is the first step of the learner's derivation that went astray.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numpy as np

from ... import random as tg_random
from ...gradcheck import numerical_grad
from ...nn import functional as F
from ...nn.rnn import LSTMCell, _lstm_step, _project
from ...tensor import Tensor
from .. import register
from ..core import Case, Exercise, Values
from ..i18n import Msg
from .common import sigmoid, text

Mistakes = dict[str, Callable[[Case], Values]]


def bilingual(entries: dict[Msg, Callable[[Case], Values]]) -> Mistakes:
    """The exercise's own mistakes, each hint in both languages.

    ``Exercise.mistakes`` is typed with ``str`` keys while the hints migrate to ``Msg``
    (``Failure.hint`` takes either); the cast only tells the type checker so.
    """
    return cast(Mistakes, entries)


# The cases' labels in Chinese (the report shows them in the learner's language).
LABELS_ZH = {
    "random": "随机",
    "batch of one": "只有一个样本",
    "batch of two": "只有两个样本",
    "large logits": "很大的 logits",
    "two classes": "只有两个类别",
    "every row the same class": "每一行都是同一个类别",
    "confident and right": "预测自信且正确",
    "a constant feature": "有一个特征是常数",
    "large offset, small spread": "整体偏移大、彼此相差小",
    "a zero row of dout": "dout 有一行全为零",
    "gamma zero or negative": "gamma 为零或为负",
    "a sequence (batch, time, features)": "序列（批次、时间、特征）",
    "a constant row": "有一行是常数",
    "two features": "只有两个特征",
    "repeated indices": "重复的索引",
    "every index the same": "所有索引都相同",
    "one-dimensional idx": "一维的 idx",
    "rows never looked up": "有些行从未被查到",
    "stride 2, padding 1": "步长 2，填充 1",
    "batch of one, one channel, padding 1": "一个样本、一个通道，填充 1",
    "non-square kernel": "非正方形的卷积核",
    "stride leaves the last row unused": "步长使最后一行没有被用到",
    "1x1 kernel": "1x1 卷积核",
    "saturated gates": "门已饱和",
    "gradient from h only (dc = 0)": "只有来自 h 的梯度（dc = 0）",
    "gradient from c only (dh = 0)": "只有来自 c 的梯度（dh = 0）",
    "zero previous state": "上一步的状态为零",
    "saturated tanh": "tanh 已饱和",
    "padding contexts (repeated indices)": "带填充的上下文（重复的索引）",
    "confident logits": "logits 很大（预测很自信）",
}


def labelled(label: str, inputs: dict[str, Any]) -> Case:
    """A case with its label in both languages (``LABELS_ZH``)."""
    return Case(label, inputs, LABELS_ZH[label])


def _leaf(a: Any) -> Tensor:
    """A leaf of the input's own precision: float64 for the cases; float32 when the checker
    runs the reference again at float32 to measure each value's sensitivity to rounding."""
    return Tensor(np.array(a), requires_grad=True)


def _grads(**tensors: Tensor) -> Values:
    out = {}
    for name, t in tensors.items():
        assert t.grad is not None, name
        out[name] = t.grad.data
    return out


# --------------------------------------------------------------------------- cross-entropy


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _onehot(targets: np.ndarray, n_classes: int) -> np.ndarray:
    return np.eye(n_classes)[targets]


def _ce_cases() -> list[Case]:
    rng = np.random.default_rng(14)
    logits = rng.normal(0, 2, (6, 5))
    targets = rng.integers(0, 5, 6)
    large = rng.normal(0, 400, (4, 3))
    large[0] = [800.0, -800.0, 799.0]  # exp(800) overflows: the softmax must shift first
    return [
        labelled("random", {"logits": logits, "targets": targets}),
        labelled("batch of one", {"logits": logits[:1], "targets": targets[:1]}),
        labelled("large logits", {"logits": large, "targets": np.array([2, 0, 1, 1])}),
        labelled("two classes", {"logits": rng.normal(0, 1, (5, 2)),
                             "targets": np.array([0, 1, 1, 0, 1])}),
        labelled("every row the same class", {"logits": logits, "targets": np.full(6, 3)}),
        labelled("confident and right", {"logits": 30 * _onehot(targets, 5) + logits,
                                     "targets": targets}),
    ]


def _ce_expected(case: Case) -> Values:
    logits = _leaf(case.inputs["logits"])
    F.cross_entropy(logits, case.inputs["targets"]).backward()
    return _grads(dlogits=logits)


def _ce_numerical(case: Case) -> Values:
    t = case.inputs["targets"]
    (d,) = numerical_grad(lambda z: F.cross_entropy(z, t), Tensor(case.inputs["logits"]))
    return {"dlogits": d}


def _ce_variant(scale: Callable[[int, int], float], onehot: bool = True
                ) -> Callable[[Case], Values]:
    def make(case: Case) -> Values:
        z, t = case.inputs["logits"], case.inputs["targets"]
        n, c = z.shape
        p = _softmax(z) - (_onehot(t, c) if onehot else 0)
        return {"dlogits": p * scale(n, c)}

    return make


CROSS_ENTROPY = register(Exercise(
    name="layer-cross-entropy-grad",
    title="The cross-entropy's gradient with respect to the logits",
    title_zh="交叉熵对 logits 的梯度",
    document="engine",
    statement=text("""
        F.cross_entropy(logits, targets) takes the logits of N examples, an (N, C) array, and
        their classes, targets, N integers in 0..C-1. It averages -log softmax(logits)[n,
        targets[n]] over the N rows. Write dlogits(logits, targets) returning the gradient of
        that loss with respect to logits, an (N, C) array, in NumPy. It has a short closed form
        in terms of softmax(logits) and the one-hot encoding of targets. One case has logits
        of 800: exp(800) overflows, so compute the softmax so that it cannot.
    """),
    statement_zh=text("""
        F.cross_entropy(logits, targets) 的输入是 N 个样本的 logits（形状为 (N, C) 的数组）
        和它们的类别 targets（N 个取值在 0..C-1 的整数），损失是 -log softmax(logits)[n,
        targets[n]] 在 N 行上的平均。用 NumPy 写出 dlogits(logits, targets)，返回这个损失对
        logits 的梯度（形状 (N, C)）。它有一个简短的闭式解，只用到 softmax(logits) 和
        targets 的 one-hot 编码。有一个测试用例的 logits 达到 800，exp(800) 会溢出，
        所以 softmax 要写成不会溢出的形式。
    """),
    entry="dlogits",
    starter=text('''
        import numpy as np


        def dlogits(logits, targets):
            """logits (N, C), targets (N,) integers; the gradient of the mean cross-entropy."""
            raise NotImplementedError  # your formula here
    '''),
    solution=text('''
        import numpy as np


        def dlogits(logits, targets):
            n = logits.shape[0]
            z = logits - logits.max(axis=1, keepdims=True)  # the same softmax, no overflow
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            p[np.arange(n), targets] -= 1
            return p / n
    '''),
    quantities=("dlogits",),
    cases=_ce_cases,
    expected=_ce_expected,
    numerical=_ce_numerical,
    mistakes=bilingual({
        Msg("the mean is missing: F.cross_entropy averages over the N rows, so the gradient "
            "is (softmax(logits) - onehot(targets)) / N (right only for a batch of one)",
            "少了求平均：F.cross_entropy 在 N 行上取平均，所以梯度是 "
            "(softmax(logits) - onehot(targets)) / N（只有一个样本时才碰巧对）"):
            _ce_variant(lambda n, c: 1.0),
        Msg("divided by N*C: the loss is a mean over the N examples, not over all N*C "
            "entries of logits",
            "除以了 N*C：损失是对 N 个样本求平均，而不是对 logits 的全部 N*C 个元素"):
            _ce_variant(lambda n, c: 1.0 / (n * c)),
        Msg("the one-hot term is missing: the gradient is softmax(logits) - onehot(targets), "
            "the target's class gets -1 (divided by N)",
            "漏了 one-hot 项：梯度是 softmax(logits) - onehot(targets)，目标类别要减去 1"
            "（再除以 N）"):
            _ce_variant(lambda n, c: 1.0 / n, onehot=False),
    }),
))


# --------------------------------------------------------------------------- batchnorm


def _bn_reference(dout: np.ndarray, x: np.ndarray, gamma: np.ndarray, eps: float,
                  axis: int, ddof: int = 0) -> Values:
    """The whole-batch backward of normalising along ``axis`` (BatchNorm: 0, LayerNorm: -1)."""
    n = x.shape[axis]
    mu = x.mean(axis=axis, keepdims=True)
    std = np.sqrt(x.var(axis=axis, keepdims=True, ddof=ddof) + eps)
    xhat = (x - mu) / std
    lead = tuple(range(x.ndim - 1))
    dxhat = dout * gamma
    dx = (n * dxhat - dxhat.sum(axis=axis, keepdims=True)
          - xhat * (dxhat * xhat).sum(axis=axis, keepdims=True)) / (n * std)
    return {"dbeta": dout.sum(axis=lead), "dgamma": (dout * xhat).sum(axis=lead), "dx": dx}


def _bn_cases() -> list[Case]:
    rng = np.random.default_rng(21)

    def case(label: str, x: np.ndarray, **kw: Any) -> Case:
        d = x.shape[1]
        inputs = {"dout": rng.normal(size=x.shape), "x": x, "gamma": rng.normal(1, 0.5, d),
                  "beta": rng.normal(0, 0.5, d), "eps": 1e-5}
        inputs.update(kw)
        return labelled(label, inputs)

    x = rng.normal(1, 2, (6, 4))
    constant = rng.normal(0, 1, (8, 3))
    constant[:, 1] = 3.0  # zero variance: only eps keeps 1/sqrt(var + eps) finite
    zero_row = rng.normal(size=(5, 4))
    zero_row[2] = 0.0
    return [
        case("random", x),
        case("batch of two", x[:2]),
        case("a constant feature", constant),
        case("large offset, small spread", 1000 + 0.1 * rng.normal(size=(6, 3))),
        case("a zero row of dout", rng.normal(size=(5, 4)), dout=zero_row),
        case("gamma zero or negative", x, gamma=np.array([0.0, -1.5, 2.0, -0.3])),
    ]


def _bn_expected(case: Case) -> Values:
    i = case.inputs
    x, gamma, beta = _leaf(i["x"]), _leaf(i["gamma"]), _leaf(i["beta"])
    out = F.batch_norm(x, None, None, gamma, beta, training=True, eps=i["eps"])
    out.backward(i["dout"])
    return _grads(dbeta=beta, dgamma=gamma, dx=x)


def _bn_numerical(case: Case) -> Values:
    i = case.inputs
    dout = Tensor(i["dout"])

    def loss(x: Tensor, gamma: Tensor, beta: Tensor) -> Tensor:
        return (F.batch_norm(x, None, None, gamma, beta, training=True, eps=i["eps"])
                * dout).sum()

    dx, dgamma, dbeta = numerical_grad(loss, Tensor(i["x"]), Tensor(i["gamma"]),
                                       Tensor(i["beta"]))
    return {"dbeta": dbeta, "dgamma": dgamma, "dx": dx}


def _bn_unbiased(case: Case) -> Values:
    i = case.inputs
    return _bn_reference(i["dout"], i["x"], i["gamma"], i["eps"], axis=0, ddof=1)


def _bn_constant_statistics(case: Case) -> Values:
    """dx as if the batch's mean and variance did not depend on x."""
    i = case.inputs
    return {"dx": i["dout"] * i["gamma"] / np.sqrt(i["x"].var(axis=0) + i["eps"])}


def _bn_mean_only(case: Case) -> Values:
    """The mean's path kept, the variance's forgotten."""
    i = case.inputs
    dxhat = i["dout"] * i["gamma"]
    std = np.sqrt(i["x"].var(axis=0) + i["eps"])
    return {"dx": (dxhat - dxhat.mean(axis=0)) / std}


BATCHNORM = register(Exercise(
    name="layer-batchnorm-backward",
    title="BatchNorm's backward in one batch formula (training mode)",
    title_zh="BatchNorm 的反向传播：整批一个公式（训练模式）",
    document="engine",
    statement=text("""
        In training mode, BatchNorm normalises each feature of x (N, D) with the batch's own
        statistics: mean = x.mean(axis=0), var = x.var(axis=0) (the biased variance, divided by
        N, as F.batch_norm and nn.BatchNorm1d), xhat = (x - mean) / sqrt(var + eps), and
        out = gamma * xhat + beta. Given dout, the gradient arriving at out, write
        batchnorm_backward(dout, x, gamma, beta, eps) returning, in this order:
          dbeta, dgamma, dx
        dbeta and dgamma have shape (D,), dx has x's shape. mean and var depend on every row
        of x, so each row's dx depends on the whole batch: write dx as one formula over the
        batch (sums over axis 0), not as a loop over the rows. N is at least 2.
    """),
    statement_zh=text("""
        训练模式下，BatchNorm 用当前批次自己的统计量对 x (N, D) 的每个特征做归一化：
        mean = x.mean(axis=0)，var = x.var(axis=0)（有偏方差，除以 N，与 F.batch_norm 和
        nn.BatchNorm1d 一致），xhat = (x - mean) / sqrt(var + eps)，out = gamma * xhat + beta。
        已知 out 处传来的梯度 dout，写出 batchnorm_backward(dout, x, gamma, beta, eps)，
        按顺序返回：
          dbeta, dgamma, dx
        dbeta 和 dgamma 的形状是 (D,)，dx 与 x 同形。mean 和 var 依赖 x 的每一行，所以每一行的
        dx 都依赖整个批次：把 dx 写成一个对整批成立的公式（沿 axis 0 求和），不要逐行循环。
        N 至少为 2。
    """),
    entry="batchnorm_backward",
    starter=text('''
        import numpy as np


        def batchnorm_backward(dout, x, gamma, beta, eps):
            """x and dout (N, D); gamma, beta (D,). Return dbeta, dgamma, dx."""
            dbeta = ...    # your formulas here
            dgamma = ...
            dx = ...
            return dbeta, dgamma, dx
    '''),
    solution=text('''
        import numpy as np


        def batchnorm_backward(dout, x, gamma, beta, eps):
            n = x.shape[0]
            std = np.sqrt(x.var(axis=0) + eps)
            xhat = (x - x.mean(axis=0)) / std
            dbeta = dout.sum(axis=0)
            dgamma = (dout * xhat).sum(axis=0)
            dxhat = dout * gamma
            dx = (n * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)) / (n * std)
            return dbeta, dgamma, dx
    '''),
    quantities=("dbeta", "dgamma", "dx"),
    cases=_bn_cases,
    expected=_bn_expected,
    numerical=_bn_numerical,
    mistakes=bilingual({
        Msg("the unbiased variance (divided by N-1): in training BatchNorm normalises with "
            "the biased variance x.var(axis=0), divided by N",
            "用了无偏方差（除以 N-1）：训练时 BatchNorm 用有偏方差 x.var(axis=0) 归一化，"
            "除以的是 N"):
            _bn_unbiased,
        Msg("the batch statistics were treated as constants: dx = dout*gamma/sqrt(var + eps) "
            "forgets that mean and var depend on x; subtract the batch means of dxhat and of "
            "dxhat*xhat (times xhat)",
            "把批次统计量当成了常数：dx = dout*gamma/sqrt(var + eps) 忽略了 mean 和 var "
            "也依赖 x；还要减去 dxhat 的批均值，以及 xhat 乘以 dxhat*xhat 的批均值"):
            _bn_constant_statistics,
        Msg("the variance's path is missing: the mean's term is there, but var depends on x "
            "as well; subtract xhat * (dxhat*xhat).mean(axis=0) too",
            "漏了方差这条路径：均值那一项有了，但 var 也依赖 x；"
            "还要减去 xhat * (dxhat*xhat).mean(axis=0)"):
            _bn_mean_only,
    }),
))


# --------------------------------------------------------------------------- layernorm


def _ln_cases() -> list[Case]:
    rng = np.random.default_rng(22)

    def case(label: str, x: np.ndarray) -> Case:
        d = x.shape[-1]
        return labelled(label, {"dout": rng.normal(size=x.shape), "x": x,
                            "gamma": rng.normal(1, 0.5, d), "beta": rng.normal(0, 0.5, d),
                            "eps": 1e-5})

    x = rng.normal(0.5, 2, (4, 6))
    constant = rng.normal(size=(3, 5))
    constant[1] = 3.0  # a row of equal values: zero variance, only eps
    large = rng.normal(size=(3, 4))
    large[0] = 1000 + 0.1 * rng.normal(size=4)
    return [
        case("random", x),
        case("a sequence (batch, time, features)", rng.normal(0, 1.5, (2, 3, 5))),
        case("batch of one", x[:1]),
        case("a constant row", constant),
        case("large offset, small spread", large),
        case("two features", rng.normal(size=(4, 2))),
    ]


def _ln_expected(case: Case) -> Values:
    i = case.inputs
    x, gamma, beta = _leaf(i["x"]), _leaf(i["gamma"]), _leaf(i["beta"])
    out = F.layer_norm(x, (x.shape[-1],), gamma, beta, eps=i["eps"])
    out.backward(i["dout"])
    return _grads(dbeta=beta, dgamma=gamma, dx=x)


def _ln_numerical(case: Case) -> Values:
    i = case.inputs
    dout = Tensor(i["dout"])
    d = i["x"].shape[-1]

    def loss(x: Tensor, gamma: Tensor, beta: Tensor) -> Tensor:
        return (F.layer_norm(x, (d,), gamma, beta, eps=i["eps"]) * dout).sum()

    dx, dgamma, dbeta = numerical_grad(loss, Tensor(i["x"]), Tensor(i["gamma"]),
                                       Tensor(i["beta"]))
    return {"dbeta": dbeta, "dgamma": dgamma, "dx": dx}


def _ln_unbiased(case: Case) -> Values:
    i = case.inputs
    return _bn_reference(i["dout"], i["x"], i["gamma"], i["eps"], axis=-1, ddof=1)


def _ln_over_the_batch(case: Case) -> Values:
    """BatchNorm's formula: the statistics taken over the rows instead of the features."""
    i = case.inputs
    if i["x"].ndim != 2 or i["x"].shape[0] < 2:
        return {}
    return _bn_reference(i["dout"], i["x"], i["gamma"], i["eps"], axis=0)


LAYERNORM = register(Exercise(
    name="layer-layernorm-backward",
    title="LayerNorm's backward over the last dimension",
    title_zh="LayerNorm 沿最后一维的反向传播",
    document="engine",
    statement=text("""
        LayerNorm normalises each example over its features, the LAST dimension of x (which
        may be (N, D) or (batch, time, D)): mean = x.mean(axis=-1, keepdims=True), var the
        biased variance over the same axis, xhat = (x - mean) / sqrt(var + eps), and
        out = gamma * xhat + beta with gamma, beta of shape (D,) (F.layer_norm, nn.LayerNorm).
        Given dout, the gradient arriving at out, write
        layernorm_backward(dout, x, gamma, beta, eps) returning, in this order:
          dbeta, dgamma, dx
        dbeta and dgamma are summed over every dimension but the last; dx has x's shape.
        It is BatchNorm's derivation along the other axis: each dx depends on the whole row.
    """),
    statement_zh=text("""
        LayerNorm 对每个样本在它的特征上做归一化，也就是沿 x 的最后一维（x 可以是 (N, D)，
        也可以是 (batch, time, D)）：mean = x.mean(axis=-1, keepdims=True)，var 是沿同一维的
        有偏方差，xhat = (x - mean) / sqrt(var + eps)，out = gamma * xhat + beta，其中 gamma、
        beta 的形状是 (D,)（即 F.layer_norm、nn.LayerNorm）。已知 out 处传来的梯度 dout，写出
        layernorm_backward(dout, x, gamma, beta, eps)，按顺序返回：
          dbeta, dgamma, dx
        dbeta 和 dgamma 要在除最后一维以外的所有维度上求和；dx 与 x 同形。
        推导与 BatchNorm 相同，只是换了一个轴：每个 dx 依赖它所在的整行。
    """),
    entry="layernorm_backward",
    starter=text('''
        import numpy as np


        def layernorm_backward(dout, x, gamma, beta, eps):
            """x and dout (..., D); gamma, beta (D,). Return dbeta, dgamma, dx."""
            dbeta = ...    # your formulas here
            dgamma = ...
            dx = ...
            return dbeta, dgamma, dx
    '''),
    solution=text('''
        import numpy as np


        def layernorm_backward(dout, x, gamma, beta, eps):
            d = x.shape[-1]
            std = np.sqrt(x.var(axis=-1, keepdims=True) + eps)
            xhat = (x - x.mean(axis=-1, keepdims=True)) / std
            lead = tuple(range(x.ndim - 1))  # every axis but the features
            dbeta = dout.sum(axis=lead)
            dgamma = (dout * xhat).sum(axis=lead)
            dxhat = dout * gamma
            dx = (d * dxhat - dxhat.sum(axis=-1, keepdims=True)
                  - xhat * (dxhat * xhat).sum(axis=-1, keepdims=True)) / (d * std)
            return dbeta, dgamma, dx
    '''),
    quantities=("dbeta", "dgamma", "dx"),
    cases=_ln_cases,
    expected=_ln_expected,
    numerical=_ln_numerical,
    mistakes=bilingual({
        Msg("the unbiased variance (divided by D-1): LayerNorm uses the biased variance, "
            "divided by the number of features D",
            "用了无偏方差（除以 D-1）：LayerNorm 用的是有偏方差，除以特征数 D"):
            _ln_unbiased,
        Msg("normalised over the batch (axis 0), as BatchNorm: LayerNorm takes each row's "
            "statistics over its features, the last axis",
            "沿批次（axis 0）做了归一化，那是 BatchNorm：LayerNorm 的统计量是每一行在特征"
            "（最后一维）上算的"):
            _ln_over_the_batch,
    }),
))


# --------------------------------------------------------------------------- embedding


def _emb_cases() -> list[Case]:
    rng = np.random.default_rng(23)

    def case(label: str, idx: Any, n: int = 7, d: int = 3) -> Case:
        idx = np.array(idx, dtype=np.int64)
        return labelled(label, {"dout": rng.normal(size=idx.shape + (d,)), "idx": idx,
                            "weight": rng.normal(size=(n, d))})

    return [
        case("random", rng.integers(0, 7, (3, 4))),
        case("repeated indices", [[1, 1, 1], [1, 2, 1]]),
        case("batch of one", [[5]]),
        case("every index the same", np.full((4, 2), 4)),
        case("one-dimensional idx", [0, 6, 0, 3, 6]),
        case("rows never looked up", [[0, 6], [6, 0]], n=9, d=2),
    ]


def _emb_expected(case: Case) -> Values:
    weight = _leaf(case.inputs["weight"])
    F.embedding(case.inputs["idx"], weight).backward(case.inputs["dout"])
    return _grads(dweight=weight)


def _emb_numerical(case: Case) -> Values:
    idx, dout = case.inputs["idx"], Tensor(case.inputs["dout"])
    (d,) = numerical_grad(lambda w: (F.embedding(idx, w) * dout).sum(),
                          Tensor(case.inputs["weight"]))
    return {"dweight": d}


def _emb_fancy_assignment(case: Case) -> Values:
    """``dweight[idx] += dout``: NumPy keeps one of the repeated indices' rows."""
    i = case.inputs
    dweight = np.zeros_like(i["weight"])
    dweight[i["idx"]] += i["dout"]
    return {"dweight": dweight}


EMBEDDING = register(Exercise(
    name="layer-embedding-backward",
    title="Embedding's backward: a scatter-add into the table",
    title_zh="Embedding 的反向传播：按索引累加回查找表",
    document="engine",
    statement=text("""
        An embedding looks rows up in a table: out = weight[idx], with weight of shape
        (num_embeddings, D) and idx an integer array of any shape, so out has shape
        idx.shape + (D,) (F.embedding, nn.Embedding). Given dout, the gradient arriving at
        out, write embedding_backward(dout, idx, weight) returning dweight, the gradient of
        the table, of weight's shape. Each looked-up row sends its gradient back to the row it
        came from. An index that appears several times must collect all of its gradients;
        rows never looked up get zero.
    """),
    statement_zh=text("""
        Embedding 就是按索引查表：out = weight[idx]，weight 的形状是 (num_embeddings, D)，
        idx 是任意形状的整数数组，所以 out 的形状是 idx.shape + (D,)（即 F.embedding、
        nn.Embedding）。已知 out 处传来的梯度 dout，写出 embedding_backward(dout, idx, weight)，
        返回查找表的梯度 dweight，形状与 weight 相同。每一行查出来的向量把梯度送回它来自的
        那一行。同一个索引出现多次时，它的梯度要全部累加；从没被查到的行梯度为零。
    """),
    entry="embedding_backward",
    starter=text('''
        import numpy as np


        def embedding_backward(dout, idx, weight):
            """out = weight[idx]; dout has out's shape. Return dweight (weight's shape)."""
            dweight = ...  # your code here
            return dweight
    '''),
    solution=text('''
        import numpy as np


        def embedding_backward(dout, idx, weight):
            dweight = np.zeros_like(weight)
            np.add.at(dweight, idx, dout)  # unbuffered: a repeated index adds every time
            return dweight
    '''),
    quantities=("dweight",),
    cases=_emb_cases,
    expected=_emb_expected,
    numerical=_emb_numerical,
    mistakes=bilingual({
        Msg("a repeated index kept only one of its gradients: dweight[idx] += dout writes each "
            "row once (NumPy's fancy assignment is buffered); accumulate with "
            "np.add.at(dweight, idx, dout)",
            "重复的索引只留下了一份梯度：dweight[idx] += dout 对每一行只写一次"
            "（NumPy 的花式索引赋值是缓冲的）；要用 np.add.at(dweight, idx, dout) 累加"):
            _emb_fancy_assignment,
    }),
))


# --------------------------------------------------------------------------- conv2d


def _conv_reference(dout: np.ndarray, x: np.ndarray, w: np.ndarray, stride: int,
                    padding: int) -> tuple[np.ndarray, np.ndarray]:
    """dw and the padded input's gradient, window by window."""
    kh, kw = w.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dw = np.zeros_like(w)
    dxp = np.zeros_like(xp)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            r, s = i * stride, j * stride
            g = dout[:, :, i, j]
            dw += np.einsum("no,nckl->ockl", g, xp[:, :, r:r + kh, s:s + kw])
            dxp[:, :, r:r + kh, s:s + kw] += np.einsum("no,ockl->nckl", g, w)
    return dw, dxp


def _conv_cases() -> list[Case]:
    rng = np.random.default_rng(24)

    def case(label: str, x_shape: tuple[int, ...], w_shape: tuple[int, ...], stride: int,
             padding: int) -> Case:
        x = rng.normal(size=x_shape)
        w = rng.normal(size=w_shape)
        b = rng.normal(size=w_shape[0])
        oh = (x_shape[2] + 2 * padding - w_shape[2]) // stride + 1
        ow = (x_shape[3] + 2 * padding - w_shape[3]) // stride + 1
        dout = rng.normal(size=(x_shape[0], w_shape[0], oh, ow))
        return labelled(label, {"dout": dout, "x": x, "w": w, "b": b, "stride": stride,
                            "padding": padding})

    return [
        case("random", (2, 3, 5, 5), (4, 3, 3, 3), 1, 0),
        case("stride 2, padding 1", (2, 2, 6, 6), (3, 2, 3, 3), 2, 1),
        case("batch of one, one channel, padding 1", (1, 1, 4, 4), (1, 1, 2, 2), 1, 1),
        case("non-square kernel", (2, 2, 4, 5), (3, 2, 2, 3), 1, 0),
        case("stride leaves the last row unused", (1, 2, 6, 6), (2, 2, 3, 3), 2, 0),
        case("1x1 kernel", (2, 3, 3, 3), (2, 3, 1, 1), 1, 0),
    ]


def _conv_expected(case: Case) -> Values:
    i = case.inputs
    x, w, b = _leaf(i["x"]), _leaf(i["w"]), _leaf(i["b"])
    F.conv2d(x, w, b, stride=i["stride"], padding=i["padding"]).backward(i["dout"])
    return _grads(db=b, dw=w, dx=x)


def _conv_numerical(case: Case) -> Values:
    i = case.inputs
    dout = Tensor(i["dout"])

    def loss(x: Tensor, w: Tensor, b: Tensor) -> Tensor:
        return (F.conv2d(x, w, b, stride=i["stride"], padding=i["padding"]) * dout).sum()

    dx, dw, db = numerical_grad(loss, Tensor(i["x"]), Tensor(i["w"]), Tensor(i["b"]))
    return {"db": db, "dw": dw, "dx": dx}


def _conv_dw_kernel_transposed(case: Case) -> Values:
    i = case.inputs
    dw, _ = _conv_reference(i["dout"], i["x"], i["w"], i["stride"], i["padding"])
    return {"dw": dw.swapaxes(2, 3)}


def _conv_dw_channels_swapped(case: Case) -> Values:
    i = case.inputs
    dw, _ = _conv_reference(i["dout"], i["x"], i["w"], i["stride"], i["padding"])
    return {"dw": dw.transpose(1, 0, 2, 3)}


def _conv_dx_flipped_kernel(case: Case) -> Values:
    i = case.inputs
    _, dxp = _conv_reference(i["dout"], i["x"], i["w"][:, :, ::-1, ::-1], i["stride"],
                             i["padding"])
    p, (h, w) = i["padding"], i["x"].shape[2:]
    return {"dx": dxp[:, :, p:p + h, p:p + w]}


def _conv_dx_padded(case: Case) -> Values:
    i = case.inputs
    _, dxp = _conv_reference(i["dout"], i["x"], i["w"], i["stride"], i["padding"])
    return {"dx": dxp} if i["padding"] else {}


CONV2D = register(Exercise(
    name="layer-conv2d-backward",
    title="conv2d's backward as a sum over the windows (stride and padding)",
    title_zh="conv2d 的反向传播：对所有窗口求和（含步长与填充）",
    document="engine",
    statement=text("""
        F.conv2d(x, w, b, stride, padding) pads x (N, C, H, W) with `padding` zeros on every
        side, slides each filter of w (O, C, kh, kw) over it `stride` positions at a time, and
        at output position (i, j) computes, for each example n and filter o,
          out[n, o, i, j] = b[o] + sum over c, k, l of
                            w[o, c, k, l] * xpad[n, c, i*stride + k, j*stride + l]
        (no kernel flip, as PyTorch). Given dout (N, O, oh, ow), the gradient arriving at out,
        write conv2d_backward(dout, x, w, b, stride, padding) returning, in this order:
          db, dw, dx
        Every output position reads one window: its gradient flows back into that window
        of xpad (weighted by w) and into w (weighted by the window). Sum over the windows
        with two loops over (i, j), or with a window view or im2col; dx has x's shape, so the
        padding's border is cut off at the end.
    """),
    statement_zh=text("""
        F.conv2d(x, w, b, stride, padding) 先在 x (N, C, H, W) 的四周各补 padding 圈零，
        再让 w (O, C, kh, kw) 的每个卷积核以步长 stride 在上面滑动；在输出位置 (i, j)，
        对每个样本 n 和卷积核 o 计算
          out[n, o, i, j] = b[o] + 对 c, k, l 求和
                            w[o, c, k, l] * xpad[n, c, i*stride + k, j*stride + l]
        （与 PyTorch 一样，卷积核不翻转）。已知 out 处传来的梯度 dout (N, O, oh, ow)，
        写出 conv2d_backward(dout, x, w, b, stride, padding)，按顺序返回：
          db, dw, dx
        每个输出位置只读了一个窗口：它的梯度流回 xpad 的这个窗口（乘以 w），
        也流回 w（乘以这个窗口）。对所有窗口求和即可：可以对 (i, j) 写两重循环，
        也可以用窗口视图或 im2col。dx 与 x 同形，所以最后要把填充的那一圈去掉。
    """),
    entry="conv2d_backward",
    starter=text('''
        import numpy as np


        def conv2d_backward(dout, x, w, b, stride, padding):
            """x (N, C, H, W), w (O, C, kh, kw), b (O,), dout (N, O, oh, ow).
            Return db, dw, dx."""
            db = ...    # your code here
            dw = ...
            dx = ...
            return db, dw, dx
    '''),
    solution=text('''
        import numpy as np


        def conv2d_backward(dout, x, w, b, stride, padding):
            n, c, h, wd = x.shape
            kh, kw = w.shape[2:]
            p = padding
            xpad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
            db = dout.sum(axis=(0, 2, 3))
            dw = np.zeros_like(w)
            dxpad = np.zeros_like(xpad)
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    r, s = i * stride, j * stride
                    window = xpad[:, :, r:r + kh, s:s + kw]   # (N, C, kh, kw)
                    g = dout[:, :, i, j]                       # (N, O)
                    dw += np.einsum("no,nckl->ockl", g, window)
                    dxpad[:, :, r:r + kh, s:s + kw] += np.einsum("no,ockl->nckl", g, w)
            dx = dxpad[:, :, p:p + h, p:p + wd]
            return db, dw, dx
    '''),
    quantities=("db", "dw", "dx"),
    cases=_conv_cases,
    expected=_conv_expected,
    numerical=_conv_numerical,
    mistakes=bilingual({
        Msg("the kernel's two spatial axes are swapped in dw: dw[o, c, k, l] pairs kernel row "
            "k with the window's row, column l with its column",
            "dw 中卷积核的两个空间轴对调了：dw[o, c, k, l] 的 k 对应窗口的行，l 对应窗口的列"):
            _conv_dw_kernel_transposed,
        Msg("dw's channel axes are swapped: dw has w's shape (O, C, kh, kw), output channels "
            "first",
            "dw 的两个通道轴对调了：dw 与 w 同形 (O, C, kh, kw)，输出通道在前"):
            _conv_dw_channels_swapped,
        Msg("dx was computed with the kernel flipped (rotated 180°): conv2d does not flip its "
            "kernel, so each window gets dout times w as it is",
            "计算 dx 时把卷积核翻转了（旋转了 180°）：conv2d 不翻转卷积核，"
            "每个窗口得到的是 dout 乘以原样的 w"):
            _conv_dx_flipped_kernel,
        Msg("dx still has the padding's border: it is the gradient of the padded input; cut "
            "`padding` rows and columns off each side to get x's shape",
            "dx 还带着填充的那一圈：这是补零后输入的梯度；四周各去掉 padding 行和列，"
            "才是 x 的形状"):
            _conv_dx_padded,
    }),
))


# --------------------------------------------------------------------------- LSTM cell

_LSTM_QUANTITIES = ("dgates", "dc_prev", "dweight_ih", "dweight_hh", "dbias_ih", "dbias_hh",
                    "dx", "dh_prev")


def _lstm_reference(i: dict[str, Any], order: tuple[int, int, int, int] = (0, 1, 2, 3),
                    forget_at_new_c: bool = False, no_dh_into_c: bool = False,
                    tanh_slope_at_c: bool = False) -> Values:
    """The step's backward in NumPy, with the gate blocks read in ``order`` (i, f, g, o) and
    the slips of the mistakes below switched on by name."""
    x, h_prev, c_prev = i["x"], i["h_prev"], i["c_prev"]
    w_ih, w_hh = i["weight_ih"], i["weight_hh"]
    hs = h_prev.shape[1]
    gates = x @ w_ih.T + i["bias_ih"] + h_prev @ w_hh.T + i["bias_hh"]
    blocks = [gates[:, k * hs:(k + 1) * hs] for k in order]
    ig, fg, gg, og = sigmoid(blocks[0]), sigmoid(blocks[1]), np.tanh(blocks[2]), sigmoid(blocks[3])
    c = fg * c_prev + ig * gg
    tc = np.tanh(c)
    slope = 1 - c ** 2 if tanh_slope_at_c else 1 - tc ** 2
    dc = i["dc"] if no_dh_into_c else i["dc"] + i["dh"] * og * slope
    parts = [dc * gg * ig * (1 - ig), dc * (c if forget_at_new_c else c_prev) * fg * (1 - fg),
             dc * ig * (1 - gg ** 2), i["dh"] * tc * og * (1 - og)]
    dgates = np.zeros_like(gates)
    for k, part in zip(order, parts, strict=True):
        dgates[:, k * hs:(k + 1) * hs] = part
    return {"dgates": dgates, "dc_prev": dc * fg, "dweight_ih": dgates.T @ x,
            "dweight_hh": dgates.T @ h_prev, "dbias_ih": dgates.sum(axis=0),
            "dbias_hh": dgates.sum(axis=0), "dx": dgates @ w_ih, "dh_prev": dgates @ w_hh}


def _lstm_cases() -> list[Case]:
    rng = np.random.default_rng(25)

    def case(label: str, n: int = 3, scale: float = 0.5, **kw: Any) -> Case:
        n_in, hs = 4, 3
        inputs = {"dh": rng.normal(size=(n, hs)), "dc": rng.normal(size=(n, hs)),
                  "x": rng.normal(size=(n, n_in)), "h_prev": rng.normal(size=(n, hs)),
                  "c_prev": rng.normal(size=(n, hs)),
                  "weight_ih": rng.normal(0, scale, (4 * hs, n_in)),
                  "weight_hh": rng.normal(0, scale, (4 * hs, hs)),
                  "bias_ih": rng.normal(0, scale, 4 * hs), "bias_hh": rng.normal(0, scale, 4 * hs)}
        for k, v in kw.items():
            inputs[k] = v(inputs[k])
        return labelled(label, inputs)

    return [
        case("random"),
        case("batch of one", n=1),
        case("saturated gates", scale=4.0),
        case("gradient from h only (dc = 0)", dc=np.zeros_like),
        case("gradient from c only (dh = 0)", dh=np.zeros_like),
        case("zero previous state", h_prev=np.zeros_like, c_prev=np.zeros_like),
    ]


def _lstm_cell(i: dict[str, Any]) -> tuple[LSTMCell, Tensor, Tensor, Tensor]:
    """The engine's ``nn.LSTMCell`` holding the case's weights, and the step's inputs."""
    state = tg_random.get_rng_state()  # the cell draws its initial weights: leave no trace
    cell = LSTMCell(i["x"].shape[1], i["h_prev"].shape[1], dtype=i["x"].dtype)
    tg_random.set_rng_state(state)
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        getattr(cell, name).data[...] = i[name]
    return cell, _leaf(i["x"]), _leaf(i["h_prev"]), _leaf(i["c_prev"])


def _lstm_expected(case: Case) -> Values:
    i = case.inputs
    cell, x, h_prev, c_prev = _lstm_cell(i)
    h, c = cell(x, (h_prev, c_prev))
    ((h * Tensor(i["dh"])).sum() + (c * Tensor(i["dc"])).sum()).backward()
    out = _grads(dc_prev=c_prev, dx=x, dh_prev=h_prev, dweight_ih=cell.weight_ih,
                 dweight_hh=cell.weight_hh, dbias_ih=cell.bias_ih,  # type: ignore[arg-type]
                 dbias_hh=cell.bias_hh)  # type: ignore[arg-type]
    # The gates' pre-activations are inside the cell; the step the cell runs, given the input
    # projection as a leaf, hands back their gradient (the gates add it to h's projection).
    gi = _leaf(x.data @ i["weight_ih"].T + i["bias_ih"])
    h2, c2 = _lstm_step(gi, Tensor(i["h_prev"]), Tensor(i["c_prev"]), Tensor(i["weight_hh"]),
                        Tensor(i["bias_hh"]))
    ((h2 * Tensor(i["dh"])).sum() + (c2 * Tensor(i["dc"])).sum()).backward()
    out.update(_grads(dgates=gi))
    return out


_LSTM_LEAVES = ("x", "h_prev", "c_prev", "weight_ih", "weight_hh", "bias_ih", "bias_hh")


def _lstm_numerical(case: Case) -> Values:
    i = case.inputs
    dh, dc = Tensor(i["dh"]), Tensor(i["dc"])

    def loss(x: Tensor, h: Tensor, c: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor,
             b_hh: Tensor) -> Tensor:
        h2, c2 = _lstm_step(_project(x, w_ih, b_ih), h, c, w_hh, b_hh)
        return (h2 * dh).sum() + (c2 * dc).sum()

    grads = numerical_grad(loss, *(Tensor(i[k]) for k in _LSTM_LEAVES))
    return {f"d{k}": g for k, g in zip(_LSTM_LEAVES, grads, strict=True)}


LSTM_CELL = register(Exercise(
    name="layer-lstm-cell-backward",
    title="One LSTM step's backward (nn.LSTMCell's layout, gates i, f, g, o)",
    title_zh="LSTM 单步的反向传播（nn.LSTMCell 的布局，门的顺序 i, f, g, o）",
    document="engine",
    statement=text("""
        One step of nn.LSTMCell, with x (N, I), h_prev and c_prev (N, H):
          gates = x @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh     (N, 4H)
        split into four blocks of H columns in PyTorch's order i, f, g, o;
          i, f, o = sigmoid of their blocks, g = tanh of its block,
          c = f * c_prev + i * g,   h = o * tanh(c).
        weight_ih is (4H, I) and weight_hh (4H, H), the blocks stacked along the rows.
        Given dh and dc, the gradients arriving at h and at c, write
        lstm_cell_backward(dh, dc, x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh)
        returning, in this order:
          dgates, dc_prev, dweight_ih, dweight_hh, dbias_ih, dbias_hh, dx, dh_prev
        where dgates (N, 4H) is the gradient of the gates before their sigmoid/tanh. c
        reaches the loss twice, through dc and through h = o * tanh(c): add both.
    """),
    statement_zh=text("""
        nn.LSTMCell 的一步，x 的形状为 (N, I)，h_prev 和 c_prev 为 (N, H)：
          gates = x @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh     (N, 4H)
        按 PyTorch 的顺序 i, f, g, o 切成四块，每块 H 列；
          i, f, o 是各自那一块的 sigmoid，g 是它那一块的 tanh，
          c = f * c_prev + i * g，h = o * tanh(c)。
        weight_ih 的形状是 (4H, I)，weight_hh 是 (4H, H)，四块沿行方向叠在一起。
        已知 h 和 c 处传来的梯度 dh、dc，写出
        lstm_cell_backward(dh, dc, x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh)，
        按顺序返回：
          dgates, dc_prev, dweight_ih, dweight_hh, dbias_ih, dbias_hh, dx, dh_prev
        其中 dgates (N, 4H) 是各个门在经过 sigmoid/tanh 之前的梯度。c 通过两条路影响损失：
        一条是 dc，一条是 h = o * tanh(c)，两者要相加。
    """),
    entry="lstm_cell_backward",
    starter=text('''
        import numpy as np


        def sigmoid(z):
            return 1 / (1 + np.exp(-z))


        def lstm_cell_backward(dh, dc, x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh):
            H = h_prev.shape[1]
            gates = x @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh
            i = sigmoid(gates[:, :H])
            f = sigmoid(gates[:, H:2 * H])
            g = np.tanh(gates[:, 2 * H:3 * H])
            o = sigmoid(gates[:, 3 * H:])
            c = f * c_prev + i * g
            h = o * np.tanh(c)
            dgates = ...    # your formulas from here on
            dc_prev = ...
            dweight_ih = ...
            dweight_hh = ...
            dbias_ih = ...
            dbias_hh = ...
            dx = ...
            dh_prev = ...
            return dgates, dc_prev, dweight_ih, dweight_hh, dbias_ih, dbias_hh, dx, dh_prev
    '''),
    solution=text('''
        import numpy as np


        def sigmoid(z):
            return 1 / (1 + np.exp(-z))


        def lstm_cell_backward(dh, dc, x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh):
            H = h_prev.shape[1]
            gates = x @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh
            i = sigmoid(gates[:, :H])
            f = sigmoid(gates[:, H:2 * H])
            g = np.tanh(gates[:, 2 * H:3 * H])
            o = sigmoid(gates[:, 3 * H:])
            c = f * c_prev + i * g
            tc = np.tanh(c)
            dc_total = dc + dh * o * (1 - tc ** 2)  # c reaches the loss through h as well
            di = dc_total * g * i * (1 - i)
            df = dc_total * c_prev * f * (1 - f)
            dg = dc_total * i * (1 - g ** 2)
            do = dh * tc * o * (1 - o)
            dgates = np.concatenate([di, df, dg, do], axis=1)
            dc_prev = dc_total * f
            dweight_ih = dgates.T @ x
            dweight_hh = dgates.T @ h_prev
            dbias_ih = dgates.sum(axis=0)
            dbias_hh = dgates.sum(axis=0)
            dx = dgates @ weight_ih
            dh_prev = dgates @ weight_hh
            return dgates, dc_prev, dweight_ih, dweight_hh, dbias_ih, dbias_hh, dx, dh_prev
    '''),
    quantities=_LSTM_QUANTITIES,
    cases=_lstm_cases,
    expected=_lstm_expected,
    numerical=_lstm_numerical,
    mistakes=bilingual({
        Msg("the forget gate's gradient used the new c: df = dc * c_prev * f*(1-f), since "
            "c = f * c_prev + i * g multiplies f by the PREVIOUS cell state",
            "遗忘门的梯度用了新的 c：c = f * c_prev + i * g 中 f 乘的是上一步的 c_prev，"
            "所以 df = dc * c_prev * f*(1-f)"):
            lambda c: _lstm_reference(c.inputs, forget_at_new_c=True),
        Msg("the path from h into c is missing: c also reaches the loss through "
            "h = o * tanh(c), so the gradient at c is dc + dh * o * (1 - tanh(c)**2)",
            "漏了从 h 到 c 的那条路：c 还通过 h = o * tanh(c) 影响损失，"
            "所以 c 处的梯度是 dc + dh * o * (1 - tanh(c)**2)"):
            lambda c: _lstm_reference(c.inputs, no_dh_into_c=True),
        Msg("tanh's slope taken at its input: d tanh(c)/dc = 1 - tanh(c)**2, not 1 - c**2",
            "tanh 的斜率用了它的输入：d tanh(c)/dc = 1 - tanh(c)**2，而不是 1 - c**2"):
            lambda c: _lstm_reference(c.inputs, tanh_slope_at_c=True),
        Msg("the gates read in the order i, f, o, g: nn.LSTMCell stacks them as i, f, g, o "
            "(the third block is the tanh gate g, the fourth the output gate o)",
            "门的顺序读成了 i, f, o, g：nn.LSTMCell 的顺序是 i, f, g, o"
            "（第三块是 tanh 门 g，第四块是输出门 o）"):
            lambda c: _lstm_reference(c.inputs, order=(0, 1, 3, 2)),
    }),
))
