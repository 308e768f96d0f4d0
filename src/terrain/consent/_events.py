"""The append-only events a :class:`~terrain.consent.ConsentLedger` is made of.

A ledger never edits a record: granting or refusing appends a
:class:`ConsentRecorded`, withdrawing a :class:`ConsentWithdrawn`, renewing a
:class:`ConsentRenewed`. Replaying the events in order
(:meth:`ConsentLedger.replay <terrain.consent.ConsentLedger.replay>`) rebuilds
the same ledger, which is how a workspace persists it: one JSON document per
event, written with :func:`event_to_json` and read back with
:func:`event_from_json` (each event also round-trips on its own through
:func:`terrain.serialization.to_json` / :func:`~terrain.serialization.from_json`
with its class).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar

import attrs

from terrain._validation import (
    as_enum_set,
    aware_datetime,
    each,
    fail,
    identifier,
    instance_of,
    member_of,
    optional,
)
from terrain._validation import text as text_of
from terrain.consent._records import Consent, Purpose, Scope, platform_set
from terrain.errors import DeserializationError
from terrain.serialization import structure, unstructure

__all__ = [
    "ConsentEvent",
    "ConsentRecorded",
    "ConsentRenewed",
    "ConsentWithdrawn",
    "event_from_data",
    "event_from_json",
    "event_to_data",
    "event_to_json",
]


def _to_optional_purposes(values: Iterable[Purpose | str] | None) -> frozenset[Purpose] | None:
    return None if values is None else as_enum_set(Purpose, values)


@attrs.frozen
class ConsentRecorded:
    """A consent was given, or refused: a new record enters the ledger.

    ``consent.history`` holds exactly one change (``given`` or ``refused``),
    at the time the person expressed it.
    """

    TYPE: ClassVar[str] = "recorded"

    consent: Consent = attrs.field(validator=instance_of(Consent))

    def __attrs_post_init__(self) -> None:
        if len(self.consent.history) != 1:
            raise fail(
                self,
                attrs.fields(ConsentRecorded).consent,
                "a new record has exactly one status change (given or refused); "
                "record withdrawals and renewals as their own events",
            )

    @property
    def at(self) -> datetime:
        """When the consent (or refusal) was expressed."""
        return self.consent.history[0].at

    @property
    def subject_id(self) -> str:
        """Whose consent it is."""
        return self.consent.subject_id


@attrs.frozen(kw_only=True)
class ConsentWithdrawn:
    """``subject_id`` withdrew consent at ``at``.

    A withdrawal is a standing fact about the person, not an edit of a record:
    it ends **every** consent of theirs *expressed* at or before ``at`` that it
    covers — including records keyed into terrain later (a paper form dated
    before the withdrawal) and records whose validity starts after ``at``.
    Only consent expressed after ``at`` counts again.

    What it covers: ``purposes`` (``None``: all), ``platforms`` (``None``: all;
    case-insensitive) and ``scope`` (``None``: all content; an event, a
    project or one content item otherwise). The rest stays in force.

    ``consent_id`` names one record instead (the form stored before partial
    withdrawals existed): the withdrawal then covers that record's purposes,
    platforms and scope.
    """

    TYPE: ClassVar[str] = "withdrawn"

    subject_id: str = attrs.field(validator=identifier())
    at: datetime = attrs.field(validator=aware_datetime())
    consent_id: str | None = attrs.field(default=None, validator=optional(identifier()))
    purposes: frozenset[Purpose] | None = attrs.field(
        default=None, converter=_to_optional_purposes,
        validator=optional(each(member_of(Purpose))),
    )
    platforms: frozenset[str] | None = attrs.field(
        default=None, converter=platform_set,
        validator=optional(each(text_of(nonempty=True))),
    )
    scope: Scope | None = attrs.field(default=None, validator=optional(instance_of(Scope)))
    note: str = attrs.field(default="", validator=text_of(max_length=2000))
    recorded_by: str | None = attrs.field(
        default=None, validator=optional(text_of(nonempty=True))
    )
    recorded_at: datetime | None = attrs.field(default=None, validator=optional(aware_datetime()))

    def __attrs_post_init__(self) -> None:
        fields = attrs.fields(ConsentWithdrawn)
        if self.consent_id is not None and (
            self.purposes is not None or self.platforms is not None or self.scope is not None
        ):
            raise fail(
                self, fields.consent_id,
                "name one record, or what the withdrawal covers (purposes, platforms, "
                "scope), not both",
            )
        if self.purposes is not None and not self.purposes:
            raise fail(self, fields.purposes, "name at least one purpose, or None for all")
        if self.platforms is not None and not self.platforms:
            raise fail(self, fields.platforms, "name at least one platform, or None for all")


@attrs.frozen(kw_only=True)
class ConsentRenewed:
    """Consent record ``consent_id`` was renewed at ``at``: from then on it holds
    until ``valid_until``.

    A renewal changes how long a record holds; it never brings back a record
    that a withdrawal ended, and never lifts a refusal (record a new grant).
    """

    TYPE: ClassVar[str] = "renewed"

    consent_id: str = attrs.field(validator=identifier())
    subject_id: str = attrs.field(validator=identifier())
    at: datetime = attrs.field(validator=aware_datetime())
    valid_until: datetime = attrs.field(validator=aware_datetime())
    note: str = attrs.field(default="", validator=text_of(max_length=2000))
    recorded_by: str | None = attrs.field(
        default=None, validator=optional(text_of(nonempty=True))
    )
    recorded_at: datetime | None = attrs.field(default=None, validator=optional(aware_datetime()))


#: Any event of the ledger.
ConsentEvent = ConsentRecorded | ConsentWithdrawn | ConsentRenewed

_BY_TYPE: dict[str, type[ConsentRecorded] | type[ConsentWithdrawn] | type[ConsentRenewed]] = {
    cls.TYPE: cls for cls in (ConsentRecorded, ConsentWithdrawn, ConsentRenewed)
}


_KINDS = " or ".join(repr(k) for k in sorted(_BY_TYPE))


def event_to_data(event: ConsentEvent) -> dict[str, Any]:
    """Plain data for ``event``, tagged with its ``"type"``
    (``"recorded"``, ``"withdrawn"`` or ``"renewed"``)."""
    data: dict[str, Any] = {"type": event.TYPE}
    data.update(unstructure(event))
    return data


def event_from_data(data: Any) -> ConsentEvent:
    """Read an event written by :func:`event_to_data`.

    Raises :class:`~terrain.errors.DeserializationError` when the data has no
    known ``"type"`` or does not fit its class.
    """
    kind = data.get("type") if isinstance(data, dict) else None
    if not isinstance(kind, str) or kind not in _BY_TYPE:
        got = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise DeserializationError(
            f"cannot read a consent event: 'type' must be {_KINDS}, got {got!r}",
            errors=["unknown or missing event type @ $.type"],
        )
    body = {k: v for k, v in data.items() if k != "type"}
    return structure(body, _BY_TYPE[data["type"]])


def event_to_json(event: ConsentEvent) -> str:
    """``event`` as one JSON document (what a workspace stores per event)."""
    return json.dumps(event_to_data(event), ensure_ascii=False, sort_keys=True)


def event_from_json(text: str | bytes) -> ConsentEvent:
    """Read an event written by :func:`event_to_json`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DeserializationError(
            f"cannot read a consent event: not valid JSON ({exc.msg} at line {exc.lineno})",
            errors=[exc.msg],
        ) from None
    return event_from_data(data)
