"""A user's server's own log (hub.serverlog): its output and input are no longer the starting process's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hub.serverlog import server_log_path

CODE = """
import os, sys
from hub.serverlog import take_own_log
take_own_log(sys.argv[1] or None)
print("to stdout", flush=True)
os.write(2, b"to stderr\\n")
print(repr(sys.stdin.read()))
"""


def run(path: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CODE, path], capture_output=True, input=b"the hub's input",
                          timeout=60, cwd=Path(__file__).resolve().parents[2])  # fmt: skip


def test_output_goes_to_the_log_and_nothing_to_the_starting_process(tmp_path):
    path = server_log_path(str(tmp_path / "home"))
    assert path == str(tmp_path / "home" / ".mentorhub" / "server.log")
    done = run(path)
    assert done.returncode == 0 and done.stdout == b"" and done.stderr == b""
    assert Path(path).read_text() == "to stdout\nto stderr\n''\n"  # and nothing read from the hub's input
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    run(path)
    assert Path(path + ".1").read_text().startswith("to stdout")  # the previous start's log is kept once


def test_a_link_planted_as_the_log_is_not_written_through(tmp_path):
    target = tmp_path / "someone-elses-file"
    target.write_text("theirs\n")
    path = Path(server_log_path(str(tmp_path / "home")))
    path.parent.mkdir(parents=True)
    path.symlink_to(target)
    assert run(str(path)).returncode == 0
    assert target.read_text() == "theirs\n"
    assert not path.is_symlink() and "to stdout" in path.read_text()


def test_without_a_log_output_is_thrown_away_not_inherited(tmp_path):
    done = run("")
    assert done.returncode == 0 and done.stdout == b"" and done.stderr == b""
