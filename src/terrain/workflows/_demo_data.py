"""The sample community of ``terrain demo``: Vélo Lyon's March meetup.

Everything here is made up and made on the spot: members, a bar, a talk, a
partner bakery, consents collected at the door, and four photos drawn with
Pillow (two carrying fake GPS coordinates, as a phone writes them).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs

from terrain.community import Community, Member
from terrain.consent import Evidence
from terrain.content import Content, change_people
from terrain.events import Event, Talk, Venue
from terrain.partnerships import Partner, Partnership, PipelineStep

__all__ = [
    "APRIL",
    "COMMUNITY",
    "EVENING",
    "EVENT_ID",
    "MEETUP",
    "PHOTOS",
    "Photo",
    "draw_photo",
    "people_and_places",
    "record_consents",
    "review",
]

PARIS = ZoneInfo("Europe/Paris")
MEETUP = datetime(2026, 3, 12, 19, 0, tzinfo=PARIS)
EVENING = datetime(2026, 3, 12, 23, 0, tzinfo=PARIS)  # the recap goes out
APRIL = datetime(2026, 4, 2, 10, 0, tzinfo=PARIS)  # Léa withdraws
EVENT_ID = "ev-2026-03"
COMMUNITY = Community(
    id="velo-lyon",
    name="Vélo Lyon",
    timezone="Europe/Paris",
    description="Cyclists of Lyon who meet once a month to make the city better by bike.",
)


@attrs.frozen
class Photo:
    """One photo of the evening: its file name, what it shows, who is in it."""

    file: str
    caption: str
    alt_text: str
    people: tuple[str, ...]
    colour: tuple[int, int, int]
    gps: bool


PHOTOS: Sequence[Photo] = (
    Photo(
        "talk.jpg",
        "Ana Costa présente « Les pistes du 7e », Léa au premier rang.",
        "A speaker in front of a projected map of bike lanes; people listen in the front row.",
        ("ana", "lea"),
        (40, 90, 160),
        gps=True,
    ),
    Photo(
        "comptoir.jpg",
        "Au comptoir après les talks.",
        "Two people laughing at a bar counter.",
        ("lea", "samir"),
        (150, 70, 40),
        gps=False,
    ),
    Photo(
        "atelier-enfants.jpg",
        "L'atelier réparation pour les plus jeunes.",
        "A child fixing a bicycle chain with a multitool.",
        ("tom",),
        (60, 140, 60),
        gps=True,
    ),
    Photo(
        "buffet.jpg",
        "Le buffet de la Boulangerie Dupain.",
        "A table of pastries and bread on wooden boards.",
        (),
        (200, 160, 80),
        gps=False,
    ),
)


def draw_photo(photo: Photo, folder: Path) -> Path:
    """Draw ``photo`` as a JPEG in ``folder`` (with fake GPS EXIF if ``photo.gps``)."""
    from PIL import ExifTags, Image, ImageDraw

    image = Image.new("RGB", (640, 427), photo.colour)
    draw = ImageDraw.Draw(image)
    for i, person in enumerate(photo.people):
        x = 140 + i * 220
        draw.ellipse((x, 120, x + 90, 210), fill=(240, 210, 180))
        draw.rectangle((x - 10, 215, x + 100, 400), fill=(30 + 60 * i, 30, 90))
        draw.text((x + 20, 160), person, fill=(0, 0, 0))
    draw.text((16, 16), f"Vélo & ville #12 - {photo.file}", fill=(255, 255, 255))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "DemoPhone"
    if photo.gps:
        exif[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (45.0, 45.0, 21.5),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (4.0, 50.0, 32.0),
        }
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, exif=exif)
    path = folder / photo.file
    path.write_bytes(buffer.getvalue())
    return path


def people_and_places() -> list[object]:
    """The records of the demo, in an order the workspace accepts."""
    return [
        Member(
            id="lea",
            display_name="Léa Martin",
            handles={"x": "lea_velo", "facebook": "lea.martin.velo"},
        ),
        Member(id="ana", display_name="Ana Costa", handles={"x": "ana_costa"}),
        Member(id="samir", display_name="Samir Haddad", handles={"x": "samirh"}),
        Member(id="paul", display_name="Paul Martin"),
        Member(id="tom", display_name="Tom Martin", is_minor=True, guardian_ids=["paul"]),
        Venue(
            id="le-zinc",
            name="Le Zinc",
            kind="bar",
            address="12 rue Mercière, Lyon",
            capacity=40,
            cost_model="each-pays-own",
        ),
        Event(
            id=EVENT_ID,
            title="Vélo & ville #12",
            starts_at=MEETUP,
            ends_at=MEETUP + timedelta(hours=3),
            venue_id="le-zinc",
            talks=[
                Talk(
                    title="Les pistes du 7e",
                    speaker="Ana Costa",
                    minutes=25,
                    qa_minutes=10,
                    speaker_id="ana",
                )
            ],
            networking_minutes=120,
        ),
        Partner(
            id="dupain",
            name="Boulangerie Dupain",
            kind="local-shop",
            handles={"x": "dupain_lyon", "facebook": "boulangerie.dupain"},
        ),
        Partnership(
            id="ps-dupain",
            partner_id="dupain",
            history=[
                PipelineStep(status="contacted", on=date(2026, 1, 20)),
                PipelineStep(status="active", on=date(2026, 2, 15), note="pastries every month"),
            ],
            contributions=["food"],
        ),
    ]


def record_consents(ws: object) -> None:
    """Consents collected at the door: Léa yes (and tag), Ana yes (no tag),
    Samir no, Tom nothing (his guardian did not sign)."""
    from terrain.store import Workspace

    assert isinstance(ws, Workspace)
    at = MEETUP - timedelta(minutes=30)
    form = Evidence(kind="signed-form", file_key="forms/2026-03-12-door.jpg")
    ledger = ws.ledger()
    ledger.grant("lea", purposes=["publish", "tag"], at=at, evidence=form, recorded_by="demo")
    ledger.grant("ana", purposes=["publish"], at=at, evidence=form, recorded_by="demo")
    ledger.refuse(
        "samir",
        purposes=["publish"],
        at=at,
        evidence=Evidence(kind="verbal", witness="the organiser"),
        recorded_by="demo",
    )
    ws.save_ledger(ledger)


def review(content: Content, photo: Photo) -> Content:
    """``content`` after someone looked at the photo: caption, alt text, people."""
    media = tuple(attrs.evolve(m, alt_text=photo.alt_text) for m in content.media)
    described = attrs.evolve(content, caption=photo.caption, media=media)
    return change_people(
        described, add=photo.people, media_id=media[0].id, reviewed=True, by="demo", at=EVENING
    )
