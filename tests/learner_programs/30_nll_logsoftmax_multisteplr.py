"""A classifier with log_softmax + nll_loss (the pair cross_entropy fuses), Adagrad, MultiStepLR."""
# expect: same loss | epoch | accuracy
import tinygrad_edu as torch
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn, optim

torch.set_default_dtype(torch.float64)
torch.manual_seed(12)

# Four classes in 5-D: the class is which of the first four features is largest.
X = torch.randn(120, 5)
y = X[:, :4].argmax(dim=1)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(5, 20)
        self.fc2 = nn.Linear(20, 4)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        return F.log_softmax(self.fc2(x), dim=1)


model = Net()
with torch.no_grad():
    log_probs = model(X)
    logits = model.fc2(F.relu(model.fc1(X)))
    print("same loss", F.nll_loss(log_probs, y).item(), F.cross_entropy(logits, y).item())
    print("rows sum to one", torch.allclose(log_probs.exp().sum(1), torch.ones(120)))

optimizer = optim.Adagrad(model.parameters(), lr=0.1)
scheduler = optim.lr_scheduler.MultiStepLR(optimizer, milestones=[20, 35], gamma=0.1)

for epoch in range(50):
    optimizer.zero_grad(set_to_none=True)
    loss = F.nll_loss(model(X), y)
    loss.backward()
    optimizer.step()
    scheduler.step()
    if epoch % 10 == 0 or epoch in (20, 35):
        print("epoch", epoch, "loss", loss.item(), "lr", optimizer.param_groups[0]["lr"])

with torch.no_grad():
    correct = (model(X).argmax(dim=1) == y).sum().item()
print("accuracy", correct / len(y), correct)
