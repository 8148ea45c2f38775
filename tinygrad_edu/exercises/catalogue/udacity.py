"""Document 002 (Udacity deep learning notes): the error term of one sigmoid unit, and
backpropagation through one hidden layer, with the weight steps.

The convention made exact: the document's error is ``E = 0.5 * (y - output)**2`` and its
``error_term = (y - output) * f'(h)`` is MINUS the gradient of E at the unit's input ``h``;
``delta_w = learnrate * error_term * x`` is ``-learnrate * dE/dw``, the step the document ADDS
to the weights (``weights += delta_w``). Likewise ``output_error_term``, ``hidden_error``
and ``hidden_error_term`` are minus the gradients of E at ``output_layer_in``,
``hidden_layer_output`` and ``hidden_layer_input``.

The document uses ``learnrate = 0.5``; the cases use 0.1, so that a forgotten (or misplaced)
learning rate is told apart from a factor of 2.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...gradcheck import numerical_grad
from ...tensor import Tensor
from .. import register
from ..computation import Computation, Graph, col, slope
from ..computation import sigmoid as sigmoid_node
from ..core import Case, Exercise, Values
from ..i18n import Msg
from .common import bilingual, sigmoid, text

LEARNRATE = 0.1


# --------------------------------------------------------------------------- one unit

_UNIT_QUANTITIES = ("error", "error_term", "del_w")


def _unit_cases() -> list[Case]:
    rng = np.random.default_rng(2)

    def case(label: str, zh: str, x: Any, y: float, weights: Any,
             learnrate: float = LEARNRATE) -> Case:
        return Case(label, {"x": np.array(x, dtype=np.float64), "y": y,
                            "weights": np.array(weights, dtype=np.float64),
                            "learnrate": learnrate}, zh)

    return [
        case("document", "文档里的数值", [0.1, 0.3], 0.2, [-0.8, 0.5]),
        case("random", "随机", rng.normal(size=4), 0.7, rng.normal(0, 0.5, 4)),
        case("saturated sigmoid", "sigmoid 饱和", [1.0, 2.0, -0.5], 0.0, [9.0, 7.0, 4.0]),
        case("zero weights", "权重全为零", [0.1, 0.3], 0.2, [0.0, 0.0]),
        case("negative inputs", "负数输入", -rng.random(3), 1.0, rng.normal(0, 0.5, 3)),
        case("one feature", "只有一个特征", [0.8], 0.3, [-0.4]),
        # h = 1050: nn_output is exactly 1 and its slope 0; exp(h) overflows (h > 709).
        case("far saturated (h = 1050)", "深度饱和（h = 1050）", [1.0, 2.0, -0.5], 0.0,
             [400.0, 300.0, -100.0]),
        # the argument, not a fixed value: a hard-coded learnrate fails here
        case("another learning rate", "另一个学习率", [0.1, 0.3], 0.2, [-0.8, 0.5],
             learnrate=0.3),
    ]


def _unit_graph(case: Case) -> tuple[Tensor, dict[str, Tensor]]:
    i = case.inputs
    weights = Tensor(i["weights"], requires_grad=True, name="weights")
    h = Tensor(i["x"], name="x").dot(weights)
    h.name = "h"
    output = h.sigmoid()
    output.name = "nn_output"
    E = 0.5 * (i["y"] - output) ** 2
    E.name = "E"
    return E, {"error": output, "error_term": h, "del_w": weights}


def _unit_expected(case: Case) -> Values:
    E, t = _unit_graph(case)
    E.backward()
    g = {q: t[q].grad.data for q in _UNIT_QUANTITIES}  # type: ignore[union-attr]
    # error = -dE/d output, error_term = -dE/dh, del_w = -learnrate * dE/dw
    return {"error": -g["error"], "error_term": -g["error_term"],
            "del_w": -case.inputs["learnrate"] * g["del_w"]}


def _unit_numerical(case: Case) -> Values:
    i = case.inputs
    x = Tensor(i["x"])
    (g,) = numerical_grad(lambda w: 0.5 * (i["y"] - x.dot(w).sigmoid()) ** 2,
                          Tensor(i["weights"]))
    return {"del_w": -i["learnrate"] * g}


def _unit_forward(case: Case) -> tuple[np.ndarray, float, np.ndarray]:
    i = case.inputs
    h = float(np.dot(i["x"], i["weights"]))
    out = float(sigmoid(np.float64(h)))
    return i["x"], out, np.float64(i["y"] - out)


def _slope_of_output(case: Case) -> Values:
    x, out, error = _unit_forward(case)
    s = sigmoid(np.float64(out))
    return {"error_term": error * s * (1 - s)}


def _unit_computation(case: Case) -> Computation:
    """The unit's step as the document writes it, for the diagnosis."""
    g = Graph(case.inputs)
    x, y, weights = g.input("x"), g.input("y"), g.input("weights")
    learnrate = g.lr("learnrate", document=0.5)  # the document's learnrate
    h = x.dot(weights, np_style=True).named("h")
    nn_output = sigmoid_node(h).named("nn_output")
    error = (y - nn_output).named("error")
    error_term = (error * slope("sigmoid", nn_output, inp=h, out=nn_output,
                                style="{at} * (1 - {at})")).named("error_term")
    del_w = (learnrate * error_term * slope("linear", x)).named("del_w")
    return g.computation(error=error, error_term=error_term, del_w=del_w)


