"""Currency conversion for the report, remembering every rate it used."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from llm_tco.errors import InputError
from llm_tco.money import FxRate, Money, Span


@dataclass
class Converter:
    """Brings amounts into the report currency and records each conversion."""

    currency: str
    fx: FxRate | None
    applied_to: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.currency = self.currency.upper()

    def __call__(self, span: Span, from_currency: str, what: str) -> Span:
        from_currency = from_currency.upper()
        if not from_currency:
            raise InputError(f'{what} has no currency; add currency = "EUR" or similar')
        if from_currency == self.currency:
            return span
        converted = Money(span, from_currency).in_currency(self.currency, self.fx)
        item = f"{what} ({from_currency} -> {self.currency})"
        if item not in self.applied_to:
            self.applied_to.append(item)
        return converted.span

    def to_dict(self) -> list[dict[str, Any]]:
        if not self.applied_to or self.fx is None:
            return []
        fx = self.fx
        return [
            {
                "id": fx.id,
                "base": fx.base,
                "quote": fx.quote,
                "rate": str(fx.rate),
                "as_of": fx.as_of,
                "source": fx.source,
                "applied_to": list(self.applied_to),
            }
        ]
