"""PyTorch's tensor methods that are compositions of the engine's ops.

``Tensor`` inherits these from ``TensorMethods``. Nothing here has a backward of its own: each
method is written with the operations of ``tensor.py`` and ``ops.py``, so its gradient comes
from theirs and is exact. (``tensor.py`` keeps the core: the data, the graph, the operators
and the primitive ops' methods.)
"""
# The methods annotate ``self`` as ``Tensor``, the class that inherits them; mypy flags such a
# self type on a mixin ("misc") but then checks the bodies against Tensor, which is the point.
# mypy: disable-error-code="misc"

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .tensor import Tensor  # noqa: F401


class TensorMethods:
    """Mixin of ``Tensor``: PyTorch's composite methods (see the module docstring)."""

    __slots__ = ()
