"""``python -m tinygrad_edu graph NAME --out FILE``: drawing the documents' networks."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from tinygrad_edu.cli import main
from tinygrad_edu.documents import NETWORKS

REPO = Path(__file__).resolve().parent.parent
HAVE_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(
    not HAVE_DOT, reason="Graphviz's `dot` program is not installed (apt-get install graphviz)")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run_module(*args: str, cwd: Path, path_env: str | None = None
               ) -> subprocess.CompletedProcess[str]:
    """``python -m tinygrad_edu ARGS`` in a fresh interpreter, the package from this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    if path_env is not None:
        env["PATH"] = path_env
    return subprocess.run([sys.executable, "-m", "tinygrad_edu", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def check_file(path: Path, fmt: str) -> None:
    data = path.read_bytes()
    assert data, f"{path} is empty"
    if fmt == "dot":
        text = data.decode("utf-8")
        assert text.lstrip().startswith("digraph"), text[:80]
        assert "->" in text and "loss" in text
    elif fmt == "svg":
        text = data.decode("utf-8")
        assert "<svg" in text and "</svg>" in text
        assert re.search(r"<title>t\d+</title>", text)
        assert ">loss<" in text
    elif fmt == "png":
        assert data[:8] == PNG_MAGIC, data[:16]
        width, height = struct.unpack(">II", data[16:24])
        assert 100 < width < 20_000 and 50 < height < 10_000, (width, height)
    elif fmt == "html":
        text = data.decode("utf-8")
        assert text.lstrip().lower().startswith("<!doctype html")
        assert "<svg" in text and "<script" in text and "Next" in text
    else:  # pragma: no cover
        raise AssertionError(fmt)


NETS = ["xor", "xor2", "victorzhou"]


@pytest.mark.parametrize("fmt", ["dot", "svg", "png", "html"])
@pytest.mark.parametrize("network", NETS)
def test_graph_writes_each_format(network: str, fmt: str, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    if fmt != "dot" and not HAVE_DOT:
        pytest.skip("Graphviz's `dot` program is not installed (apt-get install graphviz)")
    out = tmp_path / f"graph.{fmt}"
    code = main(["graph", network, "--out", str(out), "--format", fmt])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert out.is_file()
    assert "wrote" in captured.out and str(out) in captured.out
    check_file(out, fmt)


@pytest.mark.parametrize("fmt", ["dot", "svg", "png", "html"])
def test_format_is_inferred_from_the_extension(fmt: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    if fmt != "dot" and not HAVE_DOT:
        pytest.skip("Graphviz's `dot` program is not installed (apt-get install graphviz)")
    out = tmp_path / f"xor.{fmt}"
    assert main(["graph", "xor", "--out", str(out)]) == 0, capsys.readouterr().err
    check_file(out, fmt)


def test_dot_output_has_the_networks_names_and_gradients(tmp_path: Path) -> None:
    out = tmp_path / "v.dot"
    assert main(["graph", "victorzhou", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    for name in ("w1", "w6", "b3", "h1", "h2", "y_pred", "loss"):
        assert f"<b>{name}</b>" in text, name
    assert "grad" in text and "data 0.7216" in text  # the document's feedforward value

    out2 = tmp_path / "v2.dot"
    assert main(["graph", "victorzhou", "--out", str(out2), "--no-data", "--no-grad",
                 "--rules", "--rankdir", "TB"]) == 0
    text2 = out2.read_text(encoding="utf-8")
    assert "data " not in text2 and "grad " not in text2
    assert "out*(1-out)" in text2 and "rankdir=TB" in text2


def test_xor_nn_draws_layers(tmp_path: Path) -> None:
    out = tmp_path / "nn.dot"
    assert main(["graph", "xor-nn", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert '"0: Linear(in_features=3, out_features=4, bias=True)"' in text
    assert '"2: Linear(in_features=4, out_features=1, bias=True)"' in text
    assert "subgraph cluster_" in text


def test_default_output_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["graph", "xor2", "--format", "dot"]) == 0
    assert (tmp_path / "xor2.dot").is_file()
    assert "wrote xor2.dot" in capsys.readouterr().out


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "--list"]) == 0
    out = capsys.readouterr().out
    for name in NETWORKS:
        assert re.search(rf"(?m)^{re.escape(name)}\s+\S", out), (name, out)
    assert len(out.strip().splitlines()) == len(NETWORKS)


def test_unknown_network(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x.png"
    assert main(["graph", "resnet", "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert "resnet" in captured.err and "unknown network" in captured.err
    for name in NETWORKS:
        assert name in captured.err
    assert not out.exists()
    assert "wrote" not in captured.out


# --------------------------------------------------------------------------- as a real program


@needs_dot
@pytest.mark.parametrize("network", ["xor", "xor-nn"])
def test_python_dash_m_writes_a_png(network: str, tmp_path: Path) -> None:
    proc = run_module("graph", network, "--out", "x.png", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "wrote x.png" in proc.stdout
    check_file(tmp_path / "x.png", "png")


def test_python_dash_m_list_and_unknown(tmp_path: Path) -> None:
    proc = run_module("graph", "--list", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert all(name in proc.stdout for name in NETWORKS)
    proc = run_module("graph", "nosuchnet", "--out", "x.svg", cwd=tmp_path)
    assert proc.returncode == 2
    assert "unknown network 'nosuchnet'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "x.svg").exists()


def test_without_dot_svg_fails_clearly_and_dot_text_still_works(tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    proc = run_module("graph", "xor", "--out", "x.svg", cwd=tmp_path, path_env=str(empty))
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert "dot" in proc.stderr and "graphviz" in proc.stderr.lower()
    assert not (tmp_path / "x.svg").exists() or (tmp_path / "x.svg").stat().st_size == 0
    proc = run_module("graph", "xor", "--out", "x.dot", cwd=tmp_path, path_env=str(empty))
    assert proc.returncode == 0, proc.stderr
    check_file(tmp_path / "x.dot", "dot")
