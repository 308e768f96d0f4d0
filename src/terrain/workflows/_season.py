"""The season report: what the meetups gathered and how far the posts went, on one page.

:func:`season_report` gathers, for a season (September to August by
default, as associations count), the people who came to each meetup
(checked in, and how many had said they would) and the reach of each post
that went out (the metrics ``terrain stats`` pulled back). :func:`season_html`
writes it as one HTML page with two inline SVG charts: attendance per date
and reach per post. No script, no external file, every text escaped: it
opens anywhere, prints, and can be mailed as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape
from typing import TYPE_CHECKING

import attrs

from terrain._language import DEFAULT_LANGUAGE, check_language, long_date
from terrain.errors import ValidationError
from terrain.events import Attendance, Event, RsvpStatus
from terrain.workflows._stats import post_stats

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["AttendancePoint", "ReachPoint", "SeasonReport", "season_html", "season_report"]


@attrs.frozen
class AttendancePoint:
    """One meetup of the season: who said they would come, and who came."""

    event_id: str
    title: str
    on: date
    came: int
    said: int


@attrs.frozen
class ReachPoint:
    """One post that went out: how far it reached, and what it drew (``None``:
    the platform never said)."""

    post_id: str
    platform: str
    label: str
    on: date | None
    reached: int | None
    interactions: int | None
    gone: bool = False


@attrs.frozen
class SeasonReport:
    """A season of the community, from ``start`` to ``end`` (both included)."""

    community: str
    language: str
    start: date
    end: date
    attendance: tuple[AttendancePoint, ...]
    reach: tuple[ReachPoint, ...]

    @property
    def people(self) -> int:
        """People who came, meetup after meetup (a regular counts each time)."""
        return sum(p.came for p in self.attendance)

    @property
    def reached(self) -> int:
        """What the posts reached online, added up."""
        return sum(p.reached or 0 for p in self.reach if not p.gone)


#: Who said they would come: going, then came or did not.
_SAID = (RsvpStatus.GOING, RsvpStatus.CHECKED_IN, RsvpStatus.NO_SHOW)


def season_of(day: date) -> tuple[date, date]:
    """The season ``day`` falls in: 1 September to 31 August."""
    first = date(day.year if day.month >= 9 else day.year - 1, 9, 1)
    return first, date(first.year + 1, 8, 31)


def season_report(
    ws: Workspace, *, today: date, start: date | None = None, end: date | None = None
) -> SeasonReport:
    """The season report of workspace ``ws``: by default the season ``today`` is in."""
    default_start, default_end = season_of(today)
    start = start or default_start
    end = end or default_end
    if end < start:
        raise ValidationError(
            f"the season ends ({end.isoformat()}) before it starts ({start.isoformat()}): "
            "swap --from and --to"
        )
    attendance = {a.event_id: a for a in ws.list(Attendance)}
    points = []
    for event in sorted(ws.list(Event), key=lambda e: (e.starts_at.date(), e.id)):
        on = event.starts_at.date()
        if event.cancelled or not start <= on <= end:
            continue
        rsvps = attendance[event.id].rsvps if event.id in attendance else ()
        came = sum(1 for r in rsvps if r.status is RsvpStatus.CHECKED_IN)
        said = sum(1 for r in rsvps if r.status in _SAID)
        points.append(AttendancePoint(event.id, event.title, on, came, said))
    reach = []
    for post in post_stats(ws):
        sent = post.sent_at.date() if post.sent_at is not None else None
        if sent is not None and not start <= sent <= end:
            continue
        m = post.metrics
        reach.append(
            ReachPoint(
                post_id=post.post_id,
                platform=post.platform,
                label=(post.text.splitlines() or [post.post_id])[0][:80] or post.post_id,
                on=sent,
                reached=None if m is None or m.gone else m.reached,
                interactions=None if m is None or m.gone else m.interactions,
                gone=m is not None and m.gone,
            )
        )
    reach.sort(key=lambda p: (p.on or start, p.platform, p.post_id))
    return SeasonReport(
        community=ws.community.name,
        language=ws.community.language,
        start=start,
        end=end,
        attendance=tuple(points),
        reach=tuple(reach),
    )


_WORDS = {
    "fr": {
        "title": "Saison {start}–{end}",
        "summary": "{meetups} meetups, {people} présences, {reached} vues en ligne.",
        "attendance": "Présences par meetup",
        "attendance_desc": "Personnes venues (pointées à l’entrée) à chaque meetup.",
        "legend": "En foncé, les personnes venues ; en clair, les inscrites.",
        "reach": "Portée de chaque publication",
        "reach_desc": "Personnes (ou vues) atteintes par chaque publication, selon la plateforme.",
        "came": "venues",
        "said": "inscrites",
        "seen": "vues",
        "unknown": "non mesuré",
        "gone": "supprimée",
        "none": "Rien sur cette période.",
        "date": "Date",
        "meetup": "Meetup",
        "post": "Publication",
        "platform": "Plateforme",
        "interactions": "interactions",
    },
    "en": {
        "title": "Season {start}–{end}",
        "summary": "{meetups} meetups, {people} attendances, {reached} views online.",
        "attendance": "Attendance per meetup",
        "attendance_desc": "People who came (checked in at the door) to each meetup.",
        "legend": "Dark: the people who came; light: those who signed up.",
        "reach": "Reach of each post",
        "reach_desc": "People (or views) each post reached, as the platform says.",
        "came": "came",
        "said": "signed up",
        "seen": "seen",
        "unknown": "not measured",
        "gone": "deleted",
        "none": "Nothing in this period.",
        "date": "Date",
        "meetup": "Meetup",
        "post": "Post",
        "platform": "Platform",
        "interactions": "interactions",
    },
}

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:60rem;
color:#1f2933;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}
h2{font-size:1.2rem;margin-top:2rem}
p.lead{color:#52606d}
svg{width:100%;height:auto;background:#fff}
svg text{font-size:12px;fill:#1f2933}
svg .bar{fill:#2f80ed}
svg .said{fill:#c5d9f7}
svg .axis{stroke:#9aa5b1}
table{border-collapse:collapse;margin-top:.5rem;font-size:.9rem}
td,th{padding:.2rem .6rem;border-bottom:1px solid #e4e7eb;text-align:left}
td.n{text-align:right}
"""


