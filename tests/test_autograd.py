"""The Tensor contract of api.md ("Tensor" and "Precise semantics"): construction,
attributes, backward, accumulation, grad mode, in-place updates and custom Functions.

Every expected value here comes from NumPy or from a derivative worked out by hand, never
from the engine itself.
"""

from __future__ import annotations

import operator
import threading

import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu import Function, Tensor, no_grad
from tinygrad_edu.tensor import Context

RNG = np.random.default_rng(1234)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def close(actual, expected, rtol=1e-12, atol=1e-14):
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, f"shape {actual.shape} != {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


# --------------------------------------------------------------------------- construction


class TestConstruction:
    def test_python_scalar(self):
        t = Tensor(2.5)
        assert t.shape == () and t.ndim == 0 and t.size == 1
        assert t.dtype == np.float64
        assert t.item() == 2.5

    def test_python_int_scalar_becomes_float64(self):
        t = Tensor(3)
        assert t.dtype == np.float64
        assert t.item() == 3.0 and isinstance(t.item(), float)

    def test_nested_list(self):
        t = Tensor([[1, 2, 3], [4, 5, 6]])
        assert t.shape == (2, 3) and t.ndim == 2 and t.size == 6
        assert t.dtype == np.float64
        np.testing.assert_array_equal(t.data, np.array([[1.0, 2, 3], [4, 5, 6]]))

    def test_bool_becomes_float64(self):
        t = Tensor(np.array([True, False, True]))
        assert t.dtype == np.float64
        np.testing.assert_array_equal(t.data, [1.0, 0.0, 1.0])

    @pytest.mark.parametrize("int_dtype", [np.int8, np.int32, np.int64, np.uint8])
    def test_integer_arrays_become_float64(self, int_dtype):
        t = Tensor(np.array([1, 2, 3], dtype=int_dtype))
        assert t.dtype == np.float64
        np.testing.assert_array_equal(t.data, [1.0, 2.0, 3.0])

    def test_ndarray_is_copied_not_aliased(self):
        a = np.array([1.0, 2.0, 3.0])
        t = Tensor(a)
        assert not np.shares_memory(t.data, a)
        a[0] = 100.0
        assert t.data[0] == 1.0
        t.data[1] = -7.0
        assert a[1] == 2.0

    def test_float32_array_is_copied_and_kept_float32(self):
        a = np.array([1.5, 2.5], dtype=np.float32)
        t = Tensor(a)
        assert t.dtype == np.float32
        assert not np.shares_memory(t.data, a)

    def test_tensor_is_copied_without_graph_link(self):
        x = Tensor([1.0, 2.0], requires_grad=True)
        y = x * 3.0
        z = Tensor(y)
        assert not np.shares_memory(z.data, y.data)
        assert z.is_leaf
        assert z.requires_grad is False
        np.testing.assert_array_equal(z.data, [3.0, 6.0])
        # No link: a backward through z cannot reach x.
        z.requires_grad_()
        (z * z).sum().backward()
        assert x.grad is None
        close(z.grad.data, [6.0, 12.0])

    def test_float32_tensor_copy_stays_float32(self):
        t = Tensor(Tensor([1.5], dtype=np.float32))
        assert t.dtype == np.float32
        assert Tensor(Tensor([1.5], dtype=np.float32), dtype=np.float64).dtype == np.float64

    def test_dtype_argument(self):
        t = Tensor([1, 2], dtype=np.float32)
        assert t.dtype == np.float32
        u = Tensor(np.array([1.0, 2.0], dtype=np.float32), dtype=np.float64)
        assert u.dtype == np.float64
        v = Tensor([1.5], dtype="float32")
        assert v.dtype == np.float32

    @pytest.mark.parametrize("bad", [np.complex128, object, np.float16, np.uint64])
    def test_unsupported_dtype_argument_refused(self, bad):
        with pytest.raises(TypeError):
            Tensor([1.0], dtype=bad)

    @pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_])
    def test_integer_and_bool_tensors_exist_when_asked_for(self, dtype):
        t = Tensor([1.7, 0.0, -2.2] if dtype != np.uint8 else [1.7, 0.0, 2.2], dtype=dtype)
        assert t.dtype == dtype
        expected = np.array([1.7, 0.0, -2.2] if dtype != np.uint8 else [1.7, 0.0, 2.2])
        np.testing.assert_array_equal(t.data, expected.astype(dtype))  # truncated, as torch
        with pytest.raises(RuntimeError, match="floating point"):
            Tensor([1, 2], dtype=dtype, requires_grad=True)
        with pytest.raises(RuntimeError, match="floating point"):
            t.requires_grad_()

    def test_name(self):
        t = Tensor([1.0], name="syn0")
        assert t.name == "syn0"
        assert Tensor([1.0]).name is None

    def test_requires_grad_flag(self):
        assert Tensor([1.0]).requires_grad is False
        assert Tensor([1.0], requires_grad=True).requires_grad is True

    def test_new_tensor_has_no_grad(self):
        assert Tensor([1.0], requires_grad=True).grad is None


# --------------------------------------------------------------------------- attributes


