"""Decisions: may this content or post go out, on this platform, now?

:func:`decide` asks the ledger about every person a content or post shows or
tags, at the instant given, and returns a :class:`Decision` that says yes or
no with one readable :class:`Reason` per person, media and mention. A
decision is a value: record it as a :class:`DecisionRecord` for the audit log.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import datetime

import attrs

from terrain._time import instant, require_aware
from terrain._validation import (
    aware_datetime,
    each,
    fail,
    identifier,
    instance_of,
    member_of,
    to_tuple,
)
from terrain._validation import text as text_of
from terrain.community import Member
from terrain.consent._audit import (
    DecisionOutcome,
    DecisionRecord,
    Outcome,
    Reason,
    _to_purpose,
)
from terrain.consent._ledger import ConsentLedger
from terrain.consent._make import maker
from terrain.consent._plain import Answer, plain_answer, plain_state
from terrain.consent._records import Purpose, platform_key
from terrain.consent._state import ConsentState, ScopeKey, Target, to_purpose
from terrain.content import Appearance, Content, ContentKind, Region
from terrain.errors import ConsentDenied, ValidationError
from terrain.posts import HandleFinder, Mention, Post

__all__ = [
    "Blurred",
    "Decision",
    "DecisionOutcome",
    "DecisionRecord",
    "Outcome",
    "Reason",
    "decide",
]

#: Content kinds whose people must have agreed to be interviewed.
INTERVIEW_KINDS = frozenset({ContentKind.INTERVIEW, ContentKind.MICRO_INTERVIEW})


@attrs.frozen
class Blurred:
    """A person the decision blurs instead of holding the photo back: ``member_id``
    appears in media ``media_id`` of content ``content_id`` at ``region``."""

    content_id: str = attrs.field(validator=instance_of(str))
    media_id: str = attrs.field(validator=instance_of(str))
    member_id: str = attrs.field(validator=instance_of(str))
    region: Region = attrs.field(validator=instance_of(Region))


@attrs.frozen
class Decision:
    """Whether ``subject_id`` (a content or a post) may go to ``platform`` at ``at``.

    ``allowed`` is true exactly when no reason blocks (checked at
    construction: an allowing decision with a blocking reason, or a denial
    without one, cannot be built). ``reasons`` has one line per person (per
    content), per review problem and per member mention. ``kept_mentions``
    and ``dropped_mentions`` split a post's mentions — structured ones and
    ``@handles`` of members typed in its text: a member mention without a
    valid ``tag`` consent is dropped (the post may still go out without it).
    ``relied_on`` lists the consent records the decision rests on, sorted.
    """

    subject_kind: str = attrs.field(validator=text_of(nonempty=True))
    subject_id: str = attrs.field(validator=identifier())
    platform: str = attrs.field(validator=text_of(nonempty=True))
    purpose: Purpose = attrs.field(converter=_to_purpose, validator=member_of(Purpose))
    at: datetime = attrs.field(validator=aware_datetime())
    allowed: bool = attrs.field(validator=instance_of(bool))
    reasons: tuple[Reason, ...] = attrs.field(
        converter=to_tuple, validator=each(instance_of(Reason))
    )
    relied_on: tuple[str, ...] = attrs.field(
        default=(), converter=to_tuple, validator=each(identifier())
    )
    kept_mentions: tuple[Mention, ...] = attrs.field(
        default=(), converter=to_tuple, validator=each(instance_of(Mention))
    )
    dropped_mentions: tuple[Mention, ...] = attrs.field(
        default=(), converter=to_tuple, validator=each(instance_of(Mention))
    )
    #: the people blurred instead of holding the photos back (``blur=True``)
    blurred: tuple[Blurred, ...] = attrs.field(
        default=(), converter=to_tuple, validator=each(instance_of(Blurred))
    )

    def __attrs_post_init__(self) -> None:
        blocking = [r.text for r in self.reasons if r.blocking and r.handle is None]
        if self.allowed and blocking:
            raise fail(
                self, attrs.fields(Decision).allowed,
                f"a decision that allows cannot carry a reason that blocks ({blocking[0]!r})",
            )
        if not self.allowed and not blocking:
            raise fail(
                self, attrs.fields(Decision).allowed,
                "a decision that denies needs at least one reason that blocks, saying why",
            )

    @property
    def outcome(self) -> Outcome:
        """:attr:`DecisionOutcome.ALLOWED` or :attr:`DecisionOutcome.DENIED`."""
        return Outcome.ALLOWED if self.allowed else Outcome.DENIED

    @property
    def blocking(self) -> tuple[Reason, ...]:
        """The reasons that deny the content or post (mentions excluded)."""
        return tuple(r for r in self.reasons if r.blocking and r.handle is None)

    def reason_for(self, mention: Mention) -> Reason | None:
        """The reason recorded for a member ``mention`` (``None`` for a partner)."""
        key = mention.handle.casefold()
        for reason in self.reasons:
            if reason.handle is not None and reason.handle.casefold() == key:
                return reason
        return None

    def explain(self) -> str:
        """A multi-line account of the decision, for people (``terrain log``)."""
        verdict = "ALLOWED" if self.allowed else "DENIED"
        lines = [
            f"{verdict}: {self.subject_kind} {self.subject_id} for {self.purpose.value!r} "
            f"on {self.platform!r} at {self.at.isoformat()}"
        ]
        for reason in self.reasons:
            if reason.handle is not None:
                mark = "- dropped" if reason.blocking else "+ kept"
            else:
                mark = "x" if reason.blocking else "+"
            lines.append(f"  {mark} {reason.text}")
        if self.relied_on:
            lines.append(f"  relied on: {', '.join(self.relied_on)}")
        return "\n".join(lines)

    def require(self) -> Decision:
        """Return this decision if allowed, else raise :class:`~terrain.errors.ConsentDenied`."""
        if not self.allowed:
            details = "; ".join(r.text for r in self.blocking)
            raise ConsentDenied(
                f"{self.subject_kind} {self.subject_id} cannot go to {self.platform!r} "
                f"({self.purpose.value}): {details}. Fix the consent or remove the people "
                "concerned from the content, then retry.",
                decision=self,
            )
        return self

    def apply_to(self, post: Post) -> Post:
        """``post`` as it may go out: without the dropped mentions and the ``@handles``
        of dropped members typed in its text and thread, each media with the regions
        to blur in it (:attr:`blurred`).

        Raises :class:`~terrain.errors.ConsentDenied` when the decision denies
        the post, and :class:`~terrain.errors.ValidationError` when it is about
        another post or platform.
        """
        if self.subject_kind != "post" or post.id != self.subject_id:
            raise ValidationError(
                f"this decision is about {self.subject_kind} {self.subject_id}, not post "
                f"{post.id}: decide on the post itself"
            )
        if post.platform != self.platform:
            raise ValidationError(
                f"this decision is for {self.platform!r}, the post for {post.platform!r}"
            )
        self.require()
        dropped = {m.handle.casefold() for m in self.dropped_mentions}
        blur: dict[tuple[str, str], list[Region]] = {}
        for b in self.blurred:
            blur.setdefault((b.content_id, b.media_id), []).append(b.region)
        media = tuple(
            attrs.evolve(m, blur=tuple(dict.fromkeys(
                (*m.blur, *blur.get((m.content_id or "", m.media_id or ""), ()))
            )))
            if (m.content_id or "", m.media_id or "") in blur else m
            for m in post.media
        )
        if not dropped and not blur:
            return post
        text, thread = _without_handles(post, dropped) if dropped else (post.text, post.thread)
        return attrs.evolve(
            post,
            text=text,
            thread=thread,
            media=media,
            mentions=tuple(m for m in post.mentions if m.handle.casefold() not in dropped),
        )

    def to_record(self, *, actor: str, record_id: str) -> DecisionRecord:
        """This decision as an immutable audit record made by ``actor``."""
        return DecisionRecord(
            id=record_id,
            actor=actor,
            subject_kind=self.subject_kind,
            subject_id=self.subject_id,
            platform=self.platform,
            purpose=self.purpose,
            at=self.at,
            outcome=self.outcome,
            reasons=self.reasons,
            relied_on=self.relied_on,
            dropped_mentions=tuple(m.handle for m in self.dropped_mentions),
        )


_reason = maker(Reason)
_target = maker(Target)
_decision = maker(Decision)


def _without_handles(post: Post, handles: set[str]) -> tuple[str, tuple[str, ...]]:
    """The text and thread of ``post`` without the typed ``@handles`` in ``handles``."""
    text = HandleFinder.remove(post.text, handles)
    thread = tuple(
        part for part in (HandleFinder.remove(t, handles) for t in post.thread) if part.strip()
    )
    return text, thread


def _name(member: Member | None, member_id: str) -> str:
    if member is None:
        return member_id
    return f"{member.display_name} (minor)" if member.is_minor else member.display_name


def _target_of(content: Content) -> Target:
    """:meth:`Target.of` ``content``, without attrs' ``__init__``."""
    event_id = content.event_id
    project_id = content.project_id
    return _target(frozenset((content.id,)),
                   _NONE if event_id is None else frozenset((event_id,)),
                   _NONE if project_id is None else frozenset((project_id,)))


