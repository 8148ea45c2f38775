"""A PyTorch name tinygrad_edu lacks says so; a name PyTorch lacks too gets a hint.

``torch_names.py`` holds PyTorch 2.13's public names per namespace. A module's ``__getattr__``
raises ``NotImplementedInTinygradEdu`` ("tinygrad_edu does not implement torch.nn.Conv3d yet")
for a name of the list that the module does not define, and Python's ``AttributeError`` with
"; did you mean ...?" for any other. ``Tensor`` gets stubs from ``install_missing_stubs``.
"""

from __future__ import annotations

import copy
import importlib
import importlib.util
import inspect
import pickle
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from helpers import torch

import tinygrad_edu
import tinygrad_edu.autograd as autograd
import tinygrad_edu.nn.functional as F
import tinygrad_edu.nn.init as init
import tinygrad_edu.nn.utils as nn_utils
import tinygrad_edu.utils.data as data
from tinygrad_edu import Tensor, nn, optim
from tinygrad_edu import torch_names as tn
from tinygrad_edu.optim import lr_scheduler
from tinygrad_edu.torch_names import (
    NotImplementedImportInTinygradEdu,
    NotImplementedInTinygradEdu,
    install_missing_stubs,
)

# Each of tinygrad_edu's modules, the PyTorch namespace it stands for, and its list of names.
MODULES = [
    (tinygrad_edu, "torch", tn.TORCH),
    (nn, "torch.nn", tn.NN),
    (F, "torch.nn.functional", tn.NN_FUNCTIONAL),
    (init, "torch.nn.init", tn.NN_INIT),
    (nn_utils, "torch.nn.utils", tn.NN_UTILS),
    (optim, "torch.optim", tn.OPTIM),
    (lr_scheduler, "torch.optim.lr_scheduler", tn.LR_SCHEDULER),
    (data, "torch.utils.data", tn.UTILS_DATA),
    (autograd, "torch.autograd", tn.AUTOGRAD),
]
MODULE_IDS = [torch_name for _, torch_name, _ in MODULES]
ALL_LISTS = {"torch.Tensor": tn.TENSOR, **{name: names for _, name, names in MODULES}}


@pytest.fixture(scope="module", autouse=True)
def stubs() -> Iterator[tuple[str, ...]]:
    """Tensor's stubs, as the end of tensor.py installs them. Until it does, this file installs
    them and takes them away again, so the tests after it see Tensor as it was."""
    had_dir = "__dir__" in vars(Tensor)
    added = install_missing_stubs(Tensor)
    yield tuple(n for n in tn.TENSOR if isinstance(vars(Tensor).get(n),
                                                    tn._MissingTensorAttribute))
    for name in added:
        delattr(Tensor, name)
    if added and not had_dir:
        del Tensor.__dir__


def _missing(module: types.ModuleType, names: tuple[str, ...]) -> list[str]:
    return [n for n in names if n not in vars(module) and n not in ("utils",)]


# ------------------------------------------------------------------------- the name lists


@pytest.mark.parametrize("torch_name", ALL_LISTS)
def test_name_lists_are_sorted_public_names(torch_name: str) -> None:
    names = ALL_LISTS[torch_name]
    assert list(names) == sorted(set(names)), "sorted, without repeats"
    assert all(n.isidentifier() and not n.startswith("_") for n in names)
    assert len(names) > 10


def test_name_lists_hold_what_learners_meet_and_not_torchs_imports() -> None:
    assert {"zeros", "einsum", "tensor", "float32", "no_grad", "fft", "linalg"} <= set(tn.TORCH)
    assert {"stride", "scatter_add_", "storage", "sum", "backward", "is_leaf"} <= set(tn.TENSOR)
    assert {"Conv3d", "LSTM", "Transformer", "Linear", "Module"} <= set(tn.NN)
    assert {"conv2d", "relu", "cross_entropy"} <= set(tn.NN_FUNCTIONAL)
    assert {"RAdam", "SGD", "lr_scheduler"} <= set(tn.OPTIM)
    assert {"DataLoader", "DistributedSampler"} <= set(tn.UTILS_DATA)
    # modules and typing names that torch merely imports are no names of its namespaces
    assert not {"math", "os", "sys", "warnings", "TYPE_CHECKING", "torch"} & set(tn.TORCH)
    assert not {"math", "np", "Optional", "Callable", "Tensor", "torch"} & set(tn.NN_FUNCTIONAL)
    assert not {"math", "warnings", "Tensor"} & set(tn.NN_INIT)
    assert not {"Counter", "bisect_right", "inf", "Optimizer"} & set(tn.LR_SCHEDULER)


