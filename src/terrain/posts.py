"""What goes out to a platform, and what comes back.

A :class:`Post` is composed for one platform from field content; it is never a
licence to publish: the consent gate runs again right before the call. A
:class:`Receipt` is the platform's proof that the post exists (what takedown
deletes). :class:`Capabilities` declare what a platform accepts; :func:`text_length`
counts a text the way a platform does (the composer and every adapter use it).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from types import MappingProxyType

import attrs

from terrain._public import claim
from terrain._region import Region
from terrain._text_count import TEXT_COUNTINGS, TextCounting, text_length
from terrain._validation import (
    at_least,
    aware_datetime,
    each,
    fail,
    identifier,
    instance_of,
    optional,
    storage_key,
    to_frozenset,
    to_tuple,
    unique,
)
from terrain._validation import (
    text as text_of,
)

__all__ = [
    "METRIC_NAMES",
    "Capabilities",
    "HandleFinder",
    "Mention",
    "Metrics",
    "Post",
    "PostMedia",
    "Receipt",
    "TextCounting",
    "handle_forms",
    "plain_handle",
    "text_length",
    "typed_handles",
]


@attrs.frozen
class PostMedia:
    """A media file attached to a post, read from the workspace storage by ``key``.

    ``content_id``/``media_id`` point back to the field content it comes from,
    so the consent gate knows who appears in it. ``blur`` are the regions (of
    the picture as stored) the consent gate decided to blur before it leaves:
    people without consent whose place in the picture is known, where the
    community blurs instead of holding a photo back (``[publish]
    blur_unconsented``). The file in the workspace is never changed; the
    publishing runner sends a blurred copy.
    """

    key: str = attrs.field(validator=storage_key())
    media_type: str = attrs.field(validator=text_of(nonempty=True))
    alt_text: str = attrs.field(default="", validator=text_of(max_length=1500))
    content_id: str | None = attrs.field(default=None, validator=optional(identifier()))
    media_id: str | None = attrs.field(default=None, validator=optional(identifier()))
    blur: tuple[Region, ...] = attrs.field(
        default=(), converter=to_tuple, validator=each(instance_of(Region))
    )


@attrs.frozen
class Mention:
    """Someone tagged in a post: ``@handle`` on the target platform.

    ``member_id`` is set for members (who must have the ``tag`` consent),
    ``partner_id`` for partner organisations being thanked.
    """

    handle: str = attrs.field(validator=text_of(nonempty=True, max_length=100))
    member_id: str | None = attrs.field(default=None, validator=optional(identifier()))
    partner_id: str | None = attrs.field(default=None, validator=optional(identifier()))

    @handle.validator
    def _bare(self, attribute: attrs.Attribute[str], value: str) -> None:
        if value.startswith("@") or any(c.isspace() for c in value):
            raise fail(self, attribute, f"{value!r}: give the handle without '@' or spaces")

    def __attrs_post_init__(self) -> None:
        if (self.member_id is None) == (self.partner_id is None):
            raise fail(
                self,
                attrs.fields(Mention).member_id,
                "a mention names exactly one member or one partner (not both, not neither)",
            )


@attrs.frozen
class Post:
    """A post for one platform.

    ``id`` is stable for the same (content, platform, purpose) and serves as
    the idempotency key: a platform's ``find(post)`` looks for it so that an
    interrupted run never posts twice. ``text`` does not contain the
    mentions; platforms render ``mentions`` their own way (``@handle`` in the
    text, or user tags on an image). ``thread`` holds follow-up texts posted as
    replies where the platform supports threads. ``content_ids`` names every
    content the post draws on (for consent and takedown).

    ``min_media`` makes the post an **album**: the consent gate is asked about
    each of its media at the call, a media that may not go drops out (with its
    reason in the decision log) and the post goes with the rest, as long as at
    least ``min_media`` are left; below that it is held. Without it the post is
    decided whole. ``edited``: the community manager wrote the text (``terrain
    post edit``); composing the post again keeps their words.
    """

    id: str = attrs.field(validator=identifier())
    platform: str = attrs.field(validator=text_of(nonempty=True, max_length=64))
    text: str = attrs.field(validator=text_of(max_length=100000))
    media: tuple[PostMedia, ...] = attrs.field(
        default=(),
        converter=to_tuple,
        validator=[each(instance_of(PostMedia)), unique(lambda m: m.key, "media key")],
    )
    mentions: tuple[Mention, ...] = attrs.field(
        default=(),
        converter=to_tuple,
        validator=[each(instance_of(Mention)), unique(lambda m: m.handle.casefold(), "handle")],
    )
    link: str | None = attrs.field(default=None, validator=optional(text_of(nonempty=True)))
    thread: tuple[str, ...] = attrs.field(
        default=(), converter=to_tuple, validator=each(text_of(nonempty=True))
    )
    content_ids: tuple[str, ...] = attrs.field(
        default=(), converter=to_tuple, validator=[each(identifier()), unique(what="content id")]
    )
    event_id: str | None = attrs.field(default=None, validator=optional(identifier()))
    min_media: int | None = attrs.field(default=None, validator=optional(at_least(1)))
    edited: bool = attrs.field(default=False, validator=instance_of(bool))

    def __attrs_post_init__(self) -> None:
        if not self.text.strip() and not self.media:
            raise fail(self, attrs.fields(Post).text, "a post needs text or media")
        if self.min_media is not None and self.min_media > len(self.media):
            raise fail(
                self,
                attrs.fields(Post).min_media,
                f"an album of {len(self.media)} media cannot need {self.min_media} to go",
            )

    @property
    def alt_texts(self) -> tuple[str, ...]:
        """The alt text of each media, in order."""
        return tuple(m.alt_text for m in self.media)

    def text_with_mentions(self) -> str:
        """The text followed by ``@handle`` for each mention, for platforms
        whose mentions are written in the text."""
        if not self.mentions:
            return self.text
        tags = " ".join(f"@{m.handle}" for m in self.mentions)
        return f"{self.text}\n\n{tags}" if self.text else tags

    def text_with_link(self) -> str:
        """What a network with in-text mentions shows: the text, ``@handle`` for
        each mention, then the link (when the text does not hold it already)."""
        text = self.text_with_mentions()
        if self.link and self.link not in text:
            text = f"{text}\n{self.link}" if text else self.link
        return text


@attrs.frozen
class Receipt:
    """Proof that a post is on a platform: what takedown deletes.

    ``remote_id`` is the platform's id of the post; ``part_ids`` the ids of
    further objects it created (thread replies, uploaded photos) that must go
    when the post goes.
    """

    platform: str = attrs.field(validator=text_of(nonempty=True, max_length=64))
    post_id: str = attrs.field(validator=identifier())
    remote_id: str = attrs.field(validator=text_of(nonempty=True, max_length=2048))
    published_at: datetime = attrs.field(validator=aware_datetime())
    url: str | None = attrs.field(default=None, validator=optional(text_of(nonempty=True)))
    part_ids: tuple[str, ...] = attrs.field(
        default=(), converter=to_tuple, validator=each(text_of(nonempty=True))
    )


#: The public metrics terrain knows, whatever each platform calls them:
#: ``impressions`` (times shown), ``reach`` (people who saw it), ``views`` (of a
#: video or, on Instagram, of any media), ``likes`` (reactions, favourites),
#: ``reposts`` (retweets, shares, boosts), ``replies`` (comments), ``quotes``,
#: ``saves`` (bookmarks, Instagram saves).
METRIC_NAMES = (
    "impressions",
    "reach",
    "views",
    "likes",
    "reposts",
    "replies",
    "quotes",
    "saves",
)
#: The metrics that are someone doing something with a post.
INTERACTIONS = ("likes", "reposts", "replies", "quotes", "saves")


def _counts(value: Mapping[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(sorted(dict(value).items())))


@attrs.frozen
class Metrics:
    """What a platform says about a published post at instant ``at``.

    ``counts`` maps names of :data:`METRIC_NAMES` to whole numbers, only
    those the platform gives (Instagram has no quotes, X's reach is unknown).
    ``gone`` is true when the post no longer exists there (deleted by hand,
    or by the platform); ``counts`` is then empty.
    """

    platform: str = attrs.field(validator=text_of(nonempty=True, max_length=64))
    post_id: str = attrs.field(validator=identifier())
    remote_id: str = attrs.field(validator=text_of(nonempty=True, max_length=2048))
    at: datetime = attrs.field(validator=aware_datetime())
    counts: Mapping[str, int] = attrs.field(factory=dict, converter=_counts)
    gone: bool = attrs.field(default=False, validator=instance_of(bool))

    @counts.validator
    def _known(
        self, attribute: attrs.Attribute[Mapping[str, int]], value: Mapping[str, int]
    ) -> None:
        for name, number in value.items():
            if name not in METRIC_NAMES:
                raise fail(self, attribute, f"{name!r} is not a metric ({', '.join(METRIC_NAMES)})")
            if isinstance(number, bool) or not isinstance(number, int) or number < 0:
                raise fail(self, attribute, f"{name} = {number!r}: a count is a whole number >= 0")
        if self.gone and value:
            raise fail(self, attribute, "a post that is gone has no counts")

    @property
    def interactions(self) -> int:
        """Likes, reposts, replies, quotes and saves, added up."""
        return sum(self.counts.get(name, 0) for name in INTERACTIONS)

    @property
    def reached(self) -> int | None:
        """How many people (or times) it was seen: ``reach``, else ``impressions``,
        else ``views``; ``None`` when the platform does not say."""
        for name in ("reach", "impressions", "views"):
            if name in self.counts:
                return self.counts[name]
        return None

    @property
    def engagement_rate(self) -> float | None:
        """Interactions per person reached (``None`` when nobody is known to have seen it)."""
        seen = self.reached
        return None if not seen else self.interactions / seen


@attrs.frozen
class Capabilities:
    """What a platform accepts in one post.

    ``text_counting``: how a text's length is counted against
    ``max_text_length``: ``"chars"`` (one per character), ``"graphemes"``
    (one per user-perceived character, as Bluesky counts), ``"mastodon"``
    (graphemes, each ``http(s)://`` link 23, ``@user@domain`` as ``@user``)
    or ``"twitter"`` (X's weighted count, twitter-text v3: CJK and emoji
    count 2, an emoji sequence such as 👨‍👩‍👧 counts 2 whatever its length); see
    :func:`text_length`. ``url_length``: if set, every URL counts as that many
    characters (X counts 23; ``"twitter"`` uses 23 when unset).
    ``max_alt_text_length``: the longest alt text accepted per media, in
    characters. ``max_media_bytes``: the largest media file accepted. ``requires_media``:
    the platform cannot post text alone (Instagram).
    """

    max_text_length: int = attrs.field(validator=at_least(1))
    max_media: int = attrs.field(default=0, validator=at_least(0))
    media_types: frozenset[str] = attrs.field(
        default=frozenset({"image/jpeg", "image/png"}),
        converter=to_frozenset,
        validator=each(text_of(nonempty=True)),
    )
    max_media_bytes: int | None = attrs.field(default=None, validator=optional(at_least(1)))
    alt_text: bool = attrs.field(default=False, validator=instance_of(bool))
    max_alt_text_length: int | None = attrs.field(default=None, validator=optional(at_least(1)))
    mentions: bool = attrs.field(default=False, validator=instance_of(bool))
    threads: bool = attrs.field(default=False, validator=instance_of(bool))
    delete: bool = attrs.field(default=False, validator=instance_of(bool))
    url_length: int | None = attrs.field(default=None, validator=optional(at_least(1)))
    requires_media: bool = attrs.field(default=False, validator=instance_of(bool))
    text_counting: TextCounting = attrs.field(default="chars")

    @text_counting.validator
    def _known_counting(self, attribute: attrs.Attribute[str], value: object) -> None:
        if value not in TEXT_COUNTINGS:
            allowed = " or ".join(repr(c) for c in TEXT_COUNTINGS)
            raise fail(self, attribute, f"{value!r} is not a way to count text; use {allowed}")


#: Where a typed mention starts: ``@`` not inside a word, an e-mail address or a URL.
_BEFORE = r"(?<![\w@./])@"
#: Where it ends: not continued by more handle characters (a full stop ending the
#: sentence is not part of it).
_AFTER = r"(?![\w@]|[.\-]\w)"
#: Where a typed mention starts, on its own (each ``@`` the finder may start at).
_START = re.compile(_BEFORE)
#: The characters a typed mention is made of, and where one may end.
_RUN = re.compile(r"[\w.\-@]*")
_END = re.compile(_AFTER)


def typed_handles(*texts: str) -> set[str]:
    """Every ``@handle`` typed in ``texts``, whoever it belongs to: lower case,
    without ``@``, and for a ``user@server`` handle its short form ``user`` too.

    The same grammar as :class:`HandleFinder`: a text in which the finder sees a
    known handle ``h`` has ``h`` (case-folded) among these, which is how the
    journal indexes posts for the takedown of someone's tag. So every place the
    finder may start (each ``@`` not inside a word, an address or a URL, even
    one inside a longer run such as ``@a-@lea_m``) and every place it may end
    (``@lea..m`` mentions ``lea``) is taken, not only the longest handle.
    """
    found: set[str] = set()
    for text in texts:
        for start in _START.finditer(text):
            begin = start.end()
            run = _RUN.match(text, begin)
            stop = begin if run is None else run.end()
            for end in range(begin + 1, stop + 1):
                if _END.match(text, end) is None:
                    continue
                handle = text[begin:end].casefold()
                found.add(handle)
                if "@" in handle.strip("@"):
                    found.add(handle.split("@", 1)[0])
    return found


def handle_forms(handle: str) -> list[str]:
    """How ``handle`` may be typed, in lower case (as :func:`typed_handles` gives
    them): whole, and for a Mastodon-style ``user@server`` also the short ``user``
    (which mentions them on their own server)."""
    forms = [handle.casefold()]
    if "@" in handle.strip("@"):
        local = handle.split("@", 1)[0]
        if local:
            forms.append(local.casefold())
    return list(dict.fromkeys(forms))


#: What a plain handle is made of: the characters :func:`typed_handles` reads.
_PLAIN = re.compile(r"[\w.\-@]+")


def plain_handle(form: str) -> bool:
    """Whether :func:`typed_handles` can give ``form`` (a lower-case handle form):
    made only of word characters, dots, dashes and ``@``. A handle on record may
    hold other characters (``lea+m``): a text is always searched for those."""
    return _PLAIN.fullmatch(form) is not None


@functools.lru_cache(maxsize=256)
def _finder_pattern(forms: tuple[str, ...]) -> re.Pattern[str] | None:
    """The expression that finds ``forms`` typed as mentions, longest first."""
    if not forms:
        return None
    longest = sorted(forms, key=len, reverse=True)
    return re.compile(
        _BEFORE + "(" + "|".join(re.escape(f) for f in longest) + ")" + _AFTER, re.IGNORECASE
    )


class HandleFinder:
    """Finds the handles of known people typed in a text, in any platform's syntax.

    ``handles`` maps each handle (without ``@``) to whose it is. A typed
    mention is ``@`` followed by the handle, compared case-insensitively, not
    inside a word or an e-mail address and not continued by more handle
    characters: ``@lea_m``, ``@lea.m`` (Instagram), ``@lea@mastodon.social`` or
    its short form ``@lea`` (Mastodon), ``@lea.bsky.social`` (Bluesky). A
    handle followed by a full stop at the end of a sentence still counts.
    A handle two people share is the first one's, in the order of ``handles``.

    ``lookup``, instead of ``handles``, is asked for the owners of the handles
    a text may hold (:func:`handle_forms`): given the lower-case forms typed
    (:func:`typed_handles`), it returns ``{form: owner}`` for those on record,
    and every form on record that is not :func:`plain <plain_handle>`
    whatever the text. A workspace looks them up in an index, so finding the
    handles in a post costs what the post holds, not what the community
    holds. Either way a text is searched only for the handles it may hold.
    """

    def __init__(
        self,
        handles: Mapping[str, str] | None = None,
        *,
        lookup: Callable[[frozenset[str]], Mapping[str, str]] | None = None,
    ) -> None:
        self._owner: dict[str, str] = {}
        for handle, owner in (handles or {}).items():
            for form in handle_forms(handle):
                self._owner.setdefault(form, owner)
        self._odd = {f: o for f, o in self._owner.items() if not plain_handle(f)}
        self._lookup = lookup

    def owners(self, *texts: str) -> dict[str, str]:
        """``{form: owner}`` of every handle on record that ``texts`` may hold (lower
        case): the ones typed in them, and the odd ones (not :func:`plain_handle`)."""
        typed = frozenset(typed_handles(*texts))
        if self._lookup is not None:
            return dict(self._lookup(typed))
        found = {f: self._owner[f] for f in typed if f in self._owner}
        return {**self._odd, **found}

    def find(self, *texts: str) -> list[tuple[str, str]]:
        """``(handle as typed, owner)`` for each handle found in ``texts``, first
        occurrence only, in order."""
        owners = self.owners(*texts)
        pattern = _finder_pattern(tuple(sorted(owners)))
        if pattern is None:
            return []
        found: dict[str, tuple[str, str]] = {}
        for text in texts:
            for match in pattern.finditer(text):
                typed = match.group(1)
                key = typed.casefold()
                if key not in found:
                    found[key] = (typed, owners[key])
        return list(found.values())

    @staticmethod
    def remove(text: str, handles: Iterable[str]) -> str:
        """``text`` without the typed ``@handle`` of each of ``handles`` (and the
        space before it); the rest of the text is left as written."""
        wanted = sorted({h.casefold() for h in handles}, key=len, reverse=True)
        if not wanted:
            return text
        pattern = re.compile(
            r"[ \t]?" + _BEFORE + "(?:" + "|".join(re.escape(h) for h in wanted) + ")" + _AFTER,
            re.IGNORECASE,
        )
        out = pattern.sub("", text)
        return re.sub(r"^[ \t]+", "", out, flags=re.MULTILINE) if out != text else out


claim(__name__, globals())
