"""The handle finder searches a text only for the handles it may hold, and finds
exactly what a search for every handle on record finds."""

from __future__ import annotations

import re
from collections.abc import Mapping

from hypothesis import given, settings
from hypothesis import strategies as st

from terrain.posts import HandleFinder, handle_forms, plain_handle, typed_handles

BEFORE = r"(?<![\w@./])@"
AFTER = r"(?![\w@]|[.\-]\w)"


def everyone(handles: Mapping[str, str], *texts: str) -> list[tuple[str, str]]:
    """The finder as it was: one expression over every handle on record."""
    owner: dict[str, str] = {}
    for handle, who in handles.items():
        for form in handle_forms(handle):
            owner.setdefault(form, who)
    if not owner:
        return []
    pattern = re.compile(
        BEFORE + "(" + "|".join(re.escape(f) for f in sorted(owner, key=len, reverse=True))
        + ")" + AFTER, re.IGNORECASE,
    )
    found: dict[str, tuple[str, str]] = {}
    for text in texts:
        for match in pattern.finditer(text):
            key = match.group(1).casefold()
            found.setdefault(key, (match.group(1), owner[key]))
    return list(found.values())


def looked_up(handles: Mapping[str, str]) -> HandleFinder:
    """A finder that asks for owners, as a workspace's index answers."""
    owner: dict[str, str] = {}
    for handle, who in handles.items():
        for form in handle_forms(handle):
            owner.setdefault(form, who)

    def lookup(forms: frozenset[str]) -> dict[str, str]:
        return {f: o for f, o in owner.items() if f in forms or not plain_handle(f)}

    return HandleFinder(lookup=lookup)


HANDLE = st.text(st.sampled_from("lea_m.-@xé+!L"), min_size=1, max_size=6).filter(
    lambda h: not h.startswith("@")
)


@settings(max_examples=600)
@given(
    text=st.text(st.sampled_from("lea_m.@-é /xL+!\n"), max_size=24),
    handles=st.dictionaries(HANDLE, st.sampled_from(["ana", "bob", "cleo"]), max_size=4),
)
def test_the_finder_finds_what_a_search_for_every_handle_on_record_finds(
    text: str, handles: dict[str, str]
) -> None:
    """Searching only for the handles a text may hold (those typed in it, and the
    odd ones typed_handles cannot give) finds the same handles, with the same
    owners, as one search for every handle on record, with a lookup or without."""
    assert HandleFinder(handles).find(text) == everyone(handles, text)
    assert looked_up(handles).find(text, "et @" + text) == everyone(handles, text, "et @" + text)


def test_a_handle_two_people_share_is_the_first_ones_in_either_finder() -> None:
    handles = {"lea@piaille.fr": "ana", "LEA": "bob"}
    assert HandleFinder(handles).find("Merci @Lea !") == [("Lea", "ana")]
    assert looked_up(handles).find("Merci @Lea !") == [("Lea", "ana")]


def test_a_handle_with_a_character_typed_handles_does_not_read_is_still_found() -> None:
    """``lea+m`` is not plain: it is searched for in every text."""
    assert not plain_handle("lea+m")
    assert "lea+m" not in typed_handles("Merci @lea+m")
    assert HandleFinder({"lea+m": "lea"}).find("Merci @lea+m") == [("lea+m", "lea")]
    assert looked_up({"lea+m": "lea"}).find("Merci @lea+m") == [("lea+m", "lea")]


def test_the_lookup_is_asked_only_for_the_handles_typed_in_the_text() -> None:
    asked: list[frozenset[str]] = []

    def lookup(forms: frozenset[str]) -> dict[str, str]:
        asked.append(forms)
        return {"lea_m": "lea"} if "lea_m" in forms else {}

    assert HandleFinder(lookup=lookup).find("Bravo @Lea_M et @zoe.") == [("Lea_M", "lea")]
    assert asked == [frozenset(typed_handles("Bravo @Lea_M et @zoe."))]
    assert asked[0] >= {"lea_m", "zoe"}
