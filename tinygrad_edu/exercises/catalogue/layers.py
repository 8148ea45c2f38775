"""The layers' backward passes, written by hand in NumPy: cross-entropy, BatchNorm, LayerNorm
and Embedding here; conv2d and one LSTM step in ``conv_lstm.py``.

Each exercise gives the layer's inputs and the gradient arriving at its output (``dout``,
``dh``, ...); the learner returns the gradients of the inputs and parameters. The expected
values are the engine's own layers (``nn.functional``, ``nn.LSTMCell``) run forward in float64
and differentiated by autograd; finite differences of the same forward are the second oracle.
The gradients are listed in the order a backward pass produces them, so the first one reported
wrong is the first step of the learner's derivation that went astray. Each exercise also has
its network (``graph``, drawn beside a result) and, where the computation's nodes can express
it, its reference computation (``computation``) for the diagnosis; the pieces the layer
modules share (``labelled``, ``leaf``, ``through``, ``from_graph``, ``batch_matmul``,
``quantities``) are defined here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ...gradcheck import numerical_grad
from ...nn import functional as F
from ...tensor import Tensor
from .. import register
from ..computation import Computation, Graph, Node, exp, scatter_add
from ..core import Case, Exercise, Values
from ..i18n import Msg
from .common import bilingual, text

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


def leaf(a: Any) -> Tensor:
    """A leaf of the input's own precision: float64 for the cases; float32 when the checker
    runs the reference again at float32 to measure each value's sensitivity to rounding."""
    return Tensor(np.array(a), requires_grad=True)


# An exercise's network: the scalar to differentiate and the tensor behind each quantity.
Network = Callable[[Case], tuple[Tensor, dict[str, Tensor]]]


def named(t: Tensor, name: str) -> Tensor:
    """``t`` with a name for the drawing of the network."""
    t.name = name
    return t


def through(out: Tensor, dout: np.ndarray) -> Tensor:
    """``sum(out * dout)``: the scalar whose backward brings ``dout`` to ``out``."""
    return named((named(out, "out") * named(Tensor(dout), "dout")).sum(), "sum(out * dout)")


def from_graph(graph: Network) -> Callable[[Case], Values]:
    """The expected values: one backward pass through the exercise's network, each
    quantity the gradient of its tensor."""
    def expected(case: Case) -> Values:
        loss, tensors = graph(case)
        loss.backward()
        return grads(**tensors)

    return expected


def batch_matmul(a: Node, b: Node) -> Node:
    """``a @ b`` where the product sums over the examples of a batch (a weight's gradient):
    the diagnosis then knows "not summed" and "averaged" as edits of it."""
    m = a @ b
    m.attrs["batch"] = True
    return m


def quantities(g: Graph, **nodes: Node) -> Computation:
    """The computation of these quantities, each node named as the learner names it (a
    hint then reads "dx = ..." and a later formula "dlogits @ W2.T")."""
    return g.computation(**{q: node.named(q) for q, node in nodes.items()})


def softmax_rows(logits: Node, name: str) -> Node:
    """The softmax of each row, shifted by the row's maximum, as a node named ``name``."""
    e = exp(logits - logits.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).named(name)


def grads(**tensors: Tensor) -> Values:
    """Each named tensor's gradient, after a backward pass reached it."""
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


def _ce_graph(case: Case) -> tuple[Tensor, dict[str, Tensor]]:
    logits = named(leaf(case.inputs["logits"]), "logits")
    return named(F.cross_entropy(logits, case.inputs["targets"]), "loss"), {"dlogits": logits}


def _ce_computation(case: Case) -> Computation:
    i = case.inputs
    z = i["logits"]
    g = Graph(i)
    logits = g.input("logits")
    onehot = g.input("onehot(targets)", np.eye(z.shape[1])[i["targets"]])
    n = g.input("N", float(z.shape[0]))
    return quantities(g, dlogits=(softmax_rows(logits, "softmax(logits)") - onehot) / n)


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
    expected=from_graph(_ce_graph),
    graph=_ce_graph,
    computation=_ce_computation,
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


def _norm_leaves(case: Case) -> tuple[Tensor, Tensor, Tensor]:
    i = case.inputs
    return (named(leaf(i["x"]), "x"), named(leaf(i["gamma"]), "gamma"),
            named(leaf(i["beta"]), "beta"))


