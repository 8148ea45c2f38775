"""conv2d's and an LSTM cell's backward passes, written by hand in NumPy (the other layers are
in ``layers.py``, whose conventions these follow: the engine's layers give the expected values,
finite differences the second oracle, the gradients in the order a backward pass produces them).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import random as tg_random
from ...gradcheck import numerical_grad
from ...nn import functional as F
from ...nn.rnn import LSTMCell, _lstm_step, _project
from ...tensor import Tensor
from .. import register
from ..computation import (
    Computation,
    Graph,
    Node,
    concat,
    crop,
    einsum,
    pad,
    slope,
    tanh,
    unwindow,
    window,
)
from ..core import Case, Exercise, Values
from ..i18n import Msg
from .common import bilingual, sigmoid, text
from .layers import (
    batch_matmul,
    from_graph,
    grads,
    labelled,
    leaf,
    named,
    quantities,
    through,
)

# --------------------------------------------------------------------------- conv2d


def _conv_reference(dout: np.ndarray, x: np.ndarray, w: np.ndarray, stride: int,
                    padding: int) -> tuple[np.ndarray, np.ndarray]:
    """dw and the padded input's gradient, window by window."""
    kh, kw = w.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dw = np.zeros_like(w)
    dxp = np.zeros_like(xp)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            r, s = i * stride, j * stride
            g = dout[:, :, i, j]
            dw += np.einsum("no,nckl->ockl", g, xp[:, :, r:r + kh, s:s + kw])
            dxp[:, :, r:r + kh, s:s + kw] += np.einsum("no,ockl->nckl", g, w)
    return dw, dxp


def _conv_cases() -> list[Case]:
    rng = np.random.default_rng(24)

    def case(label: str, x_shape: tuple[int, ...], w_shape: tuple[int, ...], stride: int,
             padding: int) -> Case:
        x = rng.normal(size=x_shape)
        w = rng.normal(size=w_shape)
        b = rng.normal(size=w_shape[0])
        oh = (x_shape[2] + 2 * padding - w_shape[2]) // stride + 1
        ow = (x_shape[3] + 2 * padding - w_shape[3]) // stride + 1
        dout = rng.normal(size=(x_shape[0], w_shape[0], oh, ow))
        return labelled(label, {"dout": dout, "x": x, "w": w, "b": b, "stride": stride,
                            "padding": padding})

    return [
        case("random", (2, 3, 5, 5), (4, 3, 3, 3), 1, 0),
        case("stride 2, padding 1", (2, 2, 6, 6), (3, 2, 3, 3), 2, 1),
        case("batch of one, one channel, padding 1", (1, 1, 4, 4), (1, 1, 2, 2), 1, 1),
        case("non-square kernel", (2, 2, 4, 5), (3, 2, 2, 3), 1, 0),
        case("stride leaves the last row unused", (1, 2, 6, 6), (2, 2, 3, 3), 2, 0),
        case("1x1 kernel", (2, 3, 3, 3), (2, 3, 1, 1), 1, 0),
    ]


def _conv_graph(case: Case) -> tuple[Tensor, dict[str, Tensor]]:
    i = case.inputs
    x, w, b = named(leaf(i["x"]), "x"), named(leaf(i["w"]), "w"), named(leaf(i["b"]), "b")
    out = F.conv2d(x, w, b, stride=i["stride"], padding=i["padding"])
    return through(out, i["dout"]), {"db": b, "dw": w, "dx": x}


def _conv_numerical(case: Case) -> Values:
    i = case.inputs
    dout = Tensor(i["dout"])

    def loss(x: Tensor, w: Tensor, b: Tensor) -> Tensor:
        return (F.conv2d(x, w, b, stride=i["stride"], padding=i["padding"]) * dout).sum()

    dx, dw, db = numerical_grad(loss, Tensor(i["x"]), Tensor(i["w"]), Tensor(i["b"]))
    return {"db": db, "dw": dw, "dx": dx}


