"""The March meetup of Vélo Lyon, in a real workspace, for the publishing stories."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from terrain import Appearance, Community, Content, Event, MediaFile, Member, Partner, Talk, Venue
from terrain.consent import Evidence
from terrain.partnerships import Partnership, PipelineStep
from terrain.store import Workspace

PARIS = ZoneInfo("Europe/Paris")
MEETUP = datetime(2026, 3, 12, 19, 0, tzinfo=PARIS)
EVENING = datetime(2026, 3, 12, 23, 0, tzinfo=PARIS)  # the recap goes out
APRIL = datetime(2026, 4, 2, 10, 0, tzinfo=PARIS)  # Léa withdraws
FORM = Evidence(kind="signed-form", file_key="forms/2026-03-12.jpg")
EVENT_ID = "ev-2026-03"


def _photo(content_id: str, caption: str, *people: str) -> Content:
    media = MediaFile(
        id="m-1",
        key=f"media/{content_id}.jpg",
        media_type="image/jpeg",
        size=2000,
        checksum=(content_id.encode().hex() * 64)[:64],
        alt_text=f"Photo of the meetup: {caption}",
    )
    return Content(
        id=content_id,
        kind="photo",
        created_at=MEETUP + timedelta(hours=1),
        caption=caption,
        media=[media],
        appearances=[Appearance(member_id=p, media_id="m-1", reviewed=True) for p in people],
        people_reviewed=True,
        event_id=EVENT_ID,
    )


def meetup_workspace(root: Path, *, lea_until: datetime | None = None) -> Workspace:
    """Léa (publish + tag), Samir (refused), Tom (a minor, no guardian consent)."""
    ws = Workspace.init(
        root, community=Community(id="velo-lyon", name="Vélo Lyon", timezone="Europe/Paris")
    )
    for member in (
        Member(id="lea", display_name="Léa Martin", handles={"x": "lea_m"}),
        Member(id="samir", display_name="Samir Haddad", handles={"x": "samirh"}),
        Member(id="paul", display_name="Paul Martin"),
        Member(id="tom", display_name="Tom Martin", is_minor=True, guardian_ids=["paul"]),
    ):
        ws.add(member)
    ws.add(Venue(id="le-zinc", name="Le Zinc", kind="bar", cost_model="each-pays-own"))
    ws.add(
        Event(
            id=EVENT_ID,
            title="Vélo & ville #12",
            starts_at=MEETUP,
            ends_at=MEETUP + timedelta(hours=3),
            venue_id="le-zinc",
            talks=[Talk(title="Les pistes du 7e", speaker="Ana", minutes=25, qa_minutes=10)],
            networking_minutes=120,
        )
    )
    ws.add(Partner(id="dupain", name="Boulangerie Dupain", handles={"x": "dupain"}))
    ws.add(
        Partnership(
            id="ps-dupain",
            partner_id="dupain",
            history=[PipelineStep(status="active", on=date(2026, 2, 1))],
            contributions=["food"],
        )
    )
    ws.add(_photo("c-talk", "Léa présente le plan vélo", "lea"))
    ws.add(_photo("c-bar", "Au comptoir", "samir"))
    ws.add(_photo("c-kids", "Les enfants au stand", "tom"))
    ledger = ws.ledger()
    before = MEETUP - timedelta(days=10)
    ledger.grant(
        "lea", purposes=["publish", "tag"], at=before, evidence=FORM, valid_until=lea_until
    )
    ledger.refuse("samir", purposes=["publish"], at=before, evidence=FORM)
    ws.save_ledger(ledger)
    return ws
