"""Before and after the meetup: publish an event's posts to the community's platforms.

:func:`publish_event` composes the posts of one kind (the ``recap`` after the
meetup: a summary with the photos as an album, and one post per interview;
the ``announcement`` before it; the ``reminder`` the day before; a
``partner-thanks`` post) for each platform, plans them in the workspace's
journal and runs the publishing runner, which asks the consent ledger again
right before each call. ``at`` (or ``next_slot``) schedules them for the
workers instead. With ``dry_run`` nothing is written and nothing is sent: the
result says what would go out, exactly, and what would be held back, and why.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from terrain._language import enumeration, long_date
from terrain._time import gap_problem, instant, require_aware, zone
from terrain.community import Member
from terrain.consent import Decision, decide
from terrain.content import Content, Region
from terrain.errors import (
    ComposeError,
    ConfigError,
    NotFound,
    TerrainError,
    ValidationError,
)
from terrain.events import Event, Venue, event_url
from terrain.partnerships import Partner, Partnership, PartnershipStatus
from terrain.plugins import Platform
from terrain.posts import Capabilities, Post
from terrain.publishing import (
    DEFAULT_POLICIES,
    LEFT_OUT,
    Dropped,
    Gate,
    Journal,
    JournalRow,
    PlatformPolicy,
    PostingSlots,
    PostOutcome,
    Recap,
    RowState,
    RunReport,
    Verdict,
    approval_check,
    blurred_copies,
    compose_posts,
    edit_text,
    event_announcement,
    event_recaps,
    judge,
    left_out,
    outcome_of,
    photo_captions,
    publish,
)

if TYPE_CHECKING:
    from terrain.store import Workspace
    from terrain.templates import Templates

__all__ = [
    "POST_KINDS",
    "Preview",
    "PreviewMedia",
    "PublishResult",
    "clock_from",
    "configured_policies",
    "deliver",
    "journal_of",
    "people_of",
    "platforms_for",
    "plugin_hook",
    "publish_event",
    "runner_rules",
    "workspace_gate",
]


#: The kinds of post :func:`publish_event` makes from an event.
POST_KINDS = ("recap", "announcement", "reminder", "partner-thanks")


@attrs.frozen
class PreviewMedia:
    """A photo as it would go: its place in the post, its key and its alt text, and the
    regions consent blurs in it."""

    key: str
    alt_text: str
    content_id: str | None = None
    media_id: str | None = None
    blur: tuple[Region, ...] = ()


@attrs.frozen
class Preview:
    """One post exactly as a dry run says it would go out on ``platform``.

    ``text`` is the first post as the platform shows it (the text, the
    ``@handles`` the consent gate keeps, the link), ``thread`` the replies,
    ``media`` the photos in order with their alt text; ``dropped`` what was
    left out and why (a photo the platform cannot take, a photo or a mention
    consent does not allow). ``at`` is when it would go (``None``: now).
    """

    post_id: str
    platform: str
    text: str
    thread: tuple[str, ...] = ()
    media: tuple[PreviewMedia, ...] = ()
    dropped: tuple[Dropped, ...] = ()
    at: datetime | None = None


@attrs.frozen
class PublishResult:
    """What :func:`publish_event` or :func:`publish_project_update` did (or, in a dry
    run, would do).

    ``subject_id`` is what the posts are about: the event, or the project
    (``subject_kind`` says which). ``posts`` are the composed posts;
    ``compose_errors`` the platforms a recap could not be made to fit (with
    what to change); ``report`` the runner's outcome per post. ``dry_run``
    outcomes are ``planned``
    (would go out) or ``held`` (would be held back, with reasons), and
    ``previews`` show each post exactly as it would go. ``dropped`` lists
    what composing left out (photos a platform cannot take) and why.
    ``scheduled`` maps a post id to the instant it is planned for.
    """

    subject_id: str
    dry_run: bool
    posts: tuple[Post, ...]
    report: RunReport
    compose_errors: tuple[str, ...] = ()
    #: content id -> what people call it (its title: a file name, "Nadia, boulangère").
    labels: Mapping[str, str] = attrs.field(factory=dict)
    dropped: tuple[Dropped, ...] = ()
    previews: tuple[Preview, ...] = ()
    scheduled: Mapping[str, datetime] = attrs.field(factory=dict)
    kind: str = "recap"
    subject_kind: str = "event"

    @property
    def event_id(self) -> str:
        """Deprecated: :attr:`subject_id`, which is a project's id for a project update."""
        warnings.warn(
            "PublishResult.event_id is deprecated: use subject_id (a project's id for a "
            "project update; subject_kind says which); event_id goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.subject_id

    @property
    def failed(self) -> bool:
        """Whether anything failed (a refused post, a stopped platform, a recap that
        could not be composed)."""
        return self.report.failed or bool(self.compose_errors)


#: Keys of a ``[platforms.<name>]`` table that tune the runner, not the adapter.
POLICY_KEYS = {
    "rate": float,
    "daily_budget": int,
    "concurrency": int,
    "max_attempts": int,
    "backoff": float,
    "max_backoff": float,
}


def configured_policies(ws: Workspace, names: Sequence[str]) -> dict[str, PlatformPolicy]:
    """Each platform's :class:`PlatformPolicy`: terrain's default for it,
    changed by the policy keys of its terrain.toml table (``rate = 5.0``
    calls per second, ``daily_budget = 17``, ``concurrency``,
    ``max_attempts``, ``backoff``, ``max_backoff``)."""
    out: dict[str, PlatformPolicy] = {}
    for name in names:
        table = ws.platform_settings(name)
        changes: dict[str, Any] = {}
        for key, kind in POLICY_KEYS.items():
            if key in table:
                changes[key] = _policy_number(ws, name, key, table[key], whole=kind is int)
        policy = DEFAULT_POLICIES.get(name, PlatformPolicy())
        out[name] = attrs.evolve(policy, **changes)
    return out


def _policy_number(ws: Workspace, table: str, key: str, value: object, *, whole: bool) -> float:
    """``value`` of ``[platforms.<table>] key`` if it is a positive number (a whole one
    when ``whole``), else a :class:`ConfigError` naming the file, the table and the key.

    A fraction is never rounded: ``daily_budget = 17.9`` or ``max_attempts = 0.5`` is
    a typo or a misunderstanding, and truncating it would change what the runner does.
    """
    from terrain.store import CONFIG_NAME

    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (whole and not isinstance(value, int))
        or not math.isfinite(value)
        or value <= 0
    ):
        kind = "a whole number" if whole else "a number"
        raise ConfigError(
            f"{ws.root / CONFIG_NAME}: [platforms.{table}] {key} = {value!r}: give {kind} "
            f"above 0 (e.g. {key} = {_EXAMPLES[key]})"
        )
    return value if whole else float(value)


