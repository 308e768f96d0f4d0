"""terrain's layers: which module may import which.

The table below is the contract (``docs/reference/layers.rst`` shows it as it
is written here). A module may import modules of its own layer and of the
layers below it, never above; inside a layer, packages may import each other
but never in a cycle. Every import counts: at module level, inside functions,
under ``if TYPE_CHECKING:`` (see :mod:`tests.architecture.imports`). Every
module of ``src/`` must fall in one row: a new package is placed here first.
"""

from __future__ import annotations

import collections
import itertools
from collections.abc import Iterable
from pathlib import Path

import attrs

from tests.architecture.imports import SRC, Import, all_imports, modules

# -- the layers, top to bottom (shown in docs/reference/layers.rst) ----------------------------
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Front ends: parse or render, call one workflow, print. `terrain` itself only
    # re-exports (lazily) what users need; the program keeps its generated code.
    ("front ends", ("terrain.cli", "terrain.web", "terrain.__main__", "terrain._codecache",
                    "terrain")),
    # What a community manager does: one function per task, one transaction per write.
    ("workflows", ("terrain.workflows",)),
    # Compose posts, the journal, the runner and the workers.
    ("publishing", ("terrain.publishing",)),
    # The workspace: records, the consent log, decisions, media in a Storage.
    ("store", ("terrain.store",)),
    # The plugin surface (hookspecs, manager, Platform and Storage protocols), and the
    # built-in adapters that implement it, beside it, as any third-party plugin.
    ("plugins", ("terrain.plugins", "terrain_adapters")),
    # The consent ledger and decisions: pure, no I/O, time passed in.
    ("consent", ("terrain.consent",)),
    # The field's models and their pure logic.
    (
        "domain",
        (
            "terrain.community",
            "terrain.content",
            "terrain.events",
            "terrain.faces",
            "terrain.media",
            "terrain.partnerships",
            "terrain.posts",
            "terrain.projects",
            "terrain.templates",
            "terrain.workshops",
        ),
    ),
    # One converter for every model, JSON in and out.
    ("serialization", ("terrain.serialization", "terrain._fastload")),
    # Helpers every layer may use.
    (
        "base",
        (
            "terrain.errors",
            "terrain.clock",
            "terrain.secrets",
            "terrain._time",
            "terrain._validation",
            "terrain._language",
            "terrain._public",
            "terrain._lazy",
            "terrain._gc",
            "terrain._files",
            "terrain._passwords",
            "terrain._icc",
            "terrain._jpeg",
            "terrain._png",
        ),
    ),
)

#: Modules that belong to another row's package: its hook specifications are part of the
#: plugin surface, text counting is the posts' own, the XMP face tags are read for faces;
#: the redaction registry and a picture's region are split out of the module that
#: re-exports them so that printing and posts import only them.
PART_OF = {
    "terrain.hookspecs": "terrain.plugins",
    "terrain._text_count": "terrain.posts",
    "terrain._xmp": "terrain.faces",
    "terrain._redact": "terrain.secrets",
    "terrain._region": "terrain.content",
}

#: Apart from the layers: the test kit for plugin authors may import any layer, and no
#: module outside it imports it.
APART = ("terrain.testing",)

#: Only these read "now" from terrain.clock; every layer below them is given the time.
#: The store's history stamps when a change was written, in one function
#: (``recorded_at``): a stamp on its bookkeeping, never an input to a decision.
CLOCK_READERS = (
    "terrain.cli",
    "terrain.web",
    "terrain_adapters",
    "terrain.testing",
    "terrain.store._history",
)
# -- end of the layers ----------------------------------------------------------------------


def _matches(module: str, prefix: str) -> bool:
    return module == prefix or (prefix != "terrain" and module.startswith(prefix + "."))


