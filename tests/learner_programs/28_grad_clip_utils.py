"""Gradient clipping with nn.utils.clip_grad_norm_, compared with the norm computed by hand."""
# expect: step | same norm | final loss
import tinygrad_edu as torch
from tinygrad_edu import nn

torch.set_default_dtype(torch.float64)
torch.manual_seed(8)

X = torch.randn(40, 5)
y = (X.sum(1, keepdim=True) ** 2) * 3
model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)

for step in range(60):
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(model(X), y)
    loss.backward()
    by_hand = torch.sqrt(sum((p.grad**2).sum() for p in model.parameters()))
    # Returns the total norm before clipping.
    total_norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=2.0)
    after = torch.sqrt(sum((p.grad**2).sum() for p in model.parameters()))
    optimizer.step()
    if step % 10 == 0:
        print(f"step {step} loss {loss.item()} norm {total_norm.item()} after {after.item()}")
        print("same norm", torch.allclose(total_norm, by_hand))

print("final loss", nn.functional.mse_loss(model(X), y).item())
