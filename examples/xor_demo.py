"""Train the documents' 3-layer XOR network with tinygrad_edu, then draw the loss's graph.

Document 001 ("A neural network in 11 lines of Python") trains a 3-4-1 sigmoid network on
four rows whose label is the XOR of the first two columns (the third column is always 1).
It derives every gradient by hand (``l2_delta``, ``l1_delta``, ``syn0 += l0.T.dot(l1_delta)``).
Here ``backward()`` finds the same gradients, and ``optim.SGD`` applies them.

    python examples/xor_demo.py                 # 2000 steps, writes build/xor_loss.dot (+ .svg)
    python examples/xor_demo.py --steps 500 --lr 2 --seed 1 --out-dir /tmp/xor

The SVG needs Graphviz's ``dot`` program; without it the demo writes the DOT text only and
says how to install Graphviz. Nothing here needs a display.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import numpy as np

import tinygrad_edu
from tinygrad_edu import Tensor, nn, optim

# Document 001's data: the label is x0 XOR x1; the constant third column acts as a bias.
X_ROWS = [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]
Y_ROWS = [[0], [1], [1], [0]]

INSTALL_HINT = """\
Graphviz's `dot` program is not installed, so no SVG was drawn. To get it:
  Debian/Ubuntu: apt-get install graphviz
  macOS:         brew install graphviz
  other systems: https://graphviz.org/download/
The DOT file can be rendered later with:  dot -Tsvg {dot_path} -o {svg_path}"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=2000, help="SGD steps (default 2000)")
    parser.add_argument("--lr", type=float, default=5.0, help="learning rate (default 5.0)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the initial weights")
    parser.add_argument("--out-dir", type=Path, default=Path("build"),
                        help="where to write the graph files (default build/)")
    parser.add_argument("--quiet", action="store_true",
                        help="print only the final loss and the files written")
    args = parser.parse_args(argv)
    if args.steps < 0:
        parser.error("--steps must be >= 0")
    if not args.lr > 0:
        parser.error("--lr must be > 0")
    return args


def checkpoints(steps: int, count: int = 5) -> set[int]:
    """Step 0, the end, and ``count - 1`` evenly spaced steps in between."""
    return {round(i * steps / count) for i in range(count + 1)}


def train(steps: int, lr: float, seed: int, quiet: bool) -> tuple[nn.Module, Tensor, Tensor]:
    """Train the 3-4-1 network; return it with the final loss (after ``backward``) and preds."""
    rng = np.random.default_rng(seed)
    model = nn.Sequential(
        nn.Linear(3, 4, rng=rng),  # weight is the documents' syn0, shape (3, 4)
        nn.Sigmoid(),
        nn.Linear(4, 1, rng=rng),  # weight is syn1, shape (4, 1)
        nn.Sigmoid(),
    )
    for name, param in model.named_parameters():
        param.name = name  # labels for the drawn graph: "0.weight", "2.bias", ...
    loss_fn = nn.MSELoss()
    opt = optim.SGD(model.parameters(), lr=lr)
    x = Tensor(X_ROWS, name="l0")
    y = Tensor(Y_ROWS, name="y")

    shown = checkpoints(steps)
    start = time.perf_counter()
    for step in range(steps + 1):
        opt.zero_grad()
        pred = model(x)
        loss = loss_fn(pred, y)
        loss.backward()
        if step in shown and (not quiet or step == steps):
            print(f"step {step:6d}  loss {loss.item():.6f}")
        if step == steps:
            break  # the last loss keeps its gradients, so the drawing shows them
        opt.step()
    if not quiet:
        print(f"trained {steps} steps in {time.perf_counter() - start:.2f} s")
    loss.name = "loss"
    pred.name = "l2"
    return model, loss, pred


def write_graph(loss: Tensor, out_dir: Path) -> int:
    """Write the loss's graph as DOT, and as SVG when ``dot`` is installed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    graph = tinygrad_edu.draw_graph(loss)
    dot_path = out_dir / "xor_loss.dot"
    svg_path = out_dir / "xor_loss.svg"
    dot_path.write_text(graph.source, encoding="utf-8")
    print(f"wrote {dot_path} (the loss's graph as DOT text)")
    if shutil.which("dot") is None:
        print(INSTALL_HINT.format(dot_path=dot_path, svg_path=svg_path))
        return 0
    try:
        svg = graph.pipe(format="svg")
    except Exception as e:  # graphviz raises its own errors for a failing `dot`
        print(f"error: `dot` could not render the graph: {e}", file=sys.stderr)
        return 1
    svg_path.write_bytes(svg)
    print(f"wrote {svg_path} (drawn by Graphviz)")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.quiet:
        print(f"XOR with a 3-4-1 sigmoid network: SGD lr={args.lr}, {args.steps} steps, "
              f"seed {args.seed}")
    _, loss, pred = train(args.steps, args.lr, args.seed, args.quiet)
    if not args.quiet:
        print("input      target  prediction")
        for row, target, p in zip(X_ROWS, Y_ROWS, pred.numpy()[:, 0], strict=True):
            print(f"{str(row):10s} {target[0]:6d}  {p:10.4f}")
    return write_graph(loss, args.out_dir)


if __name__ == "__main__":
    sys.exit(main())
