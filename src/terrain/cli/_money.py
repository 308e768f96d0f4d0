"""Reading amounts and dates typed on the command line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from terrain.events import Money

__all__ = ["parse_day", "parse_money"]


def parse_money(value: str, *, option: str, currency: str = "EUR") -> Money:
    """``40``, ``40.50`` or ``40.50 EUR`` as :class:`~terrain.events.Money` (cents).

    A bad value raises :class:`click.BadParameter` (exit code 2).
    """
    from terrain.events import Money

    amount, _, code = value.strip().partition(" ")
    try:
        cents = Decimal(amount.replace(",", ".")) * 100
    except InvalidOperation:
        cents = Decimal("NaN")
    if not cents.is_finite() or cents < 0 or cents != cents.to_integral_value():
        raise click.BadParameter(
            f"{value!r} is not an amount: write 40, 40.50 or '40.50 EUR' (0 or more, "
            "at most two decimals)",
            param_hint=option,
        )
    return Money(int(cents), code.strip().upper() or currency)


def parse_day(value: str, *, option: str) -> date:
    """``2026-03-12`` as a date; :class:`click.BadParameter` (exit code 2) otherwise."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date: write it as 2026-03-12", param_hint=option
        ) from None
