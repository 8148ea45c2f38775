"""Document 001 (iamtrask, "a neural network in 11 lines"): the sigmoid's slope and the deltas.

The document's update ``syn0 += l0.T.dot(l1_delta)`` with ``l1_delta = l1_error * l1*(1-l1)``
and ``l1_error = y - l1`` is a step *down* the loss ``0.5*sum((y - l)**2)``: each delta is
minus the gradient of that loss at a pre-activation, and each update is minus the gradient
at a weight matrix. The engine computes those gradients; the learner writes the deltas.
"""

from __future__ import annotations

import numpy as np

from ...gradcheck import numerical_grad
from ...tensor import Tensor
from .. import register
from ..computation import Computation, Graph, log, slope
from ..computation import sigmoid as sigmoid_node
from ..core import Case, Exercise, Values
from ..i18n import Msg
from .common import XOR_X, XOR_Y, bilingual, sigmoid, text

# --------------------------------------------------------------------------- sigmoid slope


def _slope_cases() -> list[Case]:
    rng = np.random.default_rng(1)
    x = rng.normal(0, 2, (3, 4))
    with np.errstate(over="ignore"):  # exp(800) overflows: sigmoid(-800) is exactly 0
        rounded = sigmoid(np.array([-800.0, -40.0, 40.0, 800.0]))
    return [
        Case("random", {"out": sigmoid(x)}, "随机"),
        Case("saturated", {"out": sigmoid(np.array([-30.0, -8.0, 8.0, 30.0]))}, "饱和区"),
        Case("zeros", {"out": sigmoid(np.zeros(5))}, "x 全为零"),
        Case("negative inputs", {"out": sigmoid(-np.abs(x))}, "负数输入"),
        Case("batch of one", {"out": sigmoid(x[:1])}, "只有一个样本"),
        # out is exactly 0 or 1 here (float64 cannot hold 1 - 4e-18): the slope is 0.
        Case("outputs of exactly 0 and 1", {"out": rounded}, "输出恰好为 0 和 1"),
    ]


def _slope_expected(case: Case) -> Values:
    out = case.inputs["out"]
    x = Tensor(np.log(out) - np.log1p(-out), requires_grad=True)  # the x with sigmoid(x) = out
    x.sigmoid().sum().backward()
    assert x.grad is not None
    return {"slope": x.grad.data}


def _slope_numerical(case: Case) -> Values:
    out = case.inputs["out"]
    x = Tensor(np.log(out) - np.log1p(-out))
    return {"slope": numerical_grad(lambda t: t.sigmoid().sum(), x)[0]}


def _slope_computation(case: Case) -> Computation:
    """nonlin(x, deriv=True) from the output, for the diagnosis (x = log(out/(1-out)))."""
    g = Graph(case.inputs)
    out = g.input("out")
    x = (log(out) - log(1 - out)).named("x")
    return g.computation(slope=slope("sigmoid", out, inp=x, out=out))


SIGMOID_DERIVATIVE = register(Exercise(
    name="sigmoid-derivative",
    title="The sigmoid's slope from its output (nonlin(x, deriv=True))",
    title_zh="由输出求 sigmoid 的斜率（nonlin(x, deriv=True)）",
    document="001",
    statement=text("""
        Document 001's nonlin(x, deriv=True) returns the slope of the sigmoid at a point,
        computed from the sigmoid's OUTPUT: if out = sigmoid(x), the slope d out/dx can be
        written with out alone. Write slope(out) returning that slope, element by element.
    """),
    statement_zh=text("""
        文档 001 的 nonlin(x, deriv=True) 返回 sigmoid 在某一点的斜率，它由 sigmoid 的输出计算：
        若 out = sigmoid(x)，斜率 d out/dx 可以只用 out 表示。写出 slope(out)，逐元素返回该斜率。
    """),
    entry="slope",
    starter=text('''
        import numpy as np


        def slope(out):
            """out = sigmoid(x) (an array); return d out / d x, element by element."""
            raise NotImplementedError  # your formula here
    '''),
    solution=text('''
        import numpy as np


        def slope(out):
            return out * (1 - out)
    '''),
    quantities=("slope",),
    cases=_slope_cases,
    expected=_slope_expected,
    numerical=_slope_numerical,
    mistakes=bilingual({
        Msg("This is document 004's x*(x-1); the slope out*(1-out) is never negative.",
            "这正是文档 004 的 x*(x-1)；斜率 out*(1-out) 永远不会是负的。"):
            lambda c: {"slope": c.inputs["out"] * (c.inputs["out"] - 1)},
    }),
    computation=_slope_computation,
))


