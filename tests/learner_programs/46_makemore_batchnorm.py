"""makemore part 3: a character MLP with BatchNorm1d, then eval mode and the running statistics.

Embedding -> Linear(bias=False) -> BatchNorm1d -> Tanh -> Linear; after training, the running
statistics are compared with the batch statistics of the whole training set ("calibration").
"""
# expect: parameters | step    0 | running_mean | num_batches_tracked | train | dev | samples:
import random
from pathlib import Path

import tinygrad_edu as torch
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn

torch.set_default_dtype(torch.float64)
torch.manual_seed(42)

words = Path(__file__).with_name("names.txt").read_text().splitlines()
chars = sorted(list(set("".join(words))))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
itos = {i: s for s, i in stoi.items()}
block_size = 3


def build_dataset(words):
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    return torch.tensor(X), torch.tensor(Y)


random.seed(42)
random.shuffle(words)
n1 = int(0.9 * len(words))
Xtr, Ytr = build_dataset(words[:n1])
Xdev, Ydev = build_dataset(words[n1:])

n_embd, n_hidden = 10, 64
model = nn.Sequential(
    nn.Embedding(27, n_embd),
    nn.Flatten(),
    nn.Linear(n_embd * block_size, n_hidden, bias=False),
    nn.BatchNorm1d(n_hidden),
    nn.Tanh(),
    nn.Linear(n_hidden, 27),
)
with torch.no_grad():
    model[-1].weight *= 0.1  # make the last layer less confident at initialisation
print("parameters", sum(p.nelement() for p in model.parameters()))
bn = model[3]
print(bn, bn.momentum, bn.eps)

for i in range(200):
    ix = torch.randint(0, Xtr.shape[0], (32,))
    logits = model(Xtr[ix])
    loss = F.cross_entropy(logits, Ytr[ix])
    for p in model.parameters():
        p.grad = None
    loss.backward()
    lr = 0.1 if i < 150 else 0.01
    for p in model.parameters():
        p.data += -lr * p.grad
    if i % 50 == 0:
        print(f"step {i:4d} loss {loss.item():.12f}")

print("running_mean", bn.running_mean[:4])
print("running_var", bn.running_var[:4])
print("num_batches_tracked", bn.num_batches_tracked.item())
print("buffers", [name for name, _ in model.named_buffers()])

# Calibrate the batch norm at the end of training: the statistics of the whole training set.
with torch.no_grad():
    hpre = model[2](model[1](model[0](Xtr)))
    bnmean = hpre.mean(0, keepdim=True)
    bnvar = hpre.var(0, keepdim=True)
print("calibrated mean", bnmean[0, :4])
print("max |running - calibrated|", (bn.running_mean - bnmean[0]).abs().max().item())


@torch.no_grad()
def split_loss(name, X, Y):
    logits = model(X)
    print(name, F.cross_entropy(logits, Y).item())


model.eval()
print("training", model.training, bn.training)
split_loss("train", Xtr, Ytr)
split_loss("dev", Xdev, Ydev)

print("samples:")
g = torch.Generator().manual_seed(2147483647 + 10)
for _ in range(5):
    out = []
    context = [0] * block_size
    while True:
        logits = model(torch.tensor([context]))  # a batch of one: eval mode uses running stats
        probs = F.softmax(logits, dim=1)
        ix = torch.multinomial(probs, num_samples=1, generator=g).item()
        context = context[1:] + [ix]
        out.append(ix)
        if ix == 0:
            break
    print("".join(itos[i] for i in out))
