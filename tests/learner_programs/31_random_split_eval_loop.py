"""A train/validation split with random_split, DataLoader loops, an evaluation loop, ModuleDict."""
# expect: sizes | epoch | val accuracy | best epoch
import tinygrad_edu as torch
from tinygrad_edu import nn, optim
from tinygrad_edu.utils.data import DataLoader, TensorDataset, random_split

torch.set_default_dtype(torch.float64)
torch.manual_seed(21)

X = torch.rand(300, 2) * 4 - 2
y = ((X**2).sum(1) < 1.5).long()  # inside a circle or not
dataset = TensorDataset(X, y)
train_set, val_set = random_split(dataset, [240, 60], generator=torch.Generator().manual_seed(0))
print("sizes", len(train_set), len(val_set))

train_loader = DataLoader(train_set, batch_size=32, shuffle=True)
val_loader = DataLoader(val_set, batch_size=50)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleDict({"hidden": nn.Linear(2, 16), "out": nn.Linear(16, 2)})
        self.act = nn.Tanh()

    def forward(self, x):
        return self.layers["out"](self.act(self.layers["hidden"](x)))


model = Classifier()
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(model.parameters(), lr=0.5, momentum=0.9, nesterov=True)
scheduler = optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.9)


def evaluate(loader):
    model.eval()
    correct, total, loss_sum = 0, 0, 0.0
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb)
            loss_sum += criterion(logits, yb).item() * len(yb)
            correct += (logits.argmax(1) == yb).sum().item()
            total += yb.size(0)
    return loss_sum / total, correct / total


best_acc, best_epoch = 0.0, -1
for epoch in range(8):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    scheduler.step()
    val_loss, val_acc = evaluate(val_loader)
    if val_acc > best_acc:
        best_acc, best_epoch = val_acc, epoch
    print(f"epoch {epoch}: train loss {loss.item()}, val loss {val_loss}, val accuracy {val_acc}")

print("best epoch", best_epoch, best_acc, "lr", scheduler.get_last_lr()[0])
