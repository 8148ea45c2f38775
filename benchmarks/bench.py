"""Benchmark tinygrad_edu against hand-written NumPy and every peer engine that is installed.

    python benchmarks/bench.py [--quick] [--only xor,mlp,chain,memory,scaling] [--out DIR]

Each engine runs in worker processes of its own (``benchmarks/_worker.py``), single-threaded,
on the same float64 data. Timed blocks are interleaved across engines (A B C A B C ..., the
order rotated every round), so a burst of load from elsewhere hits every engine alike; the
reported time is the median over blocks and each ratio is the median of the per-round ratios
to NumPy. Every engine's result (weights after N steps, the chain's value and gradient) is
compared with NumPy's; a mismatch is printed loudly and marks the row. See README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import platform
import selectors
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORKER = HERE / "_worker.py"
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")
SECTIONS = ("xor", "mlp", "scaling", "chain", "memory")
ENGINE = "tinygrad_edu"
RTOL, ATOL = 1e-6, 1e-9  # float64 engines agree to ~1e-15; anything looser is a real bug

# What the issue asks of the engine (ratios to NumPy measured in the same run).
TARGET_XOR = 4.0          # x NumPy, and at most half of PyTorch's time
TARGET_MLP = 1.05         # x NumPy
TARGET_MLP_PEAK = 1.2     # x NumPy's peak memory
TARGET_CHAIN = 3.0        # x NumPy per op, at every depth
CHAIN_FLAT = 1.25         # per-op ratio at the deepest depth / at the shallowest (noise margin)
FLAT_BYTES = 2 * 2**20    # RSS growth from the first to the last tenth of the steps

PLANS: dict[str, dict[str, Any]] = {
    "quick": {
        "rounds": 5,
        "chain_depths": [100, 1_000, 10_000],
        "chain_rounds": {100: 5, 1_000: 3, 10_000: 2},
        "chain_cap": 1.0,
        "flat_steps": 2_000,
        "scaling_batches": [1, 64, 512],
        "scaling_widths": [16, 256, 1024],
        "scaling_engines": ["numpy", ENGINE],
        "scaling_rounds": 3,
        "memory_engines": ["numpy", ENGINE],
        "fresh": False,
    },
    "full": {
        "rounds": 11,
        "chain_depths": [100, 1_000, 10_000, 100_000, 1_000_000],
        "chain_rounds": {100: 7, 1_000: 7, 10_000: 3, 100_000: 0, 1_000_000: 0},
        "chain_cap": 60.0,
        "flat_steps": 10_000,
        "scaling_batches": [1, 8, 64, 512],
        "scaling_widths": [16, 64, 256, 1024],
        "scaling_engines": ["numpy", ENGINE, "torch", "mygrad", "autograd"],
        "scaling_rounds": 4,
        "memory_engines": None,  # all
        "fresh": True,
    },
}


def engines_table() -> dict[str, tuple[str, str, str]]:
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    return importlib.import_module("workloads").ENGINES  # type: ignore[no-any-return]


def label(engine: str) -> str:
    return engines_table()[engine][1]


def worker_env() -> dict[str, str]:
    env = dict(os.environ)
    for var in THREAD_VARS:
        env[var] = "1"
    env["PYTHONHASHSEED"] = "0"
    return env


# --------------------------------------------------------------------------- workers


class WorkerDied(RuntimeError):
    pass


class Worker:
    """A ``_worker.py ENGINE serve`` process and its line-per-message JSON protocol."""

    def __init__(self, engine: str, log_dir: Path, tag: str) -> None:
        self.engine = engine
        self.log_path = log_dir / f"{engine}-{tag}.log"
        self.log = open(self.log_path, "a")  # noqa: SIM115 (closed in close())
        self.proc = subprocess.Popen(
            [sys.executable, str(WORKER), engine, "serve"], cwd=ROOT, env=worker_env(),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.info: dict[str, Any] = {}

    def read(self, timeout: float) -> dict[str, Any]:
        assert self.proc.stdout is not None
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            if not sel.select(timeout):
                self.proc.kill()
                raise WorkerDied(f"no answer within {timeout:.0f} s (killed)")
        line = self.proc.stdout.readline()
        if not line:
            raise WorkerDied(f"worker exited with status {self.proc.wait()}; see {self.log_path}")
        return json.loads(line)  # type: ignore[no-any-return]

    def ask(self, cmd: dict[str, Any], timeout: float = 1800.0) -> dict[str, Any]:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(cmd) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise WorkerDied(f"worker exited with status {self.proc.wait()}; "
                             f"see {self.log_path}") from None
        return self.read(timeout)

    @property
    def ready(self) -> bool:
        return bool(self.info.get("ready")) and self.proc.poll() is None

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(WorkerDied, OSError, ValueError):
                self.ask({"op": "quit"}, timeout=60)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


class Pool:
    """One serving worker per engine, all started at once (imports overlap), then idle
    until asked: only one worker computes at any moment."""

    def __init__(self, engines: Sequence[str], log_dir: Path, tag: str) -> None:
        self.workers = {e: Worker(e, log_dir, tag) for e in engines}
        for w in self.workers.values():
            try:
                w.info = w.read(timeout=600)
            except WorkerDied as e:
                w.info = {"ready": False, "error": str(e)}

    def get(self, engine: str) -> Worker | None:
        return self.workers.get(engine)

    def close(self) -> None:
        for w in self.workers.values():
            w.close()


class Pools:
    """The timing workers of a run: one pool shared by every section (quick), or a fresh
    pool for each section (full), so no section inherits another's heap."""

    def __init__(self, engines: Sequence[str], log_dir: Path, fresh: bool) -> None:
        self.engines = list(engines)
        self.log_dir = log_dir
        self.fresh = fresh
        self.current: Pool | None = None
        self.first = False
        self.started = 0

    def section(self, tag: str) -> Pool:
        if self.current is not None and self.fresh:
            self.close()
        self.first = self.started == 0
        if self.current is None:
            self.current = Pool(self.engines, self.log_dir, tag if self.fresh else "timing")
            self.started += 1
        return self.current

    def close(self) -> None:
        if self.current is not None:
            self.current.close()
            self.current = None


