"""Linear regression the concise way: nn.Linear, MSELoss, optim.SGD, TensorDataset, DataLoader."""
# expect: batches per epoch | epoch | learned w | learned b
import tinygrad_edu as torch
from tinygrad_edu import nn, optim
from tinygrad_edu.utils.data import DataLoader, TensorDataset

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)

true_w = torch.tensor([2.0, -3.4, 1.5])
true_b = 4.2
features = torch.randn(200, 3)
labels = (features @ true_w + true_b + 0.01 * torch.randn(200)).reshape(-1, 1)

dataset = TensorDataset(features, labels)
loader = DataLoader(dataset, batch_size=16, shuffle=True)
print("examples", len(dataset), "batches per epoch", len(loader))
first_x, first_y = dataset[0]
print("first example", first_x.tolist(), first_y.tolist())

net = nn.Linear(3, 1)
loss_fn = nn.MSELoss()
optimizer = optim.SGD(net.parameters(), lr=0.05)

for epoch in range(4):
    for X, y in loader:
        loss = loss_fn(net(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        epoch_loss = loss_fn(net(features), labels)
    print(f"epoch {epoch + 1}, loss {epoch_loss.item()}, last batch size {X.shape[0]}")

print("learned w", net.weight.flatten().tolist())
print("learned b", net.bias.tolist())
