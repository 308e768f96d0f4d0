"""Results pulled back: the public metrics of published posts, read within the limits.

:func:`read_metrics` asks one platform (its optional ``metrics(receipt)``,
:class:`~terrain.plugins.SupportsMetrics`) about each receipt, one call at a
time at the platform's ``rate``; a ``RateLimited`` answer stops the reading of
that platform (what was read is kept, the rest waits for the next run), an
``AuthError`` stops it with what to fix, a post deleted on the platform comes
back ``gone``. :class:`MetricsLog` keeps every reading with its time, in the
workspace database (migration 6), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

import attrs

from terrain._time import instant, require_aware
from terrain.errors import AuthError, NotFound, PlatformError, RateLimited
from terrain.posts import Metrics, Receipt
from terrain.publishing._journal import ts
from terrain.publishing._runner import scrub
from terrain.store import Database

__all__ = ["MetricsLog", "Reading", "read_metrics"]

_COLUMNS = "post_id, platform, at, remote_id, gone, counts"


def _metrics(row: Sequence[object]) -> Metrics:
    return Metrics(
        platform=str(row[1]),
        post_id=str(row[0]),
        remote_id=str(row[3]),
        at=datetime.fromisoformat(str(row[2])),
        counts=json.loads(str(row[5])),
        gone=bool(row[4]),
    )


class MetricsLog:
    """The readings of post metrics in a workspace database (append-only)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, metrics: Iterable[Metrics]) -> int:
        """Keep each reading (a reading already kept at the same instant is left as it is)."""
        kept = 0
        with self.db.transaction() as tx:
            for m in metrics:
                found = tx.one(
                    "SELECT 1 FROM post_metrics WHERE post_id = ? AND platform = ? AND at = ?",
                    (m.post_id, m.platform, ts(m.at)),
                )
                if found:
                    continue
                tx.execute(
                    f"INSERT INTO post_metrics ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        m.post_id,
                        m.platform,
                        ts(m.at),
                        m.remote_id,
                        int(m.gone),
                        json.dumps(dict(m.counts), sort_keys=True),
                    ),
                )
                kept += 1
        return kept

    def latest(self) -> dict[tuple[str, str], Metrics]:
        """The last reading of each ``(post id, platform)``."""
        rows = self.db.query(
            f"SELECT {_COLUMNS} FROM post_metrics m WHERE at = (SELECT max(at) FROM "
            "post_metrics WHERE post_id = m.post_id AND platform = m.platform)",
            (),
        )
        return {(str(r[0]), str(r[1])): _metrics(r) for r in rows}

    def history(self, post_id: str, platform: str) -> list[Metrics]:
        """Every reading of one post, oldest first."""
        rows = self.db.query(
            f"SELECT {_COLUMNS} FROM post_metrics WHERE post_id = ? AND platform = ? ORDER BY at",
            (post_id, platform),
        )
        return [_metrics(r) for r in rows]


@attrs.frozen
class Reading:
    """What reading one platform's metrics did: the ``metrics`` read, the posts
    left for later (``waiting``: a rate limit stopped the reading), and notes."""

    platform: str
    metrics: tuple[Metrics, ...] = ()
    waiting: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    stopped: bool = False


def read_metrics(
    platform: object,
    receipts: Sequence[Receipt],
    *,
    now_fn: Callable[[], datetime],
    rate: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Reading:
    """Read the metrics of each of ``receipts`` from ``platform``, at most ``rate``
    calls per second (see the module). A platform without ``metrics`` reads
    nothing, and says so."""
    name = str(getattr(platform, "name", "?"))
    reader = getattr(platform, "metrics", None)
    if reader is None:
        return Reading(name, notes=(f"{name} gives no metrics: nothing to read there",))
    read: list[Metrics] = []
    notes: list[str] = []
    gap = 1.0 / rate if rate else 0.0
    last: datetime | None = None
    for index, receipt in enumerate(receipts):
        if last is not None and gap:
            wait = gap - (instant(now_fn()) - instant(last)).total_seconds()
            if wait > 0:
                sleep(wait)
        last = require_aware(now_fn(), "now")
        try:
            found = reader(receipt)
        except RateLimited as exc:
            left = tuple(r.post_id for r in receipts[index:])
            when = ""
            if exc.retry_after is not None:
                at = now_fn() + timedelta(seconds=exc.retry_after)
                when = f" after {at.isoformat(timespec='minutes')}"
            notes.append(
                f"{name}: rate limit reached after {len(read)} post(s); the {len(left)} "
                f"others are read by the next `terrain stats`{when}"
            )
            return Reading(name, tuple(read), left, tuple(notes))
        except AuthError as exc:
            notes.append(
                scrub(f"STOPPED {name}: the platform refused the credentials ({exc}); fix them "
                      "and run `terrain stats` again")
            )
            return Reading(
                name, tuple(read), tuple(r.post_id for r in receipts[index:]), tuple(notes), True
            )
        except NotFound:
            found = Metrics(name, receipt.post_id, receipt.remote_id, now_fn(), gone=True)
        except PlatformError as exc:
            notes.append(scrub(f"{name}: could not read post {receipt.post_id}: {exc}"))
            continue
        if not isinstance(found, Metrics):
            notes.append(f"{name}: metrics() of post {receipt.post_id} returned no Metrics")
            continue
        if found.gone:
            notes.append(
                f"{name}: post {receipt.post_id} is gone from {name} (deleted there, not by "
                "terrain); it is no longer counted"
            )
        # kept with the time terrain read it (the clock every reading compares with)
        read.append(attrs.evolve(found, post_id=receipt.post_id, at=last))
    return Reading(name, tuple(read), (), tuple(notes))
