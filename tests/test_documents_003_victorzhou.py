"""Document 003 (victorzhou, "neural network from scratch"): a Neuron class, a 2-2-1 network,
MSE, the partial derivatives by the chain rule, and SGD.

For one sample the loss is ``L = (y_true - y_pred)**2`` (the MSE of one sample), so
``d_L_d_ypred = -2 * (y_true - y_pred)``, with the factor 2 the Grokking and iamtrask documents
avoid; ``self.w1 -= learn_rate * d_L_d_w1`` is a plain SGD step. Over a whole data set the
MSE is a mean, and its gradient is the mean of the per-sample products below.
"""

from __future__ import annotations

import numpy as np
from helpers import assert_same, grad_of

from tinygrad_edu import Tensor, gradcheck, nn, numerical_grad


def assert_differs(actual, expected, at_least=0.1):
    """Clearly different: by more than ``at_least`` of the expected value's size."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    gap = float(np.max(np.abs(actual - expected)))
    assert gap > at_least * float(np.max(np.abs(expected))), (actual, expected)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def deriv_sigmoid(x):
    # 003: f'(x) = f(x) * (1 - f(x)), from the pre-activation sum
    fx = sigmoid(x)
    return fx * (1 - fx)


# 003's data set
data = np.array([
    [-2, -1],   # Alice
    [25, 6],    # Bob
    [17, 4],    # Charlie
    [-15, -6],  # diana
])
all_y_trues = np.array([1, 0, 0, 1])

# 003 draws its weights with np.random.normal() and no seed; any fixed values will do.
# Chosen so that no two partials coincide by accident.
START = dict(w1=0.4, w2=-0.7, w3=1.1, w4=0.3, w5=-0.9, w6=0.6, b1=0.1, b2=-0.2, b3=0.05)
NAMES = ["w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2", "b3"]


# --------------------------------------------------------------------------------------
# The printed numbers, computed by the engine
# --------------------------------------------------------------------------------------


def test_neuron_output_printed():
    # 003: weights = [0, 1], bias = 4, x = [2, 3] -> sigmoid(7)
    weights = Tensor(np.array([0, 1]), requires_grad=True)
    bias = Tensor(4, requires_grad=True)
    x = Tensor(np.array([2, 3]))
    out = (weights.dot(x) + bias).sigmoid()
    assert out.dtype == np.float64
    assert abs(out.item() - 0.9990889488055994) <= 1e-15
    out.backward()
    # d out / d weights = out*(1-out) * x: the neuron's own chain rule
    assert_same(grad_of(weights), out.item() * (1 - out.item()) * np.array([2, 3]))
    assert_same(grad_of(bias), out.item() * (1 - out.item()))


def test_network_output_printed():
    # 003: every neuron has w = [0, 1], b = 0; x = [2, 3]
    w = Tensor([0, 1])
    b = 0
    x = Tensor([2, 3])
    out_h1 = (w.dot(x) + b).sigmoid()
    out_h2 = (w.dot(x) + b).sigmoid()
    out_o1 = (w[0] * out_h1 + w[1] * out_h2 + b).sigmoid()  # inputs of o1 are h1, h2
    assert abs(out_o1.item() - 0.7216325609518421) <= 1e-15


def test_mse_printed():
    # 003: mse_loss([1, 0, 0, 1], [0, 0, 0, 0]) -> 0.5
    y_true = Tensor(np.array([1, 0, 0, 1]))
    y_pred = Tensor(np.array([0, 0, 0, 0]))
    assert ((y_true - y_pred) ** 2).mean().item() == 0.5
    assert nn.MSELoss()(y_pred, y_true).item() == 0.5


# --------------------------------------------------------------------------------------
# The partial derivatives of train(), corrected, against the engine
# --------------------------------------------------------------------------------------


def doc_partials(p, x, y_true, sum_o1_from_inputs=False, d_h2_d_w4_from_x0=False):
    """003's train() body for one sample: the nine d_L_d_* products.

    The defaults are the CORRECT versions; the flags restore the document's two mistakes.
    """
    sum_h1 = p["w1"] * x[0] + p["w2"] * x[1] + p["b1"]
    h1 = sigmoid(sum_h1)
    sum_h2 = p["w3"] * x[0] + p["w4"] * x[1] + p["b2"]
    h2 = sigmoid(sum_h2)
    if sum_o1_from_inputs:
        sum_o1 = p["w5"] * x[0] + p["w6"] * x[1] + p["b3"]  # 003 as printed
    else:
        sum_o1 = p["w5"] * h1 + p["w6"] * h2 + p["b3"]
    o1 = sigmoid(sum_o1)
    y_pred = o1

    d_L_d_ypred = -2 * (y_true - y_pred)
    # Neuron o1
    d_ypred_d_w5 = h1 * deriv_sigmoid(sum_o1)
    d_ypred_d_w6 = h2 * deriv_sigmoid(sum_o1)
    d_ypred_d_b3 = deriv_sigmoid(sum_o1)
    d_ypred_d_h1 = p["w5"] * deriv_sigmoid(sum_o1)
    d_ypred_d_h2 = p["w6"] * deriv_sigmoid(sum_o1)
    # Neuron h1
    d_h1_d_w1 = x[0] * deriv_sigmoid(sum_h1)
    d_h1_d_w2 = x[1] * deriv_sigmoid(sum_h1)
    d_h1_d_b1 = deriv_sigmoid(sum_h1)
    # Neuron h2
    d_h2_d_w3 = x[0] * deriv_sigmoid(sum_h2)
    # 003 as printed multiplies by x[0]; w4 weighs x[1]
    d_h2_d_w4 = (x[0] if d_h2_d_w4_from_x0 else x[1]) * deriv_sigmoid(sum_h2)
    d_h2_d_b2 = deriv_sigmoid(sum_h2)

    partials = {
        "w1": d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1,
        "w2": d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w2,
        "b1": d_L_d_ypred * d_ypred_d_h1 * d_h1_d_b1,
        "w3": d_L_d_ypred * d_ypred_d_h2 * d_h2_d_w3,
        "w4": d_L_d_ypred * d_ypred_d_h2 * d_h2_d_w4,
        "b2": d_L_d_ypred * d_ypred_d_h2 * d_h2_d_b2,
        "w5": d_L_d_ypred * d_ypred_d_w5,
        "w6": d_L_d_ypred * d_ypred_d_w6,
        "b3": d_L_d_ypred * d_ypred_d_b3,
    }
    chain = {
        "d_L_d_ypred": d_L_d_ypred,
        "d_L_d_h1": d_L_d_ypred * d_ypred_d_h1,
        "d_L_d_h2": d_L_d_ypred * d_ypred_d_h2,
        "d_L_d_sum_o1": d_L_d_ypred * deriv_sigmoid(sum_o1),
        "d_L_d_sum_h1": d_L_d_ypred * d_ypred_d_h1 * deriv_sigmoid(sum_h1),
        "d_L_d_sum_h2": d_L_d_ypred * d_ypred_d_h2 * deriv_sigmoid(sum_h2),
    }
    return partials, chain


def engine_network(p, x):
    """003's feedforward, with one engine scalar per weight (x may be a column of samples)."""
    t = {name: Tensor(value, requires_grad=True, name=name) for name, value in p.items()}
    nodes = {}
    nodes["sum_h1"] = t["w1"] * x[0] + t["w2"] * x[1] + t["b1"]
    nodes["h1"] = nodes["sum_h1"].sigmoid()
    nodes["sum_h2"] = t["w3"] * x[0] + t["w4"] * x[1] + t["b2"]
    nodes["h2"] = nodes["sum_h2"].sigmoid()
    nodes["sum_o1"] = t["w5"] * nodes["h1"] + t["w6"] * nodes["h2"] + t["b3"]
    nodes["y_pred"] = nodes["sum_o1"].sigmoid()
    return t, nodes


