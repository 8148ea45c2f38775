"""Udacity's deep-learning notes (document 002): gradient descent and backprop, by the engine.

The course derives every update by hand::

    error_term        = (y - output) * output * (1 - output)
    hidden_error_term = weights_hidden_output * output_error_term * h * (1 - h)
    weights          += learnrate * (sum over records of error_term * x) / n_records

These are steps down ``E = 0.5 * mean((y - output)**2)``: here ``E.backward()`` computes the
gradients, the weights move by ``-learnrate * grad``, and the course's formulas are evaluated
beside the engine to show they agree (to rounding) at every stage.

Part 1 replays the document's worked snippets (one sigmoid unit, a 4-3-2 forward pass, the
backpropagation example). Part 2 trains on the course's student-admissions task:

    python examples/udacity.py --csv binary.csv   # the course's file: admit,gre,gpa,rank
    python examples/udacity.py                    # no CSV: scikit-learn's breast-cancer data

with the course's preprocessing (``rank`` one-hot encoded, ``gre`` and ``gpa`` standardised,
a 90/10 train/test split drawn with seed 42) and its hyperparameters (one sigmoid unit:
1000 epochs, learnrate 0.5, seed 42; two hidden units: 900 epochs, learnrate 0.005, seed 21).
The course's CSV is not shipped here and nothing is downloaded: without ``--csv`` the same
pipeline runs on the Wisconsin breast-cancer table that scikit-learn installs with itself
(569 tumours, 30 measurements, all standardised; the target is 1 for "malignant", the
minority class, as "admitted" is in the course's data).

``--quick`` trains a tenth of the epochs.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import NamedTuple

import _common
import numpy as np

from tinygrad_edu import Tensor


class Dataset(NamedTuple):
    name: str
    columns: list[str]
    features: np.ndarray        # (n_train, n_features)
    targets: np.ndarray         # (n_train,)
    features_test: np.ndarray
    targets_test: np.ndarray


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def standardise(column: np.ndarray) -> np.ndarray:
    """(x - mean) / std, with pandas' sample standard deviation (ddof=1) as the course uses."""
    return (column - column.mean()) / column.std(ddof=1)


def split_90_10(x: np.ndarray, y: np.ndarray, seed: int = 42) -> tuple[np.ndarray, ...]:
    """The course's split: ``np.random.seed(42)``; 90% of the row numbers drawn without
    replacement (in the drawn order) are the training set, the rest (in file order) the test."""
    n = len(y)
    sample = np.random.RandomState(seed).choice(n, size=int(n * 0.9), replace=False)
    rest = np.setdiff1d(np.arange(n), sample)
    return x[sample], y[sample], x[rest], y[rest]


def load_admissions_csv(path: Path) -> Dataset:
    """Read the course's admissions CSV (columns admit, gre, gpa, rank) and prepare it.

    ``rank`` (1 = most prestigious school ... 4) becomes one 0/1 column per rank,
    ``gre`` and ``gpa`` are standardised over the whole file, then the 90/10 split is drawn.
    The feature columns are gre, gpa, rank_1, ..., the target is admit.
    """
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = {"admit", "gre", "gpa", "rank"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: the CSV needs the columns admit, gre, gpa, rank; "
                             f"missing {sorted(missing)} (found {reader.fieldnames})")
        rows = list(reader)
    if len(rows) < 10:
        raise ValueError(f"{path}: only {len(rows)} rows; a 90/10 split needs at least 10")
    try:
        admit = np.array([float(r["admit"]) for r in rows])
        gre = np.array([float(r["gre"]) for r in rows])
        gpa = np.array([float(r["gpa"]) for r in rows])
        rank = np.array([int(float(r["rank"])) for r in rows])
    except ValueError as e:
        raise ValueError(f"{path}: a value is not a number ({e})") from None
    ranks = sorted(set(rank.tolist()))
    one_hot = (rank[:, None] == np.array(ranks)[None, :]).astype(np.float64)
    x = np.column_stack([standardise(gre), standardise(gpa), one_hot])
    columns = ["gre", "gpa"] + [f"rank_{r}" for r in ranks]
    return Dataset(f"admissions from {path}", columns, *split_90_10(x, admit))


