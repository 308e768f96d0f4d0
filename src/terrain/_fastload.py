"""A faster first try at reading attrs models from JSON data, for the happy path.

:func:`loader` builds, once per class, a reader that walks a JSON object with
the exact-type checks of :mod:`terrain.serialization` done inline (a string is
a ``str``, a number an ``int`` and not a ``bool``, a collection a JSON array,
no unknown key), hands every other type to the converter's own hook
(datetimes, dates, enums, mappings, unions…), and builds the instance with
its constructor, so every attrs converter and validator runs as usual.

It never explains a failure: on any problem it raises :class:`Fallback`, and
:func:`terrain.serialization.structure` reads the same data again with the
detailed converter, which reports every problem with its path. Accepting
exactly what the converter accepts is checked by a property test
(``tests/test_serialization.py``).
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from typing import Any, get_args, get_origin

import attrs

__all__ = ["Fallback", "loader"]


class Fallback(Exception):
    """The fast reader gives up: read the data with the detailed converter."""


_MAKERS: dict[Any, Callable[[Any], Any]] = {
    tuple: tuple,
    list: list,
    frozenset: frozenset,
    set: set,
}
_EXACT = (str, int, bool)


def _delegate(conv: Any, type_: Any) -> Callable[[Any], Any]:
    hook = conv.get_structure_hook(type_)

    def read(value: Any) -> Any:
        return hook(value, type_)

    return read


def _collection(conv: Any, type_: Any) -> Callable[[Any], Any] | None:
    origin = get_origin(type_)
    args = get_args(type_)
    if origin is tuple:
        if len(args) != 2 or args[1] is not Ellipsis:
            return None
        item = args[0]
    elif origin in _MAKERS and len(args) == 1:
        item = args[0]
    else:
        return None
    make = _MAKERS[origin]
    if item in _EXACT:

        def read_exact(value: Any) -> Any:
            for x in value:
                if x.__class__ is not item:
                    raise Fallback
            return make(value)

        return read_exact
    if isinstance(item, type) and issubclass(item, enum.StrEnum):
        read_member = _enum_reader(item)

        def read_members(value: Any) -> Any:
            return make([read_member(x) for x in value])

        return read_members
    if attrs.has(item):
        inner = loader(conv, item)

        def read_models(value: Any) -> Any:
            return make([inner(x) for x in value])

        return read_models
    return None


def _field_spec(conv: Any, type_: Any) -> tuple[type | None, Callable[[Any], Any] | None, bool]:
    """``(exact class the JSON value must have or None, reader or None, may be null)``."""
    nullable = False
    args = get_args(type_)
    if args and type(None) in args and len(args) == 2:
        nullable = True
        type_ = next(a for a in args if a is not type(None))
    if type_ in _EXACT:
        return type_, None, nullable
    if isinstance(type_, type) and issubclass(type_, enum.StrEnum):
        return None, _enum_reader(type_), nullable
    if isinstance(type_, type) and attrs.has(type_):
        return dict, loader(conv, type_), nullable
    collection = _collection(conv, type_)
    if collection is not None:
        return list, collection, nullable
    if nullable:  # the converter's hook for the optional type handles null itself
        return None, _delegate(conv, type_ | None), False
    return None, _delegate(conv, type_), False


@functools.cache
def _spec(conv: Any, cls: type) -> tuple[frozenset[str], tuple[Any, ...]] | None:
    attrs.resolve_types(cls)
    fields = attrs.fields(cls)
    if any(f.alias != f.name or not f.init for f in fields):
        return None  # keys differ from the init names: leave it to the converter
    spec = tuple((f.name, *_field_spec(conv, f.type)) for f in fields)
    return frozenset(f.name for f in fields), spec


_MISSING = object()


def _enum_reader(type_: type[enum.Enum]) -> Callable[[Any], Any]:
    """A string enum's member by value, straight from the enum's own table."""
    members = type_._value2member_map_

    def read_enum(value: Any) -> Any:
        if value.__class__ is type_:
            return value
        member = members.get(value) if value.__class__ is str else None
        if member is None:
            raise Fallback
        return member

    return read_enum


#: How many distinct values of one class :func:`loader` remembers (then it starts over).
MEMO_LIMIT = 4096


def _text_type(type_: Any) -> bool:
    """Whether every JSON value of ``type_`` is a string (or null): a ``str``, a
    string enum, or either of them or ``None``."""
    args = get_args(type_)
    if args and type(None) in args and len(args) == 2:
        type_ = next(a for a in args if a is not type(None))
    return type_ is str or (isinstance(type_, type) and issubclass(type_, enum.StrEnum))


def _memo(cls: type) -> dict[tuple[Any, ...], Any] | None:
    """A table of instances by the JSON items they were read from, for a class
    whose instances are values (hashable, so frozen) made of strings only, or
    ``None``.

    Such a value recurs across records (the same signed form, witness or event
    scope behind thousands of consents): read once, it is checked once and
    shared, which is safe because it cannot change. Keys hold strings and
    ``None`` only, so two keys are equal exactly when the JSON was (no ``1 ==
    True`` between types); an item of any other type never makes an instance,
    so never a key.
    """
    if cls.__hash__ is None or not all(_text_type(f.type) for f in attrs.fields(cls)):
        return None
    return {}


@functools.cache
def loader(conv: Any, cls: type) -> Callable[[Any], Any]:
    """A reader of ``cls`` from a JSON object, raising :class:`Fallback` on any doubt.

    The reader is generated for the class (one straight-line function, as
    attrs and cattrs do): a key present is checked and converted inline, a
    key missing is left to the constructor's default (or its error).
    """
    found = _spec(conv, cls)
    if found is None:
        hook = conv.get_structure_hook(cls)

        def read_other(data: Any) -> Any:
            return hook(data, cls)

        return read_other
    known, spec = found
    names: dict[str, Any] = {
        "Fallback": Fallback,
        "_M": _MISSING,
        "_known": known.issuperset,
        "_cls": cls,
        "_dict": dict,
    }
    lines = [
        "def read(data):",
        "    if data.__class__ is not _dict or not _known(data):",
        "        raise Fallback",
        "    get = data.get",
        "    kw = {}",
    ]
    memo = _memo(cls)
    if memo is not None:  # a value seen before: the instance made from it then
        names["_memo"] = memo
        names["_LIMIT"] = MEMO_LIMIT
        names["_TypeError"] = TypeError
        lines += [
            "    try:",
            "        key = tuple(data.items())",
            "        hit = _memo.get(key)",
            "    except _TypeError:",  # a list or object where a string belongs
            "        key = hit = None",
            "    if hit is not None:",
            "        return hit",
        ]
    for i, (name, kind, convert, nullable) in enumerate(spec):
        names[f"_k{i}"] = kind
        names[f"_c{i}"] = convert
        value = "v" if convert is None else f"_c{i}(v)"
        lines += [f"    v = get({name!r}, _M)", "    if v is not _M:"]
        if nullable:
            lines += ["        if v is None:", f"            kw[{name!r}] = None", "        else:"]
            pad = "            "
        else:
            pad = "        "
        if kind is not None:
            lines += [f"{pad}if v.__class__ is not _k{i}:", f"{pad}    raise Fallback"]
        lines += [f"{pad}kw[{name!r}] = {value}"]
    if memo is not None:
        lines += [
            "    made = _cls(**kw)",
            "    if key is not None:",
            "        if len(_memo) >= _LIMIT:",
            "            _memo.clear()",
            "        _memo[key] = made",
            "    return made",
        ]
    else:
        lines.append("    return _cls(**kw)")
    exec("\n".join(lines), names)  # the source is made above from field names
    read: Callable[[Any], Any] = names["read"]
    return read
