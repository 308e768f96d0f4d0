"""The consent ledger: append-only, in memory, indexed for decisions.

The ledger holds every consent record of a community and answers one
question fast: *at instant T, may we use person X for purpose P on platform
Q, in this content?* It never reads the clock, never does I/O, and never
edits a record: each change is an event appended to :meth:`ConsentLedger.events`.

Records are indexed by ``(subject, purpose, scope kind, scope ref)``, so a
question looks at the few records of that person, for that purpose, whose
scope could cover the content — never at the whole ledger. The answer depends
only on what was expressed and when, never on the order things were keyed in:
events can be applied one at a time, in log order, and each leaves the ledger
answering as if it had always been there.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Hashable, Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING

import attrs

from terrain._time import instant, require_aware
from terrain.community import Member
from terrain.consent._checks import check_event, future_error, in_future
from terrain.consent._events import (
    ConsentEvent,
    ConsentRecorded,
    ConsentRenewed,
    ConsentWithdrawn,
)
from terrain.consent._guardians import GUARDIAN_RULES, GuardianRule
from terrain.consent._judge import Facts, Judgement, record_states, shelve
from terrain.consent._plain import plain_state
from terrain.consent._records import (
    Consent,
    ConsentStatus,
    Evidence,
    Purpose,
    Scope,
    StatusChange,
    platform_key,
)
from terrain.consent._rules import Renewal, Slice, Withdrawal, expressed, until_at
from terrain.consent._state import (
    ConsentState,
    IndexKey,
    RecordState,
    ScopeKey,
    Target,
    day,
    platforms_of,
    purposes_of,
    to_purpose,
)
from terrain.errors import ConsentError, NotFound, ValidationError

if TYPE_CHECKING:  # read when a question is about content or handles, not before
    from terrain.content import Content
    from terrain.posts import HandleFinder

__all__ = ["ConsentLedger", "StoredEvent"]


@attrs.frozen
class StoredEvent:
    """A consent event as a store holds it, which a ledger may decode when first needed.

    ``read`` decodes it. A record scoped to one event, project or content
    (``scope`` = ``(kind, ref)``, with its ``subject_id`` and ``consent_id``)
    waits undecoded until a question reaches that person in that scope, or
    anything reads the person's records (or the whole log); a renewal of such
    a record (``renews`` = its id) waits with it. Anything else is decoded at
    once. ``given_by`` is who gave a record (the members a decision about its
    subject may name).
    """

    read: Callable[[], ConsentEvent]
    subject_id: str | None = None
    consent_id: str | None = None
    scope: tuple[str, str] | None = None
    renews: str | None = None
    given_by: tuple[str, ...] = ()


class ConsentLedger:
    """Every consent record of a community, as an append-only event log.

    ``members`` are the people whose consent may be recorded (guardians
    included); add more with :meth:`add_member`. ``guardians`` is the
    community's rule for minors (``"all"`` their guardians on record, the
    default, or ``"any"`` one). ``platforms``, when given, are the platform
    names terrain knows: recording a consent for another name is refused
    (names compare case-insensitively). ``handle_lookup``, when given, answers
    for the owners of the ``@handles`` typed in a text instead of the members
    the ledger holds (see :meth:`handle_finder`): a ledger holding some of the
    people, as a workspace keeps one, still finds everyone's handles.

    Each change (:meth:`grant`, :meth:`refuse`, :meth:`withdraw`,
    :meth:`renew`) is validated first and either appends one event or raises —
    a failed call leaves the ledger as it was. :meth:`events` is the log;
    :meth:`replay` rebuilds a ledger from it.

    The rules of a question (:meth:`state`) at instant ``at``, whatever the
    order records were keyed in:

    - only what was *expressed* at or before ``at`` counts;
    - a record applies when it names the purpose, the platform (or all
      platforms) and a scope that covers the content;
    - a grant holds from ``valid_from`` until ``valid_until`` (excluded, as
      renewed up to ``at``);
    - a withdrawal at ``T`` ends the part it covers of every consent expressed
      at or before ``T`` — records keyed later and records whose validity
      starts after ``T`` included; only consent expressed after ``T`` counts
      again;
    - a refusal wins over every grant expressed before it or at the same
      instant; it blocks until the same person agrees again, later;
    - an adult's consent is their own; a minor's needs their guardians on
      record (all of them, or one under ``"any"``) and the child's own assent,
      and a refusal by any of them blocks until that same person lifts it.
    """

    def __init__(
        self,
        members: Iterable[Member] = (),
        *,
        guardians: GuardianRule = "all",
        platforms: Iterable[str] | None = None,
        handle_lookup: Callable[[frozenset[str]], Mapping[str, str]] | None = None,
    ) -> None:
        if guardians not in GUARDIAN_RULES:
            raise ValidationError(
                f"guardians={guardians!r}: a minor's consent needs 'all' their guardians "
                "or 'any' one of them"
            )
        self.guardians: GuardianRule = guardians
        self._known_platforms = None if platforms is None else frozenset(platforms)
        self._members: dict[str, Member] = {}
        self._base: dict[str, Consent] = {}  # each record as expressed
        #: when each record was expressed, in UTC (:func:`expressed`, worked out once)
        self._said: dict[str, datetime] = {}
        #: when each record starts to hold, in UTC
        self._starts: dict[str, datetime] = {}
        #: the dates a decision quotes for each record without renewals (see Judgement)
        self._dates: dict[str, str] = {}
        #: what a judgement reads of each record, worked out once (see :class:`Facts`)
        self._facts: dict[str, Facts] = {}
        self._records: dict[str, Consent] = {}  # each record as it stands (history)
        self._renewals: dict[str, list[Renewal]] = {}
        self._withdrawals: dict[str, list[Withdrawal]] = {}
        #: the same withdrawals, each with its instant (UTC)
        self._withdrawn_at: dict[str, list[tuple[datetime, Withdrawal]]] = {}
        self._index: dict[IndexKey, list[str]] = {}
        #: the same records by person, then scope key, each list sorted by when they were
        #: expressed (:func:`~terrain.consent._judge.shelve`): what a decision reads
        self._scoped: dict[str, dict[ScopeKey, list[Facts]]] = {}
        self._by_subject: dict[str, list[str]] = {}
        self._events: list[ConsentEvent | StoredEvent] = []
        #: where each record's event is in the log (records, lists of ids, stay in log order)
        self._position: dict[str, int] = {}
        #: stored records not decoded yet: (subject, scope kind, ref) -> (place in the log, id)
        self._waiting: dict[tuple[str, str, str], list[tuple[int, str]]] = {}
        #: subject -> the (scope kind, ref) of their records not decoded yet
        self._waiting_scopes: dict[str, set[tuple[str, str]]] = {}
        #: consent id of a record not decoded yet -> its key in ``_waiting``
        self._waiting_ids: dict[str, tuple[str, str, str]] = {}
        #: consent id of a record not decoded yet -> the places of its renewals
        self._waiting_renewals: dict[str, list[int]] = {}
        self._finder: HandleFinder | None = None  # made when first asked for
        self._handle_lookup = handle_lookup
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
                f"ConsentLedger.add_member: expects a terrain.Member, got "
                f"{type(member).__name__}"
            )
        self._members[member.id] = member
        if self._handle_lookup is None:
            self._finder = None

    def handle_finder(self) -> HandleFinder:
        """Finds the handles of members typed in a text (any platform's): the
        members the ledger knows, or everyone its ``handle_lookup`` knows."""
        from terrain.posts import HandleFinder

        if self._finder is None and self._handle_lookup is not None:
            self._finder = HandleFinder(lookup=self._handle_lookup)
        if self._finder is None:
            handles = {
                handle: member.id
                for member in sorted(self._members.values(), key=lambda m: m.id)
                for _, handle in sorted(member.handles.items())
            }
            self._finder = HandleFinder(handles)
        return self._finder

    def member(self, member_id: str) -> Member:
        """The member ``member_id``, or :class:`~terrain.errors.NotFound`."""
        try:
            return self._members[member_id]
        except KeyError:
            raise NotFound(
                f"unknown member {member_id!r}: add them to the community first "
                "(`terrain member add`; ConsentLedger.add_member in the API)"
            ) from None

    @property
    def members(self) -> Mapping[str, Member]:
        """Every known member by id (read-only)."""
        return MappingProxyType(self._members)

    @property
    def known_platforms(self) -> frozenset[str] | None:
        """The platform names recording is checked against (``None``: not checked)."""
        return self._known_platforms

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
        now: datetime | None = None,
        scheduled: bool = False,
    ) -> Consent:
        """Record that ``subject_id`` consents to ``purposes``, expressed at ``at``.

        ``given_by`` defaults to the subject; for a minor it names their
        guardian(s) who agreed (and may add the minor), and ``subject_assent``
        is the child's own answer (``True``/``False``; ``None``: not asked
        yet, which leaves the consent pending). The child's own yes may come
        first, on its own (``given_by`` the child, ``subject_assent=True``):
        it is their assent, pending their guardians' agreement. ``platforms`` is every
        platform when ``None``; ``scope`` is all content when ``None``; the
        record holds from ``valid_from`` (default ``at``) until
        ``valid_until`` (open-ended when ``None``). ``consent_id`` defaults
        to the next free ``c-N``.

        ``now`` is when the record is keyed in (stored as ``recorded_at``):
        an ``at`` more than :data:`~terrain.consent.CLOCK_SKEW` after it is
        refused, unless ``scheduled=True``: a *scheduled* consent is recorded
        as expressed ``now`` and in force from ``at``. Returns the new record.
        """
        return self._record(
            ConsentStatus.GIVEN, subject_id, purposes=purposes, at=at, evidence=evidence,
            given_by=given_by, platforms=platforms, scope=scope, valid_from=valid_from,
            valid_until=valid_until, subject_assent=subject_assent, consent_id=consent_id,
            recorded_by=recorded_by, now=now, scheduled=scheduled,
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
        now: datetime | None = None,
    ) -> Consent:
        """Record that ``subject_id`` refuses ``purposes`` (same arguments as :meth:`grant`).

        A refusal wins over every applicable grant expressed before it or at
        the same instant, and blocks until the same person agrees again. A
        minor may refuse on their own (``given_by`` defaults to them), and so
        may each guardian.
        """
        return self._record(
            ConsentStatus.REFUSED, subject_id, purposes=purposes, at=at, evidence=evidence,
            given_by=given_by, platforms=platforms, scope=scope, valid_from=valid_from,
            valid_until=valid_until, subject_assent=subject_assent, consent_id=consent_id,
            recorded_by=recorded_by, now=now, scheduled=False,
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
        now: datetime | None,
        scheduled: bool,
    ) -> Consent:
        require_aware(at, "at")
        for value, what in ((valid_from, "valid_from"), (valid_until, "valid_until"),
                            (now, "now")):
            if value is not None:
                require_aware(value, what)
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
        said = at
        if now is not None and in_future(at, now):
            if not scheduled:
                raise future_error(at, now, "a consent")
            said, valid_from = now, at if valid_from is None else valid_from
        start = said if valid_from is None else valid_from
        if valid_until is not None and instant(valid_until) <= instant(start):
            raise ConsentError(
                f"the end {valid_until.isoformat()} is not after the start "
                f"{start.isoformat()}: give an end after the start, or none for no end"
            )
        consent = Consent(
            id=consent_id if consent_id is not None else self._next_id(),
            subject_id=member.id,
            given_by=(member.id,) if given_by is None else tuple(given_by),
            purposes=purposes_of(purposes),
            valid_from=start,
            evidence=evidence,
            history=(
                StatusChange(status=status, at=said, recorded_by=recorded_by, recorded_at=now),
            ),
            platforms=platforms_of(platforms, self._known_platforms),
            scope=Scope() if scope is None else scope,
            valid_until=valid_until,
            subject_assent=subject_assent,
        )
        event = ConsentRecorded(consent=consent)
        check_event(self, event, replaying=False)
        self._append(event)
        return self._records[consent.id]

    def _next_id(self) -> str:
        self._settle_all()
        n = len(self._base) + 1
        while f"c-{n}" in self._base:
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
        now: datetime | None = None,
    ) -> tuple[Consent, ...]:
        """Record that ``subject_id`` withdraws consent at ``at``; the records it ends.

        Without filters it covers everything. ``purposes``, ``platforms`` and
        ``scope`` narrow it to those purposes, platforms and content: the rest
        of each record stays in force. The withdrawal is always recorded: it
        also ends consent expressed before ``at`` that is keyed in later (a
        paper form found in a drawer). Returns the records it ends, or the
        part it ends of them, as they stand after it — ``()`` when nothing
        was in force (the withdrawal still counts). ``now``: as for
        :meth:`grant` (a withdrawal cannot be expressed in the future).
        """
        require_aware(at, "at")
        if now is not None:
            require_aware(now, "now")
        self.member(subject_id)
        if now is not None and in_future(at, now):
            raise future_error(at, now, "a withdrawal")
        if scope is not None and not isinstance(scope, Scope):
            raise ConsentError(f"scope must be a terrain.consent.Scope, got {type(scope).__name__}")
        event = ConsentWithdrawn(
            subject_id=subject_id,
            at=at,
            purposes=None if purposes is None else purposes_of(purposes),
            platforms=platforms_of(platforms, self._known_platforms),
            scope=scope,
            note=note,
            recorded_by=recorded_by,
            recorded_at=now,
        )
        reached = self.reached_by(
            subject_id, at=at, purposes=event.purposes, platforms=event.platforms, scope=scope
        )
        self.apply(event)
        return tuple(self._records[c.id] for c in reached)

    def reached_by(
        self,
        subject_id: str,
        *,
        at: datetime,
        purposes: Iterable[Purpose | str] | Purpose | str | None = None,
        platforms: Iterable[str] | str | None = None,
        scope: Scope | None = None,
    ) -> tuple[Consent, ...]:
        """The records a withdrawal at ``at`` would end (in part or whole) that no
        withdrawal recorded so far has ended: consents expressed at or before
        ``at``, not expired by then, that the withdrawal covers."""
        when = instant(require_aware(at, "at"))
        wanted = Slice(
            None if purposes is None else purposes_of(purposes), platforms_of(platforms), scope
        )
        found: list[Consent] = []
        for consent_id in self._records_of(subject_id):
            consent = self._base[consent_id]
            if consent.history[0].status is not ConsentStatus.GIVEN or expressed(consent) > when:
                continue
            until = until_at(consent, self._renewals.get(consent_id, ()), at)
            if until is not None and instant(until) <= when:
                continue
            part = wanted.overlap(consent)
            if part is None:
                continue
            if any(
                w.ends(consent) and instant(w.at) <= when and w.slice.contains(part)
                for w in self._withdrawals.get(subject_id, ())
            ):
                continue
            found.append(self._records[consent_id])
        return tuple(found)

    def renew(
        self, consent_id: str, *, at: datetime, valid_until: datetime, note: str = "",
        recorded_by: str | None = None, now: datetime | None = None,
    ) -> Consent:
        """Record that consent ``consent_id`` was renewed at ``at``: from then on it
        holds until ``valid_until``.

        A renewal changes how long a grant holds (it may also bring back one
        that had expired, from ``at`` on); it never brings back a withdrawn
        record and never lifts a refusal: for those, record a new grant.
        """
        require_aware(at, "at")
        require_aware(valid_until, "valid_until")
        if now is not None and in_future(at, require_aware(now, "now")):
            raise future_error(at, now, "a renewal")
        event = ConsentRenewed(
            consent_id=consent_id,
            subject_id=self.get(consent_id).subject_id,
            at=at,
            valid_until=valid_until,
            note=note,
            recorded_by=recorded_by,
            recorded_at=now,
        )
        check_event(self, event, replaying=False)
        self._append(event)
        return self._records[consent_id]

    # -- events --------------------------------------------------------------

    def apply(self, event: ConsentEvent) -> Consent | None:
        """Append ``event`` after checking it as the recording methods do.

        Returns the record as it stands after the event (``None`` for a
        withdrawal, which is about a person rather than one record). Raises
        (and changes nothing) when the event does not fit the ledger.
        """
        check_event(self, event, replaying=False)
        return self._append(event)

    def _append(self, event: ConsentEvent, place: int | None = None) -> Consent | None:
        """Apply a checked event: indexes, standing records, the log (at the end, or at
        ``place`` for a stored event decoded when first needed, which keeps its place)."""
        changed: Consent | None
        if place is None:
            place = len(self._events)
            self._events.append(event)
        else:
            self._events[place] = event
        if isinstance(event, ConsentRecorded):
            consent = event.consent
            self._base[consent.id] = consent
            self._said[consent.id] = said = expressed(consent)
            self._starts[consent.id] = starts = instant(consent.valid_from)
            self._facts[consent.id] = facts = Facts.of(consent, said, starts)
            self._position[consent.id] = place
            scope = consent.scope
            theirs = self._scoped.setdefault(consent.subject_id, {})
            for purpose in consent.purposes:
                key = (consent.subject_id, purpose, scope.kind, scope.ref)
                self._in_order(self._index.setdefault(key, []), consent.id, place)
                shelve(theirs.setdefault((purpose, scope.kind, scope.ref), []), facts)
            self._in_order(self._by_subject.setdefault(consent.subject_id, []), consent.id, place)
            changed = self._refresh(consent.id)
        elif isinstance(event, ConsentWithdrawn):
            record = None if event.consent_id is None else self._base[event.consent_id]
            withdrawal = Withdrawal.of(event, record)
            self._withdrawals.setdefault(event.subject_id, []).append(withdrawal)
            self._withdrawn_at.setdefault(event.subject_id, []).append(
                (instant(withdrawal.at), withdrawal)
            )
            for consent_id in self._by_subject.get(event.subject_id, ()):
                if withdrawal.ends(self._base[consent_id]):
                    self._refresh(consent_id)
            changed = None if record is None else self._records[record.id]
        else:
            renewals = self._renewals.setdefault(event.consent_id, [])
            renewals.append(
                Renewal(event.at, event.valid_until, event.note, event.recorded_by,
                        event.recorded_at)
            )
            renewals.sort(key=Renewal.order)
            changed = self._refresh(event.consent_id)
        return changed

    def _in_order(self, ids: list[str], consent_id: str, place: int) -> None:
        """Add ``consent_id`` (at ``place`` in the log) to ``ids``, kept in log order."""
        if not ids or self._position[ids[-1]] < place:
            ids.append(consent_id)
        else:
            ids.insert(bisect.bisect(ids, place, key=self._position.__getitem__), consent_id)

    # -- stored events decoded when first needed -----------------------------

    def extend_stored(self, events: Iterable[StoredEvent]) -> None:
        """Apply stored ``events`` in log order, as :meth:`extend` does, leaving the
        records scoped to one event, project or content undecoded until a question
        reaches that person in that scope (see :class:`StoredEvent`): what the ledger
        answers is the same as if each had been decoded at once."""
        for stored in events:
            scope, consent_id, subject = stored.scope, stored.consent_id, stored.subject_id
            if (
                scope is not None and consent_id is not None and subject is not None
                and consent_id not in self._base and consent_id not in self._waiting_ids
            ):
                key = (subject, *scope)
                self._waiting.setdefault(key, []).append((len(self._events), consent_id))
                self._waiting_scopes.setdefault(subject, set()).add(scope)
                self._waiting_ids[consent_id] = key
                self._events.append(stored)
                continue
            if stored.renews is not None and stored.renews in self._waiting_ids:
                self._waiting_renewals.setdefault(stored.renews, []).append(len(self._events))
                self._events.append(stored)
                continue
            event = stored.read()
            check_event(self, event, replaying=True)
            self._append(event)

    def events_since(self, count: int) -> tuple[ConsentEvent, ...]:
        """The events appended after the first ``count`` of the log (``events()[count:]``,
        without decoding the stored events before them)."""
        if any(isinstance(e, StoredEvent) for e in self._events[count:]):
            self._settle_all()
        return tuple(self._events[count:])  # type: ignore[arg-type]  # every one decoded

    def event_count(self) -> int:
        """How many events the log holds (decoded or not): :meth:`events` without
        decoding them."""
        return len(self._events)

    def _settle(self, key: tuple[str, str, str]) -> None:
        """Decode the waiting records of ``key`` (subject, scope kind, ref) and their
        renewals, and apply them in log order. Every one is read before any is
        applied: one that cannot be read raises, and what waits stays waiting."""
        waiting = self._waiting.get(key)
        if waiting is None:
            return
        places = [place for place, _id in waiting]
        for _place, consent_id in waiting:
            places.extend(self._waiting_renewals.get(consent_id, ()))
        read = []
        for place in sorted(places):
            stored = self._events[place]
            assert isinstance(stored, StoredEvent)
            read.append((place, stored.read()))
        del self._waiting[key]
        subject, kind, ref = key
        scopes = self._waiting_scopes[subject]
        scopes.discard((kind, ref))
        if not scopes:
            del self._waiting_scopes[subject]
        for _place, consent_id in waiting:
            del self._waiting_ids[consent_id]
            self._waiting_renewals.pop(consent_id, None)
        for place, event in read:
            check_event(self, event, replaying=True)
            self._append(event, place)

    def _settle_target(self, subject_id: str, target: Target) -> None:
        """Decode what a question about ``subject_id`` in ``target`` reads."""
        scopes = self._waiting_scopes.get(subject_id)
        if not scopes:
            return
        for kind, refs in (
            ("event", target.event_ids),
            ("project", target.project_ids),
            ("content", target.content_ids),
        ):
            for ref in refs:
                if (kind, ref) in scopes:
                    self._settle((subject_id, kind, ref))

    def _settle_subject(self, subject_id: str) -> None:
        """Decode every waiting record of ``subject_id``."""
        for kind, ref in sorted(self._waiting_scopes.get(subject_id, ())):
            self._settle((subject_id, kind, ref))

    def _settle_id(self, consent_id: str) -> None:
        """Decode waiting record ``consent_id`` (and the others of its scope)."""
        key = self._waiting_ids.get(consent_id)
        if key is not None:
            self._settle(key)

    def _settle_all(self) -> None:
        """Decode every waiting event."""
        for key in sorted(self._waiting):
            self._settle(key)

    def _records_of(self, subject_id: str) -> list[str]:
        """The ids of ``subject_id``'s records, in log order, every one decoded."""
        self._settle_subject(subject_id)
        return self._by_subject.get(subject_id, [])

    def _fully_withdrawn(self, consent: Consent) -> Withdrawal | None:
        """The withdrawal that completed ending the whole of ``consent``, if any."""
        if consent.history[0].status is not ConsentStatus.GIVEN:
            return None
        ending = [w for w in self._withdrawals.get(consent.subject_id, ()) if w.ends(consent)]
        if not ending:
            return None
        last: Withdrawal | None = None
        for purpose in consent.purposes:
            part = Slice(frozenset((purpose,)), consent.platforms, consent.scope)
            first = min(
                (w for w in ending if w.slice.contains(part)),
                key=lambda w: instant(w.at),
                default=None,
            )
            if first is None:
                return None
            if last is None or instant(first.at) > instant(last.at):
                last = first
        return last

    def _refresh(self, consent_id: str) -> Consent:
        """Record ``consent_id`` as it stands: renewals and a full withdrawal in its history."""
        base = self._base[consent_id]
        ended = self._fully_withdrawn(base)
        if ended is None and consent_id not in self._renewals:
            self._records[consent_id] = base  # as expressed: nothing to add
            return base
        history = [base.history[0]]
        until = base.valid_until
        for renewal in self._renewals.get(consent_id, ()):
            if ended is not None and instant(renewal.at) >= instant(ended.at):
                continue
            until = renewal.until
            history.append(
                StatusChange(
                    status=ConsentStatus.GIVEN,
                    at=renewal.at,
                    note=renewal.note or f"renewed until {renewal.until.isoformat()}",
                    recorded_by=renewal.recorded_by,
                    recorded_at=renewal.recorded_at,
                )
            )
        if ended is not None:
            history.append(
                StatusChange(
                    status=ConsentStatus.WITHDRAWN,
                    at=ended.at,
                    note=ended.event.note,
                    recorded_by=ended.event.recorded_by,
                    recorded_at=ended.event.recorded_at,
                )
            )
        record = attrs.evolve(base, valid_until=until, history=tuple(history))
        self._records[consent_id] = record
        return record

    def events(self) -> tuple[ConsentEvent, ...]:
        """Every event appended so far, oldest first (the append-only log)."""
        if self._waiting:
            self._settle_all()
        return tuple(self._events)  # type: ignore[arg-type]  # every one decoded

    @classmethod
    def replay(
        cls,
        events: Iterable[ConsentEvent],
        *,
        members: Iterable[Member] = (),
        guardians: GuardianRule = "all",
        handle_lookup: Callable[[frozenset[str]], Mapping[str, str]] | None = None,
    ) -> ConsentLedger:
        """A new ledger made by applying ``events`` one at a time, in order, knowing ``members``.

        The member rules checked when each record was first made (known
        subject, who may sign for whom, known platforms) are not checked
        again: members change (someone leaves, a birth date is corrected) and
        the history must still load. Decisions apply the members as known now
        — a record of someone now known to be a minor counts only with their
        guardians' agreement. The history itself is checked (unique ids,
        ownership, order within a record). ``handle_lookup``: as for the class.
        """
        ledger = cls(members, guardians=guardians, handle_lookup=handle_lookup)
        for event in events:
            ledger.extend((event,))
        return ledger

    def extend(self, events: Iterable[ConsentEvent]) -> None:
        """Apply stored ``events`` in log order, as :meth:`replay` does (the member
        rules of the time they were recorded are not checked again)."""
        for event in events:
            check_event(self, event, replaying=True)
            self._append(event)

    # -- reading -------------------------------------------------------------

    def get(self, consent_id: str) -> Consent:
        """Record ``consent_id`` as it stands, or :class:`~terrain.errors.NotFound`."""
        if consent_id in self._waiting_ids:
            self._settle_id(consent_id)
        try:
            return self._records[consent_id]
        except KeyError:
            raise NotFound(
                f"no consent record {consent_id!r}: list a member's records with "
                "`terrain consent list MEMBER` (ledger.for_subject in the API)"
            ) from None

    def for_subject(self, subject_id: str) -> tuple[Consent, ...]:
        """Every record of ``subject_id``, in the order they were recorded."""
        return tuple(self._records[c] for c in self._records_of(subject_id))

    def withdrawals(self, subject_id: str) -> tuple[ConsentWithdrawn, ...]:
        """Every withdrawal of ``subject_id``, in the order they were recorded."""
        return tuple(w.event for w in self._withdrawals.get(subject_id, ()))

    def __len__(self) -> int:
        return len(self._base) + len(self._waiting_ids)

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
        require_aware(at, "ConsentLedger.state_for: at")
        return self._state(subject_id, purpose, platform, at, target)

    def _state(
        self, subject_id: str, purpose: Purpose, platform: str, at: datetime, target: Target,
        when: datetime | None = None, key: str | None = None,
        scopes: tuple[ScopeKey, ...] | None = None, plain: bool = True,
    ) -> ConsentState:
        """:meth:`state_for` of an ``at`` already checked (decide() checks it once, and
        passes what it works out once per decision or content: ``when``, ``at`` in UTC;
        ``key``, :func:`platform_key` of ``platform``; ``scopes``, the
        :meth:`Target.scopes` of ``target`` for ``purpose``; ``plain=False`` when
        :func:`plain_state` was asked already)."""
        if when is None:
            when = instant(at)
        if plain:
            found = plain_state(
                self, subject_id, purpose, platform,
                platform_key(platform) if key is None else key, at, when,
                target.scopes(purpose) if scopes is None else scopes,
            )
            if found is not None:
                return found
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
        return Judgement(self, member, purpose, platform, at, target, when, scopes).state()

    def _bearing(self, subject_id: str, purpose: Purpose, target: Target) -> Hashable:
        """What of ``target`` a question about ``subject_id`` and ``purpose`` depends on:
        the index keys it finds records under, and which of the person's withdrawals
        cover it. Two targets with the same bearing get the same answer from
        :meth:`state_for` (at the same instant, on the same platform), which is what
        lets :func:`~terrain.consent.decide` ask once per person and share it."""
        self._settle_target(subject_id, target)
        index = self._index
        found = frozenset(k for k in target.keys(subject_id, purpose) if k in index)
        covered = tuple(
            target.covered_by(w.slice.scope) for w in self._withdrawals.get(subject_id, ())
        )
        return found, covered

    def record_states(self, subject_id: str, *, at: datetime) -> tuple[RecordState, ...]:
        """Where each record of ``subject_id`` expressed by ``at`` stands at ``at``:
        given, scheduled, pending guardian or assent, partly withdrawn, withdrawn,
        expired, refused or lifted (see :class:`~terrain.consent.RecordStatus`)."""
        return record_states(self, self.member(subject_id), require_aware(at, "at"))

    def _name(self, member_id: str) -> str:
        member = self._members.get(member_id)
        return member_id if member is None else member.display_name