def _norm_dx(g: Graph, case: Case, axis: int) -> tuple[Node, Node, Node]:
    """dout, xhat and dx of a normalisation along ``axis`` (BatchNorm 0, LayerNorm -1)."""
    i = case.inputs
    x_ = i["x"]
    x = g.input("x")
    dout = g.input("dout", role="grad_output")
    gamma = g.input("gamma")
    std = g.input("std", np.sqrt(x_.var(axis=axis, keepdims=True) + i["eps"]))
    n = g.input("N" if axis == 0 else "D", float(x_.shape[axis]))
    xhat = ((x - x.mean(axis=axis, keepdims=True)) / std).named("xhat")
    dxhat = (dout * gamma).named("dxhat")
    dx = (n * dxhat - dxhat.sum(axis=axis, keepdims=True)
          - xhat * (dxhat * xhat).sum(axis=axis, keepdims=True)) / (n * std)
    return dout, xhat, dx


def _bn_computation(case: Case) -> Computation:
    g = Graph(case.inputs)
    dout, xhat, dx = _norm_dx(g, case, 0)
    return quantities(g, dbeta=dout.sum(axis=0, batch=True),
                      dgamma=(dout * xhat).sum(axis=0, batch=True), dx=dx)


def _bn_graph(case: Case) -> tuple[Tensor, dict[str, Tensor]]:
    x, gamma, beta = _norm_leaves(case)
    out = F.batch_norm(x, None, None, gamma, beta, training=True, eps=case.inputs["eps"])
    return through(out, case.inputs["dout"]), {"dbeta": beta, "dgamma": gamma, "dx": x}


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


def _averaged(axis: int) -> Callable[[Case], Values]:
    """dbeta and dgamma as means over the rows where each row's contribution adds up
    (``axis``: the one the statistics are taken along)."""
    def make(case: Case) -> Values:
        i = case.inputs
        x = i["x"]
        xhat = (x - x.mean(axis=axis, keepdims=True)) / np.sqrt(
            x.var(axis=axis, keepdims=True) + i["eps"])
        lead = tuple(range(x.ndim - 1))
        return {"dbeta": i["dout"].mean(axis=lead), "dgamma": (i["dout"] * xhat).mean(axis=lead)}

    return make


AVERAGED = Msg("averaged over the rows where the gradient is a sum: beta and gamma are used by "
               "every row, and each use adds its contribution (sum, not mean)",
               "对各行取了平均，而梯度应该是求和：beta 和 gamma 被每一行都用到，"
               "每一次使用都要把它的贡献加上去（用 sum，不是 mean）")


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
    expected=from_graph(_bn_graph),
    graph=_bn_graph,
    computation=_bn_computation,
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
        AVERAGED: _averaged(axis=0),
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


def _ln_graph(case: Case) -> tuple[Tensor, dict[str, Tensor]]:
    x, gamma, beta = _norm_leaves(case)
    out = F.layer_norm(x, (x.shape[-1],), gamma, beta, eps=case.inputs["eps"])
    return through(out, case.inputs["dout"]), {"dbeta": beta, "dgamma": gamma, "dx": x}


def _ln_computation(case: Case) -> Computation:
    i = case.inputs
    x, d = i["x"], i["x"].shape[-1]
    g = Graph(i)
    _, _, dx = _norm_dx(g, case, -1)
    # dbeta and dgamma sum over every axis but the last: written over the rows, one
    # structure holds the (N, D) cases and the (batch, time, D) one alike
    xhat = (x - x.mean(axis=-1, keepdims=True)) / np.sqrt(x.var(axis=-1, keepdims=True)
                                                          + i["eps"])
    dout_rows = g.input("dout.reshape(-1, D)", i["dout"].reshape(-1, d), role="grad_output")
    xhat_rows = g.input("xhat.reshape(-1, D)", xhat.reshape(-1, d))
    return quantities(g, dbeta=dout_rows.sum(axis=0, batch=True),
                      dgamma=(dout_rows * xhat_rows).sum(axis=0, batch=True), dx=dx)


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
    expected=from_graph(_ln_graph),
    graph=_ln_graph,
    computation=_ln_computation,
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
        AVERAGED: _averaged(axis=-1),
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


def _emb_graph(case: Case) -> tuple[Tensor, dict[str, Tensor]]:
    weight = named(leaf(case.inputs["weight"]), "weight")
    out = F.embedding(case.inputs["idx"], weight)
    return through(out, case.inputs["dout"]), {"dweight": weight}


def _emb_computation(case: Case) -> Computation:
    """The scatter-add, as the solution writes it: np.add.at(dweight, idx, dout)."""
    g = Graph(case.inputs)
    dout = g.input("dout", role="grad_output")
    return quantities(g, dweight=scatter_add(dout, g.input("idx"), g.input("weight"),
                                             "dweight"))


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
    expected=from_graph(_emb_graph),
    graph=_emb_graph,
    computation=_emb_computation,
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
