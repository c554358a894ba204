"""Excel's engineering functions: CONVERT, between the units of Excel's table whose size is
fixed by definition (mass, distance, time, pressure, force, energy, power, magnetism,
temperature, volume, area, speed, information), with the metric prefixes (``km``,
``mg``) and, for bits and bytes, the binary ones (``kibyte``).

Units of different kinds are ``#N/A``, as in Excel; a unit name the engine does not know
is refused ("not evaluated"): it may be one of Excel's that is left out here.

Example::

    >>> CONVERT(1.0, "lbm", "kg"), CONVERT(68.0, "F", "C"), CONVERT(2.5, "ft", "sec")
    (0.45359237, 20.0, XlError('#N/A'))
"""

from __future__ import annotations

from typing import Any

from crm_xl.calc.conversions import check, to_number, to_text
from crm_xl.calc.functions.registry import builtin
from crm_xl.calc.values import NA, Unsupported, XlError

_IN = 0.0254
_FT = 0.3048
_LBM = 453.59237  # grams
_LBF = 4.4482216152605  # newtons
_GAL = 3.785411784  # litres
_TEMPERATURE = "temperature"

# unit: (kind, size in the kind's base unit, takes prefixes)
_UNITS: dict[str, tuple[str, float, bool]] = {}


def _add(kind: str, size: float, names: str, prefixes: bool = False) -> None:
    for n in names.split():
        _UNITS[n] = (kind, size, prefixes)


# mass, in grams
_add("mass", 1.0, "g", True)
_add("mass", _LBM, "lbm")
_add("mass", _LBM / 16, "ozm")
_add("mass", _LBM * 14, "stone")
_add("mass", _LBM * 2000, "ton")
_add("mass", _LBM * 2240, "uk_ton LTON brton")
_add("mass", 0.06479891, "grain")
_add("mass", _LBM * 100, "cwt shweight")
_add("mass", _LBM * 112, "uk_cwt lcwt hweight")
# distance, in metres
_add("distance", 1.0, "m", True)
_add("distance", 1e-10, "ang", True)
_add("distance", 1609.344, "mi")
_add("distance", 1852.0, "Nmi")
_add("distance", _IN, "in")
_add("distance", _FT, "ft")
_add("distance", 0.9144, "yd")
_add("distance", 1.143, "ell")
# time, in seconds
_add("time", 365.25 * 86400, "yr")
_add("time", 86400.0, "day d")
_add("time", 3600.0, "hr")
_add("time", 60.0, "mn min")
_add("time", 1.0, "sec s", True)
# pressure, in pascals
_add("pressure", 1.0, "Pa p", True)
_add("pressure", 101325.0, "atm at", True)
_add("pressure", 101325.0 / 760, "mmHg Torr", True)
_add("pressure", _LBF / (_IN * _IN), "psi")
# force, in newtons
_add("force", 1.0, "N", True)
_add("force", 1e-5, "dyn dy", True)
_add("force", _LBF, "lbf")
_add("force", 9.80665e-3, "pond", True)
# energy, in joules
_add("energy", 1.0, "J", True)
_add("energy", 1e-7, "e", True)
_add("energy", 4.184, "c", True)
_add("energy", 4.1868, "cal", True)
_add("energy", 3600.0, "Wh wh", True)
_add("energy", _FT * _LBF, "flb")
_add("energy", 1055.05585262, "BTU btu")
_add("energy", 550 * _FT * _LBF * 3600, "HPh hh")
# power, in watts
_add("power", 1.0, "W w", True)
_add("power", 550 * _FT * _LBF, "HP h")
_add("power", 735.49875, "PS")
# magnetism, in teslas
_add("magnetism", 1.0, "T", True)
_add("magnetism", 1e-4, "ga", True)
# volume, in litres
_add("volume", 1.0, "l L lt", True)
_add("volume", 1000.0, "m3", True)
_add("volume", _GAL, "gal")
_add("volume", _GAL / 4, "qt")
_add("volume", _GAL / 8, "pt us_pt")
_add("volume", _GAL / 16, "cup")
_add("volume", _GAL / 128, "oz")
_add("volume", _GAL / 256, "tbs")
_add("volume", _GAL / 768, "tsp")
_add("volume", 0.005, "tspm")
_add("volume", 4.54609, "uk_gal")
_add("volume", 4.54609 / 4, "uk_qt")
_add("volume", 4.54609 / 8, "uk_pt")
_add("volume", _FT**3 * 1000, "ft3 ft^3")
_add("volume", _IN**3 * 1000, "in3 in^3")
_add("volume", 0.9144**3 * 1000, "yd3 yd^3")
_add("volume", _GAL * 42, "barrel")
# area, in square metres
_add("area", 1.0, "m2 m^2", True)
_add("area", _FT * _FT, "ft2 ft^2")
_add("area", _IN * _IN, "in2 in^2")
_add("area", 0.9144 * 0.9144, "yd2 yd^2")
_add("area", 1609.344**2, "mi2 mi^2")
_add("area", 1852.0**2, "Nmi2 Nmi^2")
_add("area", 10000.0, "ha")
_add("area", 100.0, "ar")
_add("area", 4046.8564224, "uk_acre")
_add("area", 2500.0, "Morgen")
# speed, in metres per second
_add("speed", 1.0, "m/s m/sec", True)
_add("speed", 1 / 3600, "m/h m/hr", True)
_add("speed", 0.44704, "mph")
_add("speed", 1852.0 / 3600, "kn")
_add("speed", 1853.184 / 3600, "admkn")
# information, in bits
_add("information", 1.0, "bit", True)
_add("information", 8.0, "byte", True)
# temperature: sizes are unused, see _to_kelvin
_add(_TEMPERATURE, 1.0, "C cel F fah Rank Reau")
_add(_TEMPERATURE, 1.0, "K kel", True)

