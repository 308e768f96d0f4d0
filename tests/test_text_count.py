"""The one text count: per character, or X's weighted count (twitter-text v3)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from terrain import Capabilities
from terrain.errors import ValidationError
from terrain.posts import text_length

X = Capabilities(max_text_length=280, text_counting="twitter", url_length=23)
PAGE = Capabilities(max_text_length=63206)
LINKS_23 = Capabilities(max_text_length=500, url_length=23)

_XS = "xxxxxxxxxx-"
_KANA = "あいうえおかきくけこ"
_POEM = (
    "故人西辞黄鹤楼，烟花三月下扬州。孤帆远影碧空尽，唯见长江天际流。"
    "朱雀桥边野草花，乌衣巷口夕阳斜。旧时王谢堂前燕，飞入寻常百姓家。"
    "朝辞白帝彩云间，千里江陵一日还。两岸猿声啼不住，轻舟已过万重山。"
    "泪湿罗巾梦不成，夜深前殿按歌声。红颜未老恩先断，斜倚薰笼坐到明。"
    "独在异乡为异客，每逢佳节倍思亲。遥知兄弟登高处，遍插茱萸少一人。"
)
_LONG_HOST = "https://" + "somesuperlongurl" * 249 + ".com/foo"
_PUNCTUATION = (
    "This is a tweet with general punctuation characters: "
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b "
    "‐ ‑ ‒ – — ― ‖  ‗ ‘ ’ ‚ ‛ “ ” „ ‟ ′ ″ ‴ ‵ ‶ ‷"
)

#: twitter-text's conformance examples (conformance/validate.yml,
#: WeightedTweetsWithDiscountedEmojiCounterTest, the v3 configuration):
#: text -> weightedLength.
CONFORMANCE = [
    ("Regular Tweet with url", "Hi http://test.co", 26),
    ("Just url", "http://test.co", 23),
    ("Long tweet, overflow at char index 280", "285 chars-" + _XS * 25, 285),
    (
        "Long tweet with url in the middle",
        "285 chars- http://www.twitter.com/jack " + _XS * 24,
        299,
    ),
    ("Long tweet with url at the end", _XS * 24 + " http://www.twitter.com/jack ", 289),
    ("10 url string, no overflow", "https://www.twitter.com/aloha " * 10, 240),
    ("160 CJK char", _POEM, 320),
    ("160 emoji char", "😷" * 160, 320),
    ("3 latin char + 160 CJK char", "the" + _POEM, 323),
    ("'Á' is normalized into 1 char", "A\u0301B", 2),
    ("שּׁ is normalized into 3 chars", "Aשּׁ", 4),
    (
        "282 chars with a normalized character within valid range but outside 280",
        "282 chars-" + _XS * 24 + "xxxxxA\u0301x",
        281,
    ),
    ("single and double word characters", "H🐱☺👨‍👩‍👧‍👦", 7),
    ("emoji inside the basic multilingual plane", "😷👾😡🔥💩", 10),
    ("emoji outside the BMP with skin tone modifiers", "🙋🏽👨‍🎤", 4),
    ("general punctuation, no ZWJ/ZWNJ", _PUNCTUATION, 110),
    (
        "long url with invalid domain labels and short url",
        "Long url with invalid domain labels and a short url: "
        + f"{_LONG_HOST} " * 3
        + "https://validurl.com",
        12079,
    ),
    ("a 64 character domain without protocol", "randomurl" * 7 + "s.com", 68),
    (
        "CJK host over 63 punycode characters is no URL",
        _KANA * 12 + " http://" + _KANA * 5 + "あいう.com",
        358,
    ),
    (
        "CJK host within 63 punycode characters is a URL",
        _KANA * 12 + " http://" + _KANA * 5 + "あい.com",
        264,
    ),
    ("140 family emoji", "👨‍👩‍👧‍👦" * 140, 280),
    ("emoji with a leading character in the latin range", "1⃣", 2),
    ("Unicode 10.0 emoji", "Unicode 10.0 emoji: 🤪; 🧕; 🧕🏾; 🏴󠁧󠁢󠁥󠁮󠁧󠁿", 34),
    ("Unicode 9.0 emoji", "Unicode 9.0 emoji: 🤠; 💃; 💃🏾", 29),
    ("directional characters around a URL", "\u2066\u202ahttp://foobar.پاکستان/\u202c\u2069", 31),
    ("invalid characters still count", "ABC\u202a\uffffABC\ufffe", 12),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [pytest.param(text, expected, id=name) for name, text, expected in CONFORMANCE],
)
def test_x_count_matches_twitter_text_conformance(text: str, expected: int) -> None:
    assert text_length(text, X) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("👨‍👩‍👧", 2),  # a family: 5 code points, one emoji
        ("❤️", 2),  # a text-default heart made emoji by U+FE0F
        ("🇫🇷", 2),  # a flag: two regional indicators
        ("1️⃣", 2),  # a keycap
        ("🏳️‍🌈", 2),
        ("©", 1),  # text-default, no U+FE0F: an ordinary Latin-1 character
        ("Apéro du jeudi 🍻 au Bar'Ouf", 15 + 2 + 11),
    ],
)
def test_an_emoji_sequence_counts_2_whatever_its_length(text: str, expected: int) -> None:
    assert text_length(text, X) == expected


def test_a_link_counts_23_and_the_dot_ending_the_sentence_counts_1() -> None:
    assert text_length("Photos : https://terrain.fr/meetup/12.", X) == 9 + 23 + 1
    assert text_length("Programme sur terrain.fr/agenda !", X) == 14 + 23 + 2


@pytest.mark.parametrize(
    "text",
    ["écrire à lea@terrain.fr", "#terrain.fr", "notes.txt", "https://terrain.example/page"],
)
def test_what_is_no_link_for_x_counts_letter_by_letter(text: str) -> None:
    """An e-mail, a hashtag, a file name, a made-up top-level domain: no t.co link."""
    assert text_length(text, X) == len(text)


def test_a_bare_domain_with_latin_accents_is_a_link_as_for_twitter_text() -> None:
    """twitter-text's ``validAsciiDomain`` takes Latin accented letters: X counts 23."""
    assert text_length("vélo-lyon.fr/agenda", X) == 23
    assert text_length("Rendez-vous sur vélo-lyon.fr/agenda !", X) == 16 + 23 + 2
    assert text_length("Le programme : café-crème.fr", X) == 15 + 23


