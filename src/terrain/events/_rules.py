"""The meetup format a community follows: the numbers ``[format]`` of terrain.toml sets.

Apart from the format check (``terrain.events._format``): reading a workspace's
settings builds the rules, not the findings.
"""

from __future__ import annotations

import attrs

from terrain._validation import at_least, fail, instance_of

__all__ = ["FormatRules"]


@attrs.frozen
class FormatRules:
    """The meetup format a community follows (defaults: the field format).

    ``networking_share`` is the smallest part of the programme networking
    must take (0.5: at least as long as talks and Q&A together).
    """

    min_talks: int = attrs.field(default=1, validator=at_least(0))
    max_talks: int = attrs.field(default=2, validator=at_least(0))
    min_talk_minutes: int = attrs.field(default=20, validator=at_least(1))
    max_talk_minutes: int = attrs.field(default=30, validator=at_least(1))
    min_qa_minutes: int = attrs.field(default=10, validator=at_least(0))
    max_qa_minutes: int = attrs.field(default=15, validator=at_least(0))
    networking_share: float = attrs.field(default=0.5, validator=instance_of(float, int))

    def __attrs_post_init__(self) -> None:
        fields = attrs.fields(FormatRules)
        if self.max_talks < self.min_talks:
            raise fail(self, fields.max_talks, f"{self.max_talks} is below min_talks")
        if self.max_talk_minutes < self.min_talk_minutes:
            raise fail(self, fields.max_talk_minutes, "is below min_talk_minutes")
        if self.max_qa_minutes < self.min_qa_minutes:
            raise fail(self, fields.max_qa_minutes, "is below min_qa_minutes")
        if not 0 <= self.networking_share < 1:
            raise fail(self, fields.networking_share, "must be between 0 and 1 (exclusive)")
