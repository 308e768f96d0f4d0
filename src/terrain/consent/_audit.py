"""What a consent decision leaves for the audit log: :class:`DecisionRecord`, with
its :class:`Reason` lines and :class:`DecisionOutcome`.

Apart from :mod:`terrain.consent._decide` (which makes decisions) so that reading
the decision log (``terrain log``) does not load the ledger and the decision rules.
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from terrain._validation import (
    as_enum,
    aware_datetime,
    each,
    identifier,
    instance_of,
    member_of,
    optional,
    to_tuple,
)
from terrain._validation import text as text_of
from terrain.consent._purpose import Purpose

__all__ = ["DecisionOutcome", "DecisionRecord", "Outcome", "Reason"]


def _to_purpose(value: Purpose | str) -> Purpose:
    return as_enum(Purpose, value)


@attrs.frozen
class Reason:
    """One line of a decision: a person, a media file or a mention, and why.

    ``blocking`` reasons make the decision deny (for a mention: drop the
    mention). ``member_id``, ``consent_id``, ``content_id`` and ``handle`` say
    what the line is about, when it is about one; ``purpose`` the consent it
    checked for a person (``tag`` for a mention).
    """

    # Built by decide() from validated records, one per person: type checks only.
    text: str = attrs.field(validator=instance_of(str))
    blocking: bool = attrs.field(validator=instance_of(bool))
    member_id: str | None = attrs.field(default=None, validator=optional(instance_of(str)))
    consent_id: str | None = attrs.field(default=None, validator=optional(instance_of(str)))
    content_id: str | None = attrs.field(default=None, validator=optional(instance_of(str)))
    handle: str | None = attrs.field(default=None, validator=optional(instance_of(str)))
    purpose: Purpose | None = attrs.field(
        default=None, converter=attrs.converters.optional(_to_purpose),
        validator=optional(member_of(Purpose)),
    )

    def __str__(self) -> str:
        return self.text


class DecisionOutcome(enum.StrEnum):
    """What a decision said.

    ``UNDECIDED`` is only ever recorded, never returned by :func:`decide`: the
    publishing runner could not ask the ledger (the store or the network
    failed) and planned the post again, which is not a refusal.
    """

    ALLOWED = "allowed"
    DENIED = "denied"
    UNDECIDED = "undecided"


#: Its name until 0.1.0 (terrain.publishing had an Outcome too), for the modules of this
#: package; terrain.consent serves it with a warning.
Outcome = DecisionOutcome


def _to_outcome(value: Outcome | str) -> Outcome:
    return as_enum(Outcome, value)


@attrs.frozen
class DecisionRecord:
    """An audit record: who asked, about what, when, what was decided and on what evidence.

    Answers "why was this posted?" (or held back). ``relied_on`` are the
    consent record ids; look them up in the ledger for their evidence.
    Round-trips through :mod:`terrain.serialization`.
    """

    id: str = attrs.field(validator=identifier())
    actor: str = attrs.field(validator=text_of(nonempty=True, max_length=200))
    subject_kind: str = attrs.field(validator=text_of(nonempty=True))
    subject_id: str = attrs.field(validator=identifier())
    platform: str = attrs.field(validator=text_of(nonempty=True))
    purpose: Purpose = attrs.field(converter=_to_purpose, validator=member_of(Purpose))
    at: datetime = attrs.field(validator=aware_datetime())
    outcome: Outcome = attrs.field(converter=_to_outcome, validator=member_of(Outcome))
    reasons: tuple[Reason, ...] = attrs.field(
        default=(), converter=to_tuple, validator=each(instance_of(Reason))
    )
    relied_on: tuple[str, ...] = attrs.field(
        default=(), converter=to_tuple, validator=each(identifier())
    )
    dropped_mentions: tuple[str, ...] = attrs.field(
        default=(), converter=to_tuple, validator=each(text_of(nonempty=True))
    )
