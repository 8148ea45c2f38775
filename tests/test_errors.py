"""Bad input gives a clear error that names the operation and the shapes or values involved
(api.md: "Errors name the operation and the shapes involved")."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tinygrad_edu import Tensor, nn, optim


def shape_re(shape):
    """A regex for a shape written as a tuple, with or without spaces: (2, 3) or (2,3)."""
    if len(shape) == 1:
        return rf"\({shape[0]},\s?\)"
    return r"\(" + r",\s?".join(str(n) for n in shape) + r"\)"


def assert_names_shapes(msg, *shapes):
    for s in shapes:
        assert re.search(shape_re(s), msg), f"shape {s} not named in: {msg}"


# --------------------------------------------------------------------------- shapes


def test_matmul_mismatch_message_exactly_as_api_md():
    a = Tensor(np.ones((4, 3)), requires_grad=True)
    b = Tensor(np.ones((4, 1)), requires_grad=True)
    with pytest.raises(ValueError) as exc:
        a @ b
    assert str(exc.value) == "matmul: shapes (4, 3) and (4, 1) do not align (3 != 4)"
    with pytest.raises(ValueError) as exc:
        a.dot(b)
    assert str(exc.value) == "matmul: shapes (4, 3) and (4, 1) do not align (3 != 4)"


def test_matmul_mismatch_1d():
    with pytest.raises(ValueError) as exc:
        Tensor(np.ones(3)) @ Tensor(np.ones((4, 2)))
    msg = str(exc.value)
    assert msg.startswith("matmul")
    assert_names_shapes(msg, (3,), (4, 2))


@pytest.mark.parametrize("op,names", [
    (lambda a, b: a + b, ("add", "+")),
    (lambda a, b: a - b, ("sub", "-")),
    (lambda a, b: a * b, ("mul", "*")),
    (lambda a, b: a / b, ("div", "/")),
])
def test_broadcast_mismatch_names_op_and_shapes(op, names):
    a = Tensor(np.ones((2, 3)), requires_grad=True)
    b = Tensor(np.ones(4))
    with pytest.raises(ValueError) as exc:
        op(a, b)
    msg = str(exc.value)
    assert any(n in msg for n in names), msg
    assert_names_shapes(msg, (2, 3), (4,))
    # With a plain array on the other side too.
    with pytest.raises(ValueError) as exc:
        op(a, np.ones((5, 1, 4)))
    assert_names_shapes(str(exc.value), (2, 3), (5, 1, 4))


def test_reshape_incompatible_size():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    with pytest.raises(ValueError) as exc:
        x.reshape(4)
    msg = str(exc.value)
    assert "reshape" in msg
    assert_names_shapes(msg, (4,))
    assert re.search(shape_re((2, 3)), msg) or "size 6" in msg, msg
    with pytest.raises(ValueError):
        x.reshape(-1, 4)
    with pytest.raises(ValueError):
        x.reshape(-1, -1)


@pytest.mark.parametrize("axes", [(0,), (0, 2), (-3, 0), (1, 2), (0, 1, 2), ((0, 0),)])
def test_bad_transpose_permutation(axes):
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError) as exc:
        x.transpose(*axes)
    assert "transpose" in str(exc.value)


@pytest.mark.parametrize("call,op", [
    (lambda t: t.sum(axis=2), "sum"),
    (lambda t: t.mean(axis=-3), "mean"),
    (lambda t: t.max(axis=5), "max"),
    (lambda t: t.softmax(axis=2), "softmax"),
    (lambda t: t.log_softmax(axis=-3), "log_softmax"),
    (lambda t: t.sum(axis=(0, 0)), "sum"),
])
def test_bad_axis(call, op):
    x = Tensor(np.ones((2, 3)))
    with pytest.raises((ValueError, IndexError)) as exc:
        call(x)
    assert op in str(exc.value)


def test_getitem_out_of_range():
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(IndexError):
        x[5]


# --------------------------------------------------------------------------- backward


def test_backward_non_scalar_without_grad():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    y = x * 2.0
    with pytest.raises(RuntimeError) as exc:
        y.backward()
    assert_names_shapes(str(exc.value), (2, 3))
    assert x.grad is None and y.grad is None


@pytest.mark.parametrize("g", [np.ones(3), np.ones((3, 2)), np.ones((1, 2, 3)), 1.0])
def test_backward_grad_wrong_shape(g):
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    y = x * 2.0
    with pytest.raises(RuntimeError) as exc:
        y.backward(g)
    msg = str(exc.value)
    assert_names_shapes(msg, (2, 3), np.shape(g))
    assert x.grad is None


def test_backward_grad_wrong_shape_as_tensor():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(RuntimeError) as exc:
        (x * 2.0).backward(Tensor(np.ones((3, 2))))
    assert_names_shapes(str(exc.value), (2, 3), (3, 2))


def test_backward_on_tensor_not_requiring_grad():
    with pytest.raises(RuntimeError):
        Tensor([1.0, 2.0]).sum().backward()
    x = Tensor([1.0], requires_grad=True)
    from tinygrad_edu import no_grad

    with no_grad():
        y = (x * 2.0).sum()
    with pytest.raises(RuntimeError):
        y.backward()


def test_second_backward_mentions_retain_graph():
    x = Tensor([0.5, 1.5], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError) as exc:
        y.backward()
    assert "retain_graph" in str(exc.value)


# --------------------------------------------------------------------------- data


@pytest.mark.parametrize("data,dtype_text", [
    (["a", "b"], "<U1"),
    ("hello", "<U5"),
    ([1 + 2j, 3.0], "complex128"),
    (np.array([1, 2], dtype=np.complex64), "complex64"),
    (np.array([{}, 1], dtype=object), "object"),
    ([None, 1.0], "object"),
])
def test_bad_data_dtype(data, dtype_text):
    with pytest.raises(TypeError) as exc:
        Tensor(data)
    assert dtype_text in str(exc.value)


@pytest.mark.parametrize("data", [[[1, 2], [3]], [[1.0], [2.0, 3.0], []], [1, [2, 3]]])
def test_ragged_lists(data):
    with pytest.raises(ValueError) as exc:
        Tensor(data)
    assert "Tensor" in str(exc.value) or "inhomogeneous" in str(exc.value)


def test_item_on_multi_element():
    # api.md is silent on the type: NumPy raises ValueError, PyTorch RuntimeError.
    with pytest.raises((ValueError, RuntimeError)) as exc:
        Tensor(np.ones((2, 3))).item()
    msg = str(exc.value)
    assert "item" in msg
    assert_names_shapes(msg, (2, 3))
    with pytest.raises((ValueError, RuntimeError)):
        Tensor(np.ones(0)).item()


# --------------------------------------------------------------------------- load_state_dict


def _model():
    return nn.Sequential(nn.Linear(3, 4, rng=0), nn.Tanh(), nn.Linear(4, 2, rng=1))


def _snapshot(model):
    return {k: v.copy() for k, v in model.state_dict().items()}


def _unchanged(model, snap):
    now = model.state_dict()
    assert now.keys() == snap.keys()
    for k in snap:
        np.testing.assert_array_equal(now[k], snap[k])


def _fresh_state(model, value=7.0):
    return {k: np.full(v.shape, value) for k, v in model.state_dict().items()}


def test_load_state_dict_missing_key_changes_nothing():
    m = _model()
    snap = _snapshot(m)
    sd = _fresh_state(m)
    del sd["2.bias"]
    with pytest.raises(KeyError) as exc:
        m.load_state_dict(sd)
    assert "2.bias" in str(exc.value)
    _unchanged(m, snap)


def test_load_state_dict_unexpected_key_changes_nothing():
    m = _model()
    snap = _snapshot(m)
    sd = _fresh_state(m)
    sd["3.weight"] = np.ones((2, 2))
    with pytest.raises(KeyError) as exc:
        m.load_state_dict(sd)
    assert "3.weight" in str(exc.value)
    _unchanged(m, snap)


def test_load_state_dict_shape_mismatch_changes_nothing():
    m = _model()
    snap = _snapshot(m)
    sd = _fresh_state(m)
    sd["2.weight"] = np.ones((2, 4))  # transposed: the PyTorch layout
    with pytest.raises(ValueError) as exc:
        m.load_state_dict(sd)
    msg = str(exc.value)
    assert "2.weight" in msg
    assert_names_shapes(msg, (2, 4), (4, 2))
    _unchanged(m, snap)  # "0.*" come earlier and were valid: still untouched


# --------------------------------------------------------------------------- optimizers


@pytest.mark.parametrize("lr", [-0.1, float("nan"), -float("inf")])
@pytest.mark.parametrize("opt", [optim.SGD, optim.Adam])
def test_bad_lr(opt, lr):
    p = nn.Parameter(np.ones(2))
    with pytest.raises(ValueError) as exc:
        opt([p], lr=lr)
    assert "learning rate" in str(exc.value) and str(lr) in str(exc.value)


@pytest.mark.parametrize("opt", [optim.SGD, optim.Adam])
def test_lr_of_zero_is_allowed_as_in_pytorch(opt):
    p = nn.Parameter(np.ones(2))
    p.grad = nn.Parameter(np.ones(2)).detach()
    opt([p], lr=0.0).step()
    np.testing.assert_array_equal(p.data, [1.0, 1.0])


# --------------------------------------------------------------------------- losses


@pytest.mark.parametrize("loss", [nn.MSELoss, nn.BCELoss, nn.CrossEntropyLoss])
@pytest.mark.parametrize("reduction", ["average", "max", "", "MEAN"])
def test_unknown_reduction(loss, reduction):
    with pytest.raises(ValueError) as exc:
        loss(reduction=reduction)
    assert repr(reduction) in str(exc.value) or reduction in str(exc.value)


def _logits():
    return Tensor(np.random.default_rng(0).standard_normal((4, 3)), requires_grad=True)


@pytest.mark.parametrize("labels", [[0, 1, 3, 2], [0, -1, 2, 1], np.array([5, 0, 0, 0])])
def test_cross_entropy_labels_out_of_range(labels):
    with pytest.raises((ValueError, IndexError)) as exc:
        nn.CrossEntropyLoss()(_logits(), labels)
    assert "CrossEntropyLoss" in str(exc.value)


@pytest.mark.parametrize("labels", [[0, 1, 2], np.zeros((4, 1), dtype=int), [[0, 1, 2, 0]],
                                    np.zeros((4, 3), dtype=int)])
def test_cross_entropy_labels_wrong_shape(labels):
    with pytest.raises(ValueError) as exc:
        nn.CrossEntropyLoss()(_logits(), labels)
    msg = str(exc.value)
    assert "CrossEntropyLoss" in msg
    assert_names_shapes(msg, (4,), np.shape(labels))


@pytest.mark.parametrize("labels", [[0.5, 1, 2, 0], np.array([0.0, 1.0, 2.2, 1.0]),
                                    Tensor([0.0, 1.0, 1.5, 2.0])])
def test_cross_entropy_labels_non_integer(labels):
    with pytest.raises((ValueError, TypeError)) as exc:
        nn.CrossEntropyLoss()(_logits(), labels)
    assert "CrossEntropyLoss" in str(exc.value)


def test_cross_entropy_string_labels():
    with pytest.raises(TypeError):
        nn.CrossEntropyLoss()(_logits(), np.array(["a", "b", "c", "a"]))


def test_cross_entropy_logits_not_2d():
    with pytest.raises(ValueError) as exc:
        nn.CrossEntropyLoss()(Tensor(np.ones(3)), [0])
    assert_names_shapes(str(exc.value), (3,))


@pytest.mark.parametrize("bad", [1.5, -0.1, float("nan")])
def test_bce_predictions_outside_unit_interval(bad):
    p = Tensor([0.2, bad, 0.7], requires_grad=True)
    with pytest.raises(ValueError) as exc:
        nn.BCELoss()(p, np.array([0.0, 1.0, 1.0]))
    assert "[0, 1]" in str(exc.value) or "probabilit" in str(exc.value)


def test_bce_shape_mismatch():
    with pytest.raises(ValueError) as exc:
        nn.BCELoss()(Tensor(np.full((4, 1), 0.5)), np.zeros(4))
    assert_names_shapes(str(exc.value), (4, 1), (4,))


@pytest.mark.parametrize("pred_shape,target_shape", [((4, 1), (4,)), ((4,), (4, 1)),
                                                     ((2, 3), (3,)), ((3,), (1,))])
def test_mse_shape_mismatch_does_not_broadcast(pred_shape, target_shape):
    pred = Tensor(np.ones(pred_shape), requires_grad=True)
    with pytest.raises(ValueError) as exc:
        nn.MSELoss()(pred, np.zeros(target_shape))
    msg = str(exc.value)
    assert "MSELoss" in msg
    assert_names_shapes(msg, pred_shape, target_shape)
    with pytest.raises(ValueError):
        nn.MSELoss()(pred, Tensor(np.zeros(target_shape)))


# --------------------------------------------------------------------------- nn


def test_linear_wrong_input_features():
    lin = nn.Linear(3, 2, rng=0)
    with pytest.raises(ValueError) as exc:
        lin(Tensor(np.ones((5, 4))))
    assert_names_shapes(str(exc.value), (5, 4))


def test_inplace_shape_mismatch_under_no_grad():
    from tinygrad_edu import no_grad

    t = Tensor(np.ones(3))
    with no_grad(), pytest.raises(ValueError):
        t += np.ones((2, 3))
    np.testing.assert_array_equal(t.data, np.ones(3))
