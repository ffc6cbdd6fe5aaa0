"""`mentorhub demo seed --state DIR`: a synthetic demo district, deterministic (seeded RNG).

Two schools, ten classes, about thirty staff across every role, three hundred students, a current term
around today with every student matched to a primary mentor, a few practice records, course enrolments
and a mentor studio; the command adds the coursework (`hub.demo_courses`). Every login has the password ``mentorhub-demo`` and no forced password change
(demo only). Everything goes through the store's verbs, like any other client.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

DEMO_PASSWORD = "mentorhub-demo"
SEED = 20240901
STUDENTS_PER_CLASS = 30
COURSES = ("foundations", "psychology", "family-guidance")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = ("子涵", "欣怡", "梓萱", "浩然", "宇轩", "若汐", "一诺", "思远", "雨桐", "俊杰", "明轩", "佳怡", "诗涵",
         "子墨", "语嫣", "嘉懿", "博文", "天佑", "可馨", "晨曦", "文博", "梦琪", "皓轩", "雅静", "睿哲", "艺涵",
         "志强", "秀英", "海燕", "建华", "丽娟", "伟", "敏", "静", "磊", "洋", "婷", "杰", "芳", "军")  # fmt: skip

SCHOOLS = [  # school_id, name, stage, classes as (class_id, grade, name)
    ("dh", "东湖初级中学", "初中", [("dh-601", 6, "六(1)班"), ("dh-602", 6, "六(2)班"), ("dh-701", 7, "七(1)班"),
                                 ("dh-702", 7, "七(2)班"), ("dh-801", 8, "八(1)班"), ("dh-802", 8, "八(2)班")]),
    ("xl", "西岭小学", "小学", [("xl-401", 4, "四(1)班"), ("xl-402", 4, "四(2)班"), ("xl-501", 5, "五(1)班"),
                              ("xl-502", 5, "五(2)班")]),
]  # fmt: skip

SUBJECTS = ("语文", "数学", "英语", "物理", "道德与法治", "历史", "地理", "生物", "体育", "美术", "音乐", "信息科技")

DEMO_RECORDS = {  # kind -> list of field sets (synthetic, no personal data)
    "talk": [
        {"talk_type": "例行关怀", "key_timepoint": "开学", "summary": "聊了开学以来的适应情况，同桌关系融洽，午饭能和同学一起。",
         "agreed_actions": "每周五课后简单聊十分钟。"},
        {"talk_type": "问题解决", "key_timepoint": "期中", "summary": "期中后数学等级下降，学生担心父母批评，一起梳理了错题原因。",
         "student_voice": "想先把计算题的失分补回来。", "guidance_domains": ["学习辅导", "心理疏导"]},
    ],
    "home_visit": [
        {"form": "视频", "purpose": "了解居家学习环境和作息", "participants": "导师、班主任、母亲",
         "parent_concerns": "担心孩子睡前玩手机。", "school_suggestions": "约定手机放在客厅充电，周末一起制定作息表。"},
        {"form": "来校", "purpose": "沟通近期在校表现", "participants": "导师、父亲",
         "summary": "父亲反映孩子在家话少，学校里和同学交流正常，约定多肯定孩子的进步。"},
    ],
    "growth_message": [
        {"text": "运动会上你主动帮同学搬器材、递水，让老师看到了你的担当。愿你把这份热心带到学习小组里，和同伴一起进步。",
         "delivered_via": "手写卡"},
    ],
    "guidance": [
        {"domains": ["生活指导"], "summary": "和学生一起整理了书包和课桌，约定每天放学前花五分钟整理。"},
        {"domains": ["生涯指导", "学习辅导"], "summary": "聊了对未来职业的兴趣，学生喜欢动手做模型，推荐参加科创社团。"},
    ],
    "parent_contact": [
        {"channel": "电话", "topic": "作业完成情况", "content_summary": "与家长沟通近两周作业按时完成，请家长继续关注作息。"},
    ],
}  # fmt: skip


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def demo_term(today: dt.date) -> dict:
    """A term of about 20 weeks around ``today`` with the plan's calendar (``hub.store.term_calendar``): the
    home visit from two weeks before the first day to the end of the first week (每学期开学前), talks a
    week either side of the mid-term and end-of-term exams, the growth message in the last two weeks."""
    start, end = today - dt.timedelta(days=70), today + dt.timedelta(days=70)
    year = start.year if start.month >= 8 else start.year - 1
    term_no = 1 if start.month >= 8 or start.month == 1 else 2
    exams = [{"name": "期中考试", "date": (start + (end - start) / 2).isoformat()},
             {"name": "期末考试", "date": (end - dt.timedelta(days=10)).isoformat()}]  # fmt: skip
    return {"term_id": f"{year}-{year + 1}-{term_no}", "start_date": start, "end_date": end,
            "calendar": {"exams": exams}}  # fmt: skip


def demo_roster(rng: random.Random, today: dt.date) -> dict:
    """Schools, classes, staff and students of the demo district, plus who mentors where."""
    schools, classes, staff, students = [], [], [], []
    teacher_no = 0
    mentors: dict[str, list[str]] = {}
    for school_id, school_name, stage, school_classes in SCHOOLS:
        schools.append({"school_id": school_id, "name": school_name, "stage": stage, "district": "示范区"})
        count = 14 if school_id == "dh" else 10
        teachers = [f"teacher{teacher_no + i + 1}" for i in range(count)]
        teacher_no += count
        for i, (class_id, grade, class_name) in enumerate(school_classes):
            classes.append({"class_id": class_id, "school_id": school_id, "grade": grade, "name": class_name,
                            "head_teacher_id": teachers[i]})  # fmt: skip
            for n in range(STUDENTS_PER_CLASS):
                born = dt.date(today.year - grade - 6, rng.randint(1, 12), 1)
                students.append({"student_id": f"{class_id}-{n + 1:02d}", "display_name": person_name(rng),
                                 "school_id": school_id, "class_id": class_id,
                                 "needs_mentors": 2 if rng.random() < 0.03 else 1,
                                 "birth_year_month": born.strftime("%Y-%m")})  # fmt: skip
        for i, username in enumerate(teachers):
            roles = ["subject"] + (["head_teacher"] if i < len(school_classes) else [])
            roles += ["middle_manager"] if i == len(teachers) - 1 else []
            staff.append({"staff_id": username, "name": person_name(rng), "school_id": school_id, "roles": roles,
                          "subject": SUBJECTS[i % len(SUBJECTS)],
                          "classes": [c[0] for c in school_classes[i % len(school_classes):][:2]]})  # fmt: skip
        mentors[school_id] = list(teachers)
    # One role each, as README.md's demo table says: leader1 hosts a studio (de-identified cases and
    # aggregates only, no mentees), principal1 is 东湖's school leader (and a mentor, like every teacher).
    extra = [("psych1", "dh", ["psychology"]), ("principal1", "dh", ["leader"]), ("leader1", "dh", ["studio_leader"]),
             ("schooladmin1", "dh", ["school_admin"]), ("schooladmin2", "xl", ["school_admin"])]  # fmt: skip
    for username, school_id, roles in extra:
        staff.append({"staff_id": username, "name": person_name(rng), "school_id": school_id, "roles": roles,
                      "classes": []})  # fmt: skip
    mentors["dh"] += ["psych1", "principal1"]
    return {"schools": schools, "classes": classes, "staff": staff, "students": students, "mentors": mentors}


def demo_assignments(rng: random.Random, roster: dict, school_id: str) -> list[dict]:
    """Every student one primary mentor (round robin over a shuffled list, so loads differ by at most
    one and no two mentors share mentees); students needing more get an additional mentor."""
    students = [s for s in roster["students"] if s["school_id"] == school_id]
    rng.shuffle(students)
    mentors = roster["mentors"][school_id]
    rows = []
    for i, student in enumerate(students):
        primary = mentors[i % len(mentors)]
        rows.append({"student_id": student["student_id"], "staff_id": primary, "kind": "primary", "method": "学校调配"})
        if student["needs_mentors"] > 1:
            extra = "psych1" if school_id == "dh" else mentors[(i + 1) % len(mentors)]
            rows.append({"student_id": student["student_id"], "staff_id": extra, "kind": "additional",
                         "method": "多对一"})  # fmt: skip
    return rows


def seed_demo(store, today: dt.date | None = None) -> dict:
    """Fill an empty, migrated store with the demo district; returns counts."""
    import bcrypt

    today = today or store.today()
    rng = random.Random(SEED)
    term = demo_term(today)
    calendar = store.add_term_with_calendar(**term, by="mentorhub demo seed")
    term["home_visit"] = (calendar.home_visit_from, calendar.home_visit_to)
    roster = demo_roster(rng, today)
    store.import_roster(roster["schools"], roster["classes"], roster["staff"], roster["students"])
    for username, roles, name in (("admin", ["admin"], "平台管理员"), ("trainer1", ["trainer"], "培训师一"),
                                  ("trainer2", ["trainer"], "培训师二"), ("district1", ["district"], "区德育科")):  # fmt: skip
        store.add_account(username, platform_roles=roles, display_name=name)
    password_hash = bcrypt.hashpw(DEMO_PASSWORD.encode(), bcrypt.gensalt(rounds=10)).decode()
    for account in store.find_accounts():
        store.set_password(account.username, password_hash, must_change=False)
    for school_id, admin in (("dh", "schooladmin1"), ("xl", "schooladmin2")):
        store.add_assignments(store.actor_for(admin), term["term_id"], demo_assignments(rng, roster, school_id))
    seed_guardians(store, rng, roster, today)
    records = seed_records(store, rng, term, today)
    for n in range(1, 11):
        for course in COURSES:
            store.add_enrollment(f"teacher{n}", course)
    seed_training_results(store, rng)
    store.add_studio("donghu", "东湖导师工作室", "leader1", level="区级",
                     members=["teacher1", "teacher2", "teacher3", "teacher4", "teacher5", "teacher15"])  # fmt: skip
    from hub.cases.command import load_into_store

    load_into_store(store)  # the shipped, de-identified case library
    seed_district(store, term)
    first_mentee = sorted(store.actor_for("teacher1").mentee_ids)[0]
    store.add_flag(store.actor_for("teacher1"), {"student_id": first_mentee, "level": 1, "signals": ["情绪"],
                                                 "details": "近两周课间常独处，情绪低落，已与心理教师沟通。"})  # fmt: skip
    return {"term": term["term_id"], "students": len(roster["students"]), "staff": len(roster["staff"]),
            "accounts": len(store.find_accounts()), "records": records}  # fmt: skip


def seed_training_results(store, rng: random.Random) -> None:
    """Course results of the enrolled demo teachers, as a trainer's import would give them, so the research
    dashboard's training tab has something to show (hours: the course's credit hours when completed)."""
    from hub.courses.catalog import load_catalog

    catalog = load_catalog(Path(__file__).resolve().parent.parent / "courses")
    for course_id in COURSES:
        course = catalog[course_id]
        results = [{"staff_id": f"teacher{n}", "completed": rng.random() < 0.7} for n in range(1, 11)]
        for result in results:
            result["hours"] = sum(a.credit_hours for a in course.assignments) if result["completed"] else 0.0
        store.put_training_results(course_id, course.title, results)


def seed_district(store, term: dict) -> None:
    """The district's side (hub.store.district_verbs): the plan's staged schedule as the year's milestones;
    东湖's implementation plan submitted and commented on by the district (需修改), 西岭's still a draft; a
    导师团 meeting of 东湖's 六(1)班."""
    from hub.demo_district import DEMO_PLAN

    school_year = store.find_term(term["term_id"]).academic_year
    store.add_default_milestones(school_year, term["start_date"])
    east, west = store.actor_for("schooladmin1"), store.actor_for("schooladmin2")
    store.save_school_plan(east, "dh", {"sections": DEMO_PLAN})
    store.submit_school_plan(east, "dh")
    store.review_school_plan(store.actor_for("district1"), "dh",
                             {"action": "request_changes", "text": "研训制度请写明导师团集体教研的频次和记录方式。"})  # fmt: skip
    store.save_school_plan(west, "xl", {"sections": {key: DEMO_PLAN[key] for key in ("goals", "organisation")}})
    # one 导师团 meeting of 六(1)班 (head teacher teacher1), so the district dashboard shows the team's activity
    codes = [s.student_id for s in store.find_students_in(class_id="dh-601")][:2]
    store.add_class_meeting(store.actor_for("teacher1"), "dh-601", {
        "meeting_date": (store.today() - dt.timedelta(days=7)).isoformat(), "topic": "期中前的集体教研",
        "attendees": ["teacher1", "teacher2", "teacher3"], "student_codes": codes,
        "decisions": "两名学生由导师在期中考试前各谈心一次，班主任跟进家校沟通。"})  # fmt: skip