#: What the messages suggest for each policy key.
_EXAMPLES = {
    "rate": "1.0",
    "daily_budget": "17",
    "concurrency": "2",
    "max_attempts": "5",
    "backoff": "2.0",
    "max_backoff": "300.0",
}


def clock_from(now: datetime | Callable[[], datetime]) -> Callable[[], datetime]:
    """A clock: ``now`` itself if it is one, else a clock that starts at ``now``
    and runs at the speed of real time (so retries and budgets can come due)."""
    if callable(now):
        return now
    origin = instant(require_aware(now, "now"))  # in UTC: the clock adds elapsed time
    start = time.monotonic()
    return lambda: origin + timedelta(seconds=time.monotonic() - start)


def journal_of(ws: Workspace) -> Journal:
    """The publication journal of workspace ``ws`` (in its database)."""
    return Journal(ws.db, create=False)


def plugin_hook(ws: Workspace | None = None) -> Any:
    """The hook relay of ``ws``'s plugin manager (a freshly built one without
    ``ws``), or ``None`` if plugins are not available."""
    if ws is not None:
        return ws.plugins.hook
    import terrain.plugins as plugins

    factory = getattr(plugins, "get_plugin_manager", None)
    return None if factory is None else factory().hook


def workspace_gate(
    ws: Workspace, posts: Sequence[Post] = (), *, contents: Mapping[str, Content] | None = None
) -> Gate:
    """The consent gate of a workspace: the ledger *as stored at the instant
    asked* (a withdrawal recorded by another command during a run counts at
    once), deciding for the purpose asked. The workspace keeps its ledger in
    memory and reads, before each decision, only the consent events and
    members stored since the last one (:meth:`Workspace.consent
    <terrain.Workspace.consent>`); the contents a post shows are read again
    too, in one query. The people asked about are those the post shows or
    mentions, and the members whose ``@handle`` is typed in its text (found in
    the store's index of handles, :meth:`Workspace.handle_finder
    <terrain.Workspace.handle_finder>`): what a decision reads grows with the
    post, not with the community.

    ``posts``, the posts the gate is about to be asked about (a run's), have
    their contents and the consent history and member records of their people
    read now, in a few queries instead of a few per post:
    each decision then still reads what was stored since, by any process, and
    decides on that. ``contents`` (by id), those of ``posts`` as the caller just
    read them to compose the posts, are not read again for that: the people in
    them are the ones whose consent is read now (each decision reads its post's
    contents again at its call)."""

    blur = ws.config.publish.blur_unconsented
    finder = ws.handle_finder()
    if posts:
        _warm_gate(ws, posts, contents)

    def gate(post: Post, at: datetime, *, purpose: str = "publish") -> Decision:
        contents = _contents_of(ws, post)
        people = people_of(contents.values(), post)
        typed = {owner for _h, owner in finder.find(post.text, *post.thread)}
        with ws.consent(people | typed) as ledger:
            return decide(
                ledger, post, platform=post.platform, purpose=purpose, at=at, contents=contents,
                blur=blur,
            )

    return gate


