"""victorzhou's "neural network from scratch" (document 003), with the engine.

The document builds a ``Neuron``, a 2-2-1 network of them, the MSE loss, then derives the nine
partial derivatives of ``L = (y_true - y_pred)**2`` by the chain rule and trains with SGD on
four people. Here:

1. the document's feedforward numbers (0.9990889488055994, 0.7216325609518421, MSE 0.5) from
   engine tensors and from ``nn`` layers;
2. the document's hand-written partials for one person next to ``backward()``'s gradients:
   its ``train()`` has two mistakes (the output neuron is fed ``x[0], x[1]`` instead of
   ``h1, h2``; ``d_h2_d_w4`` uses ``x[0]`` instead of ``x[1]``), the corrected partials equal
   the engine's;
3. the network trained with ``loss.backward()`` and ``optim.SGD`` (learn_rate 0.1, 1000 epochs,
   one person per step, as the document trains), checked against the corrected hand-written
   ``train()`` run alongside, then asked about two new people.

The four people are the document's: each row is (weight - 135 lb, height - 66 in), and the
label is 1 for a woman, 0 for a man (victorzhou's encoding, which the document keeps). Emily
(128 lb, 63 in) and Frank (155 lb, 68 in) are the new people of victorzhou's original post; the
document ends before them.

    python examples/victorzhou.py
    python examples/victorzhou.py --quick    # 300 epochs
"""

from __future__ import annotations

import argparse
import sys

import _common
import numpy as np

from tinygrad_edu import Tensor, nn, optim

NAMES = ["w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2", "b3"]

# 003: the data set, (weight - 135, height - 66), and 1 = woman
PEOPLE = ["Alice", "Bob", "Charlie", "Diana"]
DATA = np.array([[-2, -1], [25, 6], [17, 4], [-15, -6]], dtype=np.float64)
ALL_Y_TRUES = np.array([1, 0, 0, 1], dtype=np.float64)
NEW_PEOPLE = {"Emily": (-7.0, -3.0), "Frank": (20.0, 2.0)}  # 128 lb 63 in; 155 lb 68 in


def sigmoid(x: float) -> float:
    return 1 / (1 + np.exp(-x))


def deriv_sigmoid(x: float) -> float:
    fx = sigmoid(x)
    return fx * (1 - fx)


class OurNeuralNetwork(nn.Module):
    """003's 2-2-1 network: nine scalar parameters, named as the document names them.

    ``forward`` takes one person ``(2,)`` or several ``(N, 2)`` and gives ``y_pred``.
    """

    def __init__(self, start: dict[str, float]) -> None:
        super().__init__()
        for name in NAMES:
            setattr(self, name, nn.Parameter(start[name], name=name))

    def forward(self, x: np.ndarray) -> Tensor:
        x0, x1 = x[..., 0], x[..., 1]
        h1 = (self.w1 * x0 + self.w2 * x1 + self.b1).sigmoid()
        h2 = (self.w3 * x0 + self.w4 * x1 + self.b2).sigmoid()
        return (self.w5 * h1 + self.w6 * h2 + self.b3).sigmoid()


