"""Excel formulas as syntax trees, for the headless evaluator (:mod:`crm_xl.calc.evaluator`).

Tokens come from openpyxl's :class:`~openpyxl.formula.tokenizer.Tokenizer`; this module
builds the tree with Excel's operator precedence, from tightest to loosest:

=====================  ==========================================
``:``                  range (``A1:B2``, ``A1:INDEX(B1:B9,2)``)
space                  intersection (``A1:C3 B2:D4``)
``,``                  union, inside parentheses (``SUM((A1,B2))``)
``-`` ``+`` (prefix)   negation (``-2^2`` is 4, as in Excel)
``%``                  percent
``^``                  power (left to right: ``2^3^2`` is 64)
``*`` ``/``
``+`` ``-``
``&``                  text concatenation
``= <> < > <= >=``     comparison
=====================  ==========================================

References are kept **relative to the cell holding the formula** (Excel's R1C1 view): a
relative row or column is stored as an offset, an absolute one (``$``) as its number. So
the tree of ``=B2*2`` in C2 and of ``=B3*2`` in C3 is the same, and one tree serves every
cell of a filled-down column or a shared formula.

Example::

    >>> parse("=B2*2", host=(3, 3))
    Binary(op='*', left=Ref(sheet=None, r1=-1, c1=-1, r2=-1, c2=-1, abs=(False, False, False, False)), right=Number(value=2.0))
    >>> parse("=-2^2") == Binary("^", Unary("-", Number(2.0)), Number(2.0))
    True
    >>> parse("='It''s'!$A$1").sheet
    "It's"
    >>> relative_key("=B2*2", (2, 3)) == relative_key("=B3*2", (3, 3))
    True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from crm_xl.xlsx.coordinates import MAX_COL, MAX_ROW, col_number


def _tokenizer_module() -> Any:
    """openpyxl's formula tokenizer without the rest of openpyxl.

    ``import openpyxl.formula.tokenizer`` runs ``openpyxl/__init__``, which loads all of
    openpyxl (about 0.2 s, a tenth of a 100,000-row ``crm-xl recalc``). The tokenizer
    module imports nothing but ``re``, so it is loaded from openpyxl's own file (its
    bytecode cache included), under a private name; if that fails in any way the normal
    import is used.
    """
    import sys

    if "openpyxl.formula.tokenizer" in sys.modules:
        return sys.modules["openpyxl.formula.tokenizer"]
    try:
        import importlib.util
        from pathlib import Path

        found = importlib.util.find_spec("openpyxl")  # finds the package, imports nothing
        assert found is not None and found.submodule_search_locations
        path = Path(next(iter(found.submodule_search_locations))) / "formula" / "tokenizer.py"
        spec = importlib.util.spec_from_file_location("crm_xl._openpyxl_tokenizer", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.Tokenizer, module.Token, module.TokenizerError  # noqa: B018 (what is used)
        return module
    except Exception:
        import openpyxl.formula.tokenizer as module

        return module


_tok = _tokenizer_module()
Token, Tokenizer, TokenizerError = _tok.Token, _tok.Tokenizer, _tok.TokenizerError

__all__ = [
    "ArrayConst",
    "Binary",
    "Bool",
    "Call",
    "Error",
    "FormulaError",
    "Func",
    "Missing",
    "Name",
    "Node",
    "Number",
    "Percent",
    "Ref",
    "RefError",
    "StructRef",
    "Text",
    "Unary",
    "Unsupported",
    "functions_used",
    "parse",
    "parse_counted",
    "relative_key",
    "translate",
    "walk",
]

PREFIXES = ("_xlfn.", "_xlws.")


class FormulaError(ValueError):
    """A formula that cannot be parsed; the message says why."""


# --- the tree -----------------------------------------------------------------------------


class Node:
    """Base class of the syntax tree's nodes."""

    __slots__ = ()


@dataclass(frozen=True)
class Number(Node):
    value: float


@dataclass(frozen=True)
class Text(Node):
    value: str


@dataclass(frozen=True)
class Bool(Node):
    value: bool


@dataclass(frozen=True)
class Error(Node):
    """An error literal such as ``#N/A`` (``code`` is its text)."""

    code: str


