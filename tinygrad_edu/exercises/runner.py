"""Running a learner's file in its own process, one case at a time, with a time limit.

``run_learner`` (``exercises check``) starts ``_child.py`` in the learner's own environment;
``grade.py`` starts the same child confined (``sandbox.py``). Either way ``run_cases`` talks
to it over two pipes: the first message says which file, entry and protocol; then each
request is one case's inputs and each answer the learner's values or that case's error. The
expected values, the cases' labels and the solutions never leave this process.

Whatever the learner's code does (a syntax error, an exception, an exit, a loop that never
ends, a flood of output) comes back as a message about their code, in both languages, never
as the checker's traceback.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np

from . import _child
from .i18n import Msg

__all__ = ["DEFAULT_TIMEOUT", "Launch", "LearnerRun", "quantity_notes", "run_cases",
           "run_learner"]

DEFAULT_TIMEOUT = 20.0  # seconds for the whole file (all cases)
OUTPUT_KEPT = 4096  # bytes of what the learner's code printed, kept for the report
MAX_TEXT = 8192  # characters of one message from the child (the child keeps them far shorter)

_HERE = Path(__file__).resolve().parent
_PACKAGE_PARENT = str(_HERE.parents[1])

Values = dict[str, np.ndarray]


@dataclass
class LearnerRun:
    """What the learner's file produced: values per case, errors per case (and per quantity
    where a protocol could compute the others), or one error about the whole file; and the
    start of what it printed."""

    values: dict[str, Values] = field(default_factory=dict)
    case_errors: dict[str, Msg | str] = field(default_factory=dict)
    quantity_errors: dict[str, dict[str, Msg | str]] = field(default_factory=dict)
    error: Msg | str | None = None
    output: str = ""


@dataclass
class Launch:
    """How to start the child: the command (the pipes' numbers are appended), its
    environment and folder, what to add to its first message (``sandbox``), and what to do
    after it was started and after it ended (grading kills everything it left behind)."""

    command: list[str]
    file: str
    env: dict[str, str]
    cwd: str | None = None
    sandbox: dict[str, Any] | None = None
    started: Callable[[subprocess.Popen[bytes]], None] | None = None
    stop: Callable[[subprocess.Popen[bytes]], None] | None = None
    timeout_message: Msg | None = None


class _Ended(Exception):
    """The child's end of the pipe closed: the process ended (or closed it)."""


class _TimedOut(Exception):
    """The deadline passed while waiting for the child."""


_NO_FILE = Msg("no such file: {path}", "找不到文件：{path}")
_TIMEOUT = Msg("your code did not finish within {t:g} s and was stopped (an infinite loop, or "
               "a loop that runs far too many times?)",
               "你的代码在 {t:g} 秒内没有运行完，已被停止（是不是有死循环，或者循环次数太多？）")
_ENDED_LOADING = Msg("your code ended the checker's process while your file was imported "
                     "({how})",
                     "导入你的文件时，你的代码结束了检查器的进程（{how}）")
_ENDED_CASE = Msg("your code ended the checker's process during this case ({how}): this case "
                  "and the ones after it could not be checked",
                  "在这个用例中，你的代码结束了检查器的进程（{how}）：这个用例和之后的用例都无法"
                  "检查")
_NOT_RUN = Msg("your code's process had ended in an earlier case",
               "你的代码所在的进程在之前的用例中已经结束")
_GARBLED = Msg("the answer of your code's process could not be read ({why}): did your code "
               "write into the checker's pipe?",
               "无法读取你的代码所在进程的回答（{why}）：你的代码是不是往检查器的管道里写了东西？")
_EXIT = Msg("exit status {code}", "退出码 {code}")
_SIGNAL = Msg("stopped by signal {name}", "被信号 {name} 终止")
_CPU = Msg("stopped: it used more than its CPU time", "被终止：用完了 CPU 时间")
_PRINTED = Msg("\nit printed:\n{tail}", "\n它输出了：\n{tail}")


def run_learner(name: str, path: str | os.PathLike[str], timeout: float = DEFAULT_TIMEOUT
                ) -> LearnerRun:
    """Run the learner's file on every case of exercise ``name`` in a separate process (in
    the learner's own environment: ``exercises check``)."""
    from . import get

    ex = get(name)
    path = os.fspath(path)
    if not os.path.isfile(path):
        return LearnerRun(error=_NO_FILE.format(path=path))
    # The learner's own packages stay importable; the engine is this very package.
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    launch = Launch(command=[sys.executable, str(_HERE / "_child.py"), _PACKAGE_PARENT],
                    file=os.path.abspath(path), env=env)
    return run_cases(ex, launch, timeout)


def run_cases(ex: Any, launch: Launch, timeout: float) -> LearnerRun:
    """Start the child, send the exercise's cases one by one, collect the answers.

    ``ex`` is the Exercise (its cases and protocol are read here; only the protocol, the
    entry's name, the quantities and each case's inputs are sent)."""
    with tempfile.TemporaryFile() as output:
        run, ended_loading = _run_with(ex, launch, timeout, output)
        run.output = _head(output)
    if ended_loading and isinstance(run.error, Msg) and run.output.strip():
        run.error = run.error + _PRINTED.format(tail=_tail(run.output))
    return run


def _run_with(ex: Any, launch: Launch, timeout: float, output: IO[bytes]
              ) -> tuple[LearnerRun, bool]:
    req_r, req_w = os.pipe()
    resp_r, resp_w = os.pipe()
    run = LearnerRun()
    proc: subprocess.Popen[bytes] | None = None
    ended_loading = False
    try:
        proc = subprocess.Popen(
            [*launch.command, str(req_r), str(resp_w)], stdin=subprocess.DEVNULL,
            stdout=output, stderr=subprocess.STDOUT, pass_fds=(req_r, resp_w), env=launch.env,
            cwd=launch.cwd, start_new_session=True)
        if launch.started is not None:
            launch.started(proc)
        os.close(req_r)
        os.close(resp_w)
        req_r = resp_w = -1
        ended_loading = _talk(ex, launch, proc, req_w, resp_r, time.monotonic() + timeout,
                              timeout, run)
    finally:
        for fd in (req_r, req_w, resp_r, resp_w):
            if fd >= 0:
                os.close(fd)
        if proc is not None:
            (launch.stop or _kill_group)(proc)
    return run, ended_loading


def _talk(ex: Any, launch: Launch, proc: subprocess.Popen[bytes], req_w: int, resp_r: int,
          deadline: float, timeout: float, run: LearnerRun) -> bool:
    """The conversation; True when the process ended before the file was imported."""
    cases = list(ex.cases())
    config = {"file": launch.file, "entry": ex.entry, "quantities": list(ex.quantities),
              "protocol": ex.protocol, "protocol_args": ex.protocol_args,
              "sandbox": launch.sandbox}
    current: str | None = None
    try:
        _send(req_w, config, deadline)
        first = _receive(resp_r, deadline)
        if "file" in first:
            run.error = _message(first["file"])
            return False
        if first.get("ready") is not True:
            raise _child.WireError("no ready message")
        for case in cases:
            current = case.label
            _send(req_w, {"inputs": case.inputs}, deadline)
            answer = _receive(resp_r, deadline)
            if "error" in answer:
                run.case_errors[case.label] = _message(answer["error"])
                continue
            errors = answer.get("errors") or {}
            if not isinstance(errors, dict) or not set(errors) <= set(ex.quantities):
                raise _child.WireError("errors of unknown quantities")
            run.values[case.label] = _values(answer.get("values"),
                                             [q for q in ex.quantities if q not in errors])
            if errors:
                run.quantity_errors[case.label] = {q: _message(m) for q, m in errors.items()}
    except _TimedOut:
        run.error = launch.timeout_message or _TIMEOUT.format(t=timeout)
        run.values.clear()
        run.case_errors.clear()
    except (_Ended, BrokenPipeError):
        how = _how_it_ended(proc)
        if current is None:
            run.error = _ENDED_LOADING.format(how=how)
            return True
        labels = [c.label for c in cases]
        run.case_errors[current] = _ENDED_CASE.format(how=how)
        for label in labels[labels.index(current) + 1:]:
            run.case_errors[label] = _NOT_RUN
    except _child.WireError as e:
        run.error = _GARBLED.format(why=str(e))
    return False


_QUANTITY_NOTE = Msg("{q} ({cases}): ", "{q}（{cases}）：")
_EVERY_CASE = Msg("every case", "每个用例")
_CASES = Msg("case {labels}", "用例 {labels}")


def quantity_notes(run: LearnerRun) -> list[Msg]:
    """Why some quantities could not be computed (a bug-004 step of the wrong shape leaves no
    loss curve), one note per quantity and message, naming the cases it happened in; for
    ``CheckResult.notes``."""
    grouped: dict[tuple[str, str, str], tuple[Msg | str, list[str]]] = {}
    for label, errors in run.quantity_errors.items():
        for q, message in errors.items():
            key = (q, str(message), message.zh if isinstance(message, Msg) else str(message))
            grouped.setdefault(key, (message, []))[1].append(label)
    n_cases = len(run.values)
    notes = []
    for (q, _, _), (message, labels) in grouped.items():
        cases = (_EVERY_CASE if len(labels) == n_cases
                 else _CASES.format(labels=", ".join(labels)))
        notes.append(_QUANTITY_NOTE.format(q=q, cases=cases) + message)
    return notes


def _message(raw: Any) -> Msg | str:
    """A message from the child, checked (a Msg or a string) and kept to a few KB."""
    if isinstance(raw, Msg):
        return Msg(raw.en[:MAX_TEXT], raw.zh[:MAX_TEXT])
    if isinstance(raw, str):
        return raw[:MAX_TEXT]
    raise _child.WireError("a message that is not text")


def _values(raw: Any, quantities: Sequence[str]) -> Values:
    """The learner's values from the child, checked: one numeric array per quantity."""
    if not isinstance(raw, dict):
        raise _child.WireError("no values")
    out: Values = {}
    for q in quantities:
        v = raw.get(q)
        if not isinstance(v, np.ndarray) or v.dtype.kind not in "fiub":
            raise _child.WireError(f"{q} is not an array of numbers")
        out[q] = v
    return out


def _send(fd: int, obj: Any, deadline: float) -> None:
    data = memoryview(_child.encode(obj))
    while data:
        _wait(fd, deadline, write=True)
        data = data[os.write(fd, data[:65536]):]


def _receive(fd: int, deadline: float) -> dict[str, Any]:
    prefix = _read(fd, 8, deadline)
    size = int.from_bytes(prefix[4:8], "big")
    if size > _child.MAX_MESSAGE:
        raise _child.WireError(f"a message of {size} bytes")
    answer = _child.decode(prefix[:4] + _read(fd, size, deadline), Msg)
    if not isinstance(answer, dict):
        raise _child.WireError("not a message")
    return answer


def _read(fd: int, n: int, deadline: float) -> bytes:
    chunks, got = [], 0
    while got < n:
        _wait(fd, deadline, write=False)
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise _Ended()
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _wait(fd: int, deadline: float, write: bool) -> None:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _TimedOut()
    r, w, _ = select.select([] if write else [fd], [fd] if write else [], [], left)
    if not r and not w:
        raise _TimedOut()


def _how_it_ended(proc: subprocess.Popen[bytes]) -> Msg:
    try:
        code = proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        return _EXIT.format(code="?")
    if code == -signal.SIGXCPU:
        return _CPU
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return _SIGNAL.format(name=name)
    return _EXIT.format(code=code)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill the child's whole process group (it was started in a session of its own)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


def _head(f: IO[bytes]) -> str:
    f.seek(0)
    return f.read(OUTPUT_KEPT).decode("utf-8", "replace")


def _tail(text: str, lines: int = 5) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])