def _warm_gate(
    ws: Workspace, posts: Sequence[Post], contents: Mapping[str, Content] | None = None
) -> None:
    """Read, in one go, what the consent gate will read for ``posts``: their contents
    (decoded once, see :meth:`Workspace.get_many <terrain.Workspace.get_many>`), and
    the consent events and member records of the people they show or mention, into
    the workspace's ledger (:meth:`Workspace.consent <terrain.Workspace.consent>`).

    Nothing is decided here: each decision still brings the ledger up to date (every
    consent event and member stored since, by any process) and reads its post's
    contents again. A content that is gone, a record that cannot be read or a store
    that does not answer is left for the decision about its post to meet, as it
    would be without this. ``contents`` already read (by id) are not read again."""
    wanted = ({c for p in posts for c in p.content_ids}
              | {m.content_id for p in posts for m in p.media if m.content_id})
    known = [c for id, c in (contents or {}).items() if id in wanted]
    ids = sorted(wanted - {c.id for c in known})
    people = people_of(known)
    for post in posts:
        people |= {m.member_id for m in post.mentions if m.member_id is not None}
    try:
        people |= people_of(ws.get_many(Content, ids).values())
        with ws.consent(people):
            pass
    except TerrainError:
        return  # nothing is decided here: each decision reads it all again, and says why


def runner_rules(ws: Workspace) -> dict[str, Any]:
    """What the runner and the workers need from the workspace's ``[publish]`` rules:
    the ``approval`` check when approval is on, and the ``egress`` that sends a blurred
    copy of the photos the gate blurs."""
    settings = ws.config.publish
    return {
        "approval": approval_check(ws.db, four_eyes=settings.four_eyes)
        if settings.approval else None,
        "egress": blurred_copies(ws.storage, margin=settings.blur_margin),
    }


def people_of(contents: Iterable[Content], post: Post | None = None) -> set[str]:
    """The members a decision on ``contents`` (and ``post``) is about: the people
    in them, their authors, the members the post mentions."""
    people = {a.member_id for c in contents for a in c.appearances}
    people |= {c.author_id for c in contents if c.author_id is not None}
    if post is not None:
        people |= {m.member_id for m in post.mentions if m.member_id is not None}
    return people


def _contents_of(ws: Workspace, post: Post) -> dict[str, Content]:
    ids = set(post.content_ids) | {m.content_id for m in post.media if m.content_id}
    return ws.get_many(Content, sorted(ids))


def _propose(member: Member, platform: str, draft: Post) -> bool:
    """Every member in the content with a handle there is proposed for a mention:
    the consent gate keeps it or drops it at the call, and the decision log says why."""
    return True


@attrs.frozen
class Composition:
    """The posts of an event for each platform: what :func:`compose_event` returns."""

    posts: tuple[Post, ...]
    errors: tuple[str, ...] = ()
    dropped: tuple[Dropped, ...] = ()
    #: the contents read to compose them, by id (a recap's)
    contents: Mapping[str, Content] = attrs.field(factory=dict)


