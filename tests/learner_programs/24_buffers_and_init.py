"""register_buffer for input normalisation, and Xavier initialisation applied with model.apply."""
# expect: buffers | parameters | state_dict keys | init | step | mean buffer
import tinygrad_edu as torch
from tinygrad_edu import nn

torch.set_default_dtype(torch.float64)
torch.manual_seed(2)


class Normalised(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        # Buffers are saved in the state_dict but are not parameters: no gradient, no update.
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)
        self.net = nn.Sequential(nn.Linear(4, 10), nn.Sigmoid(), nn.Linear(10, 1))

    def forward(self, x):
        return self.net((x - self.mean) / self.std)


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight)
        nn.init.zeros_(m.bias)


X = torch.randn(80, 4) * torch.tensor([1.0, 10.0, 0.1, 3.0]) + torch.tensor([5.0, -2.0, 0.0, 1.0])
y = (X[:, 0] - 5 + 0.1 * X[:, 1] + 10 * X[:, 2]).unsqueeze(1)

model = Normalised(X.mean(0), X.std(0))
model.apply(init_weights)

print("buffers", [name for name, _ in model.named_buffers()])
print("parameters", [name for name, _ in model.named_parameters()])
print("state_dict keys", list(model.state_dict().keys()))
print("init", [m.bias.abs().sum().item() for m in model.modules() if isinstance(m, nn.Linear)])
linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
print("init weight sums", [m.weight.sum().item() for m in linears])

optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(100):
    loss = nn.functional.mse_loss(model(X), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 20 == 0:
        print("step", step, loss.item())

print("mean buffer", model.mean.tolist(), model.mean.requires_grad)
print("std buffer", model.std.tolist())
