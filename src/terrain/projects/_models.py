"""Civic and construction projects followed over months.

The city hall case: a square being rebuilt is followed with photos before,
during and after, and micro-interviews of the trades on site, the shopkeepers
and the associations met.
"""

from __future__ import annotations

import enum
from datetime import date

import attrs

from terrain._validation import (
    a_date,
    as_enum,
    each,
    fail,
    identifier,
    instance_of,
    member_of,
    optional,
    text,
    to_tuple,
    unique,
)

__all__ = ["Milestone", "Phase", "Project"]


class Phase(enum.StrEnum):
    """Where a project stands, for the photo timeline."""

    BEFORE = "before"
    DURING = "during"
    AFTER = "after"


def _to_phase(value: Phase | str) -> Phase:
    return as_enum(Phase, value)


@attrs.frozen
class Milestone:
    """A step of a project: planned for ``due_on``, reached on ``reached_on``."""

    id: str = attrs.field(validator=identifier())
    title: str = attrs.field(validator=text(nonempty=True, max_length=300))
    due_on: date | None = attrs.field(default=None, validator=optional(a_date()))
    reached_on: date | None = attrs.field(default=None, validator=optional(a_date()))
    description: str = attrs.field(default="", validator=text(max_length=5000))


@attrs.frozen
class Project:
    """A project followed over months, with its milestones.

    ``location`` is a place name people recognise ("Place du Marché"), never
    coordinates: terrain does not publish location metadata.
    """

    id: str = attrs.field(validator=identifier())
    title: str = attrs.field(validator=text(nonempty=True, max_length=300))
    started_on: date = attrs.field(validator=a_date())
    phase: Phase = attrs.field(
        default=Phase.BEFORE, converter=_to_phase, validator=member_of(Phase)
    )
    location: str = attrs.field(default="", validator=text(max_length=300))
    description: str = attrs.field(default="", validator=text(max_length=10000))
    ends_on: date | None = attrs.field(default=None, validator=optional(a_date()))
    milestones: tuple[Milestone, ...] = attrs.field(
        default=(),
        converter=to_tuple,
        validator=[each(instance_of(Milestone)), unique(lambda m: m.id, "milestone id")],
    )

    def __attrs_post_init__(self) -> None:
        if self.ends_on is not None and self.ends_on < self.started_on:
            raise fail(
                self,
                attrs.fields(Project).ends_on,
                f"{self.ends_on} is before the start date ({self.started_on})",
            )
