"""Partners with a workspace: add one with its handles, move it along the pipeline,
record what it brings, and its report.

:func:`add_partner` stores a partner and its partnership (a prospect) in one
transaction; :func:`move_partner` moves its current partnership (or opens a
new one once it ended); :func:`record_contribution` adds a line to the
in-kind ledger. :func:`partner_report_of` is the argument for the next partner:
the meetups they supported, the people who came, and the posts published
(and not taken down since) that thanked them by mention or by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING

from terrain.errors import NotFound
from terrain.events import Attendance, Event, Money
from terrain.partnerships import (
    Contribution,
    ContributionKind,
    Partner,
    PartnerKind,
    PartnerReport,
    Partnership,
    PartnershipStatus,
    PipelineStep,
    advance,
    partner_report,
)
from terrain.publishing import MetricsLog, RowState
from terrain.workflows._publish import journal_of

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = [
    "add_partner",
    "current_partnership",
    "move_partner",
    "partner_report_of",
    "record_contribution",
]


def add_partner(
    ws: Workspace,
    partner_id: str,
    *,
    name: str,
    on: date,
    kind: PartnerKind | str = PartnerKind.OTHER,
    contact: str = "",
    handles: Mapping[str, str] | None = None,
    brings: Iterable[ContributionKind | str] = (),
    note: str = "",
) -> tuple[Partner, Partnership]:
    """Store partner ``partner_id`` and its partnership, a prospect since ``on``.

    ``handles`` maps a platform to the partner's handle there (``{"x":
    "cave_du_coin"}``): recaps thank the partner by mention where they have
    one (organisations need no consent to be thanked).
    """
    partner = Partner(id=partner_id, name=name, kind=kind, contact=contact, handles=handles or {})
    partnership = Partnership(
        id=partner_id,
        partner_id=partner_id,
        history=[PipelineStep("prospect", on, note)],
        contributions=tuple(brings),
    )
    with ws.db.transaction():
        ws.add(partner)
        ws.add(partnership)
    return partner, partnership


def current_partnership(ws: Workspace, partner_id: str) -> Partnership:
    """Partner ``partner_id``'s partnership: the open one, else the last one ended."""
    ws.get(Partner, partner_id)
    mine = [p for p in ws.list(Partnership) if p.partner_id == partner_id]
    open_ = [p for p in mine if p.status is not PartnershipStatus.ENDED]
    chosen = open_ or mine
    if not chosen:
        raise NotFound(
            f"partner {partner_id!r} has no partnership; "
            f"start one with `terrain partner add {partner_id} --name ...`"
        )
    return max(chosen, key=lambda p: (p.history[-1].on, p.id))


def _free_id(taken: set[str], base: str, *, first: int) -> str:
    """``base``, else ``base-2``, ``base-3``… (from ``first``): the first id not taken."""
    if first == 1 and base not in taken:
        return base
    n = max(first, 2)
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def move_partner(
    ws: Workspace,
    partner_id: str,
    stage: PartnershipStatus | str,
    *,
    on: date,
    note: str = "",
) -> tuple[Partnership, Partnership]:
    """Move partner ``partner_id``'s partnership to ``stage`` on ``on`` (valid steps only,
    see :func:`terrain.partnerships.advance`); the partnership before and after.

    Once a partnership has ended, moving to ``prospect`` opens a new one
    (``<partner>-2``…) with the same contributions; the old one stays in the history.
    """
    with ws.db.transaction():
        before = current_partnership(ws, partner_id)
        if before.status is PartnershipStatus.ENDED and stage == PartnershipStatus.PROSPECT:
            after = Partnership(
                id=_free_id(set(ws.ids(Partnership)), partner_id, first=2),
                partner_id=partner_id,
                history=[PipelineStep("prospect", on, note)],
                contributions=before.contributions,
            )
            ws.add(after)
        else:
            after = ws.put(advance(before, stage, on=on, note=note))
    return before, after


def record_contribution(
    ws: Workspace,
    partner_id: str,
    event_id: str,
    *,
    kind: ContributionKind | str,
    value: Money,
    description: str = "",
    on: date | None = None,
) -> Contribution:
    """Record that partner ``partner_id`` brought ``kind`` worth ``value`` to event
    ``event_id`` (on ``on``, default the event's date): a line of the in-kind ledger,
    ``<partner>-<event>-<kind>`` (``-2``… when there is one already)."""
    with ws.db.transaction():
        event = ws.get(Event, event_id)
        named = kind.value if isinstance(kind, ContributionKind) else str(kind)
        base = f"{partner_id}-{event_id}-{named}"
        line = Contribution(
            id=_free_id(set(ws.ids(Contribution)), base, first=1),
            partner_id=partner_id,
            event_id=event_id,
            kind=kind,
            value=value,
            on=on if on is not None else event.starts_at.date(),
            description=description,
        )
        ws.add(line)
    return line


def partner_report_of(ws: Workspace, partner_id: str) -> PartnerReport:
    """The report of partner ``partner_id``: meetups supported, people who came (checked
    in), and the published posts, still online, that thanked them, with how far they
    reached online (the metrics ``terrain stats`` pulled back)."""
    partner = ws.get(Partner, partner_id)
    journal = journal_of(ws)
    try:
        rows = journal.rows(states=(RowState.SENT, RowState.CONFIRMED))
        receipts = journal.receipts()  # taken-down posts thank nobody any more
    finally:
        journal.close()
    came = {a.event_id: len(a.checked_in) for a in ws.list(Attendance)}
    return partner_report(
        partner,
        contributions=ws.list(Contribution),
        events=ws.list(Event),
        attendance=came,
        posts=[r.post for r in rows if r.taken_down_at is None],
        receipts=receipts,
        metrics=MetricsLog(ws.db).latest(),
    )
