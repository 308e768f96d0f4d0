"""``terrain publish EV --to PLATFORM…``: publish a meetup's posts, with consent.

The recap after the meetup (``--kind recap``, the default), its announcement
before it, the reminder the day before, or a partner-thanks post. Consent is
checked again right before each call to a platform; posts already published
are never sent twice (run it again after an interruption). ``--at`` and
``--next-slot`` plan the posts for ``terrain worker``. Exit code 1 when a post
failed or a platform stopped (the message says what to fix); held-back posts
are not failures: consent said no.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from terrain import clock
from terrain.cli._common import EXIT_FAILED, emit, json_option, pass_workspace, terminal
from terrain.cli._complete import complete_event_id, complete_platform
from terrain.cli._when import fold_option, parse_when, shown

if TYPE_CHECKING:
    from terrain.publishing import JournalRow, PostOutcome
    from terrain.store import Workspace
    from terrain.workflows import Preview, PublishResult

__all__ = [
    "command",
    "preview_lines",
    "print_previews",
    "print_result",
    "read_text_file",
    "result_data",
    "waiting_notices",
]

_TITLES = {
    "confirmed": "Published",
    "sent": "Published",
    "taken-down": "Taken down (consent withdrawn)",
    "held": "Held back (consent or a plugin said no)",
    "failed": "Failed",
    "planned": "Planned for later",
    "claimed": "In flight in another run",
}


def _label(
    result: PublishResult, outcome: PostOutcome, labels: Mapping[str, str] | None = None
) -> str:
    """What ``outcome``'s post is about: the event summary (an album), more photos of it,
    or its contents, by ``labels`` (their ids without)."""
    from terrain.publishing import post_id

    names = labels or {}
    for post in result.posts:
        if post.id == outcome.post_id and post.platform == outcome.platform:
            kind = "event summary" if result.kind == "recap" else result.kind
            if post.min_media is not None:
                first = post_id(result.subject_id, post.platform, "publish")
                return f"{kind} (album)" if post.id == first else "more photos"
            if not post.content_ids:
                return kind
            return ", ".join(names.get(c, c) for c in post.content_ids)
    return outcome.post_id


def result_data(result: PublishResult) -> dict[str, Any]:
    """``result`` as plain data for ``--json``."""
    from terrain.serialization import unstructure

    about = {result.subject_kind + "_id": result.subject_id}  # event_id, or project_id
    return {
        **about,
        "subject_id": result.subject_id,
        "subject_kind": result.subject_kind,
        "dry_run": result.dry_run,
        "failed": result.failed,
        "outcomes": [
            {
                **unstructure(o),
                "about": _label(result, o),
                "title": _label(result, o, result.labels),
            }
            for o in result.report.outcomes
        ],
        "messages": list(result.report.messages),
        "compose_errors": list(result.compose_errors),
        "kind": result.kind,
        "scheduled": {k: v.isoformat() for k, v in sorted(result.scheduled.items())},
        "previews": [unstructure(p) for p in result.previews],
        "dropped": [unstructure(d) for d in result.dropped],
    }


def exclusive_modes(*, dry_run: bool, enqueue: bool) -> None:
    """Refuse ``--dry-run`` with ``--enqueue`` (exit 2, the message says why)."""
    if dry_run and enqueue:
        raise click.UsageError("--dry-run and --enqueue exclude each other; choose one")


def print_result(
    result: PublishResult,
    echo: Callable[[str], None] = click.echo,
    *,
    labels: Mapping[str, str] | None = None,
) -> None:
    """Print ``result`` for people: published, taken down, held back and why, failed,
    planned.

    Contents are named by their title (a file name rather than ``photo-3f2a…``);
    ``labels`` (content id -> name) overrides them.
    """
    order = ["confirmed", "sent", "taken-down", "held", "failed", "planned", "claimed"]
    if result.dry_run:
        echo(f"Dry run for {result.subject_id}: nothing was sent.")

    def state_of(o: PostOutcome) -> str:
        return "taken-down" if o.taken_down_at is not None else str(o.state)

    for state in order:
        group = [o for o in result.report.outcomes if state_of(o) == state]
        if not group:
            continue
        title = _TITLES[state]
        if result.dry_run and state == "planned":
            title = "Would be published"
        elif result.dry_run and state == "held":
            title = title.replace("Held back", "Would be held back")
        echo(f"\n{title} ({len(group)}):")
        names = {**result.labels, **(labels or {})}
        for o in group:
            echo(f"  {o.platform:<10} {_label(result, o, names):<22} {o.message}")
    for message in result.report.messages:
        echo(f"\n! {message}")
    for error in result.compose_errors:
        echo(f"\n! could not compose {error}")
    if result.previews:
        print_previews(result, echo, labels=labels)
    elif result.dropped:
        echo("\nLeft out:")
        for item in result.dropped:
            echo(f"  {item.platform:<10} {item.what}: {item.reason}")
    if result.scheduled and not result.dry_run:
        first = min(result.scheduled.values())
        echo(
            f"\nPlanned for {shown(first)}"
            + (" and later" if len(set(result.scheduled.values())) > 1 else "")
            + ": `terrain worker` sends each post at its time, with consent decided then "
            "(`terrain queue` lists them)."
        )


def print_previews(
    result: PublishResult,
    echo: Callable[[str], None] = click.echo,
    *,
    labels: Mapping[str, str] | None = None,
) -> None:
    """Print each post of a dry run exactly as it would go: the text with its mentions
    and link, the thread, the photos in order with their alt text, and what was left
    out and why. Photos are named by their content's title (``labels`` overrides)."""
    names = {**result.labels, **(labels or {})}
    for preview in result.previews:
        when = f" at {shown(preview.at)}" if preview.at is not None else ""
        echo(f"\nWhat would go out on {preview.platform} ({preview.post_id}){when}:")
        for line in preview_lines(preview, names):
            echo(line)


