"""The consent gate as the publishing layer asks it, and for which purpose.

A :class:`Gate` is called right before each call to a platform, with the
instant of the call and the consent purpose the post is for; the journal
keeps, per row, the purpose it was planned with, which is either a consent
purpose (``"publish"``, ``"archive"``…) or the kind of post that publishes
(``"announcement"``, ``"reminder"``, ``"partner-thanks"``):
:func:`consent_purpose` says which consent that needs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from terrain.consent import Decision, Purpose
from terrain.errors import ConsentError
from terrain.posts import Post
from terrain.templates import KINDS

__all__ = ["Gate", "consent_purpose"]


class Gate(Protocol):
    """``gate(post, at, purpose=...)``: the consent decision on ``post`` at instant
    ``at``, for ``purpose`` (a :class:`~terrain.consent.Purpose` value such as
    ``"publish"``: what the post was planned for). A decision for another purpose
    is no licence: the runner holds the post."""

    def __call__(self, post: Post, at: datetime, *, purpose: str) -> Decision: ...


def consent_purpose(planned: str) -> Purpose:
    """The consent a post planned for ``planned`` needs: a consent purpose is
    itself; a kind of post (``announcement``, ``reminder``, ``partner-thanks``…)
    is published, so it needs ``publish``. Anything else is a
    :class:`~terrain.errors.ConsentError`: consent cannot be checked for a
    purpose nobody can consent to."""
    try:
        return Purpose(planned)
    except ValueError:
        pass
    if planned in KINDS:
        return Purpose.PUBLISH
    known = ", ".join(sorted({*(p.value for p in Purpose), *KINDS}))
    raise ConsentError(
        f"posts planned for {planned!r}: nobody can consent to that; plan them for one of {known}"
    )
