"""Everything the command line prints goes through one filter: every control character
(C0 but tab and newline, DEL, C1, the bidirectional embeddings, overrides and
isolates) is written ``\\uXXXX``, whatever the text around it, ASCII or not, short
or as long as a listing of 20,000 records."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from terrain.cli._common import printable

#: The characters the filter escapes, spelled out from its documentation.
UNPRINTABLE = {
    *map(chr, range(0x09)),
    *map(chr, range(0x0B, 0x20)),
    *map(chr, range(0x7F, 0xA0)),
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2066, 0x206A)),
}


def escaped(text: str) -> str:
    """What the filter should print for ``text``, one character at a time."""
    return "".join(f"\\u{ord(c):04x}" if c in UNPRINTABLE else c for c in text)


#: Mostly printable ASCII, with every kind of control character in the mix.
texts = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.sampled_from([*sorted(UNPRINTABLE), "\t", "\n", "é", "\u00a0", "\u2069", "😀"]),
    )
)


@given(text=texts)
def test_every_control_character_is_escaped_and_nothing_else(text: str) -> None:
    assert printable(text) == escaped(text)


@given(text=st.text(alphabet=st.characters(max_codepoint=0x7F)))
def test_ascii_text_is_escaped_exactly_where_it_holds_a_control_character(text: str) -> None:
    assert printable(text) == escaped(text)


def test_a_control_character_deep_in_a_long_ascii_listing_is_escaped() -> None:
    line = "c-1      m00000           given            publish on x, for all content\n"
    for char in ("\x00", "\x1b", "\x7f", "\x08", "\x0b", "\x1f"):
        text = line * 20_000 + f"a{char}b" + line
        assert printable(text) == line * 20_000 + f"a\\u{ord(char):04x}b" + line


def test_tabs_and_newlines_are_kept() -> None:
    assert printable("a\tb\nc") == "a\tb\nc"