@dataclass(frozen=True)
class ArrayConst(Node):
    """``{1,2;3,4}``: rows of constants (float, str, bool, or an :class:`Error`)."""

    rows: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class Ref(Node):
    """A cell or range reference; ``sheet`` None means the formula's own sheet.

    ``r1, c1`` is the first corner and ``r2, c2`` the last (equal for one cell); ``abs``
    says, per ``(r1, c1, r2, c2)``, whether it is absolute (a row or column number, 1-based)
    or relative (an offset from the formula's cell). Whole columns (``A:C``) have rows
    None, whole rows (``3:5``) columns None.
    """

    sheet: str | None
    r1: int | None
    c1: int | None
    r2: int | None
    c2: int | None
    abs: tuple[bool, bool, bool, bool]

    def bounds(self, row: int, col: int) -> tuple[int | None, int | None, int | None, int | None]:
        """(row1, col1, row2, col2) for a formula in ``(row, col)``, sorted; None = whole."""
        a1, b1, a2, b2 = self.abs
        r1 = None if self.r1 is None else (self.r1 if a1 else row + self.r1)
        c1 = None if self.c1 is None else (self.c1 if b1 else col + self.c1)
        r2 = None if self.r2 is None else (self.r2 if a2 else row + self.r2)
        c2 = None if self.c2 is None else (self.c2 if b2 else col + self.c2)
        if r1 is not None and r2 is not None and r1 > r2:
            r1, r2 = r2, r1
        if c1 is not None and c2 is not None and c1 > c2:
            c1, c2 = c2, c1
        return r1, c1, r2, c2


@dataclass(frozen=True)
class RefError(Node):
    """A reference Excel has already turned into ``#REF!`` (``Sheet1!#REF!``)."""

    sheet: str | None


@dataclass(frozen=True)
class Name(Node):
    """A defined name; ``sheet`` is set for ``Sheet1!name`` (a sheet-scoped name)."""

    name: str
    sheet: str | None = None


@dataclass(frozen=True)
class Func(Node):
    """A function call; ``name`` is upper-case without ``_xlfn.``/``_xlws.`` prefixes."""

    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Call(Node):
    """A call of what an expression gives: ``LAMBDA(x, x*2)(A1)`` (``callee`` the LAMBDA,
    ``args`` what it is called with)."""

    callee: Node
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Missing(Node):
    """An omitted argument (``IF(A1,,2)``)."""


@dataclass(frozen=True)
class Unary(Node):
    op: str
    operand: Node


