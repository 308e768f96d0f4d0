"""Generated readers and writers of attrs models for JSON, for the happy path.

:func:`loader` builds, once per class, a reader that walks a JSON object with
the exact-type checks of :mod:`terrain.serialization` done inline (a string is
a ``str``, a number an ``int`` and not a ``bool``, a collection a JSON array,
no unknown key) and hands every other type to the converter's own hook
(datetimes, dates, mappings, unions…). For a slotted attrs class it then does
what the attrs ``__init__`` does: defaults, converters, every validator (inline,
as the validator itself describes its rule: :func:`terrain._validation.inline`),
then ``__attrs_post_init__``; every rule runs once. Any other class is built by
its constructor.

It never explains a failure: on any problem it raises :class:`Fallback` (or lets
a validator's error through), and :func:`terrain.serialization.structure` reads
the same data again with the detailed converter, which reports every problem with
its path. Reading exactly what the converter reads, and refusing exactly what it
refuses, is checked by property tests (``tests/test_fastload.py``,
``tests/test_validation_inline.py``).

:func:`dumper` builds, once per class, the writer :func:`~terrain.serialization.to_json`
uses: a dict of the fields, each through the converter's hook for its type (called
directly, or inline when the hook has an inline form in :data:`INLINE_HOOKS`),
which :func:`orjson.dumps` writes to the same text as the converter's output.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from types import MemberDescriptorType
from typing import Any, get_args, get_origin

import attrs

from terrain._validation import KEEPS, inline

__all__ = ["INLINE_HOOKS", "Fallback", "dumper", "loader"]

#: The class of ``attrs.validators.and_(...)`` (several validators on one field).
_AndValidator: type = type(attrs.validators.and_())


class Fallback(Exception):
    """The fast reader gives up: read the data with the detailed converter."""


_MAKERS: dict[Any, Callable[[Any], Any]] = {
    tuple: tuple,
    list: list,
    frozenset: frozenset,
    set: set,
}
_EXACT = (str, int, bool)
_MISSING = object()


def _collection(conv: Any, type_: Any) -> tuple[Callable[[Any], Any], Any] | None:
    """A reader of ``tuple[X, ...]``, ``list[X]``, ``set[X]`` or ``frozenset[X]`` from a
    JSON array, and what it makes (see :func:`_field_spec`)."""
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

        return read_exact, _made(make, item)
    if isinstance(item, type) and issubclass(item, enum.StrEnum):
        return _Items(make, _enum_reader(item)), _made(make, item)
    if attrs.has(item):
        exact = item if _spec(conv, item) is not None else None
        return _Items(make, loader(conv, item)), _made(make, exact)
    return None


class _Items:
    """A collection read item by item: ``make(map(read, value))``, written so in the
    generated reader (``map`` calls the item reader without a Python frame between)."""

    def __init__(self, make: Any, read: Callable[[Any], Any]) -> None:
        self.make = make
        self.read = read

    def __call__(self, value: Any) -> Any:
        return self.make(map(self.read, value))


def _made(make: Any, item: type | None) -> Any:
    """What a collection reader makes: ``tuple[X, ...]`` (``frozenset[X]``...) when
    every item is exactly an ``X``, else the bare class."""
    if item is None:
        return make
    return make[item, ...] if make is tuple else make[item]


#: Inline forms of hooks, registered by the module that defines the hook (so the two
#: sit side by side): ``hook -> (template, objects it names)``. The template is an
#: expression giving exactly what the hook gives, with ``{v}`` the value, ``{hook}``
#: the hook itself and ``{type}`` the type it was asked for (structure hooks): usually
#: a quick answer for the common case and a call of the hook for the others.
INLINE_HOOKS: dict[Any, tuple[str, dict[str, Any]]] = {}


def _hook_call(hook: Any, v: str, names: dict[str, Any], type_: Any = _MISSING) -> str:
    """An expression calling ``hook`` on local ``v`` (with ``type_`` for a structure hook),
    or its inline form."""
    key = f"_h{len(names)}"
    names[key] = hook
    typed = ""
    if type_ is not _MISSING:
        typed = f"_t{len(names)}"
        names[typed] = type_
    form = INLINE_HOOKS.get(hook) if _hashable(hook) else None
    if form is None:
        return f"{key}({v}, {typed})" if typed else f"{key}({v})"
    template, objects = form
    names.update(objects)
    return "(" + template.format(v=v, hook=key, type=typed) + ")"


def _hashable(obj: object) -> bool:
    try:
        hash(obj)
    except TypeError:
        return False
    return True


class _Hook:
    """The converter's own structure hook for a type, called as ``hook(value, type)``
    straight from the generated reader."""

    def __init__(self, conv: Any, type_: Any) -> None:
        self.hook = conv.get_structure_hook(type_)
        self.type = type_


def _field_spec(
    conv: Any, type_: Any
) -> tuple[type | None, Callable[[Any], Any] | _Hook | None, bool, Any]:
    """``(exact class the JSON value must have or None, reader or None, may be null,
    what the value read is known to be)``. That is an exact class, ``tuple[X, ...]``
    (``frozenset[X]``...) for a collection of exactly ``X``s, or ``None``: the
    validators' inline tests skip what it already says (a ``str`` is a string)."""
    nullable = False
    args = get_args(type_)
    if args and type(None) in args and len(args) == 2:
        nullable = True
        type_ = next(a for a in args if a is not type(None))
    if type_ in _EXACT:
        return type_, None, nullable, type_
    if isinstance(type_, type) and issubclass(type_, enum.StrEnum):
        return None, _enum_reader(type_), nullable, type_
    if isinstance(type_, type) and attrs.has(type_):
        exact = type_ if _spec(conv, type_) is not None else None
        return dict, loader(conv, type_), nullable, exact
    collection = _collection(conv, type_)
    if collection is not None:
        return list, collection[0], nullable, collection[1]
    if nullable:  # the converter's hook for the optional type handles null itself
        return None, _Hook(conv, type_ | None), False, None
    return None, _Hook(conv, type_), False, None


