"""What a consent allows: :class:`~terrain.consent.Purpose` (see :mod:`terrain.consent`).

Apart from the consent records so that what only names a purpose (a decision
of the audit log, read back by ``terrain log``) imports none of them.
"""

from __future__ import annotations

import enum

from terrain._public import claim

__all__ = ["Purpose"]


class Purpose(enum.StrEnum):
    """What a consent allows."""

    PUBLISH = "publish"  #: show the person in published content
    TAG = "tag"  #: mention (tag) the person's handle
    ARCHIVE = "archive"  #: keep the content in the community's archive
    REUSE_UGC = "reuse-ugc"  #: republish content the person made, with credit
    INTERVIEW = "interview"  #: record and publish an interview of the person


claim("terrain.consent", {"__all__": __all__, "Purpose": Purpose})
