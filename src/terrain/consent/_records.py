"""Consent records: who agreed to what, for where, until when, on what evidence.

Shaped after ISO/IEC TS 27560 and the Kantara consent receipt. A record is
never edited: a withdrawal or a renewal is a new :class:`StatusChange` in the
ledger's append-only history, and :class:`Consent` is the state that history
replays to.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from itertools import pairwise
from typing import Any

import attrs

from terrain._time import instant
from terrain._validation import (
    as_enum,
    as_enum_set,
    aware_datetime,
    each,
    fail,
    identifier,
    instance_of,
    member_of,
    optional,
    storage_key,
    to_optional_frozenset,
    to_tuple,
    unique,
)
from terrain._validation import (
    text as text_of,
)
from terrain.consent._purpose import Purpose

__all__ = [
    "Consent",
    "ConsentStatus",
    "Evidence",
    "EvidenceKind",
    "Purpose",
    "Scope",
    "ScopeKind",
    "StatusChange",
    "platform_key",
]


def _to_purpose_set(values: Iterable[Purpose | str]) -> frozenset[Purpose]:
    return as_enum_set(Purpose, values)


class ConsentStatus(enum.StrEnum):
    """The status of a consent record (after the W3C DPV vocabulary)."""

    GIVEN = "given"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


def _to_consent_status(value: ConsentStatus | str) -> ConsentStatus:
    return as_enum(ConsentStatus, value)


class EvidenceKind(enum.StrEnum):
    """How consent was collected."""

    SIGNED_FORM = "signed-form"  #: a signed paper form, scanned or photographed
    CHECKBOX = "checkbox"  #: a ticked box, with the exact text and its version
    VERBAL = "verbal"  #: said aloud, in front of a witness
    WEB_FORM = "web-form"  #: a web form sent through a member's own link (``terrain serve``)


def _to_evidence_kind(value: EvidenceKind | str) -> EvidenceKind:
    return as_enum(EvidenceKind, value)


@attrs.frozen
class Evidence:
    """The proof that a consent (or refusal) was expressed.

    A signed form names the stored scan (``file_key``); a checkbox keeps the
    text the person saw and its ``version``; verbal consent names a ``witness``.
    A web form keeps the exact text shown and its ``version``, and ``link``: the
    id of the signed link it was sent through (never the link itself, which
    is a secret). The instant is the record's own (``history[0].at``).
    """

    kind: EvidenceKind = attrs.field(converter=_to_evidence_kind, validator=member_of(EvidenceKind))
    file_key: str | None = attrs.field(default=None, validator=optional(storage_key()))
    text: str = attrs.field(default="", validator=text_of(max_length=10000))
    version: str = attrs.field(default="", validator=text_of(max_length=100))
    witness: str | None = attrs.field(default=None, validator=optional(text_of(nonempty=True)))
    link: str | None = attrs.field(default=None, validator=optional(identifier()))

    def __attrs_post_init__(self) -> None:
        fields = attrs.fields(Evidence)
        if self.kind is EvidenceKind.WEB_FORM:
            if not (self.text.strip() and self.version.strip()):
                raise fail(
                    self, fields.text, "a web form needs the exact text shown and its version"
                )
            if self.link is None:
                raise fail(self, fields.link, "a web form needs the id of the link it came through")
        if self.kind is EvidenceKind.SIGNED_FORM and self.file_key is None:
            raise fail(self, fields.file_key, "a signed form needs the stored scan's key")
        if self.kind is EvidenceKind.CHECKBOX and not (self.text.strip() and self.version.strip()):
            raise fail(self, fields.text, "a checkbox needs the exact text shown and its version")
        if self.kind is EvidenceKind.VERBAL and self.witness is None:
            raise fail(self, fields.witness, "verbal consent needs a witness")


class ScopeKind(enum.StrEnum):
    """Which content a consent covers."""

    ALL = "all"  #: every content the person appears in
    EVENT = "event"  #: the content of one event
    PROJECT = "project"  #: the content of one project
    CONTENT = "content"  #: one content item


def _to_scope_kind(value: ScopeKind | str) -> ScopeKind:
    return as_enum(ScopeKind, value)


@attrs.frozen
class Scope:
    """The content a consent covers: all of it, or one event/project/content."""

    kind: ScopeKind = attrs.field(
        default=ScopeKind.ALL, converter=_to_scope_kind, validator=member_of(ScopeKind)
    )
    ref: str | None = attrs.field(default=None, validator=optional(identifier()))

    def __attrs_post_init__(self) -> None:
        if (self.kind is ScopeKind.ALL) != (self.ref is None):
            raise fail(
                self,
                attrs.fields(Scope).ref,
                "scope 'all' takes no ref; 'event', 'project' and 'content' need the id they cover",
            )

    def __str__(self) -> str:
        return "all content" if self.ref is None else f"{self.kind.value} {self.ref}"


@attrs.frozen
class StatusChange:
    """One event of a consent's history: it became ``status`` at ``at``."""

    status: ConsentStatus = attrs.field(
        converter=_to_consent_status, validator=member_of(ConsentStatus)
    )
    at: datetime = attrs.field(validator=aware_datetime())
    note: str = attrs.field(default="", validator=text_of(max_length=2000))
    recorded_by: str | None = attrs.field(default=None, validator=optional(text_of(nonempty=True)))
    #: When the change was keyed into terrain (``at`` is when the person expressed it).
    recorded_at: datetime | None = attrs.field(default=None, validator=optional(aware_datetime()))


