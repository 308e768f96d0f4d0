"""A reference model of the consent rules, written apart from the ledger.

The ledger answers "may we?" from indexes and "latest no before this yes"
comparisons. This model answers the same question the slow, obvious way: it
sorts everything expressed up to the instant asked by *expressed* time (at one
instant, every yes before every no) and replays it, voice by voice — a
grant adds itself to the people who said yes in it, a refusal clears the
grants of the people who said no, a withdrawal clears everything so far.
What is left, and still within its dates at the instant asked, is consent.

Nothing here depends on the order events were keyed in: the model reads the
events as a set. Tests compare the ledger with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from terrain import Member
from terrain._time import instant
from terrain.consent import (
    Consent,
    ConsentEvent,
    ConsentRecorded,
    ConsentRenewed,
    ConsentStatus,
    ConsentWithdrawn,
    Purpose,
    Scope,
    ScopeKind,
)


@dataclass(frozen=True)
class Where:
    """What a question is about: the content, events and projects it covers."""

    content_ids: frozenset[str] = frozenset()
    event_ids: frozenset[str] = frozenset()
    project_ids: frozenset[str] = frozenset()

    def covered_by(self, scope: Scope | None) -> bool:
        if scope is None or scope.kind is ScopeKind.ALL:
            return True
        refs = {
            ScopeKind.EVENT: self.event_ids,
            ScopeKind.PROJECT: self.project_ids,
            ScopeKind.CONTENT: self.content_ids,
        }[scope.kind]
        return scope.ref in refs


@dataclass
class Model:
    """The rules, replayed in expressed-time order for each question."""

    events: Iterable[ConsentEvent]
    members: Mapping[str, Member]
    guardians: str = "all"
    records: dict[str, Consent] = field(init=False)
    withdrawals: list[ConsentWithdrawn] = field(init=False)
    renewals: dict[str, list[ConsentRenewed]] = field(init=False)

    def __post_init__(self) -> None:
        events = list(self.events)
        self.records = {e.consent.id: e.consent for e in events if isinstance(e, ConsentRecorded)}
        self.withdrawals = [e for e in events if isinstance(e, ConsentWithdrawn)]
        self.renewals = {}
        for e in events:
            if isinstance(e, ConsentRenewed):
                self.renewals.setdefault(e.consent_id, []).append(e)

    # -- what each record says --------------------------------------------------

    def _voices(self, record: Consent, member: Member) -> tuple[set[str], set[str]]:
        """Who said yes, who said no, among the people who count for ``member`` now."""
        given = record.history[0].status is ConsentStatus.GIVEN
        if not member.is_minor:
            return ({member.id}, set()) if given else (set(), {member.id})
        child = member.id
        yes: set[str] = set()
        no: set[str] = set()
        for person in record.given_by:
            if person in member.guardian_ids or person == child:
                (yes if given else no).add(person)
        if record.subject_assent is True and given:
            yes.add(child)
        if record.subject_assent is False:
            no.add(child)
            yes.discard(child)
        return yes, no

    def until(self, record: Consent, at: datetime) -> datetime | None:
        """When ``record`` ends, as renewed by ``at`` (the later renewal; the
        shorter one when two were expressed at the same instant)."""
        known = [r for r in self.renewals.get(record.id, []) if instant(r.at) <= instant(at)]
        if not known:
            return record.valid_until
        last = max(instant(r.at) for r in known)
        return min((r.valid_until for r in known if instant(r.at) == last), key=instant)

    def _within(self, record: Consent, at: datetime) -> bool:
        end = self.until(record, at)
        now = instant(at)
        return instant(record.valid_from) <= now and (end is None or now < instant(end))

    # -- the question -----------------------------------------------------------

    def valid(self, person: str, purpose: Purpose, platform: str, where: Where,
              at: datetime) -> bool:
        member = self.members.get(person)
        if member is None:
            return False
        key = platform.casefold()
        timeline: list[tuple[datetime, int, str, object]] = []
        for record in self.records.values():
            first = record.history[0]
            if not (
                record.subject_id == person
                and purpose in record.purposes
                and (record.platforms is None or key in record.platforms)
                and where.covered_by(record.scope)
                and instant(first.at) <= instant(at)
            ):
                continue
            yes, no = self._voices(record, member)
            timeline.append((instant(first.at), 0, "yes", (record, yes)))
            timeline.append((instant(first.at), 1, "no", no))
        for withdrawal in self.withdrawals:
            if withdrawal.subject_id != person or instant(withdrawal.at) > instant(at):
                continue
            if withdrawal.consent_id is not None:
                named = self.records[withdrawal.consent_id]
                purposes, platforms, scope = named.purposes, named.platforms, named.scope
            else:
                purposes, platforms, scope = (
                    withdrawal.purposes, withdrawal.platforms, withdrawal.scope
                )
            if (
                (purposes is None or purpose in purposes)
                and (platforms is None or key in platforms)
                and where.covered_by(scope)
            ):
                timeline.append((instant(withdrawal.at), 1, "withdrawn", None))
        counted = {person} if not member.is_minor else {person, *member.guardian_ids}
        active: dict[str, list[Consent]] = {v: [] for v in counted}
        said_no: set[str] = set()
        for _at, _order, kind, what in sorted(timeline, key=lambda t: (t[0], t[1])):
            if kind == "yes":
                record, yes = what  # type: ignore[misc]
                for voice in yes:
                    active[voice].append(record)
            elif kind == "no":
                for voice in what:  # type: ignore[attr-defined]
                    active[voice].clear()
                    said_no.add(voice)
            else:
                for voice in active:
                    active[voice].clear()
        holding = {v for v in counted if any(self._within(r, at) for r in active[v])}
        if said_no - holding:
            return False
        if not member.is_minor:
            return person in holding
        guardians = list(member.guardian_ids)
        agreed = [g for g in guardians if g in holding]
        enough = len(agreed) == len(guardians) if self.guardians == "all" else bool(agreed)
        return person in holding and enough
