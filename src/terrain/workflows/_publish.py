"""After the meetup: publish an event's recap to the community's platforms.

:func:`publish_event` composes one post per platform for the event summary
and for each of its contents, plans them in the workspace's journal and runs
the publishing runner, which asks the consent ledger again right before each
call. With ``dry_run`` nothing is written and nothing is sent: the result says
what would go out and what would be held back, and why.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from terrain._time import instant, require_aware
from terrain.community import Member
from terrain.consent import ConsentLedger, Decision, decide
from terrain.content import Content
from terrain.errors import ComposeError, ConfigError, ValidationError
from terrain.events import Event, Venue
from terrain.partnerships import Partner, Partnership, PartnershipStatus
from terrain.plugins import Platform
from terrain.posts import Capabilities, Mention, Post
from terrain.publishing import (
    DEFAULT_POLICIES,
    Gate,
    Journal,
    JournalRow,
    Outcome,
    PlatformPolicy,
    RowState,
    RunReport,
    Verdict,
    compose,
    event_recaps,
    judge,
    outcome_of,
    publish,
)

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = [
    "PublishResult",
    "clock_from",
    "configured_policies",
    "deliver",
    "journal_of",
    "people_of",
    "platforms_for",
    "plugin_hook",
    "publish_event",
    "workspace_gate",
]


@attrs.frozen
class PublishResult:
    """What :func:`publish_event` did (or, in a dry run, would do).

    ``posts`` are the composed posts; ``compose_errors`` the platforms a
    recap could not be made to fit (with what to change); ``report`` the
    runner's outcome per post. ``dry_run`` outcomes are ``planned``
    (would go out) or ``held`` (would be held back, with reasons).
    """

    event_id: str
    dry_run: bool
    posts: tuple[Post, ...]
    report: RunReport
    compose_errors: tuple[str, ...] = ()
    #: content id -> what people call it (its title: a file name, "Nadia, boulangère").
    labels: Mapping[str, str] = attrs.field(factory=dict)

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


def workspace_gate(ws: Workspace) -> Callable[[Post, datetime], Decision]:
    """The consent gate of a workspace: the ledger *as stored at the instant
    asked* (a withdrawal recorded by another command during a run counts at
    once). The workspace keeps its ledger in memory and reads, before each
    decision, only the consent events and members stored since the last one
    (:meth:`Workspace.consent <terrain.Workspace.consent>`); the contents a
    post shows are read again too, in one query."""

    def gate(post: Post, at: datetime) -> Decision:
        contents = _contents_of(ws, post)
        with ws.consent(people_of(contents.values(), post)) as ledger:
            return decide(ledger, post, platform=post.platform, at=at, contents=contents)

    return gate


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


def _may_tag(
    ledger: ConsentLedger, contents: Mapping[str, Content], at: datetime
) -> Callable[[Member, str, Post], bool]:
    """Ask the ledger whether ``member`` may be tagged in ``draft`` on ``platform``."""

    def may_tag(member: Member, platform: str, draft: Post) -> bool:
        probe = attrs.evolve(
            draft, mentions=(Mention(handle=member.handles[platform], member_id=member.id),)
        )
        ids = set(probe.content_ids) | {m.content_id for m in probe.media if m.content_id}
        shown = {cid: contents[cid] for cid in ids if cid in contents}
        decision = decide(ledger, probe, platform=platform, at=at, contents=shown)
        return any(m.member_id == member.id for m in decision.kept_mentions)

    return may_tag


def compose_event(
    ws: Workspace,
    event_id: str,
    platforms: Mapping[str, Platform] | Mapping[str, Capabilities],
    *,
    at: datetime,
) -> tuple[list[Post], list[str]]:
    """Compose the posts of event ``event_id`` for each platform.

    ``platforms`` maps each platform name to the platform or to its
    :class:`~terrain.Capabilities` (composing needs nothing else: a dry run
    passes capabilities and needs no token). Returns the posts and, per recap
    that cannot fit a platform, a message saying what to change (other
    platforms and recaps still go ahead).
    """
    require_aware(at, "compose_event: at")
    accepts = {
        name: value if isinstance(value, Capabilities) else value.capabilities
        for name, value in platforms.items()
    }
    event = ws.get(Event, event_id)
    contents = ws.contents_of_event(event_id)
    venue = ws.get(Venue, event.venue_id).name if event.venue_id else None
    partners = _active_partners(ws)
    posts: list[Post] = []
    errors: list[str] = []
    # members and the consent of the people shown, as stored now, read once
    with ws.consent(people_of(contents)) as ledger:
        members = ledger.members
        may_tag = _may_tag(ledger, {c.id: c for c in contents}, at)
        recaps = event_recaps(
            event,
            contents,
            partners,
            venue_name=venue,
            members=members,
            language=ws.community.language,
        )
        for recap in recaps:
            for name, capabilities in accepts.items():
                try:
                    posts.append(
                        compose(
                            recap,
                            platform=name,
                            capabilities=capabilities,
                            members=members,
                            may_tag=may_tag,
                        )
                    )
                except ComposeError as exc:
                    errors.append(f"{recap.key} → {exc}")
    return posts, errors


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
) -> PublishResult:
    """Publish the recap of event ``event_id`` to ``platforms``.

    ``platforms`` are names configured in the workspace (or platform objects
    by name). ``now`` is the clock (a datetime starts a clock there). Consent
    is decided for each post at the moment of its call and recorded in the
    workspace's decision log; posts already published are never sent again,
    so running this twice (or after a crash) is safe. A ``dry_run`` needs no
    token: it composes from each platform's capabilities
    (:meth:`Workspace.capabilities <terrain.Workspace.capabilities>`). ``hook`` is a plugin
    manager's hook relay; ``None`` uses the installed plugins' hooks and
    ``False`` runs none. ``enqueue=True`` only plans the posts in the
    journal (nothing is sent, no consent is decided yet, no token is
    needed): publisher workers (``terrain worker``) send them, deciding
    consent at each call.
    """
    clock = clock_from(now)
    event = ws.get(Event, event_id)  # NotFound, with how to list events, before anything else
    if event.cancelled:
        why = f" ({event.cancel_reason})" if event.cancel_reason else ""
        raise ValidationError(
            f"event {event_id!r} was cancelled{why}: it has no recap to publish "
            f"(`terrain event cancel {event_id} --undo` if it took place after all)"
        )
    # a dry run composes and asks the consent gate, an enqueue composes and plans:
    # capabilities are enough, no token (the workers hold the tokens)
    objects, accepts = platforms_for(
        ws, platforms, tokens=not (dry_run or enqueue), example="--to x --to facebook"
    )
    posts, errors = compose_event(ws, event_id, accepts, at=clock())
    return deliver(
        ws,
        event_id,
        objects,
        posts,
        errors,
        dry_run=dry_run,
        enqueue=enqueue,
        clock=clock,
        hook=hook,
        policies=policies,
        max_wait=max_wait,
        on_progress=on_progress,
    )


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
) -> PublishResult:
    """Hand composed ``posts`` on: judge them (``dry_run``), plan them (``enqueue``) or send.

    Sending plans the posts in the workspace's journal and runs the publishing
    runner with the workspace's consent gate, decision log, plugin hooks and
    each platform's configured policy (``policies`` override it). Every
    workflow that publishes (event recaps, project updates) goes through here,
    so they share the same guarantees.
    """
    if dry_run and enqueue:
        raise ValidationError("a dry run sends nothing and an enqueue plans: choose one")
    if enqueue:
        rows = journal_of(ws).plan(posts, now=clock())
        report = RunReport(outcomes=tuple(outcome_of(r) for r in rows))
    elif dry_run:
        report = _dry_run(ws, posts, clock())
    else:
        report = publish(
            journal_of(ws),
            platforms,
            posts,
            gate=workspace_gate(ws),
            now_fn=clock,
            record_decision=ws.record_decision,
            hook=plugin_hook(ws) if hook is None else hook,
            policies={**configured_policies(ws, list(platforms)), **(policies or {})},
            max_wait=max_wait,
            on_progress=on_progress,
        )
    return PublishResult(
        event_id=subject_id,
        dry_run=dry_run,
        posts=tuple(posts),
        report=report,
        compose_errors=tuple(compose_errors),
        labels=_labels(ws, posts),
    )


def _labels(ws: Workspace, posts: Sequence[Post]) -> dict[str, str]:
    """What people call the contents of ``posts``: their title, else their id."""
    ids = {c for p in posts for c in p.content_ids}
    labels = {}
    for content_id in sorted(ids):
        if ws.exists(Content, content_id):
            labels[content_id] = ws.get(Content, content_id).title.strip() or content_id
    return labels


def _dry_run(ws: Workspace, posts: Sequence[Post], at: datetime) -> RunReport:
    journal = journal_of(ws)
    outcomes: list[Outcome] = []
    unsent: list[Post] = []
    for post in posts:
        row = journal.get(post.id, post.platform)
        if row is not None and row.state in (RowState.SENT, RowState.CONFIRMED):
            # never sent again: say what a real run would say (taken down, or published)
            if row.taken_down_at is not None:
                outcomes.append(attrs.evolve(outcome_of(row), attempts=0))
            else:
                url = row.receipt.url if row.receipt is not None else None
                outcomes.append(
                    Outcome(
                        post.id,
                        post.platform,
                        row.state,
                        f"already published on {post.platform}" + (f": {url}" if url else ""),
                        url=url,
                        attempts=0,
                    )
                )
            continue
        unsent.append(post)
    judged = {(o.post_id, o.platform): o for o in _judge_dry(workspace_gate(ws), unsent, at)}
    done = {(o.post_id, o.platform): o for o in outcomes}
    return RunReport(outcomes=tuple({**judged, **done}[(p.id, p.platform)] for p in posts))


def _judge_dry(gate: Gate, posts: Sequence[Post], at: datetime) -> list[Outcome]:
    """What a real run would do with each of ``posts`` at ``at``, judged by
    :func:`~terrain.publishing.judge` as the runner judges them."""
    outcomes = []
    for post in posts:
        judgement = judge(gate, post, at)
        if judgement.verdict is Verdict.ALLOWED:
            decision = judgement.decision
            dropped = [m.handle for m in decision.dropped_mentions] if decision else []
            note = f" (without the mention of {', '.join(dropped)})" if dropped else ""
            outcomes.append(
                Outcome(post.id, post.platform, RowState.PLANNED, f"would be published{note}")
            )
        elif judgement.verdict is Verdict.UNDECIDED:
            outcomes.append(
                Outcome(
                    post.id,
                    post.platform,
                    RowState.PLANNED,
                    "no decision could be made now ("
                    + "; ".join(judgement.reasons)
                    + "): a real run would plan it again and ask later; run the dry run again "
                    "once the store answers",
                    reasons=judgement.reasons,
                )
            )
        else:
            outcomes.append(
                Outcome(
                    post.id,
                    post.platform,
                    RowState.HELD,
                    "would be held back: " + "; ".join(judgement.reasons),
                    reasons=judgement.reasons,
                )
            )
    return outcomes
