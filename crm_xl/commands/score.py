"""``crm-xl score TABLE --model SCORECARD -o OUT``: score a customer table with a scorecard.

The output is for people: scores and points to :data:`~crm_xl.core.rating_text.DECIMALS`
decimals (rounded in CSV; full precision with a number format in .xlsx), the tiers decided
on the unrounded scores, and with ``--lang zh`` the computed columns' headers and the
summary in Chinese (the table's own columns keep their headers).
"""

from __future__ import annotations

import argparse
import sys

from crm_xl.errors import CrmError, Problem


def run(args: argparse.Namespace) -> int:
    """Score the table (see the module notes); with ``--lang zh`` the problems are listed
    in Chinese too, their file names, cells and the inputs quoted kept as they are."""
    try:
        return _run(args)
    except CrmError as err:
        if (args.lang or "en") != "zh":
            raise
        from crm_xl.core.problem_words import place_text, problem_text

        raise CrmError(
            Problem(place_text(p.where, "zh"), problem_text(p.message, "zh")) for p in err.problems
        ) from None


def _run(args: argparse.Namespace) -> int:
    from crm_xl.core.rating import rate
    from crm_xl.core.rating_text import column_headers, number_formats, sheet_name, summary
    from crm_xl.core.scorecard import load_scorecard
    from crm_xl.files.tables import read_table, write_table

    lang = args.lang or "en"
    if args.output.resolve() == args.table.resolve():
        raise CrmError(
            "-o would overwrite the input table: write the scores to another file", str(args.output)
        )
    card = load_scorecard(args.model, weight_sum="normalize" if args.normalize_weights else None)
    table = read_table(args.table, sheet=args.sheet)
    note = table.header_note(lang)
    if note:
        print(f"{table.source}: {note}")
    rating = rate(table, card, lang=lang)
    from crm_xl.core.problem_words import problem_text

    for w in rating.warnings:
        print(f"warning: {problem_text(w, args.lang)}", file=sys.stderr)
    frame = rating.frame
    headers = column_headers(frame.columns, card.indicators, lang)
    formats = number_formats(frame.columns, card.indicators)
    write_table(
        frame.rename(columns=headers),
        args.output,
        sheet=sheet_name(lang),
        number_formats={headers[c]: f for c, f in formats.items()},
    )
    scored = int(rating.score.defined.sum())
    for line in summary(
        len(frame), scored, str(args.table), rating.tier_counts(), str(args.output), lang
    ):
        print(line)
    return 0
