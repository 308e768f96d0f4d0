"""X's text count against twitter-text's own conformance files, case by case.

twitter-text (https://github.com/twitter/twitter-text, Copyright 2011 Twitter,
Inc., Apache License 2.0) ships ``conformance/validate.yml``, ``extract.yml`` and
``tlds.yml``, the cases its Java, JavaScript, Ruby and Objective-C ports must all
pass. This module runs every case that concerns the length of a text:

* ``validate.yml``: ``tweets`` (the 140-character rule of configuration v1: one per
  code point, a URL 23), ``WeightedTweetsWithDiscountedEmojiCounterTest`` (v3, X
  today), ``UnicodeDirectionalMarkerCounterTest`` (the default, v3) and
  ``WeightedTweetsCounterTest`` (v2);
* ``extract.yml``: ``urls``, ``urls_with_indices``, ``urls_with_directional_markers``,
  ``tco_urls_with_params`` (which spans count 23);
* ``tlds.yml``: one link per top-level domain of twitter-text's list.

The three files are kept, unchanged and with their licence, in
``tests/samples/twitter-text/`` (its README says which commit they come from);
``$TERRAIN_TWITTER_TEXT_CONFORMANCE`` points the tests at another copy (a newer
checkout's ``conformance/``) to try it before refreshing ours.

Cases terrain does not pass, on purpose (each is an ``xfail``, strict):

* ``WeightedTweetsCounterTest`` with emoji sequences: configuration v2 weighs each
  code point of a ZWJ sequence or a skin-tone emoji; X counts with v3 (an emoji
  sequence weighs 2), which terrain implements and the v3 section checks.
* ``tlds.yml`` entries IANA has since retired (``an``, ``tp``, ``um``, ``bl``, brand
  TLDs such as ``xperia``): terrain takes the top-level domains from the current
  public-suffix list that ``tldextract`` ships, not twitter-text's 2018 list.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from terrain import Capabilities
from terrain._text_count import _tlds, url_spans
from terrain.posts import text_length

X = Capabilities(max_text_length=280, text_counting="twitter", url_length=23)
#: twitter-text's configuration v1: every code point weighs 1, a URL 23, 140 at most.
V1 = Capabilities(max_text_length=140, url_length=23)


FOLDER = Path(
    os.environ.get("TERRAIN_TWITTER_TEXT_CONFORMANCE")
    or Path(__file__).parent / "samples" / "twitter-text"
)


def _load(name: str) -> dict[str, list[dict[str, Any]]]:
    import yaml

    # libyaml's safe loader when PyYAML has it (it reads the same data, ten times faster:
    # every pytest-xdist worker loads these files to collect the cases)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    tests: dict[str, list[dict[str, Any]]] = yaml.load(
        (FOLDER / name).read_text(encoding="utf-8"), Loader=loader
    )["tests"]
    return tests


VALIDATE, EXTRACT, TLDS = _load("validate.yml"), _load("extract.yml"), _load("tlds.yml")


def _cases(suite: dict[str, list[dict[str, Any]]], *sections: str) -> list[Any]:
    """Every case of ``sections``; a section missing from the file is an error."""
    return [
        pytest.param(case, id=f"{section}: {case['description']}")
        for section in sections
        for case in suite[section]
    ]


def test_the_conformance_files_hold_every_section_run_here() -> None:
    """A refreshed copy that lost a section would silently run fewer cases."""
    counts = {
        "validate": sum(len(VALIDATE[s]) for s in (
            "tweets", "WeightedTweetsWithDiscountedEmojiCounterTest",
            "UnicodeDirectionalMarkerCounterTest", "WeightedTweetsCounterTest")),
        "extract": sum(len(EXTRACT[s]) for s in (
            "urls", "tco_urls_with_params", "urls_with_indices",
            "urls_with_directional_markers")),
        "tlds": len(TLDS["country"]) + len(TLDS["generic"]),
    }
    assert counts["validate"] > 50, counts
    assert counts["extract"] > 50, counts
    assert counts["tlds"] > 1000, counts


def _has_emoji_sequence(text: str) -> bool:
    """Whether ``text`` holds a ZWJ sequence or a skin-toned emoji (v2 and v3 differ)."""
    import regex

    return regex.search(r"\p{Extended_Pictographic}[\p{Emoji_Modifier}\u200d]", text) is not None


@pytest.mark.parametrize(
    "case",
    _cases(
        VALIDATE,
        "WeightedTweetsWithDiscountedEmojiCounterTest",
        "UnicodeDirectionalMarkerCounterTest",
        "WeightedTweetsCounterTest",
    ),
)
def test_the_x_count_is_twitter_texts_weighted_length(
    case: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    if "WeightedTweetsCounterTest:" in request.node.callspec.id and _has_emoji_sequence(
        case["text"]
    ):
        request.applymarker(
            pytest.mark.xfail(strict=True, reason="configuration v2 does not discount emoji")
        )
    assert text_length(case["text"], X) == case["expected"]["weightedLength"]


@pytest.mark.parametrize("case", _cases(VALIDATE, "tweets"))
def test_the_140_character_rule_of_configuration_v1(case: dict[str, Any]) -> None:
    length = text_length(case["text"], V1)
    assert (0 < length <= 140) is case["expected"]


@pytest.mark.parametrize("case", _cases(EXTRACT, "urls", "tco_urls_with_params"))
def test_the_links_counted_23_are_the_urls_twitter_text_extracts(case: dict[str, Any]) -> None:
    text = case["text"]
    assert [text[start:end] for start, end in url_spans(text)] == case["expected"]


@pytest.mark.parametrize(
    "case", _cases(EXTRACT, "urls_with_indices", "urls_with_directional_markers")
)
def test_the_links_are_where_twitter_text_finds_them(case: dict[str, Any]) -> None:
    text = case["text"]
    found = [{"url": text[s:e], "indices": [s, e]} for s, e in url_spans(text)]
    assert found == case["expected"]


@pytest.mark.parametrize("case", _cases(TLDS, "country", "generic"))
def test_every_top_level_domain_of_twitter_texts_list_makes_a_link(
    case: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    text = case["text"]
    tld = text.rsplit(".", 1)[-1].casefold()
    if tld not in _tlds():
        request.applymarker(
            pytest.mark.xfail(
                strict=True,
                reason=f".{tld} is not in the public-suffix list (retired, never delegated)",
            )
        )
    assert [text[start:end] for start, end in url_spans(text)] == case["expected"]
