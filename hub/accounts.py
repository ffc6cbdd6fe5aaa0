"""`mentorhub account`: account management for real rosters.

Imported staff get accounts with no password (they cannot log in until an administrator gives them one):

    mentorhub account reset USER [--db URL]   a new random temporary password, printed once; the user must
                                              change it at the first login; failed logins and locks cleared
    mentorhub account list [--db URL]         every account: roles, password set?, must change?, locked?

Password hashes are never printed. Every reset is written to the audit log as ``cli:<operating-system user>``.
"""

from __future__ import annotations

import getpass
import logging
import secrets
import sys

log = logging.getLogger(__name__)

# Temporary passwords: no look-alike characters (0/O, 1/l/I), read out over the phone in groups of four.
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
GROUPS, GROUP_LENGTH = 3, 4

TEXTS = {
    "reset_done": "账号 {user} 的密码已重置{unlocked}。临时密码（只显示这一次，请当面或电话告知本人）：",
    "unlocked": "，并已解除锁定",
    "reset_hint": "本人首次登录后必须修改密码。",
    "refused": "未能重置账号 {user}：{reason}",
    "list_header": ("用户名", "姓名", "教职工编号", "平台角色", "已设密码", "须改密码", "已锁定", "启用"),
    "yes": "是",
    "no": "否",
    "none": "（暂无账号）",
    "count": "共 {n} 个账号",
}


def temporary_password(groups: int = GROUPS, length: int = GROUP_LENGTH) -> str:
    """A random password like ``k7Qm-x2Wd-9pRt`` (about 71 bits), from the operating system's CSPRNG."""
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(length)) for _ in range(groups))


def operator_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry for this uid (containers)
        return "unknown"


def run_reset(args) -> int:
    from hub.auth import hash_password
    from hub.store import StoreError
    from hub.store.command import open_from_args

    password = temporary_password()
    try:
        store = open_from_args(args)
    except StoreError as error:
        print(TEXTS["refused"].format(user=args.user, reason=error.message_zh), file=sys.stderr)
        return 1
    try:
        done = store.reset_password(args.user, hash_password(password), by=f"cli:{operator_name()}")
    except StoreError as error:
        print(TEXTS["refused"].format(user=args.user, reason=error.message_zh), file=sys.stderr)
        return 1
    finally:
        store.close()
    log.info("password of %s reset (unlocked: %s)", args.user, done["unlocked"])
    print(TEXTS["reset_done"].format(user=args.user, unlocked=TEXTS["unlocked"] if done["unlocked"] else ""))
    print(password)
    print(TEXTS["reset_hint"])
    return 0


def account_rows(summaries: list[dict]) -> list[tuple[str, ...]]:
    """Pure: the table `account list` prints (no hashes exist in the summaries to begin with)."""
    def yes_no(flag):
        return TEXTS["yes"] if flag else TEXTS["no"]

    return [(a["username"], a["display_name"] or "-", a["staff_id"] or "-", ";".join(a["platform_roles"]) or "-",
             yes_no(a["has_password"]), yes_no(a["must_change_password"]), yes_no(a["locked"]),
             yes_no(a["active"])) for a in summaries]  # fmt: skip


def run_list(args) -> int:
    from hub.store import StoreError
    from hub.store.command import open_from_args

    try:
        store = open_from_args(args)
        try:
            rows = account_rows(store.find_account_summaries())
        finally:
            store.close()
    except StoreError as error:
        print(error.message_zh, file=sys.stderr)
        return 1
    if not rows:
        print(TEXTS["none"])
        return 0
    print("\t".join(TEXTS["list_header"]))
    for row in rows:
        print("\t".join(row))
    print(TEXTS["count"].format(n=len(rows)))
    return 0


def register(subparsers) -> None:
    from hub.store.command import add_db_option

    account = subparsers.add_parser("account", help="账号管理 (accounts)")
    actions = account.add_subparsers(dest="account_command", metavar="ACTION")
    reset = actions.add_parser("reset", help="重置密码为一次性临时密码并解除锁定 (reset to a temporary password)")
    reset.add_argument("user", help="用户名 (hub user name; for imported staff: the staff id)")
    add_db_option(reset)
    reset.set_defaults(func=run_reset)
    listing = actions.add_parser("list", help="列出全部账号（不显示密码） (list accounts, no hashes)")
    add_db_option(listing)
    listing.set_defaults(func=run_list)
    account.set_defaults(func=lambda args: (account.print_help(), 2)[1])