def announce_engines(pool: Pool, engines: Sequence[str], rep: Report) -> list[str]:
    """Say which engines import (with versions) and keep only those."""
    avail = []
    for e in engines:
        w = pool.workers[e]
        avail.append(f"{label(e)} {w.info.get('version', '')}".strip() if w.ready
                     else f"{label(e)}: NOT AVAILABLE ({w.info.get('error', '?')})")
    rep.say("\nEngines: " + "; ".join(avail) + ".")
    rep.data["engines"] = {e: pool.workers[e].info for e in engines}
    return [e for e in engines if pool.workers[e].ready]


def oneshot(engine: str, args: Sequence[str], timeout: float = 1800.0) -> dict[str, Any]:
    """Run ``_worker.py ENGINE ARGS...`` in a fresh process and return its JSON answer."""
    try:
        proc = subprocess.run([sys.executable, str(WORKER), engine, *args], cwd=ROOT,
                              env=worker_env(), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"timed out after {timeout:.0f} s"}
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = proc.stderr.strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
        return {"ok": False, "error": tail[0]}
    return json.loads(lines[-1])  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- measuring


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def quartiles(xs: Sequence[float]) -> tuple[float, float]:
    if len(xs) < 4:
        return (min(xs), max(xs)) if xs else (float("nan"), float("nan"))
    q = statistics.quantiles(xs, n=4)
    return q[0], q[2]


def run_interleaved(pool: Pool, engines: Sequence[str], workload: str, config: dict[str, Any],
                    rounds: int, check_dir: Path | None, first_is_sample: bool = False,
                    clock: str = "cpu", timeout: float = 1800.0) -> dict[str, dict[str, Any]]:
    """Prepare the workload in every engine's worker, then time ``rounds`` rounds of blocks,
    one block per engine per round, the engines' order rotated each round."""
    res: dict[str, dict[str, Any]] = {}
    for e in engines:
        w = pool.get(e)
        if w is None or not w.ready:
            res[e] = {"status": "unavailable",
                      "note": w.info.get("error", "not started") if w else "not started"}
            continue
        cmd: dict[str, Any] = {"op": "prepare", "workload": workload, "config": config}
        if check_dir is not None:
            cmd["check"] = str(check_dir / f"{e}.npz")
        try:
            ans = w.ask(cmd, timeout)
        except WorkerDied as err:
            res[e] = {"status": "error", "note": str(err)}
            continue
        if not ans.get("ok"):
            res[e] = {"status": "skip" if "skip" in ans else "error",
                      "note": ans.get("skip") or ans.get("error", "?")}
            continue
        r = {"status": "ok", "cpu": [], "wall": [], "prepare": ans, "maxrss": ans.get("maxrss")}
        if first_is_sample:
            r["cpu"].append(ans["first"]["cpu"])
            r["wall"].append(ans["first"]["wall"])
        res[e] = r
    active = [e for e in engines if res[e]["status"] == "ok"]
    for i in range(rounds):
        k = i % len(active) if active else 0
        for e in active[k:] + active[:k]:
            if res[e]["status"] != "ok":
                continue
            try:
                ans = pool.workers[e].ask({"op": "block"}, timeout)
            except WorkerDied as err:
                res[e].update(status="error", note=str(err))
                continue
            if "cpu" not in ans:
                res[e].update(status="error", note=ans.get("error", "?"))
                continue
            res[e]["cpu"].append(ans["cpu"])
            res[e]["wall"].append(ans["wall"])
            res[e]["maxrss"] = ans.get("maxrss")
    summarize(res, clock)
    return res