@pytest.mark.skipif(torch is None or not torch.__version__.startswith("2.13."),
                    reason="the lists were generated from PyTorch 2.13")
def test_generated_block_is_what_the_script_makes_from_torch() -> None:
    path = Path(__file__).resolve().parent.parent / "tools" / "gen_torch_names.py"
    spec = importlib.util.spec_from_file_location("gen_torch_names", path)
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    text = Path(tn.__file__).read_text()
    assert gen.generated_block() in text


@pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
@pytest.mark.parametrize("torch_name", ALL_LISTS)
def test_every_listed_name_is_torchs(torch_name: str) -> None:
    if torch_name == "torch.Tensor":
        absent = [n for n in tn.TENSOR if not hasattr(torch.Tensor, n)]
    else:
        mod = importlib.import_module(torch_name)
        # A submodule may load on first use only: look for it without importing it.
        absent = [n for n in ALL_LISTS[torch_name] if n not in vars(mod)
                  and importlib.util.find_spec(f"{torch_name}.{n}") is None]
    assert absent == []


# ------------------------------------------------------- modules: implemented or says so


@pytest.mark.parametrize(("module", "torch_name", "names"), MODULES, ids=MODULE_IDS)
def test_every_torch_name_resolves_or_says_it_is_missing(
        module: types.ModuleType, torch_name: str, names: tuple[str, ...]) -> None:
    implemented = 0
    for name in names:
        try:
            getattr(module, name)
            implemented += 1
        except NotImplementedInTinygradEdu as err:
            assert err.name == name
            assert torch_name in str(err) and name in str(err)
    assert implemented >= 1


@pytest.mark.parametrize(("module", "names"), [
    (tinygrad_edu, ["zeros", "tensor", "cat", "float32", "no_grad", "manual_seed", "randn",
                    "Tensor", "nn", "optim", "autograd", "utils", "cuda", "half"]),
    (nn, ["Linear", "ReLU", "CrossEntropyLoss", "Module", "Sequential", "functional", "init"]),
    (F, ["relu", "cross_entropy", "mse_loss", "softmax", "nll_loss"]),
    (init, ["xavier_uniform_", "kaiming_normal_", "zeros_", "calculate_gain"]),
    (nn_utils, ["clip_grad_norm_", "parameters_to_vector"]),
    (optim, ["SGD", "Adam", "AdamW", "lr_scheduler"]),
    (lr_scheduler, ["StepLR", "LambdaLR", "ReduceLROnPlateau"]),
    (data, ["DataLoader", "TensorDataset", "random_split"]),
    (autograd, ["grad", "Function", "backward"]),
], ids=MODULE_IDS)
def test_implemented_names_resolve(module: types.ModuleType, names: list[str]) -> None:
    for name in names:
        assert hasattr(module, name), name


@pytest.mark.parametrize(("module", "name", "written"), [
    (tinygrad_edu, "einsum", "torch.einsum"),
    (tinygrad_edu, "linalg", "torch.linalg"),
    (nn, "Conv3d", "torch.nn.Conv3d"),
    (nn, "Transformer", "torch.nn.Transformer"),
    (F, "conv3d", "torch.nn.functional.conv3d"),
    (init, "dirac_", "torch.nn.init.dirac_"),
    (nn_utils, "weight_norm", "torch.nn.utils.weight_norm"),
    (optim, "RAdam", "torch.optim.RAdam"),
    (lr_scheduler, "CyclicLR", "torch.optim.lr_scheduler.CyclicLR"),
    (data, "DistributedSampler", "torch.utils.data.DistributedSampler"),
    (autograd, "functional", "torch.autograd.functional"),
])
def test_missing_torch_name_says_so(module: types.ModuleType, name: str, written: str) -> None:
    with pytest.raises(NotImplementedInTinygradEdu) as info:
        getattr(module, name)
    assert str(info.value) == f"tinygrad_edu does not implement {written} yet"
    assert isinstance(info.value, AttributeError) and isinstance(info.value, NotImplementedError)
    assert not hasattr(module, name)
    assert getattr(module, name, "default") == "default"
    with pytest.raises(AttributeError):  # code that catches AttributeError still does
        getattr(module, name)


