"""A small CNN with BatchNorm2d and AdaptiveAvgPool2d on random 3-channel images.

Conv-BN-ReLU blocks (padding, stride), MaxPool2d, global average pooling, SGD with momentum;
the running statistics after training, eval mode, and the state_dict's convolution entries.
"""
# expect: Sequential( | step 0 | running_mean | num_batches_tracked 6 | eval | 0.weight (8, 3, 3, 3)
import tinygrad_edu as torch
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn, optim

torch.set_default_dtype(torch.float64)
torch.manual_seed(7)


def conv_bn(c_in, c_out, stride=1):
    return [
        nn.Conv2d(c_in, c_out, kernel_size=3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    ]


model = nn.Sequential(
    *conv_bn(3, 8),
    nn.MaxPool2d(2),
    *conv_bn(8, 16, stride=2),
    nn.AdaptiveAvgPool2d((1, 1)),
    nn.Flatten(),
    nn.Linear(16, 4),
)
print(model)

images = torch.randn(24, 3, 12, 12)
labels = torch.randint(0, 4, (24,))
images[:, 0] += labels.view(-1, 1, 1) * 0.5  # make the first channel carry the class

optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for step in range(6):
    idx = torch.arange(step % 3 * 8, step % 3 * 8 + 8)
    logits = model(images[idx])
    loss = F.cross_entropy(logits, labels[idx])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print(f"step {step} loss {loss.item():.12f}")

bn = model[1]
print("running_mean", bn.running_mean)
print("running_var", bn.running_var)
print("num_batches_tracked", bn.num_batches_tracked.item())

x = images[:5]
# Still in train mode: this forward updates the running statistics once more.
h = model[2](model[1](model[0](x)))
print("after block 1", tuple(h.shape), "pooled", tuple(model[3](h).shape))
print("feature map", tuple(model[6](model[5](model[4](model[3](h)))).shape))

model.eval()
with torch.no_grad():
    out_eval = model(x)
    # In eval mode BatchNorm2d normalises with the running statistics, not the batch's.
    y = model[0](x)
    manual = (y - bn.running_mean.view(1, -1, 1, 1)) / torch.sqrt(
        bn.running_var.view(1, -1, 1, 1) + bn.eps
    ) * bn.weight.view(1, -1, 1, 1) + bn.bias.view(1, -1, 1, 1)
    print("eval bn by hand", (manual - bn(y)).abs().max().item() < 1e-12)
    print("eval logits", out_eval[0])
    print("eval accuracy", (model(images).argmax(1) == labels).double().mean().item())
print("num_batches_tracked after eval", bn.num_batches_tracked.item())

for name, t in model.state_dict().items():
    if name.startswith(("0.", "1.", "4.")):
        print(name, tuple(t.shape))
print("functional", F.adaptive_avg_pool2d(x, 1).shape, F.avg_pool2d(x, 2).shape)
