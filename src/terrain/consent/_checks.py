"""The checks an event must pass to enter a :class:`~terrain.consent.ConsentLedger`.

Who may sign for whom, ids, ownership, the order within one record, known
platform names, expression times in the future. Each check depends only on
the event and the records it names, so that the same events are accepted
whatever order they are keyed in (a renewal of a withdrawn record is the one
refusal that depends on other events: it could never count, whichever came
first, so saying so at once changes no decision).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from terrain._time import instant
from terrain.consent._events import (
    ConsentEvent,
    ConsentRecorded,
    ConsentRenewed,
    ConsentWithdrawn,
)
from terrain.consent._records import Consent, ConsentStatus
from terrain.consent._rules import expressed
from terrain.consent._state import CLOCK_SKEW, day, platforms_of
from terrain.errors import Conflict, ConsentError, ValidationError

if TYPE_CHECKING:
    from terrain.consent._ledger import ConsentLedger

__all__ = ["check_event", "future_error", "in_future", "owned"]


def check_event(ledger: ConsentLedger, event: ConsentEvent, *, replaying: bool) -> None:
    """Raise (a :class:`~terrain.errors.TerrainError`) when ``event`` does not fit
    ``ledger``; ``replaying``: a stored event, whose member rules are not checked again."""
    if isinstance(event, ConsentRecorded):
        _check_id(ledger, event.consent)
        if not replaying:
            _check_new(ledger, event.consent)
    elif isinstance(event, ConsentWithdrawn):
        if event.consent_id is not None:
            record = owned(ledger, event.consent_id, event.subject_id)
            if record.history[0].status is ConsentStatus.REFUSED:
                raise ConsentError(
                    f"record {record.id} is a refusal: there is nothing to withdraw; "
                    "record a grant if the person now agrees"
                )
            if instant(event.at) < expressed(record):
                raise ConsentError(
                    f"cannot withdraw record {record.id} at {event.at.isoformat()}: it was "
                    f"expressed later ({record.history[0].at.isoformat()})"
                )
        elif not replaying:
            ledger.member(event.subject_id)
    elif isinstance(event, ConsentRenewed):
        _check_renewal(ledger, event, replaying=replaying)
    else:
        raise ValidationError(
            f"not a consent event: {type(event).__name__}; expected ConsentRecorded, "
            "ConsentWithdrawn or ConsentRenewed"
        )

def _check_id(ledger: ConsentLedger, consent: Consent) -> None:
    ledger._settle_id(consent.id)  # a stored record of that id not decoded yet
    if consent.id in ledger._base:
        raise Conflict(
            f"consent id {consent.id!r} is taken (by {ledger._base[consent.id].subject_id}'s "
            "record): leave the id unset to get a fresh one"
        )

def _check_new(ledger: ConsentLedger, consent: Consent) -> None:
    member = ledger.member(consent.subject_id)
    if member.erased_at is not None:
        raise ConsentError(
            f"{member.id} was erased at their request on {day(member.erased_at)}: no "
            "consent is recorded for them again"
        )
    people = {member.id, *member.guardian_ids}
    strangers = [p for p in consent.given_by if p not in people]
    if strangers:
        if member.is_minor:
            who = "themselves or their guardians on record " + ", ".join(
                f"{ledger._name(g)} ({g})" for g in member.guardian_ids
            )
        else:
            who = "themselves"
        raise ConsentError(
            f"{member.display_name}'s consent can only be expressed by {who}, "
            f"not {', '.join(strangers)}: name who gave it with --given-by; a guardian "
            "must be on record for the member (`terrain member list`)"
        )
    given = consent.history[0].status is ConsentStatus.GIVEN
    # A minor's grant names a guardian who agreed, or is the child's own assent
    # (given by the child alone, assent yes): that waits for the guardians.
    own_assent = consent.given_by == (member.id,) and consent.subject_assent is True
    if (
        given and member.is_minor and not own_assent
        and not set(consent.given_by) & set(member.guardian_ids)
    ):
        guardians = ", ".join(f"{ledger._name(g)} ({g})" for g in member.guardian_ids)
        raise ConsentError(
            f"{member.display_name} is a minor: their consent is given by their guardians "
            f"({guardians}). Name each guardian who agreed (--given-by) and record the "
            "child's own answer (--child-assent yes|no); the child's yes alone "
            "(--child-assent yes, no --given-by) is recorded as waiting for their guardians"
        )
    if (
        given and member.is_minor and member.id in consent.given_by
        and consent.subject_assent is False
    ):
        raise ConsentError(
            f"{member.display_name} cannot both give the consent and not assent to it: "
            "record the child's no as their own refusal"
        )
    if not member.is_minor and member.id not in consent.given_by:
        raise ConsentError(
            f"{member.display_name} is an adult: the consent must be expressed by them "
            f"(include {member.id} among the people who gave it)"
        )
    if ledger._known_platforms is not None and consent.platforms is not None:
        platforms_of(consent.platforms, ledger._known_platforms)

def owned(ledger: ConsentLedger, consent_id: str, subject_id: str) -> Consent:
    consent = ledger.get(consent_id)
    if consent.subject_id != subject_id:
        raise ConsentError(
            f"record {consent_id} belongs to {consent.subject_id!r}, not {subject_id!r}"
        )
    return ledger._base[consent_id]

def _check_renewal(ledger: ConsentLedger, event: ConsentRenewed, *, replaying: bool) -> None:
    consent = owned(ledger, event.consent_id, event.subject_id)
    first = consent.history[0]
    if first.status is ConsentStatus.REFUSED:
        raise ConsentError(
            f"record {consent.id} is a refusal: record a grant instead of renewing it"
        )
    if instant(event.at) < expressed(consent):
        raise ConsentError(
            f"cannot renew record {consent.id} at {event.at.isoformat()}: it was expressed "
            f"later ({first.at.isoformat()})"
        )
    until = instant(event.valid_until)
    if until <= instant(event.at) or until <= instant(consent.valid_from):
        raise ConsentError(
            f"renew record {consent.id} until a time after the renewal "
            f"({event.at.isoformat()}) and after its start "
            f"({consent.valid_from.isoformat()}), not {event.valid_until.isoformat()}"
        )
    ended = None if replaying else ledger._fully_withdrawn(consent)
    if ended is not None and instant(ended.at) <= instant(event.at):  # it can never count
        raise ConsentError(
            f"record {consent.id} was withdrawn on {day(ended.at)}: a renewal cannot bring "
            "it back; record a new grant with the person's fresh agreement"
        )


def in_future(at: datetime, now: datetime) -> bool:
    """Whether ``at`` is further in the future than the clock skew allows."""
    return instant(at) > instant(now) + CLOCK_SKEW


def future_error(at: datetime, now: datetime, what: str) -> ConsentError:
    """The error for ``what`` expressed at ``at``, later than ``now``."""
    return ConsentError(
        f"{at.isoformat(timespec='minutes')} is in the future (now is "
        f"{now.isoformat(timespec='minutes')}): {what} is recorded at the moment the person "
        "expressed it, which cannot be later than now. For a consent that starts later, "
        "record it now with a start date (--from on the command line), or as a scheduled "
        "consent in the API"
    )
