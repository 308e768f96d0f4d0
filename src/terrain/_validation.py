"""Small attrs validators and converters shared by the models.

Like ``attr.validators``, each validator is a tiny private class behind a
factory function; every failure raises :class:`terrain.errors.ValidationError`
whose message starts with ``Model.field`` and says what a valid value is.

Each validator also says, with :meth:`inline`, how to test the same rule as one
Python expression (``True`` when the value is accepted): :mod:`terrain._fastload`
compiles those into its per-class reader, so a stored record is checked without a
call per field. The expression accepts exactly what ``__call__`` accepts (a
property test, ``tests/test_validation_inline.py``, holds them to it); on a
refusal the reader gives up and the model's constructor runs the validator itself,
which explains the problem.
"""

from __future__ import annotations

import inspect
import re
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from enum import Enum
from types import MappingProxyType
from typing import Any, ClassVar, TypeVar, get_args, get_origin
from zoneinfo import ZoneInfo

import attrs

from terrain._time import day_offset, gap_problem
from terrain.errors import ValidationError

T = TypeVar("T")
Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def bind(names: dict[str, Any], obj: object) -> str:
    """A fresh global name for ``obj`` in the namespace ``names`` of generated code."""
    key = f"_g{len(names)}"
    names[key] = obj
    return key


def inline(validator: object, value: str, names: dict[str, Any], known: Any = None) -> str | None:
    """A Python expression true exactly when ``validator`` accepts the value held by the
    local variable ``value``, with the objects it needs added to ``names``; ``None`` if
    the validator has no such form (the caller then calls it).

    ``known`` is what the caller knows of the value: its exact class, or
    ``tuple[X, ...]`` / ``frozenset[X]`` for a collection of nothing but ``X`` instances; the
    expression leaves out what that already says, and is ``"True"`` when nothing is left.
    """
    method = getattr(validator, "inline", None)
    if method is None or validator.__class__.__module__ != __name__:
        return None
    found: str | None = method(value, names, known)
    return found


def _all(tests: list[str]) -> str:
    """The conjunction of ``tests`` (``"True"`` for none)."""
    tests = [t for t in tests if t != "True"]
    return "(" + " and ".join(tests) + ")" if tests else "True"

#: Ids are short, stable, URL- and file-name-safe strings: ``lea-martin``,
#: ``ev-2026-03``, ``p-12``.
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def where(instance: object, attribute: attrs.Attribute[Any]) -> str:
    """``Model.field``, for messages."""
    return f"{type(instance).__name__}.{attribute.name}"


def fail(instance: object, attribute: attrs.Attribute[Any], message: str) -> ValidationError:
    """A :class:`ValidationError` about ``instance.attribute``."""
    field = where(instance, attribute)
    return ValidationError(f"{field}: {message}", field=field)