def test_the_error_is_raised_where_the_name_is_read() -> None:
    # The traceback ends in the module's __getattr__, not in torch_names.py's helpers.
    with pytest.raises(NotImplementedInTinygradEdu) as info:
        nn.Conv3d  # noqa: B018
    assert info.traceback[-1].frame.code.name == "__getattr__"


# -------------------------------------------------------------------- typos get a hint


@pytest.mark.parametrize(("module", "name", "expected"), [
    (tinygrad_edu, "zeroes", "module 'tinygrad_edu' has no attribute 'zeroes'; "
                             "did you mean 'zeros'?"),
    (tinygrad_edu, "Zeros", "module 'tinygrad_edu' has no attribute 'Zeros'; "
                            "did you mean 'zeros'?"),
    (tinygrad_edu, "draw_grap", "module 'tinygrad_edu' has no attribute 'draw_grap'; "
                                "did you mean 'draw_graph'?"),
    (tinygrad_edu, "util", "module 'tinygrad_edu' has no attribute 'util'; "
                           "did you mean 'utils'?"),
    (nn, "Linaer", "module 'tinygrad_edu.nn' has no attribute 'Linaer'; "
                   "did you mean 'Linear'?"),
    (nn, "CrossEntropy", "module 'tinygrad_edu.nn' has no attribute 'CrossEntropy'; "
                         "did you mean 'CrossEntropyLoss'?"),
    (F, "cross_entrpy", "module 'tinygrad_edu.nn.functional' has no attribute "
                        "'cross_entrpy'; did you mean 'cross_entropy'?"),
    (init, "xavier_unifrom_", "module 'tinygrad_edu.nn.init' has no attribute "
                              "'xavier_unifrom_'; did you mean 'xavier_uniform_'?"),
    (optim, "Adamw", "module 'tinygrad_edu.optim' has no attribute 'Adamw'; "
                     "did you mean 'AdamW'?"),
    (lr_scheduler, "StepLr", "module 'tinygrad_edu.optim.lr_scheduler' has no attribute "
                             "'StepLr'; did you mean 'StepLR'?"),
    (data, "Dataloader", "module 'tinygrad_edu.utils.data' has no attribute 'Dataloader'; "
                         "did you mean 'DataLoader'?"),
    (autograd, "grads", "module 'tinygrad_edu.autograd' has no attribute 'grads'; "
                        "did you mean 'grad'?"),
])
def test_a_typo_gets_pythons_error_and_a_hint(module: types.ModuleType, name: str,
                                              expected: str) -> None:
    with pytest.raises(AttributeError) as info:
        getattr(module, name)
    assert type(info.value) is AttributeError  # not "not implemented": PyTorch lacks it too
    assert str(info.value) == expected
    assert not hasattr(module, name)


def test_a_name_of_another_namespace_is_pointed_to() -> None:
    with pytest.raises(AttributeError, match=r"did you mean torch\.nn\.CrossEntropyLoss\?$"):
        tinygrad_edu.CrossEntropyLoss  # noqa: B018
    with pytest.raises(AttributeError,
                       match=r"'cross_entropy'; did you mean .*torch\.nn\.functional\."
                             r"cross_entropy\?$"):
        nn.cross_entropy  # noqa: B018
    with pytest.raises(AttributeError, match=r"did you mean 'relu' or torch\.nn\.ReLU\?$"):
        F.ReLU  # noqa: B018


def test_a_typo_of_a_missing_name_says_that_it_is_missing() -> None:
    with pytest.raises(AttributeError) as info:
        nn.ConvTranspose2D  # noqa: B018
    assert type(info.value) is AttributeError
    assert str(info.value) == ("module 'tinygrad_edu.nn' has no attribute 'ConvTranspose2D'; "
                               "did you mean 'ConvTranspose2d' (tinygrad_edu does not "
                               "implement torch.nn.ConvTranspose2d yet)?")