# --------------------------------------------------------------------------- the deltas

_DELTA_QUANTITIES = ("l2_delta", "l1_error", "l1_delta", "syn1_update", "syn0_update")


def _net_cases() -> list[Case]:
    rs = np.random.RandomState(1)  # the document's np.random.seed(1)
    syn0 = 2 * rs.random_sample((3, 4)) - 1
    syn1 = 2 * rs.random_sample((4, 1)) - 1
    rng = np.random.default_rng(7)
    return [
        Case("random", {"l0": XOR_X, "y": XOR_Y, "syn0": syn0, "syn1": syn1}, "随机"),
        Case("saturated sigmoid", {"l0": XOR_X, "y": XOR_Y, "syn0": 12 * syn0, "syn1": 12 * syn1},
             "sigmoid 饱和"),
        Case("zeros", {"l0": XOR_X, "y": XOR_Y, "syn0": np.zeros((3, 4)),
                       "syn1": np.zeros((4, 1))}, "权重全为零"),
        Case("negative inputs", {"l0": -rng.random((4, 3)), "y": XOR_Y, "syn0": syn0,
                                 "syn1": syn1}, "负数输入"),
        Case("batch of one", {"l0": XOR_X[1:2], "y": XOR_Y[1:2], "syn0": syn0, "syn1": syn1},
             "只有一个样本"),
        # Pre-activations from -518 to 1789: every l1 and l2 is exactly 0 or 1, and a
        # sigmoid written exp(x) / (1 + exp(x)) overflows (x > 709).
        Case("far saturated (weights × -1000)", {"l0": XOR_X, "y": XOR_Y, "syn0": -1000 * syn0,
                                                 "syn1": -1000 * syn1},
             "深度饱和（权重 × -1000）"),
    ]


def _graph(case: Case) -> tuple[Tensor, dict[str, Tensor]]:
    """The network in the engine; returns the loss and the tensor behind each quantity."""
    i = case.inputs
    l0 = Tensor(i["l0"], name="l0")
    y = Tensor(i["y"], name="y")
    syn0 = Tensor(i["syn0"], requires_grad=True, name="syn0")
    syn1 = Tensor(i["syn1"], requires_grad=True, name="syn1")
    z1 = l0.dot(syn0)
    z1.name = "l0.dot(syn0)"
    l1 = z1.sigmoid()
    l1.name = "l1"
    z2 = l1.dot(syn1)
    z2.name = "l1.dot(syn1)"
    l2 = z2.sigmoid()
    l2.name = "l2"
    loss = 0.5 * ((y - l2) ** 2).sum()
    loss.name = "loss"
    return loss, {"l2_delta": z2, "l1_error": l1, "l1_delta": z1, "syn1_update": syn1,
                  "syn0_update": syn0}


def _deltas_expected(case: Case) -> Values:
    loss, t = _graph(case)
    loss.backward()
    # Each document quantity is minus a gradient of 0.5*sum((y - l2)**2).
    return {q: -t[q].grad.data for q in _DELTA_QUANTITIES}  # type: ignore[union-attr]


def _deltas_numerical(case: Case) -> Values:
    i = case.inputs
    l0, y = Tensor(i["l0"]), Tensor(i["y"])
    syn0, syn1 = Tensor(i["syn0"]), Tensor(i["syn1"])

    def loss(s0: Tensor, s1: Tensor) -> Tensor:
        return 0.5 * ((y - l0.dot(s0).sigmoid().dot(s1).sigmoid()) ** 2).sum()

    g0, g1 = numerical_grad(loss, syn0, syn1)
    return {"syn0_update": -g0, "syn1_update": -g1}


