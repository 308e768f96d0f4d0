"""The filesystem storage: the contract, atomic writes, keys that cannot escape."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from terrain.errors import ConfigError, InvalidKey, NotFound, StorageError
from terrain.plugins import StorageContext
from terrain.testing.contract import StorageContract
from terrain_adapters.storage.filesystem import FilesystemStorage, FilesystemStorageFactory


class TestFilesystemContract(StorageContract):
    @pytest.fixture
    def factory(self) -> FilesystemStorageFactory:
        return FilesystemStorageFactory()


def test_files_land_under_media_of_the_workspace_by_default(tmp_path: Path) -> None:
    storage = FilesystemStorageFactory()(StorageContext(root=tmp_path))
    storage.put("ev-1/p-12.jpg", b"jpeg")
    assert (tmp_path / "media" / "ev-1" / "p-12.jpg").read_bytes() == b"jpeg"


def test_path_setting_may_be_absolute_or_relative(tmp_path: Path) -> None:
    elsewhere = tmp_path / "nas"
    absolute = FilesystemStorageFactory()(StorageContext(settings={"path": str(elsewhere)}))
    absolute.put("a.jpg", b"a")
    relative = FilesystemStorageFactory()(
        StorageContext(settings={"path": "photos"}, root=tmp_path)
    )
    relative.put("b.jpg", b"b")
    assert (elsewhere / "a.jpg").exists()
    assert (tmp_path / "photos" / "b.jpg").exists()


def test_relative_path_without_a_workspace_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="absolute path"):
        FilesystemStorageFactory()(StorageContext(settings={"path": "media"}))


def test_path_that_is_not_text_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="give a folder"):
        FilesystemStorageFactory()(StorageContext(settings={"path": 3}, root=tmp_path))


def test_a_symlink_cannot_take_a_key_outside_the_store(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    store = FilesystemStorage(tmp_path / "media")
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "escape").symlink_to(outside)
    with pytest.raises(InvalidKey, match="symbolic link"):
        store.put("escape/secret.txt", b"x")
    assert list(outside.iterdir()) == []


def test_no_temporary_file_is_left_behind_or_listed(tmp_path: Path) -> None:
    store = FilesystemStorage(tmp_path)
    for i in range(5):
        store.put("media/a.jpg", bytes([i]) * 10)
    assert sorted(p.name for p in (tmp_path / "media").iterdir()) == ["a.jpg"]
    assert list(store.list()) == ["media/a.jpg"]


def test_a_half_written_temporary_file_is_not_listed(tmp_path: Path) -> None:
    """A crash between write and rename leaves a temp file: it is no key."""
    store = FilesystemStorage(tmp_path)
    store.put("media/a.jpg", b"a")
    (tmp_path / "media" / ".~a.jpg.x1y2.part").write_bytes(b"half")
    assert list(store.list()) == ["media/a.jpg"]
    assert store.get("media/a.jpg") == b"a"


def test_delete_removes_the_folders_it_empties_but_not_the_root(tmp_path: Path) -> None:
    store = FilesystemStorage(tmp_path / "media")
    store.put("ev-1/day-2/a.jpg", b"a")
    store.delete("ev-1/day-2/a.jpg")
    assert (tmp_path / "media").is_dir()
    assert list((tmp_path / "media").iterdir()) == []


def test_a_folder_is_not_a_key(tmp_path: Path) -> None:
    store = FilesystemStorage(tmp_path)
    store.put("ev-1/a.jpg", b"a")
    assert not store.exists("ev-1")
    with pytest.raises(NotFound):
        store.get("ev-1")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_folder_is_a_storage_error_saying_what_to_check(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(StorageError, match="writable"):
        FilesystemStorage(locked).put("a.jpg", b"a")


def test_public_url_is_none_on_a_local_disk(tmp_path: Path) -> None:
    store = FilesystemStorage(tmp_path)
    store.put("a.jpg", b"a")
    assert store.public_url("a.jpg") is None


SEGMENT = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_é", min_size=1, max_size=8)
KEY = st.lists(SEGMENT, min_size=1, max_size=3).map("/".join)


@settings(max_examples=40, deadline=None)
@given(files=st.dictionaries(KEY, st.binary(max_size=64), max_size=6))
def test_what_is_put_is_what_is_got_and_listed(files: dict[str, bytes]) -> None:
    """Keys that are folders of one another cannot coexist on a disk: skip those."""
    keys = sorted(files)
    assume(not any(b.startswith(a + "/") for a in keys for b in keys))
    with tempfile.TemporaryDirectory() as folder:
        store = FilesystemStorage(Path(folder))
        for key, data in files.items():
            store.put(key, data)
        assert {k: store.get(k) for k in files} == files
        assert list(store.list()) == keys
        for key in keys:
            store.delete(key)
        assert list(store.list()) == []