def test_nothing_close_gives_no_hint() -> None:
    with pytest.raises(AttributeError) as info:
        tinygrad_edu.foo  # noqa: B018
    assert str(info.value) == "module 'tinygrad_edu' has no attribute 'foo'"
    with pytest.raises(AttributeError) as info:
        optim.Nonsense  # noqa: B018
    assert str(info.value) == "module 'tinygrad_edu.optim' has no attribute 'Nonsense'"


def test_private_and_dunder_names_get_pythons_message() -> None:
    for module, _, _ in MODULES:
        for name in ("_private", "__wrapped__", "__path_"):
            with pytest.raises(AttributeError) as info:
                getattr(module, name)
            assert type(info.value) is AttributeError
            assert str(info.value) == f"module {module.__name__!r} has no attribute {name!r}"


def test_no_duplicate_hint_from_python() -> None:
    # Python appends its own "Did you mean" (drawn from every global of the module) to an
    # AttributeError that carries no name; ours carry one.
    for get in (lambda: tinygrad_edu.zeroes, lambda: nn.Conv3d):
        with pytest.raises(AttributeError) as info:
            get()
        assert info.value.name in ("zeroes", "Conv3d")


# ------------------------------------------------------------------------- from-imports


def test_from_import_of_a_missing_name_says_so() -> None:
    with pytest.raises(ImportError) as info:
        from tinygrad_edu.nn import Conv3d  # noqa: F401
    assert isinstance(info.value, NotImplementedImportInTinygradEdu)
    assert isinstance(info.value, NotImplementedError)
    assert str(info.value) == "tinygrad_edu does not implement torch.nn.Conv3d yet"
    with pytest.raises(NotImplementedImportInTinygradEdu, match="torch.fft yet"):
        from tinygrad_edu import fft  # noqa: F401
    with pytest.raises(NotImplementedImportInTinygradEdu, match="torch.optim.RAdam yet"):
        from tinygrad_edu.optim import RAdam  # noqa: F401


def test_from_import_of_a_typo_gets_the_hint() -> None:
    with pytest.raises(ImportError) as info:
        from tinygrad_edu import zeroes  # noqa: F401
    assert type(info.value) is ImportError
    assert str(info.value) == ("cannot import name 'zeroes' from 'tinygrad_edu'; "
                               "did you mean 'zeros'?")


def test_from_import_of_what_exists_still_works() -> None:
    from tinygrad_edu import cat, nn, zeros  # noqa: F401
    from tinygrad_edu.nn import Linear  # noqa: F401
    from tinygrad_edu.utils import data as data_module
    from tinygrad_edu.utils.data import DataLoader  # noqa: F401

    assert data_module is data
    # A submodule not imported yet still imports (the from-list import runs before the read):
    # stepper.py is made to look unimported, then put back as it was.
    key = "tinygrad_edu.stepper"
    saved_module, saved_attr = sys.modules.pop(key, None), vars(tinygrad_edu).pop("stepper", None)
    try:
        namespace: dict[str, object] = {}
        exec("from tinygrad_edu import stepper", namespace)
        assert namespace["stepper"] is sys.modules[key]
    finally:
        sys.modules.pop(key, None)
        vars(tinygrad_edu).pop("stepper", None)
        if saved_module is not None:
            sys.modules[key] = saved_module
        if saved_attr is not None:
            tinygrad_edu.stepper = saved_attr


# ----------------------------------------------- devices and dtypes that will never exist


def test_never_names_say_why() -> None:
    with pytest.raises(NotImplementedInTinygradEdu, match=r"^torch\.bfloat16: .*NumPy, which "
                                                            r"has no bfloat16 \(use float32"):
        tinygrad_edu.bfloat16  # noqa: B018
    with pytest.raises(NotImplementedInTinygradEdu,
                       match=r"^torch\.mps: tinygrad_edu computes on the CPU with NumPy; "
                             r"device 'mps' is not available \(use 'cpu'\)$"):
        tinygrad_edu.mps  # noqa: B018
    t = Tensor([1.0])
    with pytest.raises(NotImplementedInTinygradEdu, match=r"^torch\.Tensor\.bfloat16: .*no "
                                                            r"bfloat16"):
        t.bfloat16()
    with pytest.raises(NotImplementedInTinygradEdu, match=r"device 'xpu' is not available"):
        t.xpu()


