"""Civic and construction projects followed over months.

The city hall case: a square being rebuilt is followed with photos before,
during and after, and micro-interviews of the trades on site, the shopkeepers
and the associations met.
"""

from terrain.projects._models import Milestone, Phase, Project

__all__ = ["Milestone", "Phase", "Project"]
