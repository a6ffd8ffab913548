"""Amounts with a currency, low–high ranges, and stated currency conversions.

Money is ``Decimal`` so that the article's figures come out exact (€1.905, not
1.9049999). A :class:`Span` is a closed range; a single value is a span whose
ends are equal. Arithmetic on spans is interval arithmetic: the result holds
every value the inputs allow.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TypeAlias

from llm_tco.errors import InputError

Number: TypeAlias = Decimal | int | float | str
SpanLike: TypeAlias = "Span | Number | list[Number] | tuple[Number, Number]"


# No price, rate, count or throughput we take as input comes near this; it keeps
# every product of inputs inside float range for the JSON report.
LARGEST = Decimal(10) ** 15


def to_decimal(value: Number, what: str = "value") -> Decimal:
    """Decimal from a number or a numeric string; floats go through ``str``."""
    if isinstance(value, bool):
        raise InputError(f"{what} must be a number, got {value!r}")
    try:
        result = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise InputError(f"{what} must be a number, got {value!r}") from None
    if not result.is_finite():
        raise InputError(f"{what} must be a finite number, got {value!r}")
    if abs(result) > LARGEST:
        raise InputError(
            f"{what} {value!r} is beyond any real price or count (above {LARGEST:,}); "
            "check the units"
        )
    return result


def round_half_up(value: Decimal, places: int) -> Decimal:
    """Round as people do on paper (1.905 -> 1.91), not banker's rounding."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Span:
    """A closed range ``low..high``; ``low == high`` for a single value."""

    low: Decimal
    high: Decimal

    def __post_init__(self) -> None:
        if self.low > self.high:
            raise InputError(f"range low {self.low} is above high {self.high}")

    @classmethod
    def of(cls, value: SpanLike, what: str = "value") -> Span:
        """A span from a number, a ``[low, high]`` pair or a span."""
        if isinstance(value, Span):
            return value
        if isinstance(value, list | tuple):
            if len(value) != 2:
                raise InputError(f"{what} range must be [low, high], got {value!r}")
            low, high = (to_decimal(v, what) for v in value)
            if low > high:
                raise InputError(f"{what} range [{low}, {high}] has low above high")
            return cls(low, high)
        point = to_decimal(value, what)
        return cls(point, point)

    @property
    def is_point(self) -> bool:
        return self.low == self.high

    @property
    def mid(self) -> Decimal:
        return (self.low + self.high) / 2

    def _combine(
        self, other: SpanLike, op: Callable[[Decimal, Decimal], Decimal]
    ) -> Span:
        rhs = Span.of(other)
        ends = [op(a, b) for a, b in itertools.product(self.ends, rhs.ends)]
        return Span(min(ends), max(ends))

    @property
    def ends(self) -> tuple[Decimal, Decimal]:
        return (self.low, self.high)

    def __add__(self, other: SpanLike) -> Span:
        rhs = Span.of(other)
        return Span(self.low + rhs.low, self.high + rhs.high)

    __radd__ = __add__

    def __sub__(self, other: SpanLike) -> Span:
        rhs = Span.of(other)
        return Span(self.low - rhs.high, self.high - rhs.low)

    def __mul__(self, other: SpanLike) -> Span:
        return self._combine(other, lambda a, b: a * b)

    __rmul__ = __mul__

    def __truediv__(self, other: SpanLike) -> Span:
        rhs = Span.of(other)
        if rhs.low <= 0 <= rhs.high:
            raise InputError(f"cannot divide by a range that holds zero: {rhs}")
        return self._combine(rhs, lambda a, b: a / b)

    def __rtruediv__(self, other: SpanLike) -> Span:
        return Span.of(other) / self

    def map(self, fn: Callable[[Decimal], Decimal]) -> Span:
        """Apply a monotone function to both ends."""
        ends = sorted((fn(self.low), fn(self.high)))
        return Span(ends[0], ends[1])

    def rounded(self, places: int) -> Span:
        return Span(round_half_up(self.low, places), round_half_up(self.high, places))

    def __str__(self) -> str:
        if self.is_point:
            return f"{self.low}"
        return f"{self.low}–{self.high}"


@dataclass(frozen=True)
class FxRate:
    """A dated exchange rate: one ``base`` buys ``rate`` of ``quote``."""

    id: str
    base: str
    quote: str
    rate: Decimal
    as_of: str
    source: str

    def converts(self, from_currency: str, to_currency: str) -> bool:
        return {from_currency, to_currency} == {self.base, self.quote}

    def convert(self, span: Span, from_currency: str, to_currency: str) -> Span:
        """``span`` in ``from_currency`` expressed in ``to_currency``."""
        if (from_currency, to_currency) == (self.base, self.quote):
            return span * self.rate
        if (from_currency, to_currency) == (self.quote, self.base):
            return span / self.rate
        raise InputError(
            f"rate {self.id!r} converts {self.base}<->{self.quote}, "
            f"not {from_currency}->{to_currency}"
        )

    def describe(self) -> str:
        return f"1 {self.base} = {self.rate} {self.quote} ({self.id}, {self.as_of})"


@dataclass(frozen=True)
class Money:
    """An amount (possibly a range) in one currency."""

    span: Span
    currency: str

    @classmethod
    def of(cls, value: SpanLike, currency: str) -> Money:
        return cls(Span.of(value), currency)

    def in_currency(self, currency: str, fx: FxRate | None) -> Money:
        """This amount in ``currency``; a change of currency needs a stated rate."""
        if currency == self.currency:
            return self
        if fx is None or not fx.converts(self.currency, currency):
            raise InputError(
                f"an amount in {self.currency} must be shown in {currency}, but no "
                f"{self.currency}<->{currency} rate was chosen; pass --fx RATE_ID"
            )
        return Money(fx.convert(self.span, self.currency, currency), currency)


def positive(value: SpanLike, what: str) -> Span:
    """A span whose every value is above zero, or an InputError naming it."""
    span = Span.of(value, what)
    if span.low <= 0:
        raise InputError(f"{what} must be above 0, got {span}")
    return span


def non_negative(value: SpanLike, what: str) -> Span:
    """A span with no negative value, or an InputError naming it."""
    span = Span.of(value, what)
    if span.low < 0:
        raise InputError(f"{what} must not be negative, got {span}")
    return span
