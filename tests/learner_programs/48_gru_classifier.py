"""A GRU sequence classifier: is the running sum of a noisy sequence positive at the end?

Two stacked GRU layers with batch_first=True, the last layer's final hidden state into a Linear
head, CrossEntropyLoss and Adam over minibatches from a DataLoader; the GRU's parameter names.
"""
# expect: weight_ih_l0 (24, 3) | weight_hh_l1 (24, 8) | epoch 0 | accuracy | h_n (2, 5, 8)
import tinygrad_edu as torch
from tinygrad_edu import nn, optim
from tinygrad_edu.utils.data import DataLoader, TensorDataset

torch.set_default_dtype(torch.float64)
torch.manual_seed(3)

N, T, D = 64, 7, 3
X = torch.randn(N, T, D)
y = (X[:, :, 0].sum(dim=1) > 0).long()  # class 1 when the first feature sums to more than 0
print("class balance", y.float().mean().item())


class GRUClassifier(nn.Module):
    def __init__(self, input_size, hidden_size, num_layers, num_classes):
        super().__init__()
        self.gru = nn.GRU(input_size, hidden_size, num_layers=num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        out, h_n = self.gru(x)  # out: (N, T, H), h_n: (num_layers, N, H)
        return self.fc(h_n[-1])


model = GRUClassifier(D, 8, 2, 2)
for name, p in model.gru.named_parameters():
    print(name, tuple(p.shape))

loader = DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True)
criterion = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=0.02)
for epoch in range(6):
    total = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    if epoch % 2 == 0:
        print(f"epoch {epoch} loss {total / N:.12f}")

model.eval()
with torch.no_grad():
    logits = model(X)
    print("train accuracy", (logits.argmax(1) == y).float().mean().item())
    X_test = torch.randn(20, T, D)
    y_test = (X_test[:, :, 0].sum(dim=1) > 0).long()
    print("test accuracy", (model(X_test).argmax(1) == y_test).float().mean().item())

    # The last time step of the top layer's output is the top layer's final hidden state.
    out, h_n = model.gru(X[:5])
    print("out", tuple(out.shape), "h_n", tuple(h_n.shape))
    print("same", torch.allclose(out[:, -1], h_n[-1]))
    # Feeding the sequence in two halves, passing the hidden state on, gives the same result.
    out1, h = model.gru(X[:5, :3])
    out2, h = model.gru(X[:5, 3:], h)
    print("in two halves", (torch.cat([out1, out2], dim=1) - out).abs().max().item() < 1e-12)
    cell = nn.GRUCell(D, 4)
    hx = torch.zeros(5, 4)
    for t in range(T):
        hx = cell(X[:5, t], hx)
    print("GRUCell final state", hx[0])