def platform_key(name: str) -> str:
    """A platform name as consents compare it: platform names are case-insensitive."""
    return name.strip().casefold()


def platform_set(values: Iterable[str] | None) -> frozenset[str] | None:
    """Converter: platform names as a set of :func:`platform_key` (``None`` stays ``None``)."""
    found = to_optional_frozenset(values)
    if found is None:
        return None
    return frozenset(platform_key(v) if isinstance(v, str) else v for v in found)


def _consent_field(name: str) -> attrs.Attribute[Any]:
    """Field ``name`` of :class:`Consent`, for an error (looked up only then: a stored
    ledger builds thousands of records)."""
    found: attrs.Attribute[Any] = getattr(attrs.fields(Consent), name)
    return found


@attrs.frozen
class Consent:
    """A consent record of ``subject_id``, and its history.

    ``given_by`` are the people who expressed it: the subject, or for a minor
    their guardian(s). ``subject_assent`` records whether a minor agreed too
    (``None`` when not asked). ``platforms`` is ``None`` for every platform;
    platform names are case-insensitive and kept in lower case.
    The record holds from ``valid_from`` until ``valid_until`` (open-ended when
    ``None``); ``history`` is oldest first and starts with ``given`` or
    ``refused``.
    """

    id: str = attrs.field(validator=identifier())
    subject_id: str = attrs.field(validator=identifier())
    given_by: tuple[str, ...] = attrs.field(
        converter=to_tuple, validator=[each(identifier()), unique(what="person")]
    )
    purposes: frozenset[Purpose] = attrs.field(
        converter=_to_purpose_set, validator=each(member_of(Purpose))
    )
    valid_from: datetime = attrs.field(validator=aware_datetime())
    evidence: Evidence = attrs.field(validator=instance_of(Evidence))
    history: tuple[StatusChange, ...] = attrs.field(
        converter=to_tuple, validator=each(instance_of(StatusChange))
    )
    platforms: frozenset[str] | None = attrs.field(
        default=None,
        converter=platform_set,
        validator=optional(each(text_of(nonempty=True))),
    )
    scope: Scope = attrs.field(factory=Scope, validator=instance_of(Scope))
    valid_until: datetime | None = attrs.field(default=None, validator=optional(aware_datetime()))
    subject_assent: bool | None = attrs.field(default=None, validator=optional(instance_of(bool)))

    def __attrs_post_init__(self) -> None:
        if not self.given_by:
            raise fail(
                self, _consent_field("given_by"),
                "name who expressed the consent (the subject or guardians)",
            )
        if not self.purposes:
            raise fail(
                self, _consent_field("purposes"), "name at least one purpose (e.g. 'publish')"
            )
        if self.platforms is not None and not self.platforms:
            raise fail(
                self, _consent_field("platforms"), "name at least one platform, or None for all"
            )
        if self.valid_until is not None and instant(self.valid_until) <= instant(self.valid_from):
            raise fail(
                self,
                _consent_field("valid_until"),
                f"the end {self.valid_until.isoformat()} is not after the start "
                f"{self.valid_from.isoformat()}",
            )
        if not self.history:
            raise fail(
                self, _consent_field("history"), "a consent record starts with 'given' or 'refused'"
            )
        if self.history[0].status not in (ConsentStatus.GIVEN, ConsentStatus.REFUSED):
            raise fail(
                self,
                _consent_field("history"),
                f"a consent record starts with 'given' or 'refused', not "
                f"{self.history[0].status.value!r}",
            )
        for before, after in pairwise(self.history):
            if instant(after.at) < instant(before.at):
                raise fail(self, _consent_field("history"), "history must be oldest first")
