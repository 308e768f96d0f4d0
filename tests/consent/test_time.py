"""Consent decisions are made on instants, whatever zone the times are written in.

The night clocks go back, 02:16 the second time comes 31 minutes after 02:45 the
first time; Python compares two times of one zone by their wall time, so a ledger
comparing them as they are would allow a post made after a withdrawal. Decisions
here are checked against the same ledger written entirely in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from terrain._time import later
from terrain.consent import ConsentLedger, Purpose, Target, decide
from terrain.errors import TerrainError, ValidationError
from terrain.testing.strategies import ZONES
from tests.consent.helpers import FORM, LEA, MEMBERS, PARIS, ledger, photo

FIRST_0245 = datetime(2026, 10, 25, 2, 45, tzinfo=PARIS)  # 00:45 UTC
SECOND_0216 = datetime(2026, 10, 25, 2, 16, fold=1, tzinfo=PARIS)  # 01:16 UTC, 31 min later
GIVEN = datetime(2026, 10, 24, 19, tzinfo=PARIS)


def test_a_post_31_minutes_after_a_withdrawal_in_the_repeated_hour_is_refused() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish"], at=GIVEN, evidence=FORM)
    book.withdraw("lea", at=FIRST_0245)
    decision = decide(book, photo("p-1", "lea"), platform="x", at=SECOND_0216)
    assert not decision.allowed
    assert "withdrawn" in decision.reasons[0].text


def test_a_post_31_minutes_after_an_expiry_in_the_repeated_hour_is_refused() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish"], at=GIVEN, evidence=FORM, valid_until=FIRST_0245)
    state = book.state("lea", "publish", "x", at=SECOND_0216)
    assert not state.valid
    assert "expired" in state.reason


def test_a_grant_recorded_in_the_second_hour_does_not_cover_the_first() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish"], at=SECOND_0216, evidence=FORM)
    assert not book.state("lea", "publish", "x", at=FIRST_0245).valid
    assert book.state("lea", "publish", "x", at=later(SECOND_0216, timedelta(minutes=1))).valid


NAIVE = datetime(2026, 3, 12, 21, 0)


@pytest.mark.parametrize("with_record", [False, True], ids=["no record", "a record"])
def test_a_naive_at_is_a_validation_error_for_every_question(with_record: bool) -> None:
    book = ledger()
    if with_record:
        book.grant("lea", purposes=["publish"], at=GIVEN, evidence=FORM)
    with pytest.raises(ValidationError, match="no time zone"):
        book.state("lea", "publish", "x", at=NAIVE)
    with pytest.raises(ValidationError, match="no time zone"):
        book.state_for("lea", Purpose.PUBLISH, "x", at=NAIVE, target=Target())
    with pytest.raises(ValidationError, match="no time zone"):
        decide(book, photo("p-1", "lea"), platform="x", at=NAIVE)


def test_recording_with_a_naive_time_is_a_validation_error_and_records_nothing() -> None:
    book = ledger()
    with pytest.raises(ValidationError, match="no time zone"):
        book.grant("lea", purposes=["publish"], at=NAIVE, evidence=FORM)
    with pytest.raises(ValidationError, match="valid_until"):
        book.grant("lea", purposes=["publish"], at=GIVEN, evidence=FORM, valid_until=NAIVE)
    assert book.events() == ()
    consent = book.grant("lea", purposes=["publish"], at=GIVEN, evidence=FORM)
    with pytest.raises(ValidationError, match="no time zone"):
        book.withdraw("lea", at=NAIVE)
    with pytest.raises(ValidationError, match="no time zone"):
        book.renew(consent.id, at=NAIVE, valid_until=GIVEN + timedelta(days=30))
    assert len(book.events()) == 1


# -- the property: the same ledger written in UTC decides the same ----------------------

#: Minutes after 2026-10-24 23:30 UTC: the night Paris and the rest of the EU put clocks
#: back (01:00 UTC), the repeated hour (00:00-02:00 UTC) and around it. Paris is drawn
#: most: two times of one zone are what Python compares by wall time.
ORIGIN = datetime(2026, 10, 24, 23, 30, tzinfo=UTC)
zones = st.sampled_from([PARIS, PARIS, PARIS, UTC, *(ZoneInfo(z) for z in ZONES)])


@st.composite
def instants(draw: st.DrawFn) -> datetime:
    moment = ORIGIN + timedelta(minutes=draw(st.integers(0, 180)))
    return moment.astimezone(draw(zones))  # the same instant, written in some zone


operations = st.lists(
    st.tuples(
        st.sampled_from(["grant", "refuse", "withdraw", "renew"]),
        st.sampled_from([m.id for m in MEMBERS if not m.is_minor]),
        instants(),
        st.none() | instants(),
    ),
    max_size=10,
)


def replay(ops: list[tuple[str, str, datetime, datetime | None]], utc: bool) -> ConsentLedger:
    book = ConsentLedger(MEMBERS)

    def when(value: datetime) -> datetime:
        return value.astimezone(UTC) if utc else value

    for verb, who, at, until in ops:
        try:
            if verb in ("grant", "refuse"):
                method = book.grant if verb == "grant" else book.refuse
                method(
                    who,
                    purposes=["publish"],
                    at=when(at),
                    evidence=FORM,
                    valid_until=None if until is None else when(until),
                )
            elif verb == "withdraw":
                book.withdraw(who, at=when(at))
            elif book.for_subject(who) and until is not None:
                book.renew(book.for_subject(who)[-1].id, at=when(at), valid_until=when(until))
        except TerrainError:
            pass  # refused the same way on both ledgers (checked by the event logs)
    return book


@settings(max_examples=300)
@given(ops=operations, questions=st.lists(instants(), min_size=1, max_size=6))
def test_decisions_agree_with_the_same_decisions_computed_in_utc(
    ops: list[tuple[str, str, datetime, datetime | None]], questions: list[datetime]
) -> None:
    zoned, in_utc = replay(ops, utc=False), replay(ops, utc=True)
    assert len(zoned.events()) == len(in_utc.events())
    for at in questions:
        for member in MEMBERS:
            a = zoned.state(member.id, "publish", "x", at=at)
            b = in_utc.state(member.id, "publish", "x", at=at.astimezone(UTC))
            assert (a.valid, a.consent_id, a.status) == (b.valid, b.consent_id, b.status)
        content = photo("p-1", LEA.id)
        assert (
            decide(zoned, content, platform="x", at=at).allowed
            == decide(in_utc, content, platform="x", at=at.astimezone(UTC)).allowed
        )
