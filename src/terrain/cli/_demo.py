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
from typing import TYPE_CHECKING, Any

import click

from terrain.cli._common import fail

if TYPE_CHECKING:
    from terrain.plugins import Platform
    from terrain.store import Workspace

__all__ = ["MARKER", "command", "prepare_folder", "run_demo"]

#: The file that marks a folder as made by ``terrain demo`` (and safe to recreate).
MARKER = ".terrain-demo"
PLATFORMS = ("x", "facebook")


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


def _outbox_platforms(ws: Workspace) -> dict[str, Platform]:
    """The outbox, presented as X and as the Facebook page (``as`` and ``name``)."""
    from terrain.errors import NotFound
    from terrain.plugins import PlatformContext, get_plugin_manager

    try:
        factory = get_plugin_manager().platform_factory("outbox")
    except NotFound:
        fail(
            "the outbox platform is not installed; reinstall terrain "
            "(pip install terrain-field, or pip install -e . in a clone)"
        )
    out: dict[str, Platform] = {}
    for name in PLATFORMS:
        context = PlatformContext(
            settings={"as": name, "name": name},
            secrets=ws.secrets,
            storage=ws.storage,
            root=ws.root,
        )
        out[name] = factory(context)
    return out


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
    """Build, publish and take down the demo in ``folder``; returns a summary."""
    from terrain.cli import _demo_data as data
    from terrain.cli._publish import print_result
    from terrain.cli._takedown import print_result as print_takedown
    from terrain.content import Content
    from terrain.publishing import PlatformPolicy
    from terrain.store import Workspace
    from terrain.workflows import import_media, publish_event, takedown

    prepare_folder(folder)
    ws = Workspace.init(folder, community=data.COMMUNITY)
    (folder / MARKER).write_text("made by `terrain demo`; running it again recreates this folder\n")
    with ws:
        echo(f"Workspace for {data.COMMUNITY.name}: {folder}")
        for record in data.people_and_places():
            ws.add(record)
        echo("  5 members (Léa, Ana the speaker, Samir, Paul and his son Tom, a minor),")
        echo("  a meetup at Le Zinc with one talk, and a partner: Boulangerie Dupain.")

        camera = folder / "camera"
        camera.mkdir()
        shots = [data.draw_photo(photo, camera) for photo in data.PHOTOS]
        echo(f"\nTook {len(shots)} photos in {camera} ({_gps_count(shots)} with GPS coordinates).")
        report = import_media(ws, shots, event_id=data.EVENT_ID, now=data.EVENING)
        echo(f"Imported them: {report.summary()} (location metadata stripped).")
        by_file = {Path(o.path).name: o.content_id for o in report.outcomes}
        for photo in data.PHOTOS:
            content_id = by_file.get(photo.file)
            if content_id is None:
                continue
            ws.put(data.review(ws.get(Content, content_id), photo))
            people = ", ".join(photo.people) or "nobody"
            echo(f"  {photo.file:<20} {content_id:<14} shows {people}")

        data.record_consents(ws)
        echo("\nConsents collected at the door:")
        echo("  Léa: may be shown and tagged    Ana: may be shown, not tagged")
        echo("  Samir: refused                   Tom (minor): his guardian did not sign")

        platforms = _outbox_platforms(ws)
        echo("\nPublishing the recap to the outbox, as x and as facebook…")
        quick = {name: PlatformPolicy(concurrency=2) for name in platforms}
        result = publish_event(
            ws, data.EVENT_ID, platforms, now=data.EVENING, policies=quick, max_wait=10.0
        )
        labels = {cid: name for name, cid in by_file.items() if cid is not None}
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
        down = takedown(ws, "lea", now=data.APRIL, platforms=platforms)
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


def _tell_album(
    ws: Any, result: Any, labels: dict[str, str], echo: Any
) -> None:
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
