"""The fast first reader accepts exactly what the converter accepts, and reads the same."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from terrain._fastload import Fallback, loader
from terrain.serialization import _fast, converter, unstructure
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
