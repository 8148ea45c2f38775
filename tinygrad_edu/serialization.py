"""Saving and loading state dicts as ``.npz`` files (never pickled objects)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

__all__ = ["save", "load"]


def save(state_dict: dict[str, Any], path: str | os.PathLike[str]) -> None:
    """Write ``{name: array}`` to ``path`` in NumPy's ``.npz`` format, exactly at ``path``."""
    arrays = {}
    for name, value in state_dict.items():
        if not isinstance(name, str):
            raise TypeError(f"save: keys must be strings, got {name!r}")
        arr = np.asarray(getattr(value, "data", value))
        if arr.dtype.kind not in "fiub":
            raise TypeError(f"save: {name} has dtype {arr.dtype}; only numeric arrays are saved")
        arrays[name] = arr
    with open(path, "wb") as f:  # a file object, so NumPy does not append ".npz" to the name
        np.savez(f, **arrays)  # type: ignore[arg-type]  # (NumPy's stub types **kwds badly)


def load(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """Read a file written by ``save``: ``{name: array}``. Pickled objects are refused."""
    with np.load(path, allow_pickle=False) as f:
        return {name: f[name] for name in f.files}
