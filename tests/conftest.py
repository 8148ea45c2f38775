"""Fixtures shared by the test files."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import numpy as np
import pytest

from tinygrad_edu import random as tg_random

# The engine module by its full name: the package's attribute ``tensor`` is torch.tensor().
_core = sys.modules["tinygrad_edu.tensor"]


@pytest.fixture(autouse=True)
def _restore_default_dtype() -> Iterator[None]:
    """A test that calls set_default_dtype must not change the ones after it."""
    dtype, program = _core.DEFAULT_DTYPE, tg_random._program_default
    yield
    _core.DEFAULT_DTYPE = dtype
    tg_random.set_program_default(program)


@pytest.fixture
def float64_program() -> Iterator[None]:
    """Draw as a PyTorch program that called ``torch.set_default_dtype(torch.float64)`` does:
    a float64 tensor's random numbers follow PyTorch's float64 stream (tests that compare
    draws with torch's float64 ones use this; without it they follow the float32 stream)."""
    tg_random.set_program_default(np.float64)
    yield
