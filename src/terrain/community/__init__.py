"""The community and its members.

A field community is small (a core of 50–80 people) and physical: members
meet at meetups, appear in photos, and may be tagged on the networks where
they have a handle. Minors have guardians, whose consent counts for them.
"""

from terrain.community._models import Community, Member

__all__ = ["Community", "Member"]
