"""`mentorhub roster import FILE`: schools, classes, staff and students from an .xlsx workbook or a folder
of CSV files (``schools.csv``, ``classes.csv``, ``staff.csv``, ``students.csv``).

Steps: read every sheet (``read_tables``, within the limits of ``hub.spreadsheets``) -> check every cell and
every reference (``check_roster``), collecting the problems as (sheet, row, column, Chinese message), up to
``MAX_PROBLEMS`` -> refuse the whole file if there is any -> otherwise write everything in one transaction
(``RecordStore.import_roster``), which is idempotent. Staff numbers keep the case the school's HR system
gave them (``CN2019A07``); the login name is the number in lower case, so two numbers that differ only in
case are refused.
Optionally the hub's users and groups are then synced through its REST API (``sync_hub_groups``).
"""

from __future__ import annotations

import csv as _csv
import logging
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from hub.spreadsheets import (
    MAX_PROBLEMS,
    TableRefused,
    cell_text,
    check_file_size,
    close_workbook,
    csv_rows,
    more_problems_text,
    open_workbook,
    sheet_rows,
)

log = logging.getLogger(__name__)

SHEETS = {  # sheet -> (required columns, optional columns)
    "schools": (("school_id", "name"), ("district", "stage")),
    "classes": (("class_id", "school_id", "grade", "head_teacher_id"), ("name",)),
    "staff": (("staff_id", "name", "school_id", "roles", "classes"), ("subject", "max_mentees")),
    "students": (("student_id", "name", "school_id", "class_id", "needs_mentors"), ("birth_year_month",)),
}
ROLE_NAMES = {  # accepted spellings -> role code
    "subject": "subject", "学科教师": "subject", "head_teacher": "head_teacher", "班主任": "head_teacher",
    "psychology": "psychology", "心理教师": "psychology", "leader": "leader", "德育干部": "leader",
    "德育负责人": "leader", "middle_manager": "middle_manager", "中层干部": "middle_manager",
    "studio_leader": "studio_leader", "工作室主持人": "studio_leader", "school_admin": "school_admin",
    "学校管理员": "school_admin",
}  # fmt: skip
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
STAFF_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")  # HR systems export CN2019A07: the login is lower case
LIST_SPLIT = re.compile(r"[;；,，、\s]+")

TEXTS = {
    "no_file": "找不到文件或文件夹：{path}",
    "not_xlsx": "文件不是有效的 Excel 工作簿（.xlsx），也不是 CSV 文件夹",
    "empty": "文件是空的",
    "not_utf8": "CSV 文件不是 UTF-8 编码（第 {row} 行附近），请在 Excel 中另存为“CSV UTF-8”",
    "bad_csv": "CSV 文件无法解析：{detail}",
    "missing_sheet": "缺少工作表“{sheet}”",
    "missing_column": "缺少列“{column}”",
    "no_rows": "工作表“{sheet}”没有数据行",
    "required": "此项不能为空",
    "bad_id": "编号只能包含字母、数字、下划线、点或短横线，最长 32 个字符",
    "bad_username": "教职工编号只能包含字母、数字、下划线、点或短横线（登录名是它的小写形式）",
    "same_login": "教职工编号“{value}”与第 {first} 行的“{other}”只差大小写，登录名都会是“{login}”：请改正其中一个",
    "account_clash": ("登录名“{value}”与第 {first} 行的“{other}”对应同一个服务器账号（…{stem}），两人会共用一个账号；"
                      "请给其中一位换一个教职工编号"),
    "account_clash_existing": ("登录名“{value}”与已有账号“{other}”对应同一个服务器账号（…{stem}），两人会共用一个账号；"
                               "请换一个教职工编号"),
    "duplicate": "编号“{value}”重复（第 {first} 行已出现）",
    "unknown_school": "学校“{value}”不在 schools 表中",
    "unknown_class": "班级“{value}”不在 classes 表中",
    "class_other_school": "班级“{value}”不属于学校“{school}”",
    "head_not_staff": "班主任“{value}”不在 staff 表中",
    "head_other_school": "班主任“{value}”不是本校教职工",
    "bad_grade": "年级必须是 1 到 12 之间的整数",
    "bad_count": "所需导师数必须是 1 到 5 之间的整数",
    "bad_max": "导师结对上限必须是 1 到 15 之间的整数",
    "bad_role": "无法识别的角色“{value}”",
    "bad_month": "出生年月格式应为 2012-09",
    "too_long": "内容过长（最多 {limit} 个字）",
    "refused": "花名册有 {count} 处问题，整个文件未导入：",
    "refused_more": "花名册至少有 {count} 处问题，整个文件未导入（只列出前 {count} 处）：",
    "done": "花名册已导入：",
    "logins_made": "新建登录名 {count} 个（教职工编号 → 登录名，初始无密码，请用 mentorhub account reset 发放）：",
    "login_line": "  {staff_id} → {username}",
    "no_logins_made": "没有新建登录名。",
    "counts": "  {sheet}: 新增 {created}，更新 {updated}，未变 {unchanged}",
    "synced": "已同步平台用户与分组：{groups} 个分组",
    "sync_refused": ("花名册已导入，但平台拒绝了用户与分组同步（{what}，HTTP {status}）：只有平台管理服务的令牌"
                     "（状态目录下 secrets/admin_service_token）可以建用户、改分组成员"),
}  # fmt: skip


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | str  # spreadsheet row number (the header is row 1); "-" when not about one row
    column: str
    message: str

    def __str__(self) -> str:
        return f"[{self.sheet} 第{self.row}行 {self.column}] {self.message}"


