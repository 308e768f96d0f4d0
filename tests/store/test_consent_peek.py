"""A stored consent event's peek (migration 15) says what its JSON says, or is not used.

The workspace's reader lets a record scoped to one event, project or content wait
undecoded (:class:`~terrain.consent.StoredEvent`). What it needs of such a record
(its subject, id, scope and givers) or of a renewal is stored beside the JSON, with
a digest of both, so that reading the events of the people a post shows decodes no
JSON for them. The reference is :func:`terrain.store._workspace._stored`, which
reads the JSON: the peek gives exactly what it gives, and a peek that is not the one
written with the JSON (either edited behind terrain's back) is not used. Store tests
run on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain.consent import ConsentEvent, Scope, StoredEvent, event_to_json
from terrain.events import Event
from terrain.posts import Post, PostMedia
from terrain.store import Workspace
from terrain.store._schema import MIGRATIONS, record_digest
from terrain.store._workspace import _DIGEST, _peek_of, _stored, _stored_row
from tests._photos import reviewed_photo
from tests.consent.test_stored_events import logs
from tests.store._velo import FORM, T0, velo

#: Opening a workspace is these tests' setup, not their subject: on PostgreSQL
#: it starts from a database migrated once per session (tests/conftest.py).
pytestmark = pytest.mark.migrated_postgres


def _said(stored: StoredEvent) -> tuple[Any, ...]:
    """What a reader says of a stored event, and the event it decodes to."""
    return (stored.subject_id, stored.consent_id, stored.scope, stored.renews,
            stored.given_by, stored.read())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=logs())
def test_a_peek_gives_what_the_json_gives(events: tuple[ConsentEvent, ...]) -> None:
    for event in events:
        text = event_to_json(event)
        reference = _stored(text)
        peek = _peek_of(text)
        waits = reference.scope is not None or reference.renews is not None
        assert (peek is not None) == waits
        assert _said(_stored_row(text, peek)) == _said(reference)


def _edits(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The stored JSON of a consent event, changed where the peek has a say."""
    consent = doc.get("consent")
    if doc.get("type") == "renewed":
        return [{**doc, "consent_id": "c-other"}]
    assert isinstance(consent, dict)
    return [
        {**doc, "consent": {**consent, "scope": {"kind": "all", "ref": None}}},
        {**doc, "consent": {**consent, "scope": {"kind": "event", "ref": "e-other"}}},
        {**doc, "consent": {**consent, "subject_id": "someone-else"}},
        {**doc, "consent": {**consent, "given_by": ["g", "k", "x"]}},
        {**doc, "consent": {**consent, "id": "c-other"}},
    ]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=logs(), data=st.data())
def test_a_peek_that_is_not_the_one_written_with_the_json_is_not_used(
    events: tuple[ConsentEvent, ...], data: st.DataObject
) -> None:
    """Either one edited behind terrain's back (or the JSON rewritten by an erasure):
    the reader reads the JSON, as it would without a peek."""
    for event in events:
        text = event_to_json(event)
        peek = _peek_of(text)
        if peek is None:
            continue
        edited = orjson.dumps(data.draw(st.sampled_from(_edits(orjson.loads(text))))).decode()
        assert _said(_stored_row(edited, peek)) == _said(_stored(edited))
        fields = orjson.loads(peek[_DIGEST:])
        place = data.draw(st.sampled_from([0, 2, 3, 4]))
        fields[place] = "forged" if fields[place] != "forged" else "other"
        forged = peek[:_DIGEST] + orjson.dumps(fields).decode()
        assert _said(_stored_row(text, forged)) == _said(_stored(text))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=logs(), data=st.data())
def test_a_peek_whose_digest_is_the_record_digest_of_it_and_its_json_is_used(
    events: tuple[ConsentEvent, ...], data: st.DataObject
) -> None:
    """The reader checks a peek with :func:`~terrain.store._schema.record_digest` of the
    peek and the JSON, and nothing else: a peek that says something else under the
    digest of what it says is read as it says (which is how the tests above know the
    peek, not the JSON, gave the answer; terrain never writes one)."""
    for event in events:
        text = event_to_json(event)
        peek = _peek_of(text)
        if peek is None:
            continue
        fields = orjson.loads(peek[_DIGEST:])
        place = data.draw(st.sampled_from([0, 2, 3, 4]))
        fields[place] = "said-otherwise" if fields[place] != "said-otherwise" else "other"
        said = orjson.dumps(fields).decode()
        stored = _stored_row(text, record_digest(f"{said}\n{text}") + said)
        assert (stored.subject_id, stored.consent_id, stored.scope, stored.renews) == (
            fields[0], fields[1], None if fields[2] is None else (fields[2], fields[3]),
            fields[4],
        )


