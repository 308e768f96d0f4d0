"""How much the command line leans on the layers below it, read from the source.

    python -m tests.architecture.measure [SRC]

prints the lines of ``terrain.cli`` and its import statements into the domain,
the store, the workflows and publishing (every import counts, lazy ones too:
see :mod:`tests.architecture.imports`), then the lines of each CLI module.
"""

from __future__ import annotations

import collections
import sys
from pathlib import Path

from tests.architecture.imports import SRC, imports_of, modules, package_of
from tests.architecture.layers import LAYERS


def _row(name: str) -> tuple[str, ...]:
    return next(prefixes for layer, prefixes in LAYERS if layer == name)


#: How the measurement groups the packages under the command line.
GROUPS = {
    "domain": (*_row("consent"), *_row("domain")),
    "store": _row("store"),
    "workflows": _row("workflows"),
    "publishing": _row("publishing"),
}


def measure_cli(src: Path = SRC) -> dict[str, int]:
    """Lines of ``terrain.cli`` and its import statements into each group of layers."""
    cli = {n: p for n, p in modules(src).items() if n.startswith("terrain.cli")}
    lines = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in cli.values())
    statements: dict[str, set[tuple[str, int]]] = collections.defaultdict(set)
    names: collections.Counter[str] = collections.Counter()
    for name, path in cli.items():
        for i in imports_of(path, name, src):
            for group, packages in GROUPS.items():
                if package_of(i.target) in packages:
                    statements[group].add((name, i.statement))
                    names[group] += 1
    figures = {"modules": len(cli), "lines": lines}
    for group in GROUPS:
        figures[f"import statements -> {group}"] = len(statements[group])
        figures[f"names imported <- {group}"] = names[group]
    return figures


def main() -> None:
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else SRC
    for key, value in measure_cli(src).items():
        print(f"terrain.cli {key}: {value}")
    cli = {n: p for n, p in modules(src).items() if n.startswith("terrain.cli")}
    for name, path in sorted(cli.items(), key=lambda kv: -len(kv[1].read_text().splitlines())):
        print(f"  {len(path.read_text(encoding='utf-8').splitlines()):5} {name}")


if __name__ == "__main__":
    main()
