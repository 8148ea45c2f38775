"""Fitting a line through data with outliers under L1Loss, MSELoss and SmoothL1Loss."""
# expect: outliers | MSELoss | L1Loss | SmoothL1Loss | activations
import tinygrad_edu as torch
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn

torch.set_default_dtype(torch.float64)
torch.manual_seed(39)

x = torch.linspace(0, 1, 50).unsqueeze(1)
y = 3 * x + 1 + 0.05 * torch.randn(50, 1)
y[::10] += 4.0  # every tenth point is an outlier
print("outliers", (y - (3 * x + 1)).abs().gt(1).sum().item())

for loss_fn in [nn.MSELoss(), nn.L1Loss(), nn.SmoothL1Loss(beta=0.5)]:
    torch.manual_seed(0)
    line = nn.Linear(1, 1)
    opt = torch.optim.Adam(line.parameters(), lr=0.1)
    for _ in range(150):
        opt.zero_grad()
        loss = loss_fn(line(x), y)
        loss.backward()
        opt.step()
    # The outliers pull the MSE fit up; L1 and smooth L1 stay near y = 3x + 1.
    print(type(loss_fn).__name__, loss.item(), line.weight.item(), line.bias.item())

z = torch.linspace(-3, 3, 7, requires_grad=True)
acts = [F.elu(z), F.softplus(z), F.leaky_relu(z, 0.2), F.gelu(z), torch.sigmoid(z), F.silu(z)]
total = sum(a.sum() for a in acts)
total.backward()
print("activations", [a.sum().item() for a in acts])
print("activation grads", z.grad.tolist())
same_elu = torch.allclose(nn.ELU()(z), F.elu(z))
print("modules agree", same_elu, torch.allclose(nn.Softplus()(z), F.softplus(z)))
