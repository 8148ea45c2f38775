"""The exercises: reference solutions pass, starters and mutated answers fail with the right
hint, broken learner files give clear messages, and the checker's pieces work on their own.

Every check runs the learner's file in a child process (about half a second each), so the
answers are written once and checked together, in parallel, by module-scoped fixtures; the
tests then only read the results. The command line has its own file, test_exercises_cli.py.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tinygrad_edu import exercises
from tinygrad_edu.exercises import EXERCISES
from tinygrad_edu.exercises.core import (
    AnswerError,
    CheckResult,
    check_values,
    compare,
    diagnose,
    name_results,
)
from tinygrad_edu.exercises.i18n import Msg

REPO = Path(__file__).resolve().parents[1]
NAMES = list(EXERCISES)
BUGS = [n for n, ex in EXERCISES.items() if ex.find_the_bug]
WITH_LR = [n for n, ex in EXERCISES.items() if ex.lr not in (None, 0.0, 1.0)]
WORKERS = max(2, min(6, 2 * (os.cpu_count() or 1)))

#: For each "find the bug" exercise, the quantities its bug may first show up in. An exercise
#: missing here is still required to fail with a hint; add it when its bug is settled.
BUG_QUANTITY = {
    "bug-000-multi-input-weights": {"weight_deltas"},
    "bug-003-sum-o1": {"d_L_d_ypred"},
    "bug-003-d-h2-d-w4": {"d_L_d_w4"},
    "bug-004-blog-network": {"l2_delta"},
}

# --------------------------------------------------------------------------- answers


@dataclass(frozen=True)
class Mutant:
    """A reference solution with one line changed, and what the checker must say about it."""

    exercise: str
    old: str
    new: str
    quantity: str
    hint: str  # a fragment of the expected hint (case-insensitive)


MUTANTS = {
    "sign flipped": Mutant(
        "function-tanh", "return grad_output * (1 - out * out)",
        "return -grad_output * (1 - out * out)", "grad_x", "sign flipped"),
    "extra factor 2": Mutant(
        "function-exp", "return grad_output * out", "return 2 * grad_output * out",
        "grad_x", "an extra factor of 2"),
    "missing factor 2": Mutant(
        "function-exp", "return grad_output * out", "return grad_output * out / 2",
        "grad_x", "a missing factor of 2"),
    "transposed, square": Mutant(
        "function-matmul", "grad_b = a.T @ grad_output", "grad_b = grad_output.T @ a",
        "grad_b", "transposed"),
    "transposed, rectangular": Mutant(
        "iamtrask-3layer-deltas", "syn1_update = l1.T.dot(l2_delta)",
        "syn1_update = l2_delta.T.dot(l1)", "syn1_update", "transposed: your (1, 4) matrix"),
    "wrong variable (tanh of the input)": Mutant(
        "function-tanh", "ctx.save_for_backward(out)", "ctx.save_for_backward(x)",
        "grad_x", "derivative of the wrong variable"),
    "wrong variable (pre-activation)": Mutant(
        "iamtrask-3layer-deltas", "l2_delta = l2_error * nonlin(l2, deriv=True)",
        "l2_delta = l2_error * nonlin(np.dot(l1, syn1), deriv=True)", "l2_delta",
        "derivative of the wrong variable"),
    "not reduced": Mutant(
        "function-broadcast-add", "grad_b = grad_output.sum(axis=0)", "grad_b = grad_output",
        "grad_b", "not reduced"),
    "averaged, not summed": Mutant(
        "function-broadcast-add", "grad_b = grad_output.sum(axis=0)",
        "grad_b = grad_output.mean(axis=0)", "grad_b", "averaged over the batch"),
    "reduced over the wrong axis": Mutant(
        "function-broadcast-add", "grad_b = grad_output.sum(axis=0)",
        "grad_b = grad_output.sum(axis=1)", "grad_b", "summed over the wrong axis"),
    "softmax as elementwise": Mutant(
        "function-softmax", "return out * (grad_output - row)",
        "return grad_output * out * (1 - out)", "grad_x", "treated as elementwise"),
    "matmul, own operand": Mutant(
        "function-matmul", "grad_a = grad_output @ b.T", "grad_a = a.T @ grad_output",
        "grad_a", "the OTHER operand"),
    "log, divided by the output": Mutant(
        "function-log", "ctx.save_for_backward(x)", "ctx.save_for_backward(np.log(x))",
        "grad_x", "derivative of the wrong variable"),
    "exp, chain rule missing": Mutant(
        "function-exp", "return grad_output * out", "return out", "grad_x",
        "the chain rule is missing"),
}


@dataclass(frozen=True)
class Broken:
    """A learner file that cannot be checked, and fragments the message must contain."""

    exercise: str
    source: str
    says: tuple[str, ...]
    timeout: float = 20.0


BROKEN = {
    "syntax error": Broken(
        "sigmoid-derivative", "import numpy as np\n\n\ndef slope(out)\n    return out\n",
        ("syntax error in your file", "line 4", "def slope(out)")),
    "exception at import": Broken(
        "sigmoid-derivative", "import numpy as np\n\nTABLE = np.zeros(3)[5]\n",
        ("your file raised an error while it was imported",
         "line 3, in <module>: TABLE = np.zeros(3)[5]", "IndexError")),
    "exception inside the function": Broken(
        "sigmoid-derivative",
        "def helper(out):\n    return out[7, 7]\n\n\ndef slope(out):\n"
        "    return out * (1 - helper(out))\n",
        ("your code raised an error", "case random",
         "line 6, in slope: return out * (1 - helper(out))",
         "line 2, in helper: return out[7, 7]", "IndexError")),
    "exception inside backward": Broken(
        "function-exp",
        "import numpy as np\n\nfrom tinygrad_edu import Function\n\n\n"
        "class Exp(Function):\n    @staticmethod\n    def forward(ctx, x):\n"
        "        return np.exp(x)\n\n    @staticmethod\n    def backward(ctx, grad_output):\n"
        "        (out,) = ctx.saved_tensors\n        return grad_output * out\n",
        ("your code raised an error", "line 13, in backward: (out,) = ctx.saved_tensors",
         "ValueError")),
    "wrong number of values": Broken(
        "iamtrask-3layer-deltas",
        "import numpy as np\n\n\ndef deltas(l0, y, syn0, syn1):\n"
        "    z = np.zeros(3)\n    return z, z, z, z\n",
        ("case random", "deltas returned 4 values; expected 5",
         "l2_delta, l1_error, l1_delta, syn1_update, syn0_update")),
    "backward returns one gradient for two inputs": Broken(
        "function-matmul",
        "from tinygrad_edu import Function\n\n\nclass MatMul(Function):\n"
        "    @staticmethod\n    def forward(ctx, a, b):\n        ctx.save_for_backward(a, b)\n"
        "        return a @ b\n\n    @staticmethod\n    def backward(ctx, grad_output):\n"
        "        a, b = ctx.saved_tensors\n        return grad_output @ b.T\n",
        ("case random square", "MatMul.backward returned a ndarray",
         "(grad_a, grad_b)")),
    "not a number": Broken(
        "sigmoid-derivative", "def slope(out):\n    return 'out * (1 - out)'\n",
        ("slope is a value of type str, not an array of numbers",)),
    "missing function": Broken(
        "sigmoid-derivative", "def slopes(out):\n    return out * (1 - out)\n",
        ("does not define 'slope'",)),
    "infinite loop": Broken(
        "sigmoid-derivative", "def slope(out):\n    while True:\n        pass\n",
        ("did not finish within 3 s", "infinite loop"), timeout=3.0),
    "exits the process": Broken(
        "sigmoid-derivative", "import sys\n\n\ndef slope(out):\n    sys.exit(3)\n",
        ("case random", "your code raised an error", "SystemExit: 3")),
}

#: A learner's return value with a wrong shape is checked (it is not an error): the report
#: shows both shapes.
WRONG_SHAPE = ("sigmoid-derivative",
               "def slope(out):\n    return (out * (1 - out)).sum(axis=-1)\n")


def _mutate(ex_name: str, old: str, new: str) -> str:
    solution = EXERCISES[ex_name].solution
    assert solution.count(old) == 1, f"{ex_name}'s solution no longer has {old!r} once"
    return solution.replace(old, new)


def _lr_wrapper(ex_name: str, solution_path: Path, factor: str) -> str:
    """A file whose entry is the reference solution's, every quantity multiplied by factor."""
    ex = EXERCISES[ex_name]
    return (
        "import importlib.util\n\nimport numpy as np\n\n"
        f"_spec = importlib.util.spec_from_file_location('reference', {str(solution_path)!r})\n"
        "_ref = importlib.util.module_from_spec(_spec)\n_spec.loader.exec_module(_ref)\n\n\n"
        f"def {ex.entry}(*args, **kwargs):\n"
        f"    out = _ref.{ex.entry}(*args, **kwargs)\n"
        "    if isinstance(out, dict):\n"
        f"        return {{k: np.asarray(v) * {factor} for k, v in out.items()}}\n"
        "    if isinstance(out, (tuple, list)):\n"
        f"        return tuple(np.asarray(v) * {factor} for v in out)\n"
        f"    return np.asarray(out) * {factor}\n"
    )


