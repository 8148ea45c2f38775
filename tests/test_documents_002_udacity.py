"""Document 002 (Udacity deep learning notes): gradient descent on one sigmoid unit, a
multilayer perceptron, backpropagation.

The document's error is ``E = 1/2 * sum((y - y_hat)**2)`` and its "error term" is
``error_term = (y - output) * f'(h)``, which is ``-dE/dh`` for the unit's input ``h``. So

    delta_w = learnrate * error_term * x  ==  -learnrate * dE/dw

and ``weights += delta_w`` is a gradient-descent step on E. When the changes of all records
are summed and divided by ``n_records``, the step is on ``0.5 * mean((y - output)**2)``.
"""

from __future__ import annotations

import numpy as np
from helpers import assert_same, grad_of

from tinygrad_edu import Tensor, gradcheck, numerical_grad


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_prime(x):
    # 002 writes the derivative from h itself, not from the output
    return np.exp(-x) * (1 + np.exp(-x)) ** (-2)


def test_sigmoid_prime_is_the_engines_sigmoid_derivative():
    h = Tensor(np.linspace(-6, 6, 13), requires_grad=True)
    out = h.sigmoid()
    out.sum().backward()
    assert_same(grad_of(h), sigmoid_prime(h.data))
    assert_same(grad_of(h), out.data * (1 - out.data))  # the f(h)*(1-f(h)) form used later


def test_gradient_descent_step_of_one_sigmoid_unit():
    # 002, "梯度下降-代码"
    x = np.array([0.1, 0.3])
    y = 0.2
    weights_init = np.array([-0.8, 0.5])
    learnrate = 0.5

    h = np.dot(x, weights_init.T)
    nn_output = sigmoid(h)
    error = y - nn_output
    output_grad = sigmoid_prime(h)
    error_term = error * output_grad
    del_w = [learnrate * error_term * x[0],
             learnrate * error_term * x[1]]

    weights = Tensor(weights_init, requires_grad=True, name="weights")
    h_t = Tensor(x).dot(weights.T)
    output = h_t.sigmoid()
    E = 0.5 * (y - output) ** 2
    E.backward()
    assert_same(output.data, nn_output)
    assert_same(grad_of(output), -error)
    assert_same(grad_of(h_t), -error_term)
    assert_same(-learnrate * grad_of(weights), del_w)

    (numerical,) = numerical_grad(lambda w: 0.5 * (y - Tensor(x).dot(w).sigmoid()) ** 2,
                                  Tensor(weights_init, requires_grad=True))
    np.testing.assert_allclose(-learnrate * numerical, del_w, rtol=1e-7)


def make_records(n_records=6, n_features=4, seed=7):
    """Stand-in for 002's data_prep (not shipped with the document): any numbers do."""
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(n_records, n_features))
    targets = (rng.random(n_records) > 0.5).astype(np.float64)
    return features, targets


def test_batch_step_averaged_over_records_is_half_mean_squared_error():
    # 002, "实现梯度下降": del_w summed over records, weights += learnrate * del_w / n_records
    features, targets = make_records()
    n_records, n_features = features.shape
    weights_init = np.random.default_rng(42).normal(scale=1 / n_features**.5, size=n_features)
    learnrate = 0.5

    del_w = np.zeros(weights_init.shape)
    for x, y in zip(features, targets, strict=True):
        output = sigmoid(np.dot(x, weights_init))
        error = y - output
        error_term = error * (1 - output) * output
        del_w += error_term * x
    step = learnrate * del_w / n_records

    weights = Tensor(weights_init, requires_grad=True)
    out = Tensor(features).dot(weights).sigmoid()
    E = 0.5 * ((targets - out) ** 2).mean()
    E.backward()
    assert_same(-learnrate * grad_of(weights), step)


# 002, "反向传播 / 具体例子": the numbers of the worked backpropagation example
x_values = np.array([0.5, 0.1, -0.2])
target = 0.6
learnrate = 0.5
weights_input_hidden_values = np.array([[0.5, -0.6],
                                        [0.1, -0.2],
                                        [0.1, 0.7]])
weights_hidden_output_values = np.array([0.1, -0.3])


