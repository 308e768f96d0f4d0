"""A small field community shared by the consent tests: a meetup and its people."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from terrain import Appearance, Content, MediaFile, Member
from terrain.consent import ConsentLedger, Evidence

PARIS = ZoneInfo("Europe/Paris")
MEETUP = datetime(2026, 3, 12, 19, 0, tzinfo=PARIS)
EVENING = MEETUP + timedelta(hours=4)  # when the recap is published
FORM = Evidence(kind="signed-form", file_key="forms/2026-03-12.jpg")
CHECKBOX = Evidence(kind="checkbox", text="I agree to appear in photos", version="v2")

LEA = Member(id="lea", display_name="Léa Martin", handles={"x": "lea_m", "instagram": "lea.m"})
SAMIR = Member(id="samir", display_name="Samir Haddad", handles={"x": "samirh"})
ANA = Member(id="ana", display_name="Ana Costa", handles={"instagram": "ana.c"})
PAUL = Member(id="paul", display_name="Paul Martin")
TOM = Member(id="tom", display_name="Tom Martin", is_minor=True, guardian_ids=["paul"])
NINA = Member(id="nina", display_name="Nina Roux", is_minor=True, guardian_ids=["claire"])
CLAIRE = Member(id="claire", display_name="Claire Roux")
MEMBERS = (LEA, SAMIR, ANA, PAUL, TOM, NINA, CLAIRE)


def ledger() -> ConsentLedger:
    """A ledger that knows every member of the community and no consent yet."""
    return ConsentLedger(MEMBERS)


def media(media_id: str) -> MediaFile:
    """A JPEG of the meetup."""
    return MediaFile(
        id=media_id,
        key=f"media/{media_id}.jpg",
        media_type="image/jpeg",
        size=1000,
        checksum="a" * 64,
        alt_text="People talking at the meetup",
    )


def photo(content_id: str, *people: str, reviewed: bool = True, event_id: str = "ev-03",
          media_id: str = "m-1") -> Content:
    """A reviewed photo of the meetup showing ``people``."""
    return Content(
        id=content_id,
        kind="photo",
        created_at=MEETUP + timedelta(hours=1),
        media=[media(media_id)],
        appearances=[Appearance(member_id=p, media_id=media_id, reviewed=reviewed) for p in people],
        people_reviewed=True,
        event_id=event_id,
    )
