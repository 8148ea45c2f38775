"""The same networks in tinygrad_edu and in PyTorch, side by side: same weights, same numbers.

tinygrad_edu's API follows PyTorch's, with one difference in layout: ``nn.Linear`` stores its
weight as ``(in_features, out_features)`` and computes ``x @ weight + bias`` (the documents'
``l1 = l0.dot(syn0)``), while ``torch.nn.Linear`` stores ``(out_features, in_features)`` and
computes ``x @ weight.T + bias``. So weights are TRANSPOSED on the way over, and their
gradients transposed on the way back. Everything else carries over name for name:

    tinygrad_edu                              PyTorch
    Tensor(x, requires_grad=True)             torch.tensor(x, requires_grad=True)
    nn.Sequential(nn.Linear(3, 4), ...)       torch.nn.Sequential(torch.nn.Linear(3, 4), ...)
    nn.MSELoss(), nn.CrossEntropyLoss()       torch.nn.MSELoss(), torch.nn.CrossEntropyLoss()
    optim.SGD(model.parameters(), lr=...)     torch.optim.SGD(model.parameters(), lr=...)
    loss.backward(); p.grad                   loss.backward(); p.grad

Two networks are compared, both in float64: document 001's 3-4-1 sigmoid network on XOR with
``MSELoss``, and a 64-32-10 ReLU classifier with ``CrossEntropyLoss``. For each: the outputs,
the loss, every parameter's gradient (max difference printed), then the weights after a few
steps of SGD with momentum and of Adam.

    python examples/to_pytorch.py            # needs torch: pip install torch==2.13.0
    python examples/to_pytorch.py --quick    # fewer optimizer steps

Without PyTorch it says so and exits 0.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

import _common
import numpy as np

from tinygrad_edu import Tensor, nn, optim

TORCH_HINT = ("PyTorch is not installed, so there is nothing to compare with.\n"
              "Install the CPU build this project pins:  pip install torch==2.13.0\n"
              "(or: pip install -e '.[oracle]'), then run this example again.")


def to_torch(model: nn.Sequential, torch: Any) -> Any:
    """A torch.nn.Sequential with the same layers and the same weights (transposed)."""
    layers = []
    for layer in model:
        if isinstance(layer, nn.Linear):
            t = torch.nn.Linear(layer.in_features, layer.out_features, bias=layer.bias is not None,
                                dtype=torch.float64)
            with torch.no_grad():
                t.weight.copy_(torch.from_numpy(layer.weight.numpy().T))  # (in,out) -> (out,in)
                if layer.bias is not None:
                    t.bias.copy_(torch.from_numpy(layer.bias.numpy()))
            layers.append(t)
        elif isinstance(layer, nn.Sigmoid):
            layers.append(torch.nn.Sigmoid())
        elif isinstance(layer, nn.ReLU):
            layers.append(torch.nn.ReLU())
        elif isinstance(layer, nn.Tanh):
            layers.append(torch.nn.Tanh())
        else:
            raise TypeError(f"to_torch: no PyTorch counterpart written for {type(layer).__name__}")
    return torch.nn.Sequential(*layers)


def torch_view(name: str, array: Any) -> np.ndarray:
    """A PyTorch parameter (or its gradient) in tinygrad_edu's layout."""
    arr = array.detach().numpy()
    return arr.T if name.endswith("weight") else arr


