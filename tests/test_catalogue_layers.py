"""The layer exercises (catalogue/layers.py, catalogue/manual_mlp.py): the reference solutions
pass the checker, the expected values are PyTorch's, typical wrong answers fail at the right
quantity with their hint, and the starter files fail with a message, not a crash.

The solution and starter files go through ``exercises.check(name, path)`` (the sandbox
process); the wrong answers, many more, run in this process through ``check(name, function)``,
which compares them exactly as a file's values are compared.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import types
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import TORCH_TOL, requires_torch, torch

from tinygrad_edu import exercises
from tinygrad_edu.exercises import EXERCISES, CheckResult, sandbox
from tinygrad_edu.exercises.core import Case
from tinygrad_edu.exercises.i18n import Msg, tr

REPO = Path(__file__).resolve().parents[1]

NAMES = ["layer-cross-entropy-grad", "layer-batchnorm-backward", "layer-layernorm-backward",
         "layer-embedding-backward", "layer-conv2d-backward", "layer-lstm-cell-backward",
         "manual-mlp-batchnorm"]


@pytest.fixture(scope="module")
def files_checked(tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[dict[tuple[str, str], CheckResult]]:
    """Each exercise's solution and starter written to a file and checked by the sandbox."""
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), old]))
    root = tmp_path_factory.mktemp("layer_answers")
    jobs = {}
    for name in NAMES:
        for kind in ("solution", "starter"):
            path = root / f"{kind}_{name.replace('-', '_')}.py"
            path.write_text(getattr(EXERCISES[name], kind), encoding="utf-8")
            jobs[kind, name] = path
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {k: pool.submit(exercises.check, k[1], p) for k, p in jobs.items()}
            yield {k: f.result() for k, f in futures.items()}
    finally:
        if old is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = old


# --------------------------------------------------------------------------- the catalogue


@pytest.mark.parametrize("name", NAMES)
def test_exercise_is_bilingual_and_registered(name: str) -> None:
    ex = EXERCISES[name]
    assert ex.document == "engine" and ex.protocol == "call"
    for zh in (ex.title_zh, ex.statement_zh, *(c.label_zh for c in ex.cases())):
        assert re.search(r"[\u4e00-\u9fff]", zh), f"{name}: Chinese text missing"
    for q in ex.quantities:  # the notation is the same in both languages
        assert q in ex.statement and q in ex.statement_zh, q
    for hint in ex.mistakes:
        assert isinstance(hint, Msg), hint
        assert re.search(r"[\u4e00-\u9fff]", hint.zh) and not re.search(r"[\u4e00-\u9fff]",
                                                                           hint.en)


@pytest.mark.parametrize("name", NAMES)
def test_numerical_agrees_with_autograd(name: str) -> None:
    """The two oracles agree on every case, within the tolerance the checker gives finite
    differences (rtol 1e-4, atol 1e-6: their rounding error at an input of 1000 is ~3e-7),
    so a learner matching the engine cannot fail the second oracle."""
    ex = EXERCISES[name]
    assert ex.numerical is not None
    for case in ex.cases():
        expected, numerical = ex.expected(case), ex.numerical(case)
        assert numerical, case.label
        for q, value in numerical.items():
            np.testing.assert_allclose(value, expected[q], rtol=1e-4, atol=1e-6,
                                       err_msg=f"{case.label}: {q}")


def test_edge_cases_hold_what_their_labels_say() -> None:
    cases = {c.label: c.inputs for c in EXERCISES["layer-embedding-backward"].cases()}
    idx = cases["repeated indices"]["idx"]
    assert len(np.unique(idx)) < idx.size
    mlp = {c.label: c.inputs for c in EXERCISES["manual-mlp-batchnorm"].cases()}
    assert (mlp["padding contexts (repeated indices)"]["Xb"] == 0).sum() > 5
    ce = {c.label: c.inputs for c in EXERCISES["layer-cross-entropy-grad"].cases()}
    with np.errstate(over="ignore"):
        assert np.isinf(np.exp(ce["large logits"]["logits"])).any()
    bn = {c.label: c.inputs for c in EXERCISES["layer-batchnorm-backward"].cases()}
    assert (bn["a constant feature"]["x"].var(axis=0) == 0).any()
    conv = {c.label: c.inputs for c in EXERCISES["layer-conv2d-backward"].cases()}
    assert conv["stride 2, padding 1"]["padding"] == 1
    # (6 - 3) // 2 + 1 = 2 windows, rows 0..4: the last row is read by none
    assert EXERCISES["layer-conv2d-backward"].expected(
        Case("unused", conv["stride leaves the last row unused"]))["dx"][:, :, 5].any() == 0


