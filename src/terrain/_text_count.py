"""How many characters a text counts for on a platform: one function for all.

:func:`text_length` is what the composer fits texts to and what the adapters
check before a call. :attr:`Capabilities.text_counting
<terrain.posts.Capabilities.text_counting>` picks the rule:

``"chars"``
    One per code point; where ``url_length`` is set, each URL counts that
    many instead of its own length.

``"graphemes"``
    One per user-perceived character (an extended grapheme cluster of
    Unicode UAX #29: ``é`` written as ``e`` + U+0301, 👨‍👩‍👧 or 🇫🇷 count 1),
    as Bluesky counts its 300; where ``url_length`` is set, each URL counts
    that many instead.

``"mastodon"``
    Mastodon's ``StatusLengthValidator``: grapheme clusters, every
    ``http://`` or ``https://`` link counts ``url_length`` (23 when unset)
    whatever its length (a bare ``terrain.fr`` is counted as written), and
    a mention of a remote account, ``@lea@mastodon.social``, counts as
    ``@lea``.

``"twitter"``
    X's rule, twitter-text v3 (``config/v3.json``, ``parseTweet``):

    - the text is NFC-normalized first;
    - code points in 0–4351, 8192–8205, 8208–8223 and 8242–8247 (Latin,
      Cyrillic, Greek, Hebrew, Arabic…, general punctuation) weigh 1, every
      other code point (CJK, emoji…) weighs 2 (weights 100/200 at scale 100);
    - an emoji sequence weighs 2 whatever its length: ZWJ sequences (👨‍👩‍👧),
      skin tones (🙋🏽), flags (🇫🇷, 🏴 with tags), keycaps (1️⃣), a
      text-default pictograph with U+FE0F (❤️); a stray U+FE0F weighs 2;
    - a URL counts ``url_length`` (``transformedURLLength``, 23): ``http://``
      or ``https://`` links, and bare ASCII domains (``terrain.fr/agenda``) as
      twitter-text extracts them. The host must end in a top-level domain of
      IANA's list and each label must be at most 63 characters once
      punycode-encoded, else the "URL" is counted character by character, as
      X does.

    Emoji come from the Unicode properties of the ``regex`` module
    (``Emoji_Presentation``, ``Extended_Pictographic``, ``Emoji_Modifier``,
    ``Regional_Indicator``), the top-level domains from the public-suffix
    snapshot that ``tldextract`` ships (no network); both are imported at the
    first count. One difference from twitter-text's Java parser: a blank text
    counts its spaces (Java answers 0 for a blank text, JavaScript counts them).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import regex

    from terrain.posts import Capabilities

__all__ = [
    "TEXT_COUNTINGS",
    "TWITTER_URL_LENGTH",
    "TextCounting",
    "grapheme_length",
    "text_length",
    "url_spans",
]

#: The ways a platform counts the length of a text (see the module docstring).
TextCounting = Literal["chars", "graphemes", "mastodon", "twitter"]
TEXT_COUNTINGS: tuple[str, ...] = ("chars", "graphemes", "mastodon", "twitter")
#: ``transformedURLLength`` of twitter-text v3: what every URL counts on X.
TWITTER_URL_LENGTH = 23

# twitter-text v3: code points in these ranges weigh 1, all others 2
_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
_MAX_URL_LENGTH = 4096  # twitter-text's MAX_URL_LENGTH, protocol included
# every code point outside _LIGHT (0-4351, 8192-8205, 8208-8223, 8242-8247)
_HEAVY = re.compile(r"[^\x00-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]")


def text_length(text: str, capabilities: Capabilities) -> int:
    """How many characters ``text`` counts for on a platform with ``capabilities``.

    ``capabilities.text_counting`` picks the rule (``"chars"``,
    ``"graphemes"``, ``"mastodon"`` or ``"twitter"``, see
    :mod:`terrain._text_count`); ``capabilities.url_length`` is what each URL
    counts (``"twitter"`` and ``"mastodon"`` use 23 when it is not set). The
    count is never negative and the empty text counts 0.
    """
    counting = capabilities.text_counting
    if counting == "twitter":
        return twitter_length(text, url_length=capabilities.url_length or TWITTER_URL_LENGTH)
    if counting == "mastodon":
        return mastodon_length(text, url_length=capabilities.url_length or TWITTER_URL_LENGTH)
    measure = grapheme_length if counting == "graphemes" else len
    if capabilities.url_length is None:
        return measure(text)
    total = 0
    at = 0
    for start, end in url_spans(text):
        total += measure(text[at:start]) + capabilities.url_length
        at = end
    return total + measure(text[at:])


def grapheme_length(text: str) -> int:
    """How many extended grapheme clusters (user-perceived characters) ``text`` holds."""
    if text.isascii():
        # in ASCII only CR LF is one cluster of two code points
        return len(text) - text.count("\r\n")
    return len(_grapheme_pattern().findall(text))


def mastodon_length(text: str, *, url_length: int = TWITTER_URL_LENGTH) -> int:
    """The length Mastodon counts (``StatusLengthValidator``): grapheme clusters,
    ``url_length`` for each ``http(s)://`` link, ``@user`` for ``@user@domain``."""
    spans = [(s, e, "x" * url_length) for s, e in url_spans(text) if _has_protocol(text, s)]
    for match in _MASTODON_MENTION.finditer(text):
        if match.group("domain") and not any(s <= match.start() < e for s, e, _ in spans):
            spans.append((match.start(), match.end(), "@" + match.group("user")))
    spans.sort()
    parts: list[str] = []
    at = 0
    for start, end, replacement in spans:
        if start < at:
            continue  # overlapping entities: the first one wins, as Mastodon's extractor
        parts += [text[at:start], replacement]
        at = end
    parts.append(text[at:])
    return grapheme_length("".join(parts))


