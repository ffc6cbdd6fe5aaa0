"""A small district whose dashboard and portfolios are computed by hand in the tests (issue 22).

School A: class A3 (grade 3, 小学) with a1..a6 and class A7 (grade 7, 初中) with a7..a23; school B: class B8
(grade 8, 初中) with b1..b3 (too few to show). Mentors: ta1 (head teacher of A3) mentors a6; ta2 mentors
a1..a5; a1 and a2 need two mentors: a1 also has ta3 (psychology, a priority role), a2 also ta4 (a subject
teacher); ta5 mentors a7..a22 (16, over the 1:15 line); a23 has no mentor; tb1 mentors b1..b3.
Records this term: ta2 visits a1 and a3, talks with a1 and a2, writes a1's growth message; ta5 talks with
a7..a12. Training: foundations (tier 新任导师) done by ta1..ta3 (10 学时 each), not by ta4, ta5, tb1.
Activity: two 导师团 meetings of A3 (students a1, a2; then a3; ta2 attends the first), one district studio
session on two cases (ta2 attends), a case written by ta2, a 多对一 team for a1 led by ta3 with ta2 on it.
"""

from __future__ import annotations

import datetime as dt

from hub.store.models import Case, MentorTeam, MentorTeamMember, Studio, StudioMember, StudioSession
from hub.store.team_models import ClassTeamMeeting

ADULT = "2008-01"  # students of 14 and over: no guardian's consent needed for the records below


def build_hand_district(store, today: dt.date | None = None) -> dict:
    today = today or dt.date.today()
    store.add_term("T1", "2026-2027", 1, today - dt.timedelta(days=30), today + dt.timedelta(days=60))
    schools = [{"school_id": "A", "name": "甲校"}, {"school_id": "B", "name": "乙校"}]
    classes = [{"class_id": "A3", "school_id": "A", "grade": 3, "name": "三(1)班", "head_teacher_id": "ta1"},
               {"class_id": "A7", "school_id": "A", "grade": 7, "name": "七(1)班", "head_teacher_id": None},
               {"class_id": "B8", "school_id": "B", "grade": 8, "name": "八(1)班", "head_teacher_id": "tb1"}]  # fmt: skip
    staff = [{"staff_id": "ta1", "name": "甲一", "school_id": "A", "roles": ["subject", "head_teacher"]},
             {"staff_id": "ta2", "name": "甲二", "school_id": "A", "roles": ["subject"]},
             {"staff_id": "ta3", "name": "甲三", "school_id": "A", "roles": ["psychology"]},
             {"staff_id": "ta4", "name": "甲四", "school_id": "A", "roles": ["subject"]},
             {"staff_id": "ta5", "name": "甲五", "school_id": "A", "roles": ["subject"], "max_mentees": 20},
             {"staff_id": "adm", "name": "甲管", "school_id": "A", "roles": ["school_admin"]},
             {"staff_id": "lead", "name": "甲领", "school_id": "A", "roles": ["leader"]},
             {"staff_id": "tb1", "name": "乙一", "school_id": "B", "roles": ["subject", "head_teacher"]},
             {"staff_id": "admb", "name": "乙管", "school_id": "B", "roles": ["school_admin"]}]  # fmt: skip
    students = [{"student_id": f"a{n}", "display_name": f"学生甲{n}", "school_id": "A", "class_id": "A3" if n <= 6 else "A7",
                 "needs_mentors": 2 if n in (1, 2) else 1, "birth_year_month": ADULT} for n in range(1, 24)]
    students += [{"student_id": f"b{n}", "display_name": f"学生乙{n}", "school_id": "B", "class_id": "B8",
                  "birth_year_month": ADULT} for n in range(1, 4)]  # fmt: skip
    store.import_roster(schools, classes, staff, students)
    store.add_account("dist1", platform_roles=["district"], must_change_password=False)
    store.add_account("admin", platform_roles=["admin"], must_change_password=False)
    rows = [{"student_id": f"a{n}", "staff_id": "ta2", "kind": "primary"} for n in range(1, 6)]
    rows += [{"student_id": "a6", "staff_id": "ta1", "kind": "primary"},
             {"student_id": "a1", "staff_id": "ta3", "kind": "additional"},
             {"student_id": "a2", "staff_id": "ta4", "kind": "additional"}]  # fmt: skip
    rows += [{"student_id": f"a{n}", "staff_id": "ta5", "kind": "primary"} for n in range(7, 23)]
    store.add_assignments(store.actor_for("adm"), "T1", rows)
    store.add_assignments(store.actor_for("admb"), "T1",
                          [{"student_id": f"b{n}", "staff_id": "tb1", "kind": "primary"} for n in range(1, 4)])
    day = (today - dt.timedelta(days=1)).isoformat()
    ta2, ta5 = store.actor_for("ta2"), store.actor_for("ta5")
    visit = {"kind": "home_visit", "date": day, "form": "入户", "purpose": "了解家庭情况", "participants": "导师、母亲"}
    talk = {"kind": "talk", "date": day, "talk_type": "例行关怀", "summary": "聊了最近的学习和生活情况"}
    for student, body in (("a1", visit), ("a3", visit), ("a1", talk), ("a2", talk)):
        store.add_record(ta2, {"student_id": student, **body})
    store.add_record(ta2, {"student_id": "a1", "kind": "growth_message", "date": day,
                           "text": "你在班级活动中主动帮助同学，愿你继续保持这份热心。", "delivered_via": "手写卡"})  # fmt: skip
    for n in range(7, 13):
        store.add_record(ta5, {"student_id": f"a{n}", **talk})
    store.put_training_results("foundations", "导师工作基础", [
        {"staff_id": sid, "completed": sid in ("ta1", "ta2", "ta3"), "hours": 10.0 if sid in ("ta1", "ta2", "ta3") else 0.0}
        for sid in ("ta1", "ta2", "ta3", "ta4", "ta5", "tb1")])  # fmt: skip
    with store.writing() as s:
        s.add(ClassTeamMeeting(class_id="A3", meeting_date=today - dt.timedelta(days=5), attendees=["ta1", "ta2"],
                               student_codes=["a1", "a2"], author="ta1"))  # fmt: skip
        s.add(ClassTeamMeeting(class_id="A3", meeting_date=today - dt.timedelta(days=3), attendees=["ta1"],
                               student_codes=["a3"], author="ta1"))  # fmt: skip
        s.add(Studio(studio_id="s1", name="区导师工作室", level="区级", host="ta3", school_id=None))
        s.flush()
        s.add(StudioMember(studio_id="s1", username="ta2", role="member"))
        s.add(StudioSession(studio_id="s1", date=today - dt.timedelta(days=2), topic="案例研讨",
                            case_ids=["c1", "c2"], attendance=["ta2", "ta3"]))  # fmt: skip
        s.add(Case(case_id="c-ta2", author="ta2", title="新生适应的陪伴", status="published"))
        team = MentorTeam(term_id="T1", student_id="a1", lead_staff_id="ta3", reason="多对一")
        s.add(team)
        s.flush()
        s.add_all([MentorTeamMember(team_id=team.team_id, staff_id="ta3", role="lead"),
                   MentorTeamMember(team_id=team.team_id, staff_id="ta2", role="member")])
    store.forget_cached()
    return {"today": today, "student_names": [s["display_name"] for s in students]}
