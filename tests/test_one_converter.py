"""One converter: a hook registered on ``terrain.serialization.converter`` is honoured by
``to_json``, ``from_json``, ``unstructure`` and ``structure`` alike, for every model.

``to_json`` and the fast path of ``structure`` run on converters of their own; a hook
registered on the public converter used to reach ``unstructure`` only (``to_json`` of a
``Decimal`` the public converter knew raised ``TypeError``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import attrs
import cattrs
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from terrain import serialization
from terrain.errors import DeserializationError
from terrain.serialization import from_json, structure, to_json, unstructure
from terrain.testing.strategies import MODEL_STRATEGIES, models


@contextmanager
def fresh_converter() -> Iterator[cattrs.Converter]:
    """A converter configured as at import, in place of the module's for the block (hooks
    registered in it do not outlive the block)."""
    saved = serialization.converter, serialization._fast, serialization._wire
    public, fast, wire = serialization._converters()
    serialization.converter, serialization._fast, serialization._wire = public, fast, wire
    try:
        yield public
    finally:
        serialization.converter, serialization._fast, serialization._wire = saved


def _json(data: Any) -> Any:
    return orjson.loads(orjson.dumps(data))


def _register(conv: cattrs.Converter, cls: type, how: str) -> None:
    """Hooks for ``cls`` that wrap its plain form in ``{"hooked": ...}``, registered ``how``."""
    plain_out = conv.get_unstructure_hook(cls)
    plain_in = conv.get_structure_hook(cls)

    def out(value: Any) -> Any:
        return {"hooked": plain_out(value)}

    def read(data: Any, type_: Any) -> Any:
        return plain_in(data["hooked"], cls)

    def exactly(type_: Any) -> bool:
        return type_ is cls

    if how == "class":
        conv.register_unstructure_hook(cls, out)
        conv.register_structure_hook(cls, read)
    elif how == "predicate":
        conv.register_unstructure_hook_func(exactly, out)
        conv.register_structure_hook_func(exactly, read)
    elif how == "factory":
        conv.register_unstructure_hook_factory(exactly, lambda _: out)
        conv.register_structure_hook_factory(exactly)(lambda _: read)
    else:  # decorators, which read the class from the annotations
        out.__annotations__ = {"value": cls, "return": Any}
        read.__annotations__ = {"data": Any, "type_": Any, "return": cls}
        conv.register_unstructure_hook(out)
        conv.register_structure_hook(read)


def _every_function_agrees(value: Any) -> None:
    plain = unstructure(value)
    text = to_json(value)
    assert orjson.loads(text) == _json(plain)
    assert from_json(text, type(value)) == value
    assert structure(_json(plain), type(value)) == value


@given(
    cls=st.sampled_from(sorted(MODEL_STRATEGIES, key=lambda c: c.__name__)),
    how=st.sampled_from(["class", "predicate", "factory", "decorator"]),
    data=st.data(),
)
def test_a_hook_for_any_model_is_honoured_by_every_function_wherever_the_model_appears(
    cls: type, how: str, data: st.DataObject
) -> None:
    own = data.draw(MODEL_STRATEGIES[cls], label="an instance of the hooked class")
    other = data.draw(models(), label="any model, which may hold one")
    with fresh_converter() as conv:
        _register(conv, cls, how)
        assert set(unstructure(own)) == {"hooked"}
        assert set(orjson.loads(to_json(own))) == {"hooked"}
        _every_function_agrees(own)
        _every_function_agrees(other)


def _holds(value: Any, cls: type) -> bool:
    """Whether ``value`` is, or holds somewhere inside, an instance of ``cls``."""
    if isinstance(value, cls):
        return True
    if attrs.has(type(value)):
        return any(_holds(getattr(value, f.name), cls) for f in attrs.fields(type(value)))
    if isinstance(value, list | tuple | set | frozenset):
        return any(_holds(v, cls) for v in value)
    if isinstance(value, dict):
        return any(_holds(v, cls) for v in value.values())
    return False


@given(
    cls=st.sampled_from(sorted(MODEL_STRATEGIES, key=lambda c: c.__name__)),
    data=st.data(),
)
def test_a_structure_hook_that_keeps_the_shape_is_called_wherever_the_model_is_read(
    cls: type, data: st.DataObject
) -> None:
    """A hook that reads the same object its class would (a check, a normalisation) is
    called too: the hand-written fast reader of terrain._fastload steps aside."""
    value = data.draw(st.one_of(MODEL_STRATEGIES[cls], models()), label="a model")
    with fresh_converter() as conv:
        plain_in = conv.get_structure_hook(cls)
        calls: list[object] = []

        def counted(raw: Any, type_: Any) -> Any:
            calls.append(raw)
            return plain_in(raw, type_)

        conv.register_structure_hook(cls, counted)
        assert from_json(to_json(value), type(value)) == value
        assert bool(calls) == _holds(value, cls)
        calls.clear()
        assert structure(_json(unstructure(value)), type(value)) == value
        assert bool(calls) == _holds(value, cls)


def test_to_json_honours_a_hook_for_a_type_terrain_does_not_know() -> None:
    """The issue's example: unstructure() knew Decimal, to_json() raised TypeError."""

    @attrs.frozen
    class Price:
        amount: Decimal

    with fresh_converter() as conv:
        conv.register_unstructure_hook(Decimal, str)
        conv.register_structure_hook(Decimal, lambda text, _: Decimal(text))
        assert unstructure(Price(Decimal("12.50"))) == {"amount": "12.50"}
        assert to_json(Price(Decimal("12.50"))) == '{"amount":"12.50"}'
        assert from_json('{"amount": "12.50"}', Price) == Price(Decimal("12.50"))
        assert structure({"amount": "12.50"}, Price) == Price(Decimal("12.50"))


def test_a_model_hooked_to_read_text_is_read_from_text_and_others_still_say_what_is_wrong() -> None:
    @attrs.frozen
    class Badge:
        member_id: str

    @attrs.frozen
    class Plain:
        member_id: str

    with fresh_converter() as conv:
        conv.register_structure_hook(Badge, lambda text, _: Badge(text.removeprefix("badge:")))
        assert from_json('"badge:lea"', Badge) == Badge("lea")
        with pytest.raises(DeserializationError, match="expected an object with Plain's fields"):
            from_json('"lea"', Plain)


def test_a_hook_on_the_module_converter_reaches_to_json_in_a_new_process() -> None:
    """Without the stand-in converter of the other tests: the module's own, as imported."""
    import subprocess
    import sys

    code = (
        "from decimal import Decimal\n"
        "from terrain.serialization import converter, to_json\n"
        "converter.register_unstructure_hook(Decimal, str)\n"
        "print(to_json({'price': Decimal('1.5')}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == '{"price":"1.5"}'


def test_the_stand_in_converter_is_put_back() -> None:
    before = serialization.converter
    with fresh_converter() as conv:
        assert serialization.converter is conv is not before
    assert serialization.converter is before
