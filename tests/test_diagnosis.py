"""The diagnosis from the computation (exercises/computation.py, exercises/diagnosis.py).

- The reference computations reproduce the engine's expected values (a third oracle).
- The graph renders in the documents' notation, and each edit renders and evaluates as the
  mistake it names (on small computations written here).
- For every exercise, a wrong answer made by every kind of edit that applies to it goes
  through ``check_values`` and gets a hint naming that edit (or one with the same values on
  every case).
- Hand-written wrong answers (the reference solution with one line as a learner wrote it)
  run through
  ``exercises.check`` and get the hint the issue asks for, in both languages.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tinygrad_edu import exercises
from tinygrad_edu.exercises import EXERCISES
from tinygrad_edu.exercises import diagnosis as D
from tinygrad_edu.exercises.computation import Graph, slope, step
from tinygrad_edu.exercises.computation import sigmoid as sigmoid_node
from tinygrad_edu.exercises.core import CheckResult, check_values

REPO = Path(__file__).resolve().parents[1]
WITH_COMPUTATION = [n for n, ex in EXERCISES.items() if ex.computation is not None]
#: The exercises of the original catalogue: each must have a computation.
DOCUMENT_EXERCISES = [
    "grokking-one-weight", "grokking-multi-input", "bug-000-multi-input-weights",
    "grokking-multi-output", "sigmoid-derivative", "iamtrask-3layer-deltas",
    "iamtrask-2layer-deltas", "udacity-error-term", "udacity-backprop", "victorzhou-partials",
    "bug-003-sum-o1", "bug-003-d-h2-d-w4", "bug-004-blog-network", "function-tanh",
    "function-exp", "function-log", "function-matmul", "function-softmax",
    "function-broadcast-add",
]
#: Quantities computed outside the graph: bug-004's loss after 200 steps.
OUTSIDE = {"bug-004-blog-network": {"loss_curve"}}


# --------------------------------------------------------------------------- the oracle


def test_every_document_exercise_has_a_computation() -> None:
    assert set(DOCUMENT_EXERCISES) <= set(WITH_COMPUTATION)


@pytest.mark.parametrize("name", WITH_COMPUTATION)
def test_computation_reproduces_the_engine(name: str) -> None:
    """Evaluated with NumPy, the computation gives the engine's autograd values, to 1e-12
    of their scale, for every quantity of every case."""
    ex = EXERCISES[name]
    for case in ex.cases():
        comp = ex.computation(case)  # type: ignore[misc]
        values = comp.values()
        assert set(values) | OUTSIDE.get(name, set()) == set(ex.quantities), case.label
        with np.errstate(all="ignore"):
            expected = ex.expected(case)
        for q, v in values.items():
            e = np.asarray(expected[q], dtype=np.float64)
            assert v.shape == e.shape, (case.label, q)
            scale = max(1.0, float(np.max(np.abs(e), initial=0.0)))
            assert np.allclose(v, e, rtol=0, atol=1e-12 * scale, equal_nan=True), (case.label, q)


# --------------------------------------------------------------------------- the graph


def _net() -> Any:
    """Document 001's 2-layer net on a small case, built here."""
    l0 = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 1.0], [0.0, 0.0, 1.0]])
    g = Graph({"l0": l0, "y": np.array([[0.0], [1.0], [1.0], [0.0]]),
               "syn0": np.array([[0.5], [-0.3], [0.2]])})
    l0_, y, syn0 = g.input("l0"), g.input("y"), g.input("syn0")
    z1 = l0_.dot(syn0, np_style=True)
    l1 = sigmoid_node(z1, "nonlin({0})").named("l1")
    l1_error = (y - l1).named("l1_error")
    l1_delta = (l1_error * slope("sigmoid", l1, inp=z1, out=l1, style="nonlin({at}, True)")
                ).named("l1_delta")
    syn0_update = l0_.T.dot(l1_delta, batch=True).named("syn0_update")
    return g.computation(l1_error=l1_error, l1_delta=l1_delta, syn0_update=syn0_update)


def test_rendering_in_the_documents_notation() -> None:
    comp = _net()
    assert comp.render("l1_error") == "y - l1"
    assert comp.render("l1_delta") == "l1_error * nonlin(l1, True)"
    assert comp.render("syn0_update") == "l0.T.dot(l1_delta)"
    g = Graph({"weight": 0.5, "alpha": 0.1, "grad": 2.0})
    w, alpha, grad = g.input("weight"), g.lr("alpha", document=0.01), g.input("grad")
    assert step(w, alpha, grad).render() == "weight - alpha * grad"
    assert float(g.computation(w=step(w, alpha, grad)).values()["w"]) == pytest.approx(0.3)