@dataclass(frozen=True)
class Percent(Node):
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    """An infix operator; ``op`` is one of ``: , + - * / ^ & = <> < > <= >=`` or ``" "``."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class StructRef(Node):
    """A structured reference to a table: ``Sales[Amount]``, ``Sales[[#Totals],[Amount]]``,
    ``[@Amount]`` (``table`` None: the table holding the formula). ``spec`` is the bracketed
    part; the evaluator resolves it with the workbook's tables."""

    table: str | None
    spec: str
    text: str


@dataclass(frozen=True)
class Unsupported(Node):
    """Syntax the evaluator does not handle (external references, 3-D ranges)."""

    text: str
    reason: str


def walk(node: Node):
    """Every node of the tree, parents before children."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, Func):
            stack.extend(reversed(n.args))
        elif isinstance(n, Binary):
            stack += [n.right, n.left]
        elif isinstance(n, (Unary, Percent)):
            stack.append(n.operand)
        elif isinstance(n, Call):
            stack.extend(reversed(n.args))
            stack.append(n.callee)


def functions_used(node: Node) -> set[str]:
    """Names of the functions a tree calls."""
    return {n.name for n in walk(node) if isinstance(n, Func)}


# --- references ---------------------------------------------------------------------------

_CELL = re.compile(r"^(\$?)([A-Za-z]{1,3})(\$?)([0-9]{1,7})$")
_COL = re.compile(r"^(\$?)([A-Za-z]{1,3})$")
_ROW = re.compile(r"^(\$?)([0-9]{1,7})$")


def split_sheet(text: str) -> tuple[str | None, str]:
    """``'It''s'!A1`` → ("It's", "A1"); no sheet → (None, text)."""
    if text.startswith("'"):
        i = 1
        while i < len(text):
            if text[i] == "'":
                if text[i + 1 : i + 2] == "'":
                    i += 2
                    continue
                break
            i += 1
        if text[i + 1 : i + 2] != "!":
            raise FormulaError(f"bad sheet reference {text!r}")
        return text[1:i].replace("''", "'"), text[i + 2 :]
    if "!" in text:
        sheet, _, rest = text.rpartition("!")
        return sheet, rest
    return None, text


def _corner(text: str) -> tuple[str, tuple[int | None, bool, int | None, bool]] | None:
    """One side of a range: ('cell'|'col'|'row', (row, row_abs, col, col_abs))."""
    m = _CELL.match(text)
    if m:
        col, row = col_number(m.group(2)), int(m.group(4))
        if col <= MAX_COL and 1 <= row <= MAX_ROW:
            return "cell", (row, bool(m.group(3)), col, bool(m.group(1)))
        return None
    m = _COL.match(text)
    if m:
        col = col_number(m.group(2))
        return ("col", (None, False, col, bool(m.group(1)))) if col <= MAX_COL else None
    m = _ROW.match(text)
    if m:
        row = int(m.group(2))
        return ("row", (row, bool(m.group(1)), None, False)) if 1 <= row <= MAX_ROW else None
    return None


def _operand_ref(text: str, host: tuple[int, int]) -> tuple[Node, int]:
    """A RANGE operand token: a reference, a defined name, or unsupported syntax.

    Also returns how many A1-style corners it holds (``A1:B2`` 2, ``A:A`` 1), to check
    :func:`relative_key`.
    """
    if "[" in text:
        if re.match(r"^\[[^\]]*\][^\[]*!", text) or re.match(r"^'\[", text):
            return Unsupported(text, f"an external workbook reference ({text})"), -1
        at = text.index("[")
        return StructRef(text[:at] or None, text[at:], text), -1
    if text.upper().endswith("#REF!"):
        return RefError(split_sheet(text[:-5] + "A1")[0]), 0
    parts = _split_colon(text)
    sheet = None
    corners = []
    for i, part in enumerate(parts):
        s, rest = split_sheet(part)
        if s is not None:
            if ":" in s:
                return Unsupported(text, f"a 3-D reference across sheets ({text})"), -1
            if i and sheet is not None and s.casefold() != sheet.casefold():
                return Unsupported(text, f"a reference across sheets ({text})"), -1
            sheet = s if sheet is None else sheet
        if rest.upper() == "#REF!":
            return RefError(sheet), 0
        corners.append(rest)
    if len(corners) == 1:
        c = _corner(corners[0])
        if c is None or c[0] != "cell":
            return Name(corners[0], sheet), 0
        kinds = [c, c]
    elif len(corners) == 2:
        kinds = [_corner(corners[0]), _corner(corners[1])]
        if kinds[0] is None or kinds[1] is None or kinds[0][0] != kinds[1][0]:
            raise FormulaError(f"bad range {text!r}")
    else:
        raise FormulaError(f"bad range {text!r}")
    (r1, a1, c1, b1), (r2, a2, c2, b2) = kinds[0][1], kinds[1][1]
    hr, hc = host
    ref = Ref(
        sheet,
        None if r1 is None else (r1 if a1 else r1 - hr),
        None if c1 is None else (c1 if b1 else c1 - hc),
        None if r2 is None else (r2 if a2 else r2 - hr),
        None if c2 is None else (c2 if b2 else c2 - hc),
        (a1, b1, a2, b2),
    )
    return ref, (len(corners) if kinds[0][0] == "cell" else 1)


def _split_colon(text: str) -> list[str]:
    """Split on ':' outside quoted sheet names."""
    parts, cur, quoted = [], [], False
    for ch in text:
        if ch == "'":
            quoted = not quoted
        if ch == ":" and not quoted:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    # 'Sheet1:Sheet3'!A1 style: the colon was inside the sheet part (3-D)
    if len(parts) == 2 and "!" in parts[1] and "!" not in parts[0]:
        return [text]
    return parts


# --- the parser ---------------------------------------------------------------------------

_INFIX_BP = {
    ":": 80,
    " ": 70,
    ",": 60,
    "^": 40,
    "*": 30,
    "/": 30,
    "+": 20,
    "-": 20,
    "&": 15,
    "=": 10,
    "<>": 10,
    "<": 10,
    ">": 10,
    "<=": 10,
    ">=": 10,
}
_PREFIX_BP = 50
_PERCENT_BP = 45


def _strip_prefix(name: str) -> str:
    name = name.upper()
    changed = True
    while changed:
        changed = False
        for p in PREFIXES:
            if name.startswith(p.upper()):
                name = name[len(p) :]
                changed = True
    return name


def _tokens(text: str) -> list[Token]:
    """openpyxl's tokens with whitespace turned into intersections or dropped."""
    try:
        items = Tokenizer(text).items
    except TokenizerError as err:
        raise FormulaError(str(err)) from None
    except (IndexError, AssertionError, KeyError, ValueError):  # unbalanced brackets
        raise FormulaError("unbalanced brackets or parentheses") from None
    out: list[Token] = []
    for tok in items:
        if tok.type == Token.FUNC and tok.subtype == Token.OPEN and ":" in tok.value:
            # "A1:INDEX(" – a range whose second corner is a function
            ref, _, func = tok.value.rpartition(":")
            out += [
                Token(ref, Token.OPERAND, Token.RANGE),
                Token(":", Token.OP_IN),
                Token(func, Token.FUNC, Token.OPEN),
            ]
        else:
            out.append(tok)
    result: list[Token] = []
    for i, tok in enumerate(out):
        if tok.type != Token.WSPACE:
            result.append(tok)
            continue
        prev = result[-1] if result else None
        nxt = next((t for t in out[i + 1 :] if t.type != Token.WSPACE), None)
        ends = prev is not None and (
            (prev.type == Token.OPERAND and prev.subtype == Token.RANGE)
            or (prev.type in (Token.PAREN, Token.FUNC) and prev.subtype == Token.CLOSE)
        )
        starts = nxt is not None and (
            (nxt.type == Token.OPERAND and nxt.subtype == Token.RANGE)
            or (nxt.type in (Token.PAREN, Token.FUNC) and nxt.subtype == Token.OPEN)
        )
        if ends and starts:
            result.append(Token(" ", Token.OP_IN))
    return result


class _Parser:
    def __init__(self, tokens: list[Token], host: tuple[int, int]):
        self.toks = tokens
        self.i = 0
        self.host = host
        self.corners = 0  # A1-style corners seen; -1 once something is not cacheable

    def peek(self) -> Token | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise FormulaError("the formula ends too early")
        self.i += 1
        return tok

    def expr(self, rbp: int = 0) -> Node:
        left = self.nud(self.take())
        while True:
            tok = self.peek()
            if tok is None:
                return left
            if tok.type == Token.OP_POST:
                if rbp >= _PERCENT_BP:
                    return left
                self.i += 1
                left = Percent(left)
                continue
            if tok.type != Token.OP_IN:
                return left
            bp = _INFIX_BP.get(tok.value)
            if bp is None:
                raise FormulaError(f"unknown operator {tok.value!r}")
            if bp <= rbp:
                return left
            self.i += 1
            left = Binary(tok.value, left, self.expr(bp))

    def nud(self, tok: Token) -> Node:
        t, s, v = tok.type, tok.subtype, tok.value
        if t == Token.OPERAND:
            if s == Token.NUMBER:
                return Number(float(v))
            if s == Token.TEXT:
                return Text(v[1:-1].replace('""', '"'))
            if s == Token.LOGICAL:
                return Bool(v.upper() == "TRUE")
            if s == Token.ERROR:
                return Error(v.upper())
            node, corners = _operand_ref(v, self.host)
            self.corners = -1 if corners < 0 or self.corners < 0 else self.corners + corners
            return node
        if t == Token.OP_PRE:
            return Unary(v, self.expr(_PREFIX_BP))
        if t == Token.PAREN and s == Token.OPEN:
            inner = self.expr(0)
            close = self.take()
            if close.type != Token.PAREN or close.subtype != Token.CLOSE:
                raise FormulaError(f"expected ')' but found {close.value!r}")
            return inner
        if t == Token.FUNC and s == Token.OPEN:
            node = self.call(v[:-1])
            while (
                (nxt := self.peek()) is not None
                and nxt.type == Token.PAREN
                and nxt.subtype == Token.OPEN
            ):
                node = Call(node, self.call_args())  # LAMBDA(x, x*2)(A1)
            return node
        if t == Token.ARRAY and s == Token.OPEN:
            return self.array()
        raise FormulaError(f"unexpected {v!r}")

    def call(self, raw_name: str) -> Node:
        name = _strip_prefix(raw_name)
        args: list[Node] = []
        tok = self.peek()
        if tok is not None and tok.type == Token.FUNC and tok.subtype == Token.CLOSE:
            self.i += 1
            return Func(name, ())
        while True:
            tok = self.peek()
            if tok is None:
                raise FormulaError(f"{name}( is not closed")
            if tok.type == Token.SEP and tok.subtype == Token.ARG:
                args.append(Missing())
                self.i += 1
                continue
            if tok.type == Token.FUNC and tok.subtype == Token.CLOSE:
                args.append(Missing())
                self.i += 1
                return Func(name, tuple(args))
            args.append(self.expr(0))
            tok = self.take()
            if tok.type == Token.SEP and tok.subtype == Token.ARG:
                nxt = self.peek()
                if nxt is not None and nxt.type == Token.FUNC and nxt.subtype == Token.CLOSE:
                    args.append(Missing())
                    self.i += 1
                    return Func(name, tuple(args))
                continue
            if tok.type == Token.FUNC and tok.subtype == Token.CLOSE:
                return Func(name, tuple(args))
            raise FormulaError(f"unexpected {tok.value!r} in the arguments of {name}")

    def call_args(self) -> tuple[Node, ...]:
        """``(A1, 2)`` after a function: the arguments of a call of its result (the
        tokenizer reads the commas as unions: each argument stops at one)."""
        self.take()
        args: list[Node] = []
        while True:
            tok = self.peek()
            if tok is not None and tok.type == Token.PAREN and tok.subtype == Token.CLOSE:
                self.i += 1
                return tuple(args)
            if args:
                if tok is None or tok.type != Token.OP_IN or tok.value != ",":
                    raise FormulaError("expected ',' or ')' in the arguments of a call")
                self.i += 1
            args.append(self.expr(_INFIX_BP[","]))

    def array(self) -> Node:
        rows: list[list[Any]] = [[]]
        while True:
            tok = self.take()
            if tok.type == Token.ARRAY and tok.subtype == Token.CLOSE:
                break
            if tok.type == Token.SEP:
                if tok.subtype == Token.ROW:
                    rows.append([])
                continue
            sign = 1.0
            while tok.type == Token.OP_PRE:
                sign = -sign if tok.value == "-" else sign
                tok = self.take()
            if tok.type != Token.OPERAND or tok.subtype == Token.RANGE:
                raise FormulaError(f"an array constant holds constants only, not {tok.value!r}")
            node = self.nud(tok)
            value = node.value if not isinstance(node, Error) else node
            if isinstance(node, Number):
                value = sign * node.value
            rows[-1].append(value)
        width = len(rows[0])
        if width == 0 or any(len(r) != width for r in rows):
            raise FormulaError("the rows of an array constant must have the same length")
        return ArrayConst(tuple(tuple(r) for r in rows))


def parse(text: str, host: tuple[int, int] = (1, 1)) -> Node:
    """The syntax tree of ``text`` (with or without the leading ``=``) in cell ``host``.

    ``host`` is (row, column), 1-based: relative references become offsets from it.
    Raises :class:`FormulaError` when the text is not a formula Excel would accept.
    """
    return parse_counted(text, host)[0]


def parse_counted(text: str, host: tuple[int, int] = (1, 1)) -> tuple[Node, int]:
    """:func:`parse`, plus how many A1-style reference corners the formula holds (-1 when
    it holds syntax that must not be shared between cells, such as table references)."""
    body = text[1:] if text.startswith("=") else text
    if not body.strip():
        raise FormulaError("the formula is empty")
    if len(body) > MAX_FORMULA_CHARS:
        raise FormulaError(f"it is longer than Excel's {MAX_FORMULA_CHARS:,} characters")
    parser = _Parser(_tokens("=" + body), host)
    try:
        node = parser.expr(0)
    except RecursionError:
        node = None
    if node is None or depth(node) > MAX_DEPTH:
        raise FormulaError(_TOO_DEEP)
    if parser.peek() is not None:
        raise FormulaError(f"unexpected {parser.peek().value!r}")
    return node, parser.corners


#: Excel's limit on a formula's length.
MAX_FORMULA_CHARS = 8192
#: How deep a formula's tree may be: Excel nests at most 64 functions; operators chained
#: further (``1+1+...``) would take the evaluator past Python's recursion limit.
MAX_DEPTH = 160
_TOO_DEEP = (
    f"it is nested more than {MAX_DEPTH} levels deep (brackets, functions and operators), "
    "more than crm-xl recalc evaluates; split it over several cells"
)


def depth(node: Node) -> int:
    """How many levels the tree has (a lone number is 1); without recursion.

    Example::

        >>> depth(parse("=1+2*3")), depth(parse("=SUM(1,(2))"))
        (3, 2)
    """
    deepest = 0
    stack = [(node, 1)]
    while stack:
        n, d = stack.pop()
        deepest = max(deepest, d)
        if isinstance(n, Func):
            stack.extend((a, d + 1) for a in n.args)
        elif isinstance(n, Binary):
            stack += [(n.left, d + 1), (n.right, d + 1)]
        elif isinstance(n, (Unary, Percent)):
            stack.append((n.operand, d + 1))
        elif isinstance(n, Call):
            stack.extend((a, d + 1) for a in (n.callee, *n.args))
    return deepest


# --- position-independent keys and shared formulas -----------------------------------------

_KEY_TOKEN = re.compile(
    r"""("(?:[^"]|"")*")"""  # a string literal: kept as it is
    r"""|('(?:[^']|'')*')"""  # a quoted sheet name: kept as it is
    r"""|(\[[^\]]*\])"""  # brackets: kept (structured references are not cached anyway)
    r"""|(?<![A-Za-z0-9_.\\$])(\$?)([A-Za-z]{1,3})(\$?)([0-9]{1,7})(?![A-Za-z0-9_.(!\[])"""
    r"""|(?<![A-Za-z0-9_.\\$])(\$?)([A-Za-z]{1,3}):(\$?)([A-Za-z]{1,3})(?![A-Za-z0-9_.(!\[])"""
    r"""|(?<![A-Za-z0-9_.\\$])(\$?)([0-9]{1,7}):(\$?)([0-9]{1,7})(?![A-Za-z0-9_.(!\[])"""
)


def relative_key(text: str, host: tuple[int, int]) -> tuple[str, int]:
    """``text`` with its references as offsets from ``host`` (R1C1 style), and their count.

    Two formulas with the same key have the same tree (:func:`parse` with their own host).
    """
    hr, hc = host
    count = 0

    def sub(m: re.Match[str]) -> str:
        nonlocal count
        if m.group(1) or m.group(2) or m.group(3):
            return m.group(0)
        count += 1
        if m.group(5):
            cabs, col, rabs, row = m.group(4), col_number(m.group(5)), m.group(6), int(m.group(7))
            return (
                f"R{'' if rabs else '['}{row if rabs else row - hr}{'' if rabs else ']'}"
                f"C{'' if cabs else '['}{col if cabs else col - hc}{'' if cabs else ']'}"
            )
        if m.group(9):
            a = col_number(m.group(9))
            b = col_number(m.group(11))
            return (
                f"C{'' if m.group(8) else '['}{a if m.group(8) else a - hc}{'' if m.group(8) else ']'}"
                f":C{'' if m.group(10) else '['}{b if m.group(10) else b - hc}{'' if m.group(10) else ']'}"
            )
        a, b = int(m.group(13)), int(m.group(15))
        return (
            f"R{'' if m.group(12) else '['}{a if m.group(12) else a - hr}{'' if m.group(12) else ']'}"
            f":R{'' if m.group(14) else '['}{b if m.group(14) else b - hr}{'' if m.group(14) else ']'}"
        )

    return _KEY_TOKEN.sub(sub, text), count


@lru_cache(maxsize=4096)
def _translator(text: str, origin: str) -> Any:
    from openpyxl.formula.translate import Translator  # shared formulas only: loaded late

    return Translator(text if text.startswith("=") else "=" + text, origin=origin)


def translate(master: str, origin: str, dest: str) -> str:
    """A shared formula's text (``master``, written for cell ``origin``) as it reads in ``dest``.

    Example::

        >>> translate("SUM(A1:B1)*$C$1", "D1", "D5")
        'SUM(A5:B5)*$C$1'
    """
    out = _translator(master, origin).translate_formula(dest)
    return out[1:] if out.startswith("=") else out
