"""Document 000 (notes on *Grokking Deep Learning*, chapters 4-5): gradient descent on one
weight, on several inputs and on several outputs, and the document's multi-input mistake.

The convention made exact: the document measures ``error = (pred - goal)**2`` but its
``delta = pred - goal`` and ``weight_delta = input * delta`` are the gradients of HALF that
error, ``0.5 * (pred - goal)**2`` (the factor 2 is absorbed into ``alpha``). So ``delta`` is
d(half error)/d pred, ``weight_delta`` is d(half error)/d weight, and the update
``weight -= alpha * weight_delta`` is one gradient-descent step. With several outputs the
half errors are summed. The engine computes those gradients; the learner writes the formulas.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...gradcheck import numerical_grad
from ...tensor import Tensor
from .. import register
from ..computation import Computation, Graph, binary, outer, slope, step
from ..core import Case, Exercise, Values
from ..i18n import Msg
from .common import bilingual, text

# --------------------------------------------------------------------------- one weight

ONE_ALPHA = 0.01  # the document's cure for the divergence at input = 1.1*6


# The cases' labels in Chinese (document 000's cases).
_LABELS_ZH = {
    "document: input 1.1": "文档里的数值：input 1.1",
    "document: input 0.5": "文档里的数值：input 0.5",
    "large input (1.1*6)": "很大的输入（1.1*6）",
    "negative input": "负数输入",
    "zero input": "输入为零",
    "prediction above the goal": "预测高于目标",
    "document": "文档里的数值",
    "prediction below zero": "预测小于零",
    "random": "随机",
    "negative inputs": "负数输入",
    "zero weights": "权重全为零",
    "one input": "只有一个输入",
    "one input, three outputs": "一个输入、三个输出",
    "2 outputs, 4 inputs": "2 个输出、4 个输入",
    "one output": "只有一个输出",
    "another learning rate": "另一个学习率",
}


def _one_cases() -> list[Case]:
    def case(label: str, input: float, weight: float, goal_pred: float,
             alpha: float = ONE_ALPHA) -> Case:
        return Case(label, {"input": input, "weight": weight, "goal_pred": goal_pred,
                            "alpha": alpha}, _LABELS_ZH[label])

    return [
        case("document: input 1.1", 1.1, 0.0, 0.8),
        case("document: input 0.5", 0.5, 0.5, 0.8),
        case("large input (1.1*6)", 1.1 * 6, 0.0, 0.8),
        case("negative input", -1.3, 0.4, 0.8),
        case("zero input", 0.0, 0.7, 0.8),
        case("prediction above the goal", 2.0, 0.9, 0.8),
        # the argument, not the document's value: a hard-coded alpha fails here
        case("another learning rate", 1.1, 0.0, 0.8, alpha=0.3),
    ]


def _one_graph(case: Case) -> tuple[Tensor, dict[str, Tensor]]:
    i = case.inputs
    weight = Tensor(i["weight"], requires_grad=True, name="weight")
    pred = i["input"] * weight
    pred.name = "pred"
    half_error = 0.5 * (pred - i["goal_pred"]) ** 2  # half the document's error
    half_error.name = "0.5*error"
    return half_error, {"delta": pred, "weight_delta": weight}


def _one_expected(case: Case) -> Values:
    loss, t = _one_graph(case)
    loss.backward()
    # delta = d(0.5*error)/d pred, weight_delta = d(0.5*error)/d weight: plain gradients.
    grads = {q: t[q].grad.data for q in ("delta", "weight_delta")}  # type: ignore[union-attr]
    grads["new_weight"] = case.inputs["weight"] - case.inputs["alpha"] * grads["weight_delta"]
    return grads


def _one_numerical(case: Case) -> Values:
    i = case.inputs
    pred = Tensor(i["input"] * i["weight"])
    (d_pred,) = numerical_grad(lambda p: 0.5 * (p - i["goal_pred"]) ** 2, pred)
    (d_weight,) = numerical_grad(lambda w: 0.5 * (i["input"] * w - i["goal_pred"]) ** 2,
                                 Tensor(i["weight"]))
    return {"delta": d_pred, "weight_delta": d_weight}


def _one_variant(case: Case, quantity: str, mistake: str) -> Values:
    """One known wrong formula of the one-weight step, for one quantity."""
    i = case.inputs
    x, w, alpha = i["input"], i["weight"], i["alpha"]
    delta = x * w - i["goal_pred"]
    value = {
        "no input": delta,                          # weight_delta = delta
        "factor 2": 2 * x * delta,                  # the slope of (pred - goal_pred)**2
        "uphill": w + alpha * x * delta,            # weight += alpha * weight_delta
        "no alpha": w - x * delta,                  # weight -= weight_delta
    }[mistake]
    return {quantity: np.asarray(value, dtype=np.float64)}


def _one_computation(case: Case) -> Computation:
    """The step as the document writes it, for the diagnosis: delta is the half error's
    slope at pred, ``input`` the slope of pred at the weight, then the alpha step."""
    g = Graph(case.inputs)
    input, weight, goal_pred = g.input("input"), g.input("weight"), g.input("goal_pred")
    alpha = g.lr("alpha", document=ONE_ALPHA)
    pred = (input * weight).named("pred")
    delta = slope("loss", pred - goal_pred).named("delta")
    weight_delta = (delta * slope("linear", input)).named("weight_delta")
    new_weight = step(weight, alpha, weight_delta).named("new_weight")
    return g.computation(delta=delta, weight_delta=weight_delta, new_weight=new_weight)


GROKKING_ONE_WEIGHT = register(Exercise(
    name="grokking-one-weight",
    title="One weight: delta, weight_delta and the alpha step (document 000)",
    title_zh="一个权重：delta、weight_delta 与按 alpha 走的一步（文档 000）",
    document="000",
    statement=text("""
        Document 000 learns one weight: pred = input * weight, error = (pred - goal_pred)**2.
        It measures the miss as delta = pred - goal_pred, turns it into the weight's share,
        weight_delta, and steps: weight -= alpha * weight_delta.
        Write one_weight_step(input, weight, goal_pred, alpha) returning, in this order:
          delta, weight_delta, new_weight
        where new_weight is the weight after the step. The checker compares delta and
        weight_delta with the engine's gradients of 0.5*(pred - goal_pred)**2 (the document's
        error without its factor 2, which alpha absorbs). The cases use the document's
        alpha = 0.01, except one: use the argument alpha.
    """),
    statement_zh=text("""
        文档 000 只学习一个权重：pred = input * weight，error = (pred - goal_pred)**2。
        它用 delta = pred - goal_pred 衡量预测偏离目标多少，再把它换算成这个权重的增量
        weight_delta，然后更新：weight -= alpha * weight_delta。
        写出 one_weight_step(input, weight, goal_pred, alpha)，按顺序返回：
          delta, weight_delta, new_weight
        其中 new_weight 是更新之后的权重。检查器会把 delta 和 weight_delta 与引擎对
        0.5*(pred - goal_pred)**2 求得的梯度比较（即文档的误差去掉因子 2，这个 2 被 alpha
        吸收了）。测试用例取文档的 alpha = 0.01，只有一个例外：请使用参数 alpha。
    """),
    entry="one_weight_step",
    starter=text('''
        def one_weight_step(input, weight, goal_pred, alpha):
            pred = input * weight
            error = (pred - goal_pred) ** 2
            delta = ...         # your formulas from here on
            weight_delta = ...
            new_weight = ...
            return delta, weight_delta, new_weight
    '''),
    solution=text('''
        def one_weight_step(input, weight, goal_pred, alpha):
            pred = input * weight
            error = (pred - goal_pred) ** 2
            delta = pred - goal_pred
            weight_delta = delta * input
            new_weight = weight - alpha * weight_delta
            return delta, weight_delta, new_weight
    '''),
    quantities=("delta", "weight_delta", "new_weight"),
    cases=_one_cases,
    expected=_one_expected,
    numerical=_one_numerical,
    # the document's own words; the diagnosis names every single mistake by itself
    mistakes=bilingual({
        Msg("The input scales the step (a large input, a large step), flips it when "
            "negative, and stops it when 0.",
            "input 决定这一步的大小：输入大，步子就大；输入为负，方向就反过来；输入为 0，"
            "就不动。"):
            lambda c: _one_variant(c, "weight_delta", "no input"),
        Msg("2 * input * delta is the slope of the document's (pred - goal_pred)**2; the "
            "document's weight_delta leaves the 2 to alpha.",
            "2 * input * delta 是文档中 (pred - goal_pred)**2 的斜率；文档的 weight_delta "
            "把这个 2 留给了 alpha。"):
            lambda c: _one_variant(c, "weight_delta", "factor 2"),
        Msg("Without alpha, a large input makes the weight overshoot and diverge, as the "
            "document shows at input = 1.1*6.",
            "没有 alpha，输入一大，权重就会冲过头并发散，正如文档在 input = 1.1*6 时展示的"
            "那样。"):
            lambda c: _one_variant(c, "new_weight", "no alpha"),
    }),
    lr=ONE_ALPHA,
    graph=_one_graph,
    computation=_one_computation,
))


# --------------------------------------------------------------------------- several inputs

MULTI_INPUT_ALPHA = 0.02  # the document's alpha for several inputs
_MULTI_QUANTITIES = ("delta", "weight_deltas", "new_weights")


def _multi_input_cases() -> list[Case]:
    rng = np.random.default_rng(0)

    def case(label: str, input: Any, weights: Any, goal: float,
             alpha: float = MULTI_INPUT_ALPHA) -> Case:
        return Case(label, {"input": np.array(input, dtype=np.float64),
                            "weights": np.array(weights, dtype=np.float64), "goal": goal,
                            "alpha": alpha}, _LABELS_ZH[label])

    return [
        case("document", [8.5, 1.65, 1.2], [0.1, 0.2, -0.1], 1.0),
        case("prediction below zero", [8.5, 1.65, 1.2], [-0.1, 0.2, -0.1], 1.0),
        case("random", rng.normal(0, 2, 5), rng.normal(0, 0.5, 5), 0.3),
        case("negative inputs", -rng.random(4) * 3, rng.normal(0, 0.5, 4), 1.0),
        case("zero weights", [8.5, 1.65, 1.2], [0.0, 0.0, 0.0], 1.0),
        case("one input", [2.0], [0.3], 1.0),
        # the argument, not the document's value: a hard-coded alpha fails here
        case("another learning rate", [8.5, 1.65, 1.2], [0.1, 0.2, -0.1], 1.0, alpha=0.05),
    ]


def _multi_input_graph(case: Case) -> tuple[Tensor, dict[str, Tensor]]:
    i = case.inputs
    weights = Tensor(i["weights"], requires_grad=True, name="weights")
    pred = Tensor(i["input"], name="input").dot(weights)  # w_sum(input, weights)
    pred.name = "pred"
    half_error = 0.5 * (pred - i["goal"]) ** 2
    half_error.name = "0.5*error"
    return half_error, {"delta": pred, "weight_deltas": weights}


def _multi_input_expected(case: Case) -> Values:
    loss, t = _multi_input_graph(case)
    loss.backward()
    # delta = d(0.5*error)/d pred; weight_deltas[i] = d(0.5*error)/d weights[i].
    out = {q: t[q].grad.data for q in ("delta", "weight_deltas")}  # type: ignore[union-attr]
    out["new_weights"] = case.inputs["weights"] - case.inputs["alpha"] * out["weight_deltas"]
    return out


def _multi_input_numerical(case: Case) -> Values:
    i = case.inputs
    x = Tensor(i["input"])
    (d_w,) = numerical_grad(lambda w: 0.5 * (x.dot(w) - i["goal"]) ** 2, Tensor(i["weights"]))
    return {"weight_deltas": d_w}


def _times_weights(case: Case) -> Values:
    """The document's ``weight_deltas = ele_mult_vector(delta, weights)``."""
    i = case.inputs
    delta = float(i["input"].dot(i["weights"])) - i["goal"]
    weight_deltas = delta * i["weights"]
    return {"weight_deltas": weight_deltas,
            "new_weights": i["weights"] - i["alpha"] * weight_deltas}


