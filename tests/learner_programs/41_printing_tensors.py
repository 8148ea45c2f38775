"""Printing tensors as learners do: values, gradients, grad_fn, dtypes, shapes, a layer's bias."""
# expect: tensor( | grad_fn=<SumBackward0> | requires_grad=True | torch.Size([2, 3])
import tinygrad_edu as torch
from tinygrad_edu import nn

torch.set_default_dtype(torch.float64)
torch.manual_seed(41)

x = torch.randn(2, 3)
print(x)
print(torch.arange(6))
print(torch.tensor([True, False]))
print(torch.zeros(2, 2, dtype=torch.float32))

w = torch.randn(3, requires_grad=True)
print(w)
y = (w * 2).sum()
print(y)
print(y.grad_fn)
y.backward()
print(w.grad)

print(x.dtype, torch.arange(3).dtype, (x > 0).dtype, x.float().dtype)
print(x.shape, x[0].shape, x.sum().shape)

with torch.no_grad():
    print(x @ w)

labels = torch.tensor([2, 0, 1])
print(labels, labels.shape)
print(torch.linspace(0, 1, 5))
print(torch.tensor([1e-8, 1.0, 1e8]))
print(torch.tensor(3.14159))
print(torch.ones(3) / 3)

layer = nn.Linear(2, 1)
with torch.no_grad():
    layer.bias.fill_(0.5)
print(layer.bias)
print(layer(torch.tensor([[1.0, 2.0]])).shape)
