"""Pieces the catalogue's exercises share: data, the sigmoid, and the Function exercise kind."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from textwrap import dedent
from typing import cast

import numpy as np

from ...gradcheck import numerical_grad
from ...tensor import Tensor
from ..computation import Computation
from ..core import AnswerError, Case, Exercise, Values
from ..i18n import Msg

XOR_X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=np.float64)
XOR_Y = np.array([[0], [1], [1], [0]], dtype=np.float64)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def text(s: str) -> str:
    """A statement or a starter file written indented in the source."""
    return dedent(s).strip() + "\n"


def bilingual(entries: Mapping[Msg, Callable[[Case], Values]]
              ) -> dict[str, Callable[[Case], Values]]:
    """An exercise's own words for its mistakes, in both languages (``Msg`` keys; the cast
    only tells the type checker, while ``Exercise.mistakes`` is typed with ``str``)."""
    return cast(dict[str, Callable[[Case], Values]], dict(entries))


def grads_of(loss: Tensor, tensors: Mapping[str, Tensor]) -> Values:
    """``loss.backward()`` and each named tensor's gradient."""
    loss.backward()
    out = {}
    for name, t in tensors.items():
        assert t.grad is not None, name
        out[name] = t.grad.data
    return out


def function_exercise(
    *,
    name: str,
    op: str,
    title: str,
    title_zh: str = "",
    statement: str,
    statement_zh: str,
    starter: str,
    solution: str,
    inputs: tuple[str, ...],
    engine: Callable[..., Tensor],
    cases: Callable[[], list[Case]],
    mistakes: Mapping[str, Callable[[Case], Values]] | None = None,
    computation: Callable[[Case], Computation] | None = None,
) -> Exercise:
    """An exercise whose answer is a ``Function`` subclass ``op``: its forward and backward.

    Each case holds the inputs and a gradient ``grad`` arriving at the output; the learner's
    op runs inside the engine (``op.apply``, then ``backward(grad)``) and the results are the
    forward value and the gradient reaching each input (``grad_<input>``).
    """
    quantities = ("forward", *(f"grad_{n}" for n in inputs))

    def apply(fn: Callable[..., Tensor], case: Case) -> Values:
        xs = [Tensor(case.inputs[n], requires_grad=True) for n in inputs]
        out = fn(*xs)
        out.backward(case.inputs["grad"])
        values = {"forward": out.data}
        for n, x in zip(inputs, xs, strict=True):
            if x.grad is None:
                raise AnswerError(f"{op}.backward returned no gradient (None) for {n}: return "
                                  "grad_output times the derivative, one per input")
            values[f"grad_{n}"] = x.grad.data
        return values

    def expected(case: Case) -> Values:
        return apply(engine, case)

    def numerical(case: Case) -> Values:
        xs = [Tensor(case.inputs[n]) for n in inputs]
        g = case.inputs["grad"]
        grads = numerical_grad(lambda *t: (engine(*t) * g).sum(), *xs)
        return {f"grad_{n}": d for n, d in zip(inputs, grads, strict=True)}

    return Exercise(
        name=name, title=title, title_zh=title_zh, document="engine", statement=text(statement),
        statement_zh=text(statement_zh), entry=op, starter=text(starter),
        solution=text(solution), quantities=quantities, cases=cases, expected=expected,
        numerical=numerical, mistakes=dict(mistakes or {}), protocol="function",
        protocol_args={"inputs": list(inputs)}, computation=computation,
    )
