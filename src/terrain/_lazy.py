"""Packages whose public names are imported when first used (PEP 562).

``import terrain`` and ``import terrain.workflows`` import none of the modules
behind their names: a command that runs one workflow imports that workflow's
module, not the forty others (``terrain log`` spent 0.4 s importing and
building the classes of workflows it never ran). A package sets::

    if not TYPE_CHECKING:
        __getattr__, __dir__ = exports(__name__, WHERE, renamed={"Old": "New"})

``WHERE`` says where each name lives: a table ``{name: module}``, or the path
of the package's ``__init__``, whose ``from MODULE import NAME`` statements
under ``if TYPE_CHECKING:`` are then the table (type checkers, readers and the
layering test see the same imports; the file is read at the first lookup).

When a module of the table has been imported, by a lookup or by another module,
the package takes all of its names at the next lookup: each becomes a plain
attribute of the package, and those a private module defines are claimed
(:func:`terrain._public.claim`: their ``__module__`` is the package, their
origin is in ``ORIGINS``), as an eager ``__init__`` ending with ``claim`` would
have done. A lazy package in the table (``terrain.consent`` in ``terrain``'s) gives
the names it holds so far, read without asking it: asking would import every
module behind its names. Old names of ``renamed`` are served with a
:class:`DeprecationWarning`.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["exports", "type_checking_imports"]


def type_checking_imports(path: str) -> dict[str, str]:
    """``{name: module}`` for each ``from MODULE import NAME`` under a module-level
    ``if TYPE_CHECKING:`` of the source file at ``path``.

    The file is read line by line when it is written the plain way (every statement
    of the block a ``from MODULE import`` of names, one line or one per line in
    parentheses): parsing it as Python took longer than a command's own work (the
    table of :mod:`terrain.workflows` lists 220 names). Anything else is parsed."""
    from pathlib import Path

    text = Path(path).read_text(encoding="utf-8")
    found = _scan(text)
    return found if found is not None else _parse(path, text)


def _parse(path: str, text: str) -> dict[str, str]:
    """:func:`type_checking_imports` of ``text`` (the file at ``path``), parsed as Python."""
    import ast

    tree = ast.parse(text)
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom) and statement.module:
                    for alias in statement.names:
                        if statement.level or alias.asname:
                            raise ValueError(
                                f"{path}, line {statement.lineno}: a lazy name is imported "
                                "as `from package.module import name` (absolute, not renamed)"
                            )
                        found[alias.name] = statement.module
    return found


_BLOCK = "if TYPE_CHECKING:"


def _scan(text: str) -> dict[str, str] | None:
    """:func:`type_checking_imports` of ``text`` read line by line, or None when it is
    not written the plain way (see there): it is then parsed."""
    found: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if lines[i] != _BLOCK:
            if lines[i].startswith(("if TYPE_CHECKING", "if (TYPE_CHECKING")):
                return None
            i += 1
            continue
        before = "\n".join(lines[:i])
        if before.count('"""') % 2 or before.count("'''") % 2:
            return None  # inside a string
        i += 1
        while i < len(lines) and (not lines[i] or lines[i].startswith("    ")):
            line = lines[i]
            i += 1
            if not line.strip():
                continue
            words = line[4:].split(" ")
            if len(words) < 4 or words[0] != "from" or words[2] != "import" or not all(
                part.isidentifier() for part in words[1].split(".")
            ):
                return None
            module, rest = words[1], " ".join(words[3:])
            if rest == "(":
                names = []
                while i < len(lines) and lines[i] != "    )":
                    names.append(lines[i].strip().removesuffix(","))
                    i += 1
                i += 1
            else:
                names = [name.strip() for name in rest.split(",")]
            if not names or not all(name.isidentifier() for name in names):
                return None
            found.update(dict.fromkeys(names, module))
        if i < len(lines) and (lines[i][:1].isspace() or lines[i].startswith(("else", "elif"))):
            return None  # indented otherwise, or more branches
    return found


def _is_private(module: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in module.split("."))


def exports(
    package: str, where: Mapping[str, str] | str, *, renamed: Mapping[str, str] | None = None
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package`` (see the module's docstring)."""
    table: Mapping[str, str] | None = where if not isinstance(where, str) else None
    by_module: dict[str, list[str]] = {}
    taken: set[str] = set()  # modules whose names the package holds

    def names() -> Mapping[str, str]:
        nonlocal table
        if table is None:
            assert isinstance(where, str)
            table = type_checking_imports(where)
        if not by_module:
            for name, module in table.items():
                by_module.setdefault(module, []).append(name)
        return table

    def take_imported() -> None:
        """Give the package the names of every module of the table imported so far.

        Idempotent, and without a lock: two threads may both claim a name (the
        same assignments), and a module still being imported is left for later.
        """
        namespace = vars(sys.modules[package])
        for module, its_names in by_module.items():
            loaded = sys.modules.get(module)
            if module in taken or loaded is None:
                continue
            # What the module holds, read without asking its ``__getattr__``: a lazy
            # package (``terrain.consent`` in ``terrain``'s table) would import every
            # module behind its names to answer.
            held = vars(loaded)
            values = {name: held.get(name, _MISSING) for name in its_names}
            if any(value is _MISSING for value in values.values()):
                if not _is_private(module):  # a lazy package: take what it has so far
                    namespace.update({n: v for n, v in values.items() if v is not _MISSING})
                continue  # partly initialised (an import under way), or names still to load
            if _is_private(module):
                from terrain._public import claim

                claim(package, {"__all__": its_names, **values})
            namespace.update(values)  # the next lookup is a plain one
            taken.add(module)

    def __getattr__(name: str) -> Any:
        module = names().get(name)
        if module is None:
            new = (renamed or {}).get(name)
            if new is None:
                raise AttributeError(f"module {package!r} has no attribute {name!r}")
            from terrain._public import warn_renamed

            warn_renamed(package, name, new, stacklevel=2)
            return getattr(sys.modules[package], new)
        value = getattr(importlib.import_module(module), name)
        take_imported()
        return vars(sys.modules[package]).get(name, value)

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *names()})

    return __getattr__, __dir__


_MISSING = object()
