"""Importing people, answers, check-ins and consents from files.

:func:`import_members`, :func:`import_rsvps`, :func:`import_checkins` and
:func:`import_consents` read a table (:func:`~terrain.workflows.read_table`:
CSV in any delimiter and encoding, or JSON) through a column map (a preset or
a mapping file: :mod:`terrain.workflows._columns`) and say, row by row with
its line, what the row creates, changes, leaves unchanged, ignores (an
answer that is no answer yet) or refuses, and why.

- **All or nothing.** The whole file is one transaction: a refused row
  stores nothing (:class:`ImportRefused` carries the report), unless
  ``skip_bad`` keeps the good rows.
- **Dry run.** ``dry_run`` reports the same rows without storing anything:
  both run the same planning, so they agree.
- **Idempotent.** People are matched by id, email or handle (see
  :mod:`terrain.workflows._roster`) and answers by member and event, so
  importing the same file twice changes nothing, and the history records
  only what changed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from terrain._time import instant, require_aware
from terrain.community import Member
from terrain.errors import TerrainError, ValidationError
from terrain.events import Attendance, Event, Rsvp, RsvpStatus
from terrain.workflows._cells import CellError, parse_instant, split_list, truthy
from terrain.workflows._columns import ColumnMap, Columns, load_mapping, preset
from terrain.workflows._roster import People, Person, person_of
from terrain.workflows._tables import Row, Table, read_table

if TYPE_CHECKING:
    from terrain.consent import Consent, ConsentLedger
    from terrain.store import Workspace

__all__ = [
    "ImportRefused",
    "ImportResult",
    "RowOutcome",
    "column_map",
    "import_checkins",
    "import_consents",
    "import_members",
    "import_rsvps",
    "load_table",
]

#: What a row did, in the order a report lists the counts.
IMPORT_ACTIONS = ("created", "changed", "unchanged", "ignored", "refused")


@attrs.frozen
class RowOutcome:
    """What one row of the file does: ``action`` (one of :data:`IMPORT_ACTIONS`) to
    ``target`` (``member lea``, ``rsvp ev-12 lea``), with ``message`` saying
    what, or why it is refused."""

    line: int
    action: str
    target: str
    message: str

    def __str__(self) -> str:
        if self.action == "refused":
            return f"line {self.line}: {self.message}"
        return f"line {self.line}: {self.action} {self.target}: {self.message}".rstrip(": ")


@attrs.frozen
class ImportResult:
    """What an import did (or, with ``dry_run``, would do): one :class:`RowOutcome`
    per row; ``stored`` says whether anything was written."""

    what: str
    source: str
    rows: tuple[RowOutcome, ...]
    dry_run: bool
    stored: bool
    columns: tuple[tuple[str, str], ...] = ()

    @property
    def counts(self) -> dict[str, int]:
        """How many rows did each action (every action listed, even at 0)."""
        found = Counter(r.action for r in self.rows)
        return {action: found.get(action, 0) for action in IMPORT_ACTIONS}

    @property
    def refused(self) -> tuple[RowOutcome, ...]:
        """The rows refused."""
        return tuple(r for r in self.rows if r.action == "refused")

    def summary(self) -> str:
        """``12 rows: 10 created, 2 unchanged`` (actions with no row left out)."""
        parts = [f"{n} {action}" for action, n in self.counts.items() if n]
        return f"{len(self.rows)} row{'s' if len(self.rows) != 1 else ''}: " + (
            ", ".join(parts) or "nothing"
        )


class ImportRefused(ValidationError):
    """Rows of the file cannot be imported, so nothing was (``report`` names them)."""

    def __init__(self, message: str, report: ImportResult) -> None:
        super().__init__(message)
        self.report = report


# -- reading the file --------------------------------------------------------------------


def column_map(ws: Workspace, preset_name: str | None = None, mapping: Path | str | None = None
               ) -> ColumnMap:
    """The column map to read a file with: the mapping file if given, else the preset
    (default: ``[import] preset`` of terrain.toml, else ``terrain``)."""
    if mapping is not None:
        return load_mapping(mapping)
    return preset(preset_name or ws.config.import_preset)


def load_table(
    ws: Workspace,
    path: Path | str,
    cmap: ColumnMap,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Table:
    """The file at ``path`` as a table: ``encoding`` and ``delimiter`` if given, else the
    column map's, else ``[import] encoding`` of terrain.toml, else detected."""
    default = ws.config.import_encoding
    return read_table(
        path,
        encoding=encoding or cmap.encoding or (None if default == "auto" else default),
        delimiter=delimiter or cmap.delimiter,
        max_bytes=ws.config.max_file_bytes,
    )