_TIMES_WEIGHTS_HINT = (
    "weight_deltas = ele_mult_vector(delta, weights) multiplies delta by the WEIGHTS. The "
    "slope of the error for weights[i] is delta * input[i] (pred = w_sum(input, weights), so "
    "d pred/d weights[i] = input[i]): use ele_mult_vector(delta, input). With the weights, "
    "the update only rescales them (a zero weight never moves), and it can climb the error "
    "when pred < 0 < goal."
)


_TIMES_WEIGHTS_WORDS = Msg(
    "ele_mult_vector(delta, weights) only rescales the weights (a zero weight never moves), "
    "and it can climb the error when pred < 0 < goal: the slope for weights[i] is "
    "delta * input[i].",
    "ele_mult_vector(delta, weights) 只是把权重按比例缩放（为 0 的权重永远不动），而且当 "
    "pred < 0 < goal 时还会让误差变大：weights[i] 的斜率是 delta * input[i]。")


def _multi_input_computation(case: Case) -> Computation:
    """Chapter 5 with several inputs, for the diagnosis: w_sum, ele_mult_vector, the step."""
    g = Graph(case.inputs)
    input, weights, goal = g.input("input"), g.input("weights"), g.input("goal")
    alpha = g.lr("alpha", document=MULTI_INPUT_ALPHA)
    pred = input.dot(weights, text="w_sum({0}, {1})").named("pred")
    delta = slope("loss", pred - goal).named("delta")
    weight_deltas = binary("mul", delta, slope("linear", input),
                           text="ele_mult_vector({0}, {1})").named("weight_deltas")
    new_weights = step(weights, alpha, weight_deltas).named("new_weights")
    return g.computation(delta=delta, weight_deltas=weight_deltas, new_weights=new_weights)


