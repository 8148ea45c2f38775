"""L-BFGS: a quasi-Newton method that re-evaluates the loss through a closure, with an
optional strong-Wolfe line search (PyTorch's ``torch.optim.LBFGS``).

L-BFGS treats all parameters as one flat vector ``x``. From the last ``history_size`` pairs
``s = x_{k+1} - x_k`` and ``y = g_{k+1} - g_k`` it builds, without ever storing a matrix, the
product of an inverse-Hessian estimate with the gradient (Nocedal's two-loop recursion), and
moves along that direction. Each ``step(closure)`` runs up to ``max_iter`` such iterations.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT, _check_range, _evaluate

__all__ = ["LBFGS"]

# The line search's evaluation: (x, t, d) -> (loss, flat gradient) at x + t*d.
_Evaluate = Callable[[list[np.ndarray], float, np.ndarray], tuple[float, np.ndarray]]


def _as_float(loss: Any) -> float:
    """The closure's loss as a Python float (a one-element Tensor, array or number)."""
    if isinstance(loss, Tensor):
        return loss.item()
    return float(loss)


def _cubic_minimizer(x1: float, f1: float, g1: float, x2: float, f2: float, g2: float,
                     bounds: tuple[float, float] | None = None) -> float:
    """The minimizer of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2, kept
    within ``bounds`` (default: between x1 and x2); their midpoint if the cubic has none."""
    low, high = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 * d1 - g1 * g2
    if d2_square < 0:
        return (low + high) / 2.0
    d2 = math.sqrt(d2_square)
    if x1 <= x2:
        x = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        x = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(x, low), high)


def _strong_wolfe(evaluate: _Evaluate, x: list[np.ndarray], t: float, d: np.ndarray,
                  f: float, g: np.ndarray, gtd: float, c1: float = 1e-4, c2: float = 0.9,
                  tolerance_change: float = 1e-9, max_ls: int = 25,
                  ) -> tuple[float, np.ndarray, float, int]:
    """A step ``t`` along ``d`` from ``x`` that satisfies the strong Wolfe conditions:
    sufficient decrease ``f(t) <= f + c1*t*gtd`` and curvature ``|f'(t)| <= c2*|gtd|``.

    First the step grows (by cubic extrapolation) until an interval is found that must hold
    such a point; then the interval shrinks (by cubic interpolation, kept away from its ends)
    until a point satisfies both. Returns ``(f(t), gradient at t, t, evaluations made)``.
    """
    d_norm = float(np.abs(d).max())
    f_new, g_new = evaluate(x, t, d)
    evals = 1
    gtd_new = float(g_new @ d)
    t_prev, f_prev, g_prev, gtd_prev = 0.0, f, g, gtd
    # bracket: the two ends of the interval, with their values, gradients and slopes
    bracket: list[float] = []
    bracket_f: list[float] = []
    bracket_g: list[np.ndarray] = []
    bracket_gtd: list[float] = []
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > f + c1 * t * gtd or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        # extrapolate: at least 1% further than the last growth, at most ten times t
        t_next = _cubic_minimizer(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                                  bounds=(t + 0.01 * (t - t_prev), t * 10))
        t_prev, f_prev, g_prev, gtd_prev = t, f_new, g_new, gtd_new
        t = t_next
        f_new, g_new = evaluate(x, t, d)
        evals += 1
        gtd_new = float(g_new @ d)
        ls_iter += 1
    if ls_iter == max_ls:  # never bracketed: the interval is from the start to the last t
        bracket, bracket_f, bracket_g = [0.0, t], [f, f_new], [g, g_new]

    # zoom: shrink the bracket; ``low`` indexes its end with the lower loss
    insufficient_progress = False
    low, high = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_minimizer(bracket[0], bracket_f[0], bracket_gtd[0],
                             bracket[1], bracket_f[1], bracket_gtd[1])
        # A point too near an end makes little progress: move it 10% of the width inside,
        # at once if it is at or past an end, else after a second such point in a row.
        lo_t, hi_t = min(bracket), max(bracket)
        margin = 0.1 * (hi_t - lo_t)
        if min(hi_t - t, t - lo_t) < margin:
            if insufficient_progress or t >= hi_t or t <= lo_t:
                t = hi_t - margin if abs(t - hi_t) < abs(t - lo_t) else lo_t + margin
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        f_new, g_new = evaluate(x, t, d)
        evals += 1
        gtd_new = float(g_new @ d)
        ls_iter += 1
        if f_new > f + c1 * t * gtd or f_new >= bracket_f[low]:
            # not enough decrease: t becomes the high end
            bracket[high], bracket_f[high] = t, f_new
            bracket_g[high], bracket_gtd[high] = g_new, gtd_new
            low, high = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                # the slope points away from the high end: the old low end becomes it
                bracket[high], bracket_f[high] = bracket[low], bracket_f[low]
                bracket_g[high], bracket_gtd[high] = bracket_g[low], bracket_gtd[low]
            bracket[low], bracket_f[low] = t, f_new
            bracket_g[low], bracket_gtd[low] = g_new, gtd_new
    return bracket_f[low], bracket_g[low], bracket[low], evals