@pytest.fixture(scope="module")
def child_env() -> Iterator[None]:
    """The checker's child runs ``python -m tinygrad_edu.exercises.runner``: let it find the
    package even when the tests import it from the source tree without installing it."""
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), old]))
    yield
    if old is None:
        del os.environ["PYTHONPATH"]
    else:
        os.environ["PYTHONPATH"] = old


@pytest.fixture(scope="module")
def results(child_env: None, tmp_path_factory: pytest.TempPathFactory
            ) -> dict[tuple[str, str], CheckResult]:
    """Every answer of this file, checked once, in parallel: ``(kind, key) -> result``."""
    root = tmp_path_factory.mktemp("answers")
    jobs: dict[tuple[str, str], tuple[str, Path, float]] = {}

    def add(kind: str, key: str, ex_name: str, source: str, timeout: float = 20.0) -> Path:
        path = root / f"{kind}_{re.sub(r'[^a-z0-9]+', '_', key.lower())}.py"
        path.write_text(source, encoding="utf-8")
        jobs[kind, key] = (ex_name, path, timeout)
        return path

    solutions = {}
    for name, ex in EXERCISES.items():
        solutions[name] = add("solution", name, name, ex.solution)
        add("starter", name, name, ex.starter)
    for key, m in MUTANTS.items():
        add("mutant", key, m.exercise, _mutate(m.exercise, m.old, m.new))
    for key, b in BROKEN.items():
        add("broken", key, b.exercise, b.source, b.timeout)
    add("broken", "wrong shape", *WRONG_SHAPE)
    for name in WITH_LR:
        lr = EXERCISES[name].lr
        add("lr", f"{name} times lr", name, _lr_wrapper(name, solutions[name], repr(lr)))
    for name in WITH_LR[:1]:  # the other direction once is enough
        lr = EXERCISES[name].lr
        add("lr", f"{name} over lr", name, _lr_wrapper(name, solutions[name], f"(1 / {lr!r})"))

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = {key: pool.submit(exercises.check, ex_name, path, timeout)
                   for key, (ex_name, path, timeout) in jobs.items()}
        return {key: f.result() for key, f in futures.items()}


