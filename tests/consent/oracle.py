"""The consent decision path as it was at main 681ed87 (stop 30), kept as a test oracle.

``terrain.consent.decide`` and the ledger's ``Judgement`` were made faster
(issue 17, stop 30: facts of each record worked out once, reasons and states built
without going through ``attrs`` again); this is the code they replaced, copied
verbatim but for the ledger entry point (``_state`` below, which was
``ConsentLedger._state``). ``tests/consent/test_decide_oracle.py`` holds the fast
path to it: the same :class:`~terrain.consent.ConsentState` for every question
and the same :class:`~terrain.consent.Decision` for every content and post.
Do not edit it to follow a change of behaviour: change the test instead, saying why.
"""

# ruff: noqa
# mypy: ignore-errors

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import datetime

from terrain._time import instant, require_aware
from terrain.community import Member
from terrain.consent._audit import Reason
from terrain.consent._decide import (
    INTERVIEW_KINDS,
    Blurred,
    Decision,
    _decision,
    _reason,
    _without_handles,
)
from terrain.consent._ledger import ConsentLedger
from terrain.consent._records import Consent, ConsentStatus, Purpose, platform_key
from terrain.consent._rules import Slice, expressed, latest, until_at, voices
from terrain.consent._state import ConsentState, Target, day, to_purpose
from terrain.content import Appearance, Content
from terrain.errors import ValidationError
from terrain.posts import Mention, Post

_NOBODY: frozenset[str] = frozenset()
_ANY_PLATFORM = "\x00any platform"


def _state(
    ledger: ConsentLedger, subject_id: str, purpose: Purpose, platform: str, at: datetime,
    target: Target,
) -> ConsentState:
    """``ConsentLedger._state`` as it was."""
    member = ledger._members.get(subject_id)
    if member is None:
        return ConsentState(
            subject_id, purpose, platform, at, valid=False,
            reason="not a known member of the community; add them, or remove the appearance",
        )
    if member.erased_at is not None:
        return ConsentState(
            subject_id, purpose, platform, at, member=member, valid=False,
            status=ConsentStatus.REFUSED,
            reason=f"erased at their request on {day(member.erased_at)}: never published "
            "again; take them out of the content, or crop them out",
        )
    return Judgement(ledger, member, purpose, platform, at, target).state()


