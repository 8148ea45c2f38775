"""Document 003 (victorzhou, "neural network from scratch"): the partial derivatives of a
2-2-1 sigmoid network for one sample, and the two mistakes in the document's ``train``.

The convention made exact: for one sample the document's loss is the MSE of that sample,
``L = (y_true - y_pred)**2`` (no ½), so ``d_L_d_ypred = -2 * (y_true - y_pred)`` and every
``d_L_d_w``/``d_L_d_b`` is a plain gradient of L (``self.w1 -= learn_rate * d_L_d_w1``).
The engine computes those gradients; the learner writes the chain-rule products.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ...gradcheck import numerical_grad
from ...tensor import Tensor
from .. import register
from ..computation import Computation, Graph, Node, slope
from ..computation import sigmoid as sigmoid_node
from ..core import Case, Exercise, Values
from ..i18n import Msg
from .common import bilingual, sigmoid, text

PARAMS = ("w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2", "b3")
# The order in which the document's train() uses them: neuron h1, neuron h2, neuron o1.
_ORDER = ("w1", "w2", "b1", "w3", "w4", "b2", "w5", "w6", "b3")
QUANTITIES = ("d_L_d_ypred", *(f"d_L_d_{p}" for p in _ORDER))


def _cases() -> list[Case]:
    # The document draws its weights with np.random.normal() and no seed: fixed draws here.
    rs = np.random.RandomState(3)
    start = dict(zip(PARAMS, (float(v) for v in rs.normal(size=9)), strict=True))

    def case(label: str, x: Any, y_true: float, params: dict[str, float], zh: str = ""
             ) -> Case:
        return Case(label, {"x": np.array(x, dtype=np.float64), "y_true": float(y_true),
                            "params": params}, zh)

    return [
        case("Alice", [-2, -1], 1, start),          # the document's data set
        case("Bob", [25, 6], 0, start),
        case("Charlie", [17, 4], 0, start),
        case("Diana (negative inputs)", [-15, -6], 1, start, "Diana（负数输入）"),
        case("saturated sigmoid", [-2, -1], 1, {k: 8 * v for k, v in start.items()},
             "sigmoid 饱和"),
        case("zero weights", [-2, -1], 1, dict.fromkeys(PARAMS, 0.0), "权重全为零"),
        case("zero inputs", [0, 0], 0, start, "输入全为零"),
        # sum_h1 = -4097, sum_h2 = 1043, sum_o1 = -399: h1 and h2 are exactly 0 and 1, and
        # exp(sum_h2) overflows (a sigmoid written exp(x) / (1 + exp(x)) gives nan).
        case("far saturated (weights × 1000)", [-2, -1], 1,
             {k: 1000 * v for k, v in start.items()}, "深度饱和（权重 × 1000）"),
    ]


def _graph(case: Case) -> tuple[Tensor, dict[str, Tensor]]:
    """The document's feedforward with one engine scalar per weight; L of the one sample."""
    x, y_true = case.inputs["x"], case.inputs["y_true"]
    p = {k: Tensor(v, requires_grad=True, name=k) for k, v in case.inputs["params"].items()}
    sum_h1 = p["w1"] * x[0] + p["w2"] * x[1] + p["b1"]
    sum_h1.name = "sum_h1"
    h1 = sum_h1.sigmoid()
    h1.name = "h1"
    sum_h2 = p["w3"] * x[0] + p["w4"] * x[1] + p["b2"]
    sum_h2.name = "sum_h2"
    h2 = sum_h2.sigmoid()
    h2.name = "h2"
    sum_o1 = p["w5"] * h1 + p["w6"] * h2 + p["b3"]  # o1's inputs are h1 and h2
    sum_o1.name = "sum_o1"
    y_pred = sum_o1.sigmoid()
    y_pred.name = "y_pred"
    L = (y_true - y_pred) ** 2  # the MSE of one sample: no ½, hence the -2 in d_L_d_ypred
    L.name = "L"
    tensors = {"d_L_d_ypred": y_pred}
    tensors.update({f"d_L_d_{k}": p[k] for k in _ORDER})
    return L, tensors


