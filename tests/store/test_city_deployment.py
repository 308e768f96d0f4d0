"""A workspace for a whole city: records in PostgreSQL, media in S3 (moto), two machines."""

from __future__ import annotations

import shutil
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from terrain import Community, Member
from terrain.store import Workspace

REGION = "eu-west-3"


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials from the standard chain; never a real account."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")


@pytest.mark.postgres
def test_two_machines_share_records_in_postgresql_and_media_in_s3(
    tmp_path: Path, postgres_database: str
) -> None:
    with mock_aws():
        boto3.client("s3", region_name=REGION).create_bucket(
            Bucket="lyon-media", CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        city = Community(id="lyon", name="Lyon en chantier", timezone="Europe/Paris")
        with Workspace.init(
            tmp_path / "laptop",
            community=city,
            storage_backend="s3",
            storage_settings={"bucket": "lyon-media", "region": REGION, "prefix": "lyon"},
            store_url=postgres_database,
        ) as laptop:
            laptop.add(Member(id="lea", display_name="Léa Martin"))
            laptop.storage.put("photos/chantier-01.jpg", b"\xff\xd8photo")
        # the second machine has only the settings file: no database, no media folder
        (tmp_path / "worker").mkdir()
        shutil.copy(tmp_path / "laptop" / "terrain.toml", tmp_path / "worker" / "terrain.toml")
        with Workspace.open(tmp_path / "worker") as worker:
            assert worker.db.dialect == "postgresql"
            assert [m.id for m in worker.list(Member)] == ["lea"]
            assert worker.storage.get("photos/chantier-01.jpg") == b"\xff\xd8photo"
            worker.add(Member(id="samir", display_name="Samir B."))
        with Workspace.open(tmp_path / "laptop") as laptop:
            assert laptop.ids(Member) == ["lea", "samir"]
    assert not (tmp_path / "worker" / ".terrain" / "terrain.db").exists()
