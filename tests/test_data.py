"""tinygrad_edu.utils.data against torch.utils.data: the same batches, in the same order.

Each loader is run beside PyTorch's on the same data and seed, and every batch is compared
(values, dtypes, shapes); the random stream is compared afterwards too, so a loader that draws
one number more or less than PyTorch's is caught.
"""

from __future__ import annotations

import collections
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from helpers import requires_torch, torch

from tinygrad_edu import Tensor
from tinygrad_edu import random as R
from tinygrad_edu.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    random_split,
)

if torch is not None:
    import torch.utils.data as tud

N = 23
X = np.arange(N * 3, dtype=np.float64).reshape(N, 3) / 7
Y = np.arange(N, dtype=np.int64) % 5


def plain(x: Any) -> Any:
    """A batch, ours or PyTorch's, as nested Python/NumPy values that compare with ==."""
    if isinstance(x, Tensor):
        return ("tensor", str(x.dtype), tuple(x.shape), x.data.tolist())
    if torch is not None and isinstance(x, torch.Tensor):
        return ("tensor", str(x.numpy().dtype), tuple(x.shape), x.numpy().tolist())
    if isinstance(x, dict):
        return ("dict", {k: plain(v) for k, v in x.items()})
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return (type(x).__name__, [plain(v) for v in x])
    if isinstance(x, list | tuple):
        return (type(x).__name__, [plain(v) for v in x])
    return x


def ours_and_torchs() -> tuple[TensorDataset, Any]:
    ours = TensorDataset(Tensor(X), Tensor(Y, dtype=np.int64))
    theirs = tud.TensorDataset(torch.from_numpy(X), torch.from_numpy(Y))
    return ours, theirs


def assert_same_batches(ours: Any, theirs: Any) -> None:
    a = [plain(b) for b in ours]
    b = [plain(b) for b in theirs]
    assert len(a) == len(b), f"{len(a)} batches, torch gives {len(b)}"
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        assert x == y, f"batch {i}: {x} != torch's {y}"


def assert_same_stream() -> None:
    assert np.array_equal(R.get_rng_state(), torch.get_rng_state().numpy()), (
        "the default generator is not where PyTorch's is"
    )


# --------------------------------------------------------------------------- order of batches


@requires_torch
@pytest.mark.parametrize("batch_size", [1, 4, 5, 23, 30])
@pytest.mark.parametrize("drop_last", [False, True])
def test_shuffle_with_a_generator(batch_size: int, drop_last: bool) -> None:
    ours, theirs = ours_and_torchs()
    g = R.Generator().manual_seed(7)
    tg = torch.Generator().manual_seed(7)
    loader = DataLoader(ours, batch_size=batch_size, shuffle=True, generator=g,
                        drop_last=drop_last)
    tloader = tud.DataLoader(theirs, batch_size=batch_size, shuffle=True, generator=tg,
                             drop_last=drop_last)
    assert len(loader) == len(tloader)
    for _epoch in range(3):  # each epoch a new order, as in PyTorch
        assert_same_batches(loader, tloader)
    assert np.array_equal(g.get_state(), tg.get_state().numpy())


@requires_torch
@pytest.mark.parametrize("seed", [0, 42])
def test_shuffle_with_the_default_generator(seed: int) -> None:
    ours, theirs = ours_and_torchs()
    R.manual_seed(seed)
    torch.manual_seed(seed)
    loader = DataLoader(ours, batch_size=4, shuffle=True)
    tloader = tud.DataLoader(theirs, batch_size=4, shuffle=True)
    for _epoch in range(2):
        assert_same_batches(loader, tloader)
        assert_same_stream()
    # the stream stays in step: what the program draws next is PyTorch's too
    assert np.array_equal(R.normal((3, 3)), torch.randn(3, 3, dtype=torch.float64).numpy())


@requires_torch
def test_an_unshuffled_loader_still_draws_its_worker_seed() -> None:
    ours, theirs = ours_and_torchs()
    R.manual_seed(1)
    torch.manual_seed(1)
    assert_same_batches(DataLoader(ours, batch_size=6), tud.DataLoader(theirs, batch_size=6))
    assert_same_stream()
    # a loader started and abandoned draws it too
    next(iter(DataLoader(ours, batch_size=6)))
    next(iter(tud.DataLoader(theirs, batch_size=6)))
    assert_same_stream()


