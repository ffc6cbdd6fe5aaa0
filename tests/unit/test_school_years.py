"""Two school years on the demo district (issue 20, part 2): terms added, records across terms, a roll-over
within the year and two at a new school year (promotions, graduates, the new year's students), a mid-term
class change, a move to another school and a mentor's long leave with the mentees reassigned. At each step
the access table is asserted for the old and the new mentor (and head teacher, and school), the progress
counts are recomputed from the rows themselves, and no record is lost.

Who sees what after a change is documented in ``hub.store.year_verbs`` and README "Changes during the year".
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest
from sqlalchemy import select

from hub.demo import seed_demo
from hub.store import Conflict, Invalid, NotFound, open_store
from hub.store import access as A
from hub.store.consent_verbs import ConsentMissing
from hub.store.models import Record
from hub.store.testing import new_database_url
from hub.store.year_verbs import promoted_name

D0 = dt.date(2030, 11, 10)  # the demo's term is 2030-09-01 .. 2031-01-19
T1, T2, T3, T4, T5 = "2030-2031-1", "2030-2031-2", "2031-2032-1", "2031-2032-2", "2032-2033-1"
TRI_ONE = ("home_visit", "talk", "growth_message")
TALK = {"kind": "talk", "talk_type": "例行关怀", "summary": "聊了聊最近的学习和同伴关系。"}
VISIT = {"kind": "home_visit", "form": "视频", "purpose": "了解假期作息与新学期准备"}


class District:
    """The demo district with a clock the test moves, and what the test has written."""

    def __init__(self, store, clock):
        self.store, self.clock = store, clock
        self.written = store.count_records()

    def on(self, day: dt.date) -> None:
        self.clock["day"] = day
        self.store.forget_cached()

    def actor(self, name):
        return self.store.actor_for(name)

    def write(self, who: str, student_id: str, payload: dict, day: dt.date | None = None):
        record = self.store.add_record(self.actor(who), {**payload, "student_id": student_id,
                                                         "date": (day or self.clock["day"]).isoformat()})  # fmt: skip
        self.written += 1
        return record

    def records_by_student(self) -> dict[str, list[int]]:
        with self.store.reading() as s:
            rows = s.execute(select(Record.student_id, Record.record_id).order_by(Record.record_id)).all()
        out = defaultdict(list)
        for student_id, record_id in rows:
            out[student_id].append(record_id)
        return dict(out)

    def mentor_of(self, student_id: str, term: str) -> str:
        with self.store.reading() as s:
            from hub.store.models import MentorAssignment

            return s.scalar(select(MentorAssignment.staff_id).where(
                MentorAssignment.term_id == term, MentorAssignment.student_id == student_id,
                MentorAssignment.kind == "primary"))  # fmt: skip

    def pairs(self, term: str) -> set[tuple[str, str, str]]:
        from hub.store.models import MentorAssignment

        with self.store.reading() as s:
            return set(s.execute(select(MentorAssignment.student_id, MentorAssignment.staff_id, MentorAssignment.kind)
                                 .where(MentorAssignment.term_id == term)).all())  # fmt: skip


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    url, _ = new_database_url("sqlite", tmp_path_factory.mktemp("years"))
    clock = {"day": D0}
    store = open_store(url, today=lambda: clock["day"])
    seed_demo(store, today=D0)
    yield District(store, clock)
    store.close()


# --- what every step checks ------------------------------------------------------------------------------
def reads(district, who: str, student_id: str) -> list[int] | None:
    """The record ids ``who`` reads for the student (in id order), or None when the student is out of their reach."""
    try:
        return sorted(r.record_id for r in district.store.find_records(district.actor(who), student_id))
    except NotFound:
        return None


def assert_nothing_lost(district, before: dict[str, list[int]], added: dict[str, int] | None = None) -> dict:
    """Every record is still there (none deleted, none moved to another student); the count is what was written."""
    now = district.records_by_student()
    for student_id, ids in before.items():
        assert now[student_id][:len(ids)] == ids, student_id
    assert sum(map(len, now.values())) == district.written == district.store.count_records()
    return now


def assert_progress_right(district, admin: str, school: str, term: str) -> dict:
    """The school's per-class and per-mentor counts, recomputed here from the students and the records."""
    progress = district.store.find_progress(district.actor(admin), term)
    students = district.store.find_students_in(school)
    with district.store.reading() as s:
        done = set(s.execute(select(Record.student_id, Record.kind).where(
            Record.term_id == term, Record.deleted_at.is_(None), Record.kind.in_(TRI_ONE))).all())  # fmt: skip
    expected = defaultdict(Counter)
    for student in students:
        counts = expected[student.class_id]
        counts["students"] += 1
        for kind in TRI_ONE:
            counts[kind] += (student.student_id, kind) in done
        counts["complete"] += all((student.student_id, kind) in done for kind in TRI_ONE)
    assert {row["class_id"]: {k: row[k] for k in ("students", *TRI_ONE, "complete")} for row in progress["classes"]} \
        == {class_id: {k: c[k] for k in ("students", *TRI_ONE, "complete")} for class_id, c in expected.items()}
    pairs = [(staff, student) for student, staff, _ in district.pairs(term)
             if student in {st.student_id for st in students}]
    mentees = defaultdict(set)
    for staff, student in pairs:
        mentees[staff].add(student)
    assert {row["staff_id"]: row["students"] for row in progress["mentors"]} == \
        {staff: len(ids) for staff, ids in mentees.items()}
    return progress


