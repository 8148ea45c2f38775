"""Grokking Deep Learning, chapter 3 (document 000): forward propagation with the engine.

The document predicts by hand, with Python lists and then NumPy: one input times one weight,
a weighted sum of three inputs, one input fanned out to three outputs, a 3x3 weight matrix,
and a hidden layer stacked on it. Here every prediction is a ``Tensor`` expression, printed
next to the number the document printed.

    python examples/grokking_forward.py

Nothing is trained and nothing is written; ``--quick`` is accepted for symmetry with the other
examples and changes nothing.
"""

from __future__ import annotations

import argparse
import sys

import _common
import numpy as np

from tinygrad_edu import Tensor, nn

# 000, 3.2 and later: the data of four games (toes, win/loss record, fans in millions).
TOES = [8.5, 9.5, 10, 9]
WLREC = [0.65, 0.8, 0.8, 0.9]
NFANS = [1.2, 1.3, 0.5, 1]

# 000, neural_network5: one ROW of weights per output (hurt?, win?, sad?).
WEIGHTS_3X3 = [[0.1, 0.1, -0.3],  # hurt?
               [0.1, 0.2, 0],     # win?
               [0, 1.3, 0.1]]     # sad?

# 000, neural_network6: the document writes one row per output, then transposes (.T) so that
# each output's weights are a COLUMN: input.dot(ih_wgt). That column layout is exactly
# nn.Linear's weight, shape (in_features, out_features).
IH_ROWS = [[0.1, 0.2, -0.1],   # hid[0]
           [-0.1, 0.1, 0.9],   # hid[1]
           [0.1, 0.4, 0.1]]    # hid[2]
HO_ROWS = [[0.3, 1.1, -0.3],   # hurt?
           [0.1, 0.2, 0],      # win?
           [0, 1.3, 0.1]]      # sad?


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="accepted; nothing to shorten")
    parser.parse_args(argv)
    check = _common.Checker()

    _common.section("3.1 one input, one weight: prediction = input * weight")
    weight = Tensor(0.1, name="weight")
    input = Tensor(TOES[0], name="input")  # 8.5 toes
    check.compare("3.1 neural_network(8.5, 0.1)", 0.8500000000000001, input * weight, rtol=0)

    _common.section("3.2 three inputs: a weighted sum (dot product)")
    input = Tensor([TOES[0], WLREC[0], NFANS[0]], name="input")
    weights = Tensor([0.1, 0.2, 0], name="weights")
    check.compare("3.2 w_sum(input, weights)", 0.9800000000000001, input.dot(weights), rtol=0)
    check.compare("3.2 weighted_sum([0.1, 0.2, 0], [8.5, 0.65, 1.2])", 0.9800000000000001,
                  Tensor([0.1, 0.2, 0]).dot(Tensor([8.5, 0.65, 1.2])), rtol=0)
    check.compare("elementwise_multiplication([1,2,3], [10,20,30])", [10, 40, 90],
                  Tensor([1, 2, 3]) * Tensor([10, 20, 30]), rtol=0)
    check.compare("elementwise_addition([1,2,3], [10,20,30])", [11, 22, 33],
                  Tensor([1, 2, 3]) + Tensor([10, 20, 30]), rtol=0)
    check.compare("vector_sum([10,20,30])", 60, Tensor([10, 20, 30]).sum(), rtol=0)
    check.compare("vector_average([10,20,60])", 30.0, Tensor([10, 20, 60]).mean(), rtol=0)

    _common.section("one input, three outputs: ele_multi_vector(0.65, [0.3, 0.2, 0.9])")
    check.compare("neural_network4(0.65, weights)", [0.195, 0.13, 0.5850000000000001],
                  WLREC[0] * Tensor([0.3, 0.2, 0.9]), rtol=0)

    _common.section("three inputs, three outputs: vect_mult_mat(input, weights)")
    # The document computes pred[i] = w_sum(input, weights[i]): the matrix times the vector.
    input = Tensor([TOES[0], WLREC[0], NFANS[0]], name="input")
    pred = Tensor(WEIGHTS_3X3, name="weights").dot(input)
    check.compare("neural_network5: [hurt, win, sad]",
                  [0.555, 0.9800000000000001, 0.9650000000000001], pred, rtol=1e-15)

    _common.section("a hidden layer: hid = input.dot(ih_wgt); pred = hid.dot(ho_wgt)")
    ih_wgt = Tensor(np.array(IH_ROWS).T, name="ih_wgt")
    ho_wgt = Tensor(np.array(HO_ROWS).T, name="ho_wgt")
    hid = input.dot(ih_wgt)
    pred = hid.dot(ho_wgt)
    check.compare("neural_network6: [hurt, win, sad]", [0.2135, 0.145, 0.5065], pred,
                  rtol=1e-14)
    print(f"       hidden layer hid = {hid.numpy().tolist()}")

    # The same network from nn.Linear layers: their weight IS the document's transposed matrix.
    net = nn.Sequential(nn.Linear(3, 3, bias=False), nn.Linear(3, 3, bias=False))
    net.load_state_dict({"0.weight": ih_wgt.numpy(), "1.weight": ho_wgt.numpy()})
    check.compare("the same net as nn.Sequential(Linear(3,3), Linear(3,3))",
                  [0.2135, 0.145, 0.5065], net(input), rtol=1e-14)
    print("       (nn.Linear stores weight as (in, out): the document's ih_wgt after its .T)")

    return check.finish()


if __name__ == "__main__":
    sys.exit(main())
