"""Confining the learner's process while grading (Linux): Landlock, resource limits, no
privileges; and, on the grader's side, closing it to the submission and killing everything the
submission started.

The child calls ``confine(settings)`` once NumPy and the engine are imported, before the
learner's file is: after it, the process

- reads only the Python standard library, NumPy and the copy of the engine (which holds no
  catalogue), reads and writes only in its scratch folder, executes nothing (Landlock);
- cannot bind or connect TCP sockets (Landlock ABI 4 and later), signal processes outside
  its own domain or reach abstract unix sockets (ABI 6 and later), or trace any process;
- has limits on memory (address space), CPU time, open files and file size, and cannot
  create a process;
- runs without privileges: ``no_new_privs``, and, when started as root, under the ``nobody``
  uid with every capability dropped.

The grader calls ``grader_setup`` (its ``/proc`` entries are closed to other processes of its
uid; it becomes the reaper of orphaned descendants) and ``kill_all`` at the end.

Landlock is used through ``ctypes`` (syscalls 444 to 446, the same numbers on every
architecture). Without it grading refuses to run unless the teacher accepts weaker isolation
(``landlock_abi`` returns 0 then).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import stat
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["confine", "grader_setup", "kill_all", "landlock_abi", "plan"]

_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1

PR_SET_DUMPABLE = 4
PR_SET_KEEPCAPS = 8
PR_CAPBSET_DROP = 24
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
CAP_SETUID = 7

# Landlock's filesystem rights, in the order of the ABI that added them.
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1

NOBODY = 65534
DISABLE_ENV = "TINYGRAD_EDU_GRADE_NO_LANDLOCK"  # tests: act as on a kernel without Landlock


def _libc() -> Any:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def _check(result: int, what: str) -> int:
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def _prctl(option: int, arg: int = 0) -> None:
    libc = _libc()
    _check(libc.prctl(ctypes.c_int(option), ctypes.c_ulong(arg), ctypes.c_ulong(0),
                      ctypes.c_ulong(0), ctypes.c_ulong(0)), f"prctl({option})")


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 when there is none (or not on Linux)."""
    if not sys.platform.startswith("linux") or os.environ.get(DISABLE_ENV):
        return 0
    try:
        libc = _libc()
        version = libc.syscall(ctypes.c_long(_SYS_CREATE_RULESET), None, ctypes.c_size_t(0),
                               ctypes.c_uint32(_CREATE_RULESET_VERSION))
    except (OSError, AttributeError):
        return 0
    return max(int(version), 0)


def _fs_rights(abi: int) -> int:
    rights = (1 << 13) - 1  # ABI 1: execute ... make_sym
    if abi >= 2:
        rights |= REFER
    if abi >= 3:
        rights |= TRUNCATE
    if abi >= 5:
        rights |= IOCTL_DEV
    return rights


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _ruleset(abi: int, read: Iterable[str], write: Iterable[str]) -> int:
    """A Landlock ruleset: ``read`` paths readable, ``write`` paths readable and writable
    (no execution anywhere), TCP denied, signals and abstract sockets scoped."""
    libc = _libc()
    fs = _fs_rights(abi)
    attr = _RulesetAttr(fs, NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0,
                        SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    fd = _check(libc.syscall(ctypes.c_long(_SYS_CREATE_RULESET), ctypes.byref(attr),
                             ctypes.c_size_t(size), ctypes.c_uint32(0)),
                "landlock_create_ruleset")
    for paths, rights in ((read, READ_FILE | READ_DIR), (write, fs & ~EXECUTE)):
        for path in paths:
            try:
                pfd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except FileNotFoundError:
                continue
            try:
                allowed = rights if stat.S_ISDIR(os.fstat(pfd).st_mode) else rights & _FILE_RIGHTS
                rule = _PathBeneath(allowed, pfd)
                _check(libc.syscall(ctypes.c_long(_SYS_ADD_RULE), ctypes.c_int(fd),
                                    ctypes.c_int(_RULE_PATH_BENEATH), ctypes.byref(rule),
                                    ctypes.c_uint32(0)), f"landlock_add_rule({path})")
            finally:
                os.close(pfd)
    return fd


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def _capset(effective: int, permitted: int) -> None:
    libc = _libc()
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)(_CapData(effective, permitted, 0), _CapData(0, 0, 0))
    _check(libc.capset(ctypes.byref(header), data), "capset")


def _drop_privileges(uid: int, gid: int, files_as_root: bool) -> None:
    """Become ``uid``/``gid`` with no capability at all (from root).

    ``files_as_root``: keep the filesystem uid 0, for a Python installed where ``nobody``
    cannot read it (under /root). The process is still ``nobody`` for signals, ``ptrace`` and
    the process limit, has no capability (no DAC override), and Landlock decides what it may
    open; the grader passes it only when Landlock is enforced.
    """
    for cap in range(64):  # the bounding set: nothing can be regained, even by exec
        try:
            _prctl(PR_CAPBSET_DROP, cap)
        except OSError:
            break
    with contextlib.suppress(OSError):
        _prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    os.setgroups([])
    if files_as_root:
        _prctl(PR_SET_KEEPCAPS, 1)
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if files_as_root:
        _capset(1 << CAP_SETUID, 1 << CAP_SETUID)
        _libc().setfsuid(0)
        _prctl(PR_SET_KEEPCAPS, 0)
    _capset(0, 0)