# -- the shape of every import -----------------------------------------------------------

Planner = Callable[[Row, int], RowOutcome]


def _run(
    ws: Workspace,
    what: str,
    table: Table,
    columns: Columns,
    start: Callable[[], None],
    plan: Planner,
    write: Callable[[list[RowOutcome]], None],
    *,
    dry_run: bool,
    skip_bad: bool,
) -> ImportResult:
    """Plan every row (``start`` first reads what is stored: in the write transaction
    unless ``dry_run``), then write all or none of it."""

    def planned() -> list[RowOutcome]:
        start()
        out = []
        for index, row in enumerate(table.rows):
            if row.problem is not None:
                out.append(RowOutcome(row.line, "refused", "row", row.problem))
                continue
            try:
                out.append(plan(row, index))
            except (CellError, TerrainError) as exc:
                out.append(RowOutcome(row.line, "refused", "row", str(exc)))
        return out

    shown = tuple(sorted(columns.found.items()))
    if dry_run:
        return ImportResult(what, table.describe(), tuple(planned()), True, False, shown)
    with ws.db.transaction():
        outcomes = planned()
        result = ImportResult(what, table.describe(), tuple(outcomes), False, False, shown)
        refused = result.refused
        if refused and not skip_bad:
            lines = "; ".join(str(r) for r in refused[:3])
            more = f" (and {len(refused) - 3} more)" if len(refused) > 3 else ""
            raise ImportRefused(
                f"{len(refused)} row{'s' if len(refused) != 1 else ''} of {table.source} cannot "
                f"be imported, so nothing was: {lines}{more}; fix "
                f"{'them' if len(refused) != 1 else 'it'} (see every row with --dry-run), or "
                "pass --skip-bad to import the others",
                result,
            )
        write(outcomes)
    changed = any(r.action in ("created", "changed") for r in outcomes)
    return attrs.evolve(result, stored=changed)


def _note(table: Table, lines: Iterable[int]) -> str:
    numbers = sorted(set(lines))
    shown = ", ".join(str(n) for n in numbers[:10]) + (", …" if len(numbers) > 10 else "")
    return f"import {table.source}, line{'s' if len(numbers) > 1 else ''} {shown}"


def _changes(before: Any, after: Any) -> str:
    """``email: — → lea@velo.fr; phone: — → +33 6``: the fields a row changes."""
    parts = []
    for field in attrs.fields(type(after)):
        old, new = getattr(before, field.name), getattr(after, field.name)
        if old != new:
            shown_old = "—" if old in (None, "", (), frozenset()) else _shown(old)
            parts.append(f"{field.name}: {shown_old} → {_shown(new)}")
    return "; ".join(parts)


def _shown(value: Any) -> str:
    if isinstance(value, frozenset | set):
        return ", ".join(sorted(str(v) for v in value))
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    if hasattr(value, "items"):
        return ", ".join(f"{k}: {v}" for k, v in sorted(value.items()))
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


# -- members -----------------------------------------------------------------------------


def _member_row(
    people: People, columns: Columns, cmap: ColumnMap, row: Row
) -> tuple[RowOutcome, Person]:
    """Plan one row about a person: created, changed or unchanged (``people`` updated)."""
    person = person_of(columns, cmap, row.cells)
    people.check_email(person, row.line)
    found = people.find(person)
    member = people.merged(person, found)
    people.check_consistent(member.id, person, row.line)
    before = people.current.get(member.id)
    if before is None and found is None and member.id in people.current:
        raise CellError(f"id {member.id!r} is taken by another member")
    people.keep(member)
    label = f"member {member.id}"
    if before is None:
        return RowOutcome(row.line, "created", label, member.display_name), person
    if before == member:
        return RowOutcome(row.line, "unchanged", label, member.display_name), person
    return RowOutcome(row.line, "changed", label, _changes(before, member)), person


def _write_members(ws: Workspace, people: People, table: Table, lines: dict[str, list[int]]
                   ) -> None:
    for member_id, touched in lines.items():
        member = people.current[member_id]
        original = people.stored.get(member_id)
        if original == member:
            continue
        if original is None:
            ws.add(member, note=_note(table, touched))
        else:
            ws.put(member, note=_note(table, touched))


