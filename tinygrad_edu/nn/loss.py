"""Loss modules: each holds its options and calls the ``nn.functional`` function.

``loss_fn = nn.CrossEntropyLoss(); loss = loss_fn(logits, labels)`` is
``F.cross_entropy(logits, labels)``; errors name the module (``CrossEntropyLoss: ...``).
``reduction`` is ``"mean"`` (the default), ``"sum"`` or ``"none"`` (one loss per element);
PyTorch's deprecated ``size_average``/``reduce`` are still understood. See
``nn.functional`` for the two differences from PyTorch that tinygrad_edu keeps.
"""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from . import functional as F
from .module import Module

__all__ = [
    "MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss",
    "NLLLoss", "CrossEntropyLoss", "KLDivLoss", "CosineEmbeddingLoss", "MarginRankingLoss",
]


class _Loss(Module):
    _allowed: tuple[str, ...] = ("mean", "sum", "none")

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = F._reduction(type(self).__name__, size_average, reduce, reduction,
                                      self._allowed)


class _WeightedLoss(_Loss):
    def __init__(self, weight: Any = None, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        # A buffer, as in PyTorch: it is in state_dict and follows .to()/.double().
        w = weight if weight is None or isinstance(weight, Tensor) else Tensor(weight)
        self.register_buffer("weight", w)
        self.weight: Tensor | None


class MSELoss(_Loss):
    """Mean (or sum, or each) of ``(input - target)**2``; the target gets a gradient when it
    requires one. Shapes must match: the loss does not broadcast.

    Its gradient is ``2*(input - target)/n``: victorzhou's ``d_L_d_ypred = -2*(y_true - y_pred)``.
    """

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F._mse("MSELoss", input, target, self.reduction)


class L1Loss(_Loss):
    """Mean (or sum, or each) of ``|input - target|``."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F._l1("L1Loss", input, target, self.reduction)


class SmoothL1Loss(_Loss):
    """Quadratic where ``|input - target| < beta``, linear beyond (``F.smooth_l1_loss``)."""

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F._smooth_l1("SmoothL1Loss", input, target, self.reduction, self.beta)


class HuberLoss(_Loss):
    """Quadratic where ``|input - target| < delta``, ``delta``-sloped beyond (``F.huber_loss``)."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F._huber("HuberLoss", input, target, self.reduction, self.delta)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities ``input`` (e.g. after ``Sigmoid``) and targets.

    Logs are floored at -100, as in PyTorch, so a probability of exactly 0 or 1 stays finite.
    """

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F._bce("BCELoss", input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """``BCELoss`` of ``sigmoid(input)``, computed stably from the logits.

    ``pos_weight`` (one per class, along the last dim) weights the positive examples.
    """

    def __init__(self, weight: Any = None, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean",
                 pos_weight: Any = None) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        pw = pos_weight if pos_weight is None or isinstance(pos_weight, Tensor) \
            else Tensor(pos_weight)
        self.register_buffer("pos_weight", pw)
        self.pos_weight: Tensor | None

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F._bce_logits("BCEWithLogitsLoss", input, target, self.weight, self.reduction,
                             self.pos_weight)


class NLLLoss(_WeightedLoss):
    """Negative log likelihood of log-probabilities (N, C[, d1, ...]) at class indices.

    Use it after ``LogSoftmax(dim=1)``; ``CrossEntropyLoss`` is the two together.
    """

    def __init__(self, weight: Any = None, size_average: bool | None = None,
                 ignore_index: int = -100, reduce: bool | None = None,
                 reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F._nll("NLLLoss", input, target, self.weight, self.ignore_index, self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy of logits (N, C[, d1, ...]) or (C,) and class labels or probabilities.

    ``loss = -log_softmax(logits)[n, label[n]]``, averaged (or summed) over the batch. Labels
    (class indices of shape (N,), (N, d1, ...) or ()) may be an int64 tensor, an array or a
    list; a target of the logits' shape holds class probabilities. ``weight``,
    ``ignore_index`` and ``label_smoothing`` are PyTorch's (see ``F.cross_entropy``).
    """

    def __init__(self, weight: Any = None, size_average: bool | None = None,
                 ignore_index: int = -100, reduce: bool | None = None,
                 reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F._cross_entropy("CrossEntropyLoss", input, target, self.weight,
                                self.ignore_index, self.reduction, self.label_smoothing)


class KLDivLoss(_Loss):
    """KL divergence of log-probabilities ``input`` from ``target`` (``F.kl_div``).

    ``reduction="batchmean"`` gives the divergence of each row, averaged over the batch.
    """

    _allowed = ("mean", "batchmean", "sum", "none")

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F._kl_div("KLDivLoss", input, target, self.reduction, self.log_target)


class CosineEmbeddingLoss(_Loss):
    """``1 - cos(x1, x2)`` for target 1, ``max(0, cos(x1, x2) - margin)`` for target -1."""

    def __init__(self, margin: float = 0.0, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Any) -> Tensor:
        return F._cosine_embedding("CosineEmbeddingLoss", input1, input2, target, self.margin,
                                   self.reduction)


class MarginRankingLoss(_Loss):
    """``max(0, -target * (x1 - x2) + margin)``."""

    def __init__(self, margin: float = 0.0, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Any) -> Tensor:
        return F._margin_ranking("MarginRankingLoss", input1, input2, target, self.margin,
                                 self.reduction)
