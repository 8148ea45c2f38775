"""Document 000 (notes on *Grokking Deep Learning*, chapters 3-5): forward propagation,
gradient descent on one weight, alpha, several inputs, several outputs.

The document measures ``error = (pred - goal_pred)**2`` and calls
``weight_delta = input * delta`` with ``delta = pred - goal_pred`` "the derivative of the
error with respect to the weight". It is half of it: d error/d weight = 2 * input * delta.
``weight_delta`` is exactly the gradient of ``0.5 * (pred - goal_pred)**2`` (the factor 2 is
absorbed into alpha). The tests check both statements, then replay the printed weight
trajectories with the engine's gradients.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from helpers import assert_same, grad_of

from tinygrad_edu import Tensor, numerical_grad


def assert_differs(actual, expected, at_least=0.1):
    """Clearly different: by more than ``at_least`` of the expected array's scale."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if actual.shape != expected.shape:
        return
    gap = float(np.max(np.abs(actual - expected)))
    assert gap > at_least * float(np.max(np.abs(expected))), (actual, expected)


# --------------------------------------------------------------------------------------
# Chapter 3: forward propagation, the printed predictions
# --------------------------------------------------------------------------------------


def test_forward_predictions_printed_in_chapter_3():
    # 000, 3.1: one input, one weight
    assert_same(Tensor(8.5) * Tensor(0.1), 0.8500000000000001, rtol=1e-15)
    # 000, 3.2: three inputs, a weighted sum
    input = Tensor([8.5, 0.65, 1.2])
    weights = Tensor([0.1, 0.2, 0])
    assert_same(input.dot(weights), 0.9800000000000001, rtol=1e-15)
    # 000, one input, three outputs (ele_multi_vector)
    assert_same(0.65 * Tensor([0.3, 0.2, 0.9]), [0.195, 0.13, 0.5850000000000001], rtol=1e-15)
    # 000, neural_network5: one row of weights per output, pred[i] = w_sum(input, weights[i])
    weights = Tensor([[0.1, 0.1, -0.3],  # hurt?
                      [0.1, 0.2, 0],     # win?
                      [0, 1.3, 0.1]])    # sad?
    input = Tensor([8.5, 0.65, 1.2])
    assert_same(weights.dot(input), [0.555, 0.9800000000000001, 0.9650000000000001], rtol=1e-14)
    # 000, neural_network6: a hidden layer, hid = input.dot(ih_wgt); pred = hid.dot(ho_wgt)
    ih_wgt = Tensor(np.array([[0.1, 0.2, -0.1],
                              [-0.1, 0.1, 0.9],
                              [0.1, 0.4, 0.1]]).T)
    ho_wgt = Tensor(np.array([[0.3, 1.1, -0.3],
                              [0.1, 0.2, 0],
                              [0, 1.3, 0.1]]).T)
    assert_same(input.dot(ih_wgt).dot(ho_wgt), [0.2135, 0.145, 0.5065], rtol=1e-14)


# --------------------------------------------------------------------------------------
# Chapter 4: one weight
# --------------------------------------------------------------------------------------


def test_weight_delta_is_the_gradient_of_half_the_squared_error():
    weight_value, goal_pred, input = 0.5, 0.8, 0.5  # 000, "基于误差调节权重"
    pred = input * weight_value
    delta = pred - goal_pred
    weight_delta = input * delta  # 000: direction_and_amout = (pred - goal_pred) * input

    weight = Tensor(weight_value, requires_grad=True)
    half_error = 0.5 * (input * weight - goal_pred) ** 2
    half_error.backward()
    assert_same(grad_of(weight), weight_delta)

    # and the document's own error, (pred - goal_pred)**2, has twice that slope
    weight = Tensor(weight_value, requires_grad=True)
    error = (input * weight - goal_pred) ** 2
    assert_same(error, 0.30250000000000005, rtol=1e-15)  # 000 prints it
    error.backward()
    assert_same(grad_of(weight), 2 * weight_delta)
    (numerical,) = numerical_grad(lambda w: (input * w - goal_pred) ** 2, weight)
    np.testing.assert_allclose(numerical, 2 * weight_delta, rtol=1e-8)


def gradient_descent_on_one_weight(input, goal_pred, alpha, steps, weight=0.0):
    """000's loop, with the step taken from the engine: weight -= alpha * weight.grad."""
    weight = Tensor(weight, requires_grad=True, name="weight")
    weights, errors = [float(weight.data)], []
    for _ in range(steps):
        pred = input * weight
        half_error = 0.5 * (pred - goal_pred) ** 2
        errors.append(2 * half_error.item())  # the document prints (pred - goal_pred)**2
        half_error.backward()
        weight.data -= alpha * weight.grad.data
        weight.grad = None
        weights.append(float(weight.data))
    return weights, errors


