"""How many characters a text counts for on a platform: one function for all.

:func:`text_length` is what the composer fits texts to and what the adapters
check before a call. :attr:`Capabilities.text_counting
<terrain.posts.Capabilities.text_counting>` picks the rule:

``"chars"``
    One per code point; where ``url_length`` is set, each URL counts that
    many instead of its own length.

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
import unicodedata
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import regex

    from terrain.posts import Capabilities

__all__ = ["TEXT_COUNTINGS", "TWITTER_URL_LENGTH", "TextCounting", "text_length", "url_spans"]

#: The ways a platform counts the length of a text (see the module docstring).
TextCounting = Literal["chars", "twitter"]
TEXT_COUNTINGS: tuple[str, ...] = ("chars", "twitter")
#: ``transformedURLLength`` of twitter-text v3: what every URL counts on X.
TWITTER_URL_LENGTH = 23

# twitter-text v3: code points in these ranges weigh 1, all others 2
_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
_MAX_URL_LENGTH = 4096  # twitter-text's MAX_URL_LENGTH, protocol included


def text_length(text: str, capabilities: Capabilities) -> int:
    """How many characters ``text`` counts for on a platform with ``capabilities``.

    ``capabilities.text_counting`` picks the rule (``"chars"`` or
    ``"twitter"``, see :mod:`terrain._text_count`); ``capabilities.url_length``
    is what each URL counts (``"twitter"`` uses 23 when it is not set). The
    count is never negative and the empty text counts 0.
    """
    if capabilities.text_counting == "twitter":
        return twitter_length(text, url_length=capabilities.url_length or TWITTER_URL_LENGTH)
    if capabilities.url_length is None:
        return len(text)
    total = len(text)
    for start, end in url_spans(text):
        total += capabilities.url_length - (end - start)
    return total


def twitter_length(text: str, *, url_length: int = TWITTER_URL_LENGTH) -> int:
    """The weighted length of ``text`` by twitter-text v3 (X's 280)."""
    normalized = unicodedata.normalize("NFC", text)
    urls = dict(url_spans(normalized))
    emoji = _emoji_pattern()
    total = 0
    at = 0
    end = len(normalized)
    while at < end:
        url_end = urls.get(at)
        if url_end is not None:
            total += url_length
            at = url_end
            continue
        match = emoji.match(normalized, at)
        if match is not None and match.end() > at:
            total += 2
            at = match.end()
            continue
        point = ord(normalized[at])
        total += 1 if any(lo <= point <= hi for lo, hi in _LIGHT) else 2
        at += 1
    return total


def url_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each URL in ``text``, as twitter-text extracts them."""
    if "." not in text:
        return []
    spans: list[tuple[int, int]] = []
    for match in _url_pattern().finditer(text):
        protocol, host = match.group("protocol"), match.group("host")
        encoded = _encoded_host(host, ascii_only=not protocol)
        if encoded is None:
            continue
        start, stop = match.span()
        path = match.group("path") or ""
        if path:
            stop -= len(path) - len(_trim_path(path))
        if stop - start + encoded - len(host) > _MAX_URL_LENGTH:
            continue
        spans.append((start, stop))
    return spans


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
        if not encoded or len(encoded) > 63:
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


@functools.cache
def _url_pattern() -> regex.Pattern[str]:
    import regex

    return regex.compile(
        r"""
        (?<![A-Za-z0-9@＠$#＃_./:-])           # twitter-text's invalid preceding characters
        (?P<protocol>https?://)?
        (?P<host>(?:[^\W_](?:[\w-]{0,251}[^\W_])?\.)+[^\W\d_]{2,63})
        (?![\w@+-])
        (?::[0-9]{1,5})?
        (?P<path>[/?][^\s]*)?
        """,
        regex.VERBOSE | regex.IGNORECASE | regex.V1,
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
