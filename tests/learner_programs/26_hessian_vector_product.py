"""A Hessian-vector product by double backprop, checked against the full Hessian, row by row."""
# expect: loss | grad | Hv | H @ v | match | symmetric
import tinygrad_edu as torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(4)

X = torch.randn(30, 3)
t = (torch.rand(30) > 0.5).double()
w = torch.randn(3, requires_grad=True)


def loss_fn(w):
    """Logistic-regression loss, a smooth function of the weights."""
    z = X @ w
    return (torch.log(1 + torch.exp(-z)) + (1 - t) * z).mean() + 0.05 * (w**2).sum()


loss = loss_fn(w)
print("loss", loss.item())
(grad,) = torch.autograd.grad(loss, w, create_graph=True)
print("grad", grad.tolist())

# Hv = d/dw (grad . v): one extra backward pass instead of the whole Hessian.
v = torch.tensor([1.0, -0.5, 2.0])
(hv,) = torch.autograd.grad(grad @ v, w, retain_graph=True)
print("Hv", hv.tolist())

# The full Hessian, one row per component of the gradient.
rows = []
for i in range(3):
    (row,) = torch.autograd.grad(grad[i], w, retain_graph=True)
    rows.append(row)
H = torch.stack(rows)
print("H @ v", (H @ v).tolist())
print("match", torch.allclose(H @ v, hv))
print("symmetric", torch.allclose(H, H.T))
print("diagonal", torch.diagonal(H).tolist())

# The logistic Hessian in closed form: X^T diag(s (1 - s)) X / n + 0.1 I.
with torch.no_grad():
    s = torch.sigmoid(X @ w)
    H_closed = (X.T * (s * (1 - s))) @ X / X.shape[0] + 0.1 * torch.eye(3)
print("closed form", torch.allclose(H, H_closed), (H - H_closed).abs().max().item() < 1e-12)
