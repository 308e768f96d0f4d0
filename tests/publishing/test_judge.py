"""One judging function: what the consent gate's answer means, for the runner, the
workers and the dry run alike.

An error *reaching* consent (the store or the network failed) is not a decision:
the post is planned again with a backoff and the decision log says that no
decision could be made. ``held`` stays for real refusals, and for consent that
cannot be checked for any other reason (fail closed).
"""

from __future__ import annotations

import itertools
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from terrain.consent import ConsentLedger, Decision, DecisionOutcome, DecisionRecord
from terrain.errors import (
    ConsentDenied,
    InvalidKey,
    NotFound,
    StorageError,
    StoreUnavailable,
    ValidationError,
)
from terrain.posts import Post
from terrain.publishing import Journal, PlatformPolicy, RowState, Verdict, judge, publish
from terrain.publishing._judge import held_for_infrastructure, is_infrastructure

from ._platforms import ScriptedPlatform
from .helpers import START, Clock, ledger_gate, posts

POST = Post(id="p-1", platform="fake", text="Merci à tous !")
ALLOW = ledger_gate(ConsentLedger())

#: What a gate may raise, and whether it is the store or the network failing.
INFRASTRUCTURE = [
    StoreUnavailable("server closed the connection unexpectedly"),
    StorageError("the store failed"),
    ConnectionResetError(104, "Connection reset by peer"),
    TimeoutError("timed out"),
    OSError(5, "Input/output error"),
]
NOT_INFRASTRUCTURE = [
    NotFound("no content 'c-9' in this workspace"),
    ValidationError("bad value"),
    InvalidKey("../escape"),
    KeyError("oops"),
    RuntimeError("a bug in a plugin"),
    sqlite3.IntegrityError("UNIQUE constraint failed"),
]


def raising(exc: BaseException) -> Any:
    def gate(post: Post, at: datetime, *, purpose: str = "publish") -> Decision:
        raise exc

    return gate


def test_an_allowed_post_is_sent_as_decided() -> None:
    judgement = judge(ALLOW, POST, START)
    assert judgement.verdict is Verdict.ALLOWED
    assert judgement.allowed
    assert judgement.post == POST
    assert judgement.decision is not None


def test_a_refusal_holds_the_post_with_the_decisions_reasons() -> None:
    photo = Post(id="p-2", platform="fake", text="Photo", content_ids=["c-unknown"])
    judgement = judge(ALLOW, photo, START)
    assert judgement.verdict is Verdict.REFUSED
    assert judgement.reasons
    assert judgement.decision is not None


def test_a_consent_denied_raised_by_the_gate_is_a_refusal() -> None:
    judgement = judge(raising(ConsentDenied("Léa withdrew")), POST, START)
    assert judgement.verdict is Verdict.REFUSED
    assert judgement.reasons == ("Léa withdrew",)


@pytest.mark.parametrize("exc", INFRASTRUCTURE, ids=lambda e: type(e).__name__)
def test_a_store_or_network_failure_in_the_gate_is_no_decision(exc: BaseException) -> None:
    judgement = judge(raising(exc), POST, START)
    assert judgement.verdict is Verdict.UNDECIDED
    assert judgement.reasons[0].startswith(f"consent could not be checked: {type(exc).__name__}")


@pytest.mark.parametrize("exc", NOT_INFRASTRUCTURE, ids=lambda e: type(e).__name__)
def test_any_other_failure_in_the_gate_holds_the_post(exc: BaseException) -> None:
    """Consent that cannot be checked is not consent (and waiting would not help)."""
    judgement = judge(raising(exc), POST, START)
    assert judgement.verdict is Verdict.REFUSED
    assert not judgement.allowed


@given(exc=st.sampled_from(INFRASTRUCTURE + NOT_INFRASTRUCTURE))
def test_a_gate_that_raises_never_allows_and_is_undecided_only_for_infrastructure(
    exc: BaseException,
) -> None:
    judgement = judge(raising(exc), POST, START)
    assert not judgement.allowed
    assert (judgement.verdict is Verdict.UNDECIDED) is is_infrastructure(exc)
    assert held_for_infrastructure(judgement.reasons) is is_infrastructure(exc)


def test_a_gate_deciding_about_another_post_is_not_a_licence() -> None:
    other = Post(id="p-other", platform="fake", text="x")

    def confused(post: Post, at: datetime) -> Decision:
        return ALLOW(other, at)  # type: ignore[no-any-return]

    assert judge(confused, POST, START).verdict is Verdict.REFUSED


def test_rows_held_by_an_old_outage_are_told_from_real_refusals() -> None:
    assert held_for_infrastructure(
        ["consent could not be checked: StorageError: the store failed: server closed"]
    )
    assert held_for_infrastructure(["consent could not be checked: psycopg.OperationalError: x"])
    assert not held_for_infrastructure(["consent could not be checked: NotFound: no c-1"])
    assert not held_for_infrastructure(["Léa Martin has not consented to 'publish'"])
    assert not held_for_infrastructure(["vetoed by a plugin: embargo"])
    assert not held_for_infrastructure([])


