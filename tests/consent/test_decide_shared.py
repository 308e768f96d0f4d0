"""A decision asks the ledger once per person and target bearing, and builds its
reasons without checking their types again: the same decisions as the plain path.

:func:`terrain.consent.decide` shares the ledger's answer about a person between
the contents of a post that bear alike on them (the same index keys find their
records, the same withdrawals of theirs cover them), and builds its
:class:`Reason` and :class:`Decision` values from checked records without
running the validators again. These tests hold it to the plain path, which asks
:meth:`ConsentLedger.state_for` for every appearance, and to the validating
constructors.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain import Content, Member, Mention, Post
from terrain.consent import ConsentLedger, Decision, Purpose, Reason, Scope, decide
from terrain.consent._decide import _decide
from terrain.posts import PostMedia

from .helpers import FORM, MEETUP, ledger, photo
from .test_properties import MEMBERS, PLATFORMS, T0, contents, hours, operations, run

MEMBER_IDS = [m.id for m in MEMBERS]
SCOPED = st.sampled_from([None, Scope(kind="event", ref="e1"), Scope(kind="event", ref="e2"),
                          Scope(kind="content", ref="c1"), Scope(kind="project", ref="pr1")])


@st.composite
def scoped_withdrawals(draw: st.DrawFn, subjects: st.SearchStrategy[str]) -> tuple[object, ...]:
    """A withdrawal limited to an event, project or content (or none): what makes two
    contents of one post bear differently on the same person."""
    return ("withdraw", draw(subjects), {
        "at": draw(hours), "scope": draw(SCOPED),
        "platforms": draw(st.sampled_from([None, "x"])),
    })


@st.composite
def albums(draw: st.DrawFn) -> tuple[list[tuple[object, ...]], list[Content]]:
    """Contents of one post that often show the same people, and ledger calls about
    them: broad grants first (often), then scoped grants, refusals and withdrawals."""
    drawn = draw(st.lists(contents(), min_size=2, max_size=4, unique_by=lambda c: c.id))
    involved = sorted({m for c in drawn for m in c.member_ids} & set(MEMBER_IDS)) or ["a"]
    subjects = st.sampled_from(involved)
    ops: list[tuple[object, ...]] = []
    if draw(st.booleans()):
        ops += [("grant", person, {
            "purposes": set(Purpose), "at": T0, "evidence": FORM,
            "given_by": ["g"] if person == "k" else None,
        }) for person in involved]
    ops += draw(st.lists(st.one_of(operations(subjects), scoped_withdrawals(subjects)),
                         min_size=1, max_size=8))
    return ops, drawn


def _post(drawn: list[Content], platform: str, tagged: list[str]) -> Post:
    return Post(
        id="post", platform=platform, text="Merci à toutes et à tous !",
        media=[PostMedia(key=f"media/{c.id}.jpg", media_type="image/jpeg", content_id=c.id,
                         media_id=c.media[0].id if c.media else None) for c in drawn],
        content_ids=[c.id for c in drawn],
        mentions=[Mention(handle=f"h_{m}", member_id=m) for m in tagged],
    )


def _revalidated(decision: Decision) -> Decision:
    """``decision`` built again by the validating constructors, field by field."""
    reasons = [Reason(**attrs.asdict(r, recurse=False)) for r in decision.reasons]
    fields = attrs.asdict(decision, recurse=False)
    return Decision(**{**fields, "reasons": reasons})


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    world=albums(),
    at=hours,
    platform=st.sampled_from(PLATFORMS),
    tagged=st.lists(st.sampled_from(["a", "b", "k"]), max_size=2, unique=True),
    blur=st.booleans(),
)
def test_a_decision_sharing_answers_between_contents_is_the_decision_asking_for_each(
    world: tuple[list[tuple[object, ...]], list[Content]], at: datetime, platform: str,
    tagged: list[str], blur: bool,
) -> None:
    ops, drawn = world
    book = ConsentLedger(MEMBERS)
    run(book, ops)
    post = _post(drawn, platform, tagged)
    known = {c.id: c for c in drawn}

    shared = decide(book, post, platform=platform, at=at, contents=known, blur=blur)
    plain = _decide(book, post, platform=platform, purpose=Purpose.PUBLISH, at=at,
                    contents=known, blur=blur, share=False)

    assert shared == plain  # every reason, its text, relied_on, mentions, blurred
    assert _revalidated(shared) == shared
    for content in drawn:
        alone = decide(book, content, platform=platform, at=at)
        assert alone == _decide(book, content, platform=platform, purpose=Purpose.PUBLISH,
                                at=at, contents=None, blur=False, share=False)
        assert _revalidated(alone) == alone


def test_one_person_in_two_meetups_of_a_post_is_judged_for_each_meetup() -> None:
    book = ledger()
    for verb, meetup in ((book.grant, "ev-03"), (book.refuse, "ev-04")):
        verb("lea", purposes=["publish"], at=MEETUP, evidence=FORM, scope=Scope("event", meetup))
    first, second = photo("p-1", "lea", event_id="ev-03"), photo("p-2", "lea", event_id="ev-04")
    post = _post([first, second], "x", [])

    decision = decide(book, post, platform="x", at=MEETUP + timedelta(hours=1),
                      contents={"p-1": first, "p-2": second})

    by_content = {r.content_id: r for r in decision.reasons if r.member_id == "lea"}
    assert not by_content["p-1"].blocking
    assert by_content["p-2"].blocking
    assert not decision.allowed


def test_a_withdrawal_for_one_content_holds_that_content_only_in_a_shared_decision() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish"], at=MEETUP, evidence=FORM)
    book.withdraw("lea", at=MEETUP + timedelta(hours=1), scope=Scope("content", "p-2"))
    first, second = photo("p-1", "lea"), photo("p-2", "lea")  # the same meetup
    post = _post([first, second], "x", [])

    decision = decide(book, post, platform="x", at=MEETUP + timedelta(hours=2),
                      contents={"p-1": first, "p-2": second})

    by_content = {r.content_id: r for r in decision.reasons if r.member_id == "lea"}
    assert not by_content["p-1"].blocking
    assert "withdrawn" in by_content["p-2"].text
    assert by_content["p-2"].blocking


def test_a_decision_built_without_checks_still_refuses_to_allow_with_a_blocking_reason() -> None:
    refusal = Reason(text="Léa: refused", blocking=True, member_id="lea")
    with pytest.raises(Exception, match="cannot carry a reason that blocks"):
        attrs.evolve(
            decide(ledger(), photo("p-1"), platform="x", at=MEETUP), reasons=(refusal,)
        )


def test_an_unknown_person_in_two_contents_is_refused_in_both() -> None:
    book = ConsentLedger([Member(id="lea", display_name="Léa")])
    first, second = photo("p-1", "nobody"), photo("p-2", "nobody", event_id="ev-04")

    decision = decide(book, _post([first, second], "x", []), platform="x", at=MEETUP,
                      contents={"p-1": first, "p-2": second})

    assert [r.content_id for r in decision.blocking if r.member_id == "nobody"] == ["p-1", "p-2"]
