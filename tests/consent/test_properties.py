"""Invariants of the consent engine, checked against the reference model.

For random ledgers (grants, refusals, withdrawals, renewals — some of them
invalid), contents and instants, :func:`decide` allows exactly when the
reference model (``tests/consent/model.py``: the raw event log replayed in
expressed-time order) says every identified person had a valid, in-scope
consent, the reviews and the content's kind allowing; and a ledger replayed
from its JSON event log decides the same. ``test_rules_model.py`` drives the
ledger itself through a state machine.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import event as note_event
from hypothesis import strategies as st

from terrain import Appearance, Content, MediaFile, Member, Mention, Post
from terrain.consent import (
    ConsentEvent,
    ConsentLedger,
    Evidence,
    Purpose,
    Scope,
    decide,
    event_from_json,
    event_to_json,
)
from terrain.content import ContentKind
from terrain.errors import TerrainError

from .model import Model, Where

T0 = datetime(2026, 3, 12, 18, 0, tzinfo=UTC)
MEMBERS = (
    Member(id="a", display_name="Ana"),
    Member(id="b", display_name="Bruno"),
    Member(id="g", display_name="Gaëlle"),
    Member(id="k", display_name="Kim", is_minor=True, guardian_ids=["g"]),
)
PEOPLE = [m.id for m in MEMBERS] + ["stranger"]
PLATFORMS = ["x", "instagram"]
SCOPES = [
    Scope(),
    Scope(kind="event", ref="e1"),
    Scope(kind="event", ref="e2"),
    Scope(kind="project", ref="pr1"),
    Scope(kind="content", ref="c1"),
    Scope(kind="content", ref="c2"),
]
PURPOSES = [Purpose.PUBLISH, Purpose.TAG, Purpose.INTERVIEW, Purpose.REUSE_UGC, Purpose.ARCHIVE]
MEDIA = MediaFile(id="m1", key="media/m1.jpg", media_type="image/jpeg", size=1,
                  checksum="0" * 64)

hours = st.integers(0, 12).map(lambda h: T0 + timedelta(hours=h))
platform_sets = st.sampled_from([None, None, frozenset({"x"}), frozenset({"instagram"}),
                                 frozenset(PLATFORMS)])
# Biased towards what makes a content publishable, so that "allowed" happens often
# enough for the property to bite (checked with hypothesis.event statistics).
purpose_sets = st.sampled_from([
    frozenset({Purpose.PUBLISH}),
    frozenset({Purpose.PUBLISH, Purpose.INTERVIEW}),
    frozenset({Purpose.PUBLISH, Purpose.REUSE_UGC, Purpose.ARCHIVE}),
]) | st.frozensets(st.sampled_from(PURPOSES), min_size=1, max_size=3)
MOSTLY_TRUE = st.sampled_from([True] * 7 + [False])
LATE_HOURS = st.integers(3, 12).map(lambda h: T0 + timedelta(hours=h))
# Generation dominates the run time: build every strategy once, draw from small pools.
EVIDENCE = Evidence(kind="signed-form", file_key="forms/f1.jpg")  # no bearing on decisions
VERBS = st.sampled_from(
    ["grant", "grant", "grant", "grant", "refuse", "withdraw", "renew", "grows-younger"]
)
# Bruno turns out to be a minor (a data-entry fix): his earlier records no longer
# count unless his guardian Gaëlle signed them.
BRUNO_MINOR = Member(id="b", display_name="Bruno", is_minor=True, guardian_ids=["g"])
SUBJECTS = st.sampled_from(PEOPLE[:4])
STARTS = st.sampled_from([0, 0, 2])
LENGTHS = st.none() | st.integers(1, 6)
GIVEN_BY = st.sampled_from([["g"], ["g"], ["g", "k"], None, ["k"]])
SCOPE = st.sampled_from([SCOPES[0], SCOPES[0], *SCOPES])
ASSENT = st.sampled_from([None, None, True, False])
ONE_PLATFORM = st.none() | st.sampled_from(PLATFORMS)
ONE_PURPOSE = st.none() | st.sampled_from(PURPOSES)
CONSENT_IDS = st.integers(1, 6)
RENEW_HOURS = st.integers(-1, 8)


@st.composite
def operations(
    draw: st.DrawFn, subjects: st.SearchStrategy[str] = SUBJECTS
) -> tuple[object, ...]:
    """One call on the ledger, as data; some are invalid on purpose."""
    verb = draw(VERBS)
    subject = draw(subjects)
    at = draw(hours)
    if verb == "grows-younger":
        return ("add_member", BRUNO_MINOR, {})
    if verb in ("grant", "refuse"):
        start = at + timedelta(hours=draw(STARTS))
        length = draw(LENGTHS)
        return (
            verb,
            subject,
            {
                "purposes": draw(purpose_sets),
                "at": at,
                "evidence": EVIDENCE,
                # who signs, and the child's assent, matter for the minor "k" only
                "given_by": draw(GIVEN_BY) if subject in "bk" else None,
                "platforms": draw(platform_sets),
                "scope": draw(SCOPE),
                "valid_from": start,
                "valid_until": None if length is None else start + timedelta(hours=length),
                "subject_assent": draw(ASSENT) if subject == "k" else None,
            },
        )
    if verb == "withdraw":
        return (verb, subject, {
            "at": at, "platforms": draw(ONE_PLATFORM), "purposes": draw(ONE_PURPOSE),
        })
    return (verb, f"c-{draw(CONSENT_IDS)}", {
        "at": at, "valid_until": at + timedelta(hours=draw(RENEW_HOURS))
    })


def run(book: ConsentLedger, ops: list[tuple[object, ...]]) -> None:
    """Apply ``ops``; an invalid one must raise a TerrainError and change nothing."""
    for verb, who, kwargs in ops:
        assert isinstance(verb, str)
        assert isinstance(kwargs, dict)
        before = book.events()
        try:
            getattr(book, verb)(who, **kwargs)
        except TerrainError:
            assert book.events() == before


BOOLS = st.booleans()
LINKS = st.sampled_from(["e1", "e2", "pr1", None])
PEOPLE_LISTS = st.lists(
    st.sampled_from(["a", "a", "b", "b", "k", "k", "g", "stranger"]), min_size=1, max_size=2,
    unique=True,
)
CONTENT_IDS = st.sampled_from(["c1", "c2", "c3"])
KINDS = st.sampled_from([ContentKind.PHOTO, ContentKind.PHOTO, *ContentKind])
AUTHORS = st.sampled_from([None] * 10 + PEOPLE)


@st.composite
def contents(draw: st.DrawFn) -> Content:
    """A content of the small world: its people, links and review state vary."""
    with_media = draw(BOOLS)
    link = draw(LINKS)
    people = draw(PEOPLE_LISTS)
    return Content(
        id=draw(CONTENT_IDS),
        kind=draw(KINDS),
        created_at=T0,
        media=[MEDIA] if with_media else [],
        appearances=[
            Appearance(member_id=p, media_id="m1" if with_media and draw(BOOLS) else None,
                       reviewed=draw(MOSTLY_TRUE))
            for p in people
        ],
        people_reviewed=draw(MOSTLY_TRUE),
        event_id=link if link in ("e1", "e2") else None,
        project_id=link if link == "pr1" else None,
        author_id=draw(AUTHORS),
    )


# -- the reference: tests/consent/model.py, over the raw event log -------------


def _where(content: Content) -> Where:
    return Where(
        content_ids=frozenset({content.id}),
        event_ids=frozenset(() if content.event_id is None else (content.event_id,)),
        project_ids=frozenset(() if content.project_id is None else (content.project_id,)),
    )


def naive_allowed(events: tuple[ConsentEvent, ...], members: dict[str, Member],
                  content: Content, purpose: Purpose, platform: str, at: datetime) -> bool:
    model = Model(events, members)
    if content.media and not content.people_reviewed:
        return False
    if not all(a.reviewed for a in content.appearances):
        return False
    needed = purpose
    if purpose is Purpose.PUBLISH and content.kind in (ContentKind.INTERVIEW,
                                                       ContentKind.MICRO_INTERVIEW):
        needed = Purpose.INTERVIEW
    where = _where(content)
    people_ok = all(
        model.valid(a.member_id, needed, platform, where, at) for a in content.appearances
    )
    author_ok = purpose is not Purpose.PUBLISH or content.author_id is None or model.valid(
        content.author_id, Purpose.REUSE_UGC, platform, where, at
    )
    return people_ok and author_ok


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[tuple[object, ...]], Content]:
    """A content, and ledger calls mostly about the people in it."""
    content = draw(contents())
    involved = sorted(m for m in content.member_ids | {content.author_id or ""} if m in PEOPLE[:4])
    subjects = st.sampled_from(involved * 3 + ["a", "b", "g", "k"])
    ops = draw(st.lists(operations(subjects), min_size=1, max_size=6))
    if draw(BOOLS):  # start from a broad consent for everyone involved, then perturb it
        broad = [
            ("grant", person, {
                "purposes": set(Purpose), "at": T0, "evidence": EVIDENCE,
                "given_by": ["g"] if person == "k" else None,
                "valid_until": draw(st.sampled_from([None, T0 + timedelta(hours=8)])),
            })
            for person in involved
        ]
        ops = broad + ops
    return ops, content


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    world=worlds(),
    at=LATE_HOURS,
    platform=st.sampled_from(PLATFORMS),
    purpose=st.sampled_from([Purpose.PUBLISH, Purpose.PUBLISH, Purpose.ARCHIVE]),
)
def test_decide_allows_exactly_when_every_person_had_a_valid_in_scope_consent(
    world: tuple[list[tuple[object, ...]], Content], at: datetime, platform: str,
    purpose: Purpose,
) -> None:
    ops, content = world
    book = ConsentLedger(MEMBERS)
    run(book, ops)

    decision = decide(book, content, platform=platform, purpose=purpose, at=at)

    members = dict(book.members)
    expected = naive_allowed(book.events(), members, content, purpose, platform, at)
    note_event(f"allowed={expected}, people={min(len(content.appearances), 1)}")
    assert decision.allowed == expected
    for consent_id in decision.relied_on:
        assert book.get(consent_id).subject_id in content.member_ids | {content.author_id}
    replayed = ConsentLedger.replay(
        [event_from_json(event_to_json(e)) for e in book.events()], members=members.values()
    )
    assert decide(replayed, content, platform=platform, purpose=purpose, at=at) == decision


@settings(max_examples=300, deadline=None)
@given(ops=st.lists(operations(), max_size=10), at=hours, platform=st.sampled_from(PLATFORMS),
       tagged=st.lists(st.sampled_from(PEOPLE[:4]), min_size=1, max_size=3, unique=True))
def test_a_mention_is_kept_exactly_when_the_member_may_be_tagged_there(
    ops: list[tuple[object, ...]], at: datetime, platform: str, tagged: list[str]
) -> None:
    book = ConsentLedger(MEMBERS)
    run(book, ops)
    post = Post(id="post", platform=platform, text="Thanks!",
                mentions=[Mention(handle=f"h_{m}", member_id=m) for m in tagged])

    decision = decide(book, post, platform=platform, at=at)

    assert decision.allowed
    model = Model(book.events(), dict(book.members))
    expected = [m for m in tagged  # a post about nothing in particular: "all content" only
                if model.valid(m, Purpose.TAG, platform, Where(), at)]
    assert [m.member_id for m in decision.kept_mentions] == expected
    assert len(decision.kept_mentions) + len(decision.dropped_mentions) == len(tagged)
    assert [m.member_id for m in decision.apply_to(post).mentions] == expected
