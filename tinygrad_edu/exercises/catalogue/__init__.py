"""The catalogue: importing this package registers every exercise."""

from . import (  # noqa: F401
    bugs,
    conv_lstm,
    functions,
    grokking,
    iamtrask,
    layers,
    manual_mlp,
    udacity,
    victorzhou,
)