def _multi_input_exercise(name: str, title: str, starter: str, find_the_bug: bool,
                          statement: str, statement_zh: str, title_zh: str = "") -> Exercise:
    return Exercise(
        name=name, title=title, title_zh=title_zh, document="000", statement=text(statement),
        statement_zh=text(statement_zh), entry="multi_input_step", starter=text(starter),
        solution=text(_MULTI_INPUT_SOLUTION), quantities=_MULTI_QUANTITIES,
        cases=_multi_input_cases, expected=_multi_input_expected,
        numerical=_multi_input_numerical,
        mistakes=bilingual({_TIMES_WEIGHTS_WORDS: _times_weights}),
        protocol_args={"in_place_ok": ["weights"]},
        lr=MULTI_INPUT_ALPHA, find_the_bug=find_the_bug, graph=_multi_input_graph,
        computation=_multi_input_computation,
    )


_MULTI_INPUT_SOLUTION = '''
    def w_sum(a, b):
        assert len(a) == len(b)
        output = 0
        for i in range(len(a)):
            output += a[i] * b[i]
        return output


    def ele_mult_vector(num, vec):
        output = []
        for i in range(len(vec)):
            output.append(num * vec[i])
        return output


    def multi_input_step(input, weights, goal, alpha):
        pred = w_sum(input, weights)
        delta = pred - goal
        weight_deltas = ele_mult_vector(delta, input)
        new_weights = [weights[j] - alpha * weight_deltas[j] for j in range(len(weights))]
        return delta, weight_deltas, new_weights
'''

