"""draw_graph: the DOT text it writes, and what Graphviz's `dot` makes of it.

The DOT tests read ``.source`` only (no Graphviz program needed). They parse it with the
small reader below: node statements, edges and the nesting of ``subgraph cluster_*`` blocks.
Tensors are given names so that a test can find its node by the title shown on it.
"""

from __future__ import annotations

import html
import re
import shutil
import struct
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any

import graphviz
import numpy as np
import pytest

from tinygrad_edu import Function, Tensor, draw_graph, nn
from tinygrad_edu.documents import NETWORKS

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="Graphviz's `dot` program is not installed (apt-get install graphviz)",
)

GRAD_COLOR = "#b00000"  # the colour of gradient rows (the stepper finds them by it)

# --------------------------------------------------------------------------- a DOT reader

_QUOTED = r'"(?:[^"\\]|\\.)*"'
_NODE = re.compile(r"^\s*(\w+) \[label=(<.*>|" + _QUOTED + r"|[^\s\]]+)\s*(.*)\]\s*$")
_ATTR = re.compile(r"(\w+)=(" + _QUOTED + r"|[^\s\]]+)")
_EDGE = re.compile(r"^\s*(\w+) -> (\w+)")
_SUBGRAPH = re.compile(r"^\s*subgraph (\w+) \{\s*$")
_LABEL_STMT = re.compile(r"^\s*label=(" + _QUOTED + r"|\S+)")


def _linear(name: str, n_in: int, n_out: int) -> str:
    """A Linear layer's cluster label: its name and PyTorch's repr."""
    return f"{name}: Linear(in_features={n_in}, out_features={n_out}, bias=True)"


def _unquote(v: str) -> str:
    if v.startswith('"') and v.endswith('"'):
        return v[1:-1].replace('\\"', '"')
    return v


def _label_text(label: str) -> str:
    """The text a reader sees on a node: HTML tags dropped, one line per row or <br/>."""
    if label.startswith("<"):
        text = re.sub(r"<br\s*/?>", "\n", label[1:-1])
        text = re.sub(r"</tr>", "\n", text)
        text = re.sub(r"<[^>]+>", "", text)
        return html.unescape(text)
    return _unquote(label).replace("\\n", "\n")


@dataclass
class Node:
    id: str
    label: str
    text: str
    attrs: dict[str, str]
    cluster: str | None
    title: str = ""


@dataclass
class Dot:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[tuple[str, str]] = field(default_factory=list)
    clusters: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> label, parent
    graph_attrs: str = ""

    def by_title(self, title: str) -> Node:
        found = [n for n in self.nodes.values() if n.title == title]
        assert len(found) == 1, f"{len(found)} nodes titled {title!r}: {sorted(self.titles())}"
        return found[0]

    def titles(self) -> list[str]:
        return [n.title for n in self.nodes.values() if n.title]

    def ops(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.attrs.get("shape") == "ellipse"]

    def tensors(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.attrs.get("shape") == "box"]

    def cluster_by_label(self, label: str) -> list[str]:
        return [c for c, info in self.clusters.items() if info["label"] == label]

    def ancestors(self, cluster: str | None) -> list[str]:
        out = []
        while cluster is not None:
            out.append(cluster)
            cluster = self.clusters[cluster]["parent"]
        return out


def parse_dot(src: str) -> Dot:
    dot = Dot()
    stack: list[str] = []
    expect_label = False
    for line in src.splitlines():
        m = _SUBGRAPH.match(line)
        if m:
            name = m.group(1)
            dot.clusters[name] = {"label": None, "parent": stack[-1] if stack else None}
            stack.append(name)
            expect_label = True
            continue
        if line.strip() == "}":
            if stack:
                stack.pop()
            continue
        if expect_label and stack:
            m = _LABEL_STMT.match(line)
            if m:
                dot.clusters[stack[-1]]["label"] = _unquote(m.group(1))
                expect_label = False
                continue
        m = _EDGE.match(line)
        if m:
            dot.edges.append((m.group(1), m.group(2)))
            continue
        m = _NODE.match(line)
        if m:
            nid, label, rest = m.groups()
            attrs = {k: _unquote(v) for k, v in _ATTR.findall(rest)}
            text = _label_text(label)
            title_m = re.search(r"<b>(.*?)</b>", label)
            title = html.unescape(title_m.group(1)) if title_m else ""
            dot.nodes[nid] = Node(nid, label, text, attrs, stack[-1] if stack else None, title)
            continue
        if "rankdir" in line:
            dot.graph_attrs += line
    return dot


