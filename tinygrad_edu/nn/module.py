"""``Module``, the base class of layers and models, and ``Parameter``, a tensor it learns.

A module keeps its learnable tensors, its buffers and its submodules in three ordered
registries (``_parameters``, ``_buffers``, ``_modules``), filled as attributes are assigned.
Those registries give ``parameters()``, ``state_dict()`` and the dotted names (``fc1.weight``)
their order, as in PyTorch. Each registered value is also a plain instance attribute, so
``model.fc1`` is an ordinary attribute read (PyTorch finds it with ``__getattr__``).
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple, TypeVar

import numpy as np

from ..tensor import Tensor, no_grad
from ..tensor_methods import check_device, is_dtype_like

__all__ = ["Module", "Parameter"]

M = TypeVar("M", bound="Module")

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


class Parameter(Tensor):
    """A tensor that a ``Module`` registers as learnable: ``requires_grad=True`` by default.

    ``Parameter(t)`` of a float ``Tensor`` shares ``t``'s array, as PyTorch's does; other
    data (arrays, lists, numbers) is copied.

    ``_torch_layout_transposed`` is True on ``nn.Linear``'s weight, whose shape
    ``(in_features, out_features)`` is the transpose of PyTorch's: ``nn.init`` then computes
    fans and draws random numbers for PyTorch's ``(out, in)`` tensor and transposes them, so
    the numbers equal PyTorch's (transposed).
    """

    __slots__ = ("_torch_layout_transposed",)

    def __init__(self, data: Any = None, requires_grad: bool = True, dtype: Any = None,
                 name: str | None = None) -> None:
        if data is None:
            data = np.empty(0)
        if (isinstance(data, Tensor) and data.data.dtype in _FLOATS
                and (dtype is None or np.dtype(dtype) == data.data.dtype)):
            super().__init__(np.empty(0, data.data.dtype), requires_grad=requires_grad,
                             name=name)
            self.data = data.data
        else:
            super().__init__(data, requires_grad=requires_grad, dtype=dtype, name=name)
        self._torch_layout_transposed = False

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class _IncompatibleKeys(NamedTuple):
    """What ``load_state_dict`` returns: the names it did not find, and those it did not use."""

    missing_keys: list[str]
    unexpected_keys: list[str]

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (f"_IncompatibleKeys(missing_keys={self.missing_keys}, "
                f"unexpected_keys={self.unexpected_keys})")

    def __str__(self) -> str:
        return self.__repr__()


class RemovableHandle:
    """What ``register_forward_hook`` returns: ``handle.remove()`` unregisters the hook."""

    _ids = itertools.count()

    def __init__(self, hooks: dict[int, Any]) -> None:
        self.hooks = hooks
        self.id = next(RemovableHandle._ids)

    def remove(self) -> None:
        """Unregister the hook (doing it twice is harmless)."""
        self.hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.remove()


def _check_device(device: Any, where: str) -> None:
    """Accept the CPU (``"cpu"``, ``"cpu:0"``, ``device("cpu")``, None); refuse others."""
    try:
        check_device(device)
    except RuntimeError as e:
        raise RuntimeError(f"{where}: {e}") from None


def _float_dtype(dtype: Any, where: str) -> np.dtype:
    """A NumPy float dtype from ``np.float32``, ``"float64"``, a ``Tensor``'s dtype..."""
    try:
        d = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{where}: {dtype!r} is not a dtype") from None
    if d.kind != "f":
        raise TypeError(
            f"{where}: only floating point dtypes are accepted, but got desired dtype={d}"
        )
    if d not in _FLOATS:
        raise TypeError(f"{where}: tinygrad_edu computes in float32 or float64, not {d}")
    return d


def _name_ok(kind: str, name: Any) -> None:
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
    if "." in name:
        raise KeyError(f'{kind} name can\'t contain ".", got: {name}')
    if name == "":
        raise KeyError(f'{kind} name can\'t be empty string ""')


def _as_array(value: Any) -> np.ndarray:
    """A state-dict value as an array: a Tensor's data, an array, a list, a torch tensor."""
    if isinstance(value, Tensor):
        return value.data
    detach = getattr(value, "detach", None)  # a torch.Tensor, possibly requiring grad
    if callable(detach) and hasattr(value, "numpy"):
        return np.asarray(detach().numpy())
    return np.asarray(value)



