"""Fit y = sin(x) with nn.Sequential and optim.RMSprop doing the update."""
# expect: loss | Result: y =
import math

import tinygrad_edu as torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(2)

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)

model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
loss_fn = torch.nn.MSELoss(reduction="sum")

learning_rate = 1e-3
optimizer = torch.optim.RMSprop(model.parameters(), lr=learning_rate)
for t in range(400):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    if t % 50 == 49:
        print("loss", t, loss.item())

    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

linear_layer = model[0]
w = linear_layer.weight.flatten().tolist()
print(f"Result: y = {linear_layer.bias.item()} + {w[0]} x + {w[1]} x^2 + {w[2]} x^3")