def component_of(module: str) -> str:
    """The row entry ``module`` falls in (the longest matching prefix), e.g.
    ``terrain.store._db`` -> ``terrain.store``."""
    for part, whole in PART_OF.items():
        if _matches(module, part):
            return whole
    found = [
        prefix for _, prefixes in LAYERS for prefix in (*prefixes,) if _matches(module, prefix)
    ] + [prefix for prefix in APART if _matches(module, prefix)]
    if not found:
        raise LookupError(
            f"{module} is in no layer: add its package to LAYERS in {Path(__file__).name}"
        )
    return max(found, key=len)


def layer_of(module: str) -> int | None:
    """The index of ``module``'s layer in :data:`LAYERS` (0 = top); ``None`` if apart."""
    component = component_of(module)
    for index, (_, prefixes) in enumerate(LAYERS):
        if component in prefixes:
            return index
    return None


@attrs.frozen
class Violation:
    imp: Import
    reason: str

    def __str__(self) -> str:
        how = (
            "under TYPE_CHECKING"
            if self.imp.type_checking
            else ("in a function" if self.imp.nested else "at module level")
        )
        return f"{self.imp.where()}: {self.imp.importer} imports {self.imp.target} ({how}): " + (
            self.reason
        )


def _kind_of(component: str) -> str:
    for name, prefixes in LAYERS:
        if component in prefixes:
            return name
    return "apart"


def layer_violations(imports: Iterable[Import]) -> list[Violation]:
    """Imports that go up a layer, into the test kit, or read the clock below the front."""
    found = []
    for imp in imports:
        here, there = component_of(imp.importer), component_of(imp.target)
        if there in APART and here not in APART:
            found.append(Violation(imp, f"nothing outside {there} imports it"))
            continue
        if imp.target == "terrain.clock" and not any(
            _matches(imp.importer, p) for p in CLOCK_READERS
        ):
            found.append(
                Violation(
                    imp,
                    "only front ends and adapters read the clock: take the time as an "
                    "argument (at=/now=)",
                )
            )
        up, down = layer_of(imp.importer), layer_of(imp.target)
        if up is None or down is None:
            continue
        if down < up:
            found.append(
                Violation(
                    imp,
                    f"the {_kind_of(here)} layer may not import the {_kind_of(there)} layer "
                    "above it; move the code that needs it up, or what it needs down",
                )
            )
    return found


def cycles(imports: Iterable[Import]) -> list[list[str]]:
    """Import cycles between the components of one layer (``terrain.community`` ->
    ``terrain.workshops`` -> ``terrain.community``), each with its first edge's place."""
    graph: dict[str, set[str]] = collections.defaultdict(set)
    for imp in imports:
        a, b = component_of(imp.importer), component_of(imp.target)
        if a != b and layer_of(imp.importer) == layer_of(imp.target):
            graph[a].add(b)
    found: list[list[str]] = []
    seen: set[frozenset[str]] = set()

    def visit(path: list[str]) -> None:
        for nxt in sorted(graph[path[-1]]):
            if nxt == path[0]:
                key = frozenset(path)
                if key not in seen:
                    seen.add(key)
                    found.append([*path, nxt])
            elif nxt not in path and nxt > path[0]:
                visit([*path, nxt])

    for start in sorted(graph):
        visit([start])
    return found


def unplaced(src: Path = SRC) -> list[str]:
    """Modules of ``src`` that fall in no row of the table."""
    out = []
    for name in modules(src):
        try:
            component_of(name)
        except LookupError:
            out.append(name)
    return out


def check(src: Path = SRC) -> list[str]:
    """Every problem with the layers in ``src``, one line each (empty: all good)."""
    imports = all_imports(src)
    missing = set(unplaced(src))
    problems = [
        f"{m} is in no layer: add its package to tests/architecture/layers.py"
        for m in sorted(missing)
    ]
    placed = [i for i in imports if not ({i.importer, i.target} & missing)]
    problems += [str(v) for v in layer_violations(placed)]
    for cycle in cycles(placed):
        edges = []
        for a, b in itertools.pairwise(cycle):
            where = next(
                i.where()
                for i in placed
                if component_of(i.importer) == a and component_of(i.target) == b
            )
            edges.append(f"{a} -> {b} ({where})")
        problems.append("import cycle inside a layer: " + "; ".join(edges))
    return problems
