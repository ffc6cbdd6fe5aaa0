"""``mentorhub course ...``: the trainer's command line around ``CoursePipeline``.

The lead's ``hub/cli.py`` calls ``register(subparsers)``. Paths come from the site settings
(``--settings``, ``$MENTORHUB_SETTINGS`` or ``./mentorhub.yaml``); ``--state-dir`` / ``--courses-dir``
override them (tests, one-off runs).

Server mode: a course's folder belongs to its Unix account ``<prefix>grader_<course>`` (its formgrader runs as that
account, and autograding runs teachers' code, which must never run as root). Run as root, every command on a
course first becomes that account (``become_grader``); run as any other account but the grader it stops with
a message saying how to run it. The exchange needs no shared folder: the trainer's own hub token
(``JUPYTERHUB_API_TOKEN``) is what the hub's exchange service checks. The hub and its exchange are reached
on this machine at the settings' ports unless ``JUPYTERHUB_API_URL`` / ``MENTORHUB_EXCHANGE_URL`` say
otherwise.
"""

from __future__ import annotations

import argparse
import os
import pwd
import sys
from pathlib import Path
from types import SimpleNamespace

from hub.settings import SettingsError

from . import texts
from .catalog import find_course, load_catalog
from .cluster_grading import GRADING_POD_ENV, grading_job
from .errors import CourseError
from .export import write_rows
from .hubconfig import grader_unix_account_of
from .parallel import ProgressBar
from .pipeline import CoursePipeline
from .roster import RosterEntry, fetch_group_members, read_roster_csv, roster_for