_NONE: frozenset[str] = frozenset()


def _label(content: Content) -> str:
    return f"{content.kind.value} {content.id}"


class _Builder:
    """Collects the reasons of one decision."""

    __slots__ = ("asked", "at", "blocked", "blur", "blurred", "key", "ledger", "once",
                 "platform", "reasons", "relied_on", "scopes", "share", "when")

    def __init__(
        self, ledger: ConsentLedger, platform: str, at: datetime, blur: bool = False,
        *, share: bool = True,
    ) -> None:
        self.ledger = ledger
        self.share = share
        self.platform = platform
        self.at = at
        # worked out once per decision, not once per person
        self.when = instant(at)
        self.key = platform_key(platform)
        #: the scopes of the last target asked about, by purpose (see Target.scopes)
        self.scopes: dict[Purpose, tuple[Target, tuple[ScopeKey, ...]]] = {}
        self.blur = blur
        self.reasons: list[Reason] = []
        self.relied_on: set[str] = set()
        self.blocked = False
        self.blurred: list[Blurred] = []
        #: the answers given so far, by person and purpose: (target, its bearing, answer)
        self.asked: dict[tuple[str, Purpose], list[tuple[Target, Hashable, ConsentState]]] = {}
        #: whether each person is asked about once per purpose (a decision on one
        #: content: its people are listed once, its author for another purpose)
        self.once = False

    def state(self, member_id: str, purpose: Purpose, target: Target) -> ConsentState:
        """The ledger's answer for ``member_id``: each person is judged once per
        decision for targets that bear alike on them (the same records and
        withdrawals apply), however many contents of the post they appear in."""
        ledger = self.ledger
        if not self.share:  # each appearance asked on its own (the reference, for tests)
            return ledger.state_for(member_id, purpose, self.platform, at=self.at, target=target)
        if self.once:  # nothing to share: each person is asked about once per purpose
            return self._ask(member_id, purpose, target)
        asked = (member_id, purpose)
        seen = self.asked.get(asked)
        if seen is None:
            state = self._ask(member_id, purpose, target)
            self.asked[asked] = [(target, None, state)]
            return state
        bearing = ledger._bearing(member_id, purpose, target)
        for i, (other, known, state) in enumerate(seen):
            if known is None:  # worked out when a second target came
                known = ledger._bearing(member_id, purpose, other)
                seen[i] = (other, known, state)
            if known == bearing:
                return state
        state = self._ask(member_id, purpose, target)
        seen.append((target, bearing, state))
        return state

    def _scopes(self, purpose: Purpose, target: Target) -> tuple[ScopeKey, ...]:
        """:meth:`Target.scopes`, worked out once per content and purpose."""
        known = self.scopes.get(purpose)
        if known is not None and known[0] is target:
            return known[1]
        scopes = target.scopes(purpose)
        self.scopes[purpose] = (target, scopes)
        return scopes

    def _ask(self, member_id: str, purpose: Purpose, target: Target) -> ConsentState:
        scopes = self._scopes(purpose, target)
        return plain_state(self.ledger, member_id, purpose, self.platform, self.key, self.at,
                           self.when, scopes) or self.ledger._state(
            member_id, purpose, self.platform, self.at, target, self.when, self.key, scopes,
            plain=False,
        )

    def block(self, text: str, *, content_id: str | None = None) -> None:
        self.reasons.append(_reason(text, True, None, None, content_id, None, None))
        self.blocked = True

    def person(
        self, member_id: str, purpose: Purpose, target: Target, *, content_id: str | None,
        role: str = "", scopes: tuple[ScopeKey, ...] | None = None,
    ) -> None:
        """Add the reason for ``member_id`` (``scopes``: :meth:`Target.scopes` of
        ``target`` for ``purpose``, when the caller has them)."""
        answer: Answer | None = None
        if self.once:  # nothing to share: the plain answer, without a ConsentState
            if scopes is None:
                scopes = self._scopes(purpose, target)
            answer = plain_answer(self.ledger, member_id, purpose, self.platform, self.key,
                                  self.when, scopes)
            state = None if answer is not None else self.ledger._state(
                member_id, purpose, self.platform, self.at, target, self.when, self.key, scopes,
                plain=False,
            )
        else:
            state = self.state(member_id, purpose, target)
        if answer is None:
            assert state is not None
            answer = (state.valid, state.reason, state.consent, state.status, state.member,
                      state.relied_on)
        valid, reason, consent, _, member, relied_on = answer
        who = member_id if member is None else (
            f"{member.display_name} (minor)" if member.is_minor else member.display_name
        )  # _name()
        what = "" if purpose is Purpose.PUBLISH else f"{purpose.value}: "
        self.reasons.append(
            _reason(f"{who}{role}: {what}{reason}", not valid, member_id,
                    None if consent is None else consent.id, content_id, None, purpose)
        )
        if valid:
            self.relied_on.update(relied_on)
        else:
            self.blocked = True

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
        if shows_media and content.media and not content.people_reviewed:
            self.block(
                f"{_label(content)}: people not reviewed yet; confirm who appears in each "
                "media file",
                content_id=content.id,
            )
        elif shows_media and content.media and not content.review_is_current:
            last = content.last_review
            assert last is not None
            self.block(
                f"{_label(content)}: the people in it changed after {last.by} reviewed it on "
                f"{last.at.date().isoformat()}; confirm who appears in it again",
                content_id=content.id,
            )
        shown = list(content.appearances) if media_ids is None else [
            a for a in content.appearances if a.media_id in media_ids
        ]
        unreviewed = len([a for a in shown if not a.reviewed])
        if unreviewed:
            people = "person" if unreviewed == 1 else "people"
            self.block(f"{_label(content)}: {unreviewed} {people} not reviewed",
                       content_id=content.id)
        needed = Purpose.INTERVIEW if (
            purpose is Purpose.PUBLISH and content.kind in INTERVIEW_KINDS
        ) else purpose
        target = _target_of(content)
        scopes = self._scopes(needed, target) if self.once else None
        for member_id in dict.fromkeys(a.member_id for a in shown):
            places = self._blurrable(content, purpose, member_id, shown) if self.blur else None
            if places:
                self.person_or_blur(member_id, needed, target, content, places)
                continue
            self.person(member_id, needed, target, content_id=content.id, scopes=scopes)
        if purpose is Purpose.PUBLISH and content.author_id is not None:
            self.person(content.author_id, Purpose.REUSE_UGC, target, content_id=content.id,
                        role=" (author)")


