"""What the ``import`` sub-commands share: their options, and how a report is printed.

``terrain member import``, ``rsvp import``, ``checkin import`` and ``consent
import`` take a FILE (CSV or JSON) and the same options; each calls one
workflow (:func:`terrain.workflows.import_members`…) and prints its report
row by row, with the line of each row.

Exit codes: 0 when every row was imported (or, with ``--dry-run``, would be);
2 when rows are refused and nothing was stored; 1 with ``--skip-bad`` when
the good rows were stored but some were refused.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from terrain.cli._common import EXIT_FAILED, emit, fail

if TYPE_CHECKING:
    from terrain.workflows import ImportResult

__all__ = ["import_options", "print_import", "run_import"]

_MARK = {"created": "+", "changed": "~", "unchanged": "=", "ignored": "-", "refused": "x"}


def import_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """FILE and ``--preset``, ``--mapping``, ``--encoding``, ``--delimiter``,
    ``--dry-run``, ``--skip-bad``, ``--json``."""
    options = [
        click.argument("file", type=click.Path(dir_okay=False, path_type=Path)),
        click.option(
            "--preset",
            default=None,
            type=click.Choice(["terrain", "meetup", "luma", "eventbrite", "helloasso"],
                              case_sensitive=False),
            help="Whose export FILE is: its columns, answers and date format (default: "
            "[import] preset, else terrain's own columns).",
        ),
        click.option(
            "--mapping",
            default=None,
            type=click.Path(dir_okay=False, path_type=Path),
            help="A mapping file (TOML) naming FILE's columns, for exports no preset reads.",
        ),
        click.option(
            "--encoding",
            default=None,
            help="FILE's encoding, e.g. cp1252 or utf-16 (default: detected).",
        ),
        click.option(
            "--delimiter",
            default=None,
            type=click.Choice([",", ";", "tab", "|"]),
            help="FILE's delimiter (default: sniffed).",
        ),
        click.option(
            "--dry-run",
            is_flag=True,
            help="Show, row by row, what would be created, changed or refused; store nothing.",
        ),
        click.option(
            "--skip-bad",
            is_flag=True,
            help="Import the good rows even if some are refused (default: all or nothing).",
        ),
        click.option(
            "--json", "as_json", is_flag=True, help="Print machine-readable JSON instead of text."
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _data(result: ImportResult) -> dict[str, Any]:
    return {
        "what": result.what,
        "source": result.source,
        "dry_run": result.dry_run,
        "stored": result.stored,
        "counts": result.counts,
        "columns": dict(result.columns),
        "rows": [
            {"line": r.line, "action": r.action, "target": r.target, "message": r.message}
            for r in result.rows
        ],
    }


def print_import(result: ImportResult, *, as_json: bool) -> None:
    """Print a report: every row with its line, then the counts."""

    def human() -> None:
        click.echo(result.source)
        if result.columns:
            shown = ", ".join(f"{field} <- {column!r}" for field, column in result.columns)
            click.echo(f"  columns: {shown}")
        for row in result.rows:
            target = "" if row.target == "row" else f" {row.target}"
            click.echo(f"  line {row.line:>4} {_MARK[row.action]} {row.action}{target}"
                       + (f": {row.message}" if row.message else ""))
        if result.dry_run:
            verdict = "dry run, nothing stored"
        elif result.stored:
            verdict = "stored"
        elif result.refused:
            verdict = "nothing stored"
        else:
            verdict = "nothing to store"
        click.echo(f"{result.summary()} ({verdict}).")

    emit(_data(result), as_json=as_json, human=human)


def run_import(
    call: Callable[..., ImportResult],
    *,
    file: Path,
    preset: str | None,
    mapping: Path | None,
    encoding: str | None,
    delimiter: str | None,
    dry_run: bool,
    skip_bad: bool,
    as_json: bool,
    ws: Any,
    **options: Any,
) -> None:
    """Call the import workflow ``call`` with the options, print its report, exit as
    the module docstring says."""
    from terrain.workflows import ImportRefused, column_map

    columns = column_map(ws, preset, mapping)
    try:
        result = call(
            ws,
            file,
            columns=columns,
            encoding=encoding,
            delimiter="\t" if delimiter == "tab" else delimiter,
            dry_run=dry_run,
            skip_bad=skip_bad,
            **options,
        )
    except ImportRefused as refused:
        print_import(refused.report, as_json=as_json)
        fail(str(refused))
    print_import(result, as_json=as_json)
    if result.refused and not dry_run:
        fail(
            f"{len(result.refused)} row(s) refused and left out (see above); the others were "
            "imported",
            code=EXIT_FAILED,
        )
