"""`mentorhub account`: account management for real rosters.

Imported staff get accounts with no password (they cannot log in until an administrator gives them one):

    mentorhub account reset USER [--db URL]   a new random temporary password, printed once; the user must
                                              change it at the first login; failed logins and locks cleared
    mentorhub account list [--db URL]         every account: roles, password set?, must change?, locked?
    mentorhub account unbind USER [--db URL]  the records service binds an account to the hub user first seen
                                              with its name; forget that (e.g. the hub's database was made anew)

Password hashes are never printed. Every reset is written to the audit log as ``cli:<operating-system user>``.

Server mode's Unix accounts are named here too (``unix_account_name``): one account per hub user, never
shared. Two hub names that map to the same account (``li.ming`` and ``li_ming``) are refused at roster import
(``account_name_clashes``), and a server never starts as an account that was made for someone else
(``ensure_unix_account`` reads whom the account's own entry says it belongs to).
"""

from __future__ import annotations

import getpass
import hashlib
import logging
import pwd
import re
import secrets
import subprocess
import sys
from pathlib import Path

from tornado.web import HTTPError

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
    "unbound": "账号 {user} 已解除与平台用户的绑定：下一次以该用户名访问记录服务的平台用户将与之绑定。",
    "not_bound": "账号 {user} 尚未与平台用户绑定，无需解除。",
    "account_taken": "服务器账号 {account} 已属于另一位用户，不能为您启动工作空间。请联系平台管理员。",
}


UNIX_NAME_LIMIT = 32  # useradd's longest account name


class AccountTaken(HTTPError):
    """The Unix account exists and belongs to someone (or something) else. An HTTP 403 to the hub's pages,
    which show ``jupyterhub_message`` (Chinese) to the user whose server was refused."""

    def __init__(self, account: str, owner: str, wanted: str):
        super().__init__(403, "Unix account %s belongs to %r, not to %r", account, owner, wanted)
        self.message_zh = TEXTS["account_taken"].format(account=account)
        self.jupyterhub_message = self.message_zh


def unix_name_stem(hub_name: str) -> str:
    """What a hub name becomes in its Unix account name: lower case, every character but a-z, 0-9 and '-' a '-'."""
    return re.sub(r"[^a-z0-9-]", "-", hub_name.lower())


def fit_unix_name(name: str, whole: str) -> str:
    """``name`` as is when useradd takes it; a longer one keeps its beginning and ends in a digest of
    ``whole`` (what it was made from), so that two long names do not end up the same."""
    if len(name) <= UNIX_NAME_LIMIT:
        return name
    digest = hashlib.sha256(whole.encode("utf-8")).hexdigest()[:8]
    return f"{name[:UNIX_NAME_LIMIT - 9]}-{digest}"


def unix_account_name(prefix: str, hub_name: str) -> str:
    """The Unix account of hub user ``hub_name``: ``<prefix><stem>`` (see ``fit_unix_name`` for long ones)."""
    return fit_unix_name(f"{prefix}{unix_name_stem(hub_name)}", hub_name)


def account_name_clashes(names) -> dict[str, list[str]]:
    """{stem: the names sharing it} for every stem two or more distinct hub names map to (pure)."""
    by_stem: dict[str, list[str]] = {}
    for name in names:
        members = by_stem.setdefault(unix_name_stem(name), [])
        if name not in members:
            members.append(name)
    return {stem: members for stem, members in by_stem.items() if len(members) > 1}


def account_owner(entry: pwd.struct_passwd) -> str:
    """Whom an account's own passwd entry says it is for: the full-name part of its comment (GECOS), which
    useradd wrote when the hub made it and which its user cannot change."""
    return entry.pw_gecos.split(",")[0]


class AccountOutsideRange(RuntimeError):
    """A user's existing Unix account whose uid the network policy (``hub.netpolicy``) does not cover."""


def ensure_unix_account(name: str, home_root: str, owner: str,
                        uids: tuple[int, int] | None = None) -> pwd.struct_passwd:
    """The Unix account ``name`` for ``owner`` (e.g. ``Mentor Hub user li.ming``), created with a private home
    under ``home_root`` when missing. An existing account made for anyone else is refused (``AccountTaken``):
    no two hub users, and no hub user and a system account, ever share one. Needs root.

    With ``uids`` (first, last) a new account gets a uid (and group id) in that range and no subordinate
    uids; an existing one outside it is refused (``AccountOutsideRange``)."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        limits = []
        if uids:
            limits = [f"UID_MIN={uids[0]}", f"UID_MAX={uids[1]}", f"GID_MIN={uids[0]}", f"GID_MAX={uids[1]}",
                      "SUB_UID_COUNT=0", "SUB_GID_COUNT=0"]
        made = subprocess.run(
            ["useradd", "--create-home", "--home-dir", str(Path(home_root) / name), "--shell", "/bin/bash",
             "--comment", owner, *(f"--key={limit}" for limit in limits), name],
            capture_output=True, text=True,
        )
        try:
            entry = pwd.getpwnam(name)  # made now, or by someone else meanwhile
        except KeyError:
            raise RuntimeError(f"useradd {name} failed: {made.stderr.strip()}") from None
    if account_owner(entry) != owner:  # the hub logs the refusal with the spawn's failure
        raise AccountTaken(name, account_owner(entry), owner)
    if uids and not uids[0] <= entry.pw_uid <= uids[1]:
        raise AccountOutsideRange(
            f"Unix account {name} has uid {entry.pw_uid}, outside server.uid_min..uid_max ({uids[0]}-{uids[1]}) "
            f"that the network policy covers: give it a uid in the range (usermod --uid) or remove it (userdel)")
    return entry


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


def run_unbind(args) -> int:
    from hub.store import StoreError
    from hub.store.command import open_from_args

    try:
        store = open_from_args(args)
        try:
            was_bound = store.unbind_hub_user(args.user, by=f"cli:{operator_name()}")
        finally:
            store.close()
    except StoreError as error:
        print(TEXTS["refused"].format(user=args.user, reason=error.message_zh), file=sys.stderr)
        return 1
    print(TEXTS["unbound" if was_bound else "not_bound"].format(user=args.user))
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
    unbind = actions.add_parser("unbind", help="解除账号与平台用户的绑定 (forget the hub user bound to an account)")
    unbind.add_argument("user", help="用户名 (hub user name)")
    add_db_option(unbind)
    unbind.set_defaults(func=run_unbind)
    listing = actions.add_parser("list", help="列出全部账号（不显示密码） (list accounts, no hashes)")
    add_db_option(listing)
    listing.set_defaults(func=run_list)
    account.set_defaults(func=lambda args: (account.print_help(), 2)[1])
