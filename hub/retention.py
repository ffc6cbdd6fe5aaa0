"""`mentorhub retention run [--dry-run]`, `mentorhub retention left STUDENT... --on DATE`, and the hub's
retention service (``python -m hub.retention``), which runs the same retention every day at
``privacy.retention.run_daily_at``.

The rule and what a run deletes or anonymises: ``hub.store.retention_verbs``. A run writes one audit row with
the counts (never contents); ``--dry-run`` prints what a run would do today and changes nothing. The service
is a hub-managed service without a web address (like the idle culler): it sleeps until the next run time,
runs, logs the counts, and sleeps again; a failed run is logged and tried again the next day.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
import time
from collections.abc import Callable

from hub import privacy_texts as T

log = logging.getLogger("hub.retention")

SERVICE_NAME = "retention"
RULE_ENV = "MENTORHUB_RETENTION_RULE"


def print_plan(plan, title: str) -> None:
    print(title.format(today=plan.today.isoformat()))
    for key, count in plan.counts().items():
        print(T.RETENTION_LINE.format(what=T.RETENTION_COUNTS[key], count=count))


def run_command(args) -> int:
    from hub.privacy import retention_rule
    from hub.settings import load_settings
    from hub.store.command import open_from_args
    from hub.store.retention_verbs import RetentionRule

    rule = RetentionRule.from_settings(retention_rule(load_settings(args.settings)))
    store = open_from_args(args)
    try:
        print(T.RETENTION_RULE.format(**vars(rule)))
        if args.dry_run:
            print_plan(store.plan_retention(rule), T.RETENTION_DRY_RUN)
        else:
            print_plan(store.run_retention(rule, actor="mentorhub-retention"), T.RETENTION_DONE)
    finally:
        store.close()
    return 0


def left_command(args) -> int:
    from hub.store.command import open_from_args

    try:
        day = dt.date.fromisoformat(args.on)
    except ValueError:
        print(T.RETENTION_BAD_DAY, file=sys.stderr)
        return 2
    store = open_from_args(args)
    try:
        count = store.mark_students_left(args.students, day, actor="mentorhub")
    finally:
        store.close()
    print(T.RETENTION_LEFT.format(count=count, day=day.isoformat()))
    return 0


def register(subparsers) -> None:
    from hub.store.command import add_db_option

    retention = subparsers.add_parser("retention", help="按保留规则删除或匿名化到期数据 (retention)")
    actions = retention.add_subparsers(dest="retention_command", metavar="ACTION")
    run = actions.add_parser("run", help="删除或匿名化到期的数据（每次记入审计，只记数量）")
    run.add_argument("--dry-run", action="store_true", help="只列出将会删除或匿名化的数量，不做改动")
    add_db_option(run)
    run.set_defaults(func=run_command)
    left = actions.add_parser("left", help="登记学生离校日期（保留期限从这一天起算）")
    left.add_argument("students", nargs="+", metavar="STUDENT_ID")
    left.add_argument("--on", required=True, metavar="YYYY-MM-DD", help="离校日期")
    add_db_option(left)
    left.set_defaults(func=left_command)
    retention.set_defaults(func=lambda args: (retention.print_help(), 2)[1])


# --- the hub's retention service ----------------------------------------------------------------------
def next_run(now: dt.datetime, run_at: str) -> dt.datetime:
    """The first ``run_at`` (HH:MM, local time) strictly after ``now``."""
    hour, minute = (int(part) for part in run_at.split(":"))
    candidate = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return candidate if candidate > now else candidate + dt.timedelta(days=1)


class RetentionService:
    """Runs ``run_once`` at ``run_at`` every day. ``clock`` and ``sleep`` are the real ones except in tests."""

    def __init__(self, run_at: str, run_once: Callable[[], object], *,
                 clock: Callable[[], dt.datetime] = dt.datetime.now, sleep: Callable[[float], None] = time.sleep):  # fmt: skip
        self.run_at, self.run_once, self.clock, self.sleep = run_at, run_once, clock, sleep

    def step(self) -> None:
        """Sleep until the next run time, then run once (a failure is logged; the next day tries again)."""
        due = next_run(self.clock(), self.run_at)
        while (left := (due - self.clock()).total_seconds()) > 0:
            self.sleep(min(left, 3600))
        try:
            self.run_once()
        except Exception:  # a failed run must not stop the service: logged, tried again tomorrow
            log.exception("retention run failed; next try at %s tomorrow", self.run_at)

    def serve(self) -> None:
        while True:
            self.step()


def retention_service(settings) -> dict | None:
    """The hub-managed service definition (``hub.config.apply_services``), or None with no scheduled run."""
    import json

    from hub.privacy import field_key_file, retention_rule

    rule = retention_rule(settings)
    if not rule.get("run_daily_at"):
        return None
    environment = {"MENTORHUB_RECORDS_DB_URL": settings.records_db_url,
                   "MENTORHUB_FIELD_KEY_FILE": str(field_key_file(settings)), RULE_ENV: json.dumps(rule)}
    if settings.mode == "cluster":  # the database password of the hub pod (hub.cluster hands it to services)
        from hub.cluster import DATABASE_SECRET_ENV

        environment.update({key: os.environ[key] for key in DATABASE_SECRET_ENV if os.environ.get(key)})
    return {"name": SERVICE_NAME, "command": [sys.executable, "-m", "hub.retention"], "display": False,
            "environment": environment}


def main(environ=os.environ) -> int:
    import json

    from hub.store import open_store
    from hub.store.retention_verbs import RetentionRule

    logging.basicConfig(level=logging.INFO, format="[%(levelname)s %(asctime)s %(name)s] %(message)s")
    settings_rule = json.loads(environ[RULE_ENV])
    rule = RetentionRule.from_settings(settings_rule)
    db_url, key_file = environ["MENTORHUB_RECORDS_DB_URL"], environ.get("MENTORHUB_FIELD_KEY_FILE")

    def run_once():
        store = open_store(db_url, key_file=key_file if key_file and os.path.exists(key_file) else None)
        try:
            plan = store.run_retention(rule, actor="retention-service")
        finally:
            store.close()
        log.info("retention run of %s: %s", plan.today, plan.counts())

    log.info("retention service: every day at %s (%s)", settings_rule["run_daily_at"], vars(rule))
    try:
        RetentionService(settings_rule["run_daily_at"], run_once).serve()
    except KeyboardInterrupt:
        log.info("retention service stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