class TestAttributes:
    def test_shape_ndim_size_dtype(self):
        t = Tensor(np.zeros((2, 3, 4)))
        assert t.shape == (2, 3, 4)
        assert t.ndim == 3
        assert t.size == 24
        assert t.dtype == np.float64
        assert isinstance(t.data, np.ndarray)

    def test_T_reverses_axes(self):
        a = RNG.standard_normal((2, 3, 4))
        t = Tensor(a)
        assert t.T.shape == (4, 3, 2)
        np.testing.assert_array_equal(t.T.data, a.T)

    def test_T_is_noop_on_1d(self):
        t = Tensor([1.0, 2.0, 3.0])
        assert t.T.shape == (3,)
        np.testing.assert_array_equal(t.T.data, [1.0, 2.0, 3.0])

    def test_T_gradient(self):
        a = RNG.standard_normal((2, 3))
        w = RNG.standard_normal((3, 2))
        x = Tensor(a, requires_grad=True)
        (x.T * Tensor(w)).sum().backward()
        close(x.grad.data, w.T)

    def test_is_leaf(self):
        x = Tensor([1.0], requires_grad=True)
        c = Tensor([1.0])
        assert x.is_leaf and c.is_leaf
        assert not (x * 2.0).is_leaf
        # An op on constants only records nothing.
        assert (c * 2.0).is_leaf
        assert (c * 2.0).requires_grad is False

    def test_asarray(self):
        a = RNG.standard_normal((3, 2))
        t = Tensor(a)
        arr = np.asarray(t)
        assert isinstance(arr, np.ndarray)
        np.testing.assert_array_equal(arr, a)
        assert np.asarray(t, dtype=np.float32).dtype == np.float32

    def test_numpy_returns_the_array(self):
        t = Tensor([1.0, 2.0])
        arr = t.numpy()
        assert isinstance(arr, np.ndarray)
        np.testing.assert_array_equal(arr, [1.0, 2.0])

    def test_item(self):
        assert Tensor([[4.25]]).item() == 4.25
        v = Tensor(np.array([7.0], dtype=np.float32)).item()
        assert type(v) is float and v == 7.0


class TestRepr:
    def test_repr_with_grad_fn(self):
        x = Tensor([[0.0]], requires_grad=True)
        # PyTorch's print-out (tests/test_printing.py compares many more with torch's)
        assert repr(x.sigmoid()) == "tensor([[0.5000]], grad_fn=<SigmoidBackward0>)"

    def test_repr_plain(self):
        assert repr(Tensor([1.0, 2.0])) == "tensor([1., 2.])"

    def test_repr_requires_grad_leaf(self):
        assert repr(Tensor([1.0, 2.0], requires_grad=True)) == \
            "tensor([1., 2.], requires_grad=True)"

    def test_repr_float32_shows_dtype(self):
        assert "float32" in repr(Tensor([1.0], dtype=np.float32))


# --------------------------------------------------------------------------- backward


