"""Gradient accumulation: four micro-batches, each loss divided by 4, give the full gradient."""
# ruff: noqa: B905  (learner code zips sequences without strict=)
# expect: full-batch grad | accumulated grad | same | step | final loss
import tinygrad_edu as torch
from tinygrad_edu import nn, optim

torch.set_default_dtype(torch.float64)
torch.manual_seed(9)

X = torch.randn(64, 6)
y = torch.randint(0, 4, (64,))
model = nn.Sequential(nn.Linear(6, 12), nn.Tanh(), nn.Linear(12, 4))
loss_fn = nn.CrossEntropyLoss()
optimizer = optim.SGD(model.parameters(), lr=0.5, momentum=0.5, weight_decay=1e-3)

# The reference: the gradient of the mean loss over all 64 examples.
model.zero_grad()
loss_fn(model(X), y).backward()
full = [p.grad.clone() for p in model.parameters()]
print("full-batch grad", [g.abs().sum().item() for g in full])

# The same gradient from four micro-batches: backward adds into .grad each time.
accum_steps = 4
model.zero_grad()
for chunk_x, chunk_y in zip(X.chunk(accum_steps), y.chunk(accum_steps)):
    (loss_fn(model(chunk_x), chunk_y) / accum_steps).backward()
print("accumulated grad", [p.grad.abs().sum().item() for p in model.parameters()])
print("same", all(torch.allclose(p.grad, g) for p, g in zip(model.parameters(), full)))

# Training with accumulation: one optimizer step per four micro-batches.
for step in range(25):
    optimizer.zero_grad()
    total = 0.0
    for chunk_x, chunk_y in zip(X.split(16), y.split(16)):
        loss = loss_fn(model(chunk_x), chunk_y) / accum_steps
        loss.backward()
        total += loss.item()
    optimizer.step()
    if step % 5 == 0:
        print("step", step, total)

print("final loss", loss_fn(model(X), y).item())
