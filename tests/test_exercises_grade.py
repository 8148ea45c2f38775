"""Grading mode (``exercises grade``): every attack on the grader is blocked, a right answer
passes with Gradescope's JSON, a wrong one gets the diagnosis ``check`` gives. Also the
protocols' in-place checks and the child's wire format and tracebacks.

Each grading is a real process (which starts the confined child), so the submissions of this
file are graded once, two at a time, in a module-scoped fixture; the tests read the results.
The limits are small (a few seconds, 512 MB) so that the whole file takes seconds.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tinygrad_edu.exercises import EXERCISES, _child, protocols, runner, sandbox
from tinygrad_edu.exercises.i18n import Msg

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "tinygrad_edu"
EXERCISE = "sigmoid-derivative"
RIGHT = "def slope(out):\n    return out * (1 - out)\n"
LIMITS = ["--timeout", "8", "--memory", "512", "--file-size", "4"]

needs_landlock = pytest.mark.skipif(sandbox.landlock_abi() < 1,
                                    reason="this kernel has no Landlock")

# Gradescope's documented fields of results.json (the autograder specification), top level and
# per test; values of "status", of the formats, and of the visibilities.
GS_TOP = {"score", "execution_time", "output", "output_format", "test_output_format",
          "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests",
          "leaderboard"}
GS_TEST = {"score", "max_score", "status", "name", "name_format", "number", "output",
           "output_format", "tags", "visibility", "extra_data"}
GS_FORMATS = {"text", "html", "simple_format", "md", "ansi"}


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float


def _cli(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    full = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    full["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), full.get("PYTHONPATH")]))
    full.update(env or {})
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "tinygrad_edu", "exercises", *args], cwd=cwd,
                          env=full, capture_output=True, text=True, timeout=120)
    return Run(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)


def _gs(run: Run) -> dict[str, Any]:
    """The grader's stdout, which must be one JSON document and nothing else."""
    data = json.loads(run.out)
    assert isinstance(data, dict)
    return data


def _outputs(data: dict[str, Any]) -> str:
    return data["output"] + "\n".join(t["output"] for t in data["tests"])


# --------------------------------------------------------------------------- submissions

MARK = uuid.uuid4().hex[:12]  # names this run's files, so no test sees another run's

SUBMISSIONS = {
    "right": RIGHT,
    "wrong": "def slope(out):\n    return out * (out - 1)\n",
    "expected": f"""
        from tinygrad_edu.exercises import EXERCISES
        def slope(out):
            return EXERCISES["{EXERCISE}"].expected(None)["slope"]
    """,
    "solution": f"""
        from tinygrad_edu import exercises
        exec(exercises.EXERCISES["{EXERCISE}"].solution)
    """,
    # the real package found again: its folder first on sys.path, the engine's copy forgotten
    "reimport": f"""
        import sys
        sys.path[:] = [{str(REPO)!r}] + [p for p in sys.path if "engine" not in p]
        for name in [m for m in sys.modules if m.startswith("tinygrad_edu")]:
            del sys.modules[name]
        from tinygrad_edu.exercises import EXERCISES
        def slope(out):
            return EXERCISES["{EXERCISE}"].expected(None)["slope"]
    """,
    "read_source": f"""
        SOURCE = open({str(PACKAGE / "exercises" / "catalogue" / "iamtrask.py")!r}).read()
        RIGHT_ANSWER
    """,
    "exit": """
        import json, os
        def slope(out):
            with open("result.json", "w") as f:
                json.dump({"cases": {}, "passed": True}, f)
            print('{"score": 100.0, "tests": []}', flush=True)
            os._exit(0)
    """,
    "proc_stdout": """
        import os
        fd = os.open(f"/proc/{os.getppid()}/fd/1", os.O_WRONLY)
        os.write(fd, b'{"score": 100.0, "tests": []}\\n')
        RIGHT_ANSWER
    """,
    "memory": """
        import numpy as np
        def slope(out):
            big = np.ones(2**30)  # 8 GiB of float64, touched
            return big[:out.size].reshape(out.shape)
    """,
    "grandchild": f"""
        import os, time
        def slope(out):
            if os.fork() == 0:
                os.setsid()
                while True:
                    with open("/tmp/grandchild_{MARK}.txt", "a") as f:
                        f.write("still here\\n")
                    time.sleep(0.05)
            return out * (1 - out)
    """,
    "delete": f"""
        import os
        os.remove({f"/tmp/teacher_{MARK}.txt"!r})
        RIGHT_ANSWER
    """,
    "rewrite_package": f"""
        with open({str(PACKAGE / "tensor.py")!r}, "r+") as f:
            pass
        RIGHT_ANSWER
    """,
    "new_package_file": f"""
        with open({str(PACKAGE / f"_planted_{MARK}.py")!r}, "w") as f:
            f.write("PLANTED = True")
        RIGHT_ANSWER
    """,
    "spin": "def slope(out):\n    while True:\n        pass\n",
    "huge_file": """
        def slope(out):
            with open("huge.bin", "wb") as f:
                for _ in range(64):
                    f.write(b"x" * 2**20)
            return out * (1 - out)
    """,
    "tcp": """
        import socket
        def slope(out):
            socket.create_connection(("127.0.0.1", PORT_NUMBER), timeout=2).sendall(b"hi")
            return out * (1 - out)
    """,
    # a message of the checker's own format, sent on every descriptor it may have
    "forge": """
        import json, os, struct
        def slope(out):
            body = {"__dict__": [["values", {"__dict__": [["slope", {"__array__": 0}]]}]]}
            head = json.dumps({"body": body, "blobs": [0]}).encode()
            for fd in range(3, 64):
                try:
                    os.write(fd, struct.pack(">II", len(head), len(head)) + head)
                except OSError:
                    pass
            return out * (1 - out)
    """,
    "kill_grader": """
        import os, signal
        def slope(out):
            os.kill(os.getppid(), signal.SIGKILL)
            return out * (1 - out)
    """,
    "recursion": """
        def f(x):
            return f(x)
        def slope(out):
            return f(out)
    """,
    "flood": """
        import sys
        def slope(out):
            for _ in range(2000):
                print("spam " * 20)
            return out * (1 - out)
    """,
}