def compose_event(
    ws: Workspace,
    event_id: str,
    platforms: Mapping[str, Platform] | Mapping[str, Capabilities],
    *,
    at: datetime,
    kind: str = "recap",
    text: str | None = None,
    goes_at: datetime | None = None,
) -> Composition:
    """Compose the ``kind`` posts of event ``event_id`` for each platform.

    Every member in a content with a handle on the platform is proposed as a
    mention; the consent gate keeps or drops each one at the call (with the
    reason in the decision log). ``at`` is when the posts are composed.

    ``platforms`` maps each platform name to the platform or to its
    :class:`~terrain.Capabilities` (composing needs nothing else: a dry run
    passes capabilities and needs no token). The words are the community's
    templates (:meth:`Workspace.templates <terrain.Workspace.templates>`);
    ``text`` replaces them with the manager's own words in the first post,
    checked as the platform counts (over the limit: a
    :class:`~terrain.errors.ValidationError` saying how many characters to
    cut, and nothing is planned). ``goes_at`` is when the posts will go
    (``demain`` is said from then). Per recap that cannot fit a platform, a
    message says what to change (other platforms and recaps still go ahead).
    """
    require_aware(at, "compose_event: at")
    if kind not in POST_KINDS:
        raise ValidationError(f"kind {kind!r}: an event's posts are {', '.join(POST_KINDS)}")
    accepts = {
        name: value if isinstance(value, Capabilities) else value.capabilities
        for name, value in platforms.items()
    }
    event = ws.get(Event, event_id)
    venue = ws.get(Venue, event.venue_id) if event.venue_id else None
    templates = ws.templates()
    community = ws.community.name
    base = ws.config.web.base_url
    link = event_url(base, event.id) if base else None
    contents = ws.contents_of_event(event_id) if kind == "recap" else []
    # the people composing names or mentions: those in the contents and their authors
    # (read by id: the cost grows with the event, not with the community)
    members = ws.members(people_of(contents)) if contents else {}
    continued = None
    if kind == "recap":
        recaps = event_recaps(
            event,
            contents,
            _active_partners(ws),
            venue=venue,
            members=members,
            templates=templates,
            community=community,
        )
        continued = photo_captions(event, templates=templates, community=community)
    elif kind == "partner-thanks":
        partners = _active_partners(ws)
        if not partners:
            raise ValidationError(
                f"no active partner to thank for {event_id!r}: `terrain partner list` "
                "shows the pipeline (a partnership must be active)"
            )
        recaps = [_thanks(event, partners, templates, community)]
    else:
        recaps = [
            event_announcement(
                event,
                kind=kind,
                venue=venue,
                link=link,
                templates=templates,
                community=community,
                seen_from=goes_at or at,
            )
        ]
    posts: list[Post] = []
    errors: list[str] = []
    dropped: list[Dropped] = []
    for number, recap in enumerate(recaps):
        for name, capabilities in accepts.items():
            try:
                composed = compose_posts(
                    recap,
                    platform=name,
                    capabilities=capabilities,
                    members=members,
                    may_tag=_propose,
                    purpose="publish" if kind == "recap" else kind,
                    continued=continued,
                )
            except ComposeError as exc:
                errors.append(f"{recap.key} → {exc}")
                continue
            first, *rest = composed.posts
            if text is not None and number == 0:
                try:
                    first = edit_text(first, text, capabilities)
                except ComposeError as exc:
                    raise ValidationError(
                        f"your text does not fit: {exc}. Nothing was planned"
                    ) from None
            posts += [first, *rest]
            dropped += composed.dropped
    return Composition(
        posts=tuple(posts), errors=tuple(errors), dropped=tuple(dropped),
        contents={c.id: c for c in contents},
    )


def _thanks(
    event: Event, partners: Sequence[Partner], templates: Templates, community: str
) -> Recap:
    """The post thanking ``partners`` for ``event``: the ``partner-thanks`` template,
    each partner mentioned where they have a handle."""
    language = templates.language
    values = {
        "community": community,
        "title": event.title,
        "date": long_date(language, event.starts_at.date()),
        "partners": enumeration(language, [p.name for p in partners]),
    }
    return Recap(
        key=f"{event.id}:thanks",
        text=templates.render("partner-thanks", values),
        partners=tuple(partners),
        event_id=event.id,
    )