def test_every_partial_of_train_equals_the_engines_gradient():
    for x, y_true in zip(data, all_y_trues, strict=True):
        t, nodes = engine_network(START, x)
        L = (y_true - nodes["y_pred"]) ** 2  # the MSE of this one sample
        L.backward()
        partials, chain = doc_partials(START, x, y_true)
        for name in NAMES:
            assert_same(grad_of(t[name]), partials[name])
        # the intermediate factors, as the document names them
        assert_same(grad_of(nodes["y_pred"]), chain["d_L_d_ypred"])
        assert_same(grad_of(nodes["h1"]), chain["d_L_d_h1"])
        assert_same(grad_of(nodes["h2"]), chain["d_L_d_h2"])
        assert_same(grad_of(nodes["sum_o1"]), chain["d_L_d_sum_o1"])
        assert_same(grad_of(nodes["sum_h1"]), chain["d_L_d_sum_h1"])
        assert_same(grad_of(nodes["sum_h2"]), chain["d_L_d_sum_h2"])


def test_partials_match_finite_differences():
    x, y_true = data[0], all_y_trues[0]  # Alice
    partials, _ = doc_partials(START, x, y_true)

    def L_fn(*weights):
        p = dict(zip(NAMES, weights, strict=True))
        sum_h1 = p["w1"] * x[0] + p["w2"] * x[1] + p["b1"]
        sum_h2 = p["w3"] * x[0] + p["w4"] * x[1] + p["b2"]
        y_pred = (p["w5"] * sum_h1.sigmoid() + p["w6"] * sum_h2.sigmoid() + p["b3"]).sigmoid()
        return (y_true - y_pred) ** 2

    inputs = [Tensor(START[name], requires_grad=True) for name in NAMES]
    numerical = numerical_grad(L_fn, *inputs)
    for name, value in zip(NAMES, numerical, strict=True):
        np.testing.assert_allclose(value, partials[name], rtol=1e-6, atol=1e-10, err_msg=name)
    report = gradcheck(L_fn, *inputs)
    assert report, str(report)


