"""The documentation cannot rot: its examples run, its quotes match the source, the site builds.

1. Every ```python block of each page in ``docs/`` runs, in order, in one fresh namespace per
   page and a temporary working directory (a failed ``assert`` in a block fails the page).
   A ```text title="Output" block right after a python block must be what that block
   prints (numbers compared to 1e-6, so the last digits of finite differences may vary).
   A python block titled with a file of the package (```python title="tinygrad_edu/ops.py")
   quotes that file: it is not run, but it must appear in the file, verbatim (dedenting
   allowed). Blocks that are not meant to run use another fence: ```text, ```pycon, ```sh.
2. ``docs/tutorial.ipynb`` executes headlessly (nbclient, kernel ``python3``) without error.
3. ``mkdocs build --strict`` succeeds (skipped when MkDocs is not installed: the ``docs``
   extra installs it).

The block reader is the one the site build uses (``docs/_hooks.py``), so the tests and the
pictures in the site run the same code.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _load_hooks() -> Any:
    spec = importlib.util.spec_from_file_location("tinygrad_edu_docs_hooks", DOCS / "_hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


hooks = _load_hooks()

PAGES = sorted(DOCS.rglob("*.md"))
PAGE_BLOCKS = {p: hooks.blocks(p.read_text(encoding="utf-8")) for p in PAGES}
RUNNABLE = [p for p in PAGES if hooks.runnable(PAGE_BLOCKS[p])]
QUOTING = [p for p in PAGES if any(hooks.is_quote(b) for b in PAGE_BLOCKS[p])]
HAVE_DOT = shutil.which("dot") is not None
NO_DOT = "Graphviz's `dot` program is not installed (apt-get install graphviz)"


def rel(p: Path) -> str:
    return p.relative_to(ROOT).as_posix()


# --------------------------------------------------------------------------- comparing output

NUMBER = re.compile(r"([-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)")


def same_output(got: str, want: str, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """Line by line: the same text (up to runs of spaces), numbers equal within tolerance."""
    g_lines = got.rstrip("\n").split("\n")
    w_lines = want.rstrip("\n").split("\n")
    if len(g_lines) != len(w_lines):
        return False
    for g, w in zip(g_lines, w_lines, strict=True):
        gp, wp = NUMBER.split(g), NUMBER.split(w)
        if len(gp) != len(wp):
            return False
        for k, (a, b) in enumerate(zip(gp, wp, strict=True)):
            if k % 2:  # a number
                x, y = float(a), float(b)
                if not abs(x - y) <= atol + rtol * abs(y):
                    return False
            elif a.split() != b.split():
                return False
    return True


# --------------------------------------------------------------------------- the reader itself


def test_block_reader() -> None:
    text = (
        "intro\n"
        "```python\nx = 1\n```\n"
        '```text title="Output"\n1\n```\n'
        "- a list item\n\n"
        "    ```python\n    y = 2\n    if y:\n        z = 3\n    ```\n"
        '```python title="tinygrad_edu/ops.py"\nclass Add(Function):\n```\n'
        "```sh\nmake\n```\n"
    )
    bs = hooks.blocks(text)
    assert [(b.lang, b.title) for b in bs] == [
        ("python", None), ("text", "Output"), ("python", None),
        ("python", "tinygrad_edu/ops.py"), ("sh", None)]
    assert bs[0].code == "x = 1\n" and bs[0].line == 3
    assert bs[2].code == "y = 2\nif y:\n    z = 3\n" and bs[2].line == 11
    assert [b.code for b in hooks.runnable(bs)] == ["x = 1\n", "y = 2\nif y:\n    z = 3\n"]


def test_quote_check_accepts_dedented_runs_and_rejects_edits() -> None:
    source = "class A:\n    def f(self):\n        return 1\n\n    def g(self):\n        return 2\n"
    assert hooks.quote_found("def f(self):\n    return 1\n", source)
    assert hooks.quote_found("class A:\n    def f(self):\n", source)
    assert hooks.quote_found("    return 1\n\ndef g(self):\n", source)
    assert not hooks.quote_found("def f(self):\n    return 2\n", source)   # edited
    assert not hooks.quote_found("def f(self):\ndef g(self):\n", source)   # not consecutive
    assert not hooks.quote_found("def f(self):\n        return 1\n", source)  # re-indented


def test_output_comparison_tolerates_only_tiny_numeric_differences() -> None:
    assert same_output("max abs error 2.9e-11, x = 1.0907842487848955\n",
                       "max abs error 3.4e-11, x = 1.0907842488\n")
    assert same_output("Tensor([ 0.5, -1. ,  2. ])", "Tensor([0.5, -1., 2.])")
    assert not same_output("Tensor([0.5, -1.0])", "Tensor([0.5, 1.0])")
    assert not same_output("gradcheck passed", "gradcheck FAILED")
    assert not same_output("1\n2", "1")


def test_every_page_fences_its_code_knowingly() -> None:
    """```py or ```python3 would silently not run: use ```python, or ```pycon / ```text."""
    for page, bs in PAGE_BLOCKS.items():
        for b in bs:
            assert b.lang not in ("py", "python3", "Python", "ipython"), (
                f"{rel(page)}:{b.line}: fence ```{b.lang}: write ```python for code that runs, "
                "or ```pycon / ```text for code that must not"
            )
            if b.title == "Output":
                before = [x for x in bs if x.line < b.line]
                assert before and before[-1].lang == "python" and not hooks.is_quote(
                    before[-1]), f"{rel(page)}:{b.line}: an Output block must follow a python block"


def test_the_docs_have_examples() -> None:
    names = {p.name for p in RUNNABLE}
    for page in ("index.md", "getting-started.md", "delta-to-autograd.md", "how-it-works.md",
                 "drawing.md", "gradcheck.md"):
        assert page in names, f"docs/{page} has no ```python example (or is missing)"


