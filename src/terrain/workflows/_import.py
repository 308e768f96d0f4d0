"""Importing the photos of a meetup into the workspace.

:func:`import_media` prepares every file with :func:`terrain.media.prepare_image`
(location metadata out, orientation kept, corrupt files rejected) on every
core, then stores each new photo as one :class:`~terrain.Content` of kind
``photo`` with one :class:`~terrain.MediaFile`. The people a photo tool
tagged in the file (XMP face regions, read before the file is cleaned) arrive
identified with their region when their name is a member's; the faces a
detector finds are kept in ``MediaFile.faces`` (:mod:`terrain.faces`). Nobody
is *reviewed* yet (``people_reviewed=False``): until someone confirms who is
in the photo, it cannot be published.

One bad file never stops the batch: the report gives one outcome per file
(imported, duplicate of a photo already stored, or rejected with the reason).
A workspace database that cannot be written any more (a full disk, a
read-only file) does stop it: the photos imported so far stay, the others are
reported "not imported" with the reason, and nothing is half written.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs

from terrain._files import FileTooLarge, UnreadableFile, read_regular_file
from terrain.community import Member
from terrain.content import Appearance, Content, ContentKind, MediaFile
from terrain.errors import StorageError, TerrainError, ValidationError
from terrain.events import Event
from terrain.faces import (
    DETECTION_OFF,
    FacesFound,
    find_faces,
    match_names,
    orientation_of,
    upright_picture,
)
from terrain.media import MediaRejected, PreparedImage, prepare_image, thumbnail_of
from terrain.projects import Project
from terrain.store import Workspace
from terrain.workflows._sheet import thumbnail_key

__all__ = ["FileOutcome", "ImportReport", "ImportStatus", "import_media"]

_MB = 1024 * 1024

#: Below this many files, preparing them in this process beats starting workers.
PARALLEL_THRESHOLD = 8


class ImportStatus(enum.StrEnum):
    """What happened to one file."""

    IMPORTED = "imported"
    DUPLICATE = "duplicate"  #: the same photo (same bytes once stripped) is already stored
    REJECTED = "rejected"  #: not an image, corrupt, unreadable: ``reason`` says why


@attrs.frozen
class FileOutcome:
    """The outcome for one file: its content id when imported (or already there).

    ``people`` are the members a photo tool had tagged in it (identified, not
    yet reviewed); ``unknown_names`` the names it tagged that are no member's
    (with why); ``faces`` how many faces were found in it (tagged or detected).
    """

    path: str
    status: ImportStatus
    content_id: str | None = None
    checksum: str | None = None
    reason: str = ""
    people: tuple[str, ...] = ()
    unknown_names: tuple[str, ...] = ()
    faces: int = 0


@attrs.frozen
class ImportReport:
    """One outcome per file, in the order the files were given; ``notes`` say what
    the import could not do for every file (face detection off)."""

    outcomes: tuple[FileOutcome, ...]
    notes: tuple[str, ...] = ()

    def _with(self, status: ImportStatus) -> tuple[FileOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status is status)

    @property
    def imported(self) -> tuple[FileOutcome, ...]:
        """Files stored as new photos."""
        return self._with(ImportStatus.IMPORTED)

    @property
    def duplicates(self) -> tuple[FileOutcome, ...]:
        """Files whose photo was already in the workspace (or earlier in the batch)."""
        return self._with(ImportStatus.DUPLICATE)

    @property
    def rejected(self) -> tuple[FileOutcome, ...]:
        """Files that were not stored; each ``reason`` says why and what to do."""
        return self._with(ImportStatus.REJECTED)

    @property
    def ok(self) -> bool:
        """Whether no file was rejected."""
        return not self.rejected

    def summary(self) -> str:
        """``"12 imported, 1 duplicate, 2 rejected"``."""
        return (
            f"{len(self.imported)} imported, {len(self.duplicates)} duplicate, "
            f"{len(self.rejected)} rejected"
        )


Prepared = tuple[str, PreparedImage | None, str, FacesFound | None, bytes | None]

#: Per process: the hook relay face detection asks (built once in a worker), and
#: whether a detector ever answered (if not, pictures are not decoded again for it).
_detection: dict[str, Any] = {}


def too_large(name: str, size: int, max_bytes: int) -> str:
    """The reason a file of ``size`` bytes is refused (shared with consent scans)."""
    limit = max_bytes / _MB
    return (
        f"{name}: is too large ({size / _MB:.1f} MB; the limit is {limit:g} MB, "
        f"[import] max_file_mb = {limit:g} in terrain.toml): export a smaller file, "
        "or raise max_file_mb"
    )


def _worker_hook() -> Any:
    """The plugin hooks of this worker process (its own manager, built once)."""
    if "hook" not in _detection:
        from terrain.plugins import get_plugin_manager

        _detection["hook"] = get_plugin_manager().hook
    return _detection["hook"]


def _faces(
    data: bytes, image: PreparedImage, hook: Any, detect: bool, picture: tuple[Any, int] | None
) -> FacesFound:
    """The faces tagged and detected in ``data``, as regions of the picture stored."""
    if hook is None and detect:
        hook = _worker_hook()
    key = f"none:{id(hook)}"
    found = find_faces(data, width=image.width, height=image.height, hook=hook,
                       detect=detect and not _detection.get(key) and picture is not None,
                       picture=picture)
    if detect and not found.detected:
        _detection[key] = True  # no detector answers in this process: stop decoding for it
    turned = image.media_type == "image/png" and image.orientation == 1
    if turned:  # a PNG marked as rotated was stored upright: its tags follow it
        original = orientation_of(data)
        if original != 1:
            found = attrs.evolve(
                found,
                tagged=tuple(
                    attrs.evolve(t, region=t.region.upright(original) if t.region else None)
                    for t in found.tagged
                ),
                faces=tuple(r.upright(original) for r in found.faces),
            )
    return found


def _prepare_path(
    path: str, max_bytes: int, max_pixels: int, hook: Any = None, detect: bool = True
) -> Prepared:
    """Read and prepare one file (runs in a worker process): (path, image, reason, faces).

    A file over ``max_bytes`` is refused by its size, before it is read. The
    faces are read from the file as it came (its XMP face tags) and detected with
    ``hook``'s detector (``None``: this worker process's plugins), before the
    stored copy loses every metadata.
    """
    name = Path(path).name
    try:
        data = read_regular_file(path, max_bytes=max_bytes)
    except FileTooLarge as exc:
        return path, None, too_large(name, exc.size, max_bytes), None, None
    except UnreadableFile as exc:
        reason = str(exc)
        if reason == "is a folder, not a file":
            reason = "is a folder, not a photo; give the files inside it"
        return path, None, f"{name}: {reason}", None, None
    try:
        image = prepare_image(data, name=name, max_pixels=max_pixels)
    except MediaRejected as exc:
        return path, None, str(exc), None, None
    try:  # decoded once, for the face detector and the contact sheet's thumbnail
        picture: tuple[Any, int] | None = upright_picture(data)
    except Exception:  # checked whole by prepare_image: a decoder quirk, not a bad file
        picture = None
    found = _faces(data, image, hook, detect, picture)
    thumb = thumbnail_of(picture[0]) if picture is not None else None
    return path, image, "", found, thumb


def _prepared(
    paths: Sequence[str],
    workers: int | None,
    max_bytes: int,
    max_pixels: int,
    hook: Any = None,
    detect: bool = True,
) -> Iterator[Prepared]:
    prepare = functools.partial(
        _prepare_path, max_bytes=max_bytes, max_pixels=max_pixels, detect=detect
    )
    count = workers if workers is not None else (os.cpu_count() or 1)
    if count <= 1 or len(paths) < PARALLEL_THRESHOLD:
        # in this process: the workspace's own plugins detect the faces
        yield from map(functools.partial(prepare, hook=hook), paths)
        return
    count = min(count, len(paths))
    # fork starts workers at once and does not re-run the caller's script; it is
    # only safe while this process runs no other thread, else use forkserver
    method = "fork" if threading.active_count() == 1 and _has_fork() else "forkserver"
    chunk = max(1, min(16, len(paths) // (count * 8)))
    done = 0
    try:
        with ProcessPoolExecutor(
            max_workers=count,
            mp_context=multiprocessing.get_context(method),
            initializer=_die_with_parent,
            initargs=(os.getpid(),),
        ) as pool:
            for prepared in pool.map(prepare, paths, chunksize=chunk):
                done += 1
                yield prepared
    except BrokenProcessPool:
        # workers could not start (e.g. a script without `if __name__ == "__main__":`
        # under forkserver): finish the batch in this process
        yield from map(functools.partial(prepare, hook=hook), paths[done:])


def _die_with_parent(parent: int) -> None:
    """Make a worker process end when the import that started it ends, however it ends.

    A worker blocks forever writing its result to a pipe nobody reads once the
    import is killed (SIGKILL runs no clean-up): on Linux the kernel kills it
    with its parent (``PR_SET_PDEATHSIG``); everywhere a thread watches the
    parent and ends the worker when it is gone.
    """
    import ctypes
    import signal
    import sys

    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the thread does it
            pass
    starter = os.getppid()  # the import (fork) or the fork server, which dies with it

    def watch() -> None:
        while os.getppid() == starter and _alive(parent):
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="terrain-die-with-parent", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's process has the pid
        return True
    return True


def _has_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _link(event_id: str | None, project_id: str | None) -> str:
    if event_id is not None:
        return f"events/{event_id}"
    if project_id is not None:
        return f"projects/{project_id}"
    return "unfiled"


def import_media(
    ws: Workspace,
    paths: Iterable[Path | str],
    *,
    event_id: str | None = None,
    project_id: str | None = None,
    author_id: str | None = None,
    now: datetime,
    progress: Callable[[int, int, FileOutcome], None] | None = None,
    workers: int | None = None,
    max_bytes: int | None = None,
    detect_faces: bool = True,
) -> ImportReport:
    """Import photo files into ``ws``; one :class:`FileOutcome` per file.

    ``event_id`` or ``project_id`` (one at most, and it must exist) links
    the photos to where they were taken. ``author_id`` (an existing member)
    marks them as user-generated content that member made: publishing them
    needs the author's ``reuse-ugc`` consent and credits them. ``now`` is the
    import time (the
    contents' ``created_at``). ``progress(done, total, outcome)`` is called
    after each file. ``workers`` is the number of processes preparing files
    (default: one per core; small batches run in this process).
    ``max_bytes`` is the largest file accepted (default: ``[import]
    max_file_mb`` of the workspace); a bigger one is rejected by its size,
    before it is read.

    The faces a photo tool tagged in a file (XMP Metadata Working Group
    regions, read before the stored copy is cleaned) whose name is a member's
    arrive as appearances with their region, not yet reviewed; other names are
    reported in the outcome's ``unknown_names``. With ``detect_faces`` the face
    detector (a plugin's, else OpenCV's with the ``faces`` extra) counts the
    faces in each picture (``MediaFile.faces``); without any detector the
    report's ``notes`` say detection is off, and nothing else changes.

    Each photo is stored, then its record written in one transaction; if the
    record cannot be written the stored file is removed, so nothing is left
    half imported. A file whose stripped bytes are already stored is a
    duplicate and is not stored again.
    """
    if not isinstance(now, datetime) or now.utcoffset() is None:
        raise ValidationError(
            f"import_media: now={now!r} needs a time zone; pass terrain.clock.now(), "
            "the project's clock"
        )
    if event_id is not None and project_id is not None:
        raise ValidationError(
            "import photos into one event or one project, not both (give --event or --project)"
        )
    if event_id is not None:
        ws.get(Event, event_id)  # NotFound names the id and how to list events
    if project_id is not None:
        ws.get(Project, project_id)
    if author_id is not None:
        ws.get(Member, author_id)  # NotFound names the id and how to list members

    limit = ws.config.max_file_bytes if max_bytes is None else max_bytes
    names = [str(p) for p in paths]
    total = len(names)
    seen: dict[str, str] = {}
    outcomes: list[FileOutcome] = []
    stopped = ""  # the workspace database failed: the files after it are not tried
    hook = ws.plugins.hook if detect_faces else None
    prepared = _prepared(names, workers, limit, ws.config.max_pixels, hook, detect_faces)
    members: dict[str, Member] | None = None
    detected = not detect_faces
    for done, (path, image, reason, found, thumb) in enumerate(prepared, start=1):
        if found is not None and found.tagged and members is None:
            members = {m.id: m for m in ws.list(Member)}
        detected = detected or (found is not None and found.detected)
        if stopped:
            outcome = _failed(path, None, f"not imported: {stopped}")
        elif image is None:
            outcome = FileOutcome(path=path, status=ImportStatus.REJECTED, reason=reason)
        else:
            try:
                people = _tagged_people(found, members or {})
                outcome = _store_one(ws, path, image, seen, event_id, project_id, author_id,
                                     now, people, thumb)
            except StorageError as exc:  # the database cannot be read or written any more
                stopped = str(exc)
                outcome = _failed(path, image.checksum, f"not imported: {stopped}")
        outcomes.append(outcome)
        if progress is not None:
            progress(done, total, outcome)
    imported = any(o.status is ImportStatus.IMPORTED for o in outcomes)
    notes = (DETECTION_OFF,) if imported and not detected else ()
    return ImportReport(tuple(outcomes), notes=notes)


@attrs.frozen
class _Tagged:
    """The people a file's face tags name, and the faces found in it."""

    appearances: tuple[tuple[str, Any], ...] = ()  # (member id, region or None)
    unknown: tuple[str, ...] = ()
    faces: tuple[Any, ...] = ()


def _tagged_people(found: FacesFound | None, members: dict[str, Member]) -> _Tagged:
    if found is None:
        return _Tagged()
    matched, unknown = match_names([t.name for t in found.tagged], members)
    people: dict[str, Any] = {}
    for face in found.tagged:
        member_id = matched.get(face.name)
        if member_id is not None and (member_id not in people or people[member_id] is None):
            people[member_id] = face.region
    return _Tagged(
        appearances=tuple(people.items()),
        unknown=tuple(f"{name}: {why}" for name, why in unknown.items()),
        faces=found.faces,
    )


def _store_one(
    ws: Workspace,
    path: str,
    image: PreparedImage,
    seen: dict[str, str],
    event_id: str | None,
    project_id: str | None,
    author_id: str | None,
    now: datetime,
    tagged: _Tagged | None = None,
    thumb: bytes | None = None,
) -> FileOutcome:
    tagged = tagged or _Tagged()
    checksum = image.checksum
    existing = seen.get(checksum)
    found = ws.find_media(checksum) if existing is None else None
    if existing is not None or found is not None:
        content_id = existing if existing is not None else found[0] if found else None
        return FileOutcome(
            path=path, status=ImportStatus.DUPLICATE, content_id=content_id, checksum=checksum
        )
    content_id = _free_id(ws, checksum)
    key = f"photos/{_link(event_id, project_id)}/{content_id}.{image.extension}"
    media = MediaFile(
        id=f"m-{checksum[:12]}",
        key=key,
        media_type=image.media_type,
        size=len(image.data),
        checksum=checksum,
        width=image.width,
        height=image.height,
        faces=tagged.faces,
    )
    appearances = tuple(
        Appearance(member_id=member_id, media_id=media.id, region=region)
        for member_id, region in tagged.appearances
    )
    content = Content(
        id=content_id,
        kind=ContentKind.PHOTO,
        created_at=now,
        title=Path(path).name[:300],
        media=(media,),
        appearances=appearances,
        people_reviewed=False,
        event_id=event_id,
        project_id=project_id,
        author_id=author_id,
    )
    try:
        ws.storage.put(key, image.data)
    except TerrainError as exc:
        return _failed(path, checksum, f"could not be stored ({exc})")
    except OSError as exc:
        return _failed(path, checksum, f"could not be stored ({exc.strerror or exc})")
    try:
        with ws.db.transaction():
            # checked again inside the transaction: another import may have won the race
            found = ws.find_media(checksum)
            if found is None:
                ws.add(content)
    except BaseException as exc:
        _discard(ws, key, checksum)  # no half import: the file goes too
        if isinstance(exc, TerrainError) and not isinstance(exc, StorageError):
            return _failed(path, checksum, f"could not be recorded ({exc})")
        raise
    if found is not None:
        _discard(ws, key, checksum)
        return FileOutcome(
            path=path, status=ImportStatus.DUPLICATE, content_id=found[0], checksum=checksum
        )
    seen[checksum] = content_id
    if thumb is not None:
        with contextlib.suppress(TerrainError, OSError):  # the desk makes it again if missing
            ws.storage.put(thumbnail_key(content_id, media.id), thumb)
    return FileOutcome(
        path=path, status=ImportStatus.IMPORTED, content_id=content_id, checksum=checksum,
        people=tuple(m for m, _ in tagged.appearances), unknown_names=tagged.unknown,
        faces=len(tagged.faces),
    )


def _discard(ws: Workspace, key: str, checksum: str) -> None:
    """Delete a file just stored, unless a stored record uses that very key."""
    try:
        found = ws.find_media(checksum)
    except StorageError:  # the database cannot be read: its transaction wrote nothing
        found = None
    if found is None or found[2] != key:
        ws.storage.delete(key)


def _failed(path: str, checksum: str | None, why: str) -> FileOutcome:
    name = Path(path).name
    return FileOutcome(
        path=path, status=ImportStatus.REJECTED, checksum=checksum, reason=f"{name}: {why}"
    )


def _free_id(ws: Workspace, checksum: str) -> str:
    """``photo-<first 12 hex digits>``, longer in the (rare) case that id is taken."""
    for length in (12, 16, 24, 64):
        candidate = f"photo-{checksum[:length]}"
        if not ws.exists(Content, candidate):
            return candidate
    raise StorageError(f"no free content id for checksum {checksum}")