def register(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("course", help=texts.CLI_HELP, description=texts.CLI_HELP)
    parser.add_argument("--settings", metavar="FILE", help="site settings file (default: mentorhub.yaml / env)")
    parser.add_argument("--state-dir", type=Path, default=None, help="state folder (default: from the settings)")
    parser.add_argument("--courses-dir", type=Path, default=None, help="courses folder (default: from the settings)")
    commands = parser.add_subparsers(dest="course_command", required=True)

    commands.add_parser("list", help=texts.CLI_LIST_HELP).set_defaults(func=cmd_list)

    sync = commands.add_parser("sync-roster", help=texts.CLI_SYNC_HELP)
    sync.add_argument("course", help=texts.CLI_ARG_COURSE)
    sync.add_argument("--roster", type=Path, help=texts.CLI_ARG_ROSTER)
    sync.add_argument("--users", help="逗号分隔的用户名（不经平台读取用户组时使用）")
    sync.set_defaults(func=cmd_sync_roster)

    for name, helptext, func in (("release", texts.CLI_RELEASE_HELP, cmd_release),
                                 ("collect", texts.CLI_COLLECT_HELP, cmd_collect),
                                 ("feedback", texts.CLI_FEEDBACK_HELP, cmd_feedback)):
        step = commands.add_parser(name, help=helptext)
        step.add_argument("course", help=texts.CLI_ARG_COURSE)
        step.add_argument("assignment", help=texts.CLI_ARG_ASSIGNMENT)
        step.set_defaults(func=func)

    grade = commands.add_parser("autograde", help=texts.CLI_AUTOGRADE_HELP)
    grade.add_argument("course", help=texts.CLI_ARG_COURSE)
    grade.add_argument("assignment", help=texts.CLI_ARG_ASSIGNMENT)
    grade.add_argument("--jobs", type=int, default=2, help=texts.CLI_ARG_JOBS)
    grade.add_argument("--timeout", type=float, default=120, help=texts.CLI_ARG_TIMEOUT)
    grade.set_defaults(func=cmd_autograde)

    job = commands.add_parser("grading-job", help=texts.CLI_GRADING_JOB_HELP)
    job.add_argument("course", help=texts.CLI_ARG_COURSE)
    job.add_argument("assignment", help=texts.CLI_ARG_ASSIGNMENT)
    job.add_argument("--image", help=texts.CLI_ARG_IMAGE)
    job.add_argument("--jobs", type=int, default=2, help=texts.CLI_ARG_JOBS)
    job.add_argument("--timeout", type=int, default=120, help=texts.CLI_ARG_TIMEOUT)
    job.set_defaults(func=cmd_grading_job)

    export = commands.add_parser("export", help=texts.CLI_EXPORT_HELP)
    export.add_argument("course", help=texts.CLI_ARG_COURSE)
    export.add_argument("--output", type=Path, required=True, help=texts.CLI_ARG_OUTPUT)
    export.set_defaults(func=cmd_export)
    return parser


def _settings(args):
    from hub.settings import load_settings

    base = load_settings(args.settings)
    return SimpleNamespace(
        state_dir=Path(args.state_dir) if args.state_dir else base.state_dir,
        courses_dir=Path(args.courses_dir) if args.courses_dir else base.courses_dir,
        mode=base.mode,
        exchange_port=base.exchange_port,
        hub_port=base.hub_port,
        server=base.server,
    )


#: Per-user Jupyter folders of whoever started the command; the grader account uses its own.
USER_JUPYTER_VARIABLES = ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR")


def become_grader(settings, course_id: str) -> None:
    """Server mode: continue as the course's grader account (from root), or check that we already are it."""
    if settings.mode != "server":
        return
    account = grader_unix_account_of(settings, course_id)
    try:
        entry = pwd.getpwnam(account)
    except KeyError:
        raise CourseError(texts.GRADER_ACCOUNT_MISSING.format(course=course_id, account=account)) from None
    if os.geteuid() == entry.pw_uid:
        return
    if os.geteuid() != 0:
        raise CourseError(texts.RUN_AS_GRADER.format(course=course_id, account=account))
    from jupyterhub.spawner import set_user_setuid

    set_user_setuid(account, chdir=False)()  # the same switch the hub makes for the course's formgrader
    os.environ.update(HOME=entry.pw_dir, USER=account, LOGNAME=account)
    for name in USER_JUPYTER_VARIABLES:
        os.environ.pop(name, None)


def use_local_hub(settings) -> None:
    """Unless the environment names them: the hub API and the exchange service of the hub on this machine."""
    defaults = {"JUPYTERHUB_API_URL": f"http://127.0.0.1:{settings.hub_port}/hub/api",
                "MENTORHUB_EXCHANGE_URL": f"http://127.0.0.1:{settings.exchange_port}/services/exchange/"}
    for name, value in defaults.items():
        if not os.environ.get(name):
            os.environ[name] = value


def _pipeline(args, exchange: bool = False) -> CoursePipeline:
    """The course's pipeline; with ``exchange``, for a step that goes through the hub's exchange service,
    which knows the trainer only from their own hub token."""
    settings = _settings(args)
    try:
        catalog = load_catalog(settings.courses_dir)
    except PermissionError:
        # server mode: the sources are readable by the grader accounts only (hub/checkout.py)
        become_grader(settings, args.course)  # refuses any other account, naming the command to use
        raise
    course = find_course(catalog, args.course)
    if exchange and not os.environ.get("JUPYTERHUB_API_TOKEN"):
        raise CourseError(texts.NEED_HUB_TOKEN)
    become_grader(settings, course.course_id)
    use_local_hub(settings)
    # Inside the hub (a token in the environment) nbgrader checks enrolment against hub groups.
    pipeline = CoursePipeline.from_settings(settings, course, hub_auth=bool(os.environ.get("JUPYTERHUB_API_TOKEN")))
    pipeline.prepare(write_config=False)  # the formgrader's config file is written at hub start only
    return pipeline


def _guard(func):
    """Every known failure ends with one Chinese line on stderr and exit status 1, never a traceback."""
    def run(args) -> int:
        from nbgrader.converters.base import NbGraderException
        from nbgrader.exchange.abc.exchange import ExchangeError

        try:
            return func(args)
        except (CourseError, SettingsError, ExchangeError, NbGraderException) as exc:
            print(texts.CLI_ERROR.format(message=exc), file=sys.stderr)
            return 1
    run.__name__ = func.__name__
    run.__doc__ = func.__doc__
    return run


@_guard
def cmd_list(args) -> int:
    settings = _settings(args)
    for course in load_catalog(settings.courses_dir).values():
        print(texts.CLI_COURSE_LINE.format(course_id=course.course_id, title=course.title, tier=course.tier,
                                           category=course.category))
        for a in course.assignments:
            print(texts.CLI_ASSIGNMENT_LINE.format(assignment_id=a.assignment_id, title=a.title, tier=a.tier,
                                                   hours=f"{a.credit_hours:g}", threshold=a.pass_ratio))
    return 0


@_guard
def cmd_sync_roster(args) -> int:
    pipeline = _pipeline(args)
    # what the course's roster already knows (names, schools) stays unless a roster file says otherwise: a
    # sync from the hub group, which knows login names only, must not blank the gradebook's names
    known = {user: RosterEntry(**entry) for user, entry in pipeline.roster().items()}
    details = {**known, **(read_roster_csv(args.roster) if args.roster else {})}
    if args.users:
        usernames = [u.strip() for u in args.users.split(",") if u.strip()]
    else:
        usernames = fetch_group_members(os.environ["JUPYTERHUB_API_URL"],
                                        os.environ.get("JUPYTERHUB_API_TOKEN", ""),
                                        f"nbgrader-{pipeline.course.course_id}")
    counts = pipeline.sync_roster(roster_for(usernames, details))
    print(texts.ROSTER_SYNCED.format(**counts))
    return 0


@_guard
def cmd_release(args) -> int:
    _pipeline(args, exchange=True).release(args.assignment)
    print(texts.CLI_OK)
    return 0


@_guard
def cmd_collect(args) -> int:
    students = _pipeline(args, exchange=True).collect(args.assignment)
    print(texts.CLI_OK + f"（{len(students)}）")
    return 0


def _who(pipeline: CoursePipeline, student_id: str) -> str:
    name = pipeline.roster().get(student_id, {}).get("name")
    return f"{student_id}（{name}）" if name and name != student_id else student_id


def _print_failures(pipeline: CoursePipeline, failures: list[tuple[str, list[str]]]) -> int:
    """The list of who failed and why; the exit status: 0 when nobody failed, 1 otherwise."""
    if failures:
        print(texts.FAILED_LIST)
        for student_id, reasons in failures:
            print(texts.CLI_RESULT_LINE.format(student_id=_who(pipeline, student_id), status="；".join(reasons)))
    return 1 if failures else 0


@_guard
def cmd_autograde(args) -> int:
    if _settings(args).mode == "cluster" and not os.environ.get(GRADING_POD_ENV):
        raise CourseError(texts.CLUSTER_GRADES_IN_A_JOB.format(course=args.course, assignment=args.assignment))
    pipeline = _pipeline(args)
    total = len(pipeline.submitted_students(args.assignment))
    bar = ProgressBar(total) if total else None
    outcomes = pipeline.autograde(args.assignment, jobs=args.jobs, timeout=args.timeout,
                                  on_result=bar.update if bar else None)
    for outcome in outcomes:
        status = texts.STATUS_OK if outcome.ok else texts.STATUS_FAILED
        detail = "；".join([status, *outcome.messages])
        print(texts.CLI_RESULT_LINE.format(student_id=_who(pipeline, outcome.student_id), status=detail))
    failed = [(o.student_id, o.messages) for o in outcomes if not o.ok]
    print(texts.AUTOGRADE_SUMMARY.format(ok=len(outcomes) - len(failed), failed=len(failed), total=len(outcomes)))
    return _print_failures(pipeline, failed)


@_guard
def cmd_feedback(args) -> int:
    pipeline = _pipeline(args, exchange=True)
    outcomes = pipeline.feedback(args.assignment)
    failed = [(o.student_id, [o.message]) for o in outcomes if not o.ok]
    print(texts.FEEDBACK_SUMMARY.format(ok=len(outcomes) - len(failed), failed=len(failed), total=len(outcomes)))
    return _print_failures(pipeline, failed)


@_guard
def cmd_grading_job(args) -> int:
    """Cluster mode: the Job that grades an assignment in a pod of its own (hub.courses.cluster_grading)."""
    import yaml

    from hub.settings import load_settings

    settings = _settings(args)
    course = find_course(load_catalog(settings.courses_dir), args.course)
    course.assignment(args.assignment)
    image = args.image or load_settings(args.settings).cluster["hub_image"]
    print(yaml.safe_dump(grading_job(course.course_id, args.assignment, image, jobs=args.jobs,
                                     timeout=args.timeout), sort_keys=False, allow_unicode=True), end="")
    return 0


@_guard
def cmd_export(args) -> int:
    rows = _pipeline(args).export_rows()
    try:
        path = write_rows(rows, args.output)
    except PermissionError:  # server mode writes as the course's grader account
        raise CourseError(texts.EXPORT_NOT_WRITABLE.format(path=args.output,
                                                           account=pwd.getpwuid(os.geteuid()).pw_name)) from None
    print(texts.EXPORT_WRITTEN.format(rows=len(rows), path=path))
    return 0
