"""The fast decision path gives the decisions the previous one gave, exactly.

``tests/consent/oracle.py`` is the decision path as it was before issue 17's
sixth pass made it faster (facts of each record worked out once, instants
converted once per decision, states and reasons built without ``attrs``
checking them again). For random ledgers (grants, refusals, withdrawals, some
scoped to an event, a project or a content, renewals, a member who turns out
to be a minor), every question and every decision must come out equal: the
same :class:`~terrain.consent.ConsentState` (validity, reason text, record,
status, records relied on) and the same :class:`~terrain.consent.Decision`
(every reason, mentions kept and dropped, people blurred).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain import Content
from terrain.consent import ConsentLedger, Purpose, decide
from terrain.consent._state import Target

from . import oracle
from .test_decide_shared import _post, albums, scoped_withdrawals
from .test_properties import (
    EVIDENCE,
    MEMBERS,
    PEOPLE,
    PLATFORMS,
    contents,
    hours,
    operations,
    run,
)

PURPOSES = list(Purpose)
TARGETS = st.sampled_from([
    Target(),
    Target(event_ids=frozenset({"e1"})),
    Target(content_ids=frozenset({"c1"}), event_ids=frozenset({"e2"})),
    Target(content_ids=frozenset({"c1", "c2"}), event_ids=frozenset({"e1", "e2"}),
           project_ids=frozenset({"pr1"})),
])
#: the same instants in another zone: the rules compare instants, not wall times
ZONED = hours.map(lambda at: at.astimezone(ZoneInfo("America/Santiago"))) | hours


@st.composite
def ledgers(draw: st.DrawFn) -> ConsentLedger:
    """A ledger after a random mix of calls (some invalid, refused and not applied)."""
    subjects = st.sampled_from(PEOPLE[:4])
    ops = draw(st.lists(st.one_of(operations(subjects), scoped_withdrawals(subjects)),
                        max_size=12))
    book = ConsentLedger(MEMBERS, guardians=draw(st.sampled_from(["all", "any"])))
    run(book, ops)
    return book


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(book=ledgers(), at=ZONED, target=TARGETS, platform=st.sampled_from([*PLATFORMS, "X "]))
def test_every_answer_of_the_ledger_is_the_answer_it_gave_before(
    book: ConsentLedger, at: datetime, target: Target, platform: str
) -> None:
    for person in PEOPLE:
        for purpose in PURPOSES:
            expected = oracle._state(book, person, purpose, platform, at, target)
            assert book.state_for(person, purpose, platform, at=at, target=target) == expected


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(book=ledgers(), content=contents(), at=ZONED, platform=st.sampled_from(PLATFORMS),
       purpose=st.sampled_from([Purpose.PUBLISH, Purpose.PUBLISH, Purpose.ARCHIVE]))
def test_every_decision_on_a_content_is_the_decision_made_before(
    book: ConsentLedger, content: Content, at: datetime, platform: str, purpose: Purpose
) -> None:
    expected = oracle._decide(book, content, platform=platform, purpose=purpose, at=at,
                              contents=None, blur=False, share=True)
    assert decide(book, content, platform=platform, purpose=purpose, at=at) == expected


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    world=albums(),
    at=ZONED,
    platform=st.sampled_from(PLATFORMS),
    tagged=st.lists(st.sampled_from(["a", "b", "k"]), max_size=2, unique=True),
    blur=st.booleans(),
)
def test_every_decision_on_a_post_is_the_decision_made_before(
    world: tuple[list[tuple[object, ...]], list[Content]], at: datetime, platform: str,
    tagged: list[str], blur: bool,
) -> None:
    ops, drawn = world
    book = ConsentLedger(MEMBERS)
    run(book, ops)
    post = _post(drawn, platform, tagged)
    known = {c.id: c for c in drawn}
    expected = oracle._decide(book, post, platform=platform, purpose=Purpose.PUBLISH, at=at,
                              contents=known, blur=blur, share=True)
    assert decide(book, post, platform=platform, at=at, contents=known, blur=blur) == expected


def test_a_decision_a_year_later_quotes_the_renewed_end_as_it_did_before() -> None:
    book = ConsentLedger(MEMBERS)
    start = datetime(2026, 3, 12, 18, 0, tzinfo=ZoneInfo("Europe/Paris"))
    record = book.grant("a", purposes=["publish"], at=start, evidence=EVIDENCE,
                        valid_until=start + timedelta(days=30))
    book.renew(record.id, at=start + timedelta(days=20), valid_until=start + timedelta(days=400))
    for days in (10, 25, 200, 401):
        at = start + timedelta(days=days)
        for target in (Target(), Target(event_ids=frozenset({"e1"}))):
            assert book.state_for("a", Purpose.PUBLISH, "x", at=at, target=target) == (
                oracle._state(book, "a", Purpose.PUBLISH, "x", at, target)
            )

