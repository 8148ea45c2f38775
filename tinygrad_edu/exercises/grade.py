"""Grading mode: ``python -m tinygrad_edu exercises grade NAME FILE [--json]``.

The submission runs in a child process that holds no part of the catalogue and is confined
(``sandbox.py``): it gets a copy of the engine without the exercises, a scratch folder with the
submission in it, ``python -I``, Landlock's rules, resource limits and no privileges. This
process keeps the cases, the expected values and the solutions; it sends one case's inputs at
a time, compares the values that come back itself, and prints the verdict. The child's output
goes to a file of this process, never to this process's stdout. At the end its whole process
group, and any descendant that escaped the group, is killed.

``--json`` prints Gradescope's ``results.json`` (``score``, ``output``, ``tests`` with
``name``, ``score``, ``max_score``, ``status``, ``output``): one test per quantity and case,
worth one point.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import runner, sandbox
from .core import check_values
from .i18n import Msg, get_lang, tr
from .result import CheckResult

__all__ = ["GradeResult", "grade", "gradescope_json"]

DEFAULT_TIMEOUT = 60.0
DEFAULT_MEMORY_MB = 1024
DEFAULT_FILE_SIZE_MB = 16

_ENGINE_SKIP = ("__pycache__", "exercises")
_CHILD_FILES = ("_child.py", "i18n.py", "protocols.py", "sandbox.py")  # nothing else of them

_NO_LANDLOCK = Msg(
    "grade mode needs Landlock (Linux 5.13 or later, enabled) to keep the submission away from "
    "the expected values and the teacher's files, and this system has none. Run the grader in "
    "a container (see docs/grading.md) and pass --allow-weak-isolation to accept a grading "
    "process confined only by resource limits and another uid.",
    "评分模式需要 Landlock（Linux 5.13 或更新版本，且已启用），才能让提交的代码接触不到正确"
    "答案和教师的文件，而这个系统没有 Landlock。请在容器里运行评分程序（见 "
    "docs/grading.md），并加上 --allow-weak-isolation，表示接受只靠资源限制和另一个用户身份"
    "来约束的评分进程。")
_WEAK = Msg("WARNING: weaker isolation accepted (--allow-weak-isolation): the submission was "
            "not confined by Landlock; only a container keeps it from the rest of the system.",
            "警告：已接受较弱的隔离（--allow-weak-isolation）：提交的代码没有受到 Landlock 的"
            "约束；只有容器才能把它和系统的其余部分隔开。")
_ISOLATION = Msg("graded in isolation: {how}", "隔离评分：{how}")
_PRINTED = Msg("your program printed (first {n} characters):", "你的程序输出了（前 {n} 个字符）：")
_CASE_LINE = Msg("case {case}: {q}", "用例 {case}：{q}")
_RIGHT = Msg("right", "正确")
_WRONG = Msg("wrong: your value differs from the expected one", "错误：你的值与正确值不同")
_WRONG_FIRST = Msg("wrong: the first wrong quantity", "错误：第一个出错的量")
_HINT = Msg("hint: ", "提示：")
_TIMEOUT = Msg("your code did not finish within {t:g} s and was stopped (an infinite loop, or a "
               "loop that runs far too many times?)",
               "你的代码在 {t:g} 秒内没有运行完，已被停止（是不是有死循环，或者循环次数太多？）")


@dataclass
class GradeResult:
    """A graded submission: the check's result, how it was isolated, what it printed; or the
    refusal to grade (``refused``)."""

    result: CheckResult | None
    isolation: Msg | str = ""
    printed: str = ""
    refused: Msg | None = None
    weak: bool = False
    seconds: float = 0.0
    quantity_errors: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """Whether every quantity of every case is right."""
        return self.result is not None and self.result.passed

    def report(self, color: bool = False, lang: str | None = None) -> str:
        """The text a teacher or a learner reads: the check's report, then how it was graded."""
        if self.refused is not None:
            return self.refused.text(lang)
        assert self.result is not None
        lines = [self.result.report(color=color, lang=lang), ""]
        if self.weak:
            lines.append(_WEAK.text(lang))
        lines.append(_ISOLATION.format(how=self.isolation).text(lang))
        if self.printed.strip():
            lines += ["", _PRINTED.format(n=len(self.printed)).text(lang), self.printed.rstrip()]
        return "\n".join(lines)


def _copy_engine(package: Path, engine: Path) -> None:
    """The engine without the catalogue: the package minus ``exercises``, plus the four
    modules the child loads (no expected value, case or solution is in them)."""
    shutil.copytree(package, engine / "tinygrad_edu",
                    ignore=shutil.ignore_patterns(*_ENGINE_SKIP))
    (engine / "tinygrad_edu" / "exercises").mkdir()
    for name in _CHILD_FILES:
        shutil.copy2(package / "exercises" / name, engine / "tinygrad_edu" / "exercises" / name)
    for root, _dirs, files in os.walk(engine):
        os.chmod(root, 0o755)
        for name in files:
            os.chmod(os.path.join(root, name), 0o644)


