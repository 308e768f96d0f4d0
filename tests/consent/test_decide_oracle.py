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

import contextlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain import Appearance, Content
from terrain.consent import (
    ConsentLedger,
    ConsentWithdrawn,
    Purpose,
    Scope,
    decide,
    event_to_json,
)
from terrain.consent._state import Target
from terrain.errors import TerrainError
from terrain.store._workspace import _stored

from . import oracle
from .test_decide_shared import _post, albums, scoped_withdrawals
from .test_properties import (
    EVIDENCE,
    MEMBERS,
    PEOPLE,
    PLATFORMS,
    T0,
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



# -- big ledgers: many records per person and scope, read from the latest backwards --

BIG_PEOPLE = st.sampled_from(["a", "a", "a", "b", "k"])
BIG_SCOPES = st.sampled_from([None, "e1", "e1", "e1", "e2"])


@st.composite
def big_logs(draw: st.DrawFn) -> list[tuple[object, ...]]:
    """Many calls about few people in the same scopes: grants and refusals expressed
    in any order (forms keyed in late), renewals and withdrawals in between."""
    ops: list[tuple[object, ...]] = []
    for _ in range(draw(st.integers(20, 60))):
        kind = draw(st.sampled_from(["grant"] * 6 + ["refuse", "refuse", "renew"]))
        person = draw(BIG_PEOPLE)
        at = draw(hours)
        ref = draw(BIG_SCOPES)
        scope = None if ref is None else Scope(kind="event", ref=ref)
        if kind in ("grant", "refuse"):
            start = at + timedelta(hours=draw(st.sampled_from([0, 0, 0, 2])))
            length = draw(st.sampled_from([None, None, 1, 4]))
            ops.append((kind, person, {
                "purposes": [Purpose.PUBLISH], "at": at, "evidence": EVIDENCE, "scope": scope,
                "platforms": draw(st.sampled_from([None, None, "x", "instagram"])),
                "valid_from": start,
                "valid_until": None if length is None else start + timedelta(hours=length),
                "given_by": ["g"] if person == "k" else None,
                "subject_assent": True if person == "k" else None,
            }))
        elif kind == "renew":
            ops.append(("renew", f"c-{draw(st.integers(1, 40))}", {
                "at": at, "valid_until": at + timedelta(hours=draw(st.integers(1, 8))),
            }))
    # a withdrawal or two, somewhere in the log (most people have none: the plain path)
    for person, at, ref, platform in draw(st.lists(
        st.tuples(BIG_PEOPLE, hours, BIG_SCOPES, st.sampled_from([None, "x"])), max_size=2
    )):
        scope = None if ref is None else Scope(kind="event", ref=ref)
        ops.insert(draw(st.integers(0, len(ops))),
                   ("withdraw", person, {"at": at, "scope": scope, "platforms": platform}))
    return ops


def _as_stored(built: ConsentLedger) -> ConsentLedger:
    """The log of ``built`` given to a new ledger as stored events, decoded when a
    question needs them."""
    book = ConsentLedger(MEMBERS)
    book.extend_stored([_stored(event_to_json(e)) for e in built.events()])
    return book


def _decides_as_before(
    built: ConsentLedger, book: ConsentLedger, people: tuple[str, ...],
    links: tuple[tuple[str, str | None], ...], at: datetime, platform: str,
) -> None:
    """``book`` decides on a photo of ``people`` (one per content id and event of
    ``links``) as the oracle decides on ``built``."""
    for content_id, event_id in links:
        content = Content(id=content_id, kind="photo", created_at=at, event_id=event_id,
                          appearances=[Appearance(member_id=p, reviewed=True) for p in people])
        expected = oracle._decide(built, content, platform=platform, purpose=Purpose.PUBLISH,
                                  at=at, contents=None, blur=False, share=True)
        assert decide(book, content, platform=platform, at=at) == expected


BIG_TARGETS = st.sampled_from([
    Target(),
    Target(event_ids=frozenset({"e1"})),
    Target(event_ids=frozenset({"e1", "e2"}), content_ids=frozenset({"c1"})),
])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=big_logs(), at=ZONED, target=BIG_TARGETS, platform=st.sampled_from(PLATFORMS),
       lazy=st.booleans())
def test_a_big_ledger_answers_as_before_whatever_the_order_records_were_expressed_in(
    ops: list[tuple[object, ...]], at: datetime, target: Target, platform: str, lazy: bool
) -> None:
    """Dozens of records per person in the same scopes, expressed out of order, with
    refusals, renewals and withdrawals between them: reading each scope from the
    latest record backwards and stopping early gives the answers of the full scan.
    ``lazy``: the same log given as stored events, decoded when a question needs them."""
    built = ConsentLedger(MEMBERS)
    run(built, ops)
    book = _as_stored(built) if lazy else built
    for person in ("a", "b", "k"):
        expected = oracle._state(built, person, Purpose.PUBLISH, platform, at, target)
        assert book.state_for(person, Purpose.PUBLISH, platform, at=at, target=target) == (
            expected
        )
    _decides_as_before(built, book, ("a", "b", "k"), (("c1", "e1"), ("c2", "e2"), ("c3", None)),
                       at, platform)


