"""Workflows: what a community manager does after a meetup, built on the layers below."""

from terrain.workflows._import import FileOutcome, ImportReport, ImportStatus, import_media

__all__ = ["FileOutcome", "ImportReport", "ImportStatus", "import_media"]