def _deltas_computation(case: Case) -> Computation:
    """The network forward and back as the document's 11 lines write it (the diagnosis
    edits it): each delta is the error times nonlin(layer, deriv=True)."""
    g = Graph(case.inputs)
    l0, y, syn0, syn1 = g.input("l0"), g.input("y"), g.input("syn0"), g.input("syn1")
    z1 = l0.dot(syn0, np_style=True)
    l1 = sigmoid_node(z1, "nonlin({0})").named("l1")
    z2 = l1.dot(syn1, np_style=True)
    l2 = sigmoid_node(z2, "nonlin({0})").named("l2")
    l2_error = (y - l2).named("l2_error")
    nonlin = "nonlin({at}, deriv=True)"
    l2_delta = (l2_error * slope("sigmoid", l2, inp=z2, out=l2, style=nonlin)
                ).named("l2_delta")
    l1_error = l2_delta.dot(syn1.T).named("l1_error")
    l1_delta = (l1_error * slope("sigmoid", l1, inp=z1, out=l1, style=nonlin)
                ).named("l1_delta")
    syn1_update = l1.T.dot(l2_delta, batch=True).named("syn1_update")
    syn0_update = l0.T.dot(l1_delta, batch=True).named("syn0_update")
    return g.computation(l2_delta=l2_delta, l1_error=l1_error, l1_delta=l1_delta,
                         syn1_update=syn1_update, syn0_update=syn0_update)


IAMTRASK_3LAYER = register(Exercise(
    name="iamtrask-3layer-deltas",
    title="The 3-layer network's deltas and weight updates (document 001)",
    title_zh="三层网络的各个 delta 与权重更新量（文档 001）",
    document="001",
    statement=text("""
        Document 001's 3-layer network computes l1 = nonlin(l0.dot(syn0)) and
        l2 = nonlin(l1.dot(syn1)), then walks back: l2_error = y - l2, the deltas, and the
        updates it adds to the weights (syn1 += ..., syn0 += ...).
        Write deltas(l0, y, syn0, syn1) returning, in this order:
          l2_delta, l1_error, l1_delta, syn1_update, syn0_update
        where syn1_update and syn0_update are what the document adds to syn1 and syn0.
        The checker compares each with the engine's gradients of 0.5*sum((y - l2)**2).
    """),
    statement_zh=text("""
        文档 001 的三层网络先计算 l1 = nonlin(l0.dot(syn0)) 与 l2 = nonlin(l1.dot(syn1))，
        再反向计算：l2_error = y - l2、各层的 delta，
        以及加到权重上的更新量（syn1 += ...、syn0 += ...）。
        写出 deltas(l0, y, syn0, syn1)，按顺序返回：
          l2_delta, l1_error, l1_delta, syn1_update, syn0_update
        其中 syn1_update、syn0_update 是文档加到 syn1、syn0 上的量。
        检查器会把每一项与引擎对 0.5*sum((y - l2)**2) 求得的梯度比较。
    """),
    entry="deltas",
    starter=text('''
        import numpy as np


        def nonlin(x, deriv=False):
            if deriv:
                return x * (1 - x)
            return 1 / (1 + np.exp(-x))


        def deltas(l0, y, syn0, syn1):
            l1 = nonlin(np.dot(l0, syn0))
            l2 = nonlin(np.dot(l1, syn1))
            l2_error = y - l2
            l2_delta = ...   # your formulas from here on
            l1_error = ...
            l1_delta = ...
            syn1_update = ...
            syn0_update = ...
            return l2_delta, l1_error, l1_delta, syn1_update, syn0_update
    '''),
    solution=text('''
        import numpy as np


        def nonlin(x, deriv=False):
            if deriv:
                return x * (1 - x)
            return 1 / (1 + np.exp(-x))


        def deltas(l0, y, syn0, syn1):
            l1 = nonlin(np.dot(l0, syn0))
            l2 = nonlin(np.dot(l1, syn1))
            l2_error = y - l2
            l2_delta = l2_error * nonlin(l2, deriv=True)
            l1_error = l2_delta.dot(syn1.T)
            l1_delta = l1_error * nonlin(l1, deriv=True)
            syn1_update = l1.T.dot(l2_delta)
            syn0_update = l0.T.dot(l1_delta)
            return l2_delta, l1_error, l1_delta, syn1_update, syn0_update
    '''),
    quantities=_DELTA_QUANTITIES,
    cases=_net_cases,
    expected=_deltas_expected,
    numerical=_deltas_numerical,
    graph=_graph,
    computation=_deltas_computation,
))


