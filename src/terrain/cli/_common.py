"""What every command shares: error handling, exit codes and ``--json`` output.

Everything a command prints goes through one filter (:class:`TerrainGroup`
installs it around the whole command): control characters — terminal escape
sequences, carriage returns, bidirectional overrides — are written as
``\\uXXXX``, so a file name, a record or a platform's answer can never drive
the terminal, and ``--json`` output stays valid JSON, read back unchanged;
secrets are masked (:func:`terrain.secrets.redact`). A rich progress bar,
terrain's own drawing, writes to the terminal itself (:func:`terminal`).
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import click

from terrain.errors import (
    AccessDenied,
    ConfigError,
    Conflict,
    ConsentError,
    LinkRefused,
    NotFound,
    PluginError,
    StorageError,
    StoreUnavailable,
    TerrainError,
    ValidationError,
)

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = [
    "BY_META",
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_UNREACHABLE",
    "EXIT_USAGE",
    "DefaultGroup",
    "TerrainGroup",
    "echo_lines",
    "emit",
    "emit_list",
    "fail",
    "flat_rows",
    "json_option",
    "list_options",
    "login",
    "pass_workspace",
    "printable",
    "terminal",
    "workspace_option",
]

EXIT_OK = 0  #: everything asked for was done
EXIT_FAILED = 1  #: the command ran, but some of the work failed (see the message)
EXIT_USAGE = 2  #: bad input or configuration; nothing was changed
#: the store could not be reached (server down, connection lost, file locked); nothing
#: stored is lost, run the command again once it answers (75 is EX_TEMPFAIL, sysexits.h)
EXIT_UNREACHABLE = 75

#: Errors that mean "the user asked for something wrong": exit code 2.
USAGE_ERRORS: tuple[type[TerrainError], ...] = (
    ValidationError,
    ConfigError,
    NotFound,
    Conflict,
    ConsentError,
    PluginError,
    StorageError,
    LinkRefused,
    AccessDenied,
)


#: C0 controls but tab and newline, DEL, C1 controls, and the bidirectional
#: embeddings, overrides and isolates (a name shown reversed, "Trojan source").
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


#: The characters of :data:`_UNPRINTABLE` that ASCII text can hold: C0 controls but
#: tab and newline, and DEL (the others are not ASCII).
_ASCII_UNPRINTABLE = tuple(map(chr, (*range(0x09), *range(0x0B, 0x20), 0x7F)))


def printable(text: str) -> str:
    """``text`` with every control character written ``\\uXXXX`` (see the module doc)."""
    # What a listing prints (2 MB for 20,000 consent records), when ASCII: each control
    # character looked for in C (memchr), no copy of the text made: a millisecond, where
    # encoding it and translating the bytes (two 2 MB copies) took three and the
    # pattern's scan of every character fifteen
    if text.isascii() and not any(char in text for char in _ASCII_UNPRINTABLE):
        return text
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class _PrintableStream:
    """A text stream that writes :func:`printable` text, secrets masked, to ``raw``."""

    def __init__(self, raw: TextIO) -> None:
        self.raw = raw

    def write(self, text: str) -> int:
        from terrain._redact import redact  # not terrain.secrets: no logging, no TOML

        if not isinstance(text, str):  # click probes with b"": say this is a text stream
            raise TypeError(f"_PrintableStream.write: takes text, not {type(text).__name__}")
        self.raw.write(printable(redact(text)))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


def terminal() -> TextIO:
    """The real standard output, for terrain's own drawing (a rich progress bar)."""
    stream = sys.stdout
    while isinstance(stream, _PrintableStream):
        stream = stream.raw
    return stream


