"""The consent rules, checked against a reference model by a state machine.

Hypothesis drives a community through grants, refusals, withdrawals (whole
or partial) and renewals, each with an *expressed* time (when the person
said it) and a *recorded* time (when it was keyed in, the machine's clock)
drawn independently: paperwork arrives late, and out of order. Minors have
one or two guardians; the guardian rule is ``all`` or ``any``. Between
steps, photos are published through the real publishing runner at the
clock's instant.

What must hold, whatever the steps:

- the ledger answers exactly as the model (``tests/consent/model.py``), which
  replays what was expressed in expressed-time order — so a decision depends
  only on what was expressed and when;
- the same events keyed in another order give the same answers;
- a withdrawal ends every consent expressed before it that it covers: no
  answer after it relies on one;
- no receipt ever exists for a photo showing a person without valid consent
  at the instant of the call, and no tag goes out without ``tag`` consent;
- bad input (an unknown platform, an expression time in the future, a
  guardian not on record) is refused and changes nothing.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import event as note
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from terrain import Appearance, Content, MediaFile, Member, Mention, Post, PostMedia
from terrain.consent import (
    CLOCK_SKEW,
    ConsentEvent,
    ConsentLedger,
    ConsentRecorded,
    ConsentWithdrawn,
    Evidence,
    Purpose,
    Scope,
    Target,
    decide,
)
from terrain.errors import ConsentError, TerrainError
from terrain.publishing import Journal, PlatformPolicy, publish
from terrain.testing import InMemoryPlatform

from .model import Model, Where

T0 = datetime(2026, 3, 12, 18, 0, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")
EVIDENCE = Evidence(kind="signed-form", file_key="forms/f.jpg")
KNOWN = ("x", "instagram", "mastodon")
MEMBERS = (
    Member(id="a", display_name="Ana", handles={"x": "ana_x", "instagram": "ana.insta"}),
    Member(id="b", display_name="Bruno", handles={"mastodon": "bruno@mastodon.social"}),
    Member(id="g1", display_name="Gaëlle"),
    Member(id="g2", display_name="Hugo"),
    Member(id="k1", display_name="Kim", is_minor=True, guardian_ids=["g1"],
           handles={"x": "kim_k"}),
    Member(id="k2", display_name="Lou", is_minor=True, guardian_ids=["g1", "g2"],
           handles={"instagram": "lou.l"}),
)
BY_ID = {m.id: m for m in MEMBERS}
SUBJECTS = ["a", "b", "k1", "k2"]
MEDIA = MediaFile(id="m1", key="media/m1.jpg", media_type="image/jpeg", size=1,
                  checksum="0" * 64, alt_text="people at the meetup")
PLACES = {  # content id -> event
    "c1": "e1",
    "c2": "e2",
}
SCOPES = [None, Scope(kind="event", ref="e1"), Scope(kind="event", ref="e2"),
          Scope(kind="content", ref="c1")]
WHERES = [Where(), Where(frozenset({"c1"}), frozenset({"e1"})),
          Where(frozenset({"c2"}), frozenset({"e2"}))]
PURPOSE_SETS = [frozenset({Purpose.PUBLISH}), frozenset({Purpose.PUBLISH, Purpose.TAG}),
                frozenset({Purpose.TAG})]
#: Platform names as people type them: the ledger compares them case-insensitively.
PLATFORM_SETS = [None, None, ("x",), ("Instagram",), ("x", "instagram"), ("MASTODON",)]
#: Who gives a grant; for a minor, ``[child]`` alone is their own assent (kept only
#: with ``subject_assent=True``), which waits for their guardians.
GIVEN_BY = {
    "a": [None],
    "b": [None],
    "k1": [["g1"], ["g1", "k1"], ["k1"]],
    "k2": [["g1"], ["g2"], ["g1", "g2"], ["g1", "g2", "k2"], ["g2", "k2"], ["k2"]],
}
REFUSED_BY = {"a": [None], "b": [None], "k1": [None, ["g1"]], "k2": [None, ["g1"], ["g2"]]}

hours = st.integers(0, 30)
#: How long before the clock something was expressed, in hours (late paperwork);
#: -1 is an hour *after* the clock: refused, unless scheduled.
before = st.sampled_from([0, 0, 1, 2, 3, 6, 12, -1])
in_zone = st.sampled_from([UTC, PARIS])
_SERIAL = itertools.count()
#: No rate limit nor daily budget: the journal is shared by every example.
UNLIMITED = {name: PlatformPolicy() for name in KNOWN}


def _target(where: Where) -> Target:
    return Target(content_ids=where.content_ids, event_ids=where.event_ids,
                  project_ids=where.project_ids)


class ConsentMachine(RuleBasedStateMachine):
    """A community's consent history, keyed in as it comes, and its photos published."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = T0 + timedelta(hours=12)
        self.ledger = ConsentLedger(MEMBERS, platforms=KNOWN)
        self.guardians = "all"

    @initialize(rule_=st.sampled_from(["all", "any"]), broad=st.booleans())
    def start(self, rule_: str, broad: bool) -> None:
        """The guardian rule; and maybe everyone agreed to everything at the start,
        so that what follows takes consent away as often as it gives it."""
        self.guardians = rule_
        self.ledger = ConsentLedger(MEMBERS, platforms=KNOWN, guardians=rule_)  # type: ignore[arg-type]
        if broad:
            for subject in SUBJECTS:
                self.everything(subject, 6)

    @rule(subject=st.sampled_from(SUBJECTS), ago=before, minutes=st.integers(0, 240))
    def grant_everything(self, subject: str, ago: int, minutes: int) -> None:
        """The common case: all purposes, every platform, all content, signed by
        every guardian with the child's assent."""
        self._advance(minutes)
        self.everything(subject, max(ago, 0))

    def everything(self, subject: str, ago: int) -> None:
        now = self.clock
        self.ledger.grant(
            subject, purposes=[Purpose.PUBLISH, Purpose.TAG], at=now - timedelta(hours=ago),
            evidence=EVIDENCE, given_by=BY_ID[subject].guardian_ids or None,
            subject_assent=True if subject.startswith("k") else None, now=now,
        )

    # -- helpers -------------------------------------------------------------

    def _advance(self, minutes: int) -> datetime:
        self.clock += timedelta(minutes=minutes)
        return self.clock

    def _refused_unchanged(self, call: object) -> bool:
        """Run ``call``; True if it was refused (and the ledger left as it was)."""
        before = self.ledger.events()
        try:
            call()  # type: ignore[operator]
        except TerrainError:
            assert self.ledger.events() == before
            return True
        return False

    def model(self, events: tuple[ConsentEvent, ...] | None = None) -> Model:
        return Model(self.ledger.events() if events is None else events, BY_ID, self.guardians)

    # -- recording -------------------------------------------------------------

    @rule(
        subject=st.sampled_from(SUBJECTS), purposes=st.sampled_from(PURPOSE_SETS),
        platforms=st.sampled_from(PLATFORM_SETS), scope=st.sampled_from(SCOPES),
        ago=before, zone=in_zone, start=st.sampled_from([0, 0, 0, 3, 12]),
        length=st.none() | st.integers(1, 12), pick=st.integers(0, 9),
        assent=st.sampled_from([True, True, None, False]), scheduled=st.booleans(),
        minutes=st.integers(0, 240),
    )
    def grant(self, subject: str, purposes: frozenset[Purpose], platforms: tuple[str, ...] | None,
              scope: Scope | None, ago: int, zone: ZoneInfo, start: int,
              length: int | None, pick: int, assent: bool | None, scheduled: bool,
              minutes: int) -> None:
        now = self._advance(minutes)
        at = now - timedelta(hours=ago)
        options = GIVEN_BY[subject]
        given_by = options[pick % len(options)]
        valid_from = at + timedelta(hours=start)
        future = at > now + CLOCK_SKEW

        def call() -> None:
            self.ledger.grant(
                subject, purposes=purposes, at=at.astimezone(zone), evidence=EVIDENCE,
                given_by=given_by, platforms=platforms, scope=scope,
                valid_from=None if start == 0 else valid_from,
                valid_until=None if length is None else valid_from + timedelta(hours=length),
                subject_assent=assent if subject.startswith("k") else None,
                now=now, scheduled=scheduled,
            )

        refused = self._refused_unchanged(call)
        if future and not scheduled:
            assert refused, "an expression time in the future must be refused"
        if not refused:
            recorded = self.ledger.events()[-1]
            assert isinstance(recorded, ConsentRecorded)
            first = recorded.consent.history[0]
            assert first.at <= now + CLOCK_SKEW  # never expressed in the future
            assert first.recorded_at == now
            if future:  # a scheduled consent: expressed now, in force from then
                assert first.at == now
                assert recorded.consent.valid_from >= at

    @rule(subject=st.sampled_from(SUBJECTS), purposes=st.sampled_from(PURPOSE_SETS),
          platforms=st.sampled_from(PLATFORM_SETS), scope=st.sampled_from(SCOPES),
          ago=before, pick=st.integers(0, 9), assent=st.sampled_from([None, False]),
          minutes=st.integers(0, 240))
    def refuse(self, subject: str, purposes: frozenset[Purpose],
               platforms: tuple[str, ...] | None, scope: Scope | None, ago: int,
               pick: int, assent: bool | None, minutes: int) -> None:
        now = self._advance(minutes)
        at = now - timedelta(hours=ago)
        options = REFUSED_BY[subject]
        given_by = options[pick % len(options)]
        refused = self._refused_unchanged(lambda: self.ledger.refuse(
            subject, purposes=purposes, at=at, evidence=EVIDENCE, given_by=given_by,
            platforms=platforms, scope=scope,
            subject_assent=assent if subject.startswith("k") else None, now=now,
        ))
        assert refused == (at > now + CLOCK_SKEW)

    @rule(subject=st.sampled_from(SUBJECTS),
          purposes=st.none() | st.none() | st.sampled_from(PURPOSE_SETS),
          platforms=st.sampled_from([None, None, *PLATFORM_SETS]),
          scope=st.sampled_from([None, None, *SCOPES]), ago=before,
          minutes=st.integers(0, 240))
    def withdraw(self, subject: str, purposes: frozenset[Purpose] | None,
                 platforms: tuple[str, ...] | None, scope: Scope | None, ago: int,
                 minutes: int) -> None:
        now = self._advance(minutes)
        at = now - timedelta(hours=ago)
        refused = self._refused_unchanged(lambda: self.ledger.withdraw(
            subject, at=at, purposes=purposes, platforms=platforms, scope=scope, now=now,
        ))
        assert refused == (at > now + CLOCK_SKEW)

    @rule(which=st.integers(0, 20), ago=before, length=st.integers(-2, 24),
          minutes=st.integers(0, 240))
    def renew(self, which: int, ago: int, length: int, minutes: int) -> None:
        now = self._advance(minutes)
        at = now - timedelta(hours=ago)
        recorded = [e for e in self.ledger.events() if isinstance(e, ConsentRecorded)]
        if not recorded:
            return
        consent = recorded[which % len(recorded)].consent
        self._refused_unchanged(lambda: self.ledger.renew(
            consent.id, at=at, valid_until=at + timedelta(hours=length), now=now,
        ))

    # -- bad input ---------------------------------------------------------------

    @rule(subject=st.sampled_from(SUBJECTS), bad=st.sampled_from(
        ["unknown platform", "future", "stranger guardian", "unknown platform in withdrawal"]))
    def bad_input_is_refused_and_changes_nothing(self, subject: str, bad: str) -> None:
        now = self.clock
        kwargs: dict[str, object] = {
            "purposes": ["publish"], "at": now, "evidence": EVIDENCE, "now": now,
            "given_by": {"k1": ["g1"], "k2": ["g1", "g2"]}.get(subject),
            "subject_assent": True if subject.startswith("k") else None,
        }
        if bad == "unknown platform":
            kwargs["platforms"] = ["instagarm"]
        elif bad == "future":
            kwargs["at"] = now + CLOCK_SKEW + timedelta(minutes=1)
        elif bad == "stranger guardian":
            kwargs["given_by"] = {"k1": ["g2"], "k2": ["a"], "a": ["g1"], "b": ["a"]}[subject]
        before = self.ledger.events()
        if bad == "unknown platform in withdrawal":
            with pytest.raises(ConsentError, match="unknown platform 'Outbox'"):
                self.ledger.withdraw(subject, at=now, platforms=["Outbox"], now=now)
        else:
            with pytest.raises(ConsentError):
                self.ledger.grant(subject, **kwargs)  # type: ignore[arg-type]
        assert self.ledger.events() == before

    # -- asking, publishing ----------------------------------------------------------

    @rule(person=st.sampled_from([*SUBJECTS, "g1", "stranger"]),
          purpose=st.sampled_from([Purpose.PUBLISH, Purpose.TAG]),
          platform=st.sampled_from(["x", "Instagram", "mastodon"]),
          where=st.sampled_from(WHERES), at=hours.map(lambda h: T0 + timedelta(hours=6 + h)))
    def ask(self, person: str, purpose: Purpose, platform: str, where: Where,
            at: datetime) -> None:
        state = self.ledger.state_for(person, purpose, platform, at=at, target=_target(where))
        assert state.valid == self.model().valid(person, purpose, platform, where, at)

    @rule(people=st.lists(st.sampled_from(SUBJECTS), min_size=1, max_size=2, unique=True),
          content_id=st.sampled_from(sorted(PLACES)),
          platform=st.sampled_from(["x", "instagram", "mastodon"]),
          tag=st.lists(st.sampled_from(SUBJECTS), max_size=2, unique=True),
          typed=st.sampled_from([None, "a", "b", "k1"]), minutes=st.integers(0, 120))
    def publish_a_photo(self, people: list[str], content_id: str, platform: str,
                        tag: list[str], typed: str | None, minutes: int) -> None:
        """The real runner, the ledger as the gate, at the clock's instant."""
        now = self._advance(minutes)
        content = Content(
            id=content_id, kind="photo", created_at=T0, media=[MEDIA],
            appearances=[Appearance(member_id=p, media_id="m1", reviewed=True) for p in people],
            people_reviewed=True, event_id=PLACES[content_id],
        )
        handle_of = {m: next(iter(BY_ID[m].handles.values())) for m in SUBJECTS}
        mentions = [Mention(handle=handle_of[m], member_id=m) for m in tag]
        text = "Merci à toutes et à tous !"
        if typed is not None:
            text += f" Bravo @{handle_of[typed]}."
        post = Post(
            id=f"post-{next(_SERIAL)}", platform=platform, text=text, mentions=mentions,
            media=[PostMedia(key=MEDIA.key, media_type="image/jpeg", alt_text="people",
                             content_id=content_id, media_id="m1")],
            content_ids=[content_id], event_id=PLACES[content_id],
        )
        target = InMemoryPlatform(platform, clock=lambda: now)
        ledger = self.ledger

        def gate(p: Post, at: datetime, *, purpose: str = "publish") -> object:
            return decide(ledger, p, platform=p.platform, purpose=purpose, at=at,
                          contents={content_id: content})

        publish(_Shared.journal, [target], [post], gate=gate, now_fn=lambda: now,  # type: ignore[arg-type]
                sleep=lambda _s: None, policies=UNLIMITED)
        sent = target.published(post.id)
        note(f"photo {'published' if sent is not None else 'held back'}")
        model = self.model()
        where = Where(frozenset({content_id}), frozenset({PLACES[content_id]}))
        shown_ok = all(model.valid(p, Purpose.PUBLISH, platform, where, now) for p in people)
        if sent is None:
            assert not shown_ok or self._journal_says_held(post)
            return
        assert shown_ok, f"{post.id} went out showing someone without consent at {now}"
        for mention in sent.mentions:
            assert mention.member_id is not None
            assert model.valid(mention.member_id, Purpose.TAG, platform, where, now)
        if typed is not None and f"@{handle_of[typed]}" in sent.text:
            assert model.valid(typed, Purpose.TAG, platform, where, now), "a typed tag went out"

    def _journal_says_held(self, post: Post) -> bool:
        row = _Shared.journal.get(post.id, post.platform)
        return row is not None and row.state == "held"

    # -- the end: everything at once ----------------------------------------------------

    def teardown(self) -> None:
        events = self.ledger.events()
        if not events:
            return
        model = self.model()
        # The same events keyed in other orders: by expressed time, and backwards
        # (each record still before its renewals).
        def expressed_at(e: ConsentEvent) -> datetime:
            return e.consent.history[0].at if isinstance(e, ConsentRecorded) else e.at

        records = [e for e in events if isinstance(e, ConsentRecorded)]
        others = [e for e in events if not isinstance(e, ConsentRecorded)]
        orders = [
            sorted(events, key=lambda e: (expressed_at(e), not isinstance(e, ConsentRecorded))),
            [*reversed(records), *reversed(others)],
        ]
        ledgers = [self.ledger]
        for order in orders:  # one at a time, as a workspace applies its stored log
            again = ConsentLedger(MEMBERS, guardians=self.guardians)  # type: ignore[arg-type]
            for event in order:
                again.extend([event])
            ledgers.append(again)
        times = sorted({expressed_at(e) for e in events} | {self.clock})
        instants = [times[len(times) // 2], times[-1] + timedelta(minutes=1)]
        withdrawals = [e for e in events if isinstance(e, ConsentWithdrawn)]
        valid_answers = 0
        grid = itertools.product(SUBJECTS, (Purpose.PUBLISH, Purpose.TAG), WHERES[:2], instants)
        for (person, purpose, where, at), platform in zip(
            grid, itertools.cycle(("x", "Instagram", "mastodon")), strict=False
        ):
            expected = model.valid(person, purpose, platform, where, at)
            valid_answers += expected
            states = [
                book.state_for(person, purpose, platform, at=at, target=_target(where))
                for book in ledgers
            ]
            assert [s.valid for s in states] == [expected] * len(ledgers), (
                person, purpose, platform, where, at
            )
            # a withdrawal ends everything it covers expressed before it
            for withdrawal in withdrawals:
                if withdrawal.subject_id != person or withdrawal.at > at:
                    continue
                covers = (
                    (withdrawal.purposes is None or purpose in withdrawal.purposes)
                    and (withdrawal.platforms is None
                         or platform.casefold() in withdrawal.platforms)
                    and where.covered_by(withdrawal.scope)
                )
                if not covers:
                    continue
                for record_id in states[0].relied_on:
                    first = self.ledger.get(record_id).history[0]
                    assert first.at > withdrawal.at, (
                        f"{record_id} expressed {first.at} relied on after the withdrawal "
                        f"of {withdrawal.at}"
                    )
        note(f"valid answers at the end: {min(valid_answers, 3)}{'+' if valid_answers > 2 else ''}")


class _Shared:
    """One publication journal for every example (post ids never repeat)."""

    journal: Journal


@pytest.fixture(scope="module", autouse=True)
def _journal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    _Shared.journal = Journal(tmp_path_factory.mktemp("journal") / "journal.db", create=True)
    yield
    _Shared.journal.close()


ConsentMachine.TestCase.settings = settings(
    max_examples=int(os.environ.get("TERRAIN_CONSENT_EXAMPLES", "2000")),
    stateful_step_count=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_the_ledger_follows_the_rules_whatever_the_keying_order = ConsentMachine.TestCase
