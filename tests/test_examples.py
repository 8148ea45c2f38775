"""The example scripts run (``--quick``) and print the documents' numbers beside the engine's.

Each example prints its comparisons on ``check`` lines (see ``examples/_common.py``)::

    check  <what> | document: <value> | engine: <value> | <verdict>

The tests below parse them and assert the key numbers against the documents' own values
(written here again, so a script that printed the wrong "document" value would fail too).
Examples that need an optional package (scikit-learn, matplotlib, torch) are skipped when it is
missing. ``tests/data/admissions_tiny.csv`` is a made-up 40-row file with the columns of the
Udacity course's admissions CSV (admit, gre, gpa, rank), for the ``--csv`` path.
"""

from __future__ import annotations

import ast
import gzip
import importlib.util
import os
import re
import struct
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURE_CSV = Path(__file__).resolve().parent / "data" / "admissions_tiny.csv"

CHECK_LINE = re.compile(
    r"^check  (?P<what>.+?) \| (?P<ref>\w+): (?P<ref_value>.+?) \| engine: (?P<engine>.+?) \| "
    r"(?P<verdict>.+)$", re.MULTILINE)


def run_example(name: str, *args: str, env: dict[str, str] | None = None,
                timeout: float = 240) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ)
    full_env.update(env or {})
    # Import the checkout's package even where it is not installed.
    full_env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [full_env.pop("EXTRA_PYTHONPATH", ""), str(ROOT),
                      full_env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True,
                          text=True, env=full_env, timeout=timeout, check=False, cwd=ROOT)


def assert_ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, (f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n"
                                  f"--- stderr\n{proc.stderr}")
    return proc.stdout


def checks(stdout: str) -> dict[str, dict[str, Any]]:
    """``what`` -> the parsed reference value, engine value and verdict of each check line."""
    found = {}
    for m in CHECK_LINE.finditer(stdout):
        entry: dict[str, Any] = {"verdict": m["verdict"]}
        for key in ("ref_value", "engine"):
            text = m[key]
            entry[key] = None if text.startswith("<") else ast.literal_eval(text)
        found[m["what"]] = entry
    assert found, f"no check lines in the output:\n{stdout}"
    return found


def assert_all_passed(stdout: str) -> None:
    assert re.search(r"^all \d+ checks passed$", stdout, re.MULTILINE), stdout
    assert "FAILED" not in stdout
    for what, entry in checks(stdout).items():
        verdict = entry["verdict"]
        assert verdict == "same" or verdict.startswith("equal") or "MISTAKE" in verdict, (
            f"{what}: {verdict}")


def engine_value(found: dict[str, dict[str, Any]], what: str) -> Any:
    assert what in found, f"no check line {what!r}; have {sorted(found)}"
    return found[what]["engine"]


def assert_close(actual: Any, expected: Any, rtol: float = 1e-12, atol: float = 0.0) -> None:
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64),
                               np.asarray(expected, dtype=np.float64), rtol=rtol, atol=atol)


