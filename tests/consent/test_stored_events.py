"""A ledger given stored events decodes a scoped record only when a question needs it,
and answers exactly as a ledger that decoded every event at once.

The workspace hands its ledger each stored event with what it says of its scope
(:class:`~terrain.consent.StoredEvent`, made by the store's reader from the
event's JSON): a record scoped to one event, project or content waits undecoded
until a question reaches that person in that scope, or anything reads the
person's records or the whole log. Every question below is asked of both ledgers,
in the same order, with more events arriving between questions.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain.consent import (
    ConsentEvent,
    ConsentLedger,
    ConsentWithdrawn,
    Purpose,
    Target,
    decide,
    event_to_json,
    timeline,
)
from terrain.errors import TerrainError
from terrain.store._workspace import _stored

from .test_properties import (
    EVIDENCE,
    MEMBERS,
    PEOPLE,
    PLATFORMS,
    SCOPE,
    SCOPES,
    T0,
    contents,
    hours,
    operations,
    run,
)

WITHDRAWALS = st.tuples(
    st.sampled_from(PEOPLE[:4]), hours, SCOPE, st.none() | st.integers(1, 8), st.booleans()
)


@st.composite
def logs(draw: st.DrawFn) -> tuple[ConsentEvent, ...]:
    """The events of a random ledger: scoped and unscoped grants and refusals,
    renewals, withdrawals of a scope, of everything, or of one record."""
    book = ConsentLedger(MEMBERS)
    ops = draw(st.lists(operations(), min_size=1, max_size=14))
    # more records scoped to events, projects and contents: what waits undecoded
    ops += [
        ("grant", person, {"purposes": [Purpose.PUBLISH], "at": at, "evidence": EVIDENCE,
                           "scope": scope, "given_by": ["g"] if person == "k" else None})
        for person, at, scope in draw(st.lists(
            st.tuples(st.sampled_from(PEOPLE[:4]), hours, st.sampled_from(SCOPES[1:])),
            max_size=6,
        ))
    ]
    ops = draw(st.permutations(ops))
    run(book, ops)
    for person, at, scope, record, whole in draw(st.lists(WITHDRAWALS, max_size=3)):
        try:
            if record is not None:  # a withdrawal of one record (its id may not be theirs)
                book.apply(ConsentWithdrawn(subject_id=person, at=at, consent_id=f"c-{record}"))
            else:
                book.withdraw(person, at=at, scope=None if whole else scope)
        except TerrainError:
            pass
        run(book, draw(st.lists(operations(), max_size=3)))  # renewals after it, maybe
    return book.events()


QUESTIONS = st.one_of(
    st.tuples(st.just("state"), st.sampled_from(PEOPLE), st.sampled_from(list(Purpose)[:3]),
              st.sampled_from(PLATFORMS), hours, contents()),
    st.tuples(st.just("decide"), contents(), st.sampled_from(PLATFORMS), hours),
    st.tuples(st.just("bearing"), st.sampled_from(PEOPLE), contents(), contents()),
    st.tuples(st.just("record_states"), st.sampled_from(PEOPLE[:4]), hours),
    st.tuples(st.just("for_subject"), st.sampled_from(PEOPLE)),
    st.tuples(st.just("timeline"), st.sampled_from(PEOPLE[:4])),
    st.tuples(st.just("reached_by"), st.sampled_from(PEOPLE[:4]), hours, SCOPE),
    st.tuples(st.just("get"), st.integers(1, 24).map(lambda n: f"c-{n}")),
    st.tuples(st.just("len")),
    st.tuples(st.just("events")),
)


def _ask(book: ConsentLedger, question: tuple[Any, ...]) -> object:
    """What ``book`` answers to ``question`` (an error, by its type and message)."""
    verb, *args = question
    try:
        if verb == "state":
            person, purpose, platform, at, content = args
            return book.state(person, purpose, platform, at=at, content=content)
        if verb == "decide":
            content, platform, at = args
            return decide(book, content, platform=platform, at=at)
        if verb == "bearing":
            person, one, other = args
            return book._bearing(person, Purpose.PUBLISH, Target.of(one)) == book._bearing(
                person, Purpose.PUBLISH, Target.of(other)
            )
        if verb == "record_states":
            return book.record_states(args[0], at=args[1])
        if verb == "for_subject":
            return book.for_subject(args[0])
        if verb == "timeline":
            return timeline(book, args[0])
        if verb == "reached_by":
            person, at, scope = args
            return book.reached_by(person, at=at, scope=scope)
        if verb == "get":
            return book.get(args[0])
        if verb == "len":
            return len(book)
        return book.events()
    except TerrainError as exc:
        return (type(exc), str(exc))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    events=logs(),
    cut=st.integers(0, 40),
    before=st.lists(QUESTIONS, max_size=4),
    after=st.lists(QUESTIONS, min_size=1, max_size=6),
)
def test_a_ledger_of_stored_events_answers_as_one_that_decoded_them_all(
    events: tuple[ConsentEvent, ...],
    cut: int,
    before: list[tuple[Any, ...]],
    after: list[tuple[Any, ...]],
) -> None:
    eager = ConsentLedger(MEMBERS)
    lazy = ConsentLedger(MEMBERS)
    stored = [_stored(event_to_json(e)) for e in events]
    eager.extend(events[:cut])
    lazy.extend_stored(stored[:cut])
    for question in before:  # some records decoded, others still waiting
        assert _ask(lazy, question) == _ask(eager, question)
    eager.extend(events[cut:])
    lazy.extend_stored(stored[cut:])  # more events, some about what was decoded
    assert lazy.event_count() == len(events)
    for question in after:
        assert _ask(lazy, question) == _ask(eager, question)
    assert lazy.events() == eager.events() == events
    for person in PEOPLE[:4]:
        assert lazy.for_subject(person) == eager.for_subject(person)


def test_a_record_scoped_to_another_event_is_not_decoded_by_a_question_about_this_one() -> None:
    """The point of it: a decision about event e1 decodes e1's records, not e2's."""
    book = ConsentLedger(MEMBERS)
    evidence = EVIDENCE
    book.grant("a", purposes=["publish"], at=T0, evidence=evidence)
    book.grant("a", purposes=["publish"], at=T0, evidence=evidence,
               scope=SCOPES[1])  # event e1
    book.refuse("a", purposes=["publish"], at=T0 + timedelta(hours=1), evidence=evidence,
                scope=SCOPES[2])  # event e2
    decoded: list[str] = []

    def counting(text: str) -> Any:
        found = _stored(text)
        read = found.read

        def reading() -> ConsentEvent:
            event = read()
            decoded.append(event_to_json(event))
            return event

        return type(found)(read=reading, subject_id=found.subject_id,
                           consent_id=found.consent_id, scope=found.scope,
                           renews=found.renews, given_by=found.given_by)

    lazy = ConsentLedger(MEMBERS)
    lazy.extend_stored([counting(event_to_json(e)) for e in book.events()])
    assert decoded == [event_to_json(book.events()[0])]  # the unscoped grant only
    at = T0 + timedelta(hours=2)
    in_e1 = Target(event_ids=frozenset({"e1"}))
    assert lazy.state_for("a", Purpose.PUBLISH, "x", at=at, target=in_e1).valid
    assert len(decoded) == 2  # and e1's grant
    in_e2 = Target(event_ids=frozenset({"e2"}))
    assert not lazy.state_for("a", Purpose.PUBLISH, "x", at=at, target=in_e2).valid
    assert len(decoded) == 3
    assert lazy.events() == book.events()
