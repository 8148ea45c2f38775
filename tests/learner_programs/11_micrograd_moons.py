"""A micrograd-style MLP on two moons: max-margin loss, L2, and `p.data += -lr * p.grad`.

The dataset is made here from a seeded generator: two interleaved half circles with noise.
"""
# expect: step | accuracy
import math

import tinygrad_edu as torch

torch.set_default_dtype(torch.float64)
g = torch.Generator().manual_seed(1337)

# Two moons: the upper half circle is class +1, the lower shifted one class -1.
n = 100
t = torch.rand(n // 2, generator=g) * math.pi
upper = torch.stack([torch.cos(t), torch.sin(t)], dim=1)
lower = torch.stack([1 - torch.cos(t), 0.5 - torch.sin(t)], dim=1)
X = torch.cat([upper, lower], dim=0) + 0.1 * torch.randn(n, 2, generator=g)
y = torch.cat([torch.ones(n // 2), -torch.ones(n // 2)])


class Layer:
    def __init__(self, nin, nout, nonlin=True):
        # Uniform(-1, 1) weights as micrograd's Neuron, and zero biases.
        self.w = (torch.rand(nin, nout, generator=g) * 2 - 1).requires_grad_()
        self.b = torch.zeros(nout, requires_grad=True)
        self.nonlin = nonlin

    def __call__(self, x):
        act = x @ self.w + self.b
        return act.relu() if self.nonlin else act

    def parameters(self):
        return [self.w, self.b]


class MLP:
    def __init__(self, nin, nouts):
        sizes = [nin] + nouts
        self.layers = [
            Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1) for i in range(len(nouts))
        ]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


model = MLP(2, [16, 16, 1])
print("number of parameters", sum(p.numel() for p in model.parameters()))


def loss_fn():
    scores = model(X).squeeze(1)
    # SVM max-margin loss plus L2 regularisation.
    data_loss = (1 + -y * scores).relu().mean()
    alpha = 1e-4
    reg_loss = alpha * sum((p * p).sum() for p in model.parameters())
    total_loss = data_loss + reg_loss
    accuracy = ((scores > 0) == (y > 0)).float().mean()
    return total_loss, accuracy


for k in range(60):
    total_loss, acc = loss_fn()

    for p in model.parameters():
        p.grad = None
    total_loss.backward()

    # Learning-rate decay, then plain SGD on the raw data.
    learning_rate = 1.0 - 0.9 * k / 60
    for p in model.parameters():
        p.data += -learning_rate * p.grad

    if k % 10 == 0 or k == 59:
        print(f"step {k} loss {total_loss.item()}, accuracy {acc.item() * 100}%")

total_loss, acc = loss_fn()
print("final loss", total_loss.item(), "accuracy", acc.item())
