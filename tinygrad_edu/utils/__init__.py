"""PyTorch's ``torch.utils``: the data-loading tools of ``tinygrad_edu.utils.data``."""

from . import data

__all__ = ["data"]