def preview_lines(preview: Preview, names: Mapping[str, str] | None = None) -> list[str]:
    """A post as it would go, one line each: the text with its mentions and link, the
    thread, the photos in order with their alt text and what consent blurs in them, and
    what was left out and why. Photos are named by ``names`` (content id to title),
    else by their storage key."""
    names = names or {}
    lines = [f"  | {line}".rstrip() for line in preview.text.splitlines() or [""]]
    for number, part in enumerate(preview.thread, start=2):
        lines.append(f"  reply {number}/{len(preview.thread) + 1}:")
        lines += [f"  | {line}".rstrip() for line in part.splitlines()]
    for number, media in enumerate(preview.media, start=1):
        name = names.get(media.content_id, media.key) if media.content_id else media.key
        blurred = f" ({len(media.blur)} region(s) blurred)" if media.blur else ""
        lines.append(f"  photo {number}: {name}{blurred} — {media.alt_text or '(no alt text)'}")
    for item in preview.dropped:
        what = names.get(item.content_id, item.what) if item.content_id else item.what
        lines.append(f"  left out: {what}: {item.reason}")
    return lines


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[JournalRow], None] | None]:
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn

    console = Console(file=terminal())
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), transient=True, console=console
    ) as bar:
        task = bar.add_task("publishing…", total=None)
        done = 0

        def advance(row: JournalRow) -> None:
            nonlocal done
            done += 1
            bar.update(task, description=f"publishing… {done} done ({row.platform} {row.state})")

        yield advance


class _Waiting(logging.Handler):
    """Says on stderr, as it happens, that a platform does not answer and when the
    runner tries again (read from the runner's log: its retry logic is its own)."""

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "; retrying " in message:
            what, _, when = message.rpartition("; retrying ")
            post, _, delay = when.partition(" in ")
            click.echo(f"… waiting: {what}; post {post} is tried again in {delay}", err=True)


