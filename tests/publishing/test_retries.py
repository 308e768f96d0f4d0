"""Retries follow what an error says, and never in lockstep.

``PlatformError.retryable`` tells the runner whether trying again can help,
whatever the class: a plugin's own error with ``retryable = True`` is retried
(asking ``find`` first, since a failure may hide a success), one with
``retryable = False`` fails the post; ``AuthError`` stops the platform.
Retry delays are stretched at random (an injected source in tests) so that
workers failing together after an outage do not all retry at the same instant.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain.consent import ConsentLedger
from terrain.errors import (
    AuthError,
    PlatformError,
    RateLimited,
    Rejected,
    TransientError,
)
from terrain.posts import Post, Receipt
from terrain.publishing import Journal, PlatformPolicy, RowState, publish

from ._platforms import ScriptedPlatform
from .helpers import Clock, ledger_gate, posts


class PluginHiccup(PlatformError):
    """A plugin's own error class: the service said "try again"."""

    retryable = True


class PluginRefusal(PlatformError):
    """A plugin's own error class: retrying cannot help."""


class Failing(ScriptedPlatform):
    """Raises ``errors`` one per call (``landed``: the post was out anyway), then succeeds."""

    def __init__(self, errors: list[PlatformError], *, landed: bool = False) -> None:
        super().__init__()
        self.errors = list(errors)
        self.landed_anyway = landed
        self.finds = 0

    def publish(self, post: Post) -> Receipt:
        if self.errors:
            self.calls += 1
            error = self.errors.pop(0)
            if self.landed_anyway:
                self._land(post)
            raise error
        return super().publish(post)

    def find(self, post: Post) -> Receipt | None:
        self.finds += 1
        return super().find(post)


def go(tmp_path: Path, platform: Any, **kwargs: Any) -> Any:
    clock = Clock()
    kwargs.setdefault("policies", {"fake": PlatformPolicy(backoff=1.0, max_attempts=4)})
    tmp_path.mkdir(exist_ok=True)
    return publish(
        Journal(tmp_path / "j.db", create=True),
        [platform],
        posts(1),
        gate=ledger_gate(ConsentLedger()),
        now_fn=clock,
        sleep=clock.sleep,
        **kwargs,
    )


def test_a_plugin_error_marked_retryable_is_retried_and_find_is_asked_first(
    tmp_path: Path,
) -> None:
    platform = Failing([PluginHiccup("busy, try again")])
    report = go(tmp_path, platform)
    assert report.outcomes[0].state is RowState.CONFIRMED
    assert platform.finds == 1  # before the second call: the first may have landed
    assert platform.landed == {"p-000": 1}


def test_a_retryable_plugin_error_that_hid_a_success_is_not_posted_twice(tmp_path: Path) -> None:
    platform = Failing([PluginHiccup("connection reset")], landed=True)
    report = go(tmp_path, platform)
    assert report.outcomes[0].state is RowState.CONFIRMED
    assert platform.landed == {"p-000": 1}


def test_a_plugin_error_not_retryable_fails_the_post_at_once(tmp_path: Path) -> None:
    platform = Failing([PluginRefusal("unsupported media")])
    report = go(tmp_path, platform)
    (outcome,) = report.outcomes
    assert outcome.state is RowState.FAILED
    assert "unsupported media" in outcome.message
    assert platform.calls == 1


def test_an_error_instance_can_say_it_is_retryable(tmp_path: Path) -> None:
    """``retryable`` is read on the error, not only on its class."""
    error = PluginRefusal("gateway restarting")
    error.retryable = True
    report = go(tmp_path, Failing([error]))
    assert report.outcomes[0].state is RowState.CONFIRMED


def test_a_transient_error_marked_not_retryable_fails(tmp_path: Path) -> None:
    error = TransientError("this one will not pass")
    error.retryable = False
    report = go(tmp_path, Failing([error]))
    assert report.outcomes[0].state is RowState.FAILED


