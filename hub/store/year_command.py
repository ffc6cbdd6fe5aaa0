"""`mentorhub term rollover --from TERM --to TERM [--final-grade SCHOOL=GRADE ...]`: carry the district to the
next term; at a new school year classes move up and the final grade leaves (``YearVerbs.roll_over``).
Import the new year's roster (new classes and students) afterwards with `mentorhub roster import`; the
school admins then review who has no mentor or a mentor over capacity and assign the rest.
"""

from __future__ import annotations

import sys

TEXTS = {
    "done": "已从学期 {old} 延续到学期 {new}：",
    "promoted": "  升级班级 {classes} 个；毕业离校班级 {left} 个、学生 {graduates} 名",
    "carried": "  延续结对 {carried} 对",
    "not_carried": "  未延续 {count} 对（{reasons}）",
    "review": "  待核对：无导师学生 {unmatched} 名，超额导师 {over} 名，休假或离职仍有结对的导师 {away} 名，"
              "多对一导师不足的学生 {needs} 名",
    "next": "请导入新学年名册（mentorhub roster import），再由各校在导师匹配页核对并补充结对。",
    "bad_final": "--final-grade 的格式应为 学校编号=年级（如 xl=5），收到：{value}",
}
REASONS = {"student_left": "学生已离校", "mentor_inactive": "导师已停用", "mentor_away": "导师休假或离职",
           "other_school": "不在同一学校", "over_capacity": "超过导师结对上限"}  # fmt: skip


def parse_final_grades(values) -> dict[str, int]:
    grades = {}
    for value in values or []:
        school, sep, grade = value.partition("=")
        if not sep or not grade.strip().isdigit():
            raise ValueError(TEXTS["bad_final"].format(value=value))
        grades[school.strip()] = int(grade)
    return grades


def summary_lines(summary: dict) -> list[str]:
    lines = [TEXTS["done"].format(old=summary["from_term"], new=summary["to_term"])]
    if summary.get("new_year"):
        lines.append(TEXTS["promoted"].format(classes=summary["classes_promoted"], left=summary["classes_left"],
                                              graduates=summary["graduates"]))  # fmt: skip
    lines.append(TEXTS["carried"].format(carried=summary["carried"]))
    if summary["not_carried"]:
        reasons = "、".join(f"{REASONS.get(k, k)} {n}" for k, n in summary["not_carried"].items())
        lines.append(TEXTS["not_carried"].format(count=sum(summary["not_carried"].values()), reasons=reasons))
    review = summary["review"]
    lines.append(TEXTS["review"].format(unmatched=review["unmatched"], over=review["over_capacity"],
                                        away=review["away_with_mentees"], needs=review["needs_more_mentors"]))
    lines.append(TEXTS["next"])
    return lines


def run_rollover(args) -> int:
    from hub.store.command import actor_name, open_or_say_why

    try:
        finals = parse_final_grades(args.final_grade)
    except ValueError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 2
    store = open_or_say_why(args)
    if store is None:
        return 1
    try:
        summary = store.roll_over(args.from_term, args.to_term, final_grades=finals, by=actor_name())
    finally:
        store.close()
    print("\n".join(summary_lines(summary)))
    return 0


def register_rollover(actions) -> None:
    from hub.store.command import add_db_option

    roll = actions.add_parser("rollover", help="延续到下一学期/学年：升级、毕业、延续结对 (roll over)")
    roll.add_argument("--from", dest="from_term", required=True, help="上一学期 (the term that ends)")
    roll.add_argument("--to", dest="to_term", required=True, help="新学期，须先 term add (the next term)")
    roll.add_argument("--final-grade", action="append", metavar="SCHOOL=GRADE",
                      help="某校的毕业年级（默认按学段：小学 5、初中 9、高中 12）")  # fmt: skip
    add_db_option(roll)
    roll.set_defaults(func=run_rollover)