def assert_change(district, student_id: str, *, lost: list[str], gained: list[str], history: list[int]) -> None:
    """After a change: those who lost the student read nothing of them; those who gained them read every
    earlier record (``history``), whoever wrote it."""
    for who in lost:
        assert reads(district, who, student_id) is None, f"{who} still reads {student_id}"
        with pytest.raises(NotFound):
            district.store.find_student(district.actor(who), student_id)
    for who in gained:
        assert reads(district, who, student_id) == history, f"{who} does not read {student_id}'s history"


# --- year one --------------------------------------------------------------------------------------------
def test_1_first_term_records(district):
    assert district.store.current_term().term_id == T1
    mentor = district.actor("teacher10")  # a mentor who is not a head teacher
    for student_id in sorted(mentor.mentee_ids):
        district.write("teacher10", student_id, TALK, D0 - dt.timedelta(days=3))
    assert_nothing_lost(district, {})
    for admin, school in (("schooladmin1", "dh"), ("schooladmin2", "xl")):
        assert_progress_right(district, admin, school, T1)


def test_2_the_second_term_carries_every_pairing_over(district):
    before = district.records_by_student()
    district.store.add_term_with_calendar(T2, dt.date(2031, 2, 17), dt.date(2031, 6, 30),
                                          {"exams": [{"name": "期中考试", "date": "2031-04-20"}]})  # fmt: skip
    summary = district.store.roll_over(T1, T2, by="test")
    assert summary["new_year"] is False and "graduates" not in summary
    assert summary["carried"] == len(district.pairs(T1)) and summary["not_carried"] == {}
    assert summary["review"] == {"unmatched": 0, "over_capacity": 0, "away_with_mentees": 0, "needs_more_mentors": 0}
    assert {(s, m, k) for s, m, k in district.pairs(T2)} == district.pairs(T1)
    with pytest.raises(Conflict):
        district.store.roll_over(T1, T2)  # once only
    district.on(dt.date(2031, 2, 10))  # in T2's home-visit window, before its first day
    assert district.store.current_term().term_id == T2
    student = sorted(district.actor("teacher1").mentee_ids)[0]
    assert district.write("teacher1", student, VISIT).term_id == T2
    assert_nothing_lost(district, before)
    assert_progress_right(district, "schooladmin1", "dh", T2)
    assert_progress_right(district, "schooladmin1", "dh", T1)  # the first term keeps its own counts