# one exercise of each protocol, whose reference solution must pass in the confined child
PER_PROTOCOL = ("function-softmax", "function-matmul", "victorzhou-partials",
                "bug-004-blog-network", "bug-000-multi-input-weights")


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Every submission graded once (``--json``), plus ``check`` on the wrong answer and
    the refusal without Landlock; two processes at a time (the machine has two cores)."""
    work = tmp_path_factory.mktemp("grade")
    teacher = Path(f"/tmp/teacher_{MARK}.txt")
    teacher.write_text("the teacher's notes")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    accepted: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            accepted.append(conn.recv(16) or b"(connected)")
            conn.close()

    watcher = threading.Thread(target=accept, daemon=True)
    watcher.start()
    jobs: dict[str, Any] = {}
    for key, source in SUBMISSIONS.items():
        path = work / f"{key}.py"
        text = textwrap.dedent(source).replace("PORT_NUMBER", str(port))
        path.write_text(text.replace("RIGHT_ANSWER\n", RIGHT), encoding="utf-8")
        limits = ["--timeout", "6", "--cpu", "2"] if key == "spin" else []
        jobs[key] = (["grade", EXERCISE, str(path), "--json", *LIMITS, *limits], None)
    for name in PER_PROTOCOL:
        path = work / f"solution_{name}.py"
        path.write_text(EXERCISES[name].solution, encoding="utf-8")
        jobs[f"solution {name}"] = (["grade", name, str(path), *LIMITS], None)
    wrong = str(work / "wrong.py")
    jobs["check wrong"] = (["check", EXERCISE, wrong], None)
    jobs["grade wrong text"] = (["grade", EXERCISE, wrong, *LIMITS], None)
    jobs["refused"] = (["grade", EXERCISE, str(work / "right.py")],
                       {sandbox.DISABLE_ENV: "1"})
    jobs["weak"] = (["grade", EXERCISE, str(work / "right.py"), "--allow-weak-isolation",
                     *LIMITS], {sandbox.DISABLE_ENV: "1"})
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {k: pool.submit(_cli, a, work, e) for k, (a, e) in jobs.items()}
            runs = {k: f.result() for k, f in futures.items()}
        time.sleep(0.3)  # a grandchild that survived would write meanwhile
        grandchild = Path(f"/tmp/grandchild_{MARK}.txt")
        size = grandchild.stat().st_size if grandchild.exists() else -1
        time.sleep(0.3)
        size_later = grandchild.stat().st_size if grandchild.exists() else -1
        yield {"runs": runs, "teacher": teacher.exists() and teacher.read_text(),
               "accepted": list(accepted), "grandchild": (size, size_later)}
    finally:
        stop.set()
        watcher.join(timeout=2)
        listener.close()
        teacher.unlink(missing_ok=True)
        Path(f"/tmp/grandchild_{MARK}.txt").unlink(missing_ok=True)
        (PACKAGE / f"_planted_{MARK}.py").unlink(missing_ok=True)


def _blocked(graded: dict[str, Any], key: str, *words: str) -> dict[str, Any]:
    """The submission ``key`` scored 0 out of every check, its grader answered with one JSON
    document, and the messages it got name ``words``."""
    run = graded["runs"][key]
    assert run.code == 1, (run.out, run.err)
    data = _gs(run)
    n = len(EXERCISES[EXERCISE].cases())
    assert len(data["tests"]) == n
    assert data["score"] == 0.0, data["output"]
    text = _outputs(data)
    for word in words:
        assert word in text, text
    assert run.seconds < 30
    return data


# ----------------------------------------------------------------------- the right and the wrong


@needs_landlock
def test_right_answer_passes_with_gradescope_json(graded: dict[str, Any]) -> None:
    run = graded["runs"]["right"]
    assert run.code == 0, (run.out, run.err)
    data = _gs(run)
    ex = EXERCISES[EXERCISE]
    assert set(data) <= GS_TOP and {"score", "tests", "output"} <= set(data)
    assert data.get("output_format", "text") in GS_FORMATS
    assert isinstance(data["output"], str) and "Landlock ABI" in data["output"]
    assert len(data["tests"]) == len(ex.cases()) * len(ex.quantities)
    for test in data["tests"]:
        assert set(test) <= GS_TEST and {"name", "score", "max_score", "output"} <= set(test)
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert isinstance(test["score"], int | float) and isinstance(test["max_score"], int | float)
        assert test["status"] in ("passed", "failed")
        assert (test["score"], test["max_score"], test["status"]) == (1.0, 1.0, "passed")
    assert data["score"] == len(data["tests"])
    names = [t["name"] for t in data["tests"]]
    assert len(set(names)) == len(names)
    assert all(any(c.label in name for name in names) for c in ex.cases())


@needs_landlock
@pytest.mark.parametrize("name", PER_PROTOCOL)
def test_reference_solution_passes_in_grade_mode(graded: dict[str, Any], name: str) -> None:
    run = graded["runs"][f"solution {name}"]
    assert run.code == 0, (run.out, run.err)
    assert f"{name}: PASSED" in run.out and "Landlock ABI" in run.out


def test_the_protocols_are_all_tried() -> None:
    assert {EXERCISES[n].protocol for n in PER_PROTOCOL} | {EXERCISES[EXERCISE].protocol} == set(
        protocols.PROTOCOLS)


@needs_landlock
def test_wrong_answer_gets_the_diagnosis_check_gives(graded: dict[str, Any]) -> None:
    check, text = graded["runs"]["check wrong"], graded["runs"]["grade wrong text"]
    assert check.code == 1 and text.code == 1, (check.err, text.err)
    assert "hint" in check.out
    # the same report, word for word, then how the submission was isolated
    assert text.out.startswith(check.out.rstrip("\n") + "\n"), (check.out, text.out)
    data = _gs(graded["runs"]["wrong"])
    hint_line = next(ln for ln in check.out.splitlines() if "hint:" in ln)
    hint = hint_line.split("hint:", 1)[1].strip()
    first = [t for t in data["tests"] if t["status"] == "failed"][0]
    assert hint in first["output"]
    assert 0 < data["score"] < len(data["tests"])  # the outputs exactly 0 and 1 still pass


# --------------------------------------------------------------------------- the attacks


@needs_landlock
def test_attack_calling_expected_is_blocked(graded: dict[str, Any]) -> None:
    _blocked(graded, "expected", "ImportError", "EXERCISES")


@needs_landlock
def test_attack_exec_solution_is_blocked(graded: dict[str, Any]) -> None:
    _blocked(graded, "solution", "has no attribute 'EXERCISES'")


@needs_landlock
def test_attack_importing_the_real_package_is_blocked(graded: dict[str, Any]) -> None:
    _blocked(graded, "reimport", "PermissionError")


@needs_landlock
def test_attack_reading_the_solution_source_is_blocked(graded: dict[str, Any]) -> None:
    _blocked(graded, "read_source", "PermissionError", "iamtrask.py")


@needs_landlock
def test_attack_result_file_and_exit_is_blocked(graded: dict[str, Any]) -> None:
    data = _blocked(graded, "exit", "exit status 0")
    # what it printed is shown as its output, inside the grader's JSON, never as the JSON
    assert '"score": 100.0' in data["output"]
    assert graded["runs"]["exit"].out.lstrip().startswith("{\n")


@needs_landlock
def test_attack_writing_to_the_graders_stdout_is_blocked(graded: dict[str, Any]) -> None:
    _blocked(graded, "proc_stdout", "PermissionError", "/fd/1")


@needs_landlock
def test_attack_8_gib_is_refused(graded: dict[str, Any]) -> None:
    _blocked(graded, "memory", "MemoryError")


@needs_landlock
def test_attack_grandchild_is_blocked_and_nothing_outlives_the_grade(graded: dict[str, Any]
                                                                     ) -> None:
    _blocked(graded, "grandchild", "BlockingIOError")
    size, later = graded["grandchild"]
    assert size == later  # nothing writes after the grader returned (-1: never created)


@needs_landlock
def test_attack_deleting_a_teachers_file_is_blocked(graded: dict[str, Any]) -> None:
    _blocked(graded, "delete", "PermissionError")
    assert graded["teacher"] == "the teacher's notes"


@needs_landlock
def test_attack_rewriting_the_installed_package_is_blocked(graded: dict[str, Any]) -> None:
    _blocked(graded, "rewrite_package", "PermissionError", "tensor.py")
    _blocked(graded, "new_package_file", "PermissionError")
    assert not (PACKAGE / f"_planted_{MARK}.py").exists()


@needs_landlock
def test_attack_cpu_spin_is_stopped(graded: dict[str, Any]) -> None:
    run = graded["runs"]["spin"]
    _blocked(graded, "spin", "it used more than its CPU time")
    assert run.seconds < 6  # the CPU limit (2 s) stopped it before the timeout (6 s)


@needs_landlock
def test_attack_huge_file_is_refused(graded: dict[str, Any]) -> None:
    _blocked(graded, "huge_file", "File too large")


@needs_landlock
def test_attack_tcp_connect_is_refused(graded: dict[str, Any]) -> None:
    _blocked(graded, "tcp", "PermissionError")
    assert graded["accepted"] == []


@needs_landlock
def test_attack_forging_an_answer_on_the_pipe_fails(graded: dict[str, Any]) -> None:
    _blocked(graded, "forge", "could not be read")


@needs_landlock
def test_attack_killing_the_grader_is_refused(graded: dict[str, Any]) -> None:
    _blocked(graded, "kill_grader", "PermissionError")


# --------------------------------------------------------------------------- what a teacher reads


@needs_landlock
def test_recursion_error_is_short_and_said_once(graded: dict[str, Any]) -> None:
    data = _blocked(graded, "recursion", "RecursionError", "repeated")
    outputs = {t["output"] for t in data["tests"]}
    assert len(outputs) == 1  # one cause, one message, in every case
    assert len(outputs.pop()) < 3000
    assert len(data["output"]) < 5000


@needs_landlock
def test_a_flood_of_output_is_cut(graded: dict[str, Any]) -> None:
    run = graded["runs"]["flood"]
    data = _gs(run)
    assert run.code == 0  # printing is allowed; the answer is right
    assert len(data["output"]) < 10000


def test_without_landlock_grading_refuses_unless_accepted(graded: dict[str, Any]) -> None:
    refused, weak = graded["runs"]["refused"], graded["runs"]["weak"]
    assert refused.code == 2
    assert "Landlock" in refused.out and "--allow-weak-isolation" in refused.out
    assert weak.code == 0, (weak.out, weak.err)
    assert "WARNING: weaker isolation accepted" in weak.out and "NO Landlock" in weak.out


def test_kill_all_kills_a_descendant_that_left_the_group(tmp_path: Path) -> None:
    """A grandchild in a session of its own is reparented to the grader (a subreaper), and
    ``kill_all`` finds and kills it. Run in a process of its own (it becomes a subreaper)."""
    marker = tmp_path / "alive.txt"
    grandchild = "\n".join([
        "import os, time",
        "if os.fork() == 0:",
        "    os.setsid()",
        "    if os.fork() == 0:",
        "        while True:",
        f"            open({str(marker)!r}, 'a').write('x')",
        "            time.sleep(0.02)",
        "    os._exit(0)",
        "time.sleep(60)",
    ])
    script = "\n".join([
        "import subprocess, sys, time",
        "from tinygrad_edu.exercises import sandbox",
        "sandbox.grader_setup()",
        "keep = sandbox.children()",
        f"proc = subprocess.Popen([sys.executable, '-c', {grandchild!r}], start_new_session=True)",
        "time.sleep(0.5)",
        "assert sandbox.children() - keep - {proc.pid}, 'the grandchild was not reparented'",
        "sandbox.kill_all(proc, keep)",
        "print(len(sandbox.children() - keep))",
    ])
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"
    size = marker.stat().st_size
    time.sleep(0.2)
    assert marker.stat().st_size == size


# --------------------------------------------------------------------------- the wire


def test_wire_keeps_dtypes_and_structure() -> None:
    obj = {"x": np.arange(6, dtype=np.float32).reshape(2, 3), "y": 1.5, "n": None,
           "s": np.float64(2.0), "params": {"w1": 0.5}, "list": [1, "a"],
           "m": Msg("yes", "是")}
    data = _child.encode(obj)
    back = _child.decode(data[:4] + data[8:], Msg)
    assert back["x"].dtype == np.float32 and back["x"].tolist() == obj["x"].tolist()
    assert back["y"] == 1.5 and back["n"] is None and back["params"] == {"w1": 0.5}
    assert back["list"] == [1, "a"] and back["m"] == Msg("yes", "是")
    assert type(back["s"]) is np.float64


def test_wire_never_carries_a_pickle() -> None:
    with pytest.raises(ValueError):
        _child.encode({"x": np.array([object()], dtype=object)})
    # a message holding a pickled (object) array is refused when read
    import io
    import struct

    buf = io.BytesIO()
    np.save(buf, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    blob = buf.getvalue()
    head = json.dumps({"body": {"__array__": 0, "scalar": False}, "blobs": [len(blob)]}).encode()
    with pytest.raises(_child.WireError):
        _child.decode(struct.pack(">I", len(head)) + head + blob)


# --------------------------------------------------------------------------- protocols: in place


def _run(name: str, source: str) -> list[Any]:
    """The protocol's outcome (or AnswerError message) on every case of exercise ``name``."""
    ex = EXERCISES[name]
    namespace: dict[str, Any] = {}
    exec(textwrap.dedent(source), namespace)
    out: list[Any] = []
    for case in ex.cases():
        try:
            out.append(protocols.run(ex.protocol, ex.protocol_args, namespace[ex.entry],
                                     ex.entry, ex.quantities, case.inputs))
        except protocols.AnswerError as e:
            out.append(e.message)
    return out


