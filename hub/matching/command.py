"""`mentorhub match`: match a school's (or a district's) students and mentors from two tables.

Thin command: parse arguments, then read → match → verify → write, each a call into this package.
Exit codes: 0 done, 2 bad input or infeasible (nothing written), 3 internal check failed, 1 write failed.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

from hub.matching import messages as msg
from hub.matching.errors import InputError, Problem
from hub.matching.model import MAX_CAPACITY

log = logging.getLogger("mentorhub.matching")
PROGRESS_FROM_STUDENTS = 10_000

EXIT_OK, EXIT_WRITE_FAILED, EXIT_BAD_INPUT, EXIT_VERIFY_FAILED = 0, 1, 2, 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--students", required=True, help="students table (.csv or .xlsx sheet 'students')")
    parser.add_argument("--mentors", required=True, help="mentors table (.csv or .xlsx sheet 'mentors')")
    parser.add_argument("--out", required=True, help="assignments file to write (.csv or .xlsx)")
    parser.add_argument("--report", help="optional report.json with the figures of the run")
    parser.add_argument(
        "--capacity",
        type=int,
        default=MAX_CAPACITY,
        help=f"capacity of a mentor whose capacity cell is blank (1..{MAX_CAPACITY}, default {MAX_CAPACITY})",
    )


def columns_help() -> str:
    """The columns of both tables, for ``--help`` (the same as the template the matching panel offers)."""
    lines = ["表格的列（第一行为表头，须有下列各列，“姓名”可省；“可空”指单元格可以不填；中文或英文列名均可，"
             "括号里的文字不计，顺序不限，多余的列忽略）："]
    for sheet, title in (("students", "学生表（.csv，或 .xlsx 的工作表 学生/students）"),
                         ("mentors", "导师表（.csv，或 .xlsx 的工作表 导师/mentors）")):  # fmt: skip
        lines.append(f"  {title}")
        lines += [f"    {zh} / {en}：{text} 例：{example}" for zh, en, text, example in msg.COLUMN_HELP[sheet]]
    lines.append("  结果文件（--out）的列：student_id, mentor_id, kind（primary 主导师 / additional 协同导师）")
    return "\n".join(lines)


def register(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "match",
        help="two-way mentor matching (双向匹配) from a students table and a mentors table",
        description=__doc__,
        epilog=columns_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    # Imported here so that building the `mentorhub` parser stays cheap for every other command.
    from hub.matching.engine import match
    from hub.matching.io import assignment_rows, assignment_writer, json_writer, load_instance, write_outputs
    from hub.matching.report import build_report
    from hub.matching.verify import verify

    started = time.perf_counter()
    progress = _Progress()
    try:
        if not 1 <= args.capacity <= MAX_CAPACITY:
            text = msg.DEFAULT_CAPACITY_RANGE.format(max=MAX_CAPACITY, value=args.capacity)
            raise InputError([Problem(None, None, "--capacity", text)])
        instance = load_instance(args.students, args.mentors, args.capacity)
        progress.enabled = instance.n_students >= PROGRESS_FROM_STUDENTS
        progress.say(
            msg.PROGRESS_READ.format(
                students=instance.n_students, mentors=instance.n_mentors, seconds=time.perf_counter() - started
            )
        )
        assignment = match(instance)
    except InputError as error:
        log.warning("match refused: %d input problem(s)", len(error.problems))
        print(msg.INPUT_PROBLEMS, file=sys.stderr)
        print(error.render(), file=sys.stderr)
        return EXIT_BAD_INPUT

    check = verify(instance, assignment)
    if not check.ok:
        reason = "；".join(check.violations) or msg.BLOCKING_PAIRS.format(count=check.blocking_pairs)
        log.error("verification failed: %s", check)
        print(msg.VERIFY_FAILED.format(reason=reason), file=sys.stderr)
        return EXIT_VERIFY_FAILED
    progress.say(msg.PROGRESS_MATCHED.format(seconds=time.perf_counter() - started))

    rows = list(assignment_rows(instance, assignment))
    report = build_report(instance, assignment, check.blocking_pairs, time.perf_counter() - started)
    targets = [(args.out, assignment_writer(args.out, rows))]
    if args.report:
        targets.append((args.report, json_writer(report)))
    try:
        write_outputs(targets)
    except OSError as error:
        log.error("writing outputs failed: %s", error)
        print(msg.WRITE_FAILED.format(reason=error), file=sys.stderr)
        return EXIT_WRITE_FAILED
    histogram = report["primary_rank_histogram"]
    print(
        msg.DONE.format(
            students=instance.n_students,
            first=histogram.get("1", 0),
            filled=report["filled_outside_prefs"],
            out=args.out,
        )
    )
    return EXIT_OK


class _Progress:
    """Progress lines on stderr, only for large runs."""

    enabled = False

    def say(self, text: str) -> None:
        if self.enabled:
            print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mentorhub match", description=__doc__, epilog=columns_help(),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
