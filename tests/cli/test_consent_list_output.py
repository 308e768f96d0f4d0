"""`terrain consent list` prints what it printed when it replayed the consent log.

The listing reads stored timelines; the reference here renders the replay
(:func:`terrain.workflows.consent_states`) the way the command rendered it
before: each text line, the ``--json`` document and the ``--csv`` sheet, for
everyone and for one member, now and ``--at`` instants in the past, between
events, and in the future.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from terrain import Member
from terrain.cli._common import flat_rows
from terrain.consent import Evidence, Scope, describe
from terrain.serialization import unstructure
from terrain.store import Workspace
from terrain.workflows import consent_states, csv_bytes
from tests.cli.conftest import Run, ok

PARIS = ZoneInfo("Europe/Paris")
T0 = datetime(2026, 3, 12, 19, 0, tzinfo=PARIS)
NOW = T0 + timedelta(days=40)
FORM = Evidence(kind="verbal", witness="Camille (organiser)")
INSTANTS = [
    None,  # now
    T0 - timedelta(days=1),  # before anything
    T0 + timedelta(minutes=30),  # between two events
    T0 + timedelta(days=3),  # on a withdrawal
    T0 + timedelta(days=20),
    T0 + timedelta(days=400),  # the future: everything expired that ends
]


@pytest.fixture
def field(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Adults, a minor and her guardians; grants, refusals, withdrawals, renewals."""
    monkeypatch.setenv("TERRAIN_NOW", NOW.isoformat())
    with Workspace.open(workspace) as ws:
        ws.add(Member(id="lea", display_name="Léa Martin"))
        ws.add(Member(id="sam", display_name="Samir"))
        ws.add(Member(id="marc", display_name="Marc Roux"))
        ws.add(Member(id="sophie", display_name="Sophie Roux"))
        ws.add(Member(id="tom", display_name="Tom Roux", is_minor=True,
                      guardian_ids=["marc", "sophie"]))

        def history(ledger: Any) -> None:
            ledger.grant("lea", purposes=["publish", "tag"], at=T0, evidence=FORM,
                         valid_until=T0 + timedelta(days=30))
            ledger.grant("lea", purposes=["publish"], at=T0 + timedelta(hours=1),
                         evidence=FORM, platforms=["x"], scope=Scope(kind="event", ref="ev-1"))
            ledger.withdraw("lea", at=T0 + timedelta(days=3), purposes=["tag"])
            ledger.refuse("sam", purposes=["publish"], at=T0, evidence=FORM)
            ledger.grant("sam", purposes=["publish"], at=T0 + timedelta(days=2),
                         evidence=FORM, valid_from=T0 + timedelta(days=5))
            ledger.grant("tom", purposes=["publish"], at=T0, evidence=FORM,
                         given_by=["sophie"], subject_assent=True)
            ledger.grant("tom", purposes=["publish"], at=T0 + timedelta(days=1),
                         evidence=FORM, given_by=["marc"])
            ledger.renew("c-1", at=T0 + timedelta(days=20), valid_until=T0 + timedelta(days=90))
            ledger.withdraw("sam", at=T0 + timedelta(days=10))

        ws.update_ledger(history)
    return workspace


def _reference(root: Path, member: str | None, at: datetime) -> tuple[str, str, bytes]:
    """Text, JSON and CSV as the command printed them from the replay."""
    with Workspace.open(root) as ws:
        states = consent_states(ws, member, at=at)
    lines = []
    for s in states:
        c = s.consent
        detail = f" ({s.detail})" if s.detail else ""
        lines.append(f"{c.id:<8} {c.subject_id:<16} {s.status.value:<16} {describe(c)}{detail}")
    text = "\n".join(lines) + "\n" if lines else (
        "No consent recorded: `terrain consent grant MEMBER --purpose publish ...`.\n"
    )
    records = [
        {**unstructure(s.consent), "state": s.status.value, "detail": s.detail} for s in states
    ]
    as_json = json.dumps(unstructure(records), ensure_ascii=False, indent=2, sort_keys=True)
    return text, as_json + "\n", csv_bytes(*flat_rows(records))


@pytest.mark.parametrize("member", [None, "lea", "sam", "tom", "marc"])
@pytest.mark.parametrize("at", INSTANTS, ids=lambda at: "now" if at is None else at.isoformat())
def test_the_listing_prints_what_the_replay_printed(
    field: Path, run: Run, member: str | None, at: datetime | None
) -> None:
    args = ["consent", "list", *([member] if member else [])]
    if at is not None:
        args += ["--at", at.isoformat()]
    text, as_json, as_csv = _reference(field, member, NOW if at is None else at)
    assert ok(run, field, *args) == text
    assert ok(run, field, *args, "--json") == as_json
    result = run(*args, "--csv", workspace=field)
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == as_csv


def test_the_listing_shows_every_status_the_history_reaches(field: Path, run: Run) -> None:
    seen = set()
    for at in INSTANTS[1:]:
        assert at is not None
        for line in ok(run, field, "consent", "list", "--at", at.isoformat()).splitlines():
            seen.add(line[26:42].strip())
    assert {"given", "scheduled", "partly withdrawn", "withdrawn", "expired", "refused",
            "lifted", "pending guardian"} <= seen
