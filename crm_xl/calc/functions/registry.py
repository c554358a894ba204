"""The one registry of Excel's worksheet functions, which every category module fills.

Each function is registered in :data:`BUILTINS` with how it takes its arguments, one letter
per parameter, as Excel's own function table does:

- ``V`` a value: a range there is reduced to one cell by implicit intersection in an
  ordinary formula, or the function is applied cell by cell in an array formula;
- ``R`` a reference: a range is passed as it is (``SUM(A1:A9)``);
- ``A`` an array: like ``R``, and the argument is computed as an array formula even in an
  ordinary cell (``SUMPRODUCT(--(A1:A5<>""))``).

:data:`VOLATILE` lists the functions refused on purpose, with the reason, and
:data:`REFUSED` those whose result Excel computes in a way that is not documented.

Example (importing :mod:`crm_xl.calc.functions` registers every function)::

    >>> from crm_xl.calc.values import Array
    >>> call("ROUND", 2.675, 2), call("ROUND", -0.5, 0)
    (2.68, -1.0)
    >>> call("SUM", Array([[1.0, "x", True]]), "2")
    3.0
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crm_xl.calc.values import ErrorResult, XlError


@dataclass(frozen=True)
class Builtin:
    """How a function takes its arguments (see the module notes) and its implementation."""

    name: str
    fn: Callable[..., Any]
    params: str
    repeat: int = 0
    min_args: int = 0
    max_args: int | None = None
    lazy: bool = False
    errors: bool = False  # V arguments may be errors (else the first one is the result)
    lift: bool = True  # applied cell by cell to arrays in V arguments (array formulas)
    needs_ctx: bool = False  # fn(ctx, *args): ROW(), COLUMN()

    def kind(self, i: int) -> str:
        """How argument ``i`` (0-based) is taken: ``V``, ``R`` or ``A``."""
        if i < len(self.params):
            return self.params[i]
        if self.repeat:
            tail = self.params[-self.repeat :]
            return tail[(i - len(self.params)) % self.repeat]
        return "V"


BUILTINS: dict[str, Builtin] = {}

_VOLATILE = "is volatile ({}): crm-xl recalc must give the same result on every run"
VOLATILE = {
    "TODAY": _VOLATILE.format("it changes every day"),
    "NOW": _VOLATILE.format("it changes all the time"),
    "RAND": _VOLATILE.format("it is random"),
    "RANDBETWEEN": _VOLATILE.format("it is random"),
    "RANDARRAY": _VOLATILE.format("it is random"),
    "CELL": _VOLATILE.format("it depends on the Excel session"),
    "INFO": _VOLATILE.format("it depends on the Excel session"),
}
"""Functions refused on purpose: recalculation must be deterministic."""

_ETS = (
    "uses Excel's exponential smoothing (AAA), whose fitting of its parameters is not "
    "documented: its result cannot be reproduced exactly"
)
REFUSED = {
    "FORECAST.ETS": _ETS,
    "FORECAST.ETS.CONFINT": _ETS,
    "FORECAST.ETS.SEASONALITY": _ETS,
    "FORECAST.ETS.STAT": _ETS,
}
"""Functions refused because Excel's result cannot be reproduced exactly, with the reason."""


def builtin(
    name: str,
    params: str = "",
    *,
    repeat: int = 0,
    min_args: int | None = None,
    max_args: int | None = -1,
    lazy: bool = False,
    errors: bool = False,
    lift: bool = True,
    needs_ctx: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a function; ``max_args`` defaults to ``len(params)`` (None when repeating)."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        lo = min_args if min_args is not None else len(params)
        hi = (None if repeat else len(params)) if max_args == -1 else max_args
        for n in name.split():
            BUILTINS[n] = Builtin(n, fn, params, repeat, lo, hi, lazy, errors, lift, needs_ctx)
        return fn

    return register


def call(name: str, *args: Any) -> Any:
    """Call a builtin directly with already computed arguments (for tests and examples)."""
    b = BUILTINS[name]
    if not b.errors:
        for i, a in enumerate(args):
            if b.kind(i) == "V" and a.__class__ is XlError:
                return a
    try:
        return b.fn(*args)
    except ErrorResult as e:
        return e.error
