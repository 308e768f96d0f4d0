"""The sample community of ``terrain demo``, built by a workflow a tutorial can call too.

:func:`build_demo` fills a new workspace (made for :data:`DEMO_COMMUNITY`)
with Vélo Lyon's March meetup: members (one refusing, a minor whose guardian
did not sign), a bar, a talk, a partner bakery, four photos drawn on the spot
(two carrying fake GPS coordinates, as a phone writes them), imported (the
import strips location metadata), their people reviewed, and the consents
collected at the door. :func:`demo_platforms` gives the outbox presented as
``x`` and as ``facebook``, so the recap can be published with no account
anywhere: ``publish_event(ws, demo.event_id, demo_platforms(ws), ...)``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from terrain.content import Content
from terrain.errors import NotFound, PluginError
from terrain.plugins import Platform, PlatformContext
from terrain.workflows import _demo_data as data
from terrain.workflows._import import ImportReport, import_media

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["DEMO_COMMUNITY", "Demo", "DemoPhoto", "build_demo", "demo_platforms"]

#: The community of the demo workspace (create it with ``Workspace.init(folder,
#: community=DEMO_COMMUNITY)``, then :func:`build_demo`).
DEMO_COMMUNITY = data.COMMUNITY

#: The platforms the demo publishes to: the outbox, presented as each of them.
DEMO_PLATFORMS = ("x", "facebook")


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
