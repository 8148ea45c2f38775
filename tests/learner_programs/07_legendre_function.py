"""A custom autograd.Function: the Legendre polynomial P3(x) = (5x^3 - 3x) / 2 and its backward.

The model is y = a + b * P3(c + d * x), fitted to sin(x + 0.3).
"""
# expect: loss | Result: y =
import math

import tinygrad_edu as torch


class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        # Keep the input: the derivative 1.5 (5x^2 - 1) needs it.
        ctx.save_for_backward(input)
        return 0.5 * (5 * input**3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input**2 - 1)


torch.set_default_dtype(torch.float64)

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x + 0.3)

# Start close to the answer so that a few hundred steps converge.
a = torch.full((), 0.0, requires_grad=True)
b = torch.full((), -1.0, requires_grad=True)
c = torch.full((), 0.0, requires_grad=True)
d = torch.full((), 0.3, requires_grad=True)

learning_rate = 5e-6
for t in range(400):
    P3 = LegendrePolynomial3.apply

    y_pred = a + b * P3(c + d * x)

    loss = (y_pred - y).pow(2).sum()
    if t % 50 == 49:
        print("loss", t, loss.item())

    loss.backward()

    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad

        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

print(f"Result: y = {a.item()} + {b.item()} * P3({c.item()} + {d.item()} x)")
