"""Approving exactly what goes out, enforced where posts are sent (runner and worker).

The strict desk has ``[publish] approval = true``, ``four_eyes = true`` and
``blur_unconsented = true``; camille is an editor, alex and morgan approvers.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import numpy
import pytest
from PIL import Image

from terrain import Content
from terrain.errors import AccessDenied, Conflict, ValidationError
from terrain.media import blur_boxes
from terrain.publishing import RowState
from terrain.store import Workspace
from terrain.workflows import (
    approval_queue,
    approve_post,
    edit_post_as,
    post_log,
    publish_event,
    run_workspace_worker,
)

from ._desk import AFTER, EVENT_ID, FORM, get_ready

LATER = AFTER + timedelta(minutes=30)


def _planned(ws: Workspace, *names: str) -> str:
    get_ready(ws, *names)
    result = publish_event(ws, EVENT_ID, ["outbox"], now=AFTER, hook=False)
    (outcome,) = result.report.outcomes
    return outcome.post_id


def _outbox(ws: Workspace) -> list[dict[str, object]]:
    folder = ws.root / "outbox" / "outbox"
    if not folder.exists():
        return []
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def _work(ws: Workspace) -> None:
    run_workspace_worker(ws, ["outbox"], now=LATER, drain=True, hook=False)


def test_with_approval_on_nothing_unapproved_leaves_by_publish_or_by_the_worker(
    strict_desk: Workspace,
) -> None:
    post_id = _planned(strict_desk, "lea", "crowd")
    (row,) = strict_desk.db.query(
        "SELECT state, reasons_json FROM publication_journal WHERE post_id = ?", (post_id,))
    assert row[0] == "held"
    assert "awaiting approval" in row[1]
    assert f"terrain approve {post_id}" in row[1]
    _work(strict_desk)
    assert _outbox(strict_desk) == []
    (item,) = approval_queue(strict_desk, now=LATER)
    assert item.may_go
    assert not item.approved


def test_an_editor_cannot_approve_and_an_approver_who_edited_cannot_under_four_eyes(
    strict_desk: Workspace,
) -> None:
    post_id = _planned(strict_desk, "lea", "crowd")  # camille identified and described
    with pytest.raises(AccessDenied, match="only an approver") as refused:
        approve_post(strict_desk, post_id, account="camille", now=LATER)
    assert refused.value.reason == "role"
    edit_post_as(strict_desk, post_id, "Merci à toutes et à tous, à jeudi !", by="alex",
                 now=LATER)
    with pytest.raises(AccessDenied, match="four eyes") as refused:
        approve_post(strict_desk, post_id, account="alex", now=LATER)
    assert refused.value.reason == "four-eyes"
    approved = approve_post(strict_desk, post_id, account="morgan", now=LATER)
    assert approved.approved
    assert approved.row.state is RowState.PLANNED  # held for approval: planned again
    _work(strict_desk)
    (sent,) = _outbox(strict_desk)
    assert sent["text"] == "Merci à toutes et à tous, à jeudi !"
    log = post_log(strict_desk, post_id=post_id)
    assert any("approved by morgan" in r.text
               for e in log for d in e.decisions for r in d.reasons)


def test_an_approval_falls_when_the_text_changes(strict_desk: Workspace) -> None:
    post_id = _planned(strict_desk, "lea", "crowd")
    approve_post(strict_desk, post_id, account="alex", now=LATER)
    edit_post_as(strict_desk, post_id, "Un autre texte", by="camille", now=LATER)
    (item,) = approval_queue(strict_desk, now=LATER)
    assert item.changed_since_approval
    _work(strict_desk)
    assert _outbox(strict_desk) == []
    (row,) = strict_desk.db.query(
        "SELECT state, reasons_json FROM publication_journal WHERE post_id = ?", (post_id,))
    assert row[0] == "held"
    assert "changed since" in row[1]


def test_an_approval_falls_when_a_consent_it_rests_on_changes(strict_desk: Workspace) -> None:
    post_id = _planned(strict_desk, "lea", "crowd")
    item = approve_post(strict_desk, post_id, account="alex", now=LATER)
    assert "@lea_m" in item.preview.text
    ledger = strict_desk.ledger()
    ledger.withdraw("lea", purposes=["tag"], at=LATER)  # Léa may be shown, not tagged
    strict_desk.save_ledger(ledger)
    (again,) = approval_queue(strict_desk, now=LATER + timedelta(minutes=1))
    assert "@lea_m" not in again.preview.text
    assert again.changed_since_approval
    run_workspace_worker(strict_desk, ["outbox"], now=LATER + timedelta(minutes=1),
                         drain=True, hook=False)
    assert _outbox(strict_desk) == []


def test_a_held_post_stays_held_and_says_who_held_it(strict_desk: Workspace) -> None:
    post_id = _planned(strict_desk, "lea", "crowd")
    with pytest.raises(ValidationError, match="say why"):
        approve_post(strict_desk, post_id, account="alex", now=LATER, hold=True)
    approve_post(strict_desk, post_id, account="alex", now=LATER, hold=True,
                 reason="la photo de la salle est floue")
    _work(strict_desk)
    assert _outbox(strict_desk) == []
    (row,) = strict_desk.db.query(
        "SELECT reasons_json FROM publication_journal WHERE post_id = ?", (post_id,))
    assert "held on the review desk by alex" in row[0]


def test_an_approval_for_content_no_longer_shown_is_refused(strict_desk: Workspace) -> None:
    post_id = _planned(strict_desk, "lea", "crowd")
    (item,) = approval_queue(strict_desk, now=LATER)
    edit_post_as(strict_desk, post_id, "Changé entre-temps", by="camille", now=LATER)
    with pytest.raises(Conflict, match="changed since you opened it"):
        approve_post(strict_desk, post_id, account="alex", now=LATER, seen=item.fingerprint)


def test_a_photo_goes_out_with_the_refusing_person_blurred_and_nothing_else_changed(
    strict_desk: Workspace,
) -> None:
    post_id = _planned(strict_desk, "group")
    (item,) = approval_queue(strict_desk, now=LATER)
    (photo,) = item.preview.media
    assert len(photo.blur) == 1  # Samir, where the photographer tagged him
    approve_post(strict_desk, post_id, account="alex", now=LATER)
    _work(strict_desk)
    (sent,) = _outbox(strict_desk)
    (media,) = sent["media"]
    assert isinstance(media, dict)
    out = (strict_desk.root / str(media["file"])).read_bytes()
    group = strict_desk.get(Content, photo.content_id or "")
    original = strict_desk.storage.get(group.media[0].key)  # untouched in the workspace
    samir = next(a for a in group.appearances if a.member_id == "samir")
    assert samir.region is not None
    before = numpy.asarray(Image.open(io.BytesIO(original)).convert("RGB")).astype(int)
    after = numpy.asarray(Image.open(io.BytesIO(out)).convert("RGB")).astype(int)
    (x0, y0, x1, y1), = blur_boxes([samir.region], 1000, 700,
                                   margin=strict_desk.config.publish.blur_margin)
    inside = numpy.zeros(before.shape[:2], dtype=bool)
    inside[y0:y1, x0:x1] = True
    diff = numpy.abs(before - after).max(axis=2)
    assert diff[~inside].max() <= 1  # re-coded with the photo's own tables: rounding only
    assert (diff[~inside] > 0).mean() < 0.001
    assert diff[inside].mean() > 10  # the face is gone
    lea = next(a for a in group.appearances if a.member_id == "lea")
    assert lea.region is not None
    lx0, ly0, lx1, ly1 = lea.region.pixels(1000, 700)
    assert diff[ly0:ly1, lx0:lx1].max() <= 1  # Léa agreed: her face is as it was
    for leak in (b"GPS", b"mwg-rs", b"Samir", b"http://ns.adobe.com/xap"):
        assert leak not in out
    with Image.open(io.BytesIO(out)) as image:
        assert set(image.getexif()) <= {0x0112}
    log = post_log(strict_desk, post_id=post_id)
    assert any("Samir Haddad: blurred in photo" in r.text
               for e in log for d in e.decisions for r in d.reasons)


def test_without_a_known_region_a_refusal_still_holds_the_photo(
    strict_desk: Workspace, tmp_path: Path
) -> None:
    from terrain.workflows import identify_people

    from ._desk import photo_id

    group = photo_id(strict_desk.root, "group")
    get_ready(strict_desk, "group", "lea")
    identify_people(strict_desk, group, regions={"samir": None}, by="camille", now=AFTER)
    identify_people(strict_desk, group, reviewed=True, confirm_faces=True, by="camille",
                    now=AFTER)
    result = publish_event(strict_desk, EVENT_ID, ["outbox"], now=AFTER, hook=False)
    (outcome,) = result.report.outcomes
    (item,) = approval_queue(strict_desk, now=LATER)
    assert [m.content_id for m in item.preview.media] == [photo_id(strict_desk.root, "lea")]
    assert any("Samir Haddad" in d.reason for d in item.preview.dropped)
    assert FORM.kind.value == "signed-form"
    assert outcome.post_id == item.row.post_id