def _conv_computation(case: Case) -> Computation:
    """The window sum in the solution's notation: dw sums each window of xpad times dout at
    its position; dxpad adds dout times w back into each window; dx cuts the padding off."""
    i = case.inputs
    g = Graph(i)
    dout = g.input("dout", role="grad_output")
    x, w = g.input("x"), g.input("w")
    p, stride = g.input("p", float(i["padding"])), g.input("stride", float(i["stride"]))
    xpad = pad(x, p).named("xpad")
    dw = einsum("noij,ncijkl->ockl", dout, window(xpad, w, stride, dout),
                shown="no,nckl->ockl", text='Σ_ij np.einsum("{spec}", {0}[:, :, i, j], {1})',
                kernel=-1, batch=True)
    cols = einsum("noij,ockl->ncijkl", dout, w, shown="no,ockl->nckl",
                  text='np.einsum("{spec}", {0}[:, :, i, j], {1})', kernel=1)
    dxpad = unwindow(cols, xpad, stride, "dxpad").named("dxpad")
    return quantities(g, db=dout.sum(axis=(0, 2, 3), batch=True), dw=dw,
                      dx=crop(dxpad, p, x))


def _conv_dw_kernel_transposed(case: Case) -> Values:
    i = case.inputs
    dw, _ = _conv_reference(i["dout"], i["x"], i["w"], i["stride"], i["padding"])
    return {"dw": dw.swapaxes(2, 3)}


def _conv_dw_channels_swapped(case: Case) -> Values:
    i = case.inputs
    dw, _ = _conv_reference(i["dout"], i["x"], i["w"], i["stride"], i["padding"])
    return {"dw": dw.transpose(1, 0, 2, 3)}


def _conv_dx_flipped_kernel(case: Case) -> Values:
    i = case.inputs
    _, dxp = _conv_reference(i["dout"], i["x"], i["w"][:, :, ::-1, ::-1], i["stride"],
                             i["padding"])
    p, (h, w) = i["padding"], i["x"].shape[2:]
    return {"dx": dxp[:, :, p:p + h, p:p + w]}


def _conv_dx_padded(case: Case) -> Values:
    i = case.inputs
    _, dxp = _conv_reference(i["dout"], i["x"], i["w"], i["stride"], i["padding"])
    return {"dx": dxp} if i["padding"] else {}