def _in_place_messages(outcomes: list[Any]) -> set[str]:
    return {m.en for m in outcomes if isinstance(m, Msg)}


def test_softmax_forward_changing_x_in_place_fails_named() -> None:
    outcomes = _run("function-softmax", """
        import numpy as np
        from tinygrad_edu import Function
        class Softmax(Function):
            @staticmethod
            def forward(ctx, x):
                x -= x.max(axis=-1, keepdims=True)
                e = np.exp(x)
                out = e / e.sum(axis=-1, keepdims=True)
                ctx.save_for_backward(out)
                return out
            @staticmethod
            def backward(ctx, grad_output):
                (out,) = ctx.saved_tensors
                return out * (grad_output - (grad_output * out).sum(axis=-1, keepdims=True))
    """)
    messages = _in_place_messages(outcomes)
    assert len(messages) == 1  # the same words in every case: the report says it once
    (text,) = messages
    assert "changed its input `x` in place" in text and "x = x - ..." in text
    zh = next(m for m in outcomes if isinstance(m, Msg)).zh
    assert "原地修改了输入 `x`" in zh


def test_backward_changing_grad_output_in_place_fails_named() -> None:
    outcomes = _run("function-tanh", """
        import numpy as np
        from tinygrad_edu import Function
        class Tanh(Function):
            @staticmethod
            def forward(ctx, x):
                out = np.tanh(x)
                ctx.save_for_backward(out)
                return out
            @staticmethod
            def backward(ctx, grad_output):
                (out,) = ctx.saved_tensors
                grad_output *= 1 - out * out
                return grad_output
    """)
    messages = _in_place_messages(outcomes)
    # the case of zeros multiplies grad_output by 1 - 0: unchanged, rightly not flagged
    assert sum(isinstance(m, Msg) for m in outcomes) >= len(outcomes) - 1
    assert {m.split(" in place")[0] for m in messages} == {
        "your code changed its input `grad_output`"}