def test_3_a_class_change_mid_term(district):
    district.on(dt.date(2031, 3, 15))
    before = district.records_by_student()
    ht_old, ht_new = "teacher1", "teacher2"  # head teachers of dh-601 and dh-602
    student = next(s.student_id for s in district.store.find_students_in("dh", "dh-601")
                   if district.mentor_of(s.student_id, T2) not in (ht_old, ht_new)
                   and before.get(s.student_id))  # fmt: skip
    mentor = district.mentor_of(student, T2)
    history = before[student]
    assert reads(district, ht_old, student) == history and reads(district, ht_new, student) is None
    totals = {row["class_id"]: row["students"] for row in assert_progress_right(district, "schooladmin1", "dh", T2)["classes"]}
    with pytest.raises(NotFound):  # only the school's admin moves students
        district.store.move_student(district.actor(mentor), student, "dh-602", reason="家长申请")
    with pytest.raises(Invalid) as caught:
        district.store.move_student(district.actor("schooladmin1"), student, "dh-602", reason="")
    assert caught.value.field == "reason"
    moved = district.store.move_student(district.actor("schooladmin1"), student, "dh-602", reason="家长申请转班")
    assert moved["mentor_kept"] is True and district.mentor_of(student, T2) == mentor
    assert_change(district, student, lost=[ht_old], gained=[ht_new, mentor, "principal1"], history=history)
    progress = assert_progress_right(district, "schooladmin1", "dh", T2)
    after = {row["class_id"]: row["students"] for row in progress["classes"]}
    assert (after["dh-601"], after["dh-602"]) == (totals["dh-601"] - 1, totals["dh-602"] + 1)
    assert sum(after.values()) == sum(totals.values())
    district.write(mentor, student, TALK)  # the mentor goes on writing: continuity
    assert_nothing_lost(district, before)


def test_4_a_mentor_on_long_leave_and_the_mentees_reassigned(district):
    district.on(dt.date(2031, 4, 1))
    before = district.records_by_student()
    admin = district.actor("schooladmin1")
    mentees = sorted(district.actor("teacher10").mentee_ids)
    assert mentees and all(reads(district, "teacher10", s) == before[s] for s in mentees)
    loads = Counter(m for _, m, k in district.pairs(T2) if k == "primary")
    takers = [f"teacher{n}" for n in (9, 11, 12, 13, 14) for _ in range(15 - loads[f"teacher{n}"])]
    plan = {student: takers[i] for i, student in enumerate(mentees)}
    with pytest.raises(Invalid) as caught:  # every primary mentee needs a new mentor: nothing happens
        district.store.mark_staff_leave(admin, "teacher10", kind="leave", reason="病假三个月",
                                        reassign=dict(list(plan.items())[1:]), until_date="2031-12-31")  # fmt: skip
    assert caught.value.field == "reassign"
    assert district.actor("teacher10").mentee_ids == set(mentees)
    with pytest.raises(Invalid):  # nobody takes more than their capacity
        district.store.mark_staff_leave(admin, "teacher10", kind="leave", reason="病假三个月",
                                        reassign=dict.fromkeys(mentees, "teacher11"), until_date="2031-12-31")
    done = district.store.mark_staff_leave(admin, "teacher10", kind="leave", reason="病假三个月", reassign=plan,
                                           until_date="2031-12-31")  # fmt: skip
    assert done["reassigned"] == plan
    assert district.actor("teacher10").mentee_ids == frozenset()
    for student, new_mentor in plan.items():
        assert_change(district, student, lost=["teacher10"], gained=[new_mentor], history=before[student])
        # the old mentor's own talk of the first term is among what the new mentor reads
        assert any(r.author == "teacher10" for r in district.store.find_records(district.actor(new_mentor), student))
        change = district.store.find_mentor_changes(admin, student)[-1]
        assert (change["old_staff_id"], change["new_staff_id"], change["reason_code"], change["reason"]) == (
            "teacher10", new_mentor, "mentor_leave", "病假三个月")
    review = district.store.find_matching_review(admin)
    assert review["unmatched"] == [] and review["over_capacity"] == [] and review["away_with_mentees"] == []
    with pytest.raises(Invalid):  # a mentor on leave takes no new mentee
        district.store.reassign_mentor(admin, mentees[0], "teacher10", reason_code="other", reason="试一试")
    progress = assert_progress_right(district, "schooladmin1", "dh", T2)
    assert "teacher10" not in {row["staff_id"] for row in progress["mentors"]}
    assert_progress_right(district, "schooladmin1", "dh", T1)  # teacher10 keeps the first term's counts
    assert "teacher10" in {row["staff_id"] for row in district.store.find_progress(admin, T1)["mentors"]}
    assert_nothing_lost(district, before)


