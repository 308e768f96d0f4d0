"""The community and its members.

A field community is small (a core of 50–80 people) and physical: members
meet at meetups, appear in photos, and may be tagged on the networks where
they have a handle. Minors have guardians, whose consent counts for them.
The co-attendance graph, the core, introductions and the engagement score
are pure functions beside the models.
"""

from typing import TYPE_CHECKING

from terrain._lazy import exports

if TYPE_CHECKING:
    from terrain.community._core import (
        CORE_TARGET,
        Core,
        core,
        core_members,
        meetups_that_took_place,
    )
    from terrain.community._engagement import Engagement, EngagementWeights, engagement
    from terrain.community._links import CoAttendance, Introduction, co_attendance, introductions
    from terrain.community._models import ERASED_NAME, Community, Member

__all__ = [
    "CORE_TARGET",
    "ERASED_NAME",
    "CoAttendance",
    "Community",
    "Core",
    "Engagement",
    "EngagementWeights",
    "Introduction",
    "Member",
    "co_attendance",
    "core",
    "core_members",
    "engagement",
    "introductions",
    "meetups_that_took_place",
]

if not TYPE_CHECKING:  # each name is imported when first used (terrain._lazy)
    __getattr__, __dir__ = exports(__name__, __file__)
