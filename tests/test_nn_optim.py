"""nn (Module, Linear, activations, Sequential, losses), optim (SGD, Adam) and save/load,
checked against NumPy formulas and, when it is installed, PyTorch."""

from __future__ import annotations

import os
import types

import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu import Tensor, nn, optim

RNG = np.random.default_rng(2024)


def close(actual, expected, rtol=1e-12, atol=1e-14):
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, f"shape {actual.shape} != {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4, rng=0)
        self.act = nn.Sigmoid()
        self.fc2 = nn.Linear(4, 1, rng=1)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


# --------------------------------------------------------------------------- Module


class TestModule:
    def test_parameters_is_an_iterator(self):
        m = TwoLayer()
        ps = m.parameters()
        assert isinstance(ps, types.GeneratorType) or iter(ps) is ps
        listed = list(ps)
        assert len(listed) == 4
        assert list(ps) == []  # used up, as in PyTorch
        assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in listed)
        assert listed[0] is m.fc1.weight and listed[1] is m.fc1.bias
        assert listed[2] is m.fc2.weight and listed[3] is m.fc2.bias

    def test_named_parameters_dotted(self):
        m = TwoLayer()
        names = [n for n, _ in m.named_parameters()]
        assert names == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]

    def test_sequential_names(self):
        seq = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU(), nn.Linear(3, 1, rng=1))
        assert [n for n, _ in seq.named_parameters()] == \
            ["0.weight", "0.bias", "2.weight", "2.bias"]

    def test_nested_names(self):
        class Outer(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Sequential(nn.Linear(2, 2, rng=0), nn.Tanh())
                self.scale = nn.Parameter(np.ones(1))

        # As in PyTorch: a module's own parameters first, then its children's.
        assert [n for n, _ in Outer().named_parameters()] == \
            ["scale", "body.0.weight", "body.0.bias"]

    def test_shared_parameter_listed_once(self):
        lin = nn.Linear(2, 2, rng=0)
        seq = nn.Sequential(lin, nn.Tanh(), lin)
        params = list(seq.parameters())
        assert len(params) == 2
        assert params[0] is lin.weight and params[1] is lin.bias
        assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias"]
        assert list(seq.state_dict()) == ["0.weight", "0.bias"]

    def test_zero_grad_sets_none(self):
        m = TwoLayer()
        m(Tensor(RNG.standard_normal((5, 3)))).sum().backward()
        assert all(p.grad is not None for p in m.parameters())
        m.zero_grad()
        assert all(p.grad is None for p in m.parameters())

    def test_state_dict_is_a_copy(self):
        m = TwoLayer()
        sd = m.state_dict()
        assert list(sd) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
        for v in sd.values():
            assert isinstance(v, np.ndarray)
        before = m.fc1.weight.data.copy()
        sd["fc1.weight"][...] = 123.0
        np.testing.assert_array_equal(m.fc1.weight.data, before)
        assert not np.shares_memory(sd["fc1.weight"], m.fc1.weight.data)

    def test_load_state_dict_round_trip(self):
        a, b = TwoLayer(), TwoLayer()
        for p in b.parameters():
            p.data[...] = RNG.standard_normal(p.shape)
        x = Tensor(RNG.standard_normal((4, 3)))
        assert not np.allclose(a(x).data, b(x).data)
        weight_array = a.fc1.weight.data
        sd = b.state_dict()
        a.load_state_dict(sd)
        assert a.fc1.weight.data is weight_array  # loaded in place, parameter kept
        np.testing.assert_array_equal(a(x).data, b(x).data)
        for k, v in a.state_dict().items():
            np.testing.assert_array_equal(v, sd[k])
        sd["fc1.weight"][...] = 0.0  # the loaded values are a copy
        assert not np.all(a.fc1.weight.data == 0.0)

    def test_module_call_runs_forward(self):
        class Double(nn.Module):
            def forward(self, x):
                return x * 2.0

        out = Double()(Tensor([1.0, 2.0]))
        np.testing.assert_array_equal(out.data, [2.0, 4.0])


# --------------------------------------------------------------------------- layers


class TestLayers:
    def test_linear_layout_and_forward(self):
        lin = nn.Linear(3, 5, rng=0)
        assert lin.weight.shape == (3, 5)
        assert lin.bias.shape == (5,)
        x = RNG.standard_normal((4, 3))
        out = lin(Tensor(x))
        close(out.data, x @ lin.weight.data + lin.bias.data)

    def test_linear_without_bias(self):
        lin = nn.Linear(3, 2, bias=False, rng=0)
        assert [n for n, _ in lin.named_parameters()] == ["weight"]
        x = RNG.standard_normal((2, 3))
        close(lin(Tensor(x)).data, x @ lin.weight.data)

    def test_linear_init_bounds_and_rng(self):
        a = nn.Linear(16, 8, rng=3)
        b = nn.Linear(16, 8, rng=3)
        np.testing.assert_array_equal(a.weight.data, b.weight.data)
        assert np.all(np.abs(a.weight.data) <= 0.25) and np.all(np.abs(a.bias.data) <= 0.25)
        assert a.weight.dtype == np.float64

    def test_linear_gradients(self):
        lin = nn.Linear(3, 2, rng=0)
        x = RNG.standard_normal((4, 3))
        g = RNG.standard_normal((4, 2))
        lin(Tensor(x)).backward(g)
        close(lin.weight.grad.data, x.T @ g)
        close(lin.bias.grad.data, g.sum(axis=0))

    @pytest.mark.parametrize("mod,fn", [
        (nn.Sigmoid, sigmoid),
        (nn.Tanh, np.tanh),
        (nn.ReLU, lambda a: np.maximum(a, 0.0)),
    ])
    def test_activations(self, mod, fn):
        a = RNG.standard_normal((3, 4))
        close(mod()(Tensor(a)).data, fn(a))
        assert list(mod().parameters()) == []

    def test_sequential(self):
        l1, l2 = nn.Linear(3, 4, rng=0), nn.Linear(4, 2, rng=1)
        act = nn.Tanh()
        seq = nn.Sequential(l1, act, l2)
        assert len(seq) == 3
        assert seq[0] is l1 and seq[1] is act and seq[2] is l2 and seq[-1] is l2
        assert list(seq) == [l1, act, l2]
        x = RNG.standard_normal((5, 3))
        expected = np.tanh(x @ l1.weight.data + l1.bias.data) @ l2.weight.data + l2.bias.data
        close(seq(Tensor(x)).data, expected)


# --------------------------------------------------------------------------- losses


class TestMSELoss:
    def test_mean_and_sum(self):
        p = RNG.standard_normal((4, 2))
        t = RNG.standard_normal((4, 2))
        pred = Tensor(p, requires_grad=True)
        loss = nn.MSELoss()(pred, t)
        close(loss.data, np.mean((p - t) ** 2))
        loss.backward()
        close(pred.grad.data, 2 * (p - t) / p.size)
        pred.grad = None
        loss = nn.MSELoss(reduction="sum")(pred, Tensor(t))
        close(loss.data, np.sum((p - t) ** 2))
        loss.backward()
        close(pred.grad.data, 2 * (p - t))

    def test_target_gets_gradient(self):
        p = RNG.standard_normal(5)
        t = RNG.standard_normal(5)
        pred = Tensor(p, requires_grad=True)
        target = Tensor(t, requires_grad=True)
        nn.MSELoss()(pred, target).backward()
        close(target.grad.data, -2 * (p - t) / 5)
        close(pred.grad.data, 2 * (p - t) / 5)

    def test_constant_target_gets_none(self):
        pred = Tensor([1.0, 2.0], requires_grad=True)
        target = Tensor([0.0, 0.0])
        nn.MSELoss()(pred, target).backward()
        assert target.grad is None

    def test_vs_torch(self):
        torch = pytest.importorskip("torch")
        p = RNG.standard_normal((3, 4))
        t = RNG.standard_normal((3, 4))
        for red in ("mean", "sum"):
            pred = Tensor(p, requires_grad=True)
            nn.MSELoss(reduction=red)(pred, t).backward()
            tp = torch.tensor(p, requires_grad=True)
            tl = torch.nn.MSELoss(reduction=red)(tp, torch.tensor(t))
            tl.backward()
            close(pred.grad.data, tp.grad.numpy())


class TestBCELoss:
    P = np.array([[0.1], [0.8], [0.45], [0.999]])
    Y = np.array([[0.0], [1.0], [1.0], [0.0]])

    def test_vs_numpy(self):
        p, y = self.P, self.Y
        pred = Tensor(p, requires_grad=True)
        loss = nn.BCELoss()(pred, y)
        close(loss.data, np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))
        loss.backward()
        close(pred.grad.data, (p - y) / (p * (1 - p)) / p.size, rtol=1e-10)
        pred.grad = None
        loss = nn.BCELoss(reduction="sum")(pred, Tensor(y))
        close(loss.data, np.sum(-(y * np.log(p) + (1 - y) * np.log(1 - p))))

    def test_soft_targets_and_target_gradient(self):
        p = np.array([0.3, 0.6, 0.9])
        y = np.array([0.2, 0.5, 0.7])
        pred = Tensor(p, requires_grad=True)
        target = Tensor(y, requires_grad=True)
        nn.BCELoss(reduction="sum")(pred, target).backward()
        close(target.grad.data, np.log(1 - p) - np.log(p))
        close(pred.grad.data, (p - y) / (p * (1 - p)))

    def test_extremes_stay_finite(self):
        pred = Tensor([0.0, 1.0, 0.0, 1.0], requires_grad=True)
        y = np.array([0.0, 1.0, 1.0, 0.0])
        loss = nn.BCELoss(reduction="sum")(pred, y)
        # log is floored at -100, as in PyTorch: two confident mistakes cost 100 each.
        close(loss.data, 200.0)
        loss.backward()
        assert np.all(np.isfinite(pred.grad.data))

    def test_vs_torch(self):
        torch = pytest.importorskip("torch")
        p = np.array([0.0, 0.1, 0.5, 0.9, 1.0, 0.3])
        y = np.array([0.0, 1.0, 0.5, 1.0, 1.0, 0.0])
        for red in ("mean", "sum"):
            pred = Tensor(p, requires_grad=True)
            loss = nn.BCELoss(reduction=red)(pred, y)
            loss.backward()
            tp = torch.tensor(p, requires_grad=True)
            tl = torch.nn.BCELoss(reduction=red)(tp, torch.tensor(y))
            tl.backward()
            close(loss.data, tl.detach().numpy())
            close(pred.grad.data, tp.grad.numpy(), rtol=1e-10)