class TestBackward:
    def test_scalar_result_default_grad_is_one(self):
        x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
        (x * x).sum().backward()
        close(x.grad.data, [2.0, 4.0, 6.0])

    def test_one_element_nonscalar_default(self):
        x = Tensor([[3.0]], requires_grad=True)
        y = x * x  # shape (1, 1): one element, so backward() needs no grad
        y.backward()
        close(x.grad.data, [[6.0]])

    def test_non_scalar_without_grad_raises(self):
        x = Tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError):
            (x * 2.0).backward()
        assert x.grad is None

    def test_backward_with_array_grad(self):
        a = RNG.standard_normal((2, 3))
        g = RNG.standard_normal((2, 3))
        x = Tensor(a, requires_grad=True)
        (x * x).backward(g)
        close(x.grad.data, 2 * a * g)

    def test_backward_with_tensor_grad(self):
        a = RNG.standard_normal((2, 3))
        g = RNG.standard_normal((2, 3))
        x = Tensor(a, requires_grad=True)
        x.exp().backward(Tensor(g))
        close(x.grad.data, np.exp(a) * g)

    def test_backward_with_nested_list_grad(self):
        x = Tensor([1.0, 2.0], requires_grad=True)
        (x * 3.0).backward([1.0, 10.0])
        close(x.grad.data, [3.0, 30.0])

    def test_grad_argument_is_not_aliased(self):
        x = Tensor([1.0, 2.0], requires_grad=True)
        y = x * 1.0
        g = np.array([5.0, 6.0])
        y.backward(g)
        g[:] = 0.0
        close(y.grad.data, [5.0, 6.0])
        close(x.grad.data, [5.0, 6.0])

    def test_backward_on_a_leaf(self):
        x = Tensor([1.0, 2.0], requires_grad=True)
        x.backward(np.array([3.0, 4.0]))
        close(x.grad.data, [3.0, 4.0])

    def test_array_on_the_left_gives_a_tensor(self):
        a = np.array([1.0, 2.0])
        x = Tensor([3.0, 5.0], requires_grad=True)
        for y, expected, dx in [
            (a + x, [4.0, 7.0], [1.0, 1.0]),
            (a - x, [-2.0, -3.0], [-1.0, -1.0]),
            (a * x, [3.0, 10.0], [1.0, 2.0]),
            (a / x, [1 / 3, 2 / 5], [-1 / 9, -2 / 25]),
        ]:
            assert isinstance(y, Tensor)
            close(y.data, expected)
            x.grad = None
            y.sum().backward()
            close(x.grad.data, dx)
        m = np.ones((3, 2)) @ x
        assert isinstance(m, Tensor) and m.shape == (3,)

    def test_grad_is_a_tensor_of_the_same_shape(self):
        x = Tensor(RNG.standard_normal((3, 1)), requires_grad=True)
        b = Tensor(RNG.standard_normal((1, 4)), requires_grad=True)
        (x + b).sum().backward()
        assert isinstance(x.grad, Tensor) and isinstance(b.grad, Tensor)
        assert x.grad.shape == (3, 1) and b.grad.shape == (1, 4)
        close(x.grad.data, np.full((3, 1), 4.0))
        close(b.grad.data, np.full((1, 4), 3.0))

    def test_accumulation_across_calls(self):
        a = np.array([0.5, -1.0])
        x = Tensor(a, requires_grad=True)
        for k in range(1, 4):
            (x * x * x).sum().backward()
            close(x.grad.data, k * 3 * a**2)

    def test_accumulation_until_zeroed(self):
        x = Tensor([2.0], requires_grad=True)
        (x * 5.0).sum().backward()
        (x * 5.0).sum().backward()
        close(x.grad.data, [10.0])
        x.grad = None
        (x * 5.0).sum().backward()
        close(x.grad.data, [5.0])

    def test_every_tensor_requiring_grad_gets_grad(self):
        # The documents' two-layer net, with the deltas written by hand in NumPy.
        X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
        y = np.array([[0, 0, 1, 1]], dtype=float).T
        w0 = RNG.standard_normal((3, 4))
        w1 = RNG.standard_normal((4, 1))
        l0 = Tensor(X)
        syn0 = Tensor(w0, requires_grad=True)
        syn1 = Tensor(w1, requires_grad=True)
        h = l0 @ syn0
        l1 = h.sigmoid()
        o = l1 @ syn1
        l2 = o.sigmoid()
        err = l2 - Tensor(y)
        loss = (err * err).sum() * 0.5
        loss.backward()

        l1_np = sigmoid(X @ w0)
        l2_np = sigmoid(l1_np @ w1)
        d_l2 = l2_np - y
        d_o = d_l2 * l2_np * (1 - l2_np)
        d_l1 = d_o @ w1.T
        d_h = d_l1 * l1_np * (1 - l1_np)
        close(loss.grad.data, 1.0)
        close(err.grad.data, d_l2)
        close(l2.grad.data, d_l2)
        close(o.grad.data, d_o)
        close(l1.grad.data, d_l1)
        close(h.grad.data, d_h)
        close(syn1.grad.data, l1_np.T @ d_o)
        close(syn0.grad.data, X.T @ d_h)
        # A constant gets nothing.
        assert l0.grad is None

    def test_tensor_not_needed_by_root_gets_no_grad(self):
        x = Tensor([1.0], requires_grad=True)
        unused = Tensor([2.0], requires_grad=True)
        _side = unused * 3.0
        (x * 2.0).sum().backward()
        assert unused.grad is None
        assert _side.grad is None

    def test_graph_and_data_survive_backward(self):
        a = RNG.standard_normal((2, 2))
        x = Tensor(a, requires_grad=True)
        h = x.tanh()
        y = (h * h).sum()
        h_before = h.data.copy()
        y_before = y.data.copy()
        y.backward()
        assert not h.is_leaf and not y.is_leaf
        assert y.grad_fn is not None and h.grad_fn is not None
        np.testing.assert_array_equal(h.data, h_before)
        np.testing.assert_array_equal(y.data, y_before)
        np.testing.assert_array_equal(x.data, a)
        src = tinygrad_edu.draw_graph(y).source
        assert "Tanh" in src and "Mul" in src and "Sum" in src

    def test_second_backward_raises_without_retain_graph(self):
        x = Tensor([0.3, -0.2], requires_grad=True)
        y = (x.sigmoid() * x).sum()
        y.backward()
        with pytest.raises(RuntimeError, match="retain_graph"):
            y.backward()

    def test_second_backward_works_with_retain_graph_and_accumulates(self):
        a = np.array([0.3, -0.2])
        x = Tensor(a, requires_grad=True)
        y = (x.sigmoid() * x).sum()
        y.backward(retain_graph=True)
        s = sigmoid(a)
        expected = s + a * s * (1 - s)
        close(x.grad.data, expected)
        y.backward(retain_graph=True)
        close(x.grad.data, 2 * expected)
        y.backward()
        close(x.grad.data, 3 * expected)
        with pytest.raises(RuntimeError):
            y.backward()

    def test_fan_out_accumulates(self):
        a = np.array([0.7, -1.3, 2.0])
        x = Tensor(a, requires_grad=True)
        # x used five times: x*x, x*3, exp(x), x/(x+4)
        y = (x * x + x * 3.0 + x.exp() + x / (x + 4.0)).sum()
        y.backward()
        expected = 2 * a + 3 + np.exp(a) + 4.0 / (a + 4.0) ** 2
        close(x.grad.data, expected)

    def test_fan_out_of_intermediate(self):
        a = np.array([[0.2, -0.4]])
        x = Tensor(a, requires_grad=True)
        h = x.tanh()
        y = (h * h + h * 2.0).sum()
        y.backward()
        t = np.tanh(a)
        close(h.grad.data, 2 * t + 2)
        close(x.grad.data, (2 * t + 2) * (1 - t**2))

    def test_same_tensor_as_both_operands(self):
        x = Tensor([3.0, -2.0], requires_grad=True)
        (x * x).sum().backward()
        close(x.grad.data, [6.0, -4.0])
        x.grad = None
        (x + x).sum().backward()
        close(x.grad.data, [2.0, 2.0])
        x.grad = None
        (x @ x).backward()
        close(x.grad.data, [6.0, -4.0])

    def test_grads_are_independent_and_writable(self):
        a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = Tensor([4.0, 5.0, 6.0], requires_grad=True)
        y = a + b  # Add hands the same incoming gradient to both inputs
        z = y * 1.0
        z.backward(np.array([1.0, 1.0, 1.0]))
        grads = [a.grad, b.grad, y.grad, z.grad]
        for g in grads:
            assert g.data.flags.writeable
        for i, gi in enumerate(grads):
            for gj in grads[i + 1:]:
                assert not np.shares_memory(gi.data, gj.data)
        a.grad.data[0] = 99.0
        a.grad.data += 1.0
        close(b.grad.data, [1.0, 1.0, 1.0])
        close(y.grad.data, [1.0, 1.0, 1.0])
        close(z.grad.data, [1.0, 1.0, 1.0])

    def test_grads_independent_through_views_and_sum(self):
        x = Tensor(RNG.standard_normal((2, 3)), requires_grad=True)
        r = x.reshape(3, 2)
        t = r.T
        s = t.sum()
        s.backward()
        for g in (x.grad, r.grad, t.grad):
            assert g.data.flags.writeable
        x.grad.data += 5.0
        close(r.grad.data, np.ones((3, 2)))
        close(t.grad.data, np.ones((2, 3)))
        assert not np.shares_memory(x.grad.data, x.data)

    def test_grads_independent_with_create_graph(self):
        a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = Tensor([4.0, 5.0, 6.0], requires_grad=True)
        y = a + b
        (y * 1.0).sum().backward(create_graph=True)
        assert a.grad is not b.grad and a.grad is not y.grad
        assert not np.shares_memory(a.grad.data, b.grad.data)
        assert not np.shares_memory(a.grad.data, y.grad.data)
        a.grad.data[0] = 99.0
        close(b.grad.data, [1.0, 1.0, 1.0])
        close(y.grad.data, [1.0, 1.0, 1.0])

    def test_pass_through_grads_independent_in_any_reading_order(self):
        # add hands its output's gradient array itself to both inputs; whichever .grad is
        # read (and changed in place) first, the others keep the true value.
        for first in range(3):
            a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
            b = Tensor([4.0, 5.0, 6.0], requires_grad=True)
            y = a + b
            (y * np.array([1.0, 2.0, 3.0])).sum().backward()
            tensors = [a, b, y]
            tensors[first].grad.data[...] = -7.0
            for i, t in enumerate(tensors):
                if i != first:
                    close(t.grad.data, [1.0, 2.0, 3.0])
            assert len({id(t.grad.data) for t in tensors}) == 3

    def test_grad_is_the_same_tensor_on_every_read(self):
        x = Tensor([1.0, 2.0], requires_grad=True)
        y = x * 3.0
        (y + 0.0).sum().backward()
        assert y.grad is y.grad and x.grad is x.grad
        y.grad.data[0] = 5.0
        close(y.grad.data, [5.0, 1.0])  # an in-place change stays

    def test_grad_setter_checks_type_shape_and_dtype(self):
        x = Tensor([1.0, 2.0], requires_grad=True)
        x.grad = Tensor([0.5, 0.5])
        close(x.grad.data, [0.5, 0.5])
        x.grad = None
        assert x.grad is None
        with pytest.raises(TypeError, match="grad: assign a Tensor or None, not ndarray"):
            x.grad = np.array([1.0, 1.0])
        with pytest.raises(RuntimeError, match=r"shape \(3,\).*shape \(2,\)"):
            x.grad = Tensor([1.0, 1.0, 1.0])
        with pytest.raises(RuntimeError, match="dtype float32"):
            x.grad = Tensor([1.0, 1.0], dtype=np.float32)

    def test_backward_accumulates_into_grad_read_or_not(self):
        for read_between in (False, True):
            x = Tensor([1.0, 2.0], requires_grad=True)
            h = x * 2.0
            y = (h + 0.0).sum()
            y.backward(retain_graph=True)
            if read_between:
                close(h.grad.data, [1.0, 1.0])
                close(x.grad.data, [2.0, 2.0])
            y.backward()
            close(h.grad.data, [2.0, 2.0])
            close(x.grad.data, [4.0, 4.0])

    def test_grad_never_aliases_data(self):
        x = Tensor([1.0, 2.0], requires_grad=True)
        y = x + 0.0
        y.backward(np.array([1.0, 1.0]))
        for t in (x, y):
            assert not np.shares_memory(t.grad.data, t.data)
            assert not np.shares_memory(t.grad.data, x.data)

    def test_backward_on_tensor_not_requiring_grad_raises(self):
        with pytest.raises(RuntimeError):
            Tensor([1.0]).sum().backward()

    def test_broadcast_gradient_summed(self):
        a = RNG.standard_normal((4, 3))
        b = RNG.standard_normal((3,))
        x = Tensor(a, requires_grad=True)
        bias = Tensor(b, requires_grad=True)
        ((x + bias) * (x + bias)).sum().backward()
        close(bias.grad.data, (2 * (a + b)).sum(axis=0))
        close(x.grad.data, 2 * (a + b))

    def test_scalar_operand_and_reflected_forms(self):
        a = np.array([1.5, -0.5])
        x = Tensor(a, requires_grad=True)
        y = (2.0 - x) * 3.0 + 1.0 / x + 2.0 ** x
        y.backward(np.ones(2))
        close(y.data, (2.0 - a) * 3.0 + 1.0 / a + 2.0 ** a)
        close(x.grad.data, -3.0 - 1.0 / a**2 + np.log(2.0) * 2.0 ** a)


