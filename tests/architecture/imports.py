"""Every import in ``src/``, read from the source (no module is imported).

Imports at module level, inside functions and classes, under ``if TYPE_CHECKING:``
and in ``try`` blocks all count: a layer that is only crossed lazily is crossed
all the same. ``from terrain import Event`` counts as an import of the module
that really defines the name (``terrain.events``, from ``terrain._EXPORTS``), and
``from terrain.cli import _common`` as an import of ``terrain.cli._common``.

``python -m tests.architecture.measure`` measures the command line's coupling
to the layers below it.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

import attrs

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGES = ("terrain", "terrain_adapters")


@attrs.frozen
class Import:
    """One name imported by ``importer`` from ``target`` at ``line`` of ``path``."""

    importer: str
    target: str
    line: int
    path: Path
    src: Path  #: the ``src`` folder the module was read from
    statement: int  #: the id of the import statement (several names may share one)
    nested: bool  #: inside a function or class body
    type_checking: bool  #: under ``if TYPE_CHECKING:``

    def where(self) -> str:
        return f"{self.path.relative_to(self.src.parent)}:{self.line}"


def module_name(path: Path, src: Path = SRC) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@functools.cache
def modules(src: Path = SRC) -> dict[str, Path]:
    """Every module of terrain and terrain_adapters: dotted name -> file."""
    found = {}
    for package in PACKAGES:
        for path in sorted((src / package).rglob("*.py")):
            found[module_name(path, src)] = path
    return found


@functools.cache
def _root_exports(src: Path) -> dict[str, str]:
    """``terrain._EXPORTS``: the name ``terrain`` re-exports -> the module defining it."""
    tree = ast.parse((src / "terrain" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.AnnAssign | ast.Assign):
            targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
            if any(isinstance(t, ast.Name) and t.id == "_EXPORTS" for t in targets):
                assert node.value is not None
                exports: dict[str, str] = ast.literal_eval(node.value)
                return exports
    return {}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(
    node: ast.AST, *, nested: bool = False, type_checking: bool = False
) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool, bool]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, nested, type_checking
        elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield from _walk(child, nested=True, type_checking=type_checking)
        elif isinstance(child, ast.If) and _is_type_checking(child.test):
            for statement in child.body:
                yield from _walk(
                    ast.Module(body=[statement], type_ignores=[]),
                    nested=nested,
                    type_checking=True,
                )
            for statement in child.orelse:
                yield from _walk(
                    ast.Module(body=[statement], type_ignores=[]),
                    nested=nested,
                    type_checking=type_checking,
                )
        else:
            yield from _walk(child, nested=nested, type_checking=type_checking)


@attrs.frozen
class _Statement:
    """What :func:`imports_of` needs of one import statement, whatever file it is in."""

    level: int  #: 0 for ``import x`` and absolute ``from x import``
    module: str | None  #: ``from MODULE import``; None for ``import x``
    names: tuple[str, ...]
    line: int
    nested: bool
    type_checking: bool


@functools.cache
def _statements(text: str) -> tuple[_Statement, ...]:
    """The import statements of a module's source, read once per distinct text: the
    tests that plant a violation in a copy of ``src/`` read every module again, and
    all but the planted one are the same text."""
    found = []
    for node, nested, type_checking in _walk(ast.parse(text)):
        names = tuple(alias.name for alias in node.names)
        if isinstance(node, ast.Import):
            found.append(_Statement(0, None, names, node.lineno, nested, type_checking))
        else:
            found.append(
                _Statement(node.level, node.module, names, node.lineno, nested, type_checking)
            )
    return tuple(found)


def imports_of(path: Path, name: str, src: Path = SRC) -> list[Import]:
    """The imports of module ``name`` (file ``path``) that name terrain's own modules."""
    known = modules(src)
    exports = _root_exports(src)
    is_package = path.name == "__init__.py"
    here = name.split(".") if is_package else name.split(".")[:-1]
    found = []
    text = path.read_text(encoding="utf-8")
    try:
        statements = _statements(text)
    except SyntaxError:
        ast.parse(text, filename=str(path))  # raises again, naming the file
        raise
    for statement_id, node in enumerate(statements):
        targets: list[str] = []
        if node.module is None and not node.level:
            targets = list(node.names)
        else:
            if node.level:
                base = here[: len(here) - node.level + 1]
                origin = ".".join([*base, *([node.module] if node.module else [])])
            else:
                origin = node.module or ""
            for alias in node.names:
                if f"{origin}.{alias}" in known:
                    targets.append(f"{origin}.{alias}")
                elif origin == "terrain" and alias in exports:
                    targets.append(exports[alias])
                else:
                    targets.append(origin)
        for target in targets:
            if target.split(".")[0] in PACKAGES:
                found.append(
                    Import(
                        name,
                        target,
                        node.line,
                        path,
                        src,
                        statement_id,
                        node.nested,
                        node.type_checking,
                    )
                )
    return found


def plant(src: Path, module: str, code: str) -> None:
    """Append ``code`` to ``module`` in the copy of ``src/`` at ``src`` (for the tests that
    show a check failing on a planted violation)."""
    path = modules(src)[module]
    path.write_text(path.read_text(encoding="utf-8") + "\n" + code, encoding="utf-8")


def all_imports(src: Path = SRC) -> list[Import]:
    """Every import between terrain's own modules, in every module of ``src``."""
    return [i for name, path in modules(src).items() for i in imports_of(path, name, src)]


def package_of(module: str) -> str:
    """The package of ``module``: ``terrain.store._db`` -> ``terrain.store``."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "terrain" and len(parts) > 1 else parts[0]
