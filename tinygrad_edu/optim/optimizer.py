"""The ``Optimizer`` base class: parameter groups, per-parameter state, ``zero_grad`` and
``state_dict``, laid out as PyTorch lays them out.

An optimizer holds ``param_groups``, a list of dicts: each has ``'params'`` (a list of
tensors) and every hyper-parameter (``'lr'``, ``'momentum'``, ...), filled from the
constructor's arguments (``defaults``) where the group does not give its own. Its ``state``
maps each parameter to a dict of what the method keeps between steps (a momentum buffer, a
step count), NumPy arrays of the parameter's shape. A step reads ``p.grad.data`` and changes
``p.data`` in place: the update is not part of any graph, as the documents'
``syn0 -= alpha * gradient`` is not.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from copy import deepcopy
from typing import Any, TypeAlias

import numpy as np

from ..tensor import Tensor, enable_grad

__all__ = ["Optimizer", "required", "ParamsT"]

#: What an optimizer's ``params`` may be: tensors, ``(name, tensor)`` pairs (as
#: ``named_parameters()`` gives) or parameter-group dicts.
ParamsT: TypeAlias = "Iterable[Tensor] | Iterable[tuple[str, Tensor]] | Iterable[dict[str, Any]]"


class _RequiredParameter:
    """The default of a hyper-parameter that has none: each group must give its own."""

    def __repr__(self) -> str:
        return "<required parameter>"


#: Marks a hyper-parameter without a default (PyTorch's ``torch.optim.optimizer.required``).
required = _RequiredParameter()


def _evaluate(closure: Callable[[], Any] | None) -> Any:
    """``closure()`` with the graph recorded (even inside ``no_grad``), or None without one."""
    if closure is None:
        return None
    with enable_grad():
        return closure()


def _no_differentiable(opt: str, differentiable: bool) -> None:
    """``differentiable=True`` asks for a step that autograd can go through: not implemented."""
    if differentiable:
        raise NotImplementedError(
            f"{opt}: tinygrad_edu does not implement differentiable=True yet (a step autograd "
            "can differentiate through); its steps change .data outside the graph")


def _grad(p: Tensor, maximize: bool) -> np.ndarray | None:
    """``p``'s gradient array (negated to ascend), or None when it has none."""
    grad = p.grad
    if grad is None:
        return None
    return -grad.data if maximize else grad.data


def _lerp_(start: np.ndarray, end: np.ndarray, weight: float) -> None:
    """``start += weight * (end - start)`` in place: the running averages' update, computed
    in the form that loses least precision for ``weight`` (PyTorch's ``lerp_``)."""
    if abs(weight) < 0.5:
        start += weight * (end - start)
    else:
        start[...] = end - (end - start) * (1 - weight)


def _average_square_(avg: np.ndarray, x: np.ndarray, decay: float) -> None:
    """``avg = decay * avg + (1 - decay) * x * x`` in place: the running mean of squares
    that Adam, NAdam, RMSprop and Adadelta divide by (PyTorch's ``mul_(decay).addcmul_``)."""
    avg *= decay
    avg += (1 - decay) * x * x


def _copy_value(value: Any) -> Any:
    """A copy of a state value deep enough that later steps cannot change it (arrays copied)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list | tuple):
        return type(value)(_copy_value(v) for v in value)
    if isinstance(value, dict):
        return {k: _copy_value(v) for k, v in value.items()}
    return value


def _check_range(opt: str, what: str, arg: str, value: Any, low: float = 0.0,
                 high: float | None = None, high_open: bool = True) -> None:
    """Raise PyTorch's ``ValueError("Invalid <what>: <value>")`` unless ``low <= value`` (and
    ``value < high`` or ``<= high``). NaN is refused: every comparison with it is false."""
    if isinstance(value, Tensor):
        raise NotImplementedError(
            f"{opt}: tinygrad_edu does not implement a Tensor {arg} yet; pass a number")
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{opt}: {arg} must be a number, got {type(value).__name__} {value!r}")
    ok = low <= value
    if high is not None:
        ok = ok and (value < high if high_open else value <= high)
    if not ok:
        bound = f"{low} <= {arg}" + ("" if high is None else
                                      f" {'<' if high_open else '<='} {high}")
        raise ValueError(f"{opt}: Invalid {what}: {value} (need {bound})")


#: PyTorch's word for a hyper-parameter in its ``Invalid <word>: <value>`` errors, where it is
#: not ``"<name> value"``.
_WORDS = {"lr": "learning rate", "eps": "epsilon value"}


def _check_nonnegative(opt: str, group: Mapping[str, Any], *keys: str) -> None:
    """``_check_range`` on each of ``group``'s ``keys`` in turn: each must be a number >= 0."""
    for key in keys:
        _check_range(opt, _WORDS.get(key, f"{key} value"), key, group[key])


def _zeros(data: np.ndarray, *names: str) -> dict[str, Any]:
    """A fresh state: ``step`` 0 and a zero array shaped as ``data`` for each of ``names``."""
    return {"step": 0.0, **{name: np.zeros_like(data) for name in names}}