# --------------------------------------------------------------------------- detach, flags


class TestDetach:
    def test_detach_shares_memory_and_has_no_graph(self):
        x = Tensor([1.0, 2.0], requires_grad=True)
        y = x * 2.0
        d = y.detach()
        assert np.shares_memory(d.data, y.data)
        assert d.requires_grad is False and d.is_leaf
        d.data[0] = 42.0
        assert y.data[0] == 42.0
        with pytest.raises(RuntimeError):
            (d * d).sum().backward()

    def test_detached_value_stops_gradient(self):
        a = np.array([0.5, 1.5])
        x = Tensor(a, requires_grad=True)
        y = (x * x.detach()).sum()
        y.backward()
        close(x.grad.data, a)  # the detached factor is a constant

    def test_requires_grad_(self):
        x = Tensor([1.0, 2.0])
        out = x.requires_grad_()
        assert out is x and x.requires_grad
        (x * 3.0).sum().backward()
        close(x.grad.data, [3.0, 3.0])
        x.requires_grad_(False)
        assert x.requires_grad is False


# --------------------------------------------------------------------------- no_grad


class TestNoGrad:
    def test_context_manager(self):
        x = Tensor([1.0], requires_grad=True)
        with no_grad():
            y = x * 2.0
            assert tinygrad_edu.is_grad_enabled() is False
        assert tinygrad_edu.is_grad_enabled() is True
        assert y.requires_grad is False
        assert y.is_leaf
        np.testing.assert_array_equal(y.data, [2.0])
        z = x * 2.0
        assert z.requires_grad and not z.is_leaf

    def test_decorator(self):
        x = Tensor([1.0], requires_grad=True)

        @no_grad()
        def evaluate(t):
            assert tinygrad_edu.is_grad_enabled() is False
            return t.sigmoid()

        out = evaluate(x)
        assert out.requires_grad is False and out.is_leaf
        assert tinygrad_edu.is_grad_enabled() is True
        assert evaluate.__name__ == "evaluate"

    def test_bare_decorator(self):
        # PyTorch accepts @torch.no_grad without parentheses too.
        @no_grad
        def evaluate(t):
            return t * 2.0

        out = evaluate(Tensor([1.0], requires_grad=True))
        assert out.requires_grad is False
        assert tinygrad_edu.is_grad_enabled() is True

    def test_nested(self):
        x = Tensor([1.0], requires_grad=True)
        with no_grad():
            with no_grad():
                a = x * 1.0
            b = x * 1.0
            with tinygrad_edu.enable_grad():
                c = x * 1.0
            d = x * 1.0
        e = x * 1.0
        assert not a.requires_grad and not b.requires_grad and not d.requires_grad
        assert c.requires_grad and e.requires_grad

    def test_restores_on_exception(self):
        with pytest.raises(ZeroDivisionError), no_grad():
            1 / 0
        assert tinygrad_edu.is_grad_enabled() is True
        with no_grad():
            with pytest.raises(KeyError), tinygrad_edu.enable_grad():
                raise KeyError("x")
            assert tinygrad_edu.is_grad_enabled() is False
        assert tinygrad_edu.is_grad_enabled() is True

    def test_decorator_restores_on_exception(self):
        @no_grad()
        def boom():
            raise ValueError("boom")

        with pytest.raises(ValueError):
            boom()
        assert tinygrad_edu.is_grad_enabled() is True

    def test_same_instance_reused(self):
        ng = no_grad()
        with ng:
            with ng:
                assert not tinygrad_edu.is_grad_enabled()
            assert not tinygrad_edu.is_grad_enabled()
        assert tinygrad_edu.is_grad_enabled()

    def test_thread_local(self):
        inside = threading.Event()
        checked = threading.Event()
        results = {}
        x = Tensor([1.0], requires_grad=True)

        def worker_no_grad():
            with no_grad():
                inside.set()
                assert checked.wait(10)
                results["a_enabled"] = tinygrad_edu.is_grad_enabled()
                results["a_rg"] = (x * 2.0).requires_grad
            results["a_after"] = tinygrad_edu.is_grad_enabled()

        def worker_grad():
            assert inside.wait(10)
            results["b_enabled"] = tinygrad_edu.is_grad_enabled()
            y = x * 2.0
            results["b_rg"] = y.requires_grad
            results["b_leaf"] = y.is_leaf
            with no_grad():  # enters and leaves while thread A is inside its own
                pass
            checked.set()

        ta = threading.Thread(target=worker_no_grad)
        tb = threading.Thread(target=worker_grad)
        ta.start()
        tb.start()
        ta.join(20)
        tb.join(20)
        assert results == {
            "a_enabled": False, "a_rg": False, "a_after": True,
            "b_enabled": True, "b_rg": True, "b_leaf": False,
        }
        assert tinygrad_edu.is_grad_enabled() is True

    def test_main_thread_unaffected_by_thread_in_no_grad(self):
        barrier = threading.Barrier(2, timeout=10)
        seen = {}

        def worker():
            with no_grad():
                barrier.wait()  # 1: worker is inside no_grad
                barrier.wait()  # 2: main has looked
                seen["worker"] = tinygrad_edu.is_grad_enabled()

        t = threading.Thread(target=worker)
        t.start()
        barrier.wait()
        x = Tensor([1.0], requires_grad=True)
        y = x * 3.0
        main_enabled = tinygrad_edu.is_grad_enabled()
        barrier.wait()
        t.join(10)
        assert main_enabled is True
        assert y.requires_grad and not y.is_leaf
        assert seen["worker"] is False


