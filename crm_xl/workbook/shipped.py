"""The ready-made workbooks shipped in ``workbooks/``: a template and a filled-in sample,
in Chinese and English, each as ``.xlsx`` and as a macro-enabled ``.xlsm`` with its companion
module. ``python -m crm_xl.workbook [FOLDER]`` regenerates them; a fixed period and
timestamp make regenerating change nothing, and a test checks the committed copies.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from crm_xl.workbook import layout
from crm_xl.workbook.build import new_workbook
from crm_xl.workbook.customers import read_customers
from crm_xl.workbook.macro_workbook import new_macro_workbook

SHIPPED_PERIOD = "2026-Q4"
SHIPPED_TIMESTAMP = dt.datetime(2026, 10, 1, 9, 0, 0)  # fixed, so regenerating changes nothing

#: A realistic filled-in form for the sample workbook (item key → (score 1–5, remarks)).
SAMPLE_ANSWERS = {
    "zh": {
        "interaction": (4, "平均响应 4 小时;季度满意度调查 86 分"),
        "sales": (3, "销售额增长 6%,获客成本上升"),
        "support": (2, "投诉平均处理 46 小时,超出目标"),
        "feedback": (4, "已建立月度回访机制"),
        "training": (3, "上半年完成 2 次客户管理培训"),
    },
    "en": {
        "interaction": (4, "Average response 4 hours; quarterly satisfaction survey 86"),
        "sales": (3, "Sales up 6 %, acquisition cost rising"),
        "support": (2, "Complaints take 46 hours on average, above target"),
        "feedback": (4, "Monthly follow-up calls in place"),
        "training": (3, "Two customer-management trainings this half-year"),
    },
}


def shipped_workbooks() -> dict[str, dict[str, Any]]:
    """The ready-made copies in ``workbooks/``: file name → arguments of :func:`new_workbook`."""
    from crm_xl.files.resources import sample_path

    customers = read_customers(sample_path("customers.csv"))
    out: dict[str, dict[str, Any]] = {}
    for lang in layout.LANGS:
        out[f"crm_template_{lang}.xlsx"] = {"lang": lang}
        out[f"crm_sample_{lang}.xlsx"] = {
            "lang": lang,
            "customers": customers,
            "answers": SAMPLE_ANSWERS[lang],
        }
    return out


def write_shipped(folder: str | Path) -> list[Path]:
    """(Re)write the ready-made workbooks into ``folder``; returns their paths.

    Each ``.xlsx`` also gets its macro-enabled ``.xlsm`` twin with the companion ``.py``.
    Their formula results are stored (:func:`crm_xl.workbook.recalc.recalc_book`), so they show
    their numbers in any reader and ``crm-xl recalc --check workbooks/`` passes.
    """
    folder = Path(folder)
    written = []
    for name, kwargs in shipped_workbooks().items():
        target = folder / name
        written.append(
            new_workbook(target, SHIPPED_PERIOD, force=True, timestamp=SHIPPED_TIMESTAMP, **kwargs)
        )
        written += new_macro_workbook(
            target.with_suffix(".xlsm"),
            SHIPPED_PERIOD,
            force=True,
            timestamp=SHIPPED_TIMESTAMP,
            **kwargs,
        )
    return written  # new_workbook and new_macro_workbook store the results


def main(argv: list[str] | None = None) -> None:
    """``python -m crm_xl.workbook [FOLDER]``: regenerate the ready-made workbooks."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m crm_xl.workbook",
        description="Regenerate the ready-made workbooks shipped in workbooks/.",
    )
    parser.add_argument("folder", nargs="?", default="workbooks")
    for written in write_shipped(parser.parse_args(argv).folder):
        print(written)
