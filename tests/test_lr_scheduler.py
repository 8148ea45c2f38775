"""optim.lr_scheduler: every scheduler's learning rates against torch's, epoch by epoch.

Each test builds an optimizer with two parameter groups (lr 0.1 and 0.05) in both
libraries, attaches the same scheduler, and compares every group's lr after the constructor
and after each of 30 ``step()`` calls. Schedulers compute in PyTorch's recursive form from
the current lr, with the same float operations in the same order, so the lrs must be equal to
the last bit: the comparison is exact.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from helpers import requires_torch, torch

from tinygrad_edu import nn, optim
from tinygrad_edu.optim import lr_scheduler

pytestmark = requires_torch

EPOCHS = 30


def make_optimizers(name="SGD", **kw):
    """The same two-group optimizer in both libraries (lrs 0.1 and 0.05)."""
    ours = [nn.Parameter(np.ones(2)), nn.Parameter(np.ones(3))]
    theirs = [torch.ones(2, dtype=torch.float64, requires_grad=True),
              torch.ones(3, dtype=torch.float64, requires_grad=True)]
    opt = getattr(optim, name)([{"params": ours[:1]}, {"params": ours[1:], "lr": 0.05}],
                               lr=0.1, **kw)
    topt = getattr(torch.optim, name)([{"params": theirs[:1]},
                                       {"params": theirs[1:], "lr": 0.05}], lr=0.1, **kw)
    return opt, topt


def lrs(opt):
    return [g["lr"] for g in opt.param_groups]


def assert_same_lrs(sched, tsched, opt, topt, epoch):
    assert lrs(opt) == lrs(topt), f"epoch {epoch}: {lrs(opt)} != {lrs(topt)}"
    assert sched.get_last_lr() == tsched.get_last_lr(), f"epoch {epoch}"
    assert sched.last_epoch == tsched.last_epoch, f"epoch {epoch}"


CASES = [
    ("StepLR", {"step_size": 7, "gamma": 0.5}),
    ("StepLR", {"step_size": 3}),
    ("MultiStepLR", {"milestones": [3, 10, 10, 20], "gamma": 0.3}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 10, "eta_min": 0.001}),
    ("CosineAnnealingLR", {"T_max": 7}),
    ("LambdaLR", {"lr_lambda": lambda e: 1.0 / (e + 1)}),
    ("LambdaLR", {"lr_lambda": [lambda e: 0.9**e, lambda e: 1 + 0.1 * e]}),
    ("MultiplicativeLR", {"lr_lambda": lambda e: 0.95}),
    ("MultiplicativeLR", {"lr_lambda": [lambda e: 0.9, lambda e: 1.0 + 0.01 * e]}),
    ("LinearLR", {}),
    ("LinearLR", {"start_factor": 0.25, "end_factor": 0.8, "total_iters": 8}),
    ("ConstantLR", {}),
    ("ConstantLR", {"factor": 0.5, "total_iters": 4}),
]


def case_id(case):
    name, kw = case
    return name + "(" + ",".join(f"{k}={v if not callable(v) else 'fn'}"
                                 for k, v in kw.items()) + ")"


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_lr_sequence_matches_torch(case):
    name, kw = case
    opt, topt = make_optimizers()
    sched = getattr(lr_scheduler, name)(opt, **kw)
    tsched = getattr(torch.optim.lr_scheduler, name)(topt, **kw)
    assert sched.base_lrs == tsched.base_lrs == [0.1, 0.05]
    assert_same_lrs(sched, tsched, opt, topt, 0)  # the constructor's step
    for epoch in range(1, EPOCHS + 1):
        opt.step()
        topt.step()
        sched.step()
        tsched.step()
        assert_same_lrs(sched, tsched, opt, topt, epoch)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.05]


@pytest.mark.parametrize("kw", [
    {"max_lr": 1.0, "total_steps": 30},
    {"max_lr": [1.0, 0.5], "epochs": 3, "steps_per_epoch": 10, "anneal_strategy": "linear"},
    {"max_lr": 0.8, "total_steps": 30, "three_phase": True, "pct_start": 0.25},
    {"max_lr": 0.8, "total_steps": 30, "div_factor": 10.0, "final_div_factor": 100.0,
     "base_momentum": 0.8, "max_momentum": [0.9, 0.99]},
    {"max_lr": 0.8, "total_steps": 30, "cycle_momentum": False},
], ids=["cos", "linear-per-group", "three-phase", "factors", "no-momentum"])
@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_one_cycle_matches_torch(kw, name):
    opt, topt = make_optimizers(name, **({"momentum": 0.9} if name == "SGD" else {}))
    sched = lr_scheduler.OneCycleLR(opt, **kw)
    tsched = torch.optim.lr_scheduler.OneCycleLR(topt, **kw)
    key = "momentum" if name == "SGD" else "betas"
    for epoch in range(kw.get("total_steps", 30)):
        if epoch:
            opt.step()
            topt.step()
            sched.step()
            tsched.step()
        assert_same_lrs(sched, tsched, opt, topt, epoch)
        assert [g[key] for g in opt.param_groups] == [g[key] for g in topt.param_groups]
    with pytest.raises(ValueError, match="Tried to step 31 times"):
        sched.step()
        sched.step()


def test_two_schedulers_on_one_optimizer_compose_as_in_torch():
    opt, topt = make_optimizers()
    scheds = [lr_scheduler.ExponentialLR(opt, gamma=0.9),
              lr_scheduler.StepLR(opt, step_size=4, gamma=0.5)]
    tscheds = [torch.optim.lr_scheduler.ExponentialLR(topt, gamma=0.9),
               torch.optim.lr_scheduler.StepLR(topt, step_size=4, gamma=0.5)]
    for epoch in range(EPOCHS):
        opt.step()
        topt.step()
        for s, ts in zip(scheds, tscheds, strict=True):
            s.step()
            ts.step()
        assert lrs(opt) == lrs(topt), epoch


def test_scheduler_changes_what_the_optimizer_does():
    p = nn.Parameter(np.array([1.0]))
    opt = optim.SGD([p], lr=0.5)
    sched = lr_scheduler.StepLR(opt, step_size=1, gamma=0.1)
    tp = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
    topt = torch.optim.SGD([tp], lr=0.5)
    tsched = torch.optim.lr_scheduler.StepLR(topt, step_size=1, gamma=0.1)
    for _ in range(3):
        (p * p).sum().backward()
        (tp * tp).sum().backward()
        opt.step()
        topt.step()
        opt.zero_grad()
        topt.zero_grad()
        sched.step()
        tsched.step()
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-15)


@pytest.mark.parametrize("case", [
    ("StepLR", {"step_size": 4, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [2, 5, 5], "gamma": 0.5}),
    ("ExponentialLR", {"gamma": 0.8}),
    ("CosineAnnealingLR", {"T_max": 6, "eta_min": 0.01}),
    ("LinearLR", {"start_factor": 0.5, "total_iters": 4}),
    ("ConstantLR", {"factor": 0.5, "total_iters": 3}),
    ("LambdaLR", {"lr_lambda": lambda e: 0.5 ** e}),
], ids=case_id)
def test_step_with_an_epoch_uses_the_closed_form_and_warns(case):
    name, kw = case
    opt, topt = make_optimizers()
    sched = getattr(lr_scheduler, name)(opt, **kw)
    tsched = getattr(torch.optim.lr_scheduler, name)(topt, **kw)
    for epoch in (3, 7, 5):
        opt.step()
        topt.step()
        with pytest.warns(UserWarning, match="epoch parameter"):
            sched.step(epoch)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tsched.step(epoch)
        assert lrs(opt) == lrs(topt), epoch
        assert sched.last_epoch == epoch


@pytest.mark.parametrize("case", [
    ("StepLR", {"step_size": 4, "gamma": 0.5}),
    ("CosineAnnealingLR", {"T_max": 6, "eta_min": 0.01}),
    ("LinearLR", {"start_factor": 0.5, "total_iters": 12}),
    ("MultiplicativeLR", {"lr_lambda": lambda e: 0.9}),
], ids=case_id)
def test_state_dict_round_trip_mid_schedule(case):
    name, kw = case
    opt, topt = make_optimizers()
    sched = getattr(lr_scheduler, name)(opt, **kw)
    tsched = getattr(torch.optim.lr_scheduler, name)(topt, **kw)
    for _ in range(10):
        opt.step()
        topt.step()
        sched.step()
        tsched.step()
    sd, osd = sched.state_dict(), opt.state_dict()
    assert "optimizer" not in sd
    assert sd["last_epoch"] == tsched.state_dict()["last_epoch"] == 10
    assert sd["base_lrs"] == tsched.state_dict()["base_lrs"]
    # Resume as PyTorch's docs say: build the scheduler, then load both states.
    opt2, _ = make_optimizers()
    sched2 = getattr(lr_scheduler, name)(opt2, **kw)
    sched2.load_state_dict(sd)
    opt2.load_state_dict(osd)
    for epoch in range(11, 25):
        for o in (opt, opt2, topt):
            o.step()
        for s in (sched, sched2, tsched):
            s.step()
        assert lrs(opt2) == lrs(opt) == lrs(topt), epoch
        assert sched2.get_last_lr() == tsched.get_last_lr()


def test_lambda_state_dict_keeps_callable_objects_state():
    class Decay:
        def __init__(self):
            self.rate = 0.5

        def __call__(self, epoch):
            return self.rate ** epoch

    opt, _ = make_optimizers()
    fn = Decay()
    sched = lr_scheduler.LambdaLR(opt, [fn, lambda e: 1.0])
    fn.rate = 0.25
    sd = sched.state_dict()
    assert sd["lr_lambdas"] == [{"rate": 0.25}, None]
    fresh = Decay()
    sched2 = lr_scheduler.LambdaLR(make_optimizers()[0], [fresh, lambda e: 1.0])
    sched2.load_state_dict(sd)
    assert fresh.rate == 0.25
    assert "lr_lambdas" in sd  # the caller's dict is left as it was


def test_resuming_with_last_epoch_needs_initial_lr():
    opt, topt = make_optimizers()
    with pytest.raises(KeyError):
        torch.optim.lr_scheduler.StepLR(topt, step_size=3, last_epoch=5)
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.StepLR(opt, step_size=3, last_epoch=5)


def test_resuming_with_last_epoch_matches_torch():
    opt, topt = make_optimizers()
    for g, tg in zip(opt.param_groups, topt.param_groups, strict=True):
        g["initial_lr"] = tg["initial_lr"] = 0.4
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=10, last_epoch=4)
    tsched = torch.optim.lr_scheduler.CosineAnnealingLR(topt, T_max=10, last_epoch=4)
    assert sched.base_lrs == tsched.base_lrs == [0.4, 0.4]
    for epoch in range(12):
        assert_same_lrs(sched, tsched, opt, topt, epoch)
        opt.step()
        topt.step()
        sched.step()
        tsched.step()


# --------------------------------------------------------------------------- ReduceLROnPlateau


LOSSES = [1.0, 0.9, 0.8, 0.8, 0.8, 0.8, 0.79995, 0.7, 0.7, 0.71, 0.72, 0.73, 0.74, 0.6,
          0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.4, 0.4,
          0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4]


@pytest.mark.parametrize("kw", [
    {},
    {"patience": 2},
    {"patience": 1, "factor": 0.5, "cooldown": 2},
    {"patience": 0, "factor": 0.5, "min_lr": 0.01},
    {"patience": 1, "factor": 0.3, "min_lr": [0.02, 0.001], "eps": 1e-3},
    {"patience": 2, "threshold": 0.01, "threshold_mode": "abs"},
    {"patience": 2, "threshold": 0.2, "threshold_mode": "rel"},
    {"mode": "max", "patience": 1},
    {"mode": "max", "patience": 2, "threshold_mode": "abs", "threshold": 0.05, "cooldown": 1},
], ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()) or "defaults")
def test_reduce_on_plateau_matches_torch(kw):
    opt, topt = make_optimizers()
    sched = lr_scheduler.ReduceLROnPlateau(opt, **kw)
    tsched = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **kw)
    metrics = LOSSES if kw.get("mode") != "max" else [1 - x for x in LOSSES]
    for epoch, m in enumerate(metrics):
        opt.step()
        topt.step()
        sched.step(m)
        tsched.step(m)
        assert lrs(opt) == lrs(topt), f"epoch {epoch}: {lrs(opt)} != {lrs(topt)}"
        assert sched.get_last_lr() == tsched.get_last_lr()
        assert (sched.best, sched.num_bad_epochs, sched.cooldown_counter, sched.last_epoch) \
            == (tsched.best, tsched.num_bad_epochs, tsched.cooldown_counter,
                tsched.last_epoch), epoch


def test_reduce_on_plateau_takes_a_tensor_metric_and_round_trips():
    from tinygrad_edu import Tensor

    opt, topt = make_optimizers()
    sched = lr_scheduler.ReduceLROnPlateau(opt, patience=1)
    tsched = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, patience=1)
    for m in LOSSES[:10]:
        sched.step(Tensor(m))
        tsched.step(torch.tensor(m))
    sd = sched.state_dict()
    opt2 = make_optimizers()[0]
    sched2 = lr_scheduler.ReduceLROnPlateau(opt2, mode="max")
    sched2.load_state_dict(sd)
    opt2.load_state_dict(opt.state_dict())
    assert sched2.mode == "min" and sched2.mode_worse == math.inf
    for m in LOSSES[10:]:
        sched.step(m)
        sched2.step(m)
        tsched.step(m)
        assert sched.get_last_lr() == sched2.get_last_lr() == tsched.get_last_lr()


# --------------------------------------------------------------------------- errors, warnings


BAD = [
    ("ConstantLR", {"factor": 1.5}),
    ("ConstantLR", {"factor": -0.1}),
    ("LinearLR", {"start_factor": 0.0}),
    ("LinearLR", {"start_factor": 1.5}),
    ("LinearLR", {"end_factor": 1.5}),
    ("LambdaLR", {"lr_lambda": [lambda e: 1.0]}),
    ("ReduceLROnPlateau", {"factor": 1.0}),
    ("ReduceLROnPlateau", {"mode": "avg"}),
    ("ReduceLROnPlateau", {"threshold_mode": "relative"}),
    ("ReduceLROnPlateau", {"min_lr": [0.1]}),
    ("OneCycleLR", {"max_lr": 1.0}),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 0}),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 10, "pct_start": 1.5}),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 10, "anneal_strategy": "exp"}),
    ("OneCycleLR", {"max_lr": [1.0], "total_steps": 10}),
]


@pytest.mark.parametrize("case", BAD, ids=case_id)
def test_bad_arguments_raise_value_error_as_in_torch(case):
    name, kw = case
    opt, topt = make_optimizers()
    with pytest.raises(ValueError):
        getattr(torch.optim.lr_scheduler, name)(topt, **kw)
    with pytest.raises(ValueError) as exc:
        getattr(lr_scheduler, name)(opt, **kw)
    assert name in str(exc.value)


def test_one_cycle_needs_momentum_to_cycle_it():
    p = nn.Parameter(np.ones(1))
    tp = torch.ones(1, requires_grad=True)
    with pytest.raises(ValueError):
        torch.optim.lr_scheduler.OneCycleLR(torch.optim.Adagrad([tp]), max_lr=1.0,
                                            total_steps=5)
    with pytest.raises(ValueError, match="momentum or beta1"):
        lr_scheduler.OneCycleLR(optim.Adagrad([p]), max_lr=1.0, total_steps=5)
    sched = lr_scheduler.OneCycleLR(optim.Adagrad([p]), max_lr=1.0, total_steps=5,
                                    cycle_momentum=False)
    tsched = torch.optim.lr_scheduler.OneCycleLR(torch.optim.Adagrad([tp]), max_lr=1.0,
                                                 total_steps=5, cycle_momentum=False)
    assert sched.get_last_lr() == tsched.get_last_lr()


def test_not_an_optimizer():
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        lr_scheduler.StepLR([], step_size=1)
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        lr_scheduler.ReduceLROnPlateau([])


def test_scheduler_step_before_optimizer_step_warns_as_torch():
    opt, topt = make_optimizers()
    sched = lr_scheduler.StepLR(opt, step_size=2)
    tsched = torch.optim.lr_scheduler.StepLR(topt, step_size=2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        tsched.step()
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()


def test_no_warning_in_the_right_order():
    opt, _ = make_optimizers()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched = lr_scheduler.CosineAnnealingLR(opt, T_max=3)
        for _ in range(4):
            opt.step()
            sched.step()
        sched.get_last_lr()


def test_get_lr_outside_step_warns():
    opt, _ = make_optimizers()
    sched = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    with pytest.warns(UserWarning, match="get_last_lr"):
        sched.get_lr()


def test_the_watched_step_still_returns_the_loss():
    p = nn.Parameter(np.ones(2))
    opt = optim.SGD([p], lr=0.1)
    lr_scheduler.StepLR(opt, step_size=1)
    lr_scheduler.ExponentialLR(opt, gamma=0.9)  # a second scheduler does not wrap it twice
    assert opt.step(lambda: 3.5) == 3.5
    assert opt.step.__doc__ == optim.SGD.step.__doc__


def test_get_last_lr_is_a_copy():
    opt, _ = make_optimizers()
    sched = lr_scheduler.StepLR(opt, step_size=2)
    sched.get_last_lr()[0] = 99.0
    assert sched.get_last_lr() == [0.1, 0.05]


def test_missing_scheduler_names_say_so():
    with pytest.raises(AttributeError, match="does not implement "
                                             "torch.optim.lr_scheduler.CyclicLR"):
        lr_scheduler.CyclicLR  # noqa: B018
    assert optim.lr_scheduler is lr_scheduler
