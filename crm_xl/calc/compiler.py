"""Compiling a formula's syntax tree into Python closures, once per formula shape.

:class:`Compiler` turns each node of a tree (:mod:`crm_xl.calc.parser`) into a function
``f(ctx) -> value`` (:class:`~crm_xl.calc.model.Ctx`: the book, sheet, row and column of
the cell computed). References stay relative, so one compiled formula serves every cell of
a run. Excel's functions are called from :mod:`crm_xl.calc.functions`; IF, IFERROR, IFNA,
CHOOSE, IFS and SWITCH (:data:`LAZY`) evaluate only the branch they take, LET binds names,
LAMBDAs are expanded where they are called (:mod:`crm_xl.calc.lambdas`); ``CRM_*`` calls
go to the book's custom functions (:mod:`crm_xl.calc.custom_calls`). The compiler also
records which ranges the formula reads (``spans``), for the dependency graph.

Example::

    >>> from crm_xl.calc.model import CellModel, Ctx
    >>> book = CellModel()
    >>> sheet = book.add_sheet("S")
    >>> book.set_value(sheet, 1, 1, 4.0)
    >>> code = Compiler(book, sheet, (1, 2)).top(fx.parse("=IF(A1>3,A1*2,1/0)", (1, 2)), False)
    >>> code(Ctx(book, sheet, 1, 2))
    8.0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crm_xl.calc import parser as fx
from crm_xl.calc.conversions import compare, date_serial, to_bool, to_number
from crm_xl.calc.custom_calls import from_xlwings, to_xlwings
from crm_xl.calc.functions import BUILTINS, REFUSED, VOLATILE
from crm_xl.calc.lambdas import CALC, HELPERS, LambdaCompiler, LambdaDef, bound, let_name
from crm_xl.calc.model import CellModel, Ctx, SheetData
from crm_xl.calc.operators import (
    BINARY,
    FAST,
    as_grid,
    broadcast2,
    intersect_value,
    intersecting,
    lift,
    neg,
    nz,
    operand,
    percent,
    scalar_of,
)
from crm_xl.calc.problems import DependsOn, EvaluationError, not_computed
from crm_xl.calc.structured_refs import structured_ref
from crm_xl.calc.values import (
    MISSING,
    NA,
    NAME,
    NULL,
    REF,
    VALUE,
    Array,
    ErrorResult,
    Multi,
    Range,
    Unsupported,
    XlError,
    error,
)
from crm_xl.errors import counted
from crm_xl.xlsx.coordinates import MAX_COL, MAX_ROW, cell_name

LAZY = {"IF", "IFERROR", "IFNA", "CHOOSE", "IFS", "SWITCH", "LET", "LAMBDA"} | HELPERS

#: How deep defined names may refer to defined names in one formula (each adds the depth
#: of its own formula to what the evaluator must recurse through).
MAX_NAME_DEPTH = 16


class Compiler(LambdaCompiler):
    """Turns a syntax tree into nested closures ``f(ctx) -> value``.

    ``sheet`` holds the formula and ``host`` is its cell (table references depend on it);
    after compiling, ``spans`` lists the (sheet, references) the formula reads. One method
    per kind of node, ``n_<Node class>``, and one per lazy function, ``lazy_<NAME>``.
    """

    def __init__(self, book: CellModel, sheet: SheetData, host: tuple[int, int] = (1, 1)):
        self.book = book
        self.sheet = sheet
        self.host = host
        self.spans: list[tuple[SheetData, list[fx.Ref]]] = []
        self.names: list[str] = []  # defined names being expanded (a name may not use itself)
        # LET's names and LAMBDAs' parameters in scope, inner last: each a slot's reader, or
        # the LambdaDef it is bound to
        self.lets: list[tuple[str, Any]] = []
        self.lambda_depth = 0  # LAMBDA calls being expanded (lambdas.MAX_LAMBDA_DEPTH)
        self.lambda_count = 0  # LAMBDA bodies expanded in all (lambdas.MAX_LAMBDA_EXPANSIONS)

    def top(self, node: fx.Node, arr: bool) -> Callable[[Ctx], Any]:
        """A whole formula's code; ``arr`` for an array formula (ranges are read whole)."""
        if self.lambda_of(node) is not None:
            return lambda ctx: CALC  # a LAMBDA not called: Excel's #CALC!
        return self.expr(node, arr)

    def expr(self, node: fx.Node, arr: bool) -> Callable[[Ctx], Any]:
        """The code of one node of the tree."""
        meth = getattr(self, "n_" + type(node).__name__)
        return meth(node, arr)

    # leaves
    def n_Number(self, node: fx.Number, arr: bool) -> Callable[[Ctx], Any]:
        v = node.value
        return lambda ctx: v

    n_Text = n_Number
    n_Bool = n_Number

    def n_Error(self, node: fx.Error, arr: bool) -> Callable[[Ctx], Any]:
        e = error(node.code)
        return lambda ctx: e

    def n_Missing(self, node: fx.Missing, arr: bool) -> Callable[[Ctx], Any]:
        return lambda ctx: MISSING

    def n_ArrayConst(self, node: fx.ArrayConst, arr: bool) -> Callable[[Ctx], Any]:
        a = Array(
            [[error(v.code) if isinstance(v, fx.Error) else v for v in row] for row in node.rows]
        )
        return lambda ctx: a

    def n_RefError(self, node: fx.RefError, arr: bool) -> Callable[[Ctx], Any]:
        return lambda ctx: REF

    def n_Unsupported(self, node: fx.Unsupported, arr: bool) -> Callable[[Ctx], Any]:
        raise Unsupported(node.reason, "")

    def n_StructRef(self, node: fx.StructRef, arr: bool) -> Callable[[Ctx], Any]:
        got = structured_ref(self.book, node, self.sheet, *self.host)
        if isinstance(got, XlError):
            return lambda ctx: got
        return self.n_Ref(got, arr)

    def n_Ref(self, node: fx.Ref, arr: bool) -> Callable[[Ctx], Any]:
        target = self.sheet if node.sheet is None else self.book.sheet_named(node.sheet)
        if target is None:
            return lambda ctx: REF
        self.spans.append((target, [node]))
        R1, C1, R2, C2 = node.r1, node.c1, node.r2, node.c2
        a1, b1, a2, b2 = node.abs
        if R1 is not None and C1 is not None and R1 == R2 and C1 == C2 and a1 == a2 and b1 == b2:
            if a1 and b1:
                rng = Range(target, R1, C1, R1, C1)
                return lambda ctx: rng

            def one(ctx: Ctx) -> Any:
                r = R1 if a1 else ctx.row + R1
                c = C1 if b1 else ctx.col + C1
                if r < 1 or c < 1 or r > MAX_ROW or c > MAX_COL:
                    return REF
                return Range(target, r, c, r, c)

            return one

        def many(ctx: Ctx) -> Any:
            r1 = 1 if R1 is None else (R1 if a1 else ctx.row + R1)
            r2 = MAX_ROW if R2 is None else (R2 if a2 else ctx.row + R2)
            c1 = 1 if C1 is None else (C1 if b1 else ctx.col + C1)
            c2 = MAX_COL if C2 is None else (C2 if b2 else ctx.col + C2)
            if r1 > r2:
                r1, r2 = r2, r1
            if c1 > c2:
                c1, c2 = c2, c1
            if r1 < 1 or c1 < 1 or r2 > MAX_ROW or c2 > MAX_COL:
                return REF
            return Range(target, r1, c1, r2, c2)

        return many

    def n_Name(self, node: fx.Name, arr: bool) -> Callable[[Ctx], Any]:
        if node.sheet is None and self.lets:
            local = let_name(node.name)
            for name, read in reversed(self.lets):
                if name == local:
                    if isinstance(read, LambdaDef):
                        raise Unsupported(f"the LAMBDA {node.name} used as a value", "LAMBDA")
                    return read
        scope = self.book.sheet_named(node.sheet) if node.sheet else self.sheet
        if scope is None:
            return lambda ctx: REF
        key = node.name.upper()
        if key in self.names:
            raise Unsupported(f"the defined name {node.name} refers to itself", "")
        if len(self.names) >= MAX_NAME_DEPTH:
            raise Unsupported(
                f"defined names refer to defined names more than {MAX_NAME_DEPTH} deep "
                f"(through {node.name}); crm-xl recalc does not evaluate that",
                "",
            )
        sub = self.book.name_node(node.name, scope)
        if sub is None:
            return lambda ctx: NAME
        self.names.append(key)
        try:
            return self.expr(sub, arr)
        finally:
            self.names.pop()

    # operators
    def n_Unary(self, node: fx.Unary, arr: bool) -> Callable[[Ctx], Any]:
        f = self.expr(node.operand, arr)
        if node.op == "+":
            return f
        return self._lifted1(f, arr, neg)

    def n_Percent(self, node: fx.Percent, arr: bool) -> Callable[[Ctx], Any]:
        return self._lifted1(self.expr(node.operand, arr), arr, percent)

    def _lifted1(
        self, f: Callable[[Ctx], Any], arr: bool, op: Callable[[Any], Any]
    ) -> Callable[[Ctx], Any]:
        def g(ctx: Ctx) -> Any:
            v = f(ctx)
            if v.__class__ is float:
                return op(v)
            v = operand(v, ctx, arr)
            if v.__class__ is Array:  # lift: the blank rows past the used range once
                return lift(lambda vals: op(vals[0]), [v], (0,))
            return op(v)

        return g

    def n_Binary(self, node: fx.Binary, arr: bool) -> Callable[[Ctx], Any]:
        op = node.op
        if op in (":", " ", ","):
            return self._ref_op(node, arr)
        lf, rf = self.expr(node.left, arr), self.expr(node.right, arr)
        scalar = BINARY[op]
        fast = FAST.get(op)

        def g(ctx: Ctx) -> Any:
            a = lf(ctx)
            b = rf(ctx)
            if fast is not None and a.__class__ is float and b.__class__ is float:
                try:
                    r = fast(a, b)
                except ZeroDivisionError:
                    return error("#DIV/0!")
                if r.__class__ is float and (r - r) != 0.0:  # inf or nan: Excel has none
                    return error("#NUM!")
                return r
            a = operand(a, ctx, arr)
            b = operand(b, ctx, arr)
            if a.__class__ is Array or b.__class__ is Array:
                return broadcast2(scalar, a, b)
            return scalar(a, b)

        return g

    def _ref_op(self, node: fx.Binary, arr: bool) -> Callable[[Ctx], Any]:
        start = len(self.spans)
        lf, rf = self.expr(node.left, arr), self.expr(node.right, arr)
        op = node.op
        if op == ":" and not (isinstance(node.left, fx.Ref) and isinstance(node.right, fx.Ref)):
            # A1:INDEX(...) covers cells between the two sides: depend on the whole box
            for target in {id(s): s for s, _ in self.spans[start:]}.values():
                refs = [r for s, rs in self.spans[start:] if s is target for r in rs]
                self.spans.append((target, refs))

        def g(ctx: Ctx) -> Any:
            a, b = lf(ctx), rf(ctx)
            for v in (a, b):
                if v.__class__ is XlError:
                    return v
            if op == ",":
                areas = []
                for v in (a, b):
                    if isinstance(v, Range):
                        areas.append(v)
                    elif isinstance(v, Multi):
                        areas.extend(v.areas)
                    else:
                        return VALUE
                return Multi(areas)
            if not (isinstance(a, Range) and isinstance(b, Range)) or a.sheet is not b.sheet:
                return VALUE
            if op == ":":
                return Range(
                    a.sheet, min(a.r1, b.r1), min(a.c1, b.c1), max(a.r2, b.r2), max(a.c2, b.c2)
                )
            r1, c1, r2, c2 = max(a.r1, b.r1), max(a.c1, b.c1), min(a.r2, b.r2), min(a.c2, b.c2)
            if r1 > r2 or c1 > c2:
                return NULL
            return Range(a.sheet, r1, c1, r2, c2)

        return g

    # functions
    def _today(self) -> Callable[[Ctx], Any]:
        """TODAY() as the date the run was given (its serial in the workbook's date system)."""
        day = self.book.today
        serial = date_serial(day.year, day.month, day.day) - (1462 if self.book.date1904 else 0)
        self.book.today_used = True
        return lambda ctx: serial

    def _now(self) -> Callable[[Ctx], Any]:
        """NOW() as the moment the run was given: the day's serial plus the time as a fraction."""
        t = self.book.now
        day = date_serial(t.year, t.month, t.day) - (1462 if self.book.date1904 else 0)
        seconds = t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6
        serial = day + seconds / 86400
        self.book.now_used = True
        return lambda ctx: serial

    def n_Func(self, node: fx.Func, arr: bool) -> Callable[[Ctx], Any]:
        name = node.name
        if name == "TODAY" and self.book.today is not None and not node.args:
            return self._today()
        if name == "NOW" and self.book.now is not None and not node.args:
            return self._now()
        if name in VOLATILE:
            raise Unsupported(f"{name}() is not supported: it {VOLATILE[name]}", name)
        if name in REFUSED:
            raise Unsupported(f"{name}() is not supported: it {REFUSED[name]}", name)
        if name in LAZY:
            return getattr(self, "lazy_" + name)(node, arr)
        if name == "SINGLE":  # the @ operator
            if len(node.args) != 1:
                raise fx.FormulaError("@ takes one value")
            f = self.expr(node.args[0], arr)
            return lambda ctx: intersect_value(f(ctx), ctx.row, ctx.col)
        if name.startswith("CRM_"):
            return self._crm(node, arr)
        if self.lets:  # a LET name or a parameter bound to a LAMBDA, called
            local = let_name(name)
            for bound_name, read in reversed(self.lets):
                if bound_name == local:
                    if isinstance(read, LambdaDef):
                        return self.call_lambda(read, node.args, arr)
                    raise Unsupported(f"{name} is called but is not a LAMBDA", "LAMBDA")
        spec = BUILTINS.get(name)
        if spec is None:
            lam = self.book.name_node(name, self.sheet) if name.isidentifier() else None
            if isinstance(lam, fx.Func) and lam.name == "LAMBDA":
                return self.call_lambda(self._define(lam, (), name.upper()), node.args, arr)
            raise Unsupported(f"function {name} is not supported by crm-xl recalc", name)
        n = len(node.args)
        if n < spec.min_args or (spec.max_args is not None and n > spec.max_args):
            raise fx.FormulaError(f"{name} does not take {n} argument(s)")
        args = []
        vidx = []
        for i, a in enumerate(node.args):
            kind = spec.kind(i)
            if isinstance(a, fx.Missing):
                args.append(self.n_Missing(a, arr))
                continue
            if kind == "V":
                vidx.append(i)
                f = self.expr(a, arr)
                args.append(f if arr else intersecting(f))
            elif kind == "A":
                args.append(self.expr(a, True))
            else:
                args.append(self.expr(a, arr))
        fn, needs_ctx, errors = spec.fn, spec.needs_ctx, spec.errors
        vset = tuple(vidx)

        def invoke(ctx: Ctx, values: list[Any]) -> Any:
            if not errors:
                for i in vset:
                    if values[i].__class__ is XlError:
                        return values[i]
            try:
                return fn(ctx, *values) if needs_ctx else fn(*values)
            except ErrorResult as e:
                return e.error
            except (Unsupported, EvaluationError, DependsOn, RecursionError):
                raise
            except Exception as err:  # one bad cell is that cell's problem
                raise Unsupported(not_computed(name, err), name) from None

        if spec.lift and vset:  # arrays (and, in array formulas, ranges) go cell by cell

            def lifted(ctx: Ctx) -> Any:
                values = [a(ctx) for a in args]
                if any(isinstance(values[i], (Range, Array)) for i in vset):
                    return lift(lambda vals: invoke(ctx, vals), values, vset)
                return invoke(ctx, values)

            return lifted
        if len(args) == 1:
            a0 = args[0]
            return lambda ctx: invoke(ctx, [a0(ctx)])
        return lambda ctx: invoke(ctx, [a(ctx) for a in args])

    def _value_arg(self, node: fx.Node, arr: bool) -> Callable[[Ctx], Any]:
        if isinstance(node, fx.Missing):
            return lambda ctx: MISSING
        f = self.expr(node, arr)
        return f if arr else intersecting(f)

    def lazy_IF(self, node: fx.Func, arr: bool) -> Callable[[Ctx], Any]:
        """IF: only the branch taken is computed (cell by cell over an array condition)."""
        n = len(node.args)
        if not 1 <= n <= 3:
            raise fx.FormulaError(f"IF does not take {n} argument(s)")
        cond = self._value_arg(node.args[0], arr)
        yes = self.expr(node.args[1], arr) if n > 1 else (lambda ctx: True)
        no = self.expr(node.args[2], arr) if n > 2 else (lambda ctx: False)

        def pick(c: Any, y: Callable[[], Any], o: Callable[[], Any]) -> Any:
            if c.__class__ is XlError:
                return c
            try:
                b = to_bool(c)
            except ErrorResult as e:
                return e.error
            v = y() if b else o()
            return 0.0 if v is MISSING else v

        def g(ctx: Ctx) -> Any:
            c = cond(ctx)
            if isinstance(c, (Range, Array)):
                y, o = as_grid(yes(ctx)), as_grid(no(ctx))
                return lift(lambda v: pick(v[0], lambda: v[1], lambda: v[2]), [c, y, o], (0, 1, 2))
            return pick(c, lambda: yes(ctx), lambda: no(ctx))

        return g

    def lazy_IFERROR(self, node: fx.Func, arr: bool, na_only: bool = False) -> Callable[[Ctx], Any]:
        """IFERROR (IFNA with ``na_only``): the alternative only for an error."""
        if len(node.args) != 2:
            raise fx.FormulaError("IFERROR takes 2 arguments")
        value = self._value_arg(node.args[0], arr)
        alt = self._value_arg(node.args[1], arr)

        def hit(v: Any) -> bool:
            return v.__class__ is XlError and (not na_only or v.code == "#N/A")

        def g(ctx: Ctx) -> Any:
            v = value(ctx)
            if isinstance(v, (Range, Array)):
                a = as_grid(alt(ctx))
                return lift(lambda x: nz(x[1]) if hit(x[0]) else nz(x[0]), [v, a], (0, 1))
            return nz(alt(ctx)) if hit(v) else nz(v)

        return g

    def lazy_IFNA(self, node: fx.Func, arr: bool) -> Callable[[Ctx], Any]:
        """IFNA: :meth:`lazy_IFERROR` for #N/A only."""
        return self.lazy_IFERROR(node, arr, na_only=True)

    def lazy_CHOOSE(self, node: fx.Func, arr: bool) -> Callable[[Ctx], Any]:
        """CHOOSE: only the option chosen is computed."""
        if len(node.args) < 2:
            raise fx.FormulaError("CHOOSE takes at least 2 arguments")
        index = self._value_arg(node.args[0], arr)
        options = [self.expr(a, arr) for a in node.args[1:]]

        def pick(i: Any, ctx: Ctx) -> Any:
            if i.__class__ is XlError:
                return i
            try:
                k = int(to_number(i))
            except ErrorResult as e:
                return e.error
            if not 1 <= k <= len(options):
                return VALUE
            v = options[k - 1](ctx)
            return 0.0 if v is MISSING else v

        def g(ctx: Ctx) -> Any:
            i = index(ctx)
            if isinstance(i, (Range, Array)):
                return lift(lambda v: scalar_of(pick(v[0], ctx), ctx), [i], (0,))
            return pick(i, ctx)

        return g

    def lazy_IFS(self, node: fx.Func, arr: bool) -> Callable[[Ctx], Any]:
        """IFS: conditions in order until one is true, then only its value."""
        if len(node.args) < 2 or len(node.args) % 2:
            raise fx.FormulaError("IFS takes pairs of arguments")
        pairs = [
            (self._value_arg(node.args[i], arr), self._value_arg(node.args[i + 1], arr))
            for i in range(0, len(node.args), 2)
        ]

        def g(ctx: Ctx) -> Any:
            for cond, value in pairs:
                c = cond(ctx)
                if isinstance(c, (Range, Array)):
                    raise Unsupported("IFS over arrays", "IFS")
                if c.__class__ is XlError:
                    return c
                try:
                    if to_bool(c):
                        return nz(value(ctx))
                except ErrorResult as e:
                    return e.error
            return NA

        return g

    def lazy_SWITCH(self, node: fx.Func, arr: bool) -> Callable[[Ctx], Any]:
        """SWITCH: cases in order until one matches, then only its value."""
        if len(node.args) < 3:
            raise fx.FormulaError("SWITCH takes at least 3 arguments")
        expr = self._value_arg(node.args[0], arr)
        rest = [self._value_arg(a, arr) for a in node.args[1:]]

        def g(ctx: Ctx) -> Any:
            v = expr(ctx)
            if isinstance(v, (Range, Array)):
                raise Unsupported("SWITCH over arrays", "SWITCH")
            if v.__class__ is XlError:
                return v
            for i in range(0, len(rest) - 1, 2):
                w = rest[i](ctx)
                if w.__class__ is XlError:
                    return w
                if compare(v, w) == 0 and v.__class__ is w.__class__:
                    return nz(rest[i + 1](ctx))
            return nz(rest[-1](ctx)) if len(rest) % 2 else NA

        return g

    def lazy_LET(self, node: fx.Func, arr: bool) -> Callable[[Ctx], Any]:
        """LET(name1, value1, [name2, value2, ...], calculation): each value computed once,
        in order, each seeing the names before it; the calculation sees them all (names in
        the file are ``_xlpm.x``). A compiled formula serves every cell of its shape and
        may run again inside itself (a cell it reads computed first): the values live in
        slots saved and restored around each run."""
        args = node.args
        if len(args) < 3 or len(args) % 2 == 0:
            raise fx.FormulaError("LET takes names and values in pairs, then a calculation")
        slots: list[Any] = [None] * (len(args) // 2)
        codes = []
        before = len(self.lets)
        try:
            for i in range(0, len(args) - 1, 2):
                name = args[i]
                if not isinstance(name, fx.Name) or name.sheet is not None:
                    raise fx.FormulaError("LET's names must be names")
                lam = self.lambda_of(args[i + 1])
                if lam is not None:  # expanded where it is called (crm_xl.calc.lambdas)
                    codes.append(lambda ctx: None)
                    self.lets.append((let_name(name.name), lam))
                    continue
                codes.append(self.expr(args[i + 1], arr))
                k = i // 2
                self.lets.append((let_name(name.name), lambda ctx, k=k: slots[k]))
            if self.lambda_of(args[-1]) is not None:
                return lambda ctx: CALC  # LET(f, LAMBDA(x, x), f): a LAMBDA not called
            body = self.expr(args[-1], arr)
        finally:
            del self.lets[before:]

        return bound(slots, codes, body)

    def _crm(self, node: fx.Func, arr: bool) -> Callable[[Ctx], Any]:
        """A call of one of the book's custom functions, with the arguments xlwings passes."""
        info = self.book.functions.get(node.name)
        if info is None:
            raise Unsupported(f"function {node.name} is not one of crm_xl's functions", node.name)
        params = info.params
        if len(node.args) > len(params):
            raise fx.FormulaError(f"{node.name} takes at most {counted(len(params), 'argument')}")
        required = info.required
        if len(node.args) < required:
            raise fx.FormulaError(f"{node.name} needs at least {counted(required, 'argument')}")
        argf = [self.expr(a, arr) for a in node.args]
        spec = [(p.as_range, p.default) for p in params[: len(node.args)]]
        impl = info.call

        def g(ctx: Ctx) -> Any:
            values = []
            for f, (ndim2, default), a in zip(argf, spec, node.args, strict=True):
                if isinstance(a, fx.Missing):
                    values.append(default)
                    continue
                values.append(to_xlwings(f(ctx), ndim2, ctx.book))
            try:
                result = impl(*values)
            except Exception as err:  # a custom function promises never to raise; say so if it does
                raise EvaluationError(
                    f"{ctx.sheet.name}!{cell_name(ctx.row, ctx.col)}",
                    f"{node.name} failed: {type(err).__name__}: {err}",
                ) from None
            return from_xlwings(result)

        return g