def _no_checker_traceback(message: str) -> None:
    assert "Traceback" not in message
    assert "tinygrad_edu/exercises" not in message.replace(os.sep, "/")


# --------------------------------------------------------------------------- the catalogue


def test_the_catalogue_is_not_empty() -> None:
    assert {"function-tanh", "function-exp", "function-log", "function-matmul",
            "function-softmax", "function-broadcast-add"} <= set(EXERCISES)


# The cases reach overflow and saturation on purpose (|x| up to 1000): NumPy warns there.
NUMPY_LIMITS = pytest.mark.filterwarnings(
    "ignore:(overflow|divide by zero|invalid value|underflow) encountered:RuntimeWarning")


@NUMPY_LIMITS
@pytest.mark.parametrize("name", NAMES)
def test_exercise_is_well_formed(name: str) -> None:
    ex = EXERCISES[name]
    assert ex.name == name and ex.title and ex.entry
    assert ex.statement.strip() and ex.starter.strip() and ex.solution.strip()
    assert re.search(r"[\u4e00-\u9fff]", ex.statement_zh), "the Chinese statement is missing"
    assert len(set(ex.quantities)) == len(ex.quantities) > 0
    cases = ex.cases()
    labels = [c.label for c in cases]
    assert len(set(labels)) == len(labels) > 0, "case labels must be unique"
    assert "\x1f" not in "".join(labels)
    again = ex.cases()  # deterministic: the child and the parent must see the same inputs
    for a, b in zip(cases, again, strict=True):
        assert a.label == b.label and a.inputs.keys() == b.inputs.keys()
        for k in a.inputs:
            np.testing.assert_array_equal(a.inputs[k], b.inputs[k])
    for case in cases:
        expected = ex.expected(case)
        assert set(ex.quantities) <= set(expected), case.label
        for q in ex.quantities:
            assert np.all(np.isfinite(np.asarray(expected[q], dtype=float))), (case.label, q)
        if ex.numerical is not None:
            assert set(ex.numerical(case)) <= set(ex.quantities), case.label


