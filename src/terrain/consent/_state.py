"""The question a ledger answers, and the answer: targets, states, rules.

:class:`Target` says which content a question is about (and so which scoped
records may cover it); :class:`ConsentState` is the answer for one person,
purpose, platform and instant.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TypeAlias

import attrs

from terrain._time import instant
from terrain.community import Member
from terrain.consent._records import Consent, ConsentStatus, Purpose, Scope, ScopeKind
from terrain.content import Content
from terrain.errors import ConsentError

__all__ = ["ConsentState", "Target"]

IndexKey: TypeAlias = tuple[str, Purpose, ScopeKind, str | None]


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
    if isinstance(values, str):  # Purpose is a str too
        values = (values,)
    found = frozenset(to_purpose(v) for v in values)
    if not found:
        raise ConsentError("name at least one purpose (e.g. 'publish')")
    return found


def platforms_of(values: Iterable[str] | str | None) -> frozenset[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        values = (values,)
    found = frozenset(values)
    for platform in found:
        if not isinstance(platform, str) or not platform.strip():
            raise ConsentError(f"platform {platform!r}: give a platform name such as 'instagram'")
    if not found:
        raise ConsentError("name at least one platform, or pass platforms=None for all platforms")
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
    def of(cls, content: Content | None) -> Target:
        """The target of one content item (or of nothing in particular)."""
        if content is None:
            return _NOWHERE
        return cls(
            content_ids=frozenset((content.id,)),
            event_ids=frozenset(() if content.event_id is None else (content.event_id,)),
            project_ids=frozenset(() if content.project_id is None else (content.project_id,)),
        )

    def covered_by(self, scope: Scope) -> bool:
        """Whether a consent of ``scope`` covers this target."""
        if scope.kind is ScopeKind.ALL:
            return True
        if scope.kind is ScopeKind.EVENT:
            return scope.ref in self.event_ids
        if scope.kind is ScopeKind.PROJECT:
            return scope.ref in self.project_ids
        return scope.ref in self.content_ids

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
    (``"consent withdrawn on 2026-03-02 (record c-7)"``).
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

    @property
    def consent_id(self) -> str | None:
        """The id of :attr:`consent`, if any."""
        return None if self.consent is None else self.consent.id

def problem_of(
    consent: Consent,
    member: Member,
    guardians: tuple[str, ...],
    at: datetime,
    withdrawn_at: datetime | None,
) -> tuple[str | None, ConsentStatus | None]:
    """Why a given record does not hold at ``at`` (``None`` when it does).

    Instants are compared in UTC: two times of one zone compare by wall time,
    which in the repeated autumn hour puts the later one first.
    """
    at = instant(at)
    if withdrawn_at is not None and instant(withdrawn_at) <= at:
        return f"consent withdrawn on {day(withdrawn_at)} (record {consent.id})", (
            ConsentStatus.WITHDRAWN
        )
    if at < instant(consent.valid_from):
        return f"consent starts on {day(consent.valid_from)} (record {consent.id})", (
            ConsentStatus.GIVEN
        )
    if consent.valid_until is not None and instant(consent.valid_until) <= at:
        return f"consent expired on {day(consent.valid_until)} (record {consent.id})", (
            ConsentStatus.EXPIRED
        )
    if member.is_minor and not set(consent.given_by) & set(guardians):
        return (
            f"guardian consent missing (record {consent.id} was not given by a guardian)",
            ConsentStatus.GIVEN,
        )
    if consent.subject_assent is False:
        return (
            f"did not assent, although consent was given for them (record {consent.id})",
            ConsentStatus.GIVEN,
        )
    return None, None
