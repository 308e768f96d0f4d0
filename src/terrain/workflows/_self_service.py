"""Members act for themselves: event pages, RSVP, check-in, their own page, withdrawal.

Each function is what one web page (``terrain serve``) does, in one call, and
what any other front end may call the same way. The member is known only by a
link they hold (a token, :mod:`terrain.workflows._links`): a function that
acts for a member takes the ``token`` and checks it first (signature, purpose,
expiry, revocation, single use), so a front end never decides who someone is.
Every time comes from the caller (``now=``).

- :func:`event_page`: the public page of an event (agenda, venue, local date,
  seats), and the member's own answer when they hold a link.
- :func:`request_link`: "send me a link" by email; the same answer whether
  the address is known or not (nothing tells who is a member).
- :func:`answer_from_link`, :func:`check_in_from_link`: RSVP with the
  waitlist rules (promoted people are told by mail) and self check-in.
- :func:`personal_page`, :func:`member_photo`: what a member agreed to, the
  photos they appear in, the posts published with them, the takedowns.
- :func:`~terrain.workflows.withdraw_on_page` (:mod:`terrain.workflows._withdraw`):
  withdraw one purpose, platform or event, or everything, in one click; the
  takedown is queued for ``terrain worker``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

import attrs

from terrain._time import instant, require_aware
from terrain.community import Member
from terrain.consent import (
    Consent,
    RecordState,
    RecordStatus,
    ScopeKind,
)
from terrain.content import Content
from terrain.errors import LinkRefused, NotFound, ValidationError
from terrain.events import (
    DOORS_OPEN,
    AgendaItem,
    Attendance,
    Event,
    RsvpStatus,
    Venue,
    build_agenda,
)
from terrain.posts import HandleFinder
from terrain.publishing import QueuedTakedown, RowState, TakedownQueue
from terrain.store import LinkRow
from terrain.workflows._links import (
    IssuedLink,
    LinkPurpose,
    check_link,
    event_page_url,
    issue_link,
    use_link,
)
from terrain.workflows._mail import Mail, Outgoing, mail_text, send_mail
from terrain.workflows._meetups import Answer, answer_rsvp, check_in_members, load_attendance
from terrain.workflows._publish import journal_of

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = [
    "ConsentLine",
    "EventPage",
    "PersonalPage",
    "PhotoRef",
    "PublishedWith",
    "RsvpDone",
    "answer_from_link",
    "check_in_from_link",
    "event_page",
    "member_by_email",
    "member_photo",
    "personal_link",
    "personal_page",
    "request_link",
]

#: Links that say who visits an event page.
_VISITOR = (LinkPurpose.PERSONAL, LinkPurpose.RSVP, LinkPurpose.CHECK_IN)
#: Purposes a member may ask a link for by email, on the event page.
ASKABLE = (LinkPurpose.PERSONAL, LinkPurpose.RSVP, LinkPurpose.CHECK_IN, LinkPurpose.CONSENT)


def _zone(ws: Workspace) -> ZoneInfo:
    return ZoneInfo(ws.community.timezone)


def member_by_email(ws: Workspace, email: str) -> Member | None:
    """The member whose address is ``email`` (case of the domain ignored), or ``None``."""
    from terrain._validation import email_problem, normal_email

    if not isinstance(email, str) or email_problem(email.strip()) is not None:
        return None
    wanted = normal_email(email).casefold()
    for member in ws.list(Member):
        if member.email is not None and member.email.casefold() == wanted:
            return member
    return None


def _member_of(ws: Workspace, row: LinkRow) -> Member:
    try:
        return ws.get(Member, row.subject_id)
    except NotFound:  # the member was erased since: their links died with them
        raise LinkRefused("this link cannot be used (revoked); ask for a new one",
                          reason="revoked") from None


def _for_event(row: LinkRow, event_id: str) -> None:
    if row.purpose != LinkPurpose.PERSONAL and row.ref != event_id:
        raise LinkRefused("this link cannot be used (meant for another page); ask for a new "
                          "one", reason="purpose")


# -- the event page -----------------------------------------------------------------------


@attrs.frozen
class EventPage:
    """What an event's public page shows.

    ``starts_local``/``ends_local`` are in the community's zone; ``agenda``
    the running order; ``seats_left`` ``None`` when there is no limit;
    ``door_open`` whether people can check in now. ``member`` and ``status``
    are set when the visitor holds a link (``link_purpose``) for this page.
    """

    event: Event
    venue: Venue | None
    url: str
    starts_local: datetime
    ends_local: datetime
    agenda: tuple[AgendaItem, ...]
    going: int
    waiting: int
    seats_left: int | None
    door_open: bool
    took_place: bool
    member: Member | None = None
    status: RsvpStatus | None = None
    link_purpose: LinkPurpose | None = None


def event_page(
    ws: Workspace,
    event_id: str,
    *,
    now: datetime,
    tokens: Iterable[str | None] = (),
    key: bytes | None = None,
) -> EventPage:
    """The public page of ``event_id`` at ``now``. With the ``tokens`` a visitor holds
    (a personal link, or an RSVP or check-in link for this event), the first that
    holds says who they are and their answer; links that do not hold are ignored
    (the page is public)."""
    require_aware(now, "event_page: now")
    event = ws.get(Event, event_id)
    venue = ws.get(Venue, event.venue_id) if event.venue_id else None
    answers = load_attendance(ws, event_id)
    member = status = None
    link_purpose = None
    for token in tokens:
        if not token:
            continue
        try:
            row = check_link(ws, token, _VISITOR, now=now, key=key)
            _for_event(row, event_id)
            member = _member_of(ws, row)
        except (LinkRefused, NotFound):
            continue
        known = any(r.member_id == member.id for r in answers.rsvps)
        status = answers.status_of(member.id) if known else None
        link_purpose = LinkPurpose(row.purpose)
        break
    zone = _zone(ws)
    at = instant(now)
    door = (
        not event.cancelled
        and instant(event.starts_at) - DOORS_OPEN <= at <= instant(event.ends_at)
    )
    return EventPage(
        event=event,
        venue=venue,
        url=event_page_url(ws, event_id),
        starts_local=event.starts_at.astimezone(zone),
        ends_local=event.ends_at.astimezone(zone),
        agenda=tuple(
            attrs.evolve(i, starts_at=i.starts_at.astimezone(zone),
                         ends_at=i.ends_at.astimezone(zone))
            for i in build_agenda(event)
        ),
        going=len(answers.with_status(RsvpStatus.GOING)) + len(answers.checked_in),
        waiting=len(answers.waitlist),
        seats_left=answers.seats_left,
        door_open=door,
        took_place=event.took_place(now),
        member=member,
        status=status,
        link_purpose=link_purpose,
    )


# -- links by email -----------------------------------------------------------------------


def _link_mail(ws: Workspace, member: Member, link: IssuedLink, event: Event | None
               ) -> list[Mail]:
    if member.email is None:
        return []
    values = {
        "name": member.display_name,
        "community": ws.community.name,
        "url": link.url,
        "event": event.title if event is not None else "",
        "until": link.expires_at.astimezone(_zone(ws)).date().isoformat(),
    }
    subject, body = mail_text(link.purpose.value, ws.community.language, **values)
    return [Mail(member.email, subject, body, kind=link.purpose.value)]


def request_link(
    ws: Workspace,
    email: str,
    purpose: LinkPurpose | str,
    *,
    now: datetime,
    event_id: str | None = None,
    key: bytes | None = None,
) -> Outgoing:
    """Issue the member whose address is ``email`` a ``purpose`` link (for ``event_id``),
    and return the mail that carries it: :meth:`~terrain.workflows.Outgoing.send` it.

    A page must answer the same whether the address is a member's or not ("if
    this address is known, a link is on its way"): send the mail after
    answering (an unknown address gets an :class:`Outgoing` that sends
    nothing). Text that is not an email address is a
    :class:`~terrain.errors.ValidationError`; an unknown event
    :class:`~terrain.errors.NotFound` (event pages are public).
    """
    require_aware(now, "request_link: now")
    from terrain._validation import email_problem

    if not isinstance(email, str) or email_problem(email.strip()) is not None:
        raise ValidationError("this is not an email address (name@example.org)")
    kind = LinkPurpose(purpose)
    if kind not in ASKABLE:
        raise ValidationError(f"no link for {kind.value!r} can be asked for by email")
    event = None
    if kind is not LinkPurpose.PERSONAL:
        if event_id is None:
            raise ValidationError(f"a {kind.value} link is for one event: give its id")
        event = ws.get(Event, event_id)
    member = member_by_email(ws, email)
    if member is None:
        return Outgoing(ws)
    link = issue_link(ws, kind, member.id, now=now, ref=event_id, key=key)
    return Outgoing(ws, tuple(_link_mail(ws, member, link, event)))


def personal_link(
    ws: Workspace, member_id: str, *, now: datetime, send: bool = False
) -> tuple[IssuedLink, int]:
    """Issue ``member_id``'s personal link (the community manager prints or shows it);
    with ``send``, mail it to them too. ``(link, mails sent)``."""
    require_aware(now, "personal_link: now")
    member = ws.get(Member, member_id)
    link = issue_link(ws, LinkPurpose.PERSONAL, member.id, now=now)
    if send and member.email is None:
        raise ValidationError(
            f"{member.display_name} has no email address: print or show the link instead, or "
            f"record their address (`terrain member add {member.id} ... --email ADDRESS`)"
        )
    return link, (send_mail(ws, _link_mail(ws, member, link, None)) if send else 0)


# -- RSVP and check-in --------------------------------------------------------------------


@attrs.frozen
class RsvpDone:
    """An answer recorded from a member's link: ``answer`` as the library made it
    (``promoted``: people moved from the waitlist to going, told by mail)."""

    member: Member
    answer: Answer
    told: int


def answer_from_link(
    ws: Workspace,
    token: str,
    event_id: str,
    answer: Literal["going", "waitlist", "cancel"],
    *,
    now: datetime,
    key: bytes | None = None,
) -> RsvpDone:
    """Record the answer of the member holding ``token`` (an RSVP link for
    ``event_id``, or their personal link) with the library's waitlist rules; the
    people a cancellation promoted from the waitlist are told by mail."""
    require_aware(now, "answer_from_link: now")
    row = check_link(ws, token, [LinkPurpose.RSVP, LinkPurpose.PERSONAL], now=now, key=key)
    _for_event(row, event_id)
    member = _member_of(ws, row)
    with use_link(ws, row, now=now):
        done = answer_rsvp(ws, event_id, member.id, answer, at=now)
    mails = []
    for promoted_id in done.promoted:
        promoted = ws.get(Member, promoted_id)
        if promoted.email is None:
            continue
        subject, body = mail_text(
            "promoted", ws.community.language, name=promoted.display_name,
            community=ws.community.name, event=done.event.title,
            url=event_page_url(ws, event_id),
        )
        mails.append(Mail(promoted.email, subject, body, kind="promoted"))
    return RsvpDone(member=member, answer=done, told=send_mail(ws, mails))


def check_in_from_link(
    ws: Workspace, token: str, event_id: str, *, now: datetime, key: bytes | None = None
) -> tuple[Member, Attendance]:
    """Check in the member holding ``token`` (a check-in link for ``event_id``, or their
    personal link) at ``now``; someone who did not answer comes in as a walk-in if a
    seat is free. The library's door rules hold (opens 2 hours before, full is full)."""
    require_aware(now, "check_in_from_link: now")
    row = check_link(ws, token, [LinkPurpose.CHECK_IN, LinkPurpose.PERSONAL], now=now, key=key)
    _for_event(row, event_id)
    member = _member_of(ws, row)
    answers = load_attendance(ws, event_id)
    walk_in = not any(r.member_id == member.id for r in answers.rsvps)
    with use_link(ws, row, now=now):
        attendance = check_in_members(ws, event_id, [member.id], at=now, walk_in=walk_in)
    return member, attendance


