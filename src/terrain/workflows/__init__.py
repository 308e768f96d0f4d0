"""Workflows: what a community manager does after a meetup, built on the layers below."""

from terrain.workflows._import import FileOutcome, ImportReport, ImportStatus, import_media
from terrain.workflows._interviews import record_interview
from terrain.workflows._log import LogEntry, post_log
from terrain.workflows._meetups import (
    Answer,
    AttendanceReport,
    Cancellation,
    Overbooking,
    SeriesPlan,
    answer_rsvp,
    attendance_report,
    cancel_event,
    change_series_date,
    check_in_members,
    close_attendance,
    community_core,
    edit_event,
    forecast_of,
    load_attendance,
    meetup_budget,
    overbooked,
    plan_series,
)
from terrain.workflows._partners import add_partner, partner_report_of
from terrain.workflows._project import (
    Composite,
    project_composite,
    project_pair,
    project_photos,
    publish_project_update,
    set_project_phase,
)
from terrain.workflows._publish import (
    POST_KINDS,
    Preview,
    PreviewMedia,
    PublishResult,
    posting_slots,
    publish_event,
)
from terrain.workflows._schedule import QueuedPost, cancel_post, edit_post, move_post, queue_of
from terrain.workflows._takedown import TakedownResult, takedown
from terrain.workflows._worker import run_workspace_worker, worker_platforms
from terrain.workflows._workshops import unvote, vote

__all__ = [
    "POST_KINDS",
    "Answer",
    "AttendanceReport",
    "Cancellation",
    "Composite",
    "FileOutcome",
    "ImportReport",
    "ImportStatus",
    "LogEntry",
    "Overbooking",
    "Preview",
    "PreviewMedia",
    "PublishResult",
    "QueuedPost",
    "SeriesPlan",
    "TakedownResult",
    "add_partner",
    "answer_rsvp",
    "attendance_report",
    "cancel_event",
    "cancel_post",
    "change_series_date",
    "check_in_members",
    "close_attendance",
    "community_core",
    "edit_event",
    "edit_post",
    "forecast_of",
    "import_media",
    "load_attendance",
    "meetup_budget",
    "move_post",
    "overbooked",
    "partner_report_of",
    "plan_series",
    "post_log",
    "posting_slots",
    "project_composite",
    "project_pair",
    "project_photos",
    "publish_event",
    "publish_project_update",
    "queue_of",
    "record_interview",
    "run_workspace_worker",
    "set_project_phase",
    "takedown",
    "unvote",
    "vote",
    "worker_platforms",
]