@contextlib.contextmanager
def _printable_output() -> Iterator[None]:
    saved = sys.stdout, sys.stderr
    sys.stdout = _PrintableStream(saved[0])
    sys.stderr = _PrintableStream(saved[1])
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def login() -> str:
    """Who is at the keyboard (the login name), for the logs that say who did what."""
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def fail(message: str, *, code: int = EXIT_USAGE) -> NoReturn:
    """Print ``Error: message`` on stderr and exit with ``code``."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


class TerrainGroup(click.Group):
    """A click group that turns terrain's errors into one-paragraph messages.

    A user mistake never shows a traceback: :class:`TerrainError` subclasses
    become ``Error: ...`` and exit code 2 (bad input) or 1 (the work failed);
    a store that cannot be reached exits with 75 (run again later).
    Everything printed, click's own usage errors included, goes through
    :func:`printable` (see the module doc).
    """

    def main(self, *args: Any, **kwargs: Any) -> Any:
        with _printable_output():
            return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StoreUnavailable as exc:
            fail(str(exc), code=EXIT_UNREACHABLE)
        except TerrainError as exc:
            code = EXIT_USAGE if isinstance(exc, USAGE_ERRORS) else EXIT_FAILED
            fail(str(exc), code=code)


class DefaultGroup(click.Group):
    """A group whose first word, when it is none of its commands, is the first argument of
    its ``default`` command: ``terrain rsvp EV M going`` is ``terrain rsvp answer EV M
    going``, while ``terrain rsvp import FILE`` runs ``import``.

    Completing the first word offers what the default command's first argument
    takes (and the other commands whose name starts with what is typed).
    """

    def __init__(self, *args: Any, default: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default = default

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [self.default, *args]
        return super().parse_args(ctx, args)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[Any]:
        from click.shell_completion import CompletionItem

        command = self.commands[self.default]
        sub = command.make_context(self.default, [], parent=ctx, resilient_parsing=True)
        first = next((p for p in command.params if isinstance(p, click.Argument)), None)
        items: list[CompletionItem] = list(first.shell_complete(sub, incomplete)) if first else []
        if incomplete:
            items += [
                CompletionItem(name)
                for name in self.commands
                if name != self.default and name.startswith(incomplete)
            ]
        return items


def json_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--json``: print machine-readable output instead of text."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print machine-readable JSON instead of text."
    )(f)


def emit(data: Any, *, as_json: bool, human: Callable[[], None]) -> None:
    """Print ``data`` as JSON when ``as_json``, else call ``human()`` to print text.

    ``data`` is plain data or terrain models (unstructured with the converter).
    """
    if as_json:
        from terrain.serialization import unstructure

        click.echo(json.dumps(unstructure(data), ensure_ascii=False, indent=2, sort_keys=True))
    else:
        human()


def echo_lines(lines: Iterable[str]) -> None:
    """Print ``lines``, each followed by a newline, in one write (as many
    ``click.echo`` calls would print them: a listing of 20,000 lines pays for
    one write, not 20,000): the text is joined with its last newline, not copied
    again to add it."""
    printed = list(lines)
    if printed:
        printed.append("")
        click.echo("\n".join(printed), nl=False)


#: Where ``terrain --by NAME`` keeps the name the changes are recorded as.
BY_META = "terrain.by"


def list_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--json`` and ``--csv`` (a spreadsheet: UTF-8 with BOM, cells made safe), exclusive."""
    f = click.option(
        "--csv",
        "as_csv",
        is_flag=True,
        help="Print CSV for a spreadsheet (UTF-8 with BOM; cells starting with = + - @ are "
        "quoted so they are never run as formulas).",
    )(f)
    return json_option(f)


def emit_list(
    data: Any,
    *,
    as_json: bool,
    as_csv: bool,
    table: tuple[Sequence[str], Iterable[Mapping[str, Any]]] | FlatTable,
    human: Callable[[], None],
) -> None:
    """Print a list as JSON (``data``), CSV (``table``: columns and rows), or text
    (``human``)."""
    if as_json and as_csv:
        fail("give --json or --csv, not both")
    if as_csv:
        from terrain.workflows import csv_bytes

        sys.stdout.flush()
        click.echo(csv_bytes(*table), nl=False)
        return
    emit(data, as_json=as_json, human=human)