UDACITY_ERROR_TERM = register(Exercise(
    name="udacity-error-term",
    title="One sigmoid unit: the error term and the weight step (document 002)",
    title_zh="单个 sigmoid 单元：误差项与权重的更新步长（文档 002）",
    document="002",
    statement=text("""
        Document 002, "梯度下降-代码": one sigmoid unit, h = np.dot(x, weights),
        nn_output = sigmoid(h), error = y - nn_output. The error term (lowercase delta) is
        the error times the sigmoid's slope at h, and the step the document adds to the
        weights is del_w = learnrate * error_term * x.
        Write gradient_step(x, y, weights, learnrate) returning, in this order:
          error, error_term, del_w
        The checker compares them with the engine's gradients of E = 0.5*(y - nn_output)**2:
        error_term = -dE/dh and del_w = -learnrate * dE/dweights. The cases use
        learnrate = 0.1 (the document uses 0.5), except one: use the argument.
    """),
    statement_zh=text("""
        文档 002（“梯度下降-代码”）：一个 sigmoid 单元，h = np.dot(x, weights)，
        nn_output = sigmoid(h)，error = y - nn_output。误差项（小写 delta）等于误差乘以
        sigmoid 在 h 处的斜率；文档加到权重上的步长是 del_w = learnrate * error_term * x。
        写出 gradient_step(x, y, weights, learnrate)，按顺序返回：
          error, error_term, del_w
        检查器会把它们与引擎对 E = 0.5*(y - nn_output)**2 求得的梯度比较：
        error_term = -dE/dh，del_w = -learnrate * dE/dweights。测试用例取 learnrate = 0.1
        （文档里是 0.5），只有一个例外：请使用参数 learnrate。
    """),
    entry="gradient_step",
    starter=text('''
        import numpy as np


        def sigmoid(x):
            return 1 / (1 + np.exp(-x))


        def gradient_step(x, y, weights, learnrate):
            h = np.dot(x, weights)
            nn_output = sigmoid(h)
            error = ...        # your formulas from here on
            error_term = ...
            del_w = ...
            return error, error_term, del_w
    '''),
    solution=text('''
        import numpy as np


        def sigmoid(x):
            return 1 / (1 + np.exp(-x))


        def gradient_step(x, y, weights, learnrate):
            h = np.dot(x, weights)
            nn_output = sigmoid(h)
            error = y - nn_output
            error_term = error * nn_output * (1 - nn_output)
            del_w = learnrate * error_term * x
            return error, error_term, del_w
    '''),
    quantities=_UNIT_QUANTITIES,
    cases=_unit_cases,
    expected=_unit_expected,
    numerical=_unit_numerical,
    mistakes=bilingual({
        Msg("The document's sigmoid_prime(h) takes h: sigmoid_prime(nn_output) applies the "
            "sigmoid twice.",
            "文档里的 sigmoid_prime(h) 接收的是 h：写成 sigmoid_prime(nn_output) 就把 sigmoid "
            "用了两次。"):
            _slope_of_output,
    }),
    lr=LEARNRATE,
    graph=_unit_graph,
    computation=_unit_computation,
))


