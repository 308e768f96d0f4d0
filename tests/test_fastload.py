"""The fast first reader accepts exactly what the converter accepts, and reads the same."""

from __future__ import annotations

from typing import Any

import attrs
import orjson
import pytest
from benchmarks.bench_foundation import BAD
from hypothesis import given, settings
from hypothesis import strategies as st

from terrain._fastload import Fallback, _direct, dumper, loader
from terrain.errors import DeserializationError
from terrain.serialization import (
    _fast,
    _structure,
    _wire,
    converter,
    from_json,
    structure,
    to_json,
    unstructure,
)
from terrain.testing.strategies import MODEL_STRATEGIES, models

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def _converter(data: Any, cls: type) -> tuple[bool, Any]:
    try:
        return True, converter.structure(data, cls)
    except Exception:
        return False, None


def _fast_reader(data: Any, cls: type) -> tuple[bool, Any]:
    try:
        return True, loader(_fast, cls)(data)
    except Exception:  # Fallback, or a validator's error: the slow path decides
        return False, None


@settings(max_examples=300, deadline=None)
@given(models())
def test_the_fast_reader_reads_every_model_as_the_converter_does(obj: Any) -> None:
    data = unstructure(obj)
    ok, read = _fast_reader(data, type(obj))
    assert ok
    assert read == obj == converter.structure(data, type(obj))


@settings(max_examples=500, deadline=None)
@given(models(), st.data())
def test_the_fast_reader_never_accepts_what_the_converter_refuses(obj: Any, data: Any) -> None:
    """A field changed to any JSON value, removed, or an unknown key added."""
    doc = unstructure(obj)
    key = data.draw(st.sampled_from([*sorted(doc), "unknown-key"]))
    if data.draw(st.booleans()) and key in doc:
        del doc[key]
    else:
        doc[key] = data.draw(JSON_VALUES)
    fast_ok, fast = _fast_reader(doc, type(obj))
    slow_ok, slow = _converter(doc, type(obj))
    if fast_ok:
        assert slow_ok, f"the fast reader accepted {doc!r}, the converter refuses it"
        assert fast == slow


@pytest.mark.parametrize("cls", sorted(MODEL_STRATEGIES, key=lambda c: c.__name__))
def test_the_fast_reader_refuses_what_is_not_an_object(cls: type) -> None:
    for value in ([], "x", 1, None):
        with pytest.raises(Fallback):
            loader(_fast, cls)(value)


def test_a_value_read_again_is_the_instance_read_before() -> None:
    """Thousands of consents share a signed form: it is checked once."""
    from terrain.consent import Evidence

    data = {"kind": "signed-form", "file_key": "consents/forms/door.jpg"}
    first = loader(_fast, Evidence)(dict(data))
    assert loader(_fast, Evidence)(dict(data)) is first


@pytest.mark.parametrize("bad", [1, True, None, ["x"], {"a": "b"}, "Not a key!"])
def test_a_remembered_value_never_lets_another_json_value_through(bad: Any) -> None:
    """After a good read, the same keys with a value of another type (or a bad
    string) are refused as before: keys hold strings and null only."""
    from terrain.consent import Scope

    good = {"kind": "event", "ref": "ev-1"}
    loader(_fast, Scope)(good)
    doc = {"kind": "event", "ref": bad}
    fast_ok, _ = _fast_reader(doc, Scope)
    slow_ok, _ = _converter(doc, Scope)
    assert fast_ok == slow_ok is False


@settings(max_examples=200, deadline=None)
@given(st.lists(models(), min_size=1, max_size=4), st.data())
def test_reading_the_same_documents_twice_reads_equal_values(objs: list[Any], data: Any) -> None:
    """Remembered or not, what is read equals what the converter reads, in any order."""
    docs = [(unstructure(o), type(o)) for o in objs]
    for doc, cls in data.draw(st.permutations(docs + docs)):
        ok, read = _fast_reader(doc, cls)
        assert ok
        assert read == converter.structure(doc, cls)


#: Values that break one rule or another: empty, blank, too long, two lines, a control
#: character, a bad id, a naive or nonexistent time, negative numbers, a bool for a number.
RULE_BREAKERS = st.sampled_from([
    "", " ", "T" * 301, "T" * 10_001, "two\nlines", "a\x00b", "bad id!", "-1",
    "2026-03-12T19:00:00", "2026-03-29T02:30:00+01:00[Europe/Paris]",
    "2026-03-12T19:00:00+05:00[Europe/Paris]", "2026-03-12T19:00:00+01:00[Nowhere/City]",
    "2026-03-12", "12/03/2026", -1, 0, 1, True, False, None, 1.5, [], {},
])


def _outcome(read: Any, doc: Any, cls: type) -> tuple[str, Any]:
    try:
        return "ok", read(doc, cls)
    except DeserializationError as exc:
        return "refused", str(exc)


