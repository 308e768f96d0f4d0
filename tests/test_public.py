"""terrain._public: a claimed class's annotations resolve as typing.get_type_hints resolves them."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, ClassVar, Optional

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from terrain._public import _resolve_annotations


class _ThingA:
    pass


class _ThingB:
    pass


#: Two modules' namespaces in which the same text names different objects.
NAMESPACES: list[dict[str, Any]] = [
    {"Mapping": Mapping, "datetime": datetime, "Thing": _ThingA, "Optional": Optional,
     "Annotated": Annotated, "ClassVar": ClassVar},
    {"Mapping": Mapping, "datetime": str, "Thing": _ThingB, "Optional": Optional,
     "Annotated": Annotated, "ClassVar": ClassVar},
]  # fmt: skip

#: Annotation texts: builtins, unions, generics, names of one namespace only, names a
#: class attribute shadows, nested quotes, special forms, unknown names, not a type.
TEXTS = [
    "str", "int", "int | None", "tuple[str, ...]", "Mapping[str, int]", "datetime",
    "Thing", "list['Thing']", "Optional[Thing]", "Annotated[int, 'why']",
    "ClassVar[int]", "None", "Shadowed", "Unknown", "dict[str, Unknown]", "1",
]  # fmt: skip


def _reference(cls: type, namespace: Mapping[str, Any]) -> dict[str, Any]:
    """What ``_resolve_annotations`` left in ``cls.__annotations__`` before it kept
    the forward references it makes: get_type_hints on the text itself."""
    own = inspect.get_annotations(cls)
    try:
        hints = typing.get_type_hints(cls, globalns=dict(namespace), include_extras=True)
    except NameError:
        return dict(own)
    return {name: hints.get(name, value) for name, value in own.items()}


def _make(fields: list[tuple[str, str]], base_fields: list[tuple[str, str]],
          shadow: bool) -> type:
    base = type("Base", (), {"__annotations__": dict(base_fields)})
    body: dict[str, Any] = {"__annotations__": dict(fields)}
    if shadow:
        body["Shadowed"] = int  # a class attribute: get_type_hints reads it first
    return type("Model", (base,), body)


_FIELDS = st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.sampled_from(TEXTS)),
                   max_size=4)


@settings(max_examples=300)
@given(classes=st.lists(st.tuples(_FIELDS, _FIELDS, st.booleans(), st.integers(0, 1)),
                        min_size=1, max_size=4))
def test_annotations_resolve_as_get_type_hints_resolves_the_text(
    classes: list[tuple[list[tuple[str, str]], list[tuple[str, str]], bool, int]],
) -> None:
    """Class after class, in either namespace (the same text reused, resolving to
    another object): the same types, the same errors, the text kept when a name is
    unknown."""
    for fields, base_fields, shadow, which in classes:
        namespace = NAMESPACES[which]
        expected_cls = _make(fields, base_fields, shadow)
        ours = _make(fields, base_fields, shadow)
        try:
            expected: Any = _reference(expected_cls, namespace)
        except Exception as exc:
            with pytest.raises(type(exc)):
                _resolve_annotations(ours, namespace)
            assert inspect.get_annotations(ours) == dict(fields)  # left as written
            continue
        _resolve_annotations(ours, namespace)
        assert inspect.get_annotations(ours) == expected


def test_a_reused_text_resolves_in_each_class_own_namespace() -> None:
    first = _make([("a", "Thing")], [], shadow=False)
    second = _make([("a", "Thing")], [], shadow=False)
    _resolve_annotations(first, NAMESPACES[0])
    _resolve_annotations(second, NAMESPACES[1])
    assert first.__annotations__ == {"a": _ThingA}
    assert second.__annotations__ == {"a": _ThingB}
