"""The runner: consent at the call, hooks, budgets, retries, exactly once."""

from __future__ import annotations

import os
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain import Member
from terrain.consent import ConsentLedger, DecisionRecord, Evidence
from terrain.errors import PublishVetoed
from terrain.posts import Mention, Post
from terrain.publishing import Journal, PlatformPolicy, RowState, publish
from terrain.publishing._journal import new_owner_id

from ._platforms import Crash, ScriptedPlatform
from .helpers import START, Clock, ledger_gate, posts

FAST = {"fake": PlatformPolicy(backoff=0.01, max_backoff=0.1, max_attempts=5)}
LEA = Member(id="lea", display_name="Léa Martin", handles={"fake": "lea_m"})
FORM = Evidence(kind="signed-form", file_key="forms/lea.jpg")


def run(journal: Journal, platform: Any, items: list[Post], clock: Clock, **kwargs: Any) -> Any:
    kwargs.setdefault("policies", FAST)
    kwargs.setdefault("gate", ledger_gate(ConsentLedger([LEA])))
    return publish(journal, [platform], items, now_fn=clock, sleep=clock.sleep, **kwargs)


def test_every_post_goes_out_once_and_each_decision_is_recorded(tmp_path: Path) -> None:
    platform = ScriptedPlatform()
    records: list[DecisionRecord] = []
    report = run(
        Journal(tmp_path / "j.db", create=True),
        platform,
        posts(12),
        Clock(),
        record_decision=records.append,
    )
    assert {o.state for o in report.outcomes} == {RowState.CONFIRMED}
    assert set(platform.landed.values()) == {1}
    assert len(platform.landed) == 12
    assert sorted(r.subject_id for r in records) == sorted(p.id for p in posts(12))
    assert all(r.platform == "fake" for r in records)


def test_a_worker_claims_its_next_post_with_the_receipt_of_the_last(tmp_path: Path) -> None:
    """The receipt of a post and the claim of the next share one commit: ten more
    posts cost ten commits fewer than a claim of their own each would. Each post
    still goes out once, decided at its call."""

    def commits(n: int) -> int:
        platform = ScriptedPlatform()
        journal = Journal(tmp_path / f"j{n}.db", create=True)
        records: list[DecisionRecord] = []
        report = run(journal, platform, posts(n), Clock(), record_decision=records.append,
                     policies={"fake": PlatformPolicy(concurrency=1)})
        assert {o.state for o in report.outcomes} == {RowState.CONFIRMED}
        assert set(platform.landed.values()) == {1}
        assert len(platform.landed) == len(records) == n
        count = journal.db.backend.commits
        journal.close()
        return count

    few, more = commits(10), commits(20)
    # one commit per post: its receipt, holding the claim of the next (a claim of
    # its own each would make it two)
    assert more - few <= 10, (few, more)


def test_a_second_run_sends_nothing_again(tmp_path: Path) -> None:
    platform = ScriptedPlatform()
    journal = Journal(tmp_path / "j.db", create=True)
    run(journal, platform, posts(5), Clock())
    run(journal, platform, posts(5), Clock())
    assert platform.calls == 5


def test_a_last_try_that_timed_out_after_landing_is_confirmed_not_failed(tmp_path: Path) -> None:
    """Found by the property test below: giving up after a timeout must ask find() first."""
    platform = ScriptedPlatform(script=["transient"] * 4 + ["timeout-after"])
    report = run(Journal(tmp_path / "j.db", create=True), platform, posts(1), Clock())
    assert [o.state for o in report.outcomes] == [RowState.CONFIRMED]
    assert platform.landed["p-000"] == 1


def test_server_errors_and_429_are_retried_honouring_retry_after(tmp_path: Path) -> None:
    platform = ScriptedPlatform(script=["transient", "rate", "transient"])
    clock = Clock()
    report = run(Journal(tmp_path / "j.db", create=True), platform, posts(3), clock)
    assert {o.state for o in report.outcomes} == {RowState.CONFIRMED}
    assert set(platform.landed.values()) == {1}
    assert clock.slept, "the runner waited before retrying"


def test_a_timeout_that_hid_a_success_is_found_not_posted_again(tmp_path: Path) -> None:
    platform = ScriptedPlatform(script=["timeout-after"])
    report = run(Journal(tmp_path / "j.db", create=True), platform, posts(1), Clock())
    assert report.outcomes[0].state is RowState.CONFIRMED
    assert platform.landed["p-000"] == 1


