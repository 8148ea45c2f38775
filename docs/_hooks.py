"""MkDocs hooks: the pictures in the docs are drawn by the code the docs show.

At build time (``on_files``):

1. The ``python`` blocks of each page listed in ``FIGURES`` run, in order, in one fresh
   namespace and a temporary working directory, exactly as ``tests/test_docs.py`` runs them;
   the files those blocks write (``xor.svg``, ``xor_stepper.html``, ...) are published under
   ``figures/``, where the page links to them.
2. ``docs/tutorial.ipynb`` is executed with nbclient and turned into the page ``tutorial.md``,
   outputs included (SVG drawings become files under ``figures/``).

So a picture can never show what the current code no longer draws. The block-reading
helpers here are also what ``tests/test_docs.py`` uses; they import nothing from MkDocs.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent

# page -> files its python blocks write, published as figures/<name>
FIGURES: dict[str, list[str]] = {
    "getting-started.md": ["first_graph.svg"],
    "how-it-works.md": ["fan_out.svg"],
    "drawing.md": ["xor.svg", "xor_rules.svg", "xor_nn.svg", "victorzhou.svg",
                   "xor_stepper.html"],
}
TUTORIAL = "tutorial.ipynb"

# ```lang attrs\n code ```: a fence may be indented (inside a list item); the code is dedented.
FENCE = re.compile(r"^([ \t]*)```([\w+-]*)([^\n]*)\n(.*?)^\1```[ \t]*$", re.DOTALL | re.MULTILINE)
TITLE = re.compile(r'title="([^"]*)"')


class Block(NamedTuple):
    """A fenced code block: its language, its title="..." (or None), code, first code line."""

    lang: str
    title: str | None
    code: str
    line: int


def blocks(text: str) -> list[Block]:
    found = []
    for m in FENCE.finditer(text):
        indent, lang, attrs, code = m.groups()
        if indent:
            code = "".join(ln[len(indent):] if ln.startswith(indent) else ln.lstrip(" \t")
                           for ln in code.splitlines(keepends=True))
        t = TITLE.search(attrs)
        found.append(Block(lang, t.group(1) if t else None, code,
                           text.count("\n", 0, m.start(4)) + 1))
    return found


def is_quote(b: Block) -> bool:
    """A python block titled with a file of the package quotes that file: it is not run."""
    return b.title is not None and b.title.startswith("tinygrad_edu/")


def runnable(bs: list[Block]) -> list[Block]:
    return [b for b in bs if b.lang == "python" and not is_quote(b)]


def quote_found(quote: str, source: str) -> bool:
    """Is ``quote`` a run of consecutive lines of ``source``, all shifted by one indentation?

    A quote may be dedented (a method quoted without its class) but not otherwise edited.
    """
    q = quote.rstrip("\n").split("\n")
    src = source.split("\n")
    first = next((k for k, ln in enumerate(q) if ln.strip()), None)
    if first is None:
        return False
    for i, line in enumerate(src):
        pad = line[: len(line) - len(q[first])]
        start = i - first
        if (not line.endswith(q[first]) or pad.strip() or start < 0
                or start + len(q) > len(src)):
            continue
        if all(b == pad + a or not (a.strip() or b.strip())
               for a, b in zip(q, src[start:start + len(q)], strict=True)):
            return True
    return False


@contextlib.contextmanager
def working_dir(path: Path) -> Iterator[None]:
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def run_block(b: Block, page: Path, namespace: dict[str, Any]) -> str:
    """Run one block in ``namespace`` (in the current directory); return what it printed.

    Tracebacks point at the block's lines in the page.
    """
    code = compile("\n" * (b.line - 1) + b.code, str(page), "exec")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, namespace)
    return out.getvalue()


# --------------------------------------------------------------------------- the notebook


def execute_notebook(path: Path, cwd: Path, timeout: int = 120) -> Any:
    """Run the notebook with nbclient (kernel ``python3``) in ``cwd``; return it executed.

    The kernel finds this checkout's package first (``PYTHONPATH``), installed or not.
    """
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    env_path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env_path) if p)
    try:
        # (--log-level=ERROR: ipykernel's warning about its local TCP socket is noise here.)
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       extra_arguments=["--log-level=ERROR"],
                       resources={"metadata": {"path": str(cwd)}}).execute()
    finally:
        if env_path is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = env_path
    return nb


def notebook_markdown(nb: Any, figure_prefix: str) -> tuple[str, dict[str, str]]:
    """An executed notebook as Markdown, and the SVG figures it displayed (name -> text)."""
    parts: list[str] = []
    figures: dict[str, str] = {}
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            parts.append(cell.source)
            continue
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        parts.append(f"```python\n{cell.source}\n```")
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                title = "Output" if out.name == "stdout" else out.name
                parts.append(f'```text title="{title}"\n{out.text.rstrip()}\n```')
            elif out.output_type in ("execute_result", "display_data"):
                data = out.data
                if "image/svg+xml" in data:
                    name = f"{figure_prefix}{len(figures) + 1}.svg"
                    figures[name] = data["image/svg+xml"]
                    parts.append(f"![output](figures/{name})")
                elif "text/plain" in data:
                    parts.append(f"```text\n{data['text/plain'].rstrip()}\n```")
            elif out.output_type == "error":
                raise RuntimeError(f"{TUTORIAL}: a cell raised {out.ename}: {out.evalue}")
    intro = (f"!!! note \"This page is the notebook `{TUTORIAL}`, run when the site was built\"\n"
             f"    [Download the notebook]({TUTORIAL}) and run it yourself with "
             "`jupyter notebook tutorial.ipynb` (or `jupyter lab`).\n")
    head, _, rest = "\n\n".join(parts).partition("\n")
    return f"{head}\n\n{intro}{rest}\n", figures


# --------------------------------------------------------------------------- MkDocs hook


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File
    from mkdocs.utils import log

    docs = Path(config["docs_dir"])
    # The pages document this checkout: import its package even if another is installed.
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="tinygrad_edu_docs_") as tmp:
        for page, names in FIGURES.items():
            cwd = Path(tmp) / page
            cwd.mkdir()
            namespace: dict[str, Any] = {"__name__": "__docs__"}
            with working_dir(cwd):
                for b in runnable(blocks((docs / page).read_text(encoding="utf-8"))):
                    run_block(b, docs / page, namespace)
            for name in names:
                made = cwd / name
                if not made.exists():
                    raise RuntimeError(f"docs/_hooks.py: the python blocks of {page} did not "
                                       f"write {name}, which FIGURES says they do")
                files.append(File.generated(config, f"figures/{name}",
                                            content=made.read_bytes()))
            log.info("figures of %s drawn: %s", page, ", ".join(names))

        nb_dir = Path(tmp) / "notebook"
        nb_dir.mkdir()
        nb = execute_notebook(docs / TUTORIAL, nb_dir)
        text, figures = notebook_markdown(nb, "tutorial_")
        for name, svg in figures.items():
            files.append(File.generated(config, f"figures/{name}", content=svg))
        files.append(File.generated(config, "tutorial.md", content=text))
        log.info("%s executed: %d figure(s)", TUTORIAL, len(figures))
    return files


if __name__ == "__main__":  # print the tutorial page, for a look without MkDocs
    with tempfile.TemporaryDirectory() as d:
        print(notebook_markdown(execute_notebook(DOCS / TUTORIAL, Path(d)), "tutorial_")[0])
    sys.exit(0)