GROKKING_MULTI_INPUT = register(_multi_input_exercise(
    name="grokking-multi-input",
    title="Several inputs: one weight_delta per weight (document 000)",
    title_zh="多个输入：每个权重各有一个 weight_delta（文档 000）",
    starter='''
        def w_sum(a, b):
            assert len(a) == len(b)
            output = 0
            for i in range(len(a)):
                output += a[i] * b[i]
            return output


        def multi_input_step(input, weights, goal, alpha):
            pred = w_sum(input, weights)
            error = (pred - goal) ** 2
            delta = ...          # your formulas from here on
            weight_deltas = ...  # one per weight
            new_weights = ...    # the weights after weights[j] -= alpha * weight_deltas[j]
            return delta, weight_deltas, new_weights
    ''',
    find_the_bug=False,
    statement="""
        Document 000, chapter 5: several inputs, one output. pred = w_sum(input, weights),
        error = (pred - goal)**2, delta = pred - goal; every weight gets its own
        weight_deltas[i], then weights[j] -= alpha * weight_deltas[j].
        Write multi_input_step(input, weights, goal, alpha) returning, in this order:
          delta, weight_deltas, new_weights
        where new_weights are the weights after the update. The checker compares them with
        the engine's gradients of 0.5*(pred - goal)**2. The cases use the document's
        alpha = 0.02, except one: use the argument alpha.
    """,
    statement_zh="""
        文档 000 第 5 章：多个输入、一个输出。pred = w_sum(input, weights)，
        error = (pred - goal)**2，delta = pred - goal；每个权重有各自的增量
        weight_deltas[i]，然后 weights[j] -= alpha * weight_deltas[j]。
        写出 multi_input_step(input, weights, goal, alpha)，按顺序返回：
          delta, weight_deltas, new_weights
        其中 new_weights 是更新之后的权重。检查器会把它们与引擎对 0.5*(pred - goal)**2
        求得的梯度比较。测试用例取文档的 alpha = 0.02，只有一个例外：请使用参数 alpha。
    """,
))