def confine(settings: dict[str, Any]) -> None:
    """Confine this process as ``settings`` (made by ``plan``) say; runs in the child, once."""
    abi = int(settings.get("landlock", 0))
    ruleset = _ruleset(abi, settings["read"], settings["write"]) if abi else -1
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    if os.geteuid() == 0 and settings.get("uid") is not None:
        _drop_privileges(int(settings["uid"]), int(settings["gid"]),
                         bool(settings.get("files_as_root")))
    if ruleset >= 0:
        libc = _libc()
        _check(libc.syscall(ctypes.c_long(_SYS_RESTRICT_SELF), ctypes.c_int(ruleset),
                            ctypes.c_uint32(0)), "landlock_restrict_self")
        os.close(ruleset)
    limits = settings["limits"]
    for name, value in (("RLIMIT_AS", limits["memory"]), ("RLIMIT_FSIZE", limits["file_size"]),
                        ("RLIMIT_NOFILE", limits["open_files"]), ("RLIMIT_NPROC", 0),
                        ("RLIMIT_CORE", 0)):
        resource.setrlimit(getattr(resource, name), (int(value), int(value)))
    cpu = int(limits["cpu"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    os.chdir(settings["scratch"])


# ----------------------------------------------------------------------------- grader side


def _python_paths() -> list[str]:
    """What the learner's Python reads after confinement: the standard library (with its
    extension modules) and NumPy, nothing else of site-packages."""
    import _ctypes

    import numpy

    paths = {os.path.dirname(os.__file__), os.path.dirname(_ctypes.__file__)}
    numpy_dir = Path(numpy.__file__).resolve().parent
    paths.add(str(numpy_dir))
    libs = numpy_dir.parent / "numpy.libs"
    if libs.is_dir():
        paths.add(str(libs))
    return sorted(paths)


def _readable_by_others(path: str) -> bool:
    """Whether a user with no relation to the owners can read ``path`` (every folder above
    it searchable)."""
    p = Path(path).resolve()
    for d in [*reversed(p.parents), p]:
        try:
            mode = os.stat(d).st_mode
        except OSError:
            return False
        if not mode & stat.S_IXOTH or (d == p and not mode & stat.S_IROTH):
            return False
    return True


def plan(*, engine: str, scratch: str, memory_mb: int, cpu_s: int, file_size_mb: int,
         landlock: int) -> dict[str, Any]:
    """The settings ``confine`` applies (JSON), decided in the grader. Also hands the scratch
    folder to the uid the child will run as."""
    read = [*_python_paths(), engine]
    settings: dict[str, Any] = {
        "landlock": landlock, "read": read, "write": [scratch, "/dev/null"],
        "scratch": scratch, "uid": None, "gid": None, "files_as_root": False,
        "limits": {"memory": memory_mb * 2**20, "cpu": cpu_s,
                   "file_size": file_size_mb * 2**20, "open_files": 64},
    }
    if os.geteuid() == 0:
        settings["uid"], settings["gid"] = NOBODY, NOBODY
        settings["files_as_root"] = bool(landlock) and not all(map(_readable_by_others, read))
        if not settings["files_as_root"]:
            for root, dirs, files in os.walk(scratch):
                for name in [*dirs, *files]:
                    os.chown(os.path.join(root, name), NOBODY, NOBODY)
            os.chown(scratch, NOBODY, NOBODY)
    return settings


def describe(settings: dict[str, Any]) -> Any:
    """What confined the submission, in both languages (an ``i18n.Msg``) for the report."""
    from .i18n import Msg

    lim = settings["limits"]
    text = (Msg("Landlock ABI {abi}", "Landlock ABI {abi}") if settings["landlock"]
            else Msg("NO Landlock", "没有 Landlock"))
    if settings["uid"] is not None:
        text = text + (Msg(", uid nobody (files read as root, within Landlock's rules)",
                           "，用户 nobody（按 Landlock 的规则以 root 身份读文件）")
                       if settings["files_as_root"] else Msg(", uid nobody", "，用户 nobody"))
    text = text + Msg(", memory {mem} MB, CPU {cpu} s, files up to {size} MB, no new process",
                      "，内存 {mem} MB，CPU {cpu} 秒，文件最大 {size} MB，不能创建新进程")
    return text.format(abi=settings["landlock"], mem=lim["memory"] // 2**20, cpu=lim["cpu"],
                       size=lim["file_size"] // 2**20)


def grader_setup() -> None:
    """Close this process's ``/proc`` entries to the submission (not dumpable) and adopt the
    orphans of its descendants (a child subreaper), so that ``kill_all`` finds them."""
    if not sys.platform.startswith("linux"):
        return
    _prctl(PR_SET_DUMPABLE, 0)
    _prctl(PR_SET_CHILD_SUBREAPER, 1)


def children() -> set[int]:
    """The pids of this process's children (the reaped orphans included)."""
    me, found = os.getpid(), set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me:
            found.add(int(entry))
    return found


def kill_all(proc: Any, keep: set[int]) -> None:
    """Kill the child's process group, then every other child of this process that was not
    there before (``keep``): descendants that left the group and were handed to us."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(Exception):
        proc.wait(timeout=5)
    for _ in range(50):
        left = children() - keep - {proc.pid}
        if not left:
            return
        for pid in left:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.02)
        for pid in left:
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, os.WNOHANG)
