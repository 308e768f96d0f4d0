"""Civic and construction projects followed over months.

The city hall case: a square being rebuilt is followed with photos before,
during and after, and micro-interviews of the trades on site, the shopkeepers
and the associations met. The photo timeline, before/after composites and
monthly progress posts are pure functions beside the models.
"""

from typing import TYPE_CHECKING

from terrain._lazy import exports

if TYPE_CHECKING:
    from terrain.projects._models import Milestone, Phase, Project
    from terrain.projects._timeline import (
        ProjectPhoto,
        Timeline,
        ViewpointPair,
        before_after_image,
        before_now_pair,
        composite_captions,
        composite_title,
        photo_timeline,
        progress_post,
        viewpoint_pairs,
    )

__all__ = [
    "Milestone",
    "Phase",
    "Project",
    "ProjectPhoto",
    "Timeline",
    "ViewpointPair",
    "before_after_image",
    "before_now_pair",
    "composite_captions",
    "composite_title",
    "photo_timeline",
    "progress_post",
    "viewpoint_pairs",
]

if not TYPE_CHECKING:  # each name is imported when first used (terrain._lazy)
    __getattr__, __dir__ = exports(__name__, __file__)
