"""The pieces the ledger's rules are made of: slices, withdrawals, voices, renewals.

- A :class:`Slice` is *what* a withdrawal covers (purposes, platforms, scope);
  ``None`` in a field means "all of them".
- :func:`voices` says who said yes and who said no in a record, among the
  people whose word counts for the subject *now*: an adult's own, or a minor's
  guardians on record and the child.
- :func:`until_at` is when a record ends, as known at an instant (renewals
  expressed up to then).

Everything here is pure and depends only on what was expressed and when,
never on the order records were keyed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import attrs

from terrain._time import instant
from terrain.community import Member
from terrain.consent._events import ConsentWithdrawn
from terrain.consent._records import Consent, ConsentStatus, Purpose, Scope, ScopeKind
from terrain.consent._state import Target

__all__ = ["Renewal", "Slice", "Withdrawal", "expressed", "latest", "until_at", "voices"]


def expressed(consent: Consent) -> datetime:
    """When ``consent`` was expressed, in UTC: the form in which instants compare
    correctly (two times of one zone compare by wall time in Python, which in
    the repeated autumn hour puts the later one first)."""
    return instant(consent.history[0].at)


def _scope_or_none(scope: Scope | None) -> Scope | None:
    return None if scope is None or scope.kind is ScopeKind.ALL else scope


@attrs.frozen
class Slice:
    """Purposes × platforms × content: what a withdrawal covers (``None``: all)."""

    purposes: frozenset[Purpose] | None = None
    platforms: frozenset[str] | None = None
    scope: Scope | None = attrs.field(default=None, converter=_scope_or_none)

    @classmethod
    def of_record(cls, consent: Consent) -> Slice:
        """Everything record ``consent`` is about."""
        return cls(consent.purposes, consent.platforms, consent.scope)

    def applies(self, purpose: Purpose, platform: str, target: Target) -> bool:
        """Whether this slice covers the question (``platform`` already a key)."""
        return (
            (self.purposes is None or purpose in self.purposes)
            and (self.platforms is None or platform in self.platforms)
            and target.covered_by(self.scope)
        )

    def overlap(self, consent: Consent) -> Slice | None:
        """The part of record ``consent`` this slice covers, or ``None``.

        Two different scopes (an event and a content item) do not overlap
        here: the ledger does not know which content belongs to which event.
        Decisions, which do know, apply the withdrawal exactly.
        """
        purposes = consent.purposes if self.purposes is None else consent.purposes & self.purposes
        if not purposes:
            return None
        platforms: frozenset[str] | None
        if consent.platforms is None:
            platforms = self.platforms
        elif self.platforms is None:
            platforms = consent.platforms
        else:
            platforms = consent.platforms & self.platforms
            if not platforms:
                return None
        mine = _scope_or_none(consent.scope)
        if self.scope is not None and mine is not None and self.scope != mine:
            return None
        return Slice(purposes, platforms, mine if mine is not None else self.scope)

    def contains(self, other: Slice) -> bool:
        """Whether this slice covers all of ``other``."""
        return (
            (
                self.purposes is None
                or (other.purposes is not None and other.purposes <= self.purposes)
            )
            and (
                self.platforms is None
                or (other.platforms is not None and other.platforms <= self.platforms)
            )
            and (self.scope is None or self.scope == other.scope)
        )

    def describe(self) -> str:
        """``"tag on instagram, for event ev-03"``; ``"everything"`` for all of it."""
        if self.purposes is None and self.platforms is None and self.scope is None:
            return "everything"
        what = (
            "every purpose" if self.purposes is None
            else ", ".join(sorted(p.value for p in self.purposes))
        )
        where = (
            "every platform" if self.platforms is None else ", ".join(sorted(self.platforms))
        )
        scope = "all content" if self.scope is None else str(self.scope)
        return f"{what} on {where}, for {scope}"


@attrs.frozen
class Withdrawal:
    """A withdrawal as the ledger applies it: from ``at`` on, ``slice`` of every
    consent expressed at or before ``at`` is ended."""

    at: datetime
    slice: Slice
    event: ConsentWithdrawn

    @classmethod
    def of(cls, event: ConsentWithdrawn, record: Consent | None) -> Withdrawal:
        """The withdrawal ``event`` stands for (``record``: the one it names, if it names one)."""
        if event.consent_id is not None and record is not None:
            return cls(event.at, Slice.of_record(record), event)
        return cls(event.at, Slice(event.purposes, event.platforms, event.scope), event)

    def ends(self, consent: Consent) -> bool:
        """Whether ``consent`` was expressed at or before this withdrawal."""
        return expressed(consent) <= instant(self.at)


@attrs.frozen
class Renewal:
    """Record ``consent_id`` holds until ``until`` from ``at`` on."""

    at: datetime
    until: datetime
    note: str = ""
    recorded_by: str | None = None
    recorded_at: datetime | None = None

    def order(self) -> tuple[datetime, float]:
        """Sort key: by instant; at the same instant the shortest renewal comes last
        (and so wins: when two renewals tie, the more cautious one holds)."""
        return (instant(self.at), -self.until.timestamp())


def until_at(consent: Consent, renewals: Sequence[Renewal], at: datetime) -> datetime | None:
    """When ``consent`` ends as known at ``at``: its ``valid_until`` changed by the
    renewals expressed up to ``at`` (``renewals`` sorted by :meth:`Renewal.order`)."""
    until = consent.valid_until
    when = instant(at)
    for renewal in renewals:
        if instant(renewal.at) > when:
            break
        until = renewal.until
    return until


def voices(consent: Consent, member: Member) -> tuple[frozenset[str], frozenset[str]]:
    """``(yes, no)``: who agreed and who refused in ``consent``, among the people
    whose word counts for ``member`` now.

    For an adult, every record of theirs is their own word. For a minor, their
    guardians on record who are among ``given_by`` speak, and so does the child:
    by being among ``given_by`` or through ``subject_assent`` (``True`` yes,
    ``False`` no). A refusal says no for everyone it names; a grant in which
    the child did not assent is the child's no.
    """
    given = consent.history[0].status is ConsentStatus.GIVEN
    if not member.is_minor:
        me = frozenset((member.id,))
        return (me, frozenset()) if given else (frozenset(), me)
    people = {*member.guardian_ids, member.id}
    named = {p for p in consent.given_by if p in people}
    child_no = {member.id} if consent.subject_assent is False else set()
    if not given:
        return frozenset(), frozenset(named | child_no)
    child_yes = {member.id} if consent.subject_assent is True else set()
    return frozenset((named | child_yes) - child_no), frozenset(child_no)


def latest(records: Iterable[Consent]) -> Consent | None:
    """The record expressed last (the highest id among ties, for a stable answer)."""
    best: Consent | None = None
    for record in records:
        if best is None or (expressed(record), record.id) > (expressed(best), best.id):
            best = record
    return best