def test_4b_the_focus_review_and_the_reminders_follow_the_reassignment(district):
    """排摸重点对象 and reminders (issue 20, parts 5 and 6) after teacher10's leave: the old mentor nominates
    nothing and is reminded of nothing; the new mentor nominates, the school's leader and psychology teacher
    review; the school's reminder counts are the tasks really missing."""
    district.on(dt.date(2031, 4, 2))
    before = district.records_by_student()
    moved = {s: district.mentor_of(s, T2) for s in before if district.mentor_of(s, T2) and s.startswith("dh")}
    student = next(s for s in sorted(moved) if any(
        c["old_staff_id"] == "teacher10" for c in district.store.find_mentor_changes(district.actor("schooladmin1"), s)))
    new_mentor = moved[student]
    with pytest.raises(NotFound):
        district.store.add_focus_nomination(district.actor("teacher10"), {"student_id": student, "reason": "原结对学生，需要关注。"})
    district.store.add_focus_nomination(district.actor(new_mentor), {"student_id": student, "reason": "换导师后适应较慢，需要关注。"})
    for reviewer in ("principal1", "psych1"):
        rows = {r["student_id"]: r for r in district.store.find_focus_review(district.actor(reviewer))["candidates"]}
        assert [n["by"] for n in rows[student]["nominations"]] == [new_mentor]
    district.store.decide_focus(district.actor("principal1"), student, {"outcome": "focus", "note": "换导师后重点关注"})
    assert district.store.find_reminders(district.actor("teacher10"))["items"] == []
    mine = district.store.find_reminders(district.actor(new_mentor))
    with district.store.reading() as s:
        visited = set(s.scalars(select(Record.student_id).where(Record.term_id == T2, Record.kind == "home_visit",
                                                                Record.deleted_at.is_(None))))  # fmt: skip
    expected = student not in visited
    assert any(i["student_id"] == student and i["task"] == "home_visit" and i["state"] == "overdue"
               for i in mine["items"]) is expected
    school = district.store.find_reminders(district.actor("schooladmin1"))["school"]
    dh = {st.student_id for st in district.store.find_students_in("dh")}
    assert school["overdue"]["home_visit"] == len(dh - visited)  # the home-visit window closed in February
    digest = {row["school_id"]: row for row in district.store.reminder_digest()["schools"]}
    assert digest["dh"]["overdue"] == school["overdue"]
    assert_nothing_lost(district, before)


def test_5_a_student_moves_to_another_school(district):
    district.on(dt.date(2031, 5, 6))
    before = district.records_by_student()
    district.store.import_roster(
        [{"school_id": "nh", "name": "南湖初级中学", "stage": "初中", "district": "示范区"}],
        [{"class_id": "nh-701", "school_id": "nh", "grade": 7, "name": "七(1)班", "head_teacher_id": "nh_t1"}],
        [{"staff_id": "nh_t1", "name": "南湖教师", "school_id": "nh", "roles": ["subject", "head_teacher"]},
         {"staff_id": "nh_admin", "name": "南湖德育", "school_id": "nh", "roles": ["school_admin"]}], [])
    student = next(s.student_id for s in district.store.find_students_in("dh", "dh-702") if before.get(s.student_id))
    old_mentor = district.mentor_of(student, T2)
    history = before[student]
    assert reads(district, "schooladmin1", student) == history
    district.store.move_student(district.actor("schooladmin1"), student, "nh-701", reason="随家庭搬迁转学")
    assert district.mentor_of(student, T2) is None
    assert_change(district, student, lost=[old_mentor, "teacher4", "schooladmin1", "principal1"],
                  gained=["nh_t1", "nh_admin"], history=history)  # fmt: skip
    assert student not in {s.student_id for s in district.store.find_students(district.actor("schooladmin1"))}
    nh_admin = district.actor("nh_admin")
    review = district.store.find_matching_review(nh_admin)
    assert [row["student_id"] for row in review["unmatched"]] == [student]
    district.store.add_assignments(nh_admin, T2, [{"student_id": student, "staff_id": "nh_t1"}], replace=False)
    assert district.actor("nh_t1").mentee_ids == {student}
    assert A.permits(district.actor("nh_t1"), A.RECORD_WRITE, A.StudentRef(student, "nh-701", "nh"))
    district.write("nh_t1", student, TALK)
    assert reads(district, old_mentor, student) is None  # still nothing, the new record included
    changes = district.store.find_mentor_changes(nh_admin, student)
    assert [(c["old_staff_id"], c["reason_code"]) for c in changes] == [(old_mentor, "school_change")]
    assert district.store.find_student_moves(nh_admin, student)[-1]["to_school_id"] == "nh"
    assert_progress_right(district, "schooladmin1", "dh", T2)
    assert_progress_right(district, "nh_admin", "nh", T2)
    assert_nothing_lost(district, before)


