"""Partners and the partnerships the community builds with them.

Brands and local shops bring food, drinks, a venue, money or goods. A
partnership moves through a pipeline (prospect → contacted → proposed →
active → ended); recurrence and format are what eventually close a deal.
The in-kind ledger, an event's drinks/food budget and the partner report are
pure functions beside the models.
"""

from typing import TYPE_CHECKING

from terrain._lazy import exports

if TYPE_CHECKING:
    from terrain.partnerships._ledger import (
        CATERING,
        Budget,
        Contribution,
        PartnerReport,
        SupportedEvent,
        event_budget,
        partner_report,
        thanks,
        total,
    )
    from terrain.partnerships._models import (
        ContributionKind,
        Partner,
        PartnerKind,
        Partnership,
        PartnershipStatus,
        PipelineStep,
    )
    from terrain.partnerships._pipeline import NEXT_STEPS, advance

__all__ = [
    "CATERING",
    "NEXT_STEPS",
    "Budget",
    "Contribution",
    "ContributionKind",
    "Partner",
    "PartnerKind",
    "PartnerReport",
    "Partnership",
    "PartnershipStatus",
    "PipelineStep",
    "SupportedEvent",
    "advance",
    "event_budget",
    "partner_report",
    "thanks",
    "total",
]

if not TYPE_CHECKING:  # each name is imported when first used (terrain._lazy)
    __getattr__, __dir__ = exports(__name__, __file__)
