"""Write the lists of PyTorch's public names into ``tinygrad_edu/torch_names.py``.

    .venv/bin/python tools/gen_torch_names.py [--check]

Run it once per PyTorch version (the lists were made from the installed torch, 2.13.0). It
reads ``dir()`` of each namespace a learner's program reaches (``torch``, ``torch.Tensor``,
``torch.nn`` ...), keeps the names a learner could meet, and rewrites the block between the
``BEGIN GENERATED`` and ``END GENERATED`` lines of ``torch_names.py``; the rest of that file
is written by hand. Only names are taken from torch, no code. ``--check`` writes nothing and
exits 1 when the block would change.

What counts as a public name of a module namespace:

- no leading underscore;
- a submodule that is the namespace's own (``torch.nn.functional`` in ``torch.nn``), never a
  module it merely imported (``torch.nn.functional.math``, ``torch.nn.functional.np``);
- where the module has ``__all__``, the names in it; without one (``torch.nn``,
  ``torch.nn.functional``), the classes and functions defined inside torch;
- at the top level also torch's dtypes, layouts and memory formats, and the callables torch
  defines but leaves out of ``__all__`` (``set_default_dtype``, ``unique``);
- never the helpers listed in ``_INTERNAL`` (type aliases and dispatch helpers that torch
  imports into a namespace for its own use), nor the top level's bindings of one vendor's
  kernels (``cudnn_*``, ``miopen_*``, ``mkldnn_*``, ``fbgemm_*``), which torch's own layers
  call and no program does.

Every public name of ``torch.Tensor`` counts: each is a method or property a learner may call.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import types
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "tinygrad_edu" / "torch_names.py"
BEGIN = "# BEGIN GENERATED"
END = "# END GENERATED"

# (constant in torch_names.py, torch's namespace), in the order they are written.
NAMESPACES = (
    ("TORCH", "torch"),
    ("TENSOR", "torch.Tensor"),
    ("NN", "torch.nn"),
    ("NN_FUNCTIONAL", "torch.nn.functional"),
    ("NN_INIT", "torch.nn.init"),
    ("NN_UTILS", "torch.nn.utils"),
    ("OPTIM", "torch.optim"),
    ("LR_SCHEDULER", "torch.optim.lr_scheduler"),
    ("UTILS_DATA", "torch.utils.data"),
    ("AUTOGRAD", "torch.autograd"),
)

# Names a namespace holds for torch's own use, which no tutorial or documentation page uses.
_INTERNAL = {
    "torch": {"LoggerBase", "PRIVATE_OPS", "USE_GLOBAL_DEPS", "USE_RTLD_GLOBAL_WITH_LIBTORCH",
              "TYPE_CHECKING", "classproperty", "get_file_path",
              "prepare_multiprocessing_environment", "torch"},
    "torch.nn": {"factory_kwargs"},
    "torch.nn.functional": {"BroadcastingList1", "BroadcastingList2", "BroadcastingList3",
                            "DType", "ScalingType", "SwizzleType", "Tensor",
                            "assert_int_or_pair", "boolean_dispatch", "handle_torch_function",
                            "has_torch_function", "has_torch_function_unary",
                            "has_torch_function_variadic", "reproducibility_notes",
                            "sparse_support_notes", "tf32_notes",
                            "GRID_SAMPLE_INTERPOLATION_MODES", "GRID_SAMPLE_PADDING_MODES"},
    "torch.autograd": {"handle_torch_function", "has_torch_function", "is_tensor_like"},
}

_VENDOR_KERNELS = ("cudnn_", "miopen_", "mkldnn_", "fbgemm_")


def _is_torch_defined(obj: object) -> bool:
    module = getattr(obj, "__module__", None)
    return isinstance(module, str) and (module == "torch" or module.startswith("torch."))


def module_names(namespace: str) -> list[str]:
    """The public names of one of torch's modules (see the module docstring for the rules)."""
    import torch

    mod = importlib.import_module(namespace)
    listed = set(getattr(mod, "__all__", ()))
    names = set()
    for name in dir(mod):
        if name.startswith("_") or name in _INTERNAL.get(namespace, ()):
            continue
        if namespace == "torch" and name.startswith(_VENDOR_KERNELS):
            continue
        obj = getattr(mod, name)
        if isinstance(obj, types.ModuleType):
            if obj.__name__ == f"{namespace}.{name}":
                names.add(name)
        elif listed:
            # torch leaves some of its public names out of __all__ (set_default_dtype).
            also = namespace == "torch" and (
                isinstance(obj, torch.dtype | torch.layout | torch.memory_format)
                or (callable(obj) and _is_torch_defined(obj)))
            if name in listed or also:
                names.add(name)
        elif (isinstance(obj, type) or callable(obj)) and _is_torch_defined(obj):
            names.add(name)
    # Submodules that load on first use are names of the namespace too (torch.onnx).
    for info in pkgutil.iter_modules(getattr(mod, "__path__", [])):
        if not info.name.startswith("_") and info.name not in _INTERNAL.get(namespace, ()):
            names.add(info.name)
    return sorted(names)


def tensor_names() -> list[str]:
    """Every public method and property of ``torch.Tensor``."""
    import torch

    return sorted(n for n in dir(torch.Tensor) if not n.startswith("_"))


def _tuple_source(const: str, namespace: str, names: list[str]) -> str:
    lines = [f"# {namespace}: {len(names)} names", f"{const}: tuple[str, ...] = ("]
    line = "   "
    for name in names:
        item = f' "{name}",'
        if len(line) + len(item) > 99:
            lines.append(line)
            line = "   "
        line += item
    lines.append(line)
    lines.append(")")
    return "\n".join(lines)


def generated_block() -> str:
    """The text between (and including) the BEGIN and END lines."""
    import torch

    version = torch.__version__.split("+")[0]
    parts = [f"{BEGIN} by tools/gen_torch_names.py from torch {version}: do not edit by hand."]
    for const, namespace in NAMESPACES:
        names = tensor_names() if namespace == "torch.Tensor" else module_names(namespace)
        parts.append(_tuple_source(const, namespace, names))
    parts.append(END)
    return "\n\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the block would change")
    args = parser.parse_args(argv)
    text = TARGET.read_text()
    start, end = text.index(BEGIN), text.index(END)
    end = text.index("\n", end) + 1
    new = text[:start] + generated_block() + text[end:]
    if args.check:
        print("up to date" if new == text else f"{TARGET} is out of date")
        return 0 if new == text else 1
    if new != text:
        TARGET.write_text(new)
        print(f"rewrote the generated block of {TARGET}")
    else:
        print("already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
