"""Number, money and range formatting shared by every report renderer.

Every helper takes values from the report document: a quantity
``{"low", "high", "unit"}``, a bare number, or ``None``. ``None`` means
undefined or not measured and always prints as :data:`NA`, never as 0.
Rounding is half-up, as on paper (1.905 -> 1.91), on the exact decimal the
document holds (floats go through ``str``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeAlias

NA = "n/a"
DASH = "–"  # en dash between the ends of a range

Quantity: TypeAlias = Mapping[str, Any]
Number: TypeAlias = int | float | Decimal

_HUGE = Decimal("1e21")
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}


def na(text: str | None) -> str:
    """``text``, or :data:`NA` when there is nothing."""
    return NA if text is None or text == "" else text


def dec(value: Number) -> Decimal:
    """Exact decimal of a document number (``0.1`` stays ``0.1``)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def fmt_number(value: Number | None, places: int = 0, *, trim: bool = False) -> str:
    """``1234.5`` -> ``"1,234.50"`` (half-up); ``trim`` drops ``.00`` of wholes."""
    if value is None:
        return NA
    exact = dec(value)
    if not exact.is_finite() or abs(exact) >= _HUGE:
        return f"{exact:.3E}"  # beyond any real price; say it, don't crash
    if trim and exact == exact.to_integral_value():
        places = 0
    rounded = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0.00"
    return f"{rounded:,.{places}f}"


def currency_symbol(code: str) -> tuple[str, str]:
    """Prefix and suffix for amounts in ``code``: ``("€", "")``, ``("", " CHF")``."""
    symbol = _SYMBOLS.get(code.upper())
    return (symbol, "") if symbol else ("", f" {code}")


def unit_currency(unit: str) -> str:
    """The currency of a money unit: ``"EUR/night"`` -> ``"EUR"``."""
    return unit.split("/", 1)[0].strip()


def money_places(quantity: Quantity) -> int:
    """Sensible places for an amount, from its unit and size."""
    unit = str(quantity.get("unit", ""))
    if "/1M" in unit:
        return 4
    if unit.endswith(("/month", "/year", "/h", "/GPU-h", "/kWh")):
        return 2
    biggest = max(abs(dec(quantity["low"])), abs(dec(quantity["high"])))
    return 3 if biggest < 10 else 2


def money(
    quantity: Quantity | None,
    places: int | None = None,
    *,
    currency: str | None = None,
    trim: bool = True,
) -> str:
    """``"€1.905"``, ``"€78.77–90.53"``, ``"-€1,157.33 to -€906.75"`` or ``n/a``.

    The currency comes from the unit (``"EUR/month"``) unless given; ``places``
    defaults to :func:`money_places`. Whole amounts drop ``.00`` unless
    ``trim`` is false.
    """
    if quantity is None:
        return NA
    code = currency or unit_currency(str(quantity.get("unit", "")))
    prefix, suffix = currency_symbol(code)
    digits = money_places(quantity) if places is None else places
    low, high = quantity["low"], quantity["high"]
    whole = trim and all(dec(v) == dec(v).to_integral_value() for v in (low, high))
    if whole:
        digits = 0

    def one(text: str) -> str:
        if text.startswith("-"):
            return f"-{prefix}{text[1:]}{suffix}"
        return f"{prefix}{text}{suffix}"

    low_text, high_text = fmt_number(low, digits), fmt_number(high, digits)
    if low_text == high_text:
        return one(low_text)
    if low_text.startswith("-"):
        return f"{one(low_text)} to {one(high_text)}"
    return f"{prefix}{low_text}{DASH}{high_text}{suffix}"


def fmt_range(
    quantity: Quantity | None,
    places: int = 0,
    *,
    unit: str | None = None,
    trim: bool = False,
) -> str:
    """A plain range: ``"1.34–1.54 h"``, ``"5,702 tokens/s"``; ``unit=""`` omits it."""
    if quantity is None:
        return NA
    shown = str(quantity.get("unit", "")) if unit is None else unit
    low, high = quantity["low"], quantity["high"]
    if trim and all(dec(v) == dec(v).to_integral_value() for v in (low, high)):
        places = 0
    low_text, high_text = fmt_number(low, places), fmt_number(high, places)
    text = low_text if low_text == high_text else f"{low_text}{DASH}{high_text}"
    if dec(low) < 0 and low_text != high_text:
        text = f"{low_text} to {high_text}"
    return f"{text} {shown}" if shown else text


