"""Parameter groups with their own learning rates, LambdaLR warm-up, ReduceLROnPlateau, Huber."""
# expect: groups | warm-up | epoch | reduced | final
import tinygrad_edu as torch
from tinygrad_edu import nn, optim

torch.set_default_dtype(torch.float64)
torch.manual_seed(38)

X = torch.randn(100, 3)
y = (X @ torch.tensor([1.5, -2.0, 0.5])).unsqueeze(1) + 0.1 * torch.randn(100, 1)
X_val, y_val = X[80:], y[80:]
X, y = X[:80], y[:80]

body = nn.Sequential(nn.Linear(3, 16), nn.LeakyReLU(0.1), nn.Linear(16, 16), nn.GELU())
head = nn.Linear(16, 1)
for m in body.modules():
    if isinstance(m, nn.Linear):
        nn.init.kaiming_normal_(m.weight, nonlinearity="leaky_relu")
        nn.init.constant_(m.bias, 0.01)

# The head learns ten times faster than the body.
optimizer = optim.SGD(
    [{"params": body.parameters()}, {"params": head.parameters(), "lr": 0.05}],
    lr=0.005,
    momentum=0.9,
)
print("groups", len(optimizer.param_groups), [g["lr"] for g in optimizer.param_groups])

warmup = optim.lr_scheduler.LambdaLR(optimizer, lr_lambda=lambda epoch: min(1.0, (epoch + 1) / 5))
print("warm-up", [g["lr"] for g in optimizer.param_groups])
criterion = nn.HuberLoss(delta=1.0)

for epoch in range(5):
    optimizer.zero_grad()
    loss = criterion(head(body(X)), y)
    loss.backward()
    optimizer.step()
    warmup.step()
    print("warm-up", epoch, loss.item(), [g["lr"] for g in optimizer.param_groups])

plateau = optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=2)
for epoch in range(30):
    optimizer.zero_grad()
    loss = criterion(head(body(X)), y)
    loss.backward()
    optimizer.step()
    with torch.no_grad():
        val_loss = criterion(head(body(X_val)), y_val).item()
    plateau.step(val_loss)
    if epoch % 5 == 0:
        print("epoch", epoch, loss.item(), val_loss)

print("reduced", [g["lr"] for g in optimizer.param_groups])
print("final", criterion(head(body(X)), y).item())
