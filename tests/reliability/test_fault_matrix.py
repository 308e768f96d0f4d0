"""The fault matrix: every platform error × every journal state → what happens.

Over HTTP on 127.0.0.1 (:mod:`terrain.testing.http`), with the real runner.
For each case, one post's row is put in a journal state (as a crash or an
earlier run left it); the fake platform is scripted to misbehave **once**,
on the first call that row makes (``create`` for a row that was never
called; ``find`` for a row terrain must reconcile first); then
``terrain publish`` runs again, and again once more (the second run shows
that everything converges once the platform behaves; a refused post is
planned afresh by ``terrain publish``, as after the text was fixed).

How to read :data:`MATRIX`: ``fault  state → after the run, posts on the
server, what the user is told (a fragment of the outcome or run message) →
after a second run``. "posts" is how many times the post exists on the
server: never more than 1.

States:

- ``planned``: never tried;
- ``expired``: claimed by a worker that died before calling (lease expired);
- ``called``: claimed by a worker that died right after the call went
  through (the post is on the server, the journal does not know);
- ``sent``: the receipt was recorded, the hooks had not run;
- ``failed``: an earlier try failed (the post may be out: terrain asks
  ``find`` first);
- ``held``: consent said no earlier, and has since been given.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from terrain.consent import ConsentLedger
from terrain.posts import Post
from terrain.publishing import Journal, PlatformPolicy, RowState, publish
from terrain.testing.http import FakePlatformServer, Fault, HTTPPlatform
from tests.publishing.helpers import ledger_gate

TIMEOUT = 0.2  # the client's timeout; scripted hangs last longer
HANG = 0.3
LEASE = timedelta(seconds=0.2)
POLICY = {"fake-http": PlatformPolicy(backoff=0.05, max_attempts=3, concurrency=1)}
ELSEWHERE = "other-host:4242:deadbeef"  # a worker on another machine, gone

MATRIX = """
429+retry-after  planned  → confirmed 1 published on fake-http                   → confirmed 1
429+retry-after  expired  → confirmed 1 could not check whether post             → confirmed 1
429+retry-after  called   → confirmed 1 could not check whether post             → confirmed 1
429+retry-after  sent     → confirmed 1 published on fake-http                   → confirmed 1
429+retry-after  failed   → confirmed 1 published on fake-http                   → confirmed 1
429+retry-after  held     → confirmed 1 published on fake-http                   → confirmed 1
429              planned  → confirmed 1 published on fake-http                   → confirmed 1
429              expired  → confirmed 1 could not check whether post             → confirmed 1
429              called   → confirmed 1 could not check whether post             → confirmed 1
429              sent     → confirmed 1 published on fake-http                   → confirmed 1
429              failed   → confirmed 1 published on fake-http                   → confirmed 1
429              held     → confirmed 1 published on fake-http                   → confirmed 1
503              planned  → confirmed 1 published on fake-http                   → confirmed 1
503              expired  → confirmed 1 could not check whether post             → confirmed 1
503              called   → confirmed 1 could not check whether post             → confirmed 1
503              sent     → confirmed 1 published on fake-http                   → confirmed 1
503              failed   → confirmed 1 published on fake-http                   → confirmed 1
503              held     → confirmed 1 published on fake-http                   → confirmed 1
timeout-before   planned  → confirmed 1 published on fake-http                   → confirmed 1
timeout-before   expired  → confirmed 1 could not check whether post             → confirmed 1
timeout-before   called   → confirmed 1 could not check whether post             → confirmed 1
timeout-before   sent     → confirmed 1 published on fake-http                   → confirmed 1
timeout-before   failed   → confirmed 1 published on fake-http                   → confirmed 1
timeout-before   held     → confirmed 1 published on fake-http                   → confirmed 1
timeout-after    planned  → confirmed 1 published on fake-http                   → confirmed 1
timeout-after    expired  → confirmed 1 could not check whether post             → confirmed 1
timeout-after    called   → confirmed 1 could not check whether post             → confirmed 1
timeout-after    sent     → confirmed 1 published on fake-http                   → confirmed 1
timeout-after    failed   → confirmed 1 published on fake-http                   → confirmed 1
timeout-after    held     → confirmed 1 published on fake-http                   → confirmed 1
malformed-json   planned  → confirmed 1 published on fake-http                   → confirmed 1
malformed-json   expired  → confirmed 1 could not check whether post             → confirmed 1
malformed-json   called   → confirmed 1 could not check whether post             → confirmed 1
malformed-json   sent     → confirmed 1 published on fake-http                   → confirmed 1
malformed-json   failed   → confirmed 1 published on fake-http                   → confirmed 1
malformed-json   held     → confirmed 1 published on fake-http                   → confirmed 1
401              planned  → planned   0 fix the TERRAIN_FAKE_HTTP_* environment  → confirmed 1
401              expired  → confirmed 1 could not check whether post             → confirmed 1
401              called   → confirmed 1 could not check whether post             → confirmed 1
401              sent     → confirmed 1 published on fake-http                   → confirmed 1
401              failed   → confirmed 1 published on fake-http                   → confirmed 1
401              held     → planned   0 fix the TERRAIN_FAKE_HTTP_* environment  → confirmed 1
400              planned  → failed    0 refused the post: fake-http: HTTP 400    → confirmed 1
400              expired  → confirmed 1 could not check whether post             → confirmed 1
400              called   → confirmed 1 could not check whether post             → confirmed 1
400              sent     → confirmed 1 published on fake-http                   → confirmed 1
400              failed   → confirmed 1 published on fake-http                   → confirmed 1
400              held     → failed    0 refused the post: fake-http: HTTP 400    → confirmed 1
"""

FAULTS = {
    "429+retry-after": lambda method: Fault.rate_limited(0.2, method=method),
    "429": lambda method: Fault.rate_limited(None, method=method),
    "503": lambda method: Fault.server_error(503, method=method),
    "timeout-before": lambda method: Fault.timeout_before(HANG, method=method),
    "timeout-after": lambda method: (
        Fault.timeout_after(HANG) if method == "create" else Fault.timeout_before(HANG, "find")
    ),
    "malformed-json": lambda method: Fault.malformed(method=method),
    "401": lambda method: Fault.unauthorized(method=method),
    "400": lambda method: (
        Fault.rejected(400) if method == "create" else Fault("rejected", "find", status=400)
    ),
}

#: The first call a row in each state makes to the platform (``None``: none).
FIRST_CALL = {
    "planned": "create",
    "expired": "find",
    "called": "find",
    "sent": None,
    "failed": "find",
    "held": "create",
}


def cases() -> Iterator[tuple[str, str, str, int, str, str, int]]:
    for line in MATRIX.strip().splitlines():
        left, after, second = (part.strip() for part in line.split("→"))
        fault, state = left.split()
        after_state, posts, told = after.split(maxsplit=2)
        second_state, second_posts = second.split()
        yield fault, state, after_state, int(posts), told, second_state, int(second_posts)


def test_the_matrix_covers_every_fault_and_every_state() -> None:
    seen = {(c[0], c[1]) for c in cases()}
    assert seen == {(f, s) for f in FAULTS for s in FIRST_CALL}
    assert len(seen) == len(list(cases()))


def put_in_state(journal: Journal, platform: HTTPPlatform, post: Post, state: str) -> None:
    """Leave ``post``'s row as a crash or an earlier run would have."""
    long_ago = datetime.now(UTC) - timedelta(minutes=10)
    journal.plan([post], now=long_ago)
    if state == "planned":
        return
    row = journal.claim_ready(post.platform, ELSEWHERE, now=long_ago, lease=timedelta(minutes=1))
    assert row is not None
    if state == "called":
        platform.publish(post)
    elif state == "sent":
        journal.mark_sent(row, ELSEWHERE, platform.publish(post), now=long_ago)
    elif state == "failed":
        journal.mark_failed(row, ELSEWHERE, "fake-http: HTTP 503 on publishing", now=long_ago)
    elif state == "held":
        journal.mark_held(row, ELSEWHERE, ["Léa has not consented yet"], now=long_ago)