# --------------------------------------------------------------------------- the 2-layer net

_TWO_LAYER_QUANTITIES = ("l1_error", "l1_delta", "syn0_update")
_TWO_LAYER_Y = np.array([[0, 0, 1, 1]], dtype=np.float64).T  # the 2-layer section's labels


def _two_layer_cases() -> list[Case]:
    rs = np.random.RandomState(1)  # the document's np.random.seed(1)
    syn0 = 2 * rs.random_sample((3, 1)) - 1
    rng = np.random.default_rng(11)
    return [
        Case("random", {"l0": XOR_X, "y": _TWO_LAYER_Y, "syn0": syn0}, "随机"),
        Case("saturated sigmoid", {"l0": XOR_X, "y": _TWO_LAYER_Y, "syn0": 15 * syn0},
             "sigmoid 饱和"),
        Case("zeros", {"l0": XOR_X, "y": _TWO_LAYER_Y, "syn0": np.zeros((3, 1))}, "权重全为零"),
        Case("negative inputs", {"l0": -rng.random((4, 3)), "y": _TWO_LAYER_Y, "syn0": syn0},
             "负数输入"),
        Case("two outputs", {"l0": XOR_X, "y": np.hstack([_TWO_LAYER_Y, XOR_Y]),
                             "syn0": rng.uniform(-1, 1, (3, 2))}, "两个输出"),
        Case("batch of one", {"l0": XOR_X[2:3], "y": _TWO_LAYER_Y[2:3], "syn0": syn0},
             "只有一个样本"),
        # Pre-activations from 559 to 1166: l1 is exactly 1, and a sigmoid written
        # exp(x) / (1 + exp(x)) overflows (x > 709).
        Case("far saturated (weights × -1000)",
             {"l0": XOR_X, "y": _TWO_LAYER_Y, "syn0": -1000 * syn0}, "深度饱和（权重 × -1000）"),
    ]


def _two_layer_graph(case: Case) -> tuple[Tensor, dict[str, Tensor]]:
    i = case.inputs
    l0 = Tensor(i["l0"], name="l0")
    y = Tensor(i["y"], name="y")
    syn0 = Tensor(i["syn0"], requires_grad=True, name="syn0")
    z1 = l0.dot(syn0)
    z1.name = "l0.dot(syn0)"
    l1 = z1.sigmoid()
    l1.name = "l1"
    loss = 0.5 * ((y - l1) ** 2).sum()
    loss.name = "loss"
    return loss, {"l1_error": l1, "l1_delta": z1, "syn0_update": syn0}


def _two_layer_expected(case: Case) -> Values:
    loss, t = _two_layer_graph(case)
    loss.backward()
    # As for the 3-layer net: each document quantity is minus a gradient of
    # 0.5*sum((y - l1)**2) (l1_error at l1, l1_delta at l0.dot(syn0), the update at syn0).
    return {q: -t[q].grad.data for q in _TWO_LAYER_QUANTITIES}  # type: ignore[union-attr]


def _two_layer_numerical(case: Case) -> Values:
    i = case.inputs
    l0, y = Tensor(i["l0"]), Tensor(i["y"])
    (g0,) = numerical_grad(lambda s0: 0.5 * ((y - l0.dot(s0).sigmoid()) ** 2).sum(),
                           Tensor(i["syn0"]))
    return {"syn0_update": -g0}