# --------------------------------------------------------------------------- identity, .data


class TestIdentityAndData:
    def test_hash_by_identity(self):
        a = Tensor([1.0, 2.0])
        b = Tensor([1.0, 2.0])
        d = {a: "a", b: "b"}
        assert d[a] == "a" and d[b] == "b"
        assert len({a, b, a}) == 2

    def test_eq_returns_bool_array(self):
        a = Tensor([1.0, 2.0, 3.0])
        b = Tensor([1.0, 5.0, 3.0])
        r = a == b
        assert isinstance(r, np.ndarray) and r.dtype == bool
        np.testing.assert_array_equal(r, [True, False, True])
        np.testing.assert_array_equal(a == 2.0, [False, True, False])

    @pytest.mark.parametrize("op,expected", [
        (operator.lt, [True, False, False]),
        (operator.le, [True, True, False]),
        (operator.gt, [False, False, True]),
        (operator.ge, [False, True, True]),
        (operator.ne, [True, False, True]),
    ])
    def test_comparisons(self, op, expected):
        a = Tensor([1.0, 2.0, 3.0])
        r = op(a, 2.0)
        assert isinstance(r, np.ndarray) and r.dtype == bool
        np.testing.assert_array_equal(r, expected)
        r2 = op(a, Tensor([2.0, 2.0, 2.0]))
        assert isinstance(r2, np.ndarray) and r2.dtype == bool
        np.testing.assert_array_equal(r2, expected)

    def test_data_is_live(self):
        x = Tensor([1.0, 2.0], requires_grad=True)
        x.data[0] = 10.0
        y = (x * x).sum()
        assert y.item() == 104.0
        y.backward()
        close(x.grad.data, [20.0, 4.0])
        x.data = np.array([3.0, 3.0])
        assert (x * 1.0).data.tolist() == [3.0, 3.0]


