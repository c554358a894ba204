"""Reading a customer list (CSV or Excel) into the Ratings sheet's input columns.

A user's own table has its own headers and habits, so the import says what it did: which
source column went to which field, which source columns were not used, which fields stay
blank (:class:`CustomerImport`). Headers may be the fields' keys or their Chinese or English
labels (:data:`crm_xl.workbook.layout.RATINGS_INPUTS`), or anything else with an explicit
mapping (``--map 所属区域=region``).
Number columns must hold numbers (every bad cell is reported with its place); text columns
stay text whatever they start with (a name such as ``=HYPERLINK(…)`` is never a formula).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from crm_xl.errors import CrmError, Problem
from crm_xl.workbook import layout

IDENTITY = layout.IDENTITY_KEYS  # a customer needs at least one of these


@dataclass(frozen=True)
class Customer:
    """One row of the Ratings sheet's input columns (values as the user gave them)."""

    values: dict[str, Any]


class ReportLine(NamedTuple):
    """One sentence of an import's report, and whether the user should act on it."""

    text: str
    warning: bool


@dataclass
class CustomerImport:
    """What an import read and did.

    Attributes:
        customers: one per data row.
        columns: source header → field key, in the source's order.
        unused: source headers that went to no field (their data is not in the workbook).
        blank_fields: fields no source column filled.
        duplicates: customer ID → the line or cell of each row that has it, within the
            source (whoever prints the report names the file once).
        cleaned: the cells whose control characters were removed, each with the characters.
    """

    customers: list[Customer]
    columns: dict[str, str]
    unused: list[str] = field(default_factory=list)
    blank_fields: list[str] = field(default_factory=list)
    duplicates: dict[str, list[str]] = field(default_factory=dict)
    # where the header was found when rows above it were a title: language → sentence
    header_notes: dict[str, str] = field(default_factory=dict)
    # cells whose control characters were removed (a cell's XML cannot hold them)
    cleaned: list[str] = field(default_factory=list)

    def report(self, lang: str = "en") -> list[ReportLine]:
        """The import in sentences for people (Chinese with ``lang="zh"``), each marked
        whether it is a warning: source columns not used, fields left blank, duplicate IDs.

        Example::

            >>> imp = CustomerImport([], {"客户": "name"}, ["备注"], ["orders"])
            >>> [(line.text, line.warning) for line in imp.report()][1:]
            [("columns not used: 备注 (map one with --map '备注=FIELD')", True), ('fields left blank: orders', True)]
        """
        zh = lang == "zh"
        lines = []
        if self.header_notes:
            lines.append(ReportLine(self.header_notes["zh" if zh else "en"], False))
        used = ", ".join(f"{source} → {key}" for source, key in self.columns.items())
        lines.append(ReportLine(f"已导入的列:{used}" if zh else f"columns used: {used}", False))
        if self.unused:
            names = ", ".join(self.unused)
            hint = f"--map '{self.unused[0]}=FIELD'"
            text = (
                f"未导入的列:{names}(可用 {hint} 指定字段)"
                if zh
                else f"columns not used: {names} (map one with {hint})"
            )
            lines.append(ReportLine(text, True))
        if self.blank_fields:
            names = ", ".join(self.blank_fields)
            lines.append(
                ReportLine(f"留空的字段:{names}" if zh else f"fields left blank: {names}", True)
            )
        if self.cleaned:
            where = "; ".join(self.cleaned[:10]) + (" …" if len(self.cleaned) > 10 else "")
            n = len(self.cleaned)
            text = (
                f"{n} 个单元格含控制字符(工作簿无法保存),已删除这些字符:{where}"
                if zh
                else f"control characters removed from {n} cell{'s' * (n != 1)} (a workbook "
                f"cannot hold them): {where}"
            )
            lines.append(ReportLine(text, True))
        for cid, places in self.duplicates.items():
            where = "; ".join(places)
            text = (
                f"客户编号 {cid} 重复:{where}"
                if zh
                else f"customer ID {cid} appears more than once: {where}"
            )
            lines.append(ReportLine(text, True))
        return lines


def _fields(indicators: Sequence[Any] = ()) -> dict[str, str]:
    """Every way a header may name a field: the labels of the model's ``indicators`` (the
    team's own words come first), each field's key, its Chinese and English labels and the
    usual other headers (:data:`~crm_xl.workbook.layout.HEADER_ALIASES`), in any case, with
    or without a unit in brackets."""
    out: dict[str, str] = {}
    for ind in indicators:
        for h in (ind.label_zh, ind.label_en):
            if h:
                out.setdefault(_norm(h), ind.column)
                out.setdefault(_norm(_without_unit(h)), ind.column)
    for c in layout.RATINGS_INPUTS:
        for h in (c.key, c.zh, c.en, *layout.HEADER_ALIASES.get(c.key, ())):
            out.setdefault(_norm(h), c.key)
            out.setdefault(_norm(_without_unit(h)), c.key)
    return out


