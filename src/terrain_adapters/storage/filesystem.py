"""The default storage: files in a folder of the workspace (``media/``).

Settings (``[storage]`` in ``terrain.toml``, ``backend = "filesystem"``):
``path``, the folder (relative to the workspace, default ``media``).

Writes are atomic: the bytes go to a temporary file in the same folder, are
flushed to disk (``fsync``), then renamed over the key's file, so a reader
(or a crash) sees the old file or the new one, never half of one. A process
killed while writing leaves its temporary file (``.~NAME.XXXX.part``) behind:
the first write of a later process removes the ones no live writer holds (each
writer keeps an ``flock`` on its temporary file until it is renamed). Keys follow
:func:`terrain.plugins.check_storage_key` (no ``..``, no absolute path,
no backslash, no control character), and a key cannot reach outside the
folder through a symbolic link.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from terrain.errors import ConfigError, InvalidKey, NotFound, StorageError
from terrain.plugins import Storage, StorageContext, check_storage_key

try:
    fcntl: Any = importlib.import_module("fcntl")
except ImportError:  # pragma: no cover - Windows: no flock, temporary files stay
    fcntl = None

__all__ = ["DEFAULT_PATH", "FilesystemStorage", "FilesystemStorageFactory"]

#: Where media go, relative to the workspace, when ``[storage] path`` is not set.
DEFAULT_PATH = "media"

_TEMP_PREFIX = ".~"
_TEMP_SUFFIX = ".part"
#: A temporary file younger than this is left alone even if unlocked (its writer may
#: be between creating it and locking it).
_STALE_AFTER = 5.0


class FilesystemStorage:
    """Bytes by key, as files under ``root`` (created on first write)."""

    name = "filesystem"

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).absolute()
        self._swept = False

    def __repr__(self) -> str:
        return f"FilesystemStorage(root={str(self.root)!r})"

    def _path(self, key: str) -> Path:
        check_storage_key(key)
        path = self.root.joinpath(*key.split("/"))
        resolved_root = self.root.resolve()
        if not path.resolve().is_relative_to(resolved_root):
            raise InvalidKey(
                f"storage key {key!r} leads outside {self.root} through a symbolic link; "
                "remove the link or give another key"
            )
        return path

    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key`` atomically (temp file, fsync, rename)."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(
                prefix=f"{_TEMP_PREFIX}{path.name}.", suffix=_TEMP_SUFFIX, dir=path.parent
            )
            try:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX)  # "a live writer holds this file"
                if not self._swept:
                    self._swept = True
                    # the file system's own "now" (our new file's time): no clock skew
                    self.remove_stale_temporary_files(now=os.fstat(fd).st_mtime)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(bytes(data))
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temp, path)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
            _fsync_dir(path.parent)
        except OSError as exc:
            raise StorageError(
                f"filesystem storage: cannot write {key!r} under {self.root}: {exc.strerror or exc}"
                "; check the folder exists, is writable and the disk is not full"
            ) from exc

    def remove_stale_temporary_files(self, *, now: float) -> list[str]:
        """Remove the temporary files writers killed mid-write left behind (no live
        writer holds their lock, and they are a few seconds older than ``now``, a
        modification time of the same file system); their paths."""
        removed: list[str] = []
        if fcntl is None or not self.root.is_dir():
            return removed
        for folder, _dirs, files in os.walk(self.root):
            for name in files:
                if not (name.startswith(_TEMP_PREFIX) and name.endswith(_TEMP_SUFFIX)):
                    continue
                path = os.path.join(folder, name)
                try:
                    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
                except OSError:
                    continue
                try:
                    if now - os.fstat(fd).st_mtime < _STALE_AFTER:
                        continue
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    os.unlink(path)  # its writer is gone: nobody will rename it
                    removed.append(path)
                except OSError:
                    continue  # a live writer holds it
                finally:
                    os.close(fd)
        return removed

    def get(self, key: str) -> bytes:
        """The bytes under ``key``; :class:`~terrain.errors.NotFound` if absent."""
        path = self._path(key)
        try:
            return path.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise NotFound(
                f"storage key {key!r} is not in {self.root}; check the key or import the file"
            ) from None
        except OSError as exc:
            raise StorageError(
                f"filesystem storage: cannot read {key!r} under {self.root}: {exc.strerror or exc}"
            ) from exc

    def delete(self, key: str) -> None:
        """Remove ``key`` (and the folders it leaves empty); nothing happens if absent."""
        path = self._path(key)
        try:
            path.unlink(missing_ok=True)
        except IsADirectoryError:
            return
        except OSError as exc:
            raise StorageError(
                f"filesystem storage: cannot delete {key!r} under {self.root}: "
                f"{exc.strerror or exc}"
            ) from exc
        parent = path.parent
        while parent != self.root and parent.is_relative_to(self.root):
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent

    def list(self, prefix: str = "") -> Iterator[str]:
        """Every key that starts with ``prefix``, sorted (temporary files excluded)."""
        keys: list[str] = []
        if self.root.is_dir():
            for folder, dirs, files in os.walk(self.root):
                dirs.sort()
                base = Path(folder).relative_to(self.root)
                for name in files:
                    if name.startswith(_TEMP_PREFIX) and name.endswith(_TEMP_SUFFIX):
                        continue
                    key = "/".join((*base.parts, name))
                    if key.startswith(prefix):
                        keys.append(key)
        return iter(sorted(keys))

    def exists(self, key: str) -> bool:
        """Whether ``key`` is stored."""
        return self._path(key).is_file()

    def public_url(self, key: str, *, expires_in: int = 3600) -> str | None:
        """Always ``None``: files on this machine cannot be fetched by a platform."""
        self._path(key)
        return None


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class FilesystemStorageFactory:
    """Builds the ``filesystem`` storage from ``[storage] path`` (default ``media``)."""

    name = "filesystem"

    def __call__(self, context: StorageContext) -> Storage:
        """A :class:`FilesystemStorage` rooted at ``path``, relative to the workspace."""
        unknown = sorted(k for k in context.settings if k != "path")
        if unknown:
            raise ConfigError(
                f"[storage] {unknown[0]}: unknown setting for the filesystem storage, which "
                f'takes only path (e.g. path = "{DEFAULT_PATH}"); remove it or fix its name'
            )
        raw = context.settings.get("path", DEFAULT_PATH)
        if not isinstance(raw, str) or not raw.strip():
            raise ConfigError(
                f'[storage] path = {raw!r}: give a folder, e.g. path = "{DEFAULT_PATH}"'
            )
        path = Path(raw).expanduser()
        if not path.is_absolute():
            if context.root is None:
                raise ConfigError(
                    f"[storage] path = {raw!r} is relative but there is no workspace folder; "
                    "give an absolute path"
                )
            path = context.root / path
        return FilesystemStorage(path)
