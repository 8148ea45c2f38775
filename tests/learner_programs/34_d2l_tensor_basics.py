"""d2l's first tensor notebook: creation, reshaping, operators, concatenation, indexing, memory."""
# expect: numel | reshape | cat | sum | broadcast | indexing | memory | numpy
import tinygrad_edu as torch

torch.set_default_dtype(torch.float64)

x = torch.arange(12, dtype=torch.float64)
print("numel", x.numel(), "shape", tuple(x.shape), x.tolist())
X = x.reshape(3, 4)
print("reshape", X.tolist(), tuple(x.reshape(-1, 4).shape) == tuple(X.shape))
print("zeros", torch.zeros((2, 3, 4)).sum().item(), "ones", torch.ones((2, 3, 4)).shape[2])
print("from a list", torch.tensor([[2, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]]).tolist())

x = torch.tensor([1.0, 2, 4, 8])
y = torch.tensor([2, 2, 2, 2])
print("operators", (x + y).tolist(), (x - y).tolist(), (x * y).tolist(), (x / y).tolist(),
      (x**y).tolist())
print("exp", torch.exp(x).tolist())

X = torch.arange(12, dtype=torch.float64).reshape((3, 4))
Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
print("cat", torch.cat((X, Y), dim=0).shape[0], torch.cat((X, Y), dim=1).tolist())
print("equal", (X == Y).tolist())
print("sum", X.sum().item())

a = torch.arange(3).reshape((3, 1))
b = torch.arange(2).reshape((1, 2))
print("broadcast", (a + b).tolist())

print("indexing", X[-1].tolist(), X[1:3].tolist())
X[1, 2] = 17
X[0:2, :] = 12
print("after assignment", X.tolist())

# Z[:] = ... writes into Z's memory; X += Y updates X in place, Y = Y + X makes a new tensor.
before = id(Y)
Y = Y + X
print("memory: new tensor", id(Y) == before)
Z = torch.zeros_like(Y)
before_z = id(Z)
Z[:] = X + Y
print("memory: Z[:] kept", id(Z) == before_z, Z.sum().item())
before_x = id(X)
X += Y
print("memory: X += Y kept", id(X) == before_x, X.sum().item())

A = X.numpy()
B = torch.from_numpy(A)
print("numpy", type(A).__name__, B.shape[0], B.sum().item())
a = torch.tensor([3.5])
print("scalars", a.item(), float(a), int(a))