def document_partials(p: dict[str, float], x: np.ndarray, y_true: float,
                      as_printed: bool) -> dict[str, float]:
    """003's ``train()`` body for one person: ``d_L_d_<name>`` for the nine parameters.

    ``as_printed=True`` keeps the document's two mistakes; False corrects them.
    """
    sum_h1 = p["w1"] * x[0] + p["w2"] * x[1] + p["b1"]
    h1 = sigmoid(sum_h1)
    sum_h2 = p["w3"] * x[0] + p["w4"] * x[1] + p["b2"]
    h2 = sigmoid(sum_h2)
    if as_printed:
        sum_o1 = p["w5"] * x[0] + p["w6"] * x[1] + p["b3"]  # 003: the inputs, not h1, h2
    else:
        sum_o1 = p["w5"] * h1 + p["w6"] * h2 + p["b3"]
    y_pred = sigmoid(sum_o1)
    d_L_d_ypred = -2 * (y_true - y_pred)
    d_ypred_d_h1 = p["w5"] * deriv_sigmoid(sum_o1)
    d_ypred_d_h2 = p["w6"] * deriv_sigmoid(sum_o1)
    x_for_w4 = x[0] if as_printed else x[1]  # 003: d_h2_d_w4 = x[0] * deriv_sigmoid(sum_h2)
    return {
        "w1": d_L_d_ypred * d_ypred_d_h1 * x[0] * deriv_sigmoid(sum_h1),
        "w2": d_L_d_ypred * d_ypred_d_h1 * x[1] * deriv_sigmoid(sum_h1),
        "w3": d_L_d_ypred * d_ypred_d_h2 * x[0] * deriv_sigmoid(sum_h2),
        "w4": d_L_d_ypred * d_ypred_d_h2 * x_for_w4 * deriv_sigmoid(sum_h2),
        "w5": d_L_d_ypred * h1 * deriv_sigmoid(sum_o1),
        "w6": d_L_d_ypred * h2 * deriv_sigmoid(sum_o1),
        "b1": d_L_d_ypred * d_ypred_d_h1 * deriv_sigmoid(sum_h1),
        "b2": d_L_d_ypred * d_ypred_d_h2 * deriv_sigmoid(sum_h2),
        "b3": d_L_d_ypred * deriv_sigmoid(sum_o1),
    }


def feedforward(check: _common.Checker) -> None:
    _common.section("a neuron: weights=[0, 1], bias=4, x=[2, 3]")
    weights, bias, x = Tensor([0, 1]), Tensor(4), Tensor([2, 3])
    check.compare("Neuron.feedforward([2, 3])", 0.9990889488055994,
                  (weights.dot(x) + bias).sigmoid(), rtol=0)

    _common.section("the 2-2-1 network, every neuron w=[0, 1], b=0, x=[2, 3]")
    out_h1 = (weights.dot(x) + 0).sigmoid()
    out_h2 = (weights.dot(x) + 0).sigmoid()
    # 003: o1.feedforward(np.array([out_h1, out_h2])), i.e. w[0]*out_h1 + w[1]*out_h2 + b
    out_o1 = (weights[0] * out_h1 + weights[1] * out_h2 + 0).sigmoid()
    check.compare("OurNeuralNetworks().feedforward([2, 3])", 0.7216325609518421, out_o1, rtol=0)
    # The same network from nn layers. Linear(2, 2).weight has one COLUMN per hidden neuron.
    net = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid())
    net.load_state_dict({"0.weight": [[0, 0], [1, 1]], "0.bias": [0, 0],
                         "2.weight": [[0], [1]], "2.bias": [0]})
    check.compare("the same with nn.Linear(2, 2), nn.Linear(2, 1)", 0.7216325609518421,
                  net(Tensor([2, 3]))[0], rtol=0)

    _common.section("the loss: mse_loss([1, 0, 0, 1], [0, 0, 0, 0])")
    check.compare("mse_loss", 0.5, nn.MSELoss()(Tensor([0, 0, 0, 0]), Tensor([1, 0, 0, 1])),
                  rtol=0)


