"""The scorecard definition file (TOML): indicators, weights, dimensions, tiers, RFM.

A scorecard says how to turn a customer table into scores. Loading one validates every
part and reports **every** problem with its key path (``indicators[3].weight: …``), so a user
fixes the file in one pass. The format, with every key::

    [scorecard]
    name = "客户评级 2026"          # optional
    weight_sum = "strict"           # or "normalize" (weights not summing to 100 % are rescaled)
    id_columns = ["customer_id", "name"]   # copied to the output as they are

    [[dimensions]]                  # optional: without dimensions the model is the weighted one
    id = "value"
    label_zh = "客户价值"
    label_en = "Customer value"
    weight = 50

    [[indicators]]
    id = "annual_spend"
    label_zh = "年消费金额"          # at least one of label_zh / label_en
    label_en = "Annual spend"
    column = "annual_spend"         # the table column; default: id
    weight = 60                     # % within its dimension (or of the whole, without dimensions)
    scale = "linear"                # linear | form | minmax | score
    direction = "higher"            # higher | lower (default higher; see below)
    floor = 0                       # linear only: the value that scores 0
    target = 200000                 # linear only: the value that scores 100
    dimension = "value"             # required when dimensions are declared

    [tiers]                         # optional
    by = "score"                    # "score", or a table column (tiers by annual spend)
    thresholds = [80, 60]           # from the top tier down, strictly decreasing
    labels = ["A", "B", "C"]        # from the top tier down, one more than thresholds
    at_threshold = "lower"          # a value equal to a threshold gets the lower tier

    [rfm]                           # optional: RFM segments from three columns
    recency = "days_since_purchase"
    frequency = "orders"
    monetary = "annual_spend"
    scheme = "rf-grid"              # or "cn8"

    [early_warning]                 # optional: the evaluation report's warning rules
    falling_periods = 2             # every key and its default: crm_xl.core.alert_rules
    inactive_days = 180

Scales: ``linear`` maps floor → 0 and target → 100 (clamped); ``form`` maps 1–5 answers
(``answers = [1, 5]`` to change the range) as (s − 1) / 4 × 100; ``minmax`` scales against the
table's own lowest and highest values; ``score`` takes values that are already 0–100 scores.
``direction = "lower"`` marks lower-is-better indicators (churn, CAC, response time): for
``linear`` the smaller bound then scores 100 (bounds in either order), for the other scales
the score is inverted (100 − s).

Example::

    >>> from crm_xl.files.resources import sample_path
    >>> card = load_scorecard(sample_path("scorecard.toml"))
    >>> [i.id for i in card.indicators][:2]
    ['annual_spend', 'orders']
"""

from __future__ import annotations

import difflib
import math
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crm_xl.core.alert_rules import DEFAULT_RULES, WarningRules, rule_problems
from crm_xl.core.inputs import MAX_MAGNITUDE
from crm_xl.core.normalize import SCALES
from crm_xl.core.tiers import check_tier_rule
from crm_xl.core.weights import WEIGHT_SUM_MODES, as_fractions
from crm_xl.errors import CrmError, Problem

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

RFM_SCHEMES = ("rf-grid", "cn8")
MAX_FILE_BYTES = 1_000_000  # a scorecard is a few KB; refuse anything absurd before parsing


class _Labelled:
    """Chinese and English labels with a fallback (indicators and dimensions have both)."""

    id: str
    label_zh: str
    label_en: str

    def label(self, lang: str = "en") -> str:
        """The label in ``lang`` ("zh" or "en"), falling back to the other, then the id."""
        first, second = (
            (self.label_zh, self.label_en) if lang == "zh" else (self.label_en, self.label_zh)
        )
        return first or second or self.id


@dataclass(frozen=True)
class Indicator(_Labelled):
    """One indicator: where its values are, how they become a 0–100 score, its weight."""

    id: str
    column: str
    weight: float
    scale: str = "linear"
    direction: str = "higher"
    floor: float | None = None
    target: float | None = None
    answers: tuple[float, float] = (1.0, 5.0)
    dimension: str | None = None
    label_zh: str = ""
    label_en: str = ""


@dataclass(frozen=True)
class Dimension(_Labelled):
    """A group of indicators with its own weight (multi-dimensional model)."""

    id: str
    weight: float
    label_zh: str = ""
    label_en: str = ""


@dataclass(frozen=True)
class TierRule:
    """Thresholds → labels, applied to the composite (``by="score"``) or to a column."""

    thresholds: tuple[float, ...]
    labels: tuple[str, ...]
    by: str = "score"
    at_threshold: str = "lower"


@dataclass(frozen=True)
class RfmRule:
    """Which columns hold recency (days), frequency and monetary value, and the scheme."""

    recency: str
    frequency: str
    monetary: str
    scheme: str = "rf-grid"