_NUMBER = re.compile(r"-?\d+(?:\.\d*)?(?:e[-+]?\d+)?")


def shown_values(node: Node, what: str) -> list[float] | None:
    """The numbers on the node's ``data`` or ``grad`` row(s), or None if there is none."""
    m = re.search(rf"(?m)^{what}\b(.*?)(?=^grad\b|\Z)", node.text, flags=re.S)
    if m is None:
        return None
    return [float(x) for x in _NUMBER.findall(m.group(1))]


def edges_by_title(dot: Dot) -> list[tuple[str, str]]:
    """Edges with each end named by its tensor title or its op's label."""

    def name(nid: str) -> str:
        n = dot.nodes[nid]
        return n.title or n.text.split("\n")[0]

    return [(name(a), name(b)) for a, b in dot.edges]


# --------------------------------------------------------------------------- graphs


def expr_graph() -> dict[str, Tensor]:
    """x = 2, y = 3, z = x*y + x: z = 8, dz/dx = y + 1 = 4, dz/dy = x = 2."""
    x = Tensor(2.0, requires_grad=True, name="x")
    y = Tensor(3.0, requires_grad=True, name="y")
    xy = x * y
    xy.name = "xy"
    z = xy + x
    z.name = "z"
    return {"x": x, "y": y, "xy": xy, "z": z}


def mlp(seed: int = 0) -> tuple[nn.Module, Tensor, Tensor]:
    model = nn.Sequential(nn.Linear(3, 4, rng=seed), nn.Sigmoid(), nn.Linear(4, 1, rng=seed + 1))
    X = Tensor(np.arange(6.0).reshape(2, 3) / 6, name="X")
    out = model(X)
    loss = out.sum()
    loss.name = "loss"
    return model, X, loss


# --------------------------------------------------------------------------- content


def test_values_and_gradients_of_a_small_expression() -> None:
    g = expr_graph()
    g["z"].backward()
    dot = parse_dot(draw_graph(g["z"]).source)
    expected = {"x": (2, 4), "y": (3, 2), "xy": (6, 1), "z": (8, 1)}
    for title, (data, grad) in expected.items():
        node = dot.by_title(title)
        assert shown_values(node, "data") == [data], f"{title}: {node.text!r}"
        assert shown_values(node, "grad") == [grad], f"{title}: {node.text!r}"
        assert "scalar" in node.text


def test_every_named_tensor_and_every_op_is_drawn_once() -> None:
    a = Tensor([1.0, -2.0, 3.0], requires_grad=True, name="a")
    w = nn.Parameter(np.array([0.5, 0.25, -1.0]), name="w")
    c = Tensor([2.0, 2.0, 2.0], name="c")
    names = {"a": a, "w": w, "c": c}
    steps = [("aw", lambda: names["a"] * names["w"]), ("s", lambda: names["aw"] + names["c"]),
             ("t", lambda: names["s"].tanh()), ("e", lambda: names["t"].exp()),
             ("m", lambda: names["e"] @ names["a"]), ("r", lambda: names["m"].relu()),
             ("loss", lambda: names["r"] / 2.0)]
    for name, make in steps:
        names[name] = make()
        names[name].name = name
    dot = parse_dot(draw_graph(names["loss"]).source)
    assert sorted(dot.titles()) == sorted(names)
    op_labels = sorted(n.text for n in dot.ops())
    # a constant argument is written into the op's label: loss = r / 2.0 is "Div(·, 2)"
    assert op_labels == sorted(["Mul", "Add", "Tanh", "Exp", "MatMul", "ReLU", "Div(·, 2)"])
    assert len(dot.tensors()) == len(names)