def test_backward_changing_the_saved_output_in_place_fails_named() -> None:
    outcomes = _run("function-tanh", """
        import numpy as np
        from tinygrad_edu import Function
        class Tanh(Function):
            @staticmethod
            def forward(ctx, x):
                out = np.tanh(x)
                ctx.save_for_backward(out)
                return out
            @staticmethod
            def backward(ctx, grad_output):
                (out,) = ctx.saved_tensors
                out *= out
                return grad_output * (1 - out)
    """)
    messages = _in_place_messages(outcomes)
    assert messages and all("changed the forward's output in place" in m for m in messages)


def test_changing_the_input_in_place_fails_named() -> None:
    outcomes = _run(EXERCISE, """
        def slope(out):
            out *= 1 - out
            return out
    """)
    assert all(isinstance(m, Msg) and "input `out` in place" in m.en for m in outcomes)


def test_in_place_work_on_its_own_copies_passes() -> None:
    for name, source in [(EXERCISE, """
        def slope(out):
            d = out.copy()
            d *= 1 - out
            return d
    """), ("function-softmax", """
        import numpy as np
        from tinygrad_edu import Function
        class Softmax(Function):
            @staticmethod
            def forward(ctx, x):
                z = x.copy()
                z -= z.max(axis=-1, keepdims=True)
                np.exp(z, out=z)
                z /= z.sum(axis=-1, keepdims=True)
                ctx.save_for_backward(z)
                return z
            @staticmethod
            def backward(ctx, grad_output):
                (out,) = ctx.saved_tensors
                g = grad_output.copy()
                g -= (grad_output * out).sum(axis=-1, keepdims=True)
                g *= out
                return g
    """)]:
        outcomes = _run(name, source)
        assert all(isinstance(o, protocols.Outcome) for o in outcomes), outcomes