@functools.cache
def _spec(conv: Any, cls: type) -> tuple[frozenset[str], tuple[Any, ...]] | None:
    attrs.resolve_types(cls)
    fields = attrs.fields(cls)
    if any(f.alias != f.name or not f.init for f in fields):
        return None  # keys differ from the init names: leave it to the converter
    spec = tuple((f.name, *_field_spec(conv, f.type)) for f in fields)
    return frozenset(f.name for f in fields), spec


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


def _validators(field: attrs.Attribute[Any]) -> tuple[Any, ...]:
    """The validators of ``field``, an ``and_`` of them taken apart."""
    found = field.validator
    if found is None:
        return ()
    if isinstance(found, _AndValidator):
        return tuple(found._validators)  # type: ignore[attr-defined]
    return (found,)


def _direct(cls: type) -> bool:
    """Whether :func:`loader` may build ``cls`` without its ``__init__``: a slotted
    attrs class whose ``__init__`` attrs generated, and does nothing but convert, set,
    validate and call ``__attrs_post_init__`` (no ``__attrs_pre_init__``, no cached hash,
    no default computed from the instance). The reader then does the same itself, with
    the validators' own expressions inline (:func:`terrain._validation.inline`)."""
    init = getattr(cls, "__init__", None)
    code = getattr(init, "__code__", None)
    if code is None or not code.co_filename.startswith("<attrs generated"):
        return False
    if hasattr(cls, "__attrs_pre_init__") or any(
        "cached_hash" in name for name in getattr(cls, "__slots__", ())
    ):
        return False
    for field in attrs.fields(cls):
        if not isinstance(getattr(cls, field.name, None), MemberDescriptorType):
            return False
        default = field.default
        if isinstance(default, attrs.Factory) and default.takes_self:  # type: ignore[arg-type]
            return False
    return True


