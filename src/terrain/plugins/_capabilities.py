"""The one rule for a post a platform cannot take: refuse it with ``Rejected``.

Every platform checked by :mod:`terrain.testing.contract` refuses a post over
its :class:`~terrain.Capabilities` with :class:`~terrain.errors.Rejected`
(not retryable; the composer should have made it fit), publishing nothing.
"""

from __future__ import annotations

from terrain.errors import Rejected
from terrain.posts import Capabilities, Post

__all__ = ["check_capabilities"]


def check_capabilities(post: Post, capabilities: Capabilities, *, platform: str) -> None:
    """Raise :class:`~terrain.errors.Rejected` if ``post`` does not fit ``capabilities``.

    This is what every platform in the contract suite must do with a post it
    cannot take (text too long, too many media, a media type or a thread it
    does not accept): refuse it with ``Rejected``, publishing nothing.
    """
    caps = capabilities
    if len(post.text) > caps.max_text_length:
        raise Rejected(
            f"{platform}: the text has {len(post.text)} characters, at most "
            f"{caps.max_text_length} are accepted; shorten it",
            platform=platform,
        )
    if len(post.media) > caps.max_media:
        raise Rejected(
            f"{platform}: the post has {len(post.media)} media, at most {caps.max_media} "
            "are accepted; split it or pick fewer",
            platform=platform,
        )
    for media in post.media:
        if media.media_type not in caps.media_types:
            raise Rejected(
                f"{platform}: media {media.key!r} is {media.media_type}, accepted types are "
                f"{', '.join(sorted(caps.media_types))}",
                platform=platform,
            )
    if post.thread and not caps.threads:
        raise Rejected(
            f"{platform}: threads are not supported; put the follow-ups in one post",
            platform=platform,
        )
    for part in post.thread:
        if len(part) > caps.max_text_length:
            raise Rejected(
                f"{platform}: a thread reply has {len(part)} characters, at most "
                f"{caps.max_text_length} are accepted",
                platform=platform,
            )