def test_mse_over_the_data_set_is_the_mean_of_the_per_sample_partials():
    # 003's mse_loss(all_y_trues, y_preds) = ((y_true - y_pred)**2).mean()
    t, nodes = engine_network(START, data.T)  # x[0], x[1] are the columns of all samples
    y_preds = nodes["y_pred"]
    assert y_preds.shape == (4,)
    loss = ((all_y_trues - y_preds) ** 2).mean()
    loss.backward()
    for name in NAMES:
        per_sample = [doc_partials(START, x, y)[0][name]
                      for x, y in zip(data, all_y_trues, strict=True)]
        assert_same(grad_of(t[name]), np.mean(per_sample))

    # and nn.MSELoss gives the same gradients
    t2, nodes2 = engine_network(START, data.T)
    nn.MSELoss()(nodes2["y_pred"], Tensor(all_y_trues)).backward()
    for name in NAMES:
        assert_same(grad_of(t2[name]), grad_of(t[name]))


def test_one_sgd_step_of_train_equals_a_step_along_the_engines_gradient():
    # 003: self.w1 -= learn_rate * d_L_d_w1, ... (corrected), for Alice
    learn_rate = 0.1
    x, y_true = data[0], all_y_trues[0]
    partials, _ = doc_partials(START, x, y_true)
    t, nodes = engine_network(START, x)
    ((y_true - nodes["y_pred"]) ** 2).backward()
    for name in NAMES:
        assert_same(t[name].data - learn_rate * grad_of(t[name]),
                    START[name] - learn_rate * partials[name])


# --------------------------------------------------------------------------------------
# The two mistakes in train()
# --------------------------------------------------------------------------------------


def test_mistake_sum_o1_fed_with_the_inputs_instead_of_h1_h2():
    x, y_true = data[0], all_y_trues[0]  # Alice
    t, nodes = engine_network(START, x)
    ((y_true - nodes["y_pred"]) ** 2).backward()
    engine = {name: grad_of(t[name]) for name in NAMES}

    # 003's train() computes y_pred from w5*x[0] + w6*x[1] + b3: not what feedforward() does
    sum_o1_doc = START["w5"] * x[0] + START["w6"] * x[1] + START["b3"]
    assert_differs(sigmoid(sum_o1_doc), nodes["y_pred"].data)

    as_printed, _ = doc_partials(START, x, y_true, sum_o1_from_inputs=True)
    for name in NAMES:  # every one of the nine partials is wrong
        assert_differs(as_printed[name], engine[name])
    corrected, _ = doc_partials(START, x, y_true)
    for name in NAMES:
        assert_same(corrected[name], engine[name])


def test_mistake_d_h2_d_w4_uses_x0_instead_of_x1():
    x, y_true = data[0], all_y_trues[0]  # Alice: x[0] = -2 != x[1] = -1
    t, nodes = engine_network(START, x)
    ((y_true - nodes["y_pred"]) ** 2).backward()
    engine_w4 = grad_of(t["w4"])

    (numerical_w4,) = numerical_grad(
        lambda w4: (y_true - engine_network_with(w4=w4, x=x)) ** 2,
        Tensor(START["w4"], requires_grad=True))

    as_printed, _ = doc_partials(START, x, y_true, d_h2_d_w4_from_x0=True)
    assert_differs(as_printed["w4"], engine_w4)
    assert_differs(as_printed["w4"], numerical_w4)
    # it is off by exactly the factor x[0]/x[1] = 2, the other eight partials are right
    assert_same(as_printed["w4"], x[0] / x[1] * engine_w4)
    for name in NAMES:
        if name != "w4":
            assert_same(as_printed[name], grad_of(t[name]))
    corrected, _ = doc_partials(START, x, y_true)
    assert_same(corrected["w4"], engine_w4)
    np.testing.assert_allclose(corrected["w4"], numerical_w4, rtol=1e-6)


def engine_network_with(w4, x):
    """y_pred of 003's feedforward as a function of w4 alone (the other weights fixed)."""
    p = START
    h1 = sigmoid(p["w1"] * x[0] + p["w2"] * x[1] + p["b1"])
    h2 = (p["w3"] * x[0] + w4 * x[1] + p["b2"]).sigmoid()
    return (p["w5"] * h1 + p["w6"] * h2 + p["b3"]).sigmoid()