class TestCrossEntropyLoss:
    Z = np.array([[2.0, -1.0, 0.5], [0.1, 0.2, 0.3], [-3.0, 4.0, 1.0], [1.0, 1.0, 1.0]])
    LAB = np.array([0, 2, 1, 1])

    @staticmethod
    def numpy_ce(z, lab):
        zs = z - z.max(axis=1, keepdims=True)
        logp = zs - np.log(np.exp(zs).sum(axis=1, keepdims=True))
        n = len(lab)
        losses = -logp[np.arange(n), lab]
        soft = np.exp(logp)
        onehot = np.eye(z.shape[1])[lab]
        return losses, soft - onehot

    @pytest.mark.parametrize("kind", ["array", "list", "tensor", "float_array"])
    def test_vs_numpy(self, kind):
        labels = {"array": self.LAB, "list": self.LAB.tolist(), "tensor": Tensor(self.LAB),
                  "float_array": self.LAB.astype(float)}[kind]
        logits = Tensor(self.Z, requires_grad=True)
        loss = nn.CrossEntropyLoss()(logits, labels)
        losses, dz = self.numpy_ce(self.Z, self.LAB)
        close(loss.data, losses.mean())
        loss.backward()
        close(logits.grad.data, dz / len(self.LAB))

    def test_sum(self):
        logits = Tensor(self.Z, requires_grad=True)
        loss = nn.CrossEntropyLoss(reduction="sum")(logits, self.LAB)
        losses, dz = self.numpy_ce(self.Z, self.LAB)
        close(loss.data, losses.sum())
        loss.backward()
        close(logits.grad.data, dz)

    def test_large_logits_stable(self):
        z = np.array([[1000.0, 0.0], [0.0, -1000.0]])
        logits = Tensor(z, requires_grad=True)
        loss = nn.CrossEntropyLoss(reduction="sum")(logits, [1, 1])
        close(loss.data, 2000.0)
        loss.backward()
        close(logits.grad.data, [[1.0, -1.0], [1.0, -1.0]])

    def test_vs_torch(self):
        torch = pytest.importorskip("torch")
        z = RNG.standard_normal((6, 4))
        lab = np.array([3, 0, 1, 1, 2, 0])
        for red in ("mean", "sum"):
            logits = Tensor(z, requires_grad=True)
            loss = nn.CrossEntropyLoss(reduction=red)(logits, Tensor(lab))
            loss.backward()
            tz = torch.tensor(z, requires_grad=True)
            tl = torch.nn.CrossEntropyLoss(reduction=red)(tz, torch.tensor(lab))
            tl.backward()
            close(loss.data, tl.detach().numpy())
            close(logits.grad.data, tz.grad.numpy())


