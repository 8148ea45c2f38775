"""Regression of a bumpy 1-D function with an MLP, optim.AdamW and CosineAnnealingLR."""
# expect: step | final loss | lr at the end
import tinygrad_edu as torch
from tinygrad_edu import nn, optim

torch.set_default_dtype(torch.float64)
torch.manual_seed(7)

x = torch.linspace(-2, 2, 128).unsqueeze(1)
y = torch.sin(3 * x) + 0.3 * x**2

model = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
optimizer = optim.AdamW(model.parameters(), lr=0.02, weight_decay=0.01)
scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=200)
criterion = nn.MSELoss()

for step in range(200):
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    scheduler.step()
    if step % 25 == 0:
        print(f"step {step} loss {loss.item()} lr {scheduler.get_last_lr()[0]}")

print("final loss", criterion(model(x), y).item())
print("lr at the end", scheduler.get_last_lr())
