"""One engine's measurements, in a process of its own: ``python benchmarks/_worker.py ENGINE MODE``.

The parent (``bench.py``) starts one worker per engine and workload group and talks to it
with one JSON object per line: on stdin it sends commands, on stdout the worker answers.
Anything the libraries print goes to stderr, so it can never corrupt the protocol.

Modes:

- ``serve``: a timing worker. Commands (the parent interleaves them across engines):
    ``{"op": "prepare", "workload": "xor"|"mlp"|"chain", "config": {...}, "check": PATH}``
      builds the workload, runs the correctness check (the result after a fixed number of
      steps, saved to PATH as .npz; for the chain, the value and gradient in the answer),
      builds a fresh copy for timing, warms it up and picks how many steps make one block;
    ``{"op": "block"}``: times one block of steps of the prepared workload;
    ``{"op": "quit"}``: answers with the process's peak RSS and exits.
- ``peak WORKLOAD [CONFIG_JSON]``: peak memory of one training step (tracemalloc and
  ru_maxrss), then exit.
- ``flat WORKLOAD STEPS [CONFIG_JSON]``: resident memory sampled over STEPS training steps,
  then exit.
- ``once WORKLOAD [CONFIG_JSON]``: for a person: prepare and time a few blocks, print JSON.

Threads: BLAS and OpenMP are pinned to one thread before NumPy is imported (and PyTorch
through ``torch.set_num_threads(1)`` in its workload module), so every engine runs on one
core and BLAS-heavy workloads compare fairly on a shared 2-core machine.
"""

from __future__ import annotations

import copy
import gc
import importlib
import json
import os
import resource
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def _bootstrap() -> None:
    """Before NumPy is first imported: one BLAS thread; this tree's engine and modules."""
    for var in THREAD_VARS:
        os.environ[var] = "1"
    # The working tree's engine, not whatever copy is installed; and this folder's modules.
    for p in (str(HERE), str(HERE.parent)):
        if p not in sys.path:
            sys.path.insert(0, p)


def _engines() -> dict[str, tuple[str, str, str]]:
    return importlib.import_module("workloads").ENGINES


def _np() -> Any:
    return importlib.import_module("numpy")


def _dat() -> Any:
    return importlib.import_module("_data")