def test_clearer_existing_messages_stay(stubs: tuple[str, ...]) -> None:
    # half and cuda are Tensor's own methods with their own errors: no stub replaces them.
    assert not {"half", "cuda", "cpu", "to"} & set(stubs)
    t = Tensor([1.0])
    with pytest.raises(TypeError, match="float16"):
        t.half()
    with pytest.raises(RuntimeError, match="computes on the CPU"):
        t.cuda()
    assert tinygrad_edu.cuda.is_available() is False


# ------------------------------------------------------------------------------ Tensor


def test_tensor_stubs_cover_every_missing_torch_tensor_name(stubs: tuple[str, ...]) -> None:
    t = Tensor(np.ones((2, 3)), requires_grad=True)
    for name in tn.TENSOR:
        found = inspect.getattr_static(t, name)
        if name in stubs:
            with pytest.raises(NotImplementedInTinygradEdu) as info:
                getattr(t, name)
            assert info.value.name == name and name in str(info.value)
        else:  # Tensor's own (read statically: a property is not run)
            assert not isinstance(found, tn._MissingTensorAttribute)
    assert {"stride", "scatter_add_", "storage", "is_sparse"} <= set(stubs)
    assert not {"sum", "backward", "view", "grad", "shape", "data", "T"} & set(stubs)


@pytest.mark.parametrize("name", ["stride", "storage", "scatter_add_", "index_put_", "is_sparse",
                                  "layout"])
def test_missing_tensor_name_says_so(name: str) -> None:
    t = Tensor([1.0, 2.0])
    with pytest.raises(NotImplementedInTinygradEdu) as info:
        getattr(t, name)
    assert str(info.value) == f"tinygrad_edu does not implement torch.Tensor.{name} yet"
    assert not hasattr(t, name)
    assert not hasattr(Tensor, name)
    assert getattr(t, name, None) is None
    with pytest.raises(AttributeError):
        getattr(t, name)


def test_a_call_fails_before_it_runs() -> None:
    t = Tensor([1.0, 2.0])
    with pytest.raises(NotImplementedInTinygradEdu, match="torch.Tensor.scatter_add_ yet"):
        t.scatter_add_(0, Tensor(np.array([0, 1])), Tensor([1.0, 1.0]))
    assert t.data.tolist() == [1.0, 2.0]


def test_subclasses_get_the_stubs_and_a_typo_stays_pythons() -> None:
    p = nn.Parameter(Tensor([1.0]))
    assert not hasattr(p, "stride")
    with pytest.raises(NotImplementedInTinygradEdu, match="torch.Tensor.stride yet"):
        p.stride()
    with pytest.raises(AttributeError) as info:
        Tensor([1.0]).sizee  # noqa: B018  (a name PyTorch lacks too: no stub)
    assert type(info.value) is AttributeError


def test_install_is_idempotent() -> None:
    assert install_missing_stubs(Tensor) == ()


def test_tab_completion_is_not_polluted(stubs: tuple[str, ...]) -> None:
    t = Tensor([1.0])
    listed = dir(t)
    assert set(listed).isdisjoint(stubs)
    assert {"sum", "backward", "view", "grad", "shape", "data", "zero_"} <= set(listed)
    assert listed == sorted(n for n in object.__dir__(t) if n not in stubs)
    # modules list what they define, never the names they lack
    for module, _, names in MODULES:
        assert set(dir(module)).isdisjoint(_missing(module, names))
    assert "einsum" not in dir(tinygrad_edu) and "Conv3d" not in dir(nn)
    assert "missing_attribute" not in dir(tinygrad_edu) and "missing_attribute" not in dir(nn)


def test_nothing_runs_per_operation() -> None:
    # No __getattr__ or __getattribute__ on Tensor: an attribute read costs what it did.
    for klass in Tensor.__mro__[:-1]:
        assert "__getattr__" not in vars(klass) and "__getattribute__" not in vars(klass)
    assert Tensor.__getattribute__ is object.__getattribute__


def test_tensors_still_copy_and_pickle() -> None:
    t = Tensor([1.0, 2.0], requires_grad=True)
    for twin in (copy.deepcopy(t), pickle.loads(pickle.dumps(t))):
        assert twin.data.tolist() == [1.0, 2.0] and twin is not t
