"""Public names: where an exported class or function says it lives, and deprecated aliases.

A package keeps its code in private modules (``terrain.consent._ledger``) and
re-exports the public names (``terrain.consent.ConsentLedger``). :func:`claim`
sets their ``__module__`` to the public module, so that reprs, tracebacks,
pickles and the API reference name ``terrain.consent.ConsentLedger`` (as httpx
does). :func:`deprecated` gives a module the old names of renamed objects for
one more release, with a :class:`DeprecationWarning`.
"""

from __future__ import annotations

import inspect
import sys
import typing
import warnings
from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["ORIGINS", "claim", "deprecated"]

#: Public dotted name -> the private module that defines it (``terrain.events.Event`` ->
#: ``terrain.events._models``), for tools that need the source (the docs' source links).
ORIGINS: dict[str, str] = {}


def _is_private(module: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in module.split("."))


def claim(module: str, namespace: Mapping[str, Any]) -> None:
    """Give every class and function of ``namespace["__all__"]`` that a private module
    defines the public ``module`` as its ``__module__``.

    A name re-exported from another public module keeps that module. The
    annotations of a class are resolved first, in the module that defines them
    (see :func:`_resolve_annotations`).
    """
    for name in namespace["__all__"]:
        obj = namespace.get(name)
        if not (isinstance(obj, type) or inspect.isfunction(obj)):
            continue
        origin = obj.__module__
        if origin == module or not _is_private(origin):
            continue
        if isinstance(obj, type):
            _resolve_annotations(obj, vars(sys.modules[origin]))
        ORIGINS[f"{module}.{name}"] = origin
        obj.__module__ = module


def _resolve_annotations(cls: type, namespace: Mapping[str, Any]) -> None:
    """Replace the annotations of ``cls`` written as text (``from __future__ import
    annotations``) by the types they name in ``namespace``, the module that defines
    it: once its ``__module__`` is the public module, they could no longer be read
    (by attrs and cattrs, by :func:`typing.get_type_hints`, by the docs)."""
    own = inspect.get_annotations(cls)
    if not own:
        return
    try:
        hints = typing.get_type_hints(cls, globalns=dict(namespace), include_extras=True)
    except NameError:  # a type known to type checkers only: unresolvable anywhere, leave it
        return
    cls.__annotations__ = {name: hints.get(name, value) for name, value in own.items()}
    if attrs.has(cls):
        attrs.resolve_types(cls)


def deprecated(module: str, renamed: Mapping[str, str], namespace: Mapping[str, Any]) -> Any:
    """A module ``__getattr__`` serving the old names of ``renamed`` (old -> new) with a
    :class:`DeprecationWarning` that names the new one::

        __getattr__ = deprecated(__name__, {"rsvp": "rsvp_going"}, globals())
    """

    def __getattr__(name: str) -> Any:
        new = renamed.get(name)
        if new is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        warnings.warn(
            f"{module}.{name} is deprecated: use {module}.{new} (the old name goes in the "
            "next release)",
            DeprecationWarning,
            stacklevel=2,
        )
        return namespace[new]

    return __getattr__
