"""``terrain demo``: the whole flow in seconds, with no account and no network.

One call to :func:`terrain.workflows.run_demo`, then the story of what it did:
Vélo Lyon's March meetup built in a workspace, four photos taken with Pillow
(two with fake GPS coordinates) and imported (the import strips location
metadata), who is in them and their consents, the recap published to the
``outbox`` platform presented as ``x`` and as ``facebook`` (files under
``DIR/outbox/<platform>/``) with what was held back and why, then Léa's
withdrawal and the takedown of what showed her.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from terrain.workflows import DemoRun

__all__ = ["command", "tell"]


def tell(run: DemoRun, echo: Callable[[str], None] = click.echo) -> None:
    """Print what :func:`~terrain.workflows.run_demo` did, step by step."""
    from terrain.cli._publish import print_result
    from terrain.cli._takedown import print_result as print_takedown
    from terrain.workflows import DEMO_COMMUNITY

    demo, folder, labels = run.demo, run.folder, run.demo.labels
    echo(f"Workspace for {DEMO_COMMUNITY.name}: {folder}")
    echo("  5 members (Léa, Ana the speaker, Samir, Paul and his son Tom, a minor),")
    echo("  a meetup at Le Zinc with one talk, and a partner: Boulangerie Dupain.")
    echo(
        f"\nTook {len(demo.shots)} photos in {demo.camera} ({run.camera_gps} with GPS coordinates)."
    )
    echo(f"Imported them: {demo.report.summary()} (location metadata stripped).")
    for photo in demo.photos:
        if photo.content_id is not None:
            people = ", ".join(photo.people) or "nobody"
            echo(f"  {photo.file:<20} {photo.content_id:<14} shows {people}")
    echo("\nConsents collected at the door:")
    echo("  Léa: may be shown and tagged    Ana: may be shown, not tagged")
    echo("  Samir: refused                   Tom (minor): his guardian did not sign")

    echo("\nPublishing the recap to the outbox, as x and as facebook…")
    print_result(run.published, echo, labels=labels)
    for album in run.albums:
        tags = " ".join(f"@{handle}" for handle in album.tags) or "nobody"
        echo(f"\nOn {album.platform}, the album carries {', '.join(album.photos)}; it tags {tags}.")
        for name, why in album.left_out:
            echo(f"  left out: {name}: {why}")
        echo("  (Léa agreed to be tagged; Ana agreed to be shown, not tagged.)")
    echo(f"\nWhat would have been sent is in {run.outbox}/<platform>/ ({len(run.sent)} files):")
    for path in run.sent[:12]:
        echo(f"  {path.relative_to(folder)}")
    echo(
        f"GPS metadata in the {len(run.sent_images)} outgoing photos: "
        + ("none, as it should be." if run.sent_gps == 0 else f"{run.sent_gps} — this is a bug!")
    )

    echo("\nThree weeks later, Léa withdraws her consent. Taking down what showed her…")
    print_takedown(run.takedown, echo, labels=labels)
    echo(f"\n{len(run.left)} files remain in {run.outbox}.")
    echo(
        f"\nExplore: terrain log --workspace {folder}   (why each post was published or held back)"
    )


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
    from terrain.workflows import run_demo

    folder = (
        Path(tempfile.mkdtemp(prefix="terrain-demo-")) / "workspace"
        if workspace_dir is None
        else workspace_dir
    )
    run = run_demo(folder.absolute())
    tell(run)
    if run.failed:
        raise SystemExit(1)