BUG_000_MULTI_INPUT_WEIGHTS = register(_multi_input_exercise(
    name="bug-000-multi-input-weights",
    title="Find the bug: document 000's multi-input learning",
    title_zh="找错误：文档 000 的多输入学习",
    starter='''
        # Document 000, chapter 5 ("多输入，也适用"): the body of its training loop, as printed,
        # made into a function. Run the checker on it, then find and fix the mistake.

        #向量权重和
        def w_sum(a,b):
            assert(len(a)==len(b))
            output=0;
            for i in range(len(a)):
                output+=a[i]*b[i]
            return output

        #向量乘以常数
        def ele_mult_vector(num, vec):
            output=[]
            for i in range(len(vec)):
                output.append( num*vec[i] )
            return output


        def neural_network(input, weights):
            pred=w_sum(input, weights);
            return pred


        def multi_input_step(input, weights, goal, alpha):
            pred=neural_network(input, weights)
            error=(pred-goal)**2

            #计算权重增量
            delta=pred-goal
            weight_deltas=ele_mult_vector(delta, weights)

            #更新权重
            for j in range(len(weights)):
                weights[j] -= alpha*weight_deltas[j]

            return delta, weight_deltas, weights
    ''',
    find_the_bug=True,
    statement="""
        Find the bug. The starter file is document 000's own code for learning with several
        inputs (chapter 5), one pass of its loop made into multi_input_step(input, weights,
        goal, alpha), returning delta, weight_deltas and the updated weights. weight_deltas
        should be the gradient of 0.5*(pred - goal)**2 with respect to the weights; delta and
        the update follow the document. Check it, read which quantity is wrong first, and
        fix the line that computes it.
    """,
    statement_zh="""
        找出错误。起始文件就是文档 000 第 5 章里多输入学习的原始代码：把它训练循环的一次
        迭代写成 multi_input_step(input, weights, goal, alpha)，返回 delta、weight_deltas
        和更新后的权重。weight_deltas 应当等于 0.5*(pred - goal)**2 对权重的梯度；delta 和
        权重更新照文档的写法计算。先运行检查器，看哪个量最先出错，再改正计算它的那一行。
    """,
))


# --------------------------------------------------------------------------- several outputs

MULTI_OUTPUT_ALPHA = 0.01  # the document's alpha for several inputs and outputs


