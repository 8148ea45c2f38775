"""``DataLoader``: batches of a dataset, in PyTorch's order, as tinygrad_edu tensors.

``for xb, yb in DataLoader(TensorDataset(X, Y), batch_size=32, shuffle=True): ...`` visits the
same samples in the same batches as PyTorch's loader under the same seed: iterating draws the
loader's (unused) worker seed first, then the sampler shuffles, exactly as PyTorch's does, so
the random stream stays in step with PyTorch's for everything the program draws afterwards.
"""

from __future__ import annotations

import collections.abc
import copy
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from ... import random as _random
from ...tensor import Tensor
from .dataset import IterableDataset, TensorDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

# NumPy dtypes of strings and objects, which do not become tensors (PyTorch's pattern)
_NOT_NUMERIC = re.compile(r"[SaUO]")

_ERR_FORMAT = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def get_worker_info() -> None:
    """``None``: tinygrad_edu loads every batch in the main process (there are no workers)."""
    return None


def _tensor(array: np.ndarray) -> Tensor:
    """A graph-free tensor that keeps the array's dtype (ints stay int64, float32 stays)."""
    return Tensor(array, dtype=array.dtype)


def _stack_tensors(batch: Sequence[Tensor]) -> Tensor:
    first = tuple(batch[0].shape)
    for i, t in enumerate(batch):
        if tuple(t.shape) != first:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(first)} at entry 0 "
                f"and {list(t.shape)} at entry {i}"
            )
    return _tensor(np.stack([np.asarray(t.data) for t in batch]))


def _collate_ints(batch: Sequence[int]) -> Tensor:
    if all(isinstance(b, bool) for b in batch):
        return _tensor(np.array(batch, dtype=np.bool_))
    return _tensor(np.array(batch, dtype=np.int64))


