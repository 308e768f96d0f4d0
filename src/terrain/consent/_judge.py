"""Answering the ledger's questions: may we, at this instant? where does a record stand?

:class:`Judgement` applies the rules of :class:`~terrain.consent.ConsentLedger`
to one question (a person, a purpose, a platform, an instant, some content):
the records that apply, who said yes and who said no in them, and the
answer with its reason. :func:`record_states` says where each record of a
person stands at an instant (``terrain consent list``).
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from terrain._time import instant
from terrain.community import Member
from terrain.consent._make import maker
from terrain.consent._records import Consent, ConsentStatus, Purpose, platform_key
from terrain.consent._rules import Slice, Withdrawal, expressed, latest, until_at, voices
from terrain.consent._state import (
    ConsentState,
    RecordState,
    RecordStatus,
    ScopeKey,
    Target,
    day,
)

if TYPE_CHECKING:
    from terrain.consent._ledger import ConsentLedger

__all__ = ["Facts", "Judgement", "record_states", "shelve"]

#: No one (who said yes, or no, in an adult's record about someone else: never).
_NOBODY: frozenset[str] = frozenset()

#: The records of a person who has none, by scope (never changed).
_NO_RECORDS: Mapping[ScopeKey, list[Facts]] = MappingProxyType({})

#: A platform name no record names: "all platforms" records only.
_ANY_PLATFORM = "\x00any platform"


def record_states(
    ledger: ConsentLedger, member: Member, at: datetime
) -> tuple[RecordState, ...]:
    """Where each record of ``member`` expressed by ``at`` stands at ``at``."""
    out: list[RecordState] = []
    when = instant(at)
    for consent_id in ledger._records_of(member.id):
        base = ledger._base[consent_id]
        if expressed(base) > when:
            continue
        out.append(_record_state(ledger, member, base, at))
    return tuple(out)


def _record_state(
    ledger: ConsentLedger, member: Member, base: Consent, at: datetime
) -> RecordState:
    record = ledger._records[base.id]
    first = base.history[0]
    when = instant(at)
    withdrawals = [
        w for w in ledger._withdrawals.get(base.subject_id, ())
        if w.ends(base) and instant(w.at) <= when
    ]
    if first.status is ConsentStatus.REFUSED:
        return _refusal_state(ledger, member, record, at)
    ended = ledger._fully_withdrawn(base)
    if ended is not None and instant(ended.at) <= when:
        gone = until_at(base, ledger._renewals.get(base.id, ()), ended.at)
        if gone is not None and instant(gone) <= instant(ended.at):  # it had ended before
            return RecordState(record, at, RecordStatus.EXPIRED, f"expired on {day(gone)}")
        return RecordState(record, at, RecordStatus.WITHDRAWN, f"withdrawn on {day(ended.at)}")
    until = until_at(base, ledger._renewals.get(base.id, ()), at)
    if until is not None and instant(until) <= when:
        return RecordState(record, at, RecordStatus.EXPIRED, f"expired on {day(until)}")
    notes: list[str] = []
    parts = [w.slice.overlap(base) for w in withdrawals]
    for part, withdrawal in zip(parts, withdrawals, strict=True):
        if part is not None:
            notes.append(f"{part.describe()} withdrawn on {day(withdrawal.at)}")
    status = RecordStatus.PARTLY_WITHDRAWN if notes else RecordStatus.GIVEN
    if when < instant(base.valid_from):
        status = RecordStatus.SCHEDULED
        notes.insert(0, f"in force from {day(base.valid_from)}")
    waiting: tuple[str, ...] = ()
    if status is not RecordStatus.SCHEDULED and member.is_minor:
        pending = _pending(ledger, member, base, at)
        if pending is not None:
            status, why, waiting = pending
            notes.insert(0, why)
    if until is not None and status is not RecordStatus.SCHEDULED:
        notes.append(f"until {day(until)}")
    return RecordState(record, at, status, "; ".join(notes), waiting)


def _refusal_state(
    ledger: ConsentLedger, member: Member, record: Consent, at: datetime
) -> RecordState:
    _, nos = voices(record, member)
    lifted_by: list[Consent] = []
    for voice in sorted(nos):
        later = [
            c for c in _grants_of(ledger, record.subject_id, at)
            if expressed(c) > expressed(record)
            and voice in voices(c, member)[0]
            and Slice.of_record(c).contains(Slice.of_record(record))
        ]
        if not later:
            lifted_by = []
            break
        found = latest(later)
        if found is not None:
            lifted_by.append(found)
    if nos and lifted_by:
        ids = ", ".join(sorted({c.id for c in lifted_by}))
        return RecordState(record, at, RecordStatus.LIFTED, f"lifted by {ids}")
    by = " and ".join(ledger._name(v) for v in sorted(nos)) if member.is_minor else ""
    return RecordState(record, at, RecordStatus.REFUSED, f"by {by}" if by else "")


def _grants_of(ledger: ConsentLedger, subject_id: str, at: datetime) -> list[Consent]:
    when = instant(at)
    return [
        ledger._base[c] for c in ledger._records_of(subject_id)
        if ledger._base[c].history[0].status is ConsentStatus.GIVEN
        and expressed(ledger._base[c]) <= when
    ]


def _pending(
    ledger: ConsentLedger, member: Member, base: Consent, at: datetime
) -> tuple[RecordStatus, str, tuple[str, ...]] | None:
    """For a minor's grant: whose agreement is still missing for what it covers
    (the status, a sentence, and who: guardians, or the child)."""
    said: set[str] = set()
    for purpose in sorted(base.purposes):
        platform = min(base.platforms) if base.platforms else _ANY_PLATFORM
        judgement = Judgement(ledger, member, purpose, platform, at, Target.of_scope(base.scope))
        said |= judgement.satisfied_voices()
    guardians = member.guardian_ids
    missing = [g for g in guardians if g not in said]
    if (ledger.guardians == "all" and missing) or not set(guardians) & said:
        names = " and ".join(ledger._name(g) for g in missing)
        return (RecordStatus.PENDING_GUARDIAN, f"waiting for {names} (guardian)",
                tuple(missing))
    if member.id not in said:
        return (RecordStatus.PENDING_ASSENT, f"waiting for {member.display_name}'s own assent",
                (member.id,))
    return None


class Facts(NamedTuple):
    """What a judgement reads of one record as expressed, worked out when the ledger
    learns of it (instants in UTC, so that they compare correctly).

    A person's records of one scope are kept sorted by ``(said, id)``, the order
    in which "the record expressed last" is chosen (see :func:`shelve`)."""

    said: datetime
    id: str
    consent: Consent
    given: bool
    platforms: frozenset[str] | None
    starts: datetime
    #: its ``valid_until`` as expressed (renewals may change it since)
    until: datetime | None

    @classmethod
    def of(cls, consent: Consent, said: datetime, starts: datetime) -> Facts:
        """The facts of ``consent``, expressed at ``said`` and in force from ``starts``."""
        until = consent.valid_until
        return cls(said, consent.id, consent, consent.history[0].status is ConsentStatus.GIVEN,
                   consent.platforms, starts, None if until is None else instant(until))


def _order(facts: Facts) -> tuple[datetime, str]:
    return facts.said, facts.id


def shelve(shelf: list[Facts], facts: Facts) -> None:
    """Put ``facts`` in ``shelf``, a person's records of one scope sorted by when they
    were expressed (then by id): most arrive last, a form keyed in late goes in its place."""
    if not shelf or _order(shelf[-1]) < _order(facts):
        shelf.append(facts)
    else:
        bisect.insort(shelf, facts, key=_order)


#: A ConsentState from its fields' values, in order, without attrs' checks (it has none).
_consent_state = maker(ConsentState)


class Judgement:
    """One question to the ledger: the applicable records, who said what, the answer."""

    def __init__(
        self,
        ledger: ConsentLedger,
        member: Member,
        purpose: Purpose,
        platform: str,
        at: datetime,
        target: Target,
        when: datetime | None = None,
        scopes: tuple[ScopeKey, ...] | None = None,
    ) -> None:
        ledger._settle_target(member.id, target)  # stored records it reads, decoded
        self.ledger = ledger
        self.member = member
        self.purpose = purpose
        self.platform = platform
        self.at = at
        key = platform_key(platform)
        subject = member.id
        if when is None:
            when = instant(at)
        self.when = when
        theirs = ledger._withdrawn_at.get(subject)
        #: the withdrawals that apply by this instant, each with its instant
        self.withdrawals = withdrawals = [] if theirs is None else [
            (t, w) for t, w in theirs if t <= when and w.slice.applies(purpose, key, target)
        ]
        facts = ledger._facts
        scoped = ledger._scoped.get(subject, _NO_RECORDS)
        if scopes is None:
            scopes = target.scopes(purpose)
        minor = member.is_minor
        me = frozenset((subject,))
        #: each voice's latest no
        nos: dict[str, Consent] = {}
        #: grants that apply, with who said yes in each
        grants: list[tuple[Consent, frozenset[str]]] = []
        self.nos = nos
        self.grants = grants
        for scope in scopes:
            found = scoped.get(scope)
            if not found:
                continue
            for said, consent_id, consent, given, platforms, _, _ in found:
                if said > when or (platforms is not None and key not in platforms):
                    continue
                if minor:
                    yes, no = voices(consent, member)
                elif given:  # an adult's record is their own word (voices(), without the sets)
                    grants.append((consent, me))
                    continue
                else:
                    yes, no = _NOBODY, me
                for voice in no:
                    known = nos.get(voice)
                    if known is None or (said, consent_id) > (facts[known.id].said, known.id):
                        nos[voice] = consent
                if given:
                    grants.append((consent, yes))
        #: each voice's grants that hold now, and what is wrong with the others
        holding: dict[str, list[Consent]] = {}
        failing: list[tuple[Consent, str, ConsentStatus]] = []
        self.holding = holding
        self.failing = failing
        renewed = ledger._renewals
        for consent, yes in grants:
            said, _, _, _, _, starts, until = facts[consent.id]
            if (withdrawals or when < starts or (until is not None and until <= when)
                    or consent.id in renewed):  # else it holds: what _problem() would say
                problem = self._problem(consent)
                if problem is not None:
                    failing.append((consent, *problem))
                    continue
            for voice in yes:
                last_no = nos.get(voice) if nos else None
                if last_no is None or said > facts[last_no.id].said:
                    found_for = holding.get(voice)
                    if found_for is None:
                        holding[voice] = [consent]
                    else:
                        found_for.append(consent)

    def _problem(self, consent: Consent) -> tuple[str, ConsentStatus] | None:
        """Why grant ``consent`` does not hold at this instant (``None`` when it does)."""
        ended: Withdrawal | None = None
        if self.withdrawals:  # the first that ends it (w.ends(consent)), by instant
            said = self.ledger._facts[consent.id].said
            ended_at = None
            for at, withdrawal in self.withdrawals:
                if said <= at and (ended_at is None or at < ended_at):
                    ended, ended_at = withdrawal, at
        if ended is not None:
            return f"consent withdrawn on {day(ended.at)} (record {consent.id})", (
                ConsentStatus.WITHDRAWN
            )
        if self.when < self.ledger._starts[consent.id]:
            return f"consent starts on {day(consent.valid_from)} (record {consent.id})", (
                ConsentStatus.GIVEN
            )
        renewals = self.ledger._renewals.get(consent.id)
        until = consent.valid_until if renewals is None else until_at(consent, renewals, self.at)
        if until is not None and instant(until) <= self.when:
            return f"consent expired on {day(until)} (record {consent.id})", (
                ConsentStatus.EXPIRED
            )
        return None

    def satisfied_voices(self) -> set[str]:
        """The people whose agreement holds at this instant."""
        return set(self.holding)

    def _state(self, valid: bool, reason: str, consent: Consent | None,
               status: ConsentStatus | None, relied_on: tuple[str, ...] = ()) -> ConsentState:
        member = self.member
        return _consent_state(member.id, self.purpose, self.platform, self.at, valid, reason,
                              consent, status, member, relied_on)

    def state(self) -> ConsentState:
        member = self.member
        blocking = self.nos and {v: no for v, no in self.nos.items() if v not in self.holding}
        if blocking:
            return self._refused(blocking)
        if not member.is_minor:
            mine = self.holding.get(member.id)
            best = None if mine is None else self._latest(mine)
            if best is not None:
                return self._given([best])
            return self._missing("no consent")
        guardians = member.guardian_ids
        agreed = [g for g in guardians if g in self.holding]
        missing = [g for g in guardians if g not in self.holding]
        if not agreed or (self.ledger.guardians == "all" and missing):
            return self._pending_guardian(agreed, missing)
        if member.id not in self.holding:
            return self._pending_assent()
        relied = [latest(self.holding[g]) for g in agreed]
        relied.append(latest(self.holding[member.id]))
        return self._given([c for c in relied if c is not None])

    def _latest(self, records: list[Consent]) -> Consent:
        """:func:`latest` of ``records`` (one at least), with the instants the ledger keeps."""
        if len(records) == 1:
            return records[0]
        said = self.ledger._said
        return max(records, key=lambda c: (said[c.id], c.id))

    def _given(self, records: list[Consent]) -> ConsentState:
        member = self.member
        said = self.ledger._said
        unique = records if len(records) == 1 else sorted(
            {c.id: c for c in records}.values(), key=lambda c: (said[c.id], c.id)
        )
        parts: list[str] = []
        assent: list[str] = []
        dates = self.ledger._dates
        for record in unique:
            renewals = self.ledger._renewals.get(record.id)
            if renewals is None:  # as expressed: the same words at any instant
                when = dates.get(record.id)
                if when is None:
                    when = dates[record.id] = _dates(record, record.valid_until)
            else:
                when = _dates(record, until_at(record, renewals, self.at))
            if not member.is_minor:
                parts.append(f"on {when} (record {record.id})")
                continue
            names = [
                self.ledger._name(g) for g in member.guardian_ids
                if record in self.holding.get(g, ())
            ]
            if names:
                parts.append(f"by {' and '.join(names)} on {when} (record {record.id})")
            else:
                assent.append(f"with the child's assent on {when} (record {record.id})")
        if not member.is_minor:
            reason = f"consent given {parts[-1]}"
        else:
            reason = "guardian consent given " + " and ".join(parts)
            if assent:
                reason += ", " + " and ".join(assent)
        return self._state(True, reason, unique[-1], ConsentStatus.GIVEN,
                           (unique[0].id,) if len(unique) == 1 else tuple(c.id for c in unique))

    def _refused(self, blocking: dict[str, Consent]) -> ConsentState:
        member = self.member
        # one record can carry several voices' no: the subject's own is named, then by id,
        # so that the answer never depends on the order the records were read in
        voice, record = max(blocking.items(), key=lambda kv: (expressed(kv[1]), kv[1].id,
                                                             kv[0] == member.id, kv[0]))
        when = day(record.history[0].at)
        lifted = [
            f for f in self.failing
            if expressed(f[0]) > expressed(record) and voice in voices(f[0], member)[0]
        ]
        if lifted:  # the same person agreed later, but that consent no longer holds
            consent, reason, status = max(lifted, key=lambda f: (expressed(f[0]), f[0].id))
            return self._state(False, reason, consent, status)
        if record.history[0].status is ConsentStatus.GIVEN:  # the child's no in a guardian's grant
            reason = f"did not assent, although consent was given for them (record {record.id})"
        elif voice == member.id:
            reason = f"refused on {when} (record {record.id})"
        else:
            reason = f"refused by {self.ledger._name(voice)} on {when} (record {record.id})"
        return self._state(False, reason, record, ConsentStatus.REFUSED)

    def _failing(self) -> tuple[Consent, str, ConsentStatus] | None:
        if not self.failing:
            return None
        return max(self.failing, key=lambda f: (expressed(f[0]), f[0].id))

    def _missing(self, what: str) -> ConsentState:
        failing = self._failing()
        if failing is not None:
            consent, reason, status = failing
            return self._state(False, reason, consent, status)
        return self._state(
            False, f"{what} to {self.purpose.value!r} on {self.platform!r}", None, None
        )

    def _pending_guardian(self, agreed: list[str], missing: list[str]) -> ConsentState:
        member = self.member
        failing = self._failing()
        if failing is not None and (not agreed or any(
            g in voices(failing[0], member)[0] for g in missing
        )):
            consent, reason, status = failing
            return self._state(False, reason, consent, status)
        given = [c for c, _ in self.grants]
        if not agreed:
            if given:
                record = latest(given)
                assert record is not None
                return self._state(
                    False,
                    f"guardian consent missing (record {record.id} was not given by a guardian)",
                    record, ConsentStatus.GIVEN,
                )
            return self._missing("guardian consent missing")
        names = " and ".join(self.ledger._name(g) for g in missing)
        relied = [latest(self.holding[g]) for g in agreed]
        record = latest(c for c in relied if c is not None)
        assert record is not None
        by = " and ".join(self.ledger._name(g) for g in agreed)
        return self._state(
            False,
            f"guardian consent missing: {names} has not agreed (record {record.id} was given "
            f"by {by}; every guardian's agreement is needed)",
            record, ConsentStatus.GIVEN,
        )

    def _pending_assent(self) -> ConsentState:
        relied = [latest(self.holding[g]) for g in self.member.guardian_ids if g in self.holding]
        record = latest(c for c in relied if c is not None)
        assert record is not None
        return self._state(
            False,
            f"the child's own assent is not recorded (record {record.id}); ask them, and "
            "record their answer",
            record, ConsentStatus.GIVEN,
        )


def _dates(record: Consent, until: datetime | None) -> str:
    """``"2026-03-12"`` or ``"2026-03-12, until 2027-03-12"``: when ``record`` was
    given, and until when it holds."""
    return day(record.history[0].at) + ("" if until is None else f", until {day(until)}")