# --- year two --------------------------------------------------------------------------------------------
def new_year_roster(prefix: int) -> tuple[list, list]:
    """The new year's intake: a sixth grade for 东湖, a fourth grade for 西岭 (10 students each)."""
    classes = [{"class_id": f"dh-{prefix}-1", "school_id": "dh", "grade": 6, "name": "六(1)班", "head_teacher_id": "teacher7"},
               {"class_id": f"xl-{prefix}-1", "school_id": "xl", "grade": 4, "name": "四(1)班", "head_teacher_id": "teacher19"}]
    students = [{"student_id": f"{c['class_id']}-{n:02d}", "display_name": f"新生{n}", "school_id": c["school_id"],
                 "class_id": c["class_id"], "birth_year_month": "2020-03"} for c in classes for n in range(1, 11)]
    return classes, students


def assign_new_students(district, admin: str, school: str, term: str) -> None:
    actor = district.actor(admin)
    review = district.store.find_matching_review(actor, term)
    loads = Counter(m for _, m, k in district.pairs(term) if k == "primary")
    mentors = [s.staff_id for s in district.store.find_staff_members(school)
               if s.active and s.staff_id.startswith("teacher") and s.staff_id != "teacher10"]
    spare = [m for m in mentors for _ in range(15 - loads[m])]
    rows = [{"student_id": row["student_id"], "staff_id": spare[i]} for i, row in enumerate(review["unmatched"])]
    district.store.add_assignments(actor, term, rows, replace=False)


def test_6_a_new_school_year_promotes_graduates_and_carries_over(district):
    district.on(dt.date(2031, 7, 10))
    before = district.records_by_student()
    store = district.store
    graduates = [s.student_id for c in ("xl-501", "xl-502") for s in store.find_students_in("xl", c)]
    graduate_mentors = {s: district.mentor_of(s, T2) for s in graduates}
    store.add_term_with_calendar(T3, dt.date(2031, 9, 1), dt.date(2032, 1, 20),
                                 {"exams": [{"name": "期中考试", "date": "2031-11-10"}]})  # fmt: skip
    t2_pairs = district.pairs(T2)
    summary = store.roll_over(T2, T3, by="test")
    assert summary["new_year"] is True
    assert (summary["graduates"], summary["classes_left"]) == (len(graduates), 2)
    assert summary["classes_promoted"] == 9  # dh 6 (6→7, 7→8, 8→9), xl 2 (4→5), nh 1 (7→8)
    assert summary["carried"] == len([p for p in t2_pairs if p[0] not in graduates])
    assert summary["not_carried"] == {"student_left": len([p for p in t2_pairs if p[0] in graduates])}
    classes = {c.class_id: c for c in store.find_classes()}
    assert (classes["dh-601"].grade, classes["dh-601"].name) == (7, "七(1)班")
    assert (classes["dh-801"].grade, classes["dh-801"].name) == (9, "九(1)班")
    assert (classes["xl-401"].grade, classes["xl-401"].name) == (5, "五(1)班")
    assert classes["xl-501"].head_teacher_id is None
    district.on(dt.date(2031, 8, 25))  # T3's home-visit window
    assert store.current_term().term_id == T3
    for student in graduates[:5]:  # graduates reach nobody; their records stay
        assert_change(district, student, lost=[graduate_mentors[student], "schooladmin2", "teacher17"], gained=[],
                      history=[])  # fmt: skip
    classes_new, students_new = new_year_roster(2031)
    store.import_roster([], classes_new, [], students_new)
    for admin, school in (("schooladmin1", "dh"), ("schooladmin2", "xl")):
        review = store.find_matching_review(district.actor(admin), T3)
        assert {r["student_id"] for r in review["unmatched"]} == {s["student_id"] for s in students_new
                                                                 if s["school_id"] == school}  # fmt: skip
        assert review["over_capacity"] == [] and review["away_with_mentees"] == []
        assign_new_students(district, admin, school, T3)
        assert store.find_matching_review(district.actor(admin), T3)["unmatched"] == []
    # carried-over mentors go on with their mentees: a home visit before the first day belongs to T3
    mentor = "teacher11"
    student = sorted(district.actor(mentor).mentee_ids & {p[0] for p in t2_pairs})[0]
    assert reads(district, mentor, student) == before.get(student, [])
    assert district.write(mentor, student, VISIT).term_id == T3
    for admin, school in (("schooladmin1", "dh"), ("schooladmin2", "xl"), ("nh_admin", "nh")):
        assert_progress_right(district, admin, school, T3)
    # 排摸 is per term: the new term starts without the last term's nominations and decisions
    review = store.find_focus_review(district.actor("principal1"))
    assert review["term_id"] == T3
    assert all(not c["nominations"] and c["decision"] is None for c in review["candidates"])
    assert store.find_my_nominations(district.actor("teacher1")) == []
    assert_nothing_lost(district, before)


