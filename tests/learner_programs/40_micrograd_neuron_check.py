"""The micrograd lecture's check with PyTorch: one tanh neuron, its value and input gradients."""
# expect: --- | x2 | w2 | x1 | w1 | second neuron
import tinygrad_edu as torch

torch.set_default_dtype(torch.float64)

x1 = torch.Tensor([2.0]).double()
x1.requires_grad = True
x2 = torch.Tensor([0.0]).double()
x2.requires_grad = True
w1 = torch.Tensor([-3.0]).double()
w1.requires_grad = True
w2 = torch.Tensor([1.0]).double()
w2.requires_grad = True
b = torch.Tensor([6.8813735870195432]).double()
b.requires_grad = True
n = x1 * w1 + x2 * w2 + b
o = torch.tanh(n)

print(o.data.item())
o.backward()

print("---")
print("x2", x2.grad.item())
print("w2", w2.grad.item())
print("x1", x1.grad.item())
print("w1", w1.grad.item())

# The same neuron with tanh written out as (e^2n - 1) / (e^2n + 1).
for t in [x1, x2, w1, w2]:
    t.grad = None
n = x1 * w1 + x2 * w2 + b
e = (2 * n).exp()
o = (e - 1) / (e + 1)
o.backward()
print("second neuron", o.item(), x1.grad.item(), w1.grad.item(), x2.grad.item(), w2.grad.item())
