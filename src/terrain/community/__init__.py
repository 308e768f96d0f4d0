"""The community and its members.

A field community is small (a core of 50–80 people) and physical: members
meet at meetups, appear in photos, and may be tagged on the networks where
they have a handle. Minors have guardians, whose consent counts for them.
The co-attendance graph, the core, introductions and the engagement score
are pure functions beside the models.
"""

from terrain.community._links import (
    CoAttendance,
    Engagement,
    EngagementWeights,
    Introduction,
    co_attendance,
    core_members,
    engagement,
    introductions,
)
from terrain.community._models import Community, Member

__all__ = [
    "CoAttendance",
    "Community",
    "Engagement",
    "EngagementWeights",
    "Introduction",
    "Member",
    "co_attendance",
    "core_members",
    "engagement",
    "introductions",
]
