"""Grokking Deep Learning, chapter 5 (document 000): learning several weights at once.

Three set-ups, each trained here with the engine (``loss.backward()`` gives every weight's
delta at once) and printed next to the document's lines:

1. several inputs, one output: ``pred = w_sum(input, weights)``. The document computes
   ``weight_deltas = ele_mult_vector(delta, weights)``: a MISTAKE (the slope of the error with
   respect to ``weights[i]`` is ``delta * input[i]``). Its printed numbers are those of the
   mistaken rule; the engine's gradient shows the right one, and both runs are compared.
2. one input, several outputs: three independent one-weight networks.
3. several inputs, several outputs: a 3x3 matrix; each weight's delta is
   ``delta[output] * input[input]``, the outer product of the deltas and the input.

As in chapter 4, the deltas are the slope of HALF the squared error, ``0.5*(pred - goal)**2``.

    python examples/grokking_multi.py
"""

from __future__ import annotations

import argparse
import sys

import _common
import numpy as np

from tinygrad_edu import Tensor


def half_squared_error(pred: Tensor, goal: object) -> Tensor:
    return 0.5 * ((pred - goal) ** 2).sum()


# --------------------------------------------------------------------------------------
# 1. several inputs, one output
# --------------------------------------------------------------------------------------

MULTI_IN_PRINTED = [  # 000: (Weights after the step, Weights Deltas, Error) of steps 0 and 1
    ([0.09988000000000001, 0.19976000000000002, -0.09988000000000001],
     [0.006000000000000005, 0.01200000000000001, -0.006000000000000005],
     0.0036000000000000064),
    ([0.09976268494720002, 0.19952536989440003, -0.09976268494720002],
     [0.005865752640000012, 0.011731505280000025, -0.005865752640000012],
     0.003448977984000013),
]


def document_rule(input: list[float], weights: list[float], goal: float, alpha: float,
                  steps: int) -> list[tuple[list[float], list[float], float]]:
    """000's loop as written, in tensors: weight_deltas = delta * WEIGHTS (the mistake)."""
    w = Tensor(weights, name="weights")
    x = Tensor(input, name="input")
    out = []
    for _ in range(steps):
        pred = x.dot(w)
        error = ((pred - goal) ** 2).item()
        if error < 1e-5:
            break
        delta = pred - goal
        weight_deltas = delta * w  # ele_mult_vector(delta, weights)
        w = w - alpha * weight_deltas
        out.append((w.numpy().tolist(), weight_deltas.numpy().tolist(), error))
    return out


def engine_rule(input: list[float], weights: list[float], goal: float, alpha: float,
                steps: int) -> list[tuple[list[float], list[float], float]]:
    """The same loop, the deltas taken from ``weights.grad`` (= delta * input)."""
    w = Tensor(weights, requires_grad=True, name="weights")
    x = Tensor(input, name="input")
    out = []
    for _ in range(steps):
        pred = x.dot(w)
        loss = half_squared_error(pred, goal)
        error = 2 * loss.item()
        if error < 1e-5:
            break
        loss.backward()
        weight_deltas = w.grad.numpy().tolist()
        w.data -= alpha * w.grad.data
        w.grad = None
        out.append((w.numpy().tolist(), weight_deltas, error))
    return out


