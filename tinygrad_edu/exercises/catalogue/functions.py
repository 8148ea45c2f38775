"""Backward rules written as ``Function`` subclasses, checked inside the engine."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from .. import register
from ..computation import Computation, Graph, exp, log, slope, tanh
from ..core import Case, Values
from ..i18n import Msg
from .common import bilingual, function_exercise


def _unary_cases() -> list[Case]:
    rng = np.random.default_rng(3)
    x = rng.normal(0, 1.5, (3, 4))
    return [
        Case("random", {"x": x, "grad": rng.normal(size=(3, 4))}, "随机"),
        Case("saturated", {"x": np.array([-25.0, -6.0, 6.0, 25.0]), "grad": np.ones(4)},
             "饱和区"),
        Case("zeros", {"x": np.zeros(5), "grad": rng.normal(size=5)}, "全为零"),
        Case("negative inputs", {"x": -np.abs(x), "grad": rng.normal(size=(3, 4))}, "负数输入"),
        Case("batch of one", {"x": x[:1], "grad": rng.normal(size=(1, 4))}, "只有一个样本"),
        # Far into saturation: tanh is exactly ±1 and its slope exactly 0. A tanh written
        # with exp(2x) overflows here (inf/inf for x > 355).
        Case("far saturated (|x| up to 1000)",
             {"x": np.array([-1000.0, -400.0, -30.0, 30.0, 400.0, 1000.0]),
              "grad": rng.normal(size=6)}, "深度饱和（|x| 可达 1000）"),
    ]


def _tanh_computation(case: Case) -> Computation:
    """Forward and backward of tanh, for the diagnosis: the slope 1 - out*out."""
    g = Graph(case.inputs)
    x, grad_output = g.input("x"), g.grad_output()
    out = tanh(x).named("out")
    grad_x = (grad_output * slope("tanh", out, inp=x, out=out)).named("grad_x")
    return g.computation(forward=out, grad_x=grad_x)


TANH = register(function_exercise(
    name="function-tanh",
    op="Tanh",
    title="tanh as a Function: forward and backward",
    title_zh="把 tanh 写成 Function：前向与反向",
    statement="""
        Write a Function subclass Tanh whose forward computes np.tanh(x) and whose backward
        turns the gradient arriving at the output (grad_output) into the gradient of x.
        Save what backward needs with ctx.save_for_backward(...) and read it back with
        ctx.saved_tensors. The checker runs Tanh.apply(x).backward(grad) in the engine.
    """,
    statement_zh="""
        写一个 Function 子类 Tanh：forward 计算 np.tanh(x)，backward 把输出处传来的梯度
        (grad_output) 变成 x 的梯度。用 ctx.save_for_backward(...) 保存 backward 需要的量，
        用 ctx.saved_tensors 取回。检查器会在引擎里运行 Tanh.apply(x).backward(grad)。
    """,
    starter='''
        import numpy as np

        from tinygrad_edu import Function


        class Tanh(Function):
            @staticmethod
            def forward(ctx, x):
                out = np.tanh(x)
                ...  # save what backward needs
                return out

            @staticmethod
            def backward(ctx, grad_output):
                ...  # return the gradient of x
    ''',
    solution='''
        import numpy as np

        from tinygrad_edu import Function


        class Tanh(Function):
            @staticmethod
            def forward(ctx, x):
                out = np.tanh(x)
                ctx.save_for_backward(out)
                return out

            @staticmethod
            def backward(ctx, grad_output):
                (out,) = ctx.saved_tensors
                return grad_output * (1 - out * out)
    ''',
    inputs=("x",),
    engine=lambda x: x.tanh(),
    cases=_unary_cases,
    computation=_tanh_computation,
))


# --------------------------------------------------------------------------- shared pieces


def _unary_computation(op: str) -> Callable[[Case], Computation]:
    """Forward and backward of exp or log, for the diagnosis: grad_output times the slope
    (exp's is its output, log's is 1/x at its input)."""
    def computation(case: Case) -> Computation:
        g = Graph(case.inputs)
        x, grad_output = g.input("x"), g.grad_output()
        out = (exp(x) if op == "exp" else log(x)).named("out")
        local = slope("exp", out, inp=x, out=out) if op == "exp" else \
            slope("log", x, inp=x, out=out)
        return g.computation(forward=out, grad_x=(grad_output * local).named("grad_x"))

    return computation


# --------------------------------------------------------------------------- exp


def _exp_cases() -> list[Case]:
    rng = np.random.default_rng(11)
    x = rng.normal(0, 1.5, (3, 4))
    return [
        Case("random", {"x": x, "grad": rng.normal(size=(3, 4))}, "随机"),
        # Large but within a few orders of magnitude of each other, so that the finite
        # differences of sum(grad * exp(x)) stay accurate for every element.
        Case("large inputs", {"x": rng.uniform(8, 14, 5), "grad": rng.normal(size=5)},
             "很大的输入"),
        # exp(-40) = 4.2e-18 is far below exp(-30) = 9.4e-14: an exp clipped at -30 fails.
        Case("very negative inputs", {"x": np.array([-40.0, -20.0, -10.0]),
                                      "grad": np.ones(3)}, "绝对值很大的负数输入"),
        Case("zeros", {"x": np.zeros(5), "grad": rng.normal(size=5)}, "全为零"),
        Case("negative inputs", {"x": -np.abs(x), "grad": rng.normal(size=(3, 4))}, "负数输入"),
        Case("batch of one", {"x": x[:1], "grad": rng.normal(size=(1, 4))}, "只有一个样本"),
        # Just below exp's overflow at 709.78 (each case on its own scale, for the finite
        # differences): exp(x/2)**2 or exp(2x)/exp(x) overflow here, exp(x) does not.
        Case("near overflow (x up to 709)", {"x": np.array([700.0, 705.0, 709.0]),
                                            "grad": np.full(3, 0.5)},
             "接近溢出（x 可达 709）"),
        Case("underflow to 0 (x down to -1000)", {"x": np.array([-1000.0, -745.0, -720.0]),
                                                 "grad": np.ones(3)},
             "下溢到 0（x 低至 -1000）"),
    ]


EXP = register(function_exercise(
    name="function-exp",
    op="Exp",
    title="exp as a Function: forward and backward",
    title_zh="把 exp 写成 Function：前向与反向",
    statement="""
        Write a Function subclass Exp whose forward computes np.exp(x) and whose backward
        turns the gradient arriving at the output (grad_output) into the gradient of x.
        exp is its own derivative, so the cheapest thing to save for backward is already
        computed in forward. The checker runs Exp.apply(x).backward(grad) in the engine.
    """,
    statement_zh="""
        写一个 Function 子类 Exp：forward 计算 np.exp(x)，backward 把输出处传来的梯度
        (grad_output) 变成 x 的梯度。exp 的导数就是它自己，所以 backward 需要的量在 forward
        里已经算好了，保存它最省事。检查器会在引擎里运行 Exp.apply(x).backward(grad)。
    """,
    starter='''
        import numpy as np

        from tinygrad_edu import Function


        class Exp(Function):
            @staticmethod
            def forward(ctx, x):
                out = np.exp(x)
                ...  # save what backward needs
                return out

            @staticmethod
            def backward(ctx, grad_output):
                ...  # return the gradient of x
    ''',
    solution='''
        import numpy as np

        from tinygrad_edu import Function


        class Exp(Function):
            @staticmethod
            def forward(ctx, x):
                out = np.exp(x)
                ctx.save_for_backward(out)
                return out

            @staticmethod
            def backward(ctx, grad_output):
                (out,) = ctx.saved_tensors
                return grad_output * out
    ''',
    inputs=("x",),
    engine=lambda x: x.exp(),
    cases=_exp_cases,
    mistakes=bilingual({
        Msg("the power rule does not apply: exp(x) is not x**n, its derivative is exp(x) "
            "itself, not x * exp(x - 1)",
            "幂函数的求导法则用不到这里：exp(x) 不是 x**n，它的导数就是 exp(x) 本身，"
            "而不是 x * exp(x - 1)"):
            lambda c: {"grad_x": c.inputs["grad"] * c.inputs["x"] * np.exp(c.inputs["x"] - 1)},
    }),
    computation=_unary_computation("exp"),
))


# --------------------------------------------------------------------------- log


def _log_cases() -> list[Case]:
    rng = np.random.default_rng(12)
    x = rng.uniform(0.2, 4.0, (3, 4))
    return [
        Case("random", {"x": x, "grad": rng.normal(size=(3, 4))}, "随机"),
        Case("near zero", {"x": np.array([1e-3, 1e-2, 0.1]), "grad": rng.normal(size=3)},
             "接近 0"),
        Case("large inputs", {"x": np.array([10.0, 1e3, 1e6]), "grad": rng.normal(size=3)},
             "很大的输入"),
        Case("ones (log 1 = 0)", {"x": np.ones(4), "grad": rng.normal(size=4)},
             "全为 1（log 1 = 0）"),
        Case("batch of one", {"x": x[:1], "grad": rng.normal(size=(1, 4))}, "只有一个样本"),
    ]


LOG = register(function_exercise(
    name="function-log",
    op="Log",
    title="log as a Function: forward and backward",
    title_zh="把 log 写成 Function：前向与反向",
    statement="""
        Write a Function subclass Log whose forward computes the natural logarithm np.log(x)
        (the checker only gives it positive inputs, some close to 0 and some very large) and
        whose backward turns grad_output into the gradient of x. Think about which value
        backward needs: the input or the output? The checker runs Log.apply(x).backward(grad)
        in the engine.
    """,
    statement_zh="""
        写一个 Function 子类 Log：forward 计算自然对数 np.log(x)（检查器只给正数输入，其中
        有的很接近 0，有的非常大），backward 把 grad_output 变成 x 的梯度。想一想 backward
        需要的是输入还是输出。检查器会在引擎里运行 Log.apply(x).backward(grad)。
    """,
    starter='''
        import numpy as np

        from tinygrad_edu import Function


        class Log(Function):
            @staticmethod
            def forward(ctx, x):
                ...  # save what backward needs
                return np.log(x)

            @staticmethod
            def backward(ctx, grad_output):
                ...  # return the gradient of x
    ''',
    solution='''
        import numpy as np

        from tinygrad_edu import Function


        class Log(Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return np.log(x)

            @staticmethod
            def backward(ctx, grad_output):
                (x,) = ctx.saved_tensors
                return grad_output / x
    ''',
    inputs=("x",),
    engine=lambda x: x.log(),
    cases=_log_cases,
    mistakes=bilingual({
        Msg("multiplied by x instead of dividing: d log(x)/dx = 1/x",
            "把除以 x 写成了乘以 x：d log(x)/dx = 1/x"):
            lambda c: {"grad_x": c.inputs["grad"] * c.inputs["x"]},
    }),
    computation=_unary_computation("log"),
))


# --------------------------------------------------------------------------- matmul

# The learner's backward is checked on what it returns (``_raw_backward``), not after the
# engine: for a non-square operand a transposed gradient has the wrong shape, which the engine
# refuses with its own RuntimeError ("MatMul.backward returned a gradient of shape ..."). Raw,
# it reaches the comparison and gets the "transposed" hint with both shapes.


def _matmul_cases() -> list[Case]:
    rng = np.random.default_rng(13)

    def case(label: str, zh: str, n: int, m: int, k: int, sign: float = 0.0) -> Case:
        a, b = rng.normal(size=(n, m)), rng.normal(size=(m, k))
        if sign:
            a, b = sign * np.abs(a), sign * np.abs(b)
        return Case(label, {"a": a, "b": b, "grad": rng.normal(size=(n, k))}, zh)

    zeros = case("zeros", "a 全为零", 2, 3, 2)
    zeros.inputs["a"] = np.zeros((2, 3))
    return [
        # Square first: a learner's rule that takes the wrong operand (a.T @ grad_output
        # for grad_a) then has the right shape, and the mistake is recognised by its values.
        case("random square", "随机方阵", 3, 3, 3),
        case("random rectangular", "随机长方形矩阵", 3, 4, 2),
        case("batch of one", "只有一个样本", 1, 4, 2),
        case("column times row (outer product)", "列乘以行（外积）", 3, 1, 4),
        zeros,
        case("negative inputs", "负数输入", 2, 3, 4, sign=-1.0),
    ]


def _matmul_swapped(case: Case) -> Values:
    """Each operand's rule built from its own value: grad_a = a.T @ g, grad_b = g @ b.T."""
    a, b, g = case.inputs["a"], case.inputs["b"], case.inputs["grad"]
    out: Values = {}
    if a.shape[0] == a.shape[1] == g.shape[0]:
        out["grad_a"] = a.T @ g if g.shape[1] == a.shape[1] else g @ a.T
    if b.shape[0] == b.shape[1] == g.shape[1]:
        out["grad_b"] = g @ b.T
    return out


