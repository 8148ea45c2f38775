"""A residual MLP whose blocks live in an nn.ModuleList, trained with SGD."""
# expect: modules | parameters | step | final loss
import tinygrad_edu as torch
from tinygrad_edu import nn

torch.set_default_dtype(torch.float64)
torch.manual_seed(11)


class ResidualMLP(nn.Module):
    def __init__(self, d_in, d_hidden, d_out, depth):
        super().__init__()
        self.inp = nn.Linear(d_in, d_hidden)
        # A plain Python list would hide these layers from parameters(); ModuleList registers them.
        self.blocks = nn.ModuleList([nn.Linear(d_hidden, d_hidden) for _ in range(depth)])
        self.out = nn.Linear(d_hidden, d_out)

    def forward(self, x):
        h = torch.tanh(self.inp(x))
        for block in self.blocks:
            h = h + torch.tanh(block(h))
        return self.out(h)


model = ResidualMLP(3, 16, 2, depth=3)
print("modules", len(model.blocks), [name for name, _ in model.named_children()])
for name, p in model.named_parameters():
    print("parameters", name, p.numel())

X = torch.randn(50, 3)
Y = torch.stack([X[:, 0] * X[:, 1], torch.sin(X[:, 2])], dim=1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)

for step in range(120):
    pred = model(X)
    loss = ((pred - Y) ** 2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 20 == 0:
        print("step", step, loss.item())

print("final loss", ((model(X) - Y) ** 2).mean().item())
print("block norms", [block.weight.norm().item() for block in model.blocks])