CONV2D = register(Exercise(
    name="layer-conv2d-backward",
    title="conv2d's backward as a sum over the windows (stride and padding)",
    title_zh="conv2d 的反向传播：对所有窗口求和（含步长与填充）",
    document="engine",
    statement=text("""
        F.conv2d(x, w, b, stride, padding) pads x (N, C, H, W) with `padding` zeros on every
        side, slides each filter of w (O, C, kh, kw) over it `stride` positions at a time, and
        at output position (i, j) computes, for each example n and filter o,
          out[n, o, i, j] = b[o] + sum over c, k, l of
                            w[o, c, k, l] * xpad[n, c, i*stride + k, j*stride + l]
        (no kernel flip, as PyTorch). Given dout (N, O, oh, ow), the gradient arriving at out,
        write conv2d_backward(dout, x, w, b, stride, padding) returning, in this order:
          db, dw, dx
        Every output position reads one window: its gradient flows back into that window
        of xpad (weighted by w) and into w (weighted by the window). Sum over the windows
        with two loops over (i, j), or with a window view or im2col; dx has x's shape, so the
        padding's border is cut off at the end.
    """),
    statement_zh=text("""
        F.conv2d(x, w, b, stride, padding) 先在 x (N, C, H, W) 的四周各补 padding 圈零，
        再让 w (O, C, kh, kw) 的每个卷积核以步长 stride 在上面滑动；在输出位置 (i, j)，
        对每个样本 n 和卷积核 o 计算
          out[n, o, i, j] = b[o] + 对 c, k, l 求和
                            w[o, c, k, l] * xpad[n, c, i*stride + k, j*stride + l]
        （与 PyTorch 一样，卷积核不翻转）。已知 out 处传来的梯度 dout (N, O, oh, ow)，
        写出 conv2d_backward(dout, x, w, b, stride, padding)，按顺序返回：
          db, dw, dx
        每个输出位置只读了一个窗口：它的梯度流回 xpad 的这个窗口（乘以 w），
        也流回 w（乘以这个窗口）。对所有窗口求和即可：可以对 (i, j) 写两重循环，
        也可以用窗口视图或 im2col。dx 与 x 同形，所以最后要把填充的那一圈去掉。
    """),
    entry="conv2d_backward",
    starter=text('''
        import numpy as np


        def conv2d_backward(dout, x, w, b, stride, padding):
            """x (N, C, H, W), w (O, C, kh, kw), b (O,), dout (N, O, oh, ow).
            Return db, dw, dx."""
            db = ...    # your code here
            dw = ...
            dx = ...
            return db, dw, dx
    '''),
    solution=text('''
        import numpy as np


        def conv2d_backward(dout, x, w, b, stride, padding):
            n, c, h, wd = x.shape
            kh, kw = w.shape[2:]
            p = padding
            xpad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
            db = dout.sum(axis=(0, 2, 3))
            dw = np.zeros_like(w)
            dxpad = np.zeros_like(xpad)
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    r, s = i * stride, j * stride
                    window = xpad[:, :, r:r + kh, s:s + kw]   # (N, C, kh, kw)
                    g = dout[:, :, i, j]                       # (N, O)
                    dw += np.einsum("no,nckl->ockl", g, window)
                    dxpad[:, :, r:r + kh, s:s + kw] += np.einsum("no,ockl->nckl", g, w)
            dx = dxpad[:, :, p:p + h, p:p + wd]
            return db, dw, dx
    '''),
    quantities=("db", "dw", "dx"),
    cases=_conv_cases,
    expected=from_graph(_conv_graph),
    graph=_conv_graph,
    computation=_conv_computation,
    numerical=_conv_numerical,
    mistakes=bilingual({
        Msg("the kernel's two spatial axes are swapped in dw: dw[o, c, k, l] pairs kernel row "
            "k with the window's row, column l with its column",
            "dw 中卷积核的两个空间轴对调了：dw[o, c, k, l] 的 k 对应窗口的行，l 对应窗口的列"):
            _conv_dw_kernel_transposed,
        Msg("dw's channel axes are swapped: dw has w's shape (O, C, kh, kw), output channels "
            "first",
            "dw 的两个通道轴对调了：dw 与 w 同形 (O, C, kh, kw)，输出通道在前"):
            _conv_dw_channels_swapped,
        Msg("dx was computed with the kernel flipped (rotated 180°): conv2d does not flip its "
            "kernel, so each window gets dout times w as it is",
            "计算 dx 时把卷积核翻转了（旋转了 180°）：conv2d 不翻转卷积核，"
            "每个窗口得到的是 dout 乘以原样的 w"):
            _conv_dx_flipped_kernel,
        Msg("dx still has the padding's border: it is the gradient of the padded input; cut "
            "`padding` rows and columns off each side to get x's shape",
            "dx 还带着填充的那一圈：这是补零后输入的梯度；四周各去掉 padding 行和列，"
            "才是 x 的形状"):
            _conv_dx_padded,
    }),
))


# --------------------------------------------------------------------------- LSTM cell

_LSTM_QUANTITIES = ("dgates", "dc_prev", "dweight_ih", "dweight_hh", "dbias_ih", "dbias_hh",
                    "dx", "dh_prev")