def test_7_the_second_term_of_year_two_and_the_next_year(district):
    store = district.store
    district.on(dt.date(2032, 2, 1))
    before = district.records_by_student()
    store.add_term_with_calendar(T4, dt.date(2032, 2, 16), dt.date(2032, 6, 30))
    summary = store.roll_over(T3, T4, by="test")
    assert summary["not_carried"] == {} and summary["review"]["unmatched"] == 0
    district.on(dt.date(2032, 3, 1))
    for student in recordable(district, sorted(district.actor("teacher12").mentee_ids))[:3]:
        district.write("teacher12", student, TALK)
    for admin, school in (("schooladmin1", "dh"), ("schooladmin2", "xl")):
        assert_progress_right(district, admin, school, T4)
    district.on(dt.date(2032, 7, 15))
    ninth = [s.student_id for c in ("dh-801", "dh-802") for s in store.find_students_in("dh", c)]
    fifth = [s.student_id for c in ("xl-401", "xl-402") for s in store.find_students_in("xl", c)]  # now in grade 5
    store.add_term_with_calendar(T5, dt.date(2032, 9, 1), dt.date(2033, 1, 20))
    summary = store.roll_over(T4, T5, by="test")
    assert summary["graduates"] == len(ninth) + len(fifth) and summary["review"]["unmatched"] == 0
    district.on(dt.date(2032, 9, 10))
    assert {s.student_id for s in store.find_students_in()}.isdisjoint(ninth + fifth)
    assert {c.class_id: c.grade for c in store.find_classes()}["xl-2031-1"] == 5  # last year's intake moved up
    assert_progress_right(district, "schooladmin1", "dh", T5)
    assert_nothing_lost(district, before)
    audit = [a.action for a in store.find_audit(district.actor("admin"), action="term.rollover")]
    assert len(audit) == 4


def recordable(district, students: list[str]) -> list[str]:
    """The students a mentor may write records about (the demo leaves a few under-14s without the guardian's
    consent, which the store refuses; tests/unit/test_consent.py is about those)."""
    allowed = []
    for student in students:
        try:
            district.store.require_consent(student, ("mentor_records",))
        except ConsentMissing:
            continue
        allowed.append(student)
    return allowed


def test_promoted_names():
    assert promoted_name("六(1)班", 6) == "七(1)班" and promoted_name("高一(2)班", 10) == "高二(2)班"
    assert promoted_name("初二(3)班", 8) == "初三(3)班" and promoted_name("实验班", 6) == "实验班"
    assert promoted_name("九(1)班", 9) == "十(1)班"
