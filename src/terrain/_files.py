"""Reading a file a person named, without ever hanging on it.

:func:`read_regular_file` opens the path without blocking and checks what it
is before reading: a named pipe (FIFO), a socket, a device or a folder is
refused at once with a reason (``open()`` on a FIFO waits forever for a writer),
and a file over ``max_bytes`` is refused by its size before it is read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["DEFAULT_MAX_MEGAPIXELS", "FileTooLarge", "UnreadableFile", "read_regular_file"]

#: The default of ``[import] max_megapixels`` (re-exported by :mod:`terrain.media`):
#: every phone and camera photo (a 108 MP phone mode, a 61 MP full-frame camera)
#: fits; a bigger picture is refused unread. Kept here, with the other limits on what
#: is read, so that reading the settings imports no media code.
DEFAULT_MAX_MEGAPIXELS = 120


class UnreadableFile(ValueError):
    """A path that names no readable regular file; the message is the reason (without
    the file's name, which the caller puts where it belongs)."""


class FileTooLarge(UnreadableFile):
    """A regular file over the size limit; ``size`` is its size in bytes."""

    def __init__(self, size: int) -> None:
        super().__init__(f"is too large ({size} bytes)")
        self.size = size


def read_regular_file(path: Path | str, *, max_bytes: int | None = None) -> bytes:
    """The bytes of the regular file at ``path``; :class:`UnreadableFile` (or
    :class:`FileTooLarge`) for anything else, without ever blocking."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError:  # Windows; Linux opens a folder read-only
        raise UnreadableFile("is a folder, not a file") from None
    except FileNotFoundError:
        raise UnreadableFile("does not exist (check the path)") from None
    except OSError as exc:
        raise UnreadableFile(f"cannot be read ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UnreadableFile("is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile(
                "is not a regular file (a named pipe, a socket or a device), which terrain "
                "does not read: give a file"
            )
        if max_bytes is not None and info.st_size > max_bytes:
            raise FileTooLarge(info.st_size)
        os.set_blocking(fd, True)
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
    except OSError as exc:
        raise UnreadableFile(f"cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if max_bytes is not None and len(data) > max_bytes:  # it grew since
        raise FileTooLarge(len(data))
    return data