def _two_layer_computation(case: Case) -> Computation:
    """The 2-layer network as the document writes it, for the diagnosis."""
    g = Graph(case.inputs)
    l0, y, syn0 = g.input("l0"), g.input("y"), g.input("syn0")
    z1 = l0.dot(syn0, np_style=True)
    l1 = sigmoid_node(z1, "nonlin({0})").named("l1")
    l1_error = (y - l1).named("l1_error")
    l1_delta = (l1_error * slope("sigmoid", l1, inp=z1, out=l1, style="nonlin({at}, True)")
                ).named("l1_delta")
    syn0_update = l0.T.dot(l1_delta, np_style=True, batch=True).named("syn0_update")
    return g.computation(l1_error=l1_error, l1_delta=l1_delta, syn0_update=syn0_update)


def _two_layer_no_slope(case: Case) -> Values:
    i = case.inputs
    l1_error = i["y"] - sigmoid(i["l0"].dot(i["syn0"]))
    return {"l1_delta": l1_error, "syn0_update": i["l0"].T.dot(l1_error)}


IAMTRASK_2LAYER = register(Exercise(
    name="iamtrask-2layer-deltas",
    title="The 2-layer network's error, delta and weight update (document 001)",
    title_zh="两层网络的误差、delta 与权重更新量（文档 001）",
    document="001",
    statement=text("""
        Document 001's 2-layer network has one weight matrix: l1 = nonlin(np.dot(l0, syn0)).
        It measures l1_error = y - l1, weights it by the sigmoid's slope into l1_delta, and
        adds an update to the weights (syn0 += ...).
        Write deltas(l0, y, syn0) returning, in this order:
          l1_error, l1_delta, syn0_update
        where syn0_update is what the document adds to syn0. The checker compares each with
        the engine's gradients of 0.5*sum((y - l1)**2) (minus each gradient: the document
        adds its update). One case has two output columns.
    """),
    statement_zh=text("""
        文档 001 的两层网络只有一个权重矩阵：l1 = nonlin(np.dot(l0, syn0))。
        它先计算误差 l1_error = y - l1，再乘以 sigmoid 的斜率得到 l1_delta，
        最后把更新量加到权重上（syn0 += ...）。
        写出 deltas(l0, y, syn0)，按顺序返回：
          l1_error, l1_delta, syn0_update
        其中 syn0_update 是文档加到 syn0 上的量。检查器会把每一项与引擎对
        0.5*sum((y - l1)**2) 求得的梯度比较（取梯度的相反数，因为文档是把更新量加上去的）。
        有一个测试用例的输出有两列。
    """),
    entry="deltas",
    starter=text('''
        import numpy as np


        def nonlin(x, deriv=False):
            if deriv:
                return x * (1 - x)
            return 1 / (1 + np.exp(-x))


        def deltas(l0, y, syn0):
            l1 = nonlin(np.dot(l0, syn0))
            l1_error = ...     # your formulas from here on
            l1_delta = ...
            syn0_update = ...
            return l1_error, l1_delta, syn0_update
    '''),
    solution=text('''
        import numpy as np


        def nonlin(x, deriv=False):
            if deriv:
                return x * (1 - x)
            return 1 / (1 + np.exp(-x))


        def deltas(l0, y, syn0):
            l1 = nonlin(np.dot(l0, syn0))
            l1_error = y - l1
            l1_delta = l1_error * nonlin(l1, True)
            syn0_update = np.dot(l0.T, l1_delta)
            return l1_error, l1_delta, syn0_update
    '''),
    quantities=_TWO_LAYER_QUANTITIES,
    cases=_two_layer_cases,
    expected=_two_layer_expected,
    numerical=_two_layer_numerical,
    mistakes=bilingual({
        Msg("The document calls l1_delta the 'error weighted derivative': confident "
            "predictions, where the slope is small, move little.",
            "文档把 l1_delta 叫作“误差加权导数”：对有把握的预测，斜率小，权重也就动得少。"):
            _two_layer_no_slope,
    }),
    graph=_two_layer_graph,
    computation=_two_layer_computation,
))
