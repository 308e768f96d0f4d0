"""The community and its members.

A field community is small (a core of 50–80 people) and physical: members
meet at meetups, appear in photos, and may be tagged on the networks where
they have a handle. Minors have guardians, whose consent counts for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

import attrs

from terrain._language import DEFAULT_LANGUAGE, LANGUAGES
from terrain._validation import (
    a_date,
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

__all__ = ["Community", "Member"]


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
    stored with its domain in lower case.
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

    def __attrs_post_init__(self) -> None:
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
