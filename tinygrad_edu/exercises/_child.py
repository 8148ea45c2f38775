"""The learner's side of the checker: a small server that runs the learner's entry, one case
at a time, and knows nothing about the answers.

``python [-I] _child.py ENGINE_DIR REQUEST_FD RESPONSE_FD``. ``ENGINE_DIR`` is put first on
``sys.path`` (the package's parent when checking; a copy of the engine when grading). The
checker's first message says which file, entry, quantities and protocol, and how to confine
the process (grading); the child imports NumPy and the engine, confines itself, imports the
learner's file and answers ``ready`` (or the file's problem). Then each request holds one
case's inputs, and the answer is the learner's values (in the learner's dtype) or that case's
error, with the learner's own lines of the traceback.

The child never imports ``tinygrad_edu.exercises`` (the package holds the catalogue: expected
values, cases, solutions). It loads ``i18n.py``, ``protocols.py`` and ``sandbox.py`` from its
own folder by path, under a stand-in ``tinygrad_edu.exercises`` package that holds nothing
else, so ``from tinygrad_edu.exercises import EXERCISES`` fails in the learner's code.

Messages are framed (a 4-byte length, a JSON header, then ``.npy`` blobs written by
``np.save`` and read by ``np.load(allow_pickle=False)``): arrays, numbers, strings, lists and
dicts travel, pickles never do.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import struct
import sys
import traceback
import types
from pathlib import Path
from typing import Any

MAX_MESSAGE = 64 * 2**20  # bytes: a larger message is refused (a flood, not an answer)
MAX_FRAMES = 12  # traceback lines kept (after collapsing repeats)
MAX_ERROR = 800  # characters of an exception's own message
MAX_LINE = 300  # characters of one line of the traceback
_HERE = Path(__file__).resolve().parent


# ----------------------------------------------------------------------------- the wire


class WireError(Exception):
    """A message that cannot be read: cut short, too large, or not in the format."""


def encode(obj: Any) -> bytes:
    """``obj`` (arrays, NumPy scalars, numbers, strings, None, lists, tuples, dicts with string
    keys, and ``i18n.Msg``) as one framed message."""
    import numpy as np

    blobs: list[bytes] = []

    def walk(v: Any) -> Any:
        if isinstance(v, np.ndarray | np.generic):
            buf = io.BytesIO()
            np.save(buf, np.asarray(v), allow_pickle=False)
            blobs.append(buf.getvalue())
            return {"__array__": len(blobs) - 1, "scalar": isinstance(v, np.generic)}
        if isinstance(v, dict):
            return {"__dict__": [[str(k), walk(x)] for k, x in v.items()]}
        if isinstance(v, list | tuple):
            return [walk(x) for x in v]
        if v is None or isinstance(v, bool | int | float | str):
            return v
        if hasattr(v, "en") and hasattr(v, "zh"):  # an i18n.Msg
            return {"__msg__": [str(v.en), str(v.zh)]}
        raise TypeError(f"cannot send a {type(v).__name__}")

    header = json.dumps({"body": walk(obj), "blobs": [len(b) for b in blobs]}).encode()
    return struct.pack(">II", len(header), len(header) + sum(map(len, blobs))) + header + b"".join(
        blobs)


def decode(data: bytes, msg: Any = None) -> Any:
    """The object of a message's body (``data`` after the 8-byte prefix). ``msg`` is the
    class that rebuilds a message in both languages (``i18n.Msg``)."""
    import numpy as np

    try:
        (hlen,) = struct.unpack(">I", data[:4])
        head = json.loads(data[4:4 + hlen])
        offsets, pos = [], 4 + hlen
        for n in head["blobs"]:
            offsets.append((pos, pos + int(n)))
            pos += int(n)
    except (ValueError, KeyError, TypeError, struct.error, RecursionError) as e:
        raise WireError(f"malformed message ({type(e).__name__})") from None

    def array(i: int) -> Any:
        a, b = offsets[i]
        return np.load(io.BytesIO(data[a:b]), allow_pickle=False)

    def walk(v: Any) -> Any:
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, dict):
            if "__array__" in v:
                arr = array(int(v["__array__"]))
                return arr[()] if v.get("scalar") else arr
            if "__dict__" in v:
                return {str(k): walk(x) for k, x in v["__dict__"]}
            if "__msg__" in v:
                en, zh = v["__msg__"]
                return msg(str(en), str(zh)) if msg is not None else str(en)
            raise WireError("malformed message (an unknown object)")
        return v

    try:
        return walk(head["body"])
    except (ValueError, KeyError, TypeError, IndexError, EOFError, RecursionError) as e:
        raise WireError(f"malformed message ({type(e).__name__})") from None


def read_message(fd: int) -> bytes | None:
    """The next message's body from ``fd`` (blocking); None at the end of the stream."""
    prefix = _read_exact(fd, 8)
    if prefix is None:
        return None
    _, size = struct.unpack(">II", prefix[:8])
    if size > MAX_MESSAGE:
        raise WireError(f"a message of {size} bytes is larger than the limit")
    body = _read_exact(fd, size)
    if body is None:
        raise WireError("the message was cut short")
    return prefix[:4] + body


def _read_exact(fd: int, n: int) -> bytes | None:
    chunks, got = [], 0
    while got < n:
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            if got:
                raise WireError("the message was cut short")
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def write_message(fd: int, obj: Any) -> None:
    """Send ``obj`` as one message on ``fd``."""
    data = memoryview(encode(obj))
    while data:
        n = os.write(fd, data)
        data = data[n:]