def _matmul_computation(case: Case) -> Computation:
    """Forward and backward of a @ b, for the diagnosis: each gradient is grad_output times
    the OTHER operand, transposed; grad_b's product sums over the N rows of a."""
    g = Graph(case.inputs)
    a, b, grad_output = g.input("a"), g.input("b"), g.grad_output()
    grad_b = (a.T @ grad_output).named("grad_b")
    grad_b.attrs["batch"] = True
    return g.computation(forward=(a @ b).named("out"), grad_a=(grad_output @ b.T).named(
        "grad_a"), grad_b=grad_b)


MATMUL = register(dataclasses.replace(function_exercise(
    name="function-matmul",
    op="MatMul",
    title="The matrix product as a Function: the gradients of both operands",
    title_zh="把矩阵乘法写成 Function：两个操作数的梯度",
    statement="""
        Write a Function subclass MatMul for 2-D operands: forward(ctx, a, b) returns a @ b
        for a of shape (N, M) and b of shape (M, K); backward(ctx, grad_output) receives the
        (N, K) gradient of the output and returns the tuple (grad_a, grad_b), each of the
        shape of its operand: (N, M) and (M, K). Let the shapes guide you: there is only one
        way to multiply grad_output with the other operand (or its transpose) that gives the
        right shape. The checker calls your backward directly and compares what it returns.
    """,
    statement_zh="""
        为二维矩阵写一个 Function 子类 MatMul：forward(ctx, a, b) 对形状为 (N, M) 的 a 和
        (M, K) 的 b 返回 a @ b；backward(ctx, grad_output) 接收输出的 (N, K) 梯度，返回元组
        (grad_a, grad_b)，形状分别与 a、b 相同：(N, M) 和 (M, K)。可以让形状来引导你：
        grad_output 与另一个操作数（或其转置）相乘，只有一种写法能得到正确的形状。
        检查器会直接调用你的 backward，比较它返回的值。
    """,
    starter='''
        import numpy as np

        from tinygrad_edu import Function


        class MatMul(Function):
            @staticmethod
            def forward(ctx, a, b):
                ...  # save what backward needs
                return a @ b

            @staticmethod
            def backward(ctx, grad_output):
                ...  # return (grad_a, grad_b)
    ''',
    solution='''
        import numpy as np

        from tinygrad_edu import Function


        class MatMul(Function):
            @staticmethod
            def forward(ctx, a, b):
                ctx.save_for_backward(a, b)
                return a @ b

            @staticmethod
            def backward(ctx, grad_output):
                a, b = ctx.saved_tensors
                grad_a = grad_output @ b.T
                grad_b = a.T @ grad_output
                return grad_a, grad_b
    ''',
    inputs=("a", "b"),
    engine=lambda a, b: a @ b,
    cases=_matmul_cases,
    mistakes=bilingual({
        Msg("each gradient needs the OTHER operand: in a product, the gradient with respect "
            "to one factor is made of the other factor (grad_a from b, grad_b from a)",
            "每个梯度都要用到另一个操作数：乘积对其中一个因子的梯度，是由另一个因子构成的"
            "（grad_a 用 b，grad_b 用 a）"):
            _matmul_swapped,
    }),
    computation=_matmul_computation,
), protocol="raw-backward", protocol_args={"inputs": ["a", "b"]}))


