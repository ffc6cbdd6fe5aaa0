"""Course notebooks: well-formed nbgrader sources, true to the district plan, and graded fairly.

- Structure: answer cells with hidden tests, scoring cells and hint cells (0 points) told apart, rubrics for the
  trainer, plain Chinese instructions, no committed outputs.
- Fidelity: what the 长宁区 plan says is taught, and the errors found in review stay out.
- Fairness: the hidden tests are run here against answer values through ``hub.courses.answer_check`` (the
  checker the grading pipeline runs in its sandbox): the plan's own words and common synonyms are accepted,
  privacy, filler, homework-for-parents and ranking are caught, quoting a student or numbering a list is not
  punished, and hints do not give the answer away. The real nbgrader runs are in ``tests/nbgrader``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from hub.courses.answer_check import run
from hub.courses.catalog import load_catalog

COURSES = Path(__file__).resolve().parents[2] / "courses"
NOTEBOOKS = sorted(COURSES.glob("*/source/*/*.ipynb"))
CJK = re.compile(r"[\u4e00-\u9fff]")
MESSAGE = re.compile(r'assert .*?, f?"([^"]+)"')


def nbmeta(cell):
    return cell.metadata.get("nbgrader", {})


def notebook(course: str, assignment: str):
    return nbformat.read(COURSES / course / "source" / assignment / f"{assignment}.ipynb", as_version=4)


def all_text(nb) -> str:
    return "\n".join(cell.source for cell in nb.cells)


def is_test(cell) -> bool:
    return cell.cell_type == "code" and nbmeta(cell).get("grade") and not nbmeta(cell).get("solution")


def model_values(nb) -> dict:
    """The answer values of the model solutions (what the grader takes out of a teacher's kernel)."""
    namespace: dict = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and nbmeta(cell).get("solution"):
            solution = cell.source.partition("### BEGIN SOLUTION")[2].partition("### END SOLUTION")[0]
            exec(solution, namespace)  # the course's own model answers
    return {k: v for k, v in namespace.items() if not k.startswith("_") and k != "__builtins__"}


def check(course: str, assignment: str, **answers) -> dict[str, dict]:
    """Run every test cell of an assignment against the model answers with ``answers`` replacing some."""
    nb = notebook(course, assignment)
    values = {**model_values(nb), **answers}
    tests = [{"id": nbmeta(c)["grade_id"], "source": c.source} for c in nb.cells if is_test(c)]
    return {r["id"]: r for r in run({"setup": [], "answers": values, "tests": tests})["results"]}


def passed(result: dict) -> bool:
    return result["status"] == "ok"


def score(result: dict, points: float) -> float:
    if result["status"] == "error":
        return 0.0
    return float(result["value"]) if "value" in result else points


# --- structure -----------------------------------------------------------------------------------------

def test_every_catalog_assignment_has_notebooks():
    listed = {(c.course_id, a.assignment_id) for c in load_catalog(COURSES).values() for a in c.assignments}
    found = {(p.parts[-4], p.parts[-2]) for p in NOTEBOOKS}
    assert listed == found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parts[-4]}/{p.parts[-2]}")
