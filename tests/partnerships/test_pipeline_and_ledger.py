"""Partnerships: the pipeline, a shop supplying drinks three months in a row, budgets."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from terrain.errors import ValidationError
from terrain.events import CostModel, Event, Money, Venue
from terrain.partnerships import (
    Contribution,
    ContributionKind,
    Partner,
    Partnership,
    PartnershipStatus,
    PipelineStep,
    advance,
    event_budget,
    partner_report,
    thanks,
    total,
)
from terrain.posts import Mention, Post, Receipt


def prospect() -> Partnership:
    return Partnership(
        id="ps-cave", partner_id="cave", history=[PipelineStep("prospect", date(2026, 1, 5))]
    )


def test_a_partnership_goes_through_the_pipeline_one_step_at_a_time() -> None:
    p = prospect()
    p = advance(p, "contacted", on=date(2026, 1, 10), note="met at the market")
    p = advance(p, PartnershipStatus.PROPOSED, on=date(2026, 1, 20))
    p = advance(p, "active", on=date(2026, 2, 1), note="drinks for the monthly apéro")
    p = advance(p, "ended", on=date(2026, 9, 1))
    assert [s.status.value for s in p.history] == [
        "prospect",
        "contacted",
        "proposed",
        "active",
        "ended",
    ]


def test_a_partnership_moved_from_prospect_to_ended_without_a_reason_is_refused() -> None:
    with pytest.raises(ValidationError, match="say why"):
        advance(prospect(), "ended", on=date(2026, 1, 6))
    ended = advance(prospect(), "ended", on=date(2026, 1, 6), note="closed for good")
    assert ended.status is PartnershipStatus.ENDED


def test_skipping_a_step_or_reopening_an_ended_partnership_is_refused() -> None:
    with pytest.raises(ValidationError, match="from 'prospect' it can go to contacted, ended"):
        advance(prospect(), "active", on=date(2026, 1, 6))
    ended = advance(prospect(), "ended", on=date(2026, 1, 6), note="no")
    with pytest.raises(ValidationError, match="open a new one"):
        advance(ended, "contacted", on=date(2026, 2, 1))
    with pytest.raises(ValidationError, match="before the last step"):
        advance(prospect(), "contacted", on=date(2025, 12, 1))
    with pytest.raises(ValidationError, match="not a stage"):
        advance(prospect(), "married", on=date(2026, 2, 1))


def monthly(n: int) -> Event:
    start = datetime(2026, 2 + n, 5, 18, tzinfo=UTC)
    return Event(
        id=f"apero-{n}", title=f"Apéro {n}", starts_at=start, ends_at=start + timedelta(hours=3)
    )


def test_a_shop_supplying_drinks_three_months_in_a_row_gets_a_report() -> None:
    cave = Partner(id="cave", name="La Cave du Coin", kind="local-shop", handles={"x": "cavecoin"})
    events = [monthly(n) for n in range(3)]
    contributions = [
        Contribution(f"c{n}", "cave", e.id, "drinks", Money(6000), e.starts_at.date())
        for n, e in enumerate(events)
    ] + [Contribution("other", "boulangerie", "apero-0", "food", Money(3000), date(2026, 2, 5))]
    thanks = Post(
        id="recap-1-x",
        platform="x",
        text="Merci !",
        mentions=[Mention("cavecoin", partner_id="cave")],
    )
    unpublished = Post(
        id="recap-2-x",
        platform="x",
        text="Merci",
        mentions=[Mention("cavecoin", partner_id="cave")],
    )
    receipt = Receipt("x", "recap-1-x", "123", datetime(2026, 2, 6, tzinfo=UTC))
    report = partner_report(
        cave,
        contributions=contributions,
        events=events,
        attendance={"apero-0": 22, "apero-1": 25, "apero-2": 31},
        posts=[thanks, unpublished],
        receipts=[receipt],
    )
    assert [e.event_id for e in report.events] == ["apero-0", "apero-1", "apero-2"]
    assert report.value == Money(18000)
    assert report.people_reached == 78
    assert report.months_in_a_row == 3
    assert report.posts == (receipt,)
    assert "3 months in a row" in report.summary()


def test_budget_of_an_apero_adds_partners_and_the_community_budget() -> None:
    contributions = [
        Contribution("c1", "cave", "ev", "drinks", Money(6000), date(2026, 3, 5)),
        Contribution(
            "c2", "boulangerie", "ev", ContributionKind.FOOD, Money(2500), date(2026, 3, 5)
        ),
        Contribution("c3", "agence", "ev", "venue", Money(50000), date(2026, 3, 5)),
        Contribution("c4", "cave", "other-ev", "drinks", Money(6000), date(2026, 4, 5)),
    ]
    budget = event_budget(
        "ev", people=30, per_person=Money(400), contributions=contributions, own_budget=Money(2000)
    )
    assert budget.needed == Money(12000)
    assert budget.from_partners == Money(8500)
    assert budget.shortfall == Money(1500)
    assert budget.surplus == Money(0)
    assert "short of 15.00 EUR" in budget.explain()


def test_mixing_currencies_is_refused() -> None:
    with pytest.raises(ValidationError, match="convert it to EUR"):
        total([Money(100), Money(100, "CHF")])


@given(
    people=st.integers(0, 200),
    per_person=st.integers(0, 2000),
    values=st.lists(st.integers(0, 100_000), max_size=8),
    own=st.integers(0, 50_000),
)
def test_budget_sums(people: int, per_person: int, values: list[int], own: int) -> None:
    contributions = [
        Contribution(f"c{i}", "p", "ev", "drinks", Money(v), date(2026, 1, 1))
        for i, v in enumerate(values)
    ]
    b = event_budget(
        "ev",
        people=people,
        per_person=Money(per_person),
        contributions=contributions,
        own_budget=Money(own),
    )
    assert b.from_partners.cents == sum(values)
    assert b.covered.cents == sum(values) + own
    assert b.needed.cents == people * per_person
    assert b.covered.cents + b.shortfall.cents - b.surplus.cents == b.needed.cents
    assert min(b.shortfall.cents, b.surplus.cents) == 0


def test_a_recap_that_names_the_partner_thanks_them_without_a_mention() -> None:
    """Every recap names its partners ("Merci à nos partenaires : La Cave du Coin."), but
    the report counted only @mentions: "0 published posts thanked them"."""
    cave = Partner(id="cave", name="La Cave du Coin", kind="local-shop")
    events = [monthly(0)]
    contributions = [Contribution("c0", "cave", "apero-0", "drinks", Money(6000), date(2026, 2, 5))]
    recap = Post(
        id="recap-0-x",
        platform="outbox",
        text="Apéro 0 : merci à toutes et à tous !\nMerci à nos partenaires : La Cave du Coin.",
    )
    other = Post(id="recap-9-x", platform="outbox", text="Merci à la Cave du Coinçon.")
    receipts = [
        Receipt("outbox", "recap-0-x", "a", datetime(2026, 2, 6, tzinfo=UTC)),
        Receipt("outbox", "recap-9-x", "b", datetime(2026, 2, 6, tzinfo=UTC)),
    ]
    report = partner_report(
        cave,
        contributions=contributions,
        events=events,
        attendance={"apero-0": 1},
        posts=[recap, other],
        receipts=receipts,
    )
    assert report.posts == (receipts[0],)
    assert report.summary() == (
        "La Cave du Coin supported 1 meetup (1 month in a row at best), about 60.00 EUR in "
        "kind, 1 person came, 1 published post thanked them."
    )


#: Letters of shop names in a French town (casefold() maps each of them one to one).
NAME_LETTERS = (
    "abcdefghijklmnopqrstuvwxyzàâçéèêëîïôûùüœ" + "ABCDEFGHIJKLMNOPQRSTUVWXYZÉÈÀÇ0123456789"
)


@given(
    name=st.text(alphabet=NAME_LETTERS + " '&-", min_size=2, max_size=20).filter(
        lambda n: n.strip() == n and n[0].isalnum() and n[-1].isalnum()
    ),
    before=st.sampled_from(["", "Merci à ", "merci ", "(", "« "]),
    after=st.sampled_from(["", " !", ".", ", et à vous", ")"]),
    upper=st.booleans(),
)
def test_a_post_naming_a_partner_in_any_case_thanks_them(
    name: str, before: str, after: str, upper: bool
) -> None:
    partner = Partner(id="p", name=name)
    shown = name.upper() if upper else name
    assert thanks(Post(id="p1", platform="x", text=f"{before}{shown}{after}"), partner)
    assert thanks(
        Post(id="p2", platform="x", text="Merci", thread=(f"{before}{shown}{after}",)), partner
    )
    assert not thanks(Post(id="p3", platform="x", text=f"{before}{shown}x{after}"), partner)


def test_the_budget_of_a_room_with_a_fee_adds_the_fee() -> None:
    """The budget ignored the venue: its fee and who pays the drinks."""
    petit = Venue(
        id="petit",
        name="Le Petit",
        kind="bar",
        capacity=18,
        cost_model="rental-fee",
        fee=Money(8000),
    )
    b = event_budget(
        "ev",
        people=18,
        per_person=Money(300),
        contributions=[],
        own_budget=Money(0),
        venue=petit,
        people_from="check-ins",
    )
    assert b.venue_fee == Money(8000)
    assert b.needed == Money(18 * 300 + 8000)
    assert b.explain().startswith(
        "18 people came × 3.00 EUR = 54.00 EUR, plus the room 80.00 EUR: 134.00 EUR "
        "(Le Petit charges 80.00 EUR for the room)"
    )
    zinc = Venue(id="zinc", name="Le Zinc", kind="bar", cost_model="each-pays-own")
    b = event_budget(
        "ev", people=30, per_person=Money(0), contributions=[], own_budget=Money(0), venue=zinc
    )
    assert b.needed == Money(0)
    assert "everyone pays their own drinks at Le Zinc" in b.explain()


@given(
    people=st.integers(0, 200),
    per_person=st.integers(0, 2000),
    fee=st.integers(0, 100_000),
    model=st.sampled_from(list(CostModel)),
)
def test_a_venue_fee_counts_only_where_the_venue_charges_one(
    people: int, per_person: int, fee: int, model: CostModel
) -> None:
    venue = Venue(id="v", name="V", kind="other", cost_model=model, fee=Money(fee))
    b = event_budget(
        "ev",
        people=people,
        per_person=Money(per_person),
        contributions=[],
        own_budget=Money(0),
        venue=venue,
    )
    charged = fee if model is CostModel.RENTAL_FEE else 0
    assert b.needed.cents == people * per_person + charged
