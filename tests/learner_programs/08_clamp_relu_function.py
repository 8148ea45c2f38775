"""A custom ReLU as an autograd.Function (clamp forward, masked backward) in a two-layer net."""
# expect: loss | grads match | final loss
import tinygrad_edu as torch


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


torch.set_default_dtype(torch.float64)
torch.manual_seed(0)

# N samples, D_in inputs, H hidden units, D_out outputs.
N, D_in, H, D_out = 32, 10, 24, 3
x = torch.randn(N, D_in)
y = torch.randn(N, D_out)

w1 = torch.randn(D_in, H, requires_grad=True)
w2 = torch.randn(H, D_out, requires_grad=True)

# The custom ReLU's gradients agree with the built-in relu's.
relu = MyReLU.apply
out_custom = relu(x.mm(w1)).mm(w2).sum()
g1_custom, g2_custom = torch.autograd.grad(out_custom, [w1, w2])
out_builtin = torch.relu(x.mm(w1)).mm(w2).sum()
g1_builtin, g2_builtin = torch.autograd.grad(out_builtin, [w1, w2])
print("grads match", torch.allclose(g1_custom, g1_builtin), torch.allclose(g2_custom, g2_builtin))

learning_rate = 1e-4
for t in range(200):
    y_pred = relu(x.mm(w1)).mm(w2)

    loss = (y_pred - y).pow(2).sum()
    if t % 25 == 24:
        print("loss", t, loss.item())

    loss.backward()

    with torch.no_grad():
        w1 -= learning_rate * w1.grad
        w2 -= learning_rate * w2.grad

        # Zero the gradients in place before the next backward pass.
        w1.grad.zero_()
        w2.grad.zero_()

print("final loss", (relu(x.mm(w1)).mm(w2) - y).pow(2).sum().item())
print("w2 column sums", w2.sum(0).tolist())