def fmt_hours(quantity: Quantity | None, places: int = 2) -> str:
    """Hours: ``"1.34 h"``, ``"1.34–1.54 h"``; whole hours as ``"4–8 h"``."""
    return fmt_range(quantity, places, unit="h", trim=True)


def fmt_ratio(quantity: Quantity | None, places: int = 2) -> str:
    """``"1.38× (+38 %)"``; a range: ``"1.08–1.38× (+8–38 %)"``."""
    if quantity is None:
        return NA
    times = fmt_range(quantity, places, unit="")
    pct_low = (dec(quantity["low"]) - 1) * 100
    pct_high = (dec(quantity["high"]) - 1) * 100
    low_text, high_text = _signed(pct_low), _signed(pct_high)
    if low_text == high_text:
        return f"{times}× ({low_text} %)"
    return f"{times}× ({low_text}{DASH}{high_text.lstrip('+')} %)"


def _signed(value: Decimal) -> str:
    text = fmt_number(value, 0)
    return text if text.startswith("-") or text == "0" else f"+{text}"


def fmt_percent(quantity: Quantity | None, places: int = 0) -> str:
    """A share as percent: ``{"low": 0.2, "high": 0.25}`` -> ``"20–25 %"``."""
    if quantity is None:
        return NA
    scaled = {k: dec(quantity[k]) * 100 for k in ("low", "high")}
    return fmt_range(scaled, places, unit="%")


def fmt_bool(value: bool | None, yes: str = "yes", no: str = "no") -> str:
    """``True`` -> ``"yes"``, ``False`` -> ``"no"``, ``None`` -> ``n/a``."""
    if value is None:
        return NA
    return yes if value else no


def ratio_of(quantity: Quantity | None, base: Quantity | None) -> dict[str, Any] | None:
    """``quantity / base`` as a ratio quantity (``None`` when undefined)."""
    if quantity is None or base is None:
        return None
    base_low, base_high = dec(base["low"]), dec(base["high"])
    if base_low <= 0:
        return None
    return {
        "low": dec(quantity["low"]) / base_high,
        "high": dec(quantity["high"]) / base_low,
        "unit": "ratio",
    }


def fmt_versus(ratio: Quantity | None, other: str = "the API") -> str:
    """A ratio in words: ``"8–30 % above the API"``, ``"2.83–8.30× the API"``."""
    if ratio is None:
        return NA
    low, high = dec(ratio["low"]), dec(ratio["high"])
    if low >= 2:
        return f"{fmt_range(ratio, 2, unit='')}× {other}"
    pct_low, pct_high = (low - 1) * 100, (high - 1) * 100
    if pct_low >= 0:
        span = {"low": pct_low, "high": pct_high}
        return f"{fmt_range(span, unit='%')} above {other}"
    if pct_high <= 0:
        span = {"low": -pct_high, "high": -pct_low}
        return f"{fmt_range(span, unit='%')} below {other}"
    return (
        f"between {fmt_number(-pct_low)} % below and {fmt_number(pct_high)} % "
        f"above {other}"
    )


def fmt_tokens(quantity: Quantity | None) -> str:
    """Token counts in millions when exact: ``27.5M``, else the full number."""
    if quantity is None:
        return NA
    millions = {k: dec(quantity[k]) / 1_000_000 for k in ("low", "high")}
    if all(v >= 1 and v == round(v, 3) for v in millions.values()):
        scaled = {k: v.normalize() for k, v in millions.items()}
        places = max(0, *(-int(v.as_tuple().exponent) for v in scaled.values()))
        return fmt_range(scaled, places, unit="") + "M"
    return fmt_range(quantity, unit="")
