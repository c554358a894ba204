"""Formula results as the ``<v>`` elements and ``t=`` values Excel stores for them.

How each kind of result is written is told at :meth:`Package.set_cached_values`; a
million results are the common case, so the plain ones are encoded with C-level loops::

    >>> want, kinds, spelled = encode_results({"B2": 2.0, "C2": "A&B", "$D$2": True}, "Data", b"")
    >>> want
    {b'B2': b'<v>2</v>', b'C2': b'<v>A&amp;B</v>', b'D2': b'<v>1</v>'}
    >>> kinds, spelled
    ({b'C2': b'str', b'D2': b'b'}, {b'D2': '$D$2'})
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Mapping
from typing import Any

from crm_xl.errors import CrmError
from crm_xl.xlsx.escapes import cell_text, escape_text
from crm_xl.xlsx.sheet_scan import PLAIN_REFS, canonical_ref
from crm_xl.xlsx.values import MAX_CELL_TEXT, ErrorValue


def encode_results(
    values: Mapping[str, Any], where: str, prefix: bytes
) -> tuple[dict[bytes, bytes], dict[bytes, bytes], dict[bytes, str]]:
    """Formula results as ``<v>`` elements: (cell → <v>, cell → t if not a number, cell →
    key as the caller spelled it when that is not plain ``L4``). CrmError for a value that
    Excel cannot hold or a cell given twice.

    A million values are the common case: the plain ones (floats, ints, bools, repeated
    text) are turned into bytes with C-level loops (map, zip, dict), the rest one by one.
    The dicts hold only bytes, which the garbage collector does not track.
    """
    v_open, v_close = b"<" + prefix + b"v>", b"</" + prefix + b"v>"
    v_space = b"<" + prefix + b'v xml:space="preserve">'
    v_true, v_false = v_open + b"1" + v_close, v_open + b"0" + v_close
    texts: dict[str, bytes] = {}

    def element(x: Any) -> bytes | None:
        kind = type(x)
        if kind is float:
            if x - x != 0.0:
                return None
            if x.is_integer() and -1e16 < x < 1e16:
                return v_open + str(int(x)).encode() + v_close
            return v_open + repr(x).encode() + v_close
        if kind is str:
            v = texts.get(x)
            if v is None and len(x) <= MAX_CELL_TEXT:
                try:
                    text = cell_text(x).encode()
                except UnicodeEncodeError:
                    return None
                space = text[:1].isspace() or text[-1:].isspace()
                v = (v_space if space else v_open) + text + v_close
                if len(texts) < 10_000:
                    texts[x] = v
            return v
        if kind is bool:
            return v_true if x else v_false
        if kind is int and -(2**53) < x < 2**53:
            return v_open + str(x).encode() + v_close
        return None

    keys = list(values)
    try:
        joined = "\n".join(keys)
    except TypeError:
        joined = None
    spelled: dict[bytes, str] = {}
    if joined is not None and PLAIN_REFS.fullmatch(joined):
        refs = joined.encode().split(b"\n") if keys else []
    else:
        refs = [canonical_ref(key, where) for key in keys]
        spelled = {
            ref: key for ref, key in zip(refs, keys, strict=True) if ref != str(key).encode()
        }
    vals = list(values.values())
    elements = _float_elements(vals, v_open, v_close)
    if elements is None:
        elements = list(map(element, vals))
    t_of = {str: b"str", bool: b"b", ErrorValue: b"e"}
    ts = list(map(t_of.get, map(type, vals)))
    for i in [i for i, v in enumerate(elements) if v is None]:
        t, text = _cached_entry(vals[i], where, keys[i])  # raises for what Excel can't hold
        ts[i] = t
        space = t == b"str" and text and (text[:1].isspace() or text[-1:].isspace())
        elements[i] = (v_space if space else v_open) + text + v_close
    want = dict(zip(refs, elements, strict=True))
    if len(want) != len(refs):
        seen: set[bytes] = set()
        for ref, key in zip(refs, keys, strict=True):
            if ref in seen:
                raise CrmError("is given twice (in different spellings)", f"{where}!{key}")
            seen.add(ref)
    kinds = dict(itertools.compress(zip(refs, ts, strict=True), ts))
    return want, kinds, spelled


def _float_elements(vals: list[Any], v_open: bytes, v_close: bytes) -> list[bytes] | None:
    """``<v>`` elements of finite floats, all at once (None unless every value is one):
    what :func:`_cached_entry` writes — the shortest repr, integers below 1e16 without
    ``.0`` — made with C-level ``map`` calls."""
    if set(map(type, vals)) != {float} or not all(map(math.isfinite, vals)):
        return None
    texts = list(map(float.__repr__, vals))
    for i in itertools.compress(
        range(len(texts)), map(str.endswith, texts, itertools.repeat(".0"))
    ):
        whole = texts[i][:-2]  # repr writes exponents from 1e16 on: this is str(int(x))
        texts[i] = "0" if whole == "-0" else whole
    digits = "\n".join(texts).encode("ascii").split(b"\n")
    return list(map(b"".join, zip(itertools.repeat(v_open), digits, itertools.repeat(v_close))))


def _cached_entry(value: Any, where: str, key: str) -> tuple[bytes | None, bytes]:
    """A formula result as (t attribute, escaped <v> text); CrmError for what Excel can't hold."""
    kind = type(value)
    if kind is float:
        if value - value != 0.0:
            raise CrmError(
                f"{value} cannot be stored in Excel; write an ErrorValue instead", f"{where}!{key}"
            )
        if value.is_integer() and -1e16 < value < 1e16:
            return None, str(int(value)).encode()
        return None, repr(value).encode()
    if kind is str:
        if len(value) > MAX_CELL_TEXT:
            raise CrmError(
                f"text of {len(value):,} characters; an Excel cell holds at most {MAX_CELL_TEXT:,}",
                f"{where}!{key}",
            )
        try:
            return b"str", cell_text(value).encode()
        except UnicodeEncodeError:
            raise CrmError(
                "the text contains an unpaired surrogate character", f"{where}!{key}"
            ) from None
    if kind is bool or getattr(getattr(value, "dtype", None), "kind", "") == "b":
        return b"b", (b"1" if value else b"0")
    if isinstance(value, numbers.Integral):
        value = int(value)
        if -(2**53) < value < 2**53:
            return None, str(value).encode()
        try:
            value = float(value)
        except OverflowError:
            raise CrmError(f"{value} is too large for Excel", f"{where}!{key}") from None
        return _cached_entry(value, where, key)
    if isinstance(value, ErrorValue):
        return b"e", escape_text(value.code).encode()
    if isinstance(value, numbers.Real):
        return _cached_entry(float(value), where, key)
    if isinstance(value, str):  # numpy.str_ and other subclasses
        return _cached_entry(str(value), where, key)
    what = "None" if value is None else f"a {type(value).__name__}"
    raise CrmError(
        f"{what} is not a formula result: use a number, text ('' for an empty result), "
        "a bool or an ErrorValue",
        f"{where}!{key}",
    )
