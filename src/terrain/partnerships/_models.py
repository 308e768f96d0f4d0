"""Partners and the partnerships the community builds with them.

Brands and local shops bring food, drinks, a venue, money or goods. A
partnership moves through a pipeline (prospect → contacted → proposed →
active → ended); recurrence and format are what eventually close a deal.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import date
from itertools import pairwise
from types import MappingProxyType

import attrs

from terrain._validation import (
    a_date,
    as_enum,
    as_enum_set,
    each,
    fail,
    handle_map,
    identifier,
    instance_of,
    member_of,
    text,
    to_mapping,
    to_tuple,
)

__all__ = [
    "ContributionKind",
    "Partner",
    "PartnerKind",
    "Partnership",
    "PartnershipStatus",
    "PipelineStep",
]


class PartnerKind(enum.StrEnum):
    """What kind of organisation a partner is."""

    BRAND = "brand"
    LOCAL_SHOP = "local-shop"
    ASSOCIATION = "association"
    INSTITUTION = "institution"
    COMPANY = "company"
    OTHER = "other"


def _to_partner_kind(value: PartnerKind | str) -> PartnerKind:
    return as_enum(PartnerKind, value)


class ContributionKind(enum.StrEnum):
    """What a partner brings."""

    FOOD = "food"
    DRINKS = "drinks"
    VENUE = "venue"
    MONEY = "money"
    GOODS = "goods"


def _to_contribution_kind_set(
    values: Iterable[ContributionKind | str],
) -> frozenset[ContributionKind]:
    return as_enum_set(ContributionKind, values)


class PartnershipStatus(enum.StrEnum):
    """The stages of the partnership pipeline, in order."""

    PROSPECT = "prospect"
    CONTACTED = "contacted"
    PROPOSED = "proposed"
    ACTIVE = "active"
    ENDED = "ended"


def _to_partnership_status(value: PartnershipStatus | str) -> PartnershipStatus:
    return as_enum(PartnershipStatus, value)


@attrs.frozen
class Partner:
    """An organisation that supports (or may support) the community.

    ``handles`` maps platform names to the partner's handle, used to thank
    them in recaps (organisations need no consent to be thanked).
    """

    id: str = attrs.field(validator=identifier())
    name: str = attrs.field(validator=text(nonempty=True, max_length=200))
    kind: PartnerKind = attrs.field(
        default=PartnerKind.OTHER, converter=_to_partner_kind, validator=member_of(PartnerKind)
    )
    contact: str = attrs.field(default="", validator=text(max_length=500))
    website: str = attrs.field(default="", validator=text(max_length=500))
    handles: Mapping[str, str] = attrs.field(
        factory=lambda: MappingProxyType({}), converter=to_mapping, validator=handle_map()
    )


@attrs.frozen
class PipelineStep:
    """The partnership reached ``status`` on ``on``; ``note`` says why or how."""

    status: PartnershipStatus = attrs.field(
        converter=_to_partnership_status, validator=member_of(PartnershipStatus)
    )
    on: date = attrs.field(validator=a_date())
    note: str = attrs.field(default="", validator=text(max_length=2000))


@attrs.frozen
class Partnership:
    """A partnership with one partner: what they bring and where it stands.

    ``history`` is the pipeline so far, oldest first, never empty; its dates
    never go backwards. :attr:`status` is the latest step.
    """

    id: str = attrs.field(validator=identifier())
    partner_id: str = attrs.field(validator=identifier())
    history: tuple[PipelineStep, ...] = attrs.field(
        converter=to_tuple, validator=each(instance_of(PipelineStep))
    )
    contributions: frozenset[ContributionKind] = attrs.field(
        default=frozenset(),
        converter=_to_contribution_kind_set,
        validator=each(member_of(ContributionKind)),
    )
    notes: str = attrs.field(default="", validator=text(max_length=5000))

    @history.validator
    def _check_history(self, attribute: attrs.Attribute[object], value: object) -> None:
        assert isinstance(value, tuple)
        if not value:
            raise fail(self, attribute, "needs at least one step (e.g. 'prospect' with its date)")
        for before, after in pairwise(value):
            if after.on < before.on:
                raise fail(
                    self,
                    attribute,
                    f"step {after.status.value!r} on {after.on} is before "
                    f"{before.status.value!r} on {before.on}; list steps oldest first",
                )

    @property
    def status(self) -> PartnershipStatus:
        """Where the partnership stands now: the latest pipeline step."""
        return self.history[-1].status
