"""makemore's bigram model as a one-layer neural net: one-hot inputs, a 27x27 weight, softmax.

Trained by gradient descent on the NLL with a little L2 regularisation, then sampled.
"""
# ruff: noqa: B905  (learner code zips sequences without strict=)
# expect: examples | loss | samples:
from pathlib import Path

import tinygrad_edu as torch
import tinygrad_edu.nn.functional as F

torch.set_default_dtype(torch.float64)

words = Path(__file__).with_name("names.txt").read_text().splitlines()
chars = sorted(list(set("".join(words))))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
itos = {i: s for s, i in stoi.items()}

# The training set of bigrams (x, y): y is the character that follows x.
xs, ys = [], []
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        xs.append(stoi[ch1])
        ys.append(stoi[ch2])
xs = torch.tensor(xs)
ys = torch.tensor(ys)
num = xs.nelement()
print("examples", num, xs.dtype == torch.int64)

g = torch.Generator().manual_seed(2147483647)
W = torch.randn((27, 27), generator=g, requires_grad=True)

for k in range(40):
    # Forward pass. one_hot gives int64; the lecture's .float() is .double() here, since this
    # program computes in float64 throughout.
    xenc = F.one_hot(xs, num_classes=27).double()
    logits = xenc @ W  # log-counts
    counts = logits.exp()  # equivalent to the count table N
    probs = counts / counts.sum(1, keepdims=True)  # each row sums to 1
    loss = -probs[torch.arange(num), ys].log().mean() + 0.01 * (W**2).mean()
    if k % 5 == 0 or k == 39:
        print("loss", k, loss.item())

    # Backward pass.
    W.grad = None
    loss.backward()

    # Update.
    W.data += -50 * W.grad

print("samples:")
for _ in range(8):
    out = []
    ix = 0
    while True:
        xenc = F.one_hot(torch.tensor([ix]), num_classes=27).double()
        logits = xenc @ W
        counts = logits.exp()
        p = counts / counts.sum(1, keepdims=True)
        ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
        out.append(itos[ix])
        if ix == 0:
            break
    print("".join(out))