def summarize(res: dict[str, dict[str, Any]], clock: str) -> None:
    """Medians, and each engine's per-round ratios to NumPy (paired: same round)."""
    ref = res.get("numpy", {})
    for r in res.values():
        if r["status"] != "ok" or not r[clock]:
            continue
        r["median"] = median(r[clock])
        r["median_wall"] = median(r["wall"])
        if ref.get("status") == "ok" and ref.get(clock):
            pairs = list(zip(r[clock], ref[clock], strict=False))
            ratios = [a / b for a, b in pairs]
            wall_ratios = [a / b for a, b in zip(r["wall"], ref["wall"], strict=False)]
            r["ratios"] = ratios
            r["ratio"] = median(ratios)
            r["ratio_iqr"] = quartiles(ratios)
            r["ratio_wall"] = median(wall_ratios)


def check_arrays(res: dict[str, dict[str, Any]], check_dir: Path) -> None:
    """Compare each engine's saved weights with NumPy's; say loudly when they differ."""
    import numpy as np

    ref_path = check_dir / "numpy.npz"
    if not ref_path.exists():
        return
    with np.load(ref_path) as f:
        ref = {k: f[k] for k in f.files}
    for e, r in res.items():
        path = check_dir / f"{e}.npz"
        if e == "numpy" or r.get("status") != "ok" or not path.exists():
            continue
        with np.load(path) as f:
            got = {k: f[k] for k in f.files}
        worst, bad = 0.0, []
        for k, want in ref.items():
            have = got.get(k)
            if have is None or have.shape != want.shape:
                bad.append(f"{k}: shape {None if have is None else have.shape} != {want.shape}")
                worst = float("inf")
                continue
            err = float(np.max(np.abs(have - want))) if want.size else 0.0
            worst = max(worst, err)
            if not np.allclose(have, want, rtol=RTOL, atol=ATOL):
                bad.append(f"{k}: max abs error {err:.3g}")
        r["check"] = {"ok": not bad, "max_err": worst, "problems": bad}
        if bad:
            loud(f"{label(e)} disagrees with NumPy after the check steps: " + "; ".join(bad))


def check_scalars(res: dict[str, dict[str, Any]], what: str) -> None:
    ref = res.get("numpy", {})
    if ref.get("status") != "ok":
        return
    want = ref["prepare"]["check"]
    for e, r in res.items():
        if e == "numpy" or r.get("status") != "ok":
            continue
        got = r["prepare"]["check"]
        bad = []
        worst = 0.0
        for k in ("y", "grad"):
            a, b = got[k], want[k]
            rel = abs(a - b) / abs(b) if b else abs(a)
            worst = max(worst, rel)
            if not abs(a - b) <= RTOL * abs(b):
                bad.append(f"{k} = {a!r}, NumPy {b!r}")
        r["check"] = {"ok": not bad, "max_err": worst, "problems": bad}
        if bad:
            loud(f"{label(e)} {what}: " + "; ".join(bad))