# -- the runner and the dry run use it ------------------------------------------------


def run(tmp_path: Path, gate: Any, records: list[DecisionRecord], **kwargs: Any) -> Any:
    journal = Journal(tmp_path / "j.db", create=True)
    clock = Clock()
    report = publish(
        journal,
        [ScriptedPlatform()],
        posts(1),
        gate=gate,
        now_fn=clock,
        sleep=clock.sleep,
        record_decision=records.append,
        policies={"fake": PlatformPolicy(backoff=2.0, max_backoff=60.0)},
        max_wait=1.0,
        **kwargs,
    )
    return journal, report


@pytest.mark.parametrize("exc", INFRASTRUCTURE, ids=lambda e: type(e).__name__)
def test_a_store_failure_during_the_consent_check_plans_the_post_again_not_held(
    tmp_path: Path, exc: BaseException
) -> None:
    """Issue 25, point 1: a blip used to hold the post for good."""
    records: list[DecisionRecord] = []
    journal, report = run(tmp_path, raising(exc), records, jitter=lambda: 0.0)
    (row,) = journal.rows()
    assert row.state is RowState.PLANNED
    assert row.attempts == 0  # nothing was sent
    assert row.next_attempt_at == row.updated_at + timedelta(seconds=2.0)  # the backoff
    assert "no consent decision" in (row.last_error or "")
    (record,) = records
    assert record.outcome is DecisionOutcome.UNDECIDED
    assert "no decision could be made" in record.reasons[0].text
    assert not report.by_state(RowState.HELD)


def test_the_post_goes_out_once_the_store_answers_again(tmp_path: Path) -> None:
    failures = [StoreUnavailable("down"), StoreUnavailable("still down")]

    def flaky(post: Post, at: datetime, *, purpose: str) -> Decision:
        if failures:
            raise failures.pop(0)
        return ALLOW(post, at, purpose=purpose)  # type: ignore[no-any-return]

    records: list[DecisionRecord] = []
    platform = ScriptedPlatform()
    journal = Journal(tmp_path / "j.db", create=True)
    clock = Clock()
    for _ in range(3):
        publish(
            journal,
            [platform],
            posts(1),
            gate=flaky,
            now_fn=clock,
            sleep=clock.sleep,
            record_decision=records.append,
            max_wait=10.0,
        )
    assert [r.outcome for r in records] == [
        DecisionOutcome.UNDECIDED,
        DecisionOutcome.UNDECIDED,
        DecisionOutcome.ALLOWED,
    ]
    assert platform.landed == {"p-000": 1}


def test_an_undecided_post_backs_off_longer_each_time_with_jitter_then_waits_for_a_later_run(
    tmp_path: Path,
) -> None:
    records: list[DecisionRecord] = []
    clock = Clock()
    policy = PlatformPolicy(backoff=2.0, max_backoff=60.0, max_attempts=5)
    report = publish(
        Journal(tmp_path / "j.db", create=True),
        [ScriptedPlatform()],
        posts(1),
        gate=raising(StorageError("down")),
        now_fn=clock,
        sleep=clock.sleep,
        record_decision=records.append,
        policies={"fake": policy},
        max_wait=1000.0,
        jitter=lambda: 1.0,
    )
    asked = [r.at for r in records]
    assert {r.outcome for r in records} == {DecisionOutcome.UNDECIDED}
    # doubled each time and stretched by the (injected) jitter: 2, 4, 8, 16 s times 1.5
    assert [(b - a).total_seconds() for a, b in itertools.pairwise(asked)] == [3, 6, 12, 24]
    (outcome,) = report.outcomes
    assert outcome.state is RowState.PLANNED  # after max_attempts, left for a later run
    assert outcome.next_attempt_at is not None
    assert outcome.next_attempt_at > clock() + timedelta(seconds=1000)
    assert any("consent could not be checked" in m for m in report.messages)
    assert not report.failed


@pytest.mark.parametrize("exc", NOT_INFRASTRUCTURE, ids=lambda e: type(e).__name__)
def test_the_dry_run_and_a_real_run_judge_a_failing_gate_alike(
    tmp_path: Path, exc: BaseException
) -> None:
    """The dry run caught only TerrainError: a plugin's RuntimeError was a traceback there,
    a hold in a real run."""
    from terrain.workflows._publish import judge_dry

    _journal, report = run(tmp_path, raising(exc), [])
    outcome, _preview = judge_dry(raising(exc), posts(1)[0], START)
    assert report.outcomes[0].state is RowState.HELD
    assert outcome.state is RowState.HELD
    assert outcome.reasons == report.outcomes[0].reasons


@pytest.mark.parametrize("exc", INFRASTRUCTURE, ids=lambda e: type(e).__name__)
def test_the_dry_run_says_no_decision_could_be_made_when_the_store_fails(
    exc: BaseException,
) -> None:
    from terrain.workflows._publish import judge_dry

    outcome, _preview = judge_dry(raising(exc), posts(1)[0], START)
    assert outcome.state is RowState.PLANNED
    assert "no decision could be made" in outcome.message
