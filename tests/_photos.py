"""Reviewed photos for tests that need many of them (no file behind them)."""

from __future__ import annotations

from datetime import UTC, datetime

from terrain import Content
from terrain.content import Appearance, MediaFile

T0 = datetime(2026, 3, 12, 19, 30, tzinfo=UTC)


def reviewed_photo(
    content_id: str, *people: str, event_id: str | None = None, at: datetime = T0
) -> Content:
    """A photo with alt text, showing ``people``, its people reviewed."""
    media = MediaFile(
        id="m1",
        key=f"photos/{content_id}.jpg",
        media_type="image/jpeg",
        size=1,
        checksum="0" * 64,
        alt_text="People at the meetup",
    )
    return Content(
        id=content_id,
        kind="photo",
        created_at=at,
        media=[media],
        people_reviewed=True,
        event_id=event_id,
        appearances=[Appearance(member_id=p, media_id="m1", reviewed=True) for p in people],
    )