# -- the personal page --------------------------------------------------------------------


#: Where a record stands when it still allows (or will allow) something: it can be withdrawn.
_WITHDRAWABLE = frozenset({
    RecordStatus.GIVEN, RecordStatus.PARTLY_WITHDRAWN, RecordStatus.SCHEDULED,
    RecordStatus.PENDING_GUARDIAN, RecordStatus.PENDING_ASSENT,
})


@attrs.frozen
class ConsentLine:
    """One consent record as its person sees it, where it stands at the page's instant
    (the ledger's rules, :meth:`~terrain.consent.ConsentLedger.record_states`: a
    withdrawal, an end date, a guardian still to confirm). ``waiting_for`` are the
    people whose agreement it still waits for (a minor's guardians, or the child)."""

    state: RecordState
    event: Event | None = None
    waiting_for: tuple[Member, ...] = ()

    @property
    def consent(self) -> Consent:
        """The record."""
        return self.state.consent

    @property
    def status(self) -> RecordStatus:
        """Given, refused, expired, withdrawn, partly withdrawn, pending guardian…"""
        return self.state.status

    @property
    def key(self) -> str:
        """:attr:`status` as one word (``pending-guardian``), for page texts and styles."""
        return self.status.value.replace(" ", "-")

    @property
    def in_force(self) -> bool:
        """Whether the record still allows something, or will (and so can be withdrawn)."""
        return self.status in _WITHDRAWABLE