def _bars(rows: Sequence[tuple[str, int | None, int | None, str]], *, title: str, desc: str,
          unknown: str, chart_id: str) -> str:
    """A horizontal bar chart as inline SVG: one row per ``(label, value, backdrop,
    tooltip)``; ``backdrop`` is a lighter bar behind (those who said they would come)."""
    label_width, bar_width, row_height = 300, 380, 26
    height = row_height * max(1, len(rows)) + 30
    top = max([v or 0 for _, v, _, _ in rows] + [b or 0 for _, _, b, _ in rows] + [1])
    parts = [
        f'<svg id="{chart_id}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'viewBox="0 0 {label_width + bar_width + 80} {height}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
        f'<line class="axis" x1="{label_width}" y1="5" x2="{label_width}" '
        f'y2="{height - 20}"/>',
    ]
    for index, (label, value, backdrop, tip) in enumerate(rows):
        y = 10 + index * row_height
        shown = label if len(label) <= 44 else label[:43] + "…"
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end">{escape(shown)}</text>'
        )
        if backdrop:
            width = round(bar_width * backdrop / top, 1)
            parts.append(
                f'<rect class="said" x="{label_width}" y="{y + 2}" width="{width}" '
                f'height="{row_height - 8}"/>'
            )
        if value is None:
            parts.append(
                f'<text x="{label_width + 6}" y="{y + 15}" font-style="italic">'
                f"{escape(unknown)}</text>"
            )
            continue
        width = round(bar_width * value / top, 1)
        parts.append(
            f'<rect class="bar" x="{label_width}" y="{y + 4}" width="{width}" '
            f'height="{row_height - 12}"><title>{escape(tip)}</title></rect>'
        )
        parts.append(
            f'<text x="{label_width + width + 6}" y="{y + 15}">{value}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _seen(point: ReachPoint, words: dict[str, str]) -> str:
    if point.gone:
        return escape(words["gone"])
    return escape(words["unknown"]) if point.reached is None else str(point.reached)


def season_html(report: SeasonReport) -> str:
    """``report`` as one self-contained HTML page (see the module)."""
    language = check_language(report.language or DEFAULT_LANGUAGE)
    w = _WORDS[language]
    title = w["title"].format(start=report.start.year, end=report.end.year)
    span = f"{long_date(language, report.start)} – {long_date(language, report.end)}"
    summary = w["summary"].format(
        meetups=len(report.attendance), people=report.people, reached=report.reached
    )
    attendance_rows = [
        (
            f"{p.on:%d/%m} {p.title}",
            p.came,
            p.said,
            f"{p.title}: {p.came} {w['came']}, {p.said} {w['said']}",
        )
        for p in report.attendance
    ]
    reach_rows = [
        (
            f"{p.platform}: {p.label}",
            None if p.gone else p.reached,
            None,
            f"{p.label} ({p.platform}): {p.reached} {w['seen']}, "
            f"{p.interactions or 0} {w['interactions']}",
        )
        for p in report.reach
    ]
    body = [
        f"<h1>{escape(report.community)} — {escape(title)}</h1>",
        f'<p class="lead">{escape(span)}. {escape(summary)}</p>',
        f"<h2>{escape(w['attendance'])}</h2>",
    ]
    if attendance_rows:
        body.append(f'<p class="lead">{escape(w["legend"])}</p>')
        body.append(
            _bars(attendance_rows, title=w["attendance"], desc=w["attendance_desc"],
                  unknown=w["unknown"], chart_id="attendance")
        )
        body.append(
            f"<table><tr><th>{escape(w['date'])}</th><th>{escape(w['meetup'])}</th>"
            f"<th>{escape(w['came'])}</th><th>{escape(w['said'])}</th></tr>"
            + "".join(
                f"<tr><td>{p.on.isoformat()}</td><td>{escape(p.title)}</td>"
                f'<td class="n">{p.came}</td><td class="n">{p.said}</td></tr>'
                for p in report.attendance
            )
            + "</table>"
        )
    else:
        body.append(f"<p>{escape(w['none'])}</p>")
    body.append(f"<h2>{escape(w['reach'])}</h2>")
    if reach_rows:
        body.append(
            _bars(reach_rows, title=w["reach"], desc=w["reach_desc"], unknown=w["unknown"],
                  chart_id="reach")
        )
        body.append(
            f"<table><tr><th>{escape(w['platform'])}</th><th>{escape(w['post'])}</th>"
            f"<th>{escape(w['seen'])}</th><th>{escape(w['interactions'])}</th></tr>"
            + "".join(
                f"<tr><td>{escape(p.platform)}</td><td>{escape(p.label)}</td>"
                f'<td class="n">{_seen(p, w)}</td>'
                f'<td class="n">{"" if p.interactions is None else p.interactions}</td></tr>'
                for p in report.reach
            )
            + "</table>"
        )
    else:
        body.append(f"<p>{escape(w['none'])}</p>")
    return (
        f'<!DOCTYPE html>\n<html lang="{language}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(report.community)} — {escape(title)}</title>\n"
        f"<style>{_STYLE}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )
