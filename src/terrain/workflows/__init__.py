"""Workflows: what a community manager does after a meetup, built on the layers below."""

from terrain.workflows._import import FileOutcome, ImportReport, ImportStatus, import_media
from terrain.workflows._project import project_pair, project_photos, publish_project_update
from terrain.workflows._publish import PublishResult, publish_event
from terrain.workflows._takedown import TakedownResult, takedown
from terrain.workflows._worker import run_workspace_worker, worker_platforms

__all__ = [
    "FileOutcome",
    "ImportReport",
    "ImportStatus",
    "PublishResult",
    "TakedownResult",
    "import_media",
    "project_pair",
    "project_photos",
    "publish_event",
    "publish_project_update",
    "run_workspace_worker",
    "takedown",
    "worker_platforms",
]