def test_weight_trajectory_printed_for_input_1_1():
    # 000, "回顾学习过程": weight=0, goal_pred=0.8, input=1.1; the printed "Weight:" lines
    printed = [0, 0.8800000000000001, 0.6951999999999999, 0.734008, 0.72585832,
               0.7275697528, 0.727210351912, 0.7272858260984799, 0.7272699765193192,
               0.7272733049309429]
    weights, errors = gradient_descent_on_one_weight(1.1, 0.8, alpha=1.0, steps=9)
    assert_same(weights, printed)
    # the printed "Error:%0.5f" lines
    np.testing.assert_allclose(errors[:5], [0.64, 0.02822, 0.00124, 0.00005, 0.00000],
                               rtol=0, atol=0.5e-5)
    assert abs(weights[-1] - 0.8 / 1.1) < 1e-5  # 000: the optimum is goal/input


def test_divergence_at_input_6_6_and_its_cure_with_alpha():
    # 000, "破坏梯度下降": input = 1.1*6, the weight flips sign and grows every step
    printed = [0, 5.280000000000001, -219.43680000000012, 9344.510208000007,
               -397697.07445248036, 16925992.768697564, -720370246.9557683,
               30658957715.717506]
    weights, errors = gradient_descent_on_one_weight(1.1 * 6, 0.8, alpha=1.0, steps=7)
    assert_same(weights, printed)
    assert all(later > earlier for earlier, later in pairwise(errors))
    assert all(np.sign(a) == -np.sign(b) for a, b in pairwise(weights[1:]))

    # 000, "避免过度修正权重": alpha = 0.01 brings it down to goal/input
    printed = [0, 0.052800000000000014, 0.08260032, 0.099419620608, 0.10891243387115519,
               0.11427017767688, 0.11729408828083107, 0.11900078342570106,
               0.11996404216546568, 0.12050770539818884, 0.12081454892673778,
               0.1209877314142508, 0.12108547561020315, 0.12114064243439866,
               0.1211717785899746]
    weights, errors = gradient_descent_on_one_weight(1.1 * 6, 0.8, alpha=0.01, steps=14)
    assert_same(weights, printed)
    assert all(later < earlier for earlier, later in pairwise(errors))
    weights, _ = gradient_descent_on_one_weight(1.1 * 6, 0.8, alpha=0.01, steps=200)
    assert abs(weights[-1] - 0.12121212121212122) < 1e-12  # 000 prints goal_pred/input


# --------------------------------------------------------------------------------------
# Chapter 5: several weights at once
# --------------------------------------------------------------------------------------


def test_multi_input_weight_deltas_are_delta_times_input():
    # 000, chapter 5, several inputs: weights=[0.1, 0.2, -0.1], input=[8.5, 1.65, 1.2], goal=1
    input = np.array([8.5, 1.65, 1.2])
    goal = 1
    weights = Tensor([0.1, 0.2, -0.1], requires_grad=True)
    pred = input.dot(weights.data)
    delta = pred - goal
    weight_deltas = delta * input  # the correct derivative (see the mistake test below)

    half_error = 0.5 * (Tensor(input).dot(weights) - goal) ** 2
    half_error.backward()
    assert_same(grad_of(weights), weight_deltas)
    (numerical,) = numerical_grad(lambda w: 0.5 * (Tensor(input).dot(w) - goal) ** 2, weights)
    np.testing.assert_allclose(numerical, weight_deltas, rtol=1e-7)


def test_multi_output_trajectory_printed():
    # 000, one input (0.65), three outputs: goal_pred=[0.1, 1, 0.1], weights=[0.3, 0.2, 0.9]
    input, goal_pred, alpha = 0.65, np.array([0.1, 1, 0.1]), 0.1
    weights = Tensor([0.3, 0.2, 0.9], requires_grad=True)
    printed_weights = [[0.293825, 0.25655, 0.868475],
                       [0.28791089375, 0.3107107625, 0.83828193125],
                       [0.2822466584890625, 0.362583232784375, 0.8093645196546875]]
    printed_pred = [[0.195, 0.13, 0.5850000000000001],
                    [0.19098625, 0.1667575, 0.56450875],
                    [0.1871420809375, 0.20196199562500003, 0.5448832553125]]
    for step in range(3):
        pred = input * weights
        delta = pred.data - goal_pred
        half_error = 0.5 * ((pred - goal_pred) ** 2).sum()
        half_error.backward()
        # each output is its own 1-input net: weights_delta = delta * input, one per weight
        assert_same(grad_of(weights), delta * input)
        weights.data -= alpha * weights.grad.data
        weights.grad = None
        assert_same(pred.data, printed_pred[step])
        assert_same(weights.data, printed_weights[step])


