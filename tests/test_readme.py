"""Every ```python block in README.md runs as written, so the README cannot rot.

Each block runs in a fresh namespace with a temporary working directory; a block that raises
(including a failed ``assert`` in it) fails its test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)


def python_blocks(text: str) -> list[tuple[int, str]]:
    """(line number of the block's first code line, code) for each ```python fence."""
    return [(text.count("\n", 0, m.start(1)) + 1, m.group(1)) for m in FENCE.finditer(text)]


BLOCKS = python_blocks(README.read_text(encoding="utf-8")) if README.exists() else []


def test_readme_has_python_examples() -> None:
    assert README.exists(), f"{README} is missing"
    # The first-tensor example and the XOR network, at least.
    assert len(BLOCKS) >= 2, f"expected 2 or more ```python blocks in README.md, got {len(BLOCKS)}"


def test_block_extraction_sees_every_fence() -> None:
    text = "intro\n```python\nx = 1\n```\n\n```sh\nmake\n```\n```python\ny = 2\n```\n"
    assert python_blocks(text) == [(3, "x = 1\n"), (10, "y = 2\n")]


@pytest.mark.parametrize(
    "line, code", BLOCKS, ids=[f"README.md:{line}" for line, _ in BLOCKS]
)
def test_readme_block_runs(line: int, code: str, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    # Line numbers in a traceback point into README.md.
    compiled = compile("\n" * (line - 1) + code, str(README), "exec")
    exec(compiled, {"__name__": "__readme__"})
