"""Backward rules written as ``Function`` subclasses, checked inside the engine."""

from __future__ import annotations

import numpy as np

from .. import register
from ..core import Case, Values
from .common import function_exercise


def _unary_cases() -> list[Case]:
    rng = np.random.default_rng(3)
    x = rng.normal(0, 1.5, (3, 4))
    return [
        Case("random", {"x": x, "grad": rng.normal(size=(3, 4))}),
        Case("saturated", {"x": np.array([-25.0, -6.0, 6.0, 25.0]), "grad": np.ones(4)}),
        Case("zeros", {"x": np.zeros(5), "grad": rng.normal(size=5)}),
        Case("negative inputs", {"x": -np.abs(x), "grad": rng.normal(size=(3, 4))}),
        Case("batch of one", {"x": x[:1], "grad": rng.normal(size=(1, 4))}),
    ]


def _tanh_from_input(case: Case) -> Values:
    x, g = case.inputs["x"], case.inputs["grad"]
    return {"grad_x": g * (1 - x * x)}


TANH = register(function_exercise(
    name="function-tanh",
    op="Tanh",
    title="tanh as a Function: forward and backward",
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
    mistakes={
        "derivative of the wrong variable: 1 - x**2 uses the input; tanh's slope is "
        "1 - out**2, with out = tanh(x)": _tanh_from_input,
    },
))