@requires_torch
def test_num_workers_is_accepted_and_gives_the_same_batches() -> None:
    ours, theirs = ours_and_torchs()
    R.manual_seed(5)
    torch.manual_seed(5)
    assert_same_batches(DataLoader(ours, batch_size=4, shuffle=True, num_workers=2),
                        tud.DataLoader(theirs, batch_size=4, shuffle=True))
    assert_same_stream()


@requires_torch
@pytest.mark.parametrize("n,batch_size,drop_last", [(23, 4, False), (23, 4, True), (24, 4, True),
                                                   (3, 5, False), (3, 5, True), (0, 2, False)])
def test_len_and_drop_last(n: int, batch_size: int, drop_last: bool) -> None:
    ours = TensorDataset(Tensor(X[:n]))
    theirs = tud.TensorDataset(torch.from_numpy(X[:n]))
    loader = DataLoader(ours, batch_size=batch_size, drop_last=drop_last)
    tloader = tud.DataLoader(theirs, batch_size=batch_size, drop_last=drop_last)
    assert len(loader) == len(tloader)
    assert_same_batches(loader, tloader)


def test_batches_are_tensors_without_a_graph() -> None:
    x = Tensor(X, requires_grad=True)
    xb, yb = next(iter(DataLoader(TensorDataset(x, Tensor(Y, dtype=np.int64)), batch_size=5)))
    assert isinstance(xb, Tensor) and isinstance(yb, Tensor)
    assert not xb.requires_grad and xb.is_leaf
    assert xb.dtype == np.float64 and yb.dtype == np.int64
    np.testing.assert_array_equal(xb.data, X[:5])


class PairDataset(Dataset[tuple[np.ndarray, int]]):
    """A custom dataset of (array, int) samples: goes through __getitem__ and default_collate."""

    def __len__(self) -> int:
        return N

    def __getitem__(self, i: int) -> tuple[np.ndarray, int]:
        return X[i], int(Y[i])


@requires_torch
def test_a_custom_dataset_batches_as_the_tensor_dataset_does() -> None:
    ours, theirs = ours_and_torchs()
    cases: list[dict[str, Any]] = [{"batch_size": 4}, {"batch_size": 7, "shuffle": True}]
    for kwargs in cases:
        R.manual_seed(3)
        custom = [plain(b) for b in DataLoader(PairDataset(), **kwargs)]
        R.manual_seed(3)
        fast = [plain(b) for b in DataLoader(ours, **kwargs)]
        torch.manual_seed(3)
        reference = [plain(b) for b in tud.DataLoader(theirs, **kwargs)]
        assert custom == fast == reference


@requires_torch
def test_batch_size_none_converts_single_samples() -> None:
    assert_same_batches(DataLoader(PairDataset(), batch_size=None),
                        tud.DataLoader(PairDataset(), batch_size=None))


# --------------------------------------------------------------------------- samplers


@requires_torch
def test_random_sampler_with_replacement() -> None:
    for num_samples in (5, 32, 70):
        g = R.Generator().manual_seed(2)
        tg = torch.Generator().manual_seed(2)
        ours = list(RandomSampler(range(N), True, num_samples, generator=g))
        assert ours == list(tud.RandomSampler(range(N), True, num_samples, generator=tg))
    g, tg = R.Generator().manual_seed(2), torch.Generator().manual_seed(2)
    ours = list(RandomSampler(range(N), num_samples=50, generator=g))  # more than one pass
    assert ours == list(tud.RandomSampler(range(N), num_samples=50, generator=tg))


