"""``make_report``: one workbook in, one report file out (HTML, Markdown or PDF).

The shell around the report's functional core: read and compute
(:func:`crm_xl.report.context.build_context`), render
(:func:`crm_xl.report.render.render`), write atomically (a failed run leaves no file
behind and an existing report as it was). The workbook is only read.

Example::

    >>> import tempfile, pathlib, datetime
    >>> from crm_xl.workbook.build import new_workbook
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> book = new_workbook(folder / "team.xlsx", "2026-Q4", lang="en")
    >>> out = make_report(book, folder / "team.md", as_of=datetime.date(2026, 12, 31))
    >>> out.read_text(encoding="utf-8").splitlines()[0]
    '## Customer management evaluation report · 2026-Q4'
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from crm_xl.core.alert_rules import WarningRules
from crm_xl.errors import CrmError


def default_output(book: str | Path, period: str | None = None, kind: str = "html") -> Path:
    """The report's default file: beside the workbook, ``<book>_report_<period>.<kind>``
    (``<book>_report.html`` for the latest period)."""
    book = Path(book)
    tag = f"_{period.replace('-', '')}" if period else ""
    return book.with_name(f"{book.stem}_report{tag}.{kind}")


def load_rules(path: str | Path) -> WarningRules:
    """The ``[early_warning]`` table of a TOML file (a scorecard file or one with only that
    table) as rules; every problem with its key."""
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    from crm_xl.core.alert_rules import parse_rules

    path = Path(path)
    try:
        data = tomllib.loads(path.read_bytes()[:1_000_000].decode("utf-8-sig"))
    except FileNotFoundError:
        raise CrmError("no such file", str(path)) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise CrmError(f"not a UTF-8 TOML file: {err}", str(path)) from None
    if "early_warning" not in data:
        raise CrmError("has no [early_warning] table", str(path))
    try:
        return parse_rules(data["early_warning"])
    except CrmError as err:
        raise err.prefixed(str(path)) from None


def make_report(
    book: str | Path,
    out: str | Path | None = None,
    *,
    period: str | None = None,
    lang: str | None = None,
    template: str | Path | None = None,
    as_of: dt.date | None = None,
    rules: WarningRules | None = None,
) -> Path:
    """Write the report of ``book`` to ``out`` (format by its extension: .html, .md, .pdf;
    default: an HTML file beside the workbook); returns the path written."""
    from crm_xl.files.atomic import atomic_path
    from crm_xl.report.context import build_context
    from crm_xl.report.render import output_format, render, write_pdf

    book = Path(book)
    out = Path(out) if out is not None else default_output(book, period)
    kind = output_format(out)
    if out.resolve() == book.resolve():
        raise CrmError("the report would replace the workbook: choose another -o", str(out))
    if not out.parent.exists():
        raise CrmError(f"folder {out.parent} does not exist", str(out))
    ctx = build_context(book, period=period, lang=lang, as_of=as_of, rules=rules)
    page = render(ctx, kind, template)
    with atomic_path(out) as tmp:
        if kind == "pdf":
            write_pdf(page, tmp)
        else:
            tmp.write_text(page, encoding="utf-8")
    return out