def test_rejected_content_fails_with_the_platforms_reason(tmp_path: Path) -> None:
    platform = ScriptedPlatform(script=["reject"])
    report = run(Journal(tmp_path / "j.db", create=True), platform, posts(2), Clock())
    failed = report.by_state(RowState.FAILED)
    assert len(failed) == 1
    assert "duplicate content" in failed[0].message
    assert report.failed
    assert len(report.by_state(RowState.CONFIRMED)) == 1


def test_retries_run_out_into_a_clear_failure(tmp_path: Path) -> None:
    platform = ScriptedPlatform(script=["transient"] * 5)
    report = run(Journal(tmp_path / "j.db", create=True), platform, posts(1), Clock())
    (outcome,) = report.outcomes
    assert outcome.state is RowState.FAILED
    assert "gave up after 5 attempts" in outcome.message
    assert platform.landed == {}


def test_an_auth_error_stops_the_platform_and_names_the_variables(tmp_path: Path) -> None:
    platform = ScriptedPlatform(script=["auth"])
    journal = Journal(tmp_path / "j.db", create=True)
    report = run(journal, platform, posts(4), Clock())
    assert platform.calls == 1
    assert report.failed
    assert any("TERRAIN_FAKE_*" in m and "401" in m for m in report.messages)
    assert {o.state for o in report.outcomes} == {RowState.PLANNED}
    again = run(journal, platform, [], Clock())  # credentials fixed: the rest goes out
    assert {o.state for o in again.outcomes} == {RowState.CONFIRMED}
    assert set(platform.landed.values()) == {1}


def test_daily_budget_plans_the_rest_instead_of_failing_at_post_18(tmp_path: Path) -> None:
    platform = ScriptedPlatform(name="x")
    journal = Journal(tmp_path / "j.db", create=True)
    clock = Clock()
    policy = {"x": PlatformPolicy(daily_budget=17)}
    report = run(journal, platform, posts(20, "x"), clock, policies=policy)
    assert len(report.by_state(RowState.CONFIRMED)) == 17
    waiting = report.by_state(RowState.PLANNED)
    assert len(waiting) == 3
    assert all(o.next_attempt_at == START + timedelta(days=1) for o in waiting)
    assert any("daily budget of 17 posts reached" in m for m in report.messages)
    assert not report.failed
    clock.advance(days=1, seconds=1)
    later = run(journal, platform, [], clock, policies=policy)
    assert len(later.by_state(RowState.CONFIRMED)) == 20
    assert platform.calls == 20


def test_consent_is_checked_at_the_moment_of_the_call(tmp_path: Path) -> None:
    """A denied post is held with the reasons and never reaches the platform."""
    platform = ScriptedPlatform()
    ledger = ConsentLedger([LEA])
    post = Post(id="p-1", platform="fake", text="Léa's photo", content_ids=["c-unknown"])
    report = run(
        Journal(tmp_path / "j.db", create=True), platform, [post], Clock(), gate=ledger_gate(ledger)
    )
    (outcome,) = report.outcomes
    assert outcome.state is RowState.HELD
    assert outcome.reasons
    assert platform.calls == 0


def test_a_mention_without_tag_consent_is_dropped_and_the_post_still_goes(tmp_path: Path) -> None:
    platform = ScriptedPlatform()
    post = Post(
        id="p-1",
        platform="fake",
        text="Merci !",
        mentions=[Mention(handle="lea_m", member_id="lea")],
    )
    journal = Journal(tmp_path / "j.db", create=True)
    report = run(journal, platform, [post], Clock())
    assert report.outcomes[0].state is RowState.CONFIRMED
    row = journal.get("p-1", "fake")
    assert row is not None
    assert row.post.mentions == ()


def test_a_mention_with_tag_consent_stays(tmp_path: Path) -> None:
    platform = ScriptedPlatform()
    ledger = ConsentLedger([LEA])
    ledger.grant("lea", purposes=["tag"], at=START - timedelta(days=1), evidence=FORM)
    post = Post(
        id="p-1",
        platform="fake",
        text="Merci !",
        mentions=[Mention(handle="lea_m", member_id="lea")],
    )
    journal = Journal(tmp_path / "j.db", create=True)
    run(journal, platform, [post], Clock(), gate=ledger_gate(ledger))
    row = journal.get("p-1", "fake")
    assert row is not None
    assert [m.handle for m in row.post.mentions] == ["lea_m"]


def test_a_plugin_veto_holds_the_post(tmp_path: Path) -> None:
    class Hooks:
        def terrain_before_publish(self, post: Post, platform: object) -> None:
            raise PublishVetoed("embargo until the press release")

        def terrain_after_publish(self, receipt: object) -> None:
            raise AssertionError("nothing was published")

    platform = ScriptedPlatform()
    report = run(Journal(tmp_path / "j.db", create=True), platform, posts(1), Clock(), hook=Hooks())
    assert report.outcomes[0].state is RowState.HELD
    assert "embargo" in report.outcomes[0].message
    assert platform.calls == 0


