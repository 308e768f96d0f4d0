"""Contents with a workspace: find one by id or by its file.

:func:`find_content` takes what a person has at hand: the content id, or the
photo file it was imported from (the same bytes once location metadata is
removed). :func:`~terrain.workflows.describe_photo` describes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from terrain.content import Content
from terrain.errors import NotFound
from terrain.media import MediaRejected, prepare_image

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["find_content"]


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