@requires_torch
def test_subset_and_weighted_samplers() -> None:
    indices = [3, 9, 1, 14, 22, 5]
    g, tg = R.Generator().manual_seed(4), torch.Generator().manual_seed(4)
    assert (list(SubsetRandomSampler(indices, generator=g))
            == list(tud.SubsetRandomSampler(indices, generator=tg)))
    weights = [0.1, 0.0, 2.0, 0.5, 1.0]
    for replacement in (True, False):
        ours = list(WeightedRandomSampler(weights, 4, replacement, generator=g))
        assert ours == list(tud.WeightedRandomSampler(weights, 4, replacement, generator=tg))


@requires_torch
def test_batch_sampler_and_sequential_sampler() -> None:
    for drop_last in (False, True):
        ours = list(BatchSampler(SequentialSampler(range(10)), 3, drop_last))
        assert ours == list(tud.BatchSampler(tud.SequentialSampler(range(10)), 3, drop_last))
        assert len(BatchSampler(range(10), 3, drop_last)) == len(ours)
    sampler = BatchSampler(SubsetRandomSampler([0, 2, 4, 6, 8], generator=R.Generator()), 2,
                           False)
    tsampler = tud.BatchSampler(tud.SubsetRandomSampler([0, 2, 4, 6, 8],
                                                        generator=torch.Generator()), 2, False)
    assert_same_batches(DataLoader(PairDataset(), batch_sampler=sampler),
                        tud.DataLoader(PairDataset(), batch_sampler=tsampler))


# --------------------------------------------------------------------------- datasets


@requires_torch
@pytest.mark.parametrize("lengths", [[3, 20], [0.3, 0.3, 0.4], [0.5, 0.5], [1.0], [0.1] * 10,
                                     [0.02, 0.98]])
def test_random_split_matches_torch(lengths: list[Any]) -> None:
    ours = random_split(range(N), lengths, generator=R.Generator().manual_seed(42))
    theirs = tud.random_split(range(N), lengths, generator=torch.Generator().manual_seed(42))
    assert [list(s) for s in ours] == [list(s) for s in theirs]
    assert all(isinstance(s, Subset) for s in ours)


@requires_torch
def test_random_split_warns_of_an_empty_split() -> None:
    with pytest.warns(UserWarning, match="Length of split at index 0 is 0"):
        ours = random_split(range(N), [0.0, 1.0], generator=R.Generator())
    with pytest.warns(UserWarning, match="Length of split at index 0 is 0"):
        theirs = tud.random_split(range(N), [0.0, 1.0], generator=torch.Generator())
    assert [list(s) for s in ours] == [list(s) for s in theirs]


@requires_torch
def test_random_split_with_the_default_generator() -> None:
    R.manual_seed(9)
    torch.manual_seed(9)
    ours = random_split(range(N), [10, 13])
    theirs = tud.random_split(range(N), [10, 13])
    assert [list(s) for s in ours] == [list(s) for s in theirs]
    assert_same_stream()


def test_random_split_errors() -> None:
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(range(N), [10, 10])
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(range(N), [0.5, 0.4])
    with pytest.raises(ValueError, match="Fraction at index 0 is not between 0 and 1"):
        random_split(range(N), [1.5, -0.5])


@requires_torch
def test_subset_concat_and_indexing() -> None:
    ours, theirs = ours_and_torchs()
    sub = Subset(ours, [4, 0, 7])
    assert len(sub) == 3
    assert plain(list(sub[1])) == plain(list(tud.Subset(theirs, [4, 0, 7])[1]))
    both = ours + sub
    assert isinstance(both, ConcatDataset) and len(both) == N + 3
    assert plain(list(both[N + 2])) == plain(list(ours[7]))
    assert plain(list(both[-1])) == plain(list(ours[7]))
    with pytest.raises(ValueError, match="should not exceed dataset length"):
        both[-(N + 4)]
    assert_same_batches(DataLoader(both, batch_size=8),
                        tud.DataLoader(theirs + tud.Subset(theirs, [4, 0, 7]), batch_size=8))


def test_tensor_dataset_checks_the_first_dimension() -> None:
    with pytest.raises(AssertionError, match=r"Size mismatch between tensors.*\(23, 3\), \(4,\)"):
        TensorDataset(Tensor(X), Tensor(np.zeros(4)))
    with pytest.raises(IndexError, match="0-d"):
        TensorDataset(Tensor(1.0))
    assert len(TensorDataset(Tensor(X))) == N


