"""``torch.utils.data``: datasets, samplers and the ``DataLoader`` that batches them.

``from tinygrad_edu.utils.data import DataLoader, TensorDataset`` gives PyTorch's classes with
PyTorch's behaviour: with the same seed, a shuffled loader yields the same batches in the same
order as PyTorch's (its random numbers come from :mod:`tinygrad_edu.random`, which reproduces
PyTorch's generator), and ``random_split`` makes the same split. Batches are tinygrad_edu
tensors that record no graph.
"""

from .dataloader import DataLoader, default_collate, default_convert, get_worker_info
from .dataset import (
    ConcatDataset,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
)
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "DataLoader",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "Dataset",
    "IterableDataset",
    "TensorDataset",
    "ConcatDataset",
    "Subset",
    "random_split",
    "Sampler",
    "SequentialSampler",
    "RandomSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
    "BatchSampler",
]


# PEP 562: Python calls __getattr__ only for a name the module lacks; torch_names.py says whether
# it is a PyTorch name not implemented yet or a typo (with a hint). Hidden from mypy, for which
# every attribute of the module stays a known one.
from typing import TYPE_CHECKING  # noqa: E402

if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        """A missing PyTorch name says it is not implemented yet; a typo gets a hint."""
        from ...torch_names import missing_attribute

        raise missing_attribute(__name__, name)
