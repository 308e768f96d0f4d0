"""Results pulled back: ``terrain stats`` and what the numbers feed.

:func:`fetch_stats` reads the public metrics of every post that went out (and
was not taken down) from the platforms that give them, within each platform's
rate (its :class:`~terrain.publishing.PlatformPolicy`), and keeps each reading
with its time. :func:`post_stats` gives the last reading of each post; the
partner report (:func:`~terrain.workflows.partner_report_of`), the engagement
scores (:func:`community_engagement`) and the season report use them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import attrs

from terrain._time import instant, require_aware
from terrain.community import Engagement, EngagementWeights, engagement
from terrain.content import Content
from terrain.errors import ValidationError
from terrain.events import Attendance
from terrain.plugins import Platform
from terrain.posts import Metrics
from terrain.publishing import DEFAULT_POLICIES, MetricsLog, PlatformPolicy, RowState, read_metrics
from terrain.workflows._publish import clock_from, configured_policies, journal_of
from terrain.workshops import Vote, Workshop

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = [
    "PostStats",
    "StatsReport",
    "community_engagement",
    "fetch_stats",
    "post_stats",
]


@attrs.frozen
class PostStats:
    """A published post and the platform's last word on it (``metrics``: ``None``
    when never read, or when the platform gives none)."""

    post_id: str
    platform: str
    text: str
    event_id: str | None
    url: str | None
    sent_at: datetime | None
    metrics: Metrics | None = None


@attrs.frozen
class StatsReport:
    """What ``terrain stats`` read (``read``: readings made now) and shows (``posts``),
    with notes per platform; ``failed`` when a platform stopped (its credentials)."""

    posts: tuple[PostStats, ...]
    read: int = 0
    notes: tuple[str, ...] = ()
    failed: bool = False


def post_stats(ws: Workspace) -> list[PostStats]:
    """Every post that went out and was not taken down, with its last metrics."""
    latest = MetricsLog(ws.db).latest()
    out = []
    for row in journal_of(ws).rows(states=(RowState.SENT, RowState.CONFIRMED)):
        if row.taken_down_at is not None or row.receipt is None:
            continue
        out.append(
            PostStats(
                post_id=row.post_id,
                platform=row.platform,
                text=row.post.text,
                event_id=row.event_id,
                url=row.receipt.url,
                sent_at=row.sent_at,
                metrics=latest.get((row.post_id, row.platform)),
            )
        )
    return out


def fetch_stats(
    ws: Workspace,
    platforms: Sequence[str] | Mapping[str, Platform] = (),
    *,
    now: datetime | Callable[[], datetime],
    sleep: Callable[[float], None] = time.sleep,
    fresh_for: timedelta = timedelta(hours=1),
) -> StatsReport:
    """Read the metrics of the published posts of ``platforms`` (default: every
    platform a post went to) and keep them, then report every post.

    A post read less than ``fresh_for`` ago is not read again (the platforms'
    read limits are small: X's free tier allows a handful of reads), nor one
    the platform said is gone. Calls to a platform are spaced by its policy's
    ``rate``; a 429 stops that platform's reading (the rest waits for the next
    run); its credentials refused stops it too, and the report ``failed``.
    Building a platform needs its tokens, as publishing does (``platforms`` may
    also map names to platform objects, already built).
    """
    clock = clock_from(now)
    start = require_aware(clock(), "now")
    log = MetricsLog(ws.db)
    latest = log.latest()
    posts = post_stats(ws)
    given = dict(platforms) if isinstance(platforms, Mapping) else {}
    names = list(dict.fromkeys(platforms)) or sorted({p.platform for p in posts})
    unknown = set(names) - {p.platform for p in posts}
    notes: list[str] = [
        f"{name}: no published post to read" for name in sorted(unknown) if platforms
    ]
    if platforms and unknown == set(names):
        raise ValidationError(
            f"nothing was published on {', '.join(sorted(unknown))}: `terrain stats` reads "
            "the posts that went out"
        )
    policies = {
        **{n: DEFAULT_POLICIES.get(n, PlatformPolicy()) for n in given},
        **configured_policies(ws, [n for n in names if n not in unknown and n not in given]),
    }
    read = 0
    failed = False
    rows = {(r.post_id, r.platform): r for r in journal_of(ws).rows(
        states=(RowState.SENT, RowState.CONFIRMED)
    )}
    for name in names:
        if name in unknown:
            continue
        due = []
        for post in posts:
            if post.platform != name:
                continue
            last = latest.get((post.post_id, name))
            if last is not None and (
                last.gone or instant(start) - instant(last.at) < fresh_for
            ):
                continue
            receipt = rows[(post.post_id, name)].receipt
            if receipt is not None:
                due.append(receipt)
        if not due:
            continue
        platform = given[name] if name in given else ws.platform(name)
        reading = read_metrics(
            platform, due, now_fn=clock, rate=policies[name].rate, sleep=sleep
        )
        read += log.record(reading.metrics)
        notes += reading.notes
        failed = failed or reading.stopped
    return StatsReport(posts=tuple(post_stats(ws)), read=read, notes=tuple(notes), failed=failed)


def member_reactions(ws: Workspace) -> dict[str, int]:
    """Per member, the interactions that published posts of content they made (their
    photos, their interviews) drew, as the platforms last said."""
    authors = {c.id: c.author_id for c in ws.list(Content) if c.author_id}
    spoken = {
        c.id: sorted(c.member_ids)[0]
        for c in ws.list(Content)
        if c.kind.value in ("interview", "micro-interview") and len(c.member_ids) == 1
    }
    out: dict[str, int] = {}
    latest = MetricsLog(ws.db).latest()
    for row in journal_of(ws).rows(states=(RowState.SENT, RowState.CONFIRMED)):
        metrics = latest.get((row.post_id, row.platform))
        if row.taken_down_at is not None or metrics is None or metrics.gone:
            continue
        makers = {authors.get(c) or spoken.get(c) for c in row.post.content_ids} - {None}
        for member_id in makers:
            assert member_id is not None
            out[member_id] = out.get(member_id, 0) + metrics.interactions
    return out


def community_engagement(
    ws: Workspace, *, weights: EngagementWeights | None = None
) -> tuple[Engagement, ...]:
    """Each member's engagement score (:func:`terrain.community.engagement`): RSVPs,
    check-ins, ideas, votes, and the interactions drawn online by the published
    posts of content they made (the metrics ``terrain stats`` pulled back)."""
    return engagement(
        ws.list(Attendance),
        ideas=[i for w in ws.list(Workshop) for i in w.ideas],
        votes=ws.list(Vote),
        weights=weights,
        reactions=member_reactions(ws),
    )