@NUMPY_LIMITS
@pytest.mark.parametrize("name", [n for n in NAMES if EXERCISES[n].mistakes])
def test_mistakes_are_well_formed(name: str) -> None:
    """The checker evaluates a mistake's values in its own process when a quantity fails:
    one that raised would crash the checker. Each must also differ from the right answer
    somewhere, or its hint could never be the right one."""
    ex = EXERCISES[name]
    for hint, make in ex.mistakes.items():
        differs = False
        for case in ex.cases():
            values = make(case)
            assert set(values) <= set(ex.quantities), hint
            expected = ex.expected(case)
            for q, v in values.items():
                same, _ = compare(np.asarray(v, dtype=np.float64),
                                  np.asarray(expected[q], dtype=np.float64))
                differs = differs or not same
        assert differs, f"mistake {hint!r} gives the right answer on every case"


# --------------------------------------------------------------------------- solutions


@pytest.mark.parametrize("name", NAMES)
def test_reference_solution_passes(results: dict[tuple[str, str], CheckResult],
                                   name: str) -> None:
    result = results["solution", name]
    assert result.error is None, result.error
    assert result.passed, result.report()
    assert result.failure is None and result.score == 1.0
    assert result.checks and all(c["status"] == "pass" for c in result.checks)
    n_cases = len(EXERCISES[name].cases())
    assert len(result.checks) == n_cases * len(EXERCISES[name].quantities)


@pytest.mark.parametrize("name", [n for n in NAMES if not EXERCISES[n].find_the_bug])
def test_starter_does_not_pass(results: dict[tuple[str, str], CheckResult], name: str) -> None:
    result = results["starter", name]
    assert not result.passed, f"{name}'s starter file passes: the exercise asks nothing"
    if result.error is not None:
        _no_checker_traceback(Msg.of(result.error).en)


@pytest.mark.parametrize("name", BUGS)
def test_find_the_bug_starter_fails_on_the_bug(results: dict[tuple[str, str], CheckResult],
                                               name: str) -> None:
    result = results["starter", name]
    assert result.error is None, f"the buggy program must run: {result.error}"
    assert not result.passed and result.failure is not None
    if name in BUG_QUANTITY:
        assert result.failure.quantity in BUG_QUANTITY[name], result.report()
    assert result.failure.hint, f"no hint for {name}'s bug:\n{result.report()}"


# --------------------------------------------------------------------------- hints


@pytest.mark.parametrize("key", list(MUTANTS))
def test_mutated_solution_gets_its_hint(results: dict[tuple[str, str], CheckResult],
                                        key: str) -> None:
    m, result = MUTANTS[key], results["mutant", key]
    assert result.error is None, result.error
    f = result.failure
    assert not result.passed and f is not None
    assert f.quantity == m.quantity, result.report()
    assert f.hint is not None and m.hint.lower() in Msg.of(f.hint).en.lower(), result.report()
    # The report explains it in the order a reader wants: quantity, element, then the hint.
    report = result.report()
    assert f"First wrong quantity: {m.quantity}" in report
    assert report.index("First wrong quantity") < report.index("hint: ")


