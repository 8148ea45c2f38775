"""The learner programs (tests/learner_programs/): PyTorch code run with only its imports changed.

Each program is the tinygrad_edu port of a PyTorch program of the kind learners write after a
first backprop course (see tests/learner_programs/README.md). The port differs from the PyTorch
program in its import lines only, so mapping those lines back gives the PyTorch program.

For every program this module:

1. runs the file as it is, on tinygrad_edu, in a subprocess of its own, and checks that it exits
   0 and prints the markers that its ``# expect: a | b | ...`` line lists;
2. when PyTorch is installed, maps the import lines back to ``torch`` (checking that nothing but
   import lines changed), runs that program too, and compares the two outputs: the same lines,
   the same text between the numbers, and every number within ``REL_TOL`` relative.

The PyTorch versions run one after another in a single subprocess (importing torch takes a few
seconds, once instead of once per program), each in a fresh namespace with torch's global
state reset (default dtype, grad mode, the default generator's seed), while the tinygrad_edu
programs run concurrently, two at a time.

A program may be marked ``xfail(strict=True)`` only while it stops on a PyTorch feature that
tinygrad_edu does not have yet (``XFAIL``: the reason names the exception and the missing name),
or runs but prints what PyTorch would not (``XFAIL_DIFFERS``, which applies only when torch is
installed to compare with).
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import torch

REPO = Path(__file__).resolve().parent.parent
PROGRAM_DIR = Path(__file__).resolve().parent / "learner_programs"
PROGRAMS = sorted(p.name for p in PROGRAM_DIR.glob("[0-9][0-9]_*.py"))

#: Numbers in the two outputs must agree to this relative tolerance (both compute in float64;
#: what differs is the order of floating-point operations inside each library's kernels).
REL_TOL = 1e-9
#: A number that is zero in exact arithmetic comes out as round-off (1e-17 or so) in either
#: library; this absolute floor lets such a pair match. Programs print no real value this small.
ABS_TOL = 1e-14
#: Seconds a single program may run before the harness gives up on it.
PROGRAM_TIMEOUT = 60

#: Programs that stop today on a PyTorch feature tinygrad_edu lacks: {file name: reason}.
XFAIL: dict[str, str] = {
    "32_variable_old_style.py": (
        "AttributeError: w.grad.data.zero_(): .data is a plain np.ndarray, without zero_"
    ),
    "54_padding_masks_from_comparisons.py": (
        "TypeError: mask.nonzero() on a comparison's mask raises (ambiguous): comparison "
        "operators return a BoolArray (np.ndarray) by the contract, whose NumPy nonzero gives a "
        "tuple where PyTorch's gives a (k, ndim) tensor; torch.nonzero(mask) works"
    ),
}
#: Programs that run but print other text or numbers than PyTorch (checked only with torch).
XFAIL_DIFFERS: dict[str, str] = {
    "41_printing_tensors.py": (
        "text differs: print(x.dtype) gives NumPy's float64 (PyTorch: torch.float64; "
        "likewise int64, bool, float32)"
    ),
}

_TINY_IMPORT = re.compile(r"^(?:import|from)\s+tinygrad_edu\b")
_TORCH_IMPORT = re.compile(r"^(?:import|from)\s+torch\b")
_EXPECT = re.compile(r"^# expect:(.*)$", re.MULTILINE)
_NUMBER = re.compile(
    r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|[-+]?\b(?:inf|nan)\b"
)
# Parts of a tensor's repr that differ between the libraries but carry no value.
_REPR_NOISE = [
    (re.compile(r"\btensor\("), "Tensor("),
    (re.compile(r",\s*dtype=(?:torch\.)?\w+"), ""),
    (re.compile(r",\s*grad_fn=<\w+>"), ""),
    (re.compile(r",\s*requires_grad=True"), ""),
    (re.compile(r"\bat 0x[0-9a-fA-F]+"), "at 0x?"),  # an object's address (a grad_fn's repr)
]


def to_torch(source: str) -> str:
    """The PyTorch program: each ``import``/``from`` line naming tinygrad_edu names torch."""
    lines = []
    for line in source.splitlines(keepends=True):
        if _TINY_IMPORT.match(line):
            line = line.replace("tinygrad_edu", "torch").replace(
                "import torch as torch", "import torch"
            )
        lines.append(line)
    return "".join(lines)


def changed_lines(original: str, mapped: str) -> list[tuple[str, str]]:
    """The (original, mapped) line pairs that differ; the two must have as many lines."""
    a, b = original.splitlines(), mapped.splitlines()
    assert len(a) == len(b), "the mapping added or removed lines"
    return [(x, y) for x, y in zip(a, b, strict=True) if x != y]


def expected_markers(source: str) -> list[str]:
    """The strings a program's ``# expect:`` line says its output contains."""
    found = _EXPECT.search(source)
    assert found, "each learner program has a '# expect: marker | marker' line"
    return [m.strip() for m in found.group(1).split("|") if m.strip()]


