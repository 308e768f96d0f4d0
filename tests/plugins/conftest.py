"""Throwaway plugin distributions, made in tmp_path and put on sys.path (never installed)."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

MakeDist = Callable[..., Path]


@pytest.fixture
def make_dist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MakeDist]:
    """``make_dist(name, version, modules={"mod": "source"}, entry_points={"ep": "mod"})``
    writes a distribution (a ``.dist-info`` folder and its modules) that
    ``importlib.metadata`` finds, as if pip had installed it."""
    site = tmp_path / "site-packages"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    written: list[str] = []

    def make(
        name: str,
        version: str = "1.0",
        *,
        modules: dict[str, str],
        entry_points: dict[str, str],
    ) -> Path:
        for module, source in modules.items():
            (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
            written.append(module)
        info = site / f"{name.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
        )
        lines = ["[terrain]", *(f"{ep} = {target}" for ep, target in entry_points.items())]
        (info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return info

    yield make
    for module in written:
        sys.modules.pop(module, None)


JOURNAL_PLUGIN = """
import terrain

class JournalFactory:
    name = "journal"

    def __call__(self, context):
        from terrain.testing import InMemoryPlatform
        return InMemoryPlatform("journal")

@terrain.hookimpl
def terrain_register_platforms(register):
    register(JournalFactory())
"""
