"""``terrain._gc.collector_paused``: the collector is paused for the call, and left as
the caller had it after."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from terrain._gc import collector_paused


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        (gc.enable if was else gc.disable)()


@collector_paused
def _state(n: int, *, also: str = "") -> tuple[bool, int, str]:
    return gc.isenabled(), n, also


@collector_paused
def _fails() -> None:
    assert not gc.isenabled()
    raise ValueError("what the call raised")


def test_the_collector_is_paused_for_the_call_and_on_again_after(collector_on: None) -> None:
    assert _state(3, also="x") == (False, 3, "x")  # arguments and result go through
    assert gc.isenabled()


def test_the_collector_is_on_again_after_a_call_that_raised(collector_on: None) -> None:
    with pytest.raises(ValueError, match="what the call raised"):
        _fails()
    assert gc.isenabled()


def test_a_collector_the_caller_turned_off_stays_off(collector_on: None) -> None:
    gc.disable()
    assert _state(1) == (False, 1, "")
    assert not gc.isenabled()


def test_nested_pauses_turn_it_on_once_the_outer_call_ends(collector_on: None) -> None:
    @collector_paused
    def outer() -> tuple[bool, bool]:
        inner, _n, _ = _state(2)
        return inner, gc.isenabled()

    assert outer() == (False, False)  # the inner call did not turn it back on
    assert gc.isenabled()


def test_the_wrapped_function_keeps_its_name_and_doc() -> None:
    @collector_paused
    def reads() -> None:
        """Reads many records."""

    assert reads.__name__ == "reads"
    assert reads.__doc__ == "Reads many records."
