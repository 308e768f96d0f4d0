"""{{ cookiecutter.description }}

The entry point of the ``terrain`` group names this module: terrain calls its
hooks when it builds a plugin manager.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import terrain

from {{ cookiecutter.module }}._platform import (
    CAPABILITIES,
    NAME,
    TOKEN_VARIABLE,
    Factory,
    Platform,
)

__all__ = ["CAPABILITIES", "NAME", "TOKEN_VARIABLE", "Factory", "Platform"]


@terrain.hookimpl
def terrain_register_platforms(register: Callable[[Any], None]) -> None:
    """Add the ``{{ cookiecutter.platform }}`` platform."""
    register(Factory())
