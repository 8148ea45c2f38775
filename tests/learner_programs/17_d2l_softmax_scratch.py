"""Softmax regression from scratch in the d2l style, on synthetic 3-class data in 2-D.

softmax by exp / partition, cross-entropy by picking the true class's probability, accuracy by
argmax, an Accumulator, and minibatch SGD.
"""
# ruff: noqa: B905  (learner code zips sequences without strict=)
# expect: softmax rows | epoch | test acc
import tinygrad_edu as torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(1)

# Three Gaussian blobs; class k is centred at centers[k].
centers = torch.tensor([[0.0, 2.0], [2.0, -1.0], [-2.0, -1.0]])
y_all = torch.randint(0, 3, (400,))
X_all = centers[y_all] + torch.randn(400, 2)
X_train, y_train = X_all[:300], y_all[:300]
X_test, y_test = X_all[300:], y_all[300:]

num_inputs, num_outputs = 2, 3
W = torch.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True)
b = torch.zeros(num_outputs, requires_grad=True)


def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition  # broadcasting divides each row by its sum


X_prob = softmax(torch.normal(0, 1, (2, 5)))
print("softmax rows", X_prob.sum(1).tolist())


def net(X):
    return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y])


def accuracy(y_hat, y):
    """The number of correct predictions."""
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


class Accumulator:
    """Sums over n variables."""

    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def __getitem__(self, idx):
        return self.data[idx]


def data_iter(batch_size, features, labels):
    indices = torch.randperm(len(features))
    for i in range(0, len(features), batch_size):
        batch = indices[i : i + batch_size]
        yield features[batch], labels[batch]


def evaluate_accuracy(net, X, y):
    with torch.no_grad():
        return accuracy(net(X), y) / y.numel()


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


print("untrained accuracy", evaluate_accuracy(net, X_test, y_test))
lr = 0.1
for epoch in range(5):
    metric = Accumulator(3)  # sum of losses, number correct, number of examples
    for X, y in data_iter(25, X_train, y_train):
        y_hat = net(X)
        l = cross_entropy(y_hat, y)  # noqa: E741
        l.sum().backward()
        sgd([W, b], lr, X.shape[0])
        metric.add(float(l.sum()), accuracy(y_hat, y), y.numel())
    test_acc = evaluate_accuracy(net, X_test, y_test)
    print(f"epoch {epoch + 1}, loss {metric[0] / metric[2]}, train acc {metric[1] / metric[2]}")
print("test acc", test_acc)
print("W", W.tolist(), "b", b.tolist())
