"""A person's consent timeline says what ``record_states`` says, at every instant.

``terrain consent list`` reads where records stand from stored timelines
(:func:`terrain.consent.timeline`) instead of replaying the log; the replay
(:meth:`ConsentLedger.record_states`) is the reference. For random histories
(grants, scheduled and expiring ones, refusals and their lifting, partial and
total withdrawals, renewals, a minor with a guardian and their assent, a member
found to be a minor) and random instants, between events and exactly on them,
both give the same records, statuses and details.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain import Member
from terrain.consent import ConsentLedger, Evidence, RecordStatus, Scope, describe, timeline
from terrain.consent._timeline import turning_points

from .test_properties import MEMBERS, T0, operations, run

PARIS = ZoneInfo("Europe/Paris")
FORM = Evidence(kind="verbal", witness="Camille")
MICRO = timedelta(microseconds=1)


def _states(book: ConsentLedger, subject: str, at: datetime) -> list[tuple[str, str, str]]:
    return [(s.consent.id, s.status.value, s.detail) for s in book.record_states(subject, at=at)]


def _spans_at(book: ConsentLedger, subject: str, at: datetime) -> list[tuple[str, str, str]]:
    return [(s.consent_id, s.status.value, s.detail) for s in timeline(book, subject)
            if s.holds_at(at)]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ops=st.lists(operations(), max_size=14),
    rule=st.sampled_from(["all", "any"]),
    minutes=st.lists(st.integers(-90, 22 * 60), max_size=6),
    paris=st.booleans(),
)
def test_a_timeline_says_what_the_replay_says_at_every_instant(
    ops: list[tuple[object, ...]], rule: str, minutes: list[int], paris: bool
) -> None:
    book = ConsentLedger(MEMBERS, guardians=rule)  # type: ignore[arg-type]
    run(book, ops)
    for subject in book.members:
        points = turning_points(book, subject)
        instants = [T0 + timedelta(minutes=m) for m in minutes]
        instants += points + [p - MICRO for p in points] + [p + MICRO for p in points]
        for at in instants:
            at = at.astimezone(PARIS) if paris else at
            assert _spans_at(book, subject, at) == _states(book, subject, at), at


@settings(max_examples=100, deadline=None)
@given(ops=st.lists(operations(), max_size=14))
def test_a_records_spans_follow_each_other_without_repeating_a_status(
    ops: list[tuple[object, ...]],
) -> None:
    book = ConsentLedger(MEMBERS)
    run(book, ops)
    for subject in book.members:
        by_record: dict[str, list[tuple[datetime, datetime | None, str, str]]] = {}
        for span in timeline(book, subject):
            by_record.setdefault(span.consent_id, []).append(
                (span.since, span.until, span.status.value, span.detail)
            )
        for spans in by_record.values():
            for before, after in itertools.pairwise(spans):
                (_, until, status, detail), (since, _, then, then_detail) = before, after
                assert until == since  # no gap, no overlap
                assert (status, detail) != (then, then_detail)  # merged when unchanged
            assert spans[-1][1] is None  # the last one holds from then on


def test_a_record_has_no_span_before_it_was_expressed_and_one_per_change() -> None:
    book = ConsentLedger([Member(id="lea", display_name="Léa")])
    at = datetime(2026, 3, 1, 10, tzinfo=UTC)
    record = book.grant("lea", purposes=["publish", "tag"], at=at, evidence=FORM,
                        valid_from=at + timedelta(days=2), valid_until=at + timedelta(days=30))
    book.withdraw("lea", at=at + timedelta(days=5), purposes=["tag"])
    spans = timeline(book, "lea")
    assert [(s.since, s.until, s.status) for s in spans] == [
        (at, at + timedelta(days=2), RecordStatus.SCHEDULED),
        (at + timedelta(days=2), at + timedelta(days=5), RecordStatus.GIVEN),
        (at + timedelta(days=5), at + timedelta(days=30), RecordStatus.PARTLY_WITHDRAWN),
        (at + timedelta(days=30), None, RecordStatus.EXPIRED),
    ]
    assert spans[2].detail == (
        "tag on every platform, for all content withdrawn on 2026-03-06; until 2026-03-31"
    )
    assert not any(s.holds_at(at - MICRO) for s in spans)
    assert describe(book.get(record.id)) == (
        "publish, tag on every platform, for all content until 2026-03-31"
    )


def test_someone_who_is_not_a_member_has_no_timeline() -> None:
    assert timeline(ConsentLedger(), "nobody") == ()


def test_a_refusal_lifted_later_changes_status_when_the_new_grant_is_expressed() -> None:
    book = ConsentLedger([Member(id="lea", display_name="Léa")])
    at = datetime(2026, 3, 1, 10, tzinfo=UTC)
    refusal = book.refuse("lea", purposes=["publish"], at=at, evidence=FORM,
                          scope=Scope(kind="event", ref="ev-1"))
    book.grant("lea", purposes=["publish"], at=at + timedelta(hours=3), evidence=FORM)
    mine = [s for s in timeline(book, "lea") if s.consent_id == refusal.id]
    assert [(s.status, s.until) for s in mine] == [
        (RecordStatus.REFUSED, at + timedelta(hours=3)), (RecordStatus.LIFTED, None),
    ]
