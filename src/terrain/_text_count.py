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
    - a URL counts ``url_length`` (``transformedURLLength``, 23): URLs are found as
      twitter-text's ``extractUrlsWithIndices`` finds them (its regular
      expressions are ported as they are): ``http://`` or ``https://`` links, and
      bare domains (``vélo-lyon.fr/agenda``) whose host is made of ASCII and
      Latin accented letters. The host must end in a top-level domain and each
      label must be at most 63 characters once punycode-encoded, else the
      "URL" is counted character by character, as X does.

    Emoji come from the Unicode properties of the ``regex`` module
    (``Emoji_Presentation``, ``Extended_Pictographic``, ``Emoji_Modifier``,
    ``Regional_Indicator``), the top-level domains from the public-suffix
    snapshot that ``tldextract`` ships (no network); both are imported at the
    first count. Differences from twitter-text: a blank text counts its spaces
    (Java answers 0 for a blank text, JavaScript counts them); top-level domains
    retired since twitter-text froze its list (``.an``, ``.tp``, brand TLDs) make
    no link. ``tests/test_text_count_conformance.py`` runs twitter-text's
    conformance files case by case.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import TYPE_CHECKING, Literal

import attrs

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
    ``terrain._text_count``); ``capabilities.url_length`` is what each URL
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
    """``(start, end)`` of each URL in ``text``, as twitter-text extracts them.

    A port of twitter-text's ``extractUrlsWithIndices`` (JavaScript, v3): the
    same regular expression (``extractUrl``), the same checks after a match
    (host labels at most 63 characters punycode-encoded, at most 4096
    characters in all, ``t.co`` slugs at most 40) and, for a link without
    ``http://``/``https://``, the same rule that only the part of the host
    made of ASCII letters, digits, hyphens and Latin accented letters is a
    link (``vélo-lyon.fr/agenda`` is one; ``日本.jp`` is not).
    """
    if "." not in text:
        return []
    spans: list[tuple[int, int]] = []
    patterns = _url_patterns()
    for match in patterns.extract.finditer(text):
        before, url, protocol, domain = match.group(2, 3, 4, 5)
        path = match.group(7)
        start, end = match.span(3)
        if not _valid_url(url, protocol or "https://", domain, patterns):
            continue
        if not protocol:
            if before and before[-1] in "-_./":  # invalidUrlWithoutProtocolPrecedingChars
                continue
            last: tuple[int, int] | None = None
            for ascii_match in patterns.ascii_domain.finditer(domain):
                last = (start + ascii_match.start(), start + ascii_match.end())
                spans.append(last)
            if last is None:
                continue
            if path:
                spans[-1] = (last[0], end)
        else:
            tco = patterns.tco.match(url)
            if tco is not None:
                if len(tco.group(1)) > _MAX_TCO_SLUG_LENGTH:
                    continue
                end = start + tco.end()
            spans.append((start, end))
    return spans


def _valid_url(url: str, protocol: str, domain: str, patterns: _UrlPatterns) -> bool:
    """twitter-text's ``isValidUrl``: every host label 1-63 characters once punycode-
    encoded, and the URL (with a protocol) at most 4096 UTF-16 code units."""
    if domain.startswith("xn--") and patterns.ascii_domain.search(domain) is None:
        return False  # a punycode host cannot hold anything but ASCII
    for label in domain.split("."):
        # punycode.js maps the ideographic full stops to "." inside a label too
        parts = _IDEOGRAPHIC_STOPS.sub(".", label).split(".")
        length = len(parts) - 1 + sum(len(_punycode(part)) for part in parts)
        if not 1 <= length <= 63:
            return False
    # twitter-text's idna.toAscii returns the host as given: the encoded length is not used
    return _utf16_length(protocol) + _utf16_length(url) <= _MAX_URL_LENGTH


