"""Grokking Deep Learning, chapter 4 (document 000): hot/cold learning, then gradient descent.

One weight, one input, one goal. The document first learns by "hot and cold": nudge the weight
up and down, keep whichever nudge lowers ``error = (pred - goal_pred)**2``. Then it learns by
gradient descent, ``weight -= input * (pred - goal_pred)``, shows it blowing up when the input
is ``1.1*6``, and cures that with ``alpha``. Here the predictions are engine tensors, and every
gradient-descent step takes its slope from ``backward()``, printed next to the document's lines.

``weight_delta = input * (pred - goal_pred)`` is the slope of HALF the document's error,
``0.5 * (pred - goal_pred)**2`` (the 2 of the square's derivative is absorbed into alpha), so
the engine differentiates that.

    python examples/grokking_learning.py
"""

from __future__ import annotations

import argparse
import sys

import _common
import numpy as np

from tinygrad_edu import Tensor, no_grad


def neural_network(input: float, weight: Tensor | float) -> Tensor:
    """000: ``prediction = input * weight``."""
    return Tensor(input) * weight


# --------------------------------------------------------------------------------------
# Hot and cold learning (no gradients: three forward passes per step)
# --------------------------------------------------------------------------------------

# 000, "冷热学习": the first ten printed lines and ten near the end (line 11 and 667 are cut).
HOT_COLD_PRINTED = {
    1: "Erorr:0.302500 (dn:0.303050, up:0.301950); Prediction:0.25000000; NextWeight:0.50100000;",
    2: "Erorr:0.301950 (dn:0.302500, up:0.301401); Prediction:0.25050000; NextWeight:0.50200000;",
    3: "Erorr:0.301401 (dn:0.301950, up:0.300852); Prediction:0.25100000; NextWeight:0.50300000;",
    10: "Erorr:0.297570 (dn:0.298116, up:0.297025); Prediction:0.25450000; NextWeight:0.51000000;",
    657: "Erorr:0.049284 (dn:0.049506, up:0.049062); Prediction:0.57800000; "
         "NextWeight:1.15700000;",
    666: "Erorr:0.047306 (dn:0.047524, up:0.047089); Prediction:0.58250000; "
         "NextWeight:1.16600000;",
}


@no_grad()
def hot_cold(check: _common.Checker) -> None:
    _common.section("hot and cold learning: try weight +- step, keep the better one")
    # 000, the single try: weight=0.1, lr=0.01, input=8.5 toes, true=1 (a win)
    weight, lr, input, true = 0.1, 0.01, 8.5, 1
    error = ((neural_network(input, weight) - true) ** 2).item()
    error_up = ((neural_network(input, weight + lr) - true) ** 2).item()
    error_dn = ((neural_network(input, weight - lr) - true) ** 2).item()
    check.compare("error at weight 0.1", 0.022499999999999975, error)
    check.compare("error_up (weight + 0.01)", 0.004224999999999993, error_up)
    check.compare("error_dn (weight - 0.01)", 0.05522499999999994, error_dn)
    if error > error_up or error > error_dn:
        weight = weight - lr if error_up > error_dn else weight + lr
    check.compare("the weight after one try", 0.11, weight)

    # 000, the loop: weight=0.5, step_amout=0.001, input=0.5, goal_pred=0.8
    weight, step, input, goal_pred = 0.5, 0.001, 0.5, 0.8
    i = 0
    while True:
        i += 1
        if i > 2000:
            break
        error = ((neural_network(input, weight) - goal_pred) ** 2).item()
        pred = neural_network(input, weight).item()
        error_up = ((neural_network(input, weight + step) - goal_pred) ** 2).item()
        error_dn = ((neural_network(input, weight - step) - goal_pred) ** 2).item()
        if error > error_up or error > error_dn:
            weight = weight - step if error_up > error_dn else weight + step
        else:
            break  # neither nudge helps: the document prints the weight and stops
        line = ("Erorr:%f (dn:%f, up:%f); Prediction:%0.8f; NextWeight:%0.8f;"  # noqa: UP031
                % (error, error_dn, error_up, pred, weight))
        if i in HOT_COLD_PRINTED:
            check.compare_text(f"hot/cold step {i:4d}", HOT_COLD_PRINTED[i], line)
    print(f"       stopped at step {i}: neither weight + step nor weight - step lowers the error")
    pred = neural_network(input, weight).item()
    check.compare("the final weight (000 prints 1.5999999999999344)", 1.5999999999999344,
                  weight, rtol=0)
    check.compare("pred at the final weight", 0.7999999999999672, pred, rtol=0)
    check.compare("error at the final weight", 1.0799505792475652e-27,
                  (pred - goal_pred) ** 2, rtol=1e-9)
    print("       1100 steps of 0.001 and three forward passes each: hot/cold is slow, and")
    print("       it cannot take a step smaller than step_amout.")


