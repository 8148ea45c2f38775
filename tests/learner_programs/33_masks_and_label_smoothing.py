"""Masks and where: masked_fill, torch.where, logsumexp, and CrossEntropyLoss(label_smoothing)."""
# expect: masked softmax | where | logsumexp | smoothed | ignore_index | step
import tinygrad_edu as torch
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn

torch.set_default_dtype(torch.float64)
torch.manual_seed(33)

# A softmax over the allowed entries only: the others are filled with -inf before it.
scores = torch.randn(3, 5)
allowed = torch.tensor([[1, 1, 0, 1, 0], [1, 0, 0, 0, 0], [1, 1, 1, 1, 1]]).bool()
masked = scores.masked_fill(~allowed, float("-inf"))
weights = F.softmax(masked, dim=-1)
print("masked softmax", weights.tolist())
print("masked entries are zero", (weights[~allowed] == 0).all().item())

# torch.where picks elementwise; gradients flow to the chosen side only.
a = torch.randn(6, requires_grad=True)
b = torch.randn(6, requires_grad=True)
picked = torch.where(a > b, a, 2 * b)
picked.sum().backward()
print("where", picked.tolist(), a.grad.tolist(), b.grad.tolist())

# log(sum(exp(x))) without overflow.
big = torch.tensor([1000.0, 1000.5, 999.0])
by_hand = big.max() + (big - big.max()).exp().sum().log()
print("logsumexp", torch.logsumexp(big, dim=0).item(), by_hand.item())

logits = torch.randn(8, 4, requires_grad=True)
targets = torch.tensor([0, 1, 2, 3, 3, 2, 1, 0])
smoothed = nn.CrossEntropyLoss(label_smoothing=0.1)(logits, targets)
plain = F.cross_entropy(logits, targets)
# With smoothing eps over C classes: (1 - eps) * CE + eps * mean over classes of -log p.
by_hand = 0.9 * plain + 0.1 * (-F.log_softmax(logits, dim=1).mean(1)).mean()
print("smoothed", smoothed.item(), by_hand.item())
targets_pad = torch.tensor([0, 1, -100, 3, 3, -100, 1, 0])
print("ignore_index", F.cross_entropy(logits, targets_pad, ignore_index=-100).item())

# A few steps on the smoothed loss.
opt = torch.optim.SGD([logits], lr=1.0)
for step in range(3):
    opt.zero_grad()
    loss = nn.CrossEntropyLoss(label_smoothing=0.1)(logits, targets)
    loss.backward()
    opt.step()
    print("step", step, loss.item())
