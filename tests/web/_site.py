"""A community with a meetup ahead, photos from the last one, and people with addresses.

Vélo Lyon meets on 12 November 2026 at Le Zinc (2 seats: a small room, so
the waitlist shows). Léa agreed to publish and tag (a photo of her went out
on the outbox); Samir refused; Tom is a minor whose guardians are Paul and
Sofia; Nora has no email address.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image

from terrain import Appearance, Community, Content, Event, MediaFile, Member, Talk, Venue
from terrain.consent import Evidence
from terrain.store import Workspace
from terrain.workflows import publish_event

PARIS = ZoneInfo("Europe/Paris")
OCTOBER = datetime(2026, 10, 8, 19, 0, tzinfo=PARIS)  # the last meetup
BEFORE = datetime(2026, 11, 2, 10, 0, tzinfo=PARIS)  # people answer
MEETUP = datetime(2026, 11, 12, 19, 0, tzinfo=PARIS)
AT_THE_DOOR = MEETUP - timedelta(minutes=20)
EVENT_ID = "ev-2026-11"
PAST_ID = "ev-2026-10"
FORM = Evidence(kind="signed-form", file_key="forms/2026-10-08.jpg")

EMAILS = {
    "lea": "lea@example.org",
    "samir": "samir@example.org",
    "paul": "paul@example.org",
    "sofia": "sofia@example.org",
    "tom": "tom@example.org",
    "ines": "ines@example.org",
}


def jpeg(seed: int = 0) -> bytes:
    image = Image.new("RGB", (640, 480), (40 + seed * 50 % 200, 90, 160))
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return out.getvalue()


def build(root: Path, *, smtp_port: int | None = None) -> Path:
    """Create the workspace in ``root`` (returned); ``smtp_port``: a local mail server."""
    ws = Workspace.init(
        root,
        community=Community(id="velo-lyon", name="Vélo Lyon", timezone="Europe/Paris",
                            language="fr"),
        platforms={"outbox": {}},
    )
    with ws:
        for member in (
            Member(id="lea", display_name="Léa Martin", handles={"x": "lea_m"},
                   email=EMAILS["lea"]),
            Member(id="samir", display_name="Samir Haddad", email=EMAILS["samir"]),
            Member(id="paul", display_name="Paul Roux", email=EMAILS["paul"]),
            Member(id="sofia", display_name="Sofia Roux", email=EMAILS["sofia"]),
            Member(id="nora", display_name="Nora Benali"),
            Member(id="ines", display_name="Inès Petit", email=EMAILS["ines"]),
            Member(id="tom", display_name="Tom Roux", is_minor=True,
                   guardian_ids=["paul", "sofia"], email=EMAILS["tom"]),
        ):
            ws.add(member)
        ws.add(Venue(id="le-zinc", name="Le Zinc", kind="bar", cost_model="each-pays-own",
                     address="12 rue des Capucins, Lyon"))
        for event_id, start, title, capacity in (
            (PAST_ID, OCTOBER, "Vélo & ville #11", None),
            (EVENT_ID, MEETUP, "Vélo & ville #12", 2),
        ):
            ws.add(Event(
                id=event_id, title=title, starts_at=start, ends_at=start + timedelta(hours=3),
                venue_id="le-zinc", capacity=capacity,
                talks=[Talk(title="Les pistes du 7e", speaker="Ana", minutes=25, qa_minutes=10)],
                networking_minutes=120,
            ))
        ws.storage.put("media/c-talk.jpg", jpeg(1))
        ws.add(Content(
            id="c-talk", kind="photo", created_at=OCTOBER + timedelta(hours=1),
            caption="Léa présente le plan vélo", event_id=PAST_ID,
            media=[MediaFile(id="m-1", key="media/c-talk.jpg", media_type="image/jpeg",
                             size=len(jpeg(1)), checksum="a" * 64,
                             alt_text="Léa au micro devant une carte")],
            appearances=[Appearance(member_id="lea", media_id="m-1", reviewed=True)],
            people_reviewed=True,
        ))
        ledger = ws.ledger()
        ledger.grant("lea", purposes=["publish", "tag"], at=OCTOBER - timedelta(days=3),
                     evidence=FORM)
        ledger.refuse("samir", purposes=["publish"], at=OCTOBER - timedelta(days=3),
                      evidence=FORM)
        ws.save_ledger(ledger)
        publish_event(ws, PAST_ID, ["outbox"], now=OCTOBER + timedelta(hours=5), hook=False)
    if smtp_port is not None:
        text = (root / "terrain.toml").read_text(encoding="utf-8")
        text += (f'\n[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\n'
                 'sender = "bonjour@velo-lyon.example"\nsecurity = "none"\n')
        (root / "terrain.toml").write_text(text, encoding="utf-8")
    return root
