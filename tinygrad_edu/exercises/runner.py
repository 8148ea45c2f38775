"""Running a learner's file safely: in a separate Python process, with a time limit.

The parent (``check``) starts ``python -m tinygrad_edu.exercises.runner NAME FILE OUT``.
The child imports the learner's file, calls its entry on every case of the exercise and
writes either the results (``OUT.npz``) or a description of what went wrong (``OUT.json``):
a syntax error, an exception (with the learner's own lines of the traceback), a missing
function, a wrong return value. A file that loops forever is stopped by the parent's time
limit. Either way the learner gets a message about their code, never the checker's
traceback.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_TIMEOUT = 20.0  # seconds for the whole file (all cases)


def _learner_traceback(exc: BaseException, path: str) -> str:
    """The traceback lines that are in the learner's file, then the error itself."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if os.path.abspath(f.filename) == os.path.abspath(path)]
    lines = [f"  line {f.lineno}, in {f.name}: {(f.line or '').strip()}" for f in frames]
    return "\n".join([*lines, f"{type(exc).__name__}: {exc}"])


def _child(name: str, path: str, out: str) -> int:
    from . import EXERCISES
    from .core import AnswerError

    ex = EXERCISES[name]

    def fail(kind: str, message: str) -> int:
        Path(out + ".json").write_text(json.dumps({"kind": kind, "message": message}))
        return 0

    try:
        spec = importlib.util.spec_from_file_location("learner_answer", path)
        if spec is None or spec.loader is None:
            return fail("import", f"cannot import {path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    except SyntaxError as e:
        return fail("syntax", f"line {e.lineno}: {e.msg}\n  {(e.text or '').rstrip()}")
    except Exception as e:  # the learner's module raised while importing
        return fail("import", "your file raised an error while it was imported:\n"
                    + _learner_traceback(e, path))
    entry = getattr(module, ex.entry, None)
    if entry is None:
        return fail("missing", f"your file does not define {ex.entry!r}")
    arrays: dict[str, np.ndarray] = {}
    for case in ex.cases():
        try:
            values = ex.call(entry, case)
        except AnswerError as e:
            return fail("answer", f"case {case.label}: {e}")
        except Exception as e:
            return fail("exception", f"case {case.label}: your code raised an error:\n"
                        + _learner_traceback(e, path))
        for q, v in values.items():
            arrays[f"{case.label}\x1f{q}"] = v
    with open(out + ".npz", "wb") as f:
        np.savez(f, **arrays)  # type: ignore[arg-type]
    return 0


def run_learner(name: str, path: str | os.PathLike[str], timeout: float = DEFAULT_TIMEOUT
                ) -> tuple[dict[str, dict[str, np.ndarray]] | None, str | None]:
    """The learner's results per case, or ``(None, message)`` explaining why there are none."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        return None, f"no such file: {path}"
    with tempfile.TemporaryDirectory(prefix="tinygrad_edu_check_") as tmp:
        out = os.path.join(tmp, "result")
        cmd = [sys.executable, "-m", "tinygrad_edu.exercises.runner", name, path, out]
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL, env=env)
        except subprocess.TimeoutExpired:
            return None, (f"your code did not finish within {timeout:g} s and was stopped "
                          "(an infinite loop, or a loop that runs far too many times?)")
        if os.path.exists(out + ".json"):
            info = json.loads(Path(out + ".json").read_text())
            titles = {"syntax": "syntax error in your file", "import": "import failed",
                      "missing": "missing definition", "answer": "wrong kind of answer",
                      "exception": "your code raised an error"}
            return None, f"{titles.get(info['kind'], info['kind'])}: {info['message']}"
        if proc.returncode != 0 or not os.path.exists(out + ".npz"):
            tail = "\n".join((proc.stderr or "").strip().splitlines()[-5:])
            return None, f"your code stopped the checker's process (exit {proc.returncode})" + (
                f":\n{tail}" if tail else "")
        results: dict[str, dict[str, np.ndarray]] = {}
        with np.load(out + ".npz", allow_pickle=False) as f:
            for key in f.files:
                label, q = key.split("\x1f")
                results.setdefault(label, {})[q] = f[key]
    return results, None


def main(argv: list[str] | None = None) -> Any:
    args = sys.argv[1:] if argv is None else argv
    return _child(*args)


if __name__ == "__main__":
    sys.exit(main())
