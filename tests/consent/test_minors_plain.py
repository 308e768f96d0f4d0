"""A minor's plain answer is the full judgement's answer, exactly.

Decisions about minors no longer build a :class:`~terrain.consent._judge.Judgement`
each: the plain path (``terrain.consent._plain``) applies the guardian rules to the
facts the ledger keeps of each record. For random ledgers of two minors (one
guardian, or two) — grants and refusals signed by any mix of guardians, the child
and strangers, with or without the child's assent, for some purposes, platforms
and scopes, expiring or starting later, expressed in any order; withdrawals of
everything, of a purpose, platform or scope, or of one record; now and then a
renewal (which the plain path leaves to the judgement) — every question at a
random instant gets the answer of the judgement (validity, reason text, record,
status, records relied on), under either guardian rule, and every decision on a
photo of them is the decision the oracle made before.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain import Appearance, Content
from terrain._time import instant
from terrain.community import Member
from terrain.consent import ConsentLedger, Purpose, decide
from terrain.consent._judge import Judgement
from terrain.consent._plain import plain_state
from terrain.consent._records import platform_key
from terrain.consent._state import Target

from . import oracle
from .test_decide_oracle import WITHDRAWN_TARGETS, _run_withdrawn, _scope
from .test_properties import EVIDENCE, T0

FAMILY = (
    Member(id="a", display_name="Ana"),
    Member(id="g", display_name="Gaëlle"),
    Member(id="h", display_name="Hugo"),
    Member(id="k", display_name="Kim", is_minor=True, guardian_ids=["g"]),
    Member(id="m", display_name="Maya", is_minor=True, guardian_ids=["g", "h"]),
)
MINORS = ("k", "m")
PLATFORMS = ("x", "instagram")
PURPOSES = (Purpose.PUBLISH, Purpose.TAG)
#: forms dated every third hour: many records share an instant (ties decided by id)
EVEN_HOURS = st.integers(0, 4).map(lambda h: T0 + timedelta(hours=3 * h))
ANY_HOUR = st.integers(0, 14).map(lambda h: T0 + timedelta(hours=h))
#: mostly "all content", so that records meet: a refusal and the grant that lifts it
SCOPES = st.sampled_from([None, None, None, None, "e1", "e2", "c1", "pr1"])
VERBS = st.sampled_from(
    ["grant"] * 6 + ["refuse"] * 2 + ["withdraw"] * 2 + ["withdraw-one", "renew"]
)
SIGNERS = st.lists(st.sampled_from(["g", "g", "h", "h", "k", "m", "a"]), min_size=1,
                   max_size=3, unique=True)


@st.composite
def family_logs(draw: st.DrawFn) -> list[tuple[object, ...]]:
    """Dozens of calls about two minors (and now and then their guardians and an
    adult), some of which the ledger refuses."""
    ops: list[tuple[object, ...]] = []
    renewals = draw(st.booleans())  # half the logs have none: the plain path answers all
    for _ in range(draw(st.integers(5, 40))):
        verb = draw(VERBS)
        person = draw(st.sampled_from(["k", "m", "m", "m", "g", "a"]))
        if verb in ("grant", "refuse"):
            at = draw(EVEN_HOURS)
            start = at + timedelta(hours=draw(st.sampled_from([0, 0, 0, 2])))
            length = draw(st.sampled_from([None, None, 1, 4]))
            ops.append((verb, person, {
                "purposes": draw(st.sampled_from([[Purpose.PUBLISH], [Purpose.PUBLISH],
                                                  [Purpose.PUBLISH, Purpose.TAG]])),
                "at": at, "evidence": EVIDENCE, "scope": _scope(draw(SCOPES)),
                "platforms": draw(st.sampled_from([None, None, None, "x", "instagram"])),
                "valid_from": start,
                "valid_until": None if length is None else start + timedelta(hours=length),
                "given_by": draw(SIGNERS) if person in MINORS else None,
                "subject_assent": (draw(st.sampled_from([None, True, True, False]))
                                   if person in MINORS else None),
            }))
        elif verb == "withdraw":
            ops.append((verb, person, {
                "at": draw(ANY_HOUR), "scope": _scope(draw(SCOPES)),
                "platforms": draw(st.sampled_from([None, None, "x", "instagram"])),
                "purposes": draw(st.sampled_from([None, None, Purpose.PUBLISH, Purpose.TAG])),
            }))
        elif verb == "withdraw-one":
            ops.append((verb, person, {"at": draw(ANY_HOUR),
                                       "number": draw(st.integers(1, 12))}))
        elif renewals:
            at = draw(ANY_HOUR)
            ops.append((verb, f"c-{draw(st.integers(1, 40))}", {
                "at": at, "valid_until": at + timedelta(hours=draw(st.integers(1, 8))),
            }))
    return ops


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=family_logs(), at=ANY_HOUR, target=WITHDRAWN_TARGETS,
       platform=st.sampled_from(PLATFORMS), guardians=st.sampled_from(["all", "any"]))
def test_a_minors_plain_answer_is_the_full_judgement(
    ops: list[tuple[object, ...]], at: datetime, target: Target,
    platform: str, guardians: str,
) -> None:
    """Refusals by a guardian or the child, lifted or not, grants missing a guardian
    or the child's assent, withdrawn, expired or not started yet: the plain path says
    what the judgement says, word for word; it stands aside only for renewed records."""
    book = ConsentLedger(FAMILY, guardians=guardians)  # type: ignore[arg-type]
    _run_withdrawn(book, ops)
    renewed = bool(book._renewals)
    for person in MINORS:
        member = book.member(person)
        for purpose in PURPOSES:
            full = Judgement(book, member, purpose, platform, at, target).state()
            plain = plain_state(book, person, purpose, platform, platform_key(platform), at,
                                instant(at), target.scopes(purpose))
            if plain is None:  # only a renewal makes it ask the judgement
                assert renewed
            else:
                assert plain == full
            assert book.state_for(person, purpose, platform, at=at, target=target) == full


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=family_logs(), at=ANY_HOUR, platform=st.sampled_from(PLATFORMS),
       guardians=st.sampled_from(["all", "any"]))
def test_a_decision_on_a_photo_of_minors_is_the_decision_made_before(
    ops: list[tuple[object, ...]], at: datetime, platform: str,
    guardians: str,
) -> None:
    """A photo of both children and an adult, in each scope: the same decision as
    the oracle's (every reason, its words and records)."""
    book = ConsentLedger(FAMILY, guardians=guardians)  # type: ignore[arg-type]
    _run_withdrawn(book, ops)
    for content_id, event_id in (("c1", "e2"), ("c2", "e1"), ("c3", None)):
        content = Content(id=content_id, kind="photo", created_at=at, event_id=event_id,
                          appearances=[Appearance(member_id=p, reviewed=True)
                                       for p in ("k", "m", "a")])
        expected = oracle._decide(book, content, platform=platform, purpose=Purpose.PUBLISH,
                                  at=at, contents=None, blur=False, share=True)
        assert decide(book, content, platform=platform, at=at) == expected