def _active_partners(ws: Workspace) -> list[Partner]:
    active = {p.partner_id for p in ws.list(Partnership) if p.status is PartnershipStatus.ACTIVE}
    return [p for p in ws.list(Partner) if p.id in active]


def publish_event(
    ws: Workspace,
    event_id: str,
    platforms: Sequence[str] | Mapping[str, Platform],
    *,
    dry_run: bool = False,
    enqueue: bool = False,
    now: datetime | Callable[[], datetime],
    hook: Any = None,
    policies: Mapping[str, PlatformPolicy] | None = None,
    max_wait: float = 120.0,
    on_progress: Callable[[JournalRow], None] | None = None,
    kind: str = "recap",
    at: datetime | None = None,
    next_slot: bool = False,
    text: str | None = None,
) -> PublishResult:
    """Publish the ``kind`` posts of event ``event_id`` to ``platforms``.

    ``kind`` is ``"recap"`` (after the meetup: refused before it has ended),
    ``"announcement"`` or ``"reminder"`` (before it: refused once it has
    started; a reminder with no ``at`` is planned for the day before, at the
    time the meetup starts) or ``"partner-thanks"``. ``platforms`` are names
    configured in the workspace (or platform objects by name). ``now`` is the
    clock (a datetime starts a clock there). Consent is decided for each post
    at the moment of its call and recorded in the workspace's decision log;
    posts already published are never sent again, so running this twice (or
    after a crash) is safe. A ``dry_run`` needs no token: it composes from
    each platform's capabilities (:meth:`Workspace.capabilities
    <terrain.Workspace.capabilities>`) and says exactly what each post would
    be (:class:`Preview`). ``hook`` is a plugin manager's hook relay; ``None``
    uses the installed plugins' hooks and ``False`` runs none.

    ``enqueue=True`` only plans the posts in the journal (nothing is sent, no
    consent is decided yet, no token is needed): publisher workers
    (``terrain worker``) send them, deciding consent at each call. ``at``
    plans them for that instant, ``next_slot`` each for the next free posting
    slot of its platform (``[platforms.<name>] slots``): both enqueue.
    ``text`` is the manager's own text for the first post (checked against
    each platform's limits: over one, nothing is planned).
    """
    clock = clock_from(now)
    event = ws.get(Event, event_id)  # NotFound, with how to list events, before anything else
    if event.cancelled:
        why = f" ({event.cancel_reason})" if event.cancel_reason else ""
        raise ValidationError(
            f"event {event_id!r} was cancelled{why}: it has nothing to publish "
            f"(`terrain event cancel {event_id} --undo` if it took place after all)"
        )
    if kind not in POST_KINDS:
        raise ValidationError(f"kind {kind!r}: an event's posts are {', '.join(POST_KINDS)}")
    if at is not None and next_slot:
        raise ValidationError("give a time (--at) or the next posting slot (--next-slot), not both")
    if dry_run and enqueue:
        raise ValidationError("a dry run sends nothing and an enqueue plans: choose one")
    start = clock()
    goes_at = _when(event, kind, start, at)
    if not next_slot:
        check_timing(event, kind, goes_at or start)
    scheduled = goes_at is not None or next_slot
    # a dry run composes and asks the consent gate, an enqueue composes and plans:
    # capabilities are enough, no token (the workers hold the tokens)
    objects, accepts = platforms_for(
        ws,
        platforms,
        tokens=not (dry_run or enqueue or scheduled),
        example="--to x --to facebook",
    )
    composition = compose_event(
        ws, event_id, accepts, at=start, kind=kind, text=text, goes_at=goes_at
    )
    posts = composition.posts
    schedule: dict[str, datetime] = {}
    if goes_at is not None:
        schedule = {p.id: goes_at for p in posts}
    elif next_slot:
        schedule = next_slots(ws, posts, after=start)
        for when in schedule.values():
            check_timing(event, kind, when)
    return deliver(
        ws,
        event_id,
        objects,
        posts,
        composition.errors,
        dry_run=dry_run,
        enqueue=enqueue or scheduled,
        clock=clock,
        hook=hook,
        policies=policies,
        max_wait=max_wait,
        on_progress=on_progress,
        schedule=schedule,
        dropped=composition.dropped,
        kind=kind,
        contents=composition.contents,
    )


