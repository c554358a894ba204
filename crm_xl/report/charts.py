"""The report's trend charts, drawn with matplotlib as SVG with the text kept as text.

Text stays text (``svg.fonttype = "none"``), so the browser or WeasyPrint sets the labels
in the page's font — Chinese included — and they can be searched and copied. The SVG is
inlined in the HTML; matplotlib's Agg backend is used, so no display is needed.

Example::

    >>> svg = line_chart(["2026-Q3", "2026-Q4"], [("A", [60.0, 55.5])], "Score", y_max=100)
    >>> svg.startswith("<svg") and "2026-Q4" in svg and "<script" not in svg
    True
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

#: The fonts the SVG names for its text, in order; the reader's machine picks the first
#: it has. matplotlib only measures with them (text is not drawn as paths).
FONTS = [
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
    "DejaVu Sans",
    "sans-serif",
]
COLORS = ["#2F5597", "#C55A11", "#548235", "#7F6000", "#7030A0", "#1F7A7A", "#A5A5A5", "#843C0C"]
TIER_COLORS = ["#70AD47", "#FFC000", "#ED7D31", "#A5A5A5", "#5B9BD5"]


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _svg(fig: Any) -> str:
    """The figure as an inline SVG element (no XML prolog, no fixed size: it scales)."""
    plt = _plt()
    out = io.StringIO()
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "crm_xl"}):
        fig.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    svg = out.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.S)
    # scale with the page: keep the viewBox, drop the fixed width and height
    return re.sub(r'(<svg[^>]*?)\s+width="[^"]*"\s+height="[^"]*"', r"\1", svg, count=1)


def plain(label: str) -> str:
    """A label matplotlib shows as it is: ``$`` would start mathtext.

    Example::

        >>> print(plain("Spend ($) $x$"))
        Spend (\\$) \\$x\\$
    """
    return str(label).replace("$", r"\$")


def _style() -> dict[str, Any]:
    return {
        "font.family": "sans-serif",
        "font.sans-serif": FONTS,
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.color": "#DDDDDD",
        "axes.unicode_minus": False,
    }


def line_chart(
    periods: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    y_label: str,
    *,
    y_max: float | None = None,
) -> str:
    """One line per series over the periods (None is a gap); an SVG element."""
    import warnings

    plt = _plt()
    with plt.rc_context(_style()), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a font without some glyph: measured with another
        fig, ax = plt.subplots(figsize=(7.0, 3.0))
        x = list(range(len(periods)))
        for k, (label, values) in enumerate(series):
            ys = [float("nan") if v is None else v for v in values]
            ax.plot(
                x, ys, marker="o", color=COLORS[k % len(COLORS)], label=plain(label), linewidth=1.8
            )
        ax.set_xticks(x, [plain(p) for p in periods])
        ax.set_ylabel(y_label)
        ax.set_ylim(0, y_max if y_max is not None else None)
        if len(periods) == 1:
            ax.set_xlim(-0.5, 0.5)
        if len(series) > 1:
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        return _svg(fig)


def stacked_bars(
    periods: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], y_label: str
) -> str:
    """Stacked bars per period (the tier shares, which add up to 100 %); an SVG element."""
    import warnings

    plt = _plt()
    with plt.rc_context(_style()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig, ax = plt.subplots(figsize=(7.0, 2.8))
        x = list(range(len(periods)))
        bottom = [0.0] * len(periods)
        for k, (label, values) in enumerate(series):
            ys = [0.0 if v is None else v for v in values]
            bars = ax.bar(
                x,
                ys,
                bottom=bottom,
                color=TIER_COLORS[k % len(TIER_COLORS)],
                label=plain(label),
                width=0.55,
            )
            for rect, y, b in zip(bars, ys, bottom, strict=True):
                if y >= 8:  # a label only where it fits
                    ax.text(
                        rect.get_x() + rect.get_width() / 2,
                        b + y / 2,
                        f"{y:.0f}%",
                        ha="center",
                        va="center",
                        fontsize=8,
                    )
            bottom = [b + y for b, y in zip(bottom, ys, strict=True)]
        ax.set_xticks(x, [plain(p) for p in periods])
        ax.set_ylabel(y_label)
        ax.set_ylim(0, 100)
        ax.grid(axis="x", visible=False)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        return _svg(fig)


def trend_charts(ctx: dict[str, Any]) -> dict[str, str]:
    """The three trend charts of a report context: ``composite`` (with the mean score),
    ``indicators`` and ``tiers``."""
    t, w = ctx["trends"], ctx["labels"]
    return {
        "composite": line_chart(
            t["periods"],
            [(w["composite"], t["composite"]), (w["mean_score"], t["mean_score"])],
            "0–100",
            y_max=100,
        ),
        "indicators": line_chart(
            t["periods"], [(s["label"], s["values"]) for s in t["indicators"]], "0–100", y_max=100
        ),
        "tiers": stacked_bars(t["periods"], [(s["label"], s["values"]) for s in t["tiers"]], "%"),
    }
