"""The validators shared by the models are frozen values, equal by their rule, and
cost nothing to define: every command imports them, so none is an attrs class
whose methods would be generated and compiled at each start of terrain."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from terrain import _validation
from terrain._validation import at_least, each, identifier, instance_of, one_of, optional, text


def test_no_validator_class_has_its_methods_generated_at_import() -> None:
    classes = [v for v in vars(_validation).values() if isinstance(v, type)]
    rules = [c for c in classes if issubclass(c, _validation._Rule) and c is not _validation._Rule]
    assert len(rules) >= 15
    assert [c.__name__ for c in rules if attrs.has(c)] == []


@given(st.integers(), st.integers())
def test_two_validators_are_equal_exactly_when_their_rules_are(a: int, b: int) -> None:
    assert (at_least(a) == at_least(b)) is (a == b)
    if a == b:
        assert hash(at_least(a)) == hash(at_least(b))


def test_validators_of_different_rules_or_kinds_differ() -> None:
    assert instance_of(int) == instance_of(int)
    assert instance_of(int) != instance_of(str)
    assert identifier() == identifier()
    assert optional(identifier()) == optional(identifier())
    assert optional(identifier()) != each(identifier())
    assert one_of(("a", "b")) != one_of(("a",))
    assert len({text(nonempty=True), text(nonempty=True), text(line=True)}) == 2


def test_a_validator_cannot_be_changed() -> None:
    rule = text(nonempty=True, max_length=10)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        rule.max_length = 20  # type: ignore[attr-defined]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        del rule.max_length  # type: ignore[attr-defined]
    assert rule.max_length == 10  # type: ignore[attr-defined]


def test_a_rule_given_fewer_values_keeps_the_defaults_of_its_class() -> None:
    rule = _validation._Text(True, 5)
    assert (rule.nonempty, rule.max_length, rule.line, rule.plain) == (True, 5, False, False)
    assert rule == text(nonempty=True, max_length=5)
    with pytest.raises(TypeError, match="at most 4 values"):
        _validation._Text(True, 5, False, False, True)
