"""Properties of every member import, whatever the file: all or nothing, the dry run says
what the real run does, and a second import changes nothing."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain import Community
from terrain.store import Workspace
from terrain.testing import strategies as tst
from terrain.workflows import ImportRefused, import_members

NAMES = st.sampled_from(["Léa Martin", "Karim Benali", "Inès Roux", "Zoé", "Ana", "Jürgen Müller"])
BAD_DATES = st.sampled_from(["2026-02-30", "31/02/2026", "hier"])


@st.composite
def rows(draw: st.DrawFn) -> dict[str, str]:
    """A row as people fill spreadsheets: a name, maybe an email (now and then not one),
    maybe a handle, maybe a join date (now and then one that does not exist)."""
    row = {"name": draw(NAMES)}
    email = draw(st.none() | tst.emails() | st.just("lea at velo"))
    row["email"] = email or ""
    row["handle:x"] = draw(st.just("") | tst.handles())
    row["joined_on"] = draw(st.just("") | st.just("2025-09-12") | BAD_DATES)
    return row


@st.composite
def files(draw: st.DrawFn) -> bytes:
    """The rows written as some spreadsheet would: a delimiter, an encoding, line ends."""
    table = draw(st.lists(rows(), min_size=1, max_size=8))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=ending)
    columns = ["name", "email", "handle:x", "joined_on"]
    writer.writerow(columns)
    for row in table:
        writer.writerow([row[c] for c in columns])
    text = buffer.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    return text.encode(encoding)


def _dump(ws: Workspace) -> list[tuple[object, ...]]:
    return ws.db.query("SELECT kind, id, data FROM records ORDER BY kind, id") + ws.db.query(
        "SELECT seq, kind, record_id, after FROM history ORDER BY seq"
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files(), st.booleans())
def test_an_import_is_all_or_nothing_agrees_with_its_dry_run_and_is_idempotent(
    data: bytes, skip_bad: bool
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "people.csv"
        source.write_bytes(data)
        community = Community(id="velo", name="Vélo", timezone="Europe/Paris")
        with Workspace.init(Path(folder) / "ws", community=community) as ws:
            before = _dump(ws)
            dry = import_members(ws, source, dry_run=True)
            assert _dump(ws) == before
            if dry.refused and not skip_bad:
                with pytest.raises(ImportRefused) as refused:
                    import_members(ws, source)
                assert refused.value.report.rows == dry.rows
                assert _dump(ws) == before  # nothing half-imported
                return
            real = import_members(ws, source, skip_bad=skip_bad)
            assert real.rows == dry.rows
            assert skip_bad or not dry.refused
            stored = _dump(ws)
            again = import_members(ws, source, skip_bad=True)
            assert {r.action for r in again.rows} <= {"unchanged", "refused"}
            assert [r.line for r in again.refused] == [r.line for r in dry.refused]
            assert _dump(ws) == stored