def _expected(case: Case) -> Values:
    L, t = _graph(case)
    L.backward()
    return {q: t[q].grad.data for q in QUANTITIES}  # type: ignore[union-attr]


def _numerical(case: Case) -> Values:
    x, y_true = case.inputs["x"], case.inputs["y_true"]

    def L(*weights: Tensor) -> Tensor:
        p = dict(zip(PARAMS, weights, strict=True))
        h1 = (p["w1"] * x[0] + p["w2"] * x[1] + p["b1"]).sigmoid()
        h2 = (p["w3"] * x[0] + p["w4"] * x[1] + p["b2"]).sigmoid()
        return (y_true - (p["w5"] * h1 + p["w6"] * h2 + p["b3"]).sigmoid()) ** 2

    grads = numerical_grad(L, *(Tensor(case.inputs["params"][k]) for k in PARAMS))
    return {f"d_L_d_{k}": g for k, g in zip(PARAMS, grads, strict=True)}


def _partials(case: Case, *, o1_from_inputs: bool = False, swap_input: str = "",
              w56_from_inputs: bool = False, slope_of_output: tuple[str, ...] = ()
              ) -> Values:
    """The chain-rule products in NumPy; the flags reproduce known mistakes
    (``swap_input``: the weight among w1..w4 whose partial uses the other input;
    ``slope_of_output``: the neurons whose deriv_sigmoid is given the output, not the sum).
    """
    x, y_true, p = case.inputs["x"], case.inputs["y_true"], case.inputs["params"]

    def slope(s: float, neuron: str) -> float:
        f = float(sigmoid(np.float64(s)))
        if neuron in slope_of_output:  # deriv_sigmoid(h1) instead of deriv_sigmoid(sum_h1)
            f = float(sigmoid(np.float64(f)))
        return f * (1 - f)

    sum_h1 = p["w1"] * x[0] + p["w2"] * x[1] + p["b1"]
    h1 = float(sigmoid(np.float64(sum_h1)))
    sum_h2 = p["w3"] * x[0] + p["w4"] * x[1] + p["b2"]
    h2 = float(sigmoid(np.float64(sum_h2)))
    if o1_from_inputs:
        sum_o1 = p["w5"] * x[0] + p["w6"] * x[1] + p["b3"]
    else:
        sum_o1 = p["w5"] * h1 + p["w6"] * h2 + p["b3"]
    y_pred = float(sigmoid(np.float64(sum_o1)))
    d_ypred = -2 * (y_true - y_pred)
    d_o1 = slope(sum_o1, "o1")
    in5, in6 = (x[0], x[1]) if w56_from_inputs else (h1, h2)
    d_h1 = d_ypred * p["w5"] * d_o1 * slope(sum_h1, "h1")
    d_h2 = d_ypred * p["w6"] * d_o1 * slope(sum_h2, "h2")
    # the input each of w1..w4 multiplies (the other one where a mistake swaps it)
    xin = {w: x[k] if w != swap_input else x[1 - k]
           for w, k in (("w1", 0), ("w2", 1), ("w3", 0), ("w4", 1))}
    values = {
        "d_L_d_ypred": d_ypred,
        "d_L_d_w1": d_h1 * xin["w1"], "d_L_d_w2": d_h1 * xin["w2"], "d_L_d_b1": d_h1,
        "d_L_d_w3": d_h2 * xin["w3"], "d_L_d_w4": d_h2 * xin["w4"],
        "d_L_d_b2": d_h2,
        "d_L_d_w5": d_ypred * in5 * d_o1, "d_L_d_w6": d_ypred * in6 * d_o1,
        "d_L_d_b3": d_ypred * d_o1,
    }
    return {q: np.asarray(v, dtype=np.float64) for q, v in values.items()}