@dataclass(frozen=True)
class Scorecard:
    """A validated scorecard. Build it with :func:`load_scorecard` or :func:`parse_scorecard`."""

    indicators: tuple[Indicator, ...]
    dimensions: tuple[Dimension, ...] = ()
    tiers: TierRule | None = None
    rfm: RfmRule | None = None
    name: str = ""
    weight_sum: str = "strict"
    id_columns: tuple[str, ...] = ()
    source: str = "<scorecard>"
    warnings: tuple[str, ...] = field(default=())
    early_warning: WarningRules = DEFAULT_RULES

    @property
    def columns(self) -> list[str]:
        """Every table column the scorecard reads, in a stable order, without repeats."""
        cols = list(self.id_columns) + [i.column for i in self.indicators]
        if self.tiers and self.tiers.by != "score":
            cols.append(self.tiers.by)
        if self.rfm:
            cols += [self.rfm.recency, self.rfm.frequency, self.rfm.monetary]
        return list(dict.fromkeys(cols))


# -- validation ----------------------------------------------------------------------------
_TOP = {"scorecard", "dimensions", "indicators", "tiers", "rfm", "early_warning"}
_HEAD = {"name", "weight_sum", "id_columns"}
_DIM = {"id", "weight", "label_zh", "label_en"}
_IND = {
    "id", "column", "weight", "scale", "direction", "floor", "target", "answers",
    "dimension", "label_zh", "label_en",
}  # fmt: skip
_TIERS = {"by", "thresholds", "labels", "at_threshold"}
_RFM = {"recency", "frequency", "monetary", "scheme"}


