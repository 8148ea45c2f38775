"""Higher-order gradients with torch.autograd.grad(create_graph=True): f'', and Newton's method."""
# expect: f(x) | first derivative | second derivative | newton | minimum at
import tinygrad_edu as torch

torch.set_default_dtype(torch.float64)

x = torch.tensor(2.0, requires_grad=True)
y = x**3 + torch.sin(x) * x
print("f(x)", y.item())

# create_graph=True records the backward pass itself, so it can be differentiated again.
(dy_dx,) = torch.autograd.grad(y, x, create_graph=True)
print("first derivative", dy_dx.item(), "expected", (3 * 2.0**2 + torch.cos(torch.tensor(2.0)) * 2.0
                                                   + torch.sin(torch.tensor(2.0))).item())
(d2y_dx2,) = torch.autograd.grad(dy_dx, x)
print("second derivative", d2y_dx2.item())

# A vector of points at once: the derivative of sum(f) is f' at every point.
xs = torch.linspace(-1.0, 1.0, 5, requires_grad=True)
f = torch.tanh(xs)
(df,) = torch.autograd.grad(f.sum(), xs, create_graph=True)
(d2f,) = torch.autograd.grad(df.sum(), xs)
print("tanh' ", df.tolist())
print("tanh''", d2f.tolist())
print("check tanh'' = -2 tanh (1 - tanh^2):", torch.allclose(d2f, -2 * f * (1 - f**2)))


# Newton's method on g(w) = w^4 - 3 w^2 + w, each step w <- w - g'(w) / g''(w).
def g(w):
    return w**4 - 3 * w**2 + w


w = torch.tensor(1.5, requires_grad=True)
for i in range(5):
    (gp,) = torch.autograd.grad(g(w), w, create_graph=True)
    (gpp,) = torch.autograd.grad(gp, w)
    with torch.no_grad():
        w -= gp / gpp
    print("newton", i, w.item(), gp.item())
print("minimum at", w.item(), "g =", g(w).item())

# backward(create_graph=True) then a second backward through the gradient.
z = torch.tensor([0.5, -1.0], requires_grad=True)
energy = (z**2).prod()
energy.backward(create_graph=True)
grad_norm = (z.grad**2).sum()
z.grad = None
grad_norm.backward()
print("gradient of |grad|^2", z.grad.tolist())