def test_a_withdrawal_for_a_minor_ends_the_grant_for_the_plain_path() -> None:
    """Both guardians and the child agreed; then Maya's consent is withdrawn on x: the
    plain answer says the grant was withdrawn, as the judgement does."""
    book = ConsentLedger(FAMILY)
    book.grant("m", purposes=["publish"], at=T0, evidence=EVIDENCE, given_by=["g", "h"],
               subject_assent=True)
    target = Target(event_ids=frozenset({"e1"}))
    at = T0 + timedelta(hours=3)
    assert book.state_for("m", Purpose.PUBLISH, "x", at=at, target=target).valid
    book.withdraw("m", at=T0 + timedelta(hours=1), platforms="x")
    state = book.state_for("m", Purpose.PUBLISH, "x", at=at, target=target)
    assert not state.valid
    assert state.reason.startswith("consent withdrawn on 2026-03-12")
    full = Judgement(book, book.member("m"), Purpose.PUBLISH, "x", at, target).state()
    assert state == full


def test_a_refusal_signed_by_the_child_and_a_guardian_is_named_as_the_childs_own() -> None:
    """Gaëlle refused for Maya; later Maya and Gaëlle sign one refusal together. Both
    voices' latest no is the same record: whichever order the records were read in,
    every path names the child's own refusal (found by a property test: the plain path
    named Gaëlle's voice, the judgement Maya's)."""
    book = ConsentLedger(FAMILY)
    book.refuse("m", purposes=["publish"], at=T0, evidence=EVIDENCE, given_by=["g"])
    book.refuse("m", purposes=["publish"], at=T0 + timedelta(hours=3), evidence=EVIDENCE,
                given_by=["g", "m"])
    at = T0 + timedelta(hours=4)
    target = Target()
    full = Judgement(book, book.member("m"), Purpose.PUBLISH, "x", at, target).state()
    plain = plain_state(book, "m", Purpose.PUBLISH, "x", platform_key("x"), at, instant(at),
                        target.scopes(Purpose.PUBLISH))
    assert full.reason.startswith("refused on 2026-03-12")
    assert plain == full
    assert book.state_for("m", Purpose.PUBLISH, "x", at=at, target=target) == full