# --------------------------------------------------------------------------- softmax


def _softmax_cases() -> list[Case]:
    rng = np.random.default_rng(14)
    x = rng.normal(0, 2, (3, 4))
    return [
        Case("random", {"x": x, "grad": rng.normal(size=(3, 4))}, "随机"),
        Case("large logits (needs the max subtracted)",
             {"x": np.array([[1000.0, 0.0, -1000.0], [500.0, 500.0, 499.0]]),
              "grad": rng.normal(size=(2, 3))}, "很大的 logits（要先减去最大值）"),
        Case("zeros (uniform output)", {"x": np.zeros((2, 5)), "grad": rng.normal(size=(2, 5))},
             "全为零（输出均匀）"),
        Case("negative inputs", {"x": -np.abs(x), "grad": rng.normal(size=(3, 4))}, "负数输入"),
        Case("batch of one", {"x": x[:1], "grad": rng.normal(size=(1, 4))}, "只有一个样本"),
        Case("a single vector", {"x": x[1], "grad": rng.normal(size=4)}, "单个向量"),
        # Gaps of 35 and 60 below the maximum: exp(-35) = 6.3e-16 must not become
        # exp(-30) = 9.4e-14 (an exp clipped at -30).
        Case("large gaps between logits",
             {"x": np.array([[40.0, 5.0, -20.0], [0.0, -35.0, -60.0]]),
              "grad": rng.normal(size=(2, 3))}, "logits 之间相差很大"),
    ]


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _softmax_elementwise(case: Case) -> Values:
    out, g = _softmax(case.inputs["x"]), case.inputs["grad"]
    return {"grad_x": g * out * (1 - out)}