_UNIT = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")


def _without_unit(header: Any) -> str:
    """``全年消费(元)`` → ``全年消费``: a unit in brackets at the end left out.

    Example::

        >>> _without_unit("全年消费(元)"), _without_unit("Spend (CNY)"), _without_unit("(x)")
        ('全年消费', 'Spend', '(x)')
    """
    text = str(header).strip()
    bare = _UNIT.sub("", text)
    return bare if bare else text


def _norm(header: Any) -> str:
    return " ".join(str(header).split()).lower()


def _field_of(header: Any, fields: dict[str, str]) -> str | None:
    return fields.get(_norm(header)) or fields.get(_norm(_without_unit(header)))


def _text(value: Any) -> str | None:
    """A text field's cell as text: a whole number typed in a number cell (a numeric
    customer ID, read as 10001.0) as it shows, ``10001``; a blank as None.

    Example::

        >>> _text(10001.0), _text(10001), _text(2.5), _text(float("nan")), _text("00123")
        ('10001', '10001', '2.5', None, '00123')
    """
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)


def parse_mapping(items: list[str] | None) -> dict[str, str]:
    """``--map`` values as source header → field key: ``所属区域=region``, or the path of a
    CSV or Excel file whose two first columns are the source header and the field.

    Example::

        >>> parse_mapping(["所属区域=region", "最近购买天数 = days_since_purchase"])
        {'所属区域': 'region', '最近购买天数': 'days_since_purchase'}
    """
    fields = _fields()
    mapping: dict[str, str] = {}
    problems = []
    for item in items or []:
        pairs: list[tuple[str, str, str]] = []
        if "=" in item:
            source, _, target = item.partition("=")
            pairs.append((source.strip(), target.strip(), f"--map {item}"))
        elif Path(item).is_file():
            from crm_xl.files.tables import read_table

            table = read_table(item)
            frame = table.frame
            if len(frame.columns) < 2:
                problems.append(
                    Problem(item, "a mapping file needs two columns: source header, field")
                )
                continue
            for i, (source, target) in enumerate(
                zip(frame.iloc[:, 0], frame.iloc[:, 1], strict=True)
            ):
                if source is not None and target is not None:
                    pairs.append(
                        (
                            str(source).strip(),
                            str(target).strip(),
                            table.locate(i, frame.columns[1]),
                        )
                    )
        else:
            problems.append(Problem(f"--map {item}", "write SOURCE=FIELD, or give a mapping file"))
            continue
        for source, target, where in pairs:
            key = fields.get(_norm(target))
            if not source or key is None:
                known = ", ".join(c.key for c in layout.RATINGS_INPUTS)
                problems.append(Problem(where, f"no field {target!r}; the fields are: {known}"))
            else:
                mapping[source] = key
    if problems:
        raise CrmError(problems)
    return mapping


