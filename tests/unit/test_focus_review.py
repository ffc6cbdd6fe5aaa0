"""排摸重点对象 (issue 20, part 5) on the small world, SQLite and PostgreSQL: candidates from concern flags,
多对一 teams and mentors' nominations; only the school's leaders and psychology teacher review and decide,
every read and write audited without the texts; a focus student gets a 多对一 team from the review; the
reason and the note are sealed at rest; hostile input is refused with the field named, nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from hub.store import Conflict, Forbidden, Invalid, NotFound, open_store


@pytest.fixture
def world(keyed_small_world):
    return keyed_small_world


def who(store, name):
    return store.actor_for(name)


def audit_rows(store, action):
    return [(a.actor, a.detail) for a in store.find_audit(who(store, "admin"), action=action)]


def test_candidates_come_from_concerns_teams_and_nominations(world):
    world.add_flag(who(world, "m_a"), {"student_id": "sa1", "level": 2, "signals": ["情绪"],
                                       "details": "最近常常一个人坐着。"})  # fmt: skip
    world.add_support_team(who(world, "lead_a"), {"student_id": "sa4", "lead_staff_id": "ht_a2", "members": [],
                                                  "goals": ["按时到校"]})  # fmt: skip
    nominated = world.add_focus_nomination(who(world, "ht_a1"), {"student_id": "sa3",
                                                                 "reason": "父母离异后成绩下滑明显，情绪波动。"})
    assert nominated["student_id"] == "sa3"
    for name in ("lead_a", "psy_a"):
        review = world.find_focus_review(who(world, name))
        rows = {r["student_id"]: r for r in review["candidates"]}
        assert list(rows) == ["sa1", "sa3", "sa4"]  # by class, then id; sa2 and school B's student are not here
        assert rows["sa1"]["sources"] == ["concern"] and rows["sa1"]["concerns"][0]["level"] == 2
        assert "details" not in str(rows["sa1"]) and "一个人坐着" not in str(review)
        assert rows["sa4"]["sources"] == ["support_team"] and rows["sa4"]["support_team_id"]
        assert rows["sa3"]["nominations"][0]["reason"].startswith("父母离异") and rows["sa3"]["sources"] == ["nomination"]
    assert world.find_focus_review(who(world, "lead_a"))["may_start_team"] is True
    assert world.find_focus_review(who(world, "psy_a"))["may_start_team"] is False  # no support_team.manage
    reads = audit_rows(world, "focus.read")
    assert sorted(actor for actor, _ in reads) == ["lead_a", "lead_a", "psy_a", "psy_a"]
    assert all(detail["student_ids"] == ["sa1", "sa3", "sa4"] for _, detail in reads)
    assert "父母离异" not in str(audit_rows(world, "focus.nominate"))


@pytest.mark.parametrize("name", ["m_a", "ht_a1", "adm_a", "plain_a", "m_b", "trainer1", "admin", "studio1"])
def test_nobody_else_reviews_or_decides(world, name):
    with pytest.raises(Forbidden):
        world.find_focus_review(who(world, name))
    with pytest.raises(NotFound):
        world.decide_focus(who(world, name), "sa1", {"outcome": "focus"})


def test_the_psychology_teacher_of_another_school_cannot_decide(world):
    with pytest.raises(NotFound):
        world.decide_focus(who(world, "psy_a"), "sb1", {"outcome": "focus"})


@pytest.mark.parametrize("name, student", [("m_a", "sa3"), ("m_a", "sb1"), ("adm_a", "sa1"), ("lead_a", "sa1")])
def test_a_mentor_nominates_only_their_own_mentees(world, name, student):
    # lead_a mentors sa4 only; a school admin mentors nobody
    with pytest.raises(NotFound):
        world.add_focus_nomination(who(world, name), {"student_id": student, "reason": "需要更多关注和陪伴。"})


@pytest.mark.parametrize("body, error, field", [
    ({"student_id": "sa1"}, Invalid, "reason"),
    ({"student_id": "sa1", "reason": "短"}, Invalid, "reason"),
    ({"student_id": "sa1", "reason": "x" * 301}, Invalid, "reason"),
    ({"student_id": "sa1", "reason": "家长电话 13812345678 请联系"}, Invalid, "reason"),
    ({"student_id": "sa1", "reason": "ok\ud800 reason text"}, Invalid, "reason"),
    ({"student_id": "sa1", "reason": "需要关注和陪伴。", "extra": 1}, Invalid, None),
])  # fmt: skip
def test_a_bad_nomination_is_refused_and_nothing_is_written(world, body, error, field):
    with pytest.raises(error) as caught:
        world.add_focus_nomination(who(world, "m_a"), body)
    if field:
        assert caught.value.field == field and caught.value.message_zh
    assert world.find_my_nominations(who(world, "m_a")) == []


def test_one_nomination_per_mentor_and_student_and_the_mentor_sees_only_their_own(world):
    world.add_focus_nomination(who(world, "m_a"), {"student_id": "sa1", "reason": "期中后明显退缩，不愿交流。"})
    with pytest.raises(Conflict):
        world.add_focus_nomination(who(world, "m_a"), {"student_id": "sa1", "reason": "再次提名这名学生。"})
    world.add_focus_nomination(who(world, "psy_a"), {"student_id": "sa2", "reason": "心理测评结果需要跟进。"})
    assert [n["student_id"] for n in world.find_my_nominations(who(world, "m_a"))] == ["sa1"]
    world.decide_focus(who(world, "lead_a"), "sa1", {"outcome": "focus", "note": "本学期重点关注。"})
    assert "outcome" not in str(world.find_my_nominations(who(world, "m_a")))


def test_decisions_are_kept_per_term_audited_and_sealed(world):
    with pytest.raises(Invalid) as caught:
        world.decide_focus(who(world, "psy_a"), "sa2", {"outcome": "not_focus"})
    assert caught.value.field == "note"
    with pytest.raises(Invalid):
        world.decide_focus(who(world, "psy_a"), "sa2", {"outcome": "maybe"})
    decided = world.decide_focus(who(world, "psy_a"), "sa2", {"outcome": "not_focus", "note": "已由班主任跟进，暂不列入。"})
    assert decided["outcome_text"] == "暂不列为重点对象"
    world.decide_focus(who(world, "lead_a"), "sa2", {"outcome": "focus", "note": "复核后列为重点对象。"})
    row = {r["student_id"]: r for r in world.find_focus_review(who(world, "psy_a"))["candidates"]}["sa2"]
    assert row["decision"]["outcome"] == "focus" and row["decision"]["decided_by"] == "lead_a"
    decisions = audit_rows(world, "focus.decide")
    assert [(a, d["outcome"], d["previous"]) for a, d in decisions][-2:] in (
        [("psy_a", "not_focus", None), ("lead_a", "focus", "not_focus")],
        [("lead_a", "focus", "not_focus"), ("psy_a", "not_focus", None)])
    assert "复核" not in str(decisions)
    with world.engine.connect() as conn:
        stored = conn.execute(text("SELECT note FROM focus_decisions")).scalar()
    assert stored.startswith("enc:v1:") and "复核" not in stored


def test_a_focus_student_gets_a_support_team_from_the_review(world):
    plan = {"lead_staff_id": "ht_a1", "members": ["psy_a"], "goals": ["每周一次谈心"]}
    with pytest.raises(Conflict):  # not decided yet
        world.start_focus_team(who(world, "lead_a"), "sa1", plan)
    world.decide_focus(who(world, "psy_a"), "sa1", {"outcome": "focus", "note": ""})
    with pytest.raises(Exception) as caught:  # the psychology teacher reviews but does not set teams up
        world.start_focus_team(who(world, "psy_a"), "sa1", plan)
    assert caught.value.status in (403, 404)
    made = world.start_focus_team(who(world, "lead_a"), "sa1", plan)
    assert made["decision"]["team_id"] == made["team_id"]
    assert world.find_support_plan(who(world, "psy_a"), made["team_id"])["reason"] == "排摸重点对象"
    with pytest.raises(Conflict):
        world.start_focus_team(who(world, "lead_a"), "sa1", plan)
    row = {r["student_id"]: r for r in world.find_focus_review(who(world, "lead_a"))["candidates"]}["sa1"]
    assert row["decision"]["team_id"] == made["team_id"] and "support_team" in row["sources"]
    assert [a for a, _ in audit_rows(world, "focus.team")] == ["lead_a"]


def test_key_rotation_reseals_and_retention_removes_what_was_written_about_a_student(world, tmp_path):
    from hub.store.crypto import rotate_keys
    from hub.store.retention_verbs import RetentionRule

    world.add_focus_nomination(who(world, "m_a"), {"student_id": "sa1", "reason": "期中后明显退缩，不愿交流。"})
    world.decide_focus(who(world, "psy_a"), "sa1", {"outcome": "not_focus", "note": "班主任已在跟进。"})
    assert world.count_sealed()["focus_nominations"] and world.count_sealed()["focus_decisions"]
    world.close()
    url = str(world.engine.url.render_as_string(hide_password=False))
    ring = rotate_keys(tmp_path / "field-keys.json")
    store = open_store(url, keyring=ring)
    changed = store.reseal_sensitive_fields()
    assert changed["focus_nominations"] == 1 and changed["focus_decisions"] == 1
    store.mark_students_left(["sa1"], dt.date(2000, 1, 1))
    store.run_retention(RetentionRule.from_settings({}))
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM focus_nominations")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM focus_decisions")).scalar() == 0
    store.close()


@pytest.mark.parametrize("body", [{"outcome": ["focus"]}, {"outcome": {"a": 1}}, {"outcome": None}, [], "focus"])
def test_a_decision_of_the_wrong_shape_is_refused(world, body):
    with pytest.raises(Invalid):
        world.decide_focus(who(world, "lead_a"), "sa1", body)


def test_the_access_review_shows_who_opened_the_focus_review(world):
    world.add_flag(who(world, "m_a"), {"student_id": "sa1", "level": 1, "signals": ["情绪"], "details": "午饭常独自一人。"})
    world.find_focus_review(who(world, "psy_a"))
    review = world.find_access_review(who(world, "lead_a"), None, None, None)
    psy = next(r for r in review["readers"] if r["who"] == "psy_a")
    assert psy["actions"].get("focus.read") == 1 and "sa1" in psy["students"]


def nomination_row(store, nomination_id):
    with store.engine.connect() as conn:
        return conn.execute(text("SELECT student_id, nominated_by, withdrawn_at, withdrawn_by FROM focus_nominations "
                                 "WHERE nomination_id = :n"), {"n": nomination_id}).one()  # fmt: skip


def test_the_nominating_mentor_withdraws_an_open_nomination_kept_and_audited(world):
    made = world.add_focus_nomination(who(world, "ht_a1"), {"student_id": "sa3", "reason": "父母离异后成绩下滑明显。"})
    assert [n["status"] for n in world.find_my_nominations(who(world, "ht_a1"))] == ["open"]
    assert "sa3" in {c["student_id"] for c in world.find_focus_review(who(world, "lead_a"))["candidates"]}
    withdrawn = world.withdraw_focus_nomination(who(world, "ht_a1"), made["nomination_id"])
    assert withdrawn["status"] == "withdrawn" and withdrawn["withdrawn_by"] == "ht_a1"
    # kept, marked withdrawn (no delete); the mentor sees it so; the reviewers no longer see it
    row = nomination_row(world, made["nomination_id"])
    assert row.withdrawn_by == "ht_a1" and row.withdrawn_at is not None
    [mine] = world.find_my_nominations(who(world, "ht_a1"))
    assert (mine["status"], mine["status_text"]) == ("withdrawn", "已撤回") and mine["reason"].startswith("父母离异")
    for reviewer in ("lead_a", "psy_a"):
        assert "sa3" not in {c["student_id"] for c in world.find_focus_review(who(world, reviewer))["candidates"]}
    [(actor, detail)] = audit_rows(world, "focus.withdraw")
    assert actor == "ht_a1" and detail == {"nomination_id": made["nomination_id"], "term_id": "T-cur",
                                           "nominated_by": "ht_a1"}  # fmt: skip
    assert "父母离异" not in str(audit_rows(world, "focus.withdraw"))
    with pytest.raises(Conflict) as caught:  # once only
        world.withdraw_focus_nomination(who(world, "ht_a1"), made["nomination_id"])
    assert caught.value.message_zh == "该提名已经撤回"
    # a withdrawn nomination does not count against nominating the student again
    again = world.add_focus_nomination(who(world, "ht_a1"), {"student_id": "sa3", "reason": "情况再次出现，重新提名。"})
    assert [n["status"] for n in world.find_my_nominations(who(world, "ht_a1"))] == ["withdrawn", "open"]
    review = {c["student_id"]: c for c in world.find_focus_review(who(world, "lead_a"))["candidates"]}
    assert [n["reason"] for n in review["sa3"]["nominations"]] == ["情况再次出现，重新提名。"]
    assert again["nomination_id"] != made["nomination_id"]


def test_a_reviewer_of_the_school_may_withdraw_a_nomination(world):
    made = world.add_focus_nomination(who(world, "m_a"), {"student_id": "sa1", "reason": "期中后明显退缩，不愿交流。"})
    assert world.withdraw_focus_nomination(who(world, "psy_a"), made["nomination_id"])["withdrawn_by"] == "psy_a"
    [mine] = world.find_my_nominations(who(world, "m_a"))
    assert mine["status"] == "withdrawn" and mine["withdrawn_by"] == "psy_a"


@pytest.mark.parametrize("name", ["m_a", "adm_a", "plain_a", "m_b", "ht_b1", "adm_b", "trainer1", "admin", "studio1"])
def test_nobody_else_withdraws_a_nomination_not_even_another_mentor_of_the_student(world, name):
    # m_a becomes a second mentor of sa3: the scope covers the student, but the nomination is ht_a1's
    world.add_assignments(who(world, "adm_a"), "T-cur", [{"student_id": "sa3", "staff_id": "m_a",
                                                          "kind": "additional"}], replace=False)  # fmt: skip
    made = world.add_focus_nomination(who(world, "ht_a1"), {"student_id": "sa3", "reason": "父母离异后成绩下滑明显。"})
    with pytest.raises(NotFound) as caught:
        world.withdraw_focus_nomination(who(world, name), made["nomination_id"])
    assert caught.value.message_zh == f"找不到编号为 {made['nomination_id']} 的提名"  # as if it did not exist
    assert nomination_row(world, made["nomination_id"]).withdrawn_at is None
    assert audit_rows(world, "focus.withdraw") == []


def test_another_schools_reviewers_cannot_withdraw_and_nobody_sees_it_exists(world):
    made = world.add_focus_nomination(who(world, "m_b"), {"student_id": "sb1", "reason": "转学后一直不适应。"})
    for name in ("lead_a", "psy_a"):
        with pytest.raises(NotFound) as caught:
            world.withdraw_focus_nomination(who(world, name), made["nomination_id"])
        missing = world.withdraw_focus_nomination
        with pytest.raises(NotFound) as none:
            missing(who(world, name), made["nomination_id"] + 1000)
        assert caught.value.message_en.replace(str(made["nomination_id"]), "N") == \
            none.value.message_en.replace(str(made["nomination_id"] + 1000), "N")
    assert nomination_row(world, made["nomination_id"]).withdrawn_at is None


def test_a_nomination_can_no_longer_be_withdrawn_once_the_student_is_decided(world):
    made = world.add_focus_nomination(who(world, "m_a"), {"student_id": "sa2", "reason": "家里刚添了弟弟，情绪起伏。"})
    world.decide_focus(who(world, "lead_a"), "sa2", {"outcome": "not_focus", "note": "班主任已在跟进。"})
    for name in ("m_a", "lead_a"):
        with pytest.raises(Conflict) as caught:
            world.withdraw_focus_nomination(who(world, name), made["nomination_id"])
        assert caught.value.message_zh == "本学期的排摸已对该生作出结论，提名不能再撤回"
    assert nomination_row(world, made["nomination_id"]).withdrawn_at is None
    [mine] = world.find_my_nominations(who(world, "m_a"))
    assert mine["status"] == "decided" and "not_focus" not in str(mine)  # decided, not the outcome
    row = {c["student_id"]: c for c in world.find_focus_review(who(world, "psy_a"))["candidates"]}["sa2"]
    assert len(row["nominations"]) == 1


def test_a_past_terms_nomination_is_not_withdrawn(world):
    made = world.add_focus_nomination(who(world, "m_a"), {"student_id": "sa1", "reason": "期中后明显退缩，不愿交流。"})
    with world.engine.begin() as conn:
        conn.execute(text("UPDATE focus_nominations SET term_id = 'T-old' WHERE nomination_id = :n"),
                     {"n": made["nomination_id"]})
    with pytest.raises(Conflict):
        world.withdraw_focus_nomination(who(world, "m_a"), made["nomination_id"])


@pytest.mark.parametrize("bad", ["abc", "1", "1 OR 1=1", "", None, True, 1.0, -1, 0, 2**63, 10**40, [1], {"id": 1},
                                 "１", "\ud800", "x" * 10_000])  # fmt: skip
def test_a_nomination_id_that_is_no_row_id_is_not_found_and_nothing_changes(world, bad):
    made = world.add_focus_nomination(who(world, "m_a"), {"student_id": "sa1", "reason": "期中后明显退缩，不愿交流。"})
    with pytest.raises(NotFound) as caught:
        world.withdraw_focus_nomination(who(world, "m_a"), bad)
    assert caught.value.field == "nomination_id" and len(caught.value.message_zh) < 80
    assert "\ud800" not in caught.value.message_zh
    assert nomination_row(world, made["nomination_id"]).withdrawn_at is None