def _softmax_computation(case: Case) -> Computation:
    """Forward (the row's maximum subtracted) and backward of softmax along the last axis,
    for the diagnosis: out * (grad_output - row), row the sum of grad_output * out."""
    g = Graph(case.inputs)
    x, grad_output = g.input("x"), g.grad_output()
    e = exp(x - x.max(axis=-1, keepdims=True)).named("e")
    out = (e / e.sum(axis=-1, keepdims=True)).named("out")
    row = (grad_output * out).sum(axis=-1, keepdims=True).named("row")
    return g.computation(forward=out, grad_x=(out * (grad_output - row)).named("grad_x"))


SOFTMAX = register(function_exercise(
    name="function-softmax",
    op="Softmax",
    title="softmax along the last axis as a Function",
    title_zh="把沿最后一个轴的 softmax 写成 Function",
    statement="""
        Write a Function subclass Softmax that normalises along the LAST axis:
        out[..., j] = exp(x[..., j]) / sum_k exp(x[..., k]). Forward must not overflow: the
        checker gives it logits as large as 1000 (subtract each row's maximum first; the
        result does not change). Backward: every output of a row depends on every input of
        that row, so the gradient of x[..., j] collects grad_output from the whole row, not
        just from out[..., j]. Return that vector-Jacobian product (an array of x's shape),
        not the Jacobian itself. The checker runs Softmax.apply(x).backward(grad) in the
        engine.
    """,
    statement_zh="""
        写一个 Function 子类 Softmax，沿最后一个轴归一化：
        out[..., j] = exp(x[..., j]) / sum_k exp(x[..., k])。forward 不能溢出：检查器会给出
        大到 1000 的 logits（先减去每一行的最大值，结果不变）。backward：一行中的每个输出
        都依赖这一行的所有输入，所以 x[..., j] 的梯度要汇集整行的 grad_output，而不只是来自
        out[..., j] 的那一份。返回向量-雅可比积（与 x 形状相同的数组），而不是雅可比矩阵本身。
        检查器会在引擎里运行 Softmax.apply(x).backward(grad)。
    """,
    starter='''
        import numpy as np

        from tinygrad_edu import Function


        class Softmax(Function):
            @staticmethod
            def forward(ctx, x):
                e = np.exp(x)  # overflows for large x: make it safe
                out = e / e.sum(axis=-1, keepdims=True)
                ...  # save what backward needs
                return out

            @staticmethod
            def backward(ctx, grad_output):
                ...  # return the gradient of x (same shape as x)
    ''',
    solution='''
        import numpy as np

        from tinygrad_edu import Function


        class Softmax(Function):
            @staticmethod
            def forward(ctx, x):
                e = np.exp(x - x.max(axis=-1, keepdims=True))
                out = e / e.sum(axis=-1, keepdims=True)
                ctx.save_for_backward(out)
                return out

            @staticmethod
            def backward(ctx, grad_output):
                (out,) = ctx.saved_tensors
                row = (grad_output * out).sum(axis=-1, keepdims=True)
                return out * (grad_output - row)
    ''',
    inputs=("x",),
    engine=lambda x: x.softmax(axis=-1),
    cases=_softmax_cases,
    mistakes=bilingual({
        Msg("softmax treated as elementwise: out*(1-out) is only the diagonal of its "
            "Jacobian; each output also depends on the other inputs of its row, so x[..., j] "
            "also receives grad_output[..., k] from every other output k of its row (a sum "
            "over the row)",
            "把 softmax 当成了逐元素的函数：out*(1-out) 只是它雅可比矩阵的对角线；每个输出"
            "还依赖同一行的其他输入，所以 x[..., j] 还会从这一行其他每个输出 k 收到 "
            "grad_output[..., k]（要对整行求和）"):
            _softmax_elementwise,
    }),
    computation=_softmax_computation,
))