@functools.cache
def loader(conv: Any, cls: type) -> Callable[[Any], Any]:
    """A reader of ``cls`` from a JSON object, raising :class:`Fallback` on any doubt.

    The reader is generated for the class (one straight-line function, as attrs
    and cattrs do): every key is looked up (by subscript when the object has as many
    keys as the class has fields, the usual record), no other key is accepted, and
    a value present is checked and converted inline. For a class :func:`_direct`
    accepts, the reader then does what the attrs ``__init__`` would (defaults,
    converters, every validator, then ``__attrs_post_init__``), checking each rule
    once, inline where the validator says how (:func:`terrain._validation.inline`);
    otherwise it calls the constructor, which does.
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
        "_KeyError": KeyError,
    }
    direct = _direct(cls)
    fields = attrs.fields(cls)
    memo = _memo(cls)
    if memo is not None:
        names["_memo"] = memo
        names["_LIMIT"] = MEMO_LIMIT
        names["_TypeError"] = TypeError
    after: list[str] = []  # validators called once the instance is built
    steps = []
    for i, ((name, kind, convert, nullable, made), field) in enumerate(
        zip(spec, fields, strict=True)
    ):
        v = f"v{i}"
        if isinstance(convert, _Hook):
            value = _hook_call(convert.hook, v, names, convert.type)
        elif isinstance(convert, _Items):
            names[f"_mk{i}"], names[f"_r{i}"], names["_map"] = convert.make, convert.read, map
            value = f"_mk{i}(_map(_r{i}, {v}))"
        else:
            names[f"_c{i}"] = convert
            value = v if convert is None else f"_c{i}({v})"
        if kind is not None:
            names[f"_k{i}"] = kind
        checks = _field_checks(field, i, names, after) if direct else _keyword(name, v)
        steps.append((i, field, kind, nullable, made, value, checks))

    def body(full: bool) -> list[str]:
        """Each value checked, converted and validated; ``full``: every key is there."""
        lines = [] if direct else ["    kw = {}"]
        for i, field, kind, nullable, made, value, checks in steps:
            v = f"v{i}"
            pad = "    "
            if not full:
                lines.append(f"    if {v} is not _M:")
                pad = "        "
            if nullable:
                lines += [f"{pad}if {v} is None:", *checks(type(None), pad + "    "), f"{pad}else:"]
                pad += "    "
            if kind is not None:
                lines += [f"{pad}if {v}.__class__ is not _k{i}:", f"{pad}    raise Fallback"]
            if value != v:
                lines.append(f"{pad}{v} = {value}")
            lines += checks(made, pad)
            if direct and not full:  # what attrs' __init__ does for a missing key
                default = field.default
                lines.append("    else:")
                if default is attrs.NOTHING:
                    lines.append("        raise Fallback")  # the constructor says what is missing
                elif isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                    names[f"_d{i}"] = default.factory
                    lines += [f"        {v} = _d{i}()", *checks(None, "        ")]
                else:
                    names[f"_d{i}"] = default
                    lines += [f"        {v} = _d{i}", *checks(None, "        ")]
        if direct:
            names["_new"] = object.__new__
            lines.append("    o = _new(_cls)")
            for i, field in enumerate(fields):
                names[f"_s{i}"] = getattr(cls, field.name).__set__
                lines.append(f"    _s{i}(o, v{i})")
            lines += after
            post = getattr(cls, "__attrs_post_init__", None)
            if post is not None:
                names["_post"] = post
                lines.append("    _post(o)")
            made = "o"
        else:
            made = "_cls(**kw)"
        if memo is None:
            return [*lines, f"    return {made}"]
        return [
            *lines,
            f"    made = {made}",
            "    if key is not None:",
            "        if len(_memo) >= _LIMIT:",
            "            _memo.clear()",
            "        _memo[key] = made",
            "    return made",
        ]

    # An object with some keys missing or unknown: look each key up.
    some = ["def read_some(data, key):", "    if not _known(data):", "        raise Fallback"]
    some += ["    get = data.get"]
    some += [f"    v{i} = get({f.name!r}, _M)" for i, f in enumerate(fields)]
    some += body(full=False)
    names["read_some"] = _compiled_when_called("\n".join(some), names)
    # The usual record: exactly the class's keys, read by subscript.
    lines = ["def read(data):", "    if data.__class__ is not _dict:", "        raise Fallback"]
    if memo is not None:  # a value seen before: the instance made from it then
        lines += [
            "    try:",
            "        key = tuple(data.items())",
            "        hit = _memo.get(key)",
            "    except _TypeError:",  # a list or object where a string belongs
            "        key = hit = None",
            "    if hit is not None:",
            "        return hit",
        ]
    else:
        lines.append("    key = None")
    lines += ["    try:", f"        if len(data) != {len(fields)}:", "            raise _KeyError"]
    lines += [f"        v{i} = data[{f.name!r}]" for i, f in enumerate(fields)]
    lines += ["    except _KeyError:", "        return read_some(data, key)"]
    lines += body(full=True)
    exec("\n".join(lines), names)  # the source is made above from field names
    read: Callable[[Any], Any] = names["read"]
    return read


def _compiled_when_called(source: str, names: dict[str, Any]) -> Callable[[Any, Any], Any]:
    """``read_some`` of a generated reader, compiled from ``source`` the first time it is
    called: a stored record holds every key of its class and never needs it, and
    compiling is most of what a reader costs a command that reads one record."""

    def read_some(data: Any, key: Any) -> Any:
        exec(source, names)  # the source is made by loader() from field names
        read: Callable[[Any, Any], Any] = names["read_some"]  # now the compiled one
        return read(data, key)

    return read_some


def _keyword(name: str, v: str) -> Callable[[Any, str], list[str]]:
    """For a class built by its constructor: the value goes to its keyword argument."""

    def lines(made: Any, pad: str) -> list[str]:
        return [f"{pad}kw[{name!r}] = {v}"]

    return lines


def _field_checks(
    field: attrs.Attribute[Any], i: int, names: dict[str, Any], after: list[str]
) -> Callable[[Any, str], list[str]]:
    """What attrs' ``__init__`` does with the value ``v{i}`` of ``field``, as lines of
    code for a value known to be ``made`` (see :func:`_field_spec`): its converter,
    then each validator's inline test (``Fallback`` when it fails); a validator without
    one goes to ``after``, called with the instance built."""
    v = f"v{i}"
    if field.converter is not None:
        names[f"_cv{i}"] = field.converter
    converter: Any = field.converter
    keeps = next((k for c, k in KEEPS.items() if c is converter), None)
    validators = _validators(field)
    for j, check in enumerate(validators):
        if inline(check, v, {}) is None:
            names[f"_v{i}_{j}"] = check
            names[f"_a{i}"] = field
            after.append(f"    _v{i}_{j}(o, _a{i}, {v})")

    def lines(made: Any, pad: str) -> list[str]:
        out = []
        if field.converter is not None:
            if keeps is not None and (made is keeps or get_origin(made) is keeps):
                pass  # it returns a value of its class as it is
            elif keeps is not None:
                names[f"_ck{i}"] = keeps
                out += [f"{pad}if {v}.__class__ is not _ck{i}:", f"{pad}    {v} = _cv{i}({v})"]
                made = None
            else:
                out.append(f"{pad}{v} = _cv{i}({v})")
                made = None
        for check in validators:
            test = inline(check, v, names, made)
            if test is not None and test != "True":
                out += [f"{pad}if not {test}:", f"{pad}    raise Fallback"]
        return out or [f"{pad}pass"]

    return lines


def _identity(hook: Any) -> bool:
    """Whether an unstructure hook hands the value on as it is (cattrs' ``identity``)."""
    return getattr(hook, "__module__", None) == "cattrs.fns" and hook.__name__ == "identity"


def _dump_expr(conv: Any, type_: Any, v: str, names: dict[str, Any]) -> str:
    """An expression for the JSON-ready form of local ``v`` of declared type ``type_``:
    what the converter's hook for that type gives, or a value orjson writes as the
    same text (a tuple for a list, an enum member for its value)."""
    args = get_args(type_)
    if args and type(None) in args and len(args) == 2:
        inner = next(a for a in args if a is not type(None))
        found = _dump_expr(conv, inner, v, names)
        return v if found == v else f"(None if {v} is None else {found})"
    if isinstance(type_, type) and issubclass(type_, enum.StrEnum) and _by_value(conv, type_):
        return v  # orjson writes a member of a string enum as its value
    if isinstance(type_, type) and attrs.has(type_) and _dumpable(type_):
        key = f"_d{len(names)}"
        names[key] = dumper(conv, type_)
        return f"{key}({v})"
    origin = get_origin(type_)
    if (origin is tuple and len(args) == 2 and args[1] is Ellipsis) or (
        origin is list and len(args) == 1
    ):
        item = f"_y{len(names)}"
        names[item] = None  # reserve the name
        found = _dump_expr(conv, args[0], item, names)
        if found == item:  # orjson writes a tuple as a list
            return v
        callee = found.removesuffix(f"({item})")
        if callee.isidentifier():  # one call per item: map makes no frame for each
            names["_list"], names["_map"] = list, map
            return f"_list(_map({callee}, {v}))"
        return f"[{found} for {item} in {v}]"
    if _identity(conv.get_unstructure_hook(type_)):
        return v
    return _call(conv, type_, v, names)


def _by_value(conv: Any, type_: Any) -> bool:
    """Whether the converter writes members of ``type_`` as their value (the default)."""
    member = next(iter(type_), None)
    return member is not None and bool(conv.get_unstructure_hook(type_)(member) == member.value)


def _call(conv: Any, type_: Any, v: str, names: dict[str, Any]) -> str:
    return _hook_call(conv.get_unstructure_hook(type_), v, names)


def _dumpable(cls: type) -> bool:
    """Whether :func:`dumper` writes ``cls`` itself: its keys are its field names."""
    attrs.resolve_types(cls)
    return all(f.alias == f.name and f.init for f in attrs.fields(cls))


@functools.cache
def dumper(conv: Any, cls: type) -> Callable[[Any], Any]:
    """What ``conv.unstructure`` gives for an instance of attrs class ``cls``, as data
    :func:`orjson.dumps` writes to the same text, from one generated function: field
    by field, the converter's hook for the field's type, called directly, or nothing
    where the hook would hand the value on as it is."""
    if not _dumpable(cls):
        return conv.get_unstructure_hook(cls)  # type: ignore[no-any-return]
    names: dict[str, Any] = {}
    lines = ["def dump(o):"]
    items = []
    for field in attrs.fields(cls):
        v = f"_v{len(names)}"
        names[v] = None  # reserve the name
        found = _dump_expr(conv, field.type, v, names)
        if found == v:
            items.append(f"        {field.name!r}: o.{field.name},")
        else:
            lines.append(f"    {v} = o.{field.name}")
            items.append(f"        {field.name!r}: {found},")
    lines += ["    return {", *items, "    }"]
    exec("\n".join(lines), names)  # the source is made above from field names
    dump: Callable[[Any], Any] = names["dump"]
    return dump
