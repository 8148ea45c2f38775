"""Autograd mechanics: requires_grad flags, leaves, detach, no_grad, accumulation and zero_."""
# expect: requires_grad: | accumulated: | zeroed: | no_grad: | vector-Jacobian:
import tinygrad_edu as torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)

# An operation's output requires grad when at least one input does.
x = torch.randn(5, 5)
y = torch.randn(5, 5)
z = torch.randn((5, 5), requires_grad=True)
a = x + y
b = a + z
print("requires_grad:", x.requires_grad, a.requires_grad, b.requires_grad)
print("is_leaf:", x.is_leaf, z.is_leaf, b.is_leaf)
print("grad_fn is None:", a.grad_fn is None, b.grad_fn is None, z.grad_fn is None)

# Gradients accumulate across backward calls until they are zeroed.
w = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
(w**2).sum().backward()
print("first backward:", w.grad.tolist())
(w**2).sum().backward()
print("accumulated:", w.grad.tolist())
w.grad.zero_()
print("zeroed:", w.grad.tolist())

# backward on a non-scalar output needs the vector of the vector-Jacobian product.
v = torch.tensor([0.1, 1.0, 0.0001])
out = w * torch.exp(w)
out.backward(v)
print("vector-Jacobian:", w.grad.tolist())

# detach() gives a tensor that shares the data but not the graph.
h = w * 2
hd = h.detach()
print("detach:", hd.requires_grad, hd.is_leaf, hd.tolist())

# Nothing inside no_grad records a graph; the flag comes back afterwards.
with torch.no_grad():
    u = w * 2
print("no_grad:", u.requires_grad, torch.is_grad_enabled())


@torch.no_grad()
def doubled(t):
    return t * 2


print("decorated:", doubled(w).requires_grad)

with torch.set_grad_enabled(False):
    s = w + 1
print("set_grad_enabled(False):", s.requires_grad)

# A second backward through the same graph needs retain_graph=True the first time.
w.grad = None
q = (w.sin() * w).sum()
q.backward(retain_graph=True)
first = w.grad.clone()
q.backward()
print("retain_graph:", first.tolist(), w.grad.tolist())

# requires_grad_() turns a plain tensor into a leaf that collects gradients.
m = torch.ones(3)
m.requires_grad_()
(m * w.detach()).sum().backward()
print("requires_grad_:", m.requires_grad, m.grad.tolist())

# Freezing: a tensor that does not require grad gets no gradient.
frozen = torch.randn(3)
trained = torch.randn(3, requires_grad=True)
(frozen * trained).sum().backward()
print("frozen:", frozen.grad is None, trained.grad.tolist())
