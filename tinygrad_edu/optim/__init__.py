"""Optimizers and learning-rate schedulers, with PyTorch's names, arguments and maths.

An optimizer reads each parameter's ``.grad`` and updates its ``.data`` in place::

    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for x, y in batches:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

- ``optimizer.py``: ``Optimizer``, the base class: parameter groups (``param_groups``),
  per-parameter ``state``, ``zero_grad``, ``add_param_group``, ``state_dict`` and
  ``load_state_dict``.
- ``sgd.py``: ``SGD`` (momentum, dampening, Nesterov, weight decay).
- ``adam.py``: the Adam family: ``Adam``, ``AdamW``, ``Adamax``, ``NAdam``.
- ``rmsprop.py``, ``adagrad.py``, ``adadelta.py``: ``RMSprop``, ``Adagrad``, ``Adadelta``.
- ``lbfgs.py``: ``LBFGS``, which re-evaluates the loss through a closure.
- ``lr_scheduler.py``: ``StepLR``, ``CosineAnnealingLR``, ``ReduceLROnPlateau`` and more.
"""

from __future__ import annotations

from typing import Any

from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, Adamax, AdamW, NAdam
from .lbfgs import LBFGS
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = [
    "Optimizer",
    "SGD",
    "Adam",
    "AdamW",
    "Adamax",
    "NAdam",
    "RMSprop",
    "Adagrad",
    "Adadelta",
    "LBFGS",
    "lr_scheduler",
]


def __getattr__(name: str) -> Any:
    # PEP 562: Python calls this only for a name the module lacks; torch_names.py says whether
    # it is a PyTorch name not implemented yet or a typo (with a hint).
    from ..torch_names import missing_attribute

    raise missing_attribute(__name__, name)
