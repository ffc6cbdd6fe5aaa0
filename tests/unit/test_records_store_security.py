"""Issue 16's findings 4, 5 and 7 at the store and validation layers (the HTTP side, against a real hub, is
tests/app/test_records_security.py):

- break-glass opens one student, with a ground from the fixed list and a real reason, in one audited read;
  no other verb can be given a break-glass caller;
- every read of record contents beyond one's own mentees, and every read of flag details, is one audit row
  naming the students, records and flags it reached (none for one's own mentees);
- text that is not valid Unicode is refused with ``Invalid`` (422) at every entry point and nothing is
  stored; text is kept in NFC; ids too large for the database are simply not found.
"""

from __future__ import annotations

import datetime as dt
import inspect

import pytest

from hub.records.handlers import ApiError, json_bytes, refuse_invalid_unicode
from hub.store import Forbidden, Invalid, NotFound, access, open_store
from hub.store.break_glass_verbs import check_break_glass_request
from hub.store.testing import build_small_world, new_database_url

TODAY = dt.date.today().isoformat()
REASON = "家长来电称孩子两天未回家，需要核实最近的谈话记录"
LONE = "\ud800x"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path_factory):
    pg = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    url, cleanup = new_database_url(request.param, tmp_path_factory.mktemp("security"), pg)
    st = open_store(url)
    build_small_world(st)
    mentor = st.actor_for("m_a")
    for student in ("sa1", "sa2"):
        st.add_record(mentor, talk(student))
    st.add_record(st.actor_for("lead_a"), talk("sa4"))
    st.add_flag(mentor, {"student_id": "sa1", "level": 2, "signals": ["情绪"], "details": "近两周情绪低落"})
    st.add_flag(st.actor_for("m_b"), {"student_id": "sb1", "level": 1, "details": "课间常独处"})
    yield st
    st.close()
    cleanup()


def talk(student_id, **extra):
    return {"student_id": student_id, "kind": "talk", "date": TODAY, "talk_type": "例行关怀",
            "summary": "聊了聊最近的学习和生活", **extra}  # fmt: skip


def audit_since(store, before: int, action: str | None = None):
    entries = store.find_audit(store.actor_for("admin"), action=action, limit=5000)
    return [e for e in entries if e.audit_id > before]


def last_audit_id(store) -> int:
    entries = store.find_audit(store.actor_for("admin"), limit=1)
    return entries[0].audit_id if entries else 0


# --- finding 4: break-glass --------------------------------------------------------------------------
def glass(student_id="sb1", ground="safety", reason=REASON, **extra):
    return {"student_id": student_id, "ground": ground, "reason": reason, **extra}


def test_break_glass_opens_one_student_and_writes_one_audit_row(store):
    before = last_audit_id(store)
    answer = store.find_break_glass(store.actor_for("admin"), glass("sb1", "child_protection"))
    assert answer["student"]["student_id"] == "sb1"
    assert {r["student_id"] for r in answer["records"]} <= {"sb1"}
    assert [f["student_id"] for f in answer["flags"]] == ["sb1"]
    assert "details" not in answer["flags"][0]  # break-glass never opens flag details
    [entry] = audit_since(store, before)
    assert (entry.actor, entry.action, entry.entity, entry.entity_id) == ("admin", "break_glass.read", "student", "sb1")
    assert entry.reason == f"{access.BREAK_GLASS_GROUNDS['child_protection']}：{REASON}"
    assert entry.detail["ground"] == "child_protection" and entry.detail["student_ids"] == ["sb1"]
    assert entry.detail["flag_ids"] == [f["flag_id"] for f in answer["flags"]]
    assert entry.detail["record_ids"] == [r["record_id"] for r in answer["records"]]


def test_break_glass_records_are_the_students_own(store):
    before = last_audit_id(store)
    answer = store.find_break_glass(store.actor_for("admin"), glass("sa1"))
    assert len(answer["records"]) >= 1 and {r["student_id"] for r in answer["records"]} == {"sa1"}
    [entry] = audit_since(store, before)
    assert entry.detail["record_ids"] == [r["record_id"] for r in answer["records"]]