def compare_model(check: _common.Checker, tag: str, title: str, model: nn.Sequential,
                  loss_fn: nn.Module, torch_loss_fn: Any, x: np.ndarray, target: np.ndarray,
                  torch: Any, steps: int) -> float:
    _common.section(title)
    tmodel = to_torch(model, torch)
    ours = dict(model.named_parameters())
    theirs = dict(tmodel.named_parameters())
    print(f"       {'parameter':10s} {'tinygrad_edu':>14s} {'PyTorch':>14s}")
    for name, p in ours.items():
        print(f"       {name:10s} {str(p.shape):>14s} {str(tuple(theirs[name].shape)):>14s}")

    out = model(Tensor(x))
    loss = loss_fn(out, target)
    loss.backward()
    tout = tmodel(torch.from_numpy(x))
    ttarget = torch.from_numpy(target)
    tloss = torch_loss_fn(tout, ttarget)
    tloss.backward()
    check.compare(f"{tag} outputs", tout.detach().numpy(), out, rtol=1e-12)
    check.compare(f"{tag} loss", tloss.item(), loss, rtol=1e-12)
    worst = 0.0
    for name, p in ours.items():
        tgrad = torch_view(name, theirs[name].grad)
        worst = max(worst, float(np.max(np.abs(tgrad - p.grad.numpy()))))
        check.compare(f"{tag} {name}.grad", tgrad, p.grad, rtol=1e-10)
    print(f"       max |gradient difference| over all parameters: {worst:.3g}")

    for opt_name, make, make_torch in [
        ("SGD(lr=0.1, momentum=0.9)", lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
         lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9)),
        ("Adam(lr=0.01)", lambda ps: optim.Adam(ps, lr=0.01),
         lambda ps: torch.optim.Adam(ps, lr=0.01)),
    ]:
        worst = max(worst, train_both(check, tag, model, tmodel, loss_fn, torch_loss_fn, x,
                                      target, torch, steps, opt_name, make, make_torch))
    return worst


def train_both(check: _common.Checker, tag: str, model: nn.Sequential, tmodel: Any,
               loss_fn: nn.Module,
               torch_loss_fn: Any, x: np.ndarray, target: np.ndarray, torch: Any, steps: int,
               opt_name: str, make: Callable[[Any], Any], make_torch: Callable[[Any], Any]
               ) -> float:
    """``steps`` optimizer steps on copies of both models; compare the weights after."""
    state = model.state_dict()
    tstate = {k: v.clone() for k, v in tmodel.state_dict().items()}
    opt, topt = make(model.parameters()), make_torch(tmodel.parameters())
    xt, yt = Tensor(x), torch.from_numpy(target)
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(model(xt), target).backward()
        opt.step()
        topt.zero_grad()
        torch_loss_fn(tmodel(torch.from_numpy(x)), yt).backward()
        topt.step()
    theirs = np.concatenate([torch_view(n, p).ravel() for n, p in tmodel.named_parameters()])
    ours = np.concatenate([p.numpy().ravel() for p in model.parameters()])
    worst = float(np.max(np.abs(theirs - ours)))
    check.compare(f"{tag} weights after {steps} steps of {opt_name}", theirs, ours, rtol=1e-9)
    model.load_state_dict(state)  # put both back for the next optimizer
    tmodel.load_state_dict(tstate)
    return worst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 optimizer steps instead of 50")
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        print(TORCH_HINT)
        return 0
    print(f"PyTorch {torch.__version__}; everything in float64")
    torch.set_default_dtype(torch.float64)
    check = _common.Checker(reference="torch")
    steps = 5 if args.quick else 50

    rng = np.random.default_rng(0)
    xor = nn.Sequential(nn.Linear(3, 4, rng=rng), nn.Sigmoid(), nn.Linear(4, 1, rng=rng),
                        nn.Sigmoid())
    x = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=np.float64)
    y = np.array([[0], [1], [1], [0]], dtype=np.float64)
    worst = compare_model(check, "xor", "document 001's 3-4-1 sigmoid network on XOR, MSELoss", xor,
                          nn.MSELoss(), torch.nn.MSELoss(), x, y, torch, steps)

    classifier = nn.Sequential(nn.Linear(64, 32, rng=rng), nn.ReLU(),
                               nn.Linear(32, 10, rng=rng))
    images = rng.random((16, 64))
    labels = rng.integers(0, 10, 16)
    worst = max(worst, compare_model(check, "classifier",
                                     "a 64-32-10 ReLU classifier, CrossEntropyLoss",
                                     classifier, nn.CrossEntropyLoss(),
                                     torch.nn.CrossEntropyLoss(), images, labels, torch, steps))
    print()
    print(f"largest difference anywhere: {worst:.3g}")
    return check.finish()


if __name__ == "__main__":
    sys.exit(main())
