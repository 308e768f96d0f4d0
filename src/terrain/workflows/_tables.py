"""Tables in files: reading what a spreadsheet or a web service writes, writing what a
spreadsheet opens.

Reading (:func:`read_table`) takes CSV in any delimiter and encoding a
spreadsheet writes, and JSON:

- **Encoding.** A byte-order mark decides (UTF-8, UTF-16 little or big
  endian, as Excel's "Unicode text" writes); without one, NUL bytes every
  other byte mean UTF-16; else the file is UTF-8 if it decodes as UTF-8, and
  Windows-1252 (Latin-1 for the five bytes it lacks: Excel's "CSV" on a
  Windows machine in Western Europe) if no line of it holds UTF-8 beyond
  ASCII. A UTF-8 file with a few lines that are not (a row pasted from another
  program) stays UTF-8 and those rows are refused, named by line.
  ``encoding=`` overrides the detection (``cp1252``, ``latin-1``,
  ``utf-16``…), and rows that do not decode in it are refused by line.
- **Delimiter.** Sniffed among ``,`` ``;`` tab and ``|``: the one that splits
  the header in the most columns that the first rows agree with
  (``delimiter=`` overrides).
- **Lines.** LF, CRLF or CR; a cell in quotes may hold line breaks. Each row
  knows the line it starts on, as a text editor counts lines.
- **JSON.** A list of objects, or an object holding one list of objects
  (``{"members": [...]}``); nested objects become ``key.subkey`` columns, lists
  are joined with ``;``.

Writing (:func:`csv_bytes`) makes UTF-8 with a byte-order mark (so Excel reads
accents right), CRLF line ends, every cell quoted when needed, and a cell
starting with ``=`` ``+`` ``-`` ``@`` (or a tab, a CR) prefixed with ``'`` so
that a spreadsheet shows it as text instead of running it as a formula (CSV
injection, OWASP); :func:`read_table` takes that ``'`` off again.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from terrain.errors import ValidationError

__all__ = [
    "DELIMITERS",
    "Row",
    "Table",
    "csv_bytes",
    "decode",
    "neutralise",
    "read_table",
    "restore",
    "table_from_bytes",
]

#: The delimiters sniffed, in order of preference when they tie.
DELIMITERS = (",", ";", "\t", "|")
#: Characters that make a spreadsheet read a cell as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
#: How encodings are named in messages (Python's codec name -> the usual name).
_DISPLAY = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16",
    "utf-16-be": "UTF-16",
    "cp1252": "Windows-1252",
    "iso8859-1": "Latin-1",
    "iso8859-15": "Latin-9",
    "mac-roman": "Mac Roman",
}


@attrs.frozen
class Row:
    """One row of a table: the ``line`` it starts on (1 is the file's first line),
    its ``cells`` by column name, and a ``problem`` that makes it unreadable
    (bytes not in the file's encoding, more cells than columns)."""

    line: int
    cells: Mapping[str, str]
    problem: str | None = None

    def get(self, column: str) -> str:
        """The cell of ``column`` ("" when the row has none)."""
        return self.cells.get(column, "")


@attrs.frozen
class Table:
    """A table read from ``source``: its column names and rows, the encoding it was
    read in, and its delimiter (``None`` for JSON)."""

    source: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    encoding: str
    delimiter: str | None

    def describe(self) -> str:
        """``members.csv: 12 rows, UTF-8, semicolon-separated``."""
        what = "JSON" if self.delimiter is None else f"{_NAMES[self.delimiter]}-separated"
        rows = f"{len(self.rows)} row{'s' if len(self.rows) != 1 else ''}"
        return f"{self.source}: {rows}, {self.encoding}, {what}"


def _formula_like(cell: str) -> bool:
    """Whether ``cell`` starts a formula, after any ``'`` (which must then be kept)."""
    return cell.lstrip("'").startswith(_FORMULA_START)


def neutralise(cell: str) -> str:
    """``cell`` made safe for a spreadsheet: a leading ``= + - @`` (or tab, CR) is
    prefixed with ``'`` so it is shown as text, never run as a formula (a cell that
    already starts with ``'`` before one gets one more, so that :func:`restore` gives
    it back as it was)."""
    return "'" + cell if _formula_like(cell) else cell


def restore(cell: str) -> str:
    """The cell :func:`neutralise` was given (one ``'`` taken off again)."""
    if cell[:1] == "'" and _formula_like(cell[1:]):
        return cell[1:]
    return cell


def csv_bytes(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> bytes:
    """A CSV file of ``rows`` (``columns`` in order) that a spreadsheet opens right:
    UTF-8 with a byte-order mark, CRLF, and a cell that would start a formula
    (``= + - @``, tab, CR) prefixed with ``'``, so it is shown as text, never run.

    ``None`` is an empty cell, ``True``/``False`` are ``yes``/``no``, numbers are
    written as they are.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(c) for c in columns])
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    return neutralise(str(value))


# -- decoding ----------------------------------------------------------------------------


def _utf16(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` when ``data`` (no BOM) has NUL bytes every other byte."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0) / len(sample[0::2])
    odd = sample[1::2].count(0) / len(sample[1::2])
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def _bad_byte(line: bytes, encoding: str) -> str:
    try:
        line.decode(encoding)
    except UnicodeDecodeError as exc:
        return f"byte 0x{line[exc.start]:02x} at column {exc.start + 1}"
    except LookupError:  # pragma: no cover - checked before
        return "an unknown encoding"
    return "nothing"  # pragma: no cover - called on lines that fail


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str, dict[int, str]]:
    """``(text, encoding used, {line number: what is wrong with it})``: the bytes of a
    file as text, by the rules of the module docstring.

    Lines that do not decode are kept with U+FFFD in place of the bad bytes,
    and named in the third item; :class:`~terrain.errors.ValidationError` for
    an encoding Python does not know.
    """
    if encoding is not None:
        try:
            name = _DISPLAY.get(codecs.lookup(encoding).name, codecs.lookup(encoding).name)
        except LookupError:
            raise ValidationError(
                f"encoding {encoding!r} is not one Python knows; give utf-8, cp1252, latin-1 "
                "or utf-16 (or leave it out: terrain detects it)"
            ) from None
        if name.lower().startswith(("utf-16", "utf-32")):
            return _decode_whole(data, encoding, name)
        return _decode_lines(data, encoding, name)
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode_lines(data[3:], "utf-8", "UTF-8 (with BOM)")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode_whole(data, "utf-16", "UTF-16")
    wide = _utf16(data)
    if wide is not None:
        return _decode_whole(data, wide, "UTF-16")
    lines = data.split(b"\n")
    bad = []
    utf8_beyond_ascii = False
    for line in lines:
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(line)
        else:
            utf8_beyond_ascii = utf8_beyond_ascii or not line.isascii()
    if not bad:
        return data.decode("utf-8"), "UTF-8", {}
    if utf8_beyond_ascii:
        return _decode_lines(data, "utf-8", "UTF-8")
    try:
        return data.decode("cp1252"), "Windows-1252", {}
    except UnicodeDecodeError:
        return data.decode("latin-1"), "Latin-1", {}


def _decode_lines(data: bytes, encoding: str, name: str) -> tuple[str, str, dict[int, str]]:
    problems = {}
    parts = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            parts.append(line.decode(encoding))
        except UnicodeDecodeError:
            parts.append(line.decode(encoding, errors="replace"))
            problems[number] = (
                f"is not {name} text ({_bad_byte(line, encoding)}): the row was written in "
                "another encoding; retype it, or give the file's encoding with --encoding"
            )
    return "\n".join(parts), name, problems


def _decode_whole(data: bytes, encoding: str, name: str) -> tuple[str, str, dict[int, str]]:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].decode(encoding, errors="replace").count("\n") + 1
        text = data.decode(encoding, errors="replace")
        return text.removeprefix("\ufeff"), name, {
            line: f"is not {name} text (bytes at offset {exc.start}): the file is damaged or "
            "not in this encoding; give its encoding with --encoding"
        }
    return text.removeprefix("\ufeff"), name, {}


# -- parsing -----------------------------------------------------------------------------


def _records(text: str, delimiter: str, limit: int | None = None) -> list[tuple[int, list[str]]]:
    """``(first line, cells)`` of each CSV record of ``text``."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    out = []
    end = 0
    for cells in reader:
        start = end + 1
        end = reader.line_num
        out.append((start, cells))
        if limit is not None and len(out) >= limit:
            break
    return out


def sniff(text: str) -> str:
    """The delimiter of CSV ``text`` (see the module docstring)."""
    best, best_score = ",", (0.0, 1)
    for delimiter in DELIMITERS:
        try:
            records = [cells for _, cells in _records(text, delimiter, limit=30) if any(cells)]
        except csv.Error:
            continue
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        agree = sum(1 for r in records[1:] if len(r) == width) / max(1, len(records) - 1)
        score = (agree, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_table(
    source: str, text: str, encoding: str, problems: Mapping[int, str], delimiter: str | None
) -> Table:
    used = delimiter or sniff(text)
    try:
        records = _records(text, used)
    except csv.Error as exc:
        raise ValidationError(f"{source} is not a CSV file that can be read: {exc}") from None
    records = [(line, cells) for line, cells in records if any(c.strip() for c in cells)]
    if not records:
        raise ValidationError(f"{source} holds no row: give a file with a header row and data")
    header_line, header = records[0]
    columns = [c.strip().removeprefix("\ufeff") for c in header]
    seen: dict[str, int] = {}
    for index, name in enumerate(columns):
        if not name:
            columns[index] = f"column {index + 1}"
            continue
        key = name.casefold()
        if key in seen:
            raise ValidationError(
                f"{source}, line {header_line}: the header names the column {name!r} twice "
                f"(columns {seen[key] + 1} and {index + 1}); rename one of them"
            )
        seen[key] = index
    rows = []
    ends = [line for line, _ in records[1:]] + [10**9]
    for (line, cells), next_line in zip(records[1:], ends[1:], strict=True):
        problem = next(
            (
                problems[n] if n == line else f"its line {n} {problems[n]}"
                for n in sorted(problems)
                if line <= n < next_line
            ),
            None,
        )
        extra = cells[len(columns) :]
        if problem is None and any(c.strip() for c in extra):
            problem = (
                f"has {len(cells)} cells but the header has {len(columns)} columns: a "
                f"{_NAMES[used]} inside a cell that is not in quotes?"
            )
        values = {
            column: restore(cells[i]).strip() if i < len(cells) else ""
            for i, column in enumerate(columns)
        }
        rows.append(Row(line, values, problem))
    return Table(source, tuple(columns), tuple(rows), encoding, used)


def _flat(value: Any, prefix: str, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flat(inner, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list):
        out[prefix] = "; ".join("" if v is None else str(v) for v in value)
    elif isinstance(value, bool):
        out[prefix] = "yes" if value else "no"
    else:
        out[prefix] = "" if value is None else str(value)


def _json_table(source: str, text: str, encoding: str) -> Table:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"{source}, line {exc.lineno}: not valid JSON ({exc.msg}); fix it, or export the "
            "file again"
        ) from None
    items = document
    if isinstance(document, dict):
        lists = [v for v in document.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise ValidationError(
                f"{source}: a JSON file to import is a list of objects, or an object holding "
                "one such list ({\"members\": [...]}); this one holds "
                f"{len(lists)} lists"
            )
        items = lists[0]
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ValidationError(f"{source}: a JSON file to import is a list of objects, one per row")
    lines = _object_lines(text)
    rows = []
    columns: dict[str, None] = {}
    for index, item in enumerate(items):
        cells: dict[str, str] = {}
        _flat(item, "", cells)
        columns.update(dict.fromkeys(cells))
        rows.append(Row(lines[index] if index < len(lines) else 0, cells))
    return Table(source, tuple(columns), tuple(rows), encoding, None)


def _object_lines(text: str) -> list[int]:
    """The line each object of the (first) list of objects in ``text`` starts on."""
    decoder = json.JSONDecoder()
    start = text.find("[")
    if start < 0:
        return []
    pos, lines = start + 1, list[int]()
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] != "{":
            return lines
        lines.append(text.count("\n", 0, pos) + 1)
        try:
            _, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            return lines


def table_from_bytes(
    data: bytes,
    source: str,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    json_format: bool | None = None,
) -> Table:
    """A table read from the bytes of a file named ``source`` (see :func:`read_table`)."""
    if delimiter is not None and delimiter not in DELIMITERS:
        shown = ", ".join(repr(d) for d in DELIMITERS)
        raise ValidationError(f"delimiter {delimiter!r}: give one of {shown}")
    text, used, problems = decode(data, encoding)
    if json_format is None:
        json_format = source.lower().endswith(".json") or text.lstrip()[:1] in ("[", "{")
    if json_format:
        if problems:
            line, problem = next(iter(problems.items()))
            raise ValidationError(f"{source}, line {line} {problem}")
        return _json_table(source, text, used)
    return _csv_table(source, text, used, problems, delimiter)


def read_table(
    path: Path | str,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    max_bytes: int | None = None,
) -> Table:
    """The table in file ``path``: CSV (any delimiter, encoding, line ends) or JSON.

    :class:`~terrain.errors.ValidationError` when the file cannot be read as a
    table, naming the line; rows that cannot be read keep their ``problem``
    (the import refuses them, by line). ``max_bytes`` refuses a bigger file by
    its size, before it is read.
    """
    file = Path(path)
    if file.is_dir():
        raise ValidationError(f"{file} is a folder: give the file to import")
    try:
        size = file.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise ValidationError(
                f"{file} is too large to import ({size / 1e6:.0f} MB, over "
                f"{max_bytes / 1e6:.0f} MB); split it, or raise [import] max_file_mb"
            )
        if not file.is_file():
            raise ValidationError(f"{file} is not a regular file: give a CSV or JSON file")
        data = file.read_bytes()
    except FileNotFoundError:
        raise ValidationError(f"{file} does not exist: check the path") from None
    except OSError as exc:
        raise ValidationError(f"cannot read {file}: {exc.strerror or exc}") from None
    if not data.strip():
        raise ValidationError(f"{file} is empty: give a file with a header row and data")
    return table_from_bytes(data, file.name, encoding=encoding, delimiter=delimiter)