def _multi_output_cases() -> list[Case]:
    rng = np.random.default_rng(5)

    def case(label: str, input: Any, weights: Any, goal: Any,
             alpha: float = MULTI_OUTPUT_ALPHA) -> Case:
        return Case(label, {"input": np.array(input, dtype=np.float64),
                            "weights": np.array(weights, dtype=np.float64),
                            "goal": np.array(goal, dtype=np.float64),
                            "alpha": alpha}, _LABELS_ZH[label])

    return [
        case("document", [8.5, 0.65, 1.2], [[0.1, 0.1, -0.3], [0.1, 0.2, 0], [0, 1.3, 0.1]],
             [0.1, 1, 0.1]),
        case("one input, three outputs", [0.65], [[0.3], [0.2], [0.9]], [0.1, 1, 0.1]),
        case("2 outputs, 4 inputs", rng.normal(0, 2, 4), rng.normal(0, 0.5, (2, 4)),
             [0.0, 1.0]),
        case("negative inputs", -rng.random(3) * 4, rng.normal(0, 0.5, (3, 3)),
             [0.1, 1, 0.1]),
        case("zero weights", [8.5, 0.65, 1.2], np.zeros((3, 3)), [0.1, 1, 0.1]),
        case("one output", [8.5, 0.65, 1.2], [[0.1, 0.2, 0.0]], [1.0]),
        # the argument, not the document's value: a hard-coded alpha fails here
        case("another learning rate", [8.5, 0.65, 1.2],
             [[0.1, 0.1, -0.3], [0.1, 0.2, 0], [0, 1.3, 0.1]], [0.1, 1, 0.1], alpha=0.03),
    ]


def _multi_output_graph(case: Case) -> tuple[Tensor, dict[str, Tensor]]:
    i = case.inputs
    weights = Tensor(i["weights"], requires_grad=True, name="weights")
    pred = weights.dot(Tensor(i["input"], name="input"))  # vec_mult_mat: one row per output
    pred.name = "pred"
    half_error = 0.5 * ((pred - i["goal"]) ** 2).sum()  # the outputs' half errors, summed
    half_error.name = "0.5*sum(error)"
    return half_error, {"delta": pred, "weight_deltas": weights}


def _multi_output_expected(case: Case) -> Values:
    loss, t = _multi_output_graph(case)
    loss.backward()
    # delta[j] = d/d pred[j], weight_deltas[j][k] = d/d weights[j][k] of the summed half errors
    out = {q: t[q].grad.data for q in ("delta", "weight_deltas")}  # type: ignore[union-attr]
    out["new_weights"] = case.inputs["weights"] - case.inputs["alpha"] * out["weight_deltas"]
    return out


def _multi_output_numerical(case: Case) -> Values:
    i = case.inputs
    x = Tensor(i["input"])
    (d_w,) = numerical_grad(lambda w: 0.5 * ((w.dot(x) - i["goal"]) ** 2).sum(),
                            Tensor(i["weights"]))
    return {"weight_deltas": d_w}


def _elementwise(case: Case) -> Values:
    i = case.inputs
    delta = i["weights"].dot(i["input"]) - i["goal"]
    if delta.shape != i["input"].shape:
        return {}
    return {"weight_deltas": delta * i["input"]}


def _summed_delta(case: Case) -> Values:
    i = case.inputs
    delta = i["weights"].dot(i["input"]) - i["goal"]
    return {"weight_deltas": np.broadcast_to(delta.sum() * i["input"], i["weights"].shape)}


def _multi_output_computation(case: Case) -> Computation:
    """Several inputs and outputs, for the diagnosis: a delta per output, the outer product
    with the input, the step."""
    g = Graph(case.inputs)
    input, weights, goal = g.input("input"), g.input("weights"), g.input("goal")
    alpha = g.lr("alpha", document=MULTI_OUTPUT_ALPHA)
    pred = weights.dot(input).named("pred")
    delta = slope("loss", pred - goal).named("delta")
    weight_deltas = outer(delta, slope("linear", input)).named("weight_deltas")
    new_weights = step(weights, alpha, weight_deltas).named("new_weights")
    return g.computation(delta=delta, weight_deltas=weight_deltas, new_weights=new_weights)