# --------------------------------------------------------------------------- optim


def _param_with_grad(value, grad):
    p = nn.Parameter(np.array(value, dtype=float))
    p.grad = Tensor(np.array(grad, dtype=float))
    return p


class TestSGD:
    def test_plain_step(self):
        p = _param_with_grad([1.0, -2.0], [0.5, 4.0])
        arr = p.data
        opt = optim.SGD([p], lr=0.1)
        opt.step()
        close(p.data, [1.0 - 0.05, -2.0 - 0.4])
        assert p.data is arr  # updated in place
        assert p.grad is not None  # step does not clear gradients

    def test_momentum_by_hand(self):
        p = _param_with_grad([1.0], [1.0])
        opt = optim.SGD([p], lr=0.5, momentum=0.9)
        grads = [1.0, 2.0, -1.0, 0.5]
        v, x = 0.0, 1.0
        for k, g in enumerate(grads):
            p.grad = Tensor([g])
            opt.step()
            v = g if k == 0 else 0.9 * v + g
            x -= 0.5 * v
            close(p.data, [x])

    @pytest.mark.parametrize("dtype", [np.float64, np.float32])
    @pytest.mark.parametrize("shape", [(300, 100), (8193,), (2, 3)])
    @pytest.mark.parametrize("momentum", [0.0, 0.5])
    def test_large_params_match_plain_formula_exactly(self, dtype, shape, momentum):
        # Big parameters are updated a block at a time (no temporary the size of p); the
        # arithmetic is the plain p -= lr*g, v = momentum*v + g, element for element.
        rng = np.random.default_rng(7)
        x0 = rng.standard_normal(shape).astype(dtype)
        grads = [rng.standard_normal(shape).astype(dtype) for _ in range(3)]
        p = nn.Parameter(x0.copy())
        arr = p.data
        opt = optim.SGD([p], lr=0.3, momentum=momentum)
        x, v = x0.copy(), None
        for g in grads:
            p.grad = Tensor(g)
            opt.step()
            v = g.copy() if v is None else momentum * v + g
            x -= 0.3 * (v if momentum else g)
            assert p.data.dtype == dtype
            np.testing.assert_array_equal(p.data, x)
        assert p.data is arr
        np.testing.assert_array_equal(p.grad.data, grads[-1])  # the gradient is left alone

    def test_non_contiguous_param(self):
        base = np.arange(40000.0).reshape(200, 200)
        p = nn.Parameter(np.zeros((200, 200)))
        p.data = base.T.copy().T  # a Fortran-ordered array: not C-contiguous
        g = np.ones((200, 200))
        p.grad = Tensor(g)
        optim.SGD([p], lr=2.0).step()
        np.testing.assert_array_equal(p.data, base - 2.0)

    def test_skips_params_without_grad(self):
        p = nn.Parameter(np.array([1.0]))
        q = _param_with_grad([1.0], [1.0])
        optim.SGD([p, q], lr=1.0).step()
        close(p.data, [1.0])
        close(q.data, [0.0])

    def test_zero_grad(self):
        p = _param_with_grad([1.0], [1.0])
        q = _param_with_grad([2.0], [3.0])
        opt = optim.SGD([p, q], lr=0.1)
        opt.zero_grad()
        assert p.grad is None and q.grad is None

    def test_accepts_generator(self):
        m = TwoLayer()
        opt = optim.SGD(m.parameters(), lr=0.1)
        assert len(opt.param_groups[0]["params"]) == 4
        x = Tensor(RNG.standard_normal((5, 3)))
        before = [p.data.copy() for p in m.parameters()]
        m(x).sum().backward()
        expected = [b - 0.1 * p.grad.data for b, p in zip(before, m.parameters(), strict=True)]
        opt.step()
        for p, e in zip(m.parameters(), expected, strict=True):
            close(p.data, e)

    def test_accepts_tuple_and_named_generator(self):
        m = TwoLayer()
        opt = optim.Adam((p for _, p in m.named_parameters()), lr=0.01)
        assert len(opt.param_groups[0]["params"]) == 4
        opt2 = optim.SGD(tuple(m.parameters()), lr=0.01)
        assert len(opt2.param_groups[0]["params"]) == 4

    def test_training_reduces_loss(self):
        X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
        y = np.array([[0, 0, 1, 1]], dtype=float).T
        m = TwoLayer()
        opt = optim.SGD(m.parameters(), lr=1.0, momentum=0.5)
        loss_fn = nn.MSELoss()
        first = None
        for _ in range(200):
            opt.zero_grad()
            loss = loss_fn(m(Tensor(X)).sigmoid(), y)
            first = loss.item() if first is None else first
            loss.backward()
            opt.step()
        assert loss.item() < 0.2 * first

    @pytest.mark.parametrize("momentum", [0.0, 0.9])
    def test_vs_torch(self, momentum):
        torch = pytest.importorskip("torch")
        w0 = RNG.standard_normal((3, 2))
        xs = [RNG.standard_normal((4, 3)) for _ in range(5)]
        w = nn.Parameter(w0.copy())
        tw = torch.tensor(w0.copy(), requires_grad=True)
        opt = optim.SGD([w], lr=0.05, momentum=momentum)
        topt = torch.optim.SGD([tw], lr=0.05, momentum=momentum)
        for x in xs:
            opt.zero_grad()
            ((Tensor(x) @ w).tanh() ** 2).sum().backward()
            opt.step()
            topt.zero_grad()
            ((torch.tensor(x) @ tw).tanh() ** 2).sum().backward()
            topt.step()
            close(w.data, tw.detach().numpy(), rtol=1e-12, atol=1e-13)