def test_unreduced_gradient_shows_both_shapes(results: dict[tuple[str, str], CheckResult]
                                              ) -> None:
    f = results["mutant", "not reduced"].failure
    assert f is not None
    assert f.got_shape == (4, 3) and f.expected_shape == (3,)
    assert f.index is None and f.got is None and f.ratio is None
    assert "shape: yours (4, 3), expected (3,)" in results["mutant", "not reduced"].report()


def test_sign_flip_reports_element_and_ratio(results: dict[tuple[str, str], CheckResult]
                                             ) -> None:
    result = results["mutant", "sign flipped"]
    f = result.failure
    assert f is not None and f.case == "random" and f.index == (0, 0)
    assert f.got is not None and f.expected is not None
    assert f.got == pytest.approx(-f.expected) and f.ratio == pytest.approx(-1.0)
    assert "element [0, 0]: yours" in result.report()
    # The forward, checked before grad_x in every case, stays right.
    assert all(c["status"] == "pass" for c in result.checks if c["quantity"] == "forward")


LR_CASES = [(f"{n} times lr", "multiplied by the learning rate") for n in WITH_LR] + [
    (f"{n} over lr", "is missing: multiply by it") for n in WITH_LR[:1]]


@pytest.mark.parametrize("key, words", LR_CASES)
def test_learning_rate_hints(results: dict[tuple[str, str], CheckResult], key: str,
                             words: str) -> None:
    """A learning rate where none belongs, on every exercise that has one: the reference
    solution's every quantity multiplied (or divided) by the exercise's lr."""
    result = results["lr", key]
    assert result.error is None, result.error
    f = result.failure
    assert f is not None and f.hint is not None, result.report()
    assert words in Msg.of(f.hint).en, result.report()


# --------------------------------------------------------------------------- broken answers


@pytest.mark.parametrize("key", list(BROKEN))
def test_broken_file_gets_a_clear_message(results: dict[tuple[str, str], CheckResult],
                                          key: str) -> None:
    """A problem with the whole file is ``result.error``; code that raises (or returns
    something unusable) for a case is an error of that case, the other cases still checked."""
    result = results["broken", key]
    assert not result.passed
    if result.error is not None:
        text = Msg.of(result.error).en
        assert result.checks == [] and result.score == 0.0
        report = result.report(lang="en")
        assert report.startswith(f"✗ {BROKEN[key].exercise}: your file could not be checked")
        assert all(ln in report for ln in text.splitlines())
    elif not result.case_errors:  # a returned value that is no array fails its quantity
        assert result.failure is not None and result.failure.index is None, result
        text = Msg.of(result.failure.hint).en
    else:
        text = "\n".join(f"case {k}: {v}" for k, v in result.case_errors.items())
        assert all(c["status"] == "error" for c in result.checks
                   if c["case"] in result.case_errors)
        report = result.report(lang="en")  # cases with the same error share one heading
        headings = [ln for ln in report.splitlines() if " could not be checked: " in ln]
        for label, message in result.case_errors.items():
            assert any(label in h for h in headings), report
            assert str(message).splitlines()[-1].split(":")[0] in report, report
    for fragment in BROKEN[key].says:
        assert fragment in text, text
    _no_checker_traceback(text)


def test_wrong_shape_is_a_failure_with_both_shapes(results: dict[tuple[str, str], CheckResult]
                                                   ) -> None:
    result = results["broken", "wrong shape"]
    assert result.error is None and result.failure is not None
    assert result.failure.got_shape == (3,) and result.failure.expected_shape == (3, 4)
    assert "shape: yours (3,), expected (3, 4)" in result.report()


def test_missing_file(child_env: None, tmp_path: Path) -> None:
    result = exercises.check("function-tanh", tmp_path / "nowhere.py")
    assert result.error is not None and not result.passed
    assert Msg.of(result.error).en == f"no such file: {tmp_path / 'nowhere.py'}"


def test_unknown_exercise() -> None:
    with pytest.raises(KeyError, match="no exercise named 'nope'"):
        exercises.check("nope", "answer.py")


def test_returning_none_is_named(child_env: None, tmp_path: Path) -> None:
    path = tmp_path / "none.py"
    path.write_text("def slope(out):\n    out * (1 - out)\n")
    result = exercises.check("sigmoid-derivative", path)
    assert not result.passed and result.error is None
    assert set(result.case_errors) == {c.label for c in exercises.EXERCISES[
        "sigmoid-derivative"].cases()}
    for message in result.case_errors.values():
        assert "returned None: did you forget `return`?" in Msg.of(message).en