_PREFIXES = {
    "Y": 1e24, "Z": 1e21, "E": 1e18, "P": 1e15, "T": 1e12, "G": 1e9, "M": 1e6, "k": 1e3,
    "h": 1e2, "da": 1e1, "d": 1e-1, "c": 1e-2, "m": 1e-3, "u": 1e-6, "n": 1e-9,
    "p": 1e-12, "f": 1e-15, "a": 1e-18, "z": 1e-21, "y": 1e-24,
}  # fmt: skip
_BINARY = {
    "ki": 2.0**10, "Mi": 2.0**20, "Gi": 2.0**30, "Ti": 2.0**40, "Pi": 2.0**50,
    "Ei": 2.0**60, "Zi": 2.0**70, "Yi": 2.0**80,
}  # fmt: skip


def _unit(name: str) -> tuple[str, float, str]:
    """(kind, size in the kind's base unit, the unit without its prefix)."""
    if name in _UNITS:
        kind, size, _ = _UNITS[name]
        return kind, size, name
    for table in (_BINARY, _PREFIXES):
        for p, factor in table.items():
            rest = name[len(p) :]
            if not name.startswith(p) or rest not in _UNITS:
                continue
            kind, size, takes = _UNITS[rest]
            if not takes or (table is _BINARY and kind != "information"):
                continue
            if rest.endswith(("2", "^2")):
                factor = factor**2
            elif rest.endswith(("3", "^3")):
                factor = factor**3
            return kind, size * factor, rest
    raise Unsupported(f"CONVERT to or from the unit {name!r}: not evaluated", "CONVERT")


def _to_kelvin(x: float, unit: str, factor: float) -> float:
    if unit in ("C", "cel"):
        return x + 273.15
    if unit in ("F", "fah"):
        return (x - 32) * 5 / 9 + 273.15
    if unit == "Rank":
        return x / 1.8
    if unit == "Reau":
        return x * 1.25 + 273.15
    return x * factor  # K, kel, with a prefix


def _from_kelvin(k: float, unit: str, factor: float) -> float:
    if unit in ("C", "cel"):
        return k - 273.15
    if unit in ("F", "fah"):
        return (k - 273.15) * 9 / 5 + 32
    if unit == "Rank":
        return k * 1.8
    if unit == "Reau":
        return (k - 273.15) * 0.8
    return k / factor


@builtin("CONVERT", "VVV")
def CONVERT(number: Any, from_unit: Any, to_unit: Any) -> float | XlError:
    x = to_number(number)
    a, b = _unit(to_text(from_unit)), _unit(to_text(to_unit))
    if a[0] != b[0]:
        return NA
    if a[0] == _TEMPERATURE:
        return check(_from_kelvin(_to_kelvin(x, a[2], a[1]), b[2], b[1]))
    if a[1] == b[1]:
        return x
    return check(x * a[1] / b[1])
