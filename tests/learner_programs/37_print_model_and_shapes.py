"""What learners print while building a model: the module tree, shapes, sizes, parameter counts."""
# expect: Sequential | size(1) | params | out shape | trainable after freezing
import tinygrad_edu as torch
from tinygrad_edu import nn

torch.set_default_dtype(torch.float64)
torch.manual_seed(37)

model = nn.Sequential(
    nn.Linear(8, 16),
    nn.ReLU(),
    nn.Linear(16, 16),
    nn.Tanh(),
    nn.Linear(16, 3),
)
print(model)

x = torch.randn(5, 8)
print(x.shape)
print(x.size(), x.size(1), x.dim(), x.ndim)
print("size(1)", x.size(1), "shape[0]", x.shape[0])

total = sum(p.numel() for p in model.parameters())
trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
print("params", total, trainable)
for name, param in model.named_parameters():
    print(name, param.numel(), param.requires_grad)

out = model(x)
print("out shape", out.shape)
print(out.dtype == torch.float64, out.requires_grad, out.is_leaf)

# Freeze the first layer: its parameters stop requiring grad.
for param in model[0].parameters():
    param.requires_grad = False
print("trainable after freezing", sum(p.numel() for p in model.parameters() if p.requires_grad))
out.sum().backward()
print("first layer grads", [p.grad is None for p in model[0].parameters()])