NOTICE_VERSION = "2026-09"  # the demo's privacy notice for guardians (儿童个人信息保护告知书)
GUARDIAN_RELATIONS = ("母亲", "父亲", "母亲", "父亲", "外祖母", "祖父")


def without_consent(store) -> dict[str, list[str]]:
    """The demo's students under 14 whose guardians have not agreed (yet): the last two such primary mentees of
    principal1 and of psych1 have no consent at all; principal1's third-last has withdrawn the home-visit
    consent. (The mentors the tests and benchmarks write for, teacher1..teacher24, have every consent.)"""
    children = {s.student_id for s in store.find_students_in(school_id="dh") if s.under_14(store.today())}
    primaries = {}
    for user in ("principal1", "psych1"):
        actor = store.actor_for(user)
        primaries[user] = sorted(a.student_id for a in store.find_assignments(actor) if a.staff_id == user
                                 and a.kind == "primary" and a.student_id in children)  # fmt: skip
    return {"none": primaries["principal1"][-2:] + primaries["psych1"][-2:],
            "home_visit_withdrawn": primaries["principal1"][-3:-2]}


def seed_guardians(store, rng: random.Random, roster: dict, today: dt.date) -> dict:
    """A guardian for every student (synthetic names, no real contact data) and their consents to mentor
    records, home visits and referral, given at the start of term; a few students without (``without_consent``)."""
    exceptions = without_consent(store)
    granted = (today - dt.timedelta(days=60)).isoformat()
    rows = []
    for n, student in enumerate(roster["students"]):
        scopes = [] if student["student_id"] in exceptions["none"] else ["mentor_records", "home_visit", "referral"]
        rows.append({"student_id": student["student_id"], "relation": GUARDIAN_RELATIONS[n % len(GUARDIAN_RELATIONS)],
                     "name": rng.choice(SURNAMES) + "家长", "contact_channel": f"演示联系方式-{n + 1:04d}",
                     "is_primary": True,
                     "consents": [{"scope": scope, "policy_version": NOTICE_VERSION, "given_via": "书面签字",
                                   "granted_on": granted} for scope in scopes]})  # fmt: skip
    counts = store.import_guardians(rows, recorded_by="demo-seed")
    office = {school_id: store.actor_for(admin) for school_id, admin in (("dh", "schooladmin1"), ("xl", "schooladmin2"))}
    for student_id in exceptions["home_visit_withdrawn"]:
        visit = next(c for c in store.find_guardians(office["dh"], student_id)[0]["consents"]
                     if c["scope"] == "home_visit")  # fmt: skip
        store.withdraw_consent(office["dh"], visit["consent_id"], {"withdrawn_via": "书面签字"})
    return counts