def _when(event: Event, kind: str, now: datetime, at: datetime | None) -> datetime | None:
    """When the posts go: ``at`` (in the future), the day before for a reminder
    (if that is still to come), else ``None``: now."""
    if at is not None:
        require_aware(at, "at")
        if instant(at) <= instant(now):
            raise ValidationError(
                f"{_shown(at)} is already past (it is {_shown(now)}): give a later time, "
                "or leave --at out to publish now"
            )
        return at
    if kind != "reminder":
        return None
    starts = event.starts_at
    wall = datetime.combine(starts.date() - timedelta(days=1), starts.time(), starts.tzinfo)
    while gap_problem(wall) is not None:  # the hour skipped in spring
        wall += timedelta(minutes=1)
    return wall if instant(wall) > instant(now) else None


def check_timing(event: Event, kind: str, at: datetime) -> None:
    """Refuse a post that would go at the wrong time for ``event``: a recap before
    the meetup has ended (it would thank people for what has not happened), an
    announcement or a reminder once it has started."""
    if kind == "recap" and instant(at) < instant(event.ends_at):
        raise ValidationError(
            f"the meetup {event.id} ends at {_shown(event.ends_at)}: a recap before then "
            f"would thank people for what has not happened yet. Publish it after, or "
            f'schedule it: --at "{event.ends_at.astimezone(event.starts_at.tzinfo):%Y-%m-%d %H:%M}"'
        )
    if kind in ("announcement", "reminder") and instant(at) >= instant(event.starts_at):
        raise ValidationError(
            f"the meetup {event.id} starts at {_shown(event.starts_at)}: a {kind} at "
            f"{_shown(at)} would come too late; publish its recap after it ends"
        )


def _shown(at: datetime) -> str:
    """An instant for people: its wall time and zone (``2026-03-12 22:00 Europe/Paris``)."""
    name = getattr(at.tzinfo, "key", None) or at.strftime("UTC%z")
    return f"{at:%Y-%m-%d %H:%M} {name}"


def posting_slots(ws: Workspace, platform: str) -> PostingSlots | None:
    """The posting slots of ``platform`` (``[platforms.<name>] slots`` in terrain.toml,
    in the community's zone), or ``None`` when it has none."""
    entries = ws.platform_settings(platform).get("slots")
    if entries is None:
        return None
    try:
        return PostingSlots.parse(entries, zone=zone(ws.community.timezone))
    except ValidationError as exc:
        raise ValidationError(f"[platforms.{platform}] slots in terrain.toml: {exc}") from None


def next_slots(ws: Workspace, posts: Sequence[Post], *, after: datetime) -> dict[str, datetime]:
    """The next free posting slot of each post's platform, in order: a slot taken by
    a post already planned (or by an earlier post here) goes to the next one."""
    journal = journal_of(ws)
    taken: dict[str, list[datetime]] = {}
    out: dict[str, datetime] = {}
    for post in posts:
        slots = posting_slots(ws, post.platform)
        if slots is None:
            raise ValidationError(
                f"{post.platform} has no posting slots: add slots = [\"weekdays 09:00 18:00\"] "
                f"to [platforms.{post.platform}] in terrain.toml, or give --at"
            )
        if post.platform not in taken:
            taken[post.platform] = [
                r.next_attempt_at
                for r in journal.queue(platform=post.platform)
                if r.next_attempt_at is not None and r.post_id != post.id
            ]
        slot = slots.next_free(after, taken=taken[post.platform])
        taken[post.platform].append(slot)
        out[post.id] = slot
    return out


def platforms_for(
    ws: Workspace,
    platforms: Sequence[str] | Mapping[str, Platform],
    *,
    tokens: bool,
    example: str,
) -> tuple[dict[str, Platform], dict[str, Capabilities]]:
    """The platforms to publish to (built only when ``tokens``) and their capabilities.

    ``platforms`` are names configured in the workspace or platform objects by
    name. Without ``tokens`` (a dry run, an enqueue) nothing is built: the
    capabilities come from :meth:`Workspace.capabilities
    <terrain.Workspace.capabilities>` and no secret is read. ``example`` shows
    the user how to name a platform when none was given.
    """
    if isinstance(platforms, Mapping):
        objects = dict(platforms)
        return objects, {name: p.capabilities for name, p in objects.items()}
    if not platforms:
        raise ValidationError(
            f"name at least one platform to publish to (e.g. {example}); "
            f"available: {', '.join(ws.platform_names())}"
        )
    names = list(dict.fromkeys(platforms))
    if not tokens:
        return {}, {name: ws.capabilities(name) for name in names}
    objects = {name: ws.platform(name) for name in names}
    return objects, {name: p.capabilities for name, p in objects.items()}


