"""The question a ledger answers, and the answer: targets, states, rules.

:class:`Target` says which content a question is about (and so which scoped
records may cover it); :class:`ConsentState` is the answer for one person,
purpose, platform and instant; :class:`RecordState` says where one record
stands at an instant (what ``terrain consent list`` shows).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeAlias

import attrs

from terrain.community import Member
from terrain.consent._records import (
    Consent,
    ConsentStatus,
    Purpose,
    Scope,
    ScopeKind,
    platform_key,
)
from terrain.consent._status import RecordStatus
from terrain.errors import ConsentError

if TYPE_CHECKING:
    from terrain.content import Content

__all__ = ["CLOCK_SKEW", "ConsentState", "RecordState", "RecordStatus", "Target"]

#: How far in the future an expression time may be before it is refused as a
#: typo (clocks of two machines never agree exactly).
CLOCK_SKEW = timedelta(minutes=5)

IndexKey: TypeAlias = tuple[str, Purpose, ScopeKind, str | None]
#: An index key without the person: a record's key among that person's records.
ScopeKey: TypeAlias = tuple[Purpose, ScopeKind, str | None]


def day(at: datetime) -> str:
    """``at`` as an ISO date in its own time zone, for messages."""
    return at.date().isoformat()


def to_purpose(value: object) -> Purpose:
    """A :class:`Purpose` from itself or its value, or a :class:`ConsentError`."""
    if isinstance(value, Purpose):
        return value
    try:
        return Purpose(str(value))
    except ValueError:
        allowed = ", ".join(repr(p.value) for p in Purpose)
        raise ConsentError(f"unknown purpose {value!r}: use one of {allowed}") from None


def purposes_of(values: Iterable[Purpose | str] | Purpose | str) -> frozenset[Purpose]:
    """Purposes as consents keep them, from their names or values: at least one
    (:class:`~terrain.errors.ConsentError` names the known purposes otherwise)."""
    if isinstance(values, str):  # Purpose is a str too
        values = (values,)
    found = frozenset(to_purpose(v) for v in values)
    if not found:
        raise ConsentError("name at least one purpose (e.g. 'publish')")
    return found


def platforms_of(
    values: Iterable[str] | str | None, known: Iterable[str] | None = None
) -> frozenset[str] | None:
    """Platform names as consents keep them (lower case), checked against ``known``
    (case-insensitively) when given."""
    if values is None:
        return None
    if isinstance(values, str):
        values = (values,)
    given = list(values)
    for platform in given:
        if not isinstance(platform, str) or not platform.strip():
            raise ConsentError(f"platform {platform!r}: give a platform name such as 'instagram'")
    if not given:
        raise ConsentError("name at least one platform, or none at all for every platform")
    found = frozenset(platform_key(p) for p in given)
    if known is not None:
        names = {platform_key(k) for k in known}
        unknown = sorted(p for p in given if platform_key(p) not in names)
        if unknown:
            listed = ", ".join(sorted(names)) or "none"
            raise ConsentError(
                f"unknown platform {unknown[0]!r}: terrain knows {listed} (platform names are "
                "not case-sensitive); fix the spelling, or install or configure that platform "
                "first (`terrain plugins` lists them)"
            )
    return found


@attrs.frozen
class Target:
    """What a question is about: the content ids, events and projects it covers.

    A consent scoped to an event covers the target when the event is one of
    ``event_ids`` (likewise for projects and content items). A target with
    nothing in it (a plain text post) is covered only by "all content" scopes.
    """

    content_ids: frozenset[str] = frozenset()
    event_ids: frozenset[str] = frozenset()
    project_ids: frozenset[str] = frozenset()

    @classmethod
    def of_scope(cls, scope: Scope) -> Target:
        """The content a scope names (nothing in particular for "all content")."""
        if scope.ref is None:
            return _NOWHERE
        ref = frozenset((scope.ref,))
        if scope.kind is ScopeKind.EVENT:
            return cls(event_ids=ref)
        if scope.kind is ScopeKind.PROJECT:
            return cls(project_ids=ref)
        return cls(content_ids=ref)

    @classmethod
    def of(cls, content: Content | None) -> Target:
        """The target of one content item (or of nothing in particular)."""
        if content is None:
            return _NOWHERE
        return cls(
            content_ids=frozenset((content.id,)),
            event_ids=frozenset(() if content.event_id is None else (content.event_id,)),
            project_ids=frozenset(() if content.project_id is None else (content.project_id,)),
        )

    def covered_by(self, scope: Scope | None) -> bool:
        """Whether a consent (or a withdrawal) of ``scope`` covers this target
        (``None``: all content)."""
        if scope is None or scope.kind is ScopeKind.ALL:
            return True
        if scope.kind is ScopeKind.EVENT:
            return scope.ref in self.event_ids
        if scope.kind is ScopeKind.PROJECT:
            return scope.ref in self.project_ids
        return scope.ref in self.content_ids

    def scopes(self, purpose: Purpose) -> tuple[ScopeKey, ...]:
        """The keys of a person's records (:meth:`keys` without the person) that may
        cover this target, in the same order."""
        keys: list[ScopeKey] = [(purpose, ScopeKind.ALL, None)]
        for event_id in self.event_ids:
            keys.append((purpose, ScopeKind.EVENT, event_id))
        for project_id in self.project_ids:
            keys.append((purpose, ScopeKind.PROJECT, project_id))
        for content_id in self.content_ids:
            keys.append((purpose, ScopeKind.CONTENT, content_id))
        return tuple(keys)

    def keys(self, subject_id: str, purpose: Purpose) -> list[IndexKey]:
        """The index keys whose records may cover this target."""
        keys: list[IndexKey] = [(subject_id, purpose, ScopeKind.ALL, None)]
        for event_id in self.event_ids:
            keys.append((subject_id, purpose, ScopeKind.EVENT, event_id))
        for project_id in self.project_ids:
            keys.append((subject_id, purpose, ScopeKind.PROJECT, project_id))
        for content_id in self.content_ids:
            keys.append((subject_id, purpose, ScopeKind.CONTENT, content_id))
        return keys


_NOWHERE = Target()


@attrs.frozen
class ConsentState:
    """The answer to "may we use ``subject_id`` for ``purpose`` on ``platform`` at ``at``?".

    ``valid`` says yes or no. ``consent`` is the record relied on when valid,
    or the record that explains the refusal (withdrawn, expired, refused…),
    or ``None`` when there is no record at all; ``status`` is that record's
    status at ``at``; ``member`` is the person as the ledger knows them
    (``None`` for an unknown id). ``reason`` is a human sentence without the person's name
    (``"consent withdrawn on 2026-03-02 (record c-7)"``). ``relied_on`` lists every
    record a valid answer rests on (for a minor: one per guardian and the child's
    assent, which may come from different records).
    """

    subject_id: str
    purpose: Purpose
    platform: str
    at: datetime
    valid: bool
    reason: str
    consent: Consent | None = None
    status: ConsentStatus | None = None
    member: Member | None = None
    relied_on: tuple[str, ...] = ()

    @property
    def consent_id(self) -> str | None:
        """The id of :attr:`consent`, if any."""
        return None if self.consent is None else self.consent.id


@attrs.frozen
class RecordState:
    """Record ``consent`` as it stands at ``at``: its ``status`` and a sentence
    saying why (``detail``), e.g. ``"tag withdrawn on 2026-03-20"``. For a
    minor's record pending a guardian or the child's assent, ``waiting_for``
    names whose agreement is missing (member ids, guardians first)."""

    consent: Consent
    at: datetime
    status: RecordStatus
    detail: str = ""
    waiting_for: tuple[str, ...] = ()

    @property
    def consent_id(self) -> str:
        """The id of the record."""
        return self.consent.id
