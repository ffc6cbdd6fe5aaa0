"""`mentorhub district ...`: the district's accounts and timeline (issue 22).

    mentorhub district account LOGIN --name 区德育科张老师     # an account with the role ``district``
    mentorhub district milestones --year 2026-2027 --first-day 2026-09-01   # the plan's staged schedule

An account of the role ``district`` (教育局德育科 staff) is in the hub group ``district-staff`` once the groups
are synced (the hub's start, or ``roster import --hub-token``); it gets a one-time temporary password, to be
changed at the first login, like ``account reset`` gives. The timeline is the template of
``district_verbs.default_milestones`` for a school year; district staff adjust it with ``PUT milestones``.
"""

from __future__ import annotations

import datetime as dt
import sys

TEXTS = {
    "made": "已创建区德育科账号 {user}（角色 district）；一次性临时密码如下，首次登录后须修改：",
    "exists": "账号 {user} 已存在，未做改动",
    "refused": "未能完成：{reason}",
    "milestones_made": "已为 {year} 学年生成 {n} 个区级时间节点（第一学期开学日 {day}）",
    "milestones_exist": "{year} 学年已有区级时间节点，未做改动（区德育科可在平台上修改）",
    "bad_day": "--first-day 应为 YYYY-MM-DD 格式的日期",
}


def run_account(args) -> int:
    from hub.accounts import operator_name, temporary_password
    from hub.auth import hash_password
    from hub.store import StoreError
    from hub.store.command import open_from_args

    try:
        store = open_from_args(args)
    except StoreError as error:
        print(TEXTS["refused"].format(reason=error.message_zh), file=sys.stderr)
        return 1
    try:
        if store.find_account(args.user) is not None:
            print(TEXTS["exists"].format(user=args.user), file=sys.stderr)
            return 1
        password = temporary_password()
        store.add_account(args.user, hash_password(password), must_change_password=True, platform_roles=["district"],
                          display_name=args.name or "区德育科")  # fmt: skip
        store.add_audit(f"cli:{operator_name()}", "account.add", "account", args.user, detail={"roles": ["district"]})
    except StoreError as error:
        print(TEXTS["refused"].format(reason=error.message_zh), file=sys.stderr)
        return 1
    finally:
        store.close()
    print(TEXTS["made"].format(user=args.user))
    print(password)
    return 0


def run_milestones(args) -> int:
    from sqlalchemy import func, select

    from hub.store import StoreError
    from hub.store.command import open_from_args
    from hub.store.district_models import DistrictMilestone

    try:
        first_day = dt.date.fromisoformat(args.first_day)
    except ValueError:
        print(TEXTS["bad_day"], file=sys.stderr)
        return 2
    try:
        store = open_from_args(args)
        try:
            with store.reading() as s:
                existing = s.scalar(select(func.count()).select_from(DistrictMilestone)
                                    .where(DistrictMilestone.school_year == args.year))  # fmt: skip
            if existing:
                print(TEXTS["milestones_exist"].format(year=args.year), file=sys.stderr)
                return 1
            made = store.add_default_milestones(args.year, first_day)
        finally:
            store.close()
    except StoreError as error:
        print(TEXTS["refused"].format(reason=error.message_zh), file=sys.stderr)
        return 1
    print(TEXTS["milestones_made"].format(year=args.year, n=made, day=first_day.isoformat()))
    return 0


def register(subparsers) -> None:
    from hub.store.command import add_db_option

    district = subparsers.add_parser("district", help="区德育科：账号与区级时间节点 (the district's accounts and timeline)")
    actions = district.add_subparsers(dest="district_command", metavar="ACTION")
    account = actions.add_parser("account", help="创建区德育科账号（角色 district） (an account of the district role)")
    account.add_argument("user", help="登录名 (login name)")
    account.add_argument("--name", default="", help="显示名称 (display name)")
    add_db_option(account)
    account.set_defaults(func=run_account)
    milestones = actions.add_parser("milestones", help="生成某学年的区级时间节点 (the plan's staged schedule)")
    milestones.add_argument("--year", required=True, help="学年，如 2026-2027 (school year)")
    milestones.add_argument("--first-day", required=True, help="第一学期开学日 YYYY-MM-DD (the first term's first day)")
    add_db_option(milestones)
    milestones.set_defaults(func=run_milestones)
    district.set_defaults(func=lambda args: (district.print_help(), 2)[1])
