"""Handwritten digits with the engine: a small MLP, trained with Adam (document 000's MNIST).

Grokking's chapter 5 (document 000) ends by reading handwritten digits: 784 pixels in, 10 scores
out, and each output's weights drawn as an image that looks like its digit. This example trains
a two-layer network (``Linear -> ReLU -> Linear``, ``CrossEntropyLoss``, ``optim.Adam``) with the
engine, on

- scikit-learn's 8x8 digits (1797 images, installed with scikit-learn; the default), or
- MNIST itself, from the standard IDX files in a folder you give (``--mnist FOLDER``):
  ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``,
  ``t10k-labels-idx1-ubyte``, each optionally ``.gz`` (``train-images.idx3-ubyte`` works too).

Nothing is downloaded. It writes two pictures (matplotlib, no display needed):

- ``<name>_training.png``: the loss and the accuracy per epoch;
- ``<name>_class_images.png``: for each digit, its average image, and what the network looks
  for in it: ``d logit[k] / d input`` averaged over the test images of digit k, times each
  pixel's standard deviation (ink on a red pixel raises the score of k, on a blue one lowers
  it). For a one-layer network (``--hidden 0``) the gradient is exactly the weight column of k,
  Grokking's picture; ``backward()`` computes it for any depth.

    python examples/digits.py                   # 8x8 digits, about 97-98% test accuracy
    python examples/digits.py --hidden 0        # Grokking's one-layer network
    python examples/digits.py --mnist ~/mnist   # MNIST from IDX files
    python examples/digits.py --quick           # a few epochs (for the test suite)
"""

from __future__ import annotations

import argparse
import gzip
import math
import sys
import time
from pathlib import Path
from typing import NamedTuple

import _common
import numpy as np

from tinygrad_edu import Tensor, nn, no_grad, optim


class Digits(NamedTuple):
    name: str
    x_train: np.ndarray  # (N, pixels), floats in [0, 1]
    y_train: np.ndarray  # (N,) integer labels 0..9
    x_test: np.ndarray
    y_test: np.ndarray
    side: int            # images are side x side


# --------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------