@contextmanager
def waiting_notices(enabled: bool) -> Iterator[None]:
    """While publishing, print a line on stderr each time a call fails and will be
    retried (no network, a platform down): a run never stays silent for minutes."""
    if not enabled:
        yield
        return
    logger = logging.getLogger("terrain.publishing")
    handler = _Waiting(logging.INFO)
    previous = logger.level
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


#: ``--dry-run``, shared by every verb that publishes.
dry_run_option = click.option(
    "--dry-run", is_flag=True, help="Show what would go out and what would be held."
)

#: ``--to PLATFORM`` (repeatable, required), shared by every verb that publishes.
to_option = click.option(
    "--to",
    "platforms",
    multiple=True,
    required=True,
    shell_complete=complete_platform,
    help="A platform to publish to (repeat: --to x --to facebook).",
)

#: ``--enqueue``, shared by every verb that publishes.
enqueue_option = click.option(
    "--enqueue",
    is_flag=True,
    help="Only plan the posts in the journal; `terrain worker` sends them (consent at each call).",
)


def read_text_file(path: str | None) -> str | None:
    """The UTF-8 text of ``--text-file`` (``-`` reads standard input), or ``None``."""
    if path is None:
        return None
    if path == "-":
        return sys.stdin.read()
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except UnicodeDecodeError:
        raise click.BadParameter(
            f"{path} is not UTF-8 text: save it as UTF-8 and retry", param_hint="--text-file"
        ) from None
    except OSError as exc:
        raise click.BadParameter(
            f"cannot read {path}: {exc.strerror or exc}", param_hint="--text-file"
        ) from None


@click.command("publish")
@click.argument("event_id", shell_complete=complete_event_id)
@to_option
@click.option(
    "--kind",
    type=click.Choice(["recap", "announcement", "reminder", "partner-thanks"]),
    default="recap",
    show_default=True,
    help="What to publish: the recap (after the meetup), its announcement, the reminder "
    "(planned for the day before unless --at says otherwise), or partner thanks.",
)
@click.option(
    "--at",
    "at_text",
    default=None,
    metavar="TIME",
    help='Plan the posts for this time ("2026-03-13 09:00", community time): '
    "`terrain worker` sends them then, deciding consent at that moment.",
)
@fold_option
@click.option(
    "--next-slot",
    is_flag=True,
    help="Plan each post for the next free posting slot of its platform "
    "([platforms.NAME] slots in terrain.toml).",
)
@click.option(
    "--text-file",
    default=None,
    metavar="FILE",
    help="Your own text for the first post (- reads standard input; a line --- alone "
    "starts a thread reply). Checked against each platform's limit.",
)
@dry_run_option
@enqueue_option
@json_option
@pass_workspace
def command(
    ws: Workspace,
    event_id: str,
    platforms: tuple[str, ...],
    kind: str,
    at_text: str | None,
    next_slot: bool,
    text_file: str | None,
    dry_run: bool,
    enqueue: bool,
    as_json: bool,
) -> None:
    """Publish the posts of meetup EVENT_ID (its recap by default), checking consent
    at each call."""
    from terrain.workflows import publish_event

    exclusive_modes(dry_run=dry_run, enqueue=enqueue)
    at = parse_when(at_text, ws.community.timezone, option="--at") if at_text else None
    text = read_text_file(text_file)
    plans = enqueue or at is not None or next_slot
    quiet = as_json or dry_run or plans
    with (
        _progress(sys.stdout.isatty() and not quiet) as on_progress,
        waiting_notices(not dry_run and not plans),
    ):
        result = publish_event(
            ws,
            event_id,
            list(platforms),
            dry_run=dry_run,
            enqueue=enqueue,
            now=clock.now,
            on_progress=on_progress,
            kind=kind,
            at=at,
            next_slot=next_slot,
            text=text,
        )
    emit(result_data(result), as_json=as_json, human=lambda: print_result(result))
    if result.failed:
        sys.exit(EXIT_FAILED)
