"""Reading any table a spreadsheet writes, writing one it opens safely."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from terrain.errors import ValidationError
from terrain.workflows import csv_bytes
from terrain.workflows._cells import CellError, parse_day, parse_instant, slug
from terrain.workflows._tables import neutralise, restore, table_from_bytes

TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30
)


@given(st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=6))
def test_what_terrain_writes_reads_back_the_same_formula_or_not(
    cells: list[tuple[str, str]],
) -> None:
    rows = [{"a": a, "b": b} for a, b in cells]
    table = table_from_bytes(csv_bytes(["a", "b"], rows), "out.csv")
    assert [dict(r.cells) for r in table.rows if any(r.cells.values())] == [
        {"a": a.strip(), "b": b.strip()} for a, b in cells if a.strip() or b.strip()
    ]


@given(TEXT)
def test_no_cell_written_starts_a_formula(value: str) -> None:
    safe = neutralise(value)
    assert not safe.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert restore(safe) == value


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"])
@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_the_delimiter_encoding_and_line_ends_of_a_spreadsheet_are_found(
    delimiter: str, encoding: str, ending: str
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=ending)
    writer.writerows([["Nom", "Prénom", "Email"], ["Müller", "Zoé", "z@x.fr"],
                      ["Roux", "Inès; Léa", "i@x.fr"]])
    table = table_from_bytes(buffer.getvalue().encode(encoding), "f.csv")
    assert table.delimiter == delimiter
    assert table.columns == ("Nom", "Prénom", "Email")
    assert [r.get("Prénom") for r in table.rows] == ["Zoé", "Inès; Léa"]
    assert [r.line for r in table.rows] == [2, 3]


def test_a_cell_with_a_line_break_keeps_the_line_numbers_of_the_rows_after_it() -> None:
    text = 'name,notes\nLéa,"two\nlines"\nKarim,x\n'
    table = table_from_bytes(text.encode(), "f.csv")
    assert [(r.line, r.get("name")) for r in table.rows] == [(2, "Léa"), (4, "Karim")]


def test_a_row_with_more_cells_than_columns_is_named() -> None:
    table = table_from_bytes(b"name,email\nLea,lea@x.fr,extra\n", "f.csv")
    assert table.rows[0].problem is not None
    assert "3 cells but the header has 2 columns" in table.rows[0].problem


def test_a_header_naming_a_column_twice_is_refused() -> None:
    with pytest.raises(ValidationError, match="names the column 'Email' twice"):
        table_from_bytes(b"email,Email\na,b\n", "f.csv")


def test_a_json_file_that_is_not_a_list_of_objects_is_refused() -> None:
    with pytest.raises(ValidationError, match="list of objects"):
        table_from_bytes(b'{"a": 1}', "f.json")
    with pytest.raises(ValidationError, match="line 2"):
        table_from_bytes(b'[\n {"a": 1,,}]', "f.json")


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2026-03-12 19:00", "dmy", datetime(2026, 3, 12, 18, tzinfo=UTC)),
        ("12/03/2026 19:00", "dmy", datetime(2026, 3, 12, 18, tzinfo=UTC)),
        ("03/12/2026 7:00 PM", "mdy", datetime(2026, 3, 12, 18, tzinfo=UTC)),
        ("2026-03-12T18:00:00.000Z", "dmy", datetime(2026, 3, 12, 18, tzinfo=UTC)),
        ("2026-03-12 07:00 PM", "mdy", datetime(2026, 3, 12, 18, tzinfo=UTC)),
    ],
)
def test_dates_as_services_write_them(text: str, order: str, expected: datetime) -> None:
    assert parse_instant(text, "Europe/Paris", order=order) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2026-02-30", "is not a date"),
        ("31/02/2026 10:00", "is not a date"),
        ("2026-03-29 02:30", "does not exist"),
        ("2026-10-25 02:30", "happens twice"),
        ("hier", "is not a date"),
    ],
)
def test_a_date_that_does_not_exist_is_refused_with_why(text: str, words: str) -> None:
    with pytest.raises(CellError, match=words):
        parse_instant(text, "Europe/Paris")


def test_a_day_and_an_id_made_from_a_name() -> None:
    assert parse_day("24/04/2014", order="dmy") == date(2014, 4, 24)
    assert slug("Léa  Martin-Dupont") == "lea-martin-dupont"
    assert slug("李雷", fallback="li@x.cn").startswith("m-")