#: IDX's type byte -> NumPy dtype (the data are big-endian).
IDX_DTYPES = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"),
              0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (MNIST's format), gzip-compressed or not, into a NumPy array.

    The format: two zero bytes, a type byte (0x08 = unsigned byte, ... 0x0E = double), the
    number of dimensions, then each dimension as a big-endian 32-bit integer, then the data.
    """
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":  # gzip's magic number, whatever the file is called
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{path}: not an IDX file (it must start with two zero bytes, "
                         f"found {raw[:4].hex(' ') or 'nothing'})")
    dtype = IDX_DTYPES.get(raw[2])
    if dtype is None:
        raise ValueError(f"{path}: unknown IDX data type 0x{raw[2]:02x}")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: IDX header cut short ({len(raw)} bytes)")
    dims = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    count = math.prod(dims)
    if len(raw) - header != count * dtype.itemsize:
        raise ValueError(f"{path}: header says {dims} ({count * dtype.itemsize} bytes of data) "
                         f"but the file holds {len(raw) - header}")
    data = np.frombuffer(raw, dtype=dtype, offset=header)
    return data.reshape(dims).astype(dtype.newbyteorder("="))


def find_idx(folder: Path, split: str, kind: str) -> Path:
    """The file for ``split`` ("train" or "t10k") and ``kind`` ("images" or "labels")."""
    ndim = 3 if kind == "images" else 1
    names = [f"{split}-{kind}-idx{ndim}-ubyte", f"{split}-{kind}.idx{ndim}-ubyte"]
    for name in names:
        for candidate in (folder / name, folder / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    raise FileNotFoundError(f"{folder}: no {names[0]} (nor .gz, nor {names[1]}): --mnist needs "
                            "the four IDX files train-images-idx3-ubyte, "
                            "train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
                            "t10k-labels-idx1-ubyte")


def load_mnist(folder: Path, limit: int | None = None) -> Digits:
    parts = {}
    for split in ("train", "t10k"):
        images = read_idx(find_idx(folder, split, "images"))
        labels = read_idx(find_idx(folder, split, "labels"))
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(f"{folder}: {split} images {images.shape} and labels "
                             f"{labels.shape} do not match")
        if limit is not None:
            images, labels = images[:limit], labels[:limit]
        scale = 255.0 if images.dtype == np.uint8 else max(float(images.max()), 1.0)
        parts[split] = (images.reshape(len(images), -1) / scale, labels.astype(np.intp))
    side = int(math.isqrt(parts["train"][0].shape[1]))
    return Digits(f"MNIST from {folder}", *parts["train"], *parts["t10k"], side=side)


def load_sklearn_digits(test_fraction: float = 0.2, seed: int = 0) -> Digits:
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise SystemExit(
            "digits.py: the default data set is scikit-learn's bundled 8x8 digits, and "
            "scikit-learn is not installed.\n  pip install scikit-learn   (or: pip install -e "
            "'.[examples]')\nor give MNIST's IDX files with --mnist FOLDER."
        ) from None
    bunch = load_digits()
    x = np.asarray(bunch.data, dtype=np.float64) / 16.0  # pixel values are 0..16
    y = np.asarray(bunch.target, dtype=np.intp)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = int(round(len(y) * test_fraction))
    test, train = order[:n_test], order[n_test:]
    return Digits("scikit-learn 8x8 digits", x[train], y[train], x[test], y[test], side=8)


# --------------------------------------------------------------------------------------
# Model and training
# --------------------------------------------------------------------------------------


def make_model(n_in: int, hidden: int, seed: int) -> nn.Module:
    rng = np.random.default_rng(seed)
    if hidden == 0:  # Grokking's network: one weight per (pixel, digit)
        return nn.Sequential(nn.Linear(n_in, 10, rng=rng))
    return nn.Sequential(nn.Linear(n_in, hidden, rng=rng), nn.ReLU(),
                         nn.Linear(hidden, 10, rng=rng))


@no_grad()
def evaluate(model: nn.Module, x: np.ndarray, y: np.ndarray,
             batch: int = 2000) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) on a whole set, without recording a graph."""
    loss_fn = nn.CrossEntropyLoss(reduction="sum")
    total, correct = 0.0, 0
    for i in range(0, len(y), batch):
        logits = model(Tensor(x[i:i + batch]))
        total += loss_fn(logits, y[i:i + batch]).item()
        correct += int(np.sum(np.argmax(logits.numpy(), axis=1) == y[i:i + batch]))
    return total / len(y), correct / len(y)


class History(NamedTuple):
    train_loss: list[float]
    test_loss: list[float]
    train_acc: list[float]
    test_acc: list[float]
    seconds: float


def train(model: nn.Module, data: Digits, epochs: int, lr: float, batch_size: int,
          seed: int, progress: bool = True, log_epochs: bool = True) -> History:
    opt = optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    rng = np.random.default_rng(seed + 1)
    n = len(data.y_train)
    steps_per_epoch = math.ceil(n / batch_size)
    history = History([], [], [], [], 0.0)
    bar = _common.ProgressBar(epochs * steps_per_epoch, desc="training", enabled=progress)
    start = time.perf_counter()
    running = None
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n)
        for i in range(0, n, batch_size):
            idx = order[i:i + batch_size]
            opt.zero_grad()
            loss = loss_fn(model(Tensor(data.x_train[idx])), data.y_train[idx])
            loss.backward()
            opt.step()
            value = loss.item()
            running = value if running is None else 0.95 * running + 0.05 * value
            bar.update(1, loss=running)
        train_loss, train_acc = evaluate(model, data.x_train, data.y_train)
        test_loss, test_acc = evaluate(model, data.x_test, data.y_test)
        for series, value in zip(history[:4], (train_loss, test_loss, train_acc, test_acc),
                                 strict=True):
            series.append(value)
        if log_epochs:
            bar.write(f"epoch {epoch:3d}/{epochs}  train loss {train_loss:.4f}  "
                      f"train acc {train_acc:.4f}  test acc {test_acc:.4f}")
    bar.close()
    return history._replace(seconds=time.perf_counter() - start)


