"""``check(NAME, answer)`` with the answer itself, as in a notebook: a function, a class, a
``Function`` subclass or a module, run in this process; and the display in Jupyter, executed
in a real kernel (one notebook for all the cells, so one kernel start).
"""

from __future__ import annotations

import html
import inspect
import linecache
import os
import shutil
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tinygrad_edu.exercises import EXERCISES, check
from tinygrad_edu.exercises.i18n import set_lang

ROOT = Path(__file__).resolve().parents[1]
HAVE_DOT = shutil.which("dot") is not None


@pytest.fixture(autouse=True)
def _english() -> Any:
    set_lang("en")
    yield
    set_lang(None)


def namespace(source: str) -> dict[str, Any]:
    """The names a learner's cell defines (here: a solution, maybe with one edit)."""
    ns: dict[str, Any] = {}
    name = f"<learner's cell {abs(hash(source))}>"
    # as IPython does for a cell, so that a traceback shows the cell's lines
    linecache.cache[name] = (len(source), None, source.splitlines(True), name)
    exec(compile(source, name, "exec"), ns)
    return ns


def n_checks(name: str) -> int:
    ex = EXERCISES[name]
    return len(ex.cases()) * len(ex.quantities)


# --------------------------------------------------------------------------- in process


def test_a_function() -> None:
    right = check("sigmoid-derivative", lambda out: out * (1 - out))
    assert right.passed and right.score == 1.0
    assert right.learner is not None and len(right.learner) == len(
        EXERCISES["sigmoid-derivative"].cases())
    wrong = check("sigmoid-derivative", lambda out: out * (out - 1))
    assert not wrong.passed and wrong.failure is not None
    assert wrong.failure.quantity == "slope" and wrong.failure.ratio == pytest.approx(-1)


def test_a_function_subclass() -> None:
    ex = EXERCISES["function-tanh"]
    assert check(ex.name, namespace(ex.solution)["Tanh"]).passed
    wrong = namespace(ex.solution.replace("(1 - out * out)", "(1 + out * out)"))["Tanh"]
    r = check(ex.name, wrong)
    assert not r.passed and r.failure is not None and r.failure.quantity == "grad_x"
    assert all(c["status"] == "pass" for c in r.checks if c["quantity"] == "forward")


def test_a_class() -> None:
    ex = EXERCISES["victorzhou-partials"]
    assert check(ex.name, namespace(ex.solution)["OurNeuralNetwork"]).passed
    flipped = ex.solution.replace("d_L_d_ypred = -2 * (y_true - y_pred)",
                                  "d_L_d_ypred = 2 * (y_true - y_pred)")
    assert flipped != ex.solution
    r = check(ex.name, namespace(flipped)["OurNeuralNetwork"])
    assert r.failure is not None and r.failure.quantity == "d_L_d_ypred"
    assert r.failure.ratio == pytest.approx(-1)


def test_a_module_holding_the_entry() -> None:
    ex = EXERCISES["function-tanh"]
    module = types.ModuleType("my_answer")
    exec(ex.solution, module.__dict__)
    assert check(ex.name, module).passed
    with pytest.raises(AttributeError, match="my_answer does not define Tanh"):
        check(ex.name, types.ModuleType("my_answer"))


def test_not_an_answer_is_a_type_error_naming_the_call() -> None:
    with pytest.raises(TypeError, match=r"check\('sigmoid-derivative', \.\.\.\).*got int 3"):
        check("sigmoid-derivative", 3)


def slope_out_of_range(out: np.ndarray) -> np.ndarray:
    return out * (1 - out[9])


def test_an_error_is_caught_per_case_with_the_learners_lines() -> None:
    r = check("sigmoid-derivative", slope_out_of_range)
    assert not r.passed and r.failure is None
    labels = [c.label for c in EXERCISES["sigmoid-derivative"].cases()]
    assert sorted(r.case_errors) == sorted(labels)
    message = str(r.case_errors[labels[0]])
    line = inspect.getsourcelines(slope_out_of_range)[1] + 1
    assert message.splitlines() == [
        "your code raised an error:",
        f"  line {line}, in slope_out_of_range: return out * (1 - out[9])",
        message.splitlines()[-1],
    ]
    assert message.splitlines()[-1].startswith("IndexError: index 9 is out of bounds")
    text = r.report()
    assert text.count("in slope_out_of_range") == 1  # one message for the five cases
    set_lang("zh")
    assert "你的代码出错了" in str(r)


def test_an_error_inside_backward_keeps_only_the_learners_frames() -> None:
    ex = EXERCISES["function-tanh"]
    broken = ex.solution.replace("(out,) = ctx.saved_tensors", "(out,) = ctx.saved_tensor")
    r = check(ex.name, namespace(broken)["Tanh"])
    message = str(next(iter(r.case_errors.values())))
    line = broken.splitlines().index("        (out,) = ctx.saved_tensor") + 1
    assert message.splitlines()[1] == f"  line {line}, in backward: (out,) = ctx.saved_tensor"
    assert message.splitlines()[-1].startswith("AttributeError")
    assert "tensor.py" not in message and "in call" not in message  # no engine, no checker


@pytest.mark.parametrize("name", list(EXERCISES))
def test_every_solution_passes_in_process(name: str) -> None:
    """Every exercise's protocol works on an object of this process, and the HTML of the
    result draws the exercise's network exactly when it has one (and `dot` is there)."""
    ex = EXERCISES[name]
    r = check(name, namespace(ex.solution)[ex.entry])
    assert r.passed, r.report()
    assert ("<svg" in r.html()) == (ex.graph is not None and HAVE_DOT)