def test_document_updating_weights_in_place_is_allowed_where_it_does() -> None:
    """grokking's document updates ``weights[j] -= ...`` in its loop: allowed there."""
    ex = EXERCISES["bug-000-multi-input-weights"]
    fixed = ex.starter.replace("ele_mult_vector(delta, weights)", "ele_mult_vector(delta, input)")
    outcomes = _run(ex.name, fixed)
    assert all(isinstance(o, protocols.Outcome) for o in outcomes), outcomes


def test_float32_answer_keeps_its_dtype() -> None:
    (first, *_) = _run(EXERCISE, """
        import numpy as np
        def slope(out):
            out = out.astype(np.float32)
            return out * (1 - out)
    """)
    assert first.values["slope"].dtype == np.float32


def test_step_of_the_wrong_shape_fails_the_curve_only() -> None:
    ex = EXERCISES["bug-004-blog-network"]
    transposed = ex.solution.replace("w1_step = l1.T.dot(l2_delta)", "w1_step = l2_delta.T.dot(l1)")
    assert transposed != ex.solution
    outcomes = _run(ex.name, transposed)
    for o in outcomes:
        assert isinstance(o, protocols.Outcome)
        assert set(o.values) == set(ex.quantities)
        assert set(o.errors) == {"loss_curve"}
        assert "w1_step has shape (1, 4)" in o.errors["loss_curve"].en
        assert o.values["w1_step"].shape == (1, 4)


