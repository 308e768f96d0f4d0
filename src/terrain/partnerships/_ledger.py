"""What partners bring: the in-kind ledger, an event's budget, the partner report.

A :class:`Contribution` records that a partner brought something (food,
drinks, the venue, money, goods) to an event, with an estimated value. The
drinks/food budget of an event adds up partner contributions and the
community's own small budget against what the forecast attendance needs. The
partner report is the argument for the next partner: events supported,
people reached, posts that thanked them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import attrs

from terrain._validation import (
    a_date,
    as_enum,
    identifier,
    instance_of,
    member_of,
    text,
)
from terrain.errors import ValidationError
from terrain.events import Event, Money
from terrain.partnerships._models import ContributionKind, Partner
from terrain.posts import Post, Receipt

__all__ = [
    "Budget",
    "Contribution",
    "PartnerReport",
    "SupportedEvent",
    "event_budget",
    "partner_report",
    "total",
]

#: Contributions that feed the drinks/food budget of an event.
CATERING = frozenset({ContributionKind.FOOD, ContributionKind.DRINKS, ContributionKind.MONEY})


def _to_kind(value: ContributionKind | str) -> ContributionKind:
    return as_enum(ContributionKind, value)


@attrs.frozen
class Contribution:
    """Partner ``partner_id`` brought ``kind`` to event ``event_id``, worth about ``value``."""

    id: str = attrs.field(validator=identifier())
    partner_id: str = attrs.field(validator=identifier())
    event_id: str = attrs.field(validator=identifier())
    kind: ContributionKind = attrs.field(converter=_to_kind, validator=member_of(ContributionKind))
    value: Money = attrs.field(validator=instance_of(Money))
    on: date = attrs.field(validator=a_date())
    description: str = attrs.field(default="", validator=text(max_length=2000))


def total(amounts: Iterable[Money], *, currency: str = "EUR") -> Money:
    """The sum of ``amounts``; mixing currencies is an error (convert first)."""
    cents = 0
    for amount in amounts:
        if amount.currency != currency:
            raise ValidationError(
                f"cannot add {amount} to amounts in {currency}: convert it to {currency} first"
            )
        cents += amount.cents
    return Money(cents, currency)


@attrs.frozen
class Budget:
    """The drinks/food budget of one event (all amounts in one currency).

    ``needed`` = ``per_person`` × ``people``; ``covered`` = ``from_partners`` +
    ``own``; ``shortfall`` and ``surplus`` say which way it leans.
    """

    event_id: str
    people: int
    per_person: Money
    needed: Money
    from_partners: Money
    own: Money
    lines: tuple[Contribution, ...]

    @property
    def covered(self) -> Money:
        """What partners and the community bring together."""
        return Money(self.from_partners.cents + self.own.cents, self.needed.currency)

    @property
    def shortfall(self) -> Money:
        """What is still missing (zero when covered)."""
        return Money(max(0, self.needed.cents - self.covered.cents), self.needed.currency)

    @property
    def surplus(self) -> Money:
        """What is left over (zero when short)."""
        return Money(max(0, self.covered.cents - self.needed.cents), self.needed.currency)

    def explain(self) -> str:
        """The budget in one sentence."""
        state = (
            f"short of {self.shortfall}"
            if self.shortfall.cents
            else f"covered ({self.surplus} left)"
        )
        return (
            f"{self.people} people × {self.per_person} = {self.needed}; partners bring "
            f"{self.from_partners}, the community {self.own}: {state}"
        )


def event_budget(
    event_id: str,
    *,
    people: int,
    per_person: Money,
    contributions: Iterable[Contribution],
    own_budget: Money,
) -> Budget:
    """The drinks/food budget of ``event_id`` for ``people`` (the forecast attendance).

    Only food, drinks and money contributions to this event count; a venue
    lent for free is in the ledger but not in the drinks budget. At a bar
    where everyone pays their drinks, pass ``per_person=Money(0)``.
    """
    if isinstance(people, bool) or not isinstance(people, int) or people < 0:
        raise ValidationError(f"event_budget: people is {people!r}; give a whole number >= 0")
    currency = per_person.currency
    lines = tuple(c for c in contributions if c.event_id == event_id and c.kind in CATERING)
    return Budget(
        event_id=event_id,
        people=people,
        per_person=per_person,
        needed=Money(per_person.cents * people, currency),
        from_partners=total((c.value for c in lines), currency=currency),
        own=total([own_budget], currency=currency),
        lines=lines,
    )


@attrs.frozen
class SupportedEvent:
    """An event a partner supported: what they brought and how many people came."""

    event_id: str
    title: str
    on: date
    attendance: int
    brought: tuple[ContributionKind, ...]
    value: Money


@attrs.frozen
class PartnerReport:
    """What a partner's support achieved, for them and for the next partner."""

    partner: Partner
    events: tuple[SupportedEvent, ...]
    value: Money
    people_reached: int
    posts: tuple[Receipt, ...]
    months_in_a_row: int

    def summary(self) -> str:
        """A short paragraph to paste into an e-mail."""
        return (
            f"{self.partner.name} supported {len(self.events)} meetups "
            f"({self.months_in_a_row} months in a row at best), about {self.value} in kind, "
            f"{self.people_reached} people came, {len(self.posts)} published posts thanked them."
        )


def _longest_monthly_run(days: Iterable[date]) -> int:
    months = sorted({d.year * 12 + d.month for d in days})
    best = run = 0
    previous: int | None = None
    for month in months:
        run = run + 1 if previous is not None and month == previous + 1 else 1
        best = max(best, run)
        previous = month
    return best


def partner_report(
    partner: Partner,
    *,
    contributions: Iterable[Contribution],
    events: Iterable[Event],
    attendance: Mapping[str, int],
    posts: Iterable[Post] = (),
    receipts: Iterable[Receipt] = (),
    currency: str = "EUR",
) -> PartnerReport:
    """The report for ``partner``.

    ``attendance`` maps an event id to the people who came (checked in);
    ``posts`` are the composed posts and ``receipts`` the proofs of
    publication: a post counts when it mentions the partner and was published
    (its mentions were already filtered by consent when it was composed).
    """
    mine = [c for c in contributions if c.partner_id == partner.id]
    by_id = {e.id: e for e in events}
    missing = sorted({c.event_id for c in mine} - by_id.keys())
    if missing:
        raise ValidationError(
            f"partner_report: contributions of {partner.id!r} name unknown events {missing}; "
            "pass those events too"
        )
    supported: list[SupportedEvent] = []
    for event_id in sorted({c.event_id for c in mine}, key=lambda i: by_id[i].starts_at):
        event = by_id[event_id]
        lines = [c for c in mine if c.event_id == event_id]
        supported.append(
            SupportedEvent(
                event_id=event_id,
                title=event.title,
                on=event.starts_at.date(),
                attendance=attendance.get(event_id, 0),
                brought=tuple(sorted({c.kind for c in lines})),
                value=total((c.value for c in lines), currency=currency),
            )
        )
    thanked = {p.id for p in posts if any(m.partner_id == partner.id for m in p.mentions)}
    published = tuple(r for r in receipts if r.post_id in thanked)
    return PartnerReport(
        partner=partner,
        events=tuple(supported),
        value=total((c.value for c in mine), currency=currency),
        people_reached=sum(s.attendance for s in supported),
        posts=published,
        months_in_a_row=_longest_monthly_run(s.on for s in supported),
    )
