"""Whose agreement a minor's consent needs: a setting of ``terrain.toml``.

Kept apart from the consent records so that reading the settings (every
command does) imports none of the consent models.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

__all__ = ["GUARDIAN_RULES", "GuardianRule"]

#: Whose agreement a minor's consent needs: ``"all"`` their guardians on record
#: (the default, as French *droit à l'image* asks of every holder of parental
#: authority) or ``"any"`` one of them. The child's assent is needed either way.
GuardianRule: TypeAlias = Literal["all", "any"]
GUARDIAN_RULES: tuple[GuardianRule, ...] = ("all", "any")
