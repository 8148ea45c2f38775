"""tinygrad_edu: a small autograd engine on NumPy that learners can read, use and trust."""

from . import nn, optim
from .autograd import grad
from .draw import draw_graph
from .gradcheck import GradcheckReport, gradcheck, gradgradcheck, numerical_grad
from .serialization import load, save
from .tensor import Function, Tensor, enable_grad, is_grad_enabled, no_grad, set_grad_enabled

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
]
