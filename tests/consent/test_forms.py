"""Printable consent forms, in French and English, escaped, with a guardian block for minors."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest

from terrain import Community, Event, Project
from terrain.consent import render_consent_form
from terrain.errors import ConsentError, ValidationError

from .helpers import LEA, MEETUP, TOM

COMMUNITY = Community(id="velo", name="Vélo & Quartier <Lyon>")
MEETUP_EVENT = Event(id="ev-03", title="Meetup de mars", starts_at=MEETUP,
                     ends_at=MEETUP + timedelta(hours=3))


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _read(html: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.text), parser.tags


def test_french_form_lists_purposes_platforms_duration_and_the_right_to_withdraw() -> None:
    html = render_consent_form(community=COMMUNITY, purposes=["publish", "tag"],
                               platforms=["instagram", "x"], duration=timedelta(days=365),
                               event=MEETUP_EVENT, subject=LEA)
    text, tags = _read(html)

    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="fr">' in html
    assert "Publier des photos et vidéos où j'apparais" in text
    assert "M'identifier (me taguer) avec mon compte" in text
    assert "Enregistrer et publier mon interview" not in text
    assert "instagram, x" in text
    assert "1 an(s)" in text
    assert "retirer votre accord à tout moment" in text
    assert "Meetup de mars (2026-03-12)" in text
    assert "Léa Martin" in text
    assert "Représentant(s) légal(aux)" not in text
    assert "script" not in tags


def test_english_form_for_a_minor_has_guardian_lines_and_the_childs_assent() -> None:
    html = render_consent_form(community=COMMUNITY, purposes=["publish"], platforms=None,
                               duration=None, language="en", subject=TOM,
                               project=Project(id="pr-1", title="New square",
                                               started_on=MEETUP.date()))
    text, _ = _read(html)

    assert "every network and the community's website" in text
    assert "until you withdraw your consent" in text
    assert "Parent(s) or legal guardian(s)" in text
    assert "The child agrees" in text
    assert "Project: New square" in text


def test_every_text_is_escaped() -> None:
    html = render_consent_form(community=COMMUNITY, purposes=["publish"],
                               platforms=["<script>alert(1)</script>"],
                               duration=timedelta(days=90), language="en")

    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "Vélo &amp; Quartier &lt;Lyon&gt;" in html
    assert "3 months" in html


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"language": "de"}, ValidationError, "use 'fr' or 'en'"),
        ({"purposes": ["sell"]}, ConsentError, "unknown purpose 'sell'"),
        ({"duration": timedelta(0)}, ValidationError, "duration must be positive"),
    ],
)
def test_bad_form_requests_are_refused(kwargs: dict[str, object], error: type[Exception],
                                       message: str) -> None:
    args: dict[str, object] = {"community": COMMUNITY, "purposes": ["publish"],
                               "platforms": None, "duration": None, **kwargs}
    with pytest.raises(error, match=message):
        render_consent_form(**args)  # type: ignore[arg-type]
