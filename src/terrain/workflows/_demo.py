"""The sample community of ``terrain demo``, built by a workflow a tutorial can call too.

:func:`build_demo` fills a new workspace (made for :data:`DEMO_COMMUNITY`)
with Vélo Lyon's March meetup: members (one refusing, a minor whose guardian
did not sign), a bar, a talk, a partner bakery, four photos drawn on the spot
(two carrying fake GPS coordinates, as a phone writes them), imported (the
import strips location metadata), their people reviewed, and the consents
collected at the door. :func:`demo_platforms` gives the outbox presented as
``x`` and as ``facebook``, so the recap can be published with no account
anywhere: ``publish_event(ws, demo.event_id, demo_platforms(ws), ...)``.

:func:`run_demo` is ``terrain demo``: a new workspace in a folder, the demo
built, its recap published to the outbox, Léa's consent withdrawn three weeks
later and what showed her taken down; it returns a :class:`DemoRun` that says
what happened at each step (the command only prints it).
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from terrain.content import Content
from terrain.errors import NotFound, PluginError, ValidationError
from terrain.plugins import Platform, PlatformContext
from terrain.publishing import LEFT_OUT, PlatformPolicy
from terrain.workflows import _demo_data as data
from terrain.workflows._import import ImportReport, import_media
from terrain.workflows._publish import PublishResult, journal_of, publish_event
from terrain.workflows._takedown import TakedownReport, takedown

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = [
    "DEMO_COMMUNITY",
    "DEMO_MARKER",
    "DEMO_PLATFORMS",
    "Demo",
    "DemoAlbum",
    "DemoPhoto",
    "DemoRun",
    "build_demo",
    "demo_platforms",
    "prepare_demo_folder",
    "run_demo",
]

#: The community of the demo workspace (create it with ``Workspace.init(folder,
#: community=DEMO_COMMUNITY)``, then :func:`build_demo`).
DEMO_COMMUNITY = data.COMMUNITY

#: The platforms the demo publishes to: the outbox, presented as each of them.
DEMO_PLATFORMS = ("x", "facebook")

#: The file that marks a folder as made by :func:`run_demo` (and safe to recreate).
DEMO_MARKER = ".terrain-demo"

#: Image files, as the demo counts them in the camera and the outbox.
_IMAGES = frozenset({".jpg", ".jpeg", ".png"})


@attrs.frozen
class DemoPhoto:
    """One photo of the demo: its file, the content it was imported as (``None`` if the
    import refused it), and the members it shows."""

    file: str
    content_id: str | None
    people: tuple[str, ...]


@attrs.frozen
class Demo:
    """What :func:`build_demo` made: the meetup ``event_id``, the instant its recap goes
    out (``evening``) and the instant Léa withdraws her consent (``withdrawal_at``),
    the photos taken in ``camera`` (``shots``), their import and who is in each."""

    event_id: str
    evening: datetime
    withdrawal_at: datetime
    camera: Path
    shots: tuple[Path, ...]
    report: ImportReport
    photos: tuple[DemoPhoto, ...]

    @property
    def labels(self) -> dict[str, str]:
        """Content id -> the file name it was imported from."""
        return {p.content_id: p.file for p in self.photos if p.content_id is not None}


def build_demo(ws: Workspace) -> Demo:
    """Fill ``ws``, a new workspace made for :data:`DEMO_COMMUNITY`, with the demo: its
    records, photos (drawn in ``ws.root / "camera"``), reviews and consents, in one
    transaction."""
    camera = ws.root / "camera"
    camera.mkdir(exist_ok=True)
    shots = tuple(data.draw_photo(photo, camera) for photo in data.PHOTOS)
    with ws.db.transaction():
        for record in data.people_and_places():
            ws.add(record)
        report = import_media(ws, shots, event_id=data.EVENT_ID, now=data.EVENING, workers=1)
        by_file = {Path(o.path).name: o.content_id for o in report.outcomes}
        photos = []
        for photo in data.PHOTOS:
            content_id = by_file.get(photo.file)
            if content_id is not None:
                ws.put(data.review(ws.get(Content, content_id), photo))
            photos.append(DemoPhoto(photo.file, content_id, tuple(photo.people)))
        data.record_consents(ws)
    return Demo(data.EVENT_ID, data.EVENING, data.APRIL, camera, shots, report, tuple(photos))


def demo_platforms(ws: Workspace) -> dict[str, Platform]:
    """The outbox platform presented as each of :data:`DEMO_PLATFORMS`: what would have
    been sent is written under ``ws.root / "outbox" / <platform>``."""
    try:
        factory = ws.plugins.platform_factory("outbox")
    except NotFound:
        raise PluginError(
            "the outbox platform is not installed; reinstall terrain "
            "(pip install terrain-field, or pip install -e . in a clone)"
        ) from None
    out: dict[str, Platform] = {}
    for name in DEMO_PLATFORMS:
        context = PlatformContext(
            settings={"as": name, "name": name},
            secrets=ws.secrets,
            storage=ws.storage,
            root=ws.root,
        )
        out[name] = factory(context)
    return out


@attrs.frozen
class DemoAlbum:
    """The album a platform carries: its ``photos`` (file names), the ``tags``
    (handles) and the photos ``left_out``, each with why (file name, reason)."""

    platform: str
    photos: tuple[str, ...]
    tags: tuple[str, ...]
    left_out: tuple[tuple[str, str], ...]


@attrs.frozen
class DemoRun:
    """What :func:`run_demo` did, in the order it happened.

    ``demo`` is what :func:`build_demo` made (``camera_gps``: how many of its
    photos carry GPS coordinates); ``published`` the recap's publication and
    ``albums`` what the album on x carries; ``sent`` the outbox's files then
    (``sent_gps``: how many of its photos carry GPS coordinates, which must be
    none); ``takedown`` what Léa's withdrawal took down and ``left`` the outbox's
    files after it.
    """

    folder: Path
    demo: Demo
    camera_gps: int
    published: PublishResult
    albums: tuple[DemoAlbum, ...]
    sent: tuple[Path, ...]
    sent_gps: int
    takedown: TakedownReport
    left: tuple[Path, ...]

    @property
    def outbox(self) -> Path:
        """The folder of what would have been sent: ``outbox/<platform>/``."""
        return self.folder / "outbox"

    @property
    def sent_images(self) -> tuple[Path, ...]:
        """The photos among :attr:`sent`."""
        return tuple(p for p in self.sent if p.suffix.lower() in _IMAGES)

    @property
    def failed(self) -> bool:
        """Whether something went wrong: a post not published or not taken down, or
        a photo leaving with its GPS coordinates."""
        return self.published.failed or self.takedown.failed or self.sent_gps > 0


def prepare_demo_folder(folder: Path) -> None:
    """Make ``folder`` ready for a new demo workspace.

    A previous demo workspace (it holds :data:`DEMO_MARKER`) is removed; an empty
    folder is used as is; anything else is refused
    (:class:`~terrain.errors.ValidationError`): the demo never deletes a folder it
    did not create.
    """
    if folder.exists() and not folder.is_dir():
        raise ValidationError(f"{folder} is a file; give --workspace a folder for the demo")
    if folder.is_dir():
        if (folder / DEMO_MARKER).is_file():
            shutil.rmtree(folder)
        elif any(folder.iterdir()):
            raise ValidationError(
                f"{folder} exists and is not a terrain demo workspace, so the demo will not "
                "touch it. Give --workspace a new or empty folder (e.g. "
                "--workspace demo-workspace)."
            )


def run_demo(folder: Path) -> DemoRun:
    """``terrain demo`` in ``folder`` (see :func:`prepare_demo_folder`): build the
    demo, publish its recap to the outbox as x and facebook, then withdraw Léa's
    consent three weeks later and take down what showed her."""
    from terrain.store import Workspace

    prepare_demo_folder(folder)
    ws = Workspace.init(folder, community=DEMO_COMMUNITY)
    (folder / DEMO_MARKER).write_text(
        "made by `terrain demo`; running it again recreates this folder\n"
    )
    with ws:
        demo = build_demo(ws)
        platforms = demo_platforms(ws)
        quick = {name: PlatformPolicy(concurrency=2) for name in platforms}
        published = publish_event(
            ws, demo.event_id, platforms, now=demo.evening, policies=quick, max_wait=10.0
        )
        albums = _albums(ws, published, demo.labels)
        sent = _files(folder / "outbox")
        down = takedown(ws, "lea", now=demo.withdrawal_at, platforms=platforms)
        return DemoRun(
            folder=folder,
            demo=demo,
            camera_gps=_gps_count(demo.shots),
            published=published,
            albums=albums,
            sent=sent,
            sent_gps=_gps_count(sent),
            takedown=down,
            left=_files(folder / "outbox"),
        )


def _files(folder: Path) -> tuple[Path, ...]:
    return tuple(sorted(p for p in folder.rglob("*") if p.is_file())) if folder.is_dir() else ()


def _gps_count(paths: tuple[Path, ...]) -> int:
    """How many of ``paths`` are images that carry GPS metadata."""
    from PIL import ExifTags, Image, UnidentifiedImageError

    count = 0
    for path in paths:
        if path.suffix.lower() not in _IMAGES:
            continue
        try:
            with Image.open(path) as image:
                if image.getexif().get_ifd(ExifTags.IFD.GPSInfo):
                    count += 1
        except (UnidentifiedImageError, OSError):
            continue
    return count


def _albums(ws: Workspace, result: PublishResult, labels: dict[str, str]) -> tuple[DemoAlbum, ...]:
    """The albums on x: which photos each carried, who it tags, which stayed home."""
    journal = journal_of(ws)
    albums = []
    for post in result.posts:
        if post.platform != "x" or post.min_media is None:
            continue
        row = journal.get(post.id, "x")
        if row is None or row.receipt is None:
            continue
        left_out = tuple(
            (
                labels.get(reason.content_id or "", reason.content_id or ""),
                reason.text.partition(LEFT_OUT)[2],
            )
            for decision in ws.decisions(subject_kind="post", subject_id=post.id, platform="x")
            for reason in decision.reasons
            if LEFT_OUT in reason.text
        )
        albums.append(
            DemoAlbum(
                platform="x",
                photos=tuple(labels.get(m.content_id or "", m.key) for m in row.post.media),
                tags=tuple(m.handle for m in row.post.mentions),
                left_out=left_out,
            )
        )
    return tuple(albums)