def load_breast_cancer() -> Dataset:
    """scikit-learn's bundled breast-cancer table, through the same pipeline (no download)."""
    try:
        from sklearn.datasets import load_breast_cancer as sk_load
    except ImportError:
        raise SystemExit(
            "udacity.py: without --csv this example uses scikit-learn's bundled breast-cancer "
            "data, and scikit-learn is not installed.\n  pip install scikit-learn   (or: pip "
            "install -e '.[examples]')\nor give the course's admissions CSV with --csv PATH."
        ) from None
    bunch = sk_load()
    x = np.column_stack([standardise(c) for c in np.asarray(bunch.data, dtype=np.float64).T])
    y = 1.0 - np.asarray(bunch.target, dtype=np.float64)  # 1 = malignant
    columns = [str(c) for c in bunch.feature_names]
    return Dataset("scikit-learn breast cancer (target: malignant)", columns, *split_90_10(x, y))


# --------------------------------------------------------------------------------------
# Part 1: the document's worked snippets
# --------------------------------------------------------------------------------------


def snippets(check: _common.Checker) -> None:
    _common.section("one sigmoid unit, one gradient-descent step (x=[0.1, 0.3], y=0.2, "
                    "w=[-0.8, 0.5], learnrate=0.5)")
    x_np, y, learnrate = np.array([0.1, 0.3]), 0.2, 0.5
    w_np = np.array([-0.8, 0.5])
    h = np.dot(x_np, w_np)
    output = sigmoid(h)
    error_term = (y - output) * np.exp(-h) * (1 + np.exp(-h)) ** (-2)  # 002's sigmoid_prime
    del_w = learnrate * error_term * x_np

    w = Tensor(w_np, requires_grad=True, name="weights")
    out = Tensor(x_np).dot(w).sigmoid()
    E = 0.5 * (y - out) ** 2
    E.backward()
    check.compare("nn_output = sigmoid(x . w)", output, out)
    check.compare("del_w = learnrate * error_term * x  vs  -learnrate * w.grad", del_w,
                  -learnrate * w.grad.numpy())

    _common.section("a 4-3-2 forward pass (N_input=4, N_hidden=3, N_output=2, seed 42)")
    rs = np.random.RandomState(42)
    X = rs.randn(4)
    w_i_h = rs.normal(0, scale=0.1, size=(4, 3))
    w_h_o = rs.normal(0, scale=0.1, size=(3, 2))
    hidden = Tensor(X).dot(Tensor(w_i_h)).sigmoid()
    output_t = hidden.dot(Tensor(w_h_o)).sigmoid()
    check.compare("Hidden-layer Output", sigmoid(X.dot(w_i_h)), hidden)
    check.compare("Output-layer Output", sigmoid(sigmoid(X.dot(w_i_h)).dot(w_h_o)), output_t)

    _common.section("backpropagation example (x=[0.5, 0.1, -0.2], target=0.6, learnrate=0.5)")
    x_np, target, learnrate = np.array([0.5, 0.1, -0.2]), 0.6, 0.5
    wih_np = np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]])
    who_np = np.array([0.1, -0.3])
    # 002, verbatim formulas
    hidden_out = sigmoid(np.dot(x_np, wih_np))
    out_np = sigmoid(np.dot(hidden_out, who_np))
    output_error_term = (target - out_np) * out_np * (1 - out_np)
    hidden_error_term = who_np * output_error_term * hidden_out * (1 - hidden_out)
    delta_w_h_o = learnrate * output_error_term * hidden_out
    delta_w_i_h = learnrate * hidden_error_term * x_np.reshape(1, 3).T

    wih = Tensor(wih_np, requires_grad=True, name="weights_input_hidden")
    who = Tensor(who_np, requires_grad=True, name="weights_hidden_output")
    h_in = Tensor(x_np).dot(wih)
    out_in = h_in.sigmoid().dot(who)
    E = 0.5 * (target - out_in.sigmoid()) ** 2
    E.backward()
    check.compare("output_error_term  vs  -d E/d output_in", output_error_term, -out_in.grad)
    check.compare("hidden_error_term  vs  -d E/d hidden_in", hidden_error_term, -h_in.grad)
    check.compare("delta_w_h_o  vs  -learnrate * grad", delta_w_h_o, -learnrate * who.grad)
    check.compare("delta_w_i_h  vs  -learnrate * grad", delta_w_i_h, -learnrate * wih.grad)