def test_notebook_structure(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    ids = [nbmeta(c)["grade_id"] for c in nb.cells]
    assert len(ids) == len(set(ids)), "grade ids must be unique"
    tests = [c for c in nb.cells if is_test(c)]
    scoring = [c for c in tests if nbmeta(c)["points"] > 0]
    hints = [c for c in tests if nbmeta(c)["points"] == 0]
    answers = [c for c in nb.cells if nbmeta(c).get("solution") and not nbmeta(c).get("grade")]
    manual = [c for c in nb.cells if nbmeta(c).get("solution") and nbmeta(c).get("grade")]
    tasks = [c for c in nb.cells if nbmeta(c).get("task")]
    assert scoring and answers and (manual or tasks)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, "notebooks are committed without outputs"
            ast.parse(cell.source)
    for cell in tests:
        assert nbmeta(cell)["locked"] and nbmeta(cell)["points"] >= 0
        hidden = cell.source.split("### BEGIN HIDDEN TESTS", 1)
        assert len(hidden) == 2 and "### END HIDDEN TESTS" in hidden[1]
        messages = MESSAGE.findall(hidden[1])
        assert messages and all(CJK.search(m) for m in messages), "every hint is a Chinese sentence"
    for cell in scoring:
        assert cell.source.startswith("# 自动评分：")
    for cell in hints:
        assert cell.source.startswith("# 自动检查提示：") and "不计分" in cell.source.splitlines()[0]
        last = ast.parse(cell.source).body[-1]
        assert not isinstance(last, ast.Expr), "a hint cell must not end with a value (nbgrader would read a score)"
    for cell in answers:
        template, _, rest = cell.source.partition("### BEGIN SOLUTION")
        assert template.strip() and "### END SOLUTION" in rest, "answer cells keep a template above the solution"
    for cell in manual:
        assert cell.cell_type == "markdown" and "评分要点" in cell.source and nbmeta(cell)["points"] > 0
    for cell in tasks:
        assert cell.cell_type == "markdown" and nbmeta(cell)["locked"] and nbmeta(cell)["points"] > 0
        assert "评分要点" in cell.source and "人工评分" in cell.source
    instructions = [c for c in nb.cells if c.cell_type == "markdown" and not nbmeta(c).get("grade")
                    and not nbmeta(c).get("task")]
    assert all(CJK.search(c.source) for c in instructions)
    assert "自动检查提示" in instructions[1].source, "the how-to cell explains hints"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parts[-4]}/{p.parts[-2]}")
def test_free_text_answers_get_a_rubric_and_hints_not_points(path):
    """Every answer assigned from a triple-quoted text is graded by a rubric (task cell) and read only by hints."""
    nb = nbformat.read(path, as_version=4)
    free_text = set()
    for cell in nb.cells:
        if cell.cell_type == "code" and nbmeta(cell).get("solution") and '"""' in cell.source:
            free_text |= {t.id for t in ast.walk(ast.parse(cell.source)) if isinstance(t, ast.Name)
                          and isinstance(t.ctx, ast.Store)}
    for cell in nb.cells:
        if is_test(cell) and nbmeta(cell)["points"] > 0:
            read = set(re.findall(r'globals\(\)\.get\("([^"]+)"\)', cell.source))
            assert not (read & free_text), f"{nbmeta(cell)['grade_id']} gives points for free text"
    if free_text:
        assert any(nbmeta(c).get("task") for c in nb.cells)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parts[-4]}/{p.parts[-2]}")