def test_edges_go_from_input_tensor_to_op_to_output_tensor() -> None:
    g = expr_graph()
    dot = parse_dot(draw_graph(g["z"]).source)
    assert sorted(edges_by_title(dot)) == sorted([
        ("x", "Mul"), ("y", "Mul"), ("Mul", "xy"), ("xy", "Add"), ("x", "Add"), ("Add", "z"),
    ])
    # each op node has exactly one outgoing edge, to a tensor
    for op in dot.ops():
        outs = [b for a, b in dot.edges if a == op.id]
        assert len(outs) == 1 and dot.nodes[outs[0]] in dot.tensors(), op


def test_dtype_is_shown_for_float32_only() -> None:
    x32 = Tensor([1.0, 2.0], dtype=np.float32, requires_grad=True, name="x32")
    x64 = Tensor([1.0, 2.0], requires_grad=True, name="x64")
    y = (x32 * 2).sum() + x64.sum()
    y.name = "y"
    dot = parse_dot(draw_graph(y).source)
    assert "float32" in dot.by_title("x32").text
    assert "float64" not in dot.by_title("x64").text
    assert "float32" not in dot.by_title("x64").text


def test_parameters_leaves_constants_and_intermediates_are_styled_apart() -> None:
    p = nn.Parameter(np.ones(2), name="p")
    leaf = Tensor([1.0, 2.0], requires_grad=True, name="leaf")
    const = Tensor([3.0, 4.0], name="const")
    mid = p * leaf
    mid.name = "mid"
    out = (mid + const).sum()
    out.name = "out"
    dot = parse_dot(draw_graph(out).source)

    def look(title: str) -> tuple[Any, ...]:
        a = dot.by_title(title).attrs
        return (a.get("shape"), a.get("style"), a.get("fillcolor"), a.get("color"))

    looks = {t: look(t) for t in ("p", "leaf", "const", "mid")}
    assert len(set(looks.values())) == 4, looks
    # ops are drawn unlike any tensor
    assert len(dot.tensors()) == 6 and len(dot.ops()) == 3
    for op in dot.ops():
        assert op.attrs.get("shape") != "box"


def test_show_data_and_show_grad_switch_rows_off() -> None:
    g = expr_graph()
    g["z"].backward()
    full = parse_dot(draw_graph(g["z"]).source)
    no_data = parse_dot(draw_graph(g["z"], show_data=False).source)
    no_grad = parse_dot(draw_graph(g["z"], show_grad=False).source)
    for title in g:
        assert shown_values(full.by_title(title), "data") is not None
        assert shown_values(no_data.by_title(title), "data") is None
        assert shown_values(no_data.by_title(title), "grad") is not None
        assert shown_values(no_grad.by_title(title), "grad") is None
        assert shown_values(no_grad.by_title(title), "data") is not None
        assert "scalar" in no_data.by_title(title).text  # the shape stays
    assert GRAD_COLOR in draw_graph(g["z"]).source
    assert GRAD_COLOR not in draw_graph(g["z"], show_grad=False).source


def test_no_gradient_row_before_backward() -> None:
    g = expr_graph()
    dot = parse_dot(draw_graph(g["z"]).source)
    for title in g:
        assert shown_values(dot.by_title(title), "grad") is None
        assert shown_values(dot.by_title(title), "data") is not None


def test_rankdir() -> None:
    z = expr_graph()["z"]
    assert re.search(r"rankdir=\"?LR\b", draw_graph(z).source)
    for rd in ("TB", "RL", "BT"):
        src = draw_graph(z, rankdir=rd).source
        assert re.search(rf"rankdir=\"?{rd}\b", src), src[:200]
    with pytest.raises(ValueError, match="rankdir"):
        draw_graph(z, rankdir="sideways")