def test_after_publish_hooks_see_each_receipt(tmp_path: Path) -> None:
    seen: list[str] = []

    class Hooks:
        def terrain_after_publish(self, receipt: Any) -> None:
            seen.append(receipt.post_id)

    run(
        Journal(tmp_path / "j.db", create=True), ScriptedPlatform(), posts(3), Clock(), hook=Hooks()
    )
    assert sorted(seen) == ["p-000", "p-001", "p-002"]


def test_a_row_left_claimed_by_a_dead_run_is_reconciled_with_find(tmp_path: Path) -> None:
    platform = ScriptedPlatform(script=["crash-after"])
    journal = Journal(tmp_path / "j.db", create=True)
    clock = Clock()
    with pytest.raises(Crash):
        run(journal, platform, posts(1), clock, lease=timedelta(minutes=5))
    row = journal.get("p-000", "fake")
    assert row is not None
    assert row.state is RowState.CLAIMED
    clock.advance(minutes=6)  # the lease ran out
    report = run(journal, platform, [], clock)
    assert report.outcomes[0].state is RowState.CONFIRMED
    assert platform.landed["p-000"] == 1
    assert platform.calls == 1


def test_a_live_claim_of_another_run_is_left_alone(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.db", create=True)
    journal.plan(posts(1), now=START)
    other = "elsewhere:1:abcd"
    assert journal.claim_ready("fake", other, now=START, lease=timedelta(minutes=5)) is not None
    platform = ScriptedPlatform()
    report = run(journal, platform, [], Clock())
    assert platform.calls == 0
    assert any("another run" in m for m in report.messages)


def test_two_runs_at_once_never_post_twice(tmp_path: Path) -> None:
    platform = ScriptedPlatform()
    items = posts(40)
    Journal(tmp_path / "j.db", create=True).plan(items, now=START)
    policy = {"fake": PlatformPolicy(concurrency=3)}

    def one_run() -> None:
        publish(
            Journal(tmp_path / "j.db", create=True),
            [platform],
            gate=ledger_gate(ConsentLedger()),
            now_fn=Clock(),
            policies=policy,
            owner=new_owner_id(),
        )

    threads = [threading.Thread(target=one_run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(platform.landed) == 40
    assert set(platform.landed.values()) == {1}


def test_error_messages_never_carry_a_token_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG", logger="terrain")
    token = "sentinel-TOKEN-4f1d9c"
    monkeypatch.setenv("TERRAIN_FAKE_TOKEN", token)

    class Leaky(ScriptedPlatform):
        def publish(self, post: Post) -> Any:
            from terrain.errors import Rejected

            raise Rejected(f"bad request for https://api.example/?access_token={token}")

    class Flaky(ScriptedPlatform):
        def publish(self, post: Post) -> Any:
            from terrain.errors import TransientError

            raise TransientError(f"502 from https://api.example/?token={token}")

    journal = Journal(tmp_path / "j.db", create=True)
    report = run(journal, Leaky(), posts(1), Clock())
    flaky = run(Journal(tmp_path / "k.db", create=True), Flaky(), posts(1), Clock())
    assert "***" in flaky.outcomes[0].message
    assert token not in repr(flaky) + repr(journal.rows()) + caplog.text
    assert token not in repr(report)
    assert "***" in report.outcomes[0].message
    stored = [p.read_bytes().decode("utf-8", "replace") for p in tmp_path.iterdir()]
    assert len(stored) >= 2  # the databases (and their WAL files)
    assert not [s for s in stored if token in s]


STEPS = st.sampled_from(
    ["ok", "ok", "transient", "timeout-after", "rate", "crash-before", "crash-after", "reject"]
)


@settings(
    max_examples=int(os.environ.get("TERRAIN_PROPERTY_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(script=st.lists(STEPS, max_size=14), n=st.integers(1, 6))
def test_exactly_once_under_any_failure_script(
    tmp_path_factory: Any, script: list[str], n: int
) -> None:
    """Whatever fails and however often the process dies, a post lands at most
    once, and every post that is not refused lands exactly once."""
    folder = tmp_path_factory.mktemp("j")
    journal = Journal(folder / "j.db", create=True)
    platform = ScriptedPlatform(script=script)
    clock = Clock()
    items = posts(n)
    for _ in range(30):  # resume after every crash, as a supervisor would
        try:
            run(journal, platform, items, clock, lease=timedelta(minutes=1))
            break
        except Crash:
            clock.advance(minutes=2)
    else:
        raise AssertionError("the runs never finished")
    rows = journal.rows()
    assert {r.state for r in rows} <= {RowState.CONFIRMED, RowState.FAILED}
    for row in rows:
        expected = 1 if row.state is RowState.CONFIRMED else 0
        assert platform.landed[row.post_id] == expected, (row.post_id, row.state, script)
    assert sum(platform.landed.values()) == len(platform.landed)


def test_a_crashing_before_publish_hook_stops_the_platform_and_sends_nothing(
    tmp_path: Path,
) -> None:
    class Buggy:
        def terrain_before_publish(self, post: Post, platform: object) -> None:
            raise KeyError("oops")

    platform = ScriptedPlatform()
    report = run(Journal(tmp_path / "j.db", create=True), platform, posts(2), Clock(), hook=Buggy())
    assert platform.calls == 0
    assert {o.state for o in report.outcomes} == {RowState.PLANNED}
    assert any("terrain_before_publish failed" in m for m in report.messages)
    assert report.failed


def test_a_slow_rate_limit_sends_every_post_in_order_across_runs(tmp_path: Path) -> None:
    """A slot more than ``max_wait`` away is not kept: the released row must not
    push the others (nor itself) back forever (1 post per 10 s, max_wait 3 s)."""
    clock = Clock()
    sent: list[tuple[str, float]] = []

    class Timed(ScriptedPlatform):
        def publish(self, post: Post) -> Any:
            sent.append((post.id, (clock() - START).total_seconds()))
            return super().publish(post)

    platform = Timed()
    journal = Journal(tmp_path / "j.db", create=True)
    policies = {"fake": PlatformPolicy(rate=0.1, backoff=0.01, max_backoff=0.1)}
    items = posts(4)
    run(journal, platform, items, clock, policies=policies, max_wait=3.0)
    for _ in range(20):
        due = journal.next_due("fake")
        if due is None:
            break
        clock.at = max(clock.at, due)
        run(journal, platform, [], clock, policies=policies, max_wait=3.0)
    assert [post_id for post_id, _ in sent] == [p.id for p in items]
    assert [at for _, at in sent] == [0.0, 10.0, 20.0, 30.0]
    assert set(platform.landed.values()) == {1}
    assert journal.next_due("fake") is None


def test_a_stopped_run_leaves_no_post_claimed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A worker whose post goes out while another meets refused credentials (the
    platform stops) claims no next post with its receipt: the posts not sent stay
    planned, none held by a run that is gone."""
    import logging
    from datetime import UTC, datetime

    from terrain.errors import AuthError
    from terrain.posts import Receipt

    in_call, refused, stopped = threading.Event(), threading.Event(), threading.Event()

    class Stopped(logging.Handler):
        """Told once the runner has stopped the platform (it logs after it stops)."""

        def emit(self, record: logging.LogRecord) -> None:
            if record.getMessage().startswith("STOPPED fake"):
                stopped.set()

    class Refusing:
        name = "fake"
        capabilities = ScriptedPlatform().capabilities

        def publish(self, post: Post) -> Receipt:
            if post.id == posts(1)[0].id:
                assert in_call.wait(5)
                refused.set()
                raise AuthError("fake: 401 Unauthorized (token expired)")
            in_call.set()
            assert refused.wait(5)
            assert stopped.wait(5)  # the refusal has stopped the platform meanwhile
            return Receipt(platform="fake", post_id=post.id, remote_id=f"r-{post.id}",
                           published_at=datetime(2026, 3, 12, tzinfo=UTC))

        def find(self, post: Post) -> Receipt | None:
            return None

        def delete(self, receipt: Receipt) -> None:
            raise AssertionError("nothing is deleted here")

    journal = Journal(tmp_path / "j.db", create=True)
    caplog.set_level(logging.INFO, logger="terrain.publishing")
    handler = Stopped()
    logging.getLogger("terrain.publishing").addHandler(handler)
    try:
        report = run(journal, Refusing(), posts(6), Clock(),
                     policies={"fake": PlatformPolicy(concurrency=2)})
    finally:
        logging.getLogger("terrain.publishing").removeHandler(handler)
    states = {r.post_id: r.state for r in journal.rows()}
    assert RowState.CLAIMED not in states.values()
    assert list(states.values()).count(RowState.CONFIRMED) == 1
    assert list(states.values()).count(RowState.PLANNED) == 5
    assert any("STOPPED fake" in m for m in report.messages)
