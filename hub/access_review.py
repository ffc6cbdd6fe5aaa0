"""`mentorhub access-review --school ID [--since DATE] [--until DATE] [--output FILE.xlsx]`: for the data-protection
officer, who read which students' records of a school in a period, and every break-glass use with its reason
(``hub.store.review_verbs``; the same answer as the records service's ``GET access-review``). Run on the hub's
machine by the platform's administrators; the review is audited as ``mentorhub-cli``. ``--output`` writes the
same as a formula-safe workbook (``hub.spreadsheets``).
"""

from __future__ import annotations

import datetime as dt
import sys

from hub import privacy_texts as T

CLI_ACTOR = "mentorhub-cli"


def parse_day(value: str | None, end: bool = False) -> dt.datetime | None:
    if not value:
        return None
    day = dt.date.fromisoformat(value)
    return dt.datetime.combine(day, dt.time.max if end else dt.time.min)


def review_sheets(review: dict) -> dict:
    """The review as workbook sheets: name -> (header, rows)."""
    sheets = {
        "readers": [(r["who"], r["reads"], len(r["students"]),
                     "、".join(f"{T.REVIEW_ACTIONS.get(a, a)} {n}" for a, n in r["actions"].items()),
                     "、".join(r["students"])) for r in review["readers"]],
        "students": [(s["class_id"], s["student_id"], s["display_name"], "、".join(s["readers"]))
                     for s in review["students"]],
        "break_glass": [(b["at"], b["who"], "、".join(b["student_ids"]), b["ground"], b["reason"])
                        for b in review["break_glass"]],
        "exports": [(e["at"], e["who"], e["term_id"]) for e in review["exports"]],
    }  # fmt: skip
    return {T.REVIEW_SHEETS[key]: (T.REVIEW_COLUMNS[key], rows) for key, rows in sheets.items()}


def run(args) -> int:
    from hub.store.access import Actor
    from hub.store.command import open_from_args

    try:
        since, until = parse_day(args.since), parse_day(args.until, end=True)
    except ValueError:
        print(T.RETENTION_BAD_DAY, file=sys.stderr)
        return 2
    store = open_from_args(args)
    try:
        review = store.find_access_review(Actor(CLI_ACTOR, roles=frozenset({"admin"})), args.school, since, until)
    finally:
        store.close()
    print(T.REVIEW_HEAD.format(school=review["school_id"], since=args.since or T.REVIEW_OPEN_END,
                               until=args.until or T.REVIEW_OPEN_END))  # fmt: skip
    print(T.REVIEW_READERS)
    for reader in review["readers"]:
        actions = "、".join(f"{T.REVIEW_ACTIONS.get(a, a)} {n}" for a, n in reader["actions"].items())
        print(T.REVIEW_READER_LINE.format(who=reader["who"], reads=reader["reads"], students=len(reader["students"]),
                                          actions=actions))  # fmt: skip
    if not review["readers"]:
        print(T.REVIEW_NONE)
    print(T.REVIEW_BREAK_GLASS)
    for use in review["break_glass"]:
        print(T.REVIEW_BREAK_GLASS_LINE.format(at=use["at"][:16].replace("T", " "), who=use["who"],
                                               students="、".join(use["student_ids"]), reason=use["reason"]))  # fmt: skip
    if not review["break_glass"]:
        print(T.REVIEW_NONE)
    print(T.REVIEW_EXPORTS)
    for export in review["exports"]:
        print(T.REVIEW_EXPORT_LINE.format(at=export["at"][:16].replace("T", " "), who=export["who"],
                                          term=export["term_id"]))  # fmt: skip
    if not review["exports"]:
        print(T.REVIEW_NONE)
    print(T.REVIEW_NOTE)
    if args.output:
        from hub.spreadsheets import write_xlsx

        write_xlsx(args.output, review_sheets(review))
        print(T.REVIEW_WRITTEN.format(path=args.output))
    return 0


def register(subparsers) -> None:
    from hub.store.command import add_db_option

    review = subparsers.add_parser("access-review", help="访问审查：谁读取了哪些学生的记录 (access review)")
    review.add_argument("--school", required=True, metavar="ID", help="学校编号")
    review.add_argument("--since", metavar="YYYY-MM-DD", help="起始日期（含）")
    review.add_argument("--until", metavar="YYYY-MM-DD", help="截止日期（含）")
    review.add_argument("--output", metavar="FILE.xlsx", help="另存为 Excel 工作簿")
    add_db_option(review)
    review.set_defaults(func=run)