def test_the_slope_knows_where_it_is_taken() -> None:
    """The edits of a sigmoid slope: at the pre-activation, the sigmoid applied again,
    the sign flipped; each renders as the learner would have written it and evaluates to
    its formula."""
    comp = _net()
    memo = comp.memo()
    root = comp.quantities["l1_delta"]
    by_kind = {e.kind: e for e in D.edits(comp, root, memo=memo)}
    l1 = memo[next(n for n in comp.nodes() if n.name == "l1")]
    z1 = comp.env["l0"] @ comp.env["syn0"]
    error = comp.env["y"] - l1
    cases = {
        "local_at_input": ("l1_error * nonlin(np.dot(l0, syn0), True)", error * z1 * (1 - z1)),
        "local_at_output": ("l1_error * (sigmoid(l1)*(1-sigmoid(l1)))",
                            error * (1 / (1 + np.exp(-l1))) * (1 - 1 / (1 + np.exp(-l1)))),
        "local_sign": ("l1_error * -nonlin(l1, True)", -error * l1 * (1 - l1)),
        "local_double": ("l1_error * (2*nonlin(l1, True))", 2 * error * l1 * (1 - l1)),
        "local_dropped": ("y - l1", error),  # l1_delta is l1_error itself
    }
    for kind, (text, value) in cases.items():
        new_root = by_kind[kind].apply(root)
        assert new_root.render() == text, kind
        assert np.allclose(comp.evaluate(new_root, {}, memo), value), kind


def test_batch_edits_of_a_product() -> None:
    comp = _net()
    memo = comp.memo()
    root = comp.quantities["syn0_update"]
    by_kind = {e.kind: e for e in D.edits(comp, root, memo=memo)}
    right = memo[root]
    mean = comp.evaluate(by_kind["mean_for_sum"].apply(root), {}, memo)
    assert np.allclose(mean, right / 4)  # four examples: the ratio 0.25 of the issue
    unreduced = comp.evaluate(by_kind["batch_not_reduced"].apply(root), {}, memo)
    assert unreduced.shape == (4, 3, 1) and np.allclose(unreduced.sum(axis=0), right)
    transposed = by_kind["transposed"].apply(root)
    assert transposed.render() == "l1_delta.T.dot(l0)"
    assert np.allclose(comp.evaluate(transposed, {}, memo), right.T)


def test_learning_rate_edits() -> None:
    g = Graph({"weight": np.array([0.5, -1.0]), "alpha": 0.1, "grad": np.array([2.0, 4.0])})
    w, alpha, grad = g.input("weight"), g.lr("alpha", document=0.01), g.input("grad")
    comp = g.computation(new_weight=step(w, alpha, grad).named("new_weight"))
    memo = comp.memo()
    root = comp.quantities["new_weight"]
    got = {e.kind: comp.evaluate(e.apply(root), {}, memo) for e in D.edits(comp, root,
                                                                         memo=memo)}
    assert np.allclose(got["lr_missing"], [0.5 - 2.0, -1.0 - 4.0])
    assert np.allclose(got["lr_twice"], [0.5 - 0.02, -1.0 - 0.04])
    assert np.allclose(got["lr_hardcoded"], [0.5 - 0.02, -1.0 - 0.04])
    assert np.allclose(got["step_added"], [0.5 + 0.2, -1.0 + 0.4])


def test_same_follows_the_dtype() -> None:
    x = np.array([1.0, 2.0, 3.0])
    assert D.same(x * (1 + 1e-7), x)
    assert not D.same(x * (1 + 1e-5), x)  # float64: a relative 1e-5 is a different answer
    assert D.same((x * (1 + 1e-5)).astype(np.float32), x)  # float32 rounds that much
    assert not D.same(x[:2], x)


# --------------------------------------------------------------------------- layout nodes