def import_members(
    ws: Workspace,
    source: Path | str | Table,
    *,
    columns: ColumnMap | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    dry_run: bool = False,
    skip_bad: bool = False,
) -> ImportResult:
    """Create or update the members listed in ``source`` (a file, or a read table).

    Each row is matched to a member by id, email or handle (by exact name when
    it gives none), then created or updated.
    All or nothing unless ``skip_bad``; ``dry_run`` stores nothing. Raises
    :class:`ImportRefused` (with the report) when rows are refused.
    ``encoding`` and ``delimiter`` override their detection (see :func:`load_table`).
    """
    cmap = columns or column_map(ws)
    table = _table(ws, source, cmap, encoding, delimiter)
    cols = cmap.resolve(table.columns)
    _require_name(cols, table, cmap)
    state: dict[str, Any] = {}
    lines: dict[str, list[int]] = {}

    def start() -> None:
        state["people"] = People(ws.list(Member))
        lines.clear()

    def plan(row: Row, _index: int) -> RowOutcome:
        outcome, _ = _member_row(state["people"], cols, cmap, row)
        lines.setdefault(outcome.target.split(" ", 1)[1], []).append(row.line)
        return outcome

    return _run(
        ws,
        "members",
        table,
        cols,
        start,
        plan,
        lambda _outcomes: _write_members(ws, state["people"], table, lines),
        dry_run=dry_run,
        skip_bad=skip_bad,
    )


def _table(
    ws: Workspace,
    source: Path | str | Table,
    cmap: ColumnMap,
    encoding: str | None,
    delimiter: str | None,
) -> Table:
    if isinstance(source, Table):
        return source
    return load_table(ws, source, cmap, encoding=encoding, delimiter=delimiter)


def _require_name(cols: Columns, table: Table, cmap: ColumnMap) -> None:
    if not (cols.has("name") or cols.has("first_name") or cols.has("last_name")
            or cols.has("email") or cols.handles or cols.has("id")):
        raise ValidationError(
            f"{table.source} has no column terrain reads with the {cmap.name} preset (its "
            f"columns: {', '.join(table.columns[:8])}); choose the preset of the service that "
            "wrote it (--preset), or describe its columns in a mapping file (--mapping)"
        )


# -- answers and check-ins ---------------------------------------------------------------


class _Answers:
    """The attendance lists an import changes, by event, as they stand after each row."""

    def __init__(self, ws: Workspace, event_id: str | None) -> None:
        self.ws = ws
        self.fixed = event_id
        self.events = {e.id: e for e in ws.list(Event)}
        self.titles: dict[str, list[str]] = {}
        for event in self.events.values():
            self.titles.setdefault(event.title.casefold(), []).append(event.id)
        if event_id is not None and event_id not in self.events:
            ws.get(Event, event_id)  # NotFound, naming `terrain event list`
        self.lists: dict[str, Attendance] = {}
        self.stored: dict[str, Attendance | None] = {}
        self.lines: dict[str, list[int]] = {}
        self.seen: dict[tuple[str, str], tuple[int, str]] = {}

    def event_of(self, columns: Columns, row: Row) -> Event:
        named = columns.value(row.cells, "event")
        if self.fixed is not None:
            return self.events[self.fixed]
        if not named:
            raise CellError("no event: give --event EVENT_ID, or fill the event column")
        if named in self.events:
            return self.events[named]
        ids = self.titles.get(named.casefold(), [])
        if len(ids) == 1:
            return self.events[ids[0]]
        if ids:
            raise CellError(f"several events are called {named!r} ({', '.join(ids)}): give --event")
        raise CellError(
            f"event {named!r} does not exist (by id or title): add it with `terrain event add`, "
            "or fix the event column"
        )

    def attendance(self, event: Event) -> Attendance:
        if event.id not in self.lists:
            stored = self.ws.get(Attendance, event.id) if self.ws.exists(
                Attendance, event.id) else None
            self.stored[event.id] = stored
            self.lists[event.id] = stored or Attendance(event.id)
        return self.lists[event.id]

    def once(self, event: Event, member_id: str, line: int, status: str) -> None:
        earlier = self.seen.get((event.id, member_id))
        if earlier is not None and earlier[1] != status:
            raise CellError(
                f"{member_id} is {earlier[1]} on line {earlier[0]} of this file for the same "
                f"event ({event.id}): keep one of the two rows"
            )
        self.seen[(event.id, member_id)] = (line, status)

    def set(self, event: Event, member_id: str, status: RsvpStatus, at: datetime, line: int
            ) -> str:
        """Give ``member_id`` ``status`` in ``event``'s list: created, changed or unchanged."""
        answers = self.attendance(event)
        current = next((r for r in answers.rsvps if r.member_id == member_id), None)
        if current is not None and current.status is status:
            return "unchanged"
        if current is None:
            rsvps = (*answers.rsvps, Rsvp(member_id, status, at))
        else:
            rsvps = tuple(
                attrs.evolve(r, status=status, changed_at=at) if r.member_id == member_id else r
                for r in answers.rsvps
            )
        self.lists[event.id] = attrs.evolve(answers, rsvps=rsvps)
        self.lines.setdefault(event.id, []).append(line)
        return "created" if current is None else "changed"

    def write(self, table: Table) -> None:
        for event_id, answers in self.lists.items():
            if answers != self.stored.get(event_id) and event_id in self.lines:
                self.ws.put(answers, note=_note(table, self.lines[event_id]))