def test_a_path_is_still_a_file(tmp_path: Path) -> None:
    ex = EXERCISES["sigmoid-derivative"]
    answer = tmp_path / "slope.py"
    answer.write_text(ex.solution, encoding="utf-8")
    assert check(ex.name, answer).passed  # os.PathLike
    assert check(ex.name, str(tmp_path / "missing.py")).error is not None  # str: a file


def test_html_without_a_kernel() -> None:
    wrong = check("sigmoid-derivative", lambda out: out * (out - 1))
    page = wrong._repr_html_()
    n_wrong = sum(c["status"] == "fail" for c in wrong.checks)
    assert n_wrong >= 1 and page.count(">✗</td>") == n_wrong
    assert page.count(">✓</td>") == n_checks("sigmoid-derivative") - n_wrong
    assert "First wrong quantity: slope" in page and "<svg" not in page  # no network here
    set_lang("zh")
    assert "第一个出错的量：slope" in wrong._repr_html_()


# --------------------------------------------------------------------------- in Jupyter

DELTAS_FLIPPED = '''
import numpy as np

def nonlin(x, deriv=False):
    if deriv:
        return x * (1 - x)
    return 1 / (1 + np.exp(-x))

def deltas(l0, y, syn0, syn1):
    l1 = nonlin(np.dot(l0, syn0))
    l2 = nonlin(np.dot(l1, syn1))
    l2_delta = (y - l2) * nonlin(l2, deriv=True)
    l1_error = l2_delta.dot(syn1.T)
    l1_delta = l1_error * nonlin(l1, deriv=True)
    # the sign flipped on the way out: only l2_delta is wrong
    return -l2_delta, l1_error, l1_delta, l1.T.dot(l2_delta), l0.T.dot(l1_delta)
'''

CELLS = [
    "from tinygrad_edu.exercises import check\n"
    "from tinygrad_edu.exercises.i18n import set_lang\n"
    "set_lang('en')",
    "def slope(out):\n    return out * (1 - out)\n\ncheck('sigmoid-derivative', slope)",
    DELTAS_FLIPPED + "\ncheck('iamtrask-3layer-deltas', deltas)",
    "result = check('iamtrask-3layer-deltas', deltas)\nprint(result)",
    "set_lang('zh')\nresult",
    "set_lang('en')\n\ndef bad(out):\n    return out * (1 - out[9])\n\n"
    "check('sigmoid-derivative', bad)",
]


def test_the_notebook_display(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nbformat = pytest.importorskip("nbformat", reason="the docs extra installs nbformat")
    nbclient = pytest.importorskip("nbclient", reason="the docs extra installs nbclient")
    pytest.importorskip("ipykernel", reason="the docs extra installs ipykernel")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    # the kernel imports this checkout's package, installed or not
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            extra_arguments=["--log-level=ERROR"],
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [cell.outputs for cell in nb.cells]
    assert not [o for out in outputs for o in out if o.output_type == "error"], outputs

    def shown(i: int, mime: str) -> str:
        found = [o["data"][mime] for o in outputs[i] if mime in o.get("data", {})]
        assert len(found) == 1, outputs[i]
        return str(found[0])

    right = shown(1, "text/html")
    assert "<table" in right and "PASSED" in right
    assert right.count(">✓</td>") == n_checks("sigmoid-derivative")
    assert ">✗</td>" not in right and "<svg" not in right  # sigmoid-derivative has no network
    assert shown(1, "text/plain").startswith("sigmoid-derivative: PASSED")

    wrong = shown(2, "text/html")
    ns = namespace(DELTAS_FLIPPED)
    here = check("iamtrask-3layer-deltas", ns["deltas"])  # the same answer, in this process
    assert here.failure is not None and here.failure.hint
    assert "FAILED" in wrong and "First wrong quantity: l2_delta" in wrong
    # only l2_delta is wrong: the rest follows the document's sign
    wrong_cells = [c for c in here.checks if c["status"] == "fail"]
    assert wrong_cells and {c["quantity"] for c in wrong_cells} == {"l2_delta"}
    assert wrong.count(">✗</td>") == len(wrong_cells)
    assert wrong.count(">✓</td>") == n_checks("iamtrask-3layer-deltas") - len(wrong_cells)
    for column in ("yours", "expected", "ratio", "element [0, 0]"):
        assert column in wrong
    assert html.escape(str(here.failure.hint)) in wrong
    assert ("<svg" in wrong) == HAVE_DOT

    printed = "".join(o.get("text", "") for o in outputs[3] if o.output_type == "stream")
    assert printed.startswith("iamtrask-3layer-deltas: FAILED")
    assert "First wrong quantity: l2_delta" in printed and "<" not in printed

    chinese = shown(4, "text/html")
    assert "第一个出错的量：l2_delta" in chinese and "未通过" in chinese

    raised = shown(5, "text/html")  # the cell's own line, from IPython's record of the cell
    assert raised.count("line 4, in bad: return out * (1 - out[9])") == 1
    assert "IndexError: index 9 is out of bounds" in raised and ">!</td>" in raised


def test_code_given_as_a_string_is_named() -> None:
    r = check("sigmoid-derivative", "def slope(out):\n    return out * (1 - out)\n")
    assert r.error is not None and "pass the slope it defines itself" in str(r.error)
    set_lang("zh")
    assert "请直接传入它定义的 slope" in str(r)