# --------------------------------------------------------------------------- in-place


class TestInPlace:
    @pytest.mark.parametrize("op,expected", [
        (operator.iadd, [3.0, 4.0]), (operator.isub, [-1.0, 0.0]),
        (operator.imul, [2.0, 4.0]), (operator.itruediv, [0.5, 1.0]),
    ])
    def test_inplace_under_no_grad_updates_data_in_place(self, op, expected):
        syn0 = Tensor([1.0, 2.0], requires_grad=True)
        ref = syn0
        arr = syn0.data
        with no_grad():
            syn0 = op(syn0, 2.0)  # what `syn0 += 2.0` does
        assert syn0 is ref
        assert syn0.data is arr
        np.testing.assert_array_equal(arr, expected)
        assert syn0.is_leaf and syn0.requires_grad

    def test_documents_update_with_tensor(self):
        syn0 = Tensor([[1.0, 2.0]], requires_grad=True)
        (syn0 * syn0).sum().backward()
        arr = syn0.data
        with no_grad():
            syn0 -= syn0.grad * 0.5
        assert syn0.data is arr
        np.testing.assert_array_equal(syn0.data, [[0.0, 0.0]])

    def test_inplace_with_array_operand(self):
        t = Tensor([1.0, 2.0, 3.0])
        arr = t.data
        t += np.array([1.0, 1.0, 1.0])
        assert t.data is arr
        np.testing.assert_array_equal(t.data, [2.0, 3.0, 4.0])

    @pytest.mark.parametrize("op", [operator.iadd, operator.isub, operator.imul,
                                    operator.itruediv])
    def test_inplace_on_leaf_requiring_grad_raises_while_recording(self, op):
        w = Tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError):
            op(w, 2.0)
        np.testing.assert_array_equal(w.data, [1.0, 2.0])

    def test_inplace_on_intermediate_keeps_gradient_right(self):
        x = Tensor([1.0, 2.0], requires_grad=True)
        y = x * 2.0
        y += 1.0
        y *= x
        np.testing.assert_array_equal(y.data, [3.0, 10.0])
        y.sum().backward()
        # d/dx (2x+1)*x = 4x + 1
        close(x.grad.data, [5.0, 9.0])

    def test_inplace_on_constant_with_grad_operand_records(self):
        c = Tensor([1.0, 1.0])
        x = Tensor([2.0, 3.0], requires_grad=True)
        c += x
        c *= x
        np.testing.assert_array_equal(c.data, [6.0, 12.0])
        c.sum().backward()
        close(x.grad.data, [5.0, 7.0])  # d/dx (1+x)*x = 1 + 2x

    def test_float32_inplace_stays_float32(self):
        t = Tensor([1.0, 2.0], dtype=np.float32)
        with no_grad():
            t += 0.1
        assert t.dtype == np.float32


