"""SIGKILL during an import: no worker process outlives it, and no temporary file
outlives the next import."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from terrain_adapters.storage.filesystem import FilesystemStorage
from tests.test_media_limits import blank_png

ROOT = Path(__file__).resolve().parents[2]


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_the_import_workers_die_with_a_killed_import(tmp_path: Path) -> None:
    """The defect: killed workers' siblings blocked forever writing to a pipe nobody
    read, holding their memory. They now end with the import that started them."""
    workspace = tmp_path / "velo"
    terrain = [sys.executable, "-c", "from terrain.cli import main; main()"]
    subprocess.run([*terrain, "init", str(workspace), "--community-id", "v", "--name", "V"],
                   check=True, capture_output=True)  # fmt: skip
    photos = []
    for i in range(10):  # slow enough to be killed mid-batch: 40 MP each
        photo = tmp_path / f"scan-{i}.png"
        photo.write_bytes(blank_png(6400 + i, 6400, colour_type=2, bit_depth=8))
        photos.append(str(photo))
    importer = subprocess.Popen(
        [*terrain, "content", "import", *photos, "--workspace", str(workspace)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    workers: list[int] = []
    for _ in range(300):  # wait for the pool to start (at most 30 s)
        workers = children(importer.pid)
        if len(workers) >= 2 or importer.poll() is not None:
            break
        time.sleep(0.1)
    assert workers, "the import used no worker process"
    importer.send_signal(signal.SIGKILL)
    importer.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(alive(w) for w in workers):
        time.sleep(0.2)
    survivors = [w for w in workers if alive(w)]
    for pid in survivors:  # never leave them behind, even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not survivors, f"worker processes {survivors} outlived the killed import"


def test_temporary_files_of_a_killed_writer_are_removed_by_the_next_write(
    tmp_path: Path,
) -> None:
    storage = FilesystemStorage(tmp_path / "media")
    folder = tmp_path / "media" / "photos" / "events" / "ev-12"
    folder.mkdir(parents=True)
    stale = folder / ".~photo-1.jpg.k2x9.part"  # its writer was killed: nobody holds it
    stale.write_bytes(b"half a photo")
    held = folder / ".~photo-2.jpg.q8z1.part"  # a live writer (another process) holds it
    held.write_bytes(b"a photo being written")
    fresh = folder / ".~photo-3.jpg.a1b2.part"  # just created, not locked yet
    fresh.write_bytes(b"")
    an_hour_ago = time.time() - 3600
    for path in (stale, held):
        os.utime(path, (an_hour_ago, an_hour_ago))
    writer = os.open(held, os.O_RDONLY)
    fcntl.flock(writer, fcntl.LOCK_EX)
    try:
        storage.put("photos/events/ev-12/photo-4.jpg", b"a whole photo")
    finally:
        os.close(writer)
    assert not stale.exists()
    assert held.exists()
    assert fresh.exists()
    assert storage.get("photos/events/ev-12/photo-4.jpg") == b"a whole photo"
    assert list(storage.list()) == ["photos/events/ev-12/photo-4.jpg"]