def test_max_elements_threshold() -> None:
    small = Tensor(np.arange(16.0).reshape(4, 4), requires_grad=True, name="small")
    big = Tensor(np.arange(17.0), requires_grad=True, name="big")
    loss = small.sum() + big.sum()
    loss.name = "loss"
    loss.backward()
    dot = parse_dot(draw_graph(loss).source)  # default max_elements=16
    assert shown_values(dot.by_title("small"), "data") == list(np.arange(16.0))
    assert shown_values(dot.by_title("small"), "grad") == [1.0] * 16
    assert shown_values(dot.by_title("big"), "data") is None
    assert shown_values(dot.by_title("big"), "grad") is None
    assert "17" in dot.by_title("big").text  # the shape is still there
    dot = parse_dot(draw_graph(loss, max_elements=17).source)
    assert shown_values(dot.by_title("big"), "data") == list(np.arange(17.0))
    dot = parse_dot(draw_graph(loss, max_elements=15).source)
    assert shown_values(dot.by_title("small"), "data") is None
    assert shown_values(dot.by_title("loss"), "data") == [float(16 * 15 / 2 + 17 * 16 / 2)]


def _chain(n_tensors: int) -> Tensor:
    t = Tensor(1.0, requires_grad=True, name="start")
    for _ in range(n_tensors - 1):
        t = t * 1.0
    return t


def test_max_nodes_refuses_a_large_graph_with_a_clear_error() -> None:
    t = _chain(6000)  # default max_nodes is 5000
    with pytest.raises(ValueError, match="max_nodes") as err:
        draw_graph(t)
    assert "5000" in str(err.value)
    # a huge graph is refused quickly, without walking it all or laying anything out
    huge = _chain(100_000)
    start = time.perf_counter()
    with pytest.raises(ValueError, match="max_nodes"):
        draw_graph(huge, max_nodes=100)
    assert time.perf_counter() - start < 2.0


def test_max_nodes_boundary() -> None:
    t = _chain(50)
    assert len(parse_dot(draw_graph(t, max_nodes=50).source).tensors()) == 50
    with pytest.raises(ValueError, match="max_nodes"):
        draw_graph(t, max_nodes=49)


def test_ten_thousand_nodes_turn_into_dot_quickly() -> None:
    # A guard against pathological (quadratic) slowness only; speed figures belong elsewhere.
    x = Tensor(0.5, requires_grad=True, name="x")
    t = x
    for _ in range(9_999):
        t = t + x  # fan-out: x feeds every op
    start = time.perf_counter()
    src = draw_graph(t, max_nodes=20_000).source
    elapsed = time.perf_counter() - start
    assert elapsed < 5.0, f"draw_graph took {elapsed:.1f} s for 10,000 tensors"
    dot = parse_dot(src)
    assert len(dot.tensors()) == 10_000
    assert len(dot.ops()) == 9_999
    assert len(dot.edges) == 3 * 9_999


def test_show_rules_gives_each_ops_derivative_rule() -> None:
    x = Tensor([0.5, -0.5], requires_grad=True, name="x")
    w = Tensor([[1.0], [2.0]], requires_grad=True, name="w")
    h = x.sigmoid()
    h.name = "h"
    k = h.tanh() * x
    k.name = "k"
    m = k.exp() @ w
    m.name = "m"
    plain = parse_dot(draw_graph(m).source)
    ruled = parse_dot(draw_graph(m, show_rules=True).source)
    rule_of = {n.text.split("\n")[0]: n.text for n in ruled.ops()}
    assert "out*(1-out)" in rule_of["Sigmoid"]
    assert "1 - out**2" in rule_of["Tanh"]
    assert "d = out" in rule_of["Exp"]
    assert "d(a*b)/da = b" in rule_of["Mul"]
    assert "grad @ b.T" in rule_of["MatMul"] and "a.T @ grad" in rule_of["MatMul"]
    for n in plain.ops():
        assert "\n" not in n.text and "out*(1-out)" not in n.text, n.text
    assert "out*(1-out)" not in draw_graph(m).source


