"""Backprop by hand through a small character MLP, step by step, checked against autograd.

The forward pass is broken into small steps; each intermediate keeps its gradient
(retain_grad) so that the hand-derived gradient of every step can be compared.
"""
# expect: loss | logprobs | probs | logits | W1 | C | fused
import tinygrad_edu as torch
import tinygrad_edu.nn.functional as F

torch.set_default_dtype(torch.float64)

g = torch.Generator().manual_seed(2147483647)
n_embd, n_hidden, block_size, vocab_size, n = 5, 16, 3, 27, 32
C = torch.randn((vocab_size, n_embd), generator=g)
W1 = torch.randn((n_embd * block_size, n_hidden), generator=g) * 0.3
b1 = torch.randn(n_hidden, generator=g) * 0.1
W2 = torch.randn((n_hidden, vocab_size), generator=g) * 0.1
b2 = torch.randn(vocab_size, generator=g) * 0.1
parameters = [C, W1, b1, W2, b2]
for p in parameters:
    p.requires_grad = True

Xb = torch.randint(0, vocab_size, (n, block_size), generator=g)
Yb = torch.randint(0, vocab_size, (n,), generator=g)

# Forward pass, "chunkated" into steps we can backprop through one at a time.
emb = C[Xb]
embcat = emb.view(emb.shape[0], -1)
hpre = embcat @ W1 + b1
h = torch.tanh(hpre)
logits = h @ W2 + b2
logit_maxes = logits.max(1, keepdim=True).values
norm_logits = logits - logit_maxes  # subtract the max for numerical stability
counts = norm_logits.exp()
counts_sum = counts.sum(1, keepdims=True)
counts_sum_inv = counts_sum**-1
probs = counts * counts_sum_inv
logprobs = probs.log()
loss = -logprobs[range(n), Yb].mean()

for p in parameters:
    p.grad = None
for t in [logprobs, probs, counts_sum_inv, counts_sum, counts, norm_logits, logit_maxes,
          logits, h, hpre, embcat, emb]:
    t.retain_grad()
loss.backward()
print("loss", loss.item())


def cmp(s, dt, t):
    app = torch.allclose(dt, t.grad)
    maxdiff = (dt - t.grad).abs().max().item()
    print(f"{s:15s} | approximate: {str(app):5s} | maxdiff below 1e-12: {maxdiff < 1e-12}")


dlogprobs = torch.zeros_like(logprobs)
dlogprobs[range(n), Yb] = -1.0 / n
dprobs = (1.0 / probs) * dlogprobs
dcounts_sum_inv = (counts * dprobs).sum(1, keepdim=True)
dcounts = counts_sum_inv * dprobs
dcounts_sum = (-(counts_sum**-2)) * dcounts_sum_inv
dcounts += torch.ones_like(counts) * dcounts_sum
dnorm_logits = counts * dcounts
dlogits = dnorm_logits.clone()
dlogit_maxes = (-dnorm_logits).sum(1, keepdim=True)
dlogits += F.one_hot(logits.max(1).indices, num_classes=logits.shape[1]) * dlogit_maxes
dh = dlogits @ W2.T
dW2 = h.T @ dlogits
db2 = dlogits.sum(0)
dhpre = (1.0 - h**2) * dh
dembcat = dhpre @ W1.T
dW1 = embcat.T @ dhpre
db1 = dhpre.sum(0)
demb = dembcat.view(emb.shape)
dC = torch.zeros_like(C)
for k in range(Xb.shape[0]):
    for j in range(Xb.shape[1]):
        ix = Xb[k, j]
        dC[ix] += demb[k, j]

cmp("logprobs", dlogprobs, logprobs)
cmp("probs", dprobs, probs)
cmp("counts_sum_inv", dcounts_sum_inv, counts_sum_inv)
cmp("counts_sum", dcounts_sum, counts_sum)
cmp("counts", dcounts, counts)
cmp("norm_logits", dnorm_logits, norm_logits)
cmp("logit_maxes", dlogit_maxes, logit_maxes)
cmp("logits", dlogits, logits)
cmp("h", dh, h)
cmp("W2", dW2, W2)
cmp("b2", db2, b2)
cmp("hpre", dhpre, hpre)
cmp("W1", dW1, W1)
cmp("b1", db1, b1)
cmp("emb", demb, emb)
cmp("C", dC, C)

# The whole cross-entropy backward in one expression: softmax minus the one-hot target, over n.
loss_fast = F.cross_entropy(logits, Yb)
print("fused loss matches", abs(loss_fast.item() - loss.item()) < 1e-12)
dlogits_fused = F.softmax(logits, 1)
dlogits_fused[range(n), Yb] -= 1
dlogits_fused /= n
cmp("fused logits", dlogits_fused, logits)
print("dlogits row sums near 0:", dlogits_fused.sum(1).abs().max().item() < 1e-12)
print("W1 grad norm", W1.grad.norm().item(), "C grad norm", C.grad.norm().item())
