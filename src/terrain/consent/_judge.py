"""Answering the ledger's questions: may we, at this instant? where does a record stand?

:class:`Judgement` applies the rules of :class:`~terrain.consent.ConsentLedger`
to one question (a person, a purpose, a platform, an instant, some content):
the records that apply, who said yes and who said no in them, and the
answer with its reason. :func:`record_states` says where each record of a
person stands at an instant (``terrain consent list``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from terrain._time import instant
from terrain.community import Member
from terrain.consent._records import Consent, ConsentStatus, Purpose, platform_key
from terrain.consent._rules import Slice, expressed, latest, until_at, voices
from terrain.consent._state import ConsentState, RecordState, RecordStatus, Target, day

if TYPE_CHECKING:
    from terrain.consent._ledger import ConsentLedger

__all__ = ["Judgement", "record_states"]

#: No one (who said yes, or no, in an adult's record about someone else: never).
_NOBODY: frozenset[str] = frozenset()

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
    ) -> None:
        ledger._settle_target(member.id, target)  # stored records it reads, decoded
        self.ledger = ledger
        self.member = member
        self.purpose = purpose
        self.platform = platform
        self.at = at
        key = platform_key(platform)
        subject = member.id
        self.when = when = instant(at)
        theirs = ledger._withdrawals.get(subject)
        self.withdrawals = [] if theirs is None else [
            w for w in theirs if instant(w.at) <= when and w.slice.applies(purpose, key, target)
        ]
        said = ledger._said
        base = ledger._base
        index = ledger._index
        minor = member.is_minor
        me = frozenset((subject,))
        #: each voice's latest no: (instant, record)
        self.nos: dict[str, Consent] = {}
        #: grants that apply, with who said yes in each
        self.grants: list[tuple[Consent, frozenset[str]]] = []
        for index_key in target.keys(subject, purpose):
            found = index.get(index_key)
            if not found:
                continue
            for consent_id in found:
                if said[consent_id] > when:
                    continue
                consent = base[consent_id]
                if consent.platforms is not None and key not in consent.platforms:
                    continue
                given = consent.history[0].status is ConsentStatus.GIVEN
                if minor:
                    yes, no = voices(consent, member)
                else:  # an adult's record is their own word (voices(), without the sets)
                    yes, no = (me, _NOBODY) if given else (_NOBODY, me)
                for voice in no:
                    known = self.nos.get(voice)
                    if known is None or (said[consent_id], consent_id) > (
                        said[known.id], known.id
                    ):
                        self.nos[voice] = consent
                if given:
                    self.grants.append((consent, yes))
        #: each voice's grants that hold now, and what is wrong with the others
        self.holding: dict[str, list[Consent]] = {}
        self.failing: list[tuple[Consent, str, ConsentStatus]] = []
        for consent, yes in self.grants:
            problem = self._problem(consent)
            if problem is not None:
                self.failing.append((consent, *problem))
                continue
            for voice in yes:
                last_no = self.nos.get(voice)
                if last_no is None or said[consent.id] > said[last_no.id]:
                    self.holding.setdefault(voice, []).append(consent)

    def _problem(self, consent: Consent) -> tuple[str, ConsentStatus] | None:
        """Why grant ``consent`` does not hold at this instant (``None`` when it does)."""
        ended = min(
            (w for w in self.withdrawals if w.ends(consent)),
            key=lambda w: instant(w.at),
            default=None,
        ) if self.withdrawals else None
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
        return ConsentState(
            self.member.id, self.purpose, self.platform, self.at, valid=valid, reason=reason,
            consent=consent, status=status, member=self.member, relied_on=relied_on,
        )

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
                           tuple(c.id for c in unique))

    def _refused(self, blocking: dict[str, Consent]) -> ConsentState:
        member = self.member
        voice, record = max(blocking.items(), key=lambda kv: (expressed(kv[1]), kv[1].id))
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