def decide(
    ledger: ConsentLedger,
    subject: Content | Post,
    *,
    platform: str,
    purpose: Purpose | str = Purpose.PUBLISH,
    at: datetime,
    contents: Mapping[str, Content] | None = None,
    blur: bool = False,
) -> Decision:
    """Decide whether ``subject`` may be used for ``purpose`` on ``platform`` at ``at``.

    For a :class:`~terrain.content.Content`: every person identified in it
    needs a valid consent for ``purpose`` on ``platform`` whose scope covers
    the content; with media, ``people_reviewed`` must be true; every
    appearance must be reviewed. Interviews and micro-interviews need the
    ``interview`` purpose (which includes publishing the interview) instead
    of ``publish``; user-generated content (``author_id``) also needs the
    author's ``reuse-ugc`` when published.

    For a :class:`~terrain.posts.Post`: ``contents`` maps content id to
    content for every ``PostMedia.content_id`` and ``post.content_ids``. Each
    media shows the people of its media file and those of its content as a
    whole; each content the post draws on (``content_ids``) shows the people
    of the content as a whole and needs its author's ``reuse-ugc``. A media
    with no ``content_id`` blocks (nobody can tell who is in it). Each member
    mention needs the ``tag`` purpose on ``platform`` (scoped to the post's
    event or contents); a mention without it is dropped, not the whole post.
    Partner mentions need nothing. The ``@handle`` of a member typed in the
    text or thread (in any platform's syntax: ``@lea_m``, ``@lea@mastodon.social``)
    is a mention too: without ``tag`` consent it is dropped, and
    :meth:`Decision.apply_to` removes it from the text.

    With ``blur`` (a community's ``[publish] blur_unconsented``), a person shown
    without a valid ``publish`` consent does not hold the photo back when every
    picture of them shown has their region: the decision blurs them
    (:attr:`Decision.blurred`, and a reason that says so) and drops any mention
    of them, typed or not. Never when a region is unknown, nor for an author, an
    interview, or a photo whose people were not reviewed.
    """
    return _decide(ledger, subject, platform=platform, purpose=purpose, at=at,
                   contents=contents, blur=blur, share=True)


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
        builder.once = share
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