def _flat(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        if all(not isinstance(v, dict | list) for v in value.values()) and prefix:
            out[prefix] = "; ".join(f"{k}={v}" for k, v in value.items())
            return
        for key, inner in value.items():
            _flat(inner, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            out[prefix] = "; ".join("" if v is None else str(v) for v in value)
        else:
            out[prefix] = json.dumps(value, ensure_ascii=False)
    else:
        out[prefix] = value


class FlatTable:
    """``(columns, rows)`` of :func:`flat_rows`, made when first unpacked.

    A list command passes its table to :func:`emit_list` whatever the output
    asked for; only ``--csv`` reads it, so the text and JSON outputs never pay
    for flattening every record (seconds for the 20,000 consents of a city).
    """

    __slots__ = ("_made", "_records")

    def __init__(self, records: Iterable[Any]) -> None:
        self._records = records
        self._made: tuple[list[str], list[dict[str, Any]]] | None = None

    def __iter__(self) -> Iterator[Any]:
        if self._made is None:
            from terrain.serialization import unstructure

            rows = []
            columns: dict[str, None] = {}
            for record in self._records:
                row: dict[str, Any] = {}
                _flat(unstructure(record), "", row)
                columns.update(dict.fromkeys(row))
                rows.append(row)
            self._made = list(columns), rows
        return iter(self._made)


def flat_rows(records: Iterable[Any]) -> FlatTable:
    """``(columns, rows)``: records (models) as spreadsheet rows, nested values
    flattened (``fee.cents``), lists joined with ``;``, lists of objects as JSON.

    Made when unpacked (``columns, rows = flat_rows(records)``), not before."""
    return FlatTable(records)


def workspace_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--workspace DIR`` (or ``$TERRAIN_WORKSPACE``), passed as ``workspace_dir``.

    For commands that create a workspace or open it themselves (``init``,
    ``demo``); most commands want :func:`pass_workspace`.
    """
    return click.option(
        "--workspace",
        "workspace_dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="TERRAIN_WORKSPACE",
        default=None,
        help="Workspace folder (default: $TERRAIN_WORKSPACE, else the current folder "
        "or its nearest parent holding a terrain.toml).",
    )(f)


def _tell_upgrade(ws: Workspace) -> None:
    """Say (on stderr) what the migrations run on opening ``ws`` did to its data."""
    notes = ws.upgrade_notes()
    if notes:
        click.echo(
            f"Note: the workspace database was upgraded; {notes[0][1]}. See every note with "
            "`terrain store migrate`.",
            err=True,
        )


def pass_workspace(f: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--workspace DIR`` and call the command with ``ws=`` the opened workspace.

    The folder is ``--workspace``, else ``$TERRAIN_WORKSPACE``, else the
    current folder or its nearest parent with a ``terrain.toml`` (like git).
    The workspace is closed when the command returns::

        @click.command("list")
        @pass_workspace
        def command(ws: Workspace) -> None: ...
    """

    @functools.wraps(f)
    def wrapper(*args: Any, workspace_dir: Path | None, **kwargs: Any) -> Any:
        from terrain.store import Workspace

        ctx = click.get_current_context(silent=True)
        by = ctx.find_root().meta.get(BY_META) if ctx is not None else None
        ws = (
            Workspace.open(workspace_dir, actor=by)
            if workspace_dir is not None
            else Workspace.find(actor=by)
        )
        with ws:
            _tell_upgrade(ws)
            saved = ws.commits
            try:
                return f(*args, ws=ws, **kwargs)
            except StorageError as exc:
                if ws.commits == saved:
                    raise  # nothing was saved: exit 2 says so
                # part of the work is in the workspace: exit 1, and say so
                fail(
                    f"{exc}\nPart of the work was saved before this failure: check what is "
                    "there (the list commands), then run the command again once it is fixed.",
                    code=EXIT_FAILED,
                )

    return workspace_option(wrapper)
