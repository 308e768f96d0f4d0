"""Each validator's inline test (what the fast JSON reader compiles) accepts exactly
what the validator accepts, for every validator of every model, with or without what
the reader knows of the value's class."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from terrain import _validation
from terrain._fastload import _validators
from terrain._validation import inline
from terrain.testing.strategies import MODEL_STRATEGIES, models


def _validators_of(cls: type) -> list[tuple[attrs.Attribute[Any], Any]]:
    return [(field, check) for field in attrs.fields(cls) for check in _validators(field)]


#: Every validator with an inline form that the models use, by ``Model.field#n``, with
#: the field it guards (for the messages).
VALIDATORS = {
    f"{cls.__name__}.{field.name}#{n}": (field, check)
    for cls in sorted(MODEL_STRATEGIES, key=lambda c: c.__name__)
    for n, (field, check) in enumerate(_validators_of(cls))
    if inline(check, "v", {}) is not None
}
ENUMS = sorted(
    {c.enum for _, c in VALIDATORS.values() if isinstance(c, _validation._OneOf)},
    key=lambda e: e.__name__,
)

ZONES = st.sampled_from(["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "UTC"])
TEXT = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=" \t\n\r\x00\x1f\x7f\x85\x9f\u00a0\u2028ab-._:@/", max_size=6),
    st.from_regex(_validation.ID_PATTERN, fullmatch=True),
    st.emails(),
    st.builds(lambda c, n: c * n, st.sampled_from("aT \n"), st.integers(195, 305)),
    st.builds(lambda c, n: c * n, st.sampled_from("a\t\x01"), st.integers(1995, 2005)),
    st.sampled_from(["", " ", "EUR", "eur", "Europe/Paris", "Nowhere/City", "media/a.jpg",
                     "../x", "/abs", "a\\b", "a//b"]),
)
DATETIMES = st.one_of(
    st.datetimes(),  # naive
    st.datetimes(timezones=st.just(UTC)),
    st.datetimes(timezones=st.builds(lambda s: timezone(timedelta(seconds=s)),
                                     st.integers(-50_000, 50_000))),
    st.datetimes(timezones=ZONES.map(ZoneInfo), allow_imaginary=True),  # gaps and folds
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.integers(),
    st.floats(allow_nan=False),
    TEXT,
    DATETIMES,
    st.dates(),
    st.sampled_from(ENUMS).flatmap(st.sampled_from),
)
VALUES = st.one_of(
    SCALARS,
    models(),
    st.lists(st.one_of(SCALARS, models()), max_size=3).map(tuple),
    st.lists(SCALARS, max_size=3).map(frozenset),
    st.lists(models(), max_size=3).map(tuple),
    st.dictionaries(TEXT, TEXT, max_size=2),
)


def _known(value: object) -> Any:
    """What a reader could know of ``value``: its exact class, and for a tuple or
    frozenset whose items share one class, that too."""
    cls = value.__class__
    if cls in (tuple, frozenset) and value:
        kinds = {item.__class__ for item in value}  # type: ignore[attr-defined]
        if len(kinds) == 1:
            item = kinds.pop()
            return tuple[item, ...] if cls is tuple else frozenset[item]  # type: ignore[valid-type]
    return cls


def _compiled(check: Any, known: Any) -> Any:
    names: dict[str, Any] = {}
    test = inline(check, "v", names, known)
    if test is None:
        return None
    exec(f"def accepts(v):\n    return bool({test})", names)
    return names["accepts"]


class _Instance:
    """Where a validator's message names the model."""


def _accepted(field: attrs.Attribute[Any], check: Any, value: object) -> bool:
    try:
        check(_Instance(), field, value)
    except _validation.ValidationError:
        return False
    return True


def test_the_validators_tested_cover_every_kind_with_an_inline_form() -> None:
    kinds = {check.__class__ for _, check in VALIDATORS.values()}
    with_inline = {k for k in kinds if hasattr(k, "inline")}
    assert {_validation._Text, _validation._Identifier, _validation._AtLeast,
            _validation._Aware, _validation._Optional, _validation._Each,
            _validation._InstanceOf, _validation._OneOf} <= with_inline


#: The validators by kind (text, id, bound...), each kind tested with all its settings.
KINDS: dict[str, list[str]] = {}
for _name, (_, _check) in sorted(VALIDATORS.items()):
    KINDS.setdefault(_check.__class__.__name__, []).append(_name)


@pytest.mark.parametrize("kind", sorted(KINDS))
@settings(max_examples=150, deadline=None)
@given(data=st.data(), value=VALUES, use_known=st.booleans())
def test_a_validator_inline_test_accepts_exactly_what_the_validator_accepts(
    kind: str, data: st.DataObject, value: object, use_known: bool
) -> None:
    name = data.draw(st.sampled_from(KINDS[kind]))
    field, check = VALIDATORS[name]
    accepts = _compiled(check, _known(value) if use_known else None)
    if accepts is None:
        return  # no inline form: the reader calls the validator itself
    assert accepts(value) == _accepted(field, check, value), (name, value)


@pytest.mark.parametrize("name", sorted(VALIDATORS))
def test_an_inline_test_refuses_the_values_each_rule_exists_for(name: str) -> None:
    """Examples next to the property: each kind of rule breaks on its classic value."""
    field, check = VALIDATORS[name]
    paris = ZoneInfo("Europe/Paris")
    samples: list[object] = [
        None, True, 0, -1, 1.5, "", " ", "two\nlines", "a\x00b", "T" * 10_001, "bad id!",
        datetime(2026, 3, 12, 19), datetime(2026, 3, 29, 2, 30, tzinfo=paris),  # naive, a gap
        datetime(2026, 3, 12, 19, tzinfo=paris), date(2026, 3, 12), ("x",), frozenset({1}),
        ("a", "a"), {"x": "@lea"}, "../up", "Nowhere/City",
    ]
    for value in samples:
        for known in (None, _known(value)):
            accepts = _compiled(check, known)
            if accepts is not None:
                assert accepts(value) == _accepted(field, check, value), (name, value, known)


def test_a_string_known_to_be_a_string_skips_only_the_type_test() -> None:
    check = _validation.text(nonempty=True, max_length=3, line=True)
    assert "isinstance" in str(inline(check, "v", {}, None))
    assert "isinstance" not in str(inline(check, "v", {}, str))
    assert _compiled(check, str)("abcd") is False
    assert _compiled(check, str)("a\tb") is False


def test_a_validator_defined_elsewhere_has_no_inline_form() -> None:
    """Only terrain's own validators are trusted to describe themselves."""

    class Lookalike(enum.Enum):
        X = "x"

    @attrs.frozen
    class Foreign:
        def __call__(self, inst: object, attr: object, value: object) -> None:
            raise ValueError

        def inline(self, v: str, names: dict[str, Any], known: Any = None) -> str:
            return "True"

    assert inline(Foreign(), "v", {}) is None
    assert inline(attrs.validators.instance_of(str), "v", {}) is None
    assert _compiled(_validation.member_of(Lookalike), Lookalike)(Lookalike.X) is True
