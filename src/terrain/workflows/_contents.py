"""Contents with a workspace: find one by id or by its file, and describe it.

:func:`find_content` takes what a person has at hand: the content id, or the
photo file it was imported from (the same bytes once location metadata is
removed). :func:`describe_content` sets the alt text and the caption in one
write.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from terrain.content import Content
from terrain.errors import NotFound, ValidationError
from terrain.media import MediaRejected, prepare_image

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["describe_content", "find_content"]


def find_content(ws: Workspace, photo: str | Path) -> Content:
    """The content ``photo`` names: a content id, or the file it was imported from
    (:class:`~terrain.errors.NotFound` says how to import a file never imported)."""
    path = Path(photo)
    name = str(photo)
    if ws.exists(Content, name) or not path.is_file():
        return ws.get(Content, name)
    try:
        data = path.read_bytes()
        checksum = prepare_image(data, name=path.name, max_pixels=ws.config.max_pixels).checksum
    except MediaRejected as exc:
        raise NotFound(f"{exc}; give the content id shown by `terrain content list`") from None
    found = ws.find_media(checksum)
    if found is None:
        raise NotFound(
            f"{path.name} was never imported: run `terrain content import {photo}` first"
        )
    return ws.get(Content, found[0])


def _alt_targets(content: Content, media_id: str | None) -> set[str]:
    """The media ids that get the alt text: the one named, or the only one."""
    ids = [m.id for m in content.media]
    if media_id is not None:
        if media_id not in ids:
            raise ValidationError(
                f"{content.id} has no media {media_id!r}; its media are {ids} (--media)"
            )
        return {media_id}
    if len(ids) != 1:
        raise ValidationError(
            f"{content.id} holds {len(ids)} media files ({ids}): say which one gets the alt "
            "text (--media)"
        )
    return set(ids)


def describe_content(
    ws: Workspace,
    photo: str | Path,
    *,
    alt_text: str | None = None,
    caption: str | None = None,
    media_id: str | None = None,
) -> Content:
    """Set the alt text and/or the caption of ``photo`` (a content id, or the file it was
    imported from); the content as stored.

    The alt text goes to media ``media_id``, which may be left out when the
    content holds one media file. Text longer than the models allow raises
    :class:`~terrain.errors.ValidationError` and changes nothing.
    """
    if alt_text is None and caption is None:
        raise ValidationError("give an alt text, a caption or both (--alt, --caption)")
    if alt_text is None and media_id is not None:
        raise ValidationError("a media id only says which media gets the alt text (--alt)")
    with ws.db.transaction():
        content = find_content(ws, photo)
        updated = content
        if caption is not None:
            updated = attrs.evolve(updated, caption=caption)
        if alt_text is not None:
            targets = _alt_targets(content, media_id)
            updated = attrs.evolve(
                updated,
                media=[
                    attrs.evolve(m, alt_text=alt_text) if m.id in targets else m
                    for m in content.media
                ],
            )
        return ws.put(updated)
