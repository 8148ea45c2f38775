"""Masks built with comparison operators: a padding mask for masked mean pooling and attention.

Learners write `mask = torch.arange(T) < lengths[:, None]` and go on with tensor methods on the
mask (unsqueeze, print, nonzero, expand); the mask then selects, pools and masks attention scores.
"""
# expect: mask | pooled | nonzero | attention | accuracy
import tinygrad_edu as torch
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn

torch.set_default_dtype(torch.float64)
torch.manual_seed(11)

B, T, E = 3, 5, 4
lengths = torch.tensor([5, 2, 3])
x = torch.randn(B, T, E, requires_grad=True)

mask = torch.arange(T)[None, :] < lengths[:, None]  # (B, T), True at real positions
print("mask", mask)
print("real positions", mask.sum(dim=1))

# Masked mean pooling over time.
m = mask.unsqueeze(-1).to(x.dtype)  # (B, T, 1)
pooled = (x * m).sum(dim=1) / m.sum(dim=1)
print("pooled", pooled)
pooled.sum().backward()
print("grad at padding", x.grad[1, 2:].abs().sum().item(), "at real", x.grad[1, :2].sum().item())

print("nonzero", mask.nonzero())
print("expanded", tuple(mask.unsqueeze(1).expand(B, T, T).shape))

# The same mask on attention scores: padded keys get -inf before the softmax.
scores = torch.randn(B, T, T)
scores = scores.masked_fill(~mask.unsqueeze(1), float("-inf"))
attn = F.softmax(scores, dim=-1)
print("attention row sums", attn.sum(-1)[1])
print("attention to padding", attn[1, :, 2:].abs().max().item())

# A linear classifier on the pooled features, accuracy with a comparison too.
clf = nn.Linear(E, 2)
y = torch.tensor([0, 1, 1])
with torch.no_grad():
    pred = clf(pooled).argmax(dim=1)
    correct = pred == y
    print("correct", correct, correct.sum().item())
    print("accuracy", correct.float().mean().item())
    lengths_ok = (lengths > 2) & (lengths < 5)
    print("lengths between", lengths_ok, lengths_ok.any().item(), lengths_ok.all().item())
    print("count", torch.count_nonzero(mask).item(), mask.clone().t().shape)
