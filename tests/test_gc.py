"""``terrain._gc.collector_paused``: the collector is paused for the block, and left as
the code before it had it after."""

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


def test_the_collector_is_paused_for_the_block_and_on_again_after(collector_on: None) -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def _fails() -> None:
    with collector_paused():
        assert not gc.isenabled()
        raise ValueError("what the block raised")


def test_the_collector_is_on_again_after_a_block_that_raised(collector_on: None) -> None:
    with pytest.raises(ValueError, match="what the block raised"):
        _fails()
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off(collector_on: None) -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_nested_pauses_turn_it_on_once_the_outer_block_ends(collector_on: None) -> None:
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()  # the inner block did not turn it back on
    assert gc.isenabled()


def test_one_pause_used_twice_restores_each_time(collector_on: None) -> None:
    pause = collector_paused()
    with pause:
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    with pause:
        pass
    assert not gc.isenabled()
