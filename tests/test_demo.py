"""examples/xor_demo.py (what `make demo` runs) trains, prints a falling loss and draws a graph."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "xor_demo.py"
LOSS_LINE = re.compile(r"^step\s+(\d+)\s+loss\s+(\S+)$", re.MULTILINE)


def run_demo(*args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    # Import the checkout's package even where it is not installed.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        [sys.executable, str(DEMO), *args],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )


def assert_ok(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 0, (
        f"xor_demo.py exited {proc.returncode}\n"
        f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    )


def test_demo_trains_and_writes_the_graph(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_demo("--steps", "400", "--out-dir", str(out))
    assert_ok(proc)

    points = [(int(s), float(v)) for s, v in LOSS_LINE.findall(proc.stdout)]
    assert len(points) >= 3, f"expected several 'step N  loss L' lines:\n{proc.stdout}"
    steps = [s for s, _ in points]
    losses = [v for _, v in points]
    assert steps[0] == 0 and steps[-1] == 400 and steps == sorted(steps)
    assert losses[-1] == min(losses), f"the loss did not end at its lowest: {points}"
    assert losses[-1] < 0.5 * losses[0], f"the loss did not fall by half: {points}"

    dot_file = out / "xor_loss.dot"
    assert dot_file.is_file(), f"no DOT file in {out}:\n{proc.stdout}"
    assert "digraph" in dot_file.read_text(encoding="utf-8")
    assert str(dot_file) in proc.stdout

    svg_file = out / "xor_loss.svg"
    if shutil.which("dot"):
        assert svg_file.is_file(), f"`dot` is installed but no SVG was written:\n{proc.stdout}"
        assert "<svg" in svg_file.read_text(encoding="utf-8")
        assert str(svg_file) in proc.stdout
    else:
        assert not svg_file.exists()
        assert "apt-get install graphviz" in proc.stdout


def test_demo_without_dot_explains_how_to_install_graphviz(tmp_path: Path) -> None:
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    out = tmp_path / "out"
    proc = run_demo("--steps", "5", "--quiet", "--out-dir", str(out), path=str(empty_bin))
    assert_ok(proc)
    assert "digraph" in (out / "xor_loss.dot").read_text(encoding="utf-8")
    assert not (out / "xor_loss.svg").exists()
    for hint in ("apt-get install graphviz", "brew install graphviz", "graphviz.org"):
        assert hint in proc.stdout, f"missing install hint {hint!r}:\n{proc.stdout}"
    # --quiet prints only the final loss, not the checkpoints before it.
    assert [int(s) for s, _ in LOSS_LINE.findall(proc.stdout)] == [5]


def test_demo_rejects_negative_steps(tmp_path: Path) -> None:
    proc = run_demo("--steps", "-1", "--out-dir", str(tmp_path))
    assert proc.returncode == 2
    assert "--steps" in proc.stderr
