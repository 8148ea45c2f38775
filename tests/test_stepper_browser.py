"""render_backward's page in a real headless browser (Chromium through Playwright).

Needs the ``playwright`` Python package (its driver, not its downloaded browsers), a Chromium
binary (Debian's ``chromium`` package: /usr/bin/chromium, or set ``CHROMIUM``), and
Graphviz's ``dot``. Without them the browser tests are skipped, saying what is missing.

Set ``TINYGRAD_EDU_SCREENSHOTS=/some/dir`` to keep the screenshots for a look.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tinygrad_edu import Tensor
from tinygrad_edu.documents import NETWORKS
from tinygrad_edu.stepper import render_backward
from tinygrad_edu.trace import BackwardStep, trace_backward

GRAD_COLOR = "#b00000"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def _chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

CHROMIUM = _chromium()
_NO_BROWSER = [what for what, ok in [
    ("the playwright Python package (pip install playwright)", sync_playwright is not None),
    ("a Chromium binary (apt-get install chromium, or set CHROMIUM=/path)", CHROMIUM is not None),
] if not ok]
# Every page is laid out by Graphviz.
pytestmark = pytest.mark.skipif(shutil.which("dot") is None,
                                reason="needs Graphviz's `dot` program (apt-get install graphviz)")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if _NO_BROWSER:
        pytest.skip("needs " + "; ".join(_NO_BROWSER))
    assert sync_playwright is not None and CHROMIUM is not None
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


class Page:
    """A page with every console message, page error and request recorded."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.url = path.resolve().as_uri()
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.console: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(self.url, wait_until="load")

    def state(self) -> dict[str, Any]:
        return self.page.evaluate(STATE_JS, GRAD_COLOR)

    def close(self) -> None:
        self.page.close()


# Everything a test looks at, read from the live page.
STATE_JS = """
(grad) => {
  const nodes = {};
  for (const g of document.querySelectorAll("g.node")) {
    const id = g.querySelector("title").textContent;
    const texts = [...g.querySelectorAll("text")];
    const red = texts.filter(t => (t.getAttribute("fill") || "").toLowerCase() === grad);
    nodes[id] = {
      first: texts.length ? texts[0].textContent : "",
      text: texts.map(t => t.textContent).join("\\n"),
      gradVisibility: red.map(t => getComputedStyle(t).visibility),
      gradText: red.map(t => t.textContent).join(" "),
    };
  }
  const cur = [...document.querySelectorAll("g.node.current")];
  const shape = cur.length ? cur[0].querySelector("ellipse, polygon, path") : null;
  return {
    step: document.body.dataset.step,
    current: cur.map(g => g.querySelector("title").textContent),
    currentStroke: shape ? getComputedStyle(shape).stroke : null,
    detail: document.getElementById("detail") ? document.getElementById("detail").innerText : "",
    nextDisabled: document.getElementById("next").disabled,
    prevDisabled: document.getElementById("prev").disabled,
    nodes,
  };
}
"""


def small_graph() -> dict[str, Tensor]:
    """Every tensor named; ``a`` used twice; ``c`` a constant."""
    a = Tensor([0.5, -1.0], requires_grad=True, name="a")
    b = Tensor([2.0, 3.0], requires_grad=True, name="b")
    c = Tensor([1.0, 2.0], name="c")
    t: dict[str, Tensor] = {"a": a, "b": b, "c": c}
    t["ab"] = a * b
    t["s"] = t["ab"] + a
    t["h"] = t["s"].sigmoid()
    t["hc"] = t["h"] * c
    t["loss"] = t["hc"].sum()
    for name, x in t.items():
        x.name = name
    return t


def completes_at(loss: Tensor, steps: list[BackwardStep]) -> dict[str, int]:
    """Tensor name -> the step (1-based; 0 = start) after which its gradient is complete."""
    done = {loss.name or "": 0}
    for k, s in enumerate(steps, start=1):
        for inp, sent in zip(s.inputs, s.grad_inputs, strict=True):
            if sent is not None:
                assert inp is not None and inp.name
                done[inp.name] = k
    return done


@pytest.fixture(scope="module")
def small_page_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Tensor]]:
    t = small_graph()
    path = tmp_path_factory.mktemp("stepper") / "small.html"
    assert render_backward(t["loss"], path) == os.fspath(path)
    return path, t


@pytest.fixture(scope="module")
def xor_page_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Tensor]]:
    t = NETWORKS["xor"][0]()
    path = tmp_path_factory.mktemp("stepper") / "xor.html"
    render_backward(t["loss"], path, title="Backward pass of the xor network")
    return path, t