def test_every_op_of_the_engine_has_a_rule() -> None:
    import inspect

    from tinygrad_edu import ops
    from tinygrad_edu.draw import op_rule

    op_classes = [c for _, c in inspect.getmembers(ops, inspect.isclass)
                  if issubclass(c, Function) and c is not Function and c.__module__ == ops.__name__]
    assert len(op_classes) >= 20
    missing = [c.__name__ for c in op_classes if not op_rule(c).strip()]
    assert not missing, f"ops without a derivative rule comment: {missing}"
    for c in op_classes:
        assert "#" not in op_rule(c) and "\n" not in op_rule(c), (c.__name__, op_rule(c))
    assert "out*(1-out)" in op_rule(ops.Sigmoid)


# cube: d = 3*x**2
class Cube(Function):
    elementwise = True

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * 3 * x**2


class NoComment(Function):
    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x * 1.0

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad


def test_rules_come_from_the_comment_above_the_op_class() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    y = NoComment.apply(Cube.apply(x))
    y.name = "y"
    dot = parse_dot(draw_graph(y, show_rules=True).source)
    texts = {n.text.split("\n")[0]: n.text for n in dot.ops()}
    assert "3*x**2" in texts["Cube"]
    assert texts["NoComment"].strip() == "NoComment"  # no rule: just the name, no crash


def test_same_graph_built_twice_gives_identical_dot() -> None:
    def build() -> Tensor:
        rng = np.random.default_rng(3)
        a = Tensor(rng.standard_normal((3, 2)), requires_grad=True)  # unnamed: short ids
        b = Tensor(rng.standard_normal(2), requires_grad=True)
        c = Tensor(rng.standard_normal((3, 2)))
        h = (a * b + c).sigmoid()
        loss = (h * h + h).mean()
        loss.backward()
        return loss

    first, second = draw_graph(build()).source, draw_graph(build()).source
    assert first == second
    ids = sorted(parse_dot(first).nodes)
    assert all(len(i) <= 8 for i in ids), ids  # short ids, not Python id() numbers
    # With module clusters too. Several builds (kept alive, so they live at different
    # addresses): an order that depends on memory addresses shows up as differing text.
    nets = [NETWORKS["xor-nn"][0]() for _ in range(8)]
    sources = [draw_graph(n["loss"]).source for n in nets]
    differing = [i for i, s in enumerate(sources) if s != sources[0]]
    assert not differing, (
        f"builds {differing} of the same xor-nn graph give DOT text different from build 0; "
        "cluster order in build 0: "
        f"{re.findall(r'subgraph (cluster_[0-9]+)', sources[0])}, in build {differing[0]}: "
        f"{re.findall(r'subgraph (cluster_[0-9]+)', sources[differing[0]])}")


def test_unnamed_tensors_get_distinct_short_titles() -> None:
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = (a * 2 + a).sum()
    dot = parse_dot(draw_graph(b).source)
    titles = [n.title for n in dot.tensors()]
    assert len(titles) == 4 and len(set(titles)) == 4 and all(titles), titles


# --------------------------------------------------------------------------- clusters


