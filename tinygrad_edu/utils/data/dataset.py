"""Datasets: what a ``DataLoader`` reads, one sample at a time, as PyTorch's.

A map-style dataset has ``__getitem__(index)`` and ``__len__``; an iterable-style dataset has
``__iter__``. ``TensorDataset`` pairs the rows of several tensors; ``Subset`` and
``random_split`` select rows; ``ConcatDataset`` (also ``ds1 + ds2``) chains datasets.
"""

from __future__ import annotations

import bisect
import itertools
import math
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

from ... import random as _random

T_co = TypeVar("T_co", covariant=True)


class Dataset(Generic[T_co]):
    """A map-style dataset: subclass it and define ``__getitem__`` (and usually ``__len__``)."""

    def __getitem__(self, index: Any) -> T_co:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: Dataset[Any]) -> ConcatDataset[Any]:
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co]):
    """An iterable-style dataset: subclass it and define ``__iter__`` (a stream of samples)."""

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")


def _first_dim(t: Any, i: int) -> int:
    shape = getattr(t, "shape", None)
    if shape is None:
        raise TypeError(f"TensorDataset: argument {i} is a {type(t).__name__}, not a tensor")
    if len(shape) == 0:
        raise IndexError(
            f"TensorDataset: argument {i} is a 0-d tensor; every tensor needs a first "
            "dimension to index samples along"
        )
    return int(shape[0])


class TensorDataset(Dataset[tuple[Any, ...]]):
    """Samples are the rows of the tensors: ``dataset[i] == (t0[i], t1[i], ...)``.

    Every tensor must have the same first dimension, as in PyTorch (which raises
    ``AssertionError("Size mismatch between tensors")``).
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise TypeError("TensorDataset needs at least one tensor")
        sizes = [_first_dim(t, i) for i, t in enumerate(tensors)]
        if any(s != sizes[0] for s in sizes):
            shapes = ", ".join(str(tuple(t.shape)) for t in tensors)
            raise AssertionError(
                f"Size mismatch between tensors: TensorDataset needs the same first dimension, "
                f"got shapes {shapes}"
            )
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple[Any, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return _first_dim(self.tensors[0], 0)


class Subset(Dataset[T_co]):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Dataset[T_co] | Sequence[T_co] | Any,
                 indices: Sequence[int]) -> None:
        self.dataset: Any = dataset
        self.indices = indices

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: list[int]) -> list[Any]:
        """A batch of samples (the parent's ``__getitems__`` when it has one, as PyTorch)."""
        parent = getattr(self.dataset, "__getitems__", None)
        if callable(parent):
            return list(parent([self.indices[i] for i in indices]))
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset[T_co]):
    """Several map-style datasets one after another (``len`` is the sum of their lengths)."""

    def __init__(self, datasets: Iterable[Dataset[Any]]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))  # type: ignore[arg-type]

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int) -> Any:
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx += len(self)
        which = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][idx - start]


def _split_lengths(n: int, fractions: Sequence[float]) -> list[int]:
    """PyTorch's rounding of fractions: floor of each, then one more to each in turn."""
    lengths = []
    for i, frac in enumerate(fractions):
        if frac < 0 or frac > 1:
            raise ValueError(f"Fraction at index {i} is not between 0 and 1")
        lengths.append(math.floor(n * frac))
    for i in range(n - sum(lengths)):
        lengths[i % len(lengths)] += 1
    for i, length in enumerate(lengths):
        if length == 0:
            warnings.warn(
                f"Length of split at index {i} is 0. This might result in an empty dataset.",
                stacklevel=3,
            )
    return lengths


def random_split(
    dataset: Dataset[T_co] | Sequence[T_co],
    lengths: Sequence[int | float],
    generator: _random.Generator | None = None,
) -> list[Subset[T_co]]:
    """Split ``dataset`` into non-overlapping random subsets of the given lengths.

    ``lengths`` are counts summing to ``len(dataset)``, or fractions summing to 1 (each becomes
    ``floor(frac * len)``, and what is left is handed out one by one from the first split). The
    split is PyTorch's: one ``randperm(len(dataset), generator)`` cut into consecutive pieces.
    ``generator=None`` uses the default generator, as PyTorch's default argument does.
    """
    n = len(dataset)  # type: ignore[arg-type]  # a Dataset has no __len__ of its own
    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1:
        lengths = _split_lengths(n, lengths)
    if sum(lengths) != n:
        raise ValueError(
            f"Sum of input lengths does not equal the length of the input dataset! "
            f"(lengths {list(lengths)} sum to {sum(lengths)}, the dataset has {n} samples)"
        )
    counts = [int(length) for length in lengths]
    indices = _random.randperm(n, generator).tolist()
    ends = list(itertools.accumulate(counts))
    return [Subset(dataset, indices[end - count:end]) for end, count in zip(ends, counts,
                                                                             strict=True)]