@pytest.mark.parametrize("payload, field", [
    (glass(ground="curious"), "ground"),
    (glass(ground=""), "ground"),
    (glass(ground=None), "ground"),
    (glass(ground=["safety"]), "ground"),
    (glass(reason=""), "reason"),
    (glass(reason="   "), "reason"),
    (glass(reason="想看看"), "reason"),  # too short
    (glass(reason="啊" * 30), "reason"),  # long, but says nothing
    (glass(reason="..........!!!!!!"), "reason"),
    (glass(reason="家长电话13812345678来电核实情况"), "reason"),  # no phone numbers in the audit log
    (glass(reason=LONE * 10), "reason"),
    (glass(student_id=["sa1", "sb1"]), "student_id"),  # never more than one student
    (glass(student_id=""), "student_id"),
    (glass(students=["sa1"]), "students"),
    ({"student_id": "sb1"}, "ground"),
])  # fmt: skip
def test_break_glass_needs_a_ground_and_a_real_reason(store, payload, field):
    before = last_audit_id(store)
    with pytest.raises(Invalid) as refused:
        store.find_break_glass(store.actor_for("admin"), payload)
    assert refused.value.field == field and refused.value.message_zh
    assert audit_since(store, before) == []


@pytest.mark.parametrize("user", ["m_a", "ht_a1", "psy_a", "lead_a", "adm_a", "trainer1", "studio1", "nobody"])
def test_only_platform_admins_may_break_glass(store, user):
    with pytest.raises(Forbidden):
        store.find_break_glass(store.actor_for(user), glass("sa1"))


def test_break_glass_of_a_missing_student_is_not_found_and_not_audited(store):
    before = last_audit_id(store)
    with pytest.raises(NotFound):
        store.find_break_glass(store.actor_for("admin"), glass("no-such-student"))
    assert audit_since(store, before) == []


def test_no_other_door_takes_a_break_glass_reason(store):
    assert "break_glass_reason" not in inspect.signature(store.actor_for).parameters
    admin = store.actor_for("admin")
    assert admin.break_glass is None
    assert store.find_flags(admin) == [] and store.find_students(admin) == []
    with pytest.raises(NotFound):
        store.find_records(admin, "sb1")


def test_the_request_check_is_pure():
    request = check_break_glass_request(glass("sa1", "complaint", f"  {REASON}  "))
    assert request == access.BreakGlass("sa1", "complaint", REASON)


# --- finding 5: reads beyond one's own mentees are audited ------------------------------------------------
@pytest.mark.parametrize("user, student_id, scope", [
    ("ht_a1", "sa1", access.OWN_CLASS),  # head teacher of A1; sa1 is m_a's mentee
    ("lead_a", "sa1", access.OWN_SCHOOL),  # school leader
    ("adm_a", "sa2", access.OWN_SCHOOL),  # school admin
])  # fmt: skip
def test_a_read_of_records_beyond_own_mentees_is_one_audit_row(store, user, student_id, scope):
    before = last_audit_id(store)
    records = store.find_records(store.actor_for(user), student_id)
    assert records
    [entry] = audit_since(store, before)
    assert (entry.actor, entry.action, entry.entity, entry.entity_id) == (user, "record.read", "student", student_id)
    assert entry.detail == {"scope": scope, "student_ids": [student_id],
                            "record_ids": [r.record_id for r in records]}  # fmt: skip


def test_a_single_record_read_beyond_own_mentees_is_audited(store):
    record = store.find_records(store.actor_for("m_a"), "sa2")[0]
    before = last_audit_id(store)
    store.find_record(store.actor_for("adm_a"), record.record_id)
    [entry] = audit_since(store, before)
    assert (entry.action, entry.entity, entry.entity_id) == ("record.read", "record", str(record.record_id))
    assert entry.detail["student_ids"] == ["sa2"] and entry.detail["record_ids"] == [record.record_id]


@pytest.mark.parametrize("user, student_id", [("m_a", "sa1"), ("m_a", "sa2"), ("psy_a", "sa2"), ("lead_a", "sa4")])
def test_reading_ones_own_mentees_writes_no_audit_row(store, user, student_id):
    before = last_audit_id(store)
    store.find_records(store.actor_for(user), student_id)
    record = store.find_records(store.actor_for(user), student_id)
    if record:
        store.find_record(store.actor_for(user), record[0].record_id)
    assert audit_since(store, before) == []


def test_flag_details_reads_name_the_flags_and_students_in_one_row(store):
    for user in ("lead_a", "psy_a"):
        before = last_audit_id(store)
        flags = store.find_flags(store.actor_for(user))
        shown = [f for f in flags if "details" in f]
        assert shown
        [entry] = audit_since(store, before)
        assert entry.action == "flag.read_details" and entry.actor == user
        assert entry.detail == {"flag_ids": [f["flag_id"] for f in shown],
                                "student_ids": sorted({f["student_id"] for f in shown})}  # fmt: skip


