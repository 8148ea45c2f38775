"""An older tutorial's style: Variable, `w.data -= lr * w.grad.data`, `w.grad.data.zero_()`."""
# expect: loss | final loss
import tinygrad_edu as torch
from tinygrad_edu.autograd import Variable

torch.set_default_dtype(torch.float64)
torch.manual_seed(1)

N, D_in, H, D_out = 64, 20, 30, 4
x = Variable(torch.randn(N, D_in), requires_grad=False)
y = Variable(torch.randn(N, D_out), requires_grad=False)
w1 = Variable(torch.randn(D_in, H), requires_grad=True)
w2 = Variable(torch.randn(H, D_out), requires_grad=True)

learning_rate = 1e-5
for t in range(100):
    y_pred = x.mm(w1).clamp(min=0).mm(w2)

    loss = (y_pred - y).pow(2).sum()
    if t % 20 == 0:
        print("loss", t, loss.item())

    loss.backward()

    # Update the raw values behind the Variables, then clear the gradients in place.
    w1.data -= learning_rate * w1.grad.data
    w2.data -= learning_rate * w2.grad.data

    w1.grad.data.zero_()
    w2.grad.data.zero_()

print("final loss", (x.mm(w1).clamp(min=0).mm(w2) - y).pow(2).sum().item())
print("w2 norm", w2.data.norm().item())
