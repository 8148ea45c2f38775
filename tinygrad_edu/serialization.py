"""Saving and loading state dicts as ``.npz`` files: arrays and plain values, never pickles.

Two layouts, both zip archives of ``.npy`` members that ``load`` reads back exactly:

- A flat ``{name: array}`` dict (``model.state_dict()``) is a plain ``.npz`` file, one member
  ``<name>.npy`` per entry, in order, that ``numpy.load`` also reads. This layout is used when
  every key is a string that is a safe member name (not empty, no ``/``, ``\\`` or NUL, not
  starting with a dot) and every value an array or Tensor.
- Anything else (``optimizer.state_dict()``: nested dicts with integer keys, lists, tuples,
  ints, floats, bools, None, strings; or keys such as ``'a/b'``) is stored as a JSON member
  ``__structure__.json`` that describes the nesting, each value tagged with its Python type,
  plus one ``.npy`` member per array. Floats are stored as ``float.hex`` so every bit
  (``-0.0``, ``nan``, ``inf``) comes back.

Arrays must be real numeric (bool, integer, unsigned or floating dtypes): object, string and
complex arrays are refused by name (tinygrad_edu's tensors are real, and object arrays would
need pickle). Tensors are saved as their ``.data`` and load as NumPy arrays.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import stat
import tempfile
import zipfile
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["save", "load", "DEFAULT_MAX_BYTES"]

#: ``load``'s default limit on the uncompressed size of a file's members: 1 GiB.
DEFAULT_MAX_BYTES = 1 << 30

_STRUCTURE = "__structure__.json"
_KINDS = "biuf"  # NumPy dtype kinds that are stored: bool, int, unsigned, float


def _array_or_none(value: Any) -> np.ndarray | None:
    """``value`` as an array when it is one (an ndarray, a Tensor's ``.data``), else None."""
    if isinstance(value, np.ndarray):
        return value
    data = getattr(value, "data", None)
    if isinstance(data, np.ndarray) and not isinstance(value, memoryview):
        return data
    return None


def _check_array(where: str, arr: np.ndarray) -> np.ndarray:
    """``arr`` if its dtype is stored faithfully, else a TypeError naming ``where``."""
    if arr.dtype.kind not in _KINDS or arr.dtype.fields is not None:
        raise TypeError(
            f"save: {where} is an array of dtype {arr.dtype}; only bool, integer and floating "
            "arrays are saved (object and string arrays would need pickle, and complex "
            "arrays are not tensors here)")
    return arr


def _safe_member_name(key: Any) -> bool:
    """Whether ``key`` can be a member name ``<key>.npy`` that every reader gives back as is."""
    return (isinstance(key, str) and key != "" and not key.startswith(".")
            and not any(c in key for c in "/\\\x00"))


def _where(where: str, key: Any) -> str:
    """The path of an entry in an error message, as the user would index it."""
    return f"{where}[{key!r}]"


class _Writer:
    """Turns a nested value into a JSON-able description, collecting its arrays."""

    def __init__(self) -> None:
        self.arrays: list[np.ndarray] = []

    def encode(self, value: Any, where: str) -> Any:
        arr = _array_or_none(value)
        if arr is not None:
            self.arrays.append(_check_array(where, arr))
            return {"array": len(self.arrays) - 1}
        if isinstance(value, np.generic):  # kept as a 0-d array, given back as a scalar
            self.arrays.append(_check_array(where, np.asarray(value)))
            return {"scalar": len(self.arrays) - 1}
        if value is None:
            return {"none": None}
        if isinstance(value, bool):
            return {"bool": value}
        if isinstance(value, int):
            return {"int": str(value)}  # as text: JSON readers elsewhere may round big ints
        if isinstance(value, float):
            return {"float": value.hex()}
        if isinstance(value, str):
            return {"str": value}
        if isinstance(value, Mapping):
            items = []
            for k, v in value.items():
                if isinstance(k, bool) or not isinstance(k, str | int):
                    raise TypeError(
                        f"save: {where} has the key {k!r} of type {type(k).__name__}; keys must "
                        "be strings or integers to be stored faithfully")
                items.append([self.encode(k, where), self.encode(v, _where(where, k))])
            return {"dict": items}
        if isinstance(value, list | tuple):
            kind = "list" if isinstance(value, list) else "tuple"
            return {kind: [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]}
        raise TypeError(
            f"save: {where} is a {type(value).__name__} ({_short(value)}); save stores arrays, "
            "Tensors, and dicts, lists and tuples of them and of ints, floats, bools, strings "
            "and None")


def _short(value: Any) -> str:
    """``repr(value)``, cut to a length an error message can carry."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _plan(state_dict: Any) -> tuple[list[tuple[str, np.ndarray]], bytes | None]:
    """The members to write (``(name, array)``) and the JSON structure, or None when flat.

    Everything is checked here, before any file is opened, so a refused value leaves the
    disk untouched."""
    if not isinstance(state_dict, Mapping):
        raise TypeError(
            f"save: expected a dict such as model.state_dict(), got "
            f"{type(state_dict).__name__} ({_short(state_dict)})")
    flat = all(_safe_member_name(k) and _array_or_none(v) is not None
               for k, v in state_dict.items())
    if flat:
        return [(f"{k}.npy", _check_array(f"state_dict[{k!r}]", _array_or_none(v)))  # type: ignore[arg-type]
                for k, v in state_dict.items()], None
    writer = _Writer()
    structure = writer.encode(state_dict, "state_dict")
    text = json.dumps({"format": "tinygrad_edu.save", "version": 1, "value": structure},
                      allow_nan=False)
    return [(f"{i}.npy", a) for i, a in enumerate(writer.arrays)], text.encode("utf-8")


def save(state_dict: Mapping[Any, Any], path: str | os.PathLike[str]) -> None:
    """Write ``state_dict`` to ``path`` (PyTorch's ``torch.save(obj, f)`` for state dicts).

    ``state_dict`` is a ``{name: array or Tensor}`` dict (``model.state_dict()``), or a nested
    dict such as ``optimizer.state_dict()`` (see the module's docstring for what is stored).
    The file is written exactly at ``path`` (no extension is added), atomically: into a
    temporary file in the same folder, flushed to disk, then renamed over ``path``. An existing
    file is therefore either left as it was (when saving fails, even if the process is killed)
    or replaced whole. Raises TypeError naming the entry that cannot be stored faithfully.
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"save: path must be a file name (str or os.PathLike), got "
                        f"{type(path).__name__}")
    members, structure = _plan(state_dict)
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
                for name, arr in members:
                    with zf.open(name, "w", force_zip64=True) as member:
                        np.lib.format.write_array(member, np.asanyarray(arr), allow_pickle=False)
                if structure is not None:
                    zf.writestr(_STRUCTURE, structure)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(folder)


def _mode_for(target: str) -> int:
    """The permissions the file gets: an existing file's, else the usual ones for a new file."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_folder(folder: str) -> None:
    """Flush the folder's entry for the renamed file (best effort: not every system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ----------------------------------------------------------------------------- load


class _Malformed(Exception):
    """A reason the file cannot be read; ``load`` turns it into a ValueError naming the file."""


def _read_npy(data: bytes, member: str) -> np.ndarray:
    """The array in a ``.npy`` member's bytes; only real numeric dtypes, never a pickle."""
    buf = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(buf)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(buf)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(buf)
        else:
            raise _Malformed(f"member {member!r} is a .npy array of format version {version}, "
                             "which load does not read (1.0 and 2.0 are read)")
    except ValueError as e:
        raise _Malformed(f"member {member!r} is not a valid .npy array ({e})") from None
    if dtype.kind not in _KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise _Malformed(f"member {member!r} holds an array of dtype {dtype}; load reads only "
                         "bool, integer and floating arrays (never pickled objects)")
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    start = buf.tell()
    if len(data) - start != expected:
        raise _Malformed(f"member {member!r} should hold {expected} bytes of array data for "
                         f"shape {shape} and dtype {dtype}, but holds {len(data) - start}")
    arr = np.frombuffer(data, dtype=dtype, offset=start, count=expected // max(dtype.itemsize, 1))
    return arr.reshape(shape, order="F" if fortran else "C").copy()


def _decode(node: Any, arrays: Mapping[int, np.ndarray]) -> Any:
    """The value a JSON description made by ``_Writer.encode`` stands for."""
    if not isinstance(node, dict) or len(node) != 1:
        raise _Malformed(f"its structure has an entry that is not a tagged value: {_short(node)}")
    (tag, body), = node.items()
    try:
        if tag in ("array", "scalar"):
            arr = arrays[body]
            return arr[()] if tag == "scalar" else arr
        if tag == "none":
            return None
        if tag == "bool" and isinstance(body, bool):
            return body
        if tag == "int":
            return int(body)
        if tag == "float":
            return float.fromhex(body)
        if tag == "str" and isinstance(body, str):
            return body
        if tag == "dict":
            return {_decode(k, arrays): _decode(v, arrays) for k, v in body}
        if tag == "list":
            return [_decode(v, arrays) for v in body]
        if tag == "tuple":
            return tuple(_decode(v, arrays) for v in body)
    except (KeyError, TypeError, ValueError) as e:
        raise _Malformed(f"its structure has a bad {tag!r} entry ({e})") from None
    raise _Malformed(f"its structure has an unknown entry {_short(node)}")


def _read_zip(zf: zipfile.ZipFile, max_bytes: int) -> Any:
    """The contents of an open archive (see ``load``); raises _Malformed."""
    infos = zf.infolist()
    for info in infos:
        if info.filename.endswith("data.pkl"):
            raise _Malformed(
                "it looks like a PyTorch checkpoint (a pickle inside a zip), which tinygrad_edu "
                "never unpickles; in PyTorch, save it as arrays: numpy.savez(path, **{k: "
                "v.numpy() for k, v in state_dict.items()})")
    total = sum(info.file_size for info in infos)
    if total > max_bytes:
        raise _Malformed(
            f"it would inflate to {total} bytes, more than max_bytes={max_bytes}; if you trust "
            f"the file, raise the limit: load(path, max_bytes={total})")
    names = [info.filename for info in infos]
    has_structure = _STRUCTURE in names
    arrays: dict[str, np.ndarray] = {}
    for info in infos:
        if info.filename == _STRUCTURE:
            continue
        if not info.filename.endswith(".npy"):
            raise _Malformed(f"member {info.filename!r} is not a .npy array; load reads only "
                             "files written by save() or numpy.savez")
        with zf.open(info) as member:
            data = member.read(info.file_size + 1)
        arrays[info.filename[:-4]] = _read_npy(data, info.filename)
    if not has_structure:
        return arrays
    try:
        doc = json.loads(zf.read(_STRUCTURE).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise _Malformed(f"its member {_STRUCTURE!r} is not valid JSON ({e})") from None
    if not isinstance(doc, dict) or doc.get("format") != "tinygrad_edu.save":
        raise _Malformed(f"its member {_STRUCTURE!r} was not written by tinygrad_edu.save")
    by_index = {}
    for key, arr in arrays.items():
        if not key.isdigit():
            raise _Malformed(f"member {key + '.npy'!r} is not one of save()'s numbered arrays")
        by_index[int(key)] = arr
    return _decode(doc.get("value"), by_index)


def load(path: str | os.PathLike[str], map_location: Any = None, *,
         weights_only: bool | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
         **pickle_load_args: Any) -> Any:
    """Read a file written by ``save`` (or ``numpy.savez``): ``{name: array}`` for a flat
    state dict, or the nested dicts, lists and plain values ``save`` was given, with NumPy
    arrays in place of Tensors. Nothing is ever unpickled.

    ``max_bytes`` limits the uncompressed size of the file's contents (default 1 GiB); it is
    checked against the sizes the archive declares before anything is inflated, and the
    reading stops at those sizes. ``map_location`` and ``weights_only`` are accepted so that
    PyTorch programs run unchanged, and ignored: everything is on the CPU, and only arrays
    and plain values are ever loaded. A malformed file (empty, truncated, not a zip archive,
    a single ``.npy`` array, a member that is not a numeric array) raises ValueError naming
    the file and what is wrong.
    """
    del map_location, weights_only  # accepted for PyTorch programs; see the docstring
    if pickle_load_args:
        raise TypeError(f"load: unexpected keyword arguments {sorted(pickle_load_args)}; "
                        "tinygrad_edu never unpickles, so pickle options do not apply")
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"load: path must be a file name (str or os.PathLike), got "
                        f"{type(path).__name__}")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int | np.integer) or max_bytes < 0:
        raise ValueError(f"load: max_bytes must be a non-negative integer, got {max_bytes!r}")
    name = os.fspath(path)
    with open(name, "rb") as f:
        head = f.read(8)
        try:
            if not head:
                raise _Malformed("it is empty (0 bytes)")
            if head.startswith(b"\x93NUMPY"):
                raise _Malformed("it is a single .npy array, not a state dict written by save(); "
                                 "read it with numpy.load(path)")
            if not head.startswith(b"PK"):
                raise _Malformed(f"it is not a zip archive (.npz) written by save(); it starts "
                                 f"with {head!r}")
            f.seek(0)
            try:
                with zipfile.ZipFile(f) as zf:
                    return _read_zip(zf, int(max_bytes))
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError,
                    RuntimeError) as e:
                raise _Malformed(f"it is a truncated or damaged zip archive ({e})") from None
        except _Malformed as e:
            raise ValueError(f"load: cannot read {name!r}: {e}") from None
