"""d2l's automatic differentiation notebook: gradients, zeroing, non-scalar outputs, detach,
and Python control flow inside the function being differentiated."""
# expect: grad | zeroed | non-scalar | detach | control flow
import tinygrad_edu as torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(36)

x = torch.arange(4.0)
x.requires_grad_(True)
print("no grad yet", x.grad is None)
y = 2 * torch.dot(x, x)
y.backward()
print("grad", x.grad.tolist(), (x.grad == 4 * x).tolist())

# PyTorch accumulates; zero the gradient before the next computation.
x.grad.zero_()
y = x.sum()
y.backward()
print("zeroed then sum", x.grad.tolist())

# Non-scalar output: sum first (the same as backward with a vector of ones).
x.grad.zero_()
y = x * x
y.sum().backward()
print("non-scalar", x.grad.tolist())
x.grad.zero_()
y = x * x
y.backward(gradient=torch.ones(len(y)))
print("non-scalar with gradient", x.grad.tolist())

# Detach: u is treated as a constant.
x.grad.zero_()
y = x * x
u = y.detach()
z = u * x
z.sum().backward()
print("detach", (x.grad == u).tolist())
x.grad.zero_()
y.sum().backward()
print("detach, then through y", (x.grad == 2 * x).tolist())


def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:  # noqa: SIM108  (d2l's control-flow example)
        c = b
    else:
        c = 100 * b
    return c


a = torch.randn(size=(), requires_grad=True)
d = f(a)
d.backward()
print("control flow", a.grad.item(), (d / a).item(), (a.grad == d / a).item())
