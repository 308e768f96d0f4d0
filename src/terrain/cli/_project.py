"""``terrain project add|list|phase|milestone|photo|interview|timeline|composite|update``.

The city hall case: a square rebuilt over months, followed with photos from
the same viewpoints before, during and after, micro-interviews of the people
met on site, and a monthly update published through the consent gate.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from terrain import clock
from terrain.cli._common import (
    EXIT_FAILED,
    emit,
    emit_list,
    fail,
    flat_rows,
    json_option,
    list_options,
    login,
    pass_workspace,
)
from terrain.cli._complete import complete_content_id
from terrain.cli._event import interview_options, record_and_print
from terrain.cli._money import parse_day
from terrain.cli._publish import dry_run_option, enqueue_option, to_option

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["command"]

_PHASES = ["before", "during", "after"]


@click.group("project")
def command() -> None:
    """Follow a project over months: milestones, photo timeline, monthly update."""


@command.command("add")
@click.argument("project_id")
@click.option("--title", required=True, help="E.g. 'Place du Marché'.")
@click.option("--started", required=True, help="Start date, e.g. 2026-01-05.")
@click.option("--ends", default=None, help="Planned end date.")
@click.option("--location", default="", help="A place name people know (never coordinates).")
@click.option("--description", default="", help="What the project is.")
@json_option
@pass_workspace
def add(
    ws: Workspace,
    project_id: str,
    title: str,
    started: str,
    ends: str | None,
    location: str,
    description: str,
    as_json: bool,
) -> None:
    """Add project PROJECT_ID."""
    from terrain.projects import Project

    project = Project(
        id=project_id,
        title=title,
        started_on=parse_day(started, option="--started"),
        ends_on=parse_day(ends, option="--ends") if ends else None,
        location=location,
        description=description,
    )
    ws.add(project)
    emit(project, as_json=as_json, human=lambda: click.echo(f"Added {title} ({project_id})."))


@command.command("list")
@list_options
@pass_workspace
def list_(ws: Workspace, as_json: bool, as_csv: bool) -> None:
    """List the projects and their milestones."""
    from terrain.projects import Project

    projects = ws.list(Project)

    def human() -> None:
        if not projects:
            click.echo("No project yet: add one with `terrain project add ID --title ...`.")
        for p in projects:
            click.echo(f"{p.id:<20} {p.title}  (since {p.started_on}, {p.phase.value})")
            for m in p.milestones:
                state = f"reached {m.reached_on}" if m.reached_on else f"due {m.due_on or '?'}"
                click.echo(f"    {m.id:<16} {m.title}  ({state})")

    emit_list(projects, as_json=as_json, as_csv=as_csv, table=flat_rows(projects), human=human)


@command.command("milestone")
@click.argument("project_id")
@click.argument("milestone_id")
@click.option("--title", default=None, help="What the step is (required for a new one).")
@click.option("--due", default=None, help="Planned date.")
@click.option("--reached", default=None, help="Date it was reached.")
@json_option
@pass_workspace
def milestone(
    ws: Workspace,
    project_id: str,
    milestone_id: str,
    title: str | None,
    due: str | None,
    reached: str | None,
    as_json: bool,
) -> None:
    """Add milestone MILESTONE_ID to PROJECT_ID, or update it (e.g. --reached 2026-05-12)."""
    from terrain.workflows import set_milestone

    new = set_milestone(
        ws,
        project_id,
        milestone_id,
        title=title,
        due_on=parse_day(due, option="--due") if due else None,
        reached_on=parse_day(reached, option="--reached") if reached else None,
    )
    state = f"reached {new.reached_on}" if new.reached_on else f"due {new.due_on or '?'}"
    emit(new, as_json=as_json, human=lambda: click.echo(f"{project_id}: {new.title} ({state})."))


@command.command("photo")
@click.argument("project_id")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--phase", type=click.Choice(_PHASES), required=True, help="Before, during, after.")
@click.option("--viewpoint", default=None, help="Where it was taken from, e.g. 'fontaine'.")
@click.option("--taken", required=True, help="Date taken, e.g. 2026-01-10.")
@click.option("--alt", "alt_text", default="", help="What the photo shows, for screen readers.")
@click.option("--nobody", is_flag=True, help="Nobody recognisable is in it (publishable as is).")
@json_option
@pass_workspace
def photo(
    ws: Workspace,
    project_id: str,
    file: Path,
    phase: str,
    viewpoint: str | None,
    taken: str,
    alt_text: str,
    nobody: bool,
    as_json: bool,
) -> None:
    """Import FILE into PROJECT_ID's photo timeline (location metadata removed)."""
    from terrain.workflows import add_project_photo

    content, entry = add_project_photo(
        ws,
        project_id,
        file,
        phase=phase,
        taken_on=parse_day(taken, option="--taken"),
        now=clock.now(),
        viewpoint=viewpoint,
        alt_text=alt_text,
        nobody=nobody,
        reviewed_by=login(),
    )
    where = f" from {viewpoint!r}" if viewpoint else ""
    emit(
        entry,
        as_json=as_json,
        human=lambda: click.echo(
            f"{content.id}: {phase} photo{where}, {entry.taken_on}"
            + (
                ""
                if content.people_reviewed
                else " (people not reviewed: `terrain content people`)"
            )
            + "."
        ),
    )


@command.command("interview")
@click.argument("project_id")
@interview_options
@json_option
@pass_workspace
def interview(
    ws: Workspace,
    project_id: str,
    content_id: str,
    member_id: str,
    body: str,
    title: str,
    on_text: str | None,
    as_json: bool,
) -> None:
    """Record micro-interview CONTENT_ID of MEMBER for PROJECT_ID.

    Publishing it needs the member's ``interview`` consent
    (`terrain consent grant MEMBER --purpose interview ...`).
    """
    record_and_print(
        ws,
        content_id,
        member_id=member_id,
        body=body,
        title=title,
        on_text=on_text,
        as_json=as_json,
        project_id=project_id,
    )


