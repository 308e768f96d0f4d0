"""The review desk: a 400-photo contact sheet, and thumbnailing 400 photos on every core.

A workspace holds one meetup's 400 photos (1600×1200 JPEGs), each with two
or three of 40 members identified, consents of every kind in the ledger (given,
refused, a minor whose guardian was asked), and the outbox configured.

- **contact sheet**: the desk's page ``/desk/events/EV`` (every photo, the
  people in each, their consent state per platform), rendered by the web
  application in-process (Starlette over httpx's ASGI transport, a logged-in
  session) once its thumbnails exist. The issue's goal is absolute: at most
  1 s. The floor, measured in the same run, is the same page's HTML made by
  one Jinja2 loop over plain tuples (no consent, no workspace): what writing
  400 cards costs at all.
- **thumbnails**: :func:`terrain.workflows.make_thumbnails` for the 400 photos,
  with one worker process per core against one process; the issue asks that
  it uses both cores: the one-process time over the two-process time must be
  at least 1.6 (of a perfect 2.0). The two alternate, median of 3; the workers
  are forked as ``terrain thumbnails`` forks them (the detail says
  ``forkserver`` if a thread left running by an earlier module changed that).
"""

from __future__ import annotations

import io
import os
import random
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks._harness import Result, at_least, best_of, median_of_each

N = int(os.environ.get("TERRAIN_BENCH_REVIEW_N", "400"))
MEMBERS = 40
SIZE = (1600, 1200)
GOAL_SHEET_S = 1.0
GOAL_CORES = 1.6
PARIS = ZoneInfo("Europe/Paris")
MEETUP = datetime(2026, 11, 12, 19, 0, tzinfo=PARIS)
AFTER = MEETUP + timedelta(hours=4)
EVENT = "ev-2026-11"
PASSWORD = "benchmark password"


def _photos(count: int) -> list[bytes]:
    from PIL import Image, ImageDraw

    rng = random.Random(21)
    base = Image.effect_noise(SIZE, 35).convert("RGB")
    out = []
    for i in range(count):
        image = base.copy()
        draw = ImageDraw.Draw(image)
        for _ in range(12):
            x, y = rng.randrange(SIZE[0]), rng.randrange(SIZE[1])
            colour = (rng.randrange(256), rng.randrange(256), i % 256)
            draw.ellipse((x, y, x + rng.randrange(40, 300), y + rng.randrange(40, 300)), colour)
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=85)
        out.append(buffer.getvalue())
    return out


def _workspace(root: Path) -> list[str]:
    """The meetup's workspace; the content ids of its photos."""
    from terrain import Appearance, Community, Content, Event, MediaFile, Member
    from terrain.consent import Evidence
    from terrain.content import Region
    from terrain.store import Workspace
    from terrain.workflows import LinkPurpose, add_account, issue_link

    ws = Workspace.init(root, community=Community(id="velo", name="Vélo Lyon",
                                                  timezone="Europe/Paris", language="fr"),
                        platforms={"outbox": {}})
    form = Evidence(kind="signed-form", file_key="forms/f.jpg")
    ids = []
    with ws:
        for m in range(MEMBERS):
            minor = m % 13 == 12
            ws.add(Member(id=f"m{m:02d}", display_name=f"Membre {m:02d}", is_minor=minor,
                          guardian_ids=["m00"] if minor else []))
        ws.add(Event(id=EVENT, title="Vélo & ville #12", starts_at=MEETUP,
                     ends_at=MEETUP + timedelta(hours=3)))
        ledger = ws.ledger()
        for m in range(MEMBERS):
            if m % 13 == 12:
                continue  # a minor: their guardian was asked (below)
            if m % 7 == 3:
                ledger.refuse(f"m{m:02d}", purposes=["publish"], at=MEETUP, evidence=form)
            else:
                ledger.grant(f"m{m:02d}", purposes=["publish", "tag"], at=MEETUP,
                             evidence=form)
        ws.save_ledger(ledger)
        for m in range(12, MEMBERS, 13):
            issue_link(ws, LinkPurpose.GUARDIAN, "m00", now=MEETUP, ref=EVENT,
                       data={"child": f"m{m:02d}", "purposes": ["publish"]})
        rng = random.Random(5)
        for i, data in enumerate(_photos(N)):
            key = f"photos/events/{EVENT}/p{i:04d}.jpg"
            ws.storage.put(key, data)
            people = rng.sample(range(MEMBERS), rng.choice((2, 3)))
            content = Content(
                id=f"p{i:04d}", kind="photo", created_at=AFTER, title=f"IMG_{i:04d}.jpg",
                event_id=EVENT, people_reviewed=i % 5 != 0,
                media=[MediaFile(id=f"m{i:04d}", key=key, media_type="image/jpeg",
                                 size=len(data), checksum=f"{i:064x}", alt_text="Au meetup",
                                 width=SIZE[0], height=SIZE[1])],
                appearances=[Appearance(member_id=f"m{p:02d}", media_id=f"m{i:04d}",
                                        reviewed=i % 5 != 0,
                                        region=Region(0.1 * k, 0.2, 0.08, 0.1))
                             for k, p in enumerate(people)],
            )
            ws.add(content)
            ids.append(content.id)
        add_account(ws, "alex", "approver", PASSWORD, now=AFTER)
    return ids