def _lstm_reference(i: dict[str, Any], order: tuple[int, int, int, int] = (0, 1, 2, 3),
                    forget_at_new_c: bool = False, no_dh_into_c: bool = False,
                    tanh_slope_at_c: bool = False) -> Values:
    """The step's backward in NumPy, with the gate blocks read in ``order`` (i, f, g, o) and
    the slips of the mistakes below switched on by name."""
    x, h_prev, c_prev = i["x"], i["h_prev"], i["c_prev"]
    w_ih, w_hh = i["weight_ih"], i["weight_hh"]
    hs = h_prev.shape[1]
    gates = x @ w_ih.T + i["bias_ih"] + h_prev @ w_hh.T + i["bias_hh"]
    blocks = [gates[:, k * hs:(k + 1) * hs] for k in order]
    ig, fg, gg, og = sigmoid(blocks[0]), sigmoid(blocks[1]), np.tanh(blocks[2]), sigmoid(blocks[3])
    c = fg * c_prev + ig * gg
    tc = np.tanh(c)
    slope = 1 - c ** 2 if tanh_slope_at_c else 1 - tc ** 2
    dc = i["dc"] if no_dh_into_c else i["dc"] + i["dh"] * og * slope
    parts = [dc * gg * ig * (1 - ig), dc * (c if forget_at_new_c else c_prev) * fg * (1 - fg),
             dc * ig * (1 - gg ** 2), i["dh"] * tc * og * (1 - og)]
    dgates = np.zeros_like(gates)
    for k, part in zip(order, parts, strict=True):
        dgates[:, k * hs:(k + 1) * hs] = part
    return {"dgates": dgates, "dc_prev": dc * fg, "dweight_ih": dgates.T @ x,
            "dweight_hh": dgates.T @ h_prev, "dbias_ih": dgates.sum(axis=0),
            "dbias_hh": dgates.sum(axis=0), "dx": dgates @ w_ih, "dh_prev": dgates @ w_hh}


def _lstm_cases() -> list[Case]:
    rng = np.random.default_rng(25)

    def case(label: str, n: int = 3, scale: float = 0.5, **kw: Any) -> Case:
        n_in, hs = 4, 3
        inputs = {"dh": rng.normal(size=(n, hs)), "dc": rng.normal(size=(n, hs)),
                  "x": rng.normal(size=(n, n_in)), "h_prev": rng.normal(size=(n, hs)),
                  "c_prev": rng.normal(size=(n, hs)),
                  "weight_ih": rng.normal(0, scale, (4 * hs, n_in)),
                  "weight_hh": rng.normal(0, scale, (4 * hs, hs)),
                  "bias_ih": rng.normal(0, scale, 4 * hs), "bias_hh": rng.normal(0, scale, 4 * hs)}
        for k, v in kw.items():
            inputs[k] = v(inputs[k])
        return labelled(label, inputs)

    return [
        case("random"),
        case("batch of one", n=1),
        case("saturated gates", scale=4.0),
        case("gradient from h only (dc = 0)", dc=np.zeros_like),
        case("gradient from c only (dh = 0)", dh=np.zeros_like),
        case("zero previous state", h_prev=np.zeros_like, c_prev=np.zeros_like),
    ]


def _lstm_cell(i: dict[str, Any]) -> tuple[LSTMCell, Tensor, Tensor, Tensor]:
    """The engine's ``nn.LSTMCell`` holding the case's weights, and the step's inputs."""
    state = tg_random.get_rng_state()  # the cell draws its initial weights: leave no trace
    cell = LSTMCell(i["x"].shape[1], i["h_prev"].shape[1], dtype=i["x"].dtype)
    tg_random.set_rng_state(state)
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        getattr(cell, name).data[...] = i[name]
    return cell, leaf(i["x"]), leaf(i["h_prev"]), leaf(i["c_prev"])


_LSTM_LEAVES = ("x", "h_prev", "c_prev", "weight_ih", "weight_hh", "bias_ih", "bias_hh")