def _member_for(
    people: People,
    columns: Columns,
    cmap: ColumnMap,
    row: Row,
    add_members: bool,
    created: dict[str, list[int]],
) -> str:
    """The member a row of answers is about (created with ``add_members``)."""
    if add_members:
        outcome, _ = _member_row(people, columns, cmap, row)
        member_id = outcome.target.split(" ", 1)[1]
        if outcome.action in ("created", "changed"):
            created.setdefault(member_id, []).append(row.line)
        return member_id
    person = person_of(columns, cmap, row.cells)
    found = people.find(person)
    if found is None:
        raise CellError(
            f"{person.describe()} is not a member: import them first (`terrain member import`), "
            "or pass --add-members"
        )
    if people.current[found].erased:
        raise CellError(f"{found} was erased at their request: nothing is recorded for them")
    return found


def _answers_import(
    ws: Workspace,
    what: str,
    source: Path | str | Table,
    row_status: Callable[[Columns, ColumnMap, Row, Event], tuple[RsvpStatus, datetime] | None],
    *,
    ignored: str,
    event_id: str | None,
    columns: ColumnMap | None,
    encoding: str | None,
    delimiter: str | None,
    add_members: bool,
    dry_run: bool,
    skip_bad: bool,
) -> ImportResult:
    cmap = columns or column_map(ws)
    table = _table(ws, source, cmap, encoding, delimiter)
    cols = cmap.resolve(table.columns)
    _require_name(cols, table, cmap)
    state: dict[str, Any] = {}

    def start() -> None:
        state["people"] = People(ws.list(Member))
        state["answers"] = _Answers(ws, event_id)
        state["created"] = {}

    def plan(row: Row, _index: int) -> RowOutcome:
        answers: _Answers = state["answers"]
        event = answers.event_of(cols, row)
        member_id = _member_for(state["people"], cols, cmap, row, add_members, state["created"])
        said = row_status(cols, cmap, row, event)
        target = f"{what[:-1]} {event.id} {member_id}"
        if said is None:
            return RowOutcome(row.line, "ignored", target, ignored)
        status, at = said
        if event.cancelled and status is not RsvpStatus.CANCELLED:
            raise CellError(f"event {event.id} is cancelled: it takes no answer")
        answers.once(event, member_id, row.line, status.value)
        action = answers.set(event, member_id, status, at, row.line)
        return RowOutcome(row.line, action, target, status.value)

    def write(_outcomes: list[RowOutcome]) -> None:
        if state["created"]:
            _write_members(ws, state["people"], table, state["created"])
        state["answers"].write(table)

    return _run(ws, what, table, cols, start, plan, write, dry_run=dry_run, skip_bad=skip_bad)


def _at(cols: Columns, cmap: ColumnMap, row: Row, field: str, ws_zone: str,
        default: datetime) -> datetime:
    value = cols.value(row.cells, field)
    if not value:
        return default
    try:
        return parse_instant(value, ws_zone, order=cmap.date_order)
    except CellError as exc:
        raise CellError(f"{cols.found[field]}: {exc}") from None