class _Rule:
    """What every validator below is: a value made of the fields its class annotates,
    given in that order (trailing ones may keep the class's default), frozen, equal
    and hashed by class and fields: what ``attrs.frozen`` gave them, without
    generating and compiling methods for fifteen classes each time terrain starts."""

    _fields: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._fields = tuple(inspect.get_annotations(cls))

    def __init__(self, *values: Any) -> None:
        if len(values) > len(self._fields):
            raise TypeError(f"{type(self).__name__} takes at most {len(self._fields)} values")
        given = dict(zip(self._fields, values, strict=False))
        for name in self._fields:
            object.__setattr__(
                self, name, given[name] if name in given else getattr(type(self), name)
            )

    def __setattr__(self, name: str, value: object) -> None:
        raise attrs.exceptions.FrozenInstanceError

    def __delattr__(self, name: str) -> None:
        raise attrs.exceptions.FrozenInstanceError

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in self._fields)

    def __hash__(self) -> int:
        return hash((self.__class__, *(getattr(self, f) for f in self._fields)))


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _InstanceOf(_Rule):
    types: tuple[type, ...]

    def __call__(self, inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        # bool is an int in Python, but never a valid count or capacity.
        if isinstance(value, bool) and bool not in self.types:
            raise fail(inst, attr, f"expected {self._names()}, got a bool ({value!r})")
        if not isinstance(value, self.types):
            raise fail(
                inst, attr, f"expected {self._names()}, got {type(value).__name__} {_show(value)}"
            )

    def _names(self) -> str:
        return " or ".join(t.__name__ for t in self.types)

    def inline(self, v: str, names: dict[str, Any], known: Any = None) -> str:
        if isinstance(known, type) and issubclass(known, self.types):
            return "True" if known is not bool or bool in self.types else "False"
        types = bind(names, self.types)
        if bool in self.types:
            return f"isinstance({v}, {types})"
        return f"({v}.__class__ is not bool and isinstance({v}, {types}))"

    def __repr__(self) -> str:
        return f"<instance_of {self._names()}>"


def instance_of(*types: type) -> Validator:
    """The value is an instance of one of ``types`` (a bool is not an int)."""
    return _InstanceOf(types)


class _Identifier(_Rule):
    def __call__(self, inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
            raise fail(
                inst,
                attr,
                f"{_show(value)} is not a valid id: use 1-128 letters, digits, '.', '_', ':' "
                "or '-', starting with a letter or digit (e.g. 'lea-martin', 'ev-2026-03')",
            )

    def inline(self, v: str, names: dict[str, Any], known: Any = None) -> str:
        kind = "True" if known is str else f"isinstance({v}, str)"
        return _all([kind, f"{bind(names, ID_PATTERN.fullmatch)}({v}) is not None"])


def identifier() -> Validator:
    """A stable string id (see :data:`ID_PATTERN`)."""
    return _Identifier()


#: Control characters plain text (``text(plain=True)``) may not hold: C0 but tab,
#: line feed and carriage return; DEL; C1. They corrupt calendars, files, terminals.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: In one-line text (a title, a name), line breaks and tabs are refused too.
_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_NAMES = {"\t": "a tab", "\n": "a line break", "\r": "a carriage return (CR)"}


def control_problem(value: str, *, line: bool = False) -> str | None:
    """What is wrong with the control characters of ``value``, or ``None``.

    One-line text (``line=True``: titles, names) holds none; other text may
    hold tabs and line breaks only.
    """
    found = (_CONTROL_IN_LINE if line else _CONTROL).search(value)
    if found is None:
        return None
    char = found.group()
    name = _CONTROL_NAMES.get(char, f"the control character U+{ord(char):04X}")
    where = f"at position {found.start() + 1}"
    if line:
        return f"contains {name} {where}; it is one line of text: remove it"
    return f"contains {name} {where}; remove it (only tabs and line breaks are kept)"


class _Text(_Rule):
    nonempty: bool
    max_length: int | None
    line: bool = False
    plain: bool = False

    def __call__(self, inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str):
            raise fail(inst, attr, f"expected text, got {type(value).__name__} {_show(value)}")
        if self.nonempty and (not value or value.isspace()):
            raise fail(inst, attr, "must not be empty")
        if self.max_length is not None and len(value) > self.max_length:
            raise fail(
                inst, attr, f"is {len(value)} characters long; the limit is {self.max_length}"
            )
        if (self.line or self.plain) and control_problem(value, line=self.line) is not None:
            raise fail(inst, attr, str(control_problem(value, line=self.line)))

    def inline(self, v: str, names: dict[str, Any], known: Any = None) -> str:
        tests = ["True" if known is str else f"isinstance({v}, str)"]
        if self.nonempty:
            tests.append(f"{v} != '' and not {v}.isspace()")
        if self.max_length is not None:
            tests.append(f"len({v}) <= {int(self.max_length)}")
        if self.line or self.plain:  # (the patterns match one character: never in "")
            search = bind(names, (_CONTROL_IN_LINE if self.line else _CONTROL).search)
            empty = "" if self.nonempty else f"{v} == '' or "
            tests.append(f"({empty}{search}({v}) is None)")
        return _all(tests)


def text(
    *,
    nonempty: bool = False,
    max_length: int | None = None,
    line: bool = False,
    plain: bool = False,
) -> Validator:
    """A ``str``; optionally not blank, optionally at most ``max_length`` long.

    ``line``: one line of text, no control character at all (a title, a name:
    what a calendar or a file header holds). ``plain``: no control character
    but tabs and line breaks (a description that leaves terrain in a file).
    """
    return _Text(nonempty, max_length, line, plain)


#: An email address as terrain accepts it: one ``@``, a dotted domain, no space,
#: no control character, no quote or angle bracket (it goes into mail headers).
_EMAIL = re.compile(r"[^@\s\"'<>(),;:\\\[\]]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+")


def email_problem(value: object) -> str | None:
    """What is wrong with email address ``value`` (``None`` if it is usable)."""
    if not isinstance(value, str):
        return f"expected text, got {type(value).__name__}"
    if len(value) > 254 or _EMAIL.fullmatch(value) is None:
        return f"{_show(value)} is not an email address (name@example.org)"
    return None


def normal_email(value: str) -> str:
    """``value`` as terrain compares addresses: trimmed, the domain in lower case."""
    local, _, domain = value.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if local else value.strip()


class _Email(_Rule):
    def __call__(self, inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        problem = email_problem(value)
        if problem is not None:
            raise fail(inst, attr, problem)

    def inline(self, v: str, names: dict[str, Any], known: Any = None) -> str:
        return f"{bind(names, email_problem)}({v}) is None"


def email() -> Validator:
    """An email address (see :func:`email_problem`)."""
    return _Email()


#: The longest storage key, in UTF-8 bytes (S3's limit).
MAX_KEY_BYTES = 1024
#: A control character (C0 or DEL), which no storage key may hold.
_KEY_CONTROL = re.compile("[\x00-\x1f\x7f]")


def key_problem(key: object) -> str | None:
    """What is wrong with storage key ``key`` (``None`` if it is safe).

    The one rule for storage keys (every backend and every model holding a
    key uses it): a relative, ``/``-separated path (``media/ev-1/p-12.jpg``),
    not empty, not absolute, no backslash, no empty, ``.`` or ``..`` segment,
    no control character, at most :data:`MAX_KEY_BYTES` bytes in UTF-8.
    """
    if not isinstance(key, str) or not key:
        return f"storage key {key!r}: give a non-empty relative path like 'media/a.jpg'"
    if key.startswith("/"):
        return f"storage key {key!r} is absolute; drop the leading '/'"
    if "\\" in key:
        return f"storage key {key!r} contains '\\'; separate folders with '/'"
    if _KEY_CONTROL.search(key):
        return f"storage key {key!r} contains a control character; remove it"
    if any(segment in {"", ".", ".."} for segment in key.split("/")):
        return (
            f"storage key {key!r} has an empty, '.' or '..' segment; "
            "give a plain path inside the store"
        )
    if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        return f"storage key {key[:40]!r}… is over {MAX_KEY_BYTES} bytes; shorten it"
    return None


class _StorageKey(_Rule):
    def __call__(self, inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        problem = key_problem(value)
        if problem is not None:
            raise fail(inst, attr, problem)

    def inline(self, v: str, names: dict[str, Any], known: Any = None) -> str:
        return f"{bind(names, key_problem)}({v}) is None"


def storage_key() -> Validator:
    """A safe storage key (see :func:`key_problem`): no traversal, no absolute path."""
    return _StorageKey()


class _AtLeast(_Rule):
    minimum: int

    def __call__(self, inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        if isinstance(value, bool):
            raise fail(inst, attr, f"expected a whole number, got a bool ({value!r})")
        if not isinstance(value, int):
            raise fail(
                inst, attr, f"expected a whole number, got {type(value).__name__} {_show(value)}"
            )
        if value < self.minimum:
            raise fail(inst, attr, f"must be at least {self.minimum}, got {value}")

    def inline(self, v: str, names: dict[str, Any], known: Any = None) -> str:
        minimum = bind(names, self.minimum)
        if known is int:
            return f"not {v} < {minimum}"
        return f"({v}.__class__ is not bool and isinstance({v}, int) and not {v} < {minimum})"


def at_least(minimum: int) -> Validator:
    """An ``int`` (not a bool) no smaller than ``minimum``."""
    return _AtLeast(minimum)


class _Aware(_Rule):
    def __call__(self, inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, datetime):
            raise fail(
                inst, attr, f"expected a datetime, got {type(value).__name__} {_show(value)}"
            )
        tz = value.tzinfo
        if tz is None or value.utcoffset() is None:
            raise fail(
                inst,
                attr,
                f"{value.isoformat()} has no time zone; give one "
                "(e.g. datetime(..., tzinfo=ZoneInfo('Europe/Paris')) or '+01:00' in ISO 8601)",
            )
        # A wall time in a spring-forward gap cannot be read back: refuse it. The
        # cheap test first (most days the zone's offset does not change).
        if tz.__class__ is ZoneInfo and day_offset(tz, value) is None:
            problem = gap_problem(value)
            if problem is not None:
                raise fail(inst, attr, problem)

    def inline(self, v: str, names: dict[str, Any], known: Any = None) -> str:
        tz = f"_tz{len(names)}"
        zone, day, gap = (bind(names, x) for x in (ZoneInfo, day_offset, gap_problem))
        return (
            f"(isinstance({v}, {bind(names, datetime)}) and ({tz} := {v}.tzinfo) is not None "
            f"and {v}.utcoffset() is not None and ({tz}.__class__ is not {zone} "
            f"or {day}({tz}, {v}) is not None or {gap}({v}) is None))"
        )


def aware_datetime() -> Validator:
    """A :class:`datetime` with a time zone (naive datetimes are ambiguous) that exists.

    A wall time in an IANA zone's spring-forward gap is refused with the
    nearest valid times; one in the autumn fold is accepted, read with its
    ``fold`` (0: the first time, 1: the second), which serialization keeps.
    """
    return _Aware()


class _Date(_Rule):
    def __call__(self, inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        if isinstance(value, datetime) or not isinstance(value, date):
            raise fail(inst, attr, f"expected a date, got {type(value).__name__} {_show(value)}")

    def inline(self, v: str, names: dict[str, Any], known: Any = None) -> str:
        if known is date:
            return "True"
        return (
            f"(not isinstance({v}, {bind(names, datetime)}) "
            f"and isinstance({v}, {bind(names, date)}))"
        )


def a_date() -> Validator:
    """A :class:`date` (and not a datetime)."""
    return _Date()


class _OneOf(_Rule):
    enum: type[Enum]

    def __call__(self, inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, self.enum):
            allowed = ", ".join(repr(m.value) for m in self.enum)
            raise fail(inst, attr, f"{_show(value)} is not one of {allowed}")

    def inline(self, v: str, names: dict[str, Any], known: Any = None) -> str:
        if isinstance(known, type) and issubclass(known, self.enum):
            return "True"
        return f"isinstance({v}, {bind(names, self.enum)})"


def member_of(enum: type[Enum]) -> Validator:
    """An instance of ``enum`` (pair it with a converter using :func:`as_enum` to accept values)."""
    return _OneOf(enum)


class _InValues(_Rule):
    values: tuple[str, ...]

    def __call__(self, inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        if value not in self.values:
            allowed = ", ".join(repr(v) for v in self.values)
            raise fail(inst, attr, f"{_show(value)} is not one of {allowed}")

    def inline(self, v: str, names: dict[str, Any], known: Any = None) -> str:
        return f"({v} in {bind(names, self.values)})"


def one_of(values: tuple[str, ...]) -> Validator:
    """One of ``values`` (a few fixed strings, such as the languages terrain writes in)."""
    return _InValues(values)


class _Optional(_Rule):
    inner: Validator

    def __call__(self, inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            self.inner(inst, attr, value)

    def inline(self, v: str, names: dict[str, Any], known: Any = None) -> str | None:
        if known is type(None):
            return "True"
        inner = inline(self.inner, v, names, known)
        if inner is None or known is not None or inner == "True":
            return inner  # known: not None
        return f"({v} is None or {inner})"


def optional(inner: Validator) -> Validator:
    """``None``, or a value that ``inner`` accepts."""
    return _Optional(inner)


class _Each(_Rule):
    inner: Validator

    def __call__(self, inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, (tuple, frozenset)):  # a tuple of types: faster than a union
            raise fail(inst, attr, f"expected a collection, got {type(value).__name__}")
        for item in value:
            self.inner(inst, attr, item)

    def inline(self, v: str, names: dict[str, Any], known: Any = None) -> str | None:
        item = f"_x{len(names)}"
        names[item] = None  # reserve the name
        collection = get_origin(known)
        items = get_args(known)[0] if collection in (tuple, frozenset) else None
        inner = inline(self.inner, item, names, items)
        if inner is None:
            return None
        each = "True" if inner == "True" else f"all({inner} for {item} in {v})"
        if collection in (tuple, frozenset):
            return each
        return _all([f"isinstance({v}, {bind(names, (tuple, frozenset))})", each])


def each(inner: Validator) -> Validator:
    """Every item of a tuple or frozenset is accepted by ``inner``."""
    return _Each(inner)


class _Unique(_Rule):
    key: Callable[[Any], object]
    what: str

    def __call__(self, inst: object, attr: attrs.Attribute[Any], value: Iterable[Any]) -> None:
        seen: set[object] = set()
        for item in value:
            k = self.key(item)
            if k in seen:
                raise fail(inst, attr, f"{self.what} {k!r} appears twice; each must be unique")
            seen.add(k)


def unique(key: Callable[[Any], object] = lambda x: x, what: str = "value") -> Validator:
    """No two items of a collection share ``key(item)``."""
    return _Unique(key, what)


class _TimeZone(_Rule):
    def __call__(self, inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str):
            raise fail(inst, attr, f"expected a time zone name, got {type(value).__name__}")
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise fail(
                inst, attr, f"{value!r} is not a known IANA time zone (e.g. 'Europe/Paris', 'UTC')"
            ) from None


def time_zone() -> Validator:
    """An IANA time zone name that :mod:`zoneinfo` knows."""
    return _TimeZone()


class _HandleMap(_Rule):
    def __call__(self, inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, Mapping):
            raise fail(inst, attr, "expected a mapping of platform name to handle")
        for platform, handle in value.items():
            if not isinstance(platform, str) or not platform.strip():
                raise fail(inst, attr, f"platform name {platform!r} must be non-empty text")
            if (
                not isinstance(handle, str)
                or not handle.strip()
                or any(c.isspace() for c in handle)
            ):
                raise fail(
                    inst,
                    attr,
                    f"handle {handle!r} for {platform!r} must be non-empty, without spaces",
                )
            if handle.startswith("@"):
                raise fail(
                    inst, attr, f"write the {platform!r} handle without '@' ({handle[1:]!r})"
                )


def handle_map() -> Validator:
    """A mapping of platform name to handle (``{"x": "lea_m"}``, no ``@``)."""
    return _HandleMap()


def to_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    """Converter: any iterable (but not a lone string) becomes a tuple."""
    if isinstance(value, str | bytes):
        raise ValidationError(f"expected a list of values, got a single string {value!r}")
    return tuple(value)


def to_frozenset(value: Iterable[Any]) -> frozenset[Any]:
    """Converter: any iterable (but not a lone string) becomes a frozenset."""
    if isinstance(value, str | bytes):
        raise ValidationError(f"expected a set of values, got a single string {value!r}")
    return frozenset(value)


#: Converters that return a value of the given exact class unchanged (``tuple(t) is t``
#: for a tuple): a reader that already made one may skip the call.
KEEPS: dict[Callable[[Any], Any], type] = {to_tuple: tuple, to_frozenset: frozenset}


def to_optional_frozenset(value: Iterable[Any] | None) -> frozenset[Any] | None:
    """Converter: ``None`` stays ``None``; other iterables become frozensets."""
    return None if value is None else to_frozenset(value)


def to_mapping(value: Mapping[str, Any]) -> Mapping[str, Any]:
    """Converter: a read-only copy of a mapping, so a frozen model stays frozen."""
    return MappingProxyType(dict(value))


E = TypeVar("E", bound=Enum)


def as_enum(enum: type[E], value: object) -> E:
    """``value`` as a member of ``enum`` (a member, or its value).

    An unknown value is returned unchanged (typed as a member for the
    converter's signature), so that the :func:`member_of` validator reports it
    with the list of valid values.
    """
    if isinstance(value, enum):
        return value
    try:
        return enum(value)
    except ValueError:
        return value  # type: ignore[return-value]


def as_enum_set(enum: type[E], values: Iterable[object]) -> frozenset[E]:
    """Every item of ``values`` as a member of ``enum`` (see :func:`as_enum`)."""
    return frozenset(as_enum(enum, v) for v in to_frozenset(values))