def split_numbers(line: str) -> tuple[list[str], list[float]]:
    """A line's text pieces (repr noise normalised) and the numbers between them."""
    for pattern, replacement in _REPR_NOISE:
        line = pattern.sub(replacement, line)
    texts = _NUMBER.split(line)
    numbers = [float(m) for m in _NUMBER.findall(line)]
    return texts, numbers


def compare_outputs(ours: str, theirs: str) -> list[str]:
    """Every difference between tinygrad_edu's output and PyTorch's, as readable lines."""
    problems = []
    a, b = ours.splitlines(), theirs.splitlines()
    if len(a) != len(b):
        problems.append(f"{len(a)} lines printed, PyTorch printed {len(b)}")
    for i, (x, y) in enumerate(zip(a, b, strict=False)):  # a length mismatch is reported above
        tx, nx = split_numbers(x)
        ty, ny = split_numbers(y)
        if tx != ty or len(nx) != len(ny):
            problems.append(f"line {i + 1}: text differs\n  ours:    {x}\n  PyTorch: {y}")
            continue
        for u, v in zip(nx, ny, strict=True):
            same = (math.isnan(u) and math.isnan(v)) or math.isclose(
                u, v, rel_tol=REL_TOL, abs_tol=ABS_TOL
            )
            if not same:
                problems.append(
                    f"line {i + 1}: {u!r} != {v!r} (PyTorch)\n  ours:    {x}\n  PyTorch: {y}"
                )
                break
    return problems


@dataclass
class Run:
    """One program's run: exit code, stdout, stderr and wall time in seconds."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["PYTHONHASHSEED"] = "0"
    return env


def run_tinygrad(name: str, workdir: str) -> Run:
    """Run one program, unchanged, in a subprocess of its own."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, str(PROGRAM_DIR / name)],
            capture_output=True,
            text=True,
            cwd=workdir,
            env=_env(),
            timeout=PROGRAM_TIMEOUT,
        )
    except subprocess.TimeoutExpired as e:
        return Run(-1, str(e.stdout or ""), f"timed out after {PROGRAM_TIMEOUT} s", PROGRAM_TIMEOUT)
    return Run(proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - start)


# Runs each mapped program in a fresh namespace inside one Python process with torch imported
# once; prints one JSON object {name: {"returncode", "stdout", "stderr", "seconds"}}.
_TORCH_RUNNER = textwrap.dedent(
    """
    import contextlib, io, json, sys, time, traceback, warnings
    import torch
    warnings.simplefilter("ignore")
    seed = torch.initial_seed()
    jobs = json.load(sys.stdin)
    results = {}
    for name, path, source in jobs:
        torch.set_default_dtype(torch.float32)
        torch.set_grad_enabled(True)
        torch.manual_seed(seed)
        out, err = io.StringIO(), io.StringIO()
        code = 0
        start = time.perf_counter()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                exec(compile(source, path, "exec"), {"__name__": "__main__", "__file__": path})
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else 1
            except BaseException:
                traceback.print_exc()
                code = 1
        results[name] = {"returncode": code, "stdout": out.getvalue(),
                         "stderr": err.getvalue(), "seconds": time.perf_counter() - start}
    sys.stdout.write(json.dumps(results))
    """
)


