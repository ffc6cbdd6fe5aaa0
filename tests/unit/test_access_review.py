"""The access review against a known set of reads (SQLite and PostgreSQL): who read which of school A's
students' records in a period, break-glass uses with their reasons, the school's exports; reads outside
the period, of another school, and a mentor's reads of their own mentees are not in it; who may ask; the
command and its workbook."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from hub.store import Forbidden, NotFound
from hub.store.models import utcnow

TODAY = dt.date.today()
REASON = "家长来电称孩子失联，需核实最近的谈话记录"


def talk(student_id):
    return {"student_id": student_id, "kind": "talk", "date": TODAY.isoformat(), "talk_type": "例行关怀",
            "summary": "聊了开学以来的适应情况"}  # fmt: skip


@pytest.fixture
def reads(fresh_small_world):
    """Records for sa1 (m_a), sa3 (ht_a1), sa4 (lead_a), sb1 (m_b); a flag for sa1; then, inside the period,
    a known set of reads; one more read after it."""
    store = fresh_small_world
    ids = {sid: store.add_record(store.actor_for(author), talk(sid)).record_id
           for sid, author in (("sa1", "m_a"), ("sa3", "ht_a1"), ("sa4", "lead_a"), ("sb1", "m_b"))}  # fmt: skip
    store.add_flag(store.actor_for("m_a"), {"student_id": "sa1", "level": 1, "details": "近期情绪低落"})
    store.find_records(store.actor_for("lead_a"), "sa1")  # before the period
    since = utcnow()
    store.find_records(store.actor_for("m_a"), "sa1")  # own mentee: not logged
    store.find_records(store.actor_for("lead_a"), "sa1")  # school leader: own school
    store.find_record(store.actor_for("lead_a"), ids["sa3"])
    store.find_records(store.actor_for("ht_a1"), "sa1")  # head teacher: own class
    store.find_records(store.actor_for("adm_a"), "sa4")  # school office
    store.find_record_history(store.actor_for("adm_a"), ids["sa1"])
    store.find_guardians(store.actor_for("adm_a"), "sa3")  # guardians' contacts
    store.find_flags(store.actor_for("psy_a"))  # flag details of sa1
    store.find_break_glass(store.actor_for("admin"), {"student_id": "sa3", "ground": "safety", "reason": REASON})
    store.find_records(store.actor_for("ht_b1"), "sb1")  # another school
    store.add_audit(store.actor_for("adm_a"), "export.progress_summary", "term", "T-cur",
                    detail={"school_id": "A", "format": "xlsx", "class_rows": 2, "mentor_rows": 4})  # fmt: skip
    until = utcnow()
    store.find_records(store.actor_for("adm_a"), "sa2")  # after the period
    return store, since, until


def test_the_review_lists_exactly_the_known_reads(reads):
    store, since, until = reads
    review = store.find_access_review(store.actor_for("lead_a"), None, since, until)
    assert review["school_id"] == "A" and review["note"] == "own_mentees_not_logged"
    assert [(r["who"], r["reads"], r["actions"], r["students"]) for r in review["readers"]] == [
        ("adm_a", 3, {"guardian.read": 1, "record.history": 1, "record.read": 1}, ["sa1", "sa3", "sa4"]),
        ("admin", 1, {"break_glass.read": 1}, ["sa3"]),
        ("ht_a1", 1, {"record.read": 1}, ["sa1"]),
        ("lead_a", 2, {"record.read": 2}, ["sa1", "sa3"]),
        ("psy_a", 1, {"flag.read_details": 1}, ["sa1"]),
    ]  # by user name; m_a (own mentee), ht_b1 (school B) and the reads outside the period are not there
    assert [(s["student_id"], s["class_id"], s["readers"]) for s in review["students"]] == [
        ("sa1", "A1", ["adm_a", "ht_a1", "lead_a", "psy_a"]), ("sa3", "A1", ["adm_a", "admin", "lead_a"]),
        ("sa4", "A2", ["adm_a"])]  # fmt: skip
    [glass] = review["break_glass"]
    assert (glass["who"], glass["student_ids"], glass["ground"]) == ("admin", ["sa3"], "safety")
    assert glass["reason"].endswith(REASON)
    assert [(e["who"], e["term_id"]) for e in review["exports"]] == [("adm_a", "T-cur")]
    entry = store.find_audit(store.actor_for("admin"), action="access_review.read")[0]
    assert (entry.actor, entry.entity_id, entry.detail["readers"]) == ("lead_a", "A", 5)


def test_open_ends_and_the_other_school(reads):
    store, since, _ = reads
    everything = store.find_access_review(store.actor_for("admin"), "A", None, None)
    lead = next(r for r in everything["readers"] if r["who"] == "lead_a")
    assert lead["reads"] == 3  # the read before the period too
    assert "sa2" in next(r for r in everything["readers"] if r["who"] == "adm_a")["students"]
    other = store.find_access_review(store.actor_for("admin"), "B", since, None)
    assert [(r["who"], r["students"]) for r in other["readers"]] == [("ht_b1", ["sb1"])]


def test_only_the_school_leader_for_their_school_and_the_platform_admin_may_ask(reads):
    store, since, until = reads
    with pytest.raises(NotFound):
        store.find_access_review(store.actor_for("lead_a"), "B", since, until)
    with pytest.raises(NotFound):
        store.find_access_review(store.actor_for("admin"), None, since, until)  # names no school
    with pytest.raises(NotFound):
        store.find_access_review(store.actor_for("admin"), "Z", since, until)
    for user in ("m_a", "ht_a1", "psy_a", "adm_a", "trainer1", "studio1"):
        with pytest.raises(Forbidden):
            store.find_access_review(store.actor_for(user), "A", since, until)


def test_the_command_prints_the_review_and_writes_a_workbook(tmp_path, capsys):
    from hub.cli import main as cli
    from hub.store import open_store
    from hub.store.testing import build_small_world, new_database_url

    url, _ = new_database_url("sqlite", tmp_path)
    store = open_store(url)
    build_small_world(store)
    store.add_record(store.actor_for("m_a"), talk("sa1"))
    store.find_records(store.actor_for("lead_a"), "sa1")
    store.find_break_glass(store.actor_for("admin"), {"student_id": "sa2", "ground": "complaint",
                                                      "reason": "=HYPERLINK(\"http://x\") 家长投诉核查"})  # fmt: skip
    store.close()
    output = tmp_path / "review.xlsx"
    day = TODAY.isoformat()
    assert cli(["access-review", "--school", "A", "--since", day, "--until", day, "--db", url,
                "--output", str(output)]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "lead_a：1 次，涉及学生 1 名（读取记录 1）" in out and "admin 查阅 sa2" in out and "不记入审计日志" in out
    book = openpyxl.load_workbook(output)
    assert [tuple(r) for r in book["读取者"].iter_rows(min_row=2, values_only=True)] == [
        ("admin", 1, 1, "紧急查阅 1", "sa2"), ("lead_a", 1, 1, "读取记录 1", "sa1")]
    reason = book["紧急查阅"]["E2"]
    assert reason.data_type == "s" and reason.value.startswith("家长或学生投诉核查：")
    assert cli(["access-review", "--school", "A", "--since", "yesterday", "--db", url]) == 2
