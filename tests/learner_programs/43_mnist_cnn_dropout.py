"""pytorch/examples' MNIST CNN, smaller, on synthetic 28x28 digits: Dropout in train and eval mode.

Two convolutions, max_pool2d, two Dropouts, log_softmax and nll_loss; Adadelta with StepLR, a
train loop over a DataLoader and a test loop with the summed loss and the accuracy.
"""
# expect: Train Epoch: 1 | Train Epoch: 2 | Test set: Average loss | dropout in eval
import tinygrad_edu as torch
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn, optim
from tinygrad_edu.optim.lr_scheduler import StepLR
from tinygrad_edu.utils.data import DataLoader, TensorDataset

torch.set_default_dtype(torch.float64)
torch.manual_seed(1)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, 1)
        self.conv2 = nn.Conv2d(4, 8, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(1152, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


def train(model, train_loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        seen, total = batch_idx * len(data), len(train_loader.dataset)
        print(f"Train Epoch: {epoch} [{seen}/{total}]\tLoss: {loss.item():.12f}")


def test(model, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()  # sum up batch loss
            pred = output.argmax(dim=1, keepdim=True)  # index of the max log-probability
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(test_loader.dataset)
    total = len(test_loader.dataset)
    print(f"Test set: Average loss: {test_loss:.12f}, Accuracy: {correct}/{total}")


# Synthetic "digits": each class is a noisy copy of its own random template.
templates = torch.rand(10, 1, 28, 28)
labels = torch.randint(0, 10, (24,))
images = templates[labels] + 0.3 * torch.randn(24, 1, 28, 28)
train_loader = DataLoader(TensorDataset(images[:16], labels[:16]), batch_size=8, shuffle=True)
test_loader = DataLoader(TensorDataset(images[16:], labels[16:]), batch_size=8)

model = Net()
optimizer = optim.Adadelta(model.parameters(), lr=1.0)
scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
for epoch in range(1, 3):
    train(model, train_loader, optimizer, epoch)
    test(model, test_loader)
    scheduler.step()

x = torch.ones(2, 8)
drop = nn.Dropout(0.5)
print("dropout in train", drop(x))
drop.eval()
print("dropout in eval", drop(x))
print("functional dropout", F.dropout(x, p=0.25, training=True).sum().item())