_O1_FROM_INPUTS_HINT = Msg(
    "y_pred is not the network's output: train() computes sum_o1 = self.w5 * x[0] + "
    "self.w6 * x[1] + self.b3, feeding the INPUTS to the output neuron. o1's inputs are h1 and "
    "h2 (sum_o1 = self.w5 * h1 + self.w6 * h2 + self.b3, as feedforward() does); d_L_d_ypred "
    "is the first partial it spoils, and every other partial inherits the error.",
    "y_pred 并不是网络的输出：train() 里算的是 sum_o1 = self.w5 * x[0] + self.w6 * x[1] + "
    "self.b3，把网络的输入直接送进了输出神经元。o1 的输入应当是 h1 和 h2（sum_o1 = "
    "self.w5 * h1 + self.w6 * h2 + self.b3，和 feedforward() 一样）；d_L_d_ypred 是第一个"
    "被它弄错的偏导数，其余的偏导数都跟着错。"
)
_W4_FROM_X0_HINT = Msg(
    "In the document, d_h2_d_w4 = x[0] * deriv_sigmoid(sum_h2): w4 multiplies x[1] in "
    "sum_h2 = w3 * x[0] + w4 * x[1] + b2 (x[0] belongs to w3).",
    "文档里写的是 d_h2_d_w4 = x[0] * deriv_sigmoid(sum_h2)：而在 sum_h2 = w3 * x[0] + "
    "w4 * x[1] + b2 中，w4 乘的是 x[1]（x[0] 属于 w3）。"
)
_SLOPE_HINT = ("derivative of the wrong variable: deriv_sigmoid takes the neuron's SUM and "
               "computes the sigmoid itself, so giving it the neuron's output applies the "
               "sigmoid twice: ")


def _swapped(w: str) -> Callable[[Case], Values]:
    """The partial of ``w`` (one of w1..w4) taken with the other input."""
    return lambda c: {f"d_L_d_{w}": _partials(c, swap_input=w)[f"d_L_d_{w}"]}


def _slopes_of_outputs(neurons: tuple[str, ...]) -> Callable[[Case], Values]:
    return lambda c: {q: v for q, v in _partials(c, slope_of_output=neurons).items()
                      if q != "d_L_d_ypred"}


# The document's own words, and the mistakes that are more than one edit of the computation
# (the diagnosis names every single edit by itself).
_MISTAKES: dict[str, Callable[[Case], Values]] = bilingual({
    _O1_FROM_INPUTS_HINT: lambda c: _partials(c, o1_from_inputs=True),
    _W4_FROM_X0_HINT: _swapped("w4"),
    Msg(_SLOPE_HINT + "pass sum_h1, sum_h2 and sum_o1, not h1, h2 and y_pred",
        "对错了变量求导：deriv_sigmoid 接收的是神经元的加权和，它自己会先算 sigmoid，"
        "所以把神经元的输出传给它，就把 sigmoid 用了两次：应当传入 sum_h1、sum_h2 和 "
        "sum_o1，而不是 h1、h2 和 y_pred"):
        _slopes_of_outputs(("h1", "h2", "o1")),
})


