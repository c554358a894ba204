"""LAMBDA in formulas: calls of inline, LET-bound and named LAMBDAs, and the helper
functions MAP, REDUCE, SCAN, BYROW, BYCOL and MAKEARRAY.

A LAMBDA is expanded where it is called, when the formula is compiled: its body is
compiled with its parameters bound to slots (filled with the arguments on each call) and
with the LET names in scope where the LAMBDA was written. A LAMBDA given as an argument
(to a helper function or to another LAMBDA) is bound the same way, so a LAMBDA that reaches
itself through its arguments would expand without end: past :data:`MAX_LAMBDA_DEPTH` nested
expansions the cell is "not evaluated", never a hang or a ``RecursionError``. A LAMBDA that
is not called is ``#CALC!``, a call with the wrong number of arguments ``#VALUE!``, a
helper function's LAMBDA returning several values where one is expected ``#CALC!`` (as
Microsoft's pages for LAMBDA, MAP, BYROW, BYCOL, SCAN and MAKEARRAY say). What cannot be
read as a LAMBDA at compile time (``IF(A1, LAMBDA(...), LAMBDA(...))(2)``) is refused.

:class:`LambdaCompiler` is the part of :class:`crm_xl.calc.compiler.Compiler` that does it::

    >>> from crm_xl.calc.compiler import Compiler
    >>> from crm_xl.calc.model import CellModel, Ctx
    >>> book = CellModel()
    >>> sheet = book.add_sheet("S")
    >>> f = fx.parse("=REDUCE(0, {1,2,3}, LAMBDA(a, v, a + v^2))")
    >>> Compiler(book, sheet).top(f, True)(Ctx(book, sheet, 1, 1))
    14.0
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crm_xl.calc import parser as fx
from crm_xl.calc.conversions import to_number
from crm_xl.calc.model import Ctx
from crm_xl.calc.values import (
    EMPTY,
    ERRORS,
    MISSING,
    VALUE,
    Array,
    ErrorResult,
    Multi,
    Range,
    Unsupported,
    XlError,
    check_size,
)

#: How many LAMBDA expansions may nest in one formula (a LAMBDA handed itself recurses),
#: and how many one formula may have in all (one calling itself twice doubles at each level).
MAX_LAMBDA_DEPTH = 24
MAX_LAMBDA_EXPANSIONS = 500
#: The functions that call a LAMBDA they are given.
HELPERS = {"MAP", "REDUCE", "SCAN", "BYROW", "BYCOL", "MAKEARRAY"}
CALC = ERRORS["#CALC!"]


@dataclass(frozen=True)
class LambdaDef:
    """A LAMBDA known when compiling: its parameters (as :func:`let_name` compares them),
    its body, the LET names in scope where it was written, and the defined name it is
    (None inline), whose body may not call it again."""

    params: tuple[str, ...]
    body: fx.Node
    scope: tuple[tuple[str, Any], ...]
    name: str | None = None


def let_name(name: str) -> str:
    """A LET or LAMBDA name as compared: case-insensitive, without the file's ``_xlpm.``.

    >>> let_name("_xlpm.Rate"), let_name("x")
    ('RATE', 'X')
    """
    up = name.upper()
    return up[6:] if up.startswith("_XLPM.") else up


def bound(
    slots: list[Any], codes: list[Callable[[Ctx], Any]], body: Callable[[Ctx], Any]
) -> Callable[[Ctx], Any]:
    """``body`` run with ``slots`` filled by ``codes`` in order (LET's names, a LAMBDA's
    parameters); the slots' earlier values are put back after, as one compiled formula
    serves a whole column and may run again inside itself.

    >>> slots = [None]
    >>> bound(slots, [lambda ctx: 2.0], lambda ctx: slots[0] * 10)(None), slots
    (20.0, [None])
    """

    def g(ctx: Ctx) -> Any:
        saved = slots[:]
        try:
            for k, code in enumerate(codes):
                slots[k] = code(ctx)
            return body(ctx)
        finally:
            slots[:] = saved

    return g


def single(v: Any) -> Any:
    """The one value of a helper's LAMBDA result, None when it has several (``#CALC!``).

    >>> single(Array([[3.0]])), single(Array([[1.0, 2.0]])), single(4.0)
    (3.0, None, 4.0)
    """
    cls = v.__class__
    if cls is Range or cls is Array:
        if v.size != 1:
            return None
        return v.cell(0, 0)
    if cls is Multi:
        return None
    if v is MISSING:
        return 0.0
    return v


def _element(v: Any, i: int, j: int) -> Any:
    """One element of a helper's array argument: a cell of a range as a reference (the
    LAMBDA may ask ROW of it), a value of an array, a single value as it is."""
    cls = v.__class__
    if cls is Range:
        return v.sub(i, j, i, j)
    if cls is Array:
        return v.data[i][j]
    return v


def _shape(v: Any) -> tuple[int, int]:
    if v.__class__ is Multi:
        raise ErrorResult(VALUE)
    return v.shape if v.__class__ in (Range, Array) else (1, 1)


def _row(v: Any, i: int) -> Any:
    """Row ``i`` of a range (a reference) or an array (an array); a value as a 1×1 array."""
    if v.__class__ is Range:
        return v.sub(i, 0, i, v.c2 - v.c1)
    if v.__class__ is Array:
        return Array([v.data[i]])
    return Array([[v]])


def _col(v: Any, j: int) -> Any:
    """Column ``j`` of a range or an array, as :func:`_row`."""
    if v.__class__ is Range:
        return v.sub(0, j, v.r2 - v.r1, j)
    if v.__class__ is Array:
        return Array([[r[j]] for r in v.data])
    return Array([[v]])


class LambdaCompiler:
    """The LAMBDA part of the compiler (a mixin: it uses the compiler's ``expr``, its LET
    scope ``lets``, the defined names being expanded ``names`` and ``book``/``sheet``)."""

    book: Any
    sheet: Any
    lets: list[tuple[str, Any]]
    names: list[str]
    lambda_depth: int
    lambda_count: int

    def expr(self, node: fx.Node, arr: bool) -> Callable[[Ctx], Any]:  # the compiler's
        raise NotImplementedError

    # -- what a node is, as a LAMBDA ----------------------------------------------------------

    def lambda_of(self, node: fx.Node) -> LambdaDef | None:
        """The LAMBDA ``node`` is when compiled here (a ``LAMBDA(...)``, a LET name or a
        parameter bound to one, a defined name holding one); None when it is none."""
        if isinstance(node, fx.Func) and node.name == "LAMBDA":
            return self._define(node, tuple(self.lets), None)
        if not isinstance(node, fx.Name):
            return None
        if node.sheet is None:
            local = let_name(node.name)
            for name, read in reversed(self.lets):
                if name == local:
                    return read if isinstance(read, LambdaDef) else None
        scope = self.book.sheet_named(node.sheet) if node.sheet else self.sheet
        sub = None if scope is None else self.book.name_node(node.name, scope)
        if isinstance(sub, fx.Func) and sub.name == "LAMBDA":
            return self._define(sub, (), node.name.upper())
        return None

    def _define(
        self, node: fx.Func, scope: tuple[tuple[str, Any], ...], name: str | None
    ) -> LambdaDef:
        params, body = node.args[:-1], node.args[-1] if node.args else None
        if body is None or not all(isinstance(p, fx.Name) and p.sheet is None for p in params):
            raise Unsupported("a LAMBDA whose parameters are not plain names", "LAMBDA")
        names = tuple(let_name(p.name) for p in params)  # type: ignore[attr-defined]
        return LambdaDef(names, body, scope, name)

    def _body(self, defn: LambdaDef, entries: list[tuple[str, Any]], arr: bool) -> Any:
        """The compiled body of ``defn`` with its parameters bound to ``entries`` (None
        when the body is itself a LAMBDA: a value no cell can hold)."""
        if defn.name is not None and defn.name in self.names:
            raise Unsupported(f"the LAMBDA {defn.name} calls itself: not evaluated", defn.name)
        self.lambda_count += 1
        if self.lambda_depth >= MAX_LAMBDA_DEPTH or self.lambda_count > MAX_LAMBDA_EXPANSIONS:
            raise Unsupported(
                f"LAMBDAs nested more than {MAX_LAMBDA_DEPTH} calls deep or expanded more than "
                f"{MAX_LAMBDA_EXPANSIONS} times (a LAMBDA that calls itself through its "
                "arguments): not evaluated",
                "LAMBDA",
            )
        outer = self.lets
        self.lets = [*defn.scope, *entries]
        self.lambda_depth += 1
        if defn.name is not None:
            self.names.append(defn.name)
        try:
            if self.lambda_of(defn.body) is not None:
                return None
            return self.expr(defn.body, arr)
        finally:
            if defn.name is not None:
                self.names.pop()
            self.lambda_depth -= 1
            self.lets = outer

    def call_lambda(
        self, defn: LambdaDef, call_args: tuple[fx.Node, ...], arr: bool
    ) -> Callable[[Ctx], Any]:
        """A call of ``defn`` with ``call_args``, computed in the caller's scope; a
        LAMBDA given as an argument is bound as a LAMBDA."""
        if len(call_args) != len(defn.params):
            return lambda ctx: VALUE  # Excel: a wrong number of arguments is #VALUE!
        slots: list[Any] = []
        codes: list[Callable[[Ctx], Any]] = []
        entries: list[tuple[str, Any]] = []
        for p, a in zip(defn.params, call_args, strict=True):
            inner = self.lambda_of(a)
            if inner is not None:
                entries.append((p, inner))
                continue
            k = len(codes)
            codes.append(self.expr(a, arr))
            entries.append((p, lambda ctx, k=k: slots[k]))
        slots.extend([None] * len(codes))
        body = self._body(defn, entries, arr)
        if body is None:
            return lambda ctx: CALC
        return bound(slots, codes, body)

    def n_Call(self, node: fx.Call, arr: bool) -> Callable[[Ctx], Any]:
        """``LAMBDA(x, x*2)(A1)``: a call of what the callee gives, a LAMBDA."""
        defn = self.lambda_of(node.callee)
        if defn is None:
            raise Unsupported("a call of something that is not a LAMBDA crm-xl reads", "LAMBDA")
        return self.call_lambda(defn, node.args, arr)

    def lazy_LAMBDA(self, node: fx.Func, arr: bool) -> Callable[[Ctx], Any]:
        """A LAMBDA where a value is expected: not called, it is ``#CALC!`` as a formula's
        result; elsewhere (``1+LAMBDA(x,x)``) crm-xl does not guess."""
        raise Unsupported("a LAMBDA that is not called, inside a formula", "LAMBDA")

    # -- the helper functions -----------------------------------------------------------------

    def _runner(self, fn: str, node: fx.Node, n: int) -> Callable[[Ctx, list[Any]], Any] | None:
        """``run(ctx, values)``: the LAMBDA ``node`` called with ``values`` (None when it
        does not take ``n`` parameters: ``#VALUE!``)."""
        defn = self.lambda_of(node)
        if defn is None:
            raise Unsupported(f"{fn}'s last argument is not a LAMBDA crm-xl reads", fn)
        if len(defn.params) != n:
            return None
        slots: list[Any] = [None] * n
        entries = [(p, lambda ctx, k=k: slots[k]) for k, p in enumerate(defn.params)]
        body = self._body(defn, entries, True)
        if body is None:  # the LAMBDA gives a LAMBDA: not one value, so #CALC!
            return lambda ctx, values: Array([[CALC, CALC]])

        def run(ctx: Ctx, values: list[Any]) -> Any:
            saved = slots[:]
            slots[:] = values
            try:
                return body(ctx)
            finally:
                slots[:] = saved

        return run

    def _helper(self, node: fx.Func, fixed: int, n_params: int | None = None) -> Any:
        """The arguments' code and the LAMBDA's runner of a helper taking ``fixed``
        arguments before its LAMBDA (MAP: any number, each a parameter)."""
        args = node.args
        if len(args) < fixed + 1 or (n_params is not None and len(args) != fixed + 1):
            raise fx.FormulaError(f"{node.name} does not take {len(args)} argument(s)")
        codes = [
            (lambda ctx: MISSING) if isinstance(a, fx.Missing) else self.expr(a, True)
            for a in args[:-1]
        ]
        run = self._runner(node.name, args[-1], n_params or len(codes))
        return codes, run

    def lazy_MAP(self, node: fx.Func, arr: bool) -> Callable[[Ctx], Any]:
        """MAP(array1, [array2, ...], lambda): the LAMBDA on each element (of each array at
        the same place), the results in the arrays' shape."""
        codes, run = self._helper(node, 1)
        if run is None:
            return lambda ctx: VALUE

        def g(ctx: Ctx) -> Any:
            values = [c(ctx) for c in codes]
            try:
                shapes = {_shape(v) for v in values}
            except ErrorResult as e:
                return e.error
            if len(shapes) > 1:
                raise Unsupported("MAP over arrays of different sizes", "MAP")
            h, w = shapes.pop()
            check_size(h * w)
            out = []
            for i in range(h):
                row = []
                for j in range(w):
                    one = single(run(ctx, [_element(v, i, j) for v in values]))
                    if one is None:
                        return CALC
                    row.append(one)
                out.append(row)
            return Array(out)

        return g

    def _fold(self, node: fx.Func, keep: bool) -> Callable[[Ctx], Any]:
        """REDUCE (``keep`` False: the last accumulator) and SCAN (each, in the array's
        shape). An omitted initial value is a blank: Microsoft's page computes
        ``REDUCE(, A1:C2, LAMBDA(a,b,a+b^2))`` as the sum of all six squares."""
        codes, run = self._helper(node, 2, 2)
        if run is None:
            return lambda ctx: VALUE
        start, array = codes

        def g(ctx: Ctx) -> Any:
            acc = start(ctx)
            acc = EMPTY if acc is MISSING else acc
            values = array(ctx)
            try:
                h, w = _shape(values)
            except ErrorResult as e:
                return e.error
            check_size(h * w)
            out = []
            for i in range(h):
                row = []
                for j in range(w):
                    acc = run(ctx, [acc, _element(values, i, j)])
                    if keep:
                        one = single(acc)
                        if one is None:
                            return CALC
                        row.append(one)
                out.append(row)
            return Array(out) if keep else acc

        return g

    def lazy_REDUCE(self, node: fx.Func, arr: bool) -> Callable[[Ctx], Any]:
        """REDUCE([initial_value], array, lambda(accumulator, value))."""
        return self._fold(node, False)

    def lazy_SCAN(self, node: fx.Func, arr: bool) -> Callable[[Ctx], Any]:
        """SCAN([initial_value], array, lambda(accumulator, value)): every accumulator."""
        return self._fold(node, True)

    def _by(self, node: fx.Func, by_row: bool) -> Callable[[Ctx], Any]:
        codes, run = self._helper(node, 1, 1)
        if run is None:
            return lambda ctx: VALUE
        (array,) = codes

        def g(ctx: Ctx) -> Any:
            values = array(ctx)
            try:
                h, w = _shape(values)
            except ErrorResult as e:
                return e.error
            out = []
            for k in range(h if by_row else w):
                part = _row(values, k) if by_row else _col(values, k)
                one = single(run(ctx, [part]))
                if one is None:
                    return CALC
                out.append(one)
            return Array([[v] for v in out] if by_row else [out])

        return g

    def lazy_BYROW(self, node: fx.Func, arr: bool) -> Callable[[Ctx], Any]:
        """BYROW(array, lambda(row)): one value per row, as a column."""
        return self._by(node, True)

    def lazy_BYCOL(self, node: fx.Func, arr: bool) -> Callable[[Ctx], Any]:
        """BYCOL(array, lambda(column)): one value per column, as a row."""
        return self._by(node, False)

    def lazy_MAKEARRAY(self, node: fx.Func, arr: bool) -> Callable[[Ctx], Any]:
        """MAKEARRAY(rows, cols, lambda(row, col)): the LAMBDA at each 1-based position."""
        codes, run = self._helper(node, 2, 2)
        if run is None:
            return lambda ctx: VALUE
        rows_f, cols_f = codes

        def size(v: Any) -> int:
            if v.__class__ is Range:
                if v.size != 1:
                    raise ErrorResult(VALUE)
                v = v.cell(0, 0)
            if v.__class__ is Array or v.__class__ is Multi:
                raise ErrorResult(VALUE)
            if v.__class__ is XlError:
                raise ErrorResult(v)
            n = int(to_number(v))
            if n < 1:
                raise ErrorResult(VALUE)
            return n

        def g(ctx: Ctx) -> Any:
            try:
                h, w = size(rows_f(ctx)), size(cols_f(ctx))
            except ErrorResult as e:
                return e.error
            check_size(h * w)
            out = []
            for i in range(1, h + 1):
                row = []
                for j in range(1, w + 1):
                    one = single(run(ctx, [float(i), float(j)]))
                    if one is None:
                        return CALC
                    row.append(one)
                out.append(row)
            return Array(out)

        return g