class Judgement:
    """One question to the ledger: the applicable records, who said what, the answer."""

    def __init__(
        self,
        ledger: ConsentLedger,
        member: Member,
        purpose: Purpose,
        platform: str,
        at: datetime,
        target: Target,
    ) -> None:
        self.ledger = ledger
        self.member = member
        self.purpose = purpose
        self.platform = platform
        self.at = at
        key = platform_key(platform)
        subject = member.id
        self.when = when = instant(at)
        theirs = ledger._withdrawals.get(subject)
        self.withdrawals = [] if theirs is None else [
            w for w in theirs if instant(w.at) <= when and w.slice.applies(purpose, key, target)
        ]
        said = ledger._said
        base = ledger._base
        index = ledger._index
        minor = member.is_minor
        me = frozenset((subject,))
        #: each voice's latest no: (instant, record)
        self.nos: dict[str, Consent] = {}
        #: grants that apply, with who said yes in each
        self.grants: list[tuple[Consent, frozenset[str]]] = []
        for index_key in target.keys(subject, purpose):
            found = index.get(index_key)
            if not found:
                continue
            for consent_id in found:
                if said[consent_id] > when:
                    continue
                consent = base[consent_id]
                if consent.platforms is not None and key not in consent.platforms:
                    continue
                given = consent.history[0].status is ConsentStatus.GIVEN
                if minor:
                    yes, no = voices(consent, member)
                else:  # an adult's record is their own word (voices(), without the sets)
                    yes, no = (me, _NOBODY) if given else (_NOBODY, me)
                for voice in no:
                    known = self.nos.get(voice)
                    if known is None or (said[consent_id], consent_id) > (
                        said[known.id], known.id
                    ):
                        self.nos[voice] = consent
                if given:
                    self.grants.append((consent, yes))
        #: each voice's grants that hold now, and what is wrong with the others
        self.holding: dict[str, list[Consent]] = {}
        self.failing: list[tuple[Consent, str, ConsentStatus]] = []
        for consent, yes in self.grants:
            problem = self._problem(consent)
            if problem is not None:
                self.failing.append((consent, *problem))
                continue
            for voice in yes:
                last_no = self.nos.get(voice)
                if last_no is None or said[consent.id] > said[last_no.id]:
                    self.holding.setdefault(voice, []).append(consent)

    def _problem(self, consent: Consent) -> tuple[str, ConsentStatus] | None:
        """Why grant ``consent`` does not hold at this instant (``None`` when it does)."""
        ended = min(
            (w for w in self.withdrawals if w.ends(consent)),
            key=lambda w: instant(w.at),
            default=None,
        ) if self.withdrawals else None
        if ended is not None:
            return f"consent withdrawn on {day(ended.at)} (record {consent.id})", (
                ConsentStatus.WITHDRAWN
            )
        if self.when < self.ledger._starts[consent.id]:
            return f"consent starts on {day(consent.valid_from)} (record {consent.id})", (
                ConsentStatus.GIVEN
            )
        renewals = self.ledger._renewals.get(consent.id)
        until = consent.valid_until if renewals is None else until_at(consent, renewals, self.at)
        if until is not None and instant(until) <= self.when:
            return f"consent expired on {day(until)} (record {consent.id})", (
                ConsentStatus.EXPIRED
            )
        return None

    def satisfied_voices(self) -> set[str]:
        """The people whose agreement holds at this instant."""
        return set(self.holding)

    def _state(self, valid: bool, reason: str, consent: Consent | None,
               status: ConsentStatus | None, relied_on: tuple[str, ...] = ()) -> ConsentState:
        return ConsentState(
            self.member.id, self.purpose, self.platform, self.at, valid=valid, reason=reason,
            consent=consent, status=status, member=self.member, relied_on=relied_on,
        )

    def state(self) -> ConsentState:
        member = self.member
        blocking = self.nos and {v: no for v, no in self.nos.items() if v not in self.holding}
        if blocking:
            return self._refused(blocking)
        if not member.is_minor:
            mine = self.holding.get(member.id)
            best = None if mine is None else self._latest(mine)
            if best is not None:
                return self._given([best])
            return self._missing("no consent")
        guardians = member.guardian_ids
        agreed = [g for g in guardians if g in self.holding]
        missing = [g for g in guardians if g not in self.holding]
        if not agreed or (self.ledger.guardians == "all" and missing):
            return self._pending_guardian(agreed, missing)
        if member.id not in self.holding:
            return self._pending_assent()
        relied = [latest(self.holding[g]) for g in agreed]
        relied.append(latest(self.holding[member.id]))
        return self._given([c for c in relied if c is not None])

    def _latest(self, records: list[Consent]) -> Consent:
        """:func:`latest` of ``records`` (one at least), with the instants the ledger keeps."""
        if len(records) == 1:
            return records[0]
        said = self.ledger._said
        return max(records, key=lambda c: (said[c.id], c.id))

    def _given(self, records: list[Consent]) -> ConsentState:
        member = self.member
        said = self.ledger._said
        unique = records if len(records) == 1 else sorted(
            {c.id: c for c in records}.values(), key=lambda c: (said[c.id], c.id)
        )
        parts: list[str] = []
        assent: list[str] = []
        dates = self.ledger._dates
        for record in unique:
            renewals = self.ledger._renewals.get(record.id)
            if renewals is None:  # as expressed: the same words at any instant
                when = dates.get(record.id)
                if when is None:
                    when = dates[record.id] = _dates(record, record.valid_until)
            else:
                when = _dates(record, until_at(record, renewals, self.at))
            if not member.is_minor:
                parts.append(f"on {when} (record {record.id})")
                continue
            names = [
                self.ledger._name(g) for g in member.guardian_ids
                if record in self.holding.get(g, ())
            ]
            if names:
                parts.append(f"by {' and '.join(names)} on {when} (record {record.id})")
            else:
                assent.append(f"with the child's assent on {when} (record {record.id})")
        if not member.is_minor:
            reason = f"consent given {parts[-1]}"
        else:
            reason = "guardian consent given " + " and ".join(parts)
            if assent:
                reason += ", " + " and ".join(assent)
        return self._state(True, reason, unique[-1], ConsentStatus.GIVEN,
                           tuple(c.id for c in unique))

    def _refused(self, blocking: dict[str, Consent]) -> ConsentState:
        member = self.member
        voice, record = max(blocking.items(), key=lambda kv: (expressed(kv[1]), kv[1].id,
                                                             kv[0] == member.id, kv[0]))
        when = day(record.history[0].at)
        lifted = [
            f for f in self.failing
            if expressed(f[0]) > expressed(record) and voice in voices(f[0], member)[0]
        ]
        if lifted:  # the same person agreed later, but that consent no longer holds
            consent, reason, status = max(lifted, key=lambda f: (expressed(f[0]), f[0].id))
            return self._state(False, reason, consent, status)
        if record.history[0].status is ConsentStatus.GIVEN:  # the child's no in a guardian's grant
            reason = f"did not assent, although consent was given for them (record {record.id})"
        elif voice == member.id:
            reason = f"refused on {when} (record {record.id})"
        else:
            reason = f"refused by {self.ledger._name(voice)} on {when} (record {record.id})"
        return self._state(False, reason, record, ConsentStatus.REFUSED)

    def _failing(self) -> tuple[Consent, str, ConsentStatus] | None:
        if not self.failing:
            return None
        return max(self.failing, key=lambda f: (expressed(f[0]), f[0].id))

    def _missing(self, what: str) -> ConsentState:
        failing = self._failing()
        if failing is not None:
            consent, reason, status = failing
            return self._state(False, reason, consent, status)
        return self._state(
            False, f"{what} to {self.purpose.value!r} on {self.platform!r}", None, None
        )

    def _pending_guardian(self, agreed: list[str], missing: list[str]) -> ConsentState:
        member = self.member
        failing = self._failing()
        if failing is not None and (not agreed or any(
            g in voices(failing[0], member)[0] for g in missing
        )):
            consent, reason, status = failing
            return self._state(False, reason, consent, status)
        given = [c for c, _ in self.grants]
        if not agreed:
            if given:
                record = latest(given)
                assert record is not None
                return self._state(
                    False,
                    f"guardian consent missing (record {record.id} was not given by a guardian)",
                    record, ConsentStatus.GIVEN,
                )
            return self._missing("guardian consent missing")
        names = " and ".join(self.ledger._name(g) for g in missing)
        relied = [latest(self.holding[g]) for g in agreed]
        record = latest(c for c in relied if c is not None)
        assert record is not None
        by = " and ".join(self.ledger._name(g) for g in agreed)
        return self._state(
            False,
            f"guardian consent missing: {names} has not agreed (record {record.id} was given "
            f"by {by}; every guardian's agreement is needed)",
            record, ConsentStatus.GIVEN,
        )

    def _pending_assent(self) -> ConsentState:
        relied = [latest(self.holding[g]) for g in self.member.guardian_ids if g in self.holding]
        record = latest(c for c in relied if c is not None)
        assert record is not None
        return self._state(
            False,
            f"the child's own assent is not recorded (record {record.id}); ask them, and "
            "record their answer",
            record, ConsentStatus.GIVEN,
        )