# --------------------------------------------------------------------------------------
# Part 2: training on a data set
# --------------------------------------------------------------------------------------


def report_loss(e: int, loss: float, last_loss: float | None) -> None:
    """The course's loss line, with its warning when the loss went up."""
    if last_loss is not None and last_loss < loss:
        print(f"       epoch {e:4d}  Train loss: {loss:.6f}  WARNING - Loss Increasing")
    else:
        print(f"       epoch {e:4d}  Train loss: {loss:.6f}")


def report_accuracy(predictions: np.ndarray, targets: np.ndarray) -> float:
    accuracy = float(np.mean(predictions == targets))
    print(f"       Prediction accuracy: {accuracy:.3f}  (test set, {len(targets)} rows; "
          f"predicted 1 for {np.mean(predictions):.0%} of them)")
    if np.all(predictions) or not np.any(predictions):
        print("       (the same answer for every row: this network has not learned to "
              "separate the classes)")
    return accuracy


def gradient_descent(check: _common.Checker, data: Dataset, epochs: int,
                     learnrate: float = 0.5) -> float:
    _common.section(f"gradient descent, one sigmoid unit: {epochs} epochs, "
                    f"learnrate {learnrate}, seed 42")
    x, y = data.features, data.targets
    n_records, n_features = x.shape
    w_init = np.random.RandomState(42).normal(scale=1 / n_features**0.5, size=n_features)

    weights = Tensor(w_init, requires_grad=True, name="weights")
    features = Tensor(x, name="features")
    w_doc = w_init.copy()  # the course's formulas, run alongside
    last_loss = None
    for e in range(epochs):
        output = features.dot(weights).sigmoid()
        E = 0.5 * ((y - output) ** 2).mean()
        E.backward()
        weights.data -= learnrate * weights.grad.data
        weights.grad = None

        out_doc = sigmoid(x.dot(w_doc))
        error_term = (y - out_doc) * out_doc * (1 - out_doc)
        del_w = (error_term[:, None] * x).sum(axis=0)  # sum over records of error_term * x
        w_doc += learnrate * del_w / n_records

        if e % max(epochs // 10, 1) == 0:
            loss = float(np.mean((sigmoid(x.dot(weights.numpy())) - y) ** 2))
            report_loss(e, loss, last_loss)
            last_loss = loss
    check.compare(f"weights after {epochs} epochs: course's formulas vs engine", w_doc,
                  weights, rtol=1e-9)
    test_out = sigmoid(data.features_test.dot(weights.numpy()))
    return report_accuracy(test_out > 0.5, data.targets_test)


def backpropagation(check: _common.Checker, data: Dataset, epochs: int,
                    learnrate: float = 0.005, n_hidden: int = 2) -> float:
    _common.section(f"backpropagation, {n_hidden} hidden units: {epochs} epochs, "
                    f"learnrate {learnrate}, seed 21")
    x, y = data.features, data.targets
    n_records, n_features = x.shape
    rs = np.random.RandomState(21)
    wih_init = rs.normal(scale=1 / n_features**0.5, size=(n_features, n_hidden))
    who_init = rs.normal(scale=1 / n_features**0.5, size=n_hidden)

    wih = Tensor(wih_init, requires_grad=True, name="weights_input_hidden")
    who = Tensor(who_init, requires_grad=True, name="weights_hidden_output")
    features = Tensor(x, name="features")
    wih_doc, who_doc = wih_init.copy(), who_init.copy()
    last_loss = None
    for e in range(epochs):
        output = features.dot(wih).sigmoid().dot(who).sigmoid()
        E = 0.5 * ((y - output) ** 2).mean()
        E.backward()
        wih.data -= learnrate * wih.grad.data
        who.data -= learnrate * who.grad.data
        wih.grad = who.grad = None

        # the course's per-record formulas, summed over all records at once
        hidden_output = sigmoid(x.dot(wih_doc))
        out_doc = sigmoid(hidden_output.dot(who_doc))
        output_error_term = (y - out_doc) * (1 - out_doc) * out_doc
        hidden_error_term = (who_doc[None, :] * output_error_term[:, None]
                             * (1 - hidden_output) * hidden_output)
        del_w_hidden_output = (output_error_term[:, None] * hidden_output).sum(axis=0)
        del_w_input_hidden = x.T.dot(hidden_error_term)  # sum of x[:, None] * error term
        wih_doc += learnrate * del_w_input_hidden / n_records
        who_doc += learnrate * del_w_hidden_output / n_records

        if e % max(epochs // 10, 1) == 0:
            out = sigmoid(sigmoid(x.dot(wih.numpy())).dot(who.numpy()))
            loss = float(np.mean((out - y) ** 2))
            report_loss(e, loss, last_loss)
            last_loss = loss
    print("       (002 prints sigmoid(np.dot(x, ...)) with x the LAST record of the loop, not")
    print("       features: its 'Train loss' is that one prediction against every target. The")
    print("       loss above is the real training loss.)")
    check.compare(f"weights_input_hidden after {epochs} epochs: course's formulas vs engine",
                  wih_doc, wih, rtol=1e-9)
    check.compare(f"weights_hidden_output after {epochs} epochs: course's formulas vs engine",
                  who_doc, who, rtol=1e-9)
    hidden = sigmoid(data.features_test.dot(wih.numpy()))
    test_out = sigmoid(hidden.dot(who.numpy()))
    return report_accuracy(test_out > 0.5, data.targets_test)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv", type=Path, default=None,
                        help="the course's admissions CSV (columns admit, gre, gpa, rank); "
                             "default: scikit-learn's bundled breast-cancer data")
    parser.add_argument("--hidden-learnrate", type=float, default=0.005,
                        help="learnrate of the 2-hidden-unit network (the course's: 0.005)")
    parser.add_argument("--quick", action="store_true", help="a tenth of the epochs")
    args = parser.parse_args(argv)
    check = _common.Checker()
    snippets(check)

    if args.csv is not None:
        if not args.csv.is_file():
            parser.error(f"--csv {args.csv}: no such file")
        try:
            data = load_admissions_csv(args.csv)
        except ValueError as e:
            print(f"udacity.py: {e}", file=sys.stderr)
            return 2
    else:
        data = load_breast_cancer()
    _common.section(f"data: {data.name}")
    print(f"       {len(data.targets)} training rows, {len(data.targets_test)} test rows, "
          f"{data.features.shape[1]} features: {', '.join(data.columns[:8])}"
          f"{', ...' if len(data.columns) > 8 else ''}")
    print(f"       target = 1 for {data.targets.mean():.1%} of the training rows")

    scale = 10 if args.quick else 1
    gradient_descent(check, data, epochs=1000 // scale)
    backpropagation(check, data, epochs=900 // scale, learnrate=args.hidden_learnrate)
    if args.hidden_learnrate == 0.005:
        print("       With the course's learnrate 0.005 the 2-hidden-unit net has barely begun to")
        print("       learn; try --hidden-learnrate 0.5.")
    return check.finish()


if __name__ == "__main__":
    sys.exit(main())