def test_a_bare_domain_in_another_script_is_no_link_without_its_protocol() -> None:
    assert text_length("日本.jp", X) == 2 * 2 + 3
    assert text_length("пример.fr", X) == 9
    assert text_length("https://пример.fr", X) == 23


def test_a_ccTLD_listed_only_under_its_second_level_domains_is_still_a_tld() -> None:
    """The public-suffix list names "co.za", "org.za"… but not "za" alone."""
    assert text_length("http://www.foo.org.za/foo/bar/688.1", X) == 23


def test_a_link_ends_where_its_domain_ends() -> None:
    assert text_length("voir terrain.fr.Merci", X) == 5 + 23 + 6


def test_per_character_counting_counts_each_code_point_and_links_as_set() -> None:
    assert text_length("👨‍👩‍👧", PAGE) == 5
    assert text_length("voir https://terrain.fr/un/long/chemin", PAGE) == 38
    assert text_length("voir https://terrain.fr/un/long/chemin", LINKS_23) == 5 + 23


def test_an_unknown_way_of_counting_is_refused_with_the_choices() -> None:
    with pytest.raises(
        ValidationError, match=r"text_counting.*'chars' or 'graphemes' or 'mastodon' or 'twitter'"
    ):
        Capabilities(max_text_length=280, text_counting="bytes")  # type: ignore[arg-type]


# Text that neither joins nor normalizes across a cut: letters (no Hangul jamo,
# which NFC composes), digits, spaces and punctuation without "." (no links).
_SIMPLE = st.characters(
    categories=("Lu", "Ll", "Lo", "Nd", "Zs", "Po", "Sm"),
    exclude_characters=".:/@#",
).filter(lambda c: not 0x1100 <= ord(c) <= 0x11FF and not 0xA960 <= ord(c) <= 0xD7FF)
simple_texts = st.text(_SIMPLE, max_size=60)


@given(st.text(max_size=200), st.sampled_from([X, PAGE, LINKS_23]))
def test_a_count_is_never_negative_and_empty_counts_zero(text: str, caps: Capabilities) -> None:
    assert text_length(text, caps) >= 0
    assert text_length("", caps) == 0


@given(simple_texts, simple_texts, st.sampled_from([X, PAGE]))
def test_the_count_of_simple_text_adds_up_over_concatenation(
    a: str, b: str, caps: Capabilities
) -> None:
    assert text_length(a + b, caps) == text_length(a, caps) + text_length(b, caps)


@given(simple_texts)
def test_x_counts_each_character_1_or_2(text: str) -> None:
    normalized = unicodedata.normalize("NFC", text)
    assert len(normalized) <= text_length(text, X) <= 2 * len(normalized)


_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))  # twitter-text config/v3.json


@given(
    st.characters(categories=("Lu", "Ll", "Lo", "Nd", "Pd", "Ps", "Pe", "Po", "Sm", "Zs")).filter(
        lambda c: unicodedata.normalize("NFC", c) == c
    )
)
def test_a_single_character_weighs_1_in_the_v3_ranges_and_2_elsewhere(char: str) -> None:
    light = any(lo <= ord(char) <= hi for lo, hi in _LIGHT)
    assert text_length(char, X) == (1 if light else 2)


# Letters twitter-text's validAsciiDomain accepts in a bare domain (latinAccentChars, NFC
# composed ones: the combining marks U+0300-U+036F are left out, NFC would merge them).
_LATIN_ACCENTED = st.characters(
    categories=("Ll", "Lu"),
    min_codepoint=0xC0,
    max_codepoint=0x24F,
    exclude_characters="\xd7\xf7",
).filter(lambda c: unicodedata.normalize("NFC", c) == c)
_ASCII_LABEL_CHAR = st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789")
_LABELS = st.lists(st.one_of(_ASCII_LABEL_CHAR, _LATIN_ACCENTED), min_size=1, max_size=20).map(
    "".join
)


@given(
    label=_LABELS,
    tld=st.sampled_from(["fr", "com", "org", "bzh", "paris", "za"]),
    path=st.sampled_from(["", "/agenda", "/photos/12", "/?p=3"]),
)
def test_any_bare_domain_of_latin_letters_counts_23_like_twitter_text(
    label: str, tld: str, path: str
) -> None:
    """The class of the vélo-lyon.fr defect: a bare domain of ASCII and Latin accented
    letters (a French, Spanish, Polish… name) is a t.co link, whatever its length."""
    text = f"voir {label}.{tld}{path} !"
    assert text_length(text, X) == 5 + 23 + 2


@given(
    label=st.text(
        st.characters(categories=("Lo",), min_codepoint=0x4E00, max_codepoint=0x9FFF),
        min_size=1,
        max_size=10,
    )
)
def test_a_bare_domain_without_latin_letters_is_counted_letter_by_letter(label: str) -> None:
    text = f"voir {label}.fr"
    assert text_length(text, X) == 5 + 2 * len(label) + 3
    assert text_length(f"voir https://{label}.fr", X) == 5 + 23
