"""``python -m tinygrad_edu exercises list | show | check``, as a learner runs it.

Each command is a real process (which starts the checker's own child), so the commands of
this file all run once, in parallel, in a module-scoped fixture; the tests read the results.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tinygrad_edu.exercises import EXERCISES

REPO = Path(__file__).resolve().parents[1]
HIGHLIGHT = "#e03131"  # draw.HIGHLIGHT_COLOR
NET = "iamtrask-3layer-deltas"
# The slope of the first layer taken at its pre-activation: l1_delta is the first wrong one.
WRONG_L1 = ("l1_delta = l1_error * nonlin(l1, deriv=True)",
            "l1_delta = l1_error * nonlin(np.dot(l0, syn0), deriv=True)")


@dataclass
class Run:
    code: int
    out: str
    err: str


def _run(args: list[str], cwd: Path, extra_env: dict[str, str] | None = None) -> Run:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.update(extra_env or {})
    proc = subprocess.run([sys.executable, "-m", "tinygrad_edu", "exercises", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def _show_sequence(cwd: Path) -> list[tuple[Run, str]]:
    """show, show again without --force, then --solution --force, one after the other:
    each command's result and the file's text after it."""
    steps = []
    for extra in ([], ["--solution"], ["--solution", "--force"]):
        run = _run(["show", "function-exp", "exp.py", *extra], cwd)
        steps.append((run, (cwd / "exp.py").read_text(encoding="utf-8")))
    return steps


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("cli")
    (root / "solution.py").write_text(EXERCISES["function-exp"].solution)
    (root / "flipped.py").write_text(EXERCISES["function-exp"].solution.replace(
        "return grad_output * out", "return -grad_output * out"))
    net = EXERCISES[NET].solution
    assert net.count(WRONG_L1[0]) == 1
    (root / "net.py").write_text(net.replace(*WRONG_L1))
    (root / "loop.py").write_text("def slope(out):\n    while True:\n        pass\n")
    (root / "show").mkdir()
    jobs: dict[str, Any] = {
        "list": (["list"],),
        "pass": (["check", "function-exp", "solution.py"],),
        "pass json": (["check", "function-exp", "solution.py", "--json"],),
        "fail": (["check", "function-exp", "flipped.py"],),
        "fail json svg": (["check", NET, "net.py", "--json", "--graph", "net.svg"],),
        "fail html": (["check", NET, "net.py", "--graph", "net.html"],),
        "no graph": (["check", "function-exp", "flipped.py", "--graph", "exp.svg"],),
        "loop": (["check", "sigmoid-derivative", "loop.py", "--timeout", "3"],),
        "unknown check": (["check", "no-such-exercise", "solution.py"],),
        "unknown show": (["show", "no-such-exercise"],),
        "no file": (["check", "function-exp"],),
        "grade no file": (["grade", "function-exp"],),
        "grade missing file": (["grade", "function-exp", "missing.py"],),
        "missing file": (["check", "function-exp", "missing.py"],),
    }
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {key: pool.submit(_run, list(args[0]), root) for key, args in jobs.items()}
        show = pool.submit(_show_sequence, root / "show")
        out: dict[str, Any] = {key: f.result() for key, f in futures.items()}
        out["show"] = show.result()
    out["root"] = root
    return out


def _plain(run: Run) -> None:
    assert "\033[" not in run.out + run.err, "ANSI escapes in piped output"
    assert "Traceback" not in run.out + run.err


def test_list(cli: dict[str, Any]) -> None:
    run = cli["list"]
    assert run.code == 0, run.err
    listed = [line.split()[0] for line in run.out.splitlines() if line.strip()]
    assert listed == list(EXERCISES)
    for name, ex in EXERCISES.items():
        line = next(ln for ln in run.out.splitlines() if ln.split()[0] == name)
        assert ex.title in line
        assert ("[find the bug]" in line) == ex.find_the_bug
    _plain(run)


def test_show_writes_the_starter_and_does_not_overwrite(cli: dict[str, Any]) -> None:
    (first, text1), (again, text2), (forced, text3) = cli["show"]
    ex = EXERCISES["function-exp"]
    assert first.code == 0, first.err
    assert ex.title in first.out and ex.statement.strip() in first.out
    assert ex.statement_zh.strip() in first.out
    assert "wrote the starter file: exp.py" in first.out
    assert "python -m tinygrad_edu exercises check function-exp exp.py" in first.out
    assert text1 == ex.starter
    assert again.code == 1 and "exp.py already exists: not overwritten" in again.err
    assert "wrote" not in again.out and text2 == ex.starter
    assert forced.code == 0 and "wrote the solution: exp.py" in forced.out
    assert text3 == ex.solution
    for run, _ in cli["show"]:
        _plain(run)


def test_check_pass_exit_0(cli: dict[str, Any]) -> None:
    run = cli["pass"]
    assert run.code == 0, run.out + run.err
    ex = EXERCISES["function-exp"]
    n = len(ex.cases()) * len(ex.quantities)
    assert run.out.startswith(f"function-exp: PASSED ({n}/{n} checks")
    assert "every quantity matches on every case." in run.out
    _plain(run)


def test_check_fail_exit_1_plain(cli: dict[str, Any]) -> None:
    run = cli["fail"]
    assert run.code == 1, run.out + run.err
    assert run.out.startswith("function-exp: FAILED")
    assert "First wrong quantity: grad_x (case random" in run.out
    assert "ratio -1" in run.out and "hint: sign flipped" in run.out
    _plain(run)


def test_check_json_pass(cli: dict[str, Any]) -> None:
    run = cli["pass json"]
    assert run.code == 0
    data = json.loads(run.out)
    assert data["passed"] is True and data["score"] == 1.0 and data["failure"] is None
    assert data["error"] is None and data["exercise"] == "function-exp"
    assert {c["status"] for c in data["checks"]} == {"pass"}
    assert data["oracles"] == ["the engine's autograd", "finite differences"]


def test_check_json_fail_and_svg(cli: dict[str, Any]) -> None:
    run = cli["fail json svg"]
    assert run.code == 1, run.err
    data = json.loads(run.out)  # nothing but the JSON on stdout, even with --graph
    assert data["passed"] is False and 0 < data["score"] < 1
    statuses = {(c["case"], c["quantity"]): c["status"] for c in data["checks"]}
    assert statuses["random", "l1_error"] == "pass" and statuses["random", "l1_delta"] == "fail"
    assert [c["quantity"] for c in data["checks"] if c.get("first_failure")] == ["l1_delta"]
    f = data["failure"]
    assert {"case", "quantity", "index", "got", "expected", "ratio", "got_shape",
            "expected_shape", "hint"} <= set(f)
    assert f["quantity"] == "l1_delta" and f["case"] == "random" and f["index"] == [0, 0]
    assert f["ratio"] == pytest.approx(f["got"] / f["expected"])
    assert f["got_shape"] == f["expected_shape"] == [4, 4]

    # The SVG: the node of l1_delta (the pre-activation l0.dot(syn0)) in red, with the
    # learner's value beside the expected one.
    svg = (cli["root"] / "net.svg").read_text(encoding="utf-8")
    svg_ns = "{http://www.w3.org/2000/svg}"
    red = []
    for g in ET.fromstring(svg).iter(f"{svg_ns}g"):
        if g.get("class") != "node":
            continue
        strokes = {e.get("stroke") for e in g if e.tag != f"{svg_ns}text"}
        if HIGHLIGHT in strokes:
            red.append(" ".join(e.text or "" for e in g if e.tag == f"{svg_ns}text"))
    assert len(red) == 1, red
    text = red[0].replace("\xa0", " ")
    assert "l0.dot(syn0)" in text and "✗ l1_delta: expected" in text
    # The note writes the first elements with 4 decimals (f["index"] is [0, 0], the first).
    for who, value in (("yours", f["got"]), ("expected", f["expected"])):
        assert re.search(rf"{who} \(4, 4\) array, first \[\s*{value:.4f} ", text), (who, text)
    # Each checked quantity is marked as its check in that case went: ✓ passed, ✗ failed
    # (l1_delta's error carries on into syn0_update).
    random_case = [c for c in data["checks"] if c["case"] == "random"]
    passed = sum(c["status"] == "pass" for c in random_case)
    assert html.unescape(svg).count("✓ ") == passed
    assert html.unescape(svg).count("✗ ") == len(random_case) - passed


def test_check_html_graph(cli: dict[str, Any]) -> None:
    run = cli["fail html"]
    assert run.code == 1
    assert "wrote the graph with your values: net.html" in run.out
    page = html.unescape((cli["root"] / "net.html").read_text(encoding="utf-8"))
    assert "✗ l1_delta: expected (4, 4) array" in page and "yours (4, 4) array" in page
    assert HIGHLIGHT in page
    _plain(run)


def test_check_graph_without_a_network(cli: dict[str, Any]) -> None:
    run = cli["no graph"]
    assert run.code == 1  # the check's own verdict
    assert "has no network graph to draw" in run.err
    assert not (cli["root"] / "exp.svg").exists()


def test_check_timeout(cli: dict[str, Any]) -> None:
    run = cli["loop"]
    assert run.code == 1
    assert "did not finish within 3 s and was stopped" in run.out
    _plain(run)


@pytest.mark.parametrize("key", ["unknown check", "unknown show"])
def test_unknown_exercise_exit_2(cli: dict[str, Any], key: str) -> None:
    run = cli[key]
    assert run.code == 2
    assert "error: no exercise named 'no-such-exercise'; `exercises list` shows them" in run.err
    assert run.out == ""
    _plain(run)


def test_check_needs_a_file(cli: dict[str, Any]) -> None:
    run = cli["no file"]
    assert run.code == 2 and "needs the FILE with your answer" in run.err


def test_check_missing_file(cli: dict[str, Any]) -> None:
    run = cli["missing file"]
    assert run.code == 1 and "no such file: missing.py" in run.out
    _plain(run)


def test_grade_needs_a_file(cli: dict[str, Any]) -> None:
    run = cli["grade no file"]
    assert run.code == 2 and "needs the FILE with the submission" in run.err
    missing = cli["grade missing file"]
    assert missing.code in (1, 2), missing.err  # 2: refused on a kernel without Landlock
    assert "no such file: missing.py" in missing.out or "Landlock" in missing.out
    _plain(missing)