def import_rsvps(
    ws: Workspace,
    source: Path | str | Table,
    *,
    at: datetime,
    event_id: str | None = None,
    columns: ColumnMap | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    add_members: bool = False,
    dry_run: bool = False,
    skip_bad: bool = False,
) -> ImportResult:
    """Record the answers listed in ``source`` for ``event_id`` (else each row's event).

    The answer column is read through the column map (``approved`` → going);
    the file is the record of what the service decided, so statuses are taken
    as they are (no waitlisting by capacity). Answers given with no time are
    taken as given at ``at``. Rows about people who are not members are
    refused, unless ``add_members`` creates them. All or nothing unless
    ``skip_bad``; ``dry_run`` stores nothing.
    """
    require_aware(at, "import_rsvps: at")
    zone = ws.community.timezone

    def status(cols: Columns, cmap: ColumnMap, row: Row, event: Event
               ) -> tuple[RsvpStatus, datetime] | None:
        written = cols.value(row.cells, "answer")
        if not cols.has("answer"):
            meaning: str | None = "going"
        else:
            meaning = cmap.answer(written)
            if meaning is None:
                raise CellError(
                    f"{cols.found['answer']} {written!r} is not an answer the {cmap.name} preset "
                    f"reads ({cmap.known_answers()}); add it under [answers] in a mapping file"
                )
        if meaning is None or meaning == "ignore":
            return None
        when = _at(cols, cmap, row, "at", zone, at)
        return RsvpStatus("cancelled" if meaning == "cancel" else meaning), when

    return _answers_import(
        ws, "rsvps", source, status, ignored="no answer yet in the file", event_id=event_id,
        columns=columns, encoding=encoding, delimiter=delimiter, add_members=add_members,
        dry_run=dry_run, skip_bad=skip_bad,
    )


def import_checkins(
    ws: Workspace,
    source: Path | str | Table,
    *,
    event_id: str | None = None,
    columns: ColumnMap | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    add_members: bool = False,
    dry_run: bool = False,
    skip_bad: bool = False,
) -> ImportResult:
    """Check in the people ``source`` says came to ``event_id`` (else each row's event).

    A row is a check-in when its ``checked_in_at`` holds a time, or its
    ``attended`` says yes (checked in at the event's start), or its answer
    reads ``checked-in``; other rows are ignored. Someone with no RSVP comes in
    as a walk-in. All or nothing unless ``skip_bad``; ``dry_run`` stores nothing.
    """
    zone = ws.community.timezone

    def status(cols: Columns, cmap: ColumnMap, row: Row, event: Event
               ) -> tuple[RsvpStatus, datetime] | None:
        if cols.value(row.cells, "checked_in_at"):
            return RsvpStatus.CHECKED_IN, _at(
                cols, cmap, row, "checked_in_at", zone, event.starts_at
            )
        attended = cols.value(row.cells, "attended")
        try:
            came = truthy(attended) if attended else False
        except CellError as exc:
            raise CellError(f"{cols.found['attended']}: {exc}") from None
        if came or cmap.answer(cols.value(row.cells, "answer")) == "checked-in":
            return RsvpStatus.CHECKED_IN, event.starts_at
        return None

    return _answers_import(
        ws, "check-ins", source, status, ignored="not checked in", event_id=event_id,
        columns=columns, encoding=encoding, delimiter=delimiter, add_members=add_members,
        dry_run=dry_run, skip_bad=skip_bad,
    )


# -- consents ----------------------------------------------------------------------------


def _evidence(cols: Columns, row: Row) -> Any:
    from terrain.consent import Evidence

    kind = cols.value(row.cells, "evidence")
    text, version = cols.value(row.cells, "evidence_text"), cols.value(row.cells, "version")
    witness, form = cols.value(row.cells, "witness"), cols.value(row.cells, "form")
    if not kind:
        kind = "checkbox" if text else "verbal" if witness else "signed-form" if form else ""
    if not kind:
        raise CellError(
            "no evidence: give the checkbox's text and version, a witness (verbal consent) "
            "or the key of a signed form's scan"
        )
    return Evidence(
        kind=kind, text=text, version=version, witness=witness or None, file_key=form or None
    )