# --------------------------------------------------------------------------- PyTorch


def _t(a: Any, grad: bool = True) -> Any:
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def _torch_ce(i: dict[str, Any]) -> dict[str, Any]:
    z = _t(i["logits"])
    torch.nn.functional.cross_entropy(z, torch.tensor(i["targets"])).backward()
    return {"dlogits": z.grad}


def _torch_bn(i: dict[str, Any]) -> dict[str, Any]:
    x, g, b = _t(i["x"]), _t(i["gamma"]), _t(i["beta"])
    out = torch.nn.functional.batch_norm(x, None, None, g, b, training=True, eps=i["eps"])
    out.backward(_t(i["dout"], False))
    return {"dbeta": b.grad, "dgamma": g.grad, "dx": x.grad}


def _torch_ln(i: dict[str, Any]) -> dict[str, Any]:
    x, g, b = _t(i["x"]), _t(i["gamma"]), _t(i["beta"])
    out = torch.nn.functional.layer_norm(x, (x.shape[-1],), g, b, eps=i["eps"])
    out.backward(_t(i["dout"], False))
    return {"dbeta": b.grad, "dgamma": g.grad, "dx": x.grad}


def _torch_emb(i: dict[str, Any]) -> dict[str, Any]:
    w = _t(i["weight"])
    torch.nn.functional.embedding(torch.tensor(i["idx"]), w).backward(_t(i["dout"], False))
    return {"dweight": w.grad}


def _torch_conv(i: dict[str, Any]) -> dict[str, Any]:
    x, w, b = _t(i["x"]), _t(i["w"]), _t(i["b"])
    out = torch.nn.functional.conv2d(x, w, b, stride=i["stride"], padding=i["padding"])
    out.backward(_t(i["dout"], False))
    return {"db": b.grad, "dw": w.grad, "dx": x.grad}


