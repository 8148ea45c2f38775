"""Logistic regression with nn.BCEWithLogitsLoss and SGD with momentum on two Gaussian blobs."""
# expect: epoch | accuracy | probabilities
import tinygrad_edu as torch
from tinygrad_edu import nn

torch.set_default_dtype(torch.float64)
torch.manual_seed(3)

n = 200
X0 = torch.randn(n // 2, 2) + torch.tensor([-1.0, -1.0])
X1 = torch.randn(n // 2, 2) + torch.tensor([1.0, 1.5])
X = torch.cat([X0, X1])
y = torch.cat([torch.zeros(n // 2, 1), torch.ones(n // 2, 1)])

model = nn.Linear(2, 1)
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

for epoch in range(100):
    logits = model(X)
    loss = criterion(logits, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch % 20 == 0:
        print("epoch", epoch, "loss", loss.item())

with torch.no_grad():
    probs = torch.sigmoid(model(X))
    predicted = (probs > 0.5).float()
    accuracy = (predicted == y).float().mean().item()
print("accuracy", accuracy)
print("probabilities of the first three", probs[:3].flatten().tolist())

# The same loss written out: BCEWithLogitsLoss is sigmoid followed by binary cross-entropy.
with torch.no_grad():
    p = torch.sigmoid(model(X))
    manual = -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
    print("manual BCE", manual.item(), "library", criterion(model(X), y).item())
