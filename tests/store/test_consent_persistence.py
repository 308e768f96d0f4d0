"""Consent events and decision records: appended, never edited, replayed identically."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain import Member
from terrain.consent import DecisionRecord, Reason
from terrain.errors import Conflict, ConsentError
from terrain.store import Workspace
from tests.store._velo import FORM, T0, velo

#: Opening a workspace is these tests' setup, not their subject: on PostgreSQL
#: it starts from a database migrated once per session (tests/conftest.py).
pytestmark = pytest.mark.migrated_postgres


@pytest.fixture
def ws(tmp_path: Path, store_url: str) -> Iterator[Workspace]:
    """Three members, once on SQLite (the default) and once on PostgreSQL."""
    with velo(tmp_path / "velo", store_url, members=0) as w:
        w.add(Member(id="lea", display_name="Léa Martin"))
        w.add(Member(id="sophie", display_name="Sophie Martin"))
        w.add(Member(id="tom", display_name="Tom", is_minor=True, guardian_ids=["sophie"]))
        yield w


def test_a_grant_survives_closing_the_workspace(ws: Workspace) -> None:
    ledger = ws.ledger()
    consent = ledger.grant("lea", purposes=["publish", "tag"], at=T0, evidence=FORM)
    assert ws.save_ledger(ledger) == 1
    root = ws.root
    ws.close()
    with Workspace.open(root) as again:
        assert again.ledger().get(consent.id) == consent
        assert again.consent_events() == ledger.events()


def test_a_withdrawal_is_appended_and_the_grant_is_kept_in_history(ws: Workspace) -> None:
    ledger = ws.ledger()
    consent = ledger.grant("lea", purposes=["publish"], at=T0, evidence=FORM)
    ws.save_ledger(ledger)
    ledger = ws.ledger()
    ledger.withdraw("lea", at=T0 + timedelta(days=3))
    ws.save_ledger(ledger)
    events = ws.consent_events()
    assert len(events) == 2
    history = ws.ledger().get(consent.id).history
    assert [h.status.value for h in history] == ["given", "withdrawn"]


def test_an_event_the_ledger_refuses_stores_nothing(ws: Workspace) -> None:
    from terrain.consent import ConsentWithdrawn

    bogus = ConsentWithdrawn(consent_id="c-404", subject_id="lea", at=T0)
    with pytest.raises((ConsentError, LookupError)):
        ws.record_consent(bogus)
    assert ws.consent_events() == ()


def test_record_consent_appends_checked_events(ws: Workspace) -> None:
    scratch = ws.ledger()
    scratch.grant("tom", purposes=["publish"], at=T0, evidence=FORM, given_by=["sophie"])
    (recorded,) = ws.record_consent(*scratch.events())
    assert recorded.subject_id == "tom"
    assert ws.ledger().for_subject("tom") == (recorded,)


def test_saving_a_stale_ledger_is_a_conflict(ws: Workspace) -> None:
    first, second = ws.ledger(), ws.ledger()
    first.grant("lea", purposes=["publish"], at=T0, evidence=FORM)
    second.grant("sophie", purposes=["publish"], at=T0, evidence=FORM)
    ws.save_ledger(first)
    with pytest.raises(Conflict, match="read the ledger again"):
        ws.save_ledger(second)
    assert len(ws.consent_events()) == 1


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["grant", "refuse", "withdraw"]), st.sampled_from(["lea", "sophie"])
        ),
        min_size=1,
        max_size=8,
    )
)
def test_the_stored_log_replays_to_the_same_ledger(
    ws: Workspace, steps: list[tuple[str, str]]
) -> None:
    start = len(ws.consent_events())
    ledger = ws.ledger()
    at = T0 + timedelta(days=400 * start)  # after everything earlier examples stored
    for i, (verb, who) in enumerate(steps):
        when = at + timedelta(hours=i)
        if verb == "withdraw":
            ledger.withdraw(who, at=when)
        else:
            getattr(ledger, verb)(who, purposes=["publish"], at=when, evidence=FORM)
    ws.save_ledger(ledger)
    again = ws.ledger()
    assert again.events() == ledger.events()
    for who in ("lea", "sophie"):
        assert again.for_subject(who) == ledger.for_subject(who)


def _decision(record_id: str, subject_id: str, platform: str) -> DecisionRecord:
    return DecisionRecord(
        id=record_id,
        actor="runner",
        subject_kind="post",
        subject_id=subject_id,
        platform=platform,
        purpose="publish",
        at=T0,
        outcome="denied",
        reasons=[Reason(text="Léa withdrew consent", blocking=True, member_id="lea")],
    )


def test_decisions_are_appended_and_filtered(ws: Workspace) -> None:
    ws.record_decision(_decision("d-1", "post-1", "x"))
    ws.record_decision(_decision("d-2", "post-1", "facebook"))
    ws.record_decision(_decision("d-3", "post-2", "x"))
    assert [d.id for d in ws.decisions()] == ["d-1", "d-2", "d-3"]
    assert [d.id for d in ws.decisions(subject_id="post-1")] == ["d-1", "d-2"]
    assert [d.id for d in ws.decisions(platform="x", subject_kind="post")] == ["d-1", "d-3"]
    assert ws.decisions()[0] == _decision("d-1", "post-1", "x")


def test_a_decision_id_is_recorded_once(ws: Workspace) -> None:
    ws.record_decision(_decision("d-1", "post-1", "x"))
    with pytest.raises(Conflict):
        ws.record_decision(_decision("d-1", "post-9", "x"))
    assert len(ws.decisions()) == 1


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ids=st.lists(st.sampled_from(["d-1", "d-2", "d-3", "d-4"]), min_size=1, max_size=8))
def test_each_decision_id_is_stored_once_in_the_order_first_recorded(
    ws: Workspace, ids: list[str]
) -> None:
    """Whatever the order of the ids, a taken one is refused (nothing stored) and the
    others are stored once each, in the order they came: the log after earlier examples
    holds every record they stored, then these."""
    before = [d.id for d in ws.decisions()]
    stored: list[str] = []
    for record_id in ids:
        if record_id in before or record_id in stored:
            with pytest.raises(Conflict):
                ws.record_decision(_decision(record_id, "post-9", "x"))
        else:
            ws.record_decision(_decision(record_id, f"post-{len(stored)}", "x"))
            stored.append(record_id)
    assert [d.id for d in ws.decisions()] == before + stored
    assert [d.subject_id for d in ws.decisions()][len(before):] == [
        f"post-{i}" for i in range(len(stored))
    ]


def test_every_kind_of_withdrawal_and_the_recording_times_survive_the_store(
    ws: Workspace,
) -> None:
    """New fields of the consent events round-trip through the store (SQLite and
    PostgreSQL): partial withdrawals, scheduled consents, when each was keyed in."""
    from terrain.consent import ConsentWithdrawn, Scope, event_from_json, event_to_json

    keyed = T0 + timedelta(days=1)
    ledger = ws.ledger()
    ledger.grant("lea", purposes=["publish", "tag"], platforms=["X"], at=T0, evidence=FORM,
                 now=keyed)
    ledger.grant("sophie", purposes=["publish"], at=keyed + timedelta(days=30), evidence=FORM,
                 now=keyed, scheduled=True)
    ledger.grant("tom", purposes=["publish"], given_by=["sophie"], subject_assent=True,
                 at=T0, evidence=FORM)
    ledger.renew("c-1", at=T0 + timedelta(hours=1), valid_until=T0 + timedelta(days=90),
                 now=keyed)
    ledger.withdraw("lea", at=T0 + timedelta(days=2), purposes=["tag"], platforms=["x"],
                    scope=Scope(kind="event", ref="ev-12"), note="by email", now=keyed
                    + timedelta(days=1))
    ledger.withdraw("tom", at=T0 + timedelta(days=3))
    ws.save_ledger(ledger)
    root = ws.root
    ws.close()

    with Workspace.open(root) as again:
        stored = again.consent_events()
        assert stored == ledger.events()
        assert [event_from_json(event_to_json(e)) for e in stored] == list(stored)
        partial = next(e for e in stored if isinstance(e, ConsentWithdrawn))
        assert partial.purposes == frozenset({"tag"})
        assert partial.scope == Scope(kind="event", ref="ev-12")
        assert partial.recorded_at == keyed + timedelta(days=1)
        book = again.ledger()
        assert book.get("c-1").history[0].recorded_at == keyed
        assert book.get("c-2").valid_from == keyed + timedelta(days=30)  # scheduled
        assert book.get("c-2").history[0].at == keyed
        assert [h.status.value for h in book.get("c-3").history] == ["given", "withdrawn"]
        for who in ("lea", "sophie", "tom"):
            assert book.for_subject(who) == ledger.for_subject(who)


def test_a_stored_withdrawal_of_one_record_still_loads_and_covers_that_records_part(
    ws: Workspace,
) -> None:
    """Logs written before partial withdrawals existed name one record per withdrawal."""
    import json

    from terrain.consent import ConsentWithdrawn, event_from_json

    ledger = ws.ledger()
    ledger.grant("lea", purposes=["publish"], platforms=["x"], at=T0, evidence=FORM)
    ws.save_ledger(ledger)
    old = json.dumps({"type": "withdrawn", "consent_id": "c-1", "subject_id": "lea",
                      "at": (T0 + timedelta(days=1)).isoformat(), "note": "",
                      "recorded_by": None})
    event = event_from_json(old)
    assert isinstance(event, ConsentWithdrawn)
    ws.record_consent(event)
    late = ws.ledger()
    late.grant("lea", purposes=["publish"], platforms=["x"], at=T0 + timedelta(hours=5),
               evidence=FORM)  # expressed before that withdrawal, keyed after it
    late.grant("lea", purposes=["publish"], platforms=["instagram"], at=T0, evidence=FORM)
    ws.save_ledger(late)

    book = ws.ledger()
    after = T0 + timedelta(days=2)
    assert not book.state("lea", "publish", "x", at=after).valid
    assert book.state("lea", "publish", "instagram", at=after).valid