# --------------------------------------------------------------------------- core, directly


def test_compare() -> None:
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert compare(a, a.copy()) == (True, None)
    assert compare(a, a * (1 + 1e-14)) == (True, None)  # a few roundings: within
    assert compare(a, a * (1 + 1e-9)) == (False, (0, 0))  # float64 is judged strictly
    low = a.astype(np.float32)
    assert compare(low * np.float32(1 + 2e-7), a) == (True, None)  # float32 at its own eps
    assert compare(low * np.float32(1 + 1e-4), a) == (False, (0, 0))
    b = a.copy()
    b[1, 0] = 3.5
    b[1, 1] = 0.0
    assert compare(b, a) == (False, (1, 0))  # the first differing element, row-major
    assert compare(a[0], a) == (False, None)  # a shape mismatch has no element
    assert compare(np.array(2.0), np.array(2.0)) == (True, None)
    assert compare(np.array(2.0), np.array(3.0)) == (False, ())
    assert compare(np.array([np.nan]), np.array([1.0])) == (False, (0,))


def test_diagnose_generic_hints() -> None:
    e = np.array([[0.5, -1.0, 2.0], [0.25, 3.0, -0.75]])
    assert diagnose(e.copy(), e) is None  # (check_values only asks on a failure)
    assert "sign flipped" in str(diagnose(-e, e))
    assert "extra factor of 2" in str(diagnose(2 * e, e))
    assert "missing factor of 2" in str(diagnose(e / 2, e))
    assert "multiplied by the learning rate (0.1)" in str(diagnose(0.1 * e, e, lr=0.1))
    assert "learning rate (0.1) is missing" in str(diagnose(e / 0.1, e, lr=0.1))
    assert diagnose(0.1 * e, e) is None  # without an lr, no lr hint
    assert diagnose(0.1 * e, e, lr=1.0) is None
    assert "transposed: your (3, 2) matrix" in str(diagnose(e.T, e))
    sq = e[:, :2] @ e[:, :2].T + np.array([[0.0, 1.0], [0.0, 0.0]])
    assert "transposed" in str(diagnose(sq.T, sq))
    stack = np.stack([sq, 2 * sq])  # a batch of matrices: the last two axes swapped
    assert "transposed: your matrix" in str(diagnose(np.swapaxes(stack, -1, -2), stack))
    batch = np.arange(12.0).reshape(4, 3)
    assert "not reduced" in str(diagnose(batch, batch.sum(axis=0)))
    assert "summed over its extra" in str(diagnose(batch, batch.sum(axis=0, keepdims=True)))
    assert "averaging" in str(diagnose(batch, batch.mean(axis=0)))
    assert diagnose(e + 1, e) is None  # nothing fits
    assert diagnose(e, np.zeros_like(e)) is None  # no pattern of an all-zero answer


def test_diagnose_prefers_the_exercise_mistakes() -> None:
    e = np.array([1.0, -2.0, 3.0])
    variants = {"my hint": -e}
    assert diagnose(-e, e, variants=variants) == "my hint"
    assert diagnose(2 * e, e, variants=variants) is not None
    assert "extra factor" in str(diagnose(2 * e, e, variants=variants))
    # A variant may have another shape than the answer (a sum over the wrong axis).
    assert diagnose(np.array([6.0]), e, variants={"wrong axis": np.array([6.0])}) == "wrong axis"