# Steps whose result is compared with NumPy's (more for the tiny XOR net, whose numbers
# would otherwise barely move).
CHECK_STEPS = {"xor": 100, "mlp": 5}
BLOCK_SECONDS = 0.08  # CPU time one timed block aims for
PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def _version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def _reset_peak_rss() -> bool:
    """Linux: reset the process's resident high-water mark to its current size."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def _load(engine: str) -> Any:
    module = importlib.import_module(_engines()[engine][0])
    setup = getattr(module, "setup", None)
    if setup is not None:
        setup()
    return module


def _init(workload: str, config: dict[str, Any]) -> dict[str, Any]:
    if workload == "xor":
        return _dat().xor_init()
    if workload == "mlp":
        return _dat().mlp_init(**config)
    raise ValueError(f"no data for workload {workload!r}")


def _unsupported(module: Any, workload: str) -> str | None:
    return getattr(module, "UNSUPPORTED", {}).get(workload)


class Timer:
    """What one timing worker holds: the prepared workload and its block size."""

    def __init__(self, engine: str) -> None:
        self.engine = engine
        self.module = _load(engine)
        self.run: Callable[[], Any] | None = None
        self.n = 1

    def prepare(self, workload: str, config: dict[str, Any], check: str | None) -> dict[str, Any]:
        self.run = None
        gc.collect()
        reason = _unsupported(self.module, workload)
        if reason:
            return {"ok": False, "skip": reason}
        answer: dict[str, Any] = {"ok": True}
        if workload == "chain":
            depth = int(config["depth"])

            def run() -> Any:
                d = _dat()
                return self.module.chain(d.CHAIN_Y0, depth, d.CHAIN_A, d.CHAIN_B)

            c0, w0 = time.process_time(), time.perf_counter()
            try:
                y, g = run()
            except RecursionError as e:
                return {"ok": False, "error": f"RecursionError at {depth:,}", "detail": str(e)}
            c1, w1 = time.process_time(), time.perf_counter()
            answer["check"] = {"y": y, "grad": g}
            answer["first"] = {"cpu": c1 - c0, "wall": w1 - w0}
            est = c1 - c0
        else:
            # The check: a fresh model, CHECK_STEPS (or config's) steps, weights to disk.
            steps = int(config.pop("check_steps", CHECK_STEPS[workload]))
            step, result = getattr(self.module, workload)(copy.deepcopy(_init(workload, config)))
            for _ in range(steps):
                step()
            if check:
                _np().savez(check, **result())
            del step, result
            gc.collect()
            # The timing copy: fresh again, warmed up, then the block size from a short run.
            step, _ = getattr(self.module, workload)(copy.deepcopy(_init(workload, config)))
            for _ in range(2):
                step()
            n, c0 = 0, time.process_time()
            while True:
                step()
                n += 1
                if time.process_time() - c0 > BLOCK_SECONDS / 4 or n >= 1000:
                    break
            est = (time.process_time() - c0) / n

            def run() -> Any:
                step()

        self.run = run
        self.n = max(1, int(BLOCK_SECONDS / max(est, 1e-9)))
        answer.update({"n": self.n, "est": est})
        return answer

    def block(self) -> dict[str, Any]:
        run = self.run
        assert run is not None, "block before a successful prepare"
        gc.collect()
        c0, w0 = time.process_time(), time.perf_counter()
        for _ in range(self.n):
            run()
        c1, w1 = time.process_time(), time.perf_counter()
        return {"cpu": (c1 - c0) / self.n, "wall": (w1 - w0) / self.n, "n": self.n}


def serve(engine: str, proto: Any) -> None:
    def say(obj: dict[str, Any]) -> None:
        proto.write(json.dumps(obj) + "\n")
        proto.flush()

    try:
        timer = Timer(engine)
    except Exception as e:  # the library is missing or broken: say so, do not crash
        say({"ready": False, "error": f"{type(e).__name__}: {e}"})
        return
    say({"ready": True, "pid": os.getpid(), "maxrss": _maxrss_bytes(),
         "version": _version(_engines()[engine][2])})
    for line in sys.stdin:
        cmd = json.loads(line)
        op = cmd["op"]
        try:
            if op == "prepare":
                ans = timer.prepare(cmd["workload"], dict(cmd.get("config", {})), cmd.get("check"))
                say({**ans, "maxrss": _maxrss_bytes()})
            elif op == "block":
                say({**timer.block(), "maxrss": _maxrss_bytes()})
            elif op == "quit":
                say({"maxrss": _maxrss_bytes()})
                return
            else:
                say({"ok": False, "error": f"unknown op {op!r}"})
        except Exception as e:
            traceback.print_exc()
            timer.run = None
            say({"ok": False, "error": f"{type(e).__name__}: {e}"})


def peak(engine: str, workload: str, config: dict[str, Any]) -> dict[str, Any]:
    """Peak memory of one training step, two ways.

    tracemalloc sees every Python object and every NumPy array buffer (NumPy reports its
    allocations to it) but not memory that C++ libraries allocate themselves (PyTorch's
    tensors); ru_maxrss sees everything the process touched, but only as a high-water mark
    in pages, so it is coarse and includes allocator slack.
    """
    import tracemalloc

    module = _load(engine)
    reason = _unsupported(module, workload)
    if reason:
        return {"ok": False, "skip": reason}
    # A throwaway model first, so lazy imports and one-off caches are not traced; the
    # high-water mark of resident memory is measured around it and the data it is built
    # from (this is a fresh process).
    gc.collect()
    rss0 = _rss_bytes()
    reset = _reset_peak_rss()
    hwm0 = _maxrss_bytes()
    init = _init(workload, config)
    step, _ = getattr(module, workload)(copy.deepcopy(init))
    for _i in range(4):
        step()
    # With the peak reset, the peak's rise over the resident size before; without (old
    # kernels), only the rise of the process's all-time peak, which may hide small models.
    rss_delta = _maxrss_bytes() - (rss0 if reset else hwm0)
    del step, _
    gc.collect()
    tracemalloc.start()
    step, _ = getattr(module, workload)(copy.deepcopy(init))
    for _i in range(3):  # warm up: gradients and optimizer state exist from now on
        step()
    gc.collect()
    before, _p = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    step()
    current, peak_bytes = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    for _i in range(5):
        step()
    return {"ok": True, "traced_peak": peak_bytes, "traced_before": before,
            "traced_after": current, "maxrss_delta": rss_delta,
            "maxrss": _maxrss_bytes(), "peak_reset": reset,
            "tracemalloc_sees_all": engine != "torch"}


def flat(engine: str, workload: str, steps: int, config: dict[str, Any]) -> dict[str, Any]:
    """Resident memory every 10 steps over ``steps`` training steps."""
    module = _load(engine)
    reason = _unsupported(module, workload)
    if reason:
        return {"ok": False, "skip": reason}
    step, _ = getattr(module, workload)(copy.deepcopy(_init(workload, config)))
    every = 10
    samples = []
    c0 = time.process_time()
    for i in range(steps):
        step()
        if i % every == every - 1:
            samples.append(_rss_bytes())
    return {"ok": True, "every": every, "rss": samples, "cpu": time.process_time() - c0}


def main(argv: list[str]) -> int:
    _bootstrap()
    engines = _engines()
    if len(argv) < 2 or argv[0] not in engines:
        print(__doc__, file=sys.stderr)
        print(f"engines: {', '.join(engines)}", file=sys.stderr)
        return 2
    engine, mode = argv[0], argv[1]
    # The protocol gets the real stdout; anything else printed lands on stderr.
    proto = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    if mode == "serve":
        serve(engine, proto)
        return 0
    workload = argv[2]
    if mode == "peak":
        config = json.loads(argv[3]) if len(argv) > 3 else {}
        out = peak(engine, workload, config)
    elif mode == "flat":
        config = json.loads(argv[4]) if len(argv) > 4 else {}
        out = flat(engine, workload, int(argv[3]), config)
    elif mode == "once":
        config = json.loads(argv[3]) if len(argv) > 3 else {}
        timer = Timer(engine)
        out = timer.prepare(workload, config, None)
        if out.get("ok"):
            out["blocks"] = [timer.block() for _ in range(5)]
    else:
        print(f"unknown mode {mode!r}", file=sys.stderr)
        return 2
    proto.write(json.dumps(out) + "\n")
    proto.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