def _edit_values(name: str, quantity: str, kind: str, info: dict[str, str] | None = None
                 ) -> dict[str, np.ndarray]:
    """Per case, the quantity after the edit of ``kind`` (the one whose ``info`` matches),
    as the edit list of the case's own computation gives it."""
    ex = EXERCISES[name]
    out = {}
    for case in ex.cases():
        comp = ex.computation(case)  # type: ignore[misc]
        memo = comp.memo()
        root = comp.quantities[quantity]
        found = [e for e in D.edits(comp, root, memo=memo) if e.kind == kind and all(
            e.info.get(k) == v for k, v in (info or {}).items())]
        if found:
            out[case.label] = comp.evaluate(found[0].apply(root), {}, memo)
    return out


def test_conv2d_edits_are_the_mistakes_they_name() -> None:
    """The conv2d edits against the catalogue's own loops for the same mistakes (written
    window by window there, as a learner would)."""
    from tinygrad_edu.exercises.catalogue import conv_lstm as CL

    ex = EXERCISES["layer-conv2d-backward"]
    cases = {c.label: c for c in ex.cases()}
    flipped = _edit_values(ex.name, "dx", "kernel_flipped")
    kept = _edit_values(ex.name, "dx", "padding_kept")
    swapped = _edit_values(ex.name, "dw", "axes_swapped", {"axes": "k, l"})
    strided = _edit_values(ex.name, "dw", "stride_ignored")
    assert set(flipped) == set(kept) == set(strided) == set(cases)
    assert len(swapped) >= 3  # the square kernels
    for label, case in cases.items():
        i = case.inputs
        assert np.allclose(flipped[label], CL._conv_dx_flipped_kernel(case)["dx"]), label
        padded = CL._conv_dx_padded(case).get("dx", ex.expected(case)["dx"])
        assert kept[label].shape == padded.shape and np.allclose(kept[label], padded), label
        if label in swapped:
            assert np.allclose(swapped[label], CL._conv_dw_kernel_transposed(case)["dw"])
        # the windows read at (i, j), whatever the stride
        kh, kw = i["w"].shape[2:]
        p = i["padding"]
        xpad = np.pad(i["x"], ((0, 0), (0, 0), (p, p), (p, p)))
        dw = np.zeros_like(i["w"])
        for r in range(i["dout"].shape[2]):
            for s in range(i["dout"].shape[3]):
                dw += np.einsum("no,nckl->ockl", i["dout"][:, :, r, s],
                                xpad[:, :, r:r + kh, s:s + kw])
        assert np.allclose(strided[label], dw), label
        assert (i["stride"] == 1) == np.allclose(dw, ex.expected(case)["dw"]), label


def test_blocks_scatter_and_dropped_term_edits() -> None:
    """An LSTM's gate blocks exchanged, the buffered ``dC[Xb] += demb`` and BatchNorm's dx
    without its variance term, each against the catalogue's own NumPy for that mistake."""
    from tinygrad_edu.exercises.catalogue import layers as LY
    from tinygrad_edu.exercises.catalogue import manual_mlp as MM

    lstm = EXERCISES["layer-lstm-cell-backward"]
    order = _edit_values(lstm.name, "dgates", "blocks_order", {"blocks": "dg, do"})
    for case in lstm.cases():
        right = lstm.expected(case)["dgates"]
        hs = case.inputs["h_prev"].shape[1]
        blocks = [right[:, k * hs:(k + 1) * hs] for k in (0, 1, 3, 2)]
        assert np.allclose(order[case.label], np.concatenate(blocks, axis=1)), case.label
    mlp = EXERCISES["manual-mlp-batchnorm"]
    assigned = _edit_values(mlp.name, "dC", "scatter_assigned")
    for case in mlp.cases():
        assert np.allclose(assigned[case.label], MM._dc_not_accumulated(case)["dC"])
    repeated = next(c for c in mlp.cases() if "repeated" in c.label)
    assert not np.allclose(assigned[repeated.label], mlp.expected(repeated)["dC"])
    bn = EXERCISES["layer-batchnorm-backward"]
    dropped = _edit_values(bn.name, "dx", "term_dropped",
                           {"term": "- xhat * (dxhat * xhat).sum(axis=0, keepdims=True)"})
    for case in bn.cases():
        assert np.allclose(dropped[case.label], LY._bn_mean_only(case)["dx"]), case.label


# --------------------------------------------------------------------------- mutants


def _one_per_kind(name: str) -> list[D.Mutant]:
    return list(D.mutants(EXERCISES[name], one_per_kind=True))