class Optimizer:
    """Base class of the optimizers (PyTorch's ``torch.optim.Optimizer``).

    Args:
        params: the tensors to optimize, ``(name, tensor)`` pairs, or a list of dicts, one per
            parameter group: ``[{'params': model.fc.parameters(), 'lr': 1e-3}, ...]``.
        defaults: every hyper-parameter's default, used where a group gives no value.

    A subclass validates its arguments, calls ``super().__init__(params, defaults)`` and
    implements ``step``. A parameter that does not require grad is accepted (its ``.grad``
    stays ``None``, so steps skip it); a tensor made by an operation (not a leaf) is refused,
    as in PyTorch: its data would be recomputed by the next forward pass.
    """

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        name = type(self).__name__
        self._check_group(defaults)
        self.defaults: dict[str, Any] = defaults
        if isinstance(params, Tensor):
            raise TypeError(
                f"{name}: params argument given to the optimizer should be an iterable of "
                f"Tensors or dicts, but got a Tensor (write [p] for a single tensor)")
        if isinstance(params, np.ndarray):
            raise TypeError(f"{name}: params must be an iterable of Tensors or dicts, not an "
                            f"np.ndarray: wrap it, nn.Parameter(array)")
        if not isinstance(params, Iterable):
            raise TypeError(
                f"{name}: params argument given to the optimizer should be an iterable of "
                f"Tensors or dicts, but got {type(params).__name__} {params!r}")
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        groups: list[Any] = list(params)
        if not groups:
            raise ValueError(f"{name}: optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ----------------------------------------------------------------- groups

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters, with its own hyper-parameters where it gives them.

        Useful when fine-tuning: layers frozen at first are added to the optimizer later.
        The dict is filled in place with the defaults it lacks.
        """
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"{name}: param_group must be a dict, but got "
                            f"{type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError(f"{name}: a parameter group needs a 'params' entry, got the keys "
                             f"{sorted(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                f"{name}: optimizer parameters need to be organized in ordered collections, "
                "but the ordering of tensors in sets will change between runs. "
                "Please use a list instead.")
        else:
            params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        if names:
            if len(names) != len(params):
                raise ValueError(f"{name}: all optimizer params should be with/without names. "
                                 "Some param names are missing")
            param_group["param_names"] = names
        param_group["params"] = params
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(f"{name} can only optimize Tensors, but parameter {i} of the "
                                f"group is a {type(p).__name__}")
            # PyTorch also accepts a non-leaf after retain_grad(); here every tensor keeps its
            # .grad, so that cannot tell the rare intended case from the common mistake.
            if not p.is_leaf:
                raise ValueError(
                    f"{name}: can't optimize a non-leaf Tensor (parameter {i} of the group was "
                    f"made by {p.op}); optimize the leaf tensors it was computed from")
        for key, default in self.defaults.items():
            if default is required and key not in param_group:
                raise ValueError(f"{name}: parameter group didn't specify a value of required "
                                 f"optimization parameter {key}")
            param_group.setdefault(key, default)
        self._check_group(param_group)
        # NumPy scalars become Python numbers: NumPy 2 keeps np.float32(0.1) * 0.5 in float32,
        # so a float32 lr would round every step's arithmetic to float32 (PyTorch uses double).
        for key, value in param_group.items():
            if key not in ("params", "param_names"):
                param_group[key] = _python_number(value)
        # A parameter listed twice would be stepped twice per step() (PyTorch only warns within
        # a group; a silently doubled update is worse than an error, so both cases raise).
        first: dict[int, int] = {}
        for i, p in enumerate(params):
            if id(p) in first:
                raise ValueError(
                    f"{name}: duplicate parameter: parameter {i} of the group is the same "
                    f"tensor as parameter {first[id(p)]} ({_describe(p, param_group, i)}); each "
                    "parameter may appear only once (model.parameters() lists each once)")
            first[id(p)] = i
        for g, group in enumerate(self.param_groups):
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(f"{name}: all optimizer param groups should be with/without "
                                 f"names. cannot add param group {which} to the optimizer")
            for i, p in enumerate(params):
                if any(p is q for q in group["params"]):
                    raise ValueError(
                        f"{name}: some parameters appear in more than one parameter group: "
                        f"parameter {i} of the new group ({_describe(p, param_group, i)}) is "
                        f"already in group {g}")
        self.param_groups.append(param_group)

    def _check_group(self, group: Mapping[str, Any]) -> None:
        """Validate a group's hyper-parameters (subclasses raise PyTorch's ValueErrors)."""

    # ----------------------------------------------------------------- stepping

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's gradient: set it to ``None`` (the default), or, with
        ``set_to_none=False``, fill the existing gradient with zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p.grad = None
                else:
                    g = p.grad
                    if g is not None:
                        g.data.fill(0)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient, in place; return ``closure()``'s loss
        when a closure (which re-evaluates the model and returns the loss) is given."""
        raise NotImplementedError(f"{type(self).__name__} does not implement step()")

    def _fresh_state(self, data: np.ndarray, group: Mapping[str, Any]) -> dict[str, Any]:
        """A parameter's state before its first step (``data`` is its array); used by
        ``_with_grads``, so only the methods that step through it define it."""
        raise NotImplementedError(f"{type(self).__name__} does not define _fresh_state()")

    def _with_grads(self, group: Mapping[str, Any],
                    ) -> Iterator[tuple[Tensor, np.ndarray, dict[str, Any]]]:
        """``(p, g, state)`` for each parameter of ``group`` that has a gradient, as every
        method but SGD begins its update: ``state`` made by ``_fresh_state`` on first
        use, its ``step`` counted; ``g`` negated under ``maximize`` and, with a
        ``weight_decay``, either plus ``weight_decay * p`` (L2) or, when the group's
        ``decoupled_weight_decay`` is set, ``p`` shrunk by ``lr * weight_decay`` of itself.
        The caller updates ``p.data`` and calls ``p._bump_version()``."""
        weight_decay = group["weight_decay"]
        decoupled = group.get("decoupled_weight_decay", False)
        for p in group["params"]:
            g = _grad(p, group["maximize"])
            if g is None:
                continue
            state = self.state[p]
            if not state:
                state.update(self._fresh_state(p.data, group))
            state["step"] += 1
            if weight_decay:
                if decoupled:
                    p.data *= 1 - group["lr"] * weight_decay
                else:
                    g = g + weight_decay * p.data
            yield p, g, state

    # ----------------------------------------------------------------- state dict

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as PyTorch lays it out, with arrays copied.

        ``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}``: a
        parameter is named by its position, counting through the groups in order, and
        ``state`` holds an entry only for parameters that have state. Load it into an
        optimizer built over the same parameters to continue training identically.
        """
        index: dict[int, int] = {}
        groups = []
        start = 0
        for group in self.param_groups:
            packed = {k: _copy_value(v) for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index.setdefault(id(p), i)
            packed["params"] = [index[id(p)] for p in group["params"]]
            start += len(group["params"])
            groups.append(packed)
        state = {index[id(p)]: _copy_value(s) for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Load a ``state_dict()``: hyper-parameters and state are replaced by copies of it.

        The saved groups must match this optimizer's in number and size; parameters are
        matched by position. Floating-point arrays take their parameter's dtype.
        """
        name = type(self).__name__
        for key in ("state", "param_groups"):
            if key not in state_dict:
                raise KeyError(f"{name}.load_state_dict: the state dict has no {key!r} entry "
                               f"(its keys: {sorted(state_dict)})")
        saved_groups = deepcopy(list(state_dict["param_groups"]))
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{name}.load_state_dict: loaded state dict has a different number of "
                f"parameter groups ({len(saved_groups)}, the optimizer has "
                f"{len(self.param_groups)})")
        for i, (g, sg) in enumerate(zip(self.param_groups, saved_groups, strict=True)):
            if len(g["params"]) != len(sg["params"]):
                raise ValueError(
                    f"{name}.load_state_dict: loaded state dict contains a parameter group "
                    f"that doesn't match the size of optimizer's group (group {i}: "
                    f"{len(sg['params'])} saved, {len(g['params'])} here)")
        by_index = {i: p for g, sg in zip(self.param_groups, saved_groups, strict=True)
                    for i, p in zip(sg["params"], g["params"], strict=True)}
        state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for i, s in state_dict["state"].items():
            if i not in by_index:
                raise ValueError(f"{name}.load_state_dict: state for parameter {i!r}, which "
                                 f"no saved group lists")
            p = by_index[i]
            state[p] = {k: _cast_like(p, v) for k, v in s.items()}
        new_groups = []
        for g, sg in zip(self.param_groups, saved_groups, strict=True):
            sg["params"] = g["params"]
            if "param_names" in g and "param_names" not in sg:
                sg["param_names"] = g["param_names"]
            new_groups.append(sg)
        self.state = state
        self.param_groups = new_groups

    def __repr__(self) -> str:
        text = f"{type(self).__name__} ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            text += "".join(f"    {k}: {group[k]}\n" for k in sorted(group) if k != "params")
        return text + ")"


def _python_number(value: Any) -> Any:
    """``value`` with NumPy scalars (also inside a tuple or list, as betas) as Python numbers."""
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return value.item()
    if isinstance(value, tuple | list):
        return type(value)(_python_number(v) for v in value)
    return value


def _describe(p: Tensor, group: Mapping[str, Any], i: int) -> str:
    """A parameter as an error message names it: its name when known, and its shape."""
    names = group.get("param_names")
    label = names[i] if names else getattr(p, "name", None)
    shape = tuple(p.data.shape)
    return f"{label!r}, shape {shape}" if label else f"shape {shape}"


def _cast_like(p: Tensor, value: Any) -> Any:
    """A copy of a loaded state value; floating arrays take the parameter's dtype."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f" and p.data.dtype.kind == "f":
            return value.astype(p.data.dtype, copy=True)
        return value.copy()
    if isinstance(value, list | tuple):
        return type(value)(_cast_like(p, v) for v in value)
    if isinstance(value, dict):
        return {k: _cast_like(p, v) for k, v in value.items()}
    return value
