"""makemore's bigram model by counting: a 27x27 table, normalised rows, samples and the NLL."""
# ruff: noqa: B905  (learner code zips sequences without strict=)
# expect: words | counts row | samples: | log_likelihood | nll
from pathlib import Path

import tinygrad_edu as torch

torch.set_default_dtype(torch.float64)

words = Path(__file__).with_name("names.txt").read_text().splitlines()
print("words", len(words), "shortest", min(len(w) for w in words))
print("longest", max(len(w) for w in words))

# Character <-> index; '.' (index 0) marks both the start and the end of a name.
chars = sorted(list(set("".join(words))))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
itos = {i: s for s, i in stoi.items()}

N = torch.zeros((27, 27), dtype=torch.int32)
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        ix1 = stoi[ch1]
        ix2 = stoi[ch2]
        N[ix1, ix2] += 1

print("counts row '.':", N[0].tolist())
print("most common first letter:", itos[N[0].argmax().item()], N[0].max().item())
print("total bigrams:", N.sum().item())

# Add-one smoothing, then each row becomes a probability distribution.
P = (N + 1).double()
P /= P.sum(1, keepdims=True)
print("row sums", P.sum(1)[:3].tolist())

g = torch.Generator().manual_seed(2147483647)
print("samples:")
for _ in range(10):
    out = []
    ix = 0
    while True:
        p = P[ix]
        ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
        out.append(itos[ix])
        if ix == 0:
            break
    print("".join(out))

# The quality of the model: the average negative log likelihood of the training bigrams.
log_likelihood = 0.0
n = 0
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        prob = P[stoi[ch1], stoi[ch2]]
        logprob = torch.log(prob)
        log_likelihood += logprob
        n += 1

print("log_likelihood", log_likelihood.item())
nll = -log_likelihood
print("nll", nll.item(), "average nll", (nll / n).item())
