"""Document 004 (a blog post building a 3-4-1 sigmoid network): find its two mistakes.

The convention made exact: the blog's ``l2_loss = l2 - y`` is the gradient of
``E = 0.5 * sum((l2 - y)**2)`` at l2, and it SUBTRACTS its updates (``w1 -= l1.T.dot(l2_delta)``,
``w0 -= l0.T.dot(l1_delta)``). So with correct formulas every quantity is a plain gradient
of E: ``l2_delta`` at ``l1.dot(w1)``, ``l1_loss`` at l1, ``l1_delta`` at ``l0.dot(w0)``, and
the steps at w1 and w0; ``w -= step`` is gradient descent.

The blog's ``Sigmoid(x, deriv=True)`` returns ``x*(x-1)``, minus the slope, so its
``l2_delta`` is minus the gradient and ``w1 -= ...`` climbs E; its
``l1_delta = l2_loss * Sigmoid(l2, deriv=True)`` repeats layer 2 (shape (5, 1) instead of
(5, 4)). The exercise also replays the learner's ``step`` from the case's weights and records
the loss: the blog's code makes it rise, gradient descent makes it fall.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ...gradcheck import numerical_grad
from ...tensor import Tensor
from .. import register
from ..computation import Computation, Graph, slope
from ..computation import sigmoid as sigmoid_node
from ..core import Case, Exercise, Values
from ..i18n import Msg
from .common import bilingual, sigmoid, text

# Document 004's data: 5 examples of 3 features (the last row repeats the first), 5 labels.
X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1], [0, 0, 1]], dtype=np.float64)
Y = np.array([[0], [1], [1], [0], [0]], dtype=np.float64)

STEP_QUANTITIES = ("l2_loss", "l2_delta", "l1_loss", "l1_delta", "w1_step", "w0_step")
CURVE_AT = (0, 50, 100, 200)  # the loss is recorded after this many steps of w -= step
QUANTITIES = (*STEP_QUANTITIES, "loss_curve")


def _cases() -> list[Case]:
    rs = np.random.RandomState(1)  # the blog seeds nothing; 001's seed, drawn as the blog does
    w0 = 2 * rs.random_sample((3, 4)) - 1
    w1 = 2 * rs.random_sample((4, 1)) - 1
    rng = np.random.default_rng(4)
    return [
        Case("document", {"l0": X, "y": Y, "w0": w0, "w1": w1}, "文档里的数值"),
        Case("saturated sigmoid", {"l0": X, "y": Y, "w0": 6 * w0, "w1": 6 * w1}, "sigmoid 饱和"),
        Case("zero weights", {"l0": X, "y": Y, "w0": np.zeros((3, 4)), "w1": np.zeros((4, 1))},
             "权重全为零"),
        Case("negative inputs", {"l0": -rng.random((5, 3)), "y": Y, "w0": w0, "w1": w1},
             "负数输入"),
        Case("batch of one", {"l0": X[1:2], "y": Y[1:2], "w0": w0, "w1": w1}, "只有一个样本"),
        # Pre-activations from -518 to 1789: every l1 and l2 is exactly 0 or 1, and a
        # Sigmoid written exp(x) / (1 + exp(x)) overflows (x > 709).
        Case("far saturated (weights × -1000)",
             {"l0": X, "y": Y, "w0": -1000 * w0, "w1": -1000 * w1}, "深度饱和（权重 × -1000）"),
    ]


def loss_of(l0: np.ndarray, y: np.ndarray, w0: np.ndarray, w1: np.ndarray) -> float:
    """E = 0.5 * sum((l2 - y)**2) of the network with weights w0, w1."""
    l2 = sigmoid(sigmoid(l0.dot(w0)).dot(w1))
    return float(0.5 * np.sum((l2 - y) ** 2))


def _curve(step: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
           case: Case) -> np.ndarray:
    """The loss after CURVE_AT steps of ``w0 -= w0_step; w1 -= w1_step`` from the case."""
    i = case.inputs
    w0, w1 = np.array(i["w0"], dtype=np.float64), np.array(i["w1"], dtype=np.float64)
    losses = []
    for n in range(CURVE_AT[-1] + 1):
        if n in CURVE_AT:
            losses.append(loss_of(i["l0"], i["y"], w0, w1))
        if n == CURVE_AT[-1]:
            break
        w0_step, w1_step = step(w0, w1)
        w0, w1 = w0 - w0_step, w1 - w1_step  # the blog's w0 -= ..., w1 -= ...
    return np.array(losses)


def _graph(case: Case) -> tuple[Tensor, dict[str, Tensor]]:
    i = case.inputs
    l0 = Tensor(i["l0"], name="l0")
    w0 = Tensor(i["w0"], requires_grad=True, name="w0")
    w1 = Tensor(i["w1"], requires_grad=True, name="w1")
    z1 = l0.dot(w0)
    z1.name = "l0.dot(w0)"
    l1 = z1.sigmoid()
    l1.name = "l1"
    z2 = l1.dot(w1)
    z2.name = "l1.dot(w1)"
    l2 = z2.sigmoid()
    l2.name = "l2"
    loss = 0.5 * ((l2 - Tensor(i["y"], name="y")) ** 2).sum()
    loss.name = "loss"
    return loss, {"l2_loss": l2, "l2_delta": z2, "l1_loss": l1, "l1_delta": z1,
                  "w1_step": w1, "w0_step": w0}


def _engine_step(case: Case, w0: np.ndarray, w1: np.ndarray) -> Values:
    """Every step quantity as a gradient of 0.5*sum((l2 - y)**2) (the blog subtracts)."""
    loss, t = _graph(Case(case.label, {**case.inputs, "w0": w0, "w1": w1}))
    loss.backward()
    return {q: t[q].grad.data for q in STEP_QUANTITIES}  # type: ignore[union-attr]


def _expected(case: Case) -> Values:
    values = _engine_step(case, case.inputs["w0"], case.inputs["w1"])

    def descend(w0: np.ndarray, w1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        g = _engine_step(case, w0, w1)
        return g["w0_step"], g["w1_step"]  # w -= w.grad: gradient descent

    values["loss_curve"] = _curve(descend, case)
    return values


def _numerical(case: Case) -> Values:
    i = case.inputs
    l0 = Tensor(i["l0"])

    def E(w0: Tensor, w1: Tensor) -> Tensor:
        return 0.5 * ((l0.dot(w0).sigmoid().dot(w1).sigmoid() - i["y"]) ** 2).sum()

    g0, g1 = numerical_grad(E, Tensor(i["w0"]), Tensor(i["w1"]))
    return {"w0_step": g0, "w1_step": g1}


def _blog_step(l0: np.ndarray, y: np.ndarray, w0: np.ndarray, w1: np.ndarray,
               sign: float = -1.0) -> Values:
    """The blog's formulas. sign=-1 is its x*(x-1); sign=+1 the corrected slope x*(1-x)."""

    def slope(x: np.ndarray) -> np.ndarray:
        return sign * x * (1 - x)

    l1 = sigmoid(l0.dot(w0))
    l2 = sigmoid(l1.dot(w1))
    l2_loss = l2 - y
    l2_delta = l2_loss * slope(l2)
    l1_loss = l2_delta.dot(w1.T)
    l1_delta = l2_loss * slope(l2)  # the blog repeats layer 2 here
    return {"l2_loss": l2_loss, "l2_delta": l2_delta, "l1_loss": l1_loss,
            "l1_delta": l1_delta, "w1_step": l1.T.dot(l2_delta), "w0_step": l0.T.dot(l1_delta)}


