"""Issue 17, part 5: command-line errors end with a clear Chinese message and a non-zero exit status, never a
Python traceback. Each case runs the real ``mentorhub`` command in a subprocess, as an administrator or a
trainer would, on a path that used to end in a traceback."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from hub.cli import failure_message
from tests.unit.test_roster import GOOD, write_xlsx

REPO = Path(__file__).resolve().parents[2]
MENTORHUB = str(REPO / ".venv" / "bin" / "mentorhub")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def run(*argv, cwd: Path) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("JUPYTERHUB_API_TOKEN", "MENTORHUB_SETTINGS")}
    return subprocess.run([MENTORHUB, *argv], capture_output=True, text=True, cwd=cwd, env=environ, timeout=300)


def course(tmp_path, *argv):
    return ("course", "--courses-dir", str(REPO / "courses"), "--state-dir", str(tmp_path / "state"), *argv)


CASES = {  # name -> (arguments for a folder, what the message must say)
    "course release without a hub token": (lambda p: course(p, "release", "foundations", "policy-basics"),
                                           "JUPYTERHUB_API_TOKEN"),
    "course collect without a hub token": (lambda p: course(p, "collect", "foundations", "policy-basics"),
                                           "没有平台令牌"),
    "course feedback without a hub token": (lambda p: course(p, "feedback", "foundations", "policy-basics"),
                                            "没有平台令牌"),
    "roster import into an unmigrated database": (
        lambda p: ("roster", "import", str(p / "none.xlsx"), "--db", f"sqlite:///{p / 'empty.sqlite'}"),
        "mentorhub db upgrade"),
    "roster import with the database unreachable": (
        lambda p: ("roster", "import", str(p / "none.xlsx"), "--db", "postgresql://nobody@127.0.0.1:1/none"),
        "记录数据库暂时无法访问"),
    "demo seed into a folder that cannot be made": (lambda p: ("demo", "seed", "--state", "/proc/mentorhub-x"),
                                                    "无法读写“/proc/mentorhub-x”"),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_failures_end_with_a_chinese_message_and_no_traceback(tmp_path, name):
    arguments, expected = CASES[name]
    done = run(*arguments(tmp_path), cwd=tmp_path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout
    assert expected in done.stderr, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert CHINESE.search(last), done.stderr


def test_a_login_name_someone_holds_refuses_the_roster_with_a_message(tmp_path):
    """王老师 was imported as t_wang; a later file numbers a new staff member T_WANG, whose login would be hers."""
    db = f"sqlite:///{tmp_path / 'records.sqlite'}"
    assert run("roster", "import", str(write_xlsx(tmp_path / "a.xlsx", GOOD)), "--db", db, "--upgrade",
               cwd=tmp_path).returncode == 0  # fmt: skip
    renumbered = {**GOOD, "staff": [{**GOOD["staff"][0], "staff_id": "T_WANG"}, *GOOD["staff"][1:]],
                  "classes": [{**GOOD["classes"][0], "head_teacher_id": "T_WANG"}, GOOD["classes"][1]]}  # fmt: skip
    done = run("roster", "import", str(write_xlsx(tmp_path / "b.xlsx", renumbered)), "--db", db, cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "T_WANG → t_wang（属于 t_wang）" in done.stderr and "整个花名册未导入" in done.stderr


def test_verbose_shows_the_traceback_for_whoever_looks_into_it(tmp_path):
    done = run("--verbose", "demo", "seed", "--state", "/proc/mentorhub-x", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" in done.stderr


def test_an_unexpected_error_still_gets_a_sentence():
    message = failure_message(RuntimeError("boom"))
    assert "内部错误（RuntimeError）：boom" in message and "--verbose" in message
