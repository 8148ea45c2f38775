"""Checkpointing: state_dict, torch.save / torch.load, load_state_dict, and an optimizer's state."""
# expect: keys | checkpoint loss | after more training | restored loss | restored equal
import copy
import os
import tempfile

import tinygrad_edu as torch
from tinygrad_edu import nn, optim

torch.set_default_dtype(torch.float64)
torch.manual_seed(5)

X = torch.randn(64, 4)
y = (X[:, :1] * 2 - X[:, 1:2] + 0.5 * X[:, 2:3] ** 2).tanh()

model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
loss_fn = nn.MSELoss()


def train(steps):
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
    return loss_fn(model(X), y).item()


print("keys", list(model.state_dict().keys()))
print("checkpoint loss", train(20))

# Save the model to a file and keep an in-memory copy of the optimizer's state.
path = os.path.join(tempfile.mkdtemp(), "checkpoint.pt")
torch.save(model.state_dict(), path)
opt_state = copy.deepcopy(optimizer.state_dict())
saved_loss = loss_fn(model(X), y).item()

print("after more training", train(30))

# Restore both and train again: the same 30 steps give the same numbers.
model.load_state_dict(torch.load(path))
optimizer.load_state_dict(opt_state)
restored_loss = loss_fn(model(X), y).item()
print("restored loss", restored_loss)
print("restored equal", restored_loss == saved_loss)
print("after retraining", train(30))

# A fresh model of the same shape picks up the weights too.
clone = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
clone.load_state_dict(model.state_dict())
with torch.no_grad():
    print("clone matches", torch.allclose(clone(X), model(X)))
os.remove(path)
