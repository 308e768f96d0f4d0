"""Consent given on a web form: its evidence, and the words the person agreed to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from terrain import Community, Event
from terrain.consent import Evidence, EvidenceKind, Purpose, consent_form_text, render_consent_form
from terrain.errors import ValidationError
from terrain.serialization import from_json, to_json
from terrain.testing import strategies

COMMUNITY = Community(id="velo", name="Vélo Lyon", timezone="Europe/Paris")
EVENT = Event(id="ev-1", title="Vélo & ville", starts_at=datetime(2026, 11, 12, 18, tzinfo=UTC),
              ends_at=datetime(2026, 11, 12, 21, tzinfo=UTC))


def test_web_form_evidence_keeps_text_version_and_link_and_round_trips() -> None:
    evidence = Evidence(kind="web-form", text="Publier…", version="form/2/abc", link="l0123")
    assert evidence.kind is EvidenceKind.WEB_FORM
    assert from_json(to_json(evidence), Evidence) == evidence
    assert '"kind": "web-form"' in to_json(evidence) or '"kind":"web-form"' in to_json(evidence)


@pytest.mark.parametrize(
    "fields",
    [{"text": "", "version": "1", "link": "l1"}, {"text": "x", "version": "", "link": "l1"},
     {"text": "x", "version": "1"}],
)
def test_web_form_evidence_without_text_version_or_link_is_refused(
    fields: dict[str, str]
) -> None:
    with pytest.raises(ValidationError):
        Evidence(kind="web-form", **fields)


@given(strategies.evidence())
def test_every_kind_of_evidence_round_trips(evidence: Evidence) -> None:
    assert from_json(to_json(evidence), Evidence) == evidence


def test_the_web_form_has_the_paper_form_s_words_and_the_personal_page() -> None:
    text = consent_form_text(community=COMMUNITY, purposes=["publish"], platforms=["x"],
                             duration=timedelta(days=365), language="fr", event=EVENT, web=True)
    paper = render_consent_form(community=COMMUNITY, purposes=["publish"], platforms=["x"],
                                duration=timedelta(days=365), language="fr", event=EVENT)
    plain = text.plain()
    for words in (text.title, "Publier des photos et vidéos où j'apparais", "1 an(s)"):
        assert words in plain
        assert words.replace("'", "&#x27;") in paper
    assert "page personnelle" in plain
    assert "page personnelle" not in paper


@given(st.sets(st.sampled_from(list(Purpose)), min_size=1),
       st.sampled_from(["fr", "en"]))
def test_the_version_names_the_exact_text(purposes: set[Purpose], language: str) -> None:
    one = consent_form_text(community=COMMUNITY, purposes=purposes, platforms=None,
                            duration=None, language=language)
    same = consent_form_text(community=COMMUNITY, purposes=sorted(purposes), platforms=None,
                             duration=None, language=language)
    other = consent_form_text(community=COMMUNITY, purposes=purposes, platforms=["x"],
                              duration=None, language=language)
    assert one.version == same.version
    assert one.version != other.version
    assert one.version.startswith("form/")