# --------------------------------------------------------------------------- backpropagation

_BACKPROP_QUANTITIES = ("error", "output_error_term", "hidden_error", "hidden_error_term",
                        "delta_w_h_o", "delta_w_i_h")


def _backprop_cases() -> list[Case]:
    rng = np.random.default_rng(4)

    def case(label: str, zh: str, x: Any, target: float, w_i_h: Any, w_h_o: Any,
             learnrate: float = LEARNRATE) -> Case:
        return Case(label, {"x": np.array(x, dtype=np.float64), "target": target,
                            "weights_input_hidden": np.array(w_i_h, dtype=np.float64),
                            "weights_hidden_output": np.array(w_h_o, dtype=np.float64),
                            "learnrate": learnrate}, zh)

    doc_x = [0.5, 0.1, -0.2]
    doc_w_i_h = [[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]]
    doc_w_h_o = [0.1, -0.3]
    return [
        case("document", "文档里的数值", doc_x, 0.6, doc_w_i_h, doc_w_h_o),
        case("random (4 inputs, 3 hidden)", "随机（4 个输入、3 个隐藏单元）", rng.normal(size=4),
             0.2, rng.normal(0, 0.5, (4, 3)), rng.normal(0, 0.5, 3)),
        case("saturated sigmoid", "sigmoid 饱和", [1.0, 2.0, -1.5], 1.0,
             8 * np.array(doc_w_i_h), [6.0, -5.0]),
        case("zero weights", "权重全为零", doc_x, 0.6, np.zeros((3, 2)), np.zeros(2)),
        case("negative inputs", "负数输入", -rng.random(3), 0.0, rng.normal(0, 0.5, (3, 2)),
             rng.normal(0, 0.5, 2)),
        case("one hidden unit", "只有一个隐藏单元", doc_x, 0.6, [[0.5], [0.1], [0.1]], [0.4]),
        # hidden_layer_input = (275, -1025), output_layer_in = 800: every sigmoid is exactly
        # 0 or 1, and exp(x) overflows for x > 709.
        case("far saturated (weights × 500)", "深度饱和（权重 × 500）", [1.0, 2.0, -1.5], 0.0,
             500 * np.array(doc_w_i_h), [800.0, -300.0]),
        # the argument, not a fixed value: a hard-coded learnrate fails here
        case("another learning rate", "另一个学习率", doc_x, 0.6, doc_w_i_h, doc_w_h_o,
             learnrate=0.3),
    ]


def _backprop_graph(case: Case) -> tuple[Tensor, dict[str, Tensor]]:
    i = case.inputs
    w_i_h = Tensor(i["weights_input_hidden"], requires_grad=True, name="weights_input_hidden")
    w_h_o = Tensor(i["weights_hidden_output"], requires_grad=True,
                   name="weights_hidden_output")
    hidden_in = Tensor(i["x"], name="x").dot(w_i_h)
    hidden_in.name = "hidden_layer_input"
    hidden_out = hidden_in.sigmoid()
    hidden_out.name = "hidden_layer_output"
    out_in = hidden_out.dot(w_h_o)  # weights_hidden_output is 1-D: out_in is a scalar
    out_in.name = "output_layer_in"
    output = out_in.sigmoid()
    output.name = "output"
    E = 0.5 * (i["target"] - output) ** 2
    E.name = "E"
    return E, {"error": output, "output_error_term": out_in, "hidden_error": hidden_out,
               "hidden_error_term": hidden_in, "delta_w_h_o": w_h_o, "delta_w_i_h": w_i_h}


def _backprop_expected(case: Case) -> Values:
    E, t = _backprop_graph(case)
    E.backward()
    lr = case.inputs["learnrate"]
    out = {}
    for q in _BACKPROP_QUANTITIES:
        g = t[q].grad.data  # type: ignore[union-attr]
        # the error terms are minus gradients of E; the weight steps, -learnrate * gradient
        out[q] = -lr * g if q.startswith("delta_w") else -g
    return out


