"""Running a learner's file safely: in a separate Python process, with a time limit.

``run_learner`` starts ``python -m tinygrad_edu.exercises._child NAME FILE OUT`` (see
``_child.py``), waits at most ``timeout`` seconds, and reads back the results per case, the
errors per case, or one message about the whole file (a syntax error, an exception while
importing, a missing definition, a loop that never ends). The learner gets a message about
their code, never the checker's traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

DEFAULT_TIMEOUT = 20.0  # seconds for the whole file (all cases)

_PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])


@dataclass
class LearnerRun:
    """What the learner's file produced: values per case, errors per case, or a file error."""

    values: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    case_errors: dict[str, str] = field(default_factory=dict)
    error: str | None = None


def run_learner(name: str, path: str | os.PathLike[str], timeout: float = DEFAULT_TIMEOUT
                ) -> LearnerRun:
    """Run the learner's file on every case of exercise ``name`` in a sandbox process."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        return LearnerRun(error=f"no such file: {path}")
    with tempfile.TemporaryDirectory(prefix="tinygrad_edu_check_") as tmp:
        out = os.path.join(tmp, "result")
        cmd = [sys.executable, "-m", "tinygrad_edu.exercises._child", name, path, out]
        # The child must import this very package, installed or not.
        pythonpath = os.pathsep.join(p for p in (_PACKAGE_PARENT, os.environ.get("PYTHONPATH"))
                                     if p)
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": pythonpath}
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL, env=env)
        except subprocess.TimeoutExpired:
            return LearnerRun(error=f"your code did not finish within {timeout:g} s and was "
                                    "stopped (an infinite loop, or a loop that runs far too "
                                    "many times?)")
        if not os.path.exists(out + ".json"):
            tail = "\n".join((proc.stderr or "").strip().splitlines()[-5:])
            return LearnerRun(error=f"your code stopped the checker's process (exit "
                                    f"{proc.returncode})" + (f":\n{tail}" if tail else ""))
        info = json.loads(Path(out + ".json").read_text())
        if "file" in info:
            return LearnerRun(error=info["file"])
        run = LearnerRun(case_errors=dict(info.get("cases", {})))
        with np.load(out + ".npz", allow_pickle=False) as f:
            for key in f.files:
                label, q = key.split("\x1f")
                run.values.setdefault(label, {})[q] = f[key]
    return run