def _has_protocol(text: str, start: int) -> bool:
    head = text[start : start + 8].casefold()
    return head.startswith(("http://", "https://"))


# Mastodon's Account::MENTION_RE: @user or @user@domain, not inside a word or a URL
_MASTODON_MENTION = re.compile(
    r"(?<![=/\w])@(?P<user>[a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?)(?P<domain>@[\w.-]+\w+)?",
    re.IGNORECASE,
)


@functools.cache
def _grapheme_pattern() -> regex.Pattern[str]:
    import regex

    return regex.compile(r"\X")


def twitter_length(text: str, *, url_length: int = TWITTER_URL_LENGTH) -> int:
    """The weighted length of ``text`` by twitter-text v3 (X's 280).

    As twitter-text's ``parseTweet``: URLs first, then emoji sequences (found
    left to right over the whole text, kept where no URL covers their start),
    then every other code point by its weight.
    """
    normalized = unicodedata.normalize("NFC", text)
    total = 0
    at = 0
    for start, end, weight in _entities(normalized, url_length):
        total += _weigh(normalized, at, start) + weight
        at = end
    return total + _weigh(normalized, at, len(normalized))


def _entities(text: str, url_length: int) -> list[tuple[int, int, int]]:
    """``(start, end, weight)`` of the URLs and emoji sequences of ``text``, in order."""
    urls = [(start, end, url_length) for start, end in url_spans(text)]
    if text.isascii():  # no emoji in ASCII (a keycap needs U+20E3)
        return urls
    emoji: list[tuple[int, int, int]] = []
    url_at = 0
    for match in _emoji_pattern().finditer(text):
        start = match.start()
        while url_at < len(urls) and urls[url_at][1] <= start:
            url_at += 1
        if url_at < len(urls) and urls[url_at][0] <= start:
            continue  # starts inside a URL: the URL counts for it
        emoji.append((start, match.end(), 2))
    return sorted(urls + emoji)


def _weigh(text: str, start: int, end: int) -> int:
    """The weight of ``text[start:end]``: 1 per light code point, 2 per other."""
    return (end - start) + len(_HEAVY.findall(text, start, end))


def url_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each URL in ``text``, as twitter-text extracts them."""
    if "." not in text:
        return []
    spans: list[tuple[int, int]] = []
    for match in _URL.finditer(text):
        protocol, host = match.group("protocol"), match.group("host")
        start, stop = match.span()
        path = match.group("path") or ""
        encoded = _encoded_host(host, ascii_only=not protocol)
        labels = host.split(".")
        while encoded is None and len(labels) > 2:
            # "terrain.fr.Merci": the link is terrain.fr, as twitter-text's TLD list finds
            labels.pop()
            host = ".".join(labels)
            encoded = _encoded_host(host, ascii_only=not protocol)
            stop, path = match.start("host") + len(host), ""
        if encoded is None:
            continue
        if path:
            stop -= len(path) - len(_trim_path(path))
        if stop - start + encoded - len(host) > _MAX_URL_LENGTH:
            continue
        spans.append((start, stop))
    return spans


@functools.lru_cache(maxsize=4096)
def _encoded_host(host: str, *, ascii_only: bool) -> int | None:
    """The length of ``host`` punycode-encoded, or ``None`` if it is no valid host."""
    if ascii_only and not host.isascii():
        return None
    labels = host.split(".")
    if len(labels) < 2 or labels[-1].casefold() not in _tlds():
        return None
    length = len(labels) - 1
    for label in labels:
        try:
            encoded = label.encode("idna")
        except UnicodeError:  # a label over 63 characters once encoded, or not encodable
            return None
        if not encoded or len(encoded) > 63 or label.startswith("-") or label.endswith("-"):
            return None
        length += len(encoded)
    return length


def _trim_path(path: str) -> str:
    """A path without the punctuation that ends the sentence around the link."""
    while path:
        last = path[-1]
        if last == ")" and path.count("(") >= path.count(")"):
            break
        if last.isalnum() or last in "=_#/-+&":
            break
        path = path[:-1]
    return path


@functools.cache
def _tlds() -> frozenset[str]:
    """The top-level domains (IANA's, from the public-suffix snapshot in tldextract)."""
    import tldextract

    extractor = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    return frozenset(s.casefold() for s in extractor.tlds if "." not in s)


_URL = re.compile(
    r"""
    (?<![A-Za-z0-9@＠$#＃_./:-])           # twitter-text's invalid preceding characters
    (?P<protocol>https?://)?
    (?P<host>(?:[^\W_][\w-]*\.)+[^\W\d_]{2,63})
    (?![\w@+-])
    (?::[0-9]{1,5})?
    (?P<path>[/?][^\s]*)?
    """,
    re.VERBOSE | re.IGNORECASE,
)


@functools.cache
def _emoji_pattern() -> regex.Pattern[str]:
    import regex

    tags = r"[\U000E0020-\U000E007E]*\U000E007F?"
    element = (
        r"(?:\p{Emoji_Presentation}(?!\uFE0E)\uFE0F?"
        r"|\p{Extended_Pictographic}\uFE0F"
        r"|\p{Emoji_Modifier_Base}(?=\p{Emoji_Modifier}))"
        r"\p{Emoji_Modifier}?" + tags
    )
    joined = r"\u200D(?:\p{Extended_Pictographic}\uFE0F?\p{Emoji_Modifier}?|" + element + ")"
    return regex.compile(
        r"[#*0-9]\uFE0F?\u20E3"
        r"|\p{Regional_Indicator}{1,2}"
        rf"|{element}(?:{joined})*"
        r"|\uFE0F",
        regex.V1,
    )