def test_sequential_mlp_layers_are_clusters_nested_in_the_sequential() -> None:
    model, X, loss = mlp()
    loss.backward()
    dot = parse_dot(draw_graph(loss).source)
    seq = [c for c, info in dot.clusters.items() if info["label"].startswith("Sequential")]
    assert len(seq) == 1, dot.clusters
    for label in (_linear("0", 3, 4), "1: Sigmoid()", _linear("2", 4, 1)):
        found = dot.cluster_by_label(label)
        assert len(found) == 1, (label, dot.clusters)
        assert dot.clusters[found[0]]["parent"] == seq[0], (label, dot.clusters)
    assert dot.clusters[seq[0]]["parent"] is None
    layer0 = dot.cluster_by_label(_linear("0", 3, 4))[0]
    layer2 = dot.cluster_by_label(_linear("2", 4, 1))[0]
    # parameters carry their dotted names and sit in their layer's box
    assert dot.by_title("0.weight").cluster == layer0
    assert dot.by_title("0.bias").cluster == layer0
    assert dot.by_title("2.weight").cluster == layer2
    assert dot.by_title("2.bias").cluster == layer2
    # the input and the loss (computed outside the model) are outside every box
    assert dot.by_title("X").cluster is None
    assert dot.by_title("loss").cluster is None
    # the layer's MatMul is drawn inside the layer's box
    matmuls_in_0 = [n for n in dot.ops() if n.text == "MatMul" and n.cluster == layer0]
    assert len(matmuls_in_0) == 1
    # parameters are styled as parameters
    assert dot.by_title("0.weight").attrs == dot.by_title("2.bias").attrs


def test_custom_module_attribute_names_label_the_clusters() -> None:
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc1 = nn.Linear(2, 3, rng=0)
            self.act = nn.Tanh()
            self.fc2 = nn.Linear(3, 1, rng=1)

        def forward(self, x: Tensor) -> Tensor:
            return self.fc2(self.act(self.fc1(x)))

    net = Net()
    out = net(Tensor([[1.0, 2.0]], name="x")).sum()
    dot = parse_dot(draw_graph(out).source)
    top = [c for c, i in dot.clusters.items() if i["parent"] is None]
    assert len(top) == 1 and dot.clusters[top[0]]["label"].startswith("Net"), dot.clusters
    for label in (_linear("fc1", 2, 3), "act: Tanh()", _linear("fc2", 3, 1)):
        found = dot.cluster_by_label(label)
        assert len(found) == 1 and dot.clusters[found[0]]["parent"] == top[0], label
    assert dot.by_title("fc1.weight").cluster == dot.cluster_by_label(_linear("fc1", 2, 3))[0]


def test_show_modules_false_draws_no_clusters() -> None:
    _, _, loss = mlp()
    src = draw_graph(loss, show_modules=False).source
    assert "subgraph" not in src
    assert len(parse_dot(src).tensors()) == len(parse_dot(draw_graph(loss).source).tensors())


def test_a_model_called_twice_gives_two_separate_clusters() -> None:
    # Two calls of one model (shared weights) are two boxes side by side: neither call is
    # drawn inside the other.
    model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.Tanh())
    a = Tensor(np.ones((1, 2)), name="a")
    b = Tensor(np.zeros((1, 2)), name="b")
    loss = (model(a) - model(b)).sum()
    dot = parse_dot(draw_graph(loss).source)
    seq = [c for c, i in dot.clusters.items() if i["label"].startswith("Sequential")]
    assert len(seq) == 2, dot.clusters
    for c in seq:
        assert dot.clusters[c]["parent"] is None, (
            f"a Sequential call is drawn inside another call: {dot.clusters}")
    for label in (_linear("0", 2, 2), "1: Tanh()"):
        found = dot.cluster_by_label(label)
        assert sorted(dot.clusters[c]["parent"] for c in found) == sorted(seq), (
            label, dot.clusters)


def test_a_layer_with_two_outputs_is_one_box_holding_both() -> None:
    # An LSTMCell returns (h, c): one call, so one cluster, and both outputs are in it.
    cell = nn.LSTMCell(3, 2)
    x = Tensor(np.ones((1, 3)), name="x")
    h, c = cell(x)
    h.name, c.name = "h", "c"
    dot = parse_dot(draw_graph((h * c).sum()).source)
    boxes = [k for k, i in dot.clusters.items() if i["label"].startswith("LSTMCell")]
    assert len(boxes) == 1, dot.clusters
    assert dot.by_title("h").cluster == boxes[0] and dot.by_title("c").cluster == boxes[0]
    assert dot.by_title("x").cluster is None