def _dates(record: Consent, until: datetime | None) -> str:
    """``"2026-03-12"`` or ``"2026-03-12, until 2027-03-12"``: when ``record`` was
    given, and until when it holds."""
    return day(record.history[0].at) + ("" if until is None else f", until {day(until)}")


def _name(member: Member | None, member_id: str) -> str:
    if member is None:
        return member_id
    return f"{member.display_name} (minor)" if member.is_minor else member.display_name


def _label(content: Content) -> str:
    return f"{content.kind.value} {content.id}"


class _Builder:
    """Collects the reasons of one decision."""

    def __init__(
        self, ledger: ConsentLedger, platform: str, at: datetime, blur: bool = False,
        *, share: bool = True,
    ) -> None:
        self.ledger = ledger
        self.share = share
        self.platform = platform
        self.at = at
        self.blur = blur
        self.reasons: list[Reason] = []
        self.relied_on: set[str] = set()
        self.blocked = False
        self.blurred: list[Blurred] = []
        #: the answers given so far, by person and purpose: (target, its bearing, answer)
        self.asked: dict[tuple[str, Purpose], list[tuple[Target, Hashable, ConsentState]]] = {}

    def state(self, member_id: str, purpose: Purpose, target: Target) -> ConsentState:
        """The ledger's answer for ``member_id``: each person is judged once per
        decision for targets that bear alike on them (the same records and
        withdrawals apply), however many contents of the post they appear in."""
        ledger = self.ledger
        if not self.share:  # each appearance asked on its own (the reference, for tests)
            return _state(ledger, member_id, purpose, self.platform, self.at, target)
        seen = self.asked.get((member_id, purpose))
        if seen is None:
            state = _state(ledger, member_id, purpose, self.platform, self.at, target)
            self.asked[member_id, purpose] = [(target, None, state)]
            return state
        bearing = ledger._bearing(member_id, purpose, target)
        for i, (other, known, state) in enumerate(seen):
            if known is None:  # worked out when a second target came
                known = ledger._bearing(member_id, purpose, other)
                seen[i] = (other, known, state)
            if known == bearing:
                return state
        state = _state(ledger, member_id, purpose, self.platform, self.at, target)
        seen.append((target, bearing, state))
        return state

    def block(self, text: str, *, content_id: str | None = None) -> None:
        self.reasons.append(_reason(text, True, None, None, content_id, None, None))
        self.blocked = True

    def person(
        self, member_id: str, purpose: Purpose, target: Target, *, content_id: str | None,
        role: str = "",
    ) -> ConsentState:
        state = self.state(member_id, purpose, target)
        who = _name(state.member, member_id)
        what = "" if purpose is Purpose.PUBLISH else f"{purpose.value}: "
        text = f"{who}{role}: {what}{state.reason}"
        consent = state.consent
        self.reasons.append(
            _reason(text, not state.valid, member_id, None if consent is None else consent.id,
                    content_id, None, purpose)
        )
        if state.valid:
            self.relied_on.update(state.relied_on)
        else:
            self.blocked = True
        return state

    def _blurrable(
        self, content: Content, purpose: Purpose, member_id: str, shown: list[Appearance]
    ) -> list[Appearance]:
        """Where ``member_id`` could be blurred: every appearance of theirs shown, when
        each is in a picture at a known region (else ``[]``: never when one is unknown)."""
        if not self.blur or purpose is not Purpose.PUBLISH or member_id == content.author_id:
            return []
        theirs = [a for a in shown if a.member_id == member_id]
        pictures = {m.id for m in content.media if m.is_image}
        if not theirs or any(a.region is None or a.media_id not in pictures for a in theirs):
            return []
        return theirs

    def person_or_blur(
        self, member_id: str, purpose: Purpose, target: Target, content: Content,
        places: list[Appearance],
    ) -> None:
        """Like :meth:`person`, but a person without consent is blurred, not blocking."""
        state = self.state(member_id, purpose, target)
        if state.valid:
            self.person(member_id, purpose, target, content_id=content.id)
            return
        who = _name(state.member, member_id)
        pictures = ", ".join(f"photo {a.media_id}" for a in places)
        self.reasons.append(
            _reason(f"{who}: blurred in {pictures} of {_label(content)} ({state.reason})",
                    False, member_id, state.consent_id, content.id, None, purpose)
        )
        for a in places:
            assert a.media_id is not None
            assert a.region is not None
            self.blurred.append(Blurred(content.id, a.media_id, member_id, a.region))

    def content(self, content: Content, purpose: Purpose, media_ids: set[str | None] | None,
                *, shows_media: bool) -> None:
        """Check ``content``; ``media_ids`` limits it to the people of those media
        (``None`` in the set: the people of the content as a whole)."""
        label = _label(content)
        if shows_media and content.media and not content.people_reviewed:
            self.block(
                f"{label}: people not reviewed yet; confirm who appears in each media file",
                content_id=content.id,
            )
        elif shows_media and content.media and not content.review_is_current:
            last = content.last_review
            assert last is not None
            self.block(
                f"{label}: the people in it changed after {last.by} reviewed it on "
                f"{last.at.date().isoformat()}; confirm who appears in it again",
                content_id=content.id,
            )
        shown = [
            a for a in content.appearances if media_ids is None or a.media_id in media_ids
        ]
        unreviewed = sum(1 for a in shown if not a.reviewed)
        if unreviewed:
            people = "person" if unreviewed == 1 else "people"
            self.block(f"{label}: {unreviewed} {people} not reviewed", content_id=content.id)
        needed = Purpose.INTERVIEW if (
            purpose is Purpose.PUBLISH and content.kind in INTERVIEW_KINDS
        ) else purpose
        target = Target.of(content)
        for member_id in dict.fromkeys(a.member_id for a in shown):
            places = self._blurrable(content, purpose, member_id, shown) if self.blur else None
            if places:
                self.person_or_blur(member_id, needed, target, content, places)
                continue
            self.person(member_id, needed, target, content_id=content.id)
        if purpose is Purpose.PUBLISH and content.author_id is not None:
            self.person(content.author_id, Purpose.REUSE_UGC, target, content_id=content.id,
                        role=" (author)")


