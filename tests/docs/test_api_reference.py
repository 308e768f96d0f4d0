"""The API reference documents every public name, under the module it belongs to.

The docs are read by Sphinx (every page, every autodoc directive) in a separate
process; the Python objects it indexed are compared with the ``__all__`` of
every public module of terrain. Only the reading phase runs: the objects are
indexed as the pages are read, and resolving every cross-reference afterwards
(half the time, ``make docs`` does it with warnings as errors) adds none.
"""

from __future__ import annotations

import importlib
import inspect
import json
import runpy
import sys
from pathlib import Path

import pytest

from tests.architecture.public import is_private, public_modules
from tests.conftest import result

DOCS = Path(__file__).parents[2] / "docs"

_INDEX = """
import json, sys
from sphinx.application import Sphinx

docs, out = sys.argv[1], sys.argv[2]
app = Sphinx(docs, docs, out, out + "/doctrees", "dummy", status=None, warning=None,
             freshenv=True)
app.builder.read()  # what app.build() does first; the objects are indexed by then
objects = app.env.domains.python_domain.objects
print(json.dumps({name: [entry.docname, entry.objtype, entry.aliased]
                  for name, entry in objects.items()}))
"""


#: The name of the index among the values computed once per test run (tests/conftest.py).
INDEX = "api-reference-index"


def index_command(out: Path) -> list[str]:
    """The command that prints the index as JSON (Sphinx writes its files in ``out``)."""
    return [sys.executable, "-c", _INDEX, str(DOCS), str(out)]


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[object]]:
    """Every Python object the docs index: full name -> [page, kind, aliased]. Read
    once per test run, in the background from its start (tests/conftest.py)."""
    found: dict[str, list[object]] = json.loads(
        result(tmp_path_factory, INDEX, index_command).splitlines()[-1]
    )
    return found


@pytest.mark.slow
@pytest.mark.parametrize("name", public_modules())
def test_every_public_name_is_in_the_api_reference_under_its_public_module(
    name: str, indexed: dict[str, list[object]]
) -> None:
    module = importlib.import_module(name)
    missing, elsewhere = [], []
    for exported in module.__all__:
        obj = getattr(module, exported)
        # a class or function is documented where it reports it lives (its public
        # module); a value, under this module or another public one exporting it
        homes = [obj.__module__] if inspect.isclass(obj) or inspect.isfunction(obj) else []
        assert not any(is_private(h) for h in homes), f"{name}.{exported} reports {homes}"
        homes += [name, *_also_exporting(obj, exported)]
        entry = next(
            (indexed[f"{h}.{exported}"] for h in homes if f"{h}.{exported}" in indexed), None
        )
        if entry is None:
            missing.append(exported)
        elif not str(entry[0]).startswith("reference/"):
            elsewhere.append(f"{exported} (in {entry[0]})")
    assert not missing, f"{name}: not documented: {', '.join(missing)}"
    assert not elsewhere, f"{name}: indexed outside the reference: {', '.join(elsewhere)}"


def _also_exporting(obj: object, exported: str) -> list[str]:
    """The public modules that export ``obj`` under the name ``exported``."""
    found = []
    for other in public_modules():
        module = importlib.import_module(other)
        if exported in module.__all__ and getattr(module, exported) is obj:
            found.append(other)
    return found


@pytest.mark.slow
def test_every_public_module_has_its_page(indexed: dict[str, list[object]]) -> None:
    for name in public_modules():
        assert name in indexed, f"{name} has no page in the API reference"


def test_the_docs_check_every_cross_reference() -> None:
    """nitpicky: a reference that resolves to nothing fails the build (make docs: -W)."""
    settings = runpy.run_path(str(DOCS / "conf.py"))
    assert settings["nitpicky"] is True
    for kind, target in settings["nitpick_ignore"]:
        assert not target.startswith("terrain"), f"{kind} {target}: terrain's own must resolve"
