"""Public names: where an exported class or function says it lives, and deprecated aliases.

A package keeps its code in private modules (``terrain.consent._ledger``) and
re-exports the public names (``terrain.consent.ConsentLedger``). :func:`claim`
sets their ``__module__`` to the public module, so that reprs, tracebacks,
pickles and the API reference name ``terrain.consent.ConsentLedger`` (as httpx
does). :func:`deprecated` gives a module the old names of renamed objects for
one more release, with a :class:`DeprecationWarning`. A package whose names are
imported when first used (:mod:`terrain._lazy`) claims them then, and serves its
old names through :func:`warn_renamed`.
"""

from __future__ import annotations

import copy
import inspect
import sys
import typing
import warnings
from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["ORIGINS", "claim", "deprecated", "warn_renamed"]

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
    # The text of each annotation is compiled once per process, not once per class
    # (``str``, ``datetime | None``…): what get_type_hints would make of it, a fresh
    # typing.ForwardRef, is a copy of a kept one, whose code it shares.
    cls.__annotations__ = {
        name: _forward_ref(value) if isinstance(value, str) else value
        for name, value in own.items()
    }
    try:
        hints = typing.get_type_hints(cls, globalns=dict(namespace), include_extras=True)
    except NameError:  # a type known to type checkers only: unresolvable anywhere, leave it
        cls.__annotations__ = own
        return
    except BaseException:
        cls.__annotations__ = own
        raise
    cls.__annotations__ = {name: hints.get(name, value) for name, value in own.items()}
    if attrs.has(cls):
        attrs.resolve_types(cls)


#: A :class:`typing.ForwardRef` of each annotation text seen, never evaluated (it is
#: copied: an evaluated one remembers its value, which another namespace may not give).
_FORWARD_REFS: dict[str, typing.ForwardRef] = {}


def _forward_ref(text: str) -> typing.ForwardRef:
    """A new :class:`typing.ForwardRef` of the annotation ``text`` of a class, as
    :func:`typing.get_type_hints` makes it, without compiling ``text`` again."""
    kept = _FORWARD_REFS.get(text)
    if kept is None:
        kept = _FORWARD_REFS[text] = typing.ForwardRef(text, is_argument=False, is_class=True)
    return copy.copy(kept)


def deprecated(module: str, renamed: Mapping[str, str], namespace: Mapping[str, Any]) -> Any:
    """A module ``__getattr__`` serving the old names of ``renamed`` (old -> new) with a
    :class:`DeprecationWarning` that names the new one::

        __getattr__ = deprecated(__name__, {"rsvp": "rsvp_going"}, globals())
    """

    def __getattr__(name: str) -> Any:
        new = renamed.get(name)
        if new is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        warn_renamed(module, name, new, stacklevel=2)
        return namespace[new]

    return __getattr__


def warn_renamed(module: str, old: str, new: str, *, stacklevel: int) -> None:
    """The :class:`DeprecationWarning` for ``module.old``, renamed ``module.new``
    (``stacklevel`` as :func:`warnings.warn` would take it in the caller: 2 names
    the code that asked the caller for the old name)."""
    warnings.warn(
        f"{module}.{old} is deprecated: use {module}.{new} (the old name goes in the next release)",
        DeprecationWarning,
        stacklevel=stacklevel + 1,
    )
