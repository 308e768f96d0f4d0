"""The consent ledger: append-only, in memory, indexed for decisions.

The ledger holds every consent record of a community and answers one
question fast: *at instant T, may we use person X for purpose P on platform
Q, in this content?* It never reads the clock, never does I/O, and never
edits a record: each change is an event appended to :meth:`ConsentLedger.events`.

Records are indexed by ``(subject, purpose, scope kind, scope ref)``, so a
question looks at the few records of that person, for that purpose, whose
scope could cover the content — never at the whole ledger.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType

import attrs

from terrain._time import instant, require_aware
from terrain.community import Member
from terrain.consent._events import (
    ConsentEvent,
    ConsentRecorded,
    ConsentRenewed,
    ConsentWithdrawn,
)
from terrain.consent._records import (
    Consent,
    ConsentStatus,
    Evidence,
    Purpose,
    Scope,
    ScopeKind,
    StatusChange,
)
from terrain.consent._state import (
    ConsentState,
    IndexKey,
    Target,
    day,
    platforms_of,
    problem_of,
    purposes_of,
    to_purpose,
)
from terrain.content import Content
from terrain.errors import Conflict, ConsentError, NotFound, ValidationError

__all__ = ["ConsentLedger"]


class ConsentLedger:
    """Every consent record of a community, as an append-only event log.

    ``members`` are the people whose consent may be recorded (guardians
    included); add more with :meth:`add_member`. Each change (:meth:`grant`,
    :meth:`refuse`, :meth:`withdraw`, :meth:`renew`) is validated first and
    either appends events or raises — a failed call leaves the ledger as it
    was. :meth:`events` is the log; :meth:`replay` rebuilds a ledger from it.

    Semantics of a question (:meth:`state`) at instant ``at``:

    - only records expressed at or before ``at`` count;
    - a record applies when it names the purpose, the platform (or all
      platforms) and a scope that covers the content;
    - a given record is valid from ``valid_from`` until ``valid_until``
      (excluded), unless withdrawn at or before ``at``; a minor's record needs
      one of the member's guardians among ``given_by``, and
      ``subject_assent=False`` never counts;
    - a refusal wins over every applicable grant expressed before (or at the
      same instant as) it; a later grant wins over it.
    """

    def __init__(self, members: Iterable[Member] = ()) -> None:
        self._members: dict[str, Member] = {}
        self._records: dict[str, Consent] = {}
        self._seq: dict[str, int] = {}
        self._withdrawn_at: dict[str, datetime] = {}
        self._index: dict[IndexKey, list[str]] = {}
        self._by_subject: dict[str, list[str]] = {}
        self._events: list[ConsentEvent] = []
        for member in members:
            self.add_member(member)

    # -- members -----------------------------------------------------------

    def add_member(self, member: Member) -> None:
        """Make ``member`` known to the ledger (or update what it knows of them).

        Decisions read the member as known at decision time (name, minor,
        guardians); members are not part of the event log, so pass them again
        to :meth:`replay`.
        """
        if not isinstance(member, Member):
            raise ValidationError(
                f"add_member expects a terrain.Member, got {type(member).__name__}"
            )
        self._members[member.id] = member

    def member(self, member_id: str) -> Member:
        """The member ``member_id``, or :class:`~terrain.errors.NotFound`."""
        try:
            return self._members[member_id]
        except KeyError:
            raise NotFound(
                f"unknown member {member_id!r}: add them with ledger.add_member(Member(...)) first"
            ) from None

    @property
    def members(self) -> Mapping[str, Member]:
        """Every known member by id (read-only)."""
        return MappingProxyType(self._members)

    # -- recording ---------------------------------------------------------

    def grant(
        self,
        subject_id: str,
        *,
        purposes: Iterable[Purpose | str] | Purpose | str,
        at: datetime,
        evidence: Evidence,
        given_by: Iterable[str] | str | None = None,
        platforms: Iterable[str] | str | None = None,
        scope: Scope | None = None,
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
        subject_assent: bool | None = None,
        consent_id: str | None = None,
        recorded_by: str | None = None,
    ) -> Consent:
        """Record that ``subject_id`` consents to ``purposes``, expressed at ``at``.

        ``given_by`` defaults to the subject; for a minor it must name at least
        one of their guardians (and may add the minor). ``platforms`` is every
        platform when ``None``; ``scope`` is all content when ``None``; the
        record holds from ``valid_from`` (default ``at``) until ``valid_until``
        (open-ended when ``None``). ``consent_id`` defaults to the next free
        ``c-N``. Returns the new record.
        """
        return self._record(
            ConsentStatus.GIVEN, subject_id, purposes=purposes, at=at, evidence=evidence,
            given_by=given_by, platforms=platforms, scope=scope, valid_from=valid_from,
            valid_until=valid_until, subject_assent=subject_assent, consent_id=consent_id,
            recorded_by=recorded_by,
        )

    def refuse(
        self,
        subject_id: str,
        *,
        purposes: Iterable[Purpose | str] | Purpose | str,
        at: datetime,
        evidence: Evidence,
        given_by: Iterable[str] | str | None = None,
        platforms: Iterable[str] | str | None = None,
        scope: Scope | None = None,
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
        subject_assent: bool | None = None,
        consent_id: str | None = None,
        recorded_by: str | None = None,
    ) -> Consent:
        """Record that ``subject_id`` refuses ``purposes`` (same arguments as :meth:`grant`).

        A refusal wins over every applicable grant expressed before it. A
        minor may refuse on their own (their "no" counts without a guardian).
        """
        return self._record(
            ConsentStatus.REFUSED, subject_id, purposes=purposes, at=at, evidence=evidence,
            given_by=given_by, platforms=platforms, scope=scope, valid_from=valid_from,
            valid_until=valid_until, subject_assent=subject_assent, consent_id=consent_id,
            recorded_by=recorded_by,
        )

    def _record(
        self,
        status: ConsentStatus,
        subject_id: str,
        *,
        purposes: Iterable[Purpose | str] | Purpose | str,
        at: datetime,
        evidence: Evidence,
        given_by: Iterable[str] | str | None,
        platforms: Iterable[str] | str | None,
        scope: Scope | None,
        valid_from: datetime | None,
        valid_until: datetime | None,
        subject_assent: bool | None,
        consent_id: str | None,
        recorded_by: str | None,
    ) -> Consent:
        require_aware(at, "at")
        member = self.member(subject_id)
        if not isinstance(evidence, Evidence):
            raise ConsentError(
                f"evidence must be a terrain.consent.Evidence (signed form, checkbox or "
                f"verbal), got {type(evidence).__name__}"
            )
        if scope is not None and not isinstance(scope, Scope):
            raise ConsentError(f"scope must be a terrain.consent.Scope, got {type(scope).__name__}")
        if isinstance(given_by, str):
            given_by = (given_by,)
        start = at if valid_from is None else valid_from
        if (
            isinstance(valid_until, datetime)
            and isinstance(start, datetime)
            and instant(require_aware(valid_until, "valid_until"))
            <= instant(require_aware(start, "valid_from"))
        ):
            raise ConsentError(
                f"valid_until {valid_until.isoformat()} is not after valid_from "
                f"{start.isoformat()}: give an end after the start, or None for no end"
            )
        consent = Consent(
            id=consent_id if consent_id is not None else self._next_id(),
            subject_id=member.id,
            given_by=(member.id,) if given_by is None else tuple(given_by),
            purposes=purposes_of(purposes),
            valid_from=start,
            evidence=evidence,
            history=(StatusChange(status=status, at=at, recorded_by=recorded_by),),
            platforms=platforms_of(platforms),
            scope=Scope() if scope is None else scope,
            valid_until=valid_until,
            subject_assent=subject_assent,
        )
        event = ConsentRecorded(consent=consent)
        self.apply(event)
        return consent

    def _next_id(self) -> str:
        n = len(self._records) + 1
        while f"c-{n}" in self._records:
            n += 1
        return f"c-{n}"

    def withdraw(
        self,
        subject_id: str,
        *,
        at: datetime,
        scope: Scope | None = None,
        purposes: Iterable[Purpose | str] | Purpose | str | None = None,
        platforms: Iterable[str] | str | None = None,
        note: str = "",
        recorded_by: str | None = None,
    ) -> tuple[Consent, ...]:
        """Withdraw ``subject_id``'s consents at ``at``; returns the records withdrawn.

        Without filters, every record given at ``at`` (not refused, withdrawn
        or expired) is withdrawn. ``purposes`` and ``platforms`` keep the
        records that name at least one of them (a record for all platforms
        always matches); ``scope`` keeps the records of exactly that scope and
        the "all content" ones. A record is withdrawn as a whole: to keep part
        of it, grant that part again. Returns ``()`` when nothing matched.
        """
        when = instant(require_aware(at, "at"))
        self.member(subject_id)
        wanted_purposes = None if purposes is None else purposes_of(purposes)
        wanted_platforms = platforms_of(platforms)
        if scope is not None and not isinstance(scope, Scope):
            raise ConsentError(f"scope must be a terrain.consent.Scope, got {type(scope).__name__}")
        events: list[ConsentWithdrawn] = []
        for consent_id in self._by_subject.get(subject_id, ()):
            consent = self._records[consent_id]
            first = consent.history[0]
            if instant(first.at) > when or first.status is ConsentStatus.REFUSED:
                continue
            if consent_id in self._withdrawn_at:
                continue
            if consent.valid_until is not None and instant(consent.valid_until) <= when:
                continue
            if wanted_purposes is not None and not consent.purposes & wanted_purposes:
                continue
            if (
                wanted_platforms is not None
                and consent.platforms is not None
                and not consent.platforms & wanted_platforms
            ):
                continue
            if (
                scope is not None
                and scope.kind is not ScopeKind.ALL
                and consent.scope.kind is not ScopeKind.ALL
                and consent.scope != scope
            ):
                continue
            events.append(
                ConsentWithdrawn(
                    consent_id=consent_id, subject_id=subject_id, at=at, note=note,
                    recorded_by=recorded_by,
                )
            )
        for event in events:  # check them all before changing anything
            self._check_change(event.consent_id, event.at, "withdraw")
        return tuple(self._apply_checked(event) for event in events)

    def renew(
        self, consent_id: str, *, at: datetime, valid_until: datetime, note: str = "",
        recorded_by: str | None = None,
    ) -> Consent:
        """Extend (or shorten) consent ``consent_id`` at ``at``: it now holds until ``valid_until``.

        Only a record still given at ``at`` can be renewed; an expired,
        withdrawn or refused one needs a new :meth:`grant`.
        """
        require_aware(at, "at")
        require_aware(valid_until, "valid_until")
        event = ConsentRenewed(
            consent_id=consent_id,
            subject_id=self.get(consent_id).subject_id,
            at=at,
            valid_until=valid_until,
            note=note,
            recorded_by=recorded_by,
        )
        return self._apply_checked(self._checked(event))

    # -- events --------------------------------------------------------------

    def apply(self, event: ConsentEvent) -> Consent:
        """Append ``event`` after checking it as the recording methods do.

        Returns the record as it is after the event. Raises (and changes
        nothing) when the event does not fit the ledger.
        """
        return self._apply_checked(self._checked(event))

    def _checked(self, event: ConsentEvent, *, replaying: bool = False) -> ConsentEvent:
        if isinstance(event, ConsentRecorded):
            if replaying:
                self._check_id(event.consent)
            else:
                self._check_new(event.consent)
        elif isinstance(event, ConsentWithdrawn):
            self._check_owner(event.consent_id, event.subject_id)
            self._check_change(event.consent_id, event.at, "withdraw")
            if self._records[event.consent_id].history[0].status is ConsentStatus.REFUSED:
                raise ConsentError(
                    f"record {event.consent_id} is a refusal: there is nothing to withdraw; "
                    "record a grant if the person now agrees"
                )
        elif isinstance(event, ConsentRenewed):
            self._check_owner(event.consent_id, event.subject_id)
            self._check_change(event.consent_id, event.at, "renew")
            self._check_renewal(event)
        else:
            raise ValidationError(
                f"not a consent event: {type(event).__name__}; expected ConsentRecorded, "
                "ConsentWithdrawn or ConsentRenewed"
            )
        return event

    def _check_id(self, consent: Consent) -> None:
        if consent.id in self._records:
            raise Conflict(
                f"consent id {consent.id!r} is taken (by {self._records[consent.id].subject_id}'s "
                "record): leave consent_id unset to get a fresh one"
            )

    def _check_new(self, consent: Consent) -> None:
        member = self.member(consent.subject_id)
        if member.erased_at is not None:
            raise ConsentError(
                f"{member.id} was erased at their request on {day(member.erased_at)}: no "
                "consent is recorded for them again"
            )
        self._check_id(consent)
        people = {member.id, *member.guardian_ids}
        strangers = [p for p in consent.given_by if p not in people]
        if strangers:
            who = "themselves" if not member.is_minor else "themselves or their guardians " + (
                ", ".join(member.guardian_ids)
            )
            raise ConsentError(
                f"{member.display_name}'s consent can only be expressed by {who}, "
                f"not {', '.join(strangers)}"
            )
        given = consent.history[0].status is ConsentStatus.GIVEN
        if given and member.is_minor and not set(consent.given_by) & set(member.guardian_ids):
            raise ConsentError(
                f"{member.display_name} is a minor: their consent must be given by a guardian "
                f"({', '.join(member.guardian_ids)}); pass given_by=[guardian id, ...], and "
                "subject_assent=True when the child agreed too"
            )
        if not member.is_minor and member.id not in consent.given_by:
            raise ConsentError(
                f"{member.display_name} is an adult: the consent must be expressed by them "
                f"(given_by must include {member.id!r})"
            )

    def _check_owner(self, consent_id: str, subject_id: str) -> None:
        consent = self.get(consent_id)
        if consent.subject_id != subject_id:
            raise ConsentError(
                f"record {consent_id} belongs to {consent.subject_id!r}, not {subject_id!r}"
            )

    def _check_change(self, consent_id: str, at: datetime, verb: str) -> None:
        consent = self.get(consent_id)
        last = consent.history[-1].at
        if instant(at) < instant(last):
            raise ConsentError(
                f"cannot {verb} record {consent_id} at {at.isoformat()}: it last changed at "
                f"{last.isoformat()}; a change must come after the record's history"
            )
        if consent_id in self._withdrawn_at:
            raise ConsentError(
                f"record {consent_id} was withdrawn on {day(self._withdrawn_at[consent_id])}: "
                "record a new grant instead"
            )

    def _check_renewal(self, event: ConsentRenewed) -> None:
        consent = self._records[event.consent_id]
        if consent.history[0].status is ConsentStatus.REFUSED:
            raise ConsentError(
                f"record {consent.id} is a refusal: record a grant instead of renewing it"
            )
        at = instant(event.at)
        if consent.valid_until is not None and instant(consent.valid_until) <= at:
            raise ConsentError(
                f"record {consent.id} expired on {day(consent.valid_until)}: an expired consent "
                "cannot be renewed; record a new grant with the person's fresh agreement"
            )
        until = instant(event.valid_until)
        if until <= at or until <= instant(consent.valid_from):
            raise ConsentError(
                f"renew record {consent.id} until a time after the renewal "
                f"({event.at.isoformat()}) and after its start "
                f"({consent.valid_from.isoformat()}), not "
                f"{event.valid_until.isoformat()}"
            )

    def _apply_checked(self, event: ConsentEvent) -> Consent:
        if isinstance(event, ConsentRecorded):
            consent = event.consent
            self._seq[consent.id] = len(self._seq)
            scope = consent.scope
            for purpose in consent.purposes:
                key = (consent.subject_id, purpose, scope.kind, scope.ref)
                self._index.setdefault(key, []).append(consent.id)
            self._by_subject.setdefault(consent.subject_id, []).append(consent.id)
        elif isinstance(event, ConsentWithdrawn):
            old = self._records[event.consent_id]
            change = StatusChange(
                status=ConsentStatus.WITHDRAWN, at=event.at, note=event.note,
                recorded_by=event.recorded_by,
            )
            consent = attrs.evolve(old, history=(*old.history, change))
            self._withdrawn_at[consent.id] = event.at
        else:
            old = self._records[event.consent_id]
            change = StatusChange(
                status=ConsentStatus.GIVEN,
                at=event.at,
                note=event.note or f"renewed until {event.valid_until.isoformat()}",
                recorded_by=event.recorded_by,
            )
            consent = attrs.evolve(
                old, valid_until=event.valid_until, history=(*old.history, change)
            )
        self._records[consent.id] = consent
        self._events.append(event)
        return consent

    def events(self) -> tuple[ConsentEvent, ...]:
        """Every event appended so far, oldest first (the append-only log)."""
        return tuple(self._events)

    @classmethod
    def replay(
        cls, events: Iterable[ConsentEvent], *, members: Iterable[Member] = ()
    ) -> ConsentLedger:
        """A new ledger made by applying ``events`` in order, knowing ``members``.

        The member rules checked when each record was first made (known
        subject, who may sign for whom) are not checked again: members change
        (someone leaves, a birth date is corrected) and the history must still
        load. Decisions apply the members as known now — a record of someone
        now known to be a minor counts only if a guardian signed it. The
        history itself is checked (unique ids, order, ownership).
        """
        ledger = cls(members)
        for event in events:
            ledger._apply_checked(ledger._checked(event, replaying=True))
        return ledger

    # -- reading -------------------------------------------------------------

    def get(self, consent_id: str) -> Consent:
        """Record ``consent_id`` as it is now, or :class:`~terrain.errors.NotFound`."""
        try:
            return self._records[consent_id]
        except KeyError:
            raise NotFound(
                f"no consent record {consent_id!r}: list a member's records with "
                "ledger.for_subject(member_id)"
            ) from None

    def for_subject(self, subject_id: str) -> tuple[Consent, ...]:
        """Every record of ``subject_id``, in the order they were recorded."""
        return tuple(self._records[c] for c in self._by_subject.get(subject_id, ()))

    def __len__(self) -> int:
        return len(self._records)

    def state(
        self,
        subject_id: str,
        purpose: Purpose | str,
        platform: str,
        *,
        at: datetime,
        content: Content | None = None,
    ) -> ConsentState:
        """May ``subject_id`` be used for ``purpose`` on ``platform`` at ``at``, in ``content``?

        Without ``content`` only "all content" records count. An unknown
        member is never valid. See the class docstring for the rules.
        """
        require_aware(at, "ConsentLedger.state: at")
        return self.state_for(subject_id, to_purpose(purpose), platform, at=at,
                              target=Target.of(content))

    def state_for(
        self, subject_id: str, purpose: Purpose, platform: str, *, at: datetime, target: Target
    ) -> ConsentState:
        """:meth:`state` for a :class:`Target` (several contents, events, projects)."""
        when = instant(require_aware(at, "ConsentLedger.state_for: at"))
        member = self._members.get(subject_id)
        if member is None:
            return ConsentState(
                subject_id, purpose, platform, at, valid=False,
                reason="not a known member of the community; add them, or remove the appearance",
            )
        if member.erased_at is not None:
            return ConsentState(
                subject_id, purpose, platform, at, member=member, valid=False,
                status=ConsentStatus.REFUSED,
                reason=f"erased at their request on {day(member.erased_at)}: never published "
                "again; take them out of the content, or crop them out",
            )
        best: Consent | None = None
        refusal: Consent | None = None
        failed: Consent | None = None
        failed_reason = ""
        failed_status: ConsentStatus | None = None
        guardians = member.guardian_ids
        for key in target.keys(subject_id, purpose):
            for consent_id in self._index.get(key, ()):
                consent = self._records[consent_id]
                first = consent.history[0]
                if instant(first.at) > when:
                    continue
                if consent.platforms is not None and platform not in consent.platforms:
                    continue
                if first.status is ConsentStatus.REFUSED:
                    if refusal is None or self._later(consent, refusal):
                        refusal = consent
                    continue
                problem, status = problem_of(consent, member, guardians, at,
                                           self._withdrawn_at.get(consent_id))
                if problem is None:
                    if best is None or self._later(consent, best):
                        best = consent
                elif failed is None or self._later(consent, failed):
                    failed, failed_reason, failed_status = consent, problem, status
        if best is not None and (refusal is None or self._later(best, refusal)):
            until = "" if best.valid_until is None else f", until {day(best.valid_until)}"
            by = ""
            if member.is_minor:
                names = [self._name(g) for g in best.given_by if g in guardians]
                by = f" by {' and '.join(names)}"
            what = "guardian consent" if member.is_minor else "consent"
            return ConsentState(
                subject_id, purpose, platform, at, member=member, valid=True, consent=best,
                status=ConsentStatus.GIVEN,
                reason=f"{what} given{by} on {day(best.history[0].at)}{until} (record {best.id})",
            )
        if refusal is not None:
            return ConsentState(
                subject_id, purpose, platform, at, member=member, valid=False, consent=refusal,
                status=ConsentStatus.REFUSED,
                reason=f"refused on {day(refusal.history[0].at)} (record {refusal.id})",
            )
        if failed is not None:
            return ConsentState(
                subject_id, purpose, platform, at, member=member, valid=False, consent=failed,
                status=failed_status, reason=failed_reason,
            )
        missing = "guardian consent missing" if member.is_minor else "no consent"
        return ConsentState(
            subject_id, purpose, platform, at, member=member, valid=False,
            reason=f"{missing} to {purpose.value!r} on {platform!r}",
        )

    def _name(self, member_id: str) -> str:
        member = self._members.get(member_id)
        return member_id if member is None else member.display_name

    def _later(self, a: Consent, b: Consent) -> bool:
        """Whether record ``a`` was expressed after ``b`` (ledger order breaks ties)."""
        ta, tb = instant(a.history[0].at), instant(b.history[0].at)
        if ta != tb:
            return ta > tb
        return self._seq[a.id] > self._seq[b.id]