def run_once(journal: Journal, platform: HTTPPlatform, post: Post) -> tuple[RowState, str]:
    """``terrain publish`` once more: the row's state and what the user is told."""
    report = publish(
        journal,
        [platform],
        [post],
        gate=ledger_gate(ConsentLedger()),
        now_fn=lambda: datetime.now(UTC),
        policies=POLICY,
        lease=LEASE,
        max_wait=5.0,
    )
    (outcome,) = report.outcomes
    return outcome.state, " | ".join([outcome.message, *report.messages])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fault", "state", "after", "posts", "told", "second", "second_posts"),
    list(cases()),
    ids=[f"{c[0]}-{c[1]}" for c in cases()],
)
def test_fault_in_state(
    tmp_path: Path,
    fault: str,
    state: str,
    after: str,
    posts: int,
    told: str,
    second: str,
    second_posts: int,
) -> None:
    post = Post(id="recap-ev-1", platform="fake-http", text="Merci à tous pour hier soir !")
    with FakePlatformServer() as server:
        platform = HTTPPlatform(server.url, timeout=TIMEOUT)
        journal = Journal(tmp_path / "journal.db", create=True)
        put_in_state(journal, platform, post, state)
        method = FIRST_CALL[state]
        calls_before = len(server.calls)
        if method is not None:
            server.inject(FAULTS[fault](method))

        got, message = run_once(journal, platform, post)
        assert (str(got), len(server._find(post.id))) == (after, posts), message
        assert told.lower() in message.lower()
        assert max(server.created().values(), default=0) <= 1, "posted twice"
        if method is None:
            assert len(server.calls) == calls_before, "a sent row made a call"

        if after == "claimed":
            time.sleep(LEASE.total_seconds() + 0.05)  # the claim left behind expires
        got, message = run_once(journal, platform, post)
        assert (str(got), len(server._find(post.id))) == (second, second_posts), message
        assert max(server.created().values(), default=0) <= 1, "posted twice"
        journal.close()