def deliver(
    ws: Workspace,
    subject_id: str,
    platforms: Mapping[str, Platform],
    posts: Sequence[Post],
    compose_errors: Sequence[str],
    *,
    dry_run: bool,
    enqueue: bool,
    clock: Callable[[], datetime],
    hook: Any = None,
    policies: Mapping[str, PlatformPolicy] | None = None,
    max_wait: float = 120.0,
    on_progress: Callable[[JournalRow], None] | None = None,
    schedule: Mapping[str, datetime] | None = None,
    dropped: Sequence[Dropped] = (),
    kind: str = "recap",
    subject_kind: str = "event",
    contents: Mapping[str, Content] | None = None,
) -> PublishResult:
    """Hand composed ``posts`` on: judge them (``dry_run``), plan them (``enqueue``) or send.

    Sending plans the posts in the workspace's journal and runs the publishing
    runner with the workspace's consent gate, decision log, plugin hooks and
    each platform's configured policy (``policies`` override it). Every
    workflow that publishes (event recaps, project updates) goes through here,
    so they share the same guarantees. ``schedule`` (post id → instant) plans
    the posts for later: no worker takes them before; a dry run judges each
    post at its time. ``contents`` (by id) are those of ``posts`` as the caller
    just read them to compose the posts: the consent gate does not read them again
    ahead of the run (:func:`workspace_gate`); each decision still reads its post's
    contents at its call.
    """
    when = dict(schedule or {})
    if dry_run and enqueue and not when:
        raise ValidationError("a dry run sends nothing and an enqueue plans: choose one")
    previews: tuple[Preview, ...] = ()
    if dry_run:
        report, previews = _dry_run(ws, posts, clock(), when, dropped, purpose_of(kind))
    elif enqueue or when:
        rows = journal_of(ws).plan(posts, now=clock(), at=when, purpose=purpose_of(kind))
        report = RunReport(outcomes=tuple(outcome_of(r) for r in rows))
    else:
        report = publish(
            journal_of(ws),
            platforms,
            posts,
            gate=workspace_gate(ws, posts, contents=contents),
            now_fn=clock,
            record_decision=ws.record_decision,
            hook=plugin_hook(ws) if hook is None else hook,
            policies={**configured_policies(ws, list(platforms)), **(policies or {})},
            max_wait=max_wait,
            on_progress=on_progress,
            purpose=purpose_of(kind),
            **runner_rules(ws),
        )
    return PublishResult(
        subject_id=subject_id,
        subject_kind=subject_kind,
        dry_run=dry_run,
        posts=tuple(posts),
        report=report,
        compose_errors=tuple(compose_errors),
        labels=_labels(ws, posts),
        dropped=tuple(dropped),
        previews=previews,
        scheduled=when,
        kind=kind,
    )


def purpose_of(kind: str) -> str:
    """The journal's ``purpose`` of a ``kind`` of post (a recap is ``publish``)."""
    return "publish" if kind == "recap" else kind


def _labels(ws: Workspace, posts: Sequence[Post]) -> dict[str, str]:
    """What people call the contents of ``posts``: their title, else their id."""
    ids = sorted({c for p in posts for c in p.content_ids})
    try:
        found = ws.get_many(Content, ids)  # one query
    except NotFound:  # one was deleted meanwhile: label the others
        found = {c: ws.get(Content, c) for c in ids if ws.exists(Content, c)}
    return {c: found[c].title.strip() or c for c in ids if c in found}