def loud(msg: str) -> None:
    bar = "!" * 78
    print(f"\n{bar}\n!!! MISMATCH: {msg}\n{bar}\n", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- formatting


def fmt_time(s: float) -> str:
    if s != s:  # nan
        return "—"
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def fmt_ratio(x: float | None) -> str:
    return "—" if x is None or x != x else f"{x:.2f}x"


def fmt_mib(b: float | None) -> str:
    if b is None:
        return "—"
    return f"{b / 2**10:.1f} KiB" if abs(b) < 2**20 else f"{b / 2**20:.1f} MiB"


def check_cell(r: dict[str, Any]) -> str:
    c = r.get("check")
    if c is None:
        return "reference" if r.get("is_ref") else "—"
    if c["ok"]:
        return f"ok ({c['max_err']:.0e})" if c["max_err"] else "ok (exact)"
    return "**MISMATCH** " + "; ".join(c["problems"])


def status_cell(r: dict[str, Any]) -> str:
    return {"unavailable": "not installed", "skip": "skipped", "error": "error"}.get(
        r["status"], r["status"]) + (f": {r['note']}" if r.get("note") else "")


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


class Report:
    """Collects markdown (printed as it comes) and the raw numbers (results.json)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.parts: list[str] = []
        self.data: dict[str, Any] = {}
        self.targets: list[tuple[str, str, str]] = []

    def say(self, text: str = "") -> None:
        print(text, flush=True)
        self.parts.append(text)

    def target(self, what: str, measured: str, ok: bool | None) -> None:
        verdict = "n/a" if ok is None else ("PASS" if ok else "FAIL")
        self.targets.append((what, measured, verdict))

    def save(self) -> None:
        (self.out / "results.md").write_text("\n".join(self.parts) + "\n")
        (self.out / "results.json").write_text(json.dumps(self.data, indent=1, default=str))


# --------------------------------------------------------------------------- sections


def timing_rows(res: dict[str, dict[str, Any]], extra: Callable[[str, dict[str, Any]],
                list[str]] | None = None, n_extra: int = 0) -> list[list[str]]:
    rows = []
    for e, r in res.items():
        if r["status"] != "ok" or "median" not in r:
            rows.append([label(e), status_cell(r), "", "", ""] + [""] * n_extra)
            continue
        lo, hi = r.get("ratio_iqr", (None, None))
        spread = f" ({lo:.2f}–{hi:.2f})" if lo is not None else ""
        ratio = "1x" if e == "numpy" else fmt_ratio(r.get("ratio")) + spread
        cells = [label(e), fmt_time(r["median"]), ratio,
                 "1x" if e == "numpy" else fmt_ratio(r.get("ratio_wall")), check_cell(r)]
        rows.append(cells + (extra(e, r) if extra else []))
    return rows


PEAK_NOTE = (
    "\nPeak heap: in a fresh process, tracemalloc's peak during one step (after 3 warm-up "
    "steps), counting every allocation the model made and still holds at that moment: its "
    "copy of the data, weights, gradients and the step's temporaries (imports and one-off "
    "caches are excluded by building and stepping a throwaway model first). tracemalloc sees "
    "every Python object and every NumPy buffer exactly, but not memory that C++ code "
    "allocates itself (PyTorch's tensors). So PyTorch is compared by peak-RSS growth only: "
    "the process's resident high-water mark (reset first through /proc/self/clear_refs) "
    "while making the data, building the (throwaway) model and running its first 4 steps, "
    "minus the resident size before. It is what the operating system sees, page granular, "
    "and includes one-off buffers and allocator slack.")


def section_xor(pool: Pool, engines: Sequence[str], plan: dict[str, Any], rep: Report,
                tmp: Path, clock: str) -> None:
    rep.say("\n## XOR step (document 001: 3-4-1 sigmoid net, the 4 XOR rows)\n")
    check_dir = Path(tempfile.mkdtemp(dir=tmp))
    res = run_interleaved(pool, engines, "xor", {}, plan["rounds"], check_dir, clock=clock)
    res.setdefault("numpy", {"status": "error"})["is_ref"] = True
    check_arrays(res, check_dir)
    rep.data["xor"] = res
    rep.say(md_table(["engine", "median per step", "ratio to NumPy (IQR)", "wall-clock ratio",
                      "result after 100 steps vs NumPy"], timing_rows(res)))
    eng, torch = res.get(ENGINE, {}), res.get("torch", {})
    if "ratio" in eng:
        vs_torch = eng["median"] / torch["median"] if "median" in torch else None
        if vs_torch is not None:
            rep.say(f"\n{ENGINE} / PyTorch: {fmt_ratio(vs_torch)} (target: at most 0.5x)")
        rep.target("XOR step ≤ 4x NumPy", fmt_ratio(eng["ratio"]), eng["ratio"] <= TARGET_XOR)
        rep.target("XOR step ≤ 0.5x PyTorch", fmt_ratio(vs_torch),
                   None if vs_torch is None else vs_torch <= 0.5)


def section_mlp(pool: Pool, engines: Sequence[str], plan: dict[str, Any], rep: Report,
                tmp: Path, clock: str) -> None:
    rep.say("\n## MLP step (784-256-10 sigmoid MLP with biases, MSE, batch 128, one SGD step)\n")
    check_dir = Path(tempfile.mkdtemp(dir=tmp))
    res = run_interleaved(pool, engines, "mlp", {}, plan["rounds"], check_dir, clock=clock)
    res.setdefault("numpy", {"status": "error"})["is_ref"] = True
    check_arrays(res, check_dir)
    peaks = measure_peaks(memory_engines(plan, engines), "mlp")
    rep.data["mlp"] = res
    rep.data["mlp_peak"] = peaks
    ref_peak = peaks.get("numpy", {}).get("traced_peak")

    def mem(e: str, r: dict[str, Any]) -> list[str]:
        if e not in peaks:
            return ["full run only", "", ""]
        p = peaks[e]
        if not p.get("ok"):
            return [p.get("skip") or p.get("error", "—"), "", ""]
        if p["tracemalloc_sees_all"]:
            traced = fmt_mib(p["traced_peak"])
            ratio = fmt_ratio(p["traced_peak"] / ref_peak) if ref_peak else "—"
        else:
            traced, ratio = "not seen by tracemalloc", "—"
        return [traced, ratio, fmt_mib(p["maxrss_delta"])]

    rep.say(md_table(["engine", "median per step", "ratio to NumPy (IQR)", "wall-clock ratio",
                      "weights after 5 steps vs NumPy", "peak heap (tracemalloc)",
                      "peak / NumPy's", "peak-RSS growth"],
                     timing_rows(res, mem, 3)))
    rep.say(PEAK_NOTE)
    eng = res.get(ENGINE, {})
    if "ratio" in eng:
        rep.target("MLP step ≤ 1.05x NumPy", fmt_ratio(eng["ratio"]), eng["ratio"] <= TARGET_MLP)
    ep = peaks.get(ENGINE, {})
    if ep.get("ok") and ref_peak:
        pr = ep["traced_peak"] / ref_peak
        rep.target("MLP peak memory ≤ 1.2x NumPy", fmt_ratio(pr), pr <= TARGET_MLP_PEAK)


def memory_engines(plan: dict[str, Any], engines: Sequence[str]) -> list[str]:
    """Memory runs start a fresh process per engine; a quick run keeps to NumPy and ours."""
    keep = plan.get("memory_engines")
    return [e for e in engines if keep is None or e in keep]


def measure_peaks(engines: Sequence[str], workload: str,
                  config: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    args = ["peak", workload] + ([json.dumps(config)] if config else [])
    with ThreadPoolExecutor(max_workers=2) as ex:
        futs = {e: ex.submit(oneshot, e, args) for e in engines}
        return {e: f.result() for e, f in futs.items()}


def section_chain(pool: Pool, engines: Sequence[str], plan: dict[str, Any], rep: Report,
                  clock: str) -> None:
    rep.say("\n## Chain: y = sigmoid(y*1.01 + 0.01) repeated, forward + backward\n")
    per_op: dict[str, dict[int, float]] = {e: {} for e in engines}
    notes: dict[str, dict[int, str]] = {e: {} for e in engines}
    base_rss: dict[str, int] = {e: w.info.get("maxrss", 0) for e, w in pool.workers.items()}
    rss: dict[str, dict[int, int]] = {e: {} for e in engines}
    ratios: dict[str, dict[int, float]] = {e: {} for e in engines}
    checks: dict[str, dict[int, dict[str, Any]]] = {e: {} for e in engines}
    dead: dict[str, str] = {}
    cap = plan["chain_cap"]
    all_res = {}
    for depth in plan["chain_depths"]:
        ops = 3 * depth
        todo = []
        for e in engines:
            if e in dead:
                notes[e][depth] = dead[e]
                continue
            prev = [d for d in per_op[e] if d < depth]
            if prev and e not in ("numpy", ENGINE):  # the subject and the baseline go all the way
                est = per_op[e][max(prev)] * ops
                if est > cap:
                    notes[e][depth] = f"skipped (~{est:.0f} s a pass > {cap:.0f} s cap)"
                    continue
            todo.append(e)
        deep = depth >= 100_000
        rounds = plan["chain_rounds"].get(depth, 1)
        timeout = max(600.0, cap * 20)
        res = run_interleaved(pool, todo, "chain", {"depth": depth}, rounds, None,
                              first_is_sample=deep, clock=clock, timeout=timeout)
        check_scalars(res, f"chain of depth {depth}")
        all_res[depth] = res
        for e, r in res.items():
            if r["status"] == "ok" and "median" in r:
                per_op[e][depth] = r["median"] / ops
                if "ratio" in r:
                    ratios[e][depth] = r["ratio"]
                if r.get("maxrss"):
                    rss[e][depth] = r["maxrss"]
                if "check" in r:
                    checks[e][depth] = r["check"]
            else:
                msg = r.get("note", r["status"])
                notes[e][depth] = msg
                if r["status"] != "skip":
                    dead[e] = "—"
    rep.data["chain"] = all_res
    depths = plan["chain_depths"]
    rows = []
    for e in engines:
        row = [label(e)]
        for d in depths:
            if d in per_op[e]:
                cell = f"{per_op[e][d] * 1e6:.2f} µs"
                if e != "numpy" and d in ratios[e]:
                    cell += f" ({ratios[e][d]:.1f}x)"
                c = checks[e].get(d)
                if c is not None and not c["ok"]:
                    cell += " **MISMATCH**"
                row.append(cell)
            else:
                row.append(notes[e].get(d, "—"))
        measured = sorted(ratios[e])
        growth = (ratios[e][measured[-1]] / ratios[e][measured[0]]
                  if len(measured) > 1 else None)
        row.append(fmt_ratio(growth) if e != "numpy" else "—")
        deepest = max(rss[e]) if rss[e] else None
        if plan["fresh"] and deepest is not None and deepest >= 10_000 and base_rss.get(e):
            row.append(f"{(rss[e][deepest] - base_rss[e]) / (3 * deepest):.0f} B")
        else:
            row.append("—")
        rows.append(row)
    rep.say(md_table(["engine"] + [f"depth {d:,}" for d in depths]
                     + [f"ratio growth (deepest measured / {depths[0]:,})",
                        "RSS per op (deepest)"], rows))
    rep.say("\nCells: time per op (a step is 3 ops: mul, add, sigmoid; time / (3 x depth)) "
            "and, in brackets, the ratio to NumPy's time per op. Depths from 100,000 on are "
            "one pass each (the pass that also checks the result); a peer whose estimated "
            f"pass exceeds {cap:.0f} CPU seconds is skipped (NumPy and {ENGINE} never are). "
            "Every pass's final value and dy/dy0 are checked against NumPy's. RSS per op: "
            "the process's max-RSS growth over its start-up, divided by the ops of the "
            "deepest chain it ran: a rough cost of one recorded op (full runs only: it "
            "needs a fresh process).")
    eng = ratios.get(ENGINE, {})
    if eng:
        worst = max(eng.values())
        rep.target("Chain ≤ 3x NumPy per op (worst depth)", fmt_ratio(worst),
                   worst <= TARGET_CHAIN)
        ds = sorted(eng)
        if len(ds) > 1:
            g = eng[ds[-1]] / eng[ds[0]]
            rep.target(f"Chain flat with depth (ratio at {ds[-1]:,} / at {ds[0]:,})",
                       fmt_ratio(g), g <= CHAIN_FLAT)
        if ds and ds[-1] < depths[-1]:
            rep.target(f"Chain reaches depth {depths[-1]:,}", notes[ENGINE].get(depths[-1], "no"),
                       False)


def section_memory(engines: Sequence[str], plan: dict[str, Any], rep: Report) -> None:
    steps = plan["flat_steps"]
    rep.say(f"\n## Memory over {steps:,} training steps (resident set size)\n")
    small = {"batch": 16, "hidden": 32, "n_in": 64}
    engines = memory_engines(plan, engines)
    jobs = [(e, w) for w in ("xor", "mlp") for e in engines]
    with ThreadPoolExecutor(max_workers=2) as ex:
        futs = {
            (e, w): ex.submit(oneshot, e, ["flat", w, str(steps)]
                              + ([json.dumps(small)] if w == "mlp" else []))
            for e, w in jobs
        }
        results = {k: f.result() for k, f in futs.items()}
    rows = []
    tenth = max(1, steps // 10)
    for (e, w), r in results.items():
        name = "XOR" if w == "xor" else "MLP-small 64-32-10, batch 16"
        if not r.get("ok"):
            rows.append([label(e), name, r.get("skip") or r.get("error", "?"), "", "", ""])
            continue
        every, rs = r["every"], r["rss"]
        k = max(1, tenth // every)
        first, last = median(rs[:k]), median(rs[-k:])
        growth = last - first
        flat = growth <= FLAT_BYTES
        verdict = "flat" if flat else f"**GROWS** ({growth / steps:.0f} B/step)"
        rows.append([label(e), name, fmt_mib(first), fmt_mib(last),
                     f"{growth / 2**20:+.2f} MiB", verdict])
        if e == ENGINE:
            rep.target(f"RSS flat over {steps:,} {name.split(',')[0]} steps",
                       f"{growth / 2**20:+.2f} MiB", flat)
    rep.data["memory_flat"] = {f"{e}/{w}": r for (e, w), r in results.items()}
    rep.say(md_table(["engine", "workload", f"RSS, first {tenth:,} steps (median)",
                      f"RSS, last {tenth:,} steps (median)", "growth", "verdict"], rows))
    rep.say(f"\nRSS read from /proc/self/statm every 10 steps in a fresh process per engine "
            f"and workload; 'flat' means the median of the last {tenth:,} steps' samples is at "
            f"most {FLAT_BYTES // 2**20} MiB above the first {tenth:,} steps'. A graph or saved "
            "value kept alive by each step would add kilobytes per step.")
    peaks = measure_peaks(engines, "xor")
    rep.data["xor_peak"] = peaks
    rows = []
    for e, p in peaks.items():
        if not p.get("ok"):
            rows.append([label(e), p.get("skip") or p.get("error", "?"), ""])
            continue
        traced = fmt_mib(p["traced_peak"]) if p["tracemalloc_sees_all"] else "not seen"
        rows.append([label(e), traced, fmt_mib(p["maxrss_delta"])])
    rep.say("\nXOR step, peak memory:\n")
    rep.say(md_table(["engine", "peak heap (tracemalloc)", "peak-RSS growth"], rows))


def section_scaling(pool: Pool, engines: Sequence[str], plan: dict[str, Any], rep: Report,
                    tmp: Path, clock: str) -> None:
    batches, widths = plan["scaling_batches"], plan["scaling_widths"]
    rep.say(f"\n## Scaling: MLP step 784-H-10, batch B, ratio to NumPy "
            f"(B in {batches}, H in {widths})\n")
    wanted = [e for e in plan["scaling_engines"] if e in engines]
    grid: dict[str, dict[tuple[int, int], dict[str, Any]]] = {e: {} for e in wanted}
    for b in batches:
        for h in widths:
            check_dir = Path(tempfile.mkdtemp(dir=tmp))
            cfg = {"batch": b, "hidden": h, "check_steps": 2}
            res = run_interleaved(pool, wanted, "mlp", cfg, plan["scaling_rounds"],
                                  check_dir, clock=clock)
            check_arrays(res, check_dir)
            shutil.rmtree(check_dir, ignore_errors=True)
            for e, r in res.items():
                grid[e][(b, h)] = {k: r.get(k) for k in ("status", "note", "median",
                                                         "ratio", "check")}
            cells = [f"NumPy {fmt_time(res['numpy'].get('median', float('nan')))}"]
            cells += [f"{e} {fmt_ratio(r.get('ratio'))}" for e, r in res.items() if e != "numpy"]
            print(f"  scaling B={b} H={h}: " + ", ".join(cells), file=sys.stderr, flush=True)
    rep.data["scaling"] = {e: {f"{b}x{h}": v for (b, h), v in g.items()} for e, g in grid.items()}
    for e in wanted:
        rows = []
        for b in batches:
            row = [f"B={b}"]
            for h in widths:
                r = grid[e].get((b, h), {})
                if r.get("status") != "ok":
                    row.append(r.get("note") or "—")
                elif e == "numpy":
                    row.append(fmt_time(r["median"]))
                else:
                    cell = fmt_ratio(r.get("ratio"))
                    c = r.get("check")
                    if c is not None and not c["ok"]:
                        cell += " **MISMATCH**"
                    row.append(cell)
            rows.append(row)
        what = "time per step" if e == "numpy" else "ratio to NumPy"
        rep.say(f"\n{label(e)} ({what}):\n")
        rep.say(md_table(["batch"] + [f"H={h}" for h in widths], rows))
    path = plot_scaling(grid, batches, widths, rep.out)
    if path:
        rep.say(f"\nPlot: {path}")


def plot_scaling(grid: dict[str, dict[tuple[int, int], dict[str, Any]]], batches: list[int],
                 widths: list[int], out: Path) -> Path | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FuncFormatter, NullFormatter
    except ImportError:
        print("matplotlib is not installed: no scaling.png", file=sys.stderr)
        return None
    engines = list(grid)
    n = len(engines)
    cols = min(n, 3)
    nrows = (n + cols - 1) // cols
    fig, axes = plt.subplots(nrows, cols, figsize=(5.2 * cols, 4.2 * nrows), squeeze=False)
    for ax, e in zip(axes.flat, engines, strict=False):
        for b in batches:
            xs, ys = [], []
            for h in widths:
                r = grid[e].get((b, h), {})
                v = r.get("median") if e == "numpy" else r.get("ratio")
                if r.get("status") == "ok" and v is not None:
                    xs.append(h)
                    ys.append(v * 1e3 if e == "numpy" else v)
            ax.plot(xs, ys, marker="o", label=f"batch {b}")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        unit = "" if e == "numpy" else "x"
        fmt = FuncFormatter(lambda v, _pos, unit=unit: f"{v:g}{unit}")
        ax.yaxis.set_major_formatter(fmt)
        ax.yaxis.set_minor_formatter(fmt if e != "numpy" else NullFormatter())
        ax.set_xticks(widths)
        ax.set_xticklabels([str(w) for w in widths])
        ax.set_xlabel("hidden width H")
        if e == "numpy":
            ax.set_title("NumPy (hand-written): ms per step")
            ax.set_ylabel("ms per step")
        else:
            ax.set_title(f"{label(e)}: time / NumPy's")
            ax.set_ylabel("ratio to NumPy (log)")
            ax.axhline(1.0, color="black", lw=0.8)
            lo, hi = ax.get_ylim()
            ax.set_ylim(min(lo, 0.9), max(hi, 1.2))
            if e == ENGINE:
                ax.axhline(TARGET_MLP, color="red", lw=0.8, ls="--", label="target 1.05x")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.suptitle("MLP step 784-H-10 (sigmoid, MSE, SGD), float64, one thread: "
                 "where Python overhead ends and BLAS begins", fontsize=10)
    fig.tight_layout()
    path = out / "scaling.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# --------------------------------------------------------------------------- main


def engine_fingerprint() -> str:
    """The git commit and a hash of the engine's sources (which may have local changes)."""
    import hashlib

    h = hashlib.sha1()
    for path in sorted((ROOT / ENGINE).rglob("*.py")):
        h.update(path.read_bytes())
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{commit or 'no git'}, sources {h.hexdigest()[:10]}"


def machine_info() -> dict[str, Any]:
    import numpy as np

    info: dict[str, Any] = {"python": platform.python_version(), "numpy": np.__version__,
                            "cpus": os.cpu_count(), "platform": platform.platform()}
    try:
        blas = np.__config__.CONFIG["Build Dependencies"]["blas"]
        info["blas"] = f"{blas.get('name')} {blas.get('version')}"
    except (AttributeError, KeyError, TypeError):
        info["blas"] = "?"
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next(line.split(":", 1)[1].strip() for line in f
                               if line.startswith("model name"))
    except (OSError, StopIteration):
        info["cpu"] = platform.processor() or "?"
    return info


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="a short run (about a minute)")
    p.add_argument("--only", default=",".join(SECTIONS),
                   help=f"comma-separated sections, from {','.join(SECTIONS)} (default: all)")
    p.add_argument("--out", default=str(ROOT / "build" / "bench"),
                   help="folder for results.md, results.json, scaling.png and worker logs")
    p.add_argument("--engines", default=None,
                   help="comma-separated engines (default: all that import); numpy is always "
                        "included as the reference")
    p.add_argument("--rounds", type=int, default=None, help="timed rounds per workload")
    p.add_argument("--chain-depths", default=None, help="e.g. 100,1000,10000")
    p.add_argument("--chain-cap", type=float, default=None,
                   help="skip a chain depth for an engine whose estimated pass exceeds this "
                        "many CPU seconds")
    p.add_argument("--flat-steps", type=int, default=None,
                   help="training steps of the memory-flatness check")
    p.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                   help="cpu (default): each worker's CPU time, robust to other processes "
                        "on a shared machine; wall: elapsed time")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    for var in THREAD_VARS:
        os.environ.setdefault(var, "1")
    plan = dict(PLANS["quick" if args.quick else "full"])
    if args.rounds is not None:
        plan["rounds"] = plan["scaling_rounds"] = args.rounds
    if args.chain_depths:
        plan["chain_depths"] = [int(d) for d in args.chain_depths.split(",")]
    if args.chain_cap is not None:
        plan["chain_cap"] = args.chain_cap
    if args.flat_steps is not None:
        plan["flat_steps"] = args.flat_steps
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        print(f"unknown section(s): {', '.join(sorted(unknown))}; choose from "
              f"{', '.join(SECTIONS)}", file=sys.stderr)
        return 2
    all_engines = list(engines_table())
    engines = all_engines if args.engines is None else (
        ["numpy"] + [e for e in args.engines.split(",") if e and e != "numpy"])
    bad = [e for e in engines if e not in all_engines]
    if bad:
        print(f"unknown engine(s): {', '.join(bad)}; choose from {', '.join(all_engines)}",
              file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    log_dir = out / "logs"
    log_dir.mkdir(exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="bench-", dir=out))
    rep = Report(out)
    t_start = time.time()
    load0 = os.getloadavg()
    info = machine_info()
    rep.data["machine"] = info
    rep.data["plan"] = plan
    mode = "quick" if args.quick else "full"
    rep.say(f"# tinygrad_edu benchmarks ({mode} run, {time.strftime('%Y-%m-%d %H:%M')})\n")
    rep.say(f"Python {info['python']}, NumPy {info['numpy']} ({info['blas']}), {info['cpu']}, "
            f"{info['cpus']} CPUs. float64 everywhere; BLAS, OpenMP and PyTorch pinned to one "
            f"thread. Clock: {'each worker process CPU time' if args.clock == 'cpu' else 'wall'}"
            f" (wall-clock ratios shown too). Load average at start: "
            f"{load0[0]:.1f} (1 min).")
    fingerprint = engine_fingerprint()
    rep.data["engine_sources"] = fingerprint
    rep.say(f"\n{ENGINE} under test: commit {fingerprint}.")

    pools = Pools(engines, log_dir, plan["fresh"])
    try:
        for section in SECTIONS:
            if section not in sections:
                continue
            if section == "memory":
                pools.close()
                section_memory(engines, plan, rep)
            else:
                pool = pools.section(section)
                if pools.first:
                    engines = announce_engines(pool, engines, rep)
                if section == "xor":
                    section_xor(pool, engines, plan, rep, tmp, args.clock)
                elif section == "mlp":
                    section_mlp(pool, engines, plan, rep, tmp, args.clock)
                elif section == "scaling":
                    section_scaling(pool, engines, plan, rep, tmp, args.clock)
                else:
                    section_chain(pool, engines, plan, rep, args.clock)
            rep.save()
    finally:
        pools.close()
        shutil.rmtree(tmp, ignore_errors=True)

    if rep.targets:
        rep.say(f"\n## The issue's targets for {ENGINE}\n")
        rep.say(md_table(["target", "measured", "verdict"], [list(t) for t in rep.targets]))
    if engine_fingerprint() != fingerprint:
        rep.say(f"\n**Warning: {ENGINE}'s sources changed during the run**: sections may have "
                "measured different versions.")
    load1 = os.getloadavg()
    rep.say(f"\nFinished in {time.time() - t_start:.0f} s; load average at the end "
            f"{load1[0]:.1f}. Results: {out / 'results.md'}, {out / 'results.json'}.")
    rep.data["targets"] = rep.targets
    rep.data["load"] = {"start": load0, "end": load1}
    rep.save()
    mismatches = "**MISMATCH**" in "\n".join(rep.parts)
    if mismatches:
        print("\nSOME ENGINE DISAGREES WITH NUMPY: see the rows marked MISMATCH.", file=sys.stderr)
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