def test_multi_input_multi_output_weight_deltas_are_an_outer_product():
    # 000, "多输入，多输出": one row of weights per output, pred = vec_mult_mat(input, weights)
    input = np.array([8.5, 0.65, 1.2])
    goal = np.array([0.1, 1, 0.1])
    alpha = 0.01
    weights = Tensor([[0.1, 0.1, -0.3],
                      [0.1, 0.2, 0],
                      [0, 1.3, 0.1]], requires_grad=True)
    printed_weights = [
        [[0.061325, 0.0970425, -0.30546],
         [0.1017, 0.20013, 0.00023999999999999887],
         [-0.07352500000000001, 1.2943775, 0.08962]],
        [[0.051313009374999996, 0.0962768771875, -0.3068734575],
         [0.1021400875, 0.20016365375, 0.0003021299999999995],
         [-0.092558784375, 1.2929219753124999, 0.0869328775]],
    ]
    printed_error = [0.20702500000000007, 0.0003999999999999963, 0.7482250000000001]
    for step in range(2):
        pred = weights.dot(input)
        delta = pred.data - goal
        error = (pred - goal) ** 2
        if step == 0:
            assert_same(error.data, printed_error)
        (0.5 * error.sum()).backward()
        # 000: weights_delta = delta * input[k] for weights[j][k]: the outer product
        assert_same(grad_of(weights), np.outer(delta, input))
        weights.data -= alpha * weights.grad.data
        weights.grad = None
        assert_same(weights.data, printed_weights[step])


# --------------------------------------------------------------------------------------
# The mistake: ele_mult_vector(delta, weights)
# --------------------------------------------------------------------------------------


def test_mistake_weight_deltas_multiplied_by_weights_instead_of_input():
    # 000, chapter 5 "多输入": weight_deltas = ele_mult_vector(delta, weights)
    input = [8.5, 1.65, 1.2]
    goal = 1
    weights_values = [0.1, 0.2, -0.1]
    pred = float(np.dot(input, weights_values))
    delta = pred - goal
    doc_weight_deltas = [delta * w for w in weights_values]
    # 000 prints exactly these, so the code ran as written
    assert_same(doc_weight_deltas,
                [0.006000000000000005, 0.01200000000000001, -0.006000000000000005])

    weights = Tensor(weights_values, requires_grad=True)
    (0.5 * (Tensor(input).dot(weights) - goal) ** 2).backward()
    engine = grad_of(weights)
    (numerical,) = numerical_grad(lambda w: 0.5 * (Tensor(input).dot(w) - goal) ** 2,
                                  Tensor(weights_values, requires_grad=True))
    assert_differs(doc_weight_deltas, engine)
    assert_differs(doc_weight_deltas, numerical)
    # the corrected formula, delta * input, agrees with both oracles
    assert_same([delta * x for x in input], engine)
    np.testing.assert_allclose([delta * x for x in input], numerical, rtol=1e-7)


def test_mistake_weight_deltas_multiplied_by_weights_can_climb_the_error():
    # The doc's rule only rescales the weights, w <- w * (1 - alpha*delta), so pred is
    # rescaled too. In 000's example pred > 0 and that happens to approach the goal. With
    # pred < 0 < goal it walks away from the goal, while the gradient step still descends.
    input = np.array([8.5, 1.65, 1.2])
    goal, alpha = 1.0, 0.02
    weights_values = np.array([-0.1, 0.2, -0.1])  # pred = -0.64
    pred = input.dot(weights_values)
    assert pred < 0 < goal

    def error_of(w):
        return (input.dot(w) - goal) ** 2

    delta = pred - goal
    doc_weights = weights_values - alpha * delta * weights_values
    assert error_of(doc_weights) > error_of(weights_values)

    weights = Tensor(weights_values, requires_grad=True)
    (0.5 * (Tensor(input).dot(weights) - goal) ** 2).backward()
    engine_weights = weights_values - alpha * grad_of(weights)
    assert error_of(engine_weights) < error_of(weights_values)
