"""One cattrs converter for every terrain model.

JSON is the wire format: datetimes are ISO 8601 with their UTC offset and,
when they have one, their IANA zone in the RFC 9557 form
(``2026-11-12T19:00:00+01:00[Europe/Paris]``), so that a datetime reads back
with the same zone, wall time and instant; dates are ISO 8601, enums are their
values, sets and tuples are lists. Reading is
strict: an unknown key, a missing field, a value of the wrong type (``"5"``
for a number) or one a model rejects raises
:class:`~terrain.errors.DeserializationError`, whose message lists every
problem with its path::

    >>> from terrain import Talk
    >>> from terrain.serialization import from_json
    >>> from_json('{"title": "Bikes", "speaker": "Ana", "minutes": -5}', Talk)
    Traceback (most recent call last):
    ...
    terrain.errors.DeserializationError: cannot read Talk: Talk.minutes: must be at least 1, ...

The converter is configured once, when this module is imported; use
:data:`converter` to (un)structure to plain Python data (for TOML, SQL rows).

**Your own hooks** go on :data:`converter`, with cattrs' methods
(``register_structure_hook``, ``register_unstructure_hook``, their ``_func``
and ``_factory`` forms, as functions or decorators): :func:`to_json`,
:func:`from_json`, :func:`unstructure` and :func:`structure` all honour them,
for the class itself and wherever it appears inside other data::

    >>> import attrs
    >>> from terrain.serialization import converter, from_json, to_json
    >>> @attrs.frozen
    ... class Badge:
    ...     member_id: str
    >>> converter.register_unstructure_hook(Badge, lambda badge: f"badge:{badge.member_id}")
    >>> converter.register_structure_hook(Badge, lambda text, _: Badge(text[6:]))
    >>> to_json({"lea": Badge("lea")})
    '{"lea":"badge:lea"}'
    >>> from_json('"badge:lea"', Badge)
    Badge(member_id='lea')

(Behind :func:`to_json` and the fast path of :func:`structure` are two
more converters, kept in step: every hook registered on :data:`converter` is
registered on them too. Register hooks before first use, as with any cattrs
converter: a model read before keeps the hook it was read with.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Set
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, TypeVar, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
import cattrs
import orjson
from cattrs.cols import list_structure_factory
from cattrs.preconf.json import JsonConverter, configure_converter, make_converter

from terrain._fastload import INLINE_HOOKS, dumper, loader
from terrain.errors import DeserializationError, TerrainError

__all__ = [
    "converter",
    "datetime_text",
    "from_json",
    "parse_datetime",
    "structure",
    "to_json",
    "unstructure",
]

T = TypeVar("T")


class _Converter(JsonConverter):
    """The public converter: a hook registered on it is registered on the converters in
    :attr:`linked` too (those behind :func:`to_json` and :func:`structure`'s fast path),
    so that every function of this module honours it."""

    linked: tuple[cattrs.Converter, ...] = ()
    #: The classes given a structure hook of their own (``None``: perhaps any class, a
    #: predicate or a factory was registered): such a class may be read from any data.
    hooked: set[Any] | None

    #: How many hooks were registered since the module configured it: the hand-written
    #: fast reader (terrain._fastload) knows none of them, so it steps aside.
    registered: int

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hooked = set()
        self.registered = 0

    def _pass_on(self, method: str, *args: Any) -> None:
        if self.linked:
            self.registered += 1
            _READERS.clear()  # the generated readers and writers know none of the hooks
            _WRITERS.clear()
        for other in self.linked:
            getattr(other, method)(*args)

    def register_structure_hook(self, cl: Any, func: Any = None) -> Any:
        if func is None:  # as a decorator: the hook's return annotation is the type
            return super().register_structure_hook(cl)  # which calls back with (type, func)
        super().register_structure_hook(cl, func)
        self._pass_on("register_structure_hook", cl, func)
        if self.hooked is not None and self.linked:
            self.hooked.add(cl)
        return None

    def register_unstructure_hook(self, cls: Any = None, func: Any = None) -> Any:
        if func is None:  # as a decorator: the hook's first annotation is the type
            return super().register_unstructure_hook(cls)  # which calls back with (type, func)
        super().register_unstructure_hook(cls, func)
        self._pass_on("register_unstructure_hook", cls, func)
        return None

    def register_structure_hook_func(self, check_func: Any, func: Any) -> None:
        super().register_structure_hook_func(check_func, func)
        self._pass_on("register_structure_hook_func", check_func, func)
        if self.linked:
            self.hooked = None

    def register_unstructure_hook_func(self, check_func: Any, func: Any) -> None:
        super().register_unstructure_hook_func(check_func, func)
        self._pass_on("register_unstructure_hook_func", check_func, func)

    def register_structure_hook_factory(self, predicate: Any, factory: Any = None) -> Any:
        if factory is None:
            return _registering(self.register_structure_hook_factory, predicate)
        super().register_structure_hook_factory(predicate, factory)
        self._pass_on("register_structure_hook_factory", predicate, factory)
        if self.linked:
            self.hooked = None
        return factory

    def register_unstructure_hook_factory(self, predicate: Any, factory: Any = None) -> Any:
        if factory is None:
            return _registering(self.register_unstructure_hook_factory, predicate)
        super().register_unstructure_hook_factory(predicate, factory)
        self._pass_on("register_unstructure_hook_factory", predicate, factory)
        return factory


#: The generated reader and writer of each model read or written so far, while no hook
#: is registered on :data:`converter` (registering one empties them for good).
_READERS: dict[type, Callable[[Any], Any]] = {}
_WRITERS: dict[type, Callable[[Any], Any]] = {}


def _hooks_registered() -> bool:
    """Whether a hook was registered on :data:`converter` after it was configured."""
    return isinstance(converter, _Converter) and converter.registered > 0


def _hooked(cls: Any) -> bool:
    """Whether a hook registered on :data:`converter` may read ``cls`` (an attrs class)
    from data other than an object."""
    hooked = converter.hooked if isinstance(converter, _Converter) else set()
    return hooked is None or cls in hooked


def _registering(register: Callable[[Any, Any], Any], predicate: Any) -> Any:
    """The decorator form of a ``register_*_hook_factory`` method."""

    def decorator(factory: Any) -> Any:
        register(predicate, factory)
        return factory

    return decorator


def _strict(kind: type, names: str) -> Any:
    def hook(value: object, type_: type) -> object:
        if value.__class__ is kind and type_ is kind:  # the common case, first
            return value
        # A class hook for ``str`` also receives StrEnum subclasses: read those
        # as enum members, reporting the valid values.
        if isinstance(type_, type) and issubclass(type_, Enum):
            try:
                return type_(value)
            except ValueError:
                allowed = ", ".join(repr(m.value) for m in type_)
                raise ValueError(f"expected one of {allowed}, got {value!r}") from None
        # bool is an int subclass: true/false are not numbers here.
        if isinstance(value, bool) and kind is not bool:
            raise TypeError(f"expected {names}, got a boolean")
        if kind is float and isinstance(value, int):
            return float(value)
        if not isinstance(value, kind):
            raise TypeError(f"expected {names}, got {type(value).__name__}")
        return value

    return hook


def _configure(conv: cattrs.Converter) -> None:
    conv.register_structure_hook(str, _strict(str, "a string"))
    conv.register_structure_hook(int, _strict(int, "a whole number"))
    conv.register_structure_hook(float, _strict(float, "a number"))
    conv.register_structure_hook(bool, _strict(bool, "true or false"))
    conv.register_structure_hook(datetime, _datetime)
    conv.register_structure_hook(date, _date)
    conv.register_unstructure_hook(datetime, datetime_text)
    conv.register_unstructure_hook_func(_is_set, _sorted_set)


_ZONES: dict[str, ZoneInfo] = {}


def _zone(name: str) -> ZoneInfo:
    try:
        return _ZONES[name]
    except KeyError:
        pass
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"[{name}] is not a known IANA time zone (e.g. [Europe/Paris])") from None
    _ZONES[name] = zone
    return zone


def datetime_text(value: datetime) -> str:
    """``value`` as text: ISO 8601 with its offset, then ``[zone]`` for an IANA zone.

    The RFC 9557 form (``2026-11-12T19:00:00+01:00[Europe/Paris]``) that
    :func:`parse_datetime` reads back to the same zone, wall time and instant;
    a fixed offset (or UTC) is written as ISO 8601 alone.
    """
    tz = value.tzinfo
    if tz.__class__ is ZoneInfo:
        key = tz.key
        if key is not None:
            return f"{value.isoformat()}[{key}]"
    return value.isoformat()


def parse_datetime(value: str) -> datetime:
    """Read what :func:`datetime_text` writes (or plain ISO 8601); ``ValueError`` if invalid.

    With a ``[zone]`` suffix the offset must be the zone's at that wall time
    (it says which of a repeated hour is meant); the result has the zone as
    its ``tzinfo``.
    """
    if value[-1:] != "]":
        return datetime.fromisoformat(value)
    text, _, name = value[:-1].partition("[")
    zone = _zone(name[1:] if name[:1] == "!" else name)  # "!": RFC 9557's critical flag
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 datetime") from None
    offset = parsed.utcoffset()
    if offset is None:
        raise ValueError(
            f"{value!r} has a zone but no UTC offset; write it as {text}+HH:MM[{zone.key}]"
        )
    local = parsed.astimezone(zone)
    if local.utcoffset() != offset:
        raise ValueError(
            f"{value!r}: the offset is not {zone.key}'s at that time (the same instant "
            f"there is {local.isoformat()})"
        )
    return local


def _datetime(value: object, _: type) -> datetime:
    if value.__class__ is not str:
        raise TypeError(f"expected an ISO 8601 datetime string, got {type(value).__name__}")
    if value[-1:] == "]":
        return parse_datetime(value)
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 datetime") from None


def _date(value: object, _: type) -> date:
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 date string, got {type(value).__name__}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date (YYYY-MM-DD)") from None


def _sorted_set(value: frozenset[Any]) -> list[Any]:
    # Sets come out sorted, so the same value always gives the same JSON.
    items = [converter.unstructure(x) for x in value]
    return sorted(items, key=lambda x: orjson.dumps(x, option=orjson.OPT_SORT_KEYS))


def _is_set(type_: Any) -> bool:
    return type_ in (set, frozenset) or get_origin(type_) in (set, frozenset)


_COLLECTIONS: dict[Any, Any] = {tuple: tuple, frozenset: frozenset, set: set, list: list}


def _is_collection(type_: Any) -> bool:
    """``tuple[X, ...]``, ``frozenset[X]``, ``set[X]`` or ``list[X]``."""
    origin = get_origin(type_)
    args: tuple[Any, ...] = getattr(type_, "__args__", ())
    if origin is tuple:
        return len(args) == 2 and args[-1] is Ellipsis
    return origin in _COLLECTIONS and len(args) == 1


def _collection_hooks(conv: cattrs.Converter) -> Any:
    def factory(type_: Any) -> Any:
        # A collection is read from a JSON array only: cattrs alone would read a
        # string as its characters ("velo" -> {"v", "e", "l", "o"}) and an object
        # as its keys. The items go through cattrs' list hook (with its paths).
        item = type_.__args__[0]
        make = _COLLECTIONS[get_origin(type_)]
        items = list_structure_factory(list[item], conv)  # type: ignore[valid-type]

        def hook(value: object, _: type) -> object:
            if value.__class__ is not list and not isinstance(value, list | tuple):
                raise TypeError(f"expected a list (JSON array), got {type(value).__name__}")
            return make(items(value, list))

        return hook

    return factory


def _datetime_out(value: datetime) -> object:
    """For to_json only: datetimes with a fixed offset go to orjson as they are (it
    writes the same ISO 8601 text, in C) unless their offset has seconds, which orjson
    would cut; those with an IANA zone get their [zone] suffix."""
    tz = value.tzinfo
    if tz.__class__ is ZoneInfo:
        return datetime_text(value)
    offset = value.utcoffset()
    if offset is None or not (offset.seconds % 60 or offset.microseconds):
        return value
    return value.isoformat()


# The generated readers and writers (terrain._fastload) inline the common case of the
# datetime hooks: a plain ISO 8601 string without [zone] is read by fromisoformat
# (which is what _datetime does with it), and a datetime in UTC goes to orjson as it is
# (which is what _datetime_out does with it).
INLINE_HOOKS[_datetime] = (
    "_fromisoformat({v}) if {v}.__class__ is _str and {v}[-1:] != ']' else {hook}({v}, {type})",
    {"_fromisoformat": datetime.fromisoformat, "_str": str},
)
INLINE_HOOKS[_datetime_out] = ("{v} if {v}.tzinfo is _UTC else {hook}({v})", {"_UTC": UTC})


def _converters() -> tuple[_Converter, cattrs.Converter, cattrs.Converter]:
    """The public converter, and the two it passes every hook on to.

    The second is the same configuration without detailed validation: about a
    third faster on the happy path (when it fails, :func:`structure` runs the
    public one on the same data to report every problem with its path). The
    third is the one :func:`to_json` uses, with datetimes handed to orjson.
    """
    public = _Converter(
        forbid_extra_keys=True, unstruct_collection_overrides={Set: list, Counter: dict}
    )
    configure_converter(public)
    fast = make_converter(forbid_extra_keys=True, detailed_validation=False)
    wire = make_converter(forbid_extra_keys=True)
    for conv in (public, fast, wire):
        _configure(conv)
        conv.register_structure_hook_factory(_is_collection, _collection_hooks(conv))
    wire.register_unstructure_hook(datetime, _datetime_out)
    public.linked = (fast, wire)
    return public, fast, wire


#: The converter every part of terrain uses; register your own hooks on it.
converter: cattrs.Converter
converter, _fast, _wire = _converters()


def _format(exc: BaseException, type_: Any) -> str:
    """One line per problem: our own messages verbatim, cattrs' otherwise."""
    if isinstance(exc, TerrainError):
        return str(exc)
    if isinstance(exc, TypeError | ValueError) and str(exc).startswith(("expected", "'")):
        return str(exc)
    if isinstance(exc, ValueError) and type_ is not None and not isinstance(exc, KeyError):
        name = getattr(type_, "__name__", str(type_))
        return f"invalid value for {name}: {exc}"
    return cattrs.v.format_exception(exc, type_)


def unstructure(obj: object) -> Any:
    """Plain Python data (dicts, lists, strings, numbers) for ``obj``."""
    return converter.unstructure(obj)


def structure(data: Any, cls: type[T]) -> T:
    """Build a ``cls`` from plain Python data, or raise :class:`DeserializationError`."""
    if data.__class__ is dict:  # what JSON gives: the fast reader first
        try:
            read = _READERS.get(cls)
        except TypeError:  # a type that cannot be hashed (a Literal of a list...)
            read = None
        if read is None and attrs.has(cls):
            read = _reader(cls)
        if read is not None:
            try:
                return read(data)  # type: ignore[no-any-return]
            except Exception:  # any failure: the detailed converter below explains it
                pass
    return _structure(data, cls)


def _reader(cls: type) -> Callable[[Any], Any]:
    """The fast reader of attrs class ``cls`` (remembered while no hook is registered)."""
    if _hooks_registered():  # the hooks are known to the converters, not to the fast reader
        return lambda data: _fast.structure(data, cls)
    read: Callable[[Any], Any] = loader(_fast, cls)
    _READERS[cls] = read
    return read


def _structure(data: Any, cls: type[T]) -> T:
    """:func:`structure` without the fast reader of a model."""
    name = getattr(cls, "__name__", str(cls))
    if attrs.has(cls) and not isinstance(data, Mapping) and not _hooked(cls):
        raise DeserializationError(
            f"cannot read {name}: expected an object with {name}'s fields, "
            f"got {type(data).__name__} @ $",
            errors=[f"expected an object, got {type(data).__name__} @ $"],
        )
    if data.__class__ is not dict:
        try:
            return _fast.structure(data, cls)
        except Exception:  # any failure: the detailed converter below explains it
            pass
    try:
        return converter.structure(data, cls)
    except cattrs.BaseValidationError as exc:
        errors = cattrs.transform_error(exc, format_exception=_format)
        raise DeserializationError(
            f"cannot read {name}: " + "; ".join(errors), errors=errors
        ) from None
    except TerrainError as exc:  # raised by a converter outside any class
        raise DeserializationError(f"cannot read {name}: {exc}", errors=[str(exc)]) from None


def to_json(obj: object, *, indent: bool = False) -> str:
    """``obj`` as a JSON string (non-ASCII kept as is).

    With ``indent``, the output is indented by two spaces with sorted keys,
    for people and diffs.
    """
    options = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS if indent else 0
    write = _WRITERS.get(obj.__class__)
    if write is None:
        write = _writer(obj.__class__)
    return orjson.dumps(write(obj), option=options).decode()


def _writer(cls: type) -> Callable[[Any], Any]:
    """What turns an instance of ``cls`` into data for orjson: a model's generated
    writer (remembered while no hook is registered), or the converter."""
    if not attrs.has(cls) or _hooks_registered():
        return _wire.unstructure
    write: Callable[[Any], Any] = dumper(_wire, cls)
    _WRITERS[cls] = write
    return write


def from_json(text: str | bytes, cls: type[T]) -> T:
    """Read a ``cls`` from JSON ``text``; every problem is reported with its path."""
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        name = getattr(cls, "__name__", str(cls))
        raise DeserializationError(
            f"cannot read {name}: not valid JSON ({exc.msg} at line {exc.lineno}, "
            f"column {exc.colno})",
            errors=[exc.msg],
        ) from None
    return structure(data, cls)