def _backprop_numerical(case: Case) -> Values:
    i = case.inputs
    x = Tensor(i["x"])

    def E(w_i_h: Tensor, w_h_o: Tensor) -> Tensor:
        return 0.5 * (i["target"] - x.dot(w_i_h).sigmoid().dot(w_h_o).sigmoid()) ** 2

    g_i_h, g_h_o = numerical_grad(E, Tensor(i["weights_input_hidden"]),
                                  Tensor(i["weights_hidden_output"]))
    lr = i["learnrate"]
    return {"delta_w_i_h": -lr * g_i_h, "delta_w_h_o": -lr * g_h_o}


def _backprop_forward(case: Case) -> dict[str, Any]:
    i = case.inputs
    h = sigmoid(np.dot(i["x"], i["weights_input_hidden"]))
    output = sigmoid(np.dot(h, i["weights_hidden_output"]))
    error = i["target"] - output
    return {"h": h, "output": output, "error": error,
            "output_error_term": error * output * (1 - output)}


def _backprop_computation(case: Case) -> Computation:
    """Backpropagation through the hidden layer as the document writes it, for the
    diagnosis."""
    g = Graph(case.inputs)
    x, target = g.input("x"), g.input("target")
    w_i_h = g.input("weights_input_hidden")
    w_h_o = g.input("weights_hidden_output")
    learnrate = g.lr("learnrate", document=0.5)  # the document's learnrate
    hidden_layer_input = x.dot(w_i_h, np_style=True).named("hidden_layer_input")
    hidden_layer_output = sigmoid_node(hidden_layer_input).named("hidden_layer_output")
    output_layer_in = hidden_layer_output.dot(w_h_o, np_style=True).named("output_layer_in")
    output = sigmoid_node(output_layer_in).named("output")
    style = "{at} * (1 - {at})"
    error = (target - output).named("error")
    output_error_term = (error * slope("sigmoid", output, inp=output_layer_in, out=output,
                                       style=style)).named("output_error_term")
    hidden_error = (slope("linear", w_h_o) * output_error_term).named("hidden_error")
    hidden_error_term = (hidden_error * slope(
        "sigmoid", hidden_layer_output, inp=hidden_layer_input, out=hidden_layer_output,
        style=style)).named("hidden_error_term")
    delta_w_h_o = (learnrate * output_error_term * slope("linear", hidden_layer_output)
                   ).named("delta_w_h_o")
    delta_w_i_h = (learnrate * hidden_error_term * slope("linear", col(x))
                   ).named("delta_w_i_h")
    return g.computation(error=error, output_error_term=output_error_term,
                         hidden_error=hidden_error, hidden_error_term=hidden_error_term,
                         delta_w_h_o=delta_w_h_o, delta_w_i_h=delta_w_i_h)


def _hidden_from_error(case: Case) -> Values:
    f = _backprop_forward(case)
    w = case.inputs["weights_hidden_output"]
    return {"hidden_error": w * f["error"], "hidden_error_term": w * f["error"] * f["h"]
            * (1 - f["h"])}