def test_quantity_errors_are_said_once_with_their_cases() -> None:
    why = Msg("w1_step has shape (1, 4)", "w1_step 的形状是 (1, 4)")
    run = runner.LearnerRun(values={"a": {}, "b": {}, "c": {}},
                            quantity_errors={"a": {"loss_curve": why}, "b": {"loss_curve": why}})
    (note,) = runner.quantity_notes(run)
    assert note.en == "loss_curve (case a, b): w1_step has shape (1, 4)"
    assert note.zh == "loss_curve（用例 a, b）：w1_step 的形状是 (1, 4)"
    run.quantity_errors["c"] = {"loss_curve": why}
    (note,) = runner.quantity_notes(run)
    assert note.en == "loss_curve (every case): w1_step has shape (1, 4)"


def test_a_long_traceback_line_is_cut(tmp_path: Path) -> None:
    source = "def f():\n    raise ValueError('x' * 5000)  # " + "y" * 5000 + "\n"
    path = str(tmp_path / "long_line_answer.py")
    Path(path).write_text(source)
    namespace: dict[str, Any] = {}
    exec(compile(source, path, "exec"), namespace)
    try:
        namespace["f"]()
    except ValueError as e:
        message = _child.learner_traceback(e, path, Msg)
    assert "raise ValueError('x' * 5000)  # yyy" in message.en  # the learner's line, cut
    assert len(message.en) < 1500 and message.en.endswith(" …")