@pytest.fixture
def ws(tmp_path: Path, store_url: str) -> Iterator[Workspace]:
    with velo(tmp_path / "velo", store_url, members=4) as w:
        yield w


def _history(ws: Workspace) -> None:
    """General and scoped grants, a scoped refusal, a renewal, a withdrawal."""
    ws.update_ledger(lambda ledger: ledger.grant(
        "m0", purposes=["publish"], at=T0, evidence=FORM, valid_until=T0 + timedelta(days=9)))
    ws.update_ledger(lambda ledger: ledger.grant(
        "m1", purposes=["publish"], at=T0, evidence=FORM, scope=Scope(kind="event", ref="e1")))
    ws.update_ledger(lambda ledger: ledger.refuse(
        "m2", purposes=["publish"], at=T0, evidence=FORM, scope=Scope(kind="event", ref="e1")))
    record = ws.update_ledger(lambda ledger: ledger.grant(
        "m3", purposes=["publish"], at=T0, evidence=FORM, scope=Scope(kind="event", ref="e2"),
        valid_until=T0 + timedelta(days=1)))
    ws.update_ledger(lambda ledger: ledger.renew(
        record.id, at=T0 + timedelta(hours=2), valid_until=T0 + timedelta(days=5)))
    ws.update_ledger(lambda ledger: ledger.withdraw("m0", at=T0 + timedelta(days=2)))


def _peeks(ws: Workspace) -> list[tuple[int, str | None]]:
    return [(int(seq), peek) for seq, peek in ws.db.query(
        "SELECT seq, peek FROM consent_events ORDER BY seq")]


def test_each_consent_event_is_stored_with_its_peek(ws: Workspace) -> None:
    _history(ws)
    rows = ws.db.query("SELECT data, peek FROM consent_events ORDER BY seq")
    assert [peek for _data, peek in rows] == [_peek_of(str(data)) for data, _peek in rows]
    assert sum(peek is not None for _data, peek in rows) == 4  # 3 scoped records, 1 renewal


def test_migration_15_peeks_at_the_events_stored_before(ws: Workspace) -> None:
    _history(ws)
    written = _peeks(ws)
    with ws.db.transaction() as tx:
        tx.execute("UPDATE consent_events SET peek = NULL")
        tx.execute("DELETE FROM schema_version WHERE version >= 15")
    again = Workspace.open(ws.root)
    try:
        assert again.db.schema_version() == MIGRATIONS[-1].version
        assert _peeks(again) == written
    finally:
        again.close()


def _photo_post(content_id: str) -> Post:
    return Post(id="p1", platform="x", text="Merci !", content_ids=(content_id,),
                media=(PostMedia(key=f"photos/{content_id}.jpg", content_id=content_id,
                                media_id="m1", media_type="image/jpeg"),))


def test_a_scoped_record_rewritten_behind_terrain_s_back_is_read_as_it_now_stands(
    ws: Workspace,
) -> None:
    """A refusal scoped to one event, made general in its JSON by hand: the reader reads
    the JSON (the peek no longer matches it), so the refusal holds for another event."""
    from terrain.workflows._publish import workspace_gate

    ws.update_ledger(lambda ledger: ledger.grant(
        "m2", purposes=["publish"], at=T0 - timedelta(days=1), evidence=FORM))
    ws.update_ledger(lambda ledger: ledger.refuse(
        "m2", purposes=["publish"], at=T0, evidence=FORM, scope=Scope(kind="event", ref="e1")))
    ws.add(Event(id="e2", title="Vélo", starts_at=T0, ends_at=T0 + timedelta(hours=2)))
    content = ws.put(reviewed_photo("c-e2", "m2", event_id="e2", at=T0)).id
    gate = workspace_gate(ws)
    at = T0 + timedelta(days=1)
    assert gate(_photo_post(content), at).allowed  # refused for e1 only
    seq, data = ws.db.query("SELECT seq, data FROM consent_events ORDER BY seq DESC")[0]
    doc = orjson.loads(data)
    doc["consent"]["scope"] = {"kind": "all", "ref": None}
    with ws.db.transaction() as tx:
        tx.execute("UPDATE consent_events SET data = ? WHERE seq = ?",
                   (orjson.dumps(doc).decode(), seq))
    fresh = Workspace.open(ws.root)
    try:
        assert not workspace_gate(fresh)(_photo_post(content), at).allowed
    finally:
        fresh.close()
