"""The command line: ``python -m tinygrad_edu graph xor --out xor.svg``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

import graphviz

from .documents import NETWORKS
from .draw import draw_graph

FORMATS = ("dot", "svg", "png", "html")
INSTALL_GRAPHVIZ = ("install Graphviz to lay graphs out: apt-get install graphviz (Debian/Ubuntu), "
                    "brew install graphviz (macOS), or https://graphviz.org/download/")


def _graph(args: argparse.Namespace) -> int:
    if args.list or not args.network:
        for name, (_, about) in NETWORKS.items():
            print(f"{name:12} {about}")
        return 0
    if args.network not in NETWORKS:
        print(f"error: unknown network {args.network!r}; choose from {', '.join(NETWORKS)}",
              file=sys.stderr)
        return 2
    fmt = args.format
    if fmt is None:
        ext = os.path.splitext(args.out or "")[1].lstrip(".").lower()
        fmt = ext if ext in FORMATS else "svg"
    out = args.out or f"{args.network}.{fmt}"
    tensors = NETWORKS[args.network][0]()
    loss = tensors["loss"]
    options = {"show_data": not args.no_data, "show_grad": not args.no_grad,
               "show_rules": args.rules}
    if args.rankdir:  # else each format's default: LR for pictures, TB for the stepper
        options["rankdir"] = args.rankdir
    try:
        if fmt == "html":
            from .stepper import render_backward

            render_backward(loss, out, title=f"Backward pass of the {args.network} network",
                            **options)
        else:
            loss.backward()
            dot = draw_graph(loss, **options)
            if fmt == "dot":
                with open(out, "w", encoding="utf-8") as f:
                    f.write(dot.source)
            else:
                with open(out, "wb") as f:
                    f.write(dot.pipe(format=fmt))
    except (graphviz.ExecutableNotFound, RuntimeError) as e:
        if isinstance(e, RuntimeError) and "dot" not in str(e):
            raise
        print(f"error: `dot` was not found; {INSTALL_GRAPHVIZ}.\n"
              f"       `--format dot` writes the DOT text without it.", file=sys.stderr)
        return 1
    print(f"wrote {out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tinygrad_edu",
                                     description="tinygrad_edu's command line")
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("graph", help="draw one of the documents' networks",
                       description="Draw one of the documents' networks after one backward pass.")
    g.add_argument("network", nargs="?", help=f"one of: {', '.join(NETWORKS)}")
    g.add_argument("--out", help="output file (default NETWORK.FORMAT)")
    g.add_argument("--format", choices=FORMATS,
                   help="dot, svg, png or html (the backward stepper); "
                        "default: from --out, else svg")
    g.add_argument("--rules", action="store_true", help="write each op's derivative rule")
    g.add_argument("--rankdir", choices=("LR", "TB", "RL", "BT"),
                   help="layout direction (default LR; TB for html)")
    g.add_argument("--no-data", action="store_true", help="leave values out")
    g.add_argument("--no-grad", action="store_true", help="leave gradients out")
    g.add_argument("--list", action="store_true", help="list the networks")
    g.set_defaults(run=_graph)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))
