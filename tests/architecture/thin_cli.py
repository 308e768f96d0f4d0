"""What the command line may not do: touch the database, or do a workflow's work.

Read from the source of ``terrain.cli`` (nothing is imported):

- **No database.** No ``Workspace.db`` (any ``.db`` attribute), no
  ``transaction``, no ``Database`` or ``Transaction``, no ``sqlite3`` or
  ``psycopg``, no SQL text.
- **One write, alone.** A function that changes the workspace itself
  (``ws.add``, ``ws.put``, ``ws.remove``, ``ws.record_consent``,
  ``ws.save_ledger``, ``ws.update_ledger``, ``ws.record_decision``, a
  ``put``/``delete`` on ``ws.storage``) makes that one call, outside any loop,
  and no other call on the workspace (nor gives it to a helper): reading records
  to decide what to write is a workflow's job (``terrain.workflows``), which a
  library user can call too.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from tests.architecture.imports import SRC, modules

WRITES = frozenset(
    {
        "add",
        "put",
        "remove",
        "delete",
        "record_consent",
        "save_ledger",
        "update_ledger",
        "record_decision",
    }
)
FORBIDDEN_NAMES = frozenset({"Database", "Transaction", "transaction"})
FORBIDDEN_MODULES = ("sqlite3", "psycopg", "psycopg_pool", "terrain.publishing._sql")
#: SQL as terrain writes it (keywords in capitals), in any string or f-string part.
SQL = re.compile(
    r"^\s*(SELECT\s.*\sFROM\s|INSERT\s+INTO\s|UPDATE\s+\S+\s+SET\s|DELETE\s+FROM\s|"
    r"(CREATE|ALTER|DROP)\s+(TABLE|INDEX|VIEW)\s|PRAGMA\s)",
    re.IGNORECASE | re.DOTALL,
)
SQL_STATEMENTS = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT)\b")
LOOPS = (
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


def _root(node: ast.expr) -> str | None:
    """``ws`` for ``ws.storage.put``: the name an attribute chain starts from."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _own_nodes(function: ast.AST) -> Iterator[tuple[ast.AST, bool]]:
    """The nodes of ``function``'s body (not of the functions defined inside it), each
    with whether it runs in a loop."""

    def walk(node: ast.AST, in_loop: bool) -> Iterator[tuple[ast.AST, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            yield child, in_loop
            yield from walk(child, in_loop or isinstance(child, LOOPS))

    yield from walk(function, False)


def violations(src: Path = SRC) -> list[str]:
    """Every place where ``terrain.cli`` touches the database or does a workflow's work."""
    found = []
    for name, path in sorted(modules(src).items()):
        if not (name == "terrain.cli" or name.startswith("terrain.cli.")):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        where = path.relative_to(src.parent)
        for node in ast.walk(tree):
            line = getattr(node, "lineno", 0)
            if isinstance(node, ast.Attribute) and node.attr == "db":
                found.append(f"{where}:{line}: uses the database of a workspace (.db)")
            elif isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_NAMES:
                found.append(f"{where}:{line}: uses {node.attr}")
            elif isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
                found.append(f"{where}:{line}: uses {node.id}")
            elif isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or "", *(f"{node.module}.{a.name}" for a in node.names)]
                )
                for module in names:
                    if module.startswith(FORBIDDEN_MODULES) or module.startswith("terrain.store._"):
                        found.append(f"{where}:{line}: imports {module}")
                if isinstance(node, ast.ImportFrom):
                    for alias in node.names:
                        if alias.name in FORBIDDEN_NAMES:
                            found.append(f"{where}:{line}: imports {alias.name}")
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and (SQL.match(node.value) or SQL_STATEMENTS.match(node.value))
            ):
                found.append(f"{where}:{line}: holds SQL ({node.value.strip()[:30]!r})")
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                found += _writes(node, where)
    return found


def _writes(function: ast.FunctionDef | ast.AsyncFunctionDef, where: Path) -> list[str]:
    writes, other_calls = [], []
    for node, in_loop in _own_nodes(function):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Attribute) and _root(node.func) == "ws":
            if node.func.attr in WRITES:
                writes.append((node, in_loop))
            else:
                other_calls.append(node)
        elif any(
            isinstance(a, ast.Name) and a.id == "ws"
            for a in (*node.args, *(k.value for k in node.keywords))
        ):
            other_calls.append(node)  # a helper given the workspace reads it too
    if not writes:
        return []
    problems = []
    label = f"{function.name}()"
    if len(writes) > 1:
        lines = ", ".join(str(n.lineno) for n, _ in writes)
        problems.append(
            f"{where}:{writes[1][0].lineno}: {label} writes to the workspace {len(writes)} "
            f"times (lines {lines}): make it one workflow in terrain.workflows"
        )
    for node, in_loop in writes:
        if in_loop:
            problems.append(
                f"{where}:{node.lineno}: {label} writes to the workspace in a loop: make it "
                "one workflow in terrain.workflows"
            )
    if other_calls:
        problems.append(
            f"{where}:{other_calls[0].lineno}: {label} reads the workspace "
            f"({ast.unparse(other_calls[0].func)}) and writes to it "
            f"(line {writes[0][0].lineno}): deciding what to write is a workflow's job "
            "(terrain.workflows)"
        )
    return problems
