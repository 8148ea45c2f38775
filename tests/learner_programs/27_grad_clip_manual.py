"""Gradient clipping by hand: the total norm of all gradients, then scale them down in place."""
# expect: step | clipped | final loss
import tinygrad_edu as torch
from tinygrad_edu import nn

torch.set_default_dtype(torch.float64)
torch.manual_seed(8)

X = torch.randn(40, 5)
y = (X.sum(1, keepdim=True) ** 2) * 3  # large targets give large gradients
model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
max_norm = 1.0

clipped_steps = 0
for step in range(80):
    optimizer.zero_grad()
    loss = ((model(X) - y) ** 2).mean()
    loss.backward()

    # The norm of all gradients taken together, as if they were one long vector.
    total_norm = torch.sqrt(sum(p.grad.norm() ** 2 for p in model.parameters()))
    clip_coef = max_norm / (total_norm + 1e-6)
    if clip_coef < 1:
        clipped_steps += 1
        for p in model.parameters():
            p.grad.mul_(clip_coef)
    after = torch.sqrt(sum(p.grad.norm() ** 2 for p in model.parameters()))

    optimizer.step()
    if step % 10 == 0:
        print(f"step {step} loss {loss.item()} norm {total_norm.item()} after {after.item()}")

print("clipped", clipped_steps, "of 80 steps")
print("final loss", ((model(X) - y) ** 2).mean().item())
