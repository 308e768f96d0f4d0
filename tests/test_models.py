"""Every model validates at construction and survives a JSON round-trip."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from terrain import (
    Appearance,
    Community,
    Content,
    Event,
    MediaFile,
    Member,
    Mention,
    Partnership,
    Post,
    Project,
    Talk,
    ValidationError,
    Venue,
    Workshop,
)
from terrain.consent import Consent, Evidence, Scope, StatusChange
from terrain.errors import DeserializationError
from terrain.partnerships import PipelineStep
from terrain.serialization import from_json, to_json
from terrain.testing.strategies import MODEL_STRATEGIES, models
from terrain.workshops import Idea

T0 = datetime(2026, 3, 12, 19, 0, tzinfo=UTC)
CHECKSUM = "a" * 64


@given(models())
def test_every_model_survives_a_json_round_trip(obj: Any) -> None:
    assert from_json(to_json(obj), type(obj)) == obj


@given(st.sampled_from(sorted(MODEL_STRATEGIES, key=lambda c: c.__name__)), st.data())
def test_every_model_is_frozen_and_slotted(cls: type, data: st.DataObject) -> None:
    assert attrs.has(cls)
    assert "__slots__" in cls.__dict__
    obj = data.draw(MODEL_STRATEGIES[cls])
    field = attrs.fields(cls)[0].name
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(obj, field, getattr(obj, field))


@given(st.sampled_from(sorted(MODEL_STRATEGIES, key=lambda c: c.__name__)), st.data())
def test_unknown_keys_are_rejected_with_their_name(cls: type, data: st.DataObject) -> None:
    obj = data.draw(MODEL_STRATEGIES[cls])
    text = to_json(obj)[:-1] + ', "surprise": 1}'
    with pytest.raises(DeserializationError, match=r"extra fields found \(surprise\)"):
        from_json(text, cls)


def make_event(**changes: Any) -> Event:
    values: dict[str, Any] = {
        "id": "ev-1",
        "title": "Vélo & ville",
        "starts_at": T0,
        "ends_at": T0 + timedelta(hours=3),
        "talks": [Talk(title="Pistes", speaker="Ana", minutes=25, qa_minutes=10)],
        "networking_minutes": 120,
    }
    values.update(changes)
    return Event(**values)


@pytest.mark.parametrize(
    ("build", "field", "words"),
    [
        (lambda: Talk(title="t", speaker="s", minutes=-5), "Talk.minutes", "at least 1"),
        (
            lambda: Talk(title="t", speaker="s", minutes=20, qa_minutes=-1),
            "Talk.qa_minutes",
            "at least 0",
        ),
        (
            lambda: make_event(ends_at=T0 - timedelta(minutes=1)),
            "Event.ends_at",
            "not after the start",
        ),
        (lambda: make_event(capacity=-3), "Event.capacity", "at least 0"),
        (
            lambda: make_event(starts_at=datetime(2026, 3, 12, 19)),
            "Event.starts_at",
            "no time zone",
        ),
        (
            lambda: make_event(networking_minutes=400),
            "Event.networking_minutes",
            "take 435 minutes",
        ),
        (lambda: Venue(id="v", name="Le Zinc", kind="pub"), "Venue.kind", "'bar'"),
        (
            lambda: Venue(id="v", name="Le Zinc", kind="bar", capacity=-1),
            "Venue.capacity",
            "at least 0",
        ),
        (
            lambda: Venue(id="v", name="Salle", kind="other", cost_model="rental-fee"),
            "Venue.fee",
            "fee",
        ),
        (
            lambda: Member(id="tom", display_name="Tom", is_minor=True),
            "Member.guardian_ids",
            "guardian",
        ),
        (
            lambda: Member(id="lea", display_name="Léa", handles={"x": "@lea"}),
            "Member.handles",
            "without '@'",
        ),
        (lambda: Member(id="lea martin", display_name="Léa"), "Member.id", "not a valid id"),
        (lambda: Member(id="lea", display_name="  "), "Member.display_name", "must not be empty"),
        (
            lambda: Member(id="lea", display_name="Léa", email="lea at velo.fr"),
            "Member.email",
            "not an email address",
        ),
        (
            lambda: Member(id="lea", display_name="Léa", phone="06\n12"),
            "Member.phone",
            "line break",
        ),
        (
            lambda: Member(
                id="erased-1", display_name="Erased member", email="lea@velo.fr", erased_at=T0
            ),
            "Member.erased_at",
            "keeps no personal field",
        ),
        (
            lambda: Community(id="c", name="C", timezone="Mars/Olympus"),
            "Community.timezone",
            "time zone",
        ),
        (
            lambda: MediaFile(id="p1", key="k", media_type="jpeg", size=1, checksum=CHECKSUM),
            "MediaFile.media_type",
            "media type",
        ),
        (
            lambda: MediaFile(id="p1", key="k", media_type="image/jpeg", size=1, checksum="abc"),
            "MediaFile.checksum",
            "SHA-256",
        ),
        (
            lambda: Content(
                id="c1", kind="photo", created_at=T0, appearances=[Appearance("lea", media_id="p9")]
            ),
            "Content.appearances",
            "not one of this content's media",
        ),
        (
            lambda: Content(id="c1", kind="photo", created_at=T0, event_id="e", project_id="p"),
            "Content.event_id",
            "one event, project or workshop",
        ),
        (
            lambda: Partnership(
                id="p",
                partner_id="shop",
                history=[
                    PipelineStep("contacted", date(2026, 3, 1)),
                    PipelineStep("prospect", date(2026, 2, 1)),
                ],
            ),
            "Partnership.history",
            "oldest first",
        ),
        (
            lambda: Project(
                id="square", title="Place", started_on=date(2026, 5, 1), ends_on=date(2026, 1, 1)
            ),
            "Project.ends_on",
            "before the start date",
        ),
        (
            lambda: Workshop(
                id="w", title="W", brief="B", starts_at=T0, ideas=[Idea("i", "lea", "idea")]
            ),
            "Workshop.ideas",
            "not a participant",
        ),
        (lambda: Post(id="p", platform="x", text=" "), "Post.text", "text or media"),
        (lambda: Mention(handle="lea"), "Mention.member_id", "exactly one"),
        (lambda: Scope(kind="event"), "Scope.ref", "need the id"),
        (lambda: Evidence(kind="verbal"), "Evidence.witness", "witness"),
        (
            lambda: Consent(
                id="c",
                subject_id="lea",
                given_by=["lea"],
                purposes=["publish"],
                valid_from=T0,
                valid_until=T0,
                evidence=Evidence(kind="verbal", witness="Sam"),
                history=[StatusChange("given", T0)],
            ),
            "Consent.valid_until",
            "is not after the start",
        ),
        (
            lambda: Consent(
                id="c",
                subject_id="lea",
                given_by=["lea"],
                purposes=["publish"],
                valid_from=T0,
                evidence=Evidence(kind="verbal", witness="Sam"),
                history=[StatusChange("withdrawn", T0)],
            ),
            "Consent.history",
            "starts with 'given' or 'refused'",
        ),
    ],
)
def test_invalid_values_raise_a_clear_error_naming_the_field(
    build: Any, field: str, words: str
) -> None:
    with pytest.raises(ValidationError) as info:
        build()
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")
    assert words in str(info.value)


def test_validation_errors_are_value_errors() -> None:
    with pytest.raises(ValueError, match=r"Talk.minutes"):
        Talk(title="t", speaker="s", minutes=0)


def test_a_bool_is_not_accepted_as_a_count() -> None:
    with pytest.raises(ValidationError, match="got a bool"):
        Talk(title="t", speaker="s", minutes=True)


def test_models_change_by_evolve_and_stay_valid() -> None:
    event = make_event()
    moved = attrs.evolve(event, ends_at=event.ends_at + timedelta(hours=1))
    assert moved.ends_at - event.ends_at == timedelta(hours=1)
    with pytest.raises(ValidationError, match=r"Event.ends_at"):
        attrs.evolve(event, ends_at=event.starts_at)


def test_handles_cannot_be_changed_in_place() -> None:
    lea = Member(id="lea", display_name="Léa", handles={"x": "lea_m"})
    with pytest.raises(TypeError):
        lea.handles["x"] = "someone_else"  # type: ignore[index]


def test_partnership_status_is_the_latest_step() -> None:
    partnership = Partnership(
        id="p",
        partner_id="shop",
        history=[
            PipelineStep("prospect", date(2026, 1, 5)),
            PipelineStep("active", date(2026, 3, 1)),
        ],
    )
    assert partnership.status.value == "active"


def test_post_renders_mentions_after_the_text() -> None:
    post = Post(
        id="p",
        platform="x",
        text="Merci à tous !",
        mentions=[Mention("lea_m", member_id="lea"), Mention("zinc", partner_id="le-zinc")],
    )
    assert post.text_with_mentions() == "Merci à tous !\n\n@lea_m @zinc"


@pytest.mark.parametrize(
    "key", ["../../etc/passwd", "/etc/passwd", "photos/a\x00.jpg", "photos//a.jpg", "a\\b.jpg"]
)
def test_a_model_never_holds_a_storage_key_that_leaves_the_store(key: str) -> None:
    """MediaFile.key, PostMedia.key and Evidence.file_key follow the storage key rule."""
    from terrain.posts import PostMedia

    with pytest.raises(ValidationError, match=r"MediaFile\.key: storage key"):
        MediaFile(id="m-1", key=key, media_type="image/jpeg", size=1, checksum="0" * 64)
    with pytest.raises(ValidationError, match=r"Evidence\.file_key: storage key"):
        Evidence(kind="signed-form", file_key=key)
    with pytest.raises(ValidationError, match=r"PostMedia\.key: storage key"):
        PostMedia(key=key, media_type="image/jpeg")


def test_a_member_with_contact_fields_survives_a_json_round_trip() -> None:
    lea = Member(
        id="lea", display_name="Léa Martin", email="Lea.Martin+velo@example.org", phone="+33 6 12"
    )
    assert from_json(to_json(lea), Member) == lea


def test_a_member_stored_before_contact_fields_existed_reads_with_none_of_them() -> None:
    old = '{"id": "lea", "display_name": "Léa", "handles": {}, "is_minor": false, ' \
        '"guardian_ids": [], "joined_on": null, "tags": []}'
    lea = from_json(old, Member)
    assert (lea.email, lea.phone, lea.erased_at) == (None, "", None)
