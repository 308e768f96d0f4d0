"""Packages import the modules behind their names when first used, and a name
imported so is the same public name as one imported eagerly: it says it lives
in the package, its origin is known to the docs, an old name still works."""

from __future__ import annotations

import importlib
import json
import keyword
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import terrain
import terrain.community
import terrain.consent
import terrain.events
import terrain.partnerships
import terrain.projects
import terrain.publishing
import terrain.store
import terrain.workflows
import terrain.workshops
from terrain._lazy import _parse, _scan, exports, type_checking_imports
from tests.architecture.test_public_names import RENAMED

#: The packages whose names load when first used.
LAZY = [
    terrain,
    terrain.community,
    terrain.consent,
    terrain.events,
    terrain.partnerships,
    terrain.projects,
    terrain.publishing,
    terrain.store,
    terrain.workflows,
    terrain.workshops,
]


def _fresh(code: str) -> object:
    """What ``code`` prints (one JSON value) in a new interpreter: nothing imported yet."""
    out = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_importing_the_workflows_package_imports_none_of_its_workflows() -> None:
    loaded = _fresh(
        "import json, sys, terrain.workflows\n"
        "print(json.dumps([m for m in sys.modules if m.startswith('terrain.workflows.')]))"
    )
    assert loaded == []


def test_using_one_workflow_imports_its_module_and_not_every_workflow() -> None:
    loaded = _fresh(
        "import json, sys\n"
        "from terrain.workflows import post_log\n"
        "print(json.dumps([m for m in sys.modules if m.startswith('terrain.workflows.')]))"
    )
    assert isinstance(loaded, list)
    assert "terrain.workflows._log" in loaded
    every = set(type_checking_imports(terrain.workflows.__file__).values())
    assert not {"terrain.workflows._demo", "terrain.workflows._review"} & set(loaded)
    assert len(loaded) < len(every) / 4, loaded


