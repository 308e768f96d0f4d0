"""Faults from the field, with terrain's InMemoryPlatform: 429, 5xx, timeouts, 401, rejections.

Transient failures are retried, nothing is lost, nothing is doubled, and every
message says what happened and what to do.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from terrain.consent import ConsentLedger
from terrain.publishing import Journal, PlatformPolicy, RowState, publish
from terrain.testing import InMemoryPlatform
from terrain.testing._memory import Failure

from .helpers import Clock, ledger_gate, posts

POLICY = {"x": PlatformPolicy(backoff=0.5, max_attempts=4, concurrency=2)}


def go(  # type: ignore[no-untyped-def]
    tmp_path: Path,
    platform: InMemoryPlatform,
    n: int,
    clock: Clock | None = None,
    policies: dict[str, PlatformPolicy] = POLICY,
):
    clock = clock or Clock()
    return publish(
        Journal(tmp_path / "j.db", create=True),
        [platform],
        posts(n, "x"),
        gate=ledger_gate(ConsentLedger()),
        now_fn=clock,
        sleep=clock.sleep,
        policies=policies,
    )


def successful_publishes(platform: InMemoryPlatform) -> Counter[str]:
    return Counter(c.post_id for c in platform.calls if c.method == "publish" and c.error is None)


def test_429_is_retried_after_the_delay_the_platform_asked_for(tmp_path: Path) -> None:
    platform = InMemoryPlatform("x", failures=[Failure.rate_limited(7.0)])
    clock = Clock()
    report = go(tmp_path, platform, 3, clock)
    assert {o.state for o in report.outcomes} == {RowState.CONFIRMED}
    assert set(successful_publishes(platform).values()) == {1}
    assert sum(clock.slept) >= 7.0


def test_server_errors_and_timeouts_are_retried_and_nothing_is_lost(tmp_path: Path) -> None:
    platform = InMemoryPlatform(
        "x", failures=[Failure.server_error(502), Failure.timeout(), Failure.server_error(503)]
    )
    report = go(tmp_path, platform, 5)
    assert {o.state for o in report.outcomes} == {RowState.CONFIRMED}
    assert len(platform.posts) == 5
    assert set(successful_publishes(platform).values()) == {1}


def test_a_timeout_after_the_post_landed_is_not_posted_twice(tmp_path: Path) -> None:
    platform = InMemoryPlatform("x", failures=[Failure.timeout(landed=True)])
    report = go(tmp_path, platform, 1)
    assert report.outcomes[0].state is RowState.CONFIRMED
    assert platform.publish_count() == 1  # found with find(), not published again


def test_401_stops_the_platform_with_the_variable_to_fix_and_keeps_posts_planned(
    tmp_path: Path,
) -> None:
    platform = InMemoryPlatform("x", failures=[Failure.auth()])
    report = go(tmp_path, platform, 4, policies={"x": PlatformPolicy(concurrency=1)})
    assert report.failed
    (message,) = [m for m in report.messages if m.startswith("STOPPED")]
    assert "TERRAIN_X_*" in message
    assert "401" in message
    assert {o.state for o in report.outcomes} == {RowState.PLANNED}
    assert platform.posts == {}


def test_rejected_content_fails_with_the_platforms_reason_and_the_rest_goes(
    tmp_path: Path,
) -> None:
    platform = InMemoryPlatform("x", failures=[Failure.rejected("duplicate status")])
    report = go(tmp_path, platform, 3)
    failed = report.by_state(RowState.FAILED)
    assert len(failed) == 1
    assert "x refused the post" in failed[0].message
    assert "duplicate status" in failed[0].message
    assert len(report.by_state(RowState.CONFIRMED)) == 2


def test_a_mix_of_faults_never_loses_or_doubles_a_post(tmp_path: Path) -> None:
    script = [
        Failure.rate_limited(1.0),
        None,
        Failure.server_error(),
        Failure.timeout(landed=True),
        None,
        Failure.timeout(),
        Failure.rate_limited(None),
    ]
    platform = InMemoryPlatform("x", failures=script, latency=0.001)
    report = go(tmp_path, platform, 12)
    assert {o.state for o in report.outcomes} == {RowState.CONFIRMED}
    assert len(platform.posts) == 12
    # one call that landed per post, plus one per failure that did not land:
    # the timeout that landed was found with find(), not published again
    assert platform.publish_count() == 12 + 4


def test_platforms_run_concurrently(tmp_path: Path) -> None:
    platforms = [InMemoryPlatform(name, latency=0.02) for name in ("x", "facebook")]
    items = posts(6, "x", "a") + posts(6, "facebook", "b")
    clock = Clock()
    publish(
        Journal(tmp_path / "j.db", create=True),
        platforms,
        items,
        gate=ledger_gate(ConsentLedger()),
        now_fn=clock,
        policies={"x": PlatformPolicy(concurrency=3), "facebook": PlatformPolicy(concurrency=3)},
    )
    assert all(len(p.posts) == 6 for p in platforms)
    assert all(p.max_in_flight > 1 for p in platforms)
