"""Field stories: what decide() lets out, what it holds back, and why."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from terrain import Appearance, ConsentDenied, Content, Mention, Post, PostMedia
from terrain.consent import DecisionOutcome, DecisionRecord, Purpose, Scope, decide
from terrain.errors import ValidationError
from terrain.serialization import from_json, to_json

from .helpers import EVENING, FORM, MEETUP, ledger, media, photo


def test_meetup_photo_with_three_people_is_held_back_because_one_refused() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish"], at=MEETUP, evidence=FORM)
    book.grant("samir", purposes=["publish"], at=MEETUP, evidence=FORM)
    book.refuse("ana", purposes=["publish"], at=MEETUP, evidence=FORM, consent_id="c-ana")

    decision = decide(book, photo("p-12", "lea", "samir", "ana"), platform="x", at=EVENING)

    assert not decision.allowed
    assert [r.text for r in decision.blocking] == [
        "Ana Costa: refused on 2026-03-12 (record c-ana)"
    ]
    assert decision.relied_on == ("c-1", "c-2")
    assert decision.subject_kind == "content"
    assert decision.subject_id == "p-12"


def test_the_same_photo_cropped_to_the_two_who_agreed_is_allowed() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish"], at=MEETUP, evidence=FORM)
    book.grant("samir", purposes=["publish"], at=MEETUP, evidence=FORM)
    book.refuse("ana", purposes=["publish"], at=MEETUP, evidence=FORM)

    decision = decide(book, photo("p-12b", "lea", "samir"), platform="x", at=EVENING)

    assert decision.allowed
    assert decision.outcome is DecisionOutcome.ALLOWED
    assert not decision.blocking


def test_minor_whose_parent_signed_is_shown_and_minor_whose_parent_did_not_is_not() -> None:
    book = ledger()
    book.grant("tom", purposes=["publish"], at=MEETUP, evidence=FORM, given_by=["paul", "tom"],
               subject_assent=True, consent_id="c-tom")

    tom = decide(book, photo("p-1", "tom"), platform="facebook", at=EVENING)
    nina = decide(book, photo("p-2", "nina"), platform="facebook", at=EVENING)

    assert tom.allowed
    assert "Tom Martin (minor): guardian consent given by Paul Martin" in tom.reasons[0].text
    assert not nina.allowed
    assert nina.reasons[0].text == (
        "Nina Roux (minor): guardian consent missing to 'publish' on 'facebook'"
    )


def test_a_child_who_does_not_assent_is_not_shown_even_with_the_parents_signature() -> None:
    book = ledger()
    book.grant("tom", purposes=["publish"], at=MEETUP, evidence=FORM, given_by=["paul"],
               subject_assent=False)

    decision = decide(book, photo("p-1", "tom"), platform="x", at=EVENING)

    assert not decision.allowed
    assert "did not assent" in decision.reasons[0].text


def test_consent_given_for_instagram_only_does_not_cover_x() -> None:
    book = ledger()
    book.grant("ana", purposes=["publish"], platforms=["instagram"], at=MEETUP, evidence=FORM)
    content = photo("p-3", "ana")

    assert decide(book, content, platform="instagram", at=EVENING).allowed
    on_x = decide(book, content, platform="x", at=EVENING)
    assert not on_x.allowed
    assert on_x.reasons[0].text == "Ana Costa: no consent to 'publish' on 'x'"


def test_consent_expiring_between_dry_run_and_publication_blocks_publication() -> None:
    book = ledger()
    ends = EVENING + timedelta(hours=1)
    book.grant("lea", purposes=["publish"], at=MEETUP, evidence=FORM, valid_until=ends,
               consent_id="c-7")
    content = photo("p-4", "lea")

    dry_run = decide(book, content, platform="x", at=EVENING)
    publication = decide(book, content, platform="x", at=ends + timedelta(minutes=5))

    assert dry_run.allowed
    assert not publication.allowed
    assert publication.reasons[0].text == "Léa Martin: consent expired on 2026-03-13 (record c-7)"


def test_withdrawn_consent_blocks_publication_made_after_withdrawal_only() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish"], at=MEETUP, evidence=FORM, consent_id="c-7")
    withdrawn_at = MEETUP + timedelta(days=2)
    book.withdraw("lea", at=withdrawn_at)
    content = photo("p-5", "lea")

    assert decide(book, content, platform="x", at=EVENING).allowed  # before: it held
    after = decide(book, content, platform="x", at=withdrawn_at)
    assert after.reasons[0].text == "Léa Martin: consent withdrawn on 2026-03-14 (record c-7)"
    assert not after.allowed


def test_unreviewed_people_block_the_photo() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish"], at=MEETUP, evidence=FORM)
    content = photo("p-12", "lea", reviewed=False)

    decision = decide(book, content, platform="x", at=EVENING)

    assert not decision.allowed
    assert "photo p-12: 1 person not reviewed" in [r.text for r in decision.blocking]


def test_a_photo_whose_people_were_never_reviewed_is_not_publishable() -> None:
    content = Content(id="p-9", kind="photo", created_at=MEETUP, media=[media("m-1")])

    decision = decide(ledger(), content, platform="x", at=EVENING)

    assert not decision.allowed
    assert decision.blocking[0].text.startswith("photo p-9: people not reviewed yet")


def test_event_scoped_consent_covers_that_event_only() -> None:
    book = ledger()
    book.grant("samir", purposes=["publish"], scope=Scope(kind="event", ref="ev-03"),
               at=MEETUP, evidence=FORM)

    assert decide(book, photo("p-1", "samir", event_id="ev-03"), platform="x", at=EVENING).allowed
    assert not decide(book, photo("p-2", "samir", event_id="ev-04"), platform="x",
                      at=EVENING).allowed


def test_a_later_refusal_for_one_event_wins_over_an_earlier_general_consent() -> None:
    book = ledger()
    book.grant("samir", purposes=["publish"], at=MEETUP, evidence=FORM)
    book.refuse("samir", purposes=["publish"], scope=Scope(kind="event", ref="ev-04"),
                at=MEETUP + timedelta(days=30), evidence=FORM)
    later = MEETUP + timedelta(days=31)

    assert decide(book, photo("p-1", "samir", event_id="ev-03"), platform="x", at=later).allowed
    assert not decide(book, photo("p-2", "samir", event_id="ev-04"), platform="x",
                      at=later).allowed


def test_an_interview_needs_the_interview_purpose_not_just_publish() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish"], at=MEETUP, evidence=FORM)
    interview = Content(
        id="i-1", kind="micro-interview", created_at=MEETUP, body="Why I come to meetups",
        appearances=[Appearance(member_id="lea", reviewed=True)], people_reviewed=True,
    )

    refused = decide(book, interview, platform="x", at=EVENING)
    book.grant("lea", purposes=["interview"], at=EVENING, evidence=FORM)
    allowed = decide(book, interview, platform="x", at=EVENING)

    assert not refused.allowed
    assert refused.reasons[0].text == "Léa Martin: interview: no consent to 'interview' on 'x'"
    assert allowed.allowed


def test_user_generated_content_needs_the_authors_reuse_consent() -> None:
    book = ledger()
    drawing = Content(id="ugc-1", kind="photo", created_at=MEETUP, media=[media("m-1")],
                      people_reviewed=True, author_id="ana")

    before = decide(book, drawing, platform="instagram", at=EVENING)
    book.grant("ana", purposes=["reuse-ugc"], at=MEETUP, evidence=FORM)
    after = decide(book, drawing, platform="instagram", at=EVENING)

    assert not before.allowed
    assert before.reasons[0].text.startswith("Ana Costa (author): reuse-ugc: no consent")
    assert after.allowed


def _recap(*mentions: Mention, media_list: tuple[PostMedia, ...] = ()) -> Post:
    return Post(id="post-1", platform="x", text="Thanks for coming to the March meetup!",
                media=media_list, mentions=mentions, event_id="ev-03")


def test_tag_consent_without_publish_consent_tags_in_text_but_does_not_show() -> None:
    book = ledger()
    book.grant("samir", purposes=["tag"], at=MEETUP, evidence=FORM, consent_id="c-tag")
    contents = {"p-1": photo("p-1", "samir")}
    text_post = _recap(Mention(handle="samirh", member_id="samir"))
    photo_post = _recap(
        Mention(handle="samirh", member_id="samir"),
        media_list=(PostMedia(key="media/m-1.jpg", media_type="image/jpeg", content_id="p-1",
                              media_id="m-1"),),
    )

    text_decision = decide(book, text_post, platform="x", at=EVENING, contents=contents)
    photo_decision = decide(book, photo_post, platform="x", at=EVENING, contents=contents)

    assert text_decision.allowed
    assert text_decision.kept_mentions == text_post.mentions
    assert text_decision.relied_on == ("c-tag",)
    assert not photo_decision.allowed
    assert photo_decision.blocking[0].text == "Samir Haddad: no consent to 'publish' on 'x'"


def test_a_mention_without_tag_consent_is_dropped_not_the_whole_post() -> None:
    book = ledger()
    book.grant("lea", purposes=["tag"], at=MEETUP, evidence=FORM)
    post = _recap(
        Mention(handle="lea_m", member_id="lea"),
        Mention(handle="samirh", member_id="samir"),
        Mention(handle="cafe_zinc", partner_id="zinc"),
    )

    decision = decide(book, post, platform="x", at=EVENING)
    sent = decision.apply_to(post)

    assert decision.allowed
    assert [m.handle for m in decision.dropped_mentions] == ["samirh"]
    assert [m.handle for m in sent.mentions] == ["lea_m", "cafe_zinc"]
    reason = decision.reason_for(post.mentions[1])
    assert reason is not None
    assert reason.text == "@samirh (Samir Haddad): mention dropped, no consent to 'tag' on 'x'"
    assert decision.reason_for(post.mentions[2]) is None


def test_post_media_show_only_the_people_of_their_own_photo() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish"], at=MEETUP, evidence=FORM)
    album = Content(
        id="album", kind="photo", created_at=MEETUP, media=[media("m-1"), media("m-2")],
        appearances=[Appearance(member_id="lea", media_id="m-1", reviewed=True),
                     Appearance(member_id="ana", media_id="m-2", reviewed=True)],
        people_reviewed=True, event_id="ev-03",
    )
    first = PostMedia(key="media/m-1.jpg", media_type="image/jpeg", content_id="album",
                      media_id="m-1")
    second = PostMedia(key="media/m-2.jpg", media_type="image/jpeg", content_id="album",
                       media_id="m-2")

    only_lea = decide(book, _recap(media_list=(first,)), platform="x", at=EVENING,
                      contents={"album": album})
    both = decide(book, _recap(media_list=(first, second)), platform="x", at=EVENING,
                  contents={"album": album})

    assert only_lea.allowed
    assert not both.allowed


def test_post_media_of_unknown_origin_or_missing_content_block() -> None:
    loose = PostMedia(key="media/flyer.jpg", media_type="image/jpeg")
    linked = PostMedia(key="media/m-1.jpg", media_type="image/jpeg", content_id="p-404")

    decision = decide(ledger(), _recap(media_list=(loose, linked)), platform="x", at=EVENING)

    texts = [r.text for r in decision.blocking]
    assert not decision.allowed
    assert any("media media/flyer.jpg: not linked to field content" in t for t in texts)
    assert any("content p-404: not provided" in t for t in texts)


def test_a_denied_decision_cannot_be_applied_and_says_why() -> None:
    book = ledger()
    post = _recap(media_list=(PostMedia(key="media/m-1.jpg", media_type="image/jpeg",
                                        content_id="p-1"),))
    decision = decide(book, post, platform="x", at=EVENING, contents={"p-1": photo("p-1", "ana")})

    with pytest.raises(ConsentDenied, match="Ana Costa: no consent") as info:
        decision.apply_to(post)
    assert info.value.decision is decision


def test_decide_refuses_a_post_composed_for_another_platform() -> None:
    with pytest.raises(ValidationError, match="composed for 'x', not 'instagram'"):
        decide(ledger(), _recap(), platform="instagram", at=EVENING)


def test_explain_lists_every_reason_for_the_log() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish"], at=MEETUP, evidence=FORM)
    decision = decide(book, photo("p-12", "lea", "ana"), platform="x", at=EVENING)

    assert decision.explain().splitlines() == [
        "DENIED: content p-12 for 'publish' on 'x' at 2026-03-12T23:00:00+01:00",
        "  + Léa Martin: consent given on 2026-03-12 (record c-1)",
        "  x Ana Costa: no consent to 'publish' on 'x'",
        "  relied on: c-1",
    ]


def test_the_decision_explained_in_the_docs_reads_as_shown_there() -> None:
    """docs/consent.rst shows this output; keep them in step."""
    book = ledger()
    book.grant("lea", purposes=["publish"], at=MEETUP, evidence=FORM)
    book.grant("tom", purposes=["publish"], at=MEETUP, evidence=FORM, given_by=["paul"],
               subject_assent=True)
    book.refuse("ana", purposes=["publish"], at=MEETUP, evidence=FORM)
    content = Content(
        id="p-12", kind="photo", created_at=MEETUP, media=[media("m-1")], people_reviewed=True,
        appearances=[Appearance(member_id=m, media_id="m-1", reviewed=m != "samir")
                     for m in ("lea", "tom", "ana", "samir")],
    )

    explained = decide(book, content, platform="x", at=EVENING).explain()

    docs = (Path(__file__).parents[2] / "docs" / "consent.rst").read_text(encoding="utf-8")
    assert "\n".join(f"    {line}" for line in explained.splitlines()) in docs


def test_a_decision_becomes_an_audit_record_that_round_trips_through_json() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish", "tag"], at=MEETUP, evidence=FORM)
    post = _recap(Mention(handle="samirh", member_id="samir"))
    decision = decide(book, post, platform="x", purpose=Purpose.PUBLISH, at=EVENING)

    record = decision.to_record(actor="cm:lea", record_id="d-1")

    assert record.outcome is DecisionOutcome.ALLOWED
    assert record.dropped_mentions == ("samirh",)
    assert record.reasons == decision.reasons
    assert from_json(to_json(record), DecisionRecord) == record
