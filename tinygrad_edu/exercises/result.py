"""What a check found, and how it is shown: the report for a terminal, JSON for programs.

``CheckResult`` holds every check's status, the first failure (a ``Failure``) and the notes;
``report`` renders it for a person, ``to_json`` for a program (an editor, a grading script).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["CheckResult", "Failure", "use_color"]

Values = dict[str, np.ndarray]


@dataclass
class Failure:
    """The first wrong quantity: where, what, and why we think so."""

    case: str
    quantity: str
    index: tuple[int, ...] | None
    got: float | None
    expected: float | None
    got_shape: tuple[int, ...]
    expected_shape: tuple[int, ...]
    hint: str | None

    @property
    def ratio(self) -> float | None:
        if self.got is None or self.expected is None or self.expected == 0:
            return None
        return self.got / self.expected + 0.0  # + 0.0: no "-0"


@dataclass
class CheckResult:
    """What ``check`` found: pass/fail, a score, every check's status, the first failure."""

    exercise: str
    passed: bool
    checks: list[dict[str, Any]]
    failure: Failure | None = None
    error: str | None = None
    oracles: tuple[str, ...] = ("autograd",)
    learner: dict[str, Values] | None = field(default=None, repr=False)  # case -> values
    case_errors: dict[str, str] = field(default_factory=dict)  # case -> what the code raised
    notes: list[str] = field(default_factory=list)  # mistakes recognised after the first

    @property
    def score(self) -> float:
        done = [c for c in self.checks if c["status"] in ("pass", "fail")]
        return sum(c["status"] == "pass" for c in self.checks) / len(done) if done else 0.0

    def to_json(self) -> str:
        f = self.failure
        return json.dumps({
            "exercise": self.exercise,
            "passed": self.passed,
            "score": round(self.score, 4),
            "error": self.error,
            "case_errors": self.case_errors,
            "notes": self.notes,
            "checks": self.checks,
            "failure": None if f is None else {
                "case": f.case, "quantity": f.quantity, "index": f.index,
                "got": f.got, "expected": f.expected, "ratio": f.ratio,
                "got_shape": f.got_shape, "expected_shape": f.expected_shape, "hint": f.hint,
            },
            "oracles": list(self.oracles),
        }, indent=2)

    def report(self, color: bool = False) -> str:
        """The human-readable report (ANSI colours when ``color``)."""
        def paint(text: str, code: str) -> str:
            return f"\033[{code}m{text}\033[0m" if color else text

        ok, bad, dim = "32", "31;1", "2"
        lines = []
        if self.error is not None:
            lines.append(paint(f"✗ {self.exercise}: your file could not be checked", bad))
            lines.extend("  " + ln for ln in self.error.splitlines())
            return "\n".join(lines)
        verdict = paint("PASSED", ok) if self.passed else paint("FAILED", bad)
        n_pass = sum(c["status"] == "pass" for c in self.checks)
        lines.append(f"{self.exercise}: {verdict} ({n_pass}/{len(self.checks)} checks, "
                     f"against {' and '.join(self.oracles)})")
        for case in dict.fromkeys(c["case"] for c in self.checks):
            marks = []
            for c in self.checks:
                if c["case"] != case:
                    continue
                sym = {"pass": paint("✓", ok), "fail": paint("✗", bad),
                       "error": paint("!", bad)}.get(c["status"], "·")
                marks.append(f"{sym} {c['quantity']}")
            lines.append(f"  case {case}: " + "  ".join(marks))
        for label, message in self.case_errors.items():
            lines.append("")
            lines.append(paint(f"Case {label} could not be checked: ", bad)
                         + message.replace("\n", "\n  "))
        f = self.failure
        if f is not None:
            lines.append("")
            lines.append(paint(f"First wrong quantity: {f.quantity}", bad)
                         + f" (case {f.case}; the quantities before it are right)")
            if f.got_shape != f.expected_shape:
                lines.append(f"  shape: yours {f.got_shape}, expected {f.expected_shape}")
            if f.index is not None:
                ratio = "" if f.ratio is None else f", ratio {f.ratio:.6g}"
                where = f"element {list(f.index)}" if f.index else "value"
                lines.append(f"  {where}: yours {f.got:.10g}, expected "
                             f"{f.expected:.10g}{ratio}")
            if f.hint:
                lines.append(paint("  hint: ", "33;1") + f.hint)
        for note in self.notes:
            lines.append(paint("  also: ", "33;1") + note)
        if self.passed:
            lines.append(paint("  every quantity matches on every case.", dim))
        return "\n".join(lines)


def use_color(stream: Any = None) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set."""
    stream = stream or sys.stdout
    return hasattr(stream, "isatty") and stream.isatty() and "NO_COLOR" not in os.environ
