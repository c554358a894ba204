"""Excel's logical functions that take computed arguments: AND, OR, XOR, NOT, TRUE, FALSE.
IF, IFERROR, IFNA, IFS, SWITCH and CHOOSE compute only the arguments they need, so the
evaluator runs them itself.

Example::

    >>> from crm_xl.calc.values import Array
    >>> AND(Array([[1.0, "x", True]])), OR(False, 0.0), XOR(True, True)
    (True, False, False)
"""

from __future__ import annotations

from typing import Any

from crm_xl.calc.conversions import to_bool
from crm_xl.calc.functions.registry import builtin
from crm_xl.calc.values import AREAS, MISSING, VALUE, ErrorResult, XlError, stored_values


def _logicals(args: tuple[Any, ...]) -> list[bool]:
    out = []
    for a in args:
        if isinstance(a, AREAS):
            for v in stored_values(a):
                if v.__class__ is XlError:
                    raise ErrorResult(v)
                if v.__class__ in (bool, float):
                    out.append(bool(v))
        elif a is MISSING:
            out.append(False)
        else:  # direct arguments are converted: "x" is #VALUE!
            out.append(to_bool(a))
    if not out:
        raise ErrorResult(VALUE)
    return out


@builtin("AND", "R", repeat=1, min_args=1)
def AND(*args: Any) -> bool:
    return all(_logicals(args))


@builtin("OR", "R", repeat=1, min_args=1)
def OR(*args: Any) -> bool:
    return any(_logicals(args))


@builtin("XOR", "R", repeat=1, min_args=1)
def XOR(*args: Any) -> bool:
    return sum(_logicals(args)) % 2 == 1


@builtin("NOT", "V")
def NOT(x: Any) -> bool:
    return not to_bool(x)


@builtin("TRUE", "")
def TRUE() -> bool:
    return True


@builtin("FALSE", "")
def FALSE() -> bool:
    return False