def test_backprop_example_error_terms_and_weight_changes():
    # 002, verbatim
    x = x_values
    weights_input_hidden = weights_input_hidden_values
    weights_hidden_output = weights_hidden_output_values
    hidden_layer_input = np.dot(x, weights_input_hidden)
    hidden_layer_output = sigmoid(hidden_layer_input)
    output_layer_in = np.dot(hidden_layer_output, weights_hidden_output)
    output = sigmoid(output_layer_in)
    error = target - output
    output_error_term = error * sigmoid(output_layer_in) * (1 - sigmoid(output_layer_in))
    hidden_error_term = (weights_hidden_output * output_error_term
                         * hidden_layer_output * (1 - hidden_layer_output))
    delta_w_h_o = learnrate * output_error_term * hidden_layer_output
    x = x.reshape(1, 3)
    delta_w_i_h = learnrate * hidden_error_term * x.T

    # The shapes work out although weights_hidden_output is 1-D: hidden_error_term has one
    # entry per hidden unit, and (2,) * x.T of shape (3, 1) broadcasts to the (3, 2) layout.
    assert np.shape(output_error_term) == ()
    assert hidden_error_term.shape == (2,)
    assert delta_w_h_o.shape == weights_hidden_output.shape == (2,)
    assert delta_w_i_h.shape == weights_input_hidden.shape == (3, 2)

    w_i_h = Tensor(weights_input_hidden, requires_grad=True, name="weights_input_hidden")
    w_h_o = Tensor(weights_hidden_output, requires_grad=True, name="weights_hidden_output")
    hidden_in = Tensor(x_values).dot(w_i_h)
    hidden_out = hidden_in.sigmoid()
    out_in = hidden_out.dot(w_h_o)
    out = out_in.sigmoid()
    assert out.shape == ()
    E = 0.5 * (target - out) ** 2
    E.backward()

    assert_same(out.data, output)
    assert_same(grad_of(out_in), -output_error_term)
    # 002's later "hidden_error = weights_hidden_output * output_error_term"
    assert_same(grad_of(hidden_out), -(weights_hidden_output * output_error_term))
    assert_same(grad_of(hidden_in), -hidden_error_term)
    assert_same(-learnrate * grad_of(w_h_o), delta_w_h_o)
    assert_same(-learnrate * grad_of(w_i_h), delta_w_i_h)

    # second oracle: finite differences, and the engine's own gradcheck
    def E_fn(w_i_h, w_h_o):
        return 0.5 * (target - Tensor(x_values).dot(w_i_h).sigmoid().dot(w_h_o).sigmoid()) ** 2

    num_i_h, num_h_o = numerical_grad(E_fn, Tensor(weights_input_hidden, requires_grad=True),
                                      Tensor(weights_hidden_output, requires_grad=True))
    np.testing.assert_allclose(-learnrate * num_i_h, delta_w_i_h, rtol=1e-6, atol=1e-11)
    np.testing.assert_allclose(-learnrate * num_h_o, delta_w_h_o, rtol=1e-6, atol=1e-11)
    report = gradcheck(E_fn, Tensor(weights_input_hidden, requires_grad=True),
                       Tensor(weights_hidden_output, requires_grad=True))
    assert report, str(report)


def test_transpose_of_a_1d_vector_is_a_no_op_as_the_document_relies_on():
    # 002 writes np.dot(x, weights.T) with 1-D weights, then x.reshape(1, 3) to get a column
    x = Tensor(x_values)
    assert x.T.shape == (3,)
    assert x.reshape(1, 3).T.shape == (3, 1)


def test_backprop_loop_accumulated_over_records_is_the_batch_gradient():
    # 002, "Implementing BackPropagation": one pass over the records, then the update
    features, targets = make_records(n_records=5, n_features=3, seed=21)
    n_records, n_features = features.shape
    n_hidden = 2
    learnrate = 0.005
    rng = np.random.default_rng(21)
    weights_input_hidden = rng.normal(scale=1 / n_features**.5, size=(n_features, n_hidden))
    weights_hidden_output = rng.normal(scale=1 / n_features**.5, size=n_hidden)

    del_w_input_hidden = np.zeros(weights_input_hidden.shape)
    del_w_hidden_output = np.zeros(weights_hidden_output.shape)
    for x, y in zip(features, targets, strict=True):
        hidden_input = np.dot(x, weights_input_hidden)
        hidden_output = sigmoid(hidden_input)
        output = sigmoid(np.dot(hidden_output, weights_hidden_output))
        error = y - output
        output_error_term = error * (1 - output) * output
        hidden_error = weights_hidden_output * output_error_term
        hidden_error_term = hidden_error * (1 - hidden_output) * hidden_output
        del_w_hidden_output += output_error_term * hidden_output
        del_w_input_hidden += x[:, None] * hidden_error_term

    w_i_h = Tensor(weights_input_hidden, requires_grad=True)
    w_h_o = Tensor(weights_hidden_output, requires_grad=True)
    out = Tensor(features).dot(w_i_h).sigmoid().dot(w_h_o).sigmoid()
    assert out.shape == (n_records,)
    E = 0.5 * ((targets - out) ** 2).mean()
    E.backward()
    assert_same(-learnrate * grad_of(w_i_h), learnrate * del_w_input_hidden / n_records)
    assert_same(-learnrate * grad_of(w_h_o), learnrate * del_w_hidden_output / n_records)