def several_inputs(check: _common.Checker) -> None:
    _common.section("several inputs, one output: weights=[0.1, 0.2, -0.1], "
                    "input=[8.5, 1.65, 1.2], goal=1, alpha=0.02")
    input, weights, goal, alpha = [8.5, 1.65, 1.2], [0.1, 0.2, -0.1], 1.0, 0.02

    doc = document_rule(input, weights, goal, alpha, steps=200)
    for step, (printed, ours) in enumerate(zip(MULTI_IN_PRINTED, doc, strict=False)):
        check.compare(f"step {step} Error (the document's rule)", printed[2], ours[2])
        check.compare(f"step {step} Weights Deltas (the document's rule)", printed[1], ours[1])
        check.compare(f"step {step} Weights (the document's rule)", printed[0], ours[0])
    print("       so 000's printed numbers come from weight_deltas = ele_mult_vector(delta, "
          "weights)")

    eng = engine_rule(input, weights, goal, alpha, steps=200)
    check.compare("step 0 Error (engine)", MULTI_IN_PRINTED[0][2], eng[0][2])
    delta = float(np.dot(input, weights)) - goal
    check.note("step 0 Weights Deltas: document vs weights.grad", MULTI_IN_PRINTED[0][1],
               eng[0][1], "MISTAKE in 000: delta*weights; the slope is delta*input")
    check.compare("weights.grad vs the corrected delta * input", [delta * x for x in input],
                  eng[0][1])

    def error_of(w: list[float]) -> float:
        return (float(np.dot(input, w)) - goal) ** 2

    print(f"       after 1 step the error is {error_of(doc[0][0]):.3g} with the document's rule, "
          f"{error_of(eng[0][0]):.3g} with the gradient")
    check.require(f"the gradient reaches error < 1e-5 in {len(eng)} steps, the document's rule "
                  f"needs {len(doc)}{'+' if len(doc) == 200 else ''}", len(eng) < len(doc))
    print("       (the document's rule only rescales the weights, w <- w*(1 - alpha*delta): it")
    print("       approaches the goal here because pred > 0, and walks away from it when "
          "pred < 0 < goal)")


# --------------------------------------------------------------------------------------
# 2. one input, several outputs
# --------------------------------------------------------------------------------------

MULTI_OUT_PRINTED = [  # 000: (Error, Weights after the step, Prediction) of steps 0..4
    ([0.009025, 0.7569, 0.2352250000000001],
     [0.293825, 0.25655, 0.868475],
     [0.195, 0.13, 0.5850000000000001]),
    ([0.008278497689062499, 0.69429306380625, 0.21576837882656252],
     [0.28791089375, 0.3107107625, 0.83828193125],
     [0.19098625, 0.1667575, 0.56450875]),
    ([0.007593742270117802, 0.6368646564268324, 0.19792111085744712],
     [0.2822466584890625, 0.362583232784375, 0.8093645196546875],
     [0.1871420809375, 0.20196199562500003, 0.5448832553125]),
    ([0.0069656263528539005, 0.5841864361745281, 0.18155007854294272],
     [0.2768217371678996, 0.4122640911992351, 0.781668868699277],
     [0.18346032801789064, 0.23567910130984374, 0.5260869377755468]),
    ([0.006389465004429233, 0.5358654916180042, 0.16653317514314317],
     [0.2716260187725558, 0.45984593334606744, 0.7551433589967326],
     [0.17993412915913473, 0.26797165927950284, 0.50808476465453]),
]


def several_outputs(check: _common.Checker) -> None:
    _common.section("one input, several outputs: input=0.65, goal_pred=[0.1, 1, 0.1], "
                    "weights=[0.3, 0.2, 0.9], alpha=0.1")
    input, goal_pred, alpha = 0.65, [0.1, 1, 0.1], 0.1
    weights = Tensor([0.3, 0.2, 0.9], requires_grad=True, name="weights")
    for step, (errors, new_weights, preds) in enumerate(MULTI_OUT_PRINTED):
        pred = input * weights
        error = (pred - goal_pred) ** 2
        half_squared_error(pred, goal_pred).backward()
        weights.data -= alpha * weights.grad.data  # weights_delta = delta * input, per output
        weights.grad = None
        check.compare(f"step {step} Error", errors, error)
        check.compare(f"step {step} Weights", new_weights, weights)
        check.compare(f"step {step} Prediction", preds, pred)
    for _ in range(100):  # the document's 105 iterations in all
        pred = input * weights
        half_squared_error(pred, goal_pred).backward()
        weights.data -= alpha * weights.grad.data
        weights.grad = None
    print(f"       after 105 steps: prediction {np.round((input * weights).numpy(), 4).tolist()}"
          f", goal {goal_pred}")