def _lstm_graph(case: Case) -> tuple[Tensor, dict[str, Tensor]]:
    """The step nn.LSTMCell runs (its ``forward``'s two calls), with the input projection
    kept: the gates add it to h's projection, so its gradient is the gates' (dgates)."""
    i = case.inputs
    t = {k: named(leaf(i[k]), k) for k in _LSTM_LEAVES}
    gi = named(_project(t["x"], t["weight_ih"], t["bias_ih"]), "x @ weight_ih.T + bias_ih")
    gi.retain_grad()
    h, c = _lstm_step(gi, t["h_prev"], t["c_prev"], t["weight_hh"], t["bias_hh"])
    loss = (named(h, "h") * named(Tensor(i["dh"]), "dh")).sum() \
        + (named(c, "c") * named(Tensor(i["dc"]), "dc")).sum()
    return named(loss, "sum(h * dh) + sum(c * dc)"), {
        "dgates": gi, "dc_prev": t["c_prev"], "dweight_ih": t["weight_ih"],
        "dweight_hh": t["weight_hh"], "dbias_ih": t["bias_ih"], "dbias_hh": t["bias_hh"],
        "dx": t["x"], "dh_prev": t["h_prev"]}


def _lstm_expected(case: Case) -> Values:
    """The engine's nn.LSTMCell itself for every gradient it has; dgates, inside the cell,
    from the same step in the open (``_lstm_graph``)."""
    i = case.inputs
    cell, x, h_prev, c_prev = _lstm_cell(i)
    h, c = cell(x, (h_prev, c_prev))
    ((h * Tensor(i["dh"])).sum() + (c * Tensor(i["dc"])).sum()).backward()
    out = grads(dc_prev=c_prev, dx=x, dh_prev=h_prev, dweight_ih=cell.weight_ih,
                dweight_hh=cell.weight_hh, dbias_ih=cell.bias_ih,  # type: ignore[arg-type]
                dbias_hh=cell.bias_hh)  # type: ignore[arg-type]
    out["dgates"] = from_graph(_lstm_graph)(case)["dgates"]
    return out


def _lstm_computation(case: Case) -> Computation:
    """Every gradient of the step, from dgates (the four gates' blocks joined in the order
    i, f, g, o) down, in the solution's names; the forward values are leaves."""
    i = case.inputs
    hs = i["h_prev"].shape[1]
    gates = (i["x"] @ i["weight_ih"].T + i["bias_ih"] + i["h_prev"] @ i["weight_hh"].T
             + i["bias_hh"])
    pre = [gates[:, k * hs:(k + 1) * hs] for k in range(4)]
    i_, f_, g_, o_ = sigmoid(pre[0]), sigmoid(pre[1]), np.tanh(pre[2]), sigmoid(pre[3])
    g = Graph(i)
    dh, dc = g.input("dh", role="grad_output"), g.input("dc", role="grad_output")
    zi, zf, zg, zo = (g.input(name, v) for name, v in zip(
        ("gates[:, :H]", "gates[:, H:2 * H]", "gates[:, 2 * H:3 * H]", "gates[:, 3 * H:]"),
        pre, strict=True))
    ig, f, gg, o = g.input("i", i_), g.input("f", f_), g.input("g", g_), g.input("o", o_)
    c_prev = g.input("c_prev")
    c = (f * c_prev + ig * gg).named("c")  # computed, so that c stands near c_prev
    tc = tanh(c).named("tc")
    x, h_prev = g.input("x"), g.input("h_prev")

    def sig(at: Node, inp: Node) -> Node:
        return slope("sigmoid", at, inp=inp, out=at, style="{at} * (1 - {at})")

    def tan(at: Node, inp: Node) -> Node:
        return slope("tanh", at, inp=inp, out=at, style="(1 - {at} ** 2)")

    dc_total = (dc + dh * o * tan(tc, c)).named("dc_total")
    di = (dc_total * gg * sig(ig, zi)).named("di")
    df = (dc_total * c_prev * sig(f, zf)).named("df")
    dg = (dc_total * ig * tan(gg, zg)).named("dg")
    do = (dh * tc * sig(o, zo)).named("do")
    dgates = concat([di, df, dg, do], axis=1)
    return quantities(
        g, dgates=dgates, dc_prev=dc_total * f, dweight_ih=batch_matmul(dgates.T, x),
        dweight_hh=batch_matmul(dgates.T, h_prev), dbias_ih=dgates.sum(axis=0, batch=True),
        dbias_hh=dgates.sum(axis=0, batch=True), dx=dgates @ g.input("weight_ih"),
        dh_prev=dgates @ g.input("weight_hh"))