def grade(name: str, path: str | os.PathLike[str], *, timeout: float = DEFAULT_TIMEOUT,
          memory_mb: int = DEFAULT_MEMORY_MB, cpu_s: int | None = None,
          file_size_mb: int = DEFAULT_FILE_SIZE_MB, allow_weak: bool = False) -> GradeResult:
    """Grade the submission ``path`` for exercise ``name`` in a confined process.

    Refuses (``GradeResult.refused``) when the kernel has no Landlock, unless ``allow_weak``.
    Meant for a process of its own (the command line): it makes this process non-dumpable and
    the reaper of its descendants' orphans, and kills every new child at the end.
    """
    from . import get

    ex = get(name)
    start = time.monotonic()
    abi = sandbox.landlock_abi()
    if abi == 0 and not allow_weak:
        return GradeResult(None, refused=_NO_LANDLOCK)
    source = os.fspath(path)
    if not os.path.isfile(source):
        missing = Msg("no such file: {path}", "找不到文件：{path}").format(path=source)
        return GradeResult(CheckResult(ex.name, False, [], error=missing))
    sandbox.grader_setup()
    keep = sandbox.children()
    package = Path(__file__).resolve().parents[1]
    # whatever the submission left in its scratch folder must not stop the verdict
    with tempfile.TemporaryDirectory(prefix="tinygrad_edu_grade_",
                                     ignore_cleanup_errors=True) as base:
        os.chmod(base, 0o755)
        engine, scratch = Path(base) / "engine", Path(base) / "scratch"
        _copy_engine(package, engine)
        scratch.mkdir(mode=0o700)
        answer = scratch / (Path(source).name if source.endswith(".py") else "answer.py")
        shutil.copyfile(source, answer)
        settings = sandbox.plan(engine=str(engine), scratch=str(scratch), memory_mb=memory_mb,
                                cpu_s=int(cpu_s or max(1, round(timeout))),
                                file_size_mb=file_size_mb, landlock=abi)
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(scratch),
               "TMPDIR": str(scratch), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1"}
        child = engine / "tinygrad_edu" / "exercises" / "_child.py"
        launch = runner.Launch(
            command=[sys.executable, "-I", "-B", str(child), str(engine)], file=str(answer),
            env=env, cwd=str(scratch), sandbox=settings,
            stop=lambda proc: sandbox.kill_all(proc, keep),
            timeout_message=_TIMEOUT.format(t=timeout))
        run = runner.run_cases(ex, launch, timeout)
    if run.error is not None:
        result = CheckResult(ex.name, False, [], error=run.error)
    else:
        result = check_values(ex, run.values, run.case_errors)
        result.notes.extend(runner.quantity_notes(run))
    return GradeResult(result, isolation=sandbox.describe(settings), printed=run.output,
                       weak=abi == 0, seconds=time.monotonic() - start,
                       quantity_errors=dict(run.quantity_errors))


def _all_checks(ex: Any) -> list[tuple[str, str]]:
    return [(c.label, q) for c in ex.cases() for q in ex.quantities]


def gradescope_json(graded: GradeResult, name: str, lang: str | None = None) -> dict[str, Any]:
    """Gradescope's results format: one test per (case, quantity), one point each; the
    report as the submission's ``output``. A file that could not be checked scores 0 on
    every test, so that the maximum score is the same for every submission."""
    from . import get

    lang = lang or get_lang()
    ex = get(name)
    if graded.refused is not None:
        return {"score": 0.0, "output": graded.refused.text(lang), "tests": []}
    result = graded.result
    assert result is not None
    status = {(str(c["case"]), str(c["quantity"])): c for c in result.checks}
    titles = result.to_dict(lang).get("case_titles", {})
    first = result.failure
    tests: list[dict[str, Any]] = []
    for label, q in _all_checks(ex):
        check = status.get((label, q))
        state = check["status"] if check is not None else "error"
        if state == "pass":
            output = _RIGHT.text(lang)
        elif result.error is not None:
            output = tr(result.error, lang) or ""
        elif state == "error":
            output = tr(result.case_errors.get(label, ""), lang) or ""
        elif first is not None and (first.case, first.quantity) == (label, q):
            hint = tr(first.hint, lang) if first.hint is not None else None
            output = _WRONG_FIRST.text(lang) + (f"\n{_HINT.text(lang)}{hint}" if hint else "")
        else:
            output = _WRONG.text(lang)
            extra = graded.quantity_errors.get(label, {}).get(q)
            if extra is not None:
                output += "\n" + (tr(extra, lang) or "")
        tests.append({"name": _CASE_LINE.format(case=titles.get(label, label), q=q).text(lang),
                      "score": 1.0 if state == "pass" else 0.0, "max_score": 1.0,
                      "status": "passed" if state == "pass" else "failed",
                      "output": _cut(output)})
    return {"score": float(sum(float(t["score"]) for t in tests)),
            "execution_time": round(graded.seconds, 3),
            "output": graded.report(lang=lang), "output_format": "text", "tests": tests}


def _cut(text: str, limit: int = 4000) -> str:
    """A test's output kept short (Gradescope shows it whole)."""
    return text if len(text) <= limit else text[:limit - 1] + "…"
