"""Partners and the partnerships the community builds with them.

Brands and local shops bring food, drinks, a venue, money or goods. A
partnership moves through a pipeline (prospect → contacted → proposed →
active → ended); recurrence and format are what eventually close a deal.
"""

from terrain.partnerships._models import (
    ContributionKind,
    Partner,
    PartnerKind,
    Partnership,
    PartnershipStatus,
    PipelineStep,
)

__all__ = [
    "ContributionKind",
    "Partner",
    "PartnerKind",
    "Partnership",
    "PartnershipStatus",
    "PipelineStep",
]