def _state_value(name: str, value: Any) -> np.ndarray:
    """A state-dict entry as a real-number array, or a TypeError/ValueError naming its key."""
    if value is None or isinstance(value, str | bytes | dict | set):
        raise TypeError(f"load_state_dict: {name} must be a tensor or an array of numbers, "
                        f"got {type(value).__name__} {value!r:.60}")
    try:
        arr = _as_array(value)
    except (TypeError, ValueError) as e:  # a ragged list, say
        raise ValueError(f"load_state_dict: {name} cannot be made an array: {e}") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"load_state_dict: {name} has dtype {arr.dtype}, not real numbers "
                        f"(an array of int, float or bool is accepted)")
    return arr


def _tensors_in(x: Any) -> list[Tensor]:
    """The tensors in a forward's result: itself, or those in a (nested) tuple or list."""
    if isinstance(x, Tensor):
        return [x]
    if isinstance(x, tuple | list):
        return [t for v in x for t in _tensors_in(v)]
    return []


def _record_call(module: Module, args: tuple[Any, ...], kwargs: dict[str, Any], out: Any
                 ) -> None:
    """Remember on the output's graph node which module made it and from which inputs, so
    draw_graph can box a layer's tensors together (nothing when no graph is recorded). A layer
    with several outputs (an LSTM's output, (h, c)) is one box: the other outputs are noted
    beside the first."""
    if isinstance(out, Tensor):
        if out._ctx is None:
            return
        outs = [out]
    else:
        outs = [t for t in _tensors_in(out) if t._ctx is not None]
        if not outs:
            return
    inputs = tuple(a for a in (*args, *kwargs.values()) if isinstance(a, Tensor))
    outs = [o for o in outs if not any(o is a for a in inputs)]
    if outs:
        entry = (module, inputs) if len(outs) == 1 else (module, inputs, tuple(outs[1:]))
        outs[0]._ctx.__dict__.setdefault("module_calls", []).append(entry)

