"""makemore part 5: a WaveNet-like hierarchy that fuses two consecutive characters at each level.

Embedding, a custom FlattenConsecutive module, and BatchNorm1d applied to (N, T, C) activations by
transposing to (N, C, T) (the statistics are then taken over N and T, as in the lecture).
"""
# expect: Embedding : (4, 8, 10) | BatchNormNTC : (4, 4, 24) | Linear : (4, 27) | step | samples:
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
block_size = 8


def build_dataset(words):
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            X.append(context)
            Y.append(stoi[ch])
            context = context[1:] + [stoi[ch]]
    return torch.tensor(X), torch.tensor(Y)


random.seed(42)
random.shuffle(words)
Xtr, Ytr = build_dataset(words[:170])
Xdev, Ydev = build_dataset(words[170:])


class FlattenConsecutive(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.n = n

    def forward(self, x):
        B, T, C = x.shape
        x = x.view(B, T // self.n, C * self.n)
        if x.shape[1] == 1:
            x = x.squeeze(1)
        return x


class BatchNormNTC(nn.Module):
    """BatchNorm1d over the last dimension of (N, T, C) or (N, C) activations."""

    def __init__(self, num_features):
        super().__init__()
        self.bn = nn.BatchNorm1d(num_features)

    def forward(self, x):
        if x.dim() == 3:
            # contiguous(): FlattenConsecutive's view needs it after the transposes
            return self.bn(x.transpose(1, 2)).transpose(1, 2).contiguous()
        return self.bn(x)


n_embd, n_hidden = 10, 24
model = nn.Sequential(
    nn.Embedding(27, n_embd),
    FlattenConsecutive(2), nn.Linear(n_embd * 2, n_hidden, bias=False),
    BatchNormNTC(n_hidden), nn.Tanh(),
    FlattenConsecutive(2), nn.Linear(n_hidden * 2, n_hidden, bias=False),
    BatchNormNTC(n_hidden), nn.Tanh(),
    FlattenConsecutive(2), nn.Linear(n_hidden * 2, n_hidden, bias=False),
    BatchNormNTC(n_hidden), nn.Tanh(),
    nn.Linear(n_hidden, 27),
)
with torch.no_grad():
    model[-1].weight *= 0.1
print("parameters", sum(p.nelement() for p in model.parameters()))

x = Xtr[:4]
for layer in model:
    x = layer(x)
    print(layer.__class__.__name__, ":", tuple(x.shape))

for i in range(60):
    ix = torch.randint(0, Xtr.shape[0], (32,))
    loss = F.cross_entropy(model(Xtr[ix]), Ytr[ix])
    for p in model.parameters():
        p.grad = None
    loss.backward()
    for p in model.parameters():
        p.data += -0.1 * p.grad
    if i % 20 == 0:
        print(f"step {i:3d} loss {loss.item():.12f}")

print("last running_var", model[11].bn.running_var[:3])
model.eval()
with torch.no_grad():
    print("train", F.cross_entropy(model(Xtr), Ytr).item())
    print("dev", F.cross_entropy(model(Xdev), Ydev).item())
    print("samples:")
    for _ in range(4):
        out, context = [], [0] * block_size
        while True:
            probs = F.softmax(model(torch.tensor([context])), dim=1)
            ix = torch.multinomial(probs, num_samples=1).item()
            context = context[1:] + [ix]
            out.append(ix)
            if ix == 0:
                break
        print("".join(itos[i] for i in out))
