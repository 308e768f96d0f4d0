"""The ledger: recording, withdrawing, renewing, replaying, and refusing bad input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings

from terrain import Member
from terrain.consent import (
    ConsentEvent,
    ConsentLedger,
    ConsentRecorded,
    ConsentStatus,
    ConsentWithdrawn,
    Purpose,
    Scope,
    event_from_json,
    event_to_json,
)
from terrain.errors import (
    Conflict,
    ConsentError,
    DeserializationError,
    NotFound,
    TerrainError,
    ValidationError,
)
from terrain.serialization import from_json, to_json
from terrain.testing.strategies import consent_events

from .helpers import CHECKBOX, EVENING, FORM, MEETUP, MEMBERS, ledger, photo

LATER = MEETUP + timedelta(days=30)


def test_grant_defaults_to_the_subject_all_platforms_all_content_from_now_on() -> None:
    book = ledger()
    consent = book.grant("lea", purposes="publish", at=MEETUP, evidence=FORM)

    assert consent.id == "c-1"
    assert consent.given_by == ("lea",)
    assert consent.platforms is None
    assert consent.scope == Scope()
    assert consent.valid_from == MEETUP
    assert consent.history[0].status is ConsentStatus.GIVEN
    assert book.get("c-1") == consent
    assert book.for_subject("lea") == (consent,)
    assert len(book) == 1


def test_state_answers_for_one_person_purpose_platform_and_instant() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish"], platforms="x", at=MEETUP, evidence=FORM)

    state = book.state("lea", "publish", "x", at=EVENING)
    before = book.state("lea", Purpose.PUBLISH, "x", at=MEETUP - timedelta(seconds=1))

    assert state.valid
    assert state.consent_id == "c-1"
    assert state.status is ConsentStatus.GIVEN
    assert not before.valid  # not expressed yet at that instant
    assert not book.state("lea", "tag", "x", at=EVENING).valid
    assert not book.state("ghost", "publish", "x", at=EVENING).valid


def test_state_without_content_counts_only_consents_for_all_content() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish"], scope=Scope(kind="content", ref="p-1"), at=MEETUP,
               evidence=FORM)

    assert not book.state("lea", "publish", "x", at=EVENING).valid
    assert book.state("lea", "publish", "x", at=EVENING, content=photo("p-1", "lea")).valid


def test_a_consent_starting_later_does_not_count_before_it_starts() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish"], at=MEETUP, valid_from=LATER, evidence=FORM)

    early = book.state("lea", "publish", "x", at=EVENING)

    assert not early.valid
    assert early.reason == "consent starts on 2026-04-11 (record c-1)"


def test_withdrawing_is_one_call_and_returns_what_it_withdrew() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish", "tag"], at=MEETUP, evidence=FORM)
    book.grant("lea", purposes=["archive"], at=MEETUP, evidence=CHECKBOX)

    withdrawn = book.withdraw("lea", at=LATER, note="asked by email")

    assert [c.id for c in withdrawn] == ["c-1", "c-2"]
    assert all(c.history[-1].status is ConsentStatus.WITHDRAWN for c in withdrawn)
    assert withdrawn[0].history[-1].note == "asked by email"
    assert not book.state("lea", "archive", "x", at=LATER).valid
    assert book.withdraw("lea", at=LATER) == ()  # nothing left to withdraw


def test_withdrawing_for_one_platform_or_purpose_keeps_the_other_records() -> None:
    book = ledger()
    book.grant("ana", purposes=["publish"], platforms=["instagram"], at=MEETUP, evidence=FORM)
    book.grant("ana", purposes=["publish"], platforms=["x"], at=MEETUP, evidence=FORM)
    book.grant("ana", purposes=["tag"], platforms=["x"], at=MEETUP, evidence=FORM)

    gone = book.withdraw("ana", at=LATER, platforms=["instagram"])
    tags = book.withdraw("ana", at=LATER, purposes=["tag"])

    assert [c.id for c in gone] == ["c-1"]
    assert [c.id for c in tags] == ["c-3"]
    assert book.state("ana", "publish", "x", at=LATER).valid


def test_withdrawing_for_one_event_ends_consent_for_that_event_only() -> None:
    book = ledger()
    book.grant("samir", purposes=["publish"], at=MEETUP, evidence=FORM)
    book.grant("samir", purposes=["publish"], scope=Scope(kind="event", ref="ev-03"),
               at=MEETUP, evidence=FORM)
    book.grant("samir", purposes=["publish"], scope=Scope(kind="event", ref="ev-04"),
               at=MEETUP, evidence=FORM)

    gone = book.withdraw("samir", at=LATER, scope=Scope(kind="event", ref="ev-03"))

    assert [c.id for c in gone] == ["c-1", "c-2"]  # c-1 only for event ev-03's content
    assert not book.state("samir", "publish", "x", at=LATER, content=photo("p-3", "samir")).valid
    other = photo("p-4", "samir", event_id="ev-05")
    assert book.state("samir", "publish", "x", at=LATER, content=other).valid  # c-1 still holds
    assert book.state("samir", "publish", "x", at=LATER).valid
    assert book.get("c-1").history[-1].status is ConsentStatus.GIVEN
    assert book.get("c-2").history[-1].status is ConsentStatus.WITHDRAWN
    assert book.get("c-3").history[-1].status is ConsentStatus.GIVEN


def test_renewing_extends_a_consent_that_has_not_expired() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish"], at=MEETUP, valid_until=LATER, evidence=FORM)
    next_year = LATER + timedelta(days=365)

    renewed = book.renew("c-1", at=LATER - timedelta(days=1), valid_until=next_year)

    assert renewed.valid_until == next_year
    assert renewed.history[-1].note.startswith("renewed until")
    assert book.state("lea", "publish", "x", at=LATER + timedelta(days=10)).valid


def test_a_withdrawn_consent_cannot_be_renewed() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish"], at=MEETUP, valid_until=LATER, evidence=FORM)
    book.withdraw("lea", at=EVENING)
    events = book.events()

    with pytest.raises(ConsentError, match="withdrawn on 2026-03-12"):
        book.renew("c-1", at=LATER + timedelta(days=1), valid_until=LATER + timedelta(days=400))
    assert book.events() == events


def test_renewing_an_expired_consent_brings_it_back_from_the_renewal_on() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish"], at=MEETUP, valid_until=LATER, evidence=FORM)
    renewed_at = LATER + timedelta(days=1)

    book.renew("c-1", at=renewed_at, valid_until=LATER + timedelta(days=400))

    gap = book.state("lea", "publish", "x", at=LATER + timedelta(hours=1))
    assert not gap.valid
    assert gap.reason == "consent expired on 2026-04-11 (record c-1)"
    assert book.state("lea", "publish", "x", at=renewed_at).valid


def _unchanged_after(book: ConsentLedger, call: Callable[[], object]) -> TerrainError:
    events, records = book.events(), book.for_subject("tom") + book.for_subject("lea")
    with pytest.raises(TerrainError) as info:
        call()
    assert book.events() == events
    assert book.for_subject("tom") + book.for_subject("lea") == records
    return info.value


def test_consent_for_an_unknown_member_is_refused_with_what_to_do() -> None:
    book = ledger()
    error = _unchanged_after(
        book, lambda: book.grant("zoe", purposes=["publish"], at=MEETUP, evidence=FORM)
    )
    assert isinstance(error, NotFound)
    assert "unknown member 'zoe'" in str(error)
    assert "add_member" in str(error)


def test_valid_until_before_valid_from_is_refused() -> None:
    book = ledger()
    error = _unchanged_after(
        book,
        lambda: book.grant("lea", purposes=["publish"], at=MEETUP, evidence=FORM,
                           valid_until=MEETUP - timedelta(days=1)),
    )
    assert isinstance(error, ConsentError)
    assert "is not after the start" in str(error)


def test_a_minors_consent_given_only_by_the_minor_is_refused() -> None:
    book = ledger()
    error = _unchanged_after(
        book, lambda: book.grant("tom", purposes=["publish"], at=MEETUP, evidence=FORM)
    )
    assert isinstance(error, ConsentError)
    assert "Tom Martin is a minor" in str(error)
    assert "--given-by" in str(error)  # the command-line option
    assert "--child-assent" in str(error)


def test_a_minor_may_refuse_on_their_own() -> None:
    book = ledger()
    book.grant("tom", purposes=["publish"], at=MEETUP, evidence=FORM, given_by="paul")
    book.refuse("tom", purposes=["publish"], at=EVENING, evidence=FORM)

    assert not book.state("tom", "publish", "x", at=EVENING).valid


def test_an_unknown_purpose_is_refused_with_the_valid_ones() -> None:
    book = ledger()
    error = _unchanged_after(
        book, lambda: book.grant("lea", purposes=["sell"], at=MEETUP, evidence=FORM)
    )
    assert isinstance(error, ConsentError)
    assert "unknown purpose 'sell': use one of 'publish', 'tag'" in str(error)
    with pytest.raises(ConsentError, match="unknown purpose"):
        book.state("lea", "sell", "x", at=MEETUP)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda b: b.grant("lea", purposes=["publish"], at=MEETUP, evidence=FORM,
                           given_by=["samir"]), ConsentError, "not samir"),
        (lambda b: b.grant("paul", purposes=["publish"], at=MEETUP, evidence=FORM,
                           given_by=["tom"]), ConsentError, "expressed by them"),
        (lambda b: b.grant("lea", purposes=[], at=MEETUP, evidence=FORM), ConsentError,
         "at least one purpose"),
        (lambda b: b.grant("lea", purposes=["publish"], platforms=[], at=MEETUP, evidence=FORM),
         ConsentError, "at least one platform"),
        (lambda b: b.grant("lea", purposes=["publish"], at=MEETUP, evidence="form"),
         ConsentError, "evidence must be"),
        (lambda b: b.grant("lea", purposes=["publish"], at=datetime(2026, 3, 12),
                           evidence=FORM), ValidationError, "no time zone"),
        (lambda b: b.grant("lea", purposes=["publish"], at=MEETUP, evidence=FORM,
                           consent_id="c-1"), Conflict, "consent id 'c-1' is taken"),
        (lambda b: b.renew("c-404", at=LATER, valid_until=LATER + timedelta(days=1)), NotFound,
         "no consent record 'c-404'"),
        (lambda b: b.renew("c-1", at=LATER, valid_until=LATER), ConsentError,
         "until a time after the renewal"),
        (lambda b: b.withdraw("lea", at=MEETUP - timedelta(days=1), purposes=["nope"]),
         ConsentError, "unknown purpose"),
        (lambda b: b.withdraw("zoe", at=LATER), NotFound, "unknown member"),
    ],
)
def test_bad_input_raises_a_clear_error_and_leaves_the_ledger_unchanged(
    call: Callable[[ConsentLedger], object], error: type[Exception], message: str
) -> None:
    book = ledger()
    book.grant("lea", purposes=["publish"], at=MEETUP, evidence=FORM)

    raised = _unchanged_after(book, lambda: call(book))

    assert isinstance(raised, error)
    assert message in str(raised)


def test_a_withdrawal_keyed_after_a_later_renewal_still_ends_the_consent() -> None:
    """A withdrawal counts from when it was expressed: a renewal expressed after it
    (even if keyed in first) does not bring the consent back."""
    book = ledger()
    book.grant("lea", purposes=["publish"], at=MEETUP, evidence=FORM, valid_until=LATER)
    book.renew("c-1", at=EVENING, valid_until=LATER + timedelta(days=30))

    book.withdraw("lea", at=MEETUP + timedelta(hours=1))

    assert not book.state("lea", "publish", "x", at=LATER).valid
    assert book.get("c-1").history[-1].status is ConsentStatus.WITHDRAWN


def test_apply_rejects_an_event_that_does_not_fit_the_ledger() -> None:
    book = ledger()
    book.refuse("ana", purposes=["publish"], at=MEETUP, evidence=FORM)

    with pytest.raises(ConsentError, match="is a refusal"):
        book.apply(ConsentWithdrawn(consent_id="c-1", subject_id="ana", at=EVENING))
    with pytest.raises(ConsentError, match="belongs to 'ana'"):
        book.apply(ConsentWithdrawn(consent_id="c-1", subject_id="lea", at=EVENING))
    assert len(book.events()) == 1


def test_a_recorded_event_carries_a_new_record_only() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish"], at=MEETUP, evidence=FORM)
    (withdrawn,) = book.withdraw("lea", at=EVENING)
    assert withdrawn.history[-1].status is ConsentStatus.WITHDRAWN

    with pytest.raises(ValidationError, match="exactly one status change"):
        ConsentRecorded(consent=withdrawn)


def test_the_event_log_round_trips_through_json_and_replays_to_the_same_ledger() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish", "tag"], at=MEETUP, evidence=FORM,
               platforms=["x", "instagram"], valid_until=LATER)
    book.grant("tom", purposes=["publish"], given_by=["paul", "tom"], subject_assent=True,
               scope=Scope(kind="event", ref="ev-03"), at=MEETUP, evidence=CHECKBOX)
    book.refuse("ana", purposes=["publish"], at=MEETUP, evidence=FORM)
    book.renew("c-1", at=EVENING, valid_until=LATER + timedelta(days=365))
    book.withdraw("tom", at=LATER)

    stored = [event_to_json(e) for e in book.events()]
    again = ConsentLedger.replay([event_from_json(s) for s in stored], members=MEMBERS)

    assert again.events() == book.events()
    for member in MEMBERS:
        assert again.for_subject(member.id) == book.for_subject(member.id)
    for event in book.events():
        assert from_json(to_json(event), type(event)) == event


def test_an_unknown_event_type_is_a_readable_error() -> None:
    must = "'type' must be 'recorded' or 'renewed' or 'withdrawn'"
    with pytest.raises(DeserializationError, match=must):
        event_from_json('{"type": "edited", "consent_id": "c-1"}')
    with pytest.raises(DeserializationError, match="not valid JSON"):
        event_from_json("{")


def test_add_member_makes_them_known_and_updates_what_the_ledger_knows() -> None:
    book = ConsentLedger()
    book.add_member(Member(id="lea", display_name="Léa"))
    book.add_member(Member(id="lea", display_name="Léa Martin"))

    assert book.member("lea").display_name == "Léa Martin"
    assert set(book.members) == {"lea"}
    with pytest.raises(ValidationError, match=r"expects a terrain\.Member"):
        book.add_member("lea")  # type: ignore[arg-type]


def test_a_history_still_loads_after_a_member_turns_out_to_be_a_minor() -> None:
    """Replay does not re-check who could sign then; decisions use the members as known now."""
    book = ledger()
    book.grant("samir", purposes=["publish"], at=MEETUP, evidence=FORM)
    corrected = Member(id="samir", display_name="Samir Haddad", is_minor=True,
                       guardian_ids=["paul"])
    members = [corrected if m.id == "samir" else m for m in MEMBERS]

    again = ConsentLedger.replay(book.events(), members=members)
    state = again.state("samir", "publish", "x", at=EVENING)

    assert again.for_subject("samir") == book.for_subject("samir")
    assert not state.valid
    assert state.reason == "guardian consent missing (record c-1 was not given by a guardian)"


def test_replay_still_refuses_a_broken_history() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish"], at=MEETUP, evidence=FORM)
    (recorded,) = book.events()

    with pytest.raises(Conflict, match="consent id 'c-1' is taken"):
        ConsentLedger.replay([recorded, recorded], members=MEMBERS)
    with pytest.raises(NotFound, match="no consent record 'c-9'"):
        ConsentLedger.replay(
            [ConsentWithdrawn(consent_id="c-9", subject_id="lea", at=EVENING)], members=MEMBERS
        )


# -- issue 15: rules whatever the keying order -------------------------------------------

FAMILY = (
    Member(id="sophie", display_name="Sophie Roux"),
    Member(id="marc", display_name="Marc Roux"),
    Member(id="jade", display_name="Jade Roux", is_minor=True, guardian_ids=["sophie", "marc"]),
)


def family(guardians: str = "all") -> ConsentLedger:
    return ConsentLedger([*MEMBERS, *FAMILY], guardians=guardians)  # type: ignore[arg-type]


def test_a_minor_needs_every_guardian_on_record_and_their_own_assent() -> None:
    book = family()
    book.grant("jade", purposes=["publish"], given_by=["sophie"], subject_assent=True,
               at=MEETUP, evidence=FORM)
    pending = book.state("jade", "publish", "x", at=EVENING)
    assert not pending.valid
    assert pending.reason == (
        "guardian consent missing: Marc Roux has not agreed (record c-1 was given by Sophie "
        "Roux; every guardian's agreement is needed)"
    )

    book.grant("jade", purposes=["publish"], given_by=["marc"], at=MEETUP + timedelta(hours=1),
               evidence=FORM)
    state = book.state("jade", "publish", "x", at=EVENING)

    assert state.valid
    assert state.relied_on == ("c-1", "c-2")
    assert state.reason == (
        "guardian consent given by Sophie Roux on 2026-03-12 (record c-1) and by Marc Roux on "
        "2026-03-12 (record c-2)"
    )


def test_a_childs_own_yes_is_their_assent_and_waits_for_every_guardian() -> None:
    """At the door the child says yes first (their assent, on their own); each guardian
    confirms later through their own link. The record is pending a guardian, naming who,
    until every guardian on record agreed."""
    from terrain.consent import RecordStatus

    book = family()
    assent = book.grant("jade", purposes=["publish"], given_by=["jade"], subject_assent=True,
                        at=MEETUP, evidence=FORM)
    (state,) = book.record_states("jade", at=EVENING)
    assert state.status is RecordStatus.PENDING_GUARDIAN
    assert state.waiting_for == ("sophie", "marc")
    assert not book.state("jade", "publish", "x", at=EVENING).valid

    book.grant("jade", purposes=["publish"], given_by=["sophie"], at=MEETUP + timedelta(hours=1),
               evidence=FORM)
    states = book.record_states("jade", at=EVENING)
    assert [s.waiting_for for s in states] == [("marc",), ("marc",)]
    assert not book.state("jade", "publish", "x", at=EVENING).valid

    book.grant("jade", purposes=["publish"], given_by=["marc"], at=MEETUP + timedelta(hours=2),
               evidence=FORM)
    assert [s.status for s in book.record_states("jade", at=EVENING)] == [RecordStatus.GIVEN] * 3
    state = book.state("jade", "publish", "x", at=EVENING)
    assert state.valid
    assert assent.id in state.relied_on  # the child's own yes is part of what it rests on


def test_a_record_that_ended_before_a_withdrawal_reads_expired_not_withdrawn() -> None:
    from terrain.consent import RecordStatus

    book = ledger()
    book.grant("lea", purposes=["publish"], at=MEETUP, valid_until=EVENING, evidence=FORM)
    book.grant("lea", purposes=["tag"], at=MEETUP, evidence=FORM)
    book.withdraw("lea", at=LATER)

    states = book.record_states("lea", at=LATER + timedelta(days=1))
    assert [(s.status, s.detail) for s in states] == [
        (RecordStatus.EXPIRED, "expired on 2026-03-12"),
        (RecordStatus.WITHDRAWN, "withdrawn on 2026-04-11"),
    ]


def test_a_childs_own_grant_without_their_assent_is_refused() -> None:
    book = family()
    error = _unchanged_after(book, lambda: book.grant(
        "jade", purposes=["publish"], given_by=["jade"], subject_assent=None, at=MEETUP,
        evidence=FORM))
    assert isinstance(error, ConsentError)
    assert "the child's yes alone (--child-assent yes, no --given-by)" in str(error)


def test_with_the_any_rule_one_guardian_and_the_child_are_enough() -> None:
    book = family("any")
    book.grant("jade", purposes=["publish"], given_by=["sophie"], subject_assent=True,
               at=MEETUP, evidence=FORM)
    assert book.state("jade", "publish", "x", at=EVENING).valid


def test_a_guardians_refusal_blocks_until_that_same_guardian_agrees() -> None:
    book = family("any")
    book.refuse("jade", purposes=["publish"], given_by=["marc"], at=MEETUP, evidence=FORM)
    book.grant("jade", purposes=["publish"], given_by=["sophie"], subject_assent=True,
               at=MEETUP + timedelta(hours=1), evidence=FORM)
    blocked = book.state("jade", "publish", "x", at=EVENING)
    assert not blocked.valid
    assert blocked.reason == "refused by Marc Roux on 2026-03-12 (record c-1)"

    book.grant("jade", purposes=["publish"], given_by=["marc"], at=MEETUP + timedelta(hours=2),
               evidence=FORM)
    assert book.state("jade", "publish", "x", at=EVENING).valid


def test_the_childs_no_blocks_until_the_child_agrees() -> None:
    book = family()
    book.refuse("jade", purposes=["publish"], at=MEETUP, evidence=FORM)  # her own no
    book.grant("jade", purposes=["publish"], given_by=["sophie", "marc"],
               at=MEETUP + timedelta(hours=1), evidence=FORM)
    assert not book.state("jade", "publish", "x", at=EVENING).valid
    book.grant("jade", purposes=["publish"], given_by=["sophie", "marc", "jade"],
               at=MEETUP + timedelta(hours=2), evidence=FORM)
    assert book.state("jade", "publish", "x", at=EVENING).valid


def test_the_childs_assent_is_needed_even_with_every_guardian() -> None:
    book = family()
    book.grant("jade", purposes=["publish"], given_by=["sophie", "marc"], at=MEETUP,
               evidence=FORM)
    state = book.state("jade", "publish", "x", at=EVENING)
    assert not state.valid
    assert state.reason.startswith("the child's own assent is not recorded (record c-1)")


def test_a_withdrawal_ends_consent_keyed_in_after_it_but_expressed_before() -> None:
    book = ledger()
    book.withdraw("lea", at=EVENING)
    book.grant("lea", purposes=["publish"], at=MEETUP, evidence=FORM)  # late paperwork

    assert not book.state("lea", "publish", "x", at=EVENING + timedelta(hours=1)).valid
    assert book.state("lea", "publish", "x", at=EVENING - timedelta(hours=1)).valid
    assert book.get("c-1").history[-1].status is ConsentStatus.WITHDRAWN


def test_a_withdrawal_ends_a_consent_whose_validity_starts_after_it() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish"], at=MEETUP, valid_from=LATER, evidence=FORM)
    (ended,) = book.withdraw("lea", at=EVENING)
    assert ended.id == "c-1"
    assert not book.state("lea", "publish", "x", at=LATER + timedelta(days=1)).valid


def test_only_consent_expressed_after_a_withdrawal_counts_again() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish"], at=MEETUP, evidence=FORM)
    book.withdraw("lea", at=EVENING)
    book.grant("lea", purposes=["publish"], at=EVENING, evidence=FORM)  # same instant: ended
    assert not book.state("lea", "publish", "x", at=LATER).valid
    book.grant("lea", purposes=["publish"], at=EVENING + timedelta(seconds=1), evidence=FORM)
    assert book.state("lea", "publish", "x", at=LATER).valid


def test_a_refusal_wins_over_a_grant_expressed_at_the_same_instant_whatever_the_order() -> None:
    for order in (("grant", "refuse"), ("refuse", "grant")):
        book = ledger()
        for verb in order:
            getattr(book, verb)("lea", purposes=["publish"], at=MEETUP, evidence=FORM)
        assert not book.state("lea", "publish", "x", at=EVENING).valid, order


def test_a_withdrawal_of_one_purpose_keeps_the_rest_of_the_record() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish", "tag"], at=MEETUP, evidence=FORM)

    (partly,) = book.withdraw("lea", at=EVENING, purposes=["tag"])

    assert partly.history[-1].status is ConsentStatus.GIVEN  # not the whole record
    assert book.state("lea", "publish", "x", at=LATER).valid
    assert not book.state("lea", "tag", "x", at=LATER).valid
    (state,) = book.record_states("lea", at=LATER)
    assert state.status.value == "partly withdrawn"
    assert state.detail == "tag on every platform, for all content withdrawn on 2026-03-12"


def test_platform_names_are_compared_without_case_and_checked_when_known() -> None:
    book = ConsentLedger(MEMBERS, platforms=["x", "instagram"])
    book.refuse("lea", purposes=["publish"], platforms=["Instagram"], at=MEETUP, evidence=FORM)
    assert book.get("c-1").platforms == frozenset({"instagram"})
    assert not book.state("lea", "publish", "INSTAGRAM", at=EVENING).valid

    error = _unchanged_after(book, lambda: book.grant(
        "lea", purposes=["publish"], platforms=["instagarm"], at=MEETUP, evidence=FORM))
    assert str(error).startswith("unknown platform 'instagarm': terrain knows instagram, x")


def test_an_expression_in_the_future_is_refused_unless_scheduled() -> None:
    book = ledger()
    tomorrow = MEETUP + timedelta(days=1)
    error = _unchanged_after(book, lambda: book.grant(
        "lea", purposes=["publish"], at=tomorrow, evidence=FORM, now=MEETUP))
    assert "is in the future" in str(error)
    assert "as a scheduled consent in the API" in str(error)
    assert book.grant("lea", purposes=["publish"], at=MEETUP + timedelta(minutes=4),
                      evidence=FORM, now=MEETUP)  # within the clock skew

    scheduled = book.grant("lea", purposes=["tag"], at=tomorrow, evidence=FORM, now=MEETUP,
                           scheduled=True)

    assert scheduled.history[0].at == MEETUP  # expressed now…
    assert scheduled.valid_from == tomorrow  # …in force from then
    assert scheduled.history[0].recorded_at == MEETUP
    states = {s.consent_id: s.status.value for s in book.record_states("lea", at=EVENING)}
    assert states["c-2"] == "scheduled"


def test_record_states_say_where_each_record_stands_at_an_instant() -> None:
    book = family()
    book.grant("lea", purposes=["publish"], at=MEETUP, valid_until=EVENING, evidence=FORM)
    book.refuse("samir", purposes=["publish"], at=MEETUP, evidence=FORM)
    book.grant("jade", purposes=["publish"], given_by=["sophie"], subject_assent=True,
               at=MEETUP, evidence=FORM)
    book.grant("ana", purposes=["publish"], at=MEETUP, evidence=FORM)
    book.withdraw("ana", at=EVENING)
    later = LATER

    def status(who: str, at: datetime) -> str:
        (state,) = book.record_states(who, at=at)
        return state.status.value

    assert status("lea", MEETUP) == "given"
    assert status("lea", later) == "expired"
    assert status("samir", later) == "refused"
    assert status("jade", later) == "pending guardian"
    assert status("ana", MEETUP) == "given"
    assert status("ana", later) == "withdrawn"
    assert book.record_states("lea", at=MEETUP - timedelta(seconds=1)) == ()


@settings(max_examples=200)
@given(event=consent_events())
def test_every_kind_of_consent_event_round_trips_through_its_stored_json(
    event: ConsentEvent,
) -> None:
    assert event_from_json(event_to_json(event)) == event