@pytest.fixture
def screenshot_dir(tmp_path: Path) -> Path:
    keep = os.environ.get("TINYGRAD_EDU_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        return Path(keep)
    return tmp_path


def _ids_by_name(state: dict[str, Any]) -> dict[str, str]:
    """Tensor nodes: the name in bold on top of the node -> the node's id (its <title>)."""
    out: dict[str, str] = {}
    for nid, n in state["nodes"].items():
        if not nid.endswith("_op"):  # op nodes are titled "<output id>_op"
            assert n["first"] not in out, f"two nodes titled {n['first']!r}"
            out[n["first"]] = nid
    return out


# --------------------------------------------------------------------------- tests


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for k, v in attrs:
            if k in ("src", "href", "xlink:href", "action", "poster", "data", "srcset"):
                self.refs.append((tag, k, v or ""))


def test_page_is_self_contained(small_page_file: tuple[Path, dict[str, Tensor]]) -> None:
    path, _ = small_page_file
    text = path.read_text(encoding="utf-8")
    parser = _Refs()
    parser.feed(text)
    assert "svg" in parser.tags and "script" in parser.tags
    for tag, attr, value in parser.refs:
        assert value.startswith(("data:", "#")), f"<{tag} {attr}={value!r}> points outside"
    lowered = text.lower()
    assert "@import" not in lowered
    assert "url(http" not in lowered.replace(" ", "") and "url('http" not in lowered
    assert "__svg__" not in lowered and "__data__" not in lowered  # placeholders all filled


def test_loads_without_errors_or_network(browser: Any,
                                         small_page_file: tuple[Path, dict[str, Tensor]]
                                         ) -> None:
    path, t = small_page_file
    page = Page(browser, path)
    try:
        page.page.keyboard.press("End")
        page.page.keyboard.press("Home")
        state = page.state()
    finally:
        page.close()
    assert page.errors == [], page.errors
    bad = [m for m in page.console if m.startswith(("error", "warning"))]
    assert bad == [], bad
    outside = [u for u in page.requests if u != page.url and not u.startswith("data:")]
    assert outside == [], f"the page fetched {outside}"
    assert state["step"] == "0"
    assert set(_ids_by_name(state)) == set(t), state["nodes"]


def test_next_previous_and_arrow_keys_walk_the_steps(
        browser: Any, small_page_file: tuple[Path, dict[str, Tensor]]) -> None:
    path, t = small_page_file
    steps = trace_backward(t["loss"])
    assert [s.op for s in steps] == ["Sum", "Mul", "Sigmoid", "Add", "Mul"]
    done = completes_at(t["loss"], steps)
    assert done["a"] == 5 and done["b"] == 5 and done["h"] == 2 and "c" not in done

    page = Page(browser, path)
    try:
        state0 = page.state()
        ids = _ids_by_name(state0)

        def check(state: dict[str, Any], k: int) -> None:
            assert state["step"] == str(k)
            if k == 0:
                assert state["current"] == []
            else:
                out_name = steps[k - 1].output.name
                assert state["current"] == [f"{ids[out_name]}_op"], (k, out_name, state["current"])
                assert state["currentStroke"] not in (None, "none", "rgb(0, 0, 0)"), (
                    "the current op is not highlighted")
                assert steps[k - 1].op in state["detail"]
                # the step's output tensor shows its (complete) gradient
                vis = state["nodes"][ids[out_name]]["gradVisibility"]
                assert vis and all(v == "visible" for v in vis), (k, out_name, vis)
            for name, nid in ids.items():
                vis = state["nodes"][nid]["gradVisibility"]
                if name not in done:  # the constant: no gradient at all
                    assert vis == [], (name, vis)
                    continue
                assert vis, f"{name} has no gradient text"
                want = "visible" if done[name] <= k else "hidden"
                assert all(v == want for v in vis), (k, name, want, vis)

        check(state0, 0)
        assert state0["prevDisabled"] and not state0["nextDisabled"]
        for k in range(1, len(steps) + 1):
            page.page.click("#next")
            check(page.state(), k)
        last = page.state()
        assert last["nextDisabled"] and not last["prevDisabled"]
        page.page.click("#next", force=True)  # disabled at the end: nothing happens
        check(page.state(), len(steps))
        for k in range(len(steps) - 1, 1, -1):
            page.page.click("#prev")
            check(page.state(), k)
        page.page.keyboard.press("ArrowLeft")
        check(page.state(), 1)
        page.page.keyboard.press("ArrowLeft")
        check(page.state(), 0)
        page.page.keyboard.press("ArrowLeft")  # stays at the start
        check(page.state(), 0)
        page.page.keyboard.press("ArrowRight")
        check(page.state(), 1)
        page.page.keyboard.press("ArrowRight")
        check(page.state(), 2)
        page.page.keyboard.press("End")
        check(page.state(), len(steps))
        page.page.keyboard.press("Home")
        check(page.state(), 0)
    finally:
        page.close()
    assert page.errors == [], page.errors


def test_last_step_shows_every_leafs_gradient(
        browser: Any, xor_page_file: tuple[Path, dict[str, Tensor]],
        screenshot_dir: Path) -> None:
    path, t = xor_page_file
    steps = trace_backward(t["loss"])
    page = Page(browser, path)
    shots = []
    try:
        state = page.state()
        ids = _ids_by_name(state)
        assert {"syn0", "syn1", "l0", "y", "l1", "l2", "l2_error", "loss"} <= set(ids)
        # at the start only the loss shows a gradient
        for name, nid in ids.items():
            vis = state["nodes"][nid]["gradVisibility"]
            assert all(v == ("visible" if name == "loss" else "hidden") for v in vis), name
        shots.append(screenshot_dir / "xor_step0.png")
        page.page.screenshot(path=str(shots[-1]))
        for _ in range(3):
            page.page.keyboard.press("ArrowRight")
        shots.append(screenshot_dir / "xor_step3.png")
        page.page.screenshot(path=str(shots[-1]))
        page.page.keyboard.press("End")
        state = page.state()
        assert state["step"] == str(len(steps))
        shots.append(screenshot_dir / "xor_last.png")
        page.page.screenshot(path=str(shots[-1]))
    finally:
        page.close()
    assert page.errors == [], page.errors
    for name in ("syn0", "syn1"):  # the leaves that require grad
        node = state["nodes"][ids[name]]
        assert node["gradVisibility"] and all(v == "visible" for v in node["gradVisibility"])
    for name in ("l0", "y"):  # constants: no gradient drawn
        assert state["nodes"][ids[name]]["gradVisibility"] == []
    # the numbers shown are backward's gradients
    t["loss"].backward()
    shown = state["nodes"][ids["syn1"]]["gradText"]
    first = f"{t['syn1'].grad.data.ravel()[0]:.4g}"
    assert first in shown, (first, shown)
    for shot in shots:
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000, shot


def test_every_document_network_page_steps_to_the_end(
        browser: Any, tmp_path: Path) -> None:
    for name in ("xor2", "victorzhou", "xor-nn"):
        t = NETWORKS[name][0]()
        path = tmp_path / f"{name}.html"
        render_backward(t["loss"], path)
        steps = trace_backward(t["loss"])
        page = Page(browser, path)
        try:
            page.page.keyboard.press("End")
            state = page.state()
            leaves_shown = [n for n in state["nodes"].values() if n["gradVisibility"]]
            assert all(v == "visible" for n in leaves_shown for v in n["gradVisibility"]), name
            assert state["step"] == str(len(steps)), name
            assert len(leaves_shown) >= 3, name
        finally:
            page.close()
        assert page.errors == [], (name, page.errors)
        assert [m for m in page.console if m.startswith("error")] == [], (name, page.console)


def test_hostile_names_do_not_break_the_page(browser: Any, tmp_path: Path) -> None:
    x = Tensor([1.0, 2.0], requires_grad=True, name="</script><script>window.pwned=1</script>")
    w = Tensor([0.5, -0.5], requires_grad=True, name='<img src=x onerror="window.pwned=2">&amp;')
    loss = (x * w).sigmoid().sum()
    loss.name = "loss </title>"
    path = tmp_path / "hostile.html"
    render_backward(loss, path, title="<b>title</b> & </script>")
    page = Page(browser, path)
    try:
        pwned = page.page.evaluate("window.pwned")
        page.page.keyboard.press("End")
        state = page.state()
        title = page.page.title()
    finally:
        page.close()
    assert pwned is None
    assert page.errors == [], page.errors
    assert state["step"] == str(len(trace_backward(loss)))
    assert "<b>title</b> & </script>" in title
    texts = " ".join(n["text"] for n in state["nodes"].values())
    assert "</script><script>window.pwned=1</script>" in texts  # shown as text, not run