def _punycode(label: str) -> str:
    """``label`` as punycode.js's ``toASCII`` writes it (no nameprep, case kept)."""
    if label.isascii():
        return label
    return "xn--" + label.encode("punycode").decode("ascii")


def _utf16_length(text: str) -> int:
    """The length JavaScript gives ``text`` (code points above U+FFFF count 2)."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


@functools.cache
def _tlds() -> tuple[str, ...]:
    """The top-level domains (IANA's, from the public-suffix snapshot in tldextract),
    longest first."""
    import tldextract

    extractor = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    # the last label of every suffix: "za" is only listed through "co.za", "org.za"…
    names = {s.rsplit(".", 1)[-1].casefold() for s in extractor.tlds}
    return tuple(sorted(names, key=lambda name: (-len(name), name)))


@attrs.frozen
class _UrlPatterns:
    extract: re.Pattern[str]
    ascii_domain: re.Pattern[str]
    tco: re.Pattern[str]


# The character classes of twitter-text's js/src/regexp/ (Apache-2.0, Twitter, Inc.).
_LATIN_ACCENTS = (
    "\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259"
    "\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_CYRILLIC = "\u0400-\u04ff"
_PUNCT = r"!'#%&()*+,\\\-./:;<=>?@\[\]^_{|}~$"
_SPACES = "\x09-\x0d\x20\x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_INVALID = "\ufffe\ufeff\uffff"
_DIRECTIONAL = "\u202a-\u202e\u061c\u200e\u200f\u2066-\u2069"
_IDEOGRAPHIC_STOPS = re.compile("[\u3002\uff0e\uff61]")
_MAX_TCO_SLUG_LENGTH = 40


@functools.cache
def _url_patterns() -> _UrlPatterns:
    """twitter-text's ``extractUrl``, ``validAsciiDomain`` and ``validTcoUrl``."""
    tld = "(?:(?:" + "|".join(map(re.escape, _tlds())) + ")(?=[^0-9a-zA-Z@+-]|$))"
    punycode = r"(?:xn--[\-0-9a-z]+)"
    char = f"[^{_PUNCT}{_SPACES}{_INVALID}{_DIRECTIONAL}]"
    # "(?:c(?:[_-]|c)*)?c" written so that it cannot backtrack: no "." is a domain char
    subdomain = f"(?:{char}(?:[_-]*{char})*+\\.)"
    domain_name = f"(?:{char}(?:-*{char})*+\\.)"
    domain = f"(?:{subdomain}*{domain_name}(?:{tld}|{punycode}))"
    preceding = f"(?:[^A-Za-z0-9@\uff20$#\uff03{_INVALID}]|[{_DIRECTIONAL}]|^)"
    path_char = f"[a-z{_CYRILLIC}0-9!*';:=+,.$/%#\\[\\]\\-\u2013_~@|&{_LATIN_ACCENTS}]"
    parens = f"\\((?:{path_char}+|(?:{path_char}*\\({path_char}+\\){path_char}*))\\)"
    path_end = f"(?:[+\\-a-z{_CYRILLIC}0-9=_#/{_LATIN_ACCENTS}]|{parens})"
    path = f"(?:(?:{path_char}*(?:{parens}{path_char}*)*{path_end})|(?:@{path_char}+/))"
    query_char = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
    query_end = r"[a-z0-9\-_&=#/]"
    extract = (
        f"(({preceding})((https?://)?({domain})(?::([0-9]+))?(/{path}*)?"
        f"(\\?{query_char}*{query_end})?))"
    )
    ascii_domain = f"(?:(?:[\\-a-z0-9{_LATIN_ACCENTS}]+)\\.)+(?:{tld}|{punycode})"
    tco = f"^https?://t\\.co/([a-z0-9]+)(?:\\?{query_char}*{query_end})?"
    return _UrlPatterns(
        extract=re.compile(extract, re.IGNORECASE),
        ascii_domain=re.compile(ascii_domain, re.IGNORECASE),
        tco=re.compile(tco, re.IGNORECASE),
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