def test_hints_do_not_give_the_answer_away(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if not is_test(cell):
            continue
        hidden = cell.source.split("### BEGIN HIDDEN TESTS", 1)[1]
        messages = " ".join(MESSAGE.findall(hidden))
        if re.search(r'_答\[0\] == "[A-Z]"|_选 == set\("[A-Z]+"\)', hidden):
            assert not re.search(r"[A-Z]", messages), f"{nbmeta(cell)['grade_id']}: a hint names an option"
        for sequence in re.findall(r'_序 == "([A-Z]+)"', hidden):
            assert sequence not in messages.replace("、", "").replace(" ", "")
    triage = all_text(notebook("psychology", "triage"))
    assert "先保证眼前的安全，再找专业力量" not in triage


# --- courses and fidelity to the plan ---------------------------------------------------------------------

def test_every_course_has_four_assignments_and_says_whose_tiers_these_are():
    catalog = load_catalog(COURSES)
    for course in catalog.values():
        assert len(course.assignments) >= 4, course.course_id
        assert "教育学院" in course.description and "分层分类" in course.description
    tiers = {a.tier for course in catalog.values() for a in course.assignments}
    assert tiers == {"新任导师", "骨干导师", "工作室主持人"}
    assert catalog["foundations"].assignment("mentor-team").tier == "骨干导师"
    assert catalog["psychology"].assignment("case-study").tier == "工作室主持人"
    assert catalog["psychology"].assignment("career-talk")


def test_the_errors_found_in_review_stay_out():
    text = "\n".join(all_text(nbformat.read(p, as_version=4)) for p in NOTEBOOKS)
    for wrong in ["本市方案", "本市全员导师制", "只用等级", "全体导师（新任导师）", "信息最少必要", "3—5 月", "9—11 月",
                  "为家长提供家庭教育指导的制度和育人方式"]:
        assert wrong not in text, wrong


@pytest.mark.parametrize(("course", "assignment", "phrases"), [
    ("foundations", "policy-basics", ["长宁区", "良师益友的师生关系", "协同合作的家校关系", "基础教育现代学校治理制度",
                                      "学生人人有导师、教师人人是导师", "等第制", "百分比区间", "分学段推进",
                                      "高中在起始年级试点", "一校一策", "尽职免责", "不把作业批改交给家长"]),
    ("foundations", "mentor-role", ["班主任同时担任学生导师", "导师团", "协调者"]),
    ("foundations", "matching", ["导师也表达意向", "双向匹配"]),
    ("foundations", "mentor-team", ["多对一", "校级领导、中层干部、班主任、心理教师", "导师团", "集体教研"]),
    ("psychology", "career-talk", ["生涯指导", "起始年级"]),
    ("psychology", "case-study", ["导师工作室", "主持人", "共性问题", "案例研讨", "去标识化"]),
    ("family-guidance", "home-visit", ["每学期开学前，由班主任指导或联合导师开展一次学生家访",
                                       "不得将作业任务、作业监督和批改等工作布置给家长"]),
    ("family-guidance", "parent-message", ["等第制", "百分比区间", "协调者"]),
    ("family-guidance", "anxious-parents", ["共性问题", "个案研究", "家长沙龙"]),
    ("family-guidance", "growth-message", ["向学生及家长", "每学期末"]),
])
def test_the_plan_is_taught(course, assignment, phrases):
    text = all_text(notebook(course, assignment))
    for phrase in phrases:
        assert phrase in text, phrase


def test_high_risk_months_are_not_graded():
    text = all_text(notebook("psychology", "signals"))
    assert "高发" not in text and "3—5" not in text


# --- synonyms and the plan's own words ---------------------------------------------------------------------

def test_policy_basics_accepts_the_plans_words_and_synonyms():
    variants = {"家访在什么时候做": "每学期开学前", "家访由谁指导或与谁联合": "班主任",
                "谈心谈话在什么时候做": "重要考试前后", "成长寄语在什么时候写": "期末", "成长寄语写给谁": "学生和家长"}
    assert score(check("foundations", "policy-basics", 三个一=variants)["q3-tests"], 3) == 3
    model = model_values(notebook("foundations", "policy-basics"))
    domains = {k: ("学业辅导" if v == "学习辅导" else v) for k, v in model["归类"].items()}
    assert score(check("foundations", "policy-basics", 归类=domains)["q4-tests"], 3) == 3
    marks = {k: {"对": "√", "错": "×"}[v] for k, v in model["判断"].items()}
    assert score(check("foundations", "policy-basics", 判断=marks)["q5-tests"], 4) == 4
    assert passed(check("foundations", "policy-basics", 答案2="a, c, e")["q2-tests"])
    assert not passed(check("foundations", "policy-basics", 答案2="ABCDE")["q2-tests"])


def test_mentor_role_accepts_mentor_for_every_mentor():
    model = model_values(notebook("foundations", "mentor-role"))
    plain = {k: ("导师" if v == "每位导师" else v) for k, v in model["分工"].items()}
    assert score(check("foundations", "mentor-role", 分工=plain)["q1-tests"], 4) == 4


def test_home_visit_accepts_video_in_either_word():
    model = model_values(notebook("family-guidance", "home-visit"))
    for form in ("视频", "视频家访", "视频通话"):
        results = check("family-guidance", "home-visit", 家访记录={**model["家访记录"], "形式": form})
        assert passed(results["q2-form"]) and passed(results["q2-hint-record"]), form


@pytest.mark.parametrize("wording", ["这次小航数学是 D 等第", "这次小航数学是 D 等级", "这次小航数学处在年级 60%—80% 的百分比区间"])
def test_parent_message_accepts_deng_di_deng_ji_and_percentage_bands(wording):
    message = f"小航妈妈您好！学校对考试成绩不排名，{wording}，主要在函数部分失分。这两周课后服务时间数学老师帮他补函数，周五我陪他订正错题。"
    results = check("family-guidance", "parent-message", 消息=message)
    assert passed(results["q5-hint-content"]) and passed(results["q5-hint-rank"])


def test_adolescence_talk_accepts_the_plans_domain_words():
    model = model_values(notebook("psychology", "adolescence-talk"))
    record = {**model["谈话记录"], "指导领域": ["学业辅导", "心理疏导"], "触发时间节点": "期中后"}
    results = check("psychology", "adolescence-talk", 谈话记录=record)
    assert passed(results["q1-hint-record"]) and passed(results["q1-time"])


# --- privacy, filler, homework, ranking -------------------------------------------------------------------

LEAKS = {
    "电话号码": ["外婆电话 139-1234-5678", "外婆手机 139 1234 5678", "联系 +86 13912345678", "家里座机 (021) 6234 5678",
             "座机 021-62345678", "电话：6234 5678", "外婆手机一三九一二三四五六七八"],
    "门牌地址": ["住在梧桐路 88 弄 6 号 301 室", "家住松园新村 12 号楼", "住梧桐路 88 号"],
    "家庭经济状况": ["家庭月收入约四千元", "正在申请低保", "属于低收入家庭", "父亲工资不高"],
    "疾病诊断": ["外婆说医院诊断为多动症", "去年确诊抑郁症", "一直在服药"],
}


@pytest.mark.parametrize(("kind", "leak"), [(k, v) for k, leaks in LEAKS.items() for v in leaks])
def test_home_visit_privacy_hint_catches_what_a_real_record_leaks(kind, leak):
    model = model_values(notebook("family-guidance", "home-visit"))
    record = {**model["家访记录"], "在家表现": model["家访记录"]["在家表现"] + leak}
    result = check("family-guidance", "home-visit", 家访记录=record)["q2-hint-privacy"]
    assert not passed(result) and kind in result["evalue"]


def test_privacy_hint_leaves_dates_times_and_counts_alone():
    model = model_values(notebook("family-guidance", "home-visit"))
    record = {**model["家访记录"], "在家表现": "3月26号晚上 19:30 外婆说，小树这周有 3 天作业到 21:00 才写完，2025-02-10 起手机放客厅。"}
    assert passed(check("family-guidance", "home-visit", 家访记录=record)["q2-hint-privacy"])


@pytest.mark.parametrize("filler", [["啊啊啊啊啊啊啊啊啊", "好好好好好好好好好"], ["多管管", "注意一下"],
                                    ["建议建议建议建议建议", "加油加油加油加油加油"]])
def test_filler_does_not_pass_as_a_concrete_suggestion(filler):
    model = model_values(notebook("family-guidance", "home-visit"))
    record = {**model["家访记录"], "学校建议": filler}
    assert not passed(check("family-guidance", "home-visit", 家访记录=record)["q2-hint-advice"])


@pytest.mark.parametrize(("advice", "flagged"), [
    ("请外婆每天检查作业并签字", True),
    ("外婆每晚监督小树写作业到九点", True),
    ("作业在学校课后服务时完成，老师当场批改", False),
    ("不需要外婆检查作业，作业由学校老师跟进", False),
])
def test_homework_handed_to_the_family_is_caught(advice, flagged):
    model = model_values(notebook("family-guidance", "home-visit"))
    record = {**model["家访记录"], "学校建议": [advice, "导师每周五给外婆发一条简短的进展反馈"]}
    assert passed(check("family-guidance", "home-visit", 家访记录=record)["q2-hint-homework"]) is not flagged


@pytest.mark.parametrize(("message", "flagged"), [
    ("您问到“他排第几”：学校对考试成绩不排名，这次小航数学是 D 等第，周四午休我陪他订正错题。", False),
    ("学校不公布名次，这次小航数学是 D 等第，周四午休我陪他订正错题。", False),
    ("小航这次排第 28 名，数学是 D 等第，周四午休我陪他订正错题，我们一起努力。", True),
])
def test_rank_hint_reads_the_message_not_the_mothers_question(message, flagged):
    assert passed(check("family-guidance", "parent-message", 消息=message)["q5-hint-rank"]) is not flagged


# --- quoting students, numbered lists, single characters ----------------------------------------------------

def test_quoting_the_students_own_words_is_not_a_label():
    model = model_values(notebook("psychology", "adolescence-talk"))
    quoted = {**model["谈话记录"], "学生的想法": "小川说“我们不是早恋，只是聊得来”，他担心妈妈不信任他。"}
    assert passed(check("psychology", "adolescence-talk", 谈话记录=quoted)["q1-hint-words"])
    labelled = {**model["谈话记录"], "学生的想法": "小川早恋了，不承认，还说只是聊得来。"}
    assert not passed(check("psychology", "adolescence-talk", 谈话记录=labelled)["q1-hint-words"])


def test_no_single_character_is_banned():
    message = ("小海：运动会上你一趟趟搬器材、递水，从不偷懒；饮水机坏了你动手修好。希望你把这股钻研劲儿用到数学作业上。"
               "小海爸爸妈妈：在家多请他帮忙修修东西，肯定他的每一点进步。")
    assert passed(check("family-guidance", "growth-message", 寄语2=message)["q5-hint-words"])
    model = model_values(notebook("family-guidance", "growth-message"))
    assert model["句子评估"]["从不偷懒的你，做实验时总把器材摆得整整齐齐"] == "合适"


@pytest.mark.parametrize("style", ["1. {a}\n2. {b}", "1、{a}\n2、{b}", "（1）{a}\n（2）{b}", "①{a}\n②{b}",
                                   "第一，{a}；第二，{b}", "{a}\n{b}"])
def test_numbered_lists_in_any_style_count_as_concrete_actions(style):
    actions = style.format(a="每天晚饭时聊十分钟学校里的事，只听不评。", b="周六傍晚全家一起去打羽毛球，让孩子有别的放松方式。")
    advice = "小满爸爸妈妈，理解你们的担心，这段时间大家都辛苦了。\n" + actions + "\n两周后我们再电话交流一次。"
    assert passed(check("family-guidance", "anxious-parents", 建议=advice)["q5-hint-actions"])


# --- matching: both sides, and the best assignment scores highest ---------------------------------------------

def test_matching_rewards_more_first_choices_and_the_teachers_side():
    best = check("foundations", "matching")
    assert all(passed(r) or score(r, 0) for r in best.values())
    assert score(best["q1-first"], 2) == 2
    two_first = {"小雨": "周老师", "小航": "郑老师", "小安": "吴老师", "小禾": "吴老师", "小树": "周老师"}
    fewer = check("foundations", "matching", 结对=two_first)
    assert score(fewer["q1-first"], 2) == 0 and passed(fewer["q1-choice"]) and passed(fewer["q1-cap"])
    students_only = {"小雨": "周老师", "小航": "郑老师", "小安": "周老师", "小禾": "吴老师", "小树": "郑老师"}
    one_sided = check("foundations", "matching", 结对=students_only)
    assert score(one_sided["q1-teacher"], 2) == 1 and score(one_sided["q1-first"], 2) == 2


def test_partial_credit_follows_the_number_of_right_rows():
    model = model_values(notebook("psychology", "signals"))
    rows = list(model["信号"])
    half = {k: (v if k in rows[:3] else "行为" if v != "行为" else "认知") for k, v in model["信号"].items()}
    assert score(check("psychology", "signals", 信号=half)["q1-tests"], 3) == pytest.approx(1.5)
    stuffed = {k: "认知、情绪、行为" for k in rows}
    assert not passed(check("psychology", "signals", 信号=stuffed)["q1-tests"])
