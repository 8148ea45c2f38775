"""Fit y = sin(x) with a cubic, letting autograd compute the gradients.

The coefficients are leaf tensors with requires_grad=True; the update runs under no_grad and
the gradients are reset with `.grad = None`.
"""
# expect: loss | Result: y =
import math

import tinygrad_edu as torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)

x = torch.linspace(-math.pi, math.pi, 2000, dtype=torch.float64)
y = torch.sin(x)

a = torch.randn((), dtype=torch.float64, requires_grad=True)
b = torch.randn((), dtype=torch.float64, requires_grad=True)
c = torch.randn((), dtype=torch.float64, requires_grad=True)
d = torch.randn((), dtype=torch.float64, requires_grad=True)

learning_rate = 1e-6
for t in range(400):
    y_pred = a + b * x + c * x**2 + d * x**3

    # loss is a 0-dim tensor; loss.item() is its Python number.
    loss = (y_pred - y).pow(2).sum()
    if t % 50 == 49:
        print("loss", t, loss.item())

    # Autograd fills a.grad, b.grad, c.grad and d.grad.
    loss.backward()

    # The update must not be recorded in the graph.
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad

        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

print("requires_grad after training:", a.requires_grad, a.is_leaf)
print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")