# --------------------------------------------------------------------------- 1. the pages


@pytest.mark.parametrize("page", RUNNABLE, ids=[rel(p) for p in RUNNABLE])
def test_page_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if page.name in hooks.FIGURES and not HAVE_DOT:
        pytest.skip(NO_DOT)
    monkeypatch.chdir(tmp_path)
    # Subprocesses a block starts (exercises.check) find this checkout's package too.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
    monkeypatch.syspath_prepend(str(ROOT))
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    printed: str | None = None
    last: Any = None
    for b in PAGE_BLOCKS[page]:
        if b.lang == "python" and not hooks.is_quote(b):
            try:
                printed = hooks.run_block(b, page, namespace)
            except BaseException as e:
                raise AssertionError(
                    f"{rel(page)}: the python block at line {b.line} raised "
                    f"{type(e).__name__}: {e}") from e
            last = b
        elif b.title == "Output":
            assert printed is not None
            assert same_output(printed, b.code), (
                f"{rel(page)}:{b.line}: the Output block does not match what the block at "
                f"line {last.line} prints.\n--- printed:\n{printed}--- the page says:\n{b.code}"
            )
    for name in hooks.FIGURES.get(page.name, []):
        assert (tmp_path / name).exists(), (
            f"{rel(page)} no longer writes {name}, which docs/_hooks.py FIGURES publishes")


@pytest.mark.parametrize("page", QUOTING, ids=[rel(p) for p in QUOTING])
def test_quoted_source_is_in_the_source(page: Path) -> None:
    for b in PAGE_BLOCKS[page]:
        if hooks.is_quote(b):
            source = ROOT / b.title
            assert source.is_file(), f"{rel(page)}:{b.line}: {b.title} does not exist"
            assert hooks.quote_found(b.code, source.read_text(encoding="utf-8")), (
                f"{rel(page)}:{b.line}: this quote is no longer in {b.title} as written; "
                f"update the page to the current source:\n{b.code}"
            )


# --------------------------------------------------------------------------- 2. the notebook

NOTEBOOK = DOCS / hooks.TUTORIAL


def test_notebook_is_stored_without_outputs() -> None:
    """Outputs are made when the notebook runs (in this test and in the site build), so a
    stored copy could only go stale. Clear them before committing (Jupyter: Edit > Clear
    Outputs of All Cells, or `jupyter nbconvert --clear-output --inplace docs/tutorial.ipynb`)."""
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    stale = [i for i, c in enumerate(nb["cells"])
             if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert not stale, f"{rel(NOTEBOOK)}: cells {stale} hold outputs; clear them"


def test_notebook_executes(tmp_path: Path) -> None:
    pytest.importorskip("nbformat", reason="the docs extra installs nbformat")
    pytest.importorskip("nbclient", reason="the docs extra installs nbclient")
    pytest.importorskip("ipykernel", reason="the docs extra installs ipykernel")
    if not HAVE_DOT:
        pytest.skip(NO_DOT)
    from nbclient.exceptions import CellExecutionError

    try:
        nb = hooks.execute_notebook(NOTEBOOK, tmp_path, timeout=120)  # seconds per cell
    except CellExecutionError as e:
        pytest.fail(f"{rel(NOTEBOOK)}: a cell failed:\n{e}")
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    svgs = [o for o in outputs if "image/svg+xml" in o.get("data", {})]
    assert len(svgs) >= 1, "the notebook should display at least one graph"
    assert (tmp_path / "victorzhou_backward.html").exists()


# --------------------------------------------------------------------------- 3. the site


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    for module in ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python",
                   "nbclient", "ipykernel"):
        pytest.importorskip(module, reason="the docs extra installs the site's tools")
    if not HAVE_DOT:
        pytest.skip(NO_DOT)
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1",
           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH"))
                                         if p)}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
         str(ROOT / "mkdocs.yml"), "--site-dir", str(site)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=600,
    )
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{proc.stdout}\n{proc.stderr}"
    for page in ("index.html", "getting-started/index.html", "delta-to-autograd/index.html",
                 "how-it-works/index.html", "drawing/index.html", "gradcheck/index.html",
                 "tutorial/index.html", "api/tensor/index.html", "figures/xor.svg",
                 "figures/xor_stepper.html", "tutorial.ipynb"):
        assert (site / page).is_file(), f"the built site has no {page}"
    api = (site / "api" / "tensor" / "index.html").read_text(encoding="utf-8")
    assert "Accumulate d(self)/d(t)" in api, "the API page lacks Tensor.backward's docstring"