def partials(check: _common.Checker, start: dict[str, float]) -> None:
    _common.section("the nine partials of L = (y_true - y_pred)**2 for Alice, at the start "
                    "weights")
    x, y_true = DATA[0], ALL_Y_TRUES[0]
    model = OurNeuralNetwork(start)
    L = (y_true - model(x)) ** 2
    L.backward()
    engine = {name: float(getattr(model, name).grad.data) for name in NAMES}
    printed = document_partials(start, x, y_true, as_printed=True)
    corrected = document_partials(start, x, y_true, as_printed=False)
    print(f"       {'':4s} {'003 as printed':>16s} {'003 corrected':>16s} {'backward()':>16s}")
    for name in NAMES:
        flag = "" if np.isclose(printed[name], engine[name], rtol=1e-9) else "  <- wrong"
        print(f"       {name:4s} {printed[name]:16.10f} {corrected[name]:16.10f} "
              f"{engine[name]:16.10f}{flag}")
    check.compare("the corrected partials vs backward()", [corrected[n] for n in NAMES],
                  [engine[n] for n in NAMES])
    check.require("003's train() as printed gets all nine partials wrong (o1 fed x, not h1, h2)",
                  all(not np.isclose(printed[n], engine[n], rtol=1e-3) for n in NAMES))
    p2 = document_partials(start, x, y_true, as_printed=False)
    p2_w4 = x[0] * p2["w4"] / x[1]  # only the d_h2_d_w4 mistake
    check.note("d_L_d_w4 with d_h2_d_w4 = x[0]*... (003) vs backward()", p2_w4, engine["w4"],
               f"MISTAKE in 003: off by x[0]/x[1] = {x[0] / x[1]:g}; it must use x[1]")


def train(check: _common.Checker, start: dict[str, float], epochs: int,
          learn_rate: float = 0.1) -> OurNeuralNetwork:
    _common.section(f"training: SGD, learn_rate {learn_rate}, {epochs} epochs, one person per "
                    "step")
    model = OurNeuralNetwork(start)
    opt = optim.SGD(model.parameters(), lr=learn_rate)
    p = dict(start)  # the corrected hand-written train(), run alongside
    first_loss = last_loss = float("nan")
    for epoch in range(epochs):
        for x, y_true in zip(DATA, ALL_Y_TRUES, strict=True):
            opt.zero_grad()
            loss = (y_true - model(x)) ** 2
            loss.backward()
            opt.step()
            d = document_partials(p, x, y_true, as_printed=False)
            for name in NAMES:
                p[name] -= learn_rate * d[name]
        if epoch % max(epochs // 10, 1) == 0 or epoch == epochs - 1:
            last_loss = nn.MSELoss()(model(DATA), ALL_Y_TRUES).item()
            if epoch == 0:
                first_loss = last_loss
            print(f"       Epoch {epoch:4d} loss: {last_loss:.3f}")
    print("       (003 prints 'Epoch %d loss: %.3f', (epoch, loss) with a comma, so its lines "
          "show the")
    print("       format string and a tuple; its numbers come from unseeded random weights)")
    check.compare(f"weights after {epochs} epochs: corrected train() vs engine",
                  [p[n] for n in NAMES], [float(getattr(model, n).data) for n in NAMES],
                  rtol=1e-9)
    check.require(f"the loss fell from {first_loss:.3f} to {last_loss:.3f}",
                  last_loss < 0.5 * first_loss)
    return model


def predict(check: _common.Checker, model: OurNeuralNetwork) -> None:
    _common.section("predictions (1 = woman, 0 = man)")
    for name, x, y in zip(PEOPLE, DATA, ALL_Y_TRUES, strict=True):
        print(f"       {name:8s} {str(x.astype(int).tolist()):10s} {model(x).item():.3f}  "
              f"(label {int(y)})")
    emily = model(np.array(NEW_PEOPLE["Emily"])).item()
    frank = model(np.array(NEW_PEOPLE["Frank"])).item()
    print(f"       Emily: {emily:.3f} - {'F' if emily > 0.5 else 'M'}")
    print(f"       Frank: {frank:.3f} - {'F' if frank > 0.5 else 'M'}")
    check.require("Emily is predicted a woman and Frank a man", emily > 0.5 > frank)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="300 epochs instead of 1000")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the initial weights (003 draws np.random.normal() "
                             "unseeded)")
    args = parser.parse_args(argv)
    check = _common.Checker()
    feedforward(check)
    rs = np.random.RandomState(args.seed)
    start = {name: float(rs.normal()) for name in NAMES}  # 003's order: w1..w6, b1..b3
    partials(check, start)
    model = train(check, start, epochs=300 if args.quick else 1000)
    predict(check, model)
    return check.finish()


if __name__ == "__main__":
    sys.exit(main())