def seed_records(store, rng: random.Random, term: dict, today: dt.date) -> int:
    """A few records by teacher1..teacher6 and teacher15..teacher16 for some of their mentees; home visits
    in the term's home-visit window (before the term began), the others since the first day."""
    written = 0
    days = max(1, (today - term["start_date"]).days)
    visit_from, visit_to = term["home_visit"]
    for username in ("teacher1", "teacher2", "teacher3", "teacher4", "teacher5", "teacher6", "teacher15",
                     "teacher16"):  # fmt: skip
        actor = store.actor_for(username)
        for student_id in sorted(actor.mentee_ids)[:4]:
            for kind in rng.sample(sorted(DEMO_RECORDS), 2):
                day = term["start_date"] + dt.timedelta(days=rng.randint(0, days))
                if kind == "home_visit":
                    day = visit_from + dt.timedelta(days=rng.randint(0, (min(visit_to, today) - visit_from).days))
                store.add_record(actor, {"student_id": student_id, "kind": kind, "date": day.isoformat(),
                                         **rng.choice(DEMO_RECORDS[kind])})  # fmt: skip
                written += 1
    return written


def run_seed(args) -> int:
    from hub.store import open_store, upgrade
    from hub.store.command import ensure_sqlite_folder
    from hub.store.crypto import KEY_FILE_NAME, ensure_key_file

    state = Path(args.state).resolve()
    db_url = args.db or f"sqlite:///{state / 'records.sqlite'}"
    ensure_sqlite_folder(db_url)
    upgrade(db_url)
    key_file = state / "secrets" / KEY_FILE_NAME  # the default privacy.key_file of a hub on this state folder
    ensure_key_file(key_file)
    store = open_store(db_url, key_file=key_file)
    try:
        if store.find_accounts():
            print("演示数据已存在，未做改动 (demo district already seeded; nothing changed)")
            return 0
        counts = seed_demo(store)
        roster = enrolled_roster(store)
    finally:
        store.close()
    print(f"演示学区已生成：学期 {counts['term']}，学生 {counts['students']} 名，教职工 {counts['staff']} 名，"
          f"账号 {counts['accounts']} 个，记录 {counts['records']} 条；所有账号密码均为 {DEMO_PASSWORD}（仅限演示）")  # fmt: skip
    import logging

    from hub.demo_courses import seed_coursework
    from hub.settings import load_settings

    logging.getLogger("traitlets").setLevel(logging.WARNING)  # nbgrader's step-by-step log

    work = seed_coursework(state, load_settings().courses_dir, roster, submissions=not args.without_submissions)
    print(f"培训课程：已发布 {len(work.released)} 门课程的作业；{len(work.submitted)} 份提交，"
          f"{len(work.autograded)} 份已自动评分，{len(work.feedback)} 份已发布反馈")
    for note in work.notes:
        print(f"注意：{note}")
    return 0


def enrolled_roster(store) -> dict[str, dict]:
    """{login: name and school} of the teachers enrolled in the demo courses (teacher1..teacher10)."""
    staff = {member.staff_id: member.to_dict() for member in store.find_staff_members()}
    return {f"teacher{n}": {"name": staff[f"teacher{n}"]["name"], "school": staff[f"teacher{n}"]["school_id"]}
            for n in range(1, 11)}


def register(subparsers) -> None:
    demo = subparsers.add_parser("demo", help="演示数据 (demo district)")
    actions = demo.add_subparsers(dest="demo_command", metavar="ACTION")
    seed = actions.add_parser("seed", help="生成合成的演示学区 (seed a synthetic demo district)")
    seed.add_argument("--state", default="state", help="state folder holding records.sqlite (default ./state)")
    seed.add_argument("--db", metavar="URL", help="records database URL (default: STATE/records.sqlite)")
    seed.add_argument("--without-submissions", action="store_true",
                      help="只发布作业，不生成教师提交与评分 (releases only: no submissions, no autograding)")
    seed.set_defaults(func=run_seed)
    demo.set_defaults(func=lambda args: (demo.print_help(), 2)[1])
