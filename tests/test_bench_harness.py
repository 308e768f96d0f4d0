"""The benchmarks' busy-machine check counts the work of our own processes as ours."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from benchmarks._harness import _descendants_cpu

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc")

#: A child that starts a grandchild (as multiprocessing's forkserver starts workers),
#: which burns CPU and stays alive until the stdin they share closes: neither is
#: reaped by the test process while it measures.
SCRIPT = """
import subprocess, sys
BURN = ("import sys, time\\nend = time.process_time() + 0.4\\n"
        "while time.process_time() < end: pass\\n"
        "print('done', flush=True)\\nsys.stdin.read()")
grandchild = subprocess.Popen([sys.executable, "-c", BURN], stdout=subprocess.PIPE, text=True)
print(grandchild.stdout.readline(), end="", flush=True)
grandchild.wait()
"""


def test_the_cpu_of_a_grandchild_still_running_is_counted_as_ours() -> None:
    """A worker started by a forkserver is not our child: its CPU was counted as
    another process's, and made the thumbnail row 'not trusted' in every run."""
    tick = os.sysconf("SC_CLK_TCK")
    before = _descendants_cpu(os.getpid(), tick)
    child = subprocess.Popen([sys.executable, "-c", SCRIPT], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "done"
        time.sleep(0.05)
        assert _descendants_cpu(os.getpid(), tick) - before >= 0.3
    finally:
        child.communicate(timeout=30)  # closes the stdin: the grandchild, then the child end