@command.command("phase")
@click.argument("project_id")
@click.argument("phase", type=click.Choice(_PHASES))
@json_option
@pass_workspace
def phase(ws: Workspace, project_id: str, phase: str, as_json: bool) -> None:
    """Say where PROJECT_ID stands: before, during or after the works."""
    from terrain.workflows import set_project_phase

    project = set_project_phase(ws, project_id, phase)
    emit(
        project,
        as_json=as_json,
        human=lambda: click.echo(f"{project.title} ({project_id}) is now {project.phase.value}."),
    )


@command.command("timeline")
@click.argument("project_id")
@json_option
@pass_workspace
def timeline(ws: Workspace, project_id: str, as_json: bool) -> None:
    """PROJECT_ID's photos before / during / after, and its before-after viewpoints."""
    from terrain.workflows import project_timeline

    found = project_timeline(ws, project_id)
    line, pairs = found.timeline, found.pairs

    def human() -> None:
        for phase, group in (
            ("before", line.before),
            ("during", line.during),
            ("after", line.after),
        ):
            click.echo(f"{phase}:")
            for p in group:
                click.echo(f"  {p.taken_on}  {p.viewpoint or '-':<16} {p.content_id}")
        for pair in pairs:
            click.echo(
                f"viewpoint {pair.viewpoint!r}: {pair.before.taken_on} → {pair.later.taken_on}"
            )

    emit({"timeline": line, "pairs": pairs}, as_json=as_json, human=human)


@command.command("composite")
@click.argument("project_id")
@click.argument("viewpoint")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Image file to write (.jpg or .png).",
)
@click.option("--on", "on_text", default=None, help="Latest photo taken by this date.")
@click.option(
    "--height",
    type=click.IntRange(100, 4000),
    default=600,
    show_default=True,
    help="Height of the image in pixels (100-4000).",
)
@json_option
@pass_workspace
def composite(
    ws: Workspace,
    project_id: str,
    viewpoint: str,
    output: Path,
    on_text: str | None,
    height: int,
    as_json: bool,
) -> None:
    """Write the before/after image of VIEWPOINT: both photos whole, side by side, with
    "Avant / Après" captions and a title (in the community's language).

    The file is for you: it is not published, and it shows whoever the photos
    show (the command warns). `terrain project update --composite` publishes it
    through the consent gate.
    """
    from terrain.workflows import project_composite

    suffix = output.suffix.lower()
    if suffix not in (".jpg", ".jpeg", ".png"):
        raise click.BadParameter(
            f"{output.name}: the image is written as JPEG or PNG; name it .jpg or .png",
            param_hint="--output",
        )
    on = parse_day(on_text, option="--on") if on_text else None
    made = project_composite(
        ws,
        project_id,
        viewpoint,
        on=on,
        height=height,
        image_format="PNG" if suffix == ".png" else "JPEG",
    )
    try:
        output.write_bytes(made.image)
    except OSError as exc:
        fail(
            f"cannot write {output}: {exc.strerror}; "
            "choose a folder that exists and you can write to"
        )
    pair = made.pair
    data = {
        "output": str(output),
        "before": pair.before,
        "later": pair.later,
        "bytes": len(made.image),
        "warnings": list(made.warnings),
    }

    def human() -> None:
        click.echo(f"Wrote {output}: {viewpoint}, {pair.before.taken_on} → {pair.later.taken_on}.")
        for warning in made.warnings:
            click.echo(f"! {output.name}: {warning}.", err=True)

    emit(data, as_json=as_json, human=human)


def _month(value: str) -> date:
    try:
        return datetime.strptime(value.strip(), "%Y-%m").date()
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a month: write it as 2026-04", param_hint="--month"
        ) from None


@command.command("update")
@click.argument("project_id")
@click.option("--month", "month_text", required=True, help="The month of the update, e.g. 2026-04.")
@to_option
@click.option("--viewpoint", default=None, help="Before/now pair (default: the first one).")
@click.option(
    "--interview",
    "interview_id",
    default=None,
    shell_complete=complete_content_id,
    help="Micro-interview to quote.",
)
@click.option("--summary", default="", help="A sentence on the month's progress.")
@click.option("--composite", is_flag=True, help="One side-by-side image instead of two photos.")
@dry_run_option
@enqueue_option
@json_option
@pass_workspace
def update(
    ws: Workspace,
    project_id: str,
    month_text: str,
    platforms: tuple[str, ...],
    viewpoint: str | None,
    interview_id: str | None,
    summary: str,
    composite: bool,
    dry_run: bool,
    enqueue: bool,
    as_json: bool,
) -> None:
    """Publish PROJECT_ID's monthly update, checking consent right before each call."""
    from terrain.cli._publish import exclusive_modes, print_result, result_data, waiting_notices
    from terrain.workflows import publish_project_update

    exclusive_modes(dry_run=dry_run, enqueue=enqueue)
    with waiting_notices(not dry_run and not enqueue):
        result = publish_project_update(
            ws,
            project_id,
            list(platforms),
            month=_month(month_text),
            now=clock.now,
            viewpoint=viewpoint,
            interview_id=interview_id,
            summary=summary,
            composite=composite,
            dry_run=dry_run,
            enqueue=enqueue,
        )
    data = {**result_data(result), "project_id": project_id, "posts": result.posts}
    emit(data, as_json=as_json, human=lambda: print_result(result))
    if result.failed:
        sys.exit(EXIT_FAILED)