@pytest.mark.parametrize("name", WITH_COMPUTATION)
def test_every_edit_kind_gets_its_hint(name: str) -> None:
    """A wrong answer made by each kind of edit (the first of each kind) through
    check_values: the first wrong quantity is the one the edit changes, and the hint names
    the edit, or one that gives the same values on every case."""
    ex = EXERCISES[name]
    mutants = _one_per_kind(name)
    assert mutants, name
    misses = []
    for m in mutants:
        result = check_values(ex, m.results, m.case_errors)
        f = result.failure
        assert f is not None, (name, m.edit.kind)
        if f.quantity != m.quantity or not D.hinted_right(ex, m, f.hint):
            misses.append((m.edit.kind, m.quantity, f.quantity, str(f.hint)))
    assert not misses, misses


def test_the_coverage_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert D.main(["--coverage", "function-broadcast-add"]) == 0
    out = capsys.readouterr().out
    lines = {ln.split()[0]: ln.split()[1:] for ln in out.splitlines()[1:]}
    assert lines["batch_not_reduced"][:2] == ["1", "1"]
    assert lines["mean_for_sum"][:2] == ["1", "1"]


# --------------------------------------------------------------------------- learner files

#: name -> (exercise, the line of the solution, what the learner wrote, the quantity, the
#: edit kind, a fragment of the English hint, a fragment of the Chinese hint)
HANDWRITTEN: dict[str, tuple[str, str, str, str, str, str, str]] = {
    "sign": ("iamtrask-2layer-deltas", "l1_error = y - l1", "l1_error = l1 - y",
             "l1_error", "sub_swapped", "sign flipped", "符号反了"),
    "factor 2": ("grokking-one-weight", "weight_delta = delta * input",
                 "weight_delta = 2 * delta * input", "weight_delta", "local_double",
                 "an extra factor of 2", "多了一个因子 2"),
    "learning rate missing (multi-output)": (
        "grokking-multi-output", "new_weights = weights - alpha * weight_deltas",
        "new_weights = weights - weight_deltas", "new_weights", "lr_missing",
        "the learning rate alpha is missing", "漏掉了学习率 alpha"),
    "learning rate twice": (
        "udacity-backprop",
        "delta_w_h_o = learnrate * output_error_term * hidden_layer_output",
        "delta_w_h_o = learnrate * learnrate * output_error_term * hidden_layer_output",
        "delta_w_h_o", "lr_twice", "applied twice", "乘了两次"),
    "learning rate hard-coded": (
        "udacity-error-term", "del_w = learnrate * error_term * x",
        "del_w = 0.5 * error_term * x", "del_w", "lr_hardcoded",
        "hard-coded to 0.5, the document's value", "写死成了文档里的 0.5"),
    "+= for -= (one weight)": (
        "grokking-one-weight", "new_weight = weight - alpha * weight_delta",
        "new_weight = weight + alpha * weight_delta", "new_weight", "step_added",
        "goes up the slope", "更新的方向反了"),
    "+= for -= (several inputs)": (
        "grokking-multi-input",
        "new_weights = [weights[j] - alpha * weight_deltas[j] for j in range(len(weights))]",
        "new_weights = [weights[j] + alpha * weight_deltas[j] for j in range(len(weights))]",
        "new_weights", "step_added", "goes up the slope", "更新的方向反了"),
    "+= for -= (several outputs)": (
        "grokking-multi-output", "new_weights = weights - alpha * weight_deltas",
        "new_weights = weights + alpha * weight_deltas", "new_weights", "step_added",
        "goes up the slope", "更新的方向反了"),
    "transposed": ("iamtrask-3layer-deltas", "syn1_update = l1.T.dot(l2_delta)",
                   "syn1_update = l2_delta.T.dot(l1)", "syn1_update", "transposed",
                   "transposed: your (1, 4) matrix", "转置了"),
    "slope at the pre-activation": (
        "iamtrask-2layer-deltas", "l1_delta = l1_error * nonlin(l1, True)",
        "l1_delta = l1_error * nonlin(np.dot(l0, syn0), True)", "l1_delta", "local_at_input",
        "the slope is taken at the layer's input", "斜率取在了这一层的输入"),
    "sigmoid applied again (3 layers)": (
        "iamtrask-3layer-deltas", "l1_delta = l1_error * nonlin(l1, deriv=True)",
        "l1_delta = l1_error * nonlin(nonlin(l1), deriv=True)", "l1_delta",
        "local_at_output", "sigmoid(l1)*(1-sigmoid(l1))", "再套一次"),
    "sigmoid applied again (backprop)": (
        "udacity-backprop", "output_error_term = error * output * (1 - output)",
        "output_error_term = error * sigmoid(output) * (1 - sigmoid(output))",
        "output_error_term", "local_at_output", "sigmoid(output)*(1-sigmoid(output))",
        "再套一次"),
    "deriv_sigmoid of the output": (
        "victorzhou-partials", "d_h1_d_w1 = x[0] * deriv_sigmoid(sum_h1)",
        "d_h1_d_w1 = x[0] * deriv_sigmoid(h1)", "d_L_d_w1", "local_at_output",
        "deriv_sigmoid(h1) is given the output h1", "用的是输出 h1"),
    "wrong variable": ("victorzhou-partials", "d_h2_d_w4 = x[1] * deriv_sigmoid(sum_h2)",
                       "d_h2_d_w4 = x[0] * deriv_sigmoid(sum_h2)", "d_L_d_w4", "neighbour",
                       "it uses x[0] where", "用错了变量"),
    "wrong variable (weights for input)": (
        "grokking-multi-input", "weight_deltas = ele_mult_vector(delta, input)",
        "weight_deltas = ele_mult_vector(delta, weights)", "weight_deltas", "neighbour",
        "ele_mult_vector(delta, weights)", "用错了变量"),
    "mean instead of sum (4 examples)": (
        "iamtrask-3layer-deltas", "syn0_update = l0.T.dot(l1_delta)",
        "syn0_update = l0.T.dot(l1_delta) / len(l0)", "syn0_update", "mean_for_sum",
        "averaged over the batch", "对批次取了平均"),
    "mean instead of sum (5 examples)": (
        "bug-004-blog-network", "w1_step = l1.T.dot(l2_delta)",
        "w1_step = l1.T.dot(l2_delta) / len(l0)", "w1_step", "mean_for_sum",
        "averaged over the batch", "对批次取了平均"),
    "right only for a batch of one": (
        "function-broadcast-add", "grad_b = grad_output.sum(axis=0)",
        "grad_b = grad_output.mean(axis=0)", "grad_b", "mean_for_sum",
        "Right in case batch of one, where this mistake changes nothing", "在用例 只有一个样本 中"),
    "not reduced over the batch": (
        "function-broadcast-add", "grad_b = grad_output.sum(axis=0)", "grad_b = grad_output",
        "grad_b", "batch_not_reduced", "not reduced over the batch", "没有对批次求和"),
    "keepdims": ("function-broadcast-add", "grad_b = grad_output.sum(axis=0)",
                 "grad_b = grad_output.sum(axis=0, keepdims=True)", "grad_b", "keepdims",
                 "keepdims the other way", "keepdims 用反了"),
    "softmax treated as elementwise": (
        "function-softmax", "return out * (grad_output - row)",
        "return grad_output * out * (1 - out)", "grad_x", "sum_dropped",
        "treated as elementwise", "逐元素"),
    "chain rule missing": ("function-exp", "return grad_output * out", "return out",
                           "grad_x", "grad_output_dropped", "the chain rule is missing",
                           "漏掉了链式法则"),
    "variance term dropped (BatchNorm)": (
        "layer-batchnorm-backward",
        "dx = (n * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)) / (n * std)",
        "dx = (n * dxhat - dxhat.sum(axis=0)) / (n * std)", "dx", "term_dropped",
        "the term - xhat * (dxhat * xhat).sum(axis=0, keepdims=True) of dx = ",
        "这一项被丢掉了"),
    "conv2d: stride ignored": (
        "layer-conv2d-backward", "r, s = i * stride, j * stride", "r, s = i, j", "dw",
        "stride_ignored", "xpad[:, :, i:i + kh, j:j + kw]", "忽略了步长"),
    "conv2d: kernel flipped in dx": (
        "layer-conv2d-backward", '"no,ockl->nckl", g, w)',
        '"no,ockl->nckl", g, w[:, :, ::-1, ::-1])', "dx", "kernel_flipped",
        "w[:, :, ::-1, ::-1]", "卷积核被翻转了"),
    "conv2d: kernel axes swapped in dw": (
        "layer-conv2d-backward", '"no,nckl->ockl"', '"no,nckl->oclk"', "dw", "axes_swapped",
        'np.einsum("no,nckl->oclk"', "k, l 这两个轴互换了"),
    "conv2d: padding left on dx": (
        "layer-conv2d-backward", "dx = dxpad[:, :, p:p + h, p:p + wd]", "dx = dxpad", "dx",
        "padding_kept", "the padding is still there", "填充的那一圈还在"),
    "conv2d: db not summed over the batch": (
        "layer-conv2d-backward", "db = dout.sum(axis=(0, 2, 3))", "db = dout.sum(axis=(2, 3))",
        "db", "batch_not_reduced", "dout.sum(axis=(2, 3))", "没有对批次求和"),
    "lstm: gate blocks as i, f, o, g": (
        "layer-lstm-cell-backward", "[di, df, dg, do]", "[di, df, do, dg]", "dgates",
        "blocks_order", "np.concatenate([di, df, do, dg], axis=1)", "拼接各块的顺序不对"),
    "lstm: the path from h into c dropped": (
        "layer-lstm-cell-backward", "dc_total = dc + dh * o * (1 - tc ** 2)",
        "dc_total = dc", "dgates", "term_dropped",
        "the term + dh * o * (1 - tc ** 2) of dc_total = ", "漏掉了一项"),
    "lstm: forget gate with the new c": (
        "layer-lstm-cell-backward", "df = dc_total * c_prev * f", "df = dc_total * c * f",
        "dgates", "neighbour", "it uses c where df = dc_total * c_prev * f * (1 - f) uses "
        "c_prev", "用错了变量"),
    "mlp: repeated indices assigned": (
        "manual-mlp-batchnorm", "np.add.at(dC, Xb, demb)", "dC[Xb] += demb", "dC",
        "scatter_assigned", "`dC[Xb] += demb`", "重复的索引只留下了一份梯度"),
    "embedding: repeated indices assigned": (
        "layer-embedding-backward", "np.add.at(dweight, idx, dout)", "dweight[idx] += dout",
        "dweight", "scatter_assigned", "`dweight[idx] += dout`", "重复的索引只留下了一份梯度"),
    "mlp: demb reshaped in the other order": (
        "manual-mlp-batchnorm", "demb = dembcat.reshape(emb.shape)",
        "demb = dembcat.reshape(n, emb.shape[2], emb.shape[1]).swapaxes(1, 2)", "demb",
        "reshape_order", "reads the axes in the other order", "轴的顺序读反了"),
    "tanh slope at the input": (
        "function-tanh", "ctx.save_for_backward(out)", "ctx.save_for_backward(x)", "grad_x",
        "local_at_input", "derivative of the wrong variable", "对错了变量求导"),
}


