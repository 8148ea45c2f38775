"""Fit y = sin(x) with a custom nn.Module whose four coefficients are nn.Parameters."""
# expect: loss | parameters: | Result: y =
import math

import tinygrad_edu as torch


class Polynomial3(torch.nn.Module):
    def __init__(self):
        """Four scalar parameters, registered because they are nn.Parameter attributes."""
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        return self.a + self.b * x + self.c * x**2 + self.d * x**3

    def string(self):
        return (
            f"y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 "
            f"+ {self.d.item()} x^3"
        )


torch.set_default_dtype(torch.float64)
torch.manual_seed(0)

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

model = Polynomial3()
print("parameters:", [name for name, _ in model.named_parameters()])

criterion = torch.nn.MSELoss(reduction="sum")
optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)
for t in range(400):
    y_pred = model(x)
    loss = criterion(y_pred, y)
    if t % 50 == 49:
        print("loss", t, loss.item())

    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

print(f"Result: {model.string()}")
