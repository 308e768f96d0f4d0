"""The examples in docstrings (``>>>``) run, so the reference never shows code that fails."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

from terrain._public import ORIGINS

SRC = Path(__file__).resolve().parents[1] / "src"
MODULES = sorted(
    ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
    for path in SRC.rglob("*.py")
    if ">>> " in path.read_text(encoding="utf-8")
)


def test_some_docstrings_hold_examples() -> None:
    assert "terrain.clock" in MODULES


def _examples(name: str) -> list[doctest.DocTest]:
    """The examples of module ``name``: of the objects it defines, those its package
    claims (whose ``__module__`` is the package, see :mod:`terrain._public`) included."""
    module = importlib.import_module(name)
    public = importlib.import_module(name.split("._")[0])
    for exported in getattr(public, "__all__", ()):
        getattr(public, exported)  # a lazy package claims a name when it is first used
    finder = doctest.DocTestFinder()
    found = finder.find(module)
    for dotted, origin in sorted(ORIGINS.items()):
        if origin == name:
            package, _, exported = dotted.rpartition(".")
            obj = getattr(importlib.import_module(package), exported)
            found += finder.find(obj, dotted, module=False, globs=dict(vars(module)))
    return [test for test in found if test.examples]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in _examples(name):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted, f"{name}: no example found"
    assert not result.failed, f"{name}: {result.failed} example(s) failed (see the output)"