class _Checker:
    """Collects problems while reading a nested dict; each problem gets its key path."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def table(self, data: Any, where: str, allowed: set[str]) -> dict:
        if not isinstance(data, Mapping):
            self.add(where, f"must be a table, got {_kind(data)}")
            return {}
        for key in data:
            if key not in allowed:
                hint = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                more = (
                    f" (did you mean '{hint[0]}'?)"
                    if hint
                    else f"; known keys: {', '.join(sorted(allowed))}"
                )
                self.add(f"{where}.{key}" if where else str(key), f"unknown key{more}")
        return dict(data)

    def text(
        self, data: dict, key: str, where: str, *, required: bool = False, default: str = ""
    ) -> str:
        if key not in data:
            if required:
                self.add(f"{where}.{key}", "is required")
            return default
        value = data[key]
        if not isinstance(value, str) or not value.strip():
            self.add(f"{where}.{key}", f"must be non-empty text, got {_kind(value)}")
            return default
        return value.strip()

    def number(self, data: dict, key: str, where: str, *, required: bool = False) -> float | None:
        if key not in data:
            if required:
                self.add(f"{where}.{key}", "is required")
            return None
        value = data[key]
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            self.add(f"{where}.{key}", f"must be a number, got {_kind(value)}")
            return None
        if abs(value) > MAX_MAGNITUDE:
            self.add(f"{where}.{key}", f"must be between -1e15 and 1e15, got {value:g}")
            return None
        return float(value)

    def choice(
        self, data: dict, key: str, where: str, options: tuple[str, ...], default: str
    ) -> str:
        value = data.get(key, default)
        if value not in options:
            self.add(
                f"{where}.{key}",
                f"must be one of {', '.join(repr(o) for o in options)}, got {value!r}",
            )
            return default
        return value


def _kind(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return {dict: "a table", list: "an array"}.get(type(value), type(value).__name__)


def _ident(check: _Checker, data: dict, where: str, seen: dict[str, str]) -> str:
    ident = check.text(data, "id", where, required=True)
    if ident and ident in seen:
        check.add(f"{where}.id", f"'{ident}' is already used by {seen[ident]}")
    elif ident:
        seen[ident] = where
    return ident


def _labels(check: _Checker, data: dict, where: str) -> tuple[str, str]:
    zh = check.text(data, "label_zh", where)
    en = check.text(data, "label_en", where)
    if "label_zh" not in data and "label_en" not in data:
        check.add(where, "give a label: label_zh, label_en or both")
    return zh, en


def _read_dimensions(check: _Checker, raw: Any) -> list[Dimension]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        check.add("dimensions", "must be an array of tables ([[dimensions]])")
        return []
    dims, seen = [], {}
    for n, item in enumerate(raw, 1):
        where = f"dimensions[{n}]"
        data = check.table(item, where, _DIM)
        ident = _ident(check, data, where, seen)
        weight = check.number(data, "weight", where, required=True)
        zh, en = _labels(check, data, where)
        if weight is not None and weight < 0:
            check.add(f"{where}.weight", f"must not be negative, got {weight:g}")
        if ident and weight is not None:
            dims.append(Dimension(ident, weight, zh, en))
    return dims


def _read_indicator(check: _Checker, item: Any, where: str, seen: dict, dim_ids: set[str] | None):
    data = check.table(item, where, _IND)
    ident = _ident(check, data, where, seen)
    column = check.text(data, "column", where, default=ident)
    weight = check.number(data, "weight", where, required=True)
    if weight is not None and weight < 0:
        check.add(f"{where}.weight", f"must not be negative, got {weight:g}")
    scale_known = data.get("scale", "linear") in SCALES  # if not, skip the scale's own checks
    scale = check.choice(data, "scale", where, SCALES, "linear")
    explicit_direction = "direction" in data
    direction = check.choice(data, "direction", where, ("higher", "lower"), "higher")
    floor = check.number(data, "floor", where, required=scale_known and scale == "linear")
    target = check.number(data, "target", where, required=scale_known and scale == "linear")
    if scale_known and scale != "linear":
        for key in ("floor", "target"):
            if key in data:
                check.add(
                    f"{where}.{key}", f'only used with scale = "linear" (this scale is {scale!r})'
                )
    if scale == "linear" and floor is not None and target is not None:
        if floor == target:
            check.add(where, f"floor and target are both {floor:g}: they must differ")
        elif not explicit_direction and target < floor:
            direction = "lower"  # floor scores 0, target 100: a lower target means lower is better
    answers = (1.0, 5.0)
    if "answers" in data:
        raw = data["answers"]
        ok = (
            isinstance(raw, list)
            and len(raw) == 2
            and all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in raw)
            and all(abs(a) <= MAX_MAGNITUDE for a in raw)
            and raw[0] < raw[1]
        )
        if not ok:
            check.add(f"{where}.answers", "must be [lowest, highest], e.g. [1, 5]")
        elif scale_known and scale != "form":
            check.add(f"{where}.answers", 'only used with scale = "form"')
        else:
            answers = (float(raw[0]), float(raw[1]))
    dimension = None
    if dim_ids is not None:
        dimension = check.text(data, "dimension", where, required=True) or None
        if dimension and dimension not in dim_ids:
            hint = difflib.get_close_matches(dimension, sorted(dim_ids), n=1)
            check.add(
                f"{where}.dimension",
                f"no dimension '{dimension}'" + (f" (did you mean '{hint[0]}'?)" if hint else ""),
            )
    elif "dimension" in data:
        check.add(f"{where}.dimension", "no [[dimensions]] are declared")
    zh, en = _labels(check, data, where)
    if not ident or weight is None:
        return None
    return Indicator(
        ident, column or ident, weight, scale, direction, floor, target, answers, dimension, zh, en
    )


#: How to fix weights that do not sum to 100 % in a scorecard file (the end of the message).
WEIGHT_SUM_HINT = (
    'fix them, or set weight_sum = "normalize" under [scorecard] (CLI: --normalize-weights)'
)


def _check_weights(
    check: _Checker, card_weights: list[float], where: str, mode: str, warnings: list
) -> None:
    if any(w < 0 for w in card_weights):
        return  # each negative weight is already reported at its key
    try:
        _, more = as_fractions(card_weights, weight_sum=mode, where=where, fix_hint=WEIGHT_SUM_HINT)
        warnings.extend(f"{where}: {m}" for m in more)
    except CrmError as err:
        check.problems += err.problems


def parse_scorecard(
    data: Mapping[str, Any], source: str = "<scorecard>", *, weight_sum: str | None = None
) -> Scorecard:
    """Validate a scorecard given as a dict (the parsed TOML) and build it.

    ``weight_sum`` overrides the file's ``[scorecard] weight_sum`` when given.
    Raises :class:`CrmError` listing every problem, each with its key path.

    Example::

        >>> card = parse_scorecard({"indicators": [
        ...     {"id": "csat", "label_en": "CSAT", "weight": 100, "scale": "score"}]})
        >>> card.indicators[0].column
        'csat'
    """
    check = _Checker()
    top = check.table(data, "", _TOP)
    head = check.table(top.get("scorecard", {}), "scorecard", _HEAD)
    name = check.text(head, "name", "scorecard")
    weight_sum = weight_sum or check.choice(
        head, "weight_sum", "scorecard", WEIGHT_SUM_MODES, "strict"
    )
    id_columns: tuple[str, ...] = ()
    if "id_columns" in head:
        ids = head["id_columns"]
        if isinstance(ids, list) and all(isinstance(c, str) and c for c in ids):
            id_columns = tuple(ids)
        else:
            check.add("scorecard.id_columns", "must be an array of column names")

    dims = _read_dimensions(check, top.get("dimensions"))
    dim_ids = {d.id for d in dims} if "dimensions" in top else None
    raw_ind = top.get("indicators")
    indicators: list[Indicator] = []
    if not isinstance(raw_ind, list) or not raw_ind:
        check.add("indicators", "give at least one indicator ([[indicators]] with id and weight)")
    else:
        seen: dict[str, str] = {}
        for n, item in enumerate(raw_ind, 1):
            ind = _read_indicator(check, item, f"indicators[{n}]", seen, dim_ids)
            if ind is not None:
                indicators.append(ind)

    warnings: list[str] = []
    complete = isinstance(raw_ind, list) and len(indicators) == len(raw_ind)
    if dims and complete:
        _check_weights(check, [d.weight for d in dims], "dimensions", weight_sum, warnings)
        for d in dims:
            members = [i.weight for i in indicators if i.dimension == d.id]
            if not members:
                check.add(
                    f"dimensions[{dims.index(d) + 1}]", f"dimension '{d.id}' has no indicators"
                )
            else:
                _check_weights(
                    check, members, f"indicators in dimension '{d.id}'", weight_sum, warnings
                )
    elif complete and indicators and dim_ids is None:
        _check_weights(check, [i.weight for i in indicators], "indicators", weight_sum, warnings)

    tiers = None
    if "tiers" in top:
        t = check.table(top["tiers"], "tiers", _TIERS)
        by = check.text(t, "by", "tiers", default="score")
        at = check.choice(t, "at_threshold", "tiers", ("lower", "upper"), "lower")
        thresholds, labels = t.get("thresholds"), t.get("labels")
        if not isinstance(thresholds, list):
            check.add("tiers.thresholds", "must be an array of numbers, e.g. [80, 60]")
        elif not isinstance(labels, list):
            check.add("tiers.labels", 'must be an array of labels, e.g. ["A", "B", "C"]')
        else:
            problems = check_tier_rule(thresholds, labels, "tiers")
            check.problems += problems
            if not problems:
                tiers = TierRule(
                    tuple(float(x) for x in thresholds), tuple(map(str, labels)), by, at
                )

    rfm = None
    if "rfm" in top:
        r = check.table(top["rfm"], "rfm", _RFM)
        cols = [
            check.text(r, k, "rfm", required=True) for k in ("recency", "frequency", "monetary")
        ]
        scheme = check.choice(r, "scheme", "rfm", RFM_SCHEMES, "rf-grid")
        if all(cols):
            rfm = RfmRule(*cols, scheme=scheme)

    rules = DEFAULT_RULES
    if "early_warning" in top:
        table = top["early_warning"]
        if not isinstance(table, Mapping):
            check.add("early_warning", f"must be a table, got {_kind(table)}")
        elif not (found := rule_problems(table, "early_warning")):
            rules = WarningRules(**{k: type(getattr(rules, k))(v) for k, v in table.items()})
        else:
            check.problems += found

    if check.problems:
        raise CrmError(check.problems).prefixed(source)
    return Scorecard(
        indicators=tuple(indicators),
        dimensions=tuple(dims),
        tiers=tiers,
        rfm=rfm,
        name=name,
        weight_sum=weight_sum,
        id_columns=id_columns,
        source=source,
        warnings=tuple(warnings),
        early_warning=rules,
    )


def load_scorecard(path: str | Path, *, weight_sum: str | None = None) -> Scorecard:
    """Read and validate a scorecard TOML file; :class:`CrmError` lists every problem.

    Example::

        >>> from crm_xl.files.resources import sample_path
        >>> load_scorecard(sample_path("scorecard.toml")).tiers.labels
        ('A', 'B', 'C')
    """
    path = Path(path)
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise CrmError("is a folder, not a scorecard file", str(path))
        if not stat.S_ISREG(info.st_mode):  # a pipe waits forever, /dev/zero never ends
            raise CrmError("is not a regular file (a pipe or a device?)", str(path))
        if info.st_size > MAX_FILE_BYTES:
            raise CrmError(f"{info.st_size:,} bytes is too large for a scorecard file", str(path))
        with path.open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:  # it grew after the check
            raise CrmError(f"{len(raw):,} bytes is too large for a scorecard file", str(path))
        text = raw.decode("utf-8-sig")
    except FileNotFoundError:
        raise CrmError("no such file", str(path)) from None
    except OSError as err:
        raise CrmError(f"cannot be read: {err.strerror}", str(path)) from None
    except UnicodeDecodeError as err:
        raise CrmError(
            f"not UTF-8 text ({err.reason} at byte {err.start}): save it as UTF-8", str(path)
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise CrmError(f"not valid TOML: {err}", str(path)) from None
    except RecursionError:
        raise CrmError(
            "not a scorecard: its arrays or tables are nested too deeply", str(path)
        ) from None
    return parse_scorecard(data, source=str(path), weight_sum=weight_sum)
