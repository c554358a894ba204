"""Rendering a report context with jinja2: HTML, Markdown, PDF.

* The built-in templates are ``crm_xl/templates/report.html.j2`` and ``crm_xl/templates/report.md.j2``
  (installed as ``crm_xl.templates``). A team's own (``--template``) is rendered in jinja2's
  **sandbox** (no attribute of Python internals, no file outside its folder): a template is
  untrusted input too.
* **HTML** autoescapes every value (customer names and remarks are text, whatever they
  hold: ``<script>`` or ``=HYPERLINK(…)`` show as typed); the page carries a
  Content-Security-Policy that allows no script and no network, and charts are inline SVG.
* **Markdown** escapes the characters Markdown and HTML give a meaning to in every value
  (``|`` ``*`` ``_`` `````` ``[`` ``]`` ``<`` ``>`` ``#`` and the backslash), so a name
  cannot break a table or become a link.
* **PDF** is the HTML document laid out by WeasyPrint (``pip install "crm-xl[pdf]"``),
  which is given no way to fetch anything (only ``data:`` URLs).

Filters the templates can use: ``num`` (``65.5``; ``num(0)``, ``num(2)`` for the digits),
``signed`` (``+3.0``, ``−5.6``), ``pct`` (``40.0 %``), ``money`` (``150,000``), ``names``
(a list of names joined, cut after 20 with how many there are: ``names(lang)``).

Example::

    >>> env = environment("md")
    >>> env.from_string("{{ name }} | {{ x|signed }}").render(name="a|b *c*", x=-5.63)
    'a\\\\|b \\\\*c\\\\* | −5.6'
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from markupsafe import Markup

from crm_xl.errors import CrmError
from crm_xl.report.text import joined, number

FORMATS = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".pdf": "pdf"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def md_escape(value: Any) -> Any:
    """A value as literal Markdown text: special characters escaped, lines joined.

    Example::

        >>> print(md_escape("<b>x</b> | =HYPERLINK(1)"))
        \\<b\\>x\\</b\\> \\| =HYPERLINK(1)
    """
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    if not isinstance(value, str):
        return value
    return _MD_SPECIAL.sub(r"\\\1", " ".join(value.split()))


def _filters() -> dict[str, Any]:
    return {
        "num": lambda v, digits=1: number(v, digits),
        "signed": lambda v, digits=1: number(v, digits, signed=True),
        "pct": lambda v, digits=1: number(v, digits, unit=" %"),
        "money": lambda v: number(v, 0),
        "names": lambda names, lang="zh", limit=20: joined(list(names), lang, limit),
    }


def environment(kind: str, folder: Path | None = None, *, sandboxed: bool = False) -> Any:
    """The jinja2 environment for ``kind`` (``html`` or ``md``) loading templates from
    ``folder`` (default: the built-in ones); ``sandboxed`` for a user's own template."""
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from crm_xl.files.resources import templates_folder

    cls = ImmutableSandboxedEnvironment if sandboxed else jinja2.Environment
    options: dict[str, Any] = {
        "loader": jinja2.FileSystemLoader(str(folder or templates_folder())),
        "undefined": jinja2.StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
    }
    if kind == "md":
        options["autoescape"] = False
        options["finalize"] = md_escape
    else:
        options["autoescape"] = True
    env = cls(**options)
    env.filters.update(_filters())
    return env


def output_format(out: str | Path) -> str:
    """``html``, ``md`` or ``pdf`` from the output file's extension."""
    kind = FORMATS.get(Path(out).suffix.lower())
    if kind is None:
        raise CrmError(
            "the report is written as .html, .md or .pdf: choose one of these extensions",
            str(out),
        )
    return kind


def render(ctx: dict[str, Any], kind: str, template: str | Path | None = None) -> str:
    """The report as HTML or Markdown text (``kind``: ``html``, ``md``; ``pdf`` renders
    the HTML), from the built-in template or the user's ``template`` file."""
    import jinja2

    kind = "html" if kind == "pdf" else kind
    if template is None:
        env, name = environment(kind), f"report.{kind}.j2"
    else:
        path = Path(template)
        if not path.is_file():
            raise CrmError("no such template file", str(path))
        env, name = environment(kind, path.parent, sandboxed=True), path.name
    try:
        return env.get_template(name).render(**ctx, report=ctx)
    except jinja2.TemplateSyntaxError as err:
        raise CrmError(
            f"template error: {err.message}", f"{err.filename or name}:{err.lineno}"
        ) from None
    except jinja2.UndefinedError as err:
        raise CrmError(
            f"template error: {err.message} (see docs/report.md for the data)", str(name)
        ) from None
    except jinja2.exceptions.SecurityError as err:
        raise CrmError(f"template not allowed: {err}", str(name)) from None


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> Any:
    """WeasyPrint's URL fetcher: ``data:`` URLs only; the report needs nothing else."""
    if url.startswith("data:"):
        from weasyprint import default_url_fetcher

        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"the report fetches nothing: {url[:60]}")


def write_pdf(html: str, path: Path) -> None:
    """Lay ``html`` out as a PDF at ``path`` with WeasyPrint (an optional dependency)."""
    try:
        import weasyprint
    except ImportError:
        raise CrmError(
            'PDF needs WeasyPrint: pip install "crm-xl[pdf]" (and its Pango libraries: '
            "apt-get install libpango-1.0-0 libpangoft2-1.0-0), or write .html and print it",
            str(path),
        ) from None
    except OSError as err:  # the Python package without its system libraries
        raise CrmError(f"WeasyPrint cannot start: {err}", str(path)) from None
    weasyprint.HTML(string=html, url_fetcher=_no_fetching).write_pdf(str(path))
