"""The consent benchmark's floor applies the ledger's rules: it is a fair comparison.

``benchmarks/bench_consent.py`` times :func:`~terrain.consent.decide` against
the obvious first implementation (each person's records in a dict, scanned
with the same rules). A floor that skipped a rule (a minor's assent, a
renewal, a withdrawal of one record, the author's consent, unreviewed people)
would do less work than terrain and make the comparison meaningless: for random
ledgers and contents, it must allow exactly what ``decide`` allows, and judge
each person as the ledger does.
"""

from __future__ import annotations

import contextlib
from datetime import datetime

from benchmarks.bench_consent import _by_person, _naive_allowed, _naive_valid
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain import Content
from terrain.consent import ConsentLedger, ConsentWithdrawn, Purpose, decide
from terrain.errors import TerrainError

from .test_properties import LATE_HOURS, MEMBERS, PLATFORMS, run, worlds


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=worlds(), at=LATE_HOURS, platform=st.sampled_from(PLATFORMS),
       withdraw_one=st.booleans())
def test_the_benchmark_floor_allows_exactly_what_decide_allows(
    world: tuple[list[tuple[object, ...]], Content], at: datetime, platform: str,
    withdraw_one: bool,
) -> None:
    ops, content = world
    book = ConsentLedger(MEMBERS)
    run(book, ops)
    if withdraw_one and book.for_subject("a"):  # a withdrawal that names one record
        first = book.for_subject("a")[0]
        with contextlib.suppress(TerrainError):  # refused when it does not fit the ledger
            book.apply(ConsentWithdrawn(subject_id="a", at=first.history[0].at,
                                        consent_id=first.id))
    records, withdrawals, renewals = _by_person(book)
    members = dict(book.members)

    assert _naive_allowed(content, records, withdrawals, renewals, members, platform, at) == (
        decide(book, content, platform=platform, at=at).allowed
    )
    for person in content.member_ids:
        assert _naive_valid(
            records.get(person, []), withdrawals.get(person, []), renewals, members, person,
            content, platform, Purpose.PUBLISH, at,
        ) == book.state(person, Purpose.PUBLISH, platform, at=at, content=content).valid