def import_customers(
    path: str | Path,
    sheet: str | None = None,
    mapping: Mapping[str, str] | None = None,
    lang: str = "en",
    card: Any = None,
) -> CustomerImport:
    """Customers from a CSV or Excel table, matched to the Ratings fields by header (key,
    Chinese or English label) or by ``mapping`` (source header → field key), and what the
    import did (see :class:`CustomerImport`).

    With ``card`` (the workbook's scorecard; the built-in one without it) its indicators'
    labels name their fields too, and only the fields it scores, or that the RFM segment
    uses, are reported blank: a field the model does not use is no loss.

    A ``mapping`` source matches a header as the fields do: in any case and spacing, with or
    without its unit in brackets (``年度采购额`` maps ``年度采购额(元)``).

    Raises :class:`CrmError` (in ``lang``) when no column gives a customer ID or name, when
    a ``mapping`` source is no column of the table, when two source columns go to one
    field, or listing every cell of a number column that is not a number.

    Example::

        >>> from crm_xl.files.resources import sample_path
        >>> imp = import_customers(sample_path("customers.csv"))
        >>> imp.customers[0].values["customer_id"], imp.unused, imp.blank_fields
        ('C0001', [], [])
    """
    from crm_xl.core.scorecard import load_scorecard
    from crm_xl.core.user_numbers import numeric_column
    from crm_xl.files.resources import sample_path
    from crm_xl.files.tables import read_table
    from crm_xl.xlsx.xml_checks import without_forbidden_chars

    mapping = dict(mapping or {})
    card = card if card is not None else load_scorecard(sample_path("scorecard.toml"))
    fields = _fields(card.indicators)
    table = read_table(path, sheet=sheet)
    columns: dict[str, str] = {}
    unused: list[str] = []
    zh = lang == "zh"
    mapped = _mapped_columns(mapping, [str(h) for h in table.frame.columns], str(path), zh)
    for header in table.frame.columns:
        key = mapped.get(str(header)) or _field_of(header, fields)
        (unused.append(str(header)) if key is None else columns.__setitem__(str(header), key))
    taken: dict[str, list[str]] = {}
    for source, key in columns.items():
        taken.setdefault(key, []).append(source)
    twice = [
        Problem(
            str(path),
            f"列 {'、'.join(map(repr, sources))} 都对应字段 {key}:请把其中一列映射到别的字段或删除"
            if zh
            else f"columns {', '.join(map(repr, sources))} all go to the field {key}: map one elsewhere or remove it",
        )
        for key, sources in taken.items()
        if len(sources) > 1
    ]
    if twice:
        raise CrmError(twice)
    if not set(IDENTITY) & set(columns.values()):
        headers = ", ".join(map(str, table.frame.columns))
        raise CrmError(
            "表格需要客户编号(customer_id)或客户名称(name)列;"
            f"它的列是:{headers}(可用 --map '表头=customer_id' 指定)"
            if zh
            else "the table needs a customer_id (客户编号) or name (客户名称) column; "
            f"its columns are: {headers} (name yours with --map 'HEADER=customer_id')",
            str(path),
        )
    numeric = {c.key for c in layout.RATINGS_INPUTS if not c.text}
    values: dict[str, list[Any]] = {}
    problems: list[Problem] = []
    cleaned: list[str] = []
    for header, key in columns.items():
        if key in numeric:
            numbers, bad = numeric_column(table, header)
            problems += bad
            values[key] = [
                None if v != v else (int(v) if float(v).is_integer() else float(v)) for v in numbers
            ]
        else:
            texts = [_text(v) for v in table.frame[header]]
            for i, text in enumerate(texts):
                if text is not None:
                    texts[i], codes = without_forbidden_chars(text)
                    if codes:  # a workbook cell cannot hold them (nor show them)
                        place = table.place(i, header)
                        cleaned.append(f"{place} ({codes})")
            values[key] = texts
    if problems:
        raise CrmError(problems)
    n = len(table.frame)
    customers = [Customer({k: values[k][i] for k in values}) for i in range(n)]
    duplicates: dict[str, list[str]] = {}
    if "customer_id" in values:
        source = next(h for h, k in columns.items() if k == "customer_id")
        seen: dict[str, list[int]] = {}
        for i, cid in enumerate(values["customer_id"]):
            if cid is not None and cid.strip():
                seen.setdefault(cid.strip(), []).append(i)
        duplicates = {
            cid: [table.place(i, source) for i in rows]
            for cid, rows in seen.items()
            if len(rows) > 1
        }
    needed = {*IDENTITY, *layout.RFM_INPUT_KEYS, *(ind.column for ind in card.indicators)}
    blank = [c.key for c in layout.RATINGS_INPUTS if c.key in needed and c.key not in values]
    notes = {lang: table.header_note(lang) for lang in ("en", "zh")}
    header_notes = {k: v for k, v in notes.items() if v is not None}
    return CustomerImport(customers, columns, unused, blank, duplicates, header_notes, cleaned)


def _mapped_columns(
    mapping: Mapping[str, str], headers: list[str], path: str, zh: bool
) -> dict[str, str]:
    """``mapping`` (source → field) by the table's own headers; a source that names no
    header (after the same normalisation as the fields', unit in brackets optional) is an
    error, never silently ignored.

    Example::

        >>> _mapped_columns({"年度采购额": "annual_spend"}, ["年度采购额(元)", "ID"], "t.csv", False)
        {'年度采购额(元)': 'annual_spend'}
    """
    out: dict[str, str] = {}
    problems = []
    for source, key in mapping.items():
        exact = [h for h in headers if _norm(h) == _norm(source)]
        loose = [h for h in headers if _norm(_without_unit(h)) == _norm(_without_unit(source))]
        found = exact or loose
        if found:
            out.setdefault(found[0], key)
            continue
        listed = ", ".join(headers)
        problems.append(
            Problem(
                path,
                f"--map {source}={key}:表格中没有“{source}”列;它的列是:{listed}"
                if zh
                else f"--map {source}={key}: the table has no column {source!r}; its columns are: {listed}",
            )
        )
    if problems:
        raise CrmError(problems)
    return out


def read_customers(path: str | Path, sheet: str | None = None) -> list[Customer]:
    """The customers of :func:`import_customers` (headers matched by key or label).

    Example::

        >>> from crm_xl.files.resources import sample_path
        >>> first = read_customers(sample_path("customers.csv"))[0]
        >>> first.values["customer_id"], first.values["annual_spend"]
        ('C0001', 229100)
    """
    return import_customers(path, sheet).customers