def test_name_results() -> None:
    from tinygrad_edu import Tensor

    out = name_results("f", ("a", "b"), (Tensor([1.0, 2.0]), [3, 4]))
    assert out["a"].dtype == np.float64 and list(out["b"]) == [3.0, 4.0]
    assert out["b"].dtype == np.float64
    low = name_results("f", ("a",), np.ones(3, dtype=np.float32))
    assert low["a"].dtype == np.float32  # judged at float32's precision
    assert name_results("f", ("a",), [True, False])["a"].dtype == np.float64
    with pytest.raises(AnswerError, match="a is complex") as info:
        name_results("f", ("a",), np.array([1 + 2j]))
    assert "复数" in info.value.message.zh  # type: ignore[union-attr]
    with pytest.raises(AnswerError, match="array of Python objects"):
        name_results("f", ("a",), np.array([Tensor([1.0]), "x"], dtype=object))
    with pytest.raises(AnswerError, match="cannot be made into one array"):
        name_results("f", ("a",), [[1.0, 2.0], [3.0]])
    assert list(name_results("f", ("a", "b"), {"b": 1, "a": 2, "c": 0})) == ["a", "b"]
    assert name_results("f", ("a",), 2.5)["a"] == 2.5
    with pytest.raises(AnswerError, match="returned 1 values; expected 2"):
        name_results("f", ("a", "b"), (1,))
    with pytest.raises(AnswerError, match="without b"):
        name_results("f", ("a", "b"), {"a": 1})
    with pytest.raises(AnswerError, match="returned a value of type int"):
        name_results("f", ("a", "b"), 3)


def test_check_values_reports_the_first_wrong_quantity_in_order() -> None:
    """Without a child process: the learner's values given directly."""
    ex = EXERCISES["function-broadcast-add"]
    results: dict[str, dict[str, np.ndarray]] = {}
    for case in ex.cases():
        values = {q: np.asarray(v, dtype=np.float64) for q, v in ex.expected(case).items()}
        results[case.label] = values
    ok = check_values(ex, results)
    assert ok.passed and ok.score == 1.0 and ok.oracles[-1] == "finite differences"
    second = ex.cases()[1].label
    results[second]["grad_a"] = results[second]["grad_a"] * 3
    results[second]["grad_b"] = -results[second]["grad_b"]
    bad = check_values(ex, results)
    f = bad.failure
    assert f is not None and (f.case, f.quantity, f.index) == (second, "grad_a", (0, 0))
    assert f.hint is None and f.ratio == pytest.approx(3.0)
    statuses = {(c["case"], c["quantity"]): c["status"] for c in bad.checks}
    assert statuses[second, "grad_b"] == "fail" and statuses[second, "forward"] == "pass"
    assert [c for c in bad.checks if c.get("first_failure")] == [
        {"case": second, "quantity": "grad_a", "status": "fail", "first_failure": True}]
    later = [c for c in bad.checks if c["quantity"] == "grad_b" and c["status"] == "fail"]
    assert "sign flipped" in later[0]["hint"].en  # a later failure keeps its own hint
    assert bad.score == pytest.approx(1 - 2 / len(bad.checks))


def test_broadcast_add_checks_the_raw_backward() -> None:
    """The engine would sum an unreduced gradient of b for us; the exercise must not."""
    from tinygrad_edu import Function, Tensor

    class Unreduced(Function):
        @staticmethod
        def forward(ctx: Any, a: Any, b: Any) -> Any:
            return a + b

        @staticmethod
        def backward(ctx: Any, grad_output: Any) -> Any:
            return grad_output, grad_output

    ex = EXERCISES["function-broadcast-add"]
    case = ex.cases()[0]
    a = Tensor(case.inputs["a"], requires_grad=True)
    b = Tensor(case.inputs["b"], requires_grad=True)
    Unreduced.apply(a, b).backward(case.inputs["grad"])
    assert b.grad is not None and b.grad.shape == b.shape  # the engine forgives it...
    values = ex.call(Unreduced, case)
    assert values["grad_b"].shape == case.inputs["a"].shape  # ...the exercise sees it


def test_raw_backward_leaves_grad_output_alone() -> None:
    """A backward that writes into grad_output in place must not change the case's inputs,
    and is refused, naming grad_output (it would corrupt the caller's gradient)."""
    from tinygrad_edu import Function

    class InPlace(Function):
        @staticmethod
        def forward(ctx: Any, a: Any, b: Any) -> Any:
            return a @ b

        @staticmethod
        def backward(ctx: Any, grad_output: Any) -> Any:
            grad_output *= 0
            return grad_output, grad_output

    ex = EXERCISES["function-matmul"]
    case = ex.cases()[1]
    before = case.inputs["grad"].copy()
    with pytest.raises(AnswerError, match="grad_output"):
        ex.call(InPlace, case)
    np.testing.assert_array_equal(case.inputs["grad"], before)