def test_a_refusal_expressed_after_the_latest_grant_blocks_it_and_a_later_expired_grant_says_why(
) -> None:
    """The plain path now answers an adult's refusals itself: the same words as before."""
    book = ConsentLedger(MEMBERS)
    t0 = datetime(2026, 3, 12, 18, 0, tzinfo=ZoneInfo("Europe/Paris"))
    in_e1 = Target(event_ids=frozenset({"e1"}))
    e1 = Scope(kind="event", ref="e1")
    for hour in range(10):  # many grants in e1, all holding
        book.grant("a", purposes=["publish"], at=t0 + timedelta(hours=hour), evidence=EVIDENCE,
                   scope=e1)
    book.refuse("a", purposes=["publish"], at=t0 + timedelta(hours=9), evidence=EVIDENCE)
    at = t0 + timedelta(hours=20)
    state = book.state_for("a", Purpose.PUBLISH, "x", at=at, target=in_e1)
    assert not state.valid
    assert state.reason.startswith("refused on 2026-03-13")
    assert state == oracle._state(book, "a", Purpose.PUBLISH, "x", at, in_e1)
    book.grant("a", purposes=["publish"], at=t0 + timedelta(hours=12), evidence=EVIDENCE,
               scope=e1, valid_until=t0 + timedelta(hours=13))
    state = book.state_for("a", Purpose.PUBLISH, "x", at=at, target=in_e1)
    assert not state.valid
    assert state.reason.startswith("consent expired on")
    assert state == oracle._state(book, "a", Purpose.PUBLISH, "x", at, in_e1)


# -- an adult's withdrawals: answered by the plain path, read from the latest backwards --

WITHDRAWN_SCOPES = st.sampled_from([None, None, "e1", "e2", "c1", "pr1"])
VERBS_WITHDRAWN = st.sampled_from(
    ["grant"] * 5 + ["refuse"] * 2 + ["withdraw"] * 3 + ["withdraw-one"] * 2 + ["renew"]
)
#: forms dated every other hour: many records share an instant (ties decided by id)
EVEN_HOURS = st.integers(0, 6).map(lambda h: T0 + timedelta(hours=2 * h))
#: late questions, after most withdrawals, as well as any hour
LATE_OR_ANY = st.integers(10, 12).map(lambda h: T0 + timedelta(hours=h)) | ZONED


def _scope(ref: str | None) -> Scope | None:
    if ref is None:
        return None
    kind = {"e": "event", "c": "content", "p": "project"}[ref[0]]
    return Scope(kind=kind, ref=ref)


@st.composite
def withdrawn_logs(draw: st.DrawFn) -> list[tuple[object, ...]]:
    """Dozens of grants and refusals of two adults in a few scopes, expressed in any
    order, with withdrawals between them: of everything, of a purpose, a platform or
    a scope, and of one record; some renewals (which the plain path leaves alone)."""
    ops: list[tuple[object, ...]] = []
    for _ in range(draw(st.integers(15, 50))):
        kind = draw(VERBS_WITHDRAWN)
        person = draw(st.sampled_from(["a", "a", "b"]))
        at = draw(EVEN_HOURS if kind in ("grant", "refuse") else hours)
        if kind in ("grant", "refuse"):
            start = at + timedelta(hours=draw(st.sampled_from([0, 0, 0, 2])))
            length = draw(st.sampled_from([None, None, 1, 4]))
            ops.append((kind, person, {
                "purposes": draw(st.sampled_from([[Purpose.PUBLISH], [Purpose.PUBLISH],
                                                  [Purpose.PUBLISH, Purpose.TAG]])),
                "at": at, "evidence": EVIDENCE, "scope": _scope(draw(WITHDRAWN_SCOPES)),
                "platforms": draw(st.sampled_from([None, None, "x", "instagram"])),
                "valid_from": start,
                "valid_until": None if length is None else start + timedelta(hours=length),
            }))
        elif kind == "withdraw":
            ops.append(("withdraw", person, {
                "at": at, "scope": _scope(draw(WITHDRAWN_SCOPES)),
                "platforms": draw(st.sampled_from([None, None, "x", "instagram"])),
                "purposes": draw(st.sampled_from([None, None, Purpose.PUBLISH, Purpose.TAG])),
            }))
        elif kind == "withdraw-one":
            ops.append(("withdraw-one", person, {"at": at, "number": draw(st.integers(1, 12))}))
        else:
            ops.append(("renew", f"c-{draw(st.integers(1, 50))}", {
                "at": at, "valid_until": at + timedelta(hours=draw(st.integers(1, 8))),
            }))
    return ops