def test_opening_a_workspace_builds_no_decision_journal_or_review_desk_class() -> None:
    """A read command opens the workspace: it pays for the store, not for the
    consent decisions, the publication journal or the review desk's accounts."""
    loaded = _fresh(
        "import json, sys\n"
        "from terrain.store import Workspace\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    assert isinstance(loaded, list)
    assert not {
        "terrain.consent._decide",
        "terrain.consent._ledger",
        "terrain.publishing._journal",
        "terrain.store._accounts",
        "terrain.store._copy",
        "terrain.events._attendance",
        "terrain.partnerships._models",
        "terrain.projects._models",
        "terrain.workshops._models",
    } & set(loaded)


def test_the_tables_of_record_kinds_fill_when_first_read_and_match_each_other() -> None:
    found = _fresh(
        "import json, sys\n"
        "from terrain.store import KIND_TYPES, RECORD_KINDS\n"
        "before = 'terrain.workshops._models' in sys.modules\n"
        "pairs = sorted((kind, cls.__name__) for kind, cls in KIND_TYPES.items())\n"
        "back = all(RECORD_KINDS[cls] == kind for kind, cls in KIND_TYPES.items())\n"
        "print(json.dumps([before, len(RECORD_KINDS), pairs[0], back,\n"
        "    KIND_TYPES['vote'].__module__]))"
    )
    assert found == [False, 13, ["attendance", "Attendance"], True, "terrain.workshops"]


def test_a_name_of_terrain_loads_no_module_of_another_lazy_package_already_imported() -> None:
    """``terrain``'s table names ``terrain.consent``: once that package is imported,
    a lookup of ``terrain.Member`` must not load every module behind its names."""
    loaded = _fresh(
        "import json, sys\n"
        "import terrain, terrain.consent\n"
        "from terrain.consent import Consent\n"
        "terrain.Member\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('terrain.consent.'))))"
    )
    assert loaded == ["terrain.consent._purpose", "terrain.consent._records"]  # Consent's own


def test_terrain_serves_a_name_of_a_lazy_package_it_names() -> None:
    found = _fresh(
        "import json\n"
        "import terrain, terrain.consent\n"
        "from terrain.consent import Consent\n"
        "print(json.dumps([terrain.ConsentLedger is terrain.consent.ConsentLedger,\n"
        "    terrain.Consent is Consent, terrain.ConsentLedger.__module__]))"
    )
    assert found == [True, True, "terrain.consent"]


def test_a_name_imported_when_first_used_says_it_lives_in_the_package() -> None:
    found = _fresh(
        "import json, sys\n"
        "from terrain.workflows import LogEntry, post_log\n"
        "from terrain._public import ORIGINS\n"
        "print(json.dumps([repr(LogEntry), post_log.__module__,\n"
        "    ORIGINS['terrain.workflows.LogEntry'], ORIGINS['terrain.workflows.post_log']]))"
    )
    assert found == [
        "<class 'terrain.workflows.LogEntry'>",
        "terrain.workflows",
        "terrain.workflows._log",
        "terrain.workflows._log",
    ]


def test_the_names_of_a_module_another_workflow_imported_are_claimed_with_it() -> None:
    """``_stats`` imports ``_publish``: ``PublishResult`` then says ``terrain.workflows``
    even if nobody asked the package for it (its objects may be printed)."""
    found = _fresh(
        "import json, sys\n"
        "from terrain.workflows import post_stats\n"
        "module = sys.modules['terrain.workflows._publish']\n"
        "print(json.dumps(module.PublishResult.__module__))"
    )
    assert found == "terrain.workflows"


def test_threads_asking_for_names_at_once_all_get_the_claimed_objects() -> None:
    # Every name looked up by many threads at once reports the public module it
    # reports when looked up alone (its own package's, or the package that
    # claims a re-exported object, e.g. ``purpose_labels`` from terrain.consent).
    names = sorted(terrain.workflows.__all__)[::7]
    alone = {name: getattr(getattr(terrain.workflows, name), "__module__", "terrain.workflows")
             for name in names}
    found = _fresh(
        "import json, threading\n"
        "import terrain.workflows as w\n"
        f"names = {names!r}\n"
        "got = {}\n"
        "start = threading.Barrier(len(names))\n"
        "def look(name):\n"
        "    start.wait()\n"
        "    got[name] = getattr(w, name)\n"
        "threads = [threading.Thread(target=look, args=(n,)) for n in names]\n"
        "for t in threads: t.start()\n"
        "for t in threads: t.join()\n"
        "print(json.dumps({n: getattr(v, '__module__', 'terrain.workflows')\n"
        "    for n, v in got.items()}))"
    )
    assert found == alone
    assert all("._" not in module for module in found.values())


@pytest.mark.parametrize("package", LAZY, ids=lambda p: p.__name__)
def test_the_lazy_table_lists_exactly_the_public_names(package: object) -> None:
    table = type_checking_imports(package.__file__)  # type: ignore[attr-defined]
    assert set(table) == set(package.__all__) - {"__version__"}  # type: ignore[attr-defined]
    assert set(package.__all__) <= set(dir(package))


@pytest.mark.parametrize(("module", "old", "new"), RENAMED)
def test_an_old_name_warns_at_the_line_that_used_it(module: str, old: str, new: str) -> None:
    public = importlib.import_module(module)
    with pytest.warns(DeprecationWarning, match=rf"{module}\.{old} is deprecated") as record:
        getattr(public, old)
    assert [Path(w.filename).name for w in record] == [Path(__file__).name]


def test_an_unknown_name_is_an_attribute_error_naming_the_package() -> None:
    with pytest.raises(
        AttributeError, match=r"module 'terrain\.workflows' has no attribute 'nope'"
    ):
        terrain.workflows.nope  # type: ignore[attr-defined]  # noqa: B018


def test_a_package_reads_its_table_from_its_type_checking_imports(tmp_path: Path) -> None:
    init = tmp_path / "__init__.py"
    init.write_text(
        "from typing import TYPE_CHECKING\n"
        "from json import dumps\n"
        "if TYPE_CHECKING:\n"
        "    from json import loads\n"
        "    from os.path import join\n"
    )
    assert type_checking_imports(str(init)) == {"loads": "json", "join": "os.path"}
    sys.modules["pkg"] = type(sys)("pkg")
    try:
        getattr_, dir_ = exports("pkg", str(init))
        assert getattr_("join") is os.path.join
        assert vars(sys.modules["pkg"])["join"] is os.path.join  # a plain attribute now
        assert "loads" in dir_()
        with pytest.raises(AttributeError):
            getattr_("dumps")  # imported eagerly, not a lazy name
    finally:
        del sys.modules["pkg"]


@pytest.mark.parametrize(
    "statement", ["from os.path import join as joined", "from .sibling import thing"]
)
def test_a_lazy_name_renamed_or_relative_is_refused_with_its_line(
    tmp_path: Path, statement: str
) -> None:
    init = tmp_path / "__init__.py"
    init.write_text(f"from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    {statement}\n")
    with pytest.raises(ValueError, match=r"__init__.py, line 3: a lazy name is imported as"):
        type_checking_imports(str(init))


@pytest.mark.parametrize("package", LAZY, ids=lambda p: p.__name__)
def test_the_table_read_line_by_line_is_the_table_python_parses(package: object) -> None:
    """Each package's ``__init__`` is written the plain way, read without parsing it."""
    path = package.__file__  # type: ignore[attr-defined]
    text = Path(path).read_text(encoding="utf-8")
    assert _scan(text) is not None
    assert _scan(text) == _parse(path, text)


_NAME = st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True).filter(
    lambda n: not keyword.iskeyword(n))