def _computation(case: Case) -> Computation:
    """train()'s loop body for one sample as the document writes it (feedforward, then every
    partial from its named pieces), for the diagnosis."""
    i = case.inputs
    g = Graph({})
    x0, x1 = g.input("x[0]", i["x"][0]), g.input("x[1]", i["x"][1])
    y_true = g.input("y_true", i["y_true"])
    w = {k: g.input(f"self.{k}", v) for k, v in i["params"].items()}
    sum_h1 = (w["w1"] * x0 + w["w2"] * x1 + w["b1"]).named("sum_h1")
    h1 = sigmoid_node(sum_h1).named("h1")
    sum_h2 = (w["w3"] * x0 + w["w4"] * x1 + w["b2"]).named("sum_h2")
    h2 = sigmoid_node(sum_h2).named("h2")
    sum_o1 = (w["w5"] * h1 + w["w6"] * h2 + w["b3"]).named("sum_o1")
    y_pred = sigmoid_node(sum_o1).named("y_pred")
    d_L_d_ypred = slope("loss", -2 * (y_true - y_pred)).named("d_L_d_ypred")

    def deriv(total: Node, out: Node) -> Node:  # deriv_sigmoid takes the neuron's sum
        return slope("sigmoid", total, inp=total, out=out, style="deriv_sigmoid({at})",
                     takes="in")

    def d(name: str, factor: Node | None, total: Node, out: Node) -> Node:
        local = deriv(total, out)
        return (local if factor is None else slope("linear", factor) * local).named(name)

    o1 = {"w5": d("d_ypred_d_w5", h1, sum_o1, y_pred),
          "w6": d("d_ypred_d_w6", h2, sum_o1, y_pred), "b3": d("d_ypred_d_b3", None, sum_o1,
                                                                y_pred)}
    d_ypred_d_h1 = d("d_ypred_d_h1", w["w5"], sum_o1, y_pred)
    d_ypred_d_h2 = d("d_ypred_d_h2", w["w6"], sum_o1, y_pred)
    hidden = {"w1": (d_ypred_d_h1, d("d_h1_d_w1", x0, sum_h1, h1)),
              "w2": (d_ypred_d_h1, d("d_h1_d_w2", x1, sum_h1, h1)),
              "b1": (d_ypred_d_h1, d("d_h1_d_b1", None, sum_h1, h1)),
              "w3": (d_ypred_d_h2, d("d_h2_d_w3", x0, sum_h2, h2)),
              "w4": (d_ypred_d_h2, d("d_h2_d_w4", x1, sum_h2, h2)),
              "b2": (d_ypred_d_h2, d("d_h2_d_b2", None, sum_h2, h2))}
    q = {"d_L_d_ypred": d_L_d_ypred}
    for p in _ORDER:
        if p in hidden:
            q[f"d_L_d_{p}"] = (d_L_d_ypred * hidden[p][0] * hidden[p][1]).named(f"d_L_d_{p}")
        else:
            q[f"d_L_d_{p}"] = (d_L_d_ypred * o1[p]).named(f"d_L_d_{p}")
    return g.computation(**q)

_HEADER = '''
    import numpy as np


    def sigmoid(x):
        # Sigmoid activation function: f(x) = 1 / (1 + e^(-x))
        return 1 / (1 + np.exp(-x))


    def deriv_sigmoid(x):
        # Derivative of sigmoid: f'(x) = f(x) * (1 - f(x))
        fx = sigmoid(x)
        return fx * (1 - fx)


    class OurNeuralNetwork():
        def __init__(self):
            # weights (the checker sets them to each case's values)
            self.w1 = np.random.normal()
            self.w2 = np.random.normal()
            self.w3 = np.random.normal()
            self.w4 = np.random.normal()
            self.w5 = np.random.normal()
            self.w6 = np.random.normal()
            # biases
            self.b1 = np.random.normal()
            self.b2 = np.random.normal()
            self.b3 = np.random.normal()

        def feedforward(self, x):
            h1 = sigmoid(self.w1 * x[0] + self.w2 * x[1] + self.b1)
            h2 = sigmoid(self.w3 * x[0] + self.w4 * x[1] + self.b2)
            o1 = sigmoid(self.w5 * h1 + self.w6 * h2 + self.b3)
            return o1
'''

_RETURN = '''
            return (d_L_d_ypred, d_L_d_w1, d_L_d_w2, d_L_d_b1, d_L_d_w3, d_L_d_w4, d_L_d_b2,
                    d_L_d_w5, d_L_d_w6, d_L_d_b3)
'''