def test_flag_status_reads_write_no_row(store):
    before = last_audit_id(store)
    assert store.find_flags(store.actor_for("m_a"))
    assert audit_since(store, before) == []


# --- finding 7: invalid text is refused everywhere, nothing stored -------------------------------------
@pytest.mark.parametrize("payload, field", [
    (talk("sa1", summary=LONE), "summary"),
    (talk("sa1", summary="正常的开头" + "\udfff"), "summary"),
    (talk("sa1", agreed_actions=LONE), "agreed_actions"),
    (talk("sa1", **{LONE: "值"}), "\ufffdx"),
    (talk("sa1", client_ref=LONE), "client_ref"),
    ({**talk("sa1"), "student_id": LONE}, "student_id"),
    ({**talk("sa1"), "student_id": "sa1\x00"}, "student_id"),
    ({**talk("sa1"), "kind": LONE}, "kind"),
    (talk("sa1", talk_type=LONE), "talk_type"),
])  # fmt: skip
def test_records_with_invalid_text_are_refused_and_nothing_is_stored(store, payload, field):
    before = store.count_records()
    with pytest.raises(Invalid) as refused:
        store.add_record(store.actor_for("m_a"), payload)
    assert refused.value.field == field and refused.value.message_zh
    json_bytes(refused.value.to_dict())  # the message itself can be sent
    assert store.count_records() == before
    assert all(json_bytes(r.to_dict()) for r in store.find_records(store.actor_for("m_a"), "sa1"))


def test_an_update_with_invalid_text_changes_nothing(store):
    mentor = store.actor_for("m_a")
    record = store.find_records(mentor, "sa1")[0]
    with pytest.raises(Invalid) as refused:
        store.update_record(mentor, record.record_id, {"summary": LONE})
    assert refused.value.field == "summary"
    assert store.find_record(mentor, record.record_id).fields == record.fields


def test_flags_assignments_and_discussions_refuse_invalid_text(store):
    with pytest.raises(Invalid):
        store.add_flag(store.actor_for("m_a"), {"student_id": "sa1", "level": 1, "details": LONE})
    with pytest.raises(Invalid):
        store.add_assignments(store.actor_for("adm_a"), "T-cur", [
            {"student_id": "sa1", "staff_id": "m_a", "kind": "primary", "method": LONE}], replace=False)
    with pytest.raises(Invalid):
        store.add_assignments(store.actor_for("adm_a"), ["T-cur"], [])
    for verb in ("add_contribution", "update_contribution"):
        with pytest.raises(Invalid) as refused:
            getattr(store, verb)(store.actor_for("m_a"), "d1", LONE)
        assert "发言内容" in refused.value.message_zh


def test_text_is_stored_in_nfc(store):
    record = store.add_record(store.actor_for("m_a"), talk("sa1", summary="孩子说想学cafe\u0301的拉花，很有兴趣"))
    assert "café" in store.find_record(store.actor_for("m_a"), record.record_id).fields["summary"]


@pytest.mark.parametrize("record_id", [10**20, 2**63, -1, 0, "1", True, None])
def test_ids_the_database_cannot_hold_are_not_found(store, record_id):
    mentor = store.actor_for("m_a")
    with pytest.raises(NotFound):
        store.find_record(mentor, record_id)
    with pytest.raises(NotFound):
        store.update_record(mentor, record_id, {"summary": "改一下"})
    with pytest.raises(NotFound):
        store.update_flag(store.actor_for("psy_a"), record_id, {"status": "monitoring"})


# --- the service's own guards (pure) ----------------------------------------------------------------------
@pytest.mark.parametrize("body, field", [
    ({"summary": LONE}, "summary"),
    ({"rows": [{"method": LONE}]}, "rows"),
    ({LONE: 1}, None),
    ([["\x00"]], None),
])  # fmt: skip
def test_bodies_with_unusable_text_are_refused(body, field):
    with pytest.raises(ApiError) as refused:
        refuse_invalid_unicode(body)
    assert refused.value.status == 422 and refused.value.field == field and refused.value.message_zh


def test_text_stored_before_the_check_is_still_sent():
    assert json_bytes({"summary": LONE}) == b'{"summary": "\\ud800x"}'
    assert json_bytes({"summary": "谈心"}).decode("utf-8") == '{"summary": "谈心"}'