class RosterRefused(Exception):
    """``more``: checking stopped at ``MAX_PROBLEMS`` problems, so there may be others."""

    def __init__(self, problems: list[Problem], more: bool = False):
        super().__init__(f"roster refused: {len(problems)}{'+' if more else ''} problem(s)")
        self.problems = problems
        self.more = more


class TooManyProblems(Exception):
    """Raised by ``Checker.add`` past ``MAX_PROBLEMS``: checking stops there."""


# --- step 1: read ---------------------------------------------------------------------------------

def read_tables(path: Path) -> tuple[dict[str, list[dict]], list[Problem]]:
    """Every sheet as a list of {column: text} rows (each with ``_row``), plus reading problems.

    Workbooks are checked against the limits of ``hub.spreadsheets`` (file and unpacked size, rows, cells
    in a row) before they are read, and read row by row; sheets other than the four are never read."""
    path = Path(path)
    if not path.exists():
        return {}, [Problem("-", "-", "-", TEXTS["no_file"].format(path=path))]
    grids, problems = {}, []
    if path.is_dir():
        for sheet in SHEETS:
            csv = path / f"{sheet}.csv"
            if not csv.exists():
                problems.append(Problem(sheet, "-", "-", TEXTS["missing_sheet"].format(sheet=sheet)))
                continue
            grid, problem = _read_csv(csv, sheet)
            if problem:
                problems.append(problem)
            else:
                grids[sheet] = grid
    else:
        if path.stat().st_size == 0:
            return {}, [Problem("-", "-", "-", TEXTS["empty"])]
        try:
            grids = _read_workbook(path)
        except TableRefused as refused:
            return {}, [Problem("-", "-", "-", refused.message)]
        except Exception as error:  # zipfile and openpyxl raise many kinds for a non-workbook
            log.info("not a workbook: %s: %s", path, error)
            return {}, [Problem("-", "-", "-", TEXTS["not_xlsx"])]
        problems += [Problem(s, "-", "-", TEXTS["missing_sheet"].format(sheet=s)) for s in SHEETS if s not in grids]
    tables = {}
    for sheet, grid in grids.items():
        header = [str(c).strip() for c in (grid[0] if grid else [])]
        missing = [c for c in SHEETS[sheet][0] if c not in header]
        problems += [Problem(sheet, 1, c, TEXTS["missing_column"].format(column=c)) for c in missing]
        rows = [{**{k: (cells[i].strip() if i < len(cells) else "") for i, k in enumerate(header) if k}, "_row": n + 2}
                for n, cells in enumerate(grid[1:])]  # fmt: skip
        rows = [r for r in rows if any(v for k, v in r.items() if k != "_row")]
        if not rows:
            problems.append(Problem(sheet, 2, "-", TEXTS["no_rows"].format(sheet=sheet)))
        if not missing:
            tables[sheet] = rows
    return tables, problems


def _read_workbook(path: Path) -> dict[str, list[list[str]]]:
    """The four sheets of a workbook as lists of cell texts (header first); ``TableRefused`` over a limit."""
    book = open_workbook(path)
    try:
        return {sheet.title.strip(): [[cell_text(v) for v in row] for row in sheet_rows(book, sheet)]
                for sheet in book.worksheets if sheet.title.strip() in SHEETS}  # fmt: skip
    finally:
        close_workbook(book)