# --------------------------------------------------------------------------------------
# Gradient descent: the slope comes from backward()
# --------------------------------------------------------------------------------------


def gradient_descent(input: float, goal_pred: float, alpha: float, steps: int,
                     weight: float = 0.0, stop_below: float = 0.0
                     ) -> tuple[list[float], list[float], list[float], list[float]]:
    """000's loop with ``weight_delta`` taken from ``weight.grad``.

    Returns the weights (the first one included), errors, predictions and weight deltas.
    """
    w = Tensor(weight, requires_grad=True, name="weight")
    weights, errors, preds, deltas = [float(w.data)], [], [], []
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            pred = input * w
            half_error = 0.5 * (pred - goal_pred) ** 2
            error = 2 * half_error.item()  # the document prints (pred - goal_pred)**2
            if error < stop_below or not np.isfinite(error):
                errors.append(error)
                break
            half_error.backward()
            weight_delta = float(w.grad.data)  # = input * (pred - goal_pred)
            w.data -= alpha * w.grad.data
            w.grad = None
            errors.append(error)
            preds.append(pred.item())
            deltas.append(weight_delta)
            weights.append(float(w.data))
    return weights, errors, preds, deltas


def learn_from_error(check: _common.Checker) -> None:
    _common.section("gradient descent: weight -= input * (pred - goal_pred), slope by backward()")
    # 000, "基于误差调节权重": weight=0.5, goal_pred=0.8, input=0.5; stops when error < 1e-20
    w = Tensor(0.5, requires_grad=True)
    half_error = 0.5 * (0.5 * w - 0.8) ** 2
    half_error.backward()
    check.compare("direction_and_amout = (pred - goal_pred) * input at weight 0.5",
                  (0.25 - 0.8) * 0.5, w.grad)
    w.grad = None
    error = (0.5 * w - 0.8) ** 2
    error.backward()
    print(f"       (the slope of the document's own error (pred-goal)**2 is twice that: "
          f"{float(w.grad.data)!r})")

    weights, errors, preds, _ = gradient_descent(0.5, 0.8, alpha=1.0, steps=200,
                                                 weight=0.5, stop_below=1e-20)
    printed = {  # 000's "%d Error:%0.8f; Prediction: %0.8f; NextWeight:%0.8f" lines
        1: "Error:0.30250000; Prediction: 0.25000000; NextWeight:0.77500000",
        2: "Error:0.17015625; Prediction: 0.38750000; NextWeight:0.98125000",
        3: "Error:0.09571289; Prediction: 0.49062500; NextWeight:1.13593750",
        8: "Error:0.00538993; Prediction: 0.72658386; NextWeight:1.48987579",
        15: "Error:0.00009604; Prediction: 0.79020013; NextWeight:1.58530019",
    }
    for i, doc_line in printed.items():
        line = "Error:%0.8f; Prediction: %0.8f; NextWeight:%0.8f" % (  # noqa: UP031
            errors[i - 1], preds[i - 1], weights[i])
        check.compare_text(f"gradient descent step {i:2d}", doc_line, line)
    print(f"       stopped after {len(preds)} updates (error below 1e-20), not 1100 as hot/cold")
    check.compare("the final weight (000 prints 1.5999999998022254)", 1.5999999998022254,
                  weights[-1])

    _common.section("the learning process: weight=0, goal_pred=0.8, input=1.1")
    weights, errors, preds, deltas = gradient_descent(1.1, 0.8, alpha=1.0, steps=9)
    check.compare("Weight: lines 0..9",
                  [0, 0.8800000000000001, 0.6951999999999999, 0.734008, 0.72585832,
                   0.7275697528, 0.727210351912, 0.7272858260984799, 0.7272699765193192,
                   0.7272733049309429], weights)
    check.compare("Error:%0.5f lines 0..4", [0.64, 0.02822, 0.00124, 0.00005, 0.0],
                  np.round(errors[:5], 5), rtol=0, atol=1e-12)
    check.compare("Weight_delta:%0.5f lines 0..3", [-0.88, 0.18480, -0.03881, 0.00815],
                  np.round(deltas[:4], 5), rtol=0, atol=1e-12)
    check.compare("the optimum goal_pred/input = 0.8/1.1", 0.7272727272727273, weights[-1],
                  rtol=1e-5)