def _consent_id(*parts: object) -> str:
    """The id of an imported consent with no id of its own: made from what it says, so
    that importing it again finds it (``c-`` and 12 hex digits)."""
    import hashlib
    import json

    text = json.dumps([str(p) for p in parts], ensure_ascii=False)
    return "c-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def import_consents(
    ws: Workspace,
    source: Path | str | Table,
    *,
    columns: ColumnMap | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    dry_run: bool = False,
    skip_bad: bool = False,
) -> ImportResult:
    """Record the consents (and refusals) listed in ``source`` in the consent log.

    Each row names a member (id, email or handle), its ``purposes``, when it
    was given (``at``: required, a consent is dated) and its evidence; the
    ledger checks each as a consent given by hand is checked (a minor's needs
    a guardian among ``given_by``). A row with no ``consent_id`` gets an id
    made from what it says, so importing it again finds it unchanged; the log
    is append-only, so a row naming an id already recorded for another member,
    at another time or for other purposes is refused. All or nothing unless
    ``skip_bad``.
    """
    from terrain.consent import Purpose, Scope

    cmap = columns or column_map(ws)
    table = _table(ws, source, cmap, encoding, delimiter)
    cols = cmap.resolve(table.columns)
    _require_name(cols, table, cmap)
    zone = ws.community.timezone
    state: dict[str, Any] = {}

    def start() -> None:
        state["people"] = People(ws.list(Member))
        state["ledger"] = ws.ledger()

    def plan(row: Row, _index: int) -> RowOutcome:
        people: People = state["people"]
        ledger: ConsentLedger = state["ledger"]
        person = person_of(cols, cmap, row.cells)
        member_id = people.find(person)
        if member_id is None:
            raise CellError(f"{person.describe()} is not a member: import them first")
        try:
            purposes = sorted({Purpose(p.casefold()) for p in split_list(
                cols.value(row.cells, "purposes"))})
        except ValueError as exc:
            known = ", ".join(p.value for p in Purpose)
            raise CellError(f"{exc}: a purpose is one of {known}") from None
        if not purposes:
            raise CellError("no purpose: say what is allowed (publish, tag, archive…)")
        if not cols.value(row.cells, "at"):
            raise CellError("no date: when was this consent given? (the at column)")
        at = _at(cols, cmap, row, "at", zone, datetime.min)
        until = _at(cols, cmap, row, "until", zone, at) if cols.value(row.cells, "until") else None
        refused_text = cols.value(row.cells, "refused")
        refused = truthy(refused_text) if refused_text else False
        given_by = [people.guardian_ids(Person(guardians=(g,)))[0]
                    for g in split_list(cols.value(row.cells, "given_by"))]
        event = cols.value(row.cells, "event")
        if event and not ws.exists(Event, event):
            raise CellError(f"event {event!r} does not exist: fix the event column")
        platforms = sorted({p.casefold() for p in split_list(cols.value(row.cells, "platforms"))})
        evidence = _evidence(cols, row)
        record_id = cols.value(row.cells, "consent_id") or _consent_id(
            member_id, refused, [p.value for p in purposes], platforms, instant(at), until,
            event, sorted(given_by), evidence,
        )
        what = f"{'refused' if refused else 'given'}: {', '.join(p.value for p in purposes)}"
        label = f"consent {record_id} of {member_id}"
        taken = _find(ledger, record_id)
        if taken is not None:
            same = (
                taken.subject_id == member_id
                and instant(taken.history[0].at) == instant(at)
                and taken.purposes == frozenset(purposes)
                and (taken.history[0].status.value == "refused") == refused
            )
            if not same:
                raise CellError(
                    f"consent {record_id} is already recorded and says otherwise (of "
                    f"{taken.subject_id}, {taken.history[0].status.value} on "
                    f"{taken.history[0].at.isoformat()}): the consent log is never edited; "
                    "give this consent another id"
                )
            return RowOutcome(row.line, "unchanged", label, what)
        (ledger.refuse if refused else ledger.grant)(
            member_id,
            purposes=purposes,
            at=at,
            evidence=evidence,
            given_by=given_by or None,
            platforms=platforms or None,
            scope=Scope(kind="event", ref=event) if event else None,
            valid_until=until,
            consent_id=record_id,
            recorded_by=ws.actor,
        )
        return RowOutcome(row.line, "created", label, what)

    def write(_outcomes: list[RowOutcome]) -> None:
        ws.save_ledger(state["ledger"])

    return _run(
        ws, "consents", table, cols, start, plan, write, dry_run=dry_run, skip_bad=skip_bad
    )


def _find(ledger: ConsentLedger, consent_id: str) -> Consent | None:
    from terrain.errors import NotFound

    try:
        return ledger.get(consent_id)
    except NotFound:
        return None
