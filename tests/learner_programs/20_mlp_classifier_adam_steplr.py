"""An MLP classifier on a 3-arm spiral: CrossEntropyLoss, Adam, StepLR, train()/eval(), accuracy."""
# expect: epoch | lr | train accuracy | eval mode
import tinygrad_edu as torch
from tinygrad_edu import nn, optim

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)

# The spiral dataset: K arms of N points each, in 2-D.
N, K = 60, 3
xs, ys = [], []
for k in range(K):
    r = torch.linspace(0.0, 1.0, N)
    t = torch.linspace(k * 4.0, (k + 1) * 4.0, N) + torch.randn(N) * 0.2
    xs.append(torch.stack([r * torch.sin(t), r * torch.cos(t)], dim=1))
    ys.append(torch.full((N,), k, dtype=torch.long))
X = torch.cat(xs)
y = torch.cat(ys)
print("data", tuple(X.shape), y.dtype == torch.int64)

model = nn.Sequential(
    nn.Linear(2, 32),
    nn.ReLU(),
    nn.Linear(32, 32),
    nn.ReLU(),
    nn.Linear(32, K),
)
criterion = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=0.01)
scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=40, gamma=0.5)

for epoch in range(150):
    model.train()
    logits = model(X)
    loss = criterion(logits, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    scheduler.step()
    if epoch % 30 == 0:
        print(f"epoch {epoch} loss {loss.item()} lr {scheduler.get_last_lr()[0]}")

model.eval()
print("eval mode", model.training, model[0].training)
with torch.no_grad():
    pred = model(X)
    acc = (pred.argmax(1) == y).float().mean()
print("train accuracy", acc.item())
print("lr at the end", optimizer.param_groups[0]["lr"])
