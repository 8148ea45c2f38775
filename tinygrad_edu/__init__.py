"""tinygrad_edu: a small autograd engine on NumPy that learners can read, use and trust.

``import tinygrad_edu as torch`` also gives PyTorch's namespace (``torch.tensor``,
``torch.zeros``, ``torch.cat``, ``torch.float32`` ...; see ``torch_api.py``). A name of
PyTorch's that is missing raises ``NotImplementedInTinygradEdu`` (an ``AttributeError``):
"tinygrad_edu does not implement torch.X yet".
"""

from typing import TYPE_CHECKING, Any

from . import autograd, nn, optim, random
from . import trace as _trace_module  # noqa: F401  (loaded now: see below)
from .autograd import grad
from .draw import draw_graph
from .gradcheck import GradcheckReport, gradcheck, gradgradcheck, numerical_grad
from .serialization import load, save
from .tensor import Function, Tensor, enable_grad, is_grad_enabled, no_grad, set_grad_enabled

# The torch namespace; its __all__ lists it. Two of its names are also names of submodules
# (torch.tensor and torch.trace, the modules tensor.py and trace.py): both modules are loaded
# above, so the functions below are what the package's attributes keep (a later
# ``import tinygrad_edu.trace`` does not bind the attribute again).
from .torch_api import *  # noqa: F403
from .torch_api import __all__ as _torch_names
from .torch_api import bool_, float32, int32

# PyTorch's dtype names that are also Python builtins; defined last so nothing above sees them.
float = float32  # noqa: A001 (PyTorch's float is 32-bit)
int = int32  # noqa: A001
bool = bool_  # noqa: A001

__version__ = "0.1.0"

__all__ = [
    "Tensor",
    "Function",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "numerical_grad",
    "GradcheckReport",
    "draw_graph",
    "save",
    "load",
    "nn",
    "optim",
    "autograd",
    "random",
    "float",
    "int",
    "bool",
]
__all__ += [n for n in _torch_names if n not in __all__]

# Submodules loaded on first use (``torch.utils.data``).
_LAZY_MODULES = ("utils",)

if not TYPE_CHECKING:  # (for mypy every attribute of the package is a known one)

    def __getattr__(name: str) -> Any:
        """A missing PyTorch name says it is not implemented yet; a typo gets a hint
        (hasattr is False for both: see torch_names.py)."""
        import importlib

        from .torch_names import missing_attribute

        if name in _LAZY_MODULES:
            try:
                return importlib.import_module(f".{name}", __name__)
            except ModuleNotFoundError as err:
                if err.name != f"{__name__}.{name}":
                    raise
        raise missing_attribute(__name__, name)
