"""Looking inside autograd: retain_grad, hooks, and a walk over grad_fn.next_functions."""
# expect: hidden grad: | hook saw: | leaf hook: | graph: | nodes:
import tinygrad_edu as torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)

x = torch.randn(4, 3)
w = torch.randn(3, 2, requires_grad=True)
b = torch.randn(2, requires_grad=True)

hidden = x @ w + b
hidden.retain_grad()  # keep the gradient of a non-leaf tensor
act = torch.tanh(hidden)
loss = (act**2).sum()

seen = []
act.register_hook(lambda grad: seen.append(grad.sum().item()))

loss.backward()
print("hidden grad:", hidden.grad.tolist())
print("hook saw:", seen)
print("w grad:", w.grad.tolist())

# A hook on a leaf may replace the gradient: here it doubles it.
w2 = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
handle = w2.register_hook(lambda grad: grad * 2)
(w2**3).sum().backward()
print("leaf hook:", w2.grad.tolist())
handle.remove()
w2.grad = None
(w2**3).sum().backward()
print("hook removed:", w2.grad.tolist())


# Walk the backward graph from the loss to the leaves.
def walk(fn, depth, names):
    if fn is None:
        return 0
    names.append("  " * depth + fn.name())
    count = 1
    for next_fn, _ in fn.next_functions:
        count += walk(next_fn, depth + 1, names)
    return count


names = []
count = walk(loss.grad_fn, 0, names)
print("graph:")
for name in names:
    print(name)
print("nodes:", count)
print("first edges:", len(loss.grad_fn.next_functions))
