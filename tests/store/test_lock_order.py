"""The workspace's two locks are always taken in one order: the store's write lock,
then the consent ledger's. A thread inside a write transaction that reads the members
(the ledger's lock) must never deadlock with another thread erasing a person."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from terrain import Community, Member
from terrain.community import ERASED_NAME
from terrain.store import Workspace

NOW = datetime(2026, 4, 2, 10, 0, tzinfo=UTC)


def test_an_erasure_waits_for_a_write_transaction_that_reads_the_members(
    tmp_path: Path,
) -> None:
    # not a fixture: were the threads to deadlock, closing the workspace would wait too
    ws = Workspace.init(tmp_path / "velo", community=Community(id="velo", name="Vélo"))
    ws.add(Member(id="lea", display_name="Léa Martin"))
    ws.add(Member(id="ana", display_name="Ana Costa"))
    in_transaction = threading.Event()
    erasing = threading.Event()
    seen: list[set[str]] = []
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with ws.db.transaction():
                in_transaction.set()
                erasing.wait(5)
                # the erasing thread is now waiting for the write lock; had it taken
                # the ledger's lock first, this read would wait for it forever
                threading.Event().wait(0.2)
                seen.append(set(ws.members()))
        except BaseException as exc:  # reported below
            errors.append(exc)

    def eraser() -> None:
        in_transaction.wait(5)
        erasing.set()
        try:
            lea = ws.get(Member, "lea")
            tombstone = Member(id="erased-1", display_name=ERASED_NAME, erased_at=NOW)
            ws.erase_person(lea, tombstone, texts=[lea.display_name], note="at their request")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, daemon=True),
               threading.Thread(target=eraser, daemon=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    if any(thread.is_alive() for thread in threads):
        pytest.fail("the two threads deadlocked (the workspace is left open)")
    try:
        assert not errors
        assert seen == [{"lea", "ana"}]  # the transaction ran before the erasure
        assert set(ws.members()) == {"erased-1", "ana"}
    finally:
        ws.close()