# --------------------------------------------------------------------------- dtype rules


class TestDtype:
    def test_scalar_does_not_change_dtype(self):
        x = Tensor([1.0, 2.0], dtype=np.float32)
        for y in (x * 2.0, 2.0 * x, x + 1, x / 3.0, x ** 2, 1.0 - x):
            assert y.dtype == np.float32

    def test_mixing_gives_float64(self):
        a = Tensor([1.0], dtype=np.float32)
        b = Tensor([1.0], dtype=np.float64)
        assert (a + b).dtype == np.float64
        assert (b * a).dtype == np.float64

    def test_float32_gradient_is_float32(self):
        x = Tensor([1.0, 2.0], dtype=np.float32, requires_grad=True)
        b = Tensor([1.0, 2.0], dtype=np.float64, requires_grad=True)
        (x * b).sum().backward()
        assert x.grad.dtype == np.float32
        assert b.grad.dtype == np.float64


# --------------------------------------------------------------------------- Function


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3.0 * x * x


class ScaledSum(Function):
    """out = a * b + c, with needs_input_grad recorded for inspection."""

    seen = []

    @staticmethod
    def forward(ctx, a, b, c, scale=1.0):
        ctx.save_for_backward(a, b)
        ctx.scale = scale
        ScaledSum.seen.append(ctx.needs_input_grad)
        return scale * (a * b + c)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ScaledSum.seen.append(ctx.needs_input_grad)
        ga = grad * b * ctx.scale if ctx.needs_input_grad[0] else None
        gb = grad * a * ctx.scale if ctx.needs_input_grad[1] else None
        gc = grad * ctx.scale if ctx.needs_input_grad[2] else None
        return ga, gb, gc


