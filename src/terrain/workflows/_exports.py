"""A season in a spreadsheet: the meetups, who came, partners, budgets, what was published.

:func:`season_export` gathers the tables of a season (every meetup starting
between two dates, in the community's time zone) and :func:`write_tables`
writes them as CSV files a spreadsheet opens (UTF-8 with a byte-order mark,
cells neutralised against formulas: :func:`~terrain.workflows.csv_bytes`)
into a folder, or into one zip file when the destination ends in ``.zip``.

=================== ==========================================================
``events.csv``      one row per meetup: date, venue, capacity, answers, who came
``attendance.csv``  one row per answer: meetup, member, status, when
``partners.csv``    one row per partner: kind, contact, where the deal stands
``contributions.csv`` what each partner brought to which meetup
``budgets.csv``     per meetup: people, what partners brought, the venue's fee
``posts.csv``       what was published: platform, when, where, taken down when
=================== ==========================================================
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from terrain._time import instant, require_aware
from terrain.community import Member
from terrain.errors import StorageError, ValidationError
from terrain.events import Attendance, Event, Venue, capacity_of
from terrain.partnerships import Contribution, Partner, Partnership
from terrain.workflows._tables import csv_bytes

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["Export", "season_export", "write_tables"]

#: A table to write: its columns, and its rows (column -> value).
Rows = tuple[tuple[str, ...], tuple[Mapping[str, Any], ...]]


@attrs.frozen
class Export:
    """Tables by file name (``events.csv`` -> columns and rows), for :func:`write_tables`."""

    tables: Mapping[str, Rows]

    def counts(self) -> dict[str, int]:
        """How many rows each table holds."""
        return {name: len(rows) for name, (_, rows) in self.tables.items()}


def _money(cents: int) -> str:
    return f"{cents / 100:.2f}"


def season_export(
    ws: Workspace, *, since: date | None = None, until: date | None = None, now: datetime
) -> Export:
    """The tables of the meetups starting from ``since`` to ``until`` (both included,
    local dates; ``None``: no bound), seen from ``now`` (who came, or who is expected)."""
    from zoneinfo import ZoneInfo

    from terrain.publishing import RowState
    from terrain.workflows._meetups import forecast_of
    from terrain.workflows._publish import journal_of

    require_aware(now, "season_export: now")
    if since is not None and until is not None and until < since:
        raise ValidationError(f"the season ends ({until}) before it starts ({since})")
    zone = ZoneInfo(ws.community.timezone)

    def inside(event: Event) -> bool:
        day = event.starts_at.astimezone(zone).date()
        return (since is None or day >= since) and (until is None or day <= until)

    events = sorted((e for e in ws.list(Event) if inside(e)), key=lambda e: instant(e.starts_at))
    ids = {e.id for e in events}
    venues = {v.id: v for v in ws.list(Venue)}
    names = {m.id: m.display_name for m in ws.list(Member)}
    lists = {a.event_id: a for a in ws.list(Attendance) if a.event_id in ids}
    contributions = [c for c in ws.list(Contribution) if c.event_id in ids]

    event_rows, attendance_rows, budget_rows = [], [], []
    for event in events:
        venue = venues.get(event.venue_id) if event.venue_id else None
        answers = lists.get(event.id, Attendance(event.id))
        happened = event.took_place(now)
        people = (
            len(answers.checked_in) if happened else forecast_of(ws, answers).expected
        )
        event_rows.append({
            "id": event.id,
            "title": event.title,
            "starts_at": event.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            "ends_at": event.ends_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            "venue": venue.name if venue else "",
            "capacity": capacity_of(event, venue),
            "talks": len(event.talks),
            "answers": len(answers.rsvps),
            "going": answers.seated,
            "came": len(answers.checked_in) if happened else None,
            "cancelled": event.cancelled,
        })
        for rsvp in answers.rsvps:
            attendance_rows.append({
                "event": event.id,
                "member": rsvp.member_id,
                "name": names.get(rsvp.member_id, ""),
                "status": rsvp.status.value,
                "answered_at": rsvp.at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                "changed_at": rsvp.changed_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
                if rsvp.changed_at
                else None,
            })
        brought = [c for c in contributions if c.event_id == event.id]
        currency = brought[0].value.currency if brought else "EUR"
        budget_rows.append({
            "event": event.id,
            "people": people,
            "people_from": "check-ins" if happened else "forecast",
            "cost_model": venue.cost_model.value if venue else "",
            "venue_fee": _money(venue.fee.cents) if venue and venue.fee else None,
            "from_partners": _money(sum(c.value.cents for c in brought)),
            "currency": currency,
            "partners": "; ".join(sorted({c.partner_id for c in brought})),
        })
    ships = ws.list(Partnership)
    partner_rows = []
    for partner in ws.list(Partner):
        mine = [s for s in ships if s.partner_id == partner.id]
        partner_rows.append({
            "id": partner.id,
            "name": partner.name,
            "kind": partner.kind.value,
            "contact": partner.contact,
            "website": partner.website,
            "handles": "; ".join(f"{p}={h}" for p, h in sorted(partner.handles.items())),
            "status": mine[-1].status.value if mine else "",
            "since": mine[-1].history[-1].on.isoformat() if mine else None,
        })
    contribution_rows = [
        {
            "id": c.id,
            "partner": c.partner_id,
            "event": c.event_id,
            "kind": c.kind.value,
            "value": _money(c.value.cents),
            "currency": c.value.currency,
            "on": c.on.isoformat(),
            "description": c.description,
        }
        for c in contributions
    ]
    post_rows = []
    for row in journal_of(ws).rows(states=(RowState.SENT, RowState.CONFIRMED)):
        if row.event_id is not None and row.event_id not in ids:
            continue
        receipt = row.receipt
        post_rows.append({
            "post": row.post_id,
            "platform": row.platform,
            "event": row.event_id,
            "published_at": receipt.published_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            if receipt
            else None,
            "url": receipt.url if receipt else None,
            "taken_down_at": row.taken_down_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            if row.taken_down_at
            else None,
            "text": row.post.text,
        })

    def table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> Rows:
        return tuple(columns), tuple(rows)

    return Export({
        "events.csv": table(event_rows, ["id", "title", "starts_at", "ends_at", "venue",
                                         "capacity", "talks", "answers", "going", "came",
                                         "cancelled"]),
        "attendance.csv": table(attendance_rows, ["event", "member", "name", "status",
                                                  "answered_at", "changed_at"]),
        "partners.csv": table(partner_rows, ["id", "name", "kind", "contact", "website",
                                             "handles", "status", "since"]),
        "contributions.csv": table(contribution_rows, ["id", "partner", "event", "kind",
                                                       "value", "currency", "on", "description"]),
        "budgets.csv": table(budget_rows, ["event", "people", "people_from", "cost_model",
                                           "venue_fee", "from_partners", "currency", "partners"]),
        "posts.csv": table(post_rows, ["post", "platform", "event", "published_at", "url",
                                       "taken_down_at", "text"]),
    })


def write_tables(export: Export, destination: Path | str) -> list[str]:
    """Write ``export``'s tables as CSV files in folder ``destination`` (made if needed),
    or into the zip file ``destination`` when it ends in ``.zip``; the files written.

    An existing zip file, or CSV files of the same names in the folder, are not
    overwritten (:class:`~terrain.errors.ValidationError`).
    """
    target = Path(destination)
    files = {name: csv_bytes(columns, rows) for name, (columns, rows) in export.tables.items()}
    try:
        if target.suffix.lower() == ".zip":
            if target.exists():
                raise ValidationError(f"{target} exists: choose another name, or move it away")
            with zipfile.ZipFile(target, "x", compression=zipfile.ZIP_DEFLATED) as archive:
                for name, data in files.items():
                    archive.writestr(name, data)
            return list(files)
        target.mkdir(parents=True, exist_ok=True)
        taken = [name for name in files if (target / name).exists()]
        if taken:
            raise ValidationError(
                f"{target} already holds {', '.join(taken)}: choose an empty folder"
            )
        for name, data in files.items():
            (target / name).write_bytes(data)
    except OSError as exc:
        raise StorageError(f"cannot write the export to {target}: {exc.strerror or exc}") from None
    return list(files)
