"""The outbox saves its checkpoint when a notice moved (or the stream ran far past it), not on
every poll that saw other events; a restart from an older checkpoint rebuilds the same pending
notices."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_notice_outbox import make_desk, receive

from ccms.desk import NoticeOutbox
from ccms.desk import notifications as outbox_module
from ccms.desk.notifications import OUTBOX_CHECKPOINT
from ccms.model import NotificationRequested
from ccms.store import SQLiteStore

pytest.importorskip("jinja2", reason="the notices extra is not installed")


def test_a_poll_after_events_without_a_notice_keeps_the_checkpoint(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "outbox.db") as store:
        desk = make_desk(store)
        cid = receive(desk)
        desk.pending_notices()
        saved, _ = store.checkpoint(OUTBOX_CHECKPOINT)
        assert saved == store.last_position()
        before = list(store.stream(after=saved))
        desk.classify(cid, ["PRD.DEF"])  # no notice for a classification
        after = list(store.stream(after=saved))
        assert len(after) > len(before)
        assert not any(isinstance(e.event, NotificationRequested) for e in after)
        pending = [n.notification_id for n in desk.pending_notices()]
        assert store.checkpoint(OUTBOX_CHECKPOINT)[0] == saved  # not saved again
        assert desk.outbox.position == store.last_position() > saved

        restarted = NoticeOutbox(store)  # from the older checkpoint: the same pending notices
        restarted.catch_up()
        assert [nid for nid, _, _ in restarted.due(desk.clock.now())] == pending


def test_a_stream_far_past_the_checkpoint_is_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox_module, "_SAVE_EVERY", 1)
    with SQLiteStore(tmp_path / "outbox.db") as store:
        desk = make_desk(store)
        cid = receive(desk)
        desk.pending_notices()
        desk.classify(cid, ["PRD.DEF"])
        desk.pending_notices()
        assert store.checkpoint(OUTBOX_CHECKPOINT)[0] == store.last_position()
