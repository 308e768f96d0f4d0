"""What the adapters share: the media reader and integer settings."""

from __future__ import annotations

import pytest

from terrain.errors import ConfigError, Rejected
from terrain.posts import Post, PostMedia
from terrain_adapters._shared import int_setting, read_media, require_storage

from ._fakes import JPEG, DictStorage


def test_media_is_read_from_the_workspace_storage() -> None:
    storage = DictStorage()
    storage.put("media/ev-1/bar.jpg", JPEG)
    assert read_media(storage, "media/ev-1/bar.jpg", platform="x") == JPEG


def test_a_media_missing_from_the_storage_is_rejected_saying_to_import_it_again() -> None:
    with pytest.raises(Rejected, match=r"x: media 'media/ev-1/gone\.jpg' .*import it again"):
        read_media(DictStorage(), "media/ev-1/gone.jpg", platform="x")


def test_no_storage_is_a_config_error_saying_what_to_configure() -> None:
    with pytest.raises(ConfigError, match=r"configure \[storage\]"):
        read_media(None, "media/ev-1/bar.jpg", platform="facebook")
    post = Post(
        id="post-1",
        platform="facebook",
        text="Merci !",
        media=[PostMedia(key="media/ev-1/bar.jpg", media_type="image/jpeg")],
    )
    with pytest.raises(ConfigError, match="post-1 has media"):
        require_storage(None, post, platform="facebook")
    require_storage(None, Post(id="post-2", platform="facebook", text="Merci !"), platform="x")


@pytest.mark.parametrize("value", [0, 101, "25", True, 2.5])
def test_an_integer_setting_out_of_range_says_the_range(value: object) -> None:
    with pytest.raises(ConfigError, match=r"\[platforms.facebook\] find_limit .* from 1 to 100"):
        int_setting({"find_limit": value}, "find_limit", 25, 1, 100, table="facebook")


def test_an_absent_integer_setting_takes_its_default() -> None:
    assert int_setting({}, "find_limit", 25, 1, 100, table="facebook") == 25
