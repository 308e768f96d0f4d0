"""Realistic workspaces for benchmarks and profiles, built quickly with the library API.

A *realistic* workspace is a city's community after a few years of meetups:
2,000 members (one in twenty a minor, with a guardian among the members),
300 past events with their talks, venues and check-ins, 20,000 reviewed
photos with people in them, and a consent ledger of about ten events per
member (a general grant at the first meetup, event-scoped grants and
refusals, withdrawals, renewals). One event, :data:`DRY_RUN_EVENT`, holds
150 photos (the one ``publish --dry-run`` is measured on); another,
:data:`PUBLISH_EVENT`, holds ``publish_photos`` photos showing only people
whose consent is in force (the one published for real over HTTP).

Everything goes through :class:`terrain.Workspace` (``add``, ``save_ledger``),
so the records, indexes and consent log are exactly what the CLI would
write; writes are grouped in a few large transactions to keep a 20,000-photo
workspace under a minute to build. The data is drawn from a seeded random
generator: the same arguments give the same workspace.

Profile a command on one::

    python -m benchmarks.workspace /tmp/ws          # realistic size
    python -m benchmarks.workspace /tmp/ws --members 10000 --photos 1000
    py-spy record -o profile.svg -- terrain --workspace /tmp/ws publish ev-0290 --dry-run --to x
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs

from terrain import Community, Workspace
from terrain.community import Member
from terrain.consent import ConsentLedger, Evidence, Scope
from terrain.content import Appearance, Content, MediaFile
from terrain.events import Attendance, Event, Talk, Venue
from terrain.events._attendance import Rsvp
from terrain.partnerships import Partner, Partnership, PipelineStep

__all__ = [
    "DRY_RUN_EVENT",
    "NOW",
    "PUBLISH_EVENT",
    "Shape",
    "build",
    "consent_events_for",
    "grow_ledger",
]

#: The instant the benchmarks act at (after every event of the workspace).
NOW = datetime(2026, 11, 20, 21, 0, tzinfo=UTC)
FIRST_EVENT = datetime(2020, 11, 5, 18, 0, tzinfo=UTC)
#: The event ``publish --dry-run`` is measured on (150 photos at realistic size).
DRY_RUN_EVENT = "ev-dry-run"
#: The event published for real over HTTP (every photo allowed).
PUBLISH_EVENT = "ev-publish"
PLATFORMS = ("x", "facebook", "instagram", "outbox", "fake-http")
FORM = Evidence(kind="signed-form", file_key="consents/forms/door.jpg")


@attrs.frozen
class Shape:
    """How big a workspace is. The defaults are the realistic size."""

    members: int = 2_000
    events: int = 300
    photos: int = 20_000
    consents_per_member: int = 10
    dry_run_photos: int = 150
    publish_photos: int = 0  #: photos of :data:`PUBLISH_EVENT` (0: no such event)
    checkins_per_event: int = 40
    seed: int = 17


def _member(i: int, rng: random.Random) -> Member:
    tags = rng.sample(["vélo", "compost", "jardin", "numérique", "musique", "sport"], 2)
    handles = {"x": f"member_{i}"} if i % 3 else {"x": f"member_{i}", "facebook": f"m.{i}"}
    if i % 20 == 7:  # a minor, whose guardian is the adult just before
        return Member(
            id=f"m{i:05d}", display_name=f"Membre {i}", handles=handles, tags=tags,
            is_minor=True, guardian_ids=[f"m{i - 1:05d}"],
        )
    return Member(id=f"m{i:05d}", display_name=f"Membre {i}", handles=handles, tags=tags)


def _photo(cid: str, event: Event, people: Sequence[str], n: int) -> Content:
    checksum = hashlib.sha256(cid.encode()).hexdigest()
    media = MediaFile(
        id="m1", key=f"photos/{event.id}/{cid}.jpg", media_type="image/jpeg", size=350_000 + n,
        checksum=checksum, alt_text=f"People at {event.title}, photo {n}", width=1200,
        height=800,
    )
    return Content(
        id=cid, kind="photo", created_at=event.starts_at + timedelta(minutes=n % 170),
        caption=f"{event.title} : photo {n}", media=[media],
        appearances=[Appearance(member_id=p, media_id="m1", reviewed=True) for p in people],
        people_reviewed=True, event_id=event.id,
    )


def consent_events_for(
    members: Sequence[Member], event_ids: Sequence[str], per_member: int, seed: int,
    *, start_id: int = 1,
) -> ConsentLedger:
    """A ledger of about ``per_member`` events per member, as a season of paperwork makes.

    Each member grants ``publish`` and ``tag`` at their first meetup (for all
    platforms or a few); the rest are event-scoped grants (one in ten a
    refusal), a withdrawal for one member in ten and renewals. A minor's
    records are given by their guardian.
    """
    rng = random.Random(seed)
    ledger = ConsentLedger(members)
    ids = iter(range(start_id, sys.maxsize))
    for i, member in enumerate(members):
        given_by = list(member.guardian_ids) if member.is_minor else None
        start = FIRST_EVENT + timedelta(days=rng.randrange(1200))
        platforms = None if i % 4 else rng.choice([["x"], ["x", "facebook"], ["instagram"]])
        until = None if i % 5 else start + timedelta(days=900)
        first = ledger.grant(
            member.id, purposes=["publish", "tag"], at=start, evidence=FORM, given_by=given_by,
            platforms=platforms, valid_until=until, subject_assent=True if given_by else None,
            consent_id=f"c-{next(ids)}",
        )
        count = 1
        if until is not None and i % 10 == 0:
            ledger.renew(first.id, at=start + timedelta(days=800),
                         valid_until=start + timedelta(days=2000))
            count += 1
        for k in range(max(0, per_member - count - (1 if i % 10 == 3 else 0))):
            at = start + timedelta(days=1 + k * 7 + rng.randrange(7))
            verb = ledger.refuse if rng.random() < 0.1 else ledger.grant
            verb(
                member.id, purposes=["publish"], at=at, evidence=FORM, given_by=given_by,
                platforms=rng.choice([None, None, ["x"], ["facebook", "instagram"]]),
                scope=Scope(kind="event", ref=rng.choice(event_ids)),
                subject_assent=True if given_by else None, consent_id=f"c-{next(ids)}",
            )
        if i % 10 == 3:  # changed their mind about X, late
            ledger.withdraw(member.id, at=NOW - timedelta(days=30 + i % 60), platforms=["x"])
    return ledger


def grow_ledger(ws: Workspace, factor: int, *, photos: bool = True, seed: int = 99) -> int:
    """Add ``factor - 1`` times as many members as ``ws`` holds, each with as many
    consent events as the members already there, scoped to the same events.

    With ``photos`` the new members also appear in the photos (one more person
    per photo and per step), so decisions on those photos read the grown part
    of the ledger; without, the photos are unchanged (the cost of a dry run
    must not grow with people it does not show). Returns the consent events added.
    """
    rng = random.Random(seed)
    old = ws.list(Member)
    event_ids = ws.ids(Event)
    new = [_member(len(old) + i, rng) for i in range((factor - 1) * len(old))]
    with _batched(ws):
        for member in new:
            ws.add(member)
    before = len(ws.db.consent_events())
    per_member = max(1, before // max(1, len(old)))
    grown = consent_events_for(new, event_ids, per_member, seed, start_id=before + 1)
    ws.update_ledger(lambda ledger: [ledger.apply(event) for event in grown.events()])
    if photos:
        with _batched(ws):
            for content in ws.list(Content):
                extra = [m.id for m in rng.sample(new, factor - 1)]
                people = [*(a.member_id for a in content.appearances), *extra]
                ws.put(attrs.evolve(content, appearances=[
                    Appearance(member_id=p, media_id="m1", reviewed=True)
                    for p in dict.fromkeys(people)
                ]))
    return len(ws.db.consent_events()) - before


@contextmanager
def _batched(ws: Workspace) -> Iterator[None]:
    """One transaction for many writes (``Workspace`` writes join it)."""
    with ws.db.transaction():
        yield


def build(
    root: Path | str,
    shape: Shape = Shape(),
    *,
    store_url: str | None = None,
    platforms: Mapping[str, Mapping[str, Any]] | None = None,
) -> Path:
    """Create a workspace of ``shape`` in ``root`` (which must not hold one); its path."""
    rng = random.Random(shape.seed)
    root = Path(root)
    settings = {"outbox": {"folder": "outbox"}, **(platforms or {})}
    ws = Workspace.init(
        root, community=Community(id="ville", name="Ville à vélo", timezone="Europe/Paris"),
        platforms=settings, store_url=store_url,
    )
    with ws:
        members = [_member(i, rng) for i in range(shape.members)]
        venues = [Venue(id=f"venue-{v}", name=f"Lieu {v}", kind="bar", capacity=80)
                  for v in range(10)]
        special = [DRY_RUN_EVENT] + ([PUBLISH_EVENT] if shape.publish_photos else [])
        ids = [f"ev-{e:04d}" for e in range(shape.events - len(special))] + special
        events = []
        for e, eid in enumerate(ids):
            at = FIRST_EVENT + timedelta(days=7 * e * 300 // max(1, shape.events))
            events.append(Event(
                id=eid, title=f"Vélo & ville #{e + 1}", starts_at=at,
                ends_at=at + timedelta(hours=3), venue_id=venues[e % len(venues)].id,
                talks=[Talk(title=f"Talk {e}", speaker="Ana", minutes=25, qa_minutes=10)],
                networking_minutes=120,
            ))
        partners = [Partner(id=f"partner-{p}", name=f"Partenaire {p}", kind="local-shop")
                    for p in range(5)]
        with _batched(ws):
            for record in [*members, *venues, *events, *partners]:
                ws.add(record)
            for p in partners[:2]:
                ws.add(Partnership(
                    id=f"ps-{p.id}", partner_id=p.id, contributions=["food"],
                    history=[PipelineStep(status="active", on=FIRST_EVENT.date())],
                ))
            attendees: dict[str, list[str]] = {}
            for event in events:
                came = rng.sample(range(shape.members),
                                  min(shape.members, shape.checkins_per_event))
                attendees[event.id] = [members[i].id for i in came]
                ws.add(Attendance(event_id=event.id, rsvps=[
                    Rsvp(member_id=members[i].id, status="checked-in",
                         at=event.starts_at - timedelta(days=3))
                    for i in came
                ]))
        ledger = consent_events_for(members, ids, shape.consents_per_member, shape.seed)
        ws.save_ledger(ledger)
        allowed = [
            m.id for m in members
            if all(ledger.state(m.id, "publish", p, at=NOW).valid for p in ("fake-http", "x"))
        ]
        plan = {DRY_RUN_EVENT: shape.dry_run_photos, PUBLISH_EVENT: shape.publish_photos}
        rest = max(0, shape.photos - sum(plan.values()))
        ordinary = [e for e in events if e.id not in plan]
        n = 0
        with _batched(ws):
            for e, event in enumerate(events):
                count = plan.get(event.id)
                if count is None:
                    count = rest // len(ordinary) + (1 if e < rest % len(ordinary) else 0)
                pool = allowed if event.id == PUBLISH_EVENT else attendees[event.id]
                for k in range(count):
                    people = rng.sample(pool, rng.choice([0, 1, 2, 2, 3, 4]))
                    ws.add(_photo(f"p{n:06d}", event, people, k))
                    n += 1
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m benchmarks.workspace DIR [--members N] [--events N] [--photos N] ...``"""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.workspace")
    parser.add_argument("root", type=Path)
    defaults = Shape()
    for field in attrs.fields(Shape):
        parser.add_argument(f"--{field.name.replace('_', '-')}", type=int,
                            default=getattr(defaults, field.name))
    parser.add_argument("--store-url", default=None)
    args = parser.parse_args(argv)
    shape = Shape(**{f.name: getattr(args, f.name) for f in attrs.fields(Shape)})
    started = time.perf_counter()
    build(args.root, shape, store_url=args.store_url)
    print(f"built {args.root} ({shape}) in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