def preview_of(
    post: Post, decision: Decision | None, dropped: Sequence[Dropped], at: datetime | None
) -> Preview:
    """``post`` as it would go after ``decision`` (its photos, its mentions), and
    everything left out of it and why."""
    shown = post
    gone = [d for d in dropped if d.post_id == post.id]
    if decision is not None and decision.allowed:
        shown = decision.apply_to(post)
        for reason in left_out(decision):
            what, _, why = reason.text.partition(LEFT_OUT)
            gone.append(
                Dropped(post.platform, what.rstrip(": ") or "photo", why or reason.text,
                        post_id=post.id, content_id=reason.content_id)
            )
        for mention in decision.dropped_mentions:
            said = decision.reason_for(mention)
            gone.append(
                Dropped(post.platform, f"@{mention.handle}",
                        said.text if said is not None else "no tag consent", post_id=post.id)
            )
    return Preview(
        post_id=post.id,
        platform=post.platform,
        text=shown.text_with_link(),
        thread=shown.thread,
        media=tuple(
            PreviewMedia(m.key, m.alt_text, m.content_id, m.media_id, m.blur)
            for m in shown.media
        ),
        dropped=tuple(gone),
        at=at,
    )


def _dry_run(
    ws: Workspace,
    posts: Sequence[Post],
    now: datetime,
    schedule: Mapping[str, datetime],
    dropped: Sequence[Dropped],
    purpose: str = "publish",
) -> tuple[RunReport, tuple[Preview, ...]]:
    """What a real run would do with each post at its time, for ``purpose``, judged
    as the runner judges (:func:`~terrain.publishing.decide_post`: an album photo by
    photo)."""
    gate = workspace_gate(ws, posts)
    journal = journal_of(ws)
    outcomes = []
    previews = []
    for post in posts:
        at = schedule.get(post.id)
        row = journal.get(post.id, post.platform)
        if row is not None and row.state in (RowState.SENT, RowState.CONFIRMED):
            # never sent again: say what a real run would say (taken down, or published)
            if row.taken_down_at is not None:
                outcomes.append(attrs.evolve(outcome_of(row), attempts=0))
            else:
                url = row.receipt.url if row.receipt is not None else None
                outcomes.append(
                    PostOutcome(
                        post.id,
                        post.platform,
                        row.state,
                        f"already published on {post.platform}" + (f": {url}" if url else ""),
                        url=url,
                        attempts=0,
                    )
                )
            continue
        outcome, preview = judge_dry(
            gate, post, at or now, scheduled=at, dropped=dropped, purpose=purpose
        )
        outcomes.append(outcome)
        previews.append(preview)
    return RunReport(outcomes=tuple(outcomes)), tuple(previews)


def judge_dry(
    gate: Gate,
    post: Post,
    at: datetime,
    *,
    scheduled: datetime | None = None,
    dropped: Sequence[Dropped] = (),
    purpose: str = "publish",
) -> tuple[PostOutcome, Preview]:
    """What a real run would do with ``post`` at ``at``, judged by
    :func:`~terrain.publishing.judge` exactly as the runner judges it (an album
    photo by photo; a store failure is undecided, not a refusal; for the
    ``purpose`` it is planned for), and the post as it would go. ``scheduled``
    is the time it is planned for, if any."""
    when = f" at {_shown(scheduled)}" if scheduled is not None else ""
    judgement = judge(gate, post, at, purpose=purpose)
    if judgement.verdict is Verdict.ALLOWED:
        decision = judgement.decision
        notes = [m.handle for m in decision.dropped_mentions] if decision else []
        note = f" (without the mention of {', '.join(notes)})" if notes else ""
        photos = len(post.media) - len(judgement.post.media)
        if photos:
            note += f" (without {photos} of its {len(post.media)} photos)"
        outcome = PostOutcome(
            post.id, post.platform, RowState.PLANNED, f"would be published{when}{note}",
            next_attempt_at=scheduled,
        )
        preview = preview_of(judgement.post, decision, dropped, scheduled)
    elif judgement.verdict is Verdict.UNDECIDED:
        outcome = PostOutcome(
            post.id,
            post.platform,
            RowState.PLANNED,
            "no decision could be made now ("
            + "; ".join(judgement.reasons)
            + "): a real run would plan it again and ask later; run the dry run again "
            "once the store answers",
            reasons=judgement.reasons,
            next_attempt_at=scheduled,
        )
        preview = preview_of(post, None, dropped, scheduled)
    else:
        outcome = PostOutcome(
            post.id,
            post.platform,
            RowState.HELD,
            f"would be held back{when}: " + "; ".join(judgement.reasons),
            reasons=judgement.reasons,
            next_attempt_at=scheduled,
        )
        preview = preview_of(post, None, dropped, scheduled)
    return outcome, preview
