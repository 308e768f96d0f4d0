"""``terrain demo``: the whole flow in seconds, with no account and no network.

Builds Vélo Lyon's March meetup in a workspace, takes four photos with
Pillow (two with fake GPS coordinates), imports them (the import strips
location metadata), records who is in them and their consents, publishes the
recap to the ``outbox`` platform presented as ``x`` and as ``facebook``
(files under ``DIR/outbox/<platform>/``), prints what was published and what
was held back and why, then has Léa withdraw her consent and takes down what
showed her.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import click

from terrain.cli._common import fail

__all__ = ["MARKER", "command", "prepare_folder", "run_demo"]

#: The file that marks a folder as made by ``terrain demo`` (and safe to recreate).
MARKER = ".terrain-demo"


def prepare_folder(folder: Path) -> None:
    """Make ``folder`` ready for a new demo workspace.

    A previous demo workspace (it holds :data:`MARKER`) is removed; an empty
    folder is used as is; anything else is refused: the demo never deletes a
    folder it did not create.
    """
    if folder.exists() and not folder.is_dir():
        fail(f"{folder} is a file; give --workspace a folder for the demo")
    if folder.is_dir():
        if (folder / MARKER).is_file():
            shutil.rmtree(folder)
        elif any(folder.iterdir()):
            fail(
                f"{folder} exists and is not a terrain demo workspace, so the demo will not "
                "touch it. Give --workspace a new or empty folder (e.g. "
                "--workspace demo-workspace)."
            )


def _outbox_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []


def _gps_count(paths: list[Path]) -> int:
    """How many of ``paths`` are images that carry GPS metadata."""
    from PIL import ExifTags, Image, UnidentifiedImageError

    count = 0
    for path in paths:
        try:
            with Image.open(path) as image:
                if image.getexif().get_ifd(ExifTags.IFD.GPSInfo):
                    count += 1
        except (UnidentifiedImageError, OSError):
            continue
    return count


def run_demo(folder: Path, echo: Any = click.echo) -> dict[str, Any]:
    """Build, publish and take down the demo in ``folder``; returns a summary.

    Three library calls, as a user would make them, told as they happen:
    :func:`~terrain.workflows.build_demo`, :func:`~terrain.workflows.publish_event`
    and :func:`~terrain.workflows.takedown`.
    """
    from terrain.cli._publish import print_result
    from terrain.cli._takedown import print_result as print_takedown
    from terrain.publishing import PlatformPolicy
    from terrain.store import Workspace
    from terrain.workflows import (
        DEMO_COMMUNITY,
        build_demo,
        demo_platforms,
        publish_event,
        takedown,
    )

    prepare_folder(folder)
    ws = Workspace.init(folder, community=DEMO_COMMUNITY)
    (folder / MARKER).write_text("made by `terrain demo`; running it again recreates this folder\n")
    with ws:
        echo(f"Workspace for {DEMO_COMMUNITY.name}: {folder}")
        demo = build_demo(ws)
        echo("  5 members (Léa, Ana the speaker, Samir, Paul and his son Tom, a minor),")
        echo("  a meetup at Le Zinc with one talk, and a partner: Boulangerie Dupain.")
        shots = list(demo.shots)
        echo(
            f"\nTook {len(shots)} photos in {demo.camera} ({_gps_count(shots)} with GPS "
            "coordinates)."
        )
        echo(f"Imported them: {demo.report.summary()} (location metadata stripped).")
        for photo in demo.photos:
            if photo.content_id is not None:
                people = ", ".join(photo.people) or "nobody"
                echo(f"  {photo.file:<20} {photo.content_id:<14} shows {people}")
        echo("\nConsents collected at the door:")
        echo("  Léa: may be shown and tagged    Ana: may be shown, not tagged")
        echo("  Samir: refused                   Tom (minor): his guardian did not sign")

        platforms = demo_platforms(ws)
        echo("\nPublishing the recap to the outbox, as x and as facebook…")
        quick = {name: PlatformPolicy(concurrency=2) for name in platforms}
        result = publish_event(
            ws, demo.event_id, platforms, now=demo.evening, policies=quick, max_wait=10.0
        )
        labels = demo.labels
        print_result(result, echo, labels=labels)
        _tell_album(ws, result, labels, echo)
        outbox = folder / "outbox"
        sent = _outbox_files(outbox)
        echo(f"\nWhat would have been sent is in {outbox}/<platform>/ ({len(sent)} files):")
        for path in sent[:12]:
            echo(f"  {path.relative_to(folder)}")
        gps = _gps_count(sent)
        images = [p for p in sent if p.suffix.lower() in {".jpg", ".jpeg", ".png"}]
        echo(
            f"GPS metadata in the {len(images)} outgoing photos: "
            + ("none, as it should be." if gps == 0 else f"{gps} — this is a bug!")
        )

        echo("\nThree weeks later, Léa withdraws her consent. Taking down what showed her…")
        down = takedown(ws, "lea", now=demo.withdrawal_at, platforms=platforms)
        print_takedown(down, echo, labels=labels)
        left = _outbox_files(outbox)
        echo(f"\n{len(left)} files remain in {outbox}.")
        echo(
            f"\nExplore: terrain log --workspace {folder}   "
            f"(why each post was published or held back)"
        )
        return {
            "workspace": str(folder),
            "published": len(result.report.by_state("confirmed")),
            "held": len(result.report.by_state("held")),
            "outbox_files": [str(p) for p in sent],
            "gps_in_outbox": gps,
            "taken_down": [e.post_id for e in down.entries if e.outcome == "deleted"],
            "failed": result.failed or down.failed,
        }


def _tell_album(ws: Any, result: Any, labels: dict[str, str], echo: Any) -> None:
    """Which photos the album on x carried, who it tags, and which photos stayed home."""
    from terrain.publishing import LEFT_OUT
    from terrain.workflows import journal_of

    for post in result.posts:
        if post.platform != "x" or post.min_media is None:
            continue
        row = journal_of(ws).get(post.id, "x")
        if row is None or row.receipt is None:
            continue
        went = [labels.get(m.content_id or "", m.key) for m in row.post.media]
        tags = " ".join(f"@{m.handle}" for m in row.post.mentions) or "nobody"
        echo(f"\nOn x, the album carries {', '.join(went)}; it tags {tags}.")
        for decision in ws.decisions(subject_kind="post", subject_id=post.id, platform="x"):
            for reason in decision.reasons:
                if LEFT_OUT in reason.text:
                    name = labels.get(reason.content_id or "", reason.content_id)
                    echo(f"  left out: {name}: {reason.text.partition(LEFT_OUT)[2]}")
        echo("  (Léa agreed to be tagged; Ana agreed to be shown, not tagged.)")


@click.command("demo")
@click.option(
    "--workspace",
    "workspace_dir",
    type=click.Path(file_okay=True, path_type=Path),
    default=None,
    help="Folder for the demo workspace (default: a new temporary folder). A previous "
    "demo workspace there is recreated; any other existing folder is refused.",
)
def command(workspace_dir: Path | None) -> None:
    """See the whole flow: a meetup, photos, consents, publication, takedown."""
    folder = (
        Path(tempfile.mkdtemp(prefix="terrain-demo-")) / "workspace"
        if workspace_dir is None
        else workspace_dir
    )
    summary = run_demo(folder.absolute())
    if summary["failed"] or summary["gps_in_outbox"]:
        raise SystemExit(1)
