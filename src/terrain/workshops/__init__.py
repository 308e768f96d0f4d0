"""Co-creation workshops with a handful of members.

A workshop has a brief, participants, the ideas they bring (with the author,
who keeps the rights: reusing an idea's media needs their ``reuse-ugc``
consent and credit) and an outcome.
"""

from terrain.workshops._models import Idea, Workshop

__all__ = ["Idea", "Workshop"]
