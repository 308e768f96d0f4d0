"""The clocks the documentation runs under (``TERRAIN_NOW``).

The pages show a season in 2026 and must print the same whatever the date, so they
run on a day clocks go back in Paris, a day they go forward, and a leap day. A test
that needs a particular "now" sets it itself; :func:`clocks` is what a docs test is
parametrized with.
"""

from __future__ import annotations

import os

CLOCKS = {
    "fall-back-day": "2026-10-25T02:30:00+01:00",
    "spring-forward-day": "2027-03-28T03:30:00+02:00",
    "leap-day": "2028-02-29T23:30:00+01:00",
}


def clocks(*names: str) -> dict[str, str]:
    """``names`` of :data:`CLOCKS` (all when none), or, when the run sets ``TERRAIN_NOW``
    (CI runs the docs again under other dates), that clock alone."""
    outside = os.environ.get("TERRAIN_NOW")
    if outside:
        return {f"TERRAIN_NOW={outside}": outside}
    return {name: CLOCKS[name] for name in names or CLOCKS}
