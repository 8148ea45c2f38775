"""One transformer block learns to reverse digit strings, in PyTorch code (issue 12's third).

The task: read ``L`` random digits, a separator ``|``, then write the digits backwards:
``3 1 4 1 5 9 | 9 5 1 4 1 3``. The model is a GPT-style decoder of one block, as in
Karpathy's "Let's build GPT": token and position embeddings, causal multi-head self-attention
written out (``q @ k.transpose(-2, -1)``, ``masked_fill(tril == 0, float('-inf'))``,
``softmax``), ``LayerNorm`` before the attention and before the MLP, residual connections, a
final ``LayerNorm`` and a ``Linear`` head. It is trained with AdamW on the next-token
cross-entropy of the answer positions only, then answers fresh strings by greedy decoding, one
digit at a time; a string counts as right when all ``L`` digits are.

Reversal needs attention by position: to write the i-th answer digit the model must look
``2i + 1`` places back. The picture ``attention_weights.png`` shows each head's weights for one
test string (rows: the position that attends; columns: where it looks); after training the
answer rows show the anti-diagonal that does the reversal.

Measured (full run, 2 shared cores under load, float64): accuracy 1.0000 on 2000 fresh strings
(every string reversed exactly) after 1500 steps in 166 s with seed 0, and 1.0000 in 146 s
with seed 1; the loss is below 0.002 from step 600 on.

    python examples/attention.py            # the full run: accuracy, then the picture
    python examples/attention.py --quick    # a few steps, for the test suite
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import _common
import numpy as np

import tinygrad_edu as torch
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn, optim

SEP = 10  # the token after the ten digits


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention where position t sees positions 0..t only."""

    tril: torch.Tensor  # a buffer: saved in state_dict, never trained

    def __init__(self, n_embd: int, n_head: int, block_size: int) -> None:
        super().__init__()
        if n_embd % n_head:
            raise ValueError(f"n_embd={n_embd} is not a multiple of n_head={n_head}")
        self.n_head = n_head
        self.qkv = nn.Linear(n_embd, 3 * n_embd)
        self.proj = nn.Linear(n_embd, n_embd)
        self.register_buffer("tril", torch.tril(torch.ones(block_size, block_size)))
        self.last_weights: np.ndarray | None = None  # (B, heads, T, T), kept for the picture

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        # (B, T, C) -> (B, heads, T, head_size)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.shape[-1]))
        att = att.masked_fill(self.tril[:T, :T] == 0, float("-inf"))
        att = F.softmax(att, dim=-1)
        self.last_weights = att.detach().numpy()
        y = att @ v                                        # (B, heads, T, head_size)
        y = y.transpose(1, 2).contiguous().view(B, T, C)   # heads side by side again
        return self.proj(y)


class Block(nn.Module):
    """Pre-norm transformer block: x + attn(ln1(x)), then x + mlp(ln2(x))."""

    def __init__(self, n_embd: int, n_head: int, block_size: int) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(n_embd)
        self.attn = CausalSelfAttention(n_embd, n_head, block_size)
        self.ln2 = nn.LayerNorm(n_embd)
        self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.GELU(),
                                 nn.Linear(4 * n_embd, n_embd))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class TinyGPT(nn.Module):
    def __init__(self, vocab_size: int, block_size: int, n_embd: int = 64,
                 n_head: int = 4) -> None:
        super().__init__()
        self.tok_emb = nn.Embedding(vocab_size, n_embd)
        self.pos_emb = nn.Embedding(block_size, n_embd)
        self.block = Block(n_embd, n_head, block_size)
        self.ln_f = nn.LayerNorm(n_embd)
        self.head = nn.Linear(n_embd, vocab_size)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        B, T = idx.shape
        x = self.tok_emb(idx) + self.pos_emb(torch.arange(T))
        return self.head(self.ln_f(self.block(x)))         # (B, T, vocab)