@settings(max_examples=400, deadline=None)
@given(models(), models(), st.data())
def test_reading_with_the_fast_reader_first_gives_what_the_converter_alone_gives(
    obj: Any, other: Any, data: Any
) -> None:
    """A field set to a rule breaker, or swapped with the same field of another valid
    record of the class (rules across fields: an end before the start), read through
    ``structure`` (fast reader first) and through the detailed converter alone: the
    same value, or the same refusal with the same message."""
    doc = unstructure(obj)
    cls = type(obj)
    key = data.draw(st.sampled_from(sorted(doc)))
    if type(other) is cls and data.draw(st.booleans()):
        doc[key] = unstructure(other)[key]
    else:
        doc[key] = data.draw(RULE_BREAKERS | JSON_VALUES)
    assert _outcome(structure, doc, cls) == _outcome(_structure, doc, cls)


@pytest.mark.parametrize("doc", BAD, ids=range(len(BAD)))
def test_the_benchmark_bad_documents_are_refused_as_the_converter_refuses_them(
    doc: dict[str, Any],
) -> None:
    from terrain import Event

    fast = _outcome(lambda d, c: from_json(orjson.dumps(d), c), doc, Event)
    assert fast[0] == "refused"
    assert fast == _outcome(_structure, doc, Event)


@settings(max_examples=300, deadline=None)
@given(models())
def test_the_generated_writer_writes_the_text_the_converter_writes(obj: Any) -> None:
    written = dumper(_wire, type(obj))(obj)
    assert orjson.dumps(written) == orjson.dumps(_wire.unstructure(obj))
    assert to_json(obj) == orjson.dumps(_wire.unstructure(obj)).decode()


@pytest.mark.parametrize("cls", sorted(MODEL_STRATEGIES, key=lambda c: c.__name__))
def test_every_slotted_model_is_read_without_its_constructor(cls: type) -> None:
    """The models are what the direct reader is for: none falls back to calling
    ``__init__`` unnoticed (a field renamed, a slot missing...)."""
    assert _direct(cls)


@attrs.frozen
class _Plain:
    """A user's model: attrs' own validators, a method validator, a converter, a factory."""

    n: int = attrs.field(validator=[attrs.validators.instance_of(int), attrs.validators.ge(0)])
    tags: tuple[str, ...] = attrs.field(factory=tuple, converter=tuple)
    label: str = attrs.field(default="x", converter=str.strip)

    @label.validator
    def _short(self, attribute: Any, value: str) -> None:
        if len(value) > 3:
            raise ValueError("too long")


@attrs.frozen(cache_hash=True)
class _CachedHash:
    n: int = attrs.field(validator=attrs.validators.ge(0))


@attrs.frozen
class _PreInit:
    n: int = 0

    def __attrs_pre_init__(self) -> None:
        pass


@attrs.define(slots=False)
class _WithDict:
    n: int = attrs.field(default=0, validator=attrs.validators.ge(0))


@pytest.mark.parametrize(
    ("cls", "direct"),
    [(_Plain, True), (_CachedHash, False), (_PreInit, False), (_WithDict, False)],
)
@settings(max_examples=60, deadline=None)
@given(doc=st.dictionaries(st.sampled_from(["n", "tags", "label", "other"]),
                           RULE_BREAKERS | JSON_VALUES | st.just(["a", " b "]), max_size=4))
def test_a_class_the_reader_cannot_build_itself_goes_to_its_constructor(
    cls: type, direct: bool, doc: dict[str, Any]
) -> None:
    """Whether built by the reader or by ``__init__``, a user's class reads as the
    converter reads it: attrs' validators, method validators, converters, factories."""
    assert _direct(cls) is direct
    assert _outcome(structure, doc, cls) == _outcome(_structure, doc, cls)


@attrs.frozen
class _Badge:
    """A class no other test reads: its reader is made by the test below."""

    member_id: str
    level: int = 1


attrs.resolve_types(_Badge)


def test_a_record_with_every_key_is_read_without_compiling_the_reader_of_partial_ones() -> None:
    """A stored record holds every key of its class: the reader of an object with keys
    missing (a document written by hand, an older version) is compiled only when one
    comes, and then reads it as the constructor would."""
    import terrain._fastload

    read = loader(_fast, _Badge)
    partial = read.__globals__["read_some"]
    assert partial.__code__.co_filename == terrain._fastload.__file__  # not compiled yet
    assert read({"member_id": "lea", "level": 2}) == _Badge("lea", 2)
    assert read.__globals__["read_some"] is partial
    assert read({"member_id": "lea"}) == _Badge("lea", 1)
    assert read.__globals__["read_some"].__code__.co_filename == "<string>"  # compiled now
    assert read({"member_id": "sam"}) == _Badge("sam", 1)
    with pytest.raises(Fallback):
        read({"member_id": "sam", "surprise": 1})
