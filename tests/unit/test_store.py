"""The records store on SQLite and (with MENTORHUB_TEST_PG_URL) PostgreSQL: migrations, accounts, groups,
records with validation, soft delete, assignments and progress."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import create_engine

from hub.pii import id_card_checksum_ok
from hub.store import Conflict, Forbidden, Invalid, NotFound, NotMigrated, open_store, upgrade
from hub.store.testing import build_small_world, new_database_url

TODAY = dt.date.today()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path_factory):
    pg = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    url, cleanup = new_database_url(request.param, tmp_path_factory.mktemp("store"), pg)
    st = open_store(url)
    build_small_world(st)
    yield st
    st.close()
    cleanup()


def valid_id_card() -> str:
    body = "31010420100305123"
    return next(body + c for c in "0123456789X" if id_card_checksum_ok(body + c))


def talk(student_id="sa1", **extra):
    return {"student_id": student_id, "kind": "talk", "date": TODAY.isoformat(), "talk_type": "例行关怀",
            "summary": "谈了谈开学以来的适应情况", **extra}  # fmt: skip


# --- migrations ---------------------------------------------------------------------------------

def test_unmigrated_database_is_refused_with_the_fix(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    create_engine(url).connect().close()
    with pytest.raises(NotMigrated) as info:
        open_store(url)
    assert "mentorhub db upgrade" in info.value.message_en
    assert "mentorhub db upgrade" in info.value.message_zh
    upgrade(url)
    assert open_store(url).find_schools() == []


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(store):
    if store.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


# --- accounts and groups ------------------------------------------------------------------------

def test_account_verbs_for_the_authenticator(store):
    store.add_account("acct_x", "hash-1", platform_roles=["trainer"])
    assert store.find_account("acct_x")["must_change_password"] is True
    assert store.find_account("nobody-here") is None
    assert [store.record_login_failure("acct_x", 3, 60) for _ in range(3)] == [1, 2, 3]
    locked = store.find_account("acct_x")["locked_until"]
    assert locked is not None and locked > dt.datetime.now(dt.UTC).replace(tzinfo=None)
    store.record_login_success("acct_x")
    assert store.find_account("acct_x")["failed_logins"] == 0
    store.set_password("acct_x", "hash-2", False)
    account = store.find_account("acct_x")
    assert account["password_hash"] == "hash-2" and account["must_change_password"] is False
    assert "password_hash" not in store.find_accounts()[0].to_dict()


def test_unknown_role_is_refused(store):
    with pytest.raises(Invalid) as info:
        store.add_account("acct_bad", platform_roles=["superuser"])
    assert info.value.field == "roles"


def test_group_memberships(store):
    store.add_enrollment("m_a", "foundations")
    store.add_studio("studio-east", "东区导师工作室", "studio1", members=["m_a", "ht_b1"])
    groups = store.group_memberships()
    assert "m_a" in groups["teachers"] and "ht_b1" in groups["teachers"]
    assert "adm_a" not in groups["teachers"]  # school admin only, not a mentoring role
    assert groups["school-admins"] == ["adm_a", "adm_b"]
    assert "trainer1" in groups["trainers"] and "m_a" not in groups["trainers"]
    assert groups["admins"] == ["admin"]
    assert "studio1" in groups["studio-leaders"]
    assert "m_a" in groups["school-A"] and "m_b" not in groups["school-A"]
    assert groups["nbgrader-foundations"] == ["m_a"]
    assert groups["studio-studio-east"] == ["ht_b1", "m_a", "studio1"]


# --- records --------------------------------------------------------------------------------------

def test_add_find_update_remove_record(store):
    mentor = store.actor_for("m_a")
    record = store.add_record(mentor, talk(follow_up_date=(TODAY + dt.timedelta(days=7)).isoformat()))
    as_dict = record.to_dict()
    assert as_dict["kind"] == "talk" and as_dict["term_id"] == "T-cur" and as_dict["author"] == "m_a"
    assert record.record_id in [r.record_id for r in store.find_records(mentor, "sa1")]
    updated = store.update_record(mentor, record.record_id, {"summary": "补充：约定下周再谈"})
    assert updated.fields["summary"] == "补充：约定下周再谈" and updated.fields["talk_type"] == "例行关怀"
    with pytest.raises(Forbidden):
        store.update_record(store.actor_for("ht_a1"), record.record_id, {"summary": "别人改"})
    with pytest.raises(NotFound):
        store.remove_record(store.actor_for("m_b"), record.record_id)
    store.remove_record(mentor, record.record_id, reason="重复填写")
    assert record.record_id not in [r.record_id for r in store.find_records(mentor, "sa1")]
    with pytest.raises(NotFound):
        store.find_record(mentor, record.record_id)
    audit = store.find_audit(store.actor_for("admin"), action="record.delete")
    assert audit[0].entity_id == str(record.record_id) and audit[0].reason == "重复填写"


def test_sql_looking_text_is_stored_verbatim(store):
    text = "学生说：'; DROP TABLE records; -- 这是他在电脑课上学的"
    record = store.add_record(store.actor_for("m_a"), talk(summary=text))
    assert store.find_record(store.actor_for("m_a"), record.record_id).fields["summary"] == text


def test_client_ref_prevents_duplicates(store):
    mentor = store.actor_for("m_a")
    store.add_record(mentor, talk(client_ref="dup-ref-1"))
    with pytest.raises(Conflict):
        store.add_record(mentor, talk(client_ref="dup-ref-1"))


BAD_PAYLOADS = [
    # (description, payload changes or full payload, field named)
    ("missing student", {"student_id": None}, "student_id"),
    ("missing kind", {"kind": None}, "kind"),
    ("unknown kind", {"kind": "diary"}, "kind"),
    ("missing date", {"date": None}, "date"),
    ("date not a date", {"date": "2025-13-45"}, "date"),
    ("date wrong type", {"date": 20250305}, "date"),
    ("future date", {"date": (TODAY + dt.timedelta(days=3)).isoformat()}, "date"),
    ("date outside any term", {"date": "2019-01-01"}, "date"),
    ("summary wrong type", {"summary": 12345}, "summary"),
    ("summary 1 MB", {"summary": "很" * 1_000_000}, "summary"),
    ("missing talk_type", {"talk_type": None}, "talk_type"),
    ("bad talk_type", {"talk_type": "闲聊"}, "talk_type"),
    ("SQL in an enumeration", {"talk_type": "例行关怀'; DROP TABLE records;--"}, "talk_type"),
    ("follow-up before event", {"follow_up_date": (TODAY - dt.timedelta(days=1)).isoformat()}, "follow_up_date"),
    ("unknown field", {"mood_score": 3}, "mood_score"),
    ("rank field", {"class_rank": 3}, "class_rank"),
    ("Chinese rank field", {"排名": 3}, "排名"),
    ("ID card in summary", {"summary": f"家长身份证号 {valid_id_card()} 已核对"}, "summary"),
    ("phone in summary", {"summary": "家长电话13912345678，晚上可联系"}, "summary"),
    ("control characters", {"summary": "正常\x00文字"}, "summary"),
    ("escalation not bool", {"escalation": "是"}, "escalation"),
    ("domains not a list", {"guidance_domains": "学习辅导"}, "guidance_domains"),
    ("unknown domain", {"guidance_domains": ["体育锻炼"]}, "guidance_domains"),
]  # fmt: skip

BAD_OTHER_KINDS = [
    ({"student_id": "sa1", "kind": "guidance", "date": TODAY.isoformat(), "summary": "辅导", "domains": []},
     "domains"),
    ({"student_id": "sa1", "kind": "growth_message", "date": TODAY.isoformat(), "text": "加油"}, "text"),
    ({"student_id": "sa1", "kind": "home_visit", "date": TODAY.isoformat(), "form": "上门聊天",
      "purpose": "了解情况"}, "form"),
    ({"student_id": "sa1", "kind": "home_visit", "date": TODAY.isoformat(), "form": "入户"}, "purpose"),
    ({"student_id": "sa1", "kind": "parent_contact", "date": TODAY.isoformat(), "channel": "电话",
      "topic": "作业"}, "content_summary"),
]  # fmt: skip


def with_changes(changes):
    payload = talk()
    for key, value in changes.items():
        if value is None:
            payload.pop(key, None)
        else:
            payload[key] = value
    return payload


@pytest.mark.parametrize("description, changes, field", BAD_PAYLOADS, ids=[row[0] for row in BAD_PAYLOADS])
def test_bad_talk_payloads_are_refused_and_nothing_written(store, description, changes, field):
    before = store.count_records()
    with pytest.raises(Invalid) as info:
        store.add_record(store.actor_for("m_a"), with_changes(changes))
    assert info.value.field == field
    assert info.value.message_zh and info.value.message_en
    assert store.count_records() == before


@pytest.mark.parametrize("payload, field", BAD_OTHER_KINDS)
def test_bad_payloads_of_other_kinds(store, payload, field):
    before = store.count_records()
    with pytest.raises(Invalid) as info:
        store.add_record(store.actor_for("m_a"), payload)
    assert info.value.field == field
    assert store.count_records() == before


def test_not_an_object_is_refused(store):
    with pytest.raises(Invalid):
        store.add_record(store.actor_for("m_a"), ["not", "a", "dict"])


def test_update_keeps_the_record_valid(store):
    mentor = store.actor_for("m_a")
    record = store.add_record(mentor, talk())
    for changes in ({"talk_type": None}, {"summary": "x" * 3000}, {"rank": 1},
                    {"date": (TODAY + dt.timedelta(days=1)).isoformat()}, {"student_id": "sa2"}):
        with pytest.raises(Invalid):
            store.update_record(mentor, record.record_id, changes)
    assert store.find_record(mentor, record.record_id).fields == record.fields


# --- assignments and progress ---------------------------------------------------------------------

def test_assignments_are_checked_all_or_nothing(store):
    admin = store.actor_for("adm_a")
    before = [(a.student_id, a.staff_id, a.kind) for a in store.find_assignments(admin)]
    bad_rows = [
        [{"student_id": "sa1", "staff_id": "m_a"}, {"student_id": "sa1", "staff_id": "ht_a1"}],  # 2 primaries
        [{"student_id": "sb1", "staff_id": "m_a"}],  # student of another school
        [{"student_id": "sa1", "staff_id": "m_b"}],  # mentor of another school
        [{"student_id": "sa1", "staff_id": "m_a", "rank": 1}],  # no rank fields
        [{"student_id": "sa1", "staff_id": "m_a", "kind": "best"}],
    ]
    for rows in bad_rows:
        with pytest.raises(Invalid):
            store.add_assignments(admin, "T-cur", rows)
    with pytest.raises(Forbidden):
        store.add_assignments(store.actor_for("m_a"), "T-cur", [])
    assert [(a.student_id, a.staff_id, a.kind) for a in store.find_assignments(admin)] == before


def test_capacity_is_the_mentors_max_mentees(tmp_path):
    url, _ = new_database_url("sqlite", tmp_path)
    st = open_store(url)
    build_small_world(st)
    st.add_staff("full_a", "满员教师", "A", ["subject"], max_mentees=2)
    st.add_account("full_a", staff_id="full_a")
    for i in range(3):
        st.add_student(f"cap{i}", f"学生cap{i}", "A", "A2")
    admin = st.actor_for("adm_a")
    rows = [{"student_id": r.student_id, "staff_id": r.staff_id, "kind": r.kind}
            for r in st.find_assignments(admin)]  # fmt: skip
    with pytest.raises(Invalid) as info:
        st.add_assignments(admin, "T-cur", rows + [{"student_id": f"cap{i}", "staff_id": "full_a"} for i in range(3)])
    assert "full_a" in info.value.message_en
    st.add_assignments(admin, "T-cur", rows + [{"student_id": f"cap{i}", "staff_id": "full_a"} for i in range(2)])
    assert st.actor_for("full_a").mentee_ids == {"cap0", "cap1"}


def test_progress_counts_the_three_ones(tmp_path):
    url, _ = new_database_url("sqlite", tmp_path)
    st = open_store(url)
    build_small_world(st)
    mentor = st.actor_for("m_a")
    day = TODAY.isoformat()
    st.add_record(mentor, talk("sa1"))
    st.add_record(mentor, {"student_id": "sa1", "kind": "home_visit", "date": day, "form": "视频",
                           "purpose": "了解在家学习环境"})  # fmt: skip
    st.add_record(mentor, {"student_id": "sa1", "kind": "growth_message", "date": day,
                           "text": "你在运动会上帮同学搬器材，很有担当。"})  # fmt: skip
    removed = st.add_record(mentor, talk("sa2"))
    st.remove_record(mentor, removed.record_id)
    mine = st.find_progress(mentor)
    rows = {row["student_id"]: row for row in mine["students"]}
    assert set(rows) == {"sa1", "sa2"}
    assert rows["sa1"]["complete"] is True
    assert rows["sa2"]["talk"] is False  # deleted records do not count
    school = st.find_progress(st.actor_for("adm_a"))
    assert school["students"] == []  # a school admin sees classes, not individual rows
    a1 = next(c for c in school["classes"] if c["class_id"] == "A1")
    assert a1 == {"class_id": "A1", "students": 3, "home_visit": 1, "talk": 1, "growth_message": 1, "complete": 1}
    with pytest.raises(Forbidden):
        st.find_progress(st.actor_for("trainer1"))
    assert st.find_progress(mentor, "T-old")["students"][0]["complete"] is False


def test_me(store):
    me = store.find_me(store.actor_for("ht_a1"))
    assert me["classes"] == ["A1"] and me["schools"] == ["A"] and me["term_id"] == "T-cur"
    assert [m["student_id"] for m in me["mentees"]] == ["sa3"]
    assert "head_teacher" in me["roles"] and "mentor" in me["roles"]
    assert store.find_me(store.actor_for("trainer1"))["mentees"] == []