def divergence_and_alpha(check: _common.Checker) -> None:
    _common.section("breaking gradient descent: input = 1.1*6")
    input, goal_pred = 1.1 * 6, 0.8
    weights, errors, _, _ = gradient_descent(input, goal_pred, alpha=1.0, steps=100)
    check.compare("Weight: lines 0..7",
                  [0, 5.280000000000001, -219.43680000000012, 9344.510208000007,
                   -397697.07445248036, 16925992.768697564, -720370246.9557683,
                   30658957715.717506], weights[:8])
    check.compare("Error:%0.5f lines 0..2", [0.64, 1159.26630, 2099841.19311],
                  np.round(errors[:3], 5), rtol=1e-12)
    w_star = goal_pred / input
    ratios = [(b - w_star) / (a - w_star) for a, b in zip(weights[:6], weights[1:7], strict=True)]
    factor = 1 - 1.0 * input**2
    check.compare("each step multiplies (weight - optimum) by 1 - alpha*input**2", factor,
                  ratios[-1], rtol=1e-9)
    overflow_step = len(errors) - 1
    check.require(f"the error overflows to inf at step {overflow_step} (000's Python floats "
                  f"raise OverflowError there)", not np.isfinite(errors[-1]))
    print(f"       alpha*input**2 = {input**2:.2f} > 2, so |1 - alpha*input**2| = "
          f"{abs(factor):.2f} > 1: every step overshoots further than the last")

    _common.section("the cure: alpha = 0.01")
    weights, errors, _, _ = gradient_descent(input, goal_pred, alpha=0.01, steps=14)
    check.compare("Weight: lines 0..14",
                  [0, 0.052800000000000014, 0.08260032, 0.099419620608, 0.10891243387115519,
                   0.11427017767688, 0.11729408828083107, 0.11900078342570106,
                   0.11996404216546568, 0.12050770539818884, 0.12081454892673778,
                   0.1209877314142508, 0.12108547561020315, 0.12114064243439866,
                   0.1211717785899746], weights)
    check.compare("Error:%0.5f lines 0..4", [0.64, 0.20387, 0.06494, 0.02069, 0.00659],
                  np.round(errors[:5], 5), rtol=0, atol=1e-12)
    weights, _, _, _ = gradient_descent(input, goal_pred, alpha=0.01, steps=200)
    check.compare("after 200 steps: goal_pred/input (000 prints 0.12121212121212122)",
                  0.12121212121212122, weights[-1], rtol=1e-12)
    print(f"       alpha*input**2 = {0.01 * input**2:.4f}: each step keeps "
          f"{1 - 0.01 * input**2:.4f} of the distance to the optimum. Gradient descent on")
    print("       this error converges exactly when 0 < alpha*input**2 < 2.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="accepted; everything is quick")
    parser.parse_args(argv)
    check = _common.Checker()

    _common.section("measuring error: knob_weight=0.5, input=0.5, goal_pred=0.8")
    check.compare("error = (pred - goal_pred)**2", 0.30250000000000005,
                  (neural_network(0.5, 0.5) - 0.8) ** 2, rtol=0)
    hot_cold(check)
    learn_from_error(check)
    divergence_and_alpha(check)
    return check.finish()


if __name__ == "__main__":
    sys.exit(main())