# ----------------------------------------------------------------------------- tracebacks


def learner_traceback(exc: BaseException, path: str, msg: Any) -> Any:
    """The lines of the traceback that are in the learner's file, then the error itself, as a
    ``msg`` (i18n.Msg) in both languages.

    Runs of the same frame (a recursion) become one line with their count, at most
    ``MAX_FRAMES`` lines are kept and the error's own message is cut, so that no message is
    longer than a few KB; the same cause gives the same text in every case.
    """
    where = os.path.realpath(path)
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if os.path.realpath(f.filename) == where]
    runs: list[list[Any]] = []
    for f in frames:
        line = f"  line {f.lineno}, in {f.name}: {(f.line or '').strip()}"[:MAX_LINE]
        if runs and runs[-1][0] == line:
            runs[-1][1] += 1
        else:
            runs.append([line, 1])
    en_lines, zh_lines = [], []
    for line, n in runs:
        en_lines.append(line if n == 1 else f"{line}  (repeated {n} times)")
        zh_lines.append(line if n == 1 else f"{line}  （重复 {n} 次）")
    if len(runs) > MAX_FRAMES:
        keep = MAX_FRAMES // 2
        left = len(runs) - 2 * keep
        en_lines = [*en_lines[:keep], f"  ... {left} more lines ...", *en_lines[-keep:]]
        zh_lines = [*zh_lines[:keep], f"  …… 还有 {left} 行 ……", *zh_lines[-keep:]]
    text = str(exc)
    if len(text) > MAX_ERROR:
        text = text[:MAX_ERROR] + " …"
    last = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return msg("\n".join([*en_lines, last]), "\n".join([*zh_lines, last]))


# ----------------------------------------------------------------------------- the server


def _load(name: str) -> types.ModuleType:
    """``tinygrad_edu.exercises.<name>`` from this folder, without the real package."""
    full = f"tinygrad_edu.exercises.{name}"
    spec = importlib.util.spec_from_file_location(full, _HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[full] = module
    spec.loader.exec_module(module)
    return module


def _stand_in_package() -> None:
    """An empty ``tinygrad_edu.exercises``: its modules are only those loaded here."""
    import tinygrad_edu

    package = types.ModuleType("tinygrad_edu.exercises",
                               "The learner's process has no exercise catalogue.")
    package.__path__ = []
    package.__package__ = "tinygrad_edu.exercises"
    sys.modules["tinygrad_edu.exercises"] = package
    tinygrad_edu.exercises = package  # type: ignore[attr-defined]


def serve(request_fd: int, response_fd: int) -> int:
    """Answer the checker's messages until it closes the request pipe."""
    import numpy as np  # noqa: F401 (imported before any confinement)

    import tinygrad_edu  # noqa: F401

    _stand_in_package()
    i18n = _load("i18n")
    protocols = _load("protocols")
    Msg = i18n.Msg

    first = read_message(request_fd)
    if first is None:
        return 0
    config = decode(first, Msg)
    path = config["file"]
    if config.get("sandbox") is not None:
        sandbox = _load("sandbox")
        sandbox.confine(config["sandbox"])
    if config.get("lang"):
        i18n.set_lang(config["lang"])

    def reply(obj: Any) -> None:
        write_message(response_fd, obj)

    try:
        spec = importlib.util.spec_from_file_location("learner_answer", path)
        if spec is None or spec.loader is None:
            reply({"file": Msg("cannot import {path}", "无法导入 {path}").format(path=path)})
            return 0
        module = importlib.util.module_from_spec(spec)
        sys.modules["learner_answer"] = module
        spec.loader.exec_module(module)
    except SyntaxError as e:
        reply({"file": Msg("syntax error in your file, line {line}: {msg}\n  {text}",
                           "你的文件有语法错误，第 {line} 行：{msg}\n  {text}").format(
            line=e.lineno, msg=e.msg, text=(e.text or "").rstrip())})
        return 0
    except BaseException as e:  # the learner's module raised (or exited) while importing
        reply({"file": Msg("your file raised an error while it was imported:\n",
                           "导入你的文件时出错了：\n") + learner_traceback(e, path, Msg)})
        return 0
    entry = getattr(module, config["entry"], None)
    if entry is None:
        reply({"file": Msg("your file does not define {entry!r}",
                           "你的文件没有定义 {entry!r}").format(entry=config["entry"])})
        return 0
    reply({"ready": True})
    raised = Msg("your code raised an error:\n", "你的代码出错了：\n")
    while True:
        data = read_message(request_fd)
        if data is None:
            return 0
        inputs = decode(data, Msg)["inputs"]
        try:
            outcome = protocols.run(config["protocol"], config["protocol_args"], entry,
                                    config["entry"], config["quantities"], inputs)
        except protocols.AnswerError as e:
            reply({"error": e.message})
            continue
        except BaseException as e:  # whatever the learner's code raises, even SystemExit
            reply({"error": raised + learner_traceback(e, path, Msg)})
            continue
        reply({"values": outcome.values, "errors": outcome.errors})


if __name__ == "__main__":
    # Run by path, Python put this folder first on sys.path: its modules (the catalogue's
    # pieces) must not be importable as top-level names.
    if sys.path and os.path.realpath(sys.path[0] or ".") == str(_HERE):
        del sys.path[0]
    sys.path.insert(0, sys.argv[1])
    sys.exit(serve(int(sys.argv[2]), int(sys.argv[3])))
