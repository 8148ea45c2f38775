"""Rewrite the ```text title="Output"``` blocks of the docs with what their code prints now.

    python docs/update_outputs.py [docs/PAGE.md ...]

Runs each page's python blocks in order, as tests/test_docs.py does, in a temporary folder,
and replaces every Output block with the output of the block before it. Review the diff.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _hooks() -> Any:
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "docs" / "_hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def update(page: Path, hooks: Any) -> bool:
    text = page.read_text(encoding="utf-8")
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    printed: str | None = None
    pieces: list[str] = []
    last = 0
    with tempfile.TemporaryDirectory() as tmp, hooks.working_dir(Path(tmp)):
        for m in hooks.FENCE.finditer(text):
            indent, lang, attrs, code = m.groups()
            block = hooks.blocks(m.group(0))[0]
            if lang == "python" and not hooks.is_quote(block._replace(title=block.title)):
                printed = hooks.run_block(block, page, namespace)
            elif 'title="Output"' in attrs and printed is not None:
                body = "".join(indent + ln if ln.strip() else ln
                               for ln in printed.splitlines(keepends=True))
                pieces.append(text[last:m.start(4)] + body)
                last = m.end(4)
    pieces.append(text[last:])
    new = "".join(pieces)
    if new != text:
        page.write_text(new, encoding="utf-8")
    return new != text


def _reset_defaults() -> None:
    """The state a fresh process starts with (as tests/conftest.py restores after each test)."""
    import numpy as np

    import tinygrad_edu  # noqa: F401  (loads the engine module)
    from tinygrad_edu import printing, random

    sys.modules["tinygrad_edu.tensor"].DEFAULT_DTYPE = np.dtype(np.float64)
    random.set_program_default(np.float32)
    printing.set_printoptions(profile="default")


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    hooks = _hooks()
    pages = [Path(p).resolve() for p in argv] or sorted((ROOT / "docs").rglob("*.md"))
    for page in pages:
        _reset_defaults()  # a page that changes the default dtype must not change the next one
        if update(page, hooks):
            print(f"updated {page.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
