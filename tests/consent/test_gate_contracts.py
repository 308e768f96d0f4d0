"""What a decision promises: it holds together, it is for the purpose asked, it sees
handles typed in the text, and it knows when a review went stale."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from terrain import Content, Member, Mention, Post, PostMedia
from terrain.consent import ConsentLedger, Decision, Purpose, Reason, decide
from terrain.content import change_people
from terrain.errors import ConsentDenied, ValidationError
from terrain.posts import HandleFinder, typed_handles
from terrain.publishing import Journal, RowState, publish
from terrain.testing import InMemoryPlatform

from .helpers import EVENING, FORM, MEETUP, ledger, photo

BLOCKING = Reason(text="Ana Costa: refused on 2026-03-12 (record c-3)", blocking=True,
                  member_id="ana")


# -- a decision holds together ----------------------------------------------------------


def test_an_allowing_decision_with_a_blocking_reason_cannot_be_built() -> None:
    with pytest.raises(ValidationError, match="cannot carry a reason that blocks"):
        Decision(subject_kind="content", subject_id="p-1", platform="x", purpose="publish",
                 at=EVENING, allowed=True, reasons=[BLOCKING])


def test_a_denial_without_a_reason_cannot_be_built() -> None:
    with pytest.raises(ValidationError, match="needs at least one reason that blocks"):
        Decision(subject_kind="content", subject_id="p-1", platform="x", purpose="publish",
                 at=EVENING, allowed=False, reasons=[])


def test_a_dropped_mention_is_not_a_reason_to_deny() -> None:
    dropped = Reason(text="@lea_m (Léa): mention dropped", blocking=True, member_id="lea",
                     handle="lea_m")
    decision = Decision(subject_kind="post", subject_id="p-1", platform="x", purpose="publish",
                        at=EVENING, allowed=True, reasons=[dropped])
    assert decision.require() is decision


@settings(max_examples=200)
@given(reasons=st.lists(st.builds(Reason, text=st.just("a reason"), blocking=st.booleans(),
                                  handle=st.none() | st.just("h")), max_size=4),
       allowed=st.booleans())
def test_require_passes_exactly_the_decisions_without_a_blocking_reason(
    reasons: list[Reason], allowed: bool
) -> None:
    """Whatever a caller builds, require() never lets a blocked subject through."""
    blocks = any(r.blocking and r.handle is None for r in reasons)
    try:
        decision = Decision(subject_kind="post", subject_id="p-1", platform="x",
                            purpose="publish", at=EVENING, allowed=allowed, reasons=reasons)
    except ValidationError:
        assert allowed == blocks  # only the inconsistent ones are refused
        return
    if blocks:
        with pytest.raises(ConsentDenied):
            decision.require()
    else:
        assert decision.require() is decision


# -- for the purpose asked ---------------------------------------------------------------


def test_decide_answers_for_the_purpose_asked() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish"], at=MEETUP, evidence=FORM)
    content = photo("p-1", "lea")

    assert decide(book, content, platform="x", purpose="publish", at=EVENING).allowed
    archived = decide(book, content, platform="x", purpose="archive", at=EVENING)
    assert not archived.allowed
    assert archived.purpose is Purpose.ARCHIVE
    assert "archive: no consent to 'archive' on 'x'" in archived.blocking[0].text


def _post(content: Content, post_id: str = "post-1") -> Post:
    return Post(id=post_id, platform="x", text="Archives of the meetup",
                media=[PostMedia(key="media/m-1.jpg", media_type="image/jpeg",
                                 content_id=content.id, media_id="m-1")],
                content_ids=[content.id])


def test_the_runner_asks_the_gate_for_the_purpose_the_post_was_planned_for(
    tmp_path: object,
) -> None:
    """publish(purpose="archive") is decided for "archive": publish consent is not enough."""
    book = ledger()
    book.grant("lea", purposes=["publish"], at=MEETUP, evidence=FORM)
    content = photo("p-1", "lea")
    asked: list[str] = []

    def gate(post: Post, at: object, *, purpose: str) -> Decision:
        asked.append(purpose)
        return decide(book, post, platform=post.platform, purpose=purpose, at=at,  # type: ignore[arg-type]
                      contents={content.id: content})

    platform = InMemoryPlatform("x", clock=lambda: EVENING)
    journal = Journal(tmp_path / "journal.db", create=True)  # type: ignore[operator]
    report = publish(journal, [platform], [_post(content)], gate=gate, now_fn=lambda: EVENING,
                     purpose="archive", sleep=lambda _s: None)

    assert asked == ["archive"]
    assert report.outcomes[0].state is RowState.HELD
    assert platform.published("post-1") is None


def test_a_gate_that_decides_for_another_purpose_holds_the_post(tmp_path: object) -> None:
    content = photo("p-1", "lea")
    book = ledger()
    book.grant("lea", purposes=["publish", "archive"], at=MEETUP, evidence=FORM)

    def careless(post: Post, at: object, *, purpose: str) -> Decision:
        return decide(book, post, platform=post.platform, at=at,  # type: ignore[arg-type]
                      contents={content.id: content})  # always "publish"

    platform = InMemoryPlatform("x", clock=lambda: EVENING)
    journal = Journal(tmp_path / "journal.db", create=True)  # type: ignore[operator]
    report = publish(journal, [platform], [_post(content)], gate=careless,
                     now_fn=lambda: EVENING, purpose="archive", sleep=lambda _s: None)

    assert report.outcomes[0].state is RowState.HELD
    assert "decided for 'publish', but the post is planned for 'archive'" in (
        report.outcomes[0].message
    )


@pytest.mark.parametrize("kind", ["announcement", "reminder", "partner-thanks"])
def test_a_kind_of_post_is_published_so_its_consent_is_publish(tmp_path: object,
                                                               kind: str) -> None:
    """The journal plans an announcement with the purpose "announcement" (its kind);
    the consent it needs is "publish", and a store outage while judging it is recorded
    as an undecided "publish" decision."""
    from terrain.consent import DecisionOutcome
    from terrain.errors import StoreUnavailable

    book = ledger()
    content = photo("p-1", "lea")
    book.grant("lea", purposes=["publish"], at=MEETUP, evidence=FORM)
    asked: list[str] = []
    down = [StoreUnavailable("the database went away")]

    def gate(post: Post, at: object, *, purpose: str) -> Decision:
        asked.append(purpose)
        if down:
            raise down.pop()
        return decide(book, post, platform=post.platform, purpose=purpose, at=at,  # type: ignore[arg-type]
                      contents={content.id: content})

    platform = InMemoryPlatform("x", clock=lambda: EVENING)
    journal = Journal(tmp_path / "journal.db", create=True)  # type: ignore[operator]
    records: list[object] = []
    for when in (EVENING, EVENING + timedelta(hours=1)):  # the second run once it is back
        report = publish(journal, [platform], [_post(content)], gate=gate,
                         now_fn=lambda when=when: when, purpose=kind, sleep=lambda _s: None,
                         record_decision=records.append, max_wait=0.0)

    assert asked == ["publish", "publish"]
    assert [r.purpose for r in records] == [Purpose.PUBLISH, Purpose.PUBLISH]  # type: ignore[attr-defined]
    assert [r.outcome for r in records] == [DecisionOutcome.UNDECIDED, DecisionOutcome.ALLOWED]
    assert report.outcomes[0].state is RowState.CONFIRMED


def test_a_post_planned_for_a_purpose_nobody_consents_to_is_held_saying_so(
    tmp_path: object,
) -> None:
    content = photo("p-1", "lea")
    platform = InMemoryPlatform("x", clock=lambda: EVENING)
    journal = Journal(tmp_path / "journal.db", create=True)  # type: ignore[operator]

    def gate(post: Post, at: object, *, purpose: str) -> Decision:
        raise AssertionError("never asked: no consent covers that purpose")

    report = publish(journal, [platform], [_post(content)], gate=gate, now_fn=lambda: EVENING,
                     purpose="advertise", sleep=lambda _s: None)

    assert report.outcomes[0].state is RowState.HELD
    assert "posts planned for 'advertise': nobody can consent to that" in (
        report.outcomes[0].message
    )


# -- handles typed in the text ---------------------------------------------------------------


def _tagging(book: ConsentLedger, text: str, *, thread: tuple[str, ...] = ()) -> Decision:
    post = Post(id="post-1", platform="x", text=text, thread=thread)
    return decide(book, post, platform="x", at=EVENING)


def test_a_typed_handle_without_tag_consent_is_removed_from_the_text() -> None:
    book = ledger()  # Léa: x handle lea_m; nothing granted
    decision = _tagging(book, "Merci @lea_m et @samirh pour ce talk !",
                        thread=("Encore bravo @LEA_M.",))

    assert decision.allowed  # a dropped mention never holds the post back
    assert {m.handle for m in decision.dropped_mentions} == {"lea_m", "samirh"}
    sent = decision.apply_to(Post(id="post-1", platform="x",
                                  text="Merci @lea_m et @samirh pour ce talk !",
                                  thread=("Encore bravo @LEA_M.",)))
    assert sent.text == "Merci et pour ce talk !"
    assert sent.thread == ("Encore bravo.",)
    reason = decision.reason_for(Mention(handle="lea_m", member_id="lea"))
    assert reason is not None
    assert reason.text.startswith("@lea_m (Léa Martin): removed from the text, no consent")


def test_a_typed_handle_with_tag_consent_stays_and_counts_as_relied_on() -> None:
    book = ledger()
    book.grant("lea", purposes=["tag"], platforms=["x"], at=MEETUP, evidence=FORM)
    post = Post(id="post-1", platform="x", text="Merci @lea_m !")

    decision = decide(book, post, platform="x", at=EVENING)

    assert decision.apply_to(post).text == "Merci @lea_m !"
    assert decision.relied_on == ("c-1",)
    assert [m.handle for m in decision.kept_mentions] == ["lea_m"]


def test_a_post_that_is_only_a_typed_handle_is_held_when_the_handle_goes() -> None:
    decision = _tagging(ledger(), "@lea_m")
    assert not decision.allowed
    assert "nothing is left to publish" in decision.blocking[0].text


def test_emails_and_longer_handles_are_not_typed_mentions() -> None:
    book = ledger()
    decision = _tagging(book, "Écrivez à contact@lea_m.fr ou suivez @lea_mx et #lea_m")
    assert decision.dropped_mentions == ()


HANDLES = {  # handle as stored -> a member; one per platform's syntax
    "lea_m": "lea",  # X
    "lea.martin.velo": "lea",  # Instagram: dots
    "samir@mastodon.social": "samir",  # Mastodon: user@server (and @samir on its server)
    "ana.bsky.social": "ana",  # Bluesky: a domain
}
BEFORE = st.sampled_from(["", " ", "\n", "(", "« ", "Merci "])
AFTER = st.sampled_from(["", " ", ".", "!", ",", ")", " »", "\n", "?", ":"])


@settings(max_examples=300)
@given(handle=st.sampled_from([*HANDLES, "samir"]), before=BEFORE, after=AFTER,
       shout=st.booleans())
def test_a_known_handle_typed_in_any_platforms_syntax_is_found_and_removed(
    handle: str, before: str, after: str, shout: bool
) -> None:
    typed = handle.upper() if shout else handle
    text = f"{before}@{typed}{after} Bravo"
    finder = HandleFinder(HANDLES)

    found = finder.find(text)

    assert [owner for _h, owner in found] == [HANDLES.get(handle, "samir")]
    removed = HandleFinder.remove(text, [h for h, _o in found])
    assert "@" not in removed
    assert removed.endswith("Bravo")


@settings(max_examples=300)
@given(handle=st.sampled_from(list(HANDLES)), glue=st.sampled_from(["x", "_", "1", "é"]),
       prefix=st.sampled_from(["a", "contact", "x.y"]))
def test_a_longer_handle_or_an_email_address_is_not_mistaken_for_a_known_one(
    handle: str, glue: str, prefix: str
) -> None:
    finder = HandleFinder(HANDLES)
    assert finder.find(f"@{handle}{glue} et {prefix}@{handle}") == []


@settings(max_examples=300)
@given(handle=st.sampled_from([*HANDLES, "samir"]), before=BEFORE, after=AFTER,
       shout=st.booleans(), noise=st.text(st.sampled_from("ab @._-é\n"), max_size=12))
def test_every_handle_the_gate_sees_in_a_text_is_in_what_the_journal_indexes(
    handle: str, before: str, after: str, shout: bool, noise: str
) -> None:
    """The journal finds the posts to take down by the handles typed in them
    (typed_handles); the gate decides on the handles it finds (HandleFinder): whatever
    the gate sees, the index must hold, or a withdrawn tag would stay online."""
    typed = handle.upper() if shout else handle
    text = f"{noise}{before}@{typed}{after} {noise}"

    indexed = typed_handles(text)

    for found, _owner in HandleFinder(HANDLES).find(text):
        assert found.casefold() in indexed


def test_a_handle_typed_after_a_dash_inside_a_longer_run_is_indexed_as_the_gate_sees_it() -> None:
    """``@_-@lea_m``: the gate sees Léa's @lea_m (a dash may come before a mention), so
    the journal must index it, or withdrawing her tag would leave the post online."""
    assert [o for _h, o in HandleFinder(HANDLES).find("@_-@lea_m")] == [HANDLES["lea_m"]]
    assert "lea_m" in typed_handles("@_-@lea_m")


def test_a_handle_followed_by_two_dots_is_indexed_as_the_gate_sees_it() -> None:
    """``@lea..m``: the gate sees ``@lea`` (two dots end a handle), so the index has it."""
    finder = HandleFinder({"lea": "lea"})
    assert finder.find("Merci @lea..m") == [("lea", "lea")]
    assert "lea" in typed_handles("Merci @lea..m")


@settings(max_examples=500)
@given(
    text=st.text(st.sampled_from("lea_m.@-é /xL\n"), max_size=24),
    handles=st.lists(st.text(st.sampled_from("lea_m.-@xé"), min_size=1, max_size=6),
                     min_size=1, max_size=3),
)
def test_whatever_the_text_and_the_handles_on_record_the_index_holds_what_the_gate_finds(
    text: str, handles: list[str]
) -> None:
    """Handles on record are not checked for shape, and texts are anything: every
    handle the gate finds in a text (and so drops or keeps as a tag) is among the
    handles the journal indexes for that text."""
    indexed = typed_handles(text)

    for found, _owner in HandleFinder(dict.fromkeys(handles, "someone")).find(text):
        assert found.casefold() in indexed


# -- reviews go stale ---------------------------------------------------------------------


def test_any_change_to_the_people_resets_the_review_and_a_new_review_is_logged() -> None:
    unidentified = attrs.evolve(photo("p-1"), appearances=(), people_reviewed=False)
    reviewed = change_people(unidentified, add=["lea"], media_id="m-1", reviewed=True,
                             by="camille", at=EVENING)
    assert reviewed.review_is_current
    assert reviewed.reviews[-1].people == (("lea", "m-1"),)

    changed = change_people(reviewed, add=["samir"], media_id="m-1")
    assert not changed.people_reviewed
    assert not changed.review_is_current
    assert [a.reviewed for a in changed.appearances] == [True, False]

    again = change_people(changed, reviewed=True, by="inès", at=EVENING + timedelta(hours=1))
    assert again.review_is_current
    assert [r.by for r in again.reviews] == ["camille", "inès"]


def test_a_content_whose_people_changed_after_its_review_is_held_with_who_reviewed_it() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish"], at=MEETUP, evidence=FORM)
    book.grant("samir", purposes=["publish"], at=MEETUP, evidence=FORM)
    unidentified = attrs.evolve(photo("p-1"), appearances=(), people_reviewed=False)
    reviewed = change_people(unidentified, add=["lea"], media_id="m-1", reviewed=True,
                             by="camille", at=EVENING)
    # someone adds Samir by hand, keeping the "reviewed" flag
    stale = attrs.evolve(
        reviewed,
        appearances=[*reviewed.appearances,
                     attrs.evolve(reviewed.appearances[0], member_id="samir")],
    )

    decision = decide(book, stale, platform="x", at=EVENING)

    assert not decision.allowed
    assert decision.blocking[0].text == (
        "photo p-1: the people in it changed after camille reviewed it on 2026-03-12; "
        "confirm who appears in it again"
    )


def test_members_typed_handles_are_known_from_the_ledger() -> None:
    book = ConsentLedger([Member(id="lea", display_name="Léa", handles={"x": "lea_m"})])
    assert book.handle_finder().find("hello @lea_m") == [("lea_m", "lea")]
    book.add_member(Member(id="zoe", display_name="Zoé", handles={"mastodon": "zoe@piaille.fr"}))
    assert book.handle_finder().find("@zoe@piaille.fr") == [("zoe@piaille.fr", "zoe")]