class Counter(IterableDataset[int]):
    def __init__(self, n: int) -> None:
        self.n = n

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.n))

    def __len__(self) -> int:
        return self.n


@requires_torch
@pytest.mark.parametrize("drop_last", [False, True])
def test_iterable_dataset(drop_last: bool) -> None:
    class TorchCounter(tud.IterableDataset):  # type: ignore[type-arg]
        def __iter__(self) -> Iterator[int]:
            return iter(range(10))

        def __len__(self) -> int:
            return 10

    loader = DataLoader(Counter(10), batch_size=4, drop_last=drop_last)
    tloader = tud.DataLoader(TorchCounter(), batch_size=4, drop_last=drop_last)
    assert len(loader) == len(tloader)
    assert_same_batches(loader, tloader)
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        DataLoader(Counter(3), shuffle=True)


# --------------------------------------------------------------------------- collate


Point = collections.namedtuple("Point", ["x", "y"])


@requires_torch
def test_default_collate_of_nested_structures() -> None:
    rng = np.random.default_rng(0)
    samples = []
    for i in range(3):
        arr = rng.normal(size=(2, 3))
        f32 = rng.normal(size=4).astype(np.float32)
        samples.append({
            "image": arr, "f32": f32, "label": i, "weight": 0.5 * i, "flag": i % 2 == 0,
            "np_scalar": np.float32(i) / 3, "np_int": np.int32(i), "name": f"s{i}",
            "pair": (i, [float(i), 2.0 * i]), "point": Point(arr[0], i),
        })

    def torchify(s: dict[str, Any]) -> dict[str, Any]:
        return s  # numpy arrays and numbers: both collates take the same input

    theirs = tud.default_collate([torchify(s) for s in samples])
    ours = default_collate(samples)
    assert plain(ours) == plain(theirs)
    # tensors in the samples are stacked
    ours_t = default_collate([Tensor(X[i]) for i in range(4)])
    theirs_t = tud.default_collate([torch.from_numpy(X[i]) for i in range(4)])
    assert plain(ours_t) == plain(theirs_t)


def test_default_collate_errors() -> None:
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, but got "
                                           r"\[3\] at entry 0 and \[2\] at entry 1"):
        default_collate([Tensor(np.zeros(3)), Tensor(np.zeros(2))])
    with pytest.raises(TypeError, match="batch must contain tensors, numpy arrays, numbers"):
        default_collate([object(), object()])
    with pytest.raises(TypeError, match="batch must contain tensors"):
        default_collate([np.array(["a"]), np.array(["b"])])


# --------------------------------------------------------------------------- argument errors


@requires_torch
@pytest.mark.parametrize("batch_size", [0, -1, 1.5, True])
def test_bad_batch_size(batch_size: Any) -> None:
    ours, theirs = ours_and_torchs()
    with pytest.raises(ValueError) as t_err:
        tud.DataLoader(theirs, batch_size=batch_size)
    with pytest.raises(ValueError) as o_err:
        DataLoader(ours, batch_size=batch_size)
    assert str(o_err.value) == str(t_err.value)


@pytest.mark.parametrize("kwargs,message", [
    ({"sampler": [0, 1], "shuffle": True}, "mutually exclusive with shuffle"),
    ({"batch_sampler": [[0]], "batch_size": 2}, "batch_sampler option is mutually exclusive"),
    ({"batch_size": None, "drop_last": True}, "mutually exclusive with drop_last"),
    ({"num_workers": -1}, "num_workers option should be non-negative"),
    ({"prefetch_factor": 2}, "prefetch_factor option could only be specified"),
    ({"persistent_workers": True}, "persistent_workers option needs num_workers > 0"),
    ({"timeout": -1}, "timeout option should be non-negative"),
])
def test_bad_loader_arguments(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DataLoader(PairDataset(), **kwargs)


def test_an_empty_dataset_cannot_be_shuffled() -> None:
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, "
                                         "but got num_samples=0"):
        DataLoader(TensorDataset(Tensor(np.zeros((0, 2)))), shuffle=True)