#: (error, what the runner must do with the post)
def _errors() -> Iterator[tuple[PlatformError, str]]:
    yield RateLimited("429", retry_after=3.0), "retried"
    yield RateLimited("429", retry_after=None), "retried"
    yield TransientError("503"), "retried"
    yield PluginHiccup("try again"), "retried"
    yield AuthError("401"), "stopped"
    yield Rejected("duplicate"), "failed"
    yield PluginRefusal("no"), "failed"
    yield PlatformError("plain"), "failed"


ERRORS = st.sampled_from([e for e, _ in _errors()]).flatmap(
    lambda e: st.tuples(st.just(type(e)), st.booleans(), st.integers(1, 6))
)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=ERRORS)
def test_the_runner_follows_retryable_for_every_kind_of_error(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[type[PlatformError], bool, int]
) -> None:
    """Any error class, retryable or not, failing any number of times: the post is
    confirmed (retried), failed (not retryable, or retries spent) or planned (the
    platform stopped on credentials) -- and never sent twice."""
    kind, retryable, times = case
    errors = []
    for _ in range(times):
        error = kind("x") if kind is not RateLimited else RateLimited("x", retry_after=0.5)
        error.retryable = retryable
        errors.append(error)
    platform = Failing(errors)
    attempts = 4
    report = go(
        tmp_path_factory.mktemp("r"),
        platform,
        policies={"fake": PlatformPolicy(backoff=1.0, max_attempts=attempts)},
    )
    (outcome,) = report.outcomes
    if kind is AuthError:
        expected = RowState.PLANNED
    elif retryable:
        expected = RowState.CONFIRMED if times < attempts else RowState.FAILED
    else:
        expected = RowState.FAILED
    assert outcome.state is expected, (kind.__name__, retryable, times)
    assert sum(platform.landed.values()) == (1 if expected is RowState.CONFIRMED else 0)


# -- jitter ------------------------------------------------------------------------------


def test_retry_delays_are_stretched_by_the_injected_random_source(tmp_path: Path) -> None:
    """Same failure, three random sources: three different next tries, none before the
    backoff, none later than one and a half times it."""
    nexts = []
    for i, draw in enumerate((0.0, 0.5, 1.0)):
        report = go(
            tmp_path / str(i),
            Failing([TransientError("503")]),
            policies={"fake": PlatformPolicy(backoff=10.0, max_attempts=4)},
            max_wait=1.0,
            jitter=lambda d=draw: d,
        )
        (outcome,) = report.outcomes
        assert outcome.state is RowState.PLANNED
        nexts.append(outcome.next_attempt_at)
    delays = [n - nexts[0] for n in nexts]
    assert delays == [timedelta(0), timedelta(seconds=2.5), timedelta(seconds=5)]


@given(
    backoff=st.floats(0.01, 100.0),
    attempts=st.integers(0, 60),
    draw=st.floats(0.0, 1.0, exclude_max=True),
)
def test_a_jittered_backoff_is_never_shorter_nor_more_than_half_longer(
    backoff: float, attempts: int, draw: float
) -> None:
    from terrain.publishing._outage import jittered

    base = min(backoff * 2**attempts, 300.0)
    delay = jittered(base, lambda: draw)
    assert base <= delay < base * 1.5 + 1e-9


def test_workers_failing_together_spread_their_retries(tmp_path: Path) -> None:
    """Twenty posts failing at the same instant, with a seeded random source: their next
    tries are not all at the same instant (they were, before jitter)."""
    import random

    clock = Clock()
    platform = Failing([TransientError("503")] * 20)
    report = publish(
        Journal(tmp_path / "j.db", create=True),
        [platform],
        posts(20),
        gate=ledger_gate(ConsentLedger()),
        now_fn=clock,
        sleep=clock.sleep,
        policies={"fake": PlatformPolicy(backoff=10.0, max_attempts=4, concurrency=1)},
        max_wait=1.0,
        jitter=random.Random(7).random,
    )
    nexts = {o.next_attempt_at for o in report.outcomes}
    assert len(nexts) == 20
