"""The real adapters come in through the built-in plugin, like any third-party one."""

from __future__ import annotations

import subprocess
import sys

import pytest
import responses
from moto import mock_aws

from terrain import get_plugin_manager
from terrain.plugins._protocols import PlatformContext, StorageContext
from terrain.secrets import EnvSecrets
from terrain_adapters.facebook import FacebookPage
from terrain_adapters.instagram import Instagram
from terrain_adapters.storage.s3 import S3Storage
from terrain_adapters.x import XPlatform

ENV = {
    "TERRAIN_X_API_KEY": "registration-key",
    "TERRAIN_X_API_SECRET": "registration-key-secret",
    "TERRAIN_X_ACCESS_TOKEN": "1460000000000000001-registration",
    "TERRAIN_X_ACCESS_TOKEN_SECRET": "registration-token-secret",
    "TERRAIN_FACEBOOK_PAGE_TOKEN": "registration-page-token",
}


@pytest.mark.parametrize(
    ("name", "settings", "kind"),
    [
        ("x", {}, XPlatform),
        ("facebook", {"page_id": "1029384756"}, FacebookPage),
        ("instagram", {"ig_user_id": "17841400000000001"}, Instagram),
    ],
)
def test_each_platform_is_built_through_the_plugin_manager(
    name: str, settings: dict[str, str], kind: type
) -> None:
    factory = get_plugin_manager().platform_factory(name)
    assert factory.name == name
    with responses.RequestsMock():  # building makes no HTTP call
        platform = factory(PlatformContext(settings=settings, secrets=EnvSecrets(environ=ENV)))
    assert isinstance(platform, kind)
    assert platform.name == name


def test_s3_is_built_through_the_plugin_manager(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        factory = get_plugin_manager().storage_factory("s3")
        storage = factory(StorageContext(settings={"bucket": "terrain-media"}))
    assert isinstance(storage, S3Storage)


def test_loading_the_plugins_imports_no_client_library() -> None:
    code = (
        "import sys\n"
        "from terrain import get_plugin_manager\n"
        "pm = get_plugin_manager()\n"
        "assert {'x', 'facebook', 'instagram'} <= set(pm.platforms()), pm.platforms()\n"
        "assert 's3' in pm.storages()\n"
        "heavy = {'tweepy', 'facebook', 'boto3', 'botocore'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
