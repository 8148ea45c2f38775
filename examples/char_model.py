"""A makemore-style character model of names, written as PyTorch code (issue 12's second example).

The model reads the previous ``block_size`` characters of a name and predicts the next one, as
in Andrej Karpathy's makemore lectures (parts 2-3): a character ``Embedding``, then an MLP with
``BatchNorm1d`` before each ``Tanh``, cross-entropy on the logits, SGD with a step learning-rate
schedule (``MultiStepLR``: 0.1, then 0.01 for the last quarter). New names are drawn one
character at a time with ``torch.multinomial`` until the end token ``.`` comes out.

The words are ``examples/data/names.txt``: 4000 invented names that
``examples/data/make_names.py`` generates from a small seeded syllable grammar (nothing is
downloaded); ``--words FILE`` trains on any other list, one word a line.

Measured (full run, 2 shared cores under load, float64, 8000 steps of 64): train loss 1.78,
validation loss 1.90 in 47 s (the uniform guess over the 25 tokens costs ln 25 = 3.22), and
samples such as krunael, saindarra, elimerus, hilyn, zellada, shuthivasan.

    python examples/char_model.py             # the full run, then 20 samples
    python examples/char_model.py --quick     # a few steps, for the test suite
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import _common

import tinygrad_edu as torch
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn, optim

WORDS = _common.ROOT / "examples" / "data" / "names.txt"


def build_dataset(words: list[str], stoi: dict[str, int],
                  block_size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Every (context, next character) pair of every word; ``.`` (index 0) pads and ends."""
    xs, ys = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            ix = stoi[ch]
            xs.append(context)
            ys.append(ix)
            context = context[1:] + [ix]
    return torch.tensor(xs), torch.tensor(ys)


class CharMLP(nn.Module):
    """Embedding -> flatten -> (Linear -> BatchNorm1d -> Tanh) x layers -> Linear."""

    def __init__(self, vocab_size: int, block_size: int, n_embd: int = 10, n_hidden: int = 128,
                 layers: int = 2) -> None:
        super().__init__()
        self.emb = nn.Embedding(vocab_size, n_embd)
        stack: list[nn.Module] = []
        n_in = n_embd * block_size
        for _ in range(layers):
            # no bias before BatchNorm: its shift would be subtracted right away
            stack += [nn.Linear(n_in, n_hidden, bias=False), nn.BatchNorm1d(n_hidden), nn.Tanh()]
            n_in = n_hidden
        self.hidden = nn.Sequential(*stack)
        self.out = nn.Linear(n_hidden, vocab_size)
        with torch.no_grad():
            self.out.weight.mul_(0.1)  # a confident wrong first guess costs a hockey-stick loss

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        x = self.emb(idx)                      # (B, block_size, n_embd)
        x = x.view(x.shape[0], -1)             # (B, block_size * n_embd)
        return self.out(self.hidden(x))        # (B, vocab_size)


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    with torch.no_grad():
        loss = F.cross_entropy(model(x), y).item()
    model.train()
    return loss


def sample(model: nn.Module, itos: dict[int, str], block_size: int, count: int,
           generator: torch.Generator, max_len: int = 30) -> list[str]:
    model.eval()
    names = []
    with torch.no_grad():
        for _ in range(count):
            context = [0] * block_size
            out: list[str] = []
            while len(out) < max_len:
                probs = F.softmax(model(torch.tensor([context])), dim=1)
                ix = int(torch.multinomial(probs, num_samples=1, generator=generator).item())
                if ix == 0:
                    break
                out.append(itos[ix])
                context = context[1:] + [ix]
            names.append("".join(out))
    model.train()
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=Path, default=WORDS,
                        help=f"one word a line (default {WORDS.relative_to(_common.ROOT)})")
    parser.add_argument("--steps", type=int, default=None, help="SGD steps (default 8000)")
    parser.add_argument("--batch-size", type=int, default=64, help="contexts per step")
    parser.add_argument("--block-size", type=int, default=3, help="characters of context")
    parser.add_argument("--samples", type=int, default=20, help="names to draw at the end")
    parser.add_argument("--seed", type=int, default=2147483647, help="torch.manual_seed")
    parser.add_argument("--quick", action="store_true", help="50 steps (no loss claim)")
    args = parser.parse_args(argv)
    steps = args.steps or (50 if args.quick else 8000)
    if steps < 1 or args.batch_size < 1 or args.block_size < 1:
        parser.error("--steps, --batch-size and --block-size must be >= 1")
    try:
        words = [w.strip().lower() for w in args.words.read_text(encoding="utf-8").splitlines()]
    except OSError as e:
        print(f"char_model.py: {e}", file=sys.stderr)
        return 2
    words = [w for w in words if w]
    if len(words) < 10 or any("." in w for w in words):
        print(f"char_model.py: {args.words}: needs at least 10 words, none containing '.' "
              "(the end token)", file=sys.stderr)
        return 2

    torch.manual_seed(args.seed)
    chars = sorted(set("".join(words)))
    stoi = {ch: i + 1 for i, ch in enumerate(chars)}
    stoi["."] = 0
    itos = {i: ch for ch, i in stoi.items()}
    vocab_size = len(stoi)
    # a fixed shuffle of the words, then 90% to train on and 10% to validate with
    order = torch.randperm(len(words)).tolist()
    words = [words[i] for i in order]
    n_train = int(0.9 * len(words))
    x_train, y_train = build_dataset(words[:n_train], stoi, args.block_size)
    x_val, y_val = build_dataset(words[n_train:], stoi, args.block_size)

    model = CharMLP(vocab_size, args.block_size)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    scheduler = optim.lr_scheduler.MultiStepLR(optimizer, milestones=[int(0.75 * steps)],
                                               gamma=0.1)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"words: {len(words)} from {args.words.name} ({n_train} to train on: "
          f"{len(y_train)} examples; {len(y_val)} to validate), {vocab_size} tokens "
          f"({vocab_size - 1} letters and '.')")
    print(f"model: {n_params} parameters\n{model}")
    print(f"SGD lr 0.1, x0.1 at step {int(0.75 * steps)} (MultiStepLR); {steps} steps of "
          f"{args.batch_size}; block_size {args.block_size}")

    start = time.perf_counter()
    report = max(1, steps // 10)
    losses = []
    for step in range(steps):
        ix = torch.randint(0, len(y_train), (args.batch_size,))
        loss = F.cross_entropy(model(x_train[ix]), y_train[ix])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
        if step % report == 0 or step == steps - 1:
            print(f"step {step:6d}/{steps}  lr {scheduler.get_last_lr()[0]:.3f}  "
                  f"loss {losses[-1]:.4f}", flush=True)
    seconds = time.perf_counter() - start
    train_loss = evaluate(model, x_train, y_train)
    val_loss = evaluate(model, x_val, y_val)
    print(f"train loss: {train_loss:.4f}")
    print(f"val loss: {val_loss:.4f} (after {steps} steps in {seconds:.1f} s)")

    generator = torch.Generator().manual_seed(args.seed + 10)
    names = sample(model, itos, args.block_size, args.samples, generator)
    print(f"samples ({args.samples}, torch.multinomial):")
    for name in names:
        print(f"  {name}")
    known = set(words)
    novel = sum(name not in known for name in names)
    print(f"{novel} of {len(names)} samples are not in the word list")
    return 0


if __name__ == "__main__":
    sys.exit(main())