def _blog(case: Case) -> Values:
    i = case.inputs
    values = _blog_step(i["l0"], i["y"], i["w0"], i["w1"])

    def blog_step(w0: np.ndarray, w1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        v = _blog_step(i["l0"], i["y"], w0, w1)
        return v["w0_step"], v["w1_step"]

    values["loss_curve"] = _curve(blog_step, case)
    return values


def _blog_l1_delta_fixed_slope(case: Case) -> Values:
    i = case.inputs
    return {"l1_delta": _blog_step(i["l0"], i["y"], i["w0"], i["w1"], sign=1.0)["l1_delta"]}


def _blog_l1_delta(case: Case) -> Values:
    i = case.inputs
    return {"l1_delta": _blog_step(i["l0"], i["y"], i["w0"], i["w1"])["l1_delta"]}


def _step_computation(case: Case) -> Computation:
    """The blog's step with its two mistakes fixed, for the diagnosis (loss_curve, 200
    steps of it, stays outside the graph: its hint comes from the mistakes)."""
    g = Graph(case.inputs)
    l0, y, w0, w1 = g.input("l0"), g.input("y"), g.input("w0"), g.input("w1")
    z1 = l0.dot(w0, np_style=True)
    l1 = sigmoid_node(z1, "Sigmoid({0})").named("l1")
    z2 = l1.dot(w1, np_style=True)
    l2 = sigmoid_node(z2, "Sigmoid({0})").named("l2")
    style = "Sigmoid({at}, deriv=True)"
    l2_loss = slope("loss", l2 - y).named("l2_loss")
    l2_delta = (l2_loss * slope("sigmoid", l2, inp=z2, out=l2, style=style)).named("l2_delta")
    l1_loss = l2_delta.dot(w1.T).named("l1_loss")
    l1_delta = (l1_loss * slope("sigmoid", l1, inp=z1, out=l1, style=style)).named("l1_delta")
    w1_step = l1.T.dot(l2_delta, batch=True).named("w1_step")
    w0_step = l0.T.dot(l1_delta, batch=True).named("w0_step")
    return g.computation(l2_loss=l2_loss, l2_delta=l2_delta, l1_loss=l1_loss,
                         l1_delta=l1_delta, w1_step=w1_step, w0_step=w0_step)


_SIGN_HINT = Msg(
    "The blog's Sigmoid(x, deriv=True) returns x*(x-1), minus the sigmoid's slope x*(1-x) "
    "(a slope that is never negative). So l2_delta is minus the gradient, and "
    "w1 -= l1.T.dot(l2_delta) steps UP the loss: see loss_curve, which rises.",
    "博客的 Sigmoid(x, deriv=True) 返回 x*(x-1)，正好是 sigmoid 斜率 x*(1-x) 的相反数"
    "（而斜率永远不会是负的）。所以 l2_delta 是梯度的相反数，w1 -= l1.T.dot(l2_delta) "
    "反而让损失变大：看看 loss_curve，它在上升。"
)
_L1_DELTA_HINT = Msg(
    "l1_delta repeats layer 2: l2_loss * Sigmoid(l2, deriv=True) is l2_delta again, shape "
    "(5, 1). Layer 1's delta is l1_loss * Sigmoid(l1, deriv=True), one column per hidden unit "
    "(shape (5, 4)); with the blog's, w0's update is (3, 1) and moves all 4 columns of a row "
    "of w0 alike.",
    "l1_delta 重复了第 2 层：l2_loss * Sigmoid(l2, deriv=True) 就是 l2_delta，形状 (5, 1)。"
    "第 1 层的 delta 是 l1_loss * Sigmoid(l1, deriv=True)，每个隐藏单元一列（形状 (5, 4)）；"
    "照博客的写法，w0 的更新量是 (3, 1)，w0 同一行的 4 列被一样地移动。"
)
_CURVE_HINT = Msg(
    "the loss rises instead of falling: your update climbs the loss. w -= step descends only "
    "when each step is the gradient of the loss (Sigmoid's slope x*(1-x), not x*(x-1)).",
    "损失在上升而不是下降：你的更新在往损失更大的方向走。只有每一步都是损失的梯度时，"
    "w -= step 才会下降（Sigmoid 的斜率是 x*(1-x)，不是 x*(x-1)）。"
)

BUG_004_BLOG_NETWORK = register(Exercise(
    name="bug-004-blog-network",
    title="Find the bugs: document 004's network climbs its loss",
    title_zh="找错误：文档 004 的网络让损失越训练越大",
    document="004",
    find_the_bug=True,
    statement=text("""
        Find the bugs. The starter file is document 004's own code: its Sigmoid and one pass
        of its training loop, made into step(l0, y, w0, w1) returning
          l2_loss, l2_delta, l1_loss, l1_delta, w1_step, w0_step
        where w1_step and w0_step are what the blog subtracts (w1 -= l1.T.dot(l2_delta),
        w0 -= l0.T.dot(l1_delta)). Each should be the gradient of
        E = 0.5*sum((l2 - y)**2) at l2, l1.dot(w1), l1, l0.dot(w0), w1 and w0.
        The checker also repeats your step from each case's weights (w0 -= w0_step;
        w1 -= w1_step) and records the loss after 0, 50, 100 and 200 steps (loss_curve):
        it must fall as gradient descent makes it fall. The blog says its network improved;
        check what its code does, read which quantity is wrong first, fix, and check again
        (there are two mistakes).
    """),
    statement_zh=text("""
        找出错误。起始文件就是文档 004 的原始代码：它的 Sigmoid 函数，以及把训练循环的一次
        迭代写成的 step(l0, y, w0, w1)，返回
          l2_loss, l2_delta, l1_loss, l1_delta, w1_step, w0_step
        其中 w1_step、w0_step 是博客从权重中减去的量（w1 -= l1.T.dot(l2_delta)、
        w0 -= l0.T.dot(l1_delta)）。它们应当依次是 E = 0.5*sum((l2 - y)**2) 对 l2、
        l1.dot(w1)、l1、l0.dot(w0)、w1、w0 的梯度。
        检查器还会从每个用例的初始权重出发反复调用你的 step（w0 -= w0_step；
        w1 -= w1_step），记录 0、50、100、200 步之后的损失（loss_curve）：它应当像梯度下降
        那样下降。博客说它的网络得到了优化；运行检查器看看它的代码实际做了什么，找到最先出错的量，
        改正后再检查一次（一共有两处错误）。
    """),
    entry="step",
    starter=text('''
        # Document 004 ("构造简单的神经网络"), as printed: its Sigmoid, and one pass of the
        # loop in Update_Weight made into a function. The blog then does
        #     w1 -= l1.T.dot(l2_delta)
        #     w0 -= l0.T.dot(l1_delta)
        # so step returns those two products as w1_step and w0_step.
        import numpy as np

        # 激励函数
        def Sigmoid(x, deriv = False):
            # 反向传播
            if deriv == True:
                return x*(x-1)#求导
            # 正向传播
            else:
                return 1/(1+np.exp(-x)) #1/[1+e^(-x)]


        def step(l0, y, w0, w1):
            # 3、正向传播
            l1 = Sigmoid(np.dot(l0, w0))#中间层(第二层)
            l2 = Sigmoid(np.dot(l1, w1))#输出层(第三层)
            # 4、反向传播
            # l2
            l2_loss = l2 - y# l2误差(损失)(预测值和真实值的差)
            l2_delta = l2_loss * Sigmoid(l2, deriv=True)# l2每个样本错了多少
            # l1
            l1_loss = l2_delta.dot(w1.T)# l1误差(损失)(l2差错矩阵*w1转置)
            l1_delta = l2_loss * Sigmoid(l2, deriv=True)# l1每个样本错了多少
            # 5、更新权重:w1和w0
            w1_step = l1.T.dot(l2_delta)
            w0_step = l0.T.dot(l1_delta)
            return l2_loss, l2_delta, l1_loss, l1_delta, w1_step, w0_step
    '''),
    solution=text('''
        import numpy as np


        def Sigmoid(x, deriv=False):
            if deriv:
                return x * (1 - x)
            return 1 / (1 + np.exp(-x))


        def step(l0, y, w0, w1):
            l1 = Sigmoid(np.dot(l0, w0))
            l2 = Sigmoid(np.dot(l1, w1))
            l2_loss = l2 - y
            l2_delta = l2_loss * Sigmoid(l2, deriv=True)
            l1_loss = l2_delta.dot(w1.T)
            l1_delta = l1_loss * Sigmoid(l1, deriv=True)
            w1_step = l1.T.dot(l2_delta)
            w0_step = l0.T.dot(l1_delta)
            return l2_loss, l2_delta, l1_loss, l1_delta, w1_step, w0_step
    '''),
    quantities=QUANTITIES,
    cases=_cases,
    expected=_expected,
    numerical=_numerical,
    mistakes=bilingual({
        # The blog's own values; each hint is shown for the first quantity it explains.
        _SIGN_HINT: lambda c: {q: v for q, v in _blog(c).items()
                               if q in ("l2_delta", "w1_step")},
        _CURVE_HINT: lambda c: {"loss_curve": _blog(c)["loss_curve"]},
        _L1_DELTA_HINT: _blog_l1_delta_fixed_slope,
        Msg("l1_delta repeats layer 2 (l2_loss * Sigmoid(l2, deriv=True), the blog's line), "
            "with the blog's flipped slope x*(x-1) as well: layer 1's delta is l1_loss * "
            "Sigmoid(l1, deriv=True), with the slope x*(1-x)",
            "l1_delta 重复了第 2 层（博客那一行 l2_loss * Sigmoid(l2, deriv=True)），还带着"
            "博客里符号反了的斜率 x*(x-1)：第 1 层的 delta 是 l1_loss * "
            "Sigmoid(l1, deriv=True)，斜率是 x*(1-x)"):
            _blog_l1_delta,
    }),
    # the learner's step on the case, then the loss after repeating it (w -= w_step)
    protocol="step-and-curve",
    protocol_args={"data": ["l0", "y"], "weights": ["w0", "w1"],
                   "step_quantities": list(STEP_QUANTITIES), "curve": "loss_curve",
                   "curve_at": list(CURVE_AT), "loss": "half-sse-two-sigmoid-layers"},
    graph=_graph,
    computation=_step_computation,
))
