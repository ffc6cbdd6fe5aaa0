"""Record history (尽职免责) on SQLite and PostgreSQL: every edit keeps the version it replaces, with who and
when; the author always sees what they wrote (deleted records and former mentees included); others see the
history of records they may read, audited beyond their own mentees; deleting is soft."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from hub.store import NotFound
from hub.store.models import Record
from hub.store.privacy_models import RecordVersion

TODAY = dt.date.today()
YESTERDAY = TODAY - dt.timedelta(days=1)


def talk(student_id="sa1", **extra):
    return {"student_id": student_id, "kind": "talk", "date": YESTERDAY.isoformat(), "talk_type": "例行关怀",
            "summary": "第一次：聊了开学适应", **extra}  # fmt: skip


def edited_three_times(store):
    """A talk by m_a, edited three times (summary; date and trigger; summary again)."""
    mentor = store.actor_for("m_a")
    record = store.add_record(mentor, talk())
    store.update_record(mentor, record.record_id, {"summary": "第二次：补充了同伴关系"})
    store.update_record(mentor, record.record_id, {"date": TODAY.isoformat(), "trigger": "期中后"})
    store.update_record(mentor, record.record_id, {"summary": "第四次：约定每周五再聊", "trigger": None})
    return record.record_id


def test_history_after_several_edits_keeps_every_version_in_order(fresh_small_world):
    store = fresh_small_world
    record_id = edited_three_times(store)
    history = store.find_record_history(store.actor_for("m_a"), record_id)
    versions = history["versions"]
    assert [v["version"] for v in versions] == [1, 2, 3, 4]
    assert [v["summary"] for v in versions] == ["第一次：聊了开学适应", "第二次：补充了同伴关系",
                                                "第二次：补充了同伴关系", "第四次：约定每周五再聊"]  # fmt: skip
    assert [v["date"] for v in versions] == [YESTERDAY.isoformat()] * 2 + [TODAY.isoformat()] * 2
    assert [v.get("trigger") for v in versions] == [None, None, "期中后", None]
    assert all(v["written_by"] == "m_a" for v in versions)
    assert [v["replaced_by"] for v in versions] == ["m_a", "m_a", "m_a", None]
    written = [dt.datetime.fromisoformat(v["written_at"]) for v in versions]
    assert written == sorted(written)
    for earlier, later in zip(versions, versions[1:], strict=False):  # a version ends when the next begins
        assert earlier["replaced_at"] == later["written_at"]
    current = store.find_record(store.actor_for("m_a"), record_id).to_dict()
    assert current["version"] == 4 and current["summary"] == versions[-1]["summary"]
    with store.reading() as s:
        assert s.scalar(select(func.count()).select_from(RecordVersion)
                        .where(RecordVersion.record_id == record_id)) == 3  # fmt: skip


def test_a_refused_edit_makes_no_version(fresh_small_world):
    store = fresh_small_world
    mentor = store.actor_for("m_a")
    record = store.add_record(mentor, talk())
    with pytest.raises(Exception):  # noqa: B017 - the validation error itself is tested elsewhere
        store.update_record(mentor, record.record_id, {"summary": ""})
    with pytest.raises(Exception):  # noqa: B017
        store.update_record(store.actor_for("ht_a1"), record.record_id, {"summary": "不是我写的"})
    history = store.find_record_history(mentor, record.record_id)
    assert [v["version"] for v in history["versions"]] == [1]


def test_a_school_leader_reads_the_history_of_a_record_of_their_school_audited(fresh_small_world):
    store = fresh_small_world
    record_id = edited_three_times(store)
    admin = store.actor_for("admin")
    before = len(store.find_audit(admin, action="record.history"))
    history = store.find_record_history(store.actor_for("lead_a"), record_id)
    assert len(history["versions"]) == 4
    entries = store.find_audit(admin, action="record.history")
    assert len(entries) == before + 1
    entry = entries[0]
    assert (entry.actor, entry.entity_id) == ("lead_a", str(record_id))
    assert entry.detail == {"scope": "own_school", "student_ids": ["sa1"], "record_ids": [record_id]}
    # the head teacher of the class too (own class), and the school office; no one outside
    assert len(store.find_record_history(store.actor_for("ht_a1"), record_id)["versions"]) == 4
    assert len(store.find_record_history(store.actor_for("adm_a"), record_id)["versions"]) == 4
    for outsider in ("m_b", "adm_b", "ht_a2", "psy_a", "plain_a", "trainer1", "studio1", "admin"):
        with pytest.raises(NotFound):
            store.find_record_history(store.actor_for(outsider), record_id)


def test_the_author_reads_own_history_without_audit_and_others_mentees_stay_closed(fresh_small_world):
    store = fresh_small_world
    record_id = edited_three_times(store)
    admin = store.actor_for("admin")
    before = len(store.find_audit(admin, action="record.history"))
    store.find_record_history(store.actor_for("m_a"), record_id)
    assert len(store.find_audit(admin, action="record.history")) == before
    with pytest.raises(NotFound):  # a mentor of another school
        store.find_record_history(store.actor_for("m_b"), record_id)
    for nonsense in (0, -1, 2**70, "1", None):
        with pytest.raises(NotFound):
            store.find_record_history(store.actor_for("m_a"), nonsense)


def test_deleting_is_soft_and_the_author_still_shows_what_they_recorded(fresh_small_world):
    store = fresh_small_world
    record_id = edited_three_times(store)
    mentor = store.actor_for("m_a")
    store.remove_record(mentor, record_id, reason="重复记录")
    with store.reading() as s:
        row = s.get(Record, record_id)
        assert row is not None and row.deleted_by == "m_a" and row.deleted_at is not None
        assert s.scalar(select(func.count()).select_from(RecordVersion)
                        .where(RecordVersion.record_id == record_id)) == 3  # fmt: skip
    with pytest.raises(NotFound):
        store.find_record(mentor, record_id)
    history = store.find_record_history(mentor, record_id)
    assert history["deleted"] is True and history["deleted_by"] == "m_a"
    assert len(history["versions"]) == 4
    with pytest.raises(NotFound):  # a leader reads live records only
        store.find_record_history(store.actor_for("lead_a"), record_id)
    mine = {r["record_id"]: r for r in store.find_own_records(mentor)}
    assert mine[record_id]["deleted"] is True and mine[record_id]["deleted_at"] == history["deleted_at"]
    assert mine[record_id]["version"] == 4 and mine[record_id]["summary"] == "第四次：约定每周五再聊"


def test_the_author_keeps_the_history_after_the_student_moves_to_another_mentor(fresh_small_world):
    store = fresh_small_world
    record_id = edited_three_times(store)
    school_admin = store.actor_for("adm_a")
    rows = [{"student_id": a.student_id, "staff_id": a.staff_id, "kind": a.kind}
            for a in store.find_assignments(school_admin) if a.student_id != "sa1"]  # fmt: skip
    store.add_assignments(school_admin, "T-cur", rows + [{"student_id": "sa1", "staff_id": "plain_a"}])
    former = store.actor_for("m_a")
    assert "sa1" not in former.mentee_ids
    with pytest.raises(NotFound):
        store.find_record(former, record_id)
    assert len(store.find_record_history(former, record_id)["versions"]) == 4
    assert [r["record_id"] for r in store.find_own_records(former)] == [record_id]
    # the new mentor reads the history of the record of their mentee
    assert len(store.find_record_history(store.actor_for("plain_a"), record_id)["versions"]) == 4
    assert store.find_own_records(store.actor_for("plain_a")) == []