# --------------------------------------------------------------------------------------
# 3. several inputs, several outputs
# --------------------------------------------------------------------------------------

MIMO_PRINTED = [  # 000: (Weights at the start of the step, Error, Prediction), steps 0..2
    ([[0.1, 0.1, -0.3], [0.1, 0.2, 0], [0, 1.3, 0.1]],
     [0.20702500000000007, 0.0003999999999999963, 0.7482250000000001],
     [0.555, 0.9800000000000001, 0.9650000000000001]),
    ([[0.061325, 0.0970425, -0.30546],
      [0.1017, 0.20013, 0.00023999999999999887],
      [-0.07352500000000001, 1.2943775, 0.08962]],
     [0.013874042391015624, 2.680650625000059e-05, 0.05014324534726555],
     [0.217788125, 0.9948224999999999, 0.32392687499999984]),
    ([[0.051313009374999996, 0.0962768771875, -0.3068734575],
      [0.1021400875, 0.20016365375, 0.0003021299999999995],
      [-0.092558784375, 1.2929219753124999, 0.0869328775]],
     [0.0009297865101688144, 1.7964719433280777e-06, 0.0033604130494918946],
     [0.13049240085937502, 0.9986596746875, 0.15796906976562497]),
]
# 000, step 3: the first two rows of the weights (the third is cut off in the document).
MIMO_STEP3_ROWS = [[0.04872115530195312, 0.09607867658191406, -0.3072393663103125],
                   [0.1022540151515625, 0.20017236586453124, 0.00031821390374999885]]


def several_inputs_and_outputs(check: _common.Checker) -> None:
    _common.section("several inputs, several outputs: input=[8.5, 0.65, 1.2], "
                    "goal=[0.1, 1, 0.1], alpha=0.01")
    input = Tensor([8.5, 0.65, 1.2], name="input")
    goal = [0.1, 1, 0.1]
    alpha = 0.01
    # one ROW of weights per output, as the document writes them: pred = weights . input
    weights = Tensor(MIMO_PRINTED[0][0], requires_grad=True, name="weights")
    step = 0
    for step in range(100):
        if step < len(MIMO_PRINTED):
            check.compare(f"step {step} Weights", MIMO_PRINTED[step][0], weights)
        elif step == len(MIMO_PRINTED):
            check.compare(f"step {step} Weights, rows 0-1", MIMO_STEP3_ROWS, weights[:2])
        pred = weights.dot(input)
        error = (pred - goal) ** 2
        half_squared_error(pred, goal).backward()
        if step < len(MIMO_PRINTED):
            check.compare(f"step {step} Error", MIMO_PRINTED[step][1], error)
            check.compare(f"step {step} Prediction", MIMO_PRINTED[step][2], pred)
        if step == 0:
            # 000: weights[j][k] -= alpha * delta[j] * input[k], the outer product
            delta = pred.numpy() - np.asarray(goal)
            check.compare("weights.grad vs 000's weights_delta = delta[j]*input[k]",
                          np.outer(delta, input.numpy()), weights.grad)
        weights.data -= alpha * weights.grad.data
        weights.grad = None
        if np.all(error.numpy() <= 1e-6):  # the document's stopping rule
            break
    print(f"       every error <= 1e-6 after {step + 1} steps: prediction "
          f"{np.round(weights.dot(input).numpy(), 5).tolist()}")
    print("       (000's MNIST section trains this same layer with 784 inputs and 10 outputs "
          "and draws each")
    print("       output's weights as an image: see examples/digits.py)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="accepted; everything is quick")
    parser.parse_args(argv)
    check = _common.Checker()
    several_inputs(check)
    several_outputs(check)
    several_inputs_and_outputs(check)
    return check.finish()


if __name__ == "__main__":
    sys.exit(main())