def _lstm_numerical(case: Case) -> Values:
    i = case.inputs
    dh, dc = Tensor(i["dh"]), Tensor(i["dc"])

    def loss(x: Tensor, h: Tensor, c: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor,
             b_hh: Tensor) -> Tensor:
        h2, c2 = _lstm_step(_project(x, w_ih, b_ih), h, c, w_hh, b_hh)
        return (h2 * dh).sum() + (c2 * dc).sum()

    grads = numerical_grad(loss, *(Tensor(i[k]) for k in _LSTM_LEAVES))
    return {f"d{k}": g for k, g in zip(_LSTM_LEAVES, grads, strict=True)}


LSTM_CELL = register(Exercise(
    name="layer-lstm-cell-backward",
    title="One LSTM step's backward (nn.LSTMCell's layout, gates i, f, g, o)",
    title_zh="LSTM 单步的反向传播（nn.LSTMCell 的布局，门的顺序 i, f, g, o）",
    document="engine",
    statement=text("""
        One step of nn.LSTMCell, with x (N, I), h_prev and c_prev (N, H):
          gates = x @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh     (N, 4H)
        split into four blocks of H columns in PyTorch's order i, f, g, o;
          i, f, o = sigmoid of their blocks, g = tanh of its block,
          c = f * c_prev + i * g,   h = o * tanh(c).
        weight_ih is (4H, I) and weight_hh (4H, H), the blocks stacked along the rows.
        Given dh and dc, the gradients arriving at h and at c, write
        lstm_cell_backward(dh, dc, x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh)
        returning, in this order:
          dgates, dc_prev, dweight_ih, dweight_hh, dbias_ih, dbias_hh, dx, dh_prev
        where dgates (N, 4H) is the gradient of the gates before their sigmoid/tanh. c
        reaches the loss twice, through dc and through h = o * tanh(c): add both.
    """),
    statement_zh=text("""
        nn.LSTMCell 的一步，x 的形状为 (N, I)，h_prev 和 c_prev 为 (N, H)：
          gates = x @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh     (N, 4H)
        按 PyTorch 的顺序 i, f, g, o 切成四块，每块 H 列；
          i, f, o 是各自那一块的 sigmoid，g 是它那一块的 tanh，
          c = f * c_prev + i * g，h = o * tanh(c)。
        weight_ih 的形状是 (4H, I)，weight_hh 是 (4H, H)，四块沿行方向叠在一起。
        已知 h 和 c 处传来的梯度 dh、dc，写出
        lstm_cell_backward(dh, dc, x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh)，
        按顺序返回：
          dgates, dc_prev, dweight_ih, dweight_hh, dbias_ih, dbias_hh, dx, dh_prev
        其中 dgates (N, 4H) 是各个门在经过 sigmoid/tanh 之前的梯度。c 通过两条路影响损失：
        一条是 dc，一条是 h = o * tanh(c)，两者要相加。
    """),
    entry="lstm_cell_backward",
    starter=text('''
        import numpy as np


        def sigmoid(z):
            return 1 / (1 + np.exp(-z))


        def lstm_cell_backward(dh, dc, x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh):
            H = h_prev.shape[1]
            gates = x @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh
            i = sigmoid(gates[:, :H])
            f = sigmoid(gates[:, H:2 * H])
            g = np.tanh(gates[:, 2 * H:3 * H])
            o = sigmoid(gates[:, 3 * H:])
            c = f * c_prev + i * g
            h = o * np.tanh(c)
            dgates = ...    # your formulas from here on
            dc_prev = ...
            dweight_ih = ...
            dweight_hh = ...
            dbias_ih = ...
            dbias_hh = ...
            dx = ...
            dh_prev = ...
            return dgates, dc_prev, dweight_ih, dweight_hh, dbias_ih, dbias_hh, dx, dh_prev
    '''),
    solution=text('''
        import numpy as np


        def sigmoid(z):
            return 1 / (1 + np.exp(-z))


        def lstm_cell_backward(dh, dc, x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh):
            H = h_prev.shape[1]
            gates = x @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh
            i = sigmoid(gates[:, :H])
            f = sigmoid(gates[:, H:2 * H])
            g = np.tanh(gates[:, 2 * H:3 * H])
            o = sigmoid(gates[:, 3 * H:])
            c = f * c_prev + i * g
            tc = np.tanh(c)
            dc_total = dc + dh * o * (1 - tc ** 2)  # c reaches the loss through h as well
            di = dc_total * g * i * (1 - i)
            df = dc_total * c_prev * f * (1 - f)
            dg = dc_total * i * (1 - g ** 2)
            do = dh * tc * o * (1 - o)
            dgates = np.concatenate([di, df, dg, do], axis=1)
            dc_prev = dc_total * f
            dweight_ih = dgates.T @ x
            dweight_hh = dgates.T @ h_prev
            dbias_ih = dgates.sum(axis=0)
            dbias_hh = dgates.sum(axis=0)
            dx = dgates @ weight_ih
            dh_prev = dgates @ weight_hh
            return dgates, dc_prev, dweight_ih, dweight_hh, dbias_ih, dbias_hh, dx, dh_prev
    '''),
    quantities=_LSTM_QUANTITIES,
    cases=_lstm_cases,
    expected=_lstm_expected,
    graph=_lstm_graph,
    computation=_lstm_computation,
    numerical=_lstm_numerical,
    mistakes=bilingual({
        Msg("the forget gate's gradient used the new c: df = dc * c_prev * f*(1-f), since "
            "c = f * c_prev + i * g multiplies f by the PREVIOUS cell state",
            "遗忘门的梯度用了新的 c：c = f * c_prev + i * g 中 f 乘的是上一步的 c_prev，"
            "所以 df = dc * c_prev * f*(1-f)"):
            lambda c: _lstm_reference(c.inputs, forget_at_new_c=True),
        Msg("the path from h into c is missing: c also reaches the loss through "
            "h = o * tanh(c), so the gradient at c is dc + dh * o * (1 - tanh(c)**2)",
            "漏了从 h 到 c 的那条路：c 还通过 h = o * tanh(c) 影响损失，"
            "所以 c 处的梯度是 dc + dh * o * (1 - tanh(c)**2)"):
            lambda c: _lstm_reference(c.inputs, no_dh_into_c=True),
        Msg("tanh's slope taken at its input: d tanh(c)/dc = 1 - tanh(c)**2, not 1 - c**2",
            "tanh 的斜率用了它的输入：d tanh(c)/dc = 1 - tanh(c)**2，而不是 1 - c**2"):
            lambda c: _lstm_reference(c.inputs, tanh_slope_at_c=True),
        Msg("the gates read in the order i, f, o, g: nn.LSTMCell stacks them as i, f, g, o "
            "(the third block is the tanh gate g, the fourth the output gate o)",
            "门的顺序读成了 i, f, o, g：nn.LSTMCell 的顺序是 i, f, g, o"
            "（第三块是 tanh 门 g，第四块是输出门 o）"):
            lambda c: _lstm_reference(c.inputs, order=(0, 1, 3, 2)),
    }),
))