class TestAdam:
    def test_first_step_by_hand(self):
        # With bias correction, the first step is lr * g / (|g| + eps): about lr * sign(g).
        p = _param_with_grad([1.0, 1.0, 1.0], [0.3, -2.0, 0.0])
        optim.Adam([p], lr=0.1).step()
        g = np.array([0.3, -2.0, 0.0])
        close(p.data, 1.0 - 0.1 * g / (np.abs(g) + 1e-8))

    def test_two_steps_by_hand(self):
        b1, b2, lr, eps = 0.9, 0.999, 0.01, 1e-8
        p = _param_with_grad([0.5], [1.0])
        opt = optim.Adam([p], lr=lr)
        m = v = 0.0
        x = 0.5
        for t, g in enumerate([1.0, -3.0, 0.25], start=1):
            p.grad = Tensor([g])
            opt.step()
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            x -= lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
            close(p.data, [x])

    def test_vs_torch(self):
        torch = pytest.importorskip("torch")
        shapes = [(3, 4), (4,), (4, 1), (1,)]
        init = [RNG.standard_normal(s) for s in shapes]
        X = RNG.standard_normal((8, 3))
        Y = RNG.standard_normal((8, 1))
        ps = [nn.Parameter(a.copy()) for a in init]
        tps = [torch.tensor(a.copy(), requires_grad=True) for a in init]
        opt = optim.Adam(ps, lr=0.01)
        topt = torch.optim.Adam(tps, lr=0.01)
        for _ in range(10):
            opt.zero_grad()
            h = (Tensor(X) @ ps[0] + ps[1]).tanh()
            d = h @ ps[2] + ps[3] - Tensor(Y)
            (d * d).mean().backward()
            opt.step()
            topt.zero_grad()
            th = torch.tanh(torch.tensor(X) @ tps[0] + tps[1])
            td = th @ tps[2] + tps[3] - torch.tensor(Y)
            (td * td).mean().backward()
            topt.step()
            for p, tp in zip(ps, tps, strict=True):
                close(p.data, tp.detach().numpy(), rtol=1e-12, atol=1e-12)

    def test_step_count_is_per_parameter(self):
        # As in PyTorch: a parameter skipped (grad None) on a step does not advance its own
        # step count, so its bias correction starts at t=1 on its first real update.
        b1, b2, lr, eps = 0.9, 0.999, 0.1, 1e-8
        p = _param_with_grad([1.0], [0.5])
        q = nn.Parameter(np.array([1.0]))
        opt = optim.Adam([p, q], lr=lr)
        opt.step()  # q has no gradient yet
        close(q.data, [1.0])
        m = v = 0.0
        x = 1.0
        for t, g in enumerate([0.3, -0.2], start=1):
            p.grad = Tensor([g])
            q.grad = Tensor([g])
            opt.step()
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            x -= lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
            close(q.data, [x])

    def test_skipped_parameter_vs_torch(self):
        torch = pytest.importorskip("torch")
        p, q = nn.Parameter(np.array([1.0, 2.0])), nn.Parameter(np.array([-1.0]))
        tp = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
        tq = torch.tensor([-1.0], dtype=torch.float64, requires_grad=True)
        opt, topt = optim.Adam([p, q], lr=0.05), torch.optim.Adam([tp, tq], lr=0.05)
        for k in range(6):
            opt.zero_grad()
            topt.zero_grad()
            use_q = k % 3 != 0  # q sits out steps 0 and 3
            loss = (p * p).sum() + ((q * p[0]).sum() if use_q else 0.0)
            loss.backward()
            tloss = (tp * tp).sum() + ((tq * tp[0]).sum() if use_q else 0.0)
            tloss.backward()
            opt.step()
            topt.step()
            close(p.data, tp.detach().numpy(), rtol=1e-12, atol=1e-12)
            close(q.data, tq.detach().numpy(), rtol=1e-12, atol=1e-12)

    def test_zero_grad_and_generator(self):
        m = TwoLayer()
        opt = optim.Adam(m.parameters())
        assert opt.param_groups[0]["lr"] == 1e-3
        m(Tensor(RNG.standard_normal((2, 3)))).sum().backward()
        opt.zero_grad()
        assert all(p.grad is None for p in m.parameters())


