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
    folder = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(folder):
        print(f"error: cannot write {out}: the folder {folder} does not exist", file=sys.stderr)
        return 2
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
                picture = dot.pipe(format=fmt)  # before opening: no empty file on failure
                with open(out, "wb") as f:
                    f.write(picture)
    except (graphviz.ExecutableNotFound, RuntimeError) as e:
        if isinstance(e, RuntimeError) and "dot" not in str(e):
            raise
        print(f"error: `dot` was not found; {INSTALL_GRAPHVIZ}.\n"
              f"       `--format dot` writes the DOT text without it.", file=sys.stderr)
        return 1
    print(f"wrote {out}")
    return 0


def _exercises(args: argparse.Namespace) -> int:
    from . import exercises
    from .exercises.i18n import set_lang
    from .exercises.result import use_color

    set_lang(args.lang)
    if args.action == "list":
        for name, ex in exercises.EXERCISES.items():
            kind = "find the bug" if ex.find_the_bug else f"document {ex.document}"
            print(f"{name:32} {ex.title}  [{kind}]")
        return 0
    if not args.name:
        print(f"error: `exercises {args.action}` needs an exercise NAME", file=sys.stderr)
        return 2
    try:
        ex = exercises.get(args.name)
    except KeyError as e:
        print(f"error: {e.args[0]}", file=sys.stderr)
        return 2
    if args.action == "show":
        print(f"{ex.title}\n\n{ex.statement}\n{ex.statement_zh}")
        out = args.file or f"{ex.name.replace('-', '_')}.py"
        if os.path.exists(out) and not args.force:
            print(f"{out} already exists: not overwritten (use --force, or give another FILE)",
                  file=sys.stderr)
            return 1
        else:
            with open(out, "w", encoding="utf-8") as f:
                f.write(ex.solution if args.solution else ex.starter)
            print(f"wrote the {'solution' if args.solution else 'starter file'}: {out}\n"
                  f"check it with: python -m tinygrad_edu exercises check {ex.name} {out}")
        return 0
    if not args.file:
        print(f"error: `exercises {args.action}` needs the FILE with "
              f"{'the submission' if args.action == 'grade' else 'your answer'}",
              file=sys.stderr)
        return 2
    if args.action == "grade":
        return _grade(args, ex.name)
    result = exercises.check(ex.name, args.file,
                             timeout=args.timeout or exercises.DEFAULT_TIMEOUT)
    if args.json:
        print(result.to_json())
    else:
        print(result.report(color=use_color()))
    if args.graph:
        if ex.graph is None:
            print(f"(exercise {ex.name} has no network graph to draw)", file=sys.stderr)
        else:
            try:
                where = exercises.write_graph(ex.name, result, result.learner, args.graph)
                if not args.json:
                    print(f"wrote the graph with your values: {where}")
            except (graphviz.ExecutableNotFound, RuntimeError):
                print(f"error: drawing {args.graph} needs `dot`; {INSTALL_GRAPHVIZ}",
                      file=sys.stderr)
    return 0 if result.passed else 1


def _grade(args: argparse.Namespace, name: str) -> int:
    """``exercises grade``: the submission in a confined process; exit 0 when it passes,
    1 when it does not, 2 when grading was refused."""
    import json

    from .exercises.grade import DEFAULT_TIMEOUT, grade, gradescope_json

    graded = grade(name, args.file, timeout=args.timeout or DEFAULT_TIMEOUT,
                   memory_mb=args.memory, cpu_s=args.cpu, file_size_mb=args.file_size,
                   allow_weak=args.allow_weak_isolation)
    if args.json:
        print(json.dumps(gradescope_json(graded, name), indent=2, ensure_ascii=False))
    else:
        print(graded.report())
    if graded.refused is not None:
        if args.json:
            print(graded.report(), file=sys.stderr)
        return 2
    return 0 if graded.passed else 1


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

    e = sub.add_parser("exercises", help="gradient exercises: list, show, check, grade",
                       description="Teaching exercises checked against the engine. `grade` "
                                   "runs a submission confined, for autograders "
                                   "(docs/grading.md).")
    e.add_argument("action", choices=("list", "show", "check", "grade"))
    e.add_argument("name", nargs="?", help="the exercise (see `exercises list`)")
    e.add_argument("file", nargs="?",
                   help="show: where to write the starter file; check: your answer")
    e.add_argument("--json", action="store_true",
                   help="check: machine-readable result; grade: Gradescope's results.json")
    e.add_argument("--graph", metavar="FILE",
                   help="check: draw the network with your values (.svg, .png, .html, .dot)")
    e.add_argument("--timeout", type=float, default=None,
                   help="check, grade: seconds the code may run (default 20 for check, "
                        "60 for grade)")
    e.add_argument("--memory", type=int, default=1024, metavar="MB",
                   help="grade: address space of the submission's process (default 1024)")
    e.add_argument("--cpu", type=int, default=None, metavar="S",
                   help="grade: CPU seconds of the submission (default: the timeout)")
    e.add_argument("--file-size", type=int, default=16, metavar="MB",
                   help="grade: largest file the submission may write (default 16)")
    e.add_argument("--allow-weak-isolation", action="store_true",
                   help="grade: run even without Landlock (only inside a container)")
    e.add_argument("--solution", action="store_true", help="show: write the reference solution")
    e.add_argument("--force", action="store_true", help="show: overwrite FILE")
    e.add_argument("--lang", choices=("en", "zh"),
                   help="language of the messages and hints (default: from the locale, "
                        "zh when LANG etc. start with zh, else en)")
    e.set_defaults(run=_exercises)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly
        sys.stderr.close()
        return 0