def test_a_module_called_with_keyword_arguments_boxes_only_its_own_work() -> None:
    model, X, _ = mlp()
    y = Tensor([[1.0], [0.0]], name="y")
    loss = nn.MSELoss()(input=model(X), target=y)
    dot = parse_dot(draw_graph(loss).source)
    seq = [c for c, i in dot.clusters.items() if i["label"].startswith("Sequential")]
    mse = [c for c, i in dot.clusters.items() if i["label"].startswith("MSELoss")]
    assert len(seq) == 1 and len(mse) == 1, dot.clusters
    assert dot.clusters[seq[0]]["parent"] is None, (
        f"the model is drawn inside the loss's box: {dot.clusters}")
    assert dot.by_title("X").cluster is None
    assert dot.cluster_by_label(_linear("0", 3, 4)), dot.clusters


# --------------------------------------------------------------------------- rendering


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:16]
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@needs_dot
def test_renders_to_svg_with_every_node() -> None:
    model, X, loss = mlp()
    loss.backward()
    d = draw_graph(loss, show_rules=True)
    svg = d.pipe(format="svg", encoding="utf-8")
    assert "<svg" in svg
    parsed = parse_dot(d.source)
    titles = set(re.findall(r"<title>(.*?)</title>", svg))
    assert set(parsed.nodes) <= titles, set(parsed.nodes) - titles
    text = html.unescape(" ".join(re.findall(r"<text[^>]*>(.*?)</text>", svg)))
    for name in ("X", "loss", "0.weight", "2.bias", _linear("0", 3, 4), "MatMul", "Sigmoid"):
        assert name in text, name
    assert GRAD_COLOR in svg.lower()


@needs_dot
def test_renders_to_png() -> None:
    net = NETWORKS["xor"][0]()
    net["loss"].backward()
    png = draw_graph(net["loss"]).pipe(format="png")
    width, height = _png_size(png)
    assert 200 < width < 20_000 and 50 < height < 10_000, (width, height)
    assert len(png) > 5_000


@needs_dot
def test_dot_accepts_every_label_without_warnings() -> None:
    # Awkward names and every kind of op with its rule: `dot` must parse it all silently.
    x = Tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True, name='a<b>&"c\\ {x}')
    y = Tensor([2.0, 4.0], requires_grad=True, name="y[0] | z")
    c = Tensor([1.0, 1.0], dtype=np.float32, name="c'\n")
    h = (x * y - y / 2.0 + c) ** 2
    h = h.exp().log().sqrt().abs().sigmoid().tanh().relu() - (-h)
    h = h.clamp(0.1, 5.0)
    h = (h @ x.T).reshape(4).transpose().max() + h.mean(axis=0).sum() + h[0, 1]
    h = h + x.softmax(axis=1).sum() + x.log_softmax().sum()
    h.backward()
    src = draw_graph(h, show_rules=True).source
    dot_bin = shutil.which("dot")
    assert dot_bin is not None
    proc = subprocess.run([dot_bin, "-Tsvg"], input=src.encode(), capture_output=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr.decode().strip() == "", proc.stderr.decode()
    svg = proc.stdout.decode()
    assert "a&lt;b&gt;&amp;" in svg and "y[0] | z" in svg


@needs_dot
def test_tensor_draw_displays_as_svg_in_jupyter() -> None:
    z = expr_graph()["z"]
    d = z.draw(show_rules=True)
    assert isinstance(d, graphviz.Digraph)
    bundle = d._repr_mimebundle_()
    assert "image/svg+xml" in bundle
    svg = bundle["image/svg+xml"]
    assert "<svg" in svg and ">z<" in svg and ">Mul<" in svg
    assert d._repr_image_svg_xml().strip().endswith("</svg>")


def test_draw_graph_rejects_a_non_tensor() -> None:
    with pytest.raises(TypeError, match="Tensor"):
        draw_graph(np.ones(3))  # type: ignore[arg-type]