# --------------------------------------------------------------------------- broadcast add

# Why the raw backward (``_raw_backward``) and not the engine: the engine accepts a gradient
# of the broadcast shape (N, M) for b and sums it down to (M,) itself (``autograd._sum_to``,
# as documented on ``Function``), so a learner returning grad_output unreduced would pass.
# The reduction is the whole point of this exercise, so the checker compares what the
# learner's backward returns; the statement says so, and says that the engine would have
# forgiven it. An unreduced (N, M) grad_b then gets the generic "not reduced" hint.


def _broadcast_cases() -> list[Case]:
    rng = np.random.default_rng(15)

    def case(label: str, zh: str, n: int, m: int) -> Case:
        return Case(label, {"a": rng.normal(size=(n, m)), "b": rng.normal(size=m),
                            "grad": rng.normal(size=(n, m))}, zh)

    zeros = case("zeros", "全为零", 3, 2)
    zeros.inputs.update(a=np.zeros((3, 2)), b=np.zeros(2))
    negative = case("negative inputs", "负数输入", 5, 3)
    negative.inputs.update(a=-np.abs(negative.inputs["a"]), b=-np.abs(negative.inputs["b"]))
    return [
        case("random", "随机", 4, 3),
        # N == M: summing over the wrong axis gives the right shape, so only the values tell.
        case("square", "方阵", 3, 3),
        case("batch of one", "只有一个样本", 1, 3),
        zeros,
        negative,
        case("large batch", "大批次", 64, 2),
    ]