UDACITY_BACKPROP = register(Exercise(
    name="udacity-backprop",
    title="Backpropagation through one hidden layer: error terms and weight steps (doc. 002)",
    title_zh="经过一个隐藏层的反向传播：误差项与权重的更新步长（文档 002）",
    document="002",
    statement=text("""
        Document 002, "反向传播": x (3 inputs) -> hidden_layer_output = sigmoid(np.dot(x,
        weights_input_hidden)) -> output = sigmoid(np.dot(hidden_layer_output,
        weights_hidden_output)), where weights_hidden_output is 1-D (one weight per hidden
        unit), so output is a single number. Walk back from error = target - output.
        Write backprop(x, target, weights_input_hidden, weights_hidden_output, learnrate)
        returning, in this order:
          error, output_error_term, hidden_error, hidden_error_term, delta_w_h_o, delta_w_i_h
        hidden_error is the hidden layer's share of the error (weights_hidden_output *
        output_error_term); delta_w_h_o and delta_w_i_h are the changes the document adds to
        weights_hidden_output and weights_input_hidden (with the learning rate), of their
        shapes. The checker compares them with the engine's gradients of
        E = 0.5*(target - output)**2 (the error terms are -dE/d(layer input), the changes
        -learnrate * dE/dweights). The cases use learnrate = 0.1 (the document uses 0.5),
        except one: use the argument.
    """),
    statement_zh=text("""
        文档 002（“反向传播”）：x（3 个输入）-> hidden_layer_output = sigmoid(np.dot(x,
        weights_input_hidden)) -> output = sigmoid(np.dot(hidden_layer_output,
        weights_hidden_output))。weights_hidden_output 是一维数组（每个隐藏单元一个权重），
        所以 output 是一个数。从 error = target - output 开始反向计算。
        写出 backprop(x, target, weights_input_hidden, weights_hidden_output, learnrate)，
        按顺序返回：
          error, output_error_term, hidden_error, hidden_error_term, delta_w_h_o, delta_w_i_h
        hidden_error 是隐藏层分摊到的误差（weights_hidden_output * output_error_term）；
        delta_w_h_o 和 delta_w_i_h 是文档加到 weights_hidden_output 和 weights_input_hidden
        上的改变量（含学习率），形状与对应的权重相同。检查器会把它们与引擎对
        E = 0.5*(target - output)**2 求得的梯度比较（误差项是 -dE/d(该层的输入)，改变量是
        -learnrate * dE/dweights）。测试用例取 learnrate = 0.1（文档里是 0.5），
        只有一个例外：请使用参数 learnrate。
    """),
    entry="backprop",
    starter=text('''
        import numpy as np


        def sigmoid(x):
            return 1 / (1 + np.exp(-x))


        def backprop(x, target, weights_input_hidden, weights_hidden_output, learnrate):
            hidden_layer_input = np.dot(x, weights_input_hidden)
            hidden_layer_output = sigmoid(hidden_layer_input)
            output_layer_in = np.dot(hidden_layer_output, weights_hidden_output)
            output = sigmoid(output_layer_in)

            error = ...              # your formulas from here on
            output_error_term = ...
            hidden_error = ...
            hidden_error_term = ...
            delta_w_h_o = ...        # the shape of weights_hidden_output
            delta_w_i_h = ...        # the shape of weights_input_hidden
            return (error, output_error_term, hidden_error, hidden_error_term,
                    delta_w_h_o, delta_w_i_h)
    '''),
    solution=text('''
        import numpy as np


        def sigmoid(x):
            return 1 / (1 + np.exp(-x))


        def backprop(x, target, weights_input_hidden, weights_hidden_output, learnrate):
            hidden_layer_input = np.dot(x, weights_input_hidden)
            hidden_layer_output = sigmoid(hidden_layer_input)
            output_layer_in = np.dot(hidden_layer_output, weights_hidden_output)
            output = sigmoid(output_layer_in)

            error = target - output
            output_error_term = error * output * (1 - output)
            hidden_error = weights_hidden_output * output_error_term
            hidden_error_term = (hidden_error * hidden_layer_output
                                 * (1 - hidden_layer_output))
            delta_w_h_o = learnrate * output_error_term * hidden_layer_output
            delta_w_i_h = learnrate * hidden_error_term * x[:, None]   # (3, 1) * (2,)
            return (error, output_error_term, hidden_error, hidden_error_term,
                    delta_w_h_o, delta_w_i_h)
    '''),
    quantities=_BACKPROP_QUANTITIES,
    cases=_backprop_cases,
    expected=_backprop_expected,
    numerical=_backprop_numerical,
    mistakes=bilingual({
        Msg("The error reaches the hidden layer through the OUTPUT's error term, which "
            "already holds the output's slope (error alone skips it).",
            "误差是经由输出的误差项传到隐藏层的，而输出的误差项已经包含了输出层的斜率"
            "（只用 error 就把它跳过了）。"):
            _hidden_from_error,
    }),
    lr=LEARNRATE,
    graph=_backprop_graph,
    computation=_backprop_computation,
))
