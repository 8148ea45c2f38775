"""Small helpers the example scripts share: finding the package, printing checks, plots.

Importing this module first makes ``python examples/NAME.py`` work from a checkout even when
tinygrad_edu is not installed (it puts the checkout on ``sys.path``), and asks NumPy's BLAS for
one thread unless ``OPENBLAS_NUM_THREADS`` (or MKL's, OpenMP's) is already set: it must be
imported before NumPy.

Every example prints the numbers it compares with a document on lines of one shape::

    check  <what> | document: <value> | engine: <value> | <verdict>

(``torch:`` instead of ``document:`` in ``to_pytorch.py``).

``<verdict>`` is ``same`` (equal to the last bit), ``equal (max diff 2.2e-16)``,
``differs (max diff ...)`` or a note; the values are Python literals (floats or nested lists)
that ``ast.literal_eval`` reads back, which is what ``tests/test_examples.py`` does.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

# The examples' matrices are small (a batch of 32 images times a 64x128 layer): a BLAS that
# splits each product over threads spends more time handing the work over than computing,
# and on a busy machine far more. One thread, unless the user chose (set before NumPy loads).
for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if importlib.util.find_spec("tinygrad_edu") is None:  # a checkout that is not installed
    sys.path.insert(0, str(ROOT))

#: Where the examples write files unless told otherwise (``--out-dir``).
DEFAULT_OUT_DIR = ROOT / "build" / "examples"


#: Arrays with more elements than this are abbreviated on ``check`` lines.
MAX_SHOWN = 16


def as_literal(value: Any) -> Any:
    """A float or a (nested) list of floats: printable, and readable by ``literal_eval``.

    A large array prints as its shape and first values instead (not readable back).
    """
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        return float(arr)
    if arr.size > MAX_SHOWN:
        head = ", ".join(repr(float(v)) for v in arr.ravel()[:3])
        return f"<{arr.shape} array: {head}, ...>"
    return arr.tolist()


class Checker:
    """Prints ``check`` lines and remembers whether any comparison failed."""

    def __init__(self, reference: str = "document") -> None:
        self.reference = reference  # what the engine is compared with, named on each line
        self.failures: list[str] = []
        self.count = 0

    def compare(self, what: str, document: Any, engine: Any, rtol: float = 1e-12,
                atol: float = 0.0) -> bool:
        """Print the document's (or reference's) value beside the engine's; pass when within
        tolerance.

        The tolerance is relative to the largest document value: the same arithmetic in a
        different order (a matrix product, a sum) may differ in the last bits.
        """
        doc = np.asarray(document, dtype=np.float64)
        eng = np.asarray(engine, dtype=np.float64)
        self.count += 1
        if doc.shape != eng.shape:
            verdict, ok = f"differs (shape {eng.shape} vs {doc.shape})", False
        else:
            diff = float(np.max(np.abs(doc - eng))) if doc.size else 0.0
            scale = float(np.max(np.abs(doc))) if doc.size else 0.0
            ok = bool(np.isfinite(diff)) and diff <= atol + rtol * scale
            if diff == 0.0:
                verdict = "same"
            else:
                verdict = f"{'equal' if ok else 'differs'} (max diff {diff:.2g})"
        print(f"check  {what} | {self.reference}: {as_literal(doc)} | engine: {as_literal(eng)} | "
              f"{verdict}")
        if not ok:
            self.failures.append(what)
        return ok

    def compare_text(self, what: str, document: str, engine: str) -> bool:
        """Two printed lines, the document's and the engine's, that must be identical."""
        ok = document == engine
        self.count += 1
        print(f"line   {what} | document: {document}")
        print(f"       {what} | engine:   {engine} | {'same' if ok else 'DIFFERS'}")
        if not ok:
            self.failures.append(what)
        return ok

    def note(self, what: str, document: Any, engine: Any, remark: str) -> None:
        """A side-by-side line that is not a pass/fail comparison (e.g. a document mistake)."""
        print(f"check  {what} | {self.reference}: {as_literal(document)} | "
              f"engine: {as_literal(engine)} | {remark}")

    def require(self, what: str, condition: bool) -> bool:
        """A yes/no fact the example relies on, e.g. 'the loss fell'."""
        self.count += 1
        print(f"fact   {what}: {'yes' if condition else 'NO'}")
        if not condition:
            self.failures.append(what)
        return condition

    def finish(self) -> int:
        """Print the tally; the exit code is 1 if anything failed."""
        if self.failures:
            print(f"FAILED {len(self.failures)} of {self.count} checks: "
                  + "; ".join(self.failures))
            return 1
        print(f"all {self.count} checks passed")
        return 0


def section(title: str) -> None:
    print()
    print(f"== {title}")


class ProgressBar:
    """A tqdm bar on stderr when tqdm is installed (and ``enabled``), else silence.

    ``write`` prints a line above the bar (or plainly, without tqdm), so a script's stdout
    stays readable and parseable either way.
    """

    def __init__(self, total: int, desc: str = "", enabled: bool = True) -> None:
        self._bar: Any = None
        if enabled:
            try:
                from tqdm import tqdm
            except ImportError:
                pass
            else:
                self._bar = tqdm(total=total, desc=desc, leave=False, ncols=90,
                                 mininterval=0.5, file=sys.stderr)

    def update(self, n: int = 1, loss: float | None = None) -> None:
        if self._bar is not None:
            self._bar.update(n)
            if loss is not None:
                self._bar.set_postfix_str(f"loss {loss:.4f}", refresh=False)

    def write(self, line: str) -> None:
        if self._bar is not None:
            self._bar.write(line, file=sys.stdout)
        else:
            print(line, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend (files only, never a window), or None."""
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def pyplot_for(args: Any) -> Any:
    """pyplot for an example's pictures, with ``args.out_dir`` made; None (having said why)
    when ``--no-plots`` was given or matplotlib is not installed."""
    if args.no_plots:
        return None
    plt = pyplot()
    if plt is None:
        print("matplotlib is not installed: no pictures (pip install matplotlib)")
        return None
    args.out_dir.mkdir(parents=True, exist_ok=True)
    return plt