def _grad_b(reduce: Callable[[np.ndarray], np.ndarray]) -> Callable[[Case], Values]:
    return lambda case: {"grad_b": reduce(case.inputs["grad"])}


def _broadcast_add_computation(case: Case) -> Computation:
    """Forward and backward of a + b with b broadcast over the rows, for the diagnosis:
    grad_b sums grad_output over the batch."""
    g = Graph(case.inputs)
    a, b, grad_output = g.input("a"), g.input("b"), g.grad_output()
    grad_b = grad_output.sum(axis=0, batch=True).named("grad_b")
    return g.computation(forward=(a + b).named("out"), grad_a=grad_output, grad_b=grad_b)


BROADCAST_ADD = register(dataclasses.replace(function_exercise(
    name="function-broadcast-add",
    op="BroadcastAdd",
    title="Adding a bias to a batch: the gradient of a broadcast operand",
    title_zh="给一批数据加上偏置：被广播的操作数的梯度",
    statement="""
        Write a Function subclass BroadcastAdd: forward(ctx, a, b) returns a + b for a batch
        a of shape (N, M) and a bias b of shape (M,), which NumPy broadcasts: the same b is
        added to every row of a. backward(ctx, grad_output) receives the (N, M) gradient of
        the output and returns (grad_a, grad_b), each of the shape of its operand.
        b was used N times, once per row, so its gradient collects the contributions of the
        whole batch. The engine would forgive a grad_b of shape (N, M) (it sums the
        broadcast axes away for you), but here the checker calls your backward directly and
        compares what it returns: grad_b must have b's shape (M,).
    """,
    statement_zh="""
        写一个 Function 子类 BroadcastAdd：forward(ctx, a, b) 对形状为 (N, M) 的一批数据 a
        和形状为 (M,) 的偏置 b 返回 a + b，NumPy 会对它做广播：同一个 b 被加到 a 的每一行上。
        backward(ctx, grad_output) 接收输出的 (N, M) 梯度，返回 (grad_a, grad_b)，形状分别
        与 a、b 相同。b 被用了 N 次（每行一次），所以它的梯度要汇集整批数据的贡献。
        引擎本身会原谅形状为 (N, M) 的 grad_b（它会替你把广播出来的轴求和掉），但这里检查器
        直接调用你的 backward 并比较它的返回值：grad_b 的形状必须和 b 一样，是 (M,)。
    """,
    starter='''
        import numpy as np

        from tinygrad_edu import Function


        class BroadcastAdd(Function):
            @staticmethod
            def forward(ctx, a, b):
                return a + b  # b, of shape (M,), is added to every row of a

            @staticmethod
            def backward(ctx, grad_output):
                ...  # return (grad_a, grad_b), of the shapes of a and b
    ''',
    solution='''
        import numpy as np

        from tinygrad_edu import Function


        class BroadcastAdd(Function):
            @staticmethod
            def forward(ctx, a, b):
                return a + b

            @staticmethod
            def backward(ctx, grad_output):
                grad_a = grad_output
                grad_b = grad_output.sum(axis=0)  # b was added to every row: sum the rows
                return grad_a, grad_b
    ''',
    inputs=("a", "b"),
    engine=lambda a, b: a + b,
    cases=_broadcast_cases,
    mistakes=bilingual({
        Msg("A mean belongs in the loss, and is then already inside grad_output.",
            "取平均应当放在损失函数里，那样它已经包含在 grad_output 之中了。"):
            _grad_b(lambda g: g.mean(axis=0)),
    }),
    computation=_broadcast_add_computation,
), protocol="raw-backward", protocol_args={"inputs": ["a", "b"]}))
