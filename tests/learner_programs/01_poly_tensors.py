"""Fit y = sin(x) with a cubic, computing the gradients by hand (no autograd).

The first step of "learning PyTorch with examples": tensors used like NumPy arrays.
"""
# expect: loss | Result: y =
import math

import tinygrad_edu as torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)

# Input and target: 2000 points of sin(x) on [-pi, pi].
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

# Four random coefficients.
a = torch.randn(())
b = torch.randn(())
c = torch.randn(())
d = torch.randn(())

learning_rate = 1e-6
for t in range(400):
    # Forward pass: the cubic's prediction.
    y_pred = a + b * x + c * x**2 + d * x**3

    # Sum of squared errors.
    loss = (y_pred - y).pow(2).sum().item()
    if t % 50 == 49:
        print("loss", t, loss)

    # Backward pass, derived by hand: d(loss)/d(y_pred) = 2 (y_pred - y).
    grad_y_pred = 2.0 * (y_pred - y)
    grad_a = grad_y_pred.sum()
    grad_b = (grad_y_pred * x).sum()
    grad_c = (grad_y_pred * x**2).sum()
    grad_d = (grad_y_pred * x**3).sum()

    # Gradient descent step.
    a -= learning_rate * grad_a
    b -= learning_rate * grad_b
    c -= learning_rate * grad_c
    d -= learning_rate * grad_d

print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")