class TooFew(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a * b

    @staticmethod
    def backward(ctx, grad):
        return grad


class WrongShape(Function):
    @staticmethod
    def forward(ctx, a):
        return a * 2.0

    @staticmethod
    def backward(ctx, grad):
        return np.ones(4)  # the input has shape (3,)


class TestFunction:
    def test_custom_op(self):
        a = np.array([1.0, -2.0, 0.5])
        x = Tensor(a, requires_grad=True)
        y = Cube.apply(x)
        assert isinstance(y, Tensor)
        assert repr(y).endswith("grad_fn=<CubeBackward>)")
        close(y.data, a**3)
        y.sum().backward()
        close(x.grad.data, 3 * a**2)

    def test_needs_input_grad_and_kwargs(self):
        ScaledSum.seen.clear()
        a = Tensor([1.0, 2.0], requires_grad=True)
        b = Tensor([3.0, 4.0])  # constant tensor
        out = ScaledSum.apply(a, b, 5.0, scale=2.0)
        close(out.data, 2.0 * (np.array([3.0, 8.0]) + 5.0))
        out.sum().backward()
        assert tuple(ScaledSum.seen[-1]) == (True, False, False)
        close(a.grad.data, [6.0, 8.0])
        assert b.grad is None

    def test_custom_op_without_grad_records_nothing(self):
        out = Cube.apply(Tensor([2.0]))
        assert out.is_leaf and not out.requires_grad
        x = Tensor([2.0], requires_grad=True)
        with no_grad():
            out = Cube.apply(x)
        assert out.is_leaf and not out.requires_grad

    def test_wrong_number_of_gradients(self):
        a = Tensor([1.0, 2.0], requires_grad=True)
        b = Tensor([3.0, 4.0], requires_grad=True)
        y = TooFew.apply(a, b)
        with pytest.raises(RuntimeError) as exc:
            y.sum().backward()
        msg = str(exc.value)
        assert "TooFew" in msg
        assert "1" in msg and "2" in msg

    def test_wrong_gradient_shape(self):
        a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = WrongShape.apply(a)
        with pytest.raises(RuntimeError) as exc:
            y.sum().backward()
        msg = str(exc.value)
        assert "WrongShape" in msg
        assert "(4,)" in msg and "(3,)" in msg
        assert "input 0" in msg or "input" in msg

    def test_wrong_gradient_shape_second_input(self):
        class Bad(Function):
            @staticmethod
            def forward(ctx, a, b):
                return a + b

            @staticmethod
            def backward(ctx, grad):
                return grad, np.ones((5, 2))

        a = Tensor(np.ones((2, 3)), requires_grad=True)
        b = Tensor(np.ones((2, 3)), requires_grad=True)
        with pytest.raises(RuntimeError) as exc:
            Bad.apply(a, b).sum().backward()
        msg = str(exc.value)
        assert "Bad" in msg and "(5, 2)" in msg and "(2, 3)" in msg and "1" in msg

    def test_saved_tensors_after_release(self):
        x = Tensor([1.0], requires_grad=True)
        y = Cube.apply(x)
        y.sum().backward()
        with pytest.raises(RuntimeError, match="retain_graph"):
            y.sum().backward()

    def test_apply_fills_every_context_field(self):
        # apply fills the context inline instead of calling Context.__init__: both must set
        # every field, or a read in backward (or in gradcheck's per-node rerun) fails.
        fields = [f for f in Context.__slots__ if f != "__dict__"]
        x = Tensor([1.0, 2.0], requires_grad=True)
        recorded = Cube.apply(x)._ctx
        built = Context(Cube)
        for ctx in (recorded, built):
            assert [f for f in fields if not hasattr(ctx, f)] == []
        assert recorded.fn is Cube and len(recorded.parents) == 1 and recorded.parents[0] is x
        assert recorded.needs_input_grad == (True,) and recorded.args[0] is x

    def test_context_attribute_never_set(self):
        # Attributes an op sets in forward come back in backward; one never set is an
        # AttributeError naming it (not None, not a stale value from another node).
        class Forgetful(Function):
            @staticmethod
            def forward(ctx, x):
                ctx.factor = 2.0
                return x * 2.0

            @staticmethod
            def backward(ctx, grad):
                return grad * ctx.factor * ctx.fcator  # typo: never set

        x = Tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(AttributeError, match="fcator"):
            Forgetful.apply(x).sum().backward()


# --------------------------------------------------------------------------- grad()


class TestGradFunction:
    def test_returns_grads_without_touching_grad(self):
        a = np.array([0.5, -1.0])
        b = np.array([2.0, 3.0])
        x = Tensor(a, requires_grad=True)
        w = Tensor(b, requires_grad=True)
        h = x * w
        y = h.sigmoid().sum()
        gx, gw = tinygrad_edu.grad(y, [x, w])
        s = sigmoid(a * b)
        close(gx.data, s * (1 - s) * b)
        close(gw.data, s * (1 - s) * a)
        assert x.grad is None and w.grad is None and h.grad is None and y.grad is None

    def test_single_input_returns_tuple(self):
        x = Tensor([3.0], requires_grad=True)
        out = tinygrad_edu.grad((x * x).sum(), x)
        assert isinstance(out, tuple) and len(out) == 1
        close(out[0].data, [6.0])

    def test_grad_outputs(self):
        x = Tensor([1.0, 2.0], requires_grad=True)
        (g,) = tinygrad_edu.grad(x * x, [x], grad_outputs=np.array([10.0, 100.0]))
        close(g.data, [20.0, 400.0])

    def test_allow_unused(self):
        x = Tensor([1.0], requires_grad=True)
        z = Tensor([1.0], requires_grad=True)
        with pytest.raises(RuntimeError):
            tinygrad_edu.grad((x * 2.0).sum(), [x, z])
        y = (x * 2.0).sum()
        gx, gz = tinygrad_edu.grad(y, [x, z], allow_unused=True)
        close(gx.data, [2.0])
        assert gz is None

    def test_grad_of_intermediate(self):
        x = Tensor([1.0, 2.0], requires_grad=True)
        h = x * 3.0
        y = (h * h).sum()
        gh, gx = tinygrad_edu.grad(y, [h, x])
        close(gh.data, [6.0, 12.0])
        close(gx.data, [18.0, 36.0])

    def test_returned_grads_are_independent_with_create_graph(self):
        a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = Tensor([4.0, 5.0, 6.0], requires_grad=True)
        ga, gb = tinygrad_edu.grad((a + b) * 1.0, [a, b], grad_outputs=np.ones(3),
                                   create_graph=True)
        assert ga is not gb
        assert not np.shares_memory(ga.data, gb.data)
        ga.data[0] = 99.0
        close(gb.data, [1.0, 1.0, 1.0])

    def test_returned_grads_are_independent(self):
        a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = Tensor([4.0, 5.0, 6.0], requires_grad=True)
        ga, gb = tinygrad_edu.grad(a + b, [a, b], grad_outputs=np.ones(3))
        assert not np.shares_memory(ga.data, gb.data)
        ga.data[0] = 99.0
        close(gb.data, [1.0, 1.0, 1.0])


def test_comparisons_of_a_0d_tensor_are_arrays_too() -> None:
    # api.md: comparisons return plain boolean np.ndarray; NumPy alone gives np.bool_ for 0-d
    t = Tensor(2.0)
    reflected = 3 > t  # noqa: SIM300 (the reflected comparison is what is tested)
    for result in (t < 3, t <= 2, t > 1, t >= 5, t == 2, t != 2, reflected, Tensor(1.0) < t):
        assert isinstance(result, np.ndarray) and result.dtype == bool and result.shape == ()
    assert bool(t < 3) and not bool(t >= 5)