def default_collate(batch: Sequence[Any]) -> Any:
    """Combine a list of samples into a batch, as PyTorch's ``default_collate``.

    Tensors and NumPy arrays are stacked along a new first dimension; Python floats become a
    float64 tensor, ints an int64 tensor (bools a bool tensor), NumPy scalars a tensor of their
    dtype; strings and bytes stay a list. Tuples and lists are collated position by position
    (a tuple gives a list, a namedtuple a namedtuple), mappings key by key.
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack_tensors(batch)
    if isinstance(elem, np.ndarray):
        if _NOT_NUMERIC.search(elem.dtype.str) is not None:
            raise TypeError(_ERR_FORMAT.format(elem.dtype))
        return default_collate([_tensor(np.asarray(b)) for b in batch])
    if isinstance(elem, np.bool_ | np.number | np.object_):
        return _tensor(np.asarray(batch))
    if isinstance(elem, float):
        return _tensor(np.array(batch, dtype=np.float64))
    if isinstance(elem, int):
        return _collate_ints(batch)
    if isinstance(elem, str | bytes):
        return batch
    if isinstance(elem, Mapping):
        collated = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update(collated)
                return clone
            return type(elem)(collated)  # type: ignore[call-arg]
        except TypeError:  # a mapping type that cannot be built from a dict
            return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch, strict=True)))
    if isinstance(elem, Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [default_collate(list(s)) for s in zip(*batch, strict=True)]
        if isinstance(elem, tuple):
            return columns  # a list, as PyTorch returns for backward compatibility
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                seq = copy.copy(elem)
                for i, c in enumerate(columns):
                    seq[i] = c
                return seq
            return type(elem)(columns)  # type: ignore[call-arg]
        except TypeError:
            return columns
    raise TypeError(_ERR_FORMAT.format(type(elem)))


def default_convert(data: Any) -> Any:
    """Turn NumPy arrays (also inside mappings, tuples and lists) into tensors; leave the rest.

    The collate function of a loader with ``batch_size=None`` (no batching), as in PyTorch.
    """
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray):
        if _NOT_NUMERIC.search(data.dtype.str) is not None:
            return data
        return _tensor(data)
    if isinstance(data, np.bool_ | np.number):
        return _tensor(np.asarray(data))
    if isinstance(data, Mapping):
        converted = {key: default_convert(data[key]) for key in data}
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update(converted)
                return clone
            return type(data)(converted)  # type: ignore[call-arg]
        except TypeError:
            return converted
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, Sequence) and not isinstance(data, str | bytes):
        items = [default_convert(d) for d in data]
        try:
            if isinstance(data, collections.abc.MutableSequence):
                seq = copy.copy(data)
                for i, d in enumerate(items):
                    seq[i] = d
                return seq
            return type(data)(items)  # type: ignore[call-arg]
        except TypeError:
            return items
    return data


class _InfiniteConstantSampler(Sampler[None]):
    """For an iterable dataset: ``None`` forever (the dataset decides when to stop)."""

    def __iter__(self) -> Iterator[None]:
        while True:
            yield None


class DataLoader:
    """PyTorch's ``DataLoader``: iterate over batches of ``dataset``.

    ``batch_size`` samples per batch (``None``: no batching), ``shuffle`` in a random order
    drawn from ``generator`` (default: the default generator, seeded by ``manual_seed``), or
    a custom ``sampler``/``batch_sampler``; ``drop_last`` drops a short last batch;
    ``collate_fn`` combines samples (default: :func:`default_collate`).

    Differences from PyTorch: ``num_workers > 0`` is accepted but every batch is loaded in the
    main process, in order (so ``worker_init_fn`` is not called and ``get_worker_info()`` is
    ``None``; an ``IterableDataset`` is therefore read once, not once per worker);
    ``pin_memory``, ``timeout``, ``prefetch_factor``, ``persistent_workers``,
    ``multiprocessing_context`` and ``in_order`` are accepted and have nothing to do.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler[Any] | Iterable[Any] | None = None,
        batch_sampler: Sampler[Any] | Iterable[Any] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[Any], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: _random.Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; "
                "use num_workers=0 to disable multiprocessing."
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing. "
                "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor "
                "to None."
            )
        if prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.persistent_workers = persistent_workers
        self.in_order = in_order

        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle not in (False, None):
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified shuffle option, "
                    f"but got shuffle={shuffle}"
                )
            if sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified sampler option, "
                    f"but got sampler={sampler}"
                )
            if batch_sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified batch_sampler "
                    f"option, but got batch_sampler={batch_sampler}"
                )
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive "
                "with drop_last"
            )

        if sampler is None:
            if self._iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)  # type: ignore[arg-type]

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert
        self.collate_fn = collate_fn

    def __iter__(self) -> Iterator[Any]:
        index_sampler = self.batch_sampler if self.batch_sampler is not None else self.sampler
        indices = iter(index_sampler)  # lazy: a random sampler draws at the first batch
        # PyTorch draws a base seed for its workers each time iteration starts (workers or
        # not); drawing it too keeps the random stream in step with PyTorch's
        _random.random((), np.int64, self.generator)
        if self._iterable:
            return self._iterate_stream(indices)
        return self._iterate_map(indices)

    def _fetch_map(self, index: Any) -> Any:
        if self.batch_sampler is None:
            return self.collate_fn(self.dataset[index])
        dataset = self.dataset
        if (type(dataset).__getitem__ is TensorDataset.__getitem__
                and self.collate_fn is default_collate):
            # the rows of each tensor at once: what stacking the samples would give
            rows = np.asarray(index, dtype=np.int64)
            return [_tensor(np.asarray(getattr(t, "data", t))[rows]) for t in dataset.tensors]
        getitems = getattr(dataset, "__getitems__", None)
        samples = getitems(index) if callable(getitems) else [dataset[i] for i in index]
        return self.collate_fn(samples)

    def _iterate_map(self, indices: Iterator[Any]) -> Iterator[Any]:
        for index in indices:
            yield self._fetch_map(index)

    def _iterate_stream(self, indices: Iterator[Any]) -> Iterator[Any]:
        stream = iter(self.dataset)
        if self.batch_sampler is None:
            for sample in stream:
                yield self.collate_fn(sample)
            return
        for index in indices:
            batch = []
            for _ in index:
                try:
                    batch.append(next(stream))
                except StopIteration:
                    break
            if not batch or (self.drop_last and len(batch) < len(index)):
                return
            yield self.collate_fn(batch)
            if len(batch) < len(index):
                return

    def __len__(self) -> int:
        if self._iterable:
            length = len(self.dataset)
            if self.batch_size is not None:
                if self.drop_last:
                    return length // self.batch_size
                return math.ceil(length / self.batch_size)
            return int(length)
        index_sampler = self.batch_sampler if self.batch_sampler is not None else self.sampler
        return len(index_sampler)  # type: ignore[arg-type]
