"""Importing the attendee exports of Meetup, Luma, Eventbrite and HelloAsso.

The sample files in ``samples/`` follow each service's export as it writes it
(columns, delimiter, encoding, date format); the ``-broken`` ones add rows
that go wrong in the field: a date that does not exist, an event terrain
does not know, an email given to two people, a row in another encoding. A
dry run and a real run say the same, row by row with the line; a refused row
stores nothing unless ``skip_bad``; importing a file twice changes nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from terrain import Community, Event, Member
from terrain.events import Attendance, RsvpStatus
from terrain.store import Workspace
from terrain.workflows import (
    COLUMN_PRESETS,
    ImportRefused,
    ImportResult,
    column_map,
    import_checkins,
    import_consents,
    import_members,
    import_rsvps,
    load_mapping,
    read_table,
)

SAMPLES = Path(__file__).parent / "samples"
NOW = datetime(2026, 3, 13, 9, tzinfo=UTC)


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    monkeypatch.setenv("TERRAIN_NOW", "2026-03-13T10:00:00+01:00")
    root = tmp_path / "velo"
    community = Community(id="velo-lyon", name="Vélo Lyon", timezone="Europe/Paris")
    with Workspace.init(root, community=community) as workspace:
        workspace.add(
            Event(
                id="ev-12",
                title="Vélo & ville #12",
                starts_at=datetime(2026, 3, 12, 18, tzinfo=UTC),
                ends_at=datetime(2026, 3, 12, 21, tzinfo=UTC),
            )
        )
        yield workspace


def dump(ws: Workspace) -> list[tuple[object, ...]]:
    """Every record and history row: equal dumps = nothing stored."""
    records = ws.db.query("SELECT kind, id, data FROM records ORDER BY kind, id")
    return records + ws.db.query("SELECT seq, kind, record_id FROM history ORDER BY seq")


def lines(result: ImportResult, action: str) -> list[int]:
    return [r.line for r in result.rows if r.action == action]


# -- each preset reads its service's export ----------------------------------------------


def test_a_meetup_attendee_list_brings_members_matched_by_their_meetup_id(ws: Workspace) -> None:
    cmap = COLUMN_PRESETS["meetup"]
    result = import_members(ws, SAMPLES / "meetup-attendees.xls", columns=cmap)
    assert result.summary() == "4 rows: 4 created"
    lea = ws.get(Member, "lea-martin")
    assert lea.handles == {"meetup": "12537919"}
    assert str(lea.joined_on) == "2024-04-24"  # Meetup writes dates month first
    rsvps = import_rsvps(ws, SAMPLES / "meetup-attendees.xls", columns=cmap, event_id="ev-12",
                         at=NOW)
    assert rsvps.summary() == "4 rows: 4 created"
    answers = ws.get(Attendance, "ev-12")
    assert answers.status_of("ines-roux") is RsvpStatus.WAITLIST
    assert answers.status_of("tom-weber") is RsvpStatus.CANCELLED
    going = next(r for r in answers.rsvps if r.member_id == "lea-martin")
    assert going.at == datetime(2026, 3, 2, 10, 26, tzinfo=going.at.tzinfo)
    checkins = import_checkins(ws, SAMPLES / "meetup-attendees.xls", columns=cmap,
                               event_id="ev-12")
    assert lines(checkins, "changed") == [2, 3]  # Attendance: Y
    assert ws.get(Attendance, "ev-12").checked_in == ("lea-martin", "karim-benali")


def test_a_luma_guest_list_brings_emails_phones_answers_and_check_in_times(
    ws: Workspace,
) -> None:
    cmap = COLUMN_PRESETS["luma"]
    import_members(ws, SAMPLES / "luma-guests.csv", columns=cmap)
    lea = ws.get(Member, "lea-martin")
    assert (lea.email, lea.phone) == ("lea@velo-lyon.fr", "+33 6 12 34 56 78")
    rsvps = import_rsvps(ws, SAMPLES / "luma-guests.csv", columns=cmap, event_id="ev-12", at=NOW)
    assert lines(rsvps, "ignored") == [6]  # pending approval: no answer yet
    assert rsvps.counts["created"] == 4
    checkins = import_checkins(ws, SAMPLES / "luma-guests.csv", columns=cmap, event_id="ev-12")
    assert lines(checkins, "changed") == [2]
    (lea_rsvp,) = [r for r in ws.get(Attendance, "ev-12").rsvps if r.member_id == "lea-martin"]
    assert lea_rsvp.status is RsvpStatus.CHECKED_IN
    assert lea_rsvp.changed_at == datetime(2026, 3, 12, 18, 5, 10, tzinfo=UTC)


def test_an_eventbrite_attendee_summary_finds_the_event_by_its_title(ws: Workspace) -> None:
    cmap = COLUMN_PRESETS["eventbrite"]
    import_members(ws, SAMPLES / "eventbrite-attendees.csv", columns=cmap)
    result = import_rsvps(ws, SAMPLES / "eventbrite-attendees.csv", columns=cmap, at=NOW)
    assert result.summary() == "4 rows: 4 created"
    answers = ws.get(Attendance, "ev-12")
    assert answers.status_of("karim-benali") is RsvpStatus.CHECKED_IN
    assert answers.status_of("ines-roux") is RsvpStatus.CANCELLED


def test_a_helloasso_export_in_windows_1252_uses_the_payer_email_only_for_the_payer(
    ws: Workspace,
) -> None:
    table = read_table(SAMPLES / "helloasso-participants.csv")
    assert table.encoding == "Windows-1252"
    assert table.delimiter == ";"
    result = import_members(ws, SAMPLES / "helloasso-participants.csv",
                            columns=COLUMN_PRESETS["helloasso"])
    assert result.summary() == "5 rows: 5 created"
    assert ws.get(Member, "ines-roux").email == "ines@velo-lyon.fr"
    assert ws.get(Member, "zoe-roux").email is None  # her mother paid: not her address


# -- broken rows: named by line, nothing half-imported, dry run agrees ---------------------

BROKEN = [
    # (sample, preset, import, refused lines, words in the refusals)
    ("meetup-attendees-broken.xls", "meetup", "members", [7], ["not UTF-8 text", "0xfc"]),
    ("meetup-attendees-broken.xls", "meetup", "rsvps", [6, 7], ["'02/30/2026 9:00 AM'"]),
    ("luma-guests-broken.csv", "luma", "members", [7], ["lea@velo-lyon.fr is also on line 2"]),
    ("luma-guests-broken.csv", "luma", "rsvps", [7, 8], ["2026-13-01"]),
    ("eventbrite-attendees-broken.csv", "eventbrite", "members", [7], ["also on line 3"]),
    ("eventbrite-attendees-broken.csv", "eventbrite", "rsvps", [6, 7],
     ["'Vélo & ville #99' does not exist"]),
    ("helloasso-participants-broken.csv", "helloasso", "rsvps", [7], ["'31/02/2026 10:00'"]),
]  # fmt: skip


def _import(ws: Workspace, what: str, sample: str, preset: str, **options: object
            ) -> ImportResult:
    cmap = COLUMN_PRESETS[preset]
    path = SAMPLES / sample
    if what == "members":
        return import_members(ws, path, columns=cmap, **options)  # type: ignore[arg-type]
    event = {} if preset == "eventbrite" else {"event_id": "ev-12"}
    return import_rsvps(ws, path, columns=cmap, at=NOW, add_members=True,
                        **event, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("sample", "preset", "what", "refused", "words"), BROKEN, ids=[f"{b[1]}-{b[2]}" for b in BROKEN]
)
def test_broken_rows_are_named_by_line_and_nothing_is_half_imported(
    ws: Workspace, sample: str, preset: str, what: str, refused: list[int], words: list[str]
) -> None:
    before = dump(ws)
    dry = _import(ws, what, sample, preset, dry_run=True)
    assert dump(ws) == before
    assert lines(dry, "refused") == refused
    messages = " ".join(r.message for r in dry.refused)
    for word in words:
        assert word in messages
    with pytest.raises(ImportRefused) as stopped:
        _import(ws, what, sample, preset)
    assert stopped.value.report.rows == dry.rows  # the dry run said what the real run does
    assert f"line {refused[0]}" in str(stopped.value)
    assert dump(ws) == before  # all or nothing
    kept = _import(ws, what, sample, preset, skip_bad=True)
    assert kept.rows == dry.rows
    assert kept.stored
    again = _import(ws, what, sample, preset, skip_bad=True)
    assert {r.action for r in again.rows} <= {"unchanged", "ignored", "refused"}


def test_importing_the_same_file_twice_changes_nothing_and_records_no_history(
    ws: Workspace,
) -> None:
    for name in ("luma", "eventbrite", "helloasso", "meetup"):
        sample = next(SAMPLES.glob(f"{name}-*[!n].*"))
        import_members(ws, sample, columns=COLUMN_PRESETS[name])
    before = dump(ws)
    for name in ("luma", "eventbrite", "helloasso", "meetup"):
        sample = next(SAMPLES.glob(f"{name}-*[!n].*"))
        result = import_members(ws, sample, columns=COLUMN_PRESETS[name])
        assert {r.action for r in result.rows} == {"unchanged"}, result.rows
        assert not result.stored
    assert dump(ws) == before


def test_one_person_in_four_exports_is_one_member(ws: Workspace) -> None:
    """Léa is in every export (by email in three, by her Meetup id in the fourth)."""
    for name in ("luma", "eventbrite", "helloasso"):
        import_members(ws, next(SAMPLES.glob(f"{name}-*[!n].*")), columns=COLUMN_PRESETS[name])
    assert [m.id for m in ws.list(Member) if m.display_name == "Léa Martin"] == ["lea-martin"]
    assert len(ws.list(Member)) == 6  # Léa, Karim, Inès, Tom, Nadia (Luma) and Zoé (HelloAsso)


def test_rows_about_people_who_are_not_members_are_refused_unless_they_are_added(
    ws: Workspace,
) -> None:
    dry = import_rsvps(ws, SAMPLES / "luma-guests.csv", columns=COLUMN_PRESETS["luma"],
                       event_id="ev-12", at=NOW, dry_run=True)
    assert lines(dry, "refused") == [2, 3, 4, 5, 6]
    assert "terrain member import" in dry.rows[0].message
    added = import_rsvps(ws, SAMPLES / "luma-guests.csv", columns=COLUMN_PRESETS["luma"],
                         event_id="ev-12", at=NOW, add_members=True)
    assert added.counts["refused"] == 0
    assert ws.exists(Member, "nadia-cherif")


def test_a_file_with_no_column_of_the_preset_is_refused_before_any_row(
    ws: Workspace, tmp_path: Path
) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("Colonne A;Colonne B\n1;2\n", encoding="utf-8")
    with pytest.raises(Exception, match="no column terrain reads with the meetup preset"):
        import_members(ws, odd, columns=COLUMN_PRESETS["meetup"])


def test_a_mapping_file_names_other_columns_and_answers(ws: Workspace, tmp_path: Path) -> None:
    mapping = tmp_path / "form.toml"
    mapping.write_text(
        'extends = "terrain"\n'
        '[columns]\nname = "Votre nom"\nemail = "Votre courriel"\nanswer = "Vous venez ?"\n'
        '[answers]\n"Oui !" = "going"\n"Peut-être" = "waitlist"\n',
        encoding="utf-8",
    )
    form = tmp_path / "reponses.csv"
    form.write_text(
        "Horodateur,Votre nom,Votre courriel,Vous venez ?\n"
        "2026-03-01 10:00,Léa Martin,lea@velo-lyon.fr,Oui !\n"
        "2026-03-01 11:00,Karim Benali,karim@velo-lyon.fr,Peut-être\n",
        encoding="utf-8",
    )
    cmap = load_mapping(mapping)
    import_members(ws, form, columns=cmap)
    import_rsvps(ws, form, columns=cmap, event_id="ev-12", at=NOW)
    answers = ws.get(Attendance, "ev-12")
    assert answers.status_of("karim-benali") is RsvpStatus.WAITLIST


def test_the_default_preset_comes_from_terrain_toml(ws: Workspace) -> None:
    text = (ws.root / "terrain.toml").read_text()
    (ws.root / "terrain.toml").write_text(text + '\n[import]\npreset = "luma"\n')
    with Workspace.open(ws.root) as again:
        assert column_map(again).name == "luma"


def test_consents_from_a_form_are_recorded_once(ws: Workspace, tmp_path: Path) -> None:
    import_members(ws, SAMPLES / "luma-guests.csv", columns=COLUMN_PRESETS["luma"])
    form = tmp_path / "consents.csv"
    form.write_text(
        "email,purposes,platforms,at,evidence_text,version\n"
        "lea@velo-lyon.fr,publish;tag,x;instagram,2026-03-01 10:00,J'accepte d'être prise en "
        "photo et publiée,v2\n"
        "karim@velo-lyon.fr,publish,,2026-03-01 10:05,J'accepte d'être pris en photo,v2\n",
        encoding="utf-8",
    )
    first = import_consents(ws, form)
    assert first.summary() == "2 rows: 2 created"
    lea = ws.ledger().for_subject("lea-martin")
    assert [sorted(p.value for p in c.purposes) for c in lea] == [["publish", "tag"]]
    again = import_consents(ws, form)
    assert again.summary() == "2 rows: 2 unchanged"
    assert len(ws.consent_events()) == 2


def test_the_same_rows_read_from_json_import_the_same(ws: Workspace, tmp_path: Path) -> None:
    people = tmp_path / "people.json"
    people.write_text(
        '{"members": [\n'
        ' {"id": "lea", "name": "Léa Martin", "email": "lea@velo-lyon.fr",\n'
        '  "handles": {"x": "lea_m"}, "tags": ["vélo", "cargo"]},\n'
        ' {"id": "karim", "name": "Karim", "email": "not-an-email"}\n'
        "]}\n",
        encoding="utf-8",
    )
    dry = import_members(ws, people, dry_run=True)
    assert [(r.line, r.action) for r in dry.rows] == [(2, "created"), (4, "refused")]
    assert "not an email address" in dry.rows[1].message
    import_members(ws, people, skip_bad=True)
    lea = ws.get(Member, "lea")
    assert (lea.handles, lea.tags) == ({"x": "lea_m"}, frozenset({"vélo", "cargo"}))


def test_a_refused_import_leaves_the_sqlite_file_without_the_rows(ws: Workspace) -> None:
    with pytest.raises(ImportRefused):
        import_members(ws, SAMPLES / "luma-guests-broken.csv", columns=COLUMN_PRESETS["luma"])
    path = ws.db.path
    assert path is not None
    rows = sqlite3.connect(path).execute("SELECT COUNT(*) FROM records WHERE kind = 'member'")
    assert rows.fetchone() == (0,)