def _torch_lstm(i: dict[str, Any]) -> dict[str, Any]:
    n_in, hs = i["x"].shape[1], i["h_prev"].shape[1]
    cell = torch.nn.LSTMCell(n_in, hs, dtype=torch.float64)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).copy_(torch.from_numpy(i[name]))
    x, h, c = _t(i["x"]), _t(i["h_prev"]), _t(i["c_prev"])
    h2, c2 = cell(x, (h, c))
    ((h2 * _t(i["dh"], False)).sum() + (c2 * _t(i["dc"], False)).sum()).backward()
    out = {"dc_prev": c.grad, "dx": x.grad, "dh_prev": h.grad}
    out.update({f"d{k}": getattr(cell, k).grad
                for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")})
    # The gates' gradient from torch's own cell: one whose input IS the input projection
    # (weight_ih the identity, no bias_ih) gives it as the gradient of its input.
    gates_cell = torch.nn.LSTMCell(4 * hs, hs, dtype=torch.float64)
    with torch.no_grad():
        gates_cell.weight_ih.copy_(torch.eye(4 * hs, dtype=torch.float64))
        gates_cell.bias_ih.zero_()
        gates_cell.weight_hh.copy_(torch.from_numpy(i["weight_hh"]))
        gates_cell.bias_hh.copy_(torch.from_numpy(i["bias_hh"]))
    gi = _t(i["x"] @ i["weight_ih"].T + i["bias_ih"])
    h3, c3 = gates_cell(gi, (_t(i["h_prev"], False), _t(i["c_prev"], False)))
    ((h3 * _t(i["dh"], False)).sum() + (c3 * _t(i["dc"], False)).sum()).backward()
    out["dgates"] = gi.grad
    return out


def _torch_mlp(i: dict[str, Any]) -> dict[str, Any]:
    F = torch.nn.functional
    p = {k: _t(i[k]) for k in ("C", "W1", "bngain", "bnbias", "W2", "b2")}
    n, xb = i["Xb"].shape[0], torch.tensor(i["Xb"])
    v: dict[str, Any] = {}

    def keep(name: str, x: Any) -> Any:
        x.retain_grad()
        v[name] = x
        return x

    emb = keep("emb", p["C"][xb])
    embcat = keep("embcat", emb.view(n, -1))
    hprebn = keep("hprebn", embcat @ p["W1"])
    bnmeani = keep("bnmeani", hprebn.mean(0, keepdim=True))
    bndiff = keep("bndiff", hprebn - bnmeani)
    bndiff2 = keep("bndiff2", bndiff ** 2)
    bnvar = keep("bnvar", bndiff2.mean(0, keepdim=True))
    bnvar_inv = keep("bnvar_inv", (bnvar + 1e-5) ** -0.5)
    bnraw = keep("bnraw", bndiff * bnvar_inv)
    hpreact = keep("hpreact", p["bngain"] * bnraw + p["bnbias"])
    h = keep("h", torch.tanh(hpreact))
    logits = keep("logits", h @ p["W2"] + p["b2"])
    F.cross_entropy(logits, torch.tensor(i["Yb"])).backward()
    out = {f"d{k}": x.grad for k, x in {**v, **p}.items()}
    # The steps above are BatchNorm: torch's own layer gives the same parameter gradients.
    q = {k: _t(i[k]) for k in p}
    pre = F.embedding(xb, q["C"]).view(n, -1) @ q["W1"]
    act = F.batch_norm(pre, None, None, q["bngain"].view(-1), q["bnbias"].view(-1),
                       training=True, eps=1e-5)
    F.cross_entropy(torch.tanh(act) @ q["W2"] + q["b2"], torch.tensor(i["Yb"])).backward()
    for k, x in q.items():
        np.testing.assert_allclose(x.grad.numpy(), out[f"d{k}"].numpy(), rtol=1e-12,
                                   atol=1e-14, err_msg=f"torch's batch_norm: d{k}")
    return out


TORCH: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "layer-cross-entropy-grad": _torch_ce, "layer-batchnorm-backward": _torch_bn,
    "layer-layernorm-backward": _torch_ln, "layer-embedding-backward": _torch_emb,
    "layer-conv2d-backward": _torch_conv, "layer-lstm-cell-backward": _torch_lstm,
    "manual-mlp-batchnorm": _torch_mlp,
}


@requires_torch
@pytest.mark.parametrize("name", NAMES)
def test_expected_is_pytorchs(name: str) -> None:
    ex = EXERCISES[name]
    for case in ex.cases():
        mine, theirs = ex.expected(case), TORCH[name](case.inputs)
        for q in ex.quantities:
            t = theirs[q].detach().numpy()
            assert mine[q].shape == t.shape, (case.label, q)
            np.testing.assert_allclose(mine[q], t, rtol=TORCH_TOL, atol=TORCH_TOL,
                                       err_msg=f"{name}, case {case.label}: {q}")


# --------------------------------------------------------------------------- the files


@pytest.mark.parametrize("name", NAMES)
def test_reference_solution_passes(files_checked: dict[tuple[str, str], CheckResult],
                                   name: str) -> None:
    result = files_checked["solution", name]
    assert result.error is None, result.error
    assert result.passed, result.report()
    ex = EXERCISES[name]
    assert len(result.checks) == len(ex.cases()) * len(ex.quantities)
    assert [tr(o, "en") for o in result.oracles] == ["the engine's autograd",
                                                     "finite differences"]


@pytest.mark.parametrize("name", NAMES)
def test_starter_fails_with_a_message(files_checked: dict[tuple[str, str], CheckResult],
                                      name: str) -> None:
    result = files_checked["starter", name]
    assert not result.passed
    assert result.error is None, result.error  # the file runs: each case says what is missing
    # a starter that raises is an error of each case; one that returns `...` fails each
    # quantity it has not written yet, with that said
    messages = [tr(e, "en") or "" for e in result.case_errors.values()]
    if not result.case_errors:
        assert all(c["status"] == "fail" for c in result.checks)
        messages = [tr(c.get("hint"), "en") or "" for c in result.checks]
    else:
        assert set(result.case_errors) == {c.label for c in EXERCISES[name].cases()}
        assert "could not be checked" in result.report(lang="en")
    for message in messages:
        assert "Traceback" not in message and "tinygrad_edu/exercises" not in message
        assert "`...`" in message or "NotImplementedError" in message, message
    assert "`...`" in result.report(lang="en") or "NotImplementedError" in result.report()
    assert re.search(r"[\u4e00-\u9fff]", result.report(lang="zh"))


# --------------------------------------------------------------------------- wrong answers


@dataclass
class Wrong:
    """A typical wrong answer: the solution with ``edits`` made (every ``old`` -> ``new``)."""

    exercise: str
    edits: list[tuple[str, str]]
    quantity: str  # the first wrong quantity the report must name
    hint: str | None = None  # words the English hint must contain (None: any or none)
    case: str | None = None  # the first case that must fail, when it matters


WRONG: dict[str, Wrong] = {
    # cross-entropy
    "ce: no /N": Wrong("layer-cross-entropy-grad", [("return p / n", "return p")], "dlogits",
                       "the mean is missing", case="random"),
    "ce: no one-hot": Wrong("layer-cross-entropy-grad",
                            [("p[np.arange(n), targets] -= 1", "pass")], "dlogits",
                            "one-hot term is missing"),
    "ce: unshifted softmax overflows": Wrong(
        "layer-cross-entropy-grad",
        [("z = logits - logits.max(axis=1, keepdims=True)", "z = logits")], "dlogits",
        case="large logits"),
    "ce: mean over N*C": Wrong("layer-cross-entropy-grad",
                               [("return p / n", "return p / p.size")], "dlogits",
                               "divided by N*C"),
    # batchnorm
    "bn: unbiased variance": Wrong("layer-batchnorm-backward",
                                   [("x.var(axis=0)", "x.var(axis=0, ddof=1)")], "dgamma",
                                   "unbiased variance"),
    "bn: statistics as constants": Wrong(
        "layer-batchnorm-backward",
        [("dx = (n * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)) "
          "/ (n * std)", "dx = dxhat / std")], "dx", "treated as constants"),
    "bn: variance path forgotten": Wrong(
        "layer-batchnorm-backward",
        [(" - xhat * (dxhat * xhat).sum(axis=0)", "")], "dx", "variance's path is missing"),
    "bn: dgamma not summed": Wrong("layer-batchnorm-backward",
                                   [("(dout * xhat).sum(axis=0)", "dout * xhat")], "dgamma",
                                   "not reduced"),
    "bn: dbeta as a mean": Wrong("layer-batchnorm-backward",
                                 [("dbeta = dout.sum(axis=0)", "dbeta = dout.mean(axis=0)")],
                                 "dbeta", "averaged over the rows"),
    "ln: dgamma as a mean": Wrong("layer-layernorm-backward",
                                  [("dgamma = (dout * xhat).sum(axis=lead)",
                                    "dgamma = (dout * xhat).mean(axis=lead)")],
                                  "dgamma", "averaged over the rows"),
    # layernorm
    "ln: unbiased variance": Wrong("layer-layernorm-backward",
                                   [("x.var(axis=-1, keepdims=True)",
                                     "x.var(axis=-1, keepdims=True, ddof=1)")], "dgamma",
                                   "unbiased variance"),
    "ln: summed over the first axis only": Wrong(
        "layer-layernorm-backward", [("lead = tuple(range(x.ndim - 1))", "lead = 0")],
        "dbeta", "not reduced", case="a sequence (batch, time, features)"),
    "ln: normalised over the batch": Wrong(
        "layer-layernorm-backward", [("axis=-1", "axis=0"), ("d = x.shape[-1]", "d = x.shape[0]")],
        "dgamma", "over the batch", case="random"),
    # embedding
    "emb: fancy +=": Wrong("layer-embedding-backward",
                           [("np.add.at(dweight, idx, dout)", "dweight[idx] += dout")],
                           "dweight", "repeated index"),
    "emb: fancy =": Wrong("layer-embedding-backward",
                          [("np.add.at(dweight, idx, dout)", "dweight[idx] = dout")],
                          "dweight", "repeated index"),
    # conv2d
    "conv: kernel axes swapped in dw": Wrong(
        "layer-conv2d-backward", [('"no,nckl->ockl", g, window', '"no,nckl->oclk", g, window')],
        "dw", "spatial axes are swapped"),
    "conv: channel axes swapped in dw": Wrong(
        "layer-conv2d-backward",
        [('"no,nckl->ockl", g, window', '"no,nckl->cokl", g, window'),
         ("dw = np.zeros_like(w)", "dw = np.zeros_like(w.transpose(1, 0, 2, 3))")],
        "dw", "channel axes are swapped"),
    "conv: dx with the kernel flipped": Wrong(
        "layer-conv2d-backward",
        [('"no,ockl->nckl", g, w)', '"no,ockl->nckl", g, w[:, :, ::-1, ::-1])')], "dx",
        "kernel flipped"),
    "conv: padding left on dx": Wrong(
        "layer-conv2d-backward", [("dx = dxpad[:, :, p:p + h, p:p + wd]", "dx = dxpad")],
        "dx", "padding's border", case="stride 2, padding 1"),
    "conv: db not summed over the batch": Wrong(
        "layer-conv2d-backward", [("dout.sum(axis=(0, 2, 3))", "dout.sum(axis=(2, 3))")],
        "db", "not reduced"),
    "conv: stride ignored": Wrong("layer-conv2d-backward",
                                  [("r, s = i * stride, j * stride", "r, s = i, j")], "dw",
                                  case="stride 2, padding 1"),
    # LSTM
    "lstm: forget gate with c": Wrong(
        "layer-lstm-cell-backward",
        [("df = dc_total * c_prev * f", "df = dc_total * c * f")], "dgates", "forget gate"),
    "lstm: dh not into c": Wrong(
        "layer-lstm-cell-backward",
        [("dc_total = dc + dh * o * (1 - tc ** 2)", "dc_total = dc")], "dgates",
        "path from h into c"),
    "lstm: tanh slope at c": Wrong(
        "layer-lstm-cell-backward",
        [("dc_total = dc + dh * o * (1 - tc ** 2)", "dc_total = dc + dh * o * (1 - c ** 2)")],
        "dgates", "tanh's slope"),
    "lstm: gates read as i, f, o, g": Wrong(
        "layer-lstm-cell-backward",
        [("g = np.tanh(gates[:, 2 * H:3 * H])", "g = np.tanh(gates[:, 3 * H:])"),
         ("o = sigmoid(gates[:, 3 * H:])", "o = sigmoid(gates[:, 2 * H:3 * H])"),
         ("[di, df, dg, do]", "[di, df, do, dg]")], "dgates", "i, f, o, g"),
    "lstm: dc_prev without the path through h": Wrong(
        "layer-lstm-cell-backward", [("dc_prev = dc_total * f", "dc_prev = dc * f")],
        "dc_prev"),
    "lstm: dweight_ih transposed": Wrong(
        "layer-lstm-cell-backward", [("dweight_ih = dgates.T @ x", "dweight_ih = x.T @ dgates")],
        "dweight_ih", "transposed"),
    # the MLP
    "mlp: dlogits not averaged": Wrong("manual-mlp-batchnorm", [("dlogits /= n", "pass")],
                                       "dlogits", "mean over the batch is missing"),
    "mlp: tanh slope at hpreact": Wrong(
        "manual-mlp-batchnorm",
        [("dhpreact = dh * (1 - h ** 2)", "dhpreact = dh * (1 - hpreact ** 2)")], "dhpreact",
        "tanh's slope"),
    "mlp: dW2 transposed": Wrong("manual-mlp-batchnorm",
                                 [("dW2 = h.T @ dlogits", "dW2 = dlogits.T @ h")], "dW2",
                                 "transposed"),
    "mlp: dbngain without keepdims": Wrong(
        "manual-mlp-batchnorm",
        [("dbngain = (dhpreact * bnraw).sum(axis=0, keepdims=True)",
          "dbngain = (dhpreact * bnraw).sum(axis=0)")], "dbngain"),
    "mlp: Bessel's n-1": Wrong(
        "manual-mlp-batchnorm",
        [("dbndiff2 = np.ones_like(bndiff2) * dbnvar / n",
          "dbndiff2 = np.ones_like(bndiff2) * dbnvar / (n - 1)")], "dbndiff2", "n-1"),
    "mlp: bndiff's second use forgotten": Wrong(
        "manual-mlp-batchnorm",
        [("dbndiff = dbnraw * bnvar_inv + 2 * bndiff * dbndiff2", "dbndiff = dbnraw * bnvar_inv")],
        "dbndiff", "two uses"),
    "mlp: the mean's path forgotten": Wrong(
        "manual-mlp-batchnorm",
        [("dhprebn = dbndiff + np.ones_like(hprebn) * dbnmeani / n", "dhprebn = dbndiff")],
        "dhprebn", "mean's path"),
    "mlp: dW1 transposed": Wrong("manual-mlp-batchnorm",
                                 [("dW1 = embcat.T @ dhprebn", "dW1 = dhprebn.T @ embcat")],
                                 "dW1", "transposed"),
    "mlp: dC not accumulated": Wrong("manual-mlp-batchnorm",
                                     [("np.add.at(dC, Xb, demb)", "dC[Xb] += demb")], "dC",
                                     "repeated index"),
}


def _answer(w: Wrong) -> Any:
    """The learner's function: the exercise's solution with the edits made."""
    ex = EXERCISES[w.exercise]
    source = ex.solution
    for old, new in w.edits:
        assert old in source, f"{old!r} is not in {w.exercise}'s solution"
        source = source.replace(old, new)
    module = types.ModuleType("wrong_answer")
    exec(compile(source, f"<{w.exercise}>", "exec"), module.__dict__)
    return getattr(module, ex.entry)


@pytest.mark.parametrize("key", list(WRONG))
def test_wrong_answer_names_the_first_wrong_quantity(key: str) -> None:
    w = WRONG[key]
    with np.errstate(all="ignore"):  # the overflowing softmax warns, as a learner's would
        result = exercises.check(w.exercise, _answer(w))
    assert not result.passed and result.error is None, result.report()
    f = result.failure
    assert f is not None, result.report()
    assert f.quantity == w.quantity, result.report()
    if w.case is not None:
        assert f.case == w.case, result.report()
    if w.hint is not None:
        hint = f.hint.text("en") if isinstance(f.hint, Msg) else f.hint
        assert hint is not None and w.hint in hint, result.report()
        if isinstance(f.hint, Msg):
            assert re.search(r"[\u4e00-\u9fff]", f.hint.text("zh"))
    report = result.report()
    assert f"First wrong quantity: {w.quantity} " in report or f.quantity in report


@pytest.mark.parametrize("name", NAMES)
def test_every_own_hint_is_reached(name: str) -> None:
    """Each hint of an exercise is the one given to at least one wrong answer above."""
    reached = {h for w in WRONG.values() if w.exercise == name and w.hint for h in [w.hint]}
    for hint in EXERCISES[name].mistakes:
        en = tr(hint, "en") or ""
        assert any(words in en for words in reached), f"no wrong answer reaches {en!r}"


def _solution(name: str) -> Any:
    module = types.ModuleType("right_answer")
    exec(compile(EXERCISES[name].solution, f"<{name}>", "exec"), module.__dict__)
    return getattr(module, EXERCISES[name].entry)


@pytest.mark.parametrize("name", NAMES)
def test_a_right_answer_in_float32_passes(name: str) -> None:
    """The same formulas on float32 copies of the inputs: judged at float32's precision."""
    solution = _solution(name)

    def in_float32(**inputs: Any) -> Any:
        return solution(**{k: v.astype(np.float32) if isinstance(v, np.ndarray)
                           and v.dtype.kind == "f" else v for k, v in inputs.items()})

    with np.errstate(all="ignore"):
        result = exercises.check(name, in_float32)
    assert result.passed, result.report()


def test_an_input_changed_in_place_is_named() -> None:
    """`logits -= logits.max(...)` gives the right gradient but corrupts the caller's logits."""
    w = Wrong("layer-cross-entropy-grad",
              [("z = logits - logits.max(axis=1, keepdims=True)",
                "logits -= logits.max(axis=1, keepdims=True)\n    z = logits")], "dlogits")
    result = exercises.check(w.exercise, _answer(w))
    assert not result.passed
    errors = {tr(e, "en") for e in result.case_errors.values()}
    assert len(errors) == 1 and "`logits` in place" in (errors.pop() or ""), result.report()


@pytest.mark.parametrize("name", NAMES)
def test_the_network_drawn_holds_the_expected_gradients(name: str, tmp_path: Path) -> None:
    """The graph shown beside a result is the computation checked: its tensors' gradients
    are the expected values, and it draws with the first wrong quantity marked."""
    ex = EXERCISES[name]
    assert ex.graph is not None
    case = ex.cases()[0]
    loss, tensors = ex.graph(case)
    assert set(tensors) == set(ex.quantities)
    loss.backward()
    expected = ex.expected(case)
    for q, t in tensors.items():
        assert t.grad is not None, q
        np.testing.assert_allclose(t.grad.data, expected[q], rtol=1e-12, atol=1e-14,
                                   err_msg=q)
    result = exercises.check(name, _answer(next(w for w in WRONG.values()
                                                 if w.exercise == name)))
    assert result.failure is not None
    path = exercises.write_graph(name, result, result.learner, str(tmp_path / "net.dot"))
    assert f"✗ {result.failure.quantity}:" in Path(path).read_text(encoding="utf-8")


@pytest.mark.skipif(sandbox.landlock_abi() < 1, reason="this kernel has no Landlock")
def test_the_manual_mlp_is_graded_in_isolation(tmp_path: Path) -> None:
    """Grade mode (the autograder's): the 18 quantities of 5 cases come back from the
    confined process, each one a Gradescope test with full marks."""
    name = "manual-mlp-batchnorm"
    (tmp_path / "answer.py").write_text(EXERCISES[name].solution, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [
        str(REPO), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run([sys.executable, "-m", "tinygrad_edu", "exercises", "--json",
                           "grade", name, "answer.py"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    n = len(EXERCISES[name].cases()) * len(EXERCISES[name].quantities)
    assert len(results["tests"]) == n and results["score"] == n


#: wrong answer -> words of the hint found by editing the exercise's computation, in the
#: learner's own notation (the exercise's words follow them)
FROM_THE_COMPUTATION = {
    "mlp: tanh slope at hpreact": "your dhpreact equals dh * (1 - hpreact*hpreact)",
    "mlp: dW2 transposed": "your dW2 equals dlogits.T @ h, not h.T @ dlogits",
    "mlp: dbngain without keepdims": "(dhpreact * bnraw).sum(axis=0, keepdims=True)",
    "lstm: dweight_ih transposed": "your dweight_ih equals x.T @ dgates",
    "lstm: dc_prev without the path through h": "dc_prev = dc_total * f",
    "bn: dbeta as a mean": "your dbeta equals dout.mean(axis=0)",
}


@pytest.mark.parametrize("key", list(FROM_THE_COMPUTATION))
def test_hint_from_the_computation_is_in_the_learners_notation(key: str) -> None:
    w = WRONG[key]
    result = exercises.check(w.exercise, _answer(w))
    assert result.failure is not None and result.failure.quantity == w.quantity
    hint = tr(result.failure.hint, "en") or ""
    assert FROM_THE_COMPUTATION[key] in hint, hint
    assert re.search(r"[\u4e00-\u9fff]", tr(result.failure.hint, "zh") or "")