def _floor_page(count: int) -> str:
    """The same number of cards, written by one Jinja2 loop over plain tuples."""
    import jinja2

    env = jinja2.Environment(autoescape=True)
    template = env.from_string(
        "{% for c, m, t, people in photos %}<li class='card'><a href='/desk/photos/{{ c }}'>"
        "<img src='/desk/thumbs/{{ c }}/{{ m }}' alt='' width='160'></a><p>{{ t }}</p><ul>"
        "{% for p, s in people %}<li>{{ p }}: <span class='badge'>outbox : {{ s }}</span></li>"
        "{% endfor %}</ul></li>{% endfor %}"
    )
    photos = [(f"p{i:04d}", f"m{i:04d}", f"IMG_{i:04d}.jpg",
               [(f"Membre {k:02d}", "peut partir") for k in range(3)]) for i in range(count)]
    return template.render(photos=photos)


def _sheet_time(root: Path) -> tuple[float, int]:
    """Seconds to render the desk's contact sheet (best of 5), and its size in bytes."""
    import anyio.from_thread
    import httpx

    from terrain.store import Workspace
    from terrain.web import create_app

    with Workspace.open(root) as ws:
        app = create_app(ws, now=lambda: AFTER + timedelta(minutes=5))
        with anyio.from_thread.start_blocking_portal() as portal:
            transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
            client = httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000")
            try:
                login = portal.call(client.get, "/desk/login")
                token = login.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
                answer = portal.call(lambda: client.post("/desk/login", data={
                    "csrf": token, "name": "alex", "password": PASSWORD}))
                assert answer.status_code == 303, answer.text
                size = 0

                def render() -> None:
                    nonlocal size
                    page = portal.call(client.get, f"/desk/events/{EVENT}")
                    assert page.status_code == 200
                    size = len(page.content)

                seconds = best_of(render, repeat=5)
            finally:
                portal.call(client.aclose)
    return seconds, size


def _thumbnails(root: Path, ids: list[str], workers: int) -> float:
    from terrain.store import Workspace
    from terrain.workflows import make_thumbnails

    with Workspace.open(root) as ws:
        start = time.perf_counter()
        made = make_thumbnails(ws, ids, workers=workers, force=True)
        seconds = time.perf_counter() - start
        assert made == len(ids), made
    return seconds


def run() -> list[Result]:
    """The contact sheet's render time and the thumbnailing's use of every core."""
    from terrain.workflows._sheet import _single_thread

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        ids = _workspace(root)
        cores = min(2, os.cpu_count() or 1)
        # `terrain thumbnails` forks its workers; a process with threads (one a module
        # before left running) would start them through a forkserver instead
        method = "fork" if _single_thread() else "forkserver"
        one, both = median_of_each([lambda: _thumbnails(root, ids, workers=1),
                                    lambda: _thumbnails(root, ids, workers=cores)], rounds=3)
        results.append(at_least(
            f"review: thumbnails of {N} photos, {cores} processes", both, one,
            "the same thumbnails made by one process (ratio 2.0: both cores fully used)",
            GOAL_CORES, detail=f"{SIZE[0]}×{SIZE[1]} JPEGs, made again from the stored photos; "
                               f"workers started by {method}; alternating, median of 3",
        ))
        seconds, size = _sheet_time(root)
        floor = best_of(lambda: _floor_page(N), repeat=5)
        results.append(Result(
            name=f"review: contact sheet of {N} photos", ours=seconds, floor=floor,
            floor_name=f"{N} cards by one Jinja2 loop (no consent, no workspace)", unit="s",
            ratio=seconds / floor if floor else float("inf"), goal=f"≤ {GOAL_SHEET_S:g} s",
            ok=seconds <= GOAL_SHEET_S,
            detail=f"{MEMBERS} members, 2-3 per photo, consent per platform; page "
            f"{size // 1024} KB",
        ))
    return results


if __name__ == "__main__":
    for result in run():
        print(result)