def class_images(model: nn.Module, x: np.ndarray, y: np.ndarray,
                 pixel_std: np.ndarray) -> np.ndarray:
    """For each class k: ``d logit[k] / d input``, averaged over the images of class k, times
    each pixel's standard deviation over the training set.

    ``backward()`` does the work: the input is a tensor that requires grad, and the gradient of
    ``sum over the class-k images of logit[k]`` holds one image per input. Scaling by the
    pixel's spread gives the change of the score for a typical change of that pixel; pixels that
    are blank in every image (the borders) get 0 instead of the random weights they start with
    and never lose (no gradient ever reaches them).
    """
    out = np.zeros((10, x.shape[1]))
    for k in range(10):
        images = x[y == k]
        if len(images) == 0:
            continue
        inputs = Tensor(images, requires_grad=True)
        model(inputs)[:, k].sum().backward()
        out[k] = inputs.grad.numpy().mean(axis=0) * pixel_std
        model.zero_grad()
    return out


# --------------------------------------------------------------------------------------
# Pictures
# --------------------------------------------------------------------------------------


def plot_training(plt: object, history: History, path: Path, title: str) -> None:
    epochs = np.arange(1, len(history.train_loss) + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))  # type: ignore[attr-defined]
    ax1.plot(epochs, history.train_loss, "o-", ms=3, label="training set")
    ax1.plot(epochs, history.test_loss, "s-", ms=3, label="test set")
    ax1.set_yscale("log")
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("cross-entropy loss (log scale)")
    ax1.set_title("loss after each epoch")
    ax1.legend()
    ax1.grid(alpha=0.3, which="both")
    ax2.plot(epochs, 100 * np.array(history.train_acc), "o-", ms=3, label="training set")
    ax2.plot(epochs, 100 * np.array(history.test_acc), "s-", ms=3, label="test set")
    ax2.axhline(97, color="gray", ls="--", lw=1, label="97%")
    low = min(90.0, 100 * min(history.test_acc + history.train_acc) - 1)
    ax2.set_ylim(max(low, 0), 100.5)
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("accuracy (%)")
    ax2.set_title(f"accuracy: {100 * history.test_acc[-1]:.1f}% on the test set at the end")
    ax2.legend(loc="lower right")
    ax2.grid(alpha=0.3)
    from matplotlib.ticker import MaxNLocator

    for ax in (ax1, ax2):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole epochs only
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)  # type: ignore[attr-defined]