def _run_withdrawn(book: ConsentLedger, ops: list[tuple[object, ...]]) -> None:
    """:func:`run`, and withdrawals that name one record (the ``number``-th of the
    person's records, when they have that many)."""
    for verb, who, kwargs in ops:
        assert isinstance(who, str)
        assert isinstance(kwargs, dict)
        if verb != "withdraw-one":
            run(book, [(verb, who, kwargs)])
            continue
        theirs = book.for_subject(who)
        if len(theirs) >= kwargs["number"]:
            named = theirs[kwargs["number"] - 1]
            with contextlib.suppress(TerrainError):  # refused when it does not fit the ledger
                book.apply(ConsentWithdrawn(subject_id=who, at=kwargs["at"], consent_id=named.id))


WITHDRAWN_TARGETS = st.sampled_from([
    Target(),
    Target(event_ids=frozenset({"e1"})),
    Target(event_ids=frozenset({"e2"}), content_ids=frozenset({"c1"})),
    Target(event_ids=frozenset({"e1"}), content_ids=frozenset({"c2"}),
           project_ids=frozenset({"pr1"})),
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=withdrawn_logs(), at=LATE_OR_ANY, target=WITHDRAWN_TARGETS,
       platform=st.sampled_from(PLATFORMS), lazy=st.booleans())
def test_an_adult_with_withdrawals_gets_the_answers_of_the_full_judgement(
    ops: list[tuple[object, ...]], at: datetime, target: Target, platform: str, lazy: bool
) -> None:
    """Withdrawals of everything, of a purpose, platform or scope, or of one record,
    among dozens of records expressed out of order: the plain path, which stops at the
    first grant a withdrawal ended, says what the full judgement said — the same
    record, "withdrawn on" the same day, or the refusal, expiry or grant after it."""
    built = ConsentLedger(MEMBERS)
    _run_withdrawn(built, ops)
    book = _as_stored(built) if lazy else built
    for person in ("a", "b"):
        for purpose in (Purpose.PUBLISH, Purpose.TAG):
            expected = oracle._state(built, person, purpose, platform, at, target)
            assert book.state_for(person, purpose, platform, at=at, target=target) == expected
    _decides_as_before(built, book, ("a", "b"), (("c1", "e2"), ("c2", "e1"), ("c3", None)),
                       at, platform)


def test_a_refusal_said_with_a_withdrawn_grant_still_blocks_it() -> None:
    """A refusal and a grant expressed at the same instant (the refusal keyed first),
    then a withdrawal: the refusal wins over the grant, as it did before the plain
    path answered withdrawals, and the withdrawal's date is not quoted."""
    book = ConsentLedger(MEMBERS)
    t0 = datetime(2026, 3, 12, 18, 0, tzinfo=ZoneInfo("Europe/Paris"))
    e1 = Scope(kind="event", ref="e1")
    in_e1 = Target(event_ids=frozenset({"e1"}))
    book.grant("a", purposes=["publish"], at=t0 - timedelta(days=3), evidence=EVIDENCE, scope=e1)
    book.refuse("a", purposes=["publish"], at=t0, evidence=EVIDENCE, scope=e1)
    book.grant("a", purposes=["publish"], at=t0, evidence=EVIDENCE, scope=e1)
    book.withdraw("a", at=t0 + timedelta(days=1), platforms="x")
    at = t0 + timedelta(days=2)
    state = book.state_for("a", Purpose.PUBLISH, "x", at=at, target=in_e1)
    assert not state.valid
    assert state.reason == f"refused on 2026-03-12 (record {state.consent_id})"
    assert state == oracle._state(book, "a", Purpose.PUBLISH, "x", at, in_e1)
    # on another platform the withdrawal does not apply: the refusal blocks there too
    assert book.state_for("a", Purpose.PUBLISH, "instagram", at=at, target=in_e1) == (
        oracle._state(book, "a", Purpose.PUBLISH, "instagram", at, in_e1)
    )
    # a grant after the refusal, withdrawn since: "withdrawn" says why it does not hold
    book.grant("a", purposes=["publish"], at=t0 + timedelta(hours=2), evidence=EVIDENCE,
               scope=e1)
    state = book.state_for("a", Purpose.PUBLISH, "x", at=at, target=in_e1)
    assert state.reason == f"consent withdrawn on 2026-03-13 (record {state.consent_id})"
    assert state == oracle._state(book, "a", Purpose.PUBLISH, "x", at, in_e1)
