"""Move a partnership through the pipeline: valid transitions only.

prospect → contacted → proposed → active → ended, one step at a time; a
partnership can end from any stage, and ending before it was ever active
needs a reason (the note), so the next person knows why it stopped.
"""

from __future__ import annotations

from datetime import date

import attrs

from terrain.errors import ValidationError
from terrain.partnerships._models import Partnership, PartnershipStatus, PipelineStep

__all__ = ["NEXT_STEPS", "advance"]

_S = PartnershipStatus

#: The stages each stage may move to.
NEXT_STEPS: dict[PartnershipStatus, frozenset[PartnershipStatus]] = {
    _S.PROSPECT: frozenset({_S.CONTACTED, _S.ENDED}),
    _S.CONTACTED: frozenset({_S.PROPOSED, _S.ENDED}),
    _S.PROPOSED: frozenset({_S.ACTIVE, _S.CONTACTED, _S.ENDED}),
    _S.ACTIVE: frozenset({_S.ENDED}),
    _S.ENDED: frozenset(),
}


def advance(
    partnership: Partnership, to: PartnershipStatus | str, *, on: date, note: str = ""
) -> Partnership:
    """The partnership moved to stage ``to`` on ``on``, with an optional ``note``.

    Raises :class:`ValidationError` for a transition the pipeline does not
    allow, a date before the last step, or an ending without a reason before
    the partnership was active.
    """
    try:
        target = PartnershipStatus(to)
    except ValueError:
        stages = ", ".join(s.value for s in PartnershipStatus)
        raise ValidationError(f"advance: {to!r} is not a stage; use one of {stages}") from None
    current = partnership.status
    if target not in NEXT_STEPS[current]:
        allowed = ", ".join(sorted(s.value for s in NEXT_STEPS[current])) or "nothing"
        hint = (
            "an ended partnership is closed; open a new one with a 'prospect' step"
            if current is _S.ENDED
            else f"from {current.value!r} it can go to {allowed}"
        )
        raise ValidationError(
            f"partnership {partnership.id!r} cannot go from {current.value!r} to "
            f"{target.value!r}: {hint}"
        )
    if target is _S.ENDED and current is not _S.ACTIVE and not note.strip():
        raise ValidationError(
            f"partnership {partnership.id!r} ends while {current.value!r}: say why (the "
            "reason, e.g. 'no budget this year'), so the next person knows"
        )
    last = partnership.history[-1].on
    if on < last:
        raise ValidationError(
            f"partnership {partnership.id!r}: {on} is before the last step ({last}); "
            "steps are recorded in order"
        )
    return attrs.evolve(partnership, history=(*partnership.history, PipelineStep(target, on, note)))
