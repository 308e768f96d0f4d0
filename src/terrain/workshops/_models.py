"""Co-creation workshops with a handful of members.

A workshop has a brief, participants, the ideas they bring (with the author,
who keeps the rights: reusing an idea's media needs their ``reuse-ugc``
consent and credit) and an outcome.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from terrain._validation import (
    at_least,
    aware_datetime,
    each,
    fail,
    identifier,
    instance_of,
    optional,
    to_tuple,
    unique,
)
from terrain._validation import (
    text as text_of,
)

__all__ = ["Idea", "Workshop"]


@attrs.frozen
class Idea:
    """An idea put forward in a workshop by ``author_id``.

    ``content_ids`` name the contents (sketches, photos) that go with it.
    """

    id: str = attrs.field(validator=identifier())
    author_id: str = attrs.field(validator=identifier())
    text: str = attrs.field(validator=text_of(nonempty=True, max_length=5000))
    content_ids: tuple[str, ...] = attrs.field(
        default=(), converter=to_tuple, validator=each(identifier())
    )


@attrs.frozen
class Workshop:
    """A co-creation workshop: brief, participants, ideas and outcome."""

    id: str = attrs.field(validator=identifier())
    title: str = attrs.field(validator=text_of(nonempty=True, max_length=300))
    brief: str = attrs.field(validator=text_of(nonempty=True, max_length=10000))
    starts_at: datetime = attrs.field(validator=aware_datetime())
    participant_ids: tuple[str, ...] = attrs.field(
        default=(), converter=to_tuple, validator=[each(identifier()), unique(what="participant")]
    )
    ideas: tuple[Idea, ...] = attrs.field(
        default=(),
        converter=to_tuple,
        validator=[each(instance_of(Idea)), unique(lambda i: i.id, "idea id")],
    )
    outcome: str = attrs.field(default="", validator=text_of(max_length=10000))
    project_id: str | None = attrs.field(default=None, validator=optional(identifier()))
    #: Dot-voting: each participant spreads ``dots`` over the ideas; ``None``
    #: (the default): one vote per member and idea.
    dots: int | None = attrs.field(default=None, validator=optional(at_least(1)))

    def __attrs_post_init__(self) -> None:
        participants = set(self.participant_ids)
        for idea in self.ideas:
            if idea.author_id not in participants:
                raise fail(
                    self,
                    attrs.fields(Workshop).ideas,
                    f"idea {idea.id!r} is by {idea.author_id!r}, who is not a participant; "
                    "add them to the workshop's participants first",
                )
