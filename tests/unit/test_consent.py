"""Guardians and consents on SQLite and PostgreSQL: a record of a scope without the guardian's consent (or
after its withdrawal) is refused with a Chinese message naming the scope; what a mentor may record per
mentee; the school office's list of missing consents; who may enter and withdraw consents."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from hub.store import Conflict, Forbidden, Invalid, NotFound
from hub.store.consent_verbs import ConsentMissing
from hub.store.models import ConcernFlag, Consent, Record

TODAY = dt.date.today()
CHILD = "sa1"  # made 11 years old below; mentored by m_a
TEEN = "sa2"  # 14 (the small world's birth month): no guardian's consent needed; mentored by m_a


def talk(student_id=CHILD):
    return {"student_id": student_id, "kind": "talk", "date": TODAY.isoformat(), "talk_type": "例行关怀",
            "summary": "聊了开学以来的适应情况"}  # fmt: skip


def home_visit(student_id=CHILD):
    return {"student_id": student_id, "kind": "home_visit", "date": TODAY.isoformat(), "form": "视频",
            "purpose": "了解居家学习环境"}  # fmt: skip


@pytest.fixture
def world(fresh_small_world):
    store = fresh_small_world
    born = f"{TODAY.year - 11}-01"
    store.import_roster([], [], [], [
        {"student_id": CHILD, "display_name": "学生sa1", "school_id": "A", "class_id": "A1", "birth_year_month": born},
        {"student_id": "sa3", "display_name": "学生sa3", "school_id": "A", "class_id": "A1", "birth_year_month": None},
        {"student_id": "sa4", "display_name": "学生sa4", "school_id": "A", "class_id": "A2", "birth_year_month": born},
    ])  # fmt: skip
    office = store.actor_for("adm_a")
    mother = store.add_guardian(office, {"student_id": CHILD, "relation": "母亲", "name": "王某某",
                                         "contact_channel": "13912345678", "is_primary": True})  # fmt: skip
    return store, office, mother.guardian_id


def consent(store, office, guardian_id, scope, **extra):
    return store.add_consent(office, {"student_id": CHILD, "guardian_id": guardian_id, "scope": scope,
                                      "policy_version": "2026-09", "given_via": "书面签字", **extra})  # fmt: skip


def count(store, model, **where) -> int:
    with store.reading() as s:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return s.scalar(query)


def test_no_record_for_a_child_under_14_without_the_guardians_consent(world):
    store, office, mother = world
    mentor = store.actor_for("m_a")
    before = count(store, Record, student_id=CHILD)
    with pytest.raises(ConsentMissing) as refused:
        store.add_record(mentor, talk())
    assert refused.value.status == 403 and refused.value.field == "consent"
    assert "未满14周岁" in refused.value.message_zh and "“导师记录”" in refused.value.message_zh
    assert "德育处" in refused.value.message_zh  # says what to do
    assert count(store, Record, student_id=CHILD) == before
    consent(store, office, mother, "mentor_records")
    store.add_record(mentor, talk())
    with pytest.raises(ConsentMissing) as refused:  # a home visit needs its own scope
        store.add_record(mentor, home_visit())
    assert "“家访”" in refused.value.message_zh and refused.value.scope == "home_visit"
    consent(store, office, mother, "home_visit")
    store.add_record(mentor, home_visit())
    assert count(store, Record, student_id=CHILD) == before + 2


def test_a_student_of_14_needs_no_guardians_consent(world):
    store, _, _ = world
    assert store.find_student(store.actor_for("m_a"), TEEN).under_14() is False
    store.add_record(store.actor_for("m_a"), home_visit(TEEN))


def test_withdrawal_stops_new_records_and_edits_of_its_scope_and_keeps_the_old_ones(world):
    store, office, mother = world
    mentor = store.actor_for("m_a")
    consent(store, office, mother, "mentor_records")
    visit_consent = consent(store, office, mother, "home_visit")
    visit = store.add_record(mentor, home_visit())
    store.withdraw_consent(office, visit_consent.consent_id, {"withdrawn_via": "书面签字"})
    with pytest.raises(ConsentMissing) as refused:
        store.add_record(mentor, home_visit())
    assert "已撤回" in refused.value.message_zh and "“家访”" in refused.value.message_zh
    with pytest.raises(ConsentMissing):
        store.update_record(mentor, visit.record_id, {"purpose": "补充家访目的"})
    assert store.find_record(mentor, visit.record_id).fields["purpose"] == "了解居家学习环境"  # kept, unchanged
    store.add_record(mentor, talk())  # the other scope still holds
    store.remove_record(mentor, visit.record_id, reason="监护人撤回家访同意")  # deleting needs no consent
    with pytest.raises(Conflict):
        store.withdraw_consent(office, visit_consent.consent_id, {"withdrawn_via": "书面签字"})
    again = consent(store, office, mother, "home_visit", policy_version="2027-02")  # given again: a new row
    assert again.consent_id != visit_consent.consent_id
    store.add_record(mentor, home_visit())
    with store.reading() as s:
        rows = list(s.scalars(select(Consent).where(Consent.student_id == CHILD, Consent.scope == "home_visit")
                              .order_by(Consent.consent_id)))  # fmt: skip
    assert [(r.withdrawn_by, r.withdrawal_method) for r in rows] == [("adm_a", "书面签字"), (None, "")]
    entries = store.find_audit(store.actor_for("admin"), action="consent.")
    assert [e.action for e in reversed(entries)] == ["consent.give", "consent.give", "consent.withdraw",
                                                     "consent.give"]  # fmt: skip
    assert entries[1].detail == {"student_id": CHILD, "scope": "home_visit"}


def test_a_referral_outside_school_needs_its_consent_unless_a_life_is_at_risk(world):
    store, office, mother = world
    mentor = store.actor_for("m_a")
    refer = {"student_id": CHILD, "level": 2, "signals": ["情绪"], "referred_to": "医疗机构"}
    with pytest.raises(ConsentMissing) as refused:
        store.add_flag(mentor, refer)
    assert "“校外转介”" in refused.value.message_zh
    store.add_flag(mentor, {**refer, "immediate_risk": True})  # protecting a child's life needs no consent
    flag = store.add_flag(mentor, {"student_id": CHILD, "level": 1, "signals": ["情绪"]})  # within school: fine
    with pytest.raises(ConsentMissing):
        store.update_flag(store.actor_for("psy_a"), flag.flag_id, {"referred_to": "医疗机构"})
    consent(store, office, mother, "referral")
    store.update_flag(store.actor_for("psy_a"), flag.flag_id, {"referred_to": "医疗机构"})
    assert count(store, ConcernFlag, student_id=CHILD) == 2


def test_the_mentor_sees_what_may_be_recorded_for_each_mentee(world):
    store, office, mother = world
    consent(store, office, mother, "mentor_records")
    rows = {row["student_id"]: row for row in store.find_consents(store.actor_for("m_a"))}
    assert set(rows) == store.actor_for("m_a").mentee_ids == {CHILD, TEEN}
    child = rows[CHILD]
    assert child["needed"] is True and child["under_14"] is True
    assert {scope: state["status"] for scope, state in child["scopes"].items()} == {
        "mentor_records": "given", "home_visit": "missing", "referral": "missing"}
    assert child["scopes"]["mentor_records"]["policy_version"] == "2026-09"
    assert child["scopes"]["mentor_records"]["method"] == "书面签字"
    assert {state["status"] for state in rows[TEEN]["scopes"].values()} == {"not_needed"}
    assert "guardian" not in str(rows) and "13912345678" not in str(rows)  # no guardian data for mentors
    assert {r["student_id"] for r in store.find_consents(store.actor_for("ht_a1"))} == {CHILD, TEEN, "sa3"}
    assert [r["student_id"] for r in store.find_consents(store.actor_for("m_b"))] == ["sb1"]
    assert store.find_consents(store.actor_for("admin")) == []


def test_the_school_office_lists_missing_consents_of_its_school_only(world):
    store, office, mother = world
    consent(store, office, mother, "mentor_records")
    consent(store, office, mother, "home_visit")
    missing = {row["student_id"]: row for row in store.find_missing_consents(office)}
    assert missing[CHILD]["missing"] == ["referral"] and missing[CHILD]["reason"] == "consent"
    assert missing["sa4"]["missing"] == ["mentor_records", "home_visit", "referral"]
    assert missing["sa3"]["reason"] == "age_unknown"
    assert TEEN not in missing and "sb1" not in missing
    assert list(missing) == sorted(missing, key=lambda s: ({"sa1": "A1", "sa3": "A1", "sa4": "A2"}[s], s))
    assert store.find_missing_consents(store.actor_for("adm_b")) == []
    for user in ("m_a", "lead_a", "ht_a1", "admin"):
        with pytest.raises(Forbidden):
            store.find_missing_consents(store.actor_for(user))


def test_only_the_school_office_of_the_students_school_enters_guardians_and_consents(world):
    store, office, mother = world
    for user in ("m_a", "ht_a1", "lead_a", "adm_b", "admin", "psy_a"):
        actor = store.actor_for(user)
        with pytest.raises(NotFound):
            store.add_guardian(actor, {"student_id": CHILD, "relation": "父亲", "name": "李某"})
        with pytest.raises(NotFound):
            consent(store, actor, mother, "mentor_records")
        with pytest.raises(NotFound):
            store.find_guardians(actor, CHILD)
    given = consent(store, office, mother, "mentor_records")
    with pytest.raises(NotFound):
        store.withdraw_consent(store.actor_for("adm_b"), given.consent_id, {"withdrawn_via": "书面签字"})
    guardians = store.find_guardians(office, CHILD)
    assert [(g["relation"], g["contact_channel"], [c["scope"] for c in g["consents"]]) for g in guardians] == [
        ("母亲", "13912345678", ["mentor_records"])]
    entry = store.find_audit(store.actor_for("admin"), action="guardian.read")[0]  # contacts read: audited
    assert (entry.actor, entry.detail) == ("adm_a", {"student_ids": [CHILD], "guardian_ids": [mother]})


@pytest.mark.parametrize("change, field", [
    ({"scope": "photos"}, "scope"), ({"given_via": "口头"}, "given_via"), ({"policy_version": ""}, "policy_version"),
    ({"granted_on": (TODAY + dt.timedelta(days=3)).isoformat()}, "granted_on"), ({"guardian_id": 999999}, "guardian_id"),
    ({"guardian_id": "1"}, "guardian_id"), ({"extra": 1}, "extra"),
])  # fmt: skip
def test_a_bad_consent_is_refused_naming_the_field(world, change, field):
    store, office, mother = world
    payload = {"student_id": CHILD, "guardian_id": mother, "scope": "mentor_records", "policy_version": "2026-09",
               "given_via": "书面签字", **change}  # fmt: skip
    with pytest.raises((Invalid, NotFound)) as refused:
        store.add_consent(office, payload)
    assert refused.value.field == field and refused.value.message_zh
    assert count(store, Consent, student_id=CHILD) == 0


def test_a_guardian_of_another_student_cannot_consent_and_one_scope_holds_once(world):
    store, office, mother = world
    with pytest.raises(NotFound):
        store.add_consent(office, {"student_id": "sa4", "guardian_id": mother, "scope": "mentor_records",
                                   "policy_version": "2026-09", "given_via": "书面签字"})  # fmt: skip
    consent(store, office, mother, "mentor_records")
    with pytest.raises(Conflict):
        consent(store, office, mother, "mentor_records")
