"""Photos on their way out: the blurred copy the consent gate asked for.

When a community blurs people without consent instead of holding their photos
back (``[publish] blur_unconsented``), the gate's decision puts the regions to
blur on the post's media (``PostMedia.blur``). :func:`blurred_copies` is what
the runner calls right before the platform (its ``egress``): it writes a
blurred, metadata-free copy of each such photo to the storage under
``egress/blurred/`` (named by its own SHA-256: the same blur is written once)
and sends that copy. The stored original is never changed; every adapter,
terrain's and a plugin's, reads the copy like any other media.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import PurePosixPath

import attrs

from terrain.media import blur_regions
from terrain.plugins import Storage
from terrain.posts import Post

__all__ = ["EGRESS_PREFIX", "blurred_copies"]

#: Where the blurred copies go in the workspace storage.
EGRESS_PREFIX = "egress/blurred/"


def blurred_copies(storage: Storage, *, margin: float = 0.3) -> Callable[[Post], Post]:
    """The runner's ``egress``: ``post`` with each photo that has regions to blur
    replaced by a blurred copy in ``storage`` (each region grown by ``margin``)."""

    def egress(post: Post) -> Post:
        media = []
        for item in post.media:
            if not item.blur:
                media.append(item)
                continue
            data = blur_regions(storage.get(item.key), item.blur, margin=margin, name=item.key)
            extension = PurePosixPath(item.key).suffix.lower() or ".jpg"
            key = f"{EGRESS_PREFIX}{hashlib.sha256(data).hexdigest()[:32]}{extension}"
            if not storage.exists(key):
                storage.put(key, data)
            media.append(attrs.evolve(item, key=key, blur=()))
        return attrs.evolve(post, media=tuple(media))

    return egress
