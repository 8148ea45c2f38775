"""The sandbox side of the checker: ``python -m tinygrad_edu.exercises._child NAME FILE OUT``.

Imports the learner's file, runs its entry on every case of the exercise, and writes the
results (``OUT.npz``) and what went wrong (``OUT.json``: a problem with the whole file, or
an error per case, with the learner's own lines of the traceback). The package never imports
this module, so running it with ``-m`` finds it fresh.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import traceback
from pathlib import Path

import numpy as np


def learner_traceback(exc: BaseException, path: str) -> str:
    """The traceback lines that are in the learner's file, then the error itself."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if os.path.abspath(f.filename) == os.path.abspath(path)]
    lines = [f"  line {f.lineno}, in {f.name}: {(f.line or '').strip()}" for f in frames]
    return "\n".join([*lines, f"{type(exc).__name__}: {exc}"])


def run(name: str, path: str, out: str) -> int:
    from tinygrad_edu.exercises import EXERCISES
    from tinygrad_edu.exercises.core import AnswerError

    ex = EXERCISES[name]
    report: dict[str, object] = {}

    def finish() -> int:
        Path(out + ".json").write_text(json.dumps(report))
        return 0

    try:
        spec = importlib.util.spec_from_file_location("learner_answer", path)
        if spec is None or spec.loader is None:
            report["file"] = f"cannot import {path}"
            return finish()
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    except SyntaxError as e:
        report["file"] = (f"syntax error in your file, line {e.lineno}: {e.msg}\n"
                          f"  {(e.text or '').rstrip()}")
        return finish()
    except BaseException as e:  # the learner's module raised (or exited) while importing
        report["file"] = ("your file raised an error while it was imported:\n"
                          + learner_traceback(e, path))
        return finish()
    entry = getattr(module, ex.entry, None)
    if entry is None:
        report["file"] = f"your file does not define {ex.entry!r}"
        return finish()
    arrays: dict[str, np.ndarray] = {}
    errors: dict[str, str] = {}
    for case in ex.cases():
        try:
            values = ex.call(entry, case)
        except AnswerError as e:
            errors[case.label] = str(e)
            continue
        except BaseException as e:  # whatever the learner's code raises, even SystemExit
            errors[case.label] = "your code raised an error:\n" + learner_traceback(e, path)
            continue
        for q, v in values.items():
            arrays[f"{case.label}\x1f{q}"] = v
    report["cases"] = errors
    with open(out + ".npz", "wb") as f:
        np.savez(f, **arrays)  # type: ignore[arg-type]
    return finish()


if __name__ == "__main__":
    sys.exit(run(*sys.argv[1:4]))