def import_example(name: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """Import examples/<name>.py as a module (it imports _common from its own folder)."""
    monkeypatch.syspath_prepend(str(EXAMPLES))
    monkeypatch.syspath_prepend(str(ROOT))
    # _common sets these (for NumPy's BLAS) when unset; undo that after the test
    for var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
        monkeypatch.setenv(var, os.environ.get(var, "1"))
    monkeypatch.delitem(sys.modules, "_common", raising=False)
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------------------
# Document 000: Grokking, chapters 3-5
# --------------------------------------------------------------------------------------


def test_grokking_forward_prints_chapter_3s_predictions() -> None:
    out = assert_ok(run_example("grokking_forward.py", "--quick"))
    assert_all_passed(out)
    found = checks(out)
    assert engine_value(found, "3.1 neural_network(8.5, 0.1)") == 0.8500000000000001
    assert engine_value(found, "3.2 w_sum(input, weights)") == 0.9800000000000001
    assert_close(engine_value(found, "neural_network5: [hurt, win, sad]"), [0.555, 0.98, 0.965])
    assert_close(engine_value(found, "neural_network6: [hurt, win, sad]"),
                 [0.2135, 0.145, 0.5065])
    assert found["neural_network6: [hurt, win, sad]"]["ref_value"] == [0.2135, 0.145, 0.5065]


def test_grokking_learning_reproduces_hot_cold_gradient_descent_and_alpha() -> None:
    out = assert_ok(run_example("grokking_learning.py", "--quick"))
    assert_all_passed(out)
    found = checks(out)
    assert engine_value(found, "error = (pred - goal_pred)**2") == 0.30250000000000005
    assert engine_value(found, "the final weight (000 prints 1.5999999999999344)") == (
        1.5999999999999344)
    assert engine_value(found, "the final weight (000 prints 1.5999999998022254)") == (
        1.5999999998022254)
    assert_close(engine_value(found, "Weight: lines 0..9")[:4],
                 [0, 0.8800000000000001, 0.6951999999999999, 0.734008])
    # the divergence at input = 1.1*6 ...
    assert_close(engine_value(found, "Weight: lines 0..7"),
                 [0, 5.280000000000001, -219.43680000000012, 9344.510208000007,
                  -397697.07445248036, 16925992.768697564, -720370246.9557683,
                  30658957715.717506])
    assert re.search(r"^fact   the error overflows to inf at step \d+ .*: yes$", out, re.M)
    # ... and its cure with alpha = 0.01
    assert_close(engine_value(found, "Weight: lines 0..14")[-1], 0.1211717785899746)
    assert_close(engine_value(
        found, "after 200 steps: goal_pred/input (000 prints 0.12121212121212122)"),
        0.12121212121212122)
    # the printed hot/cold and gradient-descent lines are the document's, character for character
    assert len(re.findall(r"^       hot/cold step .* \| same$", out, re.M)) == 6
    assert len(re.findall(r"^       gradient descent step .* \| same$", out, re.M)) == 5


def test_grokking_multi_reproduces_chapter_5_and_exposes_the_weights_mistake() -> None:
    out = assert_ok(run_example("grokking_multi.py", "--quick"))
    assert_all_passed(out)
    found = checks(out)
    assert engine_value(found, "step 0 Error (engine)") == 0.0036000000000000064
    assert_close(engine_value(found, "step 0 Weights Deltas (the document's rule)"),
                 [0.006000000000000005, 0.01200000000000001, -0.006000000000000005])
    mistake = found["step 0 Weights Deltas: document vs weights.grad"]
    assert "MISTAKE" in mistake["verdict"]
    assert_close(mistake["engine"], [0.06 * 8.5, 0.06 * 1.65, 0.06 * 1.2], rtol=1e-9)
    assert_close(engine_value(found, "step 4 Weights"),
                 [0.2716260187725558, 0.45984593334606744, 0.7551433589967326])
    assert_close(engine_value(found, "step 2 Prediction"),
                 [0.13049240085937502, 0.9986596746875, 0.15796906976562497])


# --------------------------------------------------------------------------------------
# Document 001: iamtrask
# --------------------------------------------------------------------------------------


def test_iamtrask_quick_prints_the_first_two_errors() -> None:
    out = assert_ok(run_example("iamtrask.py", "--quick"))
    assert_all_passed(out)
    found = checks(out)
    assert engine_value(found, "j=    0 Error:") == 0.496410031903
    assert engine_value(found, "j=10000 Error:") == 0.00858452565325


# --------------------------------------------------------------------------------------
# Document 002: Udacity
# --------------------------------------------------------------------------------------


def test_udacity_on_the_csv_fixture() -> None:
    out = assert_ok(run_example("udacity.py", "--quick", "--csv", str(FIXTURE_CSV)))
    assert_all_passed(out)
    assert ("36 training rows, 4 test rows, 6 features: gre, gpa, rank_1, rank_2, rank_3, "
            "rank_4") in out
    found = checks(out)
    assert_close(engine_value(found, "delta_w_h_o  vs  -learnrate * grad"),
                 [0.008040473948045293, 0.005559180911682831])
    accuracies = [float(a) for a in re.findall(r"Prediction accuracy: ([0-9.]+)", out)]
    assert len(accuracies) == 2 and all(0 <= a <= 1 for a in accuracies)
    assert any(what.startswith("weights after 100 epochs") for what in found)


def test_udacity_loader_does_the_courses_preprocessing(monkeypatch: pytest.MonkeyPatch) -> None:
    udacity = import_example("udacity", monkeypatch)
    data = udacity.load_admissions_csv(FIXTURE_CSV)
    assert data.columns == ["gre", "gpa", "rank_1", "rank_2", "rank_3", "rank_4"]
    assert data.features.shape == (36, 6) and data.features_test.shape == (4, 6)
    x = np.vstack([data.features, data.features_test])
    y = np.concatenate([data.targets, data.targets_test])
    assert_close(x[:, :2].mean(axis=0), [0, 0], atol=1e-12)
    assert_close(x[:, :2].std(axis=0, ddof=1), [1, 1])
    assert np.all(x[:, 2:].sum(axis=1) == 1)  # one rank per row
    assert set(np.unique(y)) <= {0.0, 1.0}
    # the split is fixed by the seed: the same rows every time
    again = udacity.load_admissions_csv(FIXTURE_CSV)
    assert np.array_equal(again.features_test, data.features_test)


def test_udacity_rejects_a_csv_without_the_columns(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("admit,gre,score\n" + "1,600,3\n" * 12, encoding="utf-8")
    proc = run_example("udacity.py", "--quick", "--csv", str(bad))
    assert proc.returncode == 2
    assert "gpa" in proc.stderr and "rank" in proc.stderr


def test_udacity_on_scikit_learns_bundled_data() -> None:
    pytest.importorskip("sklearn")
    out = assert_ok(run_example("udacity.py", "--quick"))
    assert_all_passed(out)
    assert "breast cancer" in out and "512 training rows, 57 test rows" in out
    first = float(re.search(r"Prediction accuracy: ([0-9.]+)", out)[1])
    assert first >= 0.9


# --------------------------------------------------------------------------------------
# Document 003: victorzhou
# --------------------------------------------------------------------------------------


def test_victorzhou_feedforward_numbers_training_and_new_people() -> None:
    out = assert_ok(run_example("victorzhou.py", "--quick"))
    assert_all_passed(out)
    found = checks(out)
    assert engine_value(found, "Neuron.feedforward([2, 3])") == 0.9990889488055994
    assert engine_value(found, "OurNeuralNetworks().feedforward([2, 3])") == 0.7216325609518421
    assert engine_value(found, "mse_loss") == 0.5
    assert "MISTAKE" in found["d_L_d_w4 with d_h2_d_w4 = x[0]*... (003) vs backward()"]["verdict"]
    assert re.search(r"^       Emily: 0\.\d+ - F$", out, re.M), out
    assert re.search(r"^       Frank: 0\.\d+ - M$", out, re.M), out


# --------------------------------------------------------------------------------------
# Digits: the IDX reader, scikit-learn's digits, MNIST files
# --------------------------------------------------------------------------------------


def write_idx(path: Path, array: np.ndarray, compress: bool = False) -> None:
    """An IDX file as MNIST's are written: magic (0, 0, type, ndim), big-endian sizes, data."""
    codes = {np.dtype("u1"): 0x08, np.dtype("i1"): 0x09, np.dtype("i2"): 0x0B,
             np.dtype("i4"): 0x0C, np.dtype("f4"): 0x0D, np.dtype("f8"): 0x0E}
    code = codes[array.dtype.newbyteorder("=")]
    raw = (bytes([0, 0, code, array.ndim])
           + b"".join(struct.pack(">I", d) for d in array.shape)
           + array.astype(array.dtype.newbyteorder(">")).tobytes())
    path.write_bytes(gzip.compress(raw) if compress else raw)


def synthetic_mnist(folder: Path, n_train: int = 300, n_test: int = 100) -> None:
    """Four IDX files of 28x28 'digits': a white bar whose place depends on the label."""
    rng = np.random.default_rng(0)

    def images(labels: np.ndarray) -> np.ndarray:
        x = rng.integers(0, 40, size=(len(labels), 28, 28)).astype(np.uint8)
        for i, k in enumerate(labels):
            row, col = divmod(int(k), 5)
            x[i, 4 + 12 * row: 12 + 12 * row, 2 + 5 * col: 6 + 5 * col] = 255
        return x

    y_train = rng.integers(0, 10, n_train).astype(np.uint8)
    y_test = rng.integers(0, 10, n_test).astype(np.uint8)
    write_idx(folder / "train-images-idx3-ubyte.gz", images(y_train), compress=True)
    write_idx(folder / "train-labels-idx1-ubyte.gz", y_train, compress=True)
    write_idx(folder / "t10k-images.idx3-ubyte", images(y_test))  # the dotted spelling
    write_idx(folder / "t10k-labels-idx1-ubyte", y_test)


def test_read_idx_reads_every_type_gzipped_or_not(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    digits = import_example("digits", monkeypatch)
    rng = np.random.default_rng(1)
    arrays = {
        "u1": rng.integers(0, 256, (5, 4, 3)).astype(np.uint8),
        "i1": rng.integers(-128, 128, (7,)).astype(np.int8),
        "i2": rng.integers(-30000, 30000, (2, 3)).astype(np.int16),
        "i4": rng.integers(-2**31, 2**31 - 1, (4, 2)).astype(np.int32),
        "f4": rng.normal(size=(3, 3)).astype(np.float32),
        "f8": rng.normal(size=(2, 2, 2)),
    }
    for name, array in arrays.items():
        for compress in (False, True):
            path = tmp_path / f"{name}{'.gz' if compress else ''}"
            write_idx(path, array, compress)
            got = digits.read_idx(path)
            assert got.shape == array.shape and got.dtype == array.dtype.newbyteorder("=")
            assert np.array_equal(got, array)


def test_read_idx_rejects_malformed_files(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    digits = import_example("digits", monkeypatch)
    good = tmp_path / "good"
    write_idx(good, np.arange(12, dtype=np.uint8).reshape(3, 4))
    raw = good.read_bytes()
    cases = {
        "magic": b"PK\x03\x04" + raw[4:],           # not an IDX file
        "type": raw[:2] + b"\x07" + raw[3:],          # unknown data type
        "short": raw[:-1],                            # data cut short
        "long": raw + b"\x00",                        # trailing bytes
        "header": raw[:6],                            # header cut short
    }
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(ValueError, match=str(path)):
            digits.read_idx(path)


def test_digits_on_idx_files(tmp_path: Path) -> None:
    folder = tmp_path / "mnist"
    folder.mkdir()
    synthetic_mnist(folder)
    out_dir = tmp_path / "out"
    # The pictures are drawn by the same code for both data sets: the test below checks them.
    out = assert_ok(run_example("digits.py", "--mnist", str(folder), "--quick",
                                "--no-progress", "--no-plots", "--out-dir", str(out_dir)))
    assert "300 training and 100 test images of 28x28 pixels" in out
    accuracy = float(re.search(r"^test accuracy: ([0-9.]+)", out, re.M)[1])
    assert accuracy >= 0.9, out
    assert not out_dir.exists()


def test_digits_explains_missing_idx_files(tmp_path: Path) -> None:
    proc = run_example("digits.py", "--mnist", str(tmp_path), "--quick", "--no-progress")
    assert proc.returncode == 2
    assert "train-images-idx3-ubyte" in proc.stderr


def test_digits_quick_on_scikit_learns_digits(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    out = assert_ok(run_example("digits.py", "--quick", "--out-dir", str(tmp_path)))
    assert "1438 training and 359 test images of 8x8 pixels" in out
    accuracy = float(re.search(r"^test accuracy: ([0-9.]+)", out, re.M)[1])
    assert accuracy >= 0.85, out  # 3 epochs; the full 30 reach 97-98% (benchmarks/digits_full.py)
    for name in ("digits_training.png", "digits_class_images.png"):
        path = tmp_path / name
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"wrote {path}" in out


# --------------------------------------------------------------------------------------
# PyTorch side by side
# --------------------------------------------------------------------------------------


def test_to_pytorch_gives_equal_outputs_losses_and_gradients() -> None:
    pytest.importorskip("torch")
    out = assert_ok(run_example("to_pytorch.py", "--quick"))
    assert_all_passed(out)
    found = checks(out)
    assert all(entry["verdict"] == "same" or entry["verdict"].startswith("equal")
               for entry in found.values())
    assert sum(what.endswith(".grad") for what in found) == 8
    largest = float(re.search(r"^largest difference anywhere: (\S+)$", out, re.M)[1])
    assert largest < 1e-12


def test_to_pytorch_without_torch_exits_0_and_says_how_to_install(tmp_path: Path) -> None:
    (tmp_path / "torch.py").write_text("raise ImportError('no torch here')\n", encoding="utf-8")
    proc = run_example("to_pytorch.py", "--quick", env={"EXTRA_PYTHONPATH": str(tmp_path)})
    out = assert_ok(proc)
    assert "PyTorch is not installed" in out and "pip install torch==2.13.0" in out


# --------------------------------------------------------------------------------------
# Issue 12's examples: a CNN, a character model, a transformer block (PyTorch code)
# --------------------------------------------------------------------------------------


def assert_png(path: Path, out: str) -> None:
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"wrote {path}" in out


def test_cnn_digits_quick_on_scikit_learns_digits(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    out = assert_ok(run_example("cnn_digits.py", "--quick", "--out-dir", str(tmp_path)))
    assert "1438 training and 359 test images of 8x8 pixels" in out
    for layer in ("Conv2d(1, 32, kernel_size=(3, 3)", "BatchNorm2d(32", "MaxPool2d(kernel_size=2",
                  "Dropout(p=0.25", "Linear(in_features=256, out_features=128"):
        assert layer in out, out
    first = float(re.search(r"^first loss: ([0-9.]+)", out, re.M)[1])
    assert abs(first - np.log(10)) < 0.5, out  # an untrained net guesses about uniformly
    accuracy = float(re.search(r"^test accuracy: ([0-9.]+) \(\d+/359\) after 5 steps", out,
                               re.M)[1])
    assert 0 <= accuracy <= 1  # 5 steps: no claim (the full run's figure is in the docstring)
    assert_png(tmp_path / "cnn_digits_filters.png", out)
    assert_png(tmp_path / "cnn_digits_loss.png", out)


def test_cnn_digits_on_idx_files(tmp_path: Path) -> None:
    folder = tmp_path / "mnist"
    folder.mkdir()
    synthetic_mnist(folder)
    out = assert_ok(run_example("cnn_digits.py", "--mnist", str(folder), "--quick",
                                "--no-plots"))
    assert "300 training and 100 test images of 28x28 pixels" in out
    # two 2x2 poolings: 28x28 -> 7x7, times 64 channels
    assert "Linear(in_features=3136, out_features=128" in out
    assert re.search(r"^test accuracy: [0-9.]+ \(\d+/100\)", out, re.M), out
    proc = run_example("cnn_digits.py", "--mnist", str(tmp_path / "none"), "--quick")
    assert proc.returncode == 2 and "train-images-idx3-ubyte" in proc.stderr


def test_cnn_digits_shift_moves_each_image_by_at_most_one_pixel(
        monkeypatch: pytest.MonkeyPatch) -> None:
    cnn = import_example("cnn_digits", monkeypatch)
    images = np.zeros((50, 1, 8, 8))
    images[:, 0, 4, 3] = 1.0  # one lit pixel per image
    shifted = cnn.shift_batch(images, np.random.default_rng(0))
    rows, cols = np.nonzero(shifted[:, 0].sum(axis=0) > 0)
    assert shifted.shape == images.shape and np.all(shifted.sum(axis=(1, 2, 3)) == 1)
    assert set(rows) == {3, 4, 5} and set(cols) == {2, 3, 4}  # all nine shifts occur


def test_char_model_quick_prints_losses_and_samples() -> None:
    out = assert_ok(run_example("char_model.py", "--quick"))
    words = (EXAMPLES / "data" / "names.txt").read_text(encoding="utf-8").split()
    vocab = len(set("".join(words))) + 1  # the letters used, and "." (start and end)
    assert re.search(r"^words: 4000 from names\.txt \(3600 to train on", out, re.M), out
    assert f"{vocab} tokens ({vocab - 1} letters and '.')" in out
    for layer in (f"Embedding({vocab}, 10)", "BatchNorm1d(128", "Tanh()"):
        assert layer in out, out
    steps = re.findall(r"^step +(\d+)/50  lr ([0-9.]+)  loss ([0-9.]+)$", out, re.M)
    assert [int(s) for s, _, _ in steps][:2] == [0, 5] and steps[-1][0] == "49"
    # the schedule: 0.1, then 0.01 from step 37 (MultiStepLR at 3/4 of the steps)
    assert {lr for s, lr, _ in steps if int(s) < 37} == {"0.100"}
    assert {lr for s, lr, _ in steps if int(s) >= 37} == {"0.010"}
    # a small last layer starts near the uniform guess over the tokens
    assert abs(float(steps[0][2]) - np.log(vocab)) < 0.2, out
    assert re.search(r"^val loss: [0-9.]+ \(after 50 steps", out, re.M), out
    block = out.split("samples (20, torch.multinomial):\n")[1].split("\n")
    samples = [line[2:] for line in block if line.startswith("  ")]
    assert len(samples) == 20 and all(set(s) <= set("abcdefghijklmnopqrstuvwxyz")
                                      for s in samples)
    assert re.search(r"^\d+ of 20 samples are not in the word list$", out, re.M)


def test_char_model_word_list_is_the_generators_and_the_dataset_is_makemores(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    words = (EXAMPLES / "data" / "names.txt").read_text(encoding="utf-8").split()
    assert len(words) == len(set(words)) == 4000
    assert all(w.isalpha() and w.islower() and 3 <= len(w) <= 10 for w in words)
    char_model = import_example("char_model", monkeypatch)
    stoi = {ch: i + 1 for i, ch in enumerate("abcdefghijklmnopqrstuvwxyz")} | {".": 0}
    x, y = char_model.build_dataset(["emma", "al"], stoi, 3)
    assert x.tolist() == [[0, 0, 0], [0, 0, 5], [0, 5, 13], [5, 13, 13], [13, 13, 1],
                          [0, 0, 0], [0, 0, 1], [0, 1, 12]]
    assert y.tolist() == [5, 13, 13, 1, 0, 1, 12, 0]
    bad = tmp_path / "bad.txt"
    bad.write_text("a.b\n" * 20, encoding="utf-8")
    proc = run_example("char_model.py", "--quick", "--words", str(bad))
    assert proc.returncode == 2 and "'.'" in proc.stderr


def test_attention_quick_prints_accuracy_and_draws_the_weights(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    out = assert_ok(run_example("attention.py", "--quick", "--out-dir", str(tmp_path)))
    for layer in ("Embedding(11, 64)", "Embedding(12, 64)", "LayerNorm((64,)", "GELU"):
        assert layer in out, out
    assert re.search(r"^accuracy: [0-9.]+ of 200 fresh strings reversed exactly "
                     r"\(greedy decoding\), after 20 steps", out, re.M), out
    assert re.search(r"^example: \d{6} -> \d{6}$", out, re.M), out
    assert_png(tmp_path / "attention_weights.png", out)


def test_attention_batches_are_reversals_and_the_mask_is_causal(
        monkeypatch: pytest.MonkeyPatch) -> None:
    attention = import_example("attention", monkeypatch)
    x, y = attention.make_batch(5, 4, np.random.default_rng(0))
    assert x.shape == y.shape == (5, 8)  # digits, separator, reversal; shifted by one
    assert np.all(x[:, 4] == 10) and np.all(y[:, :4] == -100)  # only the answer is trained
    assert np.array_equal(y[:, 4:], x[:, 3::-1])
    assert np.array_equal(x[:, 5:], x[:, 3:0:-1])
    tg = attention.torch
    tg.manual_seed(0)
    model = attention.TinyGPT(vocab_size=11, block_size=8)
    model.eval()
    a = np.array([[1, 2, 3, 4, 10, 4, 3, 2]])
    b = a.copy()
    b[0, 6:] = [9, 9]  # a different future must not change the earlier outputs
    with tg.no_grad():
        out_a, out_b = model(tg.tensor(a)).numpy(), model(tg.tensor(b)).numpy()
    assert np.array_equal(out_a[:, :6], out_b[:, :6])
    assert not np.allclose(out_a[:, 6:], out_b[:, 6:])
    weights = model.block.attn.last_weights
    assert np.all(np.triu(weights[0, 0], 1) == 0)
    assert_close(weights.sum(axis=-1), np.ones((1, 4, 8)))


def test_attention_heads_equal_torchs_causal_attention(monkeypatch: pytest.MonkeyPatch) -> None:
    torch = pytest.importorskip("torch")
    attention = import_example("attention", monkeypatch)
    tg = attention.torch
    tg.manual_seed(1)
    attn = attention.CausalSelfAttention(n_embd=8, n_head=2, block_size=5)
    x = np.random.default_rng(2).normal(size=(3, 5, 8))
    got = attn(tg.tensor(x)).detach().numpy()
    # the same computation by PyTorch (nn.Linear's weight here is (in, out): PyTorch's transpose)
    w_qkv, b_qkv = attn.qkv.weight.detach().numpy(), attn.qkv.bias.detach().numpy()
    qkv = torch.tensor(x @ w_qkv + b_qkv)
    q, k, v = (t.view(3, 5, 2, 4).transpose(1, 2) for t in qkv.split(8, dim=2))
    y = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
    y = y.transpose(1, 2).reshape(3, 5, 8).numpy()
    expected = y @ attn.proj.weight.detach().numpy() + attn.proj.bias.detach().numpy()
    assert_close(got, expected, rtol=1e-10, atol=1e-12)
