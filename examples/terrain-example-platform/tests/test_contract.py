"""Run terrain's contract suite on the journal, as any plugin author would."""

from __future__ import annotations

import pytest
from terrain_example_platform import JournalFactory

from terrain.testing.contract import PlatformContract


class TestJournalContract(PlatformContract):
    @pytest.fixture
    def factory(self) -> JournalFactory:
        return JournalFactory()