def _doc_body(sum_o1: str, d_h2_d_w4: str) -> str:
    """train()'s loop body for one sample, as the document writes it, up to the partials."""
    return f'''
        def partials(self, x, y_true):
            # Do a feedforward (we'll need these values later)
            sum_h1 = self.w1 * x[0] + self.w2 * x[1] + self.b1
            h1 = sigmoid(sum_h1)

            sum_h2 = self.w3 * x[0] + self.w4 * x[1] + self.b2
            h2 = sigmoid(sum_h2)

            sum_o1 = {sum_o1}
            o1 = sigmoid(sum_o1)
            y_pred = o1

            # - - - Calculate partial derivatives.
            # - - - Naming: d_L_d_w1 represents "partial L / partial w1"
            d_L_d_ypred = -2 * (y_true - y_pred)

            # Neuron o1
            d_ypred_d_w5 = h1 * deriv_sigmoid(sum_o1)
            d_ypred_d_w6 = h2 * deriv_sigmoid(sum_o1)
            d_ypred_d_b3 = deriv_sigmoid(sum_o1)

            d_ypred_d_h1 = self.w5 * deriv_sigmoid(sum_o1)
            d_ypred_d_h2 = self.w6 * deriv_sigmoid(sum_o1)

            # Neuron h1
            d_h1_d_w1 = x[0] * deriv_sigmoid(sum_h1)
            d_h1_d_w2 = x[1] * deriv_sigmoid(sum_h1)
            d_h1_d_b1 = deriv_sigmoid(sum_h1)

            # Neuron h2
            d_h2_d_w3 = x[0] * deriv_sigmoid(sum_h2)
            d_h2_d_w4 = {d_h2_d_w4}
            d_h2_d_b2 = deriv_sigmoid(sum_h2)

            # - - - the partials the document's updates use (self.w1 -= learn_rate * ...)
            # Neuron h1
            d_L_d_w1 = d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1
            d_L_d_w2 = d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w2
            d_L_d_b1 = d_L_d_ypred * d_ypred_d_h1 * d_h1_d_b1
            # Neuron h2
            d_L_d_w3 = d_L_d_ypred * d_ypred_d_h2 * d_h2_d_w3
            d_L_d_w4 = d_L_d_ypred * d_ypred_d_h2 * d_h2_d_w4
            d_L_d_b2 = d_L_d_ypred * d_ypred_d_h2 * d_h2_d_b2
            # Neuron o1
            d_L_d_w5 = d_L_d_ypred * d_ypred_d_w5
            d_L_d_w6 = d_L_d_ypred * d_ypred_d_w6
            d_L_d_b3 = d_L_d_ypred * d_ypred_d_b3
'''


_GOOD_SUM_O1 = "self.w5 * h1 + self.w6 * h2 + self.b3"
_DOC_SUM_O1 = "self.w5 * x[0] + self.w6 * x[1] + self.b3"
_GOOD_W4 = "x[1] * deriv_sigmoid(sum_h2)"
_DOC_W4 = "x[0] * deriv_sigmoid(sum_h2)"

_SOLUTION = _HEADER + _doc_body(_GOOD_SUM_O1, _GOOD_W4) + _RETURN

_STARTER = _HEADER + '''
        def partials(self, x, y_true):
            sum_h1 = self.w1 * x[0] + self.w2 * x[1] + self.b1
            h1 = sigmoid(sum_h1)
            sum_h2 = self.w3 * x[0] + self.w4 * x[1] + self.b2
            h2 = sigmoid(sum_h2)
            sum_o1 = self.w5 * h1 + self.w6 * h2 + self.b3
            y_pred = sigmoid(sum_o1)

            # your formulas from here on: L = (y_true - y_pred)**2 for this one sample
            d_L_d_ypred = ...
            d_L_d_w1 = ...
            d_L_d_w2 = ...
            d_L_d_b1 = ...
            d_L_d_w3 = ...
            d_L_d_w4 = ...
            d_L_d_b2 = ...
            d_L_d_w5 = ...
            d_L_d_w6 = ...
            d_L_d_b3 = ...
''' + _RETURN

_RETURNS = """
    partials(self, x, y_true) returns, in the order the document's updates use them:
      d_L_d_ypred, d_L_d_w1, d_L_d_w2, d_L_d_b1, d_L_d_w3, d_L_d_w4, d_L_d_b2,
      d_L_d_w5, d_L_d_w6, d_L_d_b3
"""
_RETURNS_ZH = """
    partials(self, x, y_true) 按文档更新参数时的顺序返回：
      d_L_d_ypred, d_L_d_w1, d_L_d_w2, d_L_d_b1, d_L_d_w3, d_L_d_w4, d_L_d_b2,
      d_L_d_w5, d_L_d_w6, d_L_d_b3
"""


def _exercise(name: str, title: str, statement: str, statement_zh: str, starter: str,
              find_the_bug: bool, title_zh: str = "") -> Exercise:
    return Exercise(
        name=name, title=title, title_zh=title_zh, document="003",
        statement=text(statement) + text(_RETURNS),
        statement_zh=text(statement_zh) + text(_RETURNS_ZH),
        entry="OurNeuralNetwork", starter=text(starter), solution=text(_SOLUTION),
        quantities=QUANTITIES, cases=_cases, expected=_expected, numerical=_numerical,
        mistakes=_MISTAKES, find_the_bug=find_the_bug, graph=_graph, computation=_computation,
        # an OurNeuralNetwork() given the case's weights, then partials(x, y_true)
        protocol="class-partials",
        protocol_args={"params": "params", "method": "partials", "args": ["x", "y_true"]},
    )