def _read_csv(csv: Path, sheet: str):
    try:
        check_file_size(csv.stat().st_size)
    except TableRefused as refused:
        return None, Problem(sheet, "-", "-", refused.message)
    raw = csv.read_bytes()
    if not raw.strip():
        return None, Problem(sheet, "-", "-", TEXTS["empty"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = raw[: error.start].count(b"\n") + 1
        return None, Problem(sheet, row, "-", TEXTS["not_utf8"].format(row=row))
    try:
        return list(csv_rows(text, f"{sheet}.csv")), None
    except TableRefused as refused:
        return None, Problem(sheet, "-", "-", refused.message)
    except _csv.Error as error:
        return None, Problem(sheet, "-", "-", TEXTS["bad_csv"].format(detail=str(error)[:120]))


# --- step 2: check --------------------------------------------------------------------------------

class Checker:
    """Collects problems while turning raw rows into clean ones."""

    def __init__(self):
        self.problems: list[Problem] = []

    def add(self, sheet, row, column, key, **values):
        if len(self.problems) >= MAX_PROBLEMS:
            raise TooManyProblems
        self.problems.append(Problem(sheet, row, column, TEXTS[key].format(**values)))

    def text(self, sheet, row, column, limit=50, required=True) -> str:
        value = row.get(column, "")
        if required and not value:
            self.add(sheet, row["_row"], column, "required")
        elif len(value) > limit:
            self.add(sheet, row["_row"], column, "too_long", limit=limit)
        return value

    def ident(self, sheet, row, column, pattern=ID_RE, key="bad_id") -> str:
        value = self.text(sheet, row, column, limit=64)
        if value and not pattern.match(value):
            self.add(sheet, row["_row"], column, key)
        return value

    def integer(self, sheet, row, column, lo, hi, key, default=None) -> int | None:
        value = row.get(column, "")
        if not value and default is not None:
            return default
        try:
            number = int(float(value)) if re.fullmatch(r"\d+(\.0+)?", value) else None
        except ValueError:
            number = None
        if number is None or not lo <= number <= hi:
            self.add(sheet, row["_row"], column, key)
            return None
        return number

    def unique(self, sheet, rows, column) -> dict[str, dict]:
        seen: dict[str, dict] = {}
        for row in rows:
            value = row.get(column, "")
            if value in seen:
                self.add(sheet, row["_row"], column, "duplicate", value=value, first=seen[value]["_row"])
            elif value:
                seen[value] = row
        return seen


def check_account_names(c: Checker, staff_rows: list[dict], existing=()) -> None:
    """Staff ids are login names, and in server mode each becomes a Unix account (``hub.accounts``): two names
    that become the same account (``li.ming``, ``li_ming``), in the file or with an account already in the
    store, are refused, the row of each named."""
    from hub.accounts import unix_name_stem

    owners = {unix_name_stem(name): (name, None) for name in existing}  # stem -> (name, its row or None)
    for row in staff_rows:
        name = row.get("staff_id", "")
        if not name:
            continue
        stem = unix_name_stem(name)
        other, other_row = owners.setdefault(stem, (name, row["_row"]))
        if other == name:
            if other_row is None:  # the same account again: this row is its row from now on
                owners[stem] = (name, row["_row"])
            continue
        key = "account_clash_existing" if other_row is None else "account_clash"
        c.add("staff", row["_row"], "staff_id", key, value=name, other=other, first=other_row, stem=stem)


def check_roster(tables: dict[str, list[dict]], existing_accounts=()) -> tuple[dict[str, list[dict]], list[Problem]]:
    """Clean rows for ``RecordStore.import_roster`` and every problem found (empty when all is well).
    ``existing_accounts``: the login names already in the store.

    Checking stops at ``MAX_PROBLEMS`` problems; the list then ends with a note saying so."""
    c = Checker()
    try:
        return _check(c, tables, existing_accounts), c.problems
    except TooManyProblems:
        return {}, [*c.problems, Problem("-", "-", "-", more_problems_text())]


def _same_login(c: Checker, rows: list[dict]) -> None:
    """Staff numbers that differ only in case would share a login name: both rows are named."""
    seen: dict[str, dict] = {}
    for row in rows:
        value = row.get("staff_id", "")
        first = seen.setdefault(value.lower(), row)
        if value and first is not row and first.get("staff_id") != value:
            c.add("staff", row["_row"], "staff_id", "same_login", value=value, first=first["_row"],
                  other=first["staff_id"], login=value.lower())


def _check(c: Checker, tables: dict[str, list[dict]], existing_accounts=()) -> dict[str, list[dict]]:
    t = {sheet: tables.get(sheet, []) for sheet in SHEETS}
    schools = c.unique("schools", t["schools"], "school_id")
    classes = c.unique("classes", t["classes"], "class_id")
    staff = c.unique("staff", t["staff"], "staff_id")
    _same_login(c, t["staff"])
    c.unique("students", t["students"], "student_id")
    out = {sheet: [] for sheet in SHEETS}
    for row in t["schools"]:
        out["schools"].append({"school_id": c.ident("schools", row, "school_id"),
                               "name": c.text("schools", row, "name", 100),
                               "district": c.text("schools", row, "district", 100, False),
                               "stage": c.text("schools", row, "stage", 20, False)})  # fmt: skip

    def school_of(sheet, row):
        value = c.ident(sheet, row, "school_id")
        if value and schools and value not in schools:
            c.add(sheet, row["_row"], "school_id", "unknown_school", value=value)
        return value

    for row in t["staff"]:
        school_id = school_of("staff", row)
        roles = []
        for name in LIST_SPLIT.split(row.get("roles", "")):
            if name and name not in ROLE_NAMES:
                c.add("staff", row["_row"], "roles", "bad_role", value=name)
            elif name:
                roles.append(ROLE_NAMES[name])
        taught = [name for name in LIST_SPLIT.split(row.get("classes", "")) if name]
        for name in taught:
            if name not in classes:
                c.add("staff", row["_row"], "classes", "unknown_class", value=name)
        staff_id = c.ident("staff", row, "staff_id", STAFF_ID_RE, "bad_username")
        out["staff"].append({
            "staff_id": staff_id, "username": staff_id.lower(),
            "name": c.text("staff", row, "name"), "school_id": school_id, "roles": roles or ["subject"],
            "classes": taught, "subject": c.text("staff", row, "subject", 50, False),
            "max_mentees": c.integer("staff", row, "max_mentees", 1, 15, "bad_max", default=15),
        })  # fmt: skip
    # Login names are the staff numbers in lower case (two differing only in case are refused above).
    check_account_names(c, [{**row, "staff_id": row.get("staff_id", "").lower()} for row in t["staff"]],
                        existing_accounts)
    for row in t["classes"]:
        school_id = school_of("classes", row)
        head = row.get("head_teacher_id", "")
        if head and head not in staff:
            c.add("classes", row["_row"], "head_teacher_id", "head_not_staff", value=head)
        elif head and staff[head].get("school_id") != school_id:
            c.add("classes", row["_row"], "head_teacher_id", "head_other_school", value=head)
        out["classes"].append({
            "class_id": c.ident("classes", row, "class_id"), "school_id": school_id,
            "grade": c.integer("classes", row, "grade", 1, 12, "bad_grade"),
            "name": c.text("classes", row, "name", 50, False) or row.get("class_id", ""),
            "head_teacher_id": head or None,
        })  # fmt: skip
    for row in t["students"]:
        school_id = school_of("students", row)
        class_id = row.get("class_id", "")
        if not class_id:
            c.add("students", row["_row"], "class_id", "required")
        elif class_id not in classes:
            c.add("students", row["_row"], "class_id", "unknown_class", value=class_id)
        elif classes[class_id].get("school_id") != school_id:
            c.add("students", row["_row"], "class_id", "class_other_school", value=class_id, school=school_id)
        month = row.get("birth_year_month", "")
        if month and not re.fullmatch(r"(19|20)\d{2}-(0[1-9]|1[0-2])", month):
            c.add("students", row["_row"], "birth_year_month", "bad_month")
        out["students"].append({
            "student_id": c.ident("students", row, "student_id"), "display_name": c.text("students", row, "name"),
            "school_id": school_id, "class_id": class_id, "birth_year_month": month or None,
            "needs_mentors": c.integer("students", row, "needs_mentors", 1, 5, "bad_count", default=1),
        })  # fmt: skip
    return out


# --- step 3: write --------------------------------------------------------------------------------

def import_roster_file(store, path) -> dict:
    """Read, check and write a roster; raises ``RosterRefused`` (nothing written) on any problem."""
    tables, problems = read_tables(Path(path))
    if not problems:
        clean, problems = check_roster(tables, [a["username"] for a in store.find_account_summaries()])
    if problems:
        raise RosterRefused(problems, more=len(problems) > MAX_PROBLEMS)
    return store.import_roster(clean["schools"], clean["classes"], clean["staff"], clean["students"])


class HubSyncRefused(Exception):
    """The hub refused to create users or change a group (the token is not the project's admin service's)."""

    def __init__(self, status: int, what: str):
        super().__init__(f"hub refused {what}: HTTP {status}")
        self.message_zh = TEXTS["sync_refused"].format(status=status, what=what)


def sync_hub_groups(api_url: str, token: str, memberships: dict[str, list[str]], *, store, by: str,
                    timeout: float = 30) -> int:
    """Create missing hub users and groups and add members, through the hub REST API (additive, like
    ``load_groups``), with the project's admin service token: the only holder of the scopes this needs
    (platform admins may not change memberships). Every change is written to the records store's audit log
    as done ``by`` (e.g. ``cli:root``). Returns the number of groups synced."""
    import requests

    api = api_url.rstrip("/")
    session = requests.Session()
    session.headers["Authorization"] = f"token {token}"

    def call(method: str, path: str, what: str, **kwargs):
        response = session.request(method, f"{api}{path}", timeout=timeout, **kwargs)
        if response.status_code >= 400:
            raise HubSyncRefused(response.status_code, what)
        return response

    existing = {u["name"] for u in call("GET", "/users", "/users").json()}
    wanted = sorted({u for members in memberships.values() for u in members} - existing)
    if wanted:
        call("POST", "/users", "/users", json={"usernames": wanted})
        store.add_audit(by, "hub.users_add", "hub_user", detail={"users": wanted})
    groups = {g["name"]: set(g.get("users", [])) for g in call("GET", "/groups", "/groups").json()}
    for name, members in sorted(memberships.items()):
        if name not in groups:
            call("POST", f"/groups/{name}", name)
        added = sorted(set(members) - groups.get(name, set()))
        if added:
            call("POST", f"/groups/{name}/users", name, json={"users": added})
        if added or name not in groups:
            store.add_audit(by, "hub.group_members_add", "hub_group", name,
                            detail={"added": added, "group_created": name not in groups})
    return len(memberships)


def run_import(args) -> int:
    from hub.store import open_store, upgrade
    from hub.store.command import ensure_sqlite_folder, resolve_db_url

    db_url = resolve_db_url(args.db, args.settings)
    ensure_sqlite_folder(db_url)
    if args.upgrade:
        upgrade(db_url)
    store = open_store(db_url)
    try:
        before = {a.username for a in store.find_accounts()}
        counts = import_roster_file(store, args.file)
        print(TEXTS["done"])
        for sheet, numbers in counts.items():
            print(TEXTS["counts"].format(sheet=sheet, **numbers))
        made = [a for a in store.find_accounts() if a.username not in before]
        print(TEXTS["logins_made"].format(count=len(made)) if made else TEXTS["no_logins_made"])
        for account in made:
            print(TEXTS["login_line"].format(staff_id=account.staff_id or "-", username=account.username))
        api_url, token = os.environ.get("JUPYTERHUB_API_URL"), args.hub_token or os.environ.get("MENTORHUB_HUB_TOKEN")
        if api_url and token:
            from hub.accounts import operator_name

            synced = sync_hub_groups(api_url, token, store.group_memberships(), store=store,
                                     by=f"cli:{operator_name()}")
            print(TEXTS["synced"].format(groups=synced))
    except RosterRefused as refused:
        key = "refused_more" if refused.more else "refused"
        print(TEXTS[key].format(count=min(len(refused.problems), MAX_PROBLEMS)))
        for problem in refused.problems:
            print(f"  {problem}")
        return 1
    except HubSyncRefused as refused:
        print(refused.message_zh, file=sys.stderr)
        return 1
    finally:
        store.close()
    return 0


def register(subparsers) -> None:
    roster = subparsers.add_parser("roster", help="花名册 (roster)")
    actions = roster.add_subparsers(dest="roster_command", metavar="ACTION")
    imp = actions.add_parser("import", help="导入花名册：.xlsx 工作簿或 CSV 文件夹 (import a roster)")
    imp.add_argument("file", help="workbook (.xlsx) or folder with schools.csv, classes.csv, staff.csv, students.csv")
    imp.add_argument("--db", metavar="URL", help="records database URL (default: from the site settings)")
    imp.add_argument("--settings", metavar="FILE", help="site settings file")
    imp.add_argument("--upgrade", action="store_true", help="migrate the database first")
    imp.add_argument("--hub-token", help="hub API token; with JUPYTERHUB_API_URL, also sync hub users and groups")
    imp.set_defaults(func=run_import)
    roster.set_defaults(func=lambda args: (roster.print_help(), 2)[1])
