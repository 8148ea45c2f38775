"""d2l's linear algebra notebook: reductions along axes, dot, mv, mm, norms."""
# expect: transpose | hadamard | sum axis | mean | cumsum | dot | mv | mm | norms
import tinygrad_edu as torch

torch.set_default_dtype(torch.float64)

A = torch.arange(20, dtype=torch.float64).reshape(5, 4)
print("transpose", A.T.tolist())
sym = torch.tensor([[1.0, 2, 3], [2, 0, 4], [3, 4, 5]])
print("symmetric", (sym == sym.T).all().item())

B = A.clone()
print("hadamard", (A * B).sum().item(), "scalar", (2 + A).tolist()[0], (2 * A).shape[1])

x = torch.arange(4, dtype=torch.float64)
print("sum", x.sum().item(), A.sum().item())
print("sum axis 0", A.sum(axis=0).tolist(), "axis 1", A.sum(axis=1).tolist())
print("sum both axes", A.sum(axis=[0, 1]).item())
print("mean", A.mean().item(), (A.sum() / A.numel()).item(), A.mean(axis=0).tolist())
sum_A = A.sum(axis=1, keepdims=True)
print("keepdims", sum_A.tolist(), (A / sum_A)[0].tolist())
print("cumsum", A.cumsum(axis=0).tolist())

y = torch.ones(4, dtype=torch.float64)
print("dot", torch.dot(x, y).item(), torch.sum(x * y).item())
print("mv", torch.mv(A, x).tolist(), (A @ x).tolist())
Bm = torch.ones(4, 3)
print("mm", torch.mm(A, Bm).tolist())

u = torch.tensor([3.0, -4.0])
print("norms", torch.norm(u).item(), torch.abs(u).sum().item())
print("frobenius", torch.norm(torch.ones((4, 9))).item())
print("max and argmax", A.max().item(), A.argmax().item(), A.max(dim=1).values.tolist(),
      A.max(dim=1).indices.tolist())
print("var and std", A.var().item(), A.std(dim=0).tolist(), A.var(dim=1, unbiased=False).tolist())