VICTORZHOU_PARTIALS = register(_exercise(
    name="victorzhou-partials",
    title="Every partial derivative of the 2-2-1 network for one sample (document 003)",
    title_zh="2-2-1 网络对单个样本的全部偏导数（文档 003）",
    statement="""
        Document 003's network: h1 = sigmoid(w1*x[0] + w2*x[1] + b1),
        h2 = sigmoid(w3*x[0] + w4*x[1] + b2), y_pred = o1 = sigmoid(w5*h1 + w6*h2 + b3),
        and for one sample the loss L = (y_true - y_pred)**2. By the chain rule, write the
        method partials(self, x, y_true) of OurNeuralNetwork (the weights are self.w1 ...
        self.b3; the checker sets them) returning the partial derivatives of L.
    """,
    statement_zh="""
        文档 003 的网络：h1 = sigmoid(w1*x[0] + w2*x[1] + b1)，
        h2 = sigmoid(w3*x[0] + w4*x[1] + b2)，y_pred = o1 = sigmoid(w5*h1 + w6*h2 + b3)；
        对单个样本，损失 L = (y_true - y_pred)**2。用链式法则写出 OurNeuralNetwork 的方法
        partials(self, x, y_true)（权重是 self.w1 ... self.b3，由检查器设置），返回 L 的各个偏导数。
    """,
    starter=_STARTER,
    find_the_bug=False,
))

BUG_003_SUM_O1 = register(_exercise(
    name="bug-003-sum-o1",
    title="Find the bug: document 003's train() computes y_pred wrongly",
    title_zh="找错误：文档 003 的 train() 把 y_pred 算错了",
    statement="""
        Find the bug. The starter file is document 003's own train() code, the body of its
        loop for one sample made into the method partials(self, x, y_true), as printed.
        The partials should be the gradients of L = (y_true - y_pred)**2 for the network
        that feedforward() computes. Check it, read which quantity is wrong first, and fix
        the line that causes it; then check again (the document has a second mistake).
    """,
    statement_zh="""
        找出错误。起始文件就是文档 003 的 train() 原始代码：把它循环里处理一个样本的部分
        原样写成方法 partials(self, x, y_true)。这些偏导数应当是 feedforward() 所计算的网络的
        L = (y_true - y_pred)**2 的梯度。运行检查器，看哪个量最先出错，改正造成错误的那一行；
        然后再检查一次（文档里还有第二个错误）。
    """,
    starter=_HEADER + _doc_body(_DOC_SUM_O1, _DOC_W4) + _RETURN,
    find_the_bug=True,
))

BUG_003_D_H2_D_W4 = register(_exercise(
    name="bug-003-d-h2-d-w4",
    title="Find the bug: one of document 003's partial derivatives uses the wrong input",
    title_zh="找错误：文档 003 有一个偏导数用错了输入",
    statement="""
        Find the bug. The starter file is document 003's train() code for one sample, made
        into the method partials(self, x, y_true), with its feedforward already corrected
        (sum_o1 uses h1 and h2; see bug-003-sum-o1). One partial derivative is still wrong.
        Check it, read which quantity is wrong first, and fix the line that causes it.
    """,
    statement_zh="""
        找出错误。起始文件是文档 003 的 train() 代码，处理一个样本的部分写成了方法
        partials(self, x, y_true)，其中前向计算已经改正（sum_o1 使用 h1 和 h2，见
        bug-003-sum-o1）。还有一个偏导数是错的。运行检查器，看哪个量最先出错，
        改正造成错误的那一行。
    """,
    starter=_HEADER + _doc_body(_GOOD_SUM_O1 + "  # corrected: see bug-003-sum-o1", _DOC_W4)
    + _RETURN,
    find_the_bug=True,
))