def _decide(
    ledger: ConsentLedger,
    subject: Content | Post,
    *,
    platform: str,
    purpose: Purpose | str,
    at: datetime,
    contents: Mapping[str, Content] | None,
    blur: bool,
    share: bool,
) -> Decision:
    """:func:`decide`; with ``share=False`` the ledger is asked about each person again
    for every content they appear in (the plain path the shared one is tested against)."""
    require_aware(at, "decide: at")
    wanted = to_purpose(purpose)
    if not isinstance(platform, str) or not platform.strip():
        raise ValidationError(f"platform must be a platform name such as 'x', got {platform!r}")
    builder = _Builder(ledger, platform, at, blur=blur, share=share)
    if isinstance(subject, Content):
        builder.content(subject, wanted, None, shows_media=True)
        return _finish(builder, "content", subject.id, wanted)
    if not isinstance(subject, Post):
        raise ValidationError(
            f"decide: takes a Content or a Post, got {type(subject).__name__}"
        )
    if subject.platform != platform:
        raise ValidationError(
            f"post {subject.id} is composed for {subject.platform!r}, not {platform!r}: "
            "decide for the platform it will be sent to"
        )
    known = {} if contents is None else contents
    shown: dict[str, set[str | None] | None] = {}
    with_media: set[str] = set()
    for media in subject.media:
        if media.content_id is None:
            builder.block(
                f"media {media.key}: not linked to field content, so nobody can tell who "
                "appears in it; set its content_id"
            )
            continue
        with_media.add(media.content_id)
        people = shown.get(media.content_id, {None})
        if media.media_id is None or people is None:
            shown[media.content_id] = None  # the whole content: everyone in it
        else:
            shown[media.content_id] = people | {media.media_id}
    for content_id in subject.content_ids:
        shown.setdefault(content_id, {None})
    drawn: list[Content] = []
    for content_id, media_ids in shown.items():
        content = known.get(content_id)
        if content is None:
            builder.block(
                f"content {content_id}: not provided to decide(); pass it in contents=",
                content_id=content_id,
            )
            continue
        drawn.append(content)
        builder.content(content, wanted, media_ids, shows_media=content_id in with_media)
    target = Target(
        content_ids=frozenset(c.id for c in drawn) | frozenset(subject.content_ids),
        event_ids=frozenset(c.event_id for c in drawn if c.event_id is not None)
        | frozenset(() if subject.event_id is None else (subject.event_id,)),
        project_ids=frozenset(c.project_id for c in drawn if c.project_id is not None),
    )
    kept: list[Mention] = []
    dropped: list[Mention] = []
    structured = {m.handle.casefold() for m in subject.mentions}
    typed = [
        (Mention(handle=handle, member_id=owner), True)
        for handle, owner in ledger.handle_finder().find(subject.text, *subject.thread)
        if handle.casefold() not in structured
    ]
    hidden = {b.member_id for b in builder.blurred}
    for mention, in_text in [*((m, False) for m in subject.mentions), *typed]:
        if mention.member_id is None:
            kept.append(mention)
            continue
        if mention.member_id in hidden:
            dropped.append(mention)
            gone = "removed from the text" if in_text else "mention dropped"
            builder.reasons.append(
                _reason(f"@{mention.handle}: {gone}, blurred in the photos", True,
                        mention.member_id, None, None, mention.handle, Purpose.TAG)
            )
            continue
        state = builder.state(mention.member_id, Purpose.TAG, target)
        who = _name(state.member, mention.member_id)
        how = "typed in the text, " if in_text else ""
        if state.valid:
            kept.append(mention)
            text = f"@{mention.handle} ({who}): {how}tag kept, {state.reason}"
            builder.relied_on.update(state.relied_on)
        else:
            dropped.append(mention)
            gone = "removed from the text" if in_text else "mention dropped"
            text = f"@{mention.handle} ({who}): {gone}, {state.reason}"
        builder.reasons.append(
            _reason(text, not state.valid, mention.member_id, state.consent_id, None,
                    mention.handle, Purpose.TAG)
        )
    if dropped and not subject.media:
        left, _ = _without_handles(subject, {m.handle.casefold() for m in dropped})
        if not left.strip():
            builder.block(
                f"post {subject.id}: nothing is left to publish once the mentions without "
                "tag consent are removed; write a text"
            )
    return _finish(builder, "post", subject.id, wanted, kept=kept, dropped=dropped)


def _finish(
    builder: _Builder, kind: str, subject_id: str, purpose: Purpose,
    *, kept: list[Mention] | None = None, dropped: list[Mention] | None = None,
) -> Decision:
    return _decision(
        kind,
        subject_id,
        builder.platform,
        purpose,
        builder.at,
        not builder.blocked,
        tuple(builder.reasons),
        tuple(sorted(builder.relied_on)),
        tuple(kept or ()),
        tuple(dropped or ()),
        tuple(builder.blurred),
    )