# --------------------------------------------------------------------------- save / load


class TestSaveLoad:
    def test_round_trip_exact(self, tmp_path):
        m = TwoLayer()
        sd = m.state_dict()
        path = tmp_path / "weights.npz"
        tinygrad_edu.save(sd, path)
        loaded = tinygrad_edu.load(path)
        assert list(loaded) == list(sd)
        for k in sd:
            assert loaded[k].dtype == sd[k].dtype
            assert loaded[k].tobytes() == sd[k].tobytes()
        m2 = TwoLayer()
        for p in m2.parameters():
            p.data[...] = 0.0
        m2.load_state_dict(loaded)
        x = Tensor(RNG.standard_normal((3, 3)))
        np.testing.assert_array_equal(m2(x).data, m(x).data)

    def test_float32_kept(self, tmp_path):
        a = np.array([1.1, 2.2, np.pi], dtype=np.float32)
        path = tmp_path / "f32.npz"
        tinygrad_edu.save({"w": a, "t": Tensor(a)}, path)
        out = tinygrad_edu.load(path)
        for k in ("w", "t"):
            assert out[k].dtype == np.float32
            assert out[k].tobytes() == a.tobytes()

    def test_special_values_exact(self, tmp_path):
        a = np.array([0.1, -0.0, np.inf, -np.inf, 1e-308, 5e-324, 1.7976931348623157e308])
        path = tmp_path / "special.npz"
        tinygrad_edu.save({"a": a}, path)
        assert tinygrad_edu.load(path)["a"].tobytes() == a.tobytes()

    @pytest.mark.parametrize("name", ["model.weights", "model", "ckpt.bin", "x.npz"])
    def test_path_written_exactly_as_given(self, tmp_path, name):
        path = tmp_path / name
        tinygrad_edu.save({"w": np.ones(2)}, path)
        assert sorted(os.listdir(tmp_path)) == [name]
        np.testing.assert_array_equal(tinygrad_edu.load(path)["w"], np.ones(2))

    def test_str_path(self, tmp_path):
        path = str(tmp_path / "as_str.weights")
        tinygrad_edu.save({"w": np.zeros(3)}, path)
        assert os.path.exists(path) and not os.path.exists(path + ".npz")
        np.testing.assert_array_equal(tinygrad_edu.load(path)["w"], np.zeros(3))

    def test_object_array_file_refused(self, tmp_path):
        path = tmp_path / "evil.npz"
        with open(path, "wb") as f:
            np.savez(f, w=np.array([{"a": 1}, None], dtype=object))
        with pytest.raises(ValueError):
            tinygrad_edu.load(path)

    def test_pickle_file_refused(self, tmp_path):
        path = tmp_path / "evil.npy"
        with open(path, "wb") as f:
            np.save(f, np.array([object()], dtype=object), allow_pickle=True)
        with pytest.raises((ValueError, OSError)):
            tinygrad_edu.load(path)

    def test_save_refuses_object_arrays(self, tmp_path):
        with pytest.raises(TypeError):
            tinygrad_edu.save({"w": np.array([None], dtype=object)}, tmp_path / "x.npz")