class Runs:
    """Starts every selected program on both libraries at once; each test waits for its own."""

    def __init__(self, names: list[str]) -> None:
        self._workdir = tempfile.TemporaryDirectory()
        self._pool = ThreadPoolExecutor(max_workers=2)
        self._torch_lock = threading.Lock()
        self._torch_results: dict[str, Run] | None = None
        self._torch_proc: subprocess.Popen[str] | None = None
        self._torch_input = ""
        if torch is not None:
            jobs = []
            for name in names:
                path = PROGRAM_DIR / name
                jobs.append([name, str(path), to_torch(path.read_text())])
            self._torch_input = json.dumps(jobs)
            self._torch_proc = subprocess.Popen(
                [sys.executable, "-c", _TORCH_RUNNER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=self._workdir.name,
                env=_env(),
            )
        self._tiny: dict[str, Future[Run]] = {
            name: self._pool.submit(run_tinygrad, name, self._workdir.name) for name in names
        }

    def tinygrad(self, name: str) -> Run:
        return self._tiny[name].result()

    def torch(self, name: str) -> Run:
        with self._torch_lock:
            if self._torch_results is None:
                assert self._torch_proc is not None
                timeout = PROGRAM_TIMEOUT * max(1, len(self._tiny))
                out, err = self._torch_proc.communicate(self._torch_input, timeout=timeout)
                assert self._torch_proc.returncode == 0, f"the PyTorch runner failed:\n{err}"
                self._torch_results = {k: Run(**v) for k, v in json.loads(out).items()}
        return self._torch_results[name]

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        if self._torch_proc is not None and self._torch_proc.poll() is None:
            self._torch_proc.kill()
            self._torch_proc.wait()
        self._workdir.cleanup()


@pytest.fixture(scope="module")
def runs(request: pytest.FixtureRequest) -> Iterator[Runs]:
    # Only the programs this session selected (so `-k 05` runs one program, not all of them).
    selected = sorted(
        {
            item.callspec.params["program"]
            for item in request.session.items
            if getattr(item, "module", None) is request.module
            and hasattr(item, "callspec")
            and "program" in item.callspec.params
        }
    )
    r = Runs(selected)
    yield r
    r.close()


def _params() -> list[object]:
    params: list[object] = []
    for name in PROGRAMS:
        if name in XFAIL:
            mark = pytest.mark.xfail(strict=True, reason=XFAIL[name])
        elif name in XFAIL_DIFFERS:
            mark = pytest.mark.xfail(
                torch is not None, strict=True, reason=XFAIL_DIFFERS[name]
            )
        else:
            params.append(name)
            continue
        params.append(pytest.param(name, marks=mark))
    return params


def test_there_are_enough_programs() -> None:
    assert len(PROGRAMS) >= 24
    readme = (PROGRAM_DIR / "README.md").read_text()
    missing = [name for name in PROGRAMS if name not in readme]
    assert not missing, f"README.md does not list {missing}"
    assert not (set(XFAIL) | set(XFAIL_DIFFERS)) - set(PROGRAMS), "XFAIL names no program"
    assert not set(XFAIL) & set(XFAIL_DIFFERS)


@pytest.mark.parametrize("program", PROGRAMS)
def test_only_import_lines_differ(program: str) -> None:
    source = (PROGRAM_DIR / program).read_text()
    mapped = to_torch(source)
    changes = changed_lines(source, mapped)
    assert changes, "a learner program imports tinygrad_edu"
    for ours, theirs in changes:
        assert _TINY_IMPORT.match(ours) and _TORCH_IMPORT.match(theirs), (ours, theirs)
    assert "tinygrad_edu" not in mapped, "tinygrad_edu is named outside an import line"
    assert "torch.set_default_dtype(torch.float64)" in source
    assert 20 <= len(source.splitlines()) <= 120, "a learner program has 20-120 lines"


def test_the_mapping_touches_import_lines_only() -> None:
    # The checker is checked: a program that names tinygrad_edu elsewhere is caught.
    source = "import tinygrad_edu as torch\nx = tinygrad_edu.tensor([1])\n"
    mapped = to_torch(source)
    assert mapped.splitlines()[0] == "import torch"
    assert "tinygrad_edu" in mapped
    functional = "import tinygrad_edu.nn.functional as F\n"
    assert to_torch(functional) == "import torch.nn.functional as F\n"
    assert (
        to_torch("from tinygrad_edu.utils.data import DataLoader, TensorDataset\n")
        == "from torch.utils.data import DataLoader, TensorDataset\n"
    )


def test_the_comparison_can_fail() -> None:
    assert compare_outputs("loss 0.5\n", "loss 0.5000000000001\n") == []
    assert compare_outputs("a 1e-17\n", "a -2e-17\n") == []
    assert compare_outputs("loss 0.5\n", "loss 0.50001\n")
    assert compare_outputs("loss 0.5\n", "cost 0.5\n")
    assert compare_outputs("loss 0.5\n", "loss 0.5\nmore\n")
    assert compare_outputs("Tensor(1.5)\n", "tensor(1.5, dtype=torch.float64)\n") == []
    node = "<AddBackward0 object at 0x7f01>\n"
    assert compare_outputs(node, "<AddBackward0 object at 0xab>\n") == []
    assert compare_outputs("<Add object at 0x7f01>\n", "<AddBackward0 object at 0x7f01>\n")


@pytest.mark.parametrize("program", _params())
def test_program(program: str, runs: Runs) -> None:
    ours = runs.tinygrad(program)
    assert ours.returncode == 0, f"{program} failed on tinygrad_edu:\n{ours.stderr[-3000:]}"
    markers = expected_markers((PROGRAM_DIR / program).read_text())
    missing = [m for m in markers if m not in ours.stdout]
    assert not missing, f"{program} did not print {missing}:\n{ours.stdout}"
    if torch is None:
        return
    theirs = runs.torch(program)
    assert theirs.returncode == 0, f"the PyTorch version of {program} failed:\n{theirs.stderr}"
    problems = compare_outputs(ours.stdout, theirs.stdout)
    assert not problems, f"{program}: output differs from PyTorch's\n" + "\n".join(problems[:10])