@st.composite
def _modules(draw: st.DrawFn) -> str:
    """Python modules with ``if TYPE_CHECKING:`` blocks written every way: plain, in
    parentheses, renamed, with comments, tabs, other statements, branches, strings."""
    parts = ['"""A package."""\n', "from typing import TYPE_CHECKING\n"]
    indent = draw(st.sampled_from(["    ", "    ", "\t"]))  # one per file, as Python wants
    for _ in range(draw(st.integers(1, 3))):
        parts.append(draw(st.sampled_from([
            "if TYPE_CHECKING:\n", "if TYPE_CHECKING:\n", "if TYPE_CHECKING:\n",
            "if TYPE_CHECKING:  # for mypy\n", "if TYPE_CHECKING :\n",
        ])))
        for _ in range(draw(st.integers(1, 3))):
            module = ".".join(draw(st.lists(_NAME, min_size=1, max_size=3)))
            names = draw(st.lists(_NAME, min_size=1, max_size=4, unique=True))
            style = draw(st.sampled_from(["line", "parens", "parens", "parens", "comment",
                                          "other"]))
            if style == "line":
                parts.append(f"{indent}from {module} import {', '.join(names)}\n")
            elif style == "parens":
                inner = "".join(f"{indent}    {n},\n" for n in names)
                parts.append(f"{indent}from {module} import (\n{inner}{indent})\n")
            elif style == "comment":
                parts.append(f"{indent}from {module} import {names[0]}  # why\n")
            else:
                parts.append(f"{indent}import {module}\n")
            if draw(st.booleans()):
                parts.append("\n")
        parts.append(draw(st.sampled_from([
            "", "else:\n    from os import sep\n", "x = 1\n",
            '"""\nif TYPE_CHECKING:\n    from os import sep\n"""\n',
        ])))
    return "".join(parts)


@pytest.fixture(scope="module")
def init_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pkg") / "__init__.py"


@settings(max_examples=200, deadline=None)
@given(text=_modules())
def test_the_table_is_the_one_python_parses_however_the_block_is_written(
    init_file: Path, text: str
) -> None:
    """Read line by line when written the plain way, parsed otherwise: the same table."""
    path = init_file
    path.write_text(text, encoding="utf-8")
    assert type_checking_imports(str(path)) == _parse(str(path), text)


def test_a_block_inside_a_string_is_not_read(tmp_path: Path) -> None:
    init = tmp_path / "__init__.py"
    init.write_text(
        '"""How to add a name:\n'
        "if TYPE_CHECKING:\n"
        '    from terrain.x import thing\n"""\n'
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from json import loads\n"
    )
    assert type_checking_imports(str(init)) == {"loads": "json"}
