"""Fit y = sin(x) with nn.Sequential(Linear, Flatten), MSELoss and a manual update.

The powers x, x^2, x^3 are the three input features of one Linear layer.
"""
# expect: loss | parameters: | Result: y =
import math

import tinygrad_edu as torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

# x.unsqueeze(-1) has shape (2000, 1); raised to p = (1, 2, 3) it broadcasts to (2000, 3).
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)

model = torch.nn.Sequential(
    torch.nn.Linear(3, 1),
    torch.nn.Flatten(0, 1),
)
loss_fn = torch.nn.MSELoss(reduction="sum")
print("parameters:", sum(param.numel() for param in model.parameters()))

learning_rate = 1e-6
for t in range(400):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    if t % 50 == 49:
        print("loss", t, loss.item())

    model.zero_grad()
    loss.backward()

    with torch.no_grad():
        for param in model.parameters():
            param -= learning_rate * param.grad

linear_layer = model[0]
w = linear_layer.weight.flatten().tolist()
print(f"Result: y = {linear_layer.bias.item()} + {w[0]} x + {w[1]} x^2 + {w[2]} x^3")