def _learner_file(key: str, folder: Path) -> Path:
    """The learner's file: the reference solution with the learner's line."""
    ex_name, old, new = HANDWRITTEN[key][:3]
    solution = EXERCISES[ex_name].solution
    assert solution.count(old) == 1, f"{ex_name}'s solution no longer has {old!r} once"
    path = folder / (re.sub(r"[^a-z0-9]+", "_", key.lower()) + ".py")
    path.write_text(solution.replace(old, new), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CheckResult]:
    """Every hand-written answer, checked once (a child process each), one after another:
    the checker judges in the calling process, and the engine's grad mode is per process, so
    checks in threads could disturb each other's expected values."""
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), old]))
    try:
        folder = tmp_path_factory.mktemp("learner_answers")
        paths = {key: _learner_file(key, folder) for key in HANDWRITTEN}
        return {key: exercises.check(HANDWRITTEN[key][0], path) for key, path in paths.items()}
    finally:
        if old is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = old


@pytest.mark.parametrize("key", list(HANDWRITTEN))
def test_handwritten_answer_gets_its_hint(checked: dict[str, CheckResult], key: str) -> None:
    _, _, _, quantity, kind, en, zh = HANDWRITTEN[key]
    result = checked[key]
    assert result.error is None, result.error
    f = result.failure
    assert f is not None and f.quantity == quantity, result.report()
    diagnosis = getattr(f.hint, "diagnosis", None)
    assert diagnosis is not None and diagnosis["kind"] == kind, (key, str(f.hint))
    assert en in f.hint.en, f.hint.en  # type: ignore[union-attr]
    assert zh in f.hint.zh, f.hint.zh  # type: ignore[union-attr]
