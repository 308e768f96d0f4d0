"""Reading a file a person named: never hangs, whatever the path is."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from terrain._files import FileTooLarge, UnreadableFile, read_regular_file


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def unix_socket(path: Path) -> Path:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()
    return path


def folder(path: Path) -> Path:
    path.mkdir()
    return path


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (fifo, "not a regular file"),
        (unix_socket, "cannot be read"),  # a socket file cannot even be opened
        (folder, "is a folder"),
        (lambda p: Path("/dev/zero"), "not a regular file"),  # endless: never read
        (lambda p: p, "does not exist"),
    ],
    ids=["fifo", "socket", "folder", "device", "missing"],
)
def test_what_is_not_a_regular_file_is_refused_at_once(
    tmp_path: Path, make: Callable[[Path], Path], reason: str
) -> None:
    with pytest.raises(UnreadableFile, match=reason):
        read_regular_file(make(tmp_path / "photo.jpg"))


@given(size=st.integers(0, 3000), limit=st.integers(0, 3000))
def test_a_regular_file_is_read_whole_or_refused_by_its_size(
    tmp_path_factory: pytest.TempPathFactory, size: int, limit: int
) -> None:
    path = tmp_path_factory.mktemp("files") / "scan.pdf"
    path.write_bytes(b"x" * size)
    if size > limit:
        with pytest.raises(FileTooLarge) as refused:
            read_regular_file(path, max_bytes=limit)
        assert refused.value.size == size
    else:
        assert read_regular_file(path, max_bytes=limit) == b"x" * size
