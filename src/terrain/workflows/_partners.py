"""Partners with a workspace: add one with its handles, and its report.

:func:`add_partner` stores a partner and its partnership (a prospect) in one
transaction. :func:`partner_report_of` is the argument for the next partner:
the meetups they supported, the people who came, and the posts published
(and not taken down since) that thanked them by mention or by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING

from terrain.events import Attendance, Event
from terrain.partnerships import (
    Contribution,
    ContributionKind,
    Partner,
    PartnerKind,
    PartnerReport,
    Partnership,
    PipelineStep,
    partner_report,
)
from terrain.publishing import RowState
from terrain.publishing._stats import MetricsLog
from terrain.workflows._publish import journal_of

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["add_partner", "partner_report_of"]


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