def plot_class_images(plt: object, means: np.ndarray, sensitivity: np.ndarray, side: int,
                      path: Path, title: str) -> None:
    fig, axes = plt.subplots(2, 10, figsize=(13, 3.9))  # type: ignore[attr-defined]
    for k in range(10):
        top, bottom = axes[0, k], axes[1, k]
        image = means[k].reshape(side, side)
        top.imshow(image, cmap="gray_r", vmin=0, vmax=1)
        top.set_title(str(k), fontsize=14)
        limit = float(np.max(np.abs(sensitivity[k]))) or 1.0
        bottom.imshow(sensitivity[k].reshape(side, side), cmap="RdBu_r", vmin=-limit,
                      vmax=limit, interpolation="bicubic")
        if image.max() > 0.4:  # the outline of the mean image, to compare with
            bottom.contour(image, levels=[0.4], colors="k", linewidths=0.7)
        for ax in (top, bottom):
            ax.set_xticks([])
            ax.set_yticks([])
    axes[0, 0].set_ylabel("mean image", fontsize=9)
    axes[1, 0].set_ylabel("red: ink here\nraises the score\nblue: lowers it", fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mnist", type=Path, default=None, metavar="FOLDER",
                        help="train on MNIST's IDX files in FOLDER instead of the 8x8 digits")
    parser.add_argument("--epochs", type=int, default=None,
                        help="epochs (default 30 for the 8x8 digits, 5 for MNIST)")
    parser.add_argument("--hidden", type=int, default=128,
                        help="hidden units (default 128; 0 = Grokking's one-layer network)")
    parser.add_argument("--lr", type=float, default=2e-3, help="Adam's learning rate")
    parser.add_argument("--batch-size", type=int, default=32, help="images per step")
    parser.add_argument("--seed", type=int, default=0, help="seed of the weights and batches")
    parser.add_argument("--limit", type=int, default=None,
                        help="use only the first N images of each MNIST file")
    parser.add_argument("--out-dir", type=Path, default=_common.DEFAULT_OUT_DIR,
                        help=f"where to write the pictures (default {_common.DEFAULT_OUT_DIR})")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--no-plots", action="store_true", help="write no pictures")
    parser.add_argument("--quick", action="store_true",
                        help="3 epochs (and at most 2000 MNIST images)")
    args = parser.parse_args(argv)
    if args.hidden < 0 or args.batch_size < 1 or (args.epochs is not None and args.epochs < 1):
        parser.error("--hidden must be >= 0, --batch-size and --epochs >= 1")

    if args.mnist is not None:
        limit = args.limit if args.limit is not None else (2000 if args.quick else None)
        try:
            data = load_mnist(args.mnist, limit=limit)
        except (OSError, ValueError) as e:
            print(f"digits.py: {e}", file=sys.stderr)
            return 2
        epochs = args.epochs or (3 if args.quick else 5)
        prefix = "mnist"
    else:
        data = load_sklearn_digits()
        epochs = args.epochs or (3 if args.quick else 30)
        prefix = "digits"

    n_in = data.x_train.shape[1]
    arch = (f"Linear({n_in}, 10)" if args.hidden == 0 else
            f"Linear({n_in}, {args.hidden}) -> ReLU -> Linear({args.hidden}, 10)")
    print(f"data: {data.name}: {len(data.y_train)} training and {len(data.y_test)} test images "
          f"of {data.side}x{data.side} pixels")
    print(f"model: {arch}; CrossEntropyLoss; Adam lr {args.lr}; batches of {args.batch_size}; "
          f"{epochs} epochs; seed {args.seed}")
    model = make_model(n_in, args.hidden, args.seed)
    history = train(model, data, epochs, args.lr, args.batch_size, args.seed,
                    progress=not args.no_progress)
    correct = round(history.test_acc[-1] * len(data.y_test))
    print(f"test accuracy: {history.test_acc[-1]:.4f} ({correct}/{len(data.y_test)}) "
          f"after {epochs} epochs in {history.seconds:.1f} s")

    plt = _common.pyplot_for(args)
    if plt is None:
        return 0
    net = "one-layer network" if args.hidden == 0 else f"MLP with {args.hidden} hidden ReLUs"
    path = args.out_dir / f"{prefix}_training.png"
    plot_training(plt, history, path, f"{data.name}: {net}, Adam, trained by tinygrad_edu")
    print(f"wrote {path} (loss and accuracy per epoch)")

    means = np.array([data.x_test[data.y_test == k].mean(axis=0)
                      if np.any(data.y_test == k) else np.zeros(n_in) for k in range(10)])
    sensitivity = class_images(model, data.x_test, data.y_test, data.x_train.std(axis=0))
    what = ("its weights (the gradient of a linear score)" if args.hidden == 0 else
            "d logit[k] / d pixel by backward(), averaged over the test images of k")
    path = args.out_dir / f"{prefix}_class_images.png"
    plot_class_images(plt, means, sensitivity, data.side, path,
                      f"What the {net} looks for in each digit ({data.name}).\n"
                      f"Top: the mean test image of the digit. Bottom: {what}, times each "
                      "pixel's spread (smoothed; outline = mean image)")
    print(f"wrote {path} (per digit: mean image and what raises its score)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