GROKKING_MULTI_OUTPUT = register(Exercise(
    name="grokking-multi-output",
    title="Several inputs and outputs: a delta per output, an outer product (document 000)",
    title_zh="多输入多输出：每个输出一个 delta，再做外积（文档 000）",
    document="000",
    statement=text("""
        Document 000, chapter 5 ("多输入，多输出"): weights holds one row per output,
        pred[j] = w_sum(input, weights[j]) (vec_mult_mat), error[j] = (pred[j] - goal[j])**2.
        Each output has its own delta[j] = pred[j] - goal[j], and weights[j][k] moves by
        alpha * weight_deltas[j][k].
        Write multi_output_step(input, weights, goal, alpha) returning, in this order:
          delta (one per output), weight_deltas (the shape of weights), new_weights
        The checker compares them with the engine's gradients of 0.5*sum((pred - goal)**2).
        The cases use the document's alpha = 0.01, except one (use the argument alpha);
        weights need not be square.
    """),
    statement_zh=text("""
        文档 000 第 5 章（“多输入，多输出”）：weights 的每一行对应一个输出，
        pred[j] = w_sum(input, weights[j])（即 vec_mult_mat），error[j] = (pred[j] - goal[j])**2。
        每个输出有自己的 delta[j] = pred[j] - goal[j]，weights[j][k] 的更新量是
        alpha * weight_deltas[j][k]。
        写出 multi_output_step(input, weights, goal, alpha)，按顺序返回：
          delta（每个输出一个）、weight_deltas（与 weights 形状相同）、new_weights
        检查器会把它们与引擎对 0.5*sum((pred - goal)**2) 求得的梯度比较。
        测试用例取文档的 alpha = 0.01，只有一个例外（请使用参数 alpha）；
        weights 不一定是方阵。
    """),
    entry="multi_output_step",
    starter=text('''
        import numpy as np


        def multi_output_step(input, weights, goal, alpha):
            input, weights, goal = np.asarray(input), np.asarray(weights), np.asarray(goal)
            pred = weights.dot(input)        # one row of weights per output
            error = (pred - goal) ** 2
            delta = ...          # your formulas from here on
            weight_deltas = ...
            new_weights = ...
            return delta, weight_deltas, new_weights
    '''),
    solution=text('''
        import numpy as np


        def multi_output_step(input, weights, goal, alpha):
            input, weights, goal = np.asarray(input), np.asarray(weights), np.asarray(goal)
            pred = weights.dot(input)
            error = (pred - goal) ** 2
            delta = pred - goal
            weight_deltas = np.outer(delta, input)   # weight_deltas[j][k] = delta[j] * input[k]
            new_weights = weights - alpha * weight_deltas
            return delta, weight_deltas, new_weights
    '''),
    quantities=_MULTI_QUANTITIES,
    cases=_multi_output_cases,
    expected=_multi_output_expected,
    numerical=_multi_output_numerical,
    mistakes=bilingual({
        Msg("delta * input element by element gives one number per weight ROW only: "
            "weights[j][k] needs delta[j] (its output's miss) times input[k] (its input), a "
            "matrix: np.outer(delta, input)",
            "delta * input 逐元素相乘，每一行权重只得到一个数：weights[j][k] 需要的是 "
            "delta[j]（它那个输出的偏差）乘以 input[k]（它那个输入），是一个矩阵："
            "np.outer(delta, input)"):
            _elementwise,
        Msg("one delta for all outputs: each output j has its own delta[j] = pred[j] - "
            "goal[j]; weight_deltas[j][k] = delta[j] * input[k] (np.outer(delta, input))",
            "所有输出共用了一个 delta：每个输出 j 都有自己的 delta[j] = pred[j] - goal[j]；"
            "weight_deltas[j][k] = delta[j] * input[k]（即 np.outer(delta, input)）"):
            _summed_delta,
    }),
    protocol_args={"in_place_ok": ["weights"]},
    lr=MULTI_OUTPUT_ALPHA,
    graph=_multi_output_graph,
    computation=_multi_output_computation,
))