class LBFGS(Optimizer):
    """L-BFGS (Nocedal & Wright, algorithm 7.4), PyTorch's ``torch.optim.LBFGS``.

    ``step(closure)`` needs a closure that clears the gradients, computes the loss, calls
    ``backward()`` and returns the loss; it may be called many times per step::

        def closure():
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            return loss
        opt.step(closure)

    Args:
        params: the tensors to optimize (a single parameter group only).
        lr: learning rate, the step along each direction (default 1).
        max_iter: iterations per ``step`` (default 20).
        max_eval: closure evaluations per ``step`` (default ``max_iter * 5 // 4``).
        tolerance_grad: stop when every gradient element is at most this (default 1e-7).
        tolerance_change: stop when the loss or the parameters change less (default 1e-9).
        history_size: the number of (s, y) pairs kept (default 100).
        line_search_fn: ``None`` (fixed steps of ``lr``) or ``"strong_wolfe"``.

    The state (of the first parameter, as in PyTorch) holds ``func_evals``, ``n_iter``, the
    last direction ``d`` and step ``t``, the history ``old_dirs`` (y), ``old_stps`` (s) and
    ``ro`` (1 / y.s), ``H_diag``, ``prev_flat_grad``, ``prev_loss`` and ``al``.
    """

    def __init__(self, params: ParamsT, lr: float = 1, max_iter: int = 20,
                 max_eval: int | None = None, tolerance_grad: float = 1e-7,
                 tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {"lr": lr, "max_iter": max_iter, "max_eval": max_eval,
                    "tolerance_grad": tolerance_grad, "tolerance_change": tolerance_change,
                    "history_size": history_size, "line_search_fn": line_search_fn}
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups): "
                             f"got {len(self.param_groups)} groups")

    def _check_group(self, group: Mapping[str, Any]) -> None:
        _check_range("LBFGS", "learning rate", "lr", group["lr"])
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise ValueError(f"LBFGS: line_search_fn must be None or 'strong_wolfe', got "
                             f"{group['line_search_fn']!r} (only 'strong_wolfe' is supported)")

    @property
    def _params(self) -> list[Tensor]:
        params: list[Tensor] = self.param_groups[0]["params"]
        return params

    def _flat_grad(self) -> np.ndarray:
        """Every parameter's gradient, flattened and joined (zeros where there is none)."""
        return np.concatenate([
            np.zeros(p.data.size, dtype=p.data.dtype) if p.grad is None
            else p.grad.data.reshape(-1) for p in self._params])

    def _add_to_params(self, t: float, d: np.ndarray) -> None:
        """x = x + t * d, on the parameters' arrays in place."""
        offset = 0
        for p in self._params:
            n = p.data.size
            p.data += t * d[offset:offset + n].reshape(p.data.shape)
            p._bump_version()
            offset += n

    def _set_params(self, values: list[np.ndarray]) -> None:
        for p, v in zip(self._params, values, strict=True):
            p.data[...] = v
            p._bump_version()

    def _evaluate_at(self, closure: Callable[[], Any], x: list[np.ndarray], t: float,
                     d: np.ndarray) -> tuple[float, np.ndarray]:
        """Loss and flat gradient at x + t*d; the parameters are put back to x after."""
        self._add_to_params(t, d)
        loss = _as_float(_evaluate(closure))
        flat_grad = self._flat_grad()
        self._set_params(x)
        return loss, flat_grad

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Up to ``max_iter`` L-BFGS iterations; returns the loss the first evaluation gave."""
        if closure is None:
            raise TypeError("LBFGS.step needs a closure that clears the gradients, computes "
                            "the loss, calls backward() and returns the loss: "
                            "opt.step(closure)")
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups): "
                             f"it has {len(self.param_groups)} groups")
        group = self.param_groups[0]
        lr = group["lr"]
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        history_size = group["history_size"]

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        orig_loss = _evaluate(closure)
        loss = _as_float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if np.abs(flat_grad).max() <= tolerance_grad:  # already optimal
            return orig_loss

        d: np.ndarray = state.get("d")  # type: ignore[assignment]
        t: float = state.get("t")  # type: ignore[assignment]
        old_dirs: list[np.ndarray] = state.get("old_dirs")  # type: ignore[assignment]
        old_stps: list[np.ndarray] = state.get("old_stps")  # type: ignore[assignment]
        ro: list[float] = state.get("ro")  # type: ignore[assignment]
        H_diag: float = state.get("H_diag")  # type: ignore[assignment]
        prev_flat_grad: np.ndarray | None = state.get("prev_flat_grad")
        prev_loss: float = state.get("prev_loss")  # type: ignore[assignment]

        n_iter = 0
        opt_cond = False
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:  # the very first iteration: steepest descent
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1.0
            else:
                assert prev_flat_grad is not None
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = float(y @ s)
                if ys > 1e-10:  # keep the pair only where the curvature is positive
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / float(y @ y)  # the initial inverse Hessian's scale
                # the two-loop recursion: d = -H g
                if "al" not in state:
                    state["al"] = [None] * history_size
                al = state["al"]
                q = -flat_grad
                for i in range(len(old_dirs) - 1, -1, -1):
                    al[i] = float(old_stps[i] @ q) * ro[i]
                    q = q - al[i] * old_dirs[i]
                r = q * H_diag
                for i in range(len(old_dirs)):
                    be_i = float(old_dirs[i] @ r) * ro[i]
                    r += (al[i] - be_i) * old_stps[i]
                d = r

            prev_flat_grad = flat_grad.copy()
            prev_loss = loss
            # the first step is scaled down where the gradient is large
            t = min(1.0, 1.0 / float(np.abs(flat_grad).sum())) * lr if state["n_iter"] == 1 \
                else lr
            gtd = float(flat_grad @ d)  # the slope along d
            if gtd > -tolerance_change:  # d is not a descent direction
                break

            evals = 0
            if group["line_search_fn"] == "strong_wolfe":
                x_init = [p.data.copy() for p in self._params]

                def evaluate(x: list[np.ndarray], t: float, d: np.ndarray,
                             ) -> tuple[float, np.ndarray]:
                    return self._evaluate_at(closure, x, t, d)

                loss, flat_grad, t, evals = _strong_wolfe(
                    evaluate, x_init, t, d, loss, flat_grad, gtd,
                    max_ls=max_eval - current_evals)
                self._add_to_params(t, d)
                opt_cond = bool(np.abs(flat_grad).max() <= tolerance_grad)
            else:
                self._add_to_params(t, d)
                if n_iter != max_iter:  # the loop ends here otherwise: save the evaluation
                    loss = _as_float(_evaluate(closure))
                    flat_grad = self._flat_grad()
                    opt_cond = bool(np.abs(flat_grad).max() <= tolerance_grad)
                    evals = 1
            current_evals += evals
            state["func_evals"] += evals

            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.abs(d * t).max() <= tolerance_change:  # the parameters barely moved
                break
            if abs(loss - prev_loss) < tolerance_change:  # the loss barely moved
                break

        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return orig_loss
