"""`mentorhub term`: the district's terms and their 三个一 calendar (``hub.store.term_calendar``).

    mentorhub term add 2026-2027-1 --start 2026-09-01 --end 2027-01-22 \\
        --exam 期中考试=2026-11-10 --exam 期末考试=2027-01-14 [--home-visit 2026-08-18:2026-09-06] \\
        [--growth-message 2027-01-09:2027-01-22] [--talk-days-before 7] [--talk-days-after 7] [--life-event-days 7]
    mentorhub term list

``add`` makes the term and the district's template calendar (what is left out takes the plan's defaults:
home visit from two weeks before the first day to the end of the first week, a week either side of each
exam for talks, the last two weeks for the growth message); schools keep their own calendar on the
学期日历 page. ``rollover`` (``hub.store.year_command``) moves the district to the next school year.
Everything is audited as ``cli:<operating-system user>``.
"""

from __future__ import annotations

import sys

from hub.store.command import actor_name
from hub.store.year_command import register_rollover

TEXTS = {
    "added": "已新增学期 {term}（{start} 至 {end}）及区模板日历：",
    "window": "  {label}：{start} 至 {end}",
    "exam": "  考试：{name} {date}（谈心时间段 {start} 至 {end}）",
    "no_exams": "  考试：未设置（谈心谈话只在学生发生重大变故后提醒）",
    "days": "  重大变故后 {days} 天内谈心",
    "home_visit": "家访（开学前）",
    "growth_message": "成长寄语（学期末）",
    "bad_exam": "--exam 的格式应为 名称=日期（如 期中考试=2026-11-10），收到：{value}",
    "bad_window": "{option} 的格式应为 开始日期:结束日期（如 2026-08-18:2026-09-06），收到：{value}",
    "list_header": ("学期", "开学", "结束", "家访", "谈心（考试）", "成长寄语", "本校日历"),
    "none": "（尚未设置学期）",
    "current": "（当前）",
}


def parse_exam(value: str) -> dict:
    name, sep, day = value.rpartition("=")
    if not sep or not name.strip():
        raise ValueError(TEXTS["bad_exam"].format(value=value))
    return {"name": name.strip(), "date": day.strip()}


def parse_window(option: str, value: str) -> dict:
    start, sep, end = value.partition(":")
    if not sep:
        raise ValueError(TEXTS["bad_window"].format(option=option, value=value))
    return {"from": start.strip(), "to": end.strip()}


def calendar_body(args) -> dict:
    body = {}
    if args.exam:
        body["exams"] = [parse_exam(value) for value in args.exam]
    if args.home_visit:
        body["home_visit"] = parse_window("--home-visit", args.home_visit)
    if args.growth_message:
        body["growth_message"] = parse_window("--growth-message", args.growth_message)
    for name in ("talk_days_before", "talk_days_after", "life_event_days"):
        if getattr(args, name) is not None:
            body[name] = getattr(args, name)
    return body


def describe(calendar) -> list[str]:
    lines = [TEXTS["window"].format(label=TEXTS["home_visit"], start=calendar.home_visit_from,
                                    end=calendar.home_visit_to)]  # fmt: skip
    windows = calendar.talk_windows()
    lines += [TEXTS["exam"].format(name=exam.name, date=exam.date, start=window.start, end=window.end)
              for exam, window in zip(sorted(calendar.exams, key=lambda e: e.date), windows, strict=True)]  # fmt: skip
    lines += [] if calendar.exams else [TEXTS["no_exams"]]
    lines.append(TEXTS["days"].format(days=calendar.life_event_days))
    lines.append(TEXTS["window"].format(label=TEXTS["growth_message"], start=calendar.growth_message_from,
                                        end=calendar.growth_message_to))  # fmt: skip
    return lines


def run_add(args) -> int:
    from hub.store.command import open_or_say_why

    try:
        body = calendar_body(args)
    except ValueError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 2
    store = open_or_say_why(args)
    if store is None:
        return 1
    try:
        calendar = store.add_term_with_calendar(args.term_id, args.start, args.end, body, by=actor_name())
    finally:
        store.close()
    print(TEXTS["added"].format(term=calendar.term_id, start=calendar.start, end=calendar.end))
    print("\n".join(describe(calendar)))
    return 0


def run_list(args) -> int:
    from hub.store.access import Actor
    from hub.store.command import open_or_say_why

    store = open_or_say_why(args)
    if store is None:
        return 1
    try:
        terms = store.find_term_calendars(Actor(username=actor_name()))
        own = store.find_calendar_schools()
    finally:
        store.close()
    if not terms:
        print(TEXTS["none"])
        return 0
    print("\t".join(TEXTS["list_header"]))
    for term in terms:
        c = term["calendar"]
        home = f"{c['home_visit']['from']}～{c['home_visit']['to']}" if c["home_visit"] else c["due"]["home_visit"] or "—"
        exams = "、".join(f"{e['name']} {e['date']}" for e in c["exams"]) or "—"
        growth = (f"{c['growth_message']['from']}～{c['growth_message']['to']}" if c["growth_message"]
                  else c["due"]["growth_message"] or "—")  # fmt: skip
        name = term["term_id"] + (TEXTS["current"] if term["current"] else "")
        print("\t".join([name, c["start_date"], c["end_date"], home, exams, growth,
                         "、".join(own.get(term["term_id"], [])) or "—"]))  # fmt: skip
    return 0


def register(subparsers) -> None:
    from hub.store.command import add_db_option

    term = subparsers.add_parser("term", help="学期与三个一日历 (terms and their calendar)")
    actions = term.add_subparsers(dest="term_command", metavar="ACTION")
    add = actions.add_parser("add", help="新增学期及区模板日历 (add a term with the district's calendar)")
    add.add_argument("term_id", help="学期编号，如 2026-2027-1 (term id: academic year and term number)")
    add.add_argument("--start", required=True, help="开学日期 YYYY-MM-DD (first day)")
    add.add_argument("--end", required=True, help="学期结束日期 YYYY-MM-DD (last day)")
    add.add_argument("--exam", action="append", metavar="NAME=DATE", help="考试，可多次给出 (an exam; repeatable)")
    add.add_argument("--home-visit", metavar="FROM:TO", help="家访时间段，须在开学日或之前开始 (home-visit window)")
    add.add_argument("--growth-message", metavar="FROM:TO", help="成长寄语时间段 (growth-message window)")
    add.add_argument("--talk-days-before", type=int, help="考前几天起谈心 (days before an exam)")
    add.add_argument("--talk-days-after", type=int, help="考后几天内谈心 (days after an exam)")
    add.add_argument("--life-event-days", type=int, help="重大变故后几天内谈心 (days after a life event)")
    add_db_option(add)
    add.set_defaults(func=run_add)
    listing = actions.add_parser("list", help="列出全部学期及其日历 (list terms and calendars)")
    add_db_option(listing)
    listing.set_defaults(func=run_list)
    register_rollover(actions)
    term.set_defaults(func=lambda args: (term.print_help(), 2)[1])
