"""makemore's MLP: character embeddings, a tanh hidden layer, minibatches, a learning-rate decay.

Three characters of context predict the next one; train/dev/test split 80/10/10.
"""
# expect: parameters | loss | train | dev | test | samples:
import random
from pathlib import Path

import tinygrad_edu as torch
import tinygrad_edu.nn.functional as F

torch.set_default_dtype(torch.float64)
torch.manual_seed(42)

words = Path(__file__).with_name("names.txt").read_text().splitlines()
chars = sorted(list(set("".join(words))))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
itos = {i: s for s, i in stoi.items()}

block_size = 3  # context length: how many characters predict the next one


def build_dataset(words):
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]  # crop and append
    X = torch.tensor(X)
    Y = torch.tensor(Y)
    print(tuple(X.shape), tuple(Y.shape))
    return X, Y


random.seed(42)
random.shuffle(words)
n1 = int(0.8 * len(words))
n2 = int(0.9 * len(words))
Xtr, Ytr = build_dataset(words[:n1])
Xdev, Ydev = build_dataset(words[n1:n2])
Xte, Yte = build_dataset(words[n2:])

g = torch.Generator().manual_seed(2147483647)
C = torch.randn((27, 10), generator=g)
W1 = torch.randn((30, 64), generator=g) * 0.2
b1 = torch.randn(64, generator=g) * 0.01
W2 = torch.randn((64, 27), generator=g) * 0.1
b2 = torch.randn(27, generator=g) * 0
parameters = [C, W1, b1, W2, b2]
print("parameters", sum(p.nelement() for p in parameters))
for p in parameters:
    p.requires_grad = True

lossi = []
for i in range(300):
    # Minibatch construct.
    ix = torch.randint(0, Xtr.shape[0], (32,))

    # Forward pass.
    emb = C[Xtr[ix]]  # (32, 3, 10)
    h = torch.tanh(emb.view(-1, 30) @ W1 + b1)  # (32, 64)
    logits = h @ W2 + b2  # (32, 27)
    loss = F.cross_entropy(logits, Ytr[ix])

    # Backward pass.
    for p in parameters:
        p.grad = None
    loss.backward()

    # Update, with a step decay of the learning rate.
    lr = 0.1 if i < 200 else 0.01
    for p in parameters:
        p.data += -lr * p.grad

    lossi.append(loss.log10().item())
    if i % 50 == 0:
        print("loss", i, loss.item())

print("mean log10 loss of the last 50 steps", sum(lossi[-50:]) / 50)


@torch.no_grad()
def split_loss(name, X, Y):
    emb = C[X]
    h = torch.tanh(emb.view(emb.shape[0], -1) @ W1 + b1)
    logits = h @ W2 + b2
    print(name, F.cross_entropy(logits, Y).item())


split_loss("train", Xtr, Ytr)
split_loss("dev", Xdev, Ydev)
split_loss("test", Xte, Yte)

print("samples:")
g = torch.Generator().manual_seed(2147483647 + 10)
for _ in range(6):
    out = []
    context = [0] * block_size
    while True:
        emb = C[torch.tensor([context])]  # (1, block_size, 10)
        h = torch.tanh(emb.view(1, -1) @ W1 + b1)
        logits = h @ W2 + b2
        probs = F.softmax(logits, dim=1)
        ix = torch.multinomial(probs, num_samples=1, generator=g).item()
        context = context[1:] + [ix]
        out.append(ix)
        if ix == 0:
            break
    print("".join(itos[i] for i in out))