class Module:
    """Base class of layers and models: subclass it, call ``super().__init__()``, define
    ``forward``.

    Attributes that are ``Parameter``s, ``Module``s or registered buffers are kept in order,
    which gives ``parameters()``, ``named_parameters()`` and ``state_dict()`` their order and
    their dotted names (``fc1.weight``, ``0.weight`` inside a ``Sequential``).

    Calling the module runs ``forward`` (with any forward hooks). ``training`` is True until
    ``eval()``; layers that behave differently in training read it.
    """

    training: bool = True
    _parameters: OrderedDict[str, Parameter | None]
    _buffers: OrderedDict[str, Tensor | None]
    _non_persistent_buffers_set: set[str]
    _modules: OrderedDict[str, Module | None]
    # Empty until a hook is registered (then an instance dict): the call checks them cheaply.
    _forward_pre_hooks: Mapping[int, Callable[..., Any]] = MappingProxyType({})
    _forward_hooks: Mapping[int, Callable[..., Any]] = MappingProxyType({})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args or kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__() got unexpected arguments: Module.__init__ "
                "takes none (pass them to your own __init__, then call super().__init__())"
            )
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_non_persistent_buffers_set"] = set()
        d["_modules"] = OrderedDict()

    # ----------------------------------------------------------------- registration

    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter) or (isinstance(value, Module) and params is not None):
            if params is None:
                raise AttributeError(
                    f"{type(self).__name__}: cannot assign parameters before "
                    "Module.__init__() call (call super().__init__() first)"
                )
            d.pop(name, None)
            if isinstance(value, Parameter):
                self.register_parameter(name, value)
            else:
                self.add_module(name, value)
            return
        if isinstance(value, Module):
            raise AttributeError(
                f"{type(self).__name__}: cannot assign module before Module.__init__() call "
                "(call super().__init__() first)"
            )
        if params is not None:
            if name in params:
                if value is not None:
                    raise TypeError(
                        f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                        "(nn.Parameter or None expected)"
                    )
                params[name] = None
            elif name in self._modules:
                if value is not None:
                    raise TypeError(
                        f"cannot assign '{type(value).__name__}' as child module '{name}' "
                        "(nn.Module or None expected)"
                    )
                self._modules[name] = None
            elif name in self._buffers:
                if value is not None and not isinstance(value, Tensor):
                    raise TypeError(
                        f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                        "(Tensor or None expected)"
                    )
                self._buffers[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._forget(name)
        object.__delattr__(self, name)

    def _forget(self, name: str, keep: str = "") -> None:
        """Remove ``name`` from the registries but ``keep`` (its attribute stays)."""
        d = self.__dict__
        for key in ("_parameters", "_buffers", "_modules"):
            reg = d.get(key)
            if reg is not None and key != keep:
                reg.pop(name, None)
        if keep != "_buffers":
            d.get("_non_persistent_buffers_set", set()).discard(name)

    def _check_new_name(self, kind: str, name: Any, registry: Mapping[str, Any]) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__}: cannot assign {kind} before Module.__init__() call"
            )
        _name_ok(kind, name)
        if hasattr(self, name) and name not in registry:
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or ``None``, a slot for one) under ``name``."""
        self._check_new_name("parameter", name, self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                "(nn.Parameter or None required)"
            )
        if param is not None and param.grad_fn is not None:
            raise ValueError(
                f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must "
                "be created explicitly: use a Parameter made from the data (x.detach())"
            )
        self._forget(name, keep="_parameters")
        self._parameters[name] = param
        object.__setattr__(self, name, param)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a tensor that is state but not learnt (a running mean, a mask).

        It moves with the module (``to``, ``float()``) and is in ``state_dict()`` unless
        ``persistent=False``.
        """
        self._check_new_name("buffer", name, self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                "(Tensor or None required)"
            )
        self._forget(name, keep="_buffers")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)
        object.__setattr__(self, name, tensor)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a submodule (or ``None``) under ``name``; ``self.name = module`` does the same."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_new_name("module", name, self._modules)
        self._forget(name, keep="_modules")
        self._modules[name] = module
        object.__setattr__(self, name, module)

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        """The submodule at a dotted path (``"encoder.0"``); ``""`` is this module."""
        mod: Module = self
        if target == "":
            return mod
        for item in target.split("."):
            if item not in mod._modules:
                raise AttributeError(f"{mod._get_name()} has no attribute `{item}`")
            nxt = mod._modules[item]
            if not isinstance(nxt, Module):
                raise AttributeError(f"`{item}` is not an nn.Module")
            mod = nxt
        return mod

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at a dotted path (``"fc1.weight"``)."""
        path, _, name = target.rpartition(".")
        mod = self.get_submodule(path)
        p = mod._parameters.get(name)
        if p is None:
            raise AttributeError(f"{mod._get_name()} has no parameter `{name}`")
        return p

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at a dotted path."""
        path, _, name = target.rpartition(".")
        mod = self.get_submodule(path)
        b = mod._buffers.get(name)
        if b is None:
            raise AttributeError(f"{mod._get_name()} has no buffer `{name}`")
        return b

    # ----------------------------------------------------------------- calling

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; subclasses define it, and callers call the module, not ``forward``."""
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._forward_pre_hooks or self._forward_hooks:
            return self._call_with_hooks(args, kwargs)
        out = self.forward(*args, **kwargs)
        _record_call(self, args, kwargs, out)
        return out

    def _call_with_hooks(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        for hook in list(self._forward_pre_hooks.values()):
            res = hook(self, args)
            if res is not None:
                args = res if isinstance(res, tuple) else (res,)
        out = self.forward(*args, **kwargs)
        _record_call(self, args, kwargs, out)
        for hook in list(self._forward_hooks.values()):
            res = hook(self, args, out)
            if res is not None:
                out = res
        return out

    def _hooks(self, key: str) -> dict[int, Callable[..., Any]]:
        hooks = self.__dict__.get(key)
        if hooks is None:
            hooks = {}
            object.__setattr__(self, key, hooks)
        return hooks

    def register_forward_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, args)`` before each forward; a non-None result replaces the args."""
        hooks = self._hooks("_forward_pre_hooks")
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def register_forward_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after each forward; a non-None result replaces it."""
        hooks = self._hooks("_forward_hooks")
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    # ----------------------------------------------------------------- traversal

    def named_modules(self, memo: set[int] | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """This module and every submodule, with dotted names (``""`` for this one).

        A module reachable twice comes once, unless ``remove_duplicate=False``.
        """
        if memo is None:
            memo = set()
        if id(self) in memo:
            return
        if remove_duplicate:
            memo.add(id(self))
        yield prefix, self
        for name, m in self._modules.items():
            if m is not None:
                yield from m.named_modules(memo, f"{prefix}.{name}" if prefix else name,
                                           remove_duplicate)

    def modules(self) -> Iterator[Module]:
        """This module and every submodule."""
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct submodules with their names."""
        seen: set[int] = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self) -> Iterator[Module]:
        """The direct submodules."""
        for _, m in self.named_children():
            yield m

    def _named_members(self, registry: str, prefix: str, recurse: bool,
                       remove_duplicate: bool) -> Iterator[tuple[str, Any]]:
        seen: set[int] = set()
        mods = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
                if recurse else iter([(prefix, self)]))
        for mod_name, m in mods:
            for name, v in m.__dict__[registry].items():
                if v is None or id(v) in seen:
                    continue
                if remove_duplicate:
                    seen.add(id(v))
                yield (f"{mod_name}.{name}" if mod_name else name), v

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """``(dotted_name, parameter)`` pairs, a module's own first, then its children's.

        A parameter shared by two layers comes once (unless ``remove_duplicate=False``);
        ``recurse=False`` gives only this module's own.
        """
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """An iterator over the learnable parameters (as in PyTorch: use it once, or list it)."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        """``(dotted_name, buffer)`` pairs, in the order of ``named_parameters``."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """An iterator over the buffers."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self: M, fn: Callable[[Module], Any]) -> M:
        """Call ``fn`` on every submodule, children first, then on this module; return it.

        The idiom for custom initialisation: ``model.apply(init_weights)``.
        """
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # ----------------------------------------------------------------- modes and grads

    def train(self: M, mode: bool = True) -> M:
        """Set ``training`` on this module and every submodule; return this module."""
        if not isinstance(mode, bool):
            raise ValueError(f"train: training mode is expected to be boolean, got {mode!r}")
        for m in self.modules():
            m.training = mode
        return self

    def eval(self: M) -> M:
        """``train(False)``: evaluation mode."""
        return self.train(False)

    def requires_grad_(self: M, requires_grad: bool = True) -> M:
        """Set ``requires_grad`` on every parameter (False freezes them); return this module."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's gradient: set it to ``None``, or to zeros in place."""
        for p in self.parameters():
            if set_to_none:
                p.grad = None
            else:
                g = p.grad
                if g is not None:
                    g.data[...] = 0.0

    # ----------------------------------------------------------------- dtype and device

    def to(self: M, *args: Any, **kwargs: Any) -> M:
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(tensor)``: convert in place.

        Floating point parameters, their gradients and buffers take the dtype (float32 or
        float64); the Parameter objects stay the same, so an optimizer made before still holds
        them. The only device is the CPU: another raises an error.
        """
        device = kwargs.pop("device", None)
        dtype = kwargs.pop("dtype", None)
        kwargs.pop("non_blocking", None)
        kwargs.pop("copy", None)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        if len(args) > 2:
            raise TypeError(f"to() takes at most 2 positional arguments, got {len(args)}")
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif is_dtype_like(a):
                dtype = a
            elif isinstance(a, int) and not isinstance(a, bool):  # PyTorch: a CUDA index
                device = f"cuda:{a}"
            else:  # "cpu", "cuda", device("cpu")
                device = a
        _check_device(device, "to")
        if dtype is None:
            return self
        return self._cast(_float_dtype(dtype, "nn.Module.to"))

    def _cast(self: M, dtype: np.dtype) -> M:
        for t in itertools.chain(self.parameters(), self.buffers()):
            if t.data.dtype.kind == "f" and t.data.dtype != dtype:
                g = t.grad
                t.data = t.data.astype(dtype)
                if g is not None:
                    t.grad = Tensor(g.data.astype(dtype))
        return self

    def float(self: M) -> M:
        """Convert floating point parameters and buffers to float32."""
        return self._cast(np.dtype(np.float32))

    def double(self: M) -> M:
        """Convert floating point parameters and buffers to float64."""
        return self._cast(np.dtype(np.float64))

    def cpu(self: M) -> M:
        """Nothing to do: tinygrad_edu always computes on the CPU."""
        return self

    def cuda(self, device: Any = None) -> Module:
        """Always an error: tinygrad_edu computes on the CPU with NumPy."""
        _check_device("cuda", "cuda")
        return self

    def half(self) -> Module:
        """Always an error: tinygrad_edu computes in float32 or float64."""
        raise TypeError("half: tinygrad_edu computes in float32 or float64, not float16")

    # ----------------------------------------------------------------- state

    def state_dict(self, *, prefix: str = "", keep_vars: bool = False) -> dict[str, Any]:
        """Name -> a copy of the array of every parameter and persistent buffer.

        The order is that of ``named_parameters``, each module's buffers after its own
        parameters; a shared parameter or module comes once. ``keep_vars=True`` gives the
        tensors themselves instead of copies.
        """
        return OrderedDict((prefix + k, t if keep_vars else t.data.copy())
                           for k, t in self._state_tensors().items())

    def _state_tensors(self) -> dict[str, Tensor]:
        tensors: dict[str, Tensor] = OrderedDict()
        seen: set[int] = set()
        for mod_name, m in self.named_modules():
            dot = f"{mod_name}." if mod_name else ""
            for name, p in m._parameters.items():
                if p is not None and id(p) not in seen:
                    seen.add(id(p))
                    tensors[dot + name] = p
            for name, b in m._buffers.items():
                if b is not None and name not in m._non_persistent_buffers_set:
                    tensors[dot + name] = b
        return tensors

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True
                        ) -> _IncompatibleKeys:
        """Copy arrays into the parameters and buffers in place; on any mismatch raise and
        change nothing.

        With ``strict=True`` (the default) a missing or unexpected name raises ``KeyError``
        naming them all; ``strict=False`` loads the names both sides have and returns them as
        ``(missing_keys, unexpected_keys)``. A shape mismatch raises ``ValueError`` either way.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError("load_state_dict: expected a mapping of names to arrays (e.g. from "
                            f"state_dict()), got {type(state_dict).__name__}")
        own = self._state_tensors()
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        if strict and (missing or unexpected):
            raise KeyError(
                f"load_state_dict: missing keys {missing}, unexpected keys {unexpected}"
            )
        new = {}
        for name, t in own.items():
            if name not in state_dict:
                continue
            arr = _state_value(name, state_dict[name])
            if arr.shape != t.data.shape:
                hint = ""
                if getattr(t, "_torch_layout_transposed", False) and arr.shape[::-1] == t.shape:
                    hint = (" (nn.Linear's weight is (in_features, out_features), the transpose "
                            "of PyTorch's: load its .T)")
                raise ValueError(
                    f"load_state_dict: {name} has shape {arr.shape} in the state dict but "
                    f"{t.data.shape} in the model{hint}"
                )
            if arr.dtype.kind not in "biuf":
                raise TypeError(f"load_state_dict: {name} has dtype {arr.dtype}, not numbers")
            new[name] = arr
        with no_grad():  # all checked: now change, in place, as PyTorch's copy_
            for name, arr in new.items():
                t = own[name]
                t.data[...] = arr
                bump = getattr(t, "_bump_version", None)
                if bump is not None:
                    bump()
        return _IncompatibleKeys(missing, unexpected)

    # ----------------------------------------------------------------- printing

    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """What ``repr`` shows inside the parentheses, e.g. ``in_features=3, ...``."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + repr(m).replace("\n", "\n  ")
                       for name, m in self._modules.items()]
        lines = extra_lines + child_lines
        head = self._get_name() + "("
        if not lines:
            return head + ")"
        if len(extra_lines) == 1 and not child_lines:
            return head + extra_lines[0] + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"