@attrs.frozen
class PhotoRef:
    """A photo a member appears in: ``content_id``/``media_id`` name it."""

    content_id: str
    media_id: str
    title: str
    alt_text: str
    event_title: str = ""


@attrs.frozen
class PublishedWith:
    """A post published with the member in it: where, when, and whether it came down."""

    post_id: str
    platform: str
    url: str | None
    published_at: datetime
    taken_down_at: datetime | None
    event_title: str = ""


@attrs.frozen
class PersonalPage:
    """What a member sees on their own page."""

    member: Member
    link_id: str
    consents: tuple[ConsentLine, ...]
    photos: tuple[PhotoRef, ...]
    posts: tuple[PublishedWith, ...]
    takedowns: tuple[QueuedTakedown, ...]
    events: tuple[tuple[Event, RsvpStatus | None], ...]
    platforms: tuple[str, ...]

    @property
    def takedowns_pending(self) -> int:
        """Takedowns still waiting for the worker."""
        return sum(1 for t in self.takedowns if t.state != "done")

    @property
    def to_remove_by_hand(self) -> tuple[QueuedTakedown, ...]:
        """Takedowns the worker could not do: what must be removed by hand."""
        return tuple(t for t in self.takedowns if t.state == "done" and t.outcome != "deleted")


def personal_page(
    ws: Workspace, token: str, *, now: datetime, key: bytes | None = None
) -> PersonalPage:
    """The page of the member holding personal link ``token``, at ``now``."""
    require_aware(now, "personal_page: now")
    row = check_link(ws, token, [LinkPurpose.PERSONAL], now=now, key=key)
    member = _member_of(ws, row)
    events = {e.id: e for e in ws.list(Event)}
    with ws.consent([member.id]) as ledger:  # only this person's history is read
        states = ledger.record_states(member.id, at=now)
        people = ledger.members
    lines = []
    for state in states:
        consent = state.consent
        event = events.get(consent.scope.ref or "") if consent.scope.kind is ScopeKind.EVENT \
            else None
        waiting = tuple(people[p] for p in state.waiting_for if p in people)
        lines.append(ConsentLine(state, event, waiting))
    contents = ws.contents_showing(member.id)
    finder = HandleFinder(dict.fromkeys(member.handles.values(), member.id))
    photos = tuple(
        PhotoRef(c.id, m.id, c.title or c.caption[:80], m.alt_text,
                 events[c.event_id].title if c.event_id in events else "")
        for c in contents
        for m in c.media
        if m.media_type.startswith("image/")
        and any(a.member_id == member.id and a.media_id in (None, m.id) for a in c.appearances)
    )
    shown = {c.id for c in contents}
    posts = []
    for journal_row in journal_of(ws).rows(states=(RowState.SENT, RowState.CONFIRMED)):
        post, receipt = journal_row.post, journal_row.receipt
        if receipt is None:
            continue
        drawn = set(post.content_ids) | {m.content_id for m in post.media if m.content_id}
        mentioned = any(m.member_id == member.id for m in post.mentions) or bool(
            finder.find(post.text, *post.thread)  # their @handle typed in the text
        )
        if drawn & shown or mentioned:
            posts.append(PublishedWith(
                post.id, receipt.platform, receipt.url, receipt.published_at,
                journal_row.taken_down_at,
                events[post.event_id].title if post.event_id in events else "",
            ))
    upcoming = []
    for event in sorted(events.values(), key=lambda e: instant(e.starts_at)):
        if instant(event.ends_at) < instant(now) or event.cancelled:
            continue
        answers = ws.get(Attendance, event.id) if ws.exists(Attendance, event.id) else None
        answered = answers is not None and any(r.member_id == member.id for r in answers.rsvps)
        upcoming.append((event, answers.status_of(member.id) if answered and answers else None))
    return PersonalPage(
        member=member,
        link_id=row.id,
        consents=tuple(lines),
        photos=photos,
        posts=tuple(posts),
        takedowns=tuple(TakedownQueue(ws.db).rows(subject_id=member.id)),
        events=tuple(upcoming[:10]),
        platforms=tuple(ws.platform_names()),
    )


def member_photo(
    ws: Workspace,
    token: str,
    content_id: str,
    media_id: str,
    *,
    now: datetime,
    key: bytes | None = None,
    size: int = 320,
) -> bytes:
    """A JPEG thumbnail (``size`` pixels at most, no metadata) of a photo the member
    holding personal link ``token`` appears in; :class:`~terrain.errors.NotFound`
    for any other photo (the same answer whether it exists or not)."""
    require_aware(now, "member_photo: now")
    from PIL import Image

    row = check_link(ws, token, [LinkPurpose.PERSONAL], now=now, key=key)
    member = _member_of(ws, row)
    missing = NotFound("no such photo of yours")
    try:
        content = ws.get(Content, content_id)
    except NotFound:
        raise missing from None
    media = next((m for m in content.media if m.id == media_id), None)
    if media is None or not media.media_type.startswith("image/") or not any(
        a.member_id == member.id and a.media_id in (None, media.id) for a in content.appearances
    ):
        raise missing
    with Image.open(io.BytesIO(ws.storage.get(media.key))) as image:
        image.thumbnail((size, size))
        out = io.BytesIO()
        image.convert("RGB").save(out, format="JPEG", quality=80)  # no EXIF: nothing is copied
    return out.getvalue()