def make_batch(n: int, length: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Input ``digits | reversed`` (the last token dropped) and the next-token targets, with
    -100 (cross_entropy's ignore_index) wherever the next token is not part of the answer."""
    digits = rng.integers(0, 10, size=(n, length))
    seq = np.concatenate([digits, np.full((n, 1), SEP), digits[:, ::-1]], axis=1)
    x, y = seq[:, :-1].copy(), seq[:, 1:].copy()
    y[:, :length] = -100  # predicting the input digits is impossible: not trained on
    return x, y


def generate_answers(model: nn.Module, digits: np.ndarray) -> np.ndarray:
    """Greedy decoding: append the most likely digit ``L`` times."""
    n, length = digits.shape
    seq = torch.tensor(np.concatenate([digits, np.full((n, 1), SEP)], axis=1))
    with torch.no_grad():
        for _ in range(length):
            logits = model(seq)[:, -1, :10]  # only digits are answers
            seq = torch.cat([seq, logits.argmax(dim=-1, keepdim=True)], dim=1)
    return seq[:, length + 1:].numpy()


def evaluate(model: nn.Module, length: int, n: int, rng: np.random.Generator) -> float:
    model.eval()
    digits = rng.integers(0, 10, size=(n, length))
    answers = generate_answers(model, digits)
    model.train()
    return float(np.mean(np.all(answers == digits[:, ::-1], axis=1)))


def draw_attention(plt: object, model: TinyGPT, digits: np.ndarray, path: Path) -> None:
    length = len(digits)
    seq = np.concatenate([digits, [SEP], digits[::-1]])[None, :-1]
    model.eval()
    with torch.no_grad():
        model(torch.tensor(seq))
    weights = model.block.attn.last_weights
    assert weights is not None
    labels = [str(t) if t < 10 else "|" for t in seq[0]]
    n_head = weights.shape[1]
    fig, axes = plt.subplots(1, n_head, figsize=(3.3 * n_head, 3.6))  # type: ignore[attr-defined]
    for h, ax in enumerate(np.atleast_1d(axes)):
        ax.imshow(weights[0, h], cmap="viridis", vmin=0, vmax=1)
        ax.set_xticks(range(len(labels)), labels, fontsize=7)
        ax.set_yticks(range(len(labels)), labels, fontsize=7)
        ax.set_title(f"head {h}", fontsize=9)
        ax.set_xlabel("attends to")
        ax.axhline(length - 0.5, color="w", lw=0.6)
    np.atleast_1d(axes)[0].set_ylabel("position")
    fig.suptitle(f"attention weights reversing {''.join(map(str, digits))} (rows below the "
                 "line write the answer)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--length", type=int, default=6, help="digits per string")
    parser.add_argument("--steps", type=int, default=None, help="AdamW steps (default 1500)")
    parser.add_argument("--batch-size", type=int, default=64, help="strings per step")
    parser.add_argument("--lr", type=float, default=3e-3, help="AdamW's peak learning rate")
    parser.add_argument("--seed", type=int, default=0, help="torch.manual_seed")
    parser.add_argument("--out-dir", type=Path, default=_common.DEFAULT_OUT_DIR,
                        help=f"where to write the picture (default {_common.DEFAULT_OUT_DIR})")
    parser.add_argument("--no-plots", action="store_true", help="write no picture")
    parser.add_argument("--quick", action="store_true", help="20 steps (no accuracy claim)")
    args = parser.parse_args(argv)
    steps = args.steps or (20 if args.quick else 1500)
    if steps < 1 or args.batch_size < 1 or args.length < 1:
        parser.error("--steps, --batch-size and --length must be >= 1")

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    block_size = 2 * args.length
    model = TinyGPT(vocab_size=11, block_size=block_size)
    optimizer = optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    scheduler = optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, total_steps=steps)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"task: reverse {args.length} digits; model: one transformer block, {n_params} "
          f"parameters\n{model}")
    print(f"AdamW with OneCycleLR (peak {args.lr}); {steps} steps of {args.batch_size}")

    start = time.perf_counter()
    report = max(1, steps // 10)
    for step in range(steps):
        xb, yb = make_batch(args.batch_size, args.length, rng)
        logits = model(torch.tensor(xb))
        loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), torch.tensor(yb).view(-1),
                               ignore_index=-100)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        if step % report == 0 or step == steps - 1:
            print(f"step {step:5d}/{steps}  loss {loss.item():.4f}", flush=True)
    seconds = time.perf_counter() - start
    n_test = 200 if args.quick else 2000
    acc = evaluate(model, args.length, n_test, np.random.default_rng(args.seed + 1))
    print(f"accuracy: {acc:.4f} of {n_test} fresh strings reversed exactly (greedy decoding), "
          f"after {steps} steps in {seconds:.1f} s")
    example = np.random.default_rng(args.seed + 2).integers(0, 10, size=(1, args.length))
    model.eval()
    answer = generate_answers(model, example)[0]
    print(f"example: {''.join(map(str, example[0]))} -> {''.join(map(str, answer))}")

    plt = _common.pyplot_for(args)
    if plt is None:
        return 0
    path = args.out_dir / "attention_weights.png"
    draw_attention(plt, model, example[0], path)
    print(f"wrote {path} (each head's attention weights for the example)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
