"""The community and its members.

A field community is small (a core of 50–80 people) and physical: members
meet at meetups, appear in photos, and may be tagged on the networks where
they have a handle. Minors have guardians, whose consent counts for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from types import MappingProxyType

import attrs

from terrain._language import DEFAULT_LANGUAGE, LANGUAGES
from terrain._validation import (
    a_date,
    aware_datetime,
    each,
    email,
    fail,
    handle_map,
    identifier,
    normal_email,
    one_of,
    optional,
    text,
    time_zone,
    to_frozenset,
    to_mapping,
    to_tuple,
)

__all__ = ["ERASED_NAME", "Community", "Member"]

#: The name a member erased at their request (GDPR Art. 17) is shown under.
ERASED_NAME = "Erased member"

@attrs.frozen
class Community:
    """A community: the people a field community manager gathers.

    ``timezone`` is the IANA zone its events are held in; dates shown to
    people are in that zone. ``language`` is the language of what terrain
    writes for the public (recaps, project updates, before/after images):
    ``"fr"`` or ``"en"``.
    """

    id: str = attrs.field(validator=identifier())
    name: str = attrs.field(validator=text(nonempty=True, max_length=200))
    timezone: str = attrs.field(default="UTC", validator=time_zone())
    description: str = attrs.field(default="", validator=text(max_length=5000))
    language: str = attrs.field(default=DEFAULT_LANGUAGE, validator=one_of(LANGUAGES))


def _email_or_value(value: object) -> object:
    return normal_email(value) if isinstance(value, str) else value


@attrs.frozen
class Member:
    """A person of the community.

    ``handles`` maps a platform name (``"x"``, ``"instagram"``) to the
    member's handle there, without the leading ``@``. Being listed here does
    not allow tagging: a mention needs the member's ``tag`` consent.
    A minor (``is_minor``) must name at least one guardian (another member);
    a guardian's consent is what counts for a minor. ``email`` is where the
    web front end (``terrain serve``) sends the member's own links; it is
    stored with its domain in lower case. ``email`` and ``phone`` are how to
    reach them (imports match people by id, email or handle).

    ``erased_at`` marks a tombstone: the person asked to be forgotten
    (:func:`terrain.workflows.erase_member`); their personal fields are gone,
    and the consent gate refuses them forever.
    """

    id: str = attrs.field(validator=identifier())
    display_name: str = attrs.field(validator=text(nonempty=True, max_length=200))
    handles: Mapping[str, str] = attrs.field(
        factory=lambda: MappingProxyType({}), converter=to_mapping, validator=handle_map()
    )
    is_minor: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))
    guardian_ids: tuple[str, ...] = attrs.field(
        default=(), converter=to_tuple, validator=each(identifier())
    )
    joined_on: date | None = attrs.field(default=None, validator=optional(a_date()))
    tags: frozenset[str] = attrs.field(
        default=frozenset(), converter=to_frozenset, validator=each(text(nonempty=True))
    )
    email: str | None = attrs.field(
        default=None,
        converter=attrs.converters.optional(_email_or_value),
        validator=optional(email()),
    )
    phone: str = attrs.field(default="", validator=text(max_length=40, line=True))
    erased_at: datetime | None = attrs.field(default=None, validator=optional(aware_datetime()))

    @property
    def erased(self) -> bool:
        """Whether this is the tombstone of a person erased at their request."""
        return self.erased_at is not None

    def __attrs_post_init__(self) -> None:
        if self.erased_at is not None and (
            self.handles or self.email or self.phone or self.tags or self.guardian_ids
            or self.is_minor or self.joined_on is not None or self.display_name != ERASED_NAME
        ):
            raise fail(
                self,
                attrs.fields(Member).erased_at,
                f"an erased member keeps no personal field: its name is {ERASED_NAME!r} and "
                "it has no handle, email, phone, tag, guardian or join date",
            )
        if self.is_minor and not self.guardian_ids:
            raise fail(
                self,
                attrs.fields(Member).guardian_ids,
                f"{self.display_name} is a minor: name at least one guardian (a member id)",
            )
        if self.id in self.guardian_ids:
            raise fail(
                self, attrs.fields(Member).guardian_ids, "a member cannot be their own guardian"
            )
