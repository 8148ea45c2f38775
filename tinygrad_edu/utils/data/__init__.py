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
