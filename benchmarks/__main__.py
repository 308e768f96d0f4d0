"""Run every benchmark, print one table, save the figures as JSON.

Usage: ``python -m benchmarks [NAME ...]`` (names of ``bench_*.py`` modules
without the prefix; all by default). Exit code 1 if any goal is missed.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks._harness import BUSY, CpuWatch, machine_info

HERE = Path(__file__).resolve().parent
BUDGET_S = 600  #: `make bench` must finish within 10 minutes on 2 cores


def compile_bytecode() -> None:
    """Compile terrain's modules as ``pip install`` does for a wheel.

    An editable install has no bytecode until a process writes it, and where
    ``PYTHONDONTWRITEBYTECODE`` is set none ever does: every ``terrain`` the
    benchmarks start would compile ~70 modules again (~0.14 s), which no
    installed copy does. The floors (``terrain --help``, the import floor)
    read the same bytecode.
    """
    import compileall
    import importlib.util

    for package in ("terrain", "terrain_adapters"):
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            compileall.compile_dir(folder, quiet=1, workers=0)


def main(argv: list[str]) -> int:
    compile_bytecode()
    names = argv or sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    results = []
    started = time.perf_counter()
    for name in names:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        t0 = time.perf_counter()
        watch = CpuWatch()
        done = module.run()
        busy = watch.others_busy()  # over the module: its floors and ours alike
        for result in done:
            result = dataclasses.replace(result, others_busy=busy)
            results.append(result)
            print(f"  measured {result.name} ({time.perf_counter() - t0:.1f}s)", file=sys.stderr)
    header = f"{'benchmark':<46} {'ours':>12} {'floor/peer':>12} {'ratio':>8} {'goal':>8}  "
    print(header + "verdict")
    print("-" * (len(header) + 7))
    for r in results:
        print(
            f"{r.name:<46} {r.ours:>10.4g}{r.unit:>2} {r.floor:>10.4g}{r.unit:>2} "
            f"{r.ratio:>7.2f}× {r.goal:>8}  {r.verdict}"
        )
        print(f"{'':<4}floor: {r.floor_name}" + (f"; {r.detail}" if r.detail else ""))
        if not r.trusted:
            print(
                f"{'':<4}NOT TRUSTED: other processes used {r.others_busy:.0%} of the CPU while "
                f"this was measured (over {BUSY:.0%}); run it again on a quiet machine"
            )
    elapsed = time.perf_counter() - started
    trusted = [r for r in results if r.trusted]
    print(
        f"\n{sum(r.ok for r in trusted)} ok, {sum(not r.ok for r in trusted)} MISS, "
        f"{len(results) - len(trusted)} not trusted (busy machine) in {elapsed:.1f}s"
    )
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    payload = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "elapsed_s": round(elapsed, 1),
        "results": sorted((r.as_dict() for r in results), key=lambda r: r["name"]),
    }
    if argv:  # a partial run does not replace the full record
        out /= "partial"
        out.mkdir(exist_ok=True)
    text = json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    (out / "latest.json").write_text(text)
    if elapsed > BUDGET_S:
        print(f"WARNING: the benchmarks took {elapsed:.0f}s, over the {BUDGET_S}s budget")
    return 0 if all(r.ok for r in trusted) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
