"""The one rule for a post a platform cannot take: refuse it with ``Rejected``.

Every platform checked by :mod:`terrain.testing.contract` refuses a post over
its :class:`~terrain.Capabilities` with :class:`~terrain.errors.Rejected`
(not retryable; the composer should have made it fit), publishing nothing.
:func:`check_capabilities` does the checks every platform shares, counting
text with :func:`terrain.posts.text_length` (the count the composer uses), so
an adapter only adds what is its own (Instagram's hashtag limit, say).
"""

from __future__ import annotations

from terrain.errors import Rejected
from terrain.posts import Capabilities, Post, text_length

__all__ = ["capability_problems", "check_capabilities"]


def check_capabilities(
    post: Post, capabilities: Capabilities, *, platform: str, text: str | None = None
) -> None:
    """Raise :class:`~terrain.errors.Rejected` if ``post`` does not fit ``capabilities``.

    This is what every platform in the contract suite must do with a post it
    cannot take, before any call: refuse it with ``Rejected``, publishing
    nothing. Checked, each problem named in one message:

    - the text, as :func:`terrain.posts.text_length` counts it under
      ``capabilities`` (``text_counting``, ``url_length``), within
      ``max_text_length``; ``text`` is the text as the platform will send it
      (with the ``@handles`` and link the adapter adds), ``post.text`` when
      not given; each thread reply likewise;
    - a thread where the platform has none (``threads``);
    - no media where the platform needs some (``requires_media``);
    - at most ``max_media`` media, each of a type in ``media_types``;
    - each alt text within ``max_alt_text_length`` characters, when set.
    """
    problems = capability_problems(post, capabilities, text=text)
    if problems:
        raise Rejected(
            f"{platform}: post {post.id} does not fit {platform}: "
            + "; ".join(problems)
            + ". Compose it again for this platform.",
            platform=platform,
        )


def capability_problems(
    post: Post, capabilities: Capabilities, *, text: str | None = None
) -> list[str]:
    """What in ``post`` does not fit ``capabilities``, one sentence each (empty: it fits).

    The checks of :func:`check_capabilities`, for callers that report rather
    than refuse.
    """
    caps = capabilities
    limit = caps.max_text_length
    problems: list[str] = []
    urls = f" (each link counts {caps.url_length})" if caps.url_length else ""
    length = text_length(post.text if text is None else text, caps)
    if length > limit:
        problems.append(
            f"the text counts {length} characters{urls}, at most {limit} are accepted: "
            f"cut {length - limit}"
        )
    if post.thread and not caps.threads:
        problems.append(
            f"it has a thread of {len(post.thread)} part(s) and threads are not supported: "
            "put the follow-ups in one post"
        )
    for number, part in enumerate(post.thread, start=1):
        length = text_length(part, caps)
        if length > limit:
            problems.append(
                f"thread reply {number} counts {length} characters{urls}, "
                f"at most {limit} are accepted"
            )
    if caps.requires_media and not post.media:
        problems.append("it has no image, and a post there needs at least one")
    if len(post.media) > caps.max_media:
        problems.append(
            f"it has {len(post.media)} media, at most {caps.max_media} are accepted: "
            "split it or pick fewer"
        )
    for media in post.media:
        if media.media_type not in caps.media_types:
            accepted = ", ".join(sorted(caps.media_types)) or "none"
            problems.append(
                f"media {media.key!r} is {media.media_type}, accepted types are {accepted}"
            )
        alt_limit = caps.max_alt_text_length
        if alt_limit is not None and len(media.alt_text) > alt_limit:
            problems.append(
                f"the alt text of {media.key!r} has {len(media.alt_text)} characters, at most "
                f"{alt_limit} are accepted (max_alt_text_length): shorten it"
            )
    return problems
