"""A meetup's photos on the review desk: tagged, detected, consented or not.

Vélo Lyon's meetup #12 (12 November 2026, Paris) left four photos, imported
from files a photographer tagged in Lightroom:

- ``group``: Léa (agreed to publish and be tagged) and Samir (refused), both
  tagged with their face region, plus a third face nobody tagged;
- ``lea``: Léa alone, tagged;
- ``tom``: Tom, a minor who said yes himself; his guardians have not;
- ``crowd``: a landscape of the venue where nobody is.

Accounts: ``camille`` (editor), ``alex`` and ``morgan`` (approvers), each with
the password ``PASSWORD``. The workspace is built once per test session and
copied for each test (scrypt makes accounts slow to create, on purpose).
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from terrain import Community, Event, Member, Venue
from terrain.consent import Evidence
from terrain.store import Workspace
from terrain.workflows import LinkPurpose, add_account, import_media, issue_link
from tests._faces import GROUP, group_photo, jpeg_with_xmp, landscape, regions_of, xmp_packet

PARIS = ZoneInfo("Europe/Paris")
MEETUP = datetime(2026, 11, 12, 19, 0, tzinfo=PARIS)
AFTER = MEETUP + timedelta(hours=4)
EVENT_ID = "ev-2026-11"
PASSWORD = "deux roues, un guidon"
FORM = Evidence(kind="signed-form", file_key="forms/2026-11-12.jpg")

_centres = regions_of(GROUP)
TAGS = {
    "group": [("Léa Martin", *_centres[0]), ("Samir Haddad", *_centres[1])],
    "lea": [("Léa Martin", *_centres[1])],
    "tom": [("Tom Roux", *_centres[2])],
}


def _build(root: Path, photos: Path) -> None:
    ws = Workspace.init(
        root,
        community=Community(id="velo-lyon", name="Vélo Lyon", timezone="Europe/Paris",
                            language="fr"),
        platforms={"outbox": {}},
    )
    with ws:
        for member in (
            Member(id="lea", display_name="Léa Martin", handles={"outbox": "lea_m"}),
            Member(id="samir", display_name="Samir Haddad"),
            Member(id="paul", display_name="Paul Roux"),
            Member(id="tom", display_name="Tom Roux", is_minor=True, guardian_ids=["paul"]),
            Member(id="nora", display_name="Nora Benali"),
        ):
            ws.add(member)
        ws.add(Venue(id="le-zinc", name="Le Zinc", kind="bar", cost_model="each-pays-own"))
        ws.add(Event(id=EVENT_ID, title="Vélo & ville #12", starts_at=MEETUP,
                     ends_at=MEETUP + timedelta(hours=3), venue_id="le-zinc"))
        ledger = ws.ledger()
        before = MEETUP - timedelta(days=3)
        ledger.grant("lea", purposes=["publish", "tag"], at=before, evidence=FORM)
        ledger.refuse("samir", purposes=["publish"], at=before, evidence=FORM)
        ws.save_ledger(ledger)
        # Tom said yes at the door: his guardian Paul was sent a link, not answered yet
        issue_link(ws, LinkPurpose.GUARDIAN, "paul", now=before, ref=EVENT_ID,
                   data={"child": "tom", "purposes": ["publish"], "request": "cr-1"})
        files = []
        for name, picture in [
            ("group", group_photo(seed=1)),
            ("lea", group_photo(faces=GROUP[1:2], seed=2)),
            ("tom", group_photo(faces=GROUP[2:3], seed=3)),
            ("crowd", landscape(seed=4)),
        ]:
            data = picture
            if name in TAGS:
                data = jpeg_with_xmp(picture, xmp_packet(TAGS[name], (1000, 700)))
            path = photos / f"{name}.jpg"
            path.write_bytes(data)
            files.append(path)
        report = import_media(ws, files, event_id=EVENT_ID, now=AFTER, workers=1)
        assert report.ok
        for outcome, name in zip(report.outcomes, ["group", "lea", "tom", "crowd"], strict=True):
            assert outcome.content_id is not None
            (root / f".photo-{name}").write_text(outcome.content_id)
        add_account(ws, "camille", "editor", PASSWORD, now=AFTER)
        add_account(ws, "alex", "approver", PASSWORD, now=AFTER)
        add_account(ws, "morgan", "approver", PASSWORD, now=AFTER)


_TEMPLATE: dict[str, Path] = {}


def desk_workspace(tmp: Path, template_root: Path, *, publish: str = "") -> Path:
    """A copy of the desk's workspace in ``tmp``, with ``publish`` lines added to a
    ``[publish]`` table (e.g. ``"approval = true"``)."""
    if "root" not in _TEMPLATE:
        root = template_root / "template"
        photos = template_root / "photos"
        photos.mkdir(parents=True)
        _build(root, photos)
        _TEMPLATE["root"] = root
    target = tmp / "ws"
    shutil.copytree(_TEMPLATE["root"], target)
    if publish:
        toml = target / "terrain.toml"
        toml.write_text(toml.read_text() + f"\n[publish]\n{publish}\n", encoding="utf-8")
    return target


def photo_id(root: Path, name: str) -> str:
    """The content id of photo ``name`` (group, lea, tom, crowd) in the workspace."""
    return (root / f".photo-{name}").read_text()


def get_ready(ws: Workspace, *names: str, by: str = "camille") -> list[str]:
    """Review and describe photos ``names`` (as ``by``): their content ids."""
    from terrain.workflows import describe_photo, identify_people

    ids = []
    for name in names:
        content_id = photo_id(ws.root, name)
        identify_people(ws, content_id, reviewed=True, confirm_faces=True, by=by, now=AFTER)
        describe_photo(ws, content_id, alt_text=f"La photo {name} du meetup", by=by, now=AFTER)
        ids.append(content_id)
    return ids
