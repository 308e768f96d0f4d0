"""What partners bring: the in-kind ledger, an event's budget, the partner report.

A :class:`Contribution` records that a partner brought something (food,
drinks, the venue, money, goods) to an event, with an estimated value. The
budget of an event adds up partner contributions and the community's own
small budget against what the evening costs: food and drinks for the people
expected (or, once it happened, the people who came), and the venue's fee
where the venue charges one. The
partner report is the argument for the next partner: events supported,
people reached, posts that thanked them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date

import attrs

from terrain._language import count
from terrain._time import instant
from terrain._validation import (
    a_date,
    as_enum,
    identifier,
    instance_of,
    member_of,
    text,
)
from terrain.errors import ValidationError
from terrain.events import CostModel, Event, Money, Venue
from terrain.partnerships._models import ContributionKind, Partner
from terrain.posts import Metrics, Post, Receipt

__all__ = [
    "Budget",
    "Contribution",
    "PartnerReport",
    "SupportedEvent",
    "event_budget",
    "partner_report",
    "thanks",
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


#: What each venue cost model means for the food and drinks budget.
_COST_NOTES = {
    CostModel.EACH_PAYS_OWN: "everyone pays their own drinks at {venue}",
    CostModel.HOST_PAYS: "{venue} offers the food and drinks",
    CostModel.PARTNER_PAYS: "a partner covers the food and drinks at {venue}",
    CostModel.RENTAL_FEE: "{venue} charges {fee} for the room",
}


@attrs.frozen
class Budget:
    """The budget of one event (all amounts in one currency).

    ``needed`` = ``per_person`` × ``people`` + ``venue_fee``; ``covered`` =
    ``from_partners`` + ``own``; ``shortfall`` and ``surplus`` say which way
    it leans. ``people_from`` says where the head count comes from:
    ``"given"``, ``"forecast"`` (an event ahead) or ``"check-ins"`` (an event
    that happened). ``note`` says what the venue's cost model means.
    """

    event_id: str
    people: int
    per_person: Money
    needed: Money
    from_partners: Money
    own: Money
    lines: tuple[Contribution, ...]
    venue_fee: Money | None = None
    people_from: str = "given"
    note: str = ""

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
        who = {"check-ins": " came", "forecast": " expected"}.get(self.people_from, "")
        catering = Money(self.per_person.cents * self.people, self.per_person.currency)
        cost = f"{count(self.people, 'person', 'people')}{who} × {self.per_person} = {catering}"
        if self.venue_fee is not None and self.venue_fee.cents:
            cost += f", plus the room {self.venue_fee}: {self.needed}"
        note = f" ({self.note})" if self.note else ""
        return (
            f"{cost}{note}; partners bring {self.from_partners}, the community {self.own}: {state}"
        )


def event_budget(
    event_id: str,
    *,
    people: int,
    per_person: Money,
    contributions: Iterable[Contribution],
    own_budget: Money,
    venue: Venue | None = None,
    people_from: str = "given",
) -> Budget:
    """The budget of ``event_id`` for ``people`` (the forecast, or the people who came).

    Only food, drinks and money contributions to this event count; a venue
    lent for free is in the ledger but not in the budget. With ``venue``, its
    cost model counts: a venue with a rental fee adds its fee to what is
    needed, and the budget says who pays the drinks (at a bar where everyone
    pays their own, pass ``per_person=Money(0)``).
    """
    if isinstance(people, bool) or not isinstance(people, int) or people < 0:
        raise ValidationError(f"event_budget: people is {people!r}; give a whole number >= 0")
    if people_from not in ("given", "forecast", "check-ins"):
        raise ValidationError(
            f"event_budget: people_from is {people_from!r}; give 'given', 'forecast' or 'check-ins'"
        )
    currency = per_person.currency
    lines = tuple(c for c in contributions if c.event_id == event_id and c.kind in CATERING)
    fee: Money | None = None
    note = ""
    if venue is not None:
        if venue.cost_model is CostModel.RENTAL_FEE and venue.fee is not None:
            fee = total([venue.fee], currency=currency)
        template = _COST_NOTES.get(venue.cost_model)
        if template is not None:
            note = template.format(venue=venue.name, fee=venue.fee)
    catering = per_person.cents * people
    return Budget(
        event_id=event_id,
        people=people,
        per_person=per_person,
        needed=Money(catering + (fee.cents if fee is not None else 0), currency),
        from_partners=total((c.value for c in lines), currency=currency),
        own=total([own_budget], currency=currency),
        lines=lines,
        venue_fee=fee,
        people_from=people_from,
        note=note,
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
    #: people (or views) the thanking posts reached online, as the platforms last said
    online_reach: int = 0
    #: likes, reposts, replies… those posts drew
    online_interactions: int = 0
    #: how many of the thanking posts the platforms gave metrics for
    measured_posts: int = 0

    def summary(self) -> str:
        """A short paragraph to paste into an e-mail."""
        thanked = len(self.posts)
        text = (
            f"{self.partner.name} supported {count(len(self.events), 'meetup')} "
            f"({count(self.months_in_a_row, 'month')} in a row at best), about {self.value} "
            f"in kind, {count(self.people_reached, 'person', 'people')} came, "
            f"{count(thanked, 'published post')} thanked them"
        )
        if self.measured_posts:
            text += (
                f", seen {self.online_reach} times online with "
                f"{count(self.online_interactions, 'interaction')}"
            )
        return text + "."


def _longest_monthly_run(days: Iterable[date]) -> int:
    months = sorted({d.year * 12 + d.month for d in days})
    best = run = 0
    previous: int | None = None
    for month in months:
        run = run + 1 if previous is not None and month == previous + 1 else 1
        best = max(best, run)
        previous = month
    return best


def thanks(post: Post, partner: Partner) -> bool:
    """Whether ``post`` thanks ``partner``: it mentions them, or names them in its text
    (or thread), as a whole name, whatever the case."""
    if any(m.partner_id == partner.id for m in post.mentions):
        return True
    name = re.compile(rf"(?<!\w){re.escape(partner.name.casefold())}(?!\w)")
    return any(name.search(part.casefold()) for part in (post.text, *post.thread))


def partner_report(
    partner: Partner,
    *,
    contributions: Iterable[Contribution],
    events: Iterable[Event],
    attendance: Mapping[str, int],
    posts: Iterable[Post] = (),
    receipts: Iterable[Receipt] = (),
    currency: str = "EUR",
    metrics: Mapping[tuple[str, str], Metrics] | None = None,
) -> PartnerReport:
    """The report for ``partner``.

    ``attendance`` maps an event id to the people who came (checked in);
    ``posts`` are the composed posts and ``receipts`` the proofs of
    publication: a post counts when it was published and thanks the partner,
    by a mention or by naming them in its text (every recap names the
    partners it thanks; see :func:`thanks`). ``metrics`` (``(post id,
    platform)`` → the platform's last :class:`~terrain.posts.Metrics`, from
    ``terrain stats``) add how far those posts reached online and the
    interactions they drew; a post deleted on the platform counts for nothing.
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
    for event_id in sorted({c.event_id for c in mine}, key=lambda i: instant(by_id[i].starts_at)):
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
    thanked = {(p.id, p.platform) for p in posts if thanks(p, partner)}
    published = tuple(r for r in receipts if (r.post_id, r.platform) in thanked)
    measured = [
        m
        for r in published
        if (m := (metrics or {}).get((r.post_id, r.platform))) is not None and not m.gone
    ]
    return PartnerReport(
        partner=partner,
        events=tuple(supported),
        value=total((c.value for c in mine), currency=currency),
        people_reached=sum(s.attendance for s in supported),
        posts=published,
        months_in_a_row=_longest_monthly_run(s.on for s in supported),
        online_reach=sum(m.reached or 0 for m in measured),
        online_interactions=sum(m.interactions for m in measured),
        measured_posts=len(measured),
    )
